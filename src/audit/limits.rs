//! The account rules: task definitions and templates within the sizes AWS accepts (R07,
//! R08), names unique per stack (R09), capacity providers associated apart from the
//! cluster (R10), template rules written with the functions rules take (R11).

use serde_json::Value as Json;

use super::Findings;
use super::stack::{Stack, items, reference, single, sub_variables};

/// The largest task definition ECS registers.
pub(super) const TASK_DEFINITION_BYTES: usize = 64 * 1024;

/// The largest template body CloudFormation takes (from S3).
pub(super) const TEMPLATE_BYTES: usize = 1_000_000;

/// R07.
pub(super) fn task_definition_size(stack: &Stack, out: &mut Findings) {
    for (id, resource) in stack.of_type("AWS::ECS::TaskDefinition") {
        let bytes = serde_json::to_string(&resource["Properties"]).map_or(0, |t| t.len());
        if bytes > TASK_DEFINITION_BYTES {
            out.add(
                id,
                format!(
                    "`{id}` is {bytes} bytes; ECS registers task definitions of at most {TASK_DEFINITION_BYTES} bytes"
                ),
            );
        }
    }
}

/// R08.
pub(super) fn template_size(stack: &Stack, out: &mut Findings) {
    for (path, bytes) in &stack.sizes {
        if *bytes > TEMPLATE_BYTES {
            let name = path.as_deref().unwrap_or("the root template");
            out.add(
                name,
                format!("{name} is {bytes} bytes; CloudFormation takes at most {TEMPLATE_BYTES}"),
            );
        }
    }
}

/// Resource types and the property that gives them a physical name unique per account
/// and Region (or per cluster, VPC, ...): set to a constant, a second stack of the same
/// project fails to create them.
const NAMED: &[(&str, &str)] = &[
    ("AWS::AutoScaling::AutoScalingGroup", "AutoScalingGroupName"),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateName"),
    ("AWS::EC2::SecurityGroup", "GroupName"),
    ("AWS::ECS::CapacityProvider", "Name"),
    ("AWS::ECS::Cluster", "ClusterName"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name"),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::KMS::Alias", "AliasName"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::SecretsManager::Secret", "Name"),
    ("AWS::ServiceDiscovery::PrivateDnsNamespace", "Name"),
];

/// Whether a name differs from stack to stack: it names the stack, or a parameter (the
/// deployer's choice).
fn per_stack(stack: &Stack, value: &Json) -> bool {
    if let Some(name) = reference(value) {
        return name == "AWS::StackName" || stack.parameter(name).is_some();
    }
    match value {
        Json::Object(object) => match single(object, "Fn::Sub") {
            Some(Json::String(text)) => sub_variables(text)
                .iter()
                .any(|v| v == "AWS::StackName" || stack.parameter(v).is_some()),
            Some(Json::Array(parts)) => {
                let text = parts.first().and_then(Json::as_str).unwrap_or_default();
                sub_variables(text).iter().any(|v| {
                    v == "AWS::StackName"
                        || stack.parameter(v).is_some()
                        || parts
                            .get(1)
                            .and_then(|m| m.get(v))
                            .is_some_and(|b| per_stack(stack, b))
                })
            }
            _ => object.values().any(|v| per_stack(stack, v)),
        },
        Json::Array(list) => list.iter().any(|v| per_stack(stack, v)),
        _ => false,
    }
}

/// R09.
pub(super) fn unique_names(stack: &Stack, out: &mut Findings) {
    for (kind, property) in NAMED {
        for (id, resource) in stack.of_type(kind) {
            let name = &resource["Properties"][*property];
            if !name.is_null() && !per_stack(stack, name) {
                out.add(
                    id,
                    format!(
                        "`{id}` is named {name} ({property}): a second stack of this project in the same account and Region fails to create it"
                    ),
                );
            }
        }
    }
}

/// R10.
pub(super) fn capacity_providers(stack: &Stack, out: &mut Findings) {
    for (id, resource) in stack.of_type("AWS::ECS::Cluster") {
        let own = items(&resource["Properties"]["CapacityProviders"])
            .into_iter()
            .any(|p| !matches!(p.as_str(), Some("FARGATE" | "FARGATE_SPOT")));
        if own {
            out.add(
                id,
                format!("`{id}` lists an Auto Scaling group capacity provider in its own CapacityProviders: deleting the stack can fail or hang"),
            );
        }
    }
}

/// The functions a template's `Rules` may use.
const RULE_FUNCTIONS: &[&str] = &[
    "Fn::And",
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::Equals",
    "Fn::If",
    "Fn::Not",
    "Fn::Or",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// The first function in `value` (keys in sorted order, whatever order the JSON object
/// keeps) that rules do not take.
fn foreign_function(value: &Json) -> Option<&str> {
    match value {
        Json::Object(object) => {
            let mut entries: Vec<(&String, &Json)> = object.iter().collect();
            entries.sort_unstable_by_key(|(key, _)| *key);
            entries.into_iter().find_map(|(key, v)| {
                if key.starts_with("Fn::") && !RULE_FUNCTIONS.contains(&key.as_str()) {
                    Some(key.as_str())
                } else {
                    foreign_function(v)
                }
            })
        }
        Json::Array(items) => items.iter().find_map(foreign_function),
        _ => None,
    }
}

/// R11.
pub(super) fn rule_functions(stack: &Stack, out: &mut Findings) {
    for (name, rule) in stack.template["Rules"].as_object().into_iter().flatten() {
        if let Some(function) = foreign_function(rule) {
            out.add(
                &format!("Rules.{name}"),
                format!("the rule `{name}` uses `{function}`, which rules do not take: CloudFormation refuses the template"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_first_foreign_function_by_key() {
        let rule = json!({"Fn::Sub": "x", "Fn::Base64": "y", "Fn::Equals": ["a", "b"]});
        assert_eq!(super::foreign_function(&rule), Some("Fn::Base64"));
        assert_eq!(
            super::foreign_function(&json!({"Fn::Equals": ["a", "b"]})),
            None
        );
    }
}
