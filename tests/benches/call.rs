//! One StartBackupPlan call through the generated client against the same call made with a
//! bare reqwest loop (target: at most 1.25x), both on one keep-alive connection to a loopback
//! server that answers the documented success body. `cargo xtask bench` prints the ratio.

use std::hint::black_box;
use std::net::SocketAddr;

use acs_runtime::Config;
use acs_runtime::credentials::Credentials;
use criterion::{Criterion, criterion_group, criterion_main};
use tests::bench_support::{self, BACKUP_PLAN_ID, BODY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
    let bare = bench_support::bare_client();
    // The bare loop sends exactly what the client sends, signed once outside the loop.
    let signed = runtime.block_on(bench_support::recorded_request(&config));
    let signed_headers = bench_support::header_map(&signed);

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
                    .backup_plan_id(BACKUP_PLAN_ID)
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
    let offline = acs_dbs20190306::Client::new(
        &config
            .clone()
            .with_transport(std::sync::Arc::new(bench_support::Canned)),
    )
    .expect("client");
    group.bench_function("start_backup_plan_offline", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                offline
                    .start_backup_plan()
                    .backup_plan_id(BACKUP_PLAN_ID)
                    .send()
                    .await
                    .expect("call"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, call);
criterion_main!(benches);
