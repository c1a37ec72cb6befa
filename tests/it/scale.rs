//! A project far past CloudFormation's quotas compiles into templates that each respect
//! every quota, and every reference between them resolves: a parent passes each nested
//! stack exactly the parameters its template declares, and within each template every
//! `Ref`, `Fn::GetAtt`, `Fn::Sub` variable and `DependsOn` names something it has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use compose2cfn::emit::Tree;
use compose2cfn::emit::limits::{MAX_BYTES, MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES};
use compose2cfn::load::{Input, Options};

use crate::support::generate::mixed as project;
use crate::support::{binary, root};

trials![
    a_project_of_5000_services_splits_into_templates_within_the_quotas,
    within_the_quotas_the_output_stays_one_template,
    a_growing_project_moves_only_half_of_a_group_that_splits,
    the_output_does_not_depend_on_the_number_of_threads
];

fn map(tree: &Tree, section: &str) -> BTreeMap<String, Tree> {
    match tree.get(section) {
        Some(Tree::Map(entries)) => entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The names a template's resources refer to.
fn references(tree: &Tree, out: &mut BTreeSet<String>) {
    match tree {
        Tree::Map(entries) => {
            for (key, value) in entries {
                match (&**key, value) {
                    ("Ref" | "DependsOn", Tree::Str(name)) => {
                        out.insert(name.to_string());
                    }
                    ("Fn::GetAtt", Tree::Seq(items)) => {
                        if let Some(Tree::Str(name)) = items.first() {
                            out.insert(name.to_string());
                        }
                    }
                    ("Fn::Sub", Tree::Str(text)) => {
                        for part in text.split("${").skip(1) {
                            let name = part.split('}').next().unwrap().split('.').next().unwrap();
                            out.insert(name.to_string());
                        }
                    }
                    ("DependsOn", Tree::Seq(items)) => {
                        for item in items {
                            if let Tree::Str(name) = item {
                                out.insert(name.to_string());
                            }
                        }
                    }
                    _ => references(value, out),
                }
            }
        }
        Tree::Seq(items) => items.iter().for_each(|i| references(i, out)),
        _ => {}
    }
}

/// Where `scripts/test.sh` finds the large project's templates for cfn-lint.
fn lint_dir() -> PathBuf {
    let dir = root().join("target/cfn-lint-scale");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn compile(compose: String, split: bool) -> compose2cfn::Compilation {
    let options = Options {
        working_dir: PathBuf::from("."),
        ..Options::default()
    };
    let compilation =
        compose2cfn::compile_with(&[Input::Stdin(compose.into_bytes())], &options, split).unwrap();
    let errors: Vec<_> = compilation
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    compilation
}

/// Which nested stack holds each service of `mixed(n)`.
fn placement(n: usize) -> BTreeMap<String, String> {
    let compilation = compile(project(n), false);
    let template = compilation.template.unwrap();
    let layout = compose2cfn::emit::stacks::split(&template, "scale", &[]);
    layout
        .nested
        .iter()
        .flat_map(|stack| {
            stack
                .services
                .iter()
                .map(|s| (s.clone(), stack.group.stack_id()))
        })
        .collect()
}

fn a_project_of_5000_services_splits_into_templates_within_the_quotas() {
    let n = 5_000;
    let compilation = compile(project(n), false);
    let documents = &compilation.documents;
    // A few dozen stacks of services, not one per service.
    assert!(
        (40..=160).contains(&(documents.len() - 1)),
        "{} nested templates",
        documents.len() - 1
    );
    // cfn-lint checks them too (the root beside its nested folder).
    let lint = lint_dir();
    for document in documents {
        let file = match &document.path {
            Some(path) => lint.join(path),
            None => lint.join("scale-5000.yaml"),
        };
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, &document.yaml).unwrap();
    }
    let trees = compilation.trees();
    let by_path: BTreeMap<&str, &Tree> = trees
        .iter()
        .filter_map(|(path, tree)| path.as_deref().map(|p| (p, tree)))
        .collect();
    for (document, (_, tree)) in documents.iter().zip(&trees) {
        let path = document.path.as_deref().unwrap_or("<root>");
        let (resources, parameters) = (map(tree, "Resources"), map(tree, "Parameters"));
        assert!(
            resources.len() <= MAX_RESOURCES,
            "{path}: {} resources",
            resources.len()
        );
        assert!(
            parameters.len() <= MAX_PARAMETERS,
            "{path}: {} parameters",
            parameters.len()
        );
        assert!(map(tree, "Outputs").len() <= MAX_OUTPUTS, "{path}: outputs");
        assert!(
            document.yaml.len() <= MAX_BYTES,
            "{path}: {} bytes",
            document.yaml.len()
        );
        let mut named = BTreeSet::new();
        for resource in resources.values() {
            references(resource, &mut named);
        }
        for name in named.iter().filter(|n| !n.starts_with("AWS::")) {
            assert!(
                resources.contains_key(name) || parameters.contains_key(name),
                "{path}: `{name}` resolves to nothing"
            );
        }
        // Each nested stack gets exactly the parameters its template declares.
        let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
        for (id, resource) in &resources {
            if resource.get("Type") != Some(&Tree::Str("AWS::CloudFormation::Stack".into())) {
                continue;
            }
            let properties = resource.get("Properties").unwrap();
            let Some(Tree::Str(url)) = properties.get("TemplateURL") else {
                panic!("{path}: {id} has no TemplateURL");
            };
            let child_path = if folder.is_empty() {
                url.to_string()
            } else {
                format!("{folder}/{url}")
            };
            let child = by_path
                .get(child_path.as_str())
                .unwrap_or_else(|| panic!("{path}: {id} → {child_path}: no such template"));
            let declared: BTreeSet<String> = map(child, "Parameters").into_keys().collect();
            let passed: BTreeSet<String> = properties
                .get("Parameters")
                .map(|p| match p {
                    Tree::Map(entries) => entries.iter().map(|(k, _)| k.to_string()).collect(),
                    _ => BTreeSet::new(),
                })
                .unwrap_or_default();
            assert_eq!(
                declared, passed,
                "{path}: {id} passes other parameters than {child_path} declares"
            );
        }
    }
}

fn within_the_quotas_the_output_stays_one_template() {
    assert_eq!(compile(project(20), false).documents.len(), 1);
    let split = compile(project(20), true);
    assert_eq!(
        split.documents.len(),
        2,
        "the root and one stack of services"
    );
}

fn a_growing_project_moves_only_half_of_a_group_that_splits() {
    let mut before = placement(300);
    for n in [301, 320, 400, 600] {
        let after = placement(n);
        let mut moved = 0;
        for (service, old) in &before {
            let new = &after[service];
            if new != old {
                // Into the upper half of the group it was in: a stack named after more bits.
                assert!(new.starts_with(old.as_str()), "{service}: {old} → {new}");
                moved += 1;
            }
        }
        let groups: BTreeSet<&String> = before.values().collect();
        assert!(
            moved <= before.len() / 2,
            "{n}: {moved} of {} moved",
            before.len()
        );
        eprintln!(
            "{n} services: {moved} moved, {} stacks before",
            groups.len()
        );
        before = after;
    }
}

/// Every file of a folder, by its path inside it.
fn files(dir: &std::path::Path, prefix: &std::path::Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = prefix.join(path.file_name().unwrap());
        if path.is_dir() {
            files(&path, &name, out);
        } else {
            out.insert(name, std::fs::read(&path).unwrap());
        }
    }
}

/// The work spread over the cores (reading and lowering the services, rewriting them for
/// nested stacks, writing the resources) gives the bytes that one thread gives.
fn the_output_does_not_depend_on_the_number_of_threads() {
    let compose = project(400);
    let written = |threads: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), &compose).unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let output = std::process::Command::new(binary())
            .current_dir(dir.path())
            .args(["compose.yaml", "-o", "out/stack.yaml"])
            .env("COMPOSE2CFN_THREADS", threads)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let mut out = BTreeMap::new();
        files(&dir.path().join("out"), std::path::Path::new(""), &mut out);
        (out, output.stderr)
    };
    let (one, one_stderr) = written("1");
    assert!(one.len() > 2, "{:?}", one.keys().collect::<Vec<_>>());
    for threads in ["2", "5"] {
        let (many, many_stderr) = written(threads);
        assert!(one == many, "{threads} threads wrote other templates");
        assert_eq!(one_stderr, many_stderr, "{threads} threads");
    }
}
