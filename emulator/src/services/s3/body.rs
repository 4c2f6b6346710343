//! Receiving object bodies: the request body (in memory or spooled) is
//! decoded when aws-chunked, copied into the object store while MD5 (the
//! ETag), SHA-256 (`x-amz-content-sha256`) and any requested checksum are
//! computed in one pass, then verified. Memory use does not depend on size.

use super::internal;
use super::S3Request;
use crate::auth::chunked::{self, ChunkedMode, ChunkedReader};
use crate::checksum::{self, ChecksumAlgorithm, Digests, MultiHasher};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpRequest;
use crate::state::s3::{Body, Bucket};
use std::io::{Read, Write};

/// A body now in the object store, with its digests.
pub struct Stored {
    pub body: Body,
    pub size: u64,
    pub md5: [u8; 16],
    /// The checksum stored with the object: header name and base64 value.
    pub checksum: Option<(String, String)>,
}

impl Stored {
    /// The quoted ETag of a single-part object.
    pub fn etag(&self) -> String {
        format!("\"{}\"", hex::encode(self.md5))
    }
}

/// An I/O error while reading the body: the decoder's S3 error when it
/// raised one (bad chunk signature, broken framing), else internal.
fn read_error(e: &std::io::Error) -> AwsError {
    chunked::aws_error(e).cloned().unwrap_or_else(|| internal(e))
}

/// The checksum algorithm the upload declares: an `x-amz-checksum-*`
/// header, the `x-amz-trailer` it will send, or `x-amz-sdk-checksum-algorithm`.
fn requested_algorithm(
    req: &HttpRequest,
    header: Option<&(ChecksumAlgorithm, String)>,
) -> Option<ChecksumAlgorithm> {
    header
        .map(|(alg, _)| *alg)
        .or_else(|| {
            req.header("x-amz-trailer")
                .and_then(|t| ChecksumAlgorithm::from_header_name(t.trim()))
        })
        .or_else(|| {
            req.header("x-amz-sdk-checksum-algorithm")
                .and_then(ChecksumAlgorithm::from_name)
        })
}

/// Stores the request's body as a new object body and verifies it:
/// `x-amz-content-sha256`, chunk signatures, `Content-MD5`, and the
/// `x-amz-checksum-*` header or trailer.
pub fn ingest(r: &S3Request) -> AwsResult<Stored> {
    let req = r.ctx.req;
    let content_sha = req.header("x-amz-content-sha256");
    if let Some(value) = content_sha {
        checksum::parse_content_sha256(value)?;
    }
    let declared = checksum::checksum_header(&req.headers)?;
    let algorithm = requested_algorithm(req, declared.as_ref());
    // Without a state folder, small bodies stay in memory: no file to
    // create, write, open on every read and remove.
    let in_memory =
        !r.ctx.shared.scratch.is_durable() && req.spooled.is_none() && req.body.len() <= MEMORY_BODY_MAX;
    let chunked = content_sha.and_then(ChunkedMode::from_content_sha256);
    // A plain body already in memory is kept as it is: small ones always,
    // larger ones while the memory budget lasts (a 1 MiB GetObject then
    // costs no file read).
    let plain = chunked.is_none() && req.spooled.is_none();
    let kept = if !plain {
        None
    } else if in_memory {
        Some(req.body.clone())
    } else {
        r.ctx.shared.scratch.memory_body(req.body.clone())
    };
    if let Some(kept) = kept {
        let mut hasher = MultiHasher::new(algorithm);
        hasher.update(&req.body);
        let digests = hasher.finish();
        return verified(
            req,
            content_sha,
            declared.as_ref(),
            algorithm,
            &[],
            &digests,
            Body::Memory(kept),
        );
    }
    let reader = req.body_reader().map_err(|e| internal(&e))?;
    let mut sink = if in_memory {
        Sink::Memory(Vec::with_capacity(req.body.len()))
    } else {
        Sink::File(r.ctx.shared.scratch.object_path())
    };
    let (digests, trailers) = match chunked {
        Some(mode) => {
            let signing = if mode.is_signed() {
                Some(r.caller.chunk_signing.clone().ok_or_else(|| {
                    AwsError::new(
                        S3::InvalidRequest,
                        "A signed aws-chunked body needs a SigV4 Authorization header.",
                    )
                })?)
            } else {
                None
            };
            let decoded_length = req
                .header("x-amz-decoded-content-length")
                .and_then(|v| v.trim().parse().ok());
            let mut decoder = ChunkedReader::new(reader, mode, signing).with_decoded_length(decoded_length);
            let digests = copy_hashing(&mut decoder, &mut sink, algorithm)?;
            (digests, decoder.trailers())
        }
        None => (copy_hashing(reader, &mut sink, algorithm)?, Vec::new()),
    };
    let body = match sink {
        Sink::Memory(bytes) => Body::Memory(bytes.into()),
        Sink::File(path) => Body::File(
            r.ctx
                .shared
                .scratch
                .seal(path, digests.len)
                .map_err(|e| internal(&e))?,
        ),
    };
    verified(
        req,
        content_sha,
        declared.as_ref(),
        algorithm,
        &trailers,
        &digests,
        body,
    )
}

