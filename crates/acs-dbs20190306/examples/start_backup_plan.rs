//! Starts a DBS backup plan.
//!
//! ```text
//! cargo run -p acs-dbs20190306 --example start_backup_plan -- --backup-plan-id ID \
//!     [--client-token T] [--region R] [--endpoint URL] [--signature v3|sm3|v1] [--repeat N] \
//!     [--policy-out FILE]
//! ```
//!
//! Credentials come from the default chain (`ALIBABA_CLOUD_ACCESS_KEY_ID` /
//! `ALIBABA_CLOUD_ACCESS_KEY_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, then the aliyun CLI's
//! `~/.aliyun/config.json`). Prints the response as JSON with wire names; with `--repeat N` it
//! makes N sequential calls on one client, prints the last response and writes
//! `mean_us_per_call=<number>` on stderr. On error it prints code, message and request id on
//! stderr and exits 1. With `--policy-out FILE` it writes the RAM policy its calls needed to
//! FILE (also after an error: the call needed it) and what the policy cannot say on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use acs_dbs20190306::operation::start_backup_plan::{
    StartBackupPlanError, StartBackupPlanResponse,
};
use acs_dbs20190306::prelude::*;
use acs_dbs20190306::runtime::serde_json::{self, json};
use acs_dbs20190306::runtime::sign::SignatureAlgorithm;

const USAGE: &str = "usage: start_backup_plan --backup-plan-id ID [--client-token T] [--region R] [--endpoint URL] [--signature v3|sm3|v1] [--repeat N] [--policy-out FILE]";

struct Args {
    backup_plan_id: String,
    client_token: Option<String>,
    region: String,
    endpoint: Option<String>,
    signature: SignatureAlgorithm,
    repeat: u32,
    policy_out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut backup_plan_id = None;
    let mut client_token = None;
    let mut region = "cn-hangzhou".to_owned();
    let mut endpoint = None;
    let mut signature = SignatureAlgorithm::Acs3HmacSha256;
    let mut repeat = 1;
    let mut policy_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--backup-plan-id" => backup_plan_id = Some(value()?),
            "--client-token" => client_token = Some(value()?),
            "--region" => region = value()?,
            "--endpoint" => endpoint = Some(value()?),
            "--signature" => {
                signature = match value()?.as_str() {
                    "v3" => SignatureAlgorithm::Acs3HmacSha256,
                    "sm3" => SignatureAlgorithm::Acs3HmacSm3,
                    "v1" => SignatureAlgorithm::HmacSha1,
                    other => return Err(format!("unknown signature `{other}`: use v3, sm3 or v1")),
                }
            }
            "--repeat" => {
                repeat = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--repeat needs a positive number")?
            }
            "--policy-out" => policy_out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Args {
        backup_plan_id: backup_plan_id
            .ok_or_else(|| format!("--backup-plan-id is required\n{USAGE}"))?,
        client_token,
        region,
        endpoint,
        signature,
        repeat,
        policy_out,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut config = Config::new(&args.region).with_signature(args.signature);
    if let Some(endpoint) = &args.endpoint {
        config = config.with_endpoint(endpoint);
    }
    let recorder = PolicyRecorder::new();
    if args.policy_out.is_some() {
        config = config.with_policy_recorder(recorder.clone());
    }
    let client = match Client::new(&config) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let mut last = None;
    let mut failed = false;
    for _ in 0..args.repeat {
        let mut call = client
            .start_backup_plan()
            .backup_plan_id(&args.backup_plan_id);
        if let Some(token) = &args.client_token {
            call = call.client_token(token);
        }
        match call.send().await {
            Ok(response) => last = Some(response),
            Err(error) => {
                report(&error);
                failed = true;
                break;
            }
        }
    }
    if let Some(path) = &args.policy_out {
        eprint!("{}", recorder.report());
        if let Err(error) = write_policy(path, &recorder) {
            eprintln!(
                "error: cannot write the policy to {}: {error}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
    }
    if failed {
        return ExitCode::FAILURE;
    }
    if args.repeat > 1 {
        let mean = started.elapsed().as_secs_f64() * 1e6 / f64::from(args.repeat);
        eprintln!("mean_us_per_call={mean:.1}");
    }
    let response = last.expect("at least one call was made");
    match serde_json::to_string_pretty(&wire_json(&response)) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: cannot print the response: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The recorded policy's document in `path`, whole or not at all: written beside it, then
/// renamed over it.
fn write_policy(path: &Path, recorder: &PolicyRecorder) -> std::io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, recorder.policy().to_json() + "\n")?;
    std::fs::rename(&partial, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

/// The response with its wire names, as the service sent it (absent members left out).
fn wire_json(response: &StartBackupPlanResponse) -> serde_json::Value {
    let members = json!({
        "HttpStatusCode": response.http_status_code,
        "RequestId": response.request_id,
        "ErrCode": response.err_code,
        "Success": response.success,
        "ErrMessage": response.err_message,
        "CreatedFullBackupsetId": response.created_full_backupset_id,
        "BackupPlanId": response.backup_plan_id,
    });
    let mut members = members.as_object().cloned().unwrap_or_default();
    members.retain(|_, value| !value.is_null());
    serde_json::Value::Object(members)
}

fn report(error: &SdkError<StartBackupPlanError>) {
    match error {
        SdkError::Service(service) => {
            let service = service.service_error();
            eprintln!("code: {}", service.code);
            eprintln!("message: {}", service.message);
            eprintln!(
                "request id: {}",
                service.request_id.as_deref().unwrap_or("none")
            );
            eprintln!("http status: {}", service.http_status);
        }
        other => eprintln!("error: {other}"),
    }
}
