//! Receiving object bodies: the request body (in memory or spooled) is
//! decoded when aws-chunked, copied into the object store while MD5 (the
//! ETag), SHA-256 (`x-amz-content-sha256`) and any requested checksum are
//! computed in one pass, then verified. Memory use does not depend on size.

use super::S3Request;
use crate::error::{AwsError, AwsResult};
use crate::http::TempFile;
use crate::state::s3::Body;
use base64::Engine;
use md5::{Digest as _, Md5};
use sha2::Sha256;
use std::io::{Read, Write};
use std::sync::Arc;

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

fn internal(e: &std::io::Error) -> AwsError {
    AwsError::new(
        500,
        "InternalError",
        format!("We encountered an internal error. Please try again. ({e})"),
    )
}

/// Stores the request's body as a new object body and verifies it.
pub fn ingest(r: &S3Request) -> AwsResult<Stored> {
    let req = r.ctx.req;
    let content_sha = req.header("x-amz-content-sha256").map(str::to_string);
    if content_sha
        .as_deref()
        .is_some_and(|s| s.starts_with("STREAMING-"))
    {
        return Err(AwsError::new(
            501,
            "NotImplemented",
            "aws-chunked uploads are not accepted yet; send the payload unsigned or with its SHA-256",
        ));
    }
    let reader = req.body_reader().map_err(|e| internal(&e))?;
    let path = r.ctx.app.scratch.object_path();
    let (size, md5, sha256) = copy_hashing(reader, &path).map_err(|e| {
        let _ = std::fs::remove_file(&path);
        internal(&e)
    })?;
    let body = Arc::new(TempFile { path, len: size });
    if let Some(claimed) = content_sha.as_deref().filter(|s| s.len() == 64) {
        if !claimed.eq_ignore_ascii_case(&hex::encode(sha256)) {
            return Err(AwsError::new(
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ));
        }
    }
    if let Some(content_md5) = req.header("content-md5") {
        let claimed = base64::engine::general_purpose::STANDARD
            .decode(content_md5.trim())
            .ok()
            .filter(|d| d.len() == 16)
            .ok_or_else(|| {
                AwsError::new(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
            })?;
        if claimed != md5 {
            return Err(AwsError::new(
                400,
                "BadDigest",
                "The Content-MD5 you specified did not match what we received.",
            ));
        }
    }
    let checksum = sha256_checksum(req, &sha256)?;
    Ok(Stored {
        body,
        size,
        md5,
        checksum,
    })
}

/// `x-amz-checksum-sha256`, verified against the body.
fn sha256_checksum(req: &crate::http::HttpRequest, sha256: &[u8; 32]) -> AwsResult<Option<(String, String)>> {
    let Some(claimed) = req.header("x-amz-checksum-sha256") else {
        return Ok(None);
    };
    let actual = base64::engine::general_purpose::STANDARD.encode(sha256);
    if claimed.trim() != actual {
        return Err(AwsError::new(
            400,
            "BadDigest",
            "The SHA256 you specified did not match the calculated checksum.",
        ));
    }
    Ok(Some(("x-amz-checksum-sha256".into(), actual)))
}

/// Copies `reader` into a new file at `path`, returning size, MD5, SHA-256.
fn copy_hashing(mut reader: impl Read, path: &std::path::Path) -> std::io::Result<(u64, [u8; 16], [u8; 32])> {
    let mut file = std::io::BufWriter::with_capacity(64 * 1024, std::fs::File::create(path)?);
    let mut md5 = Md5::new();
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        sha.update(&buf[..n]);
        file.write_all(&buf[..n])?;
        size += n as u64;
    }
    file.flush()?;
    Ok((size, md5.finalize().into(), sha.finalize().into()))
}
