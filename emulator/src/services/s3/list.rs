//! ListObjectsV2 and ListObjects (v1): each key's current version (see
//! [`super::list_versions`] for every version), prefix, delimiter and
//! common prefixes, continuation tokens / markers, StartAfter, MaxKeys,
//! `encoding-type=url`. Authorized as `s3:ListBucket` with `s3:prefix`,
//! `s3:delimiter` and `s3:max-keys`.

use super::bucket::s3_date;
use super::{canonical_id, find_bucket, xml_reply, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::Xml;
use crate::state::s3::{Bucket, Object};
use base64::Engine;
use iam_evaluator::RequestContext;

/// One page of a listing.
struct Listing<'b> {
    objects: Vec<&'b Object>,
    prefixes: Vec<String>,
    truncated: bool,
    /// The last key or common prefix returned (where the next page starts).
    last: Option<String>,
}

/// Lists `bucket` after `after` (exclusive; a common prefix skips all its keys).
fn list<'b>(
    bucket: &'b Bucket,
    prefix: &str,
    delimiter: Option<&str>,
    after: Option<&str>,
    max: usize,
    expiry: Option<&super::lifecycle::Expiry>,
) -> Listing<'b> {
    let mut listing = Listing {
        objects: Vec::new(),
        prefixes: Vec::new(),
        truncated: false,
        last: None,
    };
    let range = bucket.objects.range((
        after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        std::ops::Bound::Unbounded,
    ));
    for (key, slots) in range {
        // Only a key's current version is listed: not a delete marker,
        // not one lifecycle has expired.
        let Some(object) = slots.last().and_then(|s| s.version.object()) else {
            continue;
        };
        if expiry.is_some_and(|e| e.expired(object)) {
            continue;
        }
        if !key.starts_with(prefix) {
            // Keys are sorted: past the prefix's keys there are no more.
            if key.as_str() > prefix {
                break;
            }
            continue;
        }
        // Resuming after a common prefix skips every key under it.
        if let (Some(a), Some(d)) = (after, delimiter) {
            if a.ends_with(d) && key.starts_with(a) {
                continue;
            }
        }
        let common = delimiter.filter(|d| !d.is_empty()).and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|at| key[..prefix.len() + at + d.len()].to_string())
        });
        if let Some(common) = &common {
            if listing.prefixes.last() == Some(common) {
                continue;
            }
        }
        if listing.objects.len() + listing.prefixes.len() == max {
            listing.truncated = true;
            break;
        }
        if let Some(common) = common {
            listing.last = Some(common.clone());
            listing.prefixes.push(common);
        } else {
            listing.last = Some(key.clone());
            listing.objects.push(object);
        }
    }
    listing
}

pub fn max_keys(r: &S3Request) -> AwsResult<usize> {
    match r.param("max-keys") {
        None => Ok(1000),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|n| usize::try_from(n.min(1000)).unwrap_or(1000))
            .ok_or_else(|| {
                AwsError::new(
                    S3::InvalidArgument,
                    "Provided max-keys not an integer or within integer range",
                )
            }),
    }
}

/// Authorizes the listing with its condition keys; returns the bucket.
pub fn authorize_list<'s>(r: &S3Request, state: &'s crate::state::State) -> AwsResult<&'s Bucket> {
    let bucket = find_bucket(state, r.bucket_name()?)?;
    let mut context = RequestContext::new();
    for (param, key) in [
        ("prefix", "s3:prefix"),
        ("delimiter", "s3:delimiter"),
        ("max-keys", "s3:max-keys"),
    ] {
        if let Some(value) = r.param(param) {
            context.set(key, value);
        }
    }
    r.authorize_op(state, Some(bucket), context)?;
    Ok(bucket)
}

fn contents(x: &mut Xml, object: &Object, owner: Option<&str>, enc: &impl Fn(&str) -> String) {
    x.with("Contents", |x| {
        x.elem("Key", &enc(&object.key));
        x.elem("LastModified", &s3_date(object.last_modified));
        x.elem("ETag", &object.etag);
        x.elem("Size", &object.size.to_string());
        if let Some(owner) = owner {
            x.with("Owner", |x| {
                x.elem("ID", &canonical_id(owner));
            });
        }
        x.elem("StorageClass", &object.storage_class);
    });
}

