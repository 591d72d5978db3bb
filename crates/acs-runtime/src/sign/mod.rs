//! Request signatures: V3 (`ACS3-HMAC-SHA256`, `ACS3-HMAC-SM3`) and RPC V1 (`HMAC-SHA1`).
//!
//! One entry point, [`sign`], owns what is signed: given a request's parts and the signing
//! parameters it returns every header to send (the runtime's own, listed once in
//! [`RUNTIME_HEADERS`], and the operation's) and every query parameter (V1 adds its common
//! parameters and the `Signature`). The scheme ([`SigningScheme`]) is resolved once per client
//! from the configured [`SignatureAlgorithm`] and the API style, so signing has no impossible
//! case.
//!
//! Everything here is a pure function of its inputs: the caller picks the time, the nonce and
//! the credentials, so each signature is reproducible and the official test vectors can be
//! replayed exactly (`tests/signing.rs`). [`sign_v3`] and [`sign_v1`] keep every intermediate
//! string, which makes a mismatch with the server (`SignatureDoesNotMatch` quotes the server's
//! string to sign) traceable to the first step that differs; [`sign`] computes the same
//! signature without keeping them.
//!
//! Secrets are only borrowed for the duration of a call and never stored in a returned value.

mod gateways;
pub mod oss;
pub mod sls;
mod v1;
mod v3;

use std::borrow::Cow;
use std::fmt;

use crate::encoding::percent_encode_chunks;
use crate::headers::Headers;

pub use v1::{V1Signature, sign_v1};
pub use v3::{SigningKey, V3Request, V3Signature, authorization_v3, hash_payload, sign_v3};

/// How a request is signed, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// V3 signature with SHA-256 hashes and HMAC-SHA256 (the official SDKs' default).
    Acs3HmacSha256,
    /// V3 signature with the Chinese national standard SM3 hash and HMAC-SM3.
    Acs3HmacSm3,
    /// Legacy RPC signature, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`: the signature
    /// travels as the `Signature` query parameter instead of an `Authorization` header. ROA
    /// APIs, which it cannot sign, are signed with `ACS3-HMAC-SHA256` instead.
    HmacSha1,
    /// OSS's V1 signature (`Authorization: OSS <id>:<base64 HMAC-SHA1>`), which the OSS gateway
    /// still offers; other products are signed with `ACS3-HMAC-SHA256` instead. OSS's default
    /// (with any other algorithm configured) is V4, `OSS4-HMAC-SHA256`.
    OssHmacSha1,
    /// SLS's V4 signature, `SLS4-HMAC-SHA256`; other products are signed with
    /// `ACS3-HMAC-SHA256` instead. SLS's default (with any other algorithm configured) is its
    /// `LOG` signature (HMAC-SHA256).
    Sls4HmacSha256,
}

impl SignatureAlgorithm {
    /// Every algorithm of Alibaba's common gateway (ACS3 and RPC V1), in declaration order.
    pub const ALL: [SignatureAlgorithm; 3] = [
        SignatureAlgorithm::Acs3HmacSha256,
        SignatureAlgorithm::Acs3HmacSm3,
        SignatureAlgorithm::HmacSha1,
    ];

    /// The product gateways' alternatives to their default signatures (OSS V1, SLS V4).
    pub const GATEWAY_ALTERNATIVES: [SignatureAlgorithm; 2] = [
        SignatureAlgorithm::OssHmacSha1,
        SignatureAlgorithm::Sls4HmacSha256,
    ];

