//! Policy checks: `ValidatePolicy` (the evaluator's findings, paginated) and
//! the custom policy checks `CheckNoNewAccess`, `CheckAccessNotGranted` and
//! `CheckNoPublicAccess` (decided by [`iam_evaluator::checks`]). None reads
//! the state: they run after the door, without the state's lock.

use super::wire::{self, not_in_enum, validation};
use super::Call;
use crate::error::{AwsError, AwsResult, RestJson};
use iam_evaluator::checks::{self, Access, AccessCheckPolicyType, RESOURCE_TYPES};
use iam_evaluator::validate::{validate_policy, Finding, PolicyKind, ResourcePolicyType};
use iam_evaluator::Policy;
use serde_json::{json, Value};

/// `ValidatePolicy`: `POST /policy/validation?maxResults=&nextToken=`.
pub fn validate(call: &Call) -> AwsResult<Value> {
    let document = required_text(call, "policyDocument")?;
    let kind_text = required_text(call, "policyType")?;
    let kind = PolicyKind::parse(kind_text).ok_or_else(|| {
        not_in_enum(
            "policyType",
            kind_text,
            &["IDENTITY_POLICY", "RESOURCE_POLICY", "SERVICE_CONTROL_POLICY"],
        )
    })?;
    let resource_type = call
        .text("validatePolicyResourceType")
        .map(|t| {
            ResourcePolicyType::parse(t)
                .ok_or_else(|| validation(format!("Invalid validatePolicyResourceType: {t}")))
        })
        .transpose()?;
    let size = wire::max_results(None, call.query("maxResults"))?;
    let findings: Vec<Value> = validate_policy(document, kind, resource_type)
        .iter()
        .map(Finding::to_json)
        .collect();
    let (page, next) = wire::page(findings, call.query("nextToken"), size)?;
    let mut reply = json!({ "findings": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

/// `CheckNoNewAccess`.
pub fn no_new_access(call: &Call) -> AwsResult<Value> {
    let kind = policy_type(call)?;
    let new = document(call, "newPolicyDocument")?;
    let existing = document(call, "existingPolicyDocument")?;
    Ok(checks::check_no_new_access(&existing, &new, kind).to_json())
}

/// `CheckAccessNotGranted`: `access` holds one `{actions, resources}`.
pub fn access_not_granted(call: &Call) -> AwsResult<Value> {
    let kind = policy_type(call)?;
    let policy = document(call, "policyDocument")?;
    let access = read_access(call.body("access"))?;
    Ok(checks::check_access_not_granted(&policy, kind, &access).to_json())
}

/// `CheckNoPublicAccess`.
pub fn no_public_access(call: &Call) -> AwsResult<Value> {
    let policy = document(call, "policyDocument")?;
    let resource_type = required_text(call, "resourceType")?;
    if !RESOURCE_TYPES.contains(&resource_type) {
        return Err(not_in_enum("resourceType", resource_type, RESOURCE_TYPES));
    }
    Ok(checks::check_no_public_access(&policy, resource_type).to_json())
}

fn required_text<'c>(call: &'c Call, name: &str) -> AwsResult<&'c str> {
    call.body(name)
        .and_then(Value::as_str)
        .ok_or_else(|| validation(format!("{name} must be a string")))
}

fn policy_type(call: &Call) -> AwsResult<AccessCheckPolicyType> {
    let text = required_text(call, "policyType")?;
    AccessCheckPolicyType::parse(text)
        .ok_or_else(|| not_in_enum("policyType", text, AccessCheckPolicyType::NAMES))
}

/// A policy document member, parsed; one that is not a policy is
/// `InvalidParameterException` (the checks' error for bad input).
fn document(call: &Call, name: &str) -> AwsResult<Policy> {
    let text = required_text(call, name)?;
    Policy::parse(text).map_err(|e| {
        AwsError::new(
            RestJson::InvalidParameterException,
            format!("Invalid {name}: {e}"),
        )
    })
}

/// `access`: a list of at most one `{actions?, resources?}` naming at
/// least one action or resource.
fn read_access(value: Option<&Value>) -> AwsResult<Access> {
    let list = value
        .and_then(Value::as_array)
        .ok_or_else(|| validation("access must be a list"))?;
    if list.len() > 1 {
        return Err(validation(
            "1 validation error detected: Value at 'access' failed to satisfy constraint: Member must have length less than or equal to 1",
        ));
    }
    let strings = |item: &Value, member: &str| -> AwsResult<Vec<String>> {
        match item.get(member) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) if items.len() <= 100 => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| validation(format!("access.{member} must hold strings")))
                })
                .collect(),
            Some(Value::Array(_)) => Err(validation(format!("access.{member} may hold at most 100 items"))),
            Some(_) => Err(validation(format!("access.{member} must be a list"))),
        }
    };
    let access = match list.first() {
        Some(item) => Access {
            actions: strings(item, "actions")?,
            resources: strings(item, "resources")?,
        },
        None => Access::default(),
    };
    if access.actions.is_empty() && access.resources.is_empty() {
        return Err(AwsError::new(
            RestJson::InvalidParameterException,
            "The access to check must name at least one action or resource.",
        ));
    }
    Ok(access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_needs_an_action_or_a_resource() {
        assert!(read_access(Some(&json!([{"actions": ["s3:GetObject"]}]))).is_ok());
        assert_eq!(
            read_access(Some(&json!([{}]))).unwrap_err().code,
            "InvalidParameterException"
        );
        assert_eq!(
            read_access(Some(&json!([{"actions": ["a:b"]}, {"actions": ["c:d"]}])))
                .unwrap_err()
                .code,
            "ValidationException"
        );
    }
}
