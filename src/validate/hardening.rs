//! Hints that make a compromised container harder to exploit, as warnings: a service whose
//! root file system stays writable (`read_only: true` keeps a process from changing the
//! image's programs and libraries; `tmpfs:` gives it the paths it must write).

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Project;

/// Services named in the message and labelled in the file, at most.
const SHOWN: usize = 5;

/// One warning for the project, a label on each service that can write its root file
/// system (in the order of the file). A hint for a project that is otherwise right: none
/// while there are errors to fix.
pub(super) fn check(project: &Project, diags: &mut Diagnostics) {
    if diags.has_errors() {
        return;
    }
    let mut writable: Vec<_> = project.services.values().filter(|s| !s.read_only).collect();
    writable.sort_by_key(|s| (s.span.file, s.span.start));
    let Some((first, rest)) = writable.split_first() else {
        return;
    };
    // Named and labelled up to a few: a large project gets a count, not a page of labels.
    let names: Vec<String> = writable
        .iter()
        .take(SHOWN)
        .map(|s| format!("`{}`", s.name))
        .collect();
    let more = writable.len().saturating_sub(SHOWN);
    let (subject, verb) = match (names.as_slice(), more) {
        ([one], 0) => (one.clone(), "can"),
        ([many @ .., last], 0) => (format!("{} and {last}", many.join(", ")), "can each"),
        (shown, more) => (
            format!("{} and {more} more services", shown.join(", ")),
            "can each",
        ),
    };
    let mut diagnostic = Diagnostic::new(
        Code::WritableRootFilesystem,
        format!("{subject} {verb} write to the root file system"),
    )
    .at_labelled(first.span, "writable root file system");
    for service in rest.iter().take(SHOWN - 1) {
        diagnostic = diagnostic.with_label(service.span, "here too");
    }
    diags.push(diagnostic.with_help(
        "add `read_only: true` to each, and `tmpfs:` for the paths the program writes (`tmpfs: [/tmp, /var/run]`): a compromised process then cannot change the image's files",
    ));
}
