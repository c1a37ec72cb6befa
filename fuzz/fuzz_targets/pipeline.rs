//! Everything the command line does with a Compose file, on arbitrary bytes (read as
//! standard input, so that nothing touches the disk but the files it names): load,
//! schema, model, validation, lowering, emission of every template (split or not, by the
//! first byte), `config`'s resolution, `graph` and `plan`, and every diagnostic rendered
//! in every format. Shared by the fuzz target and `tests/it/fuzz_regressions.rs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use compose2cfn::diag::render::{MessageFormat, render};
use compose2cfn::emit::Format;
use compose2cfn::load::{Input, Options};

pub(crate) fn exercise(data: &[u8]) {
    let split = data.first().is_some_and(|b| b & 1 == 1);
    let inputs = [Input::Stdin(data.to_vec())];
    let options = Options {
        working_dir: PathBuf::from("/nonexistent/compose2cfn-fuzz"),
        env: BTreeMap::from([
            ("TAG".to_string(), "1.0".to_string()),
            ("EMPTY".to_string(), String::new()),
        ]),
        ..Options::default()
    };
    if let Ok(compilation) = compose2cfn::compile_with(&inputs, &options, split) {
        for format in [
            MessageFormat::Human,
            MessageFormat::Short,
            MessageFormat::Json,
            MessageFormat::Sarif,
            MessageFormat::Github,
        ] {
            let _ = render(&compilation.diagnostics, &compilation.sources, format, true);
        }
        let _ = compilation.output(Format::Json);
        if let (Some(template), Some(project), Some(root)) = (
            compilation.template.as_ref(),
            compilation.project.as_ref(),
            compilation.root.as_ref(),
        ) {
            let _ = compose2cfn::inspect::graph::graph(
                template,
                project,
                compose2cfn::inspect::graph::GraphFormat::Mermaid,
            );
            let _ = compose2cfn::inspect::plan::plan(template, project, root);
        }
    }
    if let Ok(resolution) = compose2cfn::resolve(&inputs, &options)
        && let Some(project) = &resolution.project
    {
        let _ = compose2cfn::emit::value(&project.canonical(), Format::Yaml);
    }
}
