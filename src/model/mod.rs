//! The typed Compose model: a schema-valid document read into [`spec`] types with serde,
//! then normalised (short syntaxes parsed, units converted, list and map forms unified)
//! into a [`Project`]. Parse errors become diagnostics at the value's span.

pub mod ports;
pub mod spec;
pub mod units;

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Node, Seg};
use crate::source::Span;

pub use ports::{PortMapping, Protocol};

/// Options of the `awslogs` log driver that a Compose file may set.
pub const AWSLOGS_OPTIONS: &[&str] = &[
    "awslogs-create-group",
    "awslogs-datetime-format",
    "awslogs-group",
    "awslogs-multiline-pattern",
    "awslogs-region",
    "awslogs-stream-prefix",
    "max-buffer-size",
    "mode",
];

/// Spellings the Docker ECS integration's documentation used that the driver never took.
const AWSLOGS_RENAMED: &[(&str, &str)] = &[("awslogs-datetime-pattern", "awslogs-datetime-format")];

/// The name of the network every service without `networks` joins.
pub const DEFAULT_NETWORK: &str = "default";

/// A normalised Compose project.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub name: String,
    pub services: BTreeMap<String, Service>,
    /// Networks defined at the top level, plus the implicit `default` when a service uses
    /// it.
    pub networks: BTreeMap<String, Network>,
    /// `x-aws-logs_retention`, in days.
    pub logs_retention: Option<(i64, Span)>,
    /// The parsed document, for checks that need keys the model does not carry.
    pub spec: spec::ComposeFile,
}

#[derive(Debug, Clone, Default)]
pub struct Network {
    pub name: String,
    /// Where the network is defined (for the implicit `default`, the first service on it).
    pub span: Option<Span>,
    /// `external: true` with `name: sg-...`: an existing security group.
    pub external: Option<String>,
    pub external_span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Healthcheck {
    /// `CMD ...` or `CMD-SHELL ...`, as ECS takes it.
    pub test: Vec<String>,
    pub interval: Option<Timed>,
    pub timeout: Option<Timed>,
    pub start_period: Option<Timed>,
    pub retries: Option<(i64, Span)>,
}

/// A duration in seconds and where it was written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timed {
    pub seconds: f64,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Started,
    Healthy,
    CompletedSuccessfully,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    pub service: String,
    pub condition: Condition,
    pub required: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// One normalised service.
#[derive(Debug, Clone, Default)]
pub struct Service {
    pub name: String,
    /// The service's key in `services`.
    pub span: Span,
    pub image: Option<String>,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    /// Resolved environment (env_file, then environment); unset variables are absent.
    pub environment: BTreeMap<String, String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub init: bool,
    pub read_only: bool,
    pub tty: bool,
    pub stdin_open: bool,
    pub ulimits: Vec<Ulimit>,
    pub sysctls: BTreeMap<String, String>,
    pub stop_grace_period: Option<Timed>,
    pub healthcheck: Option<Healthcheck>,
    pub depends_on: Vec<Dependency>,
    pub replicas: u32,
    pub replicas_span: Option<Span>,
    /// CPUs requested (limits, else reservations, else the legacy `cpus`).
    pub cpus: Option<f64>,
    /// Memory requested, bytes (limits, else reservations, else `mem_limit`).
    pub memory: Option<u64>,
    /// Soft memory reservation, bytes.
    pub memory_reservation: Option<u64>,
    /// Where the resources were asked for, for size errors.
    pub resources_span: Option<Span>,
    pub cap_add: Vec<(String, Span)>,
    pub cap_drop: Vec<String>,
    pub ports: Vec<(PortMapping, Span)>,
    /// Networks the service joins, sorted, with where each is named.
    pub networks: BTreeMap<String, Option<Span>>,
    /// `awslogs-*` logging options.
    pub log_options: BTreeMap<String, String>,
    pub arm64: bool,
    /// `deploy.update_config.parallelism`.
    pub parallelism: Option<(i64, Span)>,
    /// The service did not match the schema (already reported): only its name is known,
    /// and rules about its contents skip it.
    pub partial: bool,
}

/// Finds spans in the tree by path.
pub struct Locator<'a> {
    root: &'a Node,
}

impl<'a> Locator<'a> {
    #[must_use]
    pub fn new(root: &'a Node) -> Self {
        Self { root }
    }

