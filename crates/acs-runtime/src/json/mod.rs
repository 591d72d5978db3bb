//! JSON response bodies, decoded without serde's derive.
//!
//! A body is parsed once into a [`Value`] tree ([`parse`]); generated response types then take
//! their members out of it by wire name ([`Object::take`]), one line per field. This keeps the
//! per-operation code small (a serde `Deserialize` derive expands to a visitor per struct, which
//! was two thirds of a generated crate's compile time) and puts every decoding rule in one place:
//!
//! - **Lenient scalars**, as the official SDKs behave: a number or boolean sent as a string
//!   (`"200"`, `"true"`) decodes into a numeric or boolean field, and `""` there means absent; a
//!   string field accepts a number or boolean and keeps its exact text (`12345678901234567890123`
//!   and `1.0` stay as written, because numbers are kept as their source text).
//! - **Absent and `null` are the same**: every response field is optional.
//! - **Errors name the field, never the value**: a response value may be a secret (an API can
//!   return an AccessKey), so a [`DecodeError`] says where and what type was expected, e.g.
//!   ``at `Items.BackupPlanDetail[3].Status`: expected a number, found a string``.
//! - **Bounded nesting**: documents nested deeper than [`MAX_DEPTH`] are refused while parsing,
//!   so a hostile body cannot exhaust the stack (the parser recurses once per container; the
//!   deepest document fits in a quarter of a default 2 MiB thread stack, unoptimised).

use std::collections::BTreeMap;
use std::fmt;

mod parse;

pub(crate) use parse::{ParseFailure, parse_before};
pub use parse::{SyntaxError, parse};

/// The deepest nesting of arrays and objects a body may have.
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON document. Numbers keep their source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, exactly as written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Object),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The members of an object; `null` gives an empty object.
    pub fn into_object(self) -> Result<Object> {
        match self {
            Value::Object(object) => Ok(object),
            Value::Null => Ok(Object::default()),
            other => Err(DecodeError::expected("an object", &other)),
        }
    }

    /// The member `key` of an object, if this is one and has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(object) => object.get(key),
            _ => None,
        }
    }
}

/// The members of a JSON object, in document order.
///
/// The names are kept back to back in one string: an answer's objects have a handful of
/// members each, and a string per name was a third of a small answer's allocations. Both parts
/// are boxed slices, exactly sized, so a [`Value`] stays five words.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Object {
    /// Every member's name, in order, back to back.
    names: Box<str>,
    /// Each member's value, with where its name ends in `names` (it starts where the
    /// previous member's ends).
    members: Box<[(usize, Value)]>,
}

impl Object {
    /// The name of member `index`.
    fn name(&self, index: usize) -> &str {
        let start = index
            .checked_sub(1)
            .map_or(0, |previous| self.members[previous].0);
        &self.names[start..self.members[index].0]
    }

    /// The index of the last member named `key`.
    fn position(&self, key: &str) -> Option<usize> {
        (0..self.members.len())
            .rev()
            .find(|&index| self.name(index) == key)
    }

    /// The value of `key`; the last one when a key is repeated, as serde_json does.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|index| &self.members[index].1)
    }

    /// Removes `key` and decodes its value; `None` when absent or `null`. An error names `key`.
    pub fn take<T: FromJson>(&mut self, key: &str) -> Result<Option<T>> {
        let Some(index) = self.position(key) else {
            return Ok(None);
        };
        let value = std::mem::replace(&mut self.members[index].1, Value::Null);
        T::from_optional_json(value).map_err(|error| error.within(PathSegment::Key(key.into())))
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The members, in document order.
    pub fn into_members(self) -> Vec<(String, Value)> {
        let mut start = 0;
        self.members
            .into_vec()
            .into_iter()
            .map(|(end, value)| {
                let name = self.names[start..end].to_owned();
                start = end;
                (name, value)
            })
            .collect()
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                (0..self.members.len()).map(|index| (self.name(index), &self.members[index].1)),
            )
            .finish()
    }
}

/// A piece of the path to a value inside a body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSegment {
    Key(Box<str>),
    Index(usize),
}

/// A body that does not fit the response type. Names where, never the value found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Innermost segment first (errors grow outwards as they return).
    path: Vec<PathSegment>,
    message: String,
}

impl DecodeError {
    /// An error at the current value.
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// "expected `what`, found `<kind of found>`".
    pub fn expected(what: &str, found: &Value) -> Self {
        Self::new(format!("expected {what}, found {}", found.kind()))
    }

    fn within(mut self, segment: PathSegment) -> Self {
        self.path.push(segment);
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
            }
        }
        out
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path(), self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// What decoding gives: a value, or where the body did not fit.
pub type Result<T> = std::result::Result<T, DecodeError>;

/// A type that decodes from a JSON [`Value`]; generated response types implement it.
pub trait FromJson: Sized {
    /// Decodes `value`.
    fn from_json(value: Value) -> Result<Self>;

