//! Secrets in AWS Secrets Manager, never in the template: a `file:` or `environment:`
//! secret becomes a secret whose value is a `NoEcho` parameter (the deployer passes the
//! content with `--parameter-overrides`); an external one is referenced by ARN or name.
//! A service sees its secrets as files in `/run/secrets`, as Compose promises: a
//! non-essential init container (busybox from ECR Public) receives them through ECS
//! `Secrets` and writes them into a task volume the main container mounts read-only.
//! `x-aws-keys` writes listed keys of a JSON secret as separate files (ECS extracts each
//! key); `x-aws-keys: "*"` writes every key, split by a POSIX awk program in the init
//! container (`scripts/split_json.awk`). An external secret may also be an SSM parameter
//! named by its ARN (whole, never split by keys). The execution role may read exactly these
//! secrets: `secretsmanager:GetSecretValue` on the secrets, `ssm:GetParameters` on the
//! parameters.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::ids::ENCRYPTION_KEY;
use super::tags;
use crate::ir::{Parameter, Resource, Template, Value};
use crate::map;
use crate::model::secrets::SECRETS_DIR;
use crate::model::{Project, Secret, SecretSource, SecretUse, Service};
use crate::platform::names;

/// The task volume the init container writes and the main container reads.
pub(super) const SECRETS_VOLUME: &str = "run-secrets";

/// What one service needs to see its secrets.
#[derive(Debug)]
pub(super) struct ServiceSecrets {
    /// The init container's name.
    pub container: String,
    /// Its ECS `Secrets`: environment variables the script reads.
    pub environment: Value,
    /// Its command: `sh -c SCRIPT`.
    pub command: Value,
    /// What the execution role may read: Secrets Manager secrets, and SSM parameters.
    pub resources: Vec<Value>,
    pub parameters: Vec<Value>,
    /// Whether one of them is encrypted with the project's key (the role may decrypt).
    pub uses_project_key: bool,
    /// Task volumes for secrets outside `/run/secrets`, and the directories they are
    /// mounted at.
    pub directories: Vec<(String, String)>,
}

fn secret_id(name: &str) -> String {
    format!("{}Secret", names::normalize(name))
}

fn parameter_id(name: &str) -> String {
    format!("{}SecretValue", names::normalize(name))
}

/// Lowers every secret some service uses; returns what each using service needs.
pub(super) fn lower(
    project: &Project,
    template: &mut Template,
) -> BTreeMap<String, ServiceSecrets> {
    for secret in project.secrets.values() {
        let used = project
            .services
            .values()
            .any(|s| s.secrets.iter().any(|u| u.secret == secret.name));
        if !used {
            continue; // left out (`W0404`)
        }
        let from = match &secret.source {
            SecretSource::External(_) => continue,
            SecretSource::File(path) => format!("the contents of `{path}`"),
            SecretSource::Environment(variable) => format!("the value of `${variable}`"),
        };
        template.parameters.insert(
            parameter_id(&secret.name),
            Parameter::secret(format!("Secret `{}`: {from}", secret.name)),
        );
        template.add(
            secret_id(&secret.name),
            Resource::new(
                "AWS::SecretsManager::Secret",
                map! {
                    "Description" => format!("Secret {} of {}", secret.name, project.name),
                    "KmsKeyId" => Value::get_att(ENCRYPTION_KEY, "Arn"),
                    "SecretString" => Value::reference(parameter_id(&secret.name)),
                    "Tags" => tags(project, &[("com.docker.compose.secret", secret.name.as_str())]),
                },
            )
            .from_source(secret.span),
        );
    }
    project
        .services
        .values()
        .filter(|s| !s.secrets.is_empty())
        .map(|s| (s.name.clone(), for_service(project, s)))
        .collect()
}

/// The ARN of an external secret given by name.
fn arn_of_name(name: &str) -> String {
    format!(
        "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}"
    )
}

/// `ValueFrom` for a secret, or for one key of a JSON secret.
fn value_from(secret: &Secret, key: Option<&str>) -> Value {
    let suffix = key.map(|k| format!(":{k}::")).unwrap_or_default();
    match &secret.source {
        SecretSource::External(arn) if arn.starts_with("arn:") => {
            Value::str(format!("{arn}{suffix}"))
        }
        SecretSource::External(name) => Value::sub(format!("{}{suffix}", arn_of_name(name))),
        _ if key.is_some() => Value::sub(format!("${{{}}}{suffix}", secret_id(&secret.name))),
        _ => Value::reference(secret_id(&secret.name)),
    }
}

/// What the execution role may read for a secret: the secret itself, and for an external
/// one given by name (or a partial ARN), the ARN with Secrets Manager's random suffix; an
/// SSM parameter is its ARN only.
fn readable(secret: &Secret) -> Vec<Value> {
    match &secret.source {
        SecretSource::External(arn) if secret.source.is_ssm_parameter() => {
            vec![Value::str(arn.clone())]
        }
        SecretSource::External(arn) if arn.starts_with("arn:") => {
            vec![Value::str(arn.clone()), Value::str(format!("{arn}-??????"))]
        }
        SecretSource::External(name) => vec![Value::sub(format!("{}-??????", arn_of_name(name)))],
        _ => vec![Value::reference(secret_id(&secret.name))],
    }
}

/// A shell word in single quotes.
pub(super) fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Appends to an init container's script the lines that write `file` from `$variable`
/// with the mode and owner `used` asks for (secrets and configs alike).
pub(super) fn write_file(script: &mut String, variable: &str, file: &str, used: &SecretUse) {
    let file = quoted(file);
    let _ = writeln!(script, "printf '%s' \"${variable}\" > {file}");
    permissions(script, &file, used);
}

