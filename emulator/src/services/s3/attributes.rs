//! GetObjectAttributes: what `x-amz-object-attributes` asks for (ETag,
//! Checksum, ObjectParts, StorageClass, ObjectSize) without the body.
//! Authorized as `s3:GetObject` and `s3:GetObjectAttributes` (the table's
//! row: "you must have the s3:GetObject and s3:GetObjectAttributes
//! permissions", API Reference), or for a named version
//! `s3:GetObjectVersion` and `s3:GetObjectVersionAttributes`.

use super::bucket::http_date;
use super::object::existing_tag_context;
use super::{find_bucket, versions, xml_reply, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;

const ATTRIBUTES: &[&str] = &["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

fn invalid_argument(message: &str) -> AwsError {
    AwsError::new(S3::InvalidArgument, message)
}

/// A non-negative integer header, if given.
fn number(r: &S3Request, name: &str, default: usize) -> AwsResult<usize> {
    r.header(name).map_or(Ok(default), |v| {
        v.trim()
            .parse()
            .map_err(|_| invalid_argument(&format!("Provided {name} not an integer or within integer range")))
    })
}

pub fn get_object_attributes(r: &S3Request) -> AwsResult<HttpResponse> {
    let wanted: Vec<&str> = r
        .header("x-amz-object-attributes")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    if wanted.is_empty() {
        return Err(invalid_argument("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"));
    }
    if let Some(bad) = wanted.iter().find(|a| !ATTRIBUTES.contains(a)) {
        return Err(invalid_argument(&format!(
            "Invalid attribute name specified: {bad}"
        )));
    }
    let max_parts = number(r, "x-amz-max-parts", 1000)?.min(1000);
    let marker = number(r, "x-amz-part-number-marker", 0)?;
    let key = r.key_name()?;
    let version = versions::requested(r)?;
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    let reached = versions::reach(bucket, key, version.as_ref(), r.ctx.shared.now());
    r.authorize_op(&state, Some(bucket), existing_tag_context(reached.object()))?;
    let (_, object) = versions::readable(r, &state, bucket, key, version.as_ref(), reached)?;
    let object = object.clone();
    let version_header = versions::id_header(bucket, object.version_id.as_deref());
    drop(state);
    super::protection::check_read(r, &object.protection, "x-amz-")?;
    let wants = |a: &str| wanted.contains(&a);
    let reply = xml_reply("GetObjectAttributesResponse", |x| {
        if wants("ETag") {
            x.elem("ETag", object.etag.trim_matches('"'));
        }
        if wants("Checksum") {
            if let Some((header, value)) = &object.checksum {
                if let Some(algorithm) = crate::checksum::ChecksumAlgorithm::from_header_name(header) {
                    x.with("Checksum", |x| {
                        x.elem(&super::body::checksum_element(algorithm), value);
                        x.elem(
                            "ChecksumType",
                            if value.contains('-') {
                                "COMPOSITE"
                            } else {
                                "FULL_OBJECT"
                            },
                        );
                    });
                }
            }
        }
        if wants("ObjectParts") && !object.part_sizes.is_empty() {
            let total = object.part_sizes.len();
            let parts: Vec<(usize, u64)> = object
                .part_sizes
                .iter()
                .enumerate()
                .map(|(i, s)| (i + 1, *s))
                .filter(|(n, _)| *n > marker)
                .take(max_parts)
                .collect();
            let truncated = parts.last().is_some_and(|(n, _)| *n < total);
            x.with("ObjectParts", |x| {
                x.elem("TotalPartsCount", &total.to_string());
                x.elem("PartNumberMarker", &marker.to_string());
                if let Some((n, _)) = parts.last() {
                    x.elem("NextPartNumberMarker", &n.to_string());
                }
                x.elem("MaxParts", &max_parts.to_string());
                x.elem("IsTruncated", if truncated { "true" } else { "false" });
                for (n, size) in &parts {
                    x.with("Part", |x| {
                        x.elem("PartNumber", &n.to_string());
                        x.elem("Size", &size.to_string());
                    });
                }
            });
        }
        if wants("StorageClass") {
            x.elem("StorageClass", &object.storage_class);
        }
        if wants("ObjectSize") {
            x.elem("ObjectSize", &object.size.to_string());
        }
    });
    let reply = reply.with_header("last-modified", &http_date(object.last_modified));
    Ok(match version_header {
        Some((name, value)) => reply.with_header(name, &value),
        None => reply,
    })
}
