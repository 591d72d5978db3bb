//! The RAM role of an ECS instance, from the instance metadata service.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::http::{self, CredentialsDocument, json_answer};
use super::{
    CredentialsError, ENV_ECS_METADATA, ENV_ECS_METADATA_DISABLED, ENV_IMDSV1_DISABLED, Lookup,
    ProvideCredentials, ProvideFuture, flag, non_empty_var, process_env,
};
use crate::headers::Headers;
use crate::transport::{Method, Transport};

pub(crate) const PROVIDER: &str = "ECS RAM role";

/// The metadata service every ECS instance reaches (link-local).
pub const METADATA_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLES_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// The metadata token's lifetime the official libraries ask for: six hours.
const TOKEN_TTL_SECONDS: &str = "21600";
/// Connect and read limits: the service is on the instance's own link, so it answers within a
/// second or is not there (as on a laptop), and the chain should move on quickly.
const TIMEOUT: Duration = Duration::from_secs(1);

/// Temporary credentials of the ECS instance's RAM role, from the metadata service at
/// `100.100.100.200`. Named `ecs_ram_role`.
///
/// Each refresh first asks for an IMDSv2 session token (`PUT /latest/api/token`) and sends it with
/// every read; when that fails it falls back to IMDSv1 (no token) unless
/// `ALIBABA_CLOUD_IMDSV1_DISABLED=true`. The role is `ALIBABA_CLOUD_ECS_METADATA`, or the one the
/// service lists. `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` turns the provider off. Requests
/// never go through a proxy (the address is link-local) and give up after a second.
#[derive(Clone)]
pub struct EcsRamRoleProvider {
    role: Option<String>,
    endpoint: String,
    imdsv1_disabled: bool,
    disabled: bool,
    transport: Arc<dyn Transport>,
}

impl EcsRamRoleProvider {
    /// Configured from the process environment.
    pub fn new() -> Self {
        Self::from_lookup_arc(&process_env())
    }

    /// Configured from variables read through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::from_lookup_arc(&(Arc::new(lookup) as Lookup))
    }

    pub(crate) fn from_lookup_arc(lookup: &Lookup) -> Self {
        EcsRamRoleProvider {
            role: non_empty_var(lookup, ENV_ECS_METADATA),
            endpoint: METADATA_ENDPOINT.to_owned(),
            imdsv1_disabled: flag(lookup, ENV_IMDSV1_DISABLED),
            disabled: flag(lookup, ENV_ECS_METADATA_DISABLED),
            transport: http::transport(TIMEOUT, TIMEOUT, false),
        }
    }

    /// The same provider for the role `name` (no discovery).
    pub fn with_role(mut self, name: impl Into<String>) -> Self {
        self.role = Some(name.into()).filter(|r| !r.is_empty());
        self
    }

    /// The same provider asking the metadata service at `url` (a test server).
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The same provider refusing (`true`) or allowing IMDSv1.
    pub fn with_imdsv1_disabled(mut self, disabled: bool) -> Self {
        self.imdsv1_disabled = disabled;
        self
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: Headers,
    ) -> Result<crate::transport::HttpResponse, CredentialsError> {
        let url = http::parse_url(PROVIDER, &format!("{}{path}", self.endpoint))?;
        http::send(
            &*self.transport,
            PROVIDER,
            http::plain_request(method, url, headers),
            3 * TIMEOUT,
        )
        .await
    }

    /// An IMDSv2 session token; `None` (IMDSv1) when the service gives none and v1 is allowed.
    async fn token(&self) -> Result<Option<String>, CredentialsError> {
        let answer = self
            .send(
                Method::Put,
                TOKEN_PATH,
                Headers::from([(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)]),
            )
            .await;
        let failure = match answer {
            Ok(response) if response.status == 200 => {
                let token = String::from_utf8_lossy(&response.body).trim().to_owned();
                if !token.is_empty() {
                    return Ok(Some(token));
                }
                "an empty token".to_owned()
            }
            Ok(response) => format!("HTTP {}", response.status),
            Err(error) => error.to_string(),
        };
        if self.imdsv1_disabled {
            return Err(CredentialsError::Service {
                provider: PROVIDER,
                endpoint: self.endpoint.clone(),
                message: format!(
                    "no IMDSv2 token ({failure}), and {ENV_IMDSV1_DISABLED} forbids IMDSv1"
                ),
            });
        }
        Ok(None)
    }

    /// `GET path` with the token, retried once without it (IMDSv1) when that fails and v1 is
    /// allowed.
    async fn get(&self, path: &str, token: Option<&str>) -> Result<Vec<u8>, CredentialsError> {
        let with_token = token
            .map(|t| Headers::from([(TOKEN_HEADER, t)]))
            .unwrap_or_default();
        let first = self.send(Method::Get, path, with_token).await;
        let answer = match first {
            Ok(response) if response.status == 200 => return Ok(response.body),
            retry if token.is_some() && !self.imdsv1_disabled => {
                drop(retry);
                self.send(Method::Get, path, Headers::new()).await
            }
            other => other,
        }?;
        if answer.status != 200 {
            return Err(CredentialsError::Service {
                provider: PROVIDER,
                endpoint: self.endpoint.clone(),
                message: format!("HTTP {} for {path}", answer.status),
            });
        }
        Ok(answer.body)
    }
}

impl Default for EcsRamRoleProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for EcsRamRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsRamRoleProvider")
            .field("role", &self.role)
            .field("endpoint", &self.endpoint)
            .field("imdsv1_disabled", &self.imdsv1_disabled)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for EcsRamRoleProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            if self.disabled {
                return Err(CredentialsError::Disabled {
                    provider: PROVIDER,
                    variable: ENV_ECS_METADATA_DISABLED,
                });
            }
            let token = self.token().await?;
            let role = match &self.role {
                Some(role) => role.clone(),
                None => {
                    let listed = self.get(ROLES_PATH, token.as_deref()).await?;
                    let role = String::from_utf8_lossy(&listed).trim().to_owned();
                    if role.is_empty() || role.contains(['/', '\n']) {
                        return Err(CredentialsError::Service {
                            provider: PROVIDER,
                            endpoint: self.endpoint.clone(),
                            message: "the instance has no single RAM role to use".into(),
                        });
                    }
                    role
                }
            };
            let path = format!("{ROLES_PATH}{role}");
            let body = self.get(&path, token.as_deref()).await?;
            let response = crate::transport::HttpResponse::new(200, Headers::new(), body);
            let document: CredentialsDocument = json_answer(&response, PROVIDER, &self.endpoint)?;
            let service = |message: String| CredentialsError::Service {
                provider: PROVIDER,
                endpoint: self.endpoint.clone(),
                message,
            };
            match document.code.as_deref() {
                Some("Success") => {}
                Some(code) => {
                    let mut code = code.to_owned();
                    crate::sanitize::truncate(&mut code, 64);
                    return Err(service(format!(
                        "`Code` is `{}`, not `Success`",
                        crate::sanitize::escape_controls(&code)
                    )));
                }
                None => return Err(service("the answer has no `Code`".into())),
            }
            document.into_credentials("ecs_ram_role").map_err(service)
        })
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(PROVIDER)
    }
}
