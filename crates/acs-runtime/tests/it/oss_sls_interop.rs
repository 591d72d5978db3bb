//! The runtime's OSS and SLS signers against the stand-ins of `tests/interop/` (which recompute
//! every signature with Alibaba's own gateway code): real HTTP requests, signed by
//! `acs_runtime::sign::{oss, sls}`, for a matrix of signatures, STS tokens, addressing styles,
//! awkward object keys, sub-resources, empty and non-empty bodies, and presigned URLs.
//!
//! A no-op unless `ACS_OSS_VERIFY_SERVER_URL` / `ACS_SLS_VERIFY_SERVER_URL` name running
//! stand-ins (`tests/interop/run-rust-interop.sh` starts them and runs this test).

use std::time::{SystemTime, UNIX_EPOCH};

use acs_runtime::Headers;
use acs_runtime::encoding::{percent_encode, percent_encode_path};
use acs_runtime::sign::oss::{
    OssRequest, OssV4Scope, UNSIGNED_PAYLOAD, compact_timestamp, http_date, oss_content_md5,
    presign_oss_v4, sign_oss_v1, sign_oss_v4,
};
use acs_runtime::sign::sls::{
    SLS_API_VERSION, SLS_SIGNATURE_METHOD, SlsRequest, sign_sls_v1, sign_sls_v4, sls_content_md5,
    sls_content_sha256,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const AK: &str = "testAccessKeyId";
const SECRET: &str = "testAccessKeySecret";
const TOKEN: &str = "CAISstsToken+/=Example";
const REGION: &str = "cn-hangzhou";
const KEYS: [&str; 5] = [
    "plain.txt",
    "dir/sub dir/a b+c%d~e.txt",
    "unicode/数据 ☃.bin",
    "symbols!$&'()*,;=@:.txt",
    "folder/",
];

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 exchange on a fresh connection: exactly the headers given (Host among them).
async fn send(addr: &str, method: &str, target: &str, headers: &Headers, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr)
        .await
        .expect("connect to the stand-in");
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn encoded_query(query: &[(String, String)]) -> String {
    query
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum OssSignature {
    V4,
    V1,
}

/// Addressing, signature and credentials of one OSS client.
struct OssClient<'a> {
    addr: &'a str,
    signature: OssSignature,
    token: Option<&'a str>,
    virtual_host: bool,
    secret: &'a str,
}

impl OssClient<'_> {
    async fn call(
        &self,
        method: &str,
        bucket: &str,
        key: Option<&str>,
        query: &[(&str, &str)],
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let host = if self.virtual_host {
            format!("{bucket}.oss-{REGION}.aliyuncs.com")
        } else {
            self.addr.to_owned()
        };
        let path = match (self.virtual_host, key) {
            (true, key) => format!("/{}", percent_encode_path(key.unwrap_or(""))),
            (false, key) => format!("/{bucket}/{}", percent_encode_path(key.unwrap_or(""))),
        };
        let time = now();
        let mut headers = Headers::new();
        headers.push("host", &host);
        for (name, value) in extra {
            headers.push(name, value);
        }
        if let Some(token) = self.token {
            headers.push("x-oss-security-token", token);
        }
        let request_headers = |headers: &Headers| headers.clone();
        let authorization = match self.signature {
            OssSignature::V4 => {
                headers.push("x-oss-date", &compact_timestamp(time));
                headers.push("x-oss-content-sha256", UNSIGNED_PAYLOAD);
                let signed = request_headers(&headers);
                let request = OssRequest {
                    method,
                    bucket: Some(bucket),
                    key,
                    query: &query,
                    headers: &signed,
                };
                let scope = OssV4Scope {
                    access_key_id: AK,
                    access_key_secret: self.secret,
                    region: REGION,
                    unix_time: time,
                    additional_headers: &["host"],
                };
                sign_oss_v4(&request, &scope).authorization
            }
            OssSignature::V1 => {
                headers.push("date", &http_date(time));
                let signed = request_headers(&headers);
                let request = OssRequest {
                    method,
                    bucket: Some(bucket),
                    key,
                    query: &query,
                    headers: &signed,
                };
                sign_oss_v1(&request, AK, self.secret).authorization
            }
        };
        headers.push("authorization", &authorization);
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", encoded_query(&query))
        };
        send(self.addr, method, &target, &headers, body).await
    }
}

