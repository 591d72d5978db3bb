//! XML answers, as the OSS gateway sends them: a pull [`Reader`] generated types read their
//! members from ([`FromXml`], the XML twin of [`crate::FromJson`]). Request bodies are written
//! from any request value by the `params` module (its `to_xml`).
//!
//! The reader holds the JSON reader's limits: elements nest at most [`MAX_DEPTH`] deep, the
//! call's deadline is checked as it goes, the body is the transport's (capped at 64 MiB), a
//! document type declaration (`<!DOCTYPE`, and so any entity of its own) is refused, and only
//! XML's five named entities and character references are expanded. Elements are matched by
//! local name (namespaces ignored); members a type does not have are skipped, and a list
//! member is read from each of its repeated elements (`<Part>…</Part><Part>…</Part>`).
//! Errors name where (`Part[2].ETag`: the second `Part`, counted from 1 as XPath does),
//! never the value found.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Instant;

use quick_xml::events::Event;

use crate::json::{DecodeError, Result};

/// The deepest nesting of elements read.
pub const MAX_DEPTH: usize = 128;

/// Events between two deadline checks.
const TICKS_PER_CHECK: u32 = 4096;

/// A type that decodes from an XML element; generated response types implement it.
pub trait FromXml: Sized {
    /// Decodes the element the reader stands in (just after its start tag), through its end
    /// tag.
    fn from_xml(xml: &mut Reader<'_>) -> Result<Self>;
}

/// Decodes `bytes` as the document whose root element is `T`; an empty body gives `T`'s
/// default. The root element's name is not checked (the members are).
pub fn decode<T: FromXml + Default>(bytes: &[u8], deadline: Option<Instant>) -> Result<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let mut reader = Reader::new(bytes, deadline);
    if reader.root()?.is_none() {
        return Ok(T::default());
    }
    let value = T::from_xml(&mut reader)?;
    reader.finish()?;
    Ok(value)
}

/// A pull reader over one XML document. See the module documentation for its limits.
pub struct Reader<'a> {
    inner: quick_xml::Reader<&'a [u8]>,
    depth: usize,
    deadline: Option<Instant>,
    ticks: u32,
    /// The element the reader stands in was written empty (`<a/>`): its end is read already.
    empty: bool,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// What one step of the reader met, borrowed from the document.
