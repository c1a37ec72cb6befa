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
pub mod model;
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
    let mut diags = Diagnostics::new();
    let loaded = load::load(inputs, options, &mut diags)?;
    if let Some(root) = &loaded.root {
        schema::check(root, &mut diags);
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
    /// The template, when there was no error (before the `x-aws-cloudformation` overlay).
    pub template: Option<Template>,
    /// The template as written: with the overlay merged.
    pub document: Option<emit::Tree>,
    /// The document as YAML, emitted once to measure it against CloudFormation's quotas.
    yaml: Option<String>,
}

impl Compilation {
    /// The template as text in `format` (the YAML is the one already emitted).
    #[must_use]
    pub fn output(&self, format: emit::Format) -> Option<String> {
        match format {
            emit::Format::Yaml => self.yaml.clone(),
            emit::Format::Json => self.document.as_ref().map(|d| emit::value(d, format)),
        }
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
    let mut diags = Diagnostics::new();
    let mut loaded = load::load(inputs, options, &mut diags)?;
    let configs = loaded.config_contents(&mut diags);
    let mut project = None;
    if let Some(root) = &loaded.root {
        let checked = schema::check(root, &mut diags);
        let built = model::build(root, &checked, &loaded.project_name, &configs, &mut diags);
        validate::validate(root, &loaded.inactive, &built, &mut diags);
        project = Some(built);
    }
    let mut template = match &project {
        Some(project) if !diags.has_errors() => Some(lower::lower(project)),
        _ => None,
    };
    let (mut document, mut yaml) = (None, None);
    if let (Some(compiled), Some(root), Some(project)) = (&template, &loaded.root, &project) {
        let mut tree = emit::document(compiled);
        if let Some(overlay) = &project.spec.x_aws_cloudformation {
            validate::overlay::check(overlay, root, compiled, &mut diags);
            if !diags.has_errors() {
                emit::overlay::apply(&mut tree, overlay);
                validate::overlay::check_references(&tree, root, &mut diags);
            }
        }
        let text = if diags.has_errors() {
            None
        } else {
            validate::limits::check(&tree, root, &mut diags)
        };
        if diags.has_errors() {
            template = None;
        } else {
            (document, yaml) = (Some(tree), text);
        }
    }
    Ok(Compilation {
        sources: loaded.sources,
        diagnostics: diags.into_sorted(),
        project,
        root: loaded.root,
        template,
        document,
        yaml,
    })
}
