//! The project's tasks, as a library so `cargo test` can run them too.
//!
//! - [`codegen`](mod@codegen) renders every spec folder under `specs/` into its client crate
//!   under `crates/`, plus `specs/spec.schema.json`; in check mode it writes nothing and reports
//!   every difference.
//! - [`import`](mod@import) writes a spec folder from Alibaba's OpenMeta metadata.
//! - [`diff`] says what changed in an API between two versions, and what breaks callers.
//! - [`catalogue`] imports, generates and compiles a whole metadata tree in a workspace of its
//!   own, and reports what made it.
//! - [`update`] takes Alibaba's metadata changes: `add`, `update` and `products` without the
//!   HTTP client, which `xtask-tools` supplies.
//! - [`cli`] is the command line both binaries share.
//! - [`policy`] writes the least-privilege RAM policy for some operations of a generated crate.
//!
//! Commands with heavy dependencies (`add`, `update`, `products`, `compile-batch`, `bench`)
//! live in the `xtask-tools` package, so a cold `cargo xtask codegen` does not build them.

pub mod catalogue;
pub mod cli;
pub mod codegen;
pub mod diff;
pub mod import;
pub mod policy;
pub mod update;

use std::path::{Path, PathBuf};

pub use codegen::{Mode, Report, SPEC_ROOTS, check_failure, codegen, render_all, spec_dirs};
pub use import::{ImportPlan, ImportReport, import, plan_import};

/// The checkout to work on, found at run time: the workspace holding the package `cargo run`
/// (or `cargo test`) names in `CARGO_MANIFEST_DIR`, else the one `cargo locate-project
/// --workspace` finds from the current directory.
///
/// Never the path xtask was compiled in: two clones sharing a target directory
/// (`CARGO_TARGET_DIR`, `build.target-dir`) run one xtask binary, and each must work on its own
/// files.
pub fn locate_workspace() -> Result<PathBuf, String> {
    if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        let manifest_dir = PathBuf::from(manifest_dir);
        return manifest_dir
            .ancestors()
            .find(|dir| declares_workspace(&dir.join("Cargo.toml")))
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                format!(
                    "CARGO_MANIFEST_DIR is {}, but no folder above it has a Cargo.toml with a [workspace] table",
                    manifest_dir.display()
                )
            });
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .map_err(|e| format!("cannot run `cargo locate-project` to find the workspace: {e}"))?;
    let manifest = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    match Path::new(&manifest).parent() {
        Some(root) if output.status.success() && !manifest.is_empty() => Ok(root.to_path_buf()),
        _ => Err(format!(
            "no Cargo workspace here (run xtask as `cargo xtask` inside the repository): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
}

fn declares_workspace(manifest: &Path) -> bool {
    std::fs::read_to_string(manifest)
        .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
}

/// [`locate_workspace`] for callers that cannot go on without it (tests, benchmarks).
///
/// # Panics
///
/// When no workspace is found, with the reason.
pub fn workspace_root() -> PathBuf {
    locate_workspace().unwrap_or_else(|error| panic!("{error}"))
}

pub(crate) fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    Ok(entries)
}

pub(crate) fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
