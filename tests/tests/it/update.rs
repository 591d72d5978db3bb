//! `cargo xtask add` and `update` against a loopback stand-in for OpenMeta that serves
//! `products.json` and real consecutive snapshots of one product (`tests/fixtures/history/`),
//! answering only to OpenMeta's own spelling of the product code, through the HTTP client the
//! commands use. Each test works on a workspace of its own under the temporary folder.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use xtask::update::{self, Failure, Options, Status, Upstream};
use xtask_tools::fetch::{HttpSource, Settings};

const CODE: &str = "EhpcInstant";
const VERSION: &str = "2023-07-01";
const PACKAGE: &str = "acs-ehpcinstant20230701";

fn fixtures() -> PathBuf {
    xtask::workspace_root().join("tests/fixtures")
}

/// The snapshots of EhpcInstant 2023-07-01, oldest first: 1 → 2 breaks (request and response
/// types change), 2 → 3 only adds.
fn snapshot(n: usize) -> Vec<u8> {
    let name = [
        "2024-12-27-e505c3fa",
        "2025-01-03-7b83c777",
        "2025-05-23-c4676d31",
    ][n - 1];
    std::fs::read(
        fixtures()
            .join("history/ehpcinstant-2023-07-01")
            .join(name)
            .join("api-docs.json"),
    )
    .unwrap()
}

/// What the stand-in answers for the product's `api-docs.json`.
#[derive(Clone)]
enum Answer {
    /// These bytes, whole.
    Body(Vec<u8>),
    /// This status, with a short body.
    Status(u16),
    /// A `Content-Length` of the whole body, half of it, then the connection closed.
    CutOff(Vec<u8>),
    /// Nothing: the request is read and never answered.
    Silence,
}

struct StandIn {
    base: String,
    answer: Arc<Mutex<Answer>>,
    requests: Arc<AtomicUsize>,
}

impl StandIn {
    fn start(answer: Answer) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let answer = Arc::new(Mutex::new(answer));
        let requests = Arc::new(AtomicUsize::new(0));
        let products = std::fs::read(fixtures().join("upstream/products.json")).unwrap();
        let (shared, counted) = (Arc::clone(&answer), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let answer = shared.lock().unwrap().clone();
                let products = products.clone();
                let counted = Arc::clone(&counted);
                std::thread::spawn(move || serve(stream, &products, &answer, &counted));
            }
        });
        StandIn {
            base,
            answer,
            requests,
        }
    }

    fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    fn source(&self) -> HttpSource {
        let settings = Settings {
            connect_timeout: Duration::from_secs(10),
            // Long enough for any loaded machine to send 80 KB over loopback; only the silent
            // stand-in runs into it.
            total_timeout: Duration::from_secs(3),
            attempts: 3,
            first_pause: Duration::from_millis(10),
        };
        HttpSource::new(&self.base, settings).unwrap()
    }
}

fn serve(mut stream: TcpStream, products: &[u8], answer: &Answer, requests: &AtomicUsize) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let target = request.split(' ').nth(1).unwrap_or_default().to_owned();
    let docs = format!("/meta/v1/products/{CODE}/versions/{VERSION}/api-docs.json?language=EN_US");
    let respond = |stream: &mut TcpStream, status: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    if target == "/meta/v1/products.json?language=EN_US" {
        return respond(&mut stream, "200 OK", products);
    }
    if target != docs {
        // OpenMeta's paths are case-sensitive: `ehpcinstant` is not `EhpcInstant`.
        return respond(&mut stream, "404 Not Found", b"{\"code\":404}");
    }
    requests.fetch_add(1, Ordering::SeqCst);
    match answer {
        Answer::Body(body) => respond(&mut stream, "200 OK", body),
        Answer::Status(status) => respond(
            &mut stream,
            &format!("{status} Whatever"),
            b"{\"code\":500,\"message\":\"server error\"}",
        ),
        Answer::CutOff(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body[..body.len() / 2]);
        }
        Answer::Silence => {
            // Until the client gives up and closes.
            let _ = stream.read(&mut buffer);
        }
    }
}

