//! One API version through import and generation: the spec folder and the crate written
//! under `--out`, and its [`VersionReport`] so far.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

use acs_import::ImportError;
use serde::{Deserialize, Serialize};

use super::report::{Refused, VersionReport};
use super::workspace::write;

/// An API version found in the metadata tree.
#[derive(Debug, Clone)]
pub struct Source {
    /// Product folder name.
    pub product: String,
    /// Version folder name.
    pub version: String,
    /// Its `api-docs.json`.
    pub path: PathBuf,
}

/// What a stage found for a version, kept in `<out>/state/` so a rerun skips finished work.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Hash of the metadata file and of the generator that read it.
    pub input: String,
    /// Hash of the generated files, when a crate was written.
    pub generated: Option<String>,
    /// The `generated` hash the last check ran on.
    pub checked: Option<String>,
    /// The report so far.
    pub report: VersionReport,
}

/// A short hex hash (for change detection, not security).
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = DefaultHasher::new();
    for part in parts {
        part.hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn state_path(out: &Path, source: &Source) -> PathBuf {
    out.join("state")
        .join(&source.product)
        .join(format!("{}.json", source.version))
}

/// The saved state of `source`, if any.
pub fn load_state(out: &Path, source: &Source) -> Option<State> {
    let text = std::fs::read_to_string(state_path(out, source)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Saves `state`.
pub fn save_state(out: &Path, source: &Source, state: &State) -> Result<(), String> {
    let text = serde_json::to_string_pretty(state).expect("state serializes");
    write(&state_path(out, source), &text)
}

/// Imports and generates `source` into `out` (unless the saved state shows it is done for
/// the same input and generator), returning its state.
pub fn import_and_generate(
    out: &Path,
    source: &Source,
    generator: &str,
    products_json: Option<&str>,
) -> Result<State, String> {
    let json = std::fs::read(&source.path)
        .map_err(|e| format!("cannot read {}: {e}", source.path.display()))?;
    let input = fingerprint(&[&json, generator.as_bytes()]);
    if let Some(state) = load_state(out, source)
        && state.input == input
        && state
            .report
            .package
            .as_ref()
            .is_none_or(|package| out.join("crates").join(package).is_dir())
    {
        return Ok(state);
    }
    let mut report = VersionReport {
        product: source.product.clone(),
        version: source.version.clone(),
        ..VersionReport::default()
    };
    let text = String::from_utf8_lossy(&json);
    let (style, operations) = outline(&text);
    report.style = style;
    report.operations = operations;

    let started = Instant::now();
    let imported = acs_import::import_openmeta(&text, None);
    let mut state = State {
        input,
        ..State::default()
    };
    let mut imported = match imported {
        Ok(imported) => imported,
        Err(ImportError::Refused {
            reason,
            message,
            operations,
            ..
        }) => {
            report.refused = operations
                .into_iter()
                .map(|operation| Refused {
                    operation,
                    reason: reason.as_str().to_owned(),
                    message: message.clone(),
                })
                .collect();
            report.seconds.import = seconds(started);
            state.report = report;
            return Ok(state);
        }
        Err(error) => {
            report.error = Some(error.to_string());
            report.seconds.import = seconds(started);
            state.report = report;
            return Ok(state);
        }
    };
    if let Some(products) = products_json {
        crate::import::set_title(&mut imported, products);
    }
    report.refused = imported
        .refused
        .iter()
        .map(|refusal| Refused {
            operation: refusal.operation.clone(),
            reason: refusal.reason.as_str().to_owned(),
            message: refusal.message.clone(),
        })
        .collect();
    if imported.operations.is_empty() {
        // Every operation refused: no crate, the report says why.
        report.seconds.import = seconds(started);
        state.report = report;
        return Ok(state);
    }
    let spec_dir = out
        .join("specs")
        .join(&imported.product)
        .join(&imported.version);
    let files = crate::import::spec_files(&imported, &source.path);
    replace_dir(&spec_dir, &files)?;
    report.seconds.import = seconds(started);

    let started = Instant::now();
    let spec_files: Vec<acs_spec::SpecFile> = files
        .into_iter()
        .map(|(name, text)| acs_spec::SpecFile {
            path: spec_dir.join(name),
            text,
        })
        .collect();
    let (service_file, operation_files) = spec_files.split_first().expect("service.yaml first");
    let loaded = match acs_spec::load_service(service_file, operation_files) {
        Ok(loaded) => loaded,
        Err(errors) => {
            report.error = Some(format!("the imported specs do not load: {errors}"));
            state.report = report;
            return Ok(state);
        }
    };
    let service = &loaded.service;
    let shown = format!("specs/{}/{}", imported.product, imported.version);
    let generated = acs_codegen::generate_service(service, &shown);
    report.lines = generated
        .iter()
        .filter(|file| file.path.extension().is_some_and(|e| e == "rs"))
        .map(|file| file.contents.lines().count())
        .sum();
    let crate_files: Vec<(String, String)> = generated
        .into_iter()
        .map(|file| (file.path.to_string_lossy().into_owned(), file.contents))
        .collect();
    let crate_dir = out.join("crates").join(&service.package_name);
    replace_dir(&crate_dir, &crate_files)?;
    report.seconds.generate = seconds(started);
    report.generated = service.operations.len();
    report.paginated = service
        .operations
        .iter()
        .filter(|op| op.pagination.is_some())
        .count();
    report.package = Some(service.package_name.clone());
    let contents: Vec<&[u8]> = crate_files.iter().map(|(_, c)| c.as_bytes()).collect();
    state.generated = Some(fingerprint(&contents));
    state.report = report;
    Ok(state)
}

/// `info.style` as written and the number of operations, read leniently: a file the importer
/// refuses still counts its operations.
fn outline(json: &str) -> (String, usize) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
        return (String::new(), 0);
    };
    let style = value["info"]["style"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let operations = value["apis"].as_object().map_or(0, |apis| apis.len());
    (style, operations)
}

fn seconds(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}

/// Makes `dir` hold exactly `files` (relative paths): what an earlier run left is removed.
fn replace_dir(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    for (name, contents) in files {
        write(&dir.join(name), contents)?;
    }
    Ok(())
}
