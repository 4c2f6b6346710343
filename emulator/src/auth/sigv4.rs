//! AWS Signature Version 4, verified exactly as AWS defines it
//! ("Create a signed AWS API request", AWS General Reference): canonical
//! request → string to sign → HMAC-SHA256 with the derived signing key.
//! Both the `Authorization` header and presigned `X-Amz-*` query forms.

use crate::error::{AwsError, Common};
use crate::http::form_pairs;
use crate::protocol::percent::{uri_encode, UNRESERVED_AND_SLASH};
use hmac::{Hmac, Mac};
use percent_encoding::utf8_percent_encode;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

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
        CredentialRef::parse(text).map(CredentialRef::to_owned)
    }

    pub fn scope(&self) -> String {
        format!("{}/{}/{}/aws4_request", self.date, self.region, self.service)
    }
}

/// A credential scope borrowed from the request's text (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialRef<'a> {
    pub access_key: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

impl<'a> CredentialRef<'a> {
    /// As [`Credential::parse`], borrowing.
    pub fn parse(text: &'a str) -> Result<Self, AwsError> {
        // Parsed up to three times a request (routing, the size limits,
        // the signature check): the slashes are found in one pass over
        // the bytes rather than a search for each.
        let mut slashes = [0usize; 4];
        let mut count = 0;
        for (at, _) in text.bytes().enumerate().filter(|(_, b)| *b == b'/') {
            if let Some(slot) = slashes.get_mut(count) {
                *slot = at;
            }
            count += 1;
        }
        let part = |from: usize, to: usize| text.get(from..to);
        let [a, b, c, d] = slashes;
        if let (4, Some(key), Some(date), Some(region), Some(service), Some("aws4_request")) = (
            count,
            part(0, a),
            part(a + 1, b),
            part(b + 1, c),
            part(c + 1, d),
            part(d + 1, text.len()),
        ) {
            if !key.is_empty() && date.len() == 8 {
                return Ok(CredentialRef {
                    access_key: key,
                    date,
                    region,
                    service,
                });
            }
        }
        Err(incomplete(&format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            text.split('/').nth(2).unwrap_or("")
        )))
    }

    pub fn to_owned(self) -> Credential {
        Credential {
            access_key: self.access_key.to_string(),
            date: self.date.to_string(),
            region: self.region.to_string(),
            service: self.service.to_string(),
        }
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
    AwsError::new(Common::IncompleteSignature, message.trim())
}

/// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
pub fn parse_authorization(value: &str) -> Result<(Credential, Vec<String>, String), AwsError> {
    let (credential, signed, signature) = parse_authorization_ref(value)?;
    Ok((
        credential.to_owned(),
        signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature.to_string(),
    ))
}

/// As [`parse_authorization`], borrowing: the credential, the
/// `SignedHeaders` value as sent (`;`-separated, any case), the signature.
pub fn parse_authorization_ref(value: &str) -> Result<(CredentialRef<'_>, &str, &str), AwsError> {
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
            credential = Some(CredentialRef::parse(v)?);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
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
    let mut out = String::with_capacity(512);
    out.push_str(input.method);
    out.push('\n');
    if input.double_encode_path {
        out.extend(utf8_percent_encode(path, UNRESERVED_AND_SLASH));
    } else {
        out.push_str(path);
    }
    out.push('\n');
    push_canonical_query(&mut out, input.raw_query.unwrap_or_default(), input.presigned);
    out.push('\n');
    for name in input.signed_headers {
        out.push_str(name);
        out.push(':');
        let values = input.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
        for (i, (_, value)) in values.enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_trimmed_header_value(&mut out, value);
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, name) in input.signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    out.push('\n');
    out.push_str(input.payload_hash);
    out
}

