//! The support table: one row per Compose key, saying what compose2cfn does with it —
//! lowered (to what), ignored with a warning (why), dropped silently (why), rejected (what
//! to do instead), or not supported yet. [`check`] walks the document against it. Each row
//! also names the source files that handle its key and the testdata cases that show what
//! it says (`tests/it/docs.rs` holds every row to its cases; `docs/compose-support.md` is
//! generated from the table).

use crate::diag::did_you_mean;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Node, Value};

/// What happens to a key.
#[derive(Clone, Copy)]
pub enum Support {
    /// Becomes part of the template: what it becomes.
    Lowered(&'static str),
    /// Has no meaning on ECS; a warning says why.
    Ignored(&'static str),
    /// Has no meaning on ECS and is dropped without a word: why.
    Dropped(&'static str),
    /// Cannot run on Fargate: an error with what to do instead.
    Rejected(&'static str),
    /// Valid on ECS, not lowered by compose2cfn yet: an error.
    NotYet(&'static str),
    /// Depends on the value: the function decides; the text documents it.
    Depends(fn(&Node) -> Option<Verdict>, &'static str),
    /// A rule of its own checks it (the text says where and how); nothing to do here.
    Checked(&'static str),
    /// The loader resolves it as Docker Compose does, before validation: how.
    Resolved(&'static str),
}

/// The outcome of a value-dependent row.
pub enum Verdict {
    Ignored(String),
    Rejected(String),
    NotYet(String),
}

/// One row: the section (`services.*`), the key, what happens, where, and which cases
/// show it.
pub struct Row {
    pub section: &'static str,
    pub key: &'static str,
    pub support: Support,
    /// The source files that read, check, lower or ignore the key, from the repository's
    /// root (`src/model/ports.rs`). Every key is also declared in `src/model/spec.rs`, from
    /// which the schema is generated: that file is not listed.
    pub files: &'static [&'static str],
    /// The testdata cases that use the key and show what the row claims (`tests/it/docs.rs`
    /// checks each against its snapshots).
    pub cases: &'static [Evidence],
}

/// A testdata case that shows a row's claim.
pub struct Evidence {
    /// The case's folder under `testdata/`: `ok/ports-http`, `err/privileged-host`.
    pub case: &'static str,
    pub shows: Shows,
}

/// What a case's snapshots show about the key.
pub enum Shows {
    /// The case compiles without a word about the key from this table.
    Compiles,
    /// The case compiles without a word about the key from this table, and its template
    /// holds this text.
    Template(&'static str),
    /// The case's diagnostics have this code (the table's own codes, about the key).
    Code(&'static str),
}

/// Rows of the table: `SECTION "key" => support, files [..], cases [..];`, a case written
/// `"ok/name"`, `"ok/name" => "template text"` or `"err/name" => E0402`.
macro_rules! table {
    ($($section:ident $key:literal => $support:expr,
        files [$($file:literal),* $(,)?],
        cases [$($case:literal $(=> $shows:tt)?),* $(,)?];)*) => {
        [$(Row {
            section: $section,
            key: $key,
            support: $support,
            files: &[$($file),*],
            cases: &[$(Evidence { case: $case, shows: shows!($($shows)?) }),*],
        }),*]
    };
}

/// What a case of [`table!`] shows.
macro_rules! shows {
    () => {
        Shows::Compiles
    };
    ($text:literal) => {
        Shows::Template($text)
    };
    ($code:ident) => {
        Shows::Code(stringify!($code))
    };
}

use Support::{Checked, Depends, Dropped, Ignored, Lowered, NotYet, Rejected, Resolved};

const S: &str = "services.*";
const D: &str = "services.*.deploy";
const N: &str = "networks.*";
const U: &str = "services.*.deploy.update_config";
const L: &str = "services.*.deploy.resources.limits";
const R: &str = "services.*.deploy.resources.reservations";
const T: &str = "";
const V: &str = "volumes.*";
const SE: &str = "secrets.*";
const C: &str = "configs.*";

/// The sections of the table, in the order the documentation lists them: (section,
/// heading).
pub const SECTIONS: &[(&str, &str)] = &[
    (T, "Top level"),
    (S, "Services (`services.*`)"),
    (D, "Deployment (`services.*.deploy`)"),
    (U, "Updates (`services.*.deploy.update_config`)"),
    (L, "Resource limits (`services.*.deploy.resources.limits`)"),
    (
        R,
        "Resource reservations (`services.*.deploy.resources.reservations`)",
    ),
    (N, "Networks (`networks.*`)"),
    (V, "Volumes (`volumes.*`)"),
    (SE, "Secrets (`secrets.*`)"),
    (C, "Configs (`configs.*`)"),
];

fn is_true(node: &Node) -> bool {
    match &node.value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn privileged(node: &Node) -> Option<Verdict> {
    is_true(node).then(|| Verdict::Rejected("Fargate never runs privileged containers; grant only the capabilities the service needs".into()))
}

fn network_mode(node: &Node) -> Option<Verdict> {
    let mode = node.as_str().unwrap_or_default();
    match mode {
        "bridge" | "default" | "awsvpc" | "" => Some(Verdict::Ignored(format!(
            "every Fargate task has its own network interface (awsvpc); `{mode}` is not used"
        ))),
        _ => Some(Verdict::Rejected(format!(
            "`network_mode: {mode}` cannot run on Fargate, where every task has its own network interface; put the services on a common network instead"
        ))),
    }
}

/// Only the GPU instances' `node.machine`/`node.ami` constraints mean something on ECS
/// (`validate/scaling.rs` checks where they are used).
fn placement(node: &Node) -> Option<Verdict> {
    let node_only = node.as_map().is_some_and(|entries| {
        entries.iter().all(|e| {
            e.key == "constraints"
                && e.value.as_seq().is_some_and(|items| {
                    items.iter().all(|c| {
                        c.as_str()
                            .and_then(|c| c.split_once("=="))
                            .is_some_and(|(name, _)| {
                                matches!(name.trim(), "node.machine" | "node.ami")
                            })
                    })
                })
        })
    });
    (!node_only).then(|| Verdict::Ignored("Fargate has no placement constraints; GPU services take `node.machine == TYPE` and `node.ami == AMI` only".into()))
}

fn pid(node: &Node) -> Option<Verdict> {
    node.as_str().filter(|m| !m.is_empty()).map(|mode| {
        Verdict::Rejected(format!("`pid: {mode}` cannot run on Fargate: a task never shares the host's or another service's process namespace; remove it"))
    })
}

fn host_namespace(node: &Node) -> Option<Verdict> {
    match node.as_str() {
        Some("host") => Some(Verdict::Rejected(
            "Fargate tasks never share the host's namespaces; remove it".into(),
        )),
        Some(_) => Some(Verdict::Ignored(
            "Fargate tasks have their own namespaces; the setting is not used".into(),
        )),
        None => None,
    }
}

fn restart(node: &Node) -> Option<Verdict> {
    matches!(node.as_str(), Some("no" | "\"no\"")).then(|| {
        Verdict::Ignored(
            "an ECS service always replaces stopped tasks; `restart: no` cannot be honoured".into(),
        )
    })
}

fn deploy_mode(node: &Node) -> Option<Verdict> {
    match node.as_str() {
        Some("global") => Some(Verdict::Rejected("Fargate has no hosts to run one task per host on; use `mode: replicated` with `replicas`".into())),
        _ => None,
    }
}

fn logging(node: &Node) -> Option<Verdict> {
    let driver = node.get("driver").and_then(Node::as_str)?;
    (driver != "awslogs").then(|| {
        Verdict::Ignored(format!("containers log to CloudWatch Logs with the `awslogs` driver; `{driver}` and its options are not used"))
    })
}

fn volume_driver(node: &Node) -> Option<Verdict> {
    match node.as_str() {
        None | Some("local" | "") => None,
        Some(driver) => Some(Verdict::Ignored(format!(
            "every volume is an encrypted EFS file system; the `{driver}` driver is not used"
        ))),
    }
}

/// Every Compose key compose2cfn knows, what it does with it, the files that handle it and
/// the cases that show it.
pub const TABLE: &[Row] = &table! {
    T "version" => Dropped("obsolete in the Compose specification"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    T "name" => Lowered("the project name (normalised as Compose does): the `com.docker.compose.project` tag, task families (`{name}-{service}`), `Name` tags and descriptions, the log stream prefix"),
        files ["src/load/mod.rs", "src/lower/mod.rs", "src/lower/service.rs"],
        cases ["ok/name-and-project" => "Family: my_shop-storefront", "err/project-name-too-long" => E0305];
    T "include" => Resolved("the included projects' services, networks, volumes, secrets and configs are imported (`load/include.rs`)"),
        files ["src/load/include.rs"],
        cases ["ok/include", "err/include-errors" => E0113];
    T "services" => Lowered("one task definition and ECS service each"),
        files ["src/model/mod.rs", "src/model/service.rs", "src/lower/mod.rs", "src/lower/service.rs"],
        cases ["ok/minimal" => "AWS::ECS::Service"];
    T "models" => NotYet("AI models have no ECS mapping yet"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0412];
    T "networks" => Lowered("one security group each that a service joins, open between its members (an external one: the existing group); a network no service joins is left out (`W0404`)"),
        files ["src/model/mod.rs", "src/validate/definitions.rs", "src/lower/network.rs"],
        cases ["ok/networks" => "AWS::EC2::SecurityGroupIngress"];
    T "volumes" => Lowered("an encrypted EFS file system each that a service mounts (see `volumes.*`); a volume no service mounts is left out (`W0404`)"),
        files ["src/model/volumes.rs", "src/validate/definitions.rs", "src/lower/volumes.rs"],
        cases ["ok/volumes" => "AWS::EFS::FileSystem"];
    T "secrets" => Lowered("a Secrets Manager secret each that a service uses (an external one, in Secrets Manager or SSM Parameter Store, is read, not created; see `secrets.*`); a secret no service uses is left out (`W0404`)"),
        files ["src/model/secrets.rs", "src/validate/definitions.rs", "src/lower/secrets.rs"],
        cases ["ok/secrets" => "AWS::SecretsManager::Secret", "ok/secrets-ssm" => "ssm:GetParameters"];
    T "configs" => Lowered("the files the services read, their contents carried in the template (see `configs.*` and `services.*.configs`); a config no service uses is left out (`W0404`)"),
        files ["src/load/configs.rs", "src/model/mod.rs", "src/validate/definitions.rs", "src/lower/configs.rs"],
        cases ["ok/configs" => "log_level: info"];
    T "x-aws-cluster" => Lowered("an existing cluster (name or ARN): the stack creates none, its services run there (`Metadata.Cluster`)"),
        files ["src/model/aws.rs", "src/validate/scaling.rs", "src/lower/cluster.rs"],
        cases ["ok/existing-load-balancer" => "Cluster: arn:aws:ecs:eu-west-1:123456789012:cluster/platform"];
    T "x-aws-vpc" => Lowered("the `VpcId` parameter's default; the stack creates no VPC (without it, the `CreateVpc` condition creates one unless `VpcId` is given at deployment)"),
        files ["src/model/aws.rs", "src/validate/infrastructure.rs", "src/lower/network.rs", "src/lower/gpu.rs"],
        cases ["ok/existing-vpc" => "Default: vpc-0123456789abcdef0", "err/existing-infrastructure" => E0203];
    T "x-aws-subnets" => Lowered("the `Subnets` parameter's default: subnets of `x-aws-vpc` for tasks, load balancer and EFS mount targets (the first two)"),
        files ["src/model/aws.rs", "src/validate/infrastructure.rs", "src/lower/network.rs"],
        cases ["ok/existing-vpc" => "subnet-0fedcba9876543210"];
    T "x-aws-loadbalancer" => Lowered("an existing load balancer (its ARN, in `x-aws-vpc`): the listeners attach to it; the services admit its security group (the `LoadBalancerSecurityGroup` parameter)"),
        files ["src/model/aws.rs", "src/model/listeners.rs", "src/validate/infrastructure.rs", "src/validate/ingress.rs", "src/lower/ingress.rs"],
        cases ["ok/existing-load-balancer" => "LoadBalancerSecurityGroup"];
    T "x-aws-assign_public_ip" => Lowered("`false`: no task gets a public IP; the created VPC then puts every task in private subnets behind a NAT gateway (by default only tasks the load balancer serves, in subnets without NAT, get one)"),
        files ["src/model/aws.rs", "src/lower/network.rs"],
        cases ["ok/no-public-ip" => "AWS::EC2::NatGateway"];
    T "x-aws-loadbalancer_scheme" => Lowered("`internal`: the load balancer faces the VPC only (clients from the private ranges `10.0.0.0/8`, `172.16.0.0/12` and `192.168.0.0/16` unless the `LoadBalancerClientCidr` parameter names one); `internet-facing` is the default"),
        files ["src/model/aws.rs", "src/validate/ingress.rs", "src/lower/ingress.rs"],
        cases ["ok/scaling-capacity" => "Scheme: internal"];
    T "x-aws-certificate" => Lowered("an ACM certificate for every HTTP port: HTTPS listeners (TLS 1.3/1.2 policy), port 80 moved to 443 and redirecting there"),
        files ["src/model/aws.rs", "src/model/listeners.rs", "src/validate/ingress.rs", "src/lower/ingress.rs"],
        cases ["ok/https" => "ELBSecurityPolicy-TLS13-1-2-2021-06"];
    T "x-aws-logs_retention" => Lowered("`LogGroup.RetentionInDays` (default: 30 days)"),
        files ["src/model/mod.rs", "src/validate/fargate.rs", "src/lower/cluster.rs"],
        cases ["ok/logging-retention" => "RetentionInDays: 14"];
    T "x-aws-cloudformation" => Lowered("merged into the compiled template last (JSON and YAML): mappings merge, scalars and lists replace, `null` deletes; checked for unknown logical IDs and dangling references (`E0419`)"),
        files ["src/emit/mod.rs", "src/emit/overlay.rs", "src/emit/documents.rs"],
        cases ["ok/overlay" => "AWS::SNS::Topic", "err/overlay-dangling" => E0419];
    S "annotations" => Ignored("ECS has no container annotations"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "attach" => Dropped("log attachment is a local `docker compose up` concern"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    S "blkio_config" => Ignored("Fargate has no block I/O controls"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "build" => Ignored("compose2cfn does not build images; the task runs `image`, which must be pushed to a registry"),
        files ["src/validate/support.rs", "src/validate/fargate.rs"],
        cases ["ok/ignored-keys" => W0401, "err/missing-image" => E0401];
    S "cap_add" => Lowered("`LinuxParameters.Capabilities.Add` (Fargate allows `SYS_PTRACE` only)"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "SYS_PTRACE", "err/cap-add" => E0403];
    S "cap_drop" => Lowered("`LinuxParameters.Capabilities.Drop`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "NET_RAW"];
    S "cgroup" => Ignored("Fargate manages cgroups"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cgroup_parent" => Ignored("Fargate manages cgroups"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "command" => Lowered("container `Command`"),
        files ["src/model/service.rs", "src/model/units.rs", "src/lower/service.rs"],
        cases ["ok/command-forms" => "infinity"];
    S "configs" => Lowered("files at their `target` (default `/<name>`; `mode`, `uid`, `gid` honoured): each directory a task volume mounted read-only, written by a non-essential init container (`W0407`: the image's files in that directory are hidden)"),
        files ["src/model/secrets.rs", "src/model/service.rs", "src/validate/definitions.rs", "src/validate/fargate.rs", "src/lower/configs.rs", "src/lower/service.rs"],
        cases ["ok/configs" => "/etc/app/settings.yaml", "err/undefined-resources" => E0415];
    S "container_name" => Ignored("ECS names the container after the service; other services reach it by the service name"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpu_count" => Ignored("Fargate sizes tasks from `deploy.resources`"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpu_percent" => Ignored("Fargate sizes tasks from `deploy.resources`"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpu_shares" => Ignored("Fargate sizes tasks from `deploy.resources`"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpu_quota" => Ignored("Fargate sizes tasks from `deploy.resources`"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpu_period" => Ignored("Fargate sizes tasks from `deploy.resources`"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpu_rt_period" => Ignored("Fargate has no real-time scheduling"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpu_rt_runtime" => Ignored("Fargate has no real-time scheduling"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "cpus" => Lowered("task `Cpu`, like `deploy.resources.limits.cpus`"),
        files ["src/model/service.rs", "src/model/units.rs", "src/validate/fargate.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/legacy-resources" => "Cpu: \"2048\""];
    S "cpuset" => Ignored("Fargate does not pin CPUs"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "credential_spec" => Ignored("gMSA credential specs apply to Windows containers"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "depends_on" => Lowered("`DependsOn` between the ECS services (creation order), and between their nested stacks; `condition: service_completed_successfully` cannot be waited for (`W0402`)"),
        files ["src/model/service.rs", "src/load/profiles.rs", "src/validate/references.rs", "src/lower/service.rs", "src/emit/stacks/mod.rs"],
        cases ["ok/depends-on" => "DependsOn", "err/cycle" => E0408];
    S "develop" => Dropped("`docker compose watch` settings"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    S "device_cgroup_rules" => Rejected("Fargate has no host devices"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0402];
    S "devices" => Rejected("Fargate has no host devices; remove `devices`"),
        files ["src/validate/support.rs"],
        cases ["err/privileged-host" => E0402];
    S "dns" => Rejected("Fargate tasks use the VPC resolver; custom DNS servers are not supported"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0402];
    S "dns_opt" => Rejected("Fargate tasks use the VPC resolver; DNS options are not supported"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0402];
    S "dns_search" => Rejected("Fargate tasks use the VPC resolver; services reach each other by name through Cloud Map"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0402];
    S "domainname" => Ignored("Fargate tasks do not take a domain name"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "entrypoint" => Lowered("container `EntryPoint`"),
        files ["src/model/service.rs", "src/model/units.rs", "src/lower/service.rs"],
        cases ["ok/command-forms" => "/bin/tini"];
    S "env_file" => Resolved("read into `environment` at compile time (`load/environment.rs`)"),
        files ["src/load/environment.rs", "src/load/dotenv.rs"],
        cases ["ok/env-file", "err/env-file-syntax" => E0108];
    S "label_file" => NotYet("`label_file` is not read yet; move the labels to `labels`"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0412];
    S "environment" => Lowered("container `Environment`"),
        files ["src/load/environment.rs", "src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/environment" => "Environment:"];
    S "expose" => Lowered("nothing to add: services on a common network reach each other on every port (the network's security group admits its members on all ports)"),
        files ["src/lower/network.rs"],
        cases ["ok/override-plain" => "IpProtocol: \"-1\""];
    S "extends" => Resolved("the service is merged onto a copy of its base (`load/extends.rs`)"),
        files ["src/load/extends.rs", "src/load/merge.rs"],
        cases ["ok/extends", "err/extends-errors" => E0110];
    S "provider" => Rejected("provider services run a local plugin; ECS cannot run them"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0402];
    S "external_links" => Ignored("containers outside the project are not reachable by link on ECS"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "extra_hosts" => Rejected("Fargate tasks cannot add `/etc/hosts` entries; use service names resolved by Cloud Map"),
        files ["src/validate/support.rs"],
        cases ["err/privileged-host" => E0402];
    S "gpus" => Lowered("GPUs (`all` reserves 1): the service runs on the stack's EC2 GPU instances (launch template, auto scaling group, capacity provider)"),
        files ["src/model/gpus.rs", "src/validate/scaling.rs", "src/lower/gpu.rs", "src/platform/sizing.rs", "src/lower/network.rs", "src/lower/service.rs"],
        cases ["ok/gpus-all" => "Type: GPU", "err/gpu-errors" => E0412];
    S "group_add" => Ignored("ECS containers take no supplementary groups"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "healthcheck" => Lowered("container `HealthCheck` (`start_interval` ignored, `W0402`); the path of an HTTP test (`curl`, `wget`) is also the path the load balancer checks"),
        files ["src/model/service.rs", "src/model/listeners.rs", "src/validate/fargate.rs", "src/validate/ingress.rs", "src/lower/service.rs", "src/lower/ingress.rs"],
        cases ["ok/https" => "HealthCheckPath: /healthz", "err/healthcheck-range" => E0410];
    S "hostname" => Ignored("Fargate tasks (awsvpc) cannot set a hostname; services reach each other by service name"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "image" => Lowered("container `Image`"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/minimal" => "Image:"];
    S "init" => Lowered("`LinuxParameters.InitProcessEnabled`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "InitProcessEnabled: true"];
    S "ipc" => Depends(host_namespace, "rejected for `host`, otherwise ignored with a warning"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401, "err/rejected-keys" => E0402];
    S "isolation" => Ignored("Fargate chooses the isolation"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "labels" => Lowered("container `DockerLabels`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "com.example.team: platform"];
    S "links" => Ignored("services on a common network reach each other by service name"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "logging" => Depends(logging, "CloudWatch Logs (`awslogs`): the driver's options kept (others `W0402`); other drivers ignored with a warning"),
        files ["src/validate/support.rs", "src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/logging-retention" => "mode: non-blocking", "ok/ignored-keys" => W0401];
    S "mac_address" => Ignored("Fargate assigns network interfaces"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "mem_limit" => Lowered("task `Memory`, like `deploy.resources.limits.memory`"),
        files ["src/model/service.rs", "src/model/units.rs", "src/validate/fargate.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/legacy-resources" => "Memory: \"6144\"", "err/fargate-size" => E0303];
    S "mem_reservation" => Lowered("container `MemoryReservation`"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/legacy-resources" => "MemoryReservation: 1024"];
    S "mem_swappiness" => Ignored("Fargate has no swap"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "memswap_limit" => Ignored("Fargate has no swap"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "network_mode" => Depends(network_mode, "`bridge`, `default` and `awsvpc` ignored with a warning; any other mode rejected"),
        files ["src/validate/support.rs", "src/validate/definitions.rs"],
        cases ["ok/ignored-keys" => W0401, "err/privileged-host" => E0402];
    S "models" => NotYet("AI models have no ECS mapping yet"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0412];
    S "networks" => Lowered("the service's security groups (per-network `aliases`, addresses ignored: `W0402`)"),
        files ["src/model/service.rs", "src/model/mod.rs", "src/validate/references.rs", "src/validate/definitions.rs", "src/lower/network.rs", "src/lower/service.rs"],
        cases ["ok/networks" => "Ref: BackNetwork", "err/undefined-refs" => E0406];
    S "oom_kill_disable" => Ignored("Fargate manages out-of-memory handling"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "oom_score_adj" => Ignored("Fargate manages out-of-memory handling"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "pid" => Depends(pid, "rejected: Fargate tasks never share a process namespace"),
        files ["src/validate/support.rs"],
        cases ["err/privileged-host" => E0402];
    S "pids_limit" => Ignored("Fargate sets no PID limits"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "platform" => Lowered("task `RuntimePlatform` (`linux/arm64` runs on Graviton)"),
        files ["src/model/service.rs", "src/validate/scaling.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "CpuArchitecture: ARM64"];
    S "ports" => Lowered("the stack's load balancer (application when every published port speaks HTTP, network otherwise): listener, target group, security-group rules that admit the load balancer only; UDP on a network load balancer (health checks over TCP on the port or `x-aws-healthcheck.port`), TCP and UDP on one port as one `TCP_UDP` listener; loopback-bound ports not published (`W0402`)"),
        files ["src/model/ports.rs", "src/model/service.rs", "src/model/mod.rs", "src/model/listeners.rs", "src/validate/references.rs", "src/validate/ingress.rs", "src/validate/exposure.rs", "src/validate/infrastructure.rs", "src/lower/ingress.rs", "src/lower/network.rs", "src/lower/service.rs"],
        cases ["ok/ports-http" => "AWS::ElasticLoadBalancingV2::Listener", "ok/udp-dns" => "Protocol: TCP_UDP", "err/port-conflict" => E0409, "err/invalid-port" => E0301];
    S "post_start" => Ignored("ECS has no container lifecycle hooks"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "pre_stop" => Ignored("ECS has no container lifecycle hooks"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "privileged" => Depends(privileged, "rejected when true: Fargate never runs privileged containers"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys", "err/privileged-host" => E0402];
    S "profiles" => Resolved("services of inactive profiles are left out (`load/profiles.rs`)"),
        files ["src/load/profiles.rs"],
        cases ["ok/profiles", "ok/profiles-env"];
    S "pull_policy" => Dropped("ECS pulls the image when a task starts"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    S "pull_refresh_after" => Dropped("ECS pulls the image when a task starts"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    S "read_only" => Lowered("container `ReadonlyRootFilesystem` (without it, `W0408`)"),
        files ["src/model/service.rs", "src/validate/hardening.rs", "src/lower/service.rs"],
        cases ["ok/read-only-tmpfs" => "ReadonlyRootFilesystem: true"];
    S "restart" => Depends(restart, "dropped: ECS services always replace stopped tasks; `no` warns"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys", "ok/ignored-keys" => W0401];
    S "runtime" => Ignored("Fargate chooses the container runtime"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "scale" => Lowered("service `DesiredCount`, like `deploy.replicas`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/legacy-resources" => "DesiredCount: 2"];
    S "security_opt" => Ignored("Fargate does not take Docker security options"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "shm_size" => Ignored("Fargate does not size `/dev/shm`"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "secrets" => Lowered("files in `/run/secrets/<target>`, or at an absolute `target` elsewhere (its directory a volume of its own, `W0407`), with `mode`, `uid`, `gid` honoured, written by a non-essential init container from Secrets Manager or SSM Parameter Store; the execution role reads exactly these secrets"),
        files ["src/model/secrets.rs", "src/model/service.rs", "src/validate/definitions.rs", "src/validate/fargate.rs", "src/lower/secrets.rs", "src/lower/iam.rs", "src/lower/service.rs"],
        cases ["ok/secrets" => "/run/secrets", "err/secret-errors" => E0203];
    S "sysctls" => Lowered("container `SystemControls`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "net.core.somaxconn"];
    S "stdin_open" => Lowered("container `Interactive`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "Interactive: true"];
    S "stop_grace_period" => Lowered("container `StopTimeout` (at most 120 s)"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "StopTimeout: 90", "err/healthcheck-range" => E0411];
    S "stop_signal" => Ignored("ECS always stops containers with SIGTERM"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "storage_opt" => Ignored("Fargate manages container storage"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "tmpfs" => Lowered("a task volume per path on the task's ephemeral storage (Fargate has no tmpfs): writable, private to the task, emptied when it stops; with `read_only: true`, the paths the program writes"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/read-only-tmpfs" => "Tmpfs_tmp"];
    S "tty" => Lowered("container `PseudoTerminal`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "PseudoTerminal: true"];
    S "ulimits" => Lowered("container `Ulimits`"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/labels-ulimits-init" => "Ulimits:", "err/service-limits" => E0203];
    S "use_api_socket" => Rejected("there is no Docker engine socket on Fargate"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0402];
    S "user" => Lowered("container `User`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/command-forms" => "User: \"1000:1000\""];
    S "uts" => Depends(host_namespace, "rejected for `host`, otherwise ignored with a warning"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401, "err/rejected-keys" => E0402];
    S "userns_mode" => Ignored("Fargate manages user namespaces"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    S "volumes" => Checked("entry by entry (`validate/fargate.rs`): a named volume becomes an EFS mount (transit encryption, IAM authorisation, `:ro` honoured; several writers warn, `W0406`); host bind mounts, anonymous volumes and tmpfs rejected; `volume.subpath` mounts that directory through an access point of its own"),
        files ["src/model/volumes.rs", "src/validate/fargate.rs", "src/validate/definitions.rs", "src/lower/volumes.rs", "src/lower/service.rs"],
        cases ["ok/volumes" => "MountPoints:", "err/bind-mounts" => E0402];
    S "volumes_from" => Rejected("each service is its own task; services cannot share volumes this way"),
        files ["src/validate/support.rs"],
        cases ["err/rejected-keys" => E0402];
    S "working_dir" => Lowered("container `WorkingDirectory`"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/command-forms" => "WorkingDirectory: /srv"];
    S "deploy" => Lowered("see `deploy.*`"),
        files ["src/model/service.rs"],
        cases ["ok/resources"];
    S "x-aws-pull_credentials" => Lowered("container `RepositoryCredentials`; the execution role may read that secret"),
        files ["src/model/service.rs", "src/validate/iam.rs", "src/lower/iam.rs", "src/lower/service.rs"],
        cases ["ok/x-aws-iam" => "RepositoryCredentials:", "err/x-aws-iam" => E0203];
    S "x-aws-role" => Lowered("a policy document: an inline policy of the service's task role; a role ARN: the task role itself, used as is"),
        files ["src/model/service.rs", "src/validate/iam.rs", "src/lower/iam.rs"],
        cases ["ok/x-aws-iam" => "TaskRoleArn: arn:aws:iam::123456789012:role/team/existing-app"];
    S "x-aws-policies" => Lowered("managed policies of the service's task role"),
        files ["src/model/service.rs", "src/validate/iam.rs", "src/lower/iam.rs"],
        cases ["ok/x-aws-iam" => "AmazonS3ReadOnlyAccess"];
    S "x-aws-healthcheck" => Lowered("the target groups' health checks (`path`, `matcher`, `port`, `interval`, `timeout`, `healthy_threshold`, `unhealthy_threshold`) and the service's `HealthCheckGracePeriodSeconds` (`grace_period`)"),
        files ["src/model/service.rs", "src/model/listeners.rs", "src/validate/ingress.rs", "src/lower/ingress.rs", "src/lower/service.rs"],
        cases ["ok/https" => "HealthCheckPath: /admin/ping", "err/ingress-errors" => E0410];
    S "x-aws-capacity_provider" => Lowered("`FARGATE_SPOT` (or `{name: FARGATE_SPOT, base: N}`): a capacity-provider strategy, `base` tasks on `FARGATE` and the rest on Spot; an existing cluster (`x-aws-cluster`) must have both providers"),
        files ["src/model/service.rs", "src/validate/scaling.rs", "src/lower/service.rs"],
        cases ["ok/scaling-capacity" => "CapacityProvider: FARGATE_SPOT"];
    D "mode" => Depends(deploy_mode, "`global` rejected: Fargate has no hosts"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys", "err/rejected-keys" => E0402];
    D "endpoint_mode" => Dropped("Cloud Map answers with every task's address"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    D "replicas" => Lowered("service `DesiredCount` (left out when `x-aws-autoscaling` scales the service: its `min` default)"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/validate/scaling.rs", "src/lower/service.rs", "src/lower/scaling.rs"],
        cases ["ok/resources" => "DesiredCount: 3"];
    D "labels" => Ignored("ECS service labels are not set; use `labels` for container labels"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    D "rollback_config" => Ignored("ECS rolls back with its deployment circuit breaker"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    D "update_config" => Lowered("`DeploymentConfiguration` (see `update_config.*`)"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/update-config" => "DeploymentConfiguration:"];
    D "resources" => Lowered("task `Cpu`/`Memory` (smallest Fargate size that fits) and `MemoryReservation`"),
        files ["src/model/service.rs", "src/model/gpus.rs", "src/validate/fargate.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/resources" => "Memory: \"2048\"", "err/fargate-size" => E0404];
    D "restart_policy" => Ignored("ECS services always replace stopped tasks"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    D "placement" => Depends(placement, "the Docker integration's `node.machine == TYPE` and `node.ami == AMI` constraints choose the GPU instances; anything else is ignored (Fargate has no placement)"),
        files ["src/validate/support.rs", "src/model/gpus.rs", "src/validate/scaling.rs", "src/lower/gpu.rs"],
        cases ["ok/gpu" => "g5.2xlarge", "ok/ignored-keys" => W0401];
    D "x-aws-autoscaling" => Lowered("a scalable target from `min` (default: `replicas`) to `max` tasks and a target-tracking policy on `cpu` or `memory` (percent), through Application Auto Scaling's service-linked role"),
        files ["src/model/service.rs", "src/validate/scaling.rs", "src/lower/scaling.rs", "src/lower/service.rs"],
        cases ["ok/scaling-capacity" => "AWS::ApplicationAutoScaling::ScalableTarget", "err/scaling-errors" => E0204];
    L "cpus" => Lowered("task `Cpu` (smallest Fargate size that fits)"),
        files ["src/model/service.rs", "src/model/units.rs", "src/validate/fargate.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/resources" => "Cpu: \"8192\""];
    L "memory" => Lowered("task `Memory` (smallest Fargate size that fits)"),
        files ["src/model/service.rs", "src/model/units.rs", "src/validate/fargate.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/resources" => "Memory: \"2048\""];
    L "pids" => Ignored("Fargate sets no PID limits"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    U "parallelism" => Lowered("`DeploymentConfiguration` percentages, as the Docker integration computed them"),
        files ["src/model/service.rs", "src/lower/service.rs"],
        cases ["ok/update-config" => "MaximumPercent: 150"];
    U "order" => Lowered("`stop-first`: `MaximumPercent` 100; `start-first`: `MinimumHealthyPercent` 100 (without it, a service that writes a named volume updates stop-first; `start-first` with such a volume warns, `W0406`)"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/update-config" => "MinimumHealthyPercent: 0"];
    U "x-aws-min_percent" => Lowered("`DeploymentConfiguration.MinimumHealthyPercent`"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/update-config" => "MinimumHealthyPercent: 25", "err/service-limits" => E0203];
    U "x-aws-max_percent" => Lowered("`DeploymentConfiguration.MaximumPercent`"),
        files ["src/model/service.rs", "src/validate/fargate.rs", "src/lower/service.rs"],
        cases ["ok/update-config" => "MaximumPercent: 125"];
    U "delay" => Ignored("ECS replaces tasks as fast as their health allows"),
        files ["src/validate/support.rs"],
        cases ["ok/update-config" => W0401];
    U "failure_action" => Ignored("the deployment circuit breaker rolls a failed deployment back"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    U "monitor" => Ignored("the deployment circuit breaker decides when a deployment failed"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    U "max_failure_ratio" => Ignored("the deployment circuit breaker decides when a deployment failed"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    R "cpus" => Lowered("task `Cpu` when no limit is set"),
        files ["src/model/service.rs", "src/model/units.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/resources" => "Cpu: \"1024\""];
    R "memory" => Lowered("container `MemoryReservation` (and task `Memory` when no limit is set)"),
        files ["src/model/service.rs", "src/model/units.rs", "src/validate/fargate.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/resources" => "MemoryReservation: 3072"];
    R "generic_resources" => Lowered("`discrete_resource_spec` of kind `gpus` (the Docker integration's form; `gpu` and `nvidia.com/gpu` too): GPUs, as `devices`; other kinds are ignored (`W0402`)"),
        files ["src/model/gpus.rs", "src/lower/gpu.rs", "src/lower/service.rs"],
        cases ["ok/gpu" => "Type: GPU"];
    R "devices" => Lowered("`capabilities: [gpu]`: container `ResourceRequirements` GPU, task on EC2 GPU instances (the smallest G4dn type that fits, the ECS GPU AMI); other devices cannot run on ECS (`E0402`)"),
        files ["src/model/gpus.rs", "src/validate/scaling.rs", "src/lower/gpu.rs", "src/platform/sizing.rs", "src/lower/service.rs"],
        cases ["ok/gpu" => "ResourceRequirements:", "err/gpu-errors" => E0402];
    N "name" => Lowered("with `external`, the existing security group's ID (`sg-...`); otherwise not used: the stack's group is tagged `com.docker.compose.network: {project}_{key}`"),
        files ["src/model/mod.rs", "src/validate/infrastructure.rs", "src/lower/network.rs"],
        cases ["ok/existing-vpc" => "sg-0123456789abcdef0"];
    N "driver" => Dropped("every network is a security group on ECS"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    N "driver_opts" => Ignored("network driver options have no meaning on ECS"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    N "ipam" => Ignored("addresses come from the stack's subnets"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    N "external" => Checked("an existing security group (`name: sg-...`) in the VPC `x-aws-vpc` names (`E0418` without it); the stack adds no rule to it"),
        files ["src/model/mod.rs", "src/validate/infrastructure.rs", "src/lower/network.rs"],
        cases ["ok/existing-vpc" => "sg-0123456789abcdef0"];
    N "internal" => Ignored("services still reach the internet to pull their images (through a public IP or a NAT gateway); security groups still admit only network members"),
        files ["src/validate/support.rs"],
        cases ["ok/networks" => W0401];
    N "enable_ipv4" => Dropped("IPv4 is always on"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    N "enable_ipv6" => Ignored("the stack's VPC is IPv4 only"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    N "attachable" => Dropped("security groups are always attachable"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    N "labels" => Dropped("security groups are tagged with the project and network"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    N "x-aws-securitygroup" => Lowered("the Docker integration's spelling of `external: true` + `name: sg-...`"),
        files ["src/model/mod.rs", "src/validate/infrastructure.rs", "src/lower/network.rs"],
        cases ["ok/existing-vpc" => "sg-0fedcba9876543210"];
    V "name" => Lowered("with `external`, the existing EFS file system's ID (`fs-...`); otherwise not used: the stack's file system is tagged `Name: {project}_{key}`"),
        files ["src/model/volumes.rs", "src/validate/infrastructure.rs", "src/lower/volumes.rs"],
        cases ["ok/existing-vpc" => "fs-0123abcd"];
    V "driver" => Depends(volume_driver, "`local` (or none) is the default; any other driver is ignored: every volume is an EFS file system"),
        files ["src/validate/support.rs"],
        cases ["ok/volumes", "ok/ignored-keys" => W0401];
    V "driver_opts" => Lowered("`uid`, `gid`, `permissions`, `root_directory` → access point; `performance_mode`, `throughput_mode`, `provisioned_throughput`, `lifecycle_policy`, `backup_policy` (default `ENABLED`), `kms_key_id` → file system; others ignored with a warning (`W0402`)"),
        files ["src/model/volumes.rs", "src/lower/volumes.rs"],
        cases ["ok/volumes" => "ProvisionedThroughputInMibps: \"2.5\"", "err/volume-errors" => E0203];
    V "external" => Checked("an existing EFS file system (`name: fs-...`) in the VPC `x-aws-vpc` names (`E0418` without it): mounted through an access point of the stack, its mount targets and security groups left as they are"),
        files ["src/model/volumes.rs", "src/validate/infrastructure.rs", "src/lower/volumes.rs"],
        cases ["ok/existing-vpc" => "fs-0123abcd", "err/volume-errors" => E0418];
    V "labels" => Ignored("EFS file systems are tagged with the project and the volume"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    SE "name" => Lowered("with `external: true`, the existing secret: a Secrets Manager secret (ARN or name) or an SSM parameter (ARN); otherwise not used: the stack's secret is tagged `com.docker.compose.secret: {key}`"),
        files ["src/model/secrets.rs", "src/lower/secrets.rs"],
        cases ["ok/secrets-ssm" => "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/api/db_url"];
    SE "environment" => Lowered("a Secrets Manager secret whose value is the `NoEcho` parameter `<Name>SecretValue`: pass the variable's value with `--parameter-overrides`; it never appears in the template"),
        files ["src/model/secrets.rs", "src/lower/secrets.rs"],
        cases ["ok/secrets" => "TokenSecretValue"];
    SE "file" => Lowered("a Secrets Manager secret whose value is the `NoEcho` parameter `<Name>SecretValue`: pass the file's content with `--parameter-overrides`; compose2cfn never reads it"),
        files ["src/model/secrets.rs", "src/lower/secrets.rs"],
        cases ["ok/secrets" => "DbpasswordSecretValue"];
    SE "external" => Lowered("an existing secret, by ARN or name (`name:`): a Secrets Manager secret, or an SSM Parameter Store parameter by its ARN; nothing is created, the execution role may read it"),
        files ["src/model/secrets.rs", "src/lower/secrets.rs", "src/lower/iam.rs"],
        cases ["ok/secrets-ssm" => "ssm:GetParameters", "err/secret-errors" => E0203];
    SE "labels" => Ignored("the secret is tagged with the project and its name"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    SE "driver" => Ignored("every secret is a Secrets Manager secret"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    SE "driver_opts" => Ignored("every secret is a Secrets Manager secret"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    SE "template_driver" => Ignored("secret values are not templated"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
    SE "x-aws-keys" => Lowered("each listed key of a JSON secret is its own file `/run/secrets/<target>/<key>` (ECS reads the key); `*`: every key, split by the init container"),
        files ["src/model/secrets.rs", "src/lower/secrets.rs"],
        cases ["ok/secrets" => ":client_secret::", "err/secret-errors" => E0203];
    C "name" => Dropped("the config is known by its key; `name` names a platform object ECS does not have"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    C "content" => Lowered("the file's content, carried in the template (configs are not secret), at most 16 KiB"),
        files ["src/load/configs.rs", "src/validate/fargate.rs", "src/lower/configs.rs"],
        cases ["ok/configs" => "cache: redis://cache:6379"];
    C "environment" => Lowered("the variable's value at compile time, carried in the template"),
        files ["src/load/configs.rs", "src/lower/configs.rs"],
        cases ["ok/configs" => "Welcome to the shop"];
    C "file" => Lowered("the file's content, read at compile time (relative to the project directory), carried in the template"),
        files ["src/load/configs.rs", "src/lower/configs.rs"],
        cases ["ok/configs" => "proxy_pass http://app:8080", "err/config-errors" => E0100];
    C "external" => Checked("not yet (`E0412` where a service uses it): ECS has no store of configs to read an existing one from"),
        files ["src/model/mod.rs", "src/validate/fargate.rs"],
        cases ["err/config-errors" => E0412];
    C "labels" => Dropped("configs are not AWS resources"),
        files ["src/validate/support.rs"],
        cases ["ok/dropped-keys"];
    C "template_driver" => Ignored("config contents are not templated"),
        files ["src/validate/support.rs"],
        cases ["ok/ignored-keys" => W0401];
};

impl Support {
    /// What happens, in a word or two, for the documentation.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Support::Lowered(_) => "lowered",
            Support::Resolved(_) => "resolved by the loader",
            Support::Ignored(_) => "ignored: warning `W0401`",
            Support::Dropped(_) => "dropped",
            Support::Rejected(_) => "rejected: error `E0402`",
            Support::NotYet(_) => "not yet: error `E0412`",
            Support::Depends(..) => "depends on the value",
            Support::Checked(_) => "checked",
        }
    }

    /// The row's text: what the key becomes, why it is ignored, or what to do instead.
    #[must_use]
    pub fn text(&self) -> &'static str {
        match self {
            Support::Lowered(t)
            | Support::Resolved(t)
            | Support::Ignored(t)
            | Support::Dropped(t)
            | Support::Rejected(t)
            | Support::NotYet(t)
            | Support::Depends(_, t)
            | Support::Checked(t) => t,
        }
    }
}

/// `docs/compose-support.md`: the table, section by section.
#[must_use]
pub fn markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Compose support\n\n<!-- Generated from src/validate/support.rs by `UPDATE_DOCS=1 cargo test --test it -- docs::`; do not edit. -->\n\nWhat compose2cfn does with every key of the Compose specification: **lowered** into the\ntemplate (to what), **resolved by the loader** as Docker Compose does, **ignored** with a\nwarning (why), **dropped** silently (no meaning on ECS, nothing lost), **rejected** with an\nerror (what to do instead), **not yet** lowered (an error until it is), or **checked** by a\nrule of its own. A test walks the official Compose schema and fails when a key has no row.\n\n**Files** are where the key is read, checked, lowered or ignored (every key is also declared\nin `src/model/spec.rs`, from which the schema is generated; the loader's merge rules and\n`config` treat keys alike). **Cases** are testdata folders that use the key and show what\nthe row says: `tests/it/docs.rs` checks that each one's snapshots do (it compiles without a\nword about the key, its template holds what the key becomes, or its diagnostics have the\ncode shown).\n",
    );
    for (section, heading) in SECTIONS {
        let _ = write!(
            out,
            "\n## {heading}\n\n| key | support | details | files | cases |\n| --- | --- | --- | --- | --- |\n"
        );
        for row in TABLE.iter().filter(|r| r.section == *section) {
            let files: Vec<String> = row
                .files
                .iter()
                .map(|f| format!("[{}](../{f})", f.trim_start_matches("src/")))
                .collect();
            let cases: Vec<String> = row
                .cases
                .iter()
                .map(|e| {
                    let code = match e.shows {
                        Shows::Code(code) => format!(" `{code}`"),
                        Shows::Compiles | Shows::Template(_) => String::new(),
                    };
                    format!("[{}](../testdata/{}/compose.yaml){code}", e.case, e.case)
                })
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                row.key,
                row.support.kind(),
                row.support.text().replace('|', "\\|"),
                files.join("<br>"),
                cases.join("<br>"),
            );
        }
    }
    out
}

/// Checks every key of the document against the table.
pub fn check(root: &Node, diags: &mut Diagnostics) {
    walk_section(root, T, "", diags);
    for service in entries_of(root.get("services")) {
        walk_section(&service.value, S, "", diags);
        if let Some(deploy) = service.value.get("deploy") {
            walk_section(deploy, D, "deploy.", diags);
            if let Some(update) = deploy.get("update_config") {
                walk_section(update, U, "deploy.update_config.", diags);
            }
            let resources = deploy.get("resources");
            if let Some(limits) = resources.and_then(|r| r.get("limits")) {
                walk_section(limits, L, "deploy.resources.limits.", diags);
            }
            if let Some(reservations) = resources.and_then(|r| r.get("reservations")) {
                walk_section(reservations, R, "deploy.resources.reservations.", diags);
            }
        }
    }
    for (top, section) in [
        ("networks", N),
        ("volumes", V),
        ("secrets", SE),
        ("configs", C),
    ] {
        for definition in entries_of(root.get(top)) {
            let prefix = format!("{top}.{}.", definition.key);
            walk_section(&definition.value, section, &prefix, diags);
        }
    }
}

fn entries_of(node: Option<&Node>) -> &[crate::load::Entry] {
    node.and_then(Node::as_map).unwrap_or(&[])
}

/// The rows of [`TABLE`] by section and key, indexed once per process (a project of a
/// thousand services looks up some ten thousand keys).
static INDEX: std::sync::LazyLock<std::collections::HashMap<(&str, &str), &Row>> =
    std::sync::LazyLock::new(|| TABLE.iter().map(|r| ((r.section, r.key), r)).collect());

/// Checks the keys of one mapping against the rows of `section`; `prefix` says where the
/// keys are in messages (`deploy.`, `networks.back.`).
fn walk_section(node: &Node, section: &str, prefix: &str, diags: &mut Diagnostics) {
    for entry in node.as_map().unwrap_or(&[]) {
        let row = INDEX.get(&(section, entry.key.as_str())).copied();
        let Some(row) = row else {
            if entry.key.starts_with("x-aws-") {
                let known = TABLE
                    .iter()
                    .filter(|r| r.section == section && r.key.starts_with("x-aws-"))
                    .map(|r| r.key);
                let mut d = Diagnostic::new(
                    Code::IgnoredKey,
                    format!("unknown extension `{prefix}{}` is ignored", entry.key),
                )
                .at(entry.key_span);
                if let Some(best) = did_you_mean(&entry.key, known) {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                diags.push(d);
            }
            continue;
        };
        let verdict = match row.support {
            Support::Lowered(_)
            | Support::Dropped(_)
            | Support::Checked(_)
            | Support::Resolved(_) => None,
            Support::Ignored(why) => Some(Verdict::Ignored(why.to_string())),
            Support::Rejected(hint) => Some(Verdict::Rejected(hint.to_string())),
            Support::NotYet(hint) => Some(Verdict::NotYet(hint.to_string())),
            Support::Depends(decide, _) => decide(&entry.value),
        };
        match verdict {
            Some(Verdict::Ignored(why)) => diags.push(
                Diagnostic::new(
                    Code::IgnoredKey,
                    format!("`{prefix}{}` is ignored on ECS", entry.key),
                )
                .at(entry.key_span)
                .with_help(why),
            ),
            Some(Verdict::Rejected(hint)) => diags.push(
                Diagnostic::new(
                    Code::UnsupportedOnFargate,
                    format!("`{prefix}{}` cannot run on ECS Fargate", entry.key),
                )
                .at(entry.key_span)
                .with_help(hint),
            ),
            Some(Verdict::NotYet(hint)) => diags.push(
                Diagnostic::new(
                    Code::NotYetSupported,
                    format!("`{prefix}{}` is not supported yet", entry.key),
                )
                .at(entry.key_span)
                .with_help(hint),
            ),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_belongs_to_a_documented_section() {
        for row in TABLE {
            assert!(
                SECTIONS.iter().any(|(s, _)| *s == row.section),
                "{} has no section",
                row.key
            );
        }
    }

    #[test]
    fn every_row_names_its_files_and_cases() {
        for row in TABLE {
            assert!(
                !row.files.is_empty() && row.files.iter().all(|f| f.starts_with("src/")),
                "{}: files {:?}",
                row.key,
                row.files
            );
            assert!(
                !row.cases.is_empty()
                    && row
                        .cases
                        .iter()
                        .all(|e| e.case.starts_with("ok/") || e.case.starts_with("err/")),
                "{}: cases",
                row.key
            );
        }
    }

    #[test]
    fn every_row_is_unique() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert!(
                    !(a.section == b.section && a.key == b.key),
                    "{}.{} twice",
                    a.section,
                    a.key
                );
            }
        }
    }
}
