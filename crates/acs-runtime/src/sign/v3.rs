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
use std::cell::RefCell;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use sm3::Sm3;

use crate::headers::Headers;

use super::{SignatureAlgorithm, with_sorted, write_canonical_query};

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
        // Canonical header lines are `name:value`, names lower-case.
        let mask = |text: &str| -> String {
            text.split_inclusive('\n')
                .map(|line| match line.strip_prefix("x-acs-security-token:") {
                    Some(rest) if rest.ends_with('\n') => "x-acs-security-token:***\n",
                    Some(_) => "x-acs-security-token:***",
                    None => line,
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

/// The hash behind a V3 algorithm. Keeping it separate from [`SignatureAlgorithm`] turns "which
/// hash?" into one fallible step, so the signing code itself has no unreachable arm.
#[derive(Clone, Copy)]
enum V3Hash {
    Sha256,
    Sm3,
}

impl V3Hash {
    fn of(algorithm: SignatureAlgorithm) -> Self {
        match algorithm {
            SignatureAlgorithm::Acs3HmacSha256 => V3Hash::Sha256,
            SignatureAlgorithm::Acs3HmacSm3 => V3Hash::Sm3,
            SignatureAlgorithm::HmacSha1 => panic!(
                "HMAC-SHA1 is the RPC V1 signature, use sign_v1; V3 needs ACS3-HMAC-SHA256 or ACS3-HMAC-SM3"
            ),
        }
    }

    fn hex_digest(self, data: &[u8]) -> String {
        match self {
            V3Hash::Sha256 => base16ct::lower::encode_string(&Sha256::digest(data)),
            V3Hash::Sm3 => base16ct::lower::encode_string(&Sm3::digest(data)),
        }
    }

    fn hex_hmac(self, key: &[u8], data: &[u8]) -> String {
        match self {
            V3Hash::Sha256 => {
                base16ct::lower::encode_string(hmac_bytes::<Hmac<Sha256>>(key, data).as_ref())
            }
            V3Hash::Sm3 => {
                base16ct::lower::encode_string(hmac_bytes::<Hmac<Sm3>>(key, data).as_ref())
            }
        }
    }
}

impl V3Hash {
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
    /// `secret` keyed for `algorithm`.
    ///
    /// # Panics
    ///
    /// If `algorithm` is [`SignatureAlgorithm::HmacSha1`] (V1 keys its HMAC per request).
    pub fn new(algorithm: SignatureAlgorithm, secret: &str) -> Self {
        // Unlike V1, the key is the bare secret (no `&` appended).
        let key = secret.as_bytes();
        SigningKey(match V3Hash::of(algorithm) {
            V3Hash::Sha256 => KeyedMac::Sha256(
                <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key"),
            ),
            V3Hash::Sm3 => KeyedMac::Sm3(
                <Hmac<Sm3> as KeyInit>::new_from_slice(key).expect("HMAC takes any key"),
            ),
        })
    }

    /// The algorithm this key signs for.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self.0 {
            KeyedMac::Sha256(_) => SignatureAlgorithm::Acs3HmacSha256,
            KeyedMac::Sm3(_) => SignatureAlgorithm::Acs3HmacSm3,
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
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

fn hmac_bytes<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> impl AsRef<[u8]> {
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes()
}

/// Lower-case hex hash of a request body: SHA-256 for `ACS3-HMAC-SHA256`, SM3 for
/// `ACS3-HMAC-SM3`. This is the `x-acs-content-sha256` header (named so whatever the hash) and
/// [`V3Request::hashed_payload`]; an empty body hashes the empty string.
///
/// # Panics
///
/// If `algorithm` is [`SignatureAlgorithm::HmacSha1`], which does not hash the body.
pub fn hash_payload(algorithm: SignatureAlgorithm, body: &[u8]) -> String {
    // Most requests have no body: their hash is a constant.
    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const EMPTY_SM3: &str = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b";
    match (V3Hash::of(algorithm), body.is_empty()) {
        (V3Hash::Sha256, true) => EMPTY_SHA256.to_owned(),
        (V3Hash::Sm3, true) => EMPTY_SM3.to_owned(),
        (hash, false) => hash.hex_digest(body),
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

/// The `Authorization` header for `request`: what [`sign_v3`] computes, without keeping the
/// intermediate strings. See [`authorization_v3_with_key`], which the runtime uses.
///
/// # Panics
///
/// If `algorithm` is [`SignatureAlgorithm::HmacSha1`] (use [`super::sign_v1`]).
pub fn authorization_v3(
    algorithm: SignatureAlgorithm,
    access_key_id: &str,
    access_key_secret: &str,
    request: &V3Request<'_>,
) -> String {
    authorization_v3_with_key(
        access_key_id,
        &SigningKey::new(algorithm, access_key_secret),
        request,
    )
}

/// [`authorization_v3`] with the secret already keyed. The lists are sorted on the stack, the
/// canonical request is written into a per-thread buffer and the signed-headers list once, into
/// the header itself, so the signature costs one allocation: the header. The runtime signs
/// every attempt this way.
pub fn authorization_v3_with_key(
    access_key_id: &str,
    key: &SigningKey,
    request: &V3Request<'_>,
) -> String {
    let algorithm = key.algorithm();
    let hash = V3Hash::of(algorithm);
    let name = algorithm.name();
    let query = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    with_sorted(query, |sorted_query| {
        with_sorted(header_entries(request.headers), |sorted_headers| {
            let mut authorization = String::with_capacity(
                name.len()
                    + access_key_id.len()
                    + sorted_headers
                        .iter()
                        .map(|(name, _)| name.len() + 1)
                        .sum::<usize>()
                    + 104,
            );
            for piece in [name, " Credential=", access_key_id, ",SignedHeaders="] {
                authorization.push_str(piece);
            }
            let signed_start = authorization.len();
            push_signed_headers(sorted_headers, &mut authorization);
            let signed_headers = &authorization[signed_start..];

            // Hashing one buffer beats feeding the hash dozens of small pieces; the buffer is
            // the thread's, so its capacity is reused from one signature to the next.
            thread_local! {
                static CANONICAL: RefCell<String> = const { RefCell::new(String::new()) };
            }
            let mut hashed = [0u8; 64];
            let hashed = CANONICAL.with_borrow_mut(|canonical| {
                canonical.clear();
                write_canonical_request(
                    request,
                    sorted_query,
                    sorted_headers,
                    signed_headers,
                    &mut |piece| canonical.push_str(piece),
                );
                hash.hex_digest_into(canonical.as_bytes(), &mut hashed)
            });
            let mut signature = [0u8; 64];
            let signature = key.hex_hmac_into(&[name, "\n", hashed], &mut signature);
            authorization.push_str(",Signature=");
            authorization.push_str(signature);
            authorization
        })
    })
}

/// Signs `request` with a V3 algorithm, keeping every intermediate string.
///
/// # Panics
///
/// If `algorithm` is [`SignatureAlgorithm::HmacSha1`] (use [`super::sign_v1`]).
pub fn sign_v3(
    algorithm: SignatureAlgorithm,
    access_key_id: &str,
    access_key_secret: &str,
    request: &V3Request<'_>,
) -> V3Signature {
    let hash = V3Hash::of(algorithm);
    let query = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    with_sorted(query, |sorted_query| {
        with_sorted(header_entries(request.headers), |sorted_headers| {
            let mut canonical_query_string = String::new();
            write_canonical_query(sorted_query, &mut |p| canonical_query_string.push_str(p));
            let mut canonical_headers = String::new();
            write_canonical_headers(sorted_headers, &mut |p| canonical_headers.push_str(p));
            let mut signed_headers = String::new();
            push_signed_headers(sorted_headers, &mut signed_headers);
            let mut canonical_request = String::new();
            write_canonical_request(
                request,
                sorted_query,
                sorted_headers,
                &signed_headers,
                &mut |p| canonical_request.push_str(p),
            );
            let hashed_canonical_request = hash.hex_digest(canonical_request.as_bytes());
            let string_to_sign = format!("{}\n{}", algorithm.name(), hashed_canonical_request);
            // Unlike V1, the key is the bare secret (no `&` appended).
            let signature = hash.hex_hmac(access_key_secret.as_bytes(), string_to_sign.as_bytes());
            let authorization = format!(
                "{} Credential={},SignedHeaders={},Signature={}",
                algorithm.name(),
                access_key_id,
                signed_headers,
                signature,
            );
            V3Signature {
                canonical_query_string,
                canonical_headers,
                canonical_request,
                hashed_canonical_request,
                string_to_sign,
                signed_headers,
                signature,
                authorization,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bodies_hash_to_the_constants() {
        for algorithm in [
            SignatureAlgorithm::Acs3HmacSha256,
            SignatureAlgorithm::Acs3HmacSm3,
        ] {
            assert_eq!(
                hash_payload(algorithm, b""),
                V3Hash::of(algorithm).hex_digest(b"")
            );
        }
    }
}
