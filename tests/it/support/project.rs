//! A Compose project in a folder (a `testdata/` case or a corpus project) as the tests
//! compile it: its Compose files, its environment and the options of a run in the folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compose2cfn::emit::{self, Format};
use compose2cfn::load::{Input, Options};

/// A case's environment: `env` in the case folder (KEY=VALUE lines), else nothing.
pub(crate) fn env(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join("env"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A case's Compose files: the lines of `files` in the case folder (as `-f` takes them),
/// else what discovery finds there (`compose.yaml` and `compose.override.yaml`).
pub(crate) fn inputs(dir: &Path) -> Vec<Input> {
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

/// The options of a run in `dir` with the environment `env`.
pub(crate) fn options(dir: &Path, env: BTreeMap<String, String>) -> Options {
    Options {
        env,
        working_dir: dir.to_path_buf(),
        ..Options::default()
    }
}

/// The project in `dir` compiled with its own environment.
pub(crate) fn compile(dir: &Path) -> compose2cfn::Compilation {
    compose2cfn::compile(&inputs(dir), &options(dir, env(dir))).unwrap()
}

/// The project in `dir` as `compose2cfn config` prints it, the folder's path replaced by
/// `<case>`.
pub(crate) fn config(dir: &Path) -> String {
    let resolution = compose2cfn::resolve(&inputs(dir), &options(dir, env(dir))).unwrap();
    let project = resolution.project.unwrap();
    emit::value(&project.canonical(), Format::Yaml).replace(&dir.display().to_string(), "<case>")
}
