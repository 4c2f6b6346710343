//! Bucket policies, Block Public Access and policy status.
//!
//! What makes a policy "public" is policy semantics and lives in the
//! evaluator (`iam_evaluator::public`); S3's settings apply so:
//! - `BlockPublicPolicy`: PutBucketPolicy of a public policy is refused;
//! - `RestrictPublicBuckets`: "only AWS service principals and authorized
//!   users within the bucket owner's account" keep access to a bucket with
//!   a public policy; it "blocks all cross-account access", so none of the
//!   policy's grants reach anyone else — the policy as it applies to a
//!   caller is [`crate::authorize::effective_bucket_policy`]'s, which every
//!   question about a bucket is built with.
//!
//! S3 User Guide ("Bucket policies"): the root user of the account that
//! owns a bucket can always get, put and delete its policy, even when the
//! policy denies it, so that nobody can lock a bucket for good; the
//! evaluator decides that (`iam_evaluator::Rule::BucketOwnerRoot`).

use super::malformed_xml;
use super::{empty, find_bucket, no_such_bucket, xml_reply, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml;
use crate::state::iam::Document;
use crate::state::s3::{Bucket, PublicAccessBlock};
use crate::state::State;
use iam_evaluator::validate::{check_write, WriteError, WriteTarget};
use iam_evaluator::RequestContext;
use std::sync::Arc;

/// S3's quota on a bucket policy's size.
const MAX_POLICY_BYTES: usize = 20 * 1024;

/// Authorizes a bucket-policy operation. That the owner's root may always
/// perform these (even against a denying bucket policy) is the evaluator's
/// rule (`iam_evaluator::Rule::BucketOwnerRoot`), so the decision log, the
/// trace and the reply agree.
fn authorize_policy_op(r: &S3Request, state: &State, bucket: &Bucket) -> AwsResult<()> {
    r.authorize_op(state, Some(bucket), RequestContext::new())
}

pub fn get_policy(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    authorize_policy_op(r, &state, bucket)?;
    let doc = bucket.policy.as_ref().ok_or_else(|| {
        AwsError::new(S3::NoSuchBucketPolicy, "The bucket policy does not exist").with_resource(&bucket.name)
    })?;
    Ok(HttpResponse::new(200, "application/json", doc.text.to_string()))
}

fn malformed_policy(message: &str) -> AwsError {
    AwsError::new(S3::MalformedPolicy, message)
}

/// S3's words for what the write-time validator refuses in a bucket policy.
fn s3_message(error: &WriteError) -> String {
    match error {
        WriteError::MissingPrincipal => "Missing required field Principal".into(),
        WriteError::MissingResources => "Missing required field Resource".into(),
        WriteError::Resource(_) => "Policy has invalid resource".into(),
        WriteError::Vendor(_) | WriteError::UnknownAction(_) | WriteError::MissingActions => {
            "Policy has invalid action".into()
        }
        WriteError::ActionAppliesToNoResource(_) => error.iam_message(),
        other => format!("Invalid policy syntax. ({other})"),
    }
}

/// Reads and checks a bucket policy document as S3 does on write.
fn read_policy(state: &State, bucket: &str, text: &str) -> AwsResult<Document> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(AwsError::new(
            S3::PolicyTooLarge,
            "Policies must be less than 20 KB",
        ));
    }
    if !text.trim_start().starts_with('{') || serde_json::from_str::<serde_json::Value>(text).is_err() {
        return Err(malformed_policy(
            "Policies must be valid JSON and the first byte must be '{'",
        ));
    }
    let parsed =
        check_write(text, WriteTarget::BucketPolicy).map_err(|e| malformed_policy(&s3_message(&e)))?;
    for statement in &parsed.statements {
        let principals = statement.principal.iter().flat_map(|p| &p.items.aws);
        if principals
            .into_iter()
            .any(|entry| !principal_exists(state, entry))
        {
            return Err(malformed_policy("Invalid principal in policy"));
        }
        let resources = statement
            .resource
            .as_ref()
            .map(|r| r.items.as_slice())
            .unwrap_or_default();
        for resource in resources {
            let own = resource == &format!("arn:aws:s3:::{bucket}")
                || resource.starts_with(&format!("arn:aws:s3:::{bucket}/"))
                || iam_evaluator::arn::matches(resource, &format!("arn:aws:s3:::{bucket}"));
            if !own {
                return Err(malformed_policy("Policy has invalid resource"));
            }
        }
    }
    Ok(Document {
        text: text.into(),
        parsed: Arc::new(parsed),
    })
}

