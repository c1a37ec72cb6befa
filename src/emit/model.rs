//! The serde view of a template: top-level sections and resource attributes in
//! CloudFormation's customary order, properties sorted by key, intrinsics in long form.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::ir::{Intrinsic, Output, Parameter, Resource, Template, Value};

pub(super) struct Document<'a>(pub(super) &'a Template);

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("AWSTemplateFormatVersion", "2010-09-09")?;
        map.serialize_entry("Description", &t.description)?;
        if !t.parameters.is_empty() {
            map.serialize_entry("Parameters", &Parameters(t))?;
        }
        map.serialize_entry("Resources", &Resources(t))?;
        if !t.outputs.is_empty() {
            map.serialize_entry("Outputs", &Outputs(t))?;
        }
        map.end()
    }
}

struct Parameters<'a>(&'a Template);

impl Serialize for Parameters<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.parameters.len()))?;
        for (id, parameter) in &self.0.parameters {
            map.serialize_entry(id, &ParameterView(parameter))?;
        }
        map.end()
    }
}

struct ParameterView<'a>(&'a Parameter);

impl Serialize for ParameterView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("Type", "String")?;
        if self.0.no_echo {
            map.serialize_entry("NoEcho", &true)?;
        }
        map.serialize_entry("Description", &self.0.description)?;
        map.end()
    }
}

struct Resources<'a>(&'a Template);

impl Serialize for Resources<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.resources.len()))?;
        for (id, resource) in &self.0.resources {
            map.serialize_entry(id, &ResourceView(resource))?;
        }
        map.end()
    }
}

struct ResourceView<'a>(&'a Resource);

impl Serialize for ResourceView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("Type", r.kind)?;
        if !r.depends_on.is_empty() {
            map.serialize_entry("DependsOn", &r.depends_on)?;
        }
        if r.retain {
            map.serialize_entry("DeletionPolicy", "Retain")?;
            map.serialize_entry("UpdateReplacePolicy", "Retain")?;
        }
        map.serialize_entry("Properties", &ValueView(&r.properties))?;
        map.end()
    }
}

struct Outputs<'a>(&'a Template);

impl Serialize for Outputs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.outputs.len()))?;
        for (name, Output { description, value }) in &self.0.outputs {
            let view =
                crate::map! { "Description" => description.as_str(), "Value" => value.clone() };
            map.serialize_entry(name, &ValueView(&view))?;
        }
        map.end()
    }
}

struct ValueView<'a>(&'a Value);

impl Serialize for ValueView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Str(s) => serializer.serialize_str(s),
            Value::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&ValueView(item))?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, &ValueView(v))?;
                }
                map.end()
            }
            Value::Fn(intrinsic) => {
                let mut map = serializer.serialize_map(Some(1))?;
                match intrinsic.as_ref() {
                    Intrinsic::Ref(id) => map.serialize_entry("Ref", id)?,
                    Intrinsic::GetAtt(id, attribute) => {
                        map.serialize_entry("Fn::GetAtt", &[id, attribute])?
                    }
                    Intrinsic::Sub(text) => map.serialize_entry("Fn::Sub", text)?,
                    Intrinsic::Select(index, list) => {
                        map.serialize_entry("Fn::Select", &(index, ValueView(list)))?;
                    }
                    Intrinsic::GetAzs => map.serialize_entry("Fn::GetAZs", "")?,
                }
                map.end()
            }
        }
    }
}
