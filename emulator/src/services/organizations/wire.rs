//! The wire: Organizations' JSON 1.1 replies and errors
//! (`{"__type", "Message"}`, with `Reason` for the errors that carry one,
//! the code also in `x-amzn-ErrorType`), and the errors Organizations words
//! its own way. The messages of the reasons are botocore's documentation
//! of each reason code.

use crate::error::{codes, AwsError, Json};
use crate::http::HttpResponse;
use serde_json::{json, Value};

pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A successful reply.
pub fn reply(value: &Value, request_id: &str) -> HttpResponse {
    let body = if value.is_null() {
        b"{}".to_vec()
    } else {
        value.to_string().into_bytes()
    };
    HttpResponse::new(200, JSON_CONTENT_TYPE, body).with_header("x-amzn-requestid", request_id)
}

/// An error reply: `{"__type": CODE, "Message": …, "Reason"?: …}`.
pub fn error_response(err: &AwsError, request_id: &str) -> HttpResponse {
    let err = codes::renamed(err, codes::JSON_RENAMES);
    let mut body = json!({"__type": err.code, "Message": err.message});
    for (name, value) in &err.details {
        body[name] = json!(value);
    }
    HttpResponse::new(err.status, JSON_CONTENT_TYPE, body.to_string())
        .with_header("x-amzn-requestid", request_id)
        .with_header("x-amzn-errortype", &err.code)
}

/// An error with a `Reason` (ConstraintViolationException,
/// InvalidInputException, HandshakeConstraintViolationException), worded
/// as botocore documents the reason.
pub fn with_reason(code: Json, reason: &str) -> AwsError {
    AwsError::new(code, reason_message(reason)).with_detail("Reason", reason)
}

/// `ConstraintViolationException` with its reason.
pub fn constraint(reason: &str) -> AwsError {
    with_reason(Json::ConstraintViolationException, reason)
}

/// `InvalidInputException` with its reason.
pub fn invalid_input(reason: &str) -> AwsError {
    with_reason(Json::InvalidInputException, reason)
}

/// `InvalidInputException` with its reason and a message of our own that
/// names what was wrong.
pub fn invalid_input_because(reason: &str, message: impl Into<String>) -> AwsError {
    AwsError::new(Json::InvalidInputException, message).with_detail("Reason", reason)
}

/// The caller's account is in no organization.
pub fn not_in_use() -> AwsError {
    AwsError::new(
        Json::AWSOrganizationsNotInUseException,
        "Your account is not a member of an organization.",
    )
}

/// A member account calls what only the management account (or a
/// delegated administrator) may.
pub fn not_management() -> AwsError {
    AwsError::new(
        Json::AccessDeniedException,
        "You don't have permissions to access this resource.",
    )
}

/// An error whose message is the first sentence botocore documents for it.
pub fn documented(code: Json, message: &str) -> AwsError {
    AwsError::new(code, message)
}

/// The reasons' messages, as botocore documents them.
const REASONS: &[(&str, &str)] = &[
    ("ACCOUNT_CANNOT_LEAVE_ORGANIZATION", "You attempted to remove the management account from the organization. You can't remove the management account. Instead, after you remove all member accounts, delete the organization itself."),
    ("ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the limit on the number of accounts in an organization."),
    ("ALREADY_IN_AN_ORGANIZATION", "The handshake request is invalid because the invited account is already a member of an organization."),
    ("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization."),
    ("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You attempted to register the management account of the organization as a delegated administrator for an Amazon Web Services service integrated with Organizations. You can designate only a member account as a delegated administrator."),
    ("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator."),
    ("DUPLICATE_TAG_KEY", "Tag keys must be unique among the tags attached to the same entity."),
    ("IMMUTABLE_POLICY", "You specified a policy that is managed by Amazon Web Services and can't be modified."),
    ("INPUT_REQUIRED", "You must include a value for all required parameters."),
    ("INVALID_EMAIL_ADDRESS_TARGET", "You specified an invalid email address for the invited account owner."),
    ("INVALID_ENUM", "You specified an invalid value."),
    ("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string."),
    ("INVALID_NEXT_TOKEN", "Get the value for the NextToken parameter from the response to a previous call of the operation."),
    ("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type of entity (account, organization, or email) as a party."),
    ("INVALID_PATTERN", "You provided a value that doesn't match the required pattern."),
    ("INVALID_PATTERN_TARGET_ID", "You specified a policy target ID that doesn't match the required pattern."),
    ("INVALID_PRINCIPAL", "You specified an invalid principal element in the policy."),
    ("INVALID_RESOURCE_POLICY_JSON", "You provided a resource policy that isn't valid JSON."),
    ("INVALID_ROLE_NAME", "You provided a role name that isn't valid. A role name can't begin with the reserved prefix AWSServiceRoleFor."),
    ("INVALID_SYSTEM_TAGS_PARAMETER", "You specified a tag key that is a system tag. You can't add, edit, or delete system tag keys because they're reserved for Amazon Web Services use."),
    ("MAX_LENGTH_EXCEEDED", "You provided a string parameter that is longer than allowed."),
    ("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time."),
    ("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource."),
    ("MAX_VALUE_EXCEEDED", "You provided a numeric parameter that has a larger value than allowed."),
    ("MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED", "To complete this operation, the management account must have an associated account in the Amazon Web Services GovCloud (US-West) Region."),
    ("MIN_LENGTH_EXCEEDED", "You provided a string parameter that is shorter than allowed."),
    ("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required."),
    ("MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed."),
    ("NON_DETACHABLE_POLICY", "You can't detach this Amazon Web Services Managed Policy."),
    ("ORGANIZATION_ALREADY_HAS_ALL_FEATURES", "The handshake request is invalid because the organization has already enabled all features."),
    ("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "You attempted to perform an operation that requires the organization to be configured to support all features. An organization that supports only consolidated billing features can't perform this operation."),
    ("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep."),
    ("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than the maximum size."),
    ("POLICY_TYPE_ENABLED_FOR_THIS_SERVICE", "You attempted to disable service access before you disabled the policy type. To complete this operation, you must first disable the policy type."),
    ("SERVICE_ACCESS_NOT_ENABLED", "You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first."),
    ("TARGET_NOT_SUPPORTED", "You can't perform the specified operation on that target entity."),
    ("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified a service principal that isn't recognized."),
    ("UNSUPPORTED_ACTION_IN_RESOURCE_POLICY", "You provided a resource policy with an action that Organizations resource policies don't support."),
];

fn reason_message(reason: &str) -> &'static str {
    REASONS
        .iter()
        .find(|(r, _)| *r == reason)
        .map_or("The request is not valid.", |(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_travel_in_the_body() {
        let response = error_response(&constraint("OU_DEPTH_LIMIT_EXCEEDED"), "rid");
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["__type"], "ConstraintViolationException");
        assert_eq!(body["Reason"], "OU_DEPTH_LIMIT_EXCEEDED");
        assert!(body["Message"].as_str().unwrap().contains("too many levels deep"));
    }

    #[test]
    fn every_reason_has_its_own_message() {
        for (reason, _) in REASONS {
            assert_ne!(reason_message(reason), "The request is not valid.", "{reason}");
        }
    }
}
