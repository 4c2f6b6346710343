//! Managed policies: customer-managed (Create/Get/List/Delete and their
//! versions) and AWS-managed (read-only), and attaching them to users,
//! groups and roles.

use super::inline::Holder;
use super::{
    check_name, check_path, encode_document, page_tail, paginate, parse_document, read_tags, tags_xml, Call,
};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::iam::{key, ManagedPolicy, PolicyVersion};
use crate::state::State;
use iam_evaluator::validate::{policy_size, WriteTarget, IDENTITY_POLICY_QUOTA};

/// IAM's quotas for managed policies.
const MAX_POLICY_SIZE: usize = IDENTITY_POLICY_QUOTA;
const MAX_VERSIONS: usize = 5;
const MAX_ATTACHED: usize = 10;

fn not_attachable(arn: &str) -> AwsError {
    AwsError::no_such_entity(format!("Policy {arn} does not exist or is not attachable."))
}

fn no_such_policy(arn: &str) -> AwsError {
    AwsError::no_such_entity(format!("Policy {arn} was not found."))
}

/// Fails unless `arn` names a managed policy the caller's account can use.
pub fn require_policy(state: &State, call: &Call, arn: &str) -> AwsResult<()> {
    if crate::authorize::managed_document(state, &call.account, arn).is_some() {
        Ok(())
    } else {
        Err(not_attachable(arn))
    }
}

/// A policy as IAM describes it, customer- or AWS-managed.
struct PolicyView {
    name: String,
    id: String,
    path: String,
    arn: String,
    default_version: String,
    description: Option<String>,
    created: String,
    updated: String,
    tags: Vec<(String, String)>,
    attachments: usize,
    boundary_uses: usize,
}

fn view_customer(state: &State, call: &Call, p: &ManagedPolicy) -> PolicyView {
    let account = state.account(&call.account);
    PolicyView {
        name: p.name.clone(),
        id: p.id.clone(),
        path: p.path.clone(),
        arn: p.arn.clone(),
        default_version: p.default_version.clone(),
        description: p.description.clone(),
        created: ids::iso8601(p.created),
        updated: ids::iso8601(p.updated),
        tags: p.tags.clone(),
        attachments: account.map_or(0, |a| a.attachment_count(&p.arn)),
        boundary_uses: account.map_or(0, |a| a.boundary_count(&p.arn)),
    }
}

fn view_aws(state: &State, call: &Call, p: &crate::managed::AwsManagedPolicy) -> PolicyView {
    let arn = format!("arn:aws:iam::aws:policy{}{}", p.path, p.name);
    let account = state.account(&call.account);
    PolicyView {
        name: p.name.to_string(),
        id: format!("ANPA{}", &hex_id(&arn)),
        path: p.path.to_string(),
        default_version: p.version.to_string(),
        description: None,
        created: p.created.into(),
        updated: p.updated.into(),
        tags: Vec::new(),
        attachments: account.map_or(0, |a| a.attachment_count(&arn)),
        boundary_uses: account.map_or(0, |a| a.boundary_count(&arn)),
        arn,
    }
}

/// A stable id for an AWS managed policy (17 characters from its ARN's hash).
fn hex_id(arn: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(arn.as_bytes());
    digest
        .iter()
        .take(17)
        .map(|b| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(*b % 32) as usize]))
        .collect()
}

fn find_view(state: &State, call: &Call, arn: &str) -> Option<PolicyView> {
    if let Some(p) = state.account(&call.account).and_then(|a| a.policies.get(arn)) {
        return Some(view_customer(state, call, p));
    }
    crate::managed::find(arn).map(|p| view_aws(state, call, p))
}

fn policy_xml(x: &mut Xml, p: &PolicyView) {
    x.elem("PolicyName", &p.name);
    x.elem("DefaultVersionId", &p.default_version);
    x.elem("PolicyId", &p.id);
    x.elem("Path", &p.path);
    x.elem("Arn", &p.arn);
    x.elem("AttachmentCount", &p.attachments.to_string());
    x.elem("PermissionsBoundaryUsageCount", &p.boundary_uses.to_string());
    x.elem("IsAttachable", "true");
    x.opt("Description", p.description.as_deref());
    x.elem("CreateDate", &p.created);
    x.elem("UpdateDate", &p.updated);
    tags_xml(x, &p.tags);
}

