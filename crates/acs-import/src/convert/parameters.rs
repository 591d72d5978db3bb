//! An operation's parameters: where each travels, in which style, of which type; dotted ones
//! folded into what they stand for ([`super::dotted`]).

use acs_spec::model::{ApiStyle, Gateway, ParamStyle, ParameterSpec, Position, TypeName};
use acs_spec::rules;
use serde_json::Value;

use super::Refused;
use super::dotted::fold_dotted;
use super::members::{MemberList, drop_colliding, legacy};
use super::operation::Context;
use super::read::{description, example, truthy};
use crate::RefusalReason;
use crate::notes::Notes;
use crate::openmeta::{self, Api};

/// The parameters in document order, repeated entries merged, colliding names resolved.
pub(crate) fn convert_parameters(
    cx: &Context<'_>,
    api: &Api,
    path: Option<&str>,
    notes: &mut Notes,
) -> Result<Vec<ParameterSpec>, Refused> {
    let raw = merge_repeated_parameters(&api.parameters)
        .map_err(|message| Refused::new(RefusalReason::Parameter, message))?;
    // SLS `PutLogs`: a `LogGroup` body sent compressed as this header says.
    let compressed = raw.iter().any(|p| {
        p.get("name").and_then(Value::as_str) == Some("x-log-compresstype")
            && p.get("in").and_then(Value::as_str) == Some("header")
    });
    let mut specs = Vec::new();
    for parameter in raw {
        let parameter: openmeta::Parameter = serde_json::from_value(parameter).unwrap_or_default();
        if parameter.name.trim().ends_with('*') {
            // OSS's `x-oss-meta-*`: a family of headers, which the spec format cannot name.
            notes.warn(
                "",
                format!(
                    "parameter `{}` names a family of headers, which the spec cannot express; not imported (set them through `customize`)",
                    parameter.name.trim()
                ),
            );
            continue;
        }
        specs.push(convert_parameter(cx, &parameter, path, compressed, notes)?);
    }
    let hosts = specs
        .iter()
        .filter(|p| p.position == Position::Host)
        .count();
    if hosts > 1 {
        return Err(Refused::new(
            RefusalReason::HostParameter,
            "more than one parameter travels in the host name (`in: host`); a host has one label for them",
        ));
    }
    Ok(drop_colliding(
        fold_dotted(specs, cx.style, notes),
        |p| &p.name,
        |p| legacy(p.deprecated, p.description.as_ref()),
        &MemberList {
            what: "parameters",
            at: "",
        },
        notes,
    ))
}

fn position(style: ApiStyle, given: &str) -> Result<Position, String> {
    Ok(match given {
        "query" => Position::Query,
        "body" => Position::Body,
        // RPC bodies are forms anyway; ROA ones are JSON unless they say otherwise.
        "formData" if style == ApiStyle::Roa => Position::FormData,
        "formData" => Position::Body,
        "path" => Position::Path,
        "header" => Position::Header,
        // The host name's first label (`{bucket}.{endpoint}`).
        "host" => Position::Host,
        other => return Err(other.to_owned()),
    })
}

/// The style the metadata gives (`None`: the type's default).
fn declared_style(
    name: &str,
    given: Option<&str>,
    notes: &mut Notes,
) -> Result<Option<ParamStyle>, Refused> {
    Ok(match given {
        None | Some("") => None,
        Some("simple") => Some(ParamStyle::Simple),
        Some("repeatList") => Some(ParamStyle::RepeatList),
        Some("flat") => Some(ParamStyle::Flat),
        Some("json") => Some(ParamStyle::Json),
        Some("xml") => Some(ParamStyle::Xml),
        Some(other) => {
            notes.warn(
                "",
                format!(
                    "parameter `{name}`: unknown style `{other}`; using the default for its type"
                ),
            );
            None
        }
    })
}

