//! The binary as users run it: exit codes, where output goes, the output format, and that a
//! failed run never writes or clobbers the output file.

use std::path::Path;

use crate::support::{command as cmd, root};

trials![
    compiles_to_a_file_with_the_format_from_the_extension,
    writes_yaml_to_stdout_by_default_and_json_on_request,
    finds_the_compose_file_and_names_the_project,
    check_validates_without_output,
    short_and_json_message_formats,
    failure_leaves_an_existing_output_untouched,
    failure_writes_no_new_output,
    io_and_usage_errors_exit_with_2,
    the_command_line_definition_is_consistent,
    the_override_file_beside_a_discovered_file_is_merged,
    files_merge_in_order_from_f_and_compose_file,
    env_files_and_the_project_directory_are_honoured,
    config_prints_the_resolved_project_and_listings,
    reads_standard_input,
    warnings_alone_exit_with_0,
    output_is_byte_identical_across_runs,
    sarif_output_is_a_sarif_2_1_0_log,
    github_output_is_workflow_commands,
    deny_warnings_fails_on_warnings_and_writes_nothing,
    explain_completions_and_man_come_from_the_definitions,
    graph_and_plan_show_what_the_file_becomes,
    a_split_project_writes_its_nested_templates_beside_the_root,
    the_overlay_reaches_the_nested_stack_that_holds_the_resource,
    audit_checks_template_files_against_the_run_time_rules
];

const GOOD: &str = "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n";
const BAD: &str = "services:\n  web:\n    image: nginx\n    privileged: true\n    imgae: x\n";

fn project(compose: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    dir
}

/// Runs compose2cfn in `dir`, expects success, and returns what it wrote to standard output.
fn stdout(dir: &Path, args: &[&str]) -> Vec<u8> {
    cmd(dir)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// Runs compose2cfn in `dir`, expects `code`, and returns what it wrote to standard error.
fn stderr(dir: &Path, args: &[&str], code: i32) -> String {
    let assert = cmd(dir).args(args).assert().code(code);
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

fn compiles_to_a_file_with_the_format_from_the_extension() {
    let dir = project(GOOD);
    cmd(dir.path())
        .args(["compose.yaml", "-o", "stack.json"])
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("stack.json")).unwrap()).unwrap();
    assert_eq!(json["Resources"]["WebService"]["Type"], "AWS::ECS::Service");
    cmd(dir.path())
        .args(["-f", "compose.yaml", "-o", "stack.yaml"])
        .assert()
        .success();
    let yaml = std::fs::read_to_string(dir.path().join("stack.yaml")).unwrap();
    assert!(yaml.starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n"));
}

fn writes_yaml_to_stdout_by_default_and_json_on_request() {
    let dir = project(GOOD);
    let out = stdout(dir.path(), &["compose.yaml"]);
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("Type: AWS::ECS::Cluster")
    );
    let out = stdout(dir.path(), &["compose.yaml", "--format", "json"]);
    assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok());
}

fn finds_the_compose_file_and_names_the_project() {
    let dir = project(GOOD);
    let out = stdout(dir.path(), &["-p", "My Shop", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(
        json["Description"]
            .as_str()
            .unwrap()
            .contains("the Compose project `myshop`")
    );
    // The cluster is named after the stack, so that two stacks of a project fit in a region.
    assert_eq!(
        json["Resources"]["Cluster"]["Properties"]["ClusterName"],
        serde_json::json!({"Ref": "AWS::StackName"})
    );
}

fn check_validates_without_output() {
    let dir = project(GOOD);
    cmd(dir.path())
        .args(["check", "compose.yaml"])
        .assert()
        .success()
        .stdout("");
    let dir = project(BAD);
    let human = stderr(dir.path(), &["check", "compose.yaml"], 1);
    assert!(human.contains("error[E0402]"), "{human}");
    assert!(human.contains("error[E0201]"), "{human}");
    assert!(human.contains("did you mean `image`?"), "{human}");
    assert!(human.contains("compose.yaml:4:5"), "{human}");
}

fn short_and_json_message_formats() {
    let dir = project(BAD);
    let short = stderr(
        dir.path(),
        &["check", "compose.yaml", "--message-format", "short"],
        1,
    );
    assert!(
        short.contains("compose.yaml:4:5: error[E0402]: `privileged` cannot run on ECS Fargate"),
        "{short}"
    );
    let json = stderr(
        dir.path(),
        &["check", "compose.yaml", "--message-format", "json"],
        1,
    );
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "E0402");
    assert_eq!(first["spans"][0]["line"], 4);
    assert_eq!(first["spans"][0]["column"], 5);
}

fn failure_leaves_an_existing_output_untouched() {
    let dir = project(BAD);
    let out = dir.path().join("stack.yaml");
    std::fs::write(&out, "previous template\n").unwrap();
    cmd(dir.path())
        .args(["compose.yaml", "-o", "stack.yaml"])
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "previous template\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary file may stay behind: {leftovers:?}"
    );
}

