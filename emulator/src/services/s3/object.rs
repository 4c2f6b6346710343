//! Objects: PutObject, GetObject (ranges, conditional requests,
//! `response-*` overrides), HeadObject, DeleteObject — each on a version
//! when the request names one (see [`super::versions`]).

use super::body::{self, Stored};
use super::bucket::{http_date, s3_date};
use super::operations::Also;
use super::{empty, find_bucket, no_such_bucket, S3Request};
use super::{protection, versions};
use crate::error::{AwsError, AwsResult, Common, S3};
use crate::http::{FileBody, HttpResponse};
use crate::state::s3::{Body, Bucket, Object, Protection};
use crate::state::versions::Version;
use crate::state::State;
use iam_evaluator::RequestContext;

/// S3's limit on key length, in UTF-8 bytes.
const MAX_KEY_BYTES: usize = 1024;

/// Object headers stored at upload and returned on GET/HEAD.
const STORED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

/// Parses an `x-amz-tagging` header (URL query encoded `k=v&k2=v2`).
pub fn tagging_header(value: &str) -> AwsResult<Vec<(String, String)>> {
    let tags: Vec<(String, String)> = form_urlencoded::parse(value.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if tags.len() > 10 {
        return Err(AwsError::new(
            S3::BadRequest,
            "Object tags cannot be greater than 10",
        ));
    }
    if tags.iter().any(|(k, _)| k.is_empty()) {
        return Err(AwsError::new(
            S3::InvalidTag,
            "The TagKey you have provided is invalid",
        ));
    }
    Ok(tags)
}

/// `s3:ExistingObjectTag/*` for an object that exists.
pub fn existing_tag_context(object: Option<&Object>) -> RequestContext {
    let mut context = RequestContext::new();
    for (k, v) in object.map(|o| o.tags.as_slice()).unwrap_or_default() {
        context.set(&format!("s3:ExistingObjectTag/{k}"), v.clone());
    }
    context
}

/// Name/value pairs (headers, metadata, tags).
pub type Pairs = Vec<(String, String)>;

/// The content type, stored headers and `x-amz-meta-*` of an upload request.
pub fn upload_headers(r: &S3Request) -> (String, Pairs, Pairs) {
    let req = r.ctx.req;
    let content_type = req
        .header("content-type")
        .unwrap_or("binary/octet-stream")
        .to_string();
    let mut headers = Vec::new();
    for name in STORED_HEADERS {
        if let Some(value) = req.header(name) {
            // `aws-chunked` is transfer framing, not the object's encoding.
            let value: String = if *name == "content-encoding" {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|e| !e.eq_ignore_ascii_case("aws-chunked"))
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                value.to_string()
            };
            if !value.is_empty() {
                headers.push(((*name).to_string(), value));
            }
        }
    }
    let metadata = req
        .headers
        .iter()
        .filter_map(|(n, v)| {
            let n = n.to_ascii_lowercase();
            n.strip_prefix("x-amz-meta-").map(|m| (m.to_string(), v.clone()))
        })
        .collect();
    (content_type, headers, metadata)
}

/// KeyTooLongError for keys over 1024 bytes.
pub fn check_key(key: &str) -> AwsResult<()> {
    if key.len() > MAX_KEY_BYTES {
        return Err(AwsError::new(S3::KeyTooLongError, "Your key is too long"));
    }
    Ok(())
}

