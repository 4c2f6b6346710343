//! Roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
//! UpdateAssumeRolePolicy, DeleteRole. The trust policy is checked on every
//! write by the evaluator's write-time validator, as IAM checks it.

use super::{
    check_name, check_path, encode_document, page_tail, paginate, read_tags, tag_context, tags_xml, Call,
};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::iam::{key, Document, Role};
use crate::state::State;
use iam_evaluator::validate::{policy_size, WriteTarget};

/// IAM's default quota on a trust policy's size (white space excluded).
const MAX_TRUST_POLICY_SIZE: usize = 2048;
const DEFAULT_MAX_SESSION: i64 = 3600;
const MAX_DESCRIPTION: usize = 1000;

pub fn no_such_role(name: &str) -> AwsError {
    AwsError::no_such_entity(format!("The role with name {name} cannot be found."))
}

/// The named role of the caller's account.
pub fn find<'s>(state: &'s State, call: &Call, name: &str) -> AwsResult<&'s Role> {
    state
        .account(&call.account)
        .and_then(|a| a.roles.get(&key(name)))
        .ok_or_else(|| no_such_role(name))
}

pub fn find_mut<'s>(state: &'s mut State, call: &Call, name: &str) -> AwsResult<&'s mut Role> {
    state
        .account_mut(&call.account)
        .roles
        .get_mut(&key(name))
        .ok_or_else(|| no_such_role(name))
}

/// Which of a role's fields a reply carries: GetRole all of them, CreateRole
/// no `MaxSessionDuration`/`RoleLastUsed`, ListRoles no boundary, tags or
/// last use (as the API reference says of ListRoles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleView {
    Full,
    Created,
    Listed,
}

pub fn role_xml(x: &mut Xml, role: &Role, view: RoleView) {
    x.elem("Path", &role.path);
    x.elem("RoleName", &role.name);
    x.elem("RoleId", &role.id);
    x.elem("Arn", &role.arn);
    x.elem("CreateDate", &ids::iso8601(role.created));
    x.elem("AssumeRolePolicyDocument", &encode_document(&role.trust.text));
    x.opt("Description", role.description.as_deref());
    if view != RoleView::Created {
        x.elem("MaxSessionDuration", &role.max_session_duration.to_string());
    }
    if view == RoleView::Listed {
        return;
    }
    if let Some(boundary) = &role.boundary {
        super::boundaries::boundary_xml(x, boundary);
    }
    tags_xml(x, &role.tags);
    if view == RoleView::Full {
        last_used_xml(x, role);
    }
}

/// `<RoleLastUsed>`: empty until a session of the role makes a request.
pub fn last_used_xml(x: &mut Xml, role: &Role) {
    x.with("RoleLastUsed", |x| {
        if let Some(used) = &role.last_used {
            x.elem("LastUsedDate", &ids::iso8601(used.at));
            x.elem("Region", &used.region);
        }
    });
}

/// Reads and checks a trust policy: IAM's write-time checks for a trust
/// policy (which require a `Principal` and refuse a `Resource`), then that
/// the principals exist, then its size.
fn trust_document(state: &State, text: &str) -> AwsResult<Document> {
    let document = super::parse_document(text, WriteTarget::TrustPolicy)?;
    for statement in &document.parsed.statements {
        let Some(principal) = &statement.principal else {
            continue;
        };
        for arn in &principal.items.aws {
            if !principal_exists(state, arn) {
                return Err(AwsError::malformed_policy(format!(
                    "Invalid principal in policy: \"AWS\":\"{arn}\""
                )));
            }
        }
        for provider in &principal.items.federated {
            if !federated_exists(state, provider) {
                return Err(AwsError::malformed_policy(format!(
                    "Invalid principal in policy: \"Federated\":\"{provider}\""
                )));
            }
        }
    }
    if policy_size(text) > MAX_TRUST_POLICY_SIZE {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for ACLSizePerRole: {MAX_TRUST_POLICY_SIZE}"
        )));
    }
    Ok(document)
}

/// A `Federated` principal is an identity provider's ARN (an OIDC or SAML
/// provider, which must exist in an account the emulator holds) or a
/// provider AWS names by domain (`cognito-identity.amazonaws.com`,
/// `accounts.google.com`, …), taken as given.
fn federated_exists(state: &State, provider: &str) -> bool {
    if !provider.starts_with("arn:") {
        return true;
    }
    let Some(parsed) = iam_evaluator::arn::Arn::parse(provider).filter(|a| a.service == "iam") else {
        return false;
    };
    let oidc = parsed.resource.starts_with("oidc-provider/");
    if !oidc && !parsed.resource.starts_with("saml-provider/") {
        return false;
    }
    let Some(account) = state.account(parsed.account) else {
        return true;
    };
    if oidc {
        account.oidc_provider(provider).is_some()
    } else {
        account.saml_provider(provider).is_some()
    }
}

