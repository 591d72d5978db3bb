//! The default chain: every source, in the official libraries' order.

use std::fmt;
use std::sync::{Arc, Mutex};

use super::cli_profile::CliProfileProvider;
use super::file::CredentialsFileProvider;
use super::sts::StsEndpoint;
use super::{
    CredentialsError, CredentialsUriProvider, ENV_CLI_PROFILE_DISABLED, ENV_CREDENTIALS_URI,
    ENV_ECS_METADATA_DISABLED, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN,
    EcsRamRoleProvider, EnvironmentProvider, Lookup, OidcRoleProvider, ProvideCredentials,
    ProvideFuture, flag, non_empty_var, process_env,
};

/// The sources the official libraries try, in their order; the first with credentials wins and
/// is used from then on (its own refreshes included) without walking the chain again:
///
/// 1. the environment ([`EnvironmentProvider`]);
/// 2. OIDC (RRSA), when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
///    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set ([`OidcRoleProvider`]);
/// 3. the aliyun CLI profile, unless `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`
///    ([`CliProfileProvider`]);
/// 4. the credentials file ([`CredentialsFileProvider`]);
/// 5. the ECS instance's RAM role, unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`
///    ([`EcsRamRoleProvider`]; off an ECS instance this costs up to a second of waiting);
/// 6. the credentials URI, when `ALIBABA_CLOUD_CREDENTIALS_URI` is set
///    ([`CredentialsUriProvider`]).
///
/// A source that is partly configured (say, an AccessKey id without its secret) does not stop
/// the chain; if no source succeeds, the error lists every source and why it gave nothing.
/// Credentials are named `default/<source>` (`default/env`).
#[derive(Clone)]
pub struct DefaultChain {
    lookup: Lookup,
    sources: Vec<Source>,
    /// The source that answered last; once one has, it is the only one asked.
    answered: Arc<Mutex<Option<usize>>>,
}

#[derive(Clone)]
enum Source {
    Provider(Arc<dyn ProvideCredentials>),
    /// Left out of the chain, with why (reported when nothing else works).
    Skipped(fn() -> CredentialsError),
}

impl DefaultChain {
    /// A chain reading the process environment.
    pub fn new() -> Self {
        Self::build(process_env(), None, None)
    }

    /// A chain reading variables through `lookup` instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::build(Arc::new(lookup), None, None)
    }

    /// The same chain assuming roles at `endpoint` and asking the metadata service at
    /// `metadata` (test servers, or private endpoints).
    pub fn with_endpoints(self, sts: Option<StsEndpoint>, metadata: Option<String>) -> Self {
        Self::build(self.lookup, sts, metadata)
    }

    fn build(lookup: Lookup, sts: Option<StsEndpoint>, metadata: Option<String>) -> Self {
        let mut sources = vec![Source::Provider(Arc::new(
            EnvironmentProvider::with_lookup(Arc::clone(&lookup)),
        ))];
        let oidc_configured = [ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE]
            .iter()
            .all(|name| non_empty_var(&lookup, name).is_some());
        sources.push(match OidcRoleProvider::from_lookup(&lookup) {
            Ok(mut provider) if oidc_configured => {
                if let Some(endpoint) = &sts {
                    provider = provider.with_endpoint(endpoint.clone());
                }
                Source::Provider(Arc::new(provider))
            }
            _ => Source::Skipped(|| CredentialsError::NotConfigured {
                provider: super::oidc::PROVIDER,
                reason: format!(
                    "{ENV_ROLE_ARN}, {ENV_OIDC_PROVIDER_ARN} and {ENV_OIDC_TOKEN_FILE} are not all set"
                ),
            }),
        });
        sources.push(if flag(&lookup, ENV_CLI_PROFILE_DISABLED) {
            Source::Skipped(CredentialsError::cli_profile_disabled)
        } else {
            let mut provider = CliProfileProvider::with_lookup(Arc::clone(&lookup));
            provider.sts_endpoint = sts.clone();
            provider.metadata_endpoint = metadata.clone();
            Source::Provider(Arc::new(provider))
        });
        let mut file = CredentialsFileProvider::with_lookup(Arc::clone(&lookup));
        file.sts_endpoint = sts.clone();
        file.metadata_endpoint = metadata.clone();
        sources.push(Source::Provider(Arc::new(file)));
        sources.push(if flag(&lookup, ENV_ECS_METADATA_DISABLED) {
            Source::Skipped(|| CredentialsError::Disabled {
                provider: super::ecs::PROVIDER,
                variable: ENV_ECS_METADATA_DISABLED,
            })
        } else {
            let mut provider = EcsRamRoleProvider::from_lookup_arc(&lookup);
            if let Some(metadata) = &metadata {
                provider = provider.with_endpoint(metadata.clone());
            }
            Source::Provider(Arc::new(provider))
        });
        sources.push(match CredentialsUriProvider::from_lookup(&lookup) {
            Ok(provider) => Source::Provider(Arc::new(provider)),
            Err(_) => Source::Skipped(|| CredentialsError::EnvVarMissing {
                name: ENV_CREDENTIALS_URI,
            }),
        });
        DefaultChain {
            lookup,
            sources,
            answered: Arc::new(Mutex::new(None)),
        }
    }

    /// The CLI profile source, for reading the default region with
    /// [`CliProfileProvider::region`].
    pub fn profile_provider(&self) -> CliProfileProvider {
        CliProfileProvider::with_lookup(Arc::clone(&self.lookup))
    }

    fn answered(&self) -> Option<usize> {
        *self.answered.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sources: Vec<String> = self
            .sources
            .iter()
            .map(|source| match source {
                Source::Provider(provider) => format!("{provider:?}"),
                Source::Skipped(why) => format!("skipped: {}", why()),
            })
            .collect();
        f.debug_struct("DefaultChain")
            .field("sources", &sources)
            .field("answered", &self.answered())
            .finish()
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            if let Some(index) = self.answered()
                && let Source::Provider(provider) = &self.sources[index]
            {
                return provider
                    .provide_credentials()
                    .await
                    .map(|c| c.through("default"));
            }
            let mut attempts = Vec::with_capacity(self.sources.len());
            for (index, source) in self.sources.iter().enumerate() {
                match source {
                    Source::Skipped(why) => attempts.push(why()),
                    Source::Provider(provider) => match provider.provide_credentials().await {
                        Ok(credentials) => {
                            *self.answered.lock().unwrap_or_else(|e| e.into_inner()) = Some(index);
                            tracing::debug!(
                                provider = credentials.provider_name(),
                                "credentials found"
                            );
                            return Ok(credentials.through("default"));
                        }
                        Err(error) => attempts.push(error),
                    },
                }
            }
            Err(CredentialsError::NoCredentials { attempts })
        })
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        match self.answered().map(|index| &self.sources[index]) {
            Some(Source::Provider(provider)) => {
                format!("default chain ({})", provider.name()).into()
            }
            _ => "default chain".into(),
        }
    }
}