/// A principal entry names something that exists: `*`, an account id, a
/// root ARN, or a user/role of an account the emulator holds. Entries of
/// accounts the emulator does not hold are accepted (they may exist in AWS).
fn principal_exists(state: &State, entry: &str) -> bool {
    if entry == "*" || iam_evaluator::arn::is_account_id(entry) {
        return true;
    }
    let Some(arn) = iam_evaluator::arn::Arn::parse(entry) else {
        return false;
    };
    let Some(account) = state.account(arn.account) else {
        return arn.service == "iam" || arn.service == "sts";
    };
    match arn.service {
        "iam" if arn.resource == "root" => true,
        "iam" if arn.resource.starts_with("user/") => account.users.values().any(|u| u.arn == entry),
        "iam" if arn.resource.starts_with("role/") => account.roles.values().any(|r| r.arn == entry),
        "sts" => arn.resource.starts_with("assumed-role/"),
        _ => false,
    }
}

pub fn put_policy(r: &S3Request) -> AwsResult<HttpResponse> {
    let name = r.bucket_name()?.to_string();
    let text = String::from_utf8(r.ctx.req.body.to_vec())
        .map_err(|_| malformed_policy("Policies must be valid JSON and the first byte must be '{'"))?;
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    authorize_policy_op(r, &state, bucket)?;
    let document = read_policy(&state, &name, &text)?;
    if bucket.effective_public_access_block().block_public_policy
        && iam_evaluator::public::is_public(&document.parsed)
    {
        return Err(AwsError::access_denied(format!(
            "User: {} is not authorized to perform: {} on resource: \"{}\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
            r.caller.principal.arn,
            r.row.actions[0],
            bucket.arn()
        )));
    }
    state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?
        .policy = Some(document);
    Ok(empty(204))
}

pub fn delete_policy(r: &S3Request) -> AwsResult<HttpResponse> {
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    authorize_policy_op(r, &state, bucket)?;
    state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?
        .policy = None;
    Ok(empty(204))
}

pub fn get_policy_status(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    let doc = bucket.policy.as_ref().ok_or_else(|| {
        AwsError::new(S3::NoSuchBucketPolicy, "The bucket policy does not exist").with_resource(&bucket.name)
    })?;
    let public = iam_evaluator::public::is_public(&doc.parsed);
    Ok(xml_reply("PolicyStatus", |x| {
        x.elem("IsPublic", if public { "true" } else { "false" });
    }))
}

pub fn get_public_access_block(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    let pab = bucket.public_access_block.ok_or_else(|| {
        AwsError::new(
            S3::NoSuchPublicAccessBlockConfiguration,
            "The public access block configuration was not found",
        )
        .with_resource(&bucket.name)
    })?;
    let flag = |b: bool| if b { "true" } else { "false" };
    Ok(xml_reply("PublicAccessBlockConfiguration", |x| {
        x.elem("BlockPublicAcls", flag(pab.block_public_acls));
        x.elem("IgnorePublicAcls", flag(pab.ignore_public_acls));
        x.elem("BlockPublicPolicy", flag(pab.block_public_policy));
        x.elem("RestrictPublicBuckets", flag(pab.restrict_public_buckets));
    }))
}

pub fn put_public_access_block(r: &S3Request) -> AwsResult<HttpResponse> {
    let doc = xml::parse(&r.ctx.req.body).ok_or_else(malformed_xml)?;
    let flag = |name: &str| -> AwsResult<bool> {
        match doc.text_of(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(malformed_xml()),
        }
    };
    let pab = PublicAccessBlock {
        block_public_acls: flag("BlockPublicAcls")?,
        ignore_public_acls: flag("IgnorePublicAcls")?,
        block_public_policy: flag("BlockPublicPolicy")?,
        restrict_public_buckets: flag("RestrictPublicBuckets")?,
    };
    set_public_access_block(r, Some(pab))?;
    Ok(empty(200))
}

pub fn delete_public_access_block(r: &S3Request) -> AwsResult<HttpResponse> {
    set_public_access_block(r, None)?;
    Ok(empty(204))
}

fn set_public_access_block(r: &S3Request, pab: Option<PublicAccessBlock>) -> AwsResult<()> {
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?
        .public_access_block = pab;
    Ok(())
}
