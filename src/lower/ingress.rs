//! Published ports: one load balancer for the stack (application when every published
//! port speaks HTTP, network otherwise; internet-facing unless `x-aws-loadbalancer_scheme:
//! internal`), or the existing one `x-aws-loadbalancer` names. Its own security group
//! admits the `LoadBalancerClientCidr` parameter on the listener ports only. A listener per
//! published port (HTTPS with a modern TLS policy when the port has a certificate, and
//! port 80 redirecting to it), a target group per target port with health checks from
//! `x-aws-healthcheck` or the service's HTTP healthcheck, and per service a security group
//! that admits the load balancer on the target ports only.

use std::collections::BTreeMap;

use super::ids::{LOAD_BALANCER, LOAD_BALANCER_SECURITY_GROUP};
use super::{network, tags};
use crate::ir::{Parameter, Resource, Template, Value};
use crate::map;
use crate::model::listeners::{Published, Route, health_path};
use crate::model::{PortMapping, Project, Service};
use crate::platform::names;

/// The TLS policy of HTTPS and TLS listeners: TLS 1.3 and 1.2 only.
const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Template parameters of the load balancer.
const CLIENT_CIDR: &str = "LoadBalancerClientCidr";
const EXISTING_GROUP: &str = "LoadBalancerSecurityGroup";

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
        .filter(|s| s.publishes())
        .collect();
    if services.is_empty() {
        return ingress;
    }
    let (load_balancer, source) = match &project.aws.load_balancer {
        Some(existing) => {
            template.parameters.insert(
                EXISTING_GROUP.to_string(),
                Parameter::new(
                    "AWS::EC2::SecurityGroup::Id",
                    "The security group of the load balancer `x-aws-loadbalancer` names: the services admit traffic from it",
                ),
            );
            (
                Value::str(existing.arn.clone()),
                Value::reference(EXISTING_GROUP),
            )
        }
        None => {
            load_balancer(project, template);
            (
                Value::reference(LOAD_BALANCER),
                Value::reference(LOAD_BALANCER_SECURITY_GROUP),
            )
        }
    };
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
            .from_source(service.span)
            .owned_by(&service.name),
        );
        let mut entry = ServiceIngress {
            security_group: svc_sg.clone(),
            ..ServiceIngress::default()
        };
        for published in project.published(service) {
            let (port, span, route) = (published.port, &published.span, &published.route);
            let proto = published.id_protocol();
            let tg =
                names::service_id(&service.name, &format!("{proto}{}TargetGroup", port.target));
            if !entry.target_groups.iter().any(|(id, _)| id == &tg) {
                template.add(
                    &tg,
                    target_group(project, service, port, route)
                        .from_source(*span)
                        .owned_by(&service.name),
                );
                for rule in admitted(service, &published) {
                    let (protocol, target) = (rule.protocol, rule.port);
                    let properties = map! {
                        "Description" => format!("load balancer to {}:{target}/{protocol}{}", service.name, if rule.health { " (health checks)" } else { "" }),
                        "FromPort" => target,
                        "GroupId" => Value::reference(&svc_sg),
                        "IpProtocol" => protocol,
                        "SourceSecurityGroupId" => source.clone(),
                        "ToPort" => target,
                    };
                    let id = names::service_id(
                        &service.name,
                        &format!("{}{target}Ingress", protocol.to_ascii_uppercase()),
                    );
                    // Several target groups may share a health-check port.
                    if !template.resources.contains_key(&id) {
                        template.add(
                            id,
                            Resource::new("AWS::EC2::SecurityGroupIngress", properties)
                                .from_source(*span)
                                .owned_by(&service.name),
                        );
                    }
                }
                entry.target_groups.push((tg.clone(), port.target));
            }
            let listener =
                names::service_id(&service.name, &format!("{proto}{}Listener", route.port));
            let forward = map! {
                "ForwardConfig" => map! {
                    "TargetGroups" => Value::list([map! { "TargetGroupArn" => Value::reference(&tg) }]),
                },
                "Type" => "forward",
            };
            template.add(
                &listener,
                Resource::new(
                    "AWS::ElasticLoadBalancingV2::Listener",
                    map! {
                        "Certificates" => route.certificate.map(|arn| Value::list([map! { "CertificateArn" => arn.to_string() }])),
                        "DefaultActions" => Value::list([forward]),
                        "LoadBalancerArn" => load_balancer.clone(),
                        "Port" => route.port,
                        "Protocol" => route.protocol,
                        "SslPolicy" => route.certificate.map(|_| TLS_POLICY),
                    },
                )
                .from_source(*span).owned_by(&service.name),
            );
            entry.listeners.push(listener);
            if let Some(from) = route.redirect_from {
                let redirect = names::service_id(&service.name, &format!("{proto}{from}Listener"));
                template.add(
                    &redirect,
                    Resource::new(
                        "AWS::ElasticLoadBalancingV2::Listener",
                        map! {
                            "DefaultActions" => Value::list([map! {
                                "RedirectConfig" => map! {
                                    "Port" => route.port.to_string(),
                                    "Protocol" => "HTTPS",
                                    "StatusCode" => "HTTP_301",
                                },
                                "Type" => "redirect",
                            }]),
                            "LoadBalancerArn" => load_balancer.clone(),
                            "Port" => from,
                            "Protocol" => "HTTP",
                        },
                    )
                    .from_source(*span)
                    .owned_by(&service.name),
                );
                entry.listeners.push(redirect);
            }
            let protocols = [(published.tcp, "tcp"), (published.udp, "udp")];
            for listened in route.ports() {
                for (_, protocol) in protocols.iter().filter(|(on, _)| *on) {
                    opened.entry((listened, *protocol)).or_insert(*span);
                }
            }
            if project.aws.load_balancer.is_none() {
                endpoint_output(service, port, route, template);
            }
        }
        ingress.by_service.insert(service.name.clone(), entry);
    }
    if project.aws.load_balancer.is_none() {
        let internal = project.aws.internal.is_some();
        for ((port, proto), span) in opened {
            let id = format!("LoadBalancer{}{port}Ingress", proto.to_ascii_uppercase());
            let rule = |cidr: Value| {
                Resource::new(
                    "AWS::EC2::SecurityGroupIngress",
                    map! {
                        "CidrIp" => cidr,
                        "Description" => format!("clients to the load balancer on {port}/{proto}"),
                        "FromPort" => port,
                        "GroupId" => Value::reference(LOAD_BALANCER_SECURITY_GROUP),
                        "IpProtocol" => proto,
                        "ToPort" => port,
                    },
                )
                .from_source(span)
            };
            if !internal {
                template.add(id, rule(Value::reference(CLIENT_CIDR)));
                continue;
            }
            // An internal load balancer: the private address ranges unless the parameter
            // names one.
            let [first, others @ ..] = PRIVATE_RANGES;
            template.add(
                &id,
                rule(Value::when(
                    PRIVATE_CLIENTS,
                    Value::str(first),
                    Value::reference(CLIENT_CIDR),
                )),
            );
            for range in others {
                let prefix = range.split('.').next().unwrap_or_default();
                template.add(
                    format!("{id}{prefix}"),
                    rule(Value::str(range)).when(PRIVATE_CLIENTS),
                );
            }
        }
    }
    ingress
}

