//! [`Headers`]: the header fields of an [`crate::HttpRequest`] or [`crate::HttpResponse`].

use std::fmt;
use std::ops::Range;

/// Header names whose values are credentials or signatures: every `Debug` that shows headers
/// (here, and the signer's canonical headers) shows `***` for them.
const SENSITIVE: [&str; 4] = [
    "authorization",
    "x-acs-security-token",
    // The OSS gateway's STS token header.
    "x-oss-security-token",
    // The ECS metadata service's session token.
    "x-aliyun-ecs-metadata-token",
];

/// Whether header `name`'s value is a credential or a signature (compared case-insensitively).
pub(crate) fn is_sensitive(name: &str) -> bool {
    SENSITIVE
        .iter()
        .any(|sensitive| name.eq_ignore_ascii_case(sensitive))
}

/// HTTP header fields, in order, names and values kept in one buffer.
///
/// A signed request carries a dozen headers and an answer half as many; held as owned `String`
/// pairs they were a quarter of a call's allocations. Here a whole list is two, and the
/// transport hands reqwest slices of the one buffer instead of copies.
///
/// Names are kept as given (on the wire HTTP/1.1 sends them in lower case) and compared
/// case-insensitively by [`Headers::get`]. A name may occur more than once. `Debug`, here and on
/// [`Iter`], hides the values of `Authorization`, `x-acs-security-token` and the ECS metadata
/// token.
///
/// ```
/// use acs_runtime::Headers;
///
/// let mut headers = Headers::new();
/// headers.push("content-type", "application/json");
/// headers.push("x-acs-request-id", "D137-61C3");
/// assert_eq!(headers.get("Content-Type"), Some("application/json"));
/// assert_eq!(headers.iter().count(), 2);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// Every name and value, back to back.
    text: String,
    /// For each field, where its name ends and where its value ends in `text`; the name starts
    /// where the previous field's value ends.
    ends: Vec<(usize, usize)>,
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers::default()
    }

    /// No headers yet, with room for `fields` of `bytes` in total (names and values) before
    /// growing.
    pub fn with_capacity(fields: usize, bytes: usize) -> Self {
        Headers {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(fields),
        }
    }

    /// Appends a field; an existing field of the same name is kept.
    pub fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push_str(value);
        self.ends.push((name_end, self.text.len()));
    }

    /// The first value of `name` (compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// The fields, in order, as `(name, value)`.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            text: &self.text,
            ends: self.ends.iter(),
            start: 0,
        }
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The buffer and each field's name and value spans in it: for handing the fields on
    /// without copying them.
    pub(crate) fn into_buffer(
        self,
    ) -> (String, impl Iterator<Item = (Range<usize>, Range<usize>)>) {
        let mut start = 0;
        let spans = self.ends.into_iter().map(move |(name_end, value_end)| {
            let name = start..name_end;
            start = value_end;
            (name, name_end..value_end)
        });
        (self.text, spans)
    }
}

/// The fields of [`Headers`], in order: see [`Headers::iter`]. `Debug` shows the fields left,
/// credentials hidden.
#[derive(Clone)]
pub struct Iter<'a> {
    text: &'a str,
    ends: std::slice::Iter<'a, (usize, usize)>,
    /// Where the next field's name starts.
    start: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let &(name_end, value_end) = self.ends.next()?;
        let field = (
            &self.text[self.start..name_end],
            &self.text[name_end..value_end],
        );
        self.start = value_end;
        Some(field)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ends.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Extend<(N, V)> for Headers {
    fn extend<I: IntoIterator<Item = (N, V)>>(&mut self, fields: I) {
        for (name, value) in fields {
            self.push(name.as_ref(), value.as_ref());
        }
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(fields: I) -> Self {
        let mut headers = Headers::new();
        headers.extend(fields);
        headers
    }
}

impl<N: AsRef<str>, V: AsRef<str>> From<Vec<(N, V)>> for Headers {
    fn from(fields: Vec<(N, V)>) -> Self {
        fields.into_iter().collect()
    }
}

impl<N: AsRef<str>, V: AsRef<str>, const K: usize> From<[(N, V); K]> for Headers {
    fn from(fields: [(N, V); K]) -> Self {
        fields.into_iter().collect()
    }
}

/// `fields` as a list of pairs, credentials hidden.
fn debug_fields<'a>(
    f: &mut fmt::Formatter<'_>,
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> fmt::Result {
    f.debug_list()
        .entries(fields.map(|(name, value)| (name, if is_sensitive(name) { "***" } else { value })))
        .finish()
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_fields(f, self.iter())
    }
}

impl fmt::Debug for Iter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_fields(f, self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::Headers;

    #[test]
    fn fields_keep_their_order_names_and_repeats() {
        let mut headers = Headers::with_capacity(1, 4);
        headers.push("Host", "example.com");
        headers.push("x-acs-tag", "a");
        headers.push("", "");
        headers.push("x-acs-tag", "b");
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [
                ("Host", "example.com"),
                ("x-acs-tag", "a"),
                ("", ""),
                ("x-acs-tag", "b"),
            ]
        );
        assert_eq!(headers.len(), 4);
        assert_eq!(headers.iter().len(), 4);
        assert_eq!(headers.get("host"), Some("example.com"));
        assert_eq!(headers.get("X-ACS-TAG"), Some("a"));
        assert_eq!(headers.get("missing"), None);
        let (text, spans) = headers.clone().into_buffer();
        let fields: Vec<_> = spans.map(|(n, v)| (&text[n], &text[v])).collect();
        assert_eq!(fields, headers.iter().collect::<Vec<_>>());
    }

    #[test]
    fn debug_hides_credentials() {
        let headers = Headers::from([
            (
                "Authorization",
                "ACS3-HMAC-SHA256 Credential=id,Signature=abc",
            ),
            ("x-acs-security-token", "token-value"),
            ("X-aliyun-ecs-metadata-token", "session-secret"),
            ("x-acs-action", "StartBackupPlan"),
        ]);
        for shown in [format!("{headers:?}"), format!("{:?}", headers.iter())] {
            for secret in ["abc", "token-value", "session-secret"] {
                assert!(!shown.contains(secret), "{shown}");
            }
            assert!(shown.contains("StartBackupPlan"), "{shown}");
        }
    }
}
