//! The spec format's JSON Schema, derived from [`crate::model`], and a checker that reports
//! every violation in a document at once.
//!
//! serde stops at the first problem; people fixing a spec want the whole list. So documents are
//! checked against the schema first (collecting everything), and serde only runs on documents
//! that passed. The checker understands the subset of JSON Schema that schemars emits for our
//! model: `$ref`, `type`, `properties`, `required`, `additionalProperties`, `items`, `const`,
//! `enum`, `oneOf`/`anyOf`, `minimum`/`maximum`.

use serde_json::{Map, Value, json};

use crate::model::{OperationSpec, ServiceSpec};
use crate::source::FieldPath;

/// Which kind of spec document a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// `service.yaml`
    Service,
    /// `<OperationName>.yaml`
    Operation,
}

impl DocumentKind {
    fn definition(self) -> &'static str {
        match self {
            DocumentKind::Service => "ServiceSpec",
            DocumentKind::Operation => "OperationSpec",
        }
    }
}

/// The schema written to `specs/spec.schema.json`: either kind of document, with both
/// definitions under `$defs` so editors can also point at one of them.
pub fn spec_json_schema() -> Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let service = generator.subschema_for::<ServiceSpec>();
    let operation = generator.subschema_for::<OperationSpec>();
    let definitions = generator.take_definitions(true);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Alibaba Cloud API spec (service.yaml or <OperationName>.yaml)",
        "description": "Generated from crates/acs-spec/src/model.rs by `cargo xtask codegen`; do not edit.",
        "oneOf": [service.to_value(), operation.to_value()],
        "$defs": Value::Object(definitions),
    })
}

/// A schema violation: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the offending node.
    pub path: FieldPath,
    /// Whether the position to report is the node's key (for unknown keys) rather than its value.
    pub at_key: bool,
    /// What is wrong.
    pub message: String,
}

/// Checks `document` against the schema of `kind`, returning every violation.
pub fn check(schema: &Value, kind: DocumentKind, document: &Value) -> Vec<Violation> {
    let root = json!({ "$ref": format!("#/$defs/{}", kind.definition()) });
    let mut checker = Checker {
        schema,
        violations: Vec::new(),
    };
    checker.check(&root, document, &FieldPath::default());
    checker.violations
}

struct Checker<'s> {
    schema: &'s Value,
    violations: Vec<Violation>,
}

impl<'s> Checker<'s> {
    fn resolve(&self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            schema = self
                .schema
                .pointer(pointer)
                .unwrap_or_else(|| panic!("the generated schema has no {reference}"));
        }
        schema
    }

    fn report(&mut self, path: &FieldPath, message: String) {
        self.violations.push(Violation {
            path: path.clone(),
            at_key: false,
            message,
        });
    }

    fn check(&mut self, schema: &'s Value, value: &Value, path: &FieldPath) {
        let schema = self.resolve(schema);
        if schema == &Value::Bool(true) {
            return;
        }
        if let Some(alternatives) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            self.check_alternatives(alternatives, value, path);
            return;
        }
        if let Some(allowed) = allowed_strings(schema) {
            self.check_allowed(&allowed, value, path);
            return;
        }
        if let Some(types) = schema.get("type") {
            let types: Vec<&str> = match types {
                Value::String(single) => vec![single.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !types.iter().any(|t| has_type(value, t)) {
                let expected: Vec<String> = types.iter().map(|t| article(t)).collect();
                self.report(
                    path,
                    format!(
                        "expected {}, found {}",
                        expected.join(" or "),
                        describe(value)
                    ),
                );
                return;
            }
        }
        match value {
            Value::Object(map) => self.check_object(schema, map, path),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &path.index(index));
                    }
                }
            }
            Value::Number(number) => self.check_range(schema, number, path),
            _ => {}
        }
    }

    fn check_alternatives(&mut self, alternatives: &'s [Value], value: &Value, path: &FieldPath) {
        let resolved: Vec<&Value> = alternatives.iter().map(|a| self.resolve(a)).collect();
        let constants: Option<Vec<String>> = resolved
            .iter()
            .map(|alternative| allowed_strings(alternative))
            .collect::<Option<Vec<_>>>()
            .map(|lists| lists.concat());
        if let Some(allowed) = constants {
            self.check_allowed(&allowed, value, path);
            return;
        }
        // Check against the alternative whose JSON type fits, so the user sees the errors
        // inside it rather than a vague "matches none of".
        let fitting = resolved.iter().find(|alternative| {
            alternative
                .get("type")
                .and_then(Value::as_str)
                .is_none_or(|t| has_type(value, t))
        });
        match fitting {
            Some(alternative) => self.check(alternative, value, path),
            None => self.report(path, format!("unexpected {}", describe(value))),
        }
    }

    fn check_allowed(&mut self, allowed: &[String], value: &Value, path: &FieldPath) {
        if !value
            .as_str()
            .is_some_and(|text| allowed.iter().any(|a| a == text))
        {
            self.report(
                path,
                format!(
                    "expected one of {}, found {}",
                    quoted_list(allowed),
                    describe(value)
                ),
            );
        }
    }

    fn check_object(&mut self, schema: &'s Value, map: &Map<String, Value>, path: &FieldPath) {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(required) {
                self.report(path, format!("missing required key `{required}`"));
            }
        }
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (key, value) in map {
            match properties.and_then(|p| p.get(key)) {
                Some(property) => self.check(property, value, &path.key(key)),
                None if closed => {
                    let known: Vec<String> = properties
                        .into_iter()
                        .flat_map(|p| p.keys().cloned())
                        .collect();
                    self.violations.push(Violation {
                        path: path.key(key),
                        at_key: true,
                        message: match closest(key, &known, 2) {
                            Some(suggestion) => format!(
                                "unknown key `{key}` (did you mean `{suggestion}`?); expected one of {}",
                                quoted_list(&known)
                            ),
                            None => format!(
                                "unknown key `{key}`; expected one of {}",
                                quoted_list(&known)
                            ),
                        },
                    });
                }
                None => {}
            }
        }
    }

    fn check_range(&mut self, schema: &Value, number: &serde_json::Number, path: &FieldPath) {
        let Some(value) = number.as_f64() else { return };
        if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
            && value < minimum
        {
            self.report(path, format!("must be at least {minimum}, found {number}"));
        }
        if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64)
            && value > maximum
        {
            self.report(path, format!("must be at most {maximum}, found {number}"));
        }
    }
}

/// The strings a schema admits when it is a `const` or an `enum` of strings.
fn allowed_strings(schema: &Value) -> Option<Vec<String>> {
    if let Some(constant) = schema.get("const") {
        return constant.as_str().map(|c| vec![c.to_owned()]);
    }
    schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| {
            values
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
}

/// The known name within `max_edits` edits of a misspelt one, ignoring case, if any: what a
/// "did you mean" suggests.
pub(crate) fn closest<'k>(name: &str, known: &'k [String], max_edits: usize) -> Option<&'k str> {
    let name = name.to_lowercase();
    known
        .iter()
        .map(|candidate| (edit_distance(&name, &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= max_edits)
        .min()
        .map(|(_, candidate)| candidate.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

fn has_type(value: &Value, json_type: &str) -> bool {
    match json_type {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn article(json_type: &str) -> String {
    match json_type {
        "integer" => "an integer".to_owned(),
        "array" => "a list".to_owned(),
        "object" => "a mapping".to_owned(),
        "null" => "nothing".to_owned(),
        other => format!("a {other}"),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing (null)".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("`{s}`"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
