//! Every class of spec error is reported with file, line:column and field path, all at once,
//! never as a panic. Snapshots: `cargo insta review`.

use std::path::PathBuf;

use acs_spec::{LoadedService, SpecErrors, SpecFile, load_service};

const SERVICE: &str = "product: demo\ntitle: Demo\napi_version: \"2020-01-01\"\nstyle: rpc\nendpoints:\n  - region: cn-hangzhou\n    public: demo.cn-hangzhou.aliyuncs.com\n";

fn file(name: &str, text: &str) -> SpecFile {
    SpecFile {
        path: PathBuf::from(format!("specs/demo/2020-01-01/{name}")),
        text: text.to_owned(),
    }
}

fn load(operation: &str) -> Result<LoadedService, SpecErrors> {
    load_service(
        &file("service.yaml", SERVICE),
        &[file("Op.yaml", operation)],
    )
}

fn errors(operation: &str) -> String {
    load(operation)
        .expect_err("the spec has errors")
        .to_string()
}

const VALID: &str = "name: Op\nsummary: Does it.\nmethods: [post]\nparameters:\n  - name: Id\n    in: query\n    type: string\n    required: true\n";

#[test]
fn the_valid_base_spec_loads() {
    let loaded = load(VALID).expect("valid");
    assert_eq!(loaded.service.operations[0].params[0].ident, "id");
    assert!(loaded.warnings.is_empty());
}

#[test]
fn bad_indentation() {
    let text =
        "name: Op\nsummary: Does it.\nmethods: [post]\nparameters:\n  - name: Id\n   in: query\n";
    insta::assert_snapshot!(errors(text));
}

#[test]
fn unknown_key_missing_type_and_bad_value_all_at_once() {
    let text = "name: Op\nsummary: Does it.\nmethods: [post]\nretries: 3\nparameters:\n  - name: Id\n    in: query\n    required: true\n  - name: Size\n    in: querry\n    type: int32\n    requird: true\n";
    let report = errors(text);
    assert_eq!(report.matches(": error: ").count(), 4, "{report}");
    insta::assert_snapshot!(report);
}

#[test]
fn names_colliding_after_case_conversion() {
    let text = "name: Op\nsummary: Does it.\nmethods: [post]\nparameters:\n  - name: BackupPlanId\n    in: query\n    type: string\n  - name: backup_plan_id\n    in: query\n    type: string\nerrors:\n  - code: Bad.Thing\n  - code: BadThing\n";
    insta::assert_snapshot!(errors(text));
}

#[test]
fn semantic_errors_across_files_are_reported_together() {
    let service = "product: Demo!\ntitle: Demo\napi_version: \"2020-1-1\"\nstyle: rpc\n";
    let op = "name: Other\nsummary: Does it.\nmethods: []\nparameters:\n  - name: Tags\n    in: query\n    type: array\n  - name: Mode\n    in: query\n    type: enum\n    values: [{value: a-b}, {value: A_B}]\n  - name: Token\n    in: query\n    type: int32\n    idempotency_token: true\n";
    let report = load_service(&file("service.yaml", service), &[file("Op.yaml", op)])
        .expect_err("errors")
        .to_string();
    insta::assert_snapshot!(report);
}

#[test]
fn syntax_and_duplicate_keys() {
    insta::assert_snapshot!(errors("name: Op\nname: Op\n"));
    insta::assert_snapshot!("json_syntax", errors("{\"name\": \"Op\",,}"));
}

#[test]
fn keywords_and_awkward_names_are_made_safe() {
    let text = "name: Op\nsummary: \"Ends a comment */ with \\\"quotes\\\" and <b>html</b>\"\nmethods: [post]\nparameters:\n  - name: type\n    in: query\n    type: string\n  - name: Self\n    in: query\n    type: string\n  - name: build\n    in: query\n    type: string\n  - name: 3DES\n    in: query\n    type: boolean\n";
    let loaded = load(text).expect("awkward names are valid");
    let idents: Vec<&str> = loaded.service.operations[0]
        .params
        .iter()
        .map(|p| p.ident.as_str())
        .collect();
    assert_eq!(idents, ["r#type", "self_", "build_", "n_3des"]);
}

