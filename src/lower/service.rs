//! One Compose service: its task definition (one container named after the service), its
//! execution role, its Cloud Map entry and its Fargate ECS service.

use std::collections::BTreeSet;

use super::configs::ServiceConfigs;
use super::discovery;
use super::ids::LOG_GROUP;
use super::ingress::Ingress;
use super::network::{self, security_group};
use super::secrets::{SECRETS_VOLUME, ServiceSecrets};
use super::volumes::ServiceMounts;
use super::{cluster, iam, tags};
use crate::ir::{Map, Resource, Template, Value};
use crate::map;
use crate::model::secrets::SECRETS_DIR;
use crate::model::spec::UpdateOrder;
use crate::model::{Capacity, Healthcheck, Project, Service};
use crate::platform::{names, sizing};

/// Compose's healthcheck defaults, made explicit because ECS's differ (timeout 5 s).
const DEFAULT_INTERVAL: i64 = 30;
const DEFAULT_TIMEOUT: i64 = 30;
const DEFAULT_RETRIES: i64 = 3;

/// What a service's containers read besides their image: volumes, secrets, configs.
pub(super) struct Files<'a> {
    pub mounts: Option<&'a ServiceMounts>,
    pub secrets: Option<&'a ServiceSecrets>,
    pub configs: Option<&'a ServiceConfigs>,
}

