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

#[test]
fn generated_files_match_snapshots() {
    let root = xtask::workspace_root();
    let files = xtask::render_all(&root, &mut xtask::Report::default()).expect("valid specs");
    for (path, contents) in files {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(Path::new(""))
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        insta::with_settings!({ snapshot_path => "snapshots/generated", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, contents);
        });
    }
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
    for dir in [
        "specs",
        "crates/acs-dbs20190306/src",
        "crates/acs-dbs20190306/policies",
        "tests/specs",
        "tests/generated",
    ] {
        copy_tree(&root.join(dir), &scratch.join(dir));
    }
    for file in ["crates/acs-dbs20190306/Cargo.toml", ".gitattributes"] {
        std::fs::copy(root.join(file), scratch.join(file)).unwrap();
    }
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
        failure.contains("+    pub fn dry_run(mut self, value: impl Into<bool>) -> Self {"),
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
