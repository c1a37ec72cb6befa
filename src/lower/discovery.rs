//! Service discovery: the Cloud Map private DNS namespace `{stack}.local`, one entry per
//! service (an A record per task), and the init container that lets services reach each
//! other by their short Compose names, as they do under Docker Compose.

use super::ids::CLOUD_MAP;
use super::network;
use crate::ir::{Parameter, Resource, Template, Value};
use crate::map;
use crate::model::{Project, Service};
use crate::platform::names;

/// The namespace's name, after the stack: a VPC holds one namespace of a name, so two
/// stacks of one project (staging beside prod) fit in one VPC. A stack that Docker's
/// integration created was named after the project, and keeps `{project}.local`.
const NAMESPACE: &str = "${AWS::StackName}.local";

/// The image of the init containers (the resolver's, the secrets' and the configs'
/// writers) by default: a small public image (ECR Public's mirror of Docker's official
/// busybox), nothing of ours to maintain, and no Docker Hub rate limits.
const INIT_IMAGE_DEFAULT: &str = "public.ecr.aws/docker/library/busybox:1.36";

/// The template parameter that names the init containers' image.
const INIT_IMAGE: &str = "InitImage";

/// The init containers' image: the `InitImage` parameter. ECR Public has no VPC endpoint
/// for pulls, so subnets that reach AWS through endpoints only need a mirror in the
/// account's own registry.
pub(super) fn init_image() -> Value {
    Value::reference(INIT_IMAGE)
}

/// Declares `InitImage` when some task has an init container.
pub(super) fn init_image_parameter(project: &Project, template: &mut Template) {
    let needed = needs_resolver(project)
        || project
            .services
            .values()
            .any(|s| !s.secrets.is_empty() || !s.configs.is_empty());
    if needed {
        template.parameters.insert(
            INIT_IMAGE.to_string(),
            Parameter::new(
                "String",
                "The image of the init containers (busybox: `sh`, `sed`, `awk`). ECR Public has no VPC endpoint: in subnets that reach AWS through VPC endpoints only, name a copy in your own ECR registry",
            )
            .default(INIT_IMAGE_DEFAULT),
        );
    }
}

pub(super) fn namespace(project: &Project, template: &mut Template) {
    template.add(
        CLOUD_MAP,
        Resource::new(
            "AWS::ServiceDiscovery::PrivateDnsNamespace",
            map! {
                "Description" => format!("Service Map for Docker Compose project {}", project.name),
                "Name" => Value::sub(NAMESPACE),
                "Vpc" => network::vpc_id(project),
            },
        ),
    );
    template.output(
        "Namespace",
        "The private DNS namespace: services reach each other as SERVICE.NAMESPACE",
        Value::sub(NAMESPACE),
    );
}

/// The service's Cloud Map entry; returns its logical ID.
pub(super) fn entry(service: &Service, template: &mut Template) -> String {
    let id = names::service_id(&service.name, "ServiceDiscoveryEntry");
    template.add(
        &id,
        Resource::new(
            "AWS::ServiceDiscovery::Service",
            map! {
                "Description" => format!("\"{}\" service discovery entry in Cloud Map", service.name),
                "DnsConfig" => map! {
                    "DnsRecords" => Value::list([map! { "TTL" => 60_i64, "Type" => "A" }]),
                    "RoutingPolicy" => "MULTIVALUE",
                },
                "HealthCheckCustomConfig" => map! { "FailureThreshold" => 1_i64 },
                "Name" => service.name.clone(),
                "NamespaceId" => Value::reference(CLOUD_MAP),
            },
        )
        .from_source(service.span).owned_by(&service.name),
    );
    id
}

/// Whether tasks need the short-name resolver: only when there is another service to reach.
pub(super) fn needs_resolver(project: &Project) -> bool {
    project.services.len() > 1
}

/// The init container's name, as the Docker integration named it.
pub(super) fn resolver_name(service: &Service) -> String {
    format!(
        "{}_ResolvConf_InitContainer",
        names::normalize(&service.name)
    )
}

/// The command that puts the namespace first among the task's DNS search domains, so `db`
/// resolves to `db.{stack}.local`. The containers of a task share `/etc/resolv.conf`; the
/// file is rewritten in place (not replaced), and its other lines are kept.
pub(super) fn resolver_command() -> Value {
    let script = concat!(
        "search=$(sed -n 's/^search //p' /etc/resolv.conf | tr '\\n' ' '); ",
        "others=$(grep -v '^search ' /etc/resolv.conf || true); ",
        "printf '%s\\nsearch ${AWS::StackName}.local %s\\n' \"$others\" \"$search\" > /etc/resolv.conf",
    );
    Value::list([Value::str("sh"), Value::str("-c"), Value::sub(script)])
}
