//! The `x-aws-cloudformation` overlay. Checked against the compiled template first: it is
//! a mapping of template sections, and a resource it patches exists (or the overlay gives
//! it a `Type`). Merged into each document last, as the Docker ECS integration merged it:
//! mappings merge key by key, anything else (scalars, lists) replaces what was there, and
//! `null` deletes the key; new keys (resources, outputs, sections) come after the compiled
//! ones. After the merge nothing may refer to a resource or parameter that is gone.

use std::collections::BTreeSet;

use super::Tree;
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::ir::Template;
use crate::load::Node;
use crate::model::{Locator, Project};
use crate::path;
use crate::source::Span;

/// The sections of a CloudFormation template.
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Conditions",
    "Description",
    "Mappings",
    "Metadata",
    "Outputs",
    "Parameters",
    "Resources",
    "Rules",
    "Transform",
];

const KEY: &str = "x-aws-cloudformation";

/// Checks the overlay before it is merged into `template`.
pub fn check(
    overlay: &serde_json::Value,
    root: &Node,
    template: &Template,
    diags: &mut Diagnostics,
) {
    let at = Locator::new(root);
    let Some(sections) = overlay.as_object() else {
        diags.push(
            Diagnostic::new(
                Code::WrongType,
                "`x-aws-cloudformation` must be a mapping of template sections",
            )
            .at(at.span(&path![KEY]))
            .with_help("write the part of the template to merge: `Resources:`, `Outputs:`, ..."),
        );
        return;
    };
    for section in sections.keys().filter(|s| !SECTIONS.contains(&s.as_str())) {
        let mut d = Diagnostic::new(
            Code::InvalidValue,
            format!("`{section}` is not a section of a CloudFormation template"),
        )
        .at(at.key_span(&path![KEY, section.as_str()]));
        d = match did_you_mean(section, SECTIONS.iter().copied()) {
            Some(best) => d.with_help(format!("did you mean `{best}`?")),
            None => d.with_help(format!("the sections are {}", SECTIONS.join(", "))),
        };
        diags.push(d);
    }
    let resources = sections
        .get("Resources")
        .and_then(serde_json::Value::as_object);
    for (id, patch) in resources.into_iter().flatten() {
        let exists = template.resources.contains_key(id);
        let typed = patch.get("Type").is_some();
        if !exists && !typed {
            let what = if patch.is_null() {
                "deletes"
            } else {
                "patches"
            };
            let mut d = Diagnostic::new(
                Code::OverlayTarget,
                format!("the overlay {what} resource `{id}`, which the template does not have"),
            )
            .at(at.key_span(&path![KEY, "Resources", id.as_str()]));
            d = match did_you_mean(id, template.resources.keys().map(String::as_str)) {
                Some(best) => d.with_help(format!("did you mean `{best}`? (`compose2cfn plan` lists the logical IDs)")),
                None if patch.is_null() => d.with_help("remove the entry: there is nothing to delete (`compose2cfn plan` lists the logical IDs)"),
                None => d.with_help("give a new resource its `Type`; `compose2cfn plan` lists the logical IDs of the compiled ones"),
            };
            diags.push(d);
        }
    }
}

/// After the merge: every `Ref`, `Fn::GetAtt` and `DependsOn` still names something.
pub fn check_references(document: &Tree, root: &Node, diags: &mut Diagnostics) {
    let span = Locator::new(root).key_span(&path![KEY]);
    let names = |section: &str| -> BTreeSet<&str> {
        match document.get(section) {
            Some(Tree::Map(entries)) => entries.iter().map(|(k, _)| &**k).collect(),
            _ => BTreeSet::new(),
        }
    };
    let resources = names("Resources");
    let parameters = names("Parameters");
    let Some(Tree::Map(entries)) = document.get("Resources") else {
        return;
    };
    let mut dangling = BTreeSet::new();
    for (id, resource) in entries {
        let mut found = Vec::new();
        referenced(resource, &mut found);
        for name in found {
            let known =
                resources.contains(name) || parameters.contains(name) || name.starts_with("AWS::");
            if !known {
                dangling.insert((&**id, name));
            }
        }
    }
    for (id, name) in dangling {
        push_dangling(span, id, name, diags);
    }
}

fn push_dangling(span: Span, id: &str, name: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::new(Code::OverlayTarget, format!("after the overlay, resource `{id}` refers to `{name}`, which the template no longer has"))
            .at(span)
            .with_help(format!("keep `{name}`, or change (or delete) what refers to it in the overlay too")),
    );
}

