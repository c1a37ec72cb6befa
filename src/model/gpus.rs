//! GPU requests, in the three ways a Compose file says them: `gpus` (`all`, or a list of
//! device requests), `deploy.resources.reservations.devices` with the `gpu` capability,
//! and the Docker integration's `generic_resources` of kind `gpus`. Each becomes a number
//! of GPUs; other devices cannot run on ECS.

use serde_json::Value;

use super::Locator;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::Seg;
use crate::path;
use crate::source::Span;

/// GPUs `count: all` reserves: ECS needs a number, and one is what a request for "the
/// GPUs there are" gets on the smallest GPU instance.
const ALL: u32 = 1;

/// The GPUs a service asks for, and where.
pub(super) fn read(
    service: &[Seg],
    s: &super::spec::Service,
    at: &Locator<'_>,
    diags: &mut Diagnostics,
) -> Option<(u32, Span)> {
    let under = |segs: Vec<Seg>| -> Vec<Seg> { service.iter().cloned().chain(segs).collect() };
    let reservations = s
        .deploy
        .as_ref()
        .and_then(|d| d.resources.as_ref())
        .and_then(|r| r.reservations.as_ref());
    let mut found: Option<(u32, Span)> = None;
    let mut add = |count: u32, span: Span| {
        let total = found.map_or(0, |(n, _)| n).saturating_add(count);
        found = Some((total, found.map_or(span, |(_, s)| s)));
    };
    match &s.gpus {
        Some(Value::String(all)) if all == "all" => {
            let span = at.span(&under(path!["gpus"]));
            all_gpus(span, diags);
            add(ALL, span);
        }
        Some(Value::Array(requests)) => {
            for (i, request) in requests.iter().enumerate() {
                let span = at.span(&under(path!["gpus", i]));
                add(request_count(request, span, diags), span);
            }
        }
        _ => {}
    }
    let devices = reservations.and_then(|r| r.devices.as_ref());
    for (i, device) in devices.into_iter().flatten().enumerate() {
        let span = at.span(&under(path![
            "deploy",
            "resources",
            "reservations",
            "devices",
            i
        ]));
        let capabilities: Vec<&str> = device
            .get("capabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if capabilities.contains(&"gpu") {
            add(request_count(device, span, diags), span);
        } else {
            diags.push(
                Diagnostic::new(Code::UnsupportedOnFargate, format!("devices with capabilities {capabilities:?} cannot run on ECS"))
                    .at(span)
                    .with_help("ECS gives tasks GPUs (`capabilities: [gpu]`) and nothing else of the host's hardware"),
            );
        }
    }
    let generic = reservations.and_then(|r| r.generic_resources.as_ref());
    for (i, resource) in generic.into_iter().flatten().enumerate() {
        let span = at.span(&under(path![
            "deploy",
            "resources",
            "reservations",
            "generic_resources",
            i
        ]));
        let spec = resource.get("discrete_resource_spec");
        let kind = spec
            .and_then(|s| s.get("kind"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = spec.and_then(|s| s.get("value")).and_then(Value::as_u64);
        match (kind, value) {
            ("gpu" | "gpus" | "nvidia.com/gpu", Some(n)) => {
                add(u32::try_from(n).unwrap_or(u32::MAX), span)
            }
            _ => diags.push(
                Diagnostic::new(
                    Code::IgnoredValue,
                    format!("generic resource `{kind}` is ignored on ECS"),
                )
                .at(span)
                .with_help("ECS reserves CPUs, memory and GPUs (`kind: gpus`), nothing else"),
            ),
        }
    }
    found.filter(|(n, _)| *n > 0)
}

/// The Docker integration's `node.machine == TYPE` and `node.ami == AMI` placement
/// constraints, with where each is written.
pub(super) fn node_constraints(
    service: &[Seg],
    s: &super::spec::Service,
    at: &Locator<'_>,
) -> [Option<(String, Span)>; 2] {
    let constraints = s
        .deploy
        .as_ref()
        .and_then(|d| d.placement.as_ref())
        .and_then(|p| p.constraints.as_ref());
    let mut found = [None, None];
    for (i, constraint) in constraints.into_iter().flatten().enumerate() {
        let Some((name, value)) = constraint.split_once("==") else {
            continue;
        };
        let slot = match name.trim() {
            "node.machine" => 0,
            "node.ami" => 1,
            _ => continue,
        };
        let path: Vec<Seg> = service
            .iter()
            .cloned()
            .chain(path!["deploy", "placement", "constraints", i])
            .collect();
        found[slot] = Some((value.trim().to_string(), at.span(&path)));
    }
    found
}

/// The GPUs of one device request: `count` (a number or `all`), else its `device_ids`.
fn request_count(request: &Value, span: Span, diags: &mut Diagnostics) -> u32 {
    match request.get("count") {
        Some(Value::Number(n)) => n
            .as_u64()
            .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        Some(Value::String(text)) if text == "all" => {
            all_gpus(span, diags);
            ALL
        }
        Some(Value::String(text)) => text.trim().parse().unwrap_or(0),
        _ => request
            .get("device_ids")
            .and_then(Value::as_array)
            .map_or(ALL, |ids| u32::try_from(ids.len()).unwrap_or(u32::MAX)),
    }
}

fn all_gpus(span: Span, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::new(
            Code::IgnoredValue,
            format!("`all` GPUs reserves {ALL} on ECS"),
        )
        .at(span)
        .with_help("ECS reserves a number of GPUs for each task: write `count: 1` (or more)"),
    );
}
