//! One test per rule of AWS's policy evaluation logic, each with the
//! documentation sentence it comes from.

use iam_evaluator::{
    evaluate, Decision, NamedPolicy, Outcome, Policy, PolicySet, PolicyType, Principal, Request,
    RequestContext,
};

const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const ROOT: &str = "arn:aws:iam::111111111111:root";
const SESSION: &str = "arn:aws:sts::111111111111:assumed-role/Reader/s1";
const OTHER_USER: &str = "arn:aws:iam::222222222222:user/bob";
const OBJECT: &str = "arn:aws:s3:::bucket/key";

fn policy(name: &str, json: &str) -> NamedPolicy {
    NamedPolicy::new(name, Policy::parse(json).expect("test policy parses"))
}

fn allow(action: &str, resource: &str) -> NamedPolicy {
    policy(
        "allow",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
        ),
    )
}

fn deny(action: &str, resource: &str) -> NamedPolicy {
    policy(
        "deny",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{action}","Resource":"{resource}"}}]}}"#
        ),
    )
}

/// A resource policy allowing `action` to the principal entry `who`.
fn grant(who: &str, action: &str) -> NamedPolicy {
    policy(
        "bucket-policy",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{who}"}},"Action":"{action}","Resource":"{OBJECT}"}}]}}"#
        ),
    )
}

fn request(principal: &str, action: &str, resource: &str) -> Request {
    let principal = if principal == "anonymous" {
        Principal::anonymous()
    } else {
        Principal::from_arn(principal).unwrap()
    };
    let mut context = RequestContext::new();
    context.add_principal_keys(&principal);
    Request {
        principal,
        action: action.into(),
        resource: resource.into(),
        resource_account: Some("111111111111".into()),
        context,
    }
}

fn decide(req: &Request, policies: &PolicySet) -> Decision {
    evaluate(req, policies)
}

fn get_object(principal: &str) -> Request {
    request(principal, "s3:GetObject", OBJECT)
}

// "By default, all requests are implicitly denied with the exception of the AWS account root user."
#[test]
fn no_policy_is_an_implicit_deny() {
    let d = decide(&get_object(ALICE), &PolicySet::default());
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert_eq!(d.decided_by, Some(PolicyType::IdentityBased));
    assert_eq!(
        d.denial_message(false).unwrap(),
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:GetObject on resource: \
         arn:aws:s3:::bucket/key because no identity-based policy allows the s3:GetObject action"
    );
}

#[test]
fn identity_allow_allows_and_names_the_statement() {
    let set = PolicySet {
        identity: vec![allow("s3:Get*", "arn:aws:s3:::bucket/*")],
        ..PolicySet::default()
    };
    let d = decide(&get_object(ALICE), &set);
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(d.deciding.len(), 1);
    assert_eq!(d.deciding[0].policy_name, "allow");
}

// "An explicit deny in any of these policies overrides the allow."
#[test]
fn explicit_deny_overrides_allow() {
    let set = PolicySet {
        identity: vec![allow("*", "*"), deny("s3:GetObject", "*")],
        ..PolicySet::default()
    };
    let d = decide(&get_object(ALICE), &set);
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
    assert!(d.denial_message(true).unwrap().ends_with(
        "on resource: \"arn:aws:s3:::bucket/key\" with an explicit deny in an identity-based policy"
    ));
}

// "If the enforcement code does not find any applicable Allow statements in the SCPs … Deny."
#[test]
fn every_scp_level_must_allow() {
    let mut set = PolicySet {
        identity: vec![allow("*", "*")],
        scps: vec![vec![allow("*", "*")], vec![allow("ec2:*", "*")]],
        ..PolicySet::default()
    };
    let d = decide(&get_object(ALICE), &set);
    assert_eq!(
        (d.outcome, d.decided_by),
        (Outcome::ImplicitDeny, Some(PolicyType::ServiceControl))
    );
    assert!(d
        .denial_message(false)
        .unwrap()
        .ends_with("because no service control policy allows the s3:GetObject action"));
    set.scps[1] = vec![allow("s3:*", "*")];
    assert!(decide(&get_object(ALICE), &set).is_allowed());
}

