//! `overlay.yaml`: corrections applied on top of (imported) spec files before they are checked.

use std::path::PathBuf;

use acs_spec::{LoadedService, SpecErrors, SpecFile, load_service_with_overlay};

const SERVICE: &str = "product: demo\ntitle: Demo\napi_version: \"2020-01-01\"\nstyle: rpc\nendpoints:\n  - region: cn-hangzhou\n    public: demo.cn-hangzhou.aliyuncs.com\n";

const OP: &str = "name: Op\nsummary: Does it.\nmethods: [post]\nparameters:\n  - name: Id\n    in: query\n    type: string\n    required: true\n  - name: ClientToken\n    in: query\n    type: string\n    idempotency_token: true\nerrors:\n  - code: Request.Forbidden\n    http_status: 403\n";

fn file(name: &str, text: &str) -> SpecFile {
    SpecFile {
        path: PathBuf::from(format!("specs/demo/2020-01-01/{name}")),
        text: text.to_owned(),
    }
}

fn load(overlay: &str) -> Result<LoadedService, SpecErrors> {
    load_service_with_overlay(
        &file("service.yaml", SERVICE),
        &[file("Op.yaml", OP)],
        Some(&file("overlay.yaml", overlay)),
    )
}

#[test]
fn patches_keys_parameters_and_errors() {
    let loaded = load(
        "service:\n  title: Demo Service\noperations:\n  Op:\n    summary: Does it better.\n    parameters:\n      ClientToken:\n        idempotency_token: false\n        description: Not a token here.\n      Extra:\n        in: query\n        type: int32\n    errors:\n      Request.Forbidden:\n        description: Not allowed.\n      Param.NotFound:\n        message: Missing.\n",
    )
    .unwrap();
    let service = &loaded.service;
    assert_eq!(service.title, "Demo Service");
    let op = &service.operations[0];
    assert_eq!(op.summary, "Does it better.");
    assert_eq!(op.idempotency_token, None);
    let names: Vec<&str> = op.params.iter().map(|p| p.wire_name.as_str()).collect();
    assert_eq!(names, ["Id", "ClientToken", "Extra"]);
    assert_eq!(
        op.params[1].docs.description.as_deref(),
        Some("Not a token here.")
    );
    assert_eq!(op.errors.len(), 2);
    assert_eq!(op.errors[0].description.as_deref(), Some("Not allowed."));
    assert_eq!(op.errors[0].http_status, Some(403));
    assert_eq!(op.errors[1].code, "Param.NotFound");
    assert_eq!(op.errors[1].http_status, None);
}

#[test]
fn null_removes_and_lists_replace() {
    let loaded = load(
        "operations:\n  Op:\n    errors:\n      Request.Forbidden: null\n    methods: [get]\n",
    )
    .unwrap();
    let op = &loaded.service.operations[0];
    assert!(op.errors.is_empty());
    assert_eq!(op.method, acs_spec::model::HttpMethod::Get);
}

#[test]
fn errors_in_patched_values_point_into_the_overlay() {
    let error = load("operations:\n  Op:\n    parameters:\n      Id:\n        type: strng\n")
        .unwrap_err()
        .to_string();
    assert!(
        error
            .starts_with("specs/demo/2020-01-01/overlay.yaml:5:15: error: at `parameters[0].type`"),
        "{error}"
    );
}

#[test]
fn the_overlay_outline_is_checked_with_positions() {
    let error = load("operations:\n  Nope:\n    summary: x\nextra: 1\n")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("specs/demo/2020-01-01/overlay.yaml:2:3: error: at `operations.Nope`: the overlay patches operation `Nope`, which has no spec file in this folder\n"),
        "{error}"
    );
    assert!(
        error.contains("overlay.yaml:4:1: error: at `extra`: unknown key `extra`"),
        "{error}"
    );
    let error = load("operations:\n  op:\n    summary: x\n")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("the overlay patches operation `op`, which has no spec file in this folder (did you mean `Op`?)"),
        "{error}"
    );
    let error = load("operations:\n  Op:\n    errors:\n      Missing.Code: null\n")
        .unwrap_err()
        .to_string();
    assert!(error.contains("overlay.yaml:4:21: error"), "{error}");
    assert!(error.contains("nothing to remove"), "{error}");
}