/// The private IPv4 ranges (RFC 1918): the clients of an internal load balancer by
/// default, wherever the VPC's own range lies (a created VPC's 10.0.0.0/16, a default
/// VPC's 172.31.0.0/16, ...).
const PRIVATE_RANGES: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// True when an internal load balancer's clients are the private ranges (the
/// `LoadBalancerClientCidr` parameter left empty).
const PRIVATE_CLIENTS: &str = "LoadBalancerClientsPrivate";

/// A rule of a service's ingress security group: from the load balancer's security group.
struct Admitted {
    protocol: &'static str,
    port: u16,
    /// For the load balancer's health checks only.
    health: bool,
}

/// What a service admits for one published port, from the load balancer: TCP, UDP, and
/// the health checks, over TCP, on the health-check port. UDP keeps the clients'
/// addresses, yet a target that admits the load balancer's security group receives what
/// it forwards, so the tasks never admit the clients themselves (and clients cannot reach
/// a task around the load balancer).
fn admitted(service: &Service, published: &Published<'_>) -> Vec<Admitted> {
    let target = published.port.target;
    let mut rules = Vec::new();
    if published.tcp {
        rules.push(Admitted {
            protocol: "tcp",
            port: target,
            health: false,
        });
    }
    if published.udp {
        rules.push(Admitted {
            protocol: "udp",
            port: target,
            health: false,
        });
    }
    let health_port = service
        .target_health
        .port
        .and_then(|(p, _)| u16::try_from(p).ok())
        .unwrap_or(target);
    if !rules
        .iter()
        .any(|r| r.protocol == "tcp" && r.port == health_port)
    {
        rules.push(Admitted {
            protocol: "tcp",
            port: health_port,
            health: true,
        });
    }
    rules
}

