//! AWS Organizations state: each organization with its root, its
//! organizational units, its accounts, its policies and where they are
//! attached, its invitations (handshakes), delegated administrators and
//! trusted services; and, worked out from them whenever they change (never
//! per request), each account's [`Membership`]: its organization, its path
//! (`o-…/r-…/ou-…/`, the value of `aws:PrincipalOrgPaths` and
//! `aws:ResourceOrgPaths`) and the SCP and RCP levels from the root down to
//! the account that bound it.
//!
//! The questions other parts of the emulator ask of an organization are
//! small functions here: [`Organizations::org_of`],
//! [`Organizations::is_management`], [`Organizations::is_delegated_admin`],
//! [`Organizations::membership`] (with the org id and path).
//!
//! As AWS Organizations documents it:
//! - "AWS Organizations attaches an AWS managed SCP policy named
//!   FullAWSAccess" to the root, every OU and every account when SCPs are
//!   enabled (and `RCPFullAWSAccess` likewise for RCPs), and to every OU and
//!   account created or joined later; disabling a policy type detaches its
//!   policies everywhere.
//! - SCPs bound the principals of member accounts, never the management
//!   account's; RCPs "don't affect resources in the management account".

use super::iam::Tags;
use super::tracked::Tracked;
use iam_evaluator::{NamedPolicy, Policy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};
use time::OffsetDateTime;

/// The id of the AWS managed SCP that allows everything.
pub const FULL_AWS_ACCESS: &str = "p-FullAWSAccess";
/// The id of the AWS managed RCP that allows everything.
pub const RCP_FULL_AWS_ACCESS: &str = "p-RCPFullAWSAccess";

/// The kinds of organization policy (botocore's `PolicyType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PolicyType {
    #[serde(rename = "SERVICE_CONTROL_POLICY")]
    ServiceControl,
    #[serde(rename = "RESOURCE_CONTROL_POLICY")]
    ResourceControl,
    #[serde(rename = "TAG_POLICY")]
    Tag,
    #[serde(rename = "BACKUP_POLICY")]
    Backup,
    #[serde(rename = "AISERVICES_OPT_OUT_POLICY")]
    AiServicesOptOut,
    #[serde(rename = "CHATBOT_POLICY")]
    Chatbot,
    #[serde(rename = "DECLARATIVE_POLICY_EC2")]
    DeclarativeEc2,
    #[serde(rename = "SECURITYHUB_POLICY")]
    SecurityHub,
    #[serde(rename = "INSPECTOR_POLICY")]
    Inspector,
    #[serde(rename = "UPGRADE_ROLLOUT_POLICY")]
    UpgradeRollout,
    #[serde(rename = "BEDROCK_POLICY")]
    Bedrock,
    #[serde(rename = "S3_POLICY")]
    S3,
    #[serde(rename = "NETWORK_SECURITY_DIRECTOR_POLICY")]
    NetworkSecurityDirector,
}

impl PolicyType {
    pub const ALL: [PolicyType; 13] = [
        PolicyType::ServiceControl,
        PolicyType::ResourceControl,
        PolicyType::Tag,
        PolicyType::Backup,
        PolicyType::AiServicesOptOut,
        PolicyType::Chatbot,
        PolicyType::DeclarativeEc2,
        PolicyType::SecurityHub,
        PolicyType::Inspector,
        PolicyType::UpgradeRollout,
        PolicyType::Bedrock,
        PolicyType::S3,
        PolicyType::NetworkSecurityDirector,
    ];

