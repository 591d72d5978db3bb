//! Fault injection: a thousand logical calls against a loopback service that misbehaves in every
//! way a network and a busy service do, and the invariants that must hold whatever happens.
//!
//! The service checks every signature (see `support/`), then answers each attempt with a fault
//! drawn from the seed, the call and the attempt number, so a run is reproducible however the
//! concurrent calls interleave (`ACS_FAULT_SEED` picks another seed). Like the real service it
//! remembers idempotency tokens: a repeated `ClientToken` is not run again and gets the first
//! result. It keeps a ledger of what it started, which the assertions read.
//!
//! Worst case is assumed for a write: every fault except throttling and a parameter error is
//! taken to have happened after the service started the operation, so any repeat of a write
//! without a token shows up as a duplicate start.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::ops::{OpError, ReadOnlyOp, StartBackupPlanResponse, TokenOp, UnsafeOp};
use crate::timing::Lateness;
use acs_runtime::credentials::Credentials;
use acs_runtime::sign::SignatureAlgorithm;
use acs_runtime::{
    ApiStyle, Client, Config, DefaultTransport, RetryConfig, SdkError, ServiceInfo, Timeouts,
    TransportErrorKind,
};
use acs_test_server::{Ending, Recorded, Reply, TestServer, Verdict};

const AK_ID: &str = "faultAccessKeyId";
const AK_SECRET: &str = "faultAccessKeySecret";

/// Logical calls in all, spread evenly over the three kinds of operation.
const CALLS: usize = 1_002;
/// Calls in flight at once: keeps the run short while stalls wait out their read timeout.
const CONCURRENCY: usize = 32;
const MAX_ATTEMPTS: u32 = 4;
const READ_TIMEOUT: Duration = Duration::from_millis(150);
/// Less than two stalled attempts and a requested wait take, so many calls end by their budget.
const BUDGET: Duration = Duration::from_millis(300);
/// What a call may take past its budget on a quiet machine: the last poll of a timer, one
/// decode of a small body. The test adds four times the worst timer lateness it measures while
/// it runs ([`Lateness`]), so a loaded machine widens the margin instead of failing the run. A
/// correctness bound, not a speed target: a call that ignored its budget could take four
/// stalls and three requested waits, over a second.
const MARGIN: Duration = Duration::from_millis(150);
/// The longest wait the client chooses between attempts here (the backoff cap below).
const MAX_BACKOFF: Duration = Duration::from_millis(5);
/// The wait a busy service asks for (`x-acs-retry-after`, milliseconds): long enough that
/// honouring it must be weighed against the budget.
const RETRY_AFTER_MS: &str = "200";
/// The transport's body cap for this run, so an oversized answer is cheap to send.
const MAX_BODY: usize = 16 * 1024;

static DBS: ServiceInfo = ServiceInfo {
    product: "dbs",
    version: "2019-03-06",
    style: ApiStyle::Rpc,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

/// The three kinds of operation, told apart on the wire by the call's id (`token-17`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    /// A write whose `ClientToken` makes repeats safe.
    Token,
    /// A write without a token: never to be started twice.
    Unsafe,
    /// A read.
    Read,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Token, Kind::Unsafe, Kind::Read];

    fn name(self) -> &'static str {
        match self {
            Kind::Token => "token",
            Kind::Unsafe => "unsafe",
            Kind::Read => "read",
        }
    }

    fn of(call_id: &str) -> Kind {
        let prefix = call_id.split('-').next().unwrap_or_default();
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name() == prefix)
            .unwrap_or_else(|| panic!("a call id the test did not make: {call_id}"))
    }
}

/// What the service does with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Fault {
    Success,
    /// A repeated `ClientToken`: the first result, the operation not run again.
    Replayed,
    Throttled429,
    ThrottlingCode,
    BusyWithRetryAfter,
    InternalError500,
    Unavailable503,
    Unavailable503WithRetryAfter,
    ResetBeforeHead,
    ResetAfterHead,
    TruncatedBody,
    StallBeforeHead,
    StallMidBody,
    OversizedBody,
    MalformedBody,
    InvalidParameter,
}

