//! How a nested stack's resources refer to the parent's things. An expression that names
//! only the parent's resources, parameters or conditions is computed in the parent and
//! passed down as a parameter of the nested stack (lists joined with commas, read back as
//! `CommaDelimitedList`); a `Fn::Sub` has each of the parent's variables passed down; a
//! condition is copied with the parameters it reads. `AWS::StackName` and `AWS::StackId`
//! are the parent's too: inside a nested stack they name the nested stack.
//!
//! One rule, [`Scope::decide`], both finds the parameters a service's resources take
//! ([`Hoister`]) and rewrites them as they are written ([`Scope::rewrite`]), so the two
//! cannot disagree. A parameter's name depends only on the expression it carries, so
//! every stack gives the same expression the same name.

use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::HashMap;

use super::fnv;
use crate::emit::Rewrite;
use crate::ir::{Intrinsic, Name, Template, Value};

/// A service's resources as seen from its nested stack.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scope<'a> {
    pub parent: &'a Template,
    /// The logical IDs of the service's resources, sorted: references to them stay.
    pub local: &'a [&'a str],
}

/// What becomes of an intrinsic function in a nested stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// It names nothing of the parent's: as it is.
    Keep,
    /// It names only the parent's things: a parameter carries it whole.
    Hoist,
    /// A `Fn::Sub` naming the parent's things: each of them becomes a parameter.
    Localize,
    /// It names local things and the parent's: each argument decided in turn.
    Descend,
}

impl Scope<'_> {
    fn decide(&self, value: &Value) -> Decision {
        let Value::Fn(intrinsic) = value else {
            return Decision::Keep;
        };
        let (mut local, mut parent) = (false, false);
        value.each_name(&mut |name| {
            let target = name.target();
            if matches!(name, Name::Condition(_)) {
                parent = true;
            } else if self.is_local(target) {
                local = true;
            } else if !same_in_every_stack(target) {
                parent = true;
            }
        });
        match (parent, local, intrinsic.as_ref()) {
            (false, ..) => Decision::Keep,
            (true, _, Intrinsic::Sub(_)) => Decision::Localize,
            (true, false, _) => Decision::Hoist,
            (true, true, _) => Decision::Descend,
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.local.binary_search(&name).is_ok()
    }

    /// What the nested template writes for `value` (see [`crate::emit::resource`]);
    /// `carried` names the parameters of expressions hoisted already (naming one again
    /// would format it for its hash).
    pub(super) fn rewrite(&self, value: &Value, carried: &HashMap<Value, String>) -> Rewrite {
        match self.decide(value) {
            Decision::Keep => Rewrite::Keep,
            Decision::Descend => Rewrite::Descend,
            Decision::Hoist => {
                let name = carried
                    .get(value)
                    .cloned()
                    .unwrap_or_else(|| parameter_name(value));
                Rewrite::Replace(Value::reference(name))
            }
            Decision::Localize => Rewrite::Replace(self.localized_sub(value, &mut |_| {})),
        }
    }

    /// A `Fn::Sub` whose variables naming the parent's things (`${Name}`,
    /// `${Name.Attribute}`) name the parameters that carry them instead; `passed` is told
    /// each expression carried.
    fn localized_sub(&self, value: &Value, passed: &mut impl FnMut(Value)) -> Value {
        let Value::Fn(intrinsic) = value else {
            return value.clone();
        };
        let Intrinsic::Sub(text) = intrinsic.as_ref() else {
            return value.clone();
        };
        let mut out = String::new();
        let mut rest: &str = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let variable = &after[..end];
            let target = variable.split('.').next().unwrap_or(variable);
            if variable.starts_with('!') || same_in_every_stack(target) || self.is_local(target) {
                out.push_str(&rest[start..start + 2 + end + 1]);
            } else {
                let carried = match variable.split_once('.') {
                    Some((id, attribute)) => Value::get_att(id, attribute),
                    None => Value::reference(variable),
                };
                out.push_str(&format!("${{{}}}", parameter_name(&carried)));
                passed(carried);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Value::sub(out)
    }
}

/// Whether a name means the same in the parent and in a nested stack: a pseudo parameter
/// other than the stack's own name and ID. `AWS::StackName` in a nested stack names the
/// nested stack, so the parent's is passed down as a parameter (`AWSStackName`).
fn same_in_every_stack(name: &str) -> bool {
    name.starts_with("AWS::") && !matches!(name, "AWS::StackName" | "AWS::StackId")
}

/// The name of the parameter that carries `value`: after what it refers to (a name
/// repeated in a row once), and for
/// anything but a plain `Ref` or `Fn::GetAtt`, a hash of the expression, so that the same
/// expression has the same name in every stack and no other does.
fn parameter_name(value: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    value.each_name(&mut |reference| match reference {
        Name::Ref(n) | Name::Sub(n) if !same_in_every_stack(n) => parts.push(n.replace('.', "")),
        Name::GetAtt(n, a) => parts.push(format!("{n}{a}")),
        _ => {}
    });
    parts.dedup();
    let mut name: String = parts
        .concat()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    name.truncate(200);
    let plain = matches!(value, Value::Fn(f) if matches!(f.as_ref(), Intrinsic::Ref(_) | Intrinsic::GetAtt(..)));
    if !plain || name.is_empty() {
        let text = format!("{value:?}");
        name = format!("{name}{:08x}", fnv(text.as_bytes()) & 0xffff_ffff);
    }
    name
}

/// An expression of the parent that a parameter carries down, made once per thread and
/// shared by every service that takes it.
#[derive(Debug)]
pub(super) struct Hoisted {
    /// The parameter's name.
    pub name: String,
    /// The expression, computed in the parent.
    pub value: Value,
    /// Whether it gives a list (passed joined with commas).
    pub list: bool,
}

/// Finds what a service's resources take from the parent: the parameters, and the
/// conditions (copied, their own references to the parent rewritten).
pub(super) struct Hoister<'a> {
    scope: Scope<'a>,
    /// Hoisted expressions, shared by every service's hoister on a thread.
    hoisted: &'a mut HashMap<Value, Arc<Hoisted>>,
    /// The parameters the service takes, each name once.
    pub names: Vec<Arc<Hoisted>>,
    /// Conditions copied from the parent, localised.
    pub conditions: BTreeMap<String, Value>,
}

