//! `compose2cfn config`: the project as Docker Compose resolves it (files merged, variables
//! interpolated, `include` and `extends` applied, `env_file` read into `environment`,
//! inactive profiles left out), in the canonical form `docker compose config` prints:
//! short syntaxes expanded to the long ones, keys sorted, so the same project always
//! prints the same bytes. Also the `--services`, `--volumes`, `--networks`, `--profiles`
//! and `--images` listings.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::load::Node;
use crate::model::ports;
use crate::model::spec::Port;
use crate::model::units::shell_words;
use crate::model::volumes::split_short;

/// A resolved project: the document after loading, known to match the Compose schema.
#[derive(Debug)]
pub struct Resolved {
    pub root: Node,
    pub name: String,
    /// Where relative bind-mount sources start.
    pub project_dir: PathBuf,
    /// `HOME`, for bind-mount sources under `~`.
    pub home: Option<String>,
    /// Every profile a service names, active or not.
    pub profiles: BTreeSet<String>,
}

/// How one service key is brought to its canonical form.
type Canonical = fn(&Value) -> Value;

/// The service keys whose canonical form differs from what may be written.
const SERVICE_FORMS: &[(&str, Canonical)] = &[
    ("command", shell_list),
    ("depends_on", depends_on),
    ("entrypoint", shell_list),
    ("environment", string_map),
    ("expose", strings),
    ("labels", string_map),
    ("networks", name_map),
    ("ports", ports_long),
    ("sysctls", string_map),
    ("volumes", volumes_long),
];

/// Service keys that loading has resolved into others.
const RESOLVED_KEYS: &[&str] = &["env_file", "extends"];

impl Resolved {
    /// The canonical document (keys sorted).
    #[must_use]
    pub fn canonical(&self) -> crate::emit::Tree {
        let mut document = match self.root.document_json() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        document.remove("version");
        document.insert("name".to_string(), Value::String(self.name.clone()));
        let mut uses_default = false;
        if let Some(Value::Object(services)) = document.get_mut("services") {
            for service in services.values_mut() {
                if let Value::Object(fields) = service {
                    canonical_service(fields);
                    self.absolute_binds(fields);
                    uses_default |= fields
                        .get("networks")
                        .and_then(Value::as_object)
                        .is_some_and(|n| n.contains_key("default"));
                }
            }
        }
        if uses_default {
            let networks = document
                .entry("networks")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(networks) = networks
                && !networks.contains_key("default")
            {
                networks.insert(
                    "default".to_string(),
                    json!({ "name": format!("{}_default", self.name) }),
                );
            }
        }
        let mut document = Value::Object(document);
        escape_dollars(&mut document);
        crate::emit::Tree::from(&document)
    }

    /// Bind-mount sources as absolute paths, as Compose prints them.
    fn absolute_binds(&self, fields: &mut Map<String, Value>) {
        let Some(Value::Array(mounts)) = fields.get_mut("volumes") else {
            return;
        };
        for mount in mounts {
            if mount.get("type").and_then(Value::as_str) != Some("bind") {
                continue;
            }
            if let Some(Value::String(source)) = mount.get_mut("source") {
                let path = match (source.strip_prefix('~'), &self.home) {
                    (Some(rest), Some(home)) => Path::new(home).join(rest.trim_start_matches('/')),
                    _ => self.project_dir.join(&*source),
                };
                *source = crate::load::clean(&path).display().to_string();
            }
        }
    }

    /// The names a top-level section defines (`services`, `networks`, `volumes`, ...),
    /// sorted.
    #[must_use]
    pub fn names(&self, section: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .root
            .get(section)
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| e.key.clone())
            .collect();
        names.sort();
        names
    }

    /// Each service's image, in service order (`<project>-<service>` for a service that
    /// is only built, as Compose names the image it builds).
    #[must_use]
    pub fn images(&self) -> Vec<String> {
        self.service_nodes()
            .map(
                |(name, service)| match service.get("image").and_then(Node::as_str) {
                    Some(image) => image.to_string(),
                    None => format!("{}-{name}", self.name),
                },
            )
            .collect()
    }

    fn service_nodes(&self) -> impl Iterator<Item = (&str, &Node)> {
        let mut services: Vec<(&str, &Node)> = self
            .root
            .get("services")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        services.sort_by_key(|(name, _)| *name);
        services.into_iter()
    }
}

fn canonical_service(fields: &mut Map<String, Value>) {
    for key in RESOLVED_KEYS {
        fields.remove(*key);
    }
    for (key, form) in SERVICE_FORMS {
        if let Some(value) = fields.get_mut(*key) {
            *value = form(value);
        }
    }
    if let Some(Value::Object(health)) = fields.get_mut("healthcheck")
        && let Some(Value::String(test)) = health.get("test")
    {
        let test = json!(["CMD-SHELL", test]);
        health.insert("test".to_string(), test);
    }
    if !fields.contains_key("networks") && !fields.contains_key("network_mode") {
        fields.insert("networks".to_string(), json!({ "default": null }));
    }
}

/// Every `$` in a string value written as `$$`, so that the printed project loads again
/// to the same values (interpolation has already happened), as `docker compose config`
/// prints it.
fn escape_dollars(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('$') => *s = s.replace('$', "$$"),
        Value::Array(items) => items.iter_mut().for_each(escape_dollars),
        Value::Object(map) => map.values_mut().for_each(escape_dollars),
        _ => {}
    }
}

