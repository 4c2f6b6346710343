//! The tags of an object version (GetObjectTagging, PutObjectTagging,
//! DeleteObjectTagging), of the current version or the one `versionId`
//! names (ACLs are `acl.rs`'s).
//!
//! Each is authorized on the object with its `s3:ExistingObjectTag/*`;
//! PutObjectTagging also with the new tags as `s3:RequestObjectTag/*` and
//! `aws:TagKeys`. An object has at most 10 tags; keys have 1 to 128 and
//! values 0 to 256 letters, digits, spaces and `+ - = . _ : / @`, and
//! `aws:` keys are the system's.

use super::bucket::tag_set_reply;
use super::malformed_xml;
use super::object::{self, existing_tag_context};
use super::{empty, find_bucket, no_such_bucket, versions, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml;
use crate::state::s3::Object;
use crate::state::versions::Version;
use iam_evaluator::RequestContext;

/// The most tags an object may have.
const MAX_TAGS: usize = 10;

/// `s3:RequestObjectTag/*` and `aws:TagKeys` of tags a request sets.
pub fn add_request_tags(context: &mut RequestContext, tags: &[(String, String)]) {
    for (k, v) in tags {
        context.set(&format!("s3:RequestObjectTag/{k}"), v.clone());
    }
    context.set_multi("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()));
}

/// The request-tag context of an upload or copy (none without tags).
pub fn request_tag_context(tags: &[(String, String)]) -> RequestContext {
    let mut context = RequestContext::new();
    if !tags.is_empty() {
        add_request_tags(&mut context, tags);
    }
    context
}

fn invalid_tag(message: &str) -> AwsError {
    AwsError::new(S3::InvalidTag, message)
}

/// The characters S3 takes in tag keys and values.
fn allowed(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || "+-=._:/@".contains(c))
}

/// Checks one tag as S3 does.
fn check_tag(key: &str, value: &str) -> AwsResult<()> {
    let key_len = key.chars().count();
    if key_len == 0 || key_len > 128 || !allowed(key) {
        return Err(invalid_tag("The TagKey you have provided is invalid"));
    }
    if key.len() >= 4 && key[..4].eq_ignore_ascii_case("aws:") {
        return Err(invalid_tag("System tags cannot be added/updated by requester"));
    }
    if value.chars().count() > 256 || !allowed(value) {
        return Err(invalid_tag("The TagValue you have provided is invalid"));
    }
    Ok(())
}

/// Reads `<Tagging><TagSet><Tag><Key>…</Key><Value>…</Value></Tag>…`.
pub fn read_object_tags(body: &[u8]) -> AwsResult<Vec<(String, String)>> {
    let doc = xml::parse(body).ok_or_else(malformed_xml)?;
    if doc.name != "Tagging" {
        return Err(malformed_xml());
    }
    let set = doc.child("TagSet").ok_or_else(malformed_xml)?;
    let mut tags: Vec<(String, String)> = Vec::new();
    for tag in set.all("Tag") {
        let key = tag.text_of("Key").ok_or_else(malformed_xml)?;
        let value = tag.text_of("Value").ok_or_else(malformed_xml)?;
        tags.push((key.to_string(), value.to_string()));
    }
    if tags.len() > MAX_TAGS {
        return Err(AwsError::new(
            S3::BadRequest,
            "Object tags cannot be greater than 10",
        ));
    }
    for (index, (key, value)) in tags.iter().enumerate() {
        check_tag(key, value)?;
        if tags[..index].iter().any(|(k, _)| k == key) {
            return Err(invalid_tag("Cannot provide multiple Tags with the same key"));
        }
    }
    Ok(tags)
}

/// Authorizes the operation on the request's object version (the one
/// `versionId` names, else the current one; with the request's new tags,
/// if any) and runs `f` on it; a missing key is NoSuchKey for callers that
/// may list the bucket, as for GetObject. Returns the bucket owner, the
/// `x-amz-version-id` the reply names and what `f` gave.
fn with_object<T>(
    r: &S3Request,
    new_tags: Option<&[(String, String)]>,
    f: impl FnOnce(&mut Object) -> T,
) -> AwsResult<(versions::VersionHeader, T)> {
    let bucket_name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    let wanted = versions::requested(r)?;
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &bucket_name)?;
    let reached = versions::reach(bucket, &key, wanted.as_ref(), r.ctx.shared.now());
    let mut context = existing_tag_context(reached.object());
    if let Some(tags) = new_tags {
        add_request_tags(&mut context, tags);
    }
    r.authorize_op(&state, Some(bucket), context)?;
    let (seq, object) = versions::readable(r, &state, bucket, &key, wanted.as_ref(), reached)?;
    let header = versions::id_header(bucket, object.version_id.as_deref());
    let bucket = state
        .buckets
        .get_mut(&bucket_name)
        .ok_or_else(|| no_such_bucket(&bucket_name))?;
    let object = bucket
        .objects
        .version_mut(&key, seq)
        .and_then(Version::object_mut)
        .ok_or_else(|| AwsError::new(S3::NoSuchKey, "The specified key does not exist."))?;
    Ok((header, f(object)))
}

