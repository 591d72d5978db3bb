//! `cargo xtask <command>`: the project's tasks. `cargo xtask --help` lists them, and
//! `cargo xtask <command> --help` explains one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{Mode, check_failure, codegen, workspace_root};

/// The project's tasks: generate clients from specs, import Alibaba's metadata, benchmark.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every generated file (client crates, policies, the spec schema) from specs/.
    Codegen {
        /// Write nothing; fail with a unified diff when a generated file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Write specs/<product>/<version>/ from an OpenMeta api-docs.json (overlay.yaml is kept),
    /// then run `cargo xtask codegen`.
    Import {
        /// The api-docs.json (or a single-operation extract) to import.
        #[arg(long, value_name = "PATH")]
        openmeta: PathBuf,
        /// Import only these operations (comma-separated); other spec files are left alone.
        #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
        ops: Option<Vec<String>>,
        /// Say what would be written and deleted; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Say what changed in an API between two versions and whether it breaks callers of the
    /// generated client: `diff OLD NEW` (spec folders or api-docs.json files), or
    /// `diff --base REV [PATH]` (specs/, or PATH, at a git revision against the working tree).
    Diff {
        /// The older side (with --base: the path under the repository to compare, default
        /// specs).
        #[arg(value_name = "OLD")]
        old: Option<PathBuf>,
        /// The newer side.
        #[arg(value_name = "NEW")]
        new: Option<PathBuf>,
        /// Compare the specs at this git revision with the working tree.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Report description, summary and example changes too.
        #[arg(long)]
        docs: bool,
        /// Markdown (for a pull-request comment) or JSON (for scripts).
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
        /// Exit with status 1 when anything breaks callers.
        #[arg(long)]
        fail_on_breaking: bool,
    },
    /// Import, generate and compile every API version of a metadata tree in a workspace of its
    /// own, and write report.json and report.md there. Resumes an interrupted run.
    Catalogue {
        /// The metadata tree: <product>/<version>/api-docs.json (products.json beside them
        /// names the products).
        #[arg(long, value_name = "DIR")]
        metadata: PathBuf,
        /// Where the workspace and the reports go (created if missing; outside this
        /// repository).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Parallel jobs [default: the number of CPUs].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Only these products (folder names, comma-separated).
        #[arg(long, value_name = "PRODUCT,...", value_delimiter = ',')]
        only: Option<Vec<String>>,
        /// Exit with status 1 when fewer than PCT percent of the operations compile.
        #[arg(long, value_name = "PCT", value_parser = percentage)]
        fail_under: Option<f64>,
        /// Import and generate only; do not run `cargo check`.
        #[arg(long)]
        no_check: bool,
    },
    /// Generate random valid specs with hostile names and texts, run `codegen` over them in a
    /// workspace of their own, and require `cargo clippy -D warnings`, rustdoc with
    /// `-D warnings` and their doc tests to pass and `codegen --check` to be clean. Slow:
    /// about N seconds for N specs, plus the runtime's dependencies.
    CompileBatch {
        /// Accepted specs to compile.
        #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
        count: u64,
        /// The first seed (the spec of a seed is the same on every machine).
        #[arg(long, value_name = "S", default_value_t = 0)]
        seed: u64,
        /// Build in DIR and keep it (outside this repository), to inspect a failure or reuse
        /// its build; a temporary folder, removed afterwards, by default.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// Print the least-privilege RAM policy for some operations of a generated crate (static,
    /// from its specs' RAM facts; `*` where a template part is given no value). The report
    /// (operations without RAM facts, dependent actions, parts left as `*`) goes to stderr.
    Policy(xtask::policy::Args),
    /// Run the benchmarks and print each target as a ratio of two measurements of one run:
    /// criterion (signing, the call in-process), then per-call figures over nginx (ours, a bare
    /// reqwest loop, a raw TcpStream, the official Python SDK), memory and allocations. Writes
    /// bench/summary.json under the target directory; exits 1 when a target is missed.
    Bench {
        /// Measure compile times instead: our generated crates beside aws-sdk-sts.
        #[arg(long)]
        compile: bool,
        /// Alternating rounds per measurement, the median reported (default: 3 with
        /// --compile, else 7).
        #[arg(long)]
        rounds: Option<usize>,
        /// Calls per measurement of the Rust loops over nginx.
        #[arg(long, default_value_t = 20_000, conflicts_with = "compile")]
        repeat: u32,
        /// Calls per measurement of the official Python SDK.
        #[arg(long, default_value_t = 2_000, conflicts_with = "compile")]
        sdk_repeat: u32,
        /// Skip the criterion benchmarks.
        #[arg(long, conflicts_with = "compile")]
        no_criterion: bool,
        /// Skip the measurements over nginx.
        #[arg(long, conflicts_with = "compile")]
        no_wire: bool,
        /// Extra arguments for criterion (`--measurement-time 3`), after `--`.
        #[arg(last = true, value_name = "CRITERION ARGS")]
        criterion: Vec<String>,
    },
}

/// Output of `cargo xtask diff`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    /// A pull-request comment.
    Markdown,
    /// `{"summary": …, "changes": […]}`.
    Json,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Diff {
            old,
            new,
            base,
            docs,
            format,
            fail_on_breaking,
        } => run_diff(old, new, base, docs, format, fail_on_breaking),
        Command::Policy(args) => xtask::policy::command(&workspace_root(), args),
        Command::Codegen { check } => run_codegen(if check { Mode::Check } else { Mode::Write }),
        Command::Import {
            openmeta,
            ops,
            dry_run,
        } => run_import(&openmeta, ops, dry_run),
        Command::Catalogue {
            metadata,
            out,
            jobs,
            only,
            fail_under,
            no_check,
        } => {
            let jobs = jobs.map_or_else(
                || std::thread::available_parallelism().map_or(1, |n| n.get()),
                usize::from,
            );
            let options = xtask::catalogue::Options {
                metadata,
                out,
                jobs,
                only,
                skip_check: no_check,
            };
            run_catalogue(&options, fail_under)
        }
        Command::CompileBatch { count, seed, keep } => {
            let options = xtask::compile_batch::Options {
                count: usize::try_from(count).unwrap_or(usize::MAX),
                seed,
                keep,
            };
            run_compile_batch(&options)
        }
        Command::Bench {
            compile: true,
            rounds,
            ..
        } => run_compile_bench(rounds.unwrap_or(3)),
        Command::Bench {
            rounds,
            repeat,
            sdk_repeat,
            no_criterion,
            no_wire,
            criterion,
            ..
        } => {
            let criterion: Vec<&str> = criterion.iter().map(String::as_str).collect();
            run_bench(&xtask::bench::Options {
                wire: (!no_wire).then_some(xtask::bench::wire::Options {
                    rounds: rounds.unwrap_or(7),
                    repeat,
                    sdk_repeat,
                }),
                criterion: (!no_criterion).then_some(&criterion[..]),
            })
        }
    }
}

