//! The load balancer's settings: gRPC needs HTTPS, `x-aws-healthcheck` values within what
//! Elastic Load Balancing accepts, and extensions that would change nothing (a certificate
//! no port uses, a scheme for a load balancer the stack does not create).

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::aws::{CERTIFICATE_HELP, is_certificate};
use crate::model::listeners::health_path;
use crate::model::{Project, Service, Timed};
use crate::source::Span;

pub(super) fn check(project: &Project, diags: &mut Diagnostics) {
    for service in project.services.values().filter(|s| !s.partial) {
        for (port, span) in &service.ports {
            if let Some(certificate) = port.certificate.as_deref().filter(|c| !is_certificate(c)) {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{certificate}` is not a certificate ARN"),
                    )
                    .at(*span)
                    .with_help(CERTIFICATE_HELP),
                );
            }
        }
        for (port, span) in service.ports.iter().filter(|(p, _)| p.is_published()) {
            let route = project.route(port);
            if route.protocol_version == Some("GRPC") && route.certificate.is_none() {
                diags.push(
                    Diagnostic::new(Code::InvalidValue, format!("gRPC port {} needs HTTPS, and has no certificate", port.listener_port()))
                        .at(*span)
                        .with_help("an application load balancer forwards gRPC over HTTPS listeners only: give the port (or the project) `x-aws-certificate: arn:aws:acm:...`"),
                );
            }
        }
        udp_health(project, service, diags);
        target_health(service, service.publishes(), diags);
    }
    let any_published = project.services.values().any(Service::publishes);
    if let (Some(span), false) = (project.aws.internal, any_published) {
        unused(
            span,
            "`x-aws-loadbalancer_scheme`",
            "no service publishes a port",
            diags,
        );
    }
    if let (Some(span), Some(_)) = (project.aws.internal, &project.aws.load_balancer) {
        unused(
            span,
            "`x-aws-loadbalancer_scheme`",
            "the load balancer exists already (`x-aws-loadbalancer`), its scheme is its own",
            diags,
        );
    }
    if let (Some((_, span)), false) = (&project.aws.certificate, any_published) {
        unused(
            *span,
            "`x-aws-certificate`",
            "no service publishes a port",
            diags,
        );
    }
}

/// A network load balancer checks a UDP target group's health over TCP, on the traffic
/// port unless `x-aws-healthcheck.port` names another (run-time rule R01): a port published
/// over UDP only needs that port.
fn udp_health(project: &Project, service: &Service, diags: &mut Diagnostics) {
    if project.aws.load_balancer.is_some() || service.target_health.port.is_some() {
        return;
    }
    for published in project
        .published(service)
        .into_iter()
        .filter(|p| p.udp && !p.tcp)
    {
        let port = published.port.target;
        diags.push(
            Diagnostic::new(
                Code::RuntimeRule,
                format!("the load balancer would check port {port}/udp's health over TCP on port {port}, where nothing answers TCP: every task would fail its checks and be stopped (R01 `target-group-health-check`)"),
            )
            .at_labelled(published.span, "published over UDP only")
            .with_help("name a TCP port the container answers on: `x-aws-healthcheck: {port: 8080}` (an HTTP `path` too, if it speaks HTTP there), or publish the port over TCP as well (`53:53/tcp` beside `53:53/udp`)"),
        );
    }
}

/// A hint for a project without errors: a warning for each service with an HTTP target
/// group that would check `/` (no `x-aws-healthcheck.path`, no HTTP healthcheck on the
/// port).
pub(super) fn default_health_paths(project: &Project, diags: &mut Diagnostics) {
    if diags.has_errors() {
        return;
    }
    for service in project.services.values() {
        default_health_path(project, service, diags);
    }
}

/// The warning for one service, at its first such port.
fn default_health_path(project: &Project, service: &Service, diags: &mut Diagnostics) {
    let defaulted: Vec<_> = project
        .published(service)
        .into_iter()
        .filter(|p| {
            matches!(p.route.target_protocol, "HTTP" | "HTTPS")
                && p.route.protocol_version.is_none()
                && health_path(service, p.port.target).is_none()
        })
        .collect();
    let Some(first) = defaulted.first() else {
        return;
    };
    let target = first.port.target;
    let mut diagnostic = Diagnostic::new(
        Code::DefaultHealthCheck,
        format!(
            "the load balancer checks `/` on port {target} of `{}` and counts only 200-399 as healthy",
            service.name
        ),
    )
    .at_labelled(first.span, "health-checked at `/`");
    for other in &defaulted[1..] {
        diagnostic = diagnostic.with_label(other.span, "here too");
    }
    diags.push(diagnostic.with_help(format!(
        "if `/` answers otherwise (an API's 404, a login's 401), the tasks fail their checks and are replaced: give the path, `x-aws-healthcheck: {{path: /health}}`, or an HTTP `healthcheck` (`curl -f http://localhost:{target}/health`), whose path the load balancer checks too"
    )));
}

