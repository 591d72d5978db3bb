//! XML request bodies (the OSS gateway's): any request value as a document.

use super::{WireRef, WireValue};

/// `value` as an XML document whose root element is `root`: a structure's members as child
/// elements by wire name (unset ones left out), a list as its member's element repeated, a
/// map's entries as elements named by their keys, untyped JSON likewise.
pub fn to_xml(root: &str, value: &dyn WireValue) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    write_element(&mut out, root, value);
    out.into_bytes()
}

fn write_element(out: &mut String, name: &str, value: &dyn WireValue) {
    match value.wire() {
        WireRef::Absent => {}
        WireRef::List(list) => list.items(&mut |item| write_element(out, name, item)),
        WireRef::Json(json) => write_json(out, name, json),
        scalar_or_container => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match scalar_or_container {
                WireRef::Struct(fields) => {
                    fields.wire_fields(&mut |key, item| write_element(out, key, item));
                }
                WireRef::Map(map) => map.entries(&mut |key, item| write_element(out, key, item)),
                WireRef::Bool(flag) => out.push_str(if flag { "true" } else { "false" }),
                WireRef::Int(number) => out.push_str(&number.to_string()),
                WireRef::Float32(number) => out.push_str(&number.to_string()),
                WireRef::Float64(number) => out.push_str(&number.to_string()),
                WireRef::Str(text) => out.push_str(&quick_xml::escape::escape(text)),
                WireRef::Absent | WireRef::List(_) | WireRef::Json(_) => {}
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

fn write_json(out: &mut String, name: &str, json: &serde_json::Value) {
    use serde_json::Value;
    match json {
        Value::Null => {}
        Value::Array(items) => items.iter().for_each(|item| write_json(out, name, item)),
        _ => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match json {
                Value::Object(members) => {
                    for (key, value) in members {
                        write_json(out, key, value);
                    }
                }
                Value::String(text) => out.push_str(&quick_xml::escape::escape(text)),
                other => out.push_str(&other.to_string()),
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Upload {
        parts: Vec<Tag>,
        note: Option<String>,
    }

    struct Tag {
        number: i64,
        etag: String,
    }

    impl crate::params::WireStruct for Tag {
        fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
            visit("PartNumber", &self.number);
            visit("ETag", &self.etag);
        }
    }

    impl crate::params::WireStruct for Upload {
        fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
            visit("Part", &self.parts);
            visit("Note", &self.note);
        }
    }

    #[test]
    fn requests_encode_lists_as_repeated_elements() {
        let upload = Upload {
            parts: vec![
                Tag {
                    number: 1,
                    etag: "\"a<b\"".into(),
                },
                Tag {
                    number: 2,
                    etag: "e2".into(),
                },
            ],
            note: None,
        };
        let xml = String::from_utf8(to_xml("CompleteMultipartUpload", &upload)).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&lt;b&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>e2</ETag></Part></CompleteMultipartUpload>"
        );
    }
}
