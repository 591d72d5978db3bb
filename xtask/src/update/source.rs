//! Where Alibaba's metadata comes from: OpenMeta's URLs or a folder in the same layout, the
//! product list, and the checks a fetched `api-docs.json` must pass before anything is written.

use std::fmt;
use std::path::{Path, PathBuf};

/// Alibaba's public metadata service.
pub const PUBLIC_OPENMETA: &str = "https://api.alibabacloud.com";

/// The environment variable naming the source when `--source` is not given.
pub const SOURCE_ENV: &str = "ACS_OPENMETA_URL";

/// The metadata's language: the English documentation.
pub const LANGUAGE: &str = "EN_US";

/// Bodies larger than this are refused: the largest `api-docs.json` of the catalogue is a few
/// megabytes, and a server that sends without end must not exhaust memory.
pub const MAX_BODY_BYTES: u64 = 64 << 20;

/// What to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// `products.json`: every product, its versions and OpenMeta's spelling of its code.
    Products,
    /// One product version's `api-docs.json`; `code` as OpenMeta spells it.
    ApiDocs {
        /// `Dbs`, `EhpcInstant`, `dataworks-public`…
        code: &'a str,
        /// `2019-03-06`.
        version: &'a str,
    },
}

/// A fetch that failed: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    /// The URL or path.
    pub location: String,
    /// What went wrong (`HTTP 503 after 4 attempts`, `invalid JSON: …`).
    pub reason: String,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

impl std::error::Error for FetchError {}

/// A metadata source: OpenMeta over HTTP(S) (in `xtask-tools`, which has the HTTP client) or a
/// folder ([`DirSource`]).
pub trait Upstream: Sync {
    /// Where `resource` is, as messages and changelogs name it.
    fn location(&self, resource: Resource<'_>) -> String;

    /// The bytes of `resource`, at most [`MAX_BODY_BYTES`]; errors name the location.
    fn fetch(&self, resource: Resource<'_>) -> Result<Vec<u8>, FetchError>;
}

/// OpenMeta's layout on disk: `<dir>/products.json` and
/// `<dir>/<lower-case code>/<version>/api-docs.json` (a copy of `…/catalogue/en_us/`).
#[derive(Debug, Clone)]
pub struct DirSource(pub PathBuf);

impl DirSource {
    fn path(&self, resource: Resource<'_>) -> PathBuf {
        match resource {
            Resource::Products => self.0.join("products.json"),
            Resource::ApiDocs { code, version } => self
                .0
                .join(code.to_ascii_lowercase())
                .join(version)
                .join("api-docs.json"),
        }
    }
}

impl Upstream for DirSource {
    fn location(&self, resource: Resource<'_>) -> String {
        self.path(resource).display().to_string()
    }

    fn fetch(&self, resource: Resource<'_>) -> Result<Vec<u8>, FetchError> {
        use std::io::Read as _;
        let path = self.path(resource);
        let error = |reason: String| FetchError {
            location: path.display().to_string(),
            reason,
        };
        let file = std::fs::File::open(&path).map_err(|e| error(format!("cannot read: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| error(format!("cannot read: {e}")))?;
        if bytes.len() as u64 > MAX_BODY_BYTES {
            return Err(error(format!("larger than {MAX_BODY_BYTES} bytes")));
        }
        Ok(bytes)
    }
}

/// The URL of `resource` under an OpenMeta base URL (`https://api.alibabacloud.com`).
pub fn openmeta_url(base: &str, resource: Resource<'_>) -> String {
    let base = base.trim_end_matches('/');
    match resource {
        Resource::Products => format!("{base}/meta/v1/products.json?language={LANGUAGE}"),
        Resource::ApiDocs { code, version } => format!(
            "{base}/meta/v1/products/{code}/versions/{version}/api-docs.json?language={LANGUAGE}"
        ),
    }
}

/// Which source the command line and environment name: `--source`, else [`SOURCE_ENV`], else
/// [`PUBLIC_OPENMETA`]. A URL (`http://` or `https://`) or a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// An OpenMeta base URL.
    Url(String),
    /// A folder in OpenMeta's layout.
    Dir(PathBuf),
}

impl SourceSpec {
    /// `--source` when given, else the environment's, else the public OpenMeta.
    pub fn choose(flag: Option<&str>) -> Result<SourceSpec, String> {
        let from_env = std::env::var(SOURCE_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty());
        let (text, origin) = match (flag, from_env) {
            (Some(text), _) => (text.to_owned(), "--source"),
            (None, Some(text)) => (text, SOURCE_ENV),
            (None, None) => return Ok(SourceSpec::Url(PUBLIC_OPENMETA.to_owned())),
        };
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return Ok(SourceSpec::Url(text));
        }
        if lower.contains("://") {
            return Err(format!(
                "{origin} {text}: only http:// and https:// URLs, or a folder, are sources"
            ));
        }
        let dir = PathBuf::from(&text);
        if dir.is_dir() {
            Ok(SourceSpec::Dir(dir))
        } else {
            Err(format!(
                "{origin} {text}: not a folder (a metadata folder holds products.json and <product>/<version>/api-docs.json), nor an http(s):// URL"
            ))
        }
    }
}

/// One product of `products.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// OpenMeta's spelling (`Dbs`, `EhpcInstant`); URLs use it as it is.
    pub code: String,
    /// The product's name (`Data Disaster Recovery`).
    pub name: String,
    /// Its API versions.
    pub versions: Vec<String>,
    /// The version OpenMeta offers first.
    pub default_version: Option<String>,
}

/// Reads `products.json`; `location` names it in errors.
pub fn parse_products(bytes: &[u8], location: &str) -> Result<Vec<Product>, FetchError> {
    let error = |reason: String| FetchError {
        location: location.to_owned(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| error(format!("invalid JSON: {e}")))?;
    let list = value
        .as_array()
        .ok_or_else(|| error("not a product list (expected a JSON array)".into()))?;
    let mut products = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let text = |key: &str| entry.get(key).and_then(serde_json::Value::as_str);
        let code = text("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| error(format!("product [{i}] has no `code`")))?;
        let versions = entry
            .get("versions")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| error(format!("product {code} has no `versions` list")))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| error(format!("product {code}: a version is not a string")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        products.push(Product {
            code: code.to_owned(),
            name: text("name").unwrap_or_default().trim().to_owned(),
            versions,
            default_version: text("defaultVersion").map(str::to_owned),
        });
    }
    Ok(products)
}

/// Checks that `bytes` are the `api-docs.json` of `code` `version`: UTF-8 JSON whose `info`
/// names that product and version. The importer checks the rest.
pub fn check_api_docs(bytes: &[u8], code: &str, version: &str) -> Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let info = value.get("info").ok_or_else(|| {
        let excerpt: String = text.chars().take(80).collect();
        format!("not an api-docs.json (no `info`): {excerpt}")
    })?;
    let field = |key: &str| info.get(key).and_then(serde_json::Value::as_str);
    match (field("product"), field("version")) {
        (Some(product), Some(found)) if product.eq_ignore_ascii_case(code) && found == version => {
            Ok(text.to_owned())
        }
        (product, found) => Err(format!(
            "not the api-docs.json of {code} {version}: its info names {} {}",
            product.unwrap_or("no product"),
            found.unwrap_or("no version")
        )),
    }
}

/// Products whose code is close to `wanted`, closest first: the same letters in another case,
/// a prefix or part of it, or a few letters apart.
pub fn close_matches<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            let distance = edit_distance(&wanted, &lower);
            let related = lower.contains(&wanted) || wanted.contains(&lower);
            (related || distance <= 2.max(wanted.len() / 4)).then_some((distance, candidate))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, c)| c).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The path an imported file's header names for a fetched version, as if read from a copy of
