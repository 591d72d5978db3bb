//! The parts of a request that stay the same on every attempt, and the signed HTTP request
//! built from them for each attempt (V3 `Authorization` header or V1 `Signature` parameter).

use crate::credentials::Credentials;
use crate::encoding::{
    encode_path_literal, form_encode_pairs, percent_encode, push_form_encoded_pairs,
};
use crate::endpoint::ResolvedEndpoint;
use crate::error::BuildError;
use crate::headers::Headers;
use crate::operation::{ApiStyle, Method, OperationInfo, ServiceInfo};
use crate::params::RequestParams;
use crate::sign::{self, SignatureAlgorithm, V3Request};
use crate::transport::HttpRequest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prepared {
    style: ApiStyle,
    product_version: &'static str,
    action: &'static str,
    method: Method,
    /// Percent-encoded path: the request target's path and the V3 canonical URI.
    path: String,
    /// API query parameters, unencoded.
    query: Vec<(String, String)>,
    /// Form body pairs (signed in V1), unencoded.
    form: Vec<(String, String)>,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    /// Extra headers from the operation, names lower-cased.
    headers: Vec<(String, String)>,
}

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
const BINARY_CONTENT_TYPE: &str = "application/octet-stream";

/// Headers the runtime sets on requests itself: an operation's header of the same name is
/// dropped (so is `content-length`, which the HTTP layer sets), and the transport sends them
/// under static names.
pub(crate) const RUNTIME_HEADERS: [&str; 13] = [
    "host",
    "x-acs-version",
    "x-acs-action",
    "user-agent",
    "x-acs-date",
    "x-acs-signature-nonce",
    "accept",
    "content-type",
    "x-acs-content-sha256",
    "x-acs-credentials-provider",
    "x-acs-accesskey-id",
    "x-acs-security-token",
    "authorization",
];

impl Prepared {
    pub(crate) fn new(
        service: &ServiceInfo,
        info: &OperationInfo,
        params: RequestParams,
    ) -> Result<Self, BuildError> {
        let RequestParams {
            query: params_query,
            form,
            json_body,
            path: path_params,
            headers: params_headers,
            host: host_params,
            binary_body,
        } = params;
        // Sending the request without them would reach the wrong host; refuse instead.
        if let Some((parameter, _)) = host_params.into_iter().next() {
            return Err(BuildError::HostParameter {
                operation: info.action,
                parameter,
            });
        }

        let mut query = Vec::new();
        let path = match service.style {
            ApiStyle::Rpc => "/".to_owned(),
            ApiStyle::Roa => {
                let (template, template_query) = match info.path.split_once('?') {
                    Some((path, query)) => (path, Some(query)),
                    None => (info.path, None),
                };
                for pair in template_query.into_iter().flat_map(|q| q.split('&')) {
                    if pair.is_empty() {
                        continue;
                    }
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    query.push((key.to_owned(), value.to_owned()));
                }
                expand_path(template, &path_params, info.action)?
            }
        };
        query.extend(params_query);

        let (body, content_type) = if let Some(bytes) = binary_body {
            (bytes, Some(BINARY_CONTENT_TYPE))
        } else if !form.is_empty() {
            (
                form_encode_pairs(&form).into_bytes(),
                Some(FORM_CONTENT_TYPE),
            )
        } else if let Some(json) = &json_body {
            (json.to_string().into_bytes(), Some(JSON_CONTENT_TYPE))
        } else {
            (Vec::new(), None)
        };

        let mut headers = Vec::with_capacity(params_headers.len());
        for (name, value) in params_headers {
            let name = name.to_ascii_lowercase();
            if value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(BuildError::InvalidHeaderValue {
                    operation: info.action,
                    header: name,
                });
            }
            if name != "content-length" && !RUNTIME_HEADERS.contains(&name.as_str()) {
                headers.push((name, value));
            }
        }

