//! STS (Security Token Service, API version 2015-04-01): `AssumeRole` and
//! `AssumeRoleWithOIDC`, through a small client of its own on the signer and the transport.
//!
//! Credential providers sit below the call core ([`crate::Client`] needs credentials, so it
//! cannot be what fetches them); this client is what the official credential libraries do: an
//! RPC call signed with `HMAC-SHA1` (or unsigned, for the OIDC exchange), a form body, one
//! retry when the connection failed, and the answer's `Credentials` read and nothing else
//! kept. Errors quote STS's code and message, scrubbed of the secret, the
//! token and the signature sent.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::http::{self, CredentialsDocument, endpoint_of};
use super::{
    Credentials, CredentialsError, ENV_STS_REGION, ENV_VPC_ENDPOINT_ENABLED, Lookup, SecretString,
    flag, non_empty_var,
};
use crate::answer::Summary;
use crate::encoding::form_encode_pairs;
use crate::json::{self, FromJson, Reader};
use crate::sanitize::Scrubber;
use crate::sign::{self, SignableRequest, SigningParams, SigningScheme};
use crate::transport::{Body, HttpRequest, Method, Transport, TransportErrorKind};

/// The API version of the STS calls.
const VERSION: &str = "2015-04-01";
/// Attempts per STS call: one retry when the connection failed (assuming a role changes
/// nothing, so repeating it is harmless). An answer, even HTTP 5xx, is the call's outcome: the
/// cache backs off from failures, so a failing STS sees one request per back-off step.
const ATTEMPTS: u32 = 2;
/// The limit of one attempt, connecting and reading included.
const ATTEMPT_BUDGET: Duration = Duration::from_secs(15);

/// Where STS calls go: `https://sts.aliyuncs.com` unless a region (`ALIBABA_CLOUD_STS_REGION`)
/// picks `sts.<region>.aliyuncs.com`, which `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true` turns into
/// `sts-vpc.<region>.aliyuncs.com`, as the official libraries choose; or any URL given.
#[derive(Clone, PartialEq, Eq)]
pub struct StsEndpoint {
    url: String,
}

impl StsEndpoint {
    /// The official choice, from `region` (else `ALIBABA_CLOUD_STS_REGION`) and `vpc` (else
    /// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`).
    pub(crate) fn choose(lookup: &Lookup, region: Option<&str>, vpc: Option<bool>) -> Self {
        let region = region
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .or_else(|| non_empty_var(lookup, ENV_STS_REGION));
        let vpc = vpc.unwrap_or_else(|| flag(lookup, ENV_VPC_ENDPOINT_ENABLED));
        let host = match region {
            // Without a region the VPC switch has no effect, as in the official libraries.
            None => "sts.aliyuncs.com".to_owned(),
            Some(region) if vpc => format!("sts-vpc.{region}.aliyuncs.com"),
            Some(region) => format!("sts.{region}.aliyuncs.com"),
        };
        StsEndpoint {
            url: format!("https://{host}"),
        }
    }

    /// STS at `url` (`https://host[:port]`, or `http://…` for a test server).
    pub fn url(url: impl Into<String>) -> Self {
        StsEndpoint { url: url.into() }
    }

    /// The endpoint's URL.
    pub fn as_str(&self) -> &str {
        &self.url
    }
}

impl fmt::Debug for StsEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// Session duration limits STS accepts, in seconds.
pub(crate) const DEFAULT_DURATION: u32 = 3600;
pub(crate) const MIN_DURATION: u32 = 900;

/// The parameters both role-assuming calls share.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub role_arn: String,
    pub session_name: String,
    pub duration_seconds: u32,
    pub policy: Option<String>,
}

impl Session {
    fn form(&self) -> Vec<(String, String)> {
        let mut form = vec![
            ("RoleArn".to_owned(), self.role_arn.clone()),
            ("RoleSessionName".to_owned(), self.session_name.clone()),
            (
                "DurationSeconds".to_owned(),
                self.duration_seconds.to_string(),
            ),
        ];
        if let Some(policy) = &self.policy {
            form.push(("Policy".to_owned(), policy.clone()));
        }
        form
    }
}

/// A role session name when none is configured, unique enough per process: `acs-rust-<ms>`
/// (the official libraries use `credentials-<language>-<time>`).
pub(crate) fn default_session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("acs-rust-{millis}")
}

