//! Is a resource-based policy "public"? Amazon S3's rule, used by Block
//! Public Access (`BlockPublicPolicy`, `RestrictPublicBuckets`) and by
//! `GetBucketPolicyStatus`.
//!
//! Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage",
//! section "The meaning of 'public'"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>):
//! - "When evaluating a bucket policy, Amazon S3 begins by assuming that the
//!   policy is public. It then evaluates the policy to determine whether it
//!   qualifies as non-public. To be considered non-public, a bucket policy
//!   must grant access only to fixed values (values that don't contain a
//!   wildcard or an AWS Identity and Access Management Policy Variable) for
//!   one or more of the following:" an AWS principal, user, role, or service
//!   principal ("e.g. `aws:PrincipalOrgID`"); a set of CIDRs using
//!   `aws:SourceIp`; `aws:SourceArn`; `aws:SourceVpc`; `aws:SourceVpce`;
//!   `aws:SourceOwner`; `aws:SourceAccount`;
//!   `s3:x-amz-server-side-encryption-aws-kms-key-id`; `aws:userid`,
//!   "outside the pattern `AROLEID:*`"; `s3:DataAccessPointArn`;
//!   `s3:DataAccessPointAccount`.
//! - "Bucket policies that grant access conditioned on the `aws:SourceIp`
//!   condition key with very broad IP ranges (for example, 0.0.0.0/1) are
//!   evaluated as 'public.' This includes values broader than /8 for IPv4
//!   and /32 for IPv6 (excluding RFC1918 private ranges)."
//! - `s3:DataAccessPointArn`: "When used in a bucket policy, this value can
//!   contain a wildcard for the access point name without rendering the
//!   policy public, as long as the account id is fixed."
//! - The page's examples of public policies: `"Principal": "*"` with no
//!   condition; `{"Federated": "graph.facebook.com"}`; and `"Principal": "*"`
//!   with `"StringLike": {"aws:SourceVpc": "vpc-*"}`, which becomes
//!   non-public with `"StringEquals": {"aws:SourceVpc": "vpc-91237329"}`.
//! - "This policy qualifies as public because of the third statement": one
//!   public statement makes the whole policy public.
//! - `RestrictPublicBuckets`: "restricts access to an access point or bucket
//!   with a public policy to only AWS service principals and authorized
//!   users within the bucket owner's account" — see
//!   [`allowed_under_restrict_public_buckets`].
//!
//! How that reads as code, statement by statement:
//! - Only `Allow` statements grant access; a `Deny` never makes a policy
//!   public. The `Action` and `Resource` elements do not matter: "Amazon S3
//!   block public access reviews policies for current actions and any
//!   potential actions that might be added in the future" (same page).
//! - The grantee is open when the `Principal` is `"*"` or `{"AWS": "*"}`,
//!   when a principal value contains a wildcard, when it is a `Federated`
//!   identity provider (not "an AWS principal, user, role, or service
//!   principal"), and for `NotPrincipal` with `Allow` (everyone except the
//!   listed principals).
//! - An open grantee is still non-public when one `Condition` clause (they
//!   are ANDed, so one suffices) pins a listed key to fixed values. A clause
//!   pins only if it must be satisfied by the request's own value: a
//!   positive operator (not `…Not…`), without `…IfExists` and without
//!   `ForAllValues:` (both hold when the key is absent), with a string, ARN
//!   or (for `aws:SourceIp`) `IpAddress` comparison. Every value must be
//!   fixed: no policy variable, no `*`/`?` under `StringLike` and the `Arn…`
//!   operators (under `StringEquals` they are literal characters), and no
//!   `aws:SourceIp` range broader than /8 (IPv4) or /32 (IPv6).
//! - The principal-identifying keys besides `aws:PrincipalOrgID` that count
//!   as "an AWS principal, user, role, or service principal" are
//!   `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgPaths`
//!   and `aws:PrincipalServiceName`: each names principals by a fixed value.
//!   `aws:username` does not (any account may have a user of that name).

use crate::arn::Arn;
use crate::condition::{Comparison, SetOperator};
use crate::policy::{Condition, Effect, Policy, PrincipalSet, Statement};
use crate::principal::{Principal, PrincipalKind};
use ipnet::IpNet;
use serde::Serialize;
use std::net::IpAddr;

