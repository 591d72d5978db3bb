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

    /// `text` with every secret, in every encoding above, replaced by `***`.
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
                .filter_map(|secret| match_encoded(bytes, at, secret))
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

/// Where one encoded `byte` starting at `at` ends, if the text has one there.
fn match_byte(text: &[u8], at: usize, byte: u8) -> Option<usize> {
    let rest = text.get(at..)?;
    match rest.first()? {
        &first if first == byte => Some(at + 1),
        b'+' if byte == b' ' => Some(at + 1),
        b'%' => {
            // `%XX`, or `%25…25XX`: percent-encoded again and again (`%` itself is `%25`).
            let mut position = at + 1;
            loop {
                if hex_pair(text, position)? == byte {
                    return Some(position + 2);
                }
                if !text.get(position..)?.starts_with(b"25") {
                    return None;
                }
                position += 2;
            }
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
            let length = digits.iter().position(|&b| b == b';')?;
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