fn failure_writes_no_new_output() {
    let dir = project(BAD);
    cmd(dir.path())
        .args(["compose.yaml", "-o", "stack.yaml"])
        .assert()
        .code(1);
    assert!(!dir.path().join("stack.yaml").exists());
}

fn io_and_usage_errors_exit_with_2() {
    let dir = project(GOOD);
    cmd(dir.path()).args(["missing.yaml"]).assert().code(2);
    cmd(dir.path()).args(["--no-such-flag"]).assert().code(2);
    cmd(dir.path())
        .args(["compose.yaml", "-o", "no/such/dir/stack.yaml"])
        .assert()
        .code(2);
    let empty = tempfile::tempdir().unwrap();
    cmd(empty.path()).assert().code(2);
}

fn the_command_line_definition_is_consistent() {
    use clap::CommandFactory;
    compose2cfn::cli::Cli::command().debug_assert();
}

/// The template's resources, as JSON, for a run in `dir` with `args` and `env`.
fn resources(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let mut command = cmd(dir);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    json["Resources"].clone()
}

fn the_override_file_beside_a_discovered_file_is_merged() {
    let dir = project(GOOD);
    std::fs::write(
        dir.path().join("compose.override.yaml"),
        "services: {api: {image: httpd}}\n",
    )
    .unwrap();
    let merged = resources(dir.path(), &[], &[]);
    assert!(merged["WebService"].is_object() && merged["ApiService"].is_object());
    // Naming the file skips discovery, and so the override.
    let alone = resources(dir.path(), &["-f", "compose.yaml"], &[]);
    assert!(alone["ApiService"].is_null());
    // Discovery walks up from a subfolder.
    let nested = dir.path().join("src/deep");
    std::fs::create_dir_all(&nested).unwrap();
    assert!(resources(&nested, &[], &[])["ApiService"].is_object());
}

fn files_merge_in_order_from_f_and_compose_file() {
    let dir = project("services: {web: {image: nginx}}\n");
    std::fs::write(
        dir.path().join("other.yaml"),
        "services: {web: {image: httpd}, api: {image: httpd}}\n",
    )
    .unwrap();
    let from_f = resources(dir.path(), &["-f", "compose.yaml", "-f", "other.yaml"], &[]);
    assert_eq!(
        from_f["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Image"],
        "httpd"
    );
    let from_env = resources(
        dir.path(),
        &[],
        &[("COMPOSE_FILE", "compose.yaml:other.yaml")],
    );
    assert_eq!(from_f, from_env);
    let separator = [
        ("COMPOSE_FILE", "compose.yaml;other.yaml"),
        ("COMPOSE_PATH_SEPARATOR", ";"),
    ];
    assert_eq!(from_f, resources(dir.path(), &[], &separator));
    // An explicit file wins over the variable.
    cmd(dir.path())
        .env("COMPOSE_FILE", "missing.yaml")
        .args(["compose.yaml"])
        .assert()
        .success();
    // A missing `-f` file is an I/O error.
    cmd(dir.path())
        .args(["-f", "compose.yaml", "-f", "missing.yaml"])
        .assert()
        .code(2);
}

fn env_files_and_the_project_directory_are_honoured() {
    let dir = project("services: {web: {image: \"nginx:${TAG}\"}}\n");
    std::fs::write(dir.path().join(".env"), "TAG=from-dotenv\n").unwrap();
    std::fs::write(dir.path().join("prod.env"), "TAG=from-prod\n").unwrap();
    let image = |r: serde_json::Value| {
        r["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Image"].clone()
    };
    assert_eq!(image(resources(dir.path(), &[], &[])), "nginx:from-dotenv");
    assert_eq!(
        image(resources(dir.path(), &["--env-file", "prod.env"], &[])),
        "nginx:from-prod"
    );
    // The process environment wins over env files.
    assert_eq!(
        image(resources(dir.path(), &[], &[("TAG", "from-shell")])),
        "nginx:from-shell"
    );
    // With --project-directory, `.env` comes from there.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join(".env"), "TAG=elsewhere\n").unwrap();
    let file = dir.path().join("compose.yaml");
    let args = [
        "-f",
        file.to_str().unwrap(),
        "--project-directory",
        elsewhere.path().to_str().unwrap(),
    ];
    assert_eq!(image(resources(dir.path(), &args, &[])), "nginx:elsewhere");
}

