//! A [`Tree`] as block YAML, written straight into a `String`: two-space indentation,
//! sequences under a key at the key's own indentation, `{}`/`[]` for empty collections.
//! A string is written plain only when every reader reads it back as the same string: a
//! YAML 1.1 reader (CloudFormation, PyYAML) and a YAML 1.2 one alike; otherwise it is
//! double-quoted, with escapes for what is not printable. The rules lean to quoting: a
//! string quoted without need is still the same string.

use std::fmt::Write;

use std::borrow::Cow;

use super::Tree;
use crate::par;

/// The document as YAML text, ending in a newline.
#[must_use]
pub(super) fn to_string(tree: &Tree<'_>) -> String {
    let mut out = String::with_capacity(4096);
    match tree {
        Tree::Map(entries) if !entries.is_empty() => map(&mut out, entries, 0),
        Tree::Seq(items) if !items.is_empty() => seq(&mut out, items, 0),
        scalar => {
            inline(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

/// Entries of a mapping a thread writes at the least (a resource takes some 4 µs cold).
const ENTRIES_PER_THREAD: usize = 32;

/// Whether a string is written as a mapping key or as a value: keys are quoted when they
/// hold a `:` at all (`"Fn::Sub":`), as CloudFormation's own examples write them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Key,
    Value,
}

fn indent(out: &mut String, mut width: usize) {
    const SPACES: &str = "                                                                ";
    while width > SPACES.len() {
        out.push_str(SPACES);
        width -= SPACES.len();
    }
    out.push_str(&SPACES[..width]);
}

/// Entries of a mapping at `width`; the first line's indentation is already written
/// when `first_done` (a mapping that starts on a sequence item's line).
fn map_entries(
    out: &mut String,
    entries: &[(Cow<'_, str>, Tree<'_>)],
    width: usize,
    first_done: bool,
) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 || !first_done {
            indent(out, width);
        }
        string(out, key, Role::Key);
        out.push(':');
        match value {
            Tree::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                map(out, inner, width + 2);
            }
            Tree::Seq(items) if !items.is_empty() => {
                out.push('\n');
                seq(out, items, width);
            }
            scalar => {
                out.push(' ');
                inline(out, scalar);
                out.push('\n');
            }
        }
    }
}

/// A mapping's entries at `width`. A large one (the resources of a large template) is
/// written in parts, on every core, each at the same indentation, and joined.
fn map(out: &mut String, entries: &[(Cow<'_, str>, Tree<'_>)], width: usize) {
    if entries.len() < 2 * ENTRIES_PER_THREAD {
        map_entries(out, entries, width, false);
        return;
    }
    let parts = par::chunks(entries, ENTRIES_PER_THREAD, |part| {
        let mut text = String::new();
        map_entries(&mut text, part, width, false);
        text
    });
    out.reserve(parts.iter().map(String::len).sum());
    parts.iter().for_each(|part| out.push_str(part));
}

/// Items of a sequence at `width`: `- item`, a mapping's first entry on the dash's line,
/// a nested sequence's first item too (`- - a`).
fn seq(out: &mut String, items: &[Tree<'_>], width: usize) {
    for item in items {
        seq_item(out, item, width, false);
    }
}

fn seq_item(out: &mut String, item: &Tree<'_>, width: usize, first_done: bool) {
    if !first_done {
        indent(out, width);
    }
    out.push_str("- ");
    match item {
        Tree::Map(entries) if !entries.is_empty() => map_entries(out, entries, width + 2, true),
        Tree::Seq(items) if !items.is_empty() => {
            for (i, inner) in items.iter().enumerate() {
                seq_item(out, inner, width + 2, i == 0);
            }
        }
        scalar => {
            inline(out, scalar);
            out.push('\n');
        }
    }
}

/// A scalar or an empty collection, on the current line.
fn inline(out: &mut String, tree: &Tree<'_>) {
    match tree {
        Tree::Null => out.push_str("null"),
        Tree::Bool(true) => out.push_str("true"),
        Tree::Bool(false) => out.push_str("false"),
        Tree::Num(n) => {
            let _ = write!(out, "{n}");
        }
        Tree::Str(s) => string(out, s, Role::Value),
        Tree::Seq(_) => out.push_str("[]"),
        Tree::Map(_) => out.push_str("{}"),
    }
}

fn string(out: &mut String, s: &str, role: Role) {
    if is_plain(s, role) {
        out.push_str(s);
    } else {
        quoted(out, s);
    }
}

/// Bytes that need no thought anywhere in a plain scalar after its first: letters,
/// digits and `-_./:` (a `:` matters only before a space, or at the end).
const ORDINARY: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric()
            || matches!(b as u8, b'-' | b'_' | b'.' | b'/' | b':');
        b += 1;
    }
    table
};

