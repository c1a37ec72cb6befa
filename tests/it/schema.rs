//! The committed schema matches the model types, and agrees with the official Compose
//! schema on what a Compose file may contain.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::root;

trials![
    committed_schema_is_generated_from_the_model,
    every_official_key_is_accepted
];

fn schema_path() -> PathBuf {
    root().join("schema/compose2cfn.schema.json")
}

fn committed_schema_is_generated_from_the_model() {
    let generated =
        serde_json::to_string_pretty(&compose2cfn::model::spec_schema::generate()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(schema_path()).unwrap();
    assert!(
        committed == generated,
        "schema/compose2cfn.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test --test it -- schema::`"
    );
}

fn official() -> Option<Value> {
    let path = root().join("../shared/compose-spec/compose-spec.json");
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Every object's property names, by the path of definitions/properties that leads to it.
fn properties(root: &Value, node: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 12 {
        return;
    }
    let node = match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .unwrap_or(node),
        None => node,
    };
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            let here = format!("{path}.{name}");
            out.push(here.clone());
            properties(root, sub, &here, out, depth + 1);
        }
    }
    for key in ["oneOf", "anyOf"] {
        for branch in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            properties(root, branch, path, out, depth + 1);
        }
    }
    if let Some(items) = node.get("items") {
        properties(root, items, &format!("{path}[]"), out, depth + 1);
    }
    if let Some(extra) = node.get("additionalProperties").filter(|v| v.is_object()) {
        properties(root, extra, &format!("{path}.*"), out, depth + 1);
    }
    if let Some(patterns) = node.get("patternProperties").and_then(Value::as_object) {
        for (pattern, sub) in patterns {
            if pattern != "^x-" {
                properties(root, sub, &format!("{path}.*"), out, depth + 1);
            }
        }
    }
}

fn every_official_key_is_accepted() {
    let Some(official) = official() else {
        eprintln!("../shared/compose-spec is absent: skipped");
        return;
    };
    let ours: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let mut theirs = Vec::new();
    properties(&official, &official, "", &mut theirs, 0);
    let mut mine = Vec::new();
    properties(&ours, &ours, "", &mut mine, 0);
    // Paths under a key our schema takes as any value (`develop`, `build`, ...) are not
    // walked there; a key is covered when it or one of its ancestors is ours.
    let missing: Vec<&String> = theirs
        .iter()
        .filter(|path| {
            !mine.iter().any(|m| m == *path)
                && !mine.iter().any(|m| {
                    path.starts_with(&format!("{m}.")) || path.starts_with(&format!("{m}[]"))
                })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "keys of the official schema that ours rejects: {missing:#?}"
    );
}
