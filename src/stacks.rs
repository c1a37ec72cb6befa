//! Quota-aware layout. A template within CloudFormation's quotas (500 resources, 200
//! parameters, 200 outputs, 1 MiB) stays one template. Past them, or when asked, the
//! project becomes a root stack that keeps the shared infrastructure (network, cluster,
//! load balancer, file systems, secrets, ...) and one nested stack per Compose service,
//! so that a service's resources never move to another stack as the project grows. When
//! even the nested stacks are too many for the root, they are grouped into 64 stacks
//! chosen by a hash of the service's name (stable too).
//!
//! A nested template refers to the root's resources, parameters and conditions through
//! parameters of its own: every expression that names only the root's things is computed
//! in the root and passed down (lists joined with commas, read back as
//! `CommaDelimitedList`); a condition a nested resource needs is copied with the parameters
//! it reads. `DependsOn` across stacks becomes `DependsOn` between the stack resources.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ir::{Intrinsic, Name, Parameter, Resource, Template, Value};
use crate::lower::names;

/// Resources a stack may hold.
pub const MAX_RESOURCES: usize = 500;
/// Parameters a template may declare.
pub const MAX_PARAMETERS: usize = 200;
/// Outputs a template may declare.
pub const MAX_OUTPUTS: usize = 200;
/// Bytes of template CloudFormation takes from S3.
pub const MAX_BYTES: usize = 1_048_576;

/// Stacks that group the service stacks when the root cannot hold one per service.
const GROUPS: u64 = 64;
/// Room kept in the root for resources besides the stacks.
const ROOT_HEADROOM: usize = 20;

/// The templates of a project: the root, and the nested ones by their path relative to
/// the root template.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub root: Template,
    pub nested: Vec<(String, Template)>,
}

impl Layout {
    /// Every template: the root (path `None`) first.
    pub fn templates(&self) -> impl Iterator<Item = (Option<&str>, &Template)> {
        std::iter::once((None, &self.root))
            .chain(self.nested.iter().map(|(p, t)| (Some(p.as_str()), t)))
    }
}

/// Whether a template is past a quota (`bytes`: its size as written).
#[must_use]
pub fn past_quota(template: &Template, bytes: usize) -> bool {
    template.resources.len() > MAX_RESOURCES
        || template.parameters.len() > MAX_PARAMETERS
        || template.outputs.len() > MAX_OUTPUTS
        || bytes > MAX_BYTES
}

/// The folder of the nested templates, beside the root template.
#[must_use]
pub fn folder(project: &str) -> String {
    format!("{project}.stacks")
}

