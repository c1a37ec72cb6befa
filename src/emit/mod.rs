//! Writes an [`ir::Template`](crate::ir::Template) as CloudFormation JSON or YAML (and
//! `config`'s document the same way). Both are
//! the same document: one serde model, long-form intrinsics, keys in a fixed order; the
//! same template always gives the same bytes.

pub mod json;
mod model;
pub mod overlay;
mod yaml;

pub use model::{RESOURCES_PER_THREAD, Rewrite, Tree, document, document_with, resource_with};

use crate::ir::Template;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Yaml,
}

/// The template as text in `format`, ending in a newline.
#[must_use]
pub fn emit(template: &Template, format: Format) -> String {
    value(&document(template), format)
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
