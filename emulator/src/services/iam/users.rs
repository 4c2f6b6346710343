//! Users: CreateUser, GetUser (no name: the caller), ListUsers, UpdateUser,
//! DeleteUser.

use super::{check_name, check_path, page_tail, paginate, read_tags, tag_context, tags_xml, Call};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::iam::{key, User};
use crate::state::State;

pub fn no_such_user(name: &str) -> AwsError {
    AwsError::no_such_entity(format!("The user with name {name} cannot be found."))
}

/// The named user of the caller's account.
pub fn find<'s>(state: &'s State, call: &Call, name: &str) -> AwsResult<&'s User> {
    state
        .account(&call.account)
        .and_then(|a| a.users.get(&key(name)))
        .ok_or_else(|| no_such_user(name))
}

pub fn find_mut<'s>(state: &'s mut State, call: &Call, name: &str) -> AwsResult<&'s mut User> {
    state
        .account_mut(&call.account)
        .users
        .get_mut(&key(name))
        .ok_or_else(|| no_such_user(name))
}

pub fn user_xml(x: &mut Xml, user: &User) {
    x.elem("Path", &user.path);
    x.elem("UserName", &user.name);
    x.elem("UserId", &user.id);
    x.elem("Arn", &user.arn);
    x.elem("CreateDate", &ids::iso8601(user.created));
    if let Some(boundary) = &user.boundary {
        super::boundaries::boundary_xml(x, boundary);
    }
    tags_xml(x, &user.tags);
}

pub fn create_user(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?;
    check_name("UserName", name, 64)?;
    let path = call.params.get("Path").unwrap_or("/");
    check_path(path)?;
    let tags = read_tags(call.params)?;
    let arn = call.arn("user", path, name);
    let boundary = call.params.get("PermissionsBoundary").map(str::to_string);
    let mut context = tag_context(&tags);
    if let Some(b) = &boundary {
        context.set("iam:PermissionsBoundary", b.clone());
    }
    if let Some(b) = &boundary {
        super::managed::require_policy(state, call, b)?;
    }
    let account = state.account_mut(&call.account);
    if account.users.contains_key(&key(name)) {
        return Err(AwsError::already_exists(format!(
            "User with name {name} already exists."
        )));
    }
    let user = User {
        name: name.to_string(),
        id: ids::unique_id("AIDA"),
        path: path.to_string(),
        arn,
        created: call.ctx.shared.now(),
        inline: std::collections::BTreeMap::default(),
        attached: Vec::new(),
        groups: Vec::new(),
        tags,
        boundary,
        access_keys: Vec::new(),
        credentials: crate::state::credentials::UserCredentials::default(),
    };
    let mut x = Xml::default();
    x.with("User", |x| user_xml(x, &user));
    account.users.insert(key(name), user);
    Ok(x)
}

pub fn get_user(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let Some(name) = super::door::target_user(call)? else {
        let mut x = Xml::default();
        x.with("User", |x| {
            x.elem("UserId", &call.account);
            x.elem("Arn", &call.caller.principal.arn);
            x.elem("CreateDate", &ids::iso8601(call.ctx.shared.now()));
        });
        return Ok(x);
    };
    let user = find(state, call, &name)?;
    let mut x = Xml::default();
    x.with("User", |x| user_xml(x, user));
    Ok(x)
}

pub fn list_users(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let users: Vec<User> = state
        .account(&call.account)
        .map(|a| {
            a.users
                .values()
                .filter(|u| u.path.starts_with(prefix))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let page = paginate(call.params, users)?;
    let mut x = Xml::default();
    x.with("Users", |x| {
        for user in &page.items {
            x.with("member", |x| user_xml(x, user));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn update_user(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let new_name = call.params.get("NewUserName").map(str::to_string);
    let new_path = call.params.get("NewPath").map(str::to_string);
    if let Some(n) = &new_name {
        check_name("NewUserName", n, 64)?;
    }
    if let Some(p) = &new_path {
        check_path(p)?;
    }
    find(state, call, &name)?;
    let account = state.account_mut(&call.account);
    if let Some(n) = &new_name {
        if key(n) != key(&name) && account.users.contains_key(&key(n)) {
            return Err(AwsError::already_exists(format!(
                "User with name {n} already exists."
            )));
        }
    }
    let mut user = account
        .users
        .remove(&key(&name))
        .ok_or_else(|| no_such_user(&name))?;
    if let Some(n) = new_name {
        user.name = n;
    }
    if let Some(p) = new_path {
        user.path = p;
    }
    user.arn = format!("arn:aws:iam::{}:user{}{}", call.account, user.path, user.name);
    account.users.insert(key(&user.name), user);
    Ok(Xml::default())
}

pub fn delete_user(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let user = find(state, call, &name)?;
    let has_mfa = state
        .account(&call.account)
        .is_some_and(|a| a.credentials.devices_of(&user.name).next().is_some());
    let c = &user.credentials;
    let conflict = if c.login_profile.is_some() {
        Some("Cannot delete entity, must delete login profile first.")
    } else if !user.access_keys.is_empty() {
        Some("Cannot delete entity, must delete access keys first.")
    } else if !c.signing_certificates.is_empty() {
        Some("Cannot delete entity, must delete signing certificates first.")
    } else if !c.ssh_keys.is_empty() {
        Some("Cannot delete entity, must delete SSH public keys first.")
    } else if !c.service_credentials.is_empty() {
        Some("Cannot delete entity, must delete service specific credentials first.")
    } else if has_mfa {
        Some("Cannot delete entity, must delete MFA device first.")
    } else if !user.inline.is_empty() {
        Some("Cannot delete entity, must delete policies first.")
    } else if !user.attached.is_empty() {
        Some("Cannot delete entity, must detach all policies first.")
    } else if !user.groups.is_empty() {
        Some("Cannot delete entity, must remove users from group first.")
    } else {
        None
    };
    if let Some(message) = conflict {
        return Err(AwsError::delete_conflict(message));
    }
    state.account_mut(&call.account).users.remove(&key(&name));
    Ok(Xml::default())
}
