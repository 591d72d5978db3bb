//! `cargo xtask import` end to end, in a scratch workspace: files written, overlay kept and
//! applied, re-import changes nothing, operations the metadata dropped are deleted.

use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acs-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture(name: &str) -> PathBuf {
    xtask::workspace_root()
        .join("crates/acs-import/tests/fixtures")
        .join(name)
}

#[test]
fn import_keeps_the_overlay_and_is_idempotent() {
    let root = scratch("dbs");
    let spec_dir = root.join("specs/dbs/2019-03-06");
    std::fs::create_dir_all(&spec_dir).unwrap();
    let overlay =
        std::fs::read_to_string(xtask::workspace_root().join("specs/dbs/2019-03-06/overlay.yaml"))
            .unwrap();
    std::fs::write(spec_dir.join("overlay.yaml"), &overlay).unwrap();
    // An operation an earlier import wrote that the metadata no longer has.
    std::fs::write(
        spec_dir.join("Dropped.yaml"),
        "# Operation Dropped, imported from x by `cargo xtask import`.\nname: Dropped\n",
    )
    .unwrap();

    let source = fixture("openmeta/en_us/dbs/2019-03-06/api-docs.json");
    let first = xtask::import(&root, &source, None).unwrap();
    assert_eq!(first.imported, 36);
    assert!(first.refused.is_empty());
    assert_eq!(first.written.len(), 37, "service.yaml and 36 operations");
    assert_eq!(first.deleted, vec![spec_dir.join("Dropped.yaml")]);
    assert_eq!(
        std::fs::read_to_string(spec_dir.join("overlay.yaml")).unwrap(),
        overlay
    );

    let again = xtask::import(&root, &source, None).unwrap();
    assert!(again.written.is_empty() && again.deleted.is_empty());

    // The overlay's facts reach the IR: the business error without an HTTP status.
    let loaded = acs_spec::load_service_dir(&spec_dir).unwrap();
    assert_eq!(loaded.service.title, "Database Backup (DBS)");
    assert_eq!(loaded.service.operations.len(), 36);
    let start = loaded
        .service
        .operations
        .iter()
        .find(|op| op.name == "StartBackupPlan")
        .unwrap();
    let codes: Vec<(&str, Option<u16>)> = start
        .errors
        .iter()
        .map(|e| (e.code.as_str(), e.http_status))
        .collect();
    assert_eq!(
        codes,
        [("Request.Forbidden", Some(403)), ("Param.NotFound", None)]
    );
    assert!(start.idempotency_token.is_some());

    // `--ops` writes only the named operations and deletes nothing.
    std::fs::remove_file(spec_dir.join("StopBackupPlan.yaml")).unwrap();
    let only = xtask::import(&root, &source, Some(&["StopBackupPlan".to_owned()])).unwrap();
    assert_eq!(only.written, vec![spec_dir.join("StopBackupPlan.yaml")]);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn refused_products_write_nothing() {
    let root = scratch("aligenie");
    let error = xtask::import(
        &root,
        &xtask::workspace_root()
            .join("tests/fixtures/catalogue/en_us/aligenie/iap_1.0/api-docs.json"),
        None,
    )
    .unwrap_err();
    assert!(error.contains("AliGenie"), "{error}");
    assert!(!Path::new(&root.join("specs")).exists());
    std::fs::remove_dir_all(&root).unwrap();
}

/// The committed specs are exactly what `cargo xtask import` makes of the committed metadata
/// (the Done-when of the import issue, runnable without ../shared).
#[test]
fn committed_specs_are_what_import_produces() {
    let workspace = xtask::workspace_root();
    for folder in [
        "dbs/2019-03-06",
        "dbs/2021-01-01",
        "cs/2015-12-15",
        "oss/2019-05-17",
        "sls/2020-12-30",
    ] {
        let root = scratch(&folder.replace('/', "-"));
        let committed = workspace.join("specs").join(folder);
        let spec_dir = root.join("specs").join(folder);
        std::fs::create_dir_all(&spec_dir).unwrap();
        if committed.join("overlay.yaml").is_file() {
            std::fs::copy(
                committed.join("overlay.yaml"),
                spec_dir.join("overlay.yaml"),
            )
            .unwrap();
        }
        let source = fixture(&format!("openmeta/en_us/{folder}/api-docs.json"));
        xtask::import(&root, &source, None).unwrap();
        let names = |dir: &Path| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            names(&spec_dir),
            names(&committed),
            "{folder}: the same files"
        );
        for name in names(&committed) {
            assert_eq!(
                std::fs::read_to_string(spec_dir.join(&name)).unwrap(),
                std::fs::read_to_string(committed.join(&name)).unwrap(),
                "{folder}/{name} differs from a fresh import"
            );
        }
        std::fs::remove_dir_all(&root).unwrap();
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

/// The README's "Add an operation", followed literally (the copy keeps the imported file's
/// header, as a hurried copy does): the operation is generated, and the next full import keeps
/// it, says so, and deletes nothing.
#[test]
fn an_operation_added_as_the_readme_says_survives_the_next_import() {
    let root = scratch("add-operation");
    let workspace = xtask::workspace_root();
    copy_tree(&workspace.join("specs"), &root.join("specs"));
    copy_tree(&workspace.join("tests/specs"), &root.join("tests/specs"));
    let spec_dir = root.join("specs/dbs/2019-03-06");

    // 1. Copy StartBackupPlan.yaml to <OperationName>.yaml and change its `name:`.
    let original = std::fs::read_to_string(spec_dir.join("StartBackupPlan.yaml")).unwrap();
    let copy = original.replace("\nname: StartBackupPlan\n", "\nname: PauseBackupPlan\n");
    assert_ne!(copy, original);
    std::fs::write(spec_dir.join("PauseBackupPlan.yaml"), copy).unwrap();
    // 2. cargo xtask codegen.
    let report = xtask::codegen(&root, xtask::Mode::Write).unwrap();
    let module = root.join("crates/acs-dbs20190306/src/operation/pause_backup_plan.rs");
    assert!(report.changed.contains(&module), "{:?}", report.changed);
    let client =
        std::fs::read_to_string(root.join("crates/acs-dbs20190306/src/client.rs")).unwrap();
    assert!(client.contains("pub fn pause_backup_plan("));

    // The next import of the whole product: the dry run and the import keep the new file.
    let source = fixture("openmeta/en_us/dbs/2019-03-06/api-docs.json");
    let plan = xtask::plan_import(&root, &source, None).unwrap();
    assert!(plan.report.deleted.is_empty(), "{:?}", plan.report.deleted);
    let imported = xtask::import(&root, &source, None).unwrap();
    assert!(imported.deleted.is_empty(), "{:?}", imported.deleted);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.starts_with("PauseBackupPlan.yaml is not in the metadata")),
        "{:?}",
        imported.warnings
    );
    assert!(spec_dir.join("PauseBackupPlan.yaml").is_file());
    let again = xtask::codegen(&root, xtask::Mode::Write).unwrap();
    assert!(!again.stale.contains(&module));
    assert!(module.is_file());
    std::fs::remove_dir_all(&root).unwrap();
}