pub(super) fn lower(
    project: &Project,
    service: &Service,
    ingress: &Ingress,
    files: &Files,
    template: &mut Template,
) {
    let (mounts, secrets) = (files.mounts, files.secrets);
    let task = names::service_id(&service.name, "TaskDefinition");
    let service_tags = tags(
        project,
        &[("com.docker.compose.service", service.name.as_str())],
    );
    let readable = secrets.map_or(&[][..], |s| s.resources.as_slice());
    let parameters = secrets.map_or(&[][..], |s| s.parameters.as_slice());
    let decrypt = secrets.is_some_and(|s| s.uses_project_key);
    let role = iam::execution_role(
        service,
        readable,
        parameters,
        decrypt,
        &service_tags,
        template,
    );
    let extra = mounts.map_or(&[][..], |m| m.policies.as_slice());
    let task_role = iam::task_role(service, extra, &service_tags, template);
    let (cpu, memory) = if service.gpus.is_some() {
        sizing::ec2(service.cpus, service.memory)
    } else {
        let size = sizing::fit(service.cpus, service.memory).unwrap_or(sizing::MAX);
        (size.cpu, u64::from(size.memory))
    };
    let ec2 = service.gpus.is_some();
    template.add(
        &task,
        Resource::new(
            "AWS::ECS::TaskDefinition",
            map! {
                "ContainerDefinitions" => containers(project, service, files),
                "Cpu" => cpu.to_string(),
                "ExecutionRoleArn" => Value::get_att(&role, "Arn"),
                "Family" => format!("{}-{}", project.name, service.name),
                "Memory" => memory.to_string(),
                "NetworkMode" => "awsvpc",
                "RequiresCompatibilities" => Value::strs([if ec2 { "EC2" } else { "FARGATE" }]),
                "RuntimePlatform" => (!ec2).then(|| map! {
                    "CpuArchitecture" => if service.arm64 { "ARM64" } else { "X86_64" },
                    "OperatingSystemFamily" => "LINUX",
                }),
                "Tags" => service_tags.clone(),
                "TaskRoleArn" => task_role,
                "Volumes" => task_volumes(service, files),
            },
        )
        .from_source(service.span)
        .owned_by(&service.name),
    );
    let discovery = discovery::entry(service, template);
    let own_ingress = ingress.by_service.get(&service.name);
    let mut groups: Vec<Value> = service
        .networks
        .keys()
        .map(|n| security_group(project, n))
        .collect();
    if let Some(own) = own_ingress {
        groups.push(Value::reference(&own.security_group));
    }
    if let Some(group) = mounts.and_then(|m| m.security_group.as_ref()) {
        groups.push(Value::reference(group));
    }
    let load_balancers = own_ingress.map(|own| {
        Value::list(own.target_groups.iter().map(|(tg, port)| {
            map! {
                "ContainerName" => service.name.clone(),
                "ContainerPort" => *port,
                "TargetGroupArn" => Value::reference(tg),
            }
        }))
    });
    let mut depends_on: BTreeSet<String> = own_ingress
        .map(|o| o.listeners.iter().cloned().collect())
        .unwrap_or_default();
    depends_on.extend(
        service
            .depends_on
            .iter()
            .filter(|d| project.services.contains_key(&d.service))
            .map(|d| names::service_id(&d.service, "Service")),
    );
    // Tasks pull their image as soon as the service exists: the subnets must route to the
    // internet by then.
    depends_on.extend(network::ready(project));
    // A capacity-provider strategy names providers the cluster must have by then: in a GPU
    // project, the association gives them to it.
    if capacity_strategy(service).is_some() && super::gpu::needed(project) {
        depends_on.insert(super::gpu::ASSOCIATIONS.to_string());
    }
    // Tasks mount their volumes at start: the mount targets must exist.
    depends_on.extend(mounts.iter().flat_map(|m| m.depends_on.iter().cloned()));
    template.add(
        names::service_id(&service.name, "Service"),
        Resource::new(
            "AWS::ECS::Service",
            map! {
                // The ARN, as the Docker integration wrote it: `Cluster` changes replace a service.
                "Cluster" => cluster::arn(project),
                "DeploymentConfiguration" => deployment(service),
                "DeploymentController" => map! { "Type" => "ECS" },
                // Not for an autoscaled service: every stack update would reset the count
                // it scaled to. Omitted, a new service starts with one task and updates keep
                // the count (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html);
                // registering the scalable target brings it within its bounds
                // (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html).
                "DesiredCount" => service.autoscaling.is_none().then_some(service.replicas),
                "EnableECSManagedTags" => true,
                "CapacityProviderStrategy" => capacity_strategy(service),
                "LaunchType" => (matches!(service.capacity, Capacity::Fargate) && !ec2).then_some("FARGATE"),
                "HealthCheckGracePeriodSeconds" => load_balancers.is_some().then(|| grace_period(service)),
                "LoadBalancers" => load_balancers,
                "NetworkConfiguration" => map! {
                    "AwsvpcConfiguration" => map! {
                        // Tasks on EC2 cannot have public IPs; their instance pulls images.
                        "AssignPublicIp" => network::assign_public_ip(project, service),
                        "SecurityGroups" => Value::List(groups),
                        "Subnets" => network::task_subnets_for(project, service),
                    },
                },
                "PlatformVersion" => (!ec2).then_some("LATEST"),
                "PropagateTags" => "SERVICE",
                "SchedulingStrategy" => "REPLICA",
                "ServiceRegistries" => Value::list([map! { "RegistryArn" => Value::get_att(&discovery, "Arn") }]),
                "Tags" => service_tags,
                "TaskDefinition" => Value::reference(&task),
            },
        )
        .from_source(service.span).owned_by(&service.name)
        .depends_on(depends_on),
    );
}

/// The capacity-provider strategy: the GPU instances for a GPU service; for Fargate Spot,
/// `base` tasks on Fargate and the rest on Spot.
fn capacity_strategy(service: &Service) -> Option<Value> {
    if service.gpus.is_some() {
        return Some(Value::list([map! {
            "CapacityProvider" => Value::reference(super::gpu::CAPACITY_PROVIDER),
            "Weight" => 1_i64,
        }]));
    }
    let Capacity::FargateSpot { base, .. } = service.capacity else {
        return None;
    };
    let spot = map! { "CapacityProvider" => "FARGATE_SPOT", "Weight" => 1_i64 };
    let on_demand = (base > 0)
        .then(|| map! { "Base" => base, "CapacityProvider" => "FARGATE", "Weight" => 0_i64 });
    Some(Value::list(on_demand.into_iter().chain([spot])))
}

