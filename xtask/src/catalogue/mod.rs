//! `cargo xtask catalogue --metadata DIR --out DIR [--jobs N] [--only P,…] [--fail-under PCT]`:
//! every `DIR/<product>/<version>/api-docs.json` imported, generated and compiled in a
//! workspace of its own under `--out`, with `report.json` and `report.md` saying what made it.
//!
//! Stages, each resumable: import and generate (parallel, in process), then `cargo check` of
//! every generated crate (parallel cargo processes). What a stage finds is saved per version
//! under `<out>/state/`; a rerun with the same metadata and the same generator skips what is
//! done, so an interrupted run picks up where it stopped. The repository's own `specs/` and
//! crates are never touched.

mod check;
pub mod report;
mod version;
pub mod workspace;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

pub use report::{Report, VersionReport};
use version::{Source, State};

/// What to run over.
#[derive(Debug, Clone)]
pub struct Options {
    /// The metadata tree (`<product>/<version>/api-docs.json`).
    pub metadata: PathBuf,
    /// The output folder (created if missing); must lie outside the repository.
    pub out: PathBuf,
    /// Parallel jobs (threads for import and generation, cargo processes for checks).
    pub jobs: usize,
    /// Only these products (folder names, any case).
    pub only: Option<Vec<String>>,
    /// Skip the `cargo check` stage (import and generate only).
    pub skip_check: bool,
}

/// Why the run could not start or finish.
#[derive(Debug)]
pub enum Failure {
    /// The arguments cannot be used (exit status 2).
    Arguments(String),
    /// Something failed on the way (exit status 1).
    Run(String),
}

/// `path` made absolute through its nearest existing ancestor (`path` itself may not exist
/// yet), to compare folders however they were spelt.
pub fn canonical_or_parent(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find_map(|ancestor| ancestor.canonicalize().ok())
}

/// The API versions under `metadata`, sorted, restricted to `only`.
pub fn discover(metadata: &Path, only: Option<&[String]>) -> Result<Vec<Source>, Failure> {
    let bad = |message: String| Failure::Arguments(message);
    if !metadata.is_dir() {
        return Err(bad(format!(
            "--metadata {}: not a folder",
            metadata.display()
        )));
    }
    let mut sources = Vec::new();
    let products = crate::read_dir_sorted(metadata).map_err(bad)?;
    for product in products.iter().filter(|p| p.is_dir()) {
        for version in crate::read_dir_sorted(product).map_err(bad)? {
            let path = version.join("api-docs.json");
            if path.is_file() {
                let name = |p: &Path| {
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned()
                };
                sources.push(Source {
                    product: name(product),
                    version: name(&version),
                    path,
                });
            }
        }
    }
    if let Some(only) = only {
        let wanted: Vec<String> = only.iter().map(|p| p.trim().to_ascii_lowercase()).collect();
        let unknown: Vec<&String> = wanted
            .iter()
            .filter(|p| !sources.iter().any(|s| s.product.eq_ignore_ascii_case(p)))
            .collect();
        if !unknown.is_empty() {
            return Err(bad(format!(
                "--only: no product folder named {} under {}",
                unknown
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                metadata.display()
            )));
        }
        sources.retain(|s| wanted.contains(&s.product.to_ascii_lowercase()));
    }
    if sources.is_empty() {
        return Err(bad(format!(
            "--metadata {}: no <product>/<version>/api-docs.json files",
            metadata.display()
        )));
    }
    Ok(sources)
}

/// Identifies the generator: a change to it (a rebuilt xtask) invalidates saved stages.
fn generator_fingerprint() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|path| std::fs::read(path).ok())
        .unwrap_or_default();
    version::fingerprint(&[&exe])
}

