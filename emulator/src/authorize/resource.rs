//! What a resource brings to a question about it, whichever door asks (a
//! request's service, `who-can`, `can`, `POST /_emulator/decide`): the
//! account that owns it, its resource-based policy as its service applies
//! it, and its condition keys. The services name the resource they found
//! ([`Resource`]); [`Resource::question`] is the one place its part of the
//! question is written.
//!
//! - A bucket, or an object version in it: its owner, its policy as S3
//!   applies it to the caller ([`effective_bucket_policy`]: Block Public
//!   Access's `RestrictPublicBuckets`), `aws:ResourceAccount`, and the
//!   bucket's and the version's ACL grants that count ([`super::acl`]);
//!   an object another account owns is that account's, and the bucket
//!   policy only denies on it.
//! - A role, for `sts:AssumeRole`: its trust policy, which must itself allow
//!   the caller (a role that does not exist has none, so nobody may assume
//!   it); for any other action its tags, as any IAM resource's.
//! - An IAM resource (user, role, managed policy, provider, …): its tags
//!   as `aws:ResourceTag/*` and `iam:ResourceTag/*` ("IAM puts a user's,
//!   role's or policy's tags under both prefixes").
//! - A Kinesis stream: its tags as `aws:ResourceTag/*`, and its resource
//!   policy for every action but the three that manage that policy, which
//!   only the owner's account may call.

use super::Question;
use crate::auth::Caller;
use crate::state::iam::Role;
use crate::state::kinesis::Stream;
use crate::state::s3::{Bucket, Object};
use crate::state::versions::VersionRef;
use iam_evaluator::{NamedPolicy, RequestContext};
use std::sync::Arc;

/// A resource as the service that asks found it.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'s> {
    /// A bucket, or an object in it (the ARN says which): its current version.
    Bucket(&'s Bucket),
    /// The version `versionId` names (the text) of the object of this
    /// bucket that the ARN names.
    BucketVersion(&'s Bucket, &'s str),
    /// A role ARN: the role, when it exists.
    Role(Option<&'s Role>),
    /// An IAM resource, with its tags.
    Iam(&'s [(String, String)]),
    /// A Kinesis stream (its tags and resource policy).
    Stream(&'s Stream),
    /// Nothing the question needs (no policy, no tags), `*` included.
    Plain,
}

impl<'s> Resource<'s> {
    /// The question about `action` on `arn` (this resource) for `caller`:
    /// what the resource brings; the asking service adds its request's own
    /// keys to [`Question::extra_context`].
    pub fn question<'q>(self, action: &'q str, arn: &'q str, caller: &Caller) -> Question<'q>
    where
        's: 'q,
    {
        let mut question = Question::new(action, arn);
        match self {
            Resource::Bucket(bucket) => {
                let object = object_named(bucket, arn, None);
                in_bucket(&mut question, bucket, object, caller);
            }
            Resource::BucketVersion(bucket, version) => {
                let object = object_named(bucket, arn, Some(version));
                in_bucket(&mut question, bucket, object, caller);
            }
            // Every STS action on a role (AssumeRole, AssumeRoleWithSAML,
            // AssumeRoleWithWebIdentity, TagSession, SetSourceIdentity) is
            // decided by its trust policy.
            Resource::Role(role) if is_sts_action(action) => {
                question.resource_policies = role
                    .map(|r| NamedPolicy {
                        name: "trust policy".into(),
                        policy: r.trust.parsed.clone(),
                    })
                    .into_iter()
                    .collect();
                question.role_trust = true;
            }
            Resource::Role(role) => {
                iam_tags(&mut question.extra_context, role.map_or(&[], |r| &r.tags));
            }
            Resource::Iam(tags) => iam_tags(&mut question.extra_context, tags),
            Resource::Stream(stream) => {
                for (k, v) in &stream.tags {
                    question
                        .extra_context
                        .set(&format!("aws:ResourceTag/{k}"), v.clone());
                }
                if !manages_stream_policy(action) {
                    question.resource_policies = stream
                        .policy
                        .iter()
                        .map(|doc| NamedPolicy {
                            name: "stream resource policy".into(),
                            policy: doc.parsed.clone(),
                        })
                        .collect();
                }
            }
            Resource::Plain => {}
        }
        question
    }
}

/// What a bucket brings to a question about it or about `object` (the
/// object version asked about, if the ARN names one that exists).
fn in_bucket<'q>(
    question: &mut Question<'q>,
    bucket: &'q Bucket,
    object: Option<&'q Object>,
    caller: &Caller,
) {
    question.resource_account = Some(&bucket.owner);
    question.resource_policies = effective_bucket_policy(bucket, caller);
    question
        .extra_context
        .set("aws:ResourceAccount", bucket.owner.clone());
    let acls = super::acl::part(bucket, object, question.resource, question.action);
    question.acls = acls.acls;
    if let Some(owner) = acls.foreign_owner {
        question.resource_account = Some(owner);
        question.resource_policies =
            super::acl::policy_on_foreign_object(std::mem::take(&mut question.resource_policies));
    }
}

/// The object version of `bucket` that `arn` names: the one `version`
/// names, else the current one (none for the bucket's own ARN, a delete
/// marker, or a version that is not there).
fn object_named<'b>(bucket: &'b Bucket, arn: &str, version: Option<&str>) -> Option<&'b Object> {
    let key = arn
        .strip_prefix("arn:aws:s3:::")?
        .strip_prefix(bucket.name.as_str())?
        .strip_prefix('/')?;
    match version {
        None => bucket.objects.current(key),
        Some(text) => bucket
            .objects
            .find(key, &VersionRef::parse(text)?)?
            .version
            .object(),
    }
}

