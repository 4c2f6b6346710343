//! CopyObject, and the source side of UploadPartCopy: `x-amz-copy-source`
//! (`bucket/key` or `/bucket/key`, URL-encoded, optional `?versionId=`),
//! `s3:GetObject` on the source (`s3:GetObjectVersion` for a named
//! version) with its bucket's policy and its `s3:ExistingObjectTag/*`,
//! `s3:PutObject` on the destination (a new version of its key), the
//! `x-amz-copy-source-if-*` conditions (a copy has no 304: each failure is
//! 412), and the metadata and tagging directives.
//!
//! Object bodies are immutable files, so a copy shares the source's file
//! instead of duplicating it; only a ranged part copy writes a new file,
//! outside the state lock. The copy of a multipart object has the MD5 of
//! its content as ETag, as in S3.

use super::acl::Written;
use super::body::{
    checksum_element, file_checksum, stored_algorithm, unsupported_algorithm, write_conditions,
};
use super::bucket::s3_date;
use super::internal;
use super::object::{self, existing_tag_context, tagging_header, upload_headers};
use super::operations::Also;
use super::protection;
use super::tagging::request_tag_context;
use super::{find_bucket, no_such_bucket, versions, xml_reply, S3Request};
use crate::checksum::ChecksumAlgorithm;
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::state::s3::Protection;
use crate::state::s3::{Body, Object};
use crate::state::versions::Version;
use md5::{Digest as _, Md5};
use std::io::{Read, Write};

/// Where a copy reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub bucket: String,
    pub key: String,
    pub version: Option<String>,
}

fn invalid_source() -> AwsError {
    AwsError::new(
        S3::InvalidArgument,
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
    )
}

/// One URL-encoded part of the header (`+` is a space, as S3 reads it).
fn decode(text: &str) -> Option<String> {
    let text = text.replace('+', " ");
    percent_encoding::percent_decode_str(&text)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Reads `x-amz-copy-source`.
pub fn parse_source(value: &str) -> AwsResult<Source> {
    let (path, query) = value.split_once('?').unwrap_or((value, ""));
    let mut version = None;
    for (name, v) in form_urlencoded::parse(query.as_bytes()) {
        if name != "versionId" {
            return Err(invalid_source());
        }
        version = Some(v.into_owned());
    }
    let path = path.strip_prefix('/').unwrap_or(path);
    let (bucket, key) = path.split_once('/').ok_or_else(invalid_source)?;
    let bucket = decode(bucket).ok_or_else(invalid_source)?;
    let key = decode(key).ok_or_else(invalid_source)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(invalid_source());
    }
    Ok(Source { bucket, key, version })
}

/// The source of the request's copy, after `s3:GetObject` on it
/// (`s3:GetObjectVersion` for a named version, with `s3:versionid`) and
/// its `x-amz-copy-source-if-*` conditions; with the
/// `x-amz-copy-source-version-id` the reply names (the version read, in a
/// bucket with versioning).
pub fn source_object(r: &S3Request) -> AwsResult<(Source, Object, Option<String>)> {
    let source = parse_source(r.header("x-amz-copy-source").unwrap_or_default())?;
    let wanted = source.version.as_deref().map(versions::parse).transpose()?;
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &source.bucket)?;
    let reached = versions::reach(bucket, &source.key, wanted.as_ref(), r.ctx.shared.now());
    let arn = format!("arn:aws:s3:::{}/{}", source.bucket, source.key);
    let mut context = existing_tag_context(reached.object());
    let need = match &source.version {
        Some(version) => {
            context.set("s3:versionid", version.clone());
            Also::CopySourceVersion
        }
        None => Also::CopySource,
    };
    r.authorize_also(&state, need, Some(&arn), Some(bucket), context)?;
    if wanted.is_some() && matches!(reached, versions::Reached::DeleteMarker { .. }) {
        return Err(AwsError::new(
            S3::InvalidRequest,
            "The source of a copy request may not specifically refer to a delete marker by version id.",
        ));
    }
    let (_, object) = versions::readable(r, &state, bucket, &source.key, wanted.as_ref(), reached)?;
    if matches!(object.storage_class.as_str(), "GLACIER" | "DEEP_ARCHIVE") {
        return Err(AwsError::new(
            S3::InvalidObjectState,
            "Operation is not valid for the source object's storage class",
        ));
    }
    let object = object.clone();
    let version_header = versions::id_header(bucket, object.version_id.as_deref()).map(|(_, v)| v);
    drop(state);
    source_conditions(r, &object)?;
    Ok((source, object, version_header))
}

/// Whether an `If-Match`-style list names the object's ETag.
fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_matches('"') == etag.trim_matches('"'))
}

