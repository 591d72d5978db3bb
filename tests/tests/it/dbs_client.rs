//! The generated DBS client behaves as its spec says, without any network.

use acs_dbs20190306::operation::start_backup_plan::{
    RAM, StartBackupPlanError, StartBackupPlanRequest, StartBackupPlanResponse,
};
use acs_dbs20190306::prelude::*;
use acs_runtime::json;
use acs_runtime::ram::AccessLevel;
use acs_runtime::{Operation, RequestParams, ServiceError};

fn decode(body: &str) -> Result<StartBackupPlanResponse, json::DecodeError> {
    json::decode(body.as_bytes(), None)
}

#[test]
fn build_names_the_missing_required_parameter() {
    let error = StartBackupPlanRequest::builder()
        .client_token("t")
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "StartBackupPlan: the required parameter `BackupPlanId` is not set (set it with `.backup_plan_id(…)`)"
    );
}

#[test]
fn parameters_go_in_the_query_and_client_token_is_the_idempotency_token() {
    let mut request = StartBackupPlanRequest::builder()
        .backup_plan_id("dbsqdss5tmh****")
        .build()
        .unwrap();
    let mut params = RequestParams::default();
    request.write_params(&mut params);
    assert_eq!(
        params.query,
        vec![("BackupPlanId".to_owned(), "dbsqdss5tmh****".to_owned())]
    );
    assert_eq!(StartBackupPlanRequest::INFO.action, "StartBackupPlan");
    assert_eq!(
        StartBackupPlanRequest::INFO.idempotency,
        acs_runtime::Idempotency::Token
    );
    *request.idempotency_token_mut().unwrap() = Some("token".to_owned());
    assert_eq!(request.client_token.as_deref(), Some("token"));
}

#[test]
fn responses_tolerate_unknown_and_absent_fields() {
    // The documented success body (official SDK decode vector), plus a field the spec lacks.
    let body = r#"{"HttpStatusCode": 200, "RequestId": "D13761C3-9971-5C02-B789-3F3CD159****", "Success": true, "CreatedFullBackupsetId": "1h7toien3****", "BackupPlanId": "dbsqdss5tm****", "NewField": [1]}"#;
    let response = decode(body).unwrap();
    assert_eq!(response.http_status_code, Some(200));
    assert_eq!(response.success, Some(true));
    assert_eq!(
        response.created_full_backupset_id.as_deref(),
        Some("1h7toien3****")
    );
    assert_eq!(response.backup_plan_id.as_deref(), Some("dbsqdss5tm****"));
    assert_eq!(response.err_code, None);
    assert_eq!(decode("{}").unwrap(), StartBackupPlanResponse::default());
}

#[test]
fn scalars_sent_as_strings_still_decode() {
    let body = r#"{"HttpStatusCode": "200", "Success": "true", "RequestId": "R", "ErrCode": ""}"#;
    let response = decode(body).unwrap();
    assert_eq!(response.http_status_code, Some(200));
    assert_eq!(response.success, Some(true));
    assert_eq!(
        response.err_code.as_deref(),
        Some(""),
        "strings stay as sent"
    );
    let wrong = decode(r#"{"HttpStatusCode": "OK"}"#)
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("`HttpStatusCode`"), "{wrong}");
    assert!(!wrong.contains("OK"), "no value in the message: {wrong}");
}

#[test]
fn error_codes_map_to_variants_and_unknown_ones_to_unhandled() {
    let forbidden = StartBackupPlanError::from(ServiceError::new(
        "Request.Forbidden",
        "Have no Permissions",
        Some("X".to_owned()),
        403,
    ));
    assert!(matches!(
        forbidden,
        StartBackupPlanError::RequestForbidden(_)
    ));
    assert_eq!(forbidden.request_id(), Some("X"));
    assert_eq!(
        forbidden.to_string(),
        "Request.Forbidden: Have no Permissions (request id: X, HTTP status: 403)"
    );
    let business =
        StartBackupPlanError::from(ServiceError::new("Param.NotFound", "missing", None, 200));
    assert!(matches!(business, StartBackupPlanError::ParamNotFound(_)));
    let other = StartBackupPlanError::from(ServiceError::new(
        "InternalError",
        "boom",
        Some("Z".to_owned()),
        500,
    ));
    assert!(matches!(other, StartBackupPlanError::Unhandled(_)));
    assert_eq!(
        (other.code(), other.message(), other.http_status()),
        ("InternalError", "boom", 500)
    );
}

#[test]
fn ram_facts_and_concrete_arns() {
    assert_eq!(RAM.action, "dbs:StartBackupPlan");
    assert_eq!(RAM.access_level, AccessLevel::Update);
    assert_eq!(
        RAM.resource_arn_templates,
        ["acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}"]
    );
    let request = StartBackupPlanRequest::builder()
        .backup_plan_id("dbsq1")
        .build()
        .unwrap();
    assert_eq!(
        request.resource_arns("cn-hangzhou", "123"),
        ["acs:dbs:cn-hangzhou:123:backupplan/dbsq1"]
    );
    let policy: serde_json::Value = serde_json::from_str(include_str!(
        "../../../crates/acs-dbs20190306/policies/StartBackupPlan.json"
    ))
    .unwrap();
    assert_eq!(
        policy["Statement"][0]["Resource"][0],
        "acs:dbs:*:*:backupplan/*"
    );
}
