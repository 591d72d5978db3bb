//! Reads a YAML or JSON document into a `serde_json::Value` plus the line and column of every
//! key and value in it.
//!
//! JSON is a subset of YAML 1.2, so one parser serves both formats and both get positions. Keys
//! are kept in document order and a key repeated in one mapping is an error (YAML parsers
//! commonly keep the last one, which silently drops the first).

use std::collections::HashMap;
use std::path::Path;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use serde_json::{Map, Number, Value};

use crate::diagnostics::{Diagnostic, Location};

/// One segment of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A path into a document, rendered for people as `parameters[1].type`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(pub Vec<PathSegment>);

impl FieldPath {
    /// The path one level down.
    pub fn join(&self, segment: PathSegment) -> FieldPath {
        let mut segments = self.0.clone();
        segments.push(segment);
        FieldPath(segments)
    }

    /// The path to a key of the mapping at this path.
    pub fn key(&self, key: &str) -> FieldPath {
        self.join(PathSegment::Key(key.to_owned()))
    }

    /// The path to an element of the sequence at this path.
    pub fn index(&self, index: usize) -> FieldPath {
        self.join(PathSegment::Index(index))
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => f.write_str(key)?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Where a node starts, and where its key starts when it is a mapping value.
#[derive(Debug, Clone, Copy)]
struct NodePosition {
    key: Option<Location>,
    value: Location,
}

/// A parsed document with the position of every node.
#[derive(Debug, Clone)]
pub struct SourceDocument {
    /// The document's content.
    pub value: Value,
    positions: HashMap<FieldPath, NodePosition>,
}

impl SourceDocument {
    /// Where the value at `path` starts; the nearest enclosing node when `path` is absent.
    pub fn value_location(&self, path: &FieldPath) -> Option<Location> {
        self.nearest(path).map(|position| position.value)
    }

    /// Where the key of the mapping entry at `path` starts (its value when it has no key).
    pub fn key_location(&self, path: &FieldPath) -> Option<Location> {
        self.nearest(path)
            .map(|position| position.key.unwrap_or(position.value))
    }

    fn nearest(&self, path: &FieldPath) -> Option<NodePosition> {
        let mut segments = path.0.as_slice();
        loop {
            if let Some(position) = self.positions.get(&FieldPath(segments.to_vec())) {
                return Some(*position);
            }
            let (_, parent) = segments.split_last()?;
            segments = parent;
        }
    }
}

/// `text` ready to parse: without a leading byte-order mark (editors on Windows write one), and
/// refused when it holds a NUL byte, which some YAML readers take for the end of the file
/// (silently dropping what follows).
pub fn checked_text<'t>(file: &Path, text: &'t str) -> Result<&'t str, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        return Err(Diagnostic::error(
            file,
            Some(end_of(&text[..at])),
            "",
            "holds a NUL byte (U+0000); spec files are text",
        ));
    }
    Ok(text)
}

/// Parses `text` (YAML or JSON) from `file`.
pub fn parse_document(file: &Path, text: &str) -> Result<SourceDocument, Diagnostic> {
    let mut builder = Builder {
        file,
        text,
        line_count: lines(text).count(),
        parser: Parser::new_from_str(text),
        positions: HashMap::new(),
    };
    builder.document()
}

struct Builder<'a> {
    file: &'a Path,
    text: &'a str,
    /// `lines(text).count()`, counted once: every node's location is checked against it.
    line_count: usize,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    positions: HashMap<FieldPath, NodePosition>,
}

