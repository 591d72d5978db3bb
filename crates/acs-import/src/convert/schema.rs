//! Metadata schemas (JSON Schema, with `$ref`s into `components.schemas`) as spec types:
//! which components become named types, and one walk down a schema at a time.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use acs_spec::model::{EnumValueSpec, FieldSpec, ItemSpec, NamedTypeSpec, TypeName};
use acs_spec::names;
use serde_json::{Map, Value};

use super::members::{MemberList, drop_colliding, legacy};
use super::read::{description, example, text, truthy};
use crate::notes::Notes;

/// Nesting deeper than this becomes `any` (guards against pathological schemas).
const MAX_DEPTH: usize = 32;

/// The metadata's `components.schemas`, and which of them the converted operations use.
pub(crate) struct Schemas<'a> {
    components: &'a Map<String, Value>,
    /// Components that become named types (objects with members, string enums), by name.
    nameable: BTreeMap<String, TypeName>,
    /// Named components the converted operations refer to.
    used: RefCell<BTreeSet<String>>,
}

/// A converted type: what a parameter, field or item says about its value.
pub(crate) struct Ty {
    pub(crate) type_name: TypeName,
    pub(crate) reference: Option<String>,
    pub(crate) items: Option<Box<ItemSpec>>,
    pub(crate) fields: Option<Vec<FieldSpec>>,
    pub(crate) values: Option<Vec<EnumValueSpec>>,
}

impl Ty {
    fn simple(type_name: TypeName) -> Ty {
        Ty {
            type_name,
            reference: None,
            items: None,
            fields: None,
            values: None,
        }
    }
}

fn any_item() -> ItemSpec {
    ItemSpec {
        reference: None,
        type_name: TypeName::Any,
        description: None,
        items: None,
        fields: None,
        values: None,
    }
}

impl<'a> Schemas<'a> {
    pub(crate) fn new(components: &'a Map<String, Value>) -> Self {
        Schemas {
            components,
            nameable: nameable_components(components),
            used: RefCell::default(),
        }
    }

    /// A walk down schemas from a root (a parameter, a response, a component), reporting what
    /// it adapts to `notes`.
    pub(crate) fn walk<'w>(&'w self, notes: &'w mut Notes) -> Walk<'w> {
        Walk {
            schemas: self,
            stack: Vec::new(),
            notes,
        }
    }

    /// The named type a `$ref` refers to, when its component becomes one.
    fn named_component(&self, schema: &Value) -> Option<(String, TypeName)> {
        let reference = schema.get("$ref")?.as_str()?;
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or(reference);
        let kind = *self.nameable.get(name)?;
        self.used.borrow_mut().insert(name.to_owned());
        Some((name.to_owned(), kind))
    }

    /// The named types for every component the converted operations (and those types) refer
    /// to, sorted by name.
    pub(crate) fn named_types(&self, notes: &mut Notes) -> Vec<NamedTypeSpec> {
        let mut done: BTreeMap<String, NamedTypeSpec> = BTreeMap::new();
        loop {
            let pending: Vec<String> = self
                .used
                .borrow()
                .iter()
                .filter(|name| !done.contains_key(*name))
                .cloned()
                .collect();
            if pending.is_empty() {
                return done.into_values().collect();
            }
            for name in pending {
                let schema = &self.components[&name];
                let at = format!("components.schemas.{name}");
                let ty = self.walk(notes).ty(schema, &at);
                done.insert(
                    name.clone(),
                    NamedTypeSpec {
                        name,
                        type_name: ty.type_name,
                        description: description(schema),
                        fields: ty.fields,
                        values: ty.values,
                    },
                );
            }
        }
    }
}

/// Which components become named types: objects with members and string enums whose Rust names
/// are free (unique, not a prelude name). Others are inlined where they are referred to.
fn nameable_components(schemas: &Map<String, Value>) -> BTreeMap<String, TypeName> {
    let mut by_rust: HashMap<String, Vec<&String>> = HashMap::new();
    for name in schemas.keys() {
        by_rust
            .entry(names::upper_camel_base(name))
            .or_default()
            .push(name);
    }
    schemas
        .iter()
        .filter(|(name, _)| {
            let rust = names::upper_camel_base(name);
            by_rust[&rust].len() == 1
                && !names::generated::PRELUDE_TYPES.contains(&rust.as_str())
                && !name.is_empty()
        })
        .filter_map(|(name, schema)| {
            if schema.get("$ref").is_some() {
                return None;
            }
            let has_members = schema
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            let declared = schema.get("type").and_then(Value::as_str).unwrap_or("");
            if has_members && matches!(declared, "object" | "") {
                return Some((name.clone(), TypeName::Object));
            }
            let enum_like = matches!(declared, "string" | "")
                && (schema.get("enum").is_some() || schema.get("enumValueTitles").is_some());
            (enum_like && matches!(enum_values(schema), Ok(Some(_))))
                .then(|| (name.clone(), TypeName::Enum))
        })
        .collect()
}

