//! The client generated service clients wrap: configuration, and the call loop (sign, send,
//! decode, retry).

use std::sync::Arc;

use crate::credentials::{DefaultChain, ProvideCredentials};
use crate::endpoint::{self, EndpointError, EndpointKind, RegionEndpoint, ResolvedEndpoint};
use crate::error::SdkError;
use crate::operation::Operation;
use crate::sign::SignatureAlgorithm;

/// Request style of an API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiStyle {
    /// `Action` and `Version` name the operation; parameters in the query.
    Rpc,
    /// REST-like paths and JSON bodies.
    Roa,
}

/// Static facts about a product API version, generated into each client crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// Product code (`dbs`).
    pub product: &'static str,
    /// API version (`2019-03-06`), sent as `x-acs-version` / `Version`.
    pub version: &'static str,
    /// RPC or ROA.
    pub style: ApiStyle,
    /// Endpoint hosts per region.
    pub endpoints: &'static [RegionEndpoint],
}

/// Client configuration shared by every service client.
#[derive(Debug, Clone)]
pub struct Config {
    /// Region to call (`cn-hangzhou`).
    pub region: String,
    /// Where credentials come from.
    pub credentials: Arc<dyn ProvideCredentials>,
    /// Public or VPC endpoints.
    pub endpoint_kind: EndpointKind,
    /// An explicit endpoint URL instead of the region table.
    pub endpoint_override: Option<String>,
    /// Signature kind.
    pub signature: SignatureAlgorithm,
}

impl Config {
    /// A configuration for `region` with credentials from the default chain and the
    /// `ACS3-HMAC-SHA256` signature.
    pub fn new(region: impl Into<String>) -> Self {
        Config {
            region: region.into(),
            credentials: Arc::new(DefaultChain::new()),
            endpoint_kind: EndpointKind::Public,
            endpoint_override: None,
            signature: SignatureAlgorithm::Acs3HmacSha256,
        }
    }
}

/// A configured client for one service; cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    service: &'static ServiceInfo,
    endpoint: ResolvedEndpoint,
    config: Arc<Config>,
}

impl Client {
    /// A client for `service` with `config`; fails when no endpoint can be resolved.
    pub fn new(service: &'static ServiceInfo, config: &Config) -> Result<Self, EndpointError> {
        let endpoint = endpoint::resolve(
            service.endpoints,
            &config.region,
            config.endpoint_kind,
            config.endpoint_override.as_deref(),
        )?;
        Ok(Client {
            service,
            endpoint,
            config: Arc::new(config.clone()),
        })
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &ResolvedEndpoint {
        &self.endpoint
    }

    /// The service this client calls.
    pub fn service(&self) -> &'static ServiceInfo {
        self.service
    }

    /// Sends `operation` and decodes the answer.
    pub async fn call<O: Operation>(&self, operation: O) -> Result<O::Output, SdkError<O::Error>> {
        let _ = (&self.config, operation);
        Err(SdkError::Transport(crate::error::TransportError::new(
            crate::error::TransportErrorKind::Connect,
            "transport not implemented yet",
        )))
    }
}
