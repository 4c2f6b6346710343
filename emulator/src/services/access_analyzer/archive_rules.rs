//! Archive rules: `CreateArchiveRule`, `GetArchiveRule`, `ListArchiveRules`,
//! `UpdateArchiveRule`, `DeleteArchiveRule` and `ApplyArchiveRule`.
//!
//! API reference: "Archive rules automatically archive new findings that
//! meet the criteria you define when you create the rule" (the scan applies
//! them to each finding it creates); `ApplyArchiveRule` "retroactively
//! applies the archive rule to existing findings that meet the archive rule
//! criteria".

use super::analyzers::{check_name, find, find_mut};
use super::filter;
use super::wire::{self, conflict, not_found, timestamp, validation};
use super::{scan, Call};
use crate::error::AwsResult;
use crate::state::access_analyzer::{ArchiveRule, Criterion, Filter, FindingStatus};
use crate::state::State;
use serde_json::{json, Value};

/// A `FilterCriteriaMap`: each criterion with at least one operator, each
/// list of 1 to 20 values.
pub fn read_filter(value: Option<&Value>) -> AwsResult<Filter> {
    let map = value
        .and_then(Value::as_object)
        .ok_or_else(|| validation("filter must be a map of criteria"))?;
    let mut out = Filter::new();
    for (key, value) in map {
        let criterion: Criterion = serde_json::from_value(value.clone())
            .map_err(|e| validation(format!("filter criterion {key}: {e}")))?;
        let lists = [&criterion.eq, &criterion.neq, &criterion.contains];
        if lists.iter().all(|l| l.is_none()) && criterion.exists.is_none() {
            return Err(validation(format!(
                "filter criterion {key} needs eq, neq, contains or exists"
            )));
        }
        if lists
            .iter()
            .flat_map(|l| l.iter())
            .any(|l| l.is_empty() || l.len() > 20)
        {
            return Err(validation(format!(
                "filter criterion {key}: each list holds 1 to 20 values"
            )));
        }
        out.insert(key.clone(), criterion);
    }
    Ok(out)
}

fn summary(rule: &ArchiveRule) -> Value {
    json!({
        "ruleName": rule.name,
        "filter": rule.filter,
        "createdAt": timestamp(rule.created),
        "updatedAt": timestamp(rule.updated),
    })
}

/// `CreateArchiveRule`.
pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let rule = call.text("ruleName").unwrap_or_default().to_string();
    check_name("ruleName", &rule, false)?;
    let filter = read_filter(call.body("filter"))?;
    let now = call.now();
    let analyzer = find_mut(call, state, &call.analyzer_arn(call.uri("analyzerName")))?;
    if analyzer.archive_rules.contains_key(&rule) {
        return Err(conflict(format!("An archive rule named {rule} already exists.")));
    }
    analyzer.archive_rules.insert(
        rule.clone(),
        ArchiveRule {
            name: rule,
            filter,
            created: now,
            updated: now,
        },
    );
    Ok(json!({}))
}

/// `GetArchiveRule`.
pub fn get(call: &Call, state: &State) -> AwsResult<Value> {
    let analyzer = find(call, state, &call.analyzer_arn(call.uri("analyzerName")))?;
    let rule = analyzer
        .archive_rules
        .get(call.uri("ruleName"))
        .ok_or_else(|| rule_not_found(call.uri("ruleName")))?;
    Ok(json!({ "archiveRule": summary(rule) }))
}

/// `ListArchiveRules`.
pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    let size = wire::max_results(None, call.query("maxResults"))?;
    let analyzer = find(call, state, &call.analyzer_arn(call.uri("analyzerName")))?;
    let rules: Vec<Value> = analyzer.archive_rules.values().map(summary).collect();
    let (page, next) = wire::page(rules, call.query("nextToken"), size)?;
    let mut reply = json!({ "archiveRules": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

/// `UpdateArchiveRule`: a new filter.
pub fn update(call: &Call, state: &mut State) -> AwsResult<Value> {
    let filter = read_filter(call.body("filter"))?;
    let now = call.now();
    let analyzer = find_mut(call, state, &call.analyzer_arn(call.uri("analyzerName")))?;
    let rule = analyzer
        .archive_rules
        .get_mut(call.uri("ruleName"))
        .ok_or_else(|| rule_not_found(call.uri("ruleName")))?;
    rule.filter = filter;
    rule.updated = now;
    Ok(json!({}))
}

/// `DeleteArchiveRule`.
pub fn delete(call: &Call, state: &mut State) -> AwsResult<Value> {
    let analyzer = find_mut(call, state, &call.analyzer_arn(call.uri("analyzerName")))?;
    analyzer
        .archive_rules
        .remove(call.uri("ruleName"))
        .ok_or_else(|| rule_not_found(call.uri("ruleName")))?;
    Ok(json!({}))
}

/// `ApplyArchiveRule`: archives the active findings the rule matches.
pub fn apply(call: &Call, state: &mut State) -> AwsResult<Value> {
    let arn = call.text("analyzerArn").unwrap_or_default().to_string();
    let rule_name = call.text("ruleName").unwrap_or_default().to_string();
    let rule = find(call, state, &arn)?
        .archive_rules
        .get(&rule_name)
        .cloned()
        .ok_or_else(|| rule_not_found(&rule_name))?;
    scan::reconcile(call, state, &arn);
    let now = call.now();
    let analyzer = find_mut(call, state, &arn)?;
    for finding in analyzer.findings.values_mut() {
        if finding.status == FindingStatus::Active
            && filter::matches(&rule.filter, &scan::finding_attributes(finding))
        {
            finding.status = FindingStatus::Archived;
            finding.updated = now;
        }
    }
    Ok(json!({}))
}

fn rule_not_found(name: &str) -> crate::error::AwsError {
    not_found(format!("Archive rule {name} not found."))
}