/// `x-amz-copy-source-if-match`, `-if-none-match`, `-if-unmodified-since`,
/// `-if-modified-since`: as for GET, but a failure is always 412. A date
/// in the future is not valid and is ignored.
fn source_conditions(r: &S3Request, object: &Object) -> AwsResult<()> {
    let now = r.ctx.shared.now();
    let date = |name: &str| {
        r.header(name)
            .and_then(object::parse_http_date)
            .filter(|t| *t <= now)
    };
    let modified = object.last_modified;
    let if_match = r
        .header("x-amz-copy-source-if-match")
        .map(|l| etag_matches(l, &object.etag));
    let if_none_match = r
        .header("x-amz-copy-source-if-none-match")
        .map(|l| etag_matches(l, &object.etag));
    let if_unmodified = date("x-amz-copy-source-if-unmodified-since").map(|t| modified <= t);
    let if_modified = date("x-amz-copy-source-if-modified-since").map(|t| modified > t);
    let failed = if_match == Some(false)
        || (if_match.is_none() && if_unmodified == Some(false))
        || if_none_match == Some(true)
        || (if_none_match.is_none() && if_modified == Some(false));
    if failed {
        return Err(AwsError::new(
            S3::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        ));
    }
    Ok(())
}

/// The MD5 an ETag of a single-part object holds.
fn single_part_md5(etag: &str) -> Option<[u8; 16]> {
    hex::decode(etag.trim_matches('"')).ok()?.try_into().ok()
}

fn md5_of_body(body: &Body) -> AwsResult<[u8; 16]> {
    let mut input = body.reader().map_err(|e| internal(&e))?;
    let mut md5 = Md5::new();
    std::io::copy(&mut input, &mut md5).map_err(|e| internal(&e))?;
    Ok(md5.finalize().into())
}

/// The whole source as a new body: its own file, shared, and its MD5
/// (read from the file for a multipart object).
pub fn whole_body(source: &Object) -> AwsResult<(Body, [u8; 16])> {
    let md5 = match single_part_md5(&source.etag) {
        Some(md5) => md5,
        None => md5_of_body(&source.body)?,
    };
    Ok((source.body.clone(), md5))
}

/// `len` bytes of `body` from `offset`, copied into a new body (in memory
/// when small and there is no state folder, as uploads are).
pub fn copy_bytes(r: &S3Request, body: &Body, offset: u64, len: u64) -> AwsResult<(Body, [u8; 16])> {
    let small = usize::try_from(len).is_ok_and(|n| n <= super::body::MEMORY_BODY_MAX);
    if small && !r.ctx.shared.scratch.is_durable() {
        let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or_default());
        return match write_range(body, offset, len, &mut out) {
            Ok(md5) => Ok((Body::Memory(out.into()), md5)),
            Err(e) => Err(internal(&e)),
        };
    }
    let path = r.ctx.shared.scratch.object_path();
    let written = std::fs::File::create(&path).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        let md5 = write_range(body, offset, len, &mut out)?;
        out.flush()?;
        Ok(md5)
    });
    match written {
        Ok(md5) => Ok((
            r.ctx
                .shared
                .scratch
                .seal(path, len)
                .map_err(|e| internal(&e))?
                .into(),
            md5,
        )),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(internal(&e))
        }
    }
}

fn write_range(from: &Body, offset: u64, len: u64, out: &mut impl Write) -> std::io::Result<[u8; 16]> {
    let mut input = from.range_reader(offset, len)?;
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut copied = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        copied += n as u64;
    }
    if copied != len {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the source is shorter than its size",
        ));
    }
    Ok(md5.finalize().into())
}

/// `COPY` (the default, `false`) or `REPLACE` (`true`), exactly so written.
fn directive(r: &S3Request, header: &str, unknown: &str) -> AwsResult<bool> {
    match r.header(header) {
        None | Some("COPY") => Ok(false),
        Some("REPLACE") => Ok(true),
        Some(_) => Err(AwsError::new(S3::InvalidArgument, unknown)),
    }
}

/// Whether a copy onto itself changes what S3 requires it to change:
/// metadata (REPLACE), storage class, website redirect or encryption.
fn changes_itself(r: &S3Request, replace_metadata: bool) -> bool {
    replace_metadata
        || [
            "x-amz-storage-class",
            "x-amz-website-redirect-location",
            "x-amz-server-side-encryption",
            "x-amz-server-side-encryption-customer-algorithm",
        ]
        .iter()
        .any(|h| r.header(h).is_some())
}

/// The copy's checksum: of the algorithm the request asks for, else the
/// source's full-object checksum (a composite one describes parts the copy
/// does not have).
fn copy_checksum(r: &S3Request, source: &Object) -> AwsResult<Option<(String, String)>> {
    if let Some(algorithm) = r.header("x-amz-checksum-algorithm") {
        let algorithm = ChecksumAlgorithm::from_name(algorithm).ok_or_else(unsupported_algorithm)?;
        let value = file_checksum(algorithm, &source.body)?;
        return Ok(Some((algorithm.header_name().to_string(), value)));
    }
    Ok(source.checksum.clone().filter(|(_, v)| !v.contains('-')))
}

