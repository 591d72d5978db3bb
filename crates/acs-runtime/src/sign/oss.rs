//! OSS signatures, as Alibaba's OSS gateway (`alibabacloud-gateway-oss`) and SDK
//! (`alibabacloud-oss-v2`) compute them: V4 (`OSS4-HMAC-SHA256`) in the `Authorization` header
//! or in a presigned URL's query, and the older V1 (`OSS`, HMAC-SHA1).
//!
//! ```text
//! V4  CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n AdditionalHeaders \n HashedPayload
//!     StringToSign     = OSS4-HMAC-SHA256 \n yyyymmddThhmmssZ \n yyyymmdd/region/oss/aliyun_v4_request \n hex(sha256(CanonicalRequest))
//!     Signature        = hex(HMAC-SHA256(SigningKey, StringToSign)), the key chained from "aliyun_v4" + secret
//! V1  StringToSign     = METHOD \n Content-MD5 \n Content-Type \n Date \n CanonicalizedOSSHeaders CanonicalizedResource
//!     Signature        = base64(HMAC-SHA1(secret, StringToSign))
//! ```
//!
//! The canonical URI and resource always name the bucket (`/bucket/key`), whatever the request's
//! addressing (virtual-host or path-style): the host is not signed unless it is an additional
//! header. Every function here is pure: the caller passes the time and every header it will
//! send, and the vectors recorded from the official code (`tests/fixtures/signing/oss/`) are
//! replayed exactly.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::gateways::{hex_sha256, hmac_sha256, mask_fields, v4_signing_key};
use crate::encoding::{percent_encode, percent_encode_path};
use crate::headers::Headers;

/// The two date forms the signatures use, for the `x-oss-date` / `x-log-date` and `Date` headers.
pub use super::gateways::{compact_timestamp, http_date};

/// The V4 algorithm name, first in the `Authorization` header and the string to sign.
pub const OSS_V4_ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The payload hash OSS's SDKs sign by default (the body is then covered by `Content-MD5` and
/// the CRC-64 check instead).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest validity of a V4 presigned URL: seven days.
pub const MAX_PRESIGN_SECONDS: u64 = 7 * 24 * 3600;

/// Query parameters that V1 signs (its "sub-resources"), exactly the OSS gateway's list
/// (`_default_signed_params`), sorted for binary search; parameters starting with `x-oss-` are
/// signed too.
const V1_SUB_RESOURCES: [&str; 109] = [
    "accessPoint",
    "accessPointConfigForObjectProcess",
    "accessPointForObjectProcess",
    "accessPointPolicy",
    "accessPointPolicyForObjectProcess",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "cacheConfiguration",
    "callback",
    "callback-var",
    "chunkNumber",
    "chunkSize",
    "cname",
    "comp",
    "continuation-token",
    "copy",
    "cors",
    "dataAccelerator",
    "delete",
    "dfs",
    "dfsadmin",
    "dfssecurity",
    "encryption",
    "endTime",
    "eventnotification",
    "group",
    "httpsConfig",
    "img",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "partSize",
    "partUploadId",
    "policy",
    "policyStatus",
    "position",
    "processConfiguration",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "qosRequester",
    "redundancyProgress",
    "redundancyTransition",
    "redundancyType",
    "referer",
    "regionList",
    "regionsV2",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "requesterQosInfo",
    "reservedcapacity",
    "resourceGroup",
    "resourcePool",
    "resourcePoolBuckets",
    "resourcePoolInfo",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "responseHeader",
    "restore",
    "rtc",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "userDefinedLogFieldsConfig",
    "userRegion",
    "verbose",
    "versionId",
    "versioning",
    "versions",
    "virtualBucket",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-async-process",
    "x-oss-process",
    "x-oss-request-payer",
    "x-oss-traffic-limit",
];

/// Where the STS token appears in the strings of a signature.
const TOKEN_FIELDS: [&str; 2] = ["x-oss-security-token:", "x-oss-security-token="];

/// One OSS request to sign. Query values and the key are unencoded.
#[derive(Clone, Copy)]
pub struct OssRequest<'a> {
    /// HTTP method, upper case.
    pub method: &'a str,
    /// The bucket, `None` for service-level requests (ListBuckets).
    pub bucket: Option<&'a str>,
    /// The object key, unencoded (`dir/a b+c.txt`); `None` for service and bucket requests.
    pub key: Option<&'a str>,
    /// Query parameters, unencoded; an empty value is sent and signed as a bare key (`?acl`).
    pub query: &'a [(String, String)],
    /// Every header the request will carry (the signer picks the signed ones: `x-oss-*`,
    /// `content-type`, `content-md5`, and the additional headers for V4; `date` for V1).
    pub headers: &'a Headers,
}