        Ok(Prepared {
            style: service.style,
            product_version: service.version,
            action: info.action,
            method: info.method,
            path,
            query,
            form,
            body,
            content_type,
            headers,
        })
    }

    /// The request for one attempt, signed with `credentials` (unsigned without them: an
    /// anonymous operation).
    pub(crate) fn sign(
        &self,
        endpoint: &ResolvedEndpoint,
        algorithm: SignatureAlgorithm,
        credentials: Option<&Credentials>,
        nonce: &str,
        timestamp: &str,
        user_agent: &str,
    ) -> HttpRequest {
        match algorithm {
            SignatureAlgorithm::HmacSha1 if self.style == ApiStyle::Rpc => {
                self.sign_v1(endpoint, credentials, nonce, timestamp, user_agent)
            }
            SignatureAlgorithm::HmacSha1 => self.sign_v3(
                endpoint,
                SignatureAlgorithm::Acs3HmacSha256,
                credentials,
                nonce,
                timestamp,
                user_agent,
            ),
            v3 => self.sign_v3(endpoint, v3, credentials, nonce, timestamp, user_agent),
        }
    }

    fn url(&self, endpoint: &ResolvedEndpoint, query: &[(String, String)]) -> String {
        // One buffer, sized for the whole URL: building it was a dozen allocations a call.
        let scheme = endpoint.scheme.as_str();
        let query_len: usize = query.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        let mut url = String::with_capacity(
            scheme.len() + 3 + endpoint.host.len() + self.path.len() + 1 + query_len + 16,
        );
        for piece in [scheme, "://", &endpoint.host, &self.path] {
            url.push_str(piece);
        }
        if !query.is_empty() {
            url.push('?');
            push_form_encoded_pairs(&mut url, query);
        }
        url
    }

    fn sign_v3(
        &self,
        endpoint: &ResolvedEndpoint,
        algorithm: SignatureAlgorithm,
        credentials: Option<&Credentials>,
        nonce: &str,
        timestamp: &str,
        user_agent: &str,
    ) -> HttpRequest {
        let hashed_payload = sign::hash_payload(algorithm, &self.body);
        let mut headers = self.header_buffer(endpoint, credentials, user_agent);
        // The official SDK's headers, in its order; every one of them is signed.
        headers.push("host", endpoint.host_header());
        headers.push("x-acs-version", self.product_version);
        headers.push("x-acs-action", self.action);
        headers.push("user-agent", user_agent);
        headers.push("x-acs-date", timestamp);
        headers.push("x-acs-signature-nonce", nonce);
        headers.push("accept", "application/json");
        if let Some(content_type) = self.content_type {
            headers.push("content-type", content_type);
        }
        headers.push("x-acs-content-sha256", &hashed_payload);
        if let Some(credentials) = credentials {
            headers.push("x-acs-credentials-provider", credentials.provider_name());
            if let Some(token) = credentials.security_token() {
                headers.push("x-acs-accesskey-id", credentials.access_key_id());
                headers.push("x-acs-security-token", token);
            }
        }
        let is_signed = |name: &str| name.starts_with("x-acs-");
        for (name, value) in self.headers.iter().filter(|(name, _)| is_signed(name)) {
            headers.push(name, value);
        }

        let authorization = credentials.map(|credentials| {
            sign::authorization_v3_with_key(
                credentials.access_key_id(),
                credentials.signing_key(algorithm),
                &V3Request {
                    method: self.method.as_str(),
                    canonical_uri: &self.path,
                    query: &self.query,
                    headers: &headers,
                    hashed_payload: &hashed_payload,
                },
            )
        });
        for (name, value) in self.headers.iter().filter(|(name, _)| !is_signed(name)) {
            headers.push(name, value);
        }
        if let Some(authorization) = authorization {
            headers.push("Authorization", &authorization);
        }
        HttpRequest {
            method: self.method,
            url: self.url(endpoint, &self.query),
            headers,
            body: self.body.clone(),
        }
    }

    /// An empty header list with room for every header [`Prepared::sign`] sets, so it is
    /// allocated once.
    fn header_buffer(
        &self,
        endpoint: &ResolvedEndpoint,
        credentials: Option<&Credentials>,
        user_agent: &str,
    ) -> Headers {
        // The fixed names and values, a nonce, a date, two hashes and the Authorization
        // header come to under 800 bytes; the rest varies.
        let varying = endpoint.host_header().len()
            + user_agent.len()
            + self.action.len()
            + credentials.map_or(0, |c| {
                2 * c.access_key_id().len() + c.security_token().map_or(0, str::len)
            })
            + self
                .headers
                .iter()
                .map(|(name, value)| name.len() + value.len())
                .sum::<usize>();
        Headers::with_capacity(16 + self.headers.len(), 800 + varying)
    }

    fn sign_v1(
        &self,
        endpoint: &ResolvedEndpoint,
        credentials: Option<&Credentials>,
        nonce: &str,
        timestamp: &str,
        user_agent: &str,
    ) -> HttpRequest {
        // The official SDK's common parameters, in its order.
        let mut query: Vec<(String, String)> = vec![
            ("Action".into(), self.action.to_owned()),
            ("Format".into(), "json".into()),
            ("Version".into(), self.product_version.to_owned()),
            ("Timestamp".into(), timestamp.to_owned()),
            ("SignatureNonce".into(), nonce.to_owned()),
        ];
        query.extend(self.query.iter().cloned());
        let mut headers = self.header_buffer(endpoint, credentials, user_agent);
        headers.push("host", endpoint.host_header());
        headers.push("x-acs-version", self.product_version);
        headers.push("x-acs-action", self.action);
        headers.push("user-agent", user_agent);
        if let Some(credentials) = credentials {
            if let Some(token) = credentials.security_token() {
                query.push(("SecurityToken".into(), token.to_owned()));
            }
            query.push(("SignatureMethod".into(), "HMAC-SHA1".into()));
            query.push(("SignatureVersion".into(), "1.0".into()));
            query.push(("AccessKeyId".into(), credentials.access_key_id().to_owned()));
            // Form body fields are signed together with the query.
            let mut signed = query.clone();
            signed.extend(self.form.iter().cloned());
            let signature = sign::sign_v1(
                self.method.as_str(),
                &signed,
                credentials.access_key_secret(),
            );
            query.push(("Signature".into(), signature.signature));
            headers.push("x-acs-credentials-provider", credentials.provider_name());
        }
        if let Some(content_type) = self.content_type {
            headers.push("content-type", content_type);
        }
        for (name, value) in &self.headers {
            headers.push(name, value);
        }
        HttpRequest {
            method: self.method,
            url: self.url(endpoint, &query),
            headers,
            body: self.body.clone(),
        }
    }
}

