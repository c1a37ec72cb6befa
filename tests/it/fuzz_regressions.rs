//! Every input in `testdata/fuzz/` (minimised findings of the fuzzer and of the hostile
//! inputs, one file each, named after what they broke) goes through the fuzz target's
//! pipeline again, a test each (`fuzz_regressions::<file>`): none may panic.

use libtest_mimic::Trial;

use crate::support::root;

#[path = "../../fuzz/fuzz_targets/pipeline.rs"]
mod pipeline;

/// One trial per file of `testdata/fuzz/`.
pub(crate) fn each() -> Vec<Trial> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("testdata/fuzz"))
        .expect("testdata/fuzz")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "testdata/fuzz is empty");
    files
        .into_iter()
        .map(|file| {
            let name = file.file_name().unwrap().to_string_lossy();
            Trial::test(format!("fuzz_regressions::{name}"), move || {
                pipeline::exercise(&std::fs::read(&file).expect("readable"));
                Ok(())
            })
        })
        .collect()
}