/// Splits a template into a root stack and nested stacks (see the module documentation).
#[must_use]
pub fn split(template: &Template, project: &str) -> Layout {
    let folder = folder(project);
    let mut owned: BTreeMap<&str, BTreeMap<&String, &Resource>> = BTreeMap::new();
    let mut root = Template {
        description: template.description.clone(),
        metadata: template.metadata.clone(),
        parameters: template.parameters.clone(),
        rules: template.rules.clone(),
        conditions: template.conditions.clone(),
        outputs: template.outputs.clone(),
        ..Template::default()
    };
    for (id, resource) in &template.resources {
        match &resource.owner {
            Some(service) => {
                owned
                    .entry(service.as_str())
                    .or_default()
                    .insert(id, resource);
            }
            None => {
                root.resources.insert(id.clone(), resource.clone());
            }
        }
    }
    // Which service stack holds each owned resource.
    let stack_of: BTreeMap<&str, String> = owned
        .iter()
        .flat_map(|(service, resources)| {
            resources
                .keys()
                .map(move |id| (id.as_str(), stack_id(service)))
        })
        .collect();
    let mut services = Vec::new();
    for (service, resources) in &owned {
        services.push(nested(template, project, service, resources, &stack_of));
    }
    let grouped = root.resources.len() + services.len() + ROOT_HEADROOM > MAX_RESOURCES;
    let mut layout = Layout::default();
    if grouped {
        let mut groups: BTreeMap<u64, Vec<Nested>> = BTreeMap::new();
        for stack in services {
            groups
                .entry(group_of(&stack.service))
                .or_default()
                .push(stack);
        }
        let group_of_stack: BTreeMap<String, String> = groups
            .iter()
            .flat_map(|(g, stacks)| stacks.iter().map(move |s| (s.id.clone(), group_id(*g))))
            .collect();
        for (group, stacks) in groups {
            let id = group_id(group);
            let mut inner = Template {
                description: format!(
                    "Services of the Compose project `{project}` (group {group}), compiled by compose2cfn"
                ),
                ..Template::default()
            };
            let mut passed: BTreeMap<String, (Value, bool)> = BTreeMap::new();
            let mut outer_deps = BTreeSet::new();
            for stack in stacks {
                for (name, (value, list)) in &stack.parameters {
                    passed.entry(name.clone()).or_insert((value.clone(), *list));
                }
                let mut deps = BTreeSet::new();
                for dep in &stack.depends_on {
                    match group_of_stack.get(dep) {
                        Some(g) if *g == id => {
                            deps.insert(dep.clone());
                        }
                        // A service stack of another group: the groups' order says it,
                        // where it cannot make a cycle (`break_group_cycles`).
                        Some(g) => {
                            outer_deps.insert(g.clone());
                        }
                        None => {
                            outer_deps.insert(dep.clone());
                        }
                    }
                }
                let parameters = stack
                    .parameters
                    .iter()
                    .map(|(name, (_, list))| {
                        (
                            name.clone(),
                            passed_value(Value::reference(name.as_str()), *list),
                        )
                    })
                    .collect();
                inner.resources.insert(
                    stack.id.clone(),
                    stack_resource(&format!("{}.yaml", stack.file), parameters, deps),
                );
                layout
                    .nested
                    .push((format!("{folder}/{}.yaml", stack.file), stack.template));
            }
            for (name, (_, list)) in &passed {
                inner
                    .parameters
                    .insert(name.clone(), parameter(name, *list));
            }
            outer_deps.remove(&id);
            inner.ignore_lint("W3002");
            let parameters = passed
                .into_iter()
                .map(|(name, (value, list))| (name, passed_value(value, list)))
                .collect();
            layout.nested.push((format!("{folder}/{id}.yaml"), inner));
            root.resources.insert(
                id.clone(),
                stack_resource(&format!("{folder}/{id}.yaml"), parameters, outer_deps),
            );
        }
        break_group_cycles(&mut root);
    } else {
        for stack in services {
            let parameters = stack
                .parameters
                .iter()
                .map(|(name, (value, list))| (name.clone(), passed_value(value.clone(), *list)))
                .collect();
            root.resources.insert(
                stack.id.clone(),
                stack_resource(
                    &format!("{folder}/{}.yaml", stack.file),
                    parameters,
                    stack.depends_on.clone(),
                ),
            );
            layout
                .nested
                .push((format!("{folder}/{}.yaml", stack.file), stack.template));
        }
    }
    layout.nested.sort_by(|a, b| a.0.cmp(&b.0));
    // The relative `TemplateURL`s are for `aws cloudformation package`, as intended.
    root.ignore_lint("W3002");
    layout.root = root;
    layout
}

/// The logical ID of a service's nested stack.
fn stack_id(service: &str) -> String {
    format!("{}Stack", names::normalize(service))
}

fn group_id(group: u64) -> String {
    format!("ServicesGroup{group:02}")
}

/// A service's group: a hash of its name, so that it never changes.
fn group_of(service: &str) -> u64 {
    fnv(service.as_bytes()) % GROUPS
}

/// FNV-1a: a small, stable hash (`std`'s hasher may change between releases).
fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A nested stack of one service, before it is placed.
struct Nested {
    service: String,
    id: String,
    file: String,
    template: Template,
    /// Its parameters: the value in the parent, and whether it is a list.
    parameters: BTreeMap<String, (Value, bool)>,
    /// Root resources and other service stacks it waits for.
    depends_on: BTreeSet<String>,
}

