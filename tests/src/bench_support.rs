//! The request one StartBackupPlan call puts on the wire, and the baselines that send it
//! without the client: a bare reqwest client with the runtime's settings, and raw HTTP/1.1
//! bytes for a plain `TcpStream`.

use std::sync::{Arc, Mutex};

use acs_runtime::transport::BoxFuture;
use acs_runtime::{Config, HttpRequest, HttpResponse, Transport, TransportError};

/// The documented success body of StartBackupPlan.
pub const BODY: &str = r#"{"HttpStatusCode": 200, "RequestId": "D13761C3-9971-5C02-B789-3F3CD159****", "Success": true, "CreatedFullBackupsetId": "1h7toien3****", "BackupPlanId": "dbsqdss5tm****"}"#;

/// The BackupPlanId every benchmark sends.
pub const BACKUP_PLAN_ID: &str = "dbsqdss5tmabcd";

/// The request the DBS client sends for one StartBackupPlan call with `config`: signed once,
/// so a baseline can repeat exactly what the client puts on the wire.
pub async fn recorded_request(config: &Config) -> HttpRequest {
    let recorder = Arc::new(Recorder::default());
    let recording = config.clone().with_transport(recorder.clone());
    acs_dbs20190306::Client::new(&recording)
        .expect("the configuration makes a client")
        .start_backup_plan()
        .backup_plan_id(BACKUP_PLAN_ID)
        .send()
        .await
        .expect("the recorder answers with the success body");
    let request = recorder.0.lock().unwrap().take();
    request.expect("one request recorded")
}

/// A reqwest client configured as the runtime's `DefaultTransport` configures its own:
/// HTTP/1.1 only, the official SDKs' connect and read timeouts, no redirects, no reqwest retries,
/// no proxy.
pub fn bare_client() -> reqwest::Client {
    // reqwest is built without a default TLS provider (acs-runtime hands it one).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .http1_only()
        .connect_timeout(std::time::Duration::from_secs(5))
        .read_timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .no_proxy()
        .build()
        .expect("a reqwest client")
}

/// `request`'s headers as reqwest takes them.
pub fn header_map(request: &HttpRequest) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &request.headers {
        headers.append(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            reqwest::header::HeaderValue::from_str(value).expect("a header value"),
        );
    }
    headers
}

/// `request` as HTTP/1.1 bytes, ready to write to a keep-alive connection.
pub fn raw_http(request: &HttpRequest) -> Vec<u8> {
    let target = match request.url.query() {
        Some(query) => format!("{}?{query}", request.url.path()),
        None => request.url.path().to_owned(),
    };
    let mut head = format!("{} {target} HTTP/1.1\r\n", request.method.as_str());
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", request.body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(request.body.as_bytes());
    bytes
}

/// Keeps the request it is given, and answers with [`BODY`].
#[derive(Debug, Default)]
struct Recorder(Mutex<Option<HttpRequest>>);

impl Transport for Recorder {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        *self.0.lock().unwrap() = Some(request);
        Canned.send_body()
    }
}

/// Answers every request with [`BODY`] at once: the client's own work, without a network.
#[derive(Debug)]
pub struct Canned;

impl Canned {
    fn send_body<'a>(&self) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(async {
            Ok(HttpResponse::new(
                200,
                [("content-type", "application/json")],
                BODY,
            ))
        })
    }
}

impl Transport for Canned {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.send_body()
    }
}
