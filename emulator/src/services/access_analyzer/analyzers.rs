//! Analyzers (`CreateAnalyzer`, `GetAnalyzer`, `ListAnalyzers`,
//! `UpdateAnalyzer`, `DeleteAnalyzer`, the service-linked pair) and their
//! tags (`TagResource`, `UntagResource`, `ListTagsForResource`).
//!
//! An analyzer belongs to the caller's account and the region it was asked
//! in; its name is unique there. Its type decides what it finds: external
//! access (`ACCOUNT`, `ORGANIZATION`), unused access (`…_UNUSED_ACCESS`), or
//! internal access (`…_INTERNAL_ACCESS`, created and listed; it reports
//! nothing yet).

use super::archive_rules::read_filter;
use super::wire::{self, conflict, not_found, not_in_enum, timestamp, validation};
use super::{scan, Call};
use crate::error::{AwsError, AwsResult, RestJson};
use crate::state::access_analyzer::{Analyzer, ArchiveRule};
use crate::state::State;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// botocore's `Type` enum.
pub const TYPES: &[&str] = &[
    "ACCOUNT",
    "ORGANIZATION",
    "ACCOUNT_UNUSED_ACCESS",
    "ORGANIZATION_UNUSED_ACCESS",
    "ACCOUNT_INTERNAL_ACCESS",
    "ORGANIZATION_INTERNAL_ACCESS",
];

/// The analyzer `arn` of the caller's account, or ResourceNotFoundException.
pub fn find<'s>(call: &Call, state: &'s State, arn: &str) -> AwsResult<&'s Analyzer> {
    state
        .access_analyzer
        .analyzers
        .get(arn)
        .filter(|a| a.account == call.account)
        .ok_or_else(|| not_found(format!("Analyzer {arn} not found.")))
}

/// As [`find`], for writing.
pub fn find_mut<'s>(call: &Call, state: &'s mut State, arn: &str) -> AwsResult<&'s mut Analyzer> {
    let account = call.account.clone();
    state
        .access_analyzer
        .analyzers
        .get_mut(arn)
        .filter(|a| a.account == account)
        .ok_or_else(|| not_found(format!("Analyzer {arn} not found.")))
}

/// An analyzer as `AnalyzerSummary`.
pub fn summary(analyzer: &Analyzer) -> Value {
    let mut out = json!({
        "arn": analyzer.arn,
        "name": analyzer.name,
        "type": analyzer.kind,
        "createdAt": timestamp(analyzer.created),
        "status": "ACTIVE",
        "tags": analyzer.tags,
    });
    if let Some((resource, at)) = &analyzer.last_analyzed {
        out["lastResourceAnalyzed"] = json!(resource);
        out["lastResourceAnalyzedAt"] = timestamp(*at);
    }
    wire::put_opt(&mut out, "configuration", analyzer.configuration.clone());
    wire::put_opt(
        &mut out,
        "managedBy",
        analyzer.managed_by.clone().map(Value::String),
    );
    out
}

/// `CreateAnalyzer`.
pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let name = call.text("analyzerName").unwrap_or_default().to_string();
    check_name("analyzerName", &name, true)?;
    let input = read_analyzer_input(call)?;
    may_analyze_organization(call, state, &input.kind)?;
    let arn = call.analyzer_arn(&name);
    if state.access_analyzer.analyzers.contains_key(&arn) {
        return Err(conflict(format!("An analyzer named {name} already exists.")));
    }
    insert(call, state, &arn, &name, input, None);
    Ok(json!({ "arn": arn }))
}

/// `CreateServiceLinkedAnalyzer`: an analyzer the service names and manages.
pub fn create_service_linked(call: &Call, state: &mut State) -> AwsResult<Value> {
    let input = read_analyzer_input(call)?;
    may_analyze_organization(call, state, &input.kind)?;
    let name = format!("ServiceLinkedAnalyzer-{}", input.kind);
    let arn = call.analyzer_arn(&name);
    if state.access_analyzer.analyzers.contains_key(&arn) {
        return Err(conflict(format!(
            "A service-linked analyzer of type {} already exists.",
            input.kind
        )));
    }
    insert(
        call,
        state,
        &arn,
        &name,
        input,
        Some("access-analyzer.amazonaws.com".into()),
    );
    Ok(json!({ "arn": arn }))
}

/// The service principal an organization trusts for Access Analyzer.
const SERVICE_PRINCIPAL: &str = "access-analyzer.amazonaws.com";

