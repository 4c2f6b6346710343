//! AWS's rules that decide a request beside the policies: an action that
//! needs no permission, a resource nobody may change, the bucket owner's
//! root and its bucket policy, the root user and roles. Each is a sentence
//! of AWS's documentation (quoted on its variant) or, where AWS documents
//! the behaviour only by its error, that error.
//!
//! [`crate::decision::evaluate`] asks [`applicable`] about every request and
//! records the rule that decided in [`Decision::rule`](crate::Decision::rule),
//! so a real request, `explain`, the simulators and the console agree and
//! the trace says why. The policies are still evaluated and traced, so an
//! explanation can show what they would have said.
//!
//! The check is on every request's path: it compares the action's service
//! prefix and, only for IAM and KMS actions, looks at the resource; the
//! catalog is asked for an access level only when the resource is AWS's.

use crate::arn::Arn;
use crate::catalog::{AccessLevel, Catalog};
use crate::decision::Request;
use crate::principal::PrincipalKind;
use serde::Serialize;

/// A rule that decided a request instead of (or beside) the policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "name")]
pub enum Rule {
    /// `sts:GetCallerIdentity`: "No permissions are required to perform this
    /// operation. If an administrator attaches a policy to your identity that
    /// explicitly denies access to the sts:GetCallerIdentity action, you can
    /// still perform this operation" (STS API Reference). `sts:GetSessionToken`:
    /// "No permissions are required for a user to get a session token … You
    /// cannot use policies to control authentication operations" (IAM User
    /// Guide, "Permissions for GetSessionToken"). Allowed whatever any policy
    /// (identity, boundary, session, SCP, RCP) says.
    NeedsNoPermission,
    /// S3 API Reference, DeleteBucketPolicy / GetBucketPolicy /
    /// PutBucketPolicy: "the root principal in a bucket owner's Amazon Web
    /// Services account can perform the GetBucketPolicy, PutBucketPolicy, and
    /// DeleteBucketPolicy API actions, even if their bucket policy explicitly
    /// denies the root principal's access. Bucket owner root principals can
    /// only be blocked from performing these API actions by VPC endpoint
    /// policies and AWS Organizations policies." The bucket policy is set
    /// aside; SCPs and RCPs still apply.
    BucketOwnerRoot,
    /// The resource belongs to AWS and the action would change it (its
    /// access level is Write, Permissions management or Tagging): denied to
    /// everyone, whatever the policies allow.
    AwsOwnedResource { owner: AwsOwned },
    /// `sts:AssumeRole` by an account's root user: AWS answers `AccessDenied`
    /// "Roles may not be assumed by root accounts." whatever the trust policy
    /// says.
    RootCannotAssumeRole,
    /// A federated user's session (GetFederationToken) calling IAM, or STS
    /// beyond GetCallerIdentity: "You cannot call any IAM operations using
    /// the AWS CLI or the AWS API. … You cannot call any STS operations
    /// except GetCallerIdentity" (STS API Reference, GetFederationToken,
    /// "Permissions").
    FederatedUserApiLimits,
    /// An STS request from a session with a source identity asking for
    /// another one (`sts:SourceIdentity` ≠ the session's `aws:SourceIdentity`):
    /// "After the source identity is set, the value cannot be changed. It is
    /// present in the request for all actions that are taken by the role and
    /// persists across chained role sessions" (STS API Reference,
    /// AssumeRole, SourceIdentity).
    SourceIdentityUnchangeable,
    /// `sts:GetSessionToken` or `sts:GetFederationToken` with temporary
    /// credentials (a role session, or any session: `aws:TokenIssueTime`
    /// "is included in the request context only when the principal uses
    /// temporary credentials"). GetSessionToken: "You cannot call
    /// GetSessionToken with session credentials"; GetFederationToken: "You
    /// must call the GetFederationToken operation using the long-term
    /// security credentials of an IAM user" (STS API Reference). Denied
    /// whatever the policies say, so the needs-no-permission rule never
    /// reaches a session.
    LongTermCredentialsOnly,
}

/// Which kind of AWS-owned resource a request would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AwsOwned {
    /// `arn:aws:iam::aws:policy/…`: "You cannot change the permissions
    /// defined in AWS managed policies" (IAM User Guide, "AWS managed
    /// policies").
    ManagedPolicy,
    /// A role under `/aws-service-role/`: "service-linked roles are protected
    /// AWS resources. Only the service that depends on the service-linked role
    /// can modify or delete the role on your behalf" (IAM API Reference,
    /// `UnmodifiableEntity`). Its description may be edited ("You can edit the
    /// description of any role"), it may be created and deleted through
    /// `CreateServiceLinkedRole` / `DeleteServiceLinkedRole`, tagged, and
    /// passed; the service principal itself may change it.
    ServiceLinkedRole,
    /// A role under `/aws-reserved/` (IAM Identity Center's
    /// `AWSReservedSSO_…`): IAM answers `UnmodifiableEntity` "this role is
    /// only modifiable by AWS".
    ReservedRole,
    /// A KMS alias under `alias/aws/`: "The alias/aws/ prefix is reserved
    /// for AWS managed keys" (KMS API Reference, CreateAlias); only AWS
    /// creates, updates and deletes them.
    ManagedKmsAlias,
}

