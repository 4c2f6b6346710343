//! IAM Access Analyzer's state: analyzers (with their archive rules,
//! findings, analyzed resources and access previews) and policy generation
//! jobs. Persisted one record per analyzer (`analyzer/ARN`) and per job
//! (`policy-generation/JOB`), see [`crate::store`].
//!
//! Findings are not stored as AWS would compute them in the background:
//! they are reconciled with the rest of the state when Access Analyzer is
//! asked about them ([`crate::services::access_analyzer`]), and what is kept
//! here is what must survive that: ids, statuses and timestamps.

use super::tracked::Tracked;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Everything Access Analyzer keeps.
#[derive(Debug, Default)]
pub struct AccessAnalyzer {
    /// By analyzer ARN.
    pub analyzers: Tracked<String, Analyzer>,
    /// Policy generation jobs, by job id.
    pub generations: Tracked<String, PolicyGeneration>,
}

impl AccessAnalyzer {
    pub fn clear(&mut self) {
        self.analyzers.clear();
        self.generations.clear();
    }

    pub fn is_touched(&self) -> bool {
        self.analyzers.is_touched() || self.generations.is_touched()
    }

    /// The analyzer of `account` in `region` named `name`.
    pub fn find(&self, account: &str, region: &str, name: &str) -> Option<&Analyzer> {
        self.analyzers.get(&analyzer_arn(region, account, name))
    }
}

/// `arn:aws:access-analyzer:REGION:ACCOUNT:analyzer/NAME`.
pub fn analyzer_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:access-analyzer:{region}:{account}:analyzer/{name}")
}

/// One analyzer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Analyzer {
    pub arn: String,
    pub name: String,
    pub account: String,
    pub region: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, …
    pub kind: String,
    pub created: OffsetDateTime,
    pub tags: BTreeMap<String, String>,
    /// `configuration` as given (the unused-access age and exclusions, …).
    pub configuration: Option<serde_json::Value>,
    /// Set for service-linked analyzers.
    pub managed_by: Option<String>,
    /// The resource analyzed last, and when.
    pub last_analyzed: Option<(String, OffsetDateTime)>,
    pub archive_rules: BTreeMap<String, ArchiveRule>,
    /// By finding id.
    pub findings: BTreeMap<String, Finding>,
    /// By resource ARN.
    pub resources: BTreeMap<String, AnalyzedResource>,
    /// By access preview id.
    pub previews: BTreeMap<String, AccessPreview>,
    /// Recommendations asked for, by finding id.
    pub recommendations: BTreeMap<String, Recommendation>,
}

impl Analyzer {
    /// Does this analyzer look for unused access (rather than external)?
    pub fn unused_access(&self) -> bool {
        self.kind.ends_with("_UNUSED_ACCESS")
    }

    /// Does it look for external access (`ACCOUNT`, `ORGANIZATION`)?
    pub fn external_access(&self) -> bool {
        matches!(self.kind.as_str(), "ACCOUNT" | "ORGANIZATION")
    }
}

/// A filter: criteria by key (`resourceType`, `principal.AWS`, …), all of
/// which a finding must meet.
pub type Filter = BTreeMap<String, Criterion>;

/// One criterion of a filter (`Criterion`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eq: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neq: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveRule {
    pub name: String,
    pub filter: Filter,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
}

/// `ACTIVE`, `ARCHIVED` or `RESOLVED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FindingStatus {
    #[serde(rename = "ACTIVE")]
    Active,
    #[serde(rename = "ARCHIVED")]
    Archived,
    #[serde(rename = "RESOLVED")]
    Resolved,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Active => "ACTIVE",
            FindingStatus::Archived => "ARCHIVED",
            FindingStatus::Resolved => "RESOLVED",
        }
    }
}