fn config_prints_the_resolved_project_and_listings() {
    let dir = project(
        "services:\n  web: {image: nginx, ports: [\"80:80\"], environment: [A=1]}\n  db: {image: postgres, profiles: [storage]}\n",
    );
    let yaml = String::from_utf8(stdout(dir.path(), &["config"])).unwrap();
    assert!(yaml.contains("published: \"80\""), "{yaml}");
    assert!(!yaml.contains("postgres"), "{yaml}");
    let json: serde_json::Value = serde_json::from_slice(&stdout(
        dir.path(),
        &["config", "--format", "json", "--profile", "storage"],
    ))
    .unwrap();
    assert_eq!(json["services"]["web"]["environment"]["A"], "1");
    assert_eq!(json["services"]["db"]["image"], "postgres");
    assert_eq!(stdout(dir.path(), &["config", "--services"]), b"web\n");
    assert_eq!(stdout(dir.path(), &["config", "--quiet"]), b"");
    assert_eq!(stdout(dir.path(), &["config", "--networks"]), b"");
    assert_eq!(stdout(dir.path(), &["config", "--profiles"]), b"storage\n");
    assert_eq!(
        stdout(dir.path(), &["config", "--images", "--profile", "*"]),
        b"postgres\nnginx\n"
    );
    cmd(dir.path())
        .args(["config", "--services", "--images"])
        .assert()
        .code(2);
    // Invalid Compose is an error for `config` too; ECS rules are not its business.
    let bad = project("services: {web: {image: nginx, imgae: x, privileged: true}}\n");
    let message = stderr(bad.path(), &["config"], 1);
    assert!(
        message.contains("E0201") && !message.contains("E0402"),
        "{message}"
    );
}

fn reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .args(["-", "-p", "piped"])
        .write_stdin(GOOD)
        .assert()
        .success();
}

fn warnings_alone_exit_with_0() {
    let dir = project("services:\n  web:\n    image: nginx\n    container_name: web1\n");
    let warnings = stderr(dir.path(), &["check", "compose.yaml"], 0);
    assert!(warnings.contains("warning[W0401]"), "{warnings}");
}

fn output_is_byte_identical_across_runs() {
    let dir = project(GOOD);
    let a = cmd(dir.path()).arg("compose.yaml").output().unwrap().stdout;
    let b = cmd(dir.path()).arg("compose.yaml").output().unwrap().stdout;
    assert_eq!(a, b);
}

fn sarif_output_is_a_sarif_2_1_0_log() {
    let dir = project(BAD);
    let text = stderr(dir.path(), &["check", "--message-format", "sarif"], 1);
    let log: serde_sarif::sarif::Sarif = serde_json::from_str(&text).unwrap();
    let json: serde_json::Value = serde_json::to_value(&log).unwrap();
    assert_eq!(json["version"], "2.1.0");
    let run = &json["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 2, "{text}");
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "compose.yaml");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    // The text before and after a round trip through the SARIF types is the same log.
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(original["runs"][0]["results"], run["results"]);
}

fn github_output_is_workflow_commands() {
    let dir = project(BAD);
    let text = stderr(dir.path(), &["check", "--message-format", "github"], 1);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=compose.yaml,line=5,col=5,")
                && l.contains("title=E0201 unknown-key::unknown key `imgae`")),
        "{text}"
    );
    assert!(lines.iter().all(|l| l.starts_with("::")), "{text}");
}

fn deny_warnings_fails_on_warnings_and_writes_nothing() {
    let dir = project("services:\n  web:\n    image: nginx\n    container_name: web\n");
    cmd(dir.path())
        .args(["-o", "stack.yaml"])
        .assert()
        .success();
    std::fs::remove_file(dir.path().join("stack.yaml")).unwrap();
    let message = stderr(dir.path(), &["--deny-warnings", "-o", "stack.yaml"], 1);
    assert!(message.contains("denied"), "{message}");
    assert!(!dir.path().join("stack.yaml").exists());
    stderr(dir.path(), &["check", "--deny-warnings"], 1);
}

fn explain_completions_and_man_come_from_the_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(stdout(dir.path(), &["explain", "E0201"])).unwrap();
    assert!(text.starts_with("E0201 (unknown-key, error)"), "{text}");
    assert_eq!(
        stdout(dir.path(), &["explain", "unknown-key"]),
        stdout(dir.path(), &["explain", "e0201"])
    );
    let index = String::from_utf8(stdout(dir.path(), &["explain"])).unwrap();
    assert_eq!(index.lines().count(), compose2cfn::diag::Code::ALL.len());
    let message = stderr(dir.path(), &["explain", "unknwon-key"], 2);
    assert!(message.contains("did you mean `unknown-key`?"), "{message}");
    for shell in ["bash", "zsh", "fish"] {
        let script = String::from_utf8(stdout(dir.path(), &["completions", shell])).unwrap();
        assert!(script.contains("compose2cfn") && script.contains("deny-warnings"));
    }
    let schema = stdout(dir.path(), &["schema"]);
    let committed = std::fs::read(root().join("schema/compose2cfn.schema.json")).unwrap();
    assert_eq!(schema, committed);
    let man = String::from_utf8(stdout(dir.path(), &["man"])).unwrap();
    assert!(
        man.starts_with(".ie") || man.contains(".TH compose2cfn"),
        "{man}"
    );
}

