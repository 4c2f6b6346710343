//! Stream resource policies: PutResourcePolicy, GetResourcePolicy,
//! DeleteResourcePolicy. A stream's policy joins every later question
//! about the stream ([`crate::authorize::Resource::Stream`]), so it can
//! let another account's callers in by `StreamARN`, and Access Analyzer
//! reports what it grants outside the zone of trust.

use super::{invalid_argument, Call, StreamRef};
use crate::error::{AwsError, AwsResult, Json};
use crate::state::iam::Document;
use crate::state::State;
use iam_evaluator::{Policy, RequestContext};
use serde_json::{json, Value};
use std::sync::Arc;

/// The largest policy Kinesis takes ("up to 20 KB", as the other
/// resource-policy services; not stated in the API Reference).
const MAX_POLICY_BYTES: usize = 20 * 1024;

pub fn put(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = resource_stream(call)?;
    let text = call.input.required_str("Policy")?;
    call.authorize(state, &stream, RequestContext::new())?;
    stream.find(state)?;
    let document = read_policy(text)?;
    stream.find_mut(state)?.policy = Some(document);
    Ok(Value::Null)
}

pub fn get(call: &Call, state: &State) -> AwsResult<Value> {
    let stream = resource_stream(call)?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find(state)?;
    // A stream without a policy answers an empty document (as moto does;
    // the API Reference does not say).
    let text = found.policy.as_ref().map_or("{}", |doc| &*doc.text);
    Ok(json!({ "Policy": text }))
}

pub fn delete(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = resource_stream(call)?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find_mut(state)?;
    if found.policy.take().is_none() {
        return Err(AwsError::new(
            Json::ResourceNotFoundException,
            format!("No resource policy found for resource ARN {}.", stream.arn()),
        ));
    }
    Ok(Value::Null)
}

/// The stream `ResourceARN` names. A consumer's ARN is valid in AWS, but
/// consumers are not served, so it is answered `NotImplemented`.
fn resource_stream(call: &Call) -> AwsResult<StreamRef> {
    let arn = call.input.required_str("ResourceARN")?;
    if let Some(stream) = StreamRef::parse_arn(arn) {
        return Ok(stream);
    }
    if arn.contains("/consumer/") {
        return Err(AwsError::new(
            Json::NotImplemented,
            "Kinesis stream consumers (and so their resource policies) are not implemented by iam-emulator yet.",
        ));
    }
    Err(super::constraint(
        arn,
        "ResourceARN",
        "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+",
    ))
}

/// A resource policy as Kinesis takes one: JSON, a policy the evaluator
/// reads, and each statement naming who it is for ("It must include the
/// identity of the principal and the actions allowed on this resource").
fn read_policy(text: &str) -> AwsResult<Document> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(invalid_argument(format!(
            "Policy is larger than {MAX_POLICY_BYTES} bytes."
        )));
    }
    let parsed = Policy::parse(text).map_err(|e| invalid_argument(format!("Invalid policy: {e}")))?;
    if parsed.statements.is_empty() {
        return Err(invalid_argument("Invalid policy: it has no statement."));
    }
    if let Some(index) = parsed.statements.iter().position(|s| s.principal.is_none()) {
        return Err(invalid_argument(format!(
            "Invalid policy: statement {index} names no Principal."
        )));
    }
    Ok(Document {
        text: text.into(),
        parsed: Arc::new(parsed),
    })
}
