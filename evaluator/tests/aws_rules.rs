//! AWS's rules beside the policies (`iam_evaluator::rules`), each with the
//! documentation sentence it comes from, decided through `evaluate` as
//! every door decides them: the outcome, the rule the decision names, its
//! words and AWS's message.

use iam_evaluator::{
    evaluate, AwsOwned, Decision, NamedPolicy, Outcome, Policy, PolicySet, PolicyType, Principal, Request,
    RequestContext, Rule,
};

const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const ROOT: &str = "arn:aws:iam::111111111111:root";
const SESSION: &str = "arn:aws:sts::111111111111:assumed-role/Reader/s1";
const SLR: &str =
    "arn:aws:iam::111111111111:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk";

fn policy(json: &str) -> NamedPolicy {
    NamedPolicy::new("p", Policy::parse(json).expect("test policy parses"))
}

fn statement(effect: &str, action: &str) -> NamedPolicy {
    policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"{action}","Resource":"*"}}]}}"#
    ))
}

fn request(principal: &str, action: &str, resource: &str) -> Request {
    let principal = Principal::from_arn(principal).unwrap();
    let mut context = RequestContext::new();
    context.add_principal_keys(&principal);
    Request {
        principal,
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context,
    }
}

fn everything_denied() -> PolicySet {
    PolicySet {
        identity: vec![statement("Deny", "*")],
        boundary: Some(statement("Deny", "*")),
        session: vec![statement("Deny", "*")],
        scps: vec![vec![statement("Deny", "*")]],
        rcps: vec![vec![statement("Deny", "*")]],
        ..PolicySet::default()
    }
}

fn everything_allowed() -> PolicySet {
    PolicySet {
        identity: vec![statement("Allow", "*")],
        scps: vec![vec![statement("Allow", "*")]],
        ..PolicySet::default()
    }
}

// STS API Reference, GetCallerIdentity: "No permissions are required to perform this operation.
// If an administrator attaches a policy to your identity that explicitly denies access to the
// sts:GetCallerIdentity action, you can still perform this operation."
#[test]
fn get_caller_identity_is_allowed_under_every_deny() {
    for caller in [ALICE, ROOT, SESSION] {
        let d = evaluate(
            &request(caller, "sts:GetCallerIdentity", "*"),
            &everything_denied(),
        );
        assert_eq!(d.outcome, Outcome::Allowed, "{caller}");
        assert_eq!(d.rule, Some(Rule::NeedsNoPermission));
        assert!(d.deciding.is_empty());
        assert!(d.summary().contains("needs no permission"), "{}", d.summary());
        // The trace still shows what the policies said.
        assert!(!d.trace.is_empty());
        assert_eq!(d.to_json()["rule"]["name"], "needsNoPermission");
    }
}

// IAM User Guide, "Permissions for GetSessionToken": "No permissions are required for a user to
// get a session token … You cannot use policies to control authentication operations."
#[test]
fn get_session_token_is_allowed_without_any_policy() {
    let d = evaluate(&request(ALICE, "sts:getsessiontoken", "*"), &everything_denied());
    assert_eq!(
        (d.outcome, d.rule),
        (Outcome::Allowed, Some(Rule::NeedsNoPermission))
    );
}

// GetAccessKeyInfo is not among them: the Service Authorization Reference lists
// sts:GetAccessKeyInfo as an action a policy must allow.
#[test]
fn get_access_key_info_needs_a_permission() {
    let d = evaluate(
        &request(ALICE, "sts:GetAccessKeyInfo", "*"),
        &PolicySet::default(),
    );
    assert_eq!((d.outcome, d.rule), (Outcome::ImplicitDeny, None));
}

