//! Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
//! CompleteMultipartUpload, AbortMultipartUpload, ListParts and
//! ListMultipartUploads.
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
//! Authorization as the Service Authorization Reference maps it: the part
//! and completion requests are `s3:PutObject`, abort is
//! `s3:AbortMultipartUpload`, ListParts `s3:ListMultipartUploadParts`,
//! ListMultipartUploads `s3:ListBucketMultipartUploads` on the bucket.

use super::bucket::{malformed_xml, s3_date};
use super::internal;
use super::object::{self, tagging_header, upload_headers};
use super::tagging::request_tag_context;
use super::{body, canonical_id, copy, empty, find_bucket, no_such_bucket, xml_reply, S3Request};
use crate::checksum::{self, ChecksumAlgorithm, Hasher};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::{self, Xml};
use crate::state::s3::{Body, Bucket, Object, Part, Upload};
use crate::state::State;
use base64::Engine;
use iam_evaluator::RequestContext;
use md5::{Digest as _, Md5};
use std::io::{Read, Write};

/// The smallest size of a part that is not the last one.
const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// Part numbers go from 1 to 10000.
const MAX_PART_NUMBER: u32 = 10_000;
/// The most parts or uploads one listing returns.
const MAX_LISTED: u64 = 1000;

pub fn no_such_upload() -> AwsError {
    AwsError::new(S3::NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
}

fn invalid_part() -> AwsError {
    AwsError::new(S3::InvalidPart,
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    )
}

fn invalid_part_order() -> AwsError {
    AwsError::new(
        S3::InvalidPartOrder,
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
    )
}

fn invalid_request(message: impl Into<String>) -> AwsError {
    AwsError::new(S3::InvalidRequest, message)
}

// ---- checksums -------------------------------------------------------

/// The element that carries a checksum in XML (`ChecksumCRC32`).
pub fn checksum_element(algorithm: ChecksumAlgorithm) -> String {
    format!("Checksum{}", algorithm.name())
}

/// The algorithm of a stored `(header, value)` checksum.
pub fn stored_algorithm(checksum: &(String, String)) -> Option<ChecksumAlgorithm> {
    ChecksumAlgorithm::from_header_name(&checksum.0)
}

/// The upload's checksum algorithm, if it has one.
fn upload_algorithm(upload: &Upload) -> Option<ChecksumAlgorithm> {
    upload
        .checksum_algorithm
        .as_deref()
        .and_then(ChecksumAlgorithm::from_name)
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
    invalid_request(
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
    )
}

fn type_mismatch(expected: ChecksumAlgorithm, actual: ChecksumAlgorithm) -> AwsError {
    invalid_request(format!(
        "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
        expected.name().to_ascii_lowercase(),
        actual.name().to_ascii_lowercase()
    ))
}

/// The checksum algorithm and type a CreateMultipartUpload asks for; the
/// type defaults to FULL_OBJECT for CRC64NVME and COMPOSITE otherwise.
fn requested_checksum(r: &S3Request) -> AwsResult<Option<(ChecksumAlgorithm, &'static str)>> {
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
fn part_checksum(
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

// ---- create, parts, abort ---------------------------------------------

/// A new upload id: 64 URL-safe characters, as long as S3's.
fn new_upload_id() -> String {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `s3:PutObject` (and `s3:PutObjectTagging` when tags come along).
fn authorize_put(r: &S3Request, state: &State, bucket: &Bucket, tags: &[(String, String)]) -> AwsResult<()> {
    let arn = r.object_arn()?;
    r.authorize(
        state,
        "s3:PutObject",
        &arn,
        Some(bucket),
        request_tag_context(tags),
    )?;
    if !tags.is_empty() {
        r.authorize(
            state,
            "s3:PutObjectTagging",
            &arn,
            Some(bucket),
            RequestContext::new(),
        )?;
    }
    Ok(())
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
    Ok(response)
}

/// The `partNumber` of the request: 1 to 10000.
fn part_number(r: &S3Request) -> AwsResult<u32> {
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

fn upload_id(r: &S3Request) -> String {
    r.param("uploadId").unwrap_or_default().to_string()
}

/// The upload with this id, for the request's key.
fn find_upload<'b>(bucket: &'b Bucket, id: &str, key: &str) -> AwsResult<&'b Upload> {
    bucket
        .uploads
        .get(id)
        .filter(|u| u.key == key)
        .ok_or_else(no_such_upload)
}

/// Authorizes `action` on the request's object and finds its upload;
/// returns the upload's checksum algorithm.
fn authorize_upload(r: &S3Request, action: &str) -> AwsResult<Option<ChecksumAlgorithm>> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize(
        &state,
        action,
        &r.object_arn()?,
        Some(bucket),
        RequestContext::new(),
    )?;
    let upload = find_upload(bucket, &upload_id(r), r.key_name()?)?;
    Ok(upload_algorithm(upload))
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
    let algorithm = authorize_upload(r, "s3:PutObject")?;
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
    let algorithm = authorize_upload(r, "s3:PutObject")?;
    let (_, source) = copy::source_object(r)?;
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
    Ok(xml_reply("CopyPartResult", |x| {
        x.elem("LastModified", &s3_date(now));
        x.elem("ETag", &etag);
        if let Some((algorithm, value)) = checksum.as_ref().and_then(|c| Some((stored_algorithm(c)?, &c.1))) {
            x.elem(&checksum_element(algorithm), value);
        }
    }))
}

pub fn abort_multipart_upload(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    let id = upload_id(r);
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &bucket_name)?;
    r.authorize(
        &state,
        "s3:AbortMultipartUpload",
        &r.object_arn()?,
        Some(bucket),
        RequestContext::new(),
    )?;
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

// ---- complete ------------------------------------------------------------

/// One `<Part>` of a CompleteMultipartUpload document.
struct Listed {
    number: u32,
    etag: String,
    /// The `Checksum*` elements: algorithm and base64 value.
    checksums: Vec<(ChecksumAlgorithm, String)>,
}

/// Reads `<CompleteMultipartUpload><Part><PartNumber>…<ETag>…`: at least
/// one part, each with a number ≥ 1 and an ETag, in ascending order.
fn read_completion(body: &[u8]) -> AwsResult<Vec<Listed>> {
    let doc = xml::parse(body).ok_or_else(malformed_xml)?;
    if doc.name != "CompleteMultipartUpload" {
        return Err(malformed_xml());
    }
    let mut listed: Vec<Listed> = Vec::new();
    for part in doc.all("Part") {
        let number: i64 = part
            .text_of("PartNumber")
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(malformed_xml)?;
        let etag = part.text_of("ETag").ok_or_else(malformed_xml)?.trim().to_string();
        if number < 1 {
            return Err(AwsError::new(S3::InvalidArgument, "PartNumber must be >= 1"));
        }
        // Numbers above 10000 name no part: InvalidPart later.
        let number = u32::try_from(number).unwrap_or(u32::MAX);
        let checksums = ChecksumAlgorithm::ALL
            .into_iter()
            .filter_map(|a| {
                part.text_of(&checksum_element(a))
                    .map(|v| (a, v.trim().to_string()))
            })
            .collect();
        listed.push(Listed {
            number,
            etag,
            checksums,
        });
    }
    if listed.is_empty() {
        return Err(malformed_xml());
    }
    if listed.windows(2).any(|w| w[0].number >= w[1].number) {
        return Err(invalid_part_order());
    }
    Ok(listed)
}

/// The uploaded parts the list names, checked as S3 checks them.
fn chosen_parts(upload: &Upload, listed: &[Listed]) -> AwsResult<Vec<Part>> {
    let unquote = |t: &str| t.trim().trim_matches('"').to_string();
    let mut parts = Vec::with_capacity(listed.len());
    for item in listed {
        let part = upload
            .parts
            .get(&item.number)
            .filter(|p| unquote(&p.etag) == unquote(&item.etag))
            .ok_or_else(invalid_part)?;
        if let Some(algorithm) = upload_algorithm(upload) {
            check_part_checksum(algorithm, part, item)?;
        }
        parts.push(part.clone());
    }
    // With a checksum algorithm the parts are 1, 2, … without gaps.
    if upload.checksum_algorithm.is_some()
        && listed
            .iter()
            .zip(1u32..)
            .any(|(item, expected)| item.number != expected)
    {
        return Err(invalid_part_order());
    }
    if parts[..parts.len() - 1].iter().any(|p| p.size < MIN_PART_SIZE) {
        return Err(AwsError::new(
            S3::EntityTooSmall,
            "Your proposed upload is smaller than the minimum allowed size",
        ));
    }
    Ok(parts)
}

/// A listed part's checksum must be there and be the part's.
fn check_part_checksum(algorithm: ChecksumAlgorithm, part: &Part, item: &Listed) -> AwsResult<()> {
    match item.checksums.iter().find(|(a, _)| *a == algorithm) {
        Some((_, value)) => {
            if part.checksum.as_ref().map(|(_, v)| v.as_str()) != Some(value.as_str()) {
                return Err(invalid_part());
            }
            Ok(())
        }
        None if !item.checksums.is_empty() => Err(invalid_part()),
        None => Err(invalid_request(format!(
            "The upload was created using a {} checksum. The complete request must include the checksum for each part. It was missing for part {} in the request.",
            algorithm.name().to_ascii_lowercase(),
            item.number
        ))),
    }
}

/// The whole-object checksum the request claims, checked for algorithm and
/// mode against the upload's.
fn claimed_checksum(r: &S3Request, upload: &Upload) -> AwsResult<Option<String>> {
    let Some(algorithm) = upload_algorithm(upload) else {
        return Ok(None);
    };
    let kind = upload.checksum_type.as_deref().unwrap_or("COMPOSITE");
    if let Some(claimed) = r.header("x-amz-checksum-type") {
        if !claimed.eq_ignore_ascii_case(kind) {
            return Err(AwsError::new(S3::BadDigest,
                format!("The upload was created using the {kind} checksum mode. The complete request must use the same checksum mode."),
            ));
        }
    }
    match checksum::checksum_header(&r.ctx.req.headers)? {
        Some((sent, _)) if sent != algorithm => Err(type_mismatch(algorithm, sent)),
        sent => Ok(sent.map(|(_, value)| value)),
    }
}

/// If-None-Match `*` and If-Match on the key being written.
pub fn write_conditions(r: &S3Request, bucket: &Bucket, key: &str) -> AwsResult<()> {
    let failed = || {
        AwsError::new(
            S3::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        )
    };
    let existing = bucket.objects.get(key);
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

/// What completing needs, taken under the lock.
struct Plan {
    upload: Upload,
    parts: Vec<Part>,
    claimed: Option<String>,
}

fn plan_completion(r: &S3Request, listed: &[Listed]) -> AwsResult<Plan> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize(
        &state,
        "s3:PutObject",
        &r.object_arn()?,
        Some(bucket),
        RequestContext::new(),
    )?;
    let key = r.key_name()?;
    let upload = find_upload(bucket, &upload_id(r), key)?;
    let parts = chosen_parts(upload, listed)?;
    let claimed = claimed_checksum(r, upload)?;
    write_conditions(r, bucket, key)?;
    let upload = Upload {
        parts: std::collections::BTreeMap::new(),
        ..upload.clone()
    };
    Ok(Plan {
        upload,
        parts,
        claimed,
    })
}

/// Streams the part files into a new file; returns the body and, for a
/// full-object checksum, the digest of the whole.
fn concatenate(
    r: &S3Request,
    parts: &[Part],
    full: Option<ChecksumAlgorithm>,
) -> AwsResult<(Body, Option<String>)> {
    let path = r.ctx.shared.scratch.object_path();
    let result = write_concatenation(&path, parts, full);
    match result {
        Ok((len, digest)) => Ok((
            r.ctx
                .shared
                .scratch
                .seal(path, len)
                .map_err(|e| internal(&e))?
                .into(),
            digest,
        )),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(internal(&e))
        }
    }
}

fn write_concatenation(
    path: &std::path::Path,
    parts: &[Part],
    full: Option<ChecksumAlgorithm>,
) -> std::io::Result<(u64, Option<String>)> {
    let mut out = std::fs::File::create(path)?;
    let mut running = full.map(ChecksumAlgorithm::hasher);
    let mut len = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for part in parts {
        let mut input = part.body.reader()?;
        match running.as_mut() {
            // Kernel-side copy where the platform has one.
            None => len += std::io::copy(&mut input, &mut out)?,
            Some(running) => loop {
                let n = input.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                running.update(&buf[..n]);
                out.write_all(&buf[..n])?;
                len += n as u64;
            },
        }
    }
    out.flush()?;
    Ok((len, running.map(Hasher::finish)))
}

/// The object's checksum: composite (digest of the parts' digests, `-N`)
/// or full-object.
fn object_checksum(plan: &Plan, full: Option<String>) -> AwsResult<Option<(String, String)>> {
    let Some(algorithm) = upload_algorithm(&plan.upload) else {
        return Ok(None);
    };
    let value = if let Some(full) = full {
        full
    } else {
        let mut hasher = algorithm.hasher();
        for part in &plan.parts {
            let digest = part
                .checksum
                .as_ref()
                .and_then(|(_, v)| algorithm.decode(v))
                .ok_or_else(invalid_part)?;
            hasher.update(&digest);
        }
        format!("{}-{}", hasher.finish(), plan.parts.len())
    };
    if let Some(claimed) = &plan.claimed {
        let bare = value.split('-').next().unwrap_or_default();
        if claimed != &value && claimed != bare {
            return Err(checksum::bad_checksum(algorithm));
        }
    }
    Ok(Some((algorithm.header_name().to_string(), value)))
}

/// `"hex(md5(concatenated part md5s))-N"`.
fn multipart_etag(parts: &[Part]) -> String {
    let mut md5 = Md5::new();
    for part in parts {
        md5.update(part.md5);
    }
    format!("\"{}-{}\"", hex::encode(md5.finalize()), parts.len())
}

/// The object's URL as S3 gives it in `Location` (the key fully encoded).
fn location(r: &S3Request, bucket: &str, key: &str) -> String {
    const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    let host = r.header("host").unwrap_or("localhost");
    let key = percent_encoding::utf8_percent_encode(key, COMPONENT);
    if host.starts_with(&format!("{bucket}.")) {
        format!("http://{host}/{key}")
    } else {
        format!("http://{host}/{bucket}/{key}")
    }
}

pub fn complete_multipart_upload(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    let document = object::request_body(r)?;
    let listed = read_completion(&document)?;
    let plan = plan_completion(r, &listed)?;
    let size: u64 = plan.parts.iter().map(|p| p.size).sum();
    if let Some(claimed) = r.header("x-amz-mp-object-size") {
        if claimed.trim().parse::<u64>().ok() != Some(size) {
            return Err(invalid_request(
                "The provided 'x-amz-mp-object-size' header does not match what was computed",
            ));
        }
    }
    let full = upload_algorithm(&plan.upload)
        .filter(|_| plan.upload.checksum_type.as_deref() == Some("FULL_OBJECT"));
    // The parts are copied without holding the state lock.
    let (body, full_digest) = concatenate(r, &plan.parts, full)?;
    let checksum = object_checksum(&plan, full_digest)?;
    let etag = multipart_etag(&plan.parts);
    let upload = plan.upload;
    let object = Object {
        key: key.clone(),
        body,
        size,
        etag: etag.clone(),
        // S3 dates the object from the start of the upload.
        last_modified: upload.initiated,
        content_type: upload.content_type,
        headers: upload.headers,
        metadata: upload.metadata,
        tags: upload.tags,
        checksum: checksum.clone(),
        storage_class: upload.storage_class,
        part_sizes: plan.parts.iter().map(|p| p.size).collect(),
    };
    let (finished, replaced) = commit(r, &upload.id, object)?;
    drop((finished, replaced));
    Ok(xml_reply("CompleteMultipartUploadResult", |x| {
        x.elem("Location", &location(r, &bucket_name, &key));
        x.elem("Bucket", &bucket_name);
        x.elem("Key", &key);
        x.elem("ETag", &etag);
        if let Some((algorithm, value)) = checksum.as_ref().and_then(|c| Some((stored_algorithm(c)?, &c.1))) {
            x.elem(&checksum_element(algorithm), value);
            x.opt("ChecksumType", upload.checksum_type.as_deref());
        }
    }))
}

/// Ends the upload and stores its object; returns what they replace (to be
/// dropped once the lock is released).
fn commit(r: &S3Request, id: &str, object: Object) -> AwsResult<(Upload, Option<Object>)> {
    let bucket_name = r.bucket_name()?;
    let mut state = r.ctx.shared.state();
    let bucket = state
        .buckets
        .get_mut(bucket_name)
        .ok_or_else(|| no_such_bucket(bucket_name))?;
    // Aborted or completed meanwhile?
    find_upload(bucket, id, &object.key)?;
    write_conditions(r, bucket, &object.key)?;
    let finished = bucket.uploads.remove(id).ok_or_else(no_such_upload)?;
    let replaced = bucket.objects.insert(object.key.clone(), object);
    Ok((finished, replaced))
}

// ---- listings ------------------------------------------------------------

/// A listing parameter: an integer from 0 to 2147483647.
fn list_argument(r: &S3Request, name: &str) -> AwsResult<Option<u64>> {
    r.param(name)
        .map(|v| {
            v.parse::<u64>()
                .ok()
                .filter(|n| *n <= 2_147_483_647)
                .ok_or_else(|| {
                    AwsError::new(
                        S3::InvalidArgument,
                        format!("Argument {name} must be an integer between 0 and 2147483647"),
                    )
                })
        })
        .transpose()
}

/// The upload's initiator as S3 names it: a canonical user id for a root
/// user, the ARN for anyone else.
fn initiator_id(upload: &Upload) -> String {
    let arn = &upload.initiator_arn;
    if arn.ends_with(":root") {
        canonical_id(&arn_account(arn))
    } else {
        arn.clone()
    }
}

/// The account field of an ARN.
fn arn_account(arn: &str) -> String {
    arn.split(':').nth(4).unwrap_or_default().to_string()
}

fn initiator_and_owner(x: &mut Xml, upload: &Upload) {
    x.with("Initiator", |x| {
        x.elem("ID", &initiator_id(upload));
    });
    x.with("Owner", |x| {
        x.elem("ID", &canonical_id(&arn_account(&upload.initiator_arn)));
    });
}

fn checksum_elements(x: &mut Xml, upload: &Upload) {
    x.opt("ChecksumAlgorithm", upload.checksum_algorithm.as_deref());
    x.opt("ChecksumType", upload.checksum_type.as_deref());
}

pub fn list_parts(r: &S3Request) -> AwsResult<HttpResponse> {
    let max = list_argument(r, "max-parts")?
        .unwrap_or(MAX_LISTED)
        .min(MAX_LISTED);
    let marker = list_argument(r, "part-number-marker")?.unwrap_or(0);
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize(
        &state,
        "s3:ListMultipartUploadParts",
        &r.object_arn()?,
        Some(bucket),
        RequestContext::new(),
    )?;
    let upload = find_upload(bucket, &upload_id(r), r.key_name()?)?;
    let mut after = upload.parts.values().filter(|p| u64::from(p.number) > marker);
    let page: Vec<&Part> = after
        .by_ref()
        .take(usize::try_from(max).unwrap_or(usize::MAX))
        .collect();
    let truncated = max > 0 && after.next().is_some();
    let next = page.last().map_or(marker, |p| u64::from(p.number));
    Ok(xml_reply("ListPartsResult", |x| {
        x.elem("Bucket", &bucket.name);
        x.elem("Key", &upload.key);
        x.elem("UploadId", &upload.id);
        x.elem("PartNumberMarker", &marker.to_string());
        x.elem("NextPartNumberMarker", &next.to_string());
        x.elem("MaxParts", &max.to_string());
        x.elem("IsTruncated", if truncated { "true" } else { "false" });
        for part in &page {
            x.with("Part", |x| {
                x.elem("PartNumber", &part.number.to_string());
                x.elem("LastModified", &s3_date(part.last_modified));
                x.elem("ETag", &part.etag);
                x.elem("Size", &part.size.to_string());
                if let Some((algorithm, value)) = part
                    .checksum
                    .as_ref()
                    .and_then(|c| Some((stored_algorithm(c)?, &c.1)))
                {
                    x.elem(&checksum_element(algorithm), value);
                }
            });
        }
        initiator_and_owner(x, upload);
        x.elem("StorageClass", &upload.storage_class);
        checksum_elements(x, upload);
    }))
}

/// One entry of ListMultipartUploads: an upload, or a common prefix.
enum Entry<'u> {
    Upload(&'u Upload),
    Prefix(String),
}

/// The query of a ListMultipartUploads.
struct UploadQuery<'q> {
    prefix: &'q str,
    delimiter: Option<&'q str>,
    key_marker: &'q str,
    upload_id_marker: &'q str,
    max: u64,
}

