//! Imports Alibaba Cloud OpenMeta metadata (`api-docs.json`) into the spec model, and writes
//! the model as YAML spec files (`cargo xtask import`).
//!
//! [`import_openmeta`] converts a whole `api-docs.json` (or a single-operation extract with
//! `apiName` and `api`) into a [`ServiceSpec`] and one [`OperationSpec`] per operation. What
//! the metadata says that the spec format or the runtime cannot express is either adapted with
//! a warning (a dangling `$ref` becomes type `any`, a deprecated parameter whose Rust name
//! collides with another is dropped) or refused per operation with the reason (XML bodies,
//! conflicting duplicate parameters). Every imported operation is checked with
//! `acs_spec::load_service` before it is returned, so the generator accepts whatever is written.
//!
//! Type mapping: `integer` + `int32` → `int32`, `integer` + `int64` or without a format →
//! `int64` (never truncates); `number` + `float` → `float`, otherwise `double`; an object with
//! `properties` → `object`, with only `additionalProperties` → `map`, with neither → `any`;
//! `enum` lists and `enumValueTitles` maps → `enum` (an empty list, or values that would clash
//! as Rust variants, → plain `string`).

#![forbid(unsafe_code)]

mod convert;
mod openmeta;
mod shared;
pub mod yaml;

use std::fmt;

use acs_spec::model::{OperationSpec, ServiceSpec};

pub use convert::import_openmeta;

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Product code, lower case (`dbs`).
    pub product: String,
    /// API version (`2019-03-06`).
    pub version: String,
    /// `service.yaml`.
    pub service: ServiceSpec,
    /// One spec per imported operation, sorted by name.
    pub operations: Vec<OperationSpec>,
    /// Operations that were not imported, with the reason, sorted by name.
    pub refused: Vec<(String, String)>,
    /// What was adapted on the way, each naming the operation (or `service`).
    pub warnings: Vec<String>,
}

/// Why nothing could be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The input is not JSON, or not an OpenMeta document.
    Invalid(String),
    /// The whole product is refused (an API style the runtime cannot call).
    Refused {
        /// Product code.
        product: String,
        /// API version.
        version: String,
        /// Why.
        reason: String,
        /// The operations the input holds.
        operations: Vec<String>,
    },
    /// `--ops` names operations the input does not have.
    UnknownOperations(Vec<String>),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Invalid(message) => write!(f, "cannot import: {message}"),
            ImportError::Refused {
                product,
                version,
                reason,
                operations,
            } => write!(
                f,
                "refused {product} {version}: {reason}; operations not imported: {}",
                operations.join(", ")
            ),
            ImportError::UnknownOperations(names) => write!(
                f,
                "the metadata has no operation named {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// The product's display name from OpenMeta's `products.json` (a list of `{code, name,
/// shortName, ...}`), as `Name (SHORT)`: used as the service title, which `api-docs.json` itself
/// lacks. `None` when the list does not have the product.
pub fn product_title(products_json: &str, product: &str) -> Option<String> {
    let products: Vec<serde_json::Value> = serde_json::from_str(products_json).ok()?;
    let entry = products.iter().find(|p| {
        p.get("code")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|code| code.eq_ignore_ascii_case(product))
    })?;
    let field = |key: &str| {
        entry
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let name = field("name")?;
    Some(match field("shortName") {
        Some(short) if short != name => format!("{name} ({short})"),
        _ => name.to_owned(),
    })
}

/// Text in the header of every file the importer writes; `cargo xtask import` deletes only
/// such files when the metadata drops an operation.
pub const IMPORT_MARKER: &str = "by `cargo xtask import`";

fn header(source: &str, what: &str) -> Vec<String> {
    vec![
        format!("{what}, imported from {source} {IMPORT_MARKER}."),
        "Do not edit: re-importing overwrites this file. Put corrections in overlay.yaml."
            .to_owned(),
    ]
}

/// `service.yaml` for an imported service; `source` names the metadata file in the header.
pub fn service_yaml(service: &ServiceSpec, source: &str) -> String {
    let value = serde_json::to_value(service).expect("the spec model serializes");
    yaml::to_yaml_document(
        &value,
        &header(
            source,
            &format!(
                "Service {}, API version {}",
                service.product, service.api_version
            ),
        ),
    )
}

/// `<OperationName>.yaml` for an imported operation.
pub fn operation_yaml(operation: &OperationSpec, source: &str) -> String {
    let value = serde_json::to_value(operation).expect("the spec model serializes");
    yaml::to_yaml_document(
        &value,
        &header(source, &format!("Operation {}", operation.name)),
    )
}
