//! SLS (Simple Log Service) signatures, as Alibaba's SLS gateway (`alibabacloud-gateway-sls`)
//! computes them: its default `LOG` signature (HMAC-SHA256 since `x-log-signaturemethod:
//! hmac-sha256`; older SDKs used HMAC-SHA1) and `SLS4-HMAC-SHA256`.
//!
//! ```text
//! LOG   StringToSign = METHOD \n Content-MD5 \n Content-Type \n Date \n CanonicalizedLOGHeaders CanonicalizedResource
//!       Authorization = LOG <AccessKeyId>:base64(HMAC-SHA256(secret, StringToSign))
//! SLS4  CanonicalRequest = METHOD \n Path \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n x-log-content-sha256
//!       StringToSign     = SLS4-HMAC-SHA256 \n yyyymmddThhmmssZ \n yyyymmdd/region/sls/aliyun_v4_request \n hex(sha256(CanonicalRequest))
//!       Authorization    = SLS4-HMAC-SHA256 Credential=<AccessKeyId>/<scope>,Signature=<hex>
//! ```
//!
//! `Content-MD5` is the upper-case hex MD5 of the body as sent (compressed, for PutLogs), empty
//! without a body ([`sls_content_md5`]); `x-log-content-sha256` its lower-case hex SHA-256. The
//! path and, for `LOG`, the query values are signed unencoded. Pure functions, replayed against
//! the vectors in `tests/fixtures/signing/sls/`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::gateways::{hex_sha256, hmac_sha256, mask_fields, v4_signing_key};
use crate::encoding::percent_encode;
use crate::headers::Headers;

/// The two date forms the signatures use, for the `x-oss-date` / `x-log-date` and `Date` headers.
pub use super::gateways::{compact_timestamp, http_date};

/// The V4 algorithm name.
pub const SLS_V4_ALGORITHM: &str = "SLS4-HMAC-SHA256";
/// The `x-log-signaturemethod` the `LOG` signature declares.
pub const SLS_SIGNATURE_METHOD: &str = "hmac-sha256";
/// The `x-log-apiversion` the gateway sends.
pub const SLS_API_VERSION: &str = "0.6.0";

/// Where the STS token appears in the strings of a signature.
const TOKEN_FIELDS: [&str; 1] = ["x-acs-security-token:"];

/// One SLS request to sign.
#[derive(Clone, Copy)]
pub struct SlsRequest<'a> {
    /// HTTP method, upper case.
    pub method: &'a str,
    /// The path, unencoded, without the query (`/logstores/app-logs/shards/lb`).
    pub path: &'a str,
    /// Query parameters, unencoded.
    pub query: &'a [(String, String)],
    /// Every header the request will carry; see [`sign_sls_v1`] and [`sign_sls_v4`] for the
    /// ones that must be there.
    pub headers: &'a Headers,
}

impl fmt::Debug for SlsRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let hidden = ["x-acs-security-token", "authorization"]
                    .iter()
                    .any(|secret| name.eq_ignore_ascii_case(secret));
                (name, if hidden { "***" } else { value })
            })
            .collect();
        f.debug_struct("SlsRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .finish()
    }
}

/// A `LOG` signature with its intermediate strings. Holds no secret; `Debug` masks the STS
/// token (`x-acs-security-token`).
#[derive(Clone, PartialEq, Eq)]
pub struct SlsV1Signature {
    /// `name:value\n` for each `x-log-*` and `x-acs-*` header, names lower case and sorted.
    pub canonicalized_headers: String,
    /// The path, then `?` and the sorted `key=value` pairs, all unencoded.
    pub canonicalized_resource: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Base64 HMAC-SHA256.
    pub signature: String,
    /// `LOG <AccessKeyId>:<Signature>`.
    pub authorization: String,
}

