//! The network. By default the stack creates a VPC with two public subnets in two
//! Availability Zones, an internet gateway and routes, unless the `VpcId` parameter names an
//! existing VPC at deployment (the `CreateVpc` condition chooses); with `x-aws-vpc` it
//! creates none and takes the VPC and its subnets as parameters. Either way, one security
//! group per Compose network whose members may reach each other (and nothing else may).
//! A service that mounts an EFS volume of the stack runs in the first two subnets only,
//! where the mount targets are.
//!
//! Public IPs: a task gets one only when the load balancer serves it (the service publishes
//! ports, on Fargate) and its subnets need one to reach the internet (to pull its image):
//! the created VPC's public subnets, which have no NAT, or an existing VPC whose
//! `AssignPublicIp` parameter says so; `x-aws-assign_public_ip: false` turns them off. When
//! some task must go without, the created VPC adds two private subnets behind one NAT
//! gateway, and every task runs there.

use super::ids::{SUBNETS, VPC};
use super::tags;
use crate::ir::{Parameter, Resource, Template, Value};
use crate::map;
use crate::model::{Project, Service};
use crate::platform::names;

/// The parameters and the condition that place the stack in a VPC.
pub(super) mod parameters {
    pub(in crate::lower) const VPC_ID: &str = "VpcId";
    pub(in crate::lower) const SUBNETS: &str = "Subnets";
    pub(in crate::lower) const ASSIGN_PUBLIC_IP: &str = "AssignPublicIp";
    pub(in crate::lower) const LOAD_BALANCER_SUBNETS: &str = "LoadBalancerSubnets";
    /// True when the stack creates its VPC (`VpcId` left empty).
    pub(in crate::lower) const CREATE_VPC: &str = "CreateVpc";
}
use parameters::{ASSIGN_PUBLIC_IP, CREATE_VPC, VPC_ID};

/// A resource every resource that needs the internet waits for: it depends on the routes
/// when the stack creates them, and on nothing when the VPC exists.
pub(super) const NETWORK_READY: &str = "NetworkReady";

/// The resources that give the created subnets their route to the internet.
const ROUTING: [&str; 3] = [
    "PublicRoute",
    "PublicSubnet1RouteTableAssociation",
    "PublicSubnet2RouteTableAssociation",
];

const VPC_CIDR: &str = "10.0.0.0/16";
const SUBNET_CIDRS: [&str; 2] = ["10.0.0.0/20", "10.0.16.0/20"];
const PRIVATE_SUBNETS: [&str; 2] = ["PrivateSubnet1", "PrivateSubnet2"];
const PRIVATE_CIDRS: [&str; 2] = ["10.0.128.0/20", "10.0.144.0/20"];

/// The resources that give the private subnets their route out, through the NAT gateway.
const PRIVATE_ROUTING: [&str; 3] = [
    "PrivateRoute",
    "PrivateSubnet1RouteTableAssociation",
    "PrivateSubnet2RouteTableAssociation",
];

/// Whether a service's tasks may have a public IP: the load balancer serves them (they
/// publish ports), they run on Fargate (tasks on EC2 cannot), and the file does not say
/// `x-aws-assign_public_ip: false`.
fn may_be_public(project: &Project, service: &Service) -> bool {
    project.aws.no_public_ip.is_none() && service.gpus.is_none() && service.publishes()
}

/// Whether the created VPC needs private subnets behind a NAT gateway: some task may not
/// have a public IP, yet must reach the internet to pull its image.
pub(super) fn needs_nat(project: &Project) -> bool {
    !project.aws.existing_vpc()
        && project
            .services
            .values()
            .any(|s| !may_be_public(project, s))
}

/// The created VPC's subnets for tasks (and GPU instances): the private ones when there is
/// a NAT gateway, else the public ones.
fn created_task_subnets(project: &Project) -> [&'static str; 2] {
    if needs_nat(project) {
        PRIVATE_SUBNETS
    } else {
        SUBNETS
    }
}

/// The subnets of tasks: [`created_task_subnets`], or all of the `Subnets` parameter's.
fn task_subnets(project: &Project) -> Value {
    subnet_list(project, created_task_subnets(project))
}

