//! Configs as files at their targets, as Compose promises. Each directory that holds a
//! service's configs becomes a task volume the main container mounts read-only there (so
//! the image's own files in that directory are hidden: `W0407` says so); a non-essential
//! init container (busybox from ECR Public) writes the files into it. Contents travel in
//! the init container's environment: configs are not secret, and in the template a
//! reviewer sees them and `aws cloudformation deploy` needs nothing else (an SSM parameter
//! would add a resource and a read permission for the same 8 KiB a container definition
//! already carries).

use std::collections::BTreeMap;

use super::secrets::write_file;
use crate::ir::Value;
use crate::map;
use crate::model::{Project, Service};
use crate::platform::names;

/// What one service needs to see its configs.
#[derive(Debug)]
pub(super) struct ServiceConfigs {
    /// The init container's name.
    pub container: String,
    /// Its environment: one variable per config file.
    pub environment: Value,
    /// Its command: `sh -c SCRIPT`.
    pub command: Value,
    /// Task volumes and the directories they are mounted at.
    pub directories: Vec<(String, String)>,
}

/// What every service that reads configs needs.
pub(super) fn lower(project: &Project) -> BTreeMap<String, ServiceConfigs> {
    project
        .services
        .values()
        .filter(|s| !s.configs.is_empty())
        .map(|s| (s.name.clone(), for_service(project, s)))
        .collect()
}

fn for_service(project: &Project, service: &Service) -> ServiceConfigs {
    let mut directories: BTreeMap<&str, String> = BTreeMap::new();
    for used in &service.configs {
        let count = directories.len();
        directories
            .entry(used.directory(false))
            .or_insert_with(|| format!("configs-{count}"));
    }
    let mut script = String::from("set -e\n");
    let mut environment = Vec::new();
    for used in &service.configs {
        let Some(content) = project
            .configs
            .get(&used.secret)
            .and_then(|c| c.content.as_ref())
        else {
            continue; // external or unreadable: validation reported it
        };
        let variable = format!("COMPOSE2CFN_CONFIG_{}", environment.len());
        environment.push(map! { "Name" => variable.clone(), "Value" => content.clone() });
        write_file(&mut script, &variable, &used.target, used);
    }
    ServiceConfigs {
        container: format!("{}_Configs_InitContainer", names::normalize(&service.name)),
        environment: Value::List(environment),
        command: Value::strs(["sh", "-c", script.as_str()]),
        directories: directories
            .into_iter()
            .map(|(dir, volume)| (volume, dir.to_string()))
            .collect(),
    }
}
