//! The case harness, one test per folder: every folder under `testdata/ok/` must compile
//! without error (`cases::ok::<folder>`) and every folder under `testdata/err/` must give
//! at least one error (`cases::err::<folder>`). A case's Compose files are `compose.yaml`
//! (with `compose.override.yaml`, when there is one) or those its `files` list names. Each
//! case's template and resolved `config` (or rendered diagnostics) are snapshots beside its
//! input. Each ok case also passes the checks every template must pass
//! ([`template::check`]), which write it where the CI's cfn-lint step reads it.

use std::path::{Path, PathBuf};

use compose2cfn::diag::render::{MessageFormat, render};
use compose2cfn::emit::{self, Format};
use libtest_mimic::Trial;

use crate::support::{project, root, template};

trials![
    every_code_has_a_case,
    secret_contents_never_reach_a_template
];

/// One trial per case folder: `cases::ok::<folder>` and `cases::err::<folder>`.
pub(crate) fn each() -> Vec<Trial> {
    let ok = folders("ok")
        .into_iter()
        .map(|dir| case("ok", dir, ok_case));
    let err = folders("err")
        .into_iter()
        .map(|dir| case("err", dir, err_case));
    ok.chain(err).collect()
}

/// The trial `cases::<kind>::<folder>`: `test` on the folder.
fn case(kind: &str, dir: PathBuf, test: fn(&Path)) -> Trial {
    Trial::test(format!("cases::{kind}::{}", file_name(&dir)), move || {
        test(&dir);
        Ok(())
    })
}