    /// The name used on the wire: `ACS3-HMAC-SHA256`, `ACS3-HMAC-SM3` or `HMAC-SHA1`.
    ///
    /// For the V3 algorithms it starts the string to sign and the `Authorization` header; for
    /// `HMAC-SHA1` it is the value of the `SignatureMethod` parameter.
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Acs3HmacSha256 => "ACS3-HMAC-SHA256",
            SignatureAlgorithm::Acs3HmacSm3 => "ACS3-HMAC-SM3",
            SignatureAlgorithm::HmacSha1 => "HMAC-SHA1",
            SignatureAlgorithm::OssHmacSha1 => "OSS",
            SignatureAlgorithm::Sls4HmacSha256 => "SLS4-HMAC-SHA256",
        }
    }

    /// The algorithm called `name` (exactly as [`SignatureAlgorithm::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain(Self::GATEWAY_ALTERNATIVES)
            .find(|algorithm| algorithm.name() == name)
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The hash of a V3 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V3Hash {
    /// SHA-256 (`ACS3-HMAC-SHA256`).
    Sha256,
    /// SM3 (`ACS3-HMAC-SM3`).
    Sm3,
}

impl V3Hash {
    /// The algorithm's name: `ACS3-HMAC-SHA256` or `ACS3-HMAC-SM3`.
    pub fn name(self) -> &'static str {
        match self {
            V3Hash::Sha256 => SignatureAlgorithm::Acs3HmacSha256.name(),
            V3Hash::Sm3 => SignatureAlgorithm::Acs3HmacSm3.name(),
        }
    }

    /// The V3 hash called `name` (`ACS3-HMAC-SHA256` or `ACS3-HMAC-SM3`).
    pub fn from_name(name: &str) -> Option<Self> {
        [V3Hash::Sha256, V3Hash::Sm3]
            .into_iter()
            .find(|hash| hash.name() == name)
    }
}

/// How one client's requests are signed: resolved once, so [`sign`] never meets a combination
/// it cannot sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningScheme {
    /// V3: an `Authorization` header over the canonical request.
    Acs3(V3Hash),
    /// RPC V1: `HMAC-SHA1` over the sorted query (and form) parameters.
    RpcHmacSha1,
    /// OSS V4, `OSS4-HMAC-SHA256` (the OSS gateway's default), `UNSIGNED-PAYLOAD`.
    OssV4,
    /// OSS V1, `OSS <id>:<signature>`.
    OssV1,
    /// SLS `LOG <id>:<signature>` with `x-log-signaturemethod: hmac-sha256` (the SLS gateway's
    /// default).
    SlsLog,
    /// SLS V4, `SLS4-HMAC-SHA256`.
    SlsV4,
}

impl SigningScheme {
    /// The scheme `algorithm` stands for in an API of the given style through Alibaba's common
    /// gateway: `HMAC-SHA1` signs RPC APIs only, so ROA APIs configured with it are signed with
    /// `ACS3-HMAC-SHA256`, as are APIs configured with a product gateway's algorithm.
    pub fn resolve(algorithm: SignatureAlgorithm, rpc_style: bool) -> Self {
        match algorithm {
            SignatureAlgorithm::Acs3HmacSha256 => SigningScheme::Acs3(V3Hash::Sha256),
            SignatureAlgorithm::Acs3HmacSm3 => SigningScheme::Acs3(V3Hash::Sm3),
            SignatureAlgorithm::HmacSha1 if rpc_style => SigningScheme::RpcHmacSha1,
            SignatureAlgorithm::HmacSha1
            | SignatureAlgorithm::OssHmacSha1
            | SignatureAlgorithm::Sls4HmacSha256 => SigningScheme::Acs3(V3Hash::Sha256),
        }
    }

    /// The scheme `algorithm` stands for through `gateway`: the OSS gateway signs V4 unless
    /// [`SignatureAlgorithm::OssHmacSha1`] is configured, the SLS gateway `LOG` unless
    /// [`SignatureAlgorithm::Sls4HmacSha256`] is; Alibaba's common gateway as [`Self::resolve`].
    pub fn for_gateway(
        gateway: crate::endpoint::Gateway,
        algorithm: SignatureAlgorithm,
        rpc_style: bool,
    ) -> Self {
        use crate::endpoint::Gateway;
        match (gateway, algorithm) {
            (Gateway::Oss, SignatureAlgorithm::OssHmacSha1) => SigningScheme::OssV1,
            (Gateway::Oss, _) => SigningScheme::OssV4,
            (Gateway::Sls, SignatureAlgorithm::Sls4HmacSha256) => SigningScheme::SlsV4,
            (Gateway::Sls, _) => SigningScheme::SlsLog,
            (Gateway::Acs, algorithm) => Self::resolve(algorithm, rpc_style),
        }
    }
}

