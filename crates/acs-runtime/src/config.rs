//! Client configuration shared by every service client: region, credentials, endpoint choice,
//! signature, retries, time limits and transport.

use std::sync::Arc;

use crate::credentials::{CredentialsCache, DefaultChain, ProvideCredentials};
use crate::endpoint::EndpointKind;
use crate::error::ConfigError;
use crate::retry::RetryConfig;
use crate::sign::SignatureAlgorithm;
use crate::transport::{Timeouts, Transport};

/// Environment variable [`Config::from_env`] reads the region from.
pub const ENV_REGION_ID: &str = "ALIBABA_CLOUD_REGION_ID";

/// Client configuration shared by every service client.
///
/// `Debug` shows no secret: credential providers print only what is safe.
#[derive(Debug, Clone)]
pub struct Config {
    /// Region to call (`cn-hangzhou`).
    pub region: String,
    /// Where credentials come from, cached and refreshed before they expire; shared by every
    /// client made from this configuration (and its clones).
    pub credentials: CredentialsCache,
    /// Public or VPC endpoints.
    pub endpoint_kind: EndpointKind,
    /// An explicit endpoint URL instead of the region table.
    pub endpoint_override: Option<String>,
    /// Signature kind. [`SignatureAlgorithm::HmacSha1`] is the RPC signature; ROA APIs are then
    /// signed with `ACS3-HMAC-SHA256` (the legacy ROA signature is not implemented).
    pub signature: SignatureAlgorithm,
    /// Retry policy.
    pub retry: RetryConfig,
    /// Time limits.
    pub timeouts: Timeouts,
    /// The HTTP layer; `None` gives each [`Client`](crate::Client) its own
    /// [`DefaultTransport`](crate::DefaultTransport).
    pub transport: Option<Arc<dyn Transport>>,
}

impl Config {
    /// A configuration for `region` with credentials from the default chain and the
    /// `ACS3-HMAC-SHA256` signature.
    pub fn new(region: impl Into<String>) -> Self {
        Config {
            region: region.into(),
            credentials: CredentialsCache::new(DefaultChain::new()),
            endpoint_kind: EndpointKind::Public,
            endpoint_override: None,
            signature: SignatureAlgorithm::Acs3HmacSha256,
            retry: RetryConfig::DEFAULT,
            timeouts: Timeouts::DEFAULT,
            transport: None,
        }
    }

    /// A configuration from the environment: the region from `ALIBABA_CLOUD_REGION_ID`, else the
    /// aliyun CLI profile's `region_id`; credentials from the default chain (environment, then
    /// profile).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_chain(|name| std::env::var(name).ok(), DefaultChain::new())
    }

    /// Like [`Config::from_env`], reading variables through `lookup` instead of the process
    /// environment (for the region and for the credential chain).
    pub fn from_env_lookup(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Self, ConfigError> {
        let lookup = Arc::new(lookup);
        let chain_lookup = Arc::clone(&lookup);
        let chain = DefaultChain::from_lookup(move |name| chain_lookup(name));
        Self::from_chain(move |name| lookup(name), chain)
    }

    fn from_chain(
        lookup: impl Fn(&str) -> Option<String>,
        chain: DefaultChain,
    ) -> Result<Self, ConfigError> {
        let region = match lookup(ENV_REGION_ID).filter(|region| !region.trim().is_empty()) {
            Some(region) => region.trim().to_owned(),
            None => match chain.profile_provider().region() {
                Ok(Some(region)) => region,
                Ok(None) => return Err(ConfigError::NoRegion { profile: None }),
                Err(error) => {
                    return Err(ConfigError::NoRegion {
                        profile: Some(error),
                    });
                }
            },
        };
        Ok(Config::new(region).with_credentials(chain))
    }

    /// The same configuration with `region` replaced.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// The same configuration taking credentials from `provider` (any provider, or
    /// [`Credentials`](crate::credentials::Credentials) themselves), through a new
    /// [`CredentialsCache`].
    pub fn with_credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = CredentialsCache::new(provider);
        self
    }

    /// The same configuration calling `url` (`https://host[:port]`, `http://…` or a bare host)
    /// instead of the region's endpoint.
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint_override = Some(url.into());
        self
    }

    /// The same configuration using public or VPC endpoints.
    pub fn with_endpoint_kind(mut self, kind: EndpointKind) -> Self {
        self.endpoint_kind = kind;
        self
    }

    /// The same configuration signing with `algorithm`.
    pub fn with_signature(mut self, algorithm: SignatureAlgorithm) -> Self {
        self.signature = algorithm;
        self
    }

    /// The same configuration with the retry policy replaced.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The same configuration with the time limits replaced.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The same configuration sending through `transport` (shared by every client made from
    /// it) instead of a [`DefaultTransport`](crate::DefaultTransport) per client. The connect and read limits of
    /// [`Timeouts`] are then the transport's business; the total budget still applies.
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }
}
