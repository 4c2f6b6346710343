//! IAM temporary delegation requests: a partner's request for temporary
//! access to a customer's account (CreateDelegationRequest), which the
//! customer associates, reviews, accepts or rejects, and whose token it
//! finally sends. A request is kept in its requestor's (the partner's)
//! account record, by id; the customer's calls change it there.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A delegation request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DelegationRequest {
    pub id: String,
    /// The partner's account.
    pub requestor_account: String,
    /// The partner's friendly name, when it has one (its account alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requestor_name: Option<String>,
    /// The customer account the request is meant for, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_account: Option<String>,
    /// The identity that associated the request (AssociateDelegationRequest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// The identity that accepted it (AcceptDelegationRequest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver_id: Option<String>,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_message: Option<String>,
    pub template_arn: String,
    /// The template's parameters as given: name, type, values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<PolicyParameter>,
    /// The template with the parameters substituted: the permissions asked for.
    pub permission_policy: String,
    /// Permissions boundaries the policy requires of roles it creates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundary_arns: Vec<String>,
    pub workflow_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    pub notification_channel: String,
    /// Seconds.
    pub session_duration: i64,
    pub only_send_by_owner: bool,
    pub state: DelegationState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub expires: OffsetDateTime,
}

/// One template parameter (`Permissions.Parameters.member.N`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyParameter {
    pub name: String,
    /// `string` or `stringList`.
    pub kind: String,
    pub values: Vec<String>,
}

/// Where a request is in its lifecycle (IAM User Guide, "Understanding
/// the Request Lifecycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DelegationState {
    Unassigned,
    Assigned,
    PendingApproval,
    Accepted,
    Finalized,
    Rejected,
    Expired,
}

impl DelegationState {
    /// As the API writes it (`PENDING_APPROVAL`).
    pub fn as_str(self) -> &'static str {
        match self {
            DelegationState::Unassigned => "UNASSIGNED",
            DelegationState::Assigned => "ASSIGNED",
            DelegationState::PendingApproval => "PENDING_APPROVAL",
            DelegationState::Accepted => "ACCEPTED",
            DelegationState::Finalized => "FINALIZED",
            DelegationState::Rejected => "REJECTED",
            DelegationState::Expired => "EXPIRED",
        }
    }
}

impl DelegationRequest {
    /// Its state at `now`: a request past its expiry that was never
    /// finalized has expired.
    pub fn state_at(&self, now: OffsetDateTime) -> DelegationState {
        match self.state {
            DelegationState::Finalized | DelegationState::Expired => self.state,
            _ if now >= self.expires => DelegationState::Expired,
            state => state,
        }
    }

    /// The account its ARN names: the owner's once known, else `caller`'s
    /// (a request meant for no account yet may be read from any).
    pub fn arn_account<'a>(&'a self, caller: &'a str) -> &'a str {
        self.owner_account.as_deref().unwrap_or(caller)
    }
}
