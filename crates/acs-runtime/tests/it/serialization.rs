//! Flattening of list and object parameters, checked against the examples in Alibaba's V3
//! signature documentation (tests/fixtures/serialization/).

use std::collections::BTreeMap;

use acs_runtime::{Position, RequestParams};
use serde_json::Value;

/// Puts one documented input value with the Rust type a generated client would use for it.
fn put_typed(params: &mut RequestParams, name: &str, value: &Value) {
    match value {
        Value::String(text) => params.put(Position::Query, name, text),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let list: Vec<String> = items
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            params.put(Position::Query, name, &list);
        }
        Value::Array(items) => {
            let list: Vec<BTreeMap<String, String>> = items
                .iter()
                .map(|item| {
                    item.as_object()
                        .expect("lists of strings or of objects")
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                        .collect()
                })
                .collect();
            params.put(Position::Query, name, &list);
        }
        other => panic!("no typed form for {other}"),
    }
}

#[test]
fn documented_flattening_examples() {
    let fixture: Value = serde_json::from_str(include_str!(
        "../fixtures/serialization/v3-parameter-flattening.json"
    ))
    .unwrap();
    let examples = fixture["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 3);
    for example in examples {
        let mut params = RequestParams::default();
        for (name, value) in example["input"].as_object().unwrap() {
            put_typed(&mut params, name, value);
        }
        let mut actual = params.query.clone();
        actual.sort();
        let mut expected: Vec<(String, String)> = example["expected"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        expected.sort();
        assert_eq!(actual, expected, "example {}", example["input"]);
    }
}