impl AwsOwned {
    /// What the resource is, in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            AwsOwned::ManagedPolicy => "an AWS managed policy",
            AwsOwned::ServiceLinkedRole => "a service-linked role",
            AwsOwned::ReservedRole => "a role reserved for AWS (/aws-reserved/)",
            AwsOwned::ManagedKmsAlias => "the alias of an AWS managed KMS key",
        }
    }

    /// Actions of the resource's own API that AWS lets callers use although
    /// their access level is a modifying one (see the variants).
    fn allowed_actions(self) -> &'static [&'static str] {
        match self {
            AwsOwned::ServiceLinkedRole => &[
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:PassRole",
            ],
            AwsOwned::ReservedRole => &["iam:PassRole"],
            AwsOwned::ManagedPolicy | AwsOwned::ManagedKmsAlias => &[],
        }
    }

    /// Which kind of AWS-owned resource `resource` is, if any.
    pub fn of(resource: &str) -> Option<AwsOwned> {
        // Most requests are on S3, Kinesis, STS: one comparison each.
        if !resource.starts_with("arn:") {
            return None;
        }
        let arn = Arn::parse(resource)?;
        match arn.service {
            "iam" if arn.account == "aws" && arn.resource.starts_with("policy/") => {
                Some(AwsOwned::ManagedPolicy)
            }
            "iam" if arn.resource.starts_with("role/aws-service-role/") => Some(AwsOwned::ServiceLinkedRole),
            "iam" if arn.resource.starts_with("role/aws-reserved/") => Some(AwsOwned::ReservedRole),
            "kms" if arn.resource.starts_with("alias/aws/") => Some(AwsOwned::ManagedKmsAlias),
            _ => None,
        }
    }
}

impl Rule {
    /// The rule's name as the JSON shows it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::NeedsNoPermission => "needsNoPermission",
            Rule::BucketOwnerRoot => "bucketOwnerRoot",
            Rule::AwsOwnedResource { .. } => "awsOwnedResource",
            Rule::RootCannotAssumeRole => "rootCannotAssumeRole",
            Rule::FederatedUserApiLimits => "federatedUserApiLimits",
            Rule::SourceIdentityUnchangeable => "sourceIdentityUnchangeable",
            Rule::LongTermCredentialsOnly => "longTermCredentialsOnly",
        }
    }

    /// Why the rule decided, in plain words.
    pub fn reason(self) -> String {
        match self {
            Rule::NeedsNoPermission => "this action needs no permission: AWS performs it for any authenticated \
                                        caller, even under an explicit deny, a session policy or an SCP"
                .into(),
            Rule::BucketOwnerRoot => "the root user of the account that owns the bucket may always get, put and \
                                      delete its bucket policy: the bucket policy does not bind it (SCPs and \
                                      RCPs still do)"
                .into(),
            Rule::AwsOwnedResource { owner } => format!(
                "AWS-owned resource: the resource is {}, which only AWS may change, whatever the policies allow",
                owner.describe()
            ),
            Rule::RootCannotAssumeRole => "the root user cannot assume a role".into(),
            Rule::FederatedUserApiLimits => "a federated user (GetFederationToken) cannot call IAM, nor STS other \
                                             than GetCallerIdentity, whatever the policies allow"
                .into(),
            Rule::SourceIdentityUnchangeable => "the calling session's source identity is set and cannot be \
                                                 changed in a chained session"
                .into(),
            Rule::LongTermCredentialsOnly => "only long-term credentials (an IAM user's or the root user's access \
                                              key) may call this action, not a session's"
                .into(),
        }
    }

    /// Where AWS says so.
    pub fn source(self) -> &'static str {
        match self {
            Rule::NeedsNoPermission => {
                "STS API Reference, GetCallerIdentity; IAM User Guide, \"Permissions for GetSessionToken\""
            }
            Rule::BucketOwnerRoot => {
                "S3 API Reference, GetBucketPolicy / PutBucketPolicy / DeleteBucketPolicy"
            }
            Rule::AwsOwnedResource {
                owner: AwsOwned::ManagedPolicy,
            } => "IAM User Guide, \"AWS managed policies\"",
            Rule::AwsOwnedResource {
                owner: AwsOwned::ServiceLinkedRole | AwsOwned::ReservedRole,
            } => "IAM API Reference, UnmodifiableEntity; IAM User Guide, \"Update a service-linked role\"",
            Rule::AwsOwnedResource {
                owner: AwsOwned::ManagedKmsAlias,
            } => "KMS API Reference, CreateAlias",
            Rule::RootCannotAssumeRole => "STS AssumeRole's AccessDenied answer to root credentials",
            Rule::FederatedUserApiLimits => "STS API Reference, GetFederationToken, \"Permissions\"",
            Rule::SourceIdentityUnchangeable => {
                "STS API Reference, AssumeRole, SourceIdentity; IAM User Guide, \"Monitor and control actions taken \
                 with assumed roles\""
            }
            Rule::LongTermCredentialsOnly => "STS API Reference, GetSessionToken and GetFederationToken",
        }
    }
}