/// The faults drawn, with their weights (success is drawn a third of the time).
const DRAWN: [(Fault, u32); 15] = [
    (Fault::Success, 14),
    (Fault::Throttled429, 2),
    (Fault::ThrottlingCode, 2),
    (Fault::BusyWithRetryAfter, 2),
    (Fault::InternalError500, 3),
    (Fault::Unavailable503, 2),
    (Fault::Unavailable503WithRetryAfter, 2),
    (Fault::ResetBeforeHead, 3),
    (Fault::ResetAfterHead, 2),
    (Fault::TruncatedBody, 2),
    (Fault::StallBeforeHead, 2),
    (Fault::StallMidBody, 2),
    (Fault::OversizedBody, 1),
    (Fault::MalformedBody, 1),
    (Fault::InvalidParameter, 1),
];

impl Fault {
    /// The fault for `attempt` (0-based) of `call_id`: a function of the seed and its inputs.
    fn draw(seed: u64, call_id: &str, attempt: usize) -> Fault {
        let mut rng = fastrand::Rng::with_seed(
            seed ^ fnv1a(call_id.as_bytes()) ^ (attempt as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let total: u32 = DRAWN.iter().map(|(_, weight)| weight).sum();
        let mut pick = rng.u32(0..total);
        for (fault, weight) in DRAWN {
            if pick < weight {
                return fault;
            }
            pick -= weight;
        }
        unreachable!("the weights add up to the total")
    }

    /// Whether the service started the operation (worst case: whenever it may have).
    fn starts_operation(self) -> bool {
        !matches!(
            self,
            Fault::Throttled429
                | Fault::ThrottlingCode
                | Fault::BusyWithRetryAfter
                | Fault::InvalidParameter
                | Fault::Replayed
        )
    }

    /// Whether the service answered at the HTTP level, so that a remembered token's first
    /// result can stand in for it; network faults happen whatever the service remembers.
    fn is_service_answer(self) -> bool {
        matches!(
            self,
            Fault::Success
                | Fault::InternalError500
                | Fault::Unavailable503
                | Fault::Unavailable503WithRetryAfter
                | Fault::OversizedBody
                | Fault::MalformedBody
        )
    }

    /// Whether a client may repeat an attempt that met this fault: the test's own statement of
    /// the README's rule, not the runtime's code.
    fn may_retry(self, kind: Kind) -> bool {
        match self {
            Fault::Success | Fault::Replayed => false,
            // Turned away before it ran.
            Fault::Throttled429 | Fault::ThrottlingCode | Fault::BusyWithRetryAfter => true,
            // May have run: only where running twice does no harm.
            Fault::InternalError500
            | Fault::Unavailable503
            | Fault::Unavailable503WithRetryAfter
            | Fault::ResetBeforeHead
            | Fault::ResetAfterHead
            | Fault::TruncatedBody
            | Fault::StallBeforeHead
            | Fault::StallMidBody => kind != Kind::Unsafe,
            // The same request would get the same answer.
            Fault::OversizedBody | Fault::MalformedBody | Fault::InvalidParameter => false,
        }
    }

    /// The reply that acts the fault out; `success` is the body of a successful answer.
    fn reply(self, success: &str) -> Reply {
        let error = |status: u16, code: &str| {
            Reply::json(
                status,
                &format!(r#"{{"Code":"{code}","Message":"injected","RequestId":"F"}}"#),
            )
        };
        let retry_after = |reply: Reply| match reply {
            Reply::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push(("x-acs-retry-after".to_owned(), RETRY_AFTER_MS.to_owned()));
                Reply::Respond {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        };
        // A head that promises more body than is sent.
        let partial = |ending: Ending| {
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n";
            Reply::Raw(
                format!("{head}{{\"RequestId\":\"partial").into_bytes(),
                ending,
            )
        };
        match self {
            Fault::Success | Fault::Replayed => Reply::json(200, success),
            Fault::Throttled429 => error(429, "TooManyRequests"),
            Fault::ThrottlingCode => error(400, "Throttling.User"),
            Fault::BusyWithRetryAfter => retry_after(error(400, "ServiceBusy")),
            Fault::InternalError500 => error(500, "InternalError"),
            Fault::Unavailable503 => error(503, "ServiceUnavailable"),
            Fault::Unavailable503WithRetryAfter => retry_after(error(503, "ServiceUnavailable")),
            Fault::ResetBeforeHead => Reply::Raw(Vec::new(), Ending::Reset),
            Fault::ResetAfterHead => partial(Ending::Reset),
            Fault::TruncatedBody => partial(Ending::Close),
            Fault::StallBeforeHead => Reply::Hang,
            Fault::StallMidBody => partial(Ending::Hang),
            Fault::OversizedBody => Reply::json(
                200,
                &format!(r#"{{"Padding":"{}","Success":true}}"#, "x".repeat(MAX_BODY)),
            ),
            Fault::MalformedBody => Reply::json(200, r#"{"RequestId":"M","BackupPlanId":"#),
            Fault::InvalidParameter => error(400, "InvalidParameter"),
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One attempt as the service saw it.
#[derive(Debug, Clone)]
struct Attempt {
    fault: Fault,
    client_token: Option<String>,
}

/// What the service remembers.
#[derive(Debug, Default)]
struct Ledger {
    attempts: HashMap<String, Vec<Attempt>>,
    /// Times each call's operation was started.
    starts: HashMap<String, u32>,
    /// The first result of each `ClientToken` the service ran.
    results: HashMap<String, String>,
}

impl Ledger {
    fn answer(&mut self, seed: u64, request: &Recorded) -> Reply {
        let call_id = request
            .param("BackupPlanId")
            .expect("every call names itself")
            .to_owned();
        let kind = Kind::of(&call_id);
        let client_token = request.client_token().map(str::to_owned);
        let attempts = self.attempts.entry(call_id.clone()).or_default();
        let mut fault = Fault::draw(seed, &call_id, attempts.len());
        let mut success = format!(
            r#"{{"RequestId":"R-{call_id}-{}","BackupPlanId":"{call_id}","Success":true}}"#,
            attempts.len()
        );

        let remembered = match (kind, &client_token) {
            (Kind::Token, Some(token)) => self.results.get(token).cloned(),
            _ => None,
        };
        match remembered {
            Some(first) if fault.is_service_answer() => {
                fault = Fault::Replayed;
                success = first;
            }
            Some(_) => {}
            None if fault.starts_operation() && kind != Kind::Read => {
                *self.starts.entry(call_id.clone()).or_default() += 1;
                if let (Kind::Token, Some(token)) = (kind, &client_token) {
                    self.results.insert(token.clone(), success.clone());
                }
            }
            None => {}
        }
        attempts.push(Attempt {
            fault,
            client_token,
        });
        fault.reply(&success)
    }
}

/// How one logical call ended, as the caller saw it.
struct Outcome {
    call_id: String,
    result: Result<StartBackupPlanResponse, SdkError<OpError>>,
    elapsed: Duration,
}

async fn run_call(client: Client, call_id: String) -> Outcome {
    let started = Instant::now();
    let result = match Kind::of(&call_id) {
        Kind::Token => client.call(TokenOp::new(&call_id)).await,
        Kind::Unsafe => client.call(UnsafeOp::new(&call_id)).await,
        Kind::Read => client.call(ReadOnlyOp::new(&call_id)).await,
    };
    Outcome {
        call_id,
        result,
        elapsed: started.elapsed(),
    }
}

/// Whether `error` is what the caller should see after `fault` on the last attempt.
fn error_matches(fault: Fault, error: &SdkError<OpError>) -> bool {
    let status = |expected: u16| matches!(error, SdkError::Service(OpError(service)) if service.http_status == expected);
    let transport = |expected: TransportErrorKind| matches!(error, SdkError::Transport(transport) if transport.kind == expected);
    match fault {
        Fault::Success | Fault::Replayed => false,
        Fault::Throttled429 => status(429),
        Fault::ThrottlingCode | Fault::BusyWithRetryAfter | Fault::InvalidParameter => status(400),
        Fault::InternalError500 => status(500),
        Fault::Unavailable503 | Fault::Unavailable503WithRetryAfter => status(503),
        Fault::ResetBeforeHead | Fault::ResetAfterHead | Fault::TruncatedBody => {
            transport(TransportErrorKind::Io)
        }
        // The read timeout, or the call's budget running out first.
        Fault::StallBeforeHead | Fault::StallMidBody => transport(TransportErrorKind::Timeout),
        Fault::OversizedBody => transport(TransportErrorKind::TooLarge),
        Fault::MalformedBody => matches!(error, SdkError::Decode(_)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_through_injected_faults_keep_every_promise() {
    let seed = std::env::var("ACS_FAULT_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(20_261_201_u64);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let server = {
        let ledger = Arc::clone(&ledger);
        TestServer::start_with(move |request| ledger.lock().unwrap().answer(seed, request)).await
    };
    server.accept_key(AK_ID, AK_SECRET, None);

    let timeouts = Timeouts::DEFAULT
        .with_connect(Duration::from_secs(1))
        .with_read(READ_TIMEOUT)
        .with_total(BUDGET);
    let config = Config::new("cn-hangzhou")
        .with_endpoint(server.url())
        .with_signature(SignatureAlgorithm::Acs3HmacSha256)
        .with_credentials(Credentials::new(AK_ID, AK_SECRET))
        .with_timeouts(timeouts)
        .with_transport(Arc::new(
            DefaultTransport::new(timeouts).with_max_body(MAX_BODY),
        ))
        .with_retry(
            RetryConfig::new()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(MAX_BACKOFF),
        );
    let client = Client::new(&DBS, &config).expect("endpoint override resolves");

    let lateness = Lateness::start();
    let started = Instant::now();
    let mut outcomes = Vec::with_capacity(CALLS);
    let mut pending = tokio::task::JoinSet::new();
    for n in 0..CALLS {
        let kind = Kind::ALL[n % Kind::ALL.len()];
        if pending.len() == CONCURRENCY {
            outcomes.push(pending.join_next().await.unwrap().expect("no call panics"));
        }
        pending.spawn(run_call(client.clone(), format!("{}-{n}", kind.name())));
    }
    while let Some(outcome) = pending.join_next().await {
        outcomes.push(outcome.expect("no call panics"));
    }
    let wall = started.elapsed();
    let margin = lateness.margin(MARGIN);

    let ledger = ledger.lock().unwrap();
    let mut problems = Vec::new();
    let mut counts: BTreeMap<(Kind, &str), usize> = BTreeMap::new();
    let mut faults: BTreeMap<Fault, usize> = BTreeMap::new();
    let mut tokens_seen = HashSet::new();
    let mut duplicate_starts = 0;
    let mut past_budget = 0;
    let mut ended_by_budget = 0;
    for outcome in &outcomes {
        let call_id = outcome.call_id.as_str();
        let kind = Kind::of(call_id);
        let Some(attempts) = ledger.attempts.get(call_id) else {
            problems.push(format!("{call_id}: never reached the service"));
            continue;
        };
        for attempt in attempts {
            *faults.entry(attempt.fault).or_default() += 1;
        }
        let last = attempts.last().expect("at least one attempt");
        *counts
            .entry((
                kind,
                if outcome.result.is_ok() {
                    "ok"
                } else {
                    "error"
                },
            ))
            .or_default() += 1;

        if outcome.elapsed > BUDGET + margin {
            past_budget += 1;
            problems.push(format!("{call_id}: took {:?}", outcome.elapsed));
        }
        if ledger.starts.get(call_id).copied().unwrap_or(0) > 1 {
            duplicate_starts += 1;
            problems.push(format!("{call_id}: started twice ({attempts:?})"));
        }
        for (n, attempt) in attempts.iter().enumerate().take(attempts.len() - 1) {
            if !attempt.fault.may_retry(kind) {
                problems.push(format!(
                    "{call_id}: attempt {} repeated after {:?}",
                    n + 1,
                    attempt.fault
                ));
            }
        }
        match kind {
            Kind::Token => {
                let first = attempts[0].client_token.as_deref().unwrap_or_default();
                if first.is_empty()
                    || attempts
                        .iter()
                        .any(|a| a.client_token.as_deref() != Some(first))
                {
                    problems.push(format!(
                        "{call_id}: tokens differ between attempts ({attempts:?})"
                    ));
                }
                if !tokens_seen.insert(first.to_owned()) {
                    problems.push(format!("{call_id}: reused another call's token"));
                }
            }
            Kind::Unsafe | Kind::Read => {
                if attempts.iter().any(|a| a.client_token.is_some()) {
                    problems.push(format!("{call_id}: sent a token it was not given"));
                }
            }
        }
        match &outcome.result {
            Ok(response) => {
                if !matches!(last.fault, Fault::Success | Fault::Replayed)
                    || response.backup_plan_id.as_deref() != Some(call_id)
                {
                    problems.push(format!(
                        "{call_id}: succeeded after {:?}: {response:?}",
                        last.fault
                    ));
                }
            }
            Err(error) => {
                // A budget that ran out ends the call with a timeout, whatever the fault; and
                // a retryable fault ends it when the next attempt could not start in time: the
                // client decided at or before `elapsed`, so `elapsed` plus the longest wait it
                // could have chosen reaches the budget. Logical, whatever the machine's load.
                let longest_wait = match last.fault {
                    Fault::BusyWithRetryAfter | Fault::Unavailable503WithRetryAfter => {
                        Duration::from_millis(RETRY_AFTER_MS.parse().unwrap()).max(MAX_BACKOFF)
                    }
                    _ => MAX_BACKOFF,
                };
                let out_of_budget = outcome.elapsed + longest_wait >= BUDGET;
                let budget_error = error.is_timeout();
                if (budget_error && outcome.elapsed + MAX_BACKOFF >= BUDGET)
                    || (out_of_budget && last.fault.may_retry(kind))
                {
                    ended_by_budget += 1;
                } else if !error_matches(last.fault, error) {
                    problems.push(format!("{call_id}: {:?} ended in {error:?}", last.fault));
                } else if last.fault.may_retry(kind) && attempts.len() < MAX_ATTEMPTS as usize {
                    problems.push(format!(
                        "{call_id}: gave up after {} attempts on {:?}",
                        attempts.len(),
                        last.fault
                    ));
                }
            }
        }
    }
    let rejected: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|request| matches!(request.verdict, Verdict::Rejected(_)))
        .map(|request| request.verdict)
        .collect();
    if !rejected.is_empty() {
        problems.push(format!("signatures rejected: {rejected:?}"));
    }

    let attempts: usize = ledger.attempts.values().map(Vec::len).sum();
    println!(
        "fault injection (seed {seed}): {} calls, {attempts} attempts in {wall:?}; \
         {duplicate_starts} duplicate starts, {past_budget} past budget (margin {margin:?}), \
         {ended_by_budget} ended by budget",
        outcomes.len()
    );
    println!("outcomes: {counts:?}");
    println!("faults: {faults:?}");
    assert_eq!(outcomes.len(), CALLS);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The run exercised what it claims to: every fault, retries, both endings.
    assert_eq!(
        faults.len(),
        DRAWN.len() + 1,
        "every fault drawn and a token replayed"
    );
    assert!(attempts > CALLS * 3 / 2, "retries happened: {attempts}");
    for kind in Kind::ALL {
        assert!(counts.contains_key(&(kind, "ok")) && counts.contains_key(&(kind, "error")));
    }
}
