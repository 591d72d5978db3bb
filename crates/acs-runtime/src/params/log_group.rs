//! SLS's `LogGroup` in protobuf, the body of `PutLogs`, written by hand: the metadata describes
//! the structure (`Topic`, `Source`, `LogTags[Key, Value]`, `LogItems[Time, Contents[Key,
//! Value]]`) but not its protobuf field numbers, which are SLS's `log.proto`:
//!
//! ```text
//! message LogGroup { repeated Log Logs = 1; optional string Reserved = 2; optional string Topic = 3;
//!                    optional string Source = 4; repeated LogTag LogTags = 6; }
//! message Log      { required uint32 Time = 1; repeated Content Contents = 2; optional fixed32 Time_ns = 4; }
//! message Content  { required string Key = 1; required string Value = 2; }   // LogTag alike
//! ```
//!
//! The encoder walks any [`WireValue`] by member names (the generated `LogGroup` type, or one of
//! the caller's own), so generated code needs nothing of its own; names it does not know are
//! left out. Compression (`x-log-compresstype: lz4`) is the request's business.

use super::{WireRef, WireValue};

/// `value` (a `LogGroup`) in protobuf.
pub fn encode(value: &dyn WireValue) -> Vec<u8> {
    let mut out = Vec::new();
    message(&mut out, value, &|name| match name {
        "Logs" | "LogItems" => Some((1, Kind::Message(Message::Log))),
        "Reserved" => Some((2, Kind::Text)),
        "Topic" => Some((3, Kind::Text)),
        "Source" => Some((4, Kind::Text)),
        "LogTags" => Some((6, Kind::Message(Message::Pair))),
        _ => None,
    });
    out
}

#[derive(Clone, Copy)]
enum Message {
    Log,
    Pair,
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Varint,
    Fixed32,
    Message(Message),
}

type Fields<'a> = &'a dyn Fn(&str) -> Option<(u32, Kind)>;

fn fields_of(message: Message) -> impl Fn(&str) -> Option<(u32, Kind)> {
    move |name| match (message, name) {
        (Message::Log, "Time") => Some((1, Kind::Varint)),
        (Message::Log, "Contents") => Some((2, Kind::Message(Message::Pair))),
        (Message::Log, "Time_ns" | "TimeNs") => Some((4, Kind::Fixed32)),
        (Message::Pair, "Key") => Some((1, Kind::Text)),
        (Message::Pair, "Value") => Some((2, Kind::Text)),
        _ => None,
    }
}

fn message(out: &mut Vec<u8>, value: &dyn WireValue, fields: Fields<'_>) {
    let WireRef::Struct(members) = value.wire() else {
        return;
    };
    members.wire_fields(&mut |name, member| {
        if let Some((number, kind)) = fields(name) {
            field(out, number, kind, member);
        }
    });
}

fn field(out: &mut Vec<u8>, number: u32, kind: Kind, value: &dyn WireValue) {
    match value.wire() {
        WireRef::Absent => {}
        WireRef::List(items) => items.items(&mut |item| field(out, number, kind, item)),
        wire => match kind {
            Kind::Text => {
                let text = match wire {
                    WireRef::Str(text) => text.to_owned(),
                    WireRef::Int(n) => n.to_string(),
                    WireRef::Bool(b) => b.to_string(),
                    WireRef::Float32(n) => n.to_string(),
                    WireRef::Float64(n) => n.to_string(),
                    _ => return,
                };
                varint(out, u64::from(number << 3 | 2));
                varint(out, text.len() as u64);
                out.extend_from_slice(text.as_bytes());
            }
            Kind::Varint => {
                if let Some(n) = integer(wire) {
                    varint(out, u64::from(number << 3));
                    // uint32: the low 32 bits, as protobuf does.
                    varint(out, n as u64 & 0xFFFF_FFFF);
                }
            }
            Kind::Fixed32 => {
                if let Some(n) = integer(wire) {
                    varint(out, u64::from(number << 3 | 5));
                    out.extend_from_slice(&(n as u32).to_le_bytes());
                }
            }
            Kind::Message(inner) => {
                let mut nested = Vec::new();
                message(&mut nested, value, &fields_of(inner));
                varint(out, u64::from(number << 3 | 2));
                varint(out, nested.len() as u64);
                out.extend_from_slice(&nested);
            }
        },
    }
}

fn integer(wire: WireRef<'_>) -> Option<i64> {
    match wire {
        WireRef::Int(n) => Some(n),
        WireRef::Str(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7F) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// `data` compressed as SLS's `lz4` (an lz4 block, no frame; the raw size travels in
/// `x-log-bodyrawsize`).
pub fn lz4(data: &[u8]) -> Vec<u8> {
    lz4_flex::block::compress(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::WireStruct;

    struct Pair(&'static str, &'static str);
    impl WireStruct for Pair {
        fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
            visit("Key", &self.0);
            visit("Value", &self.1);
        }
    }
    struct Log {
        time: i32,
        contents: Vec<Pair>,
    }
    impl WireStruct for Log {
        fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
            visit("Time", &self.time);
            visit("Contents", &self.contents);
        }
    }
    struct Group {
        topic: Option<String>,
        logs: Vec<Log>,
        tags: Vec<Pair>,
    }
    impl WireStruct for Group {
        fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
            visit("Topic", &self.topic);
            visit("LogItems", &self.logs);
            visit("LogTags", &self.tags);
        }
    }

    #[test]
    fn encodes_sls_log_proto() {
        let group = Group {
            topic: Some("t".into()),
            logs: vec![Log {
                time: 1_690_254_376,
                contents: vec![Pair("k", "v")],
            }],
            tags: vec![Pair("a", "b")],
        };
        // Hand-checked against protoc's encoding of the same message.
        let expected: Vec<u8> = [
            &[0x1a, 1, b't'][..],
            &[
                0x0a, 14, 0x08, 0xa8, 0xf8, 0xfc, 0xa5, 0x06, 0x12, 6, 0x0a, 1, b'k', 0x12, 1, b'v',
            ],
            &[0x32, 6, 0x0a, 1, b'a', 0x12, 1, b'b'],
        ]
        .concat();
        assert_eq!(encode(&group), expected);
        let compressed = lz4(&expected);
        assert_eq!(
            lz4_flex::block::decompress(&compressed, expected.len()).unwrap(),
            expected
        );
    }
}
