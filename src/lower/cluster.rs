//! Project-wide ECS plumbing: the cluster (or the existing one `x-aws-cluster` names) and
//! the CloudWatch log group every container logs to (encrypted with the project's key, kept
//! 30 days unless `x-aws-logs_retention` says otherwise). Both are named after the stack,
//! so that two stacks of one project (staging beside prod) fit in one region; both stay in
//! the root stack of a split project, whose name is the one deployed.

use super::ids::{CLUSTER, ENCRYPTION_KEY, LOG_GROUP};
use super::tags;
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::Project;

/// How long logs are kept when the file does not say.
pub(super) const DEFAULT_RETENTION_DAYS: i64 = 30;

/// The capacity providers every cluster the stack creates has.
pub(super) const FARGATE_PROVIDERS: [&str; 2] = ["FARGATE", "FARGATE_SPOT"];

/// The cluster's default capacity-provider strategy: Fargate.
pub(super) fn default_strategy() -> Value {
    Value::list([map! { "CapacityProvider" => "FARGATE", "Weight" => 1_i64 }])
}

/// The cluster's ARN (or, for an existing cluster, what the file gives: ECS takes either).
pub(super) fn arn(project: &Project) -> Value {
    match &project.aws.cluster {
        Some(existing) => Value::str(existing.reference.clone()),
        None => Value::get_att(CLUSTER, "Arn"),
    }
}

/// The cluster's name.
pub(super) fn name(project: &Project) -> Value {
    match &project.aws.cluster {
        Some(existing) => Value::str(existing.name.clone()),
        None => Value::reference(CLUSTER),
    }
}

pub(super) fn lower(project: &Project, template: &mut Template) {
    match &project.aws.cluster {
        Some(existing) => {
            // Where the Docker integration's `ps` looked for it.
            template.metadata.insert(
                "Cluster".to_string(),
                Value::str(existing.reference.clone()),
            );
        }
        None => {
            // With GPU capacity, the capacity providers are associated by a resource of their
            // own (`gpu.rs`): listed here, the cluster's deletion fails or hangs.
            let inline = !super::gpu::needed(project);
            template.add(
                CLUSTER,
                Resource::new(
                    "AWS::ECS::Cluster",
                    map! {
                        "CapacityProviders" => inline.then(|| Value::strs(FARGATE_PROVIDERS)),
                        // The Docker integration named its stacks after the project: a
                        // stack it created keeps its cluster's name.
                        "ClusterName" => Value::reference("AWS::StackName"),
                        "ClusterSettings" => Value::list([map! { "Name" => "containerInsights", "Value" => "enabled" }]),
                        "DefaultCapacityProviderStrategy" => inline.then(default_strategy),
                        "Tags" => tags(project, &[]),
                    },
                ),
            );
        }
    }
    let mut log_group = Resource::new(
        "AWS::Logs::LogGroup",
        map! {
            "KmsKeyId" => Value::get_att(ENCRYPTION_KEY, "Arn"),
            "LogGroupName" => Value::sub(LOG_GROUP_NAME),
            "RetentionInDays" => project.logs_retention.map_or(DEFAULT_RETENTION_DAYS, |(days, _)| days),
        },
    );
    log_group.origin = project.logs_retention.map(|(_, span)| span);
    template.add(LOG_GROUP, log_group);
    template.output(
        "ClusterName",
        "The ECS cluster running the project",
        name(project),
    );
    template.output(
        "LogGroupName",
        "The CloudWatch Logs group of every container",
        Value::reference(LOG_GROUP),
    );
}

/// The log group's name, for `Fn::Sub`: `/docker-compose/{stack}`, as the Docker
/// integration named it (its stacks were named after the project).
pub(super) const LOG_GROUP_NAME: &str = "/docker-compose/${AWS::StackName}";
