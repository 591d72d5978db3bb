//! `lower_models`: the checks of `load_service` on models that were never text (what the
//! importer builds), with each operation's findings apart.

use std::path::{Path, PathBuf};

use acs_spec::model::{OperationSpec, ServiceSpec};
use acs_spec::{Diagnostic, SpecFile, load_service, lower_models};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model<T: serde::de::DeserializeOwned>(file: &SpecFile) -> T {
    let document = acs_spec::source::parse_document(&file.path, &file.text).unwrap();
    serde_json::from_value(document.value).unwrap()
}

/// Without the line and column, which a model does not have, and the folder.
fn without_position(diagnostics: &[Diagnostic]) -> Vec<(String, String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            let file = d.file.file_name().unwrap().to_string_lossy().into_owned();
            (file, d.field_path.clone(), d.message.clone())
        })
        .collect()
}

/// Every committed spec folder without an overlay (which applies to text) lowers from its
/// models to the IR its files load to, with the same warnings.
#[test]
fn models_lower_as_their_files_load() {
    for folder in ["specs/dbs/2021-01-01", "specs/cs/2015-12-15"] {
        let dir = workspace().join(folder);
        assert!(!dir.join(acs_spec::OVERLAY_FILE).exists(), "{folder}");
        let mut operations = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() != acs_spec::SERVICE_FILE {
                operations.push(acs_spec::read_spec_file(&path).unwrap());
            }
        }
        operations.sort_by(|a, b| a.path.cmp(&b.path));
        let service = acs_spec::read_spec_file(&dir.join(acs_spec::SERVICE_FILE)).unwrap();
        let loaded = load_service(&service, &operations).unwrap();

        let service_model: ServiceSpec = model(&service);
        let operation_models: Vec<OperationSpec> = operations.iter().map(model).collect();
        let lowered = lower_models(&service_model, &operation_models)
            .into_result()
            .unwrap();
        assert_eq!(lowered.service, loaded.service, "{folder}");
        assert_eq!(
            without_position(&lowered.warnings),
            without_position(&loaded.warnings),
            "{folder}"
        );
    }
}

fn operation(name: &str, parameters: &str) -> OperationSpec {
    let text = format!("name: {name}\nsummary: Does it.\nmethods: [post]\n{parameters}");
    model(&SpecFile {
        path: PathBuf::from(format!("{name}.yaml")),
        text,
    })
}

/// Errors and warnings come back by operation, naming the file the operation is written to;
/// an operation with an error does not taint the others.
#[test]
fn findings_are_kept_per_operation() {
    let service: ServiceSpec = model(&SpecFile {
        path: PathBuf::from("service.yaml"),
        text: "product: demo\ntitle: Demo\napi_version: \"2020-01-01\"\nstyle: rpc\n".into(),
    });
    let good = operation("Good", "");
    let bad = operation(
        "Bad",
        "parameters:\n  - name: Id\n    in: path\n    type: string\n",
    );
    let lowered = lower_models(&service, &[good, bad]);
    assert!(lowered.service_diagnostics.is_empty());
    assert!(!lowered.operation_has_errors("Good"));
    assert!(lowered.operation_has_errors("Bad"));
    let found = &lowered.operation_diagnostics["Bad"];
    assert!(
        found
            .iter()
            .all(|d| d.file == Path::new("Bad.yaml") && d.location.is_none()),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d.field_path.starts_with("parameters[0]")),
        "{found:?}"
    );
    assert!(lowered.into_result().is_err());
}
