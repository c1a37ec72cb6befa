//! `extends`, resolved in each Compose file before the files are merged, as Docker Compose
//! does: a service starts from a copy of another service of the same file, or of another
//! file (`extends.file`, relative to the project directory; inside that file, relative to
//! its own folder), resolved first if it extends in turn, and merges its own keys onto it
//! with the merge rules of override files. A chain that comes back to a service is a cycle;
//! the diagnostic shows the chain.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::merge;
use super::tree::{Entry, Node, Value};
use super::{Env, Loader};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// A service: its file (`None` for the document being loaded) and name.
type Key = (Option<PathBuf>, String);

/// Where a table of services comes from: its file (`None` for the document being loaded)
/// and the folder its relative `extends.file` paths start from.
#[derive(Clone, Copy)]
struct Scope<'p> {
    file: Option<&'p PathBuf>,
    dir: &'p Path,
}

/// The target of an `extends`: service name and, when another file, its path and span.
struct Target {
    service: String,
    service_span: Span,
    file: Option<(PathBuf, Span)>,
}

/// One document's resolution: the loader, the variables for extended files, the services
/// the current chain has passed (with their `extends` spans) and those that cannot be
/// resolved, so that each problem is reported once.
struct Resolver<'l, 'a> {
    loader: &'l mut Loader<'a>,
    env: &'l Env,
    passed: Vec<(Key, Span)>,
    failed: HashSet<Key>,
}

/// Resolves `extends` for every service of `document`; `dir` is where its relative
/// `extends.file` paths start.
pub(super) fn apply(loader: &mut Loader, document: &mut Node, dir: &Path, env: &Env) {
    let Some(services) = document.map_mut("services") else {
        return;
    };
    let mut resolver = Resolver {
        loader,
        env,
        passed: Vec::new(),
        failed: HashSet::new(),
    };
    let scope = Scope { file: None, dir };
    // Only services that extend another are looked at (by name: a service's base may
    // come later in the file); a large project stays linear.
    for index in 0..services.len() {
        if services[index].value.get("extends").is_none() {
            continue;
        }
        let name = services[index].key.clone();
        resolver.resolve(services, scope, &name);
    }
}

fn target(extends: &Node, dir: &Path) -> Option<Target> {
    match &extends.value {
        Value::String(service) => Some(Target {
            service: service.clone(),
            service_span: extends.span,
            file: None,
        }),
        Value::Map(_) => {
            let service = extends.get("service")?;
            let file = match extends.get("file") {
                Some(file) => Some((super::clean(&dir.join(file.as_str()?)), file.span)),
                None => None,
            };
            Some(Target {
                service: service.as_str()?.to_string(),
                service_span: service.span,
                file,
            })
        }
        _ => None,
    }
}

impl Resolver<'_, '_> {
    /// Resolves the `extends` of service `name` in `services`, in place. Returns whether
    /// the service is usable as a base.
    fn resolve(&mut self, services: &mut [Entry], scope: Scope, name: &str) -> bool {
        let Some(index) = services.iter().position(|s| s.key == name) else {
            return false;
        };
        let Some(extends) = services[index].value.get("extends") else {
            return true;
        };
        let Some(target) = target(extends, scope.dir) else {
            return false; // malformed: the schema reports it
        };
        let extends_span = extends.span;
        let key: Key = (scope.file.cloned(), name.to_string());
        if self.failed.contains(&key) {
            return false;
        }
        if let Some(at) = self.passed.iter().position(|(k, _)| *k == key) {
            self.report_cycle(at, name);
            return false;
        }
        self.passed.push((key.clone(), extends_span));
        let base = match &target.file {
            None => self.base(services, scope, &target),
            Some((path, span)) => self.base_in_file(path, *span, &target),
        };
        self.passed.pop();
        let service = &mut services[index];
        let Some(base) = base else {
            self.failed.insert(key);
            // The service stays as written, without `extends`; what it lacks is a
            // consequence of the error already reported, not news.
            self.loader
                .diags
                .mute(service.key_span.to(service.value.span));
            if let Value::Map(fields) = &mut service.value.value {
                fields.retain(|f| f.key != "extends");
            }
            return false;
        };
        let mut own = std::mem::replace(&mut service.value, Node::new(Value::Null, base.span));
        if let Value::Map(fields) = &mut own.value {
            fields.retain(|f| f.key != "extends");
        }
        let mut path = vec!["services".to_string(), name.to_string()];
        service.value = merge::merge(base, own, &mut path, self.loader.diags);
        true
    }

    fn report_cycle(&mut self, at: usize, name: &str) {
        let mut steps: Vec<String> = self.passed[at..]
            .iter()
            .map(|((_, n), _)| format!("`{n}`"))
            .collect();
        steps.push(format!("`{name}`"));
        self.loader.diags.push(
            Diagnostic::new(
                Code::ExtendsCycle,
                format!("`extends` cycle: {}", steps.join(" → ")),
            )
            .at_labelled(self.passed[at].1, "the cycle starts here")
            .with_help("one service in the chain must define its keys itself instead of extending"),
        );
        let members: Vec<Key> = self.passed[at..].iter().map(|(k, _)| k.clone()).collect();
        self.failed.extend(members);
    }

    /// A copy of the base service, its own `extends` resolved; a diagnostic when there is
    /// no such service.
    fn base(&mut self, services: &mut [Entry], scope: Scope, target: &Target) -> Option<Node> {
        if !services.iter().any(|s| s.key == target.service) {
            self.unknown(target, services);
            return None;
        }
        if !self.resolve(services, scope, &target.service) {
            return None;
        }
        let base = services.iter().find(|s| s.key == target.service)?;
        Some(base.value.clone())
    }

    /// The base service from another file, with its paths made to start from that file's
    /// folder.
    fn base_in_file(&mut self, path: &PathBuf, span: Span, target: &Target) -> Option<Node> {
        let mut document = self.loader.extended_document(path, span, self.env)?;
        let mut none = Vec::new();
        let others = document.map_mut("services").unwrap_or(&mut none);
        let dir = super::parent(path);
        let scope = Scope {
            file: Some(path),
            dir: &dir,
        };
        let mut base = self.base(others, scope, target)?;
        if let Value::Map(fields) = &mut base.value
            && let Some(entry) = fields.iter_mut().find(|e| e.key == "env_file")
        {
            super::include::rebase_paths(&mut entry.value, &dir);
        }
        Some(base)
    }

    fn unknown(&mut self, target: &Target, services: &[Entry]) {
        let place = match &target.file {
            Some((path, _)) => format!("`{}`", self.loader.display(path)),
            None => "this file".to_string(),
        };
        let diagnostic = Diagnostic::new(
            Code::UnknownExtends,
            format!(
                "`extends` names service `{}`, which {place} does not define",
                target.service
            ),
        )
        .at(target.service_span);
        let names = services.iter().map(|s| s.key.as_str());
        let diagnostic = match crate::diag::did_you_mean(&target.service, names) {
            Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
            None => diagnostic.with_help(
                "`extends` without `file:` names a service of the same file; add `file:` for a service of another file",
            ),
        };
        self.loader.diags.push(diagnostic);
    }
}