/// PutObject (a PUT with `x-amz-copy-source` is CopyObject, routed to
/// `copy::copy_object`).
pub fn put_object(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    check_key(&key)?;
    let tags = r
        .header("x-amz-tagging")
        .map(tagging_header)
        .transpose()?
        .unwrap_or_default();
    let (protection, written) = {
        let state = r.ctx.shared.state();
        let bucket = find_bucket(&state, &bucket_name)?;
        let mut context = RequestContext::new();
        for (k, v) in &tags {
            context.set(&format!("s3:RequestObjectTag/{k}"), v.clone());
        }
        if !tags.is_empty() {
            context.set_multi("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()));
        }
        r.authorize_op(&state, Some(bucket), context)?;
        authorize_upload_extras(r, &state, bucket, !tags.is_empty())?;
        let written = super::acl::for_upload_request(r, &state, bucket)?;
        let now = r.ctx.shared.now();
        let protection = protection::for_upload(r, bucket, now)?;
        write_precondition(r, super::lifecycle::live(bucket, &key, now))?;
        (protection, written)
    };
    // The body is stored without holding the state lock.
    let stored = body::ingest(r)?;
    let (content_type, headers, metadata) = upload_headers(r);
    let object = Object {
        key: key.clone(),
        version_id: None,
        body: stored.body.clone(),
        size: stored.size,
        etag: stored.etag(),
        last_modified: r.ctx.shared.now(),
        content_type,
        headers,
        metadata,
        tags,
        checksum: stored.checksum.clone(),
        storage_class: r.header("x-amz-storage-class").unwrap_or("STANDARD").to_string(),
        part_sizes: Vec::new(),
        protection,
        owner: written.owner,
        acl: written.acl,
    };
    let now = r.ctx.shared.now();
    let mut state = r.ctx.shared.state();
    let bucket = state
        .buckets
        .get_mut(&bucket_name)
        .ok_or_else(|| no_such_bucket(&bucket_name))?;
    // Checked again now that the body is in: another writer may have won.
    write_precondition(r, super::lifecycle::live(bucket, &key, now))?;
    let protection = object.protection.clone();
    let written = versions::store(bucket, Version::Object(Box::new(object)), now);
    // The replaced bodies' files go once the lock is released.
    drop(state);
    drop(written.replaced);
    Ok(put_reply(&stored, &protection, written.version_id.as_deref()))
}

fn put_reply(stored: &Stored, protection: &Protection, version_id: Option<&str>) -> HttpResponse {
    let mut response = empty(200).with_header("etag", &stored.etag());
    if let Some(id) = version_id {
        response = response.with_header("x-amz-version-id", id);
    }
    if let Some((name, value)) = &stored.checksum {
        response = response.with_header(name, value);
    }
    for (name, value) in protection::encryption_headers(protection) {
        response = response.with_header(name, &value);
    }
    response
}

/// The further permissions an upload needs: `s3:PutObjectTagging` for
/// tags, `s3:PutObjectRetention` / `s3:PutObjectLegalHold` for Object Lock
/// headers (the row names them).
pub fn authorize_upload_extras(r: &S3Request, state: &State, bucket: &Bucket, tagged: bool) -> AwsResult<()> {
    for (asked, need) in [
        (tagged, Also::Tagging),
        (protection::asks_retention(r), Also::Retention),
        (protection::asks_legal_hold(r), Also::LegalHold),
    ] {
        if asked {
            r.authorize_also(state, need, None, Some(bucket), RequestContext::new())?;
        }
    }
    Ok(())
}

/// 404 NoSuchKey for callers allowed to list the bucket, 403 otherwise, as
/// S3 does ("If you don't have the s3:ListBucket permission, Amazon S3
/// returns an HTTP status code 403").
pub fn missing_key(r: &S3Request, state: &State, bucket: &Bucket, key: &str) -> AwsError {
    match r.may_list(state, bucket) {
        Ok(()) => AwsError::new(S3::NoSuchKey, "The specified key does not exist.").with_detail("Key", key),
        Err(denied) => denied,
    }
}

/// GetObject (`with_body`) and HeadObject, of the current version or the
/// one `versionId` names.
pub fn get_object(r: &S3Request, with_body: bool) -> AwsResult<HttpResponse> {
    let key = r.key_name()?.to_string();
    if super::anonymous(r.caller) && r.query.iter().any(|(k, _)| k.starts_with("response-")) {
        return Err(AwsError::new(
            S3::InvalidRequest,
            "Request specific response headers cannot be used for anonymous GET requests.",
        ));
    }
    let wanted = versions::requested(r)?;
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    let reached = versions::reach(bucket, &key, wanted.as_ref(), r.ctx.shared.now());
    r.authorize_op(&state, Some(bucket), existing_tag_context(reached.object()))?;
    let (_, object) = versions::readable(r, &state, bucket, &key, wanted.as_ref(), reached)?;
    let object = object.clone();
    let version_header = versions::id_header(bucket, object.version_id.as_deref());
    drop(state);
    protection::check_read(r, &object.protection, "x-amz-")?;
    if let Some(status) = precondition(r, &object)? {
        return Ok(empty(status)
            .with_header("etag", &object.etag)
            .with_header("last-modified", &http_date(object.last_modified)));
    }
    let range = match (r.header("range"), r.param("partNumber")) {
        (Some(_), Some(_)) => {
            return Err(AwsError::new(
                S3::InvalidRequest,
                "Cannot specify both Range header and partNumber query parameter",
            ))
        }
        (Some(value), None) => parse_range(value, object.size)?,
        (None, Some(number)) => Some(part_range(&object, number)?),
        (None, None) => None,
    };
    let (status, offset, len) = match range {
        Some((start, end)) => (206, start, end - start + 1),
        None => (200, 0, object.size),
    };
    // A checksum covers the whole object; S3 sends none with a range.
    let headers = object_headers(r, &object, status == 200);
    let content_type = headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map_or(object.content_type.as_str(), |(_, v)| v.as_str());
    let mut response = HttpResponse::new(status, content_type, bytes::Bytes::new());
    for (name, value) in headers.iter().filter(|(n, _)| n != "content-type") {
        response = response.with_header(name, value);
    }
    if r.has("partNumber") && !object.part_sizes.is_empty() {
        response = response.with_header("x-amz-mp-parts-count", &object.part_sizes.len().to_string());
    }
    if status == 206 {
        response = response.with_header(
            "content-range",
            &format!("bytes {offset}-{}/{}", offset + len - 1, object.size),
        );
    }
    response = response.with_header("content-length", &len.to_string());
    if let Some((name, value)) = version_header {
        response = response.with_header(name, &value);
    }
    if with_body && len > 0 {
        match &object.body {
            Body::Memory(bytes) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
                let end = usize::try_from(offset + len)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                response.body = bytes.slice(start..end);
            }
            Body::File(file) => {
                let file = FileBody::open(&file.path, offset, len).map_err(|e| {
                    AwsError::new(
                        Common::InternalError,
                        format!("We encountered an internal error. Please try again. ({e})"),
                    )
                })?;
                response.file = Some(file);
            }
        }
    }
    Ok(response)
}