#[test]
fn arn_placeholders_naming_no_parameter_become_wildcards_with_a_note() {
    let text = format!(
        "{VALID}ram:\n  action: demo:Op\n  access_level: get\n  resources:\n    - type: Thing\n      arn: \"acs:demo:{{#regionId}}:{{#accountId}}:thing/{{#ThingId}}/{{#Id}}\"\n"
    );
    let loaded = load(&text).expect("a note is not an error");
    let resource = &loaded.service.operations[0].ram.as_ref().unwrap().resources[0];
    assert_eq!(resource.wildcard_arn(), "acs:demo:*:*:thing/*/*");
    assert_eq!(
        resource.parts.last(),
        Some(&acs_spec::ir::ArnPart::Param {
            index: 0,
            placeholder: "Id".to_owned()
        })
    );
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(warnings.join("\n"));
}

#[test]
fn json_specs_load_like_yaml() {
    let json = r#"{"name": "Op", "summary": "Does it.", "methods": ["post"],
        "parameters": [{"name": "Id", "in": "query", "type": "string", "required": true}]}"#;
    let from_json =
        load_service(&file("service.yaml", SERVICE), &[file("Op.json", json)]).expect("valid JSON");
    assert_eq!(from_json.service, load(VALID).expect("valid YAML").service);
    let broken = load_service(
        &file("service.yaml", SERVICE),
        &[file(
            "Op.json",
            r#"{"name": "Op", "summary": 1, "methods": ["post"]}"#,
        )],
    )
    .expect_err("summary must be a string")
    .to_string();
    assert_eq!(
        broken.lines().next(),
        Some(
            "specs/demo/2020-01-01/Op.json:1:27: error: at `summary`: expected a string, found a number (1)"
        )
    );
}

#[test]
fn operation_names_the_generated_crate_uses_itself_are_errors() {
    for (name, taken) in [
        ("New", "the client's own method `Client::new`"),
        ("Runtime", "the client's own method `Client::runtime`"),
        ("All", "the whole-service policy `policies/all.json`"),
        ("Default", "the crate's own Cargo feature `default`"),
        ("TestUtil", "the crate's own Cargo feature `test-util`"),
        ("Mod", "the module index `operation/mod.rs`"),
        ("Rt", "the runtime's alias `rt` in the client module"),
    ] {
        let text = VALID.replace("name: Op", &format!("name: {name}"));
        let report = load_service(
            &file("service.yaml", SERVICE),
            &[file(&format!("{name}.yaml"), &text)],
        )
        .expect_err("reserved")
        .to_string();
        assert!(
            report.contains(&format!(
                "the operation name `{name}` is taken by {taken} in the generated crate"
            )),
            "{report}"
        );
    }
}

/// What a response body that is not an object can say, and what it cannot.
#[test]
fn response_bodies_other_than_objects() {
    use acs_spec::ir::{ResponseShape, TypeRef};
    let shape = |body: &str| {
        let text = format!("{VALID}response_body:\n{body}");
        load(&text).expect("valid").service.operations[0]
            .response_shape
            .clone()
    };
    assert_eq!(shape("  format: text\n"), ResponseShape::Text);
    assert_eq!(shape("  format: binary\n"), ResponseShape::Binary);
    assert_eq!(
        shape("  type: array\n  items:\n    type: int64\n"),
        ResponseShape::Value(TypeRef::List(Box::new(TypeRef::Int64)))
    );
    let report = errors(&format!(
        "{VALID}response:\n  - name: A\n    type: string\nresponse_body:\n  format: text\n  type: string\n"
    ));
    insta::assert_snapshot!(report);
}

/// A `binary` parameter is the whole body, so it can be only that.
#[test]
fn binary_parameters_are_whole_bodies() {
    let ok = "name: Op\nsummary: Does it.\nmethods: [post]\nparameters:\n  - name: body\n    in: body\n    type: binary\n  - name: Mode\n    in: query\n    type: string\n";
    let loaded = load(ok).expect("valid");
    assert_eq!(
        loaded.service.operations[0].params[0].placement,
        Some(acs_spec::ir::Placement::BinaryBody)
    );
    let bad = "name: Op\nsummary: Does it.\nmethods: [post]\nparameters:\n  - name: body\n    in: query\n    type: binary\n  - name: Items\n    in: query\n    type: array\n    items:\n      type: binary\n";
    insta::assert_snapshot!(errors(bad));
}

