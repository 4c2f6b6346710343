//! SigV4 signing with AWS's own `aws-sigv4` crate, through `iam-harness`'s signer,
//! plus what can be computed once: payload hashes, and whole signed header
//! sets reused for the rest of the second they were signed in.

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignatureLocation, SigningSettings,
    UriPathNormalizationMode,
};
use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// RFC 3986 unreserved characters stay; everything else is `%XX`.
pub const QUERY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// S3 paths: unreserved characters and `/` stay.
pub const PATH_ENCODE: &AsciiSet = &QUERY_ENCODE.remove(b'/');

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// An access key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creds {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl Creds {
    /// `AKID:SECRET`.
    pub fn parse(text: &str) -> Result<Creds, String> {
        let (id, secret) = text
            .split_once(':')
            .ok_or_else(|| format!("expected AKID:SECRET, got {text:?}"))?;
        Ok(Creds {
            access_key_id: id.to_string(),
            secret_access_key: secret.to_string(),
        })
    }
}

pub use iam_harness::encode_params;

/// One request as the workload describes it, before signing. Everything
/// that does not depend on the signing time is computed here, once.
#[derive(Debug, Clone)]
pub struct Template {
    pub method: Method,
    /// `/path?query`, as sent.
    pub path_and_query: String,
    /// `http://HOST:PORT/path?query`, as signed.
    pub url: String,
    /// `127.0.0.1:PORT`.
    pub host: String,
    pub service: &'static str,
    /// Extra headers, signed (`content-type` for Query calls).
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// Hex SHA-256 of the body, computed once.
    pub payload_hash: String,
    /// The status that counts as success (403 for the `denied` workload).
    pub expect: u16,
}

impl Template {
    /// A signed AWS Query call (IAM / STS): form POST to `/`.
    pub fn query(endpoint: &Endpoint, service: &'static str, params: &[(&str, &str)], expect: u16) -> Self {
        let version = if service == "sts" {
            "2011-06-15"
        } else {
            "2010-05-08"
        };
        let mut all = params.to_vec();
        all.push(("Version", version));
        let body = Bytes::from(encode_params(&all));
        Template {
            method: Method::POST,
            path_and_query: "/".into(),
            url: format!("{}/", endpoint.base),
            host: endpoint.host.clone(),
            service,
            headers: vec![("content-type".into(), FORM_CONTENT_TYPE.into())],
            payload_hash: hex::encode(Sha256::digest(&body)),
            body,
            expect,
        }
    }

    /// A signed S3 REST call, path style; `path` decoded (`/bucket/key`),
    /// `query` already encoded (`list-type=2&max-keys=1000`) or empty.
    pub fn s3(
        endpoint: &Endpoint,
        method: Method,
        path: &str,
        query: &str,
        body: Bytes,
        expect: u16,
    ) -> Self {
        let mut path_and_query = utf8_percent_encode(path, PATH_ENCODE).to_string();
        if !query.is_empty() {
            path_and_query.push('?');
            path_and_query.push_str(query);
        }
        Template {
            method,
            url: format!("{}{path_and_query}", endpoint.base),
            path_and_query,
            host: endpoint.host.clone(),
            service: "s3",
            headers: Vec::new(),
            payload_hash: hex::encode(Sha256::digest(&body)),
            body,
            expect,
        }
    }

