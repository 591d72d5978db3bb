//! Credential providers that call a service, each against a real loopback HTTP server playing
//! its part: STS (`AssumeRole` with the signature checked, anonymous `AssumeRoleWithOIDC`), an
//! ECS metadata service that requires the IMDSv2 token, and a credentials URI; with their
//! failure modes. Then the cache on a controllable clock, and the default chain's order.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::manual_clock::ManualClock;
use acs_runtime::credentials::{
    Clock, Credentials, CredentialsCache, CredentialsError, CredentialsUriProvider, DefaultChain,
    EcsRamRoleProvider, MAX_FETCH_TIME, MAX_RETRY_WAIT, OidcRoleProvider, ProvideCredentials,
    RamRoleArnProvider, StsEndpoint,
};
use acs_test_server::{Recorded, Reply, TestServer, Verdict};

const SOURCE_ID: &str = "LTAIsourceKeyId";
const SOURCE_SECRET: &str = "sourceKeySecret";
const ROLE_ID: &str = "STS.roleKeyId";
const ROLE_SECRET: &str = "roleKeySecret";
const ROLE_TOKEN: &str = "roleSecurityToken+/=";
const ROLE_ARN: &str = "acs:ram::123456789012:role/test-role";
const OIDC_PROVIDER: &str = "acs:ram::123456789012:oidc-provider/ack-rrsa";

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn expiration(at: SystemTime) -> String {
    acs_runtime::sign::format_timestamp(at.duration_since(UNIX_EPOCH).unwrap().as_secs())
}

/// STS's answer carrying the role's credentials, valid until `expiry`.
fn sts_answer(expiry: SystemTime) -> Reply {
    Reply::json(
        200,
        &serde_json::json!({
            "RequestId": "STS-REQUEST",
            "AssumedRoleUser": {"Arn": ROLE_ARN, "AssumedRoleId": "1:test"},
            "Credentials": {
                "AccessKeyId": ROLE_ID,
                "AccessKeySecret": ROLE_SECRET,
                "SecurityToken": ROLE_TOKEN,
                "Expiration": expiration(expiry),
            }
        })
        .to_string(),
    )
}

/// The metadata service's (and a credentials URI's) answer.
fn credentials_document(expiry: SystemTime, code: Option<&str>) -> String {
    let mut document = serde_json::json!({
        "AccessKeyId": ROLE_ID,
        "AccessKeySecret": ROLE_SECRET,
        "SecurityToken": ROLE_TOKEN,
        "Expiration": expiration(expiry),
        "LastUpdated": expiration(UNIX_EPOCH),
    });
    if let Some(code) = code {
        document["Code"] = code.into();
    }
    document.to_string()
}

fn in_an_hour() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// An STS server accepting the source key and answering `AssumeRole`.
async fn sts_server() -> TestServer {
    let server = TestServer::start_with(|_| sts_answer(in_an_hour())).await;
    server.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    server
}

fn role_provider(server: &TestServer) -> RamRoleArnProvider {
    RamRoleArnProvider::new(Credentials::new(SOURCE_ID, SOURCE_SECRET), ROLE_ARN)
        .with_endpoint(StsEndpoint::url(server.url()))
}

fn form(request: &Recorded) -> HashMap<String, String> {
    request.form().into_iter().collect()
}

// --- RAM role ARN (AssumeRole) ------------------------------------------------------------------

