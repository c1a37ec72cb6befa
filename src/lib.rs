//! compose2cfn: a pure, deterministic compiler from Compose files to an AWS CloudFormation
//! template that runs the application on Amazon ECS (Fargate).
//!
//! The pipeline, one module per step (see `ARCHITECTURE.md`):
//! `load` → `schema` → `model` → `validate` → `lower` → `emit`. Each step reports every
//! problem it finds as a [`diag::Diagnostic`]; the driver stops before lowering only when
//! there is an error, and drops the template when it breaks a CloudFormation quota.

pub mod cli;
pub mod config;
pub mod diag;
pub mod emit;
pub mod inspect;
pub mod ir;
pub mod load;
pub mod lower;
pub mod memory;
pub mod model;
pub mod output;
pub mod par;
pub mod policy;
pub mod schema;
pub mod source;
pub mod stacks;
pub mod validate;

use std::collections::BTreeMap;

use diag::{Diagnostic, Diagnostics};
use ir::Template;
use load::{Input, IoError, Options};
use model::Project;
use source::SourceMap;

/// A project as Compose resolves it, checked against the Compose schema: what
/// `compose2cfn config` shows.
#[derive(Debug)]
pub struct Resolution {
    pub sources: SourceMap,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The resolved document, when there was no error.
    pub project: Option<config::Resolved>,
}

/// Loads a project and checks it against the Compose schema, without the ECS rules.
///
/// # Errors
/// Only when one of the Compose files itself cannot be read.
pub fn resolve(inputs: &[Input], options: &Options) -> Result<Resolution, IoError> {
    schema::prepare();
    let mut diags = Diagnostics::new();
    let loaded = load::load(inputs, options, &mut diags)?;
    if let Some(root) = &loaded.root {
        schema::check(root, &root.to_json(), &mut diags);
    }
    let project = match loaded.root {
        Some(root) if !diags.has_errors() => Some(config::Resolved {
            root,
            name: loaded.project_name,
            profiles: loaded.profiles,
            project_dir: loaded.project_dir,
            home: options.env.get("HOME").cloned(),
        }),
        _ => None,
    };
    Ok(Resolution {
        sources: loaded.sources,
        diagnostics: diags.into_sorted(),
        project,
    })
}

/// Everything one compilation produced.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub project: Option<Project>,
    /// The loaded document (files merged, variables interpolated), when it parsed.
    pub root: Option<load::Node>,
    /// The template, when there was no error (one template, before any split into nested
    /// stacks and before the `x-aws-cloudformation` overlay).
    pub template: Option<Template>,
    /// The templates as written, the overlay merged: the root, then the nested ones by
    /// their path relative to the root (empty when there was an error).
    pub documents: Vec<Document>,
}

/// One template as written.
#[derive(Debug)]
pub struct Document {
    /// Its path relative to the root template (`None`: the root).
    pub path: Option<String>,
    pub tree: emit::Tree,
    /// As YAML, emitted once to measure it against CloudFormation's quotas.
    pub yaml: String,
}

impl Compilation {
    /// The (root) template as text in `format` (the YAML is the one already emitted).
    #[must_use]
    pub fn output(&self, format: emit::Format) -> Option<String> {
        let root = self.documents.first()?;
        Some(match format {
            emit::Format::Yaml => root.yaml.clone(),
            emit::Format::Json => emit::value(&root.tree, format),
        })
    }

