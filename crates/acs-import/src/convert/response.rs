//! An operation's answer: the members of an object, or what another answer holds (an array, a
//! scalar, text, bytes).

use acs_spec::model::{BodyFormat, FieldSpec, ItemSpec, ResponseBodySpec, TypeName};
use serde_json::Value;

use super::schema::Schemas;
use crate::notes::Notes;
use crate::openmeta::Api;

/// The answer from the first 2xx response's schema: object members, or a body of another
/// shape.
pub(crate) fn convert_response(
    schemas: &Schemas<'_>,
    api: &Api,
    notes: &mut Notes,
) -> (Vec<FieldSpec>, Option<ResponseBodySpec>) {
    let mut statuses: Vec<&String> = api
        .responses
        .keys()
        .filter(|status| status.starts_with('2'))
        .collect();
    statuses.sort();
    let Some(schema) = statuses
        .first()
        .and_then(|status| api.responses[status.as_str()].get("schema"))
    else {
        return (Vec::new(), None);
    };
    let mut walk = schemas.walk(notes);
    let resolved = walk.deref(schema, "response").unwrap_or_else(|| {
        // A dangling `$ref` beside inline members: the inline part is what there is.
        let mut own = schema.clone();
        if let Value::Object(own) = &mut own {
            own.remove("$ref");
        }
        own
    });
    let declared = resolved.get("type").and_then(Value::as_str).unwrap_or("");
    let format = resolved.get("format").and_then(Value::as_str).unwrap_or("");
    match declared {
        // An array with members too (CS DescribeClusters) is an array, as the SDKs read it.
        "array" => {
            let items_schema = resolved.get("items").unwrap_or(&Value::Null);
            let items = walk.item(items_schema, "response[]");
            (
                Vec::new(),
                Some(body(
                    BodyFormat::Json,
                    Some(TypeName::Array),
                    Some(Box::new(items)),
                )),
            )
        }
        "string" if matches!(format, "binary" | "byte") => {
            (Vec::new(), Some(body(BodyFormat::Binary, None, None)))
        }
        "string" => (Vec::new(), Some(body(BodyFormat::Text, None, None))),
        // Untyped answers are kept as bytes: they need not be JSON (aicontent's examples say
        // `BinaryData`).
        "any" => (Vec::new(), Some(body(BodyFormat::Binary, None, None))),
        "integer" | "number" | "boolean" => {
            let ty = walk.ty(&resolved, "response");
            (
                Vec::new(),
                Some(body(BodyFormat::Json, Some(ty.type_name), None)),
            )
        }
        _ => match resolved.get("properties").and_then(Value::as_object) {
            Some(properties) if !properties.is_empty() => {
                (walk.fields(&resolved, properties, "response"), None)
            }
            _ => {
                let ty = walk.ty(&resolved, "response");
                let map = ty.type_name == TypeName::Map;
                (
                    Vec::new(),
                    map.then(|| body(BodyFormat::Json, Some(TypeName::Map), ty.items)),
                )
            }
        },
    }
}

fn body(
    format: BodyFormat,
    type_name: Option<TypeName>,
    items: Option<Box<ItemSpec>>,
) -> ResponseBodySpec {
    ResponseBodySpec {
        format,
        type_name,
        reference: None,
        description: None,
        items,
        fields: None,
        values: None,
    }
}
