//! The network rules: target-group health checks that can pass (R01), a route to the image
//! registry for every task (R02), and tasks reachable from their load balancer and their
//! networks only (R06).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::Findings;
use super::stack::{Layout, Stack, items, reference};

/// A security-group ingress rule, from an `AWS::EC2::SecurityGroupIngress` or a group's
/// inline `SecurityGroupIngress`.
struct Ingress<'s> {
    /// The logical ID that defines it.
    id: &'s str,
    /// The group it opens (a logical ID).
    group: String,
    protocol: String,
    from: i64,
    to: i64,
    rule: &'s Json,
}

impl Ingress<'_> {
    /// Whether it admits TCP on `port`.
    fn admits_tcp(&self, port: i64) -> bool {
        matches!(self.protocol.as_str(), "tcp" | "6" | "-1")
            && (self.protocol == "-1" || (self.from <= port && port <= self.to))
    }

    /// The address range it admits, if it admits one rather than a security group.
    fn range(&self) -> Option<String> {
        ["CidrIp", "CidrIpv6", "SourcePrefixListId"]
            .iter()
            .find_map(|key| self.rule.get(*key))
            .map(|v| match v.as_str() {
                Some(text) => text.to_string(),
                None => v.to_string(),
            })
    }

    /// Whether its source is the group itself (the members of a network).
    fn is_self_reference(&self) -> bool {
        reference(&self.rule["SourceSecurityGroupId"]) == Some(self.group.as_str())
    }
}

fn number(value: &Json) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// Every ingress rule of the template's security groups (in `layout`).
fn ingress_rules<'s>(stack: &'s Stack, layout: &Layout) -> BTreeMap<String, Vec<Ingress<'s>>> {
    let mut rules: BTreeMap<String, Vec<Ingress<'s>>> = BTreeMap::new();
    let mut add = |id: &'s str, group: String, rule: &'s Json| {
        let protocol = match &rule["IpProtocol"] {
            Json::String(p) => p.to_ascii_lowercase(),
            other => other.to_string(),
        };
        rules.entry(group.clone()).or_default().push(Ingress {
            id,
            group,
            protocol,
            from: number(&rule["FromPort"]).unwrap_or(-1),
            to: number(&rule["ToPort"]).unwrap_or(-1),
            rule,
        });
    };
    for (id, resource) in stack.of_type("AWS::EC2::SecurityGroupIngress") {
        let properties = &resource["Properties"];
        if let (true, Some(group)) = (layout.has(resource), reference(&properties["GroupId"])) {
            add(id, group.to_string(), properties);
        }
    }
    for (id, resource) in stack.of_type("AWS::EC2::SecurityGroup") {
        for rule in items(&resource["Properties"]["SecurityGroupIngress"]) {
            add(id, id.to_string(), rule);
        }
    }
    rules
}

/// The ECS services, each with its properties.
pub(super) fn services(stack: &Stack) -> impl Iterator<Item = (&str, &Json, &Json)> {
    stack
        .of_type("AWS::ECS::Service")
        .map(|(id, r)| (id, r, &r["Properties"]))
}

/// The security groups of the template a service's tasks wear (logical IDs).
fn task_groups(properties: &Json) -> Vec<&str> {
    items(&properties["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"])
        .into_iter()
        .filter_map(reference)
        .collect()
}

/// Whether a service runs on EC2 instances (a capacity provider of the stack's own, or
/// the EC2 launch type) rather than Fargate.
fn on_ec2(properties: &Json) -> bool {
    properties["LaunchType"] == "EC2"
        || items(&properties["CapacityProviderStrategy"])
            .iter()
            .any(|s| {
                !matches!(
                    s["CapacityProvider"].as_str(),
                    Some("FARGATE" | "FARGATE_SPOT")
                )
            })
}

