//! Writing the output: all of it or nothing, never over an input. A template is written
//! to a temporary file in the target folder, then renamed over the old one; a split
//! project's nested templates are written to a folder aside, which is swapped in for the
//! old folder just before the root template is renamed into place. A failure (missing or
//! read-only folder, full disk) or an interruption (SIGINT, SIGTERM) before that point
//! removes what was staged and leaves the previous output as it was.
//!
//! Nothing is forced to disk (no `fsync`), as a compiler does not force its output: the
//! templates can always be compiled again, and a flush waits for the file system's other
//! dirty pages too (a run beside a process writing 300 MB took 430 ms instead of 10). A
//! reader never sees a part of a file; after a power cut, the last run's files may be lost.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Why the output was not written.
#[derive(Debug)]
pub enum Error {
    /// The file system refused (the message names what).
    Io(std::io::Error),
    /// SIGINT or SIGTERM arrived while writing; nothing was changed.
    Interrupted,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The OS's own words, without the temporary file's name that tempfile appends
            // to its errors (` at path "..."`).
            Error::Io(error) => {
                let text = error.to_string();
                f.write_str(text.split(" at path \"").next().unwrap_or(&text))
            }
            Error::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error::Io(error)
    }
}

/// SIGINT and SIGTERM, caught from the moment writing starts: the process goes on to a
/// point where it can remove what it staged, then stops. (Before writing starts, they
/// stop the process as usual: nothing has been touched.)
struct Interrupts(Arc<AtomicBool>);

impl Interrupts {
    fn watch() -> Self {
        let flag = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // Without the handler an interruption still leaves the old output intact: the
            // rename that commits is atomic. Only the staged files would be left behind.
            let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
        }
        Interrupts(flag)
    }

    fn check(&self) -> Result<(), Error> {
        if self.0.load(Ordering::SeqCst) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// The folder a path is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The input among `inputs` that writing `output` (or, for a split project, the folder
/// `nested` beside it) would overwrite: the same file (hard links and symbolic links
/// included), or a file inside that folder.
#[must_use]
pub fn clobbered_input<'a>(
    output: &Path,
    nested: Option<&str>,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Option<&'a Path> {
    let folder = nested.and_then(|name| std::fs::canonicalize(folder_of(output).join(name)).ok());
    // Each path resolved once: the output may not exist yet, an input may have gone.
    let output = std::fs::canonicalize(output).ok();
    inputs.into_iter().find(|input| {
        std::fs::canonicalize(input).is_ok_and(|input| {
            output.as_ref() == Some(&input)
                || folder
                    .as_ref()
                    .is_some_and(|folder| input.starts_with(folder))
        })
    })
}

/// Writes `bytes` to `path`: the old file or the new one, never a part.
///
/// # Errors
/// When the folder is missing or read-only, the disk is full, or a signal interrupted.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let interrupts = Interrupts::watch();
    let dir = folder_of(path);
    let file = staged_file(dir, bytes)?;
    interrupts.check()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a split project: the root template at `path` and the nested ones (paths
/// relative to its folder, all in one folder `{name}/`), so that either the old set or
/// the new one is in place, whole.
///
/// # Errors
/// As [`write`]; the old set is then untouched.
pub fn write_set(path: &Path, root: &[u8], nested: &[(&str, &str)]) -> Result<(), Error> {
    let Some(name) = nested_folder(nested) else {
        return write(path, root);
    };
    let interrupts = Interrupts::watch();
    let dir = folder_of(path);
    // Dropped on any early return: the staged folder and file are removed.
    let staged = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempdir_in(dir)?;
    for (relative, text) in nested {
        interrupts.check()?;
        let file = staged.path().join(
            relative
                .strip_prefix(&format!("{name}/"))
                .unwrap_or(relative),
        );
        std::fs::File::create(&file)?.write_all(text.as_bytes())?;
    }
    let root_file = staged_file(dir, root)?;
    interrupts.check()?;
    // From here on, the swap: two renames, then the root's.
    let target = dir.join(name);
    let backup = dir.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = target.exists();
    if had_old {
        std::fs::rename(&target, &backup)?;
    }
    let staged = staged.keep();
    let restore = |error: std::io::Error| {
        let _ = std::fs::remove_dir_all(&target);
        if had_old {
            let _ = std::fs::rename(&backup, &target);
        }
        let _ = std::fs::remove_dir_all(&staged);
        Error::Io(error)
    };
    std::fs::rename(&staged, &target).map_err(restore)?;
    root_file.persist(path).map_err(|e| restore(e.error))?;
    if had_old {
        let _ = std::fs::remove_dir_all(&backup);
    }
    Ok(())
}

/// `bytes` in a temporary file in `dir`, to be renamed into place (removed when dropped
/// before). Its permissions are those of any file the user creates (read and write for
/// all, less the umask), as the nested templates' are, not a temporary file's owner-only
/// ones.
fn staged_file(dir: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".compose2cfn-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(bytes)?;
    Ok(file)
}

/// The folder of a split project's nested templates (relative to the root's folder): the
/// first segment of their paths.
#[must_use]
pub fn nested_folder<'a>(nested: &[(&'a str, &str)]) -> Option<&'a str> {
    nested.first().and_then(|(path, _)| path.split('/').next())
}
