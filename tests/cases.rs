//! The case harness: every folder under `testdata/ok/` must compile without error and
//! every folder under `testdata/err/` must give at least one error. A case's Compose files
//! are `compose.yaml` (with `compose.override.yaml`, when there is one) or those its
//! `files` list names. Each case's template and resolved `config` (or rendered
//! diagnostics) are snapshots beside its input. The harness also checks that
//! two compilations give identical bytes and that JSON and YAML output are the same
//! template, and writes every template where the CI's cfn-lint step reads them.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compose2cfn::diag::render::{MessageFormat, render};
use compose2cfn::emit::{self, Format};
use compose2cfn::load::{Input, Options};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where templates are collected for cfn-lint.
fn lint_dir() -> PathBuf {
    let dir = root().join("target/cfn-lint");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("testdata").join(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// A case's environment: `env` in the case folder (KEY=VALUE lines), else nothing.
fn case_env(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join("env"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A case's Compose files: the lines of `files` in the case folder (as `-f` takes them),
/// else what discovery finds there (`compose.yaml` and `compose.override.yaml`).
fn inputs(dir: &Path) -> Vec<Input> {
    let paths: Vec<PathBuf> = match std::fs::read_to_string(dir.join("files")) {
        Ok(list) => list.lines().map(PathBuf::from).collect(),
        Err(_) => compose2cfn::load::files::discover(dir)
            .unwrap()
            .into_iter()
            .map(|p| p.strip_prefix(dir).unwrap().to_path_buf())
            .collect(),
    };
    paths.into_iter().map(Input::Path).collect()
}

fn options(dir: &Path, env: BTreeMap<String, String>) -> Options {
    Options {
        env,
        working_dir: dir.to_path_buf(),
        ..Options::default()
    }
}

fn compile(dir: &Path, env: BTreeMap<String, String>) -> compose2cfn::Compilation {
    compose2cfn::compile(&inputs(dir), &options(dir, env)).unwrap()
}

/// The case as `compose2cfn config` prints it.
fn config(dir: &Path, env: BTreeMap<String, String>) -> String {
    let resolution = compose2cfn::resolve(&inputs(dir), &options(dir, env)).unwrap();
    let project = resolution.project.unwrap();
    emit::value(&project.canonical(), Format::Yaml).replace(&dir.display().to_string(), "<case>")
}

fn snapshot_settings(dir: &Path) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// YAML output read back with our own loader, as JSON, for comparison with JSON output.
fn yaml_as_json(text: &str) -> serde_json::Value {
    let mut sources = compose2cfn::source::SourceMap::new();
    let id = sources.add("t.yaml", None, text.to_string());
    let mut diags = compose2cfn::diag::Diagnostics::new();
    compose2cfn::load::yaml::parse(text, id, &mut diags)
        .unwrap()
        .to_json()
}

/// No IAM statement the compiler writes allows every action (`*`, `sqs:*`) or every
/// resource (`*`): a wildcard may only come from the Compose file itself (`x-aws-role`).
/// Key policies are not IAM policies: there `Resource: "*"` means the key itself.
fn no_generated_wildcards(name: &str, template: &serde_json::Value, inputs: &str) {
    let as_list = |v: &serde_json::Value| match v {
        serde_json::Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let resources = template["Resources"].as_object().unwrap();
    for (id, resource) in resources {
        let kind = resource["Type"].as_str().unwrap_or_default();
        if !matches!(
            kind,
            "AWS::IAM::Role" | "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy"
        ) {
            continue;
        }
        let properties = &resource["Properties"];
        let mut documents = vec![&properties["PolicyDocument"]];
        documents.extend(
            properties["Policies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| &p["PolicyDocument"]),
        );
        for statement in documents
            .iter()
            .flat_map(|d| d["Statement"].as_array().into_iter().flatten())
        {
            for action in as_list(&statement["Action"])
                .iter()
                .filter_map(|a| a.as_str())
            {
                let wildcard = action == "*" || action.ends_with(":*");
                assert!(
                    !wildcard || inputs.contains(action),
                    "{name}: {id} allows `{action}`, which the Compose file does not ask for"
                );
            }
            for target in as_list(&statement["Resource"]) {
                assert_ne!(target, "*", "{name}: {id} allows every resource");
            }
        }
    }
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

/// Checks a compiled template and writes it, as YAML and JSON, where `scripts/test.sh`
/// lints it (cfn-lint) and reads it back with a YAML 1.1 parser.
fn check_template(
    name: &str,
    compilation: &compose2cfn::Compilation,
    again: &compose2cfn::Compilation,
) -> String {
    let template = compilation.template.as_ref().unwrap();
    let yaml = compilation.output(Format::Yaml).unwrap();
    let json = compilation.output(Format::Json).unwrap();
    let lint = lint_dir();
    std::fs::write(lint.join(format!("{name}.yaml")), &yaml).unwrap();
    std::fs::write(lint.join(format!("{name}.json.txt")), &json).unwrap();
    // What needs the documents as trees (JSON, policies) builds them again: they must be
    // the documents written.
    let trees = compilation.trees();
    assert_eq!(trees.len(), compilation.documents.len(), "{name}");
    for ((path, tree), document) in trees.iter().zip(&compilation.documents) {
        assert_eq!(path, &document.path, "{name}");
        assert_eq!(
            emit::value(tree, Format::Yaml),
            document.yaml,
            "{name}: the trees built again are not the documents written"
        );
    }
    assert_eq!(
        emit::json::len(&trees[0].1),
        json.len(),
        "{name}: the JSON size the quota messages give is not the JSON's"
    );
    assert_eq!(
        yaml,
        again.output(Format::Yaml).unwrap(),
        "{name}: output differs between runs"
    );
    // Nested templates go where the root's `TemplateURL`s say, so that cfn-lint checks
    // the parameters the root passes against them.
    for ((document, twin), (_, tree)) in compilation
        .documents
        .iter()
        .zip(&again.documents)
        .zip(&trees)
        .skip(1)
    {
        let path = document.path.as_deref().unwrap();
        assert_eq!(
            document.yaml, twin.yaml,
            "{name}: {path} differs between runs"
        );
        let file = lint.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &document.yaml).unwrap();
        let json = emit::value(tree, Format::Json);
        std::fs::write(file.with_extension("json.txt"), json).unwrap();
    }
    let inputs: String = compilation
        .sources
        .files()
        .map(|f| f.text.as_str())
        .collect();
    for (_, tree) in &trees {
        let tree = serde_json::from_str(&emit::value(tree, Format::Json)).unwrap();
        no_generated_wildcards(name, &tree, &inputs);
    }
    // What the run-time rules read is the template's JSON, built straight from its events.
    assert_eq!(
        emit::json_document(template),
        serde_json::to_value(emit::document(template)).unwrap(),
        "{name}: the JSON the rules read is not the template's"
    );
    let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        yaml_as_json(&yaml),
        from_json,
        "{name}: JSON and YAML output differ"
    );
    for (id, resource) in &template.resources {
        let project_wide = [
            "Vpc",
            "InternetGateway",
            "PublicRoute",
            "PublicSubnet",
            "Nat",
            "Private",
            "Cluster",
            "CloudMap",
            "LogGroup",
            "LoadBalancer",
            "EncryptionKey",
            "NetworkReady",
        ];
        assert!(
            resource.origin.is_some() || project_wide.iter().any(|p| id.starts_with(p)),
            "{name}: resource {id} has no origin span"
        );
    }
    yaml
}

#[test]
fn ok_cases_compile() {
    for dir in cases("ok") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let compilation = compile(&dir, case_env(&dir));
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
        let again = compile(&dir, case_env(&dir));
        let yaml = check_template(&format!("ok-{name}"), &compilation, &again);
        let rendered = rendered.replace(&dir.display().to_string(), "<case>");
        let config = config(&dir, case_env(&dir));
        snapshot_settings(&dir).bind(|| {
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
        });
    }
}

#[test]
fn err_cases_fail_with_diagnostics() {
    for dir in cases("err") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let compilation = compile(&dir, case_env(&dir));
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
        snapshot_settings(&dir).bind(|| {
            insta::assert_snapshot!("diagnostics", rendered);
            insta::assert_snapshot!("diagnostics.json", json);
        });
    }
}

/// Cases whose `graph` (mermaid) and `plan` are snapshots too.
const INSPECTED: [&str; 2] = ["ports-http", "x-aws-iam"];

#[test]
fn graph_and_plan_of_inspected_cases() {
    use compose2cfn::inspect::{graph, plan};
    for name in INSPECTED {
        let dir = root().join("testdata/ok").join(name);
        let compilation = compile(&dir, case_env(&dir));
        let (template, project, tree) = (
            compilation.template.as_ref().unwrap(),
            compilation.project.as_ref().unwrap(),
            compilation.root.as_ref().unwrap(),
        );
        let mermaid = graph::graph(template, project, graph::GraphFormat::Mermaid);
        let dot = graph::graph(template, project, graph::GraphFormat::Dot);
        assert!(dot.starts_with("digraph") && dot.matches('{').count() == dot.matches('}').count());
        let plan = plan::plan(template, project, tree);
        snapshot_settings(&dir).bind(|| {
            insta::assert_snapshot!("graph.mmd", mermaid);
            insta::assert_snapshot!("plan", plan);
        });
    }
}

/// Every diagnostic code is shown by at least one case (errors by `err` cases, warnings by
/// either kind).
#[test]
fn every_code_has_a_case() {
    let mut seen = std::collections::BTreeSet::new();
    for dir in cases("ok").into_iter().chain(cases("err")) {
        let compilation = compile(&dir, case_env(&dir));
        let err_case = dir.parent().unwrap().ends_with("err");
        for d in &compilation.diagnostics {
            if err_case || !d.is_error() {
                seen.insert(d.code);
            }
        }
    }
    // A template over 1 MiB, and more than 5,000 services, need inputs too large to keep
    // in testdata, and a policy violation a `--policy` file: a unit test in
    // `validate/limits.rs`, `tests/hostile.rs` and `tests/policy.rs` show them.
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

/// Corpus projects that upstream runs with several files (`../shared/corpus/SOURCES.md`):
/// name, Compose files in order, `--env-file`s.
const CORPUS_INVOCATIONS: &[(&str, &[&str], &[&str])] = &[
    (
        "otel-demo",
        &[
            "compose.yaml",
            "compose.full.yaml",
            "compose.observability.yaml",
        ],
        &[".env", ".env.override"],
    ),
    (
        "aws-demo-app-multifile",
        &["compose.yaml", "docker-compose-dev.yml"],
        &[],
    ),
    (
        "aws-demo-app-multifile",
        &["compose.yaml", "docker-compose-prd.yml"],
        &[],
    ),
];

/// Every corpus project (each folder as discovery finds it, and the multi-file
/// invocations above) loads without a panic and either compiles or gets diagnostics.
#[test]
fn corpus_compiles_or_is_diagnosed() {
    let corpus = root().join("../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        eprintln!("../shared/corpus is absent: skipped");
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    dirs.sort();
    let mut runs: Vec<(String, Vec<Input>, Options)> = dirs
        .iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            (name, inputs(dir), options(dir, BTreeMap::new()))
        })
        .collect();
    for (name, files, env_files) in CORPUS_INVOCATIONS {
        let dir = corpus.join(name);
        let options = Options {
            env_files: env_files.iter().map(PathBuf::from).collect(),
            ..options(&dir, BTreeMap::new())
        };
        let label = std::iter::once(*name)
            .chain(
                files
                    .iter()
                    .skip(1)
                    .map(|f| f.trim_end_matches(".yaml").trim_end_matches(".yml")),
            )
            .collect::<Vec<_>>()
            .join("+");
        let inputs = files
            .iter()
            .map(|f| Input::Path(PathBuf::from(f)))
            .collect();
        runs.push((label, inputs, options));
    }
    let (mut compiled, mut rejected) = (Vec::new(), Vec::new());
    for (name, inputs, options) in &runs {
        let compilation = compose2cfn::compile(inputs, options).unwrap();
        if compilation.template.is_some() {
            let again = compose2cfn::compile(inputs, options).unwrap();
            check_template(&format!("corpus-{name}"), &compilation, &again);
            compiled.push(name.clone());
        } else {
            assert!(compilation.has_errors(), "{name}: no template and no error");
            rejected.push(format!(
                "{name} ({} errors)",
                compilation
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .count()
            ));
        }
    }
    eprintln!(
        "corpus: {} compiled, {} rejected with diagnostics, 0 panics",
        compiled.len(),
        rejected.len()
    );
    eprintln!("compiled: {}", compiled.join(", "));
    eprintln!("rejected: {}", rejected.join(", "));
}

/// No `file:` secret's content, in any ok case or corpus project, appears in a template
/// the compiler emits (in either format).
#[test]
fn secret_contents_never_reach_a_template() {
    let mut dirs = cases("ok");
    if let Ok(entries) = std::fs::read_dir(root().join("../shared/corpus")) {
        dirs.extend(
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.join("compose.yaml").is_file()),
        );
    }
    let mut checked = 0;
    for dir in dirs {
        let compilation = compile(&dir, case_env(&dir));
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
