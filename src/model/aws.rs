//! The project-level `x-aws-*` extensions that place the stack in existing infrastructure
//! (`x-aws-vpc`, `x-aws-subnets`, `x-aws-cluster`, `x-aws-loadbalancer`) or shape its load
//! balancer (`x-aws-loadbalancer_scheme`, `x-aws-certificate`), read and checked for shape.

use super::Locator;
use super::arn::{Arn, is_id};
use super::spec::{ComposeFile, Scheme};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::Seg;
use crate::path;
use crate::source::Span;

/// Where the stack runs and what it shares with other stacks.
#[derive(Debug, Clone, Default)]
pub struct Infrastructure {
    /// `x-aws-vpc`: an existing VPC's ID (`vpc-...`).
    pub vpc: Option<(String, Span)>,
    /// `x-aws-subnets`: subnets of that VPC.
    pub subnets: Vec<(String, Span)>,
    /// `x-aws-cluster`: an existing cluster.
    pub cluster: Option<ExistingCluster>,
    /// `x-aws-loadbalancer`: an existing load balancer.
    pub load_balancer: Option<ExistingLoadBalancer>,
    /// `x-aws-loadbalancer_scheme: internal`.
    pub internal: Option<Span>,
    /// `x-aws-certificate`: the certificate of every HTTP port.
    pub certificate: Option<(String, Span)>,
    /// `x-aws-assign_public_ip: false`: no task gets a public IP.
    pub no_public_ip: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingCluster {
    /// As written: a name or an ARN (an ECS service takes either).
    pub reference: String,
    /// The cluster's name.
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingLoadBalancer {
    pub arn: String,
    /// An application load balancer (else a network one).
    pub application: bool,
    pub span: Span,
}

impl Infrastructure {
    /// The stack deploys into a VPC the file names (and creates none).
    #[must_use]
    pub fn existing_vpc(&self) -> bool {
        self.vpc.is_some()
    }
}

/// Reads the extensions, reporting values of the wrong shape.
pub(super) fn build(
    file: &ComposeFile,
    at: &Locator<'_>,
    diags: &mut Diagnostics,
) -> Infrastructure {
    let mut infra = Infrastructure::default();
    let span = |key: &str| at.span(&[Seg::from(key)]);
    let mut invalid = |span: Span, message: String, help: &str| {
        diags.push(
            Diagnostic::new(Code::InvalidValue, message)
                .at(span)
                .with_help(help),
        );
    };
    // An empty value (an unset `${VPC_ID:-}`) means the extension is not used.
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    if let Some(vpc) = given(&file.x_aws_vpc) {
        let id = Arn::parse(&vpc)
            .filter(|arn| arn.service == "ec2")
            .and_then(|arn| arn.resource.strip_prefix("vpc/"))
            .unwrap_or(&vpc)
            .to_string();
        if is_id(&id, "vpc") {
            infra.vpc = Some((id, span("x-aws-vpc")));
        } else {
            invalid(
                span("x-aws-vpc"),
                format!("`{vpc}` is not a VPC ID"),
                "give the VPC's ID, `vpc-` and 8 or 17 hexadecimal digits (or its ARN)",
            );
        }
    }
    for (index, subnet) in file.x_aws_subnets.iter().flatten().enumerate() {
        let at_subnet = at.span(&path!["x-aws-subnets", index]);
        if is_id(subnet, "subnet") {
            infra.subnets.push((subnet.clone(), at_subnet));
        } else {
            invalid(
                at_subnet,
                format!("`{subnet}` is not a subnet ID"),
                "give subnet IDs, `subnet-` and 8 or 17 hexadecimal digits",
            );
        }
    }
    if let Some(subnets) = &file.x_aws_subnets {
        let at_list = at.key_span(&[Seg::from("x-aws-subnets")]);
        if subnets.len() < 2 {
            invalid(
                at_list,
                format!(
                    "{} subnet given; the load balancer and the file systems need two, in different Availability Zones",
                    subnets.len()
                ),
                "list at least two subnets of the VPC, each in its own Availability Zone",
            );
        }
    }
    if let Some(cluster) = given(&file.x_aws_cluster) {
        let name = match Arn::regional(&cluster, "ecs") {
            Some(arn) => arn.resource.strip_prefix("cluster/").map(String::from),
            None if !cluster.starts_with("arn:") => Some(cluster.clone()),
            None => None,
        };
        match name.filter(|n| is_cluster_name(n)) {
            Some(name) => {
                infra.cluster = Some(ExistingCluster {
                    reference: cluster,
                    name,
                    span: span("x-aws-cluster"),
                });
            }
            None => invalid(
                span("x-aws-cluster"),
                format!("`{cluster}` is not an ECS cluster name or ARN"),
                "give the cluster's name (letters, digits, `-` and `_`, at most 255) or its ARN, `arn:aws:ecs:REGION:ACCOUNT:cluster/NAME`",
            ),
        }
    }
    if let Some(lb) = given(&file.x_aws_loadbalancer) {
        let kind = Arn::regional(&lb, "elasticloadbalancing")
            .and_then(|arn| arn.resource.strip_prefix("loadbalancer/"))
            .and_then(|rest| rest.split('/').next())
            .filter(|kind| matches!(*kind, "app" | "net"))
            .map(|kind| kind == "app");
        match kind {
            Some(application) => {
                infra.load_balancer = Some(ExistingLoadBalancer {
                    arn: lb,
                    application,
                    span: span("x-aws-loadbalancer"),
                });
            }
            _ => invalid(
                span("x-aws-loadbalancer"),
                format!("`{lb}` is not the ARN of an application or network load balancer"),
                "compose2cfn works offline and cannot look a name up: give the ARN, `arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID`",
            ),
        }
    }
    if let Some(flag) = &file.x_aws_assign_public_ip {
        let at_flag = span("x-aws-assign_public_ip");
        match super::units::boolean(flag) {
            Ok(false) => infra.no_public_ip = Some(at_flag),
            Ok(true) => {}
            Err(message) => invalid(
                at_flag,
                message,
                "write `false` to keep public IPs off every task",
            ),
        }
    }
    if file.x_aws_loadbalancer_scheme == Some(Scheme::Internal) {
        infra.internal = Some(span("x-aws-loadbalancer_scheme"));
    }
    if let Some(certificate) = given(&file.x_aws_certificate) {
        let at_cert = span("x-aws-certificate");
        if is_certificate(&certificate) {
            infra.certificate = Some((certificate, at_cert));
        } else {
            invalid(
                at_cert,
                format!("`{certificate}` is not a certificate ARN"),
                CERTIFICATE_HELP,
            );
        }
    }
    infra
}

pub(crate) const CERTIFICATE_HELP: &str = "give the ARN of an ACM certificate, `arn:aws:acm:REGION:ACCOUNT:certificate/ID`, in the stack's region";

/// An ACM certificate (or an IAM server certificate, which load balancers also take).
#[must_use]
pub fn is_certificate(text: &str) -> bool {
    Arn::regional(text, "acm").is_some_and(|arn| arn.resource.starts_with("certificate/"))
        || Arn::parse(text).is_some_and(|arn| {
            arn.service == "iam" && arn.resource.starts_with("server-certificate/")
        })
}

/// ECS cluster names: 1 to 255 letters, digits, hyphens and underscores.
fn is_cluster_name(name: &str) -> bool {
    (1..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
