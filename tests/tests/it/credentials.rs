//! A generated client's calls succeed end to end with credentials from the ECS metadata service
//! and from OIDC (RRSA), each served by a loopback server, the API's signature checked for real;
//! and the `start_backup_plan` example, given only a credentials URI, fetches credentials once
//! for all its calls.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_dbs20190306::Client;
use acs_runtime::Config;
use acs_runtime::credentials::{EcsRamRoleProvider, OidcRoleProvider, StsEndpoint};
use acs_test_server::{Reply, TestServer, Verdict};

const ROLE_ID: &str = "STS.e2eRoleKeyId";
const ROLE_SECRET: &str = "e2eRoleKeySecret";
const ROLE_TOKEN: &str = "e2eRoleSecurityToken";

fn credentials_json() -> serde_json::Value {
    let expiry = SystemTime::now() + Duration::from_secs(3600);
    serde_json::json!({
        "Code": "Success",
        "AccessKeyId": ROLE_ID,
        "AccessKeySecret": ROLE_SECRET,
        "SecurityToken": ROLE_TOKEN,
        "Expiration": acs_runtime::sign::format_timestamp(
            expiry.duration_since(UNIX_EPOCH).unwrap().as_secs()
        ),
    })
}

/// The DBS API, accepting only the role's temporary key.
async fn api_server() -> TestServer {
    let server = TestServer::start_with(|_| Reply::ok()).await;
    server.accept_key(ROLE_ID, ROLE_SECRET, Some(ROLE_TOKEN));
    server
}

fn assert_signed_with_the_role(api: &TestServer, calls: usize) {
    let requests = api.requests();
    assert_eq!(requests.len(), calls);
    for request in requests {
        assert!(
            matches!(request.verdict, Verdict::V3 { .. }),
            "{:?}",
            request.verdict
        );
        assert_eq!(request.header("x-acs-security-token"), Some(ROLE_TOKEN));
    }
}

#[tokio::test]
async fn a_call_with_the_ecs_instance_role() {
    let metadata = TestServer::start_with(|request| {
        let tokened = request.header("x-aliyun-ecs-metadata-token") == Some("v2-token");
        match (request.method.as_str(), request.path.as_str()) {
            ("PUT", "/latest/api/token") => Reply::text(200, "v2-token"),
            _ if !tokened => Reply::text(401, "IMDSv2 required"),
            ("GET", "/latest/meta-data/ram/security-credentials/") => Reply::text(200, "AppRole"),
            ("GET", "/latest/meta-data/ram/security-credentials/AppRole") => {
                Reply::json(200, &credentials_json().to_string())
            }
            _ => Reply::text(404, ""),
        }
    })
    .await;
    metadata.accept_unsigned();
    let api = api_server().await;
    let config = Config::new("cn-hangzhou")
        .with_endpoint(api.url())
        .with_credentials(EcsRamRoleProvider::from_lookup(|_| None).with_endpoint(metadata.url()));
    let client = Client::new(&config).unwrap();
    for _ in 0..3 {
        client
            .start_backup_plan()
            .backup_plan_id("plan")
            .send()
            .await
            .unwrap();
    }
    assert_signed_with_the_role(&api, 3);
    assert_eq!(
        metadata.requests().len(),
        3,
        "credentials fetched once (token, role, credentials)"
    );
}

#[tokio::test]
async fn a_call_with_an_oidc_role() {
    let sts = TestServer::start_with(|request| {
        let has_token = request
            .form()
            .iter()
            .any(|(k, v)| k == "OIDCToken" && v == "pod.oidc.token");
        if has_token {
            Reply::json(
                200,
                &serde_json::json!({"Credentials": credentials_json()}).to_string(),
            )
        } else {
            Reply::json(400, r#"{"Code":"AuthenticationFail.NoPermission"}"#)
        }
    })
    .await;
    sts.accept_unsigned();
    let token = std::env::temp_dir().join(format!("acs-e2e-oidc-{}", std::process::id()));
    std::fs::write(&token, "pod.oidc.token").unwrap();
    let api = api_server().await;
    let provider = OidcRoleProvider::new(
        "acs:ram::1:role/app",
        "acs:ram::1:oidc-provider/ack",
        &token,
    )
    .with_endpoint(StsEndpoint::url(sts.url()));
    let config = Config::new("cn-hangzhou")
        .with_endpoint(api.url())
        .with_credentials(provider);
    let client = Client::new(&config).unwrap();
    client
        .start_backup_plan()
        .backup_plan_id("plan")
        .send()
        .await
        .unwrap();
    assert_signed_with_the_role(&api, 1);
    assert_eq!(sts.requests().len(), 1);
    std::fs::remove_file(&token).unwrap();
}

#[tokio::test]
async fn the_example_with_only_a_credentials_uri_fetches_credentials_once() {
    let uri = TestServer::start_with(|_| Reply::json(200, &credentials_json().to_string())).await;
    uri.accept_unsigned();
    let api = api_server().await;
    let home = std::env::temp_dir().join(format!("acs-e2e-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let example = tests::built::example("acs-dbs20190306", "start_backup_plan");
    let output = tokio::process::Command::new(&example)
        .args([
            "--backup-plan-id",
            "plan",
            "--repeat",
            "5",
            "--endpoint",
            &api.url(),
        ])
        .env_clear()
        .env("HOME", &home)
        .env(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            format!("{}/credentials", uri.url()),
        )
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .output()
        .await
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("\"BackupPlanId\""), "{stdout}");
    assert!(stderr.contains("mean_us_per_call="), "{stderr}");
    assert!(!stdout.contains(ROLE_SECRET) && !stderr.contains(ROLE_SECRET));
    assert!(!stdout.contains(ROLE_TOKEN) && !stderr.contains(ROLE_TOKEN));
    assert_signed_with_the_role(&api, 5);
    assert_eq!(
        uri.requests().len(),
        1,
        "one fetch while the credentials stay valid"
    );
    std::fs::remove_dir_all(&home).unwrap();
}
