//! Secret hygiene: with sentinel values for the AccessKey secret, the STS security token and the
//! OIDC token (and the secrets credential services hand out), nothing a user can print or log
//! shows them: not `Debug` or `Display` of any public type that can hold them, not any error,
//! and not anything emitted through `tracing` (or `log`, which reqwest and rustls use) at TRACE
//! while real calls go through the loopback servers of `support`.
//!
//! Every sentinel has an alphanumeric core that survives percent-encoding (once or twice) and
//! form-encoding, and the characters around it (`+/ =&~`) make each encoding differ from the raw
//! value, so a redaction that only removes the raw form is caught too. The decimal byte list of
//! the core is checked as well: that is how `Debug` prints a `Vec<u8>` body.

use std::collections::HashMap;
use std::fmt;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::manual_clock::ManualClock;
use acs_runtime::credentials::{
    CliProfileProvider, Credentials, CredentialsCache, CredentialsError, CredentialsFileProvider,
    CredentialsUriProvider, DefaultChain, EcsRamRoleProvider, EnvironmentProvider,
    OidcRoleProvider, ProvideCredentials, RamRoleArnProvider, SecretString, StsEndpoint,
};
use acs_runtime::encoding::{form_encode, percent_encode};
use acs_runtime::json::{self, FromJson};
use acs_runtime::sign::{self, SignatureAlgorithm, V3Request};
use acs_runtime::transport::BoxFuture;
use acs_runtime::{
    ApiStyle, Client, Config, DefaultTransport, HttpRequest, HttpResponse, Idempotency, Method,
    Operation, OperationInfo, Position, RequestParams, RetryConfig, SdkError, ServiceError,
    ServiceInfo, Timeouts, Transport, TransportError,
};
use acs_test_server::{Recorded, Reply, TestServer, Verdict};

// ---------------------------------------------------------------------------------------------
// Sentinels

/// The AccessKey secret the caller holds.
const SECRET: &str = "HygAkSecret0Sentinel+/ =&~";
/// The STS security token the caller holds.
const TOKEN: &str = "HygStsToken0Sentinel+/ =&~";
/// The OIDC token in the token file.
const OIDC: &str = "HygOidcToken0Sentinel+/ =&~";
/// The secret STS, the metadata service and a credentials URI hand out.
const ISSUED_SECRET: &str = "HygIssuedSecret0Sentinel+/ =&~";
/// The token they hand out with it.
const ISSUED_TOKEN: &str = "HygIssuedToken0Sentinel+/ =&~";
/// The metadata service's IMDSv2 session token.
const IMDS_TOKEN: &str = "HygImdsToken0Sentinel";
/// A credential carried in a credentials URI's query.
const URI_CREDENTIAL: &str = "HygUriCredential0Sentinel";

const SENTINELS: [&str; 7] = [
    SECRET,
    TOKEN,
    OIDC,
    ISSUED_SECRET,
    ISSUED_TOKEN,
    IMDS_TOKEN,
    URI_CREDENTIAL,
];

const KEY_ID: &str = "LTAIhygieneKeyId";
/// The AccessKey id of the CLI profiles, whose keys have no token.
const CLI_KEY_ID: &str = "LTAIhygieneCliKeyId";
const ISSUED_ID: &str = "STS.hygieneIssuedId";
const ROLE_ARN: &str = "acs:ram::123456789012:role/hygiene";
const OIDC_PROVIDER: &str = "acs:ram::123456789012:oidc-provider/hygiene";

/// Every form in which a sentinel must not appear: raw, percent-encoded once and twice,
/// form-encoded, its core alone (which catches any other encoding) and the core's bytes as
/// `Debug` prints a byte vector.
fn forms(sentinel: &str) -> Vec<String> {
    let core: String = sentinel
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let bytes = format!("{:?}", core.as_bytes());
    vec![
        sentinel.to_owned(),
        percent_encode(sentinel),
        percent_encode(&percent_encode(sentinel)),
        form_encode(sentinel),
        bytes.trim_matches(['[', ']']).to_owned(),
        core,
    ]
}

/// The sentinel forms `text` contains.
fn leaks(text: &str) -> Vec<String> {
    SENTINELS
        .iter()
        .flat_map(|sentinel| forms(sentinel))
        .filter(|form| text.contains(form.as_str()))
        .collect()
}

/// What the test printed, by what printed it; checked all at once so one run names every leak.
#[derive(Default)]
struct Shown(Vec<(String, String)>);

impl Shown {
    fn debug(&mut self, what: &str, value: &dyn fmt::Debug) {
        self.0
            .push((format!("{what} (Debug)"), format!("{value:?}")));
        // `{:#?}` takes other code paths in hand-written `Debug` impls.
        self.0
            .push((format!("{what} (Debug, alternate)"), format!("{value:#?}")));
    }

    fn both<T: fmt::Debug + fmt::Display>(&mut self, what: &str, value: &T) {
        self.debug(what, value);
        self.0
            .push((format!("{what} (Display)"), value.to_string()));
    }

    /// An error, with its `source()` chain.
    fn error<E: std::error::Error>(&mut self, what: &str, error: &E) {
        self.both(what, error);
        let mut source = error.source();
        while let Some(next) = source {
            self.0
                .push((format!("{what} (source)"), format!("{next} / {next:?}")));
            source = next.source();
        }
    }

    fn assert_clean(&self) {
        let offenders: Vec<String> = self
            .0
            .iter()
            .filter_map(|(what, text)| {
                let found = leaks(text);
                (!found.is_empty()).then(|| format!("{what} shows {found:?}: {text}"))
            })
            .collect();
        assert!(
            offenders.is_empty(),
            "secrets shown:\n{}",
            offenders.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Capturing everything `tracing` and `log` emit

/// Every span (name and fields, also those recorded later) and every event (target, level,
/// fields), at every level, as text.
struct Capture {
    text: Arc<Mutex<String>>,
    next_id: AtomicU64,
}

/// Writes fields as `name=value`, strings unquoted so nothing is escaped away.
struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!(" {}={value}", field.name()));
    }

