//! ListParts and ListMultipartUploads.

use super::super::body::{checksum_element, stored_algorithm};
use super::super::bucket::s3_date;
use super::super::{canonical_id, find_bucket, xml_reply, S3Request};
use super::{find_upload, upload_id, MAX_LISTED};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::Xml;
use crate::state::s3::{Bucket, Part, Upload};
use iam_evaluator::RequestContext;

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
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
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
    let enc = super::super::key_encoder(r)?;
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
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
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
