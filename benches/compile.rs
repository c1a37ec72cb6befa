//! Benchmarks: a whole compilation (load to emitted YAML) of every corpus file, of
//! generated projects of growing size (10 to 5,000 services, past a few dozen split into
//! nested stacks), of generated layered projects (a base file, an override file and
//! `extends` from a shared file), and each phase on its own for 1,000 services. Targets
//! live here, never in timed tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compose2cfn::load::{Input, Options};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// The binary's allocator, so that these numbers are the command line's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/it/support/generate.rs"]
mod generate;
use generate::mixed;

fn compile(input: &Input, dir: &Path) -> usize {
    compile_all(std::slice::from_ref(input), dir)
}

fn compile_all(inputs: &[Input], dir: &Path) -> usize {
    let options = Options {
        working_dir: dir.to_path_buf(),
        env: BTreeMap::new(),
        ..Options::default()
    };
    let compilation = compose2cfn::compile(inputs, &options).expect("readable input");
    let size = compilation
        .documents
        .iter()
        .map(|d| d.yaml.len())
        .sum::<usize>();
    if size == 0 {
        compilation.diagnostics.len()
    } else {
        size
    }
}

/// A project of `n` services, every tenth publishing a port, each depending on the previous.
/// (Past about 110 services the template breaks CloudFormation's 500-resource quota and the
/// compile ends with `E0417`, so the sizes stop at 100.)
fn generated(n: usize) -> String {
    let mut text = String::from("services:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  svc{i}:\n    image: ghcr.io/example/svc{i}:1.0\n    environment:\n      INDEX: \"{i}\"\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n"
        ));
        if i % 10 == 0 {
            text.push_str(&format!("    ports:\n      - \"{}:80\"\n", 8000 + i));
        }
        if i > 0 {
            text.push_str(&format!("    depends_on: [svc{}]\n", i - 1));
        }
    }
    text
}

/// A layered project of `n` services in `dir`: `compose.yaml` (each service extends one of
/// `common.yaml`) and `compose.override.yaml` (changing every service).
fn layered(n: usize, dir: &Path) -> Vec<Input> {
    let common = "services:\n  runtime:\n    image: ghcr.io/example/runtime:1\n    environment:\n      LOG_FORMAT: json\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n";
    let mut base = String::from("services:\n");
    let mut over = String::from("services:\n");
    for i in 0..n {
        base.push_str(&format!(
            "  svc{i}:\n    extends: {{file: common.yaml, service: runtime}}\n    environment:\n      INDEX: \"{i}\"\n"
        ));
        over.push_str(&format!(
            "  svc{i}:\n    image: ghcr.io/example/svc{i}:2\n    environment: [STAGE=prod]\n"
        ));
        if i % 10 == 0 {
            over.push_str(&format!("    ports: [\"{}:80\"]\n", 8000 + i));
        }
    }
    for (name, text) in [
        ("common.yaml", common.to_string()),
        ("compose.yaml", base),
        ("compose.override.yaml", over),
    ] {
        std::fs::write(dir.join(name), text).expect("writable temporary folder");
    }
    ["compose.yaml", "compose.override.yaml"]
        .into_iter()
        .map(|f| Input::Path(PathBuf::from(f)))
        .collect()
}

fn layered_projects(c: &mut Criterion) {
    let mut group = c.benchmark_group("layered");
    for n in [10, 40, 100] {
        let dir = tempfile::tempdir().expect("temporary folder");
        let inputs = layered(n, dir.path());
        assert!(
            compile_all(&inputs, dir.path()) > 1000,
            "the layered project compiles"
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &inputs, |b, inputs| {
            b.iter(|| compile_all(inputs, dir.path()))
        });
    }
    group.finish();
}

fn corpus(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut group = c.benchmark_group("corpus");
    group.sample_size(20);
    // Every corpus folder with a `compose.yaml` (compiled or diagnosed: both are runs).
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|dir| dir.join("compose.yaml").is_file())
        .collect();
    cases.sort();
    for dir in cases {
        let case = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let input = Input::Path(PathBuf::from("compose.yaml"));
        group.bench_with_input(BenchmarkId::from_parameter(case), &input, |b, input| {
            b.iter(|| compile(input, &dir))
        });
    }
    group.finish();
}

fn generated_projects(c: &mut Criterion) {
    let dir = std::env::temp_dir();
    let mut group = c.benchmark_group("generated");
    for n in [10, 40, 100] {
        let input = Input::Stdin(generated(n).into_bytes());
        group.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| compile(input, &dir))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("mixed");
    group.sample_size(10);
    for n in [10, 100, 1_000, 5_000] {
        let input = Input::Stdin(mixed(n).into_bytes());
        assert!(compile(&input, &dir) > 10_000, "the mixed project compiles");
        group.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| compile(input, &dir))
        });
    }
    group.finish();
}

/// Each phase of a 1,000-service compilation on its own, the previous phases' output
/// prepared once.
fn phases(c: &mut Criterion) {
    use compose2cfn::diag::Diagnostics;
    let dir = std::env::temp_dir();
    let options = Options {
        working_dir: dir.clone(),
        ..Options::default()
    };
    let inputs = [Input::Stdin(mixed(1_000).into_bytes())];
    let mut diags = Diagnostics::new();
    let loaded = compose2cfn::load::load(&inputs, &options, &mut diags).expect("readable");
    let root = loaded.root.clone().expect("parsed");
    let instance = root.to_json();
    let project =
        compose2cfn::model::build(&root, &instance, "scale", &BTreeMap::new(), &mut diags);
    let template = compose2cfn::lower::lower(&project);
    let mut group = c.benchmark_group("phases-1000");
    group.sample_size(10);
    group.bench_function("load", |b| {
        b.iter(|| compose2cfn::load::load(&inputs, &options, &mut Diagnostics::new()))
    });
    group.bench_function("schema", |b| {
        b.iter(|| compose2cfn::schema::check(&root, &root.to_json(), &mut Diagnostics::new()))
    });
    group.bench_function("model+validate", |b| {
        b.iter(|| {
            let mut diags = Diagnostics::new();
            let project =
                compose2cfn::model::build(&root, &instance, "scale", &BTreeMap::new(), &mut diags);
            compose2cfn::validate::validate(&root, &[], &project, &mut diags);
            project.services.len()
        })
    });
    group.bench_function("lower", |b| b.iter(|| compose2cfn::lower::lower(&project)));
    group.bench_function("split", |b| {
        b.iter(|| compose2cfn::emit::stacks::split(&template, "scale", &[]))
    });
    // The documents as the compiler writes them (the split included): YAML straight from
    // the templates, each nested stack's resources rewritten as they are written, the
    // documents on every core, then each checked against the quotas.
    group.bench_function("documents", |b| {
        b.iter(|| {
            let (_, documents) = compose2cfn::emit::documents::write(
                &template,
                "scale",
                None,
                &root,
                false,
                &mut Diagnostics::new(),
            );
            documents.iter().map(|d| d.yaml.len()).sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    corpus,
    generated_projects,
    layered_projects,
    phases
);
criterion_main!(benches);
