//! IAM Access Analyzer's custom policy checks, decided by this crate's own
//! semantics: `CheckNoNewAccess`, `CheckAccessNotGranted` and
//! `CheckNoPublicAccess` (Access Analyzer API reference; result, message and
//! reasons worded as AWS words them).
//!
//! What a policy *grants* is the set of requests some `Allow` statement
//! applies to and no `Deny` statement applies to — for a resource policy,
//! requests whose caller its `Principal` reaches; for an identity policy,
//! the caller's own requests. The checks compare such sets by what their
//! patterns can match ([`language`]), by what their conditions imply
//! ([`conditions`]) and by whom their principal elements reach, asked of the
//! evaluator on witness callers ([`principals`]); never by comparing text.
//!
//! Every answer is **sound**: PASS is said only when it is proved.
//! - `CheckNoNewAccess` passes when every request the new policy grants the
//!   existing one grants too. A condition in the new policy that could be
//!   satisfied counts as granting; a condition in the existing policy counts
//!   only where a new condition implies it.
//! - `CheckAccessNotGranted` passes when no request for a listed action (on
//!   any resource) or on a listed resource (by any action), or both when
//!   both are listed, is granted — a grant under a condition counts.
//! - `CheckNoPublicAccess` passes when no statement grants public access as
//!   [`crate::public`] defines it (the one statement of that rule), unless a
//!   `Deny` takes back every request the statement grants.
//!
//! [`external`] answers the question behind Access Analyzer's external
//! access findings with the same machinery: which callers outside a zone of
//! trust a resource policy lets in.
//!
//! When a question is too hard to settle (a pattern search gives up), the
//! check answers FAIL.

pub mod conditions;
pub mod external;
pub mod grants;
pub mod language;
mod new_access;
mod not_granted;
pub mod principals;
mod public_access;
mod scope;

pub use external::{external_grants, ExternalGrant};
pub use new_access::check_no_new_access;
pub use not_granted::check_access_not_granted;
pub use public_access::check_no_public_access;

use serde::Serialize;

/// `policyType` of the checks: `IDENTITY_POLICY` or `RESOURCE_POLICY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccessCheckPolicyType {
    #[serde(rename = "IDENTITY_POLICY")]
    Identity,
    #[serde(rename = "RESOURCE_POLICY")]
    Resource,
}

impl AccessCheckPolicyType {
    /// Every value, as botocore's `AccessCheckPolicyType` lists them.
    pub const NAMES: &'static [&'static str] = &["IDENTITY_POLICY", "RESOURCE_POLICY"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "IDENTITY_POLICY" => Some(Self::Identity),
            "RESOURCE_POLICY" => Some(Self::Resource),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "IDENTITY_POLICY",
            Self::Resource => "RESOURCE_POLICY",
        }
    }
}

/// `resourceType` of `CheckNoPublicAccess`: botocore's
/// `AccessCheckResourceType` enum. One rule of public-ness
/// ([`crate::public`]) serves them all.
pub const RESOURCE_TYPES: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::Stream",
    "AWS::EFS::FileSystem",
    "AWS::OpenSearchService::Domain",
    "AWS::Kinesis::Stream",
    "AWS::Kinesis::StreamConsumer",
    "AWS::KMS::Key",
    "AWS::Lambda::Function",
    "AWS::S3::Bucket",
    "AWS::S3::AccessPoint",
    "AWS::S3Express::DirectoryBucket",
    "AWS::S3::Glacier",
    "AWS::S3Outposts::Bucket",
    "AWS::S3Outposts::AccessPoint",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::IAM::AssumeRolePolicyDocument",
    "AWS::S3Tables::TableBucket",
    "AWS::ApiGateway::RestApi",
    "AWS::CodeArtifact::Domain",
    "AWS::Backup::BackupVault",
    "AWS::CloudTrail::Dashboard",
    "AWS::CloudTrail::EventDataStore",
    "AWS::S3Tables::Table",
    "AWS::S3Express::AccessPoint",
];

/// The access `CheckAccessNotGranted` asks about. Either list may be empty
/// (not both): no actions means any action, no resources any resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

/// `PASS` or `FAIL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    #[serde(rename = "PASS")]
    Pass,
    #[serde(rename = "FAIL")]
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        }
    }
}

/// One statement behind a FAIL (`ReasonSummary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub description: String,
    /// 0-based position of the statement in its policy.
    pub statement_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
}

/// A check's answer: `{result, message, reasons}` as the API returns it
/// (no `reasons` on PASS, as in AWS's examples).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub result: Verdict,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
}

impl CheckResult {
    pub fn passed(&self) -> bool {
        self.result == Verdict::Pass
    }

    /// The reply body of the API operation.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// PASS with `pass`, or FAIL with `fail` and one reason per statement
    /// (in policy order), each `"{lead} sid: X."` (`lead` ends "… the
    /// statement with") — or `index: N` for a statement without a `Sid`.
    fn from_statements(
        statements: &[usize],
        policy: &crate::Policy,
        pass: &str,
        fail: &str,
        lead: &str,
    ) -> CheckResult {
        if statements.is_empty() {
            return CheckResult {
                result: Verdict::Pass,
                message: pass.into(),
                reasons: Vec::new(),
            };
        }
        let reasons = statements
            .iter()
            .map(|&index| {
                let sid = policy.statements[index].sid.clone();
                let at = match &sid {
                    Some(sid) => format!("sid: {sid}"),
                    None => format!("index: {index}"),
                };
                Reason {
                    description: format!("{lead} {at}."),
                    statement_index: index,
                    statement_id: sid,
                }
            })
            .collect();
        CheckResult {
            result: Verdict::Fail,
            message: fail.into(),
            reasons,
        }
    }
}
