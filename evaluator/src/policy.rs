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
