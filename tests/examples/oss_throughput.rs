//! OSS per-call cost and streaming throughput on loopback, beside a bare reqwest loop doing the
//! same HTTP: `cargo run --release -p tests --example oss_throughput`.
//!
//! The server is a minimal in-process HTTP/1.1 responder (no signature check: the wire tests and
//! the stand-ins check those) answering `GetObject` with `SIZE` bytes of a fixed pattern and its
//! CRC-64, and every other request with an empty 200; so the figures are the client's own: the
//! generated client's signing, addressing, XML/CRC work and streaming, against reqwest alone.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use acs_oss20190517 as oss;
use acs_runtime::credentials::Credentials;
use acs_runtime::{Config, ObjectBody};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const SIZE: usize = 256 << 20;
const CALLS: usize = 2_000;

/// The object the server sends, in 1 MiB pieces of one pattern.
fn piece() -> Vec<u8> {
    (0..1 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

async fn serve(listener: tokio::net::TcpListener, crc: u64) {
    let piece = std::sync::Arc::new(piece());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let piece = std::sync::Arc::clone(&piece);
        tokio::spawn(async move {
            let mut stream = BufReader::new(stream);
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                let get_object = line.starts_with("GET") && line.contains("/object");
                let mut length = 0usize;
                loop {
                    let mut header = String::new();
                    if stream.read_line(&mut header).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if header == "\r\n" {
                        break;
                    }
                    if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                // Swallow an upload in pieces.
                let mut left = length;
                let mut sink = vec![0u8; 1 << 20];
                while left > 0 {
                    let n = stream
                        .read(&mut sink[..left.min(1 << 20)])
                        .await
                        .unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    left -= n;
                }
                let stream = stream.get_mut();
                if get_object {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {SIZE}\r\nx-oss-hash-crc64ecma: {crc}\r\nx-oss-request-id: R\r\n\r\n"
                    );
                    if stream.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    for _ in 0..SIZE >> 20 {
                        if stream.write_all(&piece).await.is_err() {
                            return;
                        }
                    }
                } else if stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nETag: \"e\"\r\nx-oss-request-id: R\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }
}

fn rate(bytes: usize, elapsed: Duration) -> String {
    format!(
        "{:.0} MiB/s",
        bytes as f64 / (1 << 20) as f64 / elapsed.as_secs_f64()
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let whole: Vec<u8> = piece().repeat(SIZE >> 20);
    let crc = acs_runtime::stream::crc64::checksum(&whole);
    drop(whole);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, crc));

    let config = Config::new("cn-hangzhou")
        .with_credentials(Credentials::new("id", "secret"))
        .with_endpoint(format!("http://{addr}"));
    let client = oss::Client::new(&config).unwrap();
    let bare = tests::bench_support::bare_client();
    let url = format!("http://{addr}/bucket/small");

    // Per call: a small PutObject (signed V4, body CRC-64 checked) against a bare PUT.
    for round in 0..2 {
        let started = Instant::now();
        for _ in 0..CALLS {
            client
                .put_object()
                .bucket("bucket")
                .key("small")
                .body(b"0123456789abcdef".to_vec())
                .send()
                .await
                .unwrap();
        }
        let ours = started.elapsed() / CALLS as u32;
        let started = Instant::now();
        for _ in 0..CALLS {
            let response = bare
                .put(&url)
                .body(&b"0123456789abcdef"[..])
                .send()
                .await
                .unwrap();
            response.bytes().await.unwrap();
        }
        let theirs = started.elapsed() / CALLS as u32;
        if round == 1 {
            println!("PutObject 16 B: {ours:?} per call; bare reqwest PUT: {theirs:?} per call");
        }
    }

    // Streaming: GetObject of 256 MiB into a sink (CRC-64 checked) against reqwest's chunks.
    let started = Instant::now();
    let got = client
        .get_object()
        .bucket("bucket")
        .key("object")
        .send()
        .await
        .unwrap();
    let read = got.body.write_to(&mut tokio::io::sink()).await.unwrap();
    let ours = started.elapsed();
    assert_eq!(read as usize, SIZE);
    let started = Instant::now();
    let mut response = bare
        .get(format!("http://{addr}/bucket/object"))
        .send()
        .await
        .unwrap();
    let mut total = 0;
    while let Some(chunk) = response.chunk().await.unwrap() {
        total += chunk.len();
    }
    let theirs = started.elapsed();
    assert_eq!(total, SIZE);
    println!(
        "GetObject 256 MiB streamed: {} (CRC-64 checked); bare reqwest: {}",
        rate(SIZE, ours),
        rate(SIZE, theirs)
    );

    // Streaming up: PutObject of 256 MiB from a reader (CRC-64 computed as sent).
    let started = Instant::now();
    client
        .put_object()
        .bucket("bucket")
        .key("big")
        .body(ObjectBody::from_reader(
            tokio::io::repeat(7).take(SIZE as u64),
            Some(SIZE as u64),
        ))
        .customize(|settings| settings.total_timeout(Duration::from_secs(600)))
        .send()
        .await
        .unwrap();
    let ours = started.elapsed();
    let big = vec![7u8; SIZE];
    let started = Instant::now();
    bare.put(format!("http://{addr}/bucket/big"))
        .body(big)
        .send()
        .await
        .unwrap();
    let theirs = started.elapsed();
    println!(
        "PutObject 256 MiB from a reader: {}; bare reqwest (bytes in memory): {}",
        rate(SIZE, ours),
        rate(SIZE, theirs)
    );
}
