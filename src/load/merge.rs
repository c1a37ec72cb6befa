//! Merging Compose documents with the rules of the Compose specification: an override file
//! onto the files before it, and a service onto the base it `extends`. Mappings merge key
//! by key, scalars are replaced, sequences are appended; the exceptions are the table
//! [`RULES`]. Afterwards [`enforce_unicity`] keeps one entry per identity in the lists that
//! have one ([`UNIQUE`], the later entry wins), and [`strip_tags`] applies what is left of
//! `!reset` and `!override`. Every node keeps its span, so a diagnostic about a merged
//! value points into the file that wrote it.

use std::collections::HashMap;

use super::tree::{Entry, Node, Value};
use crate::diag::{Code, Diagnostic, Diagnostics};

/// How a key merges when both documents set it, where the default does not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// The later value replaces the earlier one.
    Replace,
    /// Both sides become lists (a mapping `K: V` becomes `K=V`), then append.
    Sequence,
    /// Both sides become mappings (a list item `name` becomes `name: null`), then merge.
    Mapping,
    /// As [`Rule::Mapping`], a list item becoming `name: {condition: service_started}`.
    DependsOn,
    /// As [`Rule::Sequence`], without repeating entries the earlier side has.
    ExtraHosts,
    /// Merged when both name the same driver (or one names none), else replaced.
    Logging,
    /// Merged when both are mappings, else replaced.
    MapOrReplace,
    /// A bare `build: ./dir` is `build: {context: ./dir}`, then merge.
    Build,
}

/// The exceptions to the default merge, by path (`*` is any one key).
const RULES: &[(&str, Rule)] = &[
    ("services.*.annotations", Rule::Sequence),
    ("services.*.build", Rule::Build),
    ("services.*.build.args", Rule::Sequence),
    ("services.*.build.additional_contexts", Rule::Sequence),
    ("services.*.build.extra_hosts", Rule::ExtraHosts),
    ("services.*.build.labels", Rule::Sequence),
    ("services.*.command", Rule::Replace),
    ("services.*.depends_on", Rule::DependsOn),
    ("services.*.deploy.labels", Rule::Sequence),
    ("services.*.dns", Rule::Sequence),
    ("services.*.dns_opt", Rule::Sequence),
    ("services.*.dns_search", Rule::Sequence),
    ("services.*.entrypoint", Rule::Replace),
    ("services.*.env_file", Rule::Sequence),
    ("services.*.environment", Rule::Sequence),
    ("services.*.extra_hosts", Rule::ExtraHosts),
    ("services.*.healthcheck.test", Rule::Replace),
    ("services.*.label_file", Rule::Sequence),
    ("services.*.labels", Rule::Sequence),
    ("services.*.logging", Rule::Logging),
    ("services.*.networks", Rule::Mapping),
    ("services.*.sysctls", Rule::Sequence),
    ("services.*.tmpfs", Rule::Sequence),
    ("services.*.ulimits.*", Rule::MapOrReplace),
    ("networks.*.labels", Rule::Sequence),
    ("volumes.*.labels", Rule::Sequence),
];

/// What identifies an entry of a list that may hold each identity once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Identity {
    /// `KEY=value` and `KEY` are identified by `KEY`.
    KeyValue,
    /// A mount, by its target path.
    VolumeTarget,
    /// A secret or config, by its target (default: under this folder).
    Mount(&'static str),
    /// A port, by host IP, published port, target port and protocol.
    Port,
    /// An `env_file` entry, by its path.
    EnvFile,
    /// A device, by its path in the container.
    Device,
    /// The scalar itself.
    Scalar,
}