fn convert_parameter(
    cx: &Context<'_>,
    parameter: &openmeta::Parameter,
    path: Option<&str>,
    compressed: bool,
    notes: &mut Notes,
) -> Result<ParameterSpec, Refused> {
    let name = parameter.name.trim().to_owned();
    if name.is_empty() {
        return Err(Refused::new(
            RefusalReason::Unreadable,
            "a parameter has no name",
        ));
    }
    let position = position(cx.style, &parameter.position).map_err(|other| {
        Refused::new(
            RefusalReason::Parameter,
            format!("parameter `{name}` travels `in: {other}`, which the runtime cannot send"),
        )
    })?;
    if position == Position::Host && cx.gateway.is_none() {
        // Only a gateway says how a host parameter forms the host: FC's account host is
        // `{AccountID}.{region}.fc.aliyuncs.com`, not the label in front of its metadata's
        // endpoint (`fc.{region}.aliyuncs.com`).
        return Err(Refused::new(
            RefusalReason::HostParameter,
            format!(
                "parameter `{name}` travels in the host name (`in: host`), and no product gateway of this API says how it forms the host"
            ),
        ));
    }
    if position == Position::Host
        && parameter.schema.get("type").and_then(Value::as_str) != Some("string")
    {
        return Err(Refused::new(
            RefusalReason::HostParameter,
            format!("parameter `{name}` travels in the host name but is not a string"),
        ));
    }
    // A raw body of bytes (an image to recognise, a function's payload).
    let format = parameter.schema.get("format").and_then(Value::as_str);
    if parameter.position == "body"
        && parameter.schema.get("type").and_then(Value::as_str) == Some("string")
        && matches!(format, Some("binary" | "byte"))
    {
        return Ok(ParameterSpec {
            reference: None,
            name,
            position,
            type_name: TypeName::Binary,
            required: truthy(parameter.schema.get("required")),
            style: None,
            description: description(&parameter.schema),
            example: None,
            deprecated: truthy(parameter.schema.get("deprecated")),
            idempotency_token: false,
            items: None,
            fields: None,
            values: None,
        });
    }
    let mut style = declared_style(&name, parameter.style.as_deref(), notes)?;
    if style == Some(ParamStyle::Xml) {
        if cx.gateway != Some(Gateway::Oss) || position != Position::Body {
            return Err(Refused::new(
                RefusalReason::Xml,
                format!(
                    "parameter `{name}` is an XML body (`style: xml`), which only the OSS gateway sends"
                ),
            ));
        }
        return xml_body(cx, parameter, notes);
    }
    if cx.gateway == Some(Gateway::Sls)
        && position == Position::Body
        && compressed
        && is_log_group(parameter)
    {
        style = Some(ParamStyle::LogGroup);
    }
    let (ty, resolved) = cx.schemas.walk(notes).node(&parameter.schema, &name);
    let structured = ty.type_name.is_structured();
    // Styles the value cannot take fall back to the type's default (the lowering's rule).
    if let Some(given) = style
        && !given.fits(ty.type_name)
    {
        notes.warn(
            "",
            format!(
                "parameter `{name}`: style `{}` does not fit its type `{}`; using the default",
                parameter.style.as_deref().unwrap_or_default(),
                ty.type_name.as_str()
            ),
        );
        style = None;
    }
    // ROA bodies are JSON: a structured body parameter without a style (CS names it `body`)
    // is the JSON body, not form fields.
    if cx.style == ApiStyle::Roa && position == Position::Body && structured && style.is_none() {
        style = Some(ParamStyle::Json);
    }
    if rules::needs_json(position, ty.type_name) && style != Some(ParamStyle::Json) {
        notes.warn(
            "",
            format!(
                "parameter `{name}`: a structured value in the path, a header or the host is sent JSON-encoded"
            ),
        );
        style = Some(ParamStyle::Json);
    }
    let in_template = path.is_some_and(|p| p.contains(&format!("{{{name}}}")));
    let mut required = truthy(resolved.get("required"));
    if position == Position::Path && !required {
        if in_template {
            required = true;
        } else {
            notes.warn(
                "",
                format!(
                    "parameter `{name}` is `in: path` but the path has no `{{{name}}}`; sent in the query instead"
                ),
            );
        }
    }
    let position = if position == Position::Path && !in_template {
        Position::Query
    } else {
        position
    };
    let required = required || position == Position::Host;
    let idempotency_token = name == "ClientToken"
        && ty.type_name == TypeName::String
        && !required
        && position != Position::Path;
    if name == "ClientToken" && !idempotency_token {
        notes.warn(
            "",
            "parameter `ClientToken` is not an optional string; not treated as the idempotency token",
        );
    }
    Ok(ParameterSpec {
        reference: ty.reference,
        name,
        position,
        type_name: ty.type_name,
        required,
        style,
        description: description(&resolved),
        example: example(resolved.get("example")),
        deprecated: truthy(resolved.get("deprecated")),
        idempotency_token,
        items: ty.items,
        fields: ty.fields,
        values: ty.values,
    })
}

