//! The resources `who-can` and `can` ask about: an ARN resolved against
//! the state to the resource a service would find
//! ([`crate::authorize::Resource`]), whose part of each question is written
//! once, in [`crate::authorize::resource`], for the services and for
//! insight alike.
//!
//! Keys that only a real request carries (`aws:SourceIp`, `s3:prefix`,
//! `aws:SecureTransport`, …) are absent, so a statement whose condition
//! needs one does not apply here; answers say when a granting statement
//! has a condition at all.

use crate::auth::Caller;
use crate::authorize::{Question, Resource};
use crate::state::s3::Bucket;
use crate::state::State;

/// A resource, resolved against the state.
#[derive(Debug, Clone)]
pub struct Target<'s> {
    pub arn: String,
    resource: Resource<'s>,
}

impl<'s> Target<'s> {
    /// Resolves `arn`; a resource that does not exist is asked about as it
    /// would be by the services before it exists (no policy, no tags; a
    /// role's missing trust policy lets nobody assume it).
    pub fn resolve(state: &'s State, arn: &str) -> Self {
        let resource = if let Some(path) = arn.strip_prefix("arn:aws:s3:::") {
            let name = path.split('/').next().unwrap_or_default();
            state.buckets.get(name).map_or(Resource::Plain, Resource::Bucket)
        } else {
            iam_or_stream(state, arn)
        };
        Target {
            arn: arn.to_string(),
            resource,
        }
    }

    /// A bucket or object of `bucket`, without a lookup.
    pub fn in_bucket(bucket: &'s Bucket, arn: String) -> Self {
        Target {
            arn,
            resource: Resource::Bucket(bucket),
        }
    }

    /// The question a service would ask about `action` on this resource
    /// for `caller`.
    pub fn question<'q>(&'q self, action: &'q str, caller: &Caller) -> Question<'q> {
        self.resource.question(action, &self.arn, caller)
    }
}

/// An IAM resource (tags as IAM reads them; a role, for its trust policy
/// too), or a Kinesis stream, by ARN.
fn iam_or_stream<'s>(state: &'s State, arn: &str) -> Resource<'s> {
    let Some(parsed) = iam_evaluator::arn::Arn::parse(arn) else {
        return Resource::Plain;
    };
    match parsed.service {
        "kinesis" => parsed
            .resource
            .strip_prefix("stream/")
            .and_then(|name| state.kinesis.stream(parsed.account, parsed.region, name))
            .map_or(Resource::Plain, Resource::Stream),
        "iam" if parsed.resource.starts_with("role/") => Resource::Role(
            state
                .account(parsed.account)
                .and_then(|a| a.roles.values().find(|r| r.arn == arn)),
        ),
        "iam" => Resource::Iam(crate::services::iam::resource_tags(state, arn)),
        _ => Resource::Plain,
    }
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
