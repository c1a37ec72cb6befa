//! A large Compose file parsed on every core. The entries of its top-level `services`
//! block mapping are cut at the lines that begin them into one run of services per
//! thread, each run parsed alone; the rest of the file is parsed beside them with only the
//! first service left in, so that the `services` mapping itself is read in place. The
//! runs' services then take the place of that one.
//!
//! The result is the tree that parsing the whole file at once gives, spans included (a
//! run's text ends where the next service's key begins, so its last node ends where it
//! would have). Where it could differ the file is parsed at once instead: when it holds a
//! `*` (an alias, whose anchor may be in another part), when a part does not parse alone
//! or parsing it says anything at all, when a service's key is not where its line put it,
//! or when two services share a name (the whole file's parse names both).

use std::collections::HashSet;
use std::ops::Range;

use super::tree::{Entry, Node, Value};
use super::yaml::{Offset, parse_part};
use crate::par;
use crate::source::FileId;

/// Bytes from which a file is worth parsing on more than one core: a thread costs a
/// fraction of a millisecond, a kilobyte of services some 50 µs to parse.
const MIN_BYTES: usize = 64 * 1024;

/// Where the entries of the top-level `services` mapping are.
#[derive(Debug, PartialEq)]
struct Services {
    /// Where each entry's line begins.
    starts: Vec<usize>,
    /// Their indentation.
    indent: usize,
    /// Where the mapping ends: the line of the next top-level key, or the end of the text.
    end: usize,
}

/// The tree of `text` parsed on every core, or `None` when it is small, or when parsing it
/// in parts could give anything but the tree parsing it at once gives.
pub(super) fn parse(text: &str, file: FileId) -> Option<Node> {
    let threads = par::threads();
    if text.len() < MIN_BYTES || threads < 2 {
        return None;
    }
    parse_in(text, file, threads)
}

