//! The Compose file format as Rust types: what the file may say, before any meaning is
//! given to it. `schema/compose2cfn.schema.json` is generated from these types (a test keeps
//! it current and checks it against the official Compose schema), and the model reads a
//! schema-valid document into them with serde. Values that Compose lets interpolation turn
//! into strings (`replicas: "${N}"`) are `*OrStr` unions here; the model parses them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Declares a Compose object: no keys beyond its fields, except `x-` extensions.
macro_rules! compose_object {
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
        #[schemars(extend("additionalProperties" = false, "patternProperties" = {"^x-": {}}))]
        pub struct $name { $($body)* }
    };
}

/// An integer, or a string that should hold one (after interpolation).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum IntOrStr {
    Int(i64),
    Str(String),
}

impl Default for IntOrStr {
    fn default() -> Self {
        IntOrStr::Int(0)
    }
}

/// A number, or a string that should hold one.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NumOrStr {
    Num(f64),
    Str(String),
}

/// A boolean, or a string that should hold one.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum BoolOrStr {
    Bool(bool),
    Str(String),
}

/// One string or a list of strings.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    List(Vec<String>),
}

impl StringOrList {
    #[must_use]
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            StringOrList::One(s) => vec![s.clone()],
            StringOrList::List(l) => l.clone(),
        }
    }
}

/// A scalar value in a mapping (`KEY: value`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    Str(String),
    Num(serde_json::Number),
    Bool(bool),
}

impl Scalar {
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Scalar::Str(s) => s.clone(),
            Scalar::Num(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// `KEY: value` mapping or `KEY=value` list.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ListOrDict {
    Dict(IndexMap<String, Option<Scalar>>),
    List(Vec<String>),
}

impl ListOrDict {
    /// The pairs in order; a list item without `=` has no value.
    #[must_use]
    pub fn pairs(&self) -> Vec<(String, Option<String>)> {
        match self {
            ListOrDict::Dict(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), v.as_ref().map(Scalar::to_text)))
                .collect(),
            ListOrDict::List(items) => items
                .iter()
                .map(|item| match item.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (item.clone(), None),
                })
                .collect(),
        }
    }
}

/// The whole Compose file.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[schemars(
    title = "Compose file (compose2cfn)",
    extend("additionalProperties" = false, "patternProperties" = {"^x-": {}})
)]
pub struct ComposeFile {
    /// Obsolete; ignored.
    pub version: Option<String>,
    /// The project name.
    pub name: Option<String>,
    pub include: Option<Vec<Value>>,
    pub services: Option<IndexMap<String, Box<Service>>>,
    pub models: Option<IndexMap<String, Value>>,
    pub networks: Option<IndexMap<String, Option<Network>>>,
    pub volumes: Option<IndexMap<String, Option<Volume>>>,
    pub secrets: Option<IndexMap<String, Secret>>,
    pub configs: Option<IndexMap<String, Config>>,
    /// Existing ECS cluster (name or ARN) to deploy into.
    #[serde(rename = "x-aws-cluster")]
    pub x_aws_cluster: Option<String>,
    /// Existing VPC to deploy into (`vpc-...` or its ARN).
    #[serde(rename = "x-aws-vpc")]
    pub x_aws_vpc: Option<String>,
    /// The subnets of `x-aws-vpc` the tasks and the load balancer use.
    #[serde(rename = "x-aws-subnets")]
    pub x_aws_subnets: Option<Vec<String>>,
    /// Existing load balancer (its ARN).
    #[serde(rename = "x-aws-loadbalancer")]
    pub x_aws_loadbalancer: Option<String>,
    /// Whether the load balancer the stack creates faces the internet or the VPC only.
    #[serde(rename = "x-aws-loadbalancer_scheme")]
    pub x_aws_loadbalancer_scheme: Option<Scheme>,
    /// An ACM certificate ARN: every HTTP port of the load balancer serves HTTPS with it.
    #[serde(rename = "x-aws-certificate")]
    pub x_aws_certificate: Option<String>,
    /// `false`: no task gets a public IP, even behind the load balancer in subnets
    /// without NAT (the created VPC then routes every task through a NAT gateway).
    #[serde(rename = "x-aws-assign_public_ip")]
    pub x_aws_assign_public_ip: Option<BoolOrStr>,
    /// CloudWatch Logs retention in days.
    #[serde(rename = "x-aws-logs_retention")]
    pub x_aws_logs_retention: Option<IntOrStr>,
    /// A CloudFormation overlay merged into the generated template.
    #[serde(rename = "x-aws-cloudformation")]
    pub x_aws_cloudformation: Option<serde_json::Map<String, Value>>,
}