fn expect(answer: &Answer, statuses: &[u16], what: &str) {
    assert!(
        statuses.contains(&answer.status),
        "{what}: HTTP {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
}

fn xml_text<'a>(xml: &'a str, tag: &str) -> &'a str {
    let start = xml.find(&format!("<{tag}>")).expect(tag) + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>")).expect(tag) + start;
    &xml[start..end]
}

#[tokio::test]
async fn oss_stand_in_accepts_our_signatures() {
    let Ok(url) = std::env::var("ACS_OSS_VERIFY_SERVER_URL") else {
        eprintln!("ACS_OSS_VERIFY_SERVER_URL is not set; nothing to check");
        return;
    };
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut calls = 0;
    for signature in [OssSignature::V4, OssSignature::V1] {
        for token in [None, Some(TOKEN)] {
            for virtual_host in [true, false] {
                let client = OssClient {
                    addr: &addr,
                    signature,
                    token,
                    virtual_host,
                    secret: SECRET,
                };
                let what = format!(
                    "{signature:?} sts={} virtual-host={virtual_host}",
                    token.is_some()
                );
                let bucket = format!(
                    "rust-{}-{}-{}",
                    if signature == OssSignature::V4 {
                        "v4"
                    } else {
                        "v1"
                    },
                    if token.is_some() { "sts" } else { "ak" },
                    if virtual_host { "vh" } else { "ps" }
                );
                expect(
                    &client.call("PUT", &bucket, None, &[], &[], b"").await,
                    &[200],
                    &format!("{what} PutBucket"),
                );
                for key in KEYS {
                    let body = if key.ends_with('/') {
                        Vec::new()
                    } else {
                        format!("body of {key}").into_bytes()
                    };
                    let md5 = oss_content_md5(&body);
                    let extra = [
                        ("content-type", "text/plain"),
                        ("content-md5", md5.as_str()),
                        ("x-oss-meta-owner", "Zoë"),
                    ];
                    let put = client
                        .call("PUT", &bucket, Some(key), &[], &extra, &body)
                        .await;
                    expect(&put, &[200], &format!("{what} PutObject {key:?}"));
                    let get = client.call("GET", &bucket, Some(key), &[], &[], b"").await;
                    expect(&get, &[200], &format!("{what} GetObject {key:?}"));
                    assert_eq!(get.body, body, "{what} GetObject {key:?}");
                    let range = client
                        .call(
                            "GET",
                            &bucket,
                            Some(key),
                            &[],
                            &[("range", "bytes=0-3")],
                            b"",
                        )
                        .await;
                    // A range past the end of an empty object cannot be satisfied.
                    let ranged = if body.is_empty() { 416 } else { 206 };
                    expect(
                        &range,
                        &[ranged],
                        &format!("{what} ranged GetObject {key:?}"),
                    );
                    calls += 3;
                }
                let list = client
                    .call(
                        "GET",
                        &bucket,
                        None,
                        &[
                            ("prefix", "dir/sub dir/"),
                            ("delimiter", "/"),
                            ("max-keys", "10"),
                        ],
                        &[],
                        b"",
                    )
                    .await;
                expect(&list, &[200], &format!("{what} ListObjects"));
                assert!(
                    String::from_utf8_lossy(&list.body).contains("a b+c%d~e.txt"),
                    "{what} ListObjects"
                );
                expect(
                    &client
                        .call("GET", &bucket, None, &[("acl", "")], &[], b"")
                        .await,
                    &[200],
                    &format!("{what} ?acl"),
                );
                // Multipart: ?uploads, ?partNumber&uploadId, ?uploadId with an XML body.
                let key = KEYS[1];
                let init = client
                    .call("POST", &bucket, Some(key), &[("uploads", "")], &[], b"")
                    .await;
                expect(&init, &[200], &format!("{what} InitiateMultipartUpload"));
                let upload_id =
                    xml_text(&String::from_utf8_lossy(&init.body), "UploadId").to_owned();
                let part = vec![b'x'; 100_000];
                let uploaded = client
                    .call(
                        "PUT",
                        &bucket,
                        Some(key),
                        &[("partNumber", "1"), ("uploadId", &upload_id)],
                        &[],
                        &part,
                    )
                    .await;
                expect(&uploaded, &[200], &format!("{what} UploadPart"));
                let etag = uploaded.header("etag").expect("ETag").to_owned();
                let xml = format!(
                    "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
                );
                let md5 = oss_content_md5(xml.as_bytes());
                let complete = client
                    .call(
                        "POST",
                        &bucket,
                        Some(key),
                        &[("uploadId", &upload_id)],
                        &[("content-type", "application/xml"), ("content-md5", &md5)],
                        xml.as_bytes(),
                    )
                    .await;
                expect(
                    &complete,
                    &[200],
                    &format!("{what} CompleteMultipartUpload"),
                );
                let append = client
                    .call(
                        "POST",
                        &bucket,
                        Some("log/app.log"),
                        &[("append", ""), ("position", "0")],
                        &[],
                        b"line\n",
                    )
                    .await;
                expect(&append, &[200], &format!("{what} AppendObject"));
                expect(
                    &client
                        .call("DELETE", &bucket, Some(KEYS[0]), &[], &[], b"")
                        .await,
                    &[204],
                    &format!("{what} DeleteObject"),
                );
                calls += 8;
            }
        }
    }
    // Presigned GETs (V4 query signing), with and without an STS token, both addressing styles.
    for token in [None, Some(TOKEN)] {
        for virtual_host in [true, false] {
            let bucket = "rust-v4-ak-vh";
            // KEYS[1] holds the multipart upload by now.
            for key in &KEYS[2..] {
                let host = if virtual_host {
                    format!("{bucket}.oss-{REGION}.aliyuncs.com")
                } else {
                    addr.clone()
                };
                let mut headers = Headers::new();
                headers.push("host", &host);
                let request = OssRequest {
                    method: "GET",
                    bucket: Some(bucket),
                    key: Some(key),
                    query: &[],
                    headers: &headers,
                };
                let scope = OssV4Scope {
                    access_key_id: AK,
                    access_key_secret: SECRET,
                    region: REGION,
                    unix_time: now(),
                    additional_headers: &[],
                };
                let presigned = presign_oss_v4(&request, &scope, token, 600).unwrap();
                let path = if virtual_host {
                    String::new()
                } else {
                    format!("/{bucket}")
                } + "/"
                    + &percent_encode_path(key);
                let got = send(
                    &addr,
                    "GET",
                    &format!("{path}?{}", presigned.encoded()),
                    &headers,
                    b"",
                )
                .await;
                expect(
                    &got,
                    &[200],
                    &format!("presigned GET {key:?} sts={}", token.is_some()),
                );
                let expected = if key.ends_with('/') {
                    Vec::new()
                } else {
                    format!("body of {key}").into_bytes()
                };
                assert!(
                    got.body == expected,
                    "presigned GET {key:?}: {} bytes",
                    got.body.len()
                );
                calls += 1;
            }
        }
    }
    // The stand-in does check: a wrong secret is refused.
    let wrong = OssClient {
        addr: &addr,
        signature: OssSignature::V4,
        token: None,
        virtual_host: true,
        secret: "wrong",
    };
    let refused = wrong
        .call("GET", "rust-v4-ak-vh", Some(KEYS[1]), &[], &[], b"")
        .await;
    assert_eq!(refused.status, 403);
    assert!(String::from_utf8_lossy(&refused.body).contains("<Code>SignatureDoesNotMatch</Code>"));
    eprintln!("oss: {calls} signed requests accepted, a wrong secret refused");
}

