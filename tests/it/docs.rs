//! The generated documentation is current (`UPDATE_DOCS=1 cargo test --test it -- docs::`
//! rewrites it), and what it shows is true: every diagnostic code's example gets that code, and its
//! fix gets neither that code nor any error.

use std::path::{Path, PathBuf};

use compose2cfn::diag::{Code, explain};
use compose2cfn::load::{Input, Options};

use crate::support::{root, yaml_as_json};

trials![
    diagnostics_reference_is_current,
    compose_support_reference_is_current,
    every_example_shows_its_code_and_every_fix_cures_it,
    every_key_of_the_official_schema_has_a_support_row,
    the_pre_commit_hook_runs_check_on_the_project
];

/// Compares `path` with `text`, or writes it when `UPDATE_DOCS` is set.
fn check_generated(path: &str, text: &str) {
    let path = root().join(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == text,
        "{} is out of date: run `UPDATE_DOCS=1 cargo test --test it -- docs::`",
        path.display()
    );
}

fn diagnostics_reference_is_current() {
    check_generated("docs/diagnostics.md", &explain::markdown());
}

fn compose_support_reference_is_current() {
    check_generated(
        "docs/compose-support.md",
        &compose2cfn::validate::support::markdown(),
    );
}

/// The codes `compose.yaml` (with `files` beside it) gets, errors first.
fn codes(compose: &str, files: &[(&str, &str)], dir: &Path) -> Vec<(Code, bool)> {
    for entry in std::fs::read_dir(dir).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    std::fs::write(dir.join("compose.yaml"), compose).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let options = Options {
        working_dir: dir.to_path_buf(),
        ..Options::default()
    };
    let input = Input::Path(PathBuf::from("compose.yaml"));
    let compilation = compose2cfn::compile(&[input], &options).unwrap();
    compilation
        .diagnostics
        .iter()
        .map(|d| (d.code, d.is_error()))
        .collect()
}

fn every_example_shows_its_code_and_every_fix_cures_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for code in Code::ALL {
        let doc = explain::lookup(*code);
        let example = codes(doc.example, doc.files, dir.path());
        if doc.checked && !example.iter().any(|(c, _)| c == code) {
            wrong.push(format!("{code}: the example gets {example:?}"));
        }
        let fix = codes(doc.fix, doc.files, dir.path());
        if fix.iter().any(|(c, error)| c == code || *error) {
            wrong.push(format!("{code}: the fix gets {fix:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Where the official schema lists the keys of each section of the support table.
const SCHEMA_SECTIONS: &[(&[&str], &str)] = &[
    (&["properties"], ""),
    (&["definitions", "service", "properties"], "services.*"),
    (
        &["definitions", "deployment", "properties"],
        "services.*.deploy",
    ),
    (
        &[
            "definitions",
            "deployment",
            "properties",
            "update_config",
            "properties",
        ],
        "services.*.deploy.update_config",
    ),
    (
        &[
            "definitions",
            "deployment",
            "properties",
            "resources",
            "properties",
            "limits",
            "properties",
        ],
        "services.*.deploy.resources.limits",
    ),
    (
        &[
            "definitions",
            "deployment",
            "properties",
            "resources",
            "properties",
            "reservations",
            "properties",
        ],
        "services.*.deploy.resources.reservations",
    ),
    (&["definitions", "network", "properties"], "networks.*"),
    (&["definitions", "volume", "properties"], "volumes.*"),
    (&["definitions", "secret", "properties"], "secrets.*"),
    (&["definitions", "config", "properties"], "configs.*"),
];

fn every_key_of_the_official_schema_has_a_support_row() {
    let path = root().join("../shared/compose-spec/compose-spec.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("../shared/compose-spec is absent: skipped");
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let table = compose2cfn::validate::support::TABLE;
    let mut missing = Vec::new();
    for (pointer, section) in SCHEMA_SECTIONS {
        let mut node = &schema;
        for step in *pointer {
            node = &node[*step];
        }
        let keys = node
            .as_object()
            .unwrap_or_else(|| panic!("no {pointer:?} in the schema"));
        for key in keys.keys() {
            if !table.iter().any(|r| r.section == *section && r.key == key) {
                missing.push(format!("{section}.{key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no support row for: {}",
        missing.join(", ")
    );
}

fn the_pre_commit_hook_runs_check_on_the_project() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks = yaml_as_json(".pre-commit-hooks.yaml", &text);
    let hook = &hooks[0];
    assert_eq!(hook["id"], "compose2cfn-check");
    assert_eq!(hook["entry"], "compose2cfn check");
    assert_eq!(hook["language"], "rust");
    // The project is checked as a whole (base and override merged), not file by file.
    assert_eq!(hook["pass_filenames"], false);
    let files = hook["files"].as_str().unwrap();
    assert!(
        files.contains("compose") && files.contains("\\.env"),
        "{files}"
    );
}
