//! `cargo xtask bench`: runs the criterion benchmarks and prints each target as a ratio of two
//! measurements taken in the same run, since absolute times on a shared machine mean little.

pub mod compile;

use std::path::Path;
use std::process::Command;

/// A ratio with its target: `numerator / denominator` should be at most `at_most`.
pub struct Target {
    /// What is compared.
    pub what: &'static str,
    /// Criterion id (`group/function`) of the measured side.
    pub numerator: &'static str,
    /// Criterion id of the baseline.
    pub denominator: &'static str,
    /// The largest acceptable ratio.
    pub at_most: f64,
}

/// The project's speed targets that the benchmarks measure.
pub const TARGETS: &[Target] = &[
    Target {
        what: "V3 signature vs one HMAC-SHA256",
        numerator: "signature/v3_acs3_hmac_sha256",
        denominator: "signature/hmac_sha256",
        at_most: 5.0,
    },
    Target {
        what: "StartBackupPlan call vs bare reqwest",
        numerator: "call/start_backup_plan",
        denominator: "call/bare_reqwest",
        at_most: 1.25,
    },
];

/// The benchmark targets to run: (package, bench).
const BENCHES: &[(&str, &str)] = &[("acs-runtime", "signing"), ("tests", "call")];

/// Mean time in nanoseconds of a criterion benchmark from its latest run.
fn mean_ns(criterion_dir: &Path, id: &str) -> Result<f64, String> {
    let path = criterion_dir.join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let estimates: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    estimates["mean"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no mean estimate", path.display()))
}

/// Runs every benchmark (extra arguments go to criterion) and reports the targets. Returns
/// whether all targets were met.
pub fn run(root: &Path, criterion_args: &[&str]) -> Result<bool, String> {
    for (package, bench) in BENCHES {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args(["bench", "-p", package, "--bench", bench, "--"])
            .args(criterion_args)
            .status()
            .map_err(|e| format!("cannot run cargo bench: {e}"))?;
        if !status.success() {
            return Err(format!("cargo bench -p {package} --bench {bench} failed"));
        }
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let criterion_dir = target_dir.join("criterion");
    let mut all_met = true;
    println!(
        "\n{:<40} {:>12} {:>12} {:>8} {:>8}",
        "target", "measured", "baseline", "ratio", "limit"
    );
    for target in TARGETS {
        let measured = mean_ns(&criterion_dir, target.numerator)?;
        let baseline = mean_ns(&criterion_dir, target.denominator)?;
        let ratio = measured / baseline;
        let met = ratio <= target.at_most;
        all_met &= met;
        println!(
            "{:<40} {:>10.0}ns {:>10.0}ns {:>7.2}x {:>7.2}x {}",
            target.what,
            measured,
            baseline,
            ratio,
            target.at_most,
            if met { "ok" } else { "MISSED" }
        );
    }
    Ok(all_met)
}
