//! The shared credentials file of the official libraries, `~/.alibabacloud/credentials` (INI).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::error::FileProblem;
use super::{
    Credentials, CredentialsError, ENV_CREDENTIALS_FILE, ENV_PROFILE, EcsRamRoleProvider, Lookup,
    OidcRoleProvider, ProvideCredentials, ProvideFuture, RamRoleArnProvider, home, non_empty_var,
    process_env,
};

pub(crate) const PROVIDER: &str = "credentials";

/// The largest configuration file read: these files are a few kilobytes, and a path that points
/// at something endless (`/dev/zero`) must not exhaust memory.
const MAX_FILE: u64 = 1 << 20;

/// How soon a file is read again for credentials that do not expire, so an edited file is
/// picked up without restarting.
pub(crate) const RECHECK: Duration = Duration::from_secs(60);

/// Reads a small regular file (a FIFO or device is refused: it could block or never end).
pub(crate) fn read_small_file_now(path: &Path) -> Result<Vec<u8>, FileProblem> {
    use std::io::Read as _;
    let metadata = std::fs::metadata(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => FileProblem::NotFound,
        _ => FileProblem::Unreadable(Arc::new(error)),
    })?;
    if !metadata.is_file() {
        return Err(FileProblem::Invalid("not a regular file".into()));
    }
    let unreadable = |error| FileProblem::Unreadable(Arc::new(error));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(FileProblem::TooLarge);
    }
    Ok(bytes)
}

/// [`read_small_file_now`] on a blocking thread, off the async executor.
pub(crate) async fn read_small_file(path: &Path) -> Result<Vec<u8>, FileProblem> {
    let path = path.to_path_buf();
    match tokio::task::spawn_blocking(move || read_small_file_now(&path)).await {
        Ok(result) => result,
        Err(join) => Err(FileProblem::Unreadable(Arc::new(std::io::Error::other(
            join.to_string(),
        )))),
    }
}

/// Credentials from a profile of the credentials file the official libraries share.
///
/// The file is `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials` (where
/// credentials-go looks), else `~/.alibabacloud/credentials.ini` (where the Python and Java
/// libraries look). The profile is the section named by `ALIBABA_CLOUD_PROFILE`, else `default`.
/// Types: `access_key` (`access_key_id`, `access_key_secret`), `ecs_ram_role` (`role_name`,
/// optional), `ram_role_arn` (AccessKey plus `role_arn`, optional `role_session_name`, `policy`),
/// `oidc_role_arn` (`role_arn`, `oidc_provider_arn`, `oidc_token_file_path`, optional
/// `role_session_name`, `policy`). The file is read again at every refresh. Named
/// `profile/<inner>`.
///
/// The file is read exactly as the official Python library reads it (Python's `configparser`
/// in its default settings, then each value cut at its first `#`): keys are case-insensitive,
/// `=` or `:` separates, whole-line `#` and `;` comments, indented lines continue a value,
/// `[DEFAULT]` keys reach every section, `%%` and `%(key)s` are interpolated, and a repeated
/// section or key, a stray line or a lone `%` makes the file unreadable. So
/// `access_key_secret = abc#def` reads as `abc`, as it does for the Python library.
#[derive(Clone)]
pub struct CredentialsFileProvider {
    lookup: Lookup,
    path: Option<PathBuf>,
    profile: Option<String>,
    /// Endpoints the roles a profile names are assumed or read at.
    pub(crate) sts_endpoint: Option<super::StsEndpoint>,
    pub(crate) metadata_endpoint: Option<String>,
}

impl CredentialsFileProvider {
    /// Locates the file and profile through the process environment.
    pub fn new() -> Self {
        Self::with_lookup(process_env())
    }

