//! The output is written whole or not at all: an output that is an input is refused; a
//! missing or read-only folder, a full disk (simulated with the file-size limit) and
//! SIGINT in the middle of writing leave the previous output as it was, with nothing
//! staged left behind. Each for one template and for a split project's set.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::binary;

trials![
    #[cfg(unix)]
    the_output_has_the_permissions_of_a_new_file,
    an_output_that_is_an_input_is_refused,
    a_missing_folder_is_an_io_error_and_creates_nothing,
    a_read_only_folder_leaves_the_previous_output,
    #[cfg(unix)]
    a_full_disk_leaves_the_previous_output,
    #[cfg(unix)]
    sigint_while_writing_leaves_one_whole_set
];

/// A project of `services` services (the first three published) whose image tag is
/// `tag`, so that two outputs tell which run wrote them.
fn compose(services: usize, tag: &str) -> String {
    let mut text = String::from("name: shop\nservices:\n");
    for i in 0..services {
        text.push_str(&format!(
            "  svc{i:03}:\n    image: ghcr.io/example/svc:{tag}\n"
        ));
        if i < 3 {
            text.push_str(&format!("    ports: [\"{}:80\"]\n", 8000 + i));
        }
    }
    text
}

/// A folder under the target directory (on the project's disk, where `chattr` works, and
/// not on a tmpfs).
fn folder() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(binary())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

/// Entries of `dir` whose names start with a dot: staged files and folders.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// The command line that compiles `compose.yaml` to `output`, split or not.
fn compile_to(output: &'static str, split: bool) -> Vec<&'static str> {
    let mut args = vec!["compose.yaml", "-o", output];
    if split {
        args.push("--split");
    }
    args
}

/// A folder holding the output compiled from the "old" project of `services` services,
/// whose Compose file is then changed to the "new" one; the old root template.
fn old_output(services: usize, split: bool) -> (tempfile::TempDir, Vec<u8>) {
    let dir = folder();
    let d = dir.path();
    std::fs::write(d.join("compose.yaml"), compose(services, "old")).unwrap();
    assert!(run(d, &compile_to("stack.yaml", split)).status.success());
    let before = std::fs::read(d.join("stack.yaml")).unwrap();
    std::fs::write(d.join("compose.yaml"), compose(services, "new")).unwrap();
    (dir, before)
}

/// A run that could not write: exit 2, `expected` in its message, and the old output in
/// place (the old root, for a split project the old set), nothing staged left.
fn left_as_it_was(
    d: &Path,
    done: &std::process::Output,
    expected: &str,
    before: &[u8],
    split: bool,
    services: usize,
) {
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    assert_eq!(std::fs::read(d.join("stack.yaml")).unwrap(), before);
    if split {
        assert_eq!(written_tag(d, services), "old");
    }
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
}

/// The tag every template of the set at `root` was written with: they must agree, and
/// the nested templates must hold every service.
fn written_tag(dir: &Path, services: usize) -> String {
    let root = std::fs::read_to_string(dir.join("stack.yaml")).unwrap();
    let nested: Vec<String> = std::fs::read_dir(dir.join("shop.stacks"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let held: usize = nested
        .iter()
        .map(|n| n.matches("Type: AWS::ECS::Service\n").count())
        .sum();
    assert_eq!(held, services, "a nested template is missing");
    assert!(root.contains("AWS::CloudFormation::Stack"));
    let tag = |text: &str| {
        ["old", "new"]
            .into_iter()
            .find(|t| text.contains(&format!("svc:{t}")))
            .map(String::from)
    };
    let tags: Vec<Option<String>> = nested.iter().map(|n| tag(n)).collect();
    assert!(tags.windows(2).all(|w| w[0] == w[1]), "a mixed set");
    tags[0].clone().unwrap()
}

/// The templates get the permissions of any file the user creates (the umask's), the root
/// one as the nested ones, not a temporary file's owner-only ones.
#[cfg(unix)]
fn the_output_has_the_permissions_of_a_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| {
        format!(
            "{:o}",
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777
        )
    };
    for split in [false, true] {
        let dir = folder();
        std::fs::write(dir.path().join("compose.yaml"), compose(3, "1.0")).unwrap();
        let created = dir.path().join("created");
        std::fs::File::create(&created).unwrap();
        let done = run(dir.path(), &compile_to("stack.yaml", split));
        assert!(done.status.success(), "{done:?}");
        assert_eq!(mode(&dir.path().join("stack.yaml")), mode(&created));
        if split {
            let nested = dir.path().join("shop.stacks/Services.yaml");
            assert_eq!(mode(&nested), mode(&created));
        }
    }
}

fn an_output_that_is_an_input_is_refused() {
    let dir = folder();
    let d = dir.path();
    let text = compose(1, "old");
    std::fs::write(d.join("compose.yaml"), &text).unwrap();
    std::fs::write(d.join(".env"), "TAG=1\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("compose.yaml"), d.join("link.yaml")).unwrap();
    for output in ["compose.yaml", "./sub/../compose.yaml", "link.yaml", ".env"] {
        std::fs::create_dir_all(d.join("sub")).unwrap();
        let done = run(d, &["compose.yaml", "-o", output]);
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{output}: {stderr}");
        assert!(stderr.contains("would overwrite the input"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(d.join("compose.yaml")).unwrap(),
            text
        );
    }
    let done = run(d, &["config", "compose.yaml", "-o", "compose.yaml"]);
    assert_eq!(done.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(d.join("compose.yaml")).unwrap(),
        text
    );
}

fn a_missing_folder_is_an_io_error_and_creates_nothing() {
    let dir = folder();
    let d = dir.path();
    std::fs::write(d.join("compose.yaml"), compose(2, "new")).unwrap();
    for split in [false, true] {
        let done = run(d, &compile_to("missing/stack.yaml", split));
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("No such file or directory"), "{stderr}");
        assert!(
            !stderr.contains(".compose2cfn-"),
            "a temporary name leaked: {stderr}"
        );
        assert!(!d.join("missing").exists());
    }
}

/// Makes `dir` read-only for this process: `chattr +i` when running as root (whom
/// permissions do not stop), else mode 0555. `None` when neither works here.
fn read_only(dir: &Path) -> Option<ReadOnly> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if root {
        let done = Command::new("chattr").arg("+i").arg(dir).status();
        return done
            .is_ok_and(|s| s.success())
            .then(|| ReadOnly(dir.to_path_buf(), true));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        Some(ReadOnly(dir.to_path_buf(), false))
    }
    #[cfg(not(unix))]
    None
}

/// Undoes [`read_only`] when dropped, even when an assertion failed.
struct ReadOnly(PathBuf, bool);

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        } else {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
            }
        }
    }
}

