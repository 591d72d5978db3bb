//! Object data in both directions, without holding it in memory: [`ObjectBody`] (what an
//! upload sends: bytes, a file, any `AsyncRead` or stream) and [`ByteStream`] (what a download
//! answers, read as it arrives), with OSS's CRC-64 checked on the way ([`crc64`]).
//!
//! Object data has no size cap (the transport's 64 MiB cap is for XML and JSON answers). An
//! upload from bytes or a file can be sent again, so it is retried as any request is; one
//! from a reader or a stream is sent once.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use tokio::io::{AsyncRead, ReadBuf};

/// The chunk an upload reads at a time.
const CHUNK: usize = 256 * 1024;

type BoxReader = Pin<Box<dyn AsyncRead + Send>>;
type BoxStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The data of an upload (`PutObject`, `AppendObject`, `UploadPart`, any operation whose body
/// is bytes): in memory, a file (read as it is sent, reopened for a retry), or a reader or
/// stream (read once: the request is not retried after it started).
///
/// ```no_run
/// # async fn example() -> std::io::Result<()> {
/// use acs_runtime::ObjectBody;
///
/// let small = ObjectBody::from(b"hello".to_vec());
/// let big = ObjectBody::from_file("video.mp4")?;
/// let piped = ObjectBody::from_reader(tokio::io::empty(), Some(0));
/// # let _ = (small, big, piped);
/// # Ok(())
/// # }
/// ```
///
/// Clones share a reader or stream (whichever is sent first consumes it). `Debug` shows the
/// kind and length, never the data.
#[derive(Clone, Default)]
pub struct ObjectBody(Source);

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    File {
        path: Arc<PathBuf>,
        len: u64,
    },
    Reader {
        reader: Arc<Mutex<Option<BoxReader>>>,
        len: Option<u64>,
    },
    Stream {
        stream: Arc<Mutex<Option<BoxStream>>>,
        len: Option<u64>,
    },
}

impl Default for Source {
    fn default() -> Self {
        Source::Bytes(Bytes::new())
    }
}

impl ObjectBody {
    /// The file at `path`, read as it is sent; its length is taken now (the file must not
    /// change until the upload is done). A retry reads it again from the start.
    pub fn from_file(path: impl Into<PathBuf>) -> io::Result<Self> {
        let path = path.into();
        let len = std::fs::metadata(&path)?.len();
        Ok(ObjectBody(Source::File {
            path: Arc::new(path),
            len,
        }))
    }

    /// Whatever `reader` gives, to its end; `len`, when known, is sent as `Content-Length`
    /// (otherwise the body is sent in chunks). Read once: not retried after sending started.
    pub fn from_reader(reader: impl AsyncRead + Send + 'static, len: Option<u64>) -> Self {
        ObjectBody(Source::Reader {
            reader: Arc::new(Mutex::new(Some(Box::pin(reader)))),
            len,
        })
    }

    /// The chunks `stream` gives; `len` as for [`ObjectBody::from_reader`]. Read once.
    pub fn from_stream(
        stream: impl Stream<Item = io::Result<Bytes>> + Send + 'static,
        len: Option<u64>,
    ) -> Self {
        ObjectBody(Source::Stream {
            stream: Arc::new(Mutex::new(Some(Box::pin(stream)))),
            len,
        })
    }

