//! The policy recorder over real calls to the loopback server: one grant per call whatever its
//! retries, failed calls too, not calls whose request could not be built; operations without
//! RAM facts named in the report; dependent actions; many clients, tasks and threads sharing
//! one recorder; a call dropped after its request went out.

use std::time::Duration;

use crate::call::{DBS, config_for, server};
use crate::ops::{OpError, StartBackupPlanResponse, TokenOp, UnsafeOp};
use acs_runtime::client::ApiRequest;
use acs_runtime::ram::{AccessLevel, Facts, PolicyRecorder, Statement, Wildcard};
use acs_runtime::sign::SignatureAlgorithm;
use acs_runtime::{
    ApiStyle, Client, Config, Method, Operation, OperationInfo, Position, RequestParams, SdkError,
    ServiceInfo,
};
use acs_test_server::{Reply, TestServer};

/// DBS's style is RPC; an ROA service lays out paths.
static ROA: ServiceInfo = ServiceInfo {
    product: "dbs",
    version: "2019-03-06",
    style: ApiStyle::Roa,
    gateway: acs_runtime::Gateway::Acs,
    endpoints: &[],
};

/// `call.rs`'s configuration for the loopback server (fast retries), in `region`, recording in
/// `recorder`.
fn config(server: &TestServer, region: &str, recorder: &PolicyRecorder) -> Config {
    config_for(&server.url(), SignatureAlgorithm::Acs3HmacSha256, false)
        .with_region(region)
        .with_policy_recorder(recorder.clone())
}

fn statement(actions: &[&str], resources: &[&str]) -> Statement {
    Statement {
        actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        resources: resources.iter().map(|r| (*r).to_owned()).collect(),
    }
}

#[tokio::test]
async fn a_call_retried_is_one_grant_on_the_resource_it_named() {
    let busy = r#"{"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R"}"#;
    let server = server(vec![
        Reply::json(503, busy),
        Reply::json(503, busy),
        Reply::ok(),
    ])
    .await;
    let recorder = PolicyRecorder::new().with_account_id("1234567890");
    let client = Client::new(&DBS, &config(&server, "ap-southeast-1", &recorder)).unwrap();
    client.call(TokenOp::new("dbs-plan-a")).await.unwrap();
    assert_eq!(server.requests().len(), 3, "two retries");
    assert_eq!(
        recorder.policy().statements(),
        [statement(
            &["dbs:StartBackupPlan"],
            &["acs:dbs:ap-southeast-1:1234567890:backupplan/dbs-plan-a"]
        )]
    );
    assert!(recorder.report().is_empty(), "{}", recorder.report());
}

#[tokio::test]
async fn failed_calls_are_recorded_the_permission_was_needed() {
    let denied = r#"{"Code": "Forbidden.RAM", "Message": "denied", "RequestId": "R"}"#;
    let server = server(vec![Reply::json(403, denied), Reply::Close]).await;
    let recorder = PolicyRecorder::new();
    let client = Client::new(&DBS, &config(&server, "cn-hangzhou", &recorder)).unwrap();
    let refused = client.call(UnsafeOp::new("dbs-plan-denied")).await;
    assert!(matches!(refused, Err(SdkError::Service(_))), "{refused:?}");
    // The connection closes with no answer: an unsafe operation is not repeated.
    let unanswered = client.call(UnsafeOp::new("dbs-plan-closed")).await;
    assert!(
        matches!(unanswered, Err(SdkError::Transport(_))),
        "{unanswered:?}"
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        recorder.policy().statements(),
        [statement(
            &["dbs:StartBackupPlan"],
            &[
                "acs:dbs:cn-hangzhou:*:backupplan/dbs-plan-closed",
                "acs:dbs:cn-hangzhou:*:backupplan/dbs-plan-denied",
            ]
        )]
    );
    // No account ID was given: the report says so, per resource.
    let report = recorder.report();
    let wildcards = &report.wildcards["dbs:StartBackupPlan"];
    assert_eq!(wildcards.len(), 2);
    assert!(
        wildcards
            .values()
            .all(|parts| parts.iter().eq([&Wildcard::Account]))
    );
}

