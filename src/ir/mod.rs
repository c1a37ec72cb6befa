//! The resource graph lowering produces and emission writes: a CloudFormation
//! [`Template`] of typed values and intrinsic functions. Mappings are ordered by key, so
//! the output does not depend on the order lowering built them in.

use std::collections::{BTreeMap, BTreeSet};

use crate::source::Span;

mod map;
pub use map::Map;

/// A string of the template, a key or a value: borrowed when the compiler wrote it (property
/// names, resource types, constants), owned when it came from the project. The constants
/// are most of a template's strings; they are no longer allocated once per resource and
/// copied again into each document.
pub type Text = std::borrow::Cow<'static, str>;

/// A CloudFormation value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(Text),
    List(Vec<Value>),
    Map(Map),
    Fn(Box<Intrinsic>),
}

/// The intrinsic functions the compiler uses, written in their long form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// `Fn::If`: a condition's name, the value when true, the value when false.
    If(String, Value, Value),
    /// `Fn::Equals` of two values (in conditions and rules).
    Equals(Value, Value),
    /// `Fn::Not` of a condition.
    Not(Value),
    /// `Fn::Join` of a list with a separator.
    Join(String, Value),
    /// `Fn::Base64` of a string.
    Base64(Value),
    /// `Fn::Split` of a string by a separator.
    Split(String, Value),
    /// `Fn::Or` of conditions.
    Or(Vec<Value>),
}

impl Value {
    #[must_use]
    pub fn str(s: impl Into<Text>) -> Value {
        Value::Str(s.into())
    }

    /// A number as CloudFormation reads it: an integer, or its decimal text.
    #[must_use]
    pub fn number(n: f64) -> Value {
        if n.fract() == 0.0 && n.abs() < 1e15 {
            #[allow(clippy::cast_possible_truncation)] // integral and small, checked above
            Value::Int(n as i64)
        } else {
            Value::Str(n.to_string().into())
        }
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

    /// `Fn::If`: `then` when `condition` holds, `otherwise` when not.
    #[must_use]
    pub fn when(
        condition: impl Into<String>,
        then: impl Into<Value>,
        otherwise: impl Into<Value>,
    ) -> Value {
        Value::Fn(Box::new(Intrinsic::If(
            condition.into(),
            then.into(),
            otherwise.into(),
        )))
    }

    #[must_use]
    pub fn equals(a: impl Into<Value>, b: impl Into<Value>) -> Value {
        Value::Fn(Box::new(Intrinsic::Equals(a.into(), b.into())))
    }

    #[must_use]
    pub fn negate(condition: Value) -> Value {
        Value::Fn(Box::new(Intrinsic::Not(condition)))
    }

    #[must_use]
    pub fn join(separator: impl Into<String>, list: Value) -> Value {
        Value::Fn(Box::new(Intrinsic::Join(separator.into(), list)))
    }

    #[must_use]
    pub fn base64(text: Value) -> Value {
        Value::Fn(Box::new(Intrinsic::Base64(text)))
    }

    #[must_use]
    pub fn split(separator: impl Into<String>, text: Value) -> Value {
        Value::Fn(Box::new(Intrinsic::Split(separator.into(), text)))
    }

    #[must_use]
    pub fn or(conditions: impl IntoIterator<Item = Value>) -> Value {
        Value::Fn(Box::new(Intrinsic::Or(conditions.into_iter().collect())))
    }

    /// `Ref AWS::NoValue`: the property is left out.
    #[must_use]
    pub fn no_value() -> Value {
        Value::reference("AWS::NoValue")
    }

    #[must_use]
    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    #[must_use]
    pub fn strs<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(
            items
                .into_iter()
                .map(|s| Value::Str(Text::Owned(s.into())))
                .collect(),
        )
    }
}

