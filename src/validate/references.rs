//! Cross-references and names: networks and `depends_on` targets must exist, dependencies
//! must not form a cycle, Compose names must give distinct logical IDs, and two services
//! cannot publish the same load balancer port.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::did_you_mean;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{Condition, Project};
use crate::platform::names::normalize;
use crate::source::Span;

pub(super) fn check(project: &Project, diags: &mut Diagnostics) {
    for service in project.services.values() {
        for (network, span) in &service.networks {
            if !project.networks.contains_key(network) {
                let mut d = Diagnostic::new(
                    Code::UndefinedNetwork,
                    format!(
                        "service `{}` uses undefined network `{network}`",
                        service.name
                    ),
                )
                .at_labelled(
                    span.unwrap_or(service.span),
                    "not defined under the top-level `networks`",
                );
                d = match did_you_mean(network, project.networks.keys().map(String::as_str)) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")),
                    None => d.with_help(format!("define it:\n  networks:\n    {network}: {{}}")),
                };
                diags.push(d);
            }
        }
        for dep in service
            .depends_on
            .iter()
            .filter(|d| d.condition == Condition::CompletedSuccessfully)
        {
            diags.push(
                Diagnostic::new(
                    Code::IgnoredValue,
                    format!("`{}` cannot wait for `{}` to complete", service.name, dep.service),
                )
                .at(dep.span)
                .with_help(format!(
                    "every Compose service becomes an ECS service, which keeps its tasks running: `{}` is started again each time it exits, and `{}` does not wait for it",
                    dep.service, service.name
                )),
            );
        }
        for dep in &service.depends_on {
            if !project.services.contains_key(&dep.service) && dep.required {
                let mut d = Diagnostic::new(
                    Code::UndefinedService,
                    format!(
                        "service `{}` depends on undefined service `{}`",
                        service.name, dep.service
                    ),
                )
                .at(dep.span);
                if let Some(best) =
                    did_you_mean(&dep.service, project.services.keys().map(String::as_str))
                {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                diags.push(d);
            }
        }
    }
    for service in project.services.values() {
        service_name(service, diags);
    }
    cycles(project, diags);
    collisions(project, diags);
    port_conflicts(project, diags);
}

/// Longest name a Cloud Map service (a DNS label) may have.
const MAX_SERVICE_NAME: usize = 63;

/// A service name becomes a container name and a DNS label: letters, digits, `-` and `_`,
/// at most 63 characters.
fn service_name(service: &crate::model::Service, diags: &mut Diagnostics) {
    let name = &service.name;
    if name.contains('.') {
        diags.push(
            Diagnostic::new(Code::InvalidName, format!("service name `{name}` contains a dot"))
                .at(service.span)
                .with_help("ECS container names and Cloud Map DNS names cannot contain `.`; rename the service"),
        );
    } else if name.len() > MAX_SERVICE_NAME {
        diags.push(
            Diagnostic::new(
                Code::InvalidName,
                format!("service name `{name}` is longer than {MAX_SERVICE_NAME} characters"),
            )
            .at(service.span)
            .with_help(
                "the name becomes a DNS label in the project's Cloud Map namespace; shorten it",
            ),
        );
    }
}

/// Reports each dependency cycle once, with the whole chain.
fn cycles(project: &Project, diags: &mut Diagnostics) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        name: &'a str,
        project: &'a Project,
        marks: &mut BTreeMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
        found: &mut Vec<Vec<&'a str>>,
    ) {
        match marks.get(name) {
            Some(Mark::Done) => return,
            Some(Mark::Visiting) => {
                if let Some(start) = stack.iter().position(|s| *s == name) {
                    found.push(stack[start..].to_vec());
                }
                return;
            }
            None => {}
        }
        let Some(service) = project.services.get(name) else {
            return;
        };
        marks.insert(name, Mark::Visiting);
        stack.push(name);
        for dep in &service.depends_on {
            visit(&dep.service, project, marks, stack, found);
        }
        stack.pop();
        marks.insert(name, Mark::Done);
    }
    let mut marks = BTreeMap::new();
    let mut found = Vec::new();
    for name in project.services.keys() {
        visit(name, project, &mut marks, &mut Vec::new(), &mut found);
    }
    for cycle in found {
        let first = &project.services[cycle[0]];
        let chain: Vec<&str> = cycle
            .iter()
            .copied()
            .chain(std::iter::once(cycle[0]))
            .collect();
        let next = cycle.get(1).copied().unwrap_or(cycle[0]);
        let span = first
            .depends_on
            .iter()
            .find(|d| d.service == next)
            .map_or(first.span, |d| d.span);
        let mut d = Diagnostic::new(
            Code::DependencyCycle,
            format!(
                "services depend on each other in a cycle: {}",
                chain.join(" → ")
            ),
        )
        .at_labelled(span, format!("`{}` depends on `{next}`", first.name));
        for (i, name) in cycle.iter().enumerate().skip(1) {
            let to = cycle.get(i + 1).copied().unwrap_or(cycle[0]);
            if let Some(dep) = project.services[*name]
                .depends_on
                .iter()
                .find(|d| d.service == to)
            {
                d = d.with_label(dep.span, format!("`{name}` depends on `{to}`"));
            }
        }
        diags.push(d.with_help("remove one of these dependencies"));
    }
}