    /// The span of the value at `path` (the key's span for mappings and lists), or of the
    /// nearest ancestor that exists.
    #[must_use]
    pub fn span(&self, path: &[Seg]) -> Span {
        for len in (0..=path.len()).rev() {
            if let Some((key, node)) = self.root.lookup(&path[..len]) {
                return match (&node.value, key) {
                    (crate::load::Value::Map(_) | crate::load::Value::Seq(_), Some(key)) => key,
                    _ => node.span,
                };
            }
        }
        self.root.span
    }

    /// The span of the key at the end of `path`.
    #[must_use]
    pub fn key_span(&self, path: &[Seg]) -> Span {
        match self.root.lookup(path) {
            Some((Some(key), _)) => key,
            _ => self.span(path),
        }
    }

    #[must_use]
    pub fn root(&self) -> &'a Node {
        self.root
    }
}

/// Builds a path from string keys and indexes: `path!["services", name, "ports", 0]`.
#[macro_export]
macro_rules! path {
    ($($seg:expr),* $(,)?) => {{
        #[allow(clippy::useless_vec)] // callers often extend the path
        let path: Vec<$crate::load::Seg> = vec![$($crate::load::Seg::from($seg)),*];
        path
    }};
}

/// Reads the project from a schema-checked document. Parts that do not deserialize (only
/// possible where the schema already reported an error) are skipped.
pub fn build(
    root: &Node,
    checked: &crate::schema::Checked,
    name: &str,
    diags: &mut Diagnostics,
) -> Project {
    let instance = &checked.instance;
    let at = Locator::new(root);
    let mut project = Project {
        name: name.to_string(),
        ..Project::default()
    };
    let Some(top) = instance.as_object() else {
        return project;
    };
    let mut file = spec::ComposeFile::default();
    for (key, value) in top {
        // Each top-level key on its own, so one broken section does not hide the others.
        let mut single = serde_json::Map::new();
        single.insert(key.clone(), value.clone());
        if let Ok(part) =
            serde_json::from_value::<spec::ComposeFile>(serde_json::Value::Object(single))
        {
            merge_top(&mut file, part);
        } else if key == "services" {
            // Keep the services that are well-formed.
            let mut services = indexmap::IndexMap::new();
            for (name, service) in value.as_object().into_iter().flatten() {
                if let Ok(service) = serde_json::from_value::<spec::Service>(service.clone()) {
                    services.insert(name.clone(), service);
                }
            }
            file.services = Some(services);
        }
    }
    if let Some(days) = &file.x_aws_logs_retention {
        let span = at.span(&[Seg::from("x-aws-logs_retention")]);
        match units::integer(days) {
            Ok(days) => project.logs_retention = Some((days, span)),
            Err(e) => diags.push(Diagnostic::new(Code::InvalidNumber, e).at(span)),
        }
    }
    for (name, network) in file.networks.iter().flatten() {
        project
            .networks
            .insert(name.clone(), build_network(name, network.as_ref(), &at));
    }
    for (name, service) in file.services.iter().flatten() {
        let mut built = build_service(name, service, &at, diags);
        // Content rules would only repeat what the schema said about a broken service.
        built.partial = checked.has_error_under(&[Seg::from("services"), Seg::from(name.as_str())]);
        project.services.insert(name.clone(), built);
    }
    let declared = instance
        .get("services")
        .and_then(serde_json::Value::as_object);
    for name in declared.into_iter().flatten().map(|(name, _)| name) {
        if !project.services.contains_key(name) {
            let span = at.key_span(&[Seg::from("services"), Seg::from(name.as_str())]);
            let placeholder = Service {
                name: name.clone(),
                span,
                partial: true,
                ..Service::default()
            };
            project.services.insert(name.clone(), placeholder);
        }
    }
    settle_unpublished_ports(&mut project, diags);
    let first_user = project
        .services
        .values()
        .find(|s| s.networks.contains_key(DEFAULT_NETWORK));
    if let (Some(user), false) = (first_user, project.networks.contains_key(DEFAULT_NETWORK)) {
        // The implicit network comes from the services that join it.
        let span = Some(user.span);
        let network = Network {
            name: DEFAULT_NETWORK.to_string(),
            span,
            ..Network::default()
        };
        project
            .networks
            .insert(DEFAULT_NETWORK.to_string(), network);
    }
    project.spec = file;
    project
}

