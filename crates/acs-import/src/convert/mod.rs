//! OpenMeta → spec model: the document's style and service, each operation (refused whole
//! when something in it cannot be called), the named types they use, then the spec checks.
//!
//! The pieces: [`service`] (endpoints, RAM code), [`operation`] (who may call it and how),
//! [`parameters`] (with [`dotted`] ones folded), [`response`], [`errors`] and [`ram`] (an
//! operation's parts), [`schema`]
//! (metadata schemas as spec types), [`members`] (colliding member names), [`read`] (loosely
//! typed metadata values), and [`check`] (the spec checks every written operation passes).

mod check;
mod dotted;
mod errors;
mod members;
mod operation;
mod parameters;
mod ram;
mod read;
mod response;
mod schema;
mod service;

use acs_spec::model::ApiStyle;
use serde_json::{Map, Value};

use crate::notes::Notes;
use crate::openmeta::{Api, Document};
use crate::{ImportError, Imported, Refusal, RefusalReason};

/// Why one operation is not imported.
pub(crate) struct Refused {
    reason: RefusalReason,
    message: String,
}

impl Refused {
    pub(crate) fn new(reason: RefusalReason, message: impl Into<String>) -> Self {
        Refused {
            reason,
            message: message.into(),
        }
    }

    fn of(self, operation: &str) -> Refusal {
        Refusal {
            operation: operation.to_owned(),
            reason: self.reason,
            message: self.message,
        }
    }
}

/// Converts an OpenMeta `api-docs.json` (or a single-operation extract) into specs. `only`
/// restricts the import to the named operations.
pub fn import_openmeta(json: &str, only: Option<&[String]>) -> Result<Imported, ImportError> {
    let document: Document = serde_json::from_str(json)
        .map_err(|e| ImportError::Invalid(format!("not a JSON object: {e}")))?;
    let mut apis = document.apis.clone();
    if let (Some(name), Some(api)) = (&document.api_name, &document.api) {
        apis.insert(name.clone(), api.clone());
    }
    let product = document.info.product.trim().to_ascii_lowercase();
    let version = document.info.version.trim().to_owned();
    if product.is_empty() || version.is_empty() {
        return Err(ImportError::Invalid(
            "`info.product` and `info.version` are missing: not an OpenMeta api-docs.json".into(),
        ));
    }
    if apis.is_empty() {
        return Err(ImportError::Invalid(format!(
            "{product} {version}: the metadata lists no operations (`apis`)"
        )));
    }
    let selected = select(&apis, only)?;
    let style = match api_style(&document.info.style, &apis) {
        Ok(style) => style,
        Err(message) => {
            return Err(ImportError::Refused {
                product,
                version,
                reason: RefusalReason::Style,
                message,
                operations: selected,
            });
        }
    };

    let mut service_notes = Notes::service();
    let mut service =
        service::convert_service(&document, &product, &version, style, &mut service_notes);
    let schemas = schema::Schemas::new(&document.components.schemas);
    let cx = operation::Context {
        schemas: &schemas,
        style,
    };
    let mut warnings = service_notes.into_warnings();
    let mut converted = Vec::new();
    let mut refused = Vec::new();
    for name in &selected {
        // A shape we cannot read is refused by name, never imported as an empty operation.
        let api: Api = match serde_json::from_value(apis[name.as_str()].clone()) {
            Ok(api) => api,
            Err(error) => {
                refused.push(
                    Refused::new(
                        RefusalReason::Unreadable,
                        format!("unreadable operation metadata: {error}"),
                    )
                    .of(name),
                );
                continue;
            }
        };
        let mut notes = Notes::operation(name);
        match operation::convert_operation(&cx, name, &api, &mut notes) {
            Ok(spec) => {
                warnings.extend(notes.into_warnings());
                converted.push(spec);
            }
            Err(refusal) => refused.push(refusal.of(name)),
        }
    }
    let mut type_notes = Notes::service();
    service.types = schemas.named_types(&mut type_notes);
    warnings.extend(type_notes.into_warnings());

    let checked = check::checked(service, converted)?;
    refused.extend(checked.refused);
    warnings.extend(checked.warnings);
    refused.sort();
    Ok(Imported {
        product,
        version,
        service: checked.service,
        operations: checked.operations,
        refused,
        warnings,
    })
}

/// The operations to import, sorted: all, or those `only` names (each must exist).
fn select(apis: &Map<String, Value>, only: Option<&[String]>) -> Result<Vec<String>, ImportError> {
    let mut selected: Vec<String> = apis.keys().cloned().collect();
    if let Some(only) = only {
        let unknown: Vec<String> = only
            .iter()
            .filter(|name| !apis.contains_key(name.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(ImportError::UnknownOperations(unknown));
        }
        selected.retain(|name| only.contains(name));
    }
    selected.sort();
    Ok(selected)
}

/// The spec style of an API version from its `info.style`: see the crate docs.
fn api_style(declared: &str, apis: &Map<String, Value>) -> Result<ApiStyle, String> {
    match declared.trim().to_ascii_uppercase().as_str() {
        "RPC" => Ok(ApiStyle::Rpc),
        "ROA" | "FC" => Ok(ApiStyle::Roa),
        "V3" => {
            let has_path = apis.values().any(|api| {
                api.get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|path| !matches!(path.trim(), "" | "/"))
            });
            Ok(if has_path { ApiStyle::Roa } else { ApiStyle::Rpc })
        }
        "OSS" => Err("API style OSS (XML bodies, bucket host names, OSS signing) cannot be called by the runtime".to_owned()),
        "ALIGENIE" => Err("API style AliGenie authenticates with AliGenie's own schemes (AliGenie_Auth_SPI, tokens) at openapi.aligenie.com, which the runtime does not implement".to_owned()),
        "" => Err("the metadata names no API style (`info.style`)".to_owned()),
        _ => Err(format!(
            "API style `{declared}` is not supported (only RPC, ROA, V3 and FC)"
        )),
    }
}
