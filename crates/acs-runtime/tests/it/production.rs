//! Production trust: what a failing or hostile credential service, server or configuration file
//! may not do to a client — hold a call past its budget, be asked again and again, move the
//! client's clock by a year, read credentials through a proxy, overflow the stack, or fill an
//! error with thousands of names.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use acs_runtime::credentials::{
    CliProfileProvider, Credentials, CredentialsCache, CredentialsError, CredentialsFileProvider,
    CredentialsUriProvider, MAX_PROFILE_CHAIN, ProvideCredentials, RamRoleArnProvider, StsEndpoint,
};
use acs_runtime::{ApiStyle, Client, Config, RetryConfig, SdkError, ServiceInfo, Timeouts};
use acs_test_server::{Reply, TestServer};

use crate::ops::{ReadOnlyOp, UnsafeOp};
use crate::timing::Lateness;

const SOURCE_ID: &str = "LTAIproductionSource";
const SOURCE_SECRET: &str = "productionSourceSecret";
const ROLE_ID: &str = "STS.productionRole";
const ROLE_SECRET: &str = "productionRoleSecret";
const ROLE_TOKEN: &str = "productionRoleToken";

static DBS: ServiceInfo = ServiceInfo {
    product: "dbs",
    version: "2019-03-06",
    style: ApiStyle::Rpc,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

fn expiration(at: SystemTime) -> String {
    acs_runtime::sign::format_timestamp(at.duration_since(UNIX_EPOCH).unwrap().as_secs())
}

fn credentials_json() -> serde_json::Value {
    serde_json::json!({
        "AccessKeyId": ROLE_ID,
        "AccessKeySecret": ROLE_SECRET,
        "SecurityToken": ROLE_TOKEN,
        "Expiration": expiration(SystemTime::now() + Duration::from_secs(3600)),
    })
}

/// An API server accepting the role's credentials.
async fn api_server() -> TestServer {
    let server = TestServer::start_with(|_| Reply::ok()).await;
    server.accept_key(ROLE_ID, ROLE_SECRET, Some(ROLE_TOKEN));
    server
}

/// What many callers saw of a credential source that failed for a while.
struct Run {
    /// Requests the source received while it was failing.
    requests_while_failing: usize,
    /// The longest call.
    longest: Duration,
    /// Calls that succeeded after the source recovered.
    late_successes: usize,
}

/// 64 callers calling in a loop for `failing + 2 s` with a budget of `budget` each, against an
/// API server, with credentials from `credentials`, whose source fails for `failing`.
async fn many_callers(credentials: CredentialsCache, failing: Duration, budget: Duration) -> Run {
    let api = api_server().await;
    let mut config = Config::new("cn-hangzhou")
        .with_endpoint(api.url())
        .with_retry(RetryConfig::disabled())
        .with_timeouts(Timeouts::DEFAULT.with_total(budget));
    config.credentials = credentials;
    let client = Client::new(&DBS, &config).unwrap();
    let started = Instant::now();
    let stop = started + failing + Duration::from_secs(2);
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let client = client.clone();
        callers.spawn(async move {
            let mut longest = Duration::ZERO;
            let mut late_successes = 0;
            while Instant::now() < stop {
                let call = Instant::now();
                let result = client.call(ReadOnlyOp::new("p")).await;
                longest = longest.max(call.elapsed());
                if result.is_ok() && call.duration_since(started) > failing {
                    late_successes += 1;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (longest, late_successes)
        });
    }
    let mut run = Run {
        requests_while_failing: 0,
        longest: Duration::ZERO,
        late_successes: 0,
    };
    while let Some(caller) = callers.join_next().await {
        let (longest, late) = caller.unwrap();
        run.longest = run.longest.max(longest);
        run.late_successes += late;
    }
    // Without valid credentials a recovered source is asked again at the end of the current
    // back-off step, which may reach past the outage by up to the step's length.
    let give_up = started + failing + backoff_bound_after(failing) + Duration::from_secs(5);
    while run.late_successes == 0 && Instant::now() < give_up {
        if client.call(ReadOnlyOp::new("p")).await.is_ok() {
            run.late_successes += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    run
}

/// The longest back-off step that can start before `failing` has passed.
fn backoff_bound_after(failing: Duration) -> Duration {
    let mut at = Duration::ZERO;
    let mut bound = Duration::from_secs(1);
    while at < failing {
        at += bound / 2;
        bound = (bound * 2).min(Duration::from_secs(60));
    }
    bound
}

/// The most fetches a source failing for `failing` can see when each failure holds the next
/// fetch back 1 s, 2 s, 4 s … (jittered down to half of that): one per back-off step.
fn backoff_steps(failing: Duration) -> usize {
    let mut at = Duration::ZERO;
    let mut steps = 0;
    let mut bound = Duration::from_secs(1);
    while at < failing {
        steps += 1;
        at += bound / 2;
        bound = (bound * 2).min(Duration::from_secs(60));
    }
    steps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_callers_against_a_failing_sts_share_fetches_and_back_off() {
    let lateness = Lateness::start();
    let failing = Duration::from_secs(10);
    let until = Instant::now() + failing;
    let during_failure = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&during_failure);
    let sts = TestServer::start_with(move |_| {
        if Instant::now() < until {
            counted.fetch_add(1, Ordering::SeqCst);
            Reply::json(503, r#"{"Code":"ServiceUnavailable","Message":"down"}"#)
        } else {
            Reply::json(
                200,
                &serde_json::json!({"RequestId": "S", "Credentials": credentials_json()})
                    .to_string(),
            )
        }
    })
    .await;
    sts.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    let provider = RamRoleArnProvider::new(
        Credentials::new(SOURCE_ID, SOURCE_SECRET),
        "acs:ram::1:role/r",
    )
    .with_endpoint(StsEndpoint::url(sts.url()));
    let budget = Duration::from_secs(3);
    let run = many_callers(CredentialsCache::new(provider), failing, budget).await;
    let run = Run {
        requests_while_failing: during_failure.load(Ordering::SeqCst),
        ..run
    };
    let steps = backoff_steps(failing);
    println!(
        "failing STS: {} requests in {failing:?} (at most {steps} back-off steps), longest call {:?}, {} calls succeeded after",
        run.requests_while_failing, run.longest, run.late_successes
    );
    assert!(
        run.requests_while_failing <= steps,
        "{} requests to a failing STS, at most {steps} allowed",
        run.requests_while_failing
    );
    let margin = lateness.margin(Duration::from_millis(250));
    assert!(
        run.longest <= budget + margin,
        "a call took {:?}",
        run.longest
    );
    assert!(run.late_successes > 0, "the calls recover with the STS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_callers_against_a_failing_credentials_uri_share_fetches_and_back_off() {
    let lateness = Lateness::start();
    let failing = Duration::from_secs(10);
    let until = Instant::now() + failing;
    let during_failure = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&during_failure);
    let uri = TestServer::start_with(move |_| {
        if Instant::now() < until {
            counted.fetch_add(1, Ordering::SeqCst);
            Reply::json(500, "{}")
        } else {
            Reply::json(200, &credentials_json().to_string())
        }
    })
    .await;
    uri.accept_unsigned();
    let budget = Duration::from_secs(3);
    let run = many_callers(
        CredentialsCache::new(CredentialsUriProvider::new(uri.url())),
        failing,
        budget,
    )
    .await;
    let requests = during_failure.load(Ordering::SeqCst);
    let steps = backoff_steps(failing);
    println!(
        "failing credentials URI: {requests} requests in {failing:?} (at most {steps} back-off steps), longest call {:?}",
        run.longest
    );
    assert!(
        requests <= steps,
        "{requests} requests, at most {steps} allowed"
    );
    let margin = lateness.margin(Duration::from_millis(250));
    assert!(
        run.longest <= budget + margin,
        "a call took {:?}",
        run.longest
    );
    assert!(run.late_successes > 0, "the calls recover with the source");
}

/// A source that never answers: every caller's call ends at its own budget, with a timeout
/// naming the source — not after the source's own time limits, and not the k-th caller after k
/// fetches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_credentials_source_ends_every_call_at_its_budget() {
    let lateness = Lateness::start();
    let sts = TestServer::start_with(|_| Reply::Hang).await;
    sts.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    let uri = TestServer::start_with(|_| Reply::Hang).await;
    uri.accept_unsigned();
    let api = api_server().await;
    let budget = Duration::from_millis(800);
    let sources: Vec<(&str, Arc<dyn ProvideCredentials>)> = vec![
        (
            "RAM role ARN",
            Arc::new(
                RamRoleArnProvider::new(
                    Credentials::new(SOURCE_ID, SOURCE_SECRET),
                    "acs:ram::1:role/r",
                )
                .with_endpoint(StsEndpoint::url(sts.url())),
            ),
        ),
        (
            "credentials URI",
            Arc::new(CredentialsUriProvider::new(uri.url())),
        ),
    ];
    for (name, source) in sources {
        let mut config = Config::new("cn-hangzhou")
            .with_endpoint(api.url())
            .with_timeouts(Timeouts::DEFAULT.with_total(budget));
        config.credentials = CredentialsCache::from_arc(source);
        let client = Client::new(&DBS, &config).unwrap();
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let client = client.clone();
            calls.spawn(async move {
                let started = Instant::now();
                let result = client.call(UnsafeOp::new("p")).await;
                (started.elapsed(), result)
            });
        }
        while let Some(call) = calls.join_next().await {
            let (elapsed, result) = call.unwrap();
            let error = result.expect_err("no credentials in time");
            assert!(error.is_timeout(), "{name}: {error:?}");
            match &error {
                SdkError::Credentials(CredentialsError::TimedOut { provider, .. }) => {
                    assert_eq!(provider, name)
                }
                other => panic!("{name}: {other:?}"),
            }
            let margin = lateness.margin(Duration::from_millis(250));
            assert!(
                elapsed <= budget + margin,
                "{name}: a call took {elapsed:?} with a budget of {budget:?}"
            );
        }
    }
    assert_eq!(
        api.requests().len(),
        0,
        "nothing was sent without credentials"
    );
}

/// Seconds since the epoch of a request time, `YYYY-MM-DDThh:mm:ssZ`.
fn seconds_of(stamp: &str) -> i64 {
    let number = |range: std::ops::Range<usize>| stamp[range].parse::<u8>().unwrap();
    let date = time::Date::from_calendar_date(
        stamp[0..4].parse().unwrap(),
        time::Month::try_from(number(5..7)).unwrap(),
        number(8..10),
    )
    .unwrap();
    let clock = time::Time::from_hms(number(11..13), number(14..16), number(17..19)).unwrap();
    time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp()
}

/// A refused timestamp with a `Date` far away is not a correction to adopt: the call fails,
/// saying how far, and later calls sign with the local clock.
#[tokio::test]
async fn a_far_off_server_clock_is_refused_not_adopted() {
    let http_date = |at: SystemTime| {
        let seconds = at.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        let time = time::OffsetDateTime::from_unix_timestamp(seconds).unwrap();
        time.format(&time::format_description::well_known::Rfc2822)
            .unwrap()
            .replace("+0000", "GMT")
    };
    let refused = |date: String| {
        let mut reply = Reply::json(
            400,
            r#"{"Code":"InvalidTimeStamp.Expired","Message":"expired","RequestId":"T"}"#,
        );
        if let Reply::Respond { headers, .. } = &mut reply {
            headers.push(("Date".to_owned(), date));
        }
        reply
    };
    for (ahead, corrected) in [
        (Duration::from_secs(365 * 86_400), false),
        (Duration::from_secs(30 * 365 * 86_400), false),
        (Duration::from_secs(3 * 3600), true),
    ] {
        let server = TestServer::start(vec![
            refused(http_date(SystemTime::now() + ahead)),
            Reply::ok(),
            Reply::ok(),
        ])
        .await;
        server.accept_key(SOURCE_ID, SOURCE_SECRET, None);
        let config = Config::new("cn-hangzhou")
            .with_endpoint(server.url())
            .with_credentials(Credentials::new(SOURCE_ID, SOURCE_SECRET));
        let client = Client::new(&DBS, &config).unwrap();
        let first = client.call(UnsafeOp::new("p")).await;
        let _ = client.call(UnsafeOp::new("p")).await;
        let requests = server.requests();
        let sent_at = |index: usize| requests[index].header("x-acs-date").unwrap().to_owned();
        let local = expiration(SystemTime::now());
        if corrected {
            first.expect("corrected, then answered");
            let kept = seconds_of(&sent_at(2)) - seconds_of(&local);
            assert!(
                kept > 3 * 3600 - 120,
                "the correction is kept: {}",
                sent_at(2)
            );
        } else {
            let error = first.expect_err("refused");
            let service = error.as_service_error().expect("the service's error");
            let skew = service.0.clock_skew().expect("how far the clock is");
            assert!(
                skew.offset_seconds >= ahead.as_secs() as i64 - 60,
                "{skew:?}"
            );
            assert!(error.to_string().contains("ahead of"), "{error}");
            assert_eq!(requests.len(), 2, "not sent again with the far-off time");
            let drift = (seconds_of(&sent_at(1)) - seconds_of(&local)).abs();
            assert!(
                drift < 120,
                "the next call signs with our clock: {}",
                sent_at(1)
            );
        }
    }
    // Turned off, even an hour is refused.
    let server = TestServer::start(vec![refused(http_date(
        SystemTime::now() + Duration::from_secs(3600),
    ))])
    .await;
    server.accept_key(SOURCE_ID, SOURCE_SECRET, None);
    let config = Config::new("cn-hangzhou")
        .with_endpoint(server.url())
        .with_credentials(Credentials::new(SOURCE_ID, SOURCE_SECRET))
        .without_clock_correction();
    let error = Client::new(&DBS, &config)
        .unwrap()
        .call(UnsafeOp::new("p"))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("correction is off"), "{error}");
}

/// The credentials URI, with `HTTP_PROXY` pointing at a proxy that would see the credentials:
/// run in a child process of this test binary (the proxy settings are the process's
/// environment), the fetch goes straight to the URI.
#[test]
fn the_credentials_uri_is_never_fetched_through_a_proxy() {
    const CHILD: &str = "ACS_PROXY_TEST_CHILD";
    if std::env::var_os(CHILD).is_some() {
        return the_credentials_uri_is_never_fetched_through_a_proxy_child();
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (proxy, uri) = runtime.block_on(async {
        let proxy = TestServer::start_with(|_| Reply::json(200, "{}")).await;
        proxy.accept_unsigned();
        let uri =
            TestServer::start_with(|_| Reply::json(200, &credentials_json().to_string())).await;
        uri.accept_unsigned();
        (proxy, uri)
    });
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "production::the_credentials_uri_is_never_fetched_through_a_proxy",
            "--nocapture",
        ])
        .env(CHILD, uri.url())
        .env("HTTP_PROXY", proxy.url())
        .env("http_proxy", proxy.url())
        .env("ALL_PROXY", proxy.url())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .status()
        .unwrap();
    assert!(status.success(), "the child's fetch failed");
    assert_eq!(
        proxy.requests().len(),
        0,
        "the proxy saw the credentials request"
    );
    assert_eq!(uri.requests().len(), 1);
    drop(runtime);
}

fn the_credentials_uri_is_never_fetched_through_a_proxy_child() {
    let uri = std::env::var("ACS_PROXY_TEST_CHILD").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let credentials = runtime
        .block_on(CredentialsUriProvider::new(uri).provide_credentials())
        .expect("fetched directly");
    assert_eq!(credentials.access_key_id(), ROLE_ID);
}

/// A scratch directory removed when dropped.
struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("acs-production-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 2,500 `ChainableRamRoleArn` profiles, each the source of the next: an error naming the
/// limit, on a small stack, read once.
#[test]
fn a_long_profile_chain_is_refused_not_followed() {
    let dir = Dir::new("chain");
    let mut profiles = vec![serde_json::json!({
        "name": "p0", "mode": "AK", "access_key_id": SOURCE_ID, "access_key_secret": SOURCE_SECRET,
    })];
    for n in 1..2_500 {
        profiles.push(serde_json::json!({
            "name": format!("p{n}"), "mode": "ChainableRamRoleArn",
            "source_profile": format!("p{}", n - 1), "ram_role_arn": "acs:ram::1:role/r",
        }));
    }
    let path = dir.0.join("config.json");
    std::fs::write(
        &path,
        serde_json::json!({"current": "p2499", "profiles": profiles}).to_string(),
    )
    .unwrap();
    let thread = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(
                CliProfileProvider::from_lookup(|_| None)
                    .with_path(path)
                    .provide_credentials(),
            )
        })
        .unwrap();
    let error = thread.join().expect("no stack overflow").unwrap_err();
    assert!(
        matches!(error, CredentialsError::ChainTooLong { limit, .. } if limit == MAX_PROFILE_CHAIN),
        "{error:?}"
    );
    assert!(error.to_string().contains("p2499"), "{error}");
}