/// Writes a `ManagedPolicyDetail` (GetAccountAuthorizationDetails): the
/// policy with every version's document. `false` when there is no such policy.
pub fn policy_detail_xml(x: &mut Xml, state: &State, call: &Call, arn: &str) -> bool {
    let Some(p) = find_view(state, call, arn) else {
        return false;
    };
    x.elem("PolicyName", &p.name);
    x.elem("PolicyId", &p.id);
    x.elem("Arn", &p.arn);
    x.elem("Path", &p.path);
    x.elem("DefaultVersionId", &p.default_version);
    x.elem("AttachmentCount", &p.attachments.to_string());
    x.elem("PermissionsBoundaryUsageCount", &p.boundary_uses.to_string());
    x.elem("IsAttachable", "true");
    x.opt("Description", p.description.as_deref());
    x.elem("CreateDate", &p.created);
    x.elem("UpdateDate", &p.updated);
    x.with("PolicyVersionList", |x| {
        if let Some(policy) = state.account(&call.account).and_then(|a| a.policies.get(arn)) {
            for v in policy.versions.iter().rev() {
                x.with("member", |x| version_xml(x, v, &policy.default_version, true));
            }
        } else if let Some(aws) = crate::managed::find(arn) {
            x.with("member", |x| {
                x.elem("Document", &encode_document(aws.document));
                x.elem("VersionId", aws.version);
                x.elem("IsDefaultVersion", "true");
                x.elem("CreateDate", &p.updated);
            });
        }
    });
    true
}

fn check_size(text: &str) -> AwsResult<()> {
    if policy_size(text) > MAX_POLICY_SIZE {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}"
        )));
    }
    Ok(())
}

pub fn create_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("PolicyName")?.to_string();
    check_name("PolicyName", &name, 128)?;
    let path = call.params.get("Path").unwrap_or("/").to_string();
    check_path(&path)?;
    let text = call.params.required("PolicyDocument")?.to_string();
    let tags = read_tags(call.params)?;
    let arn = call.arn("policy", &path, &name);
    let document = parse_document(&text, WriteTarget::ManagedPolicy)?;
    check_size(&text)?;
    let account = state.account_mut(&call.account);
    if account.policies.values().any(|p| key(&p.name) == key(&name)) {
        return Err(AwsError::already_exists(format!(
            "A policy called {name} already exists. Duplicate names are not allowed."
        )));
    }
    let now = call.ctx.shared.now();
    let policy = ManagedPolicy {
        name,
        id: ids::unique_id("ANPA"),
        path,
        arn: arn.clone(),
        description: call.params.get("Description").map(str::to_string),
        created: now,
        updated: now,
        default_version: "v1".into(),
        versions: vec![PolicyVersion {
            id: "v1".into(),
            document,
            created: now,
        }],
        next_version: 2,
        tags,
    };
    account.policies.insert(arn, policy);
    let view = find_view(
        state,
        call,
        &call.arn(
            "policy",
            call.params.get("Path").unwrap_or("/"),
            call.params.required("PolicyName")?,
        ),
    );
    let mut x = Xml::default();
    if let Some(view) = view {
        x.with("Policy", |x| policy_xml(x, &view));
    }
    Ok(x)
}

pub fn get_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let view = find_view(state, call, &arn).ok_or_else(|| no_such_policy(&arn))?;
    let mut x = Xml::default();
    x.with("Policy", |x| policy_xml(x, &view));
    Ok(x)
}

