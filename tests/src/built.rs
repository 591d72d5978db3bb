//! Programs of this workspace that tests run as a user would: built on demand (cargo runs
//! tests with the build lock released), in the workspace's target directory.

use std::path::{Path, PathBuf};

/// The workspace root (the folder above `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the workspace")
        .to_path_buf()
}

/// The example `example` of `package`, built, and its path.
pub fn example(package: &str, example: &str) -> PathBuf {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let status = std::process::Command::new(cargo)
        .args(["build", "--quiet", "-p", package, "--example", example])
        .current_dir(workspace_root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the example {example} builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("debug/examples").join(example)
}