/// The values of a string enum (`enum`, or the keys of `enumValueTitles`), described by their
/// titles: `Ok(None)` when there are none, `Err` with the reason when they cannot become Rust
/// variants.
fn enum_values(schema: &Value) -> Result<Option<Vec<EnumValueSpec>>, String> {
    let titles = schema.get("enumValueTitles").and_then(Value::as_object);
    let mut values: Vec<String> = Vec::new();
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(list) = schema.get("enum").and_then(Value::as_array) {
        values.extend(list.iter().map(as_text));
    }
    if values.is_empty()
        && let Some(titles) = titles
    {
        values.extend(titles.keys().cloned());
    }
    let mut unique: Vec<String> = Vec::new();
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    if unique.is_empty() {
        return Ok(None);
    }
    let mut variants: HashMap<String, &str> = HashMap::new();
    for value in &unique {
        let variant = names::upper_camel_ident(value);
        if variant == "Unknown" {
            return Err(format!(
                "enum value `{value}` would take the reserved variant name `Unknown`; using type `string`"
            ));
        }
        if let Some(other) = variants.insert(variant.clone(), value) {
            return Err(format!(
                "enum values `{other}` and `{value}` both become the Rust variant `{variant}`; using type `string`"
            ));
        }
    }
    Ok(Some(
        unique
            .into_iter()
            .map(|value| {
                let description = titles
                    .and_then(|t| text(t.get(&value)))
                    .filter(|title| *title != value);
                EnumValueSpec { value, description }
            })
            .collect(),
    ))
}

/// One walk down a schema: the components followed on the way (and one empty entry per
/// inline level), to stop at recursion and at [`MAX_DEPTH`].
pub(crate) struct Walk<'w> {
    schemas: &'w Schemas<'w>,
    stack: Vec<String>,
    notes: &'w mut Notes,
}