impl<'a> Hoister<'a> {
    pub(super) fn new(scope: Scope<'a>, hoisted: &'a mut HashMap<Value, Arc<Hoisted>>) -> Self {
        Hoister {
            scope,
            hoisted,
            names: Vec::new(),
            conditions: BTreeMap::new(),
        }
    }

    /// Notes the parameters and conditions that rewriting `value` takes, rewriting nothing.
    pub(super) fn discover(&mut self, value: &Value) {
        match value {
            Value::List(items) => items.iter().for_each(|v| self.discover(v)),
            Value::Map(map) => map.values().for_each(|v| self.discover(v)),
            Value::Fn(intrinsic) => match self.scope.decide(value) {
                Decision::Keep => {}
                Decision::Hoist => self.hoist(value.clone()),
                Decision::Localize => {
                    let scope = self.scope;
                    scope.localized_sub(value, &mut |carried| self.hoist(carried));
                }
                Decision::Descend => {
                    if let Intrinsic::If(condition, ..) = intrinsic.as_ref() {
                        self.condition(condition);
                    }
                    intrinsic.values().for_each(|v| self.discover(v));
                }
            },
            Value::Bool(_) | Value::Int(_) | Value::Str(_) => {}
        }
    }

    /// Copies a parent condition (with the parameters it reads).
    pub(super) fn condition(&mut self, name: &str) {
        if self.conditions.contains_key(name) {
            return;
        }
        if let Some(expression) = self.scope.parent.conditions.get(name) {
            let mut local = expression.clone();
            self.localize(&mut local);
            self.conditions.insert(name.to_string(), local);
        }
    }

