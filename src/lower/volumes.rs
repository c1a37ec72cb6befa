//! Named volumes on EFS, secure by default: each volume a service mounts is an encrypted
//! file system kept when the stack is deleted or replaced, whose policy refuses clients
//! without TLS or outside an access point, an access point (its POSIX user
//! and root directory from `driver_opts`), one mount target in each of the first two
//! subnets, and a security group that admits NFS only from the services that mount the
//! volume (each gets a client security group of its own). An external volume is an
//! existing file system: the stack adds only an access point, and leaves its mount targets
//! and their security groups alone. Tasks mount with transit encryption and IAM
//! authorisation; the task role may mount (and write, unless every mount is read-only)
//! that file system through that access point only.

use std::collections::BTreeMap;

use super::ids::SUBNETS;
use super::{network, tags};
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::{Project, Service, Volume};
use crate::platform::names;

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

/// The access point of a volume, or of one of its subpaths.
fn access_point_id(volume: &str, subpath: Option<&str>) -> String {
    match subpath {
        None => format!("{}AccessPoint", names::normalize(volume)),
        Some(path) => format!(
            "{}Subpath{}AccessPoint",
            names::normalize(volume),
            names::normalize(path)
        ),
    }
}

/// The task volume of a mount: the volume's name, or with its subpath.
fn task_volume_name(volume: &str, subpath: Option<&str>) -> String {
    match subpath {
        None => volume.to_string(),
        Some(path) => {
            let path: String = path
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            format!("{volume}-{path}")
        }
    }
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
        let subpaths: std::collections::BTreeSet<Option<&str>> = users
            .iter()
            .flat_map(|s| &s.mounts)
            .filter(|m| m.volume == volume.name)
            .map(|m| m.subpath.as_deref())
            .collect();
        for subpath in subpaths {
            access_point(project, volume, subpath, template);
        }
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
                .from_source(volume.span).owned_by(&user.name),
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

/// The ARNs of the access points of `volume` a service uses: one, or a list.
fn access_point_arns(access: &BTreeMap<(&str, Option<&str>), &Volume>, volume: &str) -> Value {
    let mut arns: Vec<Value> = access
        .keys()
        .filter(|(v, _)| *v == volume)
        .map(|(v, subpath)| Value::get_att(access_point_id(v, *subpath), "Arn"))
        .collect();
    if arns.len() == 1 {
        arns.remove(0)
    } else {
        Value::List(arns)
    }
}

/// The file system's ID: the stack's, or the existing one an external volume names.
fn file_system_ref(volume: &Volume) -> Value {
    match &volume.external {
        Some(id) => Value::str(id.clone()),
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
            "FileSystemPolicy" => file_system_policy(),
            "FileSystemTags" => tags(project, &[("Name", qualified.as_str()), ("com.docker.compose.volume", volume.name.as_str())]),
            "KmsKeyId" => options.kms_key_id.clone(),
            "LifecyclePolicies" => options.lifecycle_policy.as_ref().map(|p| Value::list([map! { "TransitionToIA" => p.clone() }])),
            "PerformanceMode" => options.performance_mode.clone(),
            "ProvisionedThroughputInMibps" => options.provisioned_throughput.map(Value::number),
            "ThroughputMode" => options.throughput_mode.clone(),
        },
    )
    .from_source(volume.span);
    resource.retain = true;
    template.add(file_system_id(&volume.name), resource);
}

/// The file system's policy, in place of EFS's default one (which lets in any client that
/// reaches a mount target, as root): nothing without TLS, and no NFS access except
/// through an access point. It allows nothing: an allow in either the identity policy or
/// the file system policy suffices, so the task roles' mount policies still let their
/// tasks in (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
/// Nor can it lock out CloudFormation, which calls EFS over TLS: no lockout-check bypass.
fn file_system_policy() -> Value {
    // The policy cannot name its own file system's ARN; on that file system, every file
    // system of the account is that one.
    let this = || {
        Value::sub(
            "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/*",
        )
    };
    map! {
        "Statement" => Value::list([
            map! {
                "Action" => "*",
                "Condition" => map! { "Bool" => map! { "aws:SecureTransport" => "false" } },
                "Effect" => "Deny",
                "Principal" => map! { "AWS" => "*" },
                "Resource" => this(),
                "Sid" => "DenyWithoutTls",
            },
            map! {
                "Action" => Value::strs([
                    "elasticfilesystem:ClientMount",
                    "elasticfilesystem:ClientRootAccess",
                    "elasticfilesystem:ClientWrite",
                ]),
                "Condition" => map! { "Null" => map! { "elasticfilesystem:AccessPointArn" => "true" } },
                "Effect" => "Deny",
                "Principal" => map! { "AWS" => "*" },
                "Resource" => this(),
                "Sid" => "DenyOutsideAccessPoints",
            },
        ]),
        "Version" => "2012-10-17",
    }
}

