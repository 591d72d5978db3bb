//! The catalogue slice (`tests/fixtures/catalogue`, real metadata of every style) through
//! `cargo xtask catalogue`'s import and generation, then on the wire: for every version that
//! generates, one signed operation is called with the metadata's example values against the
//! signature-checking loopback server, from a program that depends on the generated crates
//! only, and the server checks the signature and the parameters it received.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use acs_spec::ir::{Encoding, Field, Operation, Placement, ResponseShape, Service, TypeRef};
use acs_test_server::{Recorded, Reply, TestServer, Verdict};
use xtask::catalogue::{Options, Report};

const AK_ID: &str = "catalogueKeyId";
const AK_SECRET: &str = "catalogueKeySecret";

fn slice() -> PathBuf {
    xtask::workspace_root().join("tests/fixtures/catalogue/en_us")
}

fn run_slice(out: &Path) -> Report {
    let options = Options {
        metadata: slice(),
        out: out.to_path_buf(),
        jobs: 2,
        only: None,
        skip_check: true,
    };
    xtask::catalogue::run(&xtask::workspace_root(), &options)
        .unwrap_or_else(|failure| panic!("{failure:?}"))
}

fn refused<'a>(report: &'a Report, product: &str) -> Vec<(&'a str, &'a str)> {
    report
        .versions
        .iter()
        .filter(|v| v.product == product)
        .flat_map(|v| &v.refused)
        .map(|r| (r.operation.as_str(), r.reason.as_str()))
        .collect()
}

/// One parameter set on the call, and how it should arrive.
struct Sent {
    field: Field,
    wire_text: String,
    rust: String,
}

/// The value of a parameter from its example (or a stand-in when it is required and has
/// none): its Rust expression and its wire text. `None` for values the program cannot write
/// from text (lists, objects).
fn value(field: &Field) -> Option<(String, String)> {
    let example = field.docs.example.as_deref().map(str::trim);
    match &field.ty {
        TypeRef::String | TypeRef::Named { .. } => {
            let text = example
                .filter(|e| !e.is_empty() && !e.contains(['\r', '\n']))
                .map(str::to_owned)
                .or_else(|| field.required.then(|| "example".to_owned()))?;
            Some((format!("{text:?}"), text))
        }
        TypeRef::Int32 | TypeRef::Int64 => {
            let parsed = example.and_then(|e| e.parse::<i32>().ok());
            let number = parsed.or_else(|| field.required.then_some(1))?;
            let suffix = if field.ty == TypeRef::Int32 {
                "i32"
            } else {
                "i64"
            };
            Some((format!("{number}{suffix}"), number.to_string()))
        }
        TypeRef::Boolean => {
            let flag = match example {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => field.required.then_some(true),
            }?;
            Some((flag.to_string(), flag.to_string()))
        }
        _ => None,
    }
}

/// The first operation (by name) the program can call: answering an object or text, every
/// required parameter a scalar; a signed one when the version has one.
fn pick(service: &Service) -> Option<(&Operation, Vec<Sent>)> {
    let signed_first = service
        .operations
        .iter()
        .filter(|op| !op.anonymous)
        .chain(service.operations.iter().filter(|op| op.anonymous));
    signed_first.into_iter().find_map(|op| {
        if matches!(op.response_shape, ResponseShape::Value(_)) {
            return None;
        }
        let mut sent = Vec::new();
        for field in &op.params {
            match value(field) {
                Some((rust, wire_text)) => sent.push(Sent {
                    field: field.clone(),
                    wire_text,
                    rust,
                }),
                None if field.required => return None,
                None => {}
            }
        }
        Some((op, sent))
    })
}

fn crate_ident(package: &str) -> String {
    package.replace('-', "_")
}

