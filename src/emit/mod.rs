//! The emit stage: the compiled template ([`crate::ir::Template`]) as the CloudFormation
//! documents written, and what is wrong with them. [`emit`] is its one entry point: the
//! `x-aws-cloudformation` overlay checked against the template (`overlay.rs`), the
//! template cut into one document or a root and nested stacks (`documents.rs`, the split
//! in `stacks.rs`), each within CloudFormation's quotas (`limits.rs`), the overlay merged
//! into each.
//!
//! Every document is written once, as events into a [`Sink`] (`model.rs`): long-form
//! intrinsics, keys in a fixed order, so the same template always gives the same bytes.
//! The YAML writer (`yaml.rs`) turns the events into text as they come; JSON, the overlay
//! and the policies take a [`Tree`]. `config`'s document is written the same way.

pub mod documents;
pub mod json;
pub mod limits;
mod model;
pub mod overlay;
pub mod stacks;
mod yaml;

pub use documents::{Cut, Document, Piece};
pub use model::{
    JsonSink, Rewrite, Sink, Tree, TreeSink, document, json_document, resource, write, write_with,
};
pub use yaml::Yaml;

use std::ops::ControlFlow;

use crate::diag::Diagnostics;
use crate::ir::Template;
use crate::load::Node;
use crate::model::Project;

/// The documents of the compiled `template` of `project` (`root`: its Compose document,
/// where diagnostics point), and how the template was cut into them: one template when it
/// fits CloudFormation's quotas and `split` does not ask otherwise, else a root and nested
/// stacks. `None` when they break a quota, or the overlay is wrong (the errors pushed into
/// `diags`).
pub fn emit(
    template: &Template,
    project: &Project,
    root: &Node,
    split: bool,
    diags: &mut Diagnostics,
) -> Option<(Cut, Vec<Document>)> {
    let overlay = overlay::of(project);
    let mut found = Diagnostics::new();
    if let Some(overlay) = &overlay {
        overlay::check(overlay, root, template, &mut found);
    }
    let written = if found.has_errors() {
        None
    } else {
        let written = documents::write(
            template,
            &project.name,
            overlay.as_ref(),
            root,
            split,
            &mut found,
        );
        (!found.has_errors()).then_some(written)
    };
    diags.extend(found);
    written
}

/// Hands each document of `template` (of `project`), cut as [`emit`] cut it, to `each`,
/// the root first, until `each` breaks: the documents written, built again as trees.
pub fn each_document(
    template: &Template,
    project: &Project,
    cut: &Cut,
    each: impl FnMut(Piece<'_>) -> ControlFlow<()>,
) {
    let overlay = overlay::of(project);
    documents::each(template, &project.name, overlay.as_ref(), cut, each);
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Yaml,
}

/// The template as YAML, written straight from it (no [`Tree`] in between).
#[must_use]
pub fn yaml(template: &Template) -> String {
    let mut yaml = Yaml::for_template(template, template.resources.len());
    write(template, &mut yaml);
    yaml.finish()
}

/// A document as text in `format`, ending in a newline.
#[must_use]
pub fn value(document: &Tree, format: Format) -> String {
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Yaml => yaml::to_string(document),
    }
}
