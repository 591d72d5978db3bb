//! Credentials from a URL (`ALIBABA_CLOUD_CREDENTIALS_URI`), usually a local sidecar.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::http::{self, CredentialsDocument, endpoint_of, json_answer};
use super::{
    CredentialsError, ENV_CREDENTIALS_URI, Lookup, ProvideCredentials, ProvideFuture, non_empty_var,
};
use crate::headers::Headers;
use crate::transport::{Method, Transport};

pub(crate) const PROVIDER: &str = "credentials URI";

/// Credentials a URL answers with `GET`: JSON with `AccessKeyId`, `AccessKeySecret`,
/// `SecurityToken` and `Expiration` (`YYYY-MM-DDTHH:MM:SSZ`). A `Code` member, when present, must
/// be `Success` (the official Python and Java libraries require it, Go ignores it); other
/// members are ignored. Plain `http://` is accepted: the server is usually a sidecar on the
/// same host. Requests never go through a proxy (`HTTP_PROXY` is ignored): a proxy would see,
/// and could replace, the credentials. Named `credential_uri`.
#[derive(Clone)]
pub struct CredentialsUriProvider {
    uri: String,
    transport: Arc<dyn Transport>,
}

impl CredentialsUriProvider {
    /// Credentials from `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        CredentialsUriProvider {
            uri: uri.into(),
            transport: http::transport(Duration::from_secs(5), Duration::from_secs(10), false),
        }
    }

    /// Credentials from the URL in `ALIBABA_CLOUD_CREDENTIALS_URI` (read through `lookup`).
    pub fn from_env(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Self, CredentialsError> {
        Self::from_lookup(&(Arc::new(lookup) as Lookup))
    }

    pub(crate) fn from_lookup(lookup: &Lookup) -> Result<Self, CredentialsError> {
        non_empty_var(lookup, ENV_CREDENTIALS_URI)
            .map(Self::new)
            .ok_or(CredentialsError::EnvVarMissing {
                name: ENV_CREDENTIALS_URI,
            })
    }
}

impl fmt::Debug for CredentialsUriProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL's path or query may carry a credential of its own.
        f.debug_struct("CredentialsUriProvider")
            .field("endpoint", &endpoint_of(&self.uri))
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for CredentialsUriProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let url = http::parse_url(PROVIDER, &self.uri)?;
            let response = http::send(
                &*self.transport,
                PROVIDER,
                http::plain_request(Method::Get, url, Headers::new()),
                Duration::from_secs(15),
            )
            .await?;
            let endpoint = endpoint_of(&self.uri);
            let document: CredentialsDocument = json_answer(&response, PROVIDER, &endpoint)?;
            let service = |message: String| CredentialsError::Service {
                provider: PROVIDER,
                endpoint: endpoint.clone(),
                message,
            };
            match document.code.as_deref() {
                None | Some("Success") => {}
                Some(_) => return Err(service("`Code` is not `Success`".into())),
            }
            document.into_credentials("credential_uri").map_err(service)
        })
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(PROVIDER)
    }
}