/// The headers S3 returns for an object, with `response-*` overrides.
fn object_headers(r: &S3Request, object: &Object, with_checksum: bool) -> Vec<(String, String)> {
    let mut out = vec![
        ("etag".to_string(), object.etag.clone()),
        ("last-modified".to_string(), http_date(object.last_modified)),
        ("accept-ranges".to_string(), "bytes".to_string()),
    ];
    out.extend(object.headers.iter().cloned());
    for (k, v) in &object.metadata {
        out.push((format!("x-amz-meta-{k}"), v.clone()));
    }
    if !object.tags.is_empty() {
        out.push(("x-amz-tagging-count".into(), object.tags.len().to_string()));
    }
    for (name, value) in protection::encryption_headers(&object.protection)
        .into_iter()
        .chain(protection::lock_headers(&object.protection))
    {
        out.push((name.to_string(), value));
    }
    if object.storage_class != "STANDARD" {
        out.push(("x-amz-storage-class".into(), object.storage_class.clone()));
    }
    if with_checksum
        && r.header("x-amz-checksum-mode")
            .is_some_and(|m| m.eq_ignore_ascii_case("ENABLED"))
    {
        if let Some((name, value)) = &object.checksum {
            out.push((name.clone(), value.clone()));
            // A composite checksum of a multipart object ends in `-N`.
            let kind = if value.contains('-') {
                "COMPOSITE"
            } else {
                "FULL_OBJECT"
            };
            out.push(("x-amz-checksum-type".into(), kind.into()));
        }
    }
    for (param, header) in [
        ("response-content-type", "content-type"),
        ("response-content-language", "content-language"),
        ("response-expires", "expires"),
        ("response-cache-control", "cache-control"),
        ("response-content-disposition", "content-disposition"),
        ("response-content-encoding", "content-encoding"),
    ] {
        if let Some(value) = r.param(param) {
            out.retain(|(n, _)| n != header);
            out.push((header.to_string(), value.to_string()));
        }
    }
    out
}

