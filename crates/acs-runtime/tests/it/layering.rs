//! The runtime's top-level modules form the layers `src/lib.rs` documents: none imports a
//! module of a higher layer, and there is no import cycle among them.
//!
//! Every `crate::<module>` path outside test modules counts — in `use` items, in code and in
//! doc links — and so does `super::<module>` where `super` is the crate root. A module may
//! import any module below it; an arrow back up makes a cycle, which this test names with the
//! file and line of one import on it. `the_check_finds_a_cycle` runs the same analysis on a
//! small crate with a cycle, so the check itself is known to fail when it should.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where module `from` names module `to`.
#[derive(Debug, Clone)]
struct Import {
    from: String,
    to: String,
    at: String,
}

#[test]
fn the_runtime_modules_have_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let cycles = cycles(&imports(&src));
    assert!(
        cycles.is_empty(),
        "import cycles among acs-runtime's top-level modules (lower layers must not import \
         higher ones):\n{}",
        cycles.join("\n")
    );
}

/// The layers `src/lib.rs` documents, top first: each module in the lowest row naming it (a
/// row may mention a lower module in passing).
fn documented_layers(lib: &str, modules: &[String]) -> BTreeMap<String, usize> {
    let rows = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//! | "))
        .filter(|row| !row.starts_with("layer |") && !row.starts_with("---"));
    let mut layers = BTreeMap::new();
    for (layer, row) in rows.enumerate() {
        let named = row.split(" | ").nth(1).unwrap_or_default();
        for (index, part) in named.split('`').enumerate() {
            if index % 2 == 1 && modules.iter().any(|module| module == part) {
                layers.insert(part.to_owned(), layer);
            }
        }
    }
    layers
}

/// The imports that go up the documented layers (to a row above their module's).
fn upward(imports: &[Import], layers: &BTreeMap<String, usize>) -> Vec<String> {
    imports
        .iter()
        .filter(|import| layers.get(&import.to) < layers.get(&import.from))
        .map(|import| format!("{} imports {} ({})", import.from, import.to, import.at))
        .collect()
}

/// The table in `src/lib.rs` is the truth: every module is in it, and none imports a module of
/// a higher layer.
#[test]
fn the_runtime_modules_import_only_their_layer_and_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let modules = modules(&src);
    let layers = documented_layers(&lib, &modules);
    let unplaced: Vec<&String> = modules
        .iter()
        .filter(|m| !layers.contains_key(*m))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from lib.rs's layer table: {unplaced:?}"
    );
    let found = upward(&imports(&src), &layers);
    assert!(
        found.is_empty(),
        "imports up the layers of lib.rs's table:\n{}",
        found.join("\n")
    );
    // The check itself: one import up the table is found.
    let wrong = Import {
        from: "http".into(),
        to: "client".into(),
        at: "a test".into(),
    };
    assert_eq!(upward(&[wrong], &layers).len(), 1);
}