/// The lines of `text` as YAML counts them (and editors show them): a line ends at `\r\n`,
/// `\n` or a lone `\r`. A text ending in a line break has an empty last line.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\r', '\n']) {
            Some(at) => {
                let next = if text[at..].starts_with("\r\n") {
                    at + 2
                } else {
                    at + 1
                };
                rest = Some(&text[next..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// Where the character after `before` stands.
pub fn end_of(before: &str) -> Location {
    let (count, last) = lines(before).fold((0, ""), |(count, _), line| (count + 1, line));
    Location {
        line: count,
        column: last.chars().count() + 1,
    }
}

impl<'a> Builder<'a> {
    /// `location`, or the end of the text when it lies past it: the parser reports an error at
    /// the end of a text without a final newline on the line after it, which editors cannot
    /// open.
    fn within(&self, location: Location) -> Location {
        if location.line <= self.line_count {
            location
        } else {
            end_of(self.text)
        }
    }

    fn location(&self, span: &Span) -> Location {
        self.within(Location {
            line: span.start.line(),
            column: span.start.col() + 1,
        })
    }

    fn next(&mut self) -> Result<(Event<'a>, Span), Diagnostic> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(error)) => Err(self.scan_error(&error)),
            None => Err(Diagnostic::error(
                self.file,
                None,
                "",
                "unexpected end of document",
            )),
        }
    }

    fn scan_error(&self, error: &ScanError) -> Diagnostic {
        let marker = error.marker();
        Diagnostic::error(
            self.file,
            Some(self.within(Location {
                line: marker.line(),
                column: marker.col() + 1,
            })),
            "",
            format!("not valid YAML or JSON: {}", error.info()),
        )
    }

    fn document(&mut self) -> Result<SourceDocument, Diagnostic> {
        let root = FieldPath::default();
        let mut value = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::DocumentStart(_) if value.is_some() => {
                    return Err(Diagnostic::error(
                        self.file,
                        Some(self.location(&span)),
                        "",
                        "a spec file holds one document; remove the second `---` section",
                    ));
                }
                Event::DocumentStart(_) => {
                    let (event, span) = self.next()?;
                    value = Some(self.node(event, span, &root, None)?);
                }
                Event::StreamEnd => break,
                _ => unreachable!("the parser only emits documents at the top level"),
            }
        }
        Ok(SourceDocument {
            value: value.unwrap_or(Value::Null),
            positions: std::mem::take(&mut self.positions),
        })
    }

    fn node(
        &mut self,
        event: Event<'a>,
        span: Span,
        path: &FieldPath,
        key: Option<Location>,
    ) -> Result<Value, Diagnostic> {
        let here = self.location(&span);
        self.positions
            .insert(path.clone(), NodePosition { key, value: here });
        match event {
            Event::Scalar(text, style, _, tag) => {
                if let Some(tag) = tag {
                    return Err(self.unsupported(here, path, &format!("YAML tags (`{tag}`)")));
                }
                Ok(scalar(&text, style))
            }
            Event::SequenceStart(_, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let item_path = path.index(items.len());
                    items.push(self.node(event, span, &item_path, None)?);
                }
                Ok(Value::Array(items))
            }
            Event::MappingStart(_, _) => {
                let mut map = Map::new();
                loop {
                    let (event, key_span) = self.next()?;
                    let key_text = match event {
                        Event::MappingEnd => break,
                        Event::Scalar(text, _, _, None) => text.into_owned(),
                        _ => {
                            return Err(Diagnostic::error(
                                self.file,
                                Some(self.location(&key_span)),
                                path.to_string(),
                                "mapping keys must be plain strings",
                            ));
                        }
                    };
                    let key_location = self.location(&key_span);
                    let entry_path = path.key(&key_text);
                    if map.contains_key(&key_text) {
                        return Err(Diagnostic::error(
                            self.file,
                            Some(key_location),
                            entry_path.to_string(),
                            format!("duplicate key `{key_text}`"),
                        ));
                    }
                    let (event, span) = self.next()?;
                    let value = self.node(event, span, &entry_path, Some(key_location))?;
                    map.insert(key_text, value);
                }
                Ok(Value::Object(map))
            }
            Event::Alias(_) => Err(self.unsupported(here, path, "YAML aliases (`*name`)")),
            _ => unreachable!("the parser emits only nodes inside a document"),
        }
    }

    fn unsupported(&self, at: Location, path: &FieldPath, what: &str) -> Diagnostic {
        Diagnostic::error(
            self.file,
            Some(at),
            path.to_string(),
            format!("{what} are not supported in spec files; write the value out"),
        )
    }
}

