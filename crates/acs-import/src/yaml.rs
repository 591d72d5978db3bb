//! A small, deterministic YAML writer for the spec model.
//!
//! The model is serialized with `serde_json::to_value` (keys in the structs' field order, as
//! `preserve_order` keeps them) and emitted in block style. Strings are written plain when the
//! spec loader (`acs_spec::source`, YAML 1.2 core schema) and YAML 1.1 readers (PyYAML and
//! other tools people read specs with) all read them back as the same string,
//! as `|`/`|-` literal blocks when they span lines and a literal block keeps them exactly, and
//! otherwise double-quoted with JSON escaping (JSON escapes are valid YAML escapes).

use std::fmt::Write as _;

use serde_json::Value;

/// The first line of every written spec file: editors validate against the spec schema.
pub const SCHEMA_COMMENT: &str = "# yaml-language-server: $schema=../../spec.schema.json";

/// Renders `value` (a serialized spec document) as a YAML file headed by `comments` (each
/// written as a `# ` line after the schema comment).
pub fn to_yaml_document(value: &Value, comments: &[String]) -> String {
    let mut out = String::new();
    out.push_str(SCHEMA_COMMENT);
    out.push('\n');
    for comment in comments {
        for line in comment.lines() {
            if line.is_empty() {
                out.push_str("#\n");
            } else {
                let _ = writeln!(out, "# {line}");
            }
        }
    }
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(&mut out, map, 0),
        other => {
            out.push_str(&scalar_or_flow(other, 0));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push(' ');
    }
}

/// Writes the entries of `map`, each starting on a fresh line at `level` spaces.
fn write_mapping(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    for (index, (key, value)) in map.iter().enumerate() {
        if index > 0 {
            indent(out, level);
        }
        write_entry(out, key, value, level);
    }
}

/// Writes `key: value` where the cursor already stands at the key's column.
fn write_entry(out: &mut String, key: &str, value: &Value, level: usize) {
    out.push_str(&string_scalar(key, level, false));
    out.push(':');
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_mapping(out, map, level + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            if let Some(flow) = flow_sequence(items) {
                out.push(' ');
                out.push_str(&flow);
                out.push('\n');
            } else {
                out.push('\n');
                write_sequence(out, items, level + 2);
            }
        }
        other => {
            out.push(' ');
            out.push_str(&scalar_or_flow(other, level + 2));
            out.push('\n');
        }
    }
}

/// Writes the items of a block sequence at `level` spaces (`- item`).
fn write_sequence(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_mapping(out, map, level + 2),
            Value::Array(inner) if !inner.is_empty() => {
                if let Some(flow) = flow_sequence(inner) {
                    out.push_str(&flow);
                    out.push('\n');
                } else {
                    out.push('\n');
                    write_sequence(out, inner, level + 2);
                }
            }
            other => {
                out.push_str(&scalar_or_flow(other, level + 2));
                out.push('\n');
            }
        }
    }
}

/// `[a, b]` when every item is a short scalar that reads back the same inside a flow sequence.
fn flow_sequence(items: &[Value]) -> Option<String> {
    let mut parts = Vec::new();
    for item in items {
        match item {
            Value::String(text) if is_plain_safe(text, true) => parts.push(text.clone()),
            Value::Bool(_) | Value::Number(_) => parts.push(item.to_string()),
            _ => return None,
        }
    }
    Some(format!("[{}]", parts.join(", ")))
}

/// Scalars, and empty collections as `{}` / `[]`. `level` is the indentation of literal block
/// contents.
fn scalar_or_flow(value: &Value, level: usize) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_text(n),
        Value::String(text) => string_scalar(text, level, true),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

fn number_text(number: &serde_json::Number) -> String {
    let text = number.to_string();
    // Integers beyond i64 would come back as floats; quote them instead. (The importer only
    // passes numbers through from examples; they stay what the loader reads back.)
    if number.is_u64() && number.as_i64().is_none() {
        return json_quoted(&text);
    }
    if number.is_f64() {
        return float_text(&text);
    }
    text
}

