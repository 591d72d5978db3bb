//! Object data sent by the default transport: an upload lasts as long as it makes progress.
//! A slow source (the caller's reader) is not a stall; a connection that stops taking data, or
//! a server that takes it all and never answers, ends the upload after the read limit.

use std::time::Duration;

use acs_runtime::transport::TransportErrorKind;
use acs_runtime::{
    Body, DefaultTransport, Headers, HttpRequest, Method, ObjectBody, Timeouts, Transport, Url,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// What the stand-in does with an upload.
#[derive(Clone, Copy)]
enum Server {
    /// Reads the whole body, then answers 200 with the number of bytes it got.
    Answers,
    /// Reads the request's head, then nothing more (its receive buffer fills).
    StopsReading,
    /// Reads the whole body and never answers.
    NeverAnswers,
}

/// A one-connection server on 127.0.0.1; its URL.
async fn server(behaviour: Server) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut received = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let head_end = loop {
            let n = socket.read(&mut chunk).await.unwrap();
            received.extend_from_slice(&chunk[..n]);
            if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|value| value.trim().parse().ok())
            .expect("a length");
        if let Server::StopsReading = behaviour {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        let mut body = received.len() - head_end;
        while body < length {
            body += socket.read(&mut chunk).await.unwrap();
        }
        if let Server::NeverAnswers = behaviour {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.to_string().len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        let _ = socket.shutdown().await;
    });
    url
}

fn upload(url: Url, body: ObjectBody) -> HttpRequest {
    HttpRequest {
        method: Method::Put,
        url,
        headers: Headers::new(),
        body: Body::object(body),
    }
}

fn transport(read: Duration) -> DefaultTransport {
    DefaultTransport::new(Timeouts::DEFAULT.with_read(read))
}

/// The caller's reader gives 1,200 bytes over about 3 s, three times the read limit: the
/// upload waits for it and is answered.
#[tokio::test]
async fn a_slow_source_is_not_a_stall() {
    let url = server(Server::Answers).await;
    let (mut writer, reader) = tokio::io::duplex(64);
    tokio::spawn(async move {
        for _ in 0..12 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            writer.write_all(&[b'x'; 100]).await.unwrap();
        }
    });
    let body = ObjectBody::from_reader(reader, Some(1200));
    let answer = transport(Duration::from_secs(1))
        .send(upload(url, body))
        .await
        .expect("answered");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, b"1200");
}

/// A server that stops reading: once the connection's buffers are full nothing moves, and the
/// upload ends after the read limit instead of waiting for the call's whole budget.
#[tokio::test]
async fn a_connection_that_stops_taking_data_ends_the_upload() {
    let url = server(Server::StopsReading).await;
    let body = ObjectBody::from(vec![0u8; 64 << 20]);
    let sent = tokio::time::timeout(
        Duration::from_secs(120),
        transport(Duration::from_millis(500)).send(upload(url, body)),
    )
    .await
    .expect("the transport gives up on its own");
    let error = sent.expect_err("stalled");
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
    assert!(error.message.contains("no progress"), "{error}");
}

/// A server that takes every byte and never answers: the wait for the answer is limited too.
#[tokio::test]
async fn no_answer_after_the_last_byte_ends_the_upload() {
    let url = server(Server::NeverAnswers).await;
    let body = ObjectBody::from(vec![0u8; 1 << 20]);
    let sent = tokio::time::timeout(
        Duration::from_secs(120),
        transport(Duration::from_millis(500)).send(upload(url, body)),
    )
    .await
    .expect("the transport gives up on its own");
    let error = sent.expect_err("no answer");
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
}
