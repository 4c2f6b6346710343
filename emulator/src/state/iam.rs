//! IAM entities of one account: users, groups, roles, managed policies,
//! access keys, each with the fields IAM returns.

use iam_evaluator::Policy;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// A policy document as written and as parsed; both shared, so a copy of
/// a document (for a decision, a simulation) copies no text.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: Arc<str>,
    pub parsed: Arc<Policy>,
}

/// Stored as its text; parsed again when loaded (it passed IAM's checks
/// when written, so a failure means the stored state is damaged).
impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.text.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let parsed = Policy::parse(&text).map_err(serde::de::Error::custom)?;
        Ok(Document {
            text: text.into(),
            parsed: Arc::new(parsed),
        })
    }
}

/// Key/value tags, in the order they were added.
pub type Tags = Vec<(String, String)>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    pub secret: String,
    pub active: bool,
    pub created: OffsetDateTime,
    pub last_used: Option<(OffsetDateTime, String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub created: OffsetDateTime,
    pub inline: BTreeMap<String, Document>,
    pub attached: Vec<String>,
    pub groups: Vec<String>,
    pub tags: Tags,
    pub boundary: Option<String>,
    pub access_keys: Vec<AccessKey>,
    /// Console password, SSH keys, signing certificates, service credentials.
    #[serde(default)]
    pub credentials: super::credentials::UserCredentials,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub created: OffsetDateTime,
    pub inline: BTreeMap<String, Document>,
    pub attached: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub created: OffsetDateTime,
    pub trust: Document,
    pub description: Option<String>,
    pub max_session_duration: i64,
    pub inline: BTreeMap<String, Document>,
    pub attached: Vec<String>,
    pub tags: Tags,
    pub boundary: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: Document,
    pub created: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub description: Option<String>,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub default_version: String,
    pub versions: Vec<PolicyVersion>,
    /// The next version number to hand out (`v1`, `v2`, …; never reused).
    pub next_version: u32,
    pub tags: Tags,
}

impl ManagedPolicy {
    pub fn default_document(&self) -> Option<&Document> {
        self.versions
            .iter()
            .find(|v| v.id == self.default_version)
            .map(|v| &v.document)
    }
}

/// One account's IAM entities, keyed by lower-cased name (managed policies by ARN).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub users: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    pub roles: BTreeMap<String, Role>,
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// MFA devices, server certificates, password policy, alias, reports.
    #[serde(default)]
    pub credentials: super::credentials::AccountCredentials,
    /// OIDC and SAML identity providers.
    #[serde(default)]
    pub providers: super::providers::Providers,
    /// Instance profiles, by lower-cased name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub instance_profiles: BTreeMap<String, super::instance_profiles::InstanceProfile>,
}

impl Account {
    pub fn new(id: &str) -> Self {
        Account {
            id: id.to_string(),
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            roles: BTreeMap::new(),
            policies: BTreeMap::new(),
            credentials: super::credentials::AccountCredentials::default(),
            providers: super::providers::Providers::default(),
            instance_profiles: BTreeMap::new(),
        }
    }

    /// The issuer of the account's outbound web identity tokens while
    /// EnableOutboundWebIdentityFederation has it on (STS's
    /// GetWebIdentityToken works only then); `None` otherwise. IAM does not
    /// serve that operation on this branch yet, so it is always off here.
    pub fn outbound_federation_issuer(&self) -> Option<&str> {
        None
    }

    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.id)
    }

    /// How many of this account's users, groups and roles attach `arn`.
    pub fn attachment_count(&self, arn: &str) -> usize {
        let has = |list: &Vec<String>| list.iter().any(|a| a == arn);
        self.users.values().filter(|u| has(&u.attached)).count()
            + self.groups.values().filter(|g| has(&g.attached)).count()
            + self.roles.values().filter(|r| has(&r.attached)).count()
    }

    /// How many entities use `arn` as their permissions boundary.
    pub fn boundary_count(&self, arn: &str) -> usize {
        let is = |b: &Option<String>| b.as_deref() == Some(arn);
        self.users.values().filter(|u| is(&u.boundary)).count()
            + self.roles.values().filter(|r| is(&r.boundary)).count()
    }
}

/// Lower-cased key for case-insensitive IAM names.
pub fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}
