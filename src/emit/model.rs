//! The template as a document: a [`Tree`] of ordered mappings with the top-level sections
//! and resource attributes in CloudFormation's customary order, properties sorted by key,
//! intrinsics in long form. The `x-aws-cloudformation` overlay is merged into this tree,
//! and both output formats serialise it. A nested stack's resources are put through a
//! [`Rewrite`] as they become documents (what they name of the parent becomes a parameter).

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::ir::{Intrinsic, Output, Parameter, Resource, Template, Value};
use crate::par;

/// A JSON-like document whose mappings keep their order. Its strings are borrowed from
/// what it was built from (a template, a JSON value) wherever they can be.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree<'a> {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(Cow<'a, str>),
    Seq(Vec<Tree<'a>>),
    Map(Vec<(Cow<'a, str>, Tree<'a>)>),
}

impl<'a> Tree<'a> {
    /// The same document, owning its strings.
    #[must_use]
    pub fn into_owned(self) -> Tree<'static> {
        match self {
            Tree::Null => Tree::Null,
            Tree::Bool(b) => Tree::Bool(b),
            Tree::Num(n) => Tree::Num(n),
            Tree::Str(s) => Tree::Str(Cow::Owned(s.into_owned())),
            Tree::Seq(items) => Tree::Seq(items.into_iter().map(Tree::into_owned).collect()),
            Tree::Map(entries) => Tree::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            ),
        }
    }

    /// The value under `key` of a mapping.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Tree<'a>> {
        match self {
            Tree::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value under `key` of a mapping, for changing it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Tree<'a>> {
        match self {
            Tree::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A JSON value as a tree, object keys sorted (whatever order `serde_json::Map` keeps:
/// sorted, or insertion order when a dependency turns on its `preserve_order` feature, as
/// cfn-guard does).
impl<'a> From<&'a serde_json::Value> for Tree<'a> {
    fn from(json: &'a serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Tree::Null,
            serde_json::Value::Bool(b) => Tree::Bool(*b),
            serde_json::Value::Number(n) => Tree::Num(n.clone()),
            serde_json::Value::String(s) => Tree::Str(Cow::Borrowed(s)),
            serde_json::Value::Array(items) => Tree::Seq(items.iter().map(Tree::from).collect()),
            serde_json::Value::Object(map) => {
                let mut entries: Vec<(Cow<'a, str>, Tree<'a>)> = map
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Tree::from(v)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Tree::Map(entries)
            }
        }
    }
}

/// Builds a [`Tree::Map`] from `(key, value)` pairs, in the order given, leaving out the
/// `None`s.
fn entries<'a, const N: usize>(pairs: [(&'static str, Option<Tree<'a>>); N]) -> Tree<'a> {
    Tree::Map(
        pairs
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (Cow::Borrowed(k), v)))
            .collect(),
    )
}

/// A string of what the document is built from, borrowed.
fn text(s: &str) -> Tree<'_> {
    Tree::Str(Cow::Borrowed(s))
}

/// A string the compiler wrote.
fn word<'a>(s: &'static str) -> Tree<'a> {
    Tree::Str(Cow::Borrowed(s))
}

/// The template as a document.
#[must_use]
pub fn document(t: &Template) -> Tree<'_> {
    document_with(t, resources(t))
}

/// The template as a document, with `resources` (entries by logical ID, in order) as its
/// `Resources` section instead of the template's own.
#[must_use]
pub fn document_with<'a>(t: &'a Template, resources: Vec<(Cow<'a, str>, Tree<'a>)>) -> Tree<'a> {
    let section = |map: Tree<'a>| match &map {
        Tree::Map(items) if items.is_empty() => None,
        _ => Some(map),
    };
    entries([
        ("AWSTemplateFormatVersion", Some(word("2010-09-09"))),
        ("Description", Some(text(&t.description))),
        ("Metadata", section(values(&t.metadata))),
        (
            "Parameters",
            section(Tree::Map(
                t.parameters
                    .iter()
                    .map(|(id, p)| (Cow::Borrowed(id.as_str()), parameter(p)))
                    .collect(),
            )),
        ),
        ("Rules", section(values(&t.rules))),
        ("Conditions", section(values(&t.conditions))),
        ("Resources", Some(Tree::Map(resources))),
        (
            "Outputs",
            section(Tree::Map(
                t.outputs
                    .iter()
                    .map(|(name, o)| (Cow::Borrowed(name.as_str()), output(o)))
                    .collect(),
            )),
        ),
    ])
}

/// The resources, on every core for a large template.
fn resources(t: &Template) -> Vec<(Cow<'_, str>, Tree<'_>)> {
    let all: Vec<(&String, &Resource)> = t.resources.iter().collect();
    par::map(&all, RESOURCES_PER_THREAD, |&(id, r)| {
        (
            Cow::Borrowed(id.as_str()),
            resource_with(r, &r.depends_on, &mut keep),
        )
    })
}

/// Resources a thread turns into a document at the least (one takes some 4 µs cold).
pub const RESOURCES_PER_THREAD: usize = 32;

/// The rewriting that keeps everything (a named function, so that the writers that take
/// one are instantiated once for it).
fn keep(_: &Value) -> Rewrite {
    Rewrite::Keep
}

/// What to write for an intrinsic function, as [`resource_with`] asks of its caller.
pub enum Rewrite {
    /// The function as it is, and all it holds.
    Keep,
    /// The function with each of its arguments asked about in turn.
    Descend,
    /// Another value, written as it is.
    Replace(Value),
}

