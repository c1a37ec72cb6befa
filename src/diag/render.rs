//! Renderers from the [`Diagnostic`] model to text: `human` (rustc-like code frames drawn
//! by miette), `short` (`file:line:col: severity[CODE]: message`, for editors' problem
//! matchers), `json` (one object per line, with byte offsets, lines and columns), `github`
//! (workflow-command annotations) and `sarif` (one SARIF 2.1.0 log, `diag/sarif.rs`).

use std::fmt::{self, Write as _};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use super::{Diagnostic, Label, Severity};
use crate::source::{SourceMap, Span};

/// How diagnostics are written to standard error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// Code frames with labels and help, like rustc.
    Human,
    /// One line per diagnostic: `file:line:col: severity[CODE]: message`.
    Short,
    /// One JSON object per line.
    Json,
    /// A SARIF 2.1.0 log, for GitHub code scanning and other SARIF readers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

/// Renders every diagnostic, followed by a summary line in human form.
#[must_use]
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    format: MessageFormat,
    color: bool,
) -> String {
    if format == MessageFormat::Sarif {
        return super::sarif::sarif(diagnostics, sources);
    }
    let mut out = String::new();
    for diagnostic in diagnostics {
        match format {
            MessageFormat::Human => out.push_str(&human(diagnostic, sources, color)),
            MessageFormat::Short => {
                let _ = writeln!(out, "{}", short(diagnostic, sources));
            }
            MessageFormat::Json => {
                let _ = writeln!(out, "{}", json(diagnostic, sources));
            }
            MessageFormat::Github => {
                let _ = writeln!(out, "{}", github(diagnostic, sources));
            }
            MessageFormat::Sarif => {}
        }
    }
    if format == MessageFormat::Human {
        out.push_str(&summary(diagnostics));
    }
    out
}

/// `error: 2 errors, 1 warning` style closing line (empty when there is nothing to say).
#[must_use]
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => String::new(),
        (0, w) => format!("warning: {} emitted\n", plural(w, "warning")),
        (e, 0) => format!("error: could not compile due to {}\n", plural(e, "error")),
        (e, w) => format!(
            "error: could not compile due to {}; {} emitted\n",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}

fn location(span: Span, sources: &SourceMap) -> String {
    let file = sources.file(span.file);
    format!("{}:{}", file.name, file.line_col(span.start as usize))
}

/// The `short` form of one diagnostic.
#[must_use]
pub fn short(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let place = diagnostic
        .primary
        .as_ref()
        .map_or_else(|| "compose2cfn".to_string(), |l| location(l.span, sources));
    let mut line = format!(
        "{place}: {}[{}]: {}",
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.message
    );
    if let Some(help) = &diagnostic.help {
        let _ = write!(line, " (help: {help})");
    }
    line
}

/// The `github` form of one diagnostic: `::error file=...,line=...::message`.
#[must_use]
pub fn github(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    // Workflow commands escape `%`, CR and LF everywhere, and `:` and `,` in properties.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut properties = Vec::new();
    if let Some(label) = &diagnostic.primary {
        let file = sources.file(label.span.file);
        let start = file.line_col(label.span.start as usize);
        let end = file.line_col(label.span.end as usize);
        properties.push(format!("file={}", property(&file.name)));
        properties.push(format!("line={}", start.line));
        properties.push(format!("col={}", start.column));
        properties.push(format!("endLine={}", end.line));
        if end.line == start.line {
            properties.push(format!("endColumn={}", end.column));
        }
    }
    properties.push(format!(
        "title={}",
        property(&format!("{} {}", diagnostic.code, diagnostic.code.name()))
    ));
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{} {}::{}",
        diagnostic.severity.as_str(),
        properties.join(","),
        data(&message)
    )
}

#[derive(Serialize)]
struct JsonSpan<'a> {
    file: &'a str,
    byte_start: u32,
    byte_end: u32,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    label: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    spans: Vec<JsonSpan<'a>>,
    help: Option<&'a str>,
}

fn json_span<'a>(label: &'a Label, sources: &'a SourceMap) -> JsonSpan<'a> {
    let file = sources.file(label.span.file);
    let start = file.line_col(label.span.start as usize);
    let end = file.line_col(label.span.end as usize);
    JsonSpan {
        file: &file.name,
        byte_start: label.span.start,
        byte_end: label.span.end,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        label: label.text.as_deref(),
    }
}

/// The `json` form of one diagnostic: the primary span first.
#[must_use]
pub fn json(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let spans = diagnostic
        .primary
        .iter()
        .chain(&diagnostic.secondary)
        .map(|l| json_span(l, sources))
        .collect();
    let value = JsonDiagnostic {
        code: diagnostic.code.as_str(),
        name: diagnostic.code.name(),
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        spans,
        help: diagnostic.help.as_deref(),
    };
    serde_json::to_string(&value).unwrap_or_default()
}

/// Adapter that lets miette draw one of our diagnostics.
struct MietteView<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Debug for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for MietteView<'_> {}

impl miette::Diagnostic for MietteView<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}[{}]",
            self.diagnostic.severity.as_str(),
            self.diagnostic.code
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

/// The `human` form of one diagnostic: a code frame of its file with every label of that
/// file; labels in other files become `note:` lines.
#[must_use]
pub fn human(diagnostic: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let mut notes = String::new();
    let mut labels = Vec::new();
    let source = diagnostic.primary.as_ref().map(|primary| {
        let file = sources.file(primary.span.file);
        let text = primary.text.clone().unwrap_or_else(|| String::from("here"));
        labels.push(LabeledSpan::new_primary_with_span(
            Some(text),
            source_span(primary.span),
        ));
        for label in &diagnostic.secondary {
            if label.span.file == primary.span.file {
                labels.push(LabeledSpan::new_with_span(
                    label.text.clone(),
                    source_span(label.span),
                ));
            } else {
                let _ = writeln!(
                    notes,
                    "  note: {}: {}",
                    location(label.span, sources),
                    label.text.as_deref().unwrap_or("related")
                );
            }
        }
        NamedSource::new(file.name.clone(), file.text.clone()).with_language("yaml")
    });
    let view = MietteView {
        diagnostic,
        source,
        labels,
        help: diagnostic.help.clone(),
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &view).is_err() {
        out = format!("{}\n", short(diagnostic, sources));
    }
    out.push_str(&notes);
    out.push('\n');
    out
}
