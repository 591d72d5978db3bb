//! Client configuration shared by every service client: region, credentials, endpoint choice,
//! signature, retries, time limits, clock correction and transport.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{
    CredentialsCache, CredentialsError, DefaultChain, Lookup, ProvideCredentials,
};
use crate::endpoint::EndpointKind;
use crate::ram::PolicyRecorder;
use crate::retry::RetryConfig;
use crate::sign::SignatureAlgorithm;
use crate::transport::{Timeouts, Transport};

/// Environment variable [`Config::from_env`] reads the region from.
pub const ENV_REGION_ID: &str = "ALIBABA_CLOUD_REGION_ID";
/// Environment variable [`Config::from_env`] reads an endpoint for every product from, as the
/// aliyun CLI does (`https://host`, `http://…` or a bare host).
pub const ENV_ENDPOINT: &str = "ALIBABA_CLOUD_ENDPOINT";
/// Environment variable choosing VPC endpoints (`vpc`), as the aliyun CLI reads it.
pub const ENV_ENDPOINT_TYPE: &str = "ALIBABA_CLOUD_ENDPOINT_TYPE";
/// Prefix of the environment variables giving one product's endpoint:
/// `ALIBABA_CLOUD_ENDPOINT_DBS`, `ALIBABA_CLOUD_ENDPOINT_DATAWORKS_PUBLIC` (the product code
/// upper-cased, `-` as `_`).
pub const ENV_ENDPOINT_PREFIX: &str = "ALIBABA_CLOUD_ENDPOINT_";

/// The largest clock difference a client corrects by default: enough for a clock set in the
/// wrong time zone, never a year.
pub const DEFAULT_CLOCK_SKEW_LIMIT: Duration = Duration::from_secs(24 * 60 * 60);

/// Whether, and how far, a client corrects its clock from a service that refused a request's
/// time (`InvalidTimeStamp*` with the service's own `Date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockCorrection {
    /// Corrections up to this far (either way) are applied; a larger difference fails the call
    /// with the distance in its error ([`ServiceError::clock_skew`](crate::ServiceError::clock_skew)).
    Within(Duration),
    /// No correction: the refusal is the call's error.
    Off,
}

impl Default for ClockCorrection {
    fn default() -> Self {
        ClockCorrection::Within(DEFAULT_CLOCK_SKEW_LIMIT)
    }
}

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
    /// Where [`Config::from_env`] read the environment: per-product endpoints are looked up
    /// there when a client is made.
    env: Option<EnvLookup>,
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
    /// Clock correction (default: differences up to a day).
    pub clock_correction: ClockCorrection,
    /// Address a host parameter (an OSS bucket) as the path's first segment
    /// (`https://endpoint/bucket/key`) instead of the host's first label. Always so for an
    /// endpoint that is an IP address or `localhost`; only the OSS gateway has path-style
    /// addressing (SLS projects are always in the host name).
    pub path_style: bool,
    /// Check OSS object data against the CRC-64 the service computed (`x-oss-hash-crc64ecma`),
    /// as the OSS SDKs do: on by default.
    pub verify_crc64: bool,
    /// Where the RAM permissions of calls are recorded, if anywhere.
    pub policy_recorder: Option<PolicyRecorder>,
    /// The mock answering calls instead of a server (`test-util`).
    #[cfg(feature = "test-util")]
    pub(crate) intercept: Option<Arc<dyn crate::intercept::Intercept>>,
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
            env: None,
            signature: SignatureAlgorithm::Acs3HmacSha256,
            retry: RetryConfig::DEFAULT,
            timeouts: Timeouts::DEFAULT,
            transport: None,
            clock_correction: ClockCorrection::default(),
            path_style: false,
            verify_crc64: true,
            policy_recorder: None,
            #[cfg(feature = "test-util")]
            intercept: None,
        }
    }

    /// A configuration from the environment, as Alibaba's tools read it:
    ///
    /// - the region from `ALIBABA_CLOUD_REGION_ID`, else the aliyun CLI profile's `region_id`;
    /// - credentials from the default chain (environment, OIDC, profile, file, ECS, URI);
    /// - the endpoint from `ALIBABA_CLOUD_ENDPOINT_<PRODUCT>` for one product
    ///   (`ALIBABA_CLOUD_ENDPOINT_DBS`), else `ALIBABA_CLOUD_ENDPOINT` for every product (the
    ///   aliyun CLI's variable: meant for a program that calls one product), else the region's;
    ///   VPC endpoints when `ALIBABA_CLOUD_ENDPOINT_TYPE` is `vpc` (also the CLI's).
    ///
    /// [`Config::with_endpoint`] afterwards wins over the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let lookup = Arc::new(|name: &str| std::env::var(name).ok());
        Self::from_chain(lookup, DefaultChain::new())
    }

    /// Like [`Config::from_env`], reading variables through `lookup` instead of the process
    /// environment (for the region and for the credential chain).
    pub fn from_env_lookup(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Self, ConfigError> {
        let lookup = Arc::new(lookup);
        let chain_lookup = Arc::clone(&lookup);
        let chain = DefaultChain::from_lookup(move |name| chain_lookup(name));
        Self::from_chain(lookup, chain)
    }

    fn from_chain(lookup: Lookup, chain: DefaultChain) -> Result<Self, ConfigError> {
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
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let mut config = Config::new(region).with_credentials(chain);
        config.endpoint_override = non_empty(ENV_ENDPOINT);
        if non_empty(ENV_ENDPOINT_TYPE).is_some_and(|kind| kind.trim().eq_ignore_ascii_case("vpc"))
        {
            config.endpoint_kind = EndpointKind::Vpc;
        }
        config.env = Some(EnvLookup(lookup));
        Ok(config)
    }

    /// The endpoint override for `product`: an explicit one, else the environment's for the
    /// product (when made by [`Config::from_env`]), else the environment's for every product.
    pub(crate) fn endpoint_override_for(&self, product: &str) -> Option<String> {
        let per_product = self.env.as_ref().and_then(|env| {
            let name = format!(
                "{ENV_ENDPOINT_PREFIX}{}",
                product.to_ascii_uppercase().replace('-', "_")
            );
            (env.0)(&name).filter(|value| !value.trim().is_empty())
        });
        per_product.or_else(|| self.endpoint_override.clone())
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
    /// instead of the region's endpoint, whatever the environment says.
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint_override = Some(url.into());
        self.env = None;
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

    /// The same configuration correcting clock differences of at most `limit` (default
    /// [`DEFAULT_CLOCK_SKEW_LIMIT`]).
    pub fn with_clock_skew_limit(mut self, limit: Duration) -> Self {
        self.clock_correction = ClockCorrection::Within(limit);
        self
    }

    /// The same configuration addressing OSS buckets path-style (`true`) or by virtual host
    /// (`false`, the default except for IP and `localhost` endpoints).
    pub fn with_path_style(mut self, path_style: bool) -> Self {
        self.path_style = path_style;
        self
    }

    /// The same configuration checking (`true`, the default) or not checking OSS object data
    /// against its CRC-64.
    pub fn with_crc64_check(mut self, verify: bool) -> Self {
        self.verify_crc64 = verify;
        self
    }

    /// The same configuration never correcting its clock.
    pub fn without_clock_correction(mut self) -> Self {
        self.clock_correction = ClockCorrection::Off;
        self
    }

    /// The same configuration recording the RAM permissions of every call its clients make
    /// in `recorder` (see [`PolicyRecorder`]; pass a clone and keep the original to read the
    /// policy).
    pub fn with_policy_recorder(mut self, recorder: PolicyRecorder) -> Self {
        self.policy_recorder = Some(recorder);
        self
    }
}

/// The environment a configuration was read from (never shown: it holds secrets).
#[derive(Clone)]
struct EnvLookup(Lookup);

impl fmt::Debug for EnvLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvLookup")
    }
}

