//! Rust names for spec names.
//!
//! Any spec name is valid: names are converted with heck, characters that cannot appear in an
//! identifier are dropped, a leading digit gets a prefix, and Rust keywords become raw
//! identifiers (`r#type`). The few keywords that cannot be raw (`self`, `Self`, `super`,
//! `crate`) and names the generated code uses for its own methods get a trailing underscore.
//! The wire name is always kept beside the Rust name, so nothing is lost.

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

/// Whether `code` is a product code: lower-case ASCII letters and digits, starting with a
/// letter, in words joined by single dashes (`dbs`, `dataworks-public`).
pub fn is_product_code(code: &str) -> bool {
    code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The eight digits of an API version written `YYYY-MM-DD` or `YYYYMMDD`; `None` for anything
/// else.
pub fn api_version_digits(version: &str) -> Option<String> {
    let bytes = version.as_bytes();
    let dated = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    let compact = bytes.len() == 8 && bytes.iter().all(u8::is_ascii_digit);
    (dated || compact).then(|| version.replace('-', ""))
}

/// The Cargo package of a product's API version: `acs-`, the product code, the version's
/// eight digits (`acs-dbs20190306`, `acs-dataworks-public20200518`). The version is always the
/// last eight characters and product codes hold no `_` (which Cargo treats like `-`), so two
/// products or versions never share a package, except one version spelt both ways.
pub fn package_name(product: &str, version_digits: &str) -> String {
    format!("acs-{product}{version_digits}")
}

/// Whether `name` can be a Cargo package name: ASCII letters, digits, `-` and `_`, starting
/// with a letter, at most 64 characters (crates.io's limit).
pub fn is_package_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Strict and reserved keywords of Rust 2024, which need `r#` as identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// The names the generated code gives its own items, scope by scope. Code generation takes
/// the names it emits from here, and lowering refuses (or renames) any spec name that would
/// collide with one of them, so this list is the one place both sides agree on.
pub mod generated {
    /// `build()` on every request builder: the request, or the first missing parameter.
    pub const BUILD: &str = "build";
    /// `send()` on a builder made by the client.
    pub const SEND: &str = "send";
    /// `customize()` on a builder made by the client: settings for that call only.
    pub const CUSTOMIZE: &str = "customize";
    /// `into_paginator()` on the builder of a list operation.
    pub const INTO_PAGINATOR: &str = "into_paginator";
    /// The builder's field holding the client (or `()`).
    pub const CLIENT_FIELD: &str = "client";
    /// The builder's field holding the request being built.
    pub const REQUEST_FIELD: &str = "request";
    /// `Request::builder()`.
    pub const REQUEST_BUILDER: &str = "builder";
    /// `Client::new()`.
    pub const CLIENT_NEW: &str = "new";
    /// `Client::runtime()`.
    pub const CLIENT_RUNTIME: &str = "runtime";
    /// The RAM facts constant of an operation's module.
    pub const RAM_CONST: &str = "RAM";
    /// The shared types module at the crate root.
    pub const TYPES_MODULE: &str = "types";
    /// The test support module at the crate root (feature `test-util`).
    pub const TEST_UTIL_MODULE: &str = "test_util";
    /// The operations module at the crate root; `operation/mod.rs` holds its index.
    pub const OPERATION_MODULE: &str = "operation";
    /// The catch-all variant of every error enum.
    pub const UNHANDLED: &str = "Unhandled";
    /// The catch-all variant of every string enum.
    pub const UNKNOWN: &str = "Unknown";
    /// `policies/all.json`, the whole service's policy.
    pub const ALL_POLICY: &str = "all";

    /// Methods of a request builder besides one setter pair per parameter, including those of
    /// the traits it derives (a setter named `clone` would hide `Clone::clone`).
    pub const BUILDER_METHODS: &[&str] = &[
        BUILD,
        SEND,
        CUSTOMIZE,
        INTO_PAGINATOR,
        "clone",
        "clone_from",
        "fmt",
        "default",
        "eq",
        "ne",
    ];
    /// Inherent methods of a request type (its members are fields, a separate namespace).
    pub const REQUEST_METHODS: &[&str] = &[REQUEST_BUILDER];
    /// Fields of a request builder (parameters live in its request, so they claim no field).
    pub const BUILDER_FIELDS: &[&str] = &[CLIENT_FIELD, REQUEST_FIELD];
    /// Methods of the service client besides one per operation (with its derived traits').
    pub const CLIENT_METHODS: &[&str] = &[CLIENT_NEW, CLIENT_RUNTIME, "clone", "clone_from", "fmt"];
    /// Module names of an operation other than its own (`operation/mod.rs` is the index).
    pub const OPERATION_MODULES: &[&str] = &["mod"];
    /// Cargo features of a client crate besides one per operation.
    pub const CRATE_FEATURES: &[&str] = &["default", "test-util"];
    /// Suffix of an operation's request type (`StartBackupPlanRequest`).
    pub const REQUEST_SUFFIX: &str = "Request";
    /// Suffix of an operation's request builder.
    pub const BUILDER_SUFFIX: &str = "Builder";
    /// Suffix of an operation's response type.
    pub const RESPONSE_SUFFIX: &str = "Response";
    /// Suffix of an operation's error enum.
    pub const ERROR_SUFFIX: &str = "Error";
    /// Kept free for an operation's own paginator type, which the runtime's generic
    /// `Paginator` stands in for today.
    pub const PAGINATOR_SUFFIX: &str = "Paginator";
    /// Suffixes of the types every operation declares (`StartBackupPlanRequest`, …).
    pub const OPERATION_TYPE_SUFFIXES: &[&str] = &[
        REQUEST_SUFFIX,
        BUILDER_SUFFIX,
        RESPONSE_SUFFIX,
        ERROR_SUFFIX,
        PAGINATOR_SUFFIX,
    ];
    /// The alias operation and type modules give `acs_runtime` (`use acs_runtime as rt;`), so
    /// no runtime name is imported into a module whose own items come from a spec. No spec name
    /// can take it: those modules declare only UpperCamelCase types and the `RAM` constant.
    pub const RUNTIME_ALIAS: &str = "rt";
    /// Names no generated type may have: `Self`, and names generated code uses unqualified
    /// from Rust's prelude, which a type of the same name would shadow.
    pub const PRELUDE_TYPES: &[&str] = &[
        "Self",
        "Option",
        "Some",
        "None",
        "Result",
        "Ok",
        "Err",
        "String",
        "Vec",
        "Box",
        "Default",
        "Clone",
        "Copy",
        "Debug",
        "PartialEq",
        "Eq",
        "Hash",
        "Send",
        "Sync",
        "Sized",
        "From",
        "Into",
        "Iterator",
        "ToString",
        "Drop",
        "Fn",
        "FnMut",
        "FnOnce",
    ];
}

/// Member names too generic to name a type on their own: a type for a member called `Body` is
/// named after its parent too (`CreateClusterNodePoolBody`).
pub const GENERIC_MEMBER_NAMES: &[&str] = &[
    "Body", "Content", "Config", "Data", "Detail", "Details", "Error", "Info", "Item", "Items",
    "Kind", "List", "Mode", "Name", "Options", "Request", "Response", "Result", "Results", "Spec",
    "State", "Status", "Type", "Value",
];

/// Keeps the characters an identifier may hold, treating the rest as word breaks.
fn words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Only ASCII survives, so generated identifiers are plain.
fn ascii_only(text: String) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn with_prefix_if_needed(text: String, prefix: &str) -> String {
    match text.chars().next() {
        None => prefix.to_owned(),
        Some(c) if c.is_ascii_digit() => format!("{prefix}{text}"),
        Some(_) => text,
    }
}

/// The snake_case base of a spec name (`BackupPlanId` → `backup_plan_id`), never a keyword
/// escape: used inside longer names such as `set_backup_plan_id`.
pub fn snake_base(name: &str) -> String {
    with_prefix_if_needed(ascii_only(words(name).to_snake_case()), "n_")
}

/// A safe snake_case identifier for a field, method or module.
pub fn snake_ident(name: &str) -> String {
    escape(snake_base(name))
}

/// A safe UpperCamelCase identifier for a type or variant.
pub fn upper_camel_ident(name: &str) -> String {
    escape(upper_camel_base(name))
}

/// A Cargo feature name (`start-backup-plan`).
pub fn kebab(name: &str) -> String {
    ascii_only(words(name).to_kebab_case().replace('-', "_")).replace('_', "-")
}

/// Whether a snake_case parameter name would collide with an item of the generated builders:
/// their own methods and fields, or a setter (`set_…`) of another parameter.
pub fn clashes_with_builder_method(ident: &str) -> bool {
    generated::BUILDER_METHODS.contains(&ident)
}

/// The Rust name of a request parameter: its request field and its builder's setter. Names
/// that would collide with the builder's own methods get a trailing underscore (`build` →
/// `build_`).
pub fn param_ident(wire: &str) -> String {
    let base = snake_base(wire);
    if clashes_with_builder_method(&base) {
        format!("{base}_")
    } else {
        snake_ident(wire)
    }
}

/// The Rust names of everything the operation `wire` generates: module, client method, file,
/// Cargo feature and types.
pub fn operation_names(wire: &str) -> crate::ir::OperationNames {
    let snake = snake_ident(wire);
    let upper_camel = upper_camel_base(wire);
    let with = |suffix: &str| format!("{upper_camel}{suffix}");
    crate::ir::OperationNames {
        bare_snake: snake.trim_start_matches("r#").to_owned(),
        feature: kebab(wire),
        request: with(generated::REQUEST_SUFFIX),
        builder: with(generated::BUILDER_SUFFIX),
        response: with(generated::RESPONSE_SUFFIX),
        error: with(generated::ERROR_SUFFIX),
        snake,
        upper_camel,
    }
}

/// Why an operation name cannot be used, if it collides with something the generated crate
/// has of its own: a client method, a module, a Cargo feature or a policy file.
pub fn operation_name_clash(wire: &str) -> Option<String> {
    let snake = snake_base(wire);
    let feature = kebab(wire);
    if generated::CLIENT_METHODS.contains(&snake.as_str()) {
        return Some(format!("the client's own method `Client::{snake}`"));
    }
    if generated::OPERATION_MODULES.contains(&snake.as_str()) {
        return Some(format!("the module index `operation/{snake}.rs`"));
    }
    if snake == generated::RUNTIME_ALIAS {
        return Some(format!(
            "the runtime's alias `{}` in the client module",
            generated::RUNTIME_ALIAS
        ));
    }
    if generated::CRATE_FEATURES.contains(&feature.as_str()) {
        return Some(format!("the crate's own Cargo feature `{feature}`"));
    }
    if wire.eq_ignore_ascii_case(generated::ALL_POLICY) {
        return Some(format!(
            "the whole-service policy `policies/{}.json`",
            generated::ALL_POLICY
        ));
    }
    None
}

/// A type-name prefix for an operation: UpperCamelCase with no keyword escape (`Self` gives
/// `SelfRequest`, not `Self_Request`).
pub fn upper_camel_base(name: &str) -> String {
    let mut ident = ascii_only(words(name).to_upper_camel_case());
    // Dropping a non-ASCII capital can leave a lower-case start (`Ünïcödé` → `ncd`), which
    // `non_camel_case_types` refuses. Found by `cargo xtask compile-batch`.
    if let Some(first) = ident.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    with_prefix_if_needed(ident, "V")
}

fn escape(ident: String) -> String {
    if NOT_RAW.contains(&ident.as_str()) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident.as_str()) {
        format!("r#{ident}")
    } else {
        ident
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_wire_names() {
        assert_eq!(snake_ident("BackupPlanId"), "backup_plan_id");
        assert_eq!(snake_ident("SystemDisk.Size"), "system_disk_size");
        assert_eq!(snake_ident("Tag.N.Key"), "tag_n_key");
        assert_eq!(upper_camel_ident("Request.Forbidden"), "RequestForbidden");
        assert_eq!(upper_camel_ident("NORMAL_ZONE"), "NormalZone");
        assert_eq!(kebab("StartBackupPlan"), "start-backup-plan");
        assert_eq!(upper_camel_ident("Ünïcödé"), "Ncd");
        assert_eq!(upper_camel_ident("数据库"), "V");
    }

    #[test]
    fn an_operation_is_named_once() {
        let names = operation_names("Match");
        assert_eq!(names.snake, "r#match");
        assert_eq!(names.bare_snake, "match");
        assert_eq!(names.feature, "match");
        assert_eq!(names.request, "MatchRequest");
        assert_eq!(names.builder, "MatchBuilder");
        assert_eq!(names.response, "MatchResponse");
        assert_eq!(names.error, "MatchError");
        for suffix in generated::OPERATION_TYPE_SUFFIXES {
            assert!(
                [
                    &names.request,
                    &names.builder,
                    &names.response,
                    &names.error
                ]
                .iter()
                .any(|name| name.ends_with(suffix))
                    || *suffix == generated::PAGINATOR_SUFFIX
            );
        }
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("Match"), "r#match");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(upper_camel_ident("Self"), "Self_");
        assert_eq!(snake_base("type"), "type");
    }

    #[test]
    fn awkward_names_become_identifiers() {
        assert_eq!(snake_ident("3DES"), "n_3des");
        assert_eq!(upper_camel_ident("400"), "V400");
        assert_eq!(snake_ident("数据"), "n_");
        assert_eq!(snake_ident("a-b c"), "a_b_c");
    }
}