#[tokio::test]
async fn assume_role_is_signed_with_the_source_credentials() {
    let server = sts_server().await;
    let provider = role_provider(&server)
        .with_session_name("my-session")
        .with_policy(r#"{"Statement":[]}"#)
        .with_external_id("ext-1")
        .with_duration_seconds(1800)
        .unwrap();
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(
        (
            credentials.access_key_id(),
            credentials.access_key_secret(),
            credentials.security_token()
        ),
        (ROLE_ID, ROLE_SECRET, Some(ROLE_TOKEN))
    );
    assert_eq!(credentials.provider_name(), "ram_role_arn/static_ak");
    let expiry = credentials.expiry().expect("STS credentials expire");
    assert!(expiry > SystemTime::now() + Duration::from_secs(3500));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(
        matches!(request.verdict, Verdict::V1 { .. }),
        "HMAC-SHA1, as the official libraries sign STS: {:?}",
        request.verdict
    );
    assert_eq!(request.method, "POST");
    assert_eq!(request.param("Action"), Some("AssumeRole"));
    assert_eq!(request.param("Version"), Some("2015-04-01"));
    assert_eq!(request.param("AccessKeyId"), Some(SOURCE_ID));
    let form = form(request);
    assert_eq!(form["RoleArn"], ROLE_ARN);
    assert_eq!(form["RoleSessionName"], "my-session");
    assert_eq!(form["DurationSeconds"], "1800");
    assert_eq!(form["Policy"], r#"{"Statement":[]}"#);
    assert_eq!(form["ExternalId"], "ext-1");
}

#[tokio::test]
async fn assume_role_defaults_and_environment() {
    let server = sts_server().await;
    let provider = RamRoleArnProvider::from_env(
        Credentials::new(SOURCE_ID, SOURCE_SECRET),
        env(&[("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN)]),
    )
    .unwrap()
    .with_endpoint(StsEndpoint::url(server.url()));
    provider.provide_credentials().await.unwrap();
    let form = form(&server.requests()[0]);
    assert_eq!(form["DurationSeconds"], "3600");
    assert!(form["RoleSessionName"].starts_with("acs-rust-"));
    assert!(!form.contains_key("Policy") && !form.contains_key("ExternalId"));

    let short = role_provider(&server).with_duration_seconds(899).err();
    assert!(
        short.unwrap().to_string().contains("at least 900 s"),
        "STS's minimum session is refused where it is configured"
    );
}

#[tokio::test]
async fn assume_role_failures() {
    // STS refuses, with what would steer a terminal or forge a log line.
    let server = TestServer::start_with(|_| {
        Reply::json(
            403,
            r#"{"Code":"NoPermission\u001b[2J","Message":"You are not authorized\r\nFAKE LOG LINE","RequestId":"R"}"#,
        )
    })
    .await;
    server.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    let err = role_provider(&server)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(matches!(err, CredentialsError::Service { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("NoPermission"), "{shown}");
    assert!(
        !shown.contains(['\u{1b}', '\r', '\n']) && shown.contains("\\u{1b}"),
        "{shown:?}"
    );

    // STS answers without credentials.
    let server = TestServer::start_with(|_| Reply::json(200, r#"{"RequestId":"R"}"#)).await;
    server.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    let err = role_provider(&server)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no `Credentials`"), "{err}");

    // STS answers credentials with an unreadable expiry.
    let server = TestServer::start_with(|_| {
        Reply::json(
            200,
            r#"{"Credentials":{"AccessKeyId":"a","AccessKeySecret":"SENTINEL","SecurityToken":"t","Expiration":"soon"}}"#,
        )
    })
    .await;
    server.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    let err = role_provider(&server)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`Expiration`"), "{err}");
    assert!(!format!("{err} {err:?}").contains("SENTINEL"));

    // STS is down.
    let provider = RamRoleArnProvider::new(Credentials::new(SOURCE_ID, SOURCE_SECRET), ROLE_ARN)
        .with_endpoint(StsEndpoint::url(closed_port_url()));
    let err = provider.provide_credentials().await.unwrap_err();
    assert!(
        matches!(err, CredentialsError::Unreachable { .. }),
        "{err:?}"
    );
}

// --- OIDC (AssumeRoleWithOIDC) ------------------------------------------------------------------

struct TokenFile(std::path::PathBuf);

impl TokenFile {
    fn new(name: &str, token: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "acs-oidc-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&path, token).unwrap();
        TokenFile(path)
    }

    fn rotate(&self, token: &str) {
        std::fs::write(&self.0, token).unwrap();
    }
}

impl Drop for TokenFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn oidc_is_anonymous_and_rereads_the_rotating_token() {
    let server = TestServer::start_with(|_| sts_answer(in_an_hour())).await;
    server.accept_unsigned();
    let token = TokenFile::new("rotate", "first.oidc.token");
    let provider = OidcRoleProvider::from_env(env(&[
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.0.to_str().unwrap()),
        ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "pod-session"),
    ]))
    .unwrap()
    .with_endpoint(StsEndpoint::url(server.url()));
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), ROLE_ID);
    assert_eq!(credentials.provider_name(), "oidc_role_arn");
    token.rotate("second.oidc.token");
    provider.provide_credentials().await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for (request, expected_token) in requests
        .iter()
        .zip(["first.oidc.token", "second.oidc.token"])
    {
        assert_eq!(request.verdict, Verdict::Unsigned);
        assert_eq!(request.header("authorization"), None);
        assert_eq!(request.param("AccessKeyId"), None);
        assert_eq!(request.param("Action"), Some("AssumeRoleWithOIDC"));
        let form = form(request);
        assert_eq!(form["OIDCToken"], expected_token);
        assert_eq!(form["OIDCProviderArn"], OIDC_PROVIDER);
        assert_eq!(form["RoleArn"], ROLE_ARN);
        assert_eq!(form["RoleSessionName"], "pod-session");
        assert_eq!(form["DurationSeconds"], "3600");
    }
}

#[tokio::test]
async fn oidc_failures_never_show_the_token() {
    let token = TokenFile::new("secret", "SENTINEL-OIDC-TOKEN");
    let echoing = TestServer::start_with(|request| {
        let token = request
            .form()
            .into_iter()
            .find(|(k, _)| k == "OIDCToken")
            .map(|(_, v)| v)
            .unwrap_or_default();
        Reply::json(
            400,
            &serde_json::json!({"Code": "AuthenticationFail.OIDCToken.Invalid", "Message": format!("token {token} is invalid")}).to_string(),
        )
    })
    .await;
    echoing.accept_unsigned();
    let provider = OidcRoleProvider::new(ROLE_ARN, OIDC_PROVIDER, &token.0)
        .with_endpoint(StsEndpoint::url(echoing.url()));
    let err = provider.provide_credentials().await.unwrap_err();
    let shown = format!("{err} {err:?} {provider:?}");
    assert!(
        shown.contains("AuthenticationFail.OIDCToken.Invalid"),
        "{shown}"
    );
    assert!(!shown.contains("SENTINEL-OIDC-TOKEN"), "{shown}");

    let missing = OidcRoleProvider::from_env(env(&[("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN)]));
    assert_eq!(
        missing.err().unwrap().to_string(),
        "environment: ALIBABA_CLOUD_OIDC_PROVIDER_ARN is not set"
    );
}

// --- ECS RAM role (instance metadata service) -----------------------------------------------------

const IMDS_TOKEN: &str = "imds-session-token";

/// A metadata service: IMDSv2 only when `v2_only`; lists `role`; counts the requests.
async fn metadata_server(v2_only: bool, answer: String) -> TestServer {
    let server = TestServer::start_with(move |request| {
        let tokened = request.header("x-aliyun-ecs-metadata-token") == Some(IMDS_TOKEN);
        match (request.method.as_str(), request.path.as_str()) {
            ("PUT", "/latest/api/token") => {
                if request.header("x-aliyun-ecs-metadata-token-ttl-seconds") == Some("21600") {
                    Reply::text(200, IMDS_TOKEN)
                } else {
                    Reply::text(400, "missing ttl")
                }
            }
            _ if v2_only && !tokened => Reply::text(401, "token required"),
            ("GET", "/latest/meta-data/ram/security-credentials/") => Reply::text(200, "EcsRole\n"),
            ("GET", "/latest/meta-data/ram/security-credentials/EcsRole") => {
                Reply::json(200, &answer)
            }
            _ => Reply::text(404, "not found"),
        }
    })
    .await;
    server.accept_unsigned();
    server
}

#[tokio::test]
async fn ecs_role_is_discovered_and_read_with_the_imdsv2_token() {
    let server = metadata_server(true, credentials_document(in_an_hour(), Some("Success"))).await;
    let provider = EcsRamRoleProvider::from_lookup(env(&[])).with_endpoint(server.url());
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(
        (credentials.access_key_id(), credentials.security_token()),
        (ROLE_ID, Some(ROLE_TOKEN))
    );
    assert_eq!(credentials.provider_name(), "ecs_ram_role");
    let paths: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        paths,
        [
            ("PUT".into(), "/latest/api/token".into()),
            (
                "GET".into(),
                "/latest/meta-data/ram/security-credentials/".into()
            ),
            (
                "GET".into(),
                "/latest/meta-data/ram/security-credentials/EcsRole".into()
            ),
        ]
    );

    // A configured role is not discovered.
    let server = metadata_server(true, credentials_document(in_an_hour(), Some("Success"))).await;
    EcsRamRoleProvider::from_lookup(env(&[("ALIBABA_CLOUD_ECS_METADATA", "EcsRole")]))
        .with_endpoint(server.url())
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn ecs_falls_back_to_imdsv1_unless_forbidden() {
    // A service without IMDSv2: no token, plain reads.
    let answer = credentials_document(in_an_hour(), Some("Success"));
    let v1 = TestServer::start_with(move |request| match request.method.as_str() {
        "PUT" => Reply::text(404, "no such thing"),
        _ if request.path.ends_with("/EcsRole") => Reply::json(200, &answer),
        _ => Reply::text(200, "EcsRole"),
    })
    .await;
    v1.accept_unsigned();
    let provider = EcsRamRoleProvider::from_lookup(env(&[])).with_endpoint(v1.url());
    assert_eq!(
        provider
            .provide_credentials()
            .await
            .unwrap()
            .access_key_id(),
        ROLE_ID
    );
    assert!(
        v1.requests()
            .iter()
            .all(|r| r.header("x-aliyun-ecs-metadata-token").is_none())
    );
    let err = EcsRamRoleProvider::from_lookup(env(&[("ALIBABA_CLOUD_IMDSV1_DISABLED", "TRUE")]))
        .with_endpoint(v1.url())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("forbids IMDSv1"), "{err}");
}

#[tokio::test]
async fn ecs_failures() {
    let failed = metadata_server(true, credentials_document(in_an_hour(), Some("Failed"))).await;
    let err = EcsRamRoleProvider::from_lookup(env(&[]))
        .with_endpoint(failed.url())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`Code` is `Failed`"), "{err}");

    let malformed = metadata_server(true, "{not json".into()).await;
    let err = EcsRamRoleProvider::from_lookup(env(&[]))
        .with_endpoint(malformed.url())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");

    let err = EcsRamRoleProvider::from_lookup(env(&[]))
        .with_endpoint(closed_port_url())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        matches!(err, CredentialsError::Unreachable { .. }),
        "{err:?}"
    );

    let err =
        EcsRamRoleProvider::from_lookup(env(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]))
            .provide_credentials()
            .await
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ECS RAM role: disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED"
    );
}

// --- Credentials URI ---------------------------------------------------------------------------

#[tokio::test]
async fn credentials_uri_answers_and_failures() {
    let document = credentials_document(in_an_hour(), None);
    let server = TestServer::start_with(move |_| Reply::json(200, &document)).await;
    server.accept_unsigned();
    let provider = CredentialsUriProvider::from_env(env(&[(
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        &format!("{}/credentials?secret=SENTINEL", server.url()),
    )]))
    .unwrap();
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), ROLE_ID);
    assert_eq!(credentials.provider_name(), "credential_uri");
    assert!(!format!("{provider:?}").contains("SENTINEL"));

    let failed = credentials_document(in_an_hour(), Some("Failed"));
    let server = TestServer::start_with(move |_| Reply::json(200, &failed)).await;
    server.accept_unsigned();
    let err = CredentialsUriProvider::new(server.url())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`Code` is not `Success`"), "{err}");

    let server = TestServer::start_with(|_| Reply::json(500, "{}")).await;
    server.accept_unsigned();
    let err = CredentialsUriProvider::new(server.url())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 500"), "{err}");

    // Expired credentials are refused by the cache rather than used.
    let expired = credentials_document(SystemTime::now() - Duration::from_secs(60), None);
    let server = TestServer::start_with(move |_| Reply::json(200, &expired)).await;
    server.accept_unsigned();
    let err = CredentialsCache::new(CredentialsUriProvider::new(server.url()))
        .get()
        .await
        .unwrap_err();
    assert!(matches!(err, CredentialsError::Expired { .. }), "{err:?}");
}

// --- The cache, on a controllable clock -----------------------------------------------------------

/// An STS server answering credentials valid for an hour from `clock`'s now, that fails while
/// `failing`.
async fn sts_for_clock(clock: Arc<ManualClock>, failing: Arc<AtomicUsize>) -> TestServer {
    let server = TestServer::start_with(move |_| {
        if failing.load(Ordering::SeqCst) > 0 {
            Reply::json(503, r#"{"Code":"ServiceUnavailable","Message":"down"}"#)
        } else {
            sts_answer(clock.now() + Duration::from_secs(3600))
        }
    })
    .await;
    server.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    server
}

#[tokio::test]
async fn credentials_are_refreshed_before_expiry_and_not_before_the_margin() {
    let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let clock = ManualClock::at(start);
    let server = sts_for_clock(clock.clone(), Arc::new(AtomicUsize::new(0))).await;
    let cache = CredentialsCache::new(role_provider(&server)).with_clock(clock.clone());
    cache.get().await.unwrap();
    assert_eq!(server.requests().len(), 1);
    // 15 minutes before expiry is the margin: just before it, nothing is fetched.
    clock.advance(Duration::from_secs(3600 - 900 - 1));
    cache.get().await.unwrap();
    assert_eq!(
        server.requests().len(),
        1,
        "not refreshed before the margin"
    );
    clock.advance(Duration::from_secs(2));
    // Inside the margin the credentials are still valid: they serve this call while the
    // refresh runs.
    cache.get().await.unwrap();
    cache.refreshed().await;
    assert_eq!(server.requests().len(), 2, "refreshed inside the margin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_calls_finding_credentials_expired_cause_one_sts_request() {
    let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let clock = ManualClock::at(start);
    let server = sts_for_clock(clock.clone(), Arc::new(AtomicUsize::new(0))).await;
    let cache = CredentialsCache::new(role_provider(&server)).with_clock(clock.clone());
    cache.get().await.unwrap();
    clock.advance(Duration::from_secs(4000));
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.get().await.map(|c| c.access_key_id().to_owned()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), ROLE_ID);
    }
    assert_eq!(server.requests().len(), 2, "one refresh for all 100 calls");
}

#[tokio::test]
async fn a_failed_refresh_keeps_valid_credentials_and_backs_off() {
    let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let clock = ManualClock::at(start);
    let failing = Arc::new(AtomicUsize::new(0));
    let server = sts_for_clock(clock.clone(), failing.clone()).await;
    let cache = CredentialsCache::new(role_provider(&server)).with_clock(clock.clone());
    cache.get().await.unwrap();
    failing.store(1, Ordering::SeqCst);
    clock.advance(Duration::from_secs(3000));
    assert_eq!(cache.get().await.unwrap().access_key_id(), ROLE_ID);
    cache.refreshed().await;
    let after_failure = server.requests().len();
    // Still valid, and inside the back-off: no new attempt.
    assert_eq!(cache.get().await.unwrap().access_key_id(), ROLE_ID);
    cache.refreshed().await;
    assert_eq!(server.requests().len(), after_failure);
    // The back-off after one failure is at most a second.
    clock.advance(Duration::from_secs(2));
    cache.get().await.unwrap();
    cache.refreshed().await;
    assert!(
        server.requests().len() > after_failure,
        "tried again after the back-off"
    );
    // Once they have expired, the failure is the answer.
    clock.advance(Duration::from_secs(700));
    assert!(cache.get().await.is_err());
}

/// A source whose first fetch never ends (a custom provider stuck on I/O), then answers.
#[derive(Debug, Default)]
struct StuckOnce {
    fetches: AtomicUsize,
}

impl ProvideCredentials for StuckOnce {
    fn provide_credentials(&self) -> acs_runtime::credentials::ProvideFuture<'_> {
        let fetch = self.fetches.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            if fetch == 0 {
                std::future::pending::<()>().await;
            }
            Ok(Credentials::new("after", "secret"))
        })
    }
}