/// Stores what `reader` yields as a new object body (a browser POST's
/// file part), with its MD5; in memory only when there is no state folder
/// and the whole request was small.
pub fn ingest_reader(r: &S3Request, reader: impl Read) -> AwsResult<Stored> {
    let req = r.ctx.req;
    let in_memory =
        !r.ctx.shared.scratch.is_durable() && req.spooled.is_none() && req.body.len() <= MEMORY_BODY_MAX;
    let mut sink = if in_memory {
        Sink::Memory(Vec::new())
    } else {
        Sink::File(r.ctx.shared.scratch.object_path())
    };
    let digests = copy_hashing(reader, &mut sink, None)?;
    let body = match sink {
        Sink::Memory(bytes) => Body::Memory(bytes.into()),
        Sink::File(path) => Body::File(
            r.ctx
                .shared
                .scratch
                .seal(path, digests.len)
                .map_err(|e| internal(&e))?,
        ),
    };
    Ok(Stored {
        body,
        size: digests.len,
        md5: digests.md5,
        checksum: None,
    })
}

/// Bodies up to this size are kept in memory when there is no state folder.
pub const MEMORY_BODY_MAX: usize = 64 * 1024;

/// Where a body being received goes.
enum Sink {
    Memory(Vec<u8>),
    /// A new file at this path (removed again if receiving fails).
    File(std::path::PathBuf),
}

/// The stored body, once its digests match what the request claims:
/// `x-amz-content-sha256`, `Content-MD5`, the `x-amz-checksum-*` header or trailer.
fn verified(
    req: &HttpRequest,
    content_sha: Option<&str>,
    declared: Option<&(ChecksumAlgorithm, String)>,
    algorithm: Option<ChecksumAlgorithm>,
    trailers: &[(String, String)],
    digests: &Digests,
    body: Body,
) -> AwsResult<Stored> {
    if let Some(value) = content_sha {
        checksum::verify_content_sha256(value, &digests.sha256)?;
    }
    if let Some(md5) = req.header("content-md5") {
        checksum::verify_content_md5(md5, &digests.md5)?;
    }
    let computed = digests.checksum.clone();
    if let (Some((alg, claimed)), Some((_, actual))) = (declared, &computed) {
        checksum::verify_checksum(*alg, claimed, actual, false)?;
    }
    if let Some(alg) = algorithm {
        if let (Some(claimed), Some((_, actual))) = (trailer_value(trailers, alg), &computed) {
            checksum::verify_checksum(alg, claimed, actual, true)?;
        }
    }
    Ok(Stored {
        body,
        size: digests.len,
        md5: digests.md5,
        checksum: computed.map(|(alg, value)| (alg.header_name().to_string(), value)),
    })
}

fn trailer_value(trailers: &[(String, String)], alg: ChecksumAlgorithm) -> Option<&str> {
    trailers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(alg.header_name()))
        .map(|(_, v)| v.as_str())
}

/// Copies `reader` into `sink`, hashing as it goes; a file is removed
/// again when this fails.
fn copy_hashing(
    reader: impl Read,
    sink: &mut Sink,
    algorithm: Option<ChecksumAlgorithm>,
) -> AwsResult<Digests> {
    match sink {
        Sink::Memory(bytes) => copy_into(reader, bytes, algorithm, 16 * 1024),
        Sink::File(path) => {
            let result = std::fs::File::create(&*path)
                .map_err(|e| internal(&e))
                .and_then(|file| {
                    let mut file = std::io::BufWriter::with_capacity(64 * 1024, file);
                    let digests = copy_into(reader, &mut file, algorithm, 64 * 1024)?;
                    file.flush().map_err(|e| internal(&e))?;
                    Ok(digests)
                });
            if result.is_err() {
                let _ = std::fs::remove_file(&*path);
            }
            result
        }
    }
}

fn copy_into(
    mut reader: impl Read,
    out: &mut impl Write,
    algorithm: Option<ChecksumAlgorithm>,
    buffer: usize,
) -> AwsResult<Digests> {
    let mut hasher = MultiHasher::new(algorithm);
    let mut buf = vec![0u8; buffer];
    loop {
        let n = reader.read(&mut buf).map_err(|e| read_error(&e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| internal(&e))?;
    }
    Ok(hasher.finish())
}

// ---- checksums and write conditions, shared with copy and multipart ----

/// The element that carries a checksum in XML (`ChecksumCRC32`).
pub fn checksum_element(algorithm: ChecksumAlgorithm) -> String {
    format!("Checksum{}", algorithm.name())
}

/// The algorithm of a stored `(header, value)` checksum.
pub fn stored_algorithm(checksum: &(String, String)) -> Option<ChecksumAlgorithm> {
    ChecksumAlgorithm::from_header_name(&checksum.0)
}

/// The checksum of a file, base64, read in blocks.
pub fn file_checksum(algorithm: ChecksumAlgorithm, body: &Body) -> AwsResult<String> {
    let mut hasher = algorithm.hasher();
    let mut file = body.reader().map_err(|e| internal(&e))?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| internal(&e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

pub fn unsupported_algorithm() -> AwsError {
    AwsError::new(
        S3::InvalidRequest,
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
    )
}

/// If-None-Match `*` and If-Match on the key being written.
pub fn write_conditions(r: &S3Request, bucket: &Bucket, key: &str) -> AwsResult<()> {
    let failed = || {
        AwsError::new(
            S3::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        )
    };
    let existing = super::lifecycle::live(bucket, key, r.ctx.shared.now());
    if r.header("if-none-match").is_some_and(|v| v.trim() == "*") && existing.is_some() {
        return Err(failed());
    }
    if let Some(wanted) = r.header("if-match") {
        let Some(existing) = existing else {
            return Err(AwsError::new(S3::NoSuchKey, "The specified key does not exist."));
        };
        let wanted = wanted.trim();
        if wanted != "*" && wanted.trim_matches('"') != existing.etag.trim_matches('"') {
            return Err(failed());
        }
    }
    Ok(())
}
