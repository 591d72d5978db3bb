//! Credentials from a profile of the aliyun CLI's configuration file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::FileProblem;
use super::file::{RECHECK, read_small_file, read_small_file_now};
use super::sts::StsEndpoint;
use super::{
    Credentials, CredentialsError, ENV_CONFIG_FILE, ENV_PROFILE, EcsRamRoleProvider, Lookup,
    OidcRoleProvider, ProvideCredentials, ProvideFuture, RamRoleArnProvider, home, non_empty_var,
    process_env,
};

pub(crate) const PROVIDER: &str = "aliyun CLI profile";

/// Credentials from a profile of the aliyun CLI's configuration file.
///
/// The file is, in order of precedence, the path given with [`CliProfileProvider::with_path`],
/// the one named by `ALIBABA_CLOUD_CONFIG_FILE` (as in the official credentials libraries), or
/// `$HOME/.aliyun/config.json` (`%USERPROFILE%` on Windows when `HOME` is unset). The profile is
/// the one given with [`CliProfileProvider::with_profile`], else `ALIBABA_CLOUD_PROFILE`, else
/// the file's `current`, else `default`.
///
/// Modes: `AK`, `StsToken`, `RamRoleArn` (STS `AssumeRole` with the profile's AccessKey:
/// `ram_role_arn`, `ram_session_name`, `expired_seconds`, `sts_region`, `enable_vpc`, `policy`,
/// `external_id`), `EcsRamRole` (`ram_role_name`), `OIDC` (`ram_role_arn`, `oidc_provider_arn`,
/// `oidc_token_file`, `ram_session_name`, …) and `ChainableRamRoleArn` (a role assumed with the
/// credentials of `source_profile`, another profile of the file; a loop of profiles, or a
/// chain of more than [`MAX_PROFILE_CHAIN`] profiles, is an error). Fields this provider does not use
/// are ignored.
///
/// The file is read off the executor at every refresh, and credentials that do not expire are
/// refreshed every minute, so `aliyun configure` changes are picked up without restarting.
/// Named `cli_profile/<inner>`.
#[derive(Clone)]
pub struct CliProfileProvider {
    lookup: Lookup,
    path: Option<PathBuf>,
    profile: Option<String>,
    pub(crate) sts_endpoint: Option<StsEndpoint>,
    pub(crate) metadata_endpoint: Option<String>,
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
            provider: PROVIDER,
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

    fn number(&self, key: &str) -> Result<Option<u32>, CredentialsError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(0) => Ok(None),
                Some(n) => Ok(Some(n)),
                None => Err(self.invalid(format!("`{key}` is not a number of seconds"))),
            },
            Some(_) => Err(self.invalid(format!("`{key}` is not a number"))),
        }
    }

    fn boolean(&self, key: &str) -> Result<bool, CredentialsError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(_) => Err(self.invalid(format!("`{key}` is not true or false"))),
        }
    }
}

/// The most profiles a `ChainableRamRoleArn` chain may have, the first included: real chains
/// have two or three; a longer one is refused rather than followed.
pub const MAX_PROFILE_CHAIN: usize = 16;

/// A configuration file, parsed once: its `current` profile name and its profiles.
struct ProfileFile {
    path: PathBuf,
    current: Option<String>,
    profiles: Vec<Map<String, Value>>,
}

impl ProfileFile {
    fn parse(path: &Path, bytes: &[u8]) -> Result<Self, CredentialsError> {
        let invalid = |reason: &str| CredentialsError::File {
            provider: PROVIDER,
            path: path.to_path_buf(),
            problem: FileProblem::Invalid(reason.to_owned()),
        };
        // Parsing into a `Value` and walking it by hand, rather than deserializing into structs,
        // keeps serde's messages out of our errors: its type errors quote the offending value,
        // which could be a secret.
        let root: Value = serde_json::from_slice(bytes).map_err(|e| CredentialsError::File {
            provider: PROVIDER,
            path: path.to_path_buf(),
            problem: FileProblem::Malformed {
                line: e.line(),
                column: e.column(),
            },
        })?;
        let Value::Object(mut root) = root else {
            return Err(invalid("the top level is not a JSON object"));
        };
        let current = match root.get("current") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(invalid("`current` is not a string")),
        };
        let listed = match root.remove("profiles") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(profiles)) => profiles,
            Some(_) => return Err(invalid("`profiles` is not an array")),
        };
        let mut profiles = Vec::with_capacity(listed.len());
        for (index, profile) in listed.into_iter().enumerate() {
            let Value::Object(fields) = profile else {
                return Err(invalid(&format!("`profiles[{index}]` is not an object")));
            };
            profiles.push(fields);
        }
        Ok(ProfileFile {
            path: path.to_path_buf(),
            current,
            profiles,
        })
    }

    /// The profile named `name` (a profile without a usable name cannot be selected; it is
    /// no reason to reject the others).
    fn find(&self, name: &str) -> Result<SelectedProfile, CredentialsError> {
        let named = |fields: &Map<String, Value>| match fields.get("name") {
            Some(Value::String(n)) => Some(n.clone()),
            _ => None,
        };
        if let Some(fields) = self
            .profiles
            .iter()
            .find(|fields| named(fields).as_deref() == Some(name))
        {
            return Ok(SelectedProfile {
                path: self.path.clone(),
                name: name.to_owned(),
                fields: fields.clone(),
            });
        }
        let names: Vec<String> = self.profiles.iter().filter_map(named).collect();
        Err(CredentialsError::ProfileNotFound {
            provider: PROVIDER,
            path: self.path.clone(),
            profile: name.to_owned(),
            total: names.len(),
            available: names
                .into_iter()
                .take(CredentialsError::MAX_LISTED)
                .collect(),
        })
    }
}

