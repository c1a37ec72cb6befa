//! The generated documentation is current (`UPDATE_DOCS=1 cargo test --test it -- docs::`
//! rewrites it), and what it shows is true: every diagnostic code's example gets that code,
//! and its fix gets neither that code nor any error; every row of the Compose support table
//! names files that exist and is shown by the testdata cases it names.

use std::path::{Path, PathBuf};

use compose2cfn::diag::{Code, explain};
use compose2cfn::load::{Input, Options};

use crate::support::{root, yaml_as_json};

trials![
    diagnostics_reference_is_current,
    compose_support_reference_is_current,
    every_example_shows_its_code_and_every_fix_cures_it,
    every_key_of_the_official_schema_has_a_support_row,
    every_support_row_names_files_that_exist,
    every_support_row_is_shown_by_its_cases,
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

/// Every file a support row names exists: when code moves, the table must follow.
fn every_support_row_names_files_that_exist() {
    let mut wrong = Vec::new();
    for row in compose2cfn::validate::support::TABLE {
        if row.files.is_empty() {
            wrong.push(format!("{}: names no file", support_row_name(row)));
        }
        for (i, file) in row.files.iter().enumerate() {
            if !file.starts_with("src/") || !root().join(file).is_file() {
                wrong.push(format!("{}: no file {file}", support_row_name(row)));
            }
            if row.files[..i].contains(file) {
                wrong.push(format!("{}: {file} twice", support_row_name(row)));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every support row is true of its cases: each case exists and uses the key where the
/// row says, and its snapshots show what the row claims (a lowered key compiles without a
/// word about it from the table and its template holds what it becomes; an ignored key
/// gets `W0401`, a rejected one `E0402`, one not supported yet `E0412`).
fn every_support_row_is_shown_by_its_cases() {
    let mut wrong = Vec::new();
    for row in compose2cfn::validate::support::TABLE {
        let name = support_row_name(row);
        wrong.extend(
            support_row_problems(row)
                .into_iter()
                .map(|problem| format!("{name}: {problem}")),
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `services.*.ports`, `version`.
fn support_row_name(row: &compose2cfn::validate::support::Row) -> String {
    if row.section.is_empty() {
        row.key.to_string()
    } else {
        format!("{}.{}", row.section, row.key)
    }
}

/// The codes the support table itself reports: ignored, rejected, not yet.
const SUPPORT_CODES: [&str; 3] = ["W0401", "E0402", "E0412"];

/// The codes the table reports for a row, about its key.
fn support_codes(support: &compose2cfn::validate::support::Support) -> &'static [&'static str] {
    use compose2cfn::validate::support::Support;
    match support {
        Support::Ignored(_) => &SUPPORT_CODES[..1],
        Support::Rejected(_) => &SUPPORT_CODES[1..2],
        Support::NotYet(_) => &SUPPORT_CODES[2..],
        Support::Depends(..) => &SUPPORT_CODES,
        Support::Lowered(_) | Support::Resolved(_) | Support::Dropped(_) | Support::Checked(_) => {
            &[]
        }
    }
}

/// What is wrong with a row's cases: a claim no case shows, or a case that does not show
/// what it should.
fn support_row_problems(row: &compose2cfn::validate::support::Row) -> Vec<String> {
    use compose2cfn::validate::support::{Shows, Support};
    let compiles = row.cases.iter().any(|e| {
        e.case.starts_with("ok/") && matches!(e.shows, Shows::Compiles | Shows::Template(_))
    });
    let with_code = |code: &str, kind: &str| {
        row.cases
            .iter()
            .any(|e| e.case.starts_with(kind) && matches!(e.shows, Shows::Code(c) if c == code))
    };
    let shown = match row.support {
        Support::Lowered(_) | Support::Resolved(_) | Support::Dropped(_) => compiles,
        Support::Ignored(_) => with_code("W0401", ""),
        Support::Rejected(_) => with_code("E0402", "err/"),
        Support::NotYet(_) => with_code("E0412", "err/"),
        Support::Depends(..) | Support::Checked(_) => !row.cases.is_empty(),
    };
    let mut problems = Vec::new();
    if !shown {
        problems.push(format!("no case shows it {}", row.support.kind()));
    }
    for evidence in row.cases {
        problems.extend(
            evidence_problems(row, evidence)
                .into_iter()
                .map(|problem| format!("{}: {problem}", evidence.case)),
        );
    }
    problems
}

/// What is wrong with one case of a row.
fn evidence_problems(
    row: &compose2cfn::validate::support::Row,
    evidence: &compose2cfn::validate::support::Evidence,
) -> Vec<String> {
    use compose2cfn::validate::support::Shows;
    let dir = root().join("testdata").join(evidence.case);
    let ok = evidence.case.starts_with("ok/");
    if !(ok || evidence.case.starts_with("err/")) || !dir.join("compose.yaml").is_file() {
        return vec!["no such case".to_string()];
    }
    let mut problems = Vec::new();
    if !case_uses_key(&dir, row.section, row.key) {
        problems.push("its Compose files do not use the key there".to_string());
    }
    let diagnostics = snapshot_diagnostics(&dir, ok);
    let about_key = |code: &str| {
        diagnostics
            .iter()
            .any(|(c, message)| c == code && names_key(message, row.section, row.key))
    };
    match evidence.shows {
        Shows::Compiles | Shows::Template(_) => {
            if !ok {
                problems.push("an err case cannot show that the key compiles".to_string());
            }
            for code in SUPPORT_CODES.iter().filter(|c| about_key(c)) {
                problems.push(format!("its diagnostics have {code} about the key"));
            }
            if let Shows::Template(text) = evidence.shows
                && !case_template(&dir).contains(text)
            {
                problems.push(format!("its template does not hold `{text}`"));
            }
        }
        Shows::Code(code) => {
            let shown = if compose2cfn::diag::Code::parse(code).is_none() {
                false
            } else if support_codes(&row.support).contains(&code) {
                about_key(code)
            } else {
                diagnostics.iter().any(|(c, _)| c == code)
            };
            if !shown {
                problems.push(format!("its diagnostics do not have {code}"));
            }
        }
    }
    problems
}

/// Whether one of the case's Compose files (those of its `files` list, else `compose.yaml`
/// and `compose.override.yaml`) has `key` in `section` (`services.*.deploy`: under
/// `deploy` of any service).
fn case_uses_key(dir: &Path, section: &str, key: &str) -> bool {
    let names: Vec<String> = match std::fs::read_to_string(dir.join("files")) {
        Ok(list) => list.lines().map(String::from).collect(),
        Err(_) => vec!["compose.yaml".into(), "compose.override.yaml".into()],
    };
    let mut sources = compose2cfn::source::SourceMap::new();
    names.iter().any(|name| {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
            return false;
        };
        let id = sources.add(name, None, text.clone());
        let mut diags = compose2cfn::diag::Diagnostics::new();
        let Some(document) = compose2cfn::load::yaml::parse(&text, id, &mut diags) else {
            return false;
        };
        let mut nodes = vec![&document];
        for step in section.split('.').filter(|s| !s.is_empty()) {
            nodes = nodes
                .into_iter()
                .flat_map(|node| match step {
                    "*" => node
                        .as_map()
                        .unwrap_or_default()
                        .iter()
                        .map(|e| &e.value)
                        .collect(),
                    key => node.get(key).into_iter().collect::<Vec<_>>(),
                })
                .collect();
        }
        nodes.iter().any(|node| node.get(key).is_some())
    })
}

/// Whether a diagnostic's message is about `key` of `section`: the table writes it first,
/// quoted, as a path (`deploy.labels`, `networks.back.ipam`).
fn names_key(message: &str, section: &str, key: &str) -> bool {
    let Some(quoted) = message
        .strip_prefix('`')
        .and_then(|rest| rest.split_once('`'))
        .map(|(quoted, _)| quoted)
    else {
        return false;
    };
    match section.strip_prefix("services.*") {
        Some("") => quoted == key,
        Some(under) => quoted.strip_prefix(&under[1..]) == Some(&format!(".{key}")),
        None if section.is_empty() => quoted == key,
        None => {
            let top = section.trim_end_matches(".*");
            quoted
                .strip_prefix(top)
                .and_then(|rest| rest.strip_prefix('.'))
                .and_then(|rest| rest.strip_suffix(key))
                .is_some_and(|name| name.len() > 1 && name.ends_with('.'))
        }
    }
}

/// A case's diagnostics (code, message), from its snapshot: an ok case's rendered
/// warnings, an err case's JSON diagnostics.
fn snapshot_diagnostics(dir: &Path, ok: bool) -> Vec<(String, String)> {
    let file = if ok {
        "warnings.snap"
    } else {
        "diagnostics.json.snap"
    };
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    // After insta's header: `---`, its fields, `---`.
    let body = text.lines().skip_while(|l| *l != "---").skip(1);
    let mut body = body.skip_while(|l| *l != "---").skip(1);
    if !ok {
        return body
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .map(|d| {
                let field = |name: &str| d[name].as_str().unwrap_or_default().to_string();
                (field("code"), field("message"))
            })
            .collect();
    }
    let mut out = Vec::new();
    while let Some(line) = body.next() {
        let code = ["warning[", "error["]
            .iter()
            .find_map(|start| line.strip_prefix(start)?.strip_suffix(']'));
        if let Some(code) = code
            && let Some(message) = body.by_ref().find_map(|l| {
                let l = l.trim_start();
                l.strip_prefix("⚠ ").or_else(|| l.strip_prefix("× "))
            })
        {
            out.push((code.to_string(), message.to_string()));
        }
    }
    out
}

/// An ok case's template as its snapshots hold it (with a split project's first nested
/// template).
fn case_template(dir: &Path) -> String {
    ["template.snap.yaml", "nested.snap.yaml"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .collect()
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
