//! Every relative link in the README and in `docs/` names a file of this repository (and an
//! anchor, a heading of that file): a reader following one never lands on nothing.

use std::path::Path;

/// The `(target)` of each Markdown link `[text](target)` in `text`, outside code blocks.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    targets
}

/// GitHub's anchor for a heading: lower case, spaces as `-`, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn broken_links(file: &Path, root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut broken = Vec::new();
    for target in link_targets(&text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, fragment) = match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target.as_str(), None),
        };
        let linked = if path.is_empty() {
            file.to_path_buf()
        } else {
            file.parent().unwrap().join(path)
        };
        let shown = format!("{}: {target}", file.strip_prefix(root).unwrap().display());
        if !linked.exists() {
            broken.push(shown);
            continue;
        }
        if let Some(fragment) = fragment {
            let headings = std::fs::read_to_string(&linked).unwrap_or_default();
            let found = headings
                .lines()
                .filter_map(|line| line.strip_prefix('#'))
                .any(|heading| anchor(heading.trim_start_matches('#')) == fragment);
            if !found {
                broken.push(shown);
            }
        }
    }
    broken
}

#[test]
fn the_readme_and_docs_link_only_to_what_exists() {
    let root = xtask::workspace_root();
    let mut files = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    let links: usize = files
        .iter()
        .map(|f| link_targets(&std::fs::read_to_string(f).unwrap()).len())
        .sum();
    assert!(links > 10, "the checker finds links ({links})");
    let broken: Vec<String> = files.iter().flat_map(|f| broken_links(f, &root)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_sees_a_missing_file_and_a_missing_heading() {
    let root = std::env::temp_dir().join(format!("acs-doc-links-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let readme = root.join("README.md");
    std::fs::write(root.join("a.md"), "# A page\n\n## Set up\n").unwrap();
    std::fs::write(
        &readme,
        "[ok](a.md) [ok](a.md#set-up) [gone](b.md) [no](a.md#nothing) `[code](c.md)`\n```\n[x](d.md)\n```\n",
    )
    .unwrap();
    let broken = broken_links(&readme, &root);
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(
        broken,
        [
            "README.md: b.md",
            "README.md: a.md#nothing",
            "README.md: c.md"
        ]
    );
}
