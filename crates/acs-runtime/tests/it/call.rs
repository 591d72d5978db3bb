//! `Client::call` end to end, over real HTTP on 127.0.0.1, against the in-process server of
//! `support/`, which verifies every signature from what arrived on the wire.
//!
//! The tests assert behaviour (requests seen, headers, results), never timing; backoffs are
//! configured tiny so retries finish at once.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::ops::{
    NotIdempotent, OpError, ReadOnlyOp, Safety, StartBackupPlan, StartBackupPlanResponse, TokenOp,
    UnsafeOp, WithToken,
};
use acs_runtime::credentials::{Credentials, DefaultChain};
use acs_runtime::json::{self, DecodeError};
use acs_runtime::sign::SignatureAlgorithm;
use acs_runtime::transport::BoxFuture;
use acs_runtime::{
    ApiStyle, Auth, BodyKind, BuildError, Client, Config, ConfigError, DefaultTransport, FromJson,
    HttpRequest, HttpResponse, Idempotency, Method, Operation, OperationInfo, Position,
    RequestParams, RetryConfig, SdkError, ServiceError, ServiceInfo, Timeouts, Transport,
    TransportError, TransportErrorKind,
};
use acs_test_server::{Recorded, Reply, TestServer, Verdict};
use serde_json::Value;

const AK_ID: &str = "testAccessKeyId";
const AK_SECRET: &str = "testAccessKeySecret";
const STS_ID: &str = "STS.testStsKeyId";
const STS_SECRET: &str = "testStsSecretValue";
const STS_TOKEN: &str = "CAISstsTokenExample+/==";

