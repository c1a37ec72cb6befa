//! What every compiled template must be (the same bytes twice, the same template as YAML
//! and JSON, no wildcard the Compose file did not ask for, an origin for every resource),
//! and writing it where `scripts/test.sh` runs cfn-lint (`target/cfn-lint/`).

use std::path::PathBuf;

use compose2cfn::emit::{self, Format};

use super::{root, yaml_as_json};

/// Where templates are collected for cfn-lint.
fn lint_dir() -> PathBuf {
    let dir = root().join("target/cfn-lint");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// No IAM statement the compiler writes allows every action (`*`, `sqs:*`) or every
/// resource (`*`): a wildcard may only come from the Compose file itself (`x-aws-role`).
/// Key policies are not IAM policies: there `Resource: "*"` means the key itself.
fn no_generated_wildcards(name: &str, template: &serde_json::Value, inputs: &str) {
    let as_list = |v: &serde_json::Value| match v {
        serde_json::Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let resources = template["Resources"].as_object().unwrap();
    for (id, resource) in resources {
        let kind = resource["Type"].as_str().unwrap_or_default();
        if !matches!(
            kind,
            "AWS::IAM::Role" | "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy"
        ) {
            continue;
        }
        let properties = &resource["Properties"];
        let mut documents = vec![&properties["PolicyDocument"]];
        documents.extend(
            properties["Policies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| &p["PolicyDocument"]),
        );
        for statement in documents
            .iter()
            .flat_map(|d| d["Statement"].as_array().into_iter().flatten())
        {
            for action in as_list(&statement["Action"])
                .iter()
                .filter_map(|a| a.as_str())
            {
                let wildcard = action == "*" || action.ends_with(":*");
                assert!(
                    !wildcard || inputs.contains(action),
                    "{name}: {id} allows `{action}`, which the Compose file does not ask for"
                );
            }
            for target in as_list(&statement["Resource"]) {
                assert_ne!(target, "*", "{name}: {id} allows every resource");
            }
        }
    }
}

/// Checks a compiled template against `again`, the same project compiled a second time,
/// and writes it, as YAML and JSON, where `scripts/test.sh` lints it (cfn-lint) and reads
/// it back with a YAML 1.1 parser. Returns the root template's YAML.
pub(crate) fn check(
    name: &str,
    compilation: &compose2cfn::Compilation,
    again: &compose2cfn::Compilation,
) -> String {
    let template = compilation.template.as_ref().unwrap();
    let yaml = compilation.output(Format::Yaml).unwrap();
    let json = compilation.output(Format::Json).unwrap();
    let lint = lint_dir();
    std::fs::write(lint.join(format!("{name}.yaml")), &yaml).unwrap();
    std::fs::write(lint.join(format!("{name}.json.txt")), &json).unwrap();
    // What needs the documents as trees (JSON, policies) builds them again: they must be
    // the documents written.
    let trees = compilation.trees();
    assert_eq!(trees.len(), compilation.documents.len(), "{name}");
    for ((path, tree), document) in trees.iter().zip(&compilation.documents) {
        assert_eq!(path, &document.path, "{name}");
        assert_eq!(
            emit::value(tree, Format::Yaml),
            document.yaml,
            "{name}: the trees built again are not the documents written"
        );
    }
    assert_eq!(
        emit::json::len(&trees[0].1),
        json.len(),
        "{name}: the JSON size the quota messages give is not the JSON's"
    );
    assert_eq!(
        yaml,
        again.output(Format::Yaml).unwrap(),
        "{name}: output differs between runs"
    );
    // Nested templates go where the root's `TemplateURL`s say, so that cfn-lint checks
    // the parameters the root passes against them.
    for ((document, twin), (_, tree)) in compilation
        .documents
        .iter()
        .zip(&again.documents)
        .zip(&trees)
        .skip(1)
    {
        let path = document.path.as_deref().unwrap();
        assert_eq!(
            document.yaml, twin.yaml,
            "{name}: {path} differs between runs"
        );
        let file = lint.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &document.yaml).unwrap();
        let json = emit::value(tree, Format::Json);
        std::fs::write(file.with_extension("json.txt"), json).unwrap();
    }
    let inputs: String = compilation
        .sources
        .files()
        .map(|f| f.text.as_str())
        .collect();
    for (_, tree) in &trees {
        let tree = serde_json::from_str(&emit::value(tree, Format::Json)).unwrap();
        no_generated_wildcards(name, &tree, &inputs);
    }
    // What the run-time rules read is the template's JSON, built straight from its events.
    assert_eq!(
        emit::json_document(template),
        serde_json::to_value(emit::document(template)).unwrap(),
        "{name}: the JSON the rules read is not the template's"
    );
    let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        yaml_as_json("t.yaml", &yaml),
        from_json,
        "{name}: JSON and YAML output differ"
    );
    for (id, resource) in &template.resources {
        let project_wide = [
            "Vpc",
            "InternetGateway",
            "PublicRoute",
            "PublicSubnet",
            "Nat",
            "Private",
            "Cluster",
            "CloudMap",
            "LogGroup",
            "LoadBalancer",
            "EncryptionKey",
            "NetworkReady",
        ];
        assert!(
            resource.origin.is_some() || project_wide.iter().any(|p| id.starts_with(p)),
            "{name}: resource {id} has no origin span"
        );
    }
    yaml
}
