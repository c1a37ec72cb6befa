//! What the load balancer does with a published port: the listener (port and protocol),
//! the HTTP-to-HTTPS redirect, the target group's protocol. One place, so that validation
//! (listener conflicts, gRPC without TLS) and lowering agree.
//!
//! The load balancer is an application one when an existing one (`x-aws-loadbalancer`) is,
//! or when every published port speaks HTTP (`app_protocol` `http`, `https` or `grpc`, the
//! legacy `x-aws-protocol`, or port 80); a network one otherwise. A port with a certificate
//! (its own `x-aws-certificate`, or the project's when it speaks HTTP) is served over HTTPS
//! (TLS on a network load balancer); on an application load balancer port 80 then moves to
//! 443 and port 80 redirects there. A service that publishes one port over TCP and UDP
//! (DNS on 53) gets one `TCP_UDP` listener for both.

use super::{Healthcheck, PortMapping, Project, Protocol, Service};
use crate::source::Span;

/// The listeners and target group of one published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<'a> {
    /// The listener's port.
    pub port: u16,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS` or `UDP`.
    pub protocol: &'static str,
    /// The certificate of an `HTTPS` or `TLS` listener.
    pub certificate: Option<&'a str>,
    /// A listener on this port redirects to the `HTTPS` one.
    pub redirect_from: Option<u16>,
    /// The target group's protocol.
    pub target_protocol: &'static str,
    /// `GRPC` for gRPC targets.
    pub protocol_version: Option<&'static str>,
}

/// A published port of a service and its route; a TCP and a UDP mapping of the same
/// ports are one `TCP_UDP` route.
#[derive(Debug, Clone, Copy)]
pub struct Published<'a> {
    pub port: &'a PortMapping,
    /// The port's entry in `ports`.
    pub span: Span,
    pub route: Route<'a>,
    /// Whether the route carries TCP and UDP (`TCP_UDP`), UDP only, or TCP only.
    pub tcp: bool,
    pub udp: bool,
}

impl Published<'_> {
    /// The protocol as logical IDs spell it: `TCP`, `UDP` or `TCPUDP`.
    #[must_use]
    pub fn id_protocol(&self) -> &'static str {
        match (self.tcp, self.udp) {
            (true, true) => "TCPUDP",
            (false, true) => "UDP",
            _ => "TCP",
        }
    }
}

impl Route<'_> {
    /// Every port the route listens on.
    pub fn ports(&self) -> impl Iterator<Item = u16> {
        std::iter::once(self.port).chain(self.redirect_from)
    }

    /// The URL scheme clients use.
    #[must_use]
    pub fn scheme(&self) -> Option<&'static str> {
        match self.protocol {
            "HTTP" => Some("http"),
            "HTTPS" => Some("https"),
            _ => None,
        }
    }
}

/// The port HTTPS moves to from port 80.
const HTTPS_PORT: u16 = 443;
const HTTP_PORT: u16 = 80;

impl Project {
    /// Whether the load balancer is an application load balancer.
    #[must_use]
    pub fn application_load_balancer(&self) -> bool {
        match &self.aws.load_balancer {
            Some(existing) => existing.application,
            None => self
                .services
                .values()
                .flat_map(|s| &s.ports)
                .filter(|(p, _)| p.is_published())
                .all(|(p, _)| p.is_http()),
        }
    }

    /// The service's published ports and their routes, TCP and UDP mappings of the same
    /// ports paired.
    #[must_use]
    pub fn published<'a>(&'a self, service: &'a Service) -> Vec<Published<'a>> {
        let mut out: Vec<Published<'a>> = Vec::new();
        for (port, span) in service.ports.iter().filter(|(p, _)| p.is_published()) {
            let udp = port.protocol == Protocol::Udp;
            let twin = out.iter_mut().find(|p| {
                p.port.target == port.target
                    && p.port.listener_port() == port.listener_port()
                    && !(p.tcp && p.udp)
                    && p.udp != udp
            });
            if let Some(twin) = twin {
                twin.tcp = true;
                twin.udp = true;
                twin.route.protocol = "TCP_UDP";
                twin.route.target_protocol = "TCP_UDP";
                twin.route.certificate = None;
                continue;
            }
            out.push(Published {
                port,
                span: *span,
                route: self.route(port),
                tcp: !udp,
                udp,
            });
        }
        out
    }

    /// What the load balancer does with a published port.
    #[must_use]
    pub fn route<'a>(&'a self, port: &'a PortMapping) -> Route<'a> {
        let certificate = port.certificate.as_deref().or_else(|| {
            port.is_http()
                .then(|| self.aws.certificate.as_ref().map(|(arn, _)| arn.as_str()))
                .flatten()
        });
        let published = port.listener_port();
        let backend_tls = port.app_protocol.as_deref() == Some("https");
        if self.application_load_balancer() {
            let moved = certificate.is_some() && published == HTTP_PORT;
            Route {
                port: if moved { HTTPS_PORT } else { published },
                protocol: if certificate.is_some() {
                    "HTTPS"
                } else {
                    "HTTP"
                },
                certificate,
                redirect_from: moved.then_some(HTTP_PORT),
                target_protocol: if backend_tls { "HTTPS" } else { "HTTP" },
                protocol_version: (port.app_protocol.as_deref() == Some("grpc")).then_some("GRPC"),
            }
        } else {
            let certificate = certificate.filter(|_| port.protocol == Protocol::Tcp);
            Route {
                port: published,
                protocol: if certificate.is_some() {
                    "TLS"
                } else {
                    port.protocol.upper()
                },
                certificate,
                redirect_from: None,
                target_protocol: if certificate.is_some() && backend_tls {
                    "TLS"
                } else {
                    port.protocol.upper()
                },
                protocol_version: None,
            }
        }
    }
}

/// The HTTP path the load balancer checks on `target`: `x-aws-healthcheck.path`, else the
/// path of the service's own HTTP healthcheck on that port; `None`: the target group's
/// default (`/`).
#[must_use]
pub fn health_path(service: &Service, target: u16) -> Option<String> {
    service
        .target_health
        .path
        .as_ref()
        .map(|(p, _)| p.clone())
        .or_else(|| {
            service
                .healthcheck
                .as_ref()
                .and_then(|c| http_probe(c, target))
        })
}

/// The path of an HTTP healthcheck (`curl -f http://localhost:8080/health`, `wget -q
/// --spider http://127.0.0.1/ping`) that probes `target` on the container itself.
fn http_probe(check: &Healthcheck, target: u16) -> Option<String> {
    let words = check.test.iter().skip(1).flat_map(|w| w.split_whitespace());
    for word in words {
        let word = word.trim_matches(|c| c == '"' || c == '\'');
        let Some((scheme, rest)) = word.split_once("://") else {
            continue;
        };
        let default_port = match scheme {
            "http" => 80,
            "https" => 443,
            _ => continue,
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(':') => (host, port.parse().ok()?),
            _ => (authority, default_port),
        };
        let local = matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]");
        if local && port == target {
            return Some(path.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(test: &[&str]) -> Healthcheck {
        Healthcheck {
            test: test.iter().map(|s| (*s).to_string()).collect(),
            interval: None,
            timeout: None,
            start_period: None,
            retries: None,
        }
    }

    #[test]
    fn http_probes() {
        let curl = check(&["CMD", "curl", "-f", "http://localhost:8080/health"]);
        assert_eq!(http_probe(&curl, 8080).as_deref(), Some("/health"));
        assert_eq!(http_probe(&curl, 80), None);
        let shell = check(&[
            "CMD-SHELL",
            "wget -q --spider http://127.0.0.1/ping || exit 1",
        ]);
        assert_eq!(http_probe(&shell, 80).as_deref(), Some("/ping"));
        let root = check(&["CMD-SHELL", "curl -fs 'http://localhost:3000' >/dev/null"]);
        assert_eq!(http_probe(&root, 3000).as_deref(), Some("/"));
        let remote = check(&["CMD", "curl", "http://db:5432/"]);
        assert_eq!(http_probe(&remote, 5432), None);
        let other = check(&["CMD", "pg_isready"]);
        assert_eq!(http_probe(&other, 5432), None);
    }
}