/// Runs `work` over `items` on `jobs` threads, in the order given; results in input order.
/// `work` gets the worker's number (from 0) and the item.
pub(crate) fn parallel<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    work: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for worker in 0..jobs.max(1) {
            let (next, results, work) = (&next, &results, &work);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(worker, item);
                    results.lock().expect("no worker panics holding it")[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("no worker panicked")
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

/// Runs the whole catalogue; progress goes to stderr.
pub fn run(repo: &Path, options: &Options) -> Result<Report, Failure> {
    let started = Instant::now();
    if let (Some(out), Some(repo)) = (canonical_or_parent(&options.out), repo.canonicalize().ok())
        && out.starts_with(&repo)
    {
        return Err(Failure::Arguments(format!(
            "--out {}: must lie outside the repository ({}), whose specs and crates it would mix with",
            options.out.display(),
            repo.display()
        )));
    }
    let sources = discover(&options.metadata, options.only.as_deref())?;
    let out = &options.out;
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::Arguments(format!("--out {}: {e}", out.display())))?;
    let out = out
        .canonicalize()
        .map_err(|e| Failure::Arguments(format!("--out {}: {e}", out.display())))?;
    let run_error = Failure::Run;
    workspace::prepare(repo, &out).map_err(run_error)?;
    let products_json = std::fs::read_to_string(options.metadata.join("products.json")).ok();
    let generator = generator_fingerprint();
    let jobs = options.jobs.max(1);

    eprintln!(
        "catalogue: {} API versions from {} into {} ({jobs} jobs)",
        sources.len(),
        options.metadata.display(),
        out.display()
    );
    let done = AtomicUsize::new(0);
    let states = parallel(&sources, jobs, |_, source| {
        let state =
            version::import_and_generate(&out, source, &generator, products_json.as_deref());
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        match &state {
            Ok(state) => {
                let r = &state.report;
                let outcome = match &r.error {
                    Some(error) => format!("error: {}", error.lines().next().unwrap_or_default()),
                    None => format!(
                        "{}/{} operations, {} lines, {:.2} s",
                        r.generated,
                        r.operations,
                        r.lines,
                        r.seconds.import + r.seconds.generate
                    ),
                };
                eprintln!(
                    "[{n:>3}/{}] generate {} {}: {outcome}",
                    sources.len(),
                    source.product,
                    source.version
                );
            }
            Err(error) => eprintln!("[{n:>3}/{}] {}: {error}", sources.len(), source.product),
        }
        state
    });
    let mut states: Vec<State> = states
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(run_error)?;
    for (source, state) in sources.iter().zip(&states) {
        version::save_state(&out, source, state).map_err(Failure::Run)?;
    }
    let generate_seconds = started.elapsed().as_secs_f64();
    eprintln!("catalogue: import and generate took {generate_seconds:.1} s");

    let mut packages: Vec<String> = states
        .iter()
        .filter_map(|s| s.report.package.clone())
        .collect();
    packages.sort();
    workspace::write(
        &out.join("Cargo.toml"),
        &workspace::root_manifest(repo, &packages, "cargo xtask catalogue")
            .map_err(Failure::Run)?,
    )
    .map_err(Failure::Run)?;

    if !options.skip_check {
        check_all(&out, &sources, &mut states, jobs)?;
    }

    let versions = states.into_iter().map(|s| s.report).collect();
    let report = Report::new(
        versions,
        report::RunFacts {
            wall_seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            disk_bytes: workspace::disk_usage(&out),
            jobs,
        },
    );
    workspace::write(&out.join("report.json"), &report.to_json()).map_err(Failure::Run)?;
    workspace::write(&out.join("report.md"), &report.to_markdown()).map_err(Failure::Run)?;
    Ok(report)
}

/// Checks every generated crate whose files changed since its last check, largest first so
/// the workers finish together.
fn check_all(
    out: &Path,
    sources: &[Source],
    states: &mut [State],
    jobs: usize,
) -> Result<(), Failure> {
    let mut pending: Vec<usize> = (0..states.len())
        .filter(|&i| states[i].report.package.is_some())
        .filter(|&i| states[i].checked.is_none() || states[i].checked != states[i].generated)
        .collect();
    pending.sort_by_key(|&i| std::cmp::Reverse(states[i].report.lines));
    if pending.is_empty() {
        eprintln!("catalogue: every crate was checked in an earlier run");
        return Ok(());
    }
    eprintln!(
        "catalogue: cargo check of {} crates (dependencies build once per job first)",
        pending.len()
    );
    check::prepare_lock(out).map_err(Failure::Run)?;
    let done = AtomicUsize::new(0);
    let total = pending.len();
    let states_lock = Mutex::new(&mut *states);
    parallel(&pending, jobs, |worker, &index| {
        let package = {
            let states = states_lock.lock().expect("not poisoned");
            states[index].report.package.clone().expect("filtered")
        };
        let target = out.join("target").join(format!("w{worker}"));
        let checked = check::check(out, &package, &target);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        let mut states = states_lock.lock().expect("not poisoned");
        let state = &mut states[index];
        state.report.seconds.check = checked.seconds;
        state.report.compiled = if checked.error.is_none() {
            state.report.generated
        } else {
            0
        };
        eprintln!(
            "[{n:>3}/{total}] check {package} ({} operations): {}, {:.1} s",
            state.report.generated,
            match &checked.error {
                None => "ok".to_owned(),
                Some(error) => format!("FAILED: {}", error.lines().next().unwrap_or_default()),
            },
            checked.seconds
        );
        state.report.compile_error = checked.error;
        state.checked = state.generated.clone();
        if let Err(error) = version::save_state(out, &sources[index], state) {
            eprintln!("{error}");
        }
    });
    Ok(())
}
