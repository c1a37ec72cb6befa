//! Every input in `testdata/fuzz/` (minimised findings of the fuzzer and of the hostile
//! inputs, one file each, named after what they broke) goes through the fuzz target's
//! pipeline again: none may panic.

#[path = "../fuzz/fuzz_targets/pipeline.rs"]
mod pipeline;

#[test]
fn findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/fuzz")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        eprintln!("{}", file.display());
        pipeline::exercise(&std::fs::read(&file).expect("readable"));
    }
}