/// The subnets of one service's tasks: [`task_subnets`], but for a service that mounts a
/// volume of the stack, whose EFS mount targets are in the first two subnets only: its
/// tasks run in those two (in the created VPC, the task subnets are already in the mount
/// targets' two Availability Zones, and EFS resolves its mount target per zone).
pub(super) fn task_subnets_for(project: &Project, service: &Service) -> Value {
    if !mounts_efs(project, service) {
        return task_subnets(project);
    }
    mount_target_subnets(project)
}

/// The subnets of the GPU instances: those of the GPU services' tasks (the first two when
/// one of them mounts a volume of the stack, so that no instance starts where its tasks
/// cannot be placed).
pub(super) fn instance_subnets(project: &Project) -> Value {
    let mut gpu = project.services.values().filter(|s| s.gpus.is_some());
    if gpu.any(|s| mounts_efs(project, s)) {
        mount_target_subnets(project)
    } else {
        task_subnets(project)
    }
}

/// Whether a service mounts a volume whose file system the stack creates.
fn mounts_efs(project: &Project, service: &Service) -> bool {
    service.mounts.iter().any(|m| {
        project
            .volumes
            .get(&m.volume)
            .is_some_and(|v| v.external.is_none())
    })
}

/// The task subnets in the zones of the EFS mount targets (the first two).
fn mount_target_subnets(project: &Project) -> Value {
    chosen(
        project,
        Value::list(created_task_subnets(project).map(Value::reference)),
        Value::list(
            [0, 1].map(|index| Value::select(index, Value::reference(parameters::SUBNETS))),
        ),
    )
}

/// The created subnets `created`, or the `Subnets` parameter's.
fn subnet_list(project: &Project, created: [&str; 2]) -> Value {
    chosen(
        project,
        Value::list(created.map(Value::reference)),
        Value::reference(parameters::SUBNETS),
    )
}

/// What the stack uses: `given` (a parameter) in the VPC `x-aws-vpc` names; otherwise
/// `created` when the stack creates its VPC, and `given` when `VpcId` names one.
fn chosen(project: &Project, created: Value, given: Value) -> Value {
    if project.aws.existing_vpc() || created == given {
        given
    } else {
        Value::when(CREATE_VPC, created, given)
    }
}

/// The stack's VPC ID.
pub(super) fn vpc_id(project: &Project) -> Value {
    chosen(project, Value::reference(VPC), Value::reference(VPC_ID))
}

/// The load balancer's subnets: the created VPC's public ones; in an existing VPC, the
/// `LoadBalancerSubnets` parameter, or the tasks' `Subnets` when it is left empty (an
/// internet-facing load balancer needs subnets routed to an internet gateway, which tasks
/// behind NAT do not have).
pub(super) fn load_balancer_subnets(
    project: &Project,
    internal: bool,
    template: &mut Template,
) -> Value {
    if !internal {
        // Tasks without public IPs run in private subnets (behind NAT or endpoints), where
        // an internet-facing load balancer is unreachable: the deployer names public ones.
        let private = Value::equals(Value::reference(ASSIGN_PUBLIC_IP), "DISABLED");
        let condition = if project.aws.existing_vpc() {
            private
        } else {
            // An existing VPC, and DISABLED: not(created or not DISABLED).
            Value::negate(Value::or([
                Value::equals(Value::reference(VPC_ID), ""),
                Value::negate(private),
            ]))
        };
        template.rules.insert(
            "PublicSubnetsForTheLoadBalancer".to_string(),
            map! {
                "Assertions" => Value::list([map! {
                    "Assert" => names_some(parameters::LOAD_BALANCER_SUBNETS),
                    "AssertDescription" => "With AssignPublicIp=DISABLED the tasks run in private subnets, where an internet-facing load balancer is unreachable: name public subnets in LoadBalancerSubnets (or, if Subnets are public, set AssignPublicIp=ENABLED)",
                }]),
                "RuleCondition" => condition,
            },
        );
    }
    template.parameters.insert(
        parameters::LOAD_BALANCER_SUBNETS.to_string(),
        Parameter::new(
            "CommaDelimitedList",
            "In an existing VPC: the load balancer's subnets, at least two in different Availability Zones (public ones, routed to an internet gateway, for an internet-facing load balancer); empty: the tasks' Subnets",
        )
        .default(""),
    );
    template.conditions.insert(
        OWN_LOAD_BALANCER_SUBNETS.to_string(),
        Value::negate(Value::equals(
            Value::join("", Value::reference(parameters::LOAD_BALANCER_SUBNETS)),
            "",
        )),
    );
    chosen(
        project,
        Value::list(SUBNETS.map(Value::reference)),
        Value::when(
            OWN_LOAD_BALANCER_SUBNETS,
            Value::reference(parameters::LOAD_BALANCER_SUBNETS),
            Value::reference(parameters::SUBNETS),
        ),
    )
}