/// The common case of [`is_plain`], decided in one pass: a word that starts with a
/// letter and holds only [`ORDINARY`] bytes is plain unless YAML reads it as a null, a
/// boolean or a special float (a number or a timestamp starts otherwise). `None`: think
/// harder.
fn is_plain_word(s: &str, role: Role) -> Option<bool> {
    let bytes = s.as_bytes();
    let (&first, &last) = (bytes.first()?, bytes.last()?);
    if !first.is_ascii_alphabetic()
        || last == b':'
        || !bytes.iter().all(|&b| ORDINARY[usize::from(b)])
    {
        return None;
    }
    if role == Role::Key && bytes.contains(&b':') {
        return Some(false);
    }
    const WORDS: &[&str] = &[
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "inf", "nan",
    ];
    Some(s.len() > 5 || !WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)))
}

/// Whether `s` can be written as a plain scalar and read back as this very string.
fn is_plain(s: &str, role: Role) -> bool {
    is_plain_word(s, role).unwrap_or_else(|| is_plain_by_rules(s, role))
}

/// [`is_plain`] by every rule.
fn is_plain_by_rules(s: &str, role: Role) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if first == b' ' || last == b' ' || resolves_to_non_string(s) {
        return false;
    }
    let second = bytes.get(1).copied();
    match first {
        // Indicators that cannot start a plain scalar.
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' | b':' => return false,
        // `-` and `?` can, when a non-space follows (`-c`, `?x`).
        b'-' | b'?' if second.is_none_or(|b| b == b' ') => return false,
        _ => {}
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if last == b':' || (role == Role::Key && s.contains(':')) {
        return false;
    }
    let mut previous = 0u8;
    let mut ascii = true;
    for &b in bytes {
        match b {
            0x00..=0x1F | 0x7F => return false,
            // `: ` would start a mapping value, ` #` a comment.
            b' ' if previous == b':' => return false,
            b'#' if previous == b' ' => return false,
            0x80.. => ascii = false,
            _ => {}
        }
        previous = b;
    }
    ascii || !s.chars().any(needs_escape)
}

/// Characters that a plain scalar cannot hold and a double-quoted one escapes: control
/// characters (tab and line breaks among them), the byte-order mark, the Unicode line and
/// paragraph separators, and the two non-characters YAML readers refuse.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// Whether a YAML 1.1 or 1.2 reader types the plain scalar `s` as something other than a
/// string: null, a boolean (YAML 1.1's `yes`/`no`/`on`/`off`/`y`/`n` included), a number
/// in any base (YAML 1.1's sexagesimal `1:30` and `_` separators included), infinity or
/// NaN, a timestamp, the merge key `<<` or the value key `=`.
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "=", ".inf",
        "+.inf", "-.inf", ".nan", "inf", "+inf", "-inf", "nan",
    ];
    let could_be_word = matches!(
        s.as_bytes().first(),
        Some(b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'y' | b'Y' | b'o' | b'O')
            | Some(b'<' | b'=' | b'.' | b'+' | b'-' | b'i' | b'I')
    );
    if could_be_word && s.len() <= 6 && WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return true;
    }
    let bytes = s.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    // A timestamp starts with `YYYY-M`; be generous and quote anything that does.
    if digits == 4 && bytes.get(4) == Some(&b'-') && bytes.get(5).is_some_and(u8::is_ascii_digit) {
        return true;
    }
    // Numbers start with a digit, a sign or a dot followed by a digit; whatever then
    // holds only characters of some number's spelling (digits of any base, `.`, `_`, `:`
    // for sexagesimals, base prefixes, exponents and their signs) is taken for one.
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let start = unsigned.strip_prefix('.').unwrap_or(unsigned);
    let mut previous = b'0';
    start.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && unsigned.bytes().all(|b| {
            let sign_of_exponent = matches!(b, b'+' | b'-') && matches!(previous, b'e' | b'E');
            previous = b;
            sign_of_exponent
                || b.is_ascii_hexdigit()
                || matches!(b, b'.' | b'_' | b':' | b'x' | b'X' | b'o' | b'O')
        })
}

