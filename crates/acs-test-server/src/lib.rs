//! An in-process HTTP/1.1 test server that checks Alibaba Cloud signatures for real.
//!
//! Each test starts its own server on `127.0.0.1:0`. For every request the server rebuilds the
//! signature from what arrived on the wire, with the crate's own signing functions, exactly as
//! the service would: for V3 it parses the `Authorization` header, form-decodes the query,
//! takes the headers named in `SignedHeaders` and hashes the body; for V1 it recomputes
//! `Signature` over every other query parameter (and the form body). It records the request and
//! the verdict, then answers with the next scripted [`Reply`].
//!
//! The HTTP parsing is deliberately small: request line, headers, `Content-Length` bodies, and
//! keep-alive (the client reuses connections).
#![forbid(unsafe_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use acs_runtime::sign::{self, SignatureAlgorithm, V3Hash, V3Request};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answers with this status, headers and body.
    Respond {
        /// Status code.
        status: u16,
        /// Extra headers (`content-length` is added).
        headers: Vec<(String, String)>,
        /// Body.
        body: String,
    },
    /// Closes the connection without answering.
    Close,
    /// Never answers; keeps the connection open until the client gives up.
    Hang,
    /// Writes these bytes as they are (a response head, part of a body, nothing at all), then
    /// ends the connection as `ending` says.
    Raw(Vec<u8>, Ending),
}

/// How a [`Reply::Raw`] connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// An orderly close (FIN).
    Close,
    /// A reset (RST): the client's read fails rather than ending.
    Reset,
    /// The server goes quiet and waits for the client to give up.
    Hang,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Self {
        Reply::Respond {
            status,
            headers: vec![(
                "Content-Type".to_owned(),
                "application/json;charset=utf-8".to_owned(),
            )],
            body: body.to_owned(),
        }
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: &str) -> Self {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".to_owned(), "text/plain".to_owned())],
            body: body.to_owned(),
        }
    }

    /// A JSON answer with an extra header.
    pub fn json_with_header(status: u16, body: &str, name: &str, value: &str) -> Self {
        let mut reply = Reply::json(status, body);
        if let Reply::Respond { headers, .. } = &mut reply {
            headers.push((name.to_owned(), value.to_owned()));
        }
        reply
    }

    /// The usual success answer of the test operation.
    pub fn ok() -> Self {
        Reply::json(
            200,
            r#"{"RequestId":"OK-REQUEST","BackupPlanId":"dbsqdss5tmabcd","Success":true}"#,
        )
    }
}

/// How a request's signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A valid V3 signature (`ACS3-HMAC-SHA256` or `ACS3-HMAC-SM3`).
    V3 {
        /// The algorithm named in `Authorization`.
        algorithm: SignatureAlgorithm,
        /// Lower-case header names from `SignedHeaders`, in order.
        signed_headers: Vec<String>,
        /// The signature.
        signature: String,
    },
    /// A valid V1 (`HMAC-SHA1`) signature.
    V1 {
        /// The `Signature` parameter.
        signature: String,
    },
    /// No signature at all, on a server that accepts unsigned requests.
    Unsigned,
    /// Not checked here: the handler checks it (the OSS and SLS gateways sign their own way;
    /// see [`TestServer::start_checking`]).
    Handled,
    /// Why the request was rejected.
    Rejected(String),
}

impl Verdict {
    /// The signature value, if the request verified.
    pub fn signature(&self) -> Option<&str> {
        match self {
            Verdict::V3 { signature, .. } | Verdict::V1 { signature } => Some(signature),
            Verdict::Rejected(_) | Verdict::Unsigned | Verdict::Handled => None,
        }
    }
}

/// A request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path part of the request target, still percent-encoded.
    pub path: String,
    /// The raw query string.
    pub raw_query: String,
    /// The query, form-decoded, in wire order.
    pub query: Vec<(String, String)>,
    /// Headers, in wire order, names as sent.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// The signature check.
    pub verdict: Verdict,
}

impl Recorded {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body form-decoded.
    pub fn form(&self) -> Vec<(String, String)> {
        parse_form(&String::from_utf8_lossy(&self.body))
    }

    /// The signature nonce (`x-acs-signature-nonce` or `SignatureNonce`).
    pub fn nonce(&self) -> Option<&str> {
        self.header("x-acs-signature-nonce")
            .or_else(|| self.param("SignatureNonce"))
    }

    /// The idempotency token the request carries, wherever it is.
    pub fn client_token(&self) -> Option<&str> {
        self.param("ClientToken")
    }
}

/// A key the server accepts.
#[derive(Debug, Clone)]
struct Key {
    secret: String,
    token: Option<String>,
}

/// Answers a request (instead of a script).
type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Default)]
struct State {
    keys: HashMap<String, Key>,
    script: VecDeque<Reply>,
    handler: Option<Handler>,
    /// The handler checks signatures itself.
    handler_checks: bool,
    accept_unsigned: bool,
    requests: Vec<Recorded>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("requests", &self.requests.len())
            .finish_non_exhaustive()
    }
}