fn graph_and_plan_show_what_the_file_becomes() {
    let dir = project(GOOD);
    let mermaid = String::from_utf8(stdout(dir.path(), &["graph"])).unwrap();
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(
        mermaid.contains("subgraph service_web[\"service web\"]"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  WebService --> WebTaskDefinition\n"),
        "{mermaid}"
    );
    let dot = String::from_utf8(stdout(dir.path(), &["graph", "--format", "dot"])).unwrap();
    assert!(
        dot.starts_with("digraph template {") && dot.ends_with("}\n"),
        "{dot}"
    );
    let plan = String::from_utf8(stdout(dir.path(), &["plan"])).unwrap();
    assert!(
        plan.starts_with("service web\n") && plan.contains("  + WebService (ECS::Service)\n"),
        "{plan}"
    );
    assert!(plan.contains("  lowered    image, ports\n"), "{plan}");
    // An input with errors draws nothing.
    let bad = project(BAD);
    cmd(bad.path()).args(["graph"]).assert().code(1).stdout("");
    cmd(bad.path()).args(["plan"]).assert().code(1).stdout("");
}

fn a_split_project_writes_its_nested_templates_beside_the_root() {
    let dir = project(GOOD);
    let root = dir.path().join("stack.yaml");
    let folder = dir.path().join("shop.stacks");
    for _ in 0..2 {
        cmd(dir.path())
            .args(["compose.yaml", "-p", "shop", "--split", "-o", "stack.yaml"])
            .assert()
            .success();
    }
    let yaml = std::fs::read_to_string(&root).unwrap();
    assert!(yaml.contains("AWS::CloudFormation::Stack"));
    let nested = std::fs::read_to_string(folder.join("Services.yaml")).unwrap();
    assert!(nested.contains("AWS::ECS::Service"));
    // Nothing staged is left behind by the second run, which replaced the first.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Nowhere to put the nested templates: standard output cannot take them.
    let err = stderr(dir.path(), &["compose.yaml", "--split"], 2);
    assert!(err.contains("give `-o FILE`"), "{err}");
}

fn the_overlay_reaches_the_nested_stack_that_holds_the_resource() {
    let compose = format!(
        "{GOOD}x-aws-cloudformation:\n  Resources:\n    WebService:\n      Properties:\n        DesiredCount: 3\n  Outputs:\n    Extra:\n      Value: extra\n"
    );
    let dir = project(&compose);
    cmd(dir.path())
        .args(["compose.yaml", "-p", "shop", "--split", "-o", "stack.yaml"])
        .assert()
        .success();
    let root = std::fs::read_to_string(dir.path().join("stack.yaml")).unwrap();
    let web = std::fs::read_to_string(dir.path().join("shop.stacks/Services.yaml")).unwrap();
    assert!(
        root.contains("Extra:") && !root.contains("DesiredCount"),
        "{root}"
    );
    assert!(web.contains("DesiredCount: 3"), "{web}");
}

fn audit_checks_template_files_against_the_run_time_rules() {
    let dir = project(GOOD);
    cmd(dir.path())
        .args(["compose.yaml", "-o", "stack.yaml", "--split"])
        .assert()
        .success();
    // A compiled template (a root and its nested stacks) keeps every rule.
    cmd(dir.path())
        .args(["audit", "stack.yaml"])
        .assert()
        .success();
    // The same template with a fixed cluster name breaks R09 (YAML and JSON read alike).
    let yaml = std::fs::read_to_string(dir.path().join("stack.yaml")).unwrap();
    let mut json = compose2cfn::audit::Files::read(&dir.path().join("stack.yaml"))
        .unwrap()
        .documents
        .remove(0)
        .template;
    assert!(yaml.contains("AWS::ECS::Cluster"));
    json["Resources"]["Cluster"]["Properties"]["ClusterName"] = "web".into();
    std::fs::write(dir.path().join("fixed.json"), json.to_string()).unwrap();
    let err = stderr(dir.path(), &["audit", "fixed.json"], 1);
    assert!(
        err.contains("error[R09 names-unique-per-stack]: `Cluster`"),
        "{err}"
    );
    assert!(err.contains("1 violation of the run-time rules"), "{err}");
    // A missing file is an I/O error; the list of rules needs no file.
    stderr(dir.path(), &["audit", "missing.yaml"], 2);
    let rules = String::from_utf8(stdout(dir.path(), &["audit", "--rules"])).unwrap();
    assert_eq!(
        rules.lines().filter(|l| l.starts_with('R')).count(),
        compose2cfn::audit::RULES.len()
    );
}