/// What STS answers: the `Credentials` member.
#[derive(Default)]
struct Answer(Option<CredentialsDocument>);

impl FromJson for Answer {
    fn from_json(json: &mut Reader<'_>) -> json::Result<Self> {
        let mut out = Answer::default();
        json.object(|member, json| match member {
            "Credentials" => json.read_into(&mut out.0),
            _ => json.skip(),
        })?;
        Ok(out)
    }
}

/// The transport every STS call of the process shares, with the official libraries' limits
/// (connect 5 s, read 10 s), so sessions reuse their connections.
fn shared_transport() -> Arc<dyn Transport> {
    static TRANSPORT: OnceLock<Arc<dyn Transport>> = OnceLock::new();
    Arc::clone(
        TRANSPORT
            .get_or_init(|| http::transport(Duration::from_secs(5), Duration::from_secs(10), true)),
    )
}

/// `AssumeRole` with `source` credentials: the role's temporary credentials.
pub(crate) async fn assume_role(
    provider: &'static str,
    endpoint: &StsEndpoint,
    source: Credentials,
    session: &Session,
    external_id: Option<&str>,
) -> Result<Credentials, CredentialsError> {
    let name = format!("ram_role_arn/{}", source.provider_name());
    let mut form = session.form();
    if let Some(external_id) = external_id {
        form.push(("ExternalId".to_owned(), external_id.to_owned()));
    }
    call(provider, endpoint, "AssumeRole", form, Some(&source), None)
        .await?
        .into_credentials(&name)
        .map_err(|message| CredentialsError::Service {
            provider,
            endpoint: endpoint_of(endpoint.as_str()),
            message,
        })
}

/// `AssumeRoleWithOIDC` with `token`: the role's temporary credentials.
pub(crate) async fn assume_role_with_oidc(
    provider: &'static str,
    endpoint: &StsEndpoint,
    oidc_provider_arn: &str,
    token: SecretString,
    session: &Session,
) -> Result<Credentials, CredentialsError> {
    let mut form = session.form();
    form.push(("OIDCProviderArn".to_owned(), oidc_provider_arn.to_owned()));
    form.push(("OIDCToken".to_owned(), token.expose().to_owned()));
    call(
        provider,
        endpoint,
        "AssumeRoleWithOIDC",
        form,
        None,
        Some(token.expose()),
    )
    .await?
    .into_credentials("oidc_role_arn")
    .map_err(|message| CredentialsError::Service {
        provider,
        endpoint: endpoint_of(endpoint.as_str()),
        message,
    })
}

/// One STS call, in a `tracing` span `acs_credentials` named as the client's calls are
/// (`rpc.service` `sts`, `rpc.method` the action).
async fn call(
    provider: &'static str,
    endpoint: &StsEndpoint,
    action: &'static str,
    form: Vec<(String, String)>,
    signer: Option<&Credentials>,
    secret: Option<&str>,
) -> Result<CredentialsDocument, CredentialsError> {
    use tracing::Instrument as _;
    let span = tracing::debug_span!(
        "acs_credentials",
        otel.name = %format_args!("sts/{action}"),
        otel.kind = "client",
        rpc.system = "alibaba_cloud",
        rpc.service = "sts",
        rpc.method = action,
        server.address = %endpoint_of(endpoint.as_str()),
    );
    attempts(provider, endpoint, action, form, signer, secret)
        .instrument(span)
        .await
}