/// An OSS XML body: the metadata's schema is an object whose one property is the document's
/// root element (`{CompleteMultipartUpload: $ref CompleteMultipartUpload}`); the parameter
/// becomes that element, named after it, of its type.
fn xml_body(
    cx: &Context<'_>,
    parameter: &openmeta::Parameter,
    notes: &mut Notes,
) -> Result<ParameterSpec, Refused> {
    let name = parameter.name.trim();
    let properties = parameter
        .schema
        .get("properties")
        .and_then(Value::as_object)
        .filter(|properties| properties.len() == 1);
    let Some((root, schema)) = properties.and_then(|p| p.iter().next()) else {
        return Err(Refused::new(
            RefusalReason::Xml,
            format!(
                "parameter `{name}` is an XML body whose schema does not name one root element"
            ),
        ));
    };
    let (ty, resolved) = cx.schemas.walk(notes).node(schema, root);
    if !matches!(ty.type_name, TypeName::Object | TypeName::Any) {
        return Err(Refused::new(
            RefusalReason::Xml,
            format!("the XML body `{root}` of parameter `{name}` is not an object"),
        ));
    }
    Ok(ParameterSpec {
        reference: ty.reference,
        name: root.clone(),
        position: Position::Body,
        type_name: ty.type_name,
        required: truthy(parameter.schema.get("required")),
        style: Some(ParamStyle::Xml),
        description: description(&parameter.schema).or_else(|| description(&resolved)),
        example: None,
        deprecated: truthy(parameter.schema.get("deprecated")),
        idempotency_token: false,
        items: ty.items,
        fields: ty.fields,
        values: ty.values,
    })
}

/// Whether an SLS body parameter is a `LogGroup` (`PutLogs`, beside an `x-log-compresstype`
/// header): the metadata describes the
/// structure, not the protobuf encoding the service reads (its field numbers are nowhere in
/// it), so the body style says it and the runtime encodes it.
fn is_log_group(parameter: &openmeta::Parameter) -> bool {
    parameter.schema.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/LogGroup")
}

/// The operation's parameters with repeated entries merged: copies of one parameter (RPC
/// metadata lists some twice, once per documentation section) that agree on where it travels,
/// its style and its type become one, required when any copy is, described by the first copy
/// that says anything. Copies that disagree on those cannot mean one thing and are refused.
fn merge_repeated_parameters(parameters: &[Value]) -> Result<Vec<Value>, String> {
    let mut merged: Vec<Value> = Vec::new();
    for parameter in parameters {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
        let Some(first) = merged
            .iter_mut()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        else {
            merged.push(parameter.clone());
            continue;
        };
        if first == parameter {
            continue;
        }
        let schema_key = |p: &Value, key: &str| {
            p.get("schema")
                .and_then(|schema| schema.get(key))
                .cloned()
                .unwrap_or(Value::Null)
        };
        for (what, same) in [
            ("positions", first.get("in") == parameter.get("in")),
            ("styles", first.get("style") == parameter.get("style")),
            (
                "types",
                ["type", "format", "$ref", "items", "properties"]
                    .iter()
                    .all(|key| schema_key(first, key) == schema_key(parameter, key)),
            ),
        ] {
            if !same {
                return Err(format!(
                    "parameter `{name}` is listed more than once with different {what}"
                ));
            }
        }
        let (Some(Value::Object(kept)), Some(Value::Object(other))) =
            (first.get_mut("schema"), parameter.get("schema"))
        else {
            continue;
        };
        if truthy(other.get("required")) {
            kept.insert("required".into(), Value::Bool(true));
        }
        for (key, value) in other {
            let empty = |v: Option<&Value>| match v {
                None | Some(Value::Null) => true,
                Some(Value::String(text)) => text.trim().is_empty(),
                _ => false,
            };
            if empty(kept.get(key)) && !empty(Some(value)) {
                kept.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(merged)
}

/// Every `{placeholder}` of the path must be filled by a path parameter; a path whose parts
/// come from nowhere (cloudcontrol's `{provider}` with the whole path in one `requestPath`
/// parameter) cannot be sent as the metadata describes it.
pub(crate) fn check_placeholders(path: &str, parameters: &[ParameterSpec]) -> Result<(), String> {
    let route = path.split('?').next().unwrap_or(path);
    for piece in route.split('{').skip(1) {
        let name = piece.split('}').next().unwrap_or(piece);
        if !parameters
            .iter()
            .any(|p| p.name == name && p.position == Position::Path)
        {
            return Err(format!(
                "the path `{path}` has the placeholder `{{{name}}}`, which no path parameter fills"
            ));
        }
    }
    Ok(())
}