/// `wire/`: a program depending on the generated crates only (and tokio), calling each picked
/// operation against the endpoint in `WIRE_ENDPOINT`.
fn write_program(dir: &Path, out: &Path, calls: &[(String, &Operation, &[Sent])]) {
    let mut manifest = String::from(
        "[package]\nname = \"wire\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt\"] }\n",
    );
    let mut main = String::from(
        "#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {\n    let endpoint = std::env::var(\"WIRE_ENDPOINT\").expect(\"WIRE_ENDPOINT\");\n",
    );
    for (package, op, sent) in calls {
        let _ = writeln!(
            manifest,
            "{package} = {{ path = {:?} }}",
            out.join("crates").join(package).display().to_string()
        );
        let krate = crate_ident(package);
        let method = &op.names.snake;
        let mut chain = String::new();
        for param in *sent {
            let _ = write!(
                chain,
                "\n            .{}({})",
                param.field.ident, param.rust
            );
        }
        let _ = write!(
            main,
            r#"    {{
        let config = {krate}::Config::new("cn-hangzhou")
            .with_endpoint(&endpoint)
            .with_credentials({krate}::Credentials::new({AK_ID:?}, {AK_SECRET:?}));
        let client = {krate}::Client::new(&config).expect("client");
        let result = client
            .{method}(){chain}
            .send()
            .await;
        if let Err(error) = result {{
            eprintln!("{package} {name}: {{error}}");
            std::process::exit(1);
        }}
    }}
"#,
            name = op.name,
        );
    }
    main.push_str("}\n");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    // Start from the versions the project tests.
    std::fs::copy(
        xtask::workspace_root().join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Checks that `request` carries `param` where its placement says.
fn arrived(request: &Recorded, param: &Sent) -> Result<(), String> {
    let wire = &param.field.wire_name;
    let text = &param.wire_text;
    let found = match param.field.placement {
        Some(Placement::Query(Encoding::Flatten | Encoding::Json | Encoding::Join)) => {
            request.query.iter().any(|(k, v)| k == wire && v == text)
        }
        Some(Placement::Form(_)) => form_pairs(&request.body)
            .iter()
            .any(|(k, v)| k == wire && v == text),
        Some(Placement::Header(_)) => request.header(wire) == Some(text.as_str()),
        Some(Placement::Path) => request
            .path
            .contains(&acs_runtime::encoding::percent_encode(text)),
        Some(Placement::JsonMember | Placement::JsonBody) => {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let member = &body[wire.as_str()];
            member.as_str() == Some(text.as_str())
                || serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .as_ref()
                    == Some(member)
        }
        Some(Placement::Host) => request
            .header("host")
            .is_some_and(|host| host.starts_with(&format!("{text}."))),
        Some(Placement::BinaryBody | Placement::XmlBody | Placement::LogGroupBody) | None => true,
    };
    if found {
        Ok(())
    } else {
        Err(format!(
            "`{wire}` = `{text}` did not arrive as {:?}",
            param.field.placement
        ))
    }
}

#[tokio::test]
async fn the_catalogue_slice_generates_and_one_operation_per_version_works_on_the_wire() {
    let scratch = std::env::temp_dir().join(format!("acs-catalogue-slice-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let out = scratch.join("catalogue");
    let report = run_slice(&out);

    // What the slice holds, and what must be refused by name.
    assert_eq!(report.totals.versions, 13);
    assert_eq!(
        refused(&report, "aligenie").len(),
        17,
        "AliGenie is refused whole"
    );
    assert!(
        refused(&report, "aligenie")
            .iter()
            .all(|(_, r)| *r == "style")
    );
    assert_eq!(
        refused(&report, "fc-open"),
        vec![("ListFunctionAsyncInvokeConfigs", "host-parameter")]
    );
    assert!(
        refused(&report, "trafficfxopen")
            .iter()
            .all(|(_, reason)| *reason == "auth"),
        "{:?}",
        refused(&report, "trafficfxopen")
    );
    assert!(
        refused(&report, "cloudcontrol")
            .iter()
            .all(|(_, r)| *r == "path")
    );
    for product in [
        "dbs",
        "nlp-automl",
        "appstream-center",
        "sts",
        "aicontent",
        "cloudphone",
        "acm",
        "tingwu",
        "farui",
    ] {
        assert!(
            refused(&report, product).is_empty(),
            "{product}: {:?}",
            refused(&report, product)
        );
    }
    let packages: Vec<&str> = report
        .versions
        .iter()
        .filter_map(|v| v.package.as_deref())
        .collect();
    for expected in [
        "acs-nlp-automl20190701",
        "acs-aicontent20240611",
        "acs-fc-open20210406",
    ] {
        assert!(packages.contains(&expected), "{packages:?}");
    }

    // One call per generated version.
    let mut services = Vec::new();
    for version in report.versions.iter().filter(|v| v.package.is_some()) {
        let specs = out
            .join("specs")
            .join(&version.product)
            .join(&version.version);
        let loaded = acs_spec::load_service_dir(&specs).unwrap_or_else(|e| panic!("{e}"));
        services.push(loaded.service);
    }
    let picked: Vec<(String, &Operation, Vec<Sent>)> = services
        .iter()
        .map(|service| {
            let (op, sent) = pick(service)
                .unwrap_or_else(|| panic!("{}: no operation to call", service.package_name));
            (service.package_name.clone(), op, sent)
        })
        .collect();
    let calls: Vec<(String, &Operation, &[Sent])> = picked
        .iter()
        .map(|(package, op, sent)| (package.clone(), *op, sent.as_slice()))
        .collect();
    for (package, op, sent) in &calls {
        let names: Vec<&str> = sent.iter().map(|p| p.field.wire_name.as_str()).collect();
        eprintln!("calling {package} {} with {}", op.name, names.join(", "));
    }
    let program = scratch.join("wire");
    write_program(&program, &out, &calls);
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| xtask::workspace_root().join("target"));
    let status = std::process::Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(program.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "the program over the generated crates builds"
    );

    let server = TestServer::start_with(|_| Reply::json(200, "{}")).await;
    server.accept_key(AK_ID, AK_SECRET, None);
    server.accept_unsigned();
    let output = tokio::process::Command::new(target.join("debug/wire"))
        .env("WIRE_ENDPOINT", server.url())
        .output()
        .await
        .expect("the program runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let requests = server.requests();
    assert_eq!(requests.len(), calls.len(), "one request per call");
    let mut problems = BTreeMap::new();
    for ((package, op, sent), request) in calls.iter().zip(&requests) {
        let mut found = Vec::new();
        let signed_as_expected = match request.verdict {
            Verdict::V3 { .. } => !op.anonymous,
            Verdict::Unsigned => op.anonymous,
            _ => false,
        };
        if !signed_as_expected {
            found.push(format!(
                "anonymous: {}, signature: {:?}",
                op.anonymous, request.verdict
            ));
        }
        if request.header("x-acs-action") != Some(op.name.as_str()) {
            found.push(format!(
                "x-acs-action is {:?}",
                request.header("x-acs-action")
            ));
        }
        for param in *sent {
            if let Err(problem) = arrived(request, param) {
                found.push(problem);
            }
        }
        if !found.is_empty() {
            problems.insert(format!("{package} {}", op.name), found);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    let _ = std::fs::remove_dir_all(&scratch);
}
