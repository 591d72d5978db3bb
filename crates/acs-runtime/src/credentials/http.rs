//! What the providers that fetch credentials over HTTP share: the transport, the fetch, and
//! reading the credentials JSON every Alibaba credential service answers with
//! (`AccessKeyId`, `AccessKeySecret`, `SecurityToken`, `Expiration`).

use std::sync::Arc;
use std::time::Duration;

use super::{Credentials, CredentialsError, SecretString, parse_expiration};
use crate::headers::Headers;
use crate::json::{self, FromJson, Kind, Reader};
use crate::transport::{
    Body, DefaultTransport, HttpRequest, HttpResponse, Method, Timeouts, Transport, Url,
};

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

/// `url`, parsed; a URL the client cannot call is [`CredentialsError::NotConfigured`].
pub(crate) fn parse_url(provider: &'static str, url: &str) -> Result<Url, CredentialsError> {
    Url::parse(url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
        .ok_or_else(|| CredentialsError::NotConfigured {
            provider,
            reason: format!("`{}` is not an http(s) URL", endpoint_of(url)),
        })
}

/// Sends `method url` with `headers`, within `budget`; a failure to get any answer is
/// [`CredentialsError::Unreachable`].
pub(crate) async fn send(
    transport: &dyn Transport,
    provider: &'static str,
    request: HttpRequest,
    budget: Duration,
) -> Result<HttpResponse, CredentialsError> {
    let endpoint = endpoint_of(request.url.as_str());
    let unreachable = |message: String| CredentialsError::Unreachable {
        provider,
        endpoint: endpoint.clone(),
        message,
    };
    match tokio::time::timeout(budget, transport.send(request)).await {
        Err(_) => Err(unreachable(format!("no answer within {budget:?}"))),
        Ok(Err(error)) => Err(unreachable(error.to_string())),
        Ok(Ok(response)) => Ok(response),
    }
}

/// A `GET` or `PUT` of `url` without a body.
pub(crate) fn plain_request(method: Method, url: Url, headers: Headers) -> HttpRequest {
    HttpRequest {
        method,
        url,
        headers,
        body: Body::empty(),
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

/// The credentials members of a JSON answer (the answer itself, or STS's `Credentials`
/// member), with the `Code` some services add. Every member must be a string; the error names
/// the member, never its value.
#[derive(Default)]
pub(crate) struct CredentialsDocument {
    access_key_id: Option<String>,
    access_key_secret: Option<SecretString>,
    security_token: Option<SecretString>,
    expiration: Option<String>,
    /// `Code`, when the answer has one (`Success` from the metadata service).
    pub code: Option<String>,
}

impl FromJson for CredentialsDocument {
    fn from_json(json: &mut Reader<'_>) -> json::Result<Self> {
        let mut out = CredentialsDocument::default();
        json.object(|member, json| {
            let slot = match member {
                "AccessKeyId" => &mut out.access_key_id,
                "AccessKeySecret" => {
                    return strict_string(json, member).map(|secret| {
                        out.access_key_secret = secret.map(SecretString::from);
                    });
                }
                "SecurityToken" => {
                    return strict_string(json, member).map(|token| {
                        out.security_token = token.map(SecretString::from);
                    });
                }
                "Expiration" => &mut out.expiration,
                "Code" => &mut out.code,
                _ => return json.skip(),
            };
            *slot = strict_string(json, member)?;
            Ok(())
        })?;
        Ok(out)
    }
}

/// A member that must be a string (`null` and `""` count as absent).
fn strict_string(json: &mut Reader<'_>, member: &str) -> json::Result<Option<String>> {
    match json.peek()? {
        Kind::String => Ok(Some(json.string()?.into_owned()).filter(|text| !text.is_empty())),
        Kind::Null => json.null().map(|_| None),
        _ => Err(json::DecodeError::new(format!(
            "`{member}` is not a string"
        ))),
    }
}

impl CredentialsDocument {
    /// The credentials the document holds, named `provider_name`, or what is missing.
    pub(crate) fn into_credentials(self, provider_name: &str) -> Result<Credentials, String> {
        let missing = |key: &str| format!("`{key}` is missing");
        let id = self.access_key_id.ok_or_else(|| missing("AccessKeyId"))?;
        let secret = self
            .access_key_secret
            .ok_or_else(|| missing("AccessKeySecret"))?;
        let token = self
            .security_token
            .ok_or_else(|| missing("SecurityToken"))?;
        let expiration = self.expiration.ok_or_else(|| missing("Expiration"))?;
        let expiry = parse_expiration(&expiration)
            .ok_or_else(|| "`Expiration` is not a time like 2021-10-20T04:27:09Z".to_owned())?;
        Ok(
            Credentials::with_security_token(id, secret.expose(), token.expose())
                .with_expiry(expiry)
                .with_provider_name(provider_name.to_owned()),
        )
    }
}

/// The body of a successful answer decoded as `T`, or the error the answer stands for.
pub(crate) fn json_answer<T: FromJson>(
    response: &HttpResponse,
    provider: &'static str,
    endpoint: &str,
) -> Result<T, CredentialsError> {
    let service = |message: String| CredentialsError::Service {
        provider,
        endpoint: endpoint.to_owned(),
        message,
    };
    if !(200..300).contains(&response.status) {
        return Err(service(format!("HTTP {}", response.status)));
    }
    json::decode(&response.body, None).map_err(|error| {
        service(if error.is_syntax() {
            format!("not JSON ({error})")
        } else {
            error.to_string()
        })
    })
}
