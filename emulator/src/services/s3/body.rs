//! Receiving object bodies: the request body (in memory or spooled) is
//! decoded when aws-chunked, copied into the object store while MD5 (the
//! ETag), SHA-256 (`x-amz-content-sha256`) and any requested checksum are
//! computed in one pass, then verified. Memory use does not depend on size.

use super::internal;
use super::S3Request;
use crate::auth::chunked::{self, ChunkedMode, ChunkedReader};
use crate::checksum::{self, ChecksumAlgorithm, Digests, MultiHasher};
use crate::error::{AwsError, AwsResult};
use crate::http::HttpRequest;
use crate::state::s3::Body;
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
    let reader = req.body_reader().map_err(|e| internal(&e))?;
    let path = r.ctx.app.scratch.object_path();
    let remove = |e: AwsError| {
        let _ = std::fs::remove_file(&path);
        e
    };
    let (digests, trailers) = match content_sha.and_then(ChunkedMode::from_content_sha256) {
        Some(mode) => {
            let signing = if mode.is_signed() {
                Some(r.caller.chunk_signing.clone().ok_or_else(|| {
                    AwsError::new(
                        400,
                        "InvalidRequest",
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
            let digests = copy_hashing(&mut decoder, &path, algorithm).map_err(remove)?;
            (digests, decoder.trailers())
        }
        None => (
            copy_hashing(reader, &path, algorithm).map_err(remove)?,
            Vec::new(),
        ),
    };
    let body = r
        .ctx
        .app
        .scratch
        .seal(path, digests.len)
        .map_err(|e| internal(&e))?;
    if let Some(value) = content_sha {
        checksum::verify_content_sha256(value, &digests.sha256)?;
    }
    if let Some(md5) = req.header("content-md5") {
        checksum::verify_content_md5(md5, &digests.md5)?;
    }
    let computed = digests.checksum.clone();
    if let (Some((alg, claimed)), Some((_, actual))) = (&declared, &computed) {
        checksum::verify_checksum(*alg, claimed, actual, false)?;
    }
    if let Some(alg) = algorithm {
        if let (Some(claimed), Some((_, actual))) = (trailer_value(&trailers, alg), &computed) {
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

/// Copies `reader` into a new file at `path`, hashing as it goes.
fn copy_hashing(
    mut reader: impl Read,
    path: &std::path::Path,
    algorithm: Option<ChecksumAlgorithm>,
) -> AwsResult<Digests> {
    let file = std::fs::File::create(path).map_err(|e| internal(&e))?;
    let mut file = std::io::BufWriter::with_capacity(64 * 1024, file);
    let mut hasher = MultiHasher::new(algorithm);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(|e| read_error(&e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(|e| internal(&e))?;
    }
    file.flush().map_err(|e| internal(&e))?;
    Ok(hasher.finish())
}
