//! Instance profiles: Create/Get/Delete/List, Add/RemoveRoleToInstanceProfile
//! (one role at most), ListInstanceProfilesForRole. A role in a profile
//! cannot be deleted (`DeleteConflict`), nor a profile that holds a role.

use super::roles::{self, role_xml, RoleView};
use super::{page_tail, paginate, read_tags, tags_xml, Call};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::iam::{key, Account};
use crate::state::instance_profiles::InstanceProfile;
use crate::state::State;

/// IAM's quotas: instance profiles per account, roles per profile.
const MAX_PROFILES: usize = 1000;
const MAX_ROLES_PER_PROFILE: usize = 1;

fn no_such_profile(name: &str) -> AwsError {
    AwsError::no_such_entity(format!("Instance Profile {name} cannot be found."))
}

fn find<'s>(state: &'s State, call: &Call, name: &str) -> AwsResult<&'s InstanceProfile> {
    state
        .account(&call.account)
        .and_then(|a| a.instance_profiles.get(&key(name)))
        .ok_or_else(|| no_such_profile(name))
}

pub fn find_mut<'s>(state: &'s mut State, call: &Call, name: &str) -> AwsResult<&'s mut InstanceProfile> {
    state
        .account_mut(&call.account)
        .instance_profiles
        .get_mut(&key(name))
        .ok_or_else(|| no_such_profile(name))
}

/// Writes an `InstanceProfile`: the profile with its roles (as ListRoles
/// shows a role) and tags.
pub fn profile_xml(x: &mut Xml, account: &Account, profile: &InstanceProfile) {
    x.elem("Path", &profile.path);
    x.elem("InstanceProfileName", &profile.name);
    x.elem("InstanceProfileId", &profile.id);
    x.elem("Arn", &profile.arn);
    x.elem("CreateDate", &ids::iso8601(profile.created));
    x.with("Roles", |x| {
        for role in profile.roles.iter().filter_map(|r| account.roles.get(&key(r))) {
            x.with("member", |x| role_xml(x, role, RoleView::Listed));
        }
    });
    tags_xml(x, &profile.tags);
}

pub fn create_instance_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("InstanceProfileName")?.to_string();
    let path = call.params.get("Path").unwrap_or("/").to_string();
    let tags = read_tags(call.params)?;
    let arn = call.arn("instance-profile", &path, &name);
    let now = call.ctx.shared.now();
    let account = state.account_mut(&call.account);
    if account.instance_profiles.contains_key(&key(&name)) {
        return Err(AwsError::already_exists(format!(
            "Instance Profile {name} already exists."
        )));
    }
    if account.instance_profiles.len() >= MAX_PROFILES {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for InstanceProfilesPerAccount: {MAX_PROFILES}"
        )));
    }
    let profile = InstanceProfile {
        name: name.clone(),
        id: ids::unique_id("AIPA"),
        path,
        arn,
        created: now,
        roles: Vec::new(),
        tags,
    };
    let mut x = Xml::default();
    x.with("InstanceProfile", |x| profile_xml(x, account, &profile));
    account.instance_profiles.insert(key(&name), profile);
    Ok(x)
}

pub fn get_instance_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("InstanceProfileName")?;
    let profile = find(state, call, name)?;
    let account = state
        .account(&call.account)
        .ok_or_else(|| no_such_profile(name))?;
    let mut x = Xml::default();
    x.with("InstanceProfile", |x| profile_xml(x, account, profile));
    Ok(x)
}

pub fn delete_instance_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("InstanceProfileName")?;
    if !find(state, call, name)?.roles.is_empty() {
        return Err(AwsError::delete_conflict(
            "Cannot delete entity, must remove roles from instance profile first.",
        ));
    }
    state
        .account_mut(&call.account)
        .instance_profiles
        .remove(&key(name));
    Ok(Xml::default())
}

fn profiles_xml(call: &Call, account: Option<&Account>, profiles: Vec<&InstanceProfile>) -> AwsResult<Xml> {
    let page = paginate(call.params, profiles)?;
    let mut x = Xml::default();
    x.with("InstanceProfiles", |x| {
        for profile in &page.items {
            if let Some(account) = account {
                x.with("member", |x| profile_xml(x, account, profile));
            }
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn list_instance_profiles(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let account = state.account(&call.account);
    let profiles = account
        .map(|a| {
            a.instance_profiles
                .values()
                .filter(|p| p.path.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default();
    profiles_xml(call, account, profiles)
}

pub fn list_instance_profiles_for_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let role = call.params.required("RoleName")?;
    roles::find(state, call, role)?;
    let account = state.account(&call.account);
    let profiles = account
        .map(|a| a.profiles_of_role(role).collect())
        .unwrap_or_default();
    profiles_xml(call, account, profiles)
}

/// "An instance profile can contain only one role, and this quota cannot
/// be increased."
pub fn add_role_to_instance_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("InstanceProfileName")?;
    let role_name = call.params.required("RoleName")?;
    find(state, call, name)?;
    let role = roles::find(state, call, role_name)?.name.clone();
    let profile = find_mut(state, call, name)?;
    if profile.roles.len() >= MAX_ROLES_PER_PROFILE {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: {MAX_ROLES_PER_PROFILE}"
        )));
    }
    profile.roles.push(role);
    Ok(Xml::default())
}

pub fn remove_role_from_instance_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("InstanceProfileName")?;
    let role = call.params.required("RoleName")?;
    find(state, call, name)?;
    roles::find(state, call, role)?;
    let profile = find_mut(state, call, name)?;
    if !profile.holds(role) {
        return Err(roles::no_such_role(role));
    }
    profile.roles.retain(|r| key(r) != key(role));
    Ok(Xml::default())
}