compose_object! {
    /// A service: one container definition, run as an ECS service.
    pub struct Service {
        pub develop: Option<Value>,
        pub deploy: Option<Deploy>,
        pub annotations: Option<ListOrDict>,
        pub attach: Option<BoolOrStr>,
        pub build: Option<Value>,
        pub blkio_config: Option<Value>,
        pub cap_add: Option<Vec<String>>,
        pub cap_drop: Option<Vec<String>>,
        pub cgroup: Option<String>,
        pub cgroup_parent: Option<String>,
        pub command: Option<StringOrList>,
        pub configs: Option<Vec<ConfigOrSecretRef>>,
        pub container_name: Option<String>,
        pub cpu_count: Option<IntOrStr>,
        pub cpu_percent: Option<IntOrStr>,
        pub cpu_shares: Option<NumOrStr>,
        pub cpu_quota: Option<NumOrStr>,
        pub cpu_period: Option<NumOrStr>,
        pub cpu_rt_period: Option<NumOrStr>,
        pub cpu_rt_runtime: Option<NumOrStr>,
        pub cpus: Option<NumOrStr>,
        pub cpuset: Option<String>,
        pub credential_spec: Option<Value>,
        pub depends_on: Option<DependsOn>,
        pub device_cgroup_rules: Option<Vec<String>>,
        pub devices: Option<Vec<Value>>,
        pub dns: Option<StringOrList>,
        pub dns_opt: Option<Vec<String>>,
        pub dns_search: Option<StringOrList>,
        pub domainname: Option<String>,
        pub entrypoint: Option<StringOrList>,
        pub env_file: Option<Value>,
        pub label_file: Option<StringOrList>,
        pub environment: Option<ListOrDict>,
        pub expose: Option<Vec<Scalar>>,
        pub extends: Option<Extends>,
        pub provider: Option<Value>,
        pub external_links: Option<Vec<String>>,
        pub extra_hosts: Option<Value>,
        pub gpus: Option<Value>,
        pub group_add: Option<Vec<Scalar>>,
        pub healthcheck: Option<Healthcheck>,
        pub hostname: Option<String>,
        pub image: Option<String>,
        pub init: Option<BoolOrStr>,
        pub ipc: Option<String>,
        pub isolation: Option<String>,
        pub labels: Option<ListOrDict>,
        pub links: Option<Vec<String>>,
        pub logging: Option<Logging>,
        pub mac_address: Option<String>,
        pub mem_limit: Option<NumOrStr>,
        pub mem_reservation: Option<NumOrStr>,
        pub mem_swappiness: Option<IntOrStr>,
        pub memswap_limit: Option<NumOrStr>,
        pub network_mode: Option<String>,
        pub models: Option<Value>,
        pub networks: Option<ServiceNetworks>,
        pub oom_kill_disable: Option<BoolOrStr>,
        pub oom_score_adj: Option<IntOrStr>,
        pub pid: Option<String>,
        pub pids_limit: Option<NumOrStr>,
        pub platform: Option<String>,
        pub ports: Option<Vec<Port>>,
        pub post_start: Option<Vec<Value>>,
        pub pre_stop: Option<Vec<Value>>,
        pub privileged: Option<BoolOrStr>,
        pub profiles: Option<Vec<String>>,
        pub pull_policy: Option<String>,
        pub pull_refresh_after: Option<String>,
        pub read_only: Option<BoolOrStr>,
        pub restart: Option<String>,
        pub runtime: Option<String>,
        pub scale: Option<IntOrStr>,
        pub security_opt: Option<Vec<String>>,
        pub shm_size: Option<NumOrStr>,
        pub secrets: Option<Vec<ConfigOrSecretRef>>,
        pub sysctls: Option<ListOrDict>,
        pub stdin_open: Option<BoolOrStr>,
        pub stop_grace_period: Option<String>,
        pub stop_signal: Option<String>,
        pub storage_opt: Option<Value>,
        pub tmpfs: Option<StringOrList>,
        pub tty: Option<BoolOrStr>,
        pub ulimits: Option<IndexMap<String, Ulimit>>,
        pub use_api_socket: Option<bool>,
        pub user: Option<String>,
        pub uts: Option<String>,
        pub userns_mode: Option<String>,
        pub volumes: Option<Vec<ServiceVolume>>,
        pub volumes_from: Option<Vec<String>>,
        pub working_dir: Option<String>,
        /// Secrets Manager ARN of registry credentials.
        #[serde(rename = "x-aws-pull_credentials")]
        pub x_aws_pull_credentials: Option<String>,
        /// An IAM policy document for the task role.
        #[serde(rename = "x-aws-role")]
        pub x_aws_role: Option<XAwsRole>,
        /// Managed policy ARNs for the task role.
        #[serde(rename = "x-aws-policies")]
        pub x_aws_policies: Option<Vec<String>>,
        /// Load-balancer health checks of the service's targets.
        #[serde(rename = "x-aws-healthcheck")]
        pub x_aws_healthcheck: Option<TargetHealthCheck>,
        /// Fargate or Fargate Spot.
        #[serde(rename = "x-aws-capacity_provider")]
        pub x_aws_capacity_provider: Option<CapacityProvider>,
    }
}