/// Authorizes writing the copy: `s3:PutObject` (and the row's further
/// permissions for new tags or Object Lock headers) on the destination;
/// returns the copy's encryption and lock settings.
fn authorize_destination(r: &S3Request, tags: &[(String, String)]) -> AwsResult<(Protection, Written)> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), request_tag_context(tags))?;
    object::authorize_upload_extras(r, &state, bucket, !tags.is_empty())?;
    // A copy is a new object: its ACL comes from the request, never the source.
    let written = super::acl::for_upload_request(r, &state, bucket)?;
    Ok((protection::for_upload(r, bucket, r.ctx.shared.now())?, written))
}

pub fn copy_object(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    object::check_key(&key)?;
    let replace_metadata = directive(r, "x-amz-metadata-directive", "Unknown metadata directive.")?;
    let replace_tags = directive(r, "x-amz-tagging-directive", "Unknown tagging directive.")?;
    let new_tags = match r.header("x-amz-tagging").filter(|_| replace_tags) {
        Some(header) => tagging_header(header)?,
        None => Vec::new(),
    };
    let (protection, owned) = authorize_destination(r, &new_tags)?;
    let (source, original, source_version) = source_object(r)?;
    protection::check_read(r, &original.protection, "x-amz-copy-source-")?;
    // Copying a named version onto its own key restores it (a new version).
    let onto_itself = source.bucket == bucket_name && source.key == key && source.version.is_none();
    if onto_itself && !changes_itself(r, replace_metadata) {
        return Err(AwsError::new(S3::InvalidRequest,
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    // Reading a multipart source for its MD5 happens without the lock.
    let (body, md5) = whole_body(&original)?;
    let checksum = copy_checksum(r, &original)?;
    let (content_type, headers, metadata) = if replace_metadata {
        upload_headers(r)
    } else {
        (original.content_type, original.headers, original.metadata)
    };
    let object = Object {
        key: key.clone(),
        version_id: None,
        body,
        size: original.size,
        etag: format!("\"{}\"", hex::encode(md5)),
        last_modified: r.ctx.shared.now(),
        content_type,
        headers,
        metadata,
        tags: if replace_tags { new_tags } else { original.tags },
        checksum: checksum.clone(),
        storage_class: r.header("x-amz-storage-class").unwrap_or("STANDARD").to_string(),
        // A copy is a new single-part object.
        part_sizes: Vec::new(),
        protection,
        owner: owned.owner,
        acl: owned.acl,
    };
    let encryption = protection::encryption_headers(&object.protection);
    let (etag, modified) = (object.etag.clone(), object.last_modified);
    let mut state = r.ctx.shared.state();
    let bucket = state
        .buckets
        .get_mut(&bucket_name)
        .ok_or_else(|| no_such_bucket(&bucket_name))?;
    write_conditions(r, bucket, &key)?;
    let written = versions::store(bucket, Version::Object(Box::new(object)), r.ctx.shared.now());
    drop(state);
    let version_id = written.version_id.clone();
    drop(written);
    let mut reply = xml_reply("CopyObjectResult", |x| {
        x.elem("LastModified", &s3_date(modified));
        x.elem("ETag", &etag);
        if let Some((algorithm, value)) = checksum.as_ref().and_then(|c| Some((stored_algorithm(c)?, &c.1))) {
            x.elem("ChecksumType", "FULL_OBJECT");
            x.elem(&checksum_element(algorithm), value);
        }
    });
    for (name, value) in encryption {
        reply = reply.with_header(name, &value);
    }
    if let Some(id) = version_id {
        reply = reply.with_header("x-amz-version-id", &id);
    }
    if let Some(id) = source_version {
        reply = reply.with_header("x-amz-copy-source-version-id", &id);
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(bucket: &str, key: &str, version: Option<&str>) -> Source {
        Source {
            bucket: bucket.into(),
            key: key.into(),
            version: version.map(str::to_string),
        }
    }

    #[test]
    fn copy_sources() {
        let parse = |v: &str| parse_source(v).unwrap();
        assert_eq!(parse("b/a b"), source("b", "a b", None));
        assert_eq!(parse("/b/a%20b"), source("b", "a b", None));
        assert_eq!(parse("b/a+b"), source("b", "a b", None));
        assert_eq!(parse("b/a%2Bb"), source("b", "a+b", None));
        assert_eq!(
            parse("b/folder%2Fthe+source"),
            source("b", "folder/the source", None)
        );
        assert_eq!(parse("/b/k?versionId=null"), source("b", "k", Some("null")));
        assert_eq!(parse("b/%C3%BCn%C3%AF/x"), source("b", "ünï/x", None));
        for bad in ["/b", "b/", "/", "", "b/k?partNumber=1", "b/%FF"] {
            assert_eq!(parse_source(bad).unwrap_err().code, "InvalidArgument", "{bad}");
        }
    }

    #[test]
    fn etags_of_single_parts() {
        assert_eq!(
            single_part_md5("\"5d41402abc4b2a76b9719d911017c592\"").map(hex::encode),
            Some("5d41402abc4b2a76b9719d911017c592".to_string())
        );
        assert_eq!(single_part_md5("\"5d41402abc4b2a76b9719d911017c592-2\""), None);
    }
}
