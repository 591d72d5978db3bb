//! `cargo xtask bench`: the speed and memory targets, each a ratio of two measurements taken in
//! the same run, since absolute times on a shared machine mean little.
//!
//! One run measures the criterion benchmarks (signing, the call against an in-process server,
//! decoding, codegen) and the per-call figures over nginx ([`wire`]), prints a table of medians,
//! min–max and ratios, and writes the figures to `bench/summary.json` under the target
//! directory. The compile-time figures of `--compile` are separate ([`compile`]).

pub mod compile;
pub mod wire;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

/// What a ratio should be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// A target: at most this.
    AtMost(f64),
    /// A target: at least this.
    AtLeast(f64),
    /// No target: reported for information.
    Report,
}

/// One figure: a measured side, its baseline and their ratio (of the medians).
#[derive(Debug, Clone)]
pub struct Figure {
    /// Stable identifier, the `name` in `summary.json`.
    pub name: &'static str,
    /// What is compared, for the table.
    pub what: &'static str,
    /// Median of the measured side.
    pub measured: f64,
    /// Median of the baseline.
    pub baseline: f64,
    /// Smallest and largest sample of each side.
    pub measured_range: (f64, f64),
    /// Smallest and largest sample of the baseline.
    pub baseline_range: (f64, f64),
    /// Samples per side.
    pub samples: usize,
    /// The target, if this is one.
    pub goal: Goal,
}

impl Figure {
    /// A figure from samples of both sides (one per round).
    pub fn from_samples(
        name: &'static str,
        what: &'static str,
        measured: &[f64],
        baseline: &[f64],
        goal: Goal,
    ) -> Figure {
        Figure {
            name,
            what,
            measured: median(measured),
            baseline: median(baseline),
            measured_range: range(measured),
            baseline_range: range(baseline),
            samples: measured.len().min(baseline.len()),
            goal,
        }
    }

    /// A figure from one value per side.
    pub fn single(
        name: &'static str,
        what: &'static str,
        measured: f64,
        baseline: f64,
        goal: Goal,
    ) -> Figure {
        Figure::from_samples(name, what, &[measured], &[baseline], goal)
    }

    /// `measured / baseline`.
    pub fn ratio(&self) -> f64 {
        self.measured / self.baseline
    }

    /// Whether the target is met; `None` for a figure without one.
    pub fn met(&self) -> Option<bool> {
        match self.goal {
            Goal::AtMost(limit) => Some(self.ratio() <= limit),
            Goal::AtLeast(limit) => Some(self.ratio() >= limit),
            Goal::Report => None,
        }
    }