/// OpenMeta's tree (`en_us/dbs/2019-03-06/api-docs.json`), so headers do not depend on where it
/// came from.
pub fn header_path(code: &str, version: &str) -> PathBuf {
    Path::new(&LANGUAGE.to_ascii_lowercase())
        .join(code.to_ascii_lowercase())
        .join(version)
        .join("api-docs.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_matches_find_typos_and_parts() {
        let codes = [
            "Dbs",
            "Ecs",
            "EhpcInstant",
            "Ehpc",
            "hsm",
            "dataworks-public",
        ];
        assert_eq!(
            close_matches("ehpcinstnat", codes.into_iter()),
            ["EhpcInstant", "Ehpc"]
        );
        assert_eq!(
            close_matches("dataworks", codes.into_iter()),
            ["dataworks-public"]
        );
        assert!(close_matches("zzzzzzzz", codes.into_iter()).is_empty());
    }

    #[test]
    fn urls_use_openmetas_spelling() {
        assert_eq!(
            openmeta_url(
                "http://127.0.0.1:9/",
                Resource::ApiDocs {
                    code: "EhpcInstant",
                    version: "2023-07-01"
                }
            ),
            "http://127.0.0.1:9/meta/v1/products/EhpcInstant/versions/2023-07-01/api-docs.json?language=EN_US"
        );
    }

    #[test]
    fn a_body_of_another_product_or_version_is_refused() {
        let docs = br#"{"info": {"product": "Dbs", "version": "2019-03-06"}}"#;
        assert!(check_api_docs(docs, "dbs", "2019-03-06").is_ok());
        assert!(
            check_api_docs(docs, "Dbs", "2021-01-01")
                .unwrap_err()
                .contains("its info names Dbs 2019-03-06")
        );
        assert!(
            check_api_docs(
                br#"{"code":500,"message":"server error"}"#,
                "Dbs",
                "2019-03-06"
            )
            .unwrap_err()
            .starts_with("not an api-docs.json")
        );
        assert!(
            check_api_docs(&docs[..20], "Dbs", "2019-03-06")
                .unwrap_err()
                .starts_with("invalid JSON: EOF")
        );
    }
}
