//! Policies as the console shows them: pretty-printed in their own key
//! order (IAM keeps a document as written; `Version` before `Statement`
//! reads best), with Access Analyzer's findings located in the printed
//! text, so that the page can highlight each where it is.

use iam_evaluator::validate::json_span::{self, Json, Node};
use iam_evaluator::validate::{validate_policy, Finding, PolicyKind, ResourcePolicyType};
use serde_json::{json, Value};

/// The JSON text indented by two spaces, keys in their order, duplicates
/// kept; the text as it is when it is not JSON.
pub fn pretty_json(text: &str) -> String {
    match json_span::parse(text) {
        Ok(node) => {
            let mut out = String::with_capacity(text.len() * 2);
            write_node(&node, 0, &mut out);
            out
        }
        Err(_) => text.to_string(),
    }
}

fn indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

fn write_node(node: &Node, depth: usize, out: &mut String) {
    match &node.value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => out.push_str(&quoted(s)),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write_node(item, depth + 1, out);
            }
            indent(out, depth);
            out.push(']');
        }
        Json::Object(members) if members.is_empty() => out.push_str("{}"),
        Json::Object(members) => {
            out.push('{');
            for (i, member) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                out.push_str(&quoted(&member.key));
                out.push_str(": ");
                write_node(&member.value, depth + 1, out);
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

/// A policy for the page: its name, the pretty text, and the findings of
/// `ValidatePolicy` on that text (their spans point into it: line from 1,
/// column and offset in characters from 0).
pub fn policy_view(
    name: &str,
    text: &str,
    kind: PolicyKind,
    resource_type: Option<ResourcePolicyType>,
) -> Value {
    let pretty = pretty_json(text);
    let findings: Vec<Value> = validate_policy(&pretty, kind, resource_type)
        .iter()
        .map(Finding::to_json)
        .collect();
    json!({
        "name": name,
        "document": pretty,
        "policyType": kind.as_str(),
        "findings": findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_keeps_key_order_and_escapes() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*"],"Resource":"arn:aws:s3:::b/\"q\"","Condition":{}}],"N":1.50}"#;
        let pretty = pretty_json(text);
        assert_eq!(
            pretty,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"s3:Get*\"\n      ],\n      \"Resource\": \"arn:aws:s3:::b/\\\"q\\\"\",\n      \"Condition\": {}\n    }\n  ],\n  \"N\": 1.50\n}"
        );
        let reparsed: Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(reparsed, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(pretty_json("not json {"), "not json {");
    }

    #[test]
    fn findings_point_into_the_pretty_text() {
        let view = policy_view(
            "p",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListObject","Resource":"*"}}"#,
            PolicyKind::Identity,
            None,
        );
        let finding = &view["findings"][0];
        assert_eq!(finding["issueCode"], "INVALID_ACTION");
        let document = view["document"].as_str().unwrap();
        let span = &finding["locations"][0]["span"];
        let chars: Vec<char> = document.chars().collect();
        let start = usize::try_from(span["start"]["offset"].as_u64().unwrap()).unwrap();
        let end = usize::try_from(span["end"]["offset"].as_u64().unwrap()).unwrap();
        assert_eq!(chars[start..end].iter().collect::<String>(), "\"s3:ListObject\"");
    }
}
