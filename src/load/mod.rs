//! Loading: reads the Compose files and the project's `.env`, parses YAML into the spanned
//! [`Node`] tree, interpolates variables, imports `include`s, merges the files in order,
//! resolves `extends`, `environment` and `env_file`, applies profiles and settles the
//! project name, as Docker Compose does. The only step besides the CLI that touches the
//! file system.

pub mod dotenv;
pub mod files;
pub mod interpolate;
pub mod tree;
pub mod yaml;

mod configs;
mod environment;
mod extends;
mod include;
mod merge;
mod profiles;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub use tree::{Entry, Node, Seg, Value};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};

/// Files larger than this are refused before parsing (Compose files are kilobytes).
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Where a Compose file comes from.
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
    /// `--env-file`, relative to the working directory; none: the project's `.env`.
    pub env_files: Vec<PathBuf>,
    /// `--project-directory`; default: the folder of the first Compose file.
    pub project_dir: Option<PathBuf>,
}

/// A loaded project: the merged, interpolated tree and the facts derived while loading.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    /// The Compose document; `None` after a fatal syntax error.
    pub root: Option<Node>,
    pub project_name: String,
    pub project_dir: PathBuf,
    /// Every profile a service names, active or not.
    pub profiles: BTreeSet<String>,
    /// The services no active profile enables, left out of `root`.
    pub inactive: Vec<Entry>,
    /// The variables interpolation saw (for configs read from the environment).
    pub env: Env,
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

/// The variables interpolation sees.
pub(crate) type Env = BTreeMap<String, String>;

/// Loads a project from its Compose files, merged in order.
///
/// # Errors
/// When one of the Compose files given cannot be read; everything else is a diagnostic.
pub fn load(
    inputs: &[Input],
    options: &Options,
    diags: &mut Diagnostics,
) -> Result<Loaded, IoError> {
    let mut sources = SourceMap::with_base(options.working_dir.clone());
    let project_dir = match (&options.project_dir, inputs.first()) {
        (Some(dir), _) => options.working_dir.join(dir),
        (None, Some(Input::Path(path))) => parent(&options.working_dir.join(path)),
        _ => options.working_dir.clone(),
    };
    let mut files = Vec::with_capacity(inputs.len());
    for input in inputs {
        let (name, path, bytes) = match input {
            Input::Path(path) => {
                let full = clean(&options.working_dir.join(path));
                let bytes = read_bytes(&full)?;
                let name = sources.display(&full);
                (name, Some(full), bytes)
            }
            Input::Stdin(bytes) => ("<stdin>".to_string(), None, bytes.clone()),
        };
        let (text, invalid_at) = decode(bytes);
        let file = sources.add(name, path.as_deref(), text);
        if let Some(at) = invalid_at {
            diags.push(not_utf8(file, at));
        }
        files.push((file, invalid_at.is_none()));
    }
    let first = files.first().map_or(FileId::default(), |f| f.0);
    let env = project_env(&project_dir, options, &mut sources, diags);
    let mut loader = Loader::new(sources, diags);
    let documents: Vec<Node> = files
        .iter()
        .filter(|(_, utf8)| *utf8)
        .filter_map(|&(file, _)| loader.document(file, &project_dir, &env))
        .collect();
    let mut root = loader.project(documents);
    let mut profiles = BTreeSet::new();
    let mut inactive = Vec::new();
    if let Some(node) = root.as_mut() {
        environment::resolve(node, &project_dir, &env, &mut loader.sources, loader.diags);
        profiles = profiles::declared(node);
        let mut active = options.profiles.clone();
        if let Some(list) = env.get("COMPOSE_PROFILES") {
            active.extend(
                list.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(String::from),
            );
        }
        inactive = profiles::apply(node, &active);
    }
    let sources = loader.sources;
    let project_name = project_name(root.as_ref(), &project_dir, options, &env, first, diags);
    Ok(Loaded {
        sources,
        root,
        project_name,
        project_dir,
        profiles,
        inactive,
        env,
    })
}

/// A path with `.` and `..` resolved lexically, so that one file has one name.
#[must_use]
pub fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Loaded {
    /// The contents of the top-level configs, by name: read for compiling only (`config`
    /// shows the project without reading them, as Compose does).
    pub fn config_contents(&mut self, diags: &mut Diagnostics) -> BTreeMap<String, String> {
        match &self.root {
            Some(root) => {
                configs::contents(root, &self.project_dir, &self.env, &mut self.sources, diags)
            }
            None => BTreeMap::new(),
        }
    }
}

