//! The contents of the top-level configs, read while loading (the only step that reads
//! files): `content` as written, a `file` relative to the project directory, or the value
//! of an `environment` variable. Configs are not secret: their contents go into the
//! template, where a reviewer sees them.

use std::collections::BTreeMap;
use std::path::Path;

use super::tree::Node;
use super::{Env, read_text};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::SourceMap;

pub(super) fn contents(
    root: &Node,
    project_dir: &Path,
    env: &Env,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for config in root
        .get("configs")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let node = &config.value;
        if let Some(content) = node.get("content").and_then(Node::as_str) {
            out.insert(config.key.clone(), content.to_string());
        } else if let Some(file) = node.get("file") {
            let Some(path) = file.as_str() else { continue };
            match read_text(&project_dir.join(path), sources, diags) {
                Ok((_, text)) => {
                    out.insert(config.key.clone(), text);
                }
                Err(error) => diags.push(
                    Diagnostic::new(Code::Io, format!("config file `{path}`: {}", error.error))
                        .at(file.span)
                        .with_help("paths are relative to the project directory"),
                ),
            }
        } else if let Some(variable) = node.get("environment") {
            let Some(name) = variable.as_str() else {
                continue;
            };
            match env.get(name) {
                Some(value) => {
                    out.insert(config.key.clone(), value.clone());
                }
                None => diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("config `{}` reads `{name}`, which is not set", config.key),
                    )
                    .at(variable.span)
                    .with_help(format!("set `{name}` in the environment or in `.env`")),
                ),
            }
        }
    }
    out
}