/// One `Allow` statement that makes a policy public, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicGrant {
    /// Position of the statement in the policy (0-based).
    pub index: usize,
    pub sid: Option<String>,
    /// Why the statement is public, in words for a trace or console.
    pub reason: String,
}

/// Is this resource-based policy public as Amazon S3 defines it?
pub fn is_public(policy: &Policy) -> bool {
    let variables = policy.substitutes_variables();
    policy
        .statements
        .iter()
        .any(|statement| statement_public(statement, variables).is_some())
}

/// The statements that make this policy public, in policy order; empty
/// when the policy is not public.
pub fn public_statements(policy: &Policy) -> Vec<PublicGrant> {
    let variables = policy.substitutes_variables();
    policy
        .statements
        .iter()
        .enumerate()
        .filter_map(|(index, statement)| {
            statement_public(statement, variables).map(|reason| PublicGrant {
                index,
                sid: statement.sid.clone(),
                reason,
            })
        })
        .collect()
}

/// `RestrictPublicBuckets` with a public policy: may a grant in that policy
/// still reach this caller? Only "AWS service principals and authorized
/// users within the bucket owner's account" can; every other caller
/// (anonymous, other accounts, even accounts the policy names) is blocked.
/// The caller still needs permission as usual; this only says whether the
/// public policy may supply it.
pub fn allowed_under_restrict_public_buckets(caller: &Principal, owner_account: &str) -> bool {
    caller.kind == PrincipalKind::Service || caller.account.as_deref() == Some(owner_account)
}

/// `Some(reason)` when this statement grants access to non-fixed callers.
fn statement_public(statement: &Statement, variables: bool) -> Option<String> {
    if statement.effect != Effect::Allow {
        return None;
    }
    let open = open_grantee(statement)?;
    let mut notes = Vec::new();
    for condition in &statement.conditions {
        match pins(condition, variables) {
            Ok(()) => return None,
            Err(note) => notes.push(note),
        }
    }
    Some(if notes.is_empty() {
        format!("{open}, and no Condition limits it")
    } else {
        format!(
            "{open}, and no condition limits it to fixed values: {}",
            notes.join("; ")
        )
    })
}

/// Why the statement's `Principal` / `NotPrincipal` is not a set of fixed
/// principals; `None` when it is (or when there is none, which S3 rejects in
/// a bucket policy anyway).
fn open_grantee(statement: &Statement) -> Option<String> {
    let principal = statement.principal.as_ref()?;
    if principal.negated {
        return Some("NotPrincipal with Allow grants access to everyone not listed".into());
    }
    let set: &PrincipalSet = &principal.items;
    if set.everyone {
        return Some("Principal \"*\" grants access to everyone".into());
    }
    if set.aws.iter().any(|entry| entry == "*") {
        return Some("Principal {\"AWS\": \"*\"} grants access to everyone".into());
    }
    let typed = [
        ("AWS", &set.aws),
        ("Service", &set.service),
        ("CanonicalUser", &set.canonical_user),
    ];
    for (kind, list) in typed {
        if let Some(entry) = list.iter().find(|entry| has_wildcard(entry)) {
            return Some(format!(
                "Principal {kind} {entry:?} has a wildcard, so it is not a fixed principal"
            ));
        }
    }
    set.federated.first().map(|provider| {
        format!("Federated principal {provider:?} is an identity provider, not a fixed AWS principal")
    })
}

/// How a key named by the rule must be fixed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    /// Any fixed string or ARN.
    Fixed,
    /// CIDRs no broader than /8 (IPv4) or /32 (IPv6).
    SourceIp,
    /// Fixed, or `ROLEID:*` (any session of one role).
    UserId,
    /// Fixed, or a pattern whose account field is fixed.
    AccessPointArn,
}

