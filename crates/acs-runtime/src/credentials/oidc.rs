//! RRSA: a RAM role assumed with an OIDC token (STS `AssumeRoleWithOIDC`), as pods in ACK use.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::error::FileProblem;
use super::file::read_small_file;
use super::ram_role::check_duration;
use super::sts::{self, DEFAULT_DURATION, Session, StsEndpoint};
use super::{
    CredentialsError, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN,
    ENV_ROLE_SESSION_NAME, Lookup, ProvideCredentials, ProvideFuture, SecretString, non_empty_var,
    process_env,
};

pub(crate) const PROVIDER: &str = "OIDC role";

/// Temporary credentials of a RAM role, from STS `AssumeRoleWithOIDC` (an anonymous call) with
/// the OIDC token in a file; the file is read again on every refresh, since it rotates. Named
/// `oidc_role_arn`.
///
/// From the environment: `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
/// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` and optionally `ALIBABA_CLOUD_ROLE_SESSION_NAME` (else
/// `acs-rust-<time>`); 3600 s sessions (at least 900); STS as [`StsEndpoint`] chooses.
#[derive(Clone)]
pub struct OidcRoleProvider {
    session: Session,
    oidc_provider_arn: String,
    token_file: PathBuf,
    endpoint: StsEndpoint,
}

impl OidcRoleProvider {
    /// Assumes `role_arn` as `oidc_provider_arn` vouches, with the token in `token_file`.
    pub fn new(
        role_arn: impl Into<String>,
        oidc_provider_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> Self {
        Self::build(
            &process_env(),
            role_arn.into(),
            oidc_provider_arn.into(),
            token_file.into(),
        )
    }

    /// The provider the environment describes (read through `lookup`), or which variable is
    /// missing.
    pub fn from_env(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Self, CredentialsError> {
        Self::from_lookup(&(Arc::new(lookup) as Lookup))
    }

    pub(crate) fn from_lookup(lookup: &Lookup) -> Result<Self, CredentialsError> {
        let required =
            |name| non_empty_var(lookup, name).ok_or(CredentialsError::EnvVarMissing { name });
        Ok(Self::build(
            lookup,
            required(ENV_ROLE_ARN)?,
            required(ENV_OIDC_PROVIDER_ARN)?,
            PathBuf::from(required(ENV_OIDC_TOKEN_FILE)?),
        ))
    }

    fn build(
        lookup: &Lookup,
        role_arn: String,
        oidc_provider_arn: String,
        token_file: PathBuf,
    ) -> Self {
        OidcRoleProvider {
            session: Session {
                role_arn,
                session_name: non_empty_var(lookup, ENV_ROLE_SESSION_NAME)
                    .unwrap_or_else(sts::default_session_name),
                duration_seconds: DEFAULT_DURATION,
                policy: None,
            },
            oidc_provider_arn,
            token_file,
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

    /// The same provider calling STS at `endpoint`.
    pub fn with_endpoint(mut self, endpoint: StsEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }
}

impl fmt::Debug for OidcRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleProvider")
            .field("role_arn", &self.session.role_arn)
            .field("oidc_provider_arn", &self.oidc_provider_arn)
            .field("token_file", &self.token_file)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for OidcRoleProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let bytes = read_small_file(&self.token_file).await.map_err(|problem| {
                CredentialsError::File {
                    provider: "OIDC token",
                    path: self.token_file.clone(),
                    problem,
                }
            })?;
            let token = String::from_utf8(bytes).map_err(|_| CredentialsError::File {
                provider: "OIDC token",
                path: self.token_file.clone(),
                problem: FileProblem::Invalid("not UTF-8 text".into()),
            })?;
            sts::assume_role_with_oidc(
                PROVIDER,
                &self.endpoint,
                &self.oidc_provider_arn,
                SecretString::new(token),
                &self.session,
            )
            .await
        })
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(PROVIDER)
    }
}
