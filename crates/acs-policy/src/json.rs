//! The document's JSON, written by hand: keys in RAM's documented order whatever any JSON
//! library's features say (serde_json sorts object keys unless `preserve_order` is on, and
//! Cargo's feature unification turns that on in some builds and not others). The layout is
//! serde_json's `to_string_pretty`, so files it wrote before read the same.

use std::fmt::Write as _;

use crate::document::Statement;

/// `{"Version": "1", "Statement": [...]}` over `statements`.
pub(crate) fn document(statements: &[Statement]) -> String {
    let mut out = String::with_capacity(64 + statements.len() * 128);
    out.push_str("{\n  \"Version\": \"1\",\n  \"Statement\": [");
    for (index, statement) in statements.iter().enumerate() {
        out.push_str(if index == 0 { "\n" } else { ",\n" });
        out.push_str("    {\n      \"Effect\": \"Allow\",\n      \"Action\": ");
        list(&mut out, &statement.actions);
        out.push_str(",\n      \"Resource\": ");
        list(&mut out, &statement.resources);
        out.push_str("\n    }");
    }
    if !statements.is_empty() {
        out.push_str("\n  ");
    }
    out.push_str("]\n}");
    out
}

/// A list of strings at the statement's member depth.
fn list(out: &mut String, items: &[String]) {
    if items.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push('[');
    for (index, item) in items.iter().enumerate() {
        out.push_str(if index == 0 {
            "\n        "
        } else {
            ",\n        "
        });
        string(out, item);
    }
    out.push_str("\n      ]");
}

/// `text` as a JSON string, escaped as serde_json escapes.
fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_fixed() {
        let statements = [
            Statement {
                actions: vec!["dbs:A".into(), "dbs:B".into()],
                resources: vec!["*".into()],
            },
            Statement {
                actions: vec!["edge:Q\"uote".into()],
                resources: vec!["back\\slash\n\t\u{1}\u{8}\u{c}\r é".into()],
            },
        ];
        assert_eq!(
            document(&statements),
            r#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "dbs:A",
        "dbs:B"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "edge:Q\"uote"
      ],
      "Resource": [
        "back\\slash\n\t\u0001\b\f\r é"
      ]
    }
  ]
}"#
        );
        assert_eq!(
            document(&[]),
            "{\n  \"Version\": \"1\",\n  \"Statement\": []\n}"
        );
    }
}
