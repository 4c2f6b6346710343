//! S3 access control lists as stored with a bucket or an object: the
//! grants as S3 shows them (canonical user ids, group URIs), each CanonicalUser
//! grant tied to the account it names, so the decision can match callers.
//! What the grants allow, and when they count, is decided elsewhere
//! (`iam_evaluator::acl`, `services/s3/acl.rs`).

use iam_evaluator::AclPermission;
use serde::{Deserialize, Serialize};

/// S3's predefined groups, by the URI S3 names them with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Group {
    AllUsers,
    AuthenticatedUsers,
    LogDelivery,
}

impl Group {
    pub const ALL: [Group; 3] = [Group::AllUsers, Group::AuthenticatedUsers, Group::LogDelivery];

    /// The group's URI (S3 User Guide, "Amazon S3 predefined groups").
    pub fn uri(self) -> &'static str {
        match self {
            Group::AllUsers => "http://acs.amazonaws.com/groups/global/AllUsers",
            Group::AuthenticatedUsers => "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
            Group::LogDelivery => "http://acs.amazonaws.com/groups/s3/LogDelivery",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.uri() == uri)
    }
}

/// Who a stored grant is to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoredGrantee {
    /// An AWS account by its canonical user id; `account` is the account
    /// the id belongs to (`None` for an id of no account the emulator has,
    /// such as the EC2 grant of `aws-exec-read`: shown, never matched).
    CanonicalUser {
        id: String,
        account: Option<String>,
    },
    Group(Group),
}

/// One stored grant: grantee and permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredGrant {
    pub grantee: StoredGrantee,
    pub permission: AclPermission,
}

impl StoredGrant {
    /// Grants to AllUsers or AuthenticatedUsers are public (S3 User Guide,
    /// "Blocking public access … The meaning of public").
    pub fn is_public(&self) -> bool {
        matches!(
            self.grantee,
            StoredGrantee::Group(Group::AllUsers | Group::AuthenticatedUsers)
        )
    }
}

/// A stored ACL. A bucket or object without one has the default ACL: its
/// owner has FULL_CONTROL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessControlList {
    pub grants: Vec<StoredGrant>,
}

impl AccessControlList {
    /// Whether any grant is public.
    pub fn is_public(&self) -> bool {
        self.grants.iter().any(StoredGrant::is_public)
    }
}
