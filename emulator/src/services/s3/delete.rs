//! DeleteObjects (`POST /BUCKET?delete`): up to 1000 keys in one request.
//!
//! S3 requires the document's integrity to be proven by `Content-MD5` or an
//! `x-amz-checksum-*` header. Each key is authorized on its own as
//! `s3:DeleteObject` (`s3:DeleteObjectVersion` with a version id), with the
//! object's `s3:ExistingObjectTag/*`: a denied key is reported as an
//! `<Error>` with `AccessDenied` while the others are deleted. Each key is
//! deleted as DeleteObject deletes it ([`versions::delete`]): a delete
//! marker reported as `DeleteMarker` and `DeleteMarkerVersionId`. A key or
//! version that does not exist is reported as deleted; a `VersionId` S3
//! could not have issued is `NoSuchVersion`. Quiet mode reports errors only.

use super::malformed_xml;
use super::object::{self, existing_tag_context};
use super::{find_bucket, no_such_bucket, versions, xml_reply, S3Request};
use crate::checksum;
use crate::error::{AwsError, AwsResult, Common, S3};
use crate::http::HttpResponse;
use crate::protocol::xml;
use crate::state::s3::Bucket;
use crate::state::versions::VersionRef;
use crate::state::State;
use md5::{Digest as _, Md5};
use time::OffsetDateTime;

/// The most keys one request may name.
const MAX_KEYS: usize = 1000;

/// One `<Object>` of the request.
struct Target {
    key: String,
    version: Option<String>,
}

/// What happened to one key: deleted, or the error that stopped it.
struct Outcome {
    target: Target,
    result: Result<versions::Deleted, AwsError>,
}

/// Checks `Content-MD5` or an `x-amz-checksum-*` header against the body;
/// S3 refuses the request without either.
fn check_integrity(r: &S3Request, body: &[u8]) -> AwsResult<()> {
    let req = r.ctx.req;
    if let Some(content_md5) = req.header("content-md5") {
        return checksum::verify_content_md5(content_md5, &Md5::digest(body).into());
    }
    if let Some((algorithm, claimed)) = checksum::checksum_header(&req.headers)? {
        return checksum::verify_checksum(algorithm, &claimed, &algorithm.checksum(body), false);
    }
    Err(AwsError::new(
        S3::InvalidRequest,
        "Missing required header for this request: Content-MD5 OR x-amz-checksum-*",
    ))
}

/// Reads `<Delete><Quiet>…</Quiet><Object><Key>…</Key><VersionId>…`: one
/// to 1000 objects, each with a key.
fn read_request(body: &[u8]) -> AwsResult<(bool, Vec<Target>)> {
    let doc = xml::parse(body).ok_or_else(malformed_xml)?;
    if doc.name != "Delete" {
        return Err(malformed_xml());
    }
    let quiet = doc
        .text_of("Quiet")
        .is_some_and(|q| q.trim().eq_ignore_ascii_case("true"));
    let mut targets = Vec::new();
    for entry in doc.all("Object") {
        let key = entry
            .text_of("Key")
            .filter(|k| !k.is_empty())
            .ok_or_else(malformed_xml)?;
        targets.push(Target {
            key: key.to_string(),
            version: entry.text_of("VersionId").map(str::to_string),
        });
    }
    if targets.is_empty() || targets.len() > MAX_KEYS {
        return Err(malformed_xml());
    }
    Ok((quiet, targets))
}

/// Whether one key may be deleted: its version id, the permission
/// (`s3:DeleteObjectVersion` with a version id), Object Lock.
fn allowed(
    r: &S3Request,
    state: &State,
    bucket: &Bucket,
    target: &Target,
    now: OffsetDateTime,
) -> AwsResult<()> {
    let wanted = wanted(target)?;
    let removed = versions::removed_by_delete(bucket, &target.key, wanted.as_ref(), now);
    r.authorize_op_on_key(
        state,
        &target.key,
        target.version.as_deref(),
        Some(bucket),
        existing_tag_context(removed),
    )?;
    super::lock::check_delete(r, state, bucket, removed)
}

/// A key's `VersionId`: one S3 could not have issued names no version.
fn wanted(target: &Target) -> AwsResult<Option<VersionRef>> {
    match target.version.as_deref() {
        None => Ok(None),
        Some(text) => VersionRef::parse(text)
            .map(Some)
            .ok_or_else(|| AwsError::new(S3::NoSuchVersion, "The specified version does not exist.")),
    }
}