/// The condition keys that can make a grant to an open principal
/// non-public (lowercase; keys are case-insensitive).
const LIMITING_KEYS: &[(&str, KeyKind)] = &[
    ("aws:principalorgid", KeyKind::Fixed),
    ("aws:principalorgpaths", KeyKind::Fixed),
    ("aws:principalaccount", KeyKind::Fixed),
    ("aws:principalarn", KeyKind::Fixed),
    ("aws:principalservicename", KeyKind::Fixed),
    ("aws:sourceip", KeyKind::SourceIp),
    ("aws:sourcearn", KeyKind::Fixed),
    ("aws:sourcevpc", KeyKind::Fixed),
    ("aws:sourcevpce", KeyKind::Fixed),
    ("aws:sourceowner", KeyKind::Fixed),
    ("aws:sourceaccount", KeyKind::Fixed),
    ("s3:x-amz-server-side-encryption-aws-kms-key-id", KeyKind::Fixed),
    ("aws:userid", KeyKind::UserId),
    ("s3:dataaccesspointarn", KeyKind::AccessPointArn),
    ("s3:dataaccesspointaccount", KeyKind::Fixed),
];

/// `Ok(())` when this clause pins the caller to fixed values of a listed
/// key; otherwise why it does not.
fn pins(condition: &Condition, variables: bool) -> Result<(), String> {
    let op = &condition.operator;
    let key = &condition.key;
    let lower = key.to_ascii_lowercase();
    let Some(&(_, kind)) = LIMITING_KEYS.iter().find(|(name, _)| *name == lower) else {
        return Err(format!(
            "{key} is not a key that fixes who or where the caller is"
        ));
    };
    let clause = format!("{op} on {key}");
    if op.negated {
        return Err(format!("{clause} is negated, so it matches all other values"));
    }
    if op.if_exists {
        return Err(format!("{clause} also holds when the key is absent"));
    }
    if op.set == Some(SetOperator::ForAllValues) {
        return Err(format!("{clause} also holds when the key is absent"));
    }
    let comparison_fits = match kind {
        KeyKind::SourceIp => op.comparison == Comparison::IpAddress,
        _ => matches!(
            op.comparison,
            Comparison::StringEquals
                | Comparison::StringEqualsIgnoreCase
                | Comparison::StringLike
                | Comparison::ArnEquals
                | Comparison::ArnLike
        ),
    };
    if !comparison_fits {
        return Err(format!("{clause} does not compare it with fixed values"));
    }
    if condition.values.is_empty() {
        return Err(format!("{clause} has no values"));
    }
    for value in &condition.values {
        if variables && value.contains("${") {
            return Err(format!("{clause}: {value:?} has a policy variable"));
        }
        if kind == KeyKind::SourceIp {
            match parse_cidr(value) {
                None => return Err(format!("{clause}: {value:?} is not an IP address or CIDR")),
                Some(net) if too_broad(net) => {
                    return Err(format!(
                        "{clause}: {value:?} is broader than /8 (IPv4) or /32 (IPv6)"
                    ))
                }
                Some(_) => {}
            }
            continue;
        }
        let wildcards_count = matches!(
            op.comparison,
            Comparison::StringLike | Comparison::ArnEquals | Comparison::ArnLike
        );
        if wildcards_count && has_wildcard(value) && !allowed_pattern(kind, value) {
            return Err(format!("{clause}: {value:?} has a wildcard"));
        }
    }
    Ok(())
}

/// The two wildcard patterns the rule still counts as fixed.
fn allowed_pattern(kind: KeyKind, value: &str) -> bool {
    match kind {
        // "aws:userid, outside the pattern AROLEID:*": the unique id of one
        // role, with any session name.
        KeyKind::UserId => value
            .strip_suffix(":*")
            .is_some_and(|id| !id.is_empty() && !has_wildcard(id) && !id.contains(':')),
        // "can contain a wildcard for the access point name … as long as the
        // account id is fixed".
        KeyKind::AccessPointArn => {
            Arn::parse(value).is_some_and(|arn| !arn.account.is_empty() && !has_wildcard(arn.account))
        }
        KeyKind::Fixed | KeyKind::SourceIp => false,
    }
}

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// A CIDR, or a single address as its host route.
fn parse_cidr(value: &str) -> Option<IpNet> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .ok()
        .or_else(|| value.parse::<IpAddr>().ok().map(IpNet::from))
}

/// "Broader than /8 for IPv4 and /32 for IPv6 (excluding RFC1918 private
/// ranges)": every RFC 1918 block (10/8, 172.16/12, 192.168/16) is /8 or
/// narrower, so the exclusion never changes the answer for IPv4.
fn too_broad(net: IpNet) -> bool {
    match net {
        IpNet::V4(v4) => v4.prefix_len() < 8,
        IpNet::V6(v6) => v6.prefix_len() < 32,
    }
}