impl fmt::Debug for OssRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssRequest")
            .field("method", &self.method)
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field(
                "query",
                &masked_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            )
            .field("headers", &masked_pairs(self.headers.iter()))
            .finish()
    }
}

/// Names whose values `Debug` shows as `***`.
const HIDDEN: [&str; 5] = [
    "x-oss-security-token",
    "security-token",
    "authorization",
    "x-oss-signature",
    "signature",
];

/// `pairs` as owned pairs with the values of [`HIDDEN`] names replaced by `***`, for `Debug`.
fn masked_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    pairs
        .map(|(name, value)| {
            let hidden = HIDDEN
                .iter()
                .any(|secret| name.eq_ignore_ascii_case(secret));
            (
                name.to_owned(),
                if hidden { "***" } else { value }.to_owned(),
            )
        })
        .collect()
}

/// A V4 signature with its intermediate strings. Holds no secret; `Debug` masks the STS token
/// (`x-oss-security-token`), which the canonical headers or query carry.
#[derive(Clone, PartialEq, Eq)]
pub struct OssV4Signature {
    /// `/bucket/key`, percent-encoded except `/`.
    pub canonical_uri: String,
    /// Sorted `key=value` pairs (a bare `key` for an empty value), both percent-encoded.
    pub canonical_query: String,
    /// `name:value\n` for each signed header, names lower case and sorted, values trimmed.
    pub canonical_headers: String,
    /// The additional headers signed, lower case, sorted, joined by `;` (empty for none).
    pub additional_headers: String,
    /// The full canonical request.
    pub canonical_request: String,
    /// `yyyymmdd/region/oss/aliyun_v4_request`.
    pub scope: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lower-case hex signature.
    pub signature: String,
    /// The `Authorization` header (for a presigned URL: empty; see [`OssPresignedQuery`]).
    pub authorization: String,
}

impl fmt::Debug for OssV4Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |text: &str| mask_fields(text, &TOKEN_FIELDS);
        f.debug_struct("OssV4Signature")
            .field("canonical_uri", &self.canonical_uri)
            .field("canonical_query", &mask(&self.canonical_query))
            .field("canonical_headers", &mask(&self.canonical_headers))
            .field("additional_headers", &self.additional_headers)
            .field("canonical_request", &mask(&self.canonical_request))
            .field("scope", &self.scope)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// The query a V4 presigned URL adds, with the signature that ends it.
#[derive(Clone, PartialEq, Eq)]
pub struct OssPresignedQuery {
    /// The request's own query followed by `x-oss-signature-version`, `x-oss-date`,
    /// `x-oss-expires`, `x-oss-credential`, the STS token and additional headers when there are
    /// any, and `x-oss-signature` last; unencoded.
    pub query: Vec<(String, String)>,
    /// The signature and its intermediate strings (`authorization` is empty).
    pub signature: OssV4Signature,
}

impl OssPresignedQuery {
    /// The query string for the URL, each key and value percent-encoded (RFC 3986), in
    /// [`OssPresignedQuery::query`]'s order; an empty value gives a bare key.
    pub fn encoded(&self) -> String {
        encode_query_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

impl fmt::Debug for OssPresignedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A presigned URL is a bearer credential until it expires: its signature is masked too.
        let mask = |text: &str| mask_fields(text, &TOKEN_FIELDS);
        f.debug_struct("OssPresignedQuery")
            .field(
                "query",
                &masked_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            )
            .field(
                "canonical_request",
                &mask(&self.signature.canonical_request),
            )
            .field("string_to_sign", &self.signature.string_to_sign)
            .field("signature", &"***")
            .finish()
    }
}

/// Why a presigned URL cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresignError {
    /// The validity is 0 or longer than [`MAX_PRESIGN_SECONDS`] (OSS refuses such URLs).
    Expiry(u64),
}

impl fmt::Display for PresignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PresignError::Expiry(seconds) => write!(
                f,
                "a presigned URL must expire in 1 to {MAX_PRESIGN_SECONDS} seconds, not {seconds}"
            ),
        }
    }
}

impl std::error::Error for PresignError {}

/// The credentials and scope of a V4 signature.
#[derive(Clone, Copy)]
pub struct OssV4Scope<'a> {
    /// The AccessKey ID.
    pub access_key_id: &'a str,
    /// The AccessKey secret (borrowed for the call, never stored in the result).
    pub access_key_secret: &'a str,
    /// The region (`cn-hangzhou`), part of the scope and the signing key.
    pub region: &'a str,
    /// The signing time, seconds since the Unix epoch; the request's `x-oss-date` header (header
    /// signing) must be [`compact_timestamp`] of it.
    pub unix_time: u64,
    /// Headers to sign besides the default ones (`x-oss-*`, `content-type`, `content-md5`),
    /// e.g. `host`, `range`; any case. Names the request does not carry, or carries empty, are
    /// left out, as are default ones.
    pub additional_headers: &'a [&'a str],
}

