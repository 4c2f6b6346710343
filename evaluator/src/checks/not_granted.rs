//! `CheckAccessNotGranted`: does the policy grant any of the listed access?
//!
//! Access Analyzer API reference, "CheckAccessNotGranted": "If only actions
//! are specified, IAM Access Analyzer checks for access to perform at least
//! one of the actions on any resource in the policy. If only resources are
//! specified, then IAM Access Analyzer checks for access to perform any
//! action on at least one of the resources. If both actions and resources
//! are specified, IAM Access Analyzer checks for access to perform at least
//! one of the specified actions on at least one of the specified resources."
//!
//! An `Allow` atom grants listed access for a caller unless it is sure not to
//! meet the listed access, or a `Deny` reaching the caller takes back every
//! request where the two meet (it holds the atom's or the listed actions,
//! the atom's or the listed resources, and every condition it has is implied
//! by the atom's). The atom's own conditions count as satisfiable.

use super::grants::{Atom, Dim};
use super::scope::Scope;
use super::{Access, AccessCheckPolicyType, CheckResult};
use crate::checks::conditions::Block;
use crate::checks::language::Kind;
use crate::policy::{Effect, Policy};

const PASS: &str = "The policy document does not grant access to perform the listed actions or resources.";
const FAIL: &str =
    "The policy document grants access to perform one or more of the listed actions or resources.";
const LEAD: &str = "One or more of the listed actions or resources in the statement with";

/// No patterns listed: every value.
fn listed(items: &[String]) -> Dim<'_> {
    if items.is_empty() {
        Dim::All
    } else {
        Dim::AnyOf(items)
    }
}

/// `CheckAccessNotGranted`: PASS only when `policy` grants none of `access`.
pub fn check_access_not_granted(
    policy: &Policy,
    kind: AccessCheckPolicyType,
    access: &Access,
) -> CheckResult {
    let scope = Scope::new(kind, &[policy]);
    let side = scope.side(policy);
    let asked = Atom {
        actions: listed(&access.actions),
        resources: listed(&access.resources),
        conditions: Block {
            clauses: &[],
            substitute: false,
        },
    };
    let lens = &scope.lens;
    let granting: Vec<usize> = side
        .statements(Effect::Allow)
        .map(|(i, _)| i)
        .filter(|&i| {
            side.atoms(i).iter().any(|atom| {
                (0..scope.callers.len()).any(|caller| {
                    side.reaches(i, caller)
                        && !lens.disjoint(atom, &asked)
                        && !side.statements(Effect::Deny).any(|(d, _)| {
                            let deny = side.whole(d);
                            let sub = |a: &Atom<'_>| a.conditions.substitute;
                            let holds = |kind, mine: Dim<'_>, theirs: Dim<'_>, deny_dim: Dim<'_>| {
                                lens.dim_within(kind, mine, sub(atom), deny_dim, sub(&deny))
                                    || lens.dim_within(kind, theirs, false, deny_dim, sub(&deny))
                            };
                            side.reaches(d, caller)
                                && holds(Kind::Action, atom.actions, asked.actions, deny.actions)
                                && holds(Kind::Arn, atom.resources, asked.resources, deny.resources)
                                && super::conditions::implies(atom.conditions, deny.conditions)
                        })
                })
            })
        })
        .collect();
    CheckResult::from_statements(&granting, policy, PASS, FAIL, LEAD)
}
