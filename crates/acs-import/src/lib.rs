//! Imports Alibaba Cloud OpenMeta metadata (`api-docs.json`) into the spec model, and writes
//! the model as YAML spec files (`cargo xtask import`).
//!
//! [`import_openmeta`] converts a whole `api-docs.json` (or a single-operation extract with
//! `apiName` and `api`) into a [`ServiceSpec`] and one [`OperationSpec`] per operation. What
//! the metadata says that the spec format or the runtime cannot express is either adapted with
//! a warning (a dangling `$ref` becomes type `any`, a deprecated parameter whose Rust name
//! collides with another is dropped) or refused per operation with a [`Refusal`] naming the
//! reason (XML bodies, parameters in the host name, product-specific authentication). Every
//! imported operation is checked with `acs_spec::lower_models` (the spec checks, on the model
//! itself) before it is returned, so the generator accepts whatever is written.
//!
//! Styles: `RPC` imports as `rpc`; `ROA` and `FC` (Function Compute, whose paths start with
//! the API version) as `roa`; `V3` as `roa` when its operations have paths and as `rpc` when
//! they do not. `AliGenie` and `OSS` sign their own ways and are refused whole.
//!
//! Type mapping: `integer` + `int32` → `int32`, `integer` + `int64` or without a format →
//! `int64` (never truncates); `number` + `float` → `float`, otherwise `double`; an object with
//! `properties` → `object`, with only `additionalProperties` → `map`, with neither → `any`;
//! `enum` lists and `enumValueTitles` maps → `enum` (an empty list, or values that would clash
//! as Rust variants, → plain `string`). Parameters the metadata spells as dotted scalars
//! (`Filter.1.Key`, `PrivatePoolOptions.Id`, `AddGroup.1`) become the list or structure they
//! stand for, sent under the same wire names.

#![forbid(unsafe_code)]

mod convert;
mod notes;
mod openmeta;
mod shared;
pub mod yaml;

use std::fmt;

use acs_spec::Diagnostic;
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
    pub refused: Vec<Refusal>,
    /// What was adapted on the way, and what the spec checks warn about: each a warning
    /// naming the file it concerns (`service.yaml`, `<Operation>.yaml`) and, when it is about
    /// one part, where the part is (in the metadata for what the import adapted, in the spec
    /// for the checks' findings).
    pub warnings: Vec<Diagnostic>,
}

/// An operation that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refusal {
    /// Operation name.
    pub operation: String,
    /// The class of reason, for counting.
    pub reason: RefusalReason,
    /// The reason in words.
    pub message: String,
}

/// Classes of reasons an operation is not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefusalReason {
    /// The API style needs a request shape or signature the runtime does not implement.
    Style,
    /// The operation authenticates with something other than an AccessKey signature or
    /// nothing (product-specific tokens).
    Auth,
    /// A parameter travels in the host name (`in: host`), which needs a product gateway.
    HostParameter,
    /// XML request or response bodies.
    Xml,
    /// A parameter the runtime cannot send (its position, or conflicting definitions).
    Parameter,
    /// A path template its parameters do not fill.
    Path,
    /// The operation's metadata cannot be read (a missing method, a malformed entry, a name
    /// that is not one).
    Unreadable,
    /// The converted spec fails the spec checks.
    Invalid,
}

impl RefusalReason {
    /// The class as reports spell it (`host-parameter`).
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::Style => "style",
            RefusalReason::Auth => "auth",
            RefusalReason::HostParameter => "host-parameter",
            RefusalReason::Xml => "xml",
            RefusalReason::Parameter => "parameter",
            RefusalReason::Path => "path",
            RefusalReason::Unreadable => "unreadable",
            RefusalReason::Invalid => "invalid",
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
        /// The class of reason.
        reason: RefusalReason,
        /// Why, in words.
        message: String,
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
                message,
                operations,
                ..
            } => write!(
                f,
                "refused {product} {version}: {message}; operations not imported: {}",
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
