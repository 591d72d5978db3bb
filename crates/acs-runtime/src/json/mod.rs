//! JSON response bodies, decoded without serde's derive and without a tree.
//!
//! Generated response types implement [`FromJson`]: they read the members they have from a
//! [`Reader`] over the answer's bytes, one line per member, and skip the rest, which the reader
//! validates without keeping. This keeps the per-operation code small (a serde `Deserialize`
//! derive expands to a visitor per struct, which was two thirds of a generated crate's compile
//! time), bounds the memory an answer costs by what the caller keeps, and puts every decoding
//! rule in one place:
//!
//! - **Lenient scalars**, as the official SDKs behave: a number or boolean sent as a string
//!   (`"200"`, `"true"`) decodes into a numeric or boolean field, and `""` there means absent; a
//!   string field accepts a number or boolean and keeps its exact text (`12345678901234567890123`
//!   and `1.0` stay as written, because numbers are read as their source text).
//! - **Absent and `null` are the same**: every response field is optional; `null` items of a
//!   list are left out.
//! - **Errors name the field, never the value**: a response value may be a secret (an API can
//!   return an AccessKey), so a [`DecodeError`] says where and what type was expected, e.g.
//!   ``at `Items.BackupPlanDetail[3].Status`: expected a number, found a string``.
//! - **Strict syntax, bounded nesting**: anything serde_json refuses is refused, and documents
//!   nested deeper than [`MAX_DEPTH`] are refused, so a hostile body cannot exhaust the stack.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Instant;

mod read;

pub use read::{Kind, Reader};

/// The deepest nesting of arrays and objects a body may have.
pub const MAX_DEPTH: usize = 128;

/// Decodes the whole document `bytes` as `T`, giving up once `deadline` has passed. A body of
/// whitespace only reads as `null`: every member absent.
pub fn decode<T: FromJson>(bytes: &[u8], deadline: Option<Instant>) -> Result<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return T::from_json(&mut Reader::new(b"null", None)?);
    }
    let mut reader = Reader::new(bytes, deadline)?;
    let value = T::from_json(&mut reader)?;
    reader.finish()?;
    Ok(value)
}

/// Checks that `bytes` are one JSON document, keeping nothing.
pub fn validate(bytes: &[u8]) -> Result<()> {
    let mut reader = Reader::new(bytes, None)?;
    reader.skip()?;
    reader.finish()
}

/// A piece of the path to a value inside a body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSegment {
    Key(Box<str>),
    Index(usize),
    /// An entry of a map, whose key is not shown.
    Entry,
}

/// What kind of failure a [`DecodeError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// A value of the wrong type (or out of range) for the response type.
    Type,
    /// The body is not JSON.
    Syntax { line: u64, column: u64 },
    /// The deadline passed while reading.
    OutOfTime,
    /// The body is not XML (an XML answer): where, in bytes from its start.
    NotXml { offset: u64 },
}

/// A body that does not fit the response type, or is not JSON. Names where, never the value
/// found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Innermost segment first (errors grow outwards as they return).
    path: Vec<PathSegment>,
    message: String,
    failure: Failure,
}

