//! Percent-encoding as Alibaba Cloud's signatures and wire format expect it.
//!
//! Every signature (V3 `ACS3-*` and RPC `HMAC-SHA1`) encodes per RFC 3986: only the unreserved
//! characters `A-Z a-z 0-9 - _ . ~` stay as they are, everything else becomes `%XX` with
//! upper-case hex over the UTF-8 bytes. That is stricter than `application/x-www-form-urlencoded`
//! (which keeps `*` and turns space into `+`), and a single byte of difference breaks the
//! signature, so the set is spelled out here instead of borrowed from a URL library.
//!
//! The official SDKs put query strings on the wire form-encoded ([`form_encode`]); the server
//! decodes before it verifies, so either encoding is accepted there, but only [`percent_encode`]
//! may be used to build the strings that are signed.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The content type of form bodies.
pub(crate) const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// The content type of JSON bodies.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The content type of raw bodies (uploaded bytes).
pub(crate) const BINARY_CONTENT_TYPE: &str = "application/octet-stream";

/// Bytes that must be encoded: everything except the RFC 3986 unreserved characters.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// [`RFC3986`] minus `/`, so a path keeps its segments.
const RFC3986_PATH: &AsciiSet = &RFC3986.remove(b'/');

/// Percent-encodes `s` per RFC 3986 as the signatures require.
///
/// Only `A-Z a-z 0-9 - _ . ~` are left unencoded; every other byte of the UTF-8 form becomes
/// `%XX` with upper-case hex (space is `%20`, `*` is `%2A`, `/` is `%2F`, `数` is `%E6%95%B0`).
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// [`percent_encode`] as the runs of text it is made of, for signing to hash or append without
/// an allocation per key and value.
pub(crate) fn percent_encode_chunks(s: &str) -> impl Iterator<Item = &str> {
    utf8_percent_encode(s, RFC3986)
}

/// Percent-encodes a URL path like [`percent_encode`] but keeps `/` as the segment separator.
///
/// This gives the canonical URI of an ROA request from its unencoded path (the official SDK's
/// `get_encode_path`, `quote(path, safe='/~')`).
pub fn percent_encode_path(path: &str) -> String {
    utf8_percent_encode(path, RFC3986_PATH).to_string()
}

/// [`RFC3986_PATH`] minus the sub-delimiters and `:`/`@` that RFC 3986 allows in a path
/// segment: the characters ROA path templates carry as they are.
const PATH_LITERAL: &AsciiSet = &RFC3986_PATH
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// Encodes the literal text of a path template: the characters a path segment may hold
/// (`/apps:search`, `resourceTypes/*`) stay as they are, as the official SDKs send and sign
/// them; anything else is percent-encoded.
pub fn encode_path_literal(path: &str) -> String {
    utf8_percent_encode(path, PATH_LITERAL).to_string()
}

/// Encodes `s` for a query string or form body as the official SDK sends it on the wire.
///
/// Same as [`percent_encode`] except that a space becomes `+` (Python's `quote_plus`). Never use
/// this for a string that is signed.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    form_encode_into(&mut out, s);
    out
}

/// [`form_encode`], appended to `out`.
fn form_encode_into(out: &mut String, s: &str) {
    // Splitting on the space keeps the `%20` → `+` mapping exact: no other input byte can ever
    // produce `%20`.
    for (i, part) in s.split(' ').enumerate() {
        if i > 0 {
            out.push('+');
        }
        out.extend(utf8_percent_encode(part, RFC3986));
    }
}

/// Joins `pairs` as `k=v&k=v` with [`form_encode`], in the order given.
///
/// Suitable for the query string of a request URL or an `application/x-www-form-urlencoded`
/// body; the order does not matter to the server, which sorts before verifying.
pub fn form_encode_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    push_form_encoded_pairs(&mut out, pairs);
    out
}

/// [`form_encode_pairs`], appended to `out`: one buffer for the whole query or body.
pub(crate) fn push_form_encoded_pairs(out: &mut String, pairs: &[(String, String)]) {
    out.reserve(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        form_encode_into(out, key);
        out.push('=');
        form_encode_into(out, value);
    }
}
