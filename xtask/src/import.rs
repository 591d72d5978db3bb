//! `cargo xtask import`: a spec folder written from an OpenMeta `api-docs.json`.

use std::path::{Path, PathBuf};

use crate::read_dir_sorted;

/// What `cargo xtask import` did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// The spec folder written (`specs/<product>/<version>`).
    pub dir: PathBuf,
    /// Files whose content changed (written).
    pub written: Vec<PathBuf>,
    /// Operation files deleted because the metadata no longer has the operation.
    pub deleted: Vec<PathBuf>,
    /// Operations imported.
    pub imported: usize,
    /// Operations refused, with the reason.
    pub refused: Vec<acs_import::Refusal>,
    /// What the importer adapted.
    pub warnings: Vec<String>,
    /// What the new metadata changes in the API against the specs it replaces (with their
    /// overlay), when the folder had specs.
    pub changes: Option<acs_diff::Report>,
}

/// How the header of imported files names the metadata file: its last four path components
/// (`en_us/dbs/2019-03-06/api-docs.json`), so the text does not depend on where it was read.
fn import_source_name(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts[parts.len().saturating_sub(4)..].join("/")
}

/// OpenMeta keeps product names in `<lang>/products.json`, next to `<lang>/<product>/`: the
/// list beside the metadata file at `openmeta`, when there is one.
pub fn products_json(openmeta: &Path) -> Option<String> {
    let lang = openmeta.ancestors().nth(3)?;
    std::fs::read_to_string(lang.join("products.json")).ok()
}

/// Names the service after its entry in `products.json`, which `api-docs.json` itself lacks.
pub fn set_title(imported: &mut acs_import::Imported, products_json: &str) {
    if let Some(title) = acs_import::product_title(products_json, &imported.product) {
        imported.service.title = title;
    }
}

/// The files of an imported spec folder, by file name: `service.yaml` and one
/// `<Operation>.yaml` per operation, their headers naming `openmeta`.
pub fn spec_files(imported: &acs_import::Imported, openmeta: &Path) -> Vec<(String, String)> {
    let source = import_source_name(openmeta);
    let mut files = vec![(
        acs_spec::SERVICE_FILE.to_owned(),
        acs_import::service_yaml(&imported.service, &source),
    )];
    for operation in &imported.operations {
        files.push((
            format!("{}.yaml", operation.name),
            acs_import::operation_yaml(operation, &source),
        ));
    }
    files
}

/// What an import will do, worked out before anything is written: the files to write (those
/// whose contents change) and the operation files to delete.
#[derive(Debug)]
pub struct ImportPlan {
    /// The report, with `written` and `deleted` as planned.
    pub report: ImportReport,
    writes: Vec<(PathBuf, String)>,
}

impl ImportPlan {
    /// The files to write (those whose contents change), with their new contents.
    pub fn writes(&self) -> &[(PathBuf, String)] {
        &self.writes
    }

    /// Writes and deletes what the plan says.
    pub fn apply(self) -> Result<ImportReport, String> {
        let dir = &self.report.dir;
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (path, contents) in &self.writes {
            std::fs::write(path, contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        for path in &self.report.deleted {
            std::fs::remove_file(path)
                .map_err(|e| format!("cannot delete {}: {e}", path.display()))?;
        }
        Ok(self.report)
    }
}

/// Whether the file at `path` (holding `text`) is one an import wrote for the operation it is
/// named after: its header says so and names that operation. A hand-written spec copied from
/// an imported one keeps the header but names another operation, so it is never taken for
/// the importer's own.
fn written_by_import(path: &Path, text: &str) -> bool {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let header = format!("# Operation {stem}, imported from ");
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .any(|line| line.starts_with(&header) && line.contains(acs_import::IMPORT_MARKER))
}

/// `cargo xtask import --openmeta PATH [--ops A,B]`: writes `specs/<product>/<version>/`
/// (`service.yaml` and one `<Operation>.yaml` per operation) from an OpenMeta api-docs.json.
/// `overlay.yaml` is never written. Without `only`, operation files the metadata no longer has
/// are deleted — only those an import wrote ([`plan_import`] says which first).
pub fn import(
    root: &Path,
    openmeta: &Path,
    only: Option<&[String]>,
) -> Result<ImportReport, String> {
    plan_import(root, openmeta, only)?.apply()
}

/// What [`import`] would write and delete, without doing it.
pub fn plan_import(
    root: &Path,
    openmeta: &Path,
    only: Option<&[String]>,
) -> Result<ImportPlan, String> {
    let json = std::fs::read_to_string(openmeta)
        .map_err(|e| format!("cannot read {}: {e}", openmeta.display()))?;
    let mut imported = acs_import::import_openmeta(&json, only)
        .map_err(|e| format!("{}: {e}", openmeta.display()))?;
    if let Some(products) = products_json(openmeta) {
        set_title(&mut imported, &products);
    }
    plan_imported(root, &imported, openmeta, only)
}

/// What writing `imported` into its spec folder under `root` would write and delete; `openmeta`
/// is the metadata file as the headers name it.
pub fn plan_imported(
    root: &Path,
    imported: &acs_import::Imported,
    openmeta: &Path,
    only: Option<&[String]>,
) -> Result<ImportPlan, String> {
    let dir = root
        .join("specs")
        .join(&imported.product)
        .join(&imported.version);
    let files: Vec<(PathBuf, String)> = spec_files(imported, openmeta)
        .into_iter()
        .map(|(name, contents)| (dir.join(name), contents))
        .collect();
    let mut report = ImportReport {
        dir: dir.clone(),
        imported: imported.operations.len(),
        refused: imported.refused.clone(),
        warnings: imported
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.file.display(), w.detail()))
            .collect(),
        ..ImportReport::default()
    };
    let writes: Vec<(PathBuf, String)> = files
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(path).ok().as_deref() != Some(contents.as_str())
        })
        .cloned()
        .collect();
    report.written = writes.iter().map(|(path, _)| path.clone()).collect();
    if only.is_none() && dir.is_dir() {
        let keep: std::collections::HashSet<&PathBuf> = files.iter().map(|(p, _)| p).collect();
        for path in read_dir_sorted(&dir)? {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let is_spec = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            );
            if !is_spec || name == acs_spec::OVERLAY_FILE || keep.contains(&path) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if written_by_import(&path, &text) {
                report.deleted.push(path);
            } else {
                report.warnings.push(format!(
                    "{name} is not in the metadata and was not written by import (hand-written, or copied from an imported file); kept"
                ));
            }
        }
    }
    report.changes = compare_with_current(&dir, &files, &mut report.warnings);
    Ok(ImportPlan { report, writes })
}

