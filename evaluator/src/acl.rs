//! S3 access control lists as one more input to a decision.
//!
//! S3 User Guide, "Access control list (ACL) overview": an ACL is a list of
//! grants, each a grantee (an AWS account by canonical user id, or one of
//! S3's predefined groups) and a permission. S3 User Guide, "How Amazon S3
//! authorizes a request": ACLs are resource-based permissions beside the
//! bucket policy, so a grant acts like a resource-based `Allow` naming its
//! grantee, and never overrides an explicit `Deny`.
//!
//! The service decides *which* grants count (none when Object Ownership is
//! `BucketOwnerEnforced`, no public ones under `IgnorePublicAcls`) and
//! passes them in; this module maps each permission to the actions it
//! allows, as the ACL overview's table "Mapping of ACL permissions and
//! access policy permissions" does, and lets [`crate::decision`] check each
//! grant like a statement, so the trace and `explain` show it.

use crate::policy::{Effect, Listed, PrincipalSet, Statement};
use crate::principal::{Principal, PrincipalKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// An ACL permission (`Permission` in `AccessControlPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AclPermission {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

impl AclPermission {
    /// Every permission, in the order S3 lists them.
    pub const ALL: [AclPermission; 5] = [
        AclPermission::FullControl,
        AclPermission::Write,
        AclPermission::WriteAcp,
        AclPermission::Read,
        AclPermission::ReadAcp,
    ];

    /// S3's name (`READ`, `FULL_CONTROL`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AclPermission::Read => "READ",
            AclPermission::Write => "WRITE",
            AclPermission::ReadAcp => "READ_ACP",
            AclPermission::WriteAcp => "WRITE_ACP",
            AclPermission::FullControl => "FULL_CONTROL",
        }
    }

    /// Reads S3's name of a permission.
    pub fn parse(text: &str) -> Option<AclPermission> {
        AclPermission::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The actions the permission allows on a bucket or an object (S3 User
    /// Guide, "Mapping of ACL permissions and access policy permissions";
    /// "FULL_CONTROL … Allows grantee the READ, WRITE, READ_ACP, and
    /// WRITE_ACP permissions"). WRITE on a bucket "allows grantee to create
    /// new objects in the bucket. For the bucket and object owners of
    /// existing objects, also allows deletions and overwrites"; WRITE on an
    /// object is "Not applicable".
    pub fn actions(self, on: AclResource) -> Vec<&'static str> {
        match (self, on) {
            (AclPermission::Read, AclResource::Bucket) => {
                vec![
                    "s3:ListBucket",
                    "s3:ListBucketVersions",
                    "s3:ListBucketMultipartUploads",
                ]
            }
            (AclPermission::Read, AclResource::Object) => {
                vec!["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTorrent"]
            }
            (AclPermission::Write, AclResource::Bucket) => vec!["s3:PutObject", "s3:DeleteObject"],
            (AclPermission::Write, AclResource::Object) => Vec::new(),
            (AclPermission::ReadAcp, AclResource::Bucket) => vec!["s3:GetBucketAcl"],
            (AclPermission::ReadAcp, AclResource::Object) => {
                vec!["s3:GetObjectAcl", "s3:GetObjectVersionAcl"]
            }
            (AclPermission::WriteAcp, AclResource::Bucket) => vec!["s3:PutBucketAcl"],
            (AclPermission::WriteAcp, AclResource::Object) => {
                vec!["s3:PutObjectAcl", "s3:PutObjectVersionAcl"]
            }
            (AclPermission::FullControl, on) => [
                AclPermission::Read,
                AclPermission::Write,
                AclPermission::ReadAcp,
                AclPermission::WriteAcp,
            ]
            .into_iter()
            .flat_map(|p| p.actions(on))
            .collect(),
        }
    }
}

/// Who a grant is to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "account")]
pub enum Grantee {
    /// An AWS account (granted by canonical user id or e-mail address):
    /// like a bucket policy naming the account, its identities still need
    /// their own identity-based permission.
    Account(String),
    /// `http://acs.amazonaws.com/groups/global/AllUsers`: anyone, signed or
    /// not.
    AllUsers,
    /// `http://acs.amazonaws.com/groups/global/AuthenticatedUsers`: "all AWS
    /// accounts … all requests must be signed".
    AuthenticatedUsers,
    /// `http://acs.amazonaws.com/groups/s3/LogDelivery`: S3's server access
    /// logging.
    LogDelivery,
}

impl Grantee {
    /// How the trace names the grantee.
    pub fn describe(&self) -> String {
        match self {
            Grantee::Account(account) => format!("account {account}"),
            Grantee::AllUsers => "AllUsers".into(),
            Grantee::AuthenticatedUsers => "AuthenticatedUsers".into(),
            Grantee::LogDelivery => "LogDelivery".into(),
        }
    }

