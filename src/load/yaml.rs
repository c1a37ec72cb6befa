//! YAML text → [`Node`] tree, on `saphyr-parser` events: byte spans on keys and values,
//! anchors and aliases (with an expansion budget against alias bombs), `<<` merge keys
//! (explicit keys win, earlier sources win), duplicate-key errors naming both keys, tags
//! kept, and scalars typed as the YAML 1.2 core schema (plus legacy octal) that Compose
//! uses.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan};

use super::tree::{Entry, Node, Value};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// Deepest nesting accepted; Compose files nest a handful of levels.
const MAX_DEPTH: usize = 128;
/// Nodes that alias expansion may copy in one file, against "billion laughs" documents.
const ALIAS_BUDGET: usize = 250_000;

/// Parses one YAML document. Returns `None` for an empty document or after a syntax error
/// (reported in `diags`).
///
/// Like the Go YAML library Docker Compose uses, it accepts a flow collection whose closing
/// bracket sits at its key's indentation (`command: [` ... `]` in the key's column), which a
/// strict YAML 1.2 scanner rejects: such a line is indented in a copy of the text, and spans
/// are mapped back to the original.
pub fn parse(text: &str, file: FileId, diags: &mut Diagnostics) -> Option<Node> {
    let mut patched = std::borrow::Cow::Borrowed(text);
    let mut shifts: Vec<(usize, usize)> = Vec::new();
    loop {
        let mut attempt = Diagnostics::new();
        match parse_once(&patched, file, &shifts, &mut attempt) {
            Ok(root) => {
                diags.extend(attempt);
                return root;
            }
            Err(error) => {
                let builder = Builder::new(&patched, file, &shifts);
                let at = builder.byte_in_text(error.marker().index());
                let budget_left = (shifts.len() + 2) * patched.len() <= REPARSE_BUDGET;
                match (shifts.len() < MAX_BRACKET_FIXES && budget_left)
                    .then(|| indent_closing_bracket(&patched, at))
                    .flatten()
                {
                    Some((position, spaces)) => {
                        let mut text = patched.into_owned();
                        text.insert_str(position, &" ".repeat(spaces));
                        shifts.push((position, spaces));
                        patched = std::borrow::Cow::Owned(text);
                    }
                    None => {
                        diags.extend(attempt);
                        diags.push(builder.scan_error(&error));
                        return None;
                    }
                }
            }
        }
    }
}

/// How many closing brackets one file may have re-indented.
const MAX_BRACKET_FIXES: usize = 256;

/// Bytes the re-indenting may parse in all (each fix parses the file again): without it a
/// large file full of such brackets would be parsed 256 times (found by the fuzzer).
const REPARSE_BUDGET: usize = 64 * 1024 * 1024;

/// When the line at byte `at` holds only closing brackets (`]`, `}`, `,`) and the scanner
/// stopped there, the insertion that indents it one column past the line that opened the
/// collection: (byte position, spaces).
fn indent_closing_bracket(text: &str, at: usize) -> Option<(usize, usize)> {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let content = line.trim_start_matches(' ');
    let indent = line.len() - content.len();
    let closing_only = content.trim_end().split('#').next().is_some_and(|c| {
        let c = c.trim_end();
        !c.is_empty() && c.chars().all(|ch| matches!(ch, ']' | '}' | ',' | ' '))
    });
    if !closing_only || line_start + indent != at {
        return None;
    }
    // The opener: the nearest line above, indented no deeper, that opens a flow collection.
    let opener_indent = text[..line_start]
        .lines()
        .rev()
        .map(|l| (l.len() - l.trim_start_matches(' ').len(), l))
        .find(|(i, l)| *i <= indent && (l.contains('[') || l.contains('{')))
        .map(|(i, _)| i)?;
    Some((line_start, opener_indent + 1 - indent.min(opener_indent)))
}

