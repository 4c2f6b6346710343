//! Who a resource-based statement's `Principal` / `NotPrincipal` reaches,
//! asked of the evaluator itself on a finite set of witness callers.
//!
//! Whether an element names a caller depends only on the caller's kind,
//! account, ARN, role name and canonical id, each compared for equality
//! with the entries written in the policy ([`crate::principal`],
//! [`crate::statement`]). So every caller behaves, towards the policies
//! compared, like one of these witnesses:
//! - the anonymous caller, a service and an identity provider no policy
//!   names, and each service and provider a policy names;
//! - for each account a policy names, and for one account none names: its
//!   root, a user, a role session and a federated user whose names no
//!   policy uses;
//! - each user, session, federated-user or root ARN a policy names, and a
//!   fresh session of each role a policy names (a role ARN names its
//!   sessions; a session ARN's role has other sessions too);
//! - each of the above again with each canonical user id a policy names.
//!
//! A statement reaches a witness when the evaluator's own statement check
//! (principal element only: action `*`, no resource, no condition) says it
//! applies, so `NotPrincipal` and every matching rule are the evaluator's.

use crate::arn::{is_account_id, Arn};
use crate::decision::Request;
use crate::policy::{Listed, Policy, Statement};
use crate::principal::{Principal, PrincipalKind};
use crate::statement;

/// The witnesses for the principal elements of `policies`.
pub fn witnesses(policies: &[&Policy]) -> Vec<Principal> {
    let sets: Vec<_> = policies
        .iter()
        .flat_map(|p| &p.statements)
        .filter_map(|s| s.principal.as_ref())
        .map(|p| &p.items)
        .collect();
    let written: Vec<&str> = sets
        .iter()
        .flat_map(|s| {
            s.aws
                .iter()
                .chain(&s.service)
                .chain(&s.federated)
                .chain(&s.canonical_user)
        })
        .map(String::as_str)
        .collect();
    let fresh = fresh_name(&written);
    let mut accounts: Vec<String> = Vec::new();
    let mut named: Vec<Principal> = Vec::new();
    for entry in sets.iter().flat_map(|s| &s.aws) {
        if is_account_id(entry) {
            accounts.push(entry.clone());
            continue;
        }
        let Some(arn) = Arn::parse(entry) else { continue };
        if is_account_id(arn.account) {
            accounts.push(arn.account.to_string());
        }
        if let Ok(p) = Principal::from_arn(entry) {
            if let PrincipalKind::AssumedRole { role_name, .. } = &p.kind {
                named.extend(session(arn.account, role_name, &fresh));
            }
            named.push(p);
        } else if arn.service == "iam" {
            if let Some(role) = arn.resource.strip_prefix("role/") {
                let name = role.rsplit('/').next().unwrap_or(role);
                named.extend(session(arn.account, name, &fresh));
            }
        }
    }
    accounts.sort();
    accounts.dedup();
    accounts.push(fresh_account(&accounts));
    let mut out = vec![
        Principal::anonymous(),
        Principal::service(&format!("{fresh}.amazonaws.com")),
        federated(&format!("{fresh}.example.com")),
    ];
    for set in &sets {
        out.extend(set.service.iter().map(|s| Principal::service(s)));
        out.extend(set.federated.iter().map(|f| federated(f)));
    }
    for account in &accounts {
        for arn in [
            format!("arn:aws:iam::{account}:root"),
            format!("arn:aws:iam::{account}:user/{fresh}"),
            format!("arn:aws:sts::{account}:assumed-role/{fresh}/{fresh}"),
            format!("arn:aws:sts::{account}:federated-user/{fresh}"),
        ] {
            out.extend(Principal::from_arn(&arn));
        }
    }
    out.extend(named);
    let mut canonical: Vec<&String> = sets.iter().flat_map(|s| &s.canonical_user).collect();
    canonical.sort();
    canonical.dedup();
    let plain = out.clone();
    for id in canonical {
        out.extend(plain.iter().map(|p| Principal {
            canonical_user: Some(id.clone()),
            ..p.clone()
        }));
    }
    out
}

/// Does `statement`'s principal element reach `caller`? (A resource-based
/// statement without one reaches no one, as the evaluator decides.)
pub fn reaches(statement: &Statement, caller: &Principal) -> bool {
    let probe = Statement {
        sid: None,
        effect: statement.effect,
        principal: statement.principal.clone(),
        action: Listed {
            negated: false,
            items: vec!["*".into()],
        },
        resource: None,
        conditions: Vec::new(),
    };
    let request = Request {
        principal: caller.clone(),
        action: "witness:probe".into(),
        resource: "*".into(),
        resource_account: None,
        context: crate::RequestContext::new(),
    };
    statement::check(&probe, &request, false, true).is_ok()
}

fn session(account: &str, role: &str, fresh: &str) -> Option<Principal> {
    Principal::from_arn(&format!("arn:aws:sts::{account}:assumed-role/{role}/{fresh}")).ok()
}

fn federated(provider: &str) -> Principal {
    Principal {
        arn: provider.into(),
        account: None,
        kind: PrincipalKind::Federated,
        canonical_user: None,
    }
}

/// A name no entry contains: a short one when there is one, else one
/// longer than every entry.
fn fresh_name(written: &[&str]) -> String {
    (0..8)
        .map(|n| format!("witness{n}"))
        .find(|name| !written.iter().any(|w| w.contains(name.as_str())))
        .unwrap_or_else(|| {
            let longest = written.iter().map(|w| w.len()).max().unwrap_or(0);
            format!("witness{}", "x".repeat(longest))
        })
}

/// An account id none of `accounts` is.
fn fresh_account(accounts: &[String]) -> String {
    (0..=accounts.len())
        .map(|n| format!("{:012}", 900_000_000_000 + n))
        .find(|id| !accounts.contains(id))
        .unwrap_or_default()
}