/// IAM checks that a user or role named as a principal exists; the emulator
/// can only check accounts it holds (others are accepted).
fn principal_exists(state: &State, arn: &str) -> bool {
    let Some(parsed) = iam_evaluator::arn::Arn::parse(arn) else {
        return true;
    };
    let Some(account) = state.account(parsed.account) else {
        return true;
    };
    if parsed.service != "iam" {
        return true;
    }
    let name = |prefix: &str| {
        parsed
            .resource
            .strip_prefix(prefix)
            .map(|rest| key(rest.rsplit('/').next().unwrap_or(rest)))
    };
    if let Some(user) = name("user/") {
        return user.contains('*') || account.users.get(&user).is_some_and(|u| u.arn == arn);
    }
    if let Some(role) = name("role/") {
        return role.contains('*') || account.roles.get(&role).is_some_and(|r| r.arn == arn);
    }
    true
}

fn check_description(description: Option<&str>) -> AwsResult<()> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION => Err(AwsError::validation(format!(
            "1 validation error detected: Value '{d}' at 'description' failed to satisfy constraint: Member must have length less than or equal to {MAX_DESCRIPTION}"
        ))),
        _ => Ok(()),
    }
}

pub fn create_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?;
    check_name("RoleName", name, 64)?;
    let path = call.params.get("Path").unwrap_or("/");
    check_path(path)?;
    let text = call.params.required("AssumeRolePolicyDocument")?;
    let description = call.params.get("Description");
    check_description(description)?;
    let max_session = call
        .params
        .int("MaxSessionDuration", 3600, 43200)?
        .unwrap_or(DEFAULT_MAX_SESSION);
    let tags = read_tags(call.params)?;
    let boundary = call.params.get("PermissionsBoundary").map(str::to_string);
    let arn = call.arn("role", path, name);
    let mut context = tag_context(&tags);
    if let Some(b) = &boundary {
        context.set("iam:PermissionsBoundary", b.clone());
    }
    if let Some(b) = &boundary {
        super::managed::require_policy(state, call, b)?;
    }
    let trust = trust_document(state, text)?;
    let account = state.account_mut(&call.account);
    if account.roles.contains_key(&key(name)) {
        return Err(AwsError::already_exists(format!(
            "Role with name {name} already exists."
        )));
    }
    let role = Role {
        name: name.to_string(),
        id: ids::unique_id("AROA"),
        path: path.to_string(),
        arn,
        created: call.ctx.shared.now(),
        trust,
        description: description.map(str::to_string),
        max_session_duration: max_session,
        inline: std::collections::BTreeMap::default(),
        attached: Vec::new(),
        tags,
        boundary,
        last_used: None,
    };
    let mut x = Xml::default();
    x.with("Role", |x| role_xml(x, &role, RoleView::Created));
    account.roles.insert(key(name), role);
    Ok(x)
}

pub fn get_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let role = find(state, call, &name)?;
    let mut x = Xml::default();
    x.with("Role", |x| role_xml(x, role, RoleView::Full));
    Ok(x)
}

pub fn list_roles(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let roles: Vec<&Role> = state
        .account(&call.account)
        .map(|a| a.roles.values().filter(|r| r.path.starts_with(prefix)).collect())
        .unwrap_or_default();
    let page = paginate(call.params, roles)?;
    let mut x = Xml::default();
    x.with("Roles", |x| {
        for role in &page.items {
            x.with("member", |x| role_xml(x, role, RoleView::Listed));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn update_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let description = call.params.get("Description").map(str::to_string);
    check_description(description.as_deref())?;
    let max_session = call.params.int("MaxSessionDuration", 3600, 43200)?;
    let role = find_mut(state, call, &name)?;
    if let Some(d) = description {
        role.description = Some(d);
    }
    if let Some(m) = max_session {
        role.max_session_duration = m;
    }
    Ok(Xml::default())
}

pub fn update_role_description(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let description = call.params.required("Description")?.to_string();
    check_description(Some(&description))?;
    let role = find_mut(state, call, &name)?;
    role.description = Some(description);
    let mut x = Xml::default();
    x.with("Role", |x| role_xml(x, role, RoleView::Full));
    Ok(x)
}

pub fn update_assume_role_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let text = call.params.required("PolicyDocument")?.to_string();
    find(state, call, &name)?;
    let trust = trust_document(state, &text)?;
    find_mut(state, call, &name)?.trust = trust;
    Ok(Xml::default())
}

pub fn delete_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let role = find(state, call, &name)?;
    let in_profile = state
        .account(&call.account)
        .is_some_and(|a| a.profiles_of_role(&role.name).next().is_some());
    let conflict = if in_profile {
        Some("Cannot delete entity, must remove roles from instance profile first.")
    } else if !role.inline.is_empty() {
        Some("Cannot delete entity, must delete policies first.")
    } else if !role.attached.is_empty() {
        Some("Cannot delete entity, must detach all policies first.")
    } else {
        None
    };
    if let Some(message) = conflict {
        return Err(AwsError::delete_conflict(message));
    }
    state.account_mut(&call.account).roles.remove(&key(&name));
    Ok(Xml::default())
}
