//! One StartBackupPlan call through the generated client against the same call made with a
//! bare reqwest loop (target: at most 1.25x), both on one keep-alive connection to a loopback
//! server that answers the documented success body. `cargo xtask bench` prints the ratio.

use std::hint::black_box;
use std::net::SocketAddr;

use acs_runtime::Config;
use acs_runtime::credentials::Credentials;
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY: &str = r#"{"HttpStatusCode": 200, "RequestId": "D13761C3-9971-5C02-B789-3F3CD159****", "Success": true, "CreatedFullBackupsetId": "1h7toien3****", "BackupPlanId": "dbsqdss5tm****"}"#;

/// Answers every request on a connection with `BODY`, in one write, without checking anything:
/// both sides of the comparison must cost the server the same.
async fn serve(mut stream: TcpStream) {
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(read) = stream.read(&mut chunk).await else {
            return;
        };
        if read == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..read]);
        // Requests carry no body here (Content-Length: 0): the head ends the request.
        while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            buffer.drain(..end + 4);
            if stream.write_all(response.as_bytes()).await.is_err() {
                return;
            }
        }
    }
}

async fn start_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            stream.set_nodelay(true).expect("nodelay");
            tokio::spawn(serve(stream));
        }
    });
    addr
}

fn call(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let addr = runtime.block_on(start_server());
    let url = format!("http://{addr}");

    let config = Config::new("cn-hangzhou")
        .with_endpoint(&url)
        .with_credentials(Credentials::new("testAccessKeyId", "testAccessKeySecret"));
    let client = acs_dbs20190306::Client::new(&config).expect("client");
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The runtime's reqwest settings (DefaultTransport): HTTP/1.1 only, the official SDKs'
    // connect and read timeouts, no redirects.
    let bare = reqwest::Client::builder()
        .http1_only()
        .connect_timeout(std::time::Duration::from_secs(5))
        .read_timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // The bare loop sends exactly what the client sends, signed once outside the loop: the
    // request one call puts on the wire, recorded.
    let recorder = std::sync::Arc::new(Recorder::default());
    let recording = Config::new("cn-hangzhou")
        .with_endpoint(&url)
        .with_credentials(Credentials::new("testAccessKeyId", "testAccessKeySecret"))
        .with_transport(recorder.clone());
    runtime
        .block_on(
            acs_dbs20190306::Client::new(&recording)
                .expect("client")
                .start_backup_plan()
                .backup_plan_id("dbsqdss5tmabcd")
                .send(),
        )
        .expect("recorded");
    let signed = recorder.0.lock().unwrap().take().expect("one request");
    let mut signed_headers = reqwest::header::HeaderMap::new();
    for (name, value) in &signed.headers {
        signed_headers.append(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            reqwest::header::HeaderValue::from_str(value).unwrap(),
        );
    }

    let mut group = c.benchmark_group("call");
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = bare
                .post(signed.url.as_str())
                .headers(signed_headers.clone())
                .send()
                .await
                .expect("sent");
            black_box(response.bytes().await.expect("body"))
        })
    });
    group.bench_function("start_backup_plan", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                client
                    .start_backup_plan()
                    .backup_plan_id("dbsqdss5tmabcd")
                    .send()
                    .await
                    .expect("call"),
            )
        })
    });
    // The runtime's transport alone, sending the same signed request.
    let transport = acs_runtime::DefaultTransport::new(acs_runtime::Timeouts::DEFAULT);
    group.bench_function("default_transport", |b| {
        b.to_async(&runtime).iter(|| async {
            use acs_runtime::Transport as _;
            black_box(transport.send(signed.clone()).await.expect("sent"))
        })
    });
    // The client's own work, without any network: a transport that answers at once.
    let canned = Config::new("cn-hangzhou")
        .with_endpoint(&url)
        .with_credentials(Credentials::new("testAccessKeyId", "testAccessKeySecret"))
        .with_transport(std::sync::Arc::new(Canned));
    let offline = acs_dbs20190306::Client::new(&canned).expect("client");
    group.bench_function("start_backup_plan_offline", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                offline
                    .start_backup_plan()
                    .backup_plan_id("dbsqdss5tmabcd")
                    .send()
                    .await
                    .expect("call"),
            )
        })
    });
    group.finish();
}

/// Keeps the request it is given, and answers with `BODY`.
#[derive(Debug, Default)]
struct Recorder(std::sync::Mutex<Option<acs_runtime::HttpRequest>>);

impl acs_runtime::Transport for Recorder {
    fn send(
        &self,
        request: acs_runtime::HttpRequest,
    ) -> acs_runtime::transport::BoxFuture<
        '_,
        Result<acs_runtime::HttpResponse, acs_runtime::TransportError>,
    > {
        *self.0.lock().unwrap() = Some(request);
        Canned::send_body()
    }
}

impl Canned {
    fn send_body<'a>() -> acs_runtime::transport::BoxFuture<
        'a,
        Result<acs_runtime::HttpResponse, acs_runtime::TransportError>,
    > {
        Box::pin(async {
            Ok(acs_runtime::HttpResponse::new(
                200,
                vec![("content-type".into(), "application/json".into())],
                BODY,
            ))
        })
    }
}

/// Answers every request with `BODY` at once.
#[derive(Debug)]
struct Canned;

impl acs_runtime::Transport for Canned {
    fn send(
        &self,
        _request: acs_runtime::HttpRequest,
    ) -> acs_runtime::transport::BoxFuture<
        '_,
        Result<acs_runtime::HttpResponse, acs_runtime::TransportError>,
    > {
        Canned::send_body()
    }
}

criterion_group!(benches, call);
criterion_main!(benches);