fn values<'a, K>(map: impl IntoIterator<Item = (&'a K, &'a Value)>) -> Tree<'a>
where
    K: AsRef<str> + ?Sized + 'a,
{
    values_with(map, &mut keep)
}

fn values_with<'a, K>(
    map: impl IntoIterator<Item = (&'a K, &'a Value)>,
    rewrite: &mut impl FnMut(&Value) -> Rewrite,
) -> Tree<'a>
where
    K: AsRef<str> + ?Sized + 'a,
{
    Tree::Map(
        map.into_iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_ref()), value_with(v, rewrite)))
            .collect(),
    )
}

fn parameter(p: &Parameter) -> Tree<'_> {
    entries([
        ("Type", Some(word(p.kind))),
        ("Default", p.default.as_deref().map(text)),
        (
            "AllowedValues",
            (!p.allowed_values.is_empty())
                .then(|| Tree::Seq(p.allowed_values.iter().map(|v| text(v)).collect())),
        ),
        ("AllowedPattern", p.allowed_pattern.map(word)),
        ("NoEcho", p.no_echo.then_some(Tree::Bool(true))),
        ("Description", Some(text(&p.description))),
    ])
}

/// A resource as a document, with `depends_on` as its `DependsOn`, each intrinsic function
/// of its properties and metadata first put to `rewrite` (a nested stack's references to
/// its parent become parameters).
#[must_use]
pub fn resource_with<'a>(
    r: &'a Resource,
    depends_on: &'a BTreeSet<String>,
    rewrite: &mut impl FnMut(&Value) -> Rewrite,
) -> Tree<'a> {
    let retain = r.retain.then(|| word("Retain"));
    entries([
        ("Type", Some(word(r.kind))),
        ("Condition", r.condition.map(word)),
        (
            "DependsOn",
            (!depends_on.is_empty())
                .then(|| Tree::Seq(depends_on.iter().map(|id| text(id)).collect())),
        ),
        ("DeletionPolicy", retain.clone()),
        ("UpdateReplacePolicy", retain),
        (
            "Metadata",
            r.metadata.as_ref().map(|m| value_with(m, rewrite)),
        ),
        ("Properties", Some(value_with(&r.properties, rewrite))),
    ])
}

fn output(o: &Output) -> Tree<'_> {
    entries([
        ("Description", Some(text(&o.description))),
        ("Value", Some(value(&o.value))),
    ])
}

fn call<'a>(name: &'static str, argument: Tree<'a>) -> Tree<'a> {
    Tree::Map(vec![(Cow::Borrowed(name), argument)])
}

fn value(v: &Value) -> Tree<'_> {
    value_with(v, &mut keep)
}

/// A value as a document, each intrinsic function first put to `rewrite`.
fn value_with<'a>(v: &'a Value, rewrite: &mut impl FnMut(&Value) -> Rewrite) -> Tree<'a> {
    match v {
        Value::Bool(b) => Tree::Bool(*b),
        Value::Int(i) => Tree::Num((*i).into()),
        Value::Str(s) => Tree::Str(Cow::Borrowed(s)),
        Value::List(items) => Tree::Seq(items.iter().map(|v| value_with(v, rewrite)).collect()),
        Value::Map(map) => values_with(map, rewrite),
        Value::Fn(intrinsic) => match rewrite(v) {
            Rewrite::Keep => function(intrinsic, &mut keep),
            Rewrite::Descend => function(intrinsic, rewrite),
            Rewrite::Replace(other) => value(&other).into_owned(),
        },
    }
}

/// An intrinsic function in its long form, its arguments put to `rewrite`.
fn function<'a>(intrinsic: &'a Intrinsic, rewrite: &mut impl FnMut(&Value) -> Rewrite) -> Tree<'a> {
    let mut value = |v: &'a Value| value_with(v, rewrite);
    match intrinsic {
        Intrinsic::Ref(id) => call("Ref", text(id)),
        Intrinsic::GetAtt(id, attribute) => {
            call("Fn::GetAtt", Tree::Seq(vec![text(id), text(attribute)]))
        }
        Intrinsic::Sub(s) => call("Fn::Sub", text(s)),
        Intrinsic::Select(index, list) => call(
            "Fn::Select",
            Tree::Seq(vec![Tree::Num((*index).into()), value(list)]),
        ),
        Intrinsic::GetAzs => call("Fn::GetAZs", word("")),
        Intrinsic::If(condition, then, otherwise) => call(
            "Fn::If",
            Tree::Seq(vec![text(condition), value(then), value(otherwise)]),
        ),
        Intrinsic::Equals(a, b) => call("Fn::Equals", Tree::Seq(vec![value(a), value(b)])),
        Intrinsic::Not(condition) => call("Fn::Not", Tree::Seq(vec![value(condition)])),
        Intrinsic::Join(separator, list) => {
            call("Fn::Join", Tree::Seq(vec![text(separator), value(list)]))
        }
        Intrinsic::Base64(s) => call("Fn::Base64", value(s)),
        Intrinsic::Split(separator, s) => {
            call("Fn::Split", Tree::Seq(vec![text(separator), value(s)]))
        }
        Intrinsic::Or(conditions) => {
            call("Fn::Or", Tree::Seq(conditions.iter().map(value).collect()))
        }
    }
}

impl Serialize for Tree<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Null => serializer.serialize_unit(),
            Tree::Bool(b) => serializer.serialize_bool(*b),
            Tree::Num(n) => n.serialize(serializer),
            Tree::Str(s) => serializer.serialize_str(s),
            Tree::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Tree::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}
