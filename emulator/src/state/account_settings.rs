//! An account's IAM settings that are not entities: outbound web identity
//! federation (EnableOutboundWebIdentityFederation), the version of the
//! session tokens STS's global endpoint issues
//! (SetSecurityTokenServicePreferences), and the deletion tasks of
//! service-linked roles (DeleteServiceLinkedRole). They persist with the
//! account's record; older records without them load with the defaults.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The account's settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountSettings {
    /// Outbound web identity federation: the account's issuer, once the
    /// feature was first enabled, and whether it is on now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_federation: Option<OutboundFederation>,
    /// `v2Token` when set so; absent, STS's global endpoint issues version
    /// 1 tokens (AWS's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_endpoint_token_version: Option<TokenVersion>,
    /// Service-linked role deletion tasks, by task id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deletion_tasks: BTreeMap<String, DeletionTask>,
}

impl AccountSettings {
    /// The issuer URL of the account's web identity tokens while outbound
    /// federation is enabled (STS GetWebIdentityToken may issue tokens
    /// only then); `None` when it is disabled or was never enabled.
    pub fn outbound_federation_issuer(&self) -> Option<&str> {
        self.outbound_federation
            .as_ref()
            .filter(|f| f.enabled)
            .map(|f| f.issuer.as_str())
    }

    /// The global endpoint's token version: 1 unless set to 2.
    pub fn token_version(&self) -> TokenVersion {
        self.global_endpoint_token_version.unwrap_or(TokenVersion::V1)
    }
}

/// The account's outbound web identity federation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundFederation {
    /// `https://UUID.tokens.sts.global.api.aws`: kept when the feature is
    /// disabled, so enabling it again gives the same issuer.
    pub issuer: String,
    pub enabled: bool,
}

/// The version of the session tokens STS's global endpoint issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenVersion {
    V1,
    V2,
}

impl TokenVersion {
    /// As SetSecurityTokenServicePreferences takes it (`v1Token`, `v2Token`).
    pub fn parse(text: &str) -> Option<TokenVersion> {
        match text {
            "v1Token" => Some(TokenVersion::V1),
            "v2Token" => Some(TokenVersion::V2),
            _ => None,
        }
    }

    /// As GetAccountSummary's `GlobalEndpointTokenVersion` counts it.
    pub fn number(self) -> usize {
        match self {
            TokenVersion::V1 => 1,
            TokenVersion::V2 => 2,
        }
    }
}

/// One DeleteServiceLinkedRole task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeletionTask {
    /// The role's ARN.
    pub role_arn: String,
    pub submitted: OffsetDateTime,
    pub status: DeletionStatus,
}

/// GetServiceLinkedRoleDeletionStatus's `Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeletionStatus {
    Succeeded,
    InProgress,
    Failed,
    NotStarted,
}

impl DeletionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionStatus::Succeeded => "SUCCEEDED",
            DeletionStatus::InProgress => "IN_PROGRESS",
            DeletionStatus::Failed => "FAILED",
            DeletionStatus::NotStarted => "NOT_STARTED",
        }
    }
}