    fn record_error(
        &mut self,
        field: &tracing::field::Field,
        value: &(dyn std::error::Error + 'static),
    ) {
        self.0
            .push_str(&format!(" {}={value} / {value:?}", field.name()));
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Capture {
    fn push(&self, line: String) {
        let mut text = self.text.lock().unwrap_or_else(|e| e.into_inner());
        text.push_str(&line);
        text.push('\n');
    }
}

impl tracing::Subscriber for Capture {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }

    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut line = format!("span {id} {}", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.push(line);
        tracing::span::Id::from_u64(id)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = format!("record {}", span.into_u64());
        values.record(&mut Fields(&mut line));
        self.push(line);
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let metadata = event.metadata();
        let mut line = format!("event {} {}", metadata.level(), metadata.target());
        event.record(&mut Fields(&mut line));
        self.push(line);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

struct LogCapture(Arc<Mutex<String>>);

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let mut text = self.0.lock().unwrap_or_else(|e| e.into_inner());
        text.push_str(&format!(
            "log {} {} {}\n",
            record.level(),
            record.target(),
            record.args()
        ));
    }

    fn flush(&self) {}
}

/// The process-wide capture, installed by the first test to ask (tests run on several threads,
/// and tokio's workers are other threads still, so a thread-local subscriber would miss events).
fn captured() -> Arc<Mutex<String>> {
    static TEXT: OnceLock<Arc<Mutex<String>>> = OnceLock::new();
    Arc::clone(TEXT.get_or_init(|| {
        let text = Arc::new(Mutex::new(String::new()));
        tracing::subscriber::set_global_default(Capture {
            text: Arc::clone(&text),
            next_id: AtomicU64::new(1),
        })
        .expect("no other subscriber in this test binary");
        log::set_boxed_logger(Box::new(LogCapture(Arc::clone(&text))))
            .expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Trace);
        text
    }))
}

fn assert_capture_clean(text: &str) {
    let offending: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let found = leaks(line);
            (!found.is_empty()).then(|| format!("{found:?} in: {line}"))
        })
        .collect();
    assert!(
        offending.is_empty(),
        "tracing/log output shows secrets:\n{}",
        offending.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Operations, servers and helpers

static PROBE: ServiceInfo = ServiceInfo {
    product: "hygiene",
    version: "2024-01-01",
    style: ApiStyle::Rpc,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

static PROBE_ROA: ServiceInfo = ServiceInfo {
    product: "hygiene",
    version: "2024-01-01",
    style: ApiStyle::Roa,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

#[derive(Debug)]
struct Output {
    request_id: Option<String>,
    plan: Option<String>,
}

impl FromJson for Output {
    fn from_json(json: &mut json::Reader<'_>) -> json::Result<Self> {
        let mut out = Output {
            request_id: None,
            plan: None,
        };
        json.object(|member, json| match member {
            "RequestId" => json.read_into(&mut out.request_id),
            "BackupPlanId" => json.read_into(&mut out.plan),
            _ => json.skip(),
        })?;
        Ok(out)
    }
}

/// A read-only RPC operation: retried after 5xx answers and dropped connections.
struct Probe;

const PROBE_INFO: OperationInfo =
    OperationInfo::rpc("HygieneProbe", Method::Post, Idempotency::ReadOnly);

impl Operation for Probe {
    type Output = Output;
    type Error = ServiceError;
    const INFO: &'static OperationInfo = &PROBE_INFO;

    fn write_params(&self, params: &mut RequestParams) {
        params.put(Position::Query, "BackupPlanId", &"plan-1");
        params.put(Position::Body, "Note", &"form value");
    }
}

/// An ROA operation with a header whose value a caller filled with a secret and a line break.
struct HeaderProbe;

const HEADER_PROBE_INFO: OperationInfo = OperationInfo::roa(
    "HygieneHeader",
    Method::Put,
    "/hygiene",
    Idempotency::Unsafe,
);

impl Operation for HeaderProbe {
    type Output = Output;
    type Error = ServiceError;
    const INFO: &'static OperationInfo = &HEADER_PROBE_INFO;

    fn write_params(&self, params: &mut RequestParams) {
        params.put(
            Position::Header,
            "x-acs-hygiene",
            &format!("{SECRET}\nnext"),
        );
    }
}

fn caller_credentials() -> Credentials {
    Credentials::with_security_token(KEY_ID, SECRET, TOKEN)
}

fn fast_retry() -> RetryConfig {
    RetryConfig::new()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_micros(200))
        .with_max_backoff(Duration::from_millis(1))
}

/// A transport a user might write to see the wire: it logs every request, answer and failure
/// at TRACE, relying on their `Debug` and `Display` to hide what must not be logged.
#[derive(Debug)]
struct Logged(DefaultTransport);

impl Transport for Logged {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            tracing::trace!(?request, "sending");
            let answer = self.0.send(request).await;
            match &answer {
                Ok(response) => tracing::trace!(?response, "answered"),
                Err(error) => tracing::trace!(%error, ?error, "failed"),
            }
            answer
        })
    }
}

fn config(url: &str, algorithm: SignatureAlgorithm) -> Config {
    Config::new("cn-hangzhou")
        .with_endpoint(url)
        .with_signature(algorithm)
        .with_retry(fast_retry())
        .with_credentials(caller_credentials())
        .with_transport(Arc::new(Logged(DefaultTransport::new(Timeouts::DEFAULT))))
}

/// [`Logged`] giving up on a silent server after 200 ms (a transport applies its own read limit).
fn short_read_transport() -> Arc<dyn Transport> {
    let timeouts = Timeouts::DEFAULT.with_read(Duration::from_millis(200));
    Arc::new(Logged(DefaultTransport::new(timeouts)))
}

fn client(config: &Config) -> Client {
    Client::new(&PROBE, config).expect("the endpoint override resolves")
}

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    url
}

