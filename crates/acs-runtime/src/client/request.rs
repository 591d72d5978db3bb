//! The parts of a request that stay the same on every attempt ([`Prepared`]), and what the
//! signer is given of them for each attempt.

use crate::credentials::Credentials;
use crate::encoding::{
    BINARY_CONTENT_TYPE, FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, encode_path_literal,
    form_encode_pairs, percent_encode,
};
use crate::error::BuildError;
use crate::operation::ApiStyle;
use crate::params::RequestParams;
use crate::sign::{
    self, SignableRequest, Signature, SigningParams, SigningScheme, is_runtime_header,
};
use crate::transport::{Body, HttpRequest, Method, Url};

/// Where one attempt goes and how it is signed.
pub(crate) struct Destination<'a> {
    /// The endpoint: scheme, host and port.
    pub base: &'a Url,
    /// The `Host` header.
    pub host: &'a str,
    pub scheme: SigningScheme,
    pub user_agent: &'a str,
}

/// What one call sends, whatever its attempt: the operation and its parameters, laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prepared {
    pub action: String,
    pub version: String,
    pub method: Method,
    /// Percent-encoded path: the request target's path and the V3 canonical URI.
    pub path: String,
    /// API query parameters, unencoded.
    pub query: Vec<(String, String)>,
    /// Form body pairs (signed in V1), unencoded.
    pub form: Vec<(String, String)>,
    pub body: Body,
    pub content_type: Option<&'static str>,
    /// Extra headers from the operation, names lower-cased, none the runtime sets itself.
    pub headers: Vec<(String, String)>,
}

/// What [`Prepared::new`] needs to know of the operation.
pub(crate) struct Target<'a> {
    pub style: ApiStyle,
    pub action: &'a str,
    pub version: &'a str,
    pub method: Method,
    /// The path template (`/` for RPC), possibly with a fixed `?query`.
    pub path: &'a str,
}

impl Prepared {
    pub(crate) fn new(target: &Target<'_>, params: RequestParams) -> Result<Self, BuildError> {
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
                operation: target.action.to_owned(),
                parameter,
            });
        }

        let mut query = Vec::new();
        let path = match target.style {
            ApiStyle::Rpc => "/".to_owned(),
            ApiStyle::Roa => {
                let (template, template_query) = match target.path.split_once('?') {
                    Some((path, query)) => (path, Some(query)),
                    None => (target.path, None),
                };
                for pair in template_query.into_iter().flat_map(|q| q.split('&')) {
                    if pair.is_empty() {
                        continue;
                    }
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    query.push((key.to_owned(), value.to_owned()));
                }
                expand_path(template, &path_params, target.action)?
            }
        };
        query.extend(params_query);

        let (body, content_type) = if let Some(bytes) = binary_body {
            (Body::from(bytes), Some(BINARY_CONTENT_TYPE))
        } else if !form.is_empty() {
            (
                Body::from(form_encode_pairs(&form)),
                Some(FORM_CONTENT_TYPE),
            )
        } else if let Some(json) = &json_body {
            (Body::from(json.to_string()), Some(JSON_CONTENT_TYPE))
        } else {
            (Body::empty(), None)
        };

        let mut headers = Vec::with_capacity(params_headers.len());
        for (name, value) in params_headers {
            let name = name.to_ascii_lowercase();
            if value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(BuildError::InvalidHeaderValue {
                    operation: target.action.to_owned(),
                    header: name,
                });
            }
            if !is_runtime_header(&name) {
                headers.push((name, value));
            }
        }

        Ok(Prepared {
            action: target.action.to_owned(),
            version: target.version.to_owned(),
            method: target.method,
            path,
            query,
            form,
            body,
            content_type,
            headers,
        })
    }

    /// The request of one attempt to `to`, signed with `credentials` (unsigned without them:
    /// an anonymous operation) at `timestamp` with `nonce`; and the signature, which the
    /// attempt's errors must not show.
    pub(crate) fn sign(
        &self,
        to: &Destination<'_>,
        credentials: Option<&Credentials>,
        nonce: &str,
        timestamp: &str,
    ) -> (HttpRequest, Option<Signature>) {
        let signable = SignableRequest {
            method: self.method,
            host: to.host,
            path: &self.path,
            query: &self.query,
            form: &self.form,
            body: self.body.as_bytes(),
            content_type: self.content_type,
            headers: &self.headers,
            action: &self.action,
            version: &self.version,
            user_agent: to.user_agent,
        };
        let signed = sign::sign(
            &signable,
            &SigningParams {
                scheme: to.scheme,
                credentials: credentials.map(|credentials| credentials.signing(to.scheme)),
                timestamp,
                nonce,
            },
        );
        let request = HttpRequest::to_endpoint(
            self.method,
            to.base,
            &self.path,
            &signed.query,
            signed.headers,
            self.body.clone(),
        );
        (request, signed.signature)
    }
}

