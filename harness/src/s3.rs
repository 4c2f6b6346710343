//! S3 REST requests: path style or virtual-host style, signed by
//! `aws-sigv4` as the AWS SDKs sign for S3 (the path encoded once and not
//! normalised, `x-amz-content-sha256` on every request), presigned, or
//! anonymous (unsigned).

use crate::client::{send, Client, Credentials, Request};
use crate::reply::Reply;
use crate::Emulator;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignatureLocation, SigningSettings,
    UriPathNormalizationMode,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::{Duration, SystemTime};

/// What stays unencoded in an S3 path: RFC 3986 unreserved characters and `/`.
const PATH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Query parameters: RFC 3986 unreserved characters stay.
const QUERY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What a signed S3 request says about its body in `x-amz-content-sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Payload {
    /// The hex SHA-256 of the body (what the SDKs send over plain HTTP).
    #[default]
    Sha256,
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// This value, signed and sent as is (a wrong hash, a `STREAMING-…` mode).
    Claimed(String),
}

/// One S3 REST request being built: [`Client::s3_call`] (signed) or
/// [`Emulator::anonymous_s3_call`] (unsigned). The path is given decoded
/// (`/bucket/my key/ü`) and percent-encoded once when sent.
#[derive(Debug, Clone)]
pub struct S3Call {
    client: Client,
    anonymous: bool,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    payload: Payload,
    host: Option<String>,
    time: Option<SystemTime>,
}

impl S3Call {
    fn new(client: Client, anonymous: bool, method: &str, path: &str) -> Self {
        S3Call {
            client,
            anonymous,
            method: method.to_string(),
            path: if path.starts_with('/') {
                path.to_string()
            } else {
                format!("/{path}")
            },
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
            payload: Payload::default(),
            host: None,
            time: None,
        }
    }

    /// Adds a query parameter (`("list-type", "2")`; `("policy", "")` is
    /// sent bare, as `?policy`).
    #[must_use]
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds query parameters.
    #[must_use]
    pub fn queries(mut self, params: &[(&str, &str)]) -> Self {
        for (name, value) in params {
            self = self.query(name, value);
        }
        self
    }

    /// Adds a header (signed with the request).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds headers.
    #[must_use]
    pub fn headers(mut self, headers: &[(&str, &str)]) -> Self {
        for (name, value) in headers {
            self = self.header(name, value);
        }
        self
    }

    /// The request body.
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// What `x-amz-content-sha256` claims (default: the body's SHA-256).
    #[must_use]
    pub fn payload(mut self, payload: Payload) -> Self {
        self.payload = payload;
        self
    }

    /// Sends a `Host` header of the caller's choosing (signed); the request
    /// still goes to the emulator's 127.0.0.1 address.
    #[must_use]
    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(host.to_string());
        self
    }

    /// Virtual-host style: the path's first segment becomes the host
    /// `BUCKET.localhost:PORT` and the rest the path (`/b/k` → `Host:
    /// b.localhost:PORT`, path `/k`).
    #[must_use]
    pub fn virtual_host(mut self) -> Self {
        let rest = self.path.trim_start_matches('/').to_string();
        let (bucket, key) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
        let port = self.client.endpoint.rsplit(':').next().unwrap_or_default();
        self.host = Some(format!("{bucket}.localhost:{port}"));
        self.path = format!("/{key}");
        self
    }

    /// Signs as if at `time` (a time long past makes a skewed or expired request).
    #[must_use]
    pub fn at(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// `http://127.0.0.1:PORT/encoded/path?query`.
    fn url(&self) -> String {
        let mut url = format!(
            "{}{}",
            self.client.endpoint,
            utf8_percent_encode(&self.path, PATH_ENCODE)
        );
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&encode_query(&self.query));
        }
        url
    }

    /// The headers to sign and send: the caller's, plus `Host` when set.
    fn all_headers(&self) -> Vec<(String, String)> {
        let mut headers = self.headers.clone();
        if let Some(host) = &self.host {
            headers.push(("host".into(), host.clone()));
        }
        headers
    }

    fn settings() -> SigningSettings {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings
    }

    /// The request, signed (headers `Authorization`, `X-Amz-Date`,
    /// `x-amz-content-sha256`, and `X-Amz-Security-Token` with a session
    /// token) unless anonymous; not sent, so a test may alter it.
    pub fn sign(&self) -> Request {
        let url = self.url();
        let mut headers = self.all_headers();
        if !self.anonymous {
            let body = match &self.payload {
                Payload::Sha256 => SignableBody::Bytes(&self.body),
                Payload::Unsigned => SignableBody::UnsignedPayload,
                Payload::Claimed(value) => SignableBody::Precomputed(value.clone()),
            };
            let (added, _) = self.client.instructions(
                &self.method,
                &url,
                &headers,
                body,
                "s3",
                self.time.unwrap_or_else(SystemTime::now),
                Self::settings(),
            );
            headers.extend(added);
        }
        Request {
            method: self.method.clone(),
            url,
            headers,
            body: self.body.clone(),
        }
    }

    /// Signs (unless anonymous) and sends.
    pub fn send(&self) -> Reply {
        send(&self.client.http, &self.sign())
    }

    /// A presigned URL for this method, path, query and headers (the
    /// payload is `UNSIGNED-PAYLOAD`, as the SDKs presign), valid for
    /// `expires_in` from the signing time. Send it with [`Client::send_url`].
    pub fn presign(&self, expires_in: Duration) -> String {
        let url = self.url();
        let mut settings = Self::settings();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires_in);
        let (_, params) = self.client.instructions(
            &self.method,
            &url,
            &self.all_headers(),
            SignableBody::UnsignedPayload,
            "s3",
            self.time.unwrap_or_else(SystemTime::now),
            settings,
        );
        let separator = if self.query.is_empty() { '?' } else { '&' };
        format!("{url}{separator}{}", encode_query(&params))
    }
}

