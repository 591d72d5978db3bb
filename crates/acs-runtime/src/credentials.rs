//! Alibaba Cloud credentials and where to find them.
//!
//! A [`Credentials`] value is an AccessKey pair, optionally with an STS security token. Providers
//! ([`ProvideCredentials`]) produce one on demand:
//!
//! - [`StaticProvider`]: credentials given in code;
//! - [`EnvironmentProvider`]: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and
//!   optionally `ALIBABA_CLOUD_SECURITY_TOKEN`;
//! - [`ProfileProvider`]: the aliyun CLI's `~/.aliyun/config.json` (modes `AK` and `StsToken`);
//! - [`DefaultChain`]: the environment, then the profile file.
//!
//! Secrets are wrapped in [`SecretString`], whose `Debug` and `Display` print `***`, and no error
//! produced here ever contains a secret or token value, so credentials and errors can be logged.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

/// Environment variable holding the AccessKey id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// Environment variable holding an STS security token (optional).
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Environment variable naming the aliyun CLI profile to use.
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// Environment variable overriding the path of the aliyun CLI configuration file.
pub const ENV_CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
/// Environment variable that, when `true`, makes [`DefaultChain`] skip the profile file.
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";

/// A string that must not be shown: `Debug` and `Display` print `***`.
///
/// The value is only reachable through [`SecretString::expose`], which makes every use of it
/// visible in the code.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Returns the secret value.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Quoted like a `&str`, so structs holding secrets debug-print as `field: "***"`.
        fmt::Debug::fmt("***", f)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An AccessKey pair, optionally with an STS security token.
///
/// `Debug` shows the AccessKey id (which is not secret: it travels in every signed request) but
/// never the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: SecretString,
    security_token: Option<SecretString>,
}

impl Credentials {
    /// Long-lived AccessKey credentials.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: SecretString::new(access_key_secret),
            security_token: None,
        }
    }

    /// Temporary STS credentials: an AccessKey pair plus its security token.
    ///
    /// An empty token is treated as no token, matching how the environment and profile sources
    /// treat empty values; the result is then plain AccessKey credentials.
    pub fn with_security_token(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        let token = SecretString::new(security_token);
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: SecretString::new(access_key_secret),
            security_token: (!token.is_empty()).then_some(token),
        }
    }

    /// The AccessKey id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret.
    pub fn access_key_secret(&self) -> &str {
        self.access_key_secret.expose()
    }

    /// The STS security token, if these are temporary credentials.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_ref().map(SecretString::expose)
    }

    /// The kind of credentials, as the official SDKs report it in the
    /// `x-acs-credentials-provider` header: `"static_sts"` with a security token, otherwise
    /// `"static_ak"`.
    pub fn provider_name(&self) -> &'static str {
        if self.security_token.is_some() {
            "static_sts"
        } else {
            "static_ak"
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .finish()
    }
}

/// A source of credentials.
///
/// Implementations must be cheap enough to call once per request or hold their own cache; the
/// ones in this module read the environment or a small file on every call, so that a token
/// refreshed outside the process (for example by the aliyun CLI) is picked up.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Produces credentials, or explains why this source has none.
    fn provide(&self) -> Result<Credentials, CredentialsError>;
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for &T {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }
}

/// Always provides the same credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// A provider returning `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self { credentials }
    }
}

impl From<Credentials> for StaticProvider {
    fn from(credentials: Credentials) -> Self {
        Self::new(credentials)
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.credentials.clone())
    }
}

/// How providers read environment variables; injectable so tests need not touch the process
/// environment, which is shared by tests running in parallel.
type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

fn process_env() -> Lookup {
    // A variable that is not valid Unicode cannot hold a usable key or path, so it reads as unset.
    Arc::new(|name: &str| std::env::var(name).ok())
}

/// Reads a variable, treating the empty string as unset (as the official SDKs do).
fn non_empty_var(lookup: &Lookup, name: &str) -> Option<String> {
    lookup(name).filter(|value| !value.is_empty())
}

/// Credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, for STS
/// credentials, `ALIBABA_CLOUD_SECURITY_TOKEN`. Empty variables count as unset.
#[derive(Clone)]
pub struct EnvironmentProvider {
    lookup: Lookup,
}

impl EnvironmentProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self {
            lookup: process_env(),
        }
    }

    /// Reads variables through `lookup` instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            lookup: Arc::new(lookup),
        }
    }
}