/// Paths keep the characters Alibaba's templates use (`:verb`, a fixed `?query`) and refuse
/// those that would change what is requested.
#[test]
fn path_templates() {
    let roa = |path: &str| {
        let service = SERVICE.replace("style: rpc", "style: roa");
        let op = format!(
            "name: Op\nsummary: Does it.\nmethods: [get]\npath: \"{path}\"\nparameters:\n  - name: Id\n    in: path\n    type: string\n    required: true\n"
        );
        load_service(&file("service.yaml", &service), &[file("Op.yaml", &op)])
    };
    for fine in ["/apps/{Id}:search", "/jobs/{Id}?jobResult", "/v1/{Id}/"] {
        assert!(roa(fine).is_ok(), "{fine}: {:?}", roa(fine).err());
    }
    let report: Vec<String> = ["/a b/{Id}", "/x/{Id", "/x/{}/{Id}", "/{Id}?a=%20"]
        .into_iter()
        .map(|path| roa(path).expect_err(path).to_string())
        .collect();
    insta::assert_snapshot!(report.join("\n"));
}

/// Dashed product codes and compact versions name their crates by one rule; a `package`
/// override must be a Cargo name.
#[test]
fn product_codes_versions_and_package_names() {
    let package = |service: &str| {
        load_service(&file("service.yaml", service), &[file("Op.yaml", VALID)])
            .map(|loaded| loaded.service.package_name)
    };
    let dashed = SERVICE
        .replace("product: demo", "product: dataworks-public")
        .replace("\"2020-01-01\"", "\"20240611\"");
    assert_eq!(package(&dashed).unwrap(), "acs-dataworks-public20240611");
    let fixture = format!("{SERVICE}package: fixture-demo20200101\n");
    assert_eq!(package(&fixture).unwrap(), "fixture-demo20200101");
    let bad = SERVICE
        .replace("product: demo", "product: -demo--x")
        .replace("\"2020-01-01\"", "\"iap_1.0\"")
        + "package: \"9 lives\"\ncrate_version: \"1.0\"\n";
    insta::assert_snapshot!(package(&bad).expect_err("errors").to_string());
}

/// A NUL byte is an error at its line (some readers stop there and drop the rest); a UTF-8
/// byte-order mark is accepted.
#[test]
fn nul_bytes_are_located_errors_and_a_bom_is_fine() {
    let report = errors("name: Op\nsummary: Does\0 it.\nmethods: [post]\n");
    assert!(
        report.contains("Op.yaml:2:14: error: holds a NUL byte (U+0000)"),
        "{report}"
    );
    assert!(load(&format!("\u{feff}{VALID}")).is_ok());
}

/// Spec files are regular files of bounded size: a pipe would block, `/dev/zero` never ends.
#[cfg(unix)]
#[test]
fn spec_files_must_be_regular_files_of_bounded_size() {
    let dir = std::env::temp_dir().join(format!("acs-spec-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("service.yaml"), SERVICE).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("Zero.yaml")).unwrap();
    std::fs::create_dir(dir.join("Folder.yaml")).unwrap();
    let fifo = dir.join("Pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let report = acs_spec::load_service_dir(&dir)
        .expect_err("the files are refused")
        .to_string();
    assert!(
        report.contains("Zero.yaml: error: is not a regular file"),
        "{report}"
    );
    assert!(
        report.contains("Folder.yaml: error: is not a regular file"),
        "{report}"
    );
    if made.is_ok_and(|s| s.success()) {
        assert!(
            report.contains("Pipe.yaml: error: is not a regular file"),
            "{report}"
        );
    }
    std::fs::remove_file(dir.join("Zero.yaml")).unwrap();
    std::fs::remove_dir(dir.join("Folder.yaml")).unwrap();
    let _ = std::fs::remove_file(&fifo);
    let big = std::fs::File::create(dir.join("Big.yaml")).unwrap();
    big.set_len(acs_spec::MAX_SPEC_FILE_BYTES + 1).unwrap();
    let report = acs_spec::load_service_dir(&dir)
        .expect_err("too big")
        .to_string();
    assert!(
        report.contains("Big.yaml: error: is larger than 16 MiB"),
        "{report}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