/// [`parse`] in at most `threads` runs, whatever the size of the text.
fn parse_in(text: &str, file: FileId, threads: usize) -> Option<Node> {
    if text.contains('*') {
        return None;
    }
    let services = find(text)?;
    let runs = cut(text.len(), &services, threads)?;
    let (first, second) = (services.starts[0], services.starts[1]);
    // The rest of the file, with the first service only; parsed with the first run.
    let rest = format!("{}{}", &text[..second], &text[services.end..]);
    let rest_offset = Offset {
        from: second,
        add: services.end - second,
    };
    let parsed: Vec<Option<(Option<Node>, Node)>> = par::chunks(&runs, 1, |runs| {
        runs.iter()
            .map(|run| {
                let rest = if run.start == first {
                    Some(parse_part(&rest, file, rest_offset)?)
                } else {
                    None
                };
                let offset = Offset {
                    from: 0,
                    add: run.start,
                };
                Some((rest, parse_part(&text[run.clone()], file, offset)?))
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let mut root = None;
    let mut entries = Vec::with_capacity(services.starts.len());
    for part in parsed {
        let (rest, run) = part?;
        root = root.or(rest);
        let Node {
            value: Value::Map(run),
            tag: None,
            ..
        } = run
        else {
            return None;
        };
        entries.extend(run);
    }
    let mut root = root?;
    if !in_place(&entries, &services.starts, services.indent) {
        return None;
    }
    let Value::Map(top) = &mut root.value else {
        return None;
    };
    let slot = top.iter_mut().find(|entry| entry.key == "services")?;
    match &slot.value.value {
        Value::Map(only) if in_place(only, &services.starts[..1], services.indent) => {}
        _ => return None,
    }
    slot.value.value = Value::Map(entries);
    Some(root)
}

/// Whether there is an entry for each line that begins one (at `starts`, its key `indent`
/// bytes in), its key there, and no two of one name.
fn in_place(entries: &[Entry], starts: &[usize], indent: usize) -> bool {
    let mut names = HashSet::with_capacity(entries.len());
    entries.len() == starts.len()
        && entries.iter().zip(starts).all(|(entry, line)| {
            usize::try_from(entry.key_span.start).ok() == Some(line + indent)
                && names.insert(entry.key.as_str())
        })
}

/// The services cut into at most `threads` runs of about as many bytes, the first run
/// counting the rest of the file (parsed with it) too: each run's text ends where the next
/// service's key begins. `None` when it makes one run only.
fn cut(len: usize, services: &Services, threads: usize) -> Option<Vec<Range<usize>>> {
    let first = services.starts[0];
    let rest = services.starts[1] + (len - services.end);
    let share = (rest + services.end - first) / threads;
    let mut runs = Vec::with_capacity(threads);
    let (mut start, mut goal) = (first, first + share.saturating_sub(rest));
    for &next in &services.starts[1..] {
        if next >= goal && runs.len() + 1 < threads {
            runs.push(start..next + services.indent);
            (start, goal) = (next, next + share);
        }
    }
    runs.push(start..services.end);
    (runs.len() >= 2).then_some(runs)
}

/// The lines that begin the entries of the top-level `services` block mapping: keys
/// indented alike, each a plain name followed by `:`. `None` when there is no such
/// mapping or it has fewer than two entries.
fn find(text: &str) -> Option<Services> {
    let mut lines = lines(text);
    lines.find(|(_, line)| is_services_key(line))?;
    let (mut starts, mut indent) = (Vec::new(), 0);
    let mut end = text.len();
    for (at, line) in lines {
        let content = line.trim_start_matches(' ');
        let depth = line.len() - content.len();
        if content.starts_with('\t') {
            return None;
        }
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if depth == 0 {
            end = at;
            break;
        }
        if starts.is_empty() {
            indent = depth;
        }
        if depth == indent {
            if !is_key_line(content) {
                return None;
            }
            starts.push(at);
        } else if depth < indent {
            return None;
        }
    }
    (starts.len() >= 2).then_some(Services {
        starts,
        indent,
        end,
    })
}

/// Each line's start and its text without the line break.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line.trim_end_matches(['\n', '\r'])))
    })
}

/// `services:` at the start of a line, with nothing after it but blanks or a comment.
fn is_services_key(line: &str) -> bool {
    let Some(after) = line.strip_prefix("services:") else {
        return false;
    };
    let rest = after.trim_start_matches(' ');
    rest.is_empty() || (rest.starts_with('#') && rest.len() < after.len())
}

/// A line that can only begin a mapping entry: a plain name (a letter, digit or `_`
/// first), then `:` at the end of the line or before a blank.
fn is_key_line(content: &str) -> bool {
    content
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && (content.trim_end_matches(' ').ends_with(':') || content.contains(": "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;
    use crate::load::yaml::parse_whole;

    /// The tree parsed in runs, checked against the tree parsed at once; whether it was
    /// parsed in runs.
    fn agrees(text: &str, threads: usize) -> bool {
        let file = FileId::default();
        let spread = parse_in(text, file, threads);
        if let Some(spread) = &spread {
            let mut diags = Diagnostics::new();
            let whole = parse_whole(text, file, &mut diags);
            assert!(diags.is_empty(), "{text}");
            assert_eq!(Some(spread), whole.as_ref(), "{text}");
        }
        spread.is_some()
    }

    /// `n` services of a few keys each.
    fn generated(n: usize) -> String {
        let services: String = (0..n)
            .map(|i| {
                format!(
                    "  svc{i:04}:\n    image: ghcr.io/example/svc:1.0\n    environment: {{INDEX: \"{i}\"}}\n    ports: [\"{}:80\"]\n",
                    8000 + i
                )
            })
            .collect();
        project(&services)
    }

    /// The Compose files of `../shared/corpus` (none when it is absent).
    fn corpus_files() -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
            &mut files,
        );
        files.sort();
        files
    }

    fn project(services: &str) -> String {
        format!("name: p\nservices:\n{services}networks:\n  n: {{}}\n")
    }

    #[test]
    fn a_generated_project_is_parsed_in_runs_as_at_once() {
        let text = generated(800);
        assert!(text.len() > MIN_BYTES / 2);
        for threads in 2..=5 {
            assert!(agrees(&text, threads));
        }
    }

    #[test]
    fn every_corpus_file_is_parsed_in_runs_as_at_once_or_at_once() {
        let files = corpus_files();
        if files.is_empty() {
            eprintln!("../shared/corpus is absent: skipped");
            return;
        }
        let mut spread = 0;
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for threads in [2, 3, 8] {
                spread += usize::from(agrees(&text, threads));
            }
        }
        assert!(spread > 30, "{spread}");
    }

    #[test]
    fn what_runs_across_a_cut_is_parsed_at_once() {
        for services in [
            // A quoted string, a flow sequence and a flow mapping whose lines go on at
            // the services' indentation.
            "  a:\n    command: \"x\n  b: y\"\n  c:\n    image: z\n",
            "  a:\n    command: [x,\n  b: y]\n  c:\n    image: z\n",
            "  a: {x: 1,\n  b: 2}\n  c:\n    image: z\n",
            // An anchor and its alias, in two services.
            "  a: &x\n    image: z\n  b: *x\n",
            // Two services of one name.
            "  a:\n    image: z\n  a:\n    image: y\n",
            // A line at a shallower indentation than the services'.
            "    a:\n      image: z\n  b:\n    image: y\n",
            // A tab.
            "  a:\n    image: z\n\tb:\n    image: y\n",
        ] {
            assert!(!agrees(&project(services), 2), "{services}");
        }
    }

    #[test]
    fn the_edges_of_runs_are_where_the_whole_parse_puts_them() {
        for services in [
            "  a:\n    image: z\n  b:\n    image: y\n  c:\n    image: x\n",
            // Block scalars that keep their trailing line breaks, at the end of a run.
            "  a:\n    command: |+\n      x\n\n  b:\n    command: >+\n      y\n\n\n  c: {}\n",
            // Comments, blank lines, flow values, tags, a key with a value on its line.
            "  # first\n  a: {image: z}\n\n# between\n  b: !!map\n    image: y # here\n  c:\n    x-y: [1, 2]\n",
            // Windows line breaks.
            "  a:\r\n    image: z\r\n  b:\r\n    image: y\r\n",
            // Non-ASCII text.
            "  a:\n    labels: {é: ü}\n  b:\n    command: [\"→\"]\n",
        ] {
            assert!(agrees(&project(services), 2), "{services}");
            assert!(agrees(&format!("services:\n{services}"), 3), "{services}");
        }
        let commented = "services: # all\n  a: {}\n  b: {}\n";
        assert!(agrees(commented, 2));
    }

    /// Small projects with random edits of the characters YAML gives a meaning to: each
    /// parses in runs as it does at once, or is parsed at once.
    #[test]
    fn edited_projects_are_parsed_in_runs_as_at_once_or_at_once() {
        const ALPHABET: &[u8] = b" \n:-\"'[]{},#|>&!?%@`\t\r\\a1+";
        let base = "x-a: 1\nservices:\n  a:\n    image: z\n    command: [\"x\", y]\n  b: {image: y}\n  c:\n    environment:\n      K: v\n    command: |\n      run\n  d:\n    ports:\n      - \"80:80\"\nvolumes: {}\n";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % below as u64).unwrap()
        };
        let mut spread = 0;
        for _ in 0..5000 {
            let mut text = base.as_bytes().to_vec();
            for _ in 0..=next(3) {
                let at = next(text.len());
                let byte = ALPHABET[next(ALPHABET.len())];
                match next(3) {
                    0 => text.insert(at, byte),
                    1 => text[at] = byte,
                    _ => {
                        text.remove(at);
                    }
                }
            }
            let text = String::from_utf8_lossy(&text);
            spread += usize::from(agrees(&text, 2));
        }
        assert!(spread > 1000, "{spread}");
    }

    #[test]
    fn the_services_are_found_by_their_lines() {
        let text = "x: 1\nservices:\n  a:\n    image: z\n\n  # b\n  b: {}\nvolumes: {}\n";
        let found = find(text).unwrap();
        assert_eq!(found.starts, [15, 40]);
        assert_eq!(found.indent, 2);
        assert_eq!(&text[found.end..], "volumes: {}\n");
        for no in [
            "services: {a: 1, b: 2}\n",
            "services:\n  a: 1\n",
            "services:\n  a: 1\n  - b\n",
            "x:\n  services:\n    a: 1\n    b: 2\n",
        ] {
            assert_eq!(find(no), None, "{no}");
        }
    }
}
