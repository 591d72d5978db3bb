//! A client crate's `Cargo.toml` and `README.md`: what `cargo publish` needs, so a generated
//! workspace can be published as it is.
//!
//! The crate inherits `edition`, `rust-version`, `license`, `repository` and its `acs-runtime`
//! dependency (a version with a path) from the workspace, which `cargo publish` resolves into
//! plain values. Its own version comes from the spec (`crate_version`).

use acs_spec::ir::{ApiStyle, Service};
use toml_writer::{ToTomlKey as _, ToTomlValue as _, TomlStringBuilder};

use crate::GENERATED_MARKER;

/// Keywords every client crate carries; crates.io allows five.
const KEYWORDS: &[&str] = &["alibaba-cloud", "aliyun", "sdk", "api"];

/// `Cargo.toml`: one feature per operation, all on by default.
pub fn cargo_toml(service: &Service, spec_dir: &str) -> String {
    let features: Vec<&str> = service
        .operations
        .iter()
        .map(|op| op.names.feature.as_str())
        .collect();
    let default = features
        .iter()
        .map(|feature| toml_string(feature))
        .collect::<Vec<_>>()
        .join(", ");
    let feature_lines: String = features
        .iter()
        .map(|f| format!("{} = []\n", f.to_toml_key()))
        .collect();
    let description = format!(
        "Alibaba Cloud {} API {} client, generated from its spec.",
        service.title, service.api_version
    );
    let mut keywords: Vec<String> = KEYWORDS.iter().map(|k| toml_string(k)).collect();
    if is_keyword(&service.product) {
        keywords.push(toml_string(&service.product));
    }
    format!(
        r#"# {GENERATED_MARKER} from {spec_dir}; do not edit by hand.
[package]
name = {package}
version = {version}
description = {description}
readme = "README.md"
keywords = [{keywords}]
categories = ["api-bindings"]
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true

[package.metadata.docs.rs]
all-features = true

[features]
default = [{default}]
# A mock client for users' tests (`test_util`): answers from rules instead of a server.
test-util = ["acs-runtime/test-util"]
{feature_lines}
[dependencies]
acs-runtime.workspace = true

[dev-dependencies]
tokio = {{ version = "1", default-features = false, features = ["macros", "rt"] }}

[lints]
workspace = true
"#,
        package = toml_string(&service.package_name),
        version = toml_string(&service.crate_version),
        description = toml_string(&description),
        keywords = keywords.join(", "),
    )
}

/// `README.md`, shown on crates.io: what the crate is, how to depend on it (by path or git:
/// nothing is published yet), and where the mock client for users' tests is.
pub fn readme(service: &Service, spec_dir: &str) -> String {
    let crate_name = service.package_name.replace('-', "_");
    let style = match service.style {
        ApiStyle::Rpc => "RPC",
        ApiStyle::Roa => "ROA",
    };
    let title = crate::docs::one_line(&service.title);
    format!(
        r#"<!-- {GENERATED_MARKER} from {spec_dir}; do not edit by hand. -->
# {package}

A Rust client for the Alibaba Cloud {title} API, version {version} ({style} style, {count} operations), generated from Alibaba's API metadata.

The crate (version {crate_version}) is not on crates.io yet: depend on it from a clone of the
acs-rust repository beside your project, or from the repository's git URL.

```toml
[dependencies]
{package} = {{ path = "../acs-rust/crates/{package}" }}
# or: {package} = {{ git = "<the acs-rust repository's URL>" }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}
```

Every operation is a method on `{crate_name}::Client` and a Cargo feature (all on by default).
Credentials come from the environment, the Alibaba Cloud CLI profile, an ECS instance's RAM role
or an ACK pod's OIDC token, as the official SDKs find them. `use {crate_name}::prelude::*;`
brings in the client, `Config`, `Credentials`, the error types, `RetryConfig`, `Timeouts` and
`Paginator`.

Code that calls the service is tested without one through the `test-util` feature: its
`{crate_name}::test_util` module has a mock client (`Mock`, answering from `Rule`s, recording the
calls), also in the prelude with the feature on.

```toml
[dev-dependencies]
{package} = {{ path = "../acs-rust/crates/{package}", features = ["test-util"] }}
```
"#,
        package = service.package_name,
        version = service.api_version,
        count = service.operations.len(),
        crate_version = service.crate_version,
    )
}

/// Whether crates.io accepts `word` as a keyword: at most 20 characters, ASCII letters, digits,
/// `-` and `_`, starting with a letter.
fn is_keyword(word: &str) -> bool {
    word.len() <= 20
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `text` as a one-line TOML basic string, escaped by `toml_writer`: quotes, backslashes and
/// every control character TOML forbids raw (DEL included). Always the basic form, so a title
/// with a quote does not switch its manifest to a literal string.
pub fn toml_string(text: &str) -> String {
    TomlStringBuilder::new(text).as_basic().to_toml_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape_what_toml_forbids() {
        assert_eq!(toml_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(toml_string("x\u{7f}y\u{1}"), r#""x\u007Fy\u0001""#);
        assert_eq!(toml_string("line\nnext"), r#""line\nnext""#);
    }

    #[test]
    fn a_hostile_title_survives_the_manifest_as_written() {
        // Every kind of character TOML escapes or could trip over, written with YAML's escapes.
        let title = r#""Quo\"te \\ back\x7Fdel\x01\x1F ctl\ttab\nline\rcr ''' \"\"\" 数 \u0085 \u2028 # [x] = 1""#;
        let service = acs_spec::SpecFile {
            path: "specs/demo/2020-01-01/service.yaml".into(),
            text: format!(
                "product: demo\ntitle: {title}\napi_version: \"2020-01-01\"\nstyle: rpc\nendpoints:\n  - region: cn-hangzhou\n    public: demo.cn-hangzhou.aliyuncs.com\n"
            ),
        };
        let operation = acs_spec::SpecFile {
            path: "specs/demo/2020-01-01/Op.yaml".into(),
            text: "name: Op\nsummary: Does it.\nmethods: [post]\n".into(),
        };
        let loaded = acs_spec::load_service(&service, &[operation]).expect("a valid spec");
        assert!(
            loaded.service.title.contains('\u{7f}'),
            "YAML's escapes were read"
        );
        let manifest = cargo_toml(&loaded.service, "specs/demo/2020-01-01");
        let parsed: toml::Table = manifest
            .parse()
            .unwrap_or_else(|error| panic!("{error}\n{manifest}"));
        let package = parsed["package"].as_table().expect("[package]");
        let description = format!(
            "Alibaba Cloud {} API 2020-01-01 client, generated from its spec.",
            loaded.service.title
        );
        assert_eq!(package["description"].as_str(), Some(description.as_str()));
        assert_eq!(
            package["name"].as_str(),
            Some(loaded.service.package_name.as_str())
        );
        let features = parsed["features"].as_table().expect("[features]");
        assert!(features.contains_key("op"), "{manifest}");
    }

    #[test]
    fn keywords_follow_crates_io_rules() {
        assert!(is_keyword("dataworks-public"));
        assert!(!is_keyword("a-product-code-over-twenty"));
        assert!(!is_keyword("1password"));
    }
}
