//! Hostile inputs: each gets a diagnostic and exit 1 (2 when the file cannot be read),
//! never a panic, a hang or unbounded memory. The time bound on each run is a guard
//! against hangs and blow-ups, not a speed test (the benchmarks are): a second for an
//! optimised build, generous for an unoptimised one. The optimised build is this one's
//! (`cargo test --release --test it -- hostile::`), or the one `OPTIMISED_BINARY` names:
//! `scripts/test.sh` passes `target/release/compose2cfn`, which spares it building the
//! whole test binary optimised (8 minutes, against 9 s for these tests alone).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::binary;

trials![
    malformed_text,
    sizes_and_depths,
    interpolation_and_cycles,
    files_that_are_not_files
];

/// What the issue asks of an optimised build.
const OPTIMISED: Duration = Duration::from_secs(1);

/// Far above what any of these takes in an unoptimised build, far below a hang: the
/// slowest, 20 MB of YAML in one string, takes 8 to 10 s alone, and past 20 s on this
/// 2-core machine when others share it.
const UNOPTIMISED: Duration = Duration::from_secs(60);

/// The binary under test and the bound on each of its runs: `OPTIMISED_BINARY` when set,
/// else this build's own.
fn under_test() -> (PathBuf, Duration) {
    match std::env::var_os("OPTIMISED_BINARY") {
        Some(path) => (std::fs::canonicalize(path).unwrap(), OPTIMISED),
        None if cfg!(debug_assertions) => (binary(), UNOPTIMISED),
        None => (binary(), OPTIMISED),
    }
}

/// Runs `check` on `file` in `dir`, expecting exit `code` and `expected` in standard
/// error, within the bound of [`under_test`].
fn check(dir: &Path, file: &str, code: i32, expected: &str) {
    let (binary, bound) = under_test();
    let start = Instant::now();
    let output = assert_cmd::Command::new(binary)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", file, "--message-format", "short"])
        .timeout(bound)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{file}: exit {:?} in {elapsed:?}", output.status.code());
    assert!(elapsed < bound, "{file}: took {elapsed:?}");
    assert_eq!(output.status.code(), Some(code), "{file}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{file}: expected {expected:?} in {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{file}: {stderr}");
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// Writes `bytes` as `name`, then [`check`]s it.
fn case(dir: &Path, name: &str, bytes: impl AsRef<[u8]>, code: i32, expected: &str) {
    write(dir, name, bytes);
    check(dir, name, code, expected);
}

const WEB: &str = "services:\n  web:\n    image: nginx:1.27\n";

fn malformed_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    case(
        d,
        "broken.yaml",
        "services:\n  web:\n    image: [unclosed\n  - x: : :\n",
        1,
        "E0101",
    );
    case(
        d,
        "latin1.yaml",
        b"services:\n  web:\n    image: caf\xe9\n",
        1,
        "not UTF-8",
    );
    case(
        d,
        "nul.yaml",
        b"services:\n  web:\n    image: ngi\x00nx\n",
        1,
        "E0101",
    );
    case(d, "empty.yaml", "", 1, "error");
    case(d, "scalar.yaml", "just a string\n", 1, "error");
    case(
        d,
        "tabs.yaml",
        "services:\n\tweb:\n\t\timage: x\n",
        1,
        "E0101",
    );
}

fn sizes_and_depths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut fifty = WEB.to_string();
    fifty.push('#');
    fifty.push_str(&"x".repeat(50 * 1024 * 1024));
    case(d, "fifty.yaml", fifty, 2, "larger than 32 MiB");

    let deep = |open: &str, close: &str| {
        format!(
            "{WEB}x-deep: {}1{}\n",
            open.repeat(10_000),
            close.repeat(10_000)
        )
    };
    case(d, "deep-seq.yaml", deep("[", "]"), 1, "error[E01");
    case(d, "deep-map.yaml", deep("{a: ", "}"), 1, "E0103");
    let block: String = (1..=3_000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    case(
        d,
        "deep-block.yaml",
        format!("x-deep:\n{block}{WEB}"),
        1,
        "E0103",
    );

    let mut bomb = format!("{WEB}x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let previous = format!("*a{}", i - 1);
        bomb.push_str(&format!(
            "x-{i}: &a{i} [{}]\n",
            vec![previous; 9].join(", ")
        ));
    }
    case(d, "bomb.yaml", bomb, 1, "E0103");

    let huge: String = (0..100_000)
        .map(|i| format!("  s{i}:\n    image: x\n"))
        .collect();
    case(d, "services.yaml", format!("services:\n{huge}"), 1, "E0420");

    let long = "a".repeat(20_000_000);
    case(
        d,
        "long.yaml",
        format!("{WEB}    environment:\n      BIG: {long}\n"),
        1,
        "E0416",
    );
    case(
        d,
        "long-key.yaml",
        format!("{WEB}    labels:\n      {long}: x\n"),
        1,
        "error",
    );

    // Closing brackets at their key's indentation are re-indented, one parse each: a
    // large file full of them is bounded by a budget of bytes parsed (the fuzzer's find).
    let brackets: String = (0..200_000)
        .map(|i| format!("  s{i}:\n    image: x\n    command: [\n      \"a\",\n    ]\n"))
        .collect();
    case(
        d,
        "brackets.yaml",
        format!("services:\n{brackets}"),
        1,
        "E0101",
    );

    let environment: String = (0..100_000).map(|i| format!("      V{i}: x\n")).collect();
    case(
        d,
        "wide.yaml",
        format!("{WEB}    environment:\n{environment}"),
        1,
        "error",
    );

    case(
        d,
        "ports.yaml",
        format!("{WEB}    ports: [\"1-65535:1-65535\"]\n"),
        1,
        "error",
    );
}

fn interpolation_and_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let levels = 200_000;
    let nested = format!("{}x{}", "${A:-".repeat(levels), "}".repeat(levels));
    case(
        d,
        "nested.yaml",
        format!("services:\n  web:\n    image: \"{nested}\"\n"),
        1,
        "E0104",
    );
    let wide = "${HOME}".repeat(2_000);
    let vars: String = (0..1_000)
        .map(|i| format!("      V{i}: \"{wide}\"\n"))
        .collect();
    case(
        d,
        "wide.yaml",
        format!("{WEB}    environment:\n{vars}"),
        1,
        "error",
    );

    case(
        d,
        "extends.yaml",
        "services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: a\n",
        1,
        "E0110",
    );
    case(
        d,
        "include.yaml",
        format!("include: [include.yaml]\n{WEB}"),
        1,
        "E0111",
    );
    write(d, "one.yaml", format!("include: [two.yaml]\n{WEB}"));
    let two = "include: [one.yaml]\nservices:\n  api:\n    image: x\n";
    case(d, "two.yaml", two, 1, "E0111");
}

fn files_that_are_not_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("folder.yaml")).unwrap();
    check(d, "folder.yaml", 2, "is a directory");
    check(d, "missing.yaml", 2, "cannot read");
    #[cfg(unix)]
    {
        let fifo = d.join("fifo.yaml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        check(d, "fifo.yaml", 2, "not a regular file");
    }
}