/// A name an expression refers to (see [`Value::each_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name<'a> {
    /// `Ref`: a resource, a parameter or a pseudo parameter.
    Ref(&'a str),
    /// `Fn::GetAtt`: a resource and one of its attributes.
    GetAtt(&'a str, &'a str),
    /// A `${...}` variable of `Fn::Sub`: `Name` or `Name.Attribute`.
    Sub(&'a str),
    /// The condition of `Fn::If`.
    Condition(&'a str),
}

impl<'a> Name<'a> {
    /// The resource, parameter or condition named (a `Sub` variable without its attribute).
    #[must_use]
    pub fn target(self) -> &'a str {
        match self {
            Name::Ref(name) | Name::GetAtt(name, _) | Name::Condition(name) => name,
            Name::Sub(variable) => variable.split('.').next().unwrap_or(variable),
        }
    }
}

/// The variables of a `Fn::Sub` string, in order, without `${!...}` literals.
pub fn sub_variables(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.starts_with('!'))
}

impl Intrinsic {
    /// The values the function applies to, in order (`Fn::If`'s two branches, not its
    /// condition's name; nothing for `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::GetAZs`).
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        let (one, two, many): (Option<&Value>, Option<&Value>, &[Value]) = match self {
            Intrinsic::If(_, a, b) | Intrinsic::Equals(a, b) => (Some(a), Some(b), &[]),
            Intrinsic::Select(_, v)
            | Intrinsic::Not(v)
            | Intrinsic::Join(_, v)
            | Intrinsic::Base64(v)
            | Intrinsic::Split(_, v) => (Some(v), None, &[]),
            Intrinsic::Or(items) => (None, None, items),
            Intrinsic::Ref(_) | Intrinsic::GetAtt(..) | Intrinsic::Sub(_) | Intrinsic::GetAzs => {
                (None, None, &[])
            }
        };
        one.into_iter().chain(two).chain(many)
    }

    /// [`Intrinsic::values`], to change them.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        let (one, two, many): (Option<&mut Value>, Option<&mut Value>, &mut [Value]) = match self {
            Intrinsic::If(_, a, b) | Intrinsic::Equals(a, b) => (Some(a), Some(b), &mut []),
            Intrinsic::Select(_, v)
            | Intrinsic::Not(v)
            | Intrinsic::Join(_, v)
            | Intrinsic::Base64(v)
            | Intrinsic::Split(_, v) => (Some(v), None, &mut []),
            Intrinsic::Or(items) => (None, None, items),
            Intrinsic::Ref(_) | Intrinsic::GetAtt(..) | Intrinsic::Sub(_) | Intrinsic::GetAzs => {
                (None, None, &mut [])
            }
        };
        one.into_iter().chain(two).chain(many)
    }
}

impl Value {
    /// Calls `f` with every name the value refers to, in document order (mappings by key,
    /// `Fn::If`'s condition before its branches).
    pub fn each_name<'a>(&'a self, f: &mut impl FnMut(Name<'a>)) {
        match self {
            Value::List(items) => items.iter().for_each(|v| v.each_name(f)),
            Value::Map(map) => map.values().for_each(|v| v.each_name(f)),
            Value::Fn(intrinsic) => match intrinsic.as_ref() {
                Intrinsic::Ref(name) => f(Name::Ref(name)),
                Intrinsic::GetAtt(name, attribute) => f(Name::GetAtt(name, attribute)),
                Intrinsic::Sub(text) => sub_variables(text).for_each(|v| f(Name::Sub(v))),
                other => {
                    if let Intrinsic::If(condition, ..) = other {
                        f(Name::Condition(condition));
                    }
                    other.values().for_each(|v| v.each_name(f));
                }
            },
            Value::Bool(_) | Value::Int(_) | Value::Str(_) => {}
        }
    }
}

impl From<&'static str> for Value {
    fn from(s: &'static str) -> Self {
        Value::Str(Text::Borrowed(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(Text::Owned(s))
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
            serde_json::Value::Null => Value::Str(Text::Borrowed("")),
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Str(n.to_string().into()), Value::Int),
            serde_json::Value::String(s) => Value::Str(s.clone().into()),
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
        let mut m = $crate::ir::Map::with_capacity(<[&str]>::len(&[$(stringify!($key)),*]));
        $( $crate::ir::insert(&mut m, $key, $value); )*
        $crate::ir::Value::Map(m)
    }};
}

