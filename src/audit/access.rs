//! The access rule: each secret and parameter a task reads is readable by its execution
//! role, with the action its kind of ARN needs (R03).

use serde_json::Value as Json;

use super::stack::{Stack, attribute, items, reference, single};
use super::{Findings, matches};

/// Where a container's secret lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    SecretsManager,
    ParameterStore,
}

impl Store {
    fn action(self) -> &'static str {
        match self {
            Store::SecretsManager => "secretsmanager:GetSecretValue",
            Store::ParameterStore => "ssm:GetParameters",
        }
    }
}

/// What a `ValueFrom` (or `CredentialsParameter`) names: its store, and the secret or
/// parameter itself (a JSON key and version cut off), as a template value.
fn target(stack: &Stack, value: &Json) -> Option<(Store, Json)> {
    if let Some(id) = reference(value) {
        let kind = stack.resource(id).map(|r| &r["Type"]);
        return match kind.and_then(Json::as_str) {
            Some("AWS::SecretsManager::Secret") => Some((Store::SecretsManager, value.clone())),
            Some("AWS::SSM::Parameter") => Some((Store::ParameterStore, value.clone())),
            _ => None,
        };
    }
    if let Some(text) = value.as_str() {
        return Some(match arn_store(text) {
            Some(Store::SecretsManager) => (Store::SecretsManager, Json::String(secret_arn(text))),
            Some(Store::ParameterStore) => (Store::ParameterStore, value.clone()),
            // A plain name is a parameter of the task's own Region.
            None => (Store::ParameterStore, value.clone()),
        });
    }
    let sub = value.as_object().and_then(|o| single(o, "Fn::Sub"))?;
    let (text, variables) = match sub {
        Json::String(text) => (text.as_str(), None),
        Json::Array(parts) if parts.len() == 2 => (parts[0].as_str()?, Some(&parts[1])),
        _ => return None,
    };
    // `${Secret}` or `${Secret}:key::`: the secret of the stack.
    if let Some(rest) = text.strip_prefix("${")
        && let Some((name, suffix)) = rest.split_once('}')
        && (suffix.is_empty() || suffix.starts_with(':'))
    {
        let bound = variables.and_then(|v| v.get(name));
        let whole = bound
            .cloned()
            .unwrap_or_else(|| serde_json::json!({ "Ref": name }));
        if let Some(found) = target(stack, &whole) {
            return Some(found);
        }
    }
    let store = arn_store(text)?;
    let text = match store {
        Store::SecretsManager => secret_arn(text),
        Store::ParameterStore => text.to_string(),
    };
    let mut sub = serde_json::Map::new();
    sub.insert(
        "Fn::Sub".to_string(),
        match variables {
            Some(v) => Json::Array(vec![Json::String(text), v.clone()]),
            None => Json::String(text),
        },
    );
    Some((store, Json::Object(sub)))
}

/// The store an ARN (or `Fn::Sub` text of one) names.
fn arn_store(text: &str) -> Option<Store> {
    let service = text.strip_prefix("arn:")?.split(':').nth(1)?;
    match service {
        "secretsmanager" => Some(Store::SecretsManager),
        "ssm" => Some(Store::ParameterStore),
        _ => None,
    }
}

/// A Secrets Manager ARN without the JSON key, version stage and version ID ECS takes
/// after it (`arn:aws:secretsmanager:region:account:secret:name:key:stage:id`).
fn secret_arn(text: &str) -> String {
    text.split(':').take(7).collect::<Vec<_>>().join(":")
}

/// The text of a template string, or of an `Fn::Sub`.
fn text(value: &Json) -> Option<&str> {
    value.as_str().or_else(
        || match value.as_object().and_then(|o| single(o, "Fn::Sub"))? {
            Json::String(text) => Some(text.as_str()),
            Json::Array(parts) => parts.first()?.as_str(),
            _ => None,
        },
    )
}

/// Whether a policy resource covers the secret or parameter `target`.
fn covers(resource: &Json, target: &Json) -> bool {
    if resource == target {
        return true;
    }
    let (Some(pattern), Some(name)) = (text(resource), text(target)) else {
        return false;
    };
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    matches(pattern, name) || matches(pattern, &format!("{name}-AbCdEf"))
}

/// The statements a role of the template allows, in its inline policies.
pub(super) fn allowed<'s>(stack: &'s Stack, role: &str) -> Vec<&'s Json> {
    stack
        .resource(role)
        .map(|r| {
            items(&r["Properties"]["Policies"])
                .into_iter()
                .flat_map(|p| items(&p["PolicyDocument"]["Statement"]))
                .filter(|s| s["Effect"] == "Allow")
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a statement's actions take in `action` (IAM's wildcards; actions are not case
/// sensitive).
pub(super) fn grants(statement: &Json, action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    items(&statement["Action"])
        .iter()
        .filter_map(|a| a.as_str())
        .any(|a| matches(&a.to_ascii_lowercase(), &action))
}

/// R03: every secret a container reads is readable by the task's execution role (one
/// finding per task definition, naming every secret its role may not read).
pub(super) fn secret_permissions(stack: &Stack, out: &mut Findings) {
    for (id, resource) in stack.of_type("AWS::ECS::TaskDefinition") {
        let properties = &resource["Properties"];
        let Some((role, _)) = attribute(&properties["ExecutionRoleArn"]) else {
            continue; // a role of the account's: its policies are not in the template
        };
        let statements = allowed(stack, role);
        let mut denied = Vec::new();
        for container in items(&properties["ContainerDefinitions"]) {
            let name = container["Name"].as_str().unwrap_or("?");
            let mut read: Vec<&Json> = items(&container["Secrets"])
                .into_iter()
                .map(|s| &s["ValueFrom"])
                .collect();
            read.push(&container["RepositoryCredentials"]["CredentialsParameter"]);
            for value in read.into_iter().filter(|v| !v.is_null()) {
                let Some((store, target)) = target(stack, value) else {
                    continue;
                };
                let allowed = statements.iter().any(|s| {
                    grants(s, store.action())
                        && items(&s["Resource"]).iter().any(|r| covers(r, &target))
                });
                if !allowed {
                    denied.push(format!(
                        "container `{name}` reads {} (`{}`)",
                        text(value).map_or_else(|| value.to_string(), |t| format!("`{t}`")),
                        store.action()
                    ));
                }
            }
        }
        if !denied.is_empty() {
            out.add(
                id,
                format!(
                    "the execution role `{role}` may not read what the task's containers name ({}): the task fails to start (AccessDenied)",
                    denied.join("; ")
                ),
            );
        }
    }
}
