//! The storage rules: EFS file systems with a policy that enforces TLS and access points
//! (R04), and a mount target in every zone a mounting task can land in (R05).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::Findings;
use super::access::{allowed, grants};
use super::network::services;
use super::stack::{Layout, Stack, attribute, items, reference};

/// Whether a statement denies, on the condition `operator: {key: true}`.
fn denies_when(statement: &Json, operator: &str, key: &str, value: &str) -> bool {
    let condition = &statement["Condition"][operator][key];
    statement["Effect"] == "Deny"
        && (condition == value
            || condition.as_bool().map(|b| b.to_string()).as_deref() == Some(value))
}

/// R04: every file system of the stack has a policy denying transport without TLS and
/// mounts that do not come through an access point.
pub(super) fn file_system_policy(stack: &Stack, out: &mut Findings) {
    for (id, resource) in stack.of_type("AWS::EFS::FileSystem") {
        let statements = items(&resource["Properties"]["FileSystemPolicy"]["Statement"]);
        let tls = statements
            .iter()
            .any(|s| denies_when(s, "Bool", "aws:SecureTransport", "false"));
        let access_points = statements
            .iter()
            .any(|s| denies_when(s, "Null", "elasticfilesystem:AccessPointArn", "true"));
        if !tls || !access_points {
            let missing = match (tls, access_points) {
                (false, false) => {
                    "no policy that denies transport without TLS and mounts outside an access point"
                }
                (false, true) => "no statement that denies transport without TLS",
                _ => "no statement that denies mounts outside an access point",
            };
            out.add(
                id,
                format!(
                    "`{id}` has {missing}: any client that reaches a mount target gets in, as root"
                ),
            );
        }
    }
    mount_rights(stack, out);
}

/// The rights a task's role needs on a file system whose policy grants none: to mount it,
/// and to act as root (without it EFS squashes root to nobody).
const MOUNT_RIGHTS: [&str; 2] = [
    "elasticfilesystem:ClientMount",
    "elasticfilesystem:ClientRootAccess",
];

/// R04, second half: every task that mounts a file system with a policy holds the rights
/// the default policy gave it through its own role.
fn mount_rights(stack: &Stack, out: &mut Findings) {
    for (id, resource) in stack.of_type("AWS::ECS::TaskDefinition") {
        let properties = &resource["Properties"];
        for volume in items(&properties["Volumes"]) {
            let Some(fs) = reference(&volume["EFSVolumeConfiguration"]["FilesystemId"]) else {
                continue;
            };
            let with_policy = stack.resource(fs).is_some_and(|r| {
                r["Type"] == "AWS::EFS::FileSystem"
                    && !r["Properties"]["FileSystemPolicy"].is_null()
            });
            if !with_policy {
                continue;
            }
            let Some((role, _)) = attribute(&properties["TaskRoleArn"]) else {
                continue; // a role of the account's: its policies are not in the template
            };
            let arn = serde_json::json!({ "Fn::GetAtt": [fs, "Arn"] });
            let on_it: Vec<&Json> = allowed(stack, role)
                .into_iter()
                .filter(|s| items(&s["Resource"]).contains(&&arn))
                .collect();
            let missing: Vec<&str> = MOUNT_RIGHTS
                .into_iter()
                .filter(|right| !on_it.iter().any(|s| grants(s, right)))
                .collect();
            if !missing.is_empty() {
                out.add(
                    id,
                    format!(
                        "`{id}` mounts `{fs}`, whose policy grants nothing, but its task role does not allow `{}`: the mount fails, or root is squashed to nobody",
                        missing.join("`, `")
                    ),
                );
            }
        }
    }
}

/// Where a subnet is, as a key equal for subnets of one zone: the zone a subnet of the
/// template names, or the subnet's own expression.
fn zone(stack: &Stack, layout: &Layout, subnet: &Json) -> String {
    match reference(subnet).and_then(|s| stack.resource(s)) {
        Some(r) if r["Type"] == "AWS::EC2::Subnet" => layout
            .eval(&r["Properties"]["AvailabilityZone"], true)
            .to_string(),
        _ => subnet.to_string(),
    }
}

/// R05: every subnet a task that mounts a file system of the stack can be placed in has
/// a mount target of it in its zone.
pub(super) fn mount_targets(stack: &Stack, out: &mut Findings) {
    // Per layout, the zones of each file system's mount targets.
    let zones: Vec<BTreeMap<&str, BTreeSet<String>>> = stack
        .layouts
        .iter()
        .map(|layout| {
            let mut zones: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
            for (_, r) in stack
                .of_type("AWS::EFS::MountTarget")
                .filter(|(_, r)| layout.has(r))
            {
                if let Some(fs) = reference(&r["Properties"]["FileSystemId"]) {
                    let subnet = layout.eval(&r["Properties"]["SubnetId"], true);
                    zones
                        .entry(fs)
                        .or_default()
                        .insert(zone(stack, layout, &subnet));
                }
            }
            zones
        })
        .collect();
    let none = BTreeSet::new();
    for (id, resource, properties) in services(stack) {
        let Some(task) = reference(&properties["TaskDefinition"]).and_then(|t| stack.resource(t))
        else {
            continue;
        };
        let file_systems: BTreeSet<&str> = items(&task["Properties"]["Volumes"])
            .iter()
            .filter_map(|v| reference(&v["EFSVolumeConfiguration"]["FilesystemId"]))
            .filter(|fs| {
                stack
                    .resource(fs)
                    .is_some_and(|r| r["Type"] == "AWS::EFS::FileSystem")
            })
            .collect();
        for (layout, by_fs) in stack
            .layouts
            .iter()
            .zip(&zones)
            .filter(|(l, _)| l.has(resource))
        {
            let subnets = layout.eval(
                &properties["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"],
                true,
            );
            for fs in &file_systems {
                let zones = by_fs.get(fs).unwrap_or(&none);
                let Json::Array(list) = &subnets else {
                    out.add(
                        id,
                        format!(
                            "tasks may be placed in any subnet of {subnets}, but `{fs}` has mount targets in {} of them only: a task elsewhere cannot mount it",
                            zones.len()
                        ),
                    );
                    continue;
                };
                for subnet in list {
                    if !zones.contains(&zone(stack, layout, subnet)) {
                        out.add(
                            id,
                            format!("tasks may be placed in {subnet}, where `{fs}` has no mount target: they cannot mount it"),
                        );
                    }
                }
            }
        }
    }
}
