//! AWS Signature Version 2 for S3 ("Signing and authenticating REST
//! requests", RESTAuthentication): `Authorization: AWS AKID:SIGNATURE` with
//! `Date` or `x-amz-date`, and presigned URLs with `AWSAccessKeyId`,
//! `Expires` (epoch seconds) and `Signature` in the query. The signature is
//! base64(HMAC-SHA1(secret, StringToSign)) with
//!
//! ```text
//! METHOD \n Content-MD5 \n Content-Type \n Date-or-Expires \n
//! CanonicalizedAmzHeaders CanonicalizedResource
//! ```
//!
//! Pure: [`parse`] finds the access key (so the caller can look up its
//! secret) and [`SigV2::check_time`] the expiry; [`verify`] checks the
//! signature. Sub-resources are the ones botocore's `HmacV1Auth` signs.

use crate::error::{AwsError, Common, S3};
use crate::http::HttpRequest;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use time::{Duration, OffsetDateTime};

type HmacSha1 = Hmac<Sha1>;

/// Query parameters that are part of the CanonicalizedResource.
pub const SUB_RESOURCES: [&str; 35] = [
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "defaultObjectAcl",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// Largest clock difference S3 tolerates for a signed (not presigned) request.
const MAX_SKEW: Duration = Duration::minutes(15);

/// Where the signature came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `Authorization: AWS …`; `date` is the `x-amz-date` or else `Date` header.
    Header { date: String },
    /// Presigned: `Expires` as sent (epoch seconds) and its value.
    Query { expires_text: String, expires: i64 },
}

/// A SigV2 signature found in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV2 {
    pub access_key: String,
    /// base64, as sent.
    pub signature: String,
    /// `x-amz-security-token` (header or query), for temporary credentials.
    pub session_token: Option<String>,
    pub form: Form,
}

/// The parts of a request the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// Still percent-encoded, as sent.
    pub raw_path: &'a str,
    pub raw_query: Option<&'a str>,
    pub headers: &'a [(String, String)],
}

impl<'a> From<&'a HttpRequest> for RequestParts<'a> {
    fn from(req: &'a HttpRequest) -> Self {
        RequestParts {
            method: &req.method,
            raw_path: &req.raw_path,
            raw_query: req.raw_query.as_deref(),
            headers: &req.headers,
        }
    }
}

impl RequestParts<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Decoded query pairs; `None` as the value when there was no `=`.
    fn query(&self) -> Vec<(String, Option<String>)> {
        self.raw_query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => (decode(k), Some(decode(v))),
                None => (decode(pair), None),
            })
            .collect()
    }

    fn query_value(&self, name: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.unwrap_or_default())
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// `SignatureDoesNotMatch`, in S3's words.
pub fn signature_mismatch() -> AwsError {
    AwsError::new(Common::SignatureDoesNotMatch,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    )
}

/// Whether the request carries a SigV2 signature (header or query), well
/// formed or not.
pub fn is_sigv2(req: &HttpRequest) -> bool {
    matches!(parse(req), Ok(Some(_)) | Err(_))
}

/// The SigV2 signature of a request, if it has one.
pub fn parse(req: &HttpRequest) -> Result<Option<SigV2>, AwsError> {
    parse_parts(&RequestParts::from(req))
}

/// [`parse`] over the request's parts.
pub fn parse_parts(req: &RequestParts) -> Result<Option<SigV2>, AwsError> {
    if let Some(value) = req.header("authorization") {
        return match value.strip_prefix("AWS ") {
            Some(credentials) => parse_header_form(req, credentials).map(Some),
            None => Ok(None),
        };
    }
    let query = req.query();
    let has = |name: &str| query.iter().any(|(k, _)| k == name);
    if !(has("AWSAccessKeyId") || has("Signature")) {
        return Ok(None);
    }
    parse_query_form(req).map(Some)
}

fn parse_header_form(req: &RequestParts, credentials: &str) -> Result<SigV2, AwsError> {
    let (access_key, signature) = credentials
        .trim()
        .split_once(':')
        .filter(|(k, s)| !k.is_empty() && !s.is_empty())
        .ok_or_else(|| {
            AwsError::new(
                S3::InvalidArgument,
                "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
            )
        })?;
    let date = req
        .header("x-amz-date")
        .or_else(|| req.header("date"))
        .ok_or_else(missing_date)?;
    Ok(SigV2 {
        access_key: access_key.to_string(),
        signature: signature.to_string(),
        session_token: req.header("x-amz-security-token").map(str::to_string),
        form: Form::Header {
            date: date.trim().to_string(),
        },
    })
}