// "As a member of an account, the root user is affected by any SCPs for the account."
#[test]
fn root_is_allowed_in_its_account_but_scps_apply() {
    assert!(decide(&get_object(ROOT), &PolicySet::default()).is_allowed());
    let set = PolicySet {
        scps: vec![vec![deny("s3:*", "*"), allow("*", "*")]],
        ..PolicySet::default()
    };
    let d = decide(&get_object(ROOT), &set);
    assert_eq!(
        (d.outcome, d.decided_by),
        (Outcome::ExplicitDeny, Some(PolicyType::ServiceControl))
    );
    assert!(d
        .denial_message(false)
        .unwrap()
        .ends_with("with an explicit deny in a service control policy"));
}

#[test]
fn rcp_level_without_allow_denies() {
    let set = PolicySet {
        identity: vec![allow("*", "*")],
        rcps: vec![vec![deny("sqs:*", "*")]],
        ..PolicySet::default()
    };
    let d = decide(&get_object(ALICE), &set);
    assert_eq!(d.decided_by, Some(PolicyType::ResourceControl));
}

// "Permissions boundaries … the entity can perform only the actions that are allowed by both."
#[test]
fn permissions_boundary_caps_identity_policies() {
    let set = PolicySet {
        identity: vec![allow("s3:*", "*")],
        boundary: Some(allow("ec2:*", "*")),
        ..PolicySet::default()
    };
    let d = decide(&get_object(ALICE), &set);
    assert_eq!(d.decided_by, Some(PolicyType::PermissionsBoundary));
    assert!(d
        .denial_message(false)
        .unwrap()
        .ends_with("because no permissions boundary allows the s3:GetObject action"));
}

// "Resource-based policies that grant permissions to an IAM user ARN … are not limited by an
// implicit deny in an identity-based policy or permissions boundary."
#[test]
fn same_account_grant_to_user_arn_needs_no_identity_policy_nor_boundary() {
    let set = PolicySet {
        resource: vec![grant(ALICE, "s3:GetObject")],
        boundary: Some(allow("ec2:*", "*")),
        ..PolicySet::default()
    };
    let d = decide(&get_object(ALICE), &set);
    assert_eq!(
        (d.outcome, d.decided_by),
        (Outcome::Allowed, Some(PolicyType::ResourceBased))
    );
}

// "Resource-based policies that grant permissions to an IAM role ARN are limited by an implicit
// deny in a permissions boundary or session policy."
#[test]
fn grant_to_role_arn_is_limited_by_boundary_and_session_policy() {
    let role = "arn:aws:iam::111111111111:role/Reader";
    let base = PolicySet {
        resource: vec![grant(role, "s3:GetObject")],
        ..PolicySet::default()
    };
    assert!(decide(&get_object(SESSION), &base).is_allowed());
    let bounded = PolicySet {
        boundary: Some(allow("ec2:*", "*")),
        ..base.clone()
    };
    assert_eq!(
        decide(&get_object(SESSION), &bounded).decided_by,
        Some(PolicyType::PermissionsBoundary)
    );
    let session = PolicySet {
        session: vec![allow("ec2:*", "*")],
        ..base
    };
    let d = decide(&get_object(SESSION), &session);
    assert_eq!(d.decided_by, Some(PolicyType::Session));
    assert!(d
        .denial_message(false)
        .unwrap()
        .ends_with("because no session policy allows the s3:GetObject action"));
}

// "Permissions granted directly to a session are not limited by an implicit deny in an
// identity-based policy, a permissions boundary, or session policy."
#[test]
fn grant_to_session_arn_is_not_limited_by_session_policy() {
    let set = PolicySet {
        resource: vec![grant(SESSION, "s3:GetObject")],
        session: vec![allow("ec2:*", "*")],
        boundary: Some(allow("ec2:*", "*")),
        ..PolicySet::default()
    };
    assert!(decide(&get_object(SESSION), &set).is_allowed());
}

// "The account ARN and the shortened account ID behave the same way. Both delegate permissions to
// the account." — identities of the account still need identity-based permission.
#[test]
fn grant_to_own_account_still_needs_identity_allow() {
    for who in ["111111111111", "arn:aws:iam::111111111111:root"] {
        let mut set = PolicySet {
            resource: vec![grant(who, "s3:GetObject")],
            ..PolicySet::default()
        };
        assert_eq!(
            decide(&get_object(ALICE), &set).outcome,
            Outcome::ImplicitDeny,
            "{who}"
        );
        set.identity = vec![allow("s3:GetObject", "*")];
        assert!(decide(&get_object(ALICE), &set).is_allowed(), "{who}");
    }
}

