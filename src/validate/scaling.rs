//! How many tasks a service runs and where: `deploy.x-aws-autoscaling` (a maximum, one
//! target, bounds in order), `x-aws-capacity_provider` (a base that is not negative) and
//! GPU services (on EC2: an instance type that fits them all, x86, the stack's cluster).

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::arn::is_id;
use crate::model::{Autoscaling, Capacity, Project, Service};
use crate::platform::sizing;

pub(super) fn check(project: &Project, diags: &mut Diagnostics) {
    gpus(project, diags);
    for service in project.services.values().filter(|s| !s.partial) {
        if let Some(scaling) = &service.autoscaling {
            autoscaling(service, scaling, diags);
        }
        if let Capacity::FargateSpot { base, span } = service.capacity
            && base < 0
        {
            diags.push(
                Diagnostic::new(Code::InvalidValue, format!("`x-aws-capacity_provider.base` is {base}; it counts tasks, from 0"))
                    .at(span)
                    .with_help("give how many tasks always run on FARGATE before any runs on FARGATE_SPOT, 0 or more"),
            );
        }
    }
}

/// GPU services run on EC2 instances of one type, which the stack's cluster scales.
fn gpus(project: &Project, diags: &mut Diagnostics) {
    for service in project.services.values().filter(|s| !s.partial) {
        let constraints = [
            ("node.machine", &service.machine),
            ("node.ami", &service.ami),
        ];
        for (name, constraint) in constraints {
            let Some((value, span)) = constraint else {
                continue;
            };
            let (valid, help) = if name == "node.ami" {
                (
                    is_id(value, "ami"),
                    "give an AMI ID, `ami-` and 8 or 17 hexadecimal digits",
                )
            } else {
                (
                    is_instance_type(value),
                    "give an EC2 instance type, like `g5.xlarge`",
                )
            };
            if service.gpus.is_none() {
                diags.push(
                    Diagnostic::new(
                        Code::IgnoredValue,
                        format!("`{name}` is ignored: `{}` runs on Fargate", service.name),
                    )
                    .at(*span)
                    .with_help(
                        "only GPU services run on EC2 instances, which these constraints choose",
                    ),
                );
            } else if !valid {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{value}` is not a value of `{name}`"),
                    )
                    .at(*span)
                    .with_help(help),
                );
            }
        }
    }
    let gpu: Vec<&Service> = project
        .services
        .values()
        .filter(|s| !s.partial && s.gpus.is_some())
        .collect();
    for service in &gpu {
        let Some((_, span)) = service.gpus else {
            continue;
        };
        let mut refuse = |message: String, help: &str| {
            diags.push(
                Diagnostic::new(Code::InvalidValue, message)
                    .at(span)
                    .with_help(help),
            );
        };
        if matches!(service.capacity, Capacity::FargateSpot { .. }) {
            refuse(
                format!(
                    "`{}` needs GPUs, which Fargate Spot does not have",
                    service.name
                ),
                "remove `x-aws-capacity_provider`: GPU services run on the stack's EC2 GPU instances",
            );
        }
        if service.arm64 {
            refuse(
                format!(
                    "`{}` needs GPUs on `linux/arm64`; the GPU instances are x86_64",
                    service.name
                ),
                "build the image for `linux/amd64`, or remove `platform`",
            );
        }
        if let Some(cluster) = &project.aws.cluster {
            diags.push(
                Diagnostic::new(Code::NotYetSupported, format!("GPU service `{}` in the existing cluster `{}` is not supported yet", service.name, cluster.name))
                    .at(span)
                    .with_label(cluster.span, "the existing cluster")
                    .with_help("GPU instances join the cluster through a capacity provider, which compose2cfn associates with the cluster it creates only (changing an existing cluster's providers would drop its others); deploy GPU services in a stack without `x-aws-cluster`"),
            );
        }
    }
    if let (Some(first), None) = (gpu.first(), sizing::gpu_instance_for(gpu.iter().copied())) {
        diags.push(
            Diagnostic::new(Code::InvalidValue, "no GPU instance type fits the GPU services")
                .at(first.gpus.map_or(first.span, |(_, s)| s))
                .with_help("the largest, g4dn.metal, has 96 vCPUs, 384 GiB and 8 GPUs (g4dn.12xlarge: 48, 192 and 4); ask for less"),
        );
    }
}

/// `g4dn.xlarge`: a family and a size.
fn is_instance_type(text: &str) -> bool {
    text.split_once('.').is_some_and(|(family, size)| {
        let word = |w: &str| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        word(family) && word(size)
    })
}

fn autoscaling(service: &Service, scaling: &Autoscaling, diags: &mut Diagnostics) {
    let mut error = |code: Code, message: String, span, help: &str| {
        diags.push(Diagnostic::new(code, message).at(span).with_help(help));
    };
    let Some((max, max_span)) = scaling.max else {
        error(
            Code::MissingKey,
            "`x-aws-autoscaling` needs `max`".to_string(),
            scaling.span,
            "give the most tasks the service may scale out to: `max: 10`",
        );
        return;
    };
    let min = scaling.min.map_or(i64::from(service.replicas), |(n, _)| n);
    if let Some((n, span)) = scaling.min.filter(|(n, _)| *n < 0) {
        error(
            Code::InvalidValue,
            format!("`min` is {n}; it counts tasks, from 0"),
            span,
            "give 0 or more",
        );
    }
    if max < 1 || max < min {
        error(
            Code::InvalidValue,
            format!("`max` is {max}, below the {min} tasks of `min`"),
            max_span,
            "give a `max` of at least `min` (which defaults to `deploy.replicas`), and at least 1",
        );
    }
    match (scaling.cpu, scaling.memory) {
        (Some(_), Some((_, span))) => error(
            Code::InvalidValue,
            "`x-aws-autoscaling` tracks `cpu` or `memory`, not both".to_string(),
            span,
            "keep one target: ECS scales on one utilisation metric",
        ),
        (None, None) => error(
            Code::MissingKey,
            "`x-aws-autoscaling` needs a `cpu` or `memory` target".to_string(),
            scaling.span,
            "give the average utilisation to keep, in percent: `cpu: 75`",
        ),
        (Some((target, span)), None) | (None, Some((target, span))) => {
            if !(target > 0.0 && target <= 100.0) {
                error(
                    Code::InvalidValue,
                    format!("the target is {target}%; utilisation goes from 0 to 100"),
                    span,
                    "give a percentage above 0 and at most 100, like 75",
                );
            }
        }
    }
    let replicas = i64::from(service.replicas);
    if let (Some(span), true) = (service.replicas_span, replicas > max) {
        diags.push(
            Diagnostic::new(Code::IgnoredValue, format!("`deploy.replicas` is {replicas}, above the {max} tasks `x-aws-autoscaling` allows"))
                .at(span)
                .with_help("autoscaling scales the service in to `max` soon after it starts; lower `replicas` or raise `max`"),
        );
    }
}
