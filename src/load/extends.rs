//! `extends`: a service starts from a copy of another service (in the same project, or in
//! another Compose file, relative to the file that says `extends`), resolved first if it
//! extends in turn, and merges its own keys onto it with the merge rules of override files.
//! A chain that comes back to a service is a cycle; the diagnostic shows the chain.

use std::collections::HashSet;
use std::path::PathBuf;

use super::merge;
use super::tree::{Entry, Node, Value};
use super::{Env, Loader};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// A service: its file (`None` for the project's own) and name.
type Key = (Option<PathBuf>, String);

/// The services an `extends` chain has passed (with their `extends` spans), and those
/// that cannot be resolved, so that each problem is reported once.
#[derive(Default)]
struct Chain {
    passed: Vec<(Key, Span)>,
    failed: HashSet<Key>,
}

/// Resolves `extends` for every service of `project`.
pub(super) fn apply(loader: &mut Loader, project: &mut Node, env: &Env) {
    let Some(services) = project.map_mut("services") else {
        return;
    };
    let names: Vec<String> = services.iter().map(|s| s.key.clone()).collect();
    let mut chain = Chain::default();
    for name in names {
        resolve(loader, services, None, &name, env, &mut chain);
    }
}

/// The target of an `extends`: service name and, when another file, its path and span.
struct Target {
    service: String,
    service_span: Span,
    file: Option<(PathBuf, Span)>,
}

fn target(loader: &Loader, extends: &Node) -> Option<Target> {
    let from = |file: &str, span: Span| {
        let dir = loader
            .dir_of(span.file)
            .unwrap_or_else(|| loader.options.working_dir.clone());
        (super::clean(&dir.join(file)), span)
    };
    match &extends.value {
        Value::String(service) => Some(Target {
            service: service.clone(),
            service_span: extends.span,
            file: None,
        }),
        Value::Map(_) => {
            let service = extends.get("service")?;
            Some(Target {
                service: service.as_str()?.to_string(),
                service_span: service.span,
                file: extends
                    .get("file")
                    .and_then(|f| Some(from(f.as_str()?, f.span))),
            })
        }
        _ => None,
    }
}

/// Resolves the `extends` of service `name` in `services` (the services of `file`, or of
/// the project), in place. Returns whether the service is usable as a base.
fn resolve(
    loader: &mut Loader,
    services: &mut [Entry],
    file: Option<&PathBuf>,
    name: &str,
    env: &Env,
    chain: &mut Chain,
) -> bool {
    let Some(index) = services.iter().position(|s| s.key == name) else {
        return false;
    };
    let Some(extends) = services[index].value.get("extends") else {
        return true;
    };
    let Some(target) = target(loader, extends) else {
        return false; // malformed: the schema reports it
    };
    let extends_span = extends.span;
    let key: Key = (file.cloned(), name.to_string());
    if chain.failed.contains(&key) {
        return false;
    }
    if let Some(at) = chain.passed.iter().position(|(k, _)| *k == key) {
        let mut steps: Vec<String> = chain.passed[at..]
            .iter()
            .map(|((_, n), _)| format!("`{n}`"))
            .collect();
        steps.push(format!("`{name}`"));
        loader.diags.push(
            Diagnostic::new(
                Code::ExtendsCycle,
                format!("`extends` cycle: {}", steps.join(" → ")),
            )
            .at_labelled(chain.passed[at].1, "the cycle starts here")
            .with_help("one service in the chain must define its keys itself instead of extending"),
        );
        let members: Vec<Key> = chain.passed[at..].iter().map(|(k, _)| k.clone()).collect();
        chain.failed.extend(members);
        return false;
    }
    chain.passed.push((key.clone(), extends_span));
    let base = match &target.file {
        None => base(loader, services, file, &target, env, chain),
        Some((path, span)) => loader
            .extended_document(path, *span, env)
            .and_then(|mut document| {
                let mut none = Vec::new();
                let others = document.map_mut("services").unwrap_or(&mut none);
                base(loader, others, Some(path), &target, env, chain)
            })
            .map(|mut node| {
                rebase(&mut node, path);
                node
            }),
    };
    chain.passed.pop();
    let Some(base) = base else {
        chain.failed.insert(key);
        // The service stays as written, without `extends`; what it lacks is a
        // consequence of the error above, not news.
        let service = &mut services[index];
        loader.diags.mute(service.key_span.to(service.value.span));
        if let Value::Map(fields) = &mut service.value.value {
            fields.retain(|f| f.key != "extends");
        }
        return false;
    };
    let service = &mut services[index];
    let mut own = std::mem::replace(&mut service.value, Node::new(Value::Null, base.span));
    if let Value::Map(fields) = &mut own.value {
        fields.retain(|f| f.key != "extends");
    }
    let mut path = vec!["services".to_string(), name.to_string()];
    service.value = merge::merge(base, own, &mut path, loader.diags);
    true
}

/// A copy of the base service, its own `extends` resolved; a diagnostic when there is no
/// such service.
fn base(
    loader: &mut Loader,
    services: &mut [Entry],
    file: Option<&PathBuf>,
    target: &Target,
    env: &Env,
    chain: &mut Chain,
) -> Option<Node> {
    if !services.iter().any(|s| s.key == target.service) {
        unknown(loader, target, services);
        return None;
    }
    if !resolve(loader, services, file, &target.service, env, chain) {
        return None;
    }
    let base = services.iter().find(|s| s.key == target.service)?;
    Some(base.value.clone())
}

fn unknown(loader: &mut Loader, target: &Target, services: &[Entry]) {
    let place = match &target.file {
        Some((path, _)) => format!("`{}`", loader.display(path)),
        None => "the project".to_string(),
    };
    let mut diagnostic = Diagnostic::new(
        Code::UnknownExtends,
        format!(
            "`extends` names service `{}`, which {place} does not define",
            target.service
        ),
    )
    .at(target.service_span);
    let names = services.iter().map(|s| s.key.as_str());
    diagnostic = match crate::schema::did_you_mean(&target.service, names) {
        Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
        None => diagnostic.with_help(
            "name a service defined in that file, or add `file:` for a service of another file",
        ),
    };
    loader.diags.push(diagnostic);
}

/// Paths of a service taken from another file start from that file's folder.
fn rebase(service: &mut Node, file: &std::path::Path) {
    let dir = super::parent(file);
    if let Value::Map(fields) = &mut service.value
        && let Some(entry) = fields.iter_mut().find(|e| e.key == "env_file")
    {
        super::include::rebase_paths(&mut entry.value, &dir);
    }
}
