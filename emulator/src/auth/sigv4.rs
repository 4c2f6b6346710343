//! AWS Signature Version 4, verified exactly as AWS defines it
//! ("Create a signed AWS API request", AWS General Reference): canonical
//! request → string to sign → HMAC-SHA256 with the derived signing key.
//! Both the `Authorization` header and presigned `X-Amz-*` query forms.

use crate::error::AwsError;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// RFC 3986 unreserved characters stay as they are; everything else is %XX.
const URI_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const URI_ENCODE_PATH: &AsciiSet = &URI_ENCODE.remove(b'/');

/// The credential scope: `AKID/DATE/REGION/SERVICE/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub access_key: String,
    pub date: String,
    pub region: String,
    pub service: String,
}

impl Credential {
    /// Parses `AKID/20240101/us-east-1/iam/aws4_request` (the region may be empty).
    pub fn parse(text: &str) -> Result<Credential, AwsError> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [key, date, region, service, "aws4_request"] if !key.is_empty() && date.len() == 8 => {
                Ok(Credential {
                    access_key: (*key).to_string(),
                    date: (*date).to_string(),
                    region: (*region).to_string(),
                    service: (*service).to_string(),
                })
            }
            _ => Err(incomplete(&format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                parts.get(2).unwrap_or(&"")
            ))),
        }
    }

    pub fn scope(&self) -> String {
        format!("{}/{}/{}/aws4_request", self.date, self.region, self.service)
    }
}

/// The signature parts of a request, from the header or the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub credential: Credential,
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// `X-Amz-Date` (header or query), `YYYYMMDDTHHMMSSZ`.
    pub amz_date: String,
    /// Presigned: seconds the URL is valid for.
    pub expires: Option<u64>,
    pub session_token: Option<String>,
    pub presigned: bool,
}

fn incomplete(message: &str) -> AwsError {
    AwsError::new(400, "IncompleteSignature", message.trim())
}

/// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
pub fn parse_authorization(value: &str) -> Result<(Credential, Vec<String>, String), AwsError> {
    let rest = value.strip_prefix(ALGORITHM).ok_or_else(|| {
        incomplete(&format!(
            "Unsupported AWS 'algorithm': '{}'",
            value.split(' ').next().unwrap_or("")
        ))
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(Credential::parse(v)?);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v.split(';').map(str::to_ascii_lowercase).collect::<Vec<_>>());
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v.to_string());
        }
    }
    let missing = |what: &str| {
        incomplete(&format!(
            "Authorization header requires '{what}' parameter. Authorization={value}"
        ))
    };
    Ok((
        credential.ok_or_else(|| missing("Credential"))?,
        signed.ok_or_else(|| missing("SignedHeaders"))?,
        signature.ok_or_else(|| missing("Signature"))?,
    ))
}

/// What the canonical request is built from.
pub struct CanonicalInput<'a> {
    pub method: &'a str,
    /// The path as it arrived (still percent-encoded).
    pub raw_path: &'a str,
    /// The query as it arrived, or `None`.
    pub raw_query: Option<&'a str>,
    /// Header name (any case) and value, in arrival order.
    pub headers: &'a [(String, String)],
    pub signed_headers: &'a [String],
    /// Hex SHA-256 of the payload, or `UNSIGNED-PAYLOAD` / a streaming marker.
    pub payload_hash: &'a str,
    /// S3 does not encode the path a second time; every other service does.
    pub double_encode_path: bool,
    /// Presigned requests leave `X-Amz-Signature` out of the canonical query.
    pub presigned: bool,
}