// "To allow cross-account access, you attach a resource-based policy … You must also attach an
// identity-based policy to the identity that acts as the principal in the request."
#[test]
fn cross_account_needs_both_sides() {
    let identity_only = PolicySet {
        identity: vec![allow("s3:GetObject", "*")],
        ..PolicySet::default()
    };
    let d = decide(&get_object(OTHER_USER), &identity_only);
    assert_eq!(
        (d.outcome, d.decided_by),
        (Outcome::ImplicitDeny, Some(PolicyType::ResourceBased))
    );
    assert!(d
        .denial_message(false)
        .unwrap()
        .ends_with("because no resource-based policy allows the s3:GetObject action"));

    let resource_only = PolicySet {
        resource: vec![grant("222222222222", "s3:GetObject")],
        ..PolicySet::default()
    };
    let d = decide(&get_object(OTHER_USER), &resource_only);
    assert_eq!(d.decided_by, Some(PolicyType::IdentityBased));

    let both = PolicySet {
        identity: identity_only.identity.clone(),
        ..resource_only
    };
    assert!(decide(&get_object(OTHER_USER), &both).is_allowed());
}

/// A bucket policy of account 111111111111 granting `action` on `resource`
/// to the principal entry `who`.
fn bucket_grant(who: &str, action: &str, resource: &str) -> NamedPolicy {
    policy(
        "bucket-policy",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{who}"}},"Action":"{action}","Resource":"{resource}"}}]}}"#
        ),
    )
}

// Cross-account wildcard intersections, through a role session of another account. "To allow
// cross-account access, you attach a resource-based policy … You must also attach an
// identity-based policy to the identity that acts as the principal in the request": the request is
// allowed exactly where both sides cover the resource, whatever either writes with wildcards. "If
// the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the
// colon boundaries"; a `*` inside a segment matches any run of characters, `/` included.
#[test]
fn cross_account_session_is_allowed_where_both_wildcards_overlap() {
    const PARTNER: &str = "arn:aws:sts::222222222222:assumed-role/LogReader/ci";
    const ROLE: &str = "arn:aws:iam::222222222222:role/LogReader";
    /// (identity policy resource, bucket policy resource, [(requested resource, allowed)]).
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, bool)]);
    let cases: &[Case] = &[
        // Identity `arn:aws:s3:::*`, bucket policy on one prefix: the prefix only.
        (
            "arn:aws:s3:::*",
            "arn:aws:s3:::logs/AWSLogs/*",
            &[
                (
                    "arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/x.json.gz",
                    true,
                ),
                ("arn:aws:s3:::logs/AWSLogs/", true),
                ("arn:aws:s3:::logs/other/x.json.gz", false),
                ("arn:aws:s3:::logs", false),
            ],
        ),
        // Nested prefixes: the narrower one decides, whichever side writes it.
        (
            "arn:aws:s3:::logs/AWSLogs/*",
            "arn:aws:s3:::logs/*",
            &[
                ("arn:aws:s3:::logs/AWSLogs/111111111111/a", true),
                ("arn:aws:s3:::logs/Other/a", false),
            ],
        ),
        // Extension patterns: `*.csv` on one side, a folder on the other.
        (
            "arn:aws:s3:::data/*.csv",
            "arn:aws:s3:::data/reports/*",
            &[
                ("arn:aws:s3:::data/reports/q3.csv", true),
                ("arn:aws:s3:::data/reports/2024/q3.csv", true),
                ("arn:aws:s3:::data/reports/q3.csv.gz", false),
                ("arn:aws:s3:::data/q3.csv", false),
            ],
        ),
    ];
    for (identity, bucket, resources) in cases {
        let set = PolicySet {
            identity: vec![allow("s3:GetObject", identity)],
            resource: vec![bucket_grant(ROLE, "s3:GetObject", bucket)],
            ..PolicySet::default()
        };
        for (resource, expected) in *resources {
            let d = decide(&request(PARTNER, "s3:GetObject", resource), &set);
            assert_eq!(
                d.is_allowed(),
                *expected,
                "identity {identity}, bucket policy {bucket}, {resource}:\n{}",
                d.explain()
            );
        }
        // A permissions boundary on the role narrows the session the same way.
        let bounded = PolicySet {
            boundary: Some(allow("s3:GetObject", "arn:aws:s3:::*/AWSLogs/111111111111/*")),
            ..set
        };
        for (resource, expected) in *resources {
            let d = decide(&request(PARTNER, "s3:GetObject", resource), &bounded);
            let within = resource.contains("/AWSLogs/111111111111/");
            assert_eq!(
                d.is_allowed(),
                *expected && within,
                "bounded, {resource}:\n{}",
                d.explain()
            );
        }
    }
}