/// The folder a file is in.
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The state of one load: the files read so far and the diagnostics.
pub(crate) struct Loader<'a> {
    pub(crate) sources: SourceMap,
    pub(crate) diags: &'a mut Diagnostics,
    /// Unset variables already warned about.
    warned: BTreeSet<String>,
    /// The files being read, outermost first: a file that includes one of them is a cycle.
    including: Vec<PathBuf>,
    /// Documents read for `extends: {file}`, parsed and interpolated once.
    extended: HashMap<PathBuf, Option<Node>>,
}

impl<'a> Loader<'a> {
    fn new(sources: SourceMap, diags: &'a mut Diagnostics) -> Self {
        Self {
            sources,
            diags,
            warned: BTreeSet::new(),
            including: Vec::new(),
            extended: HashMap::new(),
        }
    }

    /// How a path is shown: relative to the working directory when it is inside it.
    pub(crate) fn display(&self, path: &Path) -> String {
        self.sources.display(path)
    }

    /// Reads a file the project refers to (an included or extended Compose file); a
    /// failure is a diagnostic at `at`.
    pub(crate) fn read(&mut self, path: &Path, at: Span, what: &str) -> Option<FileId> {
        match read_bytes(path) {
            Ok(bytes) => {
                let (text, invalid_at) = decode(bytes);
                let id = self.sources.add(self.display(path), Some(path), text);
                if let Some(invalid) = invalid_at {
                    self.diags.push(not_utf8(id, invalid));
                    return None;
                }
                Some(id)
            }
            Err(error) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::Io,
                        format!(
                            "cannot read the {what} `{}`: {}",
                            self.display(path),
                            error.error
                        ),
                    )
                    .at(at)
                    .with_help(
                        "relative paths start from the project directory (inside an extended file, from that file's folder)",
                    ),
                );
                None
            }
        }
    }

    /// One Compose file as a document: parsed, checked to be a mapping, interpolated, its
    /// `include`s imported and its `extends` resolved. `dir` is the project directory, where
    /// its relative paths start.
    pub(crate) fn document(&mut self, file: FileId, dir: &Path, env: &Env) -> Option<Node> {
        let text = self.sources.file(file).text.clone();
        let mut root = yaml::parse(&text, file, self.diags);
        match &root {
            Some(node) if node.as_map().is_none() => {
                self.diags.push(
                    Diagnostic::new(
                        Code::NotAMapping,
                        format!("the Compose file is {}", node.type_name()),
                    )
                    .at(node.span)
                    .with_help("a Compose file is a mapping with a `services` key"),
                );
                root = None;
            }
            None if !self.diags.has_errors() => {
                self.diags.push(
                    Diagnostic::new(Code::NotAMapping, "the Compose file is empty")
                        .at(Span::new(file, 0, 0))
                        .with_help("a Compose file is a mapping with a `services` key"),
                );
            }
            _ => {}
        }
        let mut root = root?;
        interpolate_tree(&mut root, &self.sources, env, &mut self.warned, self.diags);
        let path = self.sources.file(file).path.clone();
        if let Some(path) = &path {
            self.including.push(path.clone());
        }
        include::apply(self, &mut root, dir, env);
        if path.is_some() {
            self.including.pop();
        }
        extends::apply(self, &mut root, dir, env);
        Some(root)
    }

    /// A project's documents merged in order.
    pub(crate) fn project(&mut self, documents: Vec<Node>) -> Option<Node> {
        let mut merged: Option<Node> = None;
        for document in documents {
            merged = Some(match merged {
                None => document,
                Some(base) => merge::merge(base, document, &mut Vec::new(), self.diags),
            });
        }
        let mut root = merged?;
        merge::enforce_unicity(&mut root);
        merge::strip_tags(&mut root);
        Some(root)
    }

    /// A Compose file read for `extends`, parsed and interpolated (once per path).
    pub(crate) fn extended_document(&mut self, path: &Path, at: Span, env: &Env) -> Option<Node> {
        if let Some(document) = self.extended.get(path) {
            return document.clone();
        }
        let document = self.read(path, at, "extended file").and_then(|file| {
            let mut root = yaml::parse(&self.sources.file(file).text.clone(), file, self.diags)?;
            interpolate_tree(&mut root, &self.sources, env, &mut self.warned, self.diags);
            Some(root)
        });
        self.extended.insert(path.to_path_buf(), document.clone());
        document
    }
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
    let id = sources.add(sources.display(path), Some(path), text.clone());
    if let Some(at) = invalid_at {
        diags.push(not_utf8(id, at));
    }
    Ok((id, text))
}

