//! `CheckNoPublicAccess`: does the resource policy grant public access?
//!
//! Which statements are public is [`crate::public`]'s rule (the one Block
//! Public Access and `GetBucketPolicyStatus` use): an `Allow` to a grantee
//! that is not a fixed set of principals, not limited by a condition to
//! fixed values. Such a statement is a reason of the FAIL unless `Deny`
//! statements take back, for every caller the statement reaches, every
//! request it grants.

use super::scope::Scope;
use super::{AccessCheckPolicyType, CheckResult};
use crate::policy::Policy;
use crate::public::public_statements;

const PASS: &str = "The resource policy does not grant public access for the given resource type.";
const FAIL: &str = "The resource policy grants public access for the given resource type.";
const LEAD: &str = "Public access granted in the following statement with";

/// `CheckNoPublicAccess` for one of [`super::RESOURCE_TYPES`]: PASS only
/// when no statement of `policy` grants public access.
pub fn check_no_public_access(policy: &Policy, _resource_type: &str) -> CheckResult {
    let scope = Scope::new(AccessCheckPolicyType::Resource, &[policy]);
    let side = scope.side(policy);
    let public: Vec<usize> = public_statements(policy)
        .into_iter()
        .map(|grant| grant.index)
        .filter(|&i| {
            let reached: Vec<usize> = (0..scope.callers.len()).filter(|&c| side.reaches(i, c)).collect();
            // A grantee the evaluator matches no caller with is still public
            // by the rule; only a Deny can take a public grant back.
            reached.is_empty()
                || side.atoms(i).iter().any(|atom| {
                    reached
                        .iter()
                        .any(|&caller| !side.denies_all(&scope.lens, atom, caller))
                })
        })
        .collect();
    CheckResult::from_statements(&public, policy, PASS, FAIL, LEAD)
}
