//! SARIF 2.1.0 output (`--message-format sarif`): one log with one run whose rules are the
//! whole code table and whose results are the diagnostics, in the form GitHub code
//! scanning accepts (relative artifact URIs, 1-based lines, columns counted in characters).
//! The log is written from structs, so its keys come in the order declared here whatever
//! order `serde_json::Map` keeps.

use serde::Serialize;

use super::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;

/// The SARIF log for `diagnostics`, as pretty JSON ending in a newline.
#[must_use]
pub fn sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "compose2cfn",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: Code::ALL.iter().map(|code| rule(*code)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results: diagnostics.iter().map(|d| result(d, sources)).collect(),
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<Result>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    help: Message,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: impl Into<String>) -> Self {
        Message { text: text.into() }
    }
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Result {
    rule_id: &'static str,
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Location; 1]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: Code) -> Rule {
    Rule {
        id: code.as_str(),
        name: code.name(),
        short_description: Message::new(code.summary()),
        full_description: Message::new(super::explain::lookup(code).what),
        help: Message::new(super::explain::text(code)),
        default_configuration: Configuration {
            level: level(code.severity()),
        },
    }
}

fn location(label: &Label, sources: &SourceMap, id: Option<usize>) -> Location {
    let file = sources.file(label.span.file);
    let start = file.line_col(label.span.start as usize);
    let end = file.line_col(label.span.end as usize);
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: file.name.replace('\\', "/"),
            },
            region: Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end
                    .column
                    .max(start.column + usize::from(end.line == start.line)),
            },
        },
        message: label.text.as_deref().map(Message::new),
        id,
    }
}

fn result(diagnostic: &Diagnostic, sources: &SourceMap) -> Result {
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    Result {
        rule_id: diagnostic.code.as_str(),
        rule_index: Code::ALL.iter().position(|c| *c == diagnostic.code),
        level: level(diagnostic.severity),
        message: Message::new(text),
        locations: diagnostic
            .primary
            .as_ref()
            .map(|primary| [location(primary, sources, None)]),
        related_locations: diagnostic
            .secondary
            .iter()
            .enumerate()
            .map(|(i, label)| location(label, sources, Some(i)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn keys_come_in_sarif_order() {
        let mut sources = SourceMap::new();
        let file = sources.add("compose.yaml", None, "services:\n  web: {}\n".to_string());
        let span = |start, end| Span { file, start, end };
        let diagnostic = Diagnostic::new(Code::UnknownKey, "unknown key")
            .at_labelled(span(12, 15), "here")
            .with_label(span(0, 8), "there")
            .with_help("remove it");
        let text = sarif(&[diagnostic], &sources);
        let in_order = |text: &str, keys: &[&str]| {
            let at: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
            assert!(at.is_sorted(), "{keys:?} out of order in\n{text}");
        };
        in_order(&text, &["\"$schema\"", "\"version\"", "\"runs\""]);
        in_order(&text, &["\"tool\"", "\"columnKind\"", "\"results\""]);
        let result = &text[text.find("\"results\"").unwrap()..];
        in_order(
            result,
            &[
                "\"ruleId\"",
                "\"ruleIndex\"",
                "\"level\"",
                "\"message\"",
                "\"locations\"",
            ],
        );
        let locations = &result[result.find("\"locations\"").unwrap()..];
        in_order(
            locations,
            &[
                "\"physicalLocation\"",
                "\"message\"",
                "\"relatedLocations\"",
            ],
        );
        let related = &result[result.find("\"relatedLocations\"").unwrap()..];
        in_order(
            related,
            &["\"physicalLocation\"", "\"message\"", "\"id\": 0"],
        );
        assert!(text.ends_with("}\n"));
    }
}
