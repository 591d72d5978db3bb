//! `xtask-tools <command>`: the `cargo xtask` commands with heavy dependencies. `cargo xtask`
//! runs this binary for them; `cargo xtask <command> --help` explains one.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use xtask::cli::{Args, Command, Exit, flag, valued};
use xtask::update::{self, Failure, SourceSpec, Upstream};

const COMPILE_BATCH: Command = Command {
    name: "compile-batch",
    summary: "Generate random hostile specs and require their crates to pass clippy, rustdoc and doc tests.",
    details: "Random valid specs with hostile names and texts go into a workspace of their own; `codegen` runs there, then `cargo clippy -D warnings`, rustdoc with `-D warnings` and their doc tests must pass and `codegen --check` must be clean. Slow: about N seconds for N specs, plus the runtime's dependencies.",
    positional: "",
    max_positional: 0,
    trailing: None,
    options: &[
        valued("count", "N", "Accepted specs to compile [default: 20]."),
        valued(
            "seed",
            "S",
            "The first seed (the spec of a seed is the same on every machine) [default: 0].",
        ),
        valued(
            "keep",
            "DIR",
            "Build in DIR and keep it (outside this repository), to inspect a failure or reuse its build; a temporary folder, removed afterwards, by default.",
        ),
    ],
};

const BENCH: Command = Command {
    name: "bench",
    summary: "Run the benchmarks and print each target as a ratio of two measurements of one run.",
    details: "Criterion (signing, the call in-process), then per-call figures over nginx (ours, a bare reqwest loop, a raw TcpStream, the official Python SDK), memory and allocations. Writes bench/summary.json under the target directory; exits 1 when a target is missed.",
    positional: "",
    max_positional: 0,
    trailing: Some("CRITERION ARGS"),
    options: &[
        flag(
            "compile",
            "Measure compile times instead: our generated crates beside aws-sdk-sts.",
        ),
        valued(
            "rounds",
            "N",
            "Alternating rounds per measurement, the median reported [default: 3 with --compile, else 7].",
        ),
        valued(
            "repeat",
            "N",
            "Calls per measurement of the Rust loops over nginx [default: 20000].",
        ),
        valued(
            "sdk-repeat",
            "N",
            "Calls per measurement of the official Python SDK [default: 2000].",
        ),
        flag("no-criterion", "Skip the criterion benchmarks."),
        flag("no-wire", "Skip the measurements over nginx."),
    ],
};

const SOURCE: xtask::cli::Opt = valued(
    "source",
    "URL|DIR",
    "Where the metadata comes from: an OpenMeta base URL (https://api.alibabacloud.com, or https://api.aliyun.com for the Chinese site) or a folder in its layout (products.json, <product>/<version>/api-docs.json). Default: $ACS_OPENMETA_URL, else https://api.alibabacloud.com.",
);

const ADD: Command = Command {
    name: "add",
    summary: "Fetch products from Alibaba's metadata service, import them and generate their crates.",
    details: "Each PRODUCT@VERSION (the product as `cargo xtask products` lists it, in any case; without @VERSION its default version) is fetched, imported into specs/<product>/<version>/ and generated into crates/<crate>/ at version 0.1.0 with a CHANGELOG.md, all or nothing per product version; Cargo.lock and .gitattributes are brought up to date. An unknown product or version is an error naming the close matches.",
    positional: "PRODUCT@VERSION...",
    max_positional: usize::MAX,
    trailing: None,
    options: &[SOURCE],
};

