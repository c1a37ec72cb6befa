//! House rules a reviewer should not have to check by hand: every module, the tests' too,
//! says what it owns in a `//!` header, `ARCHITECTURE.md` maps every source file, the
//! modules import each other in the pipeline's order without a circle, and the
//! integration tests stay one binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

trials![
    every_module_has_a_header,
    architecture_maps_every_source_file,
    imports_follow_the_layers_without_a_circle,
    the_integration_tests_are_one_binary
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The Rust files of `src/` and `tests/`, sorted.
fn all_sources() -> (PathBuf, Vec<PathBuf>) {
    let root = crate::support::root();
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    sources(&root.join("tests"), &mut files);
    files.sort();
    (root, files)
}

fn every_module_has_a_header() {
    let (root, files) = all_sources();
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` header: {missing:?}"
    );
}

fn architecture_maps_every_source_file() {
    let (root, files) = all_sources();
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let missing: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .filter(|f| {
            let file_name = Path::new(f)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let dir = Path::new(f).parent().unwrap().display().to_string();
            // `src/emit/` covers the files of a folder the map describes as one.
            !map.contains(&format!("`{f}`"))
                && !map.contains(&format!("`{dir}/`"))
                && (file_name == "mod.rs" || !map.contains(&format!("`{file_name}`")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not map: {missing:?}"
    );
}

/// The top-level modules of `src/`, lowest layer first: a module may import its own layer's
/// and those below it, never one above (`ARCHITECTURE.md`, "Layers").
const LAYERS: &[&[&str]] = &[
    &["source", "diag", "par", "memory", "ir"],
    &["load"],
    &["schema"],
    &["model"],
    &["platform"],
    &["validate"],
    &["lower"],
    &["emit"],
    &["audit", "policy", "inspect", "config", "output"],
    &["cli"],
];

/// A source file's module path (`src/emit/stacks/scope.rs` → `emit::stacks::scope`).
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let relative = file
        .strip_prefix(root.join("src"))
        .unwrap()
        .with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The modules a file imports through `crate::` and `super::` paths (the longest prefix
/// of each path that is a module), its tests left out.
fn imports(root: &Path, file: &Path, modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let me = module_of(root, file);
    let mut found = BTreeSet::new();
    for (at, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let path: Vec<&str> = code[at..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .next()
            .unwrap_or_default()
            .split("::")
            .filter(|s| !s.is_empty())
            .collect();
        let mut target: Vec<String> = if path[0] == "crate" {
            Vec::new()
        } else {
            // `super` from `a/b.rs` is `a`; from `a/b/mod.rs` (module `a::b`), also `a`.
            me[..me.len().saturating_sub(1)].to_vec()
        };
        for segment in &path[1..] {
            if *segment == "super" {
                target.pop();
            } else {
                target.push((*segment).to_string());
            }
        }
        while !target.is_empty() && !modules.contains(&target) {
            target.pop();
        }
        if !target.is_empty() && target != me {
            found.insert(target);
        }
    }
    found
}

fn imports_follow_the_layers_without_a_circle() {
    let (root, mut files) = all_sources();
    files.retain(|f| f.starts_with(root.join("src")));
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&root, f)).collect();
    let layer = |module: &[String]| {
        LAYERS.iter().position(|layer| {
            module
                .first()
                .is_some_and(|top| layer.contains(&top.as_str()))
        })
    };
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut upward = Vec::new();
    for file in &files {
        let me = module_of(&root, file);
        if me.is_empty() {
            continue; // lib.rs and main.rs: the driver imports every step
        }
        let Some(mine) = layer(&me) else {
            panic!("`{}` is in no layer of tests/tidy.rs", me.join("::"));
        };
        for target in imports(&root, file, &modules) {
            if layer(&target).is_some_and(|theirs| theirs > mine) {
                upward.push(format!("{} -> {}", me.join("::"), target.join("::")));
            }
            graph.entry(me.clone()).or_default().insert(target);
        }
    }
    assert!(
        upward.is_empty(),
        "imports from a lower layer back up: {upward:#?}"
    );
    // A circle: a module that reaches itself. A child importing its parent (`super::`)
    // is no circle; nor is a parent declaring its children (not an import here).
    let mut circles = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&Vec<String>> = graph[start].iter().collect();
        while let Some(next) = stack.pop() {
            if next == start {
                circles.push(start.join("::"));
                break;
            }
            if seen.insert(next) {
                stack.extend(graph.get(next).into_iter().flatten());
            }
        }
    }
    assert!(
        circles.is_empty(),
        "modules in an import circle: {circles:?}"
    );
}

/// `tests/` holds `it/` alone: a file beside it would be a test binary of its own, which
/// links the crate again and runs apart from this harness.
fn the_integration_tests_are_one_binary() {
    let entries: Vec<String> = std::fs::read_dir(crate::support::root().join("tests"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["it"], "tests/ holds more than tests/it/");
}