    fn summary(&self) -> serde_json::Value {
        let (limit, direction) = match self.goal {
            Goal::AtMost(limit) => (Some(limit), "at_most"),
            Goal::AtLeast(limit) => (Some(limit), "at_least"),
            Goal::Report => (None, "report"),
        };
        json!({
            "name": self.name,
            "what": self.what,
            "measured": self.measured,
            "baseline": self.baseline,
            "ratio": self.ratio(),
            "limit": limit,
            "goal": direction,
            "met": self.met(),
            "measured_min_max": [self.measured_range.0, self.measured_range.1],
            "baseline_min_max": [self.baseline_range.0, self.baseline_range.1],
            "samples": self.samples,
        })
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn range(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// A criterion comparison: two benchmark ids whose mean times are divided.
struct CriterionFigure {
    name: &'static str,
    what: &'static str,
    measured: &'static str,
    baseline: &'static str,
    goal: Goal,
}

/// What the criterion benchmarks are compared for.
const CRITERION_FIGURES: &[CriterionFigure] = &[
    CriterionFigure {
        name: "v3_signature_vs_hmac_sha256",
        what: "V3 signature vs one HMAC-SHA256 (ns)",
        measured: "signature/v3_acs3_hmac_sha256",
        baseline: "signature/hmac_sha256",
        goal: Goal::AtMost(5.0),
    },
    CriterionFigure {
        name: "sm3_signature_vs_hmac_sha256",
        what: "SM3 signature vs one HMAC-SHA256 (ns)",
        measured: "signature/v3_acs3_hmac_sm3",
        baseline: "signature/hmac_sha256",
        goal: Goal::Report,
    },
    CriterionFigure {
        name: "in_process_call_vs_bare_reqwest",
        what: "call vs bare reqwest, in-process server (ns)",
        measured: "call/start_backup_plan",
        baseline: "call/bare_reqwest",
        goal: Goal::Report,
    },
    CriterionFigure {
        name: "large_decode_vs_serde_json_value",
        what: "decode a large CS answer vs serde_json::Value parse (ns)",
        measured: "decode/describe_cluster_node_pools_large",
        baseline: "decode/serde_json_value_large",
        goal: Goal::Report,
    },
];

/// The criterion benchmarks to run: (package, bench).
const BENCHES: &[(&str, &str)] = &[
    ("acs-runtime", "signing"),
    ("tests", "call"),
    ("tests", "pipeline"),
];

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

/// The target directory cargo uses (`$CARGO_TARGET_DIR` when set).
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The per-call measurements over nginx.
    pub wire: Option<wire::Options>,
    /// Whether to run the criterion benchmarks, and the arguments they get.
    pub criterion: Option<&'a [&'a str]>,
}

/// Runs the benchmarks, prints the table and writes `bench/summary.json`. Returns whether every
/// target was met.
pub fn run(root: &Path, options: &Options<'_>) -> Result<bool, String> {
    let target_dir = target_dir(root);
    let mut figures = Vec::new();
    if let Some(criterion_args) = options.criterion {
        for (package, bench) in BENCHES {
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(root)
                .args(["bench", "--locked", "-p", package, "--bench", bench, "--"])
                .args(criterion_args)
                .status()
                .map_err(|e| format!("cannot run cargo bench: {e}"))?;
            if !status.success() {
                return Err(format!("cargo bench -p {package} --bench {bench} failed"));
            }
        }
        let criterion_dir = target_dir.join("criterion");
        for figure in CRITERION_FIGURES {
            figures.push(Figure::single(
                figure.name,
                figure.what,
                mean_ns(&criterion_dir, figure.measured)?,
                mean_ns(&criterion_dir, figure.baseline)?,
                figure.goal,
            ));
        }
    }
    if let Some(wire_options) = options.wire {
        figures.extend(wire::run(root, &target_dir, wire_options)?);
    }
    print_table(&figures);

    let summary = target_dir.join("bench/summary.json");
    let document = json!({ "figures": figures.iter().map(Figure::summary).collect::<Vec<_>>() });
    std::fs::create_dir_all(summary.parent().expect("bench/ has a parent"))
        .and_then(|()| {
            std::fs::write(
                &summary,
                serde_json::to_string_pretty(&document).expect("JSON") + "\n",
            )
        })
        .map_err(|e| format!("cannot write {}: {e}", summary.display()))?;
    println!("\nfigures written to {}", summary.display());
    Ok(figures.iter().all(|figure| figure.met() != Some(false)))
}

fn print_table(figures: &[Figure]) {
    let width = figures
        .iter()
        .map(|figure| figure.what.chars().count())
        .max()
        .unwrap_or(0);
    println!(
        "\n{:<width$} {:>21} {:>21} {:>8} {:>9}",
        "figure", "measured (min–max)", "baseline (min–max)", "ratio", "target"
    );
    let side = |median: f64, (min, max): (f64, f64)| {
        if min == max {
            format!("{median:.1}")
        } else {
            format!("{median:.1} ({min:.0}–{max:.0})")
        }
    };
    for figure in figures {
        let target = match figure.goal {
            Goal::AtMost(limit) => format!("≤ {limit}"),
            Goal::AtLeast(limit) => format!("≥ {limit}"),
            Goal::Report => "–".to_owned(),
        };
        let verdict = match figure.met() {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "{:<width$} {:>21} {:>21} {:>7.2}x {:>9} {verdict}",
            figure.what,
            side(figure.measured, figure.measured_range),
            side(figure.baseline, figure.baseline_range),
            figure.ratio(),
            target,
        );
    }
}
