//! What importing one fetched `api-docs.json` does to a product version, worked out in memory:
//! the new spec folder (version moved in `overlay.yaml`), the regenerated crate folder (its
//! `CHANGELOG.md` entry added) and the changes that moved the version.

use std::path::{Path, PathBuf};

use super::transaction::{self, Files, Replacement};
use super::{Target, changelog, source, version};

/// What writing one product version would do, worked out in memory.
#[derive(Debug)]
pub struct Plan {
    /// The product version.
    pub target: Target,
    /// Its crate.
    pub package: String,
    /// The crate version before (an update).
    pub old_version: Option<String>,
    /// The crate version after.
    pub new_version: String,
    /// What changed against the specs here (an update).
    pub report: Option<acs_diff::Report>,
    /// Whether any spec file changes.
    pub changed: bool,
    /// Spec files written and deleted, relative to the workspace root, for `--dry-run`.
    pub spec_changes: Vec<String>,
    /// The changelog entry.
    pub entry: Option<String>,
    /// What the importer adapted or refused, one line each.
    pub notes: Vec<String>,
    /// The two folders to replace.
    pub replacements: Vec<Replacement>,
}

/// Works out what importing `api_docs` (fetched from `location`) over `target`'s spec folder
/// does: for `add` (`adding`) a new spec folder and crate at 0.1.0; for `update` the changes,
/// the next crate version and the changelog entry. Writes nothing.
pub fn plan(
    root: &Path,
    target: &Target,
    api_docs: &str,
    products_json: &str,
    location: &str,
    date: &str,
    adding: bool,
) -> Result<Plan, String> {
    let mut imported =
        acs_import::import_openmeta(api_docs, None).map_err(|e| format!("{location}: {e}"))?;
    crate::import::set_title(&mut imported, products_json);
    let folder = target.folder();
    let expected = Path::new("specs")
        .join(&imported.product)
        .join(&imported.version);
    if expected != folder {
        return Err(format!(
            "{location}: the importer files it under {}, not {}",
            expected.display(),
            folder.display()
        ));
    }
    let header = source::header_path(&target.code, &target.version);
    let import = crate::import::plan_imported(root, &imported, &header, None)?;
    let dir = root.join(&folder);
    let mut files = transaction::read_folder(&dir, &|_| false)?;
    let shown = |path: &Path| crate::relative(root, path);
    let mut spec_changes = Vec::new();
    for path in &import.report.deleted {
        files.remove(Path::new(path.file_name().expect("a file")));
        spec_changes.push(format!("delete {}", shown(path)));
    }
    for (path, contents) in import.writes() {
        files.insert(
            PathBuf::from(path.file_name().expect("a file")),
            contents.clone().into_bytes(),
        );
        spec_changes.push(format!("write {}", shown(path)));
    }
    let changed = !spec_changes.is_empty();
    let mut notes: Vec<String> = imported
        .warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    notes.extend(
        import
            .report
            .warnings
            .iter()
            .map(|w| format!("warning: {w}")),
    );
    notes.extend(
        imported
            .refused
            .iter()
            .map(|r| format!("refused: {} ({}): {}", r.operation, r.reason, r.message)),
    );

    let (old_version, report) = if adding {
        (None, None)
    } else {
        let current = crate::diff::load_side(&dir).map_err(|e| e.0)?;
        let next = load_files(&folder, &files)?;
        let report = acs_diff::diff(&current, &next, &acs_diff::Options { docs: true });
        (Some(current.crate_version), Some(report))
    };
    let new_version = match &report {
        Some(report) => report.next_version(),
        None => load_files(&folder, &files)?.crate_version,
    };
    if old_version.as_ref() != Some(&new_version) && !adding {
        let overlay_name = PathBuf::from(acs_spec::OVERLAY_FILE);
        let overlay = files
            .get(&overlay_name)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
        let text =
            version::set_crate_version(overlay.as_deref(), &new_version, &header.to_string_lossy())
                .map_err(|e| format!("{}: {e}", folder.display()))?;
        files.insert(overlay_name, text.into_bytes());
        spec_changes.push(format!(
            "write {}/{} (crate_version {new_version})",
            folder.display(),
            acs_spec::OVERLAY_FILE
        ));
    }
    let service = load_files(&folder, &files)?;
    if service.crate_version != new_version {
        return Err(format!(
            "{}: crate_version stays {} instead of becoming {new_version} (set in service.yaml? move it to overlay.yaml)",
            folder.display(),
            service.crate_version
        ));
    }
    let package = service.package_name.clone();
    let crate_folder = Path::new("crates").join(&package);
    if adding && root.join(&crate_folder).exists() {
        return Err(format!(
            "{} exists already; move it away to add {}",
            crate_folder.display(),
            target.label()
        ));
    }
    let generated = |path: &Path| {
        let first = path
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str());
        acs_codegen::GENERATED_DIRS.iter().any(|d| first == Some(d))
            || acs_codegen::GENERATED_ROOT_FILES
                .iter()
                .any(|f| path == Path::new(f))
    };
    let mut crate_files = transaction::read_folder(&root.join(&crate_folder), &generated)?;
    for file in acs_codegen::generate_service(&service, &folder.to_string_lossy()) {
        crate_files.insert(file.path, file.contents.into_bytes());
    }
    let entry = match &report {
        None => Some(changelog::first_entry(
            &new_version,
            date,
            location,
            service.operations.len(),
        )),
        Some(report) if !report.changes.is_empty() => {
            Some(changelog::entry(&new_version, date, location, report))
        }
        Some(_) => None,
    };
    if let Some(entry) = &entry {
        let name = PathBuf::from(changelog::FILE);
        let current = crate_files
            .get(&name)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
        crate_files.insert(
            name,
            changelog::prepend(current.as_deref(), &package, entry).into_bytes(),
        );
    }
    Ok(Plan {
        target: target.clone(),
        package,
        old_version,
        new_version,
        report,
        changed,
        spec_changes,
        entry,
        notes,
        replacements: vec![
            Replacement { folder, files },
            Replacement {
                folder: crate_folder,
                files: crate_files,
            },
        ],
    })
}

/// Loads a spec folder held in memory (named `folder` in diagnostics) as `load_service_dir`
/// loads one on disk.
fn load_files(folder: &Path, files: &Files) -> Result<acs_spec::ir::Service, String> {
    let file = |name: &Path| acs_spec::SpecFile {
        path: folder.join(name),
        text: String::from_utf8_lossy(&files[name]).into_owned(),
    };
    let service = Path::new(acs_spec::SERVICE_FILE);
    if !files.contains_key(service) {
        return Err(format!(
            "{}: no {}",
            folder.display(),
            acs_spec::SERVICE_FILE
        ));
    }
    let overlay = Path::new(acs_spec::OVERLAY_FILE);
    let operations: Vec<acs_spec::SpecFile> = files
        .keys()
        .filter(|name| {
            name.components().count() == 1
                && name.as_path() != service
                && name.as_path() != overlay
                && matches!(
                    name.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
        })
        .map(|name| file(name))
        .collect();
    acs_spec::load_service_with_overlay(
        &file(service),
        &operations,
        files.contains_key(overlay).then(|| file(overlay)).as_ref(),
    )
    .map(|loaded| loaded.service)
    .map_err(|errors| errors.to_string())
}
