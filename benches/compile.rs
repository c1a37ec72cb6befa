//! Benchmarks: a whole compilation (load to emitted YAML) of the largest corpus files, of
//! generated projects of growing size, and of generated layered projects (a base file, an
//! override file and `extends` from a shared file). Targets live here, never in timed tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compose2cfn::emit::Format;
use compose2cfn::load::{Input, Options};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

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
    compilation
        .output(Format::Yaml)
        .map_or(compilation.diagnostics.len(), |yaml| yaml.len())
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
    for case in [
        "appwrite",
        "sentry-self-hosted",
        "otel-demo",
        "supabase",
        "voting-app",
    ] {
        let dir = root.join(case);
        if !dir.join("compose.yaml").is_file() {
            continue;
        }
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
}

criterion_group!(benches, corpus, generated_projects, layered_projects);
criterion_main!(benches);
