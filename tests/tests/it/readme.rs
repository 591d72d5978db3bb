//! The README's programs, taken from README.md as written: its `toml` block as the
//! dependencies of a fresh crate (edition 2021) outside this workspace, its first `rust` block
//! as `src/main.rs`, and its paginator example as the body of a second program. They must build
//! with nothing but those dependencies, and run against the signature-checking loopback server,
//! with region, endpoint and credentials from the environment: the first starts the plan named
//! on its command line; the second lists every plan of a server paging as DBS documents.

use std::path::{Path, PathBuf};

use acs_test_server::{Reply, TestServer, Verdict};

/// The first block fenced as exactly `lang` in the README.
fn block(readme: &str, lang: &str) -> String {
    let fence = format!("```{lang}\n");
    let start = readme
        .find(&fence)
        .unwrap_or_else(|| panic!("the README has a ```{lang} block"))
        + fence.len();
    let end = readme[start..].find("\n```").expect("the block ends") + start;
    readme[start..end].to_owned()
}

/// The first block fenced as exactly `lang` after the line `heading`.
fn block_after(readme: &str, heading: &str, lang: &str) -> String {
    let at = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has a `{heading}` section"));
    block(&readme[at..], lang)
}

/// The README's paginator example, in a program whose client is made as the first program's.
fn paginator_program(example: &str) -> String {
    let body: String = example
        .lines()
        .map(|line| format!("    {line}\n"))
        .collect();
    format!(
        "use acs_dbs20190306::prelude::*;\n\n#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {{\n    let client = Client::new(&Config::from_env()?)?;\n{body}    Ok(())\n}}\n"
    )
}

/// The README's other examples (its `rust,ignore` blocks, fragments of a program), each as
/// the body of a function given a `client`, in one test file of the project.
fn snippets_file(readme: &str) -> String {
    let fence = "```rust,ignore\n";
    let mut file = String::from(
        "//! The README's fragments: they must compile as written.\n#![allow(unused)]\n\nuse acs_dbs20190306::prelude::*;\n",
    );
    for (index, (at, _)) in readme.match_indices(fence).enumerate() {
        let start = at + fence.len();
        let end = readme[start..].find("\n```").expect("the block ends") + start;
        let body: String = readme[start..end]
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect();
        file.push_str(&format!(
            "\nasync fn snippet_{index}(client: Client) -> Result<(), Box<dyn std::error::Error>> {{\n{body}    Ok(())\n}}\n"
        ));
    }
    file
}

/// This package's own OpenTelemetry and tracing dependency lines, for the README's tracing
/// fragment: the versions and features `tests/tests/it/otel.rs` is checked with.
fn otel_dependencies(root: &Path) -> String {
    let manifest = std::fs::read_to_string(root.join("tests/Cargo.toml")).unwrap();
    let lines: Vec<&str> = manifest
        .lines()
        .filter(|line| {
            [
                "opentelemetry",
                "opentelemetry_sdk",
                "tracing-opentelemetry",
                "tracing-subscriber",
                "tracing",
            ]
            .iter()
            .any(|name| line.starts_with(&format!("{name} = ")))
        })
        .collect();
    assert_eq!(
        lines.len(),
        5,
        "tests/Cargo.toml names the tracing crates: {lines:?}"
    );
    lines.join("\n")
}

