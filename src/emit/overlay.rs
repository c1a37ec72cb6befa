//! The `x-aws-cloudformation` overlay, merged into the compiled document last, as the
//! Docker ECS integration merged it: mappings merge key by key, anything else (scalars,
//! lists) replaces what was there, and `null` deletes the key. New keys (resources,
//! outputs, sections) are added after the compiled ones.

use super::Tree;

/// Merges `overlay` into `document`.
pub fn apply(document: &mut Tree, overlay: &serde_json::Value) {
    merge(document, overlay);
}

/// Cuts `overlay` for a split project's documents: a patch of a resource goes to the
/// nested template that holds it (`nested`: each nested template's logical IDs), as
/// `{"Resources": {...}}`; everything else to the root.
#[must_use]
pub fn partition(
    overlay: &serde_json::Value,
    nested: &[Vec<&str>],
) -> (serde_json::Value, Vec<Option<serde_json::Value>>) {
    let mut rest = overlay.clone();
    let mut patches = rest
        .get_mut("Resources")
        .and_then(serde_json::Value::as_object_mut);
    let parts = nested
        .iter()
        .map(|ids| {
            let patches = patches.as_mut()?;
            let mine: serde_json::Map<String, serde_json::Value> = ids
                .iter()
                .filter_map(|id| patches.remove(*id).map(|patch| ((*id).to_string(), patch)))
                .collect();
            (!mine.is_empty()).then(|| {
                let mut wrapped = serde_json::Map::new();
                wrapped.insert("Resources".to_string(), serde_json::Value::Object(mine));
                serde_json::Value::Object(wrapped)
            })
        })
        .collect();
    (rest, parts)
}

fn merge(base: &mut Tree, patch: &serde_json::Value) {
    match (base, patch) {
        (Tree::Map(entries), serde_json::Value::Object(patch)) => {
            for (key, value) in sorted(patch) {
                if value.is_null() {
                    entries.retain(|(k, _)| k != key);
                    continue;
                }
                match entries.iter_mut().find(|(k, _)| k == key) {
                    Some((_, existing)) => merge(existing, value),
                    None => entries.push((key.clone().into(), without_nulls(value))),
                }
            }
        }
        (base, patch) => *base = without_nulls(patch),
    }
}

/// A JSON object's entries by key, whatever order `serde_json::Map` keeps (see
/// [`Tree::from`]), so that new keys land in the same order every time.
fn sorted(map: &serde_json::Map<String, serde_json::Value>) -> Vec<(&String, &serde_json::Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// New content, where a `null` key has nothing to delete and is left out.
fn without_nulls(value: &serde_json::Value) -> Tree {
    match value {
        serde_json::Value::Object(map) => Tree::Map(
            sorted(map)
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone().into(), without_nulls(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => Tree::Seq(items.iter().map(without_nulls).collect()),
        other => Tree::from(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(value: &serde_json::Value) -> Tree {
        Tree::from(value)
    }

    #[test]
    fn mappings_merge_scalars_and_lists_replace_null_deletes() {
        let mut document = tree(&json!({
            "Resources": {
                "Web": {"Type": "AWS::ECS::Service", "Properties": {"LaunchType": "FARGATE", "DesiredCount": 1, "Subnets": ["a", "b"]}}
            }
        }));
        apply(
            &mut document,
            &json!({
                "Resources": {
                    "Web": {"Properties": {"LaunchType": null, "DesiredCount": 3, "Subnets": ["c"]}},
                    "Extra": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t", "Gone": null}}
                }
            }),
        );
        assert_eq!(
            serde_json::to_value(&document).unwrap(),
            (json!({
                "Resources": {
                    "Web": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 3, "Subnets": ["c"]}},
                    "Extra": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}
                }
            }))
        );
    }
}