    /// Locates the file and profile through `lookup` instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::with_lookup(Arc::new(lookup))
    }

    pub(crate) fn with_lookup(lookup: Lookup) -> Self {
        CredentialsFileProvider {
            lookup,
            path: None,
            profile: None,
            sts_endpoint: None,
            metadata_endpoint: None,
        }
    }

    /// Reads this file instead of locating one.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Uses this profile regardless of `ALIBABA_CLOUD_PROFILE`.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    fn candidates(&self) -> Result<Vec<PathBuf>, CredentialsError> {
        if let Some(path) = &self.path {
            return Ok(vec![path.clone()]);
        }
        if let Some(path) = non_empty_var(&self.lookup, ENV_CREDENTIALS_FILE) {
            return Ok(vec![PathBuf::from(path)]);
        }
        let home = home(&self.lookup).ok_or(CredentialsError::File {
            provider: PROVIDER,
            path: PathBuf::from("~/.alibabacloud/credentials"),
            problem: FileProblem::NotLocated,
        })?;
        let dir = home.join(".alibabacloud");
        Ok(vec![dir.join("credentials"), dir.join("credentials.ini")])
    }

    async fn read(&self) -> Result<(PathBuf, String), CredentialsError> {
        let candidates = self.candidates()?;
        let mut last = None;
        for path in candidates {
            match read_small_file(&path).await {
                Ok(bytes) => {
                    let text = String::from_utf8(bytes).map_err(|_| CredentialsError::File {
                        provider: PROVIDER,
                        path: path.clone(),
                        problem: FileProblem::Invalid("not UTF-8 text".into()),
                    })?;
                    return Ok((path, text));
                }
                Err(FileProblem::NotFound) => last = Some(path),
                Err(problem) => {
                    return Err(CredentialsError::File {
                        provider: PROVIDER,
                        path,
                        problem,
                    });
                }
            }
        }
        Err(CredentialsError::File {
            provider: PROVIDER,
            path: last.unwrap_or_default(),
            problem: FileProblem::NotFound,
        })
    }

    async fn provide(&self) -> Result<Credentials, CredentialsError> {
        let (path, text) = self.read().await?;
        let sections = super::ini::parse(&text).map_err(|error| CredentialsError::File {
            provider: PROVIDER,
            path: path.clone(),
            problem: match error.line {
                0 => FileProblem::Invalid(error.reason.to_owned()),
                line => FileProblem::Malformed { line, column: 1 },
            },
        })?;
        let name = self
            .profile
            .clone()
            .filter(|n| !n.is_empty())
            .or_else(|| non_empty_var(&self.lookup, ENV_PROFILE))
            .unwrap_or_else(|| "default".to_owned());
        let Some((_, section)) = sections.iter().find(|(section, _)| *section == name) else {
            let mut available: Vec<String> = sections.into_iter().map(|(name, _)| name).collect();
            available.sort();
            return Err(CredentialsError::ProfileNotFound {
                provider: PROVIDER,
                path,
                profile: name,
                total: available.len(),
                available: available
                    .into_iter()
                    .take(CredentialsError::MAX_LISTED)
                    .collect(),
            });
        };
        // Values as the Python library reads them (inline `#` notes cut off, see `ini`).
        let field = |key: &str| {
            section
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.clone())
                .filter(|value| !value.is_empty())
        };
        let invalid = |reason: String| CredentialsError::InvalidProfile {
            provider: PROVIDER,
            path: path.clone(),
            profile: name.clone(),
            reason,
        };
        let required =
            |key: &str| field(key).ok_or_else(|| invalid(format!("`{key}` is missing or empty")));
        let kind = required("type")?;
        let credentials = match kind.as_str() {
            "access_key" => {
                Credentials::new(required("access_key_id")?, required("access_key_secret")?)
                    .recheck_after(RECHECK)
            }
            "ecs_ram_role" => {
                let mut provider = EcsRamRoleProvider::from_lookup_arc(&self.lookup);
                if let Some(role) = field("role_name") {
                    provider = provider.with_role(role);
                }
                if let Some(endpoint) = &self.metadata_endpoint {
                    provider = provider.with_endpoint(endpoint.clone());
                }
                provider.provide_credentials().await?
            }
            "ram_role_arn" => {
                let source =
                    Credentials::new(required("access_key_id")?, required("access_key_secret")?);
                let mut provider = RamRoleArnProvider::with_lookup(
                    Arc::new(source),
                    required("role_arn")?,
                    &self.lookup,
                );
                if let Some(session) = field("role_session_name") {
                    provider = provider.with_session_name(session);
                }
                if let Some(policy) = field("policy") {
                    provider = provider.with_policy(policy);
                }
                if let Some(endpoint) = &self.sts_endpoint {
                    provider = provider.with_endpoint(endpoint.clone());
                }
                provider.provide_credentials().await?
            }
            "oidc_role_arn" => {
                let mut provider = OidcRoleProvider::new(
                    required("role_arn")?,
                    required("oidc_provider_arn")?,
                    required("oidc_token_file_path")?,
                );
                if let Some(session) = field("role_session_name") {
                    provider = provider.with_session_name(session);
                }
                if let Some(policy) = field("policy") {
                    provider = provider.with_policy(policy);
                }
                if let Some(endpoint) = &self.sts_endpoint {
                    provider = provider.with_endpoint(endpoint.clone());
                }
                provider.provide_credentials().await?
            }
            other => {
                return Err(CredentialsError::UnsupportedMode {
                    provider: PROVIDER,
                    path,
                    profile: name,
                    mode: other.to_owned(),
                });
            }
        };
        Ok(credentials.through("profile"))
    }
}

impl Default for CredentialsFileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CredentialsFileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsFileProvider")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for CredentialsFileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.provide())
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed("credentials file")
    }
}
