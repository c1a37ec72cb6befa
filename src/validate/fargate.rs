//! What a Fargate task can run: an image, the capabilities Fargate allows, a task size
//! that exists, healthcheck and stop timings in ECS's ranges, log retention CloudWatch
//! accepts, and volumes it can mount.

use crate::diag::did_you_mean;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Node, Value};
use crate::model::volumes::{is_path, split_short};
use crate::model::{Locator, Project, Secret, Service, Timed};
use crate::path;
use crate::platform::sizing;

/// Capabilities Fargate lets a container add.
const ALLOWED_CAPABILITIES: &[&str] = &["SYS_PTRACE"];

/// Retention values CloudWatch Logs accepts, in days.
const LOG_RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Healthcheck ranges ECS accepts: (name, minimum, maximum) in seconds or counts.
const HEALTHCHECK_RANGES: [(&str, f64, f64); 3] = [
    ("interval", 5.0, 300.0),
    ("timeout", 2.0, 120.0),
    ("start_period", 0.0, 300.0),
];

pub(super) fn check(root: &Node, project: &Project, diags: &mut Diagnostics) {
    let at = Locator::new(root);
    for service in project.services.values().filter(|s| !s.partial) {
        image(&at, service, diags);
        capabilities(service, diags);
        size(service, diags);
        memory_reservation(&at, service, diags);
        ulimits(&at, service, diags);
        timings(service, diags);
        deployment(service, diags);
        volumes(&at, project, service, diags);
        shared_writers(service, diags);
        configs(project, service, diags);
    }
    writers_of_one_volume(project, diags);
    if let Some((days, span)) = project.logs_retention
        && !LOG_RETENTION_DAYS.contains(&days)
    {
        let nearest = LOG_RETENTION_DAYS
            .iter()
            .min_by_key(|d| (*d - days).abs())
            .copied()
            .unwrap_or(1);
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!("CloudWatch Logs cannot keep logs for {days} days"),
            )
            .at(span)
            .with_help(format!(
                "use one of CloudWatch's retention values, e.g. {nearest}"
            )),
        );
    }
}

fn image(at: &Locator, service: &Service, diags: &mut Diagnostics) {
    if service
        .image
        .as_deref()
        .is_some_and(|i| !i.trim().is_empty())
    {
        return;
    }
    let has_build = at
        .node(&path!["services", service.name.as_str(), "build"])
        .is_some();
    let help = if has_build {
        "compose2cfn does not build images: build and push the image, then set `image:` to its registry address"
    } else {
        "set `image:` to the image the service runs"
    };
    diags.push(
        Diagnostic::new(
            Code::MissingImage,
            format!("service `{}` has no image", service.name),
        )
        .at_labelled(service.span, "needs `image`")
        .with_help(help),
    );
}

fn capabilities(service: &Service, diags: &mut Diagnostics) {
    for (capability, span) in &service.cap_add {
        let name = capability.trim_start_matches("CAP_");
        if !ALLOWED_CAPABILITIES.contains(&name) {
            diags.push(
                Diagnostic::new(
                    Code::CapabilityNotAllowed,
                    format!("Fargate does not allow adding `{capability}`"),
                )
                .at(*span)
                .with_help("Fargate containers may add only `SYS_PTRACE`; remove the others"),
            );
        }
    }
}

/// Limits ECS knows by name.
const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

fn ulimits(at: &Locator, service: &Service, diags: &mut Diagnostics) {
    for limit in &service.ulimits {
        let span = at.key_span(&path![
            "services",
            service.name.as_str(),
            "ulimits",
            limit.name.as_str()
        ]);
        if !ULIMIT_NAMES.contains(&limit.name.as_str()) {
            let mut d = Diagnostic::new(
                Code::InvalidValue,
                format!("ECS has no ulimit `{}`", limit.name),
            )
            .at(span);
            d = match did_you_mean(&limit.name, ULIMIT_NAMES.iter().copied()) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help(format!("ECS knows {}", ULIMIT_NAMES.join(", "))),
            };
            diags.push(d);
        } else if limit.soft > limit.hard {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "ulimit `{}` has a soft limit above its hard limit",
                        limit.name
                    ),
                )
                .at(span)
                .with_help("the soft limit must not exceed the hard limit"),
            );
        }
    }
}

