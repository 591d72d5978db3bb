//! What the providers that fetch credentials over HTTP share: the transport, the fetch, and
//! reading the credentials JSON every Alibaba credential service answers with
//! (`AccessKeyId`, `AccessKeySecret`, `SecurityToken`, `Expiration`).

use std::sync::Arc;
use std::time::Duration;

use super::{Credentials, CredentialsError, parse_expiration};
use crate::headers::Headers;
use crate::json::{self, Value};
use crate::operation::Method;
use crate::transport::{DefaultTransport, HttpRequest, HttpResponse, Timeouts, Transport};

/// The largest credentials answer read: a credentials document is a few hundred bytes.
const MAX_ANSWER: usize = 64 * 1024;

/// A transport for credential services, with the official libraries' time limits.
pub(crate) fn transport(connect: Duration, read: Duration, proxy: bool) -> Arc<dyn Transport> {
    let timeouts = Timeouts::DEFAULT.with_connect(connect).with_read(read);
    let transport = DefaultTransport::new(timeouts).with_max_body(MAX_ANSWER);
    Arc::new(if proxy {
        transport
    } else {
        transport.without_proxy()
    })
}

/// Sends `method url` with `headers`, within `budget`; a failure to get any answer is
/// [`CredentialsError::Unreachable`].
pub(crate) async fn send(
    transport: &dyn Transport,
    provider: &'static str,
    method: Method,
    url: &str,
    headers: Headers,
    budget: Duration,
) -> Result<HttpResponse, CredentialsError> {
    let request = HttpRequest {
        method,
        url: url.to_owned(),
        headers,
        body: Vec::new(),
    };
    let unreachable = |message: String| CredentialsError::Unreachable {
        provider,
        endpoint: endpoint_of(url),
        message,
    };
    match tokio::time::timeout(budget, transport.send(request)).await {
        Err(_) => Err(unreachable(format!("no answer within {budget:?}"))),
        Ok(Err(error)) => Err(unreachable(error.to_string())),
        Ok(Ok(response)) => Ok(response),
    }
}

/// `scheme://host[:port]` of a URL: what errors name (a URL's path or query may hold a
/// credential).
pub(crate) fn endpoint_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    url[..end].to_owned()
}

/// The credentials in a JSON answer's object `document` (the answer itself, or STS's
/// `Credentials` member). Errors name what is missing, never a value.
pub(crate) fn credentials_from(
    document: &Value,
    provider_name: &str,
) -> Result<Credentials, String> {
    let field = |key: &str| match document.get(key) {
        Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(format!("`{key}` is missing")),
        Some(_) => Err(format!("`{key}` is not a string")),
    };
    let id = field("AccessKeyId")?;
    let secret = field("AccessKeySecret")?;
    let token = field("SecurityToken")?;
    let expiration = field("Expiration")?;
    let expiry = parse_expiration(&expiration)
        .ok_or_else(|| "`Expiration` is not a time like 2021-10-20T04:27:09Z".to_owned())?;
    Ok(Credentials::with_security_token(id, secret, token)
        .with_expiry(expiry)
        .with_provider_name(provider_name.to_owned()))
}

/// The body of a successful answer as JSON, or the error the answer stands for.
pub(crate) fn json_answer(
    response: &HttpResponse,
    provider: &'static str,
    url: &str,
) -> Result<Value, CredentialsError> {
    let service = |message: String| CredentialsError::Service {
        provider,
        endpoint: endpoint_of(url),
        message,
    };
    if !(200..300).contains(&response.status) {
        return Err(service(format!("HTTP {}", response.status)));
    }
    json::parse(&response.body).map_err(|error| service(format!("not JSON ({error})")))
}
