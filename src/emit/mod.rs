//! Writes an [`ir::Template`](crate::ir::Template) as CloudFormation JSON or YAML (and
//! `config`'s document the same way). Both are
//! the same document: one serde model, long-form intrinsics, keys in a fixed order; the
//! same template always gives the same bytes.

mod model;
pub mod overlay;

pub use model::{Tree, document};

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

/// Any serialisable document as text in `format`, ending in a newline.
#[must_use]
pub fn value(document: &impl serde::Serialize, format: Format) -> String {
    let mut text = match format {
        Format::Json => serde_json::to_string_pretty(document).unwrap_or_default(),
        Format::Yaml => {
            let mut options = serde_saphyr::SerializerOptions::default();
            options.prefer_block_scalars = false;
            serde_saphyr::to_string_with_options(document, options).unwrap_or_default()
        }
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
