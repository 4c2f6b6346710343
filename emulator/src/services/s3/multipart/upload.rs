//! CreateMultipartUpload, UploadPart, UploadPartCopy and
//! AbortMultipartUpload.

use super::super::body::{self, checksum_element, file_checksum, stored_algorithm};
use super::super::bucket::s3_date;
use super::super::object::{self, tagging_header, upload_headers};
use super::super::protection;
use super::super::tagging::request_tag_context;
use super::super::{copy, empty, find_bucket, no_such_bucket, xml_reply, S3Request};
use super::{
    authorize_upload, find_upload, no_such_upload, part_checksum, part_number, requested_checksum, upload_id,
};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::state::s3::{Bucket, Part, Upload};
use crate::state::State;
use base64::Engine;
use iam_evaluator::RequestContext;

/// A new upload id: 64 URL-safe characters, as long as S3's.
fn new_upload_id() -> String {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `s3:PutObject` (and `s3:PutObjectTagging` when tags come along).
fn authorize_put(r: &S3Request, state: &State, bucket: &Bucket, tags: &[(String, String)]) -> AwsResult<()> {
    r.authorize_op(state, Some(bucket), request_tag_context(tags))?;
    object::authorize_upload_extras(r, state, bucket, !tags.is_empty())
}

pub fn create_multipart_upload(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    object::check_key(&key)?;
    let tags = r
        .header("x-amz-tagging")
        .map(tagging_header)
        .transpose()?
        .unwrap_or_default();
    let (content_type, headers, metadata) = upload_headers(r);
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &bucket_name)?;
    authorize_put(r, &state, bucket, &tags)?;
    let protection = protection::for_upload(r, bucket, r.ctx.shared.now())?;
    let written = super::super::acl::for_upload_request(r, &state, bucket)?;
    let encryption = protection::encryption_headers(&protection);
    let checksum = requested_checksum(r)?;
    let upload = Upload {
        id: new_upload_id(),
        key: key.clone(),
        initiated: r.ctx.shared.now(),
        initiator_arn: r.caller.principal.arn.clone(),
        content_type,
        headers,
        metadata,
        tags,
        checksum_algorithm: checksum.map(|(a, _)| a.name().to_string()),
        checksum_type: checksum.map(|(_, k)| k.to_string()),
        storage_class: r.header("x-amz-storage-class").unwrap_or("STANDARD").to_string(),
        parts: std::collections::BTreeMap::new(),
        protection,
        owner: written.owner,
        acl: written.acl,
    };
    let id = upload.id.clone();
    state
        .buckets
        .get_mut(&bucket_name)
        .ok_or_else(|| no_such_bucket(&bucket_name))?
        .uploads
        .insert(id.clone(), upload);
    drop(state);
    let mut response = xml_reply("InitiateMultipartUploadResult", |x| {
        x.elem("Bucket", &bucket_name);
        x.elem("Key", &key);
        x.elem("UploadId", &id);
    });
    if let Some((algorithm, kind)) = checksum {
        response = response
            .with_header("x-amz-checksum-algorithm", algorithm.name())
            .with_header("x-amz-checksum-type", kind);
    }
    for (name, value) in encryption {
        response = response.with_header(name, &value);
    }
    Ok(response)
}

/// Adds a part to its upload; returns the part it replaces (to be dropped
/// once the lock is released).
fn insert_part(r: &S3Request, part: Part) -> AwsResult<Option<Part>> {
    let bucket_name = r.bucket_name()?;
    let mut state = r.ctx.shared.state();
    let bucket = state
        .buckets
        .get_mut(bucket_name)
        .ok_or_else(|| no_such_bucket(bucket_name))?;
    let key = r.key_name()?;
    let upload = bucket
        .uploads
        .get_mut(&upload_id(r))
        .filter(|u| u.key == key)
        .ok_or_else(no_such_upload)?;
    Ok(upload.parts.insert(part.number, part))
}

