//! `xtask-tools <command>`: the `cargo xtask` commands with heavy dependencies. `cargo xtask`
//! runs this binary for them; `cargo xtask <command> --help` explains one.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use xtask::cli::{Args, Command, Exit, flag, valued};

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

const COMMANDS: &[Command] = &[COMPILE_BATCH, BENCH];

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
        "compile-batch" => run_compile_batch(&args),
        "bench" => run_bench(&args),
        _ => unreachable!("every command in COMMANDS has a runner"),
    });
    parsed.unwrap_or_else(|Exit(code)| code)
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
