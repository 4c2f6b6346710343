//! `GET /_emulator/entities`: what is in the emulator, for the console.
//!
//! Accounts with their root access key ids, users (groups, tags, inline
//! and attached policies, permissions boundary, access key ids), groups
//! (members, policies), roles (trust policy, policies, boundary), customer
//! managed policies, instance profiles, OIDC and SAML identity providers;
//! the account's alias, password policy, virtual MFA devices (with the user
//! each is assigned to) and server certificates; each user's console
//! password (whether it has one), MFA devices, signing certificate, SSH key
//! and service credential ids; a role's last use; STS sessions; S3 buckets with their policy, Block
//! Public Access settings and whether the policy is public. Each policy
//! document comes pretty-printed with its `ValidatePolicy` findings (see
//! [`super::pretty`]); an attached managed policy is listed by ARN, its
//! document once in `managedPolicies`.
//!
//! Secret access keys, session tokens, passwords (and their hashes), MFA
//! seeds, service passwords and private keys never leave the state: only
//! ids, states and dates are shown.

use super::pretty::policy_view;
use crate::app::App;
use crate::state::iam::{Account, Document, Tags};
use crate::state::s3::PublicAccessBlock;
use iam_evaluator::validate::{PolicyKind, ResourcePolicyType};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What is copied out of the state under its lock; the findings are
/// worked out after the lock is released.
struct Snapshot {
    accounts: Vec<Account>,
    root_keys: Vec<(String, String)>,
    sessions: Vec<Value>,
    buckets: Vec<BucketSnapshot>,
}

struct BucketSnapshot {
    name: String,
    owner: String,
    region: String,
    created: OffsetDateTime,
    policy: Option<Document>,
    public_access_block: Option<PublicAccessBlock>,
    effective: PublicAccessBlock,
    versioning: Option<String>,
    ownership: Option<String>,
    tags: Tags,
    objects: usize,
}

fn snapshot(app: &App) -> Snapshot {
    let state = app.state();
    Snapshot {
        accounts: state.accounts.values().cloned().collect(),
        root_keys: state
            .root_keys
            .iter()
            .map(|k| (k.account.clone(), k.access_key.clone()))
            .collect(),
        sessions: state
            .sessions
            .values()
            .map(|s| {
                json!({
                    "accessKeyId": s.access_key,
                    "account": s.account,
                    "principalArn": s.principal_arn,
                    "roleName": s.role_name,
                    "userName": s.user_name,
                    "expires": crate::ids::iso8601(s.expires),
                    "sessionPolicies": s.session_policies.len(),
                    "tags": tags(&s.tags),
                    "sourceIdentity": s.source_identity,
                })
            })
            .collect(),
        buckets: state
            .buckets
            .values()
            .map(|b| BucketSnapshot {
                name: b.name.clone(),
                owner: b.owner.clone(),
                region: b.region.clone(),
                created: b.created,
                policy: b.policy.clone(),
                public_access_block: b.public_access_block,
                effective: b.effective_public_access_block(),
                versioning: b.versioning.clone(),
                ownership: b.ownership.clone(),
                tags: b.tags.clone(),
                objects: b.objects.len(),
            })
            .collect(),
    }
}

/// The whole answer of `GET /_emulator/entities`.
pub fn entities_json(app: &App) -> Value {
    let snapshot = snapshot(app);
    let mut managed: BTreeMap<String, Value> = BTreeMap::new();
    let accounts: Vec<Value> = snapshot
        .accounts
        .iter()
        .map(|account| {
            let root_keys: Vec<&str> = snapshot
                .root_keys
                .iter()
                .filter(|(a, _)| *a == account.id)
                .map(|(_, k)| k.as_str())
                .collect();
            account_json(account, &root_keys, &mut managed)
        })
        .collect();
    let buckets: Vec<Value> = snapshot.buckets.iter().map(bucket_json).collect();
    json!({
        "accounts": accounts,
        "managedPolicies": managed,
        "sessions": snapshot.sessions,
        "buckets": buckets,
    })
}

fn tags(tags: &Tags) -> Value {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect::<Map<_, _>>(),
    )
}

fn identity_view(name: &str, doc: &Document) -> Value {
    policy_view(name, &doc.text, PolicyKind::Identity, None)
}

fn inline(policies: &BTreeMap<String, Document>) -> Vec<Value> {
    policies
        .iter()
        .map(|(name, doc)| identity_view(name, doc))
        .collect()
}

/// The default document of a managed policy: this account's, or AWS's.
fn managed_document(account: &Account, arn: &str) -> Option<Document> {
    account
        .policies
        .get(arn)
        .and_then(|p| p.default_document().cloned())
        .or_else(|| crate::managed::document(arn))
}

/// Lists `arns` and puts each document (once) into `managed`.
fn attached(account: &Account, arns: &[String], managed: &mut BTreeMap<String, Value>) -> Vec<Value> {
    arns.iter()
        .map(|arn| {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            if !managed.contains_key(arn) {
                if let Some(doc) = managed_document(account, arn) {
                    managed.insert(arn.clone(), identity_view(name, &doc));
                }
            }
            json!({
                "arn": arn,
                "name": name,
                "awsManaged": arn.starts_with("arn:aws:iam::aws:policy/"),
            })
        })
        .collect()
}

