//! The users' own policies (`check --policy FILE`): AWS CloudFormation Guard rules,
//! evaluated by the `cfn-guard` library on every compiled template (the root and each
//! nested one), each violation a diagnostic at the Compose element that produced the
//! resource. Offline and pure, like the rest: the rules and the templates are text in
//! memory. Built with the `policy` cargo feature (on by default).

use std::collections::BTreeMap;
use std::path::PathBuf;

use cfn_guard::CommandBuilder;
use cfn_guard::commands::Executable;
use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::utils::reader::{ReadBuffer, Reader};
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use serde_json::Value as Json;

use crate::diag::{Code, Diagnostic};
use crate::emit::{Format, Tree};
use crate::ir::Template;
use crate::source::Span;

/// A rules file: its name (as given) and its text.
pub struct Policy {
    pub name: String,
    pub rules: String,
}

/// One rule broken by one resource (or by the template as a whole: `resource` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    policy: String,
    rule: String,
    resource: Option<String>,
    message: String,
}

/// The `--policy` files, read (bounded, like the Compose files).
///
/// # Errors
/// A file that cannot be read or is not UTF-8 text.
pub fn read(paths: &[PathBuf]) -> Result<Vec<Policy>, String> {
    paths
        .iter()
        .map(|path| {
            let bytes = crate::load::read_bytes(path).map_err(|e| e.to_string())?;
            let rules = String::from_utf8(bytes)
                .map_err(|_| format!("the policy `{}` is not UTF-8 text", path.display()))?;
            Ok(Policy {
                name: path.display().to_string(),
                rules,
            })
        })
        .collect()
}

/// Evaluates the policies on a compilation without errors, adding the violations to its
/// diagnostics (in order).
///
/// # Errors
/// A policy that is not valid Guard (see [`check`]).
pub fn apply(policies: &[Policy], compilation: &mut crate::Compilation) -> Result<(), String> {
    let (Some(template), Some(root)) = (&compilation.template, &compilation.root) else {
        return Ok(());
    };
    if policies.is_empty() {
        return Ok(());
    }
    let fallback = root.key_span_or_start("services");
    let trees = compilation.trees();
    let documents: Vec<&Tree> = trees.iter().map(|(_, tree)| tree).collect();
    let found = check(policies, &documents, template, fallback)?;
    compilation.add_diagnostics(found);
    Ok(())
}

/// Evaluates every policy on every document; the violations as diagnostics, at the
/// Compose element behind each resource (`template`'s origins), else at `fallback` (the
/// top-level `services` key).
///
/// # Errors
/// A policy that is not valid Guard: its name and what cfn-guard said.
pub fn check(
    policies: &[Policy],
    documents: &[&Tree],
    template: &Template,
    fallback: Span,
) -> Result<Vec<Diagnostic>, String> {
    // Each template as JSON once; each policy evaluated on all of them in one run.
    let data: Vec<String> = documents
        .iter()
        .map(|document| crate::emit::value(document, Format::Json))
        .collect();
    let mut violations = std::collections::BTreeSet::new();
    for policy in policies {
        parse(policy)?;
        violations.extend(evaluate(policy, &data)?);
    }
    Ok(violations
        .into_iter()
        .map(|v| diagnostic(&v, template, fallback))
        .collect())
}

fn diagnostic(v: &Violation, template: &Template, fallback: Span) -> Diagnostic {
    let origin = v
        .resource
        .as_ref()
        .and_then(|id| template.resources.get(id))
        .and_then(|r| r.origin);
    let subject = v
        .resource
        .as_ref()
        .map_or_else(|| "the template".to_string(), |id| format!("`{id}`"));
    let label = match (&v.resource, origin) {
        (Some(id), Some(_)) => format!("produces `{id}`"),
        (Some(id), None) => format!("`{id}` belongs to the whole project"),
        (None, _) => "this project".to_string(),
    };
    Diagnostic::new(
        Code::PolicyViolation,
        format!("{subject} breaks the rule `{}`: {}", v.rule, v.message),
    )
    .at_labelled(origin.unwrap_or(fallback), label)
    .with_help(format!(
        "the rule is in `{}`; change this part of the Compose file (`compose2cfn plan` shows what it becomes), or the rule",
        v.policy
    ))
}

/// Whether `policy` parses as Guard rules; what is wrong otherwise.
fn parse(policy: &Policy) -> Result<(), String> {
    match cfn_guard::commands::validate::parse_rules(&policy.rules, &policy.name) {
        Ok(_) => Ok(()),
        Err(error) => Err(format!(
            "the policy `{}` is not valid Guard: {error}",
            policy.name
        )),
    }
}