/// R01: each target group's health checks can pass.
pub(super) fn health_checks(stack: &Stack, out: &mut Findings) {
    let Some(layout) = stack.layouts.first() else {
        return;
    };
    let rules = ingress_rules(stack, layout);
    // The services registered in each target group.
    let mut registered: BTreeMap<&str, Vec<(&str, &Json)>> = BTreeMap::new();
    for (service, _, properties) in services(stack) {
        for lb in items(&properties["LoadBalancers"]) {
            if let Some(group) = reference(&lb["TargetGroupArn"]) {
                registered
                    .entry(group)
                    .or_default()
                    .push((service, properties));
            }
        }
    }
    for (id, resource) in stack.of_type("AWS::ElasticLoadBalancingV2::TargetGroup") {
        let p = &resource["Properties"];
        let protocol = p["Protocol"].as_str().unwrap_or("HTTP");
        let checked =
            p["HealthCheckProtocol"]
                .as_str()
                .unwrap_or(if matches!(protocol, "HTTP" | "HTTPS") {
                    "HTTP"
                } else {
                    "TCP"
                });
        let port = match p["HealthCheckPort"].as_str() {
            None | Some("traffic-port") => None,
            Some(port) => port.parse::<i64>().ok(),
        };
        if !matches!(checked, "TCP" | "HTTP" | "HTTPS") {
            out.add(
                id,
                format!("health checks over {checked}: a target group checks over TCP, HTTP or HTTPS only"),
            );
        }
        if protocol == "UDP" && port.is_none() {
            out.add(
                id,
                format!(
                    "a UDP target group checks health over {checked} on its traffic port ({}), where nothing answers {checked}: every target stays unhealthy and ECS stops the tasks",
                    p["Port"]
                ),
            );
            continue;
        }
        let Some(port) = port.or_else(|| number(&p["Port"])) else {
            continue;
        };
        // The services registered in it: their security groups must admit the checks.
        for (service, properties) in registered.get(id).into_iter().flatten() {
            let groups = task_groups(properties);
            let all_ours =
                items(&properties["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"])
                    .len()
                    == groups.len();
            let admitted = groups
                .iter()
                .flat_map(|g| rules.get(*g).into_iter().flatten())
                .any(|r| !r.is_self_reference() && r.admits_tcp(port));
            if all_ours && !admitted {
                out.add(
                    id,
                    format!(
                        "the health checks of `{id}` go to TCP port {port} of `{service}`'s tasks, which no rule of their security groups admits from the load balancer: every target stays unhealthy"
                    ),
                );
            }
        }
    }
}

/// How a subnet of the template reaches the internet in a layout.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Gateway,
    Nat,
    None,
}

/// How each subnet of the template reaches the internet in a layout.
fn internet_routes<'s>(stack: &'s Stack, layout: &Layout) -> BTreeMap<&'s str, Route> {
    stack
        .of_type("AWS::EC2::Subnet")
        .filter(|(_, r)| layout.has(r))
        .map(|(id, _)| (id, internet_route(stack, layout, id)))
        .collect()
}

fn internet_route(stack: &Stack, layout: &Layout, subnet: &str) -> Route {
    let tables: Vec<&str> = stack
        .of_type("AWS::EC2::SubnetRouteTableAssociation")
        .filter(|(_, r)| layout.has(r) && reference(&r["Properties"]["SubnetId"]) == Some(subnet))
        .filter_map(|(_, r)| reference(&r["Properties"]["RouteTableId"]))
        .collect();
    let mut route = Route::None;
    for (_, r) in stack.of_type("AWS::EC2::Route") {
        let p = &r["Properties"];
        let to_all = p["DestinationCidrBlock"] == "0.0.0.0/0";
        let in_table = reference(&p["RouteTableId"]).is_some_and(|t| tables.contains(&t));
        if !(layout.has(r) && to_all && in_table) {
            continue;
        }
        if !p["GatewayId"].is_null() {
            return Route::Gateway;
        }
        if !p["NatGatewayId"].is_null() {
            route = Route::Nat;
        }
    }
    route
}

/// Where images are pulled from, in one layout: the subnets (evaluated), whether the puller
/// has a public address there, and whether that is the deployer's choice (a parameter or
/// a condition) rather than fixed.
struct Puller<'a> {
    /// Who pulls: "tasks", "GPU instances".
    who: &'a str,
    subnets: Json,
    public: bool,
    chosen: bool,
}

/// What keeps `puller` from its registry, in `layout` (`routes`: the template's subnets').
fn pull_problems(
    stack: &Stack,
    layout: &Layout,
    routes: &BTreeMap<&str, Route>,
    puller: &Puller<'_>,
) -> Vec<String> {
    let who = puller.who;
    let where_ = if layout.describe().is_empty() {
        String::new()
    } else {
        format!(" (deployed with {})", layout.describe())
    };
    let mut problems = Vec::new();
    for subnet in items(&puller.subnets) {
        let created = reference(subnet).filter(|s| {
            stack
                .resource(s)
                .is_some_and(|r| r["Type"] == "AWS::EC2::Subnet")
        });
        match created.map(|s| (s, routes.get(s).unwrap_or(&Route::None))) {
            Some((s, &Route::Gateway)) if !puller.public => problems.push(format!(
                "{who} run in `{s}`, routed to the internet through an internet gateway, without a public IP{where_}: they cannot pull images"
            )),
            Some((s, &Route::None)) => problems.push(format!(
                "{who} run in `{s}`, which has no route to the internet{where_}: they cannot pull images"
            )),
            Some(_) => {}
            None if !puller.chosen => problems.push(format!(
                "{who} run in subnets the template does not create{where_}, with a fixed public address ({}): in public subnets they need one to pull images, behind NAT they need none; only the deployer knows which (a parameter)",
                if puller.public { "on" } else { "off" }
            )),
            None => {}
        }
    }
    problems
}