fn boundary(account: &Account, arn: Option<&String>, managed: &mut BTreeMap<String, Value>) -> Value {
    match arn {
        Some(arn) => attached(account, std::slice::from_ref(arn), managed)
            .pop()
            .unwrap_or(Value::Null),
        None => Value::Null,
    }
}

fn account_json(account: &Account, root_keys: &[&str], managed: &mut BTreeMap<String, Value>) -> Value {
    let users: Vec<Value> = account
        .users
        .values()
        .map(|u| {
            let keys: Vec<Value> = u
                .access_keys
                .iter()
                .map(|k| {
                    json!({
                        "accessKeyId": k.id,
                        "status": if k.active { "Active" } else { "Inactive" },
                        "created": crate::ids::iso8601(k.created),
                        "lastUsed": k.last_used.as_ref().map(|(at, service, region)| json!({
                            "date": crate::ids::iso8601(*at), "service": service, "region": region,
                        })),
                    })
                })
                .collect();
            json!({
                "name": u.name,
                "arn": u.arn,
                "id": u.id,
                "path": u.path,
                "created": crate::ids::iso8601(u.created),
                "groups": u.groups,
                "tags": tags(&u.tags),
                "inlinePolicies": inline(&u.inline),
                "attachedPolicies": attached(account, &u.attached, managed),
                "permissionsBoundary": boundary(account, u.boundary.as_ref(), managed),
                "accessKeys": keys,
                "credentials": user_credentials(account, u),
            })
        })
        .collect();
    let groups: Vec<Value> = account
        .groups
        .values()
        .map(|g| {
            let members: Vec<&str> = account
                .users
                .values()
                .filter(|u| u.groups.iter().any(|name| name.eq_ignore_ascii_case(&g.name)))
                .map(|u| u.name.as_str())
                .collect();
            json!({
                "name": g.name,
                "arn": g.arn,
                "id": g.id,
                "path": g.path,
                "created": crate::ids::iso8601(g.created),
                "members": members,
                "inlinePolicies": inline(&g.inline),
                "attachedPolicies": attached(account, &g.attached, managed),
            })
        })
        .collect();
    let roles: Vec<Value> = account
        .roles
        .values()
        .map(|r| {
            json!({
                "name": r.name,
                "arn": r.arn,
                "id": r.id,
                "path": r.path,
                "created": crate::ids::iso8601(r.created),
                "description": r.description,
                "maxSessionDuration": r.max_session_duration,
                "lastUsed": r.last_used.as_ref().map(|u| json!({
                    "date": crate::ids::iso8601(u.at), "region": u.region,
                })),
                "tags": tags(&r.tags),
                "trustPolicy": policy_view(
                    "trust policy",
                    &r.trust.text,
                    PolicyKind::Resource,
                    Some(ResourcePolicyType::RoleTrust),
                ),
                "inlinePolicies": inline(&r.inline),
                "attachedPolicies": attached(account, &r.attached, managed),
                "permissionsBoundary": boundary(account, r.boundary.as_ref(), managed),
            })
        })
        .collect();
    let policies: Vec<Value> = account
        .policies
        .values()
        .map(|p| {
            json!({
                "name": p.name,
                "arn": p.arn,
                "path": p.path,
                "description": p.description,
                "defaultVersion": p.default_version,
                "versions": p.versions.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
                "attachments": account.attachment_count(&p.arn),
                "boundaryOf": account.boundary_count(&p.arn),
                "document": p.default_document().map(|d| identity_view(&p.name, d)),
            })
        })
        .collect();
    let oidc: Vec<Value> = account
        .providers
        .oidc
        .values()
        .map(|p| {
            json!({
                "arn": p.arn,
                "url": p.url,
                "clientIds": p.client_ids,
                "thumbprints": p.thumbprints,
                "created": crate::ids::iso8601(p.created),
                "tags": tags(&p.tags),
            })
        })
        .collect();
    let saml: Vec<Value> = account
        .providers
        .saml
        .values()
        .map(|p| {
            json!({
                "arn": p.arn,
                "name": p.name,
                "entityId": p.entity_id,
                "signingCertificates": p.signing_certificates.len(),
                "validUntil": p.valid_until.map(crate::ids::iso8601),
                "created": crate::ids::iso8601(p.created),
                "tags": tags(&p.tags),
            })
        })
        .collect();
    let profiles: Vec<Value> = account
        .instance_profiles
        .values()
        .map(|p| {
            json!({
                "name": p.name,
                "arn": p.arn,
                "id": p.id,
                "path": p.path,
                "created": crate::ids::iso8601(p.created),
                "roles": p.roles,
                "tags": tags(&p.tags),
            })
        })
        .collect();
    json!({
        "id": account.id,
        "rootArn": account.root_arn(),
        "alias": account.credentials.alias,
        "passwordPolicy": account.credentials.password_policy.as_ref().map(password_policy_json),
        "mfaDevices": account.credentials.mfa_devices.values().map(mfa_device_json).collect::<Vec<_>>(),
        "serverCertificates": account
            .credentials
            .server_certificates
            .values()
            .map(server_certificate_json)
            .collect::<Vec<_>>(),
        "instanceProfiles": profiles,
        "oidcProviders": oidc,
        "samlProviders": saml,
        "rootAccessKeys": root_keys,
        "users": users,
        "groups": groups,
        "roles": roles,
        "policies": policies,
    })
}