fn nested(
    template: &Template,
    project: &str,
    service: &str,
    resources: &BTreeMap<&String, &Resource>,
    stack_of: &BTreeMap<&str, String>,
) -> Nested {
    let local: BTreeSet<&str> = resources.keys().map(|id| id.as_str()).collect();
    let mut hoister = Hoister {
        parent: template,
        local: &local,
        values: HashMap::new(),
        names: BTreeMap::new(),
        conditions: BTreeMap::new(),
    };
    let own = stack_id(service);
    let mut child = Template {
        description: format!(
            "Service `{service}` of the Compose project `{project}`, compiled by compose2cfn"
        ),
        ..Template::default()
    };
    let mut depends_on = BTreeSet::new();
    for (id, resource) in resources {
        let mut copy = Resource {
            properties: hoister.localize(&resource.properties),
            metadata: resource.metadata.as_ref().map(|m| hoister.localize(m)),
            depends_on: BTreeSet::new(),
            ..Resource::new(resource.kind, Value::Bool(false))
        };
        copy.retain = resource.retain;
        copy.origin = resource.origin;
        copy.condition = resource.condition;
        copy.owner.clone_from(&resource.owner);
        if let Some(condition) = resource.condition {
            hoister.condition(condition);
        }
        for dep in &resource.depends_on {
            if local.contains(dep.as_str()) {
                copy.depends_on.insert(dep.clone());
            } else {
                match stack_of.get(dep.as_str()) {
                    Some(stack) if *stack != own => {
                        depends_on.insert(stack.clone());
                    }
                    Some(_) => {}
                    None => {
                        depends_on.insert(dep.clone());
                    }
                }
            }
        }
        child.resources.insert((*id).clone(), copy);
    }
    child.conditions = hoister.conditions.clone();
    let mut parameters = BTreeMap::new();
    for (name, (value, list)) in &hoister.names {
        child
            .parameters
            .insert(name.clone(), parameter(name, *list));
        parameters.insert(name.clone(), (value.clone(), *list));
    }
    Nested {
        service: service.to_string(),
        id: own,
        file: names::normalize(service),
        template: child,
        parameters,
        depends_on,
    }
}

fn parameter(name: &str, list: bool) -> Parameter {
    Parameter::new(
        if list { "CommaDelimitedList" } else { "String" },
        format!("`{name}`, from the parent stack"),
    )
}

/// A value as a parent passes it: a list joined with commas.
fn passed_value(value: Value, list: bool) -> Value {
    if list { Value::join(",", value) } else { value }
}

fn stack_resource(
    url: &str,
    parameters: BTreeMap<String, Value>,
    depends_on: BTreeSet<String>,
) -> Resource {
    let mut properties = BTreeMap::new();
    if !parameters.is_empty() {
        properties.insert("Parameters".to_string(), Value::Map(parameters));
    }
    properties.insert("TemplateURL".to_string(), Value::str(url));
    Resource::new("AWS::CloudFormation::Stack", Value::Map(properties)).depends_on(depends_on)
}

/// Ordering between groups follows from their services' `depends_on`, kept only towards
/// groups of a lower number, so that it can never make a cycle (CloudFormation refuses
/// cycles; ECS services start in any order anyway, `depends_on` only orders creation).
fn break_group_cycles(root: &mut Template) {
    for (id, resource) in &mut root.resources {
        if id.starts_with("ServicesGroup") {
            let own = id.clone();
            resource
                .depends_on
                .retain(|dep| !dep.starts_with("ServicesGroup") || *dep < own);
        }
    }
}

/// Rewrites a nested stack's expressions: what names only the parent's things becomes a
/// parameter.
struct Hoister<'a> {
    parent: &'a Template,
    local: &'a BTreeSet<&'a str>,
    /// Hoisted expressions and their parameter names (looked up, never iterated).
    values: HashMap<Value, String>,
    /// Parameter name → (value in the parent, is a list).
    names: BTreeMap<String, (Value, bool)>,
    /// Conditions copied from the parent, localised.
    conditions: BTreeMap<String, Value>,
}