    /// Decodes a member's value, where `null` (and, for scalars, `""`) means absent.
    fn from_optional_json(value: Value) -> Result<Option<Self>> {
        match value {
            Value::Null => Ok(None),
            value => Self::from_json(value).map(Some),
        }
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self> {
        match value {
            Value::String(text) | Value::Number(text) => Ok(text),
            Value::Bool(flag) => Ok(flag.to_string()),
            other => Err(DecodeError::expected("a string", &other)),
        }
    }
}

/// Numbers and booleans: the JSON type itself, or a string holding one; `""` means absent.
macro_rules! scalar_from_json {
    ($($ty:ty => $what:literal, $json:pat),*) => {$(
        impl FromJson for $ty {
            fn from_json(value: Value) -> Result<Self> {
                match Self::from_optional_json(value)? {
                    Some(parsed) => Ok(parsed),
                    None => Err(DecodeError::new(concat!("expected ", $what, ", found an empty string"))),
                }
            }

            fn from_optional_json(value: Value) -> Result<Option<Self>> {
                let text = match &value {
                    Value::Null => return Ok(None),
                    $json => value_text(&value),
                    Value::String(text) if text.trim().is_empty() => return Ok(None),
                    Value::String(text) => text.trim(),
                    other => return Err(DecodeError::expected($what, other)),
                };
                text.parse().map(Some).map_err(|_| DecodeError::new(concat!(
                    "expected ", $what, ", found one that does not fit"
                )))
            }
        }
    )*};
}

fn value_text(value: &Value) -> &str {
    match value {
        Value::Number(text) | Value::String(text) => text,
        Value::Bool(true) => "true",
        Value::Bool(false) => "false",
        _ => "",
    }
}

scalar_from_json!(
    i32 => "a 32-bit integer", Value::Number(_),
    i64 => "a 64-bit integer", Value::Number(_),
    f32 => "a number", Value::Number(_),
    f64 => "a number", Value::Number(_),
    bool => "a boolean", Value::Bool(_)
);

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .filter(|(_, item)| *item != Value::Null)
                .map(|(index, item)| {
                    T::from_json(item).map_err(|e| e.within(PathSegment::Index(index)))
                })
                .collect(),
            other => Err(DecodeError::expected("an array", &other)),
        }
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: Value) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (key, item) in value.into_object()?.into_members() {
            let decoded = T::from_optional_json(item)
                .map_err(|e| e.within(PathSegment::Key(key.as_str().into())))?;
            if let Some(decoded) = decoded {
                map.insert(key, decoded);
            }
        }
        Ok(map)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: Value) -> Result<Self> {
        T::from_json(value).map(Box::new)
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self> {
        Ok(value)
    }
}

/// Untyped members (type `any`) are handed to the caller as `serde_json::Value`, the common
/// currency of Rust JSON code. Numbers convert exactly where serde_json can hold them.
impl FromJson for serde_json::Value {
    fn from_json(value: Value) -> Result<Self> {
        Ok(to_serde(value))
    }
}

pub(crate) fn to_serde(value: Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(flag) => serde_json::Value::Bool(flag),
        Value::Number(text) => serde_json::from_str(&text)
            .ok()
            .filter(serde_json::Value::is_number)
            .unwrap_or(serde_json::Value::String(text)),
        Value::String(text) => serde_json::Value::String(text),
        Value::Array(items) => serde_json::Value::Array(items.into_iter().map(to_serde).collect()),
        Value::Object(object) => serde_json::Value::Object(
            object
                .into_members()
                .into_iter()
                .map(|(key, value)| (key, to_serde(value)))
                .collect(),
        ),
    }
}

