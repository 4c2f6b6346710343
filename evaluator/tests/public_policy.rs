//! One test per rule of Amazon S3's definition of a "public" policy, from the
//! S3 User Guide, "Blocking public access to your Amazon S3 storage" → "The
//! meaning of 'public'":
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status

use iam_evaluator::public::allowed_under_restrict_public_buckets;
use iam_evaluator::{is_public, public_statements, Policy, Principal};

/// A policy with one statement: `Principal` and `Condition` as JSON text
/// (`condition` may be empty for none).
fn one(effect: &str, principal: &str, condition: &str) -> Policy {
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(r#","Condition":{condition}"#)
    };
    Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{principal},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"{condition}}}]}}"#
    ))
    .expect("test policy parses")
}

fn star(condition: &str) -> Policy {
    one("Allow", r#""*""#, condition)
}

/// "When evaluating a bucket policy, Amazon S3 begins by assuming that the
/// policy is public."
#[test]
fn principal_star_without_condition_is_public() {
    let policy = star("");
    assert!(is_public(&policy));
    let grants = public_statements(&policy);
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].index, 0);
    assert!(
        grants[0].reason.contains("Principal \"*\""),
        "{}",
        grants[0].reason
    );
}

/// `{"AWS": "*"}` means everyone, exactly like `"*"`.
#[test]
fn aws_star_is_the_same_as_star() {
    assert!(is_public(&one("Allow", r#"{"AWS":"*"}"#, "")));
    assert!(is_public(&one(
        "Allow",
        r#"{"AWS":["arn:aws:iam::111122223333:root","*"]}"#,
        ""
    )));
    assert!(!is_public(&one(
        "Allow",
        r#"{"AWS":"*"}"#,
        r#"{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#
    )));
}

/// "An AWS principal, user, role, or service principal": fixed principals
/// are not public.
#[test]
fn fixed_principals_are_not_public() {
    for principal in [
        r#"{"AWS":"111122223333"}"#,
        r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
        r#"{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::444455556666:role/R"]}"#,
        r#"{"Service":"cloudtrail.amazonaws.com"}"#,
        r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
    ] {
        assert!(!is_public(&one("Allow", principal, "")), "{principal}");
    }
}

/// Fixed values are "values that don't contain a wildcard": a principal ARN
/// with a wildcard account is not fixed.
#[test]
fn principal_with_a_wildcard_is_public() {
    let policy = one("Allow", r#"{"AWS":"arn:aws:iam::*:root"}"#, "");
    assert!(is_public(&policy));
    assert!(public_statements(&policy)[0].reason.contains("wildcard"));
    assert!(is_public(&one("Allow", r#"{"Service":"*.amazonaws.com"}"#, "")));
}

/// The doc's first public example: `{"Federated": "graph.facebook.com"}`.
#[test]
fn federated_principal_is_public() {
    assert!(is_public(&one(
        "Allow",
        r#"{"Federated":"graph.facebook.com"}"#,
        ""
    )));
}

/// `NotPrincipal` with `Allow` grants everyone except the listed principals.
#[test]
fn not_principal_allow_is_public() {
    let policy = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
            "NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    )
    .unwrap();
    assert!(is_public(&policy));
    assert!(public_statements(&policy)[0].reason.contains("NotPrincipal"));
}

/// Only grants count: a Deny never makes a policy public.
#[test]
fn deny_only_is_not_public() {
    assert!(!is_public(&one("Deny", r#""*""#, "")));
    let policy = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},
            "Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#,
    )
    .unwrap();
    assert!(!is_public(&policy));
}

/// "A set of Classless Inter-Domain Routings (CIDRs), using aws:SourceIp".
#[test]
fn source_ip_to_a_narrow_cidr_is_not_public() {
    assert!(!is_public(&star(
        r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#
    )));
    assert!(!is_public(&star(
        r#"{"IpAddress":{"aws:SourceIp":["203.0.113.7","2001:db8::/48"]}}"#
    )));
}

/// "values broader than /8 for IPv4 and /32 for IPv6 … are evaluated as
/// public", e.g. 0.0.0.0/1. /8 and /32 themselves are not broader.
#[test]
fn source_ip_too_broad_is_public() {
    for cidr in ["0.0.0.0/0", "0.0.0.0/1", "10.0.0.0/7", "2001::/31", "::/0"] {
        let policy = star(&format!(r#"{{"IpAddress":{{"aws:SourceIp":"{cidr}"}}}}"#));
        assert!(is_public(&policy), "{cidr}");
    }
    for cidr in ["10.0.0.0/8", "2001:db8::/32"] {
        let policy = star(&format!(r#"{{"IpAddress":{{"aws:SourceIp":"{cidr}"}}}}"#));
        assert!(!is_public(&policy), "{cidr}");
    }
    // One broad range among narrow ones still opens the grant.
    assert!(is_public(&star(
        r#"{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","0.0.0.0/1"]}}"#
    )));
}

/// `NotIpAddress` grants every other address: it fixes nothing.
#[test]
fn not_ip_address_is_public() {
    assert!(is_public(&star(
        r#"{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#
    )));
}

/// The doc's example: `StringLike` `aws:SourceVpc` `vpc-*` is public;
/// `StringEquals` `vpc-91237329` is not.
#[test]
fn source_vpc_example_from_the_doc() {
    let wild = star(r#"{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#);
    assert!(is_public(&wild));
    assert!(public_statements(&wild)[0].reason.contains("wildcard"));
    assert!(!is_public(&star(
        r#"{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#
    )));
    // A StringLike value without wildcards is a fixed value.
    assert!(!is_public(&star(
        r#"{"StringLike":{"aws:SourceVpc":"vpc-91237329"}}"#
    )));
}

/// Every listed key, fixed, makes `"Principal": "*"` non-public.
#[test]
fn each_listed_key_with_a_fixed_value_is_not_public() {
    for (op, key, value) in [
        ("StringEquals", "aws:PrincipalOrgID", "o-abcdef1234"),
        ("StringEquals", "aws:PrincipalAccount", "111122223333"),
        (
            "ArnEquals",
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/R",
        ),
        (
            "StringEquals",
            "aws:PrincipalOrgPaths",
            "o-abcdef1234/r-ab12/ou-ab12-11111111/",
        ),
        (
            "StringEquals",
            "aws:PrincipalServiceName",
            "cloudtrail.amazonaws.com",
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
        ),
        ("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d"),
        ("StringEquals", "aws:SourceOwner", "111122223333"),
        ("StringEquals", "aws:SourceAccount", "111122223333"),
        (
            "StringEquals",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
            "arn:aws:kms:us-east-1:111122223333:key/k",
        ),
        ("StringEquals", "aws:userid", "AIDAEXAMPLE"),
        ("StringEquals", "s3:DataAccessPointAccount", "111122223333"),
        (
            "StringEquals",
            "s3:DataAccessPointArn",
            "arn:aws:s3:us-west-2:111122223333:accesspoint/ap",
        ),
        ("StringEqualsIgnoreCase", "AWS:SOURCEACCOUNT", "111122223333"),
        (
            "ForAnyValue:StringEquals",
            "aws:PrincipalOrgPaths",
            "o-a/r-b/ou-c/",
        ),
    ] {
        let policy = star(&format!(r#"{{"{op}":{{"{key}":"{value}"}}}}"#));
        assert!(!is_public(&policy), "{op} {key} {value}");
    }
}

/// A condition on a key that does not identify the caller (or its network
/// or source) leaves the grant public.
#[test]
fn unrelated_keys_do_not_limit() {
    for condition in [
        r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
        r#"{"StringEquals":{"aws:username":"alice"}}"#,
        r#"{"StringEquals":{"s3:prefix":"home/"}}"#,
    ] {
        assert!(is_public(&star(condition)), "{condition}");
    }
}

/// Fixed values contain no wildcard: `StringLike` (and `ArnLike`) with `*`
/// is public.
#[test]
fn wildcard_values_are_public() {
    for condition in [
        r#"{"StringLike":{"aws:PrincipalAccount":"*"}}"#,
        r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:topic"}}"#,
        r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/R"}}"#,
        r#"{"StringLike":{"aws:SourceAccount":["111122223333","2222?2223333"]}}"#,
    ] {
        assert!(is_public(&star(condition)), "{condition}");
    }
}

/// Fixed values contain no "AWS Identity and Access Management Policy
/// Variable".
#[test]
fn policy_variables_are_public() {
    let policy = star(r#"{"StringEquals":{"aws:PrincipalAccount":"${aws:SourceAccount}"}}"#);
    assert!(is_public(&policy));
    assert!(public_statements(&policy)[0].reason.contains("policy variable"));
}

/// Negated operators, `…IfExists` and `ForAllValues:` hold for callers
/// outside the values (or without the key), so they fix nothing.
#[test]
fn operators_that_do_not_pin_the_caller_are_public() {
    for condition in [
        r#"{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}"#,
        r#"{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-91237329"}}"#,
        r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgPaths":"o-a/r-b/ou-c/"}}"#,
        r#"{"Null":{"aws:SourceVpc":"false"}}"#,
        r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}"#,
    ] {
        assert!(is_public(&star(condition)), "{condition}");
    }
}

/// Conditions are ANDed: one fixed clause is enough, whatever the others.
#[test]
fn one_pinning_clause_suffices() {
    assert!(!is_public(&star(
        r#"{"Bool":{"aws:SecureTransport":"true"},
            "StringLike":{"aws:SourceVpc":"vpc-*"},
            "StringEquals":{"aws:SourceAccount":"111122223333"}}"#
    )));
}

/// "aws:userid, outside the pattern AROLEID:*": one role's sessions are a
/// fixed principal; other wildcards are not.
#[test]
fn userid_role_pattern() {
    assert!(!is_public(&star(
        r#"{"StringLike":{"aws:userid":"AROAEXAMPLEROLEID:*"}}"#
    )));
    assert!(is_public(&star(r#"{"StringLike":{"aws:userid":"AROA*"}}"#)));
    assert!(is_public(&star(r#"{"StringLike":{"aws:userid":"*:alice"}}"#)));
}

/// `s3:DataAccessPointArn` "can contain a wildcard for the access point name
/// without rendering the policy public, as long as the account id is fixed".
#[test]
fn data_access_point_arn_with_fixed_account() {
    assert!(!is_public(&star(
        r#"{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}"#
    )));
    assert!(is_public(&star(
        r#"{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:*:accesspoint/*"}}"#
    )));
}

/// "This policy qualifies as public because of the third statement": one
/// public statement makes the policy public, and is the one reported.
#[test]
fn mixed_policy_reports_only_the_public_statement() {
    let policy = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"CloudTrail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
             "Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"Account2","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},
             "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"Everyone","Effect":"Allow","Principal":"*",
             "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    )
    .unwrap();
    assert!(is_public(&policy));
    let grants = public_statements(&policy);
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].index, 2);
    assert_eq!(grants[0].sid.as_deref(), Some("Everyone"));
    let value = serde_json::to_value(&grants[0]).unwrap();
    assert_eq!(value["index"], 2);
    assert_eq!(value["sid"], "Everyone");
}

/// RestrictPublicBuckets: "only AWS service principals and authorized users
/// within the bucket owner's account" — in the doc's example, CloudTrail
/// keeps access and "Account-2" loses it.
#[test]
fn restrict_public_buckets_admits_services_and_the_owner_account() {
    let owner = "111111111111";
    let admitted = |p: &Principal| allowed_under_restrict_public_buckets(p, owner);
    assert!(admitted(&Principal::service("cloudtrail.amazonaws.com")));
    assert!(admitted(
        &Principal::from_arn("arn:aws:iam::111111111111:user/alice").unwrap()
    ));
    assert!(admitted(
        &Principal::from_arn("arn:aws:sts::111111111111:assumed-role/R/s").unwrap()
    ));
    assert!(!admitted(
        &Principal::from_arn("arn:aws:iam::222222222222:root").unwrap()
    ));
    assert!(!admitted(&Principal::anonymous()));
}
