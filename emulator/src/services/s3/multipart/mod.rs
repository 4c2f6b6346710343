//! Multipart uploads: [`upload`] (CreateMultipartUpload, UploadPart,
//! UploadPartCopy, AbortMultipartUpload), [`complete`]
//! (CompleteMultipartUpload) and [`list`] (ListParts,
//! ListMultipartUploads); what they share is here.
//!
//! Parts are files like object bodies. Completing an upload checks the list
//! of parts as S3 does (ascending part numbers, known parts with their
//! ETags, every part but the last at least 5 MiB), then streams the part
//! files into one new file outside the state lock. The object's ETag is
//! `"hex(md5(the parts' md5 digests))-N"` and its Last-Modified the time the
//! upload began. An upload created with a checksum algorithm keeps one
//! checksum per part and gives the object S3's composite (`…-N`, a digest
//! of the parts' digests) or full-object checksum.
//!
//! Authorization as the operation table maps it ([`super::operations`]):
//! the part and completion requests are `s3:PutObject`, abort is
//! `s3:AbortMultipartUpload`, ListParts `s3:ListMultipartUploadParts`,
//! ListMultipartUploads `s3:ListBucketMultipartUploads` on the bucket.

pub mod complete;
pub mod list;
pub mod upload;

use super::body::{file_checksum, stored_algorithm, unsupported_algorithm};
use super::{find_bucket, S3Request};
use crate::checksum::ChecksumAlgorithm;
use crate::error::{AwsError, AwsResult, S3};
use crate::state::s3::{Body, Bucket, Upload};
use iam_evaluator::RequestContext;

/// The smallest size of a part that is not the last one.
pub(super) const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// Part numbers go from 1 to 10000.
pub(super) const MAX_PART_NUMBER: u32 = 10_000;
/// The most parts or uploads one listing returns.
pub(super) const MAX_LISTED: u64 = 1000;

pub fn no_such_upload() -> AwsError {
    AwsError::new(S3::NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
}

pub(super) fn invalid_part() -> AwsError {
    AwsError::new(S3::InvalidPart,
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    )
}

pub(super) fn invalid_part_order() -> AwsError {
    AwsError::new(
        S3::InvalidPartOrder,
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
    )
}

pub(super) fn invalid_request(message: impl Into<String>) -> AwsError {
    AwsError::new(S3::InvalidRequest, message)
}

// ---- checksums -------------------------------------------------------

/// The upload's checksum algorithm, if it has one.
pub(super) fn upload_algorithm(upload: &Upload) -> Option<ChecksumAlgorithm> {
    upload
        .checksum_algorithm
        .as_deref()
        .and_then(ChecksumAlgorithm::from_name)
}

pub(super) fn type_mismatch(expected: ChecksumAlgorithm, actual: ChecksumAlgorithm) -> AwsError {
    invalid_request(format!(
        "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
        expected.name().to_ascii_lowercase(),
        actual.name().to_ascii_lowercase()
    ))
}

/// The checksum algorithm and type a CreateMultipartUpload asks for; the
/// type defaults to FULL_OBJECT for CRC64NVME and COMPOSITE otherwise.
pub(super) fn requested_checksum(r: &S3Request) -> AwsResult<Option<(ChecksumAlgorithm, &'static str)>> {
    let kind = r.header("x-amz-checksum-type").map(str::to_ascii_uppercase);
    let Some(algorithm) = r.header("x-amz-checksum-algorithm") else {
        if kind.is_some() {
            return Err(invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
            ));
        }
        return Ok(None);
    };
    let algorithm = ChecksumAlgorithm::from_name(algorithm).ok_or_else(unsupported_algorithm)?;
    let crc = !matches!(algorithm, ChecksumAlgorithm::Sha1 | ChecksumAlgorithm::Sha256);
    let kind = match kind.as_deref() {
        None if algorithm == ChecksumAlgorithm::Crc64Nvme => "FULL_OBJECT",
        None | Some("COMPOSITE") => "COMPOSITE",
        Some("FULL_OBJECT") => "FULL_OBJECT",
        Some(_) => {
            return Err(invalid_request(
                "Value for x-amz-checksum-type header is invalid.",
            ))
        }
    };
    let allowed = match kind {
        "FULL_OBJECT" => crc,
        _ => algorithm != ChecksumAlgorithm::Crc64Nvme,
    };
    if !allowed {
        return Err(invalid_request(format!(
            "The {kind} checksum type cannot be used with the {} checksum algorithm.",
            algorithm.name().to_ascii_lowercase()
        )));
    }
    Ok(Some((algorithm, kind)))
}

/// The checksum a part keeps: the one ingestion computed and verified
/// (which must be of the upload's algorithm), else computed here.
pub(super) fn part_checksum(
    algorithm: Option<ChecksumAlgorithm>,
    body: &Body,
    stored: Option<&(String, String)>,
) -> AwsResult<Option<(String, String)>> {
    let Some(algorithm) = algorithm else {
        return Ok(stored.cloned());
    };
    match stored.and_then(stored_algorithm) {
        Some(sent) if sent == algorithm => Ok(stored.cloned()),
        Some(sent) => Err(type_mismatch(algorithm, sent)),
        None => Ok(Some((
            algorithm.header_name().to_string(),
            file_checksum(algorithm, body)?,
        ))),
    }
}

/// The `partNumber` of the request: 1 to 10000.
pub(super) fn part_number(r: &S3Request) -> AwsResult<u32> {
    r.param("partNumber")
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
        .ok_or_else(|| {
            AwsError::new(
                S3::InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        })
}

pub(super) fn upload_id(r: &S3Request) -> String {
    r.param("uploadId").unwrap_or_default().to_string()
}

/// The upload with this id, for the request's key.
pub(super) fn find_upload<'b>(bucket: &'b Bucket, id: &str, key: &str) -> AwsResult<&'b Upload> {
    bucket
        .uploads
        .get(id)
        .filter(|u| u.key == key)
        .ok_or_else(no_such_upload)
}

/// Authorizes the operation on the request's object and finds its
/// upload; returns the upload's checksum algorithm.
pub(super) fn authorize_upload(r: &S3Request) -> AwsResult<Option<ChecksumAlgorithm>> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    let upload = find_upload(bucket, &upload_id(r), r.key_name()?)?;
    Ok(upload_algorithm(upload))
}
