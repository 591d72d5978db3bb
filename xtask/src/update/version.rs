//! Where a crate's version is written: `crate_version` in the spec folder's `overlay.yaml`,
//! which re-imports keep. The rule that moves it is `acs_diff::Report::next_version`.

/// `overlay` (the text of `overlay.yaml`, or `None` when the folder has none) with
/// `service.crate_version` set to `version`; `source` names the metadata in a new file's
/// header. Comments and every other line are kept.
pub fn set_crate_version(
    overlay: Option<&str>,
    version: &str,
    source: &str,
) -> Result<String, String> {
    let entry = format!("crate_version: \"{version}\"");
    let Some(text) = overlay else {
        return Ok(format!(
            "# Local corrections to the specs `cargo xtask import` writes from Alibaba's metadata\n\
             # ({source}). The importer never touches this file; loading applies it on top of\n\
             # service.yaml and the operation files. `cargo xtask update` sets crate_version.\n\
             service:\n  {entry}\n"
        ));
    };
    let lines: Vec<&str> = text.lines().collect();
    let is_key = |line: &str, key: &str| {
        line.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| {
                let rest = rest.trim();
                rest.is_empty() || rest.starts_with('#')
            })
    };
    let Some(service) = lines.iter().position(|line| is_key(line, "service")) else {
        if lines.iter().any(|line| line.starts_with("service:")) {
            return Err(
                "overlay.yaml: `service:` is not a block mapping (write its keys on lines of their own, indented below it) so crate_version cannot be set"
                    .into(),
            );
        }
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("service:\n  {entry}\n"));
        return Ok(out);
    };
    // The block under `service:`: indented lines, blank lines and comments.
    let block_end = lines[service + 1..]
        .iter()
        .position(|line| {
            !line.trim().is_empty() && !line.starts_with(' ') && !line.starts_with('#')
        })
        .map_or(lines.len(), |i| service + 1 + i);
    let indent = lines[service + 1..block_end]
        .iter()
        .find(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map_or(2, |line| line.len() - line.trim_start().len());
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let existing = (service + 1..block_end).find(|&i| {
        let line = lines[i];
        line.len() - line.trim_start().len() == indent
            && line.trim_start().starts_with("crate_version:")
    });
    match existing {
        Some(i) => out[i] = format!("{:indent$}{entry}", ""),
        None => out.insert(service + 1, format!("{:indent$}{entry}", "")),
    }
    Ok(out.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_version_is_set_keeping_everything_else() {
        let overlay =
            "# comment\nservice:\n  # why\n  title: DBS\noperations:\n  A:\n    summary: x\n";
        assert_eq!(
            set_crate_version(Some(overlay), "0.2.0", "s").unwrap(),
            "# comment\nservice:\n  crate_version: \"0.2.0\"\n  # why\n  title: DBS\noperations:\n  A:\n    summary: x\n"
        );
        let again = set_crate_version(Some(overlay), "0.2.0", "s").unwrap();
        assert_eq!(
            set_crate_version(Some(&again), "0.2.1", "s").unwrap(),
            again.replace("0.2.0", "0.2.1")
        );
        assert_eq!(
            set_crate_version(Some("operations: {}\n"), "0.1.1", "s").unwrap(),
            "operations: {}\nservice:\n  crate_version: \"0.1.1\"\n"
        );
        assert!(set_crate_version(Some("service: {title: x}\n"), "0.1.1", "s").is_err());
        assert!(
            set_crate_version(None, "0.1.1", "en_us/x/1/api-docs.json")
                .unwrap()
                .ends_with("service:\n  crate_version: \"0.1.1\"\n")
        );
    }
}
