//! Inline policies of users, groups and roles: Put/Get/List/Delete. One
//! implementation serves all three entity kinds.

use super::{check_name, encode_document, page_tail, paginate, parse_document, Call};
use crate::error::{AwsError, AwsResult};
use crate::protocol::xml::Xml;
use crate::state::iam::{key, Document};
use crate::state::State;
use iam_evaluator::validate::{policy_size, WriteTarget};
use std::collections::BTreeMap;

/// The entity kinds that hold inline policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    User,
    Group,
    Role,
}

impl Holder {
    fn word(self) -> &'static str {
        match self {
            Holder::User => "user",
            Holder::Group => "group",
            Holder::Role => "role",
        }
    }

    fn name_param(self) -> &'static str {
        match self {
            Holder::User => "UserName",
            Holder::Group => "GroupName",
            Holder::Role => "RoleName",
        }
    }

    /// IAM's quota on the total size of one entity's inline policies
    /// (characters, white space excluded).
    fn size_quota(self) -> usize {
        match self {
            Holder::User => 2048,
            Holder::Group => 5120,
            Holder::Role => 10240,
        }
    }

    /// Does the entity exist?
    fn exists(self, state: &State, call: &Call, name: &str) -> bool {
        let Some(account) = state.account(&call.account) else {
            return false;
        };
        let k = key(name);
        match self {
            Holder::User => account.users.contains_key(&k),
            Holder::Group => account.groups.contains_key(&k),
            Holder::Role => account.roles.contains_key(&k),
        }
    }

    fn missing(self, name: &str) -> AwsError {
        match self {
            Holder::Role => AwsError::no_such_entity(format!("The role with name {name} cannot be found.")),
            _ => AwsError::no_such_entity(format!("The {} with name {name} cannot be found.", self.word())),
        }
    }

    fn policies_mut<'s>(
        self,
        state: &'s mut State,
        call: &Call,
        name: &str,
    ) -> AwsResult<&'s mut BTreeMap<String, Document>> {
        let account = state.account_mut(&call.account);
        let k = key(name);
        let map = match self {
            Holder::User => account.users.get_mut(&k).map(|e| &mut e.inline),
            Holder::Group => account.groups.get_mut(&k).map(|e| &mut e.inline),
            Holder::Role => account.roles.get_mut(&k).map(|e| &mut e.inline),
        };
        map.ok_or_else(|| self.missing(name))
    }

    /// The entity's name as stored (original case).
    fn stored_name(self, state: &State, call: &Call, name: &str) -> String {
        let account = state.account(&call.account);
        let k = key(name);
        match self {
            Holder::User => account.and_then(|a| a.users.get(&k)).map(|e| e.name.clone()),
            Holder::Group => account.and_then(|a| a.groups.get(&k)).map(|e| e.name.clone()),
            Holder::Role => account.and_then(|a| a.roles.get(&k)).map(|e| e.name.clone()),
        }
        .unwrap_or_else(|| name.to_string())
    }
}

fn no_such_policy(holder: Holder, policy: &str) -> AwsError {
    AwsError::no_such_entity(format!(
        "The {} policy with name {policy} cannot be found.",
        holder.word()
    ))
}

pub fn put(holder: Holder, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required(holder.name_param())?.to_string();
    let policy_name = call.params.required("PolicyName")?.to_string();
    check_name("PolicyName", &policy_name, 128)?;
    let text = call.params.required("PolicyDocument")?.to_string();
    let exists = holder.exists(state, call, &name);
    if !exists {
        return Err(holder.missing(&name));
    }
    let document = parse_document(&text, WriteTarget::InlinePolicy)?;
    let stored = holder.stored_name(state, call, &name);
    let policies = holder.policies_mut(state, call, &name)?;
    let others: usize = policies
        .iter()
        .filter(|(n, _)| **n != policy_name)
        .map(|(_, d)| policy_size(&d.text))
        .sum();
    if others + policy_size(&text) > holder.size_quota() {
        return Err(AwsError::limit_exceeded(format!(
            "Maximum policy size of {} bytes exceeded for {} {stored}",
            holder.size_quota(),
            holder.word()
        )));
    }
    policies.insert(policy_name, document);
    Ok(Xml::default())
}

pub fn get(holder: Holder, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required(holder.name_param())?.to_string();
    let policy_name = call.params.required("PolicyName")?.to_string();
    let stored = holder.stored_name(state, call, &name);
    let policies = holder.policies_mut(state, call, &name)?;
    let document = policies
        .get(&policy_name)
        .ok_or_else(|| no_such_policy(holder, &policy_name))?;
    let mut x = Xml::default();
    x.elem(holder.name_param(), &stored);
    x.elem("PolicyName", &policy_name);
    x.elem("PolicyDocument", &encode_document(&document.text));
    Ok(x)
}

pub fn list(holder: Holder, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required(holder.name_param())?.to_string();
    let names: Vec<String> = holder.policies_mut(state, call, &name)?.keys().cloned().collect();
    let page = paginate(call.params, names)?;
    let mut x = Xml::default();
    x.with("PolicyNames", |x| {
        for n in &page.items {
            x.elem("member", n);
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn delete(holder: Holder, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required(holder.name_param())?.to_string();
    let policy_name = call.params.required("PolicyName")?.to_string();
    let policies = holder.policies_mut(state, call, &name)?;
    policies
        .remove(&policy_name)
        .ok_or_else(|| no_such_policy(holder, &policy_name))?;
    Ok(Xml::default())
}

pub fn put_user_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    put(Holder::User, state, call)
}
pub fn get_user_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    get(Holder::User, state, call)
}
pub fn list_user_policies(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Holder::User, state, call)
}
pub fn delete_user_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    delete(Holder::User, state, call)
}
pub fn put_group_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    put(Holder::Group, state, call)
}
pub fn get_group_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    get(Holder::Group, state, call)
}
pub fn list_group_policies(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Holder::Group, state, call)
}
pub fn delete_group_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    delete(Holder::Group, state, call)
}
pub fn put_role_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    put(Holder::Role, state, call)
}
pub fn get_role_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    get(Holder::Role, state, call)
}
pub fn list_role_policies(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Holder::Role, state, call)
}
pub fn delete_role_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    delete(Holder::Role, state, call)
}
