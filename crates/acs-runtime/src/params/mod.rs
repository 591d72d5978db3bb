//! How request parameter values become wire parameters.
//!
//! Generated request types hand each parameter to [`RequestParams`] as a `&dyn` [`WireValue`]:
//! a small data model ([`WireRef`]: scalars, lists, maps, structs) that the runtime walks to
//! produce every wire form Alibaba uses, so the per-operation code is one line per parameter
//! and the serializers are compiled once, here:
//!
//! - flattened (`repeatList` and `flat` styles): a list as `Name.1`, `Name.2`, an object as
//!   `Name.Key`, a list of objects as `Name.1.Key`, to any depth;
//! - joined (`simple` style on a list): `Name=a,b`;
//! - JSON-encoded into one parameter (`json` style), or as the JSON body of an ROA request.
//!
//! Generated structs implement [`WireStruct`] (their members by wire name) and generated
//! string enums implement [`WireValue`] directly.

use std::collections::{BTreeMap, HashMap};

pub mod log_group;
mod xml;

pub use xml::to_xml;

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// The query string.
    Query,
    /// The body: form fields for RPC (and for ROA operations that send forms).
    Body,
    /// A placeholder of the path template.
    Path,
    /// An HTTP header.
    Header,
    /// Part of the host name.
    Host,
}

/// A parameter value, seen the way the serializers need it.
#[derive(Clone, Copy)]
pub enum WireRef<'a> {
    /// Nothing to send (an unset optional value).
    Absent,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A 32-bit float.
    Float32(f32),
    /// A 64-bit float.
    Float64(f64),
    /// Text.
    Str(&'a str),
    /// A list, counted from 1 when flattened.
    List(&'a dyn WireList),
    /// A string-keyed map.
    Map(&'a dyn WireMap),
    /// A structure with wire-named members.
    Struct(&'a dyn WireStruct),
    /// Untyped JSON.
    Json(&'a serde_json::Value),
}

/// A value that can be sent as a request parameter.
pub trait WireValue {
    /// The value, for the serializers.
    fn wire(&self) -> WireRef<'_>;
}

/// A structure's members, by wire name; implemented by generated request types.
pub trait WireStruct {
    /// Calls `visit` with each member's wire name and value, in declaration order.
    fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue));
}

/// The items of a list.
pub trait WireList {
    /// Calls `visit` with each item, in order.
    fn items(&self, visit: &mut dyn FnMut(&dyn WireValue));
}

/// The entries of a map.
pub trait WireMap {
    /// Calls `visit` with each key and value, keys in ascending order.
    fn entries(&self, visit: &mut dyn FnMut(&str, &dyn WireValue));
}

impl<T: WireStruct> WireValue for T {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Struct(self)
    }
}

impl WireValue for String {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Str(self)
    }
}

impl WireValue for str {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Str(self)
    }
}

impl WireValue for bool {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Bool(*self)
    }
}

impl WireValue for i32 {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Int(i64::from(*self))
    }
}

impl WireValue for i64 {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Int(*self)
    }
}

impl WireValue for f32 {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Float32(*self)
    }
}

impl WireValue for f64 {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Float64(*self)
    }
}

impl WireValue for serde_json::Value {
    fn wire(&self) -> WireRef<'_> {
        match self {
            serde_json::Value::Null => WireRef::Absent,
            json => WireRef::Json(json),
        }
    }
}

impl WireValue for &str {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Str(self)
    }
}

/// Recursive structures hold their own type boxed.
impl<T: WireStruct> WireStruct for Box<T> {
    fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
        (**self).wire_fields(visit);
    }
}

impl<T: WireValue> WireValue for Option<T> {
    fn wire(&self) -> WireRef<'_> {
        match self {
            Some(value) => value.wire(),
            None => WireRef::Absent,
        }
    }
}

impl<T: WireValue> WireValue for Vec<T> {
    fn wire(&self) -> WireRef<'_> {
        WireRef::List(self)
    }
}

impl<T: WireValue> WireList for Vec<T> {
    fn items(&self, visit: &mut dyn FnMut(&dyn WireValue)) {
        for item in self {
            visit(item);
        }
    }
}

impl<T: WireValue> WireValue for BTreeMap<String, T> {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Map(self)
    }
}

impl<T: WireValue> WireMap for BTreeMap<String, T> {
    fn entries(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
        for (key, value) in self {
            visit(key, value);
        }
    }
}

impl<T: WireValue> WireValue for HashMap<String, T> {
    fn wire(&self) -> WireRef<'_> {
        WireRef::Map(self)
    }
}