/// A port written without a published port (`"8080"`) is published by Compose on a random
/// host port. On the load balancer it is published on its target port, unless another
/// mapping publishes that port explicitly (or an earlier service, by name, took it): then it
/// stays off the load balancer, with a warning.
fn settle_unpublished_ports(project: &mut Project, diags: &mut Diagnostics) {
    let mut taken: BTreeMap<u16, String> = BTreeMap::new();
    for service in project.services.values() {
        for (port, _) in &service.ports {
            if let (Some(published), true) = (port.published, port.is_published()) {
                taken
                    .entry(published)
                    .or_insert_with(|| service.name.clone());
            }
        }
    }
    for service in project.services.values_mut() {
        for (port, span) in &mut service.ports {
            if port.published.is_some() || port.loopback {
                continue;
            }
            match taken.get(&port.target) {
                Some(owner) if owner != &service.name => {
                    port.shadowed = true;
                    diags.push(
                        Diagnostic::new(
                            Code::IgnoredValue,
                            format!("port {} is not published: `{owner}` publishes it", port.target),
                        )
                        .at(*span)
                        .with_help("without a published port Compose picks a random host port; the load balancer listens on each port once, so give this one a free `published` port"),
                    );
                }
                _ => {
                    port.published = Some(port.target);
                    taken.insert(port.target, service.name.clone());
                }
            }
        }
    }
}

fn merge_top(file: &mut spec::ComposeFile, part: spec::ComposeFile) {
    macro_rules! take {
        ($($field:ident),*) => { $( if part.$field.is_some() { file.$field = part.$field; } )* };
    }
    take!(
        version,
        name,
        include,
        services,
        models,
        networks,
        volumes,
        secrets,
        configs,
        x_aws_cluster,
        x_aws_vpc,
        x_aws_loadbalancer,
        x_aws_logs_retention,
        x_aws_cloudformation
    );
}

fn build_network(name: &str, network: Option<&spec::Network>, at: &Locator<'_>) -> Network {
    let base = path!["networks", name];
    let external_flag = network
        .and_then(|n| n.external.as_ref())
        .is_some_and(|e| match e {
            spec::External::Flag(flag) => units::boolean(flag).unwrap_or(false),
            spec::External::Named(_) => true,
        });
    let legacy_name = network.and_then(|n| match &n.external {
        Some(spec::External::Named(named)) => named.name.clone(),
        _ => None,
    });
    let external = if external_flag {
        Some(
            network
                .and_then(|n| n.name.clone())
                .or(legacy_name)
                .unwrap_or_else(|| name.to_string()),
        )
    } else {
        network.and_then(|n| n.x_aws_securitygroup.clone())
    };
    let external_span = external.as_ref().map(|_| {
        let mut p = base.clone();
        p.push(Seg::from("external"));
        at.span(&p)
    });
    Network {
        name: name.to_string(),
        span: Some(at.key_span(&base)),
        external,
        external_span,
    }
}

/// Reports a span-less parse error at `path`.
fn report(diags: &mut Diagnostics, at: &Locator<'_>, path: &[Seg], code: Code, message: String) {
    diags.push(Diagnostic::new(code, message).at(at.span(path)));
}

fn child(base: &[Seg], segs: &[Seg]) -> Vec<Seg> {
    base.iter().chain(segs).cloned().collect()
}