/// A running test server; it stops with the test's runtime.
#[derive(Debug, Clone)]
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl TestServer {
    /// Starts a server on `127.0.0.1:0` that answers with `script`, in order. Requests beyond
    /// the script get HTTP 500 `ScriptExhausted`.
    pub async fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            ..State::default()
        }));
        let server = TestServer { addr, state };
        let accepting = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(accepting.clone().serve(stream));
            }
        });
        server
    }

    /// Starts a server that answers every request with `handler` (after checking its
    /// signature, like a scripted one).
    pub async fn start_with(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let server = Self::start(Vec::new()).await;
        server.state.lock().unwrap().handler = Some(Arc::new(handler));
        server
    }

    /// Starts a server that hands every request to `handler` unverified: the handler checks
    /// the signature itself (for the OSS and SLS gateways' signatures, which this server does
    /// not know).
    pub async fn start_checking(
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let server = Self::start_with(handler).await;
        server.state.lock().unwrap().handler_checks = true;
        server
    }

    /// Accepts requests that carry no signature at all (anonymous operations, the metadata
    /// service, a credentials URI).
    pub fn accept_unsigned(&self) -> &Self {
        self.state.lock().unwrap().accept_unsigned = true;
        self
    }

    /// Accepts `access_key_id` / `secret`, with an STS `token` when given.
    pub fn accept_key(&self, access_key_id: &str, secret: &str, token: Option<&str>) -> &Self {
        self.state.lock().unwrap().keys.insert(
            access_key_id.to_owned(),
            Key {
                secret: secret.to_owned(),
                token: token.map(str::to_owned),
            },
        );
        self
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    async fn serve(self, stream: TcpStream) {
        let mut stream = BufReader::new(stream);
        loop {
            let Some(request) = read_request(&mut stream).await else {
                return;
            };
            let reply = {
                let mut state = self.state.lock().unwrap();
                let verdict = if state.handler_checks {
                    Verdict::Handled
                } else {
                    verify(&request, &state.keys, state.accept_unsigned)
                };
                let handler = state.handler.clone();
                let reply = match &verdict {
                    Verdict::Rejected(reason) => Reply::json(
                        400,
                        &serde_json::json!({
                            "RequestId": "REJECTED",
                            "Code": "SignatureDoesNotMatch",
                            "Message": reason,
                        })
                        .to_string(),
                    ),
                    _ => match &handler {
                        Some(handler) => handler(&request),
                        None => state.script.pop_front().unwrap_or_else(|| {
                            Reply::json(
                                500,
                                r#"{"Code":"ScriptExhausted","Message":"no reply left"}"#,
                            )
                        }),
                    },
                };
                state.requests.push(Recorded { verdict, ..request });
                reply
            };
            match reply {
                Reply::Respond {
                    status,
                    headers,
                    body,
                } => {
                    let mut head = format!(
                        "HTTP/1.1 {status} Scripted\r\ncontent-length: {}\r\n",
                        body.len()
                    );
                    for (name, value) in headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    // One write: a separate small body write would wait for the client's
                    // delayed ACK (Nagle), adding ~40 ms to every keep-alive call.
                    let mut response = head.into_bytes();
                    response.extend_from_slice(body.as_bytes());
                    if stream.get_mut().write_all(&response).await.is_err() {
                        return;
                    }
                }
                Reply::Close => return,
                Reply::Hang => return hang(stream).await,
                Reply::Raw(bytes, ending) => {
                    if stream.get_mut().write_all(&bytes).await.is_err() {
                        return;
                    }
                    match ending {
                        Ending::Close => return,
                        Ending::Reset => {
                            // A zero linger makes the close a reset.
                            let _ = stream.get_ref().set_zero_linger();
                            return;
                        }
                        Ending::Hang => return hang(stream).await,
                    }
                }
            }
        }
    }
}

/// Waits for the client to give up and close its end.
async fn hang(mut stream: BufReader<TcpStream>) {
    let mut sink = Vec::new();
    let _ = stream.read_to_end(&mut sink).await;
}

/// Reads one request; `None` at end of stream or on anything this parser does not handle.
async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut line = Vec::new();
    if stream.read_until(b'\n', &mut line).await.ok()? == 0 {
        return None;
    }
    let request_line = String::from_utf8(line).ok()?;
    let mut parts = request_line.trim_end().split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();

    let mut headers = Vec::new();
    loop {
        let mut line = Vec::new();
        if stream.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        let line = String::from_utf8(line).ok()?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map_or(Some(0), |(_, value)| value.parse::<usize>().ok())?;
    assert!(
        !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding")),
        "the test server does not handle chunked bodies"
    );
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;

    let (path, raw_query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), query.to_owned()),
        None => (target.clone(), String::new()),
    };
    Some(Recorded {
        method,
        path,
        query: parse_form(&raw_query),
        raw_query,
        headers,
        body,
        verdict: Verdict::Rejected("not verified yet".to_owned()),
    })
}

