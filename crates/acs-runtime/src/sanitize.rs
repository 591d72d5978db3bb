//! What a call shows of server-sent text: [`Scrubber`] removes the credentials and signature
//! of a request from what a server echoes, [`escape_controls`] keeps it from steering a
//! terminal, and [`truncate`] bounds its length.
//!
//! A server that refuses a request often quotes it: `SignatureDoesNotMatch` messages carry the
//! string the server signed, which for RPC `HMAC-SHA1` includes the `SecurityToken`
//! (percent-encoded twice), and a hostile server may echo anything it received, in any
//! encoding. Every string of an error and every tracing field built from an answer goes
//! through the scrubber first.

use std::borrow::Cow;

/// What replaces a secret.
const MASK: &str = "***";

/// What [`truncate`] ends a cut string with. Server-sent text is cut to bound memory before it
/// is scrubbed (a field is cut while it is read), so a secret may end at a cut: the part of it
/// before this mark is masked as a whole secret is.
const CUT_MARK: &str = "…";

/// How many bytes of a secret, ending at a cut, are masked: fewer say nothing of it.
const CUT_PREFIX: usize = 4;

/// How many times a byte is taken as percent-encoded again (`%25…25XX`), and how many digits
/// an XML character reference may have: bounds that keep scrubbing linear in the text's length
/// whatever a server sends (`&#&#&#…` or `%252525…` otherwise cost a scan per position).
const MAX_PERCENT_LEVELS: usize = 8;
const MAX_REFERENCE_DIGITS: usize = 8;

/// The secrets of one signed request, and where they hide in text.
///
/// A secret is found however a server may have encoded it, byte by byte and mixed: as itself,
/// percent-encoded (either case of hex, any number of times: `%2B`, `%2b`, `%252B`), with `+`
/// for a space (form encoding), as a JSON escape (`\u002B`, `\/`), or as an XML character
/// reference (`&#43;`, `&#x2B;`).
#[derive(Default)]
pub(crate) struct Scrubber<'a> {
    secrets: Vec<&'a [u8]>,
}

impl<'a> Scrubber<'a> {
    /// A scrubber that removes nothing yet.
    pub(crate) fn new() -> Self {
        Scrubber::default()
    }

    /// The same scrubber also removing `secret` (ignored when empty).
    pub(crate) fn with(mut self, secret: Option<&'a str>) -> Self {
        if let Some(secret) = secret.filter(|secret| !secret.is_empty()) {
            self.secrets.push(secret.as_bytes());
        }
        self
    }

    /// Whether there is nothing to remove.
    pub(crate) fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret, in every encoding above, replaced by `***`; so is the start of
    /// a secret that a cut ends (`CAIS…` becomes `***…`).
    pub(crate) fn scrub(&self, text: &mut String) {
        if self.secrets.is_empty() || text.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut at = 0;
        while at < bytes.len() {
            let matched = self
                .secrets
                .iter()
                .filter_map(|secret| {
                    match_encoded(bytes, at, secret).or_else(|| match_cut(bytes, at, secret))
                })
                .max();
            match matched {
                Some(end) if text.is_char_boundary(at) && text.is_char_boundary(end) => {
                    let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    out.push_str(&text[copied..at]);
                    out.push_str(MASK);
                    copied = end;
                    at = end;
                }
                _ => at += 1,
            }
        }
        if let Some(mut out) = out {
            out.push_str(&text[copied..]);
            *text = out;
        }
    }

    /// [`Scrubber::scrub`] on an optional string.
    pub(crate) fn scrub_option(&self, text: &mut Option<String>) {
        if let Some(text) = text {
            self.scrub(text);
        }
    }
}

/// Where an encoded copy of `secret` starting at `at` in `text` ends, if one does.
fn match_encoded(text: &[u8], at: usize, secret: &[u8]) -> Option<usize> {
    let mut position = at;
    for &byte in secret {
        position = match_byte(text, position, byte)?;
    }
    Some(position)
}

/// Where the encoded start of `secret` that begins at `at` ends, if a cut follows it: at
/// least [`CUT_PREFIX`] bytes of the secret, then [`CUT_MARK`], maybe after the first bytes of
/// an encoding the cut split (`%2…`, `\u00…`, `&#4…`), which are masked too.
fn match_cut(text: &[u8], at: usize, secret: &[u8]) -> Option<usize> {
    let mut position = at;
    let mut matched = 0;
    for &byte in secret {
        match match_byte(text, position, byte) {
            Some(next) => {
                position = next;
                matched += 1;
            }
            None => break,
        }
    }
    if matched < CUT_PREFIX.min(secret.len()) {
        return None;
    }
    let rest = &text[position..];
    let split = rest
        .iter()
        .take(MAX_REFERENCE_DIGITS + 3)
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'%' | b'\\' | b'&' | b'#')))
        .unwrap_or(rest.len().min(MAX_REFERENCE_DIGITS + 3));
    let starts_encoding = split == 0 || matches!(rest[0], b'%' | b'\\' | b'&');
    (starts_encoding && rest[split..].starts_with(CUT_MARK.as_bytes())).then_some(position + split)
}