impl fmt::Debug for OssV4Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssV4Scope")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("region", &self.region)
            .field("unix_time", &self.unix_time)
            .field("additional_headers", &self.additional_headers)
            .finish()
    }
}

/// Signs `request` with V4 for the `Authorization` header.
///
/// The request's headers must already hold `x-oss-date` (the signing time, see
/// [`OssV4Scope::unix_time`]), `x-oss-content-sha256` (usually [`UNSIGNED_PAYLOAD`], else the
/// hex SHA-256 of the body) and, with STS credentials, `x-oss-security-token`.
pub fn sign_oss_v4(request: &OssRequest<'_>, scope: &OssV4Scope<'_>) -> OssV4Signature {
    let query: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut signature = v4_signature(request, scope, &query);
    signature.authorization = if signature.additional_headers.is_empty() {
        format!(
            "{OSS_V4_ALGORITHM} Credential={}/{},Signature={}",
            scope.access_key_id, signature.scope, signature.signature
        )
    } else {
        format!(
            "{OSS_V4_ALGORITHM} Credential={}/{},AdditionalHeaders={},Signature={}",
            scope.access_key_id, signature.scope, signature.additional_headers, signature.signature
        )
    };
    signature
}

/// Signs `request` as a V4 presigned URL valid for `expires_seconds` from
/// [`OssV4Scope::unix_time`]; `security_token` is the STS token, if any (it travels in the
/// query). The request's headers are those the URL's user will send (`x-oss-*`,
/// `content-type`, `content-md5` among them are signed); it needs no `x-oss-date` header.
pub fn presign_oss_v4(
    request: &OssRequest<'_>,
    scope: &OssV4Scope<'_>,
    security_token: Option<&str>,
    expires_seconds: u64,
) -> Result<OssPresignedQuery, PresignError> {
    if expires_seconds == 0 || expires_seconds > MAX_PRESIGN_SECONDS {
        return Err(PresignError::Expiry(expires_seconds));
    }
    let date = compact_timestamp(scope.unix_time);
    let credential = format!(
        "{}/{}/{}/oss/aliyun_v4_request",
        scope.access_key_id,
        &date[..8],
        scope.region
    );
    let additional = additional_header_names(request.headers, scope.additional_headers);
    let mut query: Vec<(String, String)> = request
        .query
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "x-oss-signature" | "x-oss-security-token" | "x-oss-additional-headers"
            )
        })
        .cloned()
        .collect();
    query.push(("x-oss-signature-version".into(), OSS_V4_ALGORITHM.into()));
    query.push(("x-oss-date".into(), date));
    query.push(("x-oss-expires".into(), expires_seconds.to_string()));
    query.push(("x-oss-credential".into(), credential));
    if let Some(token) = security_token.filter(|token| !token.is_empty()) {
        query.push(("x-oss-security-token".into(), token.into()));
    }
    if !additional.is_empty() {
        query.push(("x-oss-additional-headers".into(), additional.join(";")));
    }
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let signature = v4_signature(request, scope, &pairs);
    query.push(("x-oss-signature".into(), signature.signature.clone()));
    Ok(OssPresignedQuery { query, signature })
}

fn v4_signature(
    request: &OssRequest<'_>,
    scope: &OssV4Scope<'_>,
    query: &[(&str, &str)],
) -> OssV4Signature {
    let canonical_uri = percent_encode_path(&resource_path(request));
    v4_signature_of(canonical_uri, request, scope, query)
}