/// `k=v&k2&…`, RFC 3986-encoded; an empty value is sent as a bare name.
fn encode_query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            let k = utf8_percent_encode(k, QUERY_ENCODE);
            if v.is_empty() {
                k.to_string()
            } else {
                format!("{k}={}", utf8_percent_encode(v, QUERY_ENCODE))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl Client {
    /// An S3 REST request to build further (query, headers, body, payload
    /// mode, virtual-host style, presigning) before [`S3Call::send`].
    pub fn s3_call(&self, method: &str, path: &str) -> S3Call {
        S3Call::new(self.clone(), false, method, path)
    }

    /// A signed S3 REST call: `path` is `/bucket/key` (decoded; encoded
    /// once when sent), `x-amz-content-sha256` the body's SHA-256.
    ///
    /// ```
    /// let emu = iam_harness::Emulator::start();
    /// let root = emu.client(&emu.root_credentials());
    /// let _ = root.create_bucket("photos");
    /// let put = root.s3(
    ///     "PUT",
    ///     "/photos/2024/cat 1.jpg",
    ///     &[],
    ///     &[("content-type", "image/jpeg"), ("x-amz-meta-owner", "ann")],
    ///     b"meow",
    /// );
    /// assert_eq!(put.status, 200);
    /// let got = root.s3("GET", "/photos/2024/cat 1.jpg", &[], &[("range", "bytes=1-2")], b"");
    /// assert_eq!((got.status, got.bytes.as_slice()), (206, &b"eo"[..]));
    /// assert_eq!(got.header("x-amz-meta-owner"), Some("ann"));
    /// let listed = root.s3("GET", "/photos", &[("list-type", "2"), ("prefix", "2024/")], &[], b"");
    /// assert_eq!(listed.texts("Key"), ["2024/cat 1.jpg"]);
    /// // Unsigned requests are anonymous; new buckets block public access.
    /// let anonymous = emu.anonymous_s3("GET", "/photos/2024/cat 1.jpg", &[], &[], b"");
    /// assert_eq!(anonymous.expect_error(403, "AccessDenied").status, 403);
    /// ```
    pub fn s3(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.s3_call(method, path)
            .queries(query)
            .headers(headers)
            .body(body)
            .send()
    }

    /// Sends `body` to a full URL (a presigned one) without signing it.
    pub fn send_url(&self, method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        self.send(&Request {
            method: method.to_string(),
            url: url.to_string(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
                .collect(),
            body: body.to_vec(),
        })
    }

    // ---- S3 conveniences: each panics (showing the reply) unless it succeeds ----

    /// CreateBucket in this client's region (a `LocationConstraint` outside us-east-1).
    pub fn create_bucket(&self, bucket: &str) -> Reply {
        let body = if self.region.is_empty() || self.region == "us-east-1" {
            String::new()
        } else {
            format!(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                self.region
            )
        };
        self.s3("PUT", &format!("/{bucket}"), &[], &[], body.as_bytes())
            .expect_ok()
    }

    /// PutObject of `body` at `bucket`/`key`.
    pub fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> Reply {
        self.s3("PUT", &format!("/{bucket}/{key}"), &[], &[], body)
            .expect_ok()
    }

    /// GetObject; the data is in [`Reply::bytes`].
    pub fn get_object(&self, bucket: &str, key: &str) -> Reply {
        self.s3("GET", &format!("/{bucket}/{key}"), &[], &[], b"")
            .expect_ok()
    }

    /// PutBucketPolicy.
    pub fn put_bucket_policy(&self, bucket: &str, policy: &str) -> Reply {
        self.s3(
            "PUT",
            &format!("/{bucket}"),
            &[("policy", "")],
            &[],
            policy.as_bytes(),
        )
        .expect_ok()
    }

    /// DeletePublicAccessBlock: the bucket's Block Public Access settings off.
    pub fn delete_public_access_block(&self, bucket: &str) -> Reply {
        self.s3(
            "DELETE",
            &format!("/{bucket}"),
            &[("publicAccessBlock", "")],
            &[],
            b"",
        )
        .expect_ok()
    }
}

impl Emulator {
    /// An unsigned (anonymous) S3 request to build further.
    pub fn anonymous_s3_call(&self, method: &str, path: &str) -> S3Call {
        S3Call::new(self.client(&Credentials::new("", "")), true, method, path)
    }

    /// An unsigned (anonymous) S3 REST call; see [`Client::s3`].
    pub fn anonymous_s3(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.anonymous_s3_call(method, path)
            .queries(query)
            .headers(headers)
            .body(body)
            .send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_the_path_once_and_keep_bare_subresources() {
        let emu = Emulator::start();
        let call = emu
            .client(&emu.root_credentials())
            .s3_call("GET", "/b/dir/my key+ü")
            .query("policy", "")
            .query("prefix", "a b/");
        let url = call.url();
        assert!(
            url.ends_with("/b/dir/my%20key%2B%C3%BC?policy&prefix=a%20b%2F"),
            "{url}"
        );
        let vhost = call.virtual_host();
        assert!(vhost.url().contains("/dir/my%20key"), "{}", vhost.url());
        assert_eq!(
            vhost.host.as_deref(),
            Some(format!("b.localhost:{}", emu.endpoint().rsplit(':').next().unwrap()).as_str())
        );
    }

    #[test]
    fn signed_requests_carry_the_payload_hash() {
        let emu = Emulator::start();
        let root = emu.client(&emu.root_credentials());
        let req = root.s3_call("PUT", "/b/k").body("hello").sign();
        assert_eq!(
            req.header("x-amz-content-sha256"),
            Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        );
        assert!(req.header("authorization").is_some());
        let unsigned = root.s3_call("PUT", "/b/k").payload(Payload::Unsigned).sign();
        assert_eq!(unsigned.header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
        let anonymous = emu.anonymous_s3_call("GET", "/b/k").sign();
        assert!(anonymous.headers.is_empty());
    }
}