/// An `ORGANIZATION…` analyzer is created in the management account or in
/// the member account registered as Access Analyzer's delegated
/// administrator, of an organization that enabled trusted access for
/// `access-analyzer.amazonaws.com` (IAM User Guide, "Enabling Access
/// Analyzer"). AWS answers an organization without trusted access
/// `ValidationException` "Service not enabled for AWS Organizations" (400),
/// and another member account `AccessDeniedException` "Account ID is not a
/// delegated administrator" (403), as users report those answers; an
/// account in no organization gets the first here too.
fn may_analyze_organization(call: &Call, state: &State, kind: &str) -> AwsResult<()> {
    if !kind.starts_with("ORGANIZATION") {
        return Ok(());
    }
    let org = state
        .organizations
        .org_of(&call.account)
        .filter(|org| org.service_access.contains_key(SERVICE_PRINCIPAL))
        .ok_or_else(|| validation("Service not enabled for AWS Organizations"))?;
    let delegated = state
        .organizations
        .is_delegated_admin(&call.account, SERVICE_PRINCIPAL);
    if org.management == call.account || delegated {
        return Ok(());
    }
    Err(AwsError::new(
        RestJson::AccessDeniedException,
        format!("Account {} is not a delegated administrator", call.account),
    ))
}

/// What creating an analyzer reads from the body.
struct AnalyzerInput {
    kind: String,
    rules: Vec<(String, crate::state::access_analyzer::Filter)>,
    tags: BTreeMap<String, String>,
    configuration: Option<Value>,
}

fn read_analyzer_input(call: &Call) -> AwsResult<AnalyzerInput> {
    let kind = call.text("type").unwrap_or_default().to_string();
    if !TYPES.contains(&kind.as_str()) {
        return Err(not_in_enum("type", &kind, TYPES));
    }
    let mut rules = Vec::new();
    for rule in call
        .body("archiveRules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = rule.get("ruleName").and_then(Value::as_str).unwrap_or_default();
        check_name("ruleName", name, false)?;
        rules.push((name.to_string(), read_filter(rule.get("filter"))?));
    }
    let tags = read_tags(call.body("tags"))?;
    let configuration = call.body("configuration").cloned();
    check_configuration(&kind, configuration.as_ref())?;
    Ok(AnalyzerInput {
        kind,
        rules,
        tags,
        configuration,
    })
}

fn insert(
    call: &Call,
    state: &mut State,
    arn: &str,
    name: &str,
    input: AnalyzerInput,
    managed_by: Option<String>,
) {
    let now = call.now();
    let archive_rules = input
        .rules
        .into_iter()
        .map(|(rule, filter)| {
            let archive_rule = ArchiveRule {
                name: rule.clone(),
                filter,
                created: now,
                updated: now,
            };
            (rule, archive_rule)
        })
        .collect();
    let analyzer = Analyzer {
        arn: arn.to_string(),
        name: name.to_string(),
        account: call.account.clone(),
        region: call.region.clone(),
        kind: input.kind,
        created: now,
        tags: input.tags,
        configuration: input.configuration,
        managed_by,
        last_analyzed: None,
        archive_rules,
        findings: BTreeMap::new(),
        resources: BTreeMap::new(),
        previews: BTreeMap::new(),
        recommendations: BTreeMap::new(),
    };
    state.access_analyzer.analyzers.insert(arn.to_string(), analyzer);
    // The first scan, as AWS starts one when an analyzer is created.
    scan::reconcile(call, state, arn);
}

/// `AnalyzerName` / `Name`: 1–255 characters, a letter (or `_` for
/// analyzers) first, then letters, digits, `_`, `.` and `-`.
pub fn check_name(member: &str, name: &str, underscore_first: bool) -> AwsResult<()> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || (underscore_first && c == '_'));
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if name.len() > 255 || !first_ok || !rest_ok {
        let pattern = if underscore_first {
            "[A-Za-z_][A-Za-z0-9_.-]*"
        } else {
            "[A-Za-z][A-Za-z0-9_.-]*"
        };
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
        )));
    }
    Ok(())
}

/// `unusedAccess` goes with unused-access analyzers, its age is 1–365 days;
/// `internalAccess` with internal-access analyzers.
fn check_configuration(kind: &str, configuration: Option<&Value>) -> AwsResult<()> {
    let Some(configuration) = configuration else {
        return Ok(());
    };
    let object = configuration
        .as_object()
        .ok_or_else(|| validation("configuration must be an object"))?;
    if let Some(unused) = object.get("unusedAccess") {
        if !kind.ends_with("_UNUSED_ACCESS") {
            return Err(validation(format!(
                "The unusedAccess configuration is only valid for unused access analyzers, not {kind}."
            )));
        }
        if let Some(age) = unused.get("unusedAccessAge") {
            if !age.as_u64().is_some_and(|d| (1..=365).contains(&d)) {
                return Err(validation("unusedAccessAge must be between 1 and 365 days."));
            }
        }
    }
    if object.contains_key("internalAccess") && !kind.ends_with("_INTERNAL_ACCESS") {
        return Err(validation(format!(
            "The internalAccess configuration is only valid for internal access analyzers, not {kind}."
        )));
    }
    Ok(())
}