#[test]
fn load_service_dir_applies_the_overlay_and_does_not_load_it_as_an_operation() {
    let dir = std::env::temp_dir().join(format!("acs-spec-overlay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("service.yaml"), SERVICE).unwrap();
    std::fs::write(dir.join("Op.yaml"), OP).unwrap();
    std::fs::write(
        dir.join("overlay.yaml"),
        "operations:\n  Op:\n    summary: Patched.\n",
    )
    .unwrap();
    let loaded = acs_spec::load_service_dir(&dir).unwrap();
    assert_eq!(loaded.service.operations.len(), 1);
    assert_eq!(loaded.service.operations[0].summary, "Patched.");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn problems_the_lowering_finds_in_patched_values_point_into_the_overlay() {
    let error =
        load("operations:\n  Op:\n    parameters:\n      ClientToken:\n        required: true\n")
            .unwrap_err()
            .to_string();
    // The token's `idempotency_token: true` comes from Op.yaml; the conflicting `required`
    // from the overlay: the error is reported where the lowering looks, `idempotency_token`,
    // which is Op.yaml's.
    assert!(
        error.starts_with(
            "specs/demo/2020-01-01/Op.yaml:12:24: error: at `parameters[1].idempotency_token`"
        ),
        "{error}"
    );
    let error = load("operations:\n  Op:\n    parameters:\n      Id:\n        type: array\n")
        .unwrap_err()
        .to_string();
    // Reported at the parameter, which Op.yaml has; the message names the overlay's change.
    assert!(
        error.starts_with("specs/demo/2020-01-01/Op.yaml:5:5: error: at `parameters[0]`: type `array` needs `items` to say what it holds (`operations.Op.parameters.Id.type` is set by specs/demo/2020-01-01/overlay.yaml:5:9)"),
        "{error}"
    );
    let error = load("operations:\n  Op:\n    parameters:\n      Extra:\n        in: path\n        type: string\n        required: true\n")
        .unwrap_err()
        .to_string();
    // A whole new parameter comes from the overlay: its problems point there.
    assert!(
        error.contains("specs/demo/2020-01-01/overlay.yaml:5:13: error: at `parameters[2].in`: path parameter `Extra` does not appear in the path"),
        "{error}"
    );
}

/// The overlay's patches of `Op` applied to an operation file that is not a mapping.
fn load_broken_op(op: &str) -> String {
    load_service_with_overlay(
        &file("service.yaml", SERVICE),
        &[file("Op.yaml", op)],
        Some(&file(
            "overlay.yaml",
            "operations:\n  Op:\n    summary: Patched.\n",
        )),
    )
    .unwrap_err()
    .to_string()
}

#[test]
fn an_operation_file_that_is_not_a_mapping_is_reported_there_not_in_the_overlay() {
    // Before, the patch turned the document into a mapping of its own keys, and the keys the
    // file lacked were reported at the overlay's `Op:`.
    for (what, op) in [
        ("empty", ""),
        ("comment only", "# nothing yet\n"),
        ("list", "- name: Op\n- summary: Does it.\n"),
        ("scalar", "\n\nOp\n"),
    ] {
        let report = load_broken_op(op);
        assert!(!report.contains("overlay.yaml"), "{what}: {report}");
        insta::assert_snapshot!(format!("not_a_mapping_{}", what.replace(' ', "_")), report);
    }
}

#[test]
fn the_overlay_follows_the_text_rules_of_every_spec_file() {
    // Found by the random specs: a NUL in the overlay was read past (some readers stop
    // there), and a byte-order mark was not dropped.
    let error = load("service:\n  title: A\0B\n").unwrap_err().to_string();
    assert!(
        error.contains("overlay.yaml:2:11: error: holds a NUL byte"),
        "{error}"
    );
    let loaded = load("\u{feff}service:\n  title: Patched\n").expect("a BOM is dropped");
    assert_eq!(loaded.service.title, "Patched");
}