/// The lists that hold each identity once, by path.
const UNIQUE: &[(&str, Identity)] = &[
    ("services.*.annotations", Identity::KeyValue),
    ("services.*.build.args", Identity::KeyValue),
    ("services.*.build.labels", Identity::KeyValue),
    ("services.*.build.tags", Identity::KeyValue),
    ("services.*.cap_add", Identity::KeyValue),
    ("services.*.cap_drop", Identity::KeyValue),
    ("services.*.configs", Identity::Mount("")),
    ("services.*.deploy.labels", Identity::KeyValue),
    ("services.*.devices", Identity::Device),
    ("services.*.dns", Identity::KeyValue),
    ("services.*.dns_opt", Identity::KeyValue),
    ("services.*.dns_search", Identity::KeyValue),
    ("services.*.env_file", Identity::EnvFile),
    ("services.*.environment", Identity::KeyValue),
    ("services.*.expose", Identity::Scalar),
    ("services.*.labels", Identity::KeyValue),
    ("services.*.links", Identity::KeyValue),
    ("services.*.networks.*.aliases", Identity::KeyValue),
    ("services.*.ports", Identity::Port),
    ("services.*.profiles", Identity::KeyValue),
    ("services.*.secrets", Identity::Mount("/run/secrets")),
    ("services.*.sysctls", Identity::KeyValue),
    ("services.*.tmpfs", Identity::KeyValue),
    ("services.*.volumes", Identity::VolumeTarget),
    ("networks.*.labels", Identity::KeyValue),
    ("volumes.*.labels", Identity::KeyValue),
];

/// The YAML tag that removes a key from the result of a merge.
pub(super) const RESET: &str = "!reset";
/// The YAML tag that replaces a value instead of merging it.
pub(super) const OVERRIDE: &str = "!override";

fn matches(pattern: &str, path: &[String]) -> bool {
    let mut parts = pattern.split('.');
    let mut keys = path.iter();
    loop {
        match (parts.next(), keys.next()) {
            (None, None) => return true,
            (Some(part), Some(key)) if part == "*" || part == key => {}
            _ => return false,
        }
    }
}

fn lookup<T: Copy>(table: &[(&str, T)], path: &[String]) -> Option<T> {
    table
        .iter()
        .find(|(pattern, _)| matches(pattern, path))
        .map(|(_, value)| *value)
}

/// Merges `over` onto `base`; `path` is where they are in the document (`[]` for whole
/// documents, `["services", name]` for a service onto its base).
pub(super) fn merge(
    base: Node,
    over: Node,
    path: &mut Vec<String>,
    diags: &mut Diagnostics,
) -> Node {
    if over.tag.as_deref() == Some(OVERRIDE) {
        return untagged(over);
    }
    match lookup(RULES, path) {
        Some(Rule::Replace) => return over,
        Some(Rule::Sequence) => return append(to_sequence(base), to_sequence(over)),
        Some(Rule::ExtraHosts) => {
            let base = to_sequence(base);
            let mut over = to_sequence(over);
            if let (Value::Seq(old), Value::Seq(new)) = (&base.value, &mut over.value) {
                new.retain(|n| !old.iter().any(|o| o.value == n.value));
            }
            return append(base, over);
        }
        Some(Rule::Mapping) => {
            return merge_mappings(to_mapping(base, None), to_mapping(over, None), path, diags);
        }
        Some(Rule::DependsOn) => {
            let started = Some("service_started");
            return merge_mappings(
                to_mapping(base, started),
                to_mapping(over, started),
                path,
                diags,
            );
        }
        Some(Rule::Logging) => {
            let driver = |n: &Node| n.get("driver").map(|d| d.value.clone());
            if let (Some(a), Some(b)) = (driver(&base), driver(&over))
                && a != b
            {
                return over;
            }
        }
        Some(Rule::MapOrReplace) if base.as_map().is_none() || over.as_map().is_none() => {
            return over;
        }
        Some(Rule::MapOrReplace) | None => {}
        Some(Rule::Build) => {
            return merge_mappings(build_mapping(base), build_mapping(over), path, diags);
        }
    }
    match (&base.value, &over.value) {
        // An empty key on either side leaves the other side's list or mapping as it is.
        (Value::Map(_) | Value::Seq(_), Value::Null) => base,
        (Value::Null, Value::Map(_) | Value::Seq(_)) => over,
        (Value::Map(_), Value::Map(_)) => merge_mappings(base, over, path, diags),
        (Value::Seq(_), Value::Seq(_)) => append(base, over),
        (Value::Map(_), _) | (_, Value::Map(_)) => {
            diags.push(
                Diagnostic::new(
                    Code::MergeConflict,
                    format!(
                        "cannot merge {} into {} at `{}`",
                        over.type_name(),
                        base.type_name(),
                        path.join(".")
                    ),
                )
                .at(over.span)
                .with_label(base.span, "the value it would merge into")
                .with_help("write the same kind of value in both files, or tag the later one `!override` to replace the earlier one"),
            );
            base
        }
        _ => over,
    }
}

