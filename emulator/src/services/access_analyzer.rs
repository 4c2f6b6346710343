//! IAM Access Analyzer (REST JSON, 2019-11-01): `ValidatePolicy`,
//! `POST /policy/validation?maxResults=&nextToken=` with the body
//! `{policyDocument, policyType, locale?, validatePolicyResourceType?}`,
//! answering `{findings: [...], nextToken?}` (Access Analyzer API reference,
//! "ValidatePolicy"; botocore's `accessanalyzer/2019-11-01/service-2.json`).
//! The findings are the evaluator's ([`iam_evaluator::validate`]); the call
//! is authorized as `access-analyzer:ValidatePolicy` on `*`. Errors are
//! REST JSON: the code in `x-amzn-ErrorType`, `{"message": …}` in the body.

use super::{require_signed, Ctx};
use crate::auth::Caller;
use crate::authorize::{authorize, Question};
use crate::error::{AwsError, AwsResult, RestJson};
use crate::http::HttpResponse;
use base64::Engine as _;
use iam_evaluator::validate::{validate_policy, PolicyKind, ResourcePolicyType};
use serde_json::{json, Value};

/// Findings per page when the caller does not say.
const DEFAULT_PAGE: usize = 100;

fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(RestJson::ValidationException, message)
}

/// Serves one Access Analyzer request.
pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    let result = require_signed(caller).and_then(|()| route(ctx, caller));
    match result {
        Ok(body) => HttpResponse::json(200, &body).with_header("x-amzn-requestid", ctx.request_id),
        Err(err) => error_response(&err, ctx.request_id),
    }
}

fn route(ctx: &Ctx, caller: &Caller) -> AwsResult<Value> {
    let path = ctx.req.path();
    if ctx.req.method == "POST" && path.trim_end_matches('/') == "/policy/validation" {
        return validate(ctx, caller);
    }
    Err(AwsError::new(RestJson::UnknownOperationException,
        format!(
            "{} {path} is not an Access Analyzer operation iam-emulator serves (it serves ValidatePolicy: POST /policy/validation).",
            ctx.req.method
        ),
    ))
}

/// The request, read and checked.
struct ValidateRequest {
    document: String,
    kind: PolicyKind,
    resource_type: Option<ResourcePolicyType>,
    start: usize,
    page: usize,
}

fn read_request(ctx: &Ctx) -> AwsResult<ValidateRequest> {
    let body: Value = serde_json::from_slice(&ctx.req.body)
        .map_err(|e| validation(format!("The request body is not JSON: {e}")))?;
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    let document = field("policyDocument")
        .ok_or_else(|| validation("policyDocument is required"))?
        .to_string();
    let kind_text = field("policyType").ok_or_else(|| validation("policyType is required"))?;
    let kind = PolicyKind::parse(kind_text).ok_or_else(|| {
        validation(format!(
            "1 validation error detected: Value '{kind_text}' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY]"
        ))
    })?;
    let resource_type = field("validatePolicyResourceType")
        .map(|t| {
            ResourcePolicyType::parse(t)
                .ok_or_else(|| validation(format!("Invalid validatePolicyResourceType: {t}")))
        })
        .transpose()?;
    let query = ctx.req.query_pairs();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let page = match param("maxResults") {
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| validation(format!("Invalid maxResults: {text}")))?,
        None => DEFAULT_PAGE,
    };
    let start = param("nextToken").map(read_token).transpose()?.unwrap_or(0);
    Ok(ValidateRequest {
        document,
        kind,
        resource_type,
        start,
        page,
    })
}

/// Page tokens are opaque to callers: the next finding's position.
fn next_token(position: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("findings:{position}"))
}

fn read_token(token: &str) -> AwsResult<usize> {
    base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("findings:")?.parse().ok())
        .ok_or_else(|| validation("Invalid nextToken"))
}

fn validate(ctx: &Ctx, caller: &Caller) -> AwsResult<Value> {
    let request = read_request(ctx)?;
    {
        let state = ctx.shared.state();
        authorize(
            ctx,
            &state,
            caller,
            Question::new("access-analyzer:ValidatePolicy", "*"),
        )?;
    }
    let findings = validate_policy(&request.document, request.kind, request.resource_type);
    if request.start > findings.len() {
        return Err(validation("Invalid nextToken"));
    }
    let end = (request.start + request.page).min(findings.len());
    let page: Vec<Value> = findings[request.start..end]
        .iter()
        .map(iam_evaluator::validate::Finding::to_json)
        .collect();
    let mut reply = json!({ "findings": page });
    if end < findings.len() {
        reply["nextToken"] = json!(next_token(end));
    }
    Ok(reply)
}

/// An error as Access Analyzer returns it. Denials are
/// `AccessDeniedException` in this protocol.
pub fn error_response(err: &AwsError, request_id: &str) -> HttpResponse {
    let err = crate::error::codes::renamed(err, crate::error::codes::REST_JSON_RENAMES);
    HttpResponse::json(err.status, &json!({ "message": err.message }))
        .with_header("x-amzn-ErrorType", &err.code)
        .with_header("x-amzn-requestid", request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_bad_ones_are_refused() {
        assert_eq!(read_token(&next_token(7)).unwrap(), 7);
        assert_eq!(read_token("nonsense").unwrap_err().code, "ValidationException");
    }
}
