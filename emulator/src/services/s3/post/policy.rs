//! The policy document of a browser POST upload (S3 API Reference,
//! "Creating a POST policy"): base64 JSON with an `expiration` and
//! `conditions`, each an exact match (`{"acl": "public-read"}` or
//! `["eq", "$acl", "public-read"]`), a prefix (`["starts-with", "$key",
//! "user/"]`, `""` matching anything) or `["content-length-range", MIN,
//! MAX]`. "Each form field that you specify in a form (except
//! x-amz-signature, file, policy, and field names that have an x-ignore-
//! prefix) must appear in the list of conditions."

use crate::error::{AwsError, AwsResult, S3};
use base64::Engine;
use serde_json::Value;
use time::OffsetDateTime;

/// One condition, with its JSON as S3 quotes it when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The field (lower-cased, without `$`) equals the value.
    Eq {
        field: String,
        value: String,
        text: String,
    },
    /// The field starts with the prefix.
    StartsWith {
        field: String,
        prefix: String,
        text: String,
    },
    /// The file's size in bytes is within the range.
    LengthRange { min: u64, max: u64 },
}

/// A POST policy.
#[derive(Debug, Clone)]
pub struct PostPolicy {
    pub expiration: OffsetDateTime,
    pub conditions: Vec<Condition>,
}

fn invalid(message: &str) -> AwsError {
    AwsError::new(S3::InvalidPolicyDocument, format!("Invalid Policy: {message}"))
}

fn failed(message: &str) -> AwsError {
    AwsError::access_denied(format!("Invalid according to Policy: {message}"))
}

/// Reads the base64 policy document of a form.
pub fn parse(encoded: &str) -> AwsResult<PostPolicy> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid("Invalid 'Policy' field: not base64 encoded."))?;
    let doc: Value = serde_json::from_slice(&raw).map_err(|_| invalid("Invalid JSON."))?;
    let expiration = match doc.get("expiration") {
        None => return Err(invalid("Policy missing expiration.")),
        Some(Value::String(text)) => {
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| invalid(&format!("Invalid 'expiration' value: '{text}'")))?
        }
        Some(other) => return Err(invalid(&format!("Invalid 'expiration' value: '{other}'"))),
    };
    let list = match doc.get("conditions") {
        None => return Err(invalid("Policy missing conditions.")),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid("Invalid 'conditions' value: must be a List.")),
    };
    let mut conditions = Vec::new();
    for item in list {
        conditions.extend(condition(item)?);
    }
    Ok(PostPolicy {
        expiration,
        conditions,
    })
}

/// A field name as a condition names it: `$key` → `key`.
fn field_name(text: &str) -> Option<String> {
    text.strip_prefix('$').map(str::to_ascii_lowercase)
}

/// A JSON value as a condition compares it: strings as they are.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn condition(item: &Value) -> AwsResult<Vec<Condition>> {
    match item {
        Value::Object(map) => map
            .iter()
            .map(|(field, value)| {
                let value = as_text(value)
                    .ok_or_else(|| invalid("Invalid Simple-Condition: value must be a string."))?;
                Ok(Condition::Eq {
                    field: field.to_ascii_lowercase(),
                    text: format!("[\"eq\", \"${field}\", \"{value}\"]"),
                    value,
                })
            })
            .collect(),
        Value::Array(parts) => {
            let bad = || invalid(&format!("Invalid Condition: {item}"));
            let operator = parts.first().and_then(Value::as_str).ok_or_else(bad)?;
            match operator.to_ascii_lowercase().as_str() {
                "content-length-range" => {
                    let bound = |i: usize| {
                        parts.get(i).and_then(|v| {
                            v.as_u64()
                                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                        })
                    };
                    match (parts.len(), bound(1), bound(2)) {
                        (3, Some(min), Some(max)) => Ok(vec![Condition::LengthRange { min, max }]),
                        _ => Err(invalid("Invalid content-length-range")),
                    }
                }
                op @ ("eq" | "starts-with") => {
                    let field = parts
                        .get(1)
                        .and_then(Value::as_str)
                        .and_then(field_name)
                        .ok_or_else(bad)?;
                    let value = parts.get(2).and_then(as_text).ok_or_else(bad)?;
                    if parts.len() != 3 {
                        return Err(bad());
                    }
                    let text = format!("[\"{op}\", \"${field}\", \"{value}\"]");
                    Ok(vec![if op == "eq" {
                        Condition::Eq { field, value, text }
                    } else {
                        Condition::StartsWith {
                            field,
                            prefix: value,
                            text,
                        }
                    }])
                }
                _ => Err(bad()),
            }
        }
        _ => Err(invalid(&format!("Invalid Condition: {item}"))),
    }
}

/// Fields no condition needs to name: the signature and the policy
/// themselves, the file, and `x-ignore-*`.
fn exempt(field: &str) -> bool {
    matches!(
        field,
        "x-amz-signature" | "file" | "policy" | "signature" | "awsaccesskeyid"
    ) || field.starts_with("x-ignore-")
}