/// A rule's assertion that the list parameter `list` (empty by default: `[""]`) names
/// something. Rules take rule-specific functions only (`Fn::EachMemberEquals`, not
/// `Fn::Join`: run-time rule R11).
fn names_some(list: &str) -> Value {
    Value::negate(map! {
        "Fn::EachMemberEquals" => Value::list([Value::reference(list), Value::str("")]),
    })
}

/// True when `LoadBalancerSubnets` names subnets.
const OWN_LOAD_BALANCER_SUBNETS: &str = "LoadBalancerSubnetsGiven";

/// The first two subnets, in two Availability Zones (for EFS mount targets).
pub(super) fn subnet(project: &Project, index: usize) -> Value {
    chosen(
        project,
        Value::reference(SUBNETS[index]),
        Value::select(index, Value::reference(parameters::SUBNETS)),
    )
}

/// Whether a service's tasks get a public IP (the rule at the top): in the created VPC
/// only when there is no NAT gateway (every task is then one the load balancer serves); in
/// an existing VPC, the `AssignPublicIp` parameter says, for every task on Fargate: only
/// the deployer knows whether the subnets reach the internet through an internet gateway
/// (a task needs a public IP to pull its image) or through NAT or endpoints (run-time rule
/// R02). Tasks on EC2 never have one: their instance pulls the image.
pub(super) fn assign_public_ip(project: &Project, service: &Service) -> Value {
    let created = if needs_nat(project) {
        "DISABLED"
    } else {
        "ENABLED"
    };
    let given = if service.gpus.is_some() {
        Value::str("DISABLED")
    } else {
        Value::reference(ASSIGN_PUBLIC_IP)
    };
    chosen(project, Value::str(created), given)
}

