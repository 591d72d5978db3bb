//! Signature V3: `ACS3-HMAC-SHA256` and `ACS3-HMAC-SM3`.
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//! StringToSign     = ALGORITHM \n hex(hash(CanonicalRequest))
//! Signature        = hex(HMAC(AccessKeySecret, StringToSign))
//! Authorization    = ALGORITHM Credential=<AccessKeyId>,SignedHeaders=<SignedHeaders>,Signature=<Signature>
//! ```
//!
//! `CanonicalHeaders` already ends with a newline, so the canonical request has an empty line
//! before the signed-headers line.

use std::borrow::Cow;
use std::cell::Cell;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use sm3::Sm3;

use crate::headers::{self, Headers};

use super::{
    SignableRequest, Signature, SigningOutput, SigningParams, V3Hash, header_buffer, with_sorted,
    write_canonical_query,
};

/// One request to sign with [`sign_v3`].
///
/// Query and header values are unencoded; header names may be in any case. `Debug` shows the
/// header names and values but masks the STS token (`x-acs-security-token`).
#[derive(Clone, Copy)]
pub struct V3Request<'a> {
    /// HTTP method, upper case (`GET`, `POST`, ...).
    pub method: &'a str,
    /// `/` for RPC-style APIs; the already percent-encoded path for ROA-style APIs (see
    /// [`crate::encoding::percent_encode_path`]).
    pub canonical_uri: &'a str,
    /// Query parameters, unencoded. Duplicate keys are allowed.
    pub query: &'a [(String, String)],
    /// Exactly the headers to sign (the caller chooses them), unencoded. Names are compared
    /// case-insensitively; a name given more than once is signed once with its values joined.
    pub headers: &'a Headers,
    /// Lower-case hex hash of the body, as computed by [`hash_payload`]; also the value of the
    /// `x-acs-content-sha256` header.
    pub hashed_payload: &'a str,
}

impl std::fmt::Debug for V3Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `Headers`' own `Debug` masks the STS token.
        f.debug_struct("V3Request")
            .field("method", &self.method)
            .field("canonical_uri", &self.canonical_uri)
            .field("query", &self.query)
            .field("headers", self.headers)
            .field("hashed_payload", &self.hashed_payload)
            .finish()
    }
}

/// A V3 signature with every intermediate string, for comparison with the server's or the
/// official SDK's. Holds no AccessKey secret, but the canonical headers hold the STS token
/// (`x-acs-security-token`), which `Debug` masks.
#[derive(Clone, PartialEq, Eq)]
pub struct V3Signature {
    /// Sorted, RFC 3986-encoded `key=value` pairs joined by `&` (part of the canonical request).
    pub canonical_query_string: String,
    /// `name:value\n` lines, names lower-case and sorted (part of the canonical request).
    pub canonical_headers: String,
    /// The full canonical request.
    pub canonical_request: String,
    /// Lower-case hex hash of the canonical request.
    pub hashed_canonical_request: String,
    /// `ALGORITHM\nhashed_canonical_request`.
    pub string_to_sign: String,
    /// Lower-case header names joined by `;`.
    pub signed_headers: String,
    /// Lower-case hex HMAC of the string to sign.
    pub signature: String,
    /// The value of the `Authorization` header.
    pub authorization: String,
}

impl std::fmt::Debug for V3Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Canonical header lines are `name:value`, names lower case.
        let mask = |text: &str| -> String {
            text.split_inclusive('\n')
                .map(|line| match line.split_once(':') {
                    Some((name, value)) if headers::is_sensitive(name) => {
                        let end = if value.ends_with('\n') { "\n" } else { "" };
                        Cow::Owned(format!("{name}:***{end}"))
                    }
                    _ => Cow::Borrowed(line),
                })
                .collect()
        };
        f.debug_struct("V3Signature")
            .field("canonical_query_string", &self.canonical_query_string)
            .field("canonical_headers", &mask(&self.canonical_headers))
            .field("canonical_request", &mask(&self.canonical_request))
            .field("hashed_canonical_request", &self.hashed_canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

impl V3Hash {
    fn hex_digest(self, data: &[u8]) -> String {
        let mut out = [0u8; 64];
        self.hex_digest_into(data, &mut out).to_owned()
    }

    /// The hex digest of `data`, written into `out`.
    fn hex_digest_into<'o>(self, data: &[u8], out: &'o mut [u8; 64]) -> &'o str {
        let hex = match self {
            V3Hash::Sha256 => base16ct::lower::encode(&Sha256::digest(data), out),
            V3Hash::Sm3 => base16ct::lower::encode(&Sm3::digest(data), out),
        };
        std::str::from_utf8(hex.expect("64 hex digits hold a 32-byte digest"))
            .expect("hex is ASCII")
    }
}

