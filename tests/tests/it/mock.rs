//! The mock client users test their own code with (`test-util`): rules in sequence, typed
//! outputs and errors, raw HTTP answers decoded for real, request predicates, and the calls
//! recorded as the generated code wrote them.

use acs_dbs20190306::Client;
use acs_dbs20190306::operation::describe_backup_plan_list::DescribeBackupPlanListRequest;
use acs_dbs20190306::operation::start_backup_plan::{
    StartBackupPlanError, StartBackupPlanRequest, StartBackupPlanResponse,
};
use acs_dbs20190306::test_util::{Mock, Rule};

fn started(id: &str) -> StartBackupPlanResponse {
    let mut response = StartBackupPlanResponse::default();
    response.backup_plan_id = Some(id.to_owned());
    response
}

#[tokio::test]
async fn rules_answer_in_order_typed_or_decoded() {
    let mock = Mock::new([
        Rule::of::<StartBackupPlanRequest>().then_output(|| started("typed")),
        Rule::of::<StartBackupPlanRequest>().then_http(
            200,
            r#"{"BackupPlanId": "decoded", "Success": true, "RequestId": "R"}"#,
        ),
        // A business error in an HTTP 200 body: the real decoding makes it the typed error.
        Rule::of::<StartBackupPlanRequest>().then_http(
            200,
            r#"{"Success": false, "ErrCode": "Param.NotFound", "ErrMessage": "no such plan"}"#,
        ),
        Rule::of::<StartBackupPlanRequest>().then_service_error(403, "Request.Forbidden", "no"),
    ]);
    let client = Client::new(&mock.config()).unwrap();
    let call = || client.start_backup_plan().backup_plan_id("plan");

    assert_eq!(
        call().send().await.unwrap().backup_plan_id.as_deref(),
        Some("typed")
    );
    assert_eq!(
        call().send().await.unwrap().backup_plan_id.as_deref(),
        Some("decoded")
    );
    assert!(matches!(
        call().send().await.unwrap_err().into_service_error(),
        Some(StartBackupPlanError::ParamNotFound(_))
    ));
    assert!(matches!(
        call().send().await.unwrap_err().into_service_error(),
        Some(StartBackupPlanError::RequestForbidden(_))
    ));
    // Every rule answered once; the next call has none.
    assert_eq!(mock.unused_rules(), 0);
    let error = call().send().await.unwrap_err().to_string();
    assert!(
        error.contains("no rule answers this call of StartBackupPlan"),
        "{error}"
    );

    // What the generated code wrote, a fresh ClientToken included.
    let calls = mock.calls();
    assert_eq!(calls.len(), 5);
    assert!(calls.iter().all(|c| c.action == "StartBackupPlan"));
    let query = &calls[0].params.query;
    assert!(query.contains(&("BackupPlanId".to_owned(), "plan".to_owned())));
    assert!(
        query
            .iter()
            .any(|(k, v)| k == "ClientToken" && v.len() == 36)
    );
}

#[tokio::test]
async fn predicates_pick_the_rule_and_operations_do_not_mix() {
    let mock = Mock::new([
        Rule::of::<StartBackupPlanRequest>()
            .matching(|request| request.backup_plan_id.as_deref() == Some("b"))
            .then_output(|| started("for b"))
            .always(),
        Rule::of::<StartBackupPlanRequest>()
            .then_output(|| started("anything else"))
            .times(2),
        Rule::of::<DescribeBackupPlanListRequest>().then_http(200, r#"{"TotalElements": 0}"#),
    ]);
    let client = Client::new(&mock.config()).unwrap();
    let start = |id: &'static str| client.start_backup_plan().backup_plan_id(id).send();
    assert_eq!(
        start("b").await.unwrap().backup_plan_id.as_deref(),
        Some("for b")
    );
    assert_eq!(
        start("a").await.unwrap().backup_plan_id.as_deref(),
        Some("anything else")
    );
    assert_eq!(
        start("b").await.unwrap().backup_plan_id.as_deref(),
        Some("for b")
    );
    assert_eq!(
        start("c").await.unwrap().backup_plan_id.as_deref(),
        Some("anything else")
    );
    assert!(start("d").await.is_err(), "the counted rule is used up");
    let listed = client.describe_backup_plan_list().send().await.unwrap();
    assert_eq!(listed.total_elements, Some(0));
}

/// A paginator over the mock: each page is a rule.
#[tokio::test]
async fn paginators_run_over_the_mock() {
    let page = |n: u32, id: &str| {
        format!(
            r#"{{"PageNum": {n}, "TotalElements": 2, "Items": {{"BackupPlanDetail": [{{"BackupPlanId": "{id}"}}]}}}}"#
        )
    };
    let mock = Mock::new([
        Rule::of::<DescribeBackupPlanListRequest>().then_http(200, page(1, "p1")),
        Rule::of::<DescribeBackupPlanListRequest>()
            .matching(|request| request.page_num == Some(2))
            .then_http(200, page(2, "p2")),
    ]);
    let client = Client::new(&mock.config()).unwrap();
    let mut items = client
        .describe_backup_plan_list()
        .into_paginator()
        .unwrap()
        .items();
    let mut ids = Vec::new();
    while let Some(item) = items.next_item().await {
        ids.push(item.unwrap().backup_plan_id.unwrap());
    }
    assert_eq!(ids, ["p1", "p2"]);
}