pub(crate) static DBS: ServiceInfo = ServiceInfo {
    product: "dbs",
    version: "2019-03-06",
    style: ApiStyle::Rpc,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

static CS: ServiceInfo = ServiceInfo {
    product: "cs",
    version: "2015-12-15",
    style: ApiStyle::Roa,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

// ---------------------------------------------------------------------------------------------
// Test operations

#[derive(Debug, Clone, PartialEq)]
struct RoaOutput {
    request_id: Option<String>,
}

impl FromJson for RoaOutput {
    fn from_json(json: &mut json::Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = Self { request_id: None };
        json.object(|member, json| match member {
            "requestId" => json.read_into(&mut out.request_id),
            _ => json.skip(),
        })?;
        Ok(out)
    }
}

/// An ROA operation: path placeholder, query, an `x-acs-*` header, a plain header and a JSON
/// body.
struct UpdateNode {
    cluster_id: String,
    state: String,
    body: Option<Value>,
}

impl Operation for UpdateNode {
    type Output = RoaOutput;
    type Error = OpError;

    const INFO: &'static OperationInfo = &OperationInfo {
        action: "UpdateNode",
        method: Method::Put,
        path: "/clusters/{ClusterId}/nodes",
        idempotency: Idempotency::Unsafe,
        body: BodyKind::Json,
        auth: Auth::Signed,
    };

    fn write_params(&self, params: &mut RequestParams) {
        params.put(Position::Path, "ClusterId", &self.cluster_id);
        params.put(Position::Query, "state", &self.state);
        params.put(Position::Header, "x-acs-test-header", &"signed value");
        params.put(Position::Header, "X-Plain-Header", &"plain");
        params.json_body = self.body.clone();
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn ak() -> Credentials {
    Credentials::new(AK_ID, AK_SECRET)
}

fn sts() -> Credentials {
    Credentials::with_security_token(STS_ID, STS_SECRET, STS_TOKEN)
}

/// Fast retries: 3 attempts, sub-millisecond backoff.
fn fast_retry() -> RetryConfig {
    RetryConfig::new()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_micros(200))
        .with_max_backoff(Duration::from_millis(1))
}

pub(crate) async fn server(script: Vec<Reply>) -> TestServer {
    let server = TestServer::start(script).await;
    server.accept_key(AK_ID, AK_SECRET, None);
    server.accept_key(STS_ID, STS_SECRET, Some(STS_TOKEN));
    server
}

pub(crate) fn config_for(
    server_url: &str,
    algorithm: SignatureAlgorithm,
    sts_credentials: bool,
) -> Config {
    let config = Config::new("cn-hangzhou")
        .with_endpoint(server_url)
        .with_signature(algorithm)
        .with_retry(fast_retry());
    if sts_credentials {
        config.with_credentials(sts())
    } else {
        config.with_credentials(ak())
    }
}

fn client(service: &'static ServiceInfo, config: &Config) -> Client {
    Client::new(service, config).expect("endpoint override resolves")
}

fn assert_verified(requests: &[Recorded]) {
    for (i, request) in requests.iter().enumerate() {
        assert!(
            !matches!(request.verdict, Verdict::Rejected(_)),
            "request {i} failed verification: {:?}",
            request.verdict
        );
    }
}

fn service_error<T: fmt::Debug>(result: Result<T, SdkError<OpError>>) -> ServiceError {
    match result {
        Err(SdkError::Service(OpError(error))) => error,
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn transport_error<T: fmt::Debug>(result: Result<T, SdkError<OpError>>) -> TransportError {
    match result {
        Err(SdkError::Transport(error)) => error,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// A port nothing listens on: bound, then released.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Wraps a transport, counting attempts.
#[derive(Debug)]
struct Counting<T> {
    inner: T,
    sent: AtomicUsize,
}

impl<T: Transport> Transport for Counting<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request)
    }
}

// ---------------------------------------------------------------------------------------------
// Success for every signature, with and without STS

async fn success_case(algorithm: SignatureAlgorithm, sts_credentials: bool) {
    let server = server(vec![Reply::ok()]).await;
    let config = config_for(&server.url(), algorithm, sts_credentials);
    let output = client(&DBS, &config)
        .call(TokenOp::new("dbsqdss5tmabcd"))
        .await
        .expect("call succeeds");
    assert_eq!(output.request_id.as_deref(), Some("OK-REQUEST"));
    assert_eq!(output.backup_plan_id.as_deref(), Some("dbsqdss5tmabcd"));
    assert_eq!(output.success, Some(true));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_verified(&requests);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/");
    assert!(request.body.is_empty());
    assert_eq!(request.param("BackupPlanId"), Some("dbsqdss5tmabcd"));
    // A fresh UUID v4 idempotency token.
    let token = request.client_token().expect("ClientToken filled in");
    assert_eq!(token.len(), 36);
    assert_eq!(token.as_bytes()[14], b'4');
    let nonce = request.nonce().expect("nonce");
    assert_eq!(nonce.len(), 32);
    assert!(nonce.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    let user_agent = request.header("user-agent").expect("user-agent");
    assert!(user_agent.starts_with(concat!("acs-runtime/", env!("CARGO_PKG_VERSION"))));
    assert!(user_agent.ends_with("dbs/2019-03-06"));
    let provider = if sts_credentials {
        "static_sts"
    } else {
        "static_ak"
    };
    assert_eq!(request.header("x-acs-credentials-provider"), Some(provider));
    assert_eq!(request.header("x-acs-action"), Some("StartBackupPlan"));
    assert_eq!(request.header("x-acs-version"), Some("2019-03-06"));

    match &request.verdict {
        Verdict::V3 {
            algorithm: seen,
            signed_headers,
            ..
        } => {
            assert_eq!(*seen, algorithm);
            let mut expected = vec![
                "accept",
                "host",
                "user-agent",
                "x-acs-action",
                "x-acs-content-sha256",
                "x-acs-credentials-provider",
                "x-acs-date",
                "x-acs-signature-nonce",
                "x-acs-version",
            ];
            if sts_credentials {
                expected.extend(["x-acs-accesskey-id", "x-acs-security-token"]);
                expected.sort_unstable();
                assert_eq!(request.header("x-acs-security-token"), Some(STS_TOKEN));
                assert_eq!(request.header("x-acs-accesskey-id"), Some(STS_ID));
            }
            assert_eq!(signed_headers, &expected);
            assert_eq!(request.header("accept"), Some("application/json"));
            // Action and Version travel only as headers.
            let names: Vec<&str> = request
                .query
                .iter()
                .map(|(name, _)| name.as_str())
                .collect();
            assert_eq!(names, ["BackupPlanId", "ClientToken"]);
        }
        Verdict::V1 { .. } => {
            assert_eq!(algorithm, SignatureAlgorithm::HmacSha1);
            assert!(request.header("authorization").is_none());
            let names: Vec<&str> = request
                .query
                .iter()
                .map(|(name, _)| name.as_str())
                .collect();
            let mut expected = vec![
                "Action",
                "Format",
                "Version",
                "Timestamp",
                "SignatureNonce",
                "BackupPlanId",
                "ClientToken",
            ];
            if sts_credentials {
                expected.push("SecurityToken");
            }
            expected.extend([
                "SignatureMethod",
                "SignatureVersion",
                "AccessKeyId",
                "Signature",
            ]);
            assert_eq!(names, expected);
            assert_eq!(request.param("Action"), Some("StartBackupPlan"));
            assert_eq!(request.param("Format"), Some("json"));
            assert_eq!(request.param("Version"), Some("2019-03-06"));
            let access_key_id = if sts_credentials { STS_ID } else { AK_ID };
            assert_eq!(request.param("AccessKeyId"), Some(access_key_id));
            let timestamp = request.param("Timestamp").unwrap();
            assert_eq!(timestamp.len(), "2024-05-01T12:34:56Z".len());
            assert!(timestamp.ends_with('Z'));
        }
        Verdict::Rejected(reason) => panic!("{reason}"),
        Verdict::Unsigned => panic!("the request was not signed"),
        Verdict::Handled => panic!("this server checks signatures"),
    }
}

#[tokio::test]
async fn success_v3_sha256() {
    success_case(SignatureAlgorithm::Acs3HmacSha256, false).await;
}

#[tokio::test]
async fn success_v3_sha256_sts() {
    success_case(SignatureAlgorithm::Acs3HmacSha256, true).await;
}

#[tokio::test]
async fn success_v3_sm3() {
    success_case(SignatureAlgorithm::Acs3HmacSm3, false).await;
}

#[tokio::test]
async fn success_v3_sm3_sts() {
    success_case(SignatureAlgorithm::Acs3HmacSm3, true).await;
}

#[tokio::test]
async fn success_v1() {
    success_case(SignatureAlgorithm::HmacSha1, false).await;
}

#[tokio::test]
async fn success_v1_sts() {
    success_case(SignatureAlgorithm::HmacSha1, true).await;
}

// ---------------------------------------------------------------------------------------------
// Awkward values

const AWKWARD: [&str; 10] = [
    "two words",
    "star*",
    "tilde~",
    "a/b",
    "1+1=2",
    "x&y=z",
    "数据库",
    "Grüße ü",
    "%41 not an escape",
    "",
];

#[tokio::test]
async fn awkward_values_in_query_and_form_survive_every_signature() {
    for algorithm in SignatureAlgorithm::ALL {
        for sts_credentials in [false, true] {
            let server = server(vec![Reply::ok()]).await;
            let config = config_for(&server.url(), algorithm, sts_credentials);
            let mut operation = TokenOp::new("plan with spaces*~/+=&数");
            operation.extra_query = AWKWARD
                .iter()
                .enumerate()
                .map(|(i, value)| (format!("Q{i}"), value.to_string()))
                .collect();
            operation.form = AWKWARD
                .iter()
                .enumerate()
                .map(|(i, value)| (format!("F{i}"), value.to_string()))
                .collect();
            client(&DBS, &config)
                .call(operation)
                .await
                .unwrap_or_else(|error| panic!("{algorithm}, sts {sts_credentials}: {error}"));

            let requests = server.requests();
            assert_eq!(requests.len(), 1);
            assert_verified(&requests);
            let request = &requests[0];
            assert_eq!(
                request.param("BackupPlanId"),
                Some("plan with spaces*~/+=&数")
            );
            for (i, value) in AWKWARD.iter().enumerate() {
                assert_eq!(request.param(&format!("Q{i}")), Some(*value));
            }
            let form = request.form();
            for (i, value) in AWKWARD.iter().enumerate() {
                let name = format!("F{i}");
                assert!(form.contains(&(name, value.to_string())), "{form:?}");
            }
            assert_eq!(
                request.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
            // On the wire: form encoding (space as '+', '~' kept, '*' encoded).
            assert!(
                request.raw_query.contains("Q0=two+words"),
                "{}",
                request.raw_query
            );
            assert!(
                request.raw_query.contains("Q1=star%2A"),
                "{}",
                request.raw_query
            );
            assert!(
                request.raw_query.contains("Q2=tilde~"),
                "{}",
                request.raw_query
            );
            if let Verdict::V3 { signed_headers, .. } = &request.verdict {
                assert!(signed_headers.contains(&"content-type".to_owned()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding: every vector of the official SDK, with the two deliberate differences

#[tokio::test]
async fn every_decoding_vector() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/decoding");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "{names:?}");
    for path in names {
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for algorithm in [
            SignatureAlgorithm::Acs3HmacSha256,
            SignatureAlgorithm::HmacSha1,
        ] {
            check_decoding_vector(&vector, algorithm).await;
        }
    }
}

async fn check_decoding_vector(vector: &Value, algorithm: SignatureAlgorithm) {
    let id = vector["id"].as_str().unwrap();
    let input = &vector["input"];
    let status = input["http_status"].as_u64().unwrap() as u16;
    let body = input["response_body"].as_str().unwrap();
    let headers: Vec<(String, String)> = input["response_headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_owned()))
        .collect();
    let server = server(vec![Reply::Respond {
        status,
        headers,
        body: body.to_owned(),
    }])
    .await;
    let config = config_for(&server.url(), algorithm, false).with_retry(RetryConfig::disabled());
    let result = client(&DBS, &config)
        .call(TokenOp::new("dbsqdss5tmabcd"))
        .await;
    assert_eq!(server.requests().len(), 1, "{id}");
    assert_verified(&server.requests());

    let sdk = &vector["expected"]["sdk_result"];
    let parsed: Value = serde_json::from_str(body).unwrap();
    if id == "decode_success_false_http_200" {
        // Deliberate difference (a): the SDK returns this as a success; it is an error here.
        assert_eq!(sdk["raised"], false);
        let error = service_error(result);
        assert_eq!(error.http_status, 200);
        assert_eq!(error.code, "InvalidParameter");
        assert_eq!(
            error.message,
            "The specified parameter BackupPlanId is not valid."
        );
        assert_eq!(error.request_id.as_deref(), Some("S"));
        assert_eq!(error.body(), body);
        assert!(!error.is_throttling());
        return;
    }
    if sdk["raised"] == false {
        let output = result.unwrap_or_else(|error| panic!("{id}: {error}"));
        let body = serde_json::to_vec(&sdk["body"]).unwrap();
        let expected: StartBackupPlanResponse = json::decode(&body, None).unwrap();
        assert_eq!(output, expected, "{id}");
        assert_eq!(
            output.created_full_backupset_id.as_deref(),
            Some("1h7toien3****")
        );
        assert_eq!(output.http_status_code, Some(200));
        return;
    }

    let error = service_error(result);
    assert_eq!(
        u64::from(error.http_status),
        sdk["status_code"].as_u64().unwrap(),
        "{id}"
    );
    assert_eq!(
        error.request_id.as_deref(),
        sdk["request_id"].as_str(),
        "{id}"
    );
    assert_eq!(error.body(), body, "{id}");
    assert_eq!(
        error.retry_after,
        sdk["retry_after"].as_u64().map(Duration::from_millis),
        "{id}"
    );
    assert_eq!(
        error.is_throttling(),
        sdk["exception_class"] == "ThrottlingException",
        "{id}"
    );
    if id == "decode_error_errcode_only" {
        // Deliberate difference (b): ErrCode/ErrMessage are read; the SDK reports "None".
        assert_eq!(sdk["code"], "None");
        assert_eq!(error.code, "InvalidParameter");
        assert_eq!(
            error.message,
            "The specified parameter BackupPlanId is not valid."
        );
        return;
    }
    assert_eq!(error.code, sdk["code"].as_str().unwrap(), "{id}");
    // The SDK composes "code: <status>, <Message> request id: <id>"; the message itself is the
    // body's Message/message.
    let message = parsed
        .get("Message")
        .or_else(|| parsed.get("message"))
        .and_then(Value::as_str)
        .unwrap();
    assert_eq!(error.message, message, "{id}");
    assert!(sdk["message"].as_str().unwrap().contains(message), "{id}");
}

#[tokio::test]
async fn non_json_error_body_becomes_the_message() {
    let server = server(vec![Reply::Respond {
        status: 502,
        headers: vec![("x-acs-request-id".to_owned(), "GATEWAY-1".to_owned())],
        body: "<html>Bad Gateway</html>".to_owned(),
    }])
    .await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_retry(RetryConfig::disabled());
    let error = service_error(client(&DBS, &config).call(TokenOp::new("p")).await);
    assert_eq!(error.code, "");
    assert_eq!(error.message, "<html>Bad Gateway</html>");
    assert_eq!(error.request_id.as_deref(), Some("GATEWAY-1"));
    assert_eq!(error.http_status, 502);
}

#[tokio::test]
async fn undecodable_success_body_is_a_decode_error_and_not_retried() {
    let server = server(vec![Reply::json(
        200,
        r#"{"RequestId":"DEC-1","BackupPlanId":["not","a","string"]}"#,
    )])
    .await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false);
    let result = client(&DBS, &config).call(TokenOp::new("p")).await;
    match result {
        Err(SdkError::Decode(error)) => {
            assert_eq!(error.request_id.as_deref(), Some("DEC-1"));
            assert_eq!(error.http_status, 200);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn forbidden_is_not_retried() {
    let server = server(vec![
        Reply::json(
            403,
            r#"{"RequestId":"X","Code":"Request.Forbidden","Message":"Have no Permissions"}"#,
        ),
        Reply::ok(),
    ])
    .await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false);
    let error = service_error(client(&DBS, &config).call(TokenOp::new("p")).await);
    assert_eq!(error.code, "Request.Forbidden");
    assert_eq!(error.http_status, 403);
    assert_eq!(server.requests().len(), 1);
}

/// Two throttled answers, then success: three attempts with one token, fresh nonces and
/// signatures.
async fn throttled_then_success<S: Safety>(throttle: Reply, algorithm: SignatureAlgorithm) {
    let server = server(vec![throttle.clone(), throttle, Reply::ok()]).await;
    let config = config_for(&server.url(), algorithm, true);
    let output = client(&DBS, &config)
        .call(StartBackupPlan::<S>::new("p"))
        .await
        .expect("third attempt succeeds");
    assert_eq!(output.request_id.as_deref(), Some("OK-REQUEST"));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_verified(&requests);
    assert_distinct_attempts(&requests, S::IDEMPOTENCY == Idempotency::Token);
}

fn assert_distinct_attempts(requests: &[Recorded], expect_token: bool) {
    let tokens: Vec<Option<&str>> = requests.iter().map(Recorded::client_token).collect();
    assert!(
        tokens.windows(2).all(|pair| pair[0] == pair[1]),
        "{tokens:?}"
    );
    assert_eq!(tokens[0].is_some(), expect_token, "{tokens:?}");
    let mut nonces: Vec<&str> = requests.iter().map(|r| r.nonce().unwrap()).collect();
    nonces.sort_unstable();
    nonces.dedup();
    assert_eq!(nonces.len(), requests.len(), "nonces repeat");
    let mut signatures: Vec<&str> = requests
        .iter()
        .map(|r| r.verdict.signature().unwrap())
        .collect();
    signatures.sort_unstable();
    signatures.dedup();
    assert_eq!(signatures.len(), requests.len(), "signatures repeat");
}

#[tokio::test]
async fn http_429_is_retried() {
    throttled_then_success::<WithToken>(
        Reply::json(429, r#"{"RequestId":"T","Message":"slow down"}"#),
        SignatureAlgorithm::Acs3HmacSha256,
    )
    .await;
}

#[tokio::test]
async fn throttling_code_is_retried_even_for_unsafe_operations() {
    throttled_then_success::<NotIdempotent>(
        Reply::json(
            400,
            r#"{"RequestId":"T","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#,
        ),
        SignatureAlgorithm::HmacSha1,
    )
    .await;
}

#[tokio::test]
async fn retry_after_header_is_retried() {
    // The vector's answer, with a wait short enough for a test (the header is in milliseconds).
    throttled_then_success::<WithToken>(
        Reply::json_with_header(
            503,
            r#"{"RequestId":"T","Code":"ServiceBusy","Message":"busy"}"#,
            "x-acs-retry-after",
            "2",
        ),
        SignatureAlgorithm::Acs3HmacSm3,
    )
    .await;
}

#[tokio::test]
async fn throttling_gives_up_after_max_attempts() {
    let throttle = Reply::json(
        429,
        r#"{"RequestId":"T","Code":"Throttling","Message":"no"}"#,
    );
    let server = server(vec![
        throttle.clone(),
        throttle.clone(),
        throttle.clone(),
        Reply::ok(),
    ])
    .await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false);
    let error = service_error(client(&DBS, &config).call(TokenOp::new("p")).await);
    assert_eq!(error.http_status, 429);
    assert!(error.is_throttling());
    assert_eq!(server.requests().len(), 3);
}

fn internal_error() -> Reply {
    Reply::json(
        500,
        r#"{"RequestId":"Z","Code":"InternalError","Message":"The request processing has failed due to some unknown error."}"#,
    )
}

#[tokio::test]
async fn server_errors_are_retried_for_token_operations() {
    let server = server(vec![internal_error(), internal_error(), Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false);
    client(&DBS, &config)
        .call(TokenOp::new("p"))
        .await
        .expect("third attempt succeeds");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_verified(&requests);
    assert_distinct_attempts(&requests, true);
}

#[tokio::test]
async fn server_errors_are_retried_for_read_only_operations() {
    let server = server(vec![internal_error(), Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::HmacSha1, false);
    client(&DBS, &config)
        .call(ReadOnlyOp::new("p"))
        .await
        .expect("second attempt succeeds");
    assert_eq!(server.requests().len(), 2);
    // Read-only operations get no token.
    assert_eq!(server.requests()[0].client_token(), None);
}

#[tokio::test]
async fn server_errors_are_not_retried_for_unsafe_operations() {
    let server = server(vec![internal_error(), Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false);
    let error = service_error(client(&DBS, &config).call(UnsafeOp::new("p")).await);
    assert_eq!(error.code, "InternalError");
    assert_eq!(server.requests().len(), 1);
    // The runtime fills a token only for Token operations.
    assert_eq!(server.requests()[0].client_token(), None);
}

#[tokio::test]
async fn caller_set_client_token_is_kept_on_every_attempt() {
    let server = server(vec![internal_error(), Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::HmacSha1, true);
    let mut operation = TokenOp::new("p");
    operation.client_token = Some("caller-token-123".to_owned());
    client(&DBS, &config)
        .call(operation)
        .await
        .expect("success");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_verified(&requests);
    for request in &requests {
        assert_eq!(request.client_token(), Some("caller-token-123"));
    }
}

#[tokio::test]
async fn connection_refused_is_retried_and_reported_as_connect() {
    for safety in [Idempotency::Token, Idempotency::Unsafe] {
        let counting = Arc::new(Counting {
            inner: DefaultTransport::new(Timeouts::DEFAULT),
            sent: AtomicUsize::new(0),
        });
        let config = config_for(&closed_port_url(), SignatureAlgorithm::HmacSha1, true)
            .with_transport(counting.clone());
        let client = client(&DBS, &config);
        let result = match safety {
            Idempotency::Token => client.call(TokenOp::new("p")).await,
            _ => client.call(UnsafeOp::new("p")).await,
        };
        let error = transport_error(result);
        assert_eq!(error.kind, TransportErrorKind::Connect, "{error}");
        // Connection refused is provably unprocessed: retried whatever the operation.
        assert_eq!(counting.sent.load(Ordering::SeqCst), 3, "{safety:?}");
    }
}

#[tokio::test]
async fn dropped_connections_are_retried_only_when_safe() {
    let server_token = server(vec![Reply::Close, Reply::Close, Reply::ok()]).await;
    let config = config_for(
        &server_token.url(),
        SignatureAlgorithm::Acs3HmacSha256,
        false,
    );
    client(&DBS, &config)
        .call(TokenOp::new("p"))
        .await
        .expect("third attempt succeeds");
    assert_eq!(server_token.requests().len(), 3);
    assert_distinct_attempts(&server_token.requests(), true);

    let server_unsafe = server(vec![Reply::Close, Reply::ok()]).await;
    let config = config_for(
        &server_unsafe.url(),
        SignatureAlgorithm::Acs3HmacSha256,
        false,
    );
    let error = transport_error(client(&DBS, &config).call(UnsafeOp::new("p")).await);
    assert_eq!(error.kind, TransportErrorKind::Io, "{error}");
    assert_eq!(server_unsafe.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Timeouts

fn short_read_timeout() -> Timeouts {
    Timeouts::DEFAULT.with_read(Duration::from_millis(200))
}

#[tokio::test]
async fn read_timeouts_are_retried_for_token_operations() {
    let server = server(vec![Reply::Hang, Reply::Hang]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_retry(fast_retry().with_max_attempts(2))
        .with_timeouts(short_read_timeout());
    let error = transport_error(client(&DBS, &config).call(TokenOp::new("p")).await);
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
    assert_eq!(server.requests().len(), 2);
    assert_distinct_attempts(&server.requests(), true);
}

#[tokio::test]
async fn read_timeouts_are_not_retried_for_unsafe_operations() {
    let server = server(vec![Reply::Hang, Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_timeouts(short_read_timeout());
    let error = transport_error(client(&DBS, &config).call(UnsafeOp::new("p")).await);
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_total_budget_ends_the_call() {
    let server = server(vec![Reply::Hang, Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_timeouts(Timeouts::DEFAULT.with_total(Duration::from_millis(300)));
    let error = transport_error(client(&DBS, &config).call(TokenOp::new("p")).await);
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error}");
    assert!(error.message.contains("budget"), "{error}");
    // The budget is spent: no second attempt.
    assert!(server.requests().len() <= 1);
}

// ---------------------------------------------------------------------------------------------
// ROA

#[tokio::test]
async fn roa_request_with_path_query_headers_and_json_body() {
    for algorithm in SignatureAlgorithm::ALL {
        let server = server(vec![Reply::json(200, r#"{"requestId":"ROA-1"}"#)]).await;
        let config = config_for(&server.url(), algorithm, true);
        let body = serde_json::json!({"count": 2, "name": "节点 a/b"});
        let output = client(&CS, &config)
            .call(UpdateNode {
                cluster_id: "c 1/数*~".to_owned(),
                state: "running now".to_owned(),
                body: Some(body.clone()),
            })
            .await
            .unwrap_or_else(|error| panic!("{algorithm}: {error}"));
        assert_eq!(output.request_id.as_deref(), Some("ROA-1"));

        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        assert_verified(&requests);
        let request = &requests[0];
        assert_eq!(request.method, "PUT");
        assert_eq!(request.path, "/clusters/c%201%2F%E6%95%B0%2A~/nodes");
        assert_eq!(request.param("state"), Some("running now"));
        assert_eq!(request.query.len(), 1);
        assert_eq!(request.header("x-acs-action"), Some("UpdateNode"));
        assert_eq!(request.header("x-acs-version"), Some("2015-12-15"));
        assert_eq!(request.header("x-acs-test-header"), Some("signed value"));
        assert_eq!(request.header("x-plain-header"), Some("plain"));
        assert_eq!(
            request.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        let sent: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(sent, body);
        let Verdict::V3 {
            algorithm: used,
            signed_headers,
            ..
        } = &request.verdict
        else {
            panic!("ROA requests carry a V3 signature: {:?}", request.verdict);
        };
        // HMAC-SHA1 is RPC-only; ROA falls back to ACS3-HMAC-SHA256.
        let expected = if algorithm == SignatureAlgorithm::HmacSha1 {
            SignatureAlgorithm::Acs3HmacSha256
        } else {
            algorithm
        };
        assert_eq!(*used, expected);
        assert!(signed_headers.contains(&"x-acs-test-header".to_owned()));
        assert!(signed_headers.contains(&"content-type".to_owned()));
        assert!(!signed_headers.contains(&"x-plain-header".to_owned()));
    }
}

#[tokio::test]
async fn roa_missing_path_parameter_is_a_build_error() {
    struct NoPath;
    impl Operation for NoPath {
        type Output = RoaOutput;
        type Error = OpError;
        const INFO: &'static OperationInfo = &OperationInfo {
            action: "DescribeCluster",
            method: Method::Get,
            path: "/clusters/{ClusterId}",
            idempotency: Idempotency::ReadOnly,
            body: BodyKind::Json,
            auth: Auth::Signed,
        };
        fn write_params(&self, _params: &mut RequestParams) {}
    }
    let server = server(vec![]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false);
    match client(&CS, &config).call(NoPath).await {
        Err(SdkError::Build(BuildError::MissingPathParameter { placeholder, .. })) => {
            assert_eq!(placeholder, "ClusterId");
        }
        other => panic!("expected a build error, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Credentials, configuration, secrets

#[tokio::test]
async fn missing_credentials_fail_before_sending() {
    let server = server(vec![Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_credentials(DefaultChain::from_lookup(|_| None));
    match client(&DBS, &config).call(TokenOp::new("p")).await {
        Err(SdkError::Credentials(_)) => {}
        other => panic!("expected a credentials error, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn config_from_env_reads_endpoints_as_the_aliyun_cli_does_and_per_product() {
    static TABLE: [acs_runtime::endpoint::RegionEndpoint; 1] =
        [acs_runtime::endpoint::RegionEndpoint::new(
            "cn-beijing",
            "dbs-api.cn-beijing.aliyuncs.com",
            "dbs-api-vpc.cn-beijing.aliyuncs.com",
        )];
    static TABLED: ServiceInfo = ServiceInfo {
        product: "dbs",
        version: "2019-03-06",
        style: ApiStyle::Rpc,
        gateway: acs_runtime::Gateway::Acs,
        endpoints: &TABLE,
    };
    static OTHER: ServiceInfo = ServiceInfo {
        product: "dataworks-public",
        version: "2020-05-18",
        style: ApiStyle::Rpc,
        gateway: acs_runtime::Gateway::Acs,
        endpoints: &[],
    };
    let env = |vars: &[(&'static str, &'static str)]| {
        let vars = vars.to_vec();
        Config::from_env_lookup(move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
        .expect("a region")
    };
    let region = ("ALIBABA_CLOUD_REGION_ID", "cn-beijing");
    let host = |config: &Config, service: &'static ServiceInfo| {
        Client::new(service, config)
            .map(|client| client.endpoint().to_string())
            .unwrap_or_else(|error| error.to_string())
    };
    // The table, public or VPC as ALIBABA_CLOUD_ENDPOINT_TYPE says.
    assert_eq!(
        host(&env(&[region]), &TABLED),
        "https://dbs-api.cn-beijing.aliyuncs.com"
    );
    let vpc = env(&[region, ("ALIBABA_CLOUD_ENDPOINT_TYPE", "VPC")]);
    assert_eq!(
        host(&vpc, &TABLED),
        "https://dbs-api-vpc.cn-beijing.aliyuncs.com"
    );
    // ALIBABA_CLOUD_ENDPOINT for every product; one product's own variable wins for it.
    let both = env(&[
        region,
        ("ALIBABA_CLOUD_ENDPOINT", "http://127.0.0.1:1001"),
        ("ALIBABA_CLOUD_ENDPOINT_DATAWORKS_PUBLIC", "127.0.0.1:1002"),
    ]);
    assert_eq!(host(&both, &TABLED), "http://127.0.0.1:1001");
    assert_eq!(host(&both, &OTHER), "https://127.0.0.1:1002");
    // An explicit endpoint wins over the environment.
    let explicit = both.clone().with_endpoint("https://example.com");
    assert_eq!(host(&explicit, &OTHER), "https://example.com");
}

#[tokio::test]
async fn config_from_env_reads_the_region() {
    let config = Config::from_env_lookup(|name| {
        (name == "ALIBABA_CLOUD_REGION_ID").then(|| "cn-beijing".to_owned())
    })
    .expect("region from the variable");
    assert_eq!(config.region, "cn-beijing");

    let profile_file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/credentials/config.json"
    );
    let config = Config::from_env_lookup(move |name| {
        (name == "ALIBABA_CLOUD_CONFIG_FILE").then(|| profile_file.to_owned())
    })
    .expect("region from the profile");
    // The file's current profile is `sts`, in cn-shanghai.
    assert_eq!(config.region, "cn-shanghai");
    // Credentials come from the same lookup: the profile's STS key.
    let credentials = config.credentials.get().await.expect("profile credentials");
    assert_eq!(credentials.access_key_id(), "STS.stsFixtureId");

    match Config::from_env_lookup(|_| None) {
        Err(error @ ConfigError::NoRegion { .. }) => {
            assert!(
                error.to_string().contains("ALIBABA_CLOUD_REGION_ID"),
                "{error}"
            );
        }
        other => panic!("expected NoRegion, got {other:?}"),
    }
}

#[tokio::test]
async fn no_secret_in_debug_or_error_messages() {
    // The token's alphanumeric core catches it in any encoding.
    let secrets = [
        AK_SECRET,
        STS_SECRET,
        STS_TOKEN,
        "CAISstsTokenExample",
        "Signature=",
    ];
    let assert_clean = |what: &str, text: &str| {
        for secret in secrets {
            assert!(!text.contains(secret), "{what} shows {secret}: {text}");
        }
    };

    let config = config_for(&closed_port_url(), SignatureAlgorithm::HmacSha1, true);
    let client = client(&DBS, &config);
    assert_clean("Config", &format!("{config:?}"));
    assert_clean("Client", &format!("{client:?}"));

    // A V1 request carries the token and the signature in its URL.
    let result = client.call(TokenOp::new("p")).await;
    let error = result.expect_err("nothing listens");
    assert_clean("transport error", &format!("{error} / {error:?}"));
    assert!(matches!(error, SdkError::Transport(_)));

    // Service errors echoing the request, as SignatureDoesNotMatch does with the server's
    // string to sign (which, for HMAC-SHA1, holds the token percent-encoded twice).
    let echo = |text: &str| {
        Reply::json(
            400,
            &serde_json::json!({
                "RequestId": "E",
                "Code": "SignatureDoesNotMatch",
                "Message": format!("server string to sign is: {text}"),
            })
            .to_string(),
        )
    };
    let double_encoded =
        acs_runtime::encoding::percent_encode(&acs_runtime::encoding::percent_encode(STS_TOKEN));
    let server = server(vec![
        echo(&format!("POST&%2F&SecurityToken%3D{double_encoded}")),
        echo(&format!(
            "SecurityToken={}",
            acs_runtime::encoding::percent_encode(STS_TOKEN)
        )),
        echo(STS_TOKEN),
    ])
    .await;
    for algorithm in SignatureAlgorithm::ALL {
        let config = config_for(&server.url(), algorithm, true);
        let error = self::client(&DBS, &config)
            .call(TokenOp::new("p"))
            .await
            .expect_err("error answer");
        assert_clean("service error", &format!("{error} / {error:?}"));
        let SdkError::Service(OpError(service)) = error else {
            panic!("expected a service error");
        };
        assert!(service.message.contains("***"), "{service}");
    }

    // Read timeouts and dropped connections too.
    let server = self::server(vec![Reply::Hang, Reply::Close]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::HmacSha1, true)
        .with_retry(RetryConfig::disabled())
        .with_timeouts(short_read_timeout());
    for _ in 0..2 {
        let error = self::client(&DBS, &config)
            .call(UnsafeOp::new("p"))
            .await
            .expect_err("no answer");
        assert_clean("transport error", &format!("{error} / {error:?}"));
    }

    // Credentials errors.
    let config = config.with_credentials(DefaultChain::from_lookup(|name| {
        (name == "ALIBABA_CLOUD_ACCESS_KEY_SECRET").then(|| AK_SECRET.to_owned())
    }));
    let error = self::client(&DBS, &config)
        .call(UnsafeOp::new("p"))
        .await
        .expect_err("no key id");
    assert_clean("credentials error", &format!("{error} / {error:?}"));
}

// ---------------------------------------------------------------------------------------------
// Custom transports

/// Answers every request itself, without a network.
#[derive(Debug, Default)]
struct Canned {
    seen: std::sync::Mutex<Vec<HttpRequest>>,
}

impl Transport for Canned {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.seen.lock().unwrap().push(request);
        Box::pin(async {
            Ok(HttpResponse::new(
                200,
                vec![("x-acs-request-id".to_owned(), "CANNED".to_owned())],
                r#"{"RequestId":"CANNED"}"#,
            ))
        })
    }
}

#[tokio::test]
async fn a_custom_transport_sees_the_signed_request() {
    let canned = Arc::new(Canned::default());
    let config = Config::new("cn-hangzhou")
        .with_endpoint("https://dbs-api.cn-hangzhou.aliyuncs.com")
        .with_credentials(sts())
        .with_transport(canned.clone());
    let output = client(&DBS, &config).call(TokenOp::new("p")).await.unwrap();
    assert_eq!(output.request_id.as_deref(), Some("CANNED"));
    let seen = canned.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, Method::Post);
    assert!(
        request
            .url
            .as_str()
            .starts_with("https://dbs-api.cn-hangzhou.aliyuncs.com/?BackupPlanId=p&ClientToken=")
    );
    let names: Vec<&str> = request.headers.iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "host",
            "x-acs-version",
            "x-acs-action",
            "user-agent",
            "x-acs-date",
            "x-acs-signature-nonce",
            "accept",
            "x-acs-content-sha256",
            "x-acs-credentials-provider",
            "x-acs-accesskey-id",
            "x-acs-security-token",
            "Authorization",
        ]
    );
    assert_eq!(
        request.header("host"),
        Some("dbs-api.cn-hangzhou.aliyuncs.com")
    );
    // The request's Debug hides the token and the signature.
    let debug = format!("{request:?}");
    assert!(!debug.contains(STS_TOKEN), "{debug}");
    assert!(!debug.contains("Signature="), "{debug}");
}

#[test]
fn call_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let config = Config::new("cn-hangzhou").with_endpoint("https://example.com");
    let client = Client::new(&DBS, &config).unwrap();
    let future = client.call(TokenOp::new("p"));
    assert_send(&future);
}

// ---------------------------------------------------------------------------------------------
// Tracing

/// A subscriber writing every span, field record and event as a line of text.
#[derive(Debug, Default)]
struct Capture {
    lines: Arc<std::sync::Mutex<Vec<String>>>,
    next_id: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _metadata: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields::default();
        span.record(&mut fields);
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        self.lines
            .lock()
            .unwrap()
            .push(format!("span {}{}", span.metadata().name(), fields.0));
        tracing::span::Id::from_u64(id)
    }

    fn record(&self, _span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        self.lines
            .lock()
            .unwrap()
            .push(format!("record{}", fields.0));
    }

    fn record_follows_from(&self, _span: &tracing::span::Id, _follows: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        self.lines
            .lock()
            .unwrap()
            .push(format!("event{}", fields.0));
    }

    fn enter(&self, _span: &tracing::span::Id) {}

    fn exit(&self, _span: &tracing::span::Id) {}
}

#[tokio::test]
async fn spans_name_call_and_attempts_without_secrets() {
    let capture = Capture::default();
    let lines = Arc::clone(&capture.lines);
    let dispatch = tracing::Dispatch::new(capture);
    // While only one dispatcher exists, tracing-core computes a callsite's interest from the
    // default of whichever thread first hits it, so a callsite first reached by a concurrently
    // running test would be cached as disabled. A second live dispatcher makes it consult every
    // registered dispatcher instead.
    let _second = tracing::Dispatch::new(Capture::default());
    let _guard = tracing::dispatcher::set_default(&dispatch);

    let throttle = Reply::json(
        429,
        r#"{"RequestId":"THROTTLED-1","Code":"Throttling.User","Message":"no"}"#,
    );
    let server = server(vec![throttle.clone(), Reply::ok(), throttle, Reply::ok()]).await;
    for algorithm in [
        SignatureAlgorithm::HmacSha1,
        SignatureAlgorithm::Acs3HmacSha256,
    ] {
        let config = config_for(&server.url(), algorithm, true).with_retry(fast_retry());
        client(&DBS, &config)
            .call(TokenOp::new("p"))
            .await
            .expect("second attempt succeeds");
    }
    let lines = lines.lock().unwrap().clone();
    let log = lines.join("\n");
    // OpenTelemetry's names: the RPC, cloud and HTTP conventions.
    for expected in [
        "span acs_call otel.name=dbs/StartBackupPlan otel.kind=\"client\" rpc.system=\"alibaba_cloud\" rpc.service=\"dbs\" rpc.method=\"StartBackupPlan\" cloud.provider=\"alibaba_cloud\" cloud.region=\"cn-hangzhou\" acs.api_version=\"2019-03-06\"",
        "record server.address=\"127.0.0.1\"",
        "span acs_attempt http.request.method=\"POST\" http.request.resend_count=0",
        "span acs_attempt http.request.method=\"POST\" http.request.resend_count=1",
        "record http.response.status_code=429",
        "record acs.request_id=\"THROTTLED-1\"",
        "record error.type=\"Throttling.User\"",
        "record http.response.status_code=200",
        "record acs.request_id=\"OK-REQUEST\"",
    ] {
        assert!(log.contains(expected), "missing `{expected}`:\n{log}");
    }
    assert!(log.contains("retrying"), "{log}");

    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    let mut secrets = vec![
        STS_SECRET.to_owned(),
        "CAISstsTokenExample".to_owned(),
        "Signature=".to_owned(),
    ];
    for request in &requests {
        secrets.push(request.verdict.signature().expect("verified").to_owned());
    }
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "the log shows {secret}: {log}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Interoperability

/// Against the official SDK's verify server (`shared/tools/official-sdk/verify_server.py`, which
/// recomputes signatures with the SDK's own functions) when `ACS_VERIFY_SERVER_URL` names one,
/// e.g. `http://127.0.0.1:PORT`; a no-op otherwise.
#[tokio::test]
async fn official_sdk_verify_server_accepts_our_requests() {
    let Ok(url) = std::env::var("ACS_VERIFY_SERVER_URL") else {
        eprintln!("ACS_VERIFY_SERVER_URL is not set; nothing to check");
        return;
    };
    for algorithm in SignatureAlgorithm::ALL {
        for sts_credentials in [false, true] {
            let credentials = if sts_credentials {
                Credentials::with_security_token(AK_ID, AK_SECRET, STS_TOKEN)
            } else {
                Credentials::new(AK_ID, AK_SECRET)
            };
            let config = Config::new("cn-hangzhou")
                .with_endpoint(url.as_str())
                .with_signature(algorithm)
                .with_credentials(credentials)
                .with_retry(RetryConfig::disabled());
            for with_form in [false, true] {
                let mut operation = TokenOp::new("plan with spaces*~/+=&数");
                operation.extra_query = AWKWARD
                    .iter()
                    .enumerate()
                    .map(|(i, value)| (format!("Q{i}"), value.to_string()))
                    .collect();
                if with_form {
                    operation.form = AWKWARD
                        .iter()
                        .enumerate()
                        .map(|(i, value)| (format!("F{i}"), value.to_string()))
                        .collect();
                }
                let output = client(&DBS, &config)
                    .call(operation)
                    .await
                    .unwrap_or_else(|error| {
                        panic!("{algorithm}, sts {sts_credentials}, form {with_form}: {error}")
                    });
                assert!(output.request_id.is_some());
            }
        }
    }
}

/// A server whose certificate no trust store vouches for: refused as a TLS error, once (a
/// certificate does not get better on the second try), even for a read-only operation.
#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error_and_is_not_retried() {
    use rustls_pki_types::pem::PemObject as _;
    let certificate = rustls_pki_types::CertificateDer::from_pem_slice(include_bytes!(
        "../fixtures/tls/self-signed.crt"
    ))
    .expect("certificate");
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(include_bytes!(
        "../fixtures/tls/self-signed.key"
    ))
    .expect("key");
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocols")
    .with_no_client_auth()
    .with_single_cert(vec![certificate], key)
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    for safety in [Idempotency::ReadOnly, Idempotency::Token] {
        accepted.store(0, Ordering::SeqCst);
        let config = config_for(
            &format!("https://localhost:{port}"),
            SignatureAlgorithm::Acs3HmacSha256,
            false,
        );
        let client = client(&DBS, &config);
        let result = match safety {
            Idempotency::Token => client.call(TokenOp::new("p")).await,
            _ => client.call(ReadOnlyOp::new("p")).await,
        };
        let error = transport_error(result);
        assert_eq!(error.kind, TransportErrorKind::Tls, "{error}");
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1,
            "{safety:?}: one handshake"
        );
    }
}

/// A 5xx that asks the client to wait may still have run the operation: a write without a
/// token is not sent again; with a token it is (the service runs it at most once).
#[tokio::test]
async fn a_server_error_with_retry_after_is_not_retried_for_unsafe_operations() {
    let busy = || {
        Reply::json_with_header(
            503,
            r#"{"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R"}"#,
            "x-acs-retry-after",
            "1",
        )
    };
    let unsafe_server = server(vec![busy(), Reply::ok()]).await;
    let config = config_for(
        &unsafe_server.url(),
        SignatureAlgorithm::Acs3HmacSha256,
        false,
    );
    let error = service_error(client(&DBS, &config).call(UnsafeOp::new("p")).await);
    assert_eq!(error.http_status, 503);
    assert!(!error.is_throttling());
    assert_eq!(unsafe_server.requests().len(), 1);

    let token_server = server(vec![busy(), Reply::ok()]).await;
    let config = config_for(
        &token_server.url(),
        SignatureAlgorithm::Acs3HmacSha256,
        false,
    );
    client(&DBS, &config)
        .call(TokenOp::new("p"))
        .await
        .expect("retried, then answered");
    assert_eq!(token_server.requests().len(), 2);
}

/// Seconds since the Unix epoch, now.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `seconds` as an HTTP `Date` (`Tue, 01 Dec 2026 15:38:57 GMT`).
fn http_date(seconds: u64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(seconds as i64).unwrap();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &at.weekday().to_string()[..3],
        at.day(),
        &at.month().to_string()[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A service whose clock is 20 minutes ahead refuses our timestamps and says its time in
/// `Date`: the client corrects its clock, sends again once, and keeps the correction.
#[tokio::test]
async fn a_refused_timestamp_with_the_services_date_corrects_the_clock() {
    const AHEAD: u64 = 20 * 60;
    let now = || unix_now() + AHEAD;
    let server = TestServer::start_with(move |request| {
        let sent = request.header("x-acs-date").unwrap_or_default().to_owned();
        let earliest = acs_runtime::sign::format_timestamp(now() - 900);
        let latest = acs_runtime::sign::format_timestamp(now() + 900);
        if earliest.as_str() <= sent.as_str() && sent.as_str() <= latest.as_str() {
            Reply::ok()
        } else {
            Reply::json_with_header(
                400,
                r#"{"Code": "InvalidTimeStamp.Expired", "Message": "Specified time stamp or date value is expired.", "RequestId": "R"}"#,
                "date",
                &http_date(now()),
            )
        }
    })
    .await;
    server.accept_key(AK_ID, AK_SECRET, None);
    // No retries configured: the correction is not one of them.
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_retry(RetryConfig::disabled());
    let client = client(&DBS, &config);
    client
        .call(UnsafeOp::new("p"))
        .await
        .expect("corrected, then answered");
    assert_eq!(server.requests().len(), 2);
    client
        .call(UnsafeOp::new("p"))
        .await
        .expect("the correction is kept");
    assert_eq!(server.requests().len(), 3);
}

/// A refused timestamp from a service whose `Date` agrees with ours: correcting would change
/// nothing, so the refusal is the answer and a write is not sent again.
#[tokio::test]
async fn a_refused_timestamp_from_a_service_agreeing_on_the_time_is_not_sent_again() {
    let server = TestServer::start_with(|_| {
        Reply::json_with_header(
            400,
            r#"{"Code": "InvalidTimeStamp.Expired", "Message": "expired", "RequestId": "R"}"#,
            "date",
            &http_date(unix_now()),
        )
    })
    .await;
    server.accept_key(AK_ID, AK_SECRET, None);
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_retry(RetryConfig::disabled());
    let error = client(&DBS, &config)
        .call(UnsafeOp::new("p"))
        .await
        .expect_err("refused");
    let SdkError::Service(refusal) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(refusal.0.code, "InvalidTimeStamp.Expired");
    assert_eq!(server.requests().len(), 1);
}

/// Hands over one answer from memory, once: no network between the call and its decoding.
#[derive(Debug)]
struct InMemory(std::sync::Mutex<Option<HttpResponse>>);

impl Transport for InMemory {
    fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let answer = self.0.lock().unwrap().take().expect("one request");
        Box::pin(async move { Ok(answer) })
    }
}

/// A large answer that takes longer to read than the budget leaves: the call ends with a
/// timeout when the budget runs out, not when reading is done.
#[tokio::test]
async fn decoding_a_large_answer_stays_inside_the_time_budget() {
    // Tiny values, checked one by one. The budget is a tenth of what one check of the body
    // takes on this machine, measured first; a reader that does not watch the clock reads the
    // whole body at least once, so the tenfold margin absorbs a machine slowing down between
    // the measurement and the call. The body comes from memory, so the budget is spent reading.
    let mut body = String::from(r#"{"RequestId":"BIG","Items":["#);
    body.push_str(&"0,".repeat(30 * 1024 * 1024));
    body.push_str("0]}");
    let reading = std::time::Instant::now();
    json::validate(body.as_bytes()).expect("valid JSON");
    let read_time = reading.elapsed();
    assert!(
        read_time > Duration::from_millis(100),
        "the body is checked in {read_time:?}: too fast to tell a watched clock from an unwatched one"
    );
    let budget = read_time / 10;
    let answer = HttpResponse::new(200, Vec::<(String, String)>::new(), body.into_bytes());
    let config = Config::new("cn-hangzhou")
        .with_endpoint("https://dbs.example.com")
        .with_credentials(Credentials::new(AK_ID, AK_SECRET))
        .with_transport(Arc::new(InMemory(std::sync::Mutex::new(Some(answer)))))
        .with_timeouts(Timeouts::DEFAULT.with_total(budget));
    let started = std::time::Instant::now();
    let error = client(&DBS, &config)
        .call(ReadOnlyOp::new("p"))
        .await
        .expect_err("the budget runs out");
    let elapsed = started.elapsed();
    match &error {
        SdkError::Transport(transport) => {
            assert_eq!(transport.kind, TransportErrorKind::Timeout);
            assert!(
                transport.message.contains("reading the answer")
                    || transport.message.contains("decoding"),
                "{}",
                transport.message
            );
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        elapsed < read_time,
        "took {elapsed:?} with a budget of {budget:?}; one read of the body took {read_time:?}"
    );
}

/// "No limit" written as the largest duration: the call goes through instead of overflowing
/// the clock, for the client's limits and one call's.
#[tokio::test]
async fn the_largest_time_limits_mean_no_limit() {
    let server = server(vec![Reply::ok(), Reply::ok()]).await;
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_timeouts(
            Timeouts::DEFAULT
                .with_total(Duration::MAX)
                .with_attempt(Duration::MAX),
        );
    let client = client(&DBS, &config);
    client.call(ReadOnlyOp::new("p")).await.expect("answered");
    client
        .customized(|call| {
            call.total_timeout(Duration::MAX)
                .attempt_timeout(Duration::MAX)
        })
        .call(ReadOnlyOp::new("p"))
        .await
        .expect("answered");
    assert_eq!(server.requests().len(), 2);
}

/// An ROA operation sending object data (a `binary` body) to a product whose signature covers
/// the body.
struct UploadNodeData(acs_runtime::ObjectBody);

impl Operation for UploadNodeData {
    type Output = RoaOutput;
    type Error = OpError;

    const INFO: &'static OperationInfo = &OperationInfo {
        action: "UploadNodeData",
        method: Method::Put,
        path: "/nodes/data",
        idempotency: Idempotency::Unsafe,
        body: BodyKind::Json,
        auth: Auth::Signed,
    };

    fn write_params(&self, params: &mut RequestParams) {
        params.set_object_body(&Some(self.0.clone()));
    }
}

/// Outside OSS the body's hash is signed: bytes go out signed; data read as it is sent cannot
/// be hashed first, so such a call fails before sending instead of going out signed for an
/// empty body.
#[tokio::test]
async fn object_data_read_as_it_goes_is_refused_where_the_body_is_signed() {
    let server = server(vec![Reply::json(200, r#"{"requestId": "R"}"#)]).await;
    server.accept_key(AK_ID, AK_SECRET, None);
    let config = config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false);
    let client = client(&CS, &config);
    let reader: &'static [u8] = b"payload";
    let error = client
        .call(UploadNodeData(acs_runtime::ObjectBody::from_reader(
            reader,
            Some(7),
        )))
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, SdkError::Build(BuildError::UnsignableBody { operation }) if operation == "UploadNodeData"),
        "{error:?}"
    );
    assert!(server.requests().is_empty());
    client
        .call(UploadNodeData(acs_runtime::ObjectBody::from(
            b"payload".to_vec(),
        )))
        .await
        .expect("bytes are signed and sent");
    let requests = server.requests();
    assert_verified(&requests);
    assert_eq!(requests[0].body, b"payload");
}

static OSS_LIKE: ServiceInfo = ServiceInfo {
    product: "oss",
    version: "2019-05-17",
    style: ApiStyle::Roa,
    gateway: acs_runtime::Gateway::Oss,
    endpoints: &[],
};

/// A reader is taken when the transport starts, even if it then cannot connect: the connection
/// failure is the answer (another attempt would have nothing to send, and would hide it).
#[tokio::test]
async fn a_reader_upload_that_cannot_connect_reports_the_connection() {
    let counting = Arc::new(Counting {
        inner: DefaultTransport::new(Timeouts::DEFAULT),
        sent: AtomicUsize::new(0),
    });
    let config = config_for(
        &closed_port_url(),
        SignatureAlgorithm::Acs3HmacSha256,
        false,
    )
    .with_transport(counting.clone());
    let reader: &'static [u8] = b"payload";
    let error = client(&OSS_LIKE, &config)
        .call(UploadNodeData(acs_runtime::ObjectBody::from_reader(
            reader,
            Some(7),
        )))
        .await
        .expect_err("nothing listens");
    let SdkError::Transport(transport) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(transport.kind, TransportErrorKind::Connect, "{transport}");
    assert_eq!(counting.sent.load(Ordering::SeqCst), 1, "one attempt");
}