pub fn list_policies(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let scope = call.params.get("Scope").unwrap_or("All");
    if !["All", "AWS", "Local"].contains(&scope) {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value '{scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
        )));
    }
    let only_attached = call.params.bool("OnlyAttached").unwrap_or(false);
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let mut views = Vec::new();
    if scope != "Local" {
        views.extend(crate::managed::all().iter().map(|p| view_aws(state, call, p)));
    }
    if scope != "AWS" {
        if let Some(account) = state.account(&call.account) {
            views.extend(account.policies.values().map(|p| view_customer(state, call, p)));
        }
    }
    views.retain(|v| v.path.starts_with(prefix) && (!only_attached || v.attachments > 0));
    let page = paginate(call.params, views)?;
    let mut x = Xml::default();
    x.with("Policies", |x| {
        for v in &page.items {
            x.with("member", |x| policy_xml(x, v));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

fn customer_policy<'s>(state: &'s mut State, call: &Call, arn: &str) -> AwsResult<&'s mut ManagedPolicy> {
    state
        .account_mut(&call.account)
        .policies
        .get_mut(arn)
        .ok_or_else(|| no_such_policy(arn))
}

pub fn delete_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let account = state.account_mut(&call.account);
    let policy = account.policies.get(&arn).ok_or_else(|| no_such_policy(&arn))?;
    if account.attachment_count(&arn) > 0 || account.boundary_count(&arn) > 0 {
        return Err(AwsError::delete_conflict(
            "Cannot delete a policy attached to entities.",
        ));
    }
    if policy.versions.len() > 1 {
        return Err(AwsError::delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        ));
    }
    account.policies.remove(&arn);
    Ok(Xml::default())
}

fn version_xml(x: &mut Xml, v: &PolicyVersion, default: &str, with_document: bool) {
    if with_document {
        x.elem("Document", &encode_document(&v.document.text));
    }
    x.elem("VersionId", &v.id);
    x.elem("IsDefaultVersion", if v.id == default { "true" } else { "false" });
    x.elem("CreateDate", &ids::iso8601(v.created));
}

pub fn create_policy_version(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let text = call.params.required("PolicyDocument")?.to_string();
    let set_default = call.params.bool("SetAsDefault").unwrap_or(false);
    let document = parse_document(&text, WriteTarget::ManagedPolicy)?;
    check_size(&text)?;
    let policy = customer_policy(state, call, &arn)?;
    if policy.versions.len() >= MAX_VERSIONS {
        return Err(AwsError::limit_exceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        ));
    }
    let version = PolicyVersion {
        id: format!("v{}", policy.next_version),
        document,
        created: call.ctx.shared.now(),
    };
    policy.next_version += 1;
    if set_default {
        policy.default_version.clone_from(&version.id);
    }
    policy.updated = version.created;
    let mut x = Xml::default();
    x.with("PolicyVersion", |x| {
        version_xml(x, &version, &policy.default_version, false);
    });
    policy.versions.push(version);
    Ok(x)
}

pub fn get_policy_version(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let version_id = call.params.required("VersionId")?.to_string();
    let mut x = Xml::default();
    if let Some(aws) = crate::managed::find(&arn) {
        if aws.version != version_id {
            return Err(AwsError::no_such_entity(format!(
                "Policy {arn} version {version_id} does not exist or is not attachable."
            )));
        }
        x.with("PolicyVersion", |x| {
            x.elem("Document", &encode_document(aws.document));
            x.elem("VersionId", aws.version);
            x.elem("IsDefaultVersion", "true");
            x.elem("CreateDate", aws.updated);
        });
        return Ok(x);
    }
    let policy = customer_policy(state, call, &arn)?;
    let version = policy
        .versions
        .iter()
        .find(|v| v.id == version_id)
        .ok_or_else(|| {
            AwsError::no_such_entity(format!(
                "Policy {arn} version {version_id} does not exist or is not attachable."
            ))
        })?;
    x.with("PolicyVersion", |x| {
        version_xml(x, version, &policy.default_version, true);
    });
    Ok(x)
}