// "using a wildcard (*) with an Allow effect grants access to all users, including anonymous users".
#[test]
fn anonymous_needs_a_public_resource_policy() {
    let anon = get_object("anonymous");
    let d = decide(&anon, &PolicySet::default());
    assert_eq!(d.decided_by, Some(PolicyType::ResourceBased));
    assert!(d
        .denial_message(false)
        .unwrap()
        .starts_with("User: anonymous is not authorized"));
    let public = PolicySet {
        resource: vec![grant("*", "s3:GetObject")],
        ..PolicySet::default()
    };
    assert!(decide(&anon, &public).is_allowed());
    // SCPs do not apply to anonymous callers.
    let with_scp = PolicySet {
        scps: vec![vec![]],
        ..public
    };
    assert!(decide(&anon, &with_scp).is_allowed());
}

// An explicit deny in a resource-based policy applies to the same-account caller too.
#[test]
fn resource_policy_deny_wins_over_identity_allow() {
    let bucket_deny = policy(
        "bucket-policy",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"{OBJECT}",
               "Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]}}"#
        ),
    );
    let set = PolicySet {
        identity: vec![allow("s3:*", "*")],
        resource: vec![bucket_deny],
        ..PolicySet::default()
    };
    let mut req = get_object(ALICE);
    req.context.set("aws:SecureTransport", "false");
    let d = decide(&req, &set);
    assert_eq!(
        (d.outcome, d.decided_by),
        (Outcome::ExplicitDeny, Some(PolicyType::ResourceBased))
    );
    req.context.set("aws:SecureTransport", "true");
    assert!(decide(&req, &set).is_allowed());
}

// NotPrincipal with Deny: "include both the ARN for a role and the ARN for the account".
#[test]
fn not_principal_deny_excludes_only_fully_listed_callers() {
    let deny_others = |listed: &str| {
        policy(
            "bucket-policy",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[
                    {{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"{OBJECT}"}},
                    {{"Effect":"Deny","NotPrincipal":{{"AWS":[{listed}]}},"Action":"s3:*","Resource":"{OBJECT}"}}]}}"#
            ),
        )
    };
    let listed_fully = PolicySet {
        resource: vec![deny_others(&format!(
            r#""{SESSION}","arn:aws:iam::111111111111:role/Reader","arn:aws:iam::111111111111:root""#
        ))],
        ..PolicySet::default()
    };
    assert!(decide(&get_object(SESSION), &listed_fully).is_allowed());
    assert_eq!(
        decide(&get_object(ALICE), &listed_fully).outcome,
        Outcome::ExplicitDeny
    );
    let session_only = PolicySet {
        resource: vec![deny_others(&format!(r#""{SESSION}""#))],
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&get_object(SESSION), &session_only).outcome,
        Outcome::ExplicitDeny
    );
}

// NotPrincipal: "The NotPrincipal element with a Deny effect will always deny any IAM principal
// that has a permissions boundary policy attached, regardless of the values specified in the
// NotPrincipal element." The same caller, listed fully, escapes the deny without a boundary and
// not with one; the trace says why.
#[test]
fn not_principal_deny_always_applies_to_a_caller_with_a_boundary() {
    let bucket = policy(
        "bucket-policy",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[
                {{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"{OBJECT}"}},
                {{"Effect":"Deny","NotPrincipal":{{"AWS":["{SESSION}","arn:aws:iam::111111111111:role/Reader","arn:aws:iam::111111111111:root"]}},"Action":"s3:*","Resource":"{OBJECT}"}}]}}"#
        ),
    );
    let mut set = PolicySet {
        resource: vec![bucket],
        ..PolicySet::default()
    };
    assert!(decide(&get_object(SESSION), &set).is_allowed());
    set.boundary = Some(allow("s3:*", "*"));
    let d = decide(&get_object(SESSION), &set);
    assert_eq!(
        (d.outcome, d.decided_by),
        (Outcome::ExplicitDeny, Some(PolicyType::ResourceBased))
    );
    assert!(
        d.explain()
            .contains("always applies to a caller that has a permissions boundary"),
        "{}",
        d.explain()
    );
}