fn merge_mappings(base: Node, over: Node, path: &mut Vec<String>, diags: &mut Diagnostics) -> Node {
    let Node {
        value: Value::Map(mut entries),
        span,
        tag,
    } = base
    else {
        return over;
    };
    let Value::Map(overs) = over.value else {
        return Node {
            value: Value::Map(entries),
            span,
            tag,
        };
    };
    for entry in overs {
        let existing = entries.iter().position(|e| e.key == entry.key);
        if entry.value.tag.as_deref() == Some(RESET) {
            if let Some(i) = existing {
                entries.remove(i);
            }
            continue;
        }
        match existing {
            None => entries.push(entry),
            Some(i) => {
                let old = std::mem::replace(&mut entries[i].value, Node::new(Value::Null, span));
                path.push(entry.key.clone());
                let merged = merge(old, entry.value, path, diags);
                path.pop();
                entries[i] = Entry {
                    key: entry.key,
                    key_span: entry.key_span,
                    value: merged,
                };
            }
        }
    }
    Node {
        value: Value::Map(entries),
        span,
        tag,
    }
}

fn untagged(mut node: Node) -> Node {
    node.tag = None;
    node
}

fn append(base: Node, over: Node) -> Node {
    let Node {
        value: Value::Seq(mut items),
        span,
        tag,
    } = base
    else {
        return over;
    };
    if let Value::Seq(more) = over.value {
        items.extend(more);
    }
    Node {
        value: Value::Seq(items),
        span,
        tag,
    }
}

/// A list as it is, a scalar as a list of one, a mapping as `KEY=value` items in key order
/// (`KEY` alone for a null value).
fn to_sequence(node: Node) -> Node {
    let span = node.span;
    let items = match node.value {
        Value::Seq(_) => return node,
        Value::Map(entries) => {
            let mut items: Vec<Node> = entries
                .into_iter()
                .flat_map(|entry| {
                    let key = entry.key;
                    let at = entry.key_span.to(entry.value.span);
                    match entry.value.value {
                        Value::Seq(values) => values
                            .into_iter()
                            .map(|v| keyed(&key, Some(&v), at))
                            .collect::<Vec<_>>(),
                        _ => vec![keyed(&key, Some(&entry.value), at)],
                    }
                })
                .collect();
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            items
        }
        Value::Null => Vec::new(),
        _ => vec![node],
    };
    Node::new(Value::Seq(items), span)
}

fn keyed(key: &str, value: Option<&Node>, span: crate::source::Span) -> Node {
    let text = match value.map(|v| (&v.value, v.scalar_text())) {
        None | Some((Value::Null, _)) => key.to_string(),
        Some((_, Some(text))) => format!("{key}={text}"),
        Some((_, None)) => key.to_string(),
    };
    Node::new(Value::String(text), span)
}

/// A mapping as it is, a list of names as a mapping from each name to `default` (a
/// `condition`) or null.
fn to_mapping(node: Node, condition: Option<&str>) -> Node {
    let span = node.span;
    let Value::Seq(items) = node.value else {
        return node;
    };
    let entries = items
        .into_iter()
        .map(|item| {
            let key = item.scalar_text().unwrap_or_default();
            let value = match condition {
                Some(condition) => Node::new(
                    Value::Map(vec![
                        Entry {
                            key: "condition".to_string(),
                            key_span: item.span,
                            value: Node::new(Value::String(condition.to_string()), item.span),
                        },
                        Entry {
                            key: "required".to_string(),
                            key_span: item.span,
                            value: Node::new(Value::Bool(true), item.span),
                        },
                    ]),
                    item.span,
                ),
                None => Node::new(Value::Null, item.span),
            };
            Entry {
                key,
                key_span: item.span,
                value,
            }
        })
        .collect();
    Node::new(Value::Map(entries), span)
}