fn expiration(at: SystemTime) -> String {
    sign::format_timestamp(at.duration_since(UNIX_EPOCH).unwrap().as_secs())
}

fn in_an_hour() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

/// The credentials document every credential service answers with.
fn issued(expiry: SystemTime) -> serde_json::Value {
    serde_json::json!({
        "AccessKeyId": ISSUED_ID,
        "AccessKeySecret": ISSUED_SECRET,
        "SecurityToken": ISSUED_TOKEN,
        "Expiration": expiration(expiry),
    })
}

/// The forms in which a request carries a value, so a service can quote them back: raw (a
/// header), percent-encoded once (a query) and twice (an RPC string to sign), form-encoded.
fn sent_forms(value: &str) -> Vec<String> {
    forms(value).into_iter().take(4).collect()
}

/// What a service answers when it quotes back what it was given, as `SignatureDoesNotMatch`
/// does with its string to sign: the secrets the request carried, in every form it carried them.
fn echo(status: u16, code: &str, secrets: &[&str]) -> Reply {
    let quoted: Vec<String> = secrets
        .iter()
        .flat_map(|secret| sent_forms(secret))
        .collect();
    Reply::json(
        status,
        &serde_json::json!({
            "RequestId": "ECHO",
            "Code": code,
            "Message": format!("the server was given: {}", quoted.join(" | ")),
            "Recommend": quoted.join(" | "),
        })
        .to_string(),
    )
}

/// The API server: accepts the caller's key and the key the credential services issue.
async fn api_server(script: Vec<Reply>) -> TestServer {
    let server = TestServer::start(script).await;
    server.accept_key(KEY_ID, SECRET, Some(TOKEN));
    server.accept_key(ISSUED_ID, ISSUED_SECRET, Some(ISSUED_TOKEN));
    server
}

fn assert_verified(requests: &[Recorded]) {
    for request in requests {
        assert!(
            !matches!(request.verdict, Verdict::Rejected(_)),
            "{:?}",
            request.verdict
        );
    }
}

/// STS: `AssumeRole` signed with the caller's key, or anonymous `AssumeRoleWithOIDC`; once
/// `failing` is set, it refuses with an answer quoting the secrets it was sent.
async fn sts_server(failing: Arc<AtomicBool>) -> TestServer {
    let server = TestServer::start_with(move |request| {
        if failing.load(Ordering::SeqCst) {
            return match request.param("Action") {
                Some("AssumeRoleWithOIDC") => {
                    echo(400, "AuthenticationFail.OIDCToken.Invalid", &[OIDC])
                }
                _ => echo(400, "SignatureDoesNotMatch", &[TOKEN]),
            };
        }
        Reply::json(
            200,
            &serde_json::json!({"RequestId": "STS", "Credentials": issued(in_an_hour())})
                .to_string(),
        )
    })
    .await;
    server.accept_key(KEY_ID, SECRET, Some(TOKEN));
    server.accept_key(CLI_KEY_ID, SECRET, None);
    server.accept_unsigned();
    server
}

/// The metadata service, requiring the IMDSv2 token.
async fn metadata_server() -> TestServer {
    let server = TestServer::start_with(|request| {
        let tokened = request.header("x-aliyun-ecs-metadata-token") == Some(IMDS_TOKEN);
        match (request.method.as_str(), request.path.as_str()) {
            ("PUT", "/latest/api/token") => Reply::text(200, IMDS_TOKEN),
            _ if !tokened => Reply::text(401, "token required"),
            ("GET", "/latest/meta-data/ram/security-credentials/") => {
                Reply::text(200, "HygieneRole")
            }
            ("GET", "/latest/meta-data/ram/security-credentials/HygieneRole") => {
                let mut document = issued(in_an_hour());
                document["Code"] = "Success".into();
                Reply::json(200, &document.to_string())
            }
            _ => Reply::text(404, "not found"),
        }
    })
    .await;
    server.accept_unsigned();
    server
}

/// A credentials URI, answering the document only to requests carrying its own credential.
async fn uri_server() -> TestServer {
    let server = TestServer::start_with(|request| {
        if request.param("auth") == Some(URI_CREDENTIAL) {
            Reply::json(200, &issued(in_an_hour()).to_string())
        } else {
            Reply::text(403, "no")
        }
    })
    .await;
    server.accept_unsigned();
    server
}

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