impl<T: WireValue> WireMap for HashMap<String, T> {
    fn entries(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
        let mut keys: Vec<&String> = self.keys().collect();
        keys.sort();
        for key in keys {
            visit(key, &self[key]);
        }
    }
}

/// What a builder's setter accepts for a parameter of type `T`: a value of `T` (or a string
/// slice for a `String`), or an `Option` of one, `None` clearing the parameter. One setter per
/// parameter serves both `.name("x")` and `.name(maybe_name)`.
pub trait IntoParam<T> {
    /// The parameter's new setting.
    fn into_param(self) -> Option<T>;
}

impl<T> IntoParam<T> for T {
    fn into_param(self) -> Option<T> {
        Some(self)
    }
}

impl<T> IntoParam<T> for Option<T> {
    fn into_param(self) -> Option<T> {
        self
    }
}

impl IntoParam<String> for &str {
    fn into_param(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl IntoParam<String> for &String {
    fn into_param(self) -> Option<String> {
        Some(self.clone())
    }
}

impl IntoParam<String> for std::borrow::Cow<'_, str> {
    fn into_param(self) -> Option<String> {
        Some(self.into_owned())
    }
}

impl IntoParam<String> for Box<str> {
    fn into_param(self) -> Option<String> {
        Some(self.into())
    }
}

impl IntoParam<Vec<u8>> for &[u8] {
    fn into_param(self) -> Option<Vec<u8>> {
        Some(self.to_vec())
    }
}

macro_rules! into_object_body {
    ($($ty:ty),*) => {$(
        impl IntoParam<crate::stream::ObjectBody> for $ty {
            fn into_param(self) -> Option<crate::stream::ObjectBody> {
                Some(crate::stream::ObjectBody::from(self))
            }
        }
    )*};
}
into_object_body!(Vec<u8>, bytes::Bytes, String, &'static str, &'static [u8]);

impl IntoParam<String> for Option<&str> {
    fn into_param(self) -> Option<String> {
        self.map(str::to_owned)
    }
}

/// Appends `value` flattened under `prefix`: scalars as they are, lists as `prefix.1`, …,
/// maps and structs as `prefix.Key`, untyped JSON JSON-encoded (its only faithful flat form).
fn flatten_into(value: &dyn WireValue, prefix: &str, out: &mut Vec<(String, String)>) {
    match value.wire() {
        WireRef::Absent => {}
        WireRef::List(list) => {
            let mut index = 0;
            list.items(&mut |item| {
                index += 1;
                flatten_into(item, &format!("{prefix}.{index}"), out);
            });
        }
        WireRef::Map(map) => {
            map.entries(&mut |key, item| flatten_into(item, &format!("{prefix}.{key}"), out))
        }
        WireRef::Struct(fields) => {
            fields.wire_fields(&mut |key, item| flatten_into(item, &format!("{prefix}.{key}"), out))
        }
        scalar => {
            if let Some(text) = scalar_text(scalar) {
                out.push((prefix.to_owned(), text));
            }
        }
    }
}

/// The wire text of a scalar (and of untyped JSON); `None` for absent values and containers.
fn scalar_text(value: WireRef<'_>) -> Option<String> {
    Some(match value {
        WireRef::Bool(flag) => flag.to_string(),
        WireRef::Int(number) => number.to_string(),
        WireRef::Float32(number) => number.to_string(),
        WireRef::Float64(number) => number.to_string(),
        WireRef::Str(text) => text.to_owned(),
        WireRef::Json(serde_json::Value::String(text)) => text.clone(),
        WireRef::Json(json) => json.to_string(),
        WireRef::Absent | WireRef::List(_) | WireRef::Map(_) | WireRef::Struct(_) => {
            return None;
        }
    })
}

/// `value` (a generated request or response, or any part of one) as a JSON document, members
/// under their wire names and unset ones left out: what the service sent, for printing or
/// storing a response.
pub fn to_value(value: &dyn WireValue) -> serde_json::Value {
    to_json(value).unwrap_or(serde_json::Value::Null)
}

/// `value` as a JSON document; `None` when absent.
pub(crate) fn to_json(value: &dyn WireValue) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match value.wire() {
        WireRef::Absent => return None,
        WireRef::Bool(flag) => Value::Bool(flag),
        WireRef::Int(number) => Value::from(number),
        WireRef::Float32(number) => Value::from(f64::from(number)),
        WireRef::Float64(number) => Value::from(number),
        WireRef::Str(text) => Value::String(text.to_owned()),
        WireRef::Json(json) => json.clone(),
        WireRef::List(list) => {
            let mut items = Vec::new();
            list.items(&mut |item| items.push(to_json(item).unwrap_or(Value::Null)));
            Value::Array(items)
        }
        WireRef::Map(map) => {
            let mut members = serde_json::Map::new();
            map.entries(&mut |key, item| {
                if let Some(json) = to_json(item) {
                    members.insert(key.to_owned(), json);
                }
            });
            Value::Object(members)
        }
        WireRef::Struct(fields) => {
            let mut members = serde_json::Map::new();
            fields.wire_fields(&mut |key, item| {
                if let Some(json) = to_json(item) {
                    members.insert(key.to_owned(), json);
                }
            });
            Value::Object(members)
        }
    })
}

