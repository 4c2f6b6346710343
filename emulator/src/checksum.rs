//! S3 checksums and digests: the `x-amz-checksum-*` algorithms (CRC32,
//! CRC32C, CRC64NVME, SHA-1, SHA-256) computed incrementally and rendered in
//! base64 as S3 sends them, the MD5 of `Content-MD5` and ETags, and the
//! checks S3 makes of what a client declared against what arrived, each
//! failure an [`AwsError`] worded as S3 words it.
//!
//! Pure and synchronous: the S3 handlers feed bytes in (one pass over the
//! body through a [`MultiHasher`]) and compare afterwards.

use crate::error::{AwsError, S3};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// A checksum algorithm S3 accepts (`x-amz-sdk-checksum-algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

impl ChecksumAlgorithm {
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The name S3 uses (`CRC32`, `CRC64NVME`, `SHA256` …): the
    /// `x-amz-sdk-checksum-algorithm` value and the `ChecksumAlgorithm` element.
    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The header (and trailer) that carries this checksum, lower case.
    pub fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// Length of the raw (not base64) checksum in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// From an `x-amz-sdk-checksum-algorithm` value (any case).
    pub fn from_name(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(value.trim()))
    }

    /// From a header or trailer name such as `x-amz-checksum-crc32` (any case).
    pub fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.header_name().eq_ignore_ascii_case(name.trim()))
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Hasher {
        Hasher::new(self)
    }

    /// The base64 checksum of `data` in one call.
    pub fn checksum(self, data: &[u8]) -> String {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finish()
    }

    /// Decodes a base64 checksum value, checking its length; `None` when invalid.
    pub fn decode(self, value: &str) -> Option<Vec<u8>> {
        BASE64
            .decode(value.trim())
            .ok()
            .filter(|raw| raw.len() == self.digest_len())
    }
}

impl std::fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// State of one checksum being computed.
#[derive(Clone)]
enum State {
    /// CRC32 and CRC32C (32-bit) or CRC64NVME: crc-fast's digest.
    Crc(crc_fast::Digest),
    Sha1(Sha1),
    Sha256(Sha256),
}

/// An incremental checksum of one [`ChecksumAlgorithm`].
#[derive(Clone)]
pub struct Hasher {
    algorithm: ChecksumAlgorithm,
    state: State,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Hasher {
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        use crc_fast::CrcAlgorithm;
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => State::Crc(crc_fast::Digest::new(CrcAlgorithm::Crc32IsoHdlc)),
            ChecksumAlgorithm::Crc32c => State::Crc(crc_fast::Digest::new(CrcAlgorithm::Crc32Iscsi)),
            ChecksumAlgorithm::Crc64Nvme => State::Crc(crc_fast::Digest::new(CrcAlgorithm::Crc64Nvme)),
            ChecksumAlgorithm::Sha1 => State::Sha1(Sha1::new()),
            ChecksumAlgorithm::Sha256 => State::Sha256(Sha256::new()),
        };
        Hasher { algorithm, state }
    }

    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Crc(digest) => digest.update(data),
            State::Sha1(h) => h.update(data),
            State::Sha256(h) => h.update(data),
        }
    }

    /// The raw checksum: big-endian for the CRCs, as S3 encodes them.
    pub fn finish_bytes(self) -> Vec<u8> {
        match self.state {
            State::Crc(digest) => {
                let value = digest.finalize();
                let bytes = value.to_be_bytes();
                // CRC32 values sit in the low 4 bytes of crc-fast's u64.
                bytes[8 - self.algorithm.digest_len()..].to_vec()
            }
            State::Sha1(h) => h.finalize().to_vec(),
            State::Sha256(h) => h.finalize().to_vec(),
        }
    }

    /// The checksum in base64, as S3 transmits it.
    pub fn finish(self) -> String {
        BASE64.encode(self.finish_bytes())
    }
}

/// Everything computed over a body in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub md5: [u8; 16],
    pub sha256: [u8; 32],
    /// The requested checksum, base64.
    pub checksum: Option<(ChecksumAlgorithm, String)>,
    /// Bytes seen.
    pub len: u64,
}

impl Digests {
    /// The S3 ETag of a single-part object: the quoted hex MD5.
    pub fn etag(&self) -> String {
        format!("\"{}\"", hex::encode(self.md5))
    }

