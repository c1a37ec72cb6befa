//! The typed Compose model: a schema-valid document read into [`spec`] types with serde,
//! then normalised (short syntaxes parsed, units converted, list and map forms unified)
//! into a [`Project`]. Parse errors become diagnostics at the value's span.

pub mod arn;
pub mod aws;
mod gpus;
pub mod listeners;
pub mod ports;
pub mod secrets;
mod service;
pub mod spec;
pub mod spec_schema;
pub mod units;
pub mod volumes;

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::sync::OnceLock;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Node, Seg};
use crate::par;
use crate::source::Span;
use serde::Deserialize;
use serde::de::value::MapDeserializer;

pub use ports::{PortMapping, Protocol};
pub use secrets::{Secret, SecretSource, SecretUse};
pub use volumes::{Mount, Volume, VolumeOptions};

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
pub(crate) const AWSLOGS_RENAMED: &[(&str, &str)] =
    &[("awslogs-datetime-pattern", "awslogs-datetime-format")];

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
    /// Existing infrastructure and load-balancer settings (`x-aws-vpc`, ...).
    pub aws: aws::Infrastructure,
    /// Named volumes defined at the top level.
    pub volumes: BTreeMap<String, Volume>,
    /// Secrets defined at the top level.
    pub secrets: BTreeMap<String, Secret>,
    /// Configs defined at the top level.
    pub configs: BTreeMap<String, Config>,
    /// The parsed document, for checks that need keys the model does not carry (without
    /// its services, which are in [`Project::services`]).
    pub spec: spec::ComposeFile,
}

/// A top-level config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub name: String,
    /// Its key under `configs`.
    pub span: Span,
    /// What the file holds; `None` for an external config or one that could not be read.
    pub content: Option<String>,
    /// `external: true`: a platform object ECS does not have.
    pub external: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Network {
    pub name: String,
    /// Where the network is defined (for the implicit `default`, the first service on it).
    pub span: Option<Span>,
    /// `external: true` with `name: sg-...`: an existing security group.
    pub external: Option<String>,
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

/// `deploy.update_config`, as far as ECS can honour it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub parallelism: Option<(i64, Span)>,
    /// `start-first` or `stop-first`.
    pub order: Option<spec::UpdateOrder>,
    /// The Docker integration's `x-aws-min_percent`: `MinimumHealthyPercent` as given.
    pub min_percent: Option<(i64, Span)>,
    /// The Docker integration's `x-aws-max_percent`: `MaximumPercent` as given.
    pub max_percent: Option<(i64, Span)>,
}

/// `x-aws-healthcheck`, as written (ranges are checked by validation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetHealth {
    pub path: Option<(String, Span)>,
    pub matcher: Option<(String, Span)>,
    pub port: Option<(i64, Span)>,
    pub interval: Option<Timed>,
    pub timeout: Option<Timed>,
    pub healthy_threshold: Option<(i64, Span)>,
    pub unhealthy_threshold: Option<(i64, Span)>,
    pub grace_period: Option<Timed>,
}

/// Where a service's tasks run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Capacity {
    #[default]
    Fargate,
    /// Fargate Spot, after `base` tasks on Fargate (`span`: where it is asked for).
    FargateSpot { base: i64, span: Span },
}

/// `deploy.x-aws-autoscaling`.
#[derive(Debug, Clone, PartialEq)]
pub struct Autoscaling {
    pub min: Option<(i64, Span)>,
    pub max: Option<(i64, Span)>,
    pub cpu: Option<(f64, Span)>,
    pub memory: Option<(f64, Span)>,
    /// The `x-aws-autoscaling` key.
    pub span: Span,
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
    /// `tmpfs` paths (absolute; options after `:` dropped), each with its span.
    pub tmpfs: Vec<(String, Span)>,
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
    /// Named volumes it mounts.
    pub mounts: Vec<Mount>,
    /// Secrets it reads, as files in `/run/secrets`.
    pub secrets: Vec<SecretUse>,
    /// Configs it reads, as files at their targets.
    pub configs: Vec<SecretUse>,
    /// `awslogs-*` logging options.
    pub log_options: BTreeMap<String, String>,
    pub arm64: bool,
    /// `deploy.update_config`: how ECS replaces tasks.
    pub update: Update,
    /// `x-aws-pull_credentials`: the Secrets Manager secret holding registry credentials.
    pub pull_credentials: Option<(String, Span)>,
    /// `x-aws-role`: an IAM policy document for the task role.
    pub role_policy: Option<(serde_json::Value, Span)>,
    /// `x-aws-role` as an ARN: an existing role the tasks assume instead of one of ours.
    pub existing_role: Option<(String, Span)>,
    /// `x-aws-policies`: managed policy ARNs for the task role.
    pub managed_policies: Vec<(String, Span)>,
    /// `x-aws-healthcheck`: the load balancer's checks of the service's targets.
    pub target_health: TargetHealth,
    /// `x-aws-capacity_provider`.
    pub capacity: Capacity,
    /// `deploy.x-aws-autoscaling`.
    pub autoscaling: Option<Autoscaling>,
    /// GPUs each task needs (`gpus`, `devices`, `generic_resources`): it runs on EC2.
    pub gpus: Option<(u32, Span)>,
    /// The Docker integration's placement constraints for GPU instances: `node.machine ==
    /// TYPE` and `node.ami == AMI`.
    pub machine: Option<(String, Span)>,
    pub ami: Option<(String, Span)>,
    /// The service did not match the schema (already reported): only its name is known,
    /// and rules about its contents skip it.
    pub partial: bool,
}

