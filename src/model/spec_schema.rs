//! The JSON Schema generated from the spec types ([`super::spec`]): what
//! `schema/compose2cfn.schema.json` holds, and what the `schema` step checks documents
//! against. A test keeps the committed file current.

use serde_json::Value as Json;

/// Generates the schema from the model types (what `schema/compose2cfn.schema.json` holds),
/// every object's keys sorted: the order schemars writes them in survives only when some
/// crate turns on serde_json's `preserve_order`, and the file must not depend on that.
#[must_use]
pub fn generate() -> Json {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<super::spec::ComposeFile>();
    let mut json = serde_json::to_value(schema).unwrap_or(Json::Null);
    strip_optional_nulls(&mut json);
    json.sort_all_objects();
    json
}

/// Properties that Compose allows to be `null` explicitly.
const NULLABLE_PROPERTIES: &[&str] = &["command", "entrypoint", "deploy", "pid"];

/// `Option<T>` fields make schemars allow `null`; Compose does not, except for a few keys.
fn strip_optional_nulls(schema: &mut Json) {
    match schema {
        Json::Object(map) => {
            if let Some(Json::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    if !NULLABLE_PROPERTIES.contains(&name.as_str()) {
                        remove_null(property);
                    }
                }
            }
            for value in map.values_mut() {
                strip_optional_nulls(value);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(strip_optional_nulls),
        _ => {}
    }
}

fn remove_null(schema: &mut Json) {
    let Json::Object(map) = schema else { return };
    if let Some(Json::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let single = types.remove(0);
            map.insert("type".to_string(), single);
        }
    }
    if let Some(Json::Array(branches)) = map.get_mut("anyOf") {
        branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
        if branches.len() == 1 {
            let single = branches.remove(0);
            map.remove("anyOf");
            if let Json::Object(inner) = single {
                for (k, v) in inner {
                    map.entry(k).or_insert(v);
                }
            }
        }
    }
}