/// The S3 actions the bucket owner's root may always perform.
const BUCKET_POLICY_ACTIONS: [&str; 3] = ["GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"];

/// STS actions only long-term credentials may call.
const LONG_TERM_ONLY: [&str; 2] = ["GetSessionToken", "GetFederationToken"];

/// A role session, or a request whose context says its credentials are
/// temporary: `aws:TokenIssueTime` "is included in the request context
/// only when the principal uses temporary credentials" (IAM User Guide,
/// global condition keys). (`aws:MultiFactorAuthPresent` is too, but a
/// request that presents an MFA code, such as GetSessionToken's, carries it
/// with long-term keys.)
fn uses_temporary_credentials(request: &Request) -> bool {
    matches!(request.principal.kind, PrincipalKind::AssumedRole { .. })
        || request.context.get("aws:TokenIssueTime").is_some()
}

/// STS actions no policy controls.
const NEEDS_NO_PERMISSION: [&str; 2] = ["GetCallerIdentity", "GetSessionToken"];

/// The rule that decides `request`, if any. [`Rule::BucketOwnerRoot`] is
/// returned for the owner's root whatever the bucket policy says; the
/// decision records it only when it set a denial aside.
pub fn applicable(request: &Request) -> Option<Rule> {
    let (service, name) = request.action.split_once(':')?;
    let caller = &request.principal;
    let is = |prefix: &str| service.eq_ignore_ascii_case(prefix);
    if caller.kind == PrincipalKind::FederatedUser
        && (is("iam") || (is("sts") && !name.eq_ignore_ascii_case("GetCallerIdentity")))
    {
        return Some(Rule::FederatedUserApiLimits);
    }
    if is("sts") && changes_source_identity(request) {
        return Some(Rule::SourceIdentityUnchangeable);
    }
    if is("sts")
        && LONG_TERM_ONLY.iter().any(|n| n.eq_ignore_ascii_case(name))
        && uses_temporary_credentials(request)
    {
        return Some(Rule::LongTermCredentialsOnly);
    }
    if is("sts") {
        if NEEDS_NO_PERMISSION.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return Some(Rule::NeedsNoPermission);
        }
        let root_assumes = caller.kind == PrincipalKind::Root && name.eq_ignore_ascii_case("AssumeRole");
        return root_assumes.then_some(Rule::RootCannotAssumeRole);
    }
    if is("s3") {
        let owner_root = caller.kind == PrincipalKind::Root
            && BUCKET_POLICY_ACTIONS.iter().any(|n| n.eq_ignore_ascii_case(name))
            && caller.account.is_some()
            && caller.account.as_deref() == request.owning_account();
        return owner_root.then_some(Rule::BucketOwnerRoot);
    }
    // Only IAM and KMS actions act on the resources AWS owns.
    if !is("iam") && !is("kms") {
        return None;
    }
    let owner = AwsOwned::of(&request.resource)?;
    let the_service_itself = caller.kind == PrincipalKind::Service
        && matches!(owner, AwsOwned::ServiceLinkedRole | AwsOwned::ReservedRole);
    let permitted = owner
        .allowed_actions()
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&request.action));
    (!the_service_itself && !permitted && modifies(&request.action))
        .then_some(Rule::AwsOwnedResource { owner })
}

/// Whether the request asks for a source identity (`sts:SourceIdentity`)
/// other than the one its session carries (`aws:SourceIdentity`).
fn changes_source_identity(request: &Request) -> bool {
    let single = |key: &str| match request.context.get(key) {
        Some(crate::ContextValue::Single(value)) => Some(value.as_str()),
        _ => None,
    };
    matches!(
        (single("aws:SourceIdentity"), single("sts:SourceIdentity")),
        (Some(held), Some(asked)) if held != asked
    )
}