/// Substitutes `{Name}` placeholders with their percent-encoded values. The literal parts come
/// from the spec, which allows only characters a path carries as they are
/// (`/appstack/apps:search`), and are sent and signed as written, as the official SDKs do;
/// anything else is still encoded.
fn expand_path(
    template: &str,
    values: &[(String, String)],
    operation: &'static str,
) -> Result<String, BuildError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|close| open + close) else {
            break;
        };
        out.push_str(&encode_path_literal(&rest[..open]));
        let name = &rest[open + 1..close];
        let value = values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
            .ok_or_else(|| BuildError::MissingPathParameter {
                operation,
                placeholder: name.to_owned(),
            })?;
        out.push_str(&percent_encode(value));
        rest = &rest[close + 1..];
    }
    out.push_str(&encode_path_literal(rest));
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    Ok(out)
}
#[cfg(test)]
mod tests {
    //! Replays the official SDK's vectors through the request builder: with the vector's time,
    //! nonce and User-Agent, the headers and wire query must be exactly the SDK's.

    use super::*;
    use crate::operation::Idempotency;
    use serde_json::Value;

    static DBS: ServiceInfo = ServiceInfo {
        product: "dbs",
        version: "2019-03-06",
        style: ApiStyle::Rpc,
        endpoints: &[],
    };

    const START_BACKUP_PLAN: OperationInfo =
        OperationInfo::rpc("StartBackupPlan", Method::Post, Idempotency::Token);

    #[test]
    fn host_parameters_are_refused_rather_than_sent_to_the_wrong_host() {
        let mut params = RequestParams::default();
        params
            .host
            .push(("project".to_owned(), "my-project".to_owned()));
        let error = Prepared::new(&DBS, &START_BACKUP_PLAN, params).err();
        assert_eq!(
            error,
            Some(BuildError::HostParameter {
                operation: "StartBackupPlan",
                parameter: "project".to_owned(),
            })
        );
    }

