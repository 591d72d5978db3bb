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
mod overlay;
pub mod rules;
pub mod schema;
pub mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

pub use diagnostics::{Diagnostic, Location, Severity, SpecErrors};
pub use overlay::OVERLAY_FILE;

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
/// `.yml` or `.json` file as an operation, with the corrections of its `overlay.yaml` (when
/// there is one; see the `overlay` module) applied first.
pub fn load_service_dir(dir: &Path) -> Result<LoadedService, SpecErrors> {
    let read = |path: PathBuf| read_spec_file(&path);
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
            let name = path.file_name().and_then(|n| n.to_str());
            name != Some(SERVICE_FILE)
                && name != Some(OVERLAY_FILE)
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
    let overlay_path = dir.join(OVERLAY_FILE);
    let overlay = if overlay_path.is_file() {
        match read(overlay_path) {
            Ok(file) => Some(file),
            Err(error) => {
                errors.push(error);
                None
            }
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(SpecErrors::new(errors));
    }
    load_service_with_overlay(&service, &operations, overlay.as_ref())
}

/// The largest spec file read. The largest the whole catalogue imports to is about 210 KB; the
/// cap keeps a file linked to `/dev/zero` or grown by accident from exhausting memory.
pub const MAX_SPEC_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads one spec file: a regular file (never a directory, device or pipe, which could block
/// or never end), at most [`MAX_SPEC_FILE_BYTES`], in UTF-8.
pub fn read_spec_file(path: &Path) -> Result<SpecFile, Diagnostic> {
    use std::io::Read as _;
    let fail = |message: String| Diagnostic::error(path, None, "", message);
    let metadata =
        std::fs::metadata(path).map_err(|error| fail(format!("cannot read: {error}")))?;
    if !metadata.is_file() {
        return Err(fail(
            "is not a regular file (a directory, device or pipe); spec files must be regular files"
                .into(),
        ));
    }
    // Refused before reading, so a huge file is never loaded.
    if metadata.len() > MAX_SPEC_FILE_BYTES {
        return Err(too_big(path));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_SPEC_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|error| fail(format!("cannot read: {error}")))?;
    spec_file_from_bytes(path, bytes)
}

fn too_big(path: &Path) -> Diagnostic {
    Diagnostic::error(
        path,
        None,
        "",
        format!(
            "is larger than {} MiB, the most a spec file may hold",
            MAX_SPEC_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// A spec file from its bytes, as [`read_spec_file`] checks them once read: at most
/// [`MAX_SPEC_FILE_BYTES`], in UTF-8 (an error names the line and column of the first bad
/// byte). `path` is only used in diagnostics, so in-memory callers (the fuzz target) get the
/// same errors a file on disk would.
pub fn spec_file_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<SpecFile, Diagnostic> {
    if bytes.len() as u64 > MAX_SPEC_FILE_BYTES {
        return Err(too_big(path));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        // Valid UTF-8 up to `at`, by definition.
        let before = std::str::from_utf8(&error.as_bytes()[..at]).unwrap_or_default();
        Diagnostic::error(path, Some(source::end_of(before)), "", "is not UTF-8 text")
    })?;
    Ok(SpecFile {
        path: path.to_path_buf(),
        text,
    })
}

/// Parses, checks and lowers one service from in-memory files, reporting every error of every
/// file at once.
pub fn load_service(
    service: &SpecFile,
    operations: &[SpecFile],
) -> Result<LoadedService, SpecErrors> {
    load_service_with_overlay(service, operations, None)
}

/// [`load_service`] with the corrections of an `overlay.yaml` applied to each document before
/// it is checked.
pub fn load_service_with_overlay(
    service: &SpecFile,
    operations: &[SpecFile],
    overlay: Option<&SpecFile>,
) -> Result<LoadedService, SpecErrors> {
    let schema = schema::spec_json_schema();
    let mut diagnostics = Vec::new();
    let stem = |file: &SpecFile| {
        file.path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned()
    };
    let overlay = overlay.and_then(|file| {
        let names: Vec<String> = operations.iter().map(stem).collect();
        overlay::Overlay::parse(&file.path, &file.text, &names, &mut diagnostics)
    });
    // Where each document's overlay-supplied values came from, for the lowering's problems.
    let mut patched = Vec::new();
    let service_doc = parse::<model::ServiceSpec>(
        &schema,
        DocumentKind::Service,
        service,
        overlay.as_ref().map(|o| (o, None)),
        &mut patched,
        &mut diagnostics,
    );
    let operation_docs: Vec<_> = operations
        .iter()
        .map(|file| {
            let name = stem(file);
            parse::<model::OperationSpec>(
                &schema,
                DocumentKind::Operation,
                file,
                overlay.as_ref().map(|o| (o, Some(name.as_str()))),
                &mut patched,
                &mut diagnostics,
            )
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
            source: Some(source),
            spec,
        })
        .collect();
    let ir = lower::lower_service(
        Parsed {
            file: &service.path,
            source: Some(&service_doc.0),
            spec: &service_doc.1,
        },
        &parsed_operations,
        &mut diagnostics,
    );
    if let Some(overlay) = &overlay {
        for diagnostic in &mut diagnostics {
            if let Some((_, origins)) = patched.iter().find(|(file, _)| *file == diagnostic.file) {
                origins.relocate(overlay, diagnostic);
            }
        }
    }
    loaded_or_errors(ir, diagnostics)
}

/// The service and its warnings when `diagnostics` holds no error, else the errors.
fn loaded_or_errors(
    service: ir::Service,
    diagnostics: Vec<Diagnostic>,
) -> Result<LoadedService, SpecErrors> {
    let (errors, mut warnings): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(SpecErrors::new(errors));
    }
    warnings.sort();
    Ok(LoadedService { service, warnings })
}

/// A service lowered from models, with what the checks found, document by document.
#[derive(Debug, Clone)]
pub struct LoweredModels {
    /// The IR; only meaningful when no document has an error.
    pub service: ir::Service,
    /// What the checks found in the service (`service.yaml`), sorted.
    pub service_diagnostics: Vec<Diagnostic>,
    /// What they found in each operation, by operation name, sorted; operations the checks
    /// found nothing in are absent.
    pub operation_diagnostics: BTreeMap<String, Vec<Diagnostic>>,
}

impl LoweredModels {
    /// Whether the operation named `name` has an error (it cannot be generated as it is).
    pub fn operation_has_errors(&self, name: &str) -> bool {
        self.operation_diagnostics
            .get(name)
            .is_some_and(|found| found.iter().any(Diagnostic::is_error))
    }

    /// The errors of the service document itself.
    pub fn service_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.service_diagnostics.iter().filter(|d| d.is_error())
    }

    /// The service and every warning when nothing has an error (what [`load_service`] returns
    /// for the same documents written out), else every error.
    pub fn into_result(self) -> Result<LoadedService, SpecErrors> {
        let diagnostics = self
            .service_diagnostics
            .into_iter()
            .chain(self.operation_diagnostics.into_values().flatten())
            .collect();
        loaded_or_errors(self.service, diagnostics)
    }
}

/// Checks and lowers a service given as models rather than files, as an importer builds it:
/// the checks [`load_service`] makes of documents' content, with no text to parse (a model
/// always has the format's shape, which is all the schema check adds). Diagnostics name the
/// file each document is written to (`service.yaml`, `<OperationName>.yaml`), with no line
/// and column, and come back per operation so a caller can drop the operations that fail.
pub fn lower_models(
    service: &model::ServiceSpec,
    operations: &[model::OperationSpec],
) -> LoweredModels {
    let service_file = PathBuf::from(SERVICE_FILE);
    let operation_files: Vec<PathBuf> = operations
        .iter()
        .map(|op| PathBuf::from(format!("{}.yaml", op.name)))
        .collect();
    let parsed: Vec<Parsed<'_, model::OperationSpec>> = operations
        .iter()
        .zip(&operation_files)
        .map(|(spec, file)| Parsed {
            file,
            source: None,
            spec,
        })
        .collect();
    let mut diagnostics = Vec::new();
    let ir = lower::lower_service(
        Parsed {
            file: &service_file,
            source: None,
            spec: service,
        },
        &parsed,
        &mut diagnostics,
    );
    diagnostics.sort();
    let mut lowered = LoweredModels {
        service: ir,
        service_diagnostics: Vec::new(),
        operation_diagnostics: BTreeMap::new(),
    };
    for diagnostic in diagnostics {
        if diagnostic.file == service_file {
            lowered.service_diagnostics.push(diagnostic);
            continue;
        }
        let name = diagnostic
            .file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default()
            .to_owned();
        lowered
            .operation_diagnostics
            .entry(name)
            .or_default()
            .push(diagnostic);
    }
    lowered
}

/// Parses one document, applies its overlay patch (`Some(name)` for an operation, `None` for
/// the service) and checks it against the schema; `None` when it has errors (already
/// reported).
fn parse<T: DeserializeOwned>(
    schema: &serde_json::Value,
    kind: DocumentKind,
    file: &SpecFile,
    overlay: Option<(&overlay::Overlay, Option<&str>)>,
    patched: &mut Vec<(PathBuf, overlay::Origins)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(SourceDocument, T)> {
    let text = match source::checked_text(&file.path, &file.text) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.push(error);
            return None;
        }
    };
    let mut source = match source::parse_document(&file.path, text) {
        Ok(source) => source,
        Err(error) => {
            diagnostics.push(error);
            return None;
        }
    };
    let origins = overlay
        .map(|(overlay, name)| overlay.apply(name, &mut source.value, diagnostics))
        .unwrap_or_default();
    let violations = schema::check(schema, kind, &source.value);
    if !violations.is_empty() {
        for violation in violations {
            // Values the overlay supplied are reported where the overlay says them.
            let (path, location) =
                match origins.locate(overlay.map(|(o, _)| o), &violation.path, violation.at_key) {
                    Some((path, location)) => (path, location),
                    None if violation.at_key => {
                        (file.path.as_path(), source.key_location(&violation.path))
                    }
                    None => (file.path.as_path(), source.value_location(&violation.path)),
                };
            diagnostics.push(Diagnostic::error(
                path,
                location,
                violation.path.to_string(),
                violation.message,
            ));
        }
        return None;
    }
    if !origins.is_empty() {
        patched.push((file.path.clone(), origins));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_byte_is_located_in_characters() {
        // `é` is two bytes: a byte count would say column 4.
        let error =
            spec_file_from_bytes(Path::new("x.yaml"), b"a\n\xc3\xa9\xff".to_vec()).unwrap_err();
        assert_eq!(error.to_string(), "x.yaml:2:2: error: is not UTF-8 text");
    }
}
