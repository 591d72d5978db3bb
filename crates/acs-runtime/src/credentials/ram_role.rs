//! A RAM role assumed through STS `AssumeRole`, with another provider's credentials.

use std::fmt;
use std::sync::Arc;

use super::sts::{self, DEFAULT_DURATION, MIN_DURATION, Session, StsEndpoint};
use super::{
    CredentialsError, ENV_ROLE_ARN, ENV_ROLE_SESSION_NAME, Lookup, ProvideCredentials,
    ProvideFuture, non_empty_var, process_env,
};

pub(crate) const PROVIDER: &str = "RAM role ARN";

/// Temporary credentials of a RAM role, from STS `AssumeRole` signed with the credentials of
/// `source` (any provider). Named `ram_role_arn/<source's name>`.
///
/// Defaults, as the official libraries: role from `ALIBABA_CLOUD_ROLE_ARN`, session name from
/// `ALIBABA_CLOUD_ROLE_SESSION_NAME` (else `acs-rust-<time>`), 3600 s sessions (at least 900),
/// STS as [`StsEndpoint`] chooses.
#[derive(Clone)]
pub struct RamRoleArnProvider {
    source: Arc<dyn ProvideCredentials>,
    session: Session,
    external_id: Option<String>,
    endpoint: StsEndpoint,
}

impl RamRoleArnProvider {
    /// Assumes `role_arn` with `source`'s credentials.
    pub fn new(source: impl ProvideCredentials + 'static, role_arn: impl Into<String>) -> Self {
        Self::with_lookup(Arc::new(source), role_arn.into(), &process_env())
    }

    /// Assumes the role named by `ALIBABA_CLOUD_ROLE_ARN` (read through `lookup`).
    pub fn from_env(
        source: impl ProvideCredentials + 'static,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Self, CredentialsError> {
        let lookup: Lookup = Arc::new(lookup);
        let role_arn = non_empty_var(&lookup, ENV_ROLE_ARN)
            .ok_or(CredentialsError::EnvVarMissing { name: ENV_ROLE_ARN })?;
        Ok(Self::with_lookup(Arc::new(source), role_arn, &lookup))
    }

    pub(crate) fn with_lookup(
        source: Arc<dyn ProvideCredentials>,
        role_arn: String,
        lookup: &Lookup,
    ) -> Self {
        RamRoleArnProvider {
            source,
            session: Session {
                role_arn,
                session_name: non_empty_var(lookup, ENV_ROLE_SESSION_NAME)
                    .unwrap_or_else(sts::default_session_name),
                duration_seconds: DEFAULT_DURATION,
                policy: None,
            },
            external_id: None,
            endpoint: StsEndpoint::choose(lookup, None, None),
        }
    }

    /// The same provider naming the session `name`.
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session.session_name = name.into();
        self
    }

    /// The same provider asking for sessions of `seconds` (at least 900).
    pub fn with_duration_seconds(mut self, seconds: u32) -> Result<Self, CredentialsError> {
        check_duration(PROVIDER, seconds)?;
        self.session.duration_seconds = seconds;
        Ok(self)
    }

    /// The same provider narrowing the session with a RAM `policy` (JSON).
    pub fn with_policy(mut self, policy: impl Into<String>) -> Self {
        self.session.policy = Some(policy.into()).filter(|p| !p.is_empty());
        self
    }

    /// The same provider passing `external_id` (required by roles that demand one).
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into()).filter(|e| !e.is_empty());
        self
    }

    /// The same provider calling STS at `endpoint`.
    pub fn with_endpoint(mut self, endpoint: StsEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }
}

/// Session durations below STS's minimum are refused where they are configured.
pub(crate) fn check_duration(provider: &'static str, seconds: u32) -> Result<(), CredentialsError> {
    if seconds < MIN_DURATION {
        return Err(CredentialsError::NotConfigured {
            provider,
            reason: format!(
                "a session of {seconds} s is too short: STS sessions last at least {MIN_DURATION} s"
            ),
        });
    }
    Ok(())
}

impl fmt::Debug for RamRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnProvider")
            .field("source", &self.source)
            .field("role_arn", &self.session.role_arn)
            .field("session_name", &self.session.session_name)
            .field("duration_seconds", &self.session.duration_seconds)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for RamRoleArnProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let source = self.source.provide_credentials().await?;
            sts::assume_role(
                PROVIDER,
                &self.endpoint,
                source,
                &self.session,
                self.external_id.as_deref(),
            )
            .await
        })
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(PROVIDER)
    }
}