fn unused(span: Span, what: &str, why: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::new(Code::IgnoredValue, format!("{what} changes nothing: {why}"))
            .at(span)
            .with_help("remove it"),
    );
}

/// Elastic Load Balancing's bounds on target-group health checks.
const INTERVAL: (i64, i64) = (5, 300);
const TIMEOUT: (i64, i64) = (2, 120);
const THRESHOLD: (i64, i64) = (2, 10);

fn target_health(service: &Service, published: bool, diags: &mut Diagnostics) {
    let h = &service.target_health;
    let mut out_of_range = |what: &str, value: f64, (low, high): (i64, i64), span: Span| {
        if value < low as f64 || value > high as f64 {
            diags.push(
                Diagnostic::new(Code::HealthcheckRange, format!("`x-aws-healthcheck.{what}` is {value}; the load balancer takes {low} to {high}"))
                    .at(span)
                    .with_help(format!("give a value from {low} to {high}")),
            );
        }
    };
    let seconds = |t: &Option<Timed>| t.map(|t| (t.seconds, t.span));
    if let Some((value, span)) = seconds(&h.interval) {
        out_of_range("interval", value, INTERVAL, span);
    }
    if let Some((value, span)) = seconds(&h.timeout) {
        out_of_range("timeout", value, TIMEOUT, span);
    }
    for (what, threshold) in [
        ("healthy_threshold", h.healthy_threshold),
        ("unhealthy_threshold", h.unhealthy_threshold),
    ] {
        if let Some((value, span)) = threshold {
            out_of_range(what, value as f64, THRESHOLD, span);
        }
    }
    if let Some((port, span)) = h.port {
        out_of_range("port", port as f64, (1, 65535), span);
    }
    if let (Some(interval), Some(timeout)) = (h.interval, h.timeout)
        && timeout.seconds >= interval.seconds
    {
        diags.push(
            Diagnostic::new(Code::HealthcheckRange, "`x-aws-healthcheck.timeout` is not shorter than its `interval`")
                .at(timeout.span)
                .with_label(interval.span, "the interval")
                .with_help("a check must time out before the next one starts: shorten `timeout` or lengthen `interval`"),
        );
    }
    if let Some((path, span)) = &h.path
        && (!path.starts_with('/') || path.len() > 1024)
    {
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!("health-check path `{path}` does not start with `/`"),
            )
            .at(*span)
            .with_help("give an absolute path of at most 1024 characters, like `/health`"),
        );
    }
    if let Some((matcher, span)) = &h.matcher
        && !is_matcher(matcher)
    {
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{matcher}` is not a list of HTTP codes"),
            )
            .at(*span)
            .with_help("give codes from 200 to 499 (gRPC: 0 to 99): `200`, `200,302` or `200-399`"),
        );
    }
    let given = [
        h.path.as_ref().map(|(_, s)| *s),
        h.matcher.as_ref().map(|(_, s)| *s),
        h.interval.map(|t| t.span),
    ];
    if let (Some(span), false) = (given.into_iter().flatten().next(), published) {
        unused(
            span,
            "`x-aws-healthcheck`",
            "the service publishes no port, so no load balancer checks it",
            diags,
        );
    }
}

/// `200`, `200,302`, `200-399`: HTTP codes (or gRPC codes, 0 to 99) the load balancer
/// takes as healthy.
fn is_matcher(text: &str) -> bool {
    let code = |c: &str| c.len() <= 3 && c.parse::<u16>().is_ok_and(|n| n <= 499);
    !text.is_empty()
        && text.split(',').all(|part| match part.split_once('-') {
            Some((a, b)) => code(a) && code(b),
            None => code(part),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers() {
        assert!(is_matcher("200"));
        assert!(is_matcher("200,302"));
        assert!(is_matcher("200-399"));
        assert!(is_matcher("0-99"));
        assert!(!is_matcher("ok"));
        assert!(!is_matcher("200-"));
        assert!(!is_matcher("600"));
        assert!(!is_matcher(""));
    }
}