/// Conditional requests (RFC 7232 as S3 applies them): `Some(304 | 412)`
/// when the request must not get the object.
fn precondition(r: &S3Request, object: &Object) -> AwsResult<Option<u16>> {
    let etag_matches = |list: &str| {
        list.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t == object.etag || t.trim_matches('"') == object.etag.trim_matches('"'))
    };
    let modified = object.last_modified;
    let if_match = r.header("if-match").map(etag_matches);
    let if_unmodified = r
        .header("if-unmodified-since")
        .and_then(parse_http_date)
        .map(|t| modified <= t);
    let if_none_match = r.header("if-none-match").map(etag_matches);
    let if_modified = r
        .header("if-modified-since")
        .and_then(parse_http_date)
        .map(|t| modified > t);
    let failed = if if_match == Some(false) {
        Some("If-Match")
    } else if if_match.is_none() && if_unmodified == Some(false) {
        Some("If-Unmodified-Since")
    } else {
        None
    };
    if let Some(condition) = failed {
        return Err(precondition_failed(condition));
    }
    if if_none_match == Some(true) || (if_none_match.is_none() && if_modified == Some(false)) {
        return Ok(Some(304));
    }
    Ok(None)
}

/// 412, naming the header whose condition did not hold.
pub fn precondition_failed(condition: &str) -> AwsError {
    AwsError::new(
        S3::PreconditionFailed,
        "At least one of the pre-conditions you specified did not hold",
    )
    .with_detail("Condition", condition)
}

/// Conditional writes: `If-None-Match: *` refuses to overwrite an existing
/// key, `If-Match: ETAG` to write over anything but that version.
pub fn write_precondition(r: &S3Request, existing: Option<&Object>) -> AwsResult<()> {
    if let Some(value) = r.header("if-none-match") {
        if value.trim() == "*" && existing.is_some() {
            return Err(precondition_failed("If-None-Match"));
        }
    }
    if let Some(value) = r.header("if-match") {
        let matches = existing.is_some_and(|o| {
            value
                .split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_matches('"') == o.etag.trim_matches('"'))
        });
        if !matches {
            return Err(match existing {
                Some(_) => precondition_failed("If-Match"),
                None => AwsError::new(S3::NoSuchKey, "The specified key does not exist.")
                    .with_detail("Key", r.key.clone().unwrap_or_default()),
            });
        }
    }
    Ok(())
}

/// An RFC 1123 date (`If-Modified-Since` and the like).
pub fn parse_http_date(text: &str) -> Option<time::OffsetDateTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text.trim(), &format)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// `?partNumber=N`: the byte range of part N of an object completed from
/// parts (a single-part object has one part, the whole object).
fn part_range(object: &Object, number: &str) -> AwsResult<(u64, u64)> {
    let n = number
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            AwsError::new(
                S3::InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        })?;
    let single = [object.size];
    let sizes = if object.part_sizes.is_empty() {
        &single[..]
    } else {
        &object.part_sizes[..]
    };
    let size = *sizes.get(n - 1).filter(|s| **s > 0).ok_or_else(|| {
        AwsError::new(
            S3::InvalidPartNumber,
            "The requested partnumber is not satisfiable",
        )
    })?;
    let start: u64 = sizes[..n - 1].iter().sum();
    Ok((start, start + size - 1))
}

