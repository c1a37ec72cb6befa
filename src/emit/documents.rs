//! The compiled template as the documents written: one template, or a root stack and
//! nested stacks when one template would pass a quota (or the split is asked for), the
//! `x-aws-cloudformation` overlay merged into each.
//!
//! A document is written as YAML straight from the compiled template (a nested stack's
//! resources rewritten as they are written), on every core when there are many; then
//! each is checked, in order, and kept as text. Only an overlay needs a tree to merge
//! into. What needs the trees (the JSON form, policies) builds them from the same
//! [`Cut`], which gives the same documents.

use std::ops::ControlFlow;

use super::limits::{self, Counts};
use super::stacks::{self, Group, NestedStack};
use super::{Tree, overlay};
use crate::diag::Diagnostics;
use crate::emit;
use crate::ir::Template;
use crate::load::Node;
use crate::par;

/// How a compiled template is cut into documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cut {
    /// One template.
    Whole,
    /// A root stack and nested stacks, the groups in `finer` split further even though
    /// they fit the counted quotas (their template was too large in bytes).
    Split { finer: Vec<Group> },
}

/// One document of a cut, before it is written.
pub struct Piece<'d> {
    /// Its path relative to the root template (`None`: the root).
    pub path: Option<&'d str>,
    /// The group of a nested stack of more than one service, which can be cut finer.
    pub divisible: Option<Group>,
    pub source: Source<'d>,
}

/// What a document is written from.
pub enum Source<'d> {
    /// A template (the project's, or a split project's root), as it is.
    Template(&'d Template),
    /// A nested stack, its resources rewritten as they are written.
    Nested(&'d NestedStack<'d>),
    /// A tree, the overlay merged into it.
    Tree(Tree),
}

impl Source<'_> {
    /// The document as YAML (straight from the template when there is no tree).
    #[must_use]
    pub fn yaml(&self) -> String {
        match self {
            Source::Template(template) => emit::yaml(template),
            Source::Nested(stack) => stack.yaml(),
            Source::Tree(tree) => emit::value(tree, emit::Format::Yaml),
        }
    }

    /// The document as a tree.
    #[must_use]
    pub fn tree(self) -> Tree {
        match self {
            Source::Template(template) => emit::document(template),
            Source::Nested(stack) => stack.document(),
            Source::Tree(tree) => tree,
        }
    }

    /// What the quotas count in it.
    fn counts(&self) -> Counts {
        match self {
            Source::Template(template) => Counts::of_template(template),
            Source::Nested(stack) => Counts {
                resources: stack.ids().count(),
                ..Counts::of_template(&stack.template)
            },
            Source::Tree(tree) => Counts::of_tree(tree),
        }
    }

    /// The length of its JSON form.
    fn json_len(&self) -> usize {
        match self {
            Source::Tree(tree) => emit::json::len(tree),
            Source::Template(template) => emit::json::len(&emit::document(template)),
            Source::Nested(stack) => emit::json::len(&stack.document()),
        }
    }
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
    let layout = layout(compiled, project, cut);
    for piece in pieces(compiled, layout.as_ref(), overlay) {
        if each(piece).is_break() {
            return;
        }
    }
}

/// The root and nested stacks of a split cut (`None`: one template).
fn layout<'a>(compiled: &'a Template, project: &str, cut: &Cut) -> Option<stacks::Layout<'a>> {
    match cut {
        Cut::Whole => None,
        Cut::Split { finer } => Some(stacks::split(compiled, project, finer)),
    }
}

/// The documents of `compiled` as `layout` cuts it (one template without one), the root
/// first, each with its part of the overlay merged as the iterator reaches it.
fn pieces<'d>(
    compiled: &'d Template,
    layout: Option<&'d stacks::Layout<'d>>,
    overlay: Option<&serde_json::Value>,
) -> impl Iterator<Item = Piece<'d>> {
    let (root, stacks, patches) = match layout {
        None => (
            merged(Source::Template(compiled), overlay),
            &[][..],
            Vec::new(),
        ),
        Some(stacks::Layout { root, nested }) => {
            let (root_patch, patches) = match overlay {
                Some(overlay) => {
                    let ids: Vec<Vec<&str>> =
                        nested.iter().map(|stack| stack.ids().collect()).collect();
                    let (root, nested) = overlay::partition(overlay, &ids);
                    (Some(root), nested)
                }
                None => (None, vec![None; nested.len()]),
            };
            let root = merged(Source::Template(root), root_patch.as_ref());
            (root, nested.as_slice(), patches)
        }
    };
    let root = Piece {
        path: None,
        divisible: None,
        source: root,
    };
    let nested = stacks.iter().zip(patches).map(|(stack, patch)| Piece {
        path: Some(&stack.path),
        divisible: (stack.services.len() > 1).then_some(stack.group),
        source: merged(Source::Nested(stack), patch.as_ref()),
    });
    std::iter::once(root).chain(nested)
}

/// A document with an overlay merged into it: as a tree.
fn merged<'d>(source: Source<'d>, overlay: Option<&serde_json::Value>) -> Source<'d> {
    match overlay {
        Some(overlay) => {
            let mut tree = source.tree();
            overlay::apply(&mut tree, overlay);
            Source::Tree(tree)
        }
        None => source,
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
        let layout = layout(compiled, project, &cut);
        for (piece, counts, yaml) in written(pieces(compiled, layout.as_ref(), overlay)) {
            if yaml.len() > limits::MAX_BYTES {
                match (&cut, piece.divisible) {
                    (Cut::Whole, _) => coarse = true,
                    (Cut::Split { .. }, Some(group)) => {
                        coarse = true;
                        oversized.push(group);
                    }
                    (Cut::Split { .. }, None) => {}
                }
            }
            if coarse {
                continue;
            }
            // Only a document the overlay was merged into (a tree) can refer to something
            // it no longer has: the compiled ones are whole by construction.
            if let Source::Tree(tree) = &piece.source {
                overlay::check_references(tree, root, &mut found);
            }
            let path = piece.path;
            let json = || piece.source.json_len();
            if let Some(yaml) = limits::check(counts, json, path, yaml, root, &mut found) {
                documents.push(Document {
                    path: path.map(str::to_string),
                    yaml,
                });
            }
        }
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

/// Resources a thread writes at the least (one takes some 4 µs cold); as for
/// [`par::MIN_SERVICES`], a thread is worth it only for a long share of work.
const RESOURCES_PER_THREAD: usize = 256;

/// Each piece with what the quotas count in it and its YAML, in order; the documents are
/// written on every core when they hold enough resources in all to be worth a thread, in
/// shares of about as many resources (a 1,000-service project's 16 nested stacks took a
/// third of its run on one core).
fn written<'d>(pieces: impl Iterator<Item = Piece<'d>>) -> Vec<(Piece<'d>, Counts, String)> {
    let counted: Vec<(Piece, Counts)> = pieces
        .map(|piece| {
            let counts = piece.source.counts();
            (piece, counts)
        })
        .collect();
    par::chunks_weighed(
        counted,
        |(_, counts)| counts.resources,
        RESOURCES_PER_THREAD,
        |chunk| {
            chunk
                .into_iter()
                .map(|(piece, counts)| {
                    let yaml = piece.source.yaml();
                    (piece, counts, yaml)
                })
                .collect::<Vec<_>>()
        },
    )
    .into_iter()
    .flatten()
    .collect()
}
