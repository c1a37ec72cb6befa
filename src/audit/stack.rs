//! The documents of a stack as one template the rules can read, and the network layouts
//! its conditions allow.
//!
//! A split project's nested stacks are joined into the root: each nested resource's
//! references to its own parameters are replaced by what the root passes (a list passed
//! as `Fn::Join [",", X]` becomes `X` again), and the root's `Fn::GetAtt [Stack,
//! Outputs.Name]` by the nested output's value. The rules then see one template, as
//! CloudFormation sees the stack once it is deployed.
//!
//! A [`Layout`] is one choice of the parameters the template's conditions compare
//! (`VpcId` empty or not, `AssignPublicIp`, ...): each parameter takes each value a
//! condition names (or each value it allows), or some other value. Rules that depend on
//! the network are checked in every layout, so that no deployment the template allows
//! escapes them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

/// One document of a stack: its path relative to the root (`None`: the root), its
/// template, and the size of its text.
pub struct Document {
    pub path: Option<String>,
    pub template: Json,
    pub bytes: usize,
}

/// The stack's documents joined into one template, and its layouts.
pub struct Stack {
    /// The joined template.
    pub template: Json,
    /// Each document's path (`None`: the root) and size in bytes.
    pub sizes: Vec<(Option<String>, usize)>,
    pub layouts: Vec<Layout>,
    /// The logical IDs of each resource type.
    by_type: BTreeMap<String, Vec<String>>,
}

/// Layouts checked at most: the product of the parameters' choices is cut here.
const MAX_LAYOUTS: usize = 64;

impl Stack {
    /// Joins `documents` (the root first).
    #[must_use]
    pub fn join(documents: Vec<Document>) -> Stack {
        let sizes = documents
            .iter()
            .map(|d| (d.path.clone(), d.bytes))
            .collect();
        let mut documents = documents.into_iter();
        let mut template = documents
            .next()
            .map_or_else(|| Json::Object(Map::new()), |d| d.template);
        // A nested document without its template counts for its size only.
        let nested: BTreeMap<String, Json> = documents
            .filter(|d| !d.template.is_null())
            .filter_map(|d| Some((d.path?, d.template)))
            .collect();
        if !nested.is_empty() {
            join_nested(&mut template, &nested);
        }
        let layouts = layouts(&template);
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, resource) in template["Resources"].as_object().into_iter().flatten() {
            if let Some(kind) = resource["Type"].as_str() {
                by_type
                    .entry(kind.to_string())
                    .or_default()
                    .push(id.clone());
            }
        }
        // By logical ID, as the rules report them, whatever order the JSON object keeps
        // (the file's, or sorted: serde_json's `preserve_order` decides).
        by_type.values_mut().for_each(|ids| ids.sort_unstable());
        Stack {
            template,
            by_type,
            sizes,
            layouts,
        }
    }

    /// Every resource: its logical ID and its definition.
    pub fn resources(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.template["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, r)| (id.as_str(), r))
    }

    /// The resources of one type.
    pub fn of_type<'s>(&'s self, kind: &str) -> impl Iterator<Item = (&'s str, &'s Json)> {
        self.by_type
            .get(kind)
            .into_iter()
            .flatten()
            .filter_map(|id| Some((id.as_str(), self.resource(id)?)))
    }

    /// A resource by logical ID.
    #[must_use]
    pub fn resource(&self, id: &str) -> Option<&Json> {
        self.template["Resources"].get(id)
    }

    /// The parameter a template declares under `name`.
    #[must_use]
    pub fn parameter(&self, name: &str) -> Option<&Json> {
        self.template["Parameters"].get(name)
    }
}

