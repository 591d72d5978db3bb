//! Turning an HTTP answer into the operation's output or a [`ServiceError`].
//!
//! Errors are read as the official SDK (`alibabacloud-tea-openapi` 0.4.6) reads them, with two
//! deliberate differences:
//!
//! - any status outside 2xx is an error; the fields come from a JSON body: code from `Code` or
//!   `code`, message from `Message` or `message`, request id from `RequestId` or `requestId`
//!   (else the `x-acs-request-id` header);
//! - **difference 1:** when `Code`/`Message` are absent, `ErrCode`/`ErrMessage` are used (the SDK
//!   reports the string `"None"`);
//! - **difference 2:** HTTP 200 with `"Success": false` is an error carrying `ErrCode`/
//!   `ErrMessage` (the SDK returns it as a success);
//! - `x-acs-retry-after` (a positive integer, in milliseconds) becomes
//!   [`ServiceError::retry_after`]; together with HTTP 429 and `Throttling*` codes it marks
//!   throttling ([`ServiceError::is_throttling`]);
//! - a body that is not a JSON object gives an empty code and the start of the body as message;
//!   [`ServiceError::body`] always holds the whole raw body.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{DecodeError, ServiceError};
use crate::transport::HttpResponse;

/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";
/// Response header by which the service asks the client to wait, in milliseconds.
pub const RETRY_AFTER_HEADER: &str = "x-acs-retry-after";

/// The longest piece of a non-JSON error body kept as the error message, in bytes.
const MESSAGE_SNIPPET_LEN: usize = 512;

/// Why a response did not decode into the operation's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// The service answered with an error.
    Service(ServiceError),
    /// A success answer whose body does not fit the output type.
    Decode(DecodeError),
}

/// Decodes `response`: the output for a success answer, else the service's error.
pub fn decode_response<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, ResponseError> {
    decode_with_request_id(response).0
}

/// Like [`decode_response`], also returning the request id when one was found cheaply (header,
/// or the body of an error).
pub(crate) fn decode_with_request_id<T: DeserializeOwned>(
    response: &HttpResponse,
) -> (Result<T, ResponseError>, Option<String>) {
    let header_id = response
        .header(REQUEST_ID_HEADER)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    if !(200..300).contains(&response.status) {
        let error = service_error(response);
        let id = error.request_id.clone();
        return (Err(ResponseError::Service(error)), id);
    }

    // A light first look: `Success` and the request id, without building a document tree.
    let probe = serde_json::from_slice::<Probe>(&response.body).ok();
    if let Some(probe) = &probe
        && probe.success == Some(Value::Bool(false))
    {
        let error = service_error(response);
        let id = error.request_id.clone();
        return (Err(ResponseError::Service(error)), id);
    }
    let request_id = header_id.or_else(|| {
        probe.and_then(|probe| {
            [probe.request_id, probe.request_id_lower]
                .into_iter()
                .flatten()
                .find_map(|value| scalar_string(&value))
        })
    });

    let result = if response.body.iter().all(u8::is_ascii_whitespace) {
        // No body (some ROA operations): an output whose fields are all optional, or `()`.
        serde_json::from_str::<T>("{}").or_else(|_| serde_json::from_str::<T>("null"))
    } else {
        serde_json::from_slice::<T>(&response.body)
    };
    let result = result.map_err(|error| {
        ResponseError::Decode(DecodeError::new(
            response.status,
            request_id.clone(),
            redact_quoted(&error.to_string()),
        ))
    });
    (result, request_id)
}

#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "Success")]
    success: Option<Value>,
    #[serde(rename = "RequestId")]
    request_id: Option<Value>,
    #[serde(rename = "requestId")]
    request_id_lower: Option<Value>,
}