/// An empty workspace: the folders `codegen` reads.
fn workspace(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("acs-update-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for dir in ["specs", "crates", "tests/specs"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    root
}

/// Every file under `root` with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

fn check(root: &Path, source: &dyn Upstream) -> update::Run {
    let options = Options {
        check: true,
        dry_run: false,
    };
    update::update(root, source, &[], options).unwrap()
}

fn assert_codegen_check_is_clean(root: &Path) {
    let report = xtask::codegen(root, xtask::Mode::Check).unwrap();
    if let Some(failure) = xtask::check_failure(root, &report) {
        panic!("{failure}");
    }
}

/// The "Done when" of the issue, short of building the crate: add, check, the stand-in moves
/// on, a breaking update to 0.2.0, an additive one to 0.2.1, changelog entries kept.
#[test]
fn add_then_update_through_a_breaking_and_an_additive_change() {
    let root = workspace("versions");
    let stand_in = StandIn::start(Answer::Body(snapshot(1)));
    let source = stand_in.source();

    let added = update::add(&root, &source, &["ehpcinstant@2023-07-01".into()]).unwrap();
    assert_eq!(added.outcomes[0].status, Status::Added, "{}", added.table());
    let manifest = read(&root, &format!("crates/{PACKAGE}/Cargo.toml"));
    assert!(manifest.contains("version = \"0.1.0\""), "{manifest}");
    let changelog = read(&root, &format!("crates/{PACKAGE}/CHANGELOG.md"));
    let docs_url = format!(
        "{}/meta/v1/products/EhpcInstant/versions/2023-07-01/api-docs.json?language=EN_US",
        stand_in.base
    );
    assert!(
        changelog.contains("## 0.1.0 (20")
            && changelog.contains(&format!("First generated from {docs_url}: 21 operations.")),
        "{changelog}"
    );
    assert!(read(&root, ".gitattributes").contains(&format!("crates/{PACKAGE}/src/**")));
    assert_codegen_check_is_clean(&root);

    let current = check(&root, &source);
    assert!(
        !current.any_changed() && !current.any_failed(),
        "{}",
        current.table()
    );
    assert_eq!(current.outcomes[0].status, Status::Current);

    stand_in.answer(Answer::Body(snapshot(2)));
    let before = tree(&root);
    let moved = check(&root, &source);
    assert_eq!(
        moved.outcomes[0].status,
        Status::Changed,
        "{}",
        moved.table()
    );
    assert!(moved.any_changed() && !moved.any_failed());
    assert!(moved.table().contains("| EhpcInstant | 2023-07-01 | acs-ehpcinstant20230701 | 0.1.0 → 0.2.0 | 10 | 7 | 0 | changed upstream |"), "{}", moved.table());
    let (listing, any_failed) = update::products(&root, &source).unwrap();
    assert!(!any_failed);
    assert!(
        listing.contains("| EhpcInstant | E-HPC Instant Computing Service | **2023-07-01** (acs-ehpcinstant20230701 0.1.0, stale) |")
            && listing.contains("| hsm | CloudHSM | 2023-11-13 |")
            && listing.ends_with("5 products upstream; 1 versions imported here, 1 stale.\n"),
        "{listing}"
    );
    let dry = Options {
        check: false,
        dry_run: true,
    };
    let dry_run = update::update(&root, &source, &[], dry).unwrap();
    assert_eq!(dry_run.outcomes[0].status, Status::Changed);
    assert!(tree(&root) == before, "--check and --dry-run write nothing");

    let breaking =
        update::update(&root, &source, &["EHPCINSTANT".into()], Options::default()).unwrap();
    assert_eq!(
        breaking.outcomes[0].status,
        Status::Updated,
        "{}",
        breaking.table()
    );
    assert!(read(&root, &format!("crates/{PACKAGE}/Cargo.toml")).contains("version = \"0.2.0\""));
    assert!(
        read(&root, "specs/ehpcinstant/2023-07-01/overlay.yaml")
            .contains("crate_version: \"0.2.0\"")
    );
    let changelog = read(&root, &format!("crates/{PACKAGE}/CHANGELOG.md"));
    assert!(
        changelog.contains("- **ListJobs** request `PageNumber`: type changed `string` → `int32` — its Rust type changes"),
        "each breaking change is named with its reason:\n{changelog}"
    );
    assert!(
        changelog.contains("- **CreateJob** request `SecurityPolicy`: parameter added"),
        "each addition is named:\n{changelog}"
    );
    assert!(changelog.find("## 0.2.0").unwrap() < changelog.find("## 0.1.0").unwrap());
    assert_codegen_check_is_clean(&root);

    stand_in.answer(Answer::Body(snapshot(3)));
    let additive = update::update(
        &root,
        &source,
        &["ehpcinstant@2023-07-01".into()],
        Options::default(),
    )
    .unwrap();
    assert_eq!(
        additive.outcomes[0].status,
        Status::Updated,
        "{}",
        additive.table()
    );
    let summary = additive.outcomes[0].counts.unwrap();
    assert_eq!((summary.breaking, summary.docs), (0, 0));
    assert!(summary.additive > 0);
    assert!(read(&root, &format!("crates/{PACKAGE}/Cargo.toml")).contains("version = \"0.2.1\""));
    let changelog = read(&root, &format!("crates/{PACKAGE}/CHANGELOG.md"));
    let entries: Vec<usize> = ["## 0.2.1", "## 0.2.0", "## 0.1.0"]
        .iter()
        .map(|heading| {
            changelog
                .find(heading)
                .unwrap_or_else(|| panic!("{heading}:\n{changelog}"))
        })
        .collect();
    assert!(
        entries.is_sorted(),
        "newest first, every entry kept:\n{changelog}"
    );
    assert!(changelog.contains("`JobScheduler`"), "{changelog}");
    assert_codegen_check_is_clean(&root);
    assert!(check(&root, &source).outcomes[0].status == Status::Current);
    std::fs::remove_dir_all(&root).unwrap();
}

/// Every way a fetch can fail leaves the workspace as it was, names the URL and the reason,
/// and makes `--check` say the product could not be checked.
#[test]
fn a_failing_upstream_changes_nothing() {
    let root = workspace("failures");
    let stand_in = StandIn::start(Answer::Body(snapshot(1)));
    let source = stand_in.source();
    update::add(&root, &source, &[format!("{CODE}@{VERSION}")]).unwrap();
    let before = tree(&root);
    let other_product =
        std::fs::read(fixtures().join("history/hsm-2023-11-13/2024-12-27-e505c3fa/api-docs.json"))
            .unwrap();
    let mut garbage = snapshot(2);
    garbage.truncate(garbage.len() - 100);
    let cases = [
        (
            Answer::Status(503),
            "HTTP 503 Service Unavailable (after 3 attempts)",
            3,
        ),
        (Answer::Status(404), "HTTP 404 Not Found", 1),
        (Answer::CutOff(snapshot(2)), "the body was cut off", 3),
        (Answer::Body(garbage), "invalid JSON: EOF while parsing", 1),
        (
            Answer::Body(b"{\"code\":500,\"message\":\"server error\"}".to_vec()),
            "not an api-docs.json (no `info`)",
            1,
        ),
        (
            Answer::Body(other_product),
            "not the api-docs.json of EhpcInstant 2023-07-01: its info names hsm 2023-11-13",
            1,
        ),
        (Answer::Silence, "(after 3 attempts)", 3),
    ];
    for (answer, reason, requests) in cases {
        stand_in.answer(answer);
        stand_in.requests.store(0, Ordering::SeqCst);
        let run = update::update(&root, &source, &[], Options::default()).unwrap();
        let Status::Failed(failure) = &run.outcomes[0].status else {
            panic!("expected a failure ({reason}): {}", run.table());
        };
        assert!(
            failure.starts_with(&format!("{}/meta/v1/products/EhpcInstant/versions/2023-07-01/api-docs.json?language=EN_US: ", stand_in.base))
                && failure.contains(reason),
            "{failure}"
        );
        assert_eq!(
            stand_in.requests.load(Ordering::SeqCst),
            requests,
            "{reason}"
        );
        assert!(tree(&root) == before, "{reason}: the workspace changed");
        assert!(
            check(&root, &source).any_failed(),
            "--check: could not be checked"
        );
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn unknown_products_and_versions_name_the_close_matches() {
    let root = workspace("unknown");
    let stand_in = StandIn::start(Answer::Body(snapshot(1)));
    let source = stand_in.source();
    let error = |name: &str| match update::add(&root, &source, &[name.to_owned()]) {
        Err(Failure::Arguments(message)) => message,
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(
        error("ehpcinstnat"),
        "no product `ehpcinstnat` upstream; close: EhpcInstant"
    );
    assert_eq!(
        error("EhpcInstant@2024-01-01"),
        "EhpcInstant has no version `2024-01-01` upstream; it has 2023-07-01"
    );
    assert!(tree(&root).is_empty());
    std::fs::remove_dir_all(&root).unwrap();
}
