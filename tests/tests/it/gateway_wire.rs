//! The OSS and SLS clients on the wire, without Python: a loopback server checks each request's
//! signature with the runtime's pure signers (which replay the vectors recorded from Alibaba's
//! gateway code, `crates/acs-runtime/tests/fixtures/signing/{oss,sls}`) and answers as OSS and
//! SLS do: XML answers and errors, CRC-64 headers (right and wrong), empty error bodies,
//! compressed `LogGroup` bodies. `oss_sls_e2e.rs` does the same against the gateways' own
//! code when Python is at hand.

use std::sync::Arc;

use acs_oss20190517 as oss;
use acs_runtime::credentials::Credentials;
use acs_runtime::sign::SignatureAlgorithm;
use acs_runtime::sign::oss::{OssRequest, OssV4Scope, sign_oss_v1, sign_oss_v4};
use acs_runtime::sign::sls::{SlsRequest, sign_sls_v1};
use acs_runtime::stream::crc64;
use acs_runtime::{
    BuildError, Config, DefaultTransport, Headers, ObjectBody, OperationError, SdkError, Timeouts,
    TransportErrorKind,
};
use acs_sls20201230 as sls;
use acs_test_server::{Recorded, Reply, TestServer};

const AK: &str = "testAccessKeyId";
const SECRET: &str = "testAccessKeySecret";
const TOKEN: &str = "CAISstsToken+/=Example";

fn headers_of(request: &Recorded) -> Headers {
    request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
        .collect()
}

fn decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The bucket and key of an OSS request: path-style (`/bucket/key`) on an IP endpoint, else
/// from the host's first label.
fn bucket_and_key(request: &Recorded) -> (Option<String>, Option<String>) {
    let host = request.header("host").unwrap_or_default();
    let path = decoded(&request.path);
    let path = path.trim_start_matches('/');
    let (bucket, key) = if host.starts_with("127.0.0.1") {
        match path.split_once('/') {
            Some((bucket, key)) => (Some(bucket.to_owned()), key.to_owned()),
            None => (
                Some(path.to_owned()).filter(|b| !b.is_empty()),
                String::new(),
            ),
        }
    } else {
        (host.split('.').next().map(str::to_owned), path.to_owned())
    };
    (bucket, Some(key).filter(|key| !key.is_empty()))
}

/// Whether an OSS request's `Authorization` is what the pure signers compute from it.
fn oss_signature_holds(request: &Recorded) -> Result<(), String> {
    let headers = headers_of(request);
    let authorization = headers.get("authorization").ok_or("no Authorization")?;
    let (bucket, key) = bucket_and_key(request);
    let oss = OssRequest {
        method: &request.method,
        bucket: bucket.as_deref(),
        key: key.as_deref(),
        query: &request.query,
        headers: &headers,
    };
    let expected = if authorization.starts_with("OSS4-HMAC-SHA256") {
        let date = headers.get("x-oss-date").ok_or("no x-oss-date")?;
        let unix_time = time_of(date);
        sign_oss_v4(
            &oss,
            &OssV4Scope {
                access_key_id: AK,
                access_key_secret: SECRET,
                region: "cn-hangzhou",
                unix_time,
                additional_headers: &[],
            },
        )
        .authorization
    } else {
        sign_oss_v1(&oss, AK, SECRET).authorization
    };
    if authorization == expected {
        Ok(())
    } else {
        Err(format!("Authorization {authorization} is not {expected}"))
    }
}

/// Seconds since the epoch of `yyyymmddThhmmssZ`.
fn time_of(compact: &str) -> u64 {
    let n = |range: std::ops::Range<usize>| compact[range].parse::<i64>().unwrap();
    let date = time::Date::from_calendar_date(
        n(0..4) as i32,
        time::Month::try_from(n(4..6) as u8).unwrap(),
        n(6..8) as u8,
    )
    .unwrap();
    let at = date
        .with_hms(n(9..11) as u8, n(11..13) as u8, n(13..15) as u8)
        .unwrap()
        .assume_utc();
    at.unix_timestamp() as u64
}

fn oss_client(server: &TestServer, signature: SignatureAlgorithm, sts: bool) -> oss::Client {
    let credentials = if sts {
        Credentials::with_security_token(AK, SECRET, TOKEN)
    } else {
        Credentials::new(AK, SECRET)
    };
    let config = Config::new("cn-hangzhou")
        .with_credentials(credentials)
        .with_signature(signature)
        .with_endpoint(server.url());
    oss::Client::new(&config).unwrap()
}