/// Resolves a scalar by the YAML 1.2 core schema: quoted scalars are always strings, plain ones
/// may be null, booleans or numbers.
fn scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(integer) = text.parse::<i64>() {
        return Value::Number(integer.into());
    }
    let looks_numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric && let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
        return Value::Number(number);
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SourceDocument, Diagnostic> {
        parse_document(Path::new("t.yaml"), text)
    }

    #[test]
    fn positions_point_at_keys_and_values() {
        let doc = parse("name: A\nparameters:\n  - name: B\n    type: string\n").unwrap();
        let path = FieldPath::default().key("parameters").index(0).key("type");
        assert_eq!(
            doc.key_location(&path),
            Some(Location { line: 4, column: 5 })
        );
        assert_eq!(
            doc.value_location(&path),
            Some(Location {
                line: 4,
                column: 11
            })
        );
        assert_eq!(path.to_string(), "parameters[0].type");
    }

    #[test]
    fn json_is_read_with_positions() {
        let doc = parse("{\n  \"name\": \"A\",\n  \"n\": 3\n}").unwrap();
        assert_eq!(doc.value, serde_json::json!({"name": "A", "n": 3}));
        assert_eq!(
            doc.key_location(&FieldPath::default().key("n")),
            Some(Location { line: 3, column: 3 })
        );
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let doc = parse("a: 2019-03-06\nb: '12'\nc: 12\nd: 1.5\ne: yes\nf: ~\ng: true\n").unwrap();
        assert_eq!(
            doc.value,
            serde_json::json!({"a": "2019-03-06", "b": "12", "c": 12, "d": 1.5, "e": "yes", "f": null, "g": true})
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let error = parse("name: A\nname: B\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "t.yaml:2:1: error: at `name`: duplicate key `name`"
        );
    }

    #[test]
    fn an_error_at_the_end_points_inside_the_text() {
        // Found by the random specs (a file cut short): saphyr puts it on line 2 of this
        // one-line text.
        let error = parse("a: [1,").unwrap_err();
        assert_eq!(error.location, Some(Location { line: 1, column: 7 }));
        // After a final newline, the empty last line is a place an editor can go.
        let error = parse("a: [1,\n").unwrap_err();
        assert_eq!(error.location, Some(Location { line: 2, column: 1 }));
        // Found by fuzzing: a node the parser places at the end, past the last line.
        let doc = parse("? ").unwrap();
        let key = FieldPath::default().key("~");
        assert_eq!(
            doc.key_location(&key),
            Some(Location { line: 1, column: 3 })
        );
    }

    #[test]
    fn lines_end_where_yaml_ends_them() {
        // Found by fuzzing: the parser ends a line at a lone `\r`, so every location must.
        let error = parse("product:\rx\n ittle: \"a\r\nb\"\r\n").unwrap_err();
        assert_eq!(error.location, Some(Location { line: 3, column: 7 }));
        assert_eq!(
            lines("a\rb\r\nc\n").collect::<Vec<_>>(),
            ["a", "b", "c", ""]
        );
        let error = checked_text(Path::new("t.yaml"), "a\rb\0").unwrap_err();
        assert_eq!(error.location, Some(Location { line: 2, column: 2 }));
    }

    #[test]
    fn bad_indentation_is_reported_with_a_position() {
        let error = parse("name: A\nparameters:\n  - name: B\n   type: string\n").unwrap_err();
        assert!(error.location.is_some(), "{error}");
        assert!(error.to_string().starts_with("t.yaml:4:"), "{error}");
    }
}
