//! Loading: reads the Compose file and the project's `.env`, parses YAML into the spanned
//! [`Node`] tree, interpolates variables, resolves `environment` and `env_file`, applies
//! profiles and settles the project name. The only step besides the CLI that touches the
//! file system.

pub mod dotenv;
pub mod interpolate;
pub mod tree;
pub mod yaml;

mod environment;
mod profiles;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use tree::{Entry, Node, Seg, Value};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};

/// Files larger than this are refused before parsing (Compose files are kilobytes).
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Where the Compose file comes from.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    /// Standard input, already read by the CLI.
    Stdin(Vec<u8>),
}

/// What the loader needs to know besides the files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-p/--project-name`.
    pub project_name: Option<String>,
    /// `--profile`, before `COMPOSE_PROFILES` is added.
    pub profiles: Vec<String>,
    /// The process environment, captured once by the CLI.
    pub env: BTreeMap<String, String>,
    /// The working directory, for standard input and relative paths.
    pub working_dir: PathBuf,
}

/// A loaded project: the interpolated tree and the facts derived while loading.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub file: Option<FileId>,
    /// The Compose document; `None` after a fatal syntax error.
    pub root: Option<Node>,
    pub project_name: String,
    pub project_dir: PathBuf,
}

/// An input that could not be read at all: the CLI reports it with exit code 2.
#[derive(Debug)]
pub struct IoError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read `{}`: {}", self.path.display(), self.error)
    }
}

/// Loads one Compose file.
///
/// # Errors
/// When the Compose file itself cannot be read; everything else is a diagnostic.
pub fn load(input: &Input, options: &Options, diags: &mut Diagnostics) -> Result<Loaded, IoError> {
    let mut sources = SourceMap::new();
    let (name, path, bytes, project_dir) = match input {
        Input::Path(path) => {
            let text = read_bytes(&options.working_dir.join(path))?;
            let dir = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => options.working_dir.join(parent),
                _ => options.working_dir.clone(),
            };
            (path.display().to_string(), Some(path.as_path()), text, dir)
        }
        Input::Stdin(bytes) => (
            "<stdin>".to_string(),
            None,
            bytes.clone(),
            options.working_dir.clone(),
        ),
    };
    let (text, invalid_at) = decode(bytes);
    let file = sources.add(name, path, text);
    let env = project_env(&project_dir, options, &mut sources, diags);
    let text = sources.file(file).text.clone();
    let mut root = match invalid_at {
        Some(at) => {
            diags.push(not_utf8(file, at));
            None
        }
        None => yaml::parse(&text, file, diags),
    };
    match &root {
        Some(node) if node.as_map().is_none() => {
            diags.push(
                Diagnostic::new(
                    Code::NotAMapping,
                    format!("the Compose file is {}", node.type_name()),
                )
                .at(node.span)
                .with_help("a Compose file is a mapping with a `services` key"),
            );
            root = None;
        }
        None if !diags.has_errors() => {
            diags.push(
                Diagnostic::new(Code::NotAMapping, "the Compose file is empty")
                    .at(Span::new(file, 0, 0))
                    .with_help("a Compose file is a mapping with a `services` key"),
            );
        }
        _ => {}
    }
    if let Some(node) = root.as_mut() {
        let mut warned = std::collections::BTreeSet::new();
        interpolate_tree(node, &sources, &env, &mut warned, diags);
        environment::resolve(node, &project_dir, &env, &mut sources, diags);
        let mut active = options.profiles.clone();
        if let Some(list) = env.get("COMPOSE_PROFILES") {
            active.extend(
                list.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(String::from),
            );
        }
        profiles::apply(node, &active);
    }
    let project_name = project_name(root.as_ref(), &project_dir, options, &env, file, diags);
    Ok(Loaded {
        sources,
        file: Some(file),
        root,
        project_name,
        project_dir,
    })
}

/// The text of a file, and where its first byte that is not UTF-8 is (the text is then a
/// lossy copy).
fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(error.as_bytes()).into_owned(),
                Some(at),
            )
        }
    }
}

fn not_utf8(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::new(Code::YamlSyntax, "the file is not UTF-8 text")
        .at_labelled(Span::new(file, at, at + 1), "this byte is not UTF-8")
        .with_help("Compose files are UTF-8 text; save the file as UTF-8")
}

