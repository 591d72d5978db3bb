//! The spec format of Alibaba Cloud API operations and its validation into an IR.
//!
//! Pipeline: a spec folder (`specs/<product>/<version>/`) holds `service.yaml` and one
//! `<OperationName>.yaml` (or `.json`) per operation. [`load_service_dir`] parses each file
//! with positions ([`source`]), checks it against the format's JSON Schema ([`schema`]) so
//! that every problem is reported at once, deserializes it into the [`model`], and lowers the
//! model into the validated [`ir`] that the code generator consumes.
#![forbid(unsafe_code)]

pub mod diagnostics;
pub mod ir;
mod lower;
pub mod model;
pub mod names;
pub mod schema;
pub mod source;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

pub use diagnostics::{Diagnostic, Location, Severity, SpecErrors};

use crate::lower::Parsed;
use crate::schema::DocumentKind;
use crate::source::{FieldPath, SourceDocument};

/// The name of the service file in a spec folder.
pub const SERVICE_FILE: &str = "service.yaml";

/// A spec file's path and text.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// Path, used in diagnostics.
    pub path: PathBuf,
    /// Contents.
    pub text: String,
}

/// A validated service with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct LoadedService {
    /// The IR.
    pub service: ir::Service,
    /// Problems with a documented fallback (such as ARN placeholders naming no parameter).
    pub warnings: Vec<Diagnostic>,
}

/// Loads `dir` (`specs/<product>/<version>`): its `service.yaml` and every other `.yaml`,
/// `.yml` or `.json` file as an operation.
pub fn load_service_dir(dir: &Path) -> Result<LoadedService, SpecErrors> {
    let read = |path: PathBuf| -> Result<SpecFile, Diagnostic> {
        std::fs::read_to_string(&path)
            .map(|text| SpecFile {
                path: path.clone(),
                text,
            })
            .map_err(|error| Diagnostic::error(&path, None, "", format!("cannot read: {error}")))
    };
    let entries = std::fs::read_dir(dir).map_err(|error| {
        SpecErrors::new(vec![Diagnostic::error(
            dir,
            None,
            "",
            format!("cannot read the spec folder: {error}"),
        )])
    })?;
    let mut operation_paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name().and_then(|n| n.to_str()) != Some(SERVICE_FILE)
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
        })
        .collect();
    operation_paths.sort();
    let mut errors = Vec::new();
    let service = read(dir.join(SERVICE_FILE)).map_err(|e| SpecErrors::new(vec![e]))?;
    let mut operations = Vec::new();
    for path in operation_paths {
        match read(path) {
            Ok(file) => operations.push(file),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(SpecErrors::new(errors));
    }
    load_service(&service, &operations)
}

/// Parses, checks and lowers one service from in-memory files, reporting every error of every
/// file at once.
pub fn load_service(
    service: &SpecFile,
    operations: &[SpecFile],
) -> Result<LoadedService, SpecErrors> {
    let schema = schema::spec_json_schema();
    let mut diagnostics = Vec::new();
    let service_doc =
        parse::<model::ServiceSpec>(&schema, DocumentKind::Service, service, &mut diagnostics);
    let operation_docs: Vec<_> = operations
        .iter()
        .map(|file| {
            parse::<model::OperationSpec>(&schema, DocumentKind::Operation, file, &mut diagnostics)
                .map(|doc| (file, doc))
        })
        .collect();
    let (Some(service_doc), true) = (service_doc, operation_docs.iter().all(Option::is_some))
    else {
        return Err(SpecErrors::new(diagnostics));
    };
    let operation_docs: Vec<_> = operation_docs.into_iter().flatten().collect();
    let parsed_operations: Vec<Parsed<'_, model::OperationSpec>> = operation_docs
        .iter()
        .map(|(file, (source, spec))| Parsed {
            file: &file.path,
            source,
            spec,
        })
        .collect();
    let ir = lower::lower_service(
        Parsed {
            file: &service.path,
            source: &service_doc.0,
            spec: &service_doc.1,
        },
        &parsed_operations,
        &mut diagnostics,
    );
    let (errors, mut warnings): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(SpecErrors::new(errors));
    }
    warnings.sort();
    Ok(LoadedService {
        service: ir,
        warnings,
    })
}

/// Parses one document and checks it against the schema; `None` when it has errors (already
/// reported).
fn parse<T: DeserializeOwned>(
    schema: &serde_json::Value,
    kind: DocumentKind,
    file: &SpecFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(SourceDocument, T)> {
    let source = match source::parse_document(&file.path, &file.text) {
        Ok(source) => source,
        Err(error) => {
            diagnostics.push(error);
            return None;
        }
    };
    let violations = schema::check(schema, kind, &source.value);
    if !violations.is_empty() {
        for violation in violations {
            let location = if violation.at_key {
                source.key_location(&violation.path)
            } else {
                source.value_location(&violation.path)
            };
            diagnostics.push(Diagnostic::error(
                &file.path,
                location,
                violation.path.to_string(),
                violation.message,
            ));
        }
        return None;
    }
    match serde_json::from_value(source.value.clone()) {
        Ok(spec) => Some((source, spec)),
        Err(error) => {
            // The schema is derived from the same types, so this means the two disagree.
            diagnostics.push(Diagnostic::error(
                &file.path,
                source.value_location(&FieldPath::default()),
                "",
                format!("does not match the spec format: {error}"),
            ));
            None
        }
    }
}
