//! The compiled template as the documents written: one template, or a root stack and
//! nested stacks when one template would pass a quota (or the split is asked for), the
//! `x-aws-cloudformation` overlay merged into each.
//!
//! A document is built, checked, written as YAML and dropped in turn: a large project
//! never holds more than one document tree, and a tree borrows its strings from the
//! compiled template instead of copying them. What needs the trees again (the JSON form,
//! policies) builds them again from the same [`Cut`], which gives the same documents.

use std::ops::ControlFlow;

use crate::diag::Diagnostics;
use crate::emit::{self, Tree};
use crate::ir::Template;
use crate::load::Node;
use crate::stacks::{self, Group};
use crate::validate;

/// How a compiled template is cut into documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cut {
    /// One template.
    Whole,
    /// A root stack and nested stacks, the groups in `finer` split further even though
    /// they fit the counted quotas (their template was too large in bytes).
    Split { finer: Vec<Group> },
}

/// One document of a cut, as it is built.
pub struct Piece<'d> {
    /// Its path relative to the root template (`None`: the root).
    pub path: Option<&'d str>,
    /// The group of a nested stack of more than one service, which can be cut finer.
    pub divisible: Option<Group>,
    pub tree: Tree<'d>,
}

/// One document as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its path relative to the root template (`None`: the root).
    pub path: Option<String>,
    pub yaml: String,
}

/// Hands each document of `compiled`, cut as `cut` says and the overlay merged, to
/// `each`, the root first, until `each` breaks.
pub fn each(
    compiled: &Template,
    project: &str,
    overlay: Option<&serde_json::Value>,
    cut: &Cut,
    mut each: impl FnMut(Piece<'_>) -> ControlFlow<()>,
) {
    let finer = match cut {
        Cut::Whole => {
            let mut tree = emit::document(compiled);
            if let Some(overlay) = overlay {
                emit::overlay::apply(&mut tree, overlay);
            }
            let _ = each(Piece {
                path: None,
                divisible: None,
                tree,
            });
            return;
        }
        Cut::Split { finer } => finer,
    };
    let stacks::Layout { root, nested } = stacks::split(compiled, project, finer);
    let (root_patch, patches) = match overlay {
        Some(overlay) => {
            let ids: Vec<Vec<&str>> = nested.iter().map(|stack| stack.ids().collect()).collect();
            let (root, nested) = emit::overlay::partition(overlay, &ids);
            (Some(root), nested)
        }
        None => (None, vec![None; nested.len()]),
    };
    let mut tree = emit::document(&root);
    if let Some(patch) = &root_patch {
        emit::overlay::apply(&mut tree, patch);
    }
    let piece = Piece {
        path: None,
        divisible: None,
        tree,
    };
    if each(piece).is_break() {
        return;
    }
    drop(root);
    for (stack, patch) in nested.iter().zip(&patches) {
        // A nested stack's resources are rewritten for it as its document is built, from
        // the compiled template's: they are never copied into a template of their own.
        let mut tree = stack.document();
        if let Some(patch) = patch {
            emit::overlay::apply(&mut tree, patch);
        }
        let piece = Piece {
            path: Some(&stack.path),
            divisible: (stack.services.len() > 1).then_some(stack.group),
            tree,
        };
        if each(piece).is_break() {
            return;
        }
    }
}

/// The documents of a compiled template, checked against the quotas and written as
/// YAML, and the cut that gave them: one template when it fits the quotas (and `split`
/// does not ask otherwise), else a root and nested stacks, a group whose template is too
/// large in bytes cut again (the layout counts resources and parameters, not bytes).
pub fn write(
    compiled: &Template,
    project: &str,
    overlay: Option<&serde_json::Value>,
    root: &Node,
    split: bool,
    diags: &mut Diagnostics,
) -> (Cut, Vec<Document>) {
    let mut cut = if !split && stacks::within_counts(compiled) {
        Cut::Whole
    } else {
        Cut::Split { finer: Vec::new() }
    };
    loop {
        // A cut that turns out too coarse is dropped with what its checks found.
        let mut found = Diagnostics::new();
        let mut documents = Vec::new();
        let mut coarse = false;
        let mut oversized = Vec::new();
        each(compiled, project, overlay, &cut, |piece| {
            let yaml = emit::value(&piece.tree, emit::Format::Yaml);
            if yaml.len() > stacks::MAX_BYTES {
                match (&cut, piece.divisible) {
                    (Cut::Whole, _) => {
                        coarse = true;
                        return ControlFlow::Break(());
                    }
                    (Cut::Split { .. }, Some(group)) => {
                        coarse = true;
                        oversized.push(group);
                    }
                    (Cut::Split { .. }, None) => {}
                }
            }
            if coarse {
                return ControlFlow::Continue(());
            }
            if overlay.is_some() {
                validate::overlay::check_references(&piece.tree, root, &mut found);
            }
            let path = piece.path;
            if let Some(yaml) = validate::limits::check(&piece.tree, path, yaml, root, &mut found) {
                documents.push(Document {
                    path: path.map(str::to_string),
                    yaml,
                });
            }
            ControlFlow::Continue(())
        });
        if !coarse {
            diags.extend(found);
            return (cut, documents);
        }
        cut = match cut {
            Cut::Whole => Cut::Split { finer: Vec::new() },
            Cut::Split { mut finer } => {
                finer.extend(oversized);
                Cut::Split { finer }
            }
        };
    }
}
