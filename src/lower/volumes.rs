//! Named volumes on EFS, secure by default: each volume a service mounts is an encrypted
//! file system kept when the stack is deleted or replaced, an access point (its POSIX user
//! and root directory from `driver_opts`), one mount target in each of the first two
//! subnets, and a security group that admits NFS only from the services that mount the
//! volume (each gets a client security group of its own). An external volume is an
//! existing file system: the stack adds only an access point, and leaves its mount targets
//! and their security groups alone. Tasks mount with transit encryption and IAM
//! authorisation; the task role may mount (and write, unless every mount is read-only)
//! that file system through that access point only.

use std::collections::BTreeMap;

use super::ids::SUBNETS;
use super::{names, network, tags};
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::{Project, Service, Volume};

/// NFS.
const NFS_PORT: i64 = 2049;

/// What one service needs for its mounts.
#[derive(Debug)]
pub(super) struct ServiceMounts {
    /// The service's NFS client security group (when it mounts a file system of the stack).
    pub security_group: Option<String>,
    /// The task definition's `Volumes`.
    pub task_volumes: Vec<Value>,
    /// The main container's `MountPoints`.
    pub mount_points: Vec<Value>,
    /// Inline policies for the task role.
    pub policies: Vec<Value>,
    /// Mount targets the service waits for.
    pub depends_on: Vec<String>,
}

fn file_system_id(volume: &str) -> String {
    format!("{}Filesystem", names::normalize(volume))
}

fn access_point_id(volume: &str) -> String {
    format!("{}AccessPoint", names::normalize(volume))
}

fn security_group_id(volume: &str) -> String {
    format!("{}NFSSecurityGroup", names::normalize(volume))
}

fn mount_target_ids(volume: &str) -> Vec<String> {
    SUBNETS
        .iter()
        .map(|subnet| format!("{}NFSMountTargetOn{subnet}", names::normalize(volume)))
        .collect()
}

/// Lowers every volume some service mounts; returns what each mounting service needs.
pub(super) fn lower(project: &Project, template: &mut Template) -> BTreeMap<String, ServiceMounts> {
    let mut by_service = BTreeMap::new();
    for volume in project.volumes.values() {
        let users: Vec<&Service> = project
            .services
            .values()
            .filter(|s| s.mounts.iter().any(|m| m.volume == volume.name))
            .collect();
        if users.is_empty() {
            continue; // left out, as Compose leaves it out (`W0404`)
        }
        access_point(project, volume, template);
        if volume.external.is_some() {
            continue; // an existing file system, with its own mount targets
        }
        file_system(project, volume, template);
        let group = security_group_id(&volume.name);
        template.add(
            &group,
            network::group(
                project,
                format!("NFS to the {} volume of {}", volume.name, project.name),
                tags(
                    project,
                    &[("com.docker.compose.volume", volume.name.as_str())],
                ),
            )
            .from_source(volume.span),
        );
        for user in &users {
            template.add(
                format!(
                    "{}NFSFrom{}Ingress",
                    names::normalize(&volume.name),
                    names::normalize(&user.name)
                ),
                Resource::new(
                    "AWS::EC2::SecurityGroupIngress",
                    map! {
                        "Description" => format!("NFS from {} to the {} volume", user.name, volume.name),
                        "FromPort" => NFS_PORT,
                        "GroupId" => Value::reference(&group),
                        "IpProtocol" => "tcp",
                        "SourceSecurityGroupId" => Value::reference(client_group_id(&user.name)),
                        "ToPort" => NFS_PORT,
                    },
                )
                .from_source(volume.span),
            );
        }
        for (index, target) in mount_target_ids(&volume.name).into_iter().enumerate() {
            template.add(
                target,
                Resource::new(
                    "AWS::EFS::MountTarget",
                    map! {
                        "FileSystemId" => Value::reference(file_system_id(&volume.name)),
                        "SecurityGroups" => Value::list([Value::reference(&group)]),
                        "SubnetId" => network::subnet(project, index),
                    },
                )
                .from_source(volume.span),
            );
        }
    }
    for service in project.services.values().filter(|s| !s.mounts.is_empty()) {
        by_service.insert(
            service.name.clone(),
            for_service(project, service, template),
        );
    }
    by_service
}

/// The file system's ID: the stack's, or the existing one an external volume names.
fn file_system_ref(volume: &Volume) -> Value {
    match &volume.external {
        Some(id) => Value::str(id.as_str()),
        None => Value::reference(file_system_id(&volume.name)),
    }
}

fn file_system_arn(volume: &Volume) -> Value {
    match &volume.external {
        Some(id) => Value::sub(format!(
            "arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/{id}"
        )),
        None => Value::get_att(file_system_id(&volume.name), "Arn"),
    }
}

fn client_group_id(service: &str) -> String {
    names::service_id(service, "NFSClientSecurityGroup")
}

