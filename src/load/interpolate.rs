//! Compose variable interpolation on one string: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+alternative}`,
//! `${VAR+alternative}` (defaults and alternatives nest), and `$$` for a literal `$`.
//! Pure: variables come from the lookup the caller passes in.

/// What went wrong, with the byte range inside the string it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The expression at `at` is malformed.
    Syntax {
        at: std::ops::Range<usize>,
        detail: String,
    },
    /// `${name:?message}` or `${name?message}` with `name` not set (or empty, for `:?`).
    Required {
        at: std::ops::Range<usize>,
        name: String,
        message: String,
    },
}

/// The interpolated string and the variables that were read but not set.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Interpolated {
    pub text: String,
    pub unset: Vec<String>,
}

/// Interpolates `input`; `lookup` answers the value of a variable, `None` when unset.
///
/// # Errors
/// The first malformed expression or missing required variable.
pub fn interpolate<'e>(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<&'e str>,
) -> Result<Interpolated, Error> {
    let mut out = Interpolated::default();
    expand(input, 0, 0, lookup, &mut out)?;
    Ok(out)
}

/// How deep defaults and alternatives may nest (`${A:-${B:-...}}`): far beyond any real
/// file, and a bound on the recursion a hostile one could ask for.
pub const MAX_NESTING: usize = 64;

fn is_name_start(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// Expands `input` (which starts at byte `base` of the original string) into `out`.
fn expand<'e>(
    input: &str,
    base: usize,
    depth: usize,
    lookup: &dyn Fn(&str) -> Option<&'e str>,
    out: &mut Interpolated,
) -> Result<(), Error> {
    let bytes = input.as_bytes();
    let mut i = 0;
    let mut literal_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        out.text.push_str(&input[literal_start..i]);
        let start = i;
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.text.push('$');
                i += 2;
            }
            Some(b'{') => {
                let close = matching_brace(bytes, i + 2).ok_or_else(|| Error::Syntax {
                    at: base + start..base + input.len(),
                    detail: "`${` has no closing `}`".to_string(),
                })?;
                if depth == MAX_NESTING {
                    return Err(Error::Syntax {
                        at: base + start..base + close + 1,
                        detail: format!("`${{` nests more than {MAX_NESTING} levels deep"),
                    });
                }
                braced(
                    &input[i + 2..close],
                    (base + i + 2, depth + 1),
                    base + start..base + close + 1,
                    lookup,
                    out,
                )?;
                i = close + 1;
            }
            Some(&c) if is_name_start(c) => {
                let mut end = i + 1;
                while end < bytes.len() && is_name_char(bytes[end]) {
                    end += 1;
                }
                substitute(&input[i + 1..end], lookup, out);
                i = end;
            }
            _ => {
                return Err(Error::Syntax {
                    at: base + start..base + (start + 1).min(input.len()),
                    detail: "`$` must be followed by a variable name, `{` or another `$`"
                        .to_string(),
                });
            }
        }
        literal_start = i;
    }
    out.text.push_str(&input[literal_start..]);
    Ok(())
}

/// Index of the `}` closing a `${` whose body starts at `from`, allowing nested `${...}`.
fn matching_brace(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn substitute<'e>(name: &str, lookup: &dyn Fn(&str) -> Option<&'e str>, out: &mut Interpolated) {
    match lookup(name) {
        Some(value) => out.text.push_str(value),
        None => out.unset.push(name.to_string()),
    }
}

/// The operators after a braced name, in the order they must be tried (two-character ones
/// first).
const OPERATORS: [&str; 6] = [":-", ":?", ":+", "-", "?", "+"];