/// A folder of files for this test, removed at the end.
struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("acs-hygiene-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::File::create(&path)
            .and_then(|mut file| file.write_all(text.as_bytes()))
            .unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// Debug and Display of every public type that can hold a secret, and of every error

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_public_type_or_error_shows_a_secret() {
    let capture = captured();
    let mut shown = Shown::default();
    let dir = Dir::new("types");
    let token_file = dir.write("oidc-token", OIDC);

    // Secrets and credentials.
    shown.both("SecretString", &SecretString::new(SECRET));
    shown.debug("Credentials (AccessKey)", &Credentials::new(KEY_ID, SECRET));
    shown.debug(
        "Credentials (STS)",
        &caller_credentials().with_expiry(in_an_hour()),
    );

    // The environment.
    let environment = EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
    ]));
    shown.debug("EnvironmentProvider", &environment);
    shown.debug(
        "EnvironmentProvider's credentials",
        &environment.provide_credentials().await.unwrap(),
    );
    let half =
        EnvironmentProvider::from_lookup(env(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)]));
    shown.error("environment error", &half.read().unwrap_err());

    // The aliyun CLI profile: every mode holding a secret, and broken files full of them.
    let failing = Arc::new(AtomicBool::new(false));
    let sts = sts_server(Arc::clone(&failing)).await;
    let cli_config = dir.write(
        "config.json",
        &serde_json::json!({
            "current": "ak",
            "profiles": [
                {"name": "ak", "mode": "AK", "access_key_id": KEY_ID, "access_key_secret": SECRET},
                {"name": "sts", "mode": "StsToken", "access_key_id": KEY_ID,
                 "access_key_secret": SECRET, "sts_token": TOKEN},
                {"name": "role", "mode": "RamRoleArn", "access_key_id": CLI_KEY_ID,
                 "access_key_secret": SECRET, "ram_role_arn": ROLE_ARN},
                {"name": "oidc", "mode": "OIDC", "ram_role_arn": ROLE_ARN,
                 "oidc_provider_arn": OIDC_PROVIDER, "oidc_token_file": token_file},
                {"name": "misplaced", "mode": "AK", "access_key_id": [SECRET],
                 "access_key_secret": {"value": SECRET}},
            ]
        })
        .to_string(),
    );
    for profile in ["ak", "sts", "misplaced", "missing"] {
        let provider = CliProfileProvider::from_lookup(env(&[]))
            .with_path(&cli_config)
            .with_profile(profile);
        shown.debug(&format!("CliProfileProvider `{profile}`"), &provider);
        match provider.provide_credentials().await {
            Ok(credentials) => shown.debug(&format!("CLI `{profile}` credentials"), &credentials),
            Err(error) => shown.error(&format!("CLI `{profile}` error"), &error),
        }
    }
    let malformed = dir.write(
        "malformed.json",
        &format!(
            "{{\"profiles\": [{{\"access_key_secret\": \"{SECRET}\" \"sts_token\": \"{TOKEN}\"}}]}}"
        ),
    );
    let error = CliProfileProvider::from_lookup(env(&[]))
        .with_path(&malformed)
        .provide_credentials()
        .await
        .unwrap_err();
    shown.error("CLI malformed-file error", &error);
    let no_region = Config::from_env_lookup(env(&[("ALIBABA_CLOUD_CONFIG_FILE", &malformed)]));
    shown.error("ConfigError", &no_region.unwrap_err());

    // The credentials file (INI).
    let ini = dir.write(
        "credentials",
        &format!(
            "[default]\ntype = access_key\naccess_key_id = {KEY_ID}\naccess_key_secret = {SECRET}\n\
             [half]\ntype = access_key\naccess_key_secret = {SECRET}\n"
        ),
    );
    for profile in ["default", "half", "missing"] {
        let provider = CredentialsFileProvider::from_lookup(env(&[]))
            .with_path(&ini)
            .with_profile(profile);
        shown.debug(&format!("CredentialsFileProvider `{profile}`"), &provider);
        match provider.provide_credentials().await {
            Ok(credentials) => shown.debug(&format!("file `{profile}` credentials"), &credentials),
            Err(error) => shown.error(&format!("file `{profile}` error"), &error),
        }
    }
    let broken_ini = dir.write(
        "broken.ini",
        &format!("[default]\naccess_key_secret = {SECRET}\n[unclosed {TOKEN}\n"),
    );
    let error = CredentialsFileProvider::from_lookup(env(&[]))
        .with_path(&broken_ini)
        .provide_credentials()
        .await
        .unwrap_err();
    shown.error("credentials-file malformed error", &error);

    // STS: AssumeRole signed with a key holding the secret and token, AssumeRoleWithOIDC with
    // the token file; then STS refusing with an answer quoting both tokens.
    let endpoint = StsEndpoint::url(sts.url());
    shown.debug("StsEndpoint", &endpoint);
    let role = RamRoleArnProvider::new(caller_credentials(), ROLE_ARN)
        .with_external_id("external")
        .with_endpoint(endpoint.clone());
    let oidc =
        OidcRoleProvider::new(ROLE_ARN, OIDC_PROVIDER, &token_file).with_endpoint(endpoint.clone());
    shown.debug("RamRoleArnProvider", &role);
    shown.debug("OidcRoleProvider", &oidc);
    shown.debug(
        "AssumeRole credentials",
        &role.provide_credentials().await.unwrap(),
    );
    shown.debug(
        "AssumeRoleWithOIDC credentials",
        &oidc.provide_credentials().await.unwrap(),
    );
    for profile in ["role", "oidc"] {
        let mut vars = HashMap::new();
        vars.insert("ALIBABA_CLOUD_CONFIG_FILE", cli_config.clone());
        vars.insert("ALIBABA_CLOUD_PROFILE", profile.to_owned());
        vars.insert("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true".to_owned());
        let chain = DefaultChain::from_lookup(move |name| vars.get(name).cloned())
            .with_endpoints(Some(endpoint.clone()), None);
        let credentials = chain.provide_credentials().await.unwrap();
        shown.debug(&format!("chain with CLI `{profile}`"), &chain);
        shown.debug(&format!("CLI `{profile}` credentials"), &credentials);
    }
    failing.store(true, Ordering::SeqCst);
    shown.error(
        "AssumeRole refused",
        &role.provide_credentials().await.unwrap_err(),
    );
    shown.error(
        "AssumeRoleWithOIDC refused",
        &oidc.provide_credentials().await.unwrap_err(),
    );
    let unreachable = StsEndpoint::url(closed_port_url());
    shown.error(
        "AssumeRole unreachable",
        &RamRoleArnProvider::new(caller_credentials(), ROLE_ARN)
            .with_endpoint(unreachable.clone())
            .provide_credentials()
            .await
            .unwrap_err(),
    );
    shown.error(
        "AssumeRoleWithOIDC unreachable",
        &OidcRoleProvider::new(ROLE_ARN, OIDC_PROVIDER, &token_file)
            .with_endpoint(unreachable)
            .provide_credentials()
            .await
            .unwrap_err(),
    );

    // The metadata service and a credentials URI.
    let metadata = metadata_server().await;
    let ecs = EcsRamRoleProvider::from_lookup(env(&[])).with_endpoint(metadata.url());
    shown.debug("EcsRamRoleProvider", &ecs);
    shown.debug("ECS credentials", &ecs.provide_credentials().await.unwrap());
    let uri = uri_server().await;
    let by_uri = CredentialsUriProvider::new(format!("{}/creds?auth={URI_CREDENTIAL}", uri.url()));
    shown.debug("CredentialsUriProvider", &by_uri);
    shown.debug(
        "URI credentials",
        &by_uri.provide_credentials().await.unwrap(),
    );
    let refused =
        CredentialsUriProvider::new(format!("{}/creds?auth=wrong-{URI_CREDENTIAL}", uri.url()));
    shown.error(
        "URI refused",
        &refused.provide_credentials().await.unwrap_err(),
    );
    let down =
        CredentialsUriProvider::new(format!("{}/creds?auth={URI_CREDENTIAL}", closed_port_url()));
    shown.error(
        "URI unreachable",
        &down.provide_credentials().await.unwrap_err(),
    );

    // The default chain: every source holding or pointing at a secret, none usable.
    let chain = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
        ("ALIBABA_CLOUD_CONFIG_FILE", &malformed),
        ("ALIBABA_CLOUD_CREDENTIALS_FILE", &broken_ini),
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        (
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            &format!("{}/?auth={URI_CREDENTIAL}", closed_port_url()),
        ),
    ]));
    shown.debug("DefaultChain (nothing usable)", &chain);
    let error = chain.provide_credentials().await.unwrap_err();
    assert!(matches!(error, CredentialsError::NoCredentials { .. }));
    shown.error("NoCredentials", &error);
    let working = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
    ]));
    shown.debug(
        "DefaultChain's credentials",
        &working.provide_credentials().await.unwrap(),
    );
    shown.debug("DefaultChain (answered)", &working);

    // The cache, empty and full.
    let cache = CredentialsCache::new(caller_credentials());
    shown.debug("CredentialsCache (empty)", &cache);
    shown.debug("cached credentials", &cache.get().await.unwrap());
    shown.debug("CredentialsCache (full)", &cache);
    shown.debug("CredentialsCache's provider", cache.provider());

    // Configuration and client, before and after a call has cached credentials.
    let server = api_server(vec![Reply::ok()]).await;
    let config = config(&server.url(), SignatureAlgorithm::HmacSha1);
    let client = client(&config);
    shown.debug("Config", &config);
    shown.debug("Client", &client);
    client.call(Probe).await.unwrap();
    shown.debug("Config (after a call)", client.config());
    shown.debug("Client (after a call)", &client);
    shown.both("ResolvedEndpoint", client.endpoint());

    // Signed requests, as a transport sees them: the token and signature in the query (V1),
    // in headers (V3). (STS requests, the OIDC token's among them, go through a transport of
    // the runtime's own; their redaction is checked through what they log and fail with.)
    let seen = Arc::new(Seen::default());
    for algorithm in SignatureAlgorithm::ALL {
        let config = config
            .clone()
            .with_signature(algorithm)
            .with_transport(seen.clone());
        let _ = self::client(&config).call(Probe).await;
    }
    for (i, request) in seen.0.lock().unwrap().iter().enumerate() {
        assert!(
            !leaks(request.url.as_str()).is_empty()
                || request.header("x-acs-security-token").is_some(),
            "request {i} carries the token, so its Debug has something to hide"
        );
        shown.debug(&format!("HttpRequest {i}"), request);
        shown.debug(
            &format!("HttpRequest {i}'s headers"),
            &request.headers.iter(),
        );
    }

    // The signing functions' own types.
    let mut params = vec![
        ("AccessKeyId".to_owned(), KEY_ID.to_owned()),
        ("Action".to_owned(), "HygieneProbe".to_owned()),
        ("SecurityToken".to_owned(), TOKEN.to_owned()),
    ];
    params.sort();
    shown.debug("V1Signature", &sign::sign_v1("POST", &params, SECRET));
    let headers = vec![
        ("host".to_owned(), "example.com".to_owned()),
        ("x-acs-security-token".to_owned(), TOKEN.to_owned()),
    ];
    let hashed = sign::hash_payload(sign::V3Hash::Sha256, b"");
    let request = V3Request {
        method: "POST",
        canonical_uri: "/",
        query: &[],
        headers: &acs_runtime::Headers::from(headers.clone()),
        hashed_payload: &hashed,
    };
    shown.debug("V3Request", &request);
    for hash in [sign::V3Hash::Sha256, sign::V3Hash::Sm3] {
        shown.debug(
            &format!("V3Signature {hash:?}"),
            &sign::sign_v3(hash, KEY_ID, SECRET, &request),
        );
    }

    // Every kind of call error, each from a real call.
    let errors = api_server(vec![
        // SignatureDoesNotMatch quoting the string to sign, and 5xx quoting it, retried.
        echo(400, "SignatureDoesNotMatch", &[TOKEN]),
        echo(503, "ServiceUnavailable", &[TOKEN]),
        echo(503, "ServiceUnavailable", &[TOKEN]),
        echo(503, "ServiceUnavailable", &[TOKEN]),
        // Success bodies that do not decode, holding secrets where the value does not fit.
        Reply::json(
            200,
            &serde_json::json!({"RequestId": "R", "BackupPlanId": [TOKEN]}).to_string(),
        ),
        Reply::text(200, &format!("not JSON: {TOKEN}")),
        Reply::json(200, &format!("{{\"RequestId\": \"R\", \"BackupPlanId\": \"{SECRET}")),
        // Error answers that are not JSON, or say `Success: false`, quoting the token.
        Reply::text(400, &format!("<html>{}</html>", sent_forms(TOKEN).join(" "))),
        Reply::json(
            200,
            &serde_json::json!({"Success": false, "ErrCode": "Bad", "ErrMessage": sent_forms(TOKEN).join(" ")})
                .to_string(),
        ),
    ])
    .await;
    let errors_config = config.clone().with_endpoint(errors.url());
    for what in [
        "SignatureDoesNotMatch",
        "5xx, retried",
        "decode: wrong type",
        "decode: not JSON",
        "decode: cut short",
        "error not JSON",
        "Success false",
    ] {
        let error = self::client(&errors_config).call(Probe).await.unwrap_err();
        shown.error(&format!("call error ({what})"), &error);
        match &error {
            SdkError::Service(service) => {
                assert!(service.message.contains("***"), "{what}: {service}");
                shown.both("ServiceError", service);
                shown.debug("ServiceError body", &service.body());
            }
            SdkError::Decode(decode) => shown.both("DecodeError", decode),
            other => panic!("{what}: {other:?}"),
        }
    }
    let build = Client::new(&PROBE_ROA, &errors_config)
        .unwrap()
        .call(HeaderProbe)
        .await
        .unwrap_err();
    assert!(matches!(build, SdkError::Build(_)), "{build:?}");
    shown.error("BuildError", &build);

    // Transport failures of a V1 request (token and signature in its URL).
    let v1 = config.clone().with_retry(RetryConfig::disabled());
    let refused = self::client(&v1.clone().with_endpoint(closed_port_url()))
        .call(Probe)
        .await
        .unwrap_err();
    shown.error("connection refused", &refused);
    let silent = api_server(vec![Reply::Hang, Reply::Close]).await;
    let silent_config = v1
        .with_endpoint(silent.url())
        .with_transport(short_read_transport());
    for what in ["read timeout", "dropped connection"] {
        let error = self::client(&silent_config).call(Probe).await.unwrap_err();
        assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
        shown.error(what, &error);
    }

    // Decoding on its own: the functions and error types a transport or a test may use.
    let wrong = HttpResponse::new(
        200,
        acs_runtime::Headers::new(),
        format!("{{\"BackupPlanId\": [\"{SECRET}\"]}}"),
    );
    let decoded =
        acs_runtime::decode::decode_response::<Output>(wrong, acs_runtime::BodyKind::Json);
    shown.debug("ResponseError", &decoded.unwrap_err());
    let syntax = json::validate(format!("{{\"a\": \"{SECRET}").as_bytes()).unwrap_err();
    shown.both("json::DecodeError (syntax)", &syntax);
    let typed = json::decode::<Output>(
        format!("{{\"BackupPlanId\": {{\"x\": \"{SECRET}\"}}}}").as_bytes(),
        None,
    );
    shown.both("json::DecodeError", &typed.unwrap_err());

    // An endpoint that cannot be resolved.
    shown.error(
        "EndpointError (unknown region)",
        &Client::new(
            &PROBE,
            &Config::new("cn-nowhere").with_credentials(caller_credentials()),
        )
        .unwrap_err(),
    );
    let override_url = format!(
        "ftp://user:{}@example.com/?token={}",
        forms(SECRET)[5],
        forms(TOKEN)[5]
    );
    shown.error(
        "EndpointError (override)",
        &Client::new(&PROBE, &config.clone().with_endpoint(override_url)).unwrap_err(),
    );

    // Responses carrying a secret, as a transport returns them.
    shown.debug(
        "HttpResponse (credentials answer)",
        &HttpResponse::new(
            200,
            acs_runtime::Headers::new(),
            issued(in_an_hour()).to_string(),
        ),
    );

    shown.assert_clean();
    assert_capture_clean(&capture.lock().unwrap());
}