/// A reply with the version's `x-amz-version-id`, if it has one.
fn with_version(reply: HttpResponse, header: versions::VersionHeader) -> HttpResponse {
    match header {
        Some((name, value)) => reply.with_header(name, &value),
        None => reply,
    }
}

pub fn get_object_tagging(r: &S3Request) -> AwsResult<HttpResponse> {
    let (header, tags) = with_object(r, None, |o| o.tags.clone())?;
    Ok(with_version(tag_set_reply(&tags), header))
}

pub fn put_object_tagging(r: &S3Request) -> AwsResult<HttpResponse> {
    let body = object::request_body(r)?;
    if body.is_empty() {
        return Err(AwsError::new(
            S3::MissingRequestBodyError,
            "Request Body is empty",
        ));
    }
    let tags = read_object_tags(&body)?;
    let new_tags = tags.clone();
    let (header, ()) = with_object(r, Some(&new_tags), |o| o.tags = tags)?;
    Ok(with_version(empty(200), header))
}

pub fn delete_object_tagging(r: &S3Request) -> AwsResult<HttpResponse> {
    let (header, ()) = with_object(r, None, |o| o.tags.clear())?;
    Ok(with_version(empty(204), header))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(tags: &[(&str, &str)]) -> String {
        let items = tags
            .iter()
            .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
            .collect::<Vec<_>>()
            .concat();
        format!(
            "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>{items}</TagSet></Tagging>"
        )
    }

    fn refusal(doc: &str) -> (String, String) {
        let err = read_object_tags(doc.as_bytes()).unwrap_err();
        (err.code, err.message)
    }

    #[test]
    fn object_tag_sets() {
        let tags = read_object_tags(
            document(&[("b c+d-e=f.g_h:i/j@k", "2 + 2 = 4"), ("empty", ""), ("文", "𝒜")]).as_bytes(),
        )
        .unwrap();
        assert_eq!(tags.len(), 3);
        assert!(read_object_tags(document(&[]).as_bytes()).unwrap().is_empty());
        let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("k{i}"), String::new())).collect();
        let eleven: Vec<(&str, &str)> = eleven.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            refusal(&document(&eleven)),
            (
                "BadRequest".into(),
                "Object tags cannot be greater than 10".into()
            )
        );
        assert_eq!(
            refusal(&document(&[("a", "1"), ("a", "2")])).1,
            "Cannot provide multiple Tags with the same key"
        );
        assert_eq!(
            refusal(&document(&[("", "v")])).1,
            "The TagKey you have provided is invalid"
        );
        assert_eq!(
            refusal(&document(&[("a,b", "v")])).1,
            "The TagKey you have provided is invalid"
        );
        assert_eq!(
            refusal(&document(&[(&"k".repeat(129), "")])).1,
            "The TagKey you have provided is invalid"
        );
        assert_eq!(
            refusal(&document(&[("k", &"v".repeat(257))])).1,
            "The TagValue you have provided is invalid"
        );
        assert_eq!(
            refusal(&document(&[("k", "a;b")])).1,
            "The TagValue you have provided is invalid"
        );
        assert_eq!(
            refusal(&document(&[("AWS:cost", "v")])).1,
            "System tags cannot be added/updated by requester"
        );
        assert_eq!(refusal("<Tagging></Tagging>").0, "MalformedXML");
        assert_eq!(
            refusal("<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>").0,
            "MalformedXML"
        );
        assert_eq!(refusal("<Tags><TagSet></TagSet></Tags>").0, "MalformedXML");
    }
}