    /// Public grantees are what Block Public Access's `BlockPublicAcls` and
    /// `IgnorePublicAcls` act on (S3 User Guide, "The meaning of public":
    /// an ACL is public if it grants to AllUsers or AuthenticatedUsers).
    pub fn is_public(&self) -> bool {
        matches!(self, Grantee::AllUsers | Grantee::AuthenticatedUsers)
    }

    /// The `Principal` element a bucket policy would name the grantee with.
    fn principal_set(&self) -> PrincipalSet {
        match self {
            Grantee::Account(account) => PrincipalSet {
                aws: vec![format!("arn:aws:iam::{account}:root")],
                ..PrincipalSet::default()
            },
            Grantee::AllUsers | Grantee::AuthenticatedUsers => PrincipalSet {
                everyone: true,
                ..PrincipalSet::default()
            },
            Grantee::LogDelivery => PrincipalSet {
                service: vec![LOG_DELIVERY_SERVICE.into()],
                ..PrincipalSet::default()
            },
        }
    }

    /// Whether the grant can reach `caller` at all beyond what its
    /// principal element says: AuthenticatedUsers never reaches an
    /// unsigned request.
    pub(crate) fn admits(&self, caller: &Principal) -> bool {
        !(*self == Grantee::AuthenticatedUsers && caller.kind == PrincipalKind::Anonymous)
    }
}

/// The service principal S3's log delivery acts as.
pub const LOG_DELIVERY_SERVICE: &str = "logging.s3.amazonaws.com";

/// One grant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AclGrant {
    pub grantee: Grantee,
    pub permission: AclPermission,
}

/// Whether the ACL is a bucket's or an object's: the same permission
/// allows different actions on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AclResource {
    Bucket,
    Object,
}

/// One ACL, as it takes part in a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Acl {
    /// How the trace names it (`bucket ACL`, `object ACL`).
    pub name: Arc<str>,
    pub on: AclResource,
    /// The bucket's ARN (`arn:aws:s3:::b`) or the object's (`…:::b/k`).
    pub arn: String,
    pub grants: Vec<AclGrant>,
}

impl Acl {
    /// The ACL as the statements a bucket policy would need to grant the
    /// same: one `Allow` per grant, its `Sid` naming grantee and permission
    /// (`AllUsers READ`). A bucket's WRITE acts on the bucket's objects.
    pub fn statements(&self) -> Vec<Statement> {
        self.grants
            .iter()
            .map(|grant| {
                let resource = match (self.on, grant.permission) {
                    (AclResource::Bucket, AclPermission::Write) => vec![format!("{}/*", self.arn)],
                    (AclResource::Bucket, AclPermission::FullControl) => {
                        vec![self.arn.clone(), format!("{}/*", self.arn)]
                    }
                    _ => vec![self.arn.clone()],
                };
                Statement {
                    sid: Some(format!(
                        "{} {}",
                        grant.grantee.describe(),
                        grant.permission.as_str()
                    )),
                    effect: Effect::Allow,
                    principal: Some(Listed {
                        negated: false,
                        items: grant.grantee.principal_set(),
                    }),
                    action: Listed {
                        negated: false,
                        items: grant
                            .permission
                            .actions(self.on)
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                    },
                    resource: Some(Listed {
                        negated: false,
                        items: resource,
                    }),
                    conditions: Vec::new(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_control_is_the_four_permissions() {
        for on in [AclResource::Bucket, AclResource::Object] {
            let all = AclPermission::FullControl.actions(on);
            for p in [
                AclPermission::Read,
                AclPermission::Write,
                AclPermission::ReadAcp,
                AclPermission::WriteAcp,
            ] {
                for action in p.actions(on) {
                    assert!(all.contains(&action), "{action}");
                }
            }
        }
        assert!(AclPermission::Write.actions(AclResource::Object).is_empty());
    }

    #[test]
    fn permissions_read_back() {
        for p in AclPermission::ALL {
            assert_eq!(AclPermission::parse(p.as_str()), Some(p));
        }
        assert_eq!(AclPermission::parse("read"), None);
    }

    #[test]
    fn one_statement_per_grant_named_for_it() {
        let acl = Acl {
            name: "bucket ACL".into(),
            on: AclResource::Bucket,
            arn: "arn:aws:s3:::b".into(),
            grants: vec![
                AclGrant {
                    grantee: Grantee::AllUsers,
                    permission: AclPermission::Write,
                },
                AclGrant {
                    grantee: Grantee::Account("111122223333".into()),
                    permission: AclPermission::Read,
                },
            ],
        };
        let statements = acl.statements();
        assert_eq!(statements[0].sid.as_deref(), Some("AllUsers WRITE"));
        assert_eq!(
            statements[0].resource.as_ref().unwrap().items,
            vec!["arn:aws:s3:::b/*".to_string()]
        );
        assert_eq!(statements[1].sid.as_deref(), Some("account 111122223333 READ"));
        assert_eq!(
            statements[1].principal.as_ref().unwrap().items.aws,
            vec!["arn:aws:iam::111122223333:root".to_string()]
        );
    }
}
