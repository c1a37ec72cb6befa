//! Source files and positions: the [`SourceMap`] owns every file the loader read, a
//! [`Span`] is a byte range in one of them, and line/column lookup happens only when a
//! diagnostic is rendered.

use std::fmt;
use std::path::{Path, PathBuf};

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(u32);

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    #[must_use]
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    #[must_use]
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    #[must_use]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both (same file assumed; `self` wins otherwise).
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column (columns count characters, as editors do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One file the loader read (or standard input), with its line table.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it, or as the loader derived it: shown in diagnostics.
    pub name: String,
    /// The path on disk, when there is one.
    pub path: Option<PathBuf>,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(name: String, path: Option<PathBuf>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            name,
            path,
            text,
            line_starts,
        }
    }

    /// Line and column of a byte offset (clamped to the file).
    #[must_use]
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The text a span covers (empty when the span does not fall on character bounds).
    #[must_use]
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// Every file read during one compilation. Spans index into it.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Paths under this folder are shown relative to it.
    base: Option<PathBuf>,
}

impl SourceMap {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A map that shows paths under `base` (the working directory) relative to it.
    #[must_use]
    pub fn with_base(base: PathBuf) -> Self {
        Self {
            files: Vec::new(),
            base: Some(base),
        }
    }

    /// How a path is shown in diagnostics: relative to the base when it is under it.
    #[must_use]
    pub fn display(&self, path: &Path) -> String {
        self.base
            .as_deref()
            .and_then(|base| path.strip_prefix(base).ok())
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The files read, in the order they were.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// The paths of the files read (standard input has none).
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files().filter_map(|f| f.path.as_deref())
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, path: Option<&Path>, text: String) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile::new(
            name.into(),
            path.map(Path::to_path_buf),
            text,
        ));
        id
    }

    /// The file behind an id. Ids come only from [`SourceMap::add`], so this cannot fail
    /// for an id of this map.
    #[must_use]
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    #[must_use]
    pub fn line_col(&self, span: Span) -> LineCol {
        self.file(span.file).line_col(span.start as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut map = SourceMap::new();
        let id = map.add("f.yaml", None, "a: 1\nbé: x\n".to_string());
        let file = map.file(id);
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(5), LineCol { line: 2, column: 1 });
        // "bé: " is 5 bytes, 4 characters: the value starts at column 5.
        assert_eq!(file.line_col(10), LineCol { line: 2, column: 5 });
    }
}
