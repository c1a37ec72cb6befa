//! One service, normalised: each Compose field read from its [`spec::Service`] form into
//! the model's, by a [`Reader`] that knows the service's path in the tree and reports parse
//! errors at the exact value.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::secrets::Place;
use super::spec;
use super::{
    AWSLOGS_OPTIONS, AWSLOGS_RENAMED, Autoscaling, Capacity, Condition, DEFAULT_NETWORK,
    Dependency, Healthcheck, Locator, PortMapping, Service, TargetHealth, Timed, Ulimit, Update,
    ports, units,
};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Node, Seg};
use crate::path;
use crate::source::Span;

/// Reads the fields of one service and reports what it cannot parse.
struct Reader<'a, 'n> {
    at: &'a Locator<'n>,
    base: Vec<Seg>,
    diags: &'a mut Diagnostics,
}

impl Reader<'_, '_> {
    fn span(&self, segs: Vec<Seg>) -> Span {
        self.at.span_in(&self.base, &segs)
    }

    fn key_span(&self, segs: Vec<Seg>) -> Span {
        self.at.key_span_in(&self.base, &segs)
    }

    fn report(&mut self, segs: Vec<Seg>, code: Code, message: String) {
        let span = self.span(segs);
        self.diags.push(Diagnostic::new(code, message).at(span));
    }

    /// The entries of `map` (the service's mapping at `key`, read from the document's
    /// JSON) in the order the Compose file writes them: a JSON object keeps its keys
    /// sorted unless some crate turns on serde_json's `preserve_order`, and the template
    /// must not depend on that.
    fn in_file_order<'m, V>(
        &self,
        key: &str,
        map: &'m IndexMap<String, V>,
    ) -> Vec<(&'m String, &'m V)> {
        match self
            .at
            .node_in(&self.base, &path![key])
            .and_then(Node::as_map)
        {
            Some(entries) => entries
                .iter()
                .filter_map(|entry| map.get_key_value(&entry.key))
                .collect(),
            None => map.iter().collect(),
        }
    }

    /// The items of a list of strings, each with its span.
    fn spanned(&self, list: Option<&Vec<String>>, key: &str) -> Vec<(String, Span)> {
        list.into_iter()
            .flatten()
            .enumerate()
            .map(|(i, item)| (item.clone(), self.span(path![key, i])))
            .collect()
    }

    /// A command in string (shell words) or list form.
    fn words(&mut self, value: Option<&spec::StringOrList>, key: &str) -> Option<Vec<String>> {
        match value? {
            spec::StringOrList::List(list) => Some(list.clone()),
            spec::StringOrList::One(text) => units::shell_words(text)
                .map_err(|e| self.report(path![key], Code::InvalidValue, e))
                .ok(),
        }
    }

    fn flag(&mut self, value: Option<&spec::BoolOrStr>, key: &str) -> bool {
        value.is_some_and(|v| {
            units::boolean(v)
                .map_err(|e| self.report(path![key], Code::InvalidValue, e))
                .unwrap_or(false)
        })
    }

    fn duration(&mut self, text: Option<&String>, segs: Vec<Seg>) -> Option<Timed> {
        let span = self.span(segs);
        match units::duration_seconds(text?) {
            Ok(seconds) => Some(Timed { seconds, span }),
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(Code::InvalidDuration, e)
                        .at(span)
                        .with_help("write durations like `30s`, `1m30s` or `500ms`"),
                );
                None
            }
        }
    }

    fn integer(&mut self, value: &spec::IntOrStr, segs: Vec<Seg>) -> Option<(i64, Span)> {
        let span = self.span(segs);
        match units::integer(value) {
            Ok(n) => Some((n, span)),
            Err(e) => {
                self.diags
                    .push(Diagnostic::new(Code::InvalidNumber, e).at(span));
                None
            }
        }
    }

    fn cpus(&mut self, value: Option<&spec::NumOrStr>, segs: Vec<Seg>) -> Option<f64> {
        units::cpus(value?)
            .map_err(|e| self.report(segs, Code::InvalidNumber, e))
            .ok()
    }

    fn size(&mut self, value: Option<&spec::NumOrStr>, segs: Vec<Seg>) -> Option<u64> {
        let value = value?;
        let span = self.span(segs);
        units::size_bytes(value)
            .map_err(|e| {
                self.diags.push(
                    Diagnostic::new(Code::InvalidSize, e)
                        .at(span)
                        .with_help("write sizes like `512m` or `2g`"),
                );
            })
            .ok()
    }
}