/// Files of tens of thousands of profiles without the one asked for: the error names twenty
/// and counts the rest, for the CLI's JSON file and the INI credentials file alike (both as
/// large as a configuration file may be, a megabyte).
#[tokio::test]
async fn a_missing_profile_names_a_bounded_number_of_others() {
    let dir = Dir::new("many");
    let profiles: Vec<serde_json::Value> = (0..25_000)
        .map(|n| serde_json::json!({"name": format!("p{n}")}))
        .collect();
    let json = dir.0.join("config.json");
    std::fs::write(&json, serde_json::json!({"profiles": profiles}).to_string()).unwrap();
    let ini = dir.0.join("credentials.ini");
    let sections: String = (0..60_000).map(|n| format!("[s{n}]\n")).collect();
    std::fs::write(&ini, sections).unwrap();
    let errors = [
        CliProfileProvider::from_lookup(|_| None)
            .with_path(&json)
            .with_profile("absent")
            .provide_credentials()
            .await
            .unwrap_err(),
        CredentialsFileProvider::from_lookup(|_| None)
            .with_path(&ini)
            .with_profile("absent")
            .provide_credentials()
            .await
            .unwrap_err(),
    ];
    for (error, more) in errors.into_iter().zip(["and 24980 more", "and 59980 more"]) {
        let text = error.to_string();
        assert!(text.len() < 1_000, "{} bytes: {text}", text.len());
        assert!(text.contains(more), "{text}");
    }
}