#[test]
fn the_check_finds_a_cycle() {
    let dir = std::env::temp_dir().join(format!("acs-layering-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("low")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).unwrap();
    write("lib.rs", "pub mod low;\npub mod high;\nmod other;\n");
    write(
        "high.rs",
        "use crate::{low::Thing, other};\n#[cfg(test)]\nmod tests { use crate::other::X; }\n",
    );
    // A doc link and a path in code, each an arrow back up; the test module's is not counted.
    write(
        "low/mod.rs",
        "//! See [`High`](crate::high::High).\nmod inner;\n#[cfg(test)]\nmod tests {\n    fn f() { let _ = '{'; crate::other::f(); }\n}\n",
    );
    write("low/inner.rs", "fn f() { super::super::other::g(); }\n");
    write("other.rs", "/* { */ fn f() { let s = \"}\"; }\n");
    let found = imports(&dir);
    let edges: BTreeSet<(String, String)> = found
        .iter()
        .map(|import| (import.from.clone(), import.to.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("high", "low"),
        ("high", "other"),
        ("low", "high"),
        ("low", "other"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(edges, expected);
    let cycles = cycles(&found);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].contains("high → low") && cycles[0].contains("low/mod.rs:1"),
        "{}",
        cycles[0]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The crate's top-level modules, as `lib.rs` declares them.
fn modules(src: &Path) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    lib.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("pub(crate) mod "))
                .or_else(|| line.strip_prefix("mod "))?;
            rest.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

/// Every file of module `name`, with how many `super::` reach the crate root from it.
fn files(src: &Path, name: &str) -> Vec<(PathBuf, usize)> {
    let mut out = Vec::new();
    let single = src.join(format!("{name}.rs"));
    if single.exists() {
        out.push((single, 1));
    }
    let dir = src.join(name);
    if dir.is_dir() {
        let mut stack = vec![(dir, 1)];
        while let Some((dir, depth)) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push((path, depth + 1));
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    let is_mod = path.file_name().is_some_and(|f| f == "mod.rs");
                    out.push((path, if is_mod { depth } else { depth + 1 }));
                }
            }
        }
    }
    out
}

fn imports(src: &Path) -> Vec<Import> {
    let modules = modules(src);
    let mut found = Vec::new();
    for module in &modules {
        for (path, supers) in files(src, module) {
            let text = without_test_modules(&std::fs::read_to_string(&path).unwrap());
            let root = "super::".repeat(supers);
            for (line_no, line) in text.lines().enumerate() {
                for target in referenced_modules(line, &root) {
                    if &target != module && modules.contains(&target) {
                        found.push(Import {
                            from: module.clone(),
                            to: target,
                            at: format!(
                                "{}:{}",
                                path.strip_prefix(src).unwrap().display(),
                                line_no + 1
                            ),
                        });
                    }
                }
            }
        }
    }
    found
}

/// The first path segment after each `crate::` (or `root`, the `super::` chain that reaches
/// the crate root) on `line`, including each item of a `crate::{a, b::c}` group.
fn referenced_modules(line: &str, root: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["crate::", root] {
        let mut rest = line;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // `my_crate::`, or a deeper `super::super::` match
            }
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut item_start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        c if item_start && (c.is_alphabetic() || c == '_') => {
                            out.push(identifier(&group[i..]));
                            item_start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                out.push(identifier(rest));
            }
        }
    }
    out
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `text` with every `#[cfg(test)]` module replaced by blank lines (line numbers are kept).
fn without_test_modules(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let after = &rest[at + "#[cfg(test)]".len()..];
        let item = after.trim_start();
        let is_module = item.starts_with("mod ") || item.starts_with("pub mod ");
        let Some(open) = item.find('{').filter(|_| is_module) else {
            out.push_str(&rest[..at + "#[cfg(test)]".len()]);
            rest = after;
            continue;
        };
        let body_start = at + "#[cfg(test)]".len() + (after.len() - item.len()) + open;
        let end = body_start + matching_brace(&rest[body_start..]);
        out.push_str(&rest[..at]);
        out.extend(rest[at..end].chars().filter(|&c| c == '\n'));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The length of the `{ … }` block `text` starts with, skipping braces inside comments,
/// strings and character literals.
fn matching_brace(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| i + 2 + end + 1);
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'r' if bytes.get(i + 1) == Some(&b'#') || bytes.get(i + 1) == Some(&b'"') => {
                let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 1 + hashes + 1;
                i = text[start..]
                    .find(&close)
                    .map_or(bytes.len(), |end| start + end + close.len() - 1);
            }
            // A character literal (`'{'`, `'\''`), not a lifetime (`'a`).
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\\') => {
                i = text[i + 2..]
                    .find('\'')
                    .map_or(bytes.len(), |end| i + 2 + end);
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Each strongly connected set of two or more modules, with the imports inside it.
fn cycles(imports: &[Import]) -> Vec<String> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for import in imports {
        graph.entry(&import.from).or_default().insert(&import.to);
        graph.entry(&import.to).or_default();
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if seen.insert(node) {
                stack.extend(graph[node].iter().copied());
            }
        }
        false
    };
    let mut out = Vec::new();
    let mut placed = BTreeSet::new();
    for &node in graph.keys() {
        if placed.contains(node) {
            continue;
        }
        let members: BTreeSet<&str> = graph
            .keys()
            .copied()
            .filter(|&other| reaches(node, other) && reaches(other, node))
            .collect();
        placed.extend(members.iter().copied());
        if members.len() < 2 {
            continue;
        }
        let mut arrows: BTreeMap<(&str, &str), &str> = BTreeMap::new();
        for import in imports {
            if members.contains(import.from.as_str()) && members.contains(import.to.as_str()) {
                arrows
                    .entry((&import.from, &import.to))
                    .or_insert(&import.at);
            }
        }
        let arrows: Vec<String> = arrows
            .iter()
            .map(|((from, to), at)| format!("  {from} → {to} ({at})"))
            .collect();
        out.push(format!(
            "cycle among {}:\n{}",
            members.into_iter().collect::<Vec<_>>().join(", "),
            arrows.join("\n")
        ));
    }
    out
}
