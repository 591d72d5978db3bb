//! xtask works on the checkout it is run from, not the one it was compiled in: two clones
//! sharing a target directory (`CARGO_TARGET_DIR`, `build.target-dir`) run one xtask binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// What a clone needs for `cargo xtask codegen --check`: every tracked file but the test data.
fn clone_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "-z",
        ])
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "git ls-files fails");
    String::from_utf8(listed.stdout)
        .expect("UTF-8 paths")
        .split('\0')
        .filter(|path| !path.is_empty())
        .filter(|path| {
            !["tests/tests/it/snapshots/", "tests/fixtures/", "fuzz/"]
                .iter()
                .any(|skipped| path.starts_with(skipped))
        })
        .map(PathBuf::from)
        .filter(|path| root.join(path).is_file())
        .collect()
}

/// Copies the checkout's files to `to`, each modified at `modified` when given.
fn clone_to(root: &Path, files: &[PathBuf], to: &Path, modified: Option<SystemTime>) {
    for file in files {
        let target = to.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(root.join(file), &target).unwrap();
        if let Some(time) = modified {
            std::fs::File::options()
                .write(true)
                .open(&target)
                .unwrap()
                .set_modified(time)
                .unwrap();
        }
    }
}

fn cargo_xtask(clone: &Path, target_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO"))
        .current_dir(clone)
        .args(["xtask"])
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("cargo runs")
}

/// Clone B's files are older than the binary clone A builds, so cargo finds it fresh and runs
/// it in B: what happens with a shared target directory. It must check B (where a generated
/// file was edited by hand), not A (deleted by then).
#[test]
fn xtask_built_in_one_clone_works_on_another() {
    let root = xtask::workspace_root();
    let files = clone_files(&root);
    let scratch = std::env::temp_dir().join(format!("acs-xtask-clones-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let (a, b) = (scratch.join("a"), scratch.join("b"));
    // Kept between runs: only the workspace's own crates rebuild.
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("xtask-clones");

    let long_ago = SystemTime::now() - Duration::from_secs(365 * 24 * 3600);
    clone_to(&root, &files, &b, Some(long_ago));
    let edited = b.join("crates/acs-dbs20190306/src/lib.rs");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("// edited by hand in clone B\n");
    std::fs::write(&edited, text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&edited)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    clone_to(&root, &files, &a, None);

    let built = cargo_xtask(&a, &target_dir, &["codegen", "--check"]);
    assert!(
        built.status.success(),
        "clone A is fresh: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    std::fs::remove_dir_all(&a).unwrap();

    let run = cargo_xtask(&b, &target_dir, &["codegen", "--check"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !stderr.contains("Compiling xtask"),
        "cargo reuses clone A's binary in clone B, as with any shared target directory:\n{stderr}"
    );
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stale: crates/acs-dbs20190306/src/lib.rs"),
        "clone B's own files were checked:\n{stderr}"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}