/// A float as both YAML 1.1 and 1.2 read it as one: YAML 1.1 wants a `.` and a signed
/// exponent, so `1e-7` (as Rust prints it) becomes `1.0e-7` and `1e20` becomes `1.0e+20`.
fn float_text(text: &str) -> String {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (text, None),
    };
    let mut out = mantissa.to_owned();
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    if let Some(exponent) = exponent {
        out.push('e');
        if !exponent.starts_with(['-', '+']) {
            out.push('+');
        }
        out.push_str(exponent);
    }
    out
}

/// A string as a plain scalar, a literal block (when `block` allows it) or a quoted scalar.
fn string_scalar(text: &str, level: usize, block: bool) -> String {
    if is_plain_safe(text, false) {
        return text.to_owned();
    }
    if block && let Some(literal) = literal_block(text, level) {
        return literal;
    }
    json_quoted(text)
}

/// Double-quoted with JSON escaping, plus escapes for the characters YAML treats as line
/// breaks or forbids unescaped (JSON leaves them raw).
fn json_quoted(text: &str) -> String {
    let json = serde_json::to_string(text).expect("strings serialize");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if needs_unicode_escape(c) {
            let _ = write!(out, "\\u{:04X}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters YAML must not see raw: line/paragraph separators, NEL, BOM, other controls
/// (JSON escapes C0 controls itself), and non-characters.
fn needs_unicode_escape(c: char) -> bool {
    matches!(
        c,
        '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
    ) || (c.is_control() && !matches!(c, '\n' | '\t' | '\r') && (c as u32) >= 0x7F)
}

/// Whether `text` can be written without quotes and read back as the same string by the spec
/// loader (and by ordinary YAML 1.1/1.2 tools: `yes`, `no`, `on`, `off` are quoted too).
fn is_plain_safe(text: &str, in_flow: bool) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let last = text.chars().next_back().unwrap_or(first);
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    // `#`, `{` and `}` are legal inside plain scalars, but quoting them reads better and keeps
    // simpler YAML tools (highlighters, comment strippers) from stumbling.
    if text.contains(": ") || text.contains(['#', '{', '}']) || text.contains(":\t") {
        return false;
    }
    if in_flow && text.contains([',', '[', ']', '{', '}', ':', '#']) {
        return false;
    }
    for c in text.chars() {
        let ok = if c.is_ascii() {
            c == ' ' || c.is_ascii_graphic()
        } else {
            !c.is_whitespace() && !c.is_control() && !needs_unicode_escape(c)
        };
        if !ok {
            return false;
        }
    }
    if text.contains("  ") {
        // Plain scalars keep inner runs of spaces, but they are easy to misread; quote them.
        return false;
    }
    !resolves_to_non_string(text)
}

/// Whether a plain scalar would be read as something other than a string: by the spec loader
/// (YAML 1.2's core schema), or by the YAML 1.1 readers people also point at specs (PyYAML,
/// Ruby's Psych, go-yaml v2, many editors' tools), whose implicit types are wider: booleans
/// `yes`/`no`/`on`/`off`/`y`/`n`, octal `0755`, sexagesimal `1:30`, timestamps, `=` (the
/// "value" type) and `<<` (the merge key). Erring on the side of quoting costs two characters.
fn resolves_to_non_string(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let word = matches!(
        lower.as_str(),
        "~" | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".nan"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | "="
            | "<<"
    );
    word || number_like(text) || starts_like_a_timestamp(text)
}

/// Anything number-like (digits, signs, dots, exponents, `0x`/`0o`/`0b` prefixes, `_`
/// separators, sexagesimal colons): cheaper than reproducing every reader's number rules.
fn number_like(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_ascii_hexdigit() || matches!(c, '-' | '+' | '.' | '_' | ':' | 'x' | 'X' | 'o' | 'O')
    }) && text.chars().any(|c| c.is_ascii_digit())
}