/// `action` with `form`, signed with `signer` (unsigned without), retried once when the
/// connection failed. `secret` is one more string the errors must not show (the OIDC token).
async fn attempts(
    provider: &'static str,
    endpoint: &StsEndpoint,
    action: &'static str,
    form: Vec<(String, String)>,
    signer: Option<&Credentials>,
    secret: Option<&str>,
) -> Result<CredentialsDocument, CredentialsError> {
    let base = http::parse_url(provider, endpoint.as_str())?;
    let shown_endpoint = endpoint_of(endpoint.as_str());
    let host = match base.port() {
        Some(port) => format!("{}:{port}", base.host_str().unwrap_or_default()),
        None => base.host_str().unwrap_or_default().to_owned(),
    };
    let body = form_encode_pairs(&form);
    let user_agent = concat!(
        env!("CARGO_PKG_NAME"),
        "/",
        env!("CARGO_PKG_VERSION"),
        " sts"
    );
    let transport = shared_transport();
    let mut attempt = 1;
    loop {
        let unix_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let timestamp = sign::format_timestamp(unix_time);
        let nonce = crate::ids::nonce();
        let scheme = SigningScheme::RpcHmacSha1;
        let request = SignableRequest {
            method: Method::Post,
            host: &host,
            path: "/",
            query: &[],
            form: &form,
            body: body.as_bytes(),
            content_type: Some(crate::encoding::FORM_CONTENT_TYPE),
            headers: &[],
            action,
            version: VERSION,
            user_agent,
            host_label: None,
            region: "",
        };
        let signed = sign::sign(
            &request,
            &SigningParams {
                scheme,
                credentials: signer.map(|credentials| credentials.signing(scheme)),
                timestamp: &timestamp,
                unix_time,
                nonce: &nonce,
            },
        );
        let signature = signed.signature;
        let scrubber = Scrubber::new()
            .with(secret)
            .with(signer.map(Credentials::access_key_secret))
            .with(signer.and_then(Credentials::security_token))
            .with(signature.as_ref().map(sign::Signature::as_str));
        let outgoing = HttpRequest::to_endpoint(
            Method::Post,
            &base,
            "/",
            &signed.query,
            signed.headers,
            Body::from(body.clone()),
        );
        let last = attempt >= ATTEMPTS;
        let response = match tokio::time::timeout(ATTEMPT_BUDGET, transport.send(outgoing)).await {
            Ok(Ok(response)) => response,
            Ok(Err(error))
                if !last
                    && matches!(
                        error.kind,
                        TransportErrorKind::Connect
                            | TransportErrorKind::Timeout
                            | TransportErrorKind::Io
                    ) =>
            {
                attempt += 1;
                continue;
            }
            Err(_) if !last => {
                attempt += 1;
                continue;
            }
            Ok(Err(error)) => {
                let mut message = error.to_string();
                scrubber.scrub(&mut message);
                return Err(CredentialsError::Unreachable {
                    provider,
                    endpoint: shown_endpoint,
                    message,
                });
            }
            Err(_) => {
                return Err(CredentialsError::Unreachable {
                    provider,
                    endpoint: shown_endpoint,
                    message: format!("no answer within {ATTEMPT_BUDGET:?}"),
                });
            }
        };
        let service = |mut message: String| {
            scrubber.scrub(&mut message);
            CredentialsError::Service {
                provider,
                endpoint: shown_endpoint.clone(),
                message,
            }
        };
        if !(200..300).contains(&response.status) {
            let summary = Summary::read(&response.body, None).unwrap_or_default();
            return Err(service(format!(
                "{} {} (request id {}, HTTP {})",
                summary.code.as_deref().unwrap_or("(no code)"),
                summary.message.as_deref().unwrap_or_default(),
                summary.request_id.as_deref().unwrap_or("none"),
                response.status
            )));
        }
        return match json::decode::<Answer>(&response.body, None) {
            Ok(Answer(Some(document))) => Ok(document),
            Ok(Answer(None)) => Err(service("the answer has no `Credentials`".into())),
            Err(error) => Err(service(error.to_string())),
        };
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn chosen(vars: &[(&str, &str)], region: Option<&str>, vpc: Option<bool>) -> String {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup: Lookup = Arc::new(move |name: &str| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        });
        StsEndpoint::choose(&lookup, region, vpc)
            .as_str()
            .to_owned()
    }

    #[test]
    fn the_sts_endpoint_is_chosen_as_the_official_libraries_choose_it() {
        assert_eq!(chosen(&[], None, None), "https://sts.aliyuncs.com");
        assert_eq!(
            chosen(&[("ALIBABA_CLOUD_STS_REGION", "cn-beijing")], None, None),
            "https://sts.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            chosen(
                &[
                    ("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou"),
                    ("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "TRUE")
                ],
                None,
                None
            ),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com"
        );
        // The VPC switch needs a region.
        assert_eq!(
            chosen(
                &[("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true")],
                None,
                None
            ),
            "https://sts.aliyuncs.com"
        );
        // A profile's own region wins over the environment's.
        assert_eq!(
            chosen(
                &[("ALIBABA_CLOUD_STS_REGION", "cn-beijing")],
                Some("ap-southeast-1"),
                Some(true)
            ),
            "https://sts-vpc.ap-southeast-1.aliyuncs.com"
        );
    }
}
