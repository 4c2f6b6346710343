//! The policy grammar's names, stated once: the elements of a policy
//! document and of a statement, the elements that have a `Not…` form, and
//! the principal types of a `Principal` element. Parsing ([`crate::parse`]),
//! JSON output and both validators ([`crate::validate`]) read them here.
//!
//! Source: IAM User Guide, "IAM JSON policy element reference" and "Grammar
//! of the IAM JSON policy language".

/// `Version`: the policy language version.
pub const VERSION: &str = "Version";
/// `Id`: an optional policy identifier.
pub const ID: &str = "Id";
/// `Statement`: one statement or an array of them.
pub const STATEMENT: &str = "Statement";
/// The elements of a policy document, in the order AWS writes them.
pub const POLICY_ELEMENTS: [&str; 3] = [VERSION, ID, STATEMENT];

pub const SID: &str = "Sid";
pub const EFFECT: &str = "Effect";
pub const PRINCIPAL: &str = "Principal";
pub const NOT_PRINCIPAL: &str = "NotPrincipal";
pub const ACTION: &str = "Action";
pub const NOT_ACTION: &str = "NotAction";
pub const RESOURCE: &str = "Resource";
pub const NOT_RESOURCE: &str = "NotResource";
pub const CONDITION: &str = "Condition";
/// The elements of a statement, in the order AWS writes them.
pub const STATEMENT_ELEMENTS: [&str; 9] = [
    SID,
    EFFECT,
    PRINCIPAL,
    NOT_PRINCIPAL,
    ACTION,
    NOT_ACTION,
    RESOURCE,
    NOT_RESOURCE,
    CONDITION,
];

/// A statement element that has a `Not…` form; a statement holds at most
/// one of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Negatable {
    Principal,
    Action,
    Resource,
}

impl Negatable {
    pub const ALL: [Negatable; 3] = [Negatable::Principal, Negatable::Action, Negatable::Resource];

    /// The positive form: `Principal`, `Action`, `Resource`.
    pub fn name(self) -> &'static str {
        match self {
            Negatable::Principal => PRINCIPAL,
            Negatable::Action => ACTION,
            Negatable::Resource => RESOURCE,
        }
    }

    /// The negated form: `NotPrincipal`, `NotAction`, `NotResource`.
    pub fn negated_name(self) -> &'static str {
        match self {
            Negatable::Principal => NOT_PRINCIPAL,
            Negatable::Action => NOT_ACTION,
            Negatable::Resource => NOT_RESOURCE,
        }
    }

    /// The element's name in the form `negated` says.
    pub fn named(self, negated: bool) -> &'static str {
        if negated {
            self.negated_name()
        } else {
            self.name()
        }
    }

    /// Which element `name` is, and whether it is the `Not…` form.
    pub fn of(name: &str) -> Option<(Negatable, bool)> {
        Negatable::ALL.into_iter().find_map(|e| {
            if name == e.name() {
                Some((e, false))
            } else if name == e.negated_name() {
                Some((e, true))
            } else {
                None
            }
        })
    }
}

/// `AWS`: accounts, users, roles, sessions, federated users, or `*`.
pub const AWS: &str = "AWS";
/// `Service`: service principals such as `ec2.amazonaws.com`.
pub const SERVICE: &str = "Service";
/// `Federated`: web-identity and SAML providers.
pub const FEDERATED: &str = "Federated";
/// `CanonicalUser`: S3 canonical user ids.
pub const CANONICAL_USER: &str = "CanonicalUser";
/// The principal types a `Principal` object may hold.
pub const PRINCIPAL_TYPES: [&str; 4] = [AWS, SERVICE, FEDERATED, CANONICAL_USER];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_negatable_element_is_a_statement_element_in_both_forms() {
        for e in Negatable::ALL {
            for negated in [false, true] {
                let name = e.named(negated);
                assert!(STATEMENT_ELEMENTS.contains(&name), "{name}");
                assert_eq!(Negatable::of(name), Some((e, negated)));
            }
        }
        assert_eq!(Negatable::of("Effect"), None);
        assert_eq!(Negatable::of("notaction"), None);
    }
}