fn parse_once(
    text: &str,
    file: FileId,
    shifts: &[(usize, usize)],
    diags: &mut Diagnostics,
) -> Result<Option<Node>, ScanError> {
    let mut builder = Builder::new(text, file, shifts);
    let mut parser = Parser::new_from_str(text).keep_tags(true);
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next?;
        if let Event::DocumentStart(_) = event {
            documents += 1;
            if documents > 1 {
                let at = builder.span(span);
                diags.push(
                    Diagnostic::new(Code::YamlSyntax, "a Compose file holds one YAML document")
                        .at_labelled(at, "a second document starts here")
                        .with_help(
                            "split the documents into separate files and pass each with `-f`",
                        ),
                );
                break;
            }
        }
        if let Err(diagnostic) = builder.event(event, span) {
            diags.push(*diagnostic);
            return Ok(None);
        }
    }
    diags.extend(std::mem::take(&mut builder.diags));
    Ok(builder.root)
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: YSpan,
        anchor: usize,
        tag: Option<String>,
    },
    Map(MapFrame),
}

struct MapFrame {
    items: Vec<MapItem>,
    /// The explicit keys and their spans, once the mapping is large enough that a linear
    /// search for duplicates would make a large file quadratic.
    index: Option<foldhash::HashMap<String, Span>>,
    key: Option<(String, Span, bool)>,
    start: YSpan,
    anchor: usize,
    tag: Option<String>,
}

impl MapFrame {
    /// Past this many entries, duplicates are found through [`MapFrame::index`].
    const INDEX_FROM: usize = 16;

    /// The span of an earlier explicit `key`; records this one otherwise.
    fn duplicate(&mut self, key: &str, span: Span) -> Option<Span> {
        if self.index.is_none() && self.items.len() >= Self::INDEX_FROM {
            let explicit = self.items.iter().filter_map(|item| match item {
                MapItem::Explicit(e) => Some((e.key.clone(), e.key_span)),
                MapItem::Merge(_) => None,
            });
            self.index = Some(explicit.collect());
        }
        match &mut self.index {
            Some(index) => match index.get(key) {
                Some(first) => Some(*first),
                None => {
                    index.insert(key.to_string(), span);
                    None
                }
            },
            None => self.items.iter().find_map(|item| match item {
                MapItem::Explicit(e) if e.key == key => Some(e.key_span),
                _ => None,
            }),
        }
    }
}

enum MapItem {
    Explicit(Entry),
    Merge(Vec<Entry>),
}

