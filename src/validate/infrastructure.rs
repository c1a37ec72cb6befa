//! Existing AWS resources the file names: external networks (security groups), external
//! volumes (EFS file systems), `x-aws-loadbalancer` and `x-aws-subnets` all live in one
//! existing VPC, which `x-aws-vpc` must name (`E0418`); their names must be IDs of the
//! right kind; an existing load balancer must be of the type the ports need.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::Node;
use crate::model::arn::is_id;
use crate::model::{Locator, Project};
use crate::path;

pub(super) fn check(root: &Node, project: &Project, diags: &mut Diagnostics) {
    let at = Locator::new(root);
    let vpc = project.aws.existing_vpc();
    if !vpc
        && project
            .spec
            .x_aws_vpc
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty())
    {
        return; // `x-aws-vpc` is malformed, and reported: one mistake, one error
    }
    let mut existing = Vec::new();
    for network in project.networks.values() {
        let Some(group) = &network.external else {
            continue;
        };
        let legacy = project.spec.networks.iter().flatten().any(|(name, n)| {
            name == &network.name
                && n.as_ref()
                    .is_some_and(|n| n.x_aws_securitygroup.is_some() && n.external.is_none())
        });
        let key = if legacy {
            "x-aws-securitygroup"
        } else {
            "external"
        };
        existing.push(Existing {
            what: format!("external network `{}`", network.name),
            kind: &SECURITY_GROUP,
            value: Some(group),
            span: at.key_span(&path!["networks", network.name.as_str(), key]),
        });
    }
    for volume in project.volumes.values() {
        let Some(file_system) = &volume.external else {
            continue;
        };
        existing.push(Existing {
            what: format!("external volume `{}`", volume.name),
            kind: &FILE_SYSTEM,
            value: Some(file_system),
            span: at.key_span(&path!["volumes", volume.name.as_str(), "external"]),
        });
    }
    if let Some(lb) = &project.aws.load_balancer {
        existing.push(Existing {
            what: "`x-aws-loadbalancer`".to_string(),
            kind: &LOAD_BALANCER,
            value: None,
            span: lb.span,
        });
    }
    if let Some((_, span)) = project.aws.subnets.first() {
        existing.push(Existing {
            what: "`x-aws-subnets`".to_string(),
            kind: &SUBNETS,
            value: None,
            span: *span,
        });
    }
    for resource in existing {
        resource.check(vpc, diags);
    }
    load_balancer_type(project, diags);
}

/// One kind of existing resource: what it is, the prefix of its IDs, how to fix a wrong one.
struct Kind {
    noun: &'static str,
    prefix: &'static str,
    help: &'static str,
}

const SECURITY_GROUP: Kind = Kind {
    noun: "a security group",
    prefix: "sg",
    help: "an external network is an existing security group: give its ID in `name: sg-...`, or define the network in the file",
};
const FILE_SYSTEM: Kind = Kind {
    noun: "an EFS file system",
    prefix: "fs",
    help: "an external volume is an existing EFS file system: give its ID in `name: fs-...`, or let the stack create it (remove `external`)",
};
const LOAD_BALANCER: Kind = Kind {
    noun: "a load balancer",
    prefix: "",
    help: "",
};
const SUBNETS: Kind = Kind {
    noun: "subnets",
    prefix: "",
    help: "",
};

/// An existing resource the file names.
struct Existing<'a> {
    what: String,
    kind: &'static Kind,
    /// The ID to check, if the model has not checked it.
    value: Option<&'a str>,
    span: crate::source::Span,
}

impl Existing<'_> {
    fn check(&self, vpc: bool, diags: &mut Diagnostics) {
        let Kind { noun, prefix, help } = self.kind;
        if !vpc {
            diags.push(
                Diagnostic::new(Code::NeedsExistingVpc, format!("{} ({noun}) belongs to an existing VPC, which `x-aws-vpc` does not name", self.what))
                    .at(self.span)
                    .with_help("name the VPC with `x-aws-vpc: vpc-...` and its subnets with `x-aws-subnets` (or the `Subnets` parameter at deployment)"),
            );
        } else if let Some(value) = self.value.filter(|v| !is_id(v, prefix)) {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("{} is `{value}`, not the ID of {noun}", self.what),
                )
                .at(self.span)
                .with_help(*help),
            );
        }
    }
}

/// An existing load balancer must be of the type the published ports need.
fn load_balancer_type(project: &Project, diags: &mut Diagnostics) {
    let Some(lb) = &project.aws.load_balancer else {
        return;
    };
    let published = project
        .services
        .values()
        .flat_map(|s| &s.ports)
        .filter(|(p, _)| p.is_published());
    let mut any = false;
    for (port, span) in published {
        any = true;
        if port.protocol == crate::model::Protocol::Udp {
            diags.push(
                Diagnostic::new(Code::NotYetSupported, format!("UDP port {} on the existing load balancer is not supported yet", port.listener_port()))
                    .at(*span)
                    .with_help("a network load balancer keeps UDP clients' addresses, so the service must admit the clients themselves, whom only the stack's own load balancer names (`LoadBalancerClientCidr`); publish UDP ports without `x-aws-loadbalancer`"),
            );
            continue;
        }
        if lb.application && port.is_not_http() {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("port {} is not HTTP, and `x-aws-loadbalancer` is an application load balancer", port.listener_port()),
                )
                .at(*span)
                .with_help("an application load balancer serves HTTP and HTTPS only: give the port `app_protocol: http`, or use a network load balancer"),
            );
            return;
        }
    }
    if !any {
        diags.push(
            Diagnostic::new(
                Code::IgnoredValue,
                "`x-aws-loadbalancer` is not used: no service publishes a port",
            )
            .at(lb.span)
            .with_help("remove it, or publish a port (`ports:`)"),
        );
    }
}