/// A file's bytes: refused when it is not a regular file or larger than
/// [`MAX_FILE_BYTES`].
///
/// # Errors
/// As said, and when it cannot be read.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, IoError> {
    let io = |error| IoError {
        path: path.to_path_buf(),
        error,
    };
    // The type is read before opening: opening a FIFO would wait for a writer.
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("it is a directory")));
    }
    if !meta.is_file() {
        return Err(io(std::io::Error::other(
            "it is not a regular file (a FIFO, socket or device); to read standard input, pass `-`",
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(io(too_large()));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Room for the whole file at once: one read, not a dozen doubling ones.
    let size = usize::try_from(meta.len()).unwrap_or_default();
    read_bounded_into(file, Vec::with_capacity(size + 1)).map_err(io)
}

/// Everything `reader` gives, up to [`MAX_FILE_BYTES`] (a file that grew since it was
/// measured, or standard input, is bounded too).
///
/// # Errors
/// When reading fails or there is more.
pub fn read_bounded(reader: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    read_bounded_into(reader, Vec::new())
}

/// [`read_bounded`] into `bytes`, which may have room already.
fn read_bounded_into(reader: impl std::io::Read, mut bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

fn too_large() -> std::io::Error {
    std::io::Error::other(format!(
        "it is larger than {} MiB",
        MAX_FILE_BYTES / 1024 / 1024
    ))
}

/// The variables interpolation sees: the `--env-file` files (else the project's `.env`),
/// overridden by the process environment.
fn project_env(
    dir: &Path,
    options: &Options,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Env {
    let files: Vec<PathBuf> = if options.env_files.is_empty() {
        Some(dir.join(".env"))
            .filter(|p| p.is_file())
            .into_iter()
            .collect()
    } else {
        options
            .env_files
            .iter()
            .map(|p| options.working_dir.join(p))
            .collect()
    };
    let mut env = read_env_files(&files, &options.env, None, sources, diags);
    env.extend(options.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    env
}

/// The variables of env files, later files winning; `${VAR}` in them reads `outer`. A file
/// that cannot be read is a diagnostic at `at` (or at no place, for a command-line file).
pub(crate) fn read_env_files(
    files: &[PathBuf],
    outer: &Env,
    at: Option<Span>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Env {
    let mut env = Env::new();
    for path in files {
        match read_text(path, sources, diags) {
            Ok((id, text)) => {
                let lookup = |name: &str| outer.get(name).map(String::as_str);
                let (vars, errors) = dotenv::parse(&text, &lookup);
                for error in errors {
                    diags.push(env_file_error(id, &error));
                }
                env.extend(vars);
            }
            Err(error) => {
                let diagnostic = Diagnostic::new(Code::Io, error.to_string())
                    .with_help("env files are read relative to the working directory");
                diags.push(match at {
                    Some(span) => diagnostic.at(span),
                    None => diagnostic,
                });
            }
        }
    }
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
    env: &Env,
    warned: &mut BTreeSet<String>,
    diags: &mut Diagnostics,
) {
    match &mut node.value {
        Value::String(text) if text.contains('$') => {
            let read = std::cell::RefCell::new(BTreeSet::new());
            let lookup = |name: &str| {
                read.borrow_mut().insert(name.to_string());
                env.get(name).map(String::as_str)
            };
            match interpolate::interpolate(text, &lookup) {
                Ok(done) => {
                    let names: Vec<String> = read.into_inner().into_iter().collect();
                    if !names.is_empty() {
                        let names: Vec<String> =
                            names.iter().map(|n| format!("`${{{n}}}`")).collect();
                        diags.note_origin(
                            node.span,
                            format!("interpolated from {}", names.join(", ")),
                        );
                    }
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
    if name.len() > MAX_PROJECT_NAME {
        let diagnostic = Diagnostic::new(
            Code::InvalidProjectName,
            format!("project name `{name}` is longer than {MAX_PROJECT_NAME} characters"),
        )
        .with_help(format!(
            "a stack is usually named after its project (Docker's integration named them so), and its name is the first label of the Cloud Map namespace `{{stack}}.local`, where DNS labels hold at most {MAX_PROJECT_NAME} characters; choose a shorter one (`name:` or `-p`)"
        ));
        diags.push(diagnostic.at(span.unwrap_or(Span::new(file, 0, 0))));
    }
    name
}

/// The longest project name: one DNS label, as the stack named after it names the
/// `{stack}.local` namespace.
const MAX_PROJECT_NAME: usize = 63;

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
