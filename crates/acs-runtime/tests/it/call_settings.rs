//! Per-call settings (`Client::customized`, which every generated builder's `customize` uses)
//! and operations called by name (`Client::call_api`), against the signature-checking
//! loopback server.

use std::time::Duration;

use acs_runtime::client::ApiRequest;
use acs_runtime::credentials::Credentials;
use acs_runtime::sign::SignatureAlgorithm;
use acs_runtime::{
    ApiStyle, BuildError, CallSettings, Client, Config, Method, RetryConfig, SdkError, ServiceInfo,
    Timeouts,
};
use acs_test_server::{Reply, TestServer, Verdict};
use serde_json::json;

use crate::ops::{ReadOnlyOp, TokenOp};

const AK_ID: &str = "settingsAccessKeyId";
const AK_SECRET: &str = "settingsAccessKeySecret";

static DBS: ServiceInfo = ServiceInfo {
    product: "dbs",
    version: "2019-03-06",
    style: ApiStyle::Rpc,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

async fn server(script: Vec<Reply>) -> TestServer {
    let server = TestServer::start(script).await;
    server.accept_key(AK_ID, AK_SECRET, None);
    server
}

fn config(url: &str) -> Config {
    Config::new("cn-hangzhou")
        .with_endpoint(url)
        .with_credentials(Credentials::new(AK_ID, AK_SECRET))
        .with_retry(
            RetryConfig::new()
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
}

fn client(config: &Config) -> Client {
    Client::new(&DBS, config).expect("the endpoint resolves")
}

fn unavailable() -> Reply {
    Reply::json(503, r#"{"Code":"ServiceUnavailable","Message":"busy"}"#)
}

#[tokio::test]
async fn a_calls_total_budget_replaces_the_clients() {
    let server = server(vec![Reply::Hang]).await;
    let client = client(&config(&server.url()));
    let error = client
        .customized(|settings| settings.total_timeout(Duration::from_millis(300)))
        .call(ReadOnlyOp::new("p"))
        .await
        .expect_err("the server never answers");
    assert!(error.is_timeout(), "{error:?}");
    // The call's own budget, not the client's 60 s nor the transport's 10 s read limit.
    assert!(error.to_string().contains("300ms"), "{error}");
}

#[tokio::test]
async fn an_attempt_limit_ends_a_stalled_attempt_and_the_next_one_runs() {
    let server = server(vec![Reply::Hang, Reply::ok()]).await;
    let client = client(
        &config(&server.url()).with_timeouts(Timeouts::DEFAULT.with_total(Duration::from_secs(30))),
    );
    // Without the limit the stalled attempt would hold the call until the 10 s read limit.
    let customized = client.customized(|settings| {
        settings
            .attempt_timeout(Duration::from_millis(300))
            .total_timeout(Duration::from_secs(5))
    });
    let output = customized
        .call(ReadOnlyOp::new("p"))
        .await
        .expect("the second attempt answers");
    assert_eq!(output.request_id.as_deref(), Some("OK-REQUEST"));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_calls_retry_policy_replaces_the_clients() {
    let server = server(vec![unavailable(), unavailable(), unavailable()]).await;
    let client = client(&config(&server.url()));
    let error = client
        .customized(|settings| settings.retry(RetryConfig::disabled()))
        .call(ReadOnlyOp::new("p"))
        .await
        .expect_err("one attempt, refused");
    assert!(matches!(error, SdkError::Service(_)), "{error:?}");
    assert_eq!(server.requests().len(), 1, "not retried");
    // The client's own policy is unchanged: a read gets its three attempts.
    let _ = client.call(ReadOnlyOp::new("p")).await;
    assert_eq!(server.requests().len(), 1 + 3);
}

#[tokio::test]
async fn a_calls_endpoint_replaces_the_clients() {
    let server = server(vec![Reply::ok()]).await;
    let nowhere = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let client = client(&config(&nowhere));
    let output = client
        .customized(|settings| settings.endpoint(server.url()))
        .call(TokenOp::new("p"))
        .await
        .expect("sent to the call's endpoint");
    assert_eq!(output.request_id.as_deref(), Some("OK-REQUEST"));
    assert_eq!(server.requests().len(), 1);
    // A bad endpoint is refused before anything is sent.
    let error = client
        .customized(|settings| settings.endpoint("ftp://nope"))
        .call(TokenOp::new("p"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SdkError::Build(BuildError::Endpoint(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_calls_signature_headers_and_query_are_its_own() {
    let server = server(vec![Reply::ok(), Reply::ok(), Reply::ok()]).await;
    let client = client(&config(&server.url()));
    client
        .customized(|settings| settings.signature(SignatureAlgorithm::HmacSha1))
        .call(TokenOp::new("p"))
        .await
        .unwrap();
    let customized = client.customized(|settings| {
        settings
            .header("x-acs-trace-id", "trace-1")
            .header("X-Custom", "plain")
            .header("host", "evil.example")
            .query("Extra", "e 1")
    });
    customized.call(TokenOp::new("p")).await.unwrap();
    client.call(TokenOp::new("p")).await.unwrap();

    let requests = server.requests();
    assert!(
        matches!(requests[0].verdict, Verdict::V1 { .. }),
        "{:?}",
        requests[0].verdict
    );
    let Verdict::V3 { signed_headers, .. } = &requests[1].verdict else {
        panic!("{:?}", requests[1].verdict);
    };
    assert!(signed_headers.contains(&"x-acs-trace-id".to_owned()));
    assert!(!signed_headers.contains(&"x-custom".to_owned()));
    assert_eq!(requests[1].header("x-acs-trace-id"), Some("trace-1"));
    assert_eq!(requests[1].header("x-custom"), Some("plain"));
    assert_ne!(
        requests[1].header("host"),
        Some("evil.example"),
        "the runtime sets the host"
    );
    assert_eq!(requests[1].param("Extra"), Some("e 1"));
    // The client's own settings are unchanged.
    assert!(matches!(requests[2].verdict, Verdict::V3 { .. }));
    assert_eq!(requests[2].header("x-acs-trace-id"), None);
    assert_eq!(requests[2].param("Extra"), None);
}

#[tokio::test]
async fn settings_given_twice_build_on_each_other() {
    let server = server(vec![Reply::ok()]).await;
    let client = client(&config(&server.url()));
    client
        .customized(|settings| settings.header("x-acs-a", "1"))
        .customized(|settings: CallSettings| {
            assert_eq!(
                settings.headers.len(),
                1,
                "the first settings are the start"
            );
            settings.header("x-acs-b", "2")
        })
        .call(TokenOp::new("p"))
        .await
        .unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("x-acs-a"), Some("1"));
    assert_eq!(request.header("x-acs-b"), Some("2"));
}

#[tokio::test]
async fn an_rpc_operation_called_by_name_is_signed_sent_and_answered_as_json() {
    let answer = r#"{"RequestId":"R1","Regions":{"Region":[{"RegionId":"cn-hangzhou"}]}}"#;
    for algorithm in SignatureAlgorithm::ALL {
        let server = server(vec![Reply::json(200, answer)]).await;
        let client = Client::for_endpoint(
            &server.url(),
            &config("https://ignored.invalid").with_signature(algorithm),
        )
        .expect("an endpoint");
        let regions = client
            .call_api(
                ApiRequest::rpc("DescribeRegions")
                    .version("2014-05-26")
                    .product("ecs")
                    .query("AcceptLanguage", "en US")
                    .query("Tag", vec!["a", "b"])
                    .read_only(),
            )
            .await
            .expect("answered");
        assert_eq!(regions["Regions"]["Region"][0]["RegionId"], "cn-hangzhou");
        let request = &server.requests()[0];
        assert!(
            !matches!(request.verdict, Verdict::Rejected(_)),
            "{algorithm}: {:?}",
            request.verdict
        );
        let action = request
            .header("x-acs-action")
            .or_else(|| request.param("Action"));
        assert_eq!(action, Some("DescribeRegions"));
        let version = request
            .header("x-acs-version")
            .or_else(|| request.param("Version"));
        assert_eq!(version, Some("2014-05-26"));
        assert_eq!(request.param("AcceptLanguage"), Some("en US"));
        assert_eq!(request.param("Tag.1"), Some("a"));
        assert_eq!(request.param("Tag.2"), Some("b"));
    }
}

#[tokio::test]
async fn a_roa_operation_called_by_name_fills_its_path_and_sends_json() {
    let server = server(vec![Reply::json(200, r#"{"requestId":"R2"}"#)]).await;
    let client = Client::for_endpoint(&server.url(), &config("https://ignored.invalid")).unwrap();
    let answer = client
        .call_api(
            ApiRequest::roa("UpdateNode", Method::Put, "/clusters/{ClusterId}/nodes")
                .version("2015-12-15")
                .path_param("ClusterId", "c 1/x")
                .query("Force", true)
                .json_body(json!({"name": "pool a", "size": 3})),
        )
        .await
        .expect("answered");
    assert_eq!(answer["requestId"], "R2");
    let request = &server.requests()[0];
    assert!(
        matches!(request.verdict, Verdict::V3 { .. }),
        "{:?}",
        request.verdict
    );
    assert_eq!(request.method, "PUT");
    assert_eq!(request.path, "/clusters/c%201%2Fx/nodes");
    assert_eq!(request.param("Force"), Some("true"));
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body, json!({"name": "pool a", "size": 3}));
}

#[tokio::test]
async fn operations_called_by_name_keep_the_retry_and_error_rules() {
    let server = server(vec![
        unavailable(),
        Reply::ok(),
        unavailable(),
        Reply::json(
            400,
            r#"{"Code":"InvalidParameter","Message":"no","RequestId":"R3"}"#,
        ),
    ])
    .await;
    let client = Client::for_endpoint(&server.url(), &config("https://ignored.invalid")).unwrap();
    let read = ApiRequest::rpc("DescribeX")
        .version("2020-01-01")
        .read_only();
    client
        .call_api(read)
        .await
        .expect("a read is retried after a 503");
    // A write without a token is not repeated after a 503.
    let write = ApiRequest::rpc("CreateX").version("2020-01-01");
    let error = client.call_api(write).await.unwrap_err();
    assert_eq!(error.as_service_error().map(|e| e.http_status), Some(503));
    assert_eq!(server.requests().len(), 3);
    // A token makes it safe to repeat, and every attempt carries the same one.
    let error = client
        .call_api(
            ApiRequest::rpc("CreateX")
                .version("2020-01-01")
                .client_token("ClientToken"),
        )
        .await
        .unwrap_err();
    let service = error.as_service_error().expect("the service's error");
    assert_eq!(
        (service.code.as_str(), service.request_id.as_deref()),
        ("InvalidParameter", Some("R3"))
    );
    let missing = client
        .call_api(ApiRequest::rpc("DescribeX"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            missing,
            SdkError::Build(BuildError::MissingApiVersion { .. })
        ),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_generated_clients_version_is_the_default() {
    let server = server(vec![Reply::ok()]).await;
    let client = client(&config(&server.url()));
    client
        .call_api(ApiRequest::rpc("DescribeBackupPlanBilling").read_only())
        .await
        .expect("answered");
    assert_eq!(
        server.requests()[0].header("x-acs-version"),
        Some(DBS.version)
    );
}
