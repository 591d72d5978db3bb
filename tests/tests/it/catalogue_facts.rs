//! What the generator makes of real metadata, over the catalogue slice
//! (`tests/fixtures/catalogue/`, every style), imported and lowered in memory: how each
//! paginated operation knows where its pages start, and generated docs that keep the lists
//! their text introduces. `ACS_CATALOGUE=<folder holding <product>/<version>/api-docs.json>`
//! runs the same over another catalogue (the whole mirror) and prints the counts, which are
//! then not compared with the slice's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use acs_spec::ir::Service;

/// Every version of the catalogue that imports and loads, lowered.
fn lowered(catalogue: &Path) -> Vec<Service> {
    let mut sources: Vec<PathBuf> = Vec::new();
    for product in std::fs::read_dir(catalogue).unwrap() {
        let product = product.unwrap().path();
        if !product.is_dir() {
            continue;
        }
        for version in std::fs::read_dir(&product).unwrap() {
            let docs = version.unwrap().path().join("api-docs.json");
            if docs.is_file() {
                sources.push(docs);
            }
        }
    }
    sources.sort();
    let mut services = Vec::new();
    for source in sources {
        let text = std::fs::read_to_string(&source).unwrap();
        // Refused whole (a style the runtime cannot call): nothing to generate.
        let Ok(imported) = acs_import::import_openmeta(&text, None) else {
            continue;
        };
        if imported.operations.is_empty() {
            continue;
        }
        let files = xtask::import::spec_files(&imported, &source);
        let dir = Path::new("specs")
            .join(&imported.product)
            .join(&imported.version);
        let files: Vec<acs_spec::SpecFile> = files
            .into_iter()
            .map(|(name, text)| acs_spec::SpecFile {
                path: dir.join(name),
                text,
            })
            .collect();
        let (service, operations) = files.split_first().unwrap();
        match acs_spec::load_service(service, operations) {
            Ok(loaded) => services.push(loaded.service),
            Err(errors) => panic!("{}: {errors}", source.display()),
        }
    }
    services
}

fn catalogue() -> (PathBuf, bool) {
    match std::env::var_os("ACS_CATALOGUE") {
        Some(dir) => (PathBuf::from(dir), false),
        None => (
            xtask::workspace_root().join("tests/fixtures/catalogue/en_us"),
            true,
        ),
    }
}

/// How a paginated operation knows its next page.
fn base_known_by(service: &Service) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for op in &service.operations {
        let Some(pagination) = &op.pagination else {
            continue;
        };
        let how = match &pagination.page_numbers {
            None => "token",
            Some(numbers) => match (numbers.echoed.is_some(), numbers.first) {
                (true, Some(_)) => "page number: echoed and documented",
                (true, None) => "page number: echoed only",
                (false, Some(0)) => "page number: documented only, from 0",
                (false, Some(_)) => "page number: documented only, from 1",
                (false, None) => unreachable!("{}: a page number nothing explains", op.name),
            },
        };
        *counts.entry(how).or_default() += 1;
    }
    counts
}

#[test]
fn paginated_operations_by_how_their_pages_are_counted() {
    let (dir, is_slice) = catalogue();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for service in lowered(&dir) {
        for (how, count) in base_known_by(&service) {
            *counts.entry(how).or_default() += count;
        }
    }
    eprintln!("{}: {counts:#?}", dir.display());
    if is_slice {
        // The slice pages mostly by token; DBS 2021-01-01 `DescribeBackupDataList` echoes
        // `PageNumber` and documents "greater than 0 … The default value is 1".
        let expected: BTreeMap<&str, usize> =
            [("page number: echoed and documented", 1), ("token", 23)]
                .into_iter()
                .collect();
        assert_eq!(counts, expected);
    }
}

/// A doc comment of generated Rust: its lines, without the `///` or `//!`.
fn doc_comments(rust: &str) -> Vec<Vec<&str>> {
    let mut comments = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in rust.lines() {
        let trimmed = line.trim_start();
        match trimmed
            .strip_prefix("///")
            .or_else(|| trimmed.strip_prefix("//!"))
        {
            Some(text) => current.push(text.trim()),
            None if !current.is_empty() => comments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        comments.push(current);
    }
    comments
}

/// The metadata's "Valid values:" lists survive into the docs: no doc comment ends where its
/// list should start (the list cut off by a one-paragraph summary, or missing from the
/// description with the enum holding it), and no "Required." stands where the list was.
#[test]
fn generated_docs_never_end_where_their_list_of_values_should_start() {
    let (dir, is_slice) = catalogue();
    let mut lines = 0;
    let mut comments = 0;
    let mut problems = Vec::new();
    for service in lowered(&dir) {
        let spec_dir = format!("specs/{}/{}", service.product, service.api_version);
        for file in acs_codegen::generate_service(&service, &spec_dir) {
            if file.path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            for comment in doc_comments(&file.contents) {
                comments += 1;
                lines += comment.len();
                let place = || format!("{}/{}", service.package_name, file.path.display());
                if comment.last().is_some_and(|l| l.ends_with("Valid values:")) {
                    problems.push(format!("{}: ends in `{}`", place(), comment.join(" ⏎ ")));
                }
                if let Some(line) = comment
                    .iter()
                    .find(|l| l.contains("Valid values: Required."))
                {
                    problems.push(format!("{}: `{line}`", place()));
                }
            }
        }
    }
    eprintln!(
        "{}: {lines} doc lines in {comments} doc comments checked",
        dir.display()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    if is_slice {
        assert!(lines > 0);
    }
}
