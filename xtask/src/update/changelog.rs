//! `crates/<crate>/CHANGELOG.md`: one entry per version `cargo xtask add` or `update` made,
//! newest first. The generator does not own the file (it is neither in a generated folder nor
//! a generated root file), so `codegen` keeps it and `codegen --check` does not call it stale.

use std::fmt::Write as _;

use acs_diff::{Class, Report};

/// The file's name in the crate's folder.
pub const FILE: &str = "CHANGELOG.md";

/// The top of a new changelog.
fn preamble(package: &str) -> String {
    format!(
        "# Changelog of `{package}`\n\n\
         Newest first. `cargo xtask update` adds an entry whenever Alibaba's metadata for this API\n\
         changes; entries are kept when the crate is regenerated, and may be edited by hand.\n"
    )
}

/// The entry of a crate's first version.
pub fn first_entry(version: &str, date: &str, source: &str, operations: usize) -> String {
    format!("## {version} ({date})\n\nFirst generated from {source}: {operations} operations.\n")
}

/// The entry of a version made from `report`: every breaking change with its reason, every
/// addition named, documentation changes counted.
pub fn entry(version: &str, date: &str, source: &str, report: &Report) -> String {
    let summary = report.summary();
    let mut text = format!(
        "## {version} ({date})\n\nFrom {source}: {} breaking, {} additive, {} documentation changes.\n",
        summary.breaking, summary.additive, summary.docs
    );
    for (class, title) in [(Class::Breaking, "Breaking"), (Class::Additive, "Added")] {
        let lines: Vec<String> = report
            .changes
            .iter()
            .filter(|change| change.class == class)
            .map(acs_diff::render::change_line)
            .collect();
        if !lines.is_empty() {
            let _ = write!(text, "\n### {title}\n\n{}\n", lines.join("\n"));
        }
    }
    if summary.docs > 0 {
        let _ = write!(
            text,
            "\n### Documentation\n\n{} descriptions, summaries or examples changed (`cargo xtask diff --docs` lists them).\n",
            summary.docs
        );
    }
    text
}

/// `current` (the file's text, or `None` when the crate has none yet) with `entry` added
/// above the newest entry.
pub fn prepend(current: Option<&str>, package: &str, entry: &str) -> String {
    let current = current.map_or_else(|| preamble(package), str::to_owned);
    let (head, rest) = match current.find("\n## ") {
        Some(at) => current.split_at(at + 1),
        None => (current.as_str(), ""),
    };
    let mut text = head.trim_end().to_owned();
    text.push_str("\n\n");
    text.push_str(entry.trim_end());
    text.push('\n');
    if !rest.is_empty() {
        text.push('\n');
        text.push_str(rest);
    }
    text
}

/// Today's date (UTC) as `YYYY-MM-DD`; `SOURCE_DATE_EPOCH`, when set, stands for now, so a
/// run can be reproduced.
pub fn today() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    civil_date(seconds.div_euclid(86_400))
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_429), "2025-12-07");
    }

    #[test]
    fn entries_go_newest_first_and_old_ones_stay() {
        let first = prepend(None, "acs-x", &first_entry("0.1.0", "2025-01-01", "s", 3));
        assert!(first.starts_with("# Changelog of `acs-x`\n"));
        let second = prepend(Some(&first), "acs-x", "## 0.2.0 (2025-02-01)\n\nFrom s.\n");
        let newest = second.find("## 0.2.0").unwrap();
        let oldest = second.find("## 0.1.0").unwrap();
        assert!(newest < oldest, "{second}");
        assert!(second.ends_with("First generated from s: 3 operations.\n"));
        assert!(
            second
                .contains("may be edited by hand.\n\n## 0.2.0 (2025-02-01)\n\nFrom s.\n\n## 0.1.0")
        );
    }
}