/// R02: every Fargate task, and every EC2 instance that pulls for tasks, can reach its
/// image registry, in every layout.
pub(super) fn image_pull(stack: &Stack, out: &mut Findings) {
    let routes: Vec<BTreeMap<&str, Route>> = stack
        .layouts
        .iter()
        .map(|l| internet_routes(stack, l))
        .collect();
    let layouts = || stack.layouts.iter().zip(&routes);
    for (id, resource, properties) in services(stack) {
        let config = &properties["NetworkConfiguration"]["AwsvpcConfiguration"];
        for (layout, routes) in layouts().filter(|(l, _)| l.has(resource)) {
            let public = layout.eval(&config["AssignPublicIp"], true) == "ENABLED";
            if on_ec2(properties) {
                // The instance pulls the image (below); ECS refuses public IPs for tasks on
                // EC2.
                if public {
                    out.add(
                        id,
                        "tasks on EC2 instances cannot have a public IP (AssignPublicIp: ENABLED)"
                            .to_string(),
                    );
                }
                continue;
            }
            let puller = Puller {
                who: "tasks",
                subnets: layout.eval(&config["Subnets"], true),
                public,
                chosen: reference(&layout.eval(&config["AssignPublicIp"], false)).is_some(),
            };
            for problem in pull_problems(stack, layout, routes, &puller) {
                out.add(id, problem);
            }
        }
    }
    // EC2 instances (GPU capacity) pull for their tasks, through their own address.
    for (id, resource) in stack.of_type("AWS::AutoScaling::AutoScalingGroup") {
        let Some(template) =
            reference(&resource["Properties"]["LaunchTemplate"]["LaunchTemplateId"])
                .and_then(|t| stack.resource(t))
        else {
            continue;
        };
        let interface = items(&template["Properties"]["LaunchTemplateData"]["NetworkInterfaces"])
            .first()
            .map_or(&Json::Null, |i| &i["AssociatePublicIpAddress"]);
        for (layout, routes) in layouts().filter(|(l, _)| l.has(resource)) {
            let puller = Puller {
                who: "GPU instances",
                subnets: layout.eval(&resource["Properties"]["VPCZoneIdentifier"], true),
                public: layout.eval(interface, true) == true,
                // A condition (on the deployer's parameters) decides it.
                chosen: !interface.is_boolean() && !interface.is_null(),
            };
            for problem in pull_problems(stack, layout, routes, &puller) {
                out.add(id, problem);
            }
        }
    }
}

/// R06: the tasks' security groups admit only their own members (a network's) and a load
/// balancer's security group (the stack's, or the existing one's, a parameter).
pub(super) fn task_ingress(stack: &Stack, out: &mut Findings) {
    let Some(layout) = stack.layouts.first() else {
        return;
    };
    let rules = ingress_rules(stack, layout);
    let balancers: Vec<&str> = stack
        .of_type("AWS::ElasticLoadBalancingV2::LoadBalancer")
        .flat_map(|(_, r)| items(&r["Properties"]["SecurityGroups"]))
        .filter_map(reference)
        .collect();
    for (service, _, properties) in services(stack) {
        for group in task_groups(properties) {
            for rule in rules.get(group).into_iter().flatten() {
                let source = reference(&rule.rule["SourceSecurityGroupId"]);
                let expected = rule.is_self_reference()
                    || source
                        .is_some_and(|s| balancers.contains(&s) || stack.parameter(s).is_some());
                if expected {
                    continue;
                }
                let ports = if rule.protocol == "-1" {
                    "every port".to_string()
                } else {
                    format!("{}-{}/{}", rule.from, rule.to, rule.protocol)
                };
                let from = rule.range().unwrap_or_else(|| {
                    let group = &rule.rule["SourceSecurityGroupId"];
                    match source.or(group.as_str()) {
                        Some(group) => format!("`{group}`"),
                        None => group.to_string(),
                    }
                });
                out.add(
                    rule.id,
                    format!(
                        "`{}` admits {from} on {ports} into `{group}`, which `{service}`'s tasks wear: neither their load balancer nor their network, it reaches the tasks around them",
                        rule.id
                    ),
                );
            }
        }
    }
}