// IAM User Guide, "AWS managed policies": "You cannot change the permissions defined in AWS
// managed policies." An `Allow *:*` does not let anyone delete, version or tag one; reading is
// up to the policies.
#[test]
fn aws_managed_policies_cannot_be_changed_by_anyone() {
    let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    for action in [
        "iam:DeletePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:TagPolicy",
        "iam:UntagPolicy",
    ] {
        for caller in [ALICE, ROOT, SESSION] {
            let mut req = request(caller, action, arn);
            req.resource_account = Some("111111111111".into());
            let d = evaluate(&req, &everything_allowed());
            assert_eq!(d.outcome, Outcome::ExplicitDeny, "{caller} {action}");
            assert_eq!(
                d.rule,
                Some(Rule::AwsOwnedResource {
                    owner: AwsOwned::ManagedPolicy
                })
            );
            assert_eq!(d.decided_by, None);
            assert!(d.summary().contains("AWS-owned resource"), "{}", d.summary());
            let message = d.denial_message(false).unwrap();
            assert!(
                message.starts_with(&format!(
                    "User: {caller} is not authorized to perform: {action} on resource: {arn}"
                )),
                "{message}"
            );
        }
    }
    let mut read = request(ALICE, "iam:GetPolicyVersion", arn);
    read.resource_account = Some("111111111111".into());
    let d = evaluate(&read, &everything_allowed());
    assert_eq!((d.outcome, d.rule), (Outcome::Allowed, None));
}

// IAM API Reference, UnmodifiableEntity: "service-linked roles are protected AWS resources. Only
// the service that depends on the service-linked role can modify or delete the role on your
// behalf." IAM User Guide, "Update a service-linked role": "You can edit the description of any
// role."
#[test]
fn service_linked_roles_are_changed_only_by_their_service() {
    for action in [
        "iam:DeleteRole",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePermissionsBoundary",
    ] {
        let d = evaluate(&request(ROOT, action, SLR), &everything_allowed());
        assert_eq!(d.outcome, Outcome::ExplicitDeny, "{action}");
        assert_eq!(
            d.rule,
            Some(Rule::AwsOwnedResource {
                owner: AwsOwned::ServiceLinkedRole
            })
        );
    }
    for action in [
        "iam:GetRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateRole",
        "iam:DeleteServiceLinkedRole",
        "iam:PassRole",
        "iam:TagRole",
    ] {
        let d = evaluate(&request(ALICE, action, SLR), &everything_allowed());
        assert_eq!((d.outcome, d.rule), (Outcome::Allowed, None), "{action}");
    }
    // The service itself may: its request is decided by the policies (here the role's trust).
    let mut by_service = request(ALICE, "iam:DeleteRole", SLR);
    by_service.principal = Principal::service("elasticbeanstalk.amazonaws.com");
    let d = evaluate(&by_service, &PolicySet::default());
    assert_eq!(d.rule, None);
}

// IAM answers UnmodifiableEntity "this role is only modifiable by AWS" for IAM Identity Center's
// roles under /aws-reserved/.
#[test]
fn reserved_roles_are_not_modifiable() {
    let arn = "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123";
    let d = evaluate(
        &request(ALICE, "iam:DetachRolePolicy", arn),
        &everything_allowed(),
    );
    assert_eq!(
        (d.outcome, d.rule),
        (
            Outcome::ExplicitDeny,
            Some(Rule::AwsOwnedResource {
                owner: AwsOwned::ReservedRole
            })
        )
    );
}

// KMS API Reference, CreateAlias: "The alias/aws/ prefix is reserved for AWS managed keys."
#[test]
fn aws_managed_key_aliases_are_not_modifiable() {
    let alias = "arn:aws:kms:us-east-1:111111111111:alias/aws/s3";
    for action in ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"] {
        let d = evaluate(&request(ALICE, action, alias), &everything_allowed());
        assert_eq!(d.outcome, Outcome::ExplicitDeny, "{action}");
    }
    let own = "arn:aws:kms:us-east-1:111111111111:alias/mine";
    assert!(evaluate(&request(ALICE, "kms:DeleteAlias", own), &everything_allowed()).is_allowed());
}