pub fn list_policy_versions(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let policy = customer_policy(state, call, &arn)?;
    let default = policy.default_version.clone();
    let mut versions = policy.versions.clone();
    versions.reverse();
    let page = paginate(call.params, versions)?;
    let mut x = Xml::default();
    x.with("Versions", |x| {
        for v in &page.items {
            x.with("member", |x| version_xml(x, v, &default, false));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn set_default_policy_version(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let version_id = call.params.required("VersionId")?.to_string();
    let policy = customer_policy(state, call, &arn)?;
    if !policy.versions.iter().any(|v| v.id == version_id) {
        return Err(AwsError::no_such_entity(format!(
            "Policy {arn} version {version_id} does not exist or is not attachable."
        )));
    }
    policy.default_version = version_id;
    Ok(Xml::default())
}

pub fn delete_policy_version(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicyArn")?.to_string();
    let version_id = call.params.required("VersionId")?.to_string();
    let policy = customer_policy(state, call, &arn)?;
    if policy.default_version == version_id {
        return Err(AwsError::delete_conflict(
            "Cannot delete the default version of a policy.",
        ));
    }
    let before = policy.versions.len();
    policy.versions.retain(|v| v.id != version_id);
    if policy.versions.len() == before {
        return Err(AwsError::no_such_entity(format!(
            "Policy {arn} version {version_id} does not exist or is not attachable."
        )));
    }
    Ok(Xml::default())
}

// ---- attachments ----

fn holder_parts(holder: Holder) -> (&'static str, &'static str, &'static str) {
    match holder {
        Holder::User => ("UserName", "User", "user"),
        Holder::Group => ("GroupName", "Group", "group"),
        Holder::Role => ("RoleName", "Role", "role"),
    }
}

fn attached_mut<'s>(
    state: &'s mut State,
    call: &Call,
    holder: Holder,
    name: &str,
) -> AwsResult<&'s mut Vec<String>> {
    let account = state.account_mut(&call.account);
    let k = key(name);
    let list = match holder {
        Holder::User => account.users.get_mut(&k).map(|e| &mut e.attached),
        Holder::Group => account.groups.get_mut(&k).map(|e| &mut e.attached),
        Holder::Role => account.roles.get_mut(&k).map(|e| &mut e.attached),
    };
    let (_, _, word) = holder_parts(holder);
    list.ok_or_else(|| AwsError::no_such_entity(format!("The {word} with name {name} cannot be found.")))
}

pub fn attach(holder: Holder, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let (param, entity, _) = holder_parts(holder);
    let name = call.params.required(param)?.to_string();
    let policy_arn = call.params.required("PolicyArn")?.to_string();
    attached_mut(state, call, holder, &name)?;
    require_policy(state, call, &policy_arn)?;
    let attached = attached_mut(state, call, holder, &name)?;
    if !attached.contains(&policy_arn) {
        if attached.len() >= MAX_ATTACHED {
            return Err(AwsError::limit_exceeded(format!(
                "Cannot exceed quota for PoliciesPer{entity}: {MAX_ATTACHED}"
            )));
        }
        attached.push(policy_arn);
    }
    Ok(Xml::default())
}

pub fn detach(holder: Holder, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let (param, _, _) = holder_parts(holder);
    let name = call.params.required(param)?.to_string();
    let policy_arn = call.params.required("PolicyArn")?.to_string();
    let attached = attached_mut(state, call, holder, &name)?;
    let before = attached.len();
    attached.retain(|a| *a != policy_arn);
    if attached.len() == before {
        return Err(AwsError::no_such_entity(format!(
            "Policy {policy_arn} was not found."
        )));
    }
    Ok(Xml::default())
}

pub fn list_attached(holder: Holder, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let (param, _, _) = holder_parts(holder);
    let name = call.params.required(param)?.to_string();
    let prefix = call.params.get("PathPrefix").unwrap_or("/").to_string();
    let arns = attached_mut(state, call, holder, &name)?.clone();
    let views: Vec<PolicyView> = arns
        .iter()
        .filter_map(|arn| find_view(state, call, arn))
        .filter(|v| v.path.starts_with(&prefix))
        .collect();
    let page = paginate(call.params, views)?;
    let mut x = Xml::default();
    x.with("AttachedPolicies", |x| {
        for v in &page.items {
            x.with("member", |x| {
                x.elem("PolicyName", &v.name);
                x.elem("PolicyArn", &v.arn);
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn attach_user_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    attach(Holder::User, state, call)
}
pub fn detach_user_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    detach(Holder::User, state, call)
}
pub fn list_attached_user_policies(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list_attached(Holder::User, state, call)
}
pub fn attach_group_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    attach(Holder::Group, state, call)
}
pub fn detach_group_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    detach(Holder::Group, state, call)
}
pub fn list_attached_group_policies(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list_attached(Holder::Group, state, call)
}
pub fn attach_role_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    attach(Holder::Role, state, call)
}
pub fn detach_role_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    detach(Holder::Role, state, call)
}
pub fn list_attached_role_policies(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list_attached(Holder::Role, state, call)
}