/// The canonical request, exactly as AWS hashes it.
pub fn canonical_request(input: &CanonicalInput) -> String {
    let path = if input.raw_path.is_empty() {
        "/"
    } else {
        input.raw_path
    };
    let path = if input.double_encode_path {
        utf8_percent_encode(path, URI_ENCODE_PATH).to_string()
    } else {
        path.to_string()
    };
    let mut out = String::with_capacity(256);
    out.push_str(input.method);
    out.push('\n');
    out.push_str(&path);
    out.push('\n');
    out.push_str(&canonical_query(
        input.raw_query.unwrap_or_default(),
        input.presigned,
    ));
    out.push('\n');
    for name in input.signed_headers {
        out.push_str(name);
        out.push(':');
        let values: Vec<String> = input
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| trim_header_value(v))
            .collect();
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&input.signed_headers.join(";"));
    out.push('\n');
    out.push_str(input.payload_hash);
    out
}

/// Header values: trimmed, with runs of spaces folded to one.
fn trim_header_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Query parameters decoded, re-encoded the AWS way, sorted by name then value.
fn canonical_query(raw: &str, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = form_pairs(raw)
        .filter(|(k, _)| !(presigned && k == "X-Amz-Signature"))
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Query pairs decoded with `%XX` (a `+` stays a `+`, as SigV4 clients send `%20`).
pub fn form_pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    raw.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

pub fn uri_encode(text: &str) -> String {
    utf8_percent_encode(text, URI_ENCODE).to_string()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The string to sign for a canonical request.
pub fn string_to_sign(amz_date: &str, credential: &Credential, canonical: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{}\n{}",
        credential.scope(),
        sha256_hex(canonical.as_bytes())
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The derived signing key: HMAC chain over date, region, service.
pub fn signing_key(secret: &str, credential: &Credential) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), credential.date.as_bytes());
    let k_region = hmac(&k_date, credential.region.as_bytes());
    let k_service = hmac(&k_region, credential.service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// Hex signature of `string_to_sign` with `key`.
pub fn sign(key: &[u8], string_to_sign: &str) -> String {
    hex::encode(hmac(key, string_to_sign.as_bytes()))
}

/// Compares the client's hex signature with ours in constant time.
pub fn signature_matches(key: &[u8], string_to_sign: &str, claimed_hex: &str) -> bool {
    let Ok(claimed) = hex::decode(claimed_hex) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(&claimed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example of the AWS General Reference ("Signature Version 4
    // test suite", get-vanilla-query-order-key-case, IAM ListUsers example).
    #[test]
    fn iam_list_users_example_from_aws_docs() {
        let headers = vec![
            ("Host".to_string(), "iam.amazonaws.com".to_string()),
            (
                "Content-Type".to_string(),
                "application/x-www-form-urlencoded; charset=utf-8".to_string(),
            ),
            ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
        ];
        let signed: Vec<String> = ["content-type", "host", "x-amz-date"].map(String::from).to_vec();
        let canonical = canonical_request(&CanonicalInput {
            method: "GET",
            raw_path: "/",
            raw_query: Some("Action=ListUsers&Version=2010-05-08"),
            headers: &headers,
            signed_headers: &signed,
            payload_hash: &sha256_hex(b""),
            double_encode_path: true,
            presigned: false,
        });
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
        let credential = Credential {
            access_key: "AKIDEXAMPLE".into(),
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "iam".into(),
        };
        let sts = string_to_sign("20150830T123600Z", &credential, &canonical);
        let key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &credential);
        assert_eq!(
            sign(&key, &sts),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
        assert!(signature_matches(
            &key,
            &sts,
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        ));
        assert!(!signature_matches(&key, &sts, "00"));
    }

    #[test]
    fn authorization_header_parses_and_rejects_missing_parts() {
        let (c, h, s) = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20240101//sts/aws4_request, SignedHeaders=Host;x-amz-date, Signature=ab",
        )
        .unwrap();
        assert_eq!(c.region, "");
        assert_eq!(h, ["host", "x-amz-date"]);
        assert_eq!(s, "ab");
        let err = parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request")
            .unwrap_err();
        assert_eq!(err.code, "IncompleteSignature");
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(
            canonical_query("b=2&a=x%20y&a=1&X-Amz-Signature=s", true),
            "a=1&a=x%20y&b=2"
        );
        assert_eq!(canonical_query("k=a+b", false), "k=a%2Bb");
    }
}