fn a_read_only_folder_leaves_the_previous_output() {
    for split in [false, true] {
        let (dir, before) = old_output(3, split);
        let d = dir.path();
        let Some(guard) = read_only(d) else {
            eprintln!("skipped: cannot make a folder read-only here");
            return;
        };
        let done = run(d, &compile_to("stack.yaml", split));
        drop(guard);
        left_as_it_was(d, &done, "left as it was", &before, split, 3);
    }
}

/// A full disk, simulated: the file-size limit (`ulimit -f`, with SIGXFSZ ignored) makes
/// writes fail as `ENOSPC` would, past a few kilobytes.
#[cfg(unix)]
fn a_full_disk_leaves_the_previous_output() {
    for split in [false, true] {
        let (dir, before) = old_output(30, split);
        let d = dir.path();
        let script = format!(
            "trap '' XFSZ; ulimit -f 16; exec '{}' {}",
            binary().display(),
            compile_to("stack.yaml", split).join(" ")
        );
        let done = Command::new("sh")
            .current_dir(d)
            .args(["-c", &script])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        left_as_it_was(d, &done, "cannot write", &before, split, 30);
    }
}

/// SIGINT at moments spread over a split run's life: whatever it interrupts (loading,
/// compiling, writing, or nothing: the run was over), the folder holds one whole set, old
/// or new, and nothing staged.
#[cfg(unix)]
fn sigint_while_writing_leaves_one_whole_set() {
    const SERVICES: usize = 200;
    let dir = folder();
    let d = dir.path();
    let args = ["compose.yaml", "-o", "stack.yaml", "--split"];
    std::fs::write(d.join("compose.yaml"), compose(SERVICES, "old")).unwrap();
    let start = std::time::Instant::now();
    assert!(run(d, &args).status.success());
    let whole = start.elapsed();
    std::fs::write(d.join("compose.yaml"), compose(SERVICES, "new")).unwrap();
    let mut outcomes = std::collections::BTreeMap::new();
    for step in 0..16u32 {
        // Back to the old set, then interrupt a run towards the new one.
        std::fs::write(d.join("compose.yaml"), compose(SERVICES, "old")).unwrap();
        assert!(run(d, &args).status.success());
        std::fs::write(d.join("compose.yaml"), compose(SERVICES, "new")).unwrap();
        let mut child = Command::new(binary())
            .current_dir(d)
            .args(args)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole * (8 + step) / 20);
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        let tag = written_tag(d, SERVICES);
        assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
        match status.code() {
            Some(0) => assert_eq!(tag, "new"),
            Some(130) => assert_eq!(tag, "old", "interrupted, yet changed"),
            None => assert_eq!(tag, "old", "killed before writing, yet changed"),
            Some(code) => panic!("exit {code}"),
        }
        *outcomes.entry(format!("{:?}", status.code())).or_insert(0) += 1;
    }
    eprintln!("outcomes (exit code: runs): {outcomes:?}");
}