/// Authorizes each key, then deletes the allowed ones. With MFA delete
/// enabled, a request deleting versions (or bringing a code at all) must
/// pass the MFA check, else it fails as a whole ("the entire Multi-Object
/// Delete request will fail", API Reference).
fn delete_each(r: &S3Request, bucket_name: &str, targets: Vec<Target>) -> AwsResult<Vec<Outcome>> {
    let now = r.ctx.shared.now();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, bucket_name)?;
    let checks: Vec<AwsResult<()>> = targets
        .iter()
        .map(|target| allowed(r, &state, bucket, target, now))
        .collect();
    let versioned = targets.iter().any(|t| t.version.is_some());
    if bucket.mfa_delete_enabled() && (versioned || r.header("x-amz-mfa").is_some()) {
        super::mfa_delete::check(r, &mut state)?;
    }
    let bucket = state
        .buckets
        .get_mut(bucket_name)
        .ok_or_else(|| no_such_bucket(bucket_name))?;
    let outcomes: Vec<Outcome> = targets
        .into_iter()
        .zip(checks)
        .map(|(target, check)| {
            let result = check.and_then(|()| {
                let wanted = wanted(&target)?;
                Ok(versions::delete(
                    bucket,
                    &target.key,
                    wanted.as_ref(),
                    now,
                    r.account(),
                ))
            });
            Outcome { target, result }
        })
        .collect();
    // The bodies' files go once the lock is released.
    drop(state);
    Ok(outcomes)
}

pub fn delete_objects(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    let body = object::request_body(r)?;
    if body.is_empty() {
        return Err(AwsError::new(
            S3::MissingRequestBodyError,
            "Request Body is empty",
        ));
    }
    check_integrity(r, &body)?;
    let (quiet, targets) = read_request(&body)?;
    let outcomes = delete_each(r, &bucket_name, targets)?;
    Ok(xml_reply("DeleteResult", |x| {
        for outcome in &outcomes {
            let target = &outcome.target;
            match &outcome.result {
                Ok(_) if quiet => {}
                Ok(deleted) => {
                    x.with("Deleted", |x| {
                        x.elem("Key", &target.key);
                        x.opt("VersionId", target.version.as_deref());
                        if deleted.delete_marker {
                            x.elem("DeleteMarker", "true");
                            x.opt("DeleteMarkerVersionId", deleted.version_id.as_deref());
                        }
                    });
                }
                Err(error) => {
                    x.with("Error", |x| {
                        x.elem("Key", &target.key);
                        x.opt("VersionId", target.version.as_deref());
                        x.elem("Code", &error.code);
                        // Per key S3 words a denial without the reason.
                        let message = if error.code == Common::AccessDenied.code().name() {
                            "Access Denied"
                        } else {
                            error.message.as_str()
                        };
                        x.elem("Message", message);
                    });
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_documents() {
        let (quiet, targets) = read_request(
            b"<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>\
              <Object><Key>a &amp; b</Key></Object><Object><Key>c</Key><VersionId>null</VersionId></Object></Delete>",
        )
        .unwrap();
        assert!(quiet);
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].key, "a & b");
        assert_eq!(targets[1].version.as_deref(), Some("null"));
        let code = |d: &str| read_request(d.as_bytes()).err().map(|e| e.code);
        assert_eq!(code("<Delete></Delete>").as_deref(), Some("MalformedXML"));
        assert_eq!(
            code("<Remove><Object><Key>a</Key></Object></Remove>").as_deref(),
            Some("MalformedXML")
        );
        assert_eq!(
            code("<Delete><Object><ETag>x</ETag></Object></Delete>").as_deref(),
            Some("MalformedXML")
        );
        assert_eq!(
            code("<Delete><Object><Key>a</Key></Object>").as_deref(),
            Some("MalformedXML")
        );
        let many = (0..=MAX_KEYS)
            .map(|i| format!("<Object><Key>k{i}</Key></Object>"))
            .collect::<Vec<_>>()
            .concat();
        assert_eq!(
            code(&format!("<Delete>{many}</Delete>")).as_deref(),
            Some("MalformedXML")
        );
    }
}