/// `s` double-quoted, with YAML's escapes.
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if needs_escape(c) && (c as u32) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> bool {
        is_plain(s, Role::Value)
    }

    #[test]
    fn the_shortcut_for_words_agrees_with_the_rules() {
        let parts = [
            "", "a", "N", "no", "NULL", "Off", "yes", "inf", "NaN", "e5", "x", ":", "::", "-", "_",
            ".", "/", "1", "0x1F", "Fn", "AWS", "Sub", "y", "true",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    let s = format!("{a}{b}{c}");
                    for role in [Role::Key, Role::Value] {
                        if let Some(plain) = is_plain_word(&s, role) {
                            assert_eq!(plain, is_plain_by_rules(&s, role), "{s:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn strings_a_reader_would_retype_are_quoted() {
        for s in [
            "",
            "~",
            "null",
            "NULL",
            "true",
            "False",
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "N",
            "<<",
            "=",
            ".inf",
            "-.Inf",
            ".NaN",
            "0",
            "-19",
            "+12",
            "0755",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "1e3",
            "12.34e-5",
            ".5",
            "1:30",
            "190:20:30.15",
            "2010-09-09",
            "2001-12-14t21:59:43.10-05:00",
            "1.0.3",
        ] {
            assert!(!plain(s), "{s:?} must be quoted");
        }
    }

    #[test]
    fn strings_that_would_not_parse_are_quoted() {
        for s in [
            " padded",
            "padded ",
            "- item",
            "-",
            "? key",
            "?",
            "#comment",
            "a #b",
            "key: value",
            "trailing:",
            "*star",
            "&amp",
            "!Ref Cluster",
            "|",
            ">",
            "'x",
            "\"x",
            "%x",
            "@x",
            "`x",
            ",x",
            "[x",
            "{x",
            "]",
            "}",
            ":x",
            "---",
            "--- x",
            "...",
            "line\nline",
            "tab\there",
            "bom\u{feff}",
            "nel\u{85}",
            "ls\u{2028}",
        ] {
            assert!(!plain(s), "{s:?} must be quoted");
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "busybox",
            "-c",
            "?x",
            "a:b",
            "Ref",
            "AWS::NoValue",
            "it's \"quoted\"",
            "café ☕",
            "arn:${AWS::Partition}:logs",
            "sh -c 'echo hi'",
            "a#b",
            "x, y",
            "x[y]",
            "1a2z",
            "v1.0",
            "200-399",
            "10.0.0.0/16",
            "ghcr.io/example/svc:1.0",
            "0.5 cpu",
            "nullable",
        ] {
            assert!(plain(s), "{s:?} can stay plain");
        }
        assert!(!is_plain("Fn::Sub", Role::Key));
        assert!(plain("Fn::Sub"));
    }

    /// Strings made of pieces that matter to YAML, written as a key and as a value (alone
    /// and in a sequence), read back by the project's YAML reader as the same strings.
    #[test]
    fn generated_strings_read_back_as_themselves() {
        const PIECES: &[&str] = &[
            "a", "Z", "0", "1", "9", "e", "x", "o", "b", ".", "_", ":", "-", "+", " ", "#", "?",
            ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "\\", "\n",
            "\t", "\r", "\u{0}", "\u{7f}", "\u{85}", "\u{a0}", "\u{2028}", "\u{feff}", "é", "☕",
            "~", "=", "<<", "yes", "No", "null", "true", ".inf", "---", "...", "2010-",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = next() % 6;
            let s: String = (0..len)
                .map(|_| PIECES[usize::try_from(next()).unwrap_or(0) % PIECES.len()])
                .collect();
            let tree = Tree::Map(vec![
                (s.clone().into(), Tree::Str(s.clone().into())),
                ("k".into(), Tree::Seq(vec![Tree::Str(s.clone().into())])),
            ]);
            let text = to_string(&tree);
            let mut diags = crate::diag::Diagnostics::new();
            let node =
                crate::load::yaml::parse(&text, crate::source::FileId::default(), &mut diags)
                    .unwrap_or_else(|| panic!("{s:?} as {text:?} did not parse"));
            let map = node.as_map().expect("a mapping");
            assert_eq!(map[0].key, s, "key {s:?} as {text:?}");
            assert_eq!(map[0].value.as_str(), Some(s.as_str()), "{s:?} as {text:?}");
            let item = map[1].value.as_seq().and_then(|items| items.first());
            assert_eq!(
                item.and_then(crate::load::Node::as_str),
                Some(s.as_str()),
                "{s:?} as {text:?}"
            );
        }
    }

    #[test]
    fn escapes() {
        let mut out = String::new();
        quoted(&mut out, "a\\b\"c\n\t\u{1}\u{7f}\u{feff}\u{2029}é");
        assert_eq!(out, r#""a\\b\"c\n\t\x01\x7F\uFEFF\Pé""#);
    }

    #[test]
    fn layout() {
        let s = |v: &str| Tree::Str(v.to_string().into());
        let tree = Tree::Map(vec![
            ("a".into(), s("x")),
            ("empty".into(), Tree::Map(vec![])),
            ("none".into(), Tree::Seq(vec![])),
            (
                "list".into(),
                Tree::Seq(vec![
                    s("one"),
                    Tree::Map(vec![
                        ("k".into(), s("v")),
                        ("l".into(), Tree::Seq(vec![s("z")])),
                    ]),
                    Tree::Seq(vec![s("p"), Tree::Seq(vec![s("q"), s("r")])]),
                ]),
            ),
            (
                "m".into(),
                Tree::Map(vec![("o".into(), Tree::Num(3.into()))]),
            ),
        ]);
        assert_eq!(
            to_string(&tree),
            "a: x\nempty: {}\nnone: []\nlist:\n- one\n- k: v\n  l:\n  - z\n- - p\n  - - q\n    - r\nm:\n  o: 3\n"
        );
    }
}