/// A date as YAML 1.1 timestamps start (`2017-11-31`, `2001-12-14T21:59:43Z`,
/// `2001-12-14 21:59:43.10 -5`): four digits, a dash, one or two digits, a dash, one or two
/// digits, then nothing, `T`, `t`, a space or a tab. PyYAML turns such a scalar into a date
/// object, and fails on a day that does not exist.
fn starts_like_a_timestamp(text: &str) -> bool {
    fn digits(bytes: &[u8]) -> usize {
        bytes.iter().take_while(|b| b.is_ascii_digit()).count()
    }
    let bytes = text.as_bytes();
    if digits(bytes) != 4 || bytes.get(4) != Some(&b'-') {
        return false;
    }
    let month = &bytes[5..];
    let month_digits = digits(month);
    if !(1..=2).contains(&month_digits) || month.get(month_digits) != Some(&b'-') {
        return false;
    }
    let day = &month[month_digits + 1..];
    let day_digits = digits(day);
    (1..=2).contains(&day_digits)
        && matches!(day.get(day_digits), None | Some(b'T' | b't' | b' ' | b'\t'))
}

/// A `|` / `|-` literal block for multi-line text that it reproduces exactly, or `None`.
fn literal_block(text: &str, level: usize) -> Option<String> {
    if !text.contains('\n') || text.starts_with('\n') {
        return None;
    }
    let (body, chomp) = match text.strip_suffix('\n') {
        Some(rest) if rest.ends_with('\n') => return None,
        Some(rest) => (rest, "|"),
        None => (text, "|-"),
    };
    let mut lines = Vec::new();
    for (index, line) in body.split('\n').enumerate() {
        let bad_char = line
            .chars()
            .any(|c| c == '\t' || c.is_control() || needs_unicode_escape(c));
        // Whitespace-only lines would be read as empty; a leading space on the first line
        // would need an indentation indicator.
        let blank_with_spaces = !line.is_empty() && line.trim().is_empty();
        if bad_char || blank_with_spaces || (index == 0 && line.starts_with(' ')) {
            return None;
        }
        lines.push(line);
    }
    let mut out = String::from(chomp);
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            for _ in 0..level {
                out.push(' ');
            }
            out.push_str(line);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_quoted_strings() {
        assert!(is_plain_safe("dbsqdss5tmh****", false));
        assert!(is_plain_safe("acs:dbs:backupplan/x", false));
        assert!(!is_plain_safe("acs:dbs:{#regionId}", false));
        assert!(!is_plain_safe("*", false));
        assert!(!is_plain_safe("200", false));
        assert!(!is_plain_safe("2019-03-06", false));
        assert!(!is_plain_safe("true", false));
        assert!(!is_plain_safe("a: b", false));
        assert!(!is_plain_safe("", false));
        // Read as other types by YAML 1.1 readers only.
        for text in [
            "2017-11-31T06:32:31Z",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2002-1-2",
            "=",
            "<<",
            "Off",
            "y",
            "0755",
            "190:20:30",
            "0b1010",
            "-.INF",
        ] {
            assert!(!is_plain_safe(text, false), "{text}");
        }
        // Dates in prose, and date-like words, stay plain.
        for text in ["2017-11-31z", "v2017-11-31", "17-11-31T1", "a=b"] {
            assert!(is_plain_safe(text, false), "{text}");
        }
        assert_eq!(json_quoted("a\u{2028}b\"c"), "\"a\\u2028b\\\"c\"");
    }

    #[test]
    fn floats_read_as_floats_in_yaml_1_1() {
        let text = |value: f64| number_text(&serde_json::Number::from_f64(value).unwrap());
        assert_eq!(text(1e-7), "1.0e-7");
        assert_eq!(text(1e20), "1.0e+20");
        assert_eq!(text(0.5), "0.5");
        assert_eq!(text(2.0), "2.0");
        assert_eq!(number_text(&serde_json::Number::from(3)), "3");
    }

    #[test]
    fn literal_blocks() {
        assert_eq!(literal_block("a\n\nb", 2).unwrap(), "|-\n  a\n\n  b");
        assert_eq!(literal_block("a\nb\n", 4).unwrap(), "|\n    a\n    b");
        assert!(literal_block("a\n  \nb", 2).is_none());
        assert!(literal_block("a\n\n", 2).is_none());
        assert!(literal_block(" a\nb", 2).is_none());
    }
}