/// An access point: the volume's POSIX user and root directory; for a subpath, rooted in
/// that directory (created, owned by the volume's user or root, when missing).
fn access_point(
    project: &Project,
    volume: &Volume,
    subpath: Option<&str>,
    template: &mut Template,
) {
    let options = &volume.options;
    let owner = options.uid.map(|uid| (uid, options.gid.unwrap_or(uid)));
    let posix_user =
        owner.map(|(uid, gid)| map! { "Gid" => gid.to_string(), "Uid" => uid.to_string() });
    let path = match (&options.root_directory, subpath) {
        (root, Some(sub)) => Some(format!(
            "{}/{sub}",
            root.as_deref().unwrap_or("").trim_end_matches('/')
        )),
        (Some(root), None) => Some(root.clone()),
        (None, None) => None,
    };
    let creator = if subpath.is_some() {
        owner.or(Some((0, 0)))
    } else {
        owner
    };
    let root_directory = path.map(|path| {
        map! {
            "CreationInfo" => creator.map(|(uid, gid)| map! {
                "OwnerGid" => gid.to_string(),
                "OwnerUid" => uid.to_string(),
                "Permissions" => options.permissions.clone().unwrap_or_else(|| "0755".to_string()),
            }),
            "Path" => path,
        }
    });
    template.add(
        access_point_id(&volume.name, subpath),
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
    // Each volume (and subpath) once, writable when any of the service's mounts of it is.
    let mut volumes: BTreeMap<&str, (&Volume, bool)> = BTreeMap::new();
    let mut access: BTreeMap<(&str, Option<&str>), &Volume> = BTreeMap::new();
    for mount in &service.mounts {
        if let Some(volume) = project.volumes.get(&mount.volume) {
            volumes
                .entry(mount.volume.as_str())
                .or_insert((volume, false))
                .1 |= !mount.read_only;
            access.insert((mount.volume.as_str(), mount.subpath.as_deref()), volume);
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
            .from_source(service.span)
            .owned_by(&service.name),
        );
    }
    let task_volumes = access.iter().map(|((volume, subpath), definition)| {
        map! {
            "EFSVolumeConfiguration" => map! {
                "AuthorizationConfig" => map! {
                    "AccessPointId" => Value::reference(access_point_id(volume, *subpath)),
                    "IAM" => "ENABLED",
                },
                "FilesystemId" => file_system_ref(definition),
                "TransitEncryption" => "ENABLED",
            },
            "Name" => task_volume_name(volume, *subpath),
        }
    });
    let mount_points = service.mounts.iter().map(|mount| {
        map! {
            "ContainerPath" => mount.target.clone(),
            "ReadOnly" => mount.read_only,
            "SourceVolume" => task_volume_name(&mount.volume, mount.subpath.as_deref()),
        }
    });
    let policies = volumes.iter().map(|(volume, (definition, writes))| {
        // The file system's policy grants nothing (it only denies), so the task role holds
        // every right the default policy gave: root too, for containers that run as root
        // (without it EFS squashes them to nobody, and postgres cannot own its data).
        let mut actions = vec![
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientRootAccess",
        ];
        if *writes {
            actions.push("elasticfilesystem:ClientWrite");
        }
        map! {
            "PolicyDocument" => map! {
                "Statement" => Value::list([map! {
                    "Action" => Value::strs(actions),
                    "Condition" => map! {
                        "StringEquals" => map! {
                            "elasticfilesystem:AccessPointArn" => access_point_arns(&access, volume),
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