    /// The nested templates (YAML) by their path relative to the root template.
    pub fn nested(&self) -> impl Iterator<Item = (&str, &str)> {
        self.documents
            .iter()
            .filter_map(|d| d.path.as_deref().map(|path| (path, d.yaml.as_str())))
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs the whole pipeline on a project's Compose files (merged in order).
///
/// # Errors
/// Only when one of the Compose files itself cannot be read.
pub fn compile(inputs: &[Input], options: &Options) -> Result<Compilation, IoError> {
    compile_with(inputs, options, false)
}

/// [`compile`], into a root stack and nested stacks even below the quotas when `split`.
///
/// # Errors
/// Only when one of the Compose files itself cannot be read.
pub fn compile_with(
    inputs: &[Input],
    options: &Options,
    split: bool,
) -> Result<Compilation, IoError> {
    schema::prepare();
    let mut diags = Diagnostics::new();
    let mut loaded = load::load(inputs, options, &mut diags)?;
    let configs = loaded.config_contents(&mut diags);
    let (mut project, mut template, mut documents) = (None, None, Vec::new());
    if let Some(root) = loaded
        .root
        .as_ref()
        .filter(|root| within_ecs(root, &mut diags))
    {
        let instance = root.to_json();
        let errors_before = diags.has_errors();
        let (checked, found, mut stages) = beside_schema(root, &instance, || {
            Stages::run(root, &instance, &loaded, &configs, split, errors_before)
        });
        diags.extend(found);
        diags.extend(stages.read);
        if checked.error_paths.is_empty() {
            diags.extend(stages.checks);
            validate::hints(&stages.project, &mut diags);
            if let Some((compiled, written, found)) = stages.output {
                let failed = found.has_errors();
                diags.extend(found);
                if !failed {
                    (template, documents) = (Some(compiled), written);
                }
            }
        } else {
            // The services the schema found errors in are validated again without the
            // content rules, which would only repeat it; nothing is compiled.
            model::note_schema_errors(&mut stages.project, &checked);
            validate::validate(root, &loaded.inactive, &stages.project, &mut diags);
        }
        project = Some(stages.project);
    }
    Ok(Compilation {
        sources: loaded.sources,
        diagnostics: diags.into_sorted(),
        project,
        root: loaded.root,
        template,
        documents,
    })
}

/// Runs `then` beside the schema check of `instance` (`root` as JSON): on two threads
/// while the schema is still compiling (on its own thread since the start), so that
/// nothing waits for it; one after the other once it is compiled (a thread would only
/// cost its start). The check's diagnostics come back apart.
fn beside_schema<T>(
    root: &load::Node,
    instance: &serde_json::Value,
    then: impl FnOnce() -> T,
) -> (schema::Checked, Diagnostics, T) {
    let check = || {
        let mut found = Diagnostics::new();
        (schema::check(root, instance, &mut found), found)
    };
    if schema::is_ready() {
        let (checked, found) = check();
        return (checked, found, then());
    }
    std::thread::scope(|scope| {
        let schema = scope.spawn(check);
        let after = then();
        let (checked, found) = schema
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (checked, found, after)
    })
}

/// What follows the schema check, run as if the schema found no error (it rarely does;
/// when it does, the template is dropped and the validation done again): the model, its
/// validation (but the hints, which need every error found before them), and when neither
/// found an error, the template and its documents. Each step's diagnostics are kept
/// apart, to follow the schema's.
struct Stages {
    project: Project,
    /// The model's.
    read: Diagnostics,
    /// The validation's, but the hints'.
    checks: Diagnostics,
    /// The template, its documents and the diagnostics of writing them.
    output: Option<(Template, Vec<Document>, Diagnostics)>,
}

impl Stages {
    fn run(
        root: &load::Node,
        instance: &serde_json::Value,
        loaded: &load::Loaded,
        configs: &BTreeMap<String, String>,
        split: bool,
        errors_before: bool,
    ) -> Stages {
        let mut read = Diagnostics::new();
        let project = model::build(root, instance, &loaded.project_name, configs, &mut read);
        let mut checks = Diagnostics::new();
        validate::rules(root, &loaded.inactive, &project, &mut checks);
        let output = (!errors_before && !read.has_errors() && !checks.has_errors()).then(|| {
            let template = lower::lower(&project);
            let mut found = Diagnostics::new();
            let documents = write(&template, &project, root, split, &mut found);
            (template, documents, found)
        });
        Stages {
            project,
            read,
            checks,
            output,
        }
    }
}

/// Services an ECS cluster runs at most.
pub const MAX_SERVICES: usize = 5_000;

/// Whether the project has no more services than a cluster runs; an error at the
/// `services` key otherwise (and nothing more is done: a huge file is refused fast).
fn within_ecs(root: &load::Node, diags: &mut diag::Diagnostics) -> bool {
    let Some(entry) = root.entry("services") else {
        return true;
    };
    let count = entry.value.as_map().map_or(0, <[load::Entry]>::len);
    memory::expect_services(count);
    if count <= MAX_SERVICES {
        return true;
    }
    diags.push(
        diag::Diagnostic::new(
            diag::Code::TooManyServices,
            format!("the project has {count} services; an ECS cluster runs at most {MAX_SERVICES}"),
        )
        .at_labelled(entry.key_span, "these services")
        .with_help(validate::limits::SPLIT_HELP),
    );
    false
}

/// The documents of a split project, the overlay merged and each written as YAML; a
/// group whose template passes the byte quota is split again (the layout counts
/// resources and parameters, not bytes).
fn split_documents(
    compiled: &Template,
    project: &str,
    overlay: Option<&serde_json::Value>,
) -> Vec<(Option<String>, emit::Tree, String)> {
    let mut finer = Vec::new();
    loop {
        let stacks::Layout { root, nested } = stacks::split(compiled, project, &finer);
        let groups: Vec<(stacks::Group, usize)> = nested
            .iter()
            .map(|stack| (stack.group, stack.services.len()))
            .collect();
        // A nested stack's resources are rewritten for it as its document is built, from
        // the compiled template's: they are never copied into a template of their own.
        let mut trees = vec![(None, emit::document(&root))];
        drop(root);
        trees.extend(nested.into_iter().map(|stack| {
            let tree = stack.document();
            (Some(stack.path), tree)
        }));
        if let Some(overlay) = overlay {
            emit::overlay::apply_all(&mut trees, overlay);
        }
        let documents: Vec<_> = trees
            .into_iter()
            .map(|(path, tree)| {
                let yaml = emit::value(&tree, emit::Format::Yaml);
                (path, tree, yaml)
            })
            .collect();
        let oversized: Vec<stacks::Group> = groups
            .iter()
            .zip(&documents[1..])
            .filter(|((_, services), (_, _, yaml))| *services > 1 && yaml.len() > stacks::MAX_BYTES)
            .map(|((group, _), _)| *group)
            .collect();
        if oversized.is_empty() {
            return documents;
        }
        finer.extend(oversized);
    }
}

/// The documents of a compiled template: one, or a root and nested stacks when the one
/// would pass a quota (or `split` asks); the overlay merged; each checked against the
/// quotas.
fn write(
    compiled: &Template,
    project: &Project,
    root: &load::Node,
    split: bool,
    diags: &mut diag::Diagnostics,
) -> Vec<Document> {
    let overlay = project
        .spec
        .x_aws_cloudformation
        .clone()
        .map(serde_json::Value::Object);
    let overlay = overlay.as_ref();
    if let Some(overlay) = overlay {
        validate::overlay::check(overlay, root, compiled, diags);
        if diags.has_errors() {
            return Vec::new();
        }
    }
    let mut trees: Vec<(Option<String>, emit::Tree, String)> = Vec::new();
    if !split && stacks::within_counts(compiled) {
        let mut tree = emit::document(compiled);
        if let Some(overlay) = overlay {
            emit::overlay::apply(&mut tree, overlay);
        }
        let yaml = emit::value(&tree, emit::Format::Yaml);
        if yaml.len() <= stacks::MAX_BYTES {
            trees.push((None, tree, yaml));
        }
    }
    if trees.is_empty() {
        trees = split_documents(compiled, &project.name, overlay);
    }
    let mut documents = Vec::new();
    for (path, tree, yaml) in trees {
        if overlay.is_some() {
            validate::overlay::check_references(&tree, root, diags);
        }
        if let Some(yaml) = validate::limits::check(&tree, path.as_deref(), yaml, root, diags) {
            documents.push(Document { path, tree, yaml });
        }
    }
    documents
}