fn build_service(
    name: &str,
    s: &spec::Service,
    at: &Locator<'_>,
    diags: &mut Diagnostics,
) -> Service {
    let base = path!["services", name];
    let p = |segs: Vec<Seg>| child(&base, &segs);
    let mut out = Service {
        name: name.to_string(),
        span: at.key_span(&base),
        image: s.image.clone(),
        working_dir: s.working_dir.clone(),
        user: s.user.clone(),
        replicas: 1,
        ..Service::default()
    };
    let words = |value: &spec::StringOrList, key: &str, diags: &mut Diagnostics| match value {
        spec::StringOrList::List(list) => Some(list.clone()),
        spec::StringOrList::One(text) => match units::shell_words(text) {
            Ok(words) => Some(words),
            Err(e) => {
                report(diags, at, &p(path![key]), Code::InvalidValue, e);
                None
            }
        },
    };
    out.command = s.command.as_ref().and_then(|c| words(c, "command", diags));
    out.entrypoint = s
        .entrypoint
        .as_ref()
        .and_then(|c| words(c, "entrypoint", diags));
    if let Some(env) = &s.environment {
        out.environment = env
            .pairs()
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
    }
    if let Some(labels) = &s.labels {
        out.labels = labels
            .pairs()
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect();
    }
    if let Some(sysctls) = &s.sysctls {
        out.sysctls = sysctls
            .pairs()
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect();
    }
    let mut flag = |value: &Option<spec::BoolOrStr>, key: &str| -> bool {
        value.as_ref().is_some_and(|v| match units::boolean(v) {
            Ok(b) => b,
            Err(e) => {
                report(diags, at, &p(path![key]), Code::InvalidValue, e);
                false
            }
        })
    };
    out.init = flag(&s.init, "init");
    out.read_only = flag(&s.read_only, "read_only");
    out.tty = flag(&s.tty, "tty");
    out.stdin_open = flag(&s.stdin_open, "stdin_open");
    for (limit, value) in s.ulimits.iter().flatten() {
        let here = p(path!["ulimits", limit.as_str()]);
        let pair = match value {
            spec::Ulimit::Single(v) => units::integer(v).map(|n| (n, n)),
            spec::Ulimit::Pair(pair) => {
                units::integer(&pair.soft).and_then(|soft| Ok((soft, units::integer(&pair.hard)?)))
            }
        };
        match pair {
            Ok((soft, hard)) => out.ulimits.push(Ulimit {
                name: limit.clone(),
                soft,
                hard,
            }),
            Err(e) => report(diags, at, &here, Code::InvalidNumber, e),
        }
    }
    let duration =
        |text: &Option<String>, path: Vec<Seg>, diags: &mut Diagnostics| -> Option<Timed> {
            let text = text.as_ref()?;
            let span = at.span(&path);
            match units::duration_seconds(text) {
                Ok(seconds) => Some(Timed { seconds, span }),
                Err(e) => {
                    diags.push(
                        Diagnostic::new(Code::InvalidDuration, e)
                            .at(span)
                            .with_help("write durations like `30s`, `1m30s` or `500ms`"),
                    );
                    None
                }
            }
        };
    out.stop_grace_period = duration(&s.stop_grace_period, p(path!["stop_grace_period"]), diags);
    if let Some(h) = &s.healthcheck {
        let hp = |key: &str| p(path!["healthcheck", key]);
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
                    report(
                        diags,
                        at,
                        &hp("test"),
                        Code::InvalidValue,
                        "a healthcheck test list starts with `CMD`, `CMD-SHELL` or `NONE`"
                            .to_string(),
                    );
                    None
                }
            },
            None => None,
        };
        let retries = h.retries.as_ref().and_then(|r| match units::number(r) {
            Ok(n) if n.fract() == 0.0 => Some((n as i64, at.span(&hp("retries")))),
            Ok(n) => {
                report(
                    diags,
                    at,
                    &hp("retries"),
                    Code::InvalidNumber,
                    format!("`{n}` is not a whole number"),
                );
                None
            }
            Err(e) => {
                report(diags, at, &hp("retries"), Code::InvalidNumber, e);
                None
            }
        });
        let interval = duration(&h.interval, hp("interval"), diags);
        let timeout = duration(&h.timeout, hp("timeout"), diags);
        let start_period = duration(&h.start_period, hp("start_period"), diags);
        if let (false, Some(test)) = (disabled, test) {
            out.healthcheck = Some(Healthcheck {
                test,
                interval,
                timeout,
                start_period,
                retries,
            });
        }
    }
    match &s.depends_on {
        Some(spec::DependsOn::List(names)) => {
            for (i, dep) in names.iter().enumerate() {
                out.depends_on.push(Dependency {
                    service: dep.clone(),
                    condition: Condition::Started,
                    required: true,
                    span: at.span(&p(path!["depends_on", i])),
                });
            }
        }
        Some(spec::DependsOn::Map(map)) => {
            for (dep, d) in map {
                out.depends_on.push(Dependency {
                    service: dep.clone(),
                    condition: match d.condition {
                        Some(spec::DependencyCondition::ServiceHealthy) => Condition::Healthy,
                        Some(spec::DependencyCondition::ServiceCompletedSuccessfully) => {
                            Condition::CompletedSuccessfully
                        }
                        _ => Condition::Started,
                    },
                    required: d.required.unwrap_or(true),
                    span: at.key_span(&p(path!["depends_on", dep.as_str()])),
                });
            }
        }
        None => {}
    }
    resources(&mut out, s, at, &base, diags);
    for add in s.cap_add.iter().flatten().enumerate() {
        out.cap_add
            .push((add.1.clone(), at.span(&p(path!["cap_add", add.0]))));
    }
    out.cap_drop = s.cap_drop.clone().unwrap_or_default();
    for (i, port) in s.ports.iter().flatten().enumerate() {
        let here = p(path!["ports", i]);
        match ports::parse(port) {
            Ok(mappings) => {
                if mappings.iter().any(|m| m.loopback) {
                    diags.push(
                        Diagnostic::new(Code::IgnoredValue, "the port is bound to a loopback address: it is not published")
                            .at(at.span(&here))
                            .with_help("Compose keeps loopback-bound ports off the network, so the load balancer does not publish them; other services on the service's networks still reach the container port"),
                    );
                }
                out.ports
                    .extend(mappings.into_iter().map(|m| (m, at.span(&here))));
            }
            Err(e) => diags.push(
                Diagnostic::new(Code::InvalidPort, e)
                    .at(at.span(&here))
                    .with_help("ports are `CONTAINER`, `HOST:CONTAINER` or `HOST:CONTAINER/udp`"),
            ),
        }
    }
    match &s.networks {
        None => {
            out.networks.insert(DEFAULT_NETWORK.to_string(), None);
        }
        Some(spec::ServiceNetworks::List(list)) => {
            for (i, net) in list.iter().enumerate() {
                out.networks
                    .insert(net.clone(), Some(at.span(&p(path!["networks", i]))));
            }
        }
        Some(spec::ServiceNetworks::Map(map)) => {
            for (net, settings) in map {
                let here = p(path!["networks", net.as_str()]);
                out.networks.insert(net.clone(), Some(at.key_span(&here)));
                let Some(settings) = settings else { continue };
                let dropped = [
                    (
                        "aliases",
                        settings.aliases.is_some(),
                        "only the service name is registered in Cloud Map; other services reach it by that name",
                    ),
                    (
                        "ipv4_address",
                        settings.ipv4_address.is_some(),
                        "Fargate assigns task addresses",
                    ),
                    (
                        "ipv6_address",
                        settings.ipv6_address.is_some(),
                        "Fargate assigns task addresses",
                    ),
                    (
                        "mac_address",
                        settings.mac_address.is_some(),
                        "Fargate assigns network interfaces",
                    ),
                ];
                for (key, _, why) in dropped.into_iter().filter(|(_, set, _)| *set) {
                    let mut key_path = here.clone();
                    key_path.push(Seg::from(key));
                    diags.push(
                        Diagnostic::new(Code::IgnoredValue, format!("`{key}` is ignored on ECS"))
                            .at(at.key_span(&key_path))
                            .with_help(why),
                    );
                }
            }
        }
    }
    let awslogs = s
        .logging
        .as_ref()
        .and_then(|l| l.driver.as_deref())
        .is_none_or(|d| d == "awslogs");
    if let Some(options) = s
        .logging
        .as_ref()
        .and_then(|l| l.options.as_ref())
        .filter(|_| awslogs)
    {
        for (k, v) in options {
            if AWSLOGS_OPTIONS.contains(&k.as_str()) {
                if let Some(v) = v {
                    out.log_options.insert(k.clone(), v.to_text());
                }
            } else {
                let mut d = Diagnostic::new(
                    Code::IgnoredValue,
                    format!("`{k}` is not an option of the awslogs driver; ignored"),
                )
                .at(at.key_span(&p(path!["logging", "options", k.as_str()])));
                let renamed = AWSLOGS_RENAMED
                    .iter()
                    .find(|(old, _)| old == k)
                    .map(|(_, new)| *new);
                if let Some(best) = renamed
                    .or_else(|| crate::schema::did_you_mean(k, AWSLOGS_OPTIONS.iter().copied()))
                {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                diags.push(d);
            }
        }
    }
    out.arm64 = s
        .platform
        .as_deref()
        .is_some_and(|p| p.contains("arm64") || p.contains("aarch64"));
    out
}