/// An ROA operation with RAM facts whose path needs `PlanId`, which the request may leave out.
struct DeletePlan {
    plan_id: Option<String>,
}

static DELETE_PLAN_RAM: Facts = Facts::new("dbs:DeletePlan", AccessLevel::Delete)
    .on(&["acs:dbs:{#regionId}:{#accountId}:backupplan/{#PlanId}"]);

impl Operation for DeletePlan {
    type Output = StartBackupPlanResponse;
    type Error = OpError;
    const INFO: &'static OperationInfo = &OperationInfo::roa(
        "DeletePlan",
        Method::Delete,
        "/plans/{PlanId}",
        acs_runtime::Idempotency::Unsafe,
    );
    const RAM: Option<&'static Facts> = Some(&DELETE_PLAN_RAM);

    fn write_params(&self, params: &mut RequestParams) {
        params.put(Position::Path, "PlanId", &self.plan_id);
    }
}

#[tokio::test]
async fn a_request_that_cannot_be_built_needs_no_permission() {
    let server = server(vec![Reply::ok()]).await;
    let recorder = PolicyRecorder::new();
    let client = Client::new(&ROA, &config(&server, "cn-hangzhou", &recorder)).unwrap();
    let unbuilt = client.call(DeletePlan { plan_id: None }).await;
    assert!(matches!(unbuilt, Err(SdkError::Build(_))), "{unbuilt:?}");
    // Called by name with no API version: not built either.
    let any =
        Client::for_endpoint(&server.url(), &config(&server, "cn-hangzhou", &recorder)).unwrap();
    let unbuilt = any.call_api(ApiRequest::rpc("DescribeRegions")).await;
    assert!(matches!(unbuilt, Err(SdkError::Build(_))), "{unbuilt:?}");
    assert!(server.requests().is_empty());
    assert!(recorder.policy().is_empty());
    assert!(recorder.report().is_empty(), "{}", recorder.report());

    // Built, the same operation is recorded on its path parameter's value.
    client
        .call(DeletePlan {
            plan_id: Some("dbs-plan-z".to_owned()),
        })
        .await
        .unwrap();
    assert_eq!(
        recorder.policy().statements(),
        [statement(
            &["dbs:DeletePlan"],
            &["acs:dbs:cn-hangzhou:*:backupplan/dbs-plan-z"]
        )]
    );
}

/// An operation whose metadata has no RAM facts.
struct Ping;

impl Operation for Ping {
    type Output = StartBackupPlanResponse;
    type Error = OpError;
    const INFO: &'static OperationInfo =
        &OperationInfo::rpc("Ping", Method::Post, acs_runtime::Idempotency::ReadOnly);

    fn write_params(&self, _params: &mut RequestParams) {}
}

#[tokio::test]
async fn operations_without_ram_facts_are_named_never_guessed() {
    let server = server(vec![Reply::ok(), Reply::ok()]).await;
    let recorder = PolicyRecorder::new();
    let config = config(&server, "cn-hangzhou", &recorder);
    let client = Client::new(&DBS, &config).unwrap();
    client.call(Ping).await.unwrap();
    let any = Client::for_endpoint(&server.url(), &config).unwrap();
    any.call_api(
        ApiRequest::rpc("DescribeRegions")
            .version("2014-05-26")
            .product("ecs"),
    )
    .await
    .unwrap();
    assert!(recorder.policy().is_empty());
    let report = recorder.report();
    assert_eq!(
        report.without_facts.iter().collect::<Vec<_>>(),
        [
            "dbs 2019-03-06 Ping",
            "ecs 2014-05-26 DescribeRegions (called by name)"
        ]
    );
    assert!(report.to_string().contains("not in the policy"), "{report}");
}

/// An operation whose caller must also be allowed other actions.
struct CreatePlan;

