//! A document as block YAML, written into a `String` as its events come (a [`Sink`]: from
//! the template itself, or from a [`Tree`]): two-space indentation, sequences under a key
//! at the key's own indentation, `{}`/`[]` for empty collections.
//! A string is written plain only when every reader reads it back as the same string: a
//! YAML 1.1 reader (CloudFormation, PyYAML) and a YAML 1.2 one alike; otherwise it is
//! double-quoted, with escapes for what is not printable. The rules lean to quoting: a
//! string quoted without need is still the same string.

use std::fmt::Write;

use super::Tree;
use super::model::{Sink, replay};
use crate::ir::Template;

/// The document as YAML text, ending in a newline.
#[must_use]
pub(super) fn to_string(tree: &Tree) -> String {
    let mut yaml = Yaml::default();
    replay(tree, &mut yaml);
    yaml.finish()
}

/// Writes YAML as a document's events come ([`Sink`]).
#[derive(Debug, Default)]
pub struct Yaml {
    out: String,
    /// The collections open, innermost last.
    open: Vec<Frame>,
}

/// A collection being written.
#[derive(Debug, Clone, Copy)]
enum Frame {
    /// Entries at `width`; the first's indentation is already written when `inline` (a
    /// mapping that starts on a sequence item's line) and it has not come yet.
    Map { width: usize, inline: bool },
    /// Items (`- item`) at `width`, likewise.
    Seq { width: usize, inline: bool },
    /// An empty collection, already written (`{}`, `[]`).
    Empty,
}

/// Where a value goes.
enum At {
    /// The whole document.
    Top,
    /// After `key:` in a mapping at `width`.
    Entry(usize),
    /// After `- ` in a sequence at `width`.
    Item(usize),
}

impl Yaml {
    /// A writer with room for `template` with `resources` resources (its own, or a nested
    /// stack's), parameters and outputs (some 900 bytes each in a generated project), so
    /// that the text is not copied again and again as it grows; the room costs nothing
    /// until it is written.
    #[must_use]
    pub fn for_template(template: &Template, resources: usize) -> Yaml {
        let entries = resources + template.parameters.len() + template.outputs.len();
        Yaml {
            out: String::with_capacity(4096 + entries * 1024),
            open: Vec::new(),
        }
    }

    /// The text written, ending in a newline.
    #[must_use]
    pub fn finish(self) -> String {
        self.out
    }

    /// Where the value that begins now goes; writes a sequence item's dash.
    fn at(&mut self) -> At {
        match self.open.last_mut() {
            Some(Frame::Map { width, .. }) => At::Entry(*width),
            Some(Frame::Seq { width, inline }) => {
                let width = *width;
                if !std::mem::take(inline) {
                    indent(&mut self.out, width);
                }
                self.out.push_str("- ");
                At::Item(width)
            }
            Some(Frame::Empty) | None => At::Top,
        }
    }

    fn scalar(&mut self, write: impl FnOnce(&mut String)) {
        if let At::Entry(_) = self.at() {
            self.out.push(' ');
        }
        write(&mut self.out);
        self.out.push('\n');
    }

    /// A collection begins: written inline when `is_empty` (`{}`, `[]`), else opened with
    /// `frame` at its width: `under_key` deeper than a key it follows, two deeper than a
    /// dash it follows (and its first line started there).
    fn begin(
        &mut self,
        empty: &'static str,
        is_empty: bool,
        under_key: usize,
        frame: fn(usize, bool) -> Frame,
    ) {
        let at = self.at();
        if is_empty {
            if let At::Entry(_) = at {
                self.out.push(' ');
            }
            self.out.push_str(empty);
            self.out.push('\n');
            self.open.push(Frame::Empty);
            return;
        }
        let frame = match at {
            At::Top => frame(0, false),
            At::Entry(width) => {
                self.out.push('\n');
                frame(width + under_key, false)
            }
            At::Item(width) => frame(width + 2, true),
        };
        self.open.push(frame);
    }
}

impl Sink for Yaml {
    fn null(&mut self) {
        self.scalar(|out| out.push_str("null"));
    }

    fn bool(&mut self, b: bool) {
        self.scalar(|out| out.push_str(if b { "true" } else { "false" }));
    }

    fn num(&mut self, n: &serde_json::Number) {
        self.scalar(|out| {
            let _ = write!(out, "{n}");
        });
    }

    fn str(&mut self, s: &str) {
        self.scalar(|out| string(out, s, Role::Value));
    }

    fn begin_map(&mut self, empty: bool) {
        // A mapping under a key is indented; a sequence is not.
        self.begin("{}", empty, 2, |width, inline| Frame::Map { width, inline });
    }

    fn key(&mut self, k: &str) {
        if let Some(Frame::Map { width, inline }) = self.open.last_mut() {
            let width = *width;
            if !std::mem::take(inline) {
                indent(&mut self.out, width);
            }
            string(&mut self.out, k, Role::Key);
            self.out.push(':');
        }
    }

    fn end_map(&mut self) {
        self.open.pop();
    }

    fn begin_seq(&mut self, empty: bool) {
        self.begin("[]", empty, 0, |width, inline| Frame::Seq { width, inline });
    }

    fn end_seq(&mut self) {
        self.open.pop();
    }
}

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
#[cold]
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

/// `s` double-quoted, with YAML's escapes: the runs between the characters to escape
/// are copied whole.
#[cold]
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    // Printable ASCII but `"` and `\` is copied as it is; anything else is looked at.
    while let Some(at) = rest
        .bytes()
        .position(|b| !matches!(b, b' '..=b'~') || b == b'"' || b == b'\\')
    {
        out.push_str(&rest[..at]);
        let Some(c) = rest[at..].chars().next() else {
            break;
        };
        escaped(out, c);
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
    out.push('"');
}

/// One character of a double-quoted string, escaped when YAML wants it.
fn escaped(out: &mut String, c: char) {
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
    fn every_ascii_byte_anywhere_in_a_word_agrees_with_the_rules() {
        for at in 0..19 {
            for byte in 0..0x80u8 {
                let mut word = b"Abcdefghijklmnopqrs".to_vec();
                word[at] = byte;
                let Ok(s) = String::from_utf8(word) else {
                    continue;
                };
                for role in [Role::Key, Role::Value] {
                    let by_rules = is_plain_by_rules(&s, role);
                    match is_plain_word(&s, role) {
                        Some(plain) => assert_eq!(plain, by_rules, "{s:?}"),
                        None => assert!(
                            !(byte.is_ascii_alphanumeric() || b"-_./".contains(&byte)) || at == 0,
                            "{s:?} should take the shortcut"
                        ),
                    }
                }
            }
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
