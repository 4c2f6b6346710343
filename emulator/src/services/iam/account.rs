//! Account-wide views: ListEntitiesForPolicy, GetAccountAuthorizationDetails
//! and GetAccountSummary (usage and AWS's default quotas).

use super::groups::group_xml;
use super::{encode_document, page_tail, paginate, tags_xml, Call};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::iam::{Account, Document, Group, Role, User};
use crate::state::State;
use std::collections::BTreeMap;

/// AWS's names for the kinds of entity (`EntityFilter`, `Filter`).
const ENTITY_TYPES: &[&str] = &["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];

fn check_enum(field: &str, value: &str, allowed: &[&str]) -> AwsResult<()> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(AwsError::validation(format!(
        "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        crate::error::lower_first(field),
        allowed.join(", ")
    )))
}

/// One entity of a listing that mixes kinds.
enum Entity<'a> {
    User(&'a User),
    Group(&'a Group),
    Role(&'a Role),
    Policy(String),
}

// ---- ListEntitiesForPolicy ----

pub fn list_entities_for_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let filter = call.params.get("EntityFilter");
    if let Some(f) = filter {
        check_enum("EntityFilter", f, ENTITY_TYPES)?;
    }
    let usage = call.params.get("PolicyUsageFilter");
    if let Some(u) = usage {
        check_enum(
            "PolicyUsageFilter",
            u,
            &["PermissionsPolicy", "PermissionsBoundary"],
        )?;
    }
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    if crate::authorize::managed_document(state, &call.account, &arn).is_none() {
        return Err(AwsError::no_such_entity(format!("Policy {arn} was not found.")));
    }
    let wants = |kind: &str| filter.is_none_or(|f| f == kind);
    let attached = usage != Some("PermissionsBoundary");
    let bounded = usage != Some("PermissionsPolicy");
    let uses = |list: &[String], boundary: Option<&String>| {
        (attached && list.contains(&arn)) || (bounded && boundary == Some(&arn))
    };
    let mut entities = Vec::new();
    if let Some(account) = state.account(&call.account) {
        if wants("Group") {
            entities.extend(
                account
                    .groups
                    .values()
                    .filter(|g| g.path.starts_with(prefix) && uses(&g.attached, None))
                    .map(Entity::Group),
            );
        }
        if wants("User") {
            entities.extend(
                account
                    .users
                    .values()
                    .filter(|u| u.path.starts_with(prefix) && uses(&u.attached, u.boundary.as_ref()))
                    .map(Entity::User),
            );
        }
        if wants("Role") {
            entities.extend(
                account
                    .roles
                    .values()
                    .filter(|r| r.path.starts_with(prefix) && uses(&r.attached, r.boundary.as_ref()))
                    .map(Entity::Role),
            );
        }
    }
    let page = paginate(call.params, entities)?;
    let mut x = Xml::default();
    x.with("PolicyGroups", |x| {
        for e in &page.items {
            if let Entity::Group(g) = e {
                x.with("member", |x| {
                    x.elem("GroupName", &g.name);
                    x.elem("GroupId", &g.id);
                });
            }
        }
    });
    x.with("PolicyUsers", |x| {
        for e in &page.items {
            if let Entity::User(u) = e {
                x.with("member", |x| {
                    x.elem("UserName", &u.name);
                    x.elem("UserId", &u.id);
                });
            }
        }
    });
    x.with("PolicyRoles", |x| {
        for e in &page.items {
            if let Entity::Role(r) = e {
                x.with("member", |x| {
                    x.elem("RoleName", &r.name);
                    x.elem("RoleId", &r.id);
                });
            }
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

// ---- GetAccountAuthorizationDetails ----

fn inline_list_xml(x: &mut Xml, name: &str, policies: &BTreeMap<String, Document>) {
    x.with(name, |x| {
        for (policy_name, doc) in policies {
            x.with("member", |x| {
                x.elem("PolicyName", policy_name);
                x.elem("PolicyDocument", &encode_document(&doc.text));
            });
        }
    });
}

/// The policy's name: the last part of its ARN.
fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn attached_xml(x: &mut Xml, attached: &[String]) {
    x.with("AttachedManagedPolicies", |x| {
        for arn in attached {
            x.with("member", |x| {
                x.elem("PolicyName", policy_name(arn));
                x.elem("PolicyArn", arn);
            });
        }
    });
}

fn user_detail_xml(x: &mut Xml, u: &User) {
    x.elem("Path", &u.path);
    x.elem("UserName", &u.name);
    x.elem("UserId", &u.id);
    x.elem("Arn", &u.arn);
    x.elem("CreateDate", &ids::iso8601(u.created));
    inline_list_xml(x, "UserPolicyList", &u.inline);
    x.with("GroupList", |x| {
        for g in &u.groups {
            x.elem("member", g);
        }
    });
    attached_xml(x, &u.attached);
    if let Some(b) = &u.boundary {
        super::boundaries::boundary_xml(x, b);
    }
    tags_xml(x, &u.tags);
}

fn group_detail_xml(x: &mut Xml, g: &Group) {
    group_xml(x, g);
    inline_list_xml(x, "GroupPolicyList", &g.inline);
    attached_xml(x, &g.attached);
}

fn role_detail_xml(x: &mut Xml, account: &Account, r: &Role) {
    x.elem("Path", &r.path);
    x.elem("RoleName", &r.name);
    x.elem("RoleId", &r.id);
    x.elem("Arn", &r.arn);
    x.elem("CreateDate", &ids::iso8601(r.created));
    x.elem("AssumeRolePolicyDocument", &encode_document(&r.trust.text));
    x.with("InstanceProfileList", |x| {
        for profile in account.profiles_of_role(&r.name) {
            x.with("member", |x| {
                super::instance_profiles::profile_xml(x, account, profile);
            });
        }
    });
    inline_list_xml(x, "RolePolicyList", &r.inline);
    attached_xml(x, &r.attached);
    if let Some(b) = &r.boundary {
        super::boundaries::boundary_xml(x, b);
    }
    tags_xml(x, &r.tags);
    super::roles::last_used_xml(x, r);
}

/// The managed policies GetAccountAuthorizationDetails reports: every
/// customer-managed one, and the AWS-managed ones the account uses.
fn policies_in_use(account: &Account, local: bool, aws: bool) -> Vec<String> {
    let mut arns = Vec::new();
    if local {
        arns.extend(account.policies.keys().cloned());
    }
    if aws {
        arns.extend(
            crate::managed::all()
                .iter()
                .map(crate::managed::AwsManagedPolicy::arn)
                .filter(|arn| account.attachment_count(arn) > 0 || account.boundary_count(arn) > 0),
        );
    }
    arns
}

pub fn get_account_authorization_details(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let filter = call.params.list("Filter");
    for f in &filter {
        check_enum("Filter", f, ENTITY_TYPES)?;
    }
    let wants = |kind: &str| filter.is_empty() || filter.iter().any(|f| f == kind);
    let mut entities = Vec::new();
    if let Some(account) = state.account(&call.account) {
        if wants("User") {
            entities.extend(account.users.values().map(Entity::User));
        }
        if wants("Group") {
            entities.extend(account.groups.values().map(Entity::Group));
        }
        if wants("Role") {
            entities.extend(account.roles.values().map(Entity::Role));
        }
        let arns = policies_in_use(account, wants("LocalManagedPolicy"), wants("AWSManagedPolicy"));
        entities.extend(arns.into_iter().map(Entity::Policy));
    }
    let page = paginate(call.params, entities)?;
    let mut x = Xml::default();
    x.with("UserDetailList", |x| {
        for e in &page.items {
            if let Entity::User(u) = e {
                x.with("member", |x| user_detail_xml(x, u));
            }
        }
    });
    x.with("GroupDetailList", |x| {
        for e in &page.items {
            if let Entity::Group(g) = e {
                x.with("member", |x| group_detail_xml(x, g));
            }
        }
    });
    x.with("RoleDetailList", |x| {
        let Some(account) = state.account(&call.account) else {
            return;
        };
        for e in &page.items {
            if let Entity::Role(r) = e {
                x.with("member", |x| role_detail_xml(x, account, r));
            }
        }
    });
    x.with("Policies", |x| {
        for e in &page.items {
            if let Entity::Policy(arn) = e {
                x.with("member", |x| {
                    super::managed::policy_detail_xml(x, state, call, arn);
                });
            }
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

// ---- GetAccountSummary ----

/// AWS's default IAM quotas, as GetAccountSummary names them.
const QUOTAS: &[(&str, usize)] = &[
    ("AccessKeysPerUserQuota", 2),
    ("AssumeRolePolicySizeQuota", 2048),
    ("AttachedPoliciesPerGroupQuota", 10),
    ("AttachedPoliciesPerRoleQuota", 10),
    ("AttachedPoliciesPerUserQuota", 10),
    ("GroupPolicySizeQuota", 5120),
    ("GroupsPerUserQuota", 10),
    ("GroupsQuota", 300),
    ("InstanceProfilesQuota", 1000),
    ("PoliciesQuota", 1500),
    ("PolicySizeQuota", 6144),
    ("PolicyVersionsInUseQuota", 10000),
    ("RolePolicySizeQuota", 10240),
    ("RolesQuota", 1000),
    ("ServerCertificatesQuota", 20),
    ("SigningCertificatesPerUserQuota", 2),
    ("UserPolicySizeQuota", 2048),
    ("UsersQuota", 5000),
    ("VersionsPerPolicyQuota", 5),
];

fn usage(state: &State, call: &Call) -> Vec<(&'static str, usize)> {
    let Some(a) = state.account(&call.account) else {
        return Vec::new();
    };
    let attachments = a.users.values().map(|u| u.attached.len()).sum::<usize>()
        + a.groups.values().map(|g| g.attached.len()).sum::<usize>()
        + a.roles.values().map(|r| r.attached.len()).sum::<usize>();
    let root_keys = state.root_keys.iter().any(|k| k.account == call.account);
    vec![
        ("Users", a.users.len()),
        ("Groups", a.groups.len()),
        ("Roles", a.roles.len()),
        ("Policies", a.policies.len()),
        ("PolicyVersionsInUse", attachments),
        ("AccountAccessKeysPresent", usize::from(root_keys)),
        // Always 0: "You cannot enable an MFA device for the AWS account
        // root user with the AWS CLI, AWS API, … or any other command-line
        // tool" (IAM User Guide, "Enabling and managing virtual MFA devices
        // (AWS CLI or AWS API)"), and the emulator has no console sign-in.
        ("AccountMFAEnabled", 0),
        ("AccountSigningCertificatesPresent", 0),
        ("MFADevices", a.credentials.mfa_devices.len()),
        (
            "MFADevicesInUse",
            a.credentials
                .mfa_devices
                .values()
                .filter(|d| d.assigned.is_some())
                .count(),
        ),
        ("InstanceProfiles", a.instance_profiles.len()),
        ("Providers", a.provider_count()),
        ("ServerCertificates", a.credentials.server_certificates.len()),
        ("GlobalEndpointTokenVersion", a.settings.token_version().number()),
    ]
}

pub fn get_account_summary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let mut x = Xml::default();
    x.with("SummaryMap", |x| {
        for (name, value) in usage(state, call).into_iter().chain(QUOTAS.iter().copied()) {
            x.with("entry", |x| {
                x.elem("key", name);
                x.elem("value", &value.to_string());
            });
        }
    });
    Ok(x)
}
