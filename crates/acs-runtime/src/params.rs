//! How request parameter values become wire parameters.
//!
//! RPC APIs take structured values flattened into names: a list as `Name.1`, `Name.2`, an
//! object as `Name.Key`, a list of objects as `Name.1.Key` (Alibaba's `repeatList` and `flat`
//! styles), or the whole value JSON-encoded into one parameter (`json` style). Generated types
//! implement [`ParamValue`] member by member, so flattening nests to any depth.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// The query string.
    Query,
    /// The body: form fields for RPC, a JSON document for ROA.
    Body,
    /// A placeholder of the path template.
    Path,
    /// An HTTP header.
    Header,
    /// Part of the host name.
    Host,
}

/// A value that can be flattened into `name=value` pairs.
pub trait ParamValue {
    /// Appends this value as pairs named `prefix` (scalars) or `prefix.<sub>` (lists, objects).
    fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>);
}

macro_rules! scalar_param {
    ($($ty:ty),*) => {$(
        impl ParamValue for $ty {
            fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
                out.push((prefix.to_owned(), self.to_string()));
            }
        }
    )*};
}
scalar_param!(String, str, bool, i32, i64, f32, f64);

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        (**self).flatten_into(prefix, out);
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        if let Some(value) = self {
            value.flatten_into(prefix, out);
        }
    }
}

/// `Name.1`, `Name.2`, …: Alibaba's lists count from 1.
impl<T: ParamValue> ParamValue for Vec<T> {
    fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        for (index, item) in self.iter().enumerate() {
            item.flatten_into(&format!("{prefix}.{}", index + 1), out);
        }
    }
}

impl<T: ParamValue> ParamValue for BTreeMap<String, T> {
    fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        for (key, value) in self {
            value.flatten_into(&format!("{prefix}.{key}"), out);
        }
    }
}

impl<T: ParamValue> ParamValue for HashMap<String, T> {
    fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        let mut keys: Vec<&String> = self.keys().collect();
        keys.sort();
        for key in keys {
            self[key].flatten_into(&format!("{prefix}.{key}"), out);
        }
    }
}

/// Untyped values are sent JSON-encoded, the only faithful flat form they have.
impl ParamValue for serde_json::Value {
    fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        match self {
            serde_json::Value::Null => {}
            serde_json::Value::String(text) => out.push((prefix.to_owned(), text.clone())),
            other => out.push((prefix.to_owned(), other.to_string())),
        }
    }
}

/// The parameters of one request, as the generated code fills them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestParams {
    /// Query string pairs, unencoded.
    pub query: Vec<(String, String)>,
    /// Form body pairs (RPC), unencoded.
    pub form: Vec<(String, String)>,
    /// Members of a JSON body (ROA).
    pub json_body: Option<serde_json::Value>,
    /// Path placeholder values, unencoded.
    pub path: Vec<(String, String)>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Host prefix values.
    pub host: Vec<(String, String)>,
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

    /// Adds a value flattened under `name` (simple, `repeatList` and `flat` styles).
    pub fn put(&mut self, position: Position, name: &str, value: &(impl ParamValue + ?Sized)) {
        value.flatten_into(name, self.target(position));
    }

    /// Makes `value` the whole JSON body (ROA operations whose body is one structured
    /// parameter).
    pub fn set_json_body(&mut self, value: &(impl Serialize + ?Sized)) {
        self.json_body = Some(to_json(value));
    }

    /// Sets one member of the JSON body object (ROA operations with several body parameters).
    pub fn put_json_member(&mut self, name: &str, value: &(impl Serialize + ?Sized)) {
        let body = self
            .json_body
            .get_or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let serde_json::Value::Object(members) = body {
            members.insert(name.to_owned(), to_json(value));
        }
    }

    /// Adds a value JSON-encoded into one parameter (`json` style).
    pub fn put_json(&mut self, position: Position, name: &str, value: &(impl Serialize + ?Sized)) {
        let encoded = match to_json(value) {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        self.target(position).push((name.to_owned(), encoded));
    }
}

fn to_json(value: &(impl Serialize + ?Sized)) -> serde_json::Value {
    match serde_json::to_value(value) {
        Ok(json) => json,
        // Generated types serialize infallibly: string keys only, no custom serializers
        // that fail.
        Err(error) => unreachable!("generated types always serialize: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_count_from_one_and_nest() {
        let mut params = RequestParams::default();
        params.put(
            Position::Query,
            "Ids",
            &vec!["a".to_owned(), "b".to_owned()],
        );
        let mut tags = BTreeMap::new();
        tags.insert("Env".to_owned(), "prod".to_owned());
        params.put(Position::Query, "Tag", &vec![tags]);
        params.put(Position::Query, "Absent", &None::<String>);
        assert_eq!(
            params.query,
            vec![
                ("Ids.1".to_owned(), "a".to_owned()),
                ("Ids.2".to_owned(), "b".to_owned()),
                ("Tag.1.Env".to_owned(), "prod".to_owned()),
            ]
        );
    }

    #[test]
    fn json_style_encodes_the_whole_value() {
        let mut params = RequestParams::default();
        params.put_json(Position::Query, "InstanceIds", &vec!["i-1", "i-2"]);
        params.put_json(Position::Query, "Name", "plain");
        assert_eq!(params.query[0].1, r#"["i-1","i-2"]"#);
        assert_eq!(params.query[1].1, "plain");
    }
}
