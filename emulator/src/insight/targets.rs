//! The resources `who-can` and `can` ask about, and what the services add
//! to an authorization question about each: the owning account, the
//! resource-based policy (a bucket policy as S3 applies it, with Block
//! Public Access; a role's trust policy for `sts:AssumeRole`) and the
//! resource's condition keys (`aws:ResourceTag/*`, `aws:ResourceAccount`).
//!
//! Keys that only a real request carries (`aws:SourceIp`, `s3:prefix`,
//! `aws:SecureTransport`, …) are absent, so a statement whose condition
//! needs one does not apply here; answers say when a granting statement
//! has a condition at all.

use crate::auth::Caller;
use crate::authorize::Question;
use crate::state::iam::Role;
use crate::state::s3::Bucket;
use crate::state::State;
use iam_evaluator::{NamedPolicy, RequestContext};

/// A resource, resolved against the state.
#[derive(Debug, Clone)]
pub struct Target<'s> {
    pub arn: String,
    /// The account owning the resource when its ARN does not say (S3).
    pub account: Option<String>,
    kind: Kind<'s>,
}

#[derive(Debug, Clone)]
enum Kind<'s> {
    Bucket(&'s Bucket),
    Role(&'s Role),
    /// An IAM user or customer managed policy, with its tags.
    Tagged(&'s [(String, String)]),
    /// A Kinesis stream's tags.
    Stream(&'s std::collections::BTreeMap<String, String>),
    /// Anything else (no resource policy, no tags), `*` included.
    Plain,
}

impl<'s> Target<'s> {
    /// Resolves `arn`; a resource that does not exist is asked about as it
    /// would be by the services before it exists (no policy, no tags).
    pub fn resolve(state: &'s State, arn: &str) -> Self {
        let (account, kind) = if let Some(path) = arn.strip_prefix("arn:aws:s3:::") {
            let name = path.split('/').next().unwrap_or_default();
            match state.buckets.get(name) {
                Some(bucket) => (Some(bucket.owner.clone()), Kind::Bucket(bucket)),
                None => (None, Kind::Plain),
            }
        } else {
            (None, iam_or_stream(state, arn).unwrap_or(Kind::Plain))
        };
        Target {
            arn: arn.to_string(),
            account,
            kind,
        }
    }

    /// A bucket or object of `bucket`, without a lookup.
    pub fn in_bucket(bucket: &'s Bucket, arn: String) -> Self {
        Target {
            arn,
            account: Some(bucket.owner.clone()),
            kind: Kind::Bucket(bucket),
        }
    }

    /// The question a service would ask about `action` on this resource
    /// for `caller`.
    pub fn question<'q>(&'q self, action: &'q str, caller: &'q Caller) -> Question<'q> {
        let mut question = Question::new(action, &self.arn);
        // AWS managed policies count as the caller's own: the evaluator's
        // `Request::owning_account` says so (`self.account` is `None` for them).
        question.resource_account = self.account.as_deref();
        match &self.kind {
            Kind::Bucket(bucket) => {
                question.resource_policies =
                    crate::services::s3::policy::effective_bucket_policy(bucket, caller);
                question
                    .extra_context
                    .set("aws:ResourceAccount", bucket.owner.clone());
            }
            Kind::Role(role) if action.eq_ignore_ascii_case("sts:AssumeRole") => {
                question.resource_policies = vec![NamedPolicy {
                    name: "trust policy".into(),
                    policy: role.trust.parsed.clone(),
                }];
                question.role_trust = true;
            }
            Kind::Role(role) => iam_tags(&mut question.extra_context, &role.tags),
            Kind::Tagged(tags) => iam_tags(&mut question.extra_context, tags),
            Kind::Stream(tags) => {
                for (k, v) in *tags {
                    question
                        .extra_context
                        .set(&format!("aws:ResourceTag/{k}"), v.clone());
                }
            }
            Kind::Plain => {}
        }
        question
    }
}

/// IAM puts a user's, role's or policy's tags under both prefixes.
fn iam_tags(context: &mut RequestContext, tags: &[(String, String)]) {
    for (k, v) in tags {
        context.set(&format!("aws:ResourceTag/{k}"), v.clone());
        context.set(&format!("iam:ResourceTag/{k}"), v.clone());
    }
}

/// An IAM user, role or managed policy, or a Kinesis stream, by ARN.
fn iam_or_stream<'s>(state: &'s State, arn: &str) -> Option<Kind<'s>> {
    let parsed = iam_evaluator::arn::Arn::parse(arn)?;
    if parsed.service == "kinesis" {
        let name = parsed.resource.strip_prefix("stream/")?;
        let stream = state.kinesis.stream(parsed.account, parsed.region, name)?;
        return Some(Kind::Stream(&stream.tags));
    }
    if parsed.service != "iam" {
        return None;
    }
    let account = state.account(parsed.account)?;
    if let Some(policy) = account.policies.get(arn) {
        return Some(Kind::Tagged(&policy.tags));
    }
    if let Some(role) = account.roles.values().find(|r| r.arn == arn) {
        return Some(Kind::Role(role));
    }
    let user = account.users.values().find(|u| u.arn == arn)?;
    Some(Kind::Tagged(&user.tags))
}

/// The catalog resource type of an existing resource (`s3` `object`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    Bucket,
    Object,
    User,
    Group,
    Role,
    Policy,
    Stream,
    /// `*`: for the actions that support no resource type.
    Wildcard,
}

impl ResourceKind {
    /// The catalog name of the resource type (`*` for none).
    pub fn type_name(self) -> &'static str {
        match self {
            ResourceKind::Bucket => "bucket",
            ResourceKind::Object => "object",
            ResourceKind::User => "user",
            ResourceKind::Group => "group",
            ResourceKind::Role => "role",
            ResourceKind::Policy => "policy",
            ResourceKind::Stream => "stream",
            ResourceKind::Wildcard => "*",
        }
    }
}

/// Every resource that exists in the state, with its kind, in a stable
/// order: buckets and their objects, then each account's users, groups,
/// roles and customer managed policies, then streams.
pub fn existing(state: &State) -> Vec<(String, ResourceKind)> {
    let mut out = Vec::new();
    for bucket in state.buckets.values() {
        out.push((bucket.arn(), ResourceKind::Bucket));
        for key in bucket.objects.current_keys() {
            out.push((
                format!("arn:aws:s3:::{}/{key}", bucket.name),
                ResourceKind::Object,
            ));
        }
    }
    for account in state.accounts.values() {
        out.extend(
            account
                .users
                .values()
                .map(|u| (u.arn.clone(), ResourceKind::User)),
        );
        out.extend(
            account
                .groups
                .values()
                .map(|g| (g.arn.clone(), ResourceKind::Group)),
        );
        out.extend(
            account
                .roles
                .values()
                .map(|r| (r.arn.clone(), ResourceKind::Role)),
        );
        out.extend(
            account
                .policies
                .keys()
                .map(|arn| (arn.clone(), ResourceKind::Policy)),
        );
    }
    out.extend(
        state
            .kinesis
            .all()
            .map(|(_, s)| (s.arn.clone(), ResourceKind::Stream)),
    );
    out
}