/// `Range: bytes=a-b | a- | -n` → inclusive byte positions. Several ranges
/// or a malformed header serve the whole object, as S3 does; a range past
/// the end is 416 InvalidRange.
pub fn parse_range(value: &str, size: u64) -> AwsResult<Option<(u64, u64)>> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((start, end)) = spec.split_once('-') else {
        return Ok(None);
    };
    let unsatisfiable = || {
        AwsError::new(S3::InvalidRange, "The requested range is not satisfiable")
            .with_detail("RangeRequested", value.trim())
            .with_detail("ActualObjectSize", size.to_string())
    };
    let range = match (start.trim(), end.trim()) {
        ("", "") => return Ok(None),
        ("", suffix) => {
            let n: u64 = match suffix.parse() {
                Ok(n) => n,
                Err(_) => return Ok(None),
            };
            if n == 0 || size == 0 {
                return Err(unsatisfiable());
            }
            (size.saturating_sub(n), size - 1)
        }
        (start, end) => {
            let Ok(start) = start.parse::<u64>() else {
                return Ok(None);
            };
            let end = if end.is_empty() {
                size.saturating_sub(1)
            } else {
                match end.parse::<u64>() {
                    Ok(e) => e.min(size.saturating_sub(1)),
                    Err(_) => return Ok(None),
                }
            };
            if start >= size {
                return Err(unsatisfiable());
            }
            if end < start {
                return Ok(None);
            }
            (start, end)
        }
    };
    Ok(Some(range))
}

/// DeleteObject: without a version, the object of an unversioned bucket
/// or a delete marker on top; with one, that version for good (Object
/// Lock and MFA delete permitting).
pub fn delete_object(r: &S3Request) -> AwsResult<HttpResponse> {
    let key = r.key_name()?.to_string();
    let bucket_name = r.bucket_name()?.to_string();
    let wanted = versions::requested(r)?;
    let now = r.ctx.shared.now();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &bucket_name)?;
    let target = versions::removed_by_delete(bucket, &key, wanted.as_ref(), now);
    r.authorize_op(&state, Some(bucket), existing_tag_context(target))?;
    super::lock::check_delete(r, &state, bucket, target)?;
    if wanted.is_some() && bucket.mfa_delete_enabled() {
        super::mfa_delete::check(r, &mut state)?;
    }
    let bucket = state
        .buckets
        .get_mut(&bucket_name)
        .ok_or_else(|| no_such_bucket(&bucket_name))?;
    let deleted = versions::delete(bucket, &key, wanted.as_ref(), now, r.account());
    // The bodies' files go once the lock is released.
    drop(state);
    let mut reply = empty(204);
    if deleted.delete_marker {
        reply = reply.with_header("x-amz-delete-marker", "true");
    }
    if let Some(id) = &deleted.version_id {
        reply = reply.with_header("x-amz-version-id", id);
    }
    drop(deleted.removed);
    Ok(reply)
}

/// The largest XML request document read (DeleteObjects of 1000 long keys fits).
const MAX_DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

/// A request's XML document, wherever the body is (large ones are spooled).
pub fn request_body(r: &S3Request) -> AwsResult<bytes::Bytes> {
    let req = r.ctx.req;
    if req.spooled.is_none() {
        return Ok(req.body.clone());
    }
    if req.body_len() > MAX_DOCUMENT_BYTES {
        return Err(AwsError::new(
            S3::MaxMessageLengthExceeded,
            "Your request was too big.",
        ));
    }
    let mut out = Vec::new();
    req.body_reader()
        .and_then(|mut reader| std::io::Read::read_to_end(&mut reader, &mut out))
        .map_err(|e| {
            AwsError::new(
                Common::InternalError,
                format!("We encountered an internal error. Please try again. ({e})"),
            )
        })?;
    Ok(out.into())
}

/// The date S3 lists an object with.
pub fn listed_date(object: &Object) -> String {
    s3_date(object.last_modified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100).unwrap(), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100).unwrap(), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100).unwrap(), Some((90, 99)));
        assert_eq!(parse_range("bytes=50-500", 100).unwrap(), Some((50, 99)));
        assert_eq!(parse_range("bytes=0-1,5-6", 100).unwrap(), None);
        assert_eq!(parse_range("items=0-1", 100).unwrap(), None);
        assert_eq!(parse_range("bytes=100-", 100).unwrap_err().status, 416);
        assert_eq!(parse_range("bytes=-5", 0).unwrap_err().status, 416);
    }
}