const UPDATE: Command = Command {
    name: "update",
    summary: "Take upstream metadata changes: fetch, diff, re-import, regenerate, bump versions, write changelogs.",
    details: "For every imported spec folder (or the products named): fetch its api-docs.json, compare it with the specs here as `cargo xtask diff --docs` does, and when anything changed re-import it (overlay.yaml kept), move the crate version (breaking changes: minor; additions or docs only: patch, for 0.x crates, published or not), regenerate the crate and add a CHANGELOG.md entry. Each product version is replaced all or nothing. Prints the changes (Markdown) and a summary table on stdout. Exit status: 0, or 1 when a product version could not be updated; with --check, 0 when all are current, 1 when any changed upstream, 2 when any could not be checked.",
    positional: "[PRODUCT[@VERSION]...]",
    max_positional: usize::MAX,
    trailing: None,
    options: &[
        SOURCE,
        flag(
            "check",
            "Write nothing; exit 1 when anything changed upstream (for a scheduled CI job).",
        ),
        flag(
            "dry-run",
            "Write nothing; say which files would change, the new versions and changelog entries.",
        ),
    ],
};

const PRODUCTS: Command = Command {
    name: "products",
    summary: "List the products and versions upstream offers, which are imported here and which are stale.",
    details: "A Markdown table on stdout: every product, its versions, and for those imported here their crate, version and whether upstream changed since.",
    positional: "",
    max_positional: 0,
    trailing: None,
    options: &[SOURCE],
};

const COMMANDS: &[Command] = &[ADD, UPDATE, PRODUCTS, COMPILE_BATCH, BENCH];

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let name = args.next().unwrap_or_default();
    let rest: Vec<OsString> = args.collect();
    let Some(command) = COMMANDS.iter().find(|c| name == c.name) else {
        eprintln!(
            "error: unrecognized command `{}` (run `cargo xtask --help`)",
            name.display()
        );
        return ExitCode::from(2);
    };
    let parsed = command.parse(rest).and_then(|args| match command.name {
        "add" => run_add(&args),
        "update" => run_update(&args),
        "products" => run_products(&args),
        "compile-batch" => run_compile_batch(&args),
        "bench" => run_bench(&args),
        _ => unreachable!("every command in COMMANDS has a runner"),
    });
    parsed.unwrap_or_else(|Exit(code)| code)
}

fn upstream(command: &Command, args: &Args) -> Result<Box<dyn Upstream>, Exit> {
    let spec = SourceSpec::choose(args.value("source")).map_err(|e| command.usage_error(&e))?;
    xtask_tools::fetch::upstream(&spec).map_err(|error| {
        eprintln!("error: {error}");
        Exit(ExitCode::FAILURE)
    })
}

/// Prints why a run could not start; the status: 2 for arguments (and for an unreachable
/// upstream under `--check`), else 1.
fn failed(failure: &Failure, check: bool) -> ExitCode {
    eprintln!("error: {failure}");
    match failure {
        Failure::Arguments(_) => ExitCode::from(2),
        Failure::Upstream(_) if check => ExitCode::from(2),
        Failure::Upstream(_) | Failure::Run(_) => ExitCode::FAILURE,
    }
}

