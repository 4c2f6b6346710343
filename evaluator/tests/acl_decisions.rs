//! S3 ACL grants in a decision (S3 User Guide, "Access control list (ACL)
//! overview" and "How Amazon S3 authorizes a request"): a grant acts like a
//! resource-based `Allow` to its grantee, for the actions its permission
//! maps to, and never overrides an explicit deny.

use iam_evaluator::{
    evaluate, Acl, AclGrant, AclPermission, AclResource, Decision, Grantee, NamedPolicy, Outcome, Policy,
    PolicySet, PolicyType, Principal, Request, RequestContext,
};

const OWNER: &str = "111111111111";
const OTHER: &str = "222222222222";

fn request(principal: Principal, action: &str, resource: &str) -> Request {
    Request {
        principal,
        action: action.into(),
        resource: resource.into(),
        resource_account: Some(OWNER.into()),
        context: RequestContext::new(),
    }
}

fn acl(on: AclResource, arn: &str, grants: &[(Grantee, AclPermission)]) -> Acl {
    Acl {
        name: match on {
            AclResource::Bucket => "bucket ACL".into(),
            AclResource::Object => "object ACL".into(),
        },
        on,
        arn: arn.into(),
        grants: grants
            .iter()
            .map(|(grantee, permission)| AclGrant {
                grantee: grantee.clone(),
                permission: *permission,
            })
            .collect(),
    }
}

fn policy(json: &str) -> NamedPolicy {
    NamedPolicy::new("p", Policy::parse(json).unwrap())
}

fn decide(req: &Request, acls: Vec<Acl>, identity: Vec<NamedPolicy>, resource: Vec<NamedPolicy>) -> Decision {
    evaluate(
        req,
        &PolicySet {
            identity,
            resource,
            acls,
            ..PolicySet::default()
        },
    )
}

fn other_user() -> Principal {
    Principal::from_arn(&format!("arn:aws:iam::{OTHER}:user/bob")).unwrap()
}

const ALLOW_S3: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

#[test]
fn all_users_read_on_an_object_lets_anyone_get_it_and_says_so() {
    let req = request(Principal::anonymous(), "s3:GetObject", "arn:aws:s3:::b/k");
    let object = acl(
        AclResource::Object,
        "arn:aws:s3:::b/k",
        &[(Grantee::AllUsers, AclPermission::Read)],
    );
    let d = decide(&req, vec![object.clone()], vec![], vec![]);
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(d.decided_by, Some(PolicyType::Acl));
    assert_eq!(d.summary(), "Allowed by the object ACL (AllUsers READ).");
    assert!(d.explain().contains("object ACL"), "{}", d.explain());
    // READ on an object is not READ_ACP: the ACL itself stays private.
    let acl_read = request(Principal::anonymous(), "s3:GetObjectAcl", "arn:aws:s3:::b/k");
    assert_eq!(
        decide(&acl_read, vec![object], vec![], vec![]).outcome,
        Outcome::ImplicitDeny
    );
}

#[test]
fn authenticated_users_need_a_signed_request() {
    let object = acl(
        AclResource::Object,
        "arn:aws:s3:::b/k",
        &[(Grantee::AuthenticatedUsers, AclPermission::Read)],
    );
    let anonymous = request(Principal::anonymous(), "s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(
        decide(&anonymous, vec![object.clone()], vec![], vec![]).outcome,
        Outcome::ImplicitDeny
    );
    // A user of another account still needs its own identity-based allow
    // for cross-account access.
    let bob = request(other_user(), "s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(
        decide(&bob, vec![object.clone()], vec![], vec![]).outcome,
        Outcome::ImplicitDeny
    );
    let d = decide(&bob, vec![object], vec![policy(ALLOW_S3)], vec![]);
    assert_eq!(d.outcome, Outcome::Allowed);
    assert!(d.deciding.iter().any(|s| s.policy_type == PolicyType::Acl));
}