fn encode_token(last: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last.as_bytes())
}

fn decode_token(token: &str) -> AwsResult<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            AwsError::new(
                S3::InvalidArgument,
                "The continuation token provided is incorrect",
            )
        })
}

pub fn list_objects_v2(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = authorize_list(r, &state)?;
    let enc = super::key_encoder(r)?;
    let prefix = r.param("prefix").unwrap_or_default();
    let delimiter = r.param("delimiter").filter(|d| !d.is_empty());
    let max = max_keys(r)?;
    let token = r.param("continuation-token").map(decode_token).transpose()?;
    let start_after = r.param("start-after").filter(|s| !s.is_empty());
    let after = token.as_deref().or(start_after);
    let expiry = super::lifecycle::Expiry::of(bucket, r.ctx.shared.now());
    let listing = list(bucket, prefix, delimiter, after, max, expiry.as_ref());
    let fetch_owner = r.param("fetch-owner") == Some("true");
    Ok(xml_reply("ListBucketResult", |x| {
        x.elem("Name", &bucket.name);
        x.elem("Prefix", &enc(prefix));
        if let Some(d) = delimiter {
            x.elem("Delimiter", &enc(d));
        }
        x.elem("MaxKeys", &max.to_string());
        x.elem(
            "KeyCount",
            &(listing.objects.len() + listing.prefixes.len()).to_string(),
        );
        x.elem("IsTruncated", if listing.truncated { "true" } else { "false" });
        x.opt("ContinuationToken", r.param("continuation-token"));
        if listing.truncated {
            x.opt(
                "NextContinuationToken",
                listing.last.as_deref().map(encode_token).as_deref(),
            );
        }
        if let Some(s) = start_after {
            x.elem("StartAfter", &enc(s));
        }
        if r.param("encoding-type").is_some() {
            x.elem("EncodingType", "url");
        }
        for object in &listing.objects {
            contents(x, object, fetch_owner.then(|| bucket.object_owner(object)), &enc);
        }
        for p in &listing.prefixes {
            x.with("CommonPrefixes", |x| {
                x.elem("Prefix", &enc(p));
            });
        }
    }))
}

pub fn list_objects_v1(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = authorize_list(r, &state)?;
    let enc = super::key_encoder(r)?;
    let prefix = r.param("prefix").unwrap_or_default();
    let delimiter = r.param("delimiter").filter(|d| !d.is_empty());
    let max = max_keys(r)?;
    let marker = r.param("marker").unwrap_or_default();
    let expiry = super::lifecycle::Expiry::of(bucket, r.ctx.shared.now());
    let listing = list(
        bucket,
        prefix,
        delimiter,
        (!marker.is_empty()).then_some(marker),
        max,
        expiry.as_ref(),
    );
    Ok(xml_reply("ListBucketResult", |x| {
        x.elem("Name", &bucket.name);
        x.elem("Prefix", &enc(prefix));
        x.elem("Marker", &enc(marker));
        // S3 returns NextMarker only when a delimiter was given.
        if listing.truncated && delimiter.is_some() {
            x.opt("NextMarker", listing.last.as_deref().map(&enc).as_deref());
        }
        x.elem("MaxKeys", &max.to_string());
        if let Some(d) = delimiter {
            x.elem("Delimiter", &enc(d));
        }
        x.elem("IsTruncated", if listing.truncated { "true" } else { "false" });
        if r.param("encoding-type").is_some() {
            x.elem("EncodingType", "url");
        }
        for object in &listing.objects {
            contents(x, object, Some(bucket.object_owner(object)), &enc);
        }
        for p in &listing.prefixes {
            x.with("CommonPrefixes", |x| {
                x.elem("Prefix", &enc(p));
            });
        }
    }))
}
