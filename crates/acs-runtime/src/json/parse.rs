//! The JSON parser: RFC 8259, strict as serde_json is, straight into a [`Value`] tree.
//!
//! Written here rather than taken from a crate because the tree keeps each number's source text
//! (`1.0` and `12345678901234567890123` stay as written), which serde_json only offers through
//! its `arbitrary_precision` feature, a switch that would change every other serde_json user in
//! the application's build; and because an event parser in between cost a call more than all of
//! its own decoding (about 600 instructions a token). Its rules are few, and a test checks it
//! against serde_json on thousands of mutated documents.

use std::borrow::Cow;
use std::time::Instant;

use super::{MAX_DEPTH, Object, Value};

/// Why a body is not valid JSON. Carries the position only: a parser's message may quote the
/// body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// What is wrong, without quoting the input.
    pub reason: &'static str,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.reason, self.line, self.column
        )
    }
}

impl std::error::Error for SyntaxError {}

/// Parses a whole document.
pub fn parse(bytes: &[u8]) -> Result<Value, SyntaxError> {
    parse_before(bytes, None).map_err(|failure| match failure {
        ParseFailure::Syntax(error) => error,
        ParseFailure::OutOfTime => unreachable!("no deadline was given"),
    })
}

/// Why [`parse_before`] gave no document.
#[derive(Debug)]
pub(crate) enum ParseFailure {
    Syntax(SyntaxError),
    /// The deadline passed first.
    OutOfTime,
}

/// How many values go between two looks at the clock: often enough that a large body
/// overshoots a deadline by well under a millisecond, rarely enough to cost nothing.
const VALUES_PER_CLOCK_CHECK: u32 = 4096;

/// Members and items of the objects and arrays being read, innermost last; each container
/// takes its own off the end when it closes, so its vector is allocated once, at its final size.
#[derive(Default)]
struct WorkLists {
    /// Member names, back to back, with each member's value and where its name ends.
    names: String,
    members: Vec<(usize, Value)>,
    items: Vec<Value>,
}

thread_local! {
    /// The parser's work lists, reused from one body to the next on a thread: an answer's
    /// members otherwise grew them from nothing on every call.
    static WORK_LISTS: std::cell::Cell<WorkLists> = const {
        std::cell::Cell::new(WorkLists { names: String::new(), members: Vec::new(), items: Vec::new() })
    };
}

/// The most members and items the work lists keep room for between bodies (and 16 bytes of
/// names per member): what a large body made larger is freed.
const WORK_LISTS_KEPT: usize = 256;

/// [`parse`], giving up once `deadline` has passed: a large body is parsed inside the call's
/// time budget rather than after it.
pub(crate) fn parse_before(bytes: &[u8], deadline: Option<Instant>) -> Result<Value, ParseFailure> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        ParseFailure::Syntax(syntax_error(bytes, error.valid_up_to(), "invalid UTF-8"))
    })?;
    let mut parser = Parser {
        text,
        at: 0,
        deadline,
        values_until_check: VALUES_PER_CLOCK_CHECK,
        // Fresh lists when the thread's are gone (a parse from a thread-local's destructor).
        work: WORK_LISTS
            .try_with(std::cell::Cell::take)
            .unwrap_or_default(),
    };
    let result = parser.document();
    let mut work = parser.work;
    work.names.clear();
    work.members.clear();
    work.items.clear();
    // Kept for the next body unless a large one made them large.
    if work.names.capacity() <= 16 * WORK_LISTS_KEPT
        && work.members.capacity() <= WORK_LISTS_KEPT
        && work.items.capacity() <= WORK_LISTS_KEPT
    {
        let _ = WORK_LISTS.try_with(|kept| kept.set(work));
    }
    result.map_err(|failure| match failure {
        Failure::Syntax(reason) => {
            ParseFailure::Syntax(syntax_error(bytes, parser.at.min(bytes.len()), reason))
        }
        Failure::OutOfTime => ParseFailure::OutOfTime,
    })
}