/// Headers the runtime sets on requests itself: an operation's header of the same name is
/// dropped (so is `content-length`, which the HTTP layer sets), and the transport sends them
/// under static names.
pub const RUNTIME_HEADERS: [&str; 13] = [
    "host",
    "x-acs-version",
    "x-acs-action",
    "user-agent",
    "x-acs-date",
    "x-acs-signature-nonce",
    "accept",
    "content-type",
    "x-acs-content-sha256",
    "x-acs-credentials-provider",
    "x-acs-accesskey-id",
    "x-acs-security-token",
    "authorization",
];

/// Whether the runtime sets header `name` (lower case) itself.
pub fn is_runtime_header(name: &str) -> bool {
    name == "content-length" || RUNTIME_HEADERS.contains(&name)
}

/// What is signed of a request: everything but the time, the nonce and the credentials.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// The method, as sent.
    pub method: crate::http::Method,
    /// The `Host` header: the host, with the port when it is not the scheme's default.
    pub host: &'a str,
    /// The percent-encoded path (`/` for RPC): the request target's path and the V3
    /// canonical URI.
    pub path: &'a str,
    /// The operation's query parameters, unencoded.
    pub query: &'a [(String, String)],
    /// The form body's fields, unencoded (V1 signs them with the query).
    pub form: &'a [(String, String)],
    /// The body as sent.
    pub body: &'a [u8],
    /// The body's content type, when there is a body.
    pub content_type: Option<&'a str>,
    /// The operation's own headers: names lower case, none of [`RUNTIME_HEADERS`].
    pub headers: &'a [(String, String)],
    /// The operation (`x-acs-action`, V1 `Action`).
    pub action: &'a str,
    /// The API version (`x-acs-version`, V1 `Version`).
    pub version: &'a str,
    /// The `User-Agent` header.
    pub user_agent: &'a str,
    /// The host name's first label (an OSS bucket, an SLS project), when the operation has one:
    /// OSS signs `/bucket/key` whatever the addressing.
    pub host_label: Option<&'a str>,
    /// The region, part of the OSS and SLS V4 scopes.
    pub region: &'a str,
}

/// The credentials [`sign`] signs with. `Debug` shows the AccessKey id only.
#[derive(Clone, Copy)]
pub struct SigningCredentials<'a> {
    /// The AccessKey id.
    pub access_key_id: &'a str,
    /// The AccessKey secret (V1 keys its HMAC per request with it).
    pub access_key_secret: &'a str,
    /// The STS security token, for temporary credentials.
    pub security_token: Option<&'a str>,
    /// Where the credentials came from (`x-acs-credentials-provider`).
    pub provider_name: &'a str,
    /// The secret already keyed for the V3 hash in use, when the caller keeps one: it saves
    /// half of the HMAC's work per signature. Keyed per signature otherwise.
    pub key: Option<&'a SigningKey>,
}

impl fmt::Debug for SigningCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("provider_name", &self.provider_name)
            .finish_non_exhaustive()
    }
}

/// How to sign one attempt.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// The scheme, resolved once per client.
    pub scheme: SigningScheme,
    /// The credentials; `None` sends the request unsigned (an anonymous operation).
    pub credentials: Option<SigningCredentials<'a>>,
    /// The request time, `YYYY-MM-DDThh:mm:ssZ` ([`format_timestamp`]).
    pub timestamp: &'a str,
    /// The same time in seconds since the Unix epoch (the OSS and SLS date headers').
    pub unix_time: u64,
    /// A value fresh for every attempt (32 hex digits).
    pub nonce: &'a str,
}