fn parse_query_form(req: &RequestParts) -> Result<SigV2, AwsError> {
    let missing = || {
        AwsError::access_denied(
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
        )
    };
    let access_key = req
        .query_value("AWSAccessKeyId")
        .filter(|v| !v.is_empty())
        .ok_or_else(missing)?;
    let signature = req
        .query_value("Signature")
        .filter(|v| !v.is_empty())
        .ok_or_else(missing)?;
    let expires_text = req.query_value("Expires").ok_or_else(missing)?;
    let expires = expires_text.parse::<i64>().map_err(|_| {
        AwsError::access_denied(format!(
            "Invalid date (should be seconds since epoch): {expires_text}"
        ))
    })?;
    Ok(SigV2 {
        access_key,
        signature,
        session_token: req
            .header("x-amz-security-token")
            .map(str::to_string)
            .or_else(|| req.query_value("x-amz-security-token")),
        form: Form::Query {
            expires_text,
            expires,
        },
    })
}

fn missing_date() -> AwsError {
    AwsError::access_denied("AWS authentication requires a valid Date or x-amz-date header")
}

impl SigV2 {
    /// Presigned: refused once `Expires` is past. Header form: the date
    /// must be valid and within 15 minutes of `now`.
    pub fn check_time(&self, clock: &crate::clock::Clock) -> Result<(), AwsError> {
        self.check_time_at(clock.wall(), clock.now())
    }

    /// [`SigV2::check_time`] at wall time `wall` and emulator time `now`. A
    /// query's `Expires` is an absolute time with no signing date beside
    /// it, so it is compared with the emulator's clock: an advance expires
    /// URLs made before it (and those made after an advance longer than
    /// their lifetime). A header's `Date` is the client's clock: skew is
    /// measured on the wall clock.
    pub fn check_time_at(&self, wall: OffsetDateTime, now: OffsetDateTime) -> Result<(), AwsError> {
        match &self.form {
            Form::Query { expires, .. } => {
                if *expires < now.unix_timestamp() {
                    Err(AwsError::access_denied("Request has expired"))
                } else {
                    Ok(())
                }
            }
            Form::Header { date } => {
                let signed_at = parse_date(date).ok_or_else(missing_date)?;
                if (signed_at - wall).abs() > MAX_SKEW {
                    return Err(AwsError::new(
                        Common::RequestTimeTooSkewed,
                        "The difference between the request time and the current time is too large.",
                    ));
                }
                Ok(())
            }
        }
    }
}

