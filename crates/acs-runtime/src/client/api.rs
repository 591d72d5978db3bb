//! Calling an operation by name: for operations a generated crate does not have (yet), as the
//! official SDKs' `CallApi` does. The same credentials, signing, retries and error decoding as
//! a generated call; the answer as JSON, or decoded into any [`FromResponse`] type.

use std::fmt;

use super::Client;
use super::call::{self, CallSpec};
use crate::config::Config;
use crate::endpoint::{EndpointError, ResolvedEndpoint};
use crate::error::{BuildError, SdkError, ServiceError};
use crate::operation::{ApiStyle, Auth, BodyKind, FromResponse, Idempotency, ServiceInfo};
use crate::params::{RequestParams, WireValue};
use crate::transport::Method;

/// An operation given by name: its style, action, API version, method, path and parameters.
///
/// ```no_run
/// # async fn example(config: acs_runtime::Config) -> Result<(), Box<dyn std::error::Error>> {
/// use acs_runtime::client::ApiRequest;
/// use acs_runtime::Client;
///
/// let client = Client::for_endpoint("https://ecs.cn-hangzhou.aliyuncs.com", &config)?;
/// let regions = client
///     .call_api(
///         ApiRequest::rpc("DescribeRegions")
///             .version("2014-05-26")
///             .query("AcceptLanguage", "en-US")
///             .read_only(),
///     )
///     .await?;
/// println!("{}", regions["Regions"]);
/// # Ok(())
/// # }
/// ```
///
/// Retries follow the same rules as generated operations: by default a request is repeated
/// only when it provably was not processed; [`ApiRequest::read_only`] and
/// [`ApiRequest::client_token`] allow more. `Debug` shows names, not parameter values.
#[derive(Clone)]
pub struct ApiRequest {
    style: ApiStyle,
    action: String,
    version: Option<String>,
    product: Option<String>,
    method: Method,
    path: String,
    idempotency: Idempotency,
    auth: Auth,
    body: BodyKind,
    params: RequestParams,
}

impl ApiRequest {
    /// An RPC operation (`Action` names it; parameters in the query), sent with POST.
    pub fn rpc(action: impl Into<String>) -> Self {
        ApiRequest {
            style: ApiStyle::Rpc,
            action: action.into(),
            version: None,
            product: None,
            method: Method::Post,
            path: "/".to_owned(),
            idempotency: Idempotency::Unsafe,
            auth: Auth::Signed,
            body: BodyKind::Json,
            params: RequestParams::default(),
        }
    }

    /// An ROA operation: `method` on `path` (`{Name}` placeholders filled by
    /// [`ApiRequest::path_param`]); `action` is its name (`x-acs-action`).
    pub fn roa(action: impl Into<String>, method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            style: ApiStyle::Roa,
            method,
            path: path.into(),
            ..Self::rpc(action)
        }
    }

    /// The API version (`2014-05-26`); a client made by a generated crate uses its own when
    /// none is given.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// The product code, for tracing (`ecs`).
    pub fn product(mut self, product: impl Into<String>) -> Self {
        self.product = Some(product.into());
        self
    }

    /// The same operation sent with `method`.
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// A query parameter; lists and structures are flattened as the metadata's `repeatList`
    /// style does (`Name.1`, `Name.1.Key`).
    pub fn query(mut self, name: &str, value: impl WireValue) -> Self {
        self.params.query(name, &value);
        self
    }

    /// A form body field (flattened like [`ApiRequest::query`]).
    pub fn form(mut self, name: &str, value: impl WireValue) -> Self {
        self.params.form(name, &value);
        self
    }

    /// A header.
    pub fn header(mut self, name: &str, value: impl WireValue) -> Self {
        self.params.header(name, &value);
        self
    }

    /// The value of the path placeholder `{name}` (ROA).
    pub fn path_param(mut self, name: &str, value: impl WireValue) -> Self {
        self.params.path(name, &value);
        self
    }

    /// The JSON body (ROA).
    pub fn json_body(mut self, body: serde_json::Value) -> Self {
        self.params.json_body = Some(body);
        self
    }

    /// The operation only reads: it is repeated after any failure a read may be repeated
    /// after.
    pub fn read_only(mut self) -> Self {
        self.idempotency = Idempotency::ReadOnly;
        self
    }

    /// The operation takes an idempotency token in the query parameter `name` (usually
    /// `ClientToken`): one is made now, unless set already, and every attempt carries it, so
    /// repeating is safe.
    pub fn client_token(mut self, name: &str) -> Self {
        if !self.params.query.iter().any(|(key, _)| key == name) {
            self.params.query(name, &crate::ids::idempotency_token());
        }
        self.idempotency = Idempotency::Token;
        self
    }

    /// The operation is called without credentials or signature.
    pub fn anonymous(mut self) -> Self {
        self.auth = Auth::Anonymous;
        self
    }
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("style", &self.style)
            .field("action", &self.action)
            .field("version", &self.version)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("idempotency", &self.idempotency)
            .finish_non_exhaustive()
    }
}

/// What a client made for no particular service answers to: [`Client::for_endpoint`].
static ANY_SERVICE: ServiceInfo = ServiceInfo {
    product: "",
    version: "",
    style: ApiStyle::Rpc,
    gateway: crate::operation::Gateway::Acs,
    endpoints: &[],
};

impl Client {
    /// A client for any product and API version at `endpoint` (`https://host[:port]`, or a
    /// bare host for HTTPS), for [`Client::call_api`]. `config`'s endpoint override, if any,
    /// is replaced by `endpoint`.
    pub fn for_endpoint(endpoint: &str, config: &Config) -> Result<Client, EndpointError> {
        ResolvedEndpoint::parse(endpoint)?;
        Client::new(&ANY_SERVICE, &config.clone().with_endpoint(endpoint))
    }

    /// Calls the operation `request` names and gives its answer as JSON (`null` for an empty
    /// body).
    pub async fn call_api(
        &self,
        request: ApiRequest,
    ) -> Result<serde_json::Value, SdkError<ServiceError>> {
        self.call_api_as(request).await
    }

    /// Calls the operation `request` names and decodes its answer as `T` (a generated
    /// response type, or any [`FromResponse`] type).
    pub async fn call_api_as<T: FromResponse>(
        &self,
        mut request: ApiRequest,
    ) -> Result<T, SdkError<ServiceError>> {
        let params = std::mem::take(&mut request.params);
        let service = self.inner.service;
        let Some(version) = request
            .version
            .as_deref()
            .or(Some(service.version).filter(|v| !v.is_empty()))
        else {
            return Err(SdkError::Build(BuildError::MissingApiVersion {
                operation: request.action.clone(),
            }));
        };
        let host = self.inner.endpoint.host_header();
        let product = request
            .product
            .as_deref()
            .or(Some(service.product).filter(|p| !p.is_empty()))
            .unwrap_or(host);
        let spec = CallSpec {
            product,
            version,
            style: request.style,
            action: &request.action,
            method: request.method,
            path: &request.path,
            idempotency: request.idempotency,
            body: request.body,
            auth: request.auth,
            gateway: service.gateway,
        };
        // No RAM facts: the recorder's report names the operation.
        let called = crate::ram::Called {
            product,
            version,
            action: &request.action,
            facts: None,
            by_name: true,
        };
        let pending = self.recording(called, &params);
        let transport = &*self.inner.transport;
        let result = match call::invoke(self, transport, &spec, params).await {
            Ok(success) => success.decode::<T>(),
            Err(error) => Err(error),
        };
        super::recorded(pending, result)
    }
}