// "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not
// supported"; an older edition: "Doing so allows all principals *except* the one named in the
// NotPrincipal element." A caller the element names — alone, in an array, by its role or its
// account — gets nothing from the statement; everyone else does.
#[test]
fn not_principal_allow_never_grants_the_principals_it_names() {
    let allow_all_but = |listed: &str| PolicySet {
        resource: vec![policy(
            "bucket-policy",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[
                    {{"Effect":"Allow","NotPrincipal":{{"AWS":{listed}}},"Action":"s3:GetObject","Resource":"{OBJECT}"}}]}}"#
            ),
        )],
        ..PolicySet::default()
    };
    let alice_only = allow_all_but(&format!(r#""{ALICE}""#));
    let d = decide(&get_object(ALICE), &alice_only);
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert!(d.deciding.is_empty());
    // Everyone else the statement does not name is granted (same account: by the resource policy alone).
    assert!(decide(&get_object(SESSION), &alice_only).is_allowed());
    for listed in [
        format!(r#"["{OTHER_USER}","{ALICE}"]"#),
        format!(r#"["{ALICE}","arn:aws:iam::111111111111:root"]"#),
        r#""111111111111""#.to_string(),
        r#""*""#.to_string(),
    ] {
        let set = allow_all_but(&listed);
        assert_eq!(
            decide(&get_object(ALICE), &set).outcome,
            Outcome::ImplicitDeny,
            "{listed}"
        );
    }
    // A session is named by its own ARN and by its role's ARN.
    for listed in [
        format!(r#""{SESSION}""#),
        r#""arn:aws:iam::111111111111:role/Reader""#.into(),
    ] {
        let set = allow_all_but(&listed);
        assert_eq!(
            decide(&get_object(SESSION), &set).outcome,
            Outcome::ImplicitDeny,
            "{listed}"
        );
        assert!(decide(&get_object(ALICE), &set).is_allowed(), "{listed}");
    }
}

// "If you do not include a Version element … newer features, such as policy variables, will not
// work … treated as literal strings."
#[test]
fn policy_variables_only_under_2012_10_17() {
    let home = |version: &str| {
        policy(
            "home",
            &format!(
                r#"{{{version}"Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${{aws:username}}/*"}}]}}"#
            ),
        )
    };
    let req = request(ALICE, "s3:GetObject", "arn:aws:s3:::bucket/alice/file");
    let new = PolicySet {
        identity: vec![home(r#""Version":"2012-10-17","#)],
        ..PolicySet::default()
    };
    assert!(decide(&req, &new).is_allowed());
    let old = PolicySet {
        identity: vec![home("")],
        ..PolicySet::default()
    };
    assert!(!decide(&req, &old).is_allowed());
    let literal = request(ALICE, "s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/file");
    assert!(decide(&literal, &old).is_allowed());
}

// "kinesis: Get*" (with a space) is accepted by IAM but matches no action.
#[test]
fn action_with_a_space_matches_nothing() {
    let set = PolicySet {
        identity: vec![allow("kinesis: Get*", "*")],
        ..PolicySet::default()
    };
    let req = request(
        ALICE,
        "kinesis:GetRecords",
        "arn:aws:kinesis:us-east-1:111111111111:stream/s",
    );
    assert_eq!(decide(&req, &set).outcome, Outcome::ImplicitDeny);
}

// The guides' mistake: s3:ListBucket granted on an object ARN never applies to the bucket.
#[test]
fn list_bucket_on_object_arn_does_not_allow_listing() {
    let set = PolicySet {
        identity: vec![allow("s3:ListBucket", "arn:aws:s3:::bucket/*")],
        ..PolicySet::default()
    };
    let req = request(ALICE, "s3:ListBucket", "arn:aws:s3:::bucket");
    let d = decide(&req, &set);
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert!(d.explain().contains("the resource is not in Resource"));
}

#[test]
fn trace_names_the_failed_condition_with_request_values() {
    let p = policy(
        "ip",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Office","Effect":"Allow","Action":"s3:*","Resource":"*",
            "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
    );
    let set = PolicySet {
        identity: vec![p],
        ..PolicySet::default()
    };
    let mut req = get_object(ALICE);
    req.context.set("aws:SourceIp", "198.51.100.7");
    let d = decide(&req, &set);
    let text = d.explain();
    assert!(text.contains("\"Office\""), "{text}");
    assert!(text.contains("IpAddress"), "{text}");
    assert!(text.contains("198.51.100.7"), "{text}");
    let json = d.to_json();
    assert_eq!(json["decision"], "implicitDeny");
    let failure = &json["trace"][0]["statements"][0]["mismatch"]["failures"][0];
    assert_eq!(failure["requestValues"][0], "198.51.100.7");
}

// "IAM role trust policies and KMS key policies are exceptions … they must explicitly allow
// access for principals": an identity policy alone cannot assume a role in the same account.
#[test]
fn role_trust_policy_must_allow_even_in_the_same_account() {
    let role = "arn:aws:iam::111111111111:role/Deployer";
    let req = request(ALICE, "sts:AssumeRole", role);
    let trust_nobody = policy(
        "trust",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    );
    let set = PolicySet {
        identity: vec![allow("sts:AssumeRole", "*")],
        resource: vec![trust_nobody],
        role_trust: true,
        ..PolicySet::default()
    };
    let d = decide(&req, &set);
    assert_eq!(
        (d.outcome, d.decided_by),
        (Outcome::ImplicitDeny, Some(PolicyType::RoleTrust))
    );
    assert!(d
        .denial_message(false)
        .unwrap()
        .ends_with("because no role trust policy allows the sts:AssumeRole action"));
    let trust_account = policy(
        "trust",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}"#,
    );
    let set = PolicySet {
        resource: vec![trust_account],
        ..set
    };
    assert!(decide(&req, &set).is_allowed());
    let no_identity = PolicySet {
        identity: vec![],
        ..set
    };
    assert_eq!(
        decide(&req, &no_identity).decided_by,
        Some(PolicyType::IdentityBased)
    );
}

// "IAM role trust policies and KMS key policies are exceptions … they must explicitly allow access
// for principals": an identity policy alone cannot use a KMS key.
#[test]
fn kms_key_policy_must_allow() {
    let key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let req = request(ALICE, "kms:Decrypt", key);
    let key_policy = |who: &str| {
        policy(
            "key-policy",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{who}"}},"Action":"kms:*","Resource":"*"}}]}}"#
            ),
        )
    };
    let bob_only = PolicySet {
        identity: vec![allow("kms:Decrypt", "*")],
        resource: vec![key_policy("arn:aws:iam::111111111111:user/bob")],
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&req, &bob_only).decided_by,
        Some(PolicyType::ResourceBased)
    );
    let account = PolicySet {
        resource: vec![key_policy("arn:aws:iam::111111111111:root")],
        ..bob_only
    };
    assert!(decide(&req, &account).is_allowed());
}

// Actions that take no resource: AWS's message has no "on resource" part.
#[test]
fn message_without_a_resource() {
    let d = decide(&request(ALICE, "s3:ListAllMyBuckets", "*"), &PolicySet::default());
    assert_eq!(
        d.denial_message(true).unwrap(),
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:ListAllMyBuckets \
         because no identity-based policy allows the s3:ListAllMyBuckets action"
    );
}

// Organizations User Guide, "Tasks and entities not restricted by SCPs":
// "Any action performed by service-linked roles. Service-linked roles enable
// other AWS services to integrate with AWS Organizations and can't be
// restricted by SCPs"; RCPs likewise. A session's role is the one
// aws:PrincipalArn names (path included).
#[test]
fn sessions_of_service_linked_roles_are_bound_by_neither_scps_nor_rcps() {
    let set = PolicySet {
        identity: vec![allow("*", "*")],
        scps: vec![vec![deny("*", "*")]],
        rcps: vec![vec![deny("*", "*")]],
        ..PolicySet::default()
    };
    let session_of = |role_arn: &str| {
        let mut request = get_object(SESSION);
        request.context.set("aws:PrincipalArn", role_arn);
        request
    };
    let plain = decide(&session_of("arn:aws:iam::111111111111:role/Reader"), &set);
    assert_eq!(plain.decided_by, Some(PolicyType::ServiceControl));
    let linked = decide(
        &session_of("arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/Reader"),
        &set,
    );
    assert!(linked.is_allowed(), "{:?}", linked.decided_by);
    assert!(linked.trace.iter().all(|t| !matches!(
        t.policy_type,
        PolicyType::ServiceControl | PolicyType::ResourceControl
    )));
}
