//! EC2 capacity for GPU services: a launch template on the ECS GPU-optimised AMI (from AWS's
//! public SSM parameter) and the smallest G4dn instance type that fits every GPU service
//! (both parameters a deployment may change), an auto scaling group from 0 instances, and
//! a capacity provider with managed scaling that the GPU services ask for, associated with
//! the cluster (beside FARGATE and FARGATE_SPOT) by a resource of its own, which the services
//! with a capacity-provider strategy wait for. Instances require IMDSv2 and encrypt their
//! disks; their role is ECS's managed instance role.

use super::ids::CLUSTER;
use super::network::{self, parameters};
use super::{cluster, iam, tags};
use crate::ir::{Parameter, Resource, Template, Value};
use crate::map;
use crate::model::{Project, Service};
use crate::platform::sizing;
use crate::source::Span;

/// The capacity provider GPU services run on.
pub(super) const CAPACITY_PROVIDER: &str = "GpuCapacityProvider";

/// The association of the capacity providers with the cluster, in a GPU project.
pub(super) const ASSOCIATIONS: &str = "ClusterCapacityProviderAssociations";

const INSTANCE_TYPE: &str = "GpuInstanceType";
const AMI: &str = "GpuAmi";
const MAX_INSTANCES: &str = "GpuMaxInstances";
const PUBLIC_INSTANCES: &str = "GpuInstancesPublic";
const AMI_PARAMETER: &str =
    "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id";

/// Whether the project has a GPU service.
pub(super) fn needed(project: &Project) -> bool {
    project.services.values().any(|s| s.gpus.is_some())
}

/// The instance type every GPU service fits on (validation has checked there is one).
fn instance_type(project: &Project) -> &'static str {
    let gpu = project.services.values().filter(|s| s.gpus.is_some());
    sizing::gpu_instance_for(gpu).unwrap_or("g4dn.metal")
}

