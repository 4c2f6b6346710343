//! Object Lock on objects: PutObjectRetention, GetObjectRetention,
//! PutObjectLegalHold, GetObjectLegalHold, and the rule every delete
//! obeys. (A bucket's Object Lock configuration is one of
//! [`super::configs`]; an upload's lock headers are read by
//! [`super::protection`].)
//!
//! As the S3 User Guide ("Object Lock") describes: in compliance mode "a
//! protected object version can't be overwritten or deleted by any user,
//! including the root user", and its retention cannot be shortened; in
//! governance mode, users need the `s3:BypassGovernanceRetention`
//! permission and must send `x-amz-bypass-governance-retention:true` to
//! delete it or shorten its retention; a legal hold prevents deletion until
//! removed. Retention and legal hold belong to one version (`versionId`,
//! else the current one): a delete that would remove a protected version
//! for good is refused, while a delete marker may still be placed on top
//! ("Object Lock works only in versioned buckets, and retention periods
//! and legal holds apply to individual object versions").

use super::bucket::s3_date;
use super::object::existing_tag_context;
use super::operations::{Also, S3Operation as Op};
use super::protection::{add_lock_context, parse_date};
use super::{empty, find_bucket, malformed_xml, no_such_bucket, versions, xml_reply, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml;
use crate::state::s3::{Bucket, Object, Protection};
use crate::state::versions::Version;
use crate::state::State;
use iam_evaluator::RequestContext;
use time::OffsetDateTime;

/// Serves `op` when it is an object lock operation.
pub fn dispatch(r: &S3Request, op: Op) -> Option<AwsResult<HttpResponse>> {
    Some(match op {
        Op::GetObjectRetention => get_retention(r),
        Op::PutObjectRetention => put_retention(r),
        Op::GetObjectLegalHold => get_legal_hold(r),
        Op::PutObjectLegalHold => put_legal_hold(r),
        _ => return None,
    })
}

fn locked() -> AwsError {
    AwsError::access_denied("Access Denied because object protected by object lock.")
}

fn missing_lock_configuration() -> AwsError {
    AwsError::new(S3::InvalidRequest, "Bucket is missing Object Lock Configuration")
}

fn bypass_asked(r: &S3Request) -> bool {
    r.header("x-amz-bypass-governance-retention")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Whether the object's retention is in force at `now`.
fn retained(p: &Protection, now: OffsetDateTime) -> Option<&str> {
    match (&p.lock_mode, p.retain_until) {
        (Some(mode), Some(until)) if until > now => Some(mode.as_str()),
        _ => None,
    }
}

/// May `r` remove `object` (a version) for good? A legal hold or
/// compliance retention never; governance retention with the bypass
/// header and its permission.
pub fn check_delete(r: &S3Request, state: &State, bucket: &Bucket, object: Option<&Object>) -> AwsResult<()> {
    let Some(object) = object else {
        return Ok(());
    };
    let p = &object.protection;
    if p.legal_hold {
        return Err(locked());
    }
    match retained(p, r.ctx.shared.now()) {
        None => Ok(()),
        Some("GOVERNANCE") if bypass_asked(r) => {
            let arn = format!("arn:aws:s3:::{}/{}", bucket.name, object.key);
            r.authorize_also(
                state,
                Also::BypassGovernance,
                Some(&arn),
                Some(bucket),
                RequestContext::new(),
            )
        }
        Some(_) => Err(locked()),
    }
}

/// Authorizes the operation on the request's object version (the one
/// `versionId` names, else the current one) with `context` and runs `f`
/// on it (NoSuchKey / 403 for a missing key as GetObject); returns the
/// version's position and what `f` gave.
fn with_object<T>(
    r: &S3Request,
    add_context: impl FnOnce(&mut RequestContext),
    f: impl FnOnce(&State, &Bucket, &Object) -> AwsResult<T>,
) -> AwsResult<(u64, T)> {
    let key = r.key_name()?;
    let wanted = versions::requested(r)?;
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    let reached = versions::reach(bucket, key, wanted.as_ref(), r.ctx.shared.now());
    let mut context = existing_tag_context(reached.object());
    add_context(&mut context);
    r.authorize_op(&state, Some(bucket), context)?;
    if !bucket.object_lock_enabled {
        return Err(missing_lock_configuration());
    }
    let (seq, object) = versions::readable(r, &state, bucket, key, wanted.as_ref(), reached)?;
    Ok((seq, f(&state, bucket, object)?))
}

/// Changes the protection of the version at `seq` of the request's key.
fn set_protection(r: &S3Request, seq: u64, change: impl FnOnce(&mut Protection)) -> AwsResult<()> {
    let name = r.bucket_name()?;
    let key = r.key_name()?;
    let mut state = r.ctx.shared.state();
    let bucket = state.buckets.get_mut(name).ok_or_else(|| no_such_bucket(name))?;
    let object = bucket
        .objects
        .version_mut(key, seq)
        .and_then(Version::object_mut)
        .ok_or_else(|| AwsError::new(S3::NoSuchKey, "The specified key does not exist."))?;
    change(&mut object.protection);
    Ok(())
}

fn no_lock_configuration() -> AwsError {
    AwsError::new(
        S3::NoSuchObjectLockConfiguration,
        "The specified object does not have a ObjectLock configuration",
    )
}

fn get_retention(r: &S3Request) -> AwsResult<HttpResponse> {
    let (_, p) = with_object(r, |_| {}, |_, _, o| Ok(o.protection.clone()))?;
    let (Some(mode), Some(until)) = (p.lock_mode, p.retain_until) else {
        return Err(no_lock_configuration());
    };
    Ok(xml_reply("Retention", |x| {
        x.elem("Mode", &mode);
        x.elem("RetainUntilDate", &s3_date(until));
    }))
}

fn put_retention(r: &S3Request) -> AwsResult<HttpResponse> {
    let body = super::object::request_body(r)?;
    let doc = xml::parse(&body)
        .filter(|d| d.name == "Retention")
        .ok_or_else(malformed_xml)?;
    let mode = doc.trimmed("Mode").map(str::to_string);
    let until = doc.trimmed("RetainUntilDate");
    let now = r.ctx.shared.now();
    let (mode, until) = match (mode, until) {
        (None, None) => (None, None),
        (Some(mode), Some(until)) if matches!(mode.as_str(), "GOVERNANCE" | "COMPLIANCE") => {
            let until = parse_date(until).ok_or_else(malformed_xml)?;
            if until <= now {
                return Err(AwsError::new(
                    S3::InvalidArgument,
                    "The retain until date must be in the future!",
                ));
            }
            (Some(mode), Some(until))
        }
        _ => return Err(malformed_xml()),
    };
    let (seq, ()) = with_object(
        r,
        |c| add_lock_context(c, mode.as_deref(), until, now),
        |state, bucket, object| {
            let current = &object.protection;
            let weakens = match (retained(current, now), current.retain_until) {
                (None, _) | (_, None) => false,
                (Some(old_mode), Some(old_until)) => {
                    mode.as_deref() != Some(old_mode) || until.is_none_or(|u| u < old_until)
                }
            };
            match retained(current, now) {
                Some("COMPLIANCE") if weakens => Err(locked()),
                Some("GOVERNANCE") if weakens => {
                    if !bypass_asked(r) {
                        return Err(locked());
                    }
                    r.authorize_also(
                        state,
                        Also::BypassGovernance,
                        None,
                        Some(bucket),
                        RequestContext::new(),
                    )
                }
                _ => Ok(()),
            }
        },
    )?;
    set_protection(r, seq, |p| {
        p.lock_mode = mode;
        p.retain_until = until;
    })?;
    Ok(empty(200))
}

fn get_legal_hold(r: &S3Request) -> AwsResult<HttpResponse> {
    let (_, hold) = with_object(r, |_| {}, |_, _, o| Ok(o.protection.legal_hold))?;
    Ok(xml_reply("LegalHold", |x| {
        x.elem("Status", if hold { "ON" } else { "OFF" });
    }))
}

fn put_legal_hold(r: &S3Request) -> AwsResult<HttpResponse> {
    let body = super::object::request_body(r)?;
    let doc = xml::parse(&body)
        .filter(|d| d.name == "LegalHold")
        .ok_or_else(malformed_xml)?;
    let status = super::configs::one_of(&doc, "Status", &["ON", "OFF"])?.to_string();
    let (seq, ()) = with_object(
        r,
        |c| {
            c.set("s3:object-lock-legal-hold", status.clone());
        },
        |_, _, _| Ok(()),
    )?;
    set_protection(r, seq, |p| p.legal_hold = status == "ON")?;
    Ok(empty(200))
}