/// What [`sign`] gives: the request's headers and query as they are sent.
#[derive(Debug)]
pub struct SigningOutput<'a> {
    /// Every header, in the official SDK's order, the `Authorization` header included.
    pub headers: Headers,
    /// Every query parameter, unencoded: the request's own, and for V1 its common parameters
    /// and `Signature` around them, in the official SDK's order.
    pub query: Cow<'a, [(String, String)]>,
    /// The signature value, when the request is signed: what a server that echoes the request
    /// must not be allowed to show (error scrubbing).
    pub signature: Option<Signature>,
}

/// A signature value (64 hex digits for V3 and the gateways' V4, 28 or 44 base64 characters for
/// the V1 signatures), held inline.
/// `Debug` does not show it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    text: [u8; 64],
    len: u8,
}

impl Signature {
    pub(crate) fn new(text: &str) -> Self {
        let mut out = Signature {
            text: [0; 64],
            len: 0,
        };
        let len = text.len().min(64);
        out.text[..len].copy_from_slice(&text.as_bytes()[..len]);
        out.len = len as u8;
        out
    }

    /// The signature as sent.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(***)")
    }
}

/// Signs `request`: the one place that decides what is signed, and how.
///
/// V3 sends (in this order) `host`, `x-acs-version`, `x-acs-action`, `user-agent`,
/// `x-acs-date`, `x-acs-signature-nonce`, `accept`, `content-type` (with a body),
/// `x-acs-content-sha256`, and with credentials `x-acs-credentials-provider` and, for STS
/// credentials, `x-acs-accesskey-id` and `x-acs-security-token`; then the operation's
/// `x-acs-*` headers, all of these signed, then its other headers, unsigned, then
/// `Authorization`. V1 puts its common parameters, the STS token and the `Signature` in the
/// query and signs the query and the form body together.
pub fn sign<'a>(request: &SignableRequest<'a>, params: &SigningParams<'_>) -> SigningOutput<'a> {
    match params.scheme {
        SigningScheme::Acs3(hash) => v3::sign_request(hash, request, params),
        SigningScheme::RpcHmacSha1 => v1::sign_request(request, params),
        SigningScheme::OssV4 | SigningScheme::OssV1 => oss::sign_request(request, params),
        SigningScheme::SlsLog | SigningScheme::SlsV4 => sls::sign_request(request, params),
    }
}