struct Builder<'a> {
    text: &'a str,
    /// Spaces inserted into `text` (position, count), to map offsets back to the original.
    shifts: &'a [(usize, usize)],
    file: FileId,
    /// Byte offset of each character index, when the text is not ASCII.
    char_bytes: Option<Vec<usize>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
    root: Option<Node>,
    diags: Diagnostics,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, file: FileId, shifts: &'a [(usize, usize)]) -> Self {
        let char_bytes = (!text.is_ascii()).then(|| {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        });
        Self {
            text,
            shifts,
            file,
            char_bytes,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_budget: ALIAS_BUDGET,
            root: None,
            diags: Diagnostics::new(),
        }
    }

    /// Byte offset in `text` of a character index.
    fn byte_in_text(&self, char_index: usize) -> usize {
        match &self.char_bytes {
            None => char_index.min(self.text.len()),
            Some(table) => table.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    /// Byte offset in the original text of a character index of `text`.
    fn byte(&self, char_index: usize) -> usize {
        self.original(self.byte_in_text(char_index))
    }

    /// Byte offset in the original text of a byte offset in `text`.
    fn original(&self, mut at: usize) -> usize {
        for &(position, count) in self.shifts.iter().rev() {
            if at >= position + count {
                at -= count;
            } else if at > position {
                at = position;
            }
        }
        at
    }

    fn span(&self, span: YSpan) -> Span {
        Span::new(
            self.file,
            self.byte(span.start.index()),
            self.byte(span.end.index()),
        )
    }

    /// The span of a scalar. The parser ends a quoted scalar's span at the next token, past
    /// trailing blanks and comments; it ends at the closing quote here.
    fn scalar_span(&self, span: YSpan, style: ScalarStyle) -> Span {
        let start = self.byte_in_text(span.start.index());
        let end = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => closing_quote(
                self.text.as_bytes(),
                start,
                style == ScalarStyle::DoubleQuoted,
            ),
            _ => None,
        };
        match end {
            Some(end) => Span::new(self.file, self.original(start), self.original(end)),
            None => self.span(span),
        }
    }

    fn scan_error(&self, error: &ScanError) -> Diagnostic {
        let in_text = self.byte_in_text(error.marker().index());
        let width = self.text[in_text..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        let start = self.byte(error.marker().index());
        let end = start + width;
        Diagnostic::new(Code::YamlSyntax, format!("invalid YAML: {}", error.info()))
            .at(Span::new(self.file, start, end))
            .with_help("check the indentation and quoting around this position")
    }

    fn limit(&self, span: YSpan, message: &str) -> Box<Diagnostic> {
        Box::new(Diagnostic::new(Code::YamlLimit, message.to_string()).at(self.span(span)))
    }

    fn event(&mut self, event: Event<'_>, span: YSpan) -> Result<(), Box<Diagnostic>> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let value = resolve(&text, style, tag.as_deref());
                let node = Node {
                    value,
                    span: self.scalar_span(span, style),
                    tag,
                };
                let plain = style == ScalarStyle::Plain;
                self.complete(node, anchor, plain);
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    return Err(Box::new(
                        Diagnostic::new(Code::YamlSyntax, "alias to an unknown anchor")
                            .at(self.span(span)),
                    ));
                };
                if size > self.alias_budget {
                    return Err(self.limit(span, "aliases expand to too many nodes"));
                }
                self.alias_budget -= size;
                self.complete(node, 0, false);
            }
            Event::SequenceStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.limit(span, "the document nests too deeply"));
                }
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span,
                    anchor,
                    tag,
                });
            }
            Event::MappingStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.limit(span, "the document nests too deeply"));
                }
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                self.stack.push(Frame::Map(MapFrame {
                    items: Vec::new(),
                    index: None,
                    key: None,
                    start: span,
                    anchor,
                    tag,
                }));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    start,
                    anchor,
                    tag,
                }) = self.stack.pop()
                {
                    let span = self.span(YSpan::new(start.start, span.end.max_by_index(start.end)));
                    self.complete(
                        Node {
                            value: Value::Seq(items),
                            span,
                            tag,
                        },
                        anchor,
                        false,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(frame)) = self.stack.pop() {
                    let span = self.span(YSpan::new(
                        frame.start.start,
                        span.end.max_by_index(frame.start.end),
                    ));
                    let entries = merge_items(frame.items);
                    let node = Node {
                        value: Value::Map(entries),
                        span,
                        tag: frame.tag,
                    };
                    self.complete(node, frame.anchor, false);
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
        }
        Ok(())
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn complete(&mut self, node: Node, anchor: usize, plain: bool) {
        if anchor != 0 {
            let size = count(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map(frame)) => match frame.key.take() {
                None => {
                    let text = node.scalar_text().unwrap_or_default();
                    if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
                        self.diags.push(
                            Diagnostic::new(Code::YamlSyntax, "a mapping key must be a scalar")
                                .at(node.span),
                        );
                    }
                    frame.key = Some((text, node.span, plain));
                }
                Some((key, key_span, key_plain)) => {
                    if key == "<<" && key_plain {
                        let sources = match node.value {
                            Value::Map(entries) => vec![entries],
                            Value::Seq(items) => items
                                .into_iter()
                                .filter_map(|n| match n.value {
                                    Value::Map(entries) => Some(entries),
                                    _ => {
                                        self.diags.push(merge_error(key_span, &n));
                                        None
                                    }
                                })
                                .collect(),
                            _ => {
                                self.diags.push(merge_error(key_span, &node));
                                Vec::new()
                            }
                        };
                        frame.items.extend(sources.into_iter().map(MapItem::Merge));
                        return;
                    }
                    let duplicate = frame.duplicate(&key, key_span);
                    if let Some(first) = duplicate {
                        self.diags.push(
                            Diagnostic::new(Code::DuplicateKey, format!("duplicate key `{key}`"))
                                .at_labelled(key_span, "defined again here")
                                .with_label(first, "first defined here")
                                .with_help("remove one of the two; YAML does not allow both"),
                        );
                        return;
                    }
                    frame.items.push(MapItem::Explicit(Entry {
                        key,
                        key_span,
                        value: node,
                    }));
                }
            },
        }
    }
}