/// Checks the form against the policy at `now`: not expired, every
/// condition holds (`bucket` is the request's bucket), every field named by
/// a condition. Returns the content-length range, if any.
pub fn check(
    policy: &PostPolicy,
    fields: &[(String, String)],
    bucket: &str,
    now: OffsetDateTime,
) -> AwsResult<Option<(u64, u64)>> {
    if now > policy.expiration {
        return Err(failed("Policy expired."));
    }
    let value_of = |field: &str| -> Option<&str> {
        if field == "bucket" {
            return Some(bucket);
        }
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.as_str())
    };
    let mut range = None;
    for condition in &policy.conditions {
        let holds = match condition {
            Condition::Eq { field, value, .. } => value_of(field) == Some(value.as_str()),
            Condition::StartsWith { field, prefix, .. } => {
                value_of(field).is_some_and(|v| starts_with(field, v, prefix))
            }
            Condition::LengthRange { min, max } => {
                range = Some((*min, *max));
                true
            }
        };
        if !holds {
            let text = match condition {
                Condition::Eq { text, .. } | Condition::StartsWith { text, .. } => text.as_str(),
                Condition::LengthRange { .. } => "",
            };
            return Err(failed(&format!("Policy Condition failed: {text}")));
        }
    }
    for (name, _) in fields {
        let name = name.to_ascii_lowercase();
        let named = policy.conditions.iter().any(|c| match c {
            Condition::Eq { field, .. } | Condition::StartsWith { field, .. } => *field == name,
            Condition::LengthRange { .. } => false,
        });
        if !named && !exempt(&name) {
            return Err(failed(&format!("Extra input fields: {name}")));
        }
    }
    Ok(range)
}

/// `starts-with`; for `Content-Type` each comma-separated value must
/// start with the prefix ("If you upload multiple files … Content-Type").
fn starts_with(field: &str, value: &str, prefix: &str) -> bool {
    if field == "content-type" {
        return value.split(',').all(|v| v.trim().starts_with(prefix));
    }
    value.starts_with(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(json: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(json)
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    const NOW: OffsetDateTime = time::macros::datetime!(2026-01-01 00:00 UTC);

    #[test]
    fn every_condition_kind() {
        let policy = parse(&encode(
            r#"{"expiration":"2026-01-02T00:00:00.000Z","conditions":[
            {"bucket":"b"},["starts-with","$key","uploads/"],{"acl":"public-read"},
            ["eq","$Content-Type","image/png"],["content-length-range",1,10],["starts-with","$x-amz-meta-tag",""]]}"#,
        ))
        .unwrap();
        let ok = fields(&[
            ("key", "uploads/${filename}"),
            ("acl", "public-read"),
            ("Content-Type", "image/png"),
            ("x-amz-meta-tag", "anything"),
            ("policy", "p"),
            ("x-amz-signature", "s"),
            ("x-ignore-me", "1"),
        ]);
        assert_eq!(check(&policy, &ok, "b", NOW).unwrap(), Some((1, 10)));
        let err = check(&policy, &ok, "other", NOW).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"b\"]"
        );
        let mut wrong_key = ok.clone();
        wrong_key[0].1 = "elsewhere/x".into();
        assert!(check(&policy, &wrong_key, "b", NOW)
            .unwrap_err()
            .message
            .contains("starts-with"));
        let mut extra = ok.clone();
        extra.push(("x-amz-meta-other".into(), "v".into()));
        assert_eq!(
            check(&policy, &extra, "b", NOW).unwrap_err().message,
            "Invalid according to Policy: Extra input fields: x-amz-meta-other"
        );
        let later = time::macros::datetime!(2026-01-03 00:00 UTC);
        assert_eq!(
            check(&policy, &ok, "b", later).unwrap_err().message,
            "Invalid according to Policy: Policy expired."
        );
    }

    #[test]
    fn bad_documents_are_invalid_policy_documents() {
        for (doc, message) in [
            ("not json", "Invalid Policy: Invalid JSON."),
            (
                r#"{"conditions":[]}"#,
                "Invalid Policy: Policy missing expiration.",
            ),
            (
                r#"{"expiration":"2026-01-02T00:00:00Z"}"#,
                "Invalid Policy: Policy missing conditions.",
            ),
            (
                r#"{"expiration":"tomorrow","conditions":[]}"#,
                "Invalid Policy: Invalid 'expiration' value: 'tomorrow'",
            ),
            (
                r#"{"expiration":"2026-01-02T00:00:00Z","conditions":[["content-length-range",1]]}"#,
                "Invalid Policy: Invalid content-length-range",
            ),
            (
                r#"{"expiration":"2026-01-02T00:00:00Z","conditions":[["matches","$key","a"]]}"#,
                "Invalid Policy: Invalid Condition: [\"matches\",\"$key\",\"a\"]",
            ),
        ] {
            let err = parse(&encode(doc)).unwrap_err();
            assert_eq!(
                (err.code.as_str(), err.message.as_str()),
                ("InvalidPolicyDocument", message)
            );
        }
        assert_eq!(parse("%%%").unwrap_err().code, "InvalidPolicyDocument");
    }
}