impl Default for EnvironmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for EnvironmentProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvironmentProvider")
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let required = |name| {
            non_empty_var(&self.lookup, name).ok_or(CredentialsError::EnvVarMissing { name })
        };
        let id = required(ENV_ACCESS_KEY_ID)?;
        let secret = required(ENV_ACCESS_KEY_SECRET)?;
        Ok(match non_empty_var(&self.lookup, ENV_SECURITY_TOKEN) {
            Some(token) => Credentials::with_security_token(id, secret, token),
            None => Credentials::new(id, secret),
        })
    }
}

/// Credentials from a profile of the aliyun CLI's configuration file.
///
/// The file is, in order of precedence, the path given with [`ProfileProvider::with_path`], the
/// one named by `ALIBABA_CLOUD_CONFIG_FILE` (as in the official credentials SDKs), or
/// `$HOME/.aliyun/config.json` (`%USERPROFILE%` on Windows when `HOME` is unset).
///
/// The profile is the one given with [`ProfileProvider::with_profile`], else the one named by
/// `ALIBABA_CLOUD_PROFILE`, else the file's `current` profile, else `default`.
///
/// Profiles in mode `AK` and `StsToken` are supported; other modes (`RamRoleArn`, `EcsRamRole`,
/// …) need network calls and give [`CredentialsError::UnsupportedMode`]. Fields this provider does
/// not use are ignored.
///
/// The file is read on every call, so credentials rotated by `aliyun configure` are picked up.
#[derive(Clone)]
pub struct ProfileProvider {
    lookup: Lookup,
    path: Option<PathBuf>,
    profile: Option<String>,
}

/// The profile selected from a parsed configuration file.
struct SelectedProfile {
    path: PathBuf,
    name: String,
    fields: Map<String, Value>,
}

impl SelectedProfile {
    fn invalid(&self, reason: String) -> CredentialsError {
        CredentialsError::InvalidProfile {
            path: self.path.clone(),
            profile: self.name.clone(),
            reason,
        }
    }

    /// A string field, with missing, `null` and `""` all meaning absent.
    fn field(&self, key: &str) -> Result<Option<&str>, CredentialsError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok((!s.is_empty()).then_some(s.as_str())),
            // Only the field name is reported: the value may be a misplaced secret.
            Some(_) => Err(self.invalid(format!("`{key}` is not a string"))),
        }
    }

    fn required(&self, key: &str) -> Result<&str, CredentialsError> {
        self.field(key)?
            .ok_or_else(|| self.invalid(format!("`{key}` is missing or empty")))
    }
}

impl ProfileProvider {
    /// Locates the file and profile through the process environment.
    pub fn new() -> Self {
        Self {
            lookup: process_env(),
            path: None,
            profile: None,
        }
    }