/// Reads one service.
pub(super) fn build(
    name: &str,
    s: &spec::Service,
    at: &Locator<'_>,
    diags: &mut Diagnostics,
) -> Service {
    let base = path!["services", name];
    let mut r = Reader {
        at,
        base: base.clone(),
        diags,
    };
    let mut out = Service {
        name: name.to_string(),
        span: at.key_span(&base),
        image: s.image.clone(),
        working_dir: s.working_dir.clone(),
        user: s.user.clone(),
        replicas: 1,
        ..Service::default()
    };
    out.command = r.words(s.command.as_ref(), "command");
    out.entrypoint = r.words(s.entrypoint.as_ref(), "entrypoint");
    // Unset variables (`KEY` with no value) are left out of the container.
    out.environment = pairs(s.environment.as_ref())
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    out.labels = pairs(s.labels.as_ref())
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    out.sysctls = pairs(s.sysctls.as_ref())
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    out.init = r.flag(s.init.as_ref(), "init");
    out.read_only = r.flag(s.read_only.as_ref(), "read_only");
    out.tmpfs = tmpfs(&mut r, s.tmpfs.as_ref());
    out.tty = r.flag(s.tty.as_ref(), "tty");
    out.stdin_open = r.flag(s.stdin_open.as_ref(), "stdin_open");
    out.ulimits = ulimits(&mut r, s);
    out.stop_grace_period = r.duration(s.stop_grace_period.as_ref(), path!["stop_grace_period"]);
    out.healthcheck = s.healthcheck.as_ref().and_then(|h| healthcheck(&mut r, h));
    out.depends_on = dependencies(&r, s.depends_on.as_ref());
    resources(&mut r, s, &mut out);
    out.cap_add = r.spanned(s.cap_add.as_ref(), "cap_add");
    out.cap_drop = s.cap_drop.clone().unwrap_or_default();
    out.ports = port_mappings(&mut r, s);
    out.networks = networks(&mut r, s.networks.as_ref());
    out.mounts = super::volumes::mounts(s.volumes.as_ref(), &|i| r.span(path!["volumes", i]));
    let secret_span = |i: usize| at.span(&[base.clone(), path!["secrets", i]].concat());
    out.secrets = super::secrets::uses(s.secrets.as_ref(), Place::Secrets, &secret_span, r.diags);
    let config_span = |i: usize| at.span(&[base.clone(), path!["configs", i]].concat());
    out.configs = super::secrets::uses(s.configs.as_ref(), Place::Configs, &config_span, r.diags);
    out.log_options = log_options(&mut r, s.logging.as_ref());
    out.pull_credentials = s
        .x_aws_pull_credentials
        .as_ref()
        .map(|arn| (arn.clone(), r.span(path!["x-aws-pull_credentials"])));
    match &s.x_aws_role {
        Some(spec::XAwsRole::Document(doc)) => {
            out.role_policy = Some((
                serde_json::Value::Object(doc.clone()),
                r.key_span(path!["x-aws-role"]),
            ));
        }
        Some(spec::XAwsRole::Arn(arn)) => {
            out.existing_role = Some((arn.clone(), r.span(path!["x-aws-role"])));
        }
        None => {}
    }
    out.managed_policies = r.spanned(s.x_aws_policies.as_ref(), "x-aws-policies");
    if let Some(h) = &s.x_aws_healthcheck {
        out.target_health = target_health(&mut r, h);
    }
    out.capacity = capacity(&mut r, s.x_aws_capacity_provider.as_ref());
    out.gpus = super::gpus::read(&base, s, at, r.diags);
    [out.machine, out.ami] = super::gpus::node_constraints(&base, s, at);
    out.autoscaling = s
        .deploy
        .as_ref()
        .and_then(|d| d.x_aws_autoscaling.as_ref())
        .map(|a| autoscaling(&mut r, a));
    out.arm64 = s
        .platform
        .as_deref()
        .is_some_and(|p| p.contains("arm64") || p.contains("aarch64"));
    out
}