/// The line and column of byte `at`.
fn syntax_error(bytes: &[u8], at: usize, reason: &'static str) -> SyntaxError {
    let before = &bytes[..at];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count();
    SyntaxError {
        line: before.iter().filter(|&&b| b == b'\n').count() as u64 + 1,
        column: column as u64 + 1,
        reason,
    }
}

enum Failure {
    Syntax(&'static str),
    OutOfTime,
}

type Parsed<T> = Result<T, Failure>;

struct Parser<'a> {
    text: &'a str,
    /// The next byte to read; on a failure, where it was found.
    at: usize,
    deadline: Option<Instant>,
    values_until_check: u32,
    work: WorkLists,
}

impl<'a> Parser<'a> {
    fn document(&mut self) -> Parsed<Value> {
        self.skip_whitespace();
        if self.at == self.text.len() {
            return Err(Failure::Syntax("empty body"));
        }
        let value = self.value(0)?;
        self.skip_whitespace();
        if self.at != self.text.len() {
            return Err(Failure::Syntax("trailing characters"));
        }
        Ok(value)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// The value starting here (whitespace skipped), inside `depth` arrays and objects.
    fn value(&mut self, depth: usize) -> Parsed<Value> {
        self.values_until_check -= 1;
        if self.values_until_check == 0 {
            self.values_until_check = VALUES_PER_CLOCK_CHECK;
            if self
                .deadline
                .is_some_and(|deadline| Instant::now() >= deadline)
            {
                return Err(Failure::OutOfTime);
            }
        }
        match self.peek() {
            Some(b'{' | b'[') if depth >= MAX_DEPTH => Err(Failure::Syntax("nested too deeply")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(|text| Value::String(text.into_owned())),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(Failure::Syntax("expected a value")),
            None => Err(Failure::Syntax("unexpected end of the body")),
        }
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Parsed<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Failure::Syntax(reason))
        }
    }

    fn object(&mut self, depth: usize) -> Parsed<Value> {
        let (first, names_start) = (self.work.members.len(), self.work.names.len());
        if self.open(b'}') {
            return Ok(Value::Object(Object::default()));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(Failure::Syntax("expected a member name"));
            }
            let name = self.string()?;
            self.work.names.push_str(&name);
            let name_end = self.work.names.len() - names_start;
            self.skip_whitespace();
            self.expect(b':', "expected `:`")?;
            self.skip_whitespace();
            // Nested objects add their names after this one's and take them off again.
            let value = self.value(depth + 1)?;
            self.work.members.push((name_end, value));
            if self.closes(b'}', "expected `,` or `}`")? {
                let names = self.work.names[names_start..].into();
                self.work.names.truncate(names_start);
                let members = self.work.members.drain(first..).collect();
                return Ok(Value::Object(Object { names, members }));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Parsed<Value> {
        let first = self.work.items.len();
        if self.open(b']') {
            return Ok(Value::Array(Vec::new()));
        }
        loop {
            let item = self.value(depth + 1)?;
            self.work.items.push(item);
            if self.closes(b']', "expected `,` or `]`")? {
                return Ok(Value::Array(self.work.items.drain(first..).collect()));
            }
        }
    }

    /// Steps over the opening bracket and the whitespace after it; `true` when `close` follows
    /// at once (stepped over too): the container is empty.
    fn open(&mut self, close: u8) -> bool {
        self.at += 1;
        self.skip_whitespace();
        let empty = self.peek() == Some(close);
        if empty {
            self.at += 1;
        }
        empty
    }

    /// After a member or item: `true` at `close` (stepped over), `false` after a `,` (stepped
    /// over with the whitespace after it), else the `reason` error.
    fn closes(&mut self, close: u8, reason: &'static str) -> Parsed<bool> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                self.skip_whitespace();
                Ok(false)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(Failure::Syntax(reason)),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Parsed<Value> {
        if self.text.as_bytes()[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(Failure::Syntax("expected a value"))
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as written.
    fn number(&mut self) -> Parsed<Value> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Failure::Syntax("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.at_least_one_digit()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.at_least_one_digit()?;
        }
        Ok(Value::Number(self.text[start..self.at].to_owned()))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn at_least_one_digit(&mut self) -> Parsed<()> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(Failure::Syntax("expected a digit"));
        }
        self.digits();
        Ok(())
    }

    /// The string starting at this `"`, unescaped; borrowed from the body when it has no escape.
    fn string(&mut self) -> Parsed<Cow<'a, str>> {
        self.at += 1;
        let plain = self.plain_run();
        let mut unescaped: Option<String> = None;
        loop {
            match self.peek() {
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
                    self.escape(out)?;
                    out.push_str(self.plain_run());
                }
                Some(_) => return Err(Failure::Syntax("control character in a string")),
                None => return Err(Failure::Syntax("unterminated string")),
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

    /// The escape after a `\`.
    fn escape(&mut self, out: &mut String) -> Parsed<()> {
        let escaped = match self.peek() {
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
                            return Err(Failure::Syntax("lone surrogate in a \\u escape"));
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Failure::Syntax("lone surrogate in a \\u escape"));
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(Failure::Syntax("lone surrogate in a \\u escape"));
                    }
                    unit => unit,
                };
                let character = char::from_u32(code)
                    .ok_or(Failure::Syntax("lone surrogate in a \\u escape"))?;
                out.push(character);
                return Ok(());
            }
            _ => return Err(Failure::Syntax("invalid escape")),
        };
        self.at += 1;
        out.push(escaped);
        Ok(())
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Parsed<u32> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or(Failure::Syntax("invalid \\u escape"))?;
            unit = unit * 16 + digit;
            self.at += 1;
        }
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::json::to_serde;