    /// Locates the file and profile through `lookup` (for `HOME`, `ALIBABA_CLOUD_CONFIG_FILE` and
    /// `ALIBABA_CLOUD_PROFILE`) instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            lookup: Arc::new(lookup),
            path: None,
            profile: None,
        }
    }

    /// Reads this file instead of locating one through the environment.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Uses this profile regardless of `ALIBABA_CLOUD_PROFILE` and the file's `current`.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// The configuration file this provider reads, or why it cannot tell.
    pub fn config_path(&self) -> Result<PathBuf, CredentialsError> {
        if let Some(path) = &self.path {
            return Ok(path.clone());
        }
        if let Some(path) = non_empty_var(&self.lookup, ENV_CONFIG_FILE) {
            return Ok(PathBuf::from(path));
        }
        let home = non_empty_var(&self.lookup, "HOME").or_else(|| {
            if cfg!(windows) {
                non_empty_var(&self.lookup, "USERPROFILE")
            } else {
                None
            }
        });
        home.map(|home| Path::new(&home).join(".aliyun").join("config.json"))
            .ok_or(CredentialsError::NoConfigFile)
    }

    /// The selected profile's `region_id`, if it has a non-empty one, so a client can default its
    /// region from the CLI configuration. This works for every profile mode, including ones
    /// whose credentials this provider cannot produce.
    pub fn region(&self) -> Result<Option<String>, CredentialsError> {
        let selected = self.select()?;
        Ok(selected.field("region_id")?.map(str::to_owned))
    }

    fn select(&self) -> Result<SelectedProfile, CredentialsError> {
        let path = self.config_path()?;
        let bytes = std::fs::read(&path).map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                CredentialsError::ProfileFileNotFound { path: path.clone() }
            } else {
                CredentialsError::ProfileFileUnreadable {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        // Parsing into a `Value` and walking it by hand, rather than deserializing into structs,
        // keeps serde's messages out of our errors: its type errors quote the offending value,
        // which could be a secret.
        let root: Value =
            serde_json::from_slice(&bytes).map_err(|e| CredentialsError::ProfileFileMalformed {
                path: path.clone(),
                line: e.line(),
                column: e.column(),
            })?;
        let invalid = |reason: &str| CredentialsError::ProfileFileInvalid {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let Value::Object(mut root) = root else {
            return Err(invalid("the top level is not a JSON object"));
        };
        let current = match root.get("current") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(invalid("`current` is not a string")),
        };
        let name = self
            .profile
            .clone()
            .filter(|name| !name.is_empty())
            .or_else(|| non_empty_var(&self.lookup, ENV_PROFILE))
            .or(current.filter(|name| !name.is_empty()))
            .unwrap_or_else(|| "default".to_owned());

        let profiles = match root.remove("profiles") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(profiles)) => profiles,
            Some(_) => return Err(invalid("`profiles` is not an array")),
        };
        let mut available = Vec::with_capacity(profiles.len());
        for (index, profile) in profiles.into_iter().enumerate() {
            let Value::Object(fields) = profile else {
                return Err(invalid(&format!("`profiles[{index}]` is not an object")));
            };
            match fields.get("name") {
                Some(Value::String(n)) if *n == name => {
                    return Ok(SelectedProfile { path, name, fields });
                }
                Some(Value::String(n)) => available.push(n.clone()),
                // A profile without a usable name cannot be selected; it is no reason to reject
                // the others.
                _ => {}
            }
        }
        Err(CredentialsError::ProfileNotFound {
            path,
            profile: name,
            available,
        })
    }
}

impl Default for ProfileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileProvider")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let profile = self.select()?;
        let mode = profile
            .field("mode")?
            .ok_or_else(|| profile.invalid("`mode` is missing or empty".to_owned()))?;
        match mode {
            "AK" => Ok(Credentials::new(
                profile.required("access_key_id")?,
                profile.required("access_key_secret")?,
            )),
            "StsToken" => Ok(Credentials::with_security_token(
                profile.required("access_key_id")?,
                profile.required("access_key_secret")?,
                profile.required("sts_token")?,
            )),
            other => Err(CredentialsError::UnsupportedMode {
                path: profile.path.clone(),
                profile: profile.name.clone(),
                mode: other.to_owned(),
            }),
        }
    }
}

/// The environment, then the aliyun CLI profile file: the first that has credentials wins.
///
/// A source that is partly configured (say, an AccessKey id without its secret) does not stop
/// the chain; if no source succeeds, the error lists every source and why it failed.
/// Setting `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true` skips the profile file, as in the official
/// SDKs.
#[derive(Debug, Clone)]
pub struct DefaultChain {
    environment: EnvironmentProvider,
    profile: ProfileProvider,
}

impl DefaultChain {
    /// A chain reading the process environment.
    pub fn new() -> Self {
        Self {
            environment: EnvironmentProvider::new(),
            profile: ProfileProvider::new(),
        }
    }

    /// A chain reading variables through `lookup` instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        let lookup: Lookup = Arc::new(lookup);
        Self {
            environment: EnvironmentProvider {
                lookup: Arc::clone(&lookup),
            },
            profile: ProfileProvider {
                lookup,
                path: None,
                profile: None,
            },
        }
    }

    /// Replaces the profile source, for example to pin a profile name or file.
    pub fn with_profile_provider(mut self, profile: ProfileProvider) -> Self {
        self.profile = profile;
        self
    }

    /// The profile source, for reading the default region with [`ProfileProvider::region`].
    pub fn profile_provider(&self) -> &ProfileProvider {
        &self.profile
    }

    fn profile_disabled(&self) -> bool {
        non_empty_var(&self.environment.lookup, ENV_CLI_PROFILE_DISABLED)
            .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let mut attempts = Vec::with_capacity(2);
        match self.environment.provide() {
            Ok(credentials) => return Ok(credentials),
            Err(e) => attempts.push(e),
        }
        if self.profile_disabled() {
            attempts.push(CredentialsError::ProfileDisabled);
        } else {
            match self.profile.provide() {
                Ok(credentials) => return Ok(credentials),
                Err(e) => attempts.push(e),
            }
        }
        Err(CredentialsError::NoCredentials { attempts })
    }
}