    /// The API's spelling (`SERVICE_CONTROL_POLICY`).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::ServiceControl => "SERVICE_CONTROL_POLICY",
            PolicyType::ResourceControl => "RESOURCE_CONTROL_POLICY",
            PolicyType::Tag => "TAG_POLICY",
            PolicyType::Backup => "BACKUP_POLICY",
            PolicyType::AiServicesOptOut => "AISERVICES_OPT_OUT_POLICY",
            PolicyType::Chatbot => "CHATBOT_POLICY",
            PolicyType::DeclarativeEc2 => "DECLARATIVE_POLICY_EC2",
            PolicyType::SecurityHub => "SECURITYHUB_POLICY",
            PolicyType::Inspector => "INSPECTOR_POLICY",
            PolicyType::UpgradeRollout => "UPGRADE_ROLLOUT_POLICY",
            PolicyType::Bedrock => "BEDROCK_POLICY",
            PolicyType::S3 => "S3_POLICY",
            PolicyType::NetworkSecurityDirector => "NETWORK_SECURITY_DIRECTOR_POLICY",
        }
    }

    pub fn parse(text: &str) -> Option<PolicyType> {
        PolicyType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// SCPs and RCPs take part in authorization; the others are
    /// management policies, only stored and inherited.
    pub fn is_authorization(self) -> bool {
        matches!(self, PolicyType::ServiceControl | PolicyType::ResourceControl)
    }

    /// The AWS managed policy attached everywhere when the type is enabled.
    pub fn default_policy(self) -> Option<&'static AwsManagedPolicy> {
        match self {
            PolicyType::ServiceControl => Some(&AWS_MANAGED[0]),
            PolicyType::ResourceControl => Some(&AWS_MANAGED[1]),
            _ => None,
        }
    }
}

/// The services whose resources RCPs apply to, by action prefix
/// (Organizations User Guide, "Resource control policies": "RCPs apply to
/// resources of the following AWS services": Amazon S3, AWS STS, AWS KMS,
/// Amazon SQS, AWS Secrets Manager, and since 2025 Amazon Cognito, Amazon
/// CloudWatch Logs, Amazon DynamoDB, Amazon ECR, Amazon OpenSearch
/// Serverless). Of the services the emulator serves: S3 and STS.
pub const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-idp",
    "cognito-identity",
    "logs",
    "dynamodb",
    "ecr",
    "aoss",
];

/// Whether RCPs apply to `action` (`service:Name`).
pub fn rcps_apply_to(action: &str) -> bool {
    let service = action.split_once(':').map_or(action, |(s, _)| s);
    RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
}

/// An AWS managed organization policy: the same in every organization.
#[derive(Debug)]
pub struct AwsManagedPolicy {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub kind: PolicyType,
    pub content: &'static str,
    pub parsed: LazyLock<Arc<Policy>>,
}

impl AwsManagedPolicy {
    /// `arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:organizations::aws:policy/{}/{}",
            self.kind.as_str().to_ascii_lowercase(),
            self.id
        )
    }
}

fn parse_managed(text: &str) -> Arc<Policy> {
    // The two documents below are constants that parse (a test checks).
    Arc::new(Policy::parse(text).unwrap_or(Policy {
        version: None,
        id: None,
        statements: Vec::new(),
    }))
}

const FULL_AWS_ACCESS_CONTENT: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const RCP_FULL_AWS_ACCESS_CONTENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// The AWS managed policies: `FullAWSAccess` and `RCPFullAWSAccess`.
pub static AWS_MANAGED: [AwsManagedPolicy; 2] = [
    AwsManagedPolicy {
        id: FULL_AWS_ACCESS,
        name: "FullAWSAccess",
        description: "Allows access to every operation",
        kind: PolicyType::ServiceControl,
        content: FULL_AWS_ACCESS_CONTENT,
        parsed: LazyLock::new(|| parse_managed(FULL_AWS_ACCESS_CONTENT)),
    },
    AwsManagedPolicy {
        id: RCP_FULL_AWS_ACCESS,
        name: "RCPFullAWSAccess",
        description: "Allows access to every operation",
        kind: PolicyType::ResourceControl,
        content: RCP_FULL_AWS_ACCESS_CONTENT,
        parsed: LazyLock::new(|| parse_managed(RCP_FULL_AWS_ACCESS_CONTENT)),
    },
];

/// The AWS managed policy with this id.
pub fn aws_managed(id: &str) -> Option<&'static AwsManagedPolicy> {
    AWS_MANAGED.iter().find(|p| p.id == id)
}

/// `ALL` or `CONSOLIDATED_BILLING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureSet {
    #[serde(rename = "ALL")]
    All,
    #[serde(rename = "CONSOLIDATED_BILLING")]
    ConsolidatedBilling,
}

impl FeatureSet {
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureSet::All => "ALL",
            FeatureSet::ConsolidatedBilling => "CONSOLIDATED_BILLING",
        }
    }
}

