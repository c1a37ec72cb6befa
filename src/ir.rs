//! The resource graph lowering produces and emission writes: a CloudFormation
//! [`Template`] of typed values and intrinsic functions. Mappings are ordered by key, so
//! the output does not depend on the order lowering built them in.

use std::collections::{BTreeMap, BTreeSet};

use crate::source::Span;

/// A CloudFormation value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Fn(Box<Intrinsic>),
}

/// The intrinsic functions the compiler uses, written in their long form.
#[derive(Debug, Clone, PartialEq)]
pub enum Intrinsic {
    /// `Ref`: a resource's main identifier, a parameter or a pseudo parameter.
    Ref(String),
    /// `Fn::GetAtt`: an attribute of a resource.
    GetAtt(String, String),
    /// `Fn::Sub` with `${...}` references.
    Sub(String),
    /// `Fn::Select` of one item of a list.
    Select(usize, Value),
    /// `Fn::GetAZs` of the current region.
    GetAzs,
}

impl Value {
    #[must_use]
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    #[must_use]
    pub fn reference(logical_id: impl Into<String>) -> Value {
        Value::Fn(Box::new(Intrinsic::Ref(logical_id.into())))
    }

    #[must_use]
    pub fn get_att(logical_id: impl Into<String>, attribute: impl Into<String>) -> Value {
        Value::Fn(Box::new(Intrinsic::GetAtt(
            logical_id.into(),
            attribute.into(),
        )))
    }

    #[must_use]
    pub fn sub(template: impl Into<String>) -> Value {
        Value::Fn(Box::new(Intrinsic::Sub(template.into())))
    }

    #[must_use]
    pub fn select(index: usize, list: Value) -> Value {
        Value::Fn(Box::new(Intrinsic::Select(index, list)))
    }

    #[must_use]
    pub fn azs() -> Value {
        Value::Fn(Box::new(Intrinsic::GetAzs))
    }

    #[must_use]
    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    #[must_use]
    pub fn strs<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(items.into_iter().map(|s| Value::Str(s.into())).collect())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Int(i64::from(n))
    }
}

impl From<u16> for Value {
    fn from(n: u16) -> Self {
        Value::Int(i64::from(n))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// A JSON value from the Compose file (an IAM policy document, say) as a template value.
impl From<&serde_json::Value> for Value {
    fn from(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Str(String::new()),
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Str(n.to_string()), Value::Int),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from).collect()),
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::List(items)
    }
}

/// Builds a [`Value::Map`]: `map! { "Key" => value, ... }`; `None` values are left out.
#[macro_export]
macro_rules! map {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = ::std::collections::BTreeMap::<String, $crate::ir::Value>::new();
        $( $crate::ir::insert(&mut m, $key, $value); )*
        $crate::ir::Value::Map(m)
    }};
}

/// Inserts a value, or nothing for `None`: lets [`map!`] take optional properties.
pub fn insert(map: &mut BTreeMap<String, Value>, key: &str, value: impl Into<Optional>) {
    if let Some(value) = value.into().0 {
        map.insert(key.to_string(), value);
    }
}

/// A value that may be absent; see [`insert`].
pub struct Optional(Option<Value>);

impl<T: Into<Value>> From<T> for Optional {
    fn from(value: T) -> Self {
        Optional(Some(value.into()))
    }
}

impl<T: Into<Value>> From<Option<T>> for Optional {
    fn from(value: Option<T>) -> Self {
        Optional(value.map(Into::into))
    }
}

/// One resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub kind: &'static str,
    pub properties: Value,
    pub depends_on: BTreeSet<String>,
    /// `DeletionPolicy` and `UpdateReplacePolicy`.
    pub retain: bool,
    /// The Compose element this resource comes from (`None` for project-wide plumbing).
    pub origin: Option<Span>,
}

impl Resource {
    #[must_use]
    pub fn new(kind: &'static str, properties: Value) -> Self {
        Self {
            kind,
            properties,
            depends_on: BTreeSet::new(),
            retain: false,
            origin: None,
        }
    }

    #[must_use]
    pub fn from_source(mut self, origin: Span) -> Self {
        self.origin = Some(origin);
        self
    }

    #[must_use]
    pub fn depends_on(mut self, ids: impl IntoIterator<Item = String>) -> Self {
        self.depends_on.extend(ids);
        self
    }
}

/// A template parameter: always a string, `NoEcho` when it is secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub description: String,
    pub no_echo: bool,
}

/// A template output.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub description: String,
    pub value: Value,
}

/// A whole template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    pub description: String,
    /// Values given at deployment (`--parameter-overrides`), never written in the template.
    pub parameters: BTreeMap<String, Parameter>,
    pub resources: BTreeMap<String, Resource>,
    pub outputs: BTreeMap<String, Output>,
}

impl Template {
    /// Adds a resource. Logical IDs are unique by construction (validation rejects
    /// colliding Compose names), so a clash here is a bug; the first resource is kept.
    pub fn add(&mut self, logical_id: impl Into<String>, resource: Resource) {
        let id = logical_id.into();
        debug_assert!(
            !self.resources.contains_key(&id),
            "duplicate logical id {id}"
        );
        self.resources.entry(id).or_insert(resource);
    }

    pub fn output(
        &mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        value: Value,
    ) {
        self.outputs.insert(
            name.into(),
            Output {
                description: description.into(),
                value,
            },
        );
    }
}