/// `depends_on` in list or mapping form.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DependsOn {
    List(Vec<String>),
    Map(IndexMap<String, Dependency>),
}

compose_object! {
    /// One entry of the long `depends_on` form.
    pub struct Dependency {
        pub condition: Option<DependencyCondition>,
        pub restart: Option<BoolOrStr>,
        pub required: Option<bool>,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DependencyCondition {
    ServiceStarted,
    ServiceHealthy,
    ServiceCompletedSuccessfully,
}

compose_object! {
    /// `healthcheck`.
    pub struct Healthcheck {
        pub disable: Option<BoolOrStr>,
        pub interval: Option<String>,
        pub retries: Option<NumOrStr>,
        pub test: Option<StringOrList>,
        pub timeout: Option<String>,
        pub start_period: Option<String>,
        pub start_interval: Option<String>,
    }
}

compose_object! {
    /// `logging`.
    pub struct Logging {
        pub driver: Option<String>,
        pub options: Option<IndexMap<String, Option<Scalar>>>,
    }
}

/// `networks` of a service, in list or mapping form.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ServiceNetworks {
    List(Vec<String>),
    Map(IndexMap<String, Option<ServiceNetwork>>),
}

compose_object! {
    /// A service's attachment to one network.
    pub struct ServiceNetwork {
        pub aliases: Option<Vec<String>>,
        pub interface_name: Option<String>,
        pub ipv4_address: Option<String>,
        pub ipv6_address: Option<String>,
        pub link_local_ips: Option<Vec<String>>,
        pub mac_address: Option<String>,
        pub driver_opts: Option<IndexMap<String, Scalar>>,
        pub priority: Option<f64>,
        pub gw_priority: Option<f64>,
    }
}

/// `x-aws-role`: an inline policy document for the task role, or an existing role's ARN.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum XAwsRole {
    Arn(String),
    Document(serde_json::Map<String, Value>),
}

/// `extends`: a service of the same file, or a service and the file that defines it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Extends {
    Service(String),
    Long(ExtendsLong),
}

compose_object! {
    /// The long form of `extends`.
    pub struct ExtendsLong {
        pub service: String,
        pub file: Option<String>,
    }
}

/// A port: short syntax (`"8080:80/tcp"`, `80`) or long syntax.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Port {
    Number(f64),
    Short(String),
    Long(PortLong),
}

compose_object! {
    /// The long port syntax.
    pub struct PortLong {
        pub name: Option<String>,
        pub mode: Option<String>,
        pub host_ip: Option<String>,
        pub target: Option<IntOrStr>,
        pub published: Option<IntOrStr>,
        pub protocol: Option<String>,
        pub app_protocol: Option<String>,
        /// Docker ECS integration: `http` or `https` asks for an application load balancer.
        #[serde(rename = "x-aws-protocol")]
        pub x_aws_protocol: Option<String>,
        /// An ACM certificate ARN: the port is served over HTTPS (TLS on a network load
        /// balancer).
        #[serde(rename = "x-aws-certificate")]
        pub x_aws_certificate: Option<String>,
    }
}

