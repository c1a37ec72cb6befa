//! Secrets: the top-level `secrets` (from a file or an environment variable, whose content
//! the deployer passes as a `NoEcho` parameter and compose2cfn never reads; or an existing
//! Secrets Manager secret or SSM parameter), and a service's uses of them (short name, or
//! long syntax with `target`, `uid`, `gid`, `mode`). Problems are reported here, at the
//! exact value.

use std::collections::BTreeMap;

use super::Locator;
use super::arn::Arn;
use super::spec;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::path;
use crate::source::Span;

/// Where the secret folder is in a container.
pub const SECRETS_DIR: &str = "/run/secrets";

/// One top-level secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    pub name: String,
    /// Its key under `secrets`.
    pub span: Span,
    pub source: SecretSource,
    /// `x-aws-keys`: keys of a JSON secret, each written to its own file.
    pub keys: Vec<String>,
    /// `x-aws-keys: "*"`: every key of the JSON secret, each in its own file.
    pub all_keys: bool,
}

/// Where a secret's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `external: true`: an existing Secrets Manager secret, by ARN or name, or an SSM
    /// parameter, by ARN.
    External(String),
    /// `file:`: the deployer passes the file's content as a parameter.
    File(String),
    /// `environment:`: the deployer passes the variable's value as a parameter.
    Environment(String),
}

/// A service's use of a secret or a config: a file it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUse {
    /// The secret's or config's name.
    pub secret: String,
    /// For a secret, the file name under `/run/secrets` (default: the secret's name) or an
    /// absolute path elsewhere; for a config, the absolute path (default `/<name>`).
    pub target: String,
    pub uid: Option<String>,
    pub gid: Option<String>,
    /// Octal permissions (default `0444`).
    pub mode: String,
    pub span: Span,
}

/// The top-level secrets.
pub(super) fn build(
    file: &spec::ComposeFile,
    at: &Locator<'_>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Secret> {
    let mut out = BTreeMap::new();
    for (name, secret) in file.secrets.iter().flatten() {
        let base = path!["secrets", name.as_str()];
        let span = at.key_span(&base);
        let external = secret.external.as_ref().is_some_and(super::is_external);
        let source = if external {
            let legacy = secret
                .external
                .as_ref()
                .and_then(spec::External::legacy_name)
                .map(String::from);
            SecretSource::External(
                secret
                    .name
                    .clone()
                    .or(legacy)
                    .unwrap_or_else(|| name.clone()),
            )
        } else if let Some(path) = &secret.file {
            SecretSource::File(path.clone())
        } else if let Some(variable) = &secret.environment {
            SecretSource::Environment(variable.clone())
        } else {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("secret `{name}` has no `file`, `environment` or `external`"),
                )
                .at(span)
                .with_help("name the file or the variable that holds the value, or `external: true` with `name:` for an existing Secrets Manager secret"),
            );
            continue;
        };
        let keys = match &secret.x_aws_keys {
            None => Vec::new(),
            Some(spec::StringOrList::One(key)) => vec![key.clone()],
            Some(spec::StringOrList::List(keys)) => keys.clone(),
        };
        let all_keys = keys.iter().any(|k| k == "*");
        let keys = if all_keys { Vec::new() } else { keys };
        if (all_keys || !keys.is_empty()) && source.is_ssm_parameter() {
            // Reported, and the secret kept: its uses are not undefined.
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("secret `{name}` is an SSM parameter, whose JSON keys ECS cannot extract"),
                )
                .at(at.span(&path!["secrets", name.as_str(), "x-aws-keys"]))
                .with_help("ECS reads single JSON keys from Secrets Manager secrets only: store the JSON in Secrets Manager, or drop `x-aws-keys` to read the whole parameter as one file"),
            );
        }
        if let Some(bad) = keys.iter().find(|k| !plain_name(k)) {
            diags.push(
                Diagnostic::new(Code::InvalidValue, format!("`{bad}` cannot be a file name"))
                    .at(at.span(&path!["secrets", name.as_str(), "x-aws-keys"]))
                    .with_help("each key becomes a file `/run/secrets/<target>/<key>`: use letters, digits, `.`, `_` and `-`"),
            );
            continue;
        }
        out.insert(
            name.clone(),
            Secret {
                name: name.clone(),
                span,
                source,
                keys,
                all_keys,
            },
        );
    }
    out
}

/// Whether a name can be a file name in the secrets folder.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl SecretSource {
    /// Whether it is an existing SSM Parameter Store parameter
    /// (`arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME`), which ECS reads with
    /// `ssm:GetParameters` rather than Secrets Manager's `GetSecretValue`.
    #[must_use]
    pub fn is_ssm_parameter(&self) -> bool {
        match self {
            SecretSource::External(arn) => Arn::parse(arn)
                .is_some_and(|arn| arn.service == "ssm" && arn.resource.starts_with("parameter/")),
            _ => false,
        }
    }
}

/// Where files a service reads are placed.
impl Secret {
    /// Whether its keys are files of their own (`x-aws-keys`).
    #[must_use]
    pub fn splits(&self) -> bool {
        !self.keys.is_empty() || self.all_keys
    }
}