impl DecodeError {
    /// An error at the current value.
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError {
            path: Vec::new(),
            message: message.into(),
            failure: Failure::Type,
        }
    }

    /// "expected `what`, found `<kind>`".
    pub fn expected(what: &str, found: Kind) -> Self {
        Self::new(format!("expected {what}, found {}", found.described()))
    }

    fn syntax(line: u64, column: u64, reason: &'static str) -> Self {
        DecodeError {
            path: Vec::new(),
            message: reason.to_owned(),
            failure: Failure::Syntax { line, column },
        }
    }

    /// The body is not XML: `reason`, `offset` bytes into it.
    pub(crate) fn not_xml(offset: u64, reason: impl Into<String>) -> Self {
        DecodeError {
            path: Vec::new(),
            message: reason.into(),
            failure: Failure::NotXml { offset },
        }
    }

    /// The `position`th (from 1) of repeated XML elements of one name; the first of them
    /// adds nothing to the path.
    pub(crate) fn within_repeat(mut self, position: usize) -> Self {
        if self.failure == Failure::Type && position > 1 {
            self.path.push(PathSegment::Index(position));
        }
        self
    }

    pub(crate) fn out_of_time() -> Self {
        DecodeError {
            path: Vec::new(),
            message: "the deadline passed while the body was read".to_owned(),
            failure: Failure::OutOfTime,
        }
    }

    pub(crate) fn within_key(mut self, key: &str) -> Self {
        if self.failure == Failure::Type {
            self.path.push(PathSegment::Key(key.into()));
        }
        self
    }

    fn within_entry(mut self) -> Self {
        if self.failure == Failure::Type {
            self.path.push(PathSegment::Entry);
        }
        self
    }

    fn within_index(mut self, index: usize) -> Self {
        if self.failure == Failure::Type {
            self.path.push(PathSegment::Index(index));
        }
        self
    }

    /// The path to the value that did not fit (`Items.BackupPlanDetail[3].Status`), empty for
    /// the body itself.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                PathSegment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                PathSegment::Index(index) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
                PathSegment::Entry => out.push_str("[…]"),
            }
        }
        out
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the body is not JSON (or, for an XML answer, not XML) at all, rather than a
    /// document that does not fit the type.
    pub fn is_syntax(&self) -> bool {
        matches!(
            self.failure,
            Failure::Syntax { .. } | Failure::NotXml { .. }
        )
    }

    /// Whether the deadline passed while the body was read.
    pub fn is_out_of_time(&self) -> bool {
        self.failure == Failure::OutOfTime
    }

    /// Where the body stopped being JSON: 1-based line and column (in characters).
    pub fn position(&self) -> Option<(u64, u64)> {
        match self.failure {
            Failure::Syntax { line, column } => Some((line, column)),
            _ => None,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failure {
            Failure::Syntax { line, column } => write!(
                f,
                "the body is not JSON: {} at line {line}, column {column}",
                self.message
            ),
            Failure::NotXml { offset } => {
                write!(f, "the body is not XML: {} at byte {offset}", self.message)
            }
            Failure::OutOfTime => f.write_str(&self.message),
            Failure::Type if self.path.is_empty() => f.write_str(&self.message),
            Failure::Type => write!(f, "at `{}`: {}", self.path(), self.message),
        }
    }
}

impl std::error::Error for DecodeError {}

/// What decoding gives: a value, or where the body did not fit.
pub type Result<T> = std::result::Result<T, DecodeError>;

/// A type that decodes from JSON; generated response types implement it.
pub trait FromJson: Sized {
    /// Decodes the next value of `json`.
    fn from_json(json: &mut Reader<'_>) -> Result<Self>;

    /// Decodes a member's value, where `null` (and, for scalars, `""`) means absent.
    fn from_optional_json(json: &mut Reader<'_>) -> Result<Option<Self>> {
        if json.null()? {
            Ok(None)
        } else {
            Self::from_json(json).map(Some)
        }
    }
}

impl FromJson for String {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        match json.peek()? {
            Kind::String => json.string().map(|text| text.into_owned()),
            Kind::Number => json.number().map(str::to_owned),
            Kind::Bool => json.bool().map(|flag| flag.to_string()),
            other => Err(DecodeError::expected("a string", other)),
        }
    }
}

/// Numbers and booleans: the JSON type itself, or a string holding one; `""` means absent.
macro_rules! scalar_from_json {
    ($($ty:ty => $what:literal, $kind:path),*) => {$(
        impl FromJson for $ty {
            fn from_json(json: &mut Reader<'_>) -> Result<Self> {
                match Self::from_optional_json(json)? {
                    Some(parsed) => Ok(parsed),
                    None => Err(DecodeError::new(concat!("expected ", $what, ", found an empty string"))),
                }
            }

            fn from_optional_json(json: &mut Reader<'_>) -> Result<Option<Self>> {
                let text = match json.peek()? {
                    Kind::Null => {
                        json.null()?;
                        return Ok(None);
                    }
                    $kind => ScalarText::read(json)?,
                    Kind::String => match json.string()? {
                        text if text.trim().is_empty() => return Ok(None),
                        text => ScalarText::Text(text),
                    },
                    other => return Err(DecodeError::expected($what, other)),
                };
                text.as_str().trim().parse().map(Some).map_err(|_| DecodeError::new(concat!(
                    "expected ", $what, ", found one that does not fit"
                )))
            }
        }
    )*};
}

