//! Seeing what a Compose file becomes: `graph` draws the template's resources and their
//! references (mermaid or dot), `plan` lists per Compose service the resources it produced
//! and what happened to each of its keys. Both read a finished compilation; this module
//! owns how resources are attributed to Compose services and networks.

pub mod graph;
pub mod plan;

use std::collections::BTreeMap;

use crate::ir::{Name, Resource, Template, Value};
use crate::model::Project;

/// Where a resource belongs, for grouping.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    /// A Compose service (its task definition, ECS service, listeners, roles, ...).
    Service(String),
    /// A Compose network (its security group).
    Network(String),
    /// Project-wide plumbing: VPC, cluster, load balancer, log group, namespace.
    Project,
}

impl Owner {
    /// A heading for the group.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Owner::Service(name) => format!("service {name}"),
            Owner::Network(name) => format!("network {name}"),
            Owner::Project => "project".to_string(),
        }
    }
}

/// The owner of every resource, from the Compose element each was lowered from.
#[must_use]
pub fn owners<'t>(template: &'t Template, project: &Project) -> BTreeMap<&'t str, Owner> {
    template
        .resources
        .iter()
        .map(|(id, resource)| (id.as_str(), owner(id, resource, project)))
        .collect()
}

fn owner(id: &str, resource: &Resource, project: &Project) -> Owner {
    // A network's security group and its ingress rule are named after the network (the
    // implicit `default` network borrows its first member's span, so spans cannot tell).
    if let Some(network) = project.networks.values().find(|n| {
        let group = crate::platform::names::network_id(&n.name);
        id == group || id.strip_prefix(group.as_str()) == Some("Ingress")
    }) {
        return Owner::Network(network.name.clone());
    }
    match &resource.owner {
        Some(service) => Owner::Service(service.clone()),
        None => Owner::Project,
    }
}

/// The resources a resource refers to with `Ref`, `Fn::GetAtt` or `Fn::Sub` (parameters
/// and pseudo parameters left out), sorted and without repeats.
#[must_use]
pub fn references<'t>(resource: &Resource, template: &'t Template) -> Vec<&'t str> {
    let mut found = std::collections::BTreeSet::new();
    collect(&resource.properties, &mut found);
    found
        .iter()
        .filter_map(|id| template.resources.get_key_value(id))
        .map(|(id, _)| id.as_str())
        .collect()
}

fn collect(value: &Value, found: &mut std::collections::BTreeSet<String>) {
    value.each_name(&mut |name| {
        if !matches!(name, Name::Condition(_)) {
            found.insert(name.target().to_string());
        }
    });
}

/// `AWS::ECS::Service` → `ECS::Service`.
#[must_use]
pub fn short_kind(kind: &str) -> &str {
    kind.strip_prefix("AWS::").unwrap_or(kind)
}