/// Keeps every request it is given and answers like the service would.
#[derive(Debug, Default)]
struct Seen(Mutex<Vec<HttpRequest>>);

impl Transport for Seen {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.0.lock().unwrap().push(request);
        Box::pin(async {
            Ok(HttpResponse::new(
                200,
                acs_runtime::Headers::new(),
                r#"{"RequestId":"SEEN"}"#,
            ))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Everything `tracing` and `log` emit during real calls

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_traced_shows_a_secret() {
    let capture = captured();
    let mut shown = Shown::default();

    // Success with every signature (V1 puts the token and signature in the URL).
    let server = api_server(vec![Reply::ok(), Reply::ok(), Reply::ok()]).await;
    for algorithm in SignatureAlgorithm::ALL {
        let output = client(&config(&server.url(), algorithm))
            .call(Probe)
            .await
            .unwrap();
        assert_eq!(output.request_id.as_deref(), Some("OK-REQUEST"));
        assert_eq!(output.plan.as_deref(), Some("dbsqdss5tmabcd"));
    }
    assert_verified(&server.requests());

    // SignatureDoesNotMatch quoting the server's string to sign: this server holds another
    // secret for the key, so it computes another signature and quotes what it signed (for V1
    // the token percent-encoded twice, for V3 the `x-acs-security-token` header).
    let mismatch = TestServer::start(Vec::new()).await;
    mismatch.accept_key(KEY_ID, "another secret", Some(TOKEN));
    for algorithm in SignatureAlgorithm::ALL {
        let error = client(&config(&mismatch.url(), algorithm))
            .call(Probe)
            .await
            .unwrap_err();
        let SdkError::Service(service) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(service.code, "SignatureDoesNotMatch");
        shown.error(&format!("SignatureDoesNotMatch {algorithm:?}"), &error);
    }
    let quoted: Vec<String> = mismatch
        .requests()
        .iter()
        .map(|request| format!("{:?}", request.verdict))
        .collect();
    assert!(
        quoted.iter().all(|verdict| !leaks(verdict).is_empty()),
        "the server's answers quote the token: {quoted:?}"
    );

    // Retries: a 5xx quoting the token, a dropped connection, then success.
    let flaky = api_server(vec![
        echo(503, "ServiceUnavailable", &[TOKEN, SECRET]),
        Reply::Close,
        Reply::ok(),
    ])
    .await;
    client(&config(&flaky.url(), SignatureAlgorithm::HmacSha1))
        .call(Probe)
        .await
        .unwrap();
    assert_eq!(flaky.requests().len(), 3);

    // STS AssumeRole and AssumeRoleWithOIDC, each refreshed once, then failing to refresh while
    // the current credentials are valid (which the cache logs).
    let dir = Dir::new("trace");
    let token_file = dir.write("oidc-token", OIDC);
    let failing = Arc::new(AtomicBool::new(false));
    let sts = sts_server(Arc::clone(&failing)).await;
    let answering = TestServer::start_with(|_| Reply::ok()).await;
    answering.accept_key(ISSUED_ID, ISSUED_SECRET, Some(ISSUED_TOKEN));
    let providers: Vec<(&str, Arc<dyn ProvideCredentials>)> = vec![
        (
            "AssumeRole",
            Arc::new(
                RamRoleArnProvider::new(caller_credentials(), ROLE_ARN)
                    .with_endpoint(StsEndpoint::url(sts.url())),
            ),
        ),
        (
            "AssumeRoleWithOIDC",
            Arc::new(
                OidcRoleProvider::new(ROLE_ARN, OIDC_PROVIDER, &token_file)
                    .with_endpoint(StsEndpoint::url(sts.url())),
            ),
        ),
    ];
    for (what, provider) in providers {
        failing.store(false, Ordering::SeqCst);
        let clock = ManualClock::at(SystemTime::now());
        let mut config = config(&answering.url(), SignatureAlgorithm::HmacSha1);
        config.credentials = CredentialsCache::from_arc(provider).with_clock(clock.clone());
        let client = client(&config);
        let before = sts.requests().len();
        client.call(Probe).await.unwrap();
        // Past the refresh margin (45 minutes into an hour's credentials).
        clock.advance(Duration::from_secs(50 * 60));
        client.call(Probe).await.unwrap();
        config.credentials.refreshed().await;
        assert_eq!(sts.requests().len(), before + 2, "{what} refreshed");
        // Due again (the new credentials expire in ten minutes) but STS refuses: the call
        // goes on with the current credentials, and the failure is logged.
        failing.store(true, Ordering::SeqCst);
        clock.advance(Duration::from_secs(6 * 60));
        client.call(Probe).await.unwrap();
        config.credentials.refreshed().await;
        assert!(sts.requests().len() >= before + 3, "{what} tried again");
        shown.debug(&format!("Client after {what}"), &client);
    }

    // The metadata service, a credentials URI and the default chain, as a client's credentials.
    let metadata = metadata_server().await;
    let uri = uri_server().await;
    let sources: Vec<(&str, Config)> = vec![
        (
            "ECS",
            config(&answering.url(), SignatureAlgorithm::Acs3HmacSha256).with_credentials(
                EcsRamRoleProvider::from_lookup(env(&[])).with_endpoint(metadata.url()),
            ),
        ),
        (
            "URI",
            config(&answering.url(), SignatureAlgorithm::Acs3HmacSha256).with_credentials(
                CredentialsUriProvider::new(format!("{}/creds?auth={URI_CREDENTIAL}", uri.url())),
            ),
        ),
        (
            "chain",
            config(
                &api_server(vec![Reply::ok()]).await.url(),
                SignatureAlgorithm::HmacSha1,
            )
            .with_credentials(DefaultChain::from_lookup(env(&[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
            ]))),
        ),
    ];
    for (what, config) in sources {
        client(&config)
            .call(Probe)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    }
    assert_verified(&answering.requests());

    // Calls that fail without an answer: refused, timed out.
    let refused = config(&closed_port_url(), SignatureAlgorithm::HmacSha1);
    shown.error("refused", &client(&refused).call(Probe).await.unwrap_err());
    let hang = api_server(vec![Reply::Hang]).await;
    let hang_config = config(&hang.url(), SignatureAlgorithm::HmacSha1)
        .with_retry(RetryConfig::disabled())
        .with_transport(short_read_transport());
    shown.error(
        "timeout",
        &client(&hang_config).call(Probe).await.unwrap_err(),
    );

    shown.assert_clean();
    let text = capture.lock().unwrap().clone();
    // The capture saw the calls, their attempts, the retries and the cache's warning.
    for expected in [
        "span",
        "acs_call",
        "acs_attempt",
        "rpc.method=HygieneProbe",
        "rpc.method=AssumeRole",
        "rpc.method=AssumeRoleWithOIDC",
        "attempt failed, retrying",
        "refreshing credentials failed",
        "credentials found",
        "request=HttpRequest",
        "response=HttpResponse",
    ] {
        assert!(
            text.contains(expected),
            "nothing captured shows `{expected}`:\n{text}"
        );
    }
    assert_capture_clean(&text);
}

// ---------------------------------------------------------------------------------------------
// The mock users' tests call instead of a server

#[cfg(feature = "test-util")]
#[tokio::test]
async fn mock_types_and_answers_show_no_secret() {
    use acs_runtime::mock::{Mock, Rule};

    let capture = captured();
    let mut shown = Shown::default();
    let mock = Mock::new([
        Rule::of::<Probe>().then_http(400, sent_forms(TOKEN).join(" ")),
        Rule::of::<Probe>().then_service_error(403, "Forbidden", "no"),
    ]);
    let config = mock.config().with_credentials(caller_credentials());
    shown.debug("Mock config", &config);
    let client = Client::new(&PROBE, &config).unwrap();
    for what in ["echoing answer", "service error"] {
        let error = client.call(Probe).await.unwrap_err();
        shown.error(&format!("mock {what}"), &error);
    }
    shown.debug("Mock", &*mock);
    shown.debug("Rule", &Rule::of::<Probe>().then_http(200, "{}"));
    shown.debug("RuleBuilder", &Rule::of::<Probe>());
    for call in mock.calls() {
        shown.debug("Call", &call);
    }
    shown.assert_clean();
    assert_capture_clean(&capture.lock().unwrap());
}

/// Every way a server may echo a secret: as itself, percent-encoded in upper- or lower-case
/// hex, once or twice, form-encoded, or JSON-`\u`-escaped, character by character.
fn echoed_forms(secret: &str) -> Vec<String> {
    let upper = percent_encode(secret);
    let lower: String = {
        let mut out = String::new();
        let mut chars = upper.chars();
        while let Some(c) = chars.next() {
            out.push(c);
            if c == '%' {
                out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
            }
        }
        out
    };
    let json_escaped: String = secret
        .chars()
        .map(|c| format!("\\u{:04x}", u32::from(c)))
        .collect();
    vec![
        secret.to_owned(),
        upper.clone(),
        lower,
        percent_encode(&upper),
        form_encode(secret),
        json_escaped,
    ]
}

/// The signature a request carries: V3's in `Authorization`, V1's in the query.
fn signature_of(request: &Recorded) -> Option<String> {
    if let Some(authorization) = request.header("authorization") {
        return authorization.split("Signature=").nth(1).map(str::to_owned);
    }
    request.param("Signature").map(str::to_owned)
}

/// A server that puts what it was sent — the STS token, the AccessKey secret and the request's
/// signature, in every form above — into every string of its error answer, and the header
/// carrying the request id, with terminal escapes and line breaks for good measure.
#[tokio::test]
async fn every_string_a_server_echoes_is_scrubbed_and_escaped() {
    // Every other answer leaves the request id out of the body, so the header's is used.
    let answers = Arc::new(AtomicU64::new(0));
    let server = TestServer::start_with(move |request| {
        let with_id = answers.fetch_add(1, Ordering::SeqCst).is_multiple_of(2);
        let mut echoed: Vec<String> = echoed_forms(TOKEN);
        echoed.extend(echoed_forms(SECRET));
        if let Some(signature) = signature_of(request) {
            echoed.extend(echoed_forms(&signature));
        }
        let all = echoed.join("|");
        // The body is written by hand so the JSON escapes reach the client as they are.
        let id = if with_id {
            format!(r#", "RequestId": "{}""#, all.replace('"', ""))
        } else {
            String::new()
        };
        let body = format!(
            r#"{{"Code": "Bad.{code}\u001b[2J", "Message": "m {msg}\r\nINJECTED", "Recommend": "{rec}", "HostId": "{host}"{id}}}"#,
            code = echoed[0].replace(['"', '\\'], ""),
            msg = all.replace('"', ""),
            rec = all.replace('"', ""),
            host = all.replace('"', ""),
        );
        let mut reply = Reply::json(400, &body);
        if let Reply::Respond { headers, .. } = &mut reply {
            let header_echo: String = echoed_forms(TOKEN)
                .into_iter()
                .filter(|form| !form.contains(['\\', ' ']))
                .collect::<Vec<_>>()
                .join(",");
            headers.push(("x-acs-request-id".to_owned(), header_echo));
        }
        reply
    })
    .await;
    server.accept_key(KEY_ID, SECRET, Some(TOKEN));
    let capture = captured();
    for algorithm in SignatureAlgorithm::ALL
        .into_iter()
        .chain(SignatureAlgorithm::ALL)
    {
        let config = config(&server.url(), algorithm).with_retry(RetryConfig::disabled());
        let error = self::client(&config).call(Probe).await.unwrap_err();
        let SdkError::Service(service) = &error else {
            panic!("{algorithm}: {error:?}");
        };
        let signatures: Vec<String> = server.requests().iter().filter_map(signature_of).collect();
        let mut shown = vec![
            format!("{error}"),
            format!("{error:?}"),
            format!("{service}"),
            format!("{service:?}"),
            service.code.clone(),
            service.message.clone(),
            service.request_id.clone().unwrap_or_default(),
            service.recommend().unwrap_or_default().to_owned(),
            service.host_id().unwrap_or_default().to_owned(),
            service.body().to_owned(),
        ];
        shown.push(capture.lock().unwrap().clone());
        for text in &shown {
            for secret in [TOKEN, SECRET]
                .into_iter()
                .map(str::to_owned)
                .chain(signatures.iter().cloned())
            {
                for form in echoed_forms(&secret) {
                    assert!(
                        !text.contains(&form),
                        "{algorithm}: `{form}` (a form of a secret) is shown in:\n{text}"
                    );
                }
            }
        }
        // What a terminal would act on is escaped when shown.
        let displayed = format!("{error}");
        assert!(!displayed.contains('\u{1b}'), "{displayed:?}");
        assert!(!displayed.contains("\r\n"), "{displayed:?}");
        assert!(displayed.contains("\\u{1b}"), "{displayed:?}");
    }
}

/// A security token as long as real ones (1 KiB and more), echoed where the client cuts what
/// it keeps: the request id header (256 bytes), a message past its 4 KiB, the body past its
/// 16 KiB. What is left before each cut must not show the token's start either.
#[tokio::test]
async fn a_long_token_cut_short_shows_none_of_itself() {
    let token: String = (0..1213)
        .map(|i| char::from(b"HygLongToken0Sentinel"[i % 21]))
        .collect();
    let long_token = token.clone();
    let server = TestServer::start_with(move |_request| {
        let body = format!(
            r#"{{"Code": "Denied", "Message": "{pad}{token}", "Recommend": "{token}{pad}", "Pad": "{body_pad}{token}"}}"#,
            pad = "x".repeat(3000),
            body_pad = "y".repeat(12_000),
            token = long_token,
        );
        let mut reply = Reply::json(400, &body);
        if let Reply::Respond { headers, .. } = &mut reply {
            headers.push(("x-acs-request-id".to_owned(), long_token.clone()));
        }
        reply
    })
    .await;
    server.accept_key(KEY_ID, SECRET, Some(&token));
    let config = config(&server.url(), SignatureAlgorithm::Acs3HmacSha256)
        .with_retry(RetryConfig::disabled())
        .with_credentials(Credentials::with_security_token(KEY_ID, SECRET, &token));
    let error = self::client(&config).call(Probe).await.unwrap_err();
    let SdkError::Service(service) = &error else {
        panic!("{error:?}");
    };
    let shown = [
        format!("{error}"),
        format!("{error:?}"),
        service.message.clone(),
        service.request_id.clone().unwrap_or_default(),
        service.recommend().unwrap_or_default().to_owned(),
        service.body().to_owned(),
    ];
    // Any 8 consecutive characters of the token's start (its core repeats every 21).
    let start = &token[..8];
    for text in &shown {
        assert!(
            !text.contains(start),
            "the token's start `{start}` is shown in:\n{}",
            &text[text.len().saturating_sub(300)..]
        );
    }
    assert!(
        service.message.ends_with("***…"),
        "{}",
        &service.message[service.message.len() - 40..]
    );
}