/// `value` (a generated request or response, or any part of one) as a JSON document, members
/// under their wire names and unset ones left out: what the service sent, for printing or
/// storing a response.
pub fn to_value(value: &dyn crate::params::WireValue) -> serde_json::Value {
    crate::params::to_json(value).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str) -> Value {
        parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn numbers_keep_their_text() {
        let mut object = value(r#"{"Big": 12345678901234567890123, "F": 1.0, "E": 1e5}"#)
            .into_object()
            .unwrap();
        assert_eq!(
            object.take::<String>("Big").unwrap().as_deref(),
            Some("12345678901234567890123")
        );
        assert_eq!(object.take::<String>("F").unwrap().as_deref(), Some("1.0"));
        assert_eq!(object.take::<f64>("E").unwrap(), Some(100000.0));
    }

    #[test]
    fn scalars_are_lenient_both_ways() {
        let mut object = value(
            r#"{"N": "200", "B": "true", "S": true, "Empty": "", "Null": null, "Pad": " 7 "}"#,
        )
        .into_object()
        .unwrap();
        assert_eq!(object.take::<i32>("N").unwrap(), Some(200));
        assert_eq!(object.take::<bool>("B").unwrap(), Some(true));
        assert_eq!(object.take::<String>("S").unwrap().as_deref(), Some("true"));
        assert_eq!(object.take::<i64>("Empty").unwrap(), None);
        assert_eq!(object.take::<String>("Null").unwrap(), None);
        assert_eq!(object.take::<i64>("Pad").unwrap(), Some(7));
        assert_eq!(object.take::<i64>("Absent").unwrap(), None);
    }

    /// One test per scalar type: what each reads, and what it refuses. The official SDKs read
    /// a declared string from any JSON scalar, and numbers from strings.
    #[test]
    fn each_scalar_type_reads_its_json_type_and_text() {
        fn read<T: FromJson>(json: &str) -> Result<Option<T>> {
            let mut object = value(&format!(r#"{{"V": {json}}}"#)).into_object().unwrap();
            object.take::<T>("V")
        }
        // String: any scalar, numbers exactly as written.
        for (json, text) in [
            (r#""x""#, "x"),
            ("123", "123"),
            ("12345678901234567890123", "12345678901234567890123"),
            ("1.0", "1.0"),
            ("-0.5e3", "-0.5e3"),
            ("true", "true"),
            ("false", "false"),
        ] {
            assert_eq!(
                read::<String>(json).unwrap().as_deref(),
                Some(text),
                "{json}"
            );
        }
        assert!(read::<String>("[1]").is_err());
        assert!(read::<String>(r#"{"a": 1}"#).is_err());
        // Integers: numbers and strings holding them, in range.
        assert_eq!(read::<i32>("7").unwrap(), Some(7));
        assert_eq!(read::<i32>(r#"" 7 ""#).unwrap(), Some(7));
        assert_eq!(read::<i32>(r#""""#).unwrap(), None);
        assert!(read::<i32>("2147483648").is_err());
        assert!(read::<i32>("1.5").is_err());
        assert!(read::<i32>("true").is_err());
        assert_eq!(
            read::<i64>(r#""9223372036854775807""#).unwrap(),
            Some(i64::MAX)
        );
        assert!(read::<i64>("9223372036854775808").is_err());
        // Floats: numbers and strings holding them.
        assert_eq!(read::<f64>("1e5").unwrap(), Some(100000.0));
        assert_eq!(read::<f64>(r#""1.5""#).unwrap(), Some(1.5));
        assert_eq!(read::<f32>("0.25").unwrap(), Some(0.25));
        assert!(read::<f64>(r#""abc""#).is_err());
        // Booleans: booleans and the strings `true` / `false`.
        assert_eq!(read::<bool>("false").unwrap(), Some(false));
        assert_eq!(read::<bool>(r#""true""#).unwrap(), Some(true));
        assert!(read::<bool>("1").is_err());
    }

    #[test]
    fn errors_name_the_path_but_not_the_value() {
        let mut object = value(r#"{"Items": {"Detail": [{"N": 1}, {"N": "SENTINEL"}]}}"#)
            .into_object()
            .unwrap();
        #[derive(Debug)]
        struct Detail(#[allow(dead_code)] Option<i32>);
        impl FromJson for Detail {
            fn from_json(value: Value) -> Result<Self> {
                Ok(Detail(value.into_object()?.take("N")?))
            }
        }
        #[derive(Debug)]
        struct Items(#[allow(dead_code)] Option<Vec<Detail>>);
        impl FromJson for Items {
            fn from_json(value: Value) -> Result<Self> {
                Ok(Items(value.into_object()?.take("Detail")?))
            }
        }
        let error = object.take::<Items>("Items").unwrap_err();
        assert_eq!(error.path(), "Items.Detail[1].N");
        let text = error.to_string();
        assert!(!text.contains("SENTINEL"), "{text}");
        assert_eq!(
            text,
            "at `Items.Detail[1].N`: expected a 32-bit integer, found one that does not fit"
        );
    }

    #[test]
    fn repeated_keys_take_the_last_value() {
        let mut object = value(r#"{"A": 1, "B": 2, "A": 3}"#).into_object().unwrap();
        assert_eq!(object.take::<i32>("B").unwrap(), Some(2));
        assert_eq!(object.take::<i32>("A").unwrap(), Some(3));
    }

    #[test]
    fn syntax_errors_give_a_position_only() {
        let error = parse(b"{\"Secret\": SENTINEL}").unwrap_err();
        assert_eq!((error.line, error.column), (1, 12));
        assert!(!error.to_string().contains("SENTINEL"));
        assert!(parse(b"").is_err());
        assert!(parse(b"{} trailing").is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err().reason,
            "nested too deeply"
        );
        let fine = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(fine.as_bytes()).is_ok());
    }

    #[test]
    fn untyped_members_become_serde_values() {
        let mut object = value(r#"{"Any": {"a": [1, 2.5, "x", null]}}"#)
            .into_object()
            .unwrap();
        assert_eq!(
            object.take::<serde_json::Value>("Any").unwrap(),
            Some(serde_json::json!({"a": [1, 2.5, "x", null]}))
        );
    }
}
