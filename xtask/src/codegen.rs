//! `cargo xtask codegen [--check]`: every spec folder rendered into its client crate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use acs_codegen::{GENERATED_DIRS, GENERATED_MARKER, GENERATED_ROOT_FILES, GeneratedFile};

use crate::{read_dir_sorted, relative};

/// Write the files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what differs, delete stale files in generated folders.
    Write,
    /// Write nothing; report what differs.
    Check,
}

/// What a codegen run found or did.
#[derive(Debug, Default)]
pub struct Report {
    /// Files whose content differs from the generator's output (written in write mode).
    pub changed: Vec<PathBuf>,
    /// Unified diffs of changed files (check mode).
    pub diffs: String,
    /// Files in generated folders that no spec produces (deleted in write mode).
    pub stale: Vec<PathBuf>,
    /// Warnings from the specs.
    pub warnings: Vec<String>,
}

/// Spec trees and where their client crates go: the products, and the deliberately awkward
/// test specs whose generated crates prove that any valid spec yields compiling code.
pub const SPEC_ROOTS: &[(&str, &str)] = &[("specs", "crates"), ("tests/specs", "tests/generated")];

/// Every spec folder under `specs`: `<product>/<version>/` holding a `service.yaml`.
pub fn spec_dirs(specs: &Path) -> Result<Vec<PathBuf>, String> {
    let mut dirs = Vec::new();
    let mut broken = Vec::new();
    for product in read_dir_sorted(specs)? {
        if !product.is_dir() {
            continue;
        }
        for version in read_dir_sorted(&product)? {
            if !version.is_dir() {
                continue;
            }
            if version.join(acs_spec::SERVICE_FILE).is_file() {
                dirs.push(version);
            } else if !read_dir_sorted(&version)?.is_empty() {
                // Skipping it would delete its crate's generated files as stale.
                broken.push(format!(
                    "{}: error: a spec folder needs a regular file named {} (it has none); nothing was generated",
                    version.display(),
                    acs_spec::SERVICE_FILE
                ));
            }
        }
    }
    if broken.is_empty() {
        Ok(dirs)
    } else {
        Err(broken.join("\n"))
    }
}

/// Everything the generator produces, as (absolute path, contents).
pub fn render_all(root: &Path, report: &mut Report) -> Result<Vec<(PathBuf, String)>, String> {
    let mut outputs = Vec::new();
    let mut schema = serde_json::to_string_pretty(&acs_spec::schema::spec_json_schema())
        .expect("the schema serializes");
    schema.push('\n');
    outputs.push((root.join("specs/spec.schema.json"), schema));
    let mut errors = String::new();
    let mut attributes = format!(
        "# {GENERATED_MARKER}: marks generated files for review tools.\n\
         # `cargo xtask codegen --check` keeps every one of them fresh.\n\
         specs/spec.schema.json linguist-generated=true\n",
    );
    let mut packages: std::collections::HashMap<String, String> = Default::default();
    for (specs, crates) in SPEC_ROOTS {
        for dir in spec_dirs(&root.join(specs))? {
            let shown = relative(root, &dir);
            match acs_spec::load_service_dir(&dir) {
                Ok(loaded) => {
                    // Notes are the spec's facts the generated code records; the import says
                    // them, codegen would repeat them on every run.
                    report.warnings.extend(
                        loaded
                            .warnings
                            .iter()
                            .filter(|w| w.severity != acs_spec::Severity::Note)
                            .map(|w| display_relative(root, w)),
                    );
                    let package = &loaded.service.package_name;
                    if let Some(other) = packages.insert(package.clone(), shown.clone()) {
                        let _ = writeln!(
                            errors,
                            "{shown}: error: the crate `{package}` is also generated from {other}; give one of them another `package` or API version"
                        );
                        continue;
                    }
                    let crate_dir = root.join(crates).join(package);
                    for file in GENERATED_ROOT_FILES {
                        let _ = writeln!(
                            attributes,
                            "{crates}/{package}/{file} linguist-generated=true"
                        );
                    }
                    for generated in GENERATED_DIRS {
                        let _ = writeln!(
                            attributes,
                            "{crates}/{package}/{generated}/** linguist-generated=true"
                        );
                    }
                    for GeneratedFile { path, contents } in
                        acs_codegen::generate_service(&loaded.service, &shown)
                    {
                        outputs.push((crate_dir.join(path), contents));
                    }
                }
                Err(spec_errors) => {
                    for diagnostic in &spec_errors.diagnostics {
                        let _ = writeln!(errors, "{}", display_relative(root, diagnostic));
                    }
                }
            }
        }
    }
    outputs.push((root.join(".gitattributes"), attributes));
    if errors.is_empty() {
        Ok(outputs)
    } else {
        Err(format!(
            "{errors}the specs above have errors; nothing was generated"
        ))
    }
}