/// A configuration could not be read from the environment.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither `ALIBABA_CLOUD_REGION_ID` nor the aliyun CLI profile names a region.
    NoRegion {
        /// Why the profile could not supply one, when it could not be read at all.
        profile: Option<CredentialsError>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoRegion { profile } => {
                write!(
                    f,
                    "no region: set {ENV_REGION_ID} or a `region_id` in the aliyun CLI profile"
                )?;
                if let Some(error) = profile {
                    write!(f, " ({error})")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The profile's error is in this one's text: the chain goes on below it.
        match self {
            ConfigError::NoRegion { profile } => profile.as_ref().and_then(|e| e.source()),
        }
    }
}

/// Settings for one call, over the client's: made with `.customize(|settings| …)` on a
/// generated operation's builder (or [`Client::customized`](crate::Client::customized)).
/// Unset settings are the client's.
///
/// ```
/// use std::time::Duration;
/// use acs_runtime::{CallSettings, RetryConfig};
///
/// let settings = CallSettings::default()
///     .total_timeout(Duration::from_secs(5))
///     .retry(RetryConfig::disabled())
///     .header("x-acs-trace-id", "abc");
/// # let _ = settings;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CallSettings {
    /// The call's whole budget, instead of [`Timeouts::total`].
    pub total_timeout: Option<Duration>,
    /// The limit of each attempt, instead of [`Timeouts::attempt`].
    pub attempt_timeout: Option<Duration>,
    /// The retry policy, instead of the client's.
    pub retry: Option<RetryConfig>,
    /// The endpoint URL, instead of the client's (`https://host[:port]`, `http://…` or a
    /// bare host).
    pub endpoint: Option<String>,
    /// The signature, instead of the client's.
    pub signature: Option<SignatureAlgorithm>,
    /// Headers added to the request (names the runtime sets itself are ignored; `x-acs-*`
    /// headers are signed).
    pub headers: Vec<(String, String)>,
    /// Query parameters added to the request (signed).
    pub query: Vec<(String, String)>,
}

impl CallSettings {
    /// The same settings with the call's whole budget set to `total`.
    pub fn total_timeout(mut self, total: Duration) -> Self {
        self.total_timeout = Some(total);
        self
    }

    /// The same settings with each attempt limited to `attempt`.
    pub fn attempt_timeout(mut self, attempt: Duration) -> Self {
        self.attempt_timeout = Some(attempt);
        self
    }

    /// The same settings retrying as `retry` says.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The same settings calling `url`.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The same settings signing with `algorithm`.
    pub fn signature(mut self, algorithm: SignatureAlgorithm) -> Self {
        self.signature = Some(algorithm);
        self
    }

    /// The same settings adding the header `name: value`.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same settings adding the query parameter `name=value`.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }
}
