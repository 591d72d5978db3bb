//! `cargo check` of generated crates, one cargo process per crate so each gets its own time
//! and first error. Workers run side by side, each with its own build directory (they would
//! otherwise wait on each other's lock); the dependencies are built once per worker.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.env("CARGO_INCREMENTAL", "0");
    command.env_remove("RUSTFLAGS");
    command
}

/// Brings `<out>/Cargo.lock` up to date with the workspace's members before the workers start
/// (so they can all run `--locked` and never write it at once), and fetches what is missing.
pub fn prepare_lock(out: &Path) -> Result<(), String> {
    let output = cargo()
        .current_dir(out)
        .args(["metadata", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo metadata failed in {}:\n{}",
            out.display(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The outcome of checking one crate.
pub struct Checked {
    /// Wall time in seconds.
    pub seconds: f64,
    /// The first error, when the check failed.
    pub error: Option<String>,
}

/// `cargo check -p package` in the workspace at `out`, building in `target`.
pub fn check(out: &Path, package: &str, target: &Path) -> Checked {
    let started = Instant::now();
    let output = cargo()
        .current_dir(out)
        .env("CARGO_TARGET_DIR", target)
        .args([
            "check",
            "--locked",
            "--quiet",
            "--message-format",
            "json",
            "-p",
            package,
        ])
        .output();
    let seconds = (started.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    let error = match output {
        Err(error) => Some(format!("cannot run cargo: {error}")),
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(
            first_compiler_error(&String::from_utf8_lossy(&output.stdout)).unwrap_or_else(|| {
                let stderr = String::from_utf8_lossy(&output.stderr);
                let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            }),
        ),
    };
    Checked { seconds, error }
}

/// The rendered text of the first `error`-level diagnostic in cargo's JSON messages.
fn first_compiler_error(messages: &str) -> Option<String> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-message")
        .find(|message| message["message"]["level"] == "error")
        .and_then(|message| message["message"]["rendered"].as_str().map(str::to_owned))
        .map(|rendered| rendered.chars().take(4000).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_is_picked_from_cargos_messages() {
        let messages = [
            r#"{"reason":"compiler-artifact","package_id":"x"}"#,
            r#"{"reason":"compiler-message","message":{"level":"warning","rendered":"warning: w"}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error[E0425]: one"}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error: two"}}"#,
        ]
        .join("\n");
        assert_eq!(
            first_compiler_error(&messages).as_deref(),
            Some("error[E0425]: one")
        );
        assert_eq!(first_compiler_error("not json"), None);
    }
}
