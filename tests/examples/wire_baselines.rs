//! The baselines `cargo xtask bench` sets beside the `start_backup_plan` example, each sending
//! the request the client sends (signed once, outside the loop) to the same server:
//!
//! ```text
//! wire_baselines bare --endpoint URL --repeat N       # a bare reqwest loop, the runtime's settings
//! wire_baselines raw-tcp --endpoint URL --repeat N    # one keep-alive TcpStream: the floor
//! wire_baselines concurrent ours|bare --endpoint URL --repeat N --concurrency C
//! ```
//!
//! Each writes `mean_us_per_call=<number>` on stderr, as the example does. The sequential loops
//! run on a current-thread runtime, the example's flavour; `concurrent` runs C tasks sharing
//! one client on a multi-thread runtime and reports wall time per call. Credentials come from
//! the environment, as the example's.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use acs_runtime::Config;
use tests::bench_support::{self, BACKUP_PLAN_ID};

const USAGE: &str = "usage: wire_baselines bare|raw-tcp|concurrent [ours|bare] --endpoint URL --repeat N [--concurrency C]";

struct Args {
    mode: String,
    concurrent_client: Option<String>,
    endpoint: String,
    repeat: u32,
    concurrency: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().ok_or(USAGE)?;
    let concurrent_client = (mode == "concurrent")
        .then(|| args.next().ok_or(USAGE))
        .transpose()?;
    let (mut endpoint, mut repeat, mut concurrency) = (None, 1, 64);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<u32>().ok().filter(|n| *n > 0);
        match flag.as_str() {
            "--endpoint" => endpoint = Some(value.clone()),
            "--repeat" => repeat = number().ok_or("--repeat needs a positive number")?,
            "--concurrency" => {
                concurrency = number().ok_or("--concurrency needs a positive number")?
            }
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    Ok(Args {
        mode,
        concurrent_client,
        endpoint: endpoint.ok_or(USAGE)?,
        repeat,
        concurrency,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let config = Config::new("cn-hangzhou").with_endpoint(&args.endpoint);
    let result = match (args.mode.as_str(), args.concurrent_client.as_deref()) {
        ("bare", None) => current_thread().block_on(bare(&config, args.repeat)),
        ("raw-tcp", None) => {
            let request = current_thread().block_on(bench_support::recorded_request(&config));
            raw_tcp(&request, args.repeat)
        }
        ("concurrent", Some(client @ ("ours" | "bare"))) => {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(concurrent(
                    &config,
                    client == "ours",
                    args.repeat,
                    args.concurrency,
                ))
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(started) => {
            let mean = started.elapsed().as_secs_f64() * 1e6 / f64::from(args.repeat);
            eprintln!("mean_us_per_call={mean:.1}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// The bare loop: `repeat` sends of the recorded request on one reqwest client. Returns when the
/// timed part started.
async fn bare(config: &Config, repeat: u32) -> Result<Instant, String> {
    let request = bench_support::recorded_request(config).await;
    let headers = bench_support::header_map(&request);
    let client = bench_support::bare_client();
    let started = Instant::now();
    for _ in 0..repeat {
        send_bare(&client, request.url.as_str(), &headers).await?;
    }
    Ok(started)
}

async fn send_bare(
    client: &reqwest::Client,
    url: &str,
    headers: &reqwest::header::HeaderMap,
) -> Result<(), String> {
    let response = client
        .post(url)
        .headers(headers.clone())
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    std::hint::black_box(response.bytes().await.map_err(|error| error.to_string())?);
    Ok(())
}

/// The floor: the recorded request's bytes written to one blocking keep-alive connection, and
/// the answer read by its `content-length`, nothing parsed beyond that.
fn raw_tcp(request: &acs_runtime::HttpRequest, repeat: u32) -> Result<Instant, String> {
    let address = format!(
        "{}:{}",
        request.url.host_str().ok_or("the endpoint has no host")?,
        request.url.port_or_known_default().unwrap_or(80)
    );
    let stream = std::net::TcpStream::connect(&address).map_err(|error| error.to_string())?;
    stream
        .set_nodelay(true)
        .map_err(|error| error.to_string())?;
    let mut writer = stream.try_clone().map_err(|error| error.to_string())?;
    let mut reader = BufReader::new(stream);
    let bytes = bench_support::raw_http(request);
    let mut line = String::new();
    let mut body = Vec::new();
    let started = Instant::now();
    for _ in 0..repeat {
        writer
            .write_all(&bytes)
            .map_err(|error| error.to_string())?;
        let mut length = 0;
        loop {
            line.clear();
            reader
                .read_line(&mut line)
                .map_err(|error| error.to_string())?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(|_| "a bad content-length")?;
            }
        }
        body.resize(length, 0);
        reader
            .read_exact(&mut body)
            .map_err(|error| error.to_string())?;
    }
    Ok(started)
}

/// `repeat` calls in all, by `concurrency` tasks sharing one client: ours, or bare reqwest
/// sending the recorded request.
async fn concurrent(
    config: &Config,
    ours: bool,
    repeat: u32,
    concurrency: u32,
) -> Result<Instant, String> {
    let request = Arc::new(bench_support::recorded_request(config).await);
    let headers = Arc::new(bench_support::header_map(&request));
    let bare = bench_support::bare_client();
    let client = acs_dbs20190306::Client::new(config).map_err(|error| error.to_string())?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..concurrency {
        // Spread `repeat` over the tasks, the first ones taking the remainder.
        let calls = repeat / concurrency + u32::from(task < repeat % concurrency);
        let (client, bare, request, headers) = (
            client.clone(),
            bare.clone(),
            Arc::clone(&request),
            Arc::clone(&headers),
        );
        tasks.spawn(async move {
            for _ in 0..calls {
                if ours {
                    client
                        .start_backup_plan()
                        .backup_plan_id(BACKUP_PLAN_ID)
                        .send()
                        .await
                        .map_err(|error| error.to_string())?;
                } else {
                    send_bare(&bare, request.url.as_str(), &headers).await?;
                }
            }
            Ok::<(), String>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|error| error.to_string())??;
    }
    Ok(started)
}
