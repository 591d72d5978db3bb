//! What the top level of an Alibaba Cloud JSON answer says about the call: whether it failed
//! (`Success: false`), the request id, and an error's code, message and advice.
//!
//! Every product spells these its own way (`Code`, `code`, `ErrCode`; `RequestId`,
//! `requestId`), so they are read here, once, for the client's error decoding and for the
//! credential services' answers alike. Reading validates the whole document but keeps only
//! these few strings, each cut to a bounded length, whatever the answer holds.

use std::time::Instant;

use crate::json::{self, Kind, Reader};

/// The longest piece of text kept from one member: codes and request ids are short, messages a
/// sentence or two.
const MAX_FIELD: usize = 4 * 1024;

/// The members of an answer's top level that say how the call went; `None` where the answer
/// does not have one (a member that is not a non-empty string, number or boolean counts as
/// absent).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// The answer is a JSON object (the rest is `None` otherwise).
    pub object: bool,
    /// `Success` was the JSON `false`: a failure reported with HTTP 200.
    pub success_false: bool,
    /// `Code`, else `code`, else `ErrCode`, else `errorCode` (SLS).
    pub code: Option<String>,
    /// `Message`, else `message`, else `ErrMessage`, else `errorMessage` (SLS).
    pub message: Option<String>,
    /// `RequestId`, else `requestId`.
    pub request_id: Option<String>,
    /// `Recommend`.
    pub recommend: Option<String>,
    /// `HostId`.
    pub host_id: Option<String>,
}

/// The members [`Summary`] reads, in order of preference for each field.
const CODE: [&str; 4] = ["Code", "code", "ErrCode", "errorCode"];
const MESSAGE: [&str; 4] = ["Message", "message", "ErrMessage", "errorMessage"];
const REQUEST_ID: [&str; 2] = ["RequestId", "requestId"];

impl Summary {
    /// Reads the top level of `bytes`, checking the whole document is JSON; an answer that is
    /// JSON but not an object says nothing.
    pub(crate) fn read(bytes: &[u8], deadline: Option<Instant>) -> json::Result<Summary> {
        let mut reader = Reader::new(bytes, deadline)?;
        let mut summary = Summary {
            object: reader.peek()? == Kind::Object,
            ..Summary::default()
        };
        if !summary.object {
            reader.skip()?;
            reader.finish()?;
            return Ok(summary);
        }
        // Each field's candidates by preference; a repeated member keeps its last value.
        let mut code: [Option<String>; 4] = Default::default();
        let mut message: [Option<String>; 4] = Default::default();
        let mut request_id: [Option<String>; 2] = Default::default();
        reader.object(|name, json| {
            let slot = if let Some(i) = CODE.iter().position(|key| *key == name) {
                &mut code[i]
            } else if let Some(i) = MESSAGE.iter().position(|key| *key == name) {
                &mut message[i]
            } else if let Some(i) = REQUEST_ID.iter().position(|key| *key == name) {
                &mut request_id[i]
            } else if name == "Recommend" {
                &mut summary.recommend
            } else if name == "HostId" {
                &mut summary.host_id
            } else if name == "Success" {
                if json.peek()? != Kind::Bool {
                    summary.success_false = false;
                    return json.skip();
                }
                summary.success_false = !json.bool()?;
                return Ok(());
            } else {
                return json.skip();
            };
            *slot = scalar_text(json)?;
            Ok(())
        })?;
        reader.finish()?;
        summary.code = code.into_iter().flatten().next();
        summary.message = message.into_iter().flatten().next();
        summary.request_id = request_id.into_iter().flatten().next();
        Ok(summary)
    }
}

/// A scalar member as text (cut to [`MAX_FIELD`]); `None` for `""`, `null`, arrays and objects
/// (which are stepped over).
fn scalar_text(json: &mut Reader<'_>) -> json::Result<Option<String>> {
    let mut text = match json.peek()? {
        Kind::String => json.string()?.into_owned(),
        Kind::Number => json.number()?.to_owned(),
        Kind::Bool => json.bool()?.to_string(),
        _ => {
            json.skip()?;
            return Ok(None);
        }
    };
    if text.is_empty() {
        return Ok(None);
    }
    crate::sanitize::truncate(&mut text, MAX_FIELD);
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Summary {
        Summary::read(json.as_bytes(), None).unwrap()
    }

    #[test]
    fn fields_come_from_their_first_spelling_present() {
        let summary = read(
            r#"{"code": "lower", "Data": {"Code": "nested"}, "ErrCode": "err", "Code": "Upper",
                "ErrMessage": "m", "requestId": "r", "Recommend": "https://x", "HostId": 7}"#,
        );
        assert_eq!(summary.code.as_deref(), Some("Upper"));
        assert_eq!(summary.message.as_deref(), Some("m"));
        assert_eq!(summary.request_id.as_deref(), Some("r"));
        assert_eq!(summary.recommend.as_deref(), Some("https://x"));
        assert_eq!(summary.host_id.as_deref(), Some("7"));
        assert!(!summary.success_false);
    }

    #[test]
    fn success_false_is_the_json_false_only() {
        assert!(read(r#"{"Success": false}"#).success_false);
        assert!(!read(r#"{"Success": "false"}"#).success_false);
        assert!(!read(r#"{"Success": true}"#).success_false);
        assert!(!read(r#"[{"Success": false}]"#).success_false);
    }

    #[test]
    fn long_members_are_cut_and_the_rest_is_only_checked() {
        let long = "x".repeat(100_000);
        let summary = read(&format!(r#"{{"Message": "{long}", "A": [0, 0, {{}}]}}"#));
        assert!(summary.message.unwrap().len() <= MAX_FIELD + 3);
        assert!(Summary::read(br#"{"Code": "c", "A": [0,]}"#, None).is_err());
    }
}
