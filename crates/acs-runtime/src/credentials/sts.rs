//! STS (Security Token Service, API version 2015-04-01): `AssumeRole` and
//! `AssumeRoleWithOIDC`, sent through this crate's own client (signing, retries, decoding), so
//! credential providers sign exactly like every other call.

use std::fmt;
use std::time::Duration;

use super::http::credentials_from;
use super::{
    Credentials, CredentialsError, ENV_STS_REGION, ENV_VPC_ENDPOINT_ENABLED, Lookup, SecretString,
    flag, non_empty_var,
};
use crate::client::Client;
use crate::config::Config;
use crate::error::{SdkError, ServiceError};
use crate::json::{self, FromJson, Value};
use crate::operation::{ApiStyle, Idempotency, Method, Operation, OperationInfo, ServiceInfo};
use crate::params::RequestParams;
use crate::retry::RetryConfig;
use crate::sign::SignatureAlgorithm;
use crate::transport::Timeouts;

static STS: ServiceInfo = ServiceInfo {
    product: "sts",
    version: "2015-04-01",
    style: ApiStyle::Rpc,
    endpoints: &[],
};

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
    fn write(&self, params: &mut RequestParams) {
        params.form("RoleArn", &self.role_arn);
        params.form("RoleSessionName", &self.session_name);
        params.form("DurationSeconds", &i64::from(self.duration_seconds));
        params.form("Policy", &self.policy);
    }
}

/// A role session name when none is configured, unique enough per process: `acs-rust-<ms>`
/// (the official libraries use `credentials-<language>-<time>`).
pub(crate) fn default_session_name() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("acs-rust-{millis}")
}

/// `AssumeRole`, signed with the source credentials.
struct AssumeRole {
    session: Session,
    external_id: Option<String>,
}

/// `AssumeRoleWithOIDC`: anonymous; the OIDC token proves who is asking.
struct AssumeRoleWithOidc {
    session: Session,
    oidc_provider_arn: String,
    oidc_token: SecretString,
}

/// What STS answers: `Credentials` with `AccessKeyId`, `AccessKeySecret`, `SecurityToken` and
/// `Expiration`.
struct Answer(Value);

impl FromJson for Answer {
    fn from_json(value: Value) -> json::Result<Self> {
        Ok(Answer(value))
    }
}

// Assuming a role changes nothing, so repeating the call is harmless.
const ASSUME_ROLE: OperationInfo =
    OperationInfo::rpc("AssumeRole", Method::Post, Idempotency::ReadOnly);
const ASSUME_ROLE_WITH_OIDC: OperationInfo =
    OperationInfo::rpc("AssumeRoleWithOIDC", Method::Post, Idempotency::ReadOnly).anonymous();

impl Operation for AssumeRole {
    type Output = Answer;
    type Error = ServiceError;
    const INFO: &'static OperationInfo = &ASSUME_ROLE;

    fn write_params(&self, params: &mut RequestParams) {
        self.session.write(params);
        params.form("ExternalId", &self.external_id);
    }
}

impl Operation for AssumeRoleWithOidc {
    type Output = Answer;
    type Error = ServiceError;
    const INFO: &'static OperationInfo = &ASSUME_ROLE_WITH_OIDC;

    fn write_params(&self, params: &mut RequestParams) {
        self.session.write(params);
        params.form("OIDCProviderArn", &self.oidc_provider_arn);
        params.form("OIDCToken", &self.oidc_token.expose());
    }
}

/// A client for STS at `endpoint`, signing with `credentials` (V1 `HMAC-SHA1`, as the official
/// credential libraries sign STS calls), with their time limits (connect 5 s, read 10 s).
fn client(endpoint: &StsEndpoint, credentials: Credentials) -> Result<Client, CredentialsError> {
    let config = Config::new("cn-hangzhou")
        .with_endpoint(endpoint.as_str())
        .with_credentials(credentials)
        .with_signature(SignatureAlgorithm::HmacSha1)
        .with_retry(RetryConfig::new().with_max_attempts(2))
        .with_timeouts(
            Timeouts::DEFAULT
                .with_connect(Duration::from_secs(5))
                .with_read(Duration::from_secs(10))
                .with_total(Duration::from_secs(30)),
        );
    Client::new(&STS, &config).map_err(|error| CredentialsError::NotConfigured {
        provider: "STS",
        reason: format!("the endpoint `{}` is unusable: {error}", endpoint.as_str()),
    })
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
    let client = client(endpoint, source)?;
    let answer = client
        .call(AssumeRole {
            session: session.clone(),
            external_id: external_id.map(str::to_owned),
        })
        .await;
    read_answer(provider, endpoint, answer, &name, None)
}

/// `AssumeRoleWithOIDC` with `token`: the role's temporary credentials.
pub(crate) async fn assume_role_with_oidc(
    provider: &'static str,
    endpoint: &StsEndpoint,
    oidc_provider_arn: &str,
    token: SecretString,
    session: &Session,
) -> Result<Credentials, CredentialsError> {
    // Anonymous: the client signs nothing, so these keys are never used.
    let client = client(endpoint, Credentials::new("anonymous", ""))?;
    let answer = client
        .call(AssumeRoleWithOidc {
            session: session.clone(),
            oidc_provider_arn: oidc_provider_arn.to_owned(),
            oidc_token: token.clone(),
        })
        .await;
    read_answer(provider, endpoint, answer, "oidc_role_arn", Some(&token))
}

fn read_answer(
    provider: &'static str,
    endpoint: &StsEndpoint,
    answer: Result<Answer, SdkError<ServiceError>>,
    name: &str,
    token: Option<&SecretString>,
) -> Result<Credentials, CredentialsError> {
    let endpoint_text = endpoint.as_str().to_owned();
    // STS quotes what it was given in some error messages; the OIDC token must not travel on,
    // in whichever encoding the request carried it (the form body encodes it).
    let scrub = |mut text: String| {
        if let Some(token) = token {
            crate::encoding::redact(&mut text, token.expose());
        }
        text
    };
    match answer {
        Ok(Answer(document)) => {
            let credentials =
                document
                    .get("Credentials")
                    .ok_or_else(|| CredentialsError::Service {
                        provider,
                        endpoint: endpoint_text.clone(),
                        message: "the answer has no `Credentials`".into(),
                    })?;
            credentials_from(credentials, name).map_err(|reason| CredentialsError::Service {
                provider,
                endpoint: endpoint_text,
                message: reason,
            })
        }
        Err(SdkError::Service(error)) => Err(CredentialsError::Service {
            provider,
            endpoint: endpoint_text,
            message: scrub(format!(
                "{} {} (request id {}, HTTP {})",
                if error.code.is_empty() {
                    "(no code)"
                } else {
                    &error.code
                },
                error.message,
                error.request_id.as_deref().unwrap_or("none"),
                error.http_status
            )),
        }),
        Err(SdkError::Transport(error)) => Err(CredentialsError::Unreachable {
            provider,
            endpoint: endpoint_text,
            message: scrub(error.to_string()),
        }),
        Err(other) => Err(CredentialsError::Service {
            provider,
            endpoint: endpoint_text,
            message: scrub(other.to_string()),
        }),
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
