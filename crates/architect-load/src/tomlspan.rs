//! Parsing TOML with spans, so that facts and errors can name the exact line.

use architect_model::{Location, SourceFile, Span};
use toml_edit::{Document, Item, TableLike};

use crate::LoadError;

/// A TOML file parsed with spans, together with its text.
pub(crate) struct TomlFile {
    pub file: SourceFile,
    pub doc: Document<String>,
}

impl TomlFile {
    /// Parse `text`; a syntax error names the file, line and column.
    pub fn parse(path: &str, text: String) -> Result<TomlFile, LoadError> {
        let file = SourceFile::new(path, text.clone());
        match Document::parse(text) {
            Ok(doc) => Ok(TomlFile { file, doc }),
            Err(e) => {
                let (line, column) = e.span().map_or((1, 1), |s| file.line_col(s.start));
                Err(LoadError::Syntax {
                    path: path.to_string(),
                    line,
                    column,
                    message: e.message().to_string(),
                })
            }
        }
    }

    /// The location of a byte range of this file.
    pub fn location(&self, span: std::ops::Range<usize>, label: Option<&str>) -> Location {
        let (line, column) = self.file.line_col(span.start);
        Location {
            path: self.file.path.clone(),
            line,
            column,
            span: Span::new(span.start, span.end),
            label: label.map(str::to_string),
        }
    }

    /// The location of the line that sets `key` in `table`: from the key to the end of its value.
    pub fn key_location(&self, table: &dyn TableLike, key: &str, label: &str) -> Option<Location> {
        let (k, item) = table.get_key_value(key)?;
        let start = k.span()?.start;
        let end = item_span(item).map_or(k.span()?.end, |s| s.end.max(start));
        Some(self.location(start..end, Some(label)))
    }

    /// The location of a table header such as `[package]`.
    pub fn table_location(&self, path: &[&str], label: &str) -> Option<Location> {
        let mut item = self.doc.as_item();
        for key in path {
            item = item.get(key)?;
        }
        let span = item.as_table()?.span()?;
        Some(self.location(span, Some(label)))
    }

    /// A location the error of a value can point at: the key's line, or the file start.
    pub fn error_at(&self, table: &dyn TableLike, key: &str) -> (usize, usize) {
        table
            .get_key_value(key)
            .and_then(|(k, _)| k.span())
            .map_or((1, 1), |s| self.file.line_col(s.start))
    }
}

pub(crate) fn item_span(item: &Item) -> Option<std::ops::Range<usize>> {
    match item {
        Item::Value(v) => v.span(),
        Item::Table(t) => t.span(),
        Item::ArrayOfTables(a) => a.span(),
        Item::None => None,
    }
}
