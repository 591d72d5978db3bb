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
pub mod source;
pub mod transaction;
pub mod version;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use source::{DirSource, FetchError, Product, Resource, SourceSpec, Upstream};

use transaction::{Files, Replacement};

/// How many fetches run at once: enough to hide the latency of hundreds of versions, few
/// enough to be polite to the metadata service.
pub const CONCURRENCY: usize = 4;

/// A product version to add or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The product code as OpenMeta spells it (`EhpcInstant`).
    pub code: String,
    /// The API version (`2023-07-01`).
    pub version: String,
}

impl Target {
    /// Its spec folder, relative to the workspace root.
    pub fn folder(&self) -> PathBuf {
        Path::new("specs")
            .join(self.code.to_ascii_lowercase())
            .join(&self.version)
    }

    fn label(&self) -> String {
        format!("{} {}", self.code, self.version)
    }

    fn resource(&self) -> Resource<'_> {
        Resource::ApiDocs {
            code: &self.code,
            version: &self.version,
        }
    }
}

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

/// Spec folders under `specs/` that `cargo xtask import` wrote, as (product folder, version).
pub fn imported_folders(root: &Path) -> Result<Vec<(String, String)>, String> {
    let specs = root.join("specs");
    if !specs.is_dir() {
        return Ok(Vec::new());
    }
    let mut folders = Vec::new();
    for dir in crate::spec_dirs(&specs)? {
        let service = std::fs::read_to_string(dir.join(acs_spec::SERVICE_FILE))
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let header_says_imported = service
            .lines()
            .take_while(|line| line.starts_with('#'))
            .any(|line| line.contains(acs_import::IMPORT_MARKER));
        let name = |path: &Path| path.file_name().map(|n| n.to_string_lossy().into_owned());
        if let (true, Some(product), Some(version)) = (
            header_says_imported,
            dir.parent().and_then(name),
            name(&dir),
        ) {
            folders.push((product, version));
        }
    }
    Ok(folders)
}

fn find_product<'a>(products: &'a [Product], name: &str) -> Result<&'a Product, String> {
    products
        .iter()
        .find(|p| p.code.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let close = source::close_matches(name, products.iter().map(|p| p.code.as_str()));
            if close.is_empty() {
                format!("no product `{name}` upstream (`cargo xtask products` lists them)")
            } else {
                format!("no product `{name}` upstream; close: {}", close.join(", "))
            }
        })
}