fn run_diff(
    old: Option<PathBuf>,
    new: Option<PathBuf>,
    base: Option<String>,
    docs: bool,
    format: DiffFormat,
    fail_on_breaking: bool,
) -> ExitCode {
    let options = acs_diff::Options { docs };
    let reports = match (base, old, new) {
        (Some(base), path, None) => {
            xtask::diff::diff_base(&workspace_root(), &base, path.as_deref(), &options)
        }
        (None, Some(old), Some(new)) => xtask::diff::diff_paths(&old, &new, &options),
        (Some(_), _, Some(_)) => {
            eprintln!(
                "error: with --base, give at most one path (what to compare under the repository)"
            );
            return ExitCode::from(2);
        }
        (None, _, _) => {
            eprintln!(
                "error: give OLD and NEW (spec folders or api-docs.json files), or --base REV"
            );
            return ExitCode::from(2);
        }
    };
    let reports = match reports {
        Ok(reports) => reports,
        Err(xtask::diff::Unreadable(error)) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    print!(
        "{}",
        match format {
            DiffFormat::Markdown => acs_diff::render::markdown(&reports),
            DiffFormat::Json => acs_diff::render::json(&reports),
        }
    );
    if fail_on_breaking && reports.iter().any(acs_diff::Report::is_breaking) {
        eprintln!("breaking changes found (--fail-on-breaking)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn percentage(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

fn run_catalogue(options: &xtask::catalogue::Options, fail_under: Option<f64>) -> ExitCode {
    let report = match xtask::catalogue::run(&workspace_root(), options) {
        Ok(report) => report,
        Err(xtask::catalogue::Failure::Arguments(error)) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
        Err(xtask::catalogue::Failure::Run(error)) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let totals = &report.totals;
    eprintln!(
        "catalogue: {} versions, {} operations: {} generated, {} compiled ({:.2} %), {} refused; {} crates failed to compile; {:.2} % of callable operations compiled. Reports: {}",
        totals.versions,
        totals.operations,
        totals.generated,
        totals.compiled,
        report.summary.coverage_percent,
        totals.refused,
        report.summary.failed_to_compile,
        report.summary.callable_coverage_percent,
        options.out.join("report.md").display()
    );
    match fail_under {
        Some(minimum) if report.summary.coverage_percent < minimum => {
            eprintln!(
                "error: coverage {:.2} % is below --fail-under {minimum}",
                report.summary.coverage_percent
            );
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

fn run_compile_batch(options: &xtask::compile_batch::Options) -> ExitCode {
    let started = std::time::Instant::now();
    let summary = match xtask::compile_batch::run(&workspace_root(), options) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    for failure in &summary.failures {
        eprintln!("FAILED {failure}");
    }
    let stages: Vec<String> = summary
        .stages
        .iter()
        .map(|(stage, seconds)| format!("{stage} {seconds:.0} s"))
        .collect();
    eprintln!(
        "compile-batch: {} specs tried, {} accepted, {} compiled (clippy -D warnings, rustdoc -D warnings, doc tests; codegen --check {}) in {:.0} s: {}{}",
        summary.tried,
        summary.accepted,
        summary.compiled,
        if summary
            .failures
            .iter()
            .any(|f| f.starts_with("codegen --check"))
        {
            "stale"
        } else {
            "clean"
        },
        started.elapsed().as_secs_f64(),
        stages.join(", "),
        if options.keep.is_some() {
            format!("; kept in {}", summary.dir.display())
        } else {
            String::new()
        }
    );
    if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_bench(options: &xtask::bench::Options<'_>) -> ExitCode {
    match xtask::bench::run(&workspace_root(), options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("some speed targets were missed (see MISSED above)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn run_compile_bench(rounds: usize) -> ExitCode {
    match xtask::bench::compile::run(&workspace_root(), rounds) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn run_codegen(mode: Mode) -> ExitCode {
    let root = workspace_root();
    let report = match codegen(&root, mode) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    for warning in &report.warnings {
        eprintln!("{warning}");
    }
    match mode {
        Mode::Check => match check_failure(&root, &report) {
            Some(failure) => {
                eprintln!("{failure}");
                ExitCode::FAILURE
            }
            None => {
                eprintln!("generated files are up to date");
                ExitCode::SUCCESS
            }
        },
        Mode::Write => {
            for path in &report.changed {
                eprintln!(
                    "wrote {}",
                    path.strip_prefix(&root).unwrap_or(path).display()
                );
            }
            for path in &report.stale {
                eprintln!(
                    "deleted {} (no spec produces it)",
                    path.strip_prefix(&root).unwrap_or(path).display()
                );
            }
            if report.changed.is_empty() && report.stale.is_empty() {
                eprintln!("generated files are up to date");
            }
            ExitCode::SUCCESS
        }
    }
}

fn run_import(path: &std::path::Path, ops: Option<Vec<String>>, dry_run: bool) -> ExitCode {
    let root = workspace_root();
    let only: Option<Vec<String>> = ops.map(|ops| {
        ops.into_iter()
            .map(|op| op.trim().to_owned())
            .filter(|op| !op.is_empty())
            .collect()
    });
    let plan = match xtask::plan_import(&root, path, only.as_deref()) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let shown = |p: &std::path::Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    let (write_verb, delete_verb) = if dry_run {
        ("would write", "would delete")
    } else {
        ("writing", "deleting")
    };
    // Said before it is done.
    for path in &plan.report.deleted {
        eprintln!(
            "{delete_verb} {} (not in the metadata any more)",
            shown(path)
        );
    }
    let report = if dry_run {
        plan.report
    } else {
        match plan.apply() {
            Ok(report) => report,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    };
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    for refusal in &report.refused {
        eprintln!(
            "refused: {} ({}): {}",
            refusal.operation, refusal.reason, refusal.message
        );
    }
    for path in &report.written {
        eprintln!("{write_verb} {}", shown(path));
    }
    if let Some(changes) = &report.changes {
        let counts = changes.summary();
        eprintln!(
            "API changes against the current specs: {} breaking, {} additive, {} docs (details: cargo xtask diff)",
            counts.breaking, counts.additive, counts.docs
        );
        const SHOWN: usize = 20;
        let breaking: Vec<&acs_diff::Change> = changes
            .changes
            .iter()
            .filter(|c| c.class == acs_diff::Class::Breaking)
            .collect();
        if breaking.len() > SHOWN {
            eprintln!(
                "  (the first {SHOWN} of {} breaking changes)",
                breaking.len()
            );
        }
        for change in breaking.into_iter().take(SHOWN) {
            eprintln!(
                "  breaking: {} {} {}: {}",
                change.operation.as_deref().unwrap_or("service"),
                change.path,
                change.kind,
                change.reason
            );
        }
    }
    eprintln!(
        "{}: {} operations imported, {} refused, {} warnings; {} files {}, {} {}{}",
        shown(&report.dir),
        report.imported,
        report.refused.len(),
        report.warnings.len(),
        report.written.len(),
        if dry_run { "would change" } else { "changed" },
        report.deleted.len(),
        if dry_run {
            "would be deleted"
        } else {
            "deleted"
        },
        if dry_run {
            " (dry run: nothing was written)"
        } else {
            "; now run `cargo xtask codegen`"
        }
    );
    ExitCode::SUCCESS
}
