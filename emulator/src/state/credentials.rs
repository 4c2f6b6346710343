//! IAM's credentials other than access keys, and the account's settings
//! around them: virtual MFA devices, console passwords (login profiles)
//! and the password policy, the account alias, SSH public keys, signing
//! and server certificates, service-specific credentials, and the
//! reports IAM generates (credential report, access reports).
//!
//! A user's part lives in [`UserCredentials`] (on the user), the account's
//! in [`AccountCredentials`] (on the account), so both persist with the
//! account's record; older records without them load as empty.

use super::iam::Tags;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A user's console password, SSH keys, signing certificates and
/// service-specific credentials.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserCredentials {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_profile: Option<LoginProfile>,
    /// When the user last signed in with the password (the credential
    /// report's `password_last_used`, GetUser's `PasswordLastUsed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_used: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<SshPublicKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signing_certificates: Vec<SigningCertificate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_credentials: Vec<ServiceCredential>,
}

/// A user's console password. Only its salted hash is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginProfile {
    pub created: OffsetDateTime,
    /// When the password was last set (creation, UpdateLoginProfile or
    /// ChangePassword): `password_last_changed`, and the start of its age.
    pub changed: OffsetDateTime,
    pub password_reset_required: bool,
    /// Hex SHA-256 of salt and password.
    pub password_hash: String,
    pub salt: String,
    /// Hashes of earlier passwords, newest first (`PasswordReusePrevention`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_hashes: Vec<String>,
}

/// The account's password policy (UpdateAccountPasswordPolicy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub allow_users_to_change: bool,
    /// Days a password may be used (1–1095), when set.
    pub max_age_days: Option<u32>,
    /// How many earlier passwords may not be reused (1–24), when set.
    pub reuse_prevention: Option<u32>,
    pub hard_expiry: bool,
}

/// A virtual MFA device (CreateVirtualMFADevice) and, once enabled, the
/// user it is assigned to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaDevice {
    /// `arn:aws:iam::ACCOUNT:mfa/PATHNAME`.
    pub serial: String,
    pub name: String,
    pub path: String,
    /// The TOTP seed (raw bytes, shown once as Base32 and as a QR code).
    pub seed: Vec<u8>,
    pub created: OffsetDateTime,
    pub tags: Tags,
    /// The user it is enabled for, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned: Option<MfaAssignment>,
}

/// A virtual MFA device's user, and what the device's clock has shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaAssignment {
    pub user: String,
    pub enabled: OffsetDateTime,
    /// The device's clock, in 30-second steps ahead of the emulator's
    /// (negative: behind), as EnableMFADevice or ResyncMFADevice found it.
    pub drift_steps: i64,
    /// The newest time step whose code was accepted: a code is accepted
    /// once (RFC 6238 §5.2), so a step at or before this one is refused.
    pub last_step: u64,
}

/// An SSH public key of a user (UploadSSHPublicKey), for CodeCommit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SshPublicKey {
    pub id: String,
    /// The key as uploaded.
    pub body: String,
    /// The key in OpenSSH form (`ssh-rsa AAAA…`).
    pub openssh: String,
    /// The key in PEM form (`-----BEGIN PUBLIC KEY-----`).
    pub pem: String,
    /// MD5 fingerprint as AWS shows it (`aa:bb:…`).
    pub fingerprint: String,
    pub active: bool,
    pub uploaded: OffsetDateTime,
}

/// An X.509 signing certificate of a user (UploadSigningCertificate).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningCertificate {
    pub id: String,
    pub body: String,
    pub active: bool,
    pub uploaded: OffsetDateTime,
}

/// A credential for one AWS service (CreateServiceSpecificCredential).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceCredential {
    pub id: String,
    pub service: String,
    /// `USER-at-ACCOUNT` (with a random suffix for a second one).
    pub user_name: String,
    pub password: String,
    pub active: bool,
    pub created: OffsetDateTime,
    /// When it stops working (`CredentialAgeDays`), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<OffsetDateTime>,
}

/// The account's MFA devices, server certificates, password policy, alias
/// and generated reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountCredentials {
    /// Virtual MFA devices by serial number (their ARN).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mfa_devices: BTreeMap<String, MfaDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    /// The account alias (an account has at most one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Server certificates by lower-cased name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub server_certificates: BTreeMap<String, ServerCertificate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report: Option<CredentialReport>,
    /// Access reports (GenerateServiceLastAccessedDetails,
    /// GenerateOrganizationsAccessReport) by job id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub access_reports: BTreeMap<String, AccessReport>,
}

impl AccountCredentials {
    /// The MFA device assigned to `user` with serial `serial`, if any.
    pub fn user_device(&self, user: &str, serial: &str) -> Option<&MfaDevice> {
        self.mfa_devices.get(serial).filter(|d| {
            d.assigned
                .as_ref()
                .is_some_and(|a| super::iam::key(&a.user) == super::iam::key(user))
        })
    }

    /// The devices assigned to `user`.
    pub fn devices_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a MfaDevice> + 'a {
        self.mfa_devices.values().filter(move |d| {
            d.assigned
                .as_ref()
                .is_some_and(|a| super::iam::key(&a.user) == super::iam::key(user))
        })
    }
}

/// A server certificate (UploadServerCertificate).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerCertificate {
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    pub uploaded: OffsetDateTime,
    /// The certificate's `notAfter`.
    pub expiration: OffsetDateTime,
    pub tags: Tags,
}

/// The account's credential report, as generated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialReport {
    pub generated: OffsetDateTime,
    /// The CSV text.
    pub content: String,
}

/// One access report job: what it was asked about, and its result, built
/// from the observations when it was generated (so it reads the same after
/// a restart, whatever the observation log keeps).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessReport {
    pub kind: AccessReportKind,
    /// The entity's ARN (a user, group, role or managed policy), or the
    /// Organizations entity path, the report is about.
    pub subject: String,
    /// `SERVICE_LEVEL` or `ACTION_LEVEL`.
    pub granularity: String,
    pub created: OffsetDateTime,
    pub completed: OffsetDateTime,
    /// One line per service the subject's policies allow.
    pub services: Vec<ServiceAccess>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessReportKind {
    ServiceLastAccessed,
    Organizations,
}

/// One service of an access report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceAccess {
    /// The service's name as AWS shows it (`Amazon S3`).
    pub name: String,
    /// The namespace (`s3`).
    pub namespace: String,
    /// The last authenticated access: when, by whom (an entity's ARN, or
    /// for an Organizations report the account's entity path), in which
    /// region.
    pub last_accessed: Option<Access>,
    /// The entities that could have used the permissions, each with its
    /// last access (GetServiceLastAccessedDetailsWithEntities), most
    /// recent first.
    #[serde(default)]
    pub entities: Vec<EntityAccess>,
    /// For ACTION_LEVEL reports of a tracked service: each action the
    /// policies allow that was used.
    #[serde(default)]
    pub actions: Vec<ActionAccess>,
    /// How many principals (for an Organizations report, accounts)
    /// attempted to access the service.
    pub total_entities: usize,
}

/// When, by which entity, in which region.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Access {
    pub at: OffsetDateTime,
    pub entity: String,
    pub region: String,
}

/// One entity's last access to a service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntityAccess {
    pub arn: String,
    pub name: String,
    /// USER, ROLE, GROUP.
    pub kind: String,
    pub id: String,
    pub path: String,
    pub at: Option<OffsetDateTime>,
}

/// One action's last access (ACTION_LEVEL reports).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActionAccess {
    /// The action's name without its service prefix (`CreateBucket`).
    pub action: String,
    pub last: Option<Access>,
}