pub(super) fn lower(project: &Project, template: &mut Template) {
    match &project.aws.vpc {
        Some((vpc, _)) => {
            let subnets = &project.aws.subnets;
            template.parameters.insert(
                VPC_ID.to_string(),
                Parameter::new(
                    "AWS::EC2::VPC::Id",
                    "The VPC the stack deploys into (`x-aws-vpc`)",
                )
                .default(vpc),
            );
            let mut list = Parameter::new(
                "List<AWS::EC2::Subnet::Id>",
                "Subnets of the VPC for the tasks and the load balancer: at least two, in different Availability Zones (`x-aws-subnets`)",
            );
            if !subnets.is_empty() {
                list = list.default(
                    subnets
                        .iter()
                        .map(|(s, _)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            template
                .parameters
                .insert(parameters::SUBNETS.to_string(), list);
        }
        None => {
            template.parameters.insert(
                VPC_ID.to_string(),
                Parameter::new(
                    "String",
                    "An existing VPC to deploy into; empty: the stack creates one",
                )
                .default("")
                .pattern("^(vpc-[0-9a-f]{8,17})?$"),
            );
            template.parameters.insert(
                parameters::SUBNETS.to_string(),
                Parameter::new(
                    "CommaDelimitedList",
                    "With VpcId: subnets of that VPC for the tasks and the load balancer, at least two, in different Availability Zones",
                )
                .default(""),
            );
            template.conditions.insert(
                CREATE_VPC.to_string(),
                Value::equals(Value::reference(VPC_ID), ""),
            );
            template.rules.insert(
                "SubnetsOfTheVpc".to_string(),
                map! {
                    "Assertions" => Value::list([map! {
                        "Assert" => names_some(parameters::SUBNETS),
                        "AssertDescription" => "An existing VPC (VpcId) needs its Subnets",
                    }]),
                    "RuleCondition" => Value::negate(Value::equals(Value::reference(VPC_ID), "")),
                },
            );
            // cfn-lint resolves `Subnets` to its empty default on the existing-VPC branch,
            // which the rule above already refuses at deployment.
            template.ignore_lint("W1030");
            template.ignore_lint("W1035");
            created_vpc(project, template);
        }
    }
    if !project.services.is_empty() {
        // `x-aws-assign_public_ip: false`: the file says the subnets need none.
        let allowed: &[&str] = if project.aws.no_public_ip.is_some() {
            &["DISABLED"]
        } else {
            &["DISABLED", "ENABLED"]
        };
        template.parameters.insert(
            ASSIGN_PUBLIC_IP.to_string(),
            Parameter::new(
                "String",
                "In an existing VPC: ENABLED when Subnets route to an internet gateway (public subnets, as in the default VPC: tasks need a public IP to pull their images), DISABLED when they reach the internet through a NAT gateway or VPC endpoints. Either way the tasks admit only the load balancer and their networks",
            )
            .default("DISABLED")
            .allowed(allowed),
        );
    }
    security_groups(project, template);
}

/// The VPC, its subnets and routes, created when `VpcId` is empty.
fn created_vpc(project: &Project, template: &mut Template) {
    template.add(
        VPC,
        Resource::new(
            "AWS::EC2::VPC",
            map! {
                "CidrBlock" => VPC_CIDR,
                "EnableDnsHostnames" => true,
                "EnableDnsSupport" => true,
                "Tags" => tags(project, &[("Name", project.name.as_str())]),
            },
        )
        .when(CREATE_VPC),
    );
    template.add(
        "InternetGateway",
        Resource::new(
            "AWS::EC2::InternetGateway",
            map! { "Tags" => tags(project, &[]) },
        )
        .when(CREATE_VPC),
    );
    template.add(
        "InternetGatewayAttachment",
        Resource::new(
            "AWS::EC2::VPCGatewayAttachment",
            map! { "InternetGatewayId" => Value::reference("InternetGateway"), "VpcId" => Value::reference(VPC) },
        )
        .when(CREATE_VPC),
    );
    template.add(
        "PublicRouteTable",
        Resource::new(
            "AWS::EC2::RouteTable",
            map! { "Tags" => tags(project, &[]), "VpcId" => Value::reference(VPC) },
        )
        .when(CREATE_VPC),
    );
    template.add(
        "PublicRoute",
        Resource::new(
            "AWS::EC2::Route",
            map! {
                "DestinationCidrBlock" => "0.0.0.0/0",
                "GatewayId" => Value::reference("InternetGateway"),
                "RouteTableId" => Value::reference("PublicRouteTable"),
            },
        )
        .when(CREATE_VPC)
        .depends_on(["InternetGatewayAttachment".to_string()]),
    );
    subnets_in(project, template, &SUBNETS, &SUBNET_CIDRS, "public");
    let mut routes: Vec<&str> = ROUTING.to_vec();
    if needs_nat(project) {
        private_subnets(project, template);
        routes.extend(PRIVATE_ROUTING);
    }
    // A resource cannot depend on one that may not exist; this handle refers to the routes
    // only when they do, so waiting for it waits for them.
    let mut ready = Resource::new("AWS::CloudFormation::WaitConditionHandle", map! {});
    ready.metadata = Some(map! {
        "Routes" => Value::when(CREATE_VPC, Value::list(routes.into_iter().map(Value::reference)), Value::no_value()),
    });
    template.add(NETWORK_READY, ready);
}

/// Two private subnets whose route out is one NAT gateway in the first public subnet (one,
/// not one per zone: it is the stack's only hourly cost, and a zone's outage stops image
/// pulls in the other zone only until the gateway's zone is back).
fn private_subnets(project: &Project, template: &mut Template) {
    template.add(
        "NatGatewayAddress",
        Resource::new(
            "AWS::EC2::EIP",
            map! { "Domain" => "vpc", "Tags" => tags(project, &[]) },
        )
        .when(CREATE_VPC)
        .depends_on(["InternetGatewayAttachment".to_string()]),
    );
    template.add(
        "NatGateway",
        Resource::new(
            "AWS::EC2::NatGateway",
            map! {
                "AllocationId" => Value::get_att("NatGatewayAddress", "AllocationId"),
                "SubnetId" => Value::reference(SUBNETS[0]),
                "Tags" => tags(project, &[]),
            },
        )
        .when(CREATE_VPC),
    );
    template.add(
        "PrivateRouteTable",
        Resource::new(
            "AWS::EC2::RouteTable",
            map! { "Tags" => tags(project, &[]), "VpcId" => Value::reference(VPC) },
        )
        .when(CREATE_VPC),
    );
    template.add(
        "PrivateRoute",
        Resource::new(
            "AWS::EC2::Route",
            map! {
                "DestinationCidrBlock" => "0.0.0.0/0",
                "NatGatewayId" => Value::reference("NatGateway"),
                "RouteTableId" => Value::reference("PrivateRouteTable"),
            },
        )
        .when(CREATE_VPC),
    );
    subnets_in(
        project,
        template,
        &PRIVATE_SUBNETS,
        &PRIVATE_CIDRS,
        "private",
    );
}

/// Two subnets of the created VPC, in the first two Availability Zones, each associated
/// with the route table `{Kind}RouteTable` (`kind`: `public` or `private`).
fn subnets_in(
    project: &Project,
    template: &mut Template,
    ids: &[&str; 2],
    cidrs: &[&str; 2],
    kind: &str,
) {
    let table = format!("{}{}RouteTable", kind[..1].to_uppercase(), &kind[1..]);
    for (index, (id, cidr)) in ids.iter().zip(cidrs).enumerate() {
        template.add(
            *id,
            Resource::new(
                "AWS::EC2::Subnet",
                map! {
                    "AvailabilityZone" => Value::select(index, Value::azs()),
                    "CidrBlock" => cidr.to_string(),
                    "MapPublicIpOnLaunch" => false,
                    "Tags" => tags(project, &[("Name", &format!("{}-{kind}-{}", project.name, index + 1))]),
                    "VpcId" => Value::reference(VPC),
                },
            )
            .when(CREATE_VPC),
        );
        template.add(
            format!("{id}RouteTableAssociation"),
            Resource::new(
                "AWS::EC2::SubnetRouteTableAssociation",
                map! { "RouteTableId" => Value::reference(table.as_str()), "SubnetId" => Value::reference(*id) },
            )
            .when(CREATE_VPC),
        );
    }
}

/// What waits for the subnets' route to the internet: nothing in an existing VPC.
pub(super) fn ready(project: &Project) -> Option<String> {
    (!project.aws.existing_vpc()).then(|| NETWORK_READY.to_string())
}

/// One security group per Compose network some service joins.
fn security_groups(project: &Project, template: &mut Template) {
    // A network no service joins is left out, as Compose leaves it out (`W0404` says so).
    let joined = |name: &str| {
        project
            .services
            .values()
            .any(|s| s.networks.contains_key(name))
    };
    for network in project
        .networks
        .values()
        .filter(|n| n.external.is_none() && joined(&n.name))
    {
        let id = names::network_id(&network.name);
        let qualified = format!("{}_{}", project.name, network.name);
        let mut group = Resource::new(
            "AWS::EC2::SecurityGroup",
            map! {
                "GroupDescription" => format!("{} Security Group for {} network", project.name, network.name),
                "Tags" => tags(project, &[("com.docker.compose.network", &qualified)]),
                "VpcId" => vpc_id(project),
            },
        );
        group.origin = network.span;
        template.add(&id, group);
        let mut ingress = Resource::new(
            "AWS::EC2::SecurityGroupIngress",
            map! {
                "Description" => format!("Allow communication within network {}", network.name),
                "GroupId" => Value::reference(&id),
                "IpProtocol" => "-1",
                "SourceSecurityGroupId" => Value::reference(&id),
            },
        );
        ingress.origin = network.span;
        template.add(format!("{id}Ingress"), ingress);
    }
}

/// A security group in the stack's VPC (its rules are separate resources).
pub(super) fn group(project: &Project, description: String, tags: Value) -> Resource {
    Resource::new(
        "AWS::EC2::SecurityGroup",
        map! {
            "GroupDescription" => description,
            "Tags" => tags,
            "VpcId" => vpc_id(project),
        },
    )
}

/// The security group ID a service wears for one of its networks.
pub(super) fn security_group(project: &Project, network: &str) -> Value {
    match project
        .networks
        .get(network)
        .and_then(|n| n.external.as_deref())
    {
        Some(existing) => Value::str(existing.to_string()),
        None => Value::reference(names::network_id(network)),
    }
}
