//! The client generated service clients wrap.
//!
//! A call ([`Client::call`]) goes like this:
//!
//! 1. **prepare**: an operation with [`Idempotency::Token`] whose token is unset gets a fresh
//!    UUID v4, once, so every attempt carries the same token; the operation writes its
//!    parameters, once, and they are laid out as a request (`client/request.rs`);
//! 2. then attempts (`client/call.rs`), each in named phases under the call's one deadline:
//!    **credentials**, **sign**, **send**, **read**; a failure is retried when [`crate::retry`]
//!    says that is safe, after a jittered backoff, within the budget ([`Timeouts::total`]);
//! 3. **decode**: the success body is read into the operation's output type, still inside the
//!    budget.
//!
//! Only the first and last steps depend on the operation's types. [`Client::call`] is a thin
//! generic shell around one non-generic loop, so the loop is compiled once in this crate rather
//! than once per operation in every generated crate.
//!
//! Each call runs in a `tracing` span `acs_call` with one child span `acs_attempt` per attempt,
//! their fields named after OpenTelemetry's RPC, cloud and HTTP conventions (`client/call.rs`). No
//! secret, token or signature is ever logged.
//!
//! [`Timeouts::total`]: crate::transport::Timeouts::total

mod api;
mod call;
mod clock;
mod presign;
mod request;

pub use api::ApiRequest;
pub use presign::PresignedRequest;

use std::sync::Arc;

use crate::config::{CallSettings, Config};
use crate::endpoint::{self, EndpointError, ResolvedEndpoint};
use crate::error::SdkError;
use crate::operation::{Idempotency, Operation, ServiceInfo};
use crate::params::RequestParams;
use crate::sign::SigningScheme;
use crate::transport::{DefaultTransport, Transport, Url};

use call::CallSpec;

/// A configured client for one service; cheap to clone (clones share connections and
/// configuration: one reference count, as builders clone it for every call).
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Settings of the calls made through this handle, over the client's
    /// ([`Client::customized`]).
    settings: Option<Arc<CallSettings>>,
}

#[derive(Debug)]
struct Inner {
    service: &'static ServiceInfo,
    endpoint: ResolvedEndpoint,
    /// The endpoint parsed once: requests put their path and query on a copy.
    base_url: Url,
    config: Config,
    transport: Arc<dyn Transport>,
    /// Resolved once from the configured algorithm and the API style.
    scheme: SigningScheme,
    /// Fixed for the client's life, so formatted once rather than per call.
    user_agent: String,
    /// What services said about the local clock.
    clock: clock::ClockOffset,
}

