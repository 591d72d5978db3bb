//! Request signatures: V3 (`ACS3-HMAC-SHA256`, `ACS3-HMAC-SM3`) and RPC V1 (`HMAC-SHA1`).
//!
//! Everything here is a pure function of its inputs: the caller picks the time, the nonce and the
//! headers, so each signature is reproducible and the official test vectors can be replayed
//! exactly (`tests/signing.rs`). The result structs keep every intermediate string, which makes
//! a mismatch with the server (`SignatureDoesNotMatch` quotes the server's string to sign)
//! traceable to the first step that differs.
//!
//! Secrets are only borrowed for the duration of a call and never stored in a returned value.

mod gateways;
pub mod oss;
pub mod sls;
mod v1;
mod v3;

use std::fmt;

use crate::encoding::percent_encode_chunks;

pub use v1::{V1Signature, sign_v1};
pub use v3::{
    SigningKey, V3Request, V3Signature, authorization_v3, authorization_v3_with_key, hash_payload,
    sign_v3,
};

/// How a request is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// V3 signature with SHA-256 hashes and HMAC-SHA256 (the official SDKs' default).
    Acs3HmacSha256,
    /// V3 signature with the Chinese national standard SM3 hash and HMAC-SM3.
    Acs3HmacSm3,
    /// Legacy RPC signature, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`: the signature
    /// travels as the `Signature` query parameter instead of an `Authorization` header.
    HmacSha1,
}

impl SignatureAlgorithm {
    /// Every algorithm, in declaration order.
    pub const ALL: [SignatureAlgorithm; 3] = [
        SignatureAlgorithm::Acs3HmacSha256,
        SignatureAlgorithm::Acs3HmacSm3,
        SignatureAlgorithm::HmacSha1,
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
        }
    }

    /// The algorithm called `name` (exactly as [`SignatureAlgorithm::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|algorithm| algorithm.name() == name)
    }

    /// Whether this is a V3 (`Authorization` header) algorithm, usable with [`sign_v3`] and
    /// [`hash_payload`].
    pub fn is_v3(self) -> bool {
        !matches!(self, SignatureAlgorithm::HmacSha1)
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
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
