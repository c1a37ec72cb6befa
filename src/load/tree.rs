//! The spanned YAML tree: every value and every mapping key keeps the byte span it came
//! from, and the Compose tags (`!reset`, `!override`) survive. Later steps read Compose
//! from this tree and look spans up by path.

use crate::source::Span;

/// A YAML node with its span and optional tag.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One mapping entry; keys are always text in Compose.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// One step of a path into the tree.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_string())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

impl Node {
    #[must_use]
    pub fn new(value: Value, span: Span) -> Self {
        Self {
            value,
            span,
            tag: None,
        }
    }

    #[must_use]
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The span of the key `key` of this mapping, else the empty span at the start of its
    /// file: where a diagnostic about a whole section (`services`) goes.
    #[must_use]
    pub fn key_span_or_start(&self, key: &str) -> Span {
        self.entry(key)
            .map_or(Span::new(self.span.file, 0, 0), |e| e.key_span)
    }

    /// The entry under `key`, when this node is a mapping that has it.
    #[must_use]
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// The value under `key`, when this node is a mapping that has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entries of the mapping under `key`, for editing, when there is one.
    pub fn map_mut(&mut self, key: &str) -> Option<&mut Vec<Entry>> {
        let Value::Map(entries) = &mut self.value else {
            return None;
        };
        match &mut entries.iter_mut().find(|e| e.key == key)?.value.value {
            Value::Map(inner) => Some(inner),
            _ => None,
        }
    }

    /// The node at `path` and, when the last step is a key, that key's span.
    #[must_use]
    pub fn lookup(&self, path: &[Seg]) -> Option<(Option<Span>, &Node)> {
        let mut node = self;
        let mut key_span = None;
        for seg in path {
            match (seg, &node.value) {
                (Seg::Key(k), Value::Map(entries)) => {
                    let entry = entries.iter().find(|e| &e.key == k)?;
                    key_span = Some(entry.key_span);
                    node = &entry.value;
                }
                (Seg::Index(i), Value::Seq(items)) => {
                    key_span = None;
                    node = items.get(*i)?;
                }
                _ => return None,
            }
        }
        Some((key_span, node))
    }

    /// A short name of the node's type, for messages.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The JSON value of this node: the instance the schema checks and the model reads.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(entries.iter().map(Entry::to_json).collect()),
        }
    }

    /// The JSON value of a document's root, as [`Node::to_json`], with a large `services`
    /// mapping converted on every core (1,000 services: 6.6 M instructions, 2% of a run,
    /// which nothing else ran beside).
    #[must_use]
    pub fn document_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        let Value::Map(entries) = &self.value else {
            return self.to_json();
        };
        let section = |entry: &Entry| match (&entry.value.value, entry.key.as_str()) {
            (Value::Map(services), "services") => J::Object(
                crate::par::chunks(services, crate::par::MIN_SERVICES, |chunk| {
                    chunk.iter().map(Entry::to_json).collect::<Vec<_>>()
                })
                .into_iter()
                .flatten()
                .collect(),
            ),
            _ => entry.value.to_json(),
        };
        J::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), section(e)))
                .collect(),
        )
    }

    /// The scalar as text, the way Compose reads a scalar where it wants a string.
    #[must_use]
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::String(s) => Some(s.clone()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

impl Entry {
    /// The key and the JSON value of this entry, for a JSON object.
    fn to_json(&self) -> (String, serde_json::Value) {
        (self.key.clone(), self.value.to_json())
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::Diagnostics;
    use crate::source::FileId;

    fn parsed(text: &str) -> super::Node {
        let mut diags = Diagnostics::new();
        let node = crate::load::yaml::parse(text, FileId::default(), &mut diags);
        assert!(diags.is_empty(), "{text}");
        node.unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn a_document_converted_on_every_core_is_the_document_converted_at_once() {
        let services: String = (0..300)
            .map(|i| format!("  svc{i:04}:\n    image: app:{i}\n    ports: [\"{i}:80\"]\n"))
            .collect();
        for text in [
            format!("name: big\nservices:\n{services}volumes: {{data: {{}}}}\n"),
            "services: {a: {image: x}}\nx-y: [1, 2.5, true, null]\n".to_string(),
            "services: []\n".to_string(),
            "just a scalar\n".to_string(),
        ] {
            let node = parsed(&text);
            assert_eq!(node.document_json(), node.to_json(), "{text}");
        }
    }
}