/// Why credentials could not be provided.
///
/// Messages name the variable, file and profile involved but never contain a secret or token.
/// Each starts with its source (`environment: …`, `profile file …: …`), so the list in
/// [`CredentialsError::NoCredentials`] reads well.
#[derive(Debug)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A required environment variable is unset or empty.
    EnvVarMissing {
        /// The variable's name.
        name: &'static str,
    },
    /// No configuration file path was given and neither `ALIBABA_CLOUD_CONFIG_FILE` nor `HOME`
    /// is set.
    NoConfigFile,
    /// The configuration file does not exist.
    ProfileFileNotFound {
        /// The path looked at.
        path: PathBuf,
    },
    /// The configuration file exists but could not be read.
    ProfileFileUnreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The configuration file is not valid JSON. Only the position is kept: the parser's
    /// message is dropped in case it quotes the file's content.
    ProfileFileMalformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the error.
        line: usize,
        /// The 1-based column of the error.
        column: usize,
    },
    /// The configuration file is JSON but not shaped like the aliyun CLI's.
    ProfileFileInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The configuration file has no profile of the selected name.
    ProfileNotFound {
        /// The file.
        path: PathBuf,
        /// The profile looked for.
        profile: String,
        /// Names of the profiles the file does have.
        available: Vec<String>,
    },
    /// The selected profile lacks a field or has one of the wrong type.
    InvalidProfile {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// What is wrong (names the field, never shows its value).
        reason: String,
    },
    /// The selected profile's mode is not one this crate can use (only `AK` and `StsToken` are).
    UnsupportedMode {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// The profile's `mode`.
        mode: String,
    },
    /// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true` turned the profile file off.
    ProfileDisabled,
    /// No source in a chain had credentials.
    NoCredentials {
        /// Each source's failure, in the order the sources were tried.
        attempts: Vec<CredentialsError>,
    },
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EnvVarMissing { name } => write!(f, "environment: {name} is not set"),
            Self::NoConfigFile => write!(
                f,
                "profile file: cannot locate it, neither {ENV_CONFIG_FILE} nor HOME is set"
            ),
            Self::ProfileFileNotFound { path } => {
                write!(f, "profile file {}: not found", path.display())
            }
            Self::ProfileFileUnreadable { path, source } => {
                write!(
                    f,
                    "profile file {}: cannot read it: {source}",
                    path.display()
                )
            }
            Self::ProfileFileMalformed { path, line, column } => write!(
                f,
                "profile file {}: not valid JSON (error at line {line}, column {column})",
                path.display()
            ),
            Self::ProfileFileInvalid { path, reason } => {
                write!(f, "profile file {}: {reason}", path.display())
            }
            Self::ProfileNotFound {
                path,
                profile,
                available,
            } => {
                write!(
                    f,
                    "profile file {}: no profile named `{profile}`",
                    path.display()
                )?;
                if available.is_empty() {
                    f.write_str(" (the file has no profiles)")
                } else {
                    write!(f, " (available: {})", available.join(", "))
                }
            }
            Self::InvalidProfile {
                path,
                profile,
                reason,
            } => write!(
                f,
                "profile file {}: profile `{profile}`: {reason}",
                path.display()
            ),
            Self::UnsupportedMode {
                path,
                profile,
                mode,
            } => write!(
                f,
                "profile file {}: profile `{profile}` has mode `{mode}`, which is not supported \
                 (supported modes: AK, StsToken)",
                path.display()
            ),
            Self::ProfileDisabled => {
                write!(f, "profile file: disabled by {ENV_CLI_PROFILE_DISABLED}")
            }
            Self::NoCredentials { attempts } => {
                f.write_str("no credentials found")?;
                for (i, attempt) in attempts.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    fmt::Display::fmt(attempt, f)?;
                }
                Ok(())
            }
        }
    }
}

impl StdError for CredentialsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::ProfileFileUnreadable { source, .. } => Some(source),
            _ => None,
        }
    }
}