/// [`v4_signature`] of a request whose canonical URI (`/bucket/key`, encoded) is given.
fn v4_signature_of(
    canonical_uri: String,
    request: &OssRequest<'_>,
    scope: &OssV4Scope<'_>,
    query: &[(&str, &str)],
) -> OssV4Signature {
    let date = compact_timestamp(scope.unix_time);

    let mut encoded: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort_unstable();
    let canonical_query = encode_pairs_sorted(&encoded);

    let additional = additional_header_names(request.headers, scope.additional_headers);
    let canonical_headers = canonical_header_lines(request.headers, |name| {
        is_default_signed(name) || additional.iter().any(|a| a == name)
    });
    let additional_headers = additional.join(";");
    let hashed_payload = request
        .headers
        .get("x-oss-content-sha256")
        .unwrap_or(UNSIGNED_PAYLOAD);
    let canonical_request = format!(
        "{}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{additional_headers}\n{hashed_payload}",
        request.method
    );
    let scope_text = format!("{}/{}/oss/aliyun_v4_request", &date[..8], scope.region);
    let string_to_sign = format!(
        "{OSS_V4_ALGORITHM}\n{date}\n{scope_text}\n{}",
        hex_sha256(canonical_request.as_bytes())
    );
    let key = v4_signing_key(scope.access_key_secret, &date[..8], scope.region, "oss");
    let signature = base16ct::lower::encode_string(&hmac_sha256(&key, string_to_sign.as_bytes()));
    OssV4Signature {
        canonical_uri,
        canonical_query,
        canonical_headers,
        additional_headers,
        canonical_request,
        scope: scope_text,
        string_to_sign,
        signature,
        authorization: String::new(),
    }
}

/// `/bucket/key`, `/bucket/` or `/`, unencoded.
fn resource_path(request: &OssRequest<'_>) -> String {
    match request.bucket {
        Some(bucket) => format!("/{bucket}/{}", request.key.unwrap_or("")),
        None => format!("/{}", request.key.unwrap_or("")),
    }
}

/// Headers every OSS signature covers.
fn is_default_signed(lower_name: &str) -> bool {
    lower_name.starts_with("x-oss-") || lower_name == "content-type" || lower_name == "content-md5"
}