/// The violations of `policy` (parsed) in the templates `data` (JSON texts).
fn evaluate(policy: &Policy, data: &[String]) -> Result<Vec<Violation>, String> {
    let failed =
        |detail: String| format!("cfn-guard could not evaluate `{}`: {detail}", policy.name);
    let payload = serde_json::json!({ "rules": [policy.rules], "data": data }).to_string();
    let command = cfn_guard::ValidateBuilder::default()
        .payload(true)
        .structured(true)
        .output_format(OutputFormatType::JSON)
        .show_summary(vec![ShowSummaryType::None])
        .try_build()
        .map_err(|e| failed(e.to_string()))?;
    let mut reader = Reader::new(ReadBuffer::Cursor(std::io::Cursor::new(
        payload.into_bytes(),
    )));
    // What cfn-guard would print on the process's standard error goes to a buffer.
    let mut writer =
        Writer::new_with_err(WriteBuffer::Vec(Vec::new()), WriteBuffer::Vec(Vec::new()))
            .map_err(|e| failed(e.to_string()))?;
    command
        .execute(&mut writer, &mut reader)
        .map_err(|e| failed(e.to_string()))?;
    let output = writer.into_string().map_err(|e| failed(e.to_string()))?;
    let report: Json = serde_json::from_str(&output).map_err(|e| failed(e.to_string()))?;
    Ok(violations(&policy.name, &report))
}

/// The violations in cfn-guard's structured JSON report: per rule not complied with, the
/// resources its failed checks reached (`/Resources/<ID>/...` paths) and the message the
/// rule gives (its custom message, else cfn-guard's).
fn violations(policy: &str, report: &Json) -> Vec<Violation> {
    let mut found = Vec::new();
    for file in report.as_array().into_iter().flatten() {
        for entry in file["not_compliant"].as_array().into_iter().flatten() {
            let Some(rule) = entry.get("Rule") else {
                continue;
            };
            let name = rule["name"].as_str().unwrap_or("(unnamed)").to_string();
            let mut messages: BTreeMap<Option<String>, String> = BTreeMap::new();
            for check in rule["checks"].as_array().into_iter().flatten() {
                let message = first_message(check, "custom_message")
                    .or_else(|| {
                        rule["messages"]["custom_message"]
                            .as_str()
                            .map(String::from)
                    })
                    .or_else(|| first_message(check, "error_message"))
                    .map_or_else(|| "not compliant".to_string(), |m| without_positions(&m));
                let mut resources = Vec::new();
                resources_in(check, &mut resources);
                if resources.is_empty() {
                    resources.push(None);
                }
                for resource in resources {
                    messages.entry(resource).or_insert_with(|| message.clone());
                }
            }
            for (resource, message) in messages {
                found.push(Violation {
                    policy: policy.to_string(),
                    rule: name.clone(),
                    resource,
                    message,
                });
            }
        }
    }
    found
}

/// cfn-guard's message without the `[L:566,C:27]` positions in the JSON it was given,
/// which mean nothing to the reader of the Compose file.
fn without_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("[L:") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        match after.find(']') {
            Some(end)
                if after[3..end]
                    .split(",C:")
                    .all(|n| n.bytes().all(|b| b.is_ascii_digit())) =>
            {
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("[L:");
                rest = &after[3..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first non-empty string under `key` anywhere in `json`.
fn first_message(json: &Json, key: &str) -> Option<String> {
    match json {
        Json::Object(map) => map
            .get(key)
            .and_then(Json::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string())
            .or_else(|| map.values().find_map(|v| first_message(v, key))),
        Json::Array(items) => items.iter().find_map(|v| first_message(v, key)),
        _ => None,
    }
}

/// The logical IDs named by `path` values (`/Resources/<ID>/...`) anywhere in `json`.
fn resources_in(json: &Json, out: &mut Vec<Option<String>>) {
    match json {
        Json::Object(map) => {
            if let Some(id) = map
                .get("path")
                .and_then(Json::as_str)
                .and_then(|p| p.strip_prefix("/Resources/"))
                .and_then(|rest| rest.split('/').next())
                .filter(|id| !id.is_empty())
            {
                let id = Some(id.to_string());
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            map.values().for_each(|v| resources_in(v, out));
        }
        Json::Array(items) => items.iter().for_each(|v| resources_in(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_dropped_from_messages() {
        assert_eq!(
            without_positions(
                "value [Path=/Resources/LogGroup/Properties/RetentionInDays[L:566,C:27] Value=30] not >= [Path=[L:0,C:0] Value=90]"
            ),
            "value [Path=/Resources/LogGroup/Properties/RetentionInDays Value=30] not >= [Path= Value=90]"
        );
        assert_eq!(without_positions("a [L:x] b"), "a [L:x] b");
    }
}
