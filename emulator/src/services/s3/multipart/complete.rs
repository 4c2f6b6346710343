//! CompleteMultipartUpload: the list of parts checked as S3 does, the
//! part files streamed into one outside the state lock, the object's ETag
//! and checksum.

use super::super::body::{checksum_element, stored_algorithm, write_conditions};
use super::super::object::{self};
use super::super::versions::{self, Written};
use super::super::{find_bucket, internal, malformed_xml, no_such_bucket, xml_reply, S3Request};
use super::{
    find_upload, invalid_part, invalid_part_order, invalid_request, no_such_upload, type_mismatch,
    upload_algorithm, upload_id, MIN_PART_SIZE,
};
use crate::checksum::{self, ChecksumAlgorithm, Hasher};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::{self};
use crate::state::s3::{Body, Object, Part, Upload};
use crate::state::versions::Version;
use iam_evaluator::RequestContext;
use md5::{Digest as _, Md5};
use std::io::{Read, Write};

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

/// What completing needs, taken under the lock.
struct Plan {
    upload: Upload,
    parts: Vec<Part>,
    claimed: Option<String>,
}

fn plan_completion(r: &S3Request, listed: &[Listed]) -> AwsResult<Plan> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
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
        version_id: None,
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
        protection: upload.protection.clone(),
        owner: upload.owner.clone(),
        acl: upload.acl.clone(),
    };
    let encryption = super::super::protection::encryption_headers(&object.protection);
    let (finished, written) = commit(r, &upload.id, object)?;
    let version_id = written.version_id.clone();
    drop((finished, written));
    let mut reply = xml_reply("CompleteMultipartUploadResult", |x| {
        x.elem("Location", &location(r, &bucket_name, &key));
        x.elem("Bucket", &bucket_name);
        x.elem("Key", &key);
        x.elem("ETag", &etag);
        if let Some((algorithm, value)) = checksum.as_ref().and_then(|c| Some((stored_algorithm(c)?, &c.1))) {
            x.elem(&checksum_element(algorithm), value);
            x.opt("ChecksumType", upload.checksum_type.as_deref());
        }
    });
    for (name, value) in encryption {
        reply = reply.with_header(name, &value);
    }
    if let Some(id) = version_id {
        reply = reply.with_header("x-amz-version-id", &id);
    }
    Ok(reply)
}

/// Ends the upload and stores its object as the key's new version;
/// returns what they replace (to be dropped once the lock is released).
fn commit(r: &S3Request, id: &str, object: Object) -> AwsResult<(Upload, Written)> {
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
    let written = versions::store(bucket, Version::Object(Box::new(object)), r.ctx.shared.now());
    Ok((finished, written))
}

// ---- listings ------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

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
