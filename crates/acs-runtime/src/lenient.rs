//! Tolerant decoding of scalar response fields.
//!
//! Alibaba's services sometimes send a number or boolean as a string (`"200"`, `"true"`), or an
//! empty string for "no value", where the metadata documents a number. One such field would
//! otherwise fail the whole response, so generated response types decode their scalar fields
//! through [`option`].

use std::fmt::Display;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// Decodes `T` written either as itself or as a string holding it; `null` and `""` are `None`.
pub fn option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromStr,
    T::Err: Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written<T> {
        Value(T),
        Text(String),
    }
    match Option::<Written<T>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Written::Value(value)) => Ok(Some(value)),
        Some(Written::Text(text)) if text.trim().is_empty() => Ok(None),
        Some(Written::Text(text)) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|error| D::Error::custom(format!("`{text}`: {error}"))),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Body {
        #[serde(rename = "N", deserialize_with = "super::option")]
        n: Option<i32>,
        #[serde(rename = "F", deserialize_with = "super::option")]
        f: Option<bool>,
    }

    fn decode(json: &str) -> Result<Body, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_and_booleans_may_be_strings() {
        let expected = Body {
            n: Some(200),
            f: Some(true),
        };
        assert_eq!(decode(r#"{"N": 200, "F": true}"#).unwrap(), expected);
        assert_eq!(decode(r#"{"N": "200", "F": "true"}"#).unwrap(), expected);
        assert_eq!(decode(r#"{"N": " 200 "}"#).unwrap().n, Some(200));
    }

    #[test]
    fn absent_null_and_empty_are_none() {
        assert_eq!(decode("{}").unwrap(), Body::default());
        assert_eq!(decode(r#"{"N": null, "F": ""}"#).unwrap(), Body::default());
    }

    #[test]
    fn other_text_is_still_an_error_naming_the_value() {
        let error = decode(r#"{"N": "two hundred"}"#).unwrap_err().to_string();
        assert!(error.contains("`two hundred`"), "{error}");
        assert!(decode(r#"{"N": [1]}"#).is_err());
    }
}
