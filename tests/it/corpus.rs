//! The corpus of real projects (`../shared/corpus`, when it is there): each folder as
//! discovery finds it, and the multi-file invocations upstream uses, is a test of its own
//! (`corpus::<project>`) that loads it without a panic and either compiles it, passing the
//! checks every template must pass (which write it for cfn-lint), or gets an error. The
//! tally, which projects compile and which error codes reject the others, is a reviewed
//! snapshot (`testdata/corpus.snap`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use compose2cfn::load::{Input, Options};
use libtest_mimic::Trial;

use crate::support::{self, project, template};

/// Corpus projects that upstream runs with several files (`../shared/corpus/SOURCES.md`):
/// name, Compose files in order, `--env-file`s. `scripts/oracle.py` holds the same table.
const INVOCATIONS: &[(&str, &[&str], &[&str])] = &[
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

/// One compilation of a corpus project: its label (the folder's name, then the names of
/// the files after the first), its Compose files and its options.
struct Run {
    label: String,
    inputs: Vec<Input>,
    options: Options,
}

/// Every run of the corpus, folders first; `None` when the corpus is absent.
fn runs() -> Option<Vec<Run>> {
    let mut runs: Vec<Run> = support::corpus()?
        .iter()
        .map(|dir| Run {
            label: dir.file_name().unwrap().to_string_lossy().into_owned(),
            inputs: project::inputs(dir),
            options: project::options(dir, BTreeMap::new()),
        })
        .collect();
    let corpus = support::root().join("../shared/corpus");
    for (name, files, env_files) in INVOCATIONS {
        let label = std::iter::once(*name)
            .chain(
                files
                    .iter()
                    .skip(1)
                    .map(|f| f.trim_end_matches(".yaml").trim_end_matches(".yml")),
            )
            .collect::<Vec<_>>()
            .join("+");
        runs.push(Run {
            label,
            inputs: files
                .iter()
                .map(|f| Input::Path(PathBuf::from(f)))
                .collect(),
            options: Options {
                env_files: env_files.iter().map(PathBuf::from).collect(),
                ..project::options(&corpus.join(name), BTreeMap::new())
            },
        });
    }
    Some(runs)
}

/// One trial per run (`corpus::<label>`), and `corpus::tally`, ignored when the corpus is
/// absent.
pub(crate) fn each() -> Vec<Trial> {
    let runs = runs();
    let absent = runs.is_none();
    let mut trials: Vec<Trial> = runs
        .into_iter()
        .flatten()
        .map(|run| {
            Trial::test(format!("corpus::{}", run.label), move || {
                compiles_or_is_diagnosed(&run);
                Ok(())
            })
        })
        .collect();
    trials.push(
        Trial::test("corpus::tally", || {
            tally();
            Ok(())
        })
        .with_ignored_flag(absent),
    );
    trials
}

/// The run either compiles, to a template that passes [`template::check`], or gets an
/// error.
fn compiles_or_is_diagnosed(run: &Run) {
    let compilation = compose2cfn::compile(&run.inputs, &run.options).unwrap();
    if compilation.template.is_some() {
        let again = compose2cfn::compile(&run.inputs, &run.options).unwrap();
        template::check(&format!("corpus-{}", run.label), &compilation, &again);
    } else {
        assert!(
            compilation.has_errors(),
            "{}: no template and no error",
            run.label
        );
    }
}

/// Each run, compiled or rejected with the codes of its errors: a line each, by label,
/// after the counts.
fn tally() {
    let mut runs = runs().expect("../shared/corpus is absent");
    runs.sort_by(|a, b| a.label.cmp(&b.label));
    let mut compiled = 0;
    let lines: String = runs
        .iter()
        .map(|run| {
            let compilation = compose2cfn::compile(&run.inputs, &run.options).unwrap();
            let outcome = if compilation.template.is_some() {
                compiled += 1;
                "compiled".to_string()
            } else {
                let codes: BTreeSet<_> = compilation
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.code)
                    .collect();
                let codes: Vec<String> =
                    codes.iter().map(|c| format!("{c} {}", c.name())).collect();
                format!("rejected by {}", codes.join(", "))
            };
            format!("{}: {outcome}\n", run.label)
        })
        .collect();
    let text = format!(
        "{} projects, and {} runs of them with several files: {compiled} compiled, {} rejected\n\n{}",
        runs.len() - INVOCATIONS.len(),
        INVOCATIONS.len(),
        runs.len() - compiled,
        lines
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(support::root().join("testdata"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("corpus", text));
}