/// `--dry-run` (a plan) writes and deletes nothing, and names what an import would do.
#[test]
fn a_planned_import_changes_nothing() {
    let root = scratch("plan");
    let spec_dir = root.join("specs/dbs/2019-03-06");
    std::fs::create_dir_all(&spec_dir).unwrap();
    std::fs::write(
        spec_dir.join("Dropped.yaml"),
        "# Operation Dropped, imported from x by `cargo xtask import`.\nname: Dropped\n",
    )
    .unwrap();
    let source = fixture("openmeta/en_us/dbs/2019-03-06/api-docs.json");
    let plan = xtask::plan_import(&root, &source, None).unwrap();
    assert_eq!(plan.report.written.len(), 37);
    assert_eq!(plan.report.deleted, vec![spec_dir.join("Dropped.yaml")]);
    let names: Vec<_> = std::fs::read_dir(&spec_dir).unwrap().collect();
    assert_eq!(names.len(), 1, "only Dropped.yaml, still there");
    std::fs::remove_dir_all(&root).unwrap();
}

/// A cut-off metadata file is reported with its path, and nothing is written.
#[test]
fn a_truncated_api_docs_json_is_named() {
    let root = scratch("truncated");
    let json = std::fs::read(
        xtask::workspace_root()
            .join("tests/fixtures/history/dbs-2021-01-01/2025-09-05-4167c36d/api-docs.json"),
    )
    .unwrap();
    let cut = root.join("cut-api-docs.json");
    std::fs::write(&cut, &json[..json.len() / 2]).unwrap();
    let error = xtask::plan_import(&root, &cut, None).unwrap_err();
    assert!(
        error.starts_with(&format!("{}: ", cut.display())) && error.contains("EOF while parsing"),
        "{error}"
    );
    assert!(!root.join("specs").exists());
    std::fs::remove_dir_all(&root).unwrap();
}

/// The ECS fixture product (`tests/specs/ecs`) is imported one operation at a time from
/// single-operation extracts: its parameters, where dotted ones are folded (`Filter.1.Key` …
/// into `Filter`), are what import makes of them today. (Responses are not compared: a
/// structure one import shares through its own `service.yaml` stays inline in the fixture,
/// whose `service.yaml` is the last import's.)
#[test]
fn the_ecs_fixture_has_the_parameters_import_makes() {
    let workspace = xtask::workspace_root();
    for (extract, operation) in [
        (
            fixture("ecs-2014-05-26-DescribeInstances.json"),
            "DescribeInstances",
        ),
        (fixture("ecs-2014-05-26-RunInstances.json"), "RunInstances"),
        (
            workspace
                .join("tests/fixtures/dotted/ecs-2014-05-26-ModifyImageShareGroupPermission.json"),
            "ModifyImageShareGroupPermission",
        ),
    ] {
        let json = std::fs::read_to_string(&extract).unwrap();
        let imported = acs_import::import_openmeta(&json, Some(&[operation.to_owned()])).unwrap();
        let path = workspace.join(format!("tests/specs/ecs/2014-05-26/{operation}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let committed: acs_spec::model::OperationSpec = serde_json::from_value(
            acs_spec::source::parse_document(&path, &text)
                .unwrap()
                .value,
        )
        .unwrap();
        assert_eq!(
            committed.parameters, imported.operations[0].parameters,
            "{operation}"
        );
    }
}
