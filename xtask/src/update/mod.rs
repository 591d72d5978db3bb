//! `cargo xtask add`, `cargo xtask update` and `cargo xtask products`: Alibaba's metadata
//! fetched, compared with the specs here, imported, generated and versioned in one step.
//!
//! Per product version: fetch its `api-docs.json` ([`source`]); import it over the spec folder
//! (overlay kept) and compare the two as `cargo xtask diff --docs` does; move the crate version
//! by the rule in `acs_diff::Report::next_version` ([`version`] writes it into `overlay.yaml`);
//! generate the crate; add a [`changelog`] entry; then replace the spec folder and the crate
//! folder together ([`transaction`]). Everything before the replacement happens in memory, so a
//! failed fetch, a refused document or a spec error changes nothing for that product version.
//!
//! The HTTP client lives in `xtask-tools`; this module works with any [`Upstream`] and
//! reads folders itself ([`DirSource`]).

pub mod changelog;
mod plan;
pub mod source;
mod targets;
pub mod transaction;
pub mod version;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use plan::{Plan, plan};
pub use source::{DirSource, FetchError, Product, Resource, SourceSpec, Upstream};
pub use targets::{Resolved, Target, imported_folders, resolve_add, resolve_update};

/// How many fetches run at once: enough to hide the latency of hundreds of versions, few
/// enough to be polite to the metadata service.
pub const CONCURRENCY: usize = 4;

/// Why a command could not run at all.
#[derive(Debug)]
pub enum Failure {
    /// The arguments name nothing that exists (exit status 2).
    Arguments(String),
    /// The product list could not be had: nothing was checked or changed.
    Upstream(FetchError),
    /// Something else failed.
    Run(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Arguments(message) | Failure::Run(message) => f.write_str(message),
            Failure::Upstream(error) => write!(f, "{error}"),
        }
    }
}

/// What happened to one product version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// `add` generated its crate.
    Added,
    /// `update` took upstream's changes.
    Updated,
    /// Upstream has nothing new.
    Current,
    /// Upstream changed (`--check`, `--dry-run`: nothing written).
    Changed,
    /// It could not be fetched, imported or generated; nothing was written for it.
    Failed(String),
}

/// One row of the summary.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The product version.
    pub target: Target,
    /// Its crate, when it got as far as generating one.
    pub package: Option<String>,
    /// The crate version before, for an update.
    pub old_version: Option<String>,
    /// The crate version after.
    pub new_version: Option<String>,
    /// Changes by class, for an update.
    pub counts: Option<acs_diff::Summary>,
    /// What happened.
    pub status: Status,
}

/// What a run did: a row per product version, and the API changes found.
#[derive(Debug, Default)]
pub struct Run {
    /// One per product version, in the order given.
    pub outcomes: Vec<Outcome>,
    /// The changes of every product version upstream changed.
    pub reports: Vec<acs_diff::Report>,
}

impl Run {
    /// Whether any product version failed.
    pub fn any_failed(&self) -> bool {
        self.outcomes
            .iter()
            .any(|o| matches!(o.status, Status::Failed(_)))
    }

    /// Whether upstream changed any product version.
    pub fn any_changed(&self) -> bool {
        self.outcomes
            .iter()
            .any(|o| matches!(o.status, Status::Changed | Status::Updated | Status::Added))
    }

    /// The summary as a Markdown table.
    pub fn table(&self) -> String {
        let mut table = String::from(
            "| product | version | crate | crate version | breaking | additive | docs | result |\n\
             |---|---|---|---|---:|---:|---:|---|\n",
        );
        for outcome in &self.outcomes {
            let versions = match (&outcome.old_version, &outcome.new_version) {
                (Some(old), Some(new)) if old != new => format!("{old} → {new}"),
                (_, Some(new)) => new.clone(),
                (Some(old), None) => old.clone(),
                (None, None) => "–".into(),
            };
            let count = |pick: fn(&acs_diff::Summary) -> usize| {
                outcome
                    .counts
                    .as_ref()
                    .map_or("–".to_owned(), |c| pick(c).to_string())
            };
            let result = match &outcome.status {
                Status::Added => "added".to_owned(),
                Status::Updated => "updated".to_owned(),
                Status::Current => "current".to_owned(),
                Status::Changed => "changed upstream".to_owned(),
                Status::Failed(reason) => format!("failed: {}", reason.replace('|', "\\|")),
            };
            let _ = writeln!(
                table,
                "| {} | {} | {} | {versions} | {} | {} | {} | {result} |",
                outcome.target.code,
                outcome.target.version,
                outcome.package.as_deref().unwrap_or("–"),
                count(|c| c.breaking),
                count(|c| c.additive),
                count(|c| c.docs),
            );
        }
        table
    }
}