/// A reservation above the memory the task gets cannot be placed.
fn memory_reservation(at: &Locator, service: &Service, diags: &mut Diagnostics) {
    let (Some(reserved), Some(size)) = (
        service.memory_reservation,
        sizing::fit(service.cpus, service.memory),
    ) else {
        return;
    };
    if reserved.div_ceil(1024 * 1024) > u64::from(size.memory) {
        let deploy = path![
            "services",
            service.name.as_str(),
            "deploy",
            "resources",
            "reservations",
            "memory"
        ];
        let legacy = path!["services", service.name.as_str(), "mem_reservation"];
        let span = if at.node(&deploy).is_some() {
            at.span(&deploy)
        } else {
            at.span(&legacy)
        };
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                "the memory reservation is larger than the memory limit",
            )
            .at(span)
            .with_help("reserve at most the memory the service is limited to"),
        );
    }
}

/// ECS deployment percentages: the healthy minimum at most 100, the maximum at least 100.
fn deployment(service: &Service, diags: &mut Diagnostics) {
    let bounds = [
        ("x-aws-min_percent", service.update.min_percent, 0, 100),
        (
            "x-aws-max_percent",
            service.update.max_percent,
            100,
            i64::from(u16::MAX),
        ),
    ];
    for (key, value, min, max) in bounds {
        if let Some((percent, span)) = value
            && !(min..=max).contains(&percent)
        {
            let range = if max == 100 {
                format!("{min} to {max}")
            } else {
                format!("at least {min}")
            };
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{key}` of {percent} is outside what ECS accepts"),
                )
                .at(span)
                .with_help(format!("ECS takes {range} percent here")),
            );
        }
    }
}

fn size(service: &Service, diags: &mut Diagnostics) {
    // A GPU service runs on an EC2 instance (`validate/scaling.rs` checks one fits).
    if service.gpus.is_some() || sizing::fit(service.cpus, service.memory).is_some() {
        return;
    }
    let gib = |b: u64| b as f64 / (1024.0 * 1024.0 * 1024.0);
    let asked = match (service.cpus, service.memory) {
        (Some(c), Some(m)) => format!("{c} vCPU and {:.1} GiB", gib(m)),
        (Some(c), None) => format!("{c} vCPU"),
        (None, Some(m)) => format!("{:.1} GiB", gib(m)),
        (None, None) => String::new(),
    };
    diags.push(
        Diagnostic::new(
            Code::NoFargateSize,
            format!("no Fargate task size has {asked}"),
        )
        .at(service.resources_span.unwrap_or(service.span))
        .with_help("Fargate tasks have at most 16 vCPU and 120 GiB of memory; lower the request"),
    );
}

fn timings(service: &Service, diags: &mut Diagnostics) {
    if let Some(check) = &service.healthcheck {
        let values: [Option<Timed>; 3] = [check.interval, check.timeout, check.start_period];
        for ((name, min, max), value) in HEALTHCHECK_RANGES.iter().zip(values) {
            let Some(Timed { seconds, span }) = value else {
                continue;
            };
            let rounded = seconds.ceil();
            if rounded < *min || rounded > *max {
                diags.push(
                    Diagnostic::new(
                        Code::HealthcheckRange,
                        format!("healthcheck `{name}` of {seconds} s is outside {min}–{max} s"),
                    )
                    .at(span)
                    .with_help(format!(
                        "ECS accepts a healthcheck {name} from {min} to {max} seconds"
                    )),
                );
            }
        }
        if let Some((retries, span)) = check.retries
            && !(1..=10).contains(&retries)
        {
            diags.push(
                Diagnostic::new(
                    Code::HealthcheckRange,
                    format!("healthcheck `retries` of {retries} is outside 1–10"),
                )
                .at(span)
                .with_help("ECS accepts from 1 to 10 retries"),
            );
        }
    }
    if let Some(Timed { seconds, span }) = service.stop_grace_period
        && seconds.ceil() > 120.0
    {
        diags.push(
            Diagnostic::new(
                Code::StopGracePeriod,
                format!("`stop_grace_period` of {seconds} s is longer than 120 s"),
            )
            .at(span)
            .with_help("ECS waits at most 120 seconds before it kills a container"),
        );
    }
}

/// Volume entries: host bind mounts, anonymous volumes and tmpfs cannot run; named
/// volumes become EFS mounts, except external ones and subpaths (not yet).
/// The largest config compose2cfn carries in a container definition (ECS allows 64 KiB
/// for all of a task's container definitions).
const MAX_CONFIG_BYTES: usize = 16 * 1024;

/// Configs a service reads: not external, small enough, and a warning for each directory
/// whose image files a config volume hides.
fn configs(project: &Project, service: &Service, diags: &mut Diagnostics) {
    let mut warned = std::collections::BTreeSet::new();
    for used in &service.configs {
        let Some(config) = project.configs.get(&used.secret) else {
            continue; // undefined: `definitions` reports it
        };
        match &config.content {
            None if !config.external => continue, // unreadable: the loader reported it
            None => {
                diags.push(
                    Diagnostic::new(Code::NotYetSupported, format!("external config `{}` is not supported yet", config.name))
                        .at(used.span)
                        .with_help("ECS has no store of configs to read an existing one from: give the config `file:` or `content:`"),
                );
                continue;
            }
            Some(content) if content.len() > MAX_CONFIG_BYTES => diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("config `{}` is {} bytes; a container definition carries at most {MAX_CONFIG_BYTES}", config.name, content.len()),
                )
                .at(used.span)
                .with_help("bake a file this large into the image"),
            ),
            Some(_) => {}
        }
        hides_directory(
            service,
            used.directory(false),
            "configs",
            used.span,
            &mut warned,
            diags,
        );
    }
    // Secrets outside `/run/secrets` are placed the same way, in volumes of their own.
    let mut secret_dirs = std::collections::BTreeSet::new();
    for used in service.secrets.iter().filter(|u| u.target.starts_with('/')) {
        let split = project
            .secrets
            .get(&used.secret)
            .is_some_and(Secret::splits);
        let directory = used.directory(split);
        if warned.contains(directory) && !secret_dirs.contains(directory) {
            diags.push(
                Diagnostic::new(Code::InvalidValue, format!("`{directory}` in `{}` would hold configs and secrets", service.name))
                    .at(used.span)
                    .with_help("configs and secrets are written into volumes of their own, one per directory: give the secret a directory of its own"),
            );
            continue;
        }
        secret_dirs.insert(directory.to_string());
        hides_directory(service, directory, "secrets", used.span, &mut warned, diags);
    }
}

/// `W0407`, once per directory: a volume placed there hides the image's own files.
fn hides_directory(
    service: &Service,
    directory: &str,
    what: &str,
    span: crate::source::Span,
    warned: &mut std::collections::BTreeSet<String>,
    diags: &mut Diagnostics,
) {
    if warned.insert(directory.to_string()) {
        diags.push(
            Diagnostic::new(
                Code::ConfigHidesDirectory,
                format!("`{directory}` in `{}` holds only its {what}", service.name),
            )
            .at(span)
            .with_help(format!("Fargate mounts a volume at `{directory}` to place the file, so any file the image has there is hidden; put {what} in a directory of their own (such as `{directory}/conf.d`) when the image keeps files there")),
        );
    }
}

/// A service with several tasks that write to one volume: a database or any other
/// single-writer store behind it would be corrupted.
fn shared_writers(service: &Service, diags: &mut Diagnostics) {
    // `order: start-first` starts the new tasks before the old ones stop: for a moment,
    // two of them write the volume (stop-first is the default for such a service).
    if service.update.order == Some(crate::model::spec::UpdateOrder::StartFirst) {
        for mount in service.mounts.iter().filter(|m| !m.read_only) {
            diags.push(
                Diagnostic::new(
                    Code::SharedVolumeWriters,
                    format!(
                        "during each update, old and new tasks of `{}` write to volume `{}` at once (`order: start-first`)",
                        service.name, mount.volume
                    ),
                )
                .at(mount.span)
                .with_help("a database or any single-writer store needs `order: stop-first` (the default for a service that writes a volume); mount it `:ro` where the service only reads"),
            );
        }
    }
    if service.replicas <= 1 {
        return;
    }
    for mount in service.mounts.iter().filter(|m| !m.read_only) {
        diags.push(
            Diagnostic::new(
                Code::SharedVolumeWriters,
                format!(
                    "{} tasks of `{}` write to volume `{}` at once",
                    service.replicas, service.name, mount.volume
                ),
            )
            .at(mount.span)
            .with_label(service.replicas_span.unwrap_or(service.span), "replicas")
            .with_help("a database or any single-writer store needs `replicas: 1`; mount it `:ro` where the service only reads"),
        );
    }
}

/// A warning per volume that several services write (through the same directory: a
/// subpath of its own each is fine), at each writing mount.
fn writers_of_one_volume(project: &Project, diags: &mut Diagnostics) {
    // (volume, subpath) → the services that write it, and where.
    type Writers<'p> = Vec<(&'p str, crate::source::Span)>;
    let mut writers: std::collections::BTreeMap<(&str, Option<&str>), Writers<'_>> =
        std::collections::BTreeMap::new();
    for service in project.services.values().filter(|s| !s.partial) {
        for mount in service.mounts.iter().filter(|m| !m.read_only) {
            writers
                .entry((mount.volume.as_str(), mount.subpath.as_deref()))
                .or_default()
                .push((service.name.as_str(), mount.span));
        }
    }
    for ((volume, _), mounts) in writers.iter().filter(|(_, m)| m.len() > 1) {
        let names: Vec<String> = mounts.iter().map(|(s, _)| format!("`{s}`")).collect();
        let mut diagnostic = Diagnostic::new(
            Code::SharedVolumeWriters,
            format!("{} write to volume `{volume}` at once", names.join(" and ")),
        )
        .at(mounts[0].1);
        for (_, span) in &mounts[1..] {
            diagnostic = diagnostic.with_label(*span, "here too");
        }
        diags.push(diagnostic.with_help("a database or any single-writer store needs one writer: mount the volume `:ro` in the services that only read, or give each service a `subpath` of its own"));
    }
}

fn volumes(at: &Locator, project: &Project, service: &Service, diags: &mut Diagnostics) {
    let Some(Value::Seq(entries)) = at
        .node(&path!["services", service.name.as_str(), "volumes"])
        .map(|v| &v.value)
    else {
        return;
    };
    for entry in entries {
        let (kind, source) = match &entry.value {
            Value::String(text) => match split_short(text) {
                (None, target, _) => ("anonymous", target.to_string()),
                (Some(source), _, _) if is_path(source) => ("bind", source.to_string()),
                (Some(source), _, _) => ("volume", source.to_string()),
            },
            Value::Map(_) => {
                let kind = entry.get("type").and_then(Node::as_str).unwrap_or("volume");
                let source = entry
                    .get("source")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string();
                match kind {
                    "volume" if source.is_empty() => ("anonymous", source),
                    other => (other, source),
                }
            }
            _ => continue,
        };
        let definition = project.volumes.get(&source);
        let diagnostic = match kind {
            // Undefined: `definitions` reports it; defined: an EFS mount, unless external
            // or with a subpath.
            "volume" => match (definition, entry.get("volume").and_then(|v| v.get("subpath")).and_then(Node::as_str)) {
                (Some(_), Some(subpath)) if subpath.split('/').any(|part| part == "..") => {
                    Diagnostic::new(Code::InvalidValue, format!("`volume.subpath` `{subpath}` leaves the volume"))
                        .with_help("give a directory inside the volume, like `postgres/data`")
                }
                _ => continue,
            },
            "bind" => Diagnostic::new(Code::UnsupportedOnFargate, format!("host bind mount of `{source}` cannot run on Fargate"))
                .with_help("Fargate tasks have no host files: use a named volume, or bake the files into the image"),
            "anonymous" => Diagnostic::new(Code::UnsupportedOnFargate, "anonymous volumes cannot run on ECS")
                .with_help("give the volume a name (`data:/path`) and define it under the top-level `volumes`"),
            "tmpfs" => Diagnostic::new(Code::UnsupportedOnFargate, "tmpfs mounts in `volumes` cannot run on Fargate")
                .with_help(format!("use the service's `tmpfs:` key (`tmpfs: [{}]`): a task volume on the task's ephemeral storage", entry.get("target").and_then(Node::as_str).unwrap_or("/tmp"))),
            other => Diagnostic::new(Code::UnsupportedOnFargate, format!("`{other}` mounts cannot run on Fargate"))
                .with_help("remove the mount"),
        };
        diags.push(diagnostic.at(entry.span));
    }
}