/// The parameters of one request, as the generated code fills them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestParams {
    /// Query string pairs, unencoded.
    pub query: Vec<(String, String)>,
    /// Form body pairs, unencoded.
    pub form: Vec<(String, String)>,
    /// The JSON body (ROA).
    pub json_body: Option<serde_json::Value>,
    /// Path placeholder values, unencoded.
    pub path: Vec<(String, String)>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The host name's first label (`in: host`: an OSS bucket, an SLS project), by name.
    pub host: Vec<(String, String)>,
    /// The whole body as bytes (an uploaded file, object data), sent as
    /// `application/octet-stream`.
    pub binary_body: Option<crate::stream::ObjectBody>,
    /// The whole body as an XML document (the OSS gateway's bodies).
    pub xml_body: Option<Vec<u8>>,
    /// The whole body as an SLS `LogGroup` in protobuf, before compression.
    pub log_group_body: Option<Vec<u8>>,
}

impl RequestParams {
    fn target(&mut self, position: Position) -> &mut Vec<(String, String)> {
        match position {
            Position::Query => &mut self.query,
            Position::Body => &mut self.form,
            Position::Path => &mut self.path,
            Position::Header => &mut self.headers,
            Position::Host => &mut self.host,
        }
    }

    /// [`RequestParams::put`] in the query string.
    pub fn query(&mut self, name: &str, value: &dyn WireValue) {
        self.put(Position::Query, name, value);
    }

    /// [`RequestParams::put`] in the form body.
    pub fn form(&mut self, name: &str, value: &dyn WireValue) {
        self.put(Position::Body, name, value);
    }

    /// A path placeholder's value.
    pub fn path(&mut self, name: &str, value: &dyn WireValue) {
        self.put(Position::Path, name, value);
    }

    /// [`RequestParams::put`] as a header.
    pub fn header(&mut self, name: &str, value: &dyn WireValue) {
        self.put(Position::Header, name, value);
    }

    /// Adds `value` flattened under `name` (the `simple`, `repeatList` and `flat` styles): a list
    /// as `name.1`, `name.2`, a structure or map as `name.Key`, nested to any depth.
    pub fn put(&mut self, position: Position, name: &str, value: &dyn WireValue) {
        flatten_into(value, name, self.target(position));
    }

    /// Adds a list joined with commas into one parameter (`name=a,b`; the `simple` style on a
    /// list). Other values are added as by [`RequestParams::put`].
    pub fn put_joined(&mut self, position: Position, name: &str, value: &dyn WireValue) {
        let WireRef::List(list) = value.wire() else {
            return self.put(position, name, value);
        };
        let mut joined = String::new();
        let mut any = false;
        list.items(&mut |item| {
            if let Some(text) = scalar_text(item.wire()) {
                if any {
                    joined.push(',');
                }
                joined.push_str(&text);
                any = true;
            }
        });
        self.target(position).push((name.to_owned(), joined));
    }

    /// Adds `value` JSON-encoded into one parameter (the `json` style); a string is sent as
    /// it is.
    pub fn put_json(&mut self, position: Position, name: &str, value: &dyn WireValue) {
        let encoded = match to_json(value) {
            None => return,
            Some(serde_json::Value::String(text)) => text,
            Some(other) => other.to_string(),
        };
        self.target(position).push((name.to_owned(), encoded));
    }

    /// Makes `value` the whole JSON body (an ROA operation whose body is one structured
    /// parameter).
    pub fn set_json_body(&mut self, value: &dyn WireValue) {
        if let Some(json) = to_json(value) {
            self.json_body = Some(json);
        }
    }

    /// Makes `bytes` the whole body (a parameter of type `binary`); `None` sends no body.
    pub fn set_binary_body(&mut self, bytes: Option<&[u8]>) {
        if let Some(bytes) = bytes {
            self.binary_body = Some(crate::stream::ObjectBody::from(bytes.to_vec()));
        }
    }