/// A PutLogs body: one protobuf `LogGroup` (Logs = 1, Topic = 3, Source = 4; Log: Time = 1,
/// Contents = 2 with Key = 1, Value = 2).
fn log_group(time: u32, contents: &[(&str, &str)], topic: &str) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    fn bytes_field(out: &mut Vec<u8>, field: u8, data: &[u8]) {
        out.push(field << 3 | 2);
        varint(out, data.len() as u64);
        out.extend_from_slice(data);
    }
    let mut log = Vec::new();
    log.push(1 << 3);
    varint(&mut log, u64::from(time));
    for (key, value) in contents {
        let mut content = Vec::new();
        bytes_field(&mut content, 1, key.as_bytes());
        bytes_field(&mut content, 2, value.as_bytes());
        bytes_field(&mut log, 2, &content);
    }
    let mut group = Vec::new();
    bytes_field(&mut group, 1, &log);
    bytes_field(&mut group, 3, topic.as_bytes());
    bytes_field(&mut group, 4, b"127.0.0.1");
    group
}

#[tokio::test]
async fn sls_stand_in_accepts_our_signatures() {
    let Ok(url) = std::env::var("ACS_SLS_VERIFY_SERVER_URL") else {
        eprintln!("ACS_SLS_VERIFY_SERVER_URL is not set; nothing to check");
        return;
    };
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut calls = 0;
    for v4 in [false, true] {
        for token in [None, Some(TOKEN)] {
            let what = format!(
                "{} sts={}",
                if v4 { "SLS4" } else { "LOG" },
                token.is_some()
            );
            let project = format!(
                "rust-{}-{}",
                if v4 { "v4" } else { "v1" },
                if token.is_some() { "sts" } else { "ak" }
            );
            let call = |method: &'static str,
                        with_project: bool,
                        path: &'static str,
                        query: Vec<(String, String)>,
                        content_type: &'static str,
                        body: Vec<u8>| {
                let addr = addr.clone();
                let project = project.clone();
                async move {
                    let host = if with_project {
                        format!("{project}.{REGION}.log.aliyuncs.com")
                    } else {
                        format!("{REGION}.log.aliyuncs.com")
                    };
                    let time = now();
                    let mut headers = Headers::new();
                    headers.push("host", &host);
                    headers.push("content-type", content_type);
                    headers.push("x-log-apiversion", SLS_API_VERSION);
                    headers.push("x-log-bodyrawsize", &body.len().to_string());
                    if let Some(token) = token {
                        headers.push("x-acs-security-token", token);
                    }
                    let authorization = if v4 {
                        headers.push("x-log-date", &compact_timestamp(time));
                        headers.push("x-log-content-sha256", &sls_content_sha256(&body));
                        let request = SlsRequest {
                            method,
                            path,
                            query: &query,
                            headers: &headers,
                        };
                        sign_sls_v4(&request, AK, SECRET, REGION, time).authorization
                    } else {
                        headers.push("x-log-signaturemethod", SLS_SIGNATURE_METHOD);
                        headers.push("date", &http_date(time));
                        headers.push("content-md5", &sls_content_md5(&body));
                        let request = SlsRequest {
                            method,
                            path,
                            query: &query,
                            headers: &headers,
                        };
                        sign_sls_v1(&request, AK, SECRET).authorization
                    };
                    headers.push("authorization", &authorization);
                    let target = if query.is_empty() {
                        path.to_owned()
                    } else {
                        format!("{path}?{}", encoded_query(&query))
                    };
                    send(&addr, method, &target, &headers, &body).await
                }
            };
            let json = "application/json";
            let create =
                format!(r#"{{"projectName":"{project}","description":"a b+c 数"}}"#).into_bytes();
            expect(
                &call("POST", false, "/", vec![], json, create).await,
                &[200],
                &format!("{what} CreateProject"),
            );
            expect(
                &call("GET", true, "/", vec![], json, vec![]).await,
                &[200],
                &format!("{what} GetProject"),
            );
            let store = br#"{"logstoreName":"app-logs","ttl":1,"shardCount":1}"#.to_vec();
            expect(
                &call("POST", true, "/logstores", vec![], json, store).await,
                &[200],
                &format!("{what} CreateLogStore"),
            );
            let body = log_group(
                1_714_566_896,
                &[("message", "hello wörld"), ("level", "INFO")],
                "app",
            );
            let put = call(
                "POST",
                true,
                "/logstores/app-logs/shards/lb",
                vec![],
                "application/x-protobuf",
                body,
            )
            .await;
            expect(&put, &[200], &format!("{what} PutLogs"));
            let query = [
                ("type", "log"),
                ("from", "1714566000"),
                ("to", "1714567000"),
                ("query", "level: INFO and wörld | select *"),
                ("line", "10"),
                ("topic", ""),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
            let logs = call("GET", true, "/logstores/app-logs", query, json, vec![]).await;
            expect(&logs, &[200], &format!("{what} GetLogs"));
            assert!(
                String::from_utf8_lossy(&logs.body).contains("hello wörld"),
                "{what} GetLogs"
            );
            let list = vec![
                ("offset".to_owned(), "0".to_owned()),
                ("size".to_owned(), "10".to_owned()),
            ];
            expect(
                &call("GET", true, "/logstores", list, json, vec![]).await,
                &[200],
                &format!("{what} ListLogStores"),
            );
            expect(
                &call("DELETE", true, "/logstores/app-logs", vec![], json, vec![]).await,
                &[200],
                &format!("{what} DeleteLogStore"),
            );
            calls += 7;
        }
    }
    eprintln!("sls: {calls} signed requests accepted");
}
