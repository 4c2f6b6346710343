//! Groups: CreateGroup, GetGroup (with its members), ListGroups,
//! ListGroupsForUser, AddUserToGroup, RemoveUserFromGroup, UpdateGroup,
//! DeleteGroup. A user's `groups` list holds the names of its groups; it
//! is kept in step when a group is renamed.

use super::users;
use super::{check_name, check_path, page_tail, paginate, Call};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::iam::{key, Group, User};
use crate::state::State;

/// AWS's quota of groups one user may belong to.
const MAX_GROUPS_PER_USER: usize = 10;

pub fn no_such_group(name: &str) -> AwsError {
    AwsError::no_such_entity(format!("The group with name {name} cannot be found."))
}

/// The named group of the caller's account.
pub fn find<'s>(state: &'s State, call: &Call, name: &str) -> AwsResult<&'s Group> {
    state
        .account(&call.account)
        .and_then(|a| a.groups.get(&key(name)))
        .ok_or_else(|| no_such_group(name))
}

pub fn group_xml(x: &mut Xml, group: &Group) {
    x.elem("Path", &group.path);
    x.elem("GroupName", &group.name);
    x.elem("GroupId", &group.id);
    x.elem("Arn", &group.arn);
    x.elem("CreateDate", &ids::iso8601(group.created));
}

/// Is `user` a member of the group named `group`?
pub fn is_member(user: &User, group: &str) -> bool {
    user.groups.iter().any(|g| key(g) == key(group))
}

pub fn create_group(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("GroupName")?;
    check_name("GroupName", name, 128)?;
    let path = call.params.get("Path").unwrap_or("/");
    check_path(path)?;
    let arn = call.arn("group", path, name);
    let account = state.account_mut(&call.account);
    if account.groups.contains_key(&key(name)) {
        return Err(AwsError::already_exists(format!(
            "Group with name {name} already exists."
        )));
    }
    let group = Group {
        name: name.to_string(),
        id: ids::unique_id("AGPA"),
        path: path.to_string(),
        arn,
        created: call.ctx.shared.now(),
        inline: std::collections::BTreeMap::default(),
        attached: Vec::new(),
    };
    let mut x = Xml::default();
    x.with("Group", |x| group_xml(x, &group));
    account.groups.insert(key(name), group);
    Ok(x)
}

pub fn get_group(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("GroupName")?.to_string();
    let group = find(state, call, &name)?;
    let members: Vec<&User> = state
        .account(&call.account)
        .map(|a| a.users.values().filter(|u| is_member(u, &group.name)).collect())
        .unwrap_or_default();
    let page = paginate(call.params, members)?;
    let mut x = Xml::default();
    x.with("Group", |x| group_xml(x, group));
    x.with("Users", |x| {
        for user in &page.items {
            x.with("member", |x| users::user_xml(x, user));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

fn groups_xml(call: &Call, groups: Vec<&Group>) -> AwsResult<Xml> {
    let page = paginate(call.params, groups)?;
    let mut x = Xml::default();
    x.with("Groups", |x| {
        for group in &page.items {
            x.with("member", |x| group_xml(x, group));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn list_groups(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let groups: Vec<&Group> = state
        .account(&call.account)
        .map(|a| a.groups.values().filter(|g| g.path.starts_with(prefix)).collect())
        .unwrap_or_default();
    groups_xml(call, groups)
}

pub fn list_groups_for_user(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let user = users::find(state, call, &name)?;
    let groups: Vec<&Group> = user
        .groups
        .iter()
        .filter_map(|g| state.account(&call.account)?.groups.get(&key(g)))
        .collect();
    groups_xml(call, groups)
}

pub fn add_user_to_group(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("GroupName")?.to_string();
    let user_name = call.params.required("UserName")?.to_string();
    let group_name = find(state, call, &name)?.name.clone();
    let user = users::find_mut(state, call, &user_name)?;
    if is_member(user, &group_name) {
        return Ok(Xml::default());
    }
    if user.groups.len() >= MAX_GROUPS_PER_USER {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}"
        )));
    }
    user.groups.push(group_name);
    Ok(Xml::default())
}

pub fn remove_user_from_group(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("GroupName")?.to_string();
    let user_name = call.params.required("UserName")?.to_string();
    find(state, call, &name)?;
    let user = users::find_mut(state, call, &user_name)?;
    user.groups.retain(|g| key(g) != key(&name));
    Ok(Xml::default())
}

pub fn update_group(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("GroupName")?.to_string();
    let new_name = call.params.get("NewGroupName").map(str::to_string);
    let new_path = call.params.get("NewPath").map(str::to_string);
    if let Some(n) = &new_name {
        check_name("NewGroupName", n, 128)?;
    }
    if let Some(p) = &new_path {
        check_path(p)?;
    }
    let current = find(state, call, &name)?.clone();
    let path = new_path.unwrap_or_else(|| current.path.clone());
    let final_name = new_name.unwrap_or_else(|| current.name.clone());
    let new_arn = call.arn("group", &path, &final_name);
    let account = state.account_mut(&call.account);
    if key(&final_name) != key(&current.name) && account.groups.contains_key(&key(&final_name)) {
        return Err(AwsError::already_exists(format!(
            "Group with name {final_name} already exists."
        )));
    }
    let mut group = account
        .groups
        .remove(&key(&current.name))
        .ok_or_else(|| no_such_group(&name))?;
    group.name.clone_from(&final_name);
    group.path = path;
    group.arn = new_arn;
    account.groups.insert(key(&final_name), group);
    for user in account.users.values_mut() {
        for g in &mut user.groups {
            if key(g) == key(&current.name) {
                g.clone_from(&final_name);
            }
        }
    }
    Ok(Xml::default())
}

pub fn delete_group(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("GroupName")?.to_string();
    let group = find(state, call, &name)?;
    let has_members = state
        .account(&call.account)
        .is_some_and(|a| a.users.values().any(|u| is_member(u, &group.name)));
    let conflict = if has_members {
        Some("Cannot delete entity, must remove users from group first.")
    } else if !group.inline.is_empty() {
        Some("Cannot delete entity, must delete policies first.")
    } else if !group.attached.is_empty() {
        Some("Cannot delete entity, must detach all policies first.")
    } else {
        None
    };
    if let Some(message) = conflict {
        return Err(AwsError::delete_conflict(message));
    }
    state.account_mut(&call.account).groups.remove(&key(&name));
    Ok(Xml::default())
}