/// The additional headers that count: lower case, sorted, unique, present with a value, and not
/// signed by default anyway.
fn additional_header_names(headers: &Headers, wanted: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = wanted
        .iter()
        .map(|name| name.to_ascii_lowercase())
        .filter(|name| !is_default_signed(name))
        .filter(|name| headers.get(name).is_some_and(|value| !value.is_empty()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// `name:value\n` for each header `signed` accepts: names lower case, sorted, values trimmed, a
/// name given more than once signed once with its values joined by `,`.
fn canonical_header_lines(headers: &Headers, signed: impl Fn(&str) -> bool) -> String {
    let mut picked: Vec<(String, &str)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .filter(|(name, _)| signed(name))
        .collect();
    picked.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    for (name, value) in &picked {
        if previous == Some(name.as_str()) {
            out.pop();
            out.push(',');
        } else {
            out.push_str(name);
            out.push(':');
        }
        out.push_str(value);
        out.push('\n');
        previous = Some(name);
    }
    out
}

fn encode_pairs_sorted(encoded: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        if !value.is_empty() {
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

fn encode_query_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let encoded: Vec<(String, String)> = pairs
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encode_pairs_sorted(&encoded)
}

/// A V1 signature with its intermediate strings. Holds no secret; `Debug` masks the STS token
/// (`x-oss-security-token`) in the canonicalized headers and the string to sign.
#[derive(Clone, PartialEq, Eq)]
pub struct OssV1Signature {
    /// `name:value\n` for each `x-oss-*` header, names lower case and sorted.
    pub canonicalized_oss_headers: String,
    /// `/bucket/key` (unencoded) and the signed sub-resources, `?acl`, `?partNumber=1&uploadId=…`.
    pub canonicalized_resource: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Base64 HMAC-SHA1.
    pub signature: String,
    /// `OSS <AccessKeyId>:<Signature>`.
    pub authorization: String,
}

impl fmt::Debug for OssV1Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |text: &str| mask_fields(text, &TOKEN_FIELDS);
        f.debug_struct("OssV1Signature")
            .field(
                "canonicalized_oss_headers",
                &mask(&self.canonicalized_oss_headers),
            )
            .field("canonicalized_resource", &self.canonicalized_resource)
            .field("string_to_sign", &mask(&self.string_to_sign))
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// Signs `request` with V1 (`Authorization: OSS <AccessKeyId>:<Signature>`).
///
/// The request's headers must hold `date` (an HTTP date, see
/// [`http_date`]) and, with STS credentials, `x-oss-security-token`.
pub fn sign_oss_v1(
    request: &OssRequest<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> OssV1Signature {
    let header = |name: &str| request.headers.get(name).unwrap_or("");
    let mut oss_headers: Vec<(String, &str)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .filter(|(name, _)| name.starts_with("x-oss-"))
        .collect();
    oss_headers.sort_by(|a, b| a.0.cmp(&b.0));
    let canonicalized_oss_headers: String = oss_headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();

    let mut sub_resources: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .filter(|(k, _)| V1_SUB_RESOURCES.binary_search(k).is_ok() || k.starts_with("x-oss-"))
        .collect();
    sub_resources.sort_unstable();
    let mut canonicalized_resource = resource_path(request);
    for (i, (key, value)) in sub_resources.iter().enumerate() {
        canonicalized_resource.push(if i == 0 { '?' } else { '&' });
        canonicalized_resource.push_str(key);
        if !value.is_empty() {
            canonicalized_resource.push('=');
            canonicalized_resource.push_str(value);
        }
    }
    let string_to_sign = format!(
        "{}\n{}\n{}\n{}\n{canonicalized_oss_headers}{canonicalized_resource}",
        request.method,
        header("content-md5"),
        header("content-type"),
        header("date"),
    );
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(access_key_secret.as_bytes())
        .expect("HMAC takes any key");
    mac.update(string_to_sign.as_bytes());
    let signature = BASE64.encode(mac.finalize().into_bytes());
    OssV1Signature {
        authorization: format!("OSS {access_key_id}:{signature}"),
        canonicalized_oss_headers,
        canonicalized_resource,
        string_to_sign,
        signature,
    }
}

/// The OSS part of [`super::sign`]: the headers the OSS gateway sends (`host`, `date`,
/// `user-agent`, `x-oss-date` and `x-oss-content-sha256` for V4, `content-type` with a body and
/// `content-md5` with an XML one, `x-oss-security-token` with STS credentials), the operation's,
/// then `Authorization`. The body is not hashed (`UNSIGNED-PAYLOAD`): object data is covered
/// by CRC-64, XML bodies by `Content-MD5`.
pub(super) fn sign_request<'a>(
    request: &super::SignableRequest<'a>,
    params: &super::SigningParams<'_>,
) -> super::SigningOutput<'a> {
    let credentials = params.credentials.as_ref();
    let mut headers = super::header_buffer(request, credentials);
    headers.push("host", request.host);
    headers.push("user-agent", request.user_agent);
    let v4 = params.scheme == super::SigningScheme::OssV4;
    if v4 {
        headers.push("x-oss-date", &compact_timestamp(params.unix_time));
        headers.push("x-oss-content-sha256", UNSIGNED_PAYLOAD);
    }
    headers.push("date", &http_date(params.unix_time));
    if let Some(content_type) = request.content_type {
        headers.push("content-type", content_type);
    }
    // The gateway's `Content-MD5` covers XML bodies; object data is covered by CRC-64 (and
    // by a `Content-MD5` the caller sets, as an operation header).
    if request.content_type == Some("application/xml") && !request.body.is_empty() {
        headers.push("content-md5", &oss_content_md5(request.body));
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
        headers.push("x-oss-security-token", token);
    }
    // The path as sent is the key's encoding (`/` kept); OSS signs `/bucket/key` whatever the
    // addressing.
    let bucket = request.host_label;
    let signed = if v4 {
        let canonical_uri = match bucket {
            Some(bucket) => format!("/{bucket}{}", request.path),
            None => request.path.to_owned(),
        };
        let scope = OssV4Scope {
            access_key_id: credentials.access_key_id,
            access_key_secret: credentials.access_key_secret,
            region: request.region,
            unix_time: params.unix_time,
            additional_headers: &[],
        };
        let pairs: Vec<(&str, &str)> = request
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let oss = OssRequest {
            method: request.method.as_str(),
            bucket,
            key: None,
            query: request.query,
            headers: &headers,
        };
        let signature = v4_signature_of(canonical_uri, &oss, &scope, &pairs);
        let authorization = format!(
            "{OSS_V4_ALGORITHM} Credential={}/{},Signature={}",
            credentials.access_key_id, signature.scope, signature.signature
        );
        (authorization, signature.signature)
    } else {
        let key = percent_encoding::percent_decode_str(request.path.trim_start_matches('/'))
            .decode_utf8_lossy()
            .into_owned();
        let oss = OssRequest {
            method: request.method.as_str(),
            bucket,
            key: Some(&key).filter(|key| !key.is_empty()).map(String::as_str),
            query: request.query,
            headers: &headers,
        };
        let signature = sign_oss_v1(
            &oss,
            credentials.access_key_id,
            credentials.access_key_secret,
        );
        (signature.authorization, signature.signature)
    };
    headers.push("authorization", &signed.0);
    super::SigningOutput {
        headers,
        query: std::borrow::Cow::Borrowed(request.query),
        signature: Some(super::Signature::new(&signed.1)),
    }
}

/// The `Content-MD5` header of a body: base64 of its MD5 digest.
pub fn oss_content_md5(body: &[u8]) -> String {
    use md5::Digest as _;
    BASE64.encode(md5::Md5::digest(body))
}

#[cfg(test)]
mod tests;