/// Records new crates and new versions in Cargo.lock (`cargo update --workspace`, from the
/// local cache first).
fn refresh_lock(root: &std::path::Path) -> bool {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |offline: bool| {
        std::process::Command::new(&cargo)
            .args(["update", "--workspace", "--quiet", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .args(offline.then_some("--offline"))
            .status()
            .is_ok_and(|s| s.success())
    };
    let done = run(true) || run(false);
    if !done {
        eprintln!(
            "error: `cargo update --workspace` failed: Cargo.lock may not list the new crate versions yet"
        );
    }
    done
}

fn run_add(args: &Args) -> Result<ExitCode, Exit> {
    let upstream = upstream(&ADD, args)?;
    let root = workspace_root();
    let run = match update::add(&root, upstream.as_ref(), &args.positional) {
        Ok(run) => run,
        Err(failure) => return Ok(failed(&failure, false)),
    };
    print!("{}", run.table());
    let mut ok = !run.any_failed();
    if run.any_changed() {
        ok &= refresh_lock(&root);
        eprintln!("{}", xtask::import::NEW_PRODUCT_NOTE);
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_update(args: &Args) -> Result<ExitCode, Exit> {
    let options = update::Options {
        check: args.flag("check"),
        dry_run: args.flag("dry-run"),
    };
    let upstream = upstream(&UPDATE, args)?;
    let root = workspace_root();
    let run = match update::update(&root, upstream.as_ref(), &args.positional, options) {
        Ok(run) => run,
        Err(failure) => return Ok(failed(&failure, options.check)),
    };
    if !run.reports.is_empty() {
        print!("{}", acs_diff::render::markdown(&run.reports));
    }
    print!("{}", run.table());
    let written = !options.check && !options.dry_run && run.any_changed();
    let lock_ok = !written || refresh_lock(&root);
    Ok(match (options.check, run.any_failed(), run.any_changed()) {
        (true, true, _) => ExitCode::from(2),
        (true, false, true) => ExitCode::FAILURE,
        (false, true, _) => ExitCode::FAILURE,
        _ if !lock_ok => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    })
}

fn run_products(args: &Args) -> Result<ExitCode, Exit> {
    let upstream = upstream(&PRODUCTS, args)?;
    match update::products(&workspace_root(), upstream.as_ref()) {
        Ok((table, any_failed)) => {
            print!("{table}");
            Ok(if any_failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(failure) => Ok(failed(&failure, false)),
    }
}

fn number<T: std::str::FromStr>(
    command: &Command,
    args: &Args,
    long: &str,
    default: T,
) -> Result<T, Exit> {
    args.parsed(long, "a whole number")
        .map_err(|message| command.usage_error(&message))
        .map(|value| value.unwrap_or(default))
}

fn run_compile_batch(args: &Args) -> Result<ExitCode, Exit> {
    let count: usize = number(&COMPILE_BATCH, args, "count", 20)?;
    if count == 0 {
        return Err(COMPILE_BATCH.usage_error("`--count 0`: expected at least 1"));
    }
    let options = xtask_tools::compile_batch::Options {
        count,
        seed: number(&COMPILE_BATCH, args, "seed", 0)?,
        keep: args.value("keep").map(PathBuf::from),
    };
    let started = std::time::Instant::now();
    let summary = match xtask_tools::compile_batch::run(&workspace_root(), &options) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::FAILURE);
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
    Ok(if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_bench(args: &Args) -> Result<ExitCode, Exit> {
    let rounds: Option<usize> = args
        .parsed("rounds", "a whole number")
        .map_err(|message| BENCH.usage_error(&message))?;
    if args.flag("compile") {
        if let Some(other) = ["repeat", "sdk-repeat"]
            .into_iter()
            .find(|long| args.value(long).is_some())
            .or_else(|| {
                ["no-criterion", "no-wire"]
                    .into_iter()
                    .find(|long| args.flag(long))
            })
        {
            return Err(BENCH.usage_error(&format!("`--{other}` cannot be used with `--compile`")));
        }
        if !args.trailing.is_empty() {
            return Err(BENCH.usage_error("criterion arguments cannot be used with `--compile`"));
        }
        return Ok(
            match xtask_tools::bench::compile::run(&workspace_root(), rounds.unwrap_or(3)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::FAILURE
                }
            },
        );
    }
    let repeat: u32 = number(&BENCH, args, "repeat", 20_000)?;
    let sdk_repeat: u32 = number(&BENCH, args, "sdk-repeat", 2_000)?;
    let criterion: Vec<&str> = args.trailing.iter().map(String::as_str).collect();
    let options = xtask_tools::bench::Options {
        wire: (!args.flag("no-wire")).then_some(xtask_tools::bench::wire::Options {
            rounds: rounds.unwrap_or(7),
            repeat,
            sdk_repeat,
        }),
        criterion: (!args.flag("no-criterion")).then_some(&criterion[..]),
    };
    Ok(match xtask_tools::bench::run(&workspace_root(), &options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("some speed targets were missed (see MISSED above)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    })
}

/// The checkout to work on ([`xtask::locate_workspace`]); exits with status 2 when there is
/// none.
fn workspace_root() -> PathBuf {
    xtask::locate_workspace().unwrap_or_else(|error| {
        eprintln!("error: {error}");
        std::process::exit(2)
    })
}