impl Client {
    /// A client for `service` with `config`; fails when no endpoint can be resolved.
    pub fn new(service: &'static ServiceInfo, config: &Config) -> Result<Self, EndpointError> {
        let endpoint = endpoint::resolve(
            service.endpoints,
            &config.region,
            config.endpoint_kind,
            config.endpoint_override_for(service.product).as_deref(),
        )?;
        let transport = match &config.transport {
            Some(transport) => Arc::clone(transport),
            None => Arc::new(DefaultTransport::new(config.timeouts)),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                service,
                base_url: endpoint.url()?,
                endpoint,
                config: config.clone(),
                transport,
                scheme: SigningScheme::for_gateway(
                    service.gateway,
                    config.signature,
                    service.style == crate::operation::ApiStyle::Rpc,
                ),
                user_agent: user_agent(service),
                clock: clock::ClockOffset::default(),
            }),
            settings: None,
        })
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &ResolvedEndpoint {
        &self.inner.endpoint
    }

    /// The service this client calls.
    pub fn service(&self) -> &'static ServiceInfo {
        self.inner.service
    }

    /// The configuration this client was made with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// This client with calls made through it using `customize`'s settings over the client's
    /// (timeouts, retries, endpoint, signature, extra headers and query parameters). The
    /// connections, credentials and the client itself are shared; the client's own settings
    /// are unchanged. Settings given earlier on this handle are the starting point.
    pub fn customized(&self, customize: impl FnOnce(CallSettings) -> CallSettings) -> Client {
        let current = self.settings.as_deref().cloned().unwrap_or_default();
        Client {
            inner: Arc::clone(&self.inner),
            settings: Some(Arc::new(customize(current))),
        }
    }

    /// Sends `operation` and decodes the answer, retrying where that is safe (see
    /// [`crate::retry`]).
    pub async fn call<O: Operation>(&self, operation: O) -> Result<O::Output, SdkError<O::Error>> {
        let (_operation, params) = prepare(operation);
        let called = crate::ram::Called {
            product: self.inner.service.product,
            version: self.inner.service.version,
            action: O::INFO.action,
            facts: O::RAM,
            by_name: false,
        };
        let pending = self.recording(called, &params);
        #[cfg(feature = "test-util")]
        if let Some(intercept) = &self.inner.config.intercept {
            let result = self.intercepted(&**intercept, &_operation, params).await;
            return recorded(pending, result);
        }
        let result = self.call_with::<O>(&*self.inner.transport, params).await;
        recorded(pending, result)
    }

    /// The call as the configuration's policy recorder notes it, if it has one: once per
    /// call, recorded when the call ends ([`recorded`]).
    fn recording(
        &self,
        called: crate::ram::Called<'_>,
        params: &RequestParams,
    ) -> Option<crate::ram::Pending> {
        let recorder = self.inner.config.policy_recorder.as_ref()?;
        Some(recorder.call(called, &self.inner.config.region, params))
    }

    /// The call of an operation whose parameters are written, through `transport`: the
    /// attempts ([`call`]), then the **decode** phase, which needs the output's type.
    async fn call_with<O: Operation>(
        &self,
        transport: &dyn Transport,
        params: RequestParams,
    ) -> Result<O::Output, SdkError<O::Error>> {
        let spec = CallSpec::of(O::INFO, self.inner.service);
        let result = match call::invoke(self, transport, &spec, params).await {
            Ok(success) => success.decode_with::<O::Output>(O::read_headers),
            Err(error) => Err(error),
        };
        result.map_err(|error| error.map_service(O::Error::from))
    }

    /// The answer a mock gives a call (`test-util`).
    #[cfg(feature = "test-util")]
    async fn intercepted<O: Operation>(
        &self,
        intercept: &dyn crate::intercept::Intercept,
        operation: &O,
        params: RequestParams,
    ) -> Result<O::Output, SdkError<O::Error>> {
        use crate::intercept::Intercepted;
        use crate::transport::{TransportError, TransportErrorKind};
        let answer = intercept.answer(
            std::any::TypeId::of::<O>(),
            O::INFO.action,
            operation,
            &params,
        );
        match answer {
            Intercepted::Output(output) => match output.downcast::<O::Output>() {
                Ok(output) => Ok(*output),
                Err(_) => unreachable!("a rule answers its own operation's output"),
            },
            Intercepted::Error(error) => match error.downcast::<O::Error>() {
                Ok(error) => Err(SdkError::Service(*error)),
                Err(_) => unreachable!("a rule answers its own operation's error"),
            },
            Intercepted::Http(response) => {
                self.call_with::<O>(&crate::mock::Canned(response), params)
                    .await
            }
            Intercepted::Unanswered => Err(SdkError::Transport(TransportError::new(
                TransportErrorKind::Request,
                format!("mock: no rule answers this call of {}", O::INFO.action),
            ))),
        }
    }
}

/// `result`, with the call it ends recorded (unless no request could be built: that call
/// needed no permission).
fn recorded<T, E>(
    pending: Option<crate::ram::Pending>,
    result: Result<T, SdkError<E>>,
) -> Result<T, SdkError<E>> {
    if let (Some(pending), Err(SdkError::Build(_))) = (pending, &result) {
        pending.not_built();
    }
    result
}

/// An operation ready to send: an unset idempotency token filled with a fresh UUID (once, so
/// every attempt carries the same token), then its parameters written.
pub(crate) fn prepare<O: Operation>(mut operation: O) -> (O, RequestParams) {
    if O::INFO.idempotency == Idempotency::Token
        && let Some(slot) = operation.idempotency_token_mut()
        && slot.is_none()
    {
        *slot = Some(crate::ids::idempotency_token());
    }
    let mut params = RequestParams::default();
    operation.write_params(&mut params);
    (operation, params)
}

/// `acs-runtime/<version> (<os>; <arch>) <product>/<api version>`: names the crate and version.
pub(crate) fn user_agent(service: &ServiceInfo) -> String {
    format!(
        "{}/{} ({}; {}) {}/{}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        service.product,
        service.version
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::ApiStyle;

    static DBS: ServiceInfo = ServiceInfo {
        product: "dbs",
        version: "2019-03-06",
        style: ApiStyle::Rpc,
        gateway: crate::operation::Gateway::Acs,
        endpoints: &[],
    };

    #[test]
    fn user_agent_names_the_crate_and_service() {
        let agent = user_agent(&DBS);
        assert!(agent.starts_with(concat!("acs-runtime/", env!("CARGO_PKG_VERSION"), " (")));
        assert!(agent.ends_with(") dbs/2019-03-06"));
    }
}