impl fmt::Debug for SlsV1Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |text: &str| mask_fields(text, &TOKEN_FIELDS);
        f.debug_struct("SlsV1Signature")
            .field("canonicalized_headers", &mask(&self.canonicalized_headers))
            .field("canonicalized_resource", &self.canonicalized_resource)
            .field("string_to_sign", &mask(&self.string_to_sign))
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// Signs `request` with the gateway's default `LOG` signature.
///
/// The headers must hold `date` (an HTTP date), `content-type`, `content-md5`
/// ([`sls_content_md5`] of the body, may be left out without a body), `x-log-apiversion`
/// ([`SLS_API_VERSION`]), `x-log-bodyrawsize` (the body's size before compression, `0` without
/// one), `x-log-signaturemethod` ([`SLS_SIGNATURE_METHOD`]) and, with STS credentials,
/// `x-acs-security-token`.
pub fn sign_sls_v1(
    request: &SlsRequest<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> SlsV1Signature {
    let header = |name: &str| request.headers.get(name).unwrap_or("");
    let mut signed: Vec<(String, &str)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .filter(|(name, _)| name.starts_with("x-log-") || name.starts_with("x-acs-"))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let canonicalized_headers: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();

    let mut query: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    query.sort_unstable();
    let mut canonicalized_resource = request.path.to_owned();
    for (i, (key, value)) in query.iter().enumerate() {
        canonicalized_resource.push(if i == 0 { '?' } else { '&' });
        canonicalized_resource.push_str(key);
        canonicalized_resource.push('=');
        canonicalized_resource.push_str(value);
    }
    let string_to_sign = format!(
        "{}\n{}\n{}\n{}\n{canonicalized_headers}{canonicalized_resource}",
        request.method,
        header("content-md5"),
        header("content-type"),
        header("date"),
    );
    let signature = BASE64.encode(hmac_sha256(
        access_key_secret.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    SlsV1Signature {
        authorization: format!("LOG {access_key_id}:{signature}"),
        canonicalized_headers,
        canonicalized_resource,
        string_to_sign,
        signature,
    }
}

/// An `SLS4-HMAC-SHA256` signature with its intermediate strings. Holds no secret; `Debug`
/// masks the STS token (`x-acs-security-token`).
#[derive(Clone, PartialEq, Eq)]
pub struct SlsV4Signature {
    /// The signed header names: `host`, `content-type`, every `x-log-*` and `x-acs-*`, lower
    /// case, sorted, joined by `;`.
    pub signed_headers: String,
    /// The full canonical request.
    pub canonical_request: String,
    /// `yyyymmdd/region/sls/aliyun_v4_request`.
    pub scope: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lower-case hex signature.
    pub signature: String,
    /// The `Authorization` header.
    pub authorization: String,
}

impl fmt::Debug for SlsV4Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlsV4Signature")
            .field("signed_headers", &self.signed_headers)
            .field(
                "canonical_request",
                &mask_fields(&self.canonical_request, &TOKEN_FIELDS),
            )
            .field("scope", &self.scope)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// Signs `request` with `SLS4-HMAC-SHA256` at `unix_time` for `region`.
///
/// The headers must hold `host`, `content-type`, `x-log-apiversion`, `x-log-bodyrawsize`,
/// `x-log-date` ([`compact_timestamp`] of `unix_time`),
/// `x-log-content-sha256` (the hex SHA-256 of the body as sent; of the empty string without one)
/// and, with STS credentials, `x-acs-security-token`.
pub fn sign_sls_v4(
    request: &SlsRequest<'_>,
    access_key_id: &str,
    access_key_secret: &str,
    region: &str,
    unix_time: u64,
) -> SlsV4Signature {
    let date = compact_timestamp(unix_time);
    let mut signed: Vec<(String, &str)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .filter(|(name, _)| {
            name.starts_with("x-log-")
                || name.starts_with("x-acs-")
                || name == "host"
                || name == "content-type"
        })
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let signed_headers = signed
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();

    // Keys as they are, values percent-encoded, an empty value as a bare key.
    let mut query: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    query.sort_unstable();
    let canonical_query = query
        .iter()
        .map(|(key, value)| {
            if value.is_empty() {
                (*key).to_owned()
            } else {
                format!("{key}={}", percent_encode(value))
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    let path = if request.path.is_empty() {
        "/"
    } else {
        request.path
    };
    let content_sha256 = request.headers.get("x-log-content-sha256").unwrap_or("");
    let canonical_request = format!(
        "{}\n{path}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{content_sha256}",
        request.method
    );
    let scope = format!("{}/{region}/sls/aliyun_v4_request", &date[..8]);
    let string_to_sign = format!(
        "{SLS_V4_ALGORITHM}\n{date}\n{scope}\n{}",
        hex_sha256(canonical_request.as_bytes())
    );
    let key = v4_signing_key(access_key_secret, &date[..8], region, "sls");
    let signature = base16ct::lower::encode_string(&hmac_sha256(&key, string_to_sign.as_bytes()));
    SlsV4Signature {
        authorization: format!(
            "{SLS_V4_ALGORITHM} Credential={access_key_id}/{scope},Signature={signature}"
        ),
        signed_headers,
        canonical_request,
        scope,
        string_to_sign,
        signature,
    }
}

/// The SLS part of [`super::sign`]: the headers the SLS gateway sends (`accept`, `host`,
/// `user-agent`, `x-log-apiversion`, `x-log-bodyrawsize`, `content-type`, and for `LOG`
/// `x-log-signaturemethod`, `date` and `content-md5`, for V4 `x-log-date` and
/// `x-log-content-sha256`; `x-acs-security-token` with STS credentials), the operation's
/// (`x-log-bodyrawsize` among them when the body is compressed), then `Authorization`. The
/// body, as sent, is hashed: SLS bodies are held in memory.
pub(super) fn sign_request<'a>(
    request: &super::SignableRequest<'a>,
    params: &super::SigningParams<'_>,
) -> super::SigningOutput<'a> {
    let credentials = params.credentials.as_ref();
    let v4 = params.scheme == super::SigningScheme::SlsV4;
    let mut headers = super::header_buffer(request, credentials);
    headers.push("accept", "application/json");
    headers.push("host", request.host);
    headers.push("user-agent", request.user_agent);
    headers.push("x-log-apiversion", SLS_API_VERSION);
    if !request
        .headers
        .iter()
        .any(|(name, _)| name == "x-log-bodyrawsize")
    {
        headers.push("x-log-bodyrawsize", &request.body.len().to_string());
    }
    headers.push(
        "content-type",
        request.content_type.unwrap_or("application/json"),
    );
    if v4 {
        headers.push("x-log-date", &compact_timestamp(params.unix_time));
        headers.push("x-log-content-sha256", &sls_content_sha256(request.body));
    } else {
        headers.push("x-log-signaturemethod", SLS_SIGNATURE_METHOD);
        headers.push("date", &http_date(params.unix_time));
        if !request.body.is_empty() {
            headers.push("content-md5", &sls_content_md5(request.body));
        }
    }
    for (name, value) in request.headers {
        headers.push(name, value);
    }
    let Some(credentials) = credentials else {
        return super::SigningOutput {
            headers,
            query: std::borrow::Cow::Borrowed(request.query),
            signature: None,
        };
    };
    if let Some(token) = credentials.security_token {
        headers.push("x-acs-security-token", token);
    }
    // SLS signs the path unencoded.
    let path = percent_encoding::percent_decode_str(request.path).decode_utf8_lossy();
    let sls = SlsRequest {
        method: request.method.as_str(),
        path: &path,
        query: request.query,
        headers: &headers,
    };
    let (authorization, signature) = if v4 {
        let signed = sign_sls_v4(
            &sls,
            credentials.access_key_id,
            credentials.access_key_secret,
            request.region,
            params.unix_time,
        );
        (signed.authorization, signed.signature)
    } else {
        let signed = sign_sls_v1(
            &sls,
            credentials.access_key_id,
            credentials.access_key_secret,
        );
        (signed.authorization, signed.signature)
    };
    headers.push("authorization", &authorization);
    super::SigningOutput {
        headers,
        query: std::borrow::Cow::Borrowed(request.query),
        signature: Some(super::Signature::new(&signature)),
    }
}

/// The `Content-MD5` header of an SLS body: upper-case hex MD5, empty for an empty body (the
/// gateway's `make_content_hash`).
pub fn sls_content_md5(body: &[u8]) -> String {
    use md5::Digest as _;
    if body.is_empty() {
        return String::new();
    }
    base16ct::upper::encode_string(&md5::Md5::digest(body))
}

/// The `x-log-content-sha256` header of an SLS body: lower-case hex SHA-256 (of the empty string
/// for an empty body).
pub fn sls_content_sha256(body: &[u8]) -> String {
    hex_sha256(body)
}

#[cfg(test)]
mod tests;
