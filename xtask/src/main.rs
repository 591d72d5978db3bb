//! `cargo xtask <command>`: the project's tasks. `cargo xtask --help` lists them, and
//! `cargo xtask <command> --help` explains one.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::cli::{Args, Command, Exit, flag, valued};
use xtask::{Mode, check_failure, codegen, policy};

const CODEGEN: Command = Command {
    name: "codegen",
    summary: "Regenerate every generated file (client crates, policies, the spec schema) from specs/.",
    details: "",
    positional: "",
    max_positional: 0,
    trailing: None,
    options: &[flag(
        "check",
        "Write nothing; fail with a unified diff when a generated file is stale.",
    )],
};

const IMPORT: Command = Command {
    name: "import",
    summary: "Write specs/<product>/<version>/ from an OpenMeta api-docs.json (overlay.yaml is kept).",
    details: "Writes spec files only: run `cargo xtask codegen` afterwards to regenerate the client crate. `cargo xtask update` fetches, imports, regenerates and moves the crate version in one step.",
    positional: "",
    max_positional: 0,
    trailing: None,
    options: &[
        valued(
            "openmeta",
            "PATH",
            "The api-docs.json (or a single-operation extract) to import. Required.",
        ),
        valued(
            "ops",
            "A,B,...",
            "Import only these operations (comma-separated); other spec files are left alone.",
        ),
        flag(
            "dry-run",
            "Say what would be written and deleted; change nothing.",
        ),
    ],
};

const DIFF: Command = Command {
    name: "diff",
    summary: "Say what changed in an API between two versions and whether it breaks callers of the generated client.",
    details: "`diff OLD NEW` compares spec folders or api-docs.json files; `diff --base REV [PATH]` compares specs/ (or PATH) at a git revision with the working tree. Exit status: 0, 1 with --fail-on-breaking when anything breaks, 2 for bad arguments or unreadable input.",
    positional: "[OLD] [NEW]",
    max_positional: 2,
    trailing: None,
    options: &[
        valued(
            "base",
            "REV",
            "Compare the specs at this git revision with the working tree (OLD is then the path under the repository, default specs).",
        ),
        flag(
            "docs",
            "Report description, summary and example changes too.",
        ),
        valued(
            "format",
            "markdown|json",
            "Markdown (for a pull-request comment, the default) or JSON (for scripts).",
        ),
        flag(
            "fail-on-breaking",
            "Exit with status 1 when anything breaks callers.",
        ),
    ],
};

const CATALOGUE: Command = Command {
    name: "catalogue",
    summary: "Import, generate and compile every API version of a metadata tree in a workspace of its own.",
    details: "Writes report.json and report.md under --out. Resumes an interrupted run.",
    positional: "",
    max_positional: 0,
    trailing: None,
    options: &[
        valued(
            "metadata",
            "DIR",
            "The metadata tree: <product>/<version>/api-docs.json (products.json beside them names the products). Required.",
        ),
        valued(
            "out",
            "DIR",
            "Where the workspace and the reports go (created if missing; outside this repository). Required.",
        ),
        valued("jobs", "N", "Parallel jobs [default: the number of CPUs]."),
        valued(
            "only",
            "PRODUCT,...",
            "Only these products (folder names, comma-separated).",
        ),
        valued(
            "fail-under",
            "PCT",
            "Exit with status 1 when fewer than PCT percent of the operations compile.",
        ),
        flag(
            "no-check",
            "Import and generate only; do not run `cargo check`.",
        ),
    ],
};

/// Commands run by `xtask-tools` (xtask/tools): listed here for `cargo xtask --help`; their
/// own `--help` comes from there.
const TOOLS: &[Command] = &[
    tool(
        "add",
        "Fetch products from Alibaba's metadata service, import them and generate their crates.",
    ),
    tool(
        "update",
        "Take upstream metadata changes: fetch, diff, re-import, regenerate, bump versions, write changelogs.",
    ),
    tool(
        "products",
        "List the products and versions upstream offers, which are imported here and which are stale.",
    ),
    tool(
        "compile-batch",
        "Generate random hostile specs and require their crates to pass clippy, rustdoc and doc tests.",
    ),
    tool(
        "bench",
        "Run the benchmarks and print each target as a ratio of two measurements of one run.",
    ),
];