fn read_tags(value: Option<&Value>) -> AwsResult<BTreeMap<String, String>> {
    let Some(value) = value else {
        return Ok(BTreeMap::new());
    };
    let map = value
        .as_object()
        .ok_or_else(|| validation("tags must be a map"))?;
    map.iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|v| (k.clone(), v.to_string()))
                .ok_or_else(|| validation("tag values must be strings"))
        })
        .collect()
}

/// `GetAnalyzer`.
pub fn get(call: &Call, state: &State) -> AwsResult<Value> {
    let analyzer = find(call, state, &call.analyzer_arn(call.uri("analyzerName")))?;
    Ok(json!({ "analyzer": summary(analyzer) }))
}

/// `ListAnalyzers`: this account's analyzers in this region, of `type` if given.
pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    if let Some(kind) = call.query("type") {
        if !TYPES.contains(&kind) {
            return Err(not_in_enum("type", kind, TYPES));
        }
    }
    let size = wire::max_results(None, call.query("maxResults"))?;
    let all: Vec<Value> = state
        .access_analyzer
        .analyzers
        .values()
        .filter(|a| a.account == call.account && a.region == call.region)
        .filter(|a| call.query("type").is_none_or(|t| a.kind == t))
        .map(summary)
        .collect();
    let (page, next) = wire::page(all, call.query("nextToken"), size)?;
    let mut reply = json!({ "analyzers": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

/// `UpdateAnalyzer`: a new `configuration`.
pub fn update(call: &Call, state: &mut State) -> AwsResult<Value> {
    let arn = call.analyzer_arn(call.uri("analyzerName"));
    let kind = find(call, state, &arn)?.kind.clone();
    let configuration = call.body("configuration").cloned();
    check_configuration(&kind, configuration.as_ref())?;
    let analyzer = find_mut(call, state, &arn)?;
    if configuration.is_some() {
        analyzer.configuration = configuration;
    }
    let mut reply = json!({});
    wire::put_opt(&mut reply, "configuration", analyzer.configuration.clone());
    // The unused-access age may have changed what is unused.
    scan::reconcile(call, state, &arn);
    Ok(reply)
}

/// `DeleteAnalyzer`: the analyzer, its rules, findings and previews.
pub fn delete(call: &Call, state: &mut State) -> AwsResult<Value> {
    remove(call, state, false)
}

/// `DeleteServiceLinkedAnalyzer`.
pub fn delete_service_linked(call: &Call, state: &mut State) -> AwsResult<Value> {
    remove(call, state, true)
}

fn remove(call: &Call, state: &mut State, service_linked: bool) -> AwsResult<Value> {
    let arn = call.analyzer_arn(call.uri("analyzerName"));
    let analyzer = find(call, state, &arn)?;
    match (analyzer.managed_by.is_some(), service_linked) {
        (true, false) => {
            return Err(validation(format!(
                "Analyzer {} is service-linked: delete it with DeleteServiceLinkedAnalyzer.",
                analyzer.name
            )))
        }
        (false, true) => {
            return Err(validation(format!(
                "Analyzer {} is not service-linked: delete it with DeleteAnalyzer.",
                analyzer.name
            )))
        }
        _ => {}
    }
    state.access_analyzer.analyzers.remove(&arn);
    Ok(json!({}))
}

/// `ListTagsForResource`.
pub fn list_tags(call: &Call, state: &State) -> AwsResult<Value> {
    let analyzer = find(call, state, call.uri("resourceArn"))?;
    Ok(json!({ "tags": analyzer.tags }))
}

/// `TagResource`: adds or replaces tags.
pub fn tag(call: &Call, state: &mut State) -> AwsResult<Value> {
    let tags = read_tags(call.body("tags"))?;
    let analyzer = find_mut(call, state, call.uri("resourceArn"))?;
    analyzer.tags.extend(tags);
    Ok(json!({}))
}

/// `UntagResource`: `tagKeys` in the query.
pub fn untag(call: &Call, state: &mut State) -> AwsResult<Value> {
    let keys = call.query_all("tagKeys");
    let analyzer = find_mut(call, state, call.uri("resourceArn"))?;
    analyzer.tags.retain(|k, _| !keys.contains(k));
    Ok(json!({}))
}
