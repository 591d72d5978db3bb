//! The parts of a request that stay the same on every attempt ([`Prepared`]), and what the
//! signer is given of them for each attempt.

use crate::credentials::Credentials;
use crate::encoding::{
    BINARY_CONTENT_TYPE, FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, encode_path_literal,
    form_encode_pairs, percent_encode, percent_encode_path,
};
use crate::error::BuildError;
use crate::operation::{ApiStyle, Gateway};
use crate::params::RequestParams;
use crate::sign::{
    self, SignableRequest, Signature, SigningParams, SigningScheme, is_runtime_header,
};
use crate::transport::{Body, HttpRequest, Method, Url};

/// The content type of XML bodies.
const XML_CONTENT_TYPE: &str = "application/xml";
/// The content type of SLS `LogGroup` bodies.
const PROTOBUF_CONTENT_TYPE: &str = "application/x-protobuf";

/// Where one attempt goes and how it is signed.
pub(crate) struct Destination<'a> {
    /// The endpoint: scheme, host and port (with the host label in front, when addressed by
    /// virtual host).
    pub base: &'a Url,
    /// The `Host` header.
    pub host: &'a str,
    /// The host label (bucket) as the path's first segment: path-style addressing.
    pub path_prefix: Option<&'a str>,
    pub scheme: SigningScheme,
    pub user_agent: &'a str,
    /// The region (the gateways' V4 scope).
    pub region: &'a str,
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
    /// The host name's first label (`in: host`), checked to be a DNS label.
    pub host_label: Option<String>,
    /// The body is object data (a `binary` parameter), which OSS checks by CRC-64.
    pub object_data: bool,
}

