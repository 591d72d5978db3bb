//! OpenMeta over HTTP(S): the [`Upstream`] of `cargo xtask add`, `update` and `products` when
//! the source is a URL.
//!
//! reqwest's blocking client, the HTTP stack the runtime already uses (no second one in the
//! lock file), over rustls with ring and the operating system's trust store, as the runtime
//! does. Every request has a connect and a total time limit; bodies over
//! [`MAX_BODY_BYTES`] are refused; connection errors, timeouts, cut bodies and 5xx answers are
//! retried with doubling pauses; other statuses fail at once. Concurrency is
//! `xtask::update::CONCURRENCY` threads sharing one client.

use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

use xtask::update::source::{MAX_BODY_BYTES, openmeta_url};
use xtask::update::{FetchError, Resource, Upstream};

/// Time limits and retries.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// To open the connection (and finish the TLS handshake).
    pub connect_timeout: Duration,
    /// For one attempt, from connecting to the body's last byte.
    pub total_timeout: Duration,
    /// Attempts per resource, the first included.
    pub attempts: u32,
    /// The pause before the second attempt; it doubles before each further one.
    pub first_pause: Duration,
}

impl Default for Settings {
    /// 10 s to connect, 120 s per attempt (a large `api-docs.json` over a slow link), four
    /// attempts, pauses of 1, 2 and 4 s.
    fn default() -> Self {
        Settings {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(120),
            attempts: 4,
            first_pause: Duration::from_secs(1),
        }
    }
}

/// OpenMeta at a base URL (`https://api.alibabacloud.com`).
#[derive(Debug, Clone)]
pub struct HttpSource {
    base: String,
    client: reqwest::blocking::Client,
    settings: Settings,
}

impl HttpSource {
    /// A client for `base` (`http://` only makes sense on loopback; it is not refused, for
    /// mirrors on a trusted network).
    pub fn new(base: &str, settings: Settings) -> Result<HttpSource, String> {
        #[allow(deprecated)] // rustls 0.23.48 deprecates it (no post-quantum key exchange)
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|builder| {
                use rustls_platform_verifier::BuilderVerifierExt as _;
                builder.with_platform_verifier()
            })
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            .with_no_client_auth();
        let client = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.total_timeout)
            .user_agent(concat!("acs-rust-xtask/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(HttpSource {
            base: base.to_owned(),
            client,
            settings,
        })
    }

    /// One attempt: the body, or why not and whether trying again may help.
    fn attempt(&self, url: &str) -> Result<Vec<u8>, (String, bool)> {
        let response = self
            .client
            .get(url)
            .send()
            .map_err(|e| (describe(&e), true))?;
        let status = response.status();
        if status.is_server_error() {
            return Err((format!("HTTP {status}"), true));
        }
        if !status.is_success() {
            return Err((format!("HTTP {status}"), false));
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_BODY_BYTES)
        {
            return Err((
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                false,
            ));
        }
        let mut body = Vec::new();
        response
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| (format!("the body was cut off: {}", describe(&e)), true))?;
        if body.len() as u64 > MAX_BODY_BYTES {
            return Err((
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                false,
            ));
        }
        Ok(body)
    }
}

impl Upstream for HttpSource {
    fn location(&self, resource: Resource<'_>) -> String {
        openmeta_url(&self.base, resource)
    }

    fn fetch(&self, resource: Resource<'_>) -> Result<Vec<u8>, FetchError> {
        let url = self.location(resource);
        let mut pause = self.settings.first_pause;
        let attempts = self.settings.attempts.max(1);
        for attempt in 1..=attempts {
            match self.attempt(&url) {
                Ok(body) => return Ok(body),
                Err((reason, retry)) if retry && attempt < attempts => {
                    eprintln!(
                        "{url}: {reason}; attempt {} of {attempts} in {:.1} s",
                        attempt + 1,
                        pause.as_secs_f64()
                    );
                    std::thread::sleep(pause);
                    pause = pause.saturating_mul(2);
                }
                Err((reason, retry)) => {
                    return Err(FetchError {
                        location: url,
                        reason: if retry {
                            format!("{reason} (after {attempts} attempts)")
                        } else {
                            reason
                        },
                    });
                }
            }
        }
        unreachable!("the last attempt returns")
    }
}

/// An error and its causes, outermost first: reqwest's own words ("error sending request")
/// say little without hyper's and the operating system's below them.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The source the command line names: a URL through [`HttpSource`], a folder read directly.
pub fn upstream(spec: &xtask::update::SourceSpec) -> Result<Box<dyn Upstream>, String> {
    Ok(match spec {
        xtask::update::SourceSpec::Url(base) => {
            Box::new(HttpSource::new(base, Settings::default())?)
        }
        xtask::update::SourceSpec::Dir(dir) => Box::new(xtask::update::DirSource(dir.clone())),
    })
}
