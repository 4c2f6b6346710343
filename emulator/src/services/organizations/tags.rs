//! Tags of a root, OU, account, policy or the resource policy:
//! TagResource, UntagResource, ListTagsForResource (at most 50 per
//! resource; AWS managed policies have none and take none).

use super::input::{check_tag_key, IdShape};
use super::view;
use super::wire::{self, constraint, invalid_input};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::state::iam::Tags;
use crate::state::organizations::{aws_managed, Organization, TargetKind};
use crate::state::State;
use serde_json::{json, Value};

fn not_found() -> AwsError {
    wire::documented(
        Json::TargetNotFoundException,
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    )
}

/// The tags of the resource `id` names, for reading.
fn tags_of<'o>(org: &'o Organization, id: &str) -> AwsResult<&'o [(String, String)]> {
    if aws_managed(id).is_some() {
        return Ok(&[]);
    }
    if let Some(policy) = org.policies.get(id) {
        return Ok(&policy.tags);
    }
    if id.starts_with("rp-") {
        return org
            .resource_policy
            .as_ref()
            .filter(|rp| rp.id == id)
            .map(|rp| rp.tags.as_slice())
            .ok_or_else(not_found);
    }
    if org.target_kind(id).is_none() {
        return Err(not_found());
    }
    Ok(view::target_tags(org, id))
}

/// The tags of the resource `id` names, for writing.
fn tags_mut<'o>(org: &'o mut Organization, id: &str) -> Option<&'o mut Tags> {
    if org.policies.contains_key(id) {
        return org.policies.get_mut(id).map(|p| &mut p.tags);
    }
    if id.starts_with("rp-") {
        return org.resource_policy.as_mut().map(|rp| &mut rp.tags);
    }
    match org.target_kind(id)? {
        TargetKind::Root => Some(&mut org.root.tags),
        TargetKind::Unit => org.units.get_mut(id).map(|u| &mut u.tags),
        TargetKind::Account => org.accounts.get_mut(id).map(|a| &mut a.tags),
    }
}

/// The resource named by `ResourceId`, which must exist and take tags.
fn resource<'i>(call: &'i Call, org: &Organization) -> AwsResult<&'i str> {
    let id = call.input.id("ResourceId", IdShape::Taggable)?;
    tags_of(org, id)?;
    if aws_managed(id).is_some() {
        return Err(invalid_input("IMMUTABLE_POLICY"));
    }
    Ok(id)
}

pub fn tag(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = resource(call, org)?.to_string();
    if !call.input.has("Tags") {
        return Err(invalid_input("INPUT_REQUIRED"));
    }
    let new = call.input.tags("Tags")?;
    let mut merged = tags_of(org, &id)?.to_vec();
    for (key, value) in new {
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some(existing) => existing.1 = value,
            None => merged.push((key, value)),
        }
    }
    if merged.len() > 50 {
        return Err(constraint("MAX_TAG_LIMIT_EXCEEDED"));
    }
    let org_id = org.id.clone();
    state.organizations.edit(&org_id, |org| {
        if let Some(tags) = tags_mut(org, &id) {
            *tags = merged;
        }
    });
    Ok(Value::Null)
}

pub fn untag(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = resource(call, org)?.to_string();
    let keys = call
        .input
        .string_list("TagKeys")?
        .ok_or_else(|| invalid_input("INPUT_REQUIRED"))?;
    for key in &keys {
        check_tag_key(key)?;
    }
    let org_id = org.id.clone();
    state.organizations.edit(&org_id, |org| {
        if let Some(tags) = tags_mut(org, &id) {
            tags.retain(|(k, _)| !keys.contains(k));
        }
    });
    Ok(Value::Null)
}

pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = call.input.id("ResourceId", IdShape::Taggable)?;
    let tags = tags_of(org, id)?;
    let (items, next) = call.input.page()?.of(tags.to_vec());
    let mut out = json!({"Tags": view::tags(&items)});
    if let Some(next) = next {
        out["NextToken"] = json!(next);
    }
    Ok(out)
}