/// The program that splits a JSON object into one file per key (its comments are for
/// readers of the source, not of the template).
fn split_json() -> String {
    include_str!("scripts/split_json.awk")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The command that creates `dir` (a shell word) and its parents readable by every user
/// (the script's `umask 077` is for the secrets' files): a service that runs as another
/// user than root must be able to reach its files, whose own modes guard them.
fn make_directory(dir: &str) -> String {
    format!("(umask 022; mkdir -p {dir})")
}

/// Appends the lines that write every key of the JSON object in `$variable` as a file in
/// `dir`, with the mode and owner `used` asks for.
fn write_all_keys(script: &mut String, variable: &str, dir: &str, used: &SecretUse) {
    let dir = quoted(dir);
    let _ = writeln!(script, "{}", make_directory(&dir));
    let _ = writeln!(
        script,
        "LC_ALL=C awk -v var={variable} -v dir={dir} {}",
        quoted(&split_json())
    );
    let _ = writeln!(script, "for f in {dir}/*; do");
    let _ = writeln!(script, "[ -f \"$f\" ] || continue");
    permissions(script, "\"$f\"", used);
    let _ = writeln!(script, "done");
}

/// Appends `chmod` (and `chown` when asked) of `file`, a shell word.
fn permissions(script: &mut String, file: &str, used: &SecretUse) {
    let _ = writeln!(script, "chmod {} {file}", used.mode);
    if used.uid.is_some() || used.gid.is_some() {
        let owner = format!(
            "{}:{}",
            used.uid.as_deref().unwrap_or("0"),
            used.gid.as_deref().unwrap_or("0")
        );
        let _ = writeln!(script, "chown {owner} {file}");
    }
}

fn for_service(project: &Project, service: &Service) -> ServiceSecrets {
    let mut script = String::from("set -e\numask 077\n");
    let mut environment = Vec::new();
    let mut resources = Vec::new();
    let mut parameters = Vec::new();
    let mut directories: BTreeMap<String, String> = BTreeMap::new();
    for used in &service.secrets {
        let Some(secret) = project.secrets.get(&used.secret) else {
            continue; // undefined: validation reported it
        };
        if secret.source.is_ssm_parameter() {
            parameters.extend(readable(secret));
        } else {
            resources.extend(readable(secret));
        }
        let path = if used.target.starts_with('/') {
            // Elsewhere than `/run/secrets`: the directory of the file (or of the keys) is a
            // volume of its own.
            let dir = used.directory(secret.splits());
            let count = directories.len();
            directories
                .entry(dir.to_string())
                .or_insert_with(|| format!("secrets-{count}"));
            used.target.clone()
        } else {
            format!("{SECRETS_DIR}/{}", used.target)
        };
        if secret.all_keys {
            let variable = format!("COMPOSE2CFN_SECRET_{}", environment.len());
            environment.push(map! {
                "Name" => variable.clone(),
                "ValueFrom" => value_from(secret, None),
            });
            write_all_keys(&mut script, &variable, &path, used);
            continue;
        }
        let files: Vec<(String, Option<&str>)> = if secret.keys.is_empty() {
            vec![(path.clone(), None)]
        } else {
            let _ = writeln!(script, "{}", make_directory(&quoted(&path)));
            secret
                .keys
                .iter()
                .map(|key| (format!("{path}/{key}"), Some(key.as_str())))
                .collect()
        };
        for (file, key) in files {
            let variable = format!("COMPOSE2CFN_SECRET_{}", environment.len());
            environment.push(map! {
                "Name" => variable.clone(),
                "ValueFrom" => value_from(secret, key),
            });
            write_file(&mut script, &variable, &file, used);
        }
    }
    for list in [&mut resources, &mut parameters] {
        list.sort_by_key(|v| format!("{v:?}"));
        list.dedup();
    }
    let uses_project_key = service.secrets.iter().any(|u| {
        project
            .secrets
            .get(&u.secret)
            .is_some_and(|s| !matches!(s.source, SecretSource::External(_)))
    });
    ServiceSecrets {
        uses_project_key,
        container: format!("{}_Secrets_InitContainer", names::normalize(&service.name)),
        environment: Value::List(environment),
        command: Value::strs(["sh", "-c", script.as_str()]),
        resources,
        parameters,
        directories: directories
            .into_iter()
            .map(|(dir, volume)| (volume, dir))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The script an init container runs for `x-aws-keys: "*"`, run here by `sh` and the
    /// system's awk.
    #[test]
    fn every_key_of_a_json_secret_becomes_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("smtp");
        let used = SecretUse {
            secret: "smtp".into(),
            target: "smtp".into(),
            uid: None,
            gid: None,
            mode: "0440".into(),
            span: crate::source::Span::default(),
        };
        let mut script = String::from("set -e\n");
        write_all_keys(&mut script, "SECRET", &target.display().to_string(), &used);
        let secret =
            r#"{"user": "mail", "password": "p\"w\\d\u00e9", "port": 587, "tls": {"on": true}}"#;
        let status = std::process::Command::new("sh")
            .args(["-c", &script])
            .env("SECRET", secret)
            .status()
            .unwrap();
        assert!(status.success());
        let read = |key: &str| std::fs::read_to_string(target.join(key)).unwrap();
        assert_eq!(read("user"), "mail");
        assert_eq!(read("password"), "p\"w\\d\u{e9}");
        assert_eq!(read("port"), "587");
        assert_eq!(read("tls"), r#"{"on": true}"#);
        let bad = std::process::Command::new("sh")
            .args(["-c", &script])
            .env("SECRET", r#"{"../escape": "x"}"#)
            .status()
            .unwrap();
        assert!(!bad.success());
    }
}