fn target_health(r: &mut Reader<'_, '_>, h: &spec::TargetHealthCheck) -> TargetHealth {
    let at = |key: &str| path!["x-aws-healthcheck", key];
    let text = |r: &Reader<'_, '_>, value: &Option<String>, key: &str| {
        value.as_ref().map(|v| (v.clone(), r.span(at(key))))
    };
    let number = |r: &mut Reader<'_, '_>, value: &Option<spec::IntOrStr>, key: &str| {
        value.as_ref().and_then(|v| r.integer(v, at(key)))
    };
    TargetHealth {
        path: text(r, &h.path, "path"),
        matcher: text(r, &h.matcher, "matcher"),
        port: number(r, &h.port, "port"),
        interval: r.duration(h.interval.as_ref(), at("interval")),
        timeout: r.duration(h.timeout.as_ref(), at("timeout")),
        healthy_threshold: number(r, &h.healthy_threshold, "healthy_threshold"),
        unhealthy_threshold: number(r, &h.unhealthy_threshold, "unhealthy_threshold"),
        grace_period: r.duration(h.grace_period.as_ref(), at("grace_period")),
    }
}

fn capacity(r: &mut Reader<'_, '_>, value: Option<&spec::CapacityProvider>) -> Capacity {
    let (name, base) = match value {
        None => return Capacity::Fargate,
        Some(spec::CapacityProvider::Name(name)) => (Some(*name), None),
        Some(spec::CapacityProvider::Strategy(strategy)) => (
            strategy.name,
            strategy
                .base
                .as_ref()
                .and_then(|b| r.integer(b, path!["x-aws-capacity_provider", "base"])),
        ),
    };
    match name {
        Some(spec::CapacityProviderName::FargateSpot) => Capacity::FargateSpot {
            base: base.map_or(0, |(n, _)| n),
            span: base.map_or_else(|| r.span(path!["x-aws-capacity_provider"]), |(_, s)| s),
        },
        _ => Capacity::Fargate,
    }
}

fn autoscaling(r: &mut Reader<'_, '_>, a: &spec::Autoscaling) -> Autoscaling {
    let at = |key: &str| path!["deploy", "x-aws-autoscaling", key];
    let mut percent = |value: &Option<spec::NumOrStr>, key: &str| {
        let value = value.as_ref()?;
        units::number(value)
            .map(|n| (n, r.span(at(key))))
            .map_err(|e| r.report(at(key), Code::InvalidNumber, e))
            .ok()
    };
    let (cpu, memory) = (percent(&a.cpu, "cpu"), percent(&a.memory, "memory"));
    Autoscaling {
        min: a.min.as_ref().and_then(|v| r.integer(v, at("min"))),
        max: a.max.as_ref().and_then(|v| r.integer(v, at("max"))),
        cpu,
        memory,
        span: r.key_span(path!["deploy", "x-aws-autoscaling"]),
    }
}

fn pairs(value: Option<&spec::ListOrDict>) -> impl Iterator<Item = (String, Option<String>)> {
    value
        .map(spec::ListOrDict::pairs)
        .unwrap_or_default()
        .into_iter()
}

fn ulimits(r: &mut Reader<'_, '_>, s: &spec::Service) -> Vec<Ulimit> {
    let mut out = Vec::new();
    let limits = s.ulimits.as_ref().map(|l| r.in_file_order("ulimits", l));
    for (limit, value) in limits.into_iter().flatten() {
        let pair = match value {
            spec::Ulimit::Single(v) => units::integer(v).map(|n| (n, n)),
            spec::Ulimit::Pair(pair) => {
                units::integer(&pair.soft).and_then(|soft| Ok((soft, units::integer(&pair.hard)?)))
            }
        };
        match pair {
            Ok((soft, hard)) => out.push(Ulimit {
                name: limit.clone(),
                soft,
                hard,
            }),
            Err(e) => r.report(path!["ulimits", limit.as_str()], Code::InvalidNumber, e),
        }
    }
    out
}

