//! `check --policy FILE`: AWS CloudFormation Guard rules on the compiled templates, each
//! violation an error at the Compose element behind the resource; a policy that is not
//! valid Guard, or cannot be read, is a usage error. A build without the `policy` feature
//! refuses `--policy` as a usage error too.

use std::path::Path;

use crate::support::command;

trials![
    #[cfg(feature = "policy")]
    violations_point_at_the_service_behind_the_resource,
    #[cfg(feature = "policy")]
    a_split_project_is_checked_in_every_nested_template,
    #[cfg(feature = "policy")]
    a_compliant_project_passes,
    #[cfg(feature = "policy")]
    an_invalid_or_missing_policy_is_a_usage_error,
    #[cfg(not(feature = "policy"))]
    without_the_feature_a_policy_is_a_usage_error
];

const COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n  db:\n    image: postgres:16\n    read_only: true\n";

#[cfg(feature = "policy")]
const POLICY: &str = "let task_definitions = Resources.*[ Type == 'AWS::ECS::TaskDefinition' ]

rule containers_read_only when %task_definitions !empty {
    %task_definitions.Properties.ContainerDefinitions[ Essential == true ].ReadonlyRootFilesystem == true
        <<Containers must have read-only root file systems>>
}

rule log_retention {
    Resources.*[ Type == 'AWS::Logs::LogGroup' ].Properties.RetentionInDays >= 30
}
";

fn project(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(dir.path().join("policy.guard"), policy).unwrap();
    dir
}

fn check(dir: &Path, extra: &[&str], code: i32) -> String {
    let output = command(dir)
        .args([
            "check",
            "--message-format",
            "json",
            "--policy",
            "policy.guard",
        ])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    stderr
}

#[cfg(feature = "policy")]
/// The violations: (code, line, message) of each JSON diagnostic.
fn violations(stderr: &str) -> Vec<(String, u64, String)> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|d| d["code"] == "E0421")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["spans"][0]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[cfg(feature = "policy")]
fn violations_point_at_the_service_behind_the_resource() {
    let dir = project(POLICY);
    let found = violations(&check(dir.path(), &[], 1));
    assert_eq!(found.len(), 1, "{found:?}");
    let (_, line, message) = &found[0];
    assert_eq!(*line, 2, "at `web:`");
    assert!(message.contains("`WebTaskDefinition` breaks the rule `containers_read_only`"));
    assert!(message.contains("Containers must have read-only root file systems"));
}

#[cfg(feature = "policy")]
fn a_split_project_is_checked_in_every_nested_template() {
    // Past 500 resources: a root stack and a nested stack per service.
    let mut compose = COMPOSE.to_string();
    for i in 0..150 {
        compose.push_str(&format!(
            "  worker{i:03}:\n    image: busybox:1.36\n    read_only: true\n"
        ));
    }
    let dir = project(POLICY);
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    let found = violations(&check(dir.path(), &[], 1));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 2);
}

#[cfg(feature = "policy")]
fn a_compliant_project_passes() {
    let dir = project(
        "rule log_retention {\n    Resources.*[ Type == 'AWS::Logs::LogGroup' ].Properties.RetentionInDays >= 30\n}\n",
    );
    check(dir.path(), &[], 0);
}

#[cfg(feature = "policy")]
fn an_invalid_or_missing_policy_is_a_usage_error() {
    let dir = project("rule broken {\n");
    let stderr = check(dir.path(), &[], 2);
    assert!(stderr.contains("is not valid Guard"), "{stderr}");
    std::fs::remove_file(dir.path().join("policy.guard")).unwrap();
    let stderr = check(dir.path(), &[], 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[cfg(not(feature = "policy"))]
fn without_the_feature_a_policy_is_a_usage_error() {
    let dir = project(
        "rule log_retention {\n    Resources.*[ Type == 'AWS::Logs::LogGroup' ].Properties.RetentionInDays >= 30\n}\n",
    );
    let stderr = check(dir.path(), &[], 2);
    assert!(stderr.contains("built without policy support"), "{stderr}");
}
