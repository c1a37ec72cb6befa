//! The env-file format Compose reads for `.env` and `env_file`: `KEY=VALUE` lines,
//! optional `export`, `#` comments, single quotes literal, double quotes with escapes and
//! newlines, unquoted values trimmed with ` #` comments, interpolation of unquoted and
//! double-quoted values, and a bare `KEY` taking its value from the lookup. Pure.

use indexmap::IndexMap;

use super::interpolate::{self, interpolate};

/// A problem on one line of an env file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// Byte range in the file.
    pub at: std::ops::Range<usize>,
    pub message: String,
}

/// Parses an env file. `lookup` resolves variables the file does not define itself, and
/// bare `KEY` lines. Variables defined earlier in the file win over `lookup` for
/// interpolation, as in Compose.
pub fn parse<'e>(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<&'e str>,
) -> (IndexMap<String, String>, Vec<LineError>) {
    let mut vars: IndexMap<String, String> = IndexMap::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = &rest[..line_len];
        let consumed = match parse_line(text, offset, line_len, &vars, lookup) {
            Ok(Parsed::Skip) => line_len,
            Ok(Parsed::Var {
                key,
                value,
                consumed,
            }) => {
                if let Some(value) = value {
                    vars.insert(key, value);
                }
                consumed
            }
            Err(error) => {
                errors.push(error);
                line_len
            }
        };
        let _ = line;
        offset += consumed;
        rest = &text[offset.min(text.len())..];
    }
    (vars, errors)
}

enum Parsed {
    Skip,
    Var {
        key: String,
        value: Option<String>,
        consumed: usize,
    },
}

fn parse_line<'e>(
    text: &str,
    start: usize,
    line_len: usize,
    vars: &IndexMap<String, String>,
    lookup: &dyn Fn(&str) -> Option<&'e str>,
) -> Result<Parsed, LineError> {
    let line = text[start..start + line_len].trim_end_matches(['\n', '\r']);
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(Parsed::Skip);
    }
    let indent = line.len() - trimmed.len();
    let body = trimmed
        .strip_prefix("export ")
        .map_or(trimmed, str::trim_start);
    let key_end = body.find(['=', ' ', '\t']).unwrap_or(body.len());
    let key = &body[..key_end];
    let valid_key = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !valid_key {
        return Err(LineError {
            at: start + indent..start + line.len(),
            message: format!("`{}` is not a `KEY=VALUE` line", line.trim()),
        });
    }
    let after_key = body[key_end..].trim_start();
    let Some(raw) = after_key.strip_prefix('=') else {
        if after_key.is_empty() || after_key.starts_with('#') {
            // A bare `KEY` takes the value it has in the environment, if any.
            let value = lookup(key).map(str::to_string);
            return Ok(Parsed::Var {
                key: key.to_string(),
                value,
                consumed: line_len,
            });
        }
        return Err(LineError {
            at: start + indent..start + line.len(),
            message: format!("`{key}` must be followed by `=`"),
        });
    };
    let raw = raw.trim_start();
    let raw_start = start + line.len() - raw.len();
    let resolve = |name: &str| vars.get(name).map(String::as_str).or_else(|| lookup(name));
    let interpolate_at = |value: &str, at: usize| {
        interpolate(value, &resolve).map(|i| i.text).map_err(|e| {
            let (range, message) = match e {
                interpolate::Error::Syntax { at: r, detail } => (r, detail),
                interpolate::Error::Required {
                    at: r,
                    name,
                    message,
                } => (
                    r,
                    format!("required variable `{name}` is not set: {message}"),
                ),
            };
            LineError {
                at: at + range.start..at + range.end,
                message,
            }
        })
    };
    match raw.as_bytes().first() {
        Some(&quote @ (b'\'' | b'"')) => {
            // Quoted values may span lines: search the rest of the file.
            let from = raw_start + 1;
            let close = find_closing(&text[from..], quote).ok_or_else(|| LineError {
                at: raw_start..start + line.len(),
                message: "the quoted value is not closed".to_string(),
            })?;
            let inner = &text[from..from + close];
            let value = if quote == b'\'' {
                inner.to_string()
            } else {
                interpolate_at(&unescape(inner), from)?
            };
            let end = from + close + 1;
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
            Ok(Parsed::Var {
                key: key.to_string(),
                value: Some(value),
                consumed: line_end - start,
            })
        }
        _ => {
            let value = match raw.find(" #").or_else(|| raw.find("\t#")) {
                Some(i) => &raw[..i],
                None => raw,
            };
            let value = value.trim_end();
            Ok(Parsed::Var {
                key: key.to_string(),
                value: Some(interpolate_at(value, raw_start)?),
                consumed: line_len,
            })
        }
    }
}

fn find_closing(text: &str, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 1,
            c if c == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other @ ('"' | '\\' | '$')) => {
                if other == '$' {
                    out.push('\\');
                }
                out.push(other);
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, String)> {
        let lookup = |name: &str| (name == "HOME").then_some("/root");
        let (vars, errors) = parse(text, &lookup);
        assert!(errors.is_empty(), "{errors:?}");
        vars.into_iter().collect()
    }

    #[test]
    fn compose_env_file_rules() {
        let text = "# comment\n\nA=1\nexport B=two words  # trailing\nC='lit $HOME'\nD=\"x\\ny $HOME\"\nE=${A}-${UNSET:-d}\nHOME\nMISSING\nF=a#b\nG=\n";
        assert_eq!(
            vars(text),
            [
                ("A", "1"),
                ("B", "two words"),
                ("C", "lit $HOME"),
                ("D", "x\ny /root"),
                ("E", "1-d"),
                ("HOME", "/root"),
                ("F", "a#b"),
                ("G", ""),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn multiline_double_quotes() {
        assert_eq!(
            vars("K=\"a\nb\"\nL=2\n"),
            [("K".into(), "a\nb".into()), ("L".into(), "2".into())]
        );
    }

    #[test]
    fn bad_lines_are_errors_with_ranges() {
        let lookup = |_: &str| None;
        let (_, errors) = parse("GOOD=1\nnot valid line\nX=\"open\n", &lookup);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].at, 7..21);
    }
}
