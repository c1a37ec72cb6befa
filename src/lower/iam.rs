//! IAM roles of a service: the execution role ECS uses to pull the image and write logs
//! (and to read the registry credentials of `x-aws-pull_credentials`), and, only when the
//! service asks for permissions (`x-aws-role`, `x-aws-policies`), a task role.

use super::ids::ENCRYPTION_KEY;
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::Service;
use crate::platform::names;
use crate::source::Span;

/// A trust policy: the AWS service `principal` (`ecs-tasks.amazonaws.com`) may assume
/// the role.
pub(super) fn assumed_by(principal: &str) -> Value {
    map! {
        "Statement" => Value::list([map! {
            "Action" => "sts:AssumeRole",
            "Effect" => "Allow",
            "Principal" => map! { "Service" => principal.to_string() },
        }]),
        "Version" => "2012-10-17",
    }
}

/// The execution role; returns its logical ID. It may read the service's pull credentials
/// and the `secrets` (Secrets Manager) and `parameters` (SSM Parameter Store) given,
/// nothing else, and decrypt with the project's key when `decrypt` (its secrets are
/// encrypted with it).
pub(super) fn execution_role(
    service: &Service,
    secrets: &[Value],
    parameters: &[Value],
    decrypt: bool,
    tags: &Value,
    template: &mut Template,
) -> String {
    let id = names::service_id(&service.name, "TaskExecutionRole");
    let mut readable: Vec<Value> = service
        .pull_credentials
        .iter()
        .map(|(arn, _)| Value::str(arn.clone()))
        .collect();
    readable.extend(secrets.iter().cloned());
    let mut statements = Vec::new();
    if !readable.is_empty() {
        statements.push(map! {
            "Action" => Value::strs(["secretsmanager:GetSecretValue"]),
            "Effect" => "Allow",
            "Resource" => Value::List(readable),
        });
    }
    // ECS reads parameters with `ssm:GetParameters`:
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
    if !parameters.is_empty() {
        statements.push(map! {
            "Action" => Value::strs(["ssm:GetParameters"]),
            "Effect" => "Allow",
            "Resource" => Value::List(parameters.to_vec()),
        });
    }
    if decrypt {
        statements.push(map! {
            "Action" => Value::strs(["kms:Decrypt"]),
            "Effect" => "Allow",
            "Resource" => Value::get_att(ENCRYPTION_KEY, "Arn"),
        });
    }
    // The Docker integration's policy name, so its stacks update in place.
    let policies = (!statements.is_empty()).then(|| {
        Value::list([map! {
            "PolicyDocument" => map! {
                "Statement" => Value::List(statements),
                "Version" => "2012-10-17",
            },
            "PolicyName" => format!("{}GrantAccessToSecrets", service.name),
        }])
    });
    let managed = Value::list([Value::sub(
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    )]);
    add_role(
        template,
        &id,
        Some(managed),
        policies,
        tags,
        service.span,
        &service.name,
    );
    id
}

/// Adds a role that ECS tasks assume.
fn add_role(
    template: &mut Template,
    id: &str,
    managed: Option<Value>,
    policies: Option<Value>,
    tags: &Value,
    origin: Span,
    owner: &str,
) {
    template.add(
        id,
        Resource::new(
            "AWS::IAM::Role",
            map! {
                "AssumeRolePolicyDocument" => assumed_by("ecs-tasks.amazonaws.com"),
                "ManagedPolicyArns" => managed,
                "Policies" => policies,
                "Tags" => tags.clone(),
            },
        )
        .from_source(origin)
        .owned_by(owner),
    );
}

/// The task role, when the service asks for permissions (its IAM extensions, or `extra`
/// inline policies such as volume mounts); returns its ARN (an existing role's, or ours).
pub(super) fn task_role(
    service: &Service,
    extra: &[Value],
    tags: &Value,
    template: &mut Template,
) -> Option<Value> {
    if let Some((arn, _)) = &service.existing_role {
        return Some(Value::str(arn.clone()));
    }
    if service.role_policy.is_none() && service.managed_policies.is_empty() && extra.is_empty() {
        return None;
    }
    let id = names::service_id(&service.name, "TaskRole");
    let own = service.role_policy.as_ref().map(|(document, _)| {
        map! {
            "PolicyDocument" => Value::from(document),
            "PolicyName" => names::service_id(&service.name, "Policy"),
        }
    });
    let all: Vec<Value> = own.into_iter().chain(extra.iter().cloned()).collect();
    let policies = (!all.is_empty()).then_some(Value::List(all));
    let managed = (!service.managed_policies.is_empty())
        .then(|| Value::strs(service.managed_policies.iter().map(|(arn, _)| arn.clone())));
    let origin = service
        .role_policy
        .as_ref()
        .map_or(service.span, |(_, span)| *span);
    add_role(
        template,
        &id,
        managed,
        policies,
        tags,
        origin,
        &service.name,
    );
    Some(Value::get_att(id, "Arn"))
}
