//! Checks a parsed service and its operations and lowers them into the [`crate::ir`].
//!
//! Every check reports into one list instead of returning early, so a user sees all problems
//! of all files in one run. The pieces: [`types`] lowers value types (inline and named),
//! [`operation`] an operation's parameters, wire placement, retry safety, errors and RAM facts,
//! [`finish`] makes the service-wide decisions that need every operation (which side of the
//! wire each type is used on, `Eq`, boxing recursive types), [`pagination`] which
//! operations page and how, [`links`] links between operations' docs, and [`valid_values`]
//! the lists of values descriptions introduce.

mod finish;
mod links;
mod operation;
mod pagination;
mod types;
mod valid_values;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location, Severity};
use crate::ir;
use crate::model::{OperationSpec, ServiceSpec};
use crate::names;
use crate::source::{FieldPath, SourceDocument};

/// A parsed spec file: where it came from, positions, and the typed content.
pub struct Parsed<'a, T> {
    /// The file.
    pub file: &'a Path,
    /// Positions of its nodes; `None` for a model that was never text (an importer's).
    pub source: Option<&'a SourceDocument>,
    /// Its content.
    pub spec: &'a T,
}

/// Collects diagnostics for one file.
pub(crate) struct Reporter<'a> {
    file: &'a Path,
    source: Option<&'a SourceDocument>,
    out: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    fn location(&self, path: &FieldPath) -> Option<Location> {
        self.source?.value_location(path)
    }

    pub(crate) fn error(&mut self, path: &FieldPath, message: impl Into<String>) {
        let location = self.location(path);
        self.out.push(Diagnostic::error(
            self.file,
            location,
            path.to_string(),
            message,
        ));
    }

    pub(crate) fn note(&mut self, path: &FieldPath, message: impl Into<String>) {
        let location = self.location(path);
        self.out.push(Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(self.file, location, path.to_string(), message)
        });
    }
}

/// Lowers one service and its operations. Errors and warnings go to `diagnostics`; the result
/// is only meaningful when no error was reported.
pub fn lower_service(
    service: Parsed<'_, ServiceSpec>,
    operations: &[Parsed<'_, OperationSpec>],
    diagnostics: &mut Vec<Diagnostic>,
) -> ir::Service {
    let spec = service.spec;
    let mut report = Reporter {
        file: service.file,
        source: service.source,
        out: diagnostics,
    };
    let root = FieldPath::default();
    let (package_name, crate_version) = check_identity(&mut report, spec, &root);
    let endpoints = lower_endpoints(&mut report, spec, &root);
    let (shared, shared_types) = types::lower_named_types(&mut report, &spec.types);

    let ram_code = spec.ram.as_ref().map(|ram| ram.code.clone());
    let mut lowered = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for parsed in operations {
        let mut report = Reporter {
            file: parsed.file,
            source: parsed.source,
            out: diagnostics,
        };
        let op = operation::lower_operation(&mut report, spec.style, spec.gateway, parsed, &shared);
        if let Some(other) = seen.insert(op.names.snake.clone(), parsed.file.to_path_buf()) {
            report.error(
                &root.key("name"),
                format!(
                    "operation `{}` becomes `{}` in Rust, as does the operation in {}",
                    op.name,
                    op.names.snake,
                    other.display()
                ),
            );
        }
        lowered.push(op);
    }
    lowered.sort_by(|a, b| a.name.cmp(&b.name));
    let mut service = ir::Service {
        product: spec.product.clone(),
        title: spec.title.clone(),
        api_version: spec.api_version.clone(),
        style: spec.style,
        gateway: spec.gateway,
        description: spec.description.clone(),
        package_name,
        crate_version,
        endpoints,
        ram_code,
        types: shared_types,
        operations: lowered,
    };
    finish::finish(&mut service);
    pagination::mark(&mut service);
    links::link_operations(&mut service);
    valid_values::list_valid_values(&mut service);
    service
}

/// Checks the product code, version, package name and crate version; returns the package
/// name and crate version.
fn check_identity(
    report: &mut Reporter<'_>,
    spec: &ServiceSpec,
    root: &FieldPath,
) -> (String, String) {
    if !names::is_product_code(&spec.product) {
        report.error(
            &root.key("product"),
            format!(
                "`{}` is not a product code: use lower-case ASCII letters and digits, words joined by single dashes, as in Alibaba's package names (`dbs`, `dataworks-public`)",
                spec.product
            ),
        );
    }
    let digits = names::api_version_digits(&spec.api_version).unwrap_or_else(|| {
        report.error(
            &root.key("api_version"),
            format!(
                "`{}` is not an API version: expected YYYY-MM-DD or YYYYMMDD",
                spec.api_version
            ),
        );
        String::new()
    });
    let package = match &spec.package {
        Some(package) => {
            if !names::is_package_name(package) {
                report.error(
                    &root.key("package"),
                    format!(
                        "`{package}` is not a Cargo package name: use ASCII letters, digits, `-` and `_`, starting with a letter, at most 64 characters"
                    ),
                );
            }
            package.clone()
        }
        None => names::package_name(&spec.product, &digits),
    };
    let crate_version = spec.crate_version.clone().unwrap_or_else(|| "0.1.0".into());
    if !is_crate_version(&crate_version) {
        report.error(
            &root.key("crate_version"),
            format!("`{crate_version}` is not a crate version: expected MAJOR.MINOR.PATCH"),
        );
    }
    (package, crate_version)
}

/// `MAJOR.MINOR.PATCH`, optionally with a pre-release (`0.2.0-rc.1`): what Cargo accepts,
/// restricted to characters that need no quoting anywhere.
fn is_crate_version(version: &str) -> bool {
    let (core, pre) = version.split_once('-').unwrap_or((version, ""));
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()))
        && (pre.is_empty() && !version.ends_with('-')
            || !pre.is_empty()
                && pre
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())))
}

fn lower_endpoints(
    report: &mut Reporter<'_>,
    spec: &ServiceSpec,
    root: &FieldPath,
) -> Vec<ir::Endpoint> {
    let mut endpoints = Vec::new();
    let mut regions = HashMap::new();
    for (index, endpoint) in spec.endpoints.iter().enumerate() {
        let path = root.key("endpoints").index(index);
        if let Some(first) = regions.insert(endpoint.region.clone(), index) {
            report.error(
                &path.key("region"),
                format!(
                    "region `{}` is listed twice (also at endpoints[{first}])",
                    endpoint.region
                ),
            );
        }
        for (key, host) in [
            ("public", Some(&endpoint.public)),
            ("vpc", endpoint.vpc.as_ref()),
        ] {
            if let Some(host) = host
                && !host.is_empty()
                && !is_host(host)
            {
                report.error(&path.key(key), format!("`{host}` is not a host name"));
            }
        }
        let vpc = endpoint
            .vpc
            .clone()
            .filter(|vpc| !vpc.is_empty())
            .or_else(|| {
                crate::rules::gateway_vpc_host(spec.gateway, &endpoint.region, &endpoint.public)
            });
        endpoints.push(ir::Endpoint {
            region: endpoint.region.clone(),
            public: endpoint.public.clone(),
            vpc,
        });
    }
    endpoints.sort_by(|a, b| a.region.cmp(&b.region));
    endpoints
}

fn is_host(host: &str) -> bool {
    host.split('.').all(|label| {
        !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

fn example_text(example: &serde_json::Value) -> String {
    match example {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
