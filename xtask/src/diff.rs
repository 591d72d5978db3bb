//! `cargo xtask diff OLD NEW` and `cargo xtask diff --base REV [PATH]`: what changed in the
//! API between two spec folders or `api-docs.json` files, or between `specs/` at a git
//! revision and the working tree, classified by `acs-diff`.

use std::path::{Path, PathBuf};
use std::process::Command;

use acs_spec::ir::Service;

/// Why a side could not be read: the file and what is wrong (exit status 2).
#[derive(Debug)]
pub struct Unreadable(pub String);

/// A side of the comparison, lowered as the generator sees it: a spec folder (with its
/// `overlay.yaml`), or an `api-docs.json` read through the importer (no overlay).
pub fn load_side(path: &Path) -> Result<Service, Unreadable> {
    if path.is_dir() {
        if !path.join(acs_spec::SERVICE_FILE).is_file() {
            return Err(Unreadable(format!(
                "{}: not a spec folder (no {})",
                path.display(),
                acs_spec::SERVICE_FILE
            )));
        }
        return acs_spec::load_service_dir(path)
            .map(|loaded| loaded.service)
            .map_err(|errors| Unreadable(format!("{}: {errors}", path.display())));
    }
    let json = std::fs::read_to_string(path)
        .map_err(|e| Unreadable(format!("{}: cannot read: {e}", path.display())))?;
    let imported = acs_import::import_openmeta(&json, None)
        .map_err(|e| Unreadable(format!("{}: {e}", path.display())))?;
    let files = crate::import::spec_files(&imported, path);
    lower_files(path, files, None)
}

/// Lowers spec files held in memory (`service.yaml` first), with an optional overlay.
pub(crate) fn lower_files(
    origin: &Path,
    files: Vec<(String, String)>,
    overlay: Option<acs_spec::SpecFile>,
) -> Result<Service, Unreadable> {
    let mut spec_files = files.into_iter().map(|(name, text)| acs_spec::SpecFile {
        path: PathBuf::from(name),
        text,
    });
    let service = spec_files.next().expect("service.yaml comes first");
    let operations: Vec<acs_spec::SpecFile> = spec_files.collect();
    acs_spec::load_service_with_overlay(&service, &operations, overlay.as_ref())
        .map(|loaded| loaded.service)
        .map_err(|errors| Unreadable(format!("{}: {errors}", origin.display())))
}

/// `OLD` against `NEW`.
pub fn diff_paths(
    old: &Path,
    new: &Path,
    options: &acs_diff::Options,
) -> Result<Vec<acs_diff::Report>, Unreadable> {
    let (old, new) = (load_side(old)?, load_side(new)?);
    Ok(vec![acs_diff::diff(&old, &new, options)])
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, Unreadable> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| Unreadable(format!("cannot run git: {e}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(Unreadable(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// Says clearly when `base` names no commit here, rather than passing git's own words on.
fn check_revision(root: &Path, base: &str) -> Result<(), Unreadable> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{base}^{{commit}}"))
        .output()
        .map_err(|e| Unreadable(format!("--base {base}: cannot run git: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let in_repository = Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--git-dir"])
        .output()
        .is_ok_and(|o| o.status.success());
    Err(Unreadable(if in_repository {
        format!(
            "--base {base}: no such commit, branch or tag in {} (a remote branch needs `git fetch` first, e.g. `git fetch origin main` for origin/main)",
            root.display()
        )
    } else {
        format!(
            "--base {base}: {} is not a git checkout, so it has no revisions to compare with",
            root.display()
        )
    }))
}

/// `specs/` (or `path` under the repository) at git revision `base` against the working tree:
/// one report per spec folder that exists on either side.
pub fn diff_base(
    root: &Path,
    base: &str,
    path: Option<&Path>,
    options: &acs_diff::Options,
) -> Result<Vec<acs_diff::Report>, Unreadable> {
    let path = path.unwrap_or(Path::new("specs"));
    let shown = path.to_string_lossy().replace('\\', "/");
    check_revision(root, base)?;
    let listing = git(root, &["ls-tree", "-r", "--name-only", base, "--", &shown])?;
    let scratch = std::env::temp_dir().join(format!("acs-diff-base-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for file in String::from_utf8_lossy(&listing).lines() {
        let contents = git(root, &["show", &format!("{base}:{file}")])?;
        let target = scratch.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Unreadable(format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(&target, contents)
            .map_err(|e| Unreadable(format!("{}: {e}", target.display())))?;
    }
    let folders = |root: &Path| -> Vec<PathBuf> {
        let mut found = Vec::new();
        collect_spec_folders(&root.join(path), &mut found);
        found
            .into_iter()
            .filter_map(|dir| dir.strip_prefix(root).ok().map(Path::to_path_buf))
            .collect()
    };
    let mut relative: Vec<PathBuf> = folders(&scratch);
    relative.extend(folders(root));
    relative.sort();
    relative.dedup();
    let mut reports = Vec::new();
    for folder in relative {
        let (before, after) = (scratch.join(&folder), root.join(&folder));
        let old = if before.is_dir() {
            load_side(&before)?
        } else {
            empty_like(&load_side(&after)?)
        };
        let new = if after.is_dir() {
            load_side(&after)?
        } else {
            empty_like(&old)
        };
        reports.push(acs_diff::diff(&old, &new, options));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(reports)
}

/// Spec folders (holding a `service.yaml`) under `dir`, at any depth.
fn collect_spec_folders(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join(acs_spec::SERVICE_FILE).is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = crate::read_dir_sorted(dir) else {
        return;
    };
    for entry in entries.into_iter().filter(|e| e.is_dir()) {
        collect_spec_folders(&entry, out);
    }
}

/// The service with nothing in it: the other side of a folder added or removed.
fn empty_like(service: &Service) -> Service {
    Service {
        operations: Vec::new(),
        types: Vec::new(),
        endpoints: Vec::new(),
        ..service.clone()
    }
}