/// A header value: trimmed, with runs of spaces folded to one.
fn push_trimmed_header_value(out: &mut String, value: &str) {
    for (i, word) in value.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Query parameters decoded, re-encoded the AWS way, sorted by name then value.
#[cfg(test)]
fn canonical_query(raw: &str, presigned: bool) -> String {
    let mut out = String::new();
    push_canonical_query(&mut out, raw, presigned);
    out
}

/// Appends the canonical query: parameters decoded, re-encoded the AWS
/// way, sorted by name then value.
fn push_canonical_query(out: &mut String, raw: &str, presigned: bool) {
    if raw.is_empty() {
        return;
    }
    let mut pairs: Vec<(String, String)> = form_pairs(raw)
        .filter(|(k, _)| !(presigned && k == "X-Amz-Signature"))
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    pairs.sort();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The string to sign for a canonical request.
pub fn string_to_sign(amz_date: &str, credential: &Credential, canonical: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + amz_date.len() + 128);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    for part in [
        credential.date.as_str(),
        "/",
        &credential.region,
        "/",
        &credential.service,
        "/aws4_request\n",
    ] {
        out.push_str(part);
    }
    let digest: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
    let mut hex_digest = [0u8; 64];
    // A 64-byte buffer always holds the hex of 32 bytes.
    if hex::encode_to_slice(digest, &mut hex_digest).is_ok() {
        out.push_str(std::str::from_utf8(&hex_digest).unwrap_or_default());
    }
    out
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

/// A derived signing key, with the HMAC already keyed by it.
#[derive(Clone)]
pub struct DerivedKey {
    pub key: Vec<u8>,
    mac: HmacSha256,
}

impl DerivedKey {
    /// Compares the client's hex signature of `string_to_sign` with ours,
    /// in constant time (as [`signature_matches`]).
    pub fn matches(&self, string_to_sign: &str, claimed_hex: &str) -> bool {
        let mut claimed = [0u8; 32];
        if hex::decode_to_slice(claimed_hex, &mut claimed).is_err() {
            return false;
        }
        let mut mac = self.mac.clone();
        mac.update(string_to_sign.as_bytes());
        mac.verify_slice(&claimed).is_ok()
    }
}

/// One remembered derivation: its inputs and the key.
struct CachedKey {
    secret: String,
    date: String,
    region: String,
    service: String,
    derived: DerivedKey,
}

/// Derivations remembered per thread (the key changes only with the
/// secret, the day, the region and the service, so a few cover a run).
const KEY_CACHE_SIZE: usize = 8;

thread_local! {
    static KEY_CACHE: std::cell::RefCell<Vec<CachedKey>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`signing_key`], remembered per thread for the same secret and scope,
/// as AWS's SDKs cache it: four HMACs saved on every request.
pub fn derived_key(secret: &str, credential: &Credential) -> DerivedKey {
    KEY_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let found = cache.iter().position(|c| {
            c.secret == secret
                && c.date == credential.date
                && c.region == credential.region
                && c.service == credential.service
        });
        if let Some(i) = found {
            // Most recently used first.
            cache[..=i].rotate_right(1);
            return cache[0].derived.clone();
        }
        let key = signing_key(secret, credential);
        let mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        let derived = DerivedKey { key, mac };
        if cache.len() == KEY_CACHE_SIZE {
            cache.pop();
        }
        cache.insert(
            0,
            CachedKey {
                secret: secret.to_string(),
                date: credential.date.clone(),
                region: credential.region.clone(),
                service: credential.service.clone(),
                derived: derived.clone(),
            },
        );
        derived
    })
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
    fn derived_keys_are_the_derivation_remembered() {
        let credential = Credential::parse("AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request").unwrap();
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let sts = "AWS4-HMAC-SHA256\n20150830T123600Z\nscope\nhash";
        let good = sign(&signing_key(secret, &credential), sts);
        for _ in 0..2 {
            let derived = derived_key(secret, &credential);
            assert_eq!(derived.key, signing_key(secret, &credential));
            assert!(derived.matches(sts, &good));
            assert!(derived.matches(sts, &good.to_ascii_uppercase()));
            assert!(!derived.matches(sts, &good[..62]));
            assert!(!derived.matches(sts, "zz"));
            assert!(!derived.matches("other", &good));
        }
        // Another secret, region or day is another key.
        for (other_secret, other) in [
            ("x", credential.clone()),
            (
                secret,
                Credential {
                    region: "eu-west-1".into(),
                    ..credential.clone()
                },
            ),
            (
                secret,
                Credential {
                    date: "20150831".into(),
                    ..credential.clone()
                },
            ),
        ] {
            let derived = derived_key(other_secret, &other);
            assert_eq!(derived.key, signing_key(other_secret, &other));
            assert!(!derived.matches(sts, &good));
        }
    }

    #[test]
    fn borrowed_parsing_agrees_with_owned() {
        for text in [
            "AKID/20240101/us-east-1/s3/aws4_request",
            "AKID/20240101//sts/aws4_request",
            "AKID/2024010/us-east-1/s3/aws4_request",
            "/20240101/us-east-1/s3/aws4_request",
            "AKID/20240101/us-east-1/s3/aws4_request/extra",
            "AKID/20240101/us-east-1/s3",
            "",
        ] {
            let owned = Credential::parse(text);
            let borrowed = CredentialRef::parse(text);
            match (owned, borrowed) {
                (Ok(o), Ok(b)) => assert_eq!(o, b.to_owned()),
                (Err(o), Err(b)) => assert_eq!((o.code, o.message), (b.code, b.message)),
                (o, b) => panic!("{text:?}: {o:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn credentials_are_the_five_slash_separated_parts() {
        let by_split = |text: &str| {
            let parts: Vec<&str> = text.split('/').collect();
            match parts[..] {
                [key, date, region, service, "aws4_request"] if !key.is_empty() && date.len() == 8 => Some((
                    key.to_string(),
                    date.to_string(),
                    region.to_string(),
                    service.to_string(),
                )),
                _ => None,
            }
        };
        for text in [
            "AKID/20240101/us-east-1/s3/aws4_request",
            "AKID/20240101//sts/aws4_request",
            "AKID/20240101/us-east-1//aws4_request",
            "AKID/20240101/us-east-1/s3/aws4_request/",
            "AKID/20240101/us-east-1/s3/aws4_requesT",
            "/20240101/us-east-1/s3/aws4_request",
            "AKID/2024010é/us-east-1/s3/aws4_request",
            "AKID/20240101/ü/s3/aws4_request",
            "////",
            "/////",
            "AKID/20240101/us-east-1/s3",
            "",
        ] {
            let parsed = CredentialRef::parse(text)
                .ok()
                .map(CredentialRef::to_owned)
                .map(|c| (c.access_key, c.date, c.region, c.service));
            assert_eq!(parsed, by_split(text), "{text:?}");
        }
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