fn build_mapping(node: Node) -> Node {
    match node.value {
        Value::Map(_) => node,
        _ => Node::new(
            Value::Map(vec![Entry {
                key: "context".to_string(),
                key_span: node.span,
                value: node.clone(),
            }]),
            node.span,
        ),
    }
}

/// Keeps one entry per identity in the lists of [`UNIQUE`]: a later entry replaces an
/// earlier one in its place.
pub(super) fn enforce_unicity(node: &mut Node) {
    const { assert!(UNIQUE.len() <= 32, "the candidates are a 32-bit set") };
    unique_under(node, 0, u32::MAX >> (32 - UNIQUE.len()));
}

/// [`UNIQUE`]'s patterns split at their dots, once per process.
static UNIQUE_PATHS: std::sync::LazyLock<Vec<Vec<&'static str>>> = std::sync::LazyLock::new(|| {
    UNIQUE
        .iter()
        .map(|(pattern, _)| pattern.split('.').collect())
        .collect()
});

/// [`enforce_unicity`] of `node`, `depth` keys down, where the patterns of [`UNIQUE`] in
/// `candidates` (a set of their indexes) match the keys above: it goes down only where
/// one of them may still match.
fn unique_under(node: &mut Node, depth: usize, candidates: u32) {
    let paths = &*UNIQUE_PATHS;
    let each = |set: u32| (0..UNIQUE.len()).filter(move |i| set & (1 << i) != 0);
    match &mut node.value {
        Value::Map(entries) => {
            for Entry { key, value, .. } in entries {
                let matching = each(candidates)
                    .filter(|&i| {
                        paths[i]
                            .get(depth)
                            .is_some_and(|part| *part == "*" || part == key)
                    })
                    .fold(0, |set, i| set | (1 << i));
                if matching != 0 {
                    unique_under(value, depth + 1, matching);
                }
            }
        }
        Value::Seq(items) => {
            let whole = each(candidates).find(|&i| paths[i].len() == depth);
            if let Some(identity) = whole.map(|i| UNIQUE[i].1) {
                let mut kept: Vec<Node> = Vec::with_capacity(items.len());
                let mut seen: HashMap<String, usize> = HashMap::new();
                for item in std::mem::take(items) {
                    match identify(identity, &item) {
                        Some(key) => match seen.get(&key) {
                            Some(&at) => kept[at] = item,
                            None => {
                                seen.insert(key, kept.len());
                                kept.push(item);
                            }
                        },
                        None => kept.push(item),
                    }
                }
                *items = kept;
            }
        }
        _ => {}
    }
}

/// An entry's identity; `None` for an entry the schema will reject anyway.
fn identify(identity: Identity, node: &Node) -> Option<String> {
    let field = |key: &str| node.get(key).and_then(Node::scalar_text);
    match identity {
        Identity::KeyValue => {
            let text = node.scalar_text()?;
            Some(
                text.split_once('=')
                    .map_or(text.clone(), |(k, _)| k.to_string()),
            )
        }
        Identity::Scalar => node.scalar_text(),
        Identity::EnvFile => node.scalar_text().or_else(|| field("path")),
        Identity::VolumeTarget => match node.as_str() {
            Some(text) => Some(short_volume_target(text).to_string()),
            None => field("target"),
        },
        Identity::Device => match node.as_str() {
            Some(text) => Some(text.split(':').nth(1).unwrap_or(text).to_string()),
            None => field("target"),
        },
        Identity::Mount(folder) => match node.scalar_text() {
            Some(source) => Some(format!("{folder}/{source}")),
            None => field("target").or_else(|| Some(format!("{folder}/{}", field("source")?))),
        },
        Identity::Port => match &node.value {
            Value::Map(_) => Some(format!(
                "{}:{}:{}/{}",
                field("host_ip").unwrap_or_default(),
                field("published").unwrap_or_default(),
                field("target")?,
                field("protocol").unwrap_or_else(|| "tcp".to_string())
            )),
            _ => Some(short_port_identity(&node.scalar_text()?)),
        },
    }
}