fn healthcheck(r: &mut Reader<'_, '_>, h: &spec::Healthcheck) -> Option<Healthcheck> {
    let at = |key: &str| path!["healthcheck", key];
    let disabled = h
        .disable
        .as_ref()
        .is_some_and(|d| units::boolean(d).unwrap_or(false));
    let test = match &h.test {
        Some(spec::StringOrList::One(cmd)) => Some(vec!["CMD-SHELL".to_string(), cmd.clone()]),
        Some(spec::StringOrList::List(list)) => match list.first().map(String::as_str) {
            Some("NONE") => None,
            Some("CMD" | "CMD-SHELL") => Some(list.clone()),
            _ => {
                let message = "a healthcheck test list starts with `CMD`, `CMD-SHELL` or `NONE`";
                r.report(at("test"), Code::InvalidValue, message.to_string());
                None
            }
        },
        None => None,
    };
    let retries = h
        .retries
        .as_ref()
        .and_then(|value| match units::number(value) {
            Ok(n) if n.fract() == 0.0 => Some((n as i64, r.span(at("retries")))),
            Ok(n) => {
                r.report(
                    at("retries"),
                    Code::InvalidNumber,
                    format!("`{n}` is not a whole number"),
                );
                None
            }
            Err(e) => {
                r.report(at("retries"), Code::InvalidNumber, e);
                None
            }
        });
    if h.start_interval.is_some() {
        let span = r.key_span(at("start_interval"));
        r.diags.push(
            Diagnostic::new(Code::IgnoredValue, "`start_interval` is ignored on ECS")
                .at(span)
                .with_help("ECS checks at `interval` during `start_period` too"),
        );
    }
    let interval = r.duration(h.interval.as_ref(), at("interval"));
    let timeout = r.duration(h.timeout.as_ref(), at("timeout"));
    let start_period = r.duration(h.start_period.as_ref(), at("start_period"));
    let test = test.filter(|_| !disabled)?;
    Some(Healthcheck {
        test,
        interval,
        timeout,
        start_period,
        retries,
    })
}

fn dependencies(r: &Reader<'_, '_>, depends_on: Option<&spec::DependsOn>) -> Vec<Dependency> {
    match depends_on {
        Some(spec::DependsOn::List(names)) => names
            .iter()
            .enumerate()
            .map(|(i, dep)| Dependency {
                service: dep.clone(),
                condition: Condition::Started,
                required: true,
                span: r.span(path!["depends_on", i]),
            })
            .collect(),
        Some(spec::DependsOn::Map(map)) => r
            .in_file_order("depends_on", map)
            .into_iter()
            .map(|(dep, d)| Dependency {
                service: dep.clone(),
                condition: match d.condition {
                    Some(spec::DependencyCondition::ServiceHealthy) => Condition::Healthy,
                    Some(spec::DependencyCondition::ServiceCompletedSuccessfully) => {
                        Condition::CompletedSuccessfully
                    }
                    _ => Condition::Started,
                },
                required: d.required.unwrap_or(true),
                span: r.key_span(path!["depends_on", dep.as_str()]),
            })
            .collect(),
        None => Vec::new(),
    }
}

fn port_mappings(r: &mut Reader<'_, '_>, s: &spec::Service) -> Vec<(PortMapping, Span)> {
    let mut out = Vec::new();
    for (i, port) in s.ports.iter().flatten().enumerate() {
        let span = r.span(path!["ports", i]);
        match ports::parse(port) {
            Ok(mappings) => {
                if mappings.iter().any(|m| m.loopback) {
                    r.diags.push(
                        Diagnostic::new(Code::IgnoredValue, "the port is bound to a loopback address: it is not published")
                            .at(span)
                            .with_help("Compose keeps loopback-bound ports off the network, so the load balancer does not publish them; other services on the service's networks still reach the container port"),
                    );
                }
                out.extend(mappings.into_iter().map(|m| (m, span)));
            }
            Err(e) => r.diags.push(
                Diagnostic::new(Code::InvalidPort, e)
                    .at(span)
                    .with_help("ports are `CONTAINER`, `HOST:CONTAINER` or `HOST:CONTAINER/udp`"),
            ),
        }
    }
    out
}

/// Per-network settings Fargate has no use for, and why.
const IGNORED_NETWORK_SETTINGS: [(&str, &str); 4] = [
    (
        "aliases",
        "only the service name is registered in Cloud Map; other services reach it by that name",
    ),
    ("ipv4_address", "Fargate assigns task addresses"),
    ("ipv6_address", "Fargate assigns task addresses"),
    ("mac_address", "Fargate assigns network interfaces"),
];

