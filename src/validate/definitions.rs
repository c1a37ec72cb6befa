//! Top-level definitions and the services that use them: a service may only use the
//! volumes, secrets and configs the project defines (as Compose requires), and a network,
//! volume, secret or config that no service uses, in any profile, is a warning (the stack
//! leaves it out).

use std::collections::BTreeSet;

use crate::diag::did_you_mean;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Entry, Node, Value};
use crate::model::volumes::{is_path, split_short};
use crate::source::Span;

/// The top-level sections whose entries services refer to, with the singular for
/// messages.
const SECTIONS: [(&str, &str); 4] = [
    ("networks", "network"),
    ("volumes", "volume"),
    ("secrets", "secret"),
    ("configs", "config"),
];

/// One use of a definition by a service.
struct Use {
    section: &'static str,
    name: String,
    span: Span,
}

pub(super) fn check(root: &Node, inactive: &[Entry], diags: &mut Diagnostics) {
    let active = root.get("services").and_then(Node::as_map).unwrap_or(&[]);
    let mut used: BTreeSet<(&str, String)> = BTreeSet::new();
    for service in active.iter().chain(inactive) {
        for one in uses(&service.value) {
            used.insert((one.section, one.name));
        }
    }
    for service in active {
        for one in uses(&service.value) {
            if one.section == "networks" {
                continue; // E0406, with the model's view of networks
            }
            let defined = definitions(root, one.section);
            if !defined.iter().any(|d| d.key == one.name) {
                diags.push(undefined(&service.key, &one, defined));
            }
        }
    }
    for (section, singular) in SECTIONS {
        for definition in definitions(root, section) {
            if !used.contains(&(section, definition.key.clone())) {
                diags.push(
                    Diagnostic::new(
                        Code::UnusedDefinition,
                        format!("{singular} `{}` is not used by any service", definition.key),
                    )
                    .at(definition.key_span)
                    .with_help(format!(
                        "the stack leaves it out; remove it, or use it in the services that need it: `{}`",
                        usage(section, &definition.key)
                    )),
                );
            }
        }
    }
}

/// How a service uses a definition, for the help line.
fn usage(section: &str, name: &str) -> String {
    match section {
        "volumes" => format!("volumes: [\"{name}:/path/in/container\"]"),
        _ => format!("{section}: [{name}]"),
    }
}

fn definitions<'a>(root: &'a Node, section: &str) -> &'a [Entry] {
    root.get(section).and_then(Node::as_map).unwrap_or(&[])
}

fn undefined(service: &str, one: &Use, defined: &[Entry]) -> Diagnostic {
    let singular = SECTIONS
        .iter()
        .find(|(s, _)| *s == one.section)
        .map_or("resource", |(_, s)| s);
    let diagnostic = Diagnostic::new(
        Code::UndefinedResource,
        format!(
            "service `{service}` uses undefined {singular} `{}`",
            one.name
        ),
    )
    .at_labelled(
        one.span,
        format!("not defined under the top-level `{}`", one.section),
    );
    match did_you_mean(&one.name, defined.iter().map(|d| d.key.as_str())) {
        Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
        None => diagnostic.with_help(format!(
            "define it:\n  {}:\n    {}: {{}}",
            one.section, one.name
        )),
    }
}

/// The definitions a service uses: its networks (the `default` network when it names
/// none and has no `network_mode`), named volumes, secrets and configs.
fn uses(service: &Node) -> Vec<Use> {
    let mut out = Vec::new();
    match service.get("networks") {
        Some(networks) => out.extend(names(networks).into_iter().map(|(name, span)| Use {
            section: "networks",
            name,
            span,
        })),
        None if service.get("network_mode").is_none() => out.push(Use {
            section: "networks",
            name: "default".to_string(),
            span: service.span,
        }),
        None => {}
    }
    for item in items(service.get("volumes")) {
        if let Some((name, span)) = named_volume(item) {
            out.push(Use {
                section: "volumes",
                name,
                span,
            });
        }
    }
    for section in ["secrets", "configs"] {
        for item in items(service.get(section)) {
            let source = match &item.value {
                Value::String(name) => Some((name.clone(), item.span)),
                Value::Map(_) => item
                    .get("source")
                    .and_then(|s| Some((s.as_str()?.to_string(), s.span))),
                _ => None,
            };
            if let Some((name, span)) = source {
                out.push(Use {
                    section,
                    name,
                    span,
                });
            }
        }
    }
    out
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

/// The names in a list of names or the keys of a mapping.
fn names(node: &Node) -> Vec<(String, Span)> {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| Some((i.as_str()?.to_string(), i.span)))
            .collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|e| (e.key.clone(), e.key_span))
            .collect(),
        _ => Vec::new(),
    }
}

/// The volume a mount names, when it mounts a named volume (not a path, not anonymous).
pub(super) fn named_volume(item: &Node) -> Option<(String, Span)> {
    match &item.value {
        Value::String(text) => {
            let (Some(source), _, _) = split_short(text) else {
                return None;
            };
            (!is_path(source)).then(|| (source.to_string(), item.span))
        }
        Value::Map(_) => {
            let kind = item.get("type").and_then(Node::as_str).unwrap_or("volume");
            let source = item.get("source")?;
            let name = source.as_str().filter(|s| !s.is_empty())?;
            (kind == "volume").then(|| (name.to_string(), source.span))
        }
        _ => None,
    }
}
