//! The network: a VPC with two public subnets in two availability zones, an internet
//! gateway and routes, and one security group per Compose network whose members may reach
//! each other (and nothing else may).

use super::ids::{SUBNETS, VPC};
use super::{names, tags};
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::Project;

/// The resources that give the public subnets their route to the internet.
pub(super) const ROUTING: [&str; 3] = [
    "PublicRoute",
    "PublicSubnet1RouteTableAssociation",
    "PublicSubnet2RouteTableAssociation",
];

const VPC_CIDR: &str = "10.0.0.0/16";
const SUBNET_CIDRS: [&str; 2] = ["10.0.0.0/20", "10.0.16.0/20"];

pub(super) fn lower(project: &Project, template: &mut Template) {
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
        ),
    );
    template.add(
        "InternetGateway",
        Resource::new(
            "AWS::EC2::InternetGateway",
            map! { "Tags" => tags(project, &[]) },
        ),
    );
    template.add(
        "InternetGatewayAttachment",
        Resource::new(
            "AWS::EC2::VPCGatewayAttachment",
            map! { "InternetGatewayId" => Value::reference("InternetGateway"), "VpcId" => Value::reference(VPC) },
        ),
    );
    template.add(
        "PublicRouteTable",
        Resource::new(
            "AWS::EC2::RouteTable",
            map! { "Tags" => tags(project, &[]), "VpcId" => Value::reference(VPC) },
        ),
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
        .depends_on(["InternetGatewayAttachment".to_string()]),
    );
    for (index, (id, cidr)) in SUBNETS.iter().zip(SUBNET_CIDRS).enumerate() {
        template.add(
            *id,
            Resource::new(
                "AWS::EC2::Subnet",
                map! {
                    "AvailabilityZone" => Value::select(index, Value::azs()),
                    "CidrBlock" => cidr,
                    "MapPublicIpOnLaunch" => false,
                    "Tags" => tags(project, &[("Name", &format!("{}-public-{}", project.name, index + 1))]),
                    "VpcId" => Value::reference(VPC),
                },
            ),
        );
        template.add(
            format!("{id}RouteTableAssociation"),
            Resource::new(
                "AWS::EC2::SubnetRouteTableAssociation",
                map! { "RouteTableId" => Value::reference("PublicRouteTable"), "SubnetId" => Value::reference(*id) },
            ),
        );
    }
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
                "VpcId" => Value::reference(VPC),
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
pub(super) fn group(description: String, tags: Value) -> Resource {
    Resource::new(
        "AWS::EC2::SecurityGroup",
        map! {
            "GroupDescription" => description,
            "Tags" => tags,
            "VpcId" => Value::reference(VPC),
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
        Some(existing) => Value::str(existing),
        None => Value::reference(names::network_id(network)),
    }
}
