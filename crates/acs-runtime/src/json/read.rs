//! [`Reader`]: a strict JSON pull reader over an answer's bytes.
//!
//! It follows RFC 8259 as strictly as serde_json does (a test compares the two on thousands of
//! mutated documents), but builds nothing: the decoder of a response type asks for the members
//! it has and the reader skips — validating — everything else, so decoding an answer costs the
//! body plus what the typed output keeps. Strings are borrowed from the body unless they hold
//! escapes; numbers are handed over as their source text, so `12345678901234567890123` and
//! `1.0` stay exact where the type is text, and become an `i64` or `f64` without a heap string
//! where it is not.
//!
//! Nesting deeper than [`MAX_DEPTH`] is refused. Skipping is iterative; typed decoding recurses
//! once per container of the document, at most [`MAX_DEPTH`] deep. With a deadline, the clock
//! is read every few thousand values, so a large body is read inside the call's time budget.

use std::borrow::Cow;
use std::time::Instant;

use super::{DecodeError, MAX_DEPTH, Result};

/// What kind of value comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    /// `a string`, `an array`, …: how errors name what they found.
    pub fn described(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// How many values go between two looks at the clock: often enough that a large body
/// overshoots a deadline by well under a millisecond, rarely enough to cost nothing.
const VALUES_PER_CLOCK_CHECK: u32 = 4096;

/// A pull reader over one JSON document. Generated response types read their members with
/// [`Reader::object`], [`Reader::read_into`] and [`Reader::skip`].
pub struct Reader<'a> {
    text: &'a str,
    /// The next byte to read; on a failure, where it was found.
    at: usize,
    /// Containers open around the reader's position.
    depth: usize,
    deadline: Option<Instant>,
    values_until_check: u32,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The text is an answer, which may hold secrets.
        f.debug_struct("Reader")
            .field("at", &self.at)
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`, which must be UTF-8, giving up once `deadline` has passed.
    pub fn new(bytes: &'a [u8], deadline: Option<Instant>) -> Result<Self> {
        let text = std::str::from_utf8(bytes)
            .map_err(|error| syntax_error(bytes, error.valid_up_to(), "invalid UTF-8"))?;
        Ok(Reader {
            text,
            at: 0,
            depth: 0,
            deadline,
            values_until_check: VALUES_PER_CLOCK_CHECK,
        })
    }

    /// The error `reason` at the current position: line and column, never the text.
    fn syntax(&self, reason: &'static str) -> DecodeError {
        syntax_error(self.text.as_bytes(), self.at.min(self.text.len()), reason)
    }

    fn peek_byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek_byte() {
            self.at += 1;
        }
    }

    /// Whether only whitespace is left; the whole document must be one value.
    pub(crate) fn finish(&mut self) -> Result<()> {
        self.skip_whitespace();
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(self.syntax("trailing characters"))
        }
    }

    /// The kind of the next value (whitespace before it skipped), without reading it.
    pub fn peek(&mut self) -> Result<Kind> {
        self.skip_whitespace();
        match self.peek_byte() {
            Some(b'{') => Ok(Kind::Object),
            Some(b'[') => Ok(Kind::Array),
            Some(b'"') => Ok(Kind::String),
            Some(b't' | b'f') => Ok(Kind::Bool),
            Some(b'n') => Ok(Kind::Null),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            Some(_) => Err(self.syntax("expected a value")),
            None if self.text.trim_start().is_empty() => Err(self.syntax("empty body")),
            None => Err(self.syntax("unexpected end of the body")),
        }
    }

    /// Counts a value, and every few thousand looks at the clock.
    pub(super) fn tick(&mut self) -> Result<()> {
        self.values_until_check -= 1;
        if self.values_until_check == 0 {
            self.values_until_check = VALUES_PER_CLOCK_CHECK;
            if self
                .deadline
                .is_some_and(|deadline| Instant::now() >= deadline)
            {
                return Err(DecodeError::out_of_time());
            }
        }
        Ok(())
    }

    /// Reads `null` if it comes next: `true` then, `false` (nothing read) for any other value.
    pub fn null(&mut self) -> Result<bool> {
        if self.peek()? == Kind::Null {
            self.tick()?;
            self.literal("null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// A boolean.
    pub fn bool(&mut self) -> Result<bool> {
        self.tick()?;
        match self.peek()? {
            Kind::Bool if self.peek_byte() == Some(b't') => self.literal("true").map(|()| true),
            Kind::Bool => self.literal("false").map(|()| false),
            other => Err(DecodeError::expected("a boolean", other)),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<()> {
        if self.text.as_bytes()[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(())
        } else {
            Err(self.syntax("expected a value"))
        }
    }

    /// A number, as written: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    pub fn number(&mut self) -> Result<&'a str> {
        self.tick()?;
        let kind = self.peek()?;
        if kind != Kind::Number {
            return Err(DecodeError::expected("a number", kind));
        }
        let start = self.at;
        if self.peek_byte() == Some(b'-') {
            self.at += 1;
        }
        match self.peek_byte() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.syntax("expected a digit")),
        }
        if self.peek_byte() == Some(b'.') {
            self.at += 1;
            self.at_least_one_digit()?;
        }
        if let Some(b'e' | b'E') = self.peek_byte() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek_byte() {
                self.at += 1;
            }
            self.at_least_one_digit()?;
        }
        Ok(&self.text[start..self.at])
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek_byte() {
            self.at += 1;
        }
    }

    fn at_least_one_digit(&mut self) -> Result<()> {
        if !matches!(self.peek_byte(), Some(b'0'..=b'9')) {
            return Err(self.syntax("expected a digit"));
        }
        self.digits();
        Ok(())
    }

    /// A string, unescaped; borrowed from the body when it has no escape.
    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        self.tick()?;
        let kind = self.peek()?;
        if kind != Kind::String {
            return Err(DecodeError::expected("a string", kind));
        }
        self.string_here()
    }

    /// The string starting at this `"`.
    fn string_here(&mut self) -> Result<Cow<'a, str>> {
        self.at += 1;
        let plain = self.plain_run();
        let mut unescaped: Option<String> = None;
        loop {
            match self.peek_byte() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(unescaped.map_or(Cow::Borrowed(plain), Cow::Owned));
                }
                Some(b'\\') => {
                    let out = unescaped.get_or_insert_with(|| {
                        let mut out = String::with_capacity(plain.len() + 16);
                        out.push_str(plain);
                        out
                    });
                    self.at += 1;
                    self.escape(Some(out))?;
                    out.push_str(self.plain_run());
                }
                Some(_) => return Err(self.syntax("control character in a string")),
                None => return Err(self.syntax("unterminated string")),
            }
        }
    }

    /// Steps over the string starting at this `"`, checking its escapes, keeping nothing.
    fn skip_string(&mut self) -> Result<()> {
        self.at += 1;
        self.plain_run();
        loop {
            match self.peek_byte() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(None)?;
                    self.plain_run();
                }
                Some(_) => return Err(self.syntax("control character in a string")),
                None => return Err(self.syntax("unterminated string")),
            }
        }
    }

    /// The text from here to the next `"`, `\` or control character (or the end), stepped over:
    /// most strings are one such run.
    fn plain_run(&mut self) -> &'a str {
        let (text, start) = (self.text, self.at);
        self.at = text.as_bytes()[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .map_or(text.len(), |length| start + length);
        &text[start..self.at]
    }

    /// The escape after a `\`, appended to `out` when there is one.
    fn escape(&mut self, out: Option<&mut String>) -> Result<()> {
        let escaped = match self.peek_byte() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let unit = self.hex4()?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if !self.text.as_bytes()[self.at..].starts_with(b"\\u") {
                            return Err(self.syntax("lone surrogate in a \\u escape"));
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.syntax("lone surrogate in a \\u escape"));
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(self.syntax("lone surrogate in a \\u escape"));
                    }
                    unit => unit,
                };
                let character = char::from_u32(code)
                    .ok_or_else(|| self.syntax("lone surrogate in a \\u escape"))?;
                if let Some(out) = out {
                    out.push(character);
                }
                return Ok(());
            }
            _ => return Err(self.syntax("invalid escape")),
        };
        self.at += 1;
        if let Some(out) = out {
            out.push(escaped);
        }
        Ok(())
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .peek_byte()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.syntax("invalid \\u escape"))?;
            unit = unit * 16 + digit;
            self.at += 1;
        }
        Ok(unit)
    }

    /// Steps over the opening bracket and the whitespace after it; `true` when `close` follows
    /// at once (stepped over too): the container is empty.
    pub(super) fn open(&mut self, close: u8) -> Result<bool> {
        if self.depth >= MAX_DEPTH {
            return Err(self.syntax("nested too deeply"));
        }
        self.at += 1;
        self.skip_whitespace();
        let empty = self.peek_byte() == Some(close);
        if empty {
            self.at += 1;
        } else {
            self.depth += 1;
        }
        Ok(empty)
    }

    /// After a member or item: `true` at `close` (stepped over, the container left), `false`
    /// after a `,` (stepped over with the whitespace after it), else the `reason` error.
    pub(super) fn closes(&mut self, close: u8, reason: &'static str) -> Result<bool> {
        self.skip_whitespace();
        match self.peek_byte() {
            Some(b',') => {
                self.at += 1;
                self.skip_whitespace();
                Ok(false)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                self.depth -= 1;
                Ok(true)
            }
            _ => Err(self.syntax(reason)),
        }
    }

    /// A member's name and the `:` after it.
    pub(super) fn member_name(&mut self) -> Result<Cow<'a, str>> {
        if self.peek_byte() != Some(b'"') {
            return Err(self.syntax("expected a member name"));
        }
        let name = self.string_here()?;
        self.skip_whitespace();
        if self.peek_byte() != Some(b':') {
            return Err(self.syntax("expected `:`"));
        }
        self.at += 1;
        Ok(name)
    }

    /// Reads an object, handing each member's name and the reader (at the member's value) to
    /// `member`, which must read or [`skip`](Self::skip) the value. `null` reads as an object
    /// without members. A member's error names it in its path, so `member` must fail only for
    /// names it knows (a response type's members); for objects whose keys are data, see
    /// [`map`](Self::map).
    pub fn object(
        &mut self,
        member: impl FnMut(&str, &mut Reader<'a>) -> Result<()>,
    ) -> Result<()> {
        self.members(member, DecodeError::within_key)
    }

    /// [`object`](Self::object) for an object whose keys are data (a map): an entry's error
    /// shows `[…]` in its path instead of the key, which the server chose and could quote a
    /// request's secrets or steer a terminal.
    pub fn map(&mut self, entry: impl FnMut(&str, &mut Reader<'a>) -> Result<()>) -> Result<()> {
        self.members(entry, |error, _| error.within_entry())
    }

    fn members(
        &mut self,
        mut member: impl FnMut(&str, &mut Reader<'a>) -> Result<()>,
        within: impl Fn(DecodeError, &str) -> DecodeError,
    ) -> Result<()> {
        self.tick()?;
        match self.peek()? {
            Kind::Object => {}
            Kind::Null => return self.literal("null"),
            other => return Err(DecodeError::expected("an object", other)),
        }
        if self.open(b'}')? {
            return Ok(());
        }
        loop {
            let name = self.member_name()?;
            member(&name, self).map_err(|error| within(error, &name))?;
            if self.closes(b'}', "expected `,` or `}`")? {
                return Ok(());
            }
        }
    }

    /// Reads an array, handing each item's index and the reader (at the item) to `item`, which
    /// must read or skip it. An item's error names its index in its path.
    pub fn array(
        &mut self,
        mut item: impl FnMut(usize, &mut Reader<'a>) -> Result<()>,
    ) -> Result<()> {
        self.tick()?;
        let kind = self.peek()?;
        if kind != Kind::Array {
            return Err(DecodeError::expected("an array", kind));
        }
        if self.open(b']')? {
            return Ok(());
        }
        for index in 0.. {
            item(index, self).map_err(|error| error.within_index(index))?;
            if self.closes(b']', "expected `,` or `]`")? {
                break;
            }
        }
        Ok(())
    }

    /// Decodes the next value into `slot`: `None` for `null` (and, for scalars, `""`). A
    /// member given twice keeps its last value, as serde_json does.
    pub fn read_into<T: super::FromJson>(&mut self, slot: &mut Option<T>) -> Result<()> {
        *slot = T::from_optional_json(self)?;
        Ok(())
    }

    /// Steps over the next value, checking it is valid JSON and keeping nothing. Iterative: a
    /// bit per open container says whether it is an object or an array.
    pub fn skip(&mut self) -> Result<()> {
        let outer = self.depth;
        let mut objects: u128 = 0;
        let mut open = 0u32;
        loop {
            self.tick()?;
            match self.peek()? {
                Kind::Object | Kind::Array => {
                    let is_object = self.peek_byte() == Some(b'{');
                    let close = if is_object { b'}' } else { b']' };
                    if !self.open(close)? {
                        objects = (objects << 1) | u128::from(is_object);
                        open += 1;
                        if is_object {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                Kind::String => self.skip_string()?,
                Kind::Number => {
                    self.number()?;
                }
                Kind::Bool => {
                    self.bool()?;
                }
                Kind::Null => self.literal("null")?,
            }
            // A value is done: close every container it ends, then step to the next value.
            loop {
                if open == 0 {
                    debug_assert_eq!(self.depth, outer);
                    return Ok(());
                }
                let in_object = objects & 1 == 1;
                let (close, reason) = if in_object {
                    (b'}', "expected `,` or `}`")
                } else {
                    (b']', "expected `,` or `]`")
                };
                if self.closes(close, reason)? {
                    objects >>= 1;
                    open -= 1;
                } else {
                    if in_object {
                        self.member_name()?;
                    }
                    break;
                }
            }
        }
    }
}

/// The line and column of byte `at`.
fn syntax_error(bytes: &[u8], at: usize, reason: &'static str) -> DecodeError {
    let before = &bytes[..at];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count();
    DecodeError::syntax(
        before.iter().filter(|&&b| b == b'\n').count() as u64 + 1,
        column as u64 + 1,
        reason,
    )
}