/// The stack's load balancer, its security group and the parameter of who may reach it.
fn load_balancer(project: &Project, template: &mut Template) {
    let application = project.application_load_balancer();
    let internal = project.aws.internal.is_some();
    let subnets = network::load_balancer_subnets(project, internal, template);
    template.add(
        LOAD_BALANCER,
        Resource::new(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            map! {
                "LoadBalancerAttributes" => Value::list([if application {
                    // Requests with malformed headers never reach the services.
                    map! { "Key" => "routing.http.drop_invalid_header_fields.enabled", "Value" => "true" }
                } else {
                    map! { "Key" => "load_balancing.cross_zone.enabled", "Value" => "true" }
                }]),
                "Scheme" => if internal { "internal" } else { "internet-facing" },
                "SecurityGroups" => Value::list([Value::reference(LOAD_BALANCER_SECURITY_GROUP)]),
                "Subnets" => subnets,
                "Tags" => tags(project, &[]),
                "Type" => if application { "application" } else { "network" },
            },
        )
        .depends_on(network::ready(project)),
    );
    template.add(
        LOAD_BALANCER_SECURITY_GROUP,
        network::group(
            project,
            format!(
                "{} load balancer: clients on the published ports",
                project.name
            ),
            tags(project, &[]),
        ),
    );
    let parameter = if internal {
        template.conditions.insert(
            PRIVATE_CLIENTS.to_string(),
            Value::equals(Value::reference(CLIENT_CIDR), ""),
        );
        Parameter::new(
            "String",
            "The addresses that may reach the load balancer's listeners; empty (the default, for an internal load balancer): the private ranges 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16",
        )
        .default("")
        .pattern(r"^((\d{1,3}\.){3}\d{1,3}/\d{1,2})?$")
    } else {
        Parameter::new(
            "String",
            "The addresses that may reach the load balancer's listeners (default, for an internet-facing load balancer: anyone)",
        )
        .default("0.0.0.0/0")
        .pattern(r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$")
    };
    template
        .parameters
        .insert(CLIENT_CIDR.to_string(), parameter);
    template.output(
        "LoadBalancerDNSName",
        "Where the published ports are reachable",
        Value::get_att(LOAD_BALANCER, "DNSName"),
    );
}

/// An output per published port: its URL (HTTP and HTTPS) or its `host:port`.
fn endpoint_output(
    service: &Service,
    port: &PortMapping,
    route: &Route<'_>,
    template: &mut Template,
) {
    let label = port
        .name
        .as_deref()
        .map(names::normalize)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("Port{}", port.listener_port()));
    let default_port = matches!(
        (route.scheme(), route.port),
        (Some("http"), 80) | (Some("https"), 443)
    );
    let host = if default_port {
        "${LoadBalancer.DNSName}".to_string()
    } else {
        format!("${{LoadBalancer.DNSName}}:{}", route.port)
    };
    let (suffix, value, what) = match route.scheme() {
        Some(scheme) => ("URL", format!("{scheme}://{host}"), "URL"),
        None => ("Endpoint", host, "address"),
    };
    template.output(
        names::service_id(&service.name, &format!("{label}{suffix}")),
        format!(
            "The {what} of `{}` port {}",
            service.name,
            port.listener_port()
        ),
        Value::sub(value),
    );
}

/// A target group, with the health checks `x-aws-healthcheck` or the service's own HTTP
/// healthcheck give.
fn target_group(
    project: &Project,
    service: &Service,
    port: &PortMapping,
    route: &Route<'_>,
) -> Resource {
    let h = &service.target_health;
    let http = matches!(route.target_protocol, "HTTP" | "HTTPS");
    let path = health_path(service, port.target);
    let grpc = route.protocol_version == Some("GRPC");
    let matcher = h.matcher.as_ref().map(|(m, _)| m.as_str());
    let matcher = if grpc {
        matcher.map(|m| map! { "GrpcCode" => m.to_string() })
    } else if http || path.is_some() {
        // A redirect (a login page, `/` → `/app`) is a healthy answer.
        Some(map! { "HttpCode" => matcher.unwrap_or("200-399").to_string() })
    } else {
        None
    };
    // A network load balancer checks over TCP, unless there is an HTTP path to ask.
    let check_protocol = (!http && path.is_some()).then_some("HTTP");
    let seconds = |t: Option<crate::model::Timed>| t.map(|t| t.seconds.ceil() as i64);
    Resource::new(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        map! {
            "HealthCheckIntervalSeconds" => seconds(h.interval),
            "HealthCheckPath" => path,
            "HealthCheckPort" => h.port.map(|(p, _)| p.to_string()),
            "HealthCheckProtocol" => check_protocol,
            "HealthCheckTimeoutSeconds" => seconds(h.timeout),
            "HealthyThresholdCount" => h.healthy_threshold.map(|(n, _)| n),
            "Matcher" => matcher,
            "Port" => port.target,
            "Protocol" => route.target_protocol,
            "ProtocolVersion" => route.protocol_version,
            "Tags" => tags(project, &[]),
            // ELB's default drain is 300 s, which every rolling deployment waits out.
            "TargetGroupAttributes" => Value::list([map! { "Key" => "deregistration_delay.timeout_seconds", "Value" => "60" }]),
            "TargetType" => "ip",
            "UnhealthyThresholdCount" => h.unhealthy_threshold.map(|(n, _)| n),
            "VpcId" => network::vpc_id(project),
        },
    )
}