enum Step<'a> {
    Start(String),
    Empty(String),
    Text(Cow<'a, str>),
    End,
    Eof,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`, giving up after `deadline`.
    pub fn new(bytes: &'a [u8], deadline: Option<Instant>) -> Self {
        let mut inner = quick_xml::Reader::from_reader(bytes);
        let config = inner.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Reader {
            inner,
            depth: 0,
            deadline,
            ticks: 0,
            empty: false,
        }
    }

    fn syntax(&self, reason: impl Into<String>) -> DecodeError {
        DecodeError::not_xml(self.inner.buffer_position(), reason)
    }

    fn tick(&mut self) -> Result<()> {
        self.ticks += 1;
        if self.ticks >= TICKS_PER_CHECK {
            self.ticks = 0;
            if self
                .deadline
                .is_some_and(|deadline| Instant::now() >= deadline)
            {
                return Err(DecodeError::out_of_time());
            }
        }
        Ok(())
    }

    /// The next event that matters: comments, processing instructions and the declaration are
    /// stepped over; a document type declaration is refused.
    fn step(&mut self) -> Result<Step<'a>> {
        loop {
            self.tick()?;
            let event = self
                .inner
                .read_event()
                .map_err(|error| self.syntax(error.to_string()))?;
            return Ok(match event {
                Event::Start(start) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(self.syntax(format!("elements nest deeper than {MAX_DEPTH}")));
                    }
                    Step::Start(self.name(start.local_name().as_ref())?)
                }
                Event::Empty(start) => Step::Empty(self.name(start.local_name().as_ref())?),
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    Step::End
                }
                Event::Text(text) => Step::Text(
                    text.decode()
                        .map_err(|error| self.syntax(error.to_string()))?,
                ),
                Event::CData(data) => Step::Text(
                    data.decode()
                        .map_err(|error| self.syntax(error.to_string()))?,
                ),
                Event::GeneralRef(reference) => {
                    let character = match reference.resolve_char_ref() {
                        Ok(Some(character)) => character,
                        Ok(None) => match reference.as_ref() {
                            b"lt" => '<',
                            b"gt" => '>',
                            b"amp" => '&',
                            b"apos" => '\'',
                            b"quot" => '"',
                            _ => return Err(self.syntax("an entity XML does not define")),
                        },
                        Err(error) => return Err(self.syntax(error.to_string())),
                    };
                    Step::Text(Cow::Owned(character.to_string()))
                }
                Event::DocType(_) => {
                    return Err(self.syntax("a document type declaration (`<!DOCTYPE`)"));
                }
                Event::Eof => Step::Eof,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            });
        }
    }

    fn name(&self, raw: &[u8]) -> Result<String> {
        std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|_| self.syntax("an element name that is not UTF-8"))
    }

    /// Steps to the root element: `None` for a document without one.
    fn root(&mut self) -> Result<Option<String>> {
        loop {
            match self.step()? {
                Step::Start(name) => return Ok(Some(name)),
                Step::Empty(name) => {
                    self.empty = true;
                    return Ok(Some(name));
                }
                Step::Text(text) if text.trim().is_empty() => {}
                Step::Text(_) => return Err(self.syntax("text outside the root element")),
                Step::End => return Err(self.syntax("an end tag before any start tag")),
                Step::Eof => return Ok(None),
            }
        }
    }

    /// Checks nothing but space, comments and instructions follow the root element.
    fn finish(&mut self) -> Result<()> {
        loop {
            match self.step()? {
                Step::Eof => return Ok(()),
                Step::Text(text) if text.trim().is_empty() => {}
                _ => return Err(self.syntax("content after the root element")),
            }
        }
    }

    /// Reads the child elements of the element the reader stands in, handing each one's name
    /// and the reader (inside it) to `member`, which must read or [`skip`](Self::skip) it.
    /// Text between children is ignored. A child's error names it in its path.
    pub fn children(
        &mut self,
        mut member: impl FnMut(&str, &mut Reader<'a>) -> Result<()>,
    ) -> Result<()> {
        if std::mem::take(&mut self.empty) {
            return Ok(());
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        loop {
            let (name, empty) = match self.step()? {
                Step::Start(name) => (name, false),
                Step::Empty(name) => (name, true),
                Step::Text(_) => continue,
                Step::End => return Ok(()),
                Step::Eof => return Err(self.syntax("the document ends inside an element")),
            };
            self.empty = empty;
            let count = seen.entry(name.clone()).or_insert(0);
            *count += 1;
            let index = *count;
            member(&name, self).map_err(|error| error.within_repeat(index).within_key(&name))?;
            self.empty = false;
        }
    }

    /// The text of the element the reader stands in, through its end tag (character and entity
    /// references expanded, CDATA kept as written). Child elements are an error.
    pub fn text(&mut self) -> Result<Cow<'a, str>> {
        if std::mem::take(&mut self.empty) {
            return Ok(Cow::Borrowed(""));
        }
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            match self.step()? {
                Step::Text(piece) => {
                    text = Some(match text {
                        None => piece,
                        Some(mut joined) => {
                            joined.to_mut().push_str(&piece);
                            joined
                        }
                    });
                }
                Step::End => return Ok(text.unwrap_or(Cow::Borrowed(""))),
                Step::Start(_) | Step::Empty(_) => {
                    return Err(DecodeError::new("expected text, found an element"));
                }
                Step::Eof => return Err(self.syntax("the document ends inside an element")),
            }
        }
    }

    /// Decodes the element the reader stands in into `slot` (a list member: one more item).
    pub fn read_into<T: XmlMember>(&mut self, slot: &mut T) -> Result<()> {
        slot.read_member(self)
    }

    /// Steps over the element the reader stands in, through its end tag, keeping nothing.
    pub fn skip(&mut self) -> Result<()> {
        if std::mem::take(&mut self.empty) {
            return Ok(());
        }
        let mut open = 1usize;
        while open > 0 {
            match self.step()? {
                Step::Start(_) => open += 1,
                Step::End => open -= 1,
                Step::Empty(_) | Step::Text(_) => {}
                Step::Eof => return Err(self.syntax("the document ends inside an element")),
            }
        }
        Ok(())
    }
}

/// How a member of a generated type takes one element: a value (`Option<T>`, the last
/// element wins) or one more item of a list (`Option<Vec<T>>`).
pub trait XmlMember {
    /// Reads the element the reader stands in.
    fn read_member(&mut self, xml: &mut Reader<'_>) -> Result<()>;
}

impl<T: FromXml> XmlMember for Option<T> {
    fn read_member(&mut self, xml: &mut Reader<'_>) -> Result<()> {
        *self = Some(T::from_xml(xml)?);
        Ok(())
    }
}

impl<T: FromXml> XmlMember for Option<Vec<T>> {
    fn read_member(&mut self, xml: &mut Reader<'_>) -> Result<()> {
        let item = T::from_xml(xml)?;
        self.get_or_insert_with(Vec::new).push(item);
        Ok(())
    }
}

impl FromXml for String {
    fn from_xml(xml: &mut Reader<'_>) -> Result<Self> {
        xml.text().map(Cow::into_owned)
    }
}

macro_rules! from_xml_parse {
    ($($ty:ty => $what:literal),*) => {$(
        impl FromXml for $ty {
            fn from_xml(xml: &mut Reader<'_>) -> Result<Self> {
                let text = xml.text()?;
                text.trim()
                    .parse()
                    .map_err(|_| DecodeError::new(concat!("expected ", $what)))
            }
        }
    )*};
}
from_xml_parse!(i32 => "a 32-bit integer", i64 => "a 64-bit integer", f32 => "a number",
    f64 => "a number", bool => "`true` or `false`");

impl<T: FromXml> FromXml for Box<T> {
    fn from_xml(xml: &mut Reader<'_>) -> Result<Self> {
        T::from_xml(xml).map(Box::new)
    }
}

/// A map: each child element's name and value.
impl<T: FromXml> FromXml for BTreeMap<String, T> {
    fn from_xml(xml: &mut Reader<'_>) -> Result<Self> {
        let mut map = BTreeMap::new();
        xml.children(|name, xml| {
            map.insert(name.to_owned(), T::from_xml(xml)?);
            Ok(())
        })?;
        Ok(map)
    }
}

/// Untyped members: the element as JSON (text as a string, children as an object whose
/// repeated names are arrays).
impl FromXml for serde_json::Value {
    fn from_xml(xml: &mut Reader<'_>) -> Result<Self> {
        use serde_json::Value;
        if std::mem::take(&mut xml.empty) {
            return Ok(Value::String(String::new()));
        }
        let mut members = serde_json::Map::new();
        let mut text = String::new();
        loop {
            match xml.step()? {
                Step::Text(piece) => text.push_str(&piece),
                Step::Start(name) | Step::Empty(name) if xml.depth > MAX_DEPTH => {
                    return Err(xml.syntax(format!("elements nest deeper than {name}")));
                }
                Step::Start(name) => {
                    let value = Self::from_xml(xml)?;
                    insert_repeated(&mut members, name, value);
                }
                Step::Empty(name) => {
                    insert_repeated(&mut members, name, Value::String(String::new()));
                }
                Step::End => break,
                Step::Eof => return Err(xml.syntax("the document ends inside an element")),
            }
        }
        Ok(if members.is_empty() {
            Value::String(text)
        } else {
            Value::Object(members)
        })
    }
}

fn insert_repeated(
    members: &mut serde_json::Map<String, serde_json::Value>,
    name: String,
    value: serde_json::Value,
) {
    use serde_json::Value;
    match members.get_mut(&name) {
        Some(Value::Array(items)) => items.push(value),
        Some(first) => {
            let first = std::mem::take(first);
            members.insert(name, Value::Array(vec![first, value]));
        }
        None => {
            members.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Part {
        number: Option<i64>,
        etag: Option<String>,
    }

    impl FromXml for Part {
        fn from_xml(xml: &mut Reader<'_>) -> Result<Self> {
            let mut out = Part::default();
            xml.children(|name, xml| match name {
                "PartNumber" => xml.read_into(&mut out.number),
                "ETag" => xml.read_into(&mut out.etag),
                _ => xml.skip(),
            })?;
            Ok(out)
        }
    }

    #[derive(Debug, Default, PartialEq)]
    struct Result_ {
        bucket: Option<String>,
        parts: Option<Vec<Part>>,
    }

    impl FromXml for Result_ {
        fn from_xml(xml: &mut Reader<'_>) -> Result<Self> {
            let mut out = Result_::default();
            xml.children(|name, xml| match name {
                "Bucket" => xml.read_into(&mut out.bucket),
                "Part" => xml.read_into(&mut out.parts),
                _ => xml.skip(),
            })?;
            Ok(out)
        }
    }

    #[test]
    fn members_lists_entities_and_unknown_elements() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <ListPartsResult xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
              <Bucket>b&amp;c&#x41;<![CDATA[<raw>]]></Bucket>
              <Unknown><Deep><Deeper/></Deep></Unknown>
              <Part><PartNumber>1</PartNumber><ETag>"e1"</ETag></Part>
              <Part><PartNumber> 2 </PartNumber><ETag/></Part>
            </ListPartsResult>"#;
        let result: Result_ = decode(doc, None).unwrap();
        assert_eq!(result.bucket.as_deref(), Some("b&cA<raw>"));
        let parts = result.parts.unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].etag.as_deref(), Some("\"e1\""));
        assert_eq!(parts[1].number, Some(2));
        assert_eq!(parts[1].etag.as_deref(), Some(""));
    }

    #[test]
    fn errors_name_the_element_not_the_value() {
        let doc = b"<R><Part><PartNumber>1</PartNumber></Part><Part><PartNumber>secret</PartNumber></Part></R>";
        let error = decode::<Result_>(doc, None).unwrap_err();
        assert_eq!(error.path(), "Part[2].PartNumber");
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn hostile_documents_are_refused() {
        let doctype =
            br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]><R><Bucket>&x;</Bucket></R>"#;
        assert!(decode::<Result_>(doctype, None).is_err());
        let unknown_entity = b"<R><Bucket>&x;</Bucket></R>";
        assert!(decode::<Result_>(unknown_entity, None).is_err());
        let deep = format!("<R><U>{}{}</U></R>", "<a>".repeat(200), "</a>".repeat(200));
        let error = decode::<Result_>(deep.as_bytes(), None).unwrap_err();
        assert!(error.to_string().contains("deeper"), "{error}");
        let mismatched = b"<R><Bucket>x</Part></R>";
        assert!(decode::<Result_>(mismatched, None).is_err());
        let trailing = b"<R></R><R></R>";
        assert!(decode::<Result_>(trailing, None).is_err());
        assert_eq!(decode::<Result_>(b"  ", None).unwrap(), Result_::default());
    }

    #[test]
    fn a_passed_deadline_stops_reading() {
        let many = format!("<R>{}</R>", "<Unknown/>".repeat(10_000));
        let past = Instant::now() - std::time::Duration::from_secs(1);
        let error = decode::<Result_>(many.as_bytes(), Some(past)).unwrap_err();
        assert!(error.is_out_of_time(), "{error}");
    }
}
