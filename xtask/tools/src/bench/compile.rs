//! `cargo xtask bench --compile`: what a generated crate costs its users to compile, beside
//! aws-sdk-rust's STS crate built in the same run.
//!
//! Measured, in alternating rounds (the median is reported):
//!
//! - **own compile time** of a crate, its dependencies already built: `cargo clean -p PKG` then
//!   `cargo build -p PKG` (debug and release). Ours: `acs-dbs20190306` and `acs-cs20151215`, with
//!   all operations and with one operation's feature, inside this workspace. Theirs:
//!   `aws-sdk-sts` `=1.124.0` (11 operations), in a scratch project outside the workspace. Per
//!   operation: the all-operations time divided by the operations of the spec folder (ours) or
//!   11 (theirs).
//! - **cold build** of a fresh project depending only on `acs-dbs20190306`, beside one depending
//!   only on `aws-sdk-sts` (debug, empty target directories): what a user's first build costs.
//!
//! Every build runs with `CARGO_INCREMENTAL=0`. The table goes to stdout and the figures to
//! `bench/compile.json` under the target directory. The run takes a while (aws-sdk-sts and
//! its dependencies build from scratch twice); it is reported, not run in CI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::json;

/// aws-sdk-rust's STS client, pinned so runs stay comparable.
const STS_VERSION: &str = "=1.124.0";
/// Operations of `aws-sdk-sts` 1.124.0.
const STS_OPERATIONS: usize = 11;

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.env("CARGO_INCREMENTAL", "0");
    command
}