static CREATE_PLAN_RAM: Facts = Facts::new("dbs:CreatePlan", AccessLevel::Create)
    .on(&["acs:dbs:{#regionId}:{#accountId}:backupplan/*"])
    .with_condition_keys(&["dbs:TagKeys"])
    .with_dependent_actions(&["vpc:DescribeVpcs", "ram:PassRole"]);

impl Operation for CreatePlan {
    type Output = StartBackupPlanResponse;
    type Error = OpError;
    const INFO: &'static OperationInfo =
        &OperationInfo::rpc("CreatePlan", Method::Post, acs_runtime::Idempotency::Unsafe);
    const RAM: Option<&'static Facts> = Some(&CREATE_PLAN_RAM);

    fn write_params(&self, _params: &mut RequestParams) {}
}

#[tokio::test]
async fn dependent_actions_are_statements_on_every_resource_and_reported() {
    let server = server(vec![Reply::ok()]).await;
    let recorder = PolicyRecorder::new().with_account_id("42");
    let client = Client::new(&DBS, &config(&server, "cn-beijing", &recorder)).unwrap();
    client.call(CreatePlan).await.unwrap();
    assert_eq!(
        recorder.policy().statements(),
        [
            statement(&["dbs:CreatePlan"], &["acs:dbs:cn-beijing:42:backupplan/*"]),
            statement(&["ram:PassRole", "vpc:DescribeVpcs"], &["*"]),
        ]
    );
    let report = recorder.report();
    assert!(
        report.dependent_actions["dbs:CreatePlan"]
            .iter()
            .eq(["ram:PassRole", "vpc:DescribeVpcs"])
    );
    assert!(
        report.condition_keys["dbs:CreatePlan"]
            .iter()
            .eq(["dbs:TagKeys"])
    );
    assert!(
        report.wildcards["dbs:CreatePlan"]["acs:dbs:cn-beijing:42:backupplan/*"]
            .iter()
            .eq([&Wildcard::Template])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_tasks_and_threads_share_one_recorder() {
    let server = TestServer::start_with(|_| Reply::ok()).await;
    server.accept_key("testAccessKeyId", "testAccessKeySecret", None);
    let recorder = PolicyRecorder::new().with_account_id("7");
    // Two clients of two configurations, each with a clone.
    let clients = [
        Client::new(&DBS, &config(&server, "cn-hangzhou", &recorder)).unwrap(),
        Client::new(&DBS, &config(&server, "cn-hangzhou", &recorder)).unwrap(),
    ];
    let tasks: Vec<_> = (0..48)
        .map(|n| {
            let client = clients[n % 2].clone();
            tokio::spawn(async move {
                client
                    .call(TokenOp::new(&format!("plan-{:02}", n % 24)))
                    .await
                    .unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(server.requests().len(), 48);
    let expected: Vec<String> = (0..24)
        .map(|n| format!("acs:dbs:cn-hangzhou:7:backupplan/plan-{n:02}"))
        .collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(
        recorder.policy().statements(),
        [statement(&["dbs:StartBackupPlan"], &expected)]
    );
}

#[tokio::test]
async fn a_call_dropped_after_its_request_went_out_is_recorded() {
    let server = server(vec![Reply::Hang]).await;
    let recorder = PolicyRecorder::new();
    let client = Client::new(&DBS, &config(&server, "cn-hangzhou", &recorder)).unwrap();
    let call = tokio::spawn(async move { client.call(UnsafeOp::new("dbs-plan-slow")).await });
    // Until the server has the request (generous: a loaded machine may take long to get there).
    for _ in 0..6000 {
        if !server.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(server.requests().len(), 1);
    assert!(recorder.policy().is_empty(), "recorded when the call ends");
    call.abort();
    assert!(call.await.unwrap_err().is_cancelled());
    assert_eq!(
        recorder.policy().statements(),
        [statement(
            &["dbs:StartBackupPlan"],
            &["acs:dbs:cn-hangzhou:*:backupplan/dbs-plan-slow"]
        )]
    );
}
