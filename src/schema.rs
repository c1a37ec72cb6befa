//! The Compose document checked against `schema/compose2cfn.schema.json` (generated from
//! [`crate::model::spec`]), with every error mapped back to the span of the key (unknown
//! or missing keys) or value (wrong type, invalid value) it concerns, and "did you mean"
//! hints from edit distance.

use std::sync::{LazyLock, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Node, Seg, Value};
use crate::source::Span;

/// The schema text, as committed.
pub const SCHEMA_TEXT: &str = include_str!("../schema/compose2cfn.schema.json");

static SCHEMA: LazyLock<Json> =
    LazyLock::new(|| serde_json::from_str(SCHEMA_TEXT).unwrap_or(Json::Null));

/// The compiled schema: compiled once per process (a few milliseconds), by [`prepare`]'s
/// thread or by the first [`check`].
static VALIDATOR: OnceLock<Option<Validator>> = OnceLock::new();

fn validator() -> Option<&'static Validator> {
    VALIDATOR
        .get_or_init(|| jsonschema::draft7::new(&SCHEMA).ok())
        .as_ref()
}

/// Whether the schema is compiled already (a check does not wait).
#[must_use]
pub fn is_ready() -> bool {
    VALIDATOR.get().is_some()
}

/// Starts compiling the schema on another thread, so that it is ready when loading the
/// files is done (a first [`check`] waits for it); nothing after the first call.
pub fn prepare() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        if VALIDATOR.get().is_none() {
            std::thread::spawn(|| {
                let _ = validator();
            });
        }
    });
}

/// Generates the schema from the model types (what `schema/compose2cfn.schema.json` holds),
/// every object's keys sorted: the order schemars writes them in survives only when some
/// crate turns on serde_json's `preserve_order`, and the file must not depend on that.
#[must_use]
pub fn generate() -> Json {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<crate::model::spec::ComposeFile>();
    let mut json = serde_json::to_value(schema).unwrap_or(Json::Null);
    strip_optional_nulls(&mut json);
    json.sort_all_objects();
    json
}

/// Properties that Compose allows to be `null` explicitly.
const NULLABLE_PROPERTIES: &[&str] = &["command", "entrypoint", "deploy", "pid"];

/// `Option<T>` fields make schemars allow `null`; Compose does not, except for a few keys.
fn strip_optional_nulls(schema: &mut Json) {
    match schema {
        Json::Object(map) => {
            if let Some(Json::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    if !NULLABLE_PROPERTIES.contains(&name.as_str()) {
                        remove_null(property);
                    }
                }
            }
            for value in map.values_mut() {
                strip_optional_nulls(value);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(strip_optional_nulls),
        _ => {}
    }
}

fn remove_null(schema: &mut Json) {
    let Json::Object(map) = schema else { return };
    if let Some(Json::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let single = types.remove(0);
            map.insert("type".to_string(), single);
        }
    }
    if let Some(Json::Array(branches)) = map.get_mut("anyOf") {
        branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
        if branches.len() == 1 {
            let single = branches.remove(0);
            map.remove("anyOf");
            if let Json::Object(inner) = single {
                for (k, v) in inner {
                    map.entry(k).or_insert(v);
                }
            }
        }
    }
}

/// The outcome of a schema check.
pub struct Checked {
    /// Where the schema found errors (instance paths).
    pub error_paths: Vec<Vec<Seg>>,
}

impl Checked {
    /// Whether an error was found at `prefix` or below it.
    #[must_use]
    pub fn has_error_under(&self, prefix: &[Seg]) -> bool {
        self.error_paths.iter().any(|p| p.starts_with(prefix))
    }
}

/// Checks the document (`instance`: `root` as JSON); every error becomes a diagnostic.
pub fn check(root: &Node, instance: &Json, diags: &mut Diagnostics) -> Checked {
    let mut error_paths = Vec::new();
    match validator() {
        Some(validator) => {
            for error in validator.iter_errors(instance) {
                error_paths.push(path_of(&error));
                report(&error, root, diags);
            }
        }
        None => diags.push(Diagnostic::new(
            Code::InvalidValue,
            "internal error: the embedded schema does not compile",
        )),
    }
    Checked { error_paths }
}