pub fn upload_part(r: &S3Request) -> AwsResult<HttpResponse> {
    let number = part_number(r)?;
    let algorithm = authorize_upload(r)?;
    // The body is stored without holding the state lock.
    let stored = body::ingest(r)?;
    let checksum = part_checksum(algorithm, &stored.body, stored.checksum.as_ref())?;
    let part = Part {
        number,
        body: stored.body.clone(),
        size: stored.size,
        etag: stored.etag(),
        md5: stored.md5,
        last_modified: r.ctx.shared.now(),
        checksum: checksum.clone(),
    };
    drop(insert_part(r, part)?);
    let mut response = empty(200).with_header("etag", &stored.etag());
    if let Some((name, value)) = &checksum {
        response = response.with_header(name, value);
    }
    Ok(response)
}

/// `x-amz-copy-source-range: bytes=first-last`, checked for its form.
fn copy_range(value: &str) -> AwsResult<(u64, u64)> {
    let form = || {
        AwsError::new(S3::InvalidArgument,
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
        )
    };
    let (first, last) = value
        .trim()
        .strip_prefix("bytes=")
        .and_then(|s| s.split_once('-'))
        .ok_or_else(form)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) || !digits(last) {
        return Err(form());
    }
    Ok((
        first.parse().map_err(|_| form())?,
        last.parse().map_err(|_| form())?,
    ))
}

pub fn upload_part_copy(r: &S3Request) -> AwsResult<HttpResponse> {
    let number = part_number(r)?;
    let range = r.header("x-amz-copy-source-range").map(copy_range).transpose()?;
    let algorithm = authorize_upload(r)?;
    let (_, source, source_version) = copy::source_object(r)?;
    let (body, md5) = match range {
        None => copy::whole_body(&source)?,
        Some((first, last)) => {
            if first > last || last >= source.size {
                return Err(AwsError::new(
                    S3::InvalidArgument,
                    format!(
                        "Range specified is not valid for source object of size: {}",
                        source.size
                    ),
                ));
            }
            copy::copy_bytes(r, &source.body, first, last - first + 1)?
        }
    };
    let checksum = match algorithm {
        Some(a) => Some((a.header_name().to_string(), file_checksum(a, &body)?)),
        None => None,
    };
    let now = r.ctx.shared.now();
    let etag = format!("\"{}\"", hex::encode(md5));
    let part = Part {
        number,
        size: body.len(),
        body,
        etag: etag.clone(),
        md5,
        last_modified: now,
        checksum: checksum.clone(),
    };
    drop(insert_part(r, part)?);
    let reply = xml_reply("CopyPartResult", |x| {
        x.elem("LastModified", &s3_date(now));
        x.elem("ETag", &etag);
        if let Some((algorithm, value)) = checksum.as_ref().and_then(|c| Some((stored_algorithm(c)?, &c.1))) {
            x.elem(&checksum_element(algorithm), value);
        }
    });
    Ok(match source_version {
        Some(id) => reply.with_header("x-amz-copy-source-version-id", &id),
        None => reply,
    })
}

pub fn abort_multipart_upload(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    let id = upload_id(r);
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &bucket_name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    find_upload(bucket, &id, &key)?;
    let removed = state
        .buckets
        .get_mut(&bucket_name)
        .and_then(|b| b.uploads.remove(&id));
    // The parts' files go once the lock is released.
    drop(state);
    drop(removed);
    Ok(empty(204))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_ranges() {
        assert_eq!(copy_range("bytes=0-9").unwrap(), (0, 9));
        assert_eq!(copy_range("bytes=5-2").unwrap(), (5, 2));
        for bad in [
            "0-2",
            "bytes=0",
            "bytes=-2",
            "bytes=a-z",
            "bytes=0-z",
            "bytes=a-",
            "bytes=0-2,3-5",
        ] {
            assert_eq!(copy_range(bad).unwrap_err().code, "InvalidArgument", "{bad}");
        }
    }
}