/// `<<` at `key` meets `value`, which is not a mapping (an alias shows where it was
/// anchored).
fn merge_error(key: Span, value: &Node) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidMergeKey,
        format!("`<<` merges only mappings, not {}", value.type_name()),
    )
    .at(key)
    .with_label(value.span, format!("{}, not a mapping", value.type_name()))
    .with_help("use `<<: *anchor` or `<<: [*a, *b]` where each anchor names a mapping")
}

/// Applies merge keys: explicit keys win over merged ones, earlier merge sources win over
/// later ones, and merged keys take the place of the `<<` key.
fn merge_items(items: Vec<MapItem>) -> Vec<Entry> {
    if !items.iter().any(|i| matches!(i, MapItem::Merge(_))) {
        return items
            .into_iter()
            .filter_map(|i| match i {
                MapItem::Explicit(e) => Some(e),
                MapItem::Merge(_) => None,
            })
            .collect();
    }
    let explicit: std::collections::HashSet<String> = items
        .iter()
        .filter_map(|i| match i {
            MapItem::Explicit(e) => Some(e.key.clone()),
            MapItem::Merge(_) => None,
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for item in items {
        match item {
            MapItem::Explicit(e) => out.push(e),
            MapItem::Merge(entries) => {
                for e in entries {
                    if !explicit.contains(&e.key) && seen.insert(e.key.clone()) {
                        out.push(e);
                    }
                }
            }
        }
    }
    out
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|e| 1 + count(&e.value)).sum(),
        _ => 0,
    }
}

trait MaxByIndex {
    fn max_by_index(self, other: Self) -> Self;
}