/// `PRODUCT@VERSION` (or `PRODUCT`, its default version) for `add`: each must exist upstream
/// and not be here yet.
pub fn resolve_add(
    root: &Path,
    products: &[Product],
    names: &[String],
) -> Result<Vec<Target>, Failure> {
    if names.is_empty() {
        return Err(Failure::Arguments(
            "name at least one PRODUCT@VERSION to add".into(),
        ));
    }
    let mut targets = Vec::new();
    for name in names {
        let (product, version) = match name.split_once('@') {
            Some((product, version)) => (product, Some(version)),
            None => (name.as_str(), None),
        };
        let product = find_product(products, product).map_err(Failure::Arguments)?;
        let version = match version.or(product.default_version.as_deref()) {
            Some(version) if product.versions.iter().any(|v| v == version) => version,
            Some(version) => {
                return Err(Failure::Arguments(format!(
                    "{} has no version `{version}` upstream; it has {}",
                    product.code,
                    product.versions.join(", ")
                )));
            }
            None => {
                return Err(Failure::Arguments(format!(
                    "{name}: name a version ({})",
                    product.versions.join(", ")
                )));
            }
        };
        let target = Target {
            code: product.code.clone(),
            version: version.to_owned(),
        };
        if root
            .join(target.folder())
            .join(acs_spec::SERVICE_FILE)
            .is_file()
        {
            return Err(Failure::Arguments(format!(
                "{} is here already ({}); `cargo xtask update {}@{}` takes upstream's changes",
                target.label(),
                target.folder().display(),
                target.code,
                target.version
            )));
        }
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    Ok(targets)
}

/// An imported product version paired with its product upstream, or with the reason it has
/// none.
pub type Resolved = Result<Target, (Target, String)>;

/// The imported product versions `names` select (`PRODUCT` or `PRODUCT@VERSION`, any case),
/// or all of them; each paired with its product upstream, or the reason it has none.
pub fn resolve_update(
    root: &Path,
    products: &[Product],
    names: &[String],
) -> Result<Vec<Resolved>, Failure> {
    let folders = imported_folders(root).map_err(Failure::Run)?;
    let mut selected: Vec<(String, String)> = Vec::new();
    if names.is_empty() {
        selected = folders.clone();
    }
    for name in names {
        let (product, version) = match name.split_once('@') {
            Some((product, version)) => (product, Some(version)),
            None => (name.as_str(), None),
        };
        let matching: Vec<&(String, String)> = folders
            .iter()
            .filter(|(p, v)| p.eq_ignore_ascii_case(product) && version.is_none_or(|w| w == v))
            .collect();
        if matching.is_empty() {
            let here: Vec<String> = folders.iter().map(|(p, v)| format!("{p}@{v}")).collect();
            return Err(Failure::Arguments(format!(
                "`{name}` is not imported here (imported: {}); `cargo xtask add` adds a product",
                if here.is_empty() {
                    "none".to_owned()
                } else {
                    here.join(", ")
                }
            )));
        }
        for found in matching {
            if !selected.contains(found) {
                selected.push(found.clone());
            }
        }
    }
    Ok(selected
        .into_iter()
        .map(|(folder, version)| match find_product(products, &folder) {
            Ok(product) if product.versions.contains(&version) => Ok(Target {
                code: product.code.clone(),
                version,
            }),
            Ok(product) => Err((
                Target {
                    code: product.code.clone(),
                    version: version.clone(),
                },
                format!(
                    "upstream no longer lists version {version} of {} (it has {})",
                    product.code,
                    product.versions.join(", ")
                ),
            )),
            Err(reason) => Err((
                Target {
                    code: folder,
                    version,
                },
                reason,
            )),
        })
        .collect())
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

/// What writing one product version would do, worked out in memory.
#[derive(Debug)]
pub struct Plan {
    /// The product version.
    pub target: Target,
    /// Its crate.
    pub package: String,
    /// The crate version before (an update).
    pub old_version: Option<String>,
    /// The crate version after.
    pub new_version: String,
    /// What changed against the specs here (an update).
    pub report: Option<acs_diff::Report>,
    /// Whether any spec file changes.
    pub changed: bool,
    /// Spec files written and deleted, relative to the workspace root, for `--dry-run`.
    pub spec_changes: Vec<String>,
    /// The changelog entry.
    pub entry: Option<String>,
    /// What the importer adapted or refused, one line each.
    pub notes: Vec<String>,
    /// The two folders to replace.
    pub replacements: Vec<Replacement>,
}

/// Works out what importing `api_docs` (fetched from `location`) over `target`'s spec folder
/// does: for `add` (`adding`) a new spec folder and crate at 0.1.0; for `update` the changes,
/// the next crate version and the changelog entry. Writes nothing.
pub fn plan(
    root: &Path,
    target: &Target,
    api_docs: &str,
    products_json: &str,
    location: &str,
    date: &str,
    adding: bool,
) -> Result<Plan, String> {
    let mut imported =
        acs_import::import_openmeta(api_docs, None).map_err(|e| format!("{location}: {e}"))?;
    crate::import::set_title(&mut imported, products_json);
    let folder = target.folder();
    let expected = Path::new("specs")
        .join(&imported.product)
        .join(&imported.version);
    if expected != folder {
        return Err(format!(
            "{location}: the importer files it under {}, not {}",
            expected.display(),
            folder.display()
        ));
    }
    let header = source::header_path(&target.code, &target.version);
    let import = crate::import::plan_imported(root, &imported, &header, None)?;
    let dir = root.join(&folder);
    let mut files = transaction::read_folder(&dir, &|_| false)?;
    let shown = |path: &Path| crate::relative(root, path);
    let mut spec_changes = Vec::new();
    for path in &import.report.deleted {
        files.remove(Path::new(path.file_name().expect("a file")));
        spec_changes.push(format!("delete {}", shown(path)));
    }
    for (path, contents) in import.writes() {
        files.insert(
            PathBuf::from(path.file_name().expect("a file")),
            contents.clone().into_bytes(),
        );
        spec_changes.push(format!("write {}", shown(path)));
    }
    let changed = !spec_changes.is_empty();
    let mut notes: Vec<String> = imported
        .warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    notes.extend(
        import
            .report
            .warnings
            .iter()
            .map(|w| format!("warning: {w}")),
    );
    notes.extend(
        imported
            .refused
            .iter()
            .map(|r| format!("refused: {} ({}): {}", r.operation, r.reason, r.message)),
    );

    let (old_version, report) = if adding {
        (None, None)
    } else {
        let current = crate::diff::load_side(&dir).map_err(|e| e.0)?;
        let next = load_files(&folder, &files)?;
        let report = acs_diff::diff(&current, &next, &acs_diff::Options { docs: true });
        (Some(current.crate_version), Some(report))
    };
    let new_version = match &report {
        Some(report) => report.next_version(),
        None => load_files(&folder, &files)?.crate_version,
    };
    if old_version.as_ref() != Some(&new_version) && !adding {
        let overlay_name = PathBuf::from(acs_spec::OVERLAY_FILE);
        let overlay = files
            .get(&overlay_name)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
        let text =
            version::set_crate_version(overlay.as_deref(), &new_version, &header.to_string_lossy())
                .map_err(|e| format!("{}: {e}", folder.display()))?;
        files.insert(overlay_name, text.into_bytes());
        spec_changes.push(format!(
            "write {}/{} (crate_version {new_version})",
            folder.display(),
            acs_spec::OVERLAY_FILE
        ));
    }
    let service = load_files(&folder, &files)?;
    if service.crate_version != new_version {
        return Err(format!(
            "{}: crate_version stays {} instead of becoming {new_version} (set in service.yaml? move it to overlay.yaml)",
            folder.display(),
            service.crate_version
        ));
    }
    let package = service.package_name.clone();
    let crate_folder = Path::new("crates").join(&package);
    if adding && root.join(&crate_folder).exists() {
        return Err(format!(
            "{} exists already; move it away to add {}",
            crate_folder.display(),
            target.label()
        ));
    }
    let generated = |path: &Path| {
        let first = path
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str());
        acs_codegen::GENERATED_DIRS.iter().any(|d| first == Some(d))
            || acs_codegen::GENERATED_ROOT_FILES
                .iter()
                .any(|f| path == Path::new(f))
    };
    let mut crate_files = transaction::read_folder(&root.join(&crate_folder), &generated)?;
    for file in acs_codegen::generate_service(&service, &folder.to_string_lossy()) {
        crate_files.insert(file.path, file.contents.into_bytes());
    }
    let entry = match &report {
        None => Some(changelog::first_entry(
            &new_version,
            date,
            location,
            service.operations.len(),
        )),
        Some(report) if !report.changes.is_empty() => {
            Some(changelog::entry(&new_version, date, location, report))
        }
        Some(_) => None,
    };
    if let Some(entry) = &entry {
        let name = PathBuf::from(changelog::FILE);
        let current = crate_files
            .get(&name)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
        crate_files.insert(
            name,
            changelog::prepend(current.as_deref(), &package, entry).into_bytes(),
        );
    }
    Ok(Plan {
        target: target.clone(),
        package,
        old_version,
        new_version,
        report,
        changed,
        spec_changes,
        entry,
        notes,
        replacements: vec![
            Replacement { folder, files },
            Replacement {
                folder: crate_folder,
                files: crate_files,
            },
        ],
    })
}

/// Loads a spec folder held in memory (named `folder` in diagnostics) as `load_service_dir`
/// loads one on disk.
fn load_files(folder: &Path, files: &Files) -> Result<acs_spec::ir::Service, String> {
    let file = |name: &Path| acs_spec::SpecFile {
        path: folder.join(name),
        text: String::from_utf8_lossy(&files[name]).into_owned(),
    };
    let service = Path::new(acs_spec::SERVICE_FILE);
    if !files.contains_key(service) {
        return Err(format!(
            "{}: no {}",
            folder.display(),
            acs_spec::SERVICE_FILE
        ));
    }
    let overlay = Path::new(acs_spec::OVERLAY_FILE);
    let operations: Vec<acs_spec::SpecFile> = files
        .keys()
        .filter(|name| {
            name.components().count() == 1
                && name.as_path() != service
                && name.as_path() != overlay
                && matches!(
                    name.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
        })
        .map(|name| file(name))
        .collect();
    acs_spec::load_service_with_overlay(
        &file(service),
        &operations,
        files.contains_key(overlay).then(|| file(overlay)).as_ref(),
    )
    .map(|loaded| loaded.service)
    .map_err(|errors| errors.to_string())
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
