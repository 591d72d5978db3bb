//! The test operations: a DBS `StartBackupPlan`-like RPC operation in each retry safety, with
//! DBS's RAM facts.

use std::fmt;
use std::marker::PhantomData;

use acs_runtime::json::{self, DecodeError};
use acs_runtime::ram::{AccessLevel, Facts};
use acs_runtime::{
    FromJson, Idempotency, Method, Operation, OperationError, OperationInfo, Position,
    RequestParams, ServiceError,
};

/// The operation's typed error: a thin wrapper, as generated code has.
#[derive(Debug)]
pub struct OpError(pub ServiceError);

impl From<ServiceError> for OpError {
    fn from(error: ServiceError) -> Self {
        OpError(error)
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for OpError {}

impl OperationError for OpError {
    fn service_error(&self) -> &ServiceError {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartBackupPlanResponse {
    pub request_id: Option<String>,
    pub backup_plan_id: Option<String>,
    pub created_full_backupset_id: Option<String>,
    pub success: Option<bool>,
    pub http_status_code: Option<i64>,
}

impl FromJson for StartBackupPlanResponse {
    fn from_json(json: &mut json::Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = Self {
            request_id: None,
            backup_plan_id: None,
            created_full_backupset_id: None,
            success: None,
            http_status_code: None,
        };
        json.object(|member, json| match member {
            "RequestId" => json.read_into(&mut out.request_id),
            "BackupPlanId" => json.read_into(&mut out.backup_plan_id),
            "CreatedFullBackupsetId" => json.read_into(&mut out.created_full_backupset_id),
            "Success" => json.read_into(&mut out.success),
            "HttpStatusCode" => json.read_into(&mut out.http_status_code),
            _ => json.skip(),
        })?;
        Ok(out)
    }
}

/// Retry safety of a test operation, chosen by type.
pub trait Safety: Send + Sync + 'static {
    const IDEMPOTENCY: Idempotency;
}
pub struct WithToken;
pub struct ReadOnly;
pub struct NotIdempotent;
impl Safety for WithToken {
    const IDEMPOTENCY: Idempotency = Idempotency::Token;
}
impl Safety for ReadOnly {
    const IDEMPOTENCY: Idempotency = Idempotency::ReadOnly;
}
impl Safety for NotIdempotent {
    const IDEMPOTENCY: Idempotency = Idempotency::Unsafe;
}

/// DBS `StartBackupPlan`'s RAM facts, as generated.
pub static START_BACKUP_PLAN_RAM: Facts = Facts::new("dbs:StartBackupPlan", AccessLevel::Update)
    .on(&["acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}"]);

/// A DBS `StartBackupPlan`-like RPC operation.
pub struct StartBackupPlan<S> {
    pub backup_plan_id: String,
    pub client_token: Option<String>,
    pub extra_query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub safety: PhantomData<S>,
}

impl<S> StartBackupPlan<S> {
    pub fn new(backup_plan_id: &str) -> Self {
        StartBackupPlan {
            backup_plan_id: backup_plan_id.to_owned(),
            client_token: None,
            extra_query: Vec::new(),
            form: Vec::new(),
            safety: PhantomData,
        }
    }
}

impl<S: Safety> Operation for StartBackupPlan<S> {
    type Output = StartBackupPlanResponse;
    type Error = OpError;

    const INFO: &'static OperationInfo =
        &OperationInfo::rpc("StartBackupPlan", Method::Post, S::IDEMPOTENCY);

    const RAM: Option<&'static Facts> = Some(&START_BACKUP_PLAN_RAM);

    fn write_params(&self, params: &mut RequestParams) {
        params.put(Position::Query, "BackupPlanId", &self.backup_plan_id);
        params.put(Position::Query, "ClientToken", &self.client_token);
        for (name, value) in &self.extra_query {
            params.put(Position::Query, name, value);
        }
        for (name, value) in &self.form {
            params.put(Position::Body, name, value);
        }
    }

    fn idempotency_token_mut(&mut self) -> Option<&mut Option<String>> {
        Some(&mut self.client_token)
    }
}

pub type TokenOp = StartBackupPlan<WithToken>;
pub type UnsafeOp = StartBackupPlan<NotIdempotent>;
pub type ReadOnlyOp = StartBackupPlan<ReadOnly>;
