//! The catalogue's own Cargo workspace under `--out`: a root manifest taking its shared
//! settings from this repository's, a copy of `acs-runtime` (and of `acs-policy`, which it
//! depends on), and this repository's lock file to start from, so the generated crates build
//! with the versions the project tests.
//!
//! ```text
//! <out>/Cargo.toml          workspace: acs-runtime, acs-policy and every generated crate
//! <out>/crates/acs-runtime  copy of the runtime's manifest and sources (acs-policy alike)
//! <out>/crates/<package>    generated client crates
//! <out>/specs/<p>/<v>/      the imported spec folders
//! <out>/state/<p>/<v>.json  what each stage found, so a run can resume
//! <out>/target/w<N>         one build directory per check worker
//! ```

use std::path::Path;

/// Sections of the repository's root manifest the generated crates inherit from.
const INHERITED_SECTIONS: &[&str] = &[
    "[workspace.package]",
    "[workspace.lints.rust]",
    "[workspace.lints.clippy]",
];

/// Workspace dependencies the runtime and the generated crates use.
const INHERITED_DEPENDENCIES: &[&str] = &["acs-runtime", "acs-policy", "serde", "serde_json"];

/// The crates of this repository the generated crates build on, copied into the workspace.
const COPIED_CRATES: &[&str] = &["acs-policy", "acs-runtime"];

/// Runtime manifest sections a catalogue build does not need (they would pull benchmark and
/// test dependencies into its lock file).
const RUNTIME_SECTIONS_DROPPED: &[&str] = &["[dev-dependencies]", "[[bench]]"];

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Writes `contents` to `path` (creating its folder) unless it already holds them.
pub fn write(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Splits a manifest into `(header, lines)` sections; text before the first header has an
/// empty header.
fn sections(manifest: &str) -> Vec<(String, Vec<&str>)> {
    let mut out: Vec<(String, Vec<&str>)> = vec![(String::new(), Vec::new())];
    for line in manifest.lines() {
        if line.starts_with('[') {
            out.push((line.trim().to_owned(), Vec::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push(line);
        }
    }
    out
}

/// The root manifest: `members` are the copied crates and `packages`; `by` is the command that
/// writes it (`cargo xtask catalogue`), named in its first line.
pub fn root_manifest(repo: &Path, packages: &[String], by: &str) -> Result<String, String> {
    let ours = read(&repo.join("Cargo.toml"))?;
    let mut manifest = format!(
        "# Written by `{by}`: generated client crates in a workspace of their own.\n[workspace]\nresolver = \"3\"\nmembers = [\n",
    );
    for package in COPIED_CRATES
        .iter()
        .copied()
        .chain(packages.iter().map(String::as_str))
    {
        manifest.push_str(&format!("    \"crates/{package}\",\n"));
    }
    manifest.push_str("]\n");
    for (header, lines) in sections(&ours) {
        if INHERITED_SECTIONS.contains(&header.as_str()) {
            manifest.push_str(&format!("\n{header}\n{}\n", lines.join("\n").trim_end()));
        } else if header == "[workspace.dependencies]" {
            manifest.push_str("\n[workspace.dependencies]\n");
            for line in lines {
                let name = line.split('=').next().unwrap_or_default().trim();
                if INHERITED_DEPENDENCIES.contains(&name) {
                    manifest.push_str(line);
                    manifest.push('\n');
                }
            }
        }
    }
    Ok(manifest)
}

/// Copies the runtime and the crates it depends on (manifests without their test and bench
/// sections, and `src/`) into `<out>/crates/`, and the repository's lock file when `out` has
/// none.
pub fn prepare(repo: &Path, out: &Path) -> Result<(), String> {
    for name in COPIED_CRATES {
        copy_crate(
            &repo.join("crates").join(name),
            &out.join("crates").join(name),
        )?;
    }
    let lock = out.join("Cargo.lock");
    if !lock.exists() {
        write(&lock, &read(&repo.join("Cargo.lock"))?)?;
    }
    Ok(())
}

fn copy_crate(from: &Path, to: &Path) -> Result<(), String> {
    let mut manifest = String::new();
    for (header, lines) in sections(&read(&from.join("Cargo.toml"))?) {
        if RUNTIME_SECTIONS_DROPPED.contains(&header.as_str()) {
            continue;
        }
        if !header.is_empty() {
            manifest.push_str(&header);
            manifest.push('\n');
        }
        for line in lines {
            manifest.push_str(line);
            manifest.push('\n');
        }
    }
    write(&to.join("Cargo.toml"), &manifest)?;
    copy_tree(&from.join("src"), &to.join("src"))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    for entry in
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?
    {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            write(&target, &read(&entry.path())?)?;
        }
    }
    Ok(())
}

/// Bytes under `dir`, following no links.
pub fn disk_usage(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => disk_usage(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_manifest_inherits_the_repository_settings() {
        let manifest = root_manifest(
            &crate::workspace_root(),
            &["acs-dbs20190306".into()],
            "cargo xtask catalogue",
        )
        .expect("the repository manifest reads");
        assert!(manifest.contains("\"crates/acs-dbs20190306\","));
        assert!(manifest.contains("[workspace.package]\nedition = "));
        assert!(manifest.contains("acs-runtime = { version = "));
        assert!(manifest.contains("acs-policy = { version = "));
        assert!(manifest.contains("    \"crates/acs-policy\",\n    \"crates/acs-runtime\",\n"));
        assert!(!manifest.contains("acs-codegen"), "{manifest}");
    }
}
