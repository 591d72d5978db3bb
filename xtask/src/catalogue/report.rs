//! `report.json` and `report.md`: per API version what was imported, generated and compiled,
//! and what was refused and why.
//!
//! `report.json` keeps the shape scripts read:
//! `{"totals": {versions, operations, generated, compiled, refused}, "versions": [{product,
//! version, style, operations, generated, compiled, refused: [{operation, reason, message}],
//! error, …}], …}`, operation counts throughout (`compiled` counts the generated operations of
//! versions whose crate compiled). Everything but `run` (wall time, disk) and each version's
//! `seconds` is the same on every run over the same input.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// What happened to one API version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionReport {
    /// Product folder name (`dbs`, `dataworks-public`).
    pub product: String,
    /// API version folder name (`2019-03-06`).
    pub version: String,
    /// `info.style` exactly as the metadata writes it.
    pub style: String,
    /// Operations the metadata lists.
    pub operations: usize,
    /// Operations generated into the crate.
    pub generated: usize,
    /// Generated operations of a crate that compiled; 0 when it did not.
    pub compiled: usize,
    /// Operations not imported, with why.
    pub refused: Vec<Refused>,
    /// Why nothing of the version could be read or generated, when that is so.
    pub error: Option<String>,
    /// The generated crate.
    pub package: Option<String>,
    /// Lines of generated Rust.
    pub lines: usize,
    /// Generated operations with a paginator.
    pub paginated: usize,
    /// The first compiler error, when the crate did not compile.
    pub compile_error: Option<String>,
    /// Wall time of each stage.
    pub seconds: StageSeconds,
}

/// One refused operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// Operation name.
    pub operation: String,
    /// Reason class (`host-parameter`, `auth`, …).
    pub reason: String,
    /// The reason in words.
    pub message: String,
}

/// Seconds spent per stage on one version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSeconds {
    /// Reading and converting the metadata, and writing the spec folder.
    pub import: f64,
    /// Lowering the specs and writing the crate.
    pub generate: f64,
    /// `cargo check` of the crate.
    pub check: f64,
}

/// What varies from run to run: reported beside the figures, not inside them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunFacts {
    /// Wall time of the whole run, in seconds.
    pub wall_seconds: f64,
    /// Bytes under the output folder at the end (specs, crates, build artifacts).
    pub disk_bytes: u64,
    /// Parallel jobs.
    pub jobs: usize,
}

/// Sums over a set of versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// API versions.
    pub versions: usize,
    /// Operations the metadata lists.
    pub operations: usize,
    /// Operations generated.
    pub generated: usize,
    /// Operations generated into crates that compiled.
    pub compiled: usize,
    /// Operations refused.
    pub refused: usize,
}

impl Totals {
    fn add(&mut self, version: &VersionReport) {
        self.versions += 1;
        self.operations += version.operations;
        self.generated += version.generated;
        self.compiled += version.compiled;
        self.refused += version.refused.len();
    }

    /// Compiled operations as a percentage of the operations listed.
    pub fn coverage(&self) -> f64 {
        percent(self.compiled, self.operations)
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Styles the runtime calls (the coverage target counts these): OSS through its own gateway,
/// SLS (style ROA) through its.
const CALLABLE_STYLES: &[&str] = &["RPC", "ROA", "V3", "FC", "OSS"];

/// The whole report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Over every version.
    pub totals: Totals,
    /// Coverage figures derived from the versions.
    pub summary: Summary,
    /// Per version, sorted by product and version.
    pub versions: Vec<VersionReport>,
    /// Wall time and disk of this run.
    pub run: RunFacts,
}

/// Derived figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `totals.compiled / totals.operations`, in percent: what `--fail-under` compares.
    pub coverage_percent: f64,
    /// Over RPC, ROA, V3, FC and OSS versions, not counting operations refused for a parameter
    /// in the host name that no product gateway places (FC-Open's `AccountID`): compiled /
    /// operations, in percent.
    pub callable_coverage_percent: f64,
    /// Totals per `info.style`.
    pub by_style: BTreeMap<String, Totals>,
    /// Refused operations per reason class.
    pub refused_by_reason: BTreeMap<String, usize>,
    /// Lines of generated Rust.
    pub lines: usize,
    /// Generated operations with a paginator.
    pub paginated: usize,
    /// Versions whose crate did not compile.
    pub failed_to_compile: usize,
}

impl Report {
    /// The report over `versions` (sorted here).
    pub fn new(mut versions: Vec<VersionReport>, run: RunFacts) -> Report {
        versions.sort_by(|a, b| (&a.product, &a.version).cmp(&(&b.product, &b.version)));
        let mut totals = Totals::default();
        let mut summary = Summary::default();
        let (mut callable_ops, mut callable_compiled) = (0, 0);
        for version in &versions {
            totals.add(version);
            summary
                .by_style
                .entry(version.style.clone())
                .or_default()
                .add(version);
            for refused in &version.refused {
                *summary
                    .refused_by_reason
                    .entry(refused.reason.clone())
                    .or_default() += 1;
            }
            summary.lines += version.lines;
            summary.paginated += version.paginated;
            if version.compile_error.is_some() {
                summary.failed_to_compile += 1;
            }
            if CALLABLE_STYLES.contains(&version.style.to_ascii_uppercase().as_str()) {
                let host = version
                    .refused
                    .iter()
                    .filter(|r| r.reason == acs_import::RefusalReason::HostParameter.as_str())
                    .count();
                callable_ops += version.operations - host;
                callable_compiled += version.compiled;
            }
        }
        summary.coverage_percent = round2(totals.coverage());
        summary.callable_coverage_percent = round2(percent(callable_compiled, callable_ops));
        Report {
            totals,
            summary,
            versions,
            run,
        }
    }