/// The uploads in key order, then by start time; those after the markers,
/// with keys rolled up into common prefixes at the delimiter.
fn list_uploads<'b>(bucket: &'b Bucket, q: &UploadQuery) -> (Vec<Entry<'b>>, bool) {
    let mut sorted: Vec<&Upload> = bucket
        .uploads
        .values()
        .filter(|u| u.key.starts_with(q.prefix))
        .collect();
    sorted.sort_by(|a, b| (&a.key, a.initiated, &a.id).cmp(&(&b.key, b.initiated, &b.id)));
    // S3 reads the upload id marker only together with a key marker.
    let resume = (!q.key_marker.is_empty() && !q.upload_id_marker.is_empty())
        .then(|| {
            sorted
                .iter()
                .position(|u| u.key == q.key_marker && u.id == q.upload_id_marker)
        })
        .flatten();
    let mut entries: Vec<Entry> = Vec::new();
    let mut truncated = false;
    for (index, upload) in sorted.iter().enumerate() {
        let after = match resume {
            Some(at) => index > at,
            None => q.key_marker.is_empty() || upload.key.as_str() > q.key_marker,
        };
        if !after {
            continue;
        }
        let common = q.delimiter.and_then(|d| {
            upload.key[q.prefix.len()..]
                .find(d)
                .map(|at| upload.key[..q.prefix.len() + at + d.len()].to_string())
        });
        if let Some(common) = &common {
            let seen = matches!(entries.last(), Some(Entry::Prefix(p)) if p == common);
            if seen || (!q.key_marker.is_empty() && common.as_str() <= q.key_marker) {
                continue;
            }
        }
        if entries.len() as u64 >= q.max {
            truncated = q.max > 0;
            break;
        }
        entries.push(match common {
            Some(common) => Entry::Prefix(common),
            None => Entry::Upload(upload),
        });
    }
    (entries, truncated)
}