    fn replay(fixture: &str) {
        let vector: Value = serde_json::from_str(fixture).expect("fixture is JSON");
        let input = &vector["input"];
        let text = |value: &Value| value.as_str().expect("string").to_owned();
        let credentials = match input["security_token"].as_str() {
            Some(token) => Credentials::with_security_token(
                text(&input["access_key_id"]),
                text(&input["access_key_secret"]),
                token,
            ),
            None => Credentials::new(
                text(&input["access_key_id"]),
                text(&input["access_key_secret"]),
            ),
        };
        let algorithm =
            SignatureAlgorithm::from_name(input["signature_algorithm"].as_str().unwrap()).unwrap();
        let mut params = RequestParams::default();
        for (key, value) in input["parameters"].as_object().unwrap() {
            params.query.push((key.clone(), text(value)));
        }
        let endpoint = ResolvedEndpoint::parse(&format!(
            "{}://{}",
            text(&input["protocol"]),
            text(&input["endpoint"])
        ))
        .unwrap();
        let prepared = Prepared::new(&DBS, &START_BACKUP_PLAN, params).unwrap();
        let request = prepared.sign(
            &endpoint,
            algorithm,
            Some(&credentials),
            &text(&input["nonce"]),
            &text(&input["timestamp"]),
            &text(&input["user_agent"]),
        );

        let sdk = &vector["expected"]["sdk_request"];
        let expected_headers: Vec<(String, String)> = sdk["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, value)| (name.clone(), text(value)))
            .collect();
        let mut ours: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let mut theirs = expected_headers.clone();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{}", vector["id"]);
        assert_eq!(request.url, text(&sdk["url"]), "{}", vector["id"]);
        assert!(request.body.is_empty());
        assert_eq!(request.method, Method::Post);
    }

    #[test]
    fn requests_match_the_official_sdk() {
        for fixture in [
            include_str!("../tests/fixtures/signing/sign_v3_basic.json"),
            include_str!("../tests/fixtures/signing/sign_v3_client_token.json"),
            include_str!("../tests/fixtures/signing/sign_v3_sm3.json"),
            include_str!("../tests/fixtures/signing/sign_v3_sts.json"),
            include_str!("../tests/fixtures/signing/sign_v1_basic.json"),
            include_str!("../tests/fixtures/signing/sign_v1_client_token.json"),
            include_str!("../tests/fixtures/signing/sign_v1_sts.json"),
        ] {
            replay(fixture);
        }
    }

    #[test]
    fn roa_templates_keep_their_literal_text_and_fixed_query() {
        static ROA: ServiceInfo = ServiceInfo {
            product: "devops",
            version: "2021-06-25",
            style: ApiStyle::Roa,
            endpoints: &[],
        };
        const SEARCH: OperationInfo = OperationInfo::roa(
            "ListApplications",
            Method::Post,
            "/apps/{Org}:search?jobResult",
            Idempotency::ReadOnly,
        );
        let mut params = RequestParams::default();
        params.path("Org", &"o 1".to_owned());
        params.query("Page", &2);
        params.set_binary_body(Some(b"\x00image"));
        let prepared = Prepared::new(&ROA, &SEARCH, params).unwrap();
        assert_eq!(prepared.path, "/apps/o%201:search");
        assert_eq!(
            prepared.query,
            vec![
                ("jobResult".to_owned(), String::new()),
                ("Page".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(prepared.body, b"\x00image");
        assert_eq!(prepared.content_type, Some("application/octet-stream"));
    }

    #[test]
    fn roa_paths_encode_placeholder_values() {
        let values = vec![("Id".to_owned(), "a b/c~*".to_owned())];
        assert_eq!(
            expand_path("/clusters/{Id}/nodes", &values, "Op").unwrap(),
            "/clusters/a%20b%2Fc~%2A/nodes"
        );
        assert_eq!(
            expand_path("/x/{Missing}", &values, "Op"),
            Err(BuildError::MissingPathParameter {
                operation: "Op",
                placeholder: "Missing".to_owned()
            })
        );
    }
}