/// Where one encoded `byte` starting at `at` ends, if the text has one there.
fn match_byte(text: &[u8], at: usize, byte: u8) -> Option<usize> {
    let rest = text.get(at..)?;
    match rest.first()? {
        &first if first == byte => Some(at + 1),
        b'+' if byte == b' ' => Some(at + 1),
        b'%' => {
            // `%XX`, or `%25…25XX`: percent-encoded again and again (`%` itself is `%25`).
            let mut position = at + 1;
            for _ in 0..MAX_PERCENT_LEVELS {
                if hex_pair(text, position)? == byte {
                    return Some(position + 2);
                }
                if !text.get(position..)?.starts_with(b"25") {
                    return None;
                }
                position += 2;
            }
            None
        }
        b'\\' => match rest.get(1)? {
            b'/' if byte == b'/' => Some(at + 2),
            b'u' => {
                let high = hex_pair(text, at + 2)?;
                let low = hex_pair(text, at + 4)?;
                (high == 0 && low == byte && byte.is_ascii()).then_some(at + 6)
            }
            _ => None,
        },
        b'&' if rest.get(1) == Some(&b'#') && byte.is_ascii() => {
            let (digits, radix, start) = match rest.get(2) {
                Some(b'x' | b'X') => (&rest[3..], 16, 3),
                _ => (&rest[2..], 10, 2),
            };
            let length = digits
                .iter()
                .take(MAX_REFERENCE_DIGITS + 1)
                .position(|&b| b == b';')?;
            let text = std::str::from_utf8(&digits[..length]).ok()?;
            (length > 0 && u32::from_str_radix(text, radix).ok()? == u32::from(byte))
                .then_some(at + start + length + 1)
        }
        _ => None,
    }
}

/// The byte two hex digits (either case) at `at` stand for.
fn hex_pair(text: &[u8], at: usize) -> Option<u8> {
    let digit = |offset: usize| char::from(*text.get(at + offset)?).to_digit(16);
    Some((digit(0)? * 16 + digit(1)?) as u8)
}

/// `text` with control characters (C0, DEL, C1), and the bidirectional controls that reorder
/// what a terminal shows, written as `\u{…}` escapes: server-sent text printed raw could move
/// the cursor, recolour the terminal or hide what follows.
pub(crate) fn escape_controls(text: &str) -> Cow<'_, str> {
    let is_unsafe =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut to at most `max` bytes at a character boundary, marked with `…` when cut.
pub(crate) fn truncate(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubbed(secret: &str, text: &str) -> String {
        let mut text = text.to_owned();
        Scrubber::new().with(Some(secret)).scrub(&mut text);
        text
    }

    #[test]
    fn secrets_are_found_in_every_encoding() {
        let token = "CAIS+/=Tok en";
        for echo in [
            "CAIS+/=Tok en",
            "CAIS%2B%2F%3DTok%20en",
            "CAIS%2b%2f%3dTok%20en",
            "CAIS%252B%252F%253DTok%2520en",
            "CAIS%25252B/%3DTok+en",
            r"CAIS\u002B\/\u003dTok\u0020en",
            "CAIS&#43;&#x2F;=Tok en",
            "%43%41%49%53+/=Tok en",
        ] {
            assert_eq!(
                scrubbed(token, &format!("before {echo} after")),
                "before *** after",
                "{echo}"
            );
        }
        assert_eq!(
            scrubbed(token, "CAIS+/=Tok"),
            "CAIS+/=Tok",
            "a part is not the secret"
        );
        assert_eq!(scrubbed("s", "ßs"), "ß***");
        assert_eq!(scrubbed("", "text"), "text");
    }

    #[test]
    fn the_start_of_a_secret_a_cut_ends_is_masked() {
        let token = "CAISabcdefghijklmnop";
        // As `truncate` leaves a cut string, and inside a longer message.
        assert_eq!(scrubbed(token, "token CAISabcdefgh…"), "token ***…");
        assert_eq!(
            scrubbed(token, "Denied CAISabcd… (request id R)"),
            "Denied ***… (request id R)"
        );
        // Encoded, and with the cut inside an encoding.
        assert_eq!(scrubbed("a/b=cdef", "x a%2Fb%3Dc%6…"), "x ***…");
        assert_eq!(scrubbed("a/b=cdef", r"x a\/b\u003dc\u00…"), "x ***…");
        // Fewer than four bytes say nothing; without a cut a start is not a secret.
        assert_eq!(scrubbed(token, "the CAI…"), "the CAI…");
        assert_eq!(
            scrubbed(token, "token CAISabcdefgh and more"),
            "token CAISabcdefgh and more"
        );
        assert_eq!(scrubbed(token, "CAISabcdefgh next…"), "CAISabcdefgh next…");
    }

    #[test]
    fn encodings_are_read_to_a_bound() {
        // What keeps scrubbing linear whatever a server sends (`&#&#…`, `%252525…`): nine
        // levels of `%25` or a nine-digit reference are not read as an encoding.
        let deep = format!("%{}73", "25".repeat(MAX_PERCENT_LEVELS));
        assert_eq!(scrubbed("s", &deep), deep);
        assert_eq!(scrubbed("s", "%25252573"), "***");
        assert_eq!(scrubbed("s", "&#0000000115;"), "&#0000000115;");
        assert_eq!(scrubbed("s", "&#115;"), "***");
    }

    #[test]
    fn every_secret_is_removed() {
        let mut text = "id=AK secret=SECRET token=TOKEN sig=abc123".to_owned();
        Scrubber::new()
            .with(Some("SECRET"))
            .with(Some("TOKEN"))
            .with(Some("abc123"))
            .with(None)
            .scrub(&mut text);
        assert_eq!(text, "id=AK secret=*** token=*** sig=***");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("plain ünï"), "plain ünï");
        assert_eq!(
            escape_controls("a\x1b[31mred\r\nb\u{202e}c\u{85}"),
            "a\\u{1b}[31mred\\u{d}\\u{a}b\\u{202e}c\\u{85}"
        );
    }
}