impl CliProfileProvider {
    /// Locates the file and profile through the process environment.
    pub fn new() -> Self {
        Self::with_lookup(process_env())
    }

    /// Locates the file and profile through `lookup` (for `HOME`, `ALIBABA_CLOUD_CONFIG_FILE` and
    /// `ALIBABA_CLOUD_PROFILE`) instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::with_lookup(Arc::new(lookup))
    }

    pub(crate) fn with_lookup(lookup: Lookup) -> Self {
        CliProfileProvider {
            lookup,
            path: None,
            profile: None,
            sts_endpoint: None,
            metadata_endpoint: None,
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
        home(&self.lookup)
            .map(|home| home.join(".aliyun").join("config.json"))
            .ok_or(CredentialsError::File {
                provider: PROVIDER,
                path: PathBuf::from("~/.aliyun/config.json"),
                problem: FileProblem::NotLocated,
            })
    }

    /// The selected profile's `region_id`, if it has a non-empty one, so a client can default its
    /// region from the CLI configuration. This works for every profile mode, including ones whose
    /// credentials this provider cannot produce. It reads the file synchronously: call it when
    /// building a configuration, not on a call's path.
    pub fn region(&self) -> Result<Option<String>, CredentialsError> {
        let path = self.config_path()?;
        let bytes = read_small_file_now(&path).map_err(|problem| CredentialsError::File {
            provider: PROVIDER,
            path: path.clone(),
            problem,
        })?;
        let profiles = ProfileFile::parse(&path, &bytes)?;
        let selected = self.select(&profiles, self.profile_name_hint())?;
        Ok(selected.field("region_id")?.map(str::to_owned))
    }

    fn profile_name_hint(&self) -> Option<String> {
        self.profile
            .clone()
            .filter(|name| !name.is_empty())
            .or_else(|| non_empty_var(&self.lookup, ENV_PROFILE))
    }

    /// The profile named `wanted` (else the file's `current`, else `default`) of the parsed
    /// file `profiles`.
    fn select(
        &self,
        profiles: &ProfileFile,
        wanted: Option<String>,
    ) -> Result<SelectedProfile, CredentialsError> {
        let name = wanted
            .or(profiles.current.clone().filter(|name| !name.is_empty()))
            .unwrap_or_else(|| "default".to_owned());
        profiles.find(&name)
    }

    /// The provider the selected profile's mode describes. A `ChainableRamRoleArn` profile's
    /// chain of source profiles is followed iteratively, at most [`MAX_PROFILE_CHAIN`] profiles and
    /// never through one twice, then built from its far end: each role assumed with the
    /// credentials of the one before.
    fn provider_for(
        &self,
        profiles: &ProfileFile,
        profile: SelectedProfile,
    ) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let start = profile.name.clone();
        let mut chain: Vec<SelectedProfile> = Vec::new();
        let mut current = profile;
        while current.field("mode")? == Some("ChainableRamRoleArn") {
            if chain.len() + 1 >= MAX_PROFILE_CHAIN {
                return Err(CredentialsError::ChainTooLong {
                    path: profiles.path.clone(),
                    profile: start,
                    limit: MAX_PROFILE_CHAIN,
                });
            }
            let source_name = current.required("source_profile")?.to_owned();
            if source_name == current.name || chain.iter().any(|p| p.name == source_name) {
                let mut names: Vec<&str> = chain.iter().map(|p| p.name.as_str()).collect();
                names.push(&current.name);
                return Err(current.invalid(format!(
                    "`source_profile` leads back to `{source_name}`: profiles {} form a loop",
                    names.join(" → ")
                )));
            }
            let source = profiles.find(&source_name)?;
            chain.push(std::mem::replace(&mut current, source));
        }
        let mut provider = self.single_provider(&current)?;
        for profile in chain.iter().rev() {
            provider = Arc::new(self.role(profile, provider)?);
        }
        Ok(provider)
    }

    /// The RAM role of `profile` (`ram_role_arn` and its session settings), assumed with
    /// `source`'s credentials.
    fn role(
        &self,
        profile: &SelectedProfile,
        source: Arc<dyn ProvideCredentials>,
    ) -> Result<RamRoleArnProvider, CredentialsError> {
        let mut provider = RamRoleArnProvider::with_lookup(
            source,
            profile.required("ram_role_arn")?.to_owned(),
            &self.lookup,
        )
        .with_endpoint(self.sts_for(profile)?);
        if let Some(name) = profile.field("ram_session_name")? {
            provider = provider.with_session_name(name);
        }
        if let Some(seconds) = profile.number("expired_seconds")? {
            provider = provider.with_duration_seconds(seconds)?;
        }
        if let Some(policy) = profile.field("policy")? {
            provider = provider.with_policy(policy);
        }
        if let Some(external_id) = profile.field("external_id")? {
            provider = provider.with_external_id(external_id);
        }
        Ok(provider)
    }

    /// The provider of a profile whose mode is not `ChainableRamRoleArn`.
    fn single_provider(
        &self,
        profile: &SelectedProfile,
    ) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let mode = profile
            .field("mode")?
            .ok_or_else(|| profile.invalid("`mode` is missing or empty".to_owned()))?;
        let access_key = || -> Result<Credentials, CredentialsError> {
            Ok(Credentials::new(
                profile.required("access_key_id")?,
                profile.required("access_key_secret")?,
            ))
        };
        Ok(match mode {
            "AK" => Arc::new(access_key()?.recheck_after(RECHECK)),
            "StsToken" => Arc::new(
                Credentials::with_security_token(
                    profile.required("access_key_id")?,
                    profile.required("access_key_secret")?,
                    profile.required("sts_token")?,
                )
                .recheck_after(RECHECK),
            ),
            "RamRoleArn" => Arc::new(self.role(profile, Arc::new(access_key()?))?),
            "EcsRamRole" => {
                let mut provider = EcsRamRoleProvider::from_lookup_arc(&self.lookup);
                if let Some(role) = profile.field("ram_role_name")? {
                    provider = provider.with_role(role);
                }
                if let Some(endpoint) = &self.metadata_endpoint {
                    provider = provider.with_endpoint(endpoint.clone());
                }
                Arc::new(provider)
            }
            "OIDC" => {
                let mut provider = OidcRoleProvider::new(
                    profile.required("ram_role_arn")?,
                    profile.required("oidc_provider_arn")?,
                    profile.required("oidc_token_file")?,
                )
                .with_endpoint(self.sts_for(profile)?);
                if let Some(name) = profile.field("ram_session_name")? {
                    provider = provider.with_session_name(name);
                }
                if let Some(seconds) = profile.number("expired_seconds")? {
                    provider = provider.with_duration_seconds(seconds)?;
                }
                if let Some(policy) = profile.field("policy")? {
                    provider = provider.with_policy(policy);
                }
                Arc::new(provider)
            }
            other => {
                return Err(CredentialsError::UnsupportedMode {
                    provider: PROVIDER,
                    path: profile.path.clone(),
                    profile: profile.name.clone(),
                    mode: other.to_owned(),
                });
            }
        })
    }

    fn sts_for(&self, profile: &SelectedProfile) -> Result<StsEndpoint, CredentialsError> {
        if let Some(endpoint) = &self.sts_endpoint {
            return Ok(endpoint.clone());
        }
        let vpc = profile.boolean("enable_vpc")?;
        Ok(StsEndpoint::choose(
            &self.lookup,
            profile.field("sts_region")?,
            vpc.then_some(true),
        ))
    }

    async fn provide(&self) -> Result<Credentials, CredentialsError> {
        let path = self.config_path()?;
        let bytes = read_small_file(&path)
            .await
            .map_err(|problem| CredentialsError::File {
                provider: PROVIDER,
                path: path.clone(),
                problem,
            })?;
        let profiles = ProfileFile::parse(&path, &bytes)?;
        let profile = self.select(&profiles, self.profile_name_hint())?;
        let provider = self.provider_for(&profiles, profile)?;
        let credentials = provider.provide_credentials().await?;
        Ok(credentials.through("cli_profile"))
    }
}

impl Default for CliProfileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CliProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CliProfileProvider")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for CliProfileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.provide())
    }

    fn name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(PROVIDER)
    }
}