/// The [`ServiceError`] an error answer stands for (see the module documentation).
pub fn service_error(response: &HttpResponse) -> ServiceError {
    let body = String::from_utf8_lossy(&response.body).into_owned();
    let retry_after = response
        .header(RETRY_AFTER_HEADER)
        .and_then(|value| value.trim().parse::<u64>().ok())
        .filter(|&millis| millis > 0)
        .map(Duration::from_millis);
    let header_id = response
        .header(REQUEST_ID_HEADER)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);

    let (code, message, request_id) = match serde_json::from_slice::<Value>(&response.body) {
        Ok(Value::Object(fields)) => {
            let code = first_field(&fields, &["Code", "code", "ErrCode"]);
            let message = first_field(&fields, &["Message", "message", "ErrMessage"]);
            let request_id = first_field(&fields, &["RequestId", "requestId"]);
            let message = match (&code, message) {
                (None, None) => snippet(&body),
                (_, message) => message.unwrap_or_default(),
            };
            (code.unwrap_or_default(), message, request_id.or(header_id))
        }
        _ => (String::new(), snippet(&body), header_id),
    };
    ServiceError::new(code, message, request_id, response.status)
        .with_retry_after(retry_after)
        .with_body(body)
}

/// The first of `keys` with a non-empty scalar value, as a string.
fn first_field(fields: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|key| fields.get(*key))
        .find_map(scalar_string)
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The start of `body`, trimmed, cut at a character boundary.
fn snippet(body: &str) -> String {
    let body = body.trim();
    if body.len() <= MESSAGE_SNIPPET_LEN {
        return body.to_owned();
    }
    let mut end = MESSAGE_SNIPPET_LEN;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &body[..end])
}

/// Replaces the contents of `"…"` in a serde_json message: a response value quoted there could
/// be a secret (an AccessKey secret returned by an API, say). Field names (in backticks), types
/// and positions stay.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if inside {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse::new(
            status,
            headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            body,
        )
    }

    #[test]
    fn non_json_error_body_becomes_a_truncated_message() {
        let long = "x".repeat(2000);
        let error = service_error(&response(502, &[(REQUEST_ID_HEADER, "H")], &long));
        assert_eq!(error.code, "");
        assert!(error.message.len() < 600);
        assert_eq!(error.body, long);
        assert_eq!(error.request_id.as_deref(), Some("H"));
        assert_eq!(error.http_status, 502);

        let html = service_error(&response(503, &[], "<html>Service Unavailable</html>"));
        assert_eq!(html.message, "<html>Service Unavailable</html>");
    }

    #[test]
    fn snippet_cuts_at_a_character_boundary() {
        let text = "数".repeat(400);
        let cut = snippet(&text);
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= MESSAGE_SNIPPET_LEN + '…'.len_utf8());
    }

    #[test]
    fn retry_after_must_be_a_positive_integer() {
        for (value, expected) in [
            ("1500", Some(1500)),
            ("0", None),
            ("-1", None),
            ("soon", None),
        ] {
            let error = service_error(&response(429, &[("X-Acs-Retry-After", value)], "{}"));
            assert_eq!(
                error.retry_after,
                expected.map(Duration::from_millis),
                "{value}"
            );
        }
    }

    #[test]
    fn decode_errors_hide_quoted_values() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Out {
            #[serde(rename = "N")]
            n: u32,
        }
        let result =
            decode_response::<Out>(&response(200, &[], r#"{"RequestId":"R","N":"topsecret"}"#));
        let Err(ResponseError::Decode(error)) = result else {
            panic!("expected a decode error: {result:?}");
        };
        assert!(!error.message.contains("topsecret"), "{}", error.message);
        assert_eq!(error.request_id.as_deref(), Some("R"));
    }

    #[test]
    fn empty_success_body_decodes_into_unit_and_optional_structs() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Out {
            #[serde(rename = "RequestId")]
            request_id: Option<String>,
        }
        assert_eq!(decode_response::<()>(&response(204, &[], "")), Ok(()));
        assert_eq!(
            decode_response::<Out>(&response(200, &[], "")),
            Ok(Out { request_id: None })
        );
    }
}