fn display_relative(root: &Path, diagnostic: &acs_spec::Diagnostic) -> String {
    let mut diagnostic = diagnostic.clone();
    diagnostic.file = PathBuf::from(relative(root, &diagnostic.file));
    diagnostic.to_string()
}

/// Client crates the generator owns: folders under `crates/` whose manifest carries
/// [`GENERATED_MARKER`].
fn generated_crates(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut dirs = Vec::new();
    for (_, crates) in SPEC_ROOTS {
        if root.join(crates).is_dir() {
            dirs.extend(read_dir_sorted(&root.join(crates))?);
        }
    }
    Ok(dirs
        .into_iter()
        .filter(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|manifest| manifest.contains(GENERATED_MARKER))
        })
        .collect())
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = read_dir_sorted(dir) else {
        return;
    };
    for entry in entries {
        if entry.is_dir() {
            files_under(&entry, out);
        } else {
            out.push(entry);
        }
    }
}

/// Runs the generator over the workspace at `root`.
pub fn codegen(root: &Path, mode: Mode) -> Result<Report, String> {
    let mut report = Report::default();
    let outputs = render_all(root, &mut report)?;
    for (path, contents) in &outputs {
        let current = std::fs::read_to_string(path).ok();
        if current.as_deref() == Some(contents.as_str()) {
            continue;
        }
        report.changed.push(path.clone());
        match mode {
            Mode::Write => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
                std::fs::write(path, contents)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            Mode::Check => {
                let old = current.unwrap_or_default();
                let shown = relative(root, path);
                let diff = similar::TextDiff::from_lines(&old, contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{shown} (checked in)"),
                        &format!("b/{shown} (generated)"),
                    )
                    .to_string();
                report.diffs.push_str(&diff);
            }
        }
    }
    let produced: std::collections::HashSet<&PathBuf> = outputs.iter().map(|(p, _)| p).collect();
    for crate_dir in generated_crates(root)? {
        let mut existing = Vec::new();
        for dir in GENERATED_DIRS {
            files_under(&crate_dir.join(dir), &mut existing);
        }
        for file in GENERATED_ROOT_FILES {
            let path = crate_dir.join(file);
            if path.is_file() && !produced.contains(&path) {
                existing.push(path);
            }
        }
        for file in existing.into_iter().filter(|f| !produced.contains(f)) {
            if mode == Mode::Write {
                std::fs::remove_file(&file)
                    .map_err(|e| format!("cannot delete {}: {e}", file.display()))?;
            }
            report.stale.push(file);
        }
    }
    Ok(report)
}

/// The text `codegen --check` prints when output is stale; `None` when everything is fresh.
pub fn check_failure(root: &Path, report: &Report) -> Option<String> {
    if report.changed.is_empty() && report.stale.is_empty() {
        return None;
    }
    let mut text = report.diffs.clone();
    for path in &report.changed {
        let _ = writeln!(text, "stale: {}", relative(root, path));
    }
    for path in &report.stale {
        let _ = writeln!(text, "not produced by any spec: {}", relative(root, path));
    }
    let _ = write!(
        text,
        "generated files are out of date: run `cargo xtask codegen` and commit the result"
    );
    Some(text)
}