/// Names that `Ref`, `Fn::GetAtt` and `DependsOn` use in a resource.
fn referenced<'t>(tree: &'t Tree, found: &mut Vec<&'t str>) {
    match tree {
        Tree::Map(entries) => {
            for (key, value) in entries {
                match (&**key, value) {
                    ("Ref", Tree::Str(name)) => found.push(name),
                    ("Fn::GetAtt", Tree::Seq(items)) => {
                        if let Some(Tree::Str(name)) = items.first() {
                            found.push(name);
                        }
                    }
                    ("DependsOn", Tree::Str(name)) => found.push(name),
                    ("DependsOn", Tree::Seq(items)) => {
                        found.extend(items.iter().filter_map(|i| match i {
                            Tree::Str(name) => Some(&**name),
                            _ => None,
                        }));
                    }
                    _ => referenced(value, found),
                }
            }
        }
        Tree::Seq(items) => items.iter().for_each(|i| referenced(i, found)),
        _ => {}
    }
}

/// The project's overlay, as JSON.
#[must_use]
pub fn of(project: &Project) -> Option<serde_json::Value> {
    project
        .spec
        .x_aws_cloudformation
        .clone()
        .map(serde_json::Value::Object)
}

/// Merges `overlay` into `document`.
pub fn apply(document: &mut Tree, overlay: &serde_json::Value) {
    merge(document, overlay);
}

/// Cuts `overlay` for a split project's documents: a patch of a resource goes to the
/// nested template that holds it (`nested`: each nested template's logical IDs), as
/// `{"Resources": {...}}`; everything else to the root.
#[must_use]
pub fn partition(
    overlay: &serde_json::Value,
    nested: &[Vec<&str>],
) -> (serde_json::Value, Vec<Option<serde_json::Value>>) {
    let mut rest = overlay.clone();
    let mut patches = rest
        .get_mut("Resources")
        .and_then(serde_json::Value::as_object_mut);
    let parts = nested
        .iter()
        .map(|ids| {
            let patches = patches.as_mut()?;
            let mine: serde_json::Map<String, serde_json::Value> = ids
                .iter()
                .filter_map(|id| patches.remove(*id).map(|patch| ((*id).to_string(), patch)))
                .collect();
            (!mine.is_empty()).then(|| {
                let mut wrapped = serde_json::Map::new();
                wrapped.insert("Resources".to_string(), serde_json::Value::Object(mine));
                serde_json::Value::Object(wrapped)
            })
        })
        .collect();
    (rest, parts)
}

fn merge(base: &mut Tree, patch: &serde_json::Value) {
    match (base, patch) {
        (Tree::Map(entries), serde_json::Value::Object(patch)) => {
            for (key, value) in sorted(patch) {
                if value.is_null() {
                    entries.retain(|(k, _)| k != key);
                    continue;
                }
                match entries.iter_mut().find(|(k, _)| k == key) {
                    Some((_, existing)) => merge(existing, value),
                    None => entries.push((key.clone().into(), without_nulls(value))),
                }
            }
        }
        (base, patch) => *base = without_nulls(patch),
    }
}

/// A JSON object's entries by key, whatever order `serde_json::Map` keeps (see
/// [`Tree::from`]), so that new keys land in the same order every time.
fn sorted(map: &serde_json::Map<String, serde_json::Value>) -> Vec<(&String, &serde_json::Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// New content, where a `null` key has nothing to delete and is left out.
fn without_nulls(value: &serde_json::Value) -> Tree {
    match value {
        serde_json::Value::Object(map) => Tree::Map(
            sorted(map)
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone().into(), without_nulls(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => Tree::Seq(items.iter().map(without_nulls).collect()),
        other => Tree::from(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(value: &serde_json::Value) -> Tree {
        Tree::from(value)
    }

    #[test]
    fn mappings_merge_scalars_and_lists_replace_null_deletes() {
        let mut document = tree(&json!({
            "Resources": {
                "Web": {"Type": "AWS::ECS::Service", "Properties": {"LaunchType": "FARGATE", "DesiredCount": 1, "Subnets": ["a", "b"]}}
            }
        }));
        apply(
            &mut document,
            &json!({
                "Resources": {
                    "Web": {"Properties": {"LaunchType": null, "DesiredCount": 3, "Subnets": ["c"]}},
                    "Extra": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t", "Gone": null}}
                }
            }),
        );
        assert_eq!(
            serde_json::to_value(&document).unwrap(),
            (json!({
                "Resources": {
                    "Web": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 3, "Subnets": ["c"]}},
                    "Extra": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}
                }
            }))
        );
    }
}