/// A service volume: short syntax (`src:/target:ro`) or long syntax.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ServiceVolume {
    Short(String),
    Long(Box<ServiceVolumeLong>),
}

compose_object! {
    /// The long volume syntax.
    pub struct ServiceVolumeLong {
        #[serde(rename = "type")]
        pub kind: VolumeType,
        pub source: Option<String>,
        pub target: Option<String>,
        pub read_only: Option<BoolOrStr>,
        pub consistency: Option<String>,
        pub bind: Option<Value>,
        pub volume: Option<Value>,
        pub tmpfs: Option<Value>,
        pub image: Option<Value>,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VolumeType {
    Bind,
    #[default]
    Volume,
    Tmpfs,
    Cluster,
    Npipe,
    Image,
}

/// A service's reference to a secret or config.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ConfigOrSecretRef {
    Short(String),
    Long(ConfigOrSecretLong),
}

compose_object! {
    /// The long form of a secret or config reference.
    pub struct ConfigOrSecretLong {
        pub source: Option<String>,
        pub target: Option<String>,
        pub uid: Option<String>,
        pub gid: Option<String>,
        pub mode: Option<NumOrStr>,
    }
}

/// One `ulimits` entry: a single value or soft and hard limits.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Ulimit {
    Single(IntOrStr),
    Pair(UlimitPair),
}

compose_object! {
    /// Soft and hard limits.
    pub struct UlimitPair {
        pub soft: IntOrStr,
        pub hard: IntOrStr,
    }
}

compose_object! {
    /// `deploy`.
    pub struct Deploy {
        pub mode: Option<String>,
        pub endpoint_mode: Option<String>,
        pub replicas: Option<IntOrStr>,
        pub labels: Option<ListOrDict>,
        pub rollback_config: Option<UpdateConfig>,
        pub update_config: Option<UpdateConfig>,
        pub resources: Option<Resources>,
        pub restart_policy: Option<RestartPolicy>,
        pub placement: Option<Placement>,
        /// Docker ECS integration: target-tracking autoscaling.
        #[serde(rename = "x-aws-autoscaling")]
        pub x_aws_autoscaling: Option<Autoscaling>,
    }
}

compose_object! {
    /// `deploy.x-aws-autoscaling`: between `min` and `max` tasks, tracking a CPU or memory
    /// utilisation target (percent).
    pub struct Autoscaling {
        pub min: Option<IntOrStr>,
        pub max: Option<IntOrStr>,
        pub cpu: Option<NumOrStr>,
        pub memory: Option<NumOrStr>,
    }
}

compose_object! {
    /// `x-aws-healthcheck`: how the load balancer checks the service's targets.
    pub struct TargetHealthCheck {
        /// The HTTP path probed.
        pub path: Option<String>,
        /// The HTTP codes that mean healthy (`200`, `200-399`, `200,302`).
        pub matcher: Option<String>,
        /// The port probed, when not the traffic port.
        pub port: Option<IntOrStr>,
        pub interval: Option<String>,
        pub timeout: Option<String>,
        pub healthy_threshold: Option<IntOrStr>,
        pub unhealthy_threshold: Option<IntOrStr>,
        /// How long a new task may fail checks before ECS replaces it.
        pub grace_period: Option<String>,
    }
}

