//! `CheckNoNewAccess`: does the new policy grant anything the existing one
//! does not?
//!
//! For each atom of each `Allow` in the new policy and each caller it
//! reaches, unless a new `Deny` takes the atom back whole, both must hold:
//! 1. some existing `Allow` reaching the caller holds the atom (actions,
//!    resources, and conditions it implies);
//! 2. every existing `Deny` reaching the caller that could meet the atom is
//!    held by a new `Deny` reaching the caller — else removing that deny
//!    let the atom grant what used to be denied.
//!
//! A new `Allow` with an atom failing either is a reason of the FAIL.

use super::scope::{Scope, Side};
use super::{AccessCheckPolicyType, CheckResult};
use crate::policy::{Effect, Policy};

const PASS: &str = "The modified permissions do not grant new access compared to your existing policy.";
const FAIL: &str = "The modified permissions grant new access compared to your existing policy.";
const LEAD: &str = "New access in the statement with";

/// `CheckNoNewAccess`: PASS only when every request `new` grants,
/// `existing` grants too.
pub fn check_no_new_access(existing: &Policy, new: &Policy, kind: AccessCheckPolicyType) -> CheckResult {
    let scope = Scope::new(kind, &[existing, new]);
    let old = scope.side(existing);
    let now = scope.side(new);
    let widened: Vec<usize> = now
        .statements(Effect::Allow)
        .map(|(i, _)| i)
        .filter(|&i| grants_new(&scope, &old, &now, i))
        .collect();
    CheckResult::from_statements(&widened, new, PASS, FAIL, LEAD)
}

fn grants_new(scope: &Scope, old: &Side<'_>, now: &Side<'_>, allow: usize) -> bool {
    let lens = &scope.lens;
    for atom in now.atoms(allow) {
        for caller in (0..scope.callers.len()).filter(|&c| now.reaches(allow, c)) {
            if now.denies_all(lens, &atom, caller) {
                continue;
            }
            let held = old
                .statements(Effect::Allow)
                .any(|(b, _)| old.reaches(b, caller) && lens.within(&atom, &old.whole(b)));
            if !held {
                return true;
            }
            for (d, _) in old.statements(Effect::Deny) {
                if !old.reaches(d, caller) {
                    continue;
                }
                let lost = old
                    .atoms(d)
                    .iter()
                    .any(|denied| !lens.disjoint(&atom, denied) && !now.denies_all(lens, denied, caller));
                if lost {
                    return true;
                }
            }
        }
    }
    false
}
