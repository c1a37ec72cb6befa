//! Which Compose files make the project when none is named, as Docker Compose finds them:
//! `COMPOSE_FILE` (a path list, separated by `COMPOSE_PATH_SEPARATOR` or the platform's
//! separator), else the first of `compose.yaml`, `compose.yml`, `docker-compose.yaml`,
//! `docker-compose.yml` in the working folder or the nearest parent that has one, with the
//! first override file beside it (`compose.override.yml`, ... `docker-compose.override.yaml`).

use std::path::{Path, PathBuf};

/// File names Compose looks for, in order of preference.
pub const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The Compose files `COMPOSE_FILE` names, when it is set and not empty.
#[must_use]
pub fn from_env(value: Option<&str>, separator: Option<&str>) -> Vec<PathBuf> {
    let Some(list) = value.filter(|v| !v.is_empty()) else {
        return Vec::new();
    };
    let parts: Vec<PathBuf> = match separator.filter(|s| !s.is_empty()) {
        Some(separator) => list.split(separator).map(PathBuf::from).collect(),
        None => std::env::split_paths(list).collect(),
    };
    parts
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

/// Override files Compose merges into a discovered file, in order of preference (whatever
/// the discovered file's own name).
pub const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The Compose file (and its override file, when there is one) in `dir` or its nearest
/// parent that has one.
///
/// # Errors
/// A message for the user when no folder up to the root has a Compose file.
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>, String> {
    for folder in dir.ancestors() {
        if let Some(name) = DEFAULT_FILES.iter().find(|n| folder.join(n).is_file()) {
            let mut files = vec![folder.join(name)];
            if let Some(file) = OVERRIDE_FILES
                .iter()
                .map(|o| folder.join(o))
                .find(|o| o.is_file())
            {
                files.push(file);
            }
            return Ok(files);
        }
    }
    Err(format!(
        "no Compose file found: looked for {} in `{}` and its parents",
        DEFAULT_FILES.join(", "),
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_file_lists_split_on_the_separator() {
        assert_eq!(
            from_env(Some("a.yaml,b.yaml"), Some(",")),
            [PathBuf::from("a.yaml"), PathBuf::from("b.yaml")]
        );
        assert!(from_env(Some(""), None).is_empty());
    }

    #[test]
    fn discovery_walks_up_and_takes_the_override() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.path().join("docker-compose.yml"), "services: {}").unwrap();
        std::fs::write(
            dir.path().join("docker-compose.override.yml"),
            "services: {}",
        )
        .unwrap();
        let found = discover(&nested).unwrap();
        assert_eq!(
            found,
            [
                dir.path().join("docker-compose.yml"),
                dir.path().join("docker-compose.override.yml")
            ]
        );
    }
}
