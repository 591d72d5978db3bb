//! Why credentials could not be provided.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::{ENV_CLI_PROFILE_DISABLED, ENV_CONFIG_FILE};
use crate::sanitize::escape_controls;

/// What is wrong with a configuration file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FileProblem {
    /// The file's location depends on `HOME`, which is not set.
    NotLocated,
    /// The file does not exist.
    NotFound,
    /// The file exists but could not be read.
    Unreadable(Arc<io::Error>),
    /// The file is too large to be a configuration file.
    TooLarge,
    /// The file does not parse. Only the position is kept: the parser's message may quote the
    /// file's content, which holds secrets.
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The file parses but is not shaped as expected.
    Invalid(String),
}

/// Why credentials could not be provided.
///
/// Messages name the source, variable, file, profile and endpoint involved but never contain a
/// secret, security token or OIDC token. Each starts with its source (`environment: …`,
/// `aliyun CLI profile file …: …`), so the list in [`CredentialsError::NoCredentials`] reads
/// well. Cheap to clone: callers waiting for one refresh share its failure.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A required environment variable is unset or empty.
    EnvVarMissing {
        /// The variable's name.
        name: &'static str,
    },
    /// The source is not set up (say, OIDC without its environment variables).
    NotConfigured {
        /// The source.
        provider: &'static str,
        /// What is missing.
        reason: String,
    },
    /// An environment variable turned the source off.
    Disabled {
        /// The source.
        provider: &'static str,
        /// The variable set to `true`.
        variable: &'static str,
    },
    /// A configuration file could not be used.
    File {
        /// The source.
        provider: &'static str,
        /// The file (or where it was looked for).
        path: PathBuf,
        /// What is wrong.
        problem: FileProblem,
    },
    /// The file has no profile of the selected name.
    ProfileNotFound {
        /// The source.
        provider: &'static str,
        /// The file.
        path: PathBuf,
        /// The profile looked for.
        profile: String,
        /// Names of the profiles the file does have (the first
        /// [`CredentialsError::MAX_LISTED`]).
        available: Vec<String>,
        /// How many profiles the file has in all.
        total: usize,
    },
    /// The selected profile lacks a field or has one of the wrong type.
    InvalidProfile {
        /// The source.
        provider: &'static str,
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// What is wrong (names the field, never shows its value).
        reason: String,
    },
    /// The selected profile's mode or type is not one this crate can use.
    UnsupportedMode {
        /// The source.
        provider: &'static str,
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// The profile's `mode` (or `type`).
        mode: String,
    },
    /// A credential service (STS, the metadata service, a credentials URI) could not be
    /// reached, or gave no answer.
    Unreachable {
        /// The source.
        provider: &'static str,
        /// The service's address.
        endpoint: String,
        /// What went wrong (free of secrets).
        message: String,
    },
    /// A credential service answered with an error, or with something that is not
    /// credentials.
    Service {
        /// The source.
        provider: &'static str,
        /// The service's address.
        endpoint: String,
        /// What it answered (codes and statuses; secrets removed).
        message: String,
    },
    /// The credentials a source provided have already expired.
    Expired {
        /// The source.
        provider: String,
    },
    /// The source did not answer in time: within the call's time budget (the fetch goes on
    /// for later calls), or within [`MAX_FETCH_TIME`](super::MAX_FETCH_TIME) at all (the fetch
    /// is abandoned, and the next one waits as after any failure).
    TimedOut {
        /// The source.
        provider: String,
        /// How long was waited.
        waited: Duration,
    },
    /// A `ChainableRamRoleArn` chain of profiles is longer than the client follows.
    ChainTooLong {
        /// The file.
        path: PathBuf,
        /// The profile the chain starts from.
        profile: String,
        /// The most profiles a chain may have.
        limit: usize,
    },
    /// No source in a chain had credentials.
    NoCredentials {
        /// Each source's failure, in the order the sources were tried.
        attempts: Vec<CredentialsError>,
    },
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::NotLocated => {
                write!(
                    f,
                    "cannot locate it: neither {ENV_CONFIG_FILE} nor HOME is set"
                )
            }
            FileProblem::NotFound => f.write_str("not found"),
            FileProblem::Unreadable(error) => write!(f, "cannot read it: {error}"),
            FileProblem::TooLarge => f.write_str("too large for a configuration file"),
            FileProblem::Malformed { line, column } => {
                write!(f, "does not parse (error at line {line}, column {column})")
            }
            FileProblem::Invalid(reason) => f.write_str(reason),
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EnvVarMissing { name } => write!(f, "environment: {name} is not set"),
            Self::NotConfigured { provider, reason } => write!(f, "{provider}: {reason}"),
            Self::Disabled { provider, variable } => {
                write!(f, "{provider}: disabled by {variable}")
            }
            Self::File {
                provider,
                path,
                problem,
            } => write!(f, "{provider} file {}: {problem}", path.display()),
            Self::ProfileNotFound {
                provider,
                path,
                profile,
                available,
                total,
            } => {
                write!(
                    f,
                    "{provider} file {}: no profile named `{profile}`",
                    path.display()
                )?;
                match total - available.len() {
                    _ if *total == 0 => f.write_str(" (the file has no profiles)"),
                    0 => write!(f, " (available: {})", available.join(", ")),
                    more => write!(f, " (available: {}, and {more} more)", available.join(", ")),
                }
            }
            Self::InvalidProfile {
                provider,
                path,
                profile,
                reason,
            } => write!(
                f,
                "{provider} file {}: profile `{profile}`: {reason}",
                path.display()
            ),
            Self::UnsupportedMode {
                provider,
                path,
                profile,
                mode,
            } => write!(
                f,
                "{provider} file {}: profile `{profile}` has mode `{mode}`, which is not supported",
                path.display()
            ),
            Self::Unreachable {
                provider,
                endpoint,
                message,
            } => write!(
                f,
                "{provider}: cannot reach {endpoint}: {}",
                escape_controls(message)
            ),
            Self::Service {
                provider,
                endpoint,
                message,
            } => write!(
                f,
                // What the service said is shown escaped: it may carry terminal controls.
                "{provider}: {endpoint} answered: {}",
                escape_controls(message)
            ),
            Self::Expired { provider } => {
                write!(f, "{provider}: the credentials it provided have expired")
            }
            Self::TimedOut { provider, waited } => {
                write!(f, "{provider}: no credentials within {waited:?}")
            }
            Self::ChainTooLong {
                path,
                profile,
                limit,
            } => write!(
                f,
                "{} file {}: the chain of profiles from `{profile}` is longer than {limit}",
                super::cli_profile::PROVIDER,
                path.display()
            ),
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
        // An unreadable file's I/O error is in this error's text: the chain goes on below it.
        match self {
            Self::File {
                problem: FileProblem::Unreadable(source),
                ..
            } => source.source(),
            _ => None,
        }
    }
}

impl CredentialsError {
    /// The most profile names a [`CredentialsError::ProfileNotFound`] lists.
    pub const MAX_LISTED: usize = 20;

    /// Whether the source did not answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::TimedOut { .. })
    }

    /// The CLI profile provider turned off by `ALIBABA_CLOUD_CLI_PROFILE_DISABLED`.
    pub(crate) fn cli_profile_disabled() -> Self {
        Self::Disabled {
            provider: super::cli_profile::PROVIDER,
            variable: ENV_CLI_PROFILE_DISABLED,
        }
    }
}