fn networks(
    r: &mut Reader<'_, '_>,
    networks: Option<&spec::ServiceNetworks>,
) -> BTreeMap<String, Option<Span>> {
    match networks {
        None => BTreeMap::from([(DEFAULT_NETWORK.to_string(), None)]),
        Some(spec::ServiceNetworks::List(list)) => list
            .iter()
            .enumerate()
            .map(|(i, net)| (net.clone(), Some(r.span(path!["networks", i]))))
            .collect(),
        Some(spec::ServiceNetworks::Map(map)) => {
            let mut out = BTreeMap::new();
            for (net, settings) in map {
                out.insert(
                    net.clone(),
                    Some(r.key_span(path!["networks", net.as_str()])),
                );
                let Some(settings) = settings else { continue };
                let set = [
                    settings.aliases.is_some(),
                    settings.ipv4_address.is_some(),
                    settings.ipv6_address.is_some(),
                    settings.mac_address.is_some(),
                ];
                for ((key, why), _) in IGNORED_NETWORK_SETTINGS
                    .iter()
                    .zip(set)
                    .filter(|(_, set)| *set)
                {
                    let span = r.key_span(path!["networks", net.as_str(), *key]);
                    r.diags.push(
                        Diagnostic::new(Code::IgnoredValue, format!("`{key}` is ignored on ECS"))
                            .at(span)
                            .with_help(*why),
                    );
                }
            }
            out
        }
    }
}

