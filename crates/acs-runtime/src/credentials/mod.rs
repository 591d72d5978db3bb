//! Alibaba Cloud credentials and where to find them.
//!
//! A [`Credentials`] value is an AccessKey pair, optionally with an STS security token and an
//! expiry. Providers ([`ProvideCredentials`], an async trait usable as `dyn`) produce one on
//! demand; [`Config`](crate::Config) wraps whichever it is given in a [`CredentialsCache`], which
//! refreshes expiring credentials before they expire, one refresh at a time.
//!
//! | Provider | Source | Official name |
//! | --- | --- | --- |
//! | [`Credentials`] itself | keys given in code | `static_ak` / `static_sts` |
//! | [`EnvironmentProvider`] | `ALIBABA_CLOUD_ACCESS_KEY_ID`, `_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN` | `env` |
//! | [`OidcRoleProvider`] | RRSA: `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE` → STS `AssumeRoleWithOIDC` | `oidc_role_arn` |
//! | [`RamRoleArnProvider`] | STS `AssumeRole`, signed with another provider's credentials | `ram_role_arn` |
//! | [`EcsRamRoleProvider`] | the ECS instance metadata service (IMDSv2, then v1) | `ecs_ram_role` |
//! | [`CredentialsUriProvider`] | `ALIBABA_CLOUD_CREDENTIALS_URI` | `credential_uri` |
//! | [`CliProfileProvider`] | the aliyun CLI's `~/.aliyun/config.json` | `cli_profile` |
//! | [`CredentialsFileProvider`] | `~/.alibabacloud/credentials` (INI) | `profile` |
//! | [`DefaultChain`] | all of the above, in the official order | `default` |
//!
//! Secrets are wrapped in [`SecretString`], whose `Debug` and `Display` print `***`, and no error
//! produced here contains a secret, token or OIDC token, so credentials and errors can be
//! logged. File and network I/O happens off the executor (`spawn_blocking`) or asynchronously.

mod cache;
mod chain;
mod cli_profile;
mod ecs;
mod env;
mod error;
mod file;
mod http;
mod ini;
mod oidc;
mod ram_role;
mod sts;
mod uri;

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::sign::{SigningCredentials, SigningKey, SigningScheme, V3Hash};

pub use cache::{CredentialsCache, FIRST_RETRY_WAIT, MAX_FETCH_TIME, MAX_RETRY_WAIT};
pub use chain::DefaultChain;
pub use cli_profile::{CliProfileProvider, MAX_PROFILE_CHAIN};
pub use ecs::EcsRamRoleProvider;
pub use env::EnvironmentProvider;
pub use error::{CredentialsError, FileProblem};
pub use file::CredentialsFileProvider;
pub use oidc::OidcRoleProvider;
pub use ram_role::RamRoleArnProvider;
pub use sts::StsEndpoint;
pub use uri::CredentialsUriProvider;

/// Environment variable holding the AccessKey id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// Environment variable holding an STS security token (optional).
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Environment variable naming the profile to use (CLI profile and credentials file).
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// Environment variable overriding the path of the aliyun CLI configuration file.
pub const ENV_CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
/// Environment variable that, when `true`, takes the CLI profile out of the default chain.
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// Environment variable overriding the path of the credentials file.
pub const ENV_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
/// Environment variable naming the RAM role to assume (OIDC and RAM role ARN).
pub const ENV_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// Environment variable naming the OIDC provider (RRSA).
pub const ENV_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// Environment variable naming the file holding the OIDC token (RRSA; it rotates).
pub const ENV_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// Environment variable naming the role session.
pub const ENV_ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// Environment variable choosing the STS region (`sts.<region>.aliyuncs.com`).
pub const ENV_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// Environment variable that, when `true` (with an STS region), makes STS calls use the VPC
/// endpoint (`sts-vpc.<region>.aliyuncs.com`).
pub const ENV_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// Environment variable naming the ECS instance's RAM role (discovered when unset).
pub const ENV_ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// Environment variable that, when `true`, turns the ECS metadata service off.
pub const ENV_ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// Environment variable that, when `true`, forbids falling back to IMDSv1.
pub const ENV_IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// Environment variable holding a URL that answers credentials as JSON.
pub const ENV_CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";

/// A boxed, sendable future of credentials, the return type of
/// [`ProvideCredentials::provide_credentials`].
pub type ProvideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

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

/// An AccessKey pair, optionally with an STS security token and the time it expires.
///
/// `Debug` shows the AccessKey id (which is not secret: it travels in every signed request) but
/// never the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: SecretString,
    security_token: Option<SecretString>,
    expiry: Option<SystemTime>,
    provider_name: Cow<'static, str>,
    /// How soon the source should be asked again although the credentials do not expire (a
    /// file that may have changed).
    recheck_after: Option<Duration>,
    signing_keys: SigningKeys,
}

/// The secret keyed for each V3 hash, made on first use: derived from the secret, so it takes
/// no part in equality and is never shown.
#[derive(Clone, Default)]
struct SigningKeys {
    sha256: std::sync::OnceLock<SigningKey>,
    sm3: std::sync::OnceLock<SigningKey>,
}

