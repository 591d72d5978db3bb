//! Presigned URLs: an OSS request signed into its query (V4, `x-oss-signature`), which anyone
//! holding the URL can send without credentials until it expires.

use std::time::{Duration, SystemTime};

use super::Client;
use super::call::{Addressed, is_ip_or_localhost};
use super::request::{Prepared, Target};
use crate::error::{BuildError, SdkError, ServiceError};
use crate::headers::Headers;
use crate::operation::{Gateway, Operation};
use crate::sign::oss::{OssRequest, OssV4Scope, presign_oss_v4};
use crate::transport::{Method, Url};

/// A request signed into its URL: send `method` to `url` with `headers` (those the signature
/// covers: the operation's `x-oss-*` and content headers) before `expires_at`. The URL is a
/// bearer credential until then: `Debug` hides its query.
#[derive(Clone)]
#[non_exhaustive]
pub struct PresignedRequest {
    /// The method to send.
    pub method: Method,
    /// The URL, signature and (for STS credentials) token in its query.
    pub url: Url,
    /// Headers the request must carry as signed.
    pub headers: Headers,
    /// When the URL stops working.
    pub expires_at: SystemTime,
}

impl std::fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresignedRequest")
            .field("method", &self.method)
            .field("url", &crate::transport::redact_url(&self.url))
            .field("headers", &self.headers)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Client {
    /// `operation` (an OSS `GetObject`, `PutObject`, `HeadObject`, …) as a URL signed with
    /// OSS V4 query signing, valid for `expires_in` (1 s to 7 days), made with the client's
    /// credentials, region and addressing. Nothing is sent. Only the OSS gateway signs URLs; a
    /// body (`PutObject`'s data) is not part of the signature and is sent by whoever uses the
    /// URL.
    pub async fn presign<O: Operation>(
        &self,
        operation: O,
        expires_in: Duration,
    ) -> Result<PresignedRequest, SdkError<ServiceError>> {
        let inner = &*self.inner;
        if inner.service.gateway != Gateway::Oss {
            return Err(SdkError::Build(BuildError::Presign(format!(
                "{} is not an OSS operation; only OSS signs URLs",
                O::INFO.action
            ))));
        }
        let (_operation, params) = super::prepare(operation);
        let request = Prepared::new(
            &Target {
                style: inner.service.style,
                action: O::INFO.action,
                version: inner.service.version,
                method: O::INFO.method,
                path: O::INFO.path,
                gateway: Gateway::Oss,
            },
            params,
        )?;
        let addressed = Addressed::of(
            &inner.base_url,
            inner.endpoint.host_header(),
            request.host_label.as_deref(),
            inner.config.path_style || is_ip_or_localhost(&inner.base_url),
        )?;
        let credentials = inner
            .config
            .credentials
            .get()
            .await
            .map_err(SdkError::Credentials)?;
        let mut headers = Headers::new();
        if let Some(content_type) = request.content_type.filter(|_| !request.body.is_empty()) {
            headers.push("content-type", content_type);
        }
        for (name, value) in &request.headers {
            headers.push(name, value);
        }
        let key = percent_encoding::percent_decode_str(request.path.trim_start_matches('/'))
            .decode_utf8_lossy()
            .into_owned();
        let unix_time = inner.clock.unix_time();
        let signed = presign_oss_v4(
            &OssRequest {
                method: request.method.as_str(),
                bucket: request.host_label.as_deref(),
                key: Some(key.as_str()).filter(|key| !key.is_empty()),
                query: &request.query,
                headers: &headers,
            },
            &OssV4Scope {
                access_key_id: credentials.access_key_id(),
                access_key_secret: credentials.access_key_secret(),
                region: &inner.config.region,
                unix_time,
                additional_headers: &[],
            },
            credentials.security_token(),
            expires_in.as_secs(),
        )
        .map_err(|error| SdkError::Build(BuildError::Presign(error.to_string())))?;
        let mut url = addressed.base.into_owned();
        match addressed.path_prefix {
            Some(label) => url.set_path(&format!("/{label}{}", request.path)),
            None => url.set_path(&request.path),
        }
        url.set_query(Some(&signed.encoded()));
        Ok(PresignedRequest {
            method: request.method,
            url,
            headers,
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(unix_time) + expires_in,
        })
    }
}
