//! An operation's parameters: where each travels, in which style, of which type; dotted ones
//! folded into what they stand for ([`super::dotted`]).

use acs_spec::model::{ApiStyle, ParamStyle, ParameterSpec, Position, TypeName};
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
    let mut specs = Vec::new();
    for parameter in raw {
        let parameter: openmeta::Parameter = serde_json::from_value(parameter).unwrap_or_default();
        specs.push(convert_parameter(cx, &parameter, path, notes)?);
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

fn position(style: ApiStyle, name: &str, given: &str) -> Result<Position, Refused> {
    Ok(match given {
        "query" => Position::Query,
        "body" => Position::Body,
        // RPC bodies are forms anyway; ROA ones are JSON unless they say otherwise.
        "formData" if style == ApiStyle::Roa => Position::FormData,
        "formData" => Position::Body,
        "path" => Position::Path,
        "header" => Position::Header,
        "host" => {
            return Err(Refused::new(
                RefusalReason::HostParameter,
                format!(
                    "parameter `{name}` travels in the host name (`in: host`), which needs a product-specific gateway (SLS signs its own way) that the runtime does not implement"
                ),
            ));
        }
        other => {
            return Err(Refused::new(
                RefusalReason::Parameter,
                format!("parameter `{name}` travels `in: {other}`, which the runtime cannot send"),
            ));
        }
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
        Some("xml") => {
            return Err(Refused::new(
                RefusalReason::Xml,
                format!(
                    "parameter `{name}` is an XML body (`style: xml`), which the runtime cannot send"
                ),
            ));
        }
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
    notes: &mut Notes,
) -> Result<ParameterSpec, Refused> {
    let name = parameter.name.trim().to_owned();
    if name.is_empty() {
        return Err(Refused::new(
            RefusalReason::Unreadable,
            "a parameter has no name",
        ));
    }
    let position = position(cx.style, &name, &parameter.position)?;
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