/// The root of an organization: the parent of everything in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Root {
    /// `r-` and 4 characters.
    pub id: String,
    pub name: String,
    /// The policy types enabled in the root.
    pub policy_types: BTreeSet<PolicyType>,
    pub tags: Tags,
}

/// An organizational unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unit {
    /// `ou-` + the root's 4 characters + `-` + 8 characters.
    pub id: String,
    pub name: String,
    /// The root or OU it is in.
    pub parent: String,
    pub tags: Tags,
}

/// How an account joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Joined {
    #[serde(rename = "CREATED")]
    Created,
    #[serde(rename = "INVITED")]
    Invited,
}

impl Joined {
    pub fn as_str(self) -> &'static str {
        match self {
            Joined::Created => "CREATED",
            Joined::Invited => "INVITED",
        }
    }
}

/// An account of an organization (the management account is one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub email: String,
    /// The root or OU it is in.
    pub parent: String,
    pub joined_method: Joined,
    pub joined: OffsetDateTime,
    /// Closed by CloseAccount (AWS keeps it listed, `SUSPENDED`, for 90 days).
    pub closed: bool,
    pub tags: Tags,
}

/// A policy of the organization (customer managed).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgPolicy {
    /// `p-` and 8 characters.
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: PolicyType,
    pub content: String,
    pub tags: Tags,
    /// The document as the evaluator reads it (SCPs and RCPs); parsed when
    /// written and when loaded.
    #[serde(skip)]
    pub parsed: Option<Arc<Policy>>,
}

/// A CreateAccount request and how it went (they succeed at once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateAccountRequest {
    /// `car-` and 10 characters.
    pub id: String,
    pub account_name: String,
    pub account_id: String,
    pub requested: OffsetDateTime,
}

/// The state of a handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandshakeState {
    #[serde(rename = "OPEN")]
    Open,
    #[serde(rename = "ACCEPTED")]
    Accepted,
    #[serde(rename = "DECLINED")]
    Declined,
    #[serde(rename = "CANCELED")]
    Canceled,
    #[serde(rename = "EXPIRED")]
    Expired,
}

impl HandshakeState {
    pub fn as_str(self) -> &'static str {
        match self {
            HandshakeState::Open => "OPEN",
            HandshakeState::Accepted => "ACCEPTED",
            HandshakeState::Declined => "DECLINED",
            HandshakeState::Canceled => "CANCELED",
            HandshakeState::Expired => "EXPIRED",
        }
    }
}

/// An invitation of an account to join the organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Handshake {
    /// `h-` and 10 characters.
    pub id: String,
    /// `ACCOUNT` or `EMAIL`.
    pub target_type: String,
    /// The account id or the email address invited.
    pub target: String,
    pub notes: Option<String>,
    pub state: HandshakeState,
    pub requested: OffsetDateTime,
    pub expires: OffsetDateTime,
    pub tags: Tags,
}

/// An account registered as delegated administrator of a service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delegation {
    pub account: String,
    /// `securityhub.amazonaws.com`, …
    pub service: String,
    pub since: OffsetDateTime,
}

/// The organization's resource policy (what member accounts may call).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourcePolicy {
    /// `rp-` and 8 characters.
    pub id: String,
    pub content: String,
    pub tags: Tags,
    #[serde(skip)]
    pub parsed: Option<Arc<Policy>>,
}

/// One organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organization {
    /// `o-` and 10 characters.
    pub id: String,
    /// The management account's id.
    pub management: String,
    pub feature_set: FeatureSet,
    pub created: OffsetDateTime,
    pub root: Root,
    /// By id.
    pub units: BTreeMap<String, Unit>,
    /// By account id; the management account included.
    pub accounts: BTreeMap<String, Member>,
    /// Customer managed policies, by id.
    pub policies: BTreeMap<String, OrgPolicy>,
    /// The policies attached to each target (root, OU or account id).
    pub attachments: BTreeMap<String, BTreeSet<String>>,
    pub create_requests: Vec<CreateAccountRequest>,
    /// By id.
    pub handshakes: BTreeMap<String, Handshake>,
    pub delegations: Vec<Delegation>,
    /// Trusted service access: service principal → when enabled.
    pub service_access: BTreeMap<String, OffsetDateTime>,
    pub resource_policy: Option<ResourcePolicy>,
    /// IAM's centralized root access features enabled for the member
    /// accounts (`RootCredentialsManagement`, `RootSessions`).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub iam_features: BTreeSet<String>,
}