/// `x-aws-capacity_provider`: `FARGATE`, `FARGATE_SPOT`, or a mapping with a base of tasks
/// kept on `FARGATE`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CapacityProvider {
    Name(CapacityProviderName),
    Strategy(Box<CapacityStrategy>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum CapacityProviderName {
    #[serde(rename = "FARGATE")]
    Fargate,
    #[serde(rename = "FARGATE_SPOT")]
    FargateSpot,
}

compose_object! {
    /// The long form of `x-aws-capacity_provider`.
    pub struct CapacityStrategy {
        pub name: Option<CapacityProviderName>,
        /// Tasks always run on `FARGATE` before any runs on Spot.
        pub base: Option<IntOrStr>,
    }
}

compose_object! {
    /// `deploy.update_config` and `deploy.rollback_config`.
    pub struct UpdateConfig {
        pub parallelism: Option<IntOrStr>,
        pub delay: Option<String>,
        pub failure_action: Option<String>,
        pub monitor: Option<String>,
        pub max_failure_ratio: Option<NumOrStr>,
        pub order: Option<UpdateOrder>,
        #[serde(rename = "x-aws-min_percent")]
        pub x_aws_min_percent: Option<IntOrStr>,
        #[serde(rename = "x-aws-max_percent")]
        pub x_aws_max_percent: Option<IntOrStr>,
    }
}

/// `x-aws-loadbalancer_scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    Internal,
    InternetFacing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateOrder {
    StartFirst,
    StopFirst,
}

compose_object! {
    /// `deploy.resources`.
    pub struct Resources {
        pub limits: Option<ResourceLimits>,
        pub reservations: Option<ResourceReservations>,
    }
}

compose_object! {
    /// `deploy.resources.limits`.
    pub struct ResourceLimits {
        pub cpus: Option<NumOrStr>,
        pub memory: Option<NumOrStr>,
        pub pids: Option<IntOrStr>,
    }
}

compose_object! {
    /// `deploy.resources.reservations`.
    pub struct ResourceReservations {
        pub cpus: Option<NumOrStr>,
        pub memory: Option<NumOrStr>,
        pub generic_resources: Option<Vec<Value>>,
        pub devices: Option<Vec<Value>>,
    }
}

compose_object! {
    /// `deploy.restart_policy`.
    pub struct RestartPolicy {
        pub condition: Option<String>,
        pub delay: Option<String>,
        pub max_attempts: Option<IntOrStr>,
        pub window: Option<String>,
    }
}

compose_object! {
    /// `deploy.placement`.
    pub struct Placement {
        pub constraints: Option<Vec<String>>,
        pub preferences: Option<Vec<Value>>,
        pub max_replicas_per_node: Option<IntOrStr>,
    }
}

/// `external: true`, or the legacy `external: {name: ...}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum External {
    Flag(BoolOrStr),
    Named(ExternalName),
}

impl External {
    /// The name the legacy `external: {name: ...}` gives.
    #[must_use]
    pub fn legacy_name(&self) -> Option<&str> {
        match self {
            External::Named(named) => named.name.as_deref(),
            External::Flag(_) => None,
        }
    }
}

compose_object! {
    /// Legacy `external: {name: ...}`.
    pub struct ExternalName {
        pub name: Option<String>,
    }
}

compose_object! {
    /// A top-level network: a security group.
    pub struct Network {
        pub name: Option<String>,
        pub driver: Option<String>,
        pub driver_opts: Option<IndexMap<String, Scalar>>,
        pub ipam: Option<Value>,
        pub external: Option<External>,
        pub internal: Option<BoolOrStr>,
        pub enable_ipv4: Option<BoolOrStr>,
        pub enable_ipv6: Option<BoolOrStr>,
        pub attachable: Option<BoolOrStr>,
        pub labels: Option<ListOrDict>,
        /// Deprecated Docker ECS spelling of an external security group.
        #[serde(rename = "x-aws-securitygroup")]
        pub x_aws_securitygroup: Option<String>,
    }
}

compose_object! {
    /// A top-level volume.
    pub struct Volume {
        pub name: Option<String>,
        pub driver: Option<String>,
        pub driver_opts: Option<IndexMap<String, Scalar>>,
        pub external: Option<External>,
        pub labels: Option<ListOrDict>,
    }
}

compose_object! {
    /// A top-level secret.
    pub struct Secret {
        pub name: Option<String>,
        pub environment: Option<String>,
        pub file: Option<String>,
        pub external: Option<External>,
        pub labels: Option<ListOrDict>,
        pub driver: Option<String>,
        pub driver_opts: Option<IndexMap<String, Scalar>>,
        pub template_driver: Option<String>,
        /// Keys of a JSON secret to write as separate files.
        #[serde(rename = "x-aws-keys")]
        pub x_aws_keys: Option<StringOrList>,
    }
}

compose_object! {
    /// A top-level config.
    pub struct Config {
        pub name: Option<String>,
        pub content: Option<String>,
        pub environment: Option<String>,
        pub file: Option<String>,
        pub external: Option<External>,
        pub labels: Option<ListOrDict>,
        pub template_driver: Option<String>,
    }
}