// S3 API Reference, PutBucketPolicy: "the root principal in a bucket owner's Amazon Web Services
// account can perform the GetBucketPolicy, PutBucketPolicy, and DeleteBucketPolicy API actions,
// even if their bucket policy explicitly denies the root principal's access. Bucket owner root
// principals can only be blocked from performing these API actions by VPC endpoint policies and
// AWS Organizations policies."
#[test]
fn the_bucket_owners_root_may_always_manage_the_bucket_policy() {
    let lockout = PolicySet {
        resource: vec![policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}"#,
        )],
        ..PolicySet::default()
    };
    let owned = |principal: &str, action: &str| {
        let mut req = request(principal, action, "arn:aws:s3:::b");
        req.resource_account = Some("111111111111".into());
        req
    };
    for action in [
        "s3:GetBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
    ] {
        let d = evaluate(&owned(ROOT, action), &lockout);
        assert_eq!(
            (d.outcome, d.rule),
            (Outcome::Allowed, Some(Rule::BucketOwnerRoot)),
            "{action}"
        );
        assert!(
            d.summary().contains("bucket policy does not bind it"),
            "{}",
            d.summary()
        );
    }
    // Other actions, other callers, other accounts' roots: the bucket policy's deny holds.
    assert_eq!(
        evaluate(&owned(ROOT, "s3:ListBucket"), &lockout).outcome,
        Outcome::ExplicitDeny
    );
    assert_eq!(
        evaluate(&owned(ALICE, "s3:PutBucketPolicy"), &lockout).outcome,
        Outcome::ExplicitDeny
    );
    let mut foreign = owned("arn:aws:iam::222222222222:root", "s3:PutBucketPolicy");
    foreign.resource_account = Some("111111111111".into());
    assert_eq!(evaluate(&foreign, &lockout).outcome, Outcome::ExplicitDeny);
    // Organizations policies still bind the root.
    let mut with_scp = lockout.clone();
    with_scp.scps = vec![vec![statement("Deny", "s3:PutBucketPolicy")]];
    let d = evaluate(&owned(ROOT, "s3:PutBucketPolicy"), &with_scp);
    assert_eq!(
        (d.outcome, d.decided_by, d.rule),
        (Outcome::ExplicitDeny, Some(PolicyType::ServiceControl), None)
    );
    // Without a denying bucket policy the ordinary root rule decides and no rule is named.
    let d = evaluate(&owned(ROOT, "s3:PutBucketPolicy"), &PolicySet::default());
    assert_eq!((d.outcome, d.rule), (Outcome::Allowed, None));
}

// STS answers a root caller of AssumeRole "Roles may not be assumed by root accounts.", whatever
// the trust policy says.
#[test]
fn the_root_user_cannot_assume_a_role() {
    let trust = PolicySet {
        resource: vec![policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#,
        )],
        role_trust: true,
        ..PolicySet::default()
    };
    let role = "arn:aws:iam::111111111111:role/Reader";
    let d: Decision = evaluate(&request(ROOT, "sts:AssumeRole", role), &trust);
    assert_eq!(
        (d.outcome, d.rule),
        (Outcome::ExplicitDeny, Some(Rule::RootCannotAssumeRole))
    );
    assert_eq!(
        d.denial_message(false).unwrap(),
        "Roles may not be assumed by root accounts."
    );
    let mut user_set = trust.clone();
    user_set.identity = vec![statement("Allow", "sts:AssumeRole")];
    assert!(evaluate(&request(ALICE, "sts:AssumeRole", role), &user_set).is_allowed());
}