pub(super) fn lower(project: &Project, template: &mut Template) {
    // The resources come from the first GPU request.
    let Some(origin) = project
        .services
        .values()
        .find_map(|s| s.gpus)
        .map(|(_, span)| span)
    else {
        return;
    };
    // The Docker integration's `node.machine`/`node.ami` constraints, from the first GPU
    // service that has them.
    let constraint = |pick: fn(&Service) -> &Option<(String, Span)>| {
        project
            .services
            .values()
            .filter(|s| s.gpus.is_some())
            .find_map(|s| pick(s).clone())
            .map(|(value, _)| value)
    };
    let machine = constraint(|s| &s.machine);
    template.parameters.insert(
        INSTANCE_TYPE.to_string(),
        Parameter::new(
            "String",
            "The EC2 instance type of the GPU services (`node.machine`, else the smallest G4dn type that fits them)",
        )
        .default(machine.as_deref().unwrap_or_else(|| instance_type(project))),
    );
    let ami = match constraint(|s| &s.ami) {
        Some(ami) => Parameter::new("AWS::EC2::Image::Id", "The AMI of the GPU instances (`node.ami`)").default(ami),
        None => Parameter::new(
            "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
            "The SSM parameter holding the AMI of the GPU instances (the ECS GPU-optimised Amazon Linux 2)",
        )
        .default(AMI_PARAMETER),
    };
    template.parameters.insert(AMI.to_string(), ami);
    template.parameters.insert(
        MAX_INSTANCES.to_string(),
        Parameter::new(
            "Number",
            "The most GPU instances the capacity provider may start",
        )
        .default("10"),
    );
    // Instances pull images through their own address where `AssignPublicIp` says, in an
    // existing VPC; the created VPC has a NAT gateway whenever there is a GPU service (its
    // tasks never have a public IP), and its instances run behind it: a public address
    // there would be billed and never used. (Not created, and ENABLED: written as
    // not(created or not ENABLED).)
    let wants_public = Value::equals(Value::reference(parameters::ASSIGN_PUBLIC_IP), "ENABLED");
    let public = if project.aws.existing_vpc() {
        wants_public
    } else {
        Value::negate(Value::or([
            Value::equals(Value::reference(parameters::VPC_ID), ""),
            Value::negate(wants_public),
        ]))
    };
    template
        .conditions
        .insert(PUBLIC_INSTANCES.to_string(), public);
    let project_tags = tags(project, &[]);
    template.add(
        "GpuInstanceRole",
        Resource::new(
            "AWS::IAM::Role",
            map! {
                "AssumeRolePolicyDocument" => iam::assumed_by("ec2.amazonaws.com"),
                "ManagedPolicyArns" => Value::list([Value::sub(
                    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
                )]),
                "Tags" => project_tags.clone(),
            },
        )
        .from_source(origin),
    );
    template.add(
        "GpuInstanceProfile",
        Resource::new(
            "AWS::IAM::InstanceProfile",
            map! { "Roles" => Value::list([Value::reference("GpuInstanceRole")]) },
        )
        .from_source(origin),
    );
    template.add(
        "GpuInstanceSecurityGroup",
        network::group(
            project,
            format!(
                "{}: GPU instances (tasks have their own interfaces)",
                project.name
            ),
            project_tags.clone(),
        )
        .from_source(origin),
    );
    // The cluster does not refer to the capacity provider (the association does), so the
    // instances can name it.
    let user_data = Value::sub(
        "#!/bin/bash\necho ECS_CLUSTER=${Cluster} >> /etc/ecs/ecs.config\necho ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config\n",
    );
    template.add(
        "GpuLaunchTemplate",
        Resource::new(
            "AWS::EC2::LaunchTemplate",
            map! {
                "LaunchTemplateData" => map! {
                    "BlockDeviceMappings" => Value::list([map! {
                        "DeviceName" => "/dev/xvda",
                        "Ebs" => map! { "Encrypted" => true, "VolumeSize" => 50_i64, "VolumeType" => "gp3" },
                    }]),
                    "IamInstanceProfile" => map! { "Arn" => Value::get_att("GpuInstanceProfile", "Arn") },
                    "ImageId" => Value::reference(AMI),
                    "InstanceType" => Value::reference(INSTANCE_TYPE),
                    "MetadataOptions" => map! { "HttpEndpoint" => "enabled", "HttpTokens" => "required" },
                    "NetworkInterfaces" => Value::list([map! {
                        "AssociatePublicIpAddress" => Value::when(PUBLIC_INSTANCES, true, false),
                        "DeviceIndex" => 0_i64,
                        "Groups" => Value::list([Value::reference("GpuInstanceSecurityGroup")]),
                    }]),
                    "UserData" => Value::base64(user_data),
                },
            },
        )
        .from_source(origin),
    );
    template.add(
        "GpuAutoScalingGroup",
        Resource::new(
            "AWS::AutoScaling::AutoScalingGroup",
            map! {
                "LaunchTemplate" => map! {
                    "LaunchTemplateId" => Value::reference("GpuLaunchTemplate"),
                    "Version" => Value::get_att("GpuLaunchTemplate", "LatestVersionNumber"),
                },
                "MaxSize" => Value::reference(MAX_INSTANCES),
                "MinSize" => "0",
                "VPCZoneIdentifier" => network::instance_subnets(project),
            },
        )
        .from_source(origin)
        .depends_on(network::ready(project)),
    );
    template.add(
        CAPACITY_PROVIDER,
        Resource::new(
            "AWS::ECS::CapacityProvider",
            map! {
                "AutoScalingGroupProvider" => map! {
                    "AutoScalingGroupArn" => Value::reference("GpuAutoScalingGroup"),
                    "ManagedScaling" => map! { "Status" => "ENABLED", "TargetCapacity" => 100_i64 },
                    "ManagedTerminationProtection" => "DISABLED",
                },
                "Tags" => project_tags,
            },
        )
        .from_source(origin),
    );
    template.add(
        ASSOCIATIONS,
        Resource::new(
            "AWS::ECS::ClusterCapacityProviderAssociations",
            map! {
                "CapacityProviders" => Value::list(
                    cluster::FARGATE_PROVIDERS
                        .map(Value::str)
                        .into_iter()
                        .chain([Value::reference(CAPACITY_PROVIDER)]),
                ),
                "Cluster" => Value::reference(CLUSTER),
                "DefaultCapacityProviderStrategy" => cluster::default_strategy(),
            },
        )
        .from_source(origin),
    );
}