    /// Rewrites a copied value for the nested template, in place.
    fn localize(&mut self, value: &mut Value) {
        match value {
            Value::List(items) => items.iter_mut().for_each(|v| self.localize(v)),
            Value::Map(map) => map.values_mut().for_each(|v| self.localize(v)),
            Value::Fn(_) => match self.scope.rewrite(value, &HashMap::default()) {
                Rewrite::Keep => {}
                Rewrite::Replace(other) => {
                    self.discover(value);
                    *value = other;
                }
                Rewrite::Descend => {
                    if let Value::Fn(intrinsic) = value {
                        if let Intrinsic::If(condition, ..) = intrinsic.as_ref() {
                            self.condition(condition);
                        }
                        intrinsic.values_mut().for_each(|v| self.localize(v));
                    }
                }
            },
            Value::Bool(_) | Value::Int(_) | Value::Str(_) => {}
        }
    }

    /// The service now takes the parameter that carries `value` from the parent.
    fn hoist(&mut self, value: Value) {
        let hoisted = match self.hoisted.get(&value) {
            Some(hoisted) => Arc::clone(hoisted),
            None => {
                let hoisted = Arc::new(Hoisted {
                    name: parameter_name(&value),
                    list: is_list(self.scope.parent, &value),
                    value: value.clone(),
                });
                self.hoisted.insert(value, Arc::clone(&hoisted));
                hoisted
            }
        };
        if !self.names.iter().any(|taken| taken.name == hoisted.name) {
            self.names.push(hoisted);
        }
    }
}

/// Whether an expression of `parent` gives a list.
fn is_list(parent: &Template, value: &Value) -> bool {
    match value {
        Value::List(_) => true,
        Value::Fn(intrinsic) => match intrinsic.as_ref() {
            Intrinsic::Ref(name) => parent
                .parameters
                .get(name)
                .is_some_and(|p| p.kind == "CommaDelimitedList" || p.kind.starts_with("List<")),
            Intrinsic::If(_, a, b) => is_list(parent, a) || is_list(parent, b),
            Intrinsic::Split(..) | Intrinsic::GetAzs => true,
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_name_is_the_parents_in_a_nested_stack() {
        assert!(same_in_every_stack("AWS::Region"));
        assert!(same_in_every_stack("AWS::Partition"));
        assert!(!same_in_every_stack("AWS::StackName"));
        assert!(!same_in_every_stack("AWS::StackId"));
        assert!(!same_in_every_stack("Cluster"));
    }

    #[test]
    fn a_parameter_is_named_after_what_it_carries() {
        assert_eq!(parameter_name(&Value::reference("Subnets")), "Subnets");
        assert_eq!(
            parameter_name(&Value::get_att("LoadBalancer", "DNSName")),
            "LoadBalancerDNSName"
        );
        assert_eq!(
            parameter_name(&Value::reference("AWS::StackName")),
            "AWSStackName"
        );
        let joined = parameter_name(&Value::join(",", Value::reference("Subnets")));
        assert!(
            joined.starts_with("Subnets") && joined.len() == "Subnets".len() + 8,
            "{joined}"
        );
    }

    #[test]
    fn writing_rewrites_what_discovery_found() {
        let mut parent = Template::default();
        parent
            .conditions
            .insert("UseIt".into(), Value::reference("Flag"));
        let local = ["Task"];
        let scope = Scope {
            parent: &parent,
            local: &local,
        };
        let value = Value::list([
            Value::reference("Task"),
            Value::reference("Cluster"),
            Value::sub("${Task}-${Cluster.Arn}-${AWS::Region}-${AWS::StackName}"),
        ]);
        let mut memo = HashMap::default();
        let mut hoister = Hoister::new(scope, &mut memo);
        hoister.discover(&value);
        let mut names: Vec<&str> = hoister.names.iter().map(|h| h.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["AWSStackName", "Cluster", "ClusterArn"]);
        let Value::List(items) = &value else {
            unreachable!()
        };
        let carried = HashMap::default();
        assert!(matches!(scope.rewrite(&items[0], &carried), Rewrite::Keep));
        match scope.rewrite(&items[1], &carried) {
            Rewrite::Replace(v) => assert_eq!(v, Value::reference("Cluster")),
            other => panic!("{other:?}"),
        }
        match scope.rewrite(&items[2], &carried) {
            Rewrite::Replace(v) => {
                assert_eq!(
                    v,
                    Value::sub("${Task}-${ClusterArn}-${AWS::Region}-${AWSStackName}")
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
