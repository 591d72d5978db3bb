//! `cargo xtask compile-batch`: the strongest form of the robustness property. Random valid
//! specs (`acs_spec_fuzz::random`, by seed) go into a workspace of their own as spec folders;
//! the real `codegen` writes their crates; they must pass `cargo clippy -D warnings`, rustdoc
//! with `-D warnings` and their doc tests, all together; and `codegen --check` right after
//! must find nothing stale.
//!
//! ```text
//! <dir>/Cargo.toml          workspace: acs-runtime, acs-policy and every generated crate
//! <dir>/crates/acs-runtime  copy of the runtime (acs-policy alike)
//! <dir>/crates/<package>    generated client crates
//! <dir>/specs/<p>/<v>/      the random spec folders
//! <dir>/target              their build
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use acs_spec_fuzz::{Kind, Outcome, random_spec};

use xtask::catalogue::workspace;
use xtask::codegen::{Mode, check_failure, codegen};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Accepted specs to compile.
    pub count: usize,
    /// The first seed; the next ones follow it.
    pub seed: u64,
    /// Where the workspace goes; a temporary folder, removed afterwards, when `None`.
    pub keep: Option<PathBuf>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Seeds whose spec was generated and loaded.
    pub tried: usize,
    /// Specs the loader accepted (every valid random spec should be).
    pub accepted: usize,
    /// Generated crates that passed every stage.
    pub compiled: usize,
    /// Why the others did not, each naming its seed and spec folder.
    pub failures: Vec<String>,
    /// Seconds per stage, in order.
    pub stages: Vec<(&'static str, f64)>,
    /// The workspace (kept with `--keep`).
    pub dir: PathBuf,
}

/// A random spec in the batch.
struct Member {
    seed: u64,
    folder: String,
}

/// Seeds tried for each spec asked for before giving up: valid random specs are all accepted
/// today, so running out means the generator or the loader changed.
const TRIES_PER_SPEC: usize = 4;

