//! Replacing a product version's spec folder and crate folder together, so an interrupted
//! update leaves the old ones or the new ones, never a mix.
//!
//! Both new folders are written in full under `<root>/.xtask-update/` first (the same file
//! system as `specs/` and `crates/`, so a rename moves them). A journal then lists the
//! replacements, and each is two renames: the old folder aside, the new one in place. A run
//! interrupted before the journal exists leaves only the staging folder, which the next run
//! deletes; one interrupted after it is finished by the next `add` or `update`
//! ([`recover`]), which redoes the renames not yet done.

use std::path::{Path, PathBuf};

/// The staging folder, at the workspace root.
pub const STAGING: &str = ".xtask-update";

const JOURNAL: &str = "journal";

/// A folder's new contents: relative path → bytes.
pub type Files = std::collections::BTreeMap<PathBuf, Vec<u8>>;

/// One folder to replace.
#[derive(Debug, Clone)]
pub struct Replacement {
    /// The folder, relative to the workspace root (`specs/dbs/2019-03-06`).
    pub folder: PathBuf,
    /// Everything it holds afterwards.
    pub files: Files,
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> String {
    format!("cannot {what} {}: {error}", path.display())
}

/// Writes `replacements` under the staging folder, then swaps each into place. Returns after
/// the last swap; on an error before the journal is written nothing outside the staging
/// folder has changed.
pub fn replace(root: &Path, replacements: &[Replacement]) -> Result<(), String> {
    recover(root)?;
    let staging = root.join(STAGING);
    std::fs::create_dir_all(&staging).map_err(|e| io_error("create", &staging, e))?;
    let mut journal = String::new();
    for (n, replacement) in replacements.iter().enumerate() {
        let new = staging.join(format!("new-{n}"));
        for (path, bytes) in &replacement.files {
            let target = new.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
            }
            std::fs::write(&target, bytes).map_err(|e| io_error("write", &target, e))?;
        }
        std::fs::create_dir_all(&new).map_err(|e| io_error("create", &new, e))?;
        let folder = replacement
            .folder
            .to_str()
            .ok_or_else(|| format!("{}: not a UTF-8 path", replacement.folder.display()))?;
        journal.push_str(&format!("new-{n}\t{folder}\n"));
    }
    let written = staging.join("journal.partial");
    std::fs::write(&written, &journal).map_err(|e| io_error("write", &written, e))?;
    sync_file(&written);
    // From here on the replacement happens, now or at the next run.
    std::fs::rename(&written, staging.join(JOURNAL))
        .map_err(|e| io_error("write", &staging.join(JOURNAL), e))?;
    finish(root)
}

fn sync_file(path: &Path) {
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.sync_all();
    }
}

/// Finishes a replacement an earlier run was interrupted in, or removes what an earlier run
/// staged before it began replacing anything.
pub fn recover(root: &Path) -> Result<(), String> {
    let staging = root.join(STAGING);
    if staging.join(JOURNAL).is_file() {
        eprintln!(
            "finishing the replacement an interrupted run began ({})",
            staging.join(JOURNAL).display()
        );
        return finish(root);
    }
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| io_error("remove", &staging, e))?;
    }
    Ok(())
}

/// Does every swap the journal lists that is not done yet, then removes the staging folder.
fn finish(root: &Path) -> Result<(), String> {
    let staging = root.join(STAGING);
    let journal_path = staging.join(JOURNAL);
    let journal =
        std::fs::read_to_string(&journal_path).map_err(|e| io_error("read", &journal_path, e))?;
    for line in journal.lines() {
        let Some((name, folder)) = line.split_once('\t') else {
            return Err(format!(
                "{}: unreadable line `{line}`",
                journal_path.display()
            ));
        };
        let new = staging.join(name);
        let old = staging.join(format!("old-{name}"));
        let target = root.join(folder);
        if !new.exists() {
            continue; // swapped already
        }
        if target.exists() && !old.exists() {
            std::fs::rename(&target, &old).map_err(|e| io_error("move aside", &target, e))?;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
        }
        std::fs::rename(&new, &target).map_err(|e| io_error("move into place", &target, e))?;
    }
    std::fs::remove_file(&journal_path).map_err(|e| io_error("remove", &journal_path, e))?;
    std::fs::remove_dir_all(&staging).map_err(|e| io_error("remove", &staging, e))
}

/// Every file under `dir` (relative to it) with its bytes, skipping what `skip` says; empty
/// when `dir` does not exist.
pub fn read_folder(dir: &Path, skip: &dyn Fn(&Path) -> bool) -> Result<Files, String> {
    let mut files = Files::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && folder == dir => {
                return Ok(files);
            }
            Err(e) => return Err(io_error("read", &folder, e)),
        };
        for entry in entries {
            let path = entry.map_err(|e| io_error("read", &folder, e))?.path();
            let relative = path.strip_prefix(dir).expect("under dir").to_path_buf();
            if skip(&relative) {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).map_err(|e| io_error("read", &path, e))?;
                files.insert(relative, bytes);
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-tx-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn files(pairs: &[(&str, &str)]) -> Files {
        pairs
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn folders_are_replaced_whole() {
        let root = scratch("whole");
        std::fs::create_dir_all(root.join("specs/p/1")).unwrap();
        std::fs::write(root.join("specs/p/1/gone.yaml"), "old").unwrap();
        replace(
            &root,
            &[
                Replacement {
                    folder: "specs/p/1".into(),
                    files: files(&[("service.yaml", "new")]),
                },
                Replacement {
                    folder: "crates/acs-p1".into(),
                    files: files(&[("src/lib.rs", "// new")]),
                },
            ],
        )
        .unwrap();
        assert!(!root.join("specs/p/1/gone.yaml").exists());
        assert_eq!(
            std::fs::read_to_string(root.join("specs/p/1/service.yaml")).unwrap(),
            "new"
        );
        assert!(root.join("crates/acs-p1/src/lib.rs").is_file());
        assert!(!root.join(STAGING).exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A run stopped after its first swap: the next one finishes the second; one stopped before
    /// the journal leaves the folders as they were.
    #[test]
    fn an_interrupted_replacement_is_finished_or_forgotten() {
        let root = scratch("interrupted");
        for folder in ["specs/p/1", "crates/acs-p1"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
            std::fs::write(root.join(folder).join("f"), "old").unwrap();
        }
        let staging = root.join(STAGING);
        // The first swap done (its new folder moved in), the second not begun.
        std::fs::create_dir_all(staging.join("old-new-0")).unwrap();
        std::fs::rename(root.join("specs/p/1"), staging.join("old-new-0/x")).unwrap();
        std::fs::create_dir_all(root.join("specs/p/1")).unwrap();
        std::fs::write(root.join("specs/p/1/f"), "new").unwrap();
        std::fs::create_dir_all(staging.join("new-1")).unwrap();
        std::fs::write(staging.join("new-1/f"), "new").unwrap();
        std::fs::write(
            staging.join(JOURNAL),
            "new-0\tspecs/p/1\nnew-1\tcrates/acs-p1\n",
        )
        .unwrap();
        recover(&root).unwrap();
        for folder in ["specs/p/1", "crates/acs-p1"] {
            assert_eq!(
                std::fs::read_to_string(root.join(folder).join("f")).unwrap(),
                "new"
            );
        }
        assert!(!staging.exists());

        std::fs::create_dir_all(staging.join("new-0")).unwrap();
        std::fs::write(staging.join("new-0/f"), "newer").unwrap();
        recover(&root).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("specs/p/1/f")).unwrap(),
            "new"
        );
        assert!(!staging.exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