/// Inserts a value, or nothing for `None`: lets [`map!`] take optional properties.
pub fn insert(map: &mut Map, key: &'static str, value: impl Into<Optional>) {
    if let Some(value) = value.into().0 {
        map.insert(key, value);
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
    /// The template condition the resource exists under.
    pub condition: Option<&'static str>,
    /// The resource's `Metadata`.
    pub metadata: Option<Value>,
    /// The Compose service the resource belongs to (`None`: project-wide), which decides
    /// the nested stack it goes to when the template is split.
    pub owner: Option<String>,
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
            condition: None,
            metadata: None,
            owner: None,
        }
    }

    /// The resource belongs to the Compose service `service`.
    #[must_use]
    pub fn owned_by(mut self, service: &str) -> Self {
        self.owner = Some(service.to_string());
        self
    }

    /// The resource exists only when `condition` holds.
    #[must_use]
    pub fn when(mut self, condition: &'static str) -> Self {
        self.condition = Some(condition);
        self
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

/// A template parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// `String`, `CommaDelimitedList`, `AWS::EC2::VPC::Id`, ...
    pub kind: &'static str,
    pub description: String,
    /// `NoEcho`: the value is secret.
    pub no_echo: bool,
    pub default: Option<String>,
    pub allowed_values: &'static [&'static str],
    pub allowed_pattern: Option<&'static str>,
}

impl Parameter {
    /// A parameter of type `kind`, without default.
    #[must_use]
    pub fn new(kind: &'static str, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
            no_echo: false,
            default: None,
            allowed_values: &[],
            allowed_pattern: None,
        }
    }

    /// A string whose value never shows in the console or the API (`NoEcho`).
    #[must_use]
    pub fn secret(description: impl Into<String>) -> Self {
        Self {
            no_echo: true,
            ..Self::new("String", description)
        }
    }

    #[must_use]
    pub fn default(mut self, value: impl Into<String>) -> Self {
        self.default = Some(value.into());
        self
    }

    #[must_use]
    pub fn allowed(mut self, values: &'static [&'static str]) -> Self {
        self.allowed_values = values;
        self
    }

    #[must_use]
    pub fn pattern(mut self, pattern: &'static str) -> Self {
        self.allowed_pattern = Some(pattern);
        self
    }
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
    /// The template's `Metadata`.
    pub metadata: BTreeMap<String, Value>,
    /// Values given at deployment (`--parameter-overrides`).
    pub parameters: BTreeMap<String, Parameter>,
    /// Parameter combinations `aws cloudformation deploy` refuses before creating anything.
    pub rules: BTreeMap<String, Value>,
    /// Named conditions, by name.
    pub conditions: BTreeMap<String, Value>,
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

    /// Adds what `other` holds, as if it had been added to this template in turn: every
    /// entry replacing one of the same name. Resources are merged in one pass (both maps
    /// are sorted; inserting 1,000 services' resources one by one took 7.7 M instructions,
    /// on one core); their IDs are unique by construction, as for [`Template::add`].
    pub fn absorb(&mut self, mut other: Template) {
        self.metadata.extend(other.metadata);
        self.parameters.extend(other.parameters);
        self.rules.extend(other.rules);
        self.conditions.extend(other.conditions);
        debug_assert!(
            other
                .resources
                .keys()
                .all(|id| !self.resources.contains_key(id)),
            "duplicate logical id"
        );
        self.resources.append(&mut other.resources);
        self.outputs.extend(other.outputs);
    }

    /// Adds a cfn-lint check the template is known to trip on purpose
    /// (`Metadata.cfn-lint.config.ignore_checks`).
    pub fn ignore_lint(&mut self, check: &'static str) {
        let config = self
            .metadata
            .entry("cfn-lint".to_string())
            .or_insert_with(|| crate::map! { "config" => crate::map! {} });
        if let Value::Map(lint) = config
            && let Some(Value::Map(config)) = lint.get_mut("config")
        {
            let checks = config.get_or_insert_with("ignore_checks", || Value::List(Vec::new()));
            if let Value::List(items) = checks {
                items.push(Value::str(check));
            }
        }
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