/// The folders under `testdata/<kind>/`, sorted.
fn folders(kind: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("testdata").join(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn file_name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

/// The case in `dir` compiled, after checking that it is one.
fn compile(dir: &Path) -> compose2cfn::Compilation {
    assert!(
        dir.join("compose.yaml").is_file(),
        "{}: a case folder holds a compose.yaml",
        dir.display()
    );
    project::compile(dir)
}

fn snapshot_settings(dir: &Path) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// A nested template with only its first five resources, and a comment saying how many
/// more it holds.
fn excerpt(tree: &emit::Tree) -> String {
    const SHOWN: usize = 5;
    let mut tree = tree.clone();
    let mut more = 0;
    if let emit::Tree::Map(entries) = &mut tree
        && let Some((_, emit::Tree::Map(resources))) =
            entries.iter_mut().find(|(k, _)| k == "Resources")
    {
        more = resources.len().saturating_sub(SHOWN);
        resources.truncate(SHOWN);
    }
    format!(
        "# The first {SHOWN} resources; {more} more follow.\n{}",
        emit::value(&tree, Format::Yaml)
    )
}

/// Cases whose `graph` (mermaid) and `plan` are snapshots too.
const INSPECTED: [&str; 2] = ["ports-http", "x-aws-iam"];

fn ok_case(dir: &Path) {
    let name = file_name(dir);
    let compilation = compile(dir);
    let rendered = render(
        &compilation.diagnostics,
        &compilation.sources,
        MessageFormat::Human,
        false,
    );
    assert!(
        !compilation.has_errors(),
        "ok case {name} has errors:\n{rendered}"
    );
    let again = compile(dir);
    let yaml = template::check(&format!("ok-{name}"), &compilation, &again);
    let rendered = rendered.replace(&dir.display().to_string(), "<case>");
    let config = project::config(dir);
    snapshot_settings(dir).bind(|| {
        insta::assert_binary_snapshot!("template.yaml", yaml.into_bytes());
        // A split project: which templates, and the first nested one with its first
        // resources (a nested template holds hundreds).
        if let Some((_, first)) = compilation.trees().get(1) {
            let layout: String = compilation
                .documents
                .iter()
                .map(|d| {
                    format!(
                        "{} ({} bytes)\n",
                        d.path.as_deref().unwrap_or("<root>"),
                        d.yaml.len()
                    )
                })
                .collect();
            insta::assert_snapshot!("layout", layout);
            insta::assert_binary_snapshot!("nested.yaml", excerpt(first).into_bytes());
        }
        insta::assert_binary_snapshot!("config.yaml", config.into_bytes());
        if !compilation.diagnostics.is_empty() {
            insta::assert_snapshot!("warnings", rendered);
        }
        if INSPECTED.contains(&name.as_str()) {
            graph_and_plan(&compilation);
        }
    });
}

/// The `graph` (mermaid; dot is only checked to be one graph) and `plan` snapshots.
fn graph_and_plan(compilation: &compose2cfn::Compilation) {
    use compose2cfn::inspect::{graph, plan};
    let (template, project, tree) = (
        compilation.template.as_ref().unwrap(),
        compilation.project.as_ref().unwrap(),
        compilation.root.as_ref().unwrap(),
    );
    let mermaid = graph::graph(template, project, graph::GraphFormat::Mermaid);
    let dot = graph::graph(template, project, graph::GraphFormat::Dot);
    assert!(dot.starts_with("digraph") && dot.matches('{').count() == dot.matches('}').count());
    insta::assert_snapshot!("graph.mmd", mermaid);
    insta::assert_snapshot!("plan", plan::plan(template, project, tree));
}

fn err_case(dir: &Path) {
    let name = file_name(dir);
    let compilation = compile(dir);
    assert!(
        compilation.has_errors(),
        "err case {name} compiled without error"
    );
    assert!(compilation.template.is_none());
    let rendered = render(
        &compilation.diagnostics,
        &compilation.sources,
        MessageFormat::Human,
        false,
    );
    let rendered = rendered.replace(&dir.display().to_string(), "<case>");
    let json = render(
        &compilation.diagnostics,
        &compilation.sources,
        MessageFormat::Json,
        false,
    )
    .replace(&dir.display().to_string(), "<case>");
    snapshot_settings(dir).bind(|| {
        insta::assert_snapshot!("diagnostics", rendered);
        insta::assert_snapshot!("diagnostics.json", json);
    });
}

/// Every diagnostic code is shown by at least one case (errors by `err` cases, warnings by
/// either kind).
fn every_code_has_a_case() {
    let mut seen = std::collections::BTreeSet::new();
    for dir in folders("ok").into_iter().chain(folders("err")) {
        let compilation = compile(&dir);
        let err_case = dir.parent().unwrap().ends_with("err");
        for d in &compilation.diagnostics {
            if err_case || !d.is_error() {
                seen.insert(d.code);
            }
        }
    }
    // A template over 1 MiB, and more than 5,000 services, need inputs too large to keep
    // in testdata, and a policy violation a `--policy` file: a unit test in
    // `validate/limits.rs`, `hostile` and `policy` show them.
    let exempt = [
        compose2cfn::diag::Code::TemplateTooLarge,
        compose2cfn::diag::Code::TooManyServices,
        compose2cfn::diag::Code::PolicyViolation,
    ];
    let missing: Vec<String> = compose2cfn::diag::Code::ALL
        .iter()
        .filter(|c| !seen.contains(c) && !exempt.contains(c))
        .map(|c| format!("{c} ({})", c.name()))
        .collect();
    assert!(
        missing.is_empty(),
        "no testdata case shows: {}",
        missing.join(", ")
    );
}

/// No `file:` secret's content, in any ok case or corpus project, appears in a template
/// the compiler emits (in either format).
fn secret_contents_never_reach_a_template() {
    let mut dirs = folders("ok");
    dirs.extend(crate::support::corpus().unwrap_or_default());
    let mut checked = 0;
    for dir in dirs {
        let compilation = project::compile(&dir);
        let (Some(yaml), Some(json), Some(tree)) = (
            compilation.output(Format::Yaml),
            compilation.output(Format::Json),
            compilation.root.as_ref(),
        ) else {
            continue;
        };
        let files = tree
            .get("secrets")
            .and_then(compose2cfn::load::Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.value.get("file")?.as_str().map(|f| dir.join(f)));
        for file in files {
            let Ok(content) = std::fs::read_to_string(&file) else {
                continue;
            };
            let content = content.trim();
            if content.len() < 4 {
                continue;
            }
            assert!(
                !yaml.contains(content) && !json.contains(content),
                "{}: the content of {} is in the template",
                dir.display(),
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no secret file was checked");
}
