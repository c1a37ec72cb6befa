//! The one diagnostic model every step reports with: a [`Code`], a severity, a short
//! lower-case message, a primary [`Label`] on the most specific node, secondary labels and
//! a help line. Steps push into a [`Diagnostics`] sink and never stop at the first problem.

pub mod codes;
pub mod explain;
pub mod render;
pub mod sarif;
mod suggest;

pub use codes::Code;
pub use suggest::did_you_mean;

use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with an optional short text ("defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

/// One finding about the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is; `None` only for problems that belong to no file (a missing
    /// file given on the command line, say).
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's own severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Points the diagnostic at `span`.
    #[must_use]
    pub fn at(mut self, span: Span) -> Self {
        self.primary = Some(Label { span, text: None });
        self
    }

    /// Points the diagnostic at `span` with a label text.
    #[must_use]
    pub fn at_labelled(mut self, span: Span, text: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    #[must_use]
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (Option<(FileId, u32)>, Code) {
        (
            self.primary.as_ref().map(|l| (l.span.file, l.span.start)),
            self.code,
        )
    }
}

/// Collects diagnostics from every step.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Values that already have an error of their own (a failed interpolation): later
    /// diagnostics inside them would only repeat it.
    muted: Vec<Span>,
    /// Values that came from interpolation, with the variables they read: a diagnostic
    /// on such a value says which variables, since the file shows only `${...}`.
    origins: Vec<(Span, String)>,
}

impl Diagnostics {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
        self.muted.extend(other.muted);
        self.origins.extend(other.origins);
    }

    /// Silences diagnostics of later steps that point inside `span`: a value that failed
    /// to load already has its error, and follow-up errors about it are noise.
    pub fn mute(&mut self, span: Span) {
        self.muted.push(span);
    }

    /// Records where a value came from (`interpolated from ${PORT}`), for the label of a
    /// later diagnostic on it.
    pub fn note_origin(&mut self, span: Span, origin: String) {
        self.origins.push((span, origin));
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    #[must_use]
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    #[must_use]
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics sorted by (file, offset, code), duplicates removed.
    #[must_use]
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        let muted = std::mem::take(&mut self.muted);
        self.items.retain(|d| {
            d.code.is_load_step()
                || !d
                    .primary
                    .as_ref()
                    .is_some_and(|label| muted.iter().any(|m| within(label.span, *m)))
        });
        let origins = std::mem::take(&mut self.origins);
        if !origins.is_empty() {
            for diagnostic in &mut self.items {
                if diagnostic.code.is_load_step() {
                    continue;
                }
                let Some(label) = diagnostic.primary.as_mut() else {
                    continue;
                };
                if let Some((_, origin)) =
                    origins.iter().find(|(span, _)| within(label.span, *span))
                {
                    label.text = Some(match label.text.take() {
                        Some(text) => format!("{text} ({origin})"),
                        None => origin.clone(),
                    });
                }
            }
        }
        self.items.sort_by_key(Diagnostic::sort_key);
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// Whether `inner` lies inside `outer`.
fn within(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && outer.start <= inner.start && inner.end <= outer.end
}
