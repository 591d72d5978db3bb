//! The diff's verdicts checked by the compiler: a small API in two versions is generated into
//! two crates, and callers written against the old one are compiled against both. A caller
//! touching only what the diff calls additive still compiles against the new crate; one
//! touching what it calls breaking does not. Every caller compiles against the old crate, so a
//! failure means the change, not a broken caller.

use std::collections::BTreeSet;
use std::path::Path;

use acs_diff::{Class, Options};

const SERVICE: &str = "product: demo\ntitle: Demo\napi_version: \"2020-01-01\"\nstyle: rpc\nendpoints:\n  - region: cn-hangzhou\n    public: demo.cn-hangzhou.aliyuncs.com\n";

const OLD_KEEP: &str = r#"name: Keep
summary: Keeps.
methods: [post]
parameters:
  - name: A
    in: query
    type: string
  - name: Removed
    in: query
    type: string
  - name: Opts
    in: query
    type: object
    style: flat
    fields:
      - name: X
        type: string
response:
  - name: Flag
    type: boolean
  - name: Name
    type: string
  - name: State
    type: enum
    values: [{value: "on"}, {value: "off"}]
errors:
  - code: Bad.Thing
    http_status: 400
"#;

const NEW_KEEP: &str = r#"name: Keep
summary: Keeps.
methods: [post]
parameters:
  - name: A
    in: query
    type: string
  - name: Added
    in: query
    type: string
  - name: Opts
    in: query
    type: object
    style: flat
    fields:
      - name: X
        type: string
      - name: Y
        type: string
response:
  - name: Flag
    type: int64
  - name: Name
    type: string
  - name: Extra
    type: string
  - name: State
    type: enum
    values: [{value: "on"}, {value: "idle"}]
errors:
  - code: Bad.Thing
    http_status: 400
  - code: New.Code
    http_status: 403
"#;

const GONE: &str = "name: Gone\nsummary: Goes.\nmethods: [post]\n";

/// Callers written against the old crate, and the change each one touches.
const CALLERS: &[(&str, &str)] = &[
    (
        "additive",
        r#"use demo::operation::keep::{KeepError, KeepState as State, Opts};
pub async fn call(client: &demo::Client) {
    let opts = Opts { x: Some("1".into()), ..Default::default() };
    match client.keep().a("x").opts(opts).send().await {
        Ok(response) => {
            let _name: Option<String> = response.name;
            if let Some(State::On) = response.state {}
        }
        Err(error) => match error.into_service_error() {
            Some(KeepError::BadThing(_)) => {}
            _ => {}
        },
    }
}
"#,
    ),
    (
        "parameter-removed",
        "pub async fn call(client: &demo::Client) {\n    let _ = client.keep().removed(\"x\").send().await;\n}\n",
    ),
    (
        "type-changed",
        "pub async fn call(client: &demo::Client) {\n    if let Ok(response) = client.keep().send().await {\n        let _flag: Option<bool> = response.flag;\n    }\n}\n",
    ),
    (
        "enum-value-removed",
        "use demo::operation::keep::KeepState as State;\npub async fn call(client: &demo::Client) {\n    if let Ok(response) = client.keep().send().await {\n        let _off = matches!(response.state, Some(State::Off));\n    }\n}\n",
    ),
    (
        "operation-removed",
        "pub async fn call(client: &demo::Client) {\n    let _ = client.gone().send().await;\n}\n",
    ),
];

fn load(package: &str, keep: &str, gone: bool) -> acs_spec::ir::Service {
    let file = |name: &str, text: &str| acs_spec::SpecFile {
        path: format!("specs/demo/2020-01-01/{name}").into(),
        text: text.to_owned(),
    };
    let mut operations = vec![file("Keep.yaml", keep)];
    if gone {
        operations.push(file("Gone.yaml", GONE));
    }
    let service = format!("{SERVICE}package: {package}\n");
    acs_spec::load_service(&file("service.yaml", &service), &operations)
        .unwrap_or_else(|e| panic!("{e}"))
        .service
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn callers_of_the_old_crate_compile_against_the_new_one_exactly_when_nothing_breaks() {
    let old = load("verdict-old", OLD_KEEP, true);
    let new = load("verdict-new", NEW_KEEP, false);
    let report = acs_diff::diff(&old, &new, &Options::default());
    let class_of = |kind: &str| {
        report
            .changes
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| c.class)
            .unwrap_or_else(|| panic!("no {kind} in\n{}", report.to_markdown()))
    };
    for kind in [
        "parameter-removed",
        "type-changed",
        "enum-value-removed",
        "operation-removed",
    ] {
        assert_eq!(class_of(kind), Class::Breaking, "{kind}");
    }
    for kind in [
        "parameter-added",
        "response-field-added",
        "error-added",
        "enum-value-added",
    ] {
        assert_eq!(class_of(kind), Class::Additive, "{kind}");
    }

    let root = xtask::workspace_root();
    let scratch = std::env::temp_dir().join(format!("acs-diff-compiles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for service in [&old, &new] {
        for file in acs_codegen::generate_service(service, "specs/demo/2020-01-01") {
            write(
                &scratch
                    .join("crates")
                    .join(&service.package_name)
                    .join(&file.path),
                &file.contents,
            );
        }
    }
    for (name, code) in CALLERS {
        for (side, package) in [("old", "verdict-old"), ("new", "verdict-new")] {
            let dir = scratch.join("callers").join(format!("{side}-{name}"));
            write(
                &dir.join("Cargo.toml"),
                &format!(
                    "[package]\nname = \"{side}-{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\ndemo = {{ package = \"{package}\", path = \"../../crates/{package}\" }}\n"
                ),
            );
            write(&dir.join("src/lib.rs"), code);
        }
    }
    let ours = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let lints: String = ours
        .split("\n[")
        .filter(|section| {
            section.starts_with("workspace.lints") || section.starts_with("workspace.package")
        })
        .map(|section| format!("\n[{section}\n"))
        .collect();
    write(
        &scratch.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\", \"callers/*\"]\n{lints}\n[workspace.dependencies]\nacs-runtime = {{ version = \"0.1.0\", path = {:?} }}\n",
            root.join("crates/acs-runtime").to_string_lossy()
        ),
    );
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let output = std::process::Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", &target)
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format",
            "json",
            "--quiet",
        ])
        .output()
        .expect("cargo runs");
    let failed: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-message" && m["message"]["level"] == "error")
        .filter_map(|m| m["target"]["name"].as_str().map(str::to_owned))
        .collect();
    let expected: BTreeSet<String> = CALLERS
        .iter()
        .filter(|(name, _)| *name != "additive")
        .map(|(name, _)| format!("new_{}", name.replace('-', "_")))
        .collect();
    // The crates themselves compile.
    assert!(
        !failed.iter().any(|f| f.starts_with("verdict")),
        "{failed:?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        failed,
        expected,
        "only callers of breaking changes fail, and only against the new crate\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