/// A scalar's text: a number as written, a string unescaped, a boolean spelt out.
enum ScalarText<'a> {
    Text(std::borrow::Cow<'a, str>),
    Bool(bool),
}

impl<'a> ScalarText<'a> {
    /// The number or boolean coming next.
    fn read(json: &mut Reader<'a>) -> Result<Self> {
        match json.peek()? {
            Kind::Bool => json.bool().map(ScalarText::Bool),
            _ => json
                .number()
                .map(|text| ScalarText::Text(std::borrow::Cow::Borrowed(text))),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            ScalarText::Text(text) => text,
            ScalarText::Bool(true) => "true",
            ScalarText::Bool(false) => "false",
        }
    }
}

scalar_from_json!(
    i32 => "a 32-bit integer", Kind::Number,
    i64 => "a 64-bit integer", Kind::Number,
    f32 => "a number", Kind::Number,
    f64 => "a number", Kind::Number,
    bool => "a boolean", Kind::Bool
);

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        let mut items = Vec::new();
        json.array(|_, json| {
            if let Some(item) = T::from_optional_json(json)? {
                items.push(item);
            }
            Ok(())
        })?;
        Ok(items)
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        let mut map = BTreeMap::new();
        json.map(|key, json| {
            if let Some(value) = T::from_optional_json(json)? {
                map.insert(key.to_owned(), value);
            }
            Ok(())
        })?;
        Ok(map)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        T::from_json(json).map(Box::new)
    }
}

/// Untyped members (type `any`) are handed to the caller as `serde_json::Value`, the common
/// currency of Rust JSON code. Numbers convert exactly where serde_json can hold them, and are
/// kept as their text otherwise. The tree is built without recursion, so a document nested to
/// [`MAX_DEPTH`] needs no more stack than a flat one.
impl FromJson for serde_json::Value {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        use serde_json::Value;
        /// A container being filled: an array, or an object and the name of its next member.
        enum Open {
            Array(Vec<Value>),
            Object(serde_json::Map<String, Value>, String),
        }
        let mut open: Vec<Open> = Vec::new();
        loop {
            json.tick()?;
            let mut value = match json.peek()? {
                Kind::Object => {
                    if json.open(b'}')? {
                        Value::Object(serde_json::Map::new())
                    } else {
                        let name = json.member_name()?.into_owned();
                        open.push(Open::Object(serde_json::Map::new(), name));
                        continue;
                    }
                }
                Kind::Array => {
                    if json.open(b']')? {
                        Value::Array(Vec::new())
                    } else {
                        open.push(Open::Array(Vec::new()));
                        continue;
                    }
                }
                Kind::Null => {
                    json.null()?;
                    Value::Null
                }
                Kind::Bool => Value::Bool(json.bool()?),
                Kind::Number => {
                    let text = json.number()?;
                    serde_json::from_str(text)
                        .ok()
                        .filter(Value::is_number)
                        .unwrap_or_else(|| Value::String(text.to_owned()))
                }
                Kind::String => Value::String(json.string()?.into_owned()),
            };
            // Put the value in its container, closing every container it ends.
            loop {
                let Some(container) = open.pop() else {
                    return Ok(value);
                };
                match container {
                    Open::Array(mut items) => {
                        items.push(value);
                        if !json.closes(b']', "expected `,` or `]`")? {
                            open.push(Open::Array(items));
                            break;
                        }
                        value = Value::Array(items);
                    }
                    Open::Object(mut members, name) => {
                        members.insert(name, value);
                        if !json.closes(b'}', "expected `,` or `}`")? {
                            let name = json.member_name()?.into_owned();
                            open.push(Open::Object(members, name));
                            break;
                        }
                        value = Value::Object(members);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