/// Replaces each `AWS::CloudFormation::Stack` of `root` whose `TemplateURL` is one of
/// `nested` by that template's resources, its parameters bound to what the root passes.
fn join_nested(root: &mut Json, nested: &BTreeMap<String, Json>) {
    let Some(Json::Object(resources)) = root.get_mut("Resources").map(Json::take) else {
        return;
    };
    let mut joined = Map::new();
    let mut outputs: BTreeMap<(String, String), Json> = BTreeMap::new();
    let mut conditions = match root.get_mut("Conditions").map(Json::take) {
        Some(Json::Object(conditions)) => conditions,
        _ => Map::new(),
    };
    // By logical ID (see `Stack::join`): when two nested stacks declare one condition,
    // the first one's is kept.
    let mut resources: Vec<(String, Json)> = resources.into_iter().collect();
    resources.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (id, resource) in resources {
        let url = resource["Properties"]["TemplateURL"].as_str();
        let Some(child) = url
            .filter(|_| resource["Type"] == "AWS::CloudFormation::Stack")
            .and_then(|url| nested.get(url))
        else {
            joined.insert(id, resource);
            continue;
        };
        let bindings = bindings(child, &resource["Properties"]["Parameters"]);
        for (child_id, child_resource) in child["Resources"].as_object().into_iter().flatten() {
            joined.insert(child_id.clone(), bind(child_resource, &bindings));
        }
        for (name, condition) in child["Conditions"].as_object().into_iter().flatten() {
            conditions
                .entry(name.clone())
                .or_insert_with(|| bind(condition, &bindings));
        }
        for (name, output) in child["Outputs"].as_object().into_iter().flatten() {
            outputs.insert(
                (id.clone(), name.clone()),
                bind(&output["Value"], &bindings),
            );
        }
    }
    // The root's (and the nested stacks', through what the root passed) reads of nested
    // outputs, a few rounds deep.
    let mut joined = Json::Object(joined);
    for _ in 0..4 {
        if !replace_outputs(&mut joined, &outputs) {
            break;
        }
    }
    if let Some(object) = root.as_object_mut() {
        object.insert("Resources".to_string(), joined);
        if !conditions.is_empty() {
            object.insert("Conditions".to_string(), Json::Object(conditions));
        }
    }
}

/// What each parameter of a nested template is bound to: the value the root passes (a
/// list parameter passed joined is the list again), else its default.
fn bindings(child: &Json, passed: &Json) -> BTreeMap<String, Json> {
    let mut bound = BTreeMap::new();
    for (name, declared) in child["Parameters"].as_object().into_iter().flatten() {
        let list = declared["Type"]
            .as_str()
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
        let value = match passed.get(name) {
            Some(value) if list => match value.get("Fn::Join") {
                Some(Json::Array(join)) if join.len() == 2 && join[0] == "," => join[1].clone(),
                _ => value.clone(),
            },
            Some(value) => value.clone(),
            None => match &declared["Default"] {
                Json::Null => continue,
                default => default.clone(),
            },
        };
        bound.insert(name.clone(), value);
    }
    bound
}

/// `value` with every reference to a bound parameter replaced by its binding (in
/// `Fn::Sub` strings too: the string takes the binding as a variable of its own).
fn bind(value: &Json, bindings: &BTreeMap<String, Json>) -> Json {
    match value {
        Json::Object(object) => {
            if let Some(Json::String(name)) = single(object, "Ref")
                && let Some(bound) = bindings.get(name)
            {
                return bound.clone();
            }
            if let Some(sub) = single(object, "Fn::Sub") {
                return bind_sub(sub, bindings);
            }
            Json::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.clone(), bind(v, bindings)))
                    .collect(),
            )
        }
        Json::Array(items) => Json::Array(items.iter().map(|v| bind(v, bindings)).collect()),
        other => other.clone(),
    }
}

/// An `Fn::Sub` whose `${Name}` variables that are bound parameters become variables of
/// the function's own mapping.
fn bind_sub(sub: &Json, bindings: &BTreeMap<String, Json>) -> Json {
    let (text, mut variables) = match sub {
        Json::String(text) => (text.clone(), Map::new()),
        Json::Array(parts) if parts.len() == 2 => (
            parts[0].as_str().unwrap_or_default().to_string(),
            parts[1]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), bind(v, bindings)))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        other => return json_object("Fn::Sub", bind(other, bindings)),
    };
    for name in sub_variables(&text) {
        if !variables.contains_key(&name)
            && let Some(bound) = bindings.get(&name)
        {
            variables.insert(name, bound.clone());
        }
    }
    if variables.is_empty() {
        json_object("Fn::Sub", Json::String(text))
    } else {
        json_object(
            "Fn::Sub",
            Json::Array(vec![Json::String(text), Json::Object(variables)]),
        )
    }
}

/// The variables `${Name}` of an `Fn::Sub` string (not `${!Literal}`).
#[must_use]
pub fn sub_variables(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') {
            found.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    found
}

/// Replaces `Fn::GetAtt [Stack, Outputs.Name]` by the nested output's value; whether any
/// was replaced.
fn replace_outputs(value: &mut Json, outputs: &BTreeMap<(String, String), Json>) -> bool {
    match value {
        Json::Object(object) => {
            if let Some(Json::Array(att)) = single(object, "Fn::GetAtt")
                && let [Json::String(stack), Json::String(attribute)] = att.as_slice()
                && let Some(name) = attribute.strip_prefix("Outputs.")
                && let Some(output) = outputs.get(&(stack.clone(), name.to_string()))
            {
                *value = output.clone();
                return true;
            }
            let mut any = false;
            for v in object.values_mut() {
                any |= replace_outputs(v, outputs);
            }
            any
        }
        Json::Array(items) => {
            let mut any = false;
            for v in items {
                any |= replace_outputs(v, outputs);
            }
            any
        }
        _ => false,
    }
}