/// CPU, memory and replicas, from `deploy` or the legacy keys.
fn resources(
    out: &mut Service,
    s: &spec::Service,
    at: &Locator<'_>,
    base: &[Seg],
    diags: &mut Diagnostics,
) {
    let p = |segs: Vec<Seg>| child(base, &segs);
    let deploy = s.deploy.as_ref();
    let limits = deploy
        .and_then(|d| d.resources.as_ref())
        .and_then(|r| r.limits.as_ref());
    let reservations = deploy
        .and_then(|d| d.resources.as_ref())
        .and_then(|r| r.reservations.as_ref());
    let cpus = |value: Option<&spec::NumOrStr>, path: Vec<Seg>, diags: &mut Diagnostics| {
        let value = value?;
        units::cpus(value)
            .map_err(|e| report(diags, at, &path, Code::InvalidNumber, e))
            .ok()
    };
    out.cpus = cpus(
        limits.and_then(|l| l.cpus.as_ref()),
        p(path!["deploy", "resources", "limits", "cpus"]),
        diags,
    )
    .or_else(|| {
        cpus(
            reservations.and_then(|r| r.cpus.as_ref()),
            p(path!["deploy", "resources", "reservations", "cpus"]),
            diags,
        )
    })
    .or_else(|| cpus(s.cpus.as_ref(), p(path!["cpus"]), diags));
    let size = |value: Option<&spec::NumOrStr>, path: Vec<Seg>, diags: &mut Diagnostics| {
        let value = value?;
        units::size_bytes(value)
            .map_err(|e| {
                diags.push(
                    Diagnostic::new(Code::InvalidSize, e)
                        .at(at.span(&path))
                        .with_help("write sizes like `512m` or `2g`"),
                );
            })
            .ok()
    };
    let reserved = size(
        reservations.and_then(|r| r.memory.as_ref()),
        p(path!["deploy", "resources", "reservations", "memory"]),
        diags,
    )
    .or_else(|| {
        size(
            s.mem_reservation.as_ref(),
            p(path!["mem_reservation"]),
            diags,
        )
    });
    out.memory = size(
        limits.and_then(|l| l.memory.as_ref()),
        p(path!["deploy", "resources", "limits", "memory"]),
        diags,
    )
    .or_else(|| size(s.mem_limit.as_ref(), p(path!["mem_limit"]), diags))
    .or(reserved);
    out.memory_reservation = reserved;
    if deploy.and_then(|d| d.resources.as_ref()).is_some() {
        out.resources_span = Some(at.key_span(&p(path!["deploy", "resources"])));
    } else if s.cpus.is_some() || s.mem_limit.is_some() {
        out.resources_span = Some(at.key_span(&p(if s.cpus.is_some() {
            path!["cpus"]
        } else {
            path!["mem_limit"]
        })));
    }
    let replicas = deploy
        .and_then(|d| d.replicas.as_ref())
        .map(|r| (r, p(path!["deploy", "replicas"])))
        .or_else(|| s.scale.as_ref().map(|r| (r, p(path!["scale"]))));
    if let Some((value, path)) = replicas {
        let span = at.span(&path);
        match units::integer(value) {
            Ok(n) if (0..=i64::from(u32::MAX)).contains(&n) => {
                out.replicas = n as u32;
                out.replicas_span = Some(span);
            }
            Ok(n) => diags.push(
                Diagnostic::new(
                    Code::InvalidNumber,
                    format!("{n} is not a number of replicas"),
                )
                .at(span),
            ),
            Err(e) => diags.push(Diagnostic::new(Code::InvalidNumber, e).at(span)),
        }
    }
    if let Some(parallelism) = deploy
        .and_then(|d| d.update_config.as_ref())
        .and_then(|u| u.parallelism.as_ref())
    {
        let path = p(path!["deploy", "update_config", "parallelism"]);
        match units::integer(parallelism) {
            Ok(n) => out.parallelism = Some((n, at.span(&path))),
            Err(e) => report(diags, at, &path, Code::InvalidNumber, e),
        }
    }
}
