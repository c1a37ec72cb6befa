//! compose2cfn: a pure, deterministic compiler from Compose files to an AWS CloudFormation
//! template that runs the application on Amazon ECS (Fargate).
//!
//! The pipeline, one module per step (see `ARCHITECTURE.md`):
//! `load` → `schema` → `model` → `validate` → `lower` → `emit` → `audit`. Each step
//! reports every problem it finds as a [`diag::Diagnostic`]; the driver stops before
//! lowering when there is an error, and drops the template when a document breaks a
//! CloudFormation quota or a run-time rule.

pub mod audit;
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
pub mod platform;
#[cfg(feature = "policy")]
pub mod policy;
pub mod schema;
pub mod source;
pub mod validate;

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
        schema::check(root, &root.document_json(), &mut diags);
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
    /// The templates as written (YAML), the overlay merged: the root, then the nested
    /// ones by their path relative to the root (empty when there was an error).
    pub documents: Vec<Document>,
    /// How the template was cut into those documents.
    cut: emit::Cut,
}

pub use emit::Document;

impl Compilation {
    /// The (root) template as text in `format` (the YAML is the one already emitted).
    #[must_use]
    pub fn output(&self, format: emit::Format) -> Option<String> {
        let root = self.documents.first()?;
        match format {
            emit::Format::Yaml => Some(root.yaml.clone()),
            emit::Format::Json => {
                let mut json = None;
                self.each_tree(|piece| {
                    json = Some(emit::value(&piece.source.tree(), format));
                    std::ops::ControlFlow::Break(())
                });
                json
            }
        }
    }

    /// The nested templates (YAML) by their path relative to the root template.
    pub fn nested(&self) -> impl Iterator<Item = (&str, &str)> {
        self.documents
            .iter()
            .filter_map(|d| d.path.as_deref().map(|path| (path, d.yaml.as_str())))
    }

    /// The documents as trees, built again (the root first, each with its path relative
    /// to the root): what [`Compilation::documents`] holds as text.
    #[must_use]
    pub fn trees(&self) -> Vec<(Option<String>, emit::Tree)> {
        let mut trees = Vec::new();
        self.each_tree(|piece| {
            trees.push((piece.path.map(str::to_string), piece.source.tree()));
            std::ops::ControlFlow::Continue(())
        });
        trees
    }

    /// Hands each document's tree to `each`, the root first, until it breaks.
    fn each_tree(&self, each: impl FnMut(emit::Piece<'_>) -> std::ops::ControlFlow<()>) {
        let (Some(template), Some(project)) = (&self.template, &self.project) else {
            return;
        };
        if self.documents.is_empty() {
            return;
        }
        emit::each_document(template, project, &self.cut, each);
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Adds diagnostics found after the pipeline (the run-time rules', the policies'), in
    /// order with the others.
    pub fn add_diagnostics(&mut self, found: impl IntoIterator<Item = Diagnostic>) {
        let mut all = Diagnostics::new();
        for diagnostic in self.diagnostics.drain(..).chain(found) {
            all.push(diagnostic);
        }
        self.diagnostics = all.into_sorted();
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
    let project = loaded
        .root
        .as_ref()
        .filter(|root| within_ecs(root, &mut diags))
        .map(|root| {
            let instance = root.document_json();
            let checked = schema::check(root, &instance, &mut diags);
            let mut project =
                model::build(root, &instance, &loaded.project_name, &configs, &mut diags);
            model::note_schema_errors(&mut project, &checked);
            validate::validate(root, &loaded.inactive, &project, &mut diags);
            project
        });
    let (mut template, mut cut, mut documents) = (None, emit::Cut::Whole, Vec::new());
    if let (Some(project), Some(root)) = (&project, &loaded.root)
        && !diags.has_errors()
    {
        let compiled = lower::lower(project);
        if let Some(written) = emit::emit(&compiled, project, root, split, &mut diags) {
            (template, (cut, documents)) = (Some(compiled), written);
        }
    }
    let mut compilation = Compilation {
        sources: loaded.sources,
        diagnostics: diags.into_sorted(),
        project,
        root: loaded.root,
        template,
        documents,
        cut,
    };
    runtime_rules(&mut compilation);
    Ok(compilation)
}

/// The run-time rules ([`audit`]) on the documents written: each finding an error at the
/// Compose element behind its resource, and no template when there is one.
fn runtime_rules(compilation: &mut Compilation) {
    let (Some(template), Some(root)) = (&compilation.template, &compilation.root) else {
        return;
    };
    let overlaid = compilation
        .project
        .as_ref()
        .is_some_and(|p| p.spec.x_aws_cloudformation.is_some());
    let documents: Vec<audit::Document> = if overlaid {
        // The documents as written, each tree dropped as soon as it is JSON.
        compilation
            .trees()
            .into_iter()
            .zip(&compilation.documents)
            .map(|((path, tree), written)| audit::Document {
                path,
                template: serde_json::to_value(&tree).unwrap_or_default(),
                bytes: written.yaml.len(),
            })
            .collect()
    } else {
        // Without an overlay the documents are the compiled template, cut into stacks
        // whose references all resolve (tests/it/scale.rs): the rules read it whole, and the
        // documents count for their sizes.
        let mut whole = Some(emit::json_document(template));
        compilation
            .documents
            .iter()
            .map(|written| audit::Document {
                path: written.path.clone(),
                template: whole.take().unwrap_or_default(),
                bytes: written.yaml.len(),
            })
            .collect()
    };
    let findings = audit::check(documents);
    if findings.is_empty() {
        return;
    }
    let fallback = root.key_span_or_start("services");
    let found: Vec<Diagnostic> = findings
        .iter()
        .map(|finding| {
            let origin = template
                .resources
                .get(&finding.resource)
                .and_then(|r| r.origin);
            let rule = finding.rule();
            Diagnostic::new(
                diag::Code::RuntimeRule,
                format!("{} ({} `{}`)", finding.message, rule.id, rule.name),
            )
            .at_labelled(
                origin.unwrap_or(fallback),
                format!("produces `{}`", finding.resource),
            )
            .with_help(format!("{}: {}", rule.fact, rule.source))
        })
        .collect();
    compilation.add_diagnostics(found);
    compilation.template = None;
    compilation.documents.clear();
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
        .with_help(emit::limits::SPLIT_HELP),
    );
    false
}