/// What a target id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Root,
    Unit,
    Account,
}

impl TargetKind {
    /// As ListTargetsForPolicy writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Root => "ROOT",
            TargetKind::Unit => "ORGANIZATIONAL_UNIT",
            TargetKind::Account => "ACCOUNT",
        }
    }
}

impl Organization {
    /// `arn:aws:organizations::MANAGEMENT:organization/o-…`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:organizations::{}:organization/{}",
            self.management, self.id
        )
    }

    pub fn root_arn(&self) -> String {
        format!(
            "arn:aws:organizations::{}:root/{}/{}",
            self.management, self.id, self.root.id
        )
    }

    pub fn unit_arn(&self, id: &str) -> String {
        format!("arn:aws:organizations::{}:ou/{}/{id}", self.management, self.id)
    }

    pub fn account_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:organizations::{}:account/{}/{id}",
            self.management, self.id
        )
    }

    pub fn handshake_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:organizations::{}:handshake/{}/invite/{id}",
            self.management, self.id
        )
    }

    /// A customer managed policy's ARN (AWS managed ones have their own).
    pub fn policy_arn(&self, kind: PolicyType, id: &str) -> String {
        match aws_managed(id) {
            Some(managed) => managed.arn(),
            None => format!(
                "arn:aws:organizations::{}:policy/{}/{}/{id}",
                self.management,
                self.id,
                kind.as_str().to_ascii_lowercase()
            ),
        }
    }

    pub fn resource_policy_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:organizations::{}:resourcepolicy/{}/{id}",
            self.management, self.id
        )
    }

    /// The ARN of a root, OU or account of this organization.
    pub fn target_arn(&self, id: &str) -> Option<String> {
        Some(match self.target_kind(id)? {
            TargetKind::Root => self.root_arn(),
            TargetKind::Unit => self.unit_arn(id),
            TargetKind::Account => self.account_arn(id),
        })
    }

    /// What `id` names in this organization, if anything.
    pub fn target_kind(&self, id: &str) -> Option<TargetKind> {
        if id == self.root.id {
            Some(TargetKind::Root)
        } else if self.units.contains_key(id) {
            Some(TargetKind::Unit)
        } else if self.accounts.contains_key(id) {
            Some(TargetKind::Account)
        } else {
            None
        }
    }

    /// The name of a root, OU or account.
    pub fn target_name(&self, id: &str) -> Option<&str> {
        match self.target_kind(id)? {
            TargetKind::Root => Some(&self.root.name),
            TargetKind::Unit => self.units.get(id).map(|u| u.name.as_str()),
            TargetKind::Account => self.accounts.get(id).map(|a| a.name.as_str()),
        }
    }

    /// Whether `id` is the root or one of the OUs (a parent).
    pub fn is_parent(&self, id: &str) -> bool {
        id == self.root.id || self.units.contains_key(id)
    }

    /// The parent of an OU or account.
    pub fn parent_of(&self, child: &str) -> Option<&str> {
        self.units
            .get(child)
            .map(|u| u.parent.as_str())
            .or_else(|| self.accounts.get(child).map(|a| a.parent.as_str()))
    }

    /// The parents of `id` from the root down, `id` itself last (the levels
    /// policies are inherited through).
    pub fn levels(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_string()];
        let mut at = id;
        // A parent chain is at most five OUs deep; the bound guards a
        // damaged state from looping.
        while let Some(parent) = self.parent_of(at) {
            if out.len() > 16 {
                break;
            }
            out.push(parent.to_string());
            at = parent;
        }
        out.reverse();
        out
    }

    /// How deep an OU is (an OU in the root is at depth 1).
    pub fn depth(&self, unit: &str) -> usize {
        self.levels(unit).len().saturating_sub(1)
    }

    /// `o-…/r-…/ou-…/` for an account (its parents), or the path of an OU
    /// (itself included), as `aws:PrincipalOrgPaths` holds it.
    pub fn path(&self, id: &str) -> String {
        let mut levels = self.levels(id);
        if self.accounts.contains_key(id) {
            levels.pop();
        }
        let mut out = format!("{}/", self.id);
        for level in levels {
            out.push_str(&level);
            out.push('/');
        }
        out
    }

    /// The policy types enabled in the root.
    pub fn enabled(&self, kind: PolicyType) -> bool {
        self.root.policy_types.contains(&kind)
    }

    /// The kind of a policy (customer or AWS managed) by id.
    pub fn policy_kind(&self, id: &str) -> Option<PolicyType> {
        aws_managed(id)
            .map(|p| p.kind)
            .or_else(|| self.policies.get(id).map(|p| p.kind))
    }

    /// The ids of the policies of `kind` attached to `target`.
    pub fn attached(&self, target: &str, kind: PolicyType) -> Vec<&str> {
        self.attachments
            .get(target)
            .into_iter()
            .flatten()
            .filter(|p| self.policy_kind(p) == Some(kind))
            .map(String::as_str)
            .collect()
    }

    /// The targets `policy` is attached to.
    pub fn targets_of(&self, policy: &str) -> Vec<&str> {
        self.attachments
            .iter()
            .filter(|(_, policies)| policies.contains(policy))
            .map(|(target, _)| target.as_str())
            .collect()
    }

    /// Attaches the default policy of every enabled authorization type to
    /// `target` (a new OU or account), as AWS does.
    pub fn attach_defaults(&mut self, target: &str) {
        let defaults: Vec<&str> = self
            .root
            .policy_types
            .iter()
            .filter_map(|t| t.default_policy())
            .map(|p| p.id)
            .collect();
        let set = self.attachments.entry(target.to_string()).or_default();
        for id in defaults {
            set.insert(id.to_string());
        }
    }

    /// Detaches everything from `target` (an OU deleted, an account gone).
    pub fn forget_target(&mut self, target: &str) {
        self.attachments.remove(target);
    }

    /// Every root, OU and account id.
    pub fn all_targets(&self) -> Vec<String> {
        std::iter::once(self.root.id.clone())
            .chain(self.units.keys().cloned())
            .chain(self.accounts.keys().cloned())
            .collect()
    }

    /// The document of an SCP or RCP by id, as the evaluator reads it.
    fn parsed(&self, id: &str) -> Option<Arc<Policy>> {
        if let Some(managed) = aws_managed(id) {
            return Some(managed.parsed.clone());
        }
        self.policies.get(id)?.parsed.clone()
    }

    /// The name the decision trace shows for a policy on a target:
    /// `NAME (p-…) on ou-… (OU name)`.
    fn trace_name(&self, policy: &str, target: &str) -> String {
        let name = aws_managed(policy)
            .map(|p| p.name)
            .or_else(|| self.policies.get(policy).map(|p| p.name.as_str()))
            .unwrap_or_default();
        let kind = match self.target_kind(target) {
            Some(TargetKind::Root) => "root",
            Some(TargetKind::Unit) => "OU",
            _ => "account",
        };
        let target_name = self.target_name(target).unwrap_or_default();
        format!("{name} ({policy}) on {kind} {target} ({target_name})")
    }

    /// The levels of `kind` for `account`: one list per level from the root
    /// down to the account, each the policies attached there.
    fn policy_levels(&self, account: &str, kind: PolicyType) -> Vec<Vec<NamedPolicy>> {
        self.levels(account)
            .iter()
            .map(|target| {
                self.attached(target, kind)
                    .into_iter()
                    .filter_map(|id| {
                        Some(NamedPolicy {
                            name: self.trace_name(id, target).into(),
                            policy: self.parsed(id)?,
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// The SCPs that bound `target` (root, OU or account), one list per
    /// level from the root down (IAM's Organizations access reports).
    pub fn scp_levels(&self, target: &str) -> Vec<Vec<NamedPolicy>> {
        self.policy_levels(target, PolicyType::ServiceControl)
    }

    /// The document of the SCP `id`, customer or AWS managed.
    pub fn scp_document(&self, id: &str) -> Option<Arc<Policy>> {
        (self.policy_kind(id) == Some(PolicyType::ServiceControl))
            .then(|| self.parsed(id))
            .flatten()
    }

    /// Whether `account` is a delegated administrator of any service.
    pub fn is_any_delegated_admin(&self, account: &str) -> bool {
        self.delegations.iter().any(|d| d.account == account)
    }
}

/// An account's place in its organization, and what bounds it; worked out
/// when the organizations change.
#[derive(Debug, Clone)]
pub struct Membership {
    /// `o-…`.
    pub org_id: String,
    /// The management account of the organization.
    pub management: String,
    /// `o-…/r-…/ou-…/`: `aws:PrincipalOrgPaths`, `aws:ResourceOrgPaths`.
    pub path: String,
    /// SCP levels, root first (empty: the account is not bound by SCPs —
    /// it is the management account, or SCPs are not enabled).
    pub scps: Vec<Vec<NamedPolicy>>,
    /// RCP levels, root first (empty likewise).
    pub rcps: Vec<Vec<NamedPolicy>>,
}

impl Membership {
    pub fn is_management(&self, account: &str) -> bool {
        self.management == account
    }
}

/// Every organization; and the derived memberships.
#[derive(Debug, Default)]
pub struct Organizations {
    orgs: Tracked<String, Organization>,
    /// Account id → its membership; rebuilt on every write.
    members: HashMap<String, Membership>,
}

impl Organizations {
    /// Every organization, by id.
    pub fn all(&self) -> &BTreeMap<String, Organization> {
        &self.orgs
    }

    pub fn is_empty(&self) -> bool {
        self.orgs.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Organization> {
        self.orgs.get(id)
    }

    /// The organization `account` belongs to.
    pub fn org_of(&self, account: &str) -> Option<&Organization> {
        let membership = self.membership(account)?;
        self.orgs.get(&membership.org_id)
    }

    /// Where `account` is and what bounds it; `None` (at the cost of one
    /// emptiness test) when it is in no organization.
    pub fn membership(&self, account: &str) -> Option<&Membership> {
        if self.members.is_empty() {
            return None;
        }
        self.members.get(account)
    }

    /// Whether `account` is the management account of an organization.
    pub fn is_management(&self, account: &str) -> bool {
        self.membership(account).is_some_and(|m| m.is_management(account))
    }

    /// Whether `account` is a delegated administrator of `service`
    /// (`securityhub.amazonaws.com`, …) in its organization.
    pub fn is_delegated_admin(&self, account: &str, service: &str) -> bool {
        self.org_of(account).is_some_and(|org| {
            org.delegations
                .iter()
                .any(|d| d.account == account && d.service == service)
        })
    }

    /// The organization holding handshake `id`.
    pub fn org_of_handshake(&self, id: &str) -> Option<&Organization> {
        self.orgs.values().find(|o| o.handshakes.contains_key(id))
    }

    /// Adds an organization.
    pub fn insert(&mut self, org: Organization) {
        self.orgs.insert(org.id.clone(), org);
        self.reindex();
    }

    /// Removes an organization.
    pub fn remove(&mut self, id: &str) -> Option<Organization> {
        let removed = self.orgs.remove(id);
        self.reindex();
        removed
    }

    /// Changes an organization; the memberships are worked out again after.
    pub fn edit<R>(&mut self, id: &str, change: impl FnOnce(&mut Organization) -> R) -> Option<R> {
        let org = self.orgs.get_mut(id)?;
        let out = change(org);
        self.reindex();
        Some(out)
    }

    /// Empties everything.
    pub fn clear(&mut self) {
        self.orgs.clear();
        self.members.clear();
    }

    /// Puts back a stored organization (its documents parsed again).
    pub fn load(&mut self, mut org: Organization) {
        for policy in org.policies.values_mut() {
            policy.parsed = parse_authorization(policy.kind, &policy.content);
        }
        if let Some(rp) = &mut org.resource_policy {
            rp.parsed = Policy::parse(&rp.content).ok().map(Arc::new);
        }
        self.orgs.insert(org.id.clone(), org);
        self.reindex();
    }

    pub fn is_touched(&self) -> bool {
        self.orgs.is_touched()
    }

    pub fn take_touched(&mut self) -> BTreeSet<String> {
        self.orgs.take_touched()
    }

    pub fn touch(&mut self, id: String) {
        self.orgs.touch(id);
    }

    /// Works out every account's membership again.
    fn reindex(&mut self) {
        self.members.clear();
        for org in self.orgs.values() {
            for account in org.accounts.keys() {
                let member = account != &org.management;
                let levels = |kind: PolicyType| {
                    if member && org.enabled(kind) {
                        org.policy_levels(account, kind)
                    } else {
                        Vec::new()
                    }
                };
                self.members.insert(
                    account.clone(),
                    Membership {
                        org_id: org.id.clone(),
                        management: org.management.clone(),
                        path: org.path(account),
                        scps: levels(PolicyType::ServiceControl),
                        rcps: levels(PolicyType::ResourceControl),
                    },
                );
            }
        }
    }
}

/// The document of an SCP or RCP as the evaluator reads it (`None` for
/// the management policy types, and for text that does not parse).
pub fn parse_authorization(kind: PolicyType, content: &str) -> Option<Arc<Policy>> {
    if !kind.is_authorization() {
        return None;
    }
    Policy::parse(content).ok().map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Organization {
        let now = OffsetDateTime::UNIX_EPOCH;
        let member = |id: &str, parent: &str| Member {
            id: id.into(),
            name: format!("acct {id}"),
            email: format!("{id}@example.com"),
            parent: parent.into(),
            joined_method: Joined::Created,
            joined: now,
            closed: false,
            tags: Vec::new(),
        };
        let mut org = Organization {
            id: "o-abcdefghij".into(),
            management: "111111111111".into(),
            feature_set: FeatureSet::All,
            created: now,
            root: Root {
                id: "r-ab12".into(),
                name: "Root".into(),
                policy_types: [PolicyType::ServiceControl].into(),
                tags: Vec::new(),
            },
            units: BTreeMap::new(),
            accounts: BTreeMap::new(),
            policies: BTreeMap::new(),
            attachments: BTreeMap::new(),
            create_requests: Vec::new(),
            handshakes: BTreeMap::new(),
            delegations: Vec::new(),
            service_access: BTreeMap::new(),
            resource_policy: None,
            iam_features: BTreeSet::new(),
        };
        for (id, parent) in [
            ("ou-ab12-aaaaaaaa", "r-ab12"),
            ("ou-ab12-bbbbbbbb", "ou-ab12-aaaaaaaa"),
        ] {
            org.units.insert(
                id.into(),
                Unit {
                    id: id.into(),
                    name: id.into(),
                    parent: parent.into(),
                    tags: Vec::new(),
                },
            );
        }
        org.accounts
            .insert("111111111111".into(), member("111111111111", "r-ab12"));
        org.accounts
            .insert("222222222222".into(), member("222222222222", "ou-ab12-bbbbbbbb"));
        for target in org.all_targets() {
            org.attach_defaults(&target);
        }
        org
    }

    #[test]
    fn the_aws_managed_policies_parse() {
        for managed in &AWS_MANAGED {
            assert_eq!(managed.parsed.statements.len(), 1, "{}", managed.name);
        }
    }

    #[test]
    fn paths_run_from_the_organization_to_the_parent() {
        let org = org();
        assert_eq!(
            org.path("222222222222"),
            "o-abcdefghij/r-ab12/ou-ab12-aaaaaaaa/ou-ab12-bbbbbbbb/"
        );
        assert_eq!(org.path("111111111111"), "o-abcdefghij/r-ab12/");
        assert_eq!(org.depth("ou-ab12-bbbbbbbb"), 2);
    }

    #[test]
    fn members_are_bounded_level_by_level_and_the_management_account_is_not() {
        let mut orgs = Organizations::default();
        assert!(orgs.membership("222222222222").is_none());
        orgs.insert(org());
        let member = orgs.membership("222222222222").unwrap();
        assert_eq!(member.scps.len(), 4, "root, two OUs, the account");
        assert!(member.scps.iter().all(|level| level.len() == 1));
        assert!(member.rcps.is_empty(), "RCPs are not enabled");
        assert!(member.scps[1][0].name.contains("on OU ou-ab12-aaaaaaaa"));
        let management = orgs.membership("111111111111").unwrap();
        assert!(management.scps.is_empty());
        assert!(orgs.is_management("111111111111"));
        assert!(!orgs.is_management("222222222222"));
        orgs.edit("o-abcdefghij", |o| {
            o.root.policy_types.remove(&PolicyType::ServiceControl);
        });
        assert!(orgs.membership("222222222222").unwrap().scps.is_empty());
    }
}