impl Hoister<'_> {
    fn is_local(&self, name: &str) -> bool {
        self.local.contains(name)
    }

    /// Names the expression refers to: (local ones, parent ones).
    /// Whether the expression names local things, and things of the parent (whose
    /// conditions all are).
    fn mentions(&self, value: &Value, local: &mut bool, parent: &mut bool) {
        value.each_name(&mut |name| {
            let target = name.target();
            if matches!(name, Name::Condition(_)) {
                *parent = true;
            } else if self.is_local(target) {
                *local = true;
            } else if !target.starts_with("AWS::") {
                *parent = true;
            }
        });
    }

    fn localize(&mut self, value: &Value) -> Value {
        let (mut local, mut parent) = (false, false);
        self.mentions(value, &mut local, &mut parent);
        if !parent {
            return value.clone();
        }
        if !local && !matches!(value, Value::List(_) | Value::Map(_)) {
            return self.hoist(value);
        }
        match value {
            Value::List(items) => Value::List(items.iter().map(|v| self.localize(v)).collect()),
            Value::Map(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.localize(v)))
                    .collect(),
            ),
            Value::Fn(intrinsic) => Value::Fn(Box::new(match intrinsic.as_ref() {
                Intrinsic::Sub(text) => Intrinsic::Sub(self.localize_sub(text)),
                Intrinsic::If(condition, a, b) => {
                    self.condition(condition);
                    Intrinsic::If(condition.clone(), self.localize(a), self.localize(b))
                }
                Intrinsic::Select(i, v) => Intrinsic::Select(*i, self.localize(v)),
                Intrinsic::Not(v) => Intrinsic::Not(self.localize(v)),
                Intrinsic::Join(sep, v) => Intrinsic::Join(sep.clone(), self.localize(v)),
                Intrinsic::Base64(v) => Intrinsic::Base64(self.localize(v)),
                Intrinsic::Split(sep, v) => Intrinsic::Split(sep.clone(), self.localize(v)),
                Intrinsic::Equals(a, b) => Intrinsic::Equals(self.localize(a), self.localize(b)),
                Intrinsic::Or(items) => {
                    Intrinsic::Or(items.iter().map(|v| self.localize(v)).collect())
                }
                other => other.clone(),
            })),
            other => other.clone(),
        }
    }

    /// `${Name}` and `${Name.Attribute}` of the parent, in a `Fn::Sub`, become parameters.
    fn localize_sub(&mut self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let variable = &after[..end];
            let target = variable.split('.').next().unwrap_or(variable);
            if variable.starts_with('!') || target.starts_with("AWS::") || self.is_local(target) {
                out.push_str(&rest[start..start + 2 + end + 1]);
            } else {
                let value = match variable.split_once('.') {
                    Some((id, attribute)) => Value::get_att(id, attribute),
                    None => Value::reference(variable),
                };
                let name = self.name_of(&value);
                out.push_str(&format!("${{{name}}}"));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Copies a parent condition (with the parameters it reads).
    fn condition(&mut self, name: &str) {
        if self.conditions.contains_key(name) {
            return;
        }
        if let Some(expression) = self.parent.conditions.get(name) {
            let local = self.localize(expression);
            self.conditions.insert(name.to_string(), local);
        }
    }

    fn hoist(&mut self, value: &Value) -> Value {
        Value::reference(self.name_of(value))
    }

    /// The parameter that carries `value` from the parent: named after what it refers to,
    /// and for anything but a plain `Ref` or `Fn::GetAtt`, a hash of the expression, so
    /// that the same expression has the same name in every stack and no other does.
    fn name_of(&mut self, value: &Value) -> String {
        if let Some(name) = self.values.get(value) {
            return name.clone();
        }
        let mut refs = Vec::new();
        names_in(value, &mut refs);
        let mut name: String = refs
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
        let list = self.is_list(value);
        self.names.insert(name.clone(), (value.clone(), list));
        self.values.insert(value.clone(), name.clone());
        name
    }

    /// Whether an expression gives a list.
    fn is_list(&self, value: &Value) -> bool {
        match value {
            Value::List(_) => true,
            Value::Fn(intrinsic) => {
                match intrinsic.as_ref() {
                    Intrinsic::Ref(name) => self.parent.parameters.get(name).is_some_and(|p| {
                        p.kind == "CommaDelimitedList" || p.kind.starts_with("List<")
                    }),
                    Intrinsic::If(_, a, b) => self.is_list(a) || self.is_list(b),
                    Intrinsic::Split(..) | Intrinsic::GetAzs => true,
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// The names an expression refers to, in order (attributes joined to their resource),
/// without pseudo parameters and conditions.
fn names_in(value: &Value, out: &mut Vec<String>) {
    value.each_name(&mut |name| match name {
        Name::Ref(n) if !n.starts_with("AWS::") => out.push(n.to_string()),
        Name::GetAtt(n, a) => out.push(format!("{n}{a}")),
        Name::Sub(v) if !v.starts_with("AWS::") => out.push(v.replace('.', "")),
        _ => {}
    });
    out.dedup();
}