fn succeed(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Seconds one command takes.
fn timed(command: &mut Command, what: &str) -> Result<f64, String> {
    let started = Instant::now();
    succeed(command, what)?;
    Ok(started.elapsed().as_secs_f64())
}

/// One thing measured: how to prepare and time one round of it.
struct Measurement {
    name: String,
    /// Working directory of the cargo commands.
    dir: PathBuf,
    /// Target directory (`None`: the directory's default).
    target: Option<PathBuf>,
    /// `cargo build` arguments.
    build: Vec<String>,
    /// The package `cargo clean -p` removes first; `None` for a cold build (the whole target
    /// directory is removed).
    package: Option<String>,
    /// Operations the all-operations time is divided by.
    operations: Option<usize>,
    samples: Vec<f64>,
}

impl Measurement {
    fn round(&mut self) -> Result<(), String> {
        let mut clean = cargo();
        clean.current_dir(&self.dir);
        if let Some(target) = &self.target {
            clean.env("CARGO_TARGET_DIR", target);
        }
        match &self.package {
            Some(package) => {
                let mut args = vec!["clean".to_owned(), "-p".to_owned(), package.clone()];
                if self.build.iter().any(|a| a == "--release") {
                    args.push("--release".to_owned());
                }
                succeed(clean.args(&args), &format!("cargo clean -p {package}"))?;
            }
            None => {
                if let Some(target) = &self.target {
                    let _ = std::fs::remove_dir_all(target);
                }
            }
        }
        let mut build = cargo();
        build.current_dir(&self.dir).arg("build").args(&self.build);
        if let Some(target) = &self.target {
            build.env("CARGO_TARGET_DIR", target);
        }
        let seconds = timed(&mut build, &format!("{}: cargo build", self.name))?;
        eprintln!("  {:<44} {seconds:>8.2} s", self.name);
        self.samples.push(seconds);
        Ok(())
    }

    fn median(&self) -> f64 {
        let mut samples = self.samples.clone();
        samples.sort_by(f64::total_cmp);
        samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn range(&self) -> (f64, f64) {
        let min = self.samples.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self
            .samples
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (min, max)
    }
}

/// A scratch project outside the workspace depending on `dependency`.
fn scratch_project(base: &Path, name: &str, dependency: &str) -> Result<PathBuf, String> {
    let dir = base.join(name);
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    // `[workspace]` keeps cargo from looking for a workspace above the scratch folder.
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{dependency}\n\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    Ok(dir)
}

fn spec_operations(root: &Path, folder: &str) -> Result<usize, String> {
    acs_spec::load_service_dir(&root.join("specs").join(folder))
        .map(|loaded| loaded.service.operations.len())
        .map_err(|e| e.to_string())
}

/// Runs the measurements and writes the report.
pub fn run(root: &Path, rounds: usize) -> Result<(), String> {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let scratch = std::env::temp_dir().join("acs-bench-compile");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let sts = scratch_project(
        &scratch,
        "own-sts",
        &format!("aws-sdk-sts = \"{STS_VERSION}\""),
    )?;
    let dbs_path = root.join("crates/acs-dbs20190306");
    let cold_ours = scratch_project(
        &scratch,
        "cold-dbs",
        &format!(
            "acs-dbs20190306 = {{ path = {:?} }}",
            dbs_path.display().to_string()
        ),
    )?;
    let cold_sts = scratch_project(
        &scratch,
        "cold-sts",
        &format!("aws-sdk-sts = \"{STS_VERSION}\""),
    )?;

    let ours = |name: &str, package: &str, extra: &[&str], operations: Option<usize>| {
        let mut build = vec!["-p".to_owned(), package.to_owned(), "--locked".to_owned()];
        build.extend(extra.iter().map(|s| (*s).to_owned()));
        Measurement {
            name: name.to_owned(),
            dir: root.to_path_buf(),
            target: None,
            build,
            package: Some(package.to_owned()),
            operations,
            samples: Vec::new(),
        }
    };
    let dbs_ops = spec_operations(root, "dbs/2019-03-06")?;
    let cs_ops = spec_operations(root, "cs/2015-12-15")?;
    let single = ["--no-default-features", "--features"];
    let mut measurements = Vec::new();
    for (profile, flags) in [("debug", vec![]), ("release", vec!["--release"])] {
        measurements.push(ours(
            &format!("acs-dbs20190306 {profile}"),
            "acs-dbs20190306",
            &flags,
            Some(dbs_ops),
        ));
        let mut one: Vec<&str> = single.to_vec();
        one.push("start-backup-plan");
        one.extend(&flags);
        measurements.push(ours(
            &format!("acs-dbs20190306 {profile}, 1 operation"),
            "acs-dbs20190306",
            &one,
            None,
        ));
        measurements.push(ours(
            &format!("acs-cs20151215 {profile}"),
            "acs-cs20151215",
            &flags,
            Some(cs_ops),
        ));
        let mut one: Vec<&str> = single.to_vec();
        one.push("describe-cluster-node-pools");
        one.extend(&flags);
        measurements.push(ours(
            &format!("acs-cs20151215 {profile}, 1 operation"),
            "acs-cs20151215",
            &one,
            None,
        ));
        measurements.push(Measurement {
            name: format!("aws-sdk-sts {profile}"),
            dir: sts.clone(),
            target: Some(scratch.join("target-own-sts")),
            build: flags.iter().map(|s| (*s).to_owned()).collect(),
            package: Some("aws-sdk-sts".to_owned()),
            operations: Some(STS_OPERATIONS),
            samples: Vec::new(),
        });
    }
    for (name, dir) in [
        ("cold: project using acs-dbs20190306", cold_ours),
        ("cold: project using aws-sdk-sts", cold_sts),
    ] {
        let target = scratch.join(format!(
            "target-{}",
            dir.file_name().unwrap().to_string_lossy()
        ));
        measurements.push(Measurement {
            name: name.to_owned(),
            dir,
            target: Some(target),
            build: Vec::new(),
            package: None,
            operations: None,
            samples: Vec::new(),
        });
    }

    eprintln!("building dependencies once...");
    succeed(
        cargo().current_dir(root).args([
            "build",
            "--locked",
            "-p",
            "acs-dbs20190306",
            "-p",
            "acs-cs20151215",
        ]),
        "workspace build",
    )?;
    succeed(
        cargo().current_dir(root).args([
            "build",
            "--release",
            "--locked",
            "-p",
            "acs-dbs20190306",
            "-p",
            "acs-cs20151215",
        ]),
        "workspace release build",
    )?;
    for release in [false, true] {
        let mut build = cargo();
        build
            .current_dir(&sts)
            .env("CARGO_TARGET_DIR", scratch.join("target-own-sts"))
            .arg("build");
        if release {
            build.arg("--release");
        }
        succeed(&mut build, "aws-sdk-sts build")?;
    }
    for round in 1..=rounds.max(1) {
        eprintln!("round {round}:");
        for measurement in &mut measurements {
            measurement.round()?;
        }
    }
    report(&measurements, &target_dir)
}

fn report(measurements: &[Measurement], target_dir: &Path) -> Result<(), String> {
    println!(
        "\n{:<44} {:>9} {:>17} {:>10}",
        "build", "median", "min-max", "per op"
    );
    let mut entries = Vec::new();
    for m in measurements {
        let (min, max) = m.range();
        let per_op = m.operations.map(|ops| m.median() / ops as f64);
        println!(
            "{:<44} {:>7.2} s {:>7.2}-{:<7.2} s {:>10}",
            m.name,
            m.median(),
            min,
            max,
            per_op.map_or(String::new(), |p| format!("{p:.3} s"))
        );
        entries.push(json!({
            "name": m.name,
            "median_seconds": m.median(),
            "min_seconds": min,
            "max_seconds": max,
            "samples": m.samples,
            "operations": m.operations,
            "per_operation_seconds": per_op,
        }));
    }
    let per_op = |name: &str| {
        measurements
            .iter()
            .find(|m| m.name == name)
            .and_then(|m| m.operations.map(|ops| m.median() / ops as f64))
    };
    let mut ratios = Vec::new();
    println!();
    for profile in ["debug", "release"] {
        let theirs = per_op(&format!("aws-sdk-sts {profile}"));
        for ours in ["acs-dbs20190306", "acs-cs20151215"] {
            let (Some(mine), Some(theirs)) = (per_op(&format!("{ours} {profile}")), theirs) else {
                continue;
            };
            let ratio = mine / theirs;
            let target = (profile == "debug" && ours == "acs-dbs20190306").then_some(0.25);
            println!(
                "per operation, {ours} / aws-sdk-sts ({profile}): {:.3} s / {:.3} s = {ratio:.3}{}",
                mine,
                theirs,
                target.map_or(String::new(), |t| format!(
                    " (target at most {t}: {})",
                    if ratio <= t { "met" } else { "MISSED" }
                ))
            );
            ratios.push(json!({
                "name": format!("{ours} per operation / aws-sdk-sts per operation ({profile})"),
                "measured": mine,
                "baseline": theirs,
                "ratio": ratio,
                "limit": target,
                "met": target.map(|t| ratio <= t),
            }));
        }
    }
    let path = target_dir.join("bench/compile.json");
    std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
    let document = json!({ "measurements": entries, "ratios": ratios });
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&document).expect("JSON serializes") + "\n",
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    println!("\nfigures in {}", path.display());
    Ok(())
}
