//! Lowering: a validated [`Project`] becomes an [`ir::Template`](crate::ir::Template), one
//! module per concern. Lowering cannot fail: validation has already rejected everything
//! it could not express.

mod cluster;
mod configs;
mod discovery;
mod encryption;
mod gpu;
mod iam;
mod ingress;
mod network;
mod scaling;
mod secrets;
mod service;
mod volumes;

use crate::ir::{Template, Value};
use crate::map;
use crate::model::{Project, Service};
use crate::par;

/// Logical IDs of the project-wide resources.
pub mod ids {
    pub const VPC: &str = "Vpc";
    pub const SUBNETS: [&str; 2] = ["PublicSubnet1", "PublicSubnet2"];
    pub const CLUSTER: &str = "Cluster";
    pub const LOG_GROUP: &str = "LogGroup";
    pub const ENCRYPTION_KEY: &str = "EncryptionKey";
    pub const CLOUD_MAP: &str = "CloudMap";
    pub const LOAD_BALANCER: &str = "LoadBalancer";
    pub const LOAD_BALANCER_SECURITY_GROUP: &str = "LoadBalancerSecurityGroup";
}

/// The tag every taggable resource carries.
pub const PROJECT_TAG: &str = "com.docker.compose.project";

/// `Tags` for a resource: the project tag plus `extra`, as CloudFormation's list form.
fn tags(project: &Project, extra: &[(&str, &str)]) -> Value {
    let mut all = vec![(PROJECT_TAG, project.name.as_str())];
    all.extend_from_slice(extra);
    all.sort_unstable();
    Value::list(
        all.into_iter()
            .map(|(k, v)| map! { "Key" => k.to_string(), "Value" => v.to_string() }),
    )
}

/// Lowers a project whose validation reported no error.
#[must_use]
pub fn lower(project: &Project) -> Template {
    let mut template = Template {
        description: format!(
            "ECS on Fargate stack for the Compose project `{}`, compiled by compose2cfn",
            project.name
        ),
        ..Template::default()
    };
    network::lower(project, &mut template);
    encryption::lower(project, &mut template);
    cluster::lower(project, &mut template);
    discovery::namespace(project, &mut template);
    discovery::init_image_parameter(project, &mut template);
    gpu::lower(project, &mut template);
    let ingress = ingress::lower(project, &mut template);
    let mounts = volumes::lower(project, &mut template);
    let secrets = secrets::lower(project, &mut template);
    let configs = configs::lower(project);
    // A service's resources are its own and name only the shared ones: the services are
    // lowered apart, on every core, and their resources added in the services' order.
    let services: Vec<&Service> = project.services.values().collect();
    let fragments = par::chunks(&services, par::MIN_SERVICES, |chunk| {
        let mut fragment = Template::default();
        for svc in chunk {
            let files = service::Files {
                mounts: mounts.get(&svc.name),
                secrets: secrets.get(&svc.name),
                configs: configs.get(&svc.name),
            };
            service::lower(project, svc, &ingress, &files, &mut fragment);
            scaling::lower(project, svc, &mut fragment);
        }
        fragment
    });
    for fragment in fragments {
        template.absorb(fragment);
    }
    template
}