/// A configuration calling `endpoint` (a gateway's host name) at `server`'s port, with
/// `label.endpoint` resolved to the server; and the port.
fn resolving(server: &TestServer, endpoint: &str, label: &str) -> (Config, u16) {
    let port: u16 = server.url().rsplit(':').next().unwrap().parse().unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let transport =
        DefaultTransport::new(Timeouts::DEFAULT).resolve(format!("{label}.{endpoint}"), addr);
    let config = Config::new("cn-hangzhou")
        .with_credentials(Credentials::new(AK, SECRET))
        .with_endpoint(format!("http://{endpoint}:{port}"))
        .with_transport(Arc::new(transport));
    (config, port)
}

fn xml(status: u16, body: &str, extra: &[(&str, &str)]) -> Reply {
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/xml".to_owned()),
        ("x-oss-request-id".to_owned(), "5F1E-REQUEST".to_owned()),
    ];
    headers.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Reply::Respond {
        status,
        headers,
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn oss_uploads_are_signed_as_the_gateway_signs_and_checked_by_crc64() {
    let data = b"hello, object storage".to_vec();
    let crc = crc64::checksum(&data).to_string();
    let answer_crc = crc.clone();
    let server = TestServer::start_checking(move |request| {
        if let Err(reason) = oss_signature_holds(request) {
            return xml(
                403,
                &format!(
                    "<Error><Code>SignatureDoesNotMatch</Code><Message>{reason}</Message></Error>"
                ),
                &[],
            );
        }
        let crc = if request.path.ends_with("damaged") {
            "1"
        } else {
            answer_crc.as_str()
        };
        xml(
            200,
            "",
            &[("ETag", "\"E1\""), ("x-oss-hash-crc64ecma", crc)],
        )
    })
    .await;
    for (signature, sts) in [
        (SignatureAlgorithm::Acs3HmacSha256, false),
        (SignatureAlgorithm::Acs3HmacSha256, true),
        (SignatureAlgorithm::OssHmacSha1, false),
        (SignatureAlgorithm::OssHmacSha1, true),
    ] {
        let client = oss_client(&server, signature, sts);
        for key in ["plain", "dir/a b+c%d~e.txt", "数据 ☃"] {
            let put = client
                .put_object()
                .bucket("my-bucket")
                .key(key)
                .x_oss_tagging("a=b")
                .body(ObjectBody::from_reader(
                    std::io::Cursor::new(data.clone()),
                    Some(data.len() as u64),
                ))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{signature} {key}: {e}"));
            assert_eq!(put.e_tag.as_deref(), Some("\"E1\""));
            assert_eq!(put.x_oss_hash_crc64ecma.as_deref(), Some(crc.as_str()));
        }
        let damaged = client
            .put_object()
            .bucket("my-bucket")
            .key("damaged")
            .body(data.clone())
            .send()
            .await
            .expect_err("a CRC-64 the data does not have");
        let SdkError::Transport(error) = &damaged else {
            panic!("{damaged:?}")
        };
        assert_eq!(error.kind, TransportErrorKind::Checksum, "{error}");
    }
    let sent = server.requests();
    let first = &sent[0];
    assert_eq!(
        first.path, "/my-bucket/plain",
        "path-style on an IP endpoint"
    );
    assert_eq!(first.body, data);
    assert_eq!(
        first.header("x-oss-content-sha256"),
        Some("UNSIGNED-PAYLOAD")
    );
    assert!(
        sent.iter()
            .filter(|r| !r.path.ends_with("damaged"))
            .all(|r| r.header("x-oss-tagging") == Some("a=b"))
    );
    let tokens = sent
        .iter()
        .filter(|r| r.header("x-oss-security-token") == Some(TOKEN))
        .count();
    assert_eq!(tokens, 8, "every STS request carries its token");
}

#[tokio::test]
async fn oss_xml_answers_errors_and_downloads() {
    const LISTING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>my-bucket</Name><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>
  <Contents><Key>a&amp;b.txt</Key><Size>3</Size><ETag>"x"</ETag></Contents>
  <Contents><Key>c.txt</Key><Size>5</Size></Contents>
  <Unknown><Nested/></Unknown>
</ListBucketResult>"#;
    let object = b"object data".to_vec();
    let good = crc64::checksum(&object).to_string();
    let server = TestServer::start_checking(move |request| {
        if let Err(reason) = oss_signature_holds(request) {
            return xml(403, &reason, &[]);
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/my-bucket/") => xml(200, LISTING, &[]),
            ("GET", "/my-bucket/good") => Reply::Respond {
                status: 200,
                headers: vec![("x-oss-hash-crc64ecma".into(), good.clone())],
                body: String::from_utf8(object.clone()).unwrap(),
            },
            ("GET", "/my-bucket/damaged") => Reply::Respond {
                status: 200,
                headers: vec![("x-oss-hash-crc64ecma".into(), "7".into())],
                body: String::from_utf8(object.clone()).unwrap(),
            },
            // Gzipped on request: the stored object's CRC is not the bytes sent.
            ("GET", "/my-bucket/gzipped") => Reply::Respond {
                status: 200,
                headers: vec![
                    ("x-oss-hash-crc64ecma".into(), good.clone()),
                    ("content-encoding".into(), "gzip".into()),
                ],
                body: "compressed bytes".into(),
            },
            ("HEAD", _) => xml(404, "", &[("x-oss-ec", "0026-00000001")]),
            _ => xml(
                404,
                "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>R-XML</RequestId><HostId>my-bucket.oss-cn-hangzhou.aliyuncs.com</HostId><EC>0026-00000001</EC></Error>",
                &[],
            ),
        }
    })
    .await;
    let client = oss_client(&server, SignatureAlgorithm::Acs3HmacSha256, false);
    let listed = client
        .list_objects_v2()
        .bucket("my-bucket")
        .send()
        .await
        .expect("ListObjectsV2");
    assert_eq!(listed.name.as_deref(), Some("my-bucket"));
    assert_eq!(listed.key_count, Some(2));
    let contents = listed.contents.unwrap();
    assert_eq!(contents[0].key.as_deref(), Some("a&b.txt"));
    assert_eq!(contents[1].size, Some(5));

    let got = client
        .get_object()
        .bucket("my-bucket")
        .key("good")
        .send()
        .await
        .unwrap();
    assert_eq!(got.body.collect().await.unwrap(), b"object data");
    let damaged = client
        .get_object()
        .bucket("my-bucket")
        .key("damaged")
        .send()
        .await
        .unwrap();
    let error = damaged
        .body
        .collect()
        .await
        .expect_err("a CRC-64 mismatch at the end");
    assert!(error.to_string().contains("CRC-64"), "{error}");
    let gzipped = client
        .get_object()
        .bucket("my-bucket")
        .key("gzipped")
        .accept_encoding("gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        gzipped.body.collect().await.expect("not compared"),
        b"compressed bytes"
    );

    let missing = client
        .get_object()
        .bucket("my-bucket")
        .key("missing")
        .send()
        .await
        .expect_err("NoSuchKey");
    let service = missing
        .as_service_error()
        .expect("a service error")
        .service_error();
    assert_eq!(service.code, "NoSuchKey");
    assert_eq!(service.request_id.as_deref(), Some("R-XML"));
    assert_eq!(service.ec(), Some("0026-00000001"));
    assert_eq!(
        service.host_id(),
        Some("my-bucket.oss-cn-hangzhou.aliyuncs.com")
    );
    let head = client
        .head_object()
        .bucket("my-bucket")
        .key("missing")
        .send()
        .await
        .expect_err("404");
    let service = head.as_service_error().unwrap().service_error();
    assert_eq!((service.code.as_str(), service.http_status), ("404", 404));
    assert_eq!(service.request_id.as_deref(), Some("5F1E-REQUEST"));
    assert_eq!(service.ec(), Some("0026-00000001"));

    let before = server.requests().len();
    for bucket in ["evil.example.com", "UPPER", "a", "-edge", "b/c"] {
        let refused = client.get_object().bucket(bucket).key("k").send().await;
        assert!(
            matches!(
                refused,
                Err(SdkError::Build(BuildError::InvalidHostLabel { .. }))
            ),
            "{bucket}: {refused:?}"
        );
    }
    assert_eq!(server.requests().len(), before, "nothing was sent");
}

#[tokio::test]
async fn oss_virtual_hosts_and_xml_bodies() {
    let server = TestServer::start_checking(|request| {
        if let Err(reason) = oss_signature_holds(request) {
            return xml(403, &reason, &[]);
        }
        xml(
            200,
            "<CompleteMultipartUploadResult><Bucket>my-bucket</Bucket><Key>k</Key><ETag>\"done\"</ETag></CompleteMultipartUploadResult>",
            &[],
        )
    })
    .await;
    let (config, port) = resolving(&server, "oss-cn-hangzhou.aliyuncs.com", "my-bucket");
    let client = oss::Client::new(&config).unwrap();
    let completed = client
        .complete_multipart_upload()
        .bucket("my-bucket")
        .key("k")
        .upload_id("U1")
        .complete_multipart_upload(oss::types::CompleteMultipartUpload {
            part: Some(vec![oss::types::PartItem {
                part_number: Some(1),
                e_tag: Some("\"p<1>\"".into()),
            }]),
        })
        .send()
        .await
        .expect("CompleteMultipartUpload");
    assert_eq!(completed.e_tag.as_deref(), Some("\"done\""));
    let sent = &server.requests()[0];
    assert_eq!(
        sent.header("host"),
        Some(format!("my-bucket.oss-cn-hangzhou.aliyuncs.com:{port}").as_str())
    );
    assert_eq!(sent.path, "/k");
    assert_eq!(sent.param("uploadId"), Some("U1"));
    assert_eq!(
        String::from_utf8_lossy(&sent.body),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;p&lt;1&gt;&quot;</ETag></Part></CompleteMultipartUpload>"
    );
    assert_eq!(sent.header("content-type"), Some("application/xml"));
    assert_eq!(
        sent.header("content-md5"),
        Some(acs_runtime::sign::oss::oss_content_md5(&sent.body).as_str())
    );
}

/// Whether an SLS request's `LOG` signature is what the pure signer computes, with the body's
/// MD5 as it arrived.
fn sls_signature_holds(request: &Recorded) -> Result<(), String> {
    let headers = headers_of(request);
    let authorization = headers.get("authorization").ok_or("no Authorization")?;
    if headers.get("content-md5").unwrap_or("")
        != acs_runtime::sign::sls::sls_content_md5(&request.body)
    {
        return Err("Content-MD5 is not the body's".into());
    }
    let path = decoded(&request.path);
    let expected = sign_sls_v1(
        &SlsRequest {
            method: &request.method,
            path: &path,
            query: &request.query,
            headers: &headers,
        },
        AK,
        SECRET,
    )
    .authorization;
    if authorization == expected {
        Ok(())
    } else {
        Err(format!("{authorization} is not {expected}"))
    }
}

#[tokio::test]
async fn sls_log_groups_go_compressed_and_errors_read_as_sls_writes_them() {
    let server = TestServer::start_checking(|request| {
        if let Err(reason) = sls_signature_holds(request) {
            return Reply::json(401, &format!(r#"{{"errorCode":"SignatureNotMatch","errorMessage":"{reason}"}}"#));
        }
        if request.path.contains("missing") {
            return Reply::json_with_header(
                404,
                r#"{"errorCode":"LogStoreNotExist","errorMessage":"logstore missing does not exist"}"#,
                "x-log-requestid",
                "SLS-REQUEST",
            );
        }
        Reply::json_with_header(200, "", "x-log-requestid", "SLS-OK")
    })
    .await;
    let (config, port) = resolving(&server, "cn-hangzhou.log.aliyuncs.com", "my-project");
    let client = sls::Client::new(&config).unwrap();
    let group = sls::types::LogGroup {
        topic: Some("t".into()),
        log_items: Some(vec![sls::types::LogItem {
            time: Some(1_690_254_376),
            contents: Some(vec![sls::types::LogContent {
                key: Some("k".into()),
                value: Some("v".into()),
            }]),
        }]),
        ..Default::default()
    };
    let put = client
        .put_logs()
        .project("my-project")
        .logstore("app")
        .x_log_compresstype("lz4")
        .body(group.clone())
        .send()
        .await
        .expect("PutLogs");
    assert_eq!(put.x_log_requestid.as_deref(), Some("SLS-OK"));
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/logstores/app/shards/lb");
    assert_eq!(
        sent.header("host"),
        Some(format!("my-project.cn-hangzhou.log.aliyuncs.com:{port}").as_str())
    );
    assert_eq!(sent.header("x-log-compresstype"), Some("lz4"));
    assert_eq!(sent.header("content-type"), Some("application/x-protobuf"));
    let raw: usize = sent.header("x-log-bodyrawsize").unwrap().parse().unwrap();
    let protobuf = lz4_flex::block::decompress(&sent.body, raw).expect("an lz4 block");
    assert_eq!(
        protobuf,
        acs_runtime::params::log_group::encode(&group),
        "the LogGroup as SLS's log.proto encodes it"
    );

    let missing = client
        .get_log_store()
        .project("my-project")
        .logstore("missing")
        .send()
        .await
        .expect_err("LogStoreNotExist");
    let service = missing.as_service_error().unwrap().service_error();
    assert_eq!(service.code, "LogStoreNotExist");
    assert_eq!(service.message, "logstore missing does not exist");
    assert_eq!(service.request_id.as_deref(), Some("SLS-REQUEST"));
    assert_eq!(
        missing.as_service_error().unwrap().code(),
        "LogStoreNotExist"
    );
}
