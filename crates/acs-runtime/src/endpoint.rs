//! Endpoint resolution: which host a client calls for a region.
//!
//! Generated client crates embed their service's per-region table ([`RegionEndpoint`]s, taken
//! from Alibaba Cloud's metadata) and call [`resolve`] with the configured region, the wanted
//! network ([`EndpointKind`]) and an optional user override. The result is a
//! [`ResolvedEndpoint`]: scheme plus host (and port, if not the scheme's default).
//!
//! Endpoints from the table are always HTTPS; plain HTTP is used only when an override asks for
//! it explicitly with `http://`.

use std::fmt;

/// One row of a service's endpoint table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionEndpoint {
    /// The region id, e.g. `cn-beijing`.
    pub region_id: &'static str,
    /// Host reachable from the Internet. Several regions may share one central host.
    pub public: &'static str,
    /// Host reachable from inside the region's VPCs, if the service has one there. `Some("")` is
    /// treated like `None`.
    pub vpc: Option<&'static str>,
}

impl RegionEndpoint {
    /// A row in the metadata's own shape, where a missing VPC endpoint is the empty string.
    pub const fn new(region_id: &'static str, public: &'static str, vpc: &'static str) -> Self {
        Self {
            region_id,
            public,
            vpc: if vpc.is_empty() { None } else { Some(vpc) },
        }
    }

    /// The host for `kind`, if this region has a non-empty one.
    pub fn host(&self, kind: EndpointKind) -> Option<&'static str> {
        match kind {
            EndpointKind::Public => Some(self.public),
            EndpointKind::Vpc => self.vpc,
        }
        .filter(|host| !host.is_empty())
    }
}

/// The gateway a product's requests go through: how they are signed and addressed, and how
/// its errors read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Gateway {
    /// Alibaba's common gateway: ACS3 (or RPC `HMAC-SHA1`) signatures, JSON answers.
    #[default]
    Acs,
    /// Object Storage Service: `OSS4-HMAC-SHA256` (or V1 `OSS`) signatures, the bucket as the
    /// host's first label (or the path's first segment), XML answers and errors.
    Oss,
    /// Simple Log Service: `LOG` (or `SLS4-HMAC-SHA256`) signatures, the project as the
    /// host's first label, JSON errors (`errorCode`, `errorMessage`).
    Sls,
}

/// Which network an endpoint is reached from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EndpointKind {
    /// The Internet.
    #[default]
    Public,
    /// A VPC in the same region.
    Vpc,
}

impl fmt::Display for EndpointKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Public => "public",
            Self::Vpc => "VPC",
        })
    }
}

/// URL scheme of a resolved endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `https`, the default everywhere.
    Https,
    /// `http`, only ever from an explicit `http://` override.
    Http,
}

impl Scheme {
    /// `"https"` or `"http"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Https => "https",
            Self::Http => "http",
        }
    }

    /// 443 or 80.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Https => 443,
            Self::Http => 80,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the client calls: a base URL with scheme, host and optional port; path is always "/" here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    /// The scheme.
    pub scheme: Scheme,
    /// The host, lower-case, with `:port` appended when the port is not the scheme's default.
    pub host: String,
}

impl ResolvedEndpoint {
    /// Parses an endpoint override: `https://host[:port][/]`, `http://host[:port][/]`, or a bare
    /// `host[:port]` meaning HTTPS. Surrounding whitespace is ignored; the scheme is
    /// case-insensitive; IPv6 literals go in brackets (`[::1]:8080`).
    ///
    /// Rejected: other schemes, paths other than `/`, query strings, fragments, user
    /// information, empty hosts, hosts with characters not allowed in a host name, and ports
    /// outside 1–65535. A port equal to the scheme's default is dropped.
    pub fn parse(url: &str) -> Result<Self, EndpointError> {
        parse_override(url.trim()).map_err(|reason| EndpointError::InvalidOverride {
            url: redact(url.trim()),
            reason,
        })
    }

    /// The base URL without a trailing slash, e.g. `https://dbs-api.cn-hangzhou.aliyuncs.com`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// The value of the `Host` header: the host, with the port if it is not the default.
    pub fn host_header(&self) -> &str {
        &self.host
    }

    /// The base URL, parsed once, for requests to put their path and query on.
    pub fn url(&self) -> Result<url::Url, EndpointError> {
        url::Url::parse(&self.base_url()).map_err(|error| EndpointError::InvalidOverride {
            url: self.base_url(),
            reason: error.to_string(),
        })
    }
}

impl fmt::Display for ResolvedEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)
    }
}

/// Resolves the endpoint to call.
///
/// `override_url`, when given, wins and is parsed as described in [`ResolvedEndpoint::parse`].
/// Otherwise `region` must be in `table` and have an endpoint of `kind`; the result is HTTPS.
pub fn resolve(
    table: &[RegionEndpoint],
    region: &str,
    kind: EndpointKind,
    override_url: Option<&str>,
) -> Result<ResolvedEndpoint, EndpointError> {
    if let Some(url) = override_url {
        return ResolvedEndpoint::parse(url);
    }
    let entry = table
        .iter()
        .find(|entry| entry.region_id == region)
        .ok_or_else(|| {
            let mut known: Vec<&'static str> = table.iter().map(|e| e.region_id).collect();
            known.sort_unstable();
            known.dedup();
            EndpointError::UnknownRegion {
                region: region.to_owned(),
                known,
            }
        })?;
    let host = entry.host(kind).ok_or_else(|| EndpointError::NoEndpoint {
        region: region.to_owned(),
        kind,
    })?;
    Ok(ResolvedEndpoint {
        scheme: Scheme::Https,
        host: host.to_owned(),
    })
}