    pub fn md5_base64(&self) -> String {
        BASE64.encode(self.md5)
    }

    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// MD5 (ETag), SHA-256 (`x-amz-content-sha256`) and an optional requested
/// checksum over the same bytes; also an [`std::io::Write`] sink for `io::copy`.
#[derive(Clone)]
pub struct MultiHasher {
    md5: Md5,
    sha256: Sha256,
    extra: Option<Hasher>,
    len: u64,
}

impl std::fmt::Debug for MultiHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiHasher")
            .field("extra", &self.extra)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl MultiHasher {
    pub fn new(extra: Option<ChecksumAlgorithm>) -> Self {
        MultiHasher {
            md5: Md5::new(),
            sha256: Sha256::new(),
            extra: extra.map(Hasher::new),
            len: 0,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        self.sha256.update(data);
        if let Some(extra) = &mut self.extra {
            extra.update(data);
        }
        self.len += data.len() as u64;
    }

    pub fn finish(self) -> Digests {
        Digests {
            md5: self.md5.finalize().into(),
            sha256: self.sha256.finalize().into(),
            checksum: self.extra.map(|h| (h.algorithm(), h.finish())),
            len: self.len,
        }
    }
}

impl std::io::Write for MultiHasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `BadDigest` for a Content-MD5 that does not match the body.
pub fn bad_md5() -> AwsError {
    AwsError::new(
        S3::BadDigest,
        "The Content-MD5 you specified did not match what we received.",
    )
}

/// `InvalidDigest` for a Content-MD5 that is not base64 of 16 bytes.
pub fn invalid_md5() -> AwsError {
    AwsError::new(S3::InvalidDigest, "The Content-MD5 you specified was invalid.")
}

/// `BadDigest` for an `x-amz-checksum-*` value that does not match the body.
pub fn bad_checksum(algorithm: ChecksumAlgorithm) -> AwsError {
    AwsError::new(
        S3::BadDigest,
        format!("The {algorithm} you specified did not match the calculated checksum."),
    )
}

/// `InvalidRequest` for an `x-amz-checksum-*` value that is not valid base64
/// of the algorithm's length (`trailing`: it came as a trailer).
pub fn invalid_checksum(algorithm: ChecksumAlgorithm, trailing: bool) -> AwsError {
    let place = if trailing { "trailing header" } else { "header" };
    AwsError::new(
        S3::InvalidRequest,
        format!("Value for {} {place} is invalid.", algorithm.header_name()),
    )
}

/// `XAmzContentSHA256Mismatch` for a body whose SHA-256 differs from the header.
pub fn sha256_mismatch() -> AwsError {
    AwsError::new(
        S3::XAmzContentSHA256Mismatch,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    )
}

/// Checks a `Content-MD5` header's form before the body is read:
/// `InvalidDigest` unless it is base64 of 16 bytes.
pub fn parse_content_md5(header: &str) -> Result<[u8; 16], AwsError> {
    BASE64
        .decode(header.trim())
        .ok()
        .and_then(|raw| <[u8; 16]>::try_from(raw).ok())
        .ok_or_else(invalid_md5)
}

/// Checks a `Content-MD5` header against the body's MD5.
pub fn verify_content_md5(header: &str, md5: &[u8; 16]) -> Result<(), AwsError> {
    if &parse_content_md5(header)? == md5 {
        Ok(())
    } else {
        Err(bad_md5())
    }
}

/// What `x-amz-content-sha256` declares about the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentSha256 {
    /// A hex SHA-256 of the body, to be checked.
    Hash([u8; 32]),
    /// `UNSIGNED-PAYLOAD`: nothing to check.
    Unsigned,
    /// One of the `STREAMING-*` values: an aws-chunked body.
    Streaming,
}

/// The values `x-amz-content-sha256` may take other than a hex SHA-256.
pub const CONTENT_SHA256_MARKERS: [&str; 7] = [
    "UNSIGNED-PAYLOAD",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
    "STREAMING-UNSIGNED-PAYLOAD",
];

/// Reads an `x-amz-content-sha256` header; anything else than a hex SHA-256
/// or a known marker is S3's `InvalidArgument`.
pub fn parse_content_sha256(header: &str) -> Result<ContentSha256, AwsError> {
    if header == "UNSIGNED-PAYLOAD" {
        return Ok(ContentSha256::Unsigned);
    }
    if CONTENT_SHA256_MARKERS.contains(&header) {
        return Ok(ContentSha256::Streaming);
    }
    let mut raw = [0u8; 32];
    match hex::decode_to_slice(header, &mut raw) {
        Ok(()) => Ok(ContentSha256::Hash(raw)),
        Err(_) => Err(AwsError::new(
            S3::InvalidArgument,
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, \
             STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, \
             STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER \
             or a valid sha256 value.",
        )),
    }
}

/// Checks an `x-amz-content-sha256` header against the body's SHA-256
/// (markers such as `UNSIGNED-PAYLOAD` pass: there is nothing to compare).
pub fn verify_content_sha256(header: &str, sha256: &[u8; 32]) -> Result<(), AwsError> {
    match parse_content_sha256(header)? {
        ContentSha256::Hash(claimed) if &claimed != sha256 => Err(sha256_mismatch()
            .with_detail("ClientComputedContentSHA256", hex::encode(claimed))
            .with_detail("S3ComputedContentSHA256", hex::encode(sha256))),
        _ => Ok(()),
    }
}

/// Checks a declared `x-amz-checksum-*` value (header, or trailer when
/// `trailing`) against the computed base64 checksum.
pub fn verify_checksum(
    algorithm: ChecksumAlgorithm,
    claimed: &str,
    computed: &str,
    trailing: bool,
) -> Result<(), AwsError> {
    let claimed = algorithm
        .decode(claimed)
        .ok_or_else(|| invalid_checksum(algorithm, trailing))?;
    let computed = BASE64.decode(computed).unwrap_or_default();
    if claimed == computed {
        Ok(())
    } else {
        Err(bad_checksum(algorithm))
    }
}

/// The `x-amz-checksum-*` header of a request, if any; two different ones
/// are S3's `InvalidRequest`.
pub fn checksum_header(
    headers: &[(String, String)],
) -> Result<Option<(ChecksumAlgorithm, String)>, AwsError> {
    let mut found: Option<(ChecksumAlgorithm, String)> = None;
    for (name, value) in headers {
        let Some(algorithm) = ChecksumAlgorithm::from_header_name(name) else {
            continue;
        };
        if found.as_ref().is_some_and(|(a, _)| *a != algorithm) {
            return Err(AwsError::new(
                S3::InvalidRequest,
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
            ));
        }
        found = Some((algorithm, value.trim().to_string()));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_values_of_the_crc_catalogue() {
        // "123456789" check values (CRC RevEng catalogue): CRC-32/ISO-HDLC
        // cbf43926, CRC-32/ISCSI e3069283, CRC-64/NVME ae8b14860a799888.
        let check = b"123456789";
        let raw = |a: ChecksumAlgorithm| {
            let mut h = a.hasher();
            h.update(check);
            hex::encode(h.finish_bytes())
        };
        assert_eq!(raw(ChecksumAlgorithm::Crc32), "cbf43926");
        assert_eq!(raw(ChecksumAlgorithm::Crc32c), "e3069283");
        assert_eq!(raw(ChecksumAlgorithm::Crc64Nvme), "ae8b14860a799888");
    }

    #[test]
    fn base64_values_as_s3_sends_them() {
        // zlib.crc32(b"hello world") == 0x0d4a1185.
        assert_eq!(ChecksumAlgorithm::Crc32.checksum(b"hello world"), "DUoRhQ==");
        // sha1 / sha256 of "hello world" (well-known hex digests).
        assert_eq!(
            ChecksumAlgorithm::Sha1
                .decode(&ChecksumAlgorithm::Sha1.checksum(b"hello world"))
                .map(hex::encode),
            Some("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed".to_string())
        );
        assert_eq!(
            ChecksumAlgorithm::Sha256.checksum(b"hello world"),
            BASE64.encode(
                hex::decode("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9").unwrap()
            )
        );
        // The AWS "sigv4-streaming-trailers" example: 66560 bytes of 'a'
        // carry the trailer x-amz-checksum-crc32c:sOO8/Q==.
        assert_eq!(ChecksumAlgorithm::Crc32c.checksum(&vec![b'a'; 66560]), "sOO8/Q==");
    }

    #[test]
    fn incremental_equals_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for algorithm in ChecksumAlgorithm::ALL {
            let mut h = algorithm.hasher();
            for piece in data.chunks(333) {
                h.update(piece);
            }
            assert_eq!(h.finish(), algorithm.checksum(&data), "{algorithm}");
        }
    }

    #[test]
    fn names_parse_both_ways() {
        for algorithm in ChecksumAlgorithm::ALL {
            assert_eq!(ChecksumAlgorithm::from_name(algorithm.name()), Some(algorithm));
            assert_eq!(
                ChecksumAlgorithm::from_name(&algorithm.name().to_lowercase()),
                Some(algorithm)
            );
            assert_eq!(
                ChecksumAlgorithm::from_header_name(&algorithm.header_name().to_uppercase()),
                Some(algorithm)
            );
        }
        assert_eq!(ChecksumAlgorithm::from_name("MD5"), None);
        assert_eq!(ChecksumAlgorithm::from_header_name("x-amz-checksum-type"), None);
    }

    #[test]
    fn multi_hasher_computes_all_in_one_pass() {
        let mut m = MultiHasher::new(Some(ChecksumAlgorithm::Crc32));
        std::io::copy(&mut &b"hello world"[..], &mut m).unwrap();
        let d = m.finish();
        assert_eq!(d.etag(), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
        assert_eq!(d.md5_base64(), "XrY7u+Ae7tCTyyK7j1rNww==");
        assert_eq!(
            d.sha256_hex(),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            d.checksum,
            Some((ChecksumAlgorithm::Crc32, "DUoRhQ==".to_string()))
        );
        assert_eq!(d.len, 11);
        // The empty body's MD5 is the ETag S3 gives an empty object.
        assert_eq!(
            MultiHasher::new(None).finish().etag(),
            "\"d41d8cd98f00b204e9800998ecf8427e\""
        );
    }

    #[test]
    fn content_md5_checks() {
        let d = {
            let mut m = MultiHasher::new(None);
            m.update(b"hello world");
            m.finish()
        };
        assert_eq!(verify_content_md5("XrY7u+Ae7tCTyyK7j1rNww==", &d.md5), Ok(()));
        assert_eq!(
            verify_content_md5("1B2M2Y8AsgTpgAmY7PhCfg==", &d.md5),
            Err(bad_md5())
        );
        for bad in ["", "not base64!", "AAAA", "XrY7u+Ae7tCTyyK7j1rNww"] {
            let err = verify_content_md5(bad, &d.md5).unwrap_err();
            assert_eq!((err.status, err.code.as_str()), (400, "InvalidDigest"), "{bad}");
        }
    }

    #[test]
    fn content_sha256_checks() {
        let sha = Sha256::digest(b"abc").into();
        let good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(verify_content_sha256(good, &sha), Ok(()));
        assert_eq!(verify_content_sha256(&good.to_uppercase(), &sha), Ok(()));
        assert_eq!(verify_content_sha256("UNSIGNED-PAYLOAD", &sha), Ok(()));
        assert_eq!(
            verify_content_sha256(&sigv4_empty(), &sha).unwrap_err().code,
            "XAmzContentSHA256Mismatch"
        );
        assert_eq!(
            verify_content_sha256("abc", &sha).unwrap_err().code,
            "InvalidArgument"
        );
        assert_eq!(
            parse_content_sha256("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            Ok(ContentSha256::Streaming)
        );
    }

    fn sigv4_empty() -> String {
        crate::auth::sigv4::sha256_hex(b"")
    }

    #[test]
    fn checksum_checks_use_s3_wording() {
        let computed = ChecksumAlgorithm::Crc32.checksum(b"hello world");
        assert_eq!(
            verify_checksum(ChecksumAlgorithm::Crc32, "DUoRhQ==", &computed, false),
            Ok(())
        );
        let err = verify_checksum(ChecksumAlgorithm::Crc32, "AAAAAA==", &computed, false).unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str(), err.message.as_str()),
            (
                400,
                "BadDigest",
                "The CRC32 you specified did not match the calculated checksum."
            )
        );
        let err = verify_checksum(ChecksumAlgorithm::Crc32, "AAAAAAAA", &computed, false).unwrap_err();
        assert_eq!(err.message, "Value for x-amz-checksum-crc32 header is invalid.");
        let err = verify_checksum(ChecksumAlgorithm::Sha1, "DUoRhQ==", &computed, true).unwrap_err();
        assert_eq!(
            err.message,
            "Value for x-amz-checksum-sha1 trailing header is invalid."
        );
    }

    #[test]
    fn one_checksum_header_per_request() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
                .collect()
        };
        assert_eq!(checksum_header(&h(&[("Content-Type", "x")])), Ok(None));
        assert_eq!(
            checksum_header(&h(&[("X-Amz-Checksum-CRC32C", " sOO8/Q== ")])),
            Ok(Some((ChecksumAlgorithm::Crc32c, "sOO8/Q==".to_string())))
        );
        let err = checksum_header(&h(&[
            ("x-amz-checksum-crc32", "DUoRhQ=="),
            ("x-amz-checksum-sha1", "x"),
        ]))
        .unwrap_err();
        assert_eq!(err.code, "InvalidRequest");
    }

    proptest::proptest! {
        #[test]
        fn decoding_never_panics(text in ".*") {
            for algorithm in ChecksumAlgorithm::ALL {
                let _ = algorithm.decode(&text);
                let _ = verify_checksum(algorithm, &text, &text, false);
            }
            let _ = parse_content_md5(&text);
            let _ = parse_content_sha256(&text);
        }
    }
}
