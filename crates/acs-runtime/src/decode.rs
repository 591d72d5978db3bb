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
//!   [`ServiceError::retry_after`]; HTTP 429 and `Throttling*` codes mark throttling
//!   ([`ServiceError::is_throttling`]);
//! - a body that is not a JSON object gives an empty code and the start of the body as message;
//!   [`ServiceError::body`] always holds the whole raw body.
//!
//! Success bodies are parsed once ([`crate::json`]) and handed to the output type; a body that
//! does not fit is a [`DecodeError`] naming the field, never its value.

use std::time::Duration;

use crate::error::{DecodeError, ServiceError};
use crate::json::{self, ParseFailure, Value};
use crate::operation::{BodyKind, FromResponse, ResponseBody};
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

/// A successful answer's body, read as `kind` says, with the request id when the answer
/// carried one.
#[derive(Debug)]
pub(crate) struct Success {
    pub body: ResponseBody,
    pub request_id: Option<String>,
}

/// Why an answer gave neither a body nor the service's error.
#[derive(Debug)]
pub(crate) enum AnswerFailure {
    Response(ResponseError),
    /// The call's deadline passed while the body was being parsed.
    OutOfTime,
}

impl From<ResponseError> for AnswerFailure {
    fn from(error: ResponseError) -> Self {
        AnswerFailure::Response(error)
    }
}

/// Decodes `response` into `T`: the output for a success answer, else the service's error.
pub fn decode_response<T: FromResponse>(
    response: HttpResponse,
    kind: BodyKind,
) -> Result<T, ResponseError> {
    let status = response.status;
    let success = match read_answer(response, kind, None) {
        Ok(success) => success,
        Err(AnswerFailure::Response(error)) => return Err(error),
        Err(AnswerFailure::OutOfTime) => unreachable!("no deadline was given"),
    };
    T::from_response(success.body).map_err(|error| {
        ResponseError::Decode(DecodeError::new(
            status,
            success.request_id,
            error.to_string(),
        ))
    })
}

/// Splits an answer into a success body or the service's error, parsing a JSON body only until
/// `deadline`.
pub(crate) fn read_answer(
    response: HttpResponse,
    kind: BodyKind,
    deadline: Option<std::time::Instant>,
) -> Result<Success, AnswerFailure> {
    if !(200..300).contains(&response.status) {
        return Err(ResponseError::Service(service_error_before(&response, deadline)).into());
    }
    let header_id = header_request_id(&response);
    let body = match kind {
        BodyKind::Binary => ResponseBody::Binary(response.body),
        BodyKind::Text => ResponseBody::Text(String::from_utf8_lossy(&response.body).into_owned()),
        BodyKind::Json => {
            let parsed = if response.body.iter().all(u8::is_ascii_whitespace) {
                // No body (some ROA operations): every output field is absent.
                Value::Null
            } else {
                match json::parse_before(&response.body, deadline) {
                    Ok(parsed) => parsed,
                    Err(ParseFailure::OutOfTime) => return Err(AnswerFailure::OutOfTime),
                    Err(ParseFailure::Syntax(error)) => {
                        return Err(ResponseError::Decode(DecodeError::new(
                            response.status,
                            header_id,
                            format!("the body is not JSON: {error}"),
                        ))
                        .into());
                    }
                }
            };
            if matches!(parsed.get("Success"), Some(Value::Bool(false))) {
                return Err(ResponseError::Service(error_from_document(
                    &response, &parsed, header_id,
                ))
                .into());
            }
            let request_id = header_id.or_else(|| {
                ["RequestId", "requestId"]
                    .into_iter()
                    .find_map(|key| parsed.get(key).and_then(scalar_string))
            });
            return Ok(Success {
                body: ResponseBody::Json(parsed),
                request_id,
            });
        }
    };
    Ok(Success {
        body,
        request_id: header_id,
    })
}

