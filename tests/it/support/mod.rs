//! What the test modules share: the harness's trials, where the repository and the shared
//! corpus are, the binary as a command, and reading YAML back.

pub(crate) mod generate;
pub(crate) mod project;
pub(crate) mod template;

use std::path::{Path, PathBuf};

use libtest_mimic::Trial;

/// The test function `name` of `module` (a `module_path!()`, whose first segment is the
/// crate's) as a trial named `module::name`; a panic fails it.
pub(crate) fn trial(module: &str, name: &str, test: fn()) -> Trial {
    let module = module.split_once("::").map_or(module, |(_, inner)| inner);
    Trial::test(format!("{module}::{name}"), move || {
        test();
        Ok(())
    })
}

/// The repository's root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The corpus of real projects beside the repository (`../shared/corpus`): its folders
/// that hold a `compose.yaml`, sorted; `None` when it is absent.
pub(crate) fn corpus() -> Option<Vec<PathBuf>> {
    let entries = std::fs::read_dir(root().join("../shared/corpus")).ok()?;
    let mut dirs: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    dirs.sort();
    Some(dirs)
}

/// The compiled binary.
pub(crate) fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_compose2cfn"))
}

/// The binary run in `dir`, without colours or a project name from the environment.
pub(crate) fn command(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(binary());
    command
        .current_dir(dir)
        .env_remove("COMPOSE_PROJECT_NAME")
        .env("NO_COLOR", "1");
    command
}

/// YAML read with the compiler's own loader, as JSON.
pub(crate) fn yaml_as_json(name: &str, text: &str) -> serde_json::Value {
    let mut sources = compose2cfn::source::SourceMap::new();
    let id = sources.add(name, None, text.to_string());
    let mut diags = compose2cfn::diag::Diagnostics::new();
    compose2cfn::load::yaml::parse(text, id, &mut diags)
        .unwrap()
        .to_json()
}
