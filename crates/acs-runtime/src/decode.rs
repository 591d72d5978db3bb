//! Turning an HTTP answer into the operation's output or a [`ServiceError`].
//!
//! Errors are read as the official SDK (`alibabacloud-tea-openapi` 0.4.6) reads them, with two
//! deliberate differences:
//!
//! - any status outside 2xx is an error; the fields come from a JSON body: code from `Code` or
//!   `code`, message from `Message` or `message`, request id from `RequestId` or `requestId`
//!   (else the `x-acs-request-id` header), and `Recommend` and `HostId` when present;
//! - **difference 1:** when `Code`/`Message` are absent, `ErrCode`/`ErrMessage` are used (the SDK
//!   reports the string `"None"`);
//! - **difference 2:** HTTP 200 with `"Success": false` is an error carrying `ErrCode`/
//!   `ErrMessage` (the SDK returns it as a success);
//! - `x-acs-retry-after` (a positive integer, in milliseconds) becomes
//!   [`ServiceError::retry_after`]; HTTP 429 and `Throttling*` codes mark throttling
//!   ([`ServiceError::is_throttling`]);
//! - a body that is not a JSON object gives an empty code and the start of the body as message.
//!
//! An error answer costs what the [`ServiceError`] keeps: its fields are read from the top
//! level of the body (each cut to a few kilobytes) and the rest is only checked, and
//! [`ServiceError::body`] keeps the body's first [`ServiceError::MAX_BODY`] bytes. A success
//! body is handed to the output type, which reads the members it has ([`crate::json`]); one
//! that does not fit is a [`DecodeError`] naming the field, never its value.

use std::time::{Duration, Instant};

use crate::answer::Summary;
use crate::error::{DecodeError, ServiceError};
use crate::operation::{BodyKind, FromResponse, Gateway, ResponseBody};
use crate::transport::HttpResponse;

/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";
/// The request id headers of the gateways, after [`REQUEST_ID_HEADER`]: OSS's and SLS's.
const GATEWAY_REQUEST_ID_HEADERS: [&str; 2] = ["x-oss-request-id", "x-log-requestid"];
/// OSS's CRC-64/XZ of an object (decimal), on uploads' and downloads' answers.
pub(crate) const OSS_CRC64_HEADER: &str = "x-oss-hash-crc64ecma";

/// Whether an error code says the service refused the request's time (so a corrected clock
/// may succeed): ACS's `InvalidTimeStamp*`, OSS's `RequestTimeTooSkewed`, SLS's
/// `RequestTimeTooSkewed` / `RequestTimeExpired`.
pub(crate) fn refuses_request_time(code: &str) -> bool {
    code.starts_with("InvalidTimeStamp")
        || code == "RequestTimeTooSkewed"
        || code == "RequestTimeExpired"
}
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

/// What an answer is, before the output type reads it.
#[derive(Debug)]
pub(crate) enum Answer {
    /// A success: the body, the headers, and the request id when the answer carried one.
    Success {
        body: ResponseBody,
        headers: crate::Headers,
        request_id: Option<String>,
    },
    /// The service's error.
    Service(ServiceError),
    /// A success whose JSON body is not JSON.
    Undecodable(DecodeError),
    /// The call's deadline passed while the body was being read.
    OutOfTime,
}

/// Decodes `response` into `T`: the output for a success answer, else the service's error.
pub fn decode_response<T: FromResponse>(
    response: HttpResponse,
    kind: BodyKind,
) -> Result<T, ResponseError> {
    let status = response.status;
    match read_answer(response, kind, Gateway::Acs, None) {
        Answer::Success {
            body, request_id, ..
        } => T::from_response(body).map_err(|error| {
            ResponseError::Decode(DecodeError::new(status, request_id, error.to_string()))
        }),
        Answer::Service(error) => Err(ResponseError::Service(error)),
        Answer::Undecodable(error) => Err(ResponseError::Decode(error)),
        Answer::OutOfTime => unreachable!("no deadline was given"),
    }
}