    /// The length in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.0 {
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::File { len, .. } => Some(*len),
            Source::Reader { len, .. } | Source::Stream { len, .. } => *len,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The bytes, when the body is held in memory.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.0 {
            Source::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// Whether the body can be sent again (bytes and files can; readers and streams cannot).
    pub fn is_replayable(&self) -> bool {
        matches!(self.0, Source::Bytes(_) | Source::File { .. })
    }

    /// The body's data from the start, as chunks: a file opened now, a reader or stream taken
    /// (an error if an earlier attempt took it). `crc` accumulates CRC-64 over what is read.
    pub(crate) async fn open(&self, crc: Option<Arc<crc64::Running>>) -> io::Result<Upload> {
        let source = match &self.0 {
            Source::Bytes(bytes) => UploadSource::Bytes(Some(bytes.clone())),
            Source::File { path, .. } => {
                UploadSource::Reader(Box::pin(tokio::fs::File::open(path.as_ref()).await?))
            }
            Source::Reader { reader, .. } => UploadSource::Reader(take(reader)?),
            Source::Stream { stream, .. } => UploadSource::Stream(take(stream)?),
        };
        Ok(Upload {
            source: Mutex::new(source),
            len: self.len(),
            crc,
            buffer: Vec::new(),
        })
    }
}

fn take<T>(slot: &Mutex<Option<T>>) -> io::Result<T> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
        .ok_or_else(|| io::Error::other("the upload's reader was consumed by an earlier attempt"))
}

impl PartialEq for ObjectBody {
    /// Bytes compare by content; files by path; readers and streams only to their clones.
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Source::Bytes(a), Source::Bytes(b)) => a == b,
            (Source::File { path: a, .. }, Source::File { path: b, .. }) => a == b,
            (Source::Reader { reader: a, .. }, Source::Reader { reader: b, .. }) => {
                Arc::ptr_eq(a, b)
            }
            (Source::Stream { stream: a, .. }, Source::Stream { stream: b, .. }) => {
                Arc::ptr_eq(a, b)
            }
            _ => false,
        }
    }
}

impl Eq for ObjectBody {}

impl fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.0 {
            Source::Bytes(_) => "bytes",
            Source::File { .. } => "file",
            Source::Reader { .. } => "reader",
            Source::Stream { .. } => "stream",
        };
        write!(f, "ObjectBody({kind}, {:?} bytes)", self.len())
    }
}

impl From<Vec<u8>> for ObjectBody {
    fn from(bytes: Vec<u8>) -> Self {
        ObjectBody(Source::Bytes(bytes.into()))
    }
}

impl From<Bytes> for ObjectBody {
    fn from(bytes: Bytes) -> Self {
        ObjectBody(Source::Bytes(bytes))
    }
}

impl From<String> for ObjectBody {
    fn from(text: String) -> Self {
        ObjectBody(Source::Bytes(text.into()))
    }
}

impl From<&'static str> for ObjectBody {
    fn from(text: &'static str) -> Self {
        ObjectBody(Source::Bytes(Bytes::from_static(text.as_bytes())))
    }
}

impl From<&'static [u8]> for ObjectBody {
    fn from(bytes: &'static [u8]) -> Self {
        ObjectBody(Source::Bytes(Bytes::from_static(bytes)))
    }
}

/// One attempt's upload, as the HTTP layer pulls it.
pub(crate) struct Upload {
    source: Mutex<UploadSource>,
    len: Option<u64>,
    crc: Option<Arc<crc64::Running>>,
    buffer: Vec<u8>,
}

enum UploadSource {
    Bytes(Option<Bytes>),
    Reader(BoxReader),
    Stream(BoxStream),
}

impl Upload {
    /// The length, when known (sent as `Content-Length`).
    pub(crate) fn len(&self) -> Option<u64> {
        self.len
    }

    /// The next chunk; `None` at the end.
    pub(crate) fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Bytes>>> {
        let this = &mut *self;
        let source = this
            .source
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let chunk = match source {
            UploadSource::Bytes(bytes) => bytes.take().filter(|b| !b.is_empty()).map(Ok),
            UploadSource::Stream(stream) => match stream.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            },
            UploadSource::Reader(reader) => {
                if this.buffer.len() < CHUNK {
                    this.buffer.resize(CHUNK, 0);
                }
                let mut read = ReadBuf::new(&mut this.buffer);
                match reader.as_mut().poll_read(cx, &mut read) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(error)) => Some(Err(error)),
                    Poll::Ready(Ok(())) if read.filled().is_empty() => None,
                    Poll::Ready(Ok(())) => Some(Ok(Bytes::copy_from_slice(read.filled()))),
                }
            }
        };
        if let (Some(Ok(chunk)), Some(crc)) = (&chunk, &this.crc) {
            crc.update(chunk);
        }
        Poll::Ready(chunk)
    }
}