    /// `report.json`.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("the report serializes");
        text.push('\n');
        text
    }

    /// `report.md`: totals, refusals by class, failures, then every version.
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# Catalogue report\n\n");
        let _ = writeln!(
            md,
            "{} API versions, {} operations: {} generated, {} compiled ({:.2} %), {} refused. Over RPC, ROA, V3, FC and OSS versions without the `in: host` operations no gateway places: {:.2} % compiled. {} lines of generated Rust; {} operations with a paginator. Run: {:.0} s wall, {} jobs, {} on disk.\n",
            self.totals.versions,
            self.totals.operations,
            self.totals.generated,
            self.totals.compiled,
            self.summary.coverage_percent,
            self.totals.refused,
            self.summary.callable_coverage_percent,
            self.summary.lines,
            self.summary.paginated,
            self.run.wall_seconds,
            self.run.jobs,
            human_bytes(self.run.disk_bytes),
        );
        md.push_str("| style | versions | operations | generated | compiled | refused | compiled % |\n|---|---:|---:|---:|---:|---:|---:|\n");
        let mut rows: Vec<(&str, &Totals)> = self
            .summary
            .by_style
            .iter()
            .map(|(style, totals)| (style.as_str(), totals))
            .collect();
        rows.push(("**all**", &self.totals));
        for (style, t) in rows {
            let _ = writeln!(
                md,
                "| {style} | {} | {} | {} | {} | {} | {:.2} |",
                t.versions,
                t.operations,
                t.generated,
                t.compiled,
                t.refused,
                t.coverage()
            );
        }
        md.push_str("\n## Refused operations by reason\n\n| reason | operations |\n|---|---:|\n");
        for (reason, count) in &self.summary.refused_by_reason {
            let _ = writeln!(md, "| {reason} | {count} |");
        }
        let problems: Vec<&VersionReport> = self
            .versions
            .iter()
            .filter(|v| v.error.is_some() || v.compile_error.is_some())
            .collect();
        if !problems.is_empty() {
            md.push_str("\n## Versions with errors\n\n");
            for version in problems {
                let what = version
                    .error
                    .as_deref()
                    .or(version.compile_error.as_deref())
                    .unwrap_or_default();
                let _ = writeln!(
                    md,
                    "- **{} {}**: {}",
                    version.product,
                    version.version,
                    first_line(what)
                );
            }
        }
        md.push_str("\n## Versions\n\n| product | version | style | operations | generated | compiled | refused | lines | import s | generate s | check s |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for v in &self.versions {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.1} |",
                v.product,
                v.version,
                v.style,
                v.operations,
                v.generated,
                v.compiled,
                v.refused.len(),
                v.lines,
                v.seconds.import,
                v.seconds.generate,
                v.seconds.check
            );
        }
        let refused: Vec<(&VersionReport, &Refused)> = self
            .versions
            .iter()
            .flat_map(|v| v.refused.iter().map(move |r| (v, r)))
            .collect();
        if !refused.is_empty() {
            md.push_str("\n## Refused operations\n\n| product | version | operation | reason | message |\n|---|---|---|---|---|\n");
            for (v, r) in refused {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    v.product,
                    v.version,
                    r.operation,
                    r.reason,
                    first_line(&r.message).replace('|', "\\|")
                );
            }
        }
        md
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut shown: String = line.chars().take(300).collect();
    if shown.len() < line.len() {
        shown.push('…');
    }
    shown
}

/// `1.5 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", units[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(style: &str, operations: usize, compiled: usize, refused: &[&str]) -> VersionReport {
        VersionReport {
            product: format!("p{operations}"),
            version: "2020-01-01".into(),
            style: style.into(),
            operations,
            generated: compiled,
            compiled,
            refused: refused
                .iter()
                .map(|reason| Refused {
                    operation: "Op".into(),
                    reason: (*reason).into(),
                    message: "why".into(),
                })
                .collect(),
            ..VersionReport::default()
        }
    }

    #[test]
    fn callable_coverage_leaves_out_host_parameters_and_other_styles() {
        let report = Report::new(
            vec![
                version("RPC", 10, 8, &["host-parameter", "auth"]),
                version("AliGenie", 5, 0, &["style"; 5]),
                version("OSS", 4, 4, &[]),
            ],
            RunFacts::default(),
        );
        assert_eq!(report.totals.operations, 19);
        assert_eq!(report.totals.refused, 7);
        assert_eq!(report.summary.coverage_percent, 63.16);
        // 8 of the 9 RPC operations that do not need a host parameter, and OSS's 4.
        assert_eq!(report.summary.callable_coverage_percent, 92.31);
        assert_eq!(report.summary.refused_by_reason["style"], 5);
        assert!(
            report
                .to_markdown()
                .contains("| AliGenie | 1 | 5 | 0 | 0 | 5 | 0.00 |")
        );
    }
}