/// Decodes `a=b&c=d` as a server does (`+` is a space, `%XX` a byte).
pub fn parse_form(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(key), form_decode(value))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .expect("UTF-8 after decoding")
        .into_owned()
}

/// Checks the request's signature as the service would.
fn verify(request: &Recorded, keys: &HashMap<String, Key>, accept_unsigned: bool) -> Verdict {
    let result = match request.header("authorization") {
        Some(authorization) => verify_v3(request, authorization, keys),
        None if accept_unsigned && request.param("Signature").is_none() => Ok(Verdict::Unsigned),
        None => verify_v1(request, keys),
    };
    result.unwrap_or_else(Verdict::Rejected)
}

fn verify_v3(
    request: &Recorded,
    authorization: &str,
    keys: &HashMap<String, Key>,
) -> Result<Verdict, String> {
    let (name, rest) = authorization
        .split_once(' ')
        .ok_or("Authorization has no algorithm")?;
    let hash = V3Hash::from_name(name).ok_or_else(|| format!("unknown algorithm {name}"))?;
    let algorithm =
        SignatureAlgorithm::from_name(name).unwrap_or(SignatureAlgorithm::Acs3HmacSha256);
    let mut fields = HashMap::new();
    for part in rest.split(',') {
        let (key, value) = part.split_once('=').ok_or("malformed Authorization")?;
        fields.insert(key.trim(), value.trim());
    }
    let access_key_id = *fields.get("Credential").ok_or("no Credential")?;
    let signed_headers: Vec<String> = fields
        .get("SignedHeaders")
        .ok_or("no SignedHeaders")?
        .split(';')
        .map(str::to_owned)
        .collect();
    let claimed = *fields.get("Signature").ok_or("no Signature")?;
    let key = keys
        .get(access_key_id)
        .ok_or_else(|| format!("unknown AccessKey id {access_key_id}"))?;

    // What the service insists on: host, content-type and every x-acs-* header signed.
    for (name, _) in &request.headers {
        let name = name.to_ascii_lowercase();
        let must_sign = name == "host" || name == "content-type" || name.starts_with("x-acs-");
        if must_sign && !signed_headers.contains(&name) {
            return Err(format!("header {name} is not signed"));
        }
    }
    match (request.header("x-acs-security-token"), &key.token) {
        (None, None) => {}
        (Some(sent), Some(expected)) if sent == expected => {
            if request.header("x-acs-accesskey-id") != Some(access_key_id) {
                return Err("x-acs-accesskey-id does not match Credential".to_owned());
            }
        }
        _ => return Err("security token mismatch".to_owned()),
    }
    let hashed_payload = sign::hash_payload(hash, &request.body);
    if request.header("x-acs-content-sha256") != Some(hashed_payload.as_str()) {
        return Err("x-acs-content-sha256 is not the body's hash".to_owned());
    }

    let mut headers = acs_runtime::Headers::new();
    for name in &signed_headers {
        let values: Vec<&(String, String)> = request
            .headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .collect();
        if values.is_empty() {
            return Err(format!("signed header {name} is missing"));
        }
        headers.extend(values.into_iter().map(|(key, value)| (key, value)));
    }
    let expected = sign::sign_v3(
        hash,
        access_key_id,
        &key.secret,
        &V3Request {
            method: &request.method,
            canonical_uri: &request.path,
            query: &request.query,
            headers: &headers,
            hashed_payload: &hashed_payload,
        },
    );
    if expected.signature != claimed {
        return Err(format!(
            "signature mismatch; server canonical request: {:?}",
            expected.canonical_request
        ));
    }
    Ok(Verdict::V3 {
        algorithm,
        signed_headers,
        signature: claimed.to_owned(),
    })
}

fn verify_v1(request: &Recorded, keys: &HashMap<String, Key>) -> Result<Verdict, String> {
    let param = |name: &str| request.param(name);
    let claimed = param("Signature").ok_or("neither Authorization nor Signature")?;
    if param("SignatureMethod") != Some("HMAC-SHA1") || param("SignatureVersion") != Some("1.0") {
        return Err("unsupported SignatureMethod/SignatureVersion".to_owned());
    }
    let access_key_id = param("AccessKeyId").ok_or("no AccessKeyId")?;
    let key = keys
        .get(access_key_id)
        .ok_or_else(|| format!("unknown AccessKey id {access_key_id}"))?;
    if param("SecurityToken") != key.token.as_deref() {
        return Err("security token mismatch".to_owned());
    }
    let mut signed: Vec<(String, String)> = request
        .query
        .iter()
        .filter(|(name, _)| name != "Signature")
        .cloned()
        .collect();
    let is_form = request
        .header("content-type")
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        signed.extend(request.form());
    }
    let expected = sign::sign_v1(&request.method, &signed, &key.secret);
    if expected.signature != claimed {
        return Err(format!(
            "signature mismatch; server string to sign: {:?}",
            expected.string_to_sign
        ));
    }
    Ok(Verdict::V1 {
        signature: claimed.to_owned(),
    })
}