/// Substitutes `{Name}` placeholders with their percent-encoded values. The literal parts come
/// from the spec, which allows only characters a path carries as they are
/// (`/appstack/apps:search`), and are sent and signed as written, as the official SDKs do;
/// anything else is still encoded.
fn expand_path(
    template: &str,
    values: &[(String, String)],
    operation: &str,
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
                operation: operation.to_owned(),
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
    use crate::endpoint::ResolvedEndpoint;
    use crate::sign::SignatureAlgorithm;
    use serde_json::Value;

    const START_BACKUP_PLAN: Target<'static> = Target {
        style: ApiStyle::Rpc,
        action: "StartBackupPlan",
        version: "2019-03-06",
        method: Method::Post,
        path: "/",
    };

    #[test]
    fn host_parameters_are_refused_rather_than_sent_to_the_wrong_host() {
        let mut params = RequestParams::default();
        params
            .host
            .push(("project".to_owned(), "my-project".to_owned()));
        let error = Prepared::new(&START_BACKUP_PLAN, params).err();
        assert_eq!(
            error,
            Some(BuildError::HostParameter {
                operation: "StartBackupPlan".to_owned(),
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
        let prepared = Prepared::new(&START_BACKUP_PLAN, params).unwrap();
        let (request, signature) = prepared.sign(
            &Destination {
                base: &endpoint.url().unwrap(),
                host: endpoint.host_header(),
                scheme: SigningScheme::resolve(algorithm, true),
                user_agent: &text(&input["user_agent"]),
            },
            Some(&credentials),
            &text(&input["nonce"]),
            &text(&input["timestamp"]),
        );
        assert!(signature.is_some());

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
        assert_eq!(request.url.as_str(), text(&sdk["url"]), "{}", vector["id"]);
        assert!(request.body.is_empty());
        assert_eq!(request.method, Method::Post);
    }

    #[test]
    fn requests_match_the_official_sdk() {
        for fixture in [
            include_str!("../../tests/fixtures/signing/sign_v3_basic.json"),
            include_str!("../../tests/fixtures/signing/sign_v3_client_token.json"),
            include_str!("../../tests/fixtures/signing/sign_v3_sm3.json"),
            include_str!("../../tests/fixtures/signing/sign_v3_sts.json"),
            include_str!("../../tests/fixtures/signing/sign_v1_basic.json"),
            include_str!("../../tests/fixtures/signing/sign_v1_client_token.json"),
            include_str!("../../tests/fixtures/signing/sign_v1_sts.json"),
        ] {
            replay(fixture);
        }
    }

    #[test]
    fn roa_templates_keep_their_literal_text_and_fixed_query() {
        const SEARCH: Target<'static> = Target {
            style: ApiStyle::Roa,
            action: "ListApplications",
            version: "2021-06-25",
            method: Method::Post,
            path: "/apps/{Org}:search?jobResult",
        };
        let mut params = RequestParams::default();
        params.path("Org", &"o 1".to_owned());
        params.query("Page", &2);
        params.set_binary_body(Some(b"\x00image"));
        let prepared = Prepared::new(&SEARCH, params).unwrap();
        assert_eq!(prepared.path, "/apps/o%201:search");
        assert_eq!(
            prepared.query,
            vec![
                ("jobResult".to_owned(), String::new()),
                ("Page".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(prepared.body.as_bytes(), b"\x00image");
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
                operation: "Op".to_owned(),
                placeholder: "Missing".to_owned()
            })
        );
    }
}
