//! Benchmarks: a whole compilation (load to emitted YAML) of the largest corpus files and of
//! generated projects of growing size. Targets live here, never in timed tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compose2cfn::emit::{Format, emit};
use compose2cfn::load::{Input, Options};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn compile(input: &Input, dir: &Path) -> usize {
    let options = Options {
        working_dir: dir.to_path_buf(),
        env: BTreeMap::new(),
        ..Options::default()
    };
    let compilation =
        compose2cfn::compile(std::slice::from_ref(input), &options).expect("readable input");
    compilation
        .template
        .as_ref()
        .map_or(compilation.diagnostics.len(), |t| {
            emit(t, Format::Yaml).len()
        })
}

/// A project of `n` services, every tenth publishing a port, each depending on the previous.
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
    for n in [10, 40, 200] {
        let input = Input::Stdin(generated(n).into_bytes());
        group.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| compile(input, &dir))
        });
    }
    group.finish();
}

criterion_group!(benches, corpus, generated_projects);
criterion_main!(benches);