impl Walk<'_> {
    /// Follows `$ref`s: the referenced schema with the referring node's own keys on top.
    /// `None` (type `any`, with a warning) for a dangling or recursive reference. The names
    /// followed stay on the walk's stack, so what the resolved schema holds cannot lead back
    /// to them, until [`Walk::node`] returns (or, for a response's root, the walk ends).
    pub(crate) fn deref(&mut self, schema: &Value, at: &str) -> Option<Value> {
        let mark = self.stack.len();
        let mut current = schema.clone();
        while let Some(reference) = current
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_owned)
        {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or(&reference)
                .to_owned();
            let target = self.schemas.components.get(&name);
            let problem = if target.is_none() {
                Some(format!(
                    "`$ref` `{reference}` names no schema in the metadata; using type `any`"
                ))
            } else if self.stack.contains(&name) {
                Some(format!(
                    "`$ref` `{reference}` refers to itself (recursive schema); using type `any`"
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                self.notes.warn(at, problem);
                self.stack.truncate(mark);
                return None;
            }
            self.stack.push(name);
            let mut merged = target.cloned().unwrap_or_default();
            if let (Value::Object(merged), Value::Object(own)) = (&mut merged, &current) {
                for (key, value) in own {
                    if key != "$ref" {
                        merged.insert(key.clone(), value.clone());
                    }
                }
            }
            current = merged;
        }
        Some(current)
    }

    /// The type of `schema` (after following `$ref`s) and the resolved schema.
    pub(crate) fn node(&mut self, schema: &Value, at: &str) -> (Ty, Value) {
        if self.stack.len() > MAX_DEPTH {
            self.notes.warn(at, "nested too deeply; using type `any`");
            return (Ty::simple(TypeName::Any), schema.clone());
        }
        if let Some((name, kind)) = self.schemas.named_component(schema) {
            // The value's own documentation (on the referring node) comes first.
            let resolved = match (self.schemas.components.get(&name), schema) {
                (Some(Value::Object(target)), Value::Object(own)) => {
                    let mut merged = target.clone();
                    merged.extend(
                        own.iter()
                            .filter(|(k, _)| *k != "$ref")
                            .map(|(k, v)| (k.clone(), v.clone())),
                    );
                    Value::Object(merged)
                }
                _ => schema.clone(),
            };
            return (
                Ty {
                    reference: Some(name),
                    ..Ty::simple(kind)
                },
                resolved,
            );
        }
        let depth = self.stack.len();
        let Some(resolved) = self.deref(schema, at) else {
            return (Ty::simple(TypeName::Any), schema.clone());
        };
        // Count nesting too, so deep inline schemas stop as well.
        self.stack.push(String::new());
        let ty = self.ty(&resolved, at);
        self.stack.truncate(depth);
        (ty, resolved)
    }

    /// The type of a schema whose `$ref`s are followed.
    pub(crate) fn ty(&mut self, schema: &Value, at: &str) -> Ty {
        let declared = schema.get("type").and_then(Value::as_str).unwrap_or("");
        let properties = schema.get("properties").and_then(Value::as_object);
        let kind = match declared {
            "" if properties.is_some() => "object",
            "" if schema.get("items").is_some() => "array",
            "" if schema.get("enum").is_some() || schema.get("enumValueTitles").is_some() => {
                "string"
            }
            other => other,
        };
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        match kind {
            "string" => self.string_or_enum(schema, at),
            "integer" => Ty::simple(if format == "int32" {
                TypeName::Int32
            } else {
                TypeName::Int64
            }),
            "number" => Ty::simple(if format == "float" {
                TypeName::Float
            } else {
                TypeName::Double
            }),
            "boolean" => Ty::simple(TypeName::Boolean),
            "array" => {
                let items = match schema.get("items") {
                    Some(items) => self.item(items, &format!("{at}[]")),
                    None => any_item(),
                };
                Ty {
                    items: Some(Box::new(items)),
                    ..Ty::simple(TypeName::Array)
                }
            }
            "object" => {
                if let Some(properties) = properties.filter(|p| !p.is_empty()) {
                    let fields = self.fields(schema, properties, at);
                    return Ty {
                        fields: Some(fields),
                        ..Ty::simple(TypeName::Object)
                    };
                }
                match schema.get("additionalProperties") {
                    Some(Value::Object(value)) if !value.is_empty() => Ty {
                        items: Some(Box::new(
                            self.item(&Value::Object(value.clone()), &format!("{at}{{}}")),
                        )),
                        ..Ty::simple(TypeName::Map)
                    },
                    Some(Value::Object(_) | Value::Bool(true)) => Ty {
                        items: Some(Box::new(any_item())),
                        ..Ty::simple(TypeName::Map)
                    },
                    _ => Ty::simple(TypeName::Any),
                }
            }
            "any" | "" => Ty::simple(TypeName::Any),
            other => {
                self.notes
                    .warn(at, format!("unknown type `{other}`; using type `any`"));
                Ty::simple(TypeName::Any)
            }
        }
    }

    fn string_or_enum(&mut self, schema: &Value, at: &str) -> Ty {
        match enum_values(schema) {
            Ok(None) => Ty::simple(TypeName::String),
            Ok(Some(values)) => Ty {
                values: Some(values),
                ..Ty::simple(TypeName::Enum)
            },
            Err(clash) => {
                self.notes.warn(at, clash);
                Ty::simple(TypeName::String)
            }
        }
    }

    /// A list's item or a map's value.
    pub(crate) fn item(&mut self, schema: &Value, at: &str) -> ItemSpec {
        let (ty, resolved) = self.node(schema, at);
        ItemSpec {
            reference: ty.reference,
            type_name: ty.type_name,
            description: description(&resolved),
            items: ty.items,
            fields: ty.fields,
            values: ty.values,
        }
    }

    /// An object's members (`properties`), required as `parent` lists them or as each says.
    pub(crate) fn fields(
        &mut self,
        parent: &Value,
        properties: &Map<String, Value>,
        at: &str,
    ) -> Vec<FieldSpec> {
        let required_list: Vec<&str> = parent
            .get("required")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = properties
            .iter()
            .map(|(name, schema)| {
                let (ty, resolved) = self.node(schema, &format!("{at}.{name}"));
                FieldSpec {
                    reference: ty.reference,
                    name: name.clone(),
                    type_name: ty.type_name,
                    description: description(&resolved),
                    example: example(resolved.get("example")),
                    required: truthy(resolved.get("required"))
                        || required_list.contains(&name.as_str()),
                    deprecated: truthy(resolved.get("deprecated")),
                    items: ty.items,
                    fields: ty.fields,
                    values: ty.values,
                }
            })
            .collect();
        drop_colliding(
            fields,
            |f| &f.name,
            |f| legacy(f.deprecated, f.description.as_ref()),
            &MemberList {
                what: "members",
                at,
            },
            self.notes,
        )
    }
}
