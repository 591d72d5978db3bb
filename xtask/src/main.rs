//! `cargo xtask <task>`: see `cargo xtask help`.

use std::process::ExitCode;

use xtask::{Mode, check_failure, codegen, workspace_root};

const USAGE: &str = "usage:
  cargo xtask codegen           regenerate every generated file from specs/
  cargo xtask codegen --check   write nothing; fail with a diff if generated files are stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => run_codegen(Mode::Write),
        ["codegen", "--check"] => run_codegen(Mode::Check),
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
