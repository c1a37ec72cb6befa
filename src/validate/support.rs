//! The support table: one row per Compose key, saying what compose2cfn does with it —
//! lowered (to what), ignored with a warning (why), dropped silently (why), rejected (what
//! to do instead), or not supported yet. [`check`] walks the document against it.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Node, Value};
use crate::schema::did_you_mean;

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

/// One row: the section (`services.*`), the key, and what happens.
pub struct Row {
    pub section: &'static str,
    pub key: &'static str,
    pub support: Support,
}

/// Rows of the table, one per line: `SECTION "key" => support;`.
macro_rules! table {
    ($($section:ident $key:literal => $support:expr;)*) => {
        [$(Row { section: $section, key: $key, support: $support }),*]
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

/// Every Compose key compose2cfn knows, and what it does with it.
pub const TABLE: &[Row] = &table! {
    T "version" => Dropped("obsolete in the Compose specification");
    T "name" => Lowered("the project name: the prefix of the stack's resources and their descriptions, tags, task families");
    T "include" => Resolved("the included projects' services, networks, volumes, secrets and configs are imported (`load/include.rs`)");
    T "services" => Lowered("one task definition and ECS service each");
    T "models" => NotYet("AI models have no ECS mapping yet");
    T "networks" => Lowered("one security group each");
    T "volumes" => Lowered("definitions only; mounts are checked per service");
    T "secrets" => Lowered("definitions only; services using secrets are rejected until Secrets Manager support lands");
    T "configs" => Lowered("definitions only; services using configs are rejected until config support lands");
    T "x-aws-cluster" => Lowered("an existing cluster (name or ARN): the stack creates none, its services run there (`Metadata.Cluster`)");
    T "x-aws-vpc" => Lowered("the `VpcId` parameter's default; the stack creates no VPC (without it, the `CreateVpc` condition creates one unless `VpcId` is given at deployment)");
    T "x-aws-subnets" => Lowered("the `Subnets` parameter's default: subnets of `x-aws-vpc` for tasks, load balancer and EFS mount targets (the first two)");
    T "x-aws-loadbalancer" => Lowered("an existing load balancer (its ARN, in `x-aws-vpc`): the listeners attach to it; the services admit its security group (the `LoadBalancerSecurityGroup` parameter)");
    T "x-aws-assign_public_ip" => Lowered("`false`: no task gets a public IP; the created VPC then puts every task in private subnets behind a NAT gateway (by default only tasks the load balancer serves, in subnets without NAT, get one)");
    T "x-aws-loadbalancer_scheme" => Lowered("`internal`: the load balancer faces the VPC only (clients from `10.0.0.0/8` by default, the `LoadBalancerClientCidr` parameter); `internet-facing` is the default");
    T "x-aws-certificate" => Lowered("an ACM certificate for every HTTP port: HTTPS listeners (TLS 1.3/1.2 policy), port 80 moved to 443 and redirecting there");
    T "x-aws-logs_retention" => Lowered("`LogGroup.RetentionInDays` (default: 30 days)");
    T "x-aws-cloudformation" => Lowered("merged into the compiled template last (JSON and YAML): mappings merge, scalars and lists replace, `null` deletes; checked for unknown logical IDs and dangling references (`E0419`)");
    S "annotations" => Ignored("ECS has no container annotations");
    S "attach" => Dropped("log attachment is a local `docker compose up` concern");
    S "blkio_config" => Ignored("Fargate has no block I/O controls");
    S "build" => Ignored("compose2cfn does not build images; the task runs `image`, which must be pushed to a registry");
    S "cap_add" => Lowered("`LinuxParameters.Capabilities.Add` (Fargate allows `SYS_PTRACE` only)");
    S "cap_drop" => Lowered("`LinuxParameters.Capabilities.Drop`");
    S "cgroup" => Ignored("Fargate manages cgroups");
    S "cgroup_parent" => Ignored("Fargate manages cgroups");
    S "command" => Lowered("container `Command`");
    S "configs" => Lowered("files at their `target` (default `/<name>`; `mode`, `uid`, `gid` honoured): each directory a task volume mounted read-only, written by a non-essential init container (`W0407`: the image's files in that directory are hidden)");
    S "container_name" => Ignored("ECS names the container after the service; other services reach it by the service name");
    S "cpu_count" => Ignored("Fargate sizes tasks from `deploy.resources`");
    S "cpu_percent" => Ignored("Fargate sizes tasks from `deploy.resources`");
    S "cpu_shares" => Ignored("Fargate sizes tasks from `deploy.resources`");
    S "cpu_quota" => Ignored("Fargate sizes tasks from `deploy.resources`");
    S "cpu_period" => Ignored("Fargate sizes tasks from `deploy.resources`");
    S "cpu_rt_period" => Ignored("Fargate has no real-time scheduling");
    S "cpu_rt_runtime" => Ignored("Fargate has no real-time scheduling");
    S "cpus" => Lowered("task `Cpu`, like `deploy.resources.limits.cpus`");
    S "cpuset" => Ignored("Fargate does not pin CPUs");
    S "credential_spec" => Ignored("gMSA credential specs apply to Windows containers");
    S "depends_on" => Lowered("`DependsOn` between the ECS services (creation order)");
    S "develop" => Dropped("`docker compose watch` settings");
    S "device_cgroup_rules" => Rejected("Fargate has no host devices");
    S "devices" => Rejected("Fargate has no host devices; remove `devices`");
    S "dns" => Rejected("Fargate tasks use the VPC resolver; custom DNS servers are not supported");
    S "dns_opt" => Rejected("Fargate tasks use the VPC resolver; DNS options are not supported");
    S "dns_search" => Rejected("Fargate tasks use the VPC resolver; services reach each other by name through Cloud Map");
    S "domainname" => Ignored("Fargate tasks do not take a domain name");
    S "entrypoint" => Lowered("container `EntryPoint`");
    S "env_file" => Resolved("read into `environment` at compile time (`load/environment.rs`)");
    S "label_file" => NotYet("`label_file` is not read yet; move the labels to `labels`");
    S "environment" => Lowered("container `Environment`");
    S "expose" => Lowered("nothing to add: services on a common network reach each other on every port");
    S "extends" => Resolved("the service is merged onto a copy of its base (`load/extends.rs`)");
    S "provider" => Rejected("provider services run a local plugin; ECS cannot run them");
    S "external_links" => Ignored("containers outside the project are not reachable by link on ECS");
    S "extra_hosts" => Rejected("Fargate tasks cannot add `/etc/hosts` entries; use service names resolved by Cloud Map");
    S "gpus" => Lowered("GPUs (`all` reserves 1): the service runs on the stack's EC2 GPU instances (launch template, auto scaling group, capacity provider)");
    S "group_add" => Ignored("ECS containers take no supplementary groups");
    S "healthcheck" => Lowered("container `HealthCheck`");
    S "hostname" => Ignored("Fargate tasks (awsvpc) cannot set a hostname; services reach each other by service name");
    S "image" => Lowered("container `Image`");
    S "init" => Lowered("`LinuxParameters.InitProcessEnabled`");
    S "ipc" => Depends(host_namespace, "rejected for `host`, otherwise ignored with a warning");
    S "isolation" => Ignored("Fargate chooses the isolation");
    S "labels" => Lowered("container `DockerLabels`");
    S "links" => Ignored("services on a common network reach each other by service name");
    S "logging" => Depends(logging, "CloudWatch Logs (`awslogs`); `awslogs-*` options kept, other drivers ignored with a warning");
    S "mac_address" => Ignored("Fargate assigns network interfaces");
    S "mem_limit" => Lowered("task `Memory`, like `deploy.resources.limits.memory`");
    S "mem_reservation" => Lowered("container `MemoryReservation`");
    S "mem_swappiness" => Ignored("Fargate has no swap");
    S "memswap_limit" => Ignored("Fargate has no swap");
    S "network_mode" => Depends(network_mode, "`bridge`/`default` ignored with a warning; any other mode rejected");
    S "models" => NotYet("AI models have no ECS mapping yet");
    S "networks" => Lowered("the service's security groups");
    S "oom_kill_disable" => Ignored("Fargate manages out-of-memory handling");
    S "oom_score_adj" => Ignored("Fargate manages out-of-memory handling");
    S "pid" => Depends(pid, "rejected: Fargate tasks never share a process namespace");
    S "pids_limit" => Ignored("Fargate sets no PID limits");
    S "platform" => Lowered("task `RuntimePlatform` (`linux/arm64` runs on Graviton)");
    S "ports" => Lowered("the stack's load balancer: listener, target group, security-group rules; UDP on a network load balancer (the service admits the clients themselves, whose addresses UDP keeps; health checks over TCP on the port or `x-aws-healthcheck.port`), TCP and UDP on one port as one `TCP_UDP` listener");
    S "post_start" => Ignored("ECS has no container lifecycle hooks");
    S "pre_stop" => Ignored("ECS has no container lifecycle hooks");
    S "privileged" => Depends(privileged, "rejected when true: Fargate never runs privileged containers");
    S "profiles" => Resolved("services of inactive profiles are left out (`load/profiles.rs`)");
    S "pull_policy" => Dropped("ECS pulls the image when a task starts");
    S "pull_refresh_after" => Dropped("ECS pulls the image when a task starts");
    S "read_only" => Lowered("container `ReadonlyRootFilesystem`");
    S "restart" => Depends(restart, "dropped: ECS services always replace stopped tasks; `no` warns");
    S "runtime" => Ignored("Fargate chooses the container runtime");
    S "scale" => Lowered("service `DesiredCount`, like `deploy.replicas`");
    S "security_opt" => Ignored("Fargate does not take Docker security options");
    S "shm_size" => Ignored("Fargate does not size `/dev/shm`");
    S "secrets" => Lowered("files in `/run/secrets/<target>`, or at an absolute `target` elsewhere (its directory a volume of its own, `W0407`), with `mode`, `uid`, `gid` honoured, written by a non-essential init container from Secrets Manager; the execution role reads exactly these secrets");
    S "sysctls" => Lowered("container `SystemControls`");
    S "stdin_open" => Lowered("container `Interactive`");
    S "stop_grace_period" => Lowered("container `StopTimeout` (at most 120 s)");
    S "stop_signal" => Ignored("ECS always stops containers with SIGTERM");
    S "storage_opt" => Ignored("Fargate manages container storage");
    S "tmpfs" => Lowered("a task volume per path on the task's ephemeral storage (Fargate has no tmpfs): writable, private to the task, emptied when it stops; with `read_only: true`, the paths the program writes");
    S "tty" => Lowered("container `PseudoTerminal`");
    S "ulimits" => Lowered("container `Ulimits`");
    S "use_api_socket" => Rejected("there is no Docker engine socket on Fargate");
    S "user" => Lowered("container `User`");
    S "uts" => Depends(host_namespace, "rejected for `host`, otherwise ignored with a warning");
    S "userns_mode" => Ignored("Fargate manages user namespaces");
    S "volumes" => Checked("entry by entry (`validate/fargate.rs`): a named volume becomes an EFS mount (transit encryption, IAM authorisation, `:ro` honoured); host bind mounts, anonymous volumes and tmpfs rejected; `volume.subpath` mounts that directory through an access point of its own");
    S "volumes_from" => Rejected("each service is its own task; services cannot share volumes this way");
    S "working_dir" => Lowered("container `WorkingDirectory`");
    S "deploy" => Lowered("see `deploy.*`");
    S "x-aws-pull_credentials" => Lowered("container `RepositoryCredentials`; the execution role may read that secret");
    S "x-aws-role" => Lowered("a policy document: an inline policy of the service's task role; a role ARN: the task role itself, used as is");
    S "x-aws-policies" => Lowered("managed policies of the service's task role");
    S "x-aws-healthcheck" => Lowered("the target groups' health checks (`path`, `matcher`, `port`, `interval`, `timeout`, `healthy_threshold`, `unhealthy_threshold`) and the service's `HealthCheckGracePeriodSeconds` (`grace_period`)");
    S "x-aws-capacity_provider" => Lowered("`FARGATE_SPOT` (or `{name: FARGATE_SPOT, base: N}`): a capacity-provider strategy, `base` tasks on `FARGATE` and the rest on Spot; an existing cluster (`x-aws-cluster`) must have both providers");
    D "mode" => Depends(deploy_mode, "`global` rejected: Fargate has no hosts");
    D "endpoint_mode" => Dropped("Cloud Map answers with every task's address");
    D "replicas" => Lowered("service `DesiredCount`");
    D "labels" => Ignored("ECS service labels are not set; use `labels` for container labels");
    D "rollback_config" => Ignored("ECS rolls back with its deployment circuit breaker");
    D "update_config" => Lowered("`parallelism` → `DeploymentConfiguration` percentages");
    D "resources" => Lowered("task `Cpu`/`Memory` (smallest Fargate size that fits) and `MemoryReservation`");
    D "restart_policy" => Ignored("ECS services always replace stopped tasks");
    D "placement" => Depends(placement, "the Docker integration's `node.machine == TYPE` and `node.ami == AMI` constraints choose the GPU instances; anything else is ignored (Fargate has no placement)");
    D "x-aws-autoscaling" => Lowered("a scalable target from `min` (default: `replicas`) to `max` tasks and a target-tracking policy on `cpu` or `memory` (percent), through Application Auto Scaling's service-linked role");
    L "cpus" => Lowered("task `Cpu` (smallest Fargate size that fits)");
    L "memory" => Lowered("task `Memory` (smallest Fargate size that fits)");
    L "pids" => Ignored("Fargate sets no PID limits");
    U "parallelism" => Lowered("`DeploymentConfiguration` percentages, as the Docker integration computed them");
    U "order" => Lowered("`stop-first`: `MaximumPercent` 100; `start-first`: `MinimumHealthyPercent` 100");
    U "x-aws-min_percent" => Lowered("`DeploymentConfiguration.MinimumHealthyPercent`");
    U "x-aws-max_percent" => Lowered("`DeploymentConfiguration.MaximumPercent`");
    U "delay" => Ignored("ECS replaces tasks as fast as their health allows");
    U "failure_action" => Ignored("the deployment circuit breaker rolls a failed deployment back");
    U "monitor" => Ignored("the deployment circuit breaker decides when a deployment failed");
    U "max_failure_ratio" => Ignored("the deployment circuit breaker decides when a deployment failed");
    R "cpus" => Lowered("task `Cpu` when no limit is set");
    R "memory" => Lowered("container `MemoryReservation`");
    R "generic_resources" => Lowered("`discrete_resource_spec` of kind `gpus` (the Docker integration's form): GPUs, as `devices`; other kinds are ignored (`W0402`)");
    R "devices" => Lowered("`capabilities: [gpu]`: container `ResourceRequirements` GPU, task on EC2 GPU instances (the smallest G4dn type that fits, the ECS GPU AMI); other devices cannot run on ECS (`E0402`)");
    N "name" => Lowered("the security group's `com.docker.compose.network` tag; with `external`, the security group ID");
    N "driver" => Dropped("every network is a security group on ECS");
    N "driver_opts" => Ignored("network driver options have no meaning on ECS");
    N "ipam" => Ignored("addresses come from the stack's subnets");
    N "external" => Checked("an existing security group (`name: sg-...`) in the VPC `x-aws-vpc` names (`E0418` without it); the stack adds no rule to it");
    N "internal" => Ignored("services keep a public IP to pull images; security groups still admit only network members");
    N "enable_ipv4" => Dropped("IPv4 is always on");
    N "enable_ipv6" => Ignored("the stack's VPC is IPv4 only");
    N "attachable" => Dropped("security groups are always attachable");
    N "labels" => Dropped("security groups are tagged with the project and network");
    N "x-aws-securitygroup" => Lowered("the Docker integration's spelling of `external: true` + `name: sg-...`");
    V "name" => Lowered("the EFS file system's `Name` tag; every used volume is an encrypted file system (retained on stack deletion), an access point, a mount target per subnet and an NFS security group open only to the services that mount it");
    V "driver" => Depends(volume_driver, "`local` (or none) is the default; any other driver is ignored: every volume is an EFS file system");
    V "driver_opts" => Lowered("`uid`, `gid`, `permissions`, `root_directory` → access point; `performance_mode`, `throughput_mode`, `provisioned_throughput`, `lifecycle_policy`, `backup_policy` (default `ENABLED`), `kms_key_id` → file system; others ignored with a warning");
    V "external" => Checked("an existing EFS file system (`name: fs-...`) in the VPC `x-aws-vpc` names (`E0418` without it): mounted through an access point of the stack, its mount targets and security groups left as they are");
    V "labels" => Ignored("EFS file systems are tagged with the project and the volume");
    SE "name" => Lowered("with `external: true`, the existing Secrets Manager secret (ARN or name); otherwise the secret's `com.docker.compose.secret` tag");
    SE "environment" => Lowered("a Secrets Manager secret whose value is the `NoEcho` parameter `<Name>SecretValue`: pass the variable's value with `--parameter-overrides`; it never appears in the template");
    SE "file" => Lowered("a Secrets Manager secret whose value is the `NoEcho` parameter `<Name>SecretValue`: pass the file's content with `--parameter-overrides`; compose2cfn never reads it");
    SE "external" => Lowered("an existing Secrets Manager secret, by ARN or name (`name:`); nothing is created");
    SE "labels" => Ignored("the secret is tagged with the project and its name");
    SE "driver" => Ignored("every secret is a Secrets Manager secret");
    SE "driver_opts" => Ignored("every secret is a Secrets Manager secret");
    SE "template_driver" => Ignored("secret values are not templated");
    SE "x-aws-keys" => Lowered("each listed key of a JSON secret is its own file `/run/secrets/<target>/<key>` (ECS reads the key); `*`: every key, split by the init container");
    C "name" => Dropped("the config is known by its key; `name` names a platform object ECS does not have");
    C "content" => Lowered("the file's content, carried in the template (configs are not secret), at most 16 KiB");
    C "environment" => Lowered("the variable's value at compile time, carried in the template");
    C "file" => Lowered("the file's content, read at compile time (relative to the project directory), carried in the template");
    C "external" => Checked("not yet (`E0412` where a service uses it): ECS has no store of configs to read an existing one from");
    C "labels" => Dropped("configs are not AWS resources");
    C "template_driver" => Ignored("config contents are not templated");
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
        "# Compose support\n\n<!-- Generated from src/validate/support.rs by `UPDATE_DOCS=1 cargo test --test it -- docs::`; do not edit. -->\n\nWhat compose2cfn does with every key of the Compose specification: **lowered** into the\ntemplate (to what), **resolved by the loader** as Docker Compose does, **ignored** with a\nwarning (why), **dropped** silently (no meaning on ECS, nothing lost), **rejected** with an\nerror (what to do instead), **not yet** lowered (an error until it is), or **checked** by a\nrule of its own. A test walks the official Compose schema and fails when a key has no row.\n",
    );
    for (section, heading) in SECTIONS {
        let _ = write!(
            out,
            "\n## {heading}\n\n| key | support | details |\n| --- | --- | --- |\n"
        );
        for row in TABLE.iter().filter(|r| r.section == *section) {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                row.key,
                row.support.kind(),
                row.support.text().replace('|', "\\|")
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