/// A V3 secret with the HMAC key schedule done: the inner and outer hash states after the
/// padded key, so each signature hashes only its own message. The runtime keeps one per
/// credentials and algorithm (as AWS SigV4 clients keep their derived signing key), which
/// saves two of the HMAC's four compressions per signature. `Debug` shows the algorithm only.
#[derive(Clone)]
pub struct SigningKey(KeyedMac);

#[derive(Clone)]
enum KeyedMac {
    Sha256(Hmac<Sha256>),
    Sm3(Hmac<Sm3>),
}

impl SigningKey {
    /// `secret` keyed for `hash`.
    pub fn new(hash: V3Hash, secret: &str) -> Self {
        // Unlike V1, the key is the bare secret (no `&` appended).
        let key = secret.as_bytes();
        SigningKey(match hash {
            V3Hash::Sha256 => KeyedMac::Sha256(
                <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key"),
            ),
            V3Hash::Sm3 => KeyedMac::Sm3(
                <Hmac<Sm3> as KeyInit>::new_from_slice(key).expect("HMAC takes any key"),
            ),
        })
    }

    /// The hash this key signs with.
    pub fn hash(&self) -> V3Hash {
        match self.0 {
            KeyedMac::Sha256(_) => V3Hash::Sha256,
            KeyedMac::Sm3(_) => V3Hash::Sm3,
        }
    }

    /// The lower-case hex HMAC of `pieces`, concatenated, written into `out`.
    fn hex_hmac_into<'o>(&self, pieces: &[&str], out: &'o mut [u8; 64]) -> &'o str {
        fn run<M: Mac + Clone>(keyed: &M, pieces: &[&str], out: &mut [u8; 64]) -> usize {
            let mut mac = keyed.clone();
            for piece in pieces {
                mac.update(piece.as_bytes());
            }
            let bytes = mac.finalize().into_bytes();
            base16ct::lower::encode(&bytes, out)
                .expect("64 hex digits hold a 32-byte MAC")
                .len()
        }
        let len = match &self.0 {
            KeyedMac::Sha256(keyed) => run(keyed, pieces, out),
            KeyedMac::Sm3(keyed) => run(keyed, pieces, out),
        };
        std::str::from_utf8(&out[..len]).expect("hex is ASCII")
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("hash", &self.hash())
            .finish_non_exhaustive()
    }
}

/// Lower-case hex hash of a request body: SHA-256 for `ACS3-HMAC-SHA256`, SM3 for
/// `ACS3-HMAC-SM3`. This is the `x-acs-content-sha256` header (named so whatever the hash) and
/// [`V3Request::hashed_payload`]; an empty body hashes the empty string.
pub fn hash_payload(hash: V3Hash, body: &[u8]) -> String {
    let mut out = [0u8; 64];
    hash_payload_into(hash, body, &mut out).to_owned()
}

/// [`hash_payload`], written into `out`.
fn hash_payload_into<'o>(hash: V3Hash, body: &[u8], out: &'o mut [u8; 64]) -> &'o str {
    // Most requests have no body: their hash is a constant.
    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const EMPTY_SM3: &str = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b";
    match (hash, body.is_empty()) {
        (V3Hash::Sha256, true) => EMPTY_SHA256,
        (V3Hash::Sm3, true) => EMPTY_SM3,
        (hash, false) => hash.hex_digest_into(body, out),
    }
}

/// Header names lower-cased and values trimmed, as they are signed. Names are usually lower
/// case already; they are borrowed then.
fn header_entries(headers: &Headers) -> impl ExactSizeIterator<Item = (Cow<'_, str>, &str)> {
    headers.iter().map(|(name, value)| {
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        (name, trim(value))
    })
}

/// `value` without leading and trailing whitespace, as the official SDKs sign it. Values rarely
/// have any: a look at both ends decides.
fn trim(value: &str) -> &str {
    let bytes = value.as_bytes();
    let plain_end = |byte: Option<&u8>| byte.is_some_and(u8::is_ascii_graphic);
    if plain_end(bytes.first()) && plain_end(bytes.last()) {
        value
    } else {
        value.trim()
    }
}