/// Runs the batch. `Err` is for a run that could not happen (bad arguments, no cargo); a
/// failing spec is in [`Summary::failures`].
pub fn run(repo: &Path, options: &Options) -> Result<Summary, String> {
    let dir = match &options.keep {
        Some(dir) => {
            if let (Some(out), Some(repo)) = (
                xtask::catalogue::canonical_or_parent(dir),
                repo.canonicalize().ok(),
            ) && out.starts_with(&repo)
            {
                return Err(format!(
                    "--keep {}: must lie outside the repository, whose specs and crates it would mix with",
                    dir.display()
                ));
            }
            if dir.join("specs").exists() {
                // Specs from an earlier run would join this batch.
                std::fs::remove_dir_all(dir.join("specs"))
                    .map_err(|e| format!("cannot clear {}: {e}", dir.join("specs").display()))?;
            }
            dir.clone()
        }
        None => std::env::temp_dir().join(format!("acs-compile-batch-{}", std::process::id())),
    };
    std::fs::create_dir_all(dir.join("tests/specs"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = run_in(repo, &dir, options);
    if options.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn run_in(repo: &Path, dir: &Path, options: &Options) -> Result<Summary, String> {
    let mut summary = Summary {
        dir: dir.to_path_buf(),
        ..Summary::default()
    };
    let started = Instant::now();
    let mut members: BTreeMap<String, Member> = BTreeMap::new();
    let mut seed = options.seed;
    while members.len() < options.count {
        if summary.tried >= options.count * TRIES_PER_SPEC {
            return Err(format!(
                "only {} of {} random specs were accepted; the valid ones should all be",
                members.len(),
                summary.tried
            ));
        }
        let spec = random_spec(seed, Kind::Valid);
        summary.tried += 1;
        let folder = format!("specs/{}/{}", spec.product, spec.version);
        match acs_spec_fuzz::check_files(&spec.files) {
            Ok(Outcome::Accepted { .. }) => {
                summary.accepted += 1;
                for file in &spec.files {
                    let path = dir.join(&folder).join(&file.name);
                    std::fs::create_dir_all(dir.join(&folder))
                        .and_then(|()| std::fs::write(&path, &file.bytes))
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                }
                // The package is set in every random service.yaml; reading it back keeps the
                // one definition in the generator.
                let package = package_of(&spec.files[0].bytes)
                    .ok_or_else(|| format!("seed {seed}: {folder} names no package"))?;
                members.insert(package, Member { seed, folder });
            }
            Ok(Outcome::Refused { errors }) => summary.failures.push(format!(
                "seed {seed} ({folder}): a valid random spec was refused with {errors} errors"
            )),
            Err(violation) => summary
                .failures
                .push(format!("seed {seed} ({folder}): {violation}")),
        }
        seed = seed.wrapping_add(1);
    }
    summary
        .stages
        .push(("generate specs", started.elapsed().as_secs_f64()));

    let stage = Instant::now();
    let report = codegen(dir, Mode::Write)?;
    let packages: Vec<String> = members.keys().cloned().collect();
    workspace::prepare(repo, dir)?;
    workspace::write(
        &dir.join("Cargo.toml"),
        &workspace::root_manifest(repo, &packages, "cargo xtask compile-batch")?,
    )?;
    summary
        .stages
        .push(("codegen", stage.elapsed().as_secs_f64()));
    eprintln!(
        "compile-batch: {} specs from seed {} generated into {} ({} warnings); building them",
        members.len(),
        options.seed,
        dir.display(),
        report.warnings.len()
    );

    let mut failed: BTreeMap<String, String> = BTreeMap::new();
    // `--all-features`: the `test-util` mock client and its doc example too.
    let excluded = [
        "--workspace",
        "--exclude",
        "acs-runtime",
        "--exclude",
        "acs-policy",
        "--all-features",
    ];
    let stage = Instant::now();
    let clippy = cargo(dir)
        // Every crate, even after one fails.
        .args([
            "clippy",
            "--keep-going",
            "--all-targets",
            "--message-format",
            "json",
        ])
        .args(excluded)
        .args(["--", "-D", "warnings"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    for (package, error) in compiler_errors(&String::from_utf8_lossy(&clippy.stdout)) {
        failed.entry(package).or_insert(format!("clippy: {error}"));
    }
    if !clippy.status.success() && failed.is_empty() {
        return Err(format!(
            "cargo clippy failed:\n{}",
            tail(&String::from_utf8_lossy(&clippy.stderr))
        ));
    }
    summary
        .stages
        .push(("clippy -D warnings", stage.elapsed().as_secs_f64()));

    let stage = Instant::now();
    let doc = cargo(dir)
        .env("RUSTDOCFLAGS", "-D warnings")
        .args([
            "doc",
            "--keep-going",
            "--no-deps",
            "--message-format",
            "json",
        ])
        .args(excluded)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    for (package, error) in compiler_errors(&String::from_utf8_lossy(&doc.stdout)) {
        failed.entry(package).or_insert(format!("rustdoc: {error}"));
    }
    summary
        .stages
        .push(("rustdoc -D warnings", stage.elapsed().as_secs_f64()));

    let stage = Instant::now();
    // Every crate's doc tests, even after one fails.
    let doctests = cargo(dir)
        .args(["test", "--doc", "--no-fail-fast"])
        .args(excluded)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let doctest_output = format!(
        "{}{}",
        String::from_utf8_lossy(&doctests.stdout),
        String::from_utf8_lossy(&doctests.stderr)
    );
    for package in doctest_failures(&doctest_output) {
        failed
            .entry(package)
            .or_insert_with(|| format!("doc tests failed:\n{}", tail(&doctest_output)));
    }
    if !doctests.status.success() && failed.is_empty() {
        return Err(format!(
            "cargo test --doc failed:\n{}",
            tail(&doctest_output)
        ));
    }
    summary
        .stages
        .push(("doc tests", stage.elapsed().as_secs_f64()));

    let stage = Instant::now();
    let check = codegen(dir, Mode::Check)?;
    if let Some(stale) = check_failure(dir, &check) {
        summary.failures.push(format!(
            "codegen --check right after codegen is not clean:\n{stale}"
        ));
    }
    summary
        .stages
        .push(("codegen --check", stage.elapsed().as_secs_f64()));

    for (package, error) in &failed {
        match members.get(package) {
            Some(member) => summary.failures.push(format!(
                "seed {} ({}, crate {package}): {error}",
                member.seed, member.folder
            )),
            None => summary.failures.push(format!("{package}: {error}")),
        }
    }
    summary.compiled = members.keys().filter(|p| !failed.contains_key(*p)).count();
    Ok(summary)
}

fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS");
    command
}

/// `package: …` in a written service.yaml.
fn package_of(service_yaml: &[u8]) -> Option<String> {
    String::from_utf8_lossy(service_yaml)
        .lines()
        .find_map(|line| {
            line.strip_prefix("package: ")
                .map(|p| p.trim().trim_matches('"').to_owned())
        })
}

/// (package, first error) for each package with an error in cargo's JSON messages; the
/// package is the crate folder its id names (`path+file:///…/crates/<package>#0.1.0`).
fn compiler_errors(messages: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for message in messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-message" && m["message"]["level"] == "error")
    {
        let id = message["package_id"].as_str().unwrap_or_default();
        let package = id
            .rsplit_once("/crates/")
            .map_or(id, |(_, rest)| {
                rest.split(['#', ' ']).next().unwrap_or(rest)
            })
            .to_owned();
        if out.iter().all(|(p, _)| *p != package) {
            let rendered = message["message"]["rendered"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            out.push((package, rendered));
        }
    }
    out
}

/// Packages whose doc tests failed: cargo names each `to rerun pass `-p <package> --doc``.
fn doctest_failures(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| line.split("to rerun pass `-p ").nth(1))
        .filter_map(|rest| rest.split([' ', '`']).next())
        .map(str::to_owned)
        .collect()
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_put_on_their_crate() {
        let messages = r#"{"reason":"compiler-message","package_id":"path+file:///tmp/b/crates/fixture-r1a20000101#0.1.0","message":{"level":"error","rendered":"error: boom"}}
{"reason":"compiler-message","package_id":"path+file:///tmp/b/crates/fixture-r2a20000101#0.1.0","message":{"level":"warning","rendered":"warning: fine"}}"#;
        assert_eq!(
            compiler_errors(messages),
            vec![("fixture-r1a20000101".to_owned(), "error: boom".to_owned())]
        );
        assert_eq!(
            doctest_failures(
                "error: doctest failed, to rerun pass `-p fixture-r3-public20000101 --doc`"
            ),
            vec!["fixture-r3-public20000101"]
        );
    }
}