    /// The full header set (Host, the template's headers, and the
    /// signature's: `Authorization`, `X-Amz-Date`, S3's
    /// `x-amz-content-sha256`), signed as at `time`.
    pub fn sign(&self, creds: &Creds, time: SystemTime) -> HeaderMap {
        let settings = settings(self.service, SignatureLocation::Headers);
        let (added, _) = instructions(
            creds,
            self.method.as_str(),
            &self.url,
            &self.headers,
            SignableBody::Precomputed(self.payload_hash.clone()),
            self.service,
            time,
            settings,
        );
        let mut map = HeaderMap::with_capacity(8);
        map.insert(hyper::header::HOST, value(&self.host));
        for (name, val) in self.headers.iter().chain(added.iter()) {
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                map.insert(name, value(val));
            }
        }
        map
    }

    /// A presigned URL (signature in the query) valid for `expires_in`.
    pub fn presign(&self, creds: &Creds, time: SystemTime, expires_in: Duration) -> String {
        let mut settings = settings(self.service, SignatureLocation::QueryParams);
        settings.expires_in = Some(expires_in);
        let body = if self.service == "s3" {
            SignableBody::UnsignedPayload
        } else {
            SignableBody::Bytes(&[])
        };
        let (_, params) = instructions(
            creds,
            self.method.as_str(),
            &self.url,
            &[],
            body,
            self.service,
            time,
            settings,
        );
        let extra: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}{}", self.url, encode_params(&extra))
    }
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// Signing settings as the SDKs use them: S3 signs its path encoded once,
/// not normalised, with `x-amz-content-sha256`; other services the defaults.
fn settings(service: &str, location: SignatureLocation) -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.signature_location = location;
    if service == "s3" {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        if location == SignatureLocation::Headers {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
    }
    settings
}

type Pairs = Vec<(String, String)>;

/// Runs `aws-sigv4` through the harness's signer (one signing routine for
/// tests and load); returns the headers and query parameters to add.
#[allow(clippy::too_many_arguments)]
fn instructions(
    creds: &Creds,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: SignableBody<'_>,
    service: &str,
    time: SystemTime,
    settings: SigningSettings,
) -> (Pairs, Pairs) {
    let credentials = iam_harness::Credentials::new(&creds.access_key_id, &creds.secret_access_key);
    let target = iam_harness::SigningTarget {
        method,
        url,
        headers,
        body,
        service,
    };
    iam_harness::sign_instructions(&credentials, "us-east-1", target, time, settings)
}

/// The endpoint: `http://127.0.0.1:PORT` split into what requests need.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    /// `127.0.0.1:PORT`, the Host header and the address to connect to.
    pub host: String,
}

impl Endpoint {
    /// Parses `http://HOST:PORT`. Only loopback addresses are accepted:
    /// this tool generates load, and load stays on this machine.
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let base = text.trim_end_matches('/').to_string();
        let host = base
            .strip_prefix("http://")
            .ok_or_else(|| format!("endpoint {text:?}: only http:// is supported"))?
            .to_string();
        if host.contains('/') {
            return Err(format!("endpoint {text:?}: give http://HOST:PORT without a path"));
        }
        let (name, _port) = host
            .rsplit_once(':')
            .ok_or_else(|| format!("endpoint {text:?}: a port is required"))?;
        let loopback = name == "localhost"
            || name == "[::1]"
            || name
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !loopback {
            return Err(format!(
                "endpoint {text:?}: only loopback addresses (127.0.0.0/8, localhost, [::1]) are allowed"
            ));
        }
        Ok(Endpoint { base, host })
    }
}

/// Whole seconds since the epoch.
pub fn unix_second(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `time` truncated to the second (what `X-Amz-Date` can express).
pub fn whole_second(time: SystemTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix_second(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_endpoints_are_accepted() {
        for ok in [
            "http://127.0.0.1:4566",
            "http://127.1.2.3:80/",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(Endpoint::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:4566",
            "http://192.168.1.1:80",
            "http://example.com:80",
            "https://127.0.0.1:443",
            "http://127.0.0.1",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_signed_template_carries_host_date_and_authorization() {
        let endpoint = Endpoint::parse("http://127.0.0.1:4566").unwrap();
        let creds = Creds::parse("AKIAIOSFODNN7EXAMPLE:secret").unwrap();
        let t = Template::s3(
            &endpoint,
            Method::PUT,
            "/b/a key",
            "",
            Bytes::from_static(b"x"),
            200,
        );
        assert_eq!(t.path_and_query, "/b/a%20key");
        let headers = t.sign(&creds, UNIX_EPOCH + Duration::from_secs(1_750_000_000));
        assert_eq!(headers["host"], "127.0.0.1:4566");
        assert_eq!(headers["x-amz-date"], "20250615T150640Z");
        assert_eq!(headers["x-amz-content-sha256"], t.payload_hash.as_str());
        let auth = headers["authorization"].to_str().unwrap();
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250615/us-east-1/s3/aws4_request"
        ));
    }
}
