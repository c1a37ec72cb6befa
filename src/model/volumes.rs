//! Named volumes: the top-level `volumes` (each an EFS file system) with their
//! `driver_opts` read and checked, and a service's mounts of them (short `name:/path[:ro]`
//! and long syntax). Bind mounts, anonymous volumes and tmpfs are not mounts here:
//! `validate/fargate.rs` rejects them.

use std::collections::BTreeMap;

use super::spec;
use super::{Locator, units};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::path;
use crate::source::Span;

/// One named volume: an EFS file system and its access point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Volume {
    pub name: String,
    /// The volume's key under `volumes`.
    pub span: Span,
    /// `external: true`: an existing file system (its ID in `name`).
    pub external: Option<String>,
    pub options: VolumeOptions,
}

/// The `driver_opts` compose2cfn understands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VolumeOptions {
    /// POSIX owner of the access point (`uid`, `gid`).
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Octal permissions of a root directory created for the access point.
    pub permissions: Option<String>,
    /// The access point's root directory.
    pub root_directory: Option<String>,
    /// `generalPurpose` or `maxIO`.
    pub performance_mode: Option<String>,
    /// `bursting`, `provisioned` or `elastic`.
    pub throughput_mode: Option<String>,
    pub provisioned_throughput: Option<f64>,
    /// `AFTER_30_DAYS` and the like: move files to Infrequent Access.
    pub lifecycle_policy: Option<String>,
    /// Automatic backups; on unless `backup_policy: DISABLED`.
    pub backup: bool,
    /// A customer-managed KMS key (ID, ARN or alias); default: the AWS-managed key.
    pub kms_key_id: Option<String>,
}

/// A service's mount of a named volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub volume: String,
    pub target: String,
    pub read_only: bool,
    /// `volume.subpath`: a directory inside the volume, mounted instead of its root.
    pub subpath: Option<String>,
    /// The list entry.
    pub span: Span,
}

/// How one `driver_opts` value is read: the allowed words, or a parser.
enum Opt {
    Words(&'static [&'static str]),
    Id,
    Octal,
    Path,
    Positive,
    Text,
}

/// Every `driver_opts` key compose2cfn reads, with how.
const OPTIONS: &[(&str, Opt)] = &[
    ("uid", Opt::Id),
    ("gid", Opt::Id),
    ("permissions", Opt::Octal),
    ("root_directory", Opt::Path),
    ("performance_mode", Opt::Words(&["generalPurpose", "maxIO"])),
    (
        "throughput_mode",
        Opt::Words(&["bursting", "provisioned", "elastic"]),
    ),
    ("provisioned_throughput", Opt::Positive),
    (
        "lifecycle_policy",
        Opt::Words(&[
            "AFTER_1_DAY",
            "AFTER_7_DAYS",
            "AFTER_14_DAYS",
            "AFTER_30_DAYS",
            "AFTER_60_DAYS",
            "AFTER_90_DAYS",
            "AFTER_180_DAYS",
            "AFTER_270_DAYS",
            "AFTER_365_DAYS",
        ]),
    ),
    ("backup_policy", Opt::Words(&["ENABLED", "DISABLED"])),
    ("kms_key_id", Opt::Text),
];

/// The top-level volumes.
pub(super) fn build(
    file: &spec::ComposeFile,
    at: &Locator<'_>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Volume> {
    let mut out = BTreeMap::new();
    for (name, volume) in file.volumes.iter().flatten() {
        let span = at.key_span(&path!["volumes", name.as_str()]);
        let definition = volume.clone().unwrap_or_default();
        let external = match &definition.external {
            Some(external @ spec::External::Named(_)) => {
                Some(external.legacy_name().unwrap_or(name).to_string())
            }
            Some(external) if super::is_external(external) => {
                Some(definition.name.clone().unwrap_or_else(|| name.clone()))
            }
            _ => None,
        };
        let options = options(name, definition.driver_opts.as_ref(), at, diags);
        out.insert(
            name.clone(),
            Volume {
                name: name.clone(),
                span,
                external,
                options,
            },
        );
    }
    out
}

fn options(
    volume: &str,
    opts: Option<&indexmap::IndexMap<String, spec::Scalar>>,
    at: &Locator<'_>,
    diags: &mut Diagnostics,
) -> VolumeOptions {
    let mut out = VolumeOptions {
        backup: true,
        ..VolumeOptions::default()
    };
    for (key, value) in opts.into_iter().flatten() {
        let span = at.span(&path!["volumes", volume, "driver_opts", key.as_str()]);
        let text = value.to_text();
        let Some((_, opt)) = OPTIONS.iter().find(|(k, _)| k == key) else {
            let known = OPTIONS.iter().map(|(k, _)| *k);
            let mut d = Diagnostic::new(
                Code::IgnoredValue,
                format!("driver option `{key}` is ignored"),
            )
            .at(at.key_span(&path!["volumes", volume, "driver_opts", key.as_str()]));
            d = match crate::diag::did_you_mean(key, known) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help(format!(
                    "EFS volumes read {}",
                    OPTIONS
                        .iter()
                        .map(|(k, _)| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            diags.push(d);
            continue;
        };
        match read(opt, &text) {
            Ok(()) => set(&mut out, key, &text),
            Err(why) => diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("invalid `{key}` `{text}` for volume `{volume}`"),
                )
                .at_labelled(span, why),
            ),
        }
    }
    if out.provisioned_throughput.is_some() && out.throughput_mode.as_deref() != Some("provisioned")
    {
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!("volume `{volume}` sets `provisioned_throughput` without `throughput_mode: provisioned`"),
            )
            .at(at.span(&path!["volumes", volume, "driver_opts", "provisioned_throughput"]))
            .with_help("add `throughput_mode: provisioned`, or remove `provisioned_throughput`"),
        );
    }
    out
}