pub fn list_multipart_uploads(r: &S3Request) -> AwsResult<HttpResponse> {
    let enc = super::key_encoder(r)?;
    let query = UploadQuery {
        prefix: r.param("prefix").unwrap_or_default(),
        delimiter: r.param("delimiter").filter(|d| !d.is_empty()),
        key_marker: r.param("key-marker").unwrap_or_default(),
        upload_id_marker: r.param("upload-id-marker").unwrap_or_default(),
        max: list_argument(r, "max-uploads")?
            .unwrap_or(MAX_LISTED)
            .min(MAX_LISTED),
    };
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize(
        &state,
        "s3:ListBucketMultipartUploads",
        &bucket.arn(),
        Some(bucket),
        RequestContext::new(),
    )?;
    let (entries, truncated) = list_uploads(bucket, &query);
    let (next_key, next_id) = match entries.last() {
        Some(Entry::Upload(u)) => (u.key.clone(), u.id.clone()),
        Some(Entry::Prefix(p)) => (p.clone(), String::new()),
        None => (String::new(), String::new()),
    };
    let id_marker = if query.key_marker.is_empty() {
        ""
    } else {
        query.upload_id_marker
    };
    Ok(xml_reply("ListMultipartUploadsResult", |x| {
        x.elem("Bucket", &bucket.name);
        x.elem("KeyMarker", &enc(query.key_marker));
        x.elem("UploadIdMarker", id_marker);
        x.elem("NextKeyMarker", &enc(&next_key));
        x.elem("NextUploadIdMarker", &next_id);
        if let Some(d) = query.delimiter {
            x.elem("Delimiter", &enc(d));
        }
        x.elem("Prefix", &enc(query.prefix));
        x.elem("MaxUploads", &query.max.to_string());
        x.elem("IsTruncated", if truncated { "true" } else { "false" });
        for entry in &entries {
            if let Entry::Upload(upload) = entry {
                x.with("Upload", |x| {
                    x.elem("Key", &enc(&upload.key));
                    x.elem("UploadId", &upload.id);
                    initiator_and_owner(x, upload);
                    x.elem("StorageClass", &upload.storage_class);
                    x.elem("Initiated", &s3_date(upload.initiated));
                    checksum_elements(x, upload);
                });
            }
        }
        for entry in &entries {
            if let Entry::Prefix(p) = entry {
                x.with("CommonPrefixes", |x| {
                    x.elem("Prefix", &enc(p));
                });
            }
        }
        if r.param("encoding-type").is_some() {
            x.elem("EncodingType", "url");
        }
    }))
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

    #[test]
    fn completion_documents() {
        let doc = b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag>\
            <ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><PartNumber>3</PartNumber><ETag>b</ETag></Part>\
            </CompleteMultipartUpload>";
        let listed = read_completion(doc).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(
            listed[0].checksums,
            vec![(ChecksumAlgorithm::Crc32, "AAAAAA==".to_string())]
        );
        let code = |d: &[u8]| read_completion(d).err().map(|e| e.code);
        let part = |n: &str| format!("<Part><PartNumber>{n}</PartNumber><ETag>x</ETag></Part>");
        let doc = |parts: &str| format!("<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>");
        assert_eq!(
            code(doc(&(part("2") + &part("1"))).as_bytes()).as_deref(),
            Some("InvalidPartOrder")
        );
        assert_eq!(
            code(doc(&(part("1") + &part("1"))).as_bytes()).as_deref(),
            Some("InvalidPartOrder")
        );
        assert_eq!(
            code(doc(&part("0")).as_bytes()).as_deref(),
            Some("InvalidArgument")
        );
        assert_eq!(
            code(doc(&part("one")).as_bytes()).as_deref(),
            Some("MalformedXML")
        );
        assert_eq!(code(doc("").as_bytes()).as_deref(), Some("MalformedXML"));
        assert_eq!(code(b"").as_deref(), Some("MalformedXML"));
        assert_eq!(code(b"<Parts></Parts>").as_deref(), Some("MalformedXML"));
    }

    #[test]
    fn etag_of_parts() {
        let part = |md5: [u8; 16]| Part {
            number: 1,
            body: Body::Memory(bytes::Bytes::new()),
            size: 0,
            etag: String::new(),
            md5,
            last_modified: crate::ids::now(),
            checksum: None,
        };
        // md5("") of one part: md5 of the 16 digest bytes, then "-1".
        let empty_md5: [u8; 16] = Md5::digest(b"").into();
        let expected = hex::encode(Md5::digest(empty_md5));
        assert_eq!(multipart_etag(&[part(empty_md5)]), format!("\"{expected}-1\""));
    }
}
