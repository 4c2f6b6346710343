//! The body of `POST /_emulator/evaluate` → the `explain` command's input.
//!
//! ```json
//! {"principal": "arn:aws:iam::123456789012:user/alice",
//!  "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
//!  "resourceAccount": null,
//!  "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"]},
//!  "policies": ["{…}", {"name": "home.json", "document": {…}}],
//!  "resourcePolicy": …, "trustPolicy": …, "boundary": …,
//!  "sessionPolicies": […], "scps": […], "rcps": […]}
//! ```
//!
//! Each flag of `explain` has its field; a policy is its text, its JSON,
//! or `{"name", "document"}` (the name the trace shows, as `explain` shows a
//! file's name). `context` may also be a list of `KEY=VALUE` strings, as
//! `--context` takes them. A blank policy text counts as not given.

use super::BodyError;
use crate::explain::{ExplainInput, PolicyText, DEFAULT_PRINCIPAL};
use serde_json::Value;

/// Reads the JSON body into the input `explain` decides from.
pub fn input_from_json(body: &Value) -> Result<ExplainInput, BodyError> {
    let known = [
        "principal",
        "action",
        "resource",
        "resourceAccount",
        "context",
        "policies",
        "resourcePolicy",
        "trustPolicy",
        "boundary",
        "sessionPolicies",
        "scps",
        "rcps",
    ];
    if let Some(map) = body.as_object() {
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(error(
                "body",
                format!("unknown field {unknown:?}; known: {}", known.join(", ")),
            ));
        }
    }
    Ok(ExplainInput {
        policies: list(body, "policies", "identity policy")?,
        resource_policy: single(body, "resourcePolicy", "resource policy")?,
        trust_policy: single(body, "trustPolicy", "trust policy")?,
        boundary: single(body, "boundary", "permissions boundary")?,
        session_policies: list(body, "sessionPolicies", "session policy")?,
        scps: list(body, "scps", "SCP level")?,
        rcps: list(body, "rcps", "RCP level")?,
        principal: optional_string(body, "principal")?
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_PRINCIPAL.to_string()),
        action: required_string(body, "action")?,
        resource: required_string(body, "resource")?,
        resource_account: optional_string(body, "resourceAccount")?.filter(|a| !a.trim().is_empty()),
        context: context(body)?,
    })
}

fn error(field: &'static str, message: String) -> BodyError {
    BodyError { field, message }
}

fn optional_string(body: &Value, field: &'static str) -> Result<Option<String>, BodyError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(error(field, format!("{field} must be a string"))),
    }
}

fn required_string(body: &Value, field: &'static str) -> Result<String, BodyError> {
    optional_string(body, field)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| error(field, format!("{field} is required")))
}

/// One policy: text, JSON document, or `{"name", "document"}`; `None` when blank.
fn policy(value: &Value, field: &'static str, name: String) -> Result<Option<PolicyText>, BodyError> {
    let (name, document) = match value {
        Value::Object(map) if map.contains_key("document") => {
            let name = match map.get("name") {
                None | Some(Value::Null) => name,
                Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
                Some(_) => return Err(error(field, format!("{field}: a policy's name must be a string"))),
            };
            (name, &map["document"])
        }
        other => (name, other),
    };
    let text = match document {
        Value::Null => return Ok(None),
        Value::String(text) if text.trim().is_empty() => return Ok(None),
        Value::String(text) => text.clone(),
        Value::Object(_) => document.to_string(),
        _ => {
            return Err(error(
                field,
                format!("{field}: a policy is its text, its JSON object, or {{\"name\", \"document\"}}"),
            ))
        }
    };
    Ok(Some(PolicyText {
        origin: name.clone(),
        name,
        text,
    }))
}

fn single(body: &Value, field: &'static str, label: &str) -> Result<Option<PolicyText>, BodyError> {
    match body.get(field) {
        None => Ok(None),
        Some(value) => policy(value, field, label.to_string()),
    }
}

fn list(body: &Value, field: &'static str, label: &str) -> Result<Vec<PolicyText>, BodyError> {
    let items = match body.get(field) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
    };
    let numbered = items.len() > 1 || label.ends_with("level");
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = if numbered {
            format!("{label} {}", i + 1)
        } else {
            label.to_string()
        };
        out.extend(policy(item, field, name)?);
    }
    Ok(out)
}

/// `{"key": "value" | ["v1", "v2"]}` or `["KEY=VALUE", …]` → `KEY=VALUE` pairs.
pub(super) fn context(body: &Value) -> Result<Vec<String>, BodyError> {
    let wrong = || {
        error(
            "context",
            "context must be an object of key: value (or a list of values), or a list of \"KEY=VALUE\" strings"
                .into(),
        )
    };
    match body.get("context") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
            .map(|v| v.as_str().map(str::to_string).ok_or_else(wrong))
            .collect(),
        Some(Value::Object(map)) => {
            let mut pairs = Vec::new();
            for (key, value) in map {
                let scalar = |v: &Value| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Bool(b) => Ok(b.to_string()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(wrong()),
                };
                match value {
                    Value::Array(values) => {
                        for v in values {
                            pairs.push(format!("{key}={}", scalar(v)?));
                        }
                    }
                    v => pairs.push(format!("{key}={}", scalar(v)?)),
                }
            }
            Ok(pairs)
        }
        Some(_) => Err(wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_map_to_the_explain_flags() {
        let input = input_from_json(&json!({
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::b/k",
            "policies": [{"name": "home.json", "document": {"Version": "2012-10-17", "Statement": []}}, "  "],
            "boundary": "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            "scps": ["{}", "{}"],
            "context": {"aws:TagKeys": ["a", "b"], "aws:SecureTransport": true},
        }))
        .unwrap();
        assert_eq!(input.principal, DEFAULT_PRINCIPAL);
        assert_eq!(input.policies.len(), 1);
        assert_eq!(input.policies[0].name, "home.json");
        assert_eq!(input.boundary.as_ref().unwrap().name, "permissions boundary");
        assert_eq!(
            input.scps.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["SCP level 1", "SCP level 2"]
        );
        let mut context = input.context.clone();
        context.sort();
        assert_eq!(
            context,
            ["aws:SecureTransport=true", "aws:TagKeys=a", "aws:TagKeys=b"]
        );
        let lines =
            input_from_json(&json!({"action": "a:b", "resource": "*", "context": ["k=v", ""]})).unwrap();
        assert_eq!(lines.context, ["k=v"]);
    }

    #[test]
    fn bad_input_names_its_field() {
        let field = |v: Value| input_from_json(&v).unwrap_err().field;
        assert_eq!(field(json!({"resource": "*"})), "action");
        assert_eq!(field(json!({"action": "s3:GetObject"})), "resource");
        assert_eq!(
            field(json!({"action": "a:b", "resource": "*", "context": 3})),
            "context"
        );
        assert_eq!(
            field(json!({"action": "a:b", "resource": "*", "boundary": 3})),
            "boundary"
        );
        assert_eq!(
            field(json!({"action": "a:b", "resource": "*", "polices": []})),
            "body"
        );
    }
}
