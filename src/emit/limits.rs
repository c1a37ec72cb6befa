//! CloudFormation's quotas on each compiled template, checked before anything is written:
//! at most 500 resources, 200 parameters and 200 outputs in a stack, at most 1 MiB of
//! template (from S3), and a warning above the 51,200 bytes `aws cloudformation deploy` can
//! send inline (the root template only: nested ones always go through S3). Sizes are those
//! of the YAML form (the JSON form, larger, is named in the message). A project past the
//! quotas is split into nested stacks first (`stacks.rs`); these errors are what even the
//! split cannot fix.

use super::Tree;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Template;
use crate::load::Node;

/// Resources a stack may hold.
pub const MAX_RESOURCES: usize = 500;
/// Parameters a template may declare.
pub const MAX_PARAMETERS: usize = 200;
/// Outputs a template may declare.
pub const MAX_OUTPUTS: usize = 200;
/// Bytes of template CloudFormation takes from S3.
pub const MAX_BYTES: usize = 1_048_576;
/// Bytes of template CloudFormation takes in the request itself.
pub const MAX_INLINE_BYTES: usize = 51_200;

pub(crate) const SPLIT_HELP: &str =
    "split the project into several stacks: several Compose files or profiles, one stack each";

/// What the quotas count in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub resources: usize,
    pub parameters: usize,
    pub outputs: usize,
}

impl Counts {
    /// The counts of a document as a tree.
    #[must_use]
    pub fn of_tree(document: &Tree) -> Counts {
        let count = |section: &str| match document.get(section) {
            Some(Tree::Map(entries)) => entries.len(),
            _ => 0,
        };
        Counts {
            resources: count("Resources"),
            parameters: count("Parameters"),
            outputs: count("Outputs"),
        }
    }

    /// The counts of a template.
    #[must_use]
    pub fn of_template(template: &Template) -> Counts {
        Counts {
            resources: template.resources.len(),
            parameters: template.parameters.len(),
            outputs: template.outputs.len(),
        }
    }
}

/// Checks one template (`counts`: what it holds; `json`: the length of its JSON form, asked
/// for a message only; `nested`: its path, for a nested one; `yaml`: the document as
/// YAML); the diagnostics point at the top-level `services` key (or at the start of the
/// first file). Returns the YAML when the template is within every quota.
pub fn check(
    counts: Counts,
    json: impl FnOnce() -> usize,
    nested: Option<&str>,
    yaml: String,
    root: &Node,
    diags: &mut Diagnostics,
) -> Option<String> {
    let at = root.key_span_or_start("services");
    let which = nested.map_or_else(
        || "the template".to_string(),
        |path| format!("the nested template `{path}`"),
    );
    let mut within = true;
    for (n, what, max) in [
        (counts.resources, "resources", MAX_RESOURCES),
        (counts.parameters, "parameters", MAX_PARAMETERS),
        (counts.outputs, "outputs", MAX_OUTPUTS),
    ] {
        if n > max {
            within = false;
            diags.push(
                Diagnostic::new(
                    Code::TooManyResources,
                    format!("{which} has {n} {what}; a stack holds at most {max}"),
                )
                .at_labelled(at, "these services")
                .with_help(SPLIT_HELP),
            );
        }
    }
    if !within {
        return None;
    }
    let size = yaml.len();
    if size > MAX_BYTES {
        diags.push(
            Diagnostic::new(
                Code::TemplateTooLarge,
                format!("{which} is {size} bytes (JSON: {} bytes); CloudFormation accepts at most {MAX_BYTES}", json()),
            )
            .at_labelled(at, "these services")
            .with_help(SPLIT_HELP),
        );
    } else if size > MAX_INLINE_BYTES && nested.is_none() {
        diags.push(
            Diagnostic::new(
                Code::TemplateNeedsS3,
                format!("{which} is {size} bytes (JSON: {} bytes), more than the {MAX_INLINE_BYTES} CloudFormation takes inline", json()),
            )
            .at_labelled(at, "these services")
            .with_help("deploy it through S3: `aws cloudformation deploy --s3-bucket BUCKET ...`"),
        );
    }
    Some(yaml)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Resource;
    use crate::map;

    fn codes(template: &Template) -> Vec<Code> {
        let root = Node::new(crate::load::Value::Null, crate::source::Span::default());
        let mut diags = Diagnostics::new();
        let document = crate::emit::document(template);
        let yaml = crate::emit::yaml(template);
        let json = || crate::emit::json::len(&document);
        let _ = check(
            Counts::of_template(template),
            json,
            None,
            yaml,
            &root,
            &mut diags,
        );
        diags.iter().map(|d| d.code).collect()
    }

    fn template(resources: usize, description_bytes: usize) -> Template {
        let mut template = Template::default();
        for i in 0..resources {
            let properties = map! { "GroupDescription" => "x".repeat(description_bytes) };
            template.add(
                format!("R{i}"),
                Resource::new("AWS::EC2::SecurityGroup", properties),
            );
        }
        template
    }

    #[test]
    fn quotas_are_errors_and_the_inline_limit_a_warning() {
        assert!(codes(&template(10, 10)).is_empty());
        assert_eq!(codes(&template(10, 6_000)), [Code::TemplateNeedsS3]);
        assert_eq!(codes(&template(10, 110_000)), [Code::TemplateTooLarge]);
        assert_eq!(codes(&template(501, 1)), [Code::TooManyResources]);
    }
}
