//! Credentials from the environment.

use std::fmt;

use super::{
    Credentials, CredentialsError, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN,
    Lookup, ProvideCredentials, ProvideFuture, non_empty_var, process_env,
};

pub(crate) const PROVIDER: &str = "environment";

/// Credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, for STS
/// credentials, `ALIBABA_CLOUD_SECURITY_TOKEN`. Empty variables count as unset. Named `env`.
#[derive(Clone)]
pub struct EnvironmentProvider {
    lookup: Lookup,
}

impl EnvironmentProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self {
            lookup: process_env(),
        }
    }

    /// Reads variables through `lookup` instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            lookup: std::sync::Arc::new(lookup),
        }
    }

    pub(crate) fn with_lookup(lookup: Lookup) -> Self {
        Self { lookup }
    }

    /// The credentials the variables hold now.
    pub fn read(&self) -> Result<Credentials, CredentialsError> {
        let required = |name| {
            non_empty_var(&self.lookup, name).ok_or(CredentialsError::EnvVarMissing { name })
        };
        let id = required(ENV_ACCESS_KEY_ID)?;
        let secret = required(ENV_ACCESS_KEY_SECRET)?;
        let credentials = match non_empty_var(&self.lookup, ENV_SECURITY_TOKEN) {
            Some(token) => Credentials::with_security_token(id, secret, token),
            None => Credentials::new(id, secret),
        };
        Ok(credentials.with_provider_name("env"))
    }
}

impl Default for EnvironmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for EnvironmentProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvironmentProvider")
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let read = self.read();
        Box::pin(async move { read })
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(PROVIDER)
    }
}
