//! What the internet can reach: a published port becomes a listener of an internet-facing
//! load balancer, so publishing a database or an admin port (often done in Compose files
//! only so the host can reach it) is worth a warning.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Project;

/// Ports whose service should rarely face the internet, and what usually listens there.
const SENSITIVE_PORTS: &[(u16, &str)] = &[
    (22, "SSH"),
    (1433, "SQL Server"),
    (2375, "the Docker API"),
    (2376, "the Docker API"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5672, "RabbitMQ"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

pub(super) fn check(project: &Project, diags: &mut Diagnostics) {
    for service in project.services.values() {
        for (port, span) in service.ports.iter().filter(|(p, _)| p.is_published()) {
            let Some((_, what)) = SENSITIVE_PORTS.iter().find(|(p, _)| *p == port.target) else {
                continue;
            };
            let published = port.listener_port();
            diags.push(
                Diagnostic::new(
                    Code::PublicPort,
                    format!("`{}` publishes {what} (port {}) to the internet", service.name, port.target),
                )
                .at(*span)
                .with_help(format!(
                    "port {published} becomes a listener of the internet-facing load balancer; if only other services need it, replace `ports` with `expose` (services on a common network reach each other on every port)"
                )),
            );
        }
    }
}
