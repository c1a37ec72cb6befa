//! [`Map`]: the mappings of template values, kept sorted by key in one vector. A template
//! holds thousands of them with two to six keys each; a `BTreeMap` node has room for
//! eleven, so each small mapping took a 600-byte allocation (half of a run's memory).

use super::{Text, Value};

/// A mapping of template values, ordered by key; inserting a key that is there replaces
/// its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Map {
    entries: Vec<(Text, Value)>,
}

impl Map {
    #[must_use]
    pub const fn new() -> Self {
        Map {
            entries: Vec::new(),
        }
    }

    /// An empty mapping with room for `capacity` keys.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Map {
            entries: Vec::with_capacity(capacity),
        }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: impl Into<Text>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.find(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|at| &self.entries[at].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.find(key).ok().map(|at| &mut self.entries[at].1)
    }

    /// The value under `key`, inserted by `make` when there is none.
    pub fn get_or_insert_with(
        &mut self,
        key: impl Into<Text>,
        make: impl FnOnce() -> Value,
    ) -> &mut Value {
        let key = key.into();
        let at = match self.find(&key) {
            Ok(at) => at,
            Err(at) => {
                self.entries.insert(at, (key, make()));
                at
            }
        };
        &mut self.entries[at].1
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.find(key).ok().map(|at| self.entries.remove(at).1)
    }

    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, by key.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Text, &Value)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&Text, &mut Value)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Text> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Keeps the entries `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&Text, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

/// Later entries win over earlier ones with the same key, as they would inserted in turn.
impl<K: Into<Text>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(items: I) -> Self {
        let mut entries: Vec<(Text, Value)> =
            items.into_iter().map(|(k, v)| (k.into(), v)).collect();
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: among equal keys the last inserted is last, and is the one kept.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut deduped: Vec<(Text, Value)> = Vec::with_capacity(entries.len());
            for entry in entries {
                match deduped.last_mut() {
                    Some(last) if last.0 == entry.0 => *last = entry,
                    _ => deduped.push(entry),
                }
            }
            entries = deduped;
        }
        Map { entries }
    }
}

impl<K: Into<Text>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl IntoIterator for Map {
    type Item = (Text, Value);
    type IntoIter = std::vec::IntoIter<(Text, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Text, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Text, Value)>,
        fn(&'a (Text, Value)) -> (&'a Text, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_sorted_and_unique() {
        let mut map = Map::new();
        for key in ["b", "a", "c", "a"] {
            map.insert(key, Value::str(key));
        }
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(map.insert("b", Value::Int(2)), Some(Value::str("b")));
        assert_eq!(map.get("b"), Some(&Value::Int(2)));
        assert_eq!(map.remove("a"), Some(Value::str("a")));
        assert!(!map.contains_key("a"));
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn collecting_keeps_the_last_of_equal_keys() {
        let map: Map = [
            ("b", Value::Int(1)),
            ("a", Value::Int(2)),
            ("b", Value::Int(3)),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            [
                (Text::from("a"), Value::Int(2)),
                (Text::from("b"), Value::Int(3))
            ]
        );
    }
}