#[test]
fn a_grant_to_an_account_delegates_to_that_account() {
    let bucket = acl(
        AclResource::Bucket,
        "arn:aws:s3:::b",
        &[(Grantee::Account(OTHER.into()), AclPermission::Read)],
    );
    let root = request(
        Principal::from_arn(&format!("arn:aws:iam::{OTHER}:root")).unwrap(),
        "s3:ListBucket",
        "arn:aws:s3:::b",
    );
    assert!(decide(&root, vec![bucket.clone()], vec![], vec![]).is_allowed());
    let bob = request(other_user(), "s3:ListBucket", "arn:aws:s3:::b");
    assert!(!decide(&bob, vec![bucket.clone()], vec![], vec![]).is_allowed());
    assert!(decide(&bob, vec![bucket.clone()], vec![policy(ALLOW_S3)], vec![]).is_allowed());
    // READ on a bucket lists it; it reads no object.
    let get = request(other_user(), "s3:GetObject", "arn:aws:s3:::b/k");
    assert!(!decide(&get, vec![bucket], vec![policy(ALLOW_S3)], vec![]).is_allowed());
}

#[test]
fn bucket_write_is_putting_and_deleting_objects() {
    let bucket = acl(
        AclResource::Bucket,
        "arn:aws:s3:::b",
        &[(Grantee::AllUsers, AclPermission::Write)],
    );
    for action in ["s3:PutObject", "s3:DeleteObject"] {
        let req = request(Principal::anonymous(), action, "arn:aws:s3:::b/k");
        assert!(
            decide(&req, vec![bucket.clone()], vec![], vec![]).is_allowed(),
            "{action}"
        );
    }
    let get = request(Principal::anonymous(), "s3:GetObject", "arn:aws:s3:::b/k");
    assert!(!decide(&get, vec![bucket.clone()], vec![], vec![]).is_allowed());
    let list = request(Principal::anonymous(), "s3:ListBucket", "arn:aws:s3:::b");
    assert!(!decide(&list, vec![bucket], vec![], vec![]).is_allowed());
}

#[test]
fn full_control_includes_the_acl_permissions() {
    let object = acl(
        AclResource::Object,
        "arn:aws:s3:::b/k",
        &[(Grantee::Account(OTHER.into()), AclPermission::FullControl)],
    );
    let root = Principal::from_arn(&format!("arn:aws:iam::{OTHER}:root")).unwrap();
    for action in ["s3:GetObject", "s3:GetObjectAcl", "s3:PutObjectAcl"] {
        let req = request(root.clone(), action, "arn:aws:s3:::b/k");
        assert!(
            decide(&req, vec![object.clone()], vec![], vec![]).is_allowed(),
            "{action}"
        );
    }
    let delete = request(root, "s3:DeleteObject", "arn:aws:s3:::b/k");
    assert!(!decide(&delete, vec![object], vec![], vec![]).is_allowed());
}

#[test]
fn an_explicit_deny_in_the_bucket_policy_wins_over_a_grant() {
    let object = acl(
        AclResource::Object,
        "arn:aws:s3:::b/k",
        &[(Grantee::AllUsers, AclPermission::Read)],
    );
    let deny = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let req = request(Principal::anonymous(), "s3:GetObject", "arn:aws:s3:::b/k");
    let d = decide(&req, vec![object], vec![], vec![deny]);
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
    assert_eq!(d.decided_by, Some(PolicyType::ResourceBased));
}

#[test]
fn log_delivery_is_the_logging_service() {
    let bucket = acl(
        AclResource::Bucket,
        "arn:aws:s3:::b",
        &[(Grantee::LogDelivery, AclPermission::Write)],
    );
    let logging = request(
        Principal::service(iam_evaluator::acl::LOG_DELIVERY_SERVICE),
        "s3:PutObject",
        "arn:aws:s3:::b/logs/1",
    );
    assert!(decide(&logging, vec![bucket.clone()], vec![], vec![]).is_allowed());
    let anonymous = request(Principal::anonymous(), "s3:PutObject", "arn:aws:s3:::b/logs/1");
    assert!(!decide(&anonymous, vec![bucket], vec![], vec![]).is_allowed());
}
