//! The policy document as data: what a parsed IAM policy holds.
//!
//! Element names follow the IAM JSON policy reference. Parsing lives in
//! [`crate::parse`]; matching a statement against a request lives in
//! [`crate::statement`].

use crate::condition::Operator;
use serde::Serialize;

/// The policy language version (`Version` element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// `2012-10-17`: the current language; policy variables are substituted.
    #[serde(rename = "2012-10-17")]
    V2012_10_17,
    /// `2008-10-17`: the old language; `${…}` is literal text.
    #[serde(rename = "2008-10-17")]
    V2008_10_17,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// A whole policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `None` when the document has no `Version` (then, as in AWS, the old
    /// language applies and policy variables are not substituted).
    pub version: Option<Version>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Are `${…}` policy variables substituted in this document?
    pub fn substitutes_variables(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }

    /// The context keys the document reads: every condition's key, and the
    /// key of every policy variable in `Resource`/`NotResource` and in
    /// condition values (when the document's version substitutes them). As
    /// written, in the order they first appear; a key is listed once,
    /// whatever its case (keys are case-insensitive).
    pub fn context_keys(&self) -> Vec<&str> {
        fn add<'a>(key: &'a str, out: &mut Vec<&'a str>) {
            if !out.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                out.push(key);
            }
        }
        let mut out = Vec::new();
        let variables = self.substitutes_variables();
        for statement in &self.statements {
            if variables {
                let resources = statement.resource.iter().flat_map(|r| &r.items);
                for key in resources.flat_map(|r| crate::variables::keys(r)) {
                    add(key, &mut out);
                }
            }
            for condition in &statement.conditions {
                add(&condition.key, &mut out);
                if variables {
                    for key in condition.values.iter().flat_map(|v| crate::variables::keys(v)) {
                        add(key, &mut out);
                    }
                }
            }
        }
        out
    }
}

/// `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A list element that may be negated: `Action`/`NotAction`,
/// `Resource`/`NotResource`, `Principal`/`NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<T> {
    /// `true` for the `Not…` form: the statement applies to everything
    /// except what is listed.
    pub negated: bool,
    pub items: T,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// `Principal`/`NotPrincipal`; only resource-based policies have one.
    pub principal: Option<Listed<PrincipalSet>>,
    /// `Action`/`NotAction` patterns such as `s3:Get*`.
    pub action: Listed<Vec<String>>,
    /// `Resource`/`NotResource` ARN patterns; trust policies have none.
    pub resource: Option<Listed<Vec<String>>>,
    /// `Condition`: every clause must hold.
    pub conditions: Vec<Condition>,
}

/// The principals named in a `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrincipalSet {
    /// `"Principal": "*"`: everyone, including anonymous callers.
    pub everyone: bool,
    /// `AWS`: account ids, root/user/role/session ARNs, or `*`.
    pub aws: Vec<String>,
    /// `Service`: service principals such as `ec2.amazonaws.com`.
    pub service: Vec<String>,
    /// `Federated`: identity providers.
    pub federated: Vec<String>,
    /// `CanonicalUser`: S3 canonical user ids.
    pub canonical_user: Vec<String>,
}

/// One condition: operator, key and the values to compare with.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    /// The key as written in the policy (keys are case-insensitive).
    pub key: String,
    /// Values as strings; JSON numbers and booleans are stringified as IAM does.
    pub values: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::Policy;

    #[test]
    fn context_keys_are_conditions_and_variables_once_each() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*",
               "Condition":{"StringEquals":{"aws:PrincipalTag/team":"${aws:PrincipalTag/dept}"},
                            "Bool":{"AWS:SecureTransport":"true"}}},
              {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:securetransport":"false"}}}]}"#,
        )
        .unwrap();
        let mut keys = policy.context_keys();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "AWS:SecureTransport",
                "aws:PrincipalTag/dept",
                "aws:PrincipalTag/team",
                "aws:username"
            ]
        );
        // The old language reads `${…}` as text.
        let old = Policy::parse(
            r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}"#,
        )
        .unwrap();
        assert!(old.context_keys().is_empty());
    }
}
