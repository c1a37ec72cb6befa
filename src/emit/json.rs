//! The length of a [`Tree`]'s JSON form (as [`super::value`] writes it: serde_json's
//! pretty printer, two-space indentation), counted without writing it: the quota checks
//! name the JSON size of a template that is written as YAML.

use super::Tree;

/// Bytes of `tree` as pretty JSON, final newline included.
#[must_use]
pub fn len(tree: &Tree) -> usize {
    value_len(tree, 0) + 1
}

fn value_len(tree: &Tree, depth: usize) -> usize {
    // `[` or `{`, then per item a newline and its indentation, a `,` between items, then a
    // newline, the closing indentation and `]` or `}`.
    let collection = |items: usize, content: usize| {
        if items == 0 {
            2
        } else {
            2 + items * (1 + 2 * (depth + 1)) + (items - 1) + 1 + 2 * depth + content
        }
    };
    match tree {
        Tree::Null => 4,
        Tree::Bool(b) => 4 + usize::from(!b),
        Tree::Num(n) => n.to_string().len(),
        Tree::Str(s) => string_len(s),
        Tree::Seq(items) => collection(
            items.len(),
            items.iter().map(|item| value_len(item, depth + 1)).sum(),
        ),
        Tree::Map(entries) => collection(
            entries.len(),
            entries
                .iter()
                .map(|(key, value)| string_len(key) + 2 + value_len(value, depth + 1))
                .sum(),
        ),
    }
}

/// A JSON string's length: quotes, two-character escapes for `"`, `\` and the common
/// control characters, `\u00XX` for the other control characters.
fn string_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0C => 2,
            0x00..=0x1F => 6,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_serde_json_writes() {
        let s = |v: &str| Tree::Str(v.to_string().into());
        let tree = Tree::Map(vec![
            ("a".into(), s("x\"y\\z\n\u{1}é")),
            ("empty".into(), Tree::Map(vec![])),
            ("none".into(), Tree::Seq(vec![])),
            (
                "flags".into(),
                Tree::Seq(vec![Tree::Bool(true), Tree::Bool(false), Tree::Null]),
            ),
            (
                "list".into(),
                Tree::Seq(vec![
                    Tree::Num((-42).into()),
                    Tree::Map(vec![(
                        "k".into(),
                        Tree::Seq(vec![s("z"), Tree::Seq(vec![])]),
                    )]),
                ]),
            ),
        ]);
        assert_eq!(
            len(&tree),
            super::super::value(&tree, super::super::Format::Json).len()
        );
    }
}