fn file_system(project: &Project, volume: &Volume, template: &mut Template) {
    let options = &volume.options;
    let qualified = format!("{}_{}", project.name, volume.name);
    let mut resource = Resource::new(
        "AWS::EFS::FileSystem",
        map! {
            "BackupPolicy" => map! { "Status" => if options.backup { "ENABLED" } else { "DISABLED" } },
            "Encrypted" => true,
            "FileSystemTags" => tags(project, &[("Name", qualified.as_str()), ("com.docker.compose.volume", volume.name.as_str())]),
            "KmsKeyId" => options.kms_key_id.clone(),
            "LifecyclePolicies" => options.lifecycle_policy.as_ref().map(|p| Value::list([map! { "TransitionToIA" => p.as_str() }])),
            "PerformanceMode" => options.performance_mode.clone(),
            "ProvisionedThroughputInMibps" => options.provisioned_throughput.map(Value::number),
            "ThroughputMode" => options.throughput_mode.clone(),
        },
    )
    .from_source(volume.span);
    resource.retain = true;
    template.add(file_system_id(&volume.name), resource);
}

fn access_point(project: &Project, volume: &Volume, template: &mut Template) {
    let options = &volume.options;
    let owner = options.uid.map(|uid| (uid, options.gid.unwrap_or(uid)));
    let posix_user =
        owner.map(|(uid, gid)| map! { "Gid" => gid.to_string(), "Uid" => uid.to_string() });
    let root_directory = options.root_directory.as_ref().map(|path| {
        map! {
            "CreationInfo" => owner.map(|(uid, gid)| map! {
                "OwnerGid" => gid.to_string(),
                "OwnerUid" => uid.to_string(),
                "Permissions" => options.permissions.clone().unwrap_or_else(|| "0755".to_string()),
            }),
            "Path" => path.as_str(),
        }
    });
    template.add(
        access_point_id(&volume.name),
        Resource::new(
            "AWS::EFS::AccessPoint",
            map! {
                "AccessPointTags" => tags(project, &[("com.docker.compose.volume", volume.name.as_str())]),
                "FileSystemId" => file_system_ref(volume),
                "PosixUser" => posix_user,
                "RootDirectory" => root_directory,
            },
        )
        .from_source(volume.span),
    );
}

fn for_service(project: &Project, service: &Service, template: &mut Template) -> ServiceMounts {
    // Each volume once, writable when any of the service's mounts of it is.
    let mut volumes: BTreeMap<&str, (&Volume, bool)> = BTreeMap::new();
    for mount in &service.mounts {
        if let Some(volume) = project.volumes.get(&mount.volume) {
            volumes
                .entry(mount.volume.as_str())
                .or_insert((volume, false))
                .1 |= !mount.read_only;
        }
    }
    let created: Vec<&str> = volumes
        .iter()
        .filter(|(_, (v, _))| v.external.is_none())
        .map(|(name, _)| *name)
        .collect();
    let group = (!created.is_empty()).then(|| client_group_id(&service.name));
    if let Some(group) = &group {
        template.add(
            group,
            network::group(
                project,
                format!(
                    "{} of {}: NFS client of its volumes",
                    service.name, project.name
                ),
                tags(
                    project,
                    &[("com.docker.compose.service", service.name.as_str())],
                ),
            )
            .from_source(service.span),
        );
    }
    let task_volumes = volumes.iter().map(|(volume, (definition, _))| {
        map! {
            "EFSVolumeConfiguration" => map! {
                "AuthorizationConfig" => map! {
                    "AccessPointId" => Value::reference(access_point_id(volume)),
                    "IAM" => "ENABLED",
                },
                "FilesystemId" => file_system_ref(definition),
                "TransitEncryption" => "ENABLED",
            },
            "Name" => *volume,
        }
    });
    let mount_points = service.mounts.iter().map(|mount| {
        map! {
            "ContainerPath" => mount.target.as_str(),
            "ReadOnly" => mount.read_only,
            "SourceVolume" => mount.volume.as_str(),
        }
    });
    let policies = volumes.iter().map(|(volume, (definition, writes))| {
        let mut actions = vec!["elasticfilesystem:ClientMount"];
        if *writes {
            actions.push("elasticfilesystem:ClientWrite");
        }
        map! {
            "PolicyDocument" => map! {
                "Statement" => Value::list([map! {
                    "Action" => Value::strs(actions),
                    "Condition" => map! {
                        "StringEquals" => map! {
                            "elasticfilesystem:AccessPointArn" => Value::get_att(access_point_id(volume), "Arn"),
                        },
                    },
                    "Effect" => "Allow",
                    "Resource" => file_system_arn(definition),
                }]),
                "Version" => "2012-10-17",
            },
            "PolicyName" => format!("{}{}VolumeMountPolicy", names::normalize(&service.name), names::normalize(volume)),
        }
    });
    ServiceMounts {
        security_group: group,
        task_volumes: task_volumes.collect(),
        mount_points: mount_points.collect(),
        policies: policies.collect(),
        depends_on: created.iter().flat_map(|v| mount_target_ids(v)).collect(),
    }
}