/// DBS `DescribeBackupPlanList` as DBS documents it: pages counted from 0 (`PageNum`, echoed
/// back), two plans a page whatever the page size asked, five plans in all.
fn dbs_pages(request: &acs_test_server::Recorded) -> Reply {
    let page: usize = request.param("PageNum").map_or(0, |n| n.parse().unwrap());
    let ids: Vec<String> = ["p1", "p2", "p3", "p4", "p5"]
        .iter()
        .skip(page * 2)
        .take(2)
        .map(|id| format!(r#"{{"BackupPlanId": "{id}"}}"#))
        .collect();
    Reply::json(
        200,
        &format!(
            r#"{{"RequestId": "R{page}", "PageNum": {page}, "TotalPages": 3, "TotalElements": 5, "Items": {{"BackupPlanDetail": [{}]}}}}"#,
            ids.join(",")
        ),
    )
}

/// Runs `program` (with `args`) with nothing in its environment but a home, the region,
/// credentials the server accepts and the server as `ALIBABA_CLOUD_ENDPOINT_DBS`; its standard
/// output.
async fn run(program: &Path, args: &[&str], home: &Path, server: &TestServer) -> String {
    server.accept_key("readmeKeyId", "readmeKeySecret", None);
    let output = tokio::process::Command::new(program)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou")
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "readmeKeyId")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "readmeKeySecret")
        .env("ALIBABA_CLOUD_ENDPOINT_DBS", server.url())
        .output()
        .await
        .expect("the program runs");
    assert!(
        output.status.success(),
        "{}: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_readme_programs_build_outside_the_workspace_and_run() {
    let root = xtask::workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dependencies = block(&readme, "toml");
    let program = block(&readme, "rust");
    assert!(
        dependencies.starts_with("[dependencies]\n"),
        "{dependencies}"
    );
    let acs_crates: Vec<&str> = dependencies
        .lines()
        .filter(|line| line.starts_with("acs-"))
        .collect();
    assert_eq!(acs_crates.len(), 1, "one acs- crate: {acs_crates:?}");
    assert!(acs_crates[0].starts_with("acs-dbs20190306 "));

    let project = std::env::temp_dir().join(format!("acs-first-program-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(project.join("src")).unwrap();
    // The README's path assumes the repository beside the project; here it is where it is.
    let dependencies = dependencies.replace(
        "../acs-rust/crates/acs-dbs20190306",
        &root.join("crates/acs-dbs20190306").to_string_lossy(),
    );
    // The mock client is test support: the fragments' test file has it, the programs do not;
    // so are the OpenTelemetry crates of the tracing fragment (as this package has them).
    let mock = format!(
        "acs-dbs20190306 = {{ path = {:?}, features = [\"test-util\"] }}\n{}",
        root.join("crates/acs-dbs20190306").to_string_lossy(),
        otel_dependencies(&root),
    );
    std::fs::write(
        project.join("Cargo.toml"),
        format!(
            "[package]\nname = \"start-backup-plan\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n{dependencies}\n\n[dev-dependencies]\n{mock}\n"
        ),
    )
    .unwrap();
    std::fs::write(project.join("src/main.rs"), &program).unwrap();
    let example = block_after(&readme, "### Paginators", "rust");
    assert!(example.contains(".into_paginator()"), "{example}");
    std::fs::create_dir_all(project.join("src/bin")).unwrap();
    std::fs::write(
        project.join("src/bin/list-plans.rs"),
        paginator_program(&example),
    )
    .unwrap();
    let snippets = snippets_file(&readme);
    assert!(
        snippets.contains(".customize(") && snippets.contains("Mock::new("),
        "{snippets}"
    );
    std::fs::create_dir_all(project.join("tests")).unwrap();
    std::fs::write(project.join("tests/snippets.rs"), snippets).unwrap();
    std::fs::copy(root.join("Cargo.lock"), project.join("Cargo.lock")).unwrap();

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let built = std::process::Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(project.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        built.status.success(),
        "the README's programs build:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let checked = std::process::Command::new(cargo)
        .args(["check", "--quiet", "--test", "snippets", "--manifest-path"])
        .arg(project.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        checked.status.success(),
        "the README's fragments compile:\n{}",
        String::from_utf8_lossy(&checked.stderr)
    );

    let server = TestServer::start(vec![Reply::json(
        200,
        r#"{"Success": true, "BackupPlanId": "dbs-plan", "CreatedFullBackupsetId": "set-1", "RequestId": "R"}"#,
    )])
    .await;
    let home = project.join("home");
    std::fs::create_dir_all(&home).unwrap();
    // Without its argument the program says how to call it, and sends nothing.
    let usage = std::process::Command::new(target.join("debug/start-backup-plan"))
        .env_clear()
        .output()
        .expect("the program runs");
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).starts_with("usage: start-backup-plan"));
    assert!(server.requests().is_empty());
    let printed = run(
        &target.join("debug/start-backup-plan"),
        &["dbs-plan"],
        &home,
        &server,
    )
    .await;
    assert_eq!(printed.trim(), r#"full backup set: Some("set-1")"#);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        matches!(requests[0].verdict, Verdict::V3 { .. }),
        "{:?}",
        requests[0].verdict
    );
    assert!(
        requests[0]
            .query
            .contains(&("BackupPlanId".to_owned(), "dbs-plan".to_owned()))
    );

    // The paginator example: every plan once, the pages asked for counted from 0.
    let server = TestServer::start_with(dbs_pages).await;
    let printed = run(&target.join("debug/list-plans"), &[], &home, &server).await;
    let printed: Vec<&str> = printed.lines().collect();
    let expected: Vec<String> = ["p1", "p2", "p3", "p4", "p5"]
        .iter()
        .map(|id| format!("Some({id:?})"))
        .collect();
    assert_eq!(printed, expected);
    let pages: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.param("PageNum").map(str::to_owned))
        .collect();
    assert_eq!(pages, [None, Some("1".to_owned()), Some("2".to_owned())]);
    let _ = std::fs::remove_dir_all(&project);
}