/// An empty header list with room for every header [`sign`] sets, so it is allocated once.
fn header_buffer(
    request: &SignableRequest<'_>,
    credentials: Option<&SigningCredentials<'_>>,
) -> Headers {
    // The fixed names and values, a nonce, a date, two hashes and the Authorization header
    // come to under 800 bytes; the rest varies.
    let varying = request.host.len()
        + request.user_agent.len()
        + request.action.len()
        + credentials.map_or(0, |c| {
            2 * c.access_key_id.len() + c.provider_name.len() + c.security_token.map_or(0, str::len)
        })
        + request
            .headers
            .iter()
            .map(|(name, value)| name.len() + value.len())
            .sum::<usize>();
    Headers::with_capacity(16 + request.headers.len(), 800 + varying)
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDThh:mm:ssZ` (UTC), the form of the V3
/// `x-acs-date` header and the V1 `Timestamp` parameter.
///
/// Uses the `time` crate (RFC 3339 formatting, which prints a zero UTC offset as `Z` and omits
/// zero fractional seconds). Instants after 9999-12-31T23:59:59Z cannot be written with a
/// four-digit year and are clamped to it; only a broken clock produces them, and the server then
/// rejects the request as expired instead of this function panicking inside a request.
pub fn format_timestamp(unix_seconds: u64) -> String {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    // 9999-12-31T23:59:59Z.
    const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

    let seconds = i64::try_from(unix_seconds).map_or(MAX_UNIX_SECONDS, |s| s.min(MAX_UNIX_SECONDS));
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|instant| instant.format(&Rfc3339).ok())
        .expect("every instant from 1970 to 9999 has an RFC 3339 form")
}

/// The canonical query string shared by both signature versions: pairs sorted by key and then
/// value (byte order, so duplicate keys come out the same whatever order they arrived in), key
/// and value each [`crate::encoding::percent_encode`]d, `k=v` joined by `&`; an empty value gives `k=`.
///
/// Sorting happens on the unencoded strings, as the official SDKs do. Keys are encoded too, as
/// Alibaba's documentation specifies; the Python SDK leaves V3 keys as they are, which is the
/// same thing for every real parameter name (they only use unreserved characters).
fn canonical_query_string(pairs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    with_sorted(
        pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str())),
        |sorted| write_canonical_query(sorted, &mut |piece| out.push_str(piece)),
    );
    out
}

/// Writes the canonical query string of `sorted` pairs to `sink`, piece by piece: the V3
/// signer hashes the pieces as they come instead of building the string.
fn write_canonical_query(sorted: &[(&str, &str)], sink: &mut impl FnMut(&str)) {
    for (i, (key, value)) in sorted.iter().enumerate() {
        if i > 0 {
            sink("&");
        }
        percent_encode_chunks(key).for_each(&mut *sink);
        sink("=");
        percent_encode_chunks(value).for_each(&mut *sink);
    }
}

/// Runs `f` on `items`, sorted. Requests have a dozen query parameters and headers, so they are
/// sorted on the stack; only more than [`INLINE_ITEMS`] take a heap allocation.
fn with_sorted<T: Ord + Default, R>(
    items: impl ExactSizeIterator<Item = T>,
    f: impl FnOnce(&[T]) -> R,
) -> R {
    const INLINE_ITEMS: usize = 16;
    if items.len() <= INLINE_ITEMS {
        let mut inline: [T; INLINE_ITEMS] = std::array::from_fn(|_| T::default());
        let mut len = 0;
        for item in items.take(INLINE_ITEMS) {
            inline[len] = item;
            len += 1;
        }
        inline[..len].sort_unstable();
        f(&inline[..len])
    } else {
        let mut heap: Vec<T> = items.collect();
        heap.sort_unstable();
        f(&heap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_signs_rpc_apis_only() {
        assert_eq!(
            SigningScheme::resolve(SignatureAlgorithm::HmacSha1, true),
            SigningScheme::RpcHmacSha1
        );
        assert_eq!(
            SigningScheme::resolve(SignatureAlgorithm::HmacSha1, false),
            SigningScheme::Acs3(V3Hash::Sha256)
        );
        assert_eq!(
            SigningScheme::resolve(SignatureAlgorithm::Acs3HmacSm3, true),
            SigningScheme::Acs3(V3Hash::Sm3)
        );
    }

    #[test]
    fn gateways_sign_their_own_way_whatever_the_common_algorithm() {
        use crate::endpoint::Gateway;
        for algorithm in SignatureAlgorithm::ALL {
            assert_eq!(
                SigningScheme::for_gateway(Gateway::Oss, algorithm, false),
                SigningScheme::OssV4
            );
            assert_eq!(
                SigningScheme::for_gateway(Gateway::Sls, algorithm, false),
                SigningScheme::SlsLog
            );
        }
        let [oss_v1, sls_v4] = SignatureAlgorithm::GATEWAY_ALTERNATIVES;
        assert_eq!(
            SigningScheme::for_gateway(Gateway::Oss, oss_v1, false),
            SigningScheme::OssV1
        );
        assert_eq!(
            SigningScheme::for_gateway(Gateway::Sls, sls_v4, false),
            SigningScheme::SlsV4
        );
        // Elsewhere they mean nothing: the common gateway's default.
        assert_eq!(
            SigningScheme::for_gateway(Gateway::Acs, oss_v1, true),
            SigningScheme::Acs3(V3Hash::Sha256)
        );
        assert_eq!(SignatureAlgorithm::from_name("OSS"), Some(oss_v1));
    }

    #[test]
    fn signatures_are_not_shown() {
        let signature = Signature::new("abcdef");
        assert_eq!(signature.as_str(), "abcdef");
        assert!(!format!("{signature:?}").contains("abc"));
    }
}
