//! Validation: the ECS and Fargate rules and cross-references a Compose file must pass
//! before anything is lowered. Every rule runs; each reports every problem it finds.

mod definitions;
mod exposure;
mod fargate;
mod hardening;
mod iam;
mod infrastructure;
mod ingress;
mod references;
mod scaling;
pub mod support;

use crate::diag::Diagnostics;
use crate::load::{Entry, Node};
use crate::model::Project;

/// Runs every rule over the project (and the tree, for rules about keys; `inactive` are
/// the services of inactive profiles), then the hardening hints, which need every error
/// found before them.
pub fn validate(root: &Node, inactive: &[Entry], project: &Project, diags: &mut Diagnostics) {
    rules(root, inactive, project, diags);
    hints(project, diags);
}

/// Every rule but the hardening hints.
fn rules(root: &Node, inactive: &[Entry], project: &Project, diags: &mut Diagnostics) {
    support::check(root, diags);
    definitions::check(root, inactive, diags);
    fargate::check(root, project, diags);
    references::check(project, diags);
    iam::check(project, diags);
    infrastructure::check(root, project, diags);
    ingress::check(project, diags);
    scaling::check(project, diags);
    exposure::check(project, diags);
}

/// The hardening hints: warnings for a project that `diags` holds no error for.
fn hints(project: &Project, diags: &mut Diagnostics) {
    ingress::default_health_paths(project, diags);
    hardening::check(project, diags);
}