/// Reads a file the project needs, as text; bytes that are not UTF-8 are a diagnostic.
pub(crate) fn read_text(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Result<(FileId, String), IoError> {
    let (text, invalid_at) = decode(read_bytes(path)?);
    let id = sources.add(path.display().to_string(), Some(path), text.clone());
    if let Some(at) = invalid_at {
        diags.push(not_utf8(id, at));
    }
    Ok((id, text))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, IoError> {
    let io = |error| IoError {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("it is a directory")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(io(std::io::Error::other(format!(
            "it is larger than {} MiB",
            MAX_FILE_BYTES / 1024 / 1024
        ))));
    }
    std::fs::read(path).map_err(io)
}

/// The variables interpolation sees: the project's `.env`, overridden by the process
/// environment.
fn project_env(
    dir: &Path,
    options: &Options,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let path = dir.join(".env");
    if path.is_file() {
        match read_text(&path, sources, diags) {
            Ok((id, text)) => {
                let lookup = |name: &str| options.env.get(name).map(String::as_str);
                let (vars, errors) = dotenv::parse(&text, &lookup);
                for error in errors {
                    diags.push(env_file_error(id, &error));
                }
                env.extend(vars);
            }
            Err(error) => diags.push(Diagnostic::new(Code::Io, error.to_string())),
        }
    }
    env.extend(options.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    env
}

pub(crate) fn env_file_error(file: FileId, error: &dotenv::LineError) -> Diagnostic {
    Diagnostic::new(Code::EnvFileSyntax, error.message.clone())
        .at(Span::new(file, error.at.start, error.at.end))
        .with_help("env files hold `KEY=VALUE` lines; quote values that contain spaces or `#`")
}

/// Interpolates every string value (never keys) in place.
fn interpolate_tree(
    node: &mut Node,
    sources: &SourceMap,
    env: &BTreeMap<String, String>,
    warned: &mut std::collections::BTreeSet<String>,
    diags: &mut Diagnostics,
) {
    match &mut node.value {
        Value::String(text) if text.contains('$') => {
            let lookup = |name: &str| env.get(name).map(String::as_str);
            match interpolate::interpolate(text, &lookup) {
                Ok(done) => {
                    for name in done.unset {
                        if warned.insert(name.clone()) {
                            diags.push(
                                Diagnostic::new(
                                    Code::UnsetVariable,
                                    format!("variable `{name}` is not set; using an empty string"),
                                )
                                .at(node.span)
                                .with_help(format!(
                                    "set `{name}` in the environment or in `.env`, or give a default: `${{{name}:-default}}`"
                                )),
                            );
                        }
                    }
                    *text = done.text;
                }
                Err(error) => {
                    // Keep the text as written; later steps must not pile errors on it.
                    diags.push(interpolation_error(&error, text, node.span, sources));
                    diags.mute(node.span);
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                interpolate_tree(item, sources, env, warned, diags);
            }
        }
        Value::Map(entries) => {
            for entry in entries {
                interpolate_tree(&mut entry.value, sources, env, warned, diags);
            }
        }
        _ => {}
    }
}

/// Narrows a range inside a scalar's text to the source, when the source spells the scalar
/// literally (plain, or quoted without escapes); the whole scalar otherwise.
fn sub_span(span: Span, text: &str, range: &std::ops::Range<usize>, sources: &SourceMap) -> Span {
    let source = sources.file(span.file).slice(span);
    let offset = if source == text {
        Some(0)
    } else if source.len() == text.len() + 2 && &source[1..source.len() - 1] == text {
        Some(1)
    } else {
        None
    };
    match offset {
        Some(o) => {
            let start = span.start as usize + o + range.start;
            Span::new(
                span.file,
                start,
                span.start as usize + o + range.end.max(range.start + 1),
            )
        }
        None => span,
    }
}

fn interpolation_error(
    error: &interpolate::Error,
    text: &str,
    span: Span,
    sources: &SourceMap,
) -> Diagnostic {
    match error {
        interpolate::Error::Syntax { at, detail } => {
            Diagnostic::new(Code::InterpolationSyntax, "invalid interpolation")
                .at_labelled(sub_span(span, text, at, sources), detail.clone())
                .with_help("write `$$` for a literal `$`; variables are `$NAME` or `${NAME}`")
        }
        interpolate::Error::Required { at, name, message } => {
            let label = if message.is_empty() {
                "required here".to_string()
            } else {
                message.clone()
            };
            Diagnostic::new(
                Code::RequiredVariable,
                format!("required variable `{name}` is not set"),
            )
            .at_labelled(sub_span(span, text, at, sources), label)
            .with_help(format!(
                "set `{name}` in the environment or in the project's `.env` file"
            ))
        }
    }
}

/// The project name: `-p`, else `COMPOSE_PROJECT_NAME`, else top-level `name:`, else the
/// project directory's name; normalised as Compose does (lower case, `[a-z0-9_-]`, starting
/// with a letter or digit).
fn project_name(
    root: Option<&Node>,
    dir: &Path,
    options: &Options,
    env: &BTreeMap<String, String>,
    file: FileId,
    diags: &mut Diagnostics,
) -> String {
    let from_file = root
        .and_then(|r| r.get("name"))
        .and_then(|n| Some((n.as_str()?, n.span)));
    let (raw, span) = if let Some(name) = &options.project_name {
        (name.clone(), None)
    } else if let Some(name) = env.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()) {
        (name.clone(), None)
    } else if let Some((name, span)) = from_file {
        (name.to_string(), Some(span))
    } else {
        let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let base = absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        (base.unwrap_or_default(), None)
    };
    let name = normalize_project_name(&raw);
    if name.is_empty() {
        let diagnostic = Diagnostic::new(
            Code::InvalidProjectName,
            format!("`{raw}` gives an empty project name"),
        )
        .with_help("project names use lower-case letters, digits, `-` and `_`; pass one with `-p`");
        diags.push(diagnostic.at(span.unwrap_or(Span::new(file, 0, 0))));
        return "project".to_string();
    }
    name
}

/// Compose's normalisation of project names.
#[must_use]
pub fn normalize_project_name(raw: &str) -> String {
    let lowered: String = raw
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    lowered.trim_start_matches(['_', '-']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_normalised_like_compose() {
        assert_eq!(normalize_project_name("My App"), "myapp");
        assert_eq!(normalize_project_name("_-web.Shop_1"), "webshop_1");
        assert_eq!(normalize_project_name("..."), "");
    }
}
