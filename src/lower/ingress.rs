//! Published ports: one load balancer for the stack (application when every published
//! port speaks HTTP, network otherwise) with its own security group open to the internet
//! on the listener ports only; a listener per published port, a target group per target
//! port, and per service a security group that admits the load balancer on the target
//! ports only.

use std::collections::BTreeMap;

use super::ids::{LOAD_BALANCER, LOAD_BALANCER_SECURITY_GROUP};
use super::{names, network, tags};
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::Project;

/// What the services need to know about the load balancer.
#[derive(Debug, Default)]
pub(super) struct Ingress {
    pub(super) by_service: BTreeMap<String, ServiceIngress>,
}

#[derive(Debug, Default)]
pub(super) struct ServiceIngress {
    /// The service's own ingress security group.
    pub(super) security_group: String,
    /// (target group id, container port), one per target port.
    pub(super) target_groups: Vec<(String, u16)>,
    pub(super) listeners: Vec<String>,
}

pub(super) fn lower(project: &Project, template: &mut Template) -> Ingress {
    let mut ingress = Ingress::default();
    let services: Vec<_> = project
        .services
        .values()
        .filter(|s| s.ports.iter().any(|(p, _)| p.is_published()))
        .collect();
    if services.is_empty() {
        return ingress;
    }
    let http = services.iter().all(|s| {
        s.ports
            .iter()
            .filter(|(p, _)| p.is_published())
            .all(|(p, _)| p.is_http())
    });
    let lb_type = if http { "application" } else { "network" };
    template.add(
        LOAD_BALANCER,
        Resource::new(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            map! {
                "LoadBalancerAttributes" => Value::list([if http {
                    // Requests with malformed headers never reach the services.
                    map! { "Key" => "routing.http.drop_invalid_header_fields.enabled", "Value" => "true" }
                } else {
                    map! { "Key" => "load_balancing.cross_zone.enabled", "Value" => "true" }
                }]),
                "Scheme" => "internet-facing",
                "SecurityGroups" => Value::list([Value::reference(LOAD_BALANCER_SECURITY_GROUP)]),
                "Subnets" => network::subnets(project),
                "Tags" => tags(project, &[]),
                "Type" => lb_type,
            },
        )
        .depends_on(network::ready(project)),
    );
    template.add(
        LOAD_BALANCER_SECURITY_GROUP,
        network::group(
            project,
            format!(
                "{} load balancer: internet traffic on the published ports",
                project.name
            ),
            tags(project, &[]),
        ),
    );
    template.output(
        "LoadBalancerDNSName",
        "Where the published ports are reachable",
        Value::get_att(LOAD_BALANCER, "DNSName"),
    );
    let mut opened = BTreeMap::new();
    for service in services {
        let svc_sg = names::service_id(&service.name, "ServiceIngressSecurityGroup");
        template.add(
            &svc_sg,
            network::group(
                project,
                format!(
                    "{}: traffic from the load balancer to service {}",
                    project.name, service.name
                ),
                tags(
                    project,
                    &[("com.docker.compose.service", service.name.as_str())],
                ),
            )
            .from_source(service.span),
        );
        let mut entry = ServiceIngress {
            security_group: svc_sg.clone(),
            ..ServiceIngress::default()
        };
        for (port, span) in service.ports.iter().filter(|(p, _)| p.is_published()) {
            let proto = port.protocol;
            let (lb_protocol, tg_protocol) = if http {
                ("HTTP", "HTTP")
            } else {
                (proto.upper(), proto.upper())
            };
            let tg = names::service_id(
                &service.name,
                &format!("{}{}TargetGroup", proto.upper(), port.target),
            );
            if !entry.target_groups.iter().any(|(id, _)| id == &tg) {
                template.add(
                    &tg,
                    Resource::new(
                        "AWS::ElasticLoadBalancingV2::TargetGroup",
                        map! {
                            // A redirect (a login page, `/` → `/app`) is a healthy answer.
                            "Matcher" => http.then(|| map! { "HttpCode" => "200-399" }),
                            "Port" => port.target,
                            "Protocol" => tg_protocol,
                            "Tags" => tags(project, &[]),
                            "TargetType" => "ip",
                            "VpcId" => network::vpc_id(project),
                        },
                    )
                    .from_source(*span),
                );
                template.add(
                    names::service_id(&service.name, &format!("{}{}Ingress", proto.upper(), port.target)),
                    Resource::new(
                        "AWS::EC2::SecurityGroupIngress",
                        map! {
                            "Description" => format!("load balancer to {}:{}/{}", service.name, port.target, proto.lower()),
                            "FromPort" => port.target,
                            "GroupId" => Value::reference(&svc_sg),
                            "IpProtocol" => proto.lower(),
                            "SourceSecurityGroupId" => Value::reference(LOAD_BALANCER_SECURITY_GROUP),
                            "ToPort" => port.target,
                        },
                    )
                    .from_source(*span),
                );
                entry.target_groups.push((tg.clone(), port.target));
            }
            let listener = names::service_id(
                &service.name,
                &format!("{}{}Listener", proto.upper(), port.listener_port()),
            );
            template.add(
                &listener,
                Resource::new(
                    "AWS::ElasticLoadBalancingV2::Listener",
                    map! {
                        "DefaultActions" => Value::list([map! {
                            "ForwardConfig" => map! {
                                "TargetGroups" => Value::list([map! { "TargetGroupArn" => Value::reference(&tg) }]),
                            },
                            "Type" => "forward",
                        }]),
                        "LoadBalancerArn" => Value::reference(LOAD_BALANCER),
                        "Port" => port.listener_port(),
                        "Protocol" => lb_protocol,
                    },
                )
                .from_source(*span),
            );
            entry.listeners.push(listener);
            opened.entry((port.listener_port(), proto)).or_insert(*span);
        }
        ingress.by_service.insert(service.name.clone(), entry);
    }
    for ((port, proto), span) in opened {
        template.add(
            format!("LoadBalancer{}{port}Ingress", proto.upper()),
            Resource::new(
                "AWS::EC2::SecurityGroupIngress",
                map! {
                    "CidrIp" => "0.0.0.0/0",
                    "Description" => format!("internet to the load balancer on {port}/{}", proto.lower()),
                    "FromPort" => port,
                    "GroupId" => Value::reference(LOAD_BALANCER_SECURITY_GROUP),
                    "IpProtocol" => proto.lower(),
                    "ToPort" => port,
                },
            )
            .from_source(span),
        );
    }
    ingress
}