/// IAM puts a user's, role's or policy's tags under both prefixes.
fn iam_tags(context: &mut RequestContext, tags: &[(String, String)]) {
    for (k, v) in tags {
        context.set(&format!("aws:ResourceTag/{k}"), v.clone());
        context.set(&format!("iam:ResourceTag/{k}"), v.clone());
    }
}

/// The bucket policy as it applies to `caller`: with `RestrictPublicBuckets`
/// on, public grants do not reach callers outside the owner's account.
pub fn effective_bucket_policy(bucket: &Bucket, caller: &Caller) -> Vec<NamedPolicy> {
    let Some(doc) = &bucket.policy else {
        return Vec::new();
    };
    let restrict = bucket.effective_public_access_block().restrict_public_buckets;
    let insider =
        iam_evaluator::public::allowed_under_restrict_public_buckets(&caller.principal, &bucket.owner);
    if !restrict || insider || !iam_evaluator::public::is_public(&doc.parsed) {
        return vec![NamedPolicy {
            name: "bucket policy".into(),
            policy: doc.parsed.clone(),
        }];
    }
    // "RestrictPublicBuckets … blocks all cross-account access": none of the
    // policy's grants reach an outside caller; its denies still apply.
    let mut restricted = (*doc.parsed).clone();
    restricted
        .statements
        .retain(|s| s.effect == iam_evaluator::Effect::Deny);
    vec![NamedPolicy {
        name: "bucket policy (its grants ignored: public, and RestrictPublicBuckets is on)".into(),
        policy: Arc::new(restricted),
    }]
}

/// An action of STS (`sts:…`, any case).
fn is_sts_action(action: &str) -> bool {
    action
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("sts:"))
}

/// Kinesis's Put/Get/DeleteResourcePolicy: "the calling identity must have
/// the PutResourcePolicy permissions on the specified Kinesis Data Streams
/// resource and belong to the owner's account in order to use this
/// operation" (Kinesis API Reference), so the stream's own policy grants
/// none of them: a caller of another account is denied for want of it.
fn manages_stream_policy(action: &str) -> bool {
    [
        "kinesis:PutResourcePolicy",
        "kinesis:GetResourcePolicy",
        "kinesis:DeleteResourcePolicy",
    ]
    .iter()
    .any(|a| a.eq_ignore_ascii_case(action))
}
