//! What the checks share: the callers to reason about (witnesses for
//! resource policies, one caller for identity policies) and, per policy,
//! which statements reach which caller.

use super::grants::{Atom, Lens};
use super::principals;
use super::AccessCheckPolicyType;
use crate::policy::{Effect, Policy, Statement};
use crate::principal::Principal;

/// The callers of one check, and the pattern lens its comparisons share.
pub struct Scope {
    /// Resource policies: the witnesses of every policy compared. Identity
    /// policies name no principal: one caller stands for all.
    pub callers: Vec<Principal>,
    kind: AccessCheckPolicyType,
    pub lens: Lens,
}

impl Scope {
    pub fn new(kind: AccessCheckPolicyType, policies: &[&Policy]) -> Scope {
        let callers = match kind {
            AccessCheckPolicyType::Identity => vec![Principal::anonymous()],
            AccessCheckPolicyType::Resource => principals::witnesses(policies),
        };
        Scope {
            callers,
            kind,
            lens: Lens::default(),
        }
    }

    /// One policy, read for this scope.
    pub fn side<'p>(&self, policy: &'p Policy) -> Side<'p> {
        let reach = policy
            .statements
            .iter()
            .map(|s| {
                self.callers
                    .iter()
                    .map(|caller| match self.kind {
                        // The evaluator does not read a Principal in an
                        // identity policy.
                        AccessCheckPolicyType::Identity => true,
                        AccessCheckPolicyType::Resource => principals::reaches(s, caller),
                    })
                    .collect()
            })
            .collect();
        Side { policy, reach }
    }
}

/// A policy with, for each statement, the callers (by index into
/// [`Scope::callers`]) it reaches.
pub struct Side<'p> {
    pub policy: &'p Policy,
    reach: Vec<Vec<bool>>,
}

impl<'p> Side<'p> {
    fn substitute(&self) -> bool {
        self.policy.substitutes_variables()
    }

    /// The statements of one effect, with their index.
    pub fn statements(&self, effect: Effect) -> impl Iterator<Item = (usize, &'p Statement)> + '_ {
        self.policy
            .statements
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.effect == effect)
    }

    pub fn reaches(&self, statement: usize, caller: usize) -> bool {
        self.reach[statement][caller]
    }

    /// Statement `index` split into atoms.
    pub fn atoms(&self, index: usize) -> Vec<Atom<'p>> {
        Atom::split(&self.policy.statements[index], self.substitute())
    }

    /// Statement `index` whole.
    pub fn whole(&self, index: usize) -> Atom<'p> {
        Atom::whole(&self.policy.statements[index], self.substitute())
    }

    /// Does a `Deny` of this policy take back all of `atom` for `caller`?
    pub fn denies_all(&self, lens: &Lens, atom: &Atom<'_>, caller: usize) -> bool {
        self.statements(Effect::Deny)
            .any(|(d, _)| self.reaches(d, caller) && lens.within(atom, &self.whole(d)))
    }
}