/// The product list and its text (the importer names services after it).
pub fn fetch_products(upstream: &dyn Upstream) -> Result<(Vec<Product>, String), Failure> {
    let location = upstream.location(Resource::Products);
    eprintln!("fetching the product list: {location}");
    let bytes = upstream
        .fetch(Resource::Products)
        .map_err(Failure::Upstream)?;
    let products = source::parse_products(&bytes, &location).map_err(Failure::Upstream)?;
    Ok((products, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Fetches every target's `api-docs.json`, [`CONCURRENCY`] at a time, checking each is the
/// document of that product version; progress on stderr.
pub fn fetch_all(upstream: &dyn Upstream, targets: &[Target]) -> Vec<Result<String, FetchError>> {
    let done = AtomicUsize::new(0);
    crate::catalogue::parallel(targets, CONCURRENCY, |_, target| {
        let fetched = upstream.fetch(target.resource()).and_then(|bytes| {
            source::check_api_docs(&bytes, &target.code, &target.version).map_err(|reason| {
                FetchError {
                    location: upstream.location(target.resource()),
                    reason,
                }
            })
        });
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        match &fetched {
            Ok(text) => eprintln!(
                "[{n}/{}] fetched {} ({} KB)",
                targets.len(),
                target.label(),
                text.len().div_ceil(1024)
            ),
            Err(error) => eprintln!("[{n}/{}] {}: {error}", targets.len(), target.label()),
        }
        fetched
    })
}

/// How `update` runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write nothing; report what changed upstream.
    pub check: bool,
    /// Write nothing; say what would be written.
    pub dry_run: bool,
}

/// `cargo xtask add`: fetches, imports and generates each named product version, each
/// replaced on its own (a failure leaves the others added), then refreshes `.gitattributes`.
pub fn add(root: &Path, upstream: &dyn Upstream, names: &[String]) -> Result<Run, Failure> {
    transaction::recover(root).map_err(Failure::Run)?;
    let (products, products_json) = fetch_products(upstream)?;
    let targets = resolve_add(root, &products, names)?;
    let fetched = fetch_all(upstream, &targets);
    let date = changelog::today();
    let mut run = Run::default();
    for (target, fetched) in targets.iter().zip(fetched) {
        // A failed fetch was reported as it happened.
        let docs = match fetched {
            Ok(docs) => docs,
            Err(error) => {
                run.outcomes.push(failed(target, error.to_string()));
                continue;
            }
        };
        let location = upstream.location(target.resource());
        let result =
            plan(root, target, &docs, &products_json, &location, &date, true).and_then(|plan| {
                print_notes(&plan);
                transaction::replace(root, &plan.replacements).map(|()| plan)
            });
        if let Err(reason) = &result {
            eprintln!("{}: {reason}", target.label());
        }
        run.outcomes.push(outcome(target, result, Status::Added));
    }
    refresh_generated(root, &run)?;
    Ok(run)
}

/// `cargo xtask update`: every imported product version (or those `names` select) fetched and
/// compared; with neither `check` nor `dry_run`, each that changed is replaced on its own (a
/// failure leaves the others updated), then `.gitattributes` is refreshed.
pub fn update(
    root: &Path,
    upstream: &dyn Upstream,
    names: &[String],
    options: Options,
) -> Result<Run, Failure> {
    let writes = !options.check && !options.dry_run;
    if writes {
        transaction::recover(root).map_err(Failure::Run)?;
    }
    let (products, products_json) = fetch_products(upstream)?;
    let resolved = resolve_update(root, &products, names)?;
    let targets: Vec<Target> = resolved.iter().filter_map(|r| r.clone().ok()).collect();
    let mut fetched = fetch_all(upstream, &targets).into_iter();
    let date = changelog::today();
    let mut run = Run::default();
    for resolved in resolved {
        let target = match resolved {
            Ok(target) => target,
            Err((target, reason)) => {
                eprintln!("{}: {reason}", target.label());
                run.outcomes.push(failed(&target, reason));
                continue;
            }
        };
        let location = upstream.location(target.resource());
        // A failed fetch was reported as it happened.
        let docs = match fetched.next().expect("one fetch per target") {
            Ok(docs) => docs,
            Err(error) => {
                run.outcomes.push(failed(&target, error.to_string()));
                continue;
            }
        };
        let plan = match plan(
            root,
            &target,
            &docs,
            &products_json,
            &location,
            &date,
            false,
        ) {
            Ok(plan) => plan,
            Err(reason) => {
                eprintln!("{}: {reason}", target.label());
                run.outcomes.push(failed(&target, reason));
                continue;
            }
        };
        if !plan.changed {
            run.outcomes
                .push(outcome(&target, Ok(plan), Status::Current));
            continue;
        }
        print_notes(&plan);
        if let Some(report) = &plan.report {
            run.reports.push(report.clone());
        }
        if !writes {
            if options.dry_run {
                for change in &plan.spec_changes {
                    eprintln!("would {change}");
                }
                if let Some(entry) = &plan.entry {
                    eprintln!(
                        "would add to crates/{}/{}:\n{entry}",
                        plan.package,
                        changelog::FILE
                    );
                }
            }
            run.outcomes
                .push(outcome(&target, Ok(plan), Status::Changed));
            continue;
        }
        let replaced = transaction::replace(root, &plan.replacements).map(|()| plan);
        run.outcomes
            .push(outcome(&target, replaced, Status::Updated));
    }
    if writes {
        refresh_generated(root, &run)?;
    }
    Ok(run)
}

fn print_notes(plan: &Plan) {
    for note in &plan.notes {
        eprintln!("{}: {note}", plan.target.label());
    }
}

fn outcome(target: &Target, result: Result<Plan, String>, status: Status) -> Outcome {
    match result {
        Ok(plan) => Outcome {
            target: target.clone(),
            package: Some(plan.package),
            counts: plan.report.as_ref().map(acs_diff::Report::summary),
            old_version: plan.old_version,
            new_version: Some(plan.new_version),
            status,
        },
        Err(reason) => failed(target, reason),
    }
}

fn failed(target: &Target, reason: String) -> Outcome {
    Outcome {
        target: target.clone(),
        package: None,
        old_version: None,
        new_version: None,
        counts: None,
        status: Status::Failed(reason),
    }
}

/// `.gitattributes` names every generated crate: after a crate is added, `codegen` writes it
/// again (and anything else a spec change left stale).
fn refresh_generated(root: &Path, run: &Run) -> Result<(), Failure> {
    if !run
        .outcomes
        .iter()
        .any(|o| matches!(o.status, Status::Added | Status::Updated))
    {
        return Ok(());
    }
    let report = crate::codegen(root, crate::Mode::Write).map_err(Failure::Run)?;
    for path in report.changed.iter().chain(&report.stale) {
        eprintln!("codegen: {}", crate::relative(root, path));
    }
    Ok(())
}

/// `cargo xtask products`: what upstream offers, and how the imported versions compare.
pub fn products(root: &Path, upstream: &dyn Upstream) -> Result<(String, bool), Failure> {
    let (products, products_json) = fetch_products(upstream)?;
    let resolved = resolve_update(root, &products, &[])?;
    let targets: Vec<Target> = resolved.iter().filter_map(|r| r.clone().ok()).collect();
    let fetched = fetch_all(upstream, &targets);
    let date = changelog::today();
    let mut states: std::collections::HashMap<(String, String), String> = Default::default();
    let mut any_failed = false;
    for resolved in &resolved {
        if let Err((target, reason)) = resolved {
            any_failed = true;
            states.insert(
                (target.code.to_ascii_lowercase(), target.version.clone()),
                format!("cannot check: {reason}"),
            );
        }
    }
    for (target, fetched) in targets.iter().zip(fetched) {
        let location = upstream.location(target.resource());
        let state = fetched
            .map_err(|e| e.to_string())
            .and_then(|docs| plan(root, target, &docs, &products_json, &location, &date, false));
        let text = match state {
            Ok(plan) if plan.changed => format!(
                "{} {}, stale",
                plan.package,
                plan.old_version.unwrap_or_default()
            ),
            Ok(plan) => format!("{} {}, current", plan.package, plan.new_version),
            Err(reason) => {
                any_failed = true;
                format!("cannot check: {}", reason.replace('|', "\\|"))
            }
        };
        states.insert(
            (target.code.to_ascii_lowercase(), target.version.clone()),
            text,
        );
    }
    let mut table =
        String::from("| product | name | versions (here: crate, state) |\n|---|---|---|\n");
    for product in &products {
        let versions: Vec<String> = product
            .versions
            .iter()
            .map(|version| {
                match states.get(&(product.code.to_ascii_lowercase(), version.clone())) {
                    Some(state) => format!("**{version}** ({state})"),
                    None => version.clone(),
                }
            })
            .collect();
        let _ = writeln!(
            table,
            "| {} | {} | {} |",
            product.code,
            product.name.replace('|', "\\|"),
            versions.join(", ")
        );
    }
    let _ = write!(
        table,
        "\n{} products upstream; {} versions imported here, {} stale.\n",
        products.len(),
        states.len(),
        states.values().filter(|s| s.ends_with("stale")).count()
    );
    Ok((table, any_failed))
}
