//! Emulator state: accounts and their IAM entities, access keys and STS
//! sessions, S3 buckets and their object versions, Kinesis streams, Access Analyzer's analyzers,
//! organizations. In memory; one lock guards it
//! (requests are short).
//!
//! Names of users, groups, roles and policies are unique per account
//! without regard to case, as in IAM ("names are not distinguished by
//! case"), so maps are keyed by the lower-cased name and keep the
//! original spelling inside.

pub mod access_analyzer;
pub mod account_settings;
pub mod changes;
pub mod credentials;
pub mod delegation;
pub mod federation;
pub mod iam;
pub mod instance_profiles;
pub mod kinesis;
pub mod organizations;
pub mod providers;
pub mod s3;
pub mod s3_acl;
pub mod tracked;
pub mod versions;

use iam::{AccessKey, Account};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tracked::Tracked;

pub const DEFAULT_ACCOUNT: &str = "123456789012";
pub const DEFAULT_ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const DEFAULT_SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Root credentials of an account (`--root-key ACCOUNT:AKID:SECRET`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootKey {
    pub account: String,
    pub access_key: String,
    pub secret: String,
}

/// Temporary credentials issued by STS.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub access_key: String,
    pub secret: String,
    pub token: String,
    pub expires: OffsetDateTime,
    /// When it was issued (`aws:TokenIssueTime`); sessions stored before
    /// this was kept have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<OffsetDateTime>,
    pub account: String,
    /// `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`, the user's ARN for
    /// `GetSessionToken`, `arn:aws:sts::ACCT:federated-user/NAME` for
    /// `GetFederationToken`, or `…:root` (GetSessionToken, AssumeRoot).
    pub principal_arn: String,
    /// The role name for assumed-role sessions.
    pub role_name: Option<String>,
    /// For GetSessionToken and GetFederationToken: the user the session
    /// belongs to (its identity policies apply).
    pub user_name: Option<String>,
    /// Session policies (inline `Policy` and `PolicyArns`), as documents.
    pub session_policies: Vec<(String, iam::Document)>,
    /// Session tags → `aws:PrincipalTag/*`.
    pub tags: Vec<(String, String)>,
    pub source_identity: Option<String>,
    /// When the session was created with a valid MFA code (`SerialNumber`
    /// and `TokenCode`): `aws:MultiFactorAuthPresent` is then true and
    /// `aws:MultiFactorAuthAge` counts from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_authenticated: Option<OffsetDateTime>,
    /// The keys of [`Session::tags`] that are transitive: a role assumed
    /// with this session inherits those tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitive_tag_keys: Vec<String>,
    /// For sessions from AssumeRoleWithWebIdentity / AssumeRoleWithSAML:
    /// the identity provider (`aws:FederatedProvider`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_provider: Option<String>,
}

/// Who owns an access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOwner {
    Root { account: String },
    User { account: String, user: String },
    Session,
}

/// All state of one emulator.
#[derive(Debug, Default)]
pub struct State {
    pub accounts: Tracked<String, Account>,
    pub root_keys: Vec<RootKey>,
    pub sessions: Tracked<String, Session>,
    /// S3 buckets by name (bucket names are global).
    pub buckets: Tracked<String, s3::Bucket>,
    /// Kinesis data streams, per account and region.
    pub kinesis: kinesis::Kinesis,
    /// IAM Access Analyzer: analyzers and policy generation jobs.
    pub access_analyzer: access_analyzer::AccessAnalyzer,
    /// AWS Organizations: organizations, and each account's membership.
    pub organizations: organizations::Organizations,
    /// STS federation: the emulator's signing key, registered key sets.
    pub federation: federation::Federation,
    /// What new buckets get (`serve --s3-defaults`); configuration, kept by reset.
    pub s3_defaults: s3::S3Defaults,
}

impl State {
    /// A fresh state with the given root keys (their accounts exist).
    pub fn new(root_keys: Vec<RootKey>) -> Self {
        let mut state = State {
            root_keys,
            ..State::default()
        };
        state.reset();
        state
    }

    /// Empties everything but the root keys.
    pub fn reset(&mut self) {
        self.accounts.clear();
        self.sessions.clear();
        self.buckets.clear();
        self.kinesis.clear();
        self.access_analyzer.clear();
        self.organizations.clear();
        self.federation.clear();
        self.ensure_root_accounts();
    }

    /// The accounts of the root keys exist.
    pub fn ensure_root_accounts(&mut self) {
        let ids: Vec<String> = self.root_keys.iter().map(|k| k.account.clone()).collect();
        for id in ids {
            if !self.accounts.contains_key(&id) {
                self.account_mut(&id);
            }
        }
    }

    /// The account, created on first use.
    pub fn account_mut(&mut self, id: &str) -> &mut Account {
        self.accounts
            .get_or_insert_with(id.to_string(), || Account::new(id))
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.get(id)
    }

    /// Finds an IAM user's access key anywhere.
    pub fn find_user_key(&self, access_key: &str) -> Option<(&Account, &iam::User, &AccessKey)> {
        self.accounts.values().find_map(|account| {
            account.users.values().find_map(|user| {
                user.access_keys
                    .iter()
                    .find(|k| k.id == access_key)
                    .map(|k| (account, user, k))
            })
        })
    }
}