/// `${body}`; `at`: where the body starts in the original string, and how deep it is.
fn braced<'e>(
    body: &str,
    (base, depth): (usize, usize),
    whole: std::ops::Range<usize>,
    lookup: &dyn Fn(&str) -> Option<&'e str>,
    out: &mut Interpolated,
) -> Result<(), Error> {
    let bytes = body.as_bytes();
    let name_end = bytes
        .iter()
        .position(|&c| !is_name_char(c))
        .unwrap_or(bytes.len());
    let name = &body[..name_end];
    if name.is_empty() || !is_name_start(bytes[0]) {
        return Err(Error::Syntax {
            at: whole,
            detail: format!("`${{{body}}}` does not start with a variable name"),
        });
    }
    let rest = &body[name_end..];
    if rest.is_empty() {
        substitute(name, lookup, out);
        return Ok(());
    }
    let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) else {
        return Err(Error::Syntax {
            at: whole,
            detail: format!("`{rest}` is not an interpolation operator after `{name}`"),
        });
    };
    let arg = &rest[op.len()..];
    let arg_base = base + name_end + op.len();
    let value = lookup(name);
    let empty_counts = op.starts_with(':');
    let is_set = match value {
        Some(v) => !(empty_counts && v.is_empty()),
        None => false,
    };
    match op.trim_start_matches(':') {
        "-" => {
            if is_set {
                out.text.push_str(value.unwrap_or_default());
            } else {
                expand(arg, arg_base, depth, lookup, out)?;
            }
        }
        "+" => {
            if is_set {
                expand(arg, arg_base, depth, lookup, out)?;
            }
        }
        _ => {
            if is_set {
                out.text.push_str(value.unwrap_or_default());
            } else {
                let mut message = Interpolated::default();
                expand(arg, arg_base, depth, lookup, &mut message)?;
                return Err(Error::Required {
                    at: whole,
                    name: name.to_string(),
                    message: message.text,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> Result<Interpolated, Error> {
        let lookup = |name: &str| match name {
            "SET" => Some("value"),
            "EMPTY" => Some(""),
            "PORT" => Some("8080"),
            _ => None,
        };
        interpolate(input, &lookup)
    }

    fn text(input: &str) -> String {
        run(input).unwrap().text
    }

    #[test]
    fn every_form() {
        let cases = [
            ("plain", "plain"),
            ("$SET", "value"),
            ("${SET}", "value"),
            ("a${SET}b", "avalueb"),
            ("$SET/x", "value/x"),
            ("$$SET", "$SET"),
            ("$${SET}", "${SET}"),
            ("${UNSET:-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${UNSET-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${SET:-d}", "value"),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("${UNSET:-${PORT}}", "8080"),
            ("${UNSET:-${UNSET2:-deep}}", "deep"),
            ("${UNSET:-a b c}", "a b c"),
            ("${UNSET:-}", ""),
            ("${SET:?must}", "value"),
            ("${PORT}:80", "8080:80"),
        ];
        for (input, expected) in cases {
            assert_eq!(text(input), expected, "for {input}");
        }
    }

    #[test]
    fn unset_variables_are_listed() {
        let result = run("${UNSET}-$ALSO_UNSET").unwrap();
        assert_eq!(result.text, "-");
        assert_eq!(result.unset, ["UNSET", "ALSO_UNSET"]);
    }

    #[test]
    fn required_variables() {
        assert_eq!(
            run("x ${UNSET:?set it} y"),
            Err(Error::Required {
                at: 2..18,
                name: "UNSET".into(),
                message: "set it".into()
            })
        );
        assert!(matches!(run("${EMPTY:?e}"), Err(Error::Required { .. })));
        assert_eq!(text("${EMPTY?e}"), "");
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |levels: usize| format!("{}x{}", "${A:-".repeat(levels), "}".repeat(levels));
        assert_eq!(text(&nested(MAX_NESTING)), "x");
        assert!(matches!(
            run(&nested(MAX_NESTING + 1)),
            Err(Error::Syntax { detail, .. }) if detail.contains("nests more than")
        ));
        assert!(run(&nested(200_000)).is_err());
    }

    #[test]
    fn malformed_expressions() {
        for input in [
            "${", "${SET", "$", "a $ b", "${}", "${1A}", "${SET:x}", "$1",
        ] {
            assert!(
                matches!(run(input), Err(Error::Syntax { .. })),
                "for {input}"
            );
        }
    }
}
