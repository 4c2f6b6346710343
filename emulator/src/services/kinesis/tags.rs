//! Stream tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream.
//! Tags are also the stream's `aws:ResourceTag/*` in every authorization.

use super::streams::check_tags;
use super::{constraint, request_tag_context, Call};
use crate::error::{AwsError, AwsResult};
use crate::state::State;
use iam_evaluator::RequestContext;
use serde_json::{json, Value};

pub fn add(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    let tags = call
        .input
        .string_map("Tags")?
        .ok_or_else(|| AwsError::missing_parameter("Tags"))?;
    if tags.is_empty() {
        return Err(constraint(
            "{}",
            "Tags",
            "Member must have length greater than or equal to 1",
        ));
    }
    check_tags(&tags, 0)?;
    call.authorize(state, &stream, request_tag_context(&tags))?;
    let found = stream.find_mut(state)?;
    let added = tags.iter().filter(|(k, _)| !found.tags.contains_key(k)).count();
    check_tags(&[], found.tags.len() + added)?;
    found.tags.extend(tags);
    Ok(Value::Null)
}

pub fn remove(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    let keys = call
        .input
        .string_list("TagKeys")?
        .ok_or_else(|| AwsError::missing_parameter("TagKeys"))?;
    if keys.is_empty() || keys.len() > 50 {
        return Err(constraint(
            &format!("<{} keys>", keys.len()),
            "TagKeys",
            "Member must have length between 1 and 50",
        ));
    }
    let mut context = RequestContext::new();
    context.set_multi("aws:TagKeys", keys.iter().cloned());
    call.authorize(state, &stream, context)?;
    let found = stream.find_mut(state)?;
    for key in &keys {
        found.tags.remove(key);
    }
    Ok(Value::Null)
}

pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    let limit = call.input.page_size("Limit", 50, 50)?;
    let start = call.input.str("ExclusiveStartTagKey")?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find(state)?;
    let after: Vec<(&String, &String)> = found
        .tags
        .iter()
        .filter(|(k, _)| start.is_none_or(|start| k.as_str() > start))
        .collect();
    Ok(json!({
        "Tags": after
            .iter()
            .take(limit)
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect::<Vec<_>>(),
        "HasMoreTags": after.len() > limit,
    }))
}