impl Service {
    /// Whether the service publishes a port: the load balancer serves it.
    #[must_use]
    pub fn publishes(&self) -> bool {
        self.ports.iter().any(|(p, _)| p.is_published())
    }
}

/// Finds spans in the tree by path.
pub struct Locator<'a> {
    root: &'a Node,
    /// The entries of the top-level mappings (`services`, `networks`, ...) by section and
    /// name, indexed on first use: nearly every path goes through one, and scanning a
    /// thousand services for each lookup made reading a project quadratic.
    sections: OnceLock<SectionIndex<'a>>,
}

/// (section, name) → (the name's key span, its node).
type SectionIndex<'a> = HashMap<(&'a str, &'a str), (Span, &'a Node)>;

impl<'a> Locator<'a> {
    #[must_use]
    pub fn new(root: &'a Node) -> Self {
        Self {
            root,
            sections: OnceLock::new(),
        }
    }

    /// The span of the value at `path` (the key's span for mappings and lists), or of the
    /// nearest ancestor that exists.
    #[must_use]
    pub fn span(&self, path: &[Seg]) -> Span {
        let (base, rest) = split_indexed(path);
        self.span_in(base, rest)
    }

    /// [`Locator::span`] of `base` followed by `rest`, without joining the two: `base` is
    /// found through the index, and a service's fields (thousands of spans) need not copy
    /// the service's path for each.
    #[must_use]
    pub fn span_in(&self, base: &[Seg], rest: &[Seg]) -> Span {
        let nearest = (0..=rest.len())
            .rev()
            .find_map(|len| self.find(base, &rest[..len]))
            .or_else(|| {
                (0..base.len())
                    .rev()
                    .find_map(|len| self.lookup(&base[..len]))
            });
        match nearest {
            Some((Some(key), node))
                if matches!(
                    node.value,
                    crate::load::Value::Map(_) | crate::load::Value::Seq(_)
                ) =>
            {
                key
            }
            Some((_, node)) => node.span,
            None => self.root.span,
        }
    }

    /// The span of the key at the end of `path`.
    #[must_use]
    pub fn key_span(&self, path: &[Seg]) -> Span {
        let (base, rest) = split_indexed(path);
        self.key_span_in(base, rest)
    }

    /// [`Locator::key_span`] of `base` followed by `rest`, without joining the two.
    #[must_use]
    pub fn key_span_in(&self, base: &[Seg], rest: &[Seg]) -> Span {
        match self.find(base, rest) {
            Some((Some(key), _)) => key,
            _ => self.span_in(base, rest),
        }
    }

    #[must_use]
    pub fn root(&self) -> &'a Node {
        self.root
    }

    /// The node at `path`, if there is one.
    #[must_use]
    pub fn node(&self, path: &[Seg]) -> Option<&'a Node> {
        self.lookup(path).map(|(_, node)| node)
    }

    /// [`Locator::node`] of `base` followed by `rest`, without joining the two.
    #[must_use]
    pub fn node_in(&self, base: &[Seg], rest: &[Seg]) -> Option<&'a Node> {
        self.find(base, rest).map(|(_, node)| node)
    }

    /// [`Locator::lookup`] of `base` followed by `rest`.
    fn find(&self, base: &[Seg], rest: &[Seg]) -> Option<(Option<Span>, &'a Node)> {
        let found = self.lookup(base)?;
        if rest.is_empty() {
            Some(found)
        } else {
            found.1.lookup(rest)
        }
    }

    /// [`Node::lookup`] from the root, through the index for the first two keys.
    fn lookup(&self, path: &[Seg]) -> Option<(Option<Span>, &'a Node)> {
        let [Seg::Key(section), Seg::Key(name), rest @ ..] = path else {
            return self.root.lookup(path);
        };
        let sections = self.sections.get_or_init(|| {
            let mut index = HashMap::default();
            for section in self.root.as_map().into_iter().flatten() {
                for entry in section.value.as_map().into_iter().flatten() {
                    index
                        .entry((section.key.as_str(), entry.key.as_str()))
                        .or_insert((entry.key_span, &entry.value));
                }
            }
            index
        });
        let &(key, node) = sections.get(&(section.as_str(), name.as_str()))?;
        if rest.is_empty() {
            Some((Some(key), node))
        } else {
            node.lookup(rest)
        }
    }
}

