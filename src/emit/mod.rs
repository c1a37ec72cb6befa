//! Writes an [`ir::Template`](crate::ir::Template) as CloudFormation JSON or YAML (and
//! `config`'s document the same way). Both are the same document, written once as events
//! into a [`Sink`]: long-form intrinsics, keys in a fixed order; the same template always
//! gives the same bytes. YAML is written straight from the template; JSON, the overlay and
//! the policies take a [`Tree`].

pub mod documents;
pub mod json;
pub mod limits;
mod model;
pub mod overlay;
pub mod stacks;
mod yaml;

pub use model::{
    JsonSink, RESOURCES_PER_THREAD, Rewrite, Sink, Tree, TreeSink, document, entries_into,
    json_document, resource, write, write_with,
};
pub use yaml::Yaml;

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
    match format {
        Format::Json => value(&document(template), format),
        Format::Yaml => yaml(template),
    }
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