impl PartialEq for SigningKeys {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SigningKeys {}

impl Credentials {
    /// Long-lived AccessKey credentials.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: SecretString::new(access_key_secret),
            security_token: None,
            expiry: None,
            provider_name: Cow::Borrowed("static_ak"),
            recheck_after: None,
            signing_keys: SigningKeys::default(),
        }
    }

    /// These credentials as the signer takes them, for `scheme`: with the secret keyed for a
    /// V3 hash once per credentials (as AWS SigV4 clients keep their derived signing key).
    pub(crate) fn signing(&self, scheme: SigningScheme) -> SigningCredentials<'_> {
        let key = match scheme {
            SigningScheme::Acs3(hash) => {
                let slot = match hash {
                    V3Hash::Sha256 => &self.signing_keys.sha256,
                    V3Hash::Sm3 => &self.signing_keys.sm3,
                };
                Some(slot.get_or_init(|| SigningKey::new(hash, self.access_key_secret.expose())))
            }
            SigningScheme::RpcHmacSha1
            | SigningScheme::OssV4
            | SigningScheme::OssV1
            | SigningScheme::SlsLog
            | SigningScheme::SlsV4 => None,
        };
        SigningCredentials {
            access_key_id: &self.access_key_id,
            access_key_secret: self.access_key_secret.expose(),
            security_token: self.security_token(),
            provider_name: &self.provider_name,
            key,
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
        let has_token = !token.is_empty();
        Self {
            security_token: has_token.then_some(token),
            provider_name: Cow::Borrowed(if has_token { "static_sts" } else { "static_ak" }),
            ..Self::new(access_key_id, access_key_secret)
        }
    }

    /// The same credentials, expiring at `expiry`.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// The same credentials reported under `name` in the `x-acs-credentials-provider` header.
    pub fn with_provider_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.provider_name = name.into();
        self
    }

    /// The same credentials named `<outer>/<their name>`, as the official SDKs name credentials
    /// a provider obtained through another (`default/env`, `ram_role_arn/static_ak`).
    pub(crate) fn through(mut self, outer: &str) -> Self {
        self.provider_name = Cow::Owned(format!("{outer}/{}", self.provider_name));
        self
    }

    /// The same credentials, to be fetched again after `after` although they do not expire.
    pub(crate) fn recheck_after(mut self, after: Duration) -> Self {
        self.recheck_after = Some(after);
        self
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

    /// When the credentials stop working, if they expire.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// Where the credentials came from, as the official SDKs report it in the
    /// `x-acs-credentials-provider` header: `static_ak`, `static_sts`, `env`, `ecs_ram_role`,
    /// `ram_role_arn/static_ak`, `default/env`, …
    pub fn provider_name(&self) -> &str {
        &self.provider_name
    }

    pub(crate) fn recheck(&self) -> Option<Duration> {
        self.recheck_after
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .field("expiry", &self.expiry)
            .field("provider_name", &self.provider_name)
            .finish()
    }
}

/// A source of credentials.
///
/// Implementations may do network or file I/O (asynchronously, or on a blocking thread): the
/// client calls them through a [`CredentialsCache`], which asks again only when credentials
/// near their expiry.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Produces credentials, or explains why this source has none.
    fn provide_credentials(&self) -> ProvideFuture<'_>;

    /// What errors call this source (`RAM role ARN`, `ECS RAM role`, …).
    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("credentials provider")
    }
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let credentials = self.clone();
        Box::pin(async move { Ok(credentials) })
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("static credentials")
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }

    fn name(&self) -> Cow<'_, str> {
        (**self).name()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }

    fn name(&self) -> Cow<'_, str> {
        (**self).name()
    }
}

/// What "now" is, for deciding when credentials expire; injectable so tests can move time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// How providers read environment variables; injectable so tests need not touch the process
/// environment, which is shared by tests running in parallel.
pub(crate) type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

pub(crate) fn process_env() -> Lookup {
    // A variable that is not valid Unicode cannot hold a usable key or path, so it reads as unset.
    Arc::new(|name: &str| std::env::var(name).ok())
}

/// Reads a variable, treating the empty string as unset (as the official SDKs do).
pub(crate) fn non_empty_var(lookup: &Lookup, name: &str) -> Option<String> {
    lookup(name).filter(|value| !value.is_empty())
}

/// A boolean variable: `true` in any letter case, as the official libraries read them.
pub(crate) fn flag(lookup: &Lookup, name: &str) -> bool {
    lookup(name).is_some_and(|value| value.eq_ignore_ascii_case("true"))
}

/// The home directory: `HOME`, or `USERPROFILE` on Windows.
pub(crate) fn home(lookup: &Lookup) -> Option<std::path::PathBuf> {
    non_empty_var(lookup, "HOME")
        .or_else(|| {
            if cfg!(windows) {
                non_empty_var(lookup, "USERPROFILE")
            } else {
                None
            }
        })
        .map(std::path::PathBuf::from)
}

/// Parses an `Expiration` as Alibaba's credential services write it: `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn parse_expiration(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 20
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            19 => *b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().ok();
    let month = time::Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::from(number(0..4)?),
        month,
        u8::try_from(number(8..10)?).ok()?,
    )
    .ok()?;
    let time = time::Time::from_hms(
        u8::try_from(number(11..13)?).ok()?,
        u8::try_from(number(14..16)?).ok()?,
        u8::try_from(number(17..19)?).ok()?,
    )
    .ok()?;
    let seconds = time::PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp();
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expirations_parse_in_the_services_format_only() {
        assert_eq!(
            parse_expiration("2021-10-20T04:27:09Z"),
            Some(UNIX_EPOCH + Duration::from_secs(1_634_704_029))
        );
        for bad in [
            "2021-10-20 04:27:09",
            "2021-13-20T04:27:09Z",
            "2021-10-20T04:27:09.123Z",
            "",
        ] {
            assert_eq!(parse_expiration(bad), None, "{bad}");
        }
    }
}
