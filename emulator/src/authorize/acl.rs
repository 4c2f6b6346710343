//! What S3 ACLs bring to a question about a bucket or an object version,
//! whichever door asks (an S3 request, `who-can`, `can`, `POST
//! /_emulator/decide`): the grants that count, and who owns an object
//! another account wrote. What a grant allows is the evaluator's
//! (`iam_evaluator::acl`); storing and serving ACLs is `services/s3/acl.rs`.
//!
//! S3 User Guide, "Controlling ownership of objects and disabling ACLs":
//! under `BucketOwnerEnforced` "ACLs are disabled and no longer affect
//! permissions"; "Blocking public access": `IgnorePublicAcls` "causes Amazon
//! S3 to ignore all public ACLs on a bucket and any objects that it
//! contains". ACLs are per object version: each version keeps its own.

use crate::state::s3::{Bucket, Object};
use crate::state::s3_acl::{AccessControlList, Group, StoredGrantee};
use iam_evaluator::{Acl, AclGrant, AclPermission, AclResource, Grantee, NamedPolicy};
use std::sync::Arc;

/// What a question about a bucket or an object version takes from ACLs
/// and object ownership.
pub struct AclPart<'b> {
    /// The bucket's and the object version's ACLs, filtered as Object
    /// Ownership and `IgnorePublicAcls` say (none when ACLs are disabled).
    pub acls: Vec<Acl>,
    /// The object's owner when it is another account than the bucket's
    /// and the action acts in the object's context: the resource's account.
    pub foreign_owner: Option<&'b str>,
}

/// The ACL part of a question about `action` on `resource` in `bucket`;
/// `object` is the version the question is about (none for the bucket
/// itself, or a key without that version).
pub fn part<'b>(bucket: &'b Bucket, object: Option<&'b Object>, resource: &str, action: &str) -> AclPart<'b> {
    let Some(bucket_acl) = bucket_acl(bucket) else {
        return AclPart {
            acls: Vec::new(),
            foreign_owner: None,
        };
    };
    let mut acls = vec![bucket_acl];
    let mut foreign_owner = None;
    if let Some(object) = object {
        let owner = bucket.object_owner(object);
        acls.push(Acl {
            name: "object ACL".into(),
            on: AclResource::Object,
            arn: resource.to_string(),
            grants: counted(object.acl.as_ref(), owner, ignores_public(bucket)),
        });
        if owner != bucket.owner && in_object_context(action) {
            foreign_owner = Some(owner);
        }
    }
    AclPart { acls, foreign_owner }
}

/// The bucket's own ACL as decisions take it; `None` when Object
/// Ownership disables ACLs (Access Analyzer's `BUCKET_ACL` source too).
pub fn bucket_acl(bucket: &Bucket) -> Option<Acl> {
    bucket.acls_enabled().then(|| Acl {
        name: "bucket ACL".into(),
        on: AclResource::Bucket,
        arn: bucket.arn(),
        grants: counted(bucket.acl.as_ref(), &bucket.owner, ignores_public(bucket)),
    })
}

fn ignores_public(bucket: &Bucket) -> bool {
    bucket.effective_public_access_block().ignore_public_acls
}

/// The grants of a stored ACL (or the default: its owner has
/// FULL_CONTROL) that count: grants to accounts the emulator does not have
/// match nobody, and public grants are dropped under `IgnorePublicAcls`.
fn counted(acl: Option<&AccessControlList>, owner: &str, ignore_public: bool) -> Vec<AclGrant> {
    let Some(acl) = acl else {
        return vec![AclGrant {
            grantee: Grantee::Account(owner.to_string()),
            permission: AclPermission::FullControl,
        }];
    };
    acl.grants
        .iter()
        .filter(|g| !(ignore_public && g.is_public()))
        .filter_map(|g| {
            let grantee = match &g.grantee {
                StoredGrantee::CanonicalUser { account, .. } => Grantee::Account(account.clone()?),
                StoredGrantee::Group(Group::AllUsers) => Grantee::AllUsers,
                StoredGrantee::Group(Group::AuthenticatedUsers) => Grantee::AuthenticatedUsers,
                StoredGrantee::Group(Group::LogDelivery) => Grantee::LogDelivery,
            };
            Some(AclGrant {
                grantee,
                permission: g.permission,
            })
        })
        .collect()
}

/// Actions that act on an existing object as its owner's resource (its
/// data, ACL and tags); writing and deleting keys are the bucket owner's
/// (S3 User Guide, "How Amazon S3 authorizes a request for an object
/// operation": the object owner's ACL and policies decide in the object
/// context).
fn in_object_context(action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    action.starts_with("s3:getobject")
        || matches!(
            action.as_str(),
            "s3:putobjectacl"
                | "s3:putobjectversionacl"
                | "s3:putobjecttagging"
                | "s3:putobjectversiontagging"
                | "s3:deleteobjecttagging"
                | "s3:deleteobjectversiontagging"
        )
}

/// The bucket policy on an object another account owns: "the bucket owner
/// … can deny access to any objects", but its grants do not reach objects
/// it does not own.
pub fn policy_on_foreign_object(policies: Vec<NamedPolicy>) -> Vec<NamedPolicy> {
    policies
        .into_iter()
        .map(|named| {
            let mut denies = (*named.policy).clone();
            denies
                .statements
                .retain(|s| s.effect == iam_evaluator::Effect::Deny);
            NamedPolicy {
                name: format!(
                    "{} (its grants do not reach an object another account owns)",
                    named.name
                )
                .into(),
                policy: Arc::new(denies),
            }
        })
        .collect()
}
