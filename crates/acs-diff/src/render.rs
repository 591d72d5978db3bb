//! Reports as Markdown (a pull-request comment: counts, breaking changes first, the version
//! bump last) and as JSON (`{"summary": …, "changes": […]}`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::{Change, Class, Report, Summary};

#[derive(Serialize)]
struct Json<'a> {
    summary: Summary,
    changes: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    service: &'a str,
    #[serde(flatten)]
    change: &'a Change,
}

/// `reports` as one JSON document: summed counts and every change, each naming its service.
pub fn json(reports: &[Report]) -> String {
    let mut summary = Summary::default();
    let mut changes = Vec::new();
    for report in reports {
        let counts = report.summary();
        summary.breaking += counts.breaking;
        summary.additive += counts.additive;
        summary.docs += counts.docs;
        changes.extend(report.changes.iter().map(|change| JsonChange {
            service: &report.service,
            change,
        }));
    }
    let mut text = serde_json::to_string_pretty(&Json { summary, changes }).expect("serializes");
    text.push('\n');
    text
}

fn code(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = flat.chars().take(120).collect();
    let short = if short.len() < flat.len() {
        format!("{short}…")
    } else {
        short
    };
    let fence = if short.contains('`') { "``" } else { "`" };
    format!("{fence}{short}{fence}")
}

/// One change as a Markdown list item: where, what, old → new, and the reason.
pub fn change_line(change: &Change) -> String {
    let mut out = String::from("- ");
    match (&change.operation, &change.shared_type) {
        (Some(op), _) => {
            let _ = write!(out, "**{op}**");
        }
        (None, Some(ty)) => {
            let _ = write!(
                out,
                "**types::{ty}** (used by {})",
                change.operations.join(", ")
            );
        }
        (None, None) => out.push_str("**service**"),
    }
    if !change.path.is_empty() {
        let side = match change.side {
            Some(crate::Side::Request) if change.operation.is_some() => "request ",
            Some(crate::Side::Response) if change.operation.is_some() => "response ",
            _ => "",
        };
        let _ = write!(out, " {side}{}", code(&change.path));
    }
    let _ = write!(out, ": {}", change.kind.replace('-', " "));
    match (&change.old, &change.new) {
        (Some(old), Some(new)) => {
            let _ = write!(out, " {} → {}", code(old), code(new));
        }
        (None, Some(new)) => {
            let _ = write!(out, " {}", code(new));
        }
        (Some(old), None) => {
            let _ = write!(out, " (was {})", code(old));
        }
        (None, None) => {}
    }
    let _ = write!(out, " — {}", change.reason);
    out
}

/// Kinds with this many changes in a class are listed on one line, so a product-wide change
/// (RAM facts appearing for every operation) reads as one.
const GROUP_AT: usize = 6;

/// One line per change, except kinds with [`GROUP_AT`] or more changes: one line each.
fn grouped_lines(changes: &[&Change]) -> Vec<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for change in changes {
        *counts.entry(change.kind).or_default() += 1;
    }
    let mut lines = Vec::new();
    let mut grouped: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for change in changes {
        if counts[change.kind] < GROUP_AT {
            lines.push(change_line(change));
            continue;
        }
        if !grouped.insert(change.kind) {
            continue;
        }
        let subjects: Vec<String> = changes
            .iter()
            .filter(|c| c.kind == change.kind)
            .map(|c| match (&c.operation, c.path.is_empty()) {
                (Some(op), true) => op.clone(),
                (Some(op), false) => format!("{op} {}", c.path),
                (None, _) => c.path.clone(),
            })
            .collect();
        let shown: Vec<String> = subjects.iter().take(12).map(|s| code(s)).collect();
        let more = subjects.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        lines.push(format!(
            "- **{}** ×{}: {}{tail} — {}",
            change.kind.replace('-', " "),
            subjects.len(),
            shown.join(", "),
            change.reason
        ));
    }
    lines
}

/// `reports` as Markdown.
pub fn markdown(reports: &[Report]) -> String {
    let mut md = String::new();
    for report in reports {
        let summary = report.summary();
        let _ = writeln!(md, "## API changes: {}\n", report.service);
        if report.changes.is_empty() {
            md.push_str("No API changes.\n\n");
            continue;
        }
        let _ = writeln!(
            md,
            "**{} breaking, {} additive, {} docs.**\n",
            summary.breaking, summary.additive, summary.docs
        );
        for (class, title) in [
            (Class::Breaking, "Breaking"),
            (Class::Additive, "Additive"),
            (Class::Docs, "Docs"),
        ] {
            let of_class: Vec<&Change> =
                report.changes.iter().filter(|c| c.class == class).collect();
            let lines = grouped_lines(&of_class);
            if !lines.is_empty() {
                let _ = writeln!(md, "### {title}\n\n{}\n", lines.join("\n"));
            }
        }
        let bump = report.next_version();
        let rule = if report.is_breaking() {
            "breaking changes raise the minor version of a 0.x crate, the major from 1.0"
        } else {
            "additive or documentation-only changes raise the patch version"
        };
        let _ = writeln!(
            md,
            "Version: `{}` → `{bump}` (the rule in docs/maintaining.md, \"Crate versions\", published or not: {rule}; `cargo xtask update` sets it, or set `crate_version` in the spec folder's `overlay.yaml`).\n",
            report.crate_version
        );
    }
    md
}

impl Report {
    /// This report as Markdown.
    pub fn to_markdown(&self) -> String {
        markdown(std::slice::from_ref(self))
    }

    /// This report as JSON.
    pub fn to_json(&self) -> String {
        json(std::slice::from_ref(self))
    }
}
