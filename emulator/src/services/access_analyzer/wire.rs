//! Access Analyzer's wire: the JSON body, the model's required members,
//! errors as REST JSON returns them (the code in `x-amzn-ErrorType`,
//! `{"message": …}` in the body), opaque page tokens and timestamps.

use crate::error::{AwsError, AwsResult, RestJson};
use crate::http::{HttpRequest, HttpResponse};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use time::OffsetDateTime;

/// Items per page when the caller does not say.
pub const DEFAULT_PAGE: usize = 100;

pub fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(RestJson::ValidationException, message)
}

pub fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(RestJson::ResourceNotFoundException, message)
}

pub fn conflict(message: impl Into<String>) -> AwsError {
    AwsError::new(RestJson::ConflictException, message)
}

/// AWS's wording for an enum member outside its values.
pub fn not_in_enum(member: &str, value: &str, values: &[&str]) -> AwsError {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        values.join(", ")
    ))
}

/// The body as a JSON object (none is an empty object).
pub fn body(req: &HttpRequest) -> AwsResult<Map<String, Value>> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(validation("The request body must be a JSON object.")),
        Err(e) => Err(validation(format!("The request body is not valid JSON: {e}"))),
    }
}

/// One input member of an operation, as the vendored model lists it.
struct Member {
    name: String,
    location: Option<String>,
    location_name: Option<String>,
    required: bool,
}

/// The model's input members, by operation (parsed once).
fn model() -> &'static Vec<(String, Vec<Member>)> {
    static MODEL: OnceLock<Vec<(String, Vec<Member>)>> = OnceLock::new();
    MODEL.get_or_init(|| {
        let model: Value = serde_json::from_str(include_str!("../../../data/botocore/accessanalyzer.json"))
            .expect("the vendored accessanalyzer model is JSON");
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        model["operations"]
            .as_array()
            .map(|ops| {
                ops.iter()
                    .map(|op| {
                        let members = op["input"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|m| Member {
                                name: text(m, "name").unwrap_or_default(),
                                location: text(m, "location"),
                                location_name: text(m, "locationName"),
                                required: m.get("required").and_then(Value::as_bool).unwrap_or(false),
                            })
                            .collect();
                        (text(op, "name").unwrap_or_default(), members)
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The model's required members of `operation` are all given (path members
/// are, or the route would not have matched).
pub fn check_required(
    operation: &str,
    query: &[(String, String)],
    body: &Map<String, Value>,
) -> AwsResult<()> {
    let Some((_, members)) = model().iter().find(|(name, _)| name == operation) else {
        return Ok(());
    };
    for member in members.iter().filter(|m| m.required) {
        let given = match member.location.as_deref() {
            Some("querystring") => {
                let key = member.location_name.as_deref().unwrap_or(&member.name);
                query.iter().any(|(k, _)| k == key)
            }
            // Path members are there, or the route would not have matched.
            Some(_) => true,
            None => body.get(&member.name).is_some_and(|v| !v.is_null()),
        };
        if !given {
            return Err(validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                member.name
            )));
        }
    }
    Ok(())
}

/// An error as Access Analyzer returns it. Denials are
/// `AccessDeniedException` in this protocol.
pub fn error_response(err: &AwsError, request_id: &str) -> HttpResponse {
    let err = crate::error::codes::renamed(err, crate::error::codes::REST_JSON_RENAMES);
    HttpResponse::json(err.status, &json!({ "message": err.message }))
        .with_header("x-amzn-ErrorType", &err.code)
        .with_header("x-amzn-requestid", request_id)
}

/// A timestamp as the model's `iso8601` format writes it.
pub fn timestamp(at: OffsetDateTime) -> Value {
    Value::String(crate::ids::iso8601(at))
}

/// Reads an ISO 8601 timestamp or epoch seconds (what SDKs send).
pub fn read_timestamp(value: &Value, member: &str) -> AwsResult<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    let bad = || validation(format!("{member} is not a timestamp"));
    match value {
        Value::Number(n) => {
            #[allow(clippy::cast_possible_truncation)]
            let seconds = n.as_f64().ok_or_else(bad)? as i64;
            OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| bad())
        }
        Value::String(text) => OffsetDateTime::parse(text, &Rfc3339).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// `maxResults`, when given: a positive number.
pub fn max_results(value: Option<&Value>, query: Option<&str>) -> AwsResult<usize> {
    let number = match (value, query) {
        (Some(v), _) => v.as_u64(),
        (None, Some(text)) => text.parse::<u64>().ok(),
        (None, None) => return Ok(DEFAULT_PAGE),
    };
    number
        .filter(|n| *n >= 1)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| validation("maxResults must be a positive number"))
}

/// One page of `items` from the opaque `token`, and the token of the next.
pub fn page<T>(items: Vec<T>, token: Option<&str>, size: usize) -> AwsResult<(Vec<T>, Option<String>)> {
    let start = token.map(read_token).transpose()?.unwrap_or(0);
    if start > items.len() {
        return Err(validation("Invalid nextToken"));
    }
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| next_token(end));
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, next))
}

/// Page tokens are opaque to callers: the next item's position.
pub fn next_token(position: usize) -> String {
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

/// `value` without its `null` members (absent members are left out of
/// replies, not sent as null).
pub fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Adds `key: value` to a reply object when `value` is `Some`.
pub fn put_opt(reply: &mut Value, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        reply[key] = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_tokens_round_trip_and_bad_tokens_are_refused() {
        let (first, next) = page((0..5).collect(), None, 2).unwrap();
        assert_eq!(first, [0, 1]);
        let (second, last) = page((0..5).collect(), next.as_deref(), 10).unwrap();
        assert_eq!(second, [2, 3, 4]);
        assert!(last.is_none());
        assert_eq!(read_token("nonsense").unwrap_err().code, "ValidationException");
    }

    #[test]
    fn the_model_says_what_is_required() {
        let body = Map::new();
        let err = check_required("ListFindings", &[], &body).unwrap_err();
        assert!(err.message.contains("'analyzerArn'"), "{}", err.message);
        assert!(check_required("ListAnalyzers", &[], &body).is_ok());
        let err = check_required("GetFinding", &[], &body).unwrap_err();
        assert!(err.message.contains("'analyzerArn'"));
        assert!(check_required("GetFinding", &[("analyzerArn".into(), "x".into())], &body).is_ok());
    }
}