/// Why no endpoint could be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// The region is not in the service's table.
    UnknownRegion {
        /// The region asked for (possibly empty).
        region: String,
        /// The regions the table has, sorted.
        known: Vec<&'static str>,
    },
    /// The region has no endpoint of the requested kind.
    NoEndpoint {
        /// The region.
        region: String,
        /// The kind asked for.
        kind: EndpointKind,
    },
    /// The endpoint override is not a URL this client accepts.
    InvalidOverride {
        /// The override, with any user information and query replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownRegion { region, known } => {
                if region.is_empty() {
                    f.write_str("no region set")?;
                } else {
                    write!(f, "unknown region `{region}`")?;
                }
                if known.is_empty() {
                    f.write_str(" (this service lists no regions; set an endpoint override)")
                } else {
                    write!(f, "; known regions: {}", known.join(", "))
                }
            }
            Self::NoEndpoint { region, kind } => {
                write!(f, "region `{region}` has no {kind} endpoint")?;
                if *kind == EndpointKind::Vpc {
                    f.write_str("; use the public endpoint or set an endpoint override")?;
                }
                Ok(())
            }
            Self::InvalidOverride { url, reason } => {
                write!(f, "invalid endpoint override `{url}`: {reason}")
            }
        }
    }
}

impl std::error::Error for EndpointError {}

/// Whether `s` is syntactically a URL scheme (RFC 3986: a letter, then letters, digits, `+-.`).
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Splits `input` into its scheme (if it has one) and the rest.
fn split_scheme(input: &str) -> Option<(&str, &str)> {
    input
        .split_once("://")
        .filter(|(scheme, _)| is_scheme(scheme))
}

fn parse_override(input: &str) -> Result<ResolvedEndpoint, String> {
    if input.is_empty() {
        return Err("it is empty".to_owned());
    }
    let (scheme, rest) = match split_scheme(input) {
        Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Scheme::Https, rest),
        Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Scheme::Http, rest),
        Some((s, _)) => {
            return Err(format!(
                "unsupported scheme `{s}` (use https://, http:// or a bare host)"
            ));
        }
        None => {
            // `https:host` or `http:/host` would otherwise surface as a puzzling port error.
            if let Some((s, _)) = input.split_once(':')
                && (s.eq_ignore_ascii_case("https") || s.eq_ignore_ascii_case("http"))
            {
                return Err(format!("malformed scheme; write `{s}://host`"));
            }
            (Scheme::Https, input)
        }
    };

    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match tail.find(['?', '#']).map(|i| tail.as_bytes()[i]) {
        Some(b'?') => return Err("query strings are not allowed".to_owned()),
        Some(_) => return Err("fragments (`#…`) are not allowed".to_owned()),
        None => {}
    }
    if !tail.is_empty() && tail != "/" {
        return Err(format!(
            "the path must be empty or `/`, found `{tail}` (the API path is set per operation)"
        ));
    }
    if authority.contains('@') {
        return Err("user information (`user@`) is not allowed".to_owned());
    }

    let (host, port) = split_host_port(authority)?;
    let host = host.to_ascii_lowercase();
    let host = match port {
        Some(port) if port != scheme.default_port() => format!("{host}:{port}"),
        _ => host,
    };
    Ok(ResolvedEndpoint { scheme, host })
}

/// Splits and validates `host[:port]` or `[ipv6][:port]`.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or("the IPv6 address has no closing `]`")?;
        let (host, after) = authority.split_at(close + 1);
        let inner = &host[1..host.len() - 1];
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(format!("`{host}` is not a valid IPv6 address"));
        }
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| format!("unexpected `{after}` after the IPv6 address"))?,
            ),
        };
        (host, port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if port.is_some_and(|port| port.contains(':')) {
            return Err("IPv6 addresses must be written in brackets, e.g. `[::1]`".to_owned());
        }
        validate_host_name(host)?;
        (host, port)
    };
    let port = port.map(parse_port).transpose()?;
    Ok((host, port))
}

fn validate_host_name(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the host is empty".to_owned());
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(format!(
            "the host `{host}` contains `{c}`, which is not allowed"
        ));
    }
    // A trailing dot (fully qualified name) is fine; empty labels elsewhere are typos.
    if host.starts_with('.') || host.contains("..") {
        return Err(format!("the host `{host}` has an empty label"));
    }
    Ok(())
}

fn parse_port(port: &str) -> Result<u16, String> {
    // The digit check rejects `+80`, which `u16::from_str` accepts.
    match port.parse::<u16>() {
        Ok(n) if n != 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ if port.is_empty() => Err("the port is empty".to_owned()),
        _ => Err(format!("the port `{port}` is not a number from 1 to 65535")),
    }
}

/// The override as shown in errors: user information and query could carry credentials.
fn redact(input: &str) -> String {
    let (prefix, rest) = match split_scheme(input) {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), input),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    let tail = match tail.find(['?', '#']) {
        Some(i) => format!("{}{}***", &tail[..i], &tail[i..=i]),
        None => tail.to_owned(),
    };
    format!("{prefix}{authority}{tail}")
}