/// The byte after the quote that closes the quoted scalar opening at `start`; `None` when
/// `start` is not a quote (a tag or anchor comes first) or the quote is not closed.
fn closing_quote(bytes: &[u8], start: usize, double: bool) -> Option<usize> {
    let quote = if double { b'"' } else { b'\'' };
    if bytes.get(start) != Some(&quote) {
        return None;
    }
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if double => i += 2,
            b'\'' if !double && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            _ if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

impl MaxByIndex for saphyr_parser::Marker {
    fn max_by_index(self, other: Self) -> Self {
        if self.index() >= other.index() {
            self
        } else {
            other
        }
    }
}

/// Types a scalar: quoted scalars and `!!str` are strings; plain scalars follow the YAML
/// 1.2 core schema as Compose's loader reads it (`0755` is octal, as in yaml.v3).
fn resolve(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("tag:yaml.org,2002:str" | "!!str") => return Value::String(text.to_string()),
        Some("tag:yaml.org,2002:null" | "!!null") => return Value::Null,
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::String(text.to_string()),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if looks_like_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::String(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i64::from_str_radix(body, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn looks_like_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = mantissa.replacen('.', "", 1);
    let mantissa_ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && mantissa.matches('.').count() <= 1;
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn load(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let id = map.add("t.yaml", None, text.to_string());
        let mut diags = Diagnostics::new();
        let node = parse(text, id, &mut diags);
        (node, diags.into_sorted())
    }

    #[test]
    fn scalars_are_typed_like_compose() {
        let (node, diags) = load("a: 1\nb: '1'\nc: yes\nd: 0755\ne: 1.5\nf: ~\ng: true\nh: 1e3\n");
        assert!(diags.is_empty());
        let json = node.unwrap().to_json();
        assert_eq!(
            json,
            serde_json::json!({"a": 1, "b": "1", "c": "yes", "d": 493, "e": 1.5, "f": null, "g": true, "h": 1000.0})
        );
    }

    #[test]
    fn spans_are_bytes_even_after_non_ascii_text() {
        let text = "é: x\nkey: value\n";
        let (node, _) = load(text);
        let node = node.unwrap();
        let entry = node.entry("key").unwrap();
        assert_eq!(
            &text[entry.key_span.start as usize..entry.key_span.end as usize],
            "key"
        );
        let v = entry.value.span;
        assert_eq!(&text[v.start as usize..v.end as usize], "value");
    }

    #[test]
    fn merge_keys_let_explicit_keys_win() {
        let text = "x: &d {a: 1, b: 2}\ny: &e {b: 3, c: 4}\nz:\n  <<: [*d, *e]\n  a: 9\n";
        let (node, diags) = load(text);
        assert!(diags.is_empty());
        let z = node.unwrap().get("z").unwrap().to_json();
        assert_eq!(z, serde_json::json!({"a": 9, "b": 2, "c": 4}));
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_spans() {
        let (_, diags) = load("a: 1\na: 2\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::DuplicateKey);
        assert_eq!(diags[0].secondary.len(), 1);
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let (_, diags) = load(&text);
        assert!(diags.iter().any(|d| d.code == Code::YamlLimit));
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let text = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let (_, diags) = load(&text);
        assert!(diags.iter().any(|d| d.code == Code::YamlLimit));
        // Unclosed and far deeper: still a diagnostic, not a stack overflow.
        let (_, diags) = load(&"[".repeat(100_000));
        assert!(diags.iter().any(Diagnostic::is_error));
    }

    #[test]
    fn closing_brackets_at_the_key_indentation_are_accepted_like_compose() {
        let text = "services:\n  a:\n    command: [\n      \"x\",\n    ]\n    image: \"busybox\"\n  b:\n    test: {\n      k: v\n    }\n";
        let (node, diags) = load(text);
        assert!(diags.is_empty(), "{diags:?}");
        let node = node.unwrap();
        let image = node
            .get("services")
            .unwrap()
            .get("a")
            .unwrap()
            .get("image")
            .unwrap();
        assert_eq!(
            &text[image.span.start as usize..image.span.end as usize],
            "\"busybox\""
        );
        assert_eq!(
            node.get("services").unwrap().get("b").unwrap().to_json(),
            serde_json::json!({"test": {"k": "v"}})
        );
    }

    #[test]
    fn other_indentation_errors_stay_errors() {
        let (_, diags) = load("a:\n  b: 1\n c: 2\n");
        assert!(diags.iter().any(|d| d.code == Code::YamlSyntax));
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let text = "a: \"x\\\"y\"   # c\nb: 'it''s'  # d\nc: plain   # e\n";
        let (node, _) = load(text);
        let node = node.unwrap();
        let slice = |key: &str| {
            let span = node.get(key).unwrap().span;
            &text[span.start as usize..span.end as usize]
        };
        assert_eq!(slice("a"), "\"x\\\"y\"");
        assert_eq!(slice("b"), "'it''s'");
        assert_eq!(slice("c"), "plain");
    }

    #[test]
    fn tags_are_kept() {
        let (node, _) = load("command: !reset []\n");
        assert_eq!(
            node.unwrap().get("command").unwrap().tag.as_deref(),
            Some("!reset")
        );
    }
}
