//! `deploy.x-aws-autoscaling`: a scalable target between `min` (default: `deploy.replicas`)
//! and `max` tasks, and a target-tracking policy on average CPU or memory utilisation.
//! Application Auto Scaling acts through its service-linked role, so the stack creates no
//! role for it.

use super::cluster;
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::{Autoscaling, Project, Service};
use crate::platform::names;

/// Seconds between scaling steps, as the Docker integration set them.
const COOLDOWN: i64 = 60;

pub(super) fn lower(project: &Project, service: &Service, template: &mut Template) {
    let Some(scaling) = &service.autoscaling else {
        return;
    };
    let Autoscaling {
        min,
        max,
        cpu,
        memory,
        span,
    } = scaling;
    let target = names::service_id(&service.name, "ScalableTarget");
    let ecs_service = names::service_id(&service.name, "Service");
    template.add(
        &target,
        Resource::new(
            "AWS::ApplicationAutoScaling::ScalableTarget",
            map! {
                "MaxCapacity" => max.map_or(0, |(n, _)| n),
                "MinCapacity" => min.map_or(i64::from(service.replicas), |(n, _)| n),
                "ResourceId" => Value::join("/", Value::list([
                    Value::str("service"),
                    cluster::name(project),
                    Value::get_att(&ecs_service, "Name"),
                ])),
                "ScalableDimension" => "ecs:service:DesiredCount",
                "ServiceNamespace" => "ecs",
            },
        )
        .from_source(*span)
        .owned_by(&service.name),
    );
    let (metric, value) = match (cpu, memory) {
        (_, Some((percent, _))) => ("ECSServiceAverageMemoryUtilization", *percent),
        (Some((percent, _)), None) => ("ECSServiceAverageCPUUtilization", *percent),
        (None, None) => ("ECSServiceAverageCPUUtilization", 0.0),
    };
    let policy = names::service_id(&service.name, "ScalingPolicy");
    template.add(
        &policy,
        Resource::new(
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            map! {
                "PolicyName" => policy.clone(),
                "PolicyType" => "TargetTrackingScaling",
                "ScalingTargetId" => Value::reference(&target),
                "TargetTrackingScalingPolicyConfiguration" => map! {
                    "PredefinedMetricSpecification" => map! { "PredefinedMetricType" => metric },
                    "ScaleInCooldown" => COOLDOWN,
                    "ScaleOutCooldown" => COOLDOWN,
                    "TargetValue" => Value::number(value),
                },
            },
        )
        .from_source(*span)
        .owned_by(&service.name),
    );
}