/// A scalar as the string Compose keeps (numbers and booleans as written).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A command string split into words as a shell would; a list as it is.
fn shell_list(value: &Value) -> Value {
    match value {
        Value::String(s) => shell_words(s).map_or_else(|_| value.clone(), |words| json!(words)),
        _ => value.clone(),
    }
}

/// `KEY=value` lists and mappings alike as a mapping to strings (`null` for a bare key).
fn string_map(value: &Value) -> Value {
    let mut map = Map::new();
    match value {
        Value::Object(entries) => {
            for (k, v) in entries {
                map.insert(k.clone(), text(v).map_or(Value::Null, Value::String));
            }
        }
        Value::Array(items) => {
            for item in items.iter().filter_map(text) {
                match item.split_once('=') {
                    Some((k, v)) => map.insert(k.to_string(), Value::String(v.to_string())),
                    None => map.insert(item, Value::Null),
                };
            }
        }
        _ => return value.clone(),
    }
    Value::Object(map)
}

fn strings(value: &Value) -> Value {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|i| text(i).map_or_else(|| i.clone(), Value::String))
            .collect(),
        _ => value.clone(),
    }
}

/// A list of names as a mapping from each name to `null`.
fn name_map(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Object(
            items
                .iter()
                .filter_map(text)
                .map(|name| (name, Value::Null))
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// `depends_on` in the long form, with Compose's defaults.
fn depends_on(value: &Value) -> Value {
    let long = |condition: Option<&Value>, required: Option<&Value>, restart: Option<&Value>| {
        let mut entry = Map::new();
        entry.insert(
            "condition".to_string(),
            condition.cloned().unwrap_or(json!("service_started")),
        );
        entry.insert(
            "required".to_string(),
            required.cloned().unwrap_or(json!(true)),
        );
        if let Some(restart) = restart {
            entry.insert("restart".to_string(), restart.clone());
        }
        Value::Object(entry)
    };
    match value {
        Value::Array(items) => Value::Object(
            items
                .iter()
                .filter_map(text)
                .map(|name| (name, long(None, None, None)))
                .collect(),
        ),
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(name, e)| {
                    (
                        name.clone(),
                        long(e.get("condition"), e.get("required"), e.get("restart")),
                    )
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// Every port in the long form, ranges expanded.
fn ports_long(value: &Value) -> Value {
    let Value::Array(items) = value else {
        return value.clone();
    };
    let mut out = Vec::new();
    for item in items {
        let parsed = serde_json::from_value::<Port>(item.clone())
            .ok()
            .and_then(|p| ports::parse(&p).ok());
        let Some(mappings) = parsed else {
            out.push(item.clone());
            continue;
        };
        for m in mappings {
            let mut port = Map::new();
            port.insert("mode".to_string(), json!("ingress"));
            port.insert("target".to_string(), json!(m.target));
            if let Some(published) = m.published {
                port.insert("published".to_string(), json!(published.to_string()));
            }
            port.insert("protocol".to_string(), json!(m.protocol.lower()));
            if let Some(host_ip) = &m.host_ip {
                port.insert("host_ip".to_string(), json!(host_ip));
            }
            for key in ["app_protocol", "name", "x-aws-protocol"] {
                if let Some(v) = item.get(key) {
                    port.insert(key.to_string(), v.clone());
                }
            }
            out.push(Value::Object(port));
        }
    }
    Value::Array(out)
}

/// Every mount in the long form: `source:target[:mode]`, `target` alone for an
/// anonymous volume; a source that is a path makes a bind mount.
fn volumes_long(value: &Value) -> Value {
    let Value::Array(items) = value else {
        return value.clone();
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(short) => volume_long(short),
            _ => item.clone(),
        })
        .collect()
}

fn volume_long(short: &str) -> Value {
    let (source, target, mode) = split_short(short);
    let mut mount = Map::new();
    let kind = match source {
        Some(s) if s.starts_with(['.', '/', '~']) => "bind",
        _ => "volume",
    };
    mount.insert("type".to_string(), json!(kind));
    if let Some(source) = source {
        mount.insert("source".to_string(), json!(source));
    }
    mount.insert("target".to_string(), json!(target));
    let modes: Vec<&str> = mode.map(|m| m.split(',').collect()).unwrap_or_default();
    if modes.contains(&"ro") {
        mount.insert("read_only".to_string(), json!(true));
    }
    if kind == "bind" {
        mount.insert("bind".to_string(), json!({ "create_host_path": true }));
    } else if modes.contains(&"nocopy") {
        mount.insert("volume".to_string(), json!({ "nocopy": true }));
    }
    Value::Object(mount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms() {
        assert_eq!(shell_list(&json!("echo 'a b'")), json!(["echo", "a b"]));
        assert_eq!(
            string_map(&json!(["A=1", "B"])),
            json!({"A": "1", "B": null})
        );
        assert_eq!(
            depends_on(&json!(["db"])),
            json!({"db": {"condition": "service_started", "required": true}})
        );
        assert_eq!(
            ports_long(&json!(["127.0.0.1:8080:80/udp"])),
            json!([{"mode": "ingress", "target": 80, "published": "8080", "protocol": "udp", "host_ip": "127.0.0.1"}])
        );
        assert_eq!(
            volume_long("data:/var/lib:ro"),
            json!({"type": "volume", "source": "data", "target": "/var/lib", "read_only": true})
        );
        assert_eq!(
            volume_long("/cache"),
            json!({"type": "volume", "target": "/cache"})
        );
    }
}