const fn tool(name: &'static str, summary: &'static str) -> Command {
    Command {
        name,
        summary,
        details: "",
        positional: "",
        max_positional: 0,
        trailing: None,
        options: &[],
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(name) = args.next() else {
        eprint!("{}", overview());
        return ExitCode::from(2);
    };
    let rest: Vec<OsString> = args.collect();
    let result = match name.to_str().unwrap_or_default() {
        "-h" | "--help" | "help" => {
            match rest.first().and_then(|n| n.to_str()) {
                Some(name) => return help_for(name),
                None => print!("{}", overview()),
            }
            Ok(ExitCode::SUCCESS)
        }
        "-V" | "--version" => {
            println!("cargo xtask {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        "codegen" => CODEGEN.parse(rest).map(|args| run_codegen(&args)),
        "import" => IMPORT.parse(rest).and_then(|args| run_import(&args)),
        "diff" => DIFF.parse(rest).and_then(|args| run_diff(&args)),
        "catalogue" => CATALOGUE.parse(rest).and_then(|args| run_catalogue(&args)),
        "policy" => policy::COMMAND
            .parse(rest)
            .and_then(|args| policy::command(&workspace_root(), &args)),
        tool if TOOLS.iter().any(|t| t.name == tool) => Ok(forward(&name, rest)),
        other => {
            eprintln!(
                "error: unrecognized command `{other}`\n\n{}",
                overview().lines().skip(2).collect::<Vec<_>>().join("\n")
            );
            Ok(ExitCode::from(2))
        }
    };
    result.unwrap_or_else(|Exit(code)| code)
}

fn overview() -> String {
    let mut commands = vec![CODEGEN, IMPORT, DIFF, CATALOGUE, policy::COMMAND];
    commands.extend_from_slice(TOOLS);
    xtask::cli::overview(&commands)
}

fn help_for(name: &str) -> ExitCode {
    match [CODEGEN, IMPORT, DIFF, CATALOGUE, policy::COMMAND]
        .iter()
        .find(|c| c.name == name)
    {
        Some(command) => {
            print!("{}", command.help());
            ExitCode::SUCCESS
        }
        None if TOOLS.iter().any(|t| t.name == name) => {
            forward(OsString::from(name).as_os_str(), vec!["--help".into()])
        }
        None => {
            eprintln!("error: unrecognized command `{name}`");
            ExitCode::from(2)
        }
    }
}

/// Runs a command of `xtask-tools`: `cargo run --package xtask-tools` in this checkout, which
/// builds it the first time (its dependencies are not part of `cargo xtask codegen`'s build).
fn forward(name: &std::ffi::OsStr, args: Vec<OsString>) -> ExitCode {
    let root = workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .arg("run")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--package", "xtask-tools", "--"])
        .arg(name)
        .args(args)
        .status();
    match status {
        Ok(status) => status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from),
        Err(error) => {
            eprintln!("error: cannot run cargo to build xtask-tools: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_diff(args: &Args) -> Result<ExitCode, Exit> {
    let format = match args.value("format").unwrap_or("markdown") {
        "markdown" => acs_diff::render::markdown,
        "json" => acs_diff::render::json,
        other => {
            return Err(DIFF.usage_error(&format!(
                "`--format {other}`: expected `markdown` or `json`"
            )));
        }
    };
    let options = acs_diff::Options {
        docs: args.flag("docs"),
    };
    let paths: Vec<PathBuf> = args.positional.iter().map(PathBuf::from).collect();
    let reports = match (args.value("base"), paths.as_slice()) {
        (Some(base), [] | [_]) => xtask::diff::diff_base(
            &workspace_root(),
            base,
            paths.first().map(PathBuf::as_path),
            &options,
        ),
        (None, [old, new]) => xtask::diff::diff_paths(old, new, &options),
        (Some(_), _) => {
            return Err(DIFF.usage_error(
                "with --base, give at most one path (what to compare under the repository)",
            ));
        }
        (None, _) => {
            return Err(DIFF.usage_error(
                "give OLD and NEW (spec folders or api-docs.json files), or --base REV",
            ));
        }
    };
    let reports = match reports {
        Ok(reports) => reports,
        Err(xtask::diff::Unreadable(error)) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
        }
    };
    print!("{}", format(&reports));
    if args.flag("fail-on-breaking") && reports.iter().any(acs_diff::Report::is_breaking) {
        eprintln!("breaking changes found (--fail-on-breaking)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn required<'a>(command: &Command, args: &'a Args, long: &str) -> Result<&'a str, Exit> {
    args.value(long)
        .ok_or_else(|| command.usage_error(&format!("`--{long}` is required")))
}

fn run_catalogue(args: &Args) -> Result<ExitCode, Exit> {
    let bad = |message: String| CATALOGUE.usage_error(&message);
    let jobs = match args
        .parsed::<u16>("jobs", "a number of jobs from 1")
        .map_err(bad)?
    {
        Some(0) => return Err(bad("`--jobs 0`: expected a number of jobs from 1".into())),
        Some(jobs) => usize::from(jobs),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let fail_under = args
        .parsed::<f64>("fail-under", "a percentage from 0 to 100")
        .map_err(bad)?;
    if fail_under.is_some_and(|pct| !(0.0..=100.0).contains(&pct)) {
        return Err(bad(
            "`--fail-under`: expected a percentage from 0 to 100".into()
        ));
    }
    let options = xtask::catalogue::Options {
        metadata: required(&CATALOGUE, args, "metadata")?.into(),
        out: required(&CATALOGUE, args, "out")?.into(),
        jobs,
        only: args.list("only"),
        skip_check: args.flag("no-check"),
    };
    let report = match xtask::catalogue::run(&workspace_root(), &options) {
        Ok(report) => report,
        Err(xtask::catalogue::Failure::Arguments(error)) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
        }
        Err(xtask::catalogue::Failure::Run(error)) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::FAILURE);
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
            Ok(ExitCode::FAILURE)
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn run_codegen(args: &Args) -> ExitCode {
    let mode = if args.flag("check") {
        Mode::Check
    } else {
        Mode::Write
    };
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
                eprintln!("wrote {}", shown(&root, path));
            }
            for path in &report.stale {
                eprintln!("deleted {} (no spec produces it)", shown(&root, path));
            }
            if report.changed.is_empty() && report.stale.is_empty() {
                eprintln!("generated files are up to date");
            }
            ExitCode::SUCCESS
        }
    }
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn run_import(args: &Args) -> Result<ExitCode, Exit> {
    let openmeta = PathBuf::from(required(&IMPORT, args, "openmeta")?);
    let dry_run = args.flag("dry-run");
    let root = workspace_root();
    let only = args.list("ops");
    let plan = match xtask::plan_import(&root, &openmeta, only.as_deref()) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let (write_verb, delete_verb) = if dry_run {
        ("would write", "would delete")
    } else {
        ("writing", "deleting")
    };
    // Said before it is done.
    for path in &plan.report.deleted {
        eprintln!(
            "{delete_verb} {} (not in the metadata any more)",
            shown(&root, path)
        );
    }
    let report = if dry_run {
        plan.report
    } else {
        match plan.apply() {
            Ok(report) => report,
            Err(error) => {
                eprintln!("error: {error}");
                return Ok(ExitCode::FAILURE);
            }
        }
    };
    for line in xtask::import::report_lines(&root, &report, write_verb) {
        eprintln!("{line}");
    }
    eprintln!(
        "{}: {} operations imported, {} refused, {} warnings; {} files {}, {} {}{}",
        shown(&root, &report.dir),
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
            "; nothing is generated yet: run `cargo xtask codegen`"
        }
    );
    if !dry_run && report.changes.is_none() {
        eprintln!("{}", xtask::import::NEW_PRODUCT_NOTE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The checkout to work on ([`xtask::locate_workspace`]); exits with status 2 when there is
/// none.
fn workspace_root() -> PathBuf {
    xtask::locate_workspace().unwrap_or_else(|error| {
        eprintln!("error: {error}");
        std::process::exit(2)
    })
}