impl SecretUse {
    /// The directory of an absolute target: the volume the file is placed in (for a
    /// secret whose keys are files, the target itself: `split`).
    #[must_use]
    pub fn directory(&self, split: bool) -> &str {
        if split {
            &self.target
        } else {
            self.target.rsplit_once('/').map_or("/", |(dir, _)| dir)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// Secrets: a plain name in `/run/secrets` (`target` is that name), or an absolute
    /// path elsewhere in a directory of its own.
    Secrets,
    /// Configs: an absolute path (default `/<name>`) in a directory of its own.
    Configs,
}

impl Place {
    /// The file's target, or a diagnostic and `None`.
    fn target(
        self,
        source: &str,
        target: Option<String>,
        at: Span,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        let (kind, defaulted) = match self {
            Place::Secrets => ("secret", false),
            Place::Configs => ("config", target.is_none()),
        };
        let target = match (self, target) {
            (_, Some(target)) => target,
            (Place::Secrets, None) => source.to_string(),
            (Place::Configs, None) => format!("/{source}"),
        };
        if self == Place::Secrets {
            // A name, or a path, in `/run/secrets`: the file there.
            let relative = target
                .strip_prefix(SECRETS_DIR)
                .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                .map_or(target.as_str(), |rest| rest.trim_start_matches('/'));
            if plain_name(relative) {
                return Some(relative.to_string());
            }
        }
        let parts: Vec<&str> = target.strip_prefix('/').unwrap_or("").split('/').collect();
        let problem = if !target.starts_with('/') || !parts.iter().all(|p| plain_name(p)) {
            Some(if self == Place::Secrets {
                "give `target` a file name in `/run/secrets`, or an absolute path of plain names (letters, digits, `.`, `_`, `-`)"
            } else {
                "give `target` an absolute path of plain names (letters, digits, `.`, `_`, `-`)"
            })
        } else if parts.len() < 2 && defaulted {
            Some(
                "without `target`, Compose places a config at `/<name>`, at the root of the filesystem, which cannot be a volume: use the long syntax with a `target` in a directory, such as `/etc/app/config.yaml`",
            )
        } else if parts.len() < 2 {
            Some(
                "the file's directory becomes a volume, and `/` cannot be one: give `target` a path in a directory, such as `/etc/app/config.yaml`",
            )
        } else if self == Place::Configs && target.starts_with(SECRETS_DIR) {
            Some("`/run/secrets` holds the secrets: put configs elsewhere")
        } else {
            None
        };
        match problem {
            None => Some(target),
            Some(help) => {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("{kind} target `{target}` cannot be placed"),
                    )
                    .at(at)
                    .with_help(help),
                );
                None
            }
        }
    }
}

/// A service's uses of secrets or configs (entry `i` of the list is at `span(i)`).
pub(super) fn uses(
    entries: Option<&Vec<spec::ConfigOrSecretRef>>,
    place: Place,
    span: &dyn Fn(usize) -> Span,
    diags: &mut Diagnostics,
) -> Vec<SecretUse> {
    let mut out = Vec::new();
    for (i, entry) in entries.into_iter().flatten().enumerate() {
        let (source, target, uid, gid, mode) = match entry {
            spec::ConfigOrSecretRef::Short(name) => (name.clone(), None, None, None, None),
            spec::ConfigOrSecretRef::Long(long) => {
                let Some(source) = long.source.clone() else {
                    continue; // the schema requires it
                };
                (
                    source,
                    long.target.clone(),
                    long.uid.clone(),
                    long.gid.clone(),
                    long.mode.as_ref(),
                )
            }
        };
        let Some(target) = place.target(&source, target, span(i), diags) else {
            continue;
        };
        if let Some(bad) = [&uid, &gid]
            .into_iter()
            .flatten()
            .find(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()))
        {
            diags.push(
                Diagnostic::new(Code::InvalidValue, format!("`{bad}` is not a numeric user or group ID"))
                    .at(span(i))
                    .with_help("the file is written by an init container that does not know the image's user names: give the numeric ID"),
            );
            continue;
        }
        let mode = match mode.map(octal) {
            None => "0444".to_string(),
            Some(Ok(mode)) => mode,
            Some(Err(why)) => {
                diags.push(Diagnostic::new(Code::InvalidValue, why).at(span(i)));
                continue;
            }
        };
        out.push(SecretUse {
            secret: source,
            target,
            uid,
            gid,
            mode,
            span: span(i),
        });
    }
    out
}

/// A file mode: a YAML number (already octal-read, `0440` is 288) or octal text.
fn octal(mode: &spec::NumOrStr) -> Result<String, String> {
    let value = match mode {
        spec::NumOrStr::Num(n) if n.fract() == 0.0 && (0.0..=4095.0).contains(n) => {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked
            let n = *n as u32;
            n
        }
        spec::NumOrStr::Str(text) => u32::from_str_radix(text, 8)
            .ok()
            .filter(|n| *n <= 0o7777)
            .ok_or_else(|| format!("`{text}` is not an octal file mode like `0440`"))?,
        spec::NumOrStr::Num(n) => return Err(format!("`{n}` is not a file mode like `0440`")),
    };
    Ok(format!("{value:04o}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_octal_however_written() {
        assert_eq!(octal(&spec::NumOrStr::Num(288.0)).unwrap(), "0440");
        assert_eq!(octal(&spec::NumOrStr::Str("0400".into())).unwrap(), "0400");
        assert!(octal(&spec::NumOrStr::Str("0999".into())).is_err());
        assert!(plain_name("db_password.txt") && !plain_name("../etc") && !plain_name("a/b"));
    }

    #[test]
    fn targets_live_in_their_directory() {
        let used = |target: &str| SecretUse {
            secret: "s".into(),
            target: target.into(),
            uid: None,
            gid: None,
            mode: "0444".into(),
            span: Span::default(),
        };
        assert_eq!(
            used("/etc/nginx/conf.d/site.conf").directory(false),
            "/etc/nginx/conf.d"
        );
        assert_eq!(used("/app/config.yaml").directory(false), "/app");
        assert_eq!(used("/etc/app/keys").directory(true), "/etc/app/keys");
    }
}
