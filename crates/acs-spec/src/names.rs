//! Rust names for spec names.
//!
//! Any spec name is valid: names are converted with heck, characters that cannot appear in an
//! identifier are dropped, a leading digit gets a prefix, and Rust keywords become raw
//! identifiers (`r#type`). The few keywords that cannot be raw (`self`, `Self`, `super`,
//! `crate`) and names the generated code uses for its own methods get a trailing underscore.
//! The wire name is always kept beside the Rust name, so nothing is lost.

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

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

/// Method names the generated builders and clients define themselves; a field of the same
/// name would clash with them.
const RESERVED_METHODS: &[&str] = &["build", "builder", "send", "new", "default", "clone", "fmt"];

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
    escape(with_prefix_if_needed(
        ascii_only(words(name).to_upper_camel_case()),
        "V",
    ))
}

/// A Cargo feature name (`start-backup-plan`).
pub fn kebab(name: &str) -> String {
    ascii_only(words(name).to_kebab_case().replace('-', "_")).replace('_', "-")
}

/// Whether a snake_case field name would shadow a method of the generated builders.
pub fn clashes_with_builder_method(ident: &str) -> bool {
    RESERVED_METHODS.contains(&ident) || ident.starts_with("set_") || ident.starts_with("get_")
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
