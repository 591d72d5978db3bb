//! An operation's answer: the members of an object, or what another answer holds (an array, a
//! scalar, text, bytes).

use acs_spec::model::{BodyFormat, FieldSpec, Gateway, ItemSpec, ResponseBodySpec, TypeName};
use serde_json::Value;

use super::operation::Context;
use super::schema::Schemas;
use crate::notes::Notes;
use crate::openmeta::Api;

/// Response headers that say nothing about the operation (the connection's, the server's):
/// left out of `response_headers`.
const TRANSPORT_HEADERS: &[&str] = &[
    "server",
    "connection",
    "date",
    "content-length",
    "access-control-allow-origin",
    "transfer-encoding",
    "keep-alive",
];

/// What a successful answer holds.
pub(crate) struct Answer {
    /// Members of a JSON object, or of an XML document's root element.
    pub(crate) members: Vec<FieldSpec>,
    /// A body of another shape.
    pub(crate) body: Option<ResponseBodySpec>,
    /// The root element of an XML answer.
    pub(crate) root: Option<String>,
    /// Members read from headers.
    pub(crate) headers: Vec<FieldSpec>,
}

/// The answer from the first 2xx response: its schema's object members (or the members of an
/// XML document's root element, through the OSS gateway), or a body of another shape; and the
/// headers it documents.
pub(crate) fn convert_response(cx: &Context<'_>, api: &Api, notes: &mut Notes) -> Answer {
    let mut statuses: Vec<&String> = api
        .responses
        .keys()
        .filter(|status| status.starts_with('2'))
        .collect();
    statuses.sort();
    let first = statuses
        .first()
        .map(|status| &api.responses[status.as_str()]);
    let headers = first.map(response_headers).unwrap_or_default();
    let xml = cx.gateway == Some(Gateway::Oss)
        && api.produces.iter().any(|produced| produced.contains("xml"));
    let (members, body, root) = match first.and_then(|answer| answer.get("schema")) {
        Some(schema) if xml => xml_answer(cx.schemas, schema, notes),
        Some(schema) => {
            let (members, body) = json_answer(cx.schemas, schema, notes);
            (members, body, None)
        }
        None => (Vec::new(), None, None),
    };
    Answer {
        members,
        body,
        root,
        headers,
    }
}

/// The headers a 2xx answer documents, as text members (HTTP header values are text; the
/// metadata's integer types do not hold OSS's unsigned CRC-64 values), without the transport's
/// own and without families (`x-oss-meta-*`).
fn response_headers(answer: &Value) -> Vec<FieldSpec> {
    let Some(headers) = answer.get("headers").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut fields: Vec<FieldSpec> = Vec::new();
    for (name, header) in headers {
        // The metadata spells some names with non-breaking hyphens (U+2011).
        let name: String = name.trim().replace('\u{2011}', "-");
        let plain = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain
            || TRANSPORT_HEADERS.contains(&name.to_ascii_lowercase().as_str())
            || fields.iter().any(|f| f.name.eq_ignore_ascii_case(&name))
        {
            continue;
        }
        let schema = header.get("schema").unwrap_or(&Value::Null);
        fields.push(FieldSpec {
            name,
            type_name: TypeName::String,
            reference: None,
            description: super::read::description(schema),
            example: None,
            required: false,
            deprecated: false,
            items: None,
            fields: None,
            values: None,
        });
    }
    fields
}

/// An OSS XML answer: the schema is an object whose one property is the root element (or a
/// named schema, whose name is the root's).
fn xml_answer(
    schemas: &Schemas<'_>,
    schema: &Value,
    notes: &mut Notes,
) -> (Vec<FieldSpec>, Option<ResponseBodySpec>, Option<String>) {
    let mut walk = schemas.walk(notes);
    let Some(resolved) = walk.deref(schema, "response") else {
        return (Vec::new(), None, None);
    };
    if resolved.get("type").and_then(Value::as_str) == Some("string") {
        let (members, body) = json_answer(schemas, schema, notes);
        return (members, body, None);
    }
    let Some(properties) = resolved.get("properties").and_then(Value::as_object) else {
        return (Vec::new(), None, None);
    };
    let single = (properties.len() == 1)
        .then(|| properties.iter().next())
        .flatten();
    if let Some((root, element)) = single
        && let Some(element) = walk.deref(element, root)
        && let Some(members) = element.get("properties").and_then(Value::as_object)
    {
        let fields = walk.fields(&element, members, "response");
        return (fields, None, Some(root.clone()));
    }
    let root = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.rsplit('/').next())
        .map(str::to_owned);
    (walk.fields(&resolved, properties, "response"), None, root)
}

/// A JSON answer: object members, or a body of another shape.
fn json_answer(
    schemas: &Schemas<'_>,
    schema: &Value,
    notes: &mut Notes,
) -> (Vec<FieldSpec>, Option<ResponseBodySpec>) {
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