/// Rolling-update bounds: the Docker integration's math from `update_config.parallelism`,
/// and the circuit breaker with rollback. A service that writes a named volume updates
/// stop-first unless `order` says otherwise: two processes (two databases) on one data
/// directory would corrupt it.
fn deployment(service: &Service) -> Value {
    let update = &service.update;
    let writes_volume = service.mounts.iter().any(|m| !m.read_only);
    let order = update
        .order
        .or(writes_volume.then_some(UpdateOrder::StopFirst));
    let by_parallelism = match update.parallelism {
        Some((parallelism, _)) if service.replicas > 0 && parallelism > 0 => {
            let replicas = i64::from(service.replicas);
            let parallelism = parallelism.min(replicas);
            Some((
                (replicas - parallelism) * 100 / replicas,
                (replicas + parallelism) * 100 / replicas,
            ))
        }
        _ => None,
    };
    let (mut min, mut max) = match (order, by_parallelism) {
        // Old tasks stop before new ones start: never more tasks than desired.
        (Some(UpdateOrder::StopFirst), Some((min, _))) => (min, 100),
        (Some(UpdateOrder::StopFirst), None) => (0, 100),
        // New tasks start before old ones stop: never fewer tasks than desired.
        (Some(UpdateOrder::StartFirst), Some((_, max))) => (100, max),
        (Some(UpdateOrder::StartFirst) | None, None) => (100, 200),
        (None, Some(bounds)) => bounds,
    };
    if let Some((percent, _)) = update.min_percent {
        min = percent;
    }
    if let Some((percent, _)) = update.max_percent {
        max = percent;
    }
    map! {
        "DeploymentCircuitBreaker" => map! { "Enable" => true, "Rollback" => true },
        "MaximumPercent" => max,
        "MinimumHealthyPercent" => min,
    }
}

/// Time a new task has before failed load-balancer health checks count:
/// `x-aws-healthcheck.grace_period`, else the healthcheck's `start_period` and at least a
/// minute.
fn grace_period(service: &Service) -> i64 {
    if let Some(grace) = service.target_health.grace_period {
        return seconds(grace.seconds);
    }
    let start = service
        .healthcheck
        .as_ref()
        .and_then(|h| h.start_period)
        .map_or(0, |t| seconds(t.seconds));
    start.max(MIN_GRACE_PERIOD)
}

const MIN_GRACE_PERIOD: i64 = 60;

fn seconds(value: f64) -> i64 {
    value.ceil() as i64
}

fn health_check(check: &Healthcheck) -> Value {
    map! {
        "Command" => Value::strs(check.test.iter().cloned()),
        "Interval" => check.interval.map_or(DEFAULT_INTERVAL, |t| seconds(t.seconds)),
        "Retries" => check.retries.map_or(DEFAULT_RETRIES, |(r, _)| r),
        "StartPeriod" => check.start_period.map(|t| seconds(t.seconds)),
        "Timeout" => check.timeout.map_or(DEFAULT_TIMEOUT, |t| seconds(t.seconds)),
    }
}

/// The task volume behind a `tmpfs` path: a name from the path (`/var/run` →
/// `Tmpfs_var_run`), a volume without a host path, on the task's ephemeral storage.
fn tmpfs_volume(path: &str) -> String {
    let name: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("Tmpfs{name}")
}

/// The task definition's volumes: EFS volumes, the task volume for secrets, one per
/// config directory, one per `tmpfs` path.
fn task_volumes(service: &Service, files: &Files) -> Option<Value> {
    let mut volumes: Vec<Value> = files
        .mounts
        .map(|m| m.task_volumes.clone())
        .unwrap_or_default();
    if let Some(secrets) = files.secrets {
        volumes.push(map! { "Name" => SECRETS_VOLUME });
        for (volume, _) in &secrets.directories {
            volumes.push(map! { "Name" => volume.clone() });
        }
    }
    for (volume, _) in files.configs.iter().flat_map(|c| &c.directories) {
        volumes.push(map! { "Name" => volume.clone() });
    }
    for (path, _) in &service.tmpfs {
        volumes.push(map! { "Name" => tmpfs_volume(path) });
    }
    (!volumes.is_empty()).then_some(Value::List(volumes))
}