/// The container path of a short volume entry (`source:target[:mode]` or `target`).
fn short_volume_target(text: &str) -> &str {
    let mut parts = text.split(':');
    let first = parts.next().unwrap_or(text);
    parts.next().unwrap_or(first)
}

/// `[ip:][published:]target[/protocol]` as `ip:published:target/protocol`.
fn short_port_identity(text: &str) -> String {
    let (rest, protocol) = text.rsplit_once('/').unwrap_or((text, "tcp"));
    let (rest, target) = rest.rsplit_once(':').unwrap_or(("", rest));
    let (ip, published) = match rest.rsplit_once(':') {
        Some((ip, published)) => (ip.trim_start_matches('[').trim_end_matches(']'), published),
        None => ("", rest),
    };
    format!("{ip}:{published}:{target}/{protocol}")
}

/// Applies what is left of the merge tags once every file is merged: a key tagged
/// `!reset` is removed (there was nothing earlier to reset), and `!override` tags go.
pub(super) fn strip_tags(node: &mut Node) {
    if node.tag.as_deref() == Some(OVERRIDE) {
        node.tag = None;
    }
    match &mut node.value {
        Value::Map(entries) => {
            entries.retain(|e| e.value.tag.as_deref() != Some(RESET));
            for entry in entries {
                strip_tags(&mut entry.value);
            }
        }
        Value::Seq(items) => {
            items.retain(|i| i.tag.as_deref() != Some(RESET));
            for item in items {
                strip_tags(item);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn parse(text: &str) -> Node {
        let mut sources = SourceMap::new();
        let id = sources.add("t.yaml", None, text.to_string());
        let mut diags = Diagnostics::new();
        super::super::yaml::parse(text, id, &mut diags).unwrap()
    }

    fn merged(a: &str, b: &str) -> serde_json::Value {
        let mut diags = Diagnostics::new();
        let mut node = merge(parse(a), parse(b), &mut Vec::new(), &mut diags);
        enforce_unicity(&mut node);
        strip_tags(&mut node);
        assert!(diags.is_empty(), "{diags:?}");
        node.to_json()
    }

    fn service(json: &serde_json::Value) -> &serde_json::Value {
        &json["services"]["s"]
    }

    #[test]
    fn mappings_merge_scalars_replace_lists_append() {
        let json = merged(
            "services: {s: {image: a, dns: [1.1.1.1], deploy: {replicas: 1}}}",
            "services: {s: {image: b, dns: 8.8.8.8, deploy: {resources: {}}}}",
        );
        let s = service(&json);
        assert_eq!(s["image"], "b");
        assert_eq!(s["dns"], serde_json::json!(["1.1.1.1", "8.8.8.8"]));
        assert_eq!(
            s["deploy"],
            serde_json::json!({"replicas": 1, "resources": {}})
        );
    }

    #[test]
    fn commands_are_replaced_not_appended() {
        let json = merged(
            "services: {s: {command: [a, b], healthcheck: {test: [CMD, x], retries: 3}}}",
            "services: {s: {command: [c], healthcheck: {test: [CMD, y]}}}",
        );
        assert_eq!(service(&json)["command"], serde_json::json!(["c"]));
        assert_eq!(
            service(&json)["healthcheck"],
            serde_json::json!({"test": ["CMD", "y"], "retries": 3})
        );
    }

    #[test]
    fn environment_merges_by_name_in_either_form() {
        let json = merged(
            "services: {s: {environment: {A: '1', B: '2', C: null}}}",
            "services: {s: {environment: [B=3, D=4]}}",
        );
        assert_eq!(
            service(&json)["environment"],
            serde_json::json!(["A=1", "B=3", "C", "D=4"])
        );
    }

    #[test]
    fn unique_lists_keep_the_later_entry_in_place() {
        let json = merged(
            "services: {s: {ports: ['80:80', '443:443'], volumes: ['a:/data', 'b:/logs']}}",
            "services: {s: {ports: [{target: 80, published: '80'}, '8080:80'], volumes: ['c:/data']}}",
        );
        assert_eq!(
            service(&json)["ports"],
            serde_json::json!([{"target": 80, "published": "80"}, "443:443", "8080:80"])
        );
        assert_eq!(
            service(&json)["volumes"],
            serde_json::json!(["c:/data", "b:/logs"])
        );
    }

    #[test]
    fn depends_on_and_networks_merge_as_mappings() {
        let json = merged(
            "services: {s: {depends_on: [db], networks: [front]}}",
            "services: {s: {depends_on: {cache: {condition: service_healthy}}, networks: {back: {}}}}",
        );
        assert_eq!(
            service(&json)["depends_on"],
            serde_json::json!({
                "db": {"condition": "service_started", "required": true},
                "cache": {"condition": "service_healthy"}
            })
        );
        assert_eq!(
            service(&json)["networks"],
            serde_json::json!({"front": null, "back": {}})
        );
    }

    #[test]
    fn reset_removes_and_override_replaces() {
        let json = merged(
            "services: {s: {ports: ['80:80'], environment: {A: '1'}, labels: {x: y}}}",
            "services: {s: {ports: !reset [], environment: !override {B: '2'}, cap_add: !reset null}}",
        );
        let s = service(&json);
        assert!(s.get("ports").is_none());
        assert!(s.get("cap_add").is_none());
        assert_eq!(s["environment"], serde_json::json!({"B": "2"}));
        assert_eq!(s["labels"], serde_json::json!({"x": "y"}));
    }

    #[test]
    fn logging_merges_only_for_the_same_driver() {
        let same = merged(
            "services: {s: {logging: {driver: awslogs, options: {a: '1'}}}}",
            "services: {s: {logging: {options: {b: '2'}}}}",
        );
        assert_eq!(
            service(&same)["logging"]["options"],
            serde_json::json!({"a": "1", "b": "2"})
        );
        let other = merged(
            "services: {s: {logging: {driver: awslogs, options: {a: '1'}}}}",
            "services: {s: {logging: {driver: json-file}}}",
        );
        assert_eq!(
            service(&other)["logging"],
            serde_json::json!({"driver": "json-file"})
        );
    }

    #[test]
    fn an_empty_key_leaves_the_other_side() {
        let json = merged(
            "services: {s: {image: a, networks: [front], depends_on: [db], environment: {A: '1'}}, t: {image: b}}",
            "services: {s: {networks: null, depends_on: ~, environment:}, t: {labels: null}}",
        );
        assert_eq!(
            service(&json)["networks"],
            serde_json::json!({"front": null})
        );
        assert_eq!(service(&json)["environment"], serde_json::json!(["A=1"]));
        assert_eq!(
            service(&json)["depends_on"],
            serde_json::json!({"db": {"condition": "service_started", "required": true}})
        );
        let json = merged(
            "services: {s: {image: a, networks: null}}",
            "services: {s: {networks: [back]}}",
        );
        assert_eq!(
            service(&json)["networks"],
            serde_json::json!({"back": null})
        );
    }

    #[test]
    fn a_mapping_and_a_list_do_not_merge() {
        let mut diags = Diagnostics::new();
        merge(
            parse("services: {s: {deploy: {replicas: 1}}}"),
            parse("services: {s: {deploy: [1]}}"),
            &mut Vec::new(),
            &mut diags,
        );
        assert!(diags.iter().any(|d| d.code == Code::MergeConflict));
    }

    #[test]
    fn port_identities_ignore_the_spelling() {
        assert_eq!(
            short_port_identity("127.0.0.1:8080:80"),
            "127.0.0.1:8080:80/tcp"
        );
        assert_eq!(short_port_identity("80/udp"), "::80/udp");
        assert_eq!(short_port_identity("[::1]:80:80"), "::1:80:80/tcp");
    }
}
