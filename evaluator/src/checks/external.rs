//! Which callers outside a zone of trust a resource-based policy lets in:
//! the question behind Access Analyzer's external access findings.
//!
//! Each `Allow` statement is asked of the evaluator for every witness caller
//! ([`super::principals`]): the callers it reaches that the zone does not
//! hold, unless `Deny` statements take back everything the statement grants
//! them. A statement is public when [`crate::public`] says so. Conditions
//! count as satisfiable: a grant under a condition is still a grant, and the
//! finding names the condition.

use super::scope::Scope;
use super::AccessCheckPolicyType;
use crate::policy::{Effect, Policy};
use crate::principal::Principal;

/// One `Allow` statement that lets callers outside the zone in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalGrant {
    /// The statement's position in the policy.
    pub statement: usize,
    /// The witness callers outside the zone it lets in (the anonymous
    /// caller among them when anyone may come).
    pub callers: Vec<Principal>,
    /// Public as [`crate::public`] defines it.
    pub public: bool,
}

/// The grants of `policy` (a resource-based policy) to callers `inside`
/// says are outside the zone of trust.
pub fn external_grants(policy: &Policy, inside: impl Fn(&Principal) -> bool) -> Vec<ExternalGrant> {
    let scope = Scope::new(AccessCheckPolicyType::Resource, &[policy]);
    let side = scope.side(policy);
    let public: Vec<usize> = crate::public::public_statements(policy)
        .into_iter()
        .map(|g| g.index)
        .collect();
    side.statements(Effect::Allow)
        .filter_map(|(i, _)| {
            let atoms = side.atoms(i);
            let callers: Vec<Principal> = scope
                .callers
                .iter()
                .enumerate()
                .filter(|(c, caller)| {
                    side.reaches(i, *c)
                        && !inside(caller)
                        && atoms.iter().any(|atom| !side.denies_all(&scope.lens, atom, *c))
                })
                .map(|(_, caller)| caller.clone())
                .collect();
            (!callers.is_empty()).then(|| ExternalGrant {
                statement: i,
                callers,
                public: public.contains(&i),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::PrincipalKind;

    fn policy(json: &serde_json::Value) -> Policy {
        Policy::from_json(json).unwrap()
    }

    fn in_account(caller: &Principal) -> bool {
        caller.kind == PrincipalKind::Service || caller.account.as_deref() == Some("111111111111")
    }

    #[test]
    fn other_accounts_and_everyone_are_external_the_owner_is_not() {
        let p = policy(&serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}]}));
        let grants = external_grants(&p, in_account);
        let statements: Vec<usize> = grants.iter().map(|g| g.statement).collect();
        assert_eq!(statements, [1, 2]);
        assert!(!grants[0].public && grants[1].public);
        assert!(grants[0]
            .callers
            .iter()
            .all(|c| c.account.as_deref() == Some("222222222222")));
        assert!(grants[1]
            .callers
            .iter()
            .any(|c| c.kind == PrincipalKind::Anonymous));
    }

    #[test]
    fn a_deny_that_takes_the_grant_back_leaves_nothing() {
        let p = policy(&serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}));
        assert!(external_grants(&p, in_account).is_empty());
    }
}