/// A file-writing init container: it mounts `mounts` (volume, path) read-write.
fn writer(project: &Project, name: &str, command: &Value, mounts: &[(&str, &str)]) -> Value {
    let mount_points = mounts.iter().map(|(volume, path)| {
        map! { "ContainerPath" => path.to_string(), "ReadOnly" => false, "SourceVolume" => volume.to_string() }
    });
    map! {
        "Command" => command.clone(),
        "Essential" => false,
        "Image" => discovery::init_image(),
        "LogConfiguration" => log_configuration(project, &std::collections::BTreeMap::new()),
        "MountPoints" => Value::list(mount_points),
        "Name" => name.to_string(),
    }
}

/// The task's containers: the service's own, then the init containers it waits for (the
/// search-domain fix, the secrets writer, the configs writer).
fn containers(project: &Project, service: &Service, files: &Files) -> Value {
    let mut mount_points: Vec<Value> = files
        .mounts
        .map(|m| m.mount_points.clone())
        .unwrap_or_default();
    let mut inits: Vec<(String, Value)> = Vec::new();
    if discovery::needs_resolver(project) {
        let name = discovery::resolver_name(service);
        let init = map! {
            "Command" => discovery::resolver_command(),
            "Essential" => false,
            "Image" => discovery::init_image(),
            "LogConfiguration" => log_configuration(project, &std::collections::BTreeMap::new()),
            "Name" => name.clone(),
        };
        inits.push((name, init));
    }
    if let Some(secrets) = files.secrets {
        mount_points.push(map! {
            "ContainerPath" => SECRETS_DIR,
            "ReadOnly" => true,
            "SourceVolume" => SECRETS_VOLUME,
        });
        let mut mounts = vec![(SECRETS_VOLUME, SECRETS_DIR)];
        for (volume, dir) in &secrets.directories {
            mounts.push((volume.as_str(), dir.as_str()));
            mount_points.push(
                map! { "ContainerPath" => dir.clone(), "ReadOnly" => true, "SourceVolume" => volume.clone() },
            );
        }
        let mut init = writer(project, &secrets.container, &secrets.command, &mounts);
        if let Value::Map(properties) = &mut init {
            properties.insert("Secrets".to_string(), secrets.environment.clone());
        }
        inits.push((secrets.container.clone(), init));
    }
    if let Some(configs) = files.configs {
        let mounts: Vec<(&str, &str)> = configs
            .directories
            .iter()
            .map(|(volume, dir)| (volume.as_str(), dir.as_str()))
            .collect();
        for (volume, dir) in &mounts {
            mount_points.push(
                map! { "ContainerPath" => dir.to_string(), "ReadOnly" => true, "SourceVolume" => volume.to_string() },
            );
        }
        let mut init = writer(project, &configs.container, &configs.command, &mounts);
        if let Value::Map(properties) = &mut init {
            properties.insert("Environment".to_string(), configs.environment.clone());
        }
        inits.push((configs.container.clone(), init));
    }
    for (path, _) in &service.tmpfs {
        mount_points.push(map! {
            "ContainerPath" => path.clone(),
            "ReadOnly" => false,
            "SourceVolume" => tmpfs_volume(path),
        });
    }
    let mut main = container(project, service);
    if let Value::Map(properties) = &mut main {
        if !mount_points.is_empty() {
            properties.insert("MountPoints".to_string(), Value::List(mount_points));
        }
        if !inits.is_empty() {
            let waits = inits.iter().map(|(name, _)| {
                map! { "Condition" => "SUCCESS", "ContainerName" => name.clone() }
            });
            properties.insert("DependsOn".to_string(), Value::list(waits));
        }
    }
    Value::list(std::iter::once(main).chain(inits.into_iter().map(|(_, c)| c)))
}