/// Splits an answer into a success body or the service's error, reading a JSON body only
/// until `deadline`.
pub(crate) fn read_answer(
    response: HttpResponse,
    kind: BodyKind,
    gateway: Gateway,
    deadline: Option<Instant>,
) -> Answer {
    if !(200..300).contains(&response.status) {
        return Answer::Service(match gateway {
            Gateway::Oss => oss_error(&response, deadline),
            Gateway::Acs | Gateway::Sls => service_error_before(&response, deadline),
        });
    }
    let header_id = header_request_id(&response.headers);
    let HttpResponse {
        status,
        headers,
        body,
    } = response;
    let body = ResponseBody::new(body);
    let body = match deadline {
        Some(deadline) => body.with_deadline(deadline),
        None => body,
    };
    if kind != BodyKind::Json || body.as_bytes().iter().all(u8::is_ascii_whitespace) {
        // No body (some ROA operations): every output field is absent.
        return Answer::Success {
            body,
            headers,
            request_id: header_id,
        };
    }
    let summary = match Summary::read(body.as_bytes(), deadline) {
        Ok(summary) => summary,
        Err(error) if error.is_out_of_time() => return Answer::OutOfTime,
        Err(error) => {
            return Answer::Undecodable(DecodeError::new(status, header_id, error.to_string()));
        }
    };
    if summary.success_false {
        return Answer::Service(error_from_summary(
            &headers,
            status,
            body.as_bytes(),
            summary,
            header_id,
        ));
    }
    Answer::Success {
        request_id: header_id.or(summary.request_id),
        body,
        headers,
    }
}

/// The request id a header carries: ACS's, else OSS's or SLS's.
pub(crate) fn header_request_id(headers: &crate::Headers) -> Option<String> {
    std::iter::once(REQUEST_ID_HEADER)
        .chain(GATEWAY_REQUEST_ID_HEADERS)
        .find_map(|name| headers.get(name))
        .filter(|id| !id.is_empty())
        .map(|id| {
            let mut id = id.to_owned();
            crate::sanitize::truncate(&mut id, 256);
            id
        })
}

/// The [`ServiceError`] an error answer stands for (see the module documentation).
pub fn service_error(response: &HttpResponse) -> ServiceError {
    service_error_before(response, None)
}

/// [`service_error`], reading the body only until `deadline`: past it the body is read as
/// text, as if it were not JSON, so an error answer never holds the call past its budget.
fn service_error_before(response: &HttpResponse, deadline: Option<Instant>) -> ServiceError {
    let header_id = header_request_id(&response.headers);
    let summary = Summary::read(&response.body, deadline)
        .ok()
        .filter(|summary| summary.object);
    match summary {
        Some(summary) => error_from_summary(
            &response.headers,
            response.status,
            &response.body,
            summary,
            header_id,
        ),
        None => {
            let body = body_start(&response.body);
            ServiceError::new(String::new(), snippet(&body), header_id, response.status)
                .with_retry_after(retry_after(&response.headers))
                .with_body(body)
        }
    }
}

fn error_from_summary(
    headers: &crate::Headers,
    status: u16,
    body: &[u8],
    summary: Summary,
    header_id: Option<String>,
) -> ServiceError {
    let body = body_start(body);
    let message = match (&summary.code, summary.message) {
        (None, None) => snippet(&body),
        (_, message) => message.unwrap_or_default(),
    };
    ServiceError::new(
        summary.code.unwrap_or_default(),
        message,
        summary.request_id.or(header_id),
        status,
    )
    .with_retry_after(retry_after(headers))
    .with_body(body)
    .with_recommend(summary.recommend)
    .with_host_id(summary.host_id)
}