/// The bytes of a download as they arrive: read them chunk by chunk
/// ([`ByteStream::next_chunk`], or as a [`Stream`]), into a writer ([`ByteStream::write_to`]), or
/// whole ([`ByteStream::collect`]). When the answer carries OSS's CRC-64 of the whole object,
/// the data is checked against it: a mismatch is an error at the end of the stream.
///
/// The call's time budget ends when the answer's headers arrive; reading the body is limited
/// by the transport's read timeout between chunks.
pub struct ByteStream {
    inner: BoxStream,
    len: Option<u64>,
    check: Option<CrcCheck>,
}

struct CrcCheck {
    expected: u64,
    running: crc64::Running,
}

impl ByteStream {
    /// A stream of `chunks`, `len` bytes in all when known.
    pub fn new(
        chunks: impl Stream<Item = io::Result<Bytes>> + Send + 'static,
        len: Option<u64>,
    ) -> Self {
        ByteStream {
            inner: Box::pin(chunks),
            len,
            check: None,
        }
    }

    /// The same stream, checked against a CRC-64/XZ of the whole data (`x-oss-hash-crc64ecma`).
    pub(crate) fn checked_against(mut self, expected: u64) -> Self {
        self.check = Some(CrcCheck {
            expected,
            running: crc64::Running::default(),
        });
        self
    }

    /// The length the answer declared (`Content-Length`), if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.len
    }

    /// The next chunk; `None` at the end.
    pub async fn next_chunk(&mut self) -> Option<io::Result<Bytes>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining byte, in memory.
    pub async fn collect(mut self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(
            self.len
                .and_then(|len| usize::try_from(len).ok())
                .unwrap_or(0)
                .min(64 << 20),
        );
        while let Some(chunk) = self.next_chunk().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    /// Writes every remaining byte to `writer` (a file, a socket), chunk by chunk; the count
    /// written.
    pub async fn write_to(
        mut self,
        writer: &mut (impl tokio::io::AsyncWrite + Unpin),
    ) -> io::Result<u64> {
        use tokio::io::AsyncWriteExt as _;
        let mut written = 0u64;
        while let Some(chunk) = self.next_chunk().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(written)
    }
}

impl Stream for ByteStream {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match this.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(check) = &this.check {
                    check.running.update(&chunk);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) => match this.check.take() {
                Some(check) if check.running.value() != check.expected => {
                    Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "the object's CRC-64 is {}, but the service said {} (x-oss-hash-crc64ecma): the data was damaged on the way",
                            check.running.value(),
                            check.expected
                        ),
                    ))))
                }
                _ => Poll::Ready(None),
            },
            other => other,
        }
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        ByteStream::from(Vec::new())
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        let len = bytes.len() as u64;
        let mut once = Some(Bytes::from(bytes)).filter(|b| !b.is_empty());
        ByteStream::new(
            Once(std::iter::from_fn(move || once.take().map(Ok))),
            Some(len),
        )
    }
}

/// A stream of an iterator's items, ready at once.
struct Once<I>(I);

impl<I: Iterator + Unpin> Stream for Once<I> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.0.next())
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("content_length", &self.len)
            .field("crc64_checked", &self.check.is_some())
            .finish_non_exhaustive()
    }
}

/// CRC-64/XZ (ECMA-182 polynomial, reflected, inverted: check value `0x995DC9BBDF1939FA`), the
/// checksum OSS keeps for every object (`x-oss-hash-crc64ecma`, decimal), and its combination:
/// the CRC of `A ‖ B` from those of `A` and `B` and `B`'s length, for multipart uploads and
/// appends.
pub mod crc64 {
    use std::sync::Mutex;

