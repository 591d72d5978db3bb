//! `cargo xtask <task>`: see `cargo xtask help`.

use std::process::ExitCode;

use xtask::{Mode, check_failure, codegen, import, workspace_root};

const USAGE: &str = "usage:
  cargo xtask codegen           regenerate every generated file from specs/
  cargo xtask codegen --check   write nothing; fail with a diff if generated files are stale
  cargo xtask import --openmeta PATH/api-docs.json [--ops A,B,...]
                                write specs/<product>/<version>/ from Alibaba's OpenMeta metadata
                                (overlay.yaml is kept; then run `cargo xtask codegen`)
  cargo xtask bench [CRITERION ARGS]
                                run the benchmarks and print each speed target as a ratio";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => run_codegen(Mode::Write),
        ["codegen", "--check"] => run_codegen(Mode::Check),
        ["import", "--openmeta", path] => run_import(path, None),
        ["import", "--openmeta", path, "--ops", ops]
        | ["import", "--ops", ops, "--openmeta", path] => run_import(path, Some(ops)),
        ["bench", criterion_args @ ..] => run_bench(criterion_args),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_bench(criterion_args: &[&str]) -> ExitCode {
    match xtask::bench::run(&workspace_root(), criterion_args) {
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

fn run_import(path: &str, ops: Option<&str>) -> ExitCode {
    let root = workspace_root();
    let only: Option<Vec<String>> = ops.map(|ops| {
        ops.split(',')
            .map(|op| op.trim().to_owned())
            .filter(|op| !op.is_empty())
            .collect()
    });
    // `cargo xtask` runs from the workspace root; relative paths are the caller's.
    let report = match import(&root, std::path::Path::new(path), only.as_deref()) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let shown = |p: &std::path::Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    for (operation, reason) in &report.refused {
        eprintln!("refused: {operation}: {reason}");
    }
    for path in &report.written {
        eprintln!("wrote {}", shown(path));
    }
    for path in &report.deleted {
        eprintln!("deleted {} (not in the metadata any more)", shown(path));
    }
    eprintln!(
        "{}: {} operations imported, {} refused, {} warnings{}; now run `cargo xtask codegen`",
        shown(&report.dir),
        report.imported,
        report.refused.len(),
        report.warnings.len(),
        if report.written.is_empty() && report.deleted.is_empty() {
            ", nothing changed"
        } else {
            ""
        }
    );
    ExitCode::SUCCESS
}