    /// Makes `body` the whole body (object data: bytes, a file, a reader); `None` sends no
    /// body. A reader is shared with `body`, not copied.
    pub fn set_object_body(&mut self, body: &Option<crate::stream::ObjectBody>) {
        if let Some(body) = body {
            self.binary_body = Some(body.clone());
        }
    }

    /// The host name's first label (`in: host`).
    pub fn host(&mut self, name: &str, value: &dyn WireValue) {
        self.put(Position::Host, name, value);
    }

    /// Makes `value` the whole body, an XML document whose root element is `root`.
    pub fn set_xml_body(&mut self, root: &str, value: &dyn WireValue) {
        if !matches!(value.wire(), WireRef::Absent) {
            self.xml_body = Some(to_xml(root, value));
        }
    }

    /// Makes `value` (an SLS `LogGroup`) the whole body, in protobuf.
    pub fn set_log_group_body(&mut self, value: &dyn WireValue) {
        if !matches!(value.wire(), WireRef::Absent) {
            self.log_group_body = Some(log_group::encode(value));
        }
    }

    /// Sets one member of the JSON body object (an ROA operation with several body
    /// parameters).
    pub fn put_json_member(&mut self, name: &str, value: &dyn WireValue) {
        let Some(json) = to_json(value) else { return };
        let body = self
            .json_body
            .get_or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let serde_json::Value::Object(members) = body {
            members.insert(name.to_owned(), json);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tag {
        key: String,
        value: Option<String>,
    }

    impl WireStruct for Tag {
        fn wire_fields(&self, visit: &mut dyn FnMut(&str, &dyn WireValue)) {
            visit("Key", &self.key);
            visit("Value", &self.value);
        }
    }

    #[test]
    fn lists_count_from_one_and_nest() {
        let mut params = RequestParams::default();
        params.put(
            Position::Query,
            "Ids",
            &vec!["a".to_owned(), "b".to_owned()],
        );
        let tags = vec![
            Tag {
                key: "Env".into(),
                value: Some("prod".into()),
            },
            Tag {
                key: "Team".into(),
                value: None,
            },
        ];
        params.put(Position::Query, "Tag", &tags);
        params.put(Position::Query, "Absent", &None::<String>);
        assert_eq!(
            params.query,
            vec![
                ("Ids.1".to_owned(), "a".to_owned()),
                ("Ids.2".to_owned(), "b".to_owned()),
                ("Tag.1.Key".to_owned(), "Env".to_owned()),
                ("Tag.1.Value".to_owned(), "prod".to_owned()),
                ("Tag.2.Key".to_owned(), "Team".to_owned()),
            ]
        );
    }

    #[test]
    fn simple_lists_are_comma_joined() {
        let mut params = RequestParams::default();
        params.put_joined(Position::Query, "ClusterIds", &vec!["c1", "c2"]);
        params.put_joined(Position::Query, "One", &"x");
        assert_eq!(
            params.query,
            vec![
                ("ClusterIds".to_owned(), "c1,c2".to_owned()),
                ("One".to_owned(), "x".to_owned())
            ]
        );
    }

    #[test]
    fn json_style_encodes_the_whole_value() {
        let mut params = RequestParams::default();
        params.put_json(Position::Query, "InstanceIds", &vec!["i-1", "i-2"]);
        params.put_json(Position::Query, "Name", &"plain");
        params.put_json(
            Position::Query,
            "Tags",
            &vec![Tag {
                key: "k".into(),
                value: None,
            }],
        );
        params.put_json(Position::Query, "Unset", &None::<i32>);
        assert_eq!(params.query[0].1, r#"["i-1","i-2"]"#);
        assert_eq!(params.query[1].1, "plain");
        assert_eq!(params.query[2].1, r#"[{"Key":"k"}]"#);
        assert_eq!(params.query.len(), 3);
    }

    #[test]
    fn json_body_members_and_whole_bodies() {
        let mut params = RequestParams::default();
        params.put_json_member("name", &"n");
        params.put_json_member("count", &3);
        params.put_json_member("unset", &None::<String>);
        assert_eq!(
            params.json_body,
            Some(serde_json::json!({"name": "n", "count": 3}))
        );
        let mut whole = RequestParams::default();
        whole.set_json_body(&Tag {
            key: "k".into(),
            value: Some("v".into()),
        });
        assert_eq!(
            whole.json_body,
            Some(serde_json::json!({"Key": "k", "Value": "v"}))
        );
    }
}
