//! compose2cfn: a pure, deterministic compiler from Compose files to an AWS CloudFormation
//! template that runs the application on Amazon ECS (Fargate).
//!
//! The pipeline, one module per step (see `ARCHITECTURE.md`):
//! `load` → `schema` → `model` → `validate` → `lower` → `emit`. Each step reports every
//! problem it finds as a [`diag::Diagnostic`]; the driver stops before lowering only when
//! there is an error.

pub mod cli;
pub mod diag;
pub mod emit;
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

/// Everything one compilation produced.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub project: Option<Project>,
    /// The template, when there was no error.
    pub template: Option<Template>,
}

impl Compilation {
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs the whole pipeline on one Compose file.
///
/// # Errors
/// Only when the Compose file itself cannot be read.
pub fn compile(input: &Input, options: &Options) -> Result<Compilation, IoError> {
    let mut diags = Diagnostics::new();
    let loaded = load::load(input, options, &mut diags)?;
    let mut project = None;
    if let Some(root) = &loaded.root {
        let checked = schema::check(root, &mut diags);
        let built = model::build(root, &checked, &loaded.project_name, &mut diags);
        validate::validate(root, &built, &mut diags);
        project = Some(built);
    }
    let template = match &project {
        Some(project) if !diags.has_errors() => Some(lower::lower(project)),
        _ => None,
    };
    Ok(Compilation {
        sources: loaded.sources,
        diagnostics: diags.into_sorted(),
        project,
        template,
    })
}
