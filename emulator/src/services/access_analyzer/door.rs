//! Access Analyzer's authorization door: for the operation's row in
//! [`super::OPERATIONS`], builds the resource ARN its `On` names and the
//! condition keys the Service Authorization Reference lists
//! (`aws:ResourceTag/*` of an existing analyzer, `aws:RequestTag/*` and
//! `aws:TagKeys` of the request), and asks the row's action through
//! [`crate::authorize`] before the handler runs. Handlers never authorize.

use super::{Call, On};
use crate::authorize::{authorize as ask, Question};
use crate::error::AwsResult;
use crate::state::State;
use iam_evaluator::RequestContext;
use serde_json::Value;

/// The resource the row's action is decided on.
fn resource(call: &Call) -> String {
    match call.operation.on {
        On::Nothing => "*".into(),
        On::AnalyzerNamed => call.analyzer_arn(call.uri("analyzerName")),
        On::AnalyzerNamedInBody => call.analyzer_arn(call.text("analyzerName").unwrap_or_default()),
        On::AnalyzerArn => call.text("analyzerArn").unwrap_or_default().to_string(),
        On::AnyAnalyzer => call.analyzer_arn("*"),
        On::ArchiveRule => {
            let rule = match call.uri("ruleName") {
                "" => call.text("ruleName").unwrap_or_default(),
                named => named,
            };
            format!(
                "{}/archive-rule/{rule}",
                call.analyzer_arn(call.uri("analyzerName"))
            )
        }
        On::TaggedResource => call.uri("resourceArn").to_string(),
    }
}

/// Decides the row's action on the row's resource and enforces it.
pub fn authorize(call: &Call, state: &State) -> AwsResult<()> {
    let resource = resource(call);
    let mut context = RequestContext::new();
    let analyzer = resource
        .split("/archive-rule/")
        .next()
        .and_then(|arn| state.access_analyzer.analyzers.get(arn));
    for (key, value) in analyzer.map(|a| &a.tags).into_iter().flatten() {
        context.set(&format!("aws:ResourceTag/{key}"), value.clone());
    }
    let mut tag_keys: Vec<String> = Vec::new();
    if let Some(tags) = call.body("tags").and_then(Value::as_object) {
        for (key, value) in tags {
            context.set(
                &format!("aws:RequestTag/{key}"),
                value.as_str().unwrap_or_default(),
            );
            tag_keys.push(key.clone());
        }
    }
    tag_keys.extend(call.query_all("tagKeys"));
    if !tag_keys.is_empty() {
        context.set_multi("aws:TagKeys", tag_keys);
    }
    let account = iam_evaluator::arn::Arn::parse(&resource)
        .map(|a| a.account.to_string())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| call.account.clone());
    let question = Question {
        resource_account: Some(&account),
        extra_context: context,
        ..Question::new(call.operation.action, &resource)
    };
    ask(call.ctx, state, call.caller, question)
}
