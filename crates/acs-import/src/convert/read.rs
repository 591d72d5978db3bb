//! Loosely typed metadata values read as the spec needs them: text, flags, examples and
//! descriptions.

use serde_json::Value;

/// Trimmed text; `None` for anything else, or nothing but whitespace.
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// `true`, or the text `true` in any case.
pub(crate) fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Examples are kept as the metadata writes them (numbers often as strings); empty ones are
/// dropped.
pub(crate) fn example(value: Option<&Value>) -> Option<Value> {
    match value? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(Value::String(s.trim().to_owned())),
        Value::Number(n) if n.is_u64() && n.as_i64().is_none() => {
            Some(Value::String(n.to_string()))
        }
        other => Some(other.clone()),
    }
}

/// A schema's description, or its title when it has none.
pub(crate) fn description(schema: &Value) -> Option<String> {
    text(schema.get("description")).or_else(|| text(schema.get("title")))
}