/// Writes the canonical headers of `sorted` entries: `name:value\n` lines; a name given more
/// than once gets one line with its values (sorted, as the entries are) joined by `,`, as the
/// official SDKs do, so the result never depends on the order the caller collected them in.
fn write_canonical_headers(sorted: &[(Cow<'_, str>, &str)], sink: &mut impl FnMut(&str)) {
    let mut previous: Option<&str> = None;
    for (name, value) in sorted {
        if previous == Some(name.as_ref()) {
            sink(",");
        } else {
            if previous.is_some() {
                sink("\n");
            }
            sink(name);
            sink(":");
        }
        sink(value);
        previous = Some(name);
    }
    if previous.is_some() {
        sink("\n");
    }
}

/// Appends the signed-headers list of `sorted` entries to `out`: each name once, joined by `;`.
fn push_signed_headers(sorted: &[(Cow<'_, str>, &str)], out: &mut String) {
    let mut previous: Option<&str> = None;
    for (name, _) in sorted {
        if previous != Some(name.as_ref()) {
            if previous.is_some() {
                out.push(';');
            }
            out.push_str(name);
        }
        previous = Some(name);
    }
}

/// Writes the canonical request to `sink`, piece by piece (hashed as it is produced, or kept).
fn write_canonical_request(
    request: &V3Request<'_>,
    sorted_query: &[(&str, &str)],
    sorted_headers: &[(Cow<'_, str>, &str)],
    signed_headers: &str,
    sink: &mut impl FnMut(&str),
) {
    for piece in [request.method, "\n", request.canonical_uri, "\n"] {
        sink(piece);
    }
    write_canonical_query(sorted_query, sink);
    sink("\n");
    write_canonical_headers(sorted_headers, sink);
    for piece in ["\n", signed_headers, "\n", request.hashed_payload] {
        sink(piece);
    }
}

/// Runs `f` on the canonical request of `request` and its signed-headers list: the one
/// implementation of V3's canonical form, whether the signature is computed fast
/// ([`sign_request`]) or with every step kept ([`sign_v3`]). The lists are sorted on the
/// stack and the text is written into the thread's buffers, taken for the signature and given
/// back after it, so their capacity is reused from one signature to the next.
fn with_canonical_request<R>(request: &V3Request<'_>, f: impl FnOnce(&str, &str) -> R) -> R {
    thread_local! {
        static BUFFERS: Cell<(String, String)> = const { Cell::new((String::new(), String::new())) };
    }
    let (mut canonical, mut signed) = BUFFERS.try_with(Cell::take).unwrap_or_default();
    canonical.clear();
    signed.clear();
    let query = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    with_sorted(query, |sorted_query| {
        with_sorted(header_entries(request.headers), |sorted_headers| {
            push_signed_headers(sorted_headers, &mut signed);
            write_canonical_request(
                request,
                sorted_query,
                sorted_headers,
                &signed,
                &mut |piece| canonical.push_str(piece),
            );
        })
    });
    let result = f(&canonical, &signed);
    let _ = BUFFERS.try_with(|kept| kept.set((canonical, signed)));
    result
}

/// Signs `request` with a V3 algorithm, keeping every intermediate string.
pub fn sign_v3(
    hash: V3Hash,
    access_key_id: &str,
    access_key_secret: &str,
    request: &V3Request<'_>,
) -> V3Signature {
    let key = SigningKey::new(hash, access_key_secret);
    with_canonical_request(request, |canonical_request, signed_headers| {
        let mut canonical_query_string = String::new();
        let query = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        with_sorted(query, |sorted| {
            write_canonical_query(sorted, &mut |p| canonical_query_string.push_str(p))
        });
        let mut canonical_headers = String::new();
        with_sorted(header_entries(request.headers), |sorted| {
            write_canonical_headers(sorted, &mut |p| canonical_headers.push_str(p))
        });
        let hashed_canonical_request = hash.hex_digest(canonical_request.as_bytes());
        let string_to_sign = format!("{}\n{}", hash.name(), hashed_canonical_request);
        let mut signature = [0u8; 64];
        let signature = key
            .hex_hmac_into(&[&string_to_sign], &mut signature)
            .to_owned();
        V3Signature {
            canonical_query_string,
            canonical_headers,
            canonical_request: canonical_request.to_owned(),
            hashed_canonical_request,
            authorization: authorization_header(hash, access_key_id, signed_headers, &signature),
            string_to_sign,
            signed_headers: signed_headers.to_owned(),
            signature,
        }
    })
}

/// `ALGORITHM Credential=<id>,SignedHeaders=<list>,Signature=<signature>`.
fn authorization_header(
    hash: V3Hash,
    access_key_id: &str,
    signed_headers: &str,
    signature: &str,
) -> String {
    let name = hash.name();
    let mut header = String::with_capacity(
        name.len() + access_key_id.len() + signed_headers.len() + signature.len() + 40,
    );
    for piece in [
        name,
        " Credential=",
        access_key_id,
        ",SignedHeaders=",
        signed_headers,
        ",Signature=",
        signature,
    ] {
        header.push_str(piece);
    }
    header
}

/// The `Authorization` header for `request`, signed with `key`: what [`sign_v3`] computes,
/// without keeping the intermediate strings (the runtime's path, through [`super::sign`]).
pub fn authorization_v3(access_key_id: &str, key: &SigningKey, request: &V3Request<'_>) -> String {
    authorization_with_signature(access_key_id, key, request).0
}

/// [`authorization_v3`], and the signature in it.
fn authorization_with_signature(
    access_key_id: &str,
    key: &SigningKey,
    request: &V3Request<'_>,
) -> (String, Signature) {
    let hash = key.hash();
    with_canonical_request(request, |canonical, signed_headers| {
        let mut hashed = [0u8; 64];
        let hashed = hash.hex_digest_into(canonical.as_bytes(), &mut hashed);
        let mut signature = [0u8; 64];
        let signature = key.hex_hmac_into(&[hash.name(), "\n", hashed], &mut signature);
        (
            authorization_header(hash, access_key_id, signed_headers, signature),
            Signature::new(signature),
        )
    })
}

/// The V3 part of [`super::sign`].
pub(super) fn sign_request<'a>(
    hash: V3Hash,
    request: &SignableRequest<'a>,
    params: &SigningParams<'_>,
) -> SigningOutput<'a> {
    let credentials = params.credentials.as_ref();
    let mut payload_hash = [0u8; 64];
    let hashed_payload = hash_payload_into(hash, request.body, &mut payload_hash);
    let mut headers = header_buffer(request, credentials);
    // The official SDK's headers, in its order; every one of them is signed.
    headers.push("host", request.host);
    headers.push("x-acs-version", request.version);
    headers.push("x-acs-action", request.action);
    headers.push("user-agent", request.user_agent);
    headers.push("x-acs-date", params.timestamp);
    headers.push("x-acs-signature-nonce", params.nonce);
    headers.push("accept", "application/json");
    if let Some(content_type) = request.content_type {
        headers.push("content-type", content_type);
    }
    headers.push("x-acs-content-sha256", hashed_payload);
    if let Some(credentials) = credentials {
        headers.push("x-acs-credentials-provider", credentials.provider_name);
        if let Some(token) = credentials.security_token {
            headers.push("x-acs-accesskey-id", credentials.access_key_id);
            headers.push("x-acs-security-token", token);
        }
    }
    let is_signed = |name: &str| name.starts_with("x-acs-");
    for (name, value) in request.headers.iter().filter(|(name, _)| is_signed(name)) {
        headers.push(name, value);
    }
    let signed = credentials.map(|credentials| {
        let owned_key;
        let key = match credentials.key.filter(|key| key.hash() == hash) {
            Some(key) => key,
            None => {
                owned_key = SigningKey::new(hash, credentials.access_key_secret);
                &owned_key
            }
        };
        let v3 = V3Request {
            method: request.method.as_str(),
            canonical_uri: request.path,
            query: request.query,
            headers: &headers,
            hashed_payload,
        };
        authorization_with_signature(credentials.access_key_id, key, &v3)
    });
    for (name, value) in request.headers.iter().filter(|(name, _)| !is_signed(name)) {
        headers.push(name, value);
    }
    let signature = signed.map(|(authorization, signature)| {
        headers.push("Authorization", &authorization);
        signature
    });
    SigningOutput {
        headers,
        query: std::borrow::Cow::Borrowed(request.query),
        signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bodies_hash_to_the_constants() {
        for hash in [V3Hash::Sha256, V3Hash::Sm3] {
            assert_eq!(hash_payload(hash, b""), hash.hex_digest(b""));
        }
    }
}
