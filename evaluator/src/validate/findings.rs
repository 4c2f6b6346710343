//! Access Analyzer's findings as data: finding types, issue codes, the
//! location of each in the policy text, and the wire shape of
//! `ValidatePolicy`'s reply (Access Analyzer API reference:
//! `ValidatePolicyFinding`, `Location`, `PathElement`, `Span`, `Position`;
//! `ValidatePolicyFindingType`: ERROR, SECURITY_WARNING, SUGGESTION,
//! WARNING; `PolicyType`: IDENTITY_POLICY, RESOURCE_POLICY,
//! SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY;
//! `ValidatePolicyResourceType`).

use super::json_span::Span;
use serde_json::{json, Value};

/// The issue code of the emulator's own check: an action whose resource
/// types none of its statement's resources can name (`s3:ListBucket` on
/// `arn:aws:s3:::b/*`). Access Analyzer has no such check.
pub const EMULATOR_RESOURCE_TYPE_MISMATCH: &str = "EMULATOR_RESOURCE_TYPE_MISMATCH";

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingType {
    /// A part of the policy is not functional.
    Error,
    /// The policy allows access AWS considers overly permissive.
    SecurityWarning,
    /// The policy does not follow policy-writing best practice.
    Warning,
    /// A stylistic improvement that does not change access.
    Suggestion,
}

impl FindingType {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingType::Error => "ERROR",
            FindingType::SecurityWarning => "SECURITY_WARNING",
            FindingType::Warning => "WARNING",
            FindingType::Suggestion => "SUGGESTION",
        }
    }

    /// The heading part of the reference's anchors (`…-checks-error-…`).
    fn anchor(self) -> &'static str {
        match self {
            FindingType::Error => "error",
            FindingType::SecurityWarning => "security-warning",
            FindingType::Warning => "general-warning",
            FindingType::Suggestion => "suggestion",
        }
    }
}

/// One step of the path to a finding: an element name (`value`), an
/// array position (`index`) or an object key (`key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathElement {
    Value(String),
    Index(usize),
    Key(String),
}

impl PathElement {
    fn to_json(&self) -> Value {
        match self {
            PathElement::Value(v) => json!({ "value": v }),
            PathElement::Index(i) => json!({ "index": i }),
            PathElement::Key(k) => json!({ "key": k }),
        }
    }
}

/// Where a finding is: the path into the document and the text's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: Vec<PathElement>,
    pub span: Span,
}

impl Location {
    fn to_json(&self) -> Value {
        let pos = |p: super::json_span::Pos| json!({"line": p.line, "column": p.column, "offset": p.offset});
        json!({
            "path": self.path.iter().map(PathElement::to_json).collect::<Vec<_>>(),
            "span": {"start": pos(self.span.start), "end": pos(self.span.end)},
        })
    }
}

/// One finding of `ValidatePolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub finding_type: FindingType,
    pub issue_code: &'static str,
    pub details: String,
    pub learn_more_link: String,
    pub locations: Vec<Location>,
}

impl Finding {
    pub(crate) fn new(finding_type: FindingType, issue_code: &'static str, details: String) -> Self {
        Finding {
            finding_type,
            issue_code,
            details,
            learn_more_link: learn_more_link(finding_type, issue_code),
            locations: Vec::new(),
        }
    }

    /// The finding as `ValidatePolicy` returns it.
    pub fn to_json(&self) -> Value {
        json!({
            "findingDetails": self.details,
            "findingType": self.finding_type.as_str(),
            "issueCode": self.issue_code,
            "learnMoreLink": self.learn_more_link,
            "locations": self.locations.iter().map(Location::to_json).collect::<Vec<_>>(),
        })
    }
}

/// The reference page's anchor for a check, or (for the emulator's own
/// check) the Service Authorization Reference, which lists resource types.
fn learn_more_link(finding_type: FindingType, code: &str) -> String {
    if code == EMULATOR_RESOURCE_TYPE_MISMATCH {
        return "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html".into();
    }
    format!(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-{}-{}",
        finding_type.anchor(),
        code.to_ascii_lowercase().replace('_', "-")
    )
}

/// `policyType`: which kind of policy is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Identity,
    Resource,
    ServiceControl,
}

impl PolicyKind {
    /// Reads the API's spelling (`IDENTITY_POLICY`, …).
    pub fn parse(text: &str) -> Option<PolicyKind> {
        match text {
            "IDENTITY_POLICY" => Some(PolicyKind::Identity),
            "RESOURCE_POLICY" => Some(PolicyKind::Resource),
            "SERVICE_CONTROL_POLICY" => Some(PolicyKind::ServiceControl),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "IDENTITY_POLICY",
            PolicyKind::Resource => "RESOURCE_POLICY",
            PolicyKind::ServiceControl => "SERVICE_CONTROL_POLICY",
        }
    }
}

/// `validatePolicyResourceType`: what a resource policy is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourcePolicyType {
    S3Bucket,
    S3AccessPoint,
    S3MultiRegionAccessPoint,
    S3ObjectLambdaAccessPoint,
    RoleTrust,
    DynamoDbTable,
}

impl ResourcePolicyType {
    const ALL: [ResourcePolicyType; 6] = [
        ResourcePolicyType::S3Bucket,
        ResourcePolicyType::S3AccessPoint,
        ResourcePolicyType::S3MultiRegionAccessPoint,
        ResourcePolicyType::S3ObjectLambdaAccessPoint,
        ResourcePolicyType::RoleTrust,
        ResourcePolicyType::DynamoDbTable,
    ];

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourcePolicyType::S3Bucket => "AWS::S3::Bucket",
            ResourcePolicyType::S3AccessPoint => "AWS::S3::AccessPoint",
            ResourcePolicyType::S3MultiRegionAccessPoint => "AWS::S3::MultiRegionAccessPoint",
            ResourcePolicyType::S3ObjectLambdaAccessPoint => "AWS::S3ObjectLambda::AccessPoint",
            ResourcePolicyType::RoleTrust => "AWS::IAM::AssumeRolePolicyDocument",
            ResourcePolicyType::DynamoDbTable => "AWS::DynamoDB::Table",
        }
    }

    pub fn parse(text: &str) -> Option<ResourcePolicyType> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// The service prefixes whose actions such a policy may name.
    pub(crate) fn action_services(self) -> &'static [&'static str] {
        match self {
            ResourcePolicyType::S3Bucket
            | ResourcePolicyType::S3AccessPoint
            | ResourcePolicyType::S3MultiRegionAccessPoint => &["s3"],
            ResourcePolicyType::S3ObjectLambdaAccessPoint => &["s3-object-lambda"],
            ResourcePolicyType::RoleTrust => &["sts"],
            ResourcePolicyType::DynamoDbTable => &["dynamodb"],
        }
    }

    /// The ARN service its `Resource` entries must name.
    pub(crate) fn arn_service(self) -> &'static str {
        match self {
            ResourcePolicyType::S3ObjectLambdaAccessPoint => "s3-object-lambda",
            ResourcePolicyType::DynamoDbTable => "dynamodb",
            ResourcePolicyType::RoleTrust => "iam",
            _ => "s3",
        }
    }
}
