//! CloudFormation's quotas on the compiled template, checked before it is written: at most
//! 500 resources in a stack, at most 1 MiB of template (from S3), and a warning above the
//! 51,200 bytes `aws cloudformation deploy` can send inline. Sizes are those of the YAML
//! form (the JSON form, larger, is named in the message).

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::emit::{Format, Tree, value};
use crate::load::Node;
use crate::source::Span;

/// Resources a stack may hold.
pub const MAX_RESOURCES: usize = 500;
/// Bytes of template CloudFormation takes in the request itself.
pub const MAX_INLINE_BYTES: usize = 51_200;
/// Bytes of template CloudFormation takes from S3.
pub const MAX_S3_BYTES: usize = 1_048_576;

/// Checks the template; the diagnostics point at the top-level `services` key (or at the
/// start of the first file). Returns the YAML it measured (`None` when there were too many
/// resources to bother emitting).
pub fn check(document: &Tree, root: &Node, diags: &mut Diagnostics) -> Option<String> {
    let at = root
        .as_map()
        .and_then(|entries| entries.iter().find(|e| e.key == "services"))
        .map_or(Span::new(root.span.file, 0, 0), |e| e.key_span);
    let count = match document.get("Resources") {
        Some(Tree::Map(resources)) => resources.len(),
        _ => 0,
    };
    if count > MAX_RESOURCES {
        diags.push(
            Diagnostic::new(
                Code::TooManyResources,
                format!("the template has {count} resources; a stack holds at most {MAX_RESOURCES}"),
            )
            .at_labelled(at, "these services")
            .with_help("split the project into several stacks: several Compose files or profiles, one stack each"),
        );
        return None;
    }
    let text = value(document, Format::Yaml);
    let yaml = text.len();
    let json = || value(document, Format::Json).len();
    if yaml > MAX_S3_BYTES {
        diags.push(
            Diagnostic::new(
                Code::TemplateTooLarge,
                format!("the template is {yaml} bytes (JSON: {} bytes); CloudFormation accepts at most {MAX_S3_BYTES}", json()),
            )
            .at_labelled(at, "these services")
            .with_help("split the project into several stacks: several Compose files or profiles, one stack each"),
        );
    } else if yaml > MAX_INLINE_BYTES {
        diags.push(
            Diagnostic::new(
                Code::TemplateNeedsS3,
                format!("the template is {yaml} bytes (JSON: {} bytes), more than the {MAX_INLINE_BYTES} CloudFormation takes inline", json()),
            )
            .at_labelled(at, "these services")
            .with_help("deploy it through S3: `aws cloudformation deploy --s3-bucket BUCKET ...`"),
        );
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Resource, Template};
    use crate::map;

    fn codes(template: &Template) -> Vec<Code> {
        let root = Node::new(crate::load::Value::Null, Span::default());
        let mut diags = Diagnostics::new();
        let _ = check(&crate::emit::document(template), &root, &mut diags);
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
