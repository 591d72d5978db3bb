//! The project's tasks, as a library so `cargo test` can run them too.
//!
//! - [`codegen`](mod@codegen) renders every spec folder under `specs/` into its client crate
//!   under `crates/`, plus `specs/spec.schema.json`; in check mode it writes nothing and reports
//!   every difference.
//! - [`import`](mod@import) writes a spec folder from Alibaba's OpenMeta metadata.
//! - [`diff`] says what changed in an API between two versions, and what breaks callers.
//! - [`catalogue`] imports, generates and compiles a whole metadata tree in a workspace of its
//!   own, and reports what made it.
//! - [`compile_batch`] generates random hostile specs and proves their crates compile, lint,
//!   document and pass their doc tests together.
//! - [`bench`](mod@bench) runs the benchmarks.
//! - [`policy`] writes the least-privilege RAM policy for some operations of a generated crate.

pub mod bench;
pub mod catalogue;
pub mod codegen;
pub mod compile_batch;
pub mod diff;
pub mod import;
pub mod policy;

use std::path::{Path, PathBuf};

pub use codegen::{Mode, Report, SPEC_ROOTS, check_failure, codegen, render_all, spec_dirs};
pub use import::{ImportPlan, ImportReport, import, plan_import};

/// The workspace root (the folder above `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
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
