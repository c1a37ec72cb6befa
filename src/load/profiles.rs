//! Profiles: a service that lists `profiles` is left out unless one of them is active
//! (`*` activates all), and a service an active service depends on is pulled in, as
//! Compose does.

use std::collections::BTreeSet;

use super::tree::{Entry, Node, Value};

/// Leaves out the services no active profile enables; returns them.
pub(super) fn apply(root: &mut Node, active: &[String]) -> Vec<Entry> {
    let Some(services) = root.map_mut("services") else {
        return Vec::new();
    };
    let all = active.iter().any(|p| p == "*");
    let enabled_by_profile = |service: &Node| match service.get("profiles").map(|p| &p.value) {
        Some(Value::Seq(list)) if !list.is_empty() => {
            all || list
                .iter()
                .any(|p| p.as_str().is_some_and(|p| active.iter().any(|a| a == p)))
        }
        _ => true,
    };
    let mut enabled: BTreeSet<String> = services
        .iter()
        .filter(|s| enabled_by_profile(&s.value))
        .map(|s| s.key.clone())
        .collect();
    let by_name: std::collections::HashMap<&str, &Node> = services
        .iter()
        .map(|s| (s.key.as_str(), &s.value))
        .collect();
    let mut queue: Vec<String> = enabled.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        let Some(service) = by_name.get(name.as_str()) else {
            continue;
        };
        for dependency in dependencies(service) {
            if enabled.insert(dependency.clone()) {
                queue.push(dependency);
            }
        }
    }
    let (kept, left_out) = std::mem::take(services)
        .into_iter()
        .partition(|s| enabled.contains(&s.key));
    *services = kept;
    left_out
}

fn dependencies(service: &Node) -> Vec<String> {
    match service.get("depends_on").map(|d| &d.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect(),
        Some(Value::Map(entries)) => entries.iter().map(|e| e.key.clone()).collect(),
        _ => Vec::new(),
    }
}

/// Every profile a service names.
pub(super) fn declared(root: &Node) -> BTreeSet<String> {
    root.get("services")
        .and_then(Node::as_map)
        .into_iter()
        .flatten()
        .filter_map(
            |service| match service.value.get("profiles").map(|p| &p.value) {
                Some(Value::Seq(list)) => Some(list),
                _ => None,
            },
        )
        .flatten()
        .filter_map(|p| p.as_str().map(String::from))
        .collect()
}