    /// Parses `input` with this parser and with serde_json and fails unless both accept it with
    /// the same tree, or both refuse it. serde_json refuses numbers beyond `f64`, which this
    /// parser keeps as text; those are left out.
    fn agrees_with_serde_json(input: &[u8]) {
        let ours = parse(input);
        let theirs = serde_json::from_slice::<serde_json::Value>(input);
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) => assert_eq!(
                to_serde(ours),
                theirs,
                "{:?}",
                String::from_utf8_lossy(input)
            ),
            (Err(_), Err(_)) => {}
            (Ok(_), Err(error)) if error.to_string().starts_with("number out of range") => {}
            (ours, theirs) => panic!(
                "{:?}: ours {ours:?}, serde_json {theirs:?}",
                String::from_utf8_lossy(input)
            ),
        }
    }

    const DOCUMENTS: [&str; 6] = [
        r#"{"HttpStatusCode": 200, "RequestId": "D137-61C3", "Success": true, "BackupPlanId": "dbs5****"}"#,
        r#"{"Items": {"Plan": [{"Id": "a", "Size": -12.5e+3}, {"Id": null, "Tags": []}, {}]}, "TotalCount": 0}"#,
        r#"["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "名字 ünïcode", "", 0, -0, 0.5, 1E-7, true, false, null]"#,
        "  {\n\t\"a\" : [ 1 , [ 2 , { \"b\" : \"c\" } ] ] ,\r\n \"a\" : \"repeated\" }  ",
        r#""a string alone""#,
        "12345678901234567890",
    ];

    #[test]
    fn documents_parse_as_serde_json_parses_them() {
        for document in DOCUMENTS {
            agrees_with_serde_json(document.as_bytes());
        }
    }

    #[test]
    fn malformed_documents_are_refused_as_serde_json_refuses_them() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"{",
            b"{\"a\"}",
            b"{\"a\":}",
            b"{\"a\":1,}",
            b"[1,]",
            b"[,1]",
            b"{,}",
            b"{1:2}",
            b"01",
            b"-",
            b"1.",
            b".5",
            b"1e",
            b"1e+",
            b"+1",
            b"0x10",
            b"tru",
            b"nul",
            b"True",
            b"NaN",
            b"\"unterminated",
            b"\"bad \\x escape\"",
            b"\"\\u12\"",
            b"\"\\ud800\"",
            b"\"\\udc00\"",
            b"\"\\ud800\\u0041\"",
            b"\"tab\there\"",
            b"\"\xff\"",
            b"\xef\xbb\xbf{}",
            b"{} {}",
            b"[1] x",
            b"\"a\"\"b\"",
            b"[\"\\",
            b"{\"a\" 1}",
        ];
        for case in cases {
            assert!(parse(case).is_err(), "{:?}", String::from_utf8_lossy(case));
            agrees_with_serde_json(case);
        }
    }

    /// Thousands of small edits of the documents above (a byte dropped, added, replaced, a
    /// slice doubled, the end cut), each parsed by both parsers. Seeded: a failure names its
    /// input and reproduces.
    #[test]
    fn mutated_documents_agree_with_serde_json() {
        const INTERESTING: &[u8] =
            b"{}[]\",:\\/ \t\n0123456789.eE+-tfnulrsabu\x00\x1f\x7f\xc3\xa9\xff";
        let mut rng = fastrand::Rng::with_seed(0x4a53_4f4e);
        for round in 0..40_000 {
            let mut input = DOCUMENTS[round % DOCUMENTS.len()].as_bytes().to_vec();
            for _ in 0..rng.usize(1..4) {
                let at = rng.usize(0..=input.len());
                let byte = INTERESTING[rng.usize(0..INTERESTING.len())];
                match rng.u8(0..5) {
                    0 if at < input.len() => {
                        input.remove(at);
                    }
                    1 => input.insert(at, byte),
                    2 if at < input.len() => input[at] = byte,
                    3 => {
                        let end = rng.usize(at..=input.len().min(at + 8));
                        let copy = input[at..end].to_vec();
                        input.splice(at..at, copy);
                    }
                    _ => input.truncate(at),
                }
            }
            agrees_with_serde_json(&input);
        }
    }

    /// The parser recurses once per container; at the depth limit, objects and arrays mixed, it
    /// fits in a quarter of the 2 MiB a thread (and a tokio worker) gets by default, even
    /// unoptimised.
    #[test]
    fn the_deepest_document_parses_on_a_small_stack() {
        let nested = |depth: usize| {
            let mut document = String::new();
            for level in 0..depth {
                document.push_str(if level % 2 == 0 { "{\"a\":" } else { "[1," });
            }
            document.push_str("null");
            for level in (0..depth).rev() {
                document.push(if level % 2 == 0 { '}' } else { ']' });
            }
            document
        };
        let (deepest, too_deep) = (nested(super::MAX_DEPTH), nested(super::MAX_DEPTH + 1));
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || {
                assert!(parse(deepest.as_bytes()).is_ok());
                assert_eq!(
                    parse(too_deep.as_bytes()).unwrap_err().reason,
                    "nested too deeply"
                );
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn a_value_is_five_words() {
        assert!(std::mem::size_of::<super::Value>() <= 5 * std::mem::size_of::<usize>());
    }

    #[test]
    fn errors_point_at_the_offending_character() {
        let error = parse("{\n  \"名\": [1,\n  2,, 3]}".as_bytes()).unwrap_err();
        assert_eq!(
            (error.line, error.column, error.reason),
            (3, 5, "expected a value")
        );
        let error = parse(b"\"\xff\"").unwrap_err();
        assert_eq!(
            (error.line, error.column, error.reason),
            (1, 2, "invalid UTF-8")
        );
        assert_eq!(parse(b"").unwrap_err().reason, "empty body");
        assert_eq!(parse(b"{} x").unwrap_err().reason, "trailing characters");
    }
}