/// A user's credentials beside access keys, without their secrets: whether
/// it has a console password (never the password or its hash), its MFA
/// devices, and the ids and states of its signing certificates, SSH keys
/// and service-specific credentials (never a service password).
fn user_credentials(account: &Account, u: &crate::state::iam::User) -> Value {
    let c = &u.credentials;
    let status = |active: bool| if active { "Active" } else { "Inactive" };
    json!({
        "loginProfile": c.login_profile.as_ref().map(|p| json!({
            "created": crate::ids::iso8601(p.created),
            "passwordLastChanged": crate::ids::iso8601(p.changed),
            "passwordResetRequired": p.password_reset_required,
        })),
        "mfaDevices": account.credentials.devices_of(&u.name).map(|d| d.serial.as_str()).collect::<Vec<_>>(),
        "signingCertificates": c.signing_certificates.iter().map(|cert| json!({
            "id": cert.id, "status": status(cert.active), "uploaded": crate::ids::iso8601(cert.uploaded),
        })).collect::<Vec<_>>(),
        "sshPublicKeys": c.ssh_keys.iter().map(|k| json!({
            "id": k.id, "fingerprint": k.fingerprint, "status": status(k.active),
            "uploaded": crate::ids::iso8601(k.uploaded),
        })).collect::<Vec<_>>(),
        "serviceCredentials": c.service_credentials.iter().map(|sc| json!({
            "id": sc.id, "service": sc.service, "userName": sc.user_name, "status": status(sc.active),
            "created": crate::ids::iso8601(sc.created),
            "expires": sc.expires.map(crate::ids::iso8601),
        })).collect::<Vec<_>>(),
    })
}

/// A virtual MFA device and whom it is assigned to (never its seed).
fn mfa_device_json(d: &crate::state::credentials::MfaDevice) -> Value {
    json!({
        "serialNumber": d.serial,
        "name": d.name,
        "path": d.path,
        "created": crate::ids::iso8601(d.created),
        "user": d.assigned.as_ref().map(|a| a.user.as_str()),
        "enabled": d.assigned.as_ref().map(|a| crate::ids::iso8601(a.enabled)),
        "tags": tags(&d.tags),
    })
}

fn password_policy_json(p: &crate::state::credentials::PasswordPolicy) -> Value {
    json!({
        "minimumLength": p.minimum_length,
        "requireSymbols": p.require_symbols,
        "requireNumbers": p.require_numbers,
        "requireUppercase": p.require_uppercase,
        "requireLowercase": p.require_lowercase,
        "allowUsersToChangePassword": p.allow_users_to_change,
        "maxAgeDays": p.max_age_days,
        "reusePrevention": p.reuse_prevention,
        "hardExpiry": p.hard_expiry,
    })
}

/// A server certificate's metadata (its private key is never kept).
fn server_certificate_json(c: &crate::state::credentials::ServerCertificate) -> Value {
    json!({
        "name": c.name,
        "arn": c.arn,
        "id": c.id,
        "path": c.path,
        "uploaded": crate::ids::iso8601(c.uploaded),
        "expiration": crate::ids::iso8601(c.expiration),
        "tags": tags(&c.tags),
    })
}

fn public_access_block_json(pab: PublicAccessBlock) -> Value {
    json!({
        "BlockPublicAcls": pab.block_public_acls,
        "IgnorePublicAcls": pab.ignore_public_acls,
        "BlockPublicPolicy": pab.block_public_policy,
        "RestrictPublicBuckets": pab.restrict_public_buckets,
    })
}

fn bucket_json(b: &BucketSnapshot) -> Value {
    let public: Vec<Value> = b
        .policy
        .as_ref()
        .map(|d| {
            iam_evaluator::public_statements(&d.parsed)
                .iter()
                .map(|g| json!(g))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "name": b.name,
        "arn": format!("arn:aws:s3:::{}", b.name),
        "owner": b.owner,
        "region": b.region,
        "created": crate::ids::iso8601(b.created),
        "objects": b.objects,
        "versioning": b.versioning,
        "ownership": b.ownership,
        "tags": tags(&b.tags),
        "policy": b.policy.as_ref().map(|d| policy_view(
            "bucket policy",
            &d.text,
            PolicyKind::Resource,
            Some(ResourcePolicyType::S3Bucket),
        )),
        "publicPolicyStatements": public,
        // `null`: never configured, so no setting is on.
        "publicAccessBlock": b.public_access_block.map(public_access_block_json),
        "effectivePublicAccessBlock": public_access_block_json(b.effective),
    })
}