// STS API Reference, AssumeRole, SourceIdentity: "After the source identity is set, the value
// cannot be changed. It is present in the request for all actions that are taken by the role
// and persists across chained role sessions." A session carrying one that asks for another is
// denied whatever the policies allow; asking for the same one, or none, is left to them.
#[test]
fn a_sessions_source_identity_cannot_be_changed_down_the_chain() {
    let role = "arn:aws:iam::111111111111:role/Next";
    let chained = |asked: Option<&str>| {
        let mut req = request(SESSION, "sts:AssumeRole", role);
        req.context.set("aws:SourceIdentity", "alice");
        if let Some(asked) = asked {
            req.context.set("sts:SourceIdentity", asked);
        }
        req
    };
    let d = evaluate(&chained(Some("mallory")), &everything_allowed());
    assert_eq!(
        (d.outcome, d.rule),
        (Outcome::ExplicitDeny, Some(Rule::SourceIdentityUnchangeable))
    );
    assert_eq!(
        d.denial_message(false).unwrap(),
        format!(
            "User: {SESSION} is not authorized to perform: sts:AssumeRole on resource: {role} \
             because the source identity of the calling session cannot be changed"
        )
    );
    for same in [Some("alice"), None] {
        let d = evaluate(&chained(same), &everything_allowed());
        assert_eq!((d.outcome, d.rule), (Outcome::Allowed, None), "{same:?}");
    }
    // A caller without a source identity may set any.
    let mut first = request(ALICE, "sts:AssumeRole", role);
    first.context.set("sts:SourceIdentity", "mallory");
    assert!(evaluate(&first, &everything_allowed()).is_allowed());
}

// STS API Reference, GetSessionToken: "You cannot call GetSessionToken with session credentials";
// GetFederationToken: "You must call the GetFederationToken operation using the long-term security
// credentials of an IAM user". IAM User Guide, global condition keys: aws:TokenIssueTime
// "is included in the request context only when the principal uses temporary credentials". So a
// role session, or a user's session (the key present), is denied both whatever the policies
// allow, while long-term keys get a session token with no permission at all.
#[test]
fn only_long_term_credentials_get_session_or_federation_tokens() {
    for action in ["sts:GetSessionToken", "sts:GetFederationToken"] {
        let mut user_session = request(ALICE, action, "*");
        user_session
            .context
            .set("aws:TokenIssueTime", "2026-01-01T00:00:00Z");
        for temporary in [request(SESSION, action, "*"), user_session] {
            let d = evaluate(&temporary, &everything_allowed());
            assert_eq!(
                (d.outcome, d.rule),
                (Outcome::ExplicitDeny, Some(Rule::LongTermCredentialsOnly)),
                "{action} by {}",
                temporary.principal.arn
            );
            let name = action.trim_start_matches("sts:");
            assert_eq!(
                d.denial_message(false).unwrap(),
                format!("Cannot call {name} with session credentials")
            );
        }
    }
    // Long-term keys: GetSessionToken needs no permission, even under a deny.
    let d = evaluate(&request(ALICE, "sts:GetSessionToken", "*"), &everything_denied());
    assert_eq!(
        (d.outcome, d.rule),
        (Outcome::Allowed, Some(Rule::NeedsNoPermission))
    );
    // GetFederationToken is the user's policies' to decide.
    let allowed = PolicySet {
        identity: vec![statement("Allow", "sts:GetFederationToken")],
        ..PolicySet::default()
    };
    assert!(evaluate(&request(ALICE, "sts:GetFederationToken", "*"), &allowed).is_allowed());
    assert!(!evaluate(
        &request(ALICE, "sts:GetFederationToken", "*"),
        &PolicySet::default()
    )
    .is_allowed());
}

// STS API Reference, AssumeRoot: "You must use credentials from an Organizations management
// account or a delegated administrator account for IAM to call AssumeRoot." The member's root
// user it names has no policy to grant it: the calling account's own policies decide, as for a
// request in its own account, whatever account the resource ARN names.
#[test]
fn assume_root_is_decided_by_the_calling_accounts_policies() {
    let member_root = "arn:aws:iam::222222222222:root";
    let mut req = request(ALICE, "sts:AssumeRoot", member_root);
    req.resource_account = Some("222222222222".into());
    assert_eq!(req.owning_account(), Some("111111111111"));
    let allowed = PolicySet {
        identity: vec![statement("Allow", "sts:AssumeRoot")],
        ..PolicySet::default()
    };
    assert!(evaluate(&req, &allowed).is_allowed());
    assert!(!evaluate(&req, &PolicySet::default()).is_allowed());
}
