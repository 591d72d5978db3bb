//! HTTP building blocks every layer shares: methods and request bodies.

use std::fmt;

use std::sync::Arc;

use crate::stream::{ObjectBody, crc64};

/// HTTP methods operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
    /// PATCH
    Patch,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
}

impl Method {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }
}

/// A request body: bytes shared between attempts without copying them, or object data read
/// as it is sent ([`ObjectBody`]: a file, a reader, a stream).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Body(Repr);

#[derive(Clone)]
enum Repr {
    Bytes(bytes::Bytes),
    /// Object data, and the CRC-64 of what an attempt sent, computed as it is read.
    Object(ObjectBody, Option<Arc<crc64::Running>>),
}

impl PartialEq for Repr {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Repr::Bytes(a), Repr::Bytes(b)) => a == b,
            (Repr::Object(a, _), Repr::Object(b, _)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Repr {}

impl Default for Repr {
    fn default() -> Self {
        Repr::Bytes(bytes::Bytes::new())
    }
}

impl Body {
    /// No body.
    pub fn empty() -> Self {
        Body::default()
    }

    /// Object data: held bytes stay bytes; a file, reader or stream is read as it is sent.
    pub fn object(body: ObjectBody) -> Self {
        match body.as_bytes() {
            Some(bytes) => Body(Repr::Bytes(bytes.clone())),
            None => Body(Repr::Object(body, None)),
        }
    }

    /// The body's bytes; empty for object data read as it is sent (which is not signed: OSS
    /// signs `UNSIGNED-PAYLOAD`).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Bytes(bytes) => bytes,
            Repr::Object(..) => &[],
        }
    }

    /// The body's length in bytes, when known.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Bytes(bytes) => bytes.len(),
            Repr::Object(body, _) => body
                .len()
                .and_then(|len| usize::try_from(len).ok())
                .unwrap_or(0),
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Bytes(bytes) => bytes.is_empty(),
            Repr::Object(body, _) => body.is_empty(),
        }
    }

    /// Whether the body can be sent again (everything but a reader or stream).
    pub fn is_replayable(&self) -> bool {
        match &self.0 {
            Repr::Bytes(_) => true,
            Repr::Object(body, _) => body.is_replayable(),
        }
    }

    /// The object data to read as it is sent, when the body is not held in memory.
    pub fn as_object(&self) -> Option<&ObjectBody> {
        match &self.0 {
            Repr::Object(body, _) => Some(body),
            Repr::Bytes(_) => None,
        }
    }

    /// The same body, its CRC-64 computed into `crc` as object data is read for sending (held
    /// bytes are summed by whoever holds them).
    pub(crate) fn with_crc(self, crc: Arc<crc64::Running>) -> Self {
        match self.0 {
            Repr::Object(body, _) => Body(Repr::Object(body, Some(crc))),
            bytes => Body(bytes),
        }
    }

    /// The object data to read as it is sent, with the CRC to compute over it.
    pub(crate) fn upload(&self) -> Option<(&ObjectBody, Option<Arc<crc64::Running>>)> {
        match &self.0 {
            Repr::Object(body, crc) => Some((body, crc.clone())),
            Repr::Bytes(_) => None,
        }
    }

    /// The bytes, for the HTTP layer (a reference count, not a copy); empty for object data.
    pub(crate) fn to_bytes(&self) -> bytes::Bytes {
        match &self.0 {
            Repr::Bytes(bytes) => bytes.clone(),
            Repr::Object(..) => bytes::Bytes::new(),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body(Repr::Bytes(bytes.into()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Body(Repr::Bytes(bytes::Bytes::from_static(bytes)))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body(Repr::Bytes(text.into()))
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A body may hold anything the caller sent; its length is enough to debug with.
        match &self.0 {
            Repr::Bytes(bytes) => write!(f, "Body({} bytes)", bytes.len()),
            Repr::Object(body, _) => write!(f, "Body({body:?})"),
        }
    }
}