fn header_request_id(response: &HttpResponse) -> Option<String> {
    response
        .header(REQUEST_ID_HEADER)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// The [`ServiceError`] an error answer stands for (see the module documentation).
pub fn service_error(response: &HttpResponse) -> ServiceError {
    service_error_before(response, None)
}

/// [`service_error`], parsing the body only until `deadline`: past it the body is read as text,
/// as if it were not JSON, so an error answer never holds the call past its budget.
fn service_error_before(
    response: &HttpResponse,
    deadline: Option<std::time::Instant>,
) -> ServiceError {
    let header_id = header_request_id(response);
    match json::parse_before(&response.body, deadline) {
        Ok(document @ Value::Object(_)) => error_from_document(response, &document, header_id),
        _ => {
            let body = String::from_utf8_lossy(&response.body).into_owned();
            ServiceError::new(String::new(), snippet(&body), header_id, response.status)
                .with_retry_after(retry_after(response))
                .with_body(body)
        }
    }
}

fn error_from_document(
    response: &HttpResponse,
    document: &Value,
    header_id: Option<String>,
) -> ServiceError {
    let body = String::from_utf8_lossy(&response.body).into_owned();
    let first = |keys: &[&str]| {
        keys.iter()
            .filter_map(|key| document.get(key))
            .find_map(scalar_string)
    };
    let code = first(&["Code", "code", "ErrCode"]);
    let message = first(&["Message", "message", "ErrMessage"]);
    let request_id = first(&["RequestId", "requestId"]).or(header_id);
    let message = match (&code, message) {
        (None, None) => snippet(&body),
        (_, message) => message.unwrap_or_default(),
    };
    ServiceError::new(
        code.unwrap_or_default(),
        message,
        request_id,
        response.status,
    )
    .with_retry_after(retry_after(response))
    .with_body(body)
}

fn retry_after(response: &HttpResponse) -> Option<Duration> {
    response
        .header(RETRY_AFTER_HEADER)
        .and_then(|value| value.trim().parse::<u64>().ok())
        .filter(|&millis| millis > 0)
        .map(Duration::from_millis)
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) | Value::Number(text) if !text.is_empty() => Some(text.clone()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Headers;
    use crate::json::FromJson;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse::new(status, headers.iter().copied().collect::<Headers>(), body)
    }

    #[derive(Debug, PartialEq)]
    struct Out {
        request_id: Option<String>,
        n: Option<u8>,
    }

    impl FromJson for Out {
        fn from_json(value: Value) -> Result<Self, json::DecodeError> {
            let mut object = value.into_object()?;
            Ok(Out {
                request_id: object.take("RequestId")?,
                n: object.take::<i32>("N")?.map(|n| n as u8),
            })
        }
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
    fn decode_errors_hide_values() {
        let result = decode_response::<Out>(
            response(200, &[], r#"{"RequestId":"R","N":"topsecret"}"#),
            BodyKind::Json,
        );
        let Err(ResponseError::Decode(error)) = result else {
            panic!("expected a decode error: {result:?}");
        };
        assert!(!error.message.contains("topsecret"), "{}", error.message);
        assert!(error.message.contains("`N`"), "{}", error.message);
        assert_eq!(error.request_id.as_deref(), Some("R"));
    }

    #[test]
    fn empty_success_body_decodes_into_absent_fields() {
        assert_eq!(
            decode_response::<Out>(response(200, &[], ""), BodyKind::Json),
            Ok(Out {
                request_id: None,
                n: None
            })
        );
    }

    #[test]
    fn success_false_is_a_service_error() {
        let result = decode_response::<Out>(
            response(
                200,
                &[],
                r#"{"Success":false,"ErrCode":"Param.NotFound","ErrMessage":"m","RequestId":"R"}"#,
            ),
            BodyKind::Json,
        );
        let Err(ResponseError::Service(error)) = result else {
            panic!("{result:?}");
        };
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("Param.NotFound", "m")
        );
        assert_eq!(error.request_id.as_deref(), Some("R"));
    }
}