/// A fetch that never ends is abandoned after `MAX_FETCH_TIME` as a failure, and the cache
/// fetches again after the backoff instead of waiting on it for the client's life. Tokio's
/// time is paused (it moves when everything waits), the cache's clock is moved by hand.
#[tokio::test(start_paused = true)]
async fn a_fetch_that_never_ends_is_abandoned_and_the_next_one_runs() {
    let clock = ManualClock::at(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let source = Arc::new(StuckOnce::default());
    let cache = CredentialsCache::from_arc(source.clone()).with_clock(clock.clone());
    // A caller gives up after its budget; the fetch goes on.
    let waited = tokio::time::timeout(Duration::from_secs(5), cache.get()).await;
    assert!(waited.is_err(), "{waited:?}");
    // Until the fetch is abandoned, it is the one every caller waits for.
    let error = tokio::time::timeout(2 * MAX_FETCH_TIME, cache.get())
        .await
        .expect("the fetch is abandoned")
        .unwrap_err();
    assert!(
        matches!(&error, CredentialsError::TimedOut { waited, .. } if *waited == MAX_FETCH_TIME),
        "{error:?}"
    );
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    // After the backoff, a new fetch, which answers.
    clock.advance(MAX_RETRY_WAIT);
    let credentials = cache.get().await.expect("the next fetch answers");
    assert_eq!(credentials.access_key_id(), "after");
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
}

// --- The default chain's order --------------------------------------------------------------------

/// Every source of the chain set up, each answering with its own AccessKey id.
struct Sources {
    vars: Vec<(String, String)>,
    sts: TestServer,
    metadata: TestServer,
    _token: TokenFile,
    _dir: std::path::PathBuf,
}

fn answer_with(id: &'static str) -> String {
    serde_json::json!({
        "Code": "Success", "AccessKeyId": id, "AccessKeySecret": "s", "SecurityToken": "t",
        "Expiration": expiration(in_an_hour()),
    })
    .to_string()
}

async fn every_source() -> Sources {
    let sts = TestServer::start_with(|_| {
        Reply::json(
            200,
            &serde_json::json!({"Credentials": serde_json::from_str::<serde_json::Value>(&answer_with("oidc")).unwrap()}).to_string(),
        )
    })
    .await;
    sts.accept_unsigned();
    let metadata = metadata_server(false, answer_with("ecs")).await;
    let uri = TestServer::start_with(|_| Reply::json(200, &answer_with("uri"))).await;
    uri.accept_unsigned();
    let token = TokenFile::new("chain", "chain.oidc.token");
    let dir = std::env::temp_dir().join(format!("acs-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"current":"p","profiles":[{"name":"p","mode":"AK","access_key_id":"cli","access_key_secret":"s"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[default]\ntype = access_key\naccess_key_id = file\naccess_key_secret = s\n",
    )
    .unwrap();
    let vars = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "env".to_owned()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s".to_owned()),
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN.to_owned()),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER.to_owned()),
        (
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            token.0.to_string_lossy().into_owned(),
        ),
        (
            "ALIBABA_CLOUD_CONFIG_FILE",
            dir.join("config.json").to_string_lossy().into_owned(),
        ),
        (
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            dir.join("credentials").to_string_lossy().into_owned(),
        ),
        ("ALIBABA_CLOUD_CREDENTIALS_URI", uri.url()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    // Keep the URI server alive as long as the metadata one.
    std::mem::forget(uri);
    Sources {
        vars,
        sts,
        metadata,
        _token: token,
        _dir: dir,
    }
}

impl Sources {
    fn chain(&self, without: &[&str]) -> DefaultChain {
        let vars: HashMap<String, String> = self
            .vars
            .iter()
            .filter(|(k, _)| !without.contains(&k.as_str()))
            .cloned()
            .collect();
        DefaultChain::from_lookup(move |name| vars.get(name).cloned()).with_endpoints(
            Some(StsEndpoint::url(self.sts.url())),
            Some(self.metadata.url()),
        )
    }
}

#[tokio::test]
async fn the_chain_tries_sources_in_the_official_order_and_remembers_the_winner() {
    let sources = every_source().await;
    let env_keys = ["ALIBABA_CLOUD_ACCESS_KEY_ID"];
    let oidc = ["ALIBABA_CLOUD_OIDC_TOKEN_FILE"];
    let cli = ["ALIBABA_CLOUD_CONFIG_FILE"];
    let file = ["ALIBABA_CLOUD_CREDENTIALS_FILE"];
    let mut removed: Vec<&str> = Vec::new();
    for (expected, name, next) in [
        ("env", "default/env", &env_keys[..]),
        ("oidc", "default/oidc_role_arn", &oidc[..]),
        ("cli", "default/cli_profile/static_ak", &cli[..]),
        ("file", "default/profile/static_ak", &file[..]),
        ("ecs", "default/ecs_ram_role", &[][..]),
    ] {
        let credentials = sources.chain(&removed).provide_credentials().await.unwrap();
        assert_eq!(
            (credentials.access_key_id(), credentials.provider_name()),
            (expected, name),
            "with {removed:?} unset"
        );
        removed.extend(next);
    }
    // The metadata service off, the URI is last.
    let mut vars = sources.vars.clone();
    vars.push(("ALIBABA_CLOUD_ECS_METADATA_DISABLED".into(), "true".into()));
    let vars: HashMap<String, String> = vars
        .into_iter()
        .filter(|(k, _)| !removed.contains(&k.as_str()))
        .collect();
    let chain = DefaultChain::from_lookup(move |name| vars.get(name).cloned());
    assert_eq!(
        chain.provide_credentials().await.unwrap().access_key_id(),
        "uri"
    );

    // Once a source answered, it alone is asked: the environment appearing later changes nothing.
    let chain = sources.chain(&[
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    ]);
    assert_eq!(
        chain.provide_credentials().await.unwrap().access_key_id(),
        "cli"
    );
    assert_eq!(
        chain.provide_credentials().await.unwrap().access_key_id(),
        "cli"
    );
}
