//! `compose2cfn plan`: per Compose service, the resources it produced and what happened to
//! each of its keys (lowered, resolved by the loader, ignored, dropped, ...), with the
//! defaults the template filled in where the file said nothing; then the project-wide
//! resources.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Owner, owners, short_kind};
use crate::ir::Template;
use crate::load::Node;
use crate::model::{Locator, Project, Service};
use crate::path;
use crate::validate::support::{Support, TABLE, Verdict};

/// The plan as text, ending in a newline.
#[must_use]
pub fn plan(template: &Template, project: &Project, root: &Node) -> String {
    let mut owned: BTreeMap<Owner, Vec<&str>> = BTreeMap::new();
    for (id, owner) in owners(template, project) {
        owned.entry(owner).or_default().push(id);
    }
    let at = Locator::new(root);
    let mut out = String::new();
    for service in project.services.values() {
        let _ = writeln!(out, "service {}", service.name);
        resources(
            &mut out,
            template,
            &owned,
            &Owner::Service(service.name.clone()),
        );
        let node = at.node(&path!["services", service.name.as_str()]);
        for (kind, keys) in keys_by_kind(node) {
            let _ = writeln!(out, "  {kind:<10} {}", keys.join(", "));
        }
        let defaults = defaults(service, node);
        if !defaults.is_empty() {
            let _ = writeln!(out, "  {:<10} {}", "defaulted", defaults.join("; "));
        }
        out.push('\n');
    }
    for network in project.networks.values() {
        let owner = Owner::Network(network.name.clone());
        if owned.contains_key(&owner) {
            let _ = writeln!(out, "network {}", network.name);
            resources(&mut out, template, &owned, &owner);
            out.push('\n');
        }
    }
    out.push_str("project\n");
    resources(&mut out, template, &owned, &Owner::Project);
    out
}

fn resources(
    out: &mut String,
    template: &Template,
    owned: &BTreeMap<Owner, Vec<&str>>,
    owner: &Owner,
) {
    for id in owned.get(owner).into_iter().flatten() {
        let kind = short_kind(template.resources[*id].kind);
        let _ = writeln!(out, "  + {id} ({kind})");
    }
}

/// The service's keys, grouped by what happened to them, in a fixed order.
fn keys_by_kind(service: Option<&Node>) -> Vec<(&'static str, Vec<String>)> {
    const ORDER: [&str; 8] = [
        "lowered",
        "resolved",
        "checked",
        "ignored",
        "dropped",
        "rejected",
        "not yet",
        "extension",
    ];
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for entry in service.and_then(Node::as_map).unwrap_or(&[]) {
        let row = TABLE
            .iter()
            .find(|r| r.section == "services.*" && r.key == entry.key);
        let kind = match row.map(|r| &r.support) {
            None => "extension",
            Some(Support::Lowered(_)) => "lowered",
            Some(Support::Resolved(_)) => "resolved",
            Some(Support::Checked(_)) => "checked",
            Some(Support::Ignored(_)) => "ignored",
            Some(Support::Dropped(_)) => "dropped",
            Some(Support::Rejected(_)) => "rejected",
            Some(Support::NotYet(_)) => "not yet",
            Some(Support::Depends(decide, _)) => match decide(&entry.value) {
                None => "lowered",
                Some(Verdict::Ignored(_)) => "ignored",
                Some(Verdict::Rejected(_)) => "rejected",
                Some(Verdict::NotYet(_)) => "not yet",
            },
        };
        groups.entry(kind).or_default().push(entry.key.clone());
    }
    ORDER
        .iter()
        .filter_map(|kind| groups.remove(kind).map(|keys| (*kind, keys)))
        .collect()
}

/// What the template chose where the file said nothing.
fn defaults(service: &Service, node: Option<&Node>) -> Vec<String> {
    let has = |key: &str| node.and_then(|n| n.get(key)).is_some();
    let mut out = Vec::new();
    if service.replicas_span.is_none() {
        out.push(format!("replicas {}", service.replicas));
    }
    if service.cpus.is_none() && service.memory.is_none() {
        out.push("task size 0.25 vCPU / 512 MiB (the smallest Fargate size)".to_string());
    }
    if !has("logging") {
        out.push("logs to CloudWatch Logs (`/docker-compose/<stack name>`)".to_string());
    }
    if !has("networks") && !has("network_mode") {
        out.push("network `default`".to_string());
    }
    out
}