/// `awslogs` to the project's log group, with the service's own `awslogs-*` options.
fn log_configuration(
    project: &Project,
    options: &std::collections::BTreeMap<String, String>,
) -> Value {
    let mut all: Map = [
        ("awslogs-group", Value::reference(LOG_GROUP)),
        ("awslogs-region", Value::reference("AWS::Region")),
        ("awslogs-stream-prefix", Value::str(project.name.clone())),
    ]
    .into_iter()
    .collect();
    for (k, v) in options {
        all.insert(k.clone(), Value::str(v.clone()));
    }
    map! { "LogDriver" => "awslogs", "Options" => Value::Map(all) }
}

fn container(project: &Project, service: &Service) -> Value {
    let pairs = |map: &std::collections::BTreeMap<String, String>,
                 key: &'static str,
                 value: &'static str| {
        Value::list(
            map.iter()
                .map(|(k, v)| map! { key => k.clone(), value => v.clone() }),
        )
    };
    let mut port_mappings: Vec<(u16, &str)> = service
        .ports
        .iter()
        .map(|(p, _)| (p.target, p.protocol.lower()))
        .collect();
    port_mappings.sort_unstable();
    port_mappings.dedup();
    let capabilities = (!service.cap_add.is_empty() || !service.cap_drop.is_empty()).then(|| {
        map! {
            "Add" => (!service.cap_add.is_empty()).then(|| Value::strs(service.cap_add.iter().map(|(c, _)| c.clone()))),
            "Drop" => (!service.cap_drop.is_empty()).then(|| Value::strs(service.cap_drop.iter().cloned())),
        }
    });
    let linux = (service.init || capabilities.is_some()).then(|| {
        map! {
            "Capabilities" => capabilities,
            "InitProcessEnabled" => service.init.then_some(true),
        }
    });
    map! {
        "Command" => service.command.as_ref().map(|c| Value::strs(c.iter().cloned())),
        "DockerLabels" => (!service.labels.is_empty()).then(|| Value::Map(
            service.labels.iter().map(|(k, v)| (k.clone(), Value::str(v.clone()))).collect(),
        )),
        "EntryPoint" => service.entrypoint.as_ref().map(|c| Value::strs(c.iter().cloned())),
        "Environment" => (!service.environment.is_empty()).then(|| pairs(&service.environment, "Name", "Value")),
        "Essential" => true,
        "HealthCheck" => service.healthcheck.as_ref().map(health_check),
        "Image" => service.image.clone().unwrap_or_default(),
        "Interactive" => service.stdin_open.then_some(true),
        "LinuxParameters" => linux,
        "LogConfiguration" => log_configuration(project, &service.log_options),
        "MemoryReservation" => service.memory_reservation.map(|b| i64::try_from(b.div_ceil(1024 * 1024)).unwrap_or(i64::MAX)),
        "Name" => service.name.clone(),
        "PortMappings" => (!port_mappings.is_empty()).then(|| Value::list(port_mappings.iter().map(|(port, proto)| {
            map! { "ContainerPort" => *port, "Protocol" => *proto }
        }))),
        "PseudoTerminal" => service.tty.then_some(true),
        "ResourceRequirements" => service.gpus.map(|(n, _)| Value::list([map! { "Type" => "GPU", "Value" => n.to_string() }])),
        "ReadonlyRootFilesystem" => service.read_only.then_some(true),
        "RepositoryCredentials" => service.pull_credentials.as_ref().map(|(arn, _)| map! {
            "CredentialsParameter" => arn.clone(),
        }),
        "StopTimeout" => service.stop_grace_period.map(|t| seconds(t.seconds)),
        "SystemControls" => (!service.sysctls.is_empty()).then(|| pairs(&service.sysctls, "Namespace", "Value")),
        "Ulimits" => (!service.ulimits.is_empty()).then(|| Value::list(service.ulimits.iter().map(|u| {
            map! { "HardLimit" => u.hard, "Name" => u.name.clone(), "SoftLimit" => u.soft }
        }))),
        "User" => service.user.clone(),
        "WorkingDirectory" => service.working_dir.clone(),
    }
}
