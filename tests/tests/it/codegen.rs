//! The checked-in generated files are what the generator produces today, byte for byte, and
//! the generator produces the same bytes every time. Snapshots of every generated file make
//! changes reviewable with `cargo insta review`.

use std::path::Path;

#[test]
fn checked_in_generated_files_are_fresh() {
    let root = xtask::workspace_root();
    let report = xtask::codegen(&root, xtask::Mode::Check).expect("the specs are valid");
    if let Some(failure) = xtask::check_failure(&root, &report) {
        panic!("{failure}");
    }
}

#[test]
fn generation_is_deterministic() {
    let root = xtask::workspace_root();
    let first = xtask::render_all(&root, &mut xtask::Report::default()).expect("valid specs");
    let second = xtask::render_all(&root, &mut xtask::Report::default()).expect("valid specs");
    assert!(!first.is_empty());
    assert_eq!(first, second);
}

/// Every file is compared, even after a mismatch, so one run writes a `.snap.new` for every
/// changed file and `cargo insta review` shows them all.
#[test]
fn generated_files_match_snapshots() {
    let root = xtask::workspace_root();
    let files = xtask::render_all(&root, &mut xtask::Report::default()).expect("valid specs");
    let mut changed = Vec::new();
    for (path, contents) in files {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(Path::new(""))
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        let compared = std::panic::catch_unwind(|| {
            insta::with_settings!({ snapshot_path => "snapshots/generated", prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(name.as_str(), contents);
            });
        });
        if compared.is_err() {
            changed.push(name);
        }
    }
    assert!(
        changed.is_empty(),
        "{} generated files differ from their snapshots (review them all with `cargo insta review`): {}",
        changed.len(),
        changed.join(", ")
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What a user sees after adding a parameter to a spec: `--check` fails naming the stale file
/// with a diff showing the new setter; `codegen` writes it; `--check` passes again.
#[test]
fn a_spec_change_makes_the_check_fail_until_regenerated() {
    let root = xtask::workspace_root();
    let scratch = std::env::temp_dir().join(format!("acs-codegen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for dir in ["specs", "tests/specs", "tests/generated"] {
        copy_tree(&root.join(dir), &scratch.join(dir));
    }
    // Every generated client crate (imported products add more than acs-dbs20190306).
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let crate_dir = entry.unwrap().path();
        let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap_or_default();
        if !manifest.contains(acs_codegen::GENERATED_MARKER) {
            continue;
        }
        let target = scratch.join("crates").join(crate_dir.file_name().unwrap());
        for dir in acs_codegen::GENERATED_DIRS {
            if crate_dir.join(dir).is_dir() {
                copy_tree(&crate_dir.join(dir), &target.join(dir));
            }
        }
        for file in acs_codegen::GENERATED_ROOT_FILES {
            std::fs::copy(crate_dir.join(file), target.join(file)).unwrap();
        }
    }
    std::fs::copy(root.join(".gitattributes"), scratch.join(".gitattributes")).unwrap();
    let fresh = xtask::codegen(&scratch, xtask::Mode::Check).unwrap();
    assert!(
        xtask::check_failure(&scratch, &fresh).is_none(),
        "the copy starts fresh"
    );

    let spec = scratch.join("specs/dbs/2019-03-06/StartBackupPlan.yaml");
    let text = std::fs::read_to_string(&spec).unwrap().replace(
        "response:\n",
        "  - name: DryRun\n    in: query\n    type: boolean\n    description: Only check the request.\nresponse:\n",
    );
    std::fs::write(&spec, text).unwrap();
    let stale = xtask::codegen(&scratch, xtask::Mode::Check).unwrap();
    let failure = xtask::check_failure(&scratch, &stale).expect("the check fails");
    assert!(
        failure.contains("stale: crates/acs-dbs20190306/src/operation/start_backup_plan.rs"),
        "{failure}"
    );
    assert!(
        failure
            .contains("+    pub fn dry_run(mut self, value: impl rt::IntoParam<bool>) -> Self {"),
        "{failure}"
    );
    let generated = scratch.join("crates/acs-dbs20190306/src/operation/start_backup_plan.rs");
    assert!(
        !std::fs::read_to_string(&generated)
            .unwrap()
            .contains("dry_run"),
        "--check wrote nothing"
    );

    xtask::codegen(&scratch, xtask::Mode::Write).unwrap();
    assert!(
        std::fs::read_to_string(&generated)
            .unwrap()
            .contains("pub fn dry_run(")
    );
    let again = xtask::codegen(&scratch, xtask::Mode::Check).unwrap();
    assert!(xtask::check_failure(&scratch, &again).is_none());

    std::fs::write(
        scratch.join("crates/acs-dbs20190306/src/operation/orphan.rs"),
        "",
    )
    .unwrap();
    let orphan = xtask::codegen(&scratch, xtask::Mode::Check).unwrap();
    let failure = xtask::check_failure(&scratch, &orphan).expect("an orphan is stale");
    assert!(
        failure
            .contains("not produced by any spec: crates/acs-dbs20190306/src/operation/orphan.rs"),
        "{failure}"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}

/// A spec folder whose `service.yaml` is gone (or is not a file) stops the run: skipping it
/// would delete its crate's generated files as stale.
#[test]
fn a_spec_folder_without_service_yaml_is_an_error_and_nothing_is_deleted() {
    let root = xtask::workspace_root();
    let scratch =
        std::env::temp_dir().join(format!("acs-codegen-noservice-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for dir in ["specs", "tests/specs"] {
        copy_tree(&root.join(dir), &scratch.join(dir));
    }
    xtask::codegen(&scratch, xtask::Mode::Write).unwrap();
    let service = scratch.join("specs/dbs/2021-01-01/service.yaml");
    std::fs::remove_file(&service).unwrap();
    std::fs::create_dir(&service).unwrap();
    let error = xtask::codegen(&scratch, xtask::Mode::Write).unwrap_err();
    assert!(
        error.contains(
            "dbs/2021-01-01: error: a spec folder needs a regular file named service.yaml"
        ),
        "{error}"
    );
    assert!(scratch.join("crates/acs-dbs20210101/src/lib.rs").is_file());
    std::fs::remove_dir_all(&scratch).unwrap();
}

/// One marker says "generated": every file the generator writes carries it, except JSON, which
/// cannot hold a comment (`.gitattributes`, itself marked, names those).
#[test]
fn every_generated_file_but_json_carries_the_marker() {
    let root = xtask::workspace_root();
    let files = xtask::render_all(&root, &mut xtask::Report::default()).expect("valid specs");
    assert_eq!(
        acs_codegen::GENERATED_MARKER,
        format!("@generated by `{}`", acs_codegen::REGENERATE_COMMAND)
    );
    for (path, contents) in &files {
        if path.extension().is_some_and(|e| e == "json") {
            continue;
        }
        assert!(
            contents.contains(acs_codegen::GENERATED_MARKER),
            "{} lacks the marker",
            path.display()
        );
    }
}

/// A clean checkout's `codegen` prints nothing to act on: facts of the metadata that no run can
/// change (an ARN placeholder naming no parameter) are notes, said at import and recorded in the
/// generated RAM docs, not warnings repeated on every run.
#[test]
fn a_clean_checkout_generates_without_warnings() {
    let root = xtask::workspace_root();
    let report = xtask::codegen(&root, xtask::Mode::Check).expect("the specs are valid");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    let dir = root.join("specs/dbs/2021-01-01");
    let loaded = acs_spec::load_service_dir(&dir).unwrap();
    let notes: Vec<String> = loaded
        .warnings
        .iter()
        .filter(|d| d.severity == acs_spec::Severity::Note)
        .map(ToString::to_string)
        .collect();
    assert_eq!(notes.len(), 5, "{notes:#?}");
    assert!(notes.iter().all(|n| n.contains(": note: ")), "{notes:#?}");
}