/// `path` as the part the [`Locator`]'s index finds (`[section, name]`) and the rest.
fn split_indexed(path: &[Seg]) -> (&[Seg], &[Seg]) {
    path.split_at(path.len().min(2))
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

/// The services that are well-formed (a broken one has its schema error), each read and
/// built on its own, on every core, in one pass: its parsed form is dropped as soon as it
/// is built (the model carries all of it). With the diagnostics of building them.
fn build_services(
    services: &serde_json::Map<String, serde_json::Value>,
    at: &Locator<'_>,
) -> (Vec<Service>, Diagnostics) {
    let all: Vec<(&String, &serde_json::Value)> = services.iter().collect();
    let mut built = Vec::with_capacity(all.len());
    let mut diags = Diagnostics::new();
    for (services, found) in par::chunks(&all, par::MIN_SERVICES, |chunk| {
        let mut found = Diagnostics::new();
        let services: Vec<Service> = chunk
            .iter()
            .filter_map(|(name, service)| {
                let service = spec::Service::deserialize(*service).ok()?;
                Some(service::build(name, &service, at, &mut found))
            })
            .collect();
        (services, found)
    }) {
        built.extend(services);
        diags.extend(found);
    }
    (built, diags)
}

/// Marks the services the schema found errors in as partial: content rules would only
/// repeat what it said about them.
pub fn note_schema_errors(project: &mut Project, checked: &crate::schema::Checked) {
    for (name, service) in &mut project.services {
        service.partial |=
            checked.has_error_under(&[Seg::from("services"), Seg::from(name.as_str())]);
    }
}

/// Reads the project from the document (`instance`: `root` as JSON). Parts that do not
/// deserialize (only possible where the schema reports an error) are skipped; what the
/// schema reports marks the services it concerns afterwards ([`note_schema_errors`]).
pub fn build(
    root: &Node,
    instance: &serde_json::Value,
    name: &str,
    configs: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> Project {
    let at = Locator::new(root);
    let mut project = Project {
        name: name.to_string(),
        ..Project::default()
    };
    let Some(top) = instance.as_object() else {
        return project;
    };
    let mut file = spec::ComposeFile::default();
    let mut services = None;
    for (key, value) in top {
        if let (Some(all), "services") = (value.as_object(), key.as_str()) {
            services = Some(build_services(all, &at));
            continue;
        }
        // Each top-level key on its own, so one broken section does not hide the others;
        // read in place, not copied.
        let single =
            MapDeserializer::<_, serde_json::Error>::new(std::iter::once((key.as_str(), value)));
        if let Ok(part) = spec::ComposeFile::deserialize(single) {
            merge_top(&mut file, part);
        }
    }
    if let Some(days) = &file.x_aws_logs_retention {
        let span = at.span(&[Seg::from("x-aws-logs_retention")]);
        match units::integer(days) {
            Ok(days) => project.logs_retention = Some((days, span)),
            Err(e) => diags.push(Diagnostic::new(Code::InvalidNumber, e).at(span)),
        }
    }
    project.aws = aws::build(&file, &at, diags);
    project.volumes = volumes::build(&file, &at, diags);
    project.secrets = secrets::build(&file, &at, diags);
    for (name, definition) in file.configs.iter().flatten() {
        let external = definition.external.as_ref().is_some_and(is_external);
        let config = Config {
            name: name.clone(),
            span: at.key_span(&path!["configs", name.as_str()]),
            content: configs.get(name).cloned(),
            external,
        };
        project.configs.insert(name.clone(), config);
    }
    for (name, network) in file.networks.iter().flatten() {
        project
            .networks
            .insert(name.clone(), build_network(name, network.as_ref(), &at));
    }
    if let Some((built, found)) = services {
        diags.extend(found);
        for service in built {
            project.services.insert(service.name.clone(), service);
        }
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
        x_aws_subnets,
        x_aws_loadbalancer,
        x_aws_loadbalancer_scheme,
        x_aws_certificate,
        x_aws_assign_public_ip,
        x_aws_logs_retention,
        x_aws_cloudformation
    );
}

fn build_network(name: &str, network: Option<&spec::Network>, at: &Locator<'_>) -> Network {
    let base = path!["networks", name];
    let external_flag = network
        .and_then(|n| n.external.as_ref())
        .is_some_and(is_external);
    let legacy_name = network
        .and_then(|n| n.external.as_ref())
        .and_then(spec::External::legacy_name)
        .map(String::from);
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
    Network {
        name: name.to_string(),
        span: Some(at.key_span(&base)),
        external,
    }
}

/// Whether a resource already exists: `external: true`, or the legacy
/// `external: {name: ...}`.
pub(crate) fn is_external(external: &spec::External) -> bool {
    match external {
        spec::External::Flag(flag) => units::boolean(flag).unwrap_or(false),
        spec::External::Named(_) => true,
    }
}