/// The `awslogs` options a service sets; other options of that driver are warned about.
fn log_options(
    r: &mut Reader<'_, '_>,
    logging: Option<&spec::Logging>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(logging) = logging.filter(|l| l.driver.as_deref().is_none_or(|d| d == "awslogs"))
    else {
        return out; // another driver: the support table warns about it
    };
    for (key, value) in logging.options.iter().flatten() {
        if AWSLOGS_OPTIONS.contains(&key.as_str()) {
            if let Some(value) = value {
                out.insert(key.clone(), value.to_text());
            }
            continue;
        }
        let span = r.key_span(path!["logging", "options", key.as_str()]);
        let mut d = Diagnostic::new(
            Code::IgnoredValue,
            format!("`{key}` is not an option of the awslogs driver; ignored"),
        )
        .at(span);
        let renamed = AWSLOGS_RENAMED
            .iter()
            .find(|(old, _)| old == key)
            .map(|(_, new)| *new);
        if let Some(best) =
            renamed.or_else(|| crate::diag::did_you_mean(key, AWSLOGS_OPTIONS.iter().copied()))
        {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        r.diags.push(d);
    }
    out
}

/// CPU, memory, replicas and update parallelism, from `deploy` or the legacy keys.
fn resources(r: &mut Reader<'_, '_>, s: &spec::Service, out: &mut Service) {
    let deploy = s.deploy.as_ref();
    let resources = deploy.and_then(|d| d.resources.as_ref());
    let limits = resources.and_then(|r| r.limits.as_ref());
    let reservations = resources.and_then(|r| r.reservations.as_ref());
    let limit = |key: &str| path!["deploy", "resources", "limits", key];
    let reservation = |key: &str| path!["deploy", "resources", "reservations", key];
    out.cpus = r
        .cpus(limits.and_then(|l| l.cpus.as_ref()), limit("cpus"))
        .or_else(|| {
            r.cpus(
                reservations.and_then(|v| v.cpus.as_ref()),
                reservation("cpus"),
            )
        })
        .or_else(|| r.cpus(s.cpus.as_ref(), path!["cpus"]));
    let reserved = r
        .size(
            reservations.and_then(|v| v.memory.as_ref()),
            reservation("memory"),
        )
        .or_else(|| r.size(s.mem_reservation.as_ref(), path!["mem_reservation"]));
    out.memory = r
        .size(limits.and_then(|l| l.memory.as_ref()), limit("memory"))
        .or_else(|| r.size(s.mem_limit.as_ref(), path!["mem_limit"]))
        .or(reserved);
    out.memory_reservation = reserved;
    out.resources_span = if resources.is_some() {
        Some(r.key_span(path!["deploy", "resources"]))
    } else if s.cpus.is_some() {
        Some(r.key_span(path!["cpus"]))
    } else if s.mem_limit.is_some() {
        Some(r.key_span(path!["mem_limit"]))
    } else {
        None
    };
    let replicas = deploy
        .and_then(|d| d.replicas.as_ref())
        .map(|v| (v, path!["deploy", "replicas"]))
        .or_else(|| s.scale.as_ref().map(|v| (v, path!["scale"])));
    if let Some((n, span)) = replicas.and_then(|(value, at)| r.integer(value, at)) {
        match u32::try_from(n) {
            Ok(n) => {
                out.replicas = n;
                out.replicas_span = Some(span);
            }
            Err(_) => r.diags.push(
                Diagnostic::new(
                    Code::InvalidNumber,
                    format!("{n} is not a number of replicas"),
                )
                .at(span),
            ),
        }
    }
    if let Some(update) = deploy.and_then(|d| d.update_config.as_ref()) {
        let at = |key: &str| path!["deploy", "update_config", key];
        let mut int = |value: Option<&spec::IntOrStr>, key: &str| r.integer(value?, at(key));
        out.update = Update {
            parallelism: int(update.parallelism.as_ref(), "parallelism"),
            order: update.order,
            min_percent: int(update.x_aws_min_percent.as_ref(), "x-aws-min_percent"),
            max_percent: int(update.x_aws_max_percent.as_ref(), "x-aws-max_percent"),
        };
    }
}

/// `tmpfs: /run` or `tmpfs: [/run, /tmp:size=64m]`: absolute paths; the options after `:`
/// have no counterpart on ECS (a warning says so).
fn tmpfs(r: &mut Reader, value: Option<&spec::StringOrList>) -> Vec<(String, Span)> {
    let items: Vec<(String, Span)> = match value {
        None => Vec::new(),
        Some(spec::StringOrList::One(path)) => vec![(path.clone(), r.span(path!["tmpfs"]))],
        Some(spec::StringOrList::List(list)) => r.spanned(Some(list), "tmpfs"),
    };
    let mut paths = Vec::new();
    for (item, span) in items {
        let (path, options) = item.split_once(':').unwrap_or((item.as_str(), ""));
        let path = path.trim_end_matches('/');
        if !item.starts_with('/') || path.is_empty() {
            r.diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{item}` is not an absolute path below `/`"),
                )
                .at(span)
                .with_help("tmpfs mounts are container paths such as `/tmp`"),
            );
            continue;
        }
        if !options.is_empty() {
            r.diags.push(
                Diagnostic::new(Code::IgnoredValue, format!("the tmpfs options `{options}` are ignored"))
                    .at(span)
                    .with_help("ECS has no tmpfs options: the path is a task volume on the task's ephemeral storage (20 GiB, shared by the task's containers)"),
            );
        }
        paths.push((path.to_string(), span));
    }
    paths
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::diag::Diagnostics;
    use crate::source::FileId;

    /// `ulimits` and `depends_on` written out of alphabetical order keep the file's order,
    /// whatever order the document's JSON objects keep.
    #[test]
    fn mappings_keep_the_order_of_the_file() {
        let text = "services:\n  web:\n    image: nginx\n    ulimits:\n      nproc: 65535\n      nofile: {soft: 1024, hard: 2048}\n      core: 0\n    depends_on:\n      db: {condition: service_started}\n      cache: {condition: service_healthy}\n  db:\n    image: postgres\n  cache:\n    image: redis\n";
        let mut diags = Diagnostics::new();
        let root = crate::load::yaml::parse(text, FileId::default(), &mut diags).unwrap();
        let project = super::super::build(
            &root,
            &root.document_json(),
            "p",
            &BTreeMap::new(),
            &mut diags,
        );
        assert!(diags.is_empty());
        let web = &project.services["web"];
        let limits: Vec<&str> = web.ulimits.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(limits, ["nproc", "nofile", "core"]);
        let dependencies: Vec<&str> = web.depends_on.iter().map(|d| d.service.as_str()).collect();
        assert_eq!(dependencies, ["db", "cache"]);
    }
}