/// Checks one value; the error says what is allowed.
fn read(opt: &Opt, text: &str) -> Result<(), String> {
    match opt {
        Opt::Words(words) => {
            if words.contains(&text) {
                Ok(())
            } else {
                Err(format!("one of {}", words.join(", ")))
            }
        }
        Opt::Id => text
            .parse::<u32>()
            .map(|_| ())
            .map_err(|_| "a user or group ID, 0 to 4294967295".to_string()),
        Opt::Octal => {
            let ok =
                (3..=4).contains(&text.len()) && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
            if ok {
                Ok(())
            } else {
                Err("octal permissions such as `0755`".to_string())
            }
        }
        Opt::Path => {
            if text.starts_with('/') && text.len() <= 100 {
                Ok(())
            } else {
                Err("an absolute path of at most 100 characters".to_string())
            }
        }
        Opt::Positive => match text.parse::<f64>() {
            Ok(n) if n > 0.0 && n.is_finite() => Ok(()),
            _ => Err("MiB/s, a number above 0".to_string()),
        },
        Opt::Text => {
            if text.is_empty() {
                Err("not empty".to_string())
            } else {
                Ok(())
            }
        }
    }
}

fn set(out: &mut VolumeOptions, key: &str, text: &str) {
    let owned = || Some(text.to_string());
    match key {
        "uid" => out.uid = text.parse().ok(),
        "gid" => out.gid = text.parse().ok(),
        "permissions" => out.permissions = owned(),
        "root_directory" => out.root_directory = owned(),
        "performance_mode" => out.performance_mode = owned(),
        "throughput_mode" => out.throughput_mode = owned(),
        "provisioned_throughput" => out.provisioned_throughput = text.parse().ok(),
        "lifecycle_policy" => out.lifecycle_policy = owned(),
        "backup_policy" => out.backup = text == "ENABLED",
        "kms_key_id" => out.kms_key_id = owned(),
        _ => {}
    }
}

/// A service's mounts of named volumes (entry `i` of its `volumes` is at `span(i)`).
pub(super) fn mounts(
    entries: Option<&Vec<spec::ServiceVolume>>,
    span: &dyn Fn(usize) -> Span,
) -> Vec<Mount> {
    let mut out = Vec::new();
    for (i, entry) in entries.into_iter().flatten().enumerate() {
        let mount = match entry {
            spec::ServiceVolume::Short(text) => {
                let (Some(source), target, mode) = split_short(text) else {
                    continue;
                };
                if source.is_empty() || is_path(source) {
                    continue;
                }
                let mode = mode.unwrap_or_default();
                Mount {
                    volume: source.to_string(),
                    target: target.to_string(),
                    read_only: mode.split(',').any(|m| m == "ro"),
                    subpath: None,
                    span: span(i),
                }
            }
            spec::ServiceVolume::Long(long) => {
                let (spec::VolumeType::Volume, Some(source), Some(target)) =
                    (long.kind, long.source.as_ref(), long.target.as_ref())
                else {
                    continue;
                };
                if source.is_empty() {
                    continue;
                }
                Mount {
                    volume: source.clone(),
                    target: target.clone(),
                    read_only: long
                        .read_only
                        .as_ref()
                        .is_some_and(|r| units::boolean(r).unwrap_or(false)),
                    subpath: long
                        .volume
                        .as_ref()
                        .and_then(|v| v.get("subpath"))
                        .and_then(serde_json::Value::as_str)
                        .map(|p| p.trim_matches('/').to_string())
                        .filter(|p| !p.is_empty()),
                    span: span(i),
                }
            }
        };
        out.push(mount);
    }
    out
}

/// The parts of a short volume entry `[source:]target[:mode]`: the source (none for an
/// anonymous volume), the target, the mode.
#[must_use]
pub fn split_short(text: &str) -> (Option<&str>, &str, Option<&str>) {
    let mut parts = text.split(':');
    let first = parts.next().unwrap_or(text);
    match parts.next() {
        None => (None, first, None),
        Some(target) => (Some(first), target, parts.next()),
    }
}

/// Whether a mount source is a host path rather than a volume name.
#[must_use]
pub fn is_path(source: &str) -> bool {
    source.starts_with(['/', '.', '~', '$']) || source.contains('/') || source.contains('\\')
}
