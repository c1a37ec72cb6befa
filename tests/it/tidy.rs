//! House rules a reviewer should not have to check by hand: every module, the tests' too,
//! says what it owns in a `//!` header, `ARCHITECTURE.md` maps every source file, and the
//! integration tests stay one binary.

use std::path::{Path, PathBuf};

trials![
    every_module_has_a_header,
    architecture_maps_every_source_file,
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

/// `tests/` holds `it/` alone: a file beside it would be a test binary of its own, which
/// links the crate again and runs apart from this harness.
fn the_integration_tests_are_one_binary() {
    let entries: Vec<String> = std::fs::read_dir(crate::support::root().join("tests"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["it"], "tests/ holds more than tests/it/");
}