/// Does the action change what it acts on? Its access level in the Service
/// Authorization Reference is Write, Permissions management or Tagging. An
/// action the catalog does not know is left to the policies.
pub fn modifies(action: &str) -> bool {
    Catalog::get().action(action).is_some_and(|(_, a)| {
        matches!(
            a.access_level,
            AccessLevel::Write | AccessLevel::PermissionsManagement | AccessLevel::Tagging
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Principal, RequestContext};

    fn request(principal: &str, action: &str, resource: &str) -> Request {
        Request {
            principal: Principal::from_arn(principal).unwrap(),
            action: action.into(),
            resource: resource.into(),
            resource_account: None,
            context: RequestContext::new(),
        }
    }

    const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
    const ROOT: &str = "arn:aws:iam::111111111111:root";

    #[test]
    fn aws_owned_resources_are_recognised_by_arn() {
        let of = AwsOwned::of;
        assert_eq!(
            of("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            Some(AwsOwned::ManagedPolicy)
        );
        assert_eq!(
            of("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            Some(AwsOwned::ManagedPolicy)
        );
        assert_eq!(
            of("arn:aws:iam::111111111111:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"),
            Some(AwsOwned::ServiceLinkedRole)
        );
        assert_eq!(
            of("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123"),
            Some(AwsOwned::ReservedRole)
        );
        assert_eq!(
            of("arn:aws:kms:us-east-1:111111111111:alias/aws/s3"),
            Some(AwsOwned::ManagedKmsAlias)
        );
        for other in [
            "arn:aws:iam::111111111111:policy/ReadOnlyAccess",
            "arn:aws:iam::111111111111:role/service-role/x",
            "arn:aws:iam::111111111111:role/aws-service-role",
            "arn:aws:kms:us-east-1:111111111111:alias/awsome",
            "arn:aws:s3:::aws-service-role/x",
            "*",
        ] {
            assert_eq!(of(other), None, "{other}");
        }
    }

    #[test]
    fn modifying_actions_come_from_the_catalog_access_levels() {
        assert!(modifies("iam:DeletePolicy"));
        assert!(modifies("iam:CreatePolicyVersion"));
        assert!(modifies("IAM:tagpolicy"));
        assert!(!modifies("iam:GetPolicy"));
        assert!(!modifies("iam:ListPolicyVersions"));
        assert!(!modifies("iam:NoSuchAction"));
    }

    #[test]
    fn rules_apply_only_to_their_requests() {
        let slr = "arn:aws:iam::111111111111:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2";
        assert_eq!(
            applicable(&request(ALICE, "sts:GetCallerIdentity", "*")),
            Some(Rule::NeedsNoPermission)
        );
        assert_eq!(applicable(&request(ALICE, "sts:AssumeRole", "*")), None);
        assert_eq!(
            applicable(&request(ROOT, "sts:AssumeRole", "*")),
            Some(Rule::RootCannotAssumeRole)
        );
        let federated = "arn:aws:sts::111111111111:federated-user/bob";
        for action in [
            "iam:ListUsers",
            "sts:AssumeRole",
            "sts:GetSessionToken",
            "sts:GetFederationToken",
        ] {
            assert_eq!(
                applicable(&request(federated, action, "*")),
                Some(Rule::FederatedUserApiLimits),
                "{action}"
            );
        }
        assert_eq!(
            applicable(&request(federated, "sts:GetCallerIdentity", "*")),
            Some(Rule::NeedsNoPermission)
        );
        assert_eq!(
            applicable(&request(federated, "s3:GetObject", "arn:aws:s3:::b/k")),
            None
        );
        assert_eq!(
            applicable(&request(ALICE, "iam:DeleteRole", slr)),
            Some(Rule::AwsOwnedResource {
                owner: AwsOwned::ServiceLinkedRole
            })
        );
        assert_eq!(applicable(&request(ALICE, "iam:GetRole", slr)), None);
        assert_eq!(
            applicable(&request(ALICE, "iam:UpdateRoleDescription", slr)),
            None
        );
        assert_eq!(
            applicable(&request(ALICE, "iam:DeleteServiceLinkedRole", slr)),
            None
        );
        let mut service = request(ALICE, "iam:DeleteRole", slr);
        service.principal = Principal::service("ec2.amazonaws.com");
        assert_eq!(applicable(&service), None);
        assert_eq!(
            applicable(&request(ROOT, "s3:PutBucketPolicy", "arn:aws:s3:::b")),
            Some(Rule::BucketOwnerRoot)
        );
        let mut foreign = request(ROOT, "s3:PutBucketPolicy", "arn:aws:s3:::b");
        foreign.resource_account = Some("222222222222".into());
        assert_eq!(applicable(&foreign), None);
        assert_eq!(
            applicable(&request(ALICE, "s3:PutBucketPolicy", "arn:aws:s3:::b")),
            None
        );
        assert_eq!(
            applicable(&request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k")),
            None
        );
    }
}