/// A Compose name and where it is defined.
type Named<'a> = (&'a String, Option<Span>);

/// Names that normalise to the same logical-ID stem.
fn collisions(project: &Project, diags: &mut Diagnostics) {
    let mut groups: Vec<(String, Vec<Named<'_>>)> = vec![
        (
            "service".into(),
            project
                .services
                .values()
                .map(|s| (&s.name, Some(s.span)))
                .collect(),
        ),
        (
            "network".into(),
            project
                .networks
                .values()
                .map(|n| (&n.name, n.span))
                .collect(),
        ),
        (
            "volume".into(),
            project
                .volumes
                .values()
                .map(|v| (&v.name, Some(v.span)))
                .collect(),
        ),
        (
            "secret".into(),
            project
                .secrets
                .values()
                .map(|s| (&s.name, Some(s.span)))
                .collect(),
        ),
    ];
    // Each subpath of a volume has its own access point, named after the subpath.
    let mut subpaths: BTreeMap<&str, BTreeMap<&String, Span>> = BTreeMap::new();
    for mount in project.services.values().flat_map(|s| &s.mounts) {
        if let Some(subpath) = &mount.subpath {
            subpaths
                .entry(mount.volume.as_str())
                .or_default()
                .entry(subpath)
                .or_insert(mount.span);
        }
    }
    for (volume, used) in subpaths {
        let names = used
            .into_iter()
            .map(|(path, span)| (path, Some(span)))
            .collect();
        groups.push((format!("`{volume}` subpath"), names));
    }
    for (kind, names) in groups {
        let mut seen: BTreeMap<String, Named<'_>> = BTreeMap::new();
        for (name, span) in names {
            let id = normalize(name);
            if id.is_empty() {
                if let Some(span) = span {
                    diags.push(
                        Diagnostic::new(Code::InvalidName, format!("{kind} name `{name}` has no letter or digit"))
                            .at(span)
                            .with_help("CloudFormation logical IDs are built from the letters and digits of the name"),
                    );
                }
                continue;
            }
            match seen.get(&id) {
                Some((other, other_span)) => {
                    let mut d = Diagnostic::new(
                        Code::NameCollision,
                        format!("{kind}s `{other}` and `{name}` both become `{id}` in CloudFormation logical IDs"),
                    )
                    .at_labelled(span.unwrap_or_default(), "this name");
                    if let Some(other_span) = other_span {
                        d = d.with_label(*other_span, "collides with this one");
                    }
                    diags.push(d.with_help(format!(
                        "rename one {kind}: logical IDs keep only letters and digits"
                    )));
                }
                None => {
                    seen.insert(id, (name, span));
                }
            }
        }
    }
}

/// Listeners one load balancer may have (an Elastic Load Balancing quota).
const MAX_LISTENERS: usize = 50;

/// One load balancer listens once on a port, on at most 50 ports.
fn port_conflicts(project: &Project, diags: &mut Diagnostics) {
    let mut taken: BTreeMap<u16, (&str, Span)> = BTreeMap::new();
    for service in project.services.values() {
        let mut own = BTreeSet::new();
        for entry in project.published(service) {
            let span = entry.span;
            for published in entry.route.ports().filter(|p| own.insert(*p)) {
                if let Some((other, other_span)) = taken.get(&published) {
                    diags.push(
                        Diagnostic::new(Code::PortConflict, format!("port {published} is published by `{other}` and `{}`", service.name))
                            .at_labelled(span, "published again here")
                            .with_label(*other_span, "first published here")
                            .with_help("the stack has one load balancer, which listens once on each port; publish another port"),
                    );
                    continue;
                }
                if taken.len() == MAX_LISTENERS {
                    diags.push(
                        Diagnostic::new(Code::TooManyListeners, format!("more than {MAX_LISTENERS} ports are published"))
                            .at_labelled(span, format!("port {published} would be listener {}", MAX_LISTENERS + 1))
                            .with_help("a load balancer has at most 50 listeners; publish fewer ports, or use `expose` for ports that only other services need"),
                    );
                }
                taken.insert(published, (&service.name, span));
            }
        }
    }
}
