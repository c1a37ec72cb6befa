//! The template as a document: the top-level sections and resource attributes in
//! CloudFormation's customary order, properties sorted by key, intrinsics in long form.
//! The document's shape is written once, as events into a [`Sink`]: a [`TreeSink`] builds
//! a [`Tree`] of ordered mappings (which the `x-aws-cloudformation` overlay is merged into,
//! and JSON serialises), the YAML writer writes text straight from the template. A nested
//! stack's resources are put through a [`Rewrite`] as they are written (what they name of
//! the parent becomes a parameter).

use std::collections::BTreeSet;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::ir::{Intrinsic, Output, Parameter, Resource, Template, Text, Value};

/// A JSON-like document whose mappings keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(Text),
    Seq(Vec<Tree>),
    Map(Vec<(Text, Tree)>),
}

impl Tree {
    /// The value under `key` of a mapping.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value under `key` of a mapping, for changing it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Tree> {
        match self {
            Tree::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A JSON value as a tree, object keys sorted (whatever order `serde_json::Map` keeps:
/// sorted, or insertion order when a dependency turns on its `preserve_order` feature, as
/// cfn-guard does).
impl From<&serde_json::Value> for Tree {
    fn from(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Tree::Null,
            serde_json::Value::Bool(b) => Tree::Bool(*b),
            serde_json::Value::Number(n) => Tree::Num(n.clone()),
            serde_json::Value::String(s) => Tree::Str(Text::Owned(s.clone())),
            serde_json::Value::Array(items) => Tree::Seq(items.iter().map(Tree::from).collect()),
            serde_json::Value::Object(map) => {
                let mut entries: Vec<(Text, Tree)> = map
                    .iter()
                    .map(|(k, v)| (Text::Owned(k.clone()), Tree::from(v)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Tree::Map(entries)
            }
        }
    }
}

/// What a document is written into as it is walked, event by event: a [`Tree`]
/// ([`TreeSink`]), or YAML text straight away. A collection says whether it is empty as
/// it begins (YAML writes an empty one inline).
pub trait Sink: Sized + Send + Sync {
    fn null(&mut self);
    fn bool(&mut self, b: bool);
    fn num(&mut self, n: &serde_json::Number);
    fn str(&mut self, s: &str);
    fn begin_map(&mut self, empty: bool);
    /// A mapping's key; its value follows.
    fn key(&mut self, k: &str);
    fn end_map(&mut self);
    fn begin_seq(&mut self, empty: bool);
    fn end_seq(&mut self);
}

/// Builds a [`Tree`] (owning its strings) from a document's events.
#[derive(Debug, Default)]
pub struct TreeSink {
    open: Vec<Open>,
    done: Option<Tree>,
}

/// A collection being built, with the key of the value to come for a mapping.
#[derive(Debug)]
enum Open {
    Map(Vec<(Text, Tree)>, Text),
    Seq(Vec<Tree>),
}

impl TreeSink {
    /// The document written.
    #[must_use]
    pub fn finish(self) -> Tree {
        self.done.unwrap_or(Tree::Null)
    }

    fn put(&mut self, tree: Tree) {
        match self.open.last_mut() {
            Some(Open::Map(entries, key)) => entries.push((std::mem::take(key), tree)),
            Some(Open::Seq(items)) => items.push(tree),
            None => self.done = Some(tree),
        }
    }
}

impl Sink for TreeSink {
    fn null(&mut self) {
        self.put(Tree::Null);
    }

    fn bool(&mut self, b: bool) {
        self.put(Tree::Bool(b));
    }

    fn num(&mut self, n: &serde_json::Number) {
        self.put(Tree::Num(n.clone()));
    }

    fn str(&mut self, s: &str) {
        self.put(Tree::Str(Text::Owned(s.to_string())));
    }

    fn begin_map(&mut self, _empty: bool) {
        self.open.push(Open::Map(Vec::new(), Text::Borrowed("")));
    }

    fn key(&mut self, k: &str) {
        if let Some(Open::Map(_, key)) = self.open.last_mut() {
            *key = Text::Owned(k.to_string());
        }
    }

    fn end_map(&mut self) {
        if let Some(Open::Map(entries, _)) = self.open.pop() {
            self.put(Tree::Map(entries));
        }
    }

    fn begin_seq(&mut self, _empty: bool) {
        self.open.push(Open::Seq(Vec::new()));
    }

    fn end_seq(&mut self) {
        if let Some(Open::Seq(items)) = self.open.pop() {
            self.put(Tree::Seq(items));
        }
    }
}

/// Builds a `serde_json::Value` from a document's events (what the run-time rules read),
/// without a [`Tree`] in between.
#[derive(Debug, Default)]
pub struct JsonSink {
    open: Vec<JsonOpen>,
    done: Option<serde_json::Value>,
}

/// A collection being built, with the key of the value to come for a mapping.
#[derive(Debug)]
enum JsonOpen {
    Map(serde_json::Map<String, serde_json::Value>, String),
    Seq(Vec<serde_json::Value>),
}

impl JsonSink {
    /// The document written.
    #[must_use]
    pub fn finish(self) -> serde_json::Value {
        self.done.unwrap_or(serde_json::Value::Null)
    }

    fn put(&mut self, value: serde_json::Value) {
        match self.open.last_mut() {
            Some(JsonOpen::Map(entries, key)) => {
                entries.insert(std::mem::take(key), value);
            }
            Some(JsonOpen::Seq(items)) => items.push(value),
            None => self.done = Some(value),
        }
    }
}

impl Sink for JsonSink {
    fn null(&mut self) {
        self.put(serde_json::Value::Null);
    }

    fn bool(&mut self, b: bool) {
        self.put(serde_json::Value::Bool(b));
    }

    fn num(&mut self, n: &serde_json::Number) {
        self.put(serde_json::Value::Number(n.clone()));
    }

    fn str(&mut self, s: &str) {
        self.put(serde_json::Value::String(s.to_string()));
    }

    fn begin_map(&mut self, _empty: bool) {
        self.open
            .push(JsonOpen::Map(serde_json::Map::new(), String::new()));
    }

    fn key(&mut self, k: &str) {
        if let Some(JsonOpen::Map(_, key)) = self.open.last_mut() {
            *key = k.to_string();
        }
    }

    fn end_map(&mut self) {
        if let Some(JsonOpen::Map(entries, _)) = self.open.pop() {
            self.put(serde_json::Value::Object(entries));
        }
    }

    fn begin_seq(&mut self, _empty: bool) {
        self.open.push(JsonOpen::Seq(Vec::new()));
    }

    fn end_seq(&mut self) {
        if let Some(JsonOpen::Seq(items)) = self.open.pop() {
            self.put(serde_json::Value::Array(items));
        }
    }
}

/// The template as JSON, straight from its events.
#[must_use]
pub fn json_document(t: &Template) -> serde_json::Value {
    let mut sink = JsonSink::default();
    write(t, &mut sink);
    sink.finish()
}

/// Replays a tree into a sink.
pub(super) fn replay<S: Sink>(tree: &Tree, sink: &mut S) {
    match tree {
        Tree::Null => sink.null(),
        Tree::Bool(b) => sink.bool(*b),
        Tree::Num(n) => sink.num(n),
        Tree::Str(s) => sink.str(s),
        Tree::Seq(items) => {
            sink.begin_seq(items.is_empty());
            items.iter().for_each(|item| replay(item, sink));
            sink.end_seq();
        }
        Tree::Map(entries) => {
            sink.begin_map(entries.is_empty());
            for (key, value) in entries {
                sink.key(key);
                replay(value, sink);
            }
            sink.end_map();
        }
    }
}

/// The template as a tree.
#[must_use]
pub fn document(t: &Template) -> Tree {
    let mut sink = TreeSink::default();
    write(t, &mut sink);
    sink.finish()
}

/// Writes the template into `sink`.
pub fn write<S: Sink>(t: &Template, sink: &mut S) {
    write_with(t, sink, t.resources.len(), |sink| {
        for (id, r) in &t.resources {
            sink.key(id);
            resource(sink, r, &r.depends_on, &mut keep);
        }
    });
}

/// Writes the template into `sink`, `resources` (`count` of them, written as entries of the
/// mapping `sink` is in) as its `Resources` section instead of the template's own.
pub fn write_with<S: Sink>(
    t: &Template,
    sink: &mut S,
    count: usize,
    resources: impl FnOnce(&mut S),
) {
    sink.begin_map(false);
    sink.key("AWSTemplateFormatVersion");
    sink.str("2010-09-09");
    sink.key("Description");
    sink.str(&t.description);
    section(sink, "Metadata", &t.metadata, kept);
    section(sink, "Parameters", &t.parameters, parameter);
    section(sink, "Rules", &t.rules, kept);
    section(sink, "Conditions", &t.conditions, kept);
    sink.key("Resources");
    sink.begin_map(count == 0);
    resources(sink);
    sink.end_map();
    section(sink, "Outputs", &t.outputs, output);
    sink.end_map();
}

/// A top-level section, left out when empty.
fn section<S: Sink, T>(
    sink: &mut S,
    name: &str,
    items: &std::collections::BTreeMap<String, T>,
    mut item: impl FnMut(&mut S, &T),
) {
    if items.is_empty() {
        return;
    }
    sink.key(name);
    sink.begin_map(false);
    for (key, value) in items {
        sink.key(key);
        item(sink, value);
    }
    sink.end_map();
}

/// The rewriting that keeps everything (a named function, so that the writers that take
/// one are instantiated once for it).
fn keep(_: &Value) -> Rewrite {
    Rewrite::Keep
}

/// What to write for an intrinsic function, as [`resource`] asks of its caller.
#[derive(Debug, Clone)]
pub enum Rewrite {
    /// The function as it is, and all it holds.
    Keep,
    /// The function with each of its arguments asked about in turn.
    Descend,
    /// Another value, written as it is.
    Replace(Value),
}

fn parameter<S: Sink>(sink: &mut S, p: &Parameter) {
    sink.begin_map(false);
    sink.key("Type");
    sink.str(p.kind);
    if let Some(default) = &p.default {
        sink.key("Default");
        sink.str(default);
    }
    if !p.allowed_values.is_empty() {
        sink.key("AllowedValues");
        sink.begin_seq(false);
        p.allowed_values.iter().for_each(|v| sink.str(v));
        sink.end_seq();
    }
    if let Some(pattern) = p.allowed_pattern {
        sink.key("AllowedPattern");
        sink.str(pattern);
    }
    if p.no_echo {
        sink.key("NoEcho");
        sink.bool(true);
    }
    sink.key("Description");
    sink.str(&p.description);
    sink.end_map();
}

/// Writes a resource (the value under its logical ID) with `depends_on` as its
/// `DependsOn`, each intrinsic function of its properties and metadata first put to
/// `rewrite` (a nested stack's references to its parent become parameters).
pub fn resource<S: Sink>(
    sink: &mut S,
    r: &Resource,
    depends_on: &BTreeSet<String>,
    rewrite: &mut impl FnMut(&Value) -> Rewrite,
) {
    sink.begin_map(false);
    sink.key("Type");
    sink.str(r.kind);
    if let Some(condition) = r.condition {
        sink.key("Condition");
        sink.str(condition);
    }
    if !depends_on.is_empty() {
        sink.key("DependsOn");
        sink.begin_seq(false);
        depends_on.iter().for_each(|id| sink.str(id));
        sink.end_seq();
    }
    if r.retain {
        sink.key("DeletionPolicy");
        sink.str("Retain");
        sink.key("UpdateReplacePolicy");
        sink.str("Retain");
    }
    if let Some(metadata) = &r.metadata {
        sink.key("Metadata");
        value(sink, metadata, rewrite);
    }
    sink.key("Properties");
    value(sink, &r.properties, rewrite);
    sink.end_map();
}

fn output<S: Sink>(sink: &mut S, o: &Output) {
    sink.begin_map(false);
    sink.key("Description");
    sink.str(&o.description);
    sink.key("Value");
    kept(sink, &o.value);
    sink.end_map();
}

/// Writes a value as it is.
fn kept<S: Sink>(sink: &mut S, v: &Value) {
    value(sink, v, &mut keep);
}

/// Writes a value, each intrinsic function first put to `rewrite`.
fn value<S: Sink>(sink: &mut S, v: &Value, rewrite: &mut impl FnMut(&Value) -> Rewrite) {
    match v {
        Value::Bool(b) => sink.bool(*b),
        Value::Int(i) => sink.num(&(*i).into()),
        Value::Str(s) => sink.str(s),
        Value::List(items) => {
            sink.begin_seq(items.is_empty());
            items.iter().for_each(|v| value(sink, v, rewrite));
            sink.end_seq();
        }
        Value::Map(map) => {
            sink.begin_map(map.is_empty());
            for (k, v) in map {
                sink.key(k);
                value(sink, v, rewrite);
            }
            sink.end_map();
        }
        Value::Fn(intrinsic) => match rewrite(v) {
            Rewrite::Keep => function(sink, intrinsic, &mut keep),
            Rewrite::Descend => function(sink, intrinsic, rewrite),
            Rewrite::Replace(other) => value(sink, &other, &mut keep),
        },
    }
}

/// An intrinsic function in its long form (`{name: argument}`), its arguments put to
/// `rewrite`.
fn function<S: Sink>(
    sink: &mut S,
    intrinsic: &Intrinsic,
    rewrite: &mut impl FnMut(&Value) -> Rewrite,
) {
    sink.begin_map(false);
    match intrinsic {
        Intrinsic::Ref(id) => {
            sink.key("Ref");
            sink.str(id);
        }
        Intrinsic::GetAtt(id, attribute) => {
            sink.key("Fn::GetAtt");
            seq(sink, |sink| {
                sink.str(id);
                sink.str(attribute);
            });
        }
        Intrinsic::Sub(s) => {
            sink.key("Fn::Sub");
            sink.str(s);
        }
        Intrinsic::Select(index, list) => {
            sink.key("Fn::Select");
            seq(sink, |sink| {
                sink.num(&(*index).into());
                value(sink, list, rewrite);
            });
        }
        Intrinsic::GetAzs => {
            sink.key("Fn::GetAZs");
            sink.str("");
        }
        Intrinsic::If(condition, then, otherwise) => {
            sink.key("Fn::If");
            seq(sink, |sink| {
                sink.str(condition);
                value(sink, then, rewrite);
                value(sink, otherwise, rewrite);
            });
        }
        Intrinsic::Equals(a, b) => {
            sink.key("Fn::Equals");
            seq(sink, |sink| {
                value(sink, a, rewrite);
                value(sink, b, rewrite);
            });
        }
        Intrinsic::Not(condition) => {
            sink.key("Fn::Not");
            seq(sink, |sink| value(sink, condition, rewrite));
        }
        Intrinsic::Join(separator, list) => {
            separated(sink, "Fn::Join", separator, list, rewrite);
        }
        Intrinsic::Base64(s) => {
            sink.key("Fn::Base64");
            value(sink, s, rewrite);
        }
        Intrinsic::Split(separator, s) => separated(sink, "Fn::Split", separator, s, rewrite),
        Intrinsic::Or(conditions) => {
            sink.key("Fn::Or");
            sink.begin_seq(conditions.is_empty());
            conditions.iter().for_each(|c| value(sink, c, rewrite));
            sink.end_seq();
        }
    }
    sink.end_map();
}

/// `name: [separator, operand]` (`Fn::Join`, `Fn::Split`).
fn separated<S: Sink>(
    sink: &mut S,
    name: &str,
    separator: &str,
    operand: &Value,
    rewrite: &mut impl FnMut(&Value) -> Rewrite,
) {
    sink.key(name);
    seq(sink, |sink| {
        sink.str(separator);
        value(sink, operand, rewrite);
    });
}

/// A sequence that is never empty, its items written by `items`.
fn seq<S: Sink>(sink: &mut S, items: impl FnOnce(&mut S)) {
    sink.begin_seq(false);
    items(sink);
    sink.end_seq();
}

impl Serialize for Tree {
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
