//! SARIF 2.1.0 output (`--message-format sarif`): one log with one run whose rules are the
//! whole code table and whose results are the diagnostics, in the form GitHub code
//! scanning accepts (relative artifact URIs, 1-based lines, columns counted in characters).

use serde_json::{Value, json};

use super::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;

/// The SARIF log for `diagnostics`, as pretty JSON ending in a newline.
#[must_use]
pub fn sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let rules: Vec<Value> = Code::ALL.iter().map(|code| rule(*code)).collect();
    let results: Vec<Value> = diagnostics.iter().map(|d| result(d, sources)).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "compose2cfn",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": code.name(),
        "shortDescription": { "text": code.summary() },
        "fullDescription": { "text": super::explain::lookup(code).what },
        "help": { "text": super::explain::text(code) },
        "defaultConfiguration": { "level": level(code.severity()) },
    })
}

fn location(label: &Label, sources: &SourceMap) -> Value {
    let file = sources.file(label.span.file);
    let start = file.line_col(label.span.start as usize);
    let end = file.line_col(label.span.end as usize);
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.name.replace('\\', "/") },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column.max(start.column + usize::from(end.line == start.line)),
            }
        }
    });
    if let Some(text) = &label.text {
        location["message"] = json!({ "text": text });
    }
    location
}

fn result(diagnostic: &Diagnostic, sources: &SourceMap) -> Value {
    let index = Code::ALL.iter().position(|c| *c == diagnostic.code);
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": diagnostic.code.as_str(),
        "ruleIndex": index,
        "level": level(diagnostic.severity),
        "message": { "text": text },
    });
    if let Some(primary) = &diagnostic.primary {
        result["locations"] = json!([location(primary, sources)]);
    }
    if !diagnostic.secondary.is_empty() {
        let related: Vec<Value> = diagnostic
            .secondary
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut location = location(label, sources);
                location["id"] = json!(i);
                location
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    result
}
