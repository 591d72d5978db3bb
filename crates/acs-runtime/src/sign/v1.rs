//! RPC signature V1 (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`; Alibaba's
//! documentation calls the page describing it "V2").
//!
//! ```text
//! CanonicalizedQueryString = sorted enc(k)=enc(v) joined by &
//! StringToSign             = METHOD & enc("/") & enc(CanonicalizedQueryString)
//! Signature                = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::{
    SignableRequest, Signature, SigningOutput, SigningParams, canonical_query_string, header_buffer,
};
use crate::encoding::percent_encode;

/// A V1 signature with its intermediate strings. Holds no AccessKey secret, but the strings to
/// sign hold the `SecurityToken` of STS credentials, which `Debug` masks.
#[derive(Clone, PartialEq, Eq)]
pub struct V1Signature {
    /// Sorted, RFC 3986-encoded `key=value` pairs joined by `&`.
    pub canonicalized_query_string: String,
    /// `METHOD&%2F&` followed by the canonicalized query string encoded once more.
    pub string_to_sign: String,
    /// Base64 of the HMAC-SHA1 digest: the value of the `Signature` parameter, unencoded.
    pub signature: String,
}

impl std::fmt::Debug for V1Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is encoded once in the query string and twice in the string to sign.
        let token = self
            .canonicalized_query_string
            .split('&')
            .find_map(|pair| pair.strip_prefix("SecurityToken="))
            .filter(|token| !token.is_empty());
        let mask = |text: &str| match token {
            Some(token) => text
                .replace(&percent_encode(token), "***")
                .replace(token, "***"),
            None => text.to_owned(),
        };
        f.debug_struct("V1Signature")
            .field(
                "canonicalized_query_string",
                &mask(&self.canonicalized_query_string),
            )
            .field("string_to_sign", &mask(&self.string_to_sign))
            .field("signature", &self.signature)
            .finish()
    }
}

/// Signs an RPC request with HMAC-SHA1.
///
/// `params` are all the query parameters, unencoded, including the common ones (`Action`,
/// `Version`, `Format`, `AccessKeyId`, `SignatureMethod`, `SignatureVersion`, `SignatureNonce`,
/// `Timestamp` and, with STS credentials, `SecurityToken`) but not `Signature` itself, which is
/// added to the request afterwards. `method` is the upper-case HTTP method.
pub fn sign_v1(method: &str, params: &[(String, String)], access_key_secret: &str) -> V1Signature {
    let canonicalized_query_string = canonical_query_string(params);
    let string_to_sign = format!(
        "{}&{}&{}",
        method,
        percent_encode("/"),
        percent_encode(&canonicalized_query_string),
    );

    // The documented key is the secret followed by '&' (V3 uses the bare secret).
    let key = format!("{access_key_secret}&");
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    let signature = BASE64.encode(mac.finalize().into_bytes());

    V1Signature {
        canonicalized_query_string,
        string_to_sign,
        signature,
    }
}

/// The V1 part of [`super::sign`]: the official SDK's common parameters, in its order, around
/// the request's own; the query and the form body signed together.
pub(super) fn sign_request<'a>(
    request: &SignableRequest<'a>,
    params: &SigningParams<'_>,
) -> SigningOutput<'a> {
    let mut query: Vec<(String, String)> = Vec::with_capacity(request.query.len() + 10);
    for (key, value) in [
        ("Action", request.action),
        ("Format", "json"),
        ("Version", request.version),
        ("Timestamp", params.timestamp),
        ("SignatureNonce", params.nonce),
    ] {
        query.push((key.to_owned(), value.to_owned()));
    }
    query.extend_from_slice(request.query);
    let credentials = params.credentials.as_ref();
    let mut headers = header_buffer(request, credentials);
    headers.push("host", request.host);
    headers.push("x-acs-version", request.version);
    headers.push("x-acs-action", request.action);
    headers.push("user-agent", request.user_agent);
    let mut signature = None;
    if let Some(credentials) = credentials {
        if let Some(token) = credentials.security_token {
            query.push(("SecurityToken".into(), token.to_owned()));
        }
        for (key, value) in [
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("AccessKeyId", credentials.access_key_id),
        ] {
            query.push((key.to_owned(), value.to_owned()));
        }
        // Form body fields are signed together with the query.
        let mut signed = query.clone();
        signed.extend_from_slice(request.form);
        let signed = sign_v1(
            request.method.as_str(),
            &signed,
            credentials.access_key_secret,
        );
        signature = Some(Signature::new(&signed.signature));
        query.push(("Signature".into(), signed.signature));
        headers.push("x-acs-credentials-provider", credentials.provider_name);
    }
    if let Some(content_type) = request.content_type {
        headers.push("content-type", content_type);
    }
    for (name, value) in request.headers {
        headers.push(name, value);
    }
    SigningOutput {
        headers,
        query: std::borrow::Cow::Owned(query),
        signature,
    }
}