/// What [`Prepared::new`] needs to know of the operation.
pub(crate) struct Target<'a> {
    pub style: ApiStyle,
    pub action: &'a str,
    pub version: &'a str,
    pub method: Method,
    /// The path template (`/` for RPC), possibly with a fixed `?query`.
    pub path: &'a str,
    /// The gateway the request goes through.
    pub gateway: Gateway,
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
            xml_body,
            log_group_body,
        } = params;
        // The host name's first label: checked again here (the builder checks it too), as a
        // value that is not a DNS label could reach another host.
        let mut host_params = host_params.into_iter();
        let host_label = host_params.next();
        if let Some((parameter, _)) = host_params.next() {
            return Err(BuildError::HostParameter {
                operation: target.action.to_owned(),
                parameter,
            });
        }
        let host_label = match host_label {
            Some((_, label)) if crate::error::is_host_label(&label) => Some(label),
            Some((parameter, _)) => {
                return Err(BuildError::HostParameter {
                    operation: target.action.to_owned(),
                    parameter,
                });
            }
            None => None,
        };

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
                // OSS object keys keep their `/` (`/{key}` is `dir/file.txt`).
                let keep_slashes = target.gateway == Gateway::Oss;
                expand_path(template, &path_params, target.action, keep_slashes)?
            }
        };
        query.extend(params_query);

        let mut params_headers = params_headers;
        let object_data = binary_body.is_some();
        // Only OSS signs `UNSIGNED-PAYLOAD`; elsewhere the body's hash is signed before it is
        // sent, which data read as it goes cannot give.
        if target.gateway != Gateway::Oss
            && binary_body
                .as_ref()
                .is_some_and(|object| object.as_bytes().is_none())
        {
            return Err(BuildError::UnsignableBody {
                operation: target.action.to_owned(),
            });
        }
        let (body, content_type) = if let Some(object) = binary_body {
            (Body::object(object), Some(BINARY_CONTENT_TYPE))
        } else if let Some(xml) = xml_body {
            (Body::from(xml), Some(XML_CONTENT_TYPE))
        } else if let Some(protobuf) = log_group_body {
            // SLS reads the size before compression from `x-log-bodyrawsize`; a compression
            // other than lz4 (the metadata's one value) sends the protobuf as it is.
            let raw_size = protobuf.len().to_string();
            let lz4 = params_headers.iter().any(|(name, value)| {
                name.eq_ignore_ascii_case("x-log-compresstype") && value == "lz4"
            });
            params_headers.retain(|(name, _)| {
                !name.eq_ignore_ascii_case("x-log-compresstype")
                    && !name.eq_ignore_ascii_case("x-log-bodyrawsize")
            });
            let body = if lz4 {
                params_headers.push(("x-log-compresstype".to_owned(), "lz4".to_owned()));
                crate::params::log_group::lz4(&protobuf)
            } else {
                protobuf
            };
            params_headers.push(("x-log-bodyrawsize".to_owned(), raw_size));
            (Body::from(body), Some(PROTOBUF_CONTENT_TYPE))
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

        let mut content_type = content_type;
        let mut headers = Vec::with_capacity(params_headers.len());
        for (name, value) in params_headers {
            let name = name.to_ascii_lowercase();
            if value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(BuildError::InvalidHeaderValue {
                    operation: target.action.to_owned(),
                    header: name,
                });
            }
            // Object data's own type (OSS keeps it with the object).
            if name == "content-type" && content_type == Some(BINARY_CONTENT_TYPE) {
                content_type = None;
                headers.push((name, value));
                continue;
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
            host_label,
            object_data,
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
        unix_time: u64,
    ) -> (HttpRequest, Option<Signature>) {
        let signable = SignableRequest {
            method: self.method,
            host: to.host,
            path: &self.path,
            host_label: self.host_label.as_deref(),
            region: to.region,
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
                unix_time,
                nonce,
            },
        );
        let path = match to.path_prefix {
            Some(label) => std::borrow::Cow::Owned(format!("/{label}{}", self.path)),
            None => std::borrow::Cow::Borrowed(self.path.as_str()),
        };
        let request = HttpRequest::to_endpoint(
            self.method,
            to.base,
            &path,
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
    keep_slashes: bool,
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
        // URLs drop `.` and `..` segments (and their `%2e` spellings): such a value would
        // move the request to another resource, which its signature does not name.
        let is_dot = |segment: &str| matches!(segment, "." | "..");
        if is_dot(value) || (keep_slashes && value.split('/').any(is_dot)) {
            return Err(BuildError::DotSegment {
                operation: operation.to_owned(),
                placeholder: name.to_owned(),
            });
        }
        if keep_slashes {
            out.push_str(&percent_encode_path(value));
        } else {
            out.push_str(&percent_encode(value));
        }
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
        gateway: Gateway::Acs,
    };

    #[test]
    fn host_labels_that_could_name_another_host_are_refused() {
        let prepared = |label: &str| {
            let mut params = RequestParams::default();
            params.host.push(("project".to_owned(), label.to_owned()));
            Prepared::new(&START_BACKUP_PLAN, params)
        };
        assert_eq!(
            prepared("my-project").unwrap().host_label.as_deref(),
            Some("my-project")
        );
        let error = prepared("evil.com/x").err();
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
                path_prefix: None,
                scheme: SigningScheme::resolve(algorithm, true),
                user_agent: &text(&input["user_agent"]),
                region: "cn-hangzhou",
            },
            Some(&credentials),
            &text(&input["nonce"]),
            &text(&input["timestamp"]),
            0,
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
            gateway: Gateway::Acs,
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
    fn oss_keys_keep_their_slashes() {
        let values = vec![("key".to_owned(), "dir/a b+c.txt".to_owned())];
        assert_eq!(
            expand_path("/{key}", &values, "PutObject", true).unwrap(),
            "/dir/a%20b%2Bc.txt"
        );
    }

    #[test]
    fn roa_paths_encode_placeholder_values() {
        let values = vec![("Id".to_owned(), "a b/c~*".to_owned())];
        assert_eq!(
            expand_path("/clusters/{Id}/nodes", &values, "Op", false).unwrap(),
            "/clusters/a%20b%2Fc~%2A/nodes"
        );
        assert_eq!(
            expand_path("/x/{Missing}", &values, "Op", false),
            Err(BuildError::MissingPathParameter {
                operation: "Op".to_owned(),
                placeholder: "Missing".to_owned()
            })
        );
    }

    #[test]
    fn dot_segments_never_reach_a_path() {
        let refused = |value: &str, keep_slashes: bool| {
            let values = vec![("key".to_owned(), value.to_owned())];
            expand_path("/{key}", &values, "PutObject", keep_slashes)
                == Err(BuildError::DotSegment {
                    operation: "PutObject".to_owned(),
                    placeholder: "key".to_owned(),
                })
        };
        // An object key: any segment; elsewhere `/` is encoded, so only the whole value.
        for key in [".", "..", "../other-bucket/x", "a/../b", "a/./b", "a/.."] {
            assert!(refused(key, true), "{key}");
        }
        for key in ["a..b", ".hidden", "a/.b/c", "...", "%2e%2e"] {
            assert!(!refused(key, true), "{key}");
        }
        assert!(refused("..", false));
        assert!(!refused("../x", false), "encoded as ..%2Fx, one segment");
    }
}
