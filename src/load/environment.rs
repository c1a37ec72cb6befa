//! Resolves each service's environment as Compose does when loading: `env_file` files are
//! read (relative to the project directory) and their variables come first, `environment`
//! (list or map) overrides them, and a bare `KEY` takes its value from the environment.
//! Afterwards `environment` is always a mapping in the tree.

use std::collections::BTreeMap;
use std::path::Path;

use super::tree::{Entry, Node, Value};
use super::{dotenv, env_file_error, read_text};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};

struct EnvFileRef {
    path: String,
    span: Span,
    required: bool,
}

pub(super) fn resolve(
    root: &mut Node,
    project_dir: &Path,
    env: &BTreeMap<String, String>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) {
    let Some(services) = root.map_mut("services") else {
        return;
    };
    for service in services {
        let Value::Map(fields) = &mut service.value.value else {
            continue;
        };
        resolve_service(fields, project_dir, env, sources, diags);
    }
}

fn resolve_service(
    fields: &mut Vec<Entry>,
    project_dir: &Path,
    env: &BTreeMap<String, String>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) {
    let lookup = |name: &str| env.get(name).map(String::as_str);
    let mut merged = Variables::default();
    let env_file = fields.iter().find(|e| e.key == "env_file");
    let env_file_key_span = env_file.map(|e| e.key_span);
    for reference in env_file
        .map(|e| env_file_refs(&e.value))
        .unwrap_or_default()
    {
        let path = project_dir.join(&reference.path);
        if !path.is_file() {
            if reference.required {
                diags.push(
                    Diagnostic::new(Code::Io, format!("env file `{}` not found", reference.path))
                        .at(reference.span)
                        .with_help(format!(
                            "paths are relative to the project directory `{}`; use the long form with `required: false` for an optional file",
                            project_dir.display()
                        )),
                );
            }
            continue;
        }
        let (id, text) = match read_text(&path, sources, diags) {
            Ok(read) => read,
            Err(error) => {
                diags.push(Diagnostic::new(Code::Io, error.to_string()).at(reference.span));
                continue;
            }
        };
        let (vars, errors) = dotenv::parse(&text, &lookup);
        for error in &errors {
            diags.push(env_file_error(id, error));
        }
        for (key, value) in vars {
            let value = Node::new(Value::String(value), reference.span);
            merged.upsert(Entry {
                key,
                key_span: reference.span,
                value,
            });
        }
    }
    let environment = fields.iter().find(|e| e.key == "environment");
    let environment_key_span = environment.map(|e| e.key_span);
    if let Some(entry) = environment {
        let Some(own) = environment_entries(&entry.value, &lookup) else {
            return; // malformed: the schema reports it
        };
        for item in own {
            merged.upsert(item);
        }
    }
    let Some(key_span) = environment_key_span.or(env_file_key_span) else {
        return;
    };
    let merged = merged.entries;
    let span = merged.first().map_or(key_span, |e| e.value.span);
    let node = Node::new(Value::Map(merged), span);
    match fields.iter_mut().find(|e| e.key == "environment") {
        Some(entry) => {
            entry.value = Node {
                span: entry.value.span,
                ..node
            }
        }
        None => fields.push(Entry {
            key: "environment".to_string(),
            key_span,
            value: node,
        }),
    }
}

/// Variables in the order first set, each with its last value; indexed by name, so that a
/// service with thousands of variables stays linear.
#[derive(Default)]
struct Variables {
    entries: Vec<Entry>,
    positions: std::collections::HashMap<String, usize>,
}

impl Variables {
    fn upsert(&mut self, entry: Entry) {
        match self.positions.get(&entry.key) {
            Some(&at) => self.entries[at] = entry,
            None => {
                self.positions.insert(entry.key.clone(), self.entries.len());
                self.entries.push(entry);
            }
        }
    }
}

fn env_file_refs(node: &Node) -> Vec<EnvFileRef> {
    let one = |n: &Node| -> Option<EnvFileRef> {
        match &n.value {
            Value::String(path) => Some(EnvFileRef {
                path: path.clone(),
                span: n.span,
                required: true,
            }),
            Value::Map(_) => {
                let path = n.get("path")?;
                let required = match n.get("required").map(|r| &r.value) {
                    Some(Value::Bool(b)) => *b,
                    Some(Value::String(s)) => s != "false",
                    _ => true,
                };
                Some(EnvFileRef {
                    path: path.as_str()?.to_string(),
                    span: path.span,
                    required,
                })
            }
            _ => None,
        }
    };
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(one).collect(),
        _ => one(node).into_iter().collect(),
    }
}

/// The entries of an `environment` in either form; `None` when it is malformed.
fn environment_entries<'e>(
    node: &Node,
    lookup: &dyn Fn(&str) -> Option<&'e str>,
) -> Option<Vec<Entry>> {
    let from_env = |key: &str, span: Span| match lookup(key) {
        Some(v) => Node::new(Value::String(v.to_string()), span),
        None => Node::new(Value::Null, span),
    };
    match &node.value {
        Value::Map(entries) => Some(
            entries
                .iter()
                .map(|e| match e.value.value {
                    Value::Null => Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: from_env(&e.key, e.value.span),
                    },
                    _ => e.clone(),
                })
                .collect(),
        ),
        Value::Seq(items) => items
            .iter()
            .map(|item| {
                let text = item.as_str()?;
                Some(match text.split_once('=') {
                    Some((key, value)) => Entry {
                        key: key.to_string(),
                        key_span: item.span,
                        value: Node::new(Value::String(value.to_string()), item.span),
                    },
                    None => Entry {
                        key: text.to_string(),
                        key_span: item.span,
                        value: from_env(text, item.span),
                    },
                })
            })
            .collect(),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}