/// The API changes from the specs in `dir` to `files` (both with `dir`'s overlay), or `None`
/// when `dir` holds no specs yet.
fn compare_with_current(
    dir: &Path,
    files: &[(PathBuf, String)],
    warnings: &mut Vec<String>,
) -> Option<acs_diff::Report> {
    if !dir.join(acs_spec::SERVICE_FILE).is_file() {
        return None;
    }
    let overlay_path = dir.join(acs_spec::OVERLAY_FILE);
    let overlay = std::fs::read_to_string(&overlay_path)
        .ok()
        .map(|text| acs_spec::SpecFile {
            path: overlay_path,
            text,
        });
    let named: Vec<(String, String)> = files
        .iter()
        .map(|(path, text)| (path.to_string_lossy().into_owned(), text.clone()))
        .collect();
    let current = crate::diff::load_side(dir);
    let next = crate::diff::lower_files(dir, named, overlay);
    match (current, next) {
        (Ok(current), Ok(next)) => Some(acs_diff::diff(
            &current,
            &next,
            &acs_diff::Options::default(),
        )),
        (Err(crate::diff::Unreadable(error)), _) | (_, Err(crate::diff::Unreadable(error))) => {
            warnings.push(format!("cannot compare with the current specs: {error}"));
            None
        }
    }
}

/// What xtask says after importing a product the repository did not have: its snapshots are
/// all new, and accepting them is the expected next step, not a sign of trouble.
pub const NEW_PRODUCT_NOTE: &str = "A new product: `cargo test -p tests` will report a pending snapshot for every file of its new crate (tests/tests/it/snapshots/generated/). That is expected: read them and accept them with `cargo insta accept` (or `cargo insta test --review`, which needs a terminal), then commit the specs, the crate and the snapshots together.";

/// What an import did, as lines for stderr: warnings, refusals, files written (`verb`: "writing"
/// or "would write"), and the API changes against the specs it replaces.
pub fn report_lines(root: &Path, report: &ImportReport, verb: &str) -> Vec<String> {
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut lines = Vec::new();
    for warning in &report.warnings {
        lines.push(format!("warning: {warning}"));
    }
    for refusal in &report.refused {
        lines.push(format!(
            "refused: {} ({}): {}",
            refusal.operation, refusal.reason, refusal.message
        ));
    }
    for path in &report.written {
        lines.push(format!("{verb} {}", shown(path)));
    }
    if let Some(changes) = &report.changes {
        let counts = changes.summary();
        lines.push(format!(
            "API changes against the current specs: {} breaking, {} additive, {} docs (details: cargo xtask diff)",
            counts.breaking, counts.additive, counts.docs
        ));
        const SHOWN: usize = 20;
        let breaking: Vec<&acs_diff::Change> = changes
            .changes
            .iter()
            .filter(|c| c.class == acs_diff::Class::Breaking)
            .collect();
        if breaking.len() > SHOWN {
            lines.push(format!(
                "  (the first {SHOWN} of {} breaking changes)",
                breaking.len()
            ));
        }
        for change in breaking.into_iter().take(SHOWN) {
            lines.push(format!(
                "  breaking: {} {} {}: {}",
                change.operation.as_deref().unwrap_or("service"),
                change.path,
                change.kind,
                change.reason
            ));
        }
    }
    lines
}
