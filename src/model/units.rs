//! Parsers for Compose's short value syntaxes: durations (`1m30s`), byte sizes (`512m`,
//! `1.5G`), CPU counts, integers and booleans that interpolation left as strings, and
//! shell-style splitting of string commands. They return span-less errors; the model
//! attaches the span.

use super::spec::{BoolOrStr, IntOrStr, NumOrStr};

/// A duration in Go's syntax, as Compose writes them: `1h2m3.5s`, `500ms`, `10us`.
///
/// # Errors
/// A message saying what is wrong.
pub fn duration_seconds(text: &str) -> Result<f64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".to_string());
    }
    if text == "0" {
        return Ok(0.0);
    }
    let mut total = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(format!("`{text}` is not a duration like `30s` or `1m30s`"));
        }
        let number: f64 = rest[..number_len]
            .parse()
            .map_err(|_| format!("`{}` is not a number", &rest[..number_len]))?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            "" => return Err(format!("`{text}` needs a unit (`s`, `m`, `h`, `ms`)")),
            unit => return Err(format!("unknown duration unit `{unit}`")),
        };
        total += number * factor;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// A byte size: a number of bytes, or a number with `b`, `k`, `m`, `g`, `t` (optionally
/// followed by `b`), in powers of 1024 as Docker reads them.
///
/// # Errors
/// A message saying what is wrong.
pub fn size_bytes(value: &NumOrStr) -> Result<u64, String> {
    let text = match value {
        NumOrStr::Num(n) if *n >= 0.0 => return Ok(n.round() as u64),
        NumOrStr::Num(n) => return Err(format!("`{n}` is negative")),
        NumOrStr::Str(s) => s.trim(),
    };
    let lower = text.to_ascii_lowercase();
    let number_len = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let number: f64 = lower[..number_len]
        .parse()
        .map_err(|_| format!("`{text}` is not a size like `512m` or `2g`"))?;
    let factor: f64 = match lower[number_len..].trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        unit => return Err(format!("unknown size unit `{unit}` (use `k`, `m` or `g`)")),
    };
    Ok((number * factor).round() as u64)
}

/// A CPU count (`0.5`, `"2"`).
///
/// # Errors
/// A message saying what is wrong.
pub fn cpus(value: &NumOrStr) -> Result<f64, String> {
    let n = match value {
        NumOrStr::Num(n) => *n,
        NumOrStr::Str(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number of CPUs"))?,
    };
    if n.is_finite() && n >= 0.0 {
        Ok(n)
    } else {
        Err(format!("`{n}` is not a number of CPUs"))
    }
}

/// An integer that may have arrived as a string.
///
/// # Errors
/// A message saying what is wrong.
pub fn integer(value: &IntOrStr) -> Result<i64, String> {
    match value {
        IntOrStr::Int(i) => Ok(*i),
        IntOrStr::Str(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not an integer")),
    }
}

/// A number that may have arrived as a string.
///
/// # Errors
/// A message saying what is wrong.
pub fn number(value: &NumOrStr) -> Result<f64, String> {
    match value {
        NumOrStr::Num(n) => Ok(*n),
        NumOrStr::Str(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number")),
    }
}

/// A boolean that may have arrived as a string (`"true"`, `"false"`, as Compose accepts).
///
/// # Errors
/// A message saying what is wrong.
pub fn boolean(value: &BoolOrStr) -> Result<bool, String> {
    match value {
        BoolOrStr::Bool(b) => Ok(*b),
        BoolOrStr::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" => Ok(true),
            "false" | "no" | "n" | "off" | "0" | "" => Ok(false),
            _ => Err(format!("`{s}` is not `true` or `false`")),
        },
    }
}

/// Splits a command string the way Compose does (POSIX shell words: quotes and
/// backslashes, no expansion).
///
/// # Errors
/// An unclosed quote.
pub fn shell_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err("unclosed `'` in the command".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => current.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                current.push('\\');
                                current.push(c);
                            }
                            None => return Err("unclosed `\"` in the command".to_string()),
                        },
                        Some(c) => current.push(c),
                        None => return Err("unclosed `\"` in the command".to_string()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => current.push(c),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("1m30s"), Ok(90.0));
        assert_eq!(duration_seconds("500ms"), Ok(0.5));
        assert_eq!(duration_seconds("1h"), Ok(3600.0));
        assert_eq!(duration_seconds("1.5s"), Ok(1.5));
        assert!(duration_seconds("10").is_err());
        assert!(duration_seconds("ten s").is_err());
        assert!(duration_seconds("5x").is_err());
    }

    #[test]
    fn sizes() {
        let s = |t: &str| size_bytes(&NumOrStr::Str(t.to_string()));
        assert_eq!(s("512m"), Ok(512 * 1024 * 1024));
        assert_eq!(s("1.5G"), Ok(1536 * 1024 * 1024));
        assert_eq!(s("2gb"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(s("100"), Ok(100));
        assert!(s("lots").is_err());
        assert_eq!(size_bytes(&NumOrStr::Num(1024.0)), Ok(1024));
    }

    #[test]
    fn shell_splitting() {
        assert_eq!(
            shell_words(r#"sh -c "echo 'hi there'" a\ b 'x"y'"#).unwrap(),
            ["sh", "-c", "echo 'hi there'", "a b", "x\"y"]
        );
        assert_eq!(shell_words("  ").unwrap(), Vec::<String>::new());
        assert_eq!(shell_words("a ''").unwrap(), ["a", ""]);
        assert!(shell_words("'open").is_err());
    }
}