/// The value of an object's only key `key`.
#[must_use]
pub fn single<'j>(object: &'j Map<String, Json>, key: &str) -> Option<&'j Json> {
    (object.len() == 1).then(|| object.get(key)).flatten()
}

fn json_object(key: &str, value: Json) -> Json {
    let mut object = Map::new();
    object.insert(key.to_string(), value);
    Json::Object(object)
}

/// One choice of the parameters the conditions compare, and the conditions' values under
/// it.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Parameters fixed to a value (a parameter left out may be anything else).
    values: BTreeMap<String, String>,
    conditions: BTreeMap<String, bool>,
}

impl Layout {
    /// How the layout is described in a finding: `VpcId=""`, `AssignPublicIp=ENABLED`.
    #[must_use]
    pub fn describe(&self) -> String {
        self.values
            .iter()
            .map(|(name, value)| format!("{name}={value:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether a resource exists in this layout (its `Condition` holds).
    #[must_use]
    pub fn has(&self, resource: &Json) -> bool {
        resource["Condition"]
            .as_str()
            .is_none_or(|c| self.conditions.get(c).copied().unwrap_or(true))
    }

    /// `value` in this layout: `Fn::If` chosen, `AWS::NoValue` dropped, `Fn::Select` of a
    /// known list taken; with `parameters`, references to the parameters the layout fixes
    /// replaced by their values.
    #[must_use]
    pub fn eval(&self, value: &Json, parameters: bool) -> Json {
        self.eval_opt(value, parameters).unwrap_or(Json::Null)
    }

    fn eval_opt(&self, value: &Json, parameters: bool) -> Option<Json> {
        match value {
            Json::Object(object) => {
                if let Some(Json::Array(branches)) = single(object, "Fn::If")
                    && let [Json::String(condition), then, otherwise] = branches.as_slice()
                {
                    let holds = self.conditions.get(condition).copied().unwrap_or(true);
                    return self.eval_opt(if holds { then } else { otherwise }, parameters);
                }
                if let Some(Json::String(name)) = single(object, "Ref") {
                    if name == "AWS::NoValue" {
                        return None;
                    }
                    if parameters && let Some(fixed) = self.values.get(name) {
                        return Some(Json::String(fixed.clone()));
                    }
                }
                if let Some(Json::Array(select)) = single(object, "Fn::Select")
                    && select.len() == 2
                {
                    let index = self.eval(&select[0], parameters);
                    let index = index
                        .as_u64()
                        .or_else(|| index.as_str().and_then(|s| s.parse().ok()));
                    let list = self.eval(&select[1], parameters);
                    if let (Some(index), Json::Array(items)) = (index, &list) {
                        return items.get(usize::try_from(index).ok()?).cloned();
                    }
                    return Some(json_object(
                        "Fn::Select",
                        Json::Array(vec![select[0].clone(), list]),
                    ));
                }
                Some(Json::Object(
                    object
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), self.eval_opt(v, parameters)?)))
                        .collect(),
                ))
            }
            Json::Array(items) => Some(Json::Array(
                items
                    .iter()
                    .filter_map(|v| self.eval_opt(v, parameters))
                    .collect(),
            )),
            other => Some(other.clone()),
        }
    }
}