/// An OSS error answer: `<Error><Code/><Message/><RequestId/><HostId/><EC/></Error>`; an
/// empty body (a `HEAD`'s) gives the HTTP status as the code, the request id from
/// `x-oss-request-id` and the detail code from `x-oss-ec`.
fn oss_error(response: &HttpResponse, deadline: Option<Instant>) -> ServiceError {
    #[derive(Default)]
    struct OssError {
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        host_id: Option<String>,
        ec: Option<String>,
    }
    impl crate::xml::FromXml for OssError {
        fn from_xml(xml: &mut crate::xml::Reader<'_>) -> crate::json::Result<Self> {
            let mut out = OssError::default();
            xml.children(|name, xml| match name {
                "Code" => xml.read_into(&mut out.code),
                "Message" => xml.read_into(&mut out.message),
                "RequestId" => xml.read_into(&mut out.request_id),
                "HostId" => xml.read_into(&mut out.host_id),
                "EC" => xml.read_into(&mut out.ec),
                _ => xml.skip(),
            })?;
            Ok(out)
        }
    }
    let header_id = header_request_id(&response.headers);
    let header_ec = ["x-oss-ec", "x-oss-ec-code"]
        .into_iter()
        .find_map(|name| response.header(name))
        .map(str::to_owned);
    let body = body_start(&response.body);
    let parsed: Option<OssError> = crate::xml::decode(&response.body, deadline).ok();
    let bounded = |text: Option<String>| {
        text.filter(|text| !text.is_empty()).map(|mut text| {
            crate::sanitize::truncate(&mut text, 4 * 1024);
            text
        })
    };
    let (code, message, request_id, host_id, ec) = match parsed {
        Some(error) if error.code.is_some() => (
            bounded(error.code).unwrap_or_default(),
            bounded(error.message).unwrap_or_default(),
            bounded(error.request_id).or(header_id),
            bounded(error.host_id),
            bounded(error.ec).or(header_ec),
        ),
        _ => (
            response.status.to_string(),
            snippet(&body),
            header_id,
            None,
            header_ec,
        ),
    };
    ServiceError::new(code, message, request_id, response.status)
        .with_retry_after(retry_after(&response.headers))
        .with_body(body)
        .with_host_id(host_id)
        .with_ec(ec)
}

/// The start of a body as text: no more of it than [`ServiceError::body`] keeps is copied.
fn body_start(body: &[u8]) -> String {
    let kept = &body[..body.len().min(ServiceError::MAX_BODY + 4)];
    let mut text = String::from_utf8_lossy(kept).into_owned();
    if body.len() > kept.len() {
        // Cut where `with_body` would, whatever the copied tail ended with.
        crate::sanitize::truncate(&mut text, ServiceError::MAX_BODY);
    }
    text
}

fn retry_after(headers: &crate::Headers) -> Option<Duration> {
    headers
        .get(RETRY_AFTER_HEADER)
        .and_then(|value| value.trim().parse::<u64>().ok())
        .filter(|&millis| millis > 0)
        .map(Duration::from_millis)
}

/// The start of `body`, trimmed, cut at a character boundary.
fn snippet(body: &str) -> String {
    let mut body = body.trim().to_owned();
    crate::sanitize::truncate(&mut body, MESSAGE_SNIPPET_LEN);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Headers;
    use crate::json::{self, FromJson, Reader};

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse::new(status, headers.iter().copied().collect::<Headers>(), body)
    }

    #[derive(Debug, Default, PartialEq)]
    struct Out {
        request_id: Option<String>,
        n: Option<u8>,
    }

    impl FromJson for Out {
        fn from_json(json: &mut Reader<'_>) -> json::Result<Self> {
            let mut out = Out::default();
            let mut n: Option<i32> = None;
            json.object(|member, json| match member {
                "RequestId" => json.read_into(&mut out.request_id),
                "N" => json.read_into(&mut n),
                _ => json.skip(),
            })?;
            out.n = n.map(|n| n as u8);
            Ok(out)
        }
    }

    #[test]
    fn non_json_error_body_becomes_a_truncated_message() {
        let long = "x".repeat(2000);
        let error = service_error(&response(502, &[(REQUEST_ID_HEADER, "H")], &long));
        assert_eq!(error.code, "");
        assert!(error.message.len() < 600);
        assert_eq!(error.body(), long);
        assert_eq!(error.request_id.as_deref(), Some("H"));
        assert_eq!(error.http_status, 502);

        let html = service_error(&response(503, &[], "<html>Service Unavailable</html>"));
        assert_eq!(html.message, "<html>Service Unavailable</html>");
    }

    #[test]
    fn error_answers_keep_a_bounded_body() {
        let huge = format!(r#"{{"Code": "C", "A": [{}0]}}"#, "0,".repeat(1 << 20));
        let error = service_error(&response(500, &[], &huge));
        assert_eq!(error.code, "C");
        assert!(error.body().len() <= ServiceError::MAX_BODY + 3);
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
            Ok(Out::default())
        );
    }

    #[test]
    fn success_false_is_a_service_error() {
        let result = decode_response::<Out>(
            response(
                200,
                &[],
                r#"{"Success":false,"ErrCode":"Param.NotFound","ErrMessage":"m","RequestId":"R","Recommend":"https://r"}"#,
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
        assert_eq!(error.recommend(), Some("https://r"));
    }
}
