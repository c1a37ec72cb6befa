//! `include`: each entry names a Compose file (or a file and its overrides) that is loaded
//! as a project of its own (its own project directory, its own env file on top of the
//! including project's variables, its own `include`s and `extends`) and whose services,
//! networks, volumes, secrets and configs are then copied into the including document. A
//! resource defined on both sides must be identical; a file that includes itself, directly
//! or not, is a cycle.

use std::path::{Path, PathBuf};

use super::tree::{Entry, Node, Value};
use super::{Env, Loader, read_env_files};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// The top-level sections an included project contributes.
const SECTIONS: [&str; 5] = ["services", "networks", "volumes", "secrets", "configs"];

/// One `include` entry, read from either form.
struct Include {
    paths: Vec<(PathBuf, Span)>,
    project_dir: Option<PathBuf>,
    env_files: Vec<PathBuf>,
    span: Span,
}

/// Takes `include` out of `document` and imports every entry; `dir` is the including
/// project's directory, where the entry's relative paths start.
pub(super) fn apply(loader: &mut Loader, document: &mut Node, dir: &Path, env: &Env) {
    let Value::Map(entries) = &mut document.value else {
        return;
    };
    let Some(index) = entries.iter().position(|e| e.key == "include") else {
        return;
    };
    let entry = entries.remove(index);
    let Value::Seq(items) = &entry.value.value else {
        // The schema would say so; keep the key for it.
        entries.insert(index, entry);
        return;
    };
    for item in items {
        let Some(include) = read_entry(item, dir) else {
            continue;
        };
        if let Some(included) = load(loader, &include, env) {
            import(loader, document, included);
        }
    }
}

fn read_entry(item: &Node, dir: &Path) -> Option<Include> {
    let strings = |node: &Node| -> Vec<(String, Span)> {
        match &node.value {
            Value::String(s) => vec![(s.clone(), node.span)],
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| Some((i.as_str()?.to_string(), i.span)))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (paths, project_dir, env_files) = match &item.value {
        Value::String(_) => (strings(item), None, Vec::new()),
        Value::Map(_) => (
            item.get("path").map(&strings).unwrap_or_default(),
            item.get("project_directory")
                .and_then(Node::as_str)
                .map(|d| super::clean(&dir.join(d))),
            // `/dev/null` stands for "no env file".
            item.get("env_file")
                .map(&strings)
                .unwrap_or_default()
                .into_iter()
                .filter(|(p, _)| p != "/dev/null")
                .collect(),
        ),
        _ => return None,
    };
    if paths.is_empty() {
        return None;
    }
    Some(Include {
        paths: paths
            .into_iter()
            .map(|(p, s)| (super::clean(&dir.join(p)), s))
            .collect(),
        project_dir,
        env_files: env_files.into_iter().map(|(p, _)| dir.join(p)).collect(),
        span: item.span,
    })
}

/// Loads an included project; `None` when it cannot be read or is a cycle.
fn load(loader: &mut Loader, include: &Include, env: &Env) -> Option<Node> {
    let (first, _) = &include.paths[0];
    let project_dir = include
        .project_dir
        .clone()
        .unwrap_or_else(|| super::parent(first));
    if let Some(at) = loader.including.iter().position(|p| p == first) {
        let mut chain: Vec<String> = loader.including[at..]
            .iter()
            .map(|p| format!("`{}`", loader.display(p)))
            .collect();
        chain.push(format!("`{}`", loader.display(first)));
        loader.diags.push(
            Diagnostic::new(
                Code::IncludeCycle,
                format!("include cycle: {}", chain.join(" → ")),
            )
            .at_labelled(include.paths[0].1, "included again here")
            .with_help("a Compose file cannot include itself, directly or through other files"),
        );
        return None;
    }
    let env_files: Vec<PathBuf> = if include.env_files.is_empty() {
        Some(project_dir.join(".env"))
            .filter(|p| p.is_file())
            .into_iter()
            .collect()
    } else {
        include.env_files.clone()
    };
    let mut env = env.clone();
    let own = read_env_files(
        &env_files,
        &env,
        Some(include.span),
        &mut loader.sources,
        loader.diags,
    );
    env.extend(own);
    let mut documents = Vec::new();
    for (path, span) in &include.paths {
        if let Some(file) = loader.read(path, *span, "included file") {
            documents.extend(loader.document(file, &project_dir, &env));
        }
    }
    let project = loader.project(documents);
    let mut project = project?;
    rebase_env_files(&mut project, &project_dir);
    Some(project)
}

/// Makes the relative `env_file` paths of a project's services absolute, so that they
/// keep meaning the same file in the project that imports them.
pub(super) fn rebase_env_files(project: &mut Node, dir: &Path) {
    let Some(services) = project.map_mut("services") else {
        return;
    };
    for service in services {
        let Value::Map(fields) = &mut service.value.value else {
            continue;
        };
        if let Some(entry) = fields.iter_mut().find(|e| e.key == "env_file") {
            rebase_paths(&mut entry.value, dir);
        }
    }
}

pub(super) fn rebase_paths(node: &mut Node, dir: &Path) {
    match &mut node.value {
        Value::String(path) => {
            let joined = dir.join(&*path);
            *path = joined.display().to_string();
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| rebase_paths(i, dir)),
        Value::Map(entries) => {
            if let Some(entry) = entries.iter_mut().find(|e| e.key == "path") {
                rebase_paths(&mut entry.value, dir);
            }
        }
        _ => {}
    }
}

/// Copies an included project's resources into the document.
fn import(loader: &mut Loader, document: &mut Node, included: Node) {
    let Value::Map(sections) = included.value else {
        return;
    };
    let Value::Map(entries) = &mut document.value else {
        return;
    };
    for section in sections {
        if !SECTIONS.contains(&section.key.as_str()) {
            continue;
        }
        let Value::Map(resources) = section.value.value else {
            continue;
        };
        let target = match entries.iter().position(|e| e.key == section.key) {
            Some(i) => i,
            None => {
                entries.push(Entry {
                    key: section.key.clone(),
                    key_span: section.key_span,
                    value: Node::new(Value::Map(Vec::new()), section.value.span),
                });
                entries.len() - 1
            }
        };
        let Value::Map(existing) = &mut entries[target].value.value else {
            continue;
        };
        for resource in resources {
            match existing.iter().find(|e| e.key == resource.key) {
                Some(ours) if ours.value.to_json() != resource.value.to_json() => {
                    let kind = section.key.trim_end_matches('s');
                    loader.diags.push(
                        Diagnostic::new(
                            Code::IncludeConflict,
                            format!("{kind} `{}` is defined here and in an included file", resource.key),
                        )
                        .at(ours.key_span)
                        .with_label(resource.key_span, "the included definition")
                        .with_help(format!(
                            "rename one of them, or remove this {kind} and use the included one; to change an included {kind}, use an override file (`-f`)"
                        )),
                    );
                }
                Some(_) => {}
                None => existing.push(resource),
            }
        }
    }
}