/// Every layout the template's conditions allow (one, without conditions).
fn layouts(template: &Json) -> Vec<Layout> {
    let conditions = template["Conditions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // Each parameter a condition compares, with the values it is compared to.
    let mut compared: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for condition in conditions.values() {
        comparisons(condition, &mut compared);
    }
    // Each parameter's choices: the values it allows, else those compared and "other".
    let choices: Vec<(String, Vec<Option<String>>)> = compared
        .into_iter()
        .map(|(name, values)| {
            let allowed: Vec<Option<String>> = template["Parameters"][&name]["AllowedValues"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(|s| Some(s.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            if allowed.is_empty() {
                let mut all: Vec<Option<String>> = values.into_iter().map(Some).collect();
                all.push(None);
                (name, all)
            } else {
                (name, allowed)
            }
        })
        .collect();
    let mut layouts = vec![BTreeMap::new()];
    for (name, options) in &choices {
        let mut next = Vec::new();
        for layout in &layouts {
            for option in options {
                let mut values: BTreeMap<String, String> = layout.clone();
                if let Some(value) = option {
                    values.insert(name.clone(), value.clone());
                }
                next.push(values);
            }
        }
        next.truncate(MAX_LAYOUTS);
        layouts = next;
    }
    layouts
        .into_iter()
        .map(|values| {
            let mut layout = Layout {
                values,
                conditions: BTreeMap::new(),
            };
            for name in conditions.keys() {
                let holds = holds(&conditions, name, &layout, 0);
                layout.conditions.insert(name.clone(), holds);
            }
            layout
        })
        .collect()
}

/// The parameters `condition` compares with `Fn::Equals`, and the values.
fn comparisons(condition: &Json, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match condition {
        Json::Object(object) => {
            if let Some(Json::Array(pair)) = single(object, "Fn::Equals")
                && pair.len() == 2
            {
                for (a, b) in [(&pair[0], &pair[1]), (&pair[1], &pair[0])] {
                    if let (Some(name), Some(value)) = (reference(a), b.as_str()) {
                        out.entry(name.to_string())
                            .or_default()
                            .insert(value.to_string());
                    }
                }
            }
            object.values().for_each(|v| comparisons(v, out));
        }
        Json::Array(items) => items.iter().for_each(|v| comparisons(v, out)),
        _ => {}
    }
}

/// Whether the condition `name` holds in `layout` (an unknown comparison: false).
fn holds(conditions: &Map<String, Json>, name: &str, layout: &Layout, depth: usize) -> bool {
    conditions
        .get(name)
        .is_some_and(|c| truth(conditions, c, layout, depth + 1))
}

fn truth(conditions: &Map<String, Json>, value: &Json, layout: &Layout, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let Json::Object(object) = value else {
        return value.as_bool().unwrap_or(false);
    };
    let all = |items: &Json| -> Vec<bool> {
        items
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| truth(conditions, v, layout, depth + 1))
            .collect()
    };
    if let Some(Json::String(other)) = single(object, "Condition") {
        return holds(conditions, other, layout, depth);
    }
    if let Some(items) = single(object, "Fn::And") {
        return all(items).into_iter().all(|b| b);
    }
    if let Some(items) = single(object, "Fn::Or") {
        return all(items).into_iter().any(|b| b);
    }
    if let Some(items) = single(object, "Fn::Not") {
        return !all(items).into_iter().all(|b| b);
    }
    if let Some(Json::Array(pair)) = single(object, "Fn::Equals")
        && pair.len() == 2
    {
        let (a, b) = (layout.eval(&pair[0], true), layout.eval(&pair[1], true));
        return match (a.as_str(), b.as_str()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        };
    }
    false
}

/// The name a `{"Ref": name}` refers to.
#[must_use]
pub fn reference(value: &Json) -> Option<&str> {
    value
        .as_object()
        .and_then(|o| single(o, "Ref"))
        .and_then(Json::as_str)
}

/// The (resource, attribute) of a `{"Fn::GetAtt": [resource, attribute]}`.
#[must_use]
pub fn attribute(value: &Json) -> Option<(&str, &str)> {
    let att = value.as_object().and_then(|o| single(o, "Fn::GetAtt"))?;
    match att {
        Json::Array(pair) if pair.len() == 2 => Some((pair[0].as_str()?, pair[1].as_str()?)),
        Json::String(dotted) => dotted.split_once('.'),
        _ => None,
    }
}

/// A value as a list (a single value as a list of one).
#[must_use]
pub fn items(value: &Json) -> Vec<&Json> {
    match value {
        Json::Array(items) => items.iter().collect(),
        Json::Null => Vec::new(),
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_stacks_are_joined_with_their_parameters_bound() {
        let root = json!({
            "Resources": {
                "Cluster": {"Type": "AWS::ECS::Cluster"},
                "Services": {"Type": "AWS::CloudFormation::Stack", "Properties": {
                    "TemplateURL": "p.stacks/Services.yaml",
                    "Parameters": {
                        "ClusterArn": {"Fn::GetAtt": ["Cluster", "Arn"]},
                        "Subnets": {"Fn::Join": [",", {"Fn::If": ["CreateVpc", [{"Ref": "A"}], {"Ref": "Subnets"}]}]},
                    },
                }},
                "Reader": {"Type": "AWS::X", "Properties": {"Arn": {"Fn::GetAtt": ["Services", "Outputs.Web"]}}},
            },
        });
        let nested = json!({
            "Parameters": {
                "ClusterArn": {"Type": "String"},
                "Subnets": {"Type": "CommaDelimitedList"},
            },
            "Resources": {"WebService": {"Type": "AWS::ECS::Service", "Properties": {
                "Cluster": {"Ref": "ClusterArn"},
                "Subnets": {"Ref": "Subnets"},
                "Name": {"Fn::Sub": "${ClusterArn}/${AWS::StackName}"},
            }}},
            "Outputs": {"Web": {"Value": {"Ref": "WebService"}}},
        });
        let stack = Stack::join(vec![
            Document {
                path: None,
                template: root,
                bytes: 1,
            },
            Document {
                path: Some("p.stacks/Services.yaml".into()),
                template: nested,
                bytes: 1,
            },
        ]);
        let web = stack.resource("WebService").unwrap();
        assert_eq!(
            web["Properties"]["Cluster"],
            json!({"Fn::GetAtt": ["Cluster", "Arn"]})
        );
        assert_eq!(
            web["Properties"]["Subnets"],
            json!({"Fn::If": ["CreateVpc", [{"Ref": "A"}], {"Ref": "Subnets"}]})
        );
        assert_eq!(
            web["Properties"]["Name"],
            json!({"Fn::Sub": ["${ClusterArn}/${AWS::StackName}", {"ClusterArn": {"Fn::GetAtt": ["Cluster", "Arn"]}}]})
        );
        assert!(stack.resource("Services").is_none());
        assert_eq!(
            stack.resource("Reader").unwrap()["Properties"]["Arn"],
            json!({"Ref": "WebService"})
        );
    }

    /// The rules meet resources by logical ID, and of two nested stacks that declare one
    /// condition the first by logical ID gives it, in whatever order the template lists
    /// them.
    #[test]
    fn resources_are_read_by_logical_id() {
        let document = |path: Option<&str>, template: Json| Document {
            path: path.map(String::from),
            template,
            bytes: 1,
        };
        let nested = |value: &str| json!({"Conditions": {"Shared": {"Fn::Equals": [value, "x"]}}, "Resources": {}});
        let stack = |url: &str| json!({"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}});
        let root = json!({"Resources": {
            "Zeta": {"Type": "AWS::X"},
            "B": stack("b.yaml"),
            "A": stack("a.yaml"),
            "Alpha": {"Type": "AWS::X"},
        }});
        let stack = Stack::join(vec![
            document(None, root),
            document(Some("b.yaml"), nested("b")),
            document(Some("a.yaml"), nested("a")),
        ]);
        let ids: Vec<&str> = stack.of_type("AWS::X").map(|(id, _)| id).collect();
        assert_eq!(ids, ["Alpha", "Zeta"]);
        assert_eq!(
            stack.template["Conditions"]["Shared"],
            json!({"Fn::Equals": ["a", "x"]})
        );
    }

    #[test]
    fn layouts_cover_each_compared_value_and_another() {
        let template = json!({
            "Parameters": {
                "VpcId": {"Type": "String", "Default": ""},
                "AssignPublicIp": {"Type": "String", "AllowedValues": ["DISABLED", "ENABLED"]},
            },
            "Conditions": {
                "CreateVpc": {"Fn::Equals": [{"Ref": "VpcId"}, ""]},
                "Public": {"Fn::Or": [{"Condition": "CreateVpc"}, {"Fn::Equals": [{"Ref": "AssignPublicIp"}, "ENABLED"]}]},
            },
        });
        let layouts = layouts(&template);
        assert_eq!(layouts.len(), 4);
        let public: Vec<(String, bool)> = layouts
            .iter()
            .map(|l| (l.describe(), l.conditions["Public"]))
            .collect();
        assert!(public.contains(&("AssignPublicIp=\"DISABLED\", VpcId=\"\"".to_string(), true)));
        assert!(public.contains(&("AssignPublicIp=\"DISABLED\"".to_string(), false)));
        let value = json!({"Fn::If": ["CreateVpc", {"Ref": "AWS::NoValue"}, [{"Fn::Select": [1, [{"Ref": "A"}, {"Ref": "B"}]]}]]});
        let existing = layouts.iter().find(|l| !l.conditions["CreateVpc"]).unwrap();
        assert_eq!(existing.eval(&value, true), json!([{"Ref": "B"}]));
        let created = layouts.iter().find(|l| l.conditions["CreateVpc"]).unwrap();
        assert_eq!(created.eval(&value, true), Json::Null);
    }
}