/// An HTTP date (`Tue, 27 Mar 2007 19:36:42 +0000` or `… GMT`) or an ISO 8601 basic one.
pub fn parse_date(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let rfc = match text.strip_suffix(" GMT").or_else(|| text.strip_suffix(" UTC")) {
        Some(head) => format!("{head} +0000"),
        None => text.to_string(),
    };
    if let Ok(date) = OffsetDateTime::parse(&rfc, &time::format_description::well_known::Rfc2822) {
        return Some(date);
    }
    let basic = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(text, &basic)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// The StringToSign of a request under `sig`; `bucket_in_host` is the
/// bucket of a virtual-hosted-style request (it leads the resource).
pub fn string_to_sign(req: &RequestParts, sig: &SigV2, bucket_in_host: Option<&str>) -> String {
    let presigned = matches!(sig.form, Form::Query { .. });
    let standard = |name: &str| {
        req.header(name)
            .map(|v| v.trim().to_string())
            .or_else(|| presigned.then(|| req.query_value(name)).flatten())
            .unwrap_or_default()
    };
    let date = match &sig.form {
        Form::Query { expires_text, .. } => expires_text.clone(),
        // With x-amz-date present, the Date line is empty (x-amz-date is an amz header).
        Form::Header { .. } if req.header("x-amz-date").is_some() => String::new(),
        Form::Header { date } => date.clone(),
    };
    format!(
        "{}\n{}\n{}\n{date}\n{}{}",
        req.method.to_ascii_uppercase(),
        standard("content-md5"),
        standard("content-type"),
        amz_headers(req, presigned),
        resource(req, bucket_in_host)
    )
}

/// `x-amz-*` headers (and, presigned, `x-amz-*` query parameters): lower-case
/// names sorted, values trimmed and joined by `,`, each `name:value\n`.
fn amz_headers(req: &RequestParts, presigned: bool) -> String {
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |name: &str, value: &str| {
        let name = name.to_ascii_lowercase();
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        match found.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => found.push((name, vec![value])),
        }
    };
    for (name, value) in req.headers {
        if name.to_ascii_lowercase().starts_with("x-amz-") {
            add(name, value);
        }
    }
    if presigned {
        let from_headers: Vec<String> = req.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        for (name, value) in req.query() {
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("x-amz-") && !from_headers.contains(&lower) {
                add(&name, &value.unwrap_or_default());
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (name, values) in &found {
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// `/bucket` (virtual-hosted) + the path as sent + the sorted sub-resources.
fn resource(req: &RequestParts, bucket_in_host: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(bucket) = bucket_in_host {
        out.push('/');
        out.push_str(bucket);
    }
    out.push_str(if req.raw_path.is_empty() {
        "/"
    } else {
        req.raw_path
    });
    let mut subs: Vec<(String, Option<String>)> = req
        .query()
        .into_iter()
        .filter(|(k, _)| SUB_RESOURCES.contains(&k.as_str()))
        .collect();
    if subs.is_empty() {
        return out;
    }
    subs.sort_by(|a, b| a.0.cmp(&b.0));
    let joined: Vec<String> = subs
        .into_iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k,
        })
        .collect();
    out.push('?');
    out.push_str(&joined.join("&"));
    out
}

/// base64(HMAC-SHA1(secret, string_to_sign)).
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    let mut mac = HmacSha1::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// Checks `sig` over the request's parts with `secret` (constant-time compare).
pub fn verify_parts(
    secret: &str,
    req: &RequestParts,
    sig: &SigV2,
    bucket_in_host: Option<&str>,
) -> Result<(), AwsError> {
    let claimed = BASE64
        .decode(sig.signature.trim())
        .map_err(|_| signature_mismatch())?;
    let mut mac = HmacSha1::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign(req, sig, bucket_in_host).as_bytes());
    mac.verify_slice(&claimed).map_err(|_| signature_mismatch())
}

/// Checks the request's SigV2 signature with `secret` (the secret of the
/// access key [`parse`] found). A request without one is `AccessDenied`.
pub fn verify(secret: &str, req: &HttpRequest, bucket_in_host: Option<&str>) -> Result<(), AwsError> {
    let parts = RequestParts::from(req);
    let sig = parse_parts(&parts)?.ok_or_else(|| AwsError::access_denied("Access Denied"))?;
    verify_parts(secret, &parts, &sig, bucket_in_host)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect()
    }

    fn parts<'a>(method: &'a str, url: &'a str, headers: &'a [(String, String)]) -> RequestParts<'a> {
        let (raw_path, raw_query) = match url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (url, None),
        };
        RequestParts {
            method,
            raw_path,
            raw_query,
            headers,
        }
    }

    fn check(
        method: &str,
        url: &str,
        headers: &[(String, String)],
        bucket: Option<&str>,
        secret: &str,
    ) -> Result<SigV2, AwsError> {
        let req = parts(method, url, headers);
        let sig = parse_parts(&req)?.expect("a SigV2 signature");
        verify_parts(secret, &req, &sig, bucket)?;
        Ok(sig)
    }

    // The RESTAuthentication examples of the S3 docs (bucket johnsmith,
    // virtual-hosted): query "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"
    // and header "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg".
    #[test]
    fn aws_documentation_examples() {
        let url = "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620";
        let sig = check("GET", url, &[], Some("johnsmith"), SECRET).unwrap();
        assert_eq!(sig.access_key, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(
            sig.form,
            Form::Query {
                expires_text: "1175139620".into(),
                expires: 1_175_139_620
            }
        );
        let h = headers(&[
            ("Host", "johnsmith.s3.amazonaws.com"),
            ("Date", "Tue, 27 Mar 2007 19:36:42 +0000"),
            (
                "Authorization",
                "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
            ),
        ]);
        check("GET", "/photos/puppy.jpg", &h, Some("johnsmith"), SECRET).unwrap();
        // Path style addresses the same resource.
        check("GET", "/johnsmith/photos/puppy.jpg", &h, None, SECRET).unwrap();
        assert_eq!(
            check("GET", "/photos/puppy.jpg", &h, Some("other"), SECRET),
            Err(signature_mismatch())
        );
        assert_eq!(
            check("GET", "/photos/puppy.jpg", &h, Some("johnsmith"), "wrong"),
            Err(signature_mismatch())
        );
    }

    // Presigned URLs made by botocore 1.43 HmacV1QueryAuth (a subclass whose
    // _get_date returns "1700000000"), used as fixed vectors.
    #[test]
    fn botocore_presigned_urls() {
        // Virtual-hosted: auth_path /examplebucket/photos/puppy.jpg.
        check(
            "GET",
            "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=ujBZcPWiOQYLciuK0LyXQUB7uZc%3D&Expires=1700000000",
            &[],
            Some("examplebucket"),
            SECRET,
        )
        .unwrap();
        // Response overrides and versionId are signed, foo is not.
        check(
            "GET",
            "/bucket/a%20key/x.txt?response-content-type=text%2Fplain&versionId=v1&foo=bar&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=qaJXJgpZ36sC65Fyw1LA3uL19ls%3D&Expires=1700000000",
            &[],
            None,
            SECRET,
        )
        .unwrap();
        // uploadId + partNumber, Content-Type carried in the query.
        let url = "/bucket/k?uploadId=abc&partNumber=2&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=wEi3VeXRx0wvAxBwPJQzdnV7isg%3D&content-type=application%2Foctet-stream&Expires=1700000000";
        check("PUT", url, &[], None, SECRET).unwrap();
        check(
            "PUT",
            url,
            &headers(&[("Content-Type", "application/octet-stream")]),
            None,
            SECRET,
        )
        .unwrap();
        assert_eq!(
            check(
                "PUT",
                url,
                &headers(&[("Content-Type", "text/plain")]),
                None,
                SECRET
            ),
            Err(signature_mismatch())
        );
        assert_eq!(check("GET", url, &[], None, SECRET), Err(signature_mismatch()));
        // ?acl with temporary credentials: x-amz-security-token is signed from the query.
        let sig = check(
            "GET",
            "/bucket?acl&AWSAccessKeyId=ASIAEXAMPLETEMP&Signature=Euw3hCwqxc5w%2FNWJbTIettF6nbg%3D&x-amz-security-token=session%2Ftoken%2B1%3D&Expires=1700000000",
            &[],
            None,
            "secretTEMP/+key",
        )
        .unwrap();
        assert_eq!(sig.session_token.as_deref(), Some("session/token+1="));
        // x-amz-* headers moved to the query (value " bar " signed trimmed).
        check(
            "PUT",
            "/bucket/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=XvF51NwUc3vSahDtokXwo%2B4chCs%3D&x-amz-acl=public-read&x-amz-meta-foo=%20bar%20&Expires=1700000000",
            &[],
            None,
            SECRET,
        )
        .unwrap();
    }

    // botocore 1.43 HmacV1Auth with Date fixed at "Tue, 14 Nov 2023 22:13:20 GMT".
    #[test]
    fn botocore_authorization_header() {
        let h = headers(&[
            ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
            ("Content-Type", "text/xml"),
            ("x-amz-meta-a", "1"),
            ("Date", "Tue, 14 Nov 2023 22:13:20 GMT"),
            (
                "Authorization",
                "AWS AKIAIOSFODNN7EXAMPLE:mX9f3BjXqWT64SE2Y0bxsJYDQPA=",
            ),
        ]);
        let sig = check("PUT", "/bucket/k?tagging", &h, None, SECRET).unwrap();
        let signed_at = parse_date("Tue, 14 Nov 2023 22:13:20 GMT").unwrap();
        assert_eq!(signed_at.unix_timestamp(), 1_700_000_000);
        assert_eq!(
            sig.check_time_at(
                signed_at + Duration::minutes(10),
                signed_at + Duration::minutes(10)
            ),
            Ok(())
        );
        assert_eq!(
            sig.check_time_at(
                signed_at - Duration::minutes(16),
                signed_at - Duration::minutes(16)
            )
            .unwrap_err()
            .code,
            "RequestTimeTooSkewed"
        );
        // Content-MD5 is signed.
        let mut other = h.clone();
        other[0].1 = "XrY7u+Ae7tCTyyK7j1rNww==".into();
        assert_eq!(
            check("PUT", "/bucket/k?tagging", &other, None, SECRET),
            Err(signature_mismatch())
        );
    }

    #[test]
    fn x_amz_date_empties_the_date_line() {
        let h = headers(&[
            ("x-amz-date", "Tue, 14 Nov 2023 22:13:20 GMT"),
            ("Date", "ignored"),
        ]);
        let req = parts("GET", "/b/k", &h);
        let sig = SigV2 {
            access_key: "A".into(),
            signature: String::new(),
            session_token: None,
            form: Form::Header {
                date: "Tue, 14 Nov 2023 22:13:20 GMT".into(),
            },
        };
        assert_eq!(
            string_to_sign(&req, &sig, None),
            "GET\n\n\n\nx-amz-date:Tue, 14 Nov 2023 22:13:20 GMT\n/b/k"
        );
    }

    #[test]
    fn sub_resources_sorted_with_values_decoded() {
        let req = parts("GET", "/b/k?versionId=v%201&uploads&acl=&x=1&partNumber=3", &[]);
        assert_eq!(
            resource(&req, None),
            "/b/k?acl=&partNumber=3&uploads&versionId=v 1"
        );
        assert_eq!(resource(&parts("GET", "/", &[]), Some("b")), "/b/");
    }

    #[test]
    fn expiry_and_parse_errors() {
        let req = parts("GET", "/b/k?AWSAccessKeyId=A&Signature=S&Expires=1700000000", &[]);
        let sig = parse_parts(&req).unwrap().unwrap();
        let at = |t: i64| OffsetDateTime::from_unix_timestamp(t).unwrap();
        assert_eq!(sig.check_time_at(at(1_700_000_000), at(1_700_000_000)), Ok(()));
        let err = sig
            .check_time_at(at(1_700_000_001), at(1_700_000_001))
            .unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str(), err.message.as_str()),
            (403, "AccessDenied", "Request has expired")
        );

        let err = parse_parts(&parts("GET", "/b/k?AWSAccessKeyId=A&Signature=S", &[])).unwrap_err();
        assert_eq!(err.code, "AccessDenied");
        let err = parse_parts(&parts(
            "GET",
            "/b/k?AWSAccessKeyId=A&Signature=S&Expires=soon",
            &[],
        ))
        .unwrap_err();
        assert_eq!(err.message, "Invalid date (should be seconds since epoch): soon");
        let h = headers(&[("Authorization", "AWS nocolon")]);
        assert_eq!(
            parse_parts(&parts("GET", "/", &h)).unwrap_err().code,
            "InvalidArgument"
        );
        let h = headers(&[("Authorization", "AWS A:S")]);
        assert_eq!(
            parse_parts(&parts("GET", "/", &h)).unwrap_err().code,
            "AccessDenied"
        );
        // SigV4 and unsigned requests are not SigV2.
        let h = headers(&[("Authorization", "AWS4-HMAC-SHA256 Credential=x")]);
        assert_eq!(parse_parts(&parts("GET", "/", &h)), Ok(None));
        assert_eq!(parse_parts(&parts("GET", "/b?X-Amz-Signature=x", &[])), Ok(None));
        // A date that does not parse fails the time check.
        let h = headers(&[("Authorization", "AWS A:S"), ("Date", "yesterday")]);
        let sig = parse_parts(&parts("GET", "/", &h)).unwrap().unwrap();
        assert_eq!(sig.check_time_at(at(0), at(0)).unwrap_err().code, "AccessDenied");
    }

    #[test]
    fn verify_reads_an_http_request() {
        let req = HttpRequest {
            method: "GET".into(),
            raw_path: "/photos/puppy.jpg".into(),
            raw_query: Some("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620".into()),
            headers: Vec::new(),
            body: bytes::Bytes::new(),
            spooled: None,
            peer: None,
        };
        assert!(is_sigv2(&req));
        assert_eq!(verify(SECRET, &req, Some("johnsmith")), Ok(()));
        assert_eq!(
            verify("other", &req, Some("johnsmith")),
            Err(signature_mismatch())
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_requests_never_panic(path in ".*", query in ".*", auth in ".*", date in ".*") {
            let h = headers(&[("Authorization", auth.as_str()), ("Date", date.as_str()), ("x-amz-meta-x", date.as_str())]);
            for hs in [&h[..], &h[1..]] {
                let req = parts("GET", &path, hs);
                let req = RequestParts { raw_query: Some(&query), ..req };
                if let Ok(Some(sig)) = parse_parts(&req) {
                    let _ = sig.check_time_at(OffsetDateTime::UNIX_EPOCH, OffsetDateTime::UNIX_EPOCH);
                    let _ = verify_parts("k", &req, &sig, Some("b"));
                }
            }
        }
    }
}
