//! One operation: who may call it, how (methods, path, body formats), and the pieces the
//! other modules convert (parameters, response, errors, RAM facts).

use std::collections::BTreeSet;

use acs_spec::model::{ApiStyle, HttpMethod, OperationSpec, OperationType};

use super::read::truthy;
use super::schema::Schemas;
use super::{Refused, errors, parameters, ram, response};
use crate::RefusalReason;
use crate::notes::Notes;
use crate::openmeta::Api;

/// What every operation of a document is converted with.
pub(crate) struct Context<'a> {
    pub(crate) schemas: &'a Schemas<'a>,
    pub(crate) style: ApiStyle,
}

/// The operation's spec, or why it cannot be imported.
pub(crate) fn convert_operation(
    cx: &Context<'_>,
    name: &str,
    api: &Api,
    notes: &mut Notes,
) -> Result<OperationSpec, Refused> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Refused::new(
            RefusalReason::Unreadable,
            format!("`{name}` is not an operation name (ASCII letters and digits)"),
        ));
    }
    let anonymous = authentication(api).map_err(|m| Refused::new(RefusalReason::Auth, m))?;
    check_body_formats(api)?;
    let methods = methods(api, notes)?;
    let path = match cx.style {
        ApiStyle::Rpc => None,
        ApiStyle::Roa => match api.path.as_deref().map(str::trim) {
            Some(path) if !path.is_empty() => Some(route_template(path)),
            _ => {
                return Err(Refused::new(
                    RefusalReason::Path,
                    "the operation has no `path`, which its API style needs",
                ));
            }
        },
    };
    let operation_type = match api.operation_type.as_deref().unwrap_or("") {
        "read" => OperationType::Read,
        "write" | "readAndWrite" | "" => OperationType::Write,
        other => {
            notes.warn(
                "",
                format!("unknown operationType `{other}`; treated as write"),
            );
            OperationType::Write
        }
    };
    let parameters = parameters::convert_parameters(cx, api, path.as_deref(), notes)?;
    if let Some(path) = &path {
        parameters::check_placeholders(path, &parameters)
            .map_err(|m| Refused::new(RefusalReason::Path, m))?;
    }
    let (response, response_body) = response::convert_response(cx.schemas, api, notes);
    let errors = errors::convert_errors(api, notes);
    let ram = ram::convert_ram(api, operation_type, notes);
    let summary = [&api.summary, &api.title]
        .into_iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .unwrap_or(name)
        .to_owned();
    Ok(OperationSpec {
        name: name.to_owned(),
        summary,
        description: Some(api.description.trim().to_owned()).filter(|d| !d.is_empty()),
        methods,
        path,
        operation_type,
        idempotent: None,
        deprecated: truthy(Some(&api.deprecated)),
        parameters,
        anonymous,
        response,
        response_body,
        errors,
        ram,
    })
}

/// XML bodies, which the runtime cannot send or read, are refused.
fn check_body_formats(api: &Api) -> Result<(), Refused> {
    let xml = |types: &[String]| {
        !types.is_empty()
            && types.iter().any(|t| t.contains("xml"))
            && !types
                .iter()
                .any(|t| t.contains("json") || t.contains("form"))
    };
    if xml(&api.consumes) {
        return Err(Refused::new(
            RefusalReason::Xml,
            "XML request bodies are not supported by the runtime",
        ));
    }
    if xml(&api.produces) {
        return Err(Refused::new(
            RefusalReason::Xml,
            "XML responses are not supported by the runtime",
        ));
    }
    Ok(())
}

/// The HTTP methods listed, each once, unknown ones ignored; at least one.
fn methods(api: &Api, notes: &mut Notes) -> Result<Vec<HttpMethod>, Refused> {
    let mut methods = Vec::new();
    for method in &api.methods {
        let parsed = match method.to_ascii_lowercase().as_str() {
            "get" => HttpMethod::Get,
            "post" => HttpMethod::Post,
            "put" => HttpMethod::Put,
            "delete" => HttpMethod::Delete,
            "patch" => HttpMethod::Patch,
            "head" => HttpMethod::Head,
            other => {
                notes.warn("", format!("unknown HTTP method `{other}` ignored"));
                continue;
            }
        };
        if !methods.contains(&parsed) {
            methods.push(parsed);
        }
    }
    if methods.is_empty() {
        return Err(Refused::new(
            RefusalReason::Unreadable,
            "the metadata lists no HTTP method",
        ));
    }
    Ok(methods)
}

/// Whether the operation is called without credentials (`Ok(true)`), signed with an
/// AccessKey (`Ok(false)`), or needs a scheme the runtime does not implement. The metadata
/// lists alternatives: any `AK` among them means a signature works.
fn authentication(api: &Api) -> Result<bool, String> {
    let schemes: BTreeSet<&str> = api
        .security
        .iter()
        .flat_map(|alternative| alternative.keys())
        .map(String::as_str)
        .collect();
    if schemes.is_empty() || schemes.contains("AK") {
        return Ok(false);
    }
    // `ARS_OIDC` is STS `AssumeRoleWithOIDC`'s: the OIDC token in the request is the proof.
    if schemes
        .iter()
        .all(|s| matches!(*s, "Anonymous" | "ARS_OIDC"))
    {
        return Ok(true);
    }
    Err(format!(
        "the operation authenticates with {}, which the runtime does not implement (it signs with an AccessKey or sends anonymously)",
        schemes
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

/// The path template as the spec writes it: starting with `/`, placeholders in braces
/// (OpenMeta also writes `[name]`).
fn route_template(path: &str) -> String {
    let mut template = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        template.push('/');
    }
    template.extend(path.chars().map(|c| match c {
        '[' => '{',
        ']' => '}',
        c => c,
    }));
    template
}