/// What a finding reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "findingType")]
pub enum Access {
    /// A principal outside the zone of trust may act on the resource.
    ExternalAccess {
        /// `{"AWS": "111122223333"}`, `{"AWS": "*"}`, `{"Federated": …}`.
        principal: BTreeMap<String, String>,
        action: Vec<String>,
        condition: BTreeMap<String, String>,
        is_public: bool,
        /// `POLICY`, `BUCKET_ACL`, …
        sources: Vec<String>,
    },
    UnusedIAMRole {
        last_accessed: Option<OffsetDateTime>,
    },
    UnusedIAMUserAccessKey {
        access_key_id: String,
        last_accessed: Option<OffsetDateTime>,
    },
    UnusedIAMUserPassword {
        last_accessed: Option<OffsetDateTime>,
    },
    UnusedPermission {
        service_namespace: String,
        /// Unused actions (without the service prefix), with their last use.
        actions: Vec<(String, Option<OffsetDateTime>)>,
        last_accessed: Option<OffsetDateTime>,
    },
}

impl Access {
    /// `findingType` as the API names it.
    pub fn finding_type(&self) -> &'static str {
        match self {
            Access::ExternalAccess { .. } => "ExternalAccess",
            Access::UnusedIAMRole { .. } => "UnusedIAMRole",
            Access::UnusedIAMUserAccessKey { .. } => "UnusedIAMUserAccessKey",
            Access::UnusedIAMUserPassword { .. } => "UnusedIAMUserPassword",
            Access::UnusedPermission { .. } => "UnusedPermission",
        }
    }

    /// What identifies the access a finding reports, so that the same
    /// access found again is the same finding (its last-use times and
    /// unused action lists may change without making it another finding).
    pub fn identity(&self) -> String {
        match self {
            Access::ExternalAccess {
                principal,
                condition,
                is_public,
                ..
            } => serde_json::json!(["ExternalAccess", principal, condition, is_public]).to_string(),
            Access::UnusedIAMUserAccessKey { access_key_id, .. } => {
                format!("UnusedIAMUserAccessKey {access_key_id}")
            }
            Access::UnusedPermission {
                service_namespace, ..
            } => format!("UnusedPermission {service_namespace}"),
            other => other.finding_type().to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub resource: String,
    pub resource_type: String,
    pub resource_owner_account: String,
    pub access: Access,
    pub status: FindingStatus,
    pub created: OffsetDateTime,
    pub analyzed: OffsetDateTime,
    pub updated: OffsetDateTime,
}

/// A resource an analyzer looked at (`AnalyzedResource`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyzedResource {
    pub arn: String,
    pub resource_type: String,
    pub owner: String,
    pub created: OffsetDateTime,
    pub analyzed: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub is_public: bool,
    pub actions: Vec<String>,
    pub shared_via: Vec<String>,
}

/// One access preview and the findings it computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessPreview {
    pub id: String,
    pub configurations: serde_json::Value,
    pub created: OffsetDateTime,
    /// `COMPLETED` or `FAILED`.
    pub status: String,
    /// With `FAILED`: `INVALID_CONFIGURATION` or `INTERNAL_ERROR`.
    pub status_reason: Option<String>,
    pub findings: Vec<PreviewFinding>,
}

/// A finding an access preview would produce.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviewFinding {
    pub id: String,
    pub resource: String,
    pub resource_type: String,
    pub resource_owner_account: String,
    pub access: Access,
    /// The status the finding would have.
    pub status: FindingStatus,
    /// `NEW`, `UNCHANGED` or `CHANGED`.
    pub change_type: String,
    pub existing: Option<(String, FindingStatus)>,
    pub created: OffsetDateTime,
}

/// A recommendation for an unused-permission finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recommendation {
    pub resource: String,
    pub started: OffsetDateTime,
    pub completed: OffsetDateTime,
    /// The recommended policy, when one could be made.
    pub policy: Option<String>,
    pub error: Option<(String, String)>,
}

/// A policy generation job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyGeneration {
    pub job_id: String,
    /// The account that started it.
    pub account: String,
    pub principal_arn: String,
    /// `SUCCEEDED`, `FAILED`, `CANCELED` (`IN_PROGRESS` is never seen: the
    /// observations are at hand, so jobs finish when started).
    pub status: String,
    pub started: OffsetDateTime,
    pub completed: Option<OffsetDateTime>,
    /// `cloudTrailDetails` as given.
    pub cloud_trail: Option<serde_json::Value>,
    pub window: (Option<OffsetDateTime>, Option<OffsetDateTime>),
    /// The generated policy's text, when anything was observed.
    pub policy: Option<String>,
}
