//! Organizational units: CreateOrganizationalUnit (nested at most five
//! deep), UpdateOrganizationalUnit, DeleteOrganizationalUnit (only when
//! empty), DescribeOrganizationalUnit, ListOrganizationalUnitsForParent,
//! ListChildren and ListParents.

use super::input::IdShape;
use super::view;
use super::wire::{self, constraint};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::ids;
use crate::state::organizations::{Organization, Unit};
use crate::state::State;
use serde_json::{json, Value};

/// "You can nest OUs up to five levels deep."
const MAX_DEPTH: usize = 5;

pub fn parent_not_found() -> AwsError {
    wire::documented(
        Json::ParentNotFoundException,
        "We can't find a root or OU with the ParentId that you specified.",
    )
}

pub fn unit_not_found() -> AwsError {
    wire::documented(
        Json::OrganizationalUnitNotFoundException,
        "We can't find an OU with the OrganizationalUnitId that you specified.",
    )
}

fn child_not_found() -> AwsError {
    wire::documented(
        Json::ChildNotFoundException,
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    )
}

/// The OU named by `member`, in the caller's organization.
fn find<'s>(call: &Call, org: &'s Organization, member: &str) -> AwsResult<&'s Unit> {
    let id = call.input.id(member, IdShape::Unit)?;
    org.units.get(id).ok_or_else(unit_not_found)
}

/// The root or OU named by `member`.
fn parent<'i>(call: &'i Call, org: &Organization, member: &str) -> AwsResult<&'i str> {
    let id = call.input.id(member, IdShape::Parent)?;
    if org.is_parent(id) {
        Ok(id)
    } else {
        Err(parent_not_found())
    }
}

fn check_unique_name(org: &Organization, parent: &str, name: &str, except: Option<&str>) -> AwsResult<()> {
    let taken = org
        .units
        .values()
        .any(|u| u.parent == parent && u.name == name && Some(u.id.as_str()) != except);
    if taken {
        return Err(wire::documented(
            Json::DuplicateOrganizationalUnitException,
            "An OU with the same name already exists.",
        ));
    }
    Ok(())
}

pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let parent = parent(call, org, "ParentId")?.to_string();
    let name = call.input.required_text("Name", 1, 128)?.to_string();
    let tags = call.input.tags("Tags")?;
    if org.is_parent(&parent) && parent != org.root.id && org.depth(&parent) >= MAX_DEPTH {
        return Err(constraint("OU_DEPTH_LIMIT_EXCEEDED"));
    }
    check_unique_name(org, &parent, &name, None)?;
    let root_part = org.root.id.trim_start_matches("r-").to_string();
    let id = format!("ou-{root_part}-{}", ids::lower_alnum(8));
    let unit = Unit {
        id: id.clone(),
        name,
        parent,
        tags,
    };
    let org_id = org.id.clone();
    let out = state.organizations.edit(&org_id, |org| {
        org.units.insert(id.clone(), unit);
        org.attach_defaults(&id);
        json!({"OrganizationalUnit": view::unit(org, &org.units[&id])})
    });
    Ok(out.unwrap_or(Value::Null))
}

pub fn update(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let unit = find(call, org, "OrganizationalUnitId")?;
    let name = call.input.text("Name", 1, 128)?.map(str::to_string);
    if let Some(name) = &name {
        check_unique_name(org, &unit.parent, name, Some(&unit.id))?;
    }
    let (org_id, id) = (org.id.clone(), unit.id.clone());
    let out = state.organizations.edit(&org_id, |org| {
        if let (Some(name), Some(unit)) = (name, org.units.get_mut(&id)) {
            unit.name = name;
        }
        json!({"OrganizationalUnit": view::unit(org, &org.units[&id])})
    });
    Ok(out.unwrap_or(Value::Null))
}

pub fn delete(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let unit = find(call, org, "OrganizationalUnitId")?;
    let has_children =
        org.units.values().any(|u| u.parent == unit.id) || org.accounts.values().any(|a| a.parent == unit.id);
    if has_children {
        return Err(wire::documented(
            Json::OrganizationalUnitNotEmptyException,
            "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.",
        ));
    }
    let (org_id, id) = (org.id.clone(), unit.id.clone());
    state.organizations.edit(&org_id, |org| {
        org.units.remove(&id);
        org.forget_target(&id);
    });
    Ok(Value::Null)
}

pub fn describe(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let unit = find(call, org, "OrganizationalUnitId")?;
    Ok(json!({"OrganizationalUnit": view::unit(org, unit)}))
}

pub fn list_for_parent(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let parent = parent(call, org, "ParentId")?;
    let units: Vec<Value> = org
        .units
        .values()
        .filter(|u| u.parent == parent)
        .map(|u| view::unit(org, u))
        .collect();
    let (items, next) = call.input.page()?.of(units);
    Ok(view::page("OrganizationalUnits", items, next))
}

pub fn list_children(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let parent = parent(call, org, "ParentId")?;
    let children: Vec<Value> = match call.input.required_str("ChildType")? {
        "ORGANIZATIONAL_UNIT" => org
            .units
            .values()
            .filter(|u| u.parent == parent)
            .map(|u| json!({"Id": u.id, "Type": "ORGANIZATIONAL_UNIT"}))
            .collect(),
        "ACCOUNT" => org
            .accounts
            .values()
            .filter(|a| a.parent == parent)
            .map(|a| json!({"Id": a.id, "Type": "ACCOUNT"}))
            .collect(),
        _ => return Err(wire::invalid_input("INVALID_ENUM")),
    };
    let (items, next) = call.input.page()?.of(children);
    Ok(view::page("Children", items, next))
}

pub fn list_parents(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let child = call.input.id("ChildId", IdShape::Child)?;
    let parent = org.parent_of(child).ok_or_else(child_not_found)?;
    let kind = if parent == org.root.id {
        "ROOT"
    } else {
        "ORGANIZATIONAL_UNIT"
    };
    let (items, next) = call.input.page()?.of(vec![json!({"Id": parent, "Type": kind})]);
    Ok(view::page("Parents", items, next))
}