    use crc::{CRC_64_XZ, Crc, Digest, Table};

    /// The table-driven implementation (slice-by-16).
    static CRC: Crc<u64, Table<16>> = Crc::<u64, Table<16>>::new(&CRC_64_XZ);

    /// The CRC-64/XZ of `data`.
    pub fn checksum(data: &[u8]) -> u64 {
        CRC.checksum(data)
    }

    /// A CRC being computed over data as it passes, from several tasks' view (an upload's
    /// body is read by the HTTP layer while the call waits for the answer).
    pub struct Running {
        state: Mutex<(Digest<'static, u64, Table<16>>, u64)>,
    }

    impl Default for Running {
        fn default() -> Self {
            Running {
                state: Mutex::new((CRC.digest(), 0)),
            }
        }
    }

    impl Running {
        /// Adds `data` to the CRC.
        pub fn update(&self, data: &[u8]) {
            let mut state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.0.update(data);
            state.1 += data.len() as u64;
        }

        /// The CRC of everything added so far.
        pub fn value(&self) -> u64 {
            self.state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0
                .clone()
                .finalize()
        }

        /// How many bytes were added.
        pub fn len(&self) -> u64 {
            self.state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .1
        }

        /// Whether nothing was added.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
    }

    impl std::fmt::Debug for Running {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "Running({:#018x})", self.value())
        }
    }

    /// The reflected polynomial of CRC-64/XZ.
    const POLY: u64 = 0xC96C_5795_D787_0F42;

    fn gf2_times(matrix: &[u64; 64], mut vector: u64) -> u64 {
        let mut sum = 0;
        let mut row = 0;
        while vector != 0 {
            if vector & 1 != 0 {
                sum ^= matrix[row];
            }
            vector >>= 1;
            row += 1;
        }
        sum
    }

    fn gf2_square(square: &mut [u64; 64], matrix: &[u64; 64]) {
        for n in 0..64 {
            square[n] = gf2_times(matrix, matrix[n]);
        }
    }

    /// The CRC of `A ‖ B` from `crc_a` (of `A`), `crc_b` (of `B`) and `len_b` (`B`'s length in
    /// bytes): zlib's `crc32_combine` method, for 64 bits. What OSS computes for a completed
    /// multipart upload (the parts' CRCs in order) and after each append.
    pub fn combine(crc_a: u64, crc_b: u64, mut len_b: u64) -> u64 {
        if len_b == 0 {
            return crc_a;
        }
        let mut even = [0u64; 64];
        let mut odd = [0u64; 64];
        // The operator for one zero bit.
        odd[0] = POLY;
        let mut row = 1u64;
        for slot in odd.iter_mut().skip(1) {
            *slot = row;
            row <<= 1;
        }
        gf2_square(&mut even, &odd); // two zero bits
        gf2_square(&mut odd, &even); // four
        let mut crc = crc_a;
        loop {
            gf2_square(&mut even, &odd);
            if len_b & 1 != 0 {
                crc = gf2_times(&even, crc);
            }
            len_b >>= 1;
            if len_b == 0 {
                break;
            }
            gf2_square(&mut odd, &even);
            if len_b & 1 != 0 {
                crc = gf2_times(&odd, crc);
            }
            len_b >>= 1;
            if len_b == 0 {
                break;
            }
        }
        crc ^ crc_b
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn check_value_and_combination() {
            assert_eq!(checksum(b"123456789"), 0x995D_C9BB_DF19_39FA);
            let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
            for split in [0, 1, 7, 4096, 9_999, 10_000] {
                let (a, b) = data.split_at(split);
                assert_eq!(
                    combine(checksum(a), checksum(b), b.len() as u64),
                    checksum(&data),
                    "split at {split}"
                );
            }
            let running = Running::default();
            for chunk in data.chunks(333) {
                running.update(chunk);
            }
            assert_eq!(running.value(), checksum(&data));
            assert_eq!(running.len(), 10_000);
        }
    }
}