fn path_of(error: &ValidationError<'_>) -> Vec<Seg> {
    error
        .instance_path()
        .iter()
        .map(|s| match s {
            LocationSegment::Property(p) => Seg::Key(p.into_owned()),
            LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect()
}

/// The schema node at a canonical schema path (a JSON pointer into the root schema).
fn schema_at(pointer: &str) -> Option<&'static Json> {
    SCHEMA.pointer(pointer)
}

fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The span to point at for the value at `path`: scalars themselves, the key of a mapping
/// or list (a whole block is too much to underline).
fn value_span(root: &Node, path: &[Seg]) -> Span {
    match root.lookup(path) {
        Some((key, node)) => match (&node.value, key) {
            (Value::Map(_) | Value::Seq(_), Some(key)) => key,
            _ => node.span,
        },
        None => root.span,
    }
}

fn key_span(root: &Node, path: &[Seg]) -> Span {
    match root.lookup(path) {
        Some((Some(key), _)) => key,
        Some((None, node)) => node.span,
        None => root.span,
    }
}

fn describe_types(schema: &Json) -> String {
    let names: Vec<&str> = match schema {
        Json::String(s) => vec![s.as_str()],
        Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    let words: Vec<&str> = names
        .iter()
        .map(|t| match *t {
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "a boolean",
            "array" => "a list",
            "object" => "a mapping",
            "null" => "null",
            other => other,
        })
        .collect();
    let words = without_interpolation_string(&words);
    join_or(&words.iter().map(String::as_str).collect::<Vec<_>>())
}

fn join_or(words: &[&str]) -> String {
    match words {
        [] => "another type".to_string(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The closest candidate by edit distance, when close enough to be a likely typo.
#[must_use]
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (word.len().max(c.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

fn report(error: &ValidationError<'_>, root: &Node, diags: &mut Diagnostics) {
    let path = path_of(error);
    let schema_path = error.schema_path().to_string();
    let where_ = display_path(&path);
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let parent = schema_path
                .strip_suffix("/additionalProperties")
                .and_then(schema_at);
            let known: Vec<&str> = parent
                .and_then(|p| p.get("properties"))
                .and_then(Json::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            for key in unexpected {
                let mut key_path = path.clone();
                key_path.push(Seg::Key(key.clone()));
                let context = if where_.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("`{where_}`")
                };
                let mut diagnostic = Diagnostic::new(
                    Code::UnknownKey,
                    format!("unknown key `{key}` in {context}"),
                )
                .at_labelled(key_span(root, &key_path), "not a Compose key here");
                diagnostic = match did_you_mean(key, known.iter().copied()) {
                    Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
                    None => diagnostic.with_help("extensions must start with `x-`; see the Compose specification for the keys allowed here"),
                };
                diags.push(diagnostic);
            }
        }
        ValidationErrorKind::Type { .. } => {
            let expected =
                schema_at(&schema_path).map_or_else(|| "another type".to_string(), describe_types);
            diags.push(wrong_type(root, &path, &expected));
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            report_branches(context, root, &path, diags);
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|o| {
                    o.iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
                        .collect()
                })
                .unwrap_or_default();
            let found = root
                .lookup(&path)
                .and_then(|(_, n)| n.scalar_text())
                .unwrap_or_default();
            let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
            let mut diagnostic = Diagnostic::new(
                Code::InvalidValue,
                format!("invalid value `{found}` for `{where_}`"),
            )
            .at_labelled(
                value_span(root, &path),
                format!(
                    "expected {}",
                    join_or(&quoted.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            );
            if let Some(best) = did_you_mean(&found, options.iter().map(String::as_str)) {
                diagnostic = diagnostic.with_help(format!("did you mean `{best}`?"));
            }
            diags.push(diagnostic);
        }
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), String::from);
            let context = if where_.is_empty() {
                "the file".to_string()
            } else {
                format!("`{where_}`")
            };
            diags.push(
                Diagnostic::new(
                    Code::MissingKey,
                    format!("missing key `{name}` in {context}"),
                )
                .at_labelled(key_span(root, &path), format!("`{name}` is required here"))
                .with_help(format!("add `{name}:`")),
            );
        }
        ValidationErrorKind::UniqueItems => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{where_}` lists the same item twice"),
                )
                .at(value_span(root, &path))
                .with_help("remove the duplicate"),
            );
        }
        _ => {
            diags.push(
                Diagnostic::new(Code::InvalidValue, format!("invalid value for `{where_}`"))
                    .at_labelled(value_span(root, &path), error.to_string()),
            );
        }
    }
}

/// Compose accepts strings for booleans and numbers only so that interpolation can produce
/// them; "a boolean or a string" reads better as "a boolean".
fn without_interpolation_string(words: &[&str]) -> Vec<String> {
    let scalar = |w: &&str| matches!(*w, "a boolean" | "an integer" | "a number");
    let others: Vec<&&str> = words.iter().filter(|w| **w != "a string").collect();
    if words.contains(&"a string") && !others.is_empty() && others.iter().all(|w| scalar(w)) {
        others.iter().map(|w| (**w).to_string()).collect()
    } else {
        words.iter().map(|w| (*w).to_string()).collect()
    }
}

fn wrong_type(root: &Node, path: &[Seg], expected: &str) -> Diagnostic {
    let found = root.lookup(path).map_or("nothing", |(_, n)| n.type_name());
    let where_ = display_path(path);
    Diagnostic::new(Code::WrongType, format!("`{where_}` must be {expected}"))
        .at_labelled(value_span(root, path), format!("found {found}"))
}

/// For `anyOf`/`oneOf`: when exactly one branch accepts the value's type, its errors are the
/// real ones; otherwise the value has the wrong type for every branch.
fn report_branches(
    context: &[Vec<ValidationError<'static>>],
    root: &Node,
    path: &[Seg],
    diags: &mut Diagnostics,
) {
    let same_place_type_error = |e: &ValidationError<'_>| {
        matches!(e.kind(), ValidationErrorKind::Type { .. }) && path_of(e).len() == path.len()
    };
    // The branch that accepts the value's type (the one with the fewest errors when
    // several do) holds the real errors.
    if let Some(branch) = context
        .iter()
        .filter(|branch| !branch.iter().any(same_place_type_error))
        .min_by_key(|branch| branch.len())
    {
        for inner in branch {
            report(inner, root, diags);
        }
        return;
    }
    let mut expected: Vec<String> = Vec::new();
    for branch in context {
        for inner in branch.iter().filter(|e| same_place_type_error(e)) {
            if let Some(types) = schema_at(&inner.schema_path().to_string()) {
                let text = describe_types(types);
                if !expected.contains(&text) {
                    expected.push(text);
                }
            }
        }
    }
    let words: Vec<&str> = expected.iter().map(String::as_str).collect();
    let words = without_interpolation_string(&words);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    diags.push(wrong_type(root, path, &join_or(&words)));
}
