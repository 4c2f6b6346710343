//! Findings and what is derived from them: `ListFindings`,
//! `ListFindingsV2`, `GetFinding`, `GetFindingV2`, `UpdateFindings`,
//! `GetFindingsStatistics`, `GenerateFindingRecommendation`,
//! `GetFindingRecommendation`, and the analyzed resources
//! (`StartResourceScan`, `GetAnalyzedResource`, `ListAnalyzedResources`).
//!
//! Each brings the analyzer's findings up to date first ([`scan::reconcile`]).

use super::analyzers::{find, find_mut};
use super::archive_rules::read_filter;
use super::wire::{self, not_found, not_in_enum, timestamp, validation};
use super::{filter, scan, Call};
use crate::error::AwsResult;
use crate::observations::generate::{self, Options};
use crate::state::access_analyzer::{Access, Analyzer, Finding, FindingStatus, Recommendation};
use crate::state::State;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime};

/// Authorizes, finds the body's or query's analyzer and reconciles it; its ARN.
fn analyzer_arn(call: &Call, state: &mut State) -> AwsResult<String> {
    let arn = call.text("analyzerArn").unwrap_or_default().to_string();
    find(call, state, &arn)?;
    scan::reconcile(call, state, &arn);
    Ok(arn)
}

fn optional(value: Option<OffsetDateTime>) -> Value {
    value.map_or(Value::Null, timestamp)
}

/// An external access finding as `Finding` (ListFindings, GetFinding).
fn finding_v1(finding: &Finding) -> Value {
    let mut out = json!({
        "id": finding.id,
        "resource": finding.resource,
        "resourceType": finding.resource_type,
        "resourceOwnerAccount": finding.resource_owner_account,
        "status": finding.status.as_str(),
        "createdAt": timestamp(finding.created),
        "analyzedAt": timestamp(finding.analyzed),
        "updatedAt": timestamp(finding.updated),
        "condition": {},
    });
    if let Access::ExternalAccess {
        principal,
        action,
        condition,
        is_public,
        sources,
    } = &finding.access
    {
        out["principal"] = json!(principal);
        out["action"] = json!(action);
        out["condition"] = json!(condition);
        out["isPublic"] = json!(is_public);
        if !sources.is_empty() {
            out["sources"] = sources.iter().map(|s| json!({ "type": s })).collect();
        }
    }
    out
}

/// A finding as `FindingSummaryV2`.
fn summary_v2(finding: &Finding) -> Value {
    json!({
        "id": finding.id,
        "resource": finding.resource,
        "resourceType": finding.resource_type,
        "resourceOwnerAccount": finding.resource_owner_account,
        "status": finding.status.as_str(),
        "createdAt": timestamp(finding.created),
        "analyzedAt": timestamp(finding.analyzed),
        "updatedAt": timestamp(finding.updated),
        "findingType": finding.access.finding_type(),
    })
}

/// A finding's `findingDetails` entry (GetFindingV2).
pub fn details(access: &Access) -> Value {
    wire::without_nulls(details_with_nulls(access))
}

fn details_with_nulls(access: &Access) -> Value {
    match access {
        Access::ExternalAccess {
            principal,
            action,
            condition,
            is_public,
            sources,
        } => {
            let mut details = json!({
                "principal": principal,
                "action": action,
                "condition": condition,
                "isPublic": is_public,
            });
            if !sources.is_empty() {
                details["sources"] = sources.iter().map(|s| json!({ "type": s })).collect();
            }
            json!({ "externalAccessDetails": details })
        }
        Access::UnusedIAMRole { last_accessed } => {
            json!({ "unusedIamRoleDetails": { "lastAccessed": optional(*last_accessed) } })
        }
        Access::UnusedIAMUserAccessKey {
            access_key_id,
            last_accessed,
        } => json!({ "unusedIamUserAccessKeyDetails": {
            "accessKeyId": access_key_id,
            "lastAccessed": optional(*last_accessed),
        }}),
        Access::UnusedIAMUserPassword { last_accessed } => {
            json!({ "unusedIamUserPasswordDetails": { "lastAccessed": optional(*last_accessed) } })
        }
        Access::UnusedPermission {
            service_namespace,
            actions,
            last_accessed,
        } => json!({ "unusedPermissionDetails": {
            "serviceNamespace": service_namespace,
            "lastAccessed": optional(*last_accessed),
            "actions": actions.iter().map(|(action, last)| json!({
                "action": action,
                "lastAccessed": optional(*last),
            })).collect::<Vec<_>>(),
        }}),
    }
}

/// The analyzer's findings that meet the request's `filter`, in the
/// request's `sort` order (by `createdAt` when none).
fn selected<'a>(call: &Call, analyzer: &'a Analyzer) -> AwsResult<Vec<&'a Finding>> {
    let filter = match call.body("filter") {
        Some(value) => read_filter(Some(value))?,
        None => BTreeMap::new(),
    };
    let mut findings: Vec<&Finding> = analyzer
        .findings
        .values()
        .filter(|f| filter::matches(&filter, &scan::finding_attributes(f)))
        .collect();
    let sort = call.body("sort");
    let attribute = sort
        .and_then(|s| s.get("attributeName"))
        .and_then(Value::as_str)
        .unwrap_or("createdAt");
    let order = sort
        .and_then(|s| s.get("orderBy"))
        .and_then(Value::as_str)
        .unwrap_or("ASC");
    if !matches!(order, "ASC" | "DESC") {
        return Err(not_in_enum("sort.orderBy", order, &["ASC", "DESC"]));
    }
    findings.sort_by(|a, b| {
        let by_time = |f: &Finding| match attribute {
            "updatedAt" => Some(f.updated),
            "analyzedAt" => Some(f.analyzed),
            "createdAt" => Some(f.created),
            _ => None,
        };
        let value = |f: &Finding| {
            scan::finding_attributes(f)
                .get(attribute)
                .cloned()
                .unwrap_or_default()
        };
        let ordering = if let (Some(x), Some(y)) = (by_time(a), by_time(b)) {
            x.cmp(&y)
        } else {
            value(a).cmp(&value(b))
        };
        ordering.then_with(|| a.id.cmp(&b.id))
    });
    if order == "DESC" {
        findings.reverse();
    }
    Ok(findings)
}

/// `ListFindings`: external access findings (`Finding` shape).
pub fn list(call: &Call, state: &mut State) -> AwsResult<Value> {
    let size = wire::max_results(call.body("maxResults"), None)?;
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    if !analyzer.external_access() {
        return Err(validation(
            "ListFindings lists external access findings; use ListFindingsV2 for this analyzer's findings.",
        ));
    }
    let findings: Vec<Value> = selected(call, analyzer)?.into_iter().map(finding_v1).collect();
    let (page, next) = wire::page(findings, call.text("nextToken"), size)?;
    let mut reply = json!({ "findings": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

/// `ListFindingsV2`: every kind of finding.
pub fn list_v2(call: &Call, state: &mut State) -> AwsResult<Value> {
    let size = wire::max_results(call.body("maxResults"), None)?;
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    let findings: Vec<Value> = selected(call, analyzer)?.into_iter().map(summary_v2).collect();
    let (page, next) = wire::page(findings, call.text("nextToken"), size)?;
    let mut reply = json!({ "findings": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

fn finding<'a>(analyzer: &'a Analyzer, id: &str) -> AwsResult<&'a Finding> {
    analyzer
        .findings
        .get(id)
        .ok_or_else(|| not_found(format!("Finding {id} not found.")))
}

/// `GetFinding`.
pub fn get(call: &Call, state: &mut State) -> AwsResult<Value> {
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    let finding = finding(analyzer, call.uri("id"))?;
    if !matches!(finding.access, Access::ExternalAccess { .. }) {
        return Err(validation(
            "GetFinding returns external access findings; use GetFindingV2.",
        ));
    }
    Ok(json!({ "finding": finding_v1(finding) }))
}

/// `GetFindingV2`: the summary plus `findingDetails`.
pub fn get_v2(call: &Call, state: &mut State) -> AwsResult<Value> {
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    let finding = finding(analyzer, call.uri("id"))?;
    let mut reply = summary_v2(finding);
    reply["findingDetails"] = json!([details(&finding.access)]);
    Ok(reply)
}

/// `UpdateFindings`: `ACTIVE` or `ARCHIVED`, by `ids` or for a `resourceArn`.
pub fn update(call: &Call, state: &mut State) -> AwsResult<Value> {
    let status = match call.text("status").unwrap_or_default() {
        "ACTIVE" => FindingStatus::Active,
        "ARCHIVED" => FindingStatus::Archived,
        other => return Err(not_in_enum("status", other, &["ACTIVE", "ARCHIVED"])),
    };
    let ids: Vec<String> = call
        .body("ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let resource = call.text("resourceArn").map(str::to_string);
    if ids.is_empty() && resource.is_none() {
        return Err(validation("UpdateFindings needs ids or resourceArn."));
    }
    let arn = analyzer_arn(call, state)?;
    let now = call.now();
    let analyzer = find_mut(call, state, &arn)?;
    for id in &ids {
        finding(analyzer, id)?;
    }
    for finding in analyzer.findings.values_mut() {
        let chosen = ids.contains(&finding.id) || resource.as_ref().is_some_and(|r| *r == finding.resource);
        if chosen && finding.status != FindingStatus::Resolved && finding.status != status {
            finding.status = status;
            finding.updated = now;
        }
    }
    Ok(json!({}))
}

/// `GetFindingsStatistics`.
pub fn statistics(call: &Call, state: &mut State) -> AwsResult<Value> {
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    let count = |status: FindingStatus| analyzer.findings.values().filter(|f| f.status == status).count();
    let totals = json!({
        "totalActiveFindings": count(FindingStatus::Active),
        "totalArchivedFindings": count(FindingStatus::Archived),
        "totalResolvedFindings": count(FindingStatus::Resolved),
    });
    let active = || {
        analyzer
            .findings
            .values()
            .filter(|f| f.status == FindingStatus::Active)
    };
    let mut statistics = totals;
    if analyzer.unused_access() {
        let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
        let mut by_account: BTreeMap<&str, usize> = BTreeMap::new();
        for f in active() {
            *by_type.entry(f.access.finding_type()).or_default() += 1;
            *by_account.entry(&f.resource_owner_account).or_default() += 1;
        }
        statistics["unusedAccessTypeStatistics"] = by_type
            .iter()
            .map(|(kind, total)| json!({"unusedAccessType": kind, "total": total}))
            .collect();
        statistics["topAccounts"] = by_account
            .iter()
            .map(|(account, n)| json!({"account": account, "numberOfActiveFindings": n, "details": {}}))
            .collect();
        return Ok(json!({
            "findingsStatistics": [{ "unusedAccessFindingsStatistics": statistics }],
            "lastUpdatedAt": timestamp(call.now()),
        }));
    }
    let mut by_type: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in active() {
        let entry = by_type.entry(&f.resource_type).or_default();
        match &f.access {
            Access::ExternalAccess { is_public: true, .. } => entry.0 += 1,
            _ => entry.1 += 1,
        }
    }
    statistics["resourceTypeStatistics"] = by_type
        .iter()
        .map(|(kind, (public, cross))| {
            (
                (*kind).to_string(),
                json!({"totalActivePublic": public, "totalActiveCrossAccount": cross, "totalActiveErrors": 0}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    Ok(json!({
        "findingsStatistics": [{ "externalAccessFindingsStatistics": statistics }],
        "lastUpdatedAt": timestamp(call.now()),
    }))
}

/// `GenerateFindingRecommendation`: for an unused-permission finding, the
/// least-privilege policy of what the principal did use within the
/// analyzer's age (the generator of `/_emulator/policy`), or, when it used
/// nothing, to detach.
pub fn generate_recommendation(call: &Call, state: &mut State) -> AwsResult<Value> {
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    let finding = finding(analyzer, call.uri("id"))?.clone();
    if !matches!(finding.access, Access::UnusedPermission { .. }) {
        return Err(validation(
            "Recommendations are available for unused permission findings only.",
        ));
    }
    let age = analyzer
        .configuration
        .as_ref()
        .and_then(|c| c.pointer("/unusedAccess/unusedAccessAge"))
        .and_then(Value::as_i64)
        .unwrap_or(90);
    let now = call.now();
    let options = Options {
        principal: finding.resource.clone(),
        since: Some(now - Duration::days(age)),
        ..Options::default()
    };
    let observations = call.ctx.shared.observations();
    let policy = generate::generate(&observations, &options)
        .ok()
        .map(|g| g.policy.to_text());
    let recommendation = Recommendation {
        resource: finding.resource,
        started: now,
        completed: now,
        policy,
        error: None,
    };
    find_mut(call, state, &arn)?
        .recommendations
        .insert(finding.id, recommendation);
    Ok(json!({}))
}

/// `GetFindingRecommendation`.
pub fn get_recommendation(call: &Call, state: &State) -> AwsResult<Value> {
    let analyzer = find(call, state, call.text("analyzerArn").unwrap_or_default())?;
    let id = call.uri("id");
    let r = analyzer
        .recommendations
        .get(id)
        .ok_or_else(|| not_found(format!("No recommendation was generated for finding {id}.")))?;
    let step = match &r.policy {
        Some(policy) => json!({"unusedPermissionsRecommendedStep": {
            "recommendedAction": "CREATE_POLICY",
            "recommendedPolicy": policy,
        }}),
        None => json!({"unusedPermissionsRecommendedStep": {"recommendedAction": "DETACH_POLICY"}}),
    };
    Ok(json!({
        "startedAt": timestamp(r.started),
        "completedAt": timestamp(r.completed),
        "resourceArn": r.resource,
        "recommendationType": "UnusedPermissionRecommendation",
        "status": "SUCCEEDED",
        "recommendedSteps": [step],
    }))
}

/// `StartResourceScan`: the resource is scanned now.
pub fn start_resource_scan(call: &Call, state: &mut State) -> AwsResult<Value> {
    let resource = call.text("resourceArn").unwrap_or_default().to_string();
    let arn = analyzer_arn(call, state)?;
    if !find(call, state, &arn)?.resources.contains_key(&resource) {
        return Err(not_found(format!(
            "Resource {resource} is not one this analyzer analyzes."
        )));
    }
    let now = call.now();
    find_mut(call, state, &arn)?.last_analyzed = Some((resource, now));
    Ok(json!({}))
}

fn analyzed_resource(analyzer: &Analyzer, arn: &str) -> AwsResult<Value> {
    let r = analyzer
        .resources
        .get(arn)
        .ok_or_else(|| not_found(format!("Analyzed resource {arn} not found.")))?;
    let status = analyzer
        .findings
        .values()
        .filter(|f| f.resource == arn)
        .map(|f| f.status)
        .min_by_key(|s| match s {
            FindingStatus::Active => 0,
            FindingStatus::Archived => 1,
            FindingStatus::Resolved => 2,
        });
    let mut out = json!({
        "resourceArn": r.arn,
        "resourceType": r.resource_type,
        "resourceOwnerAccount": r.owner,
        "createdAt": timestamp(r.created),
        "analyzedAt": timestamp(r.analyzed),
        "updatedAt": timestamp(r.updated),
        "isPublic": r.is_public,
        "actions": r.actions,
        "sharedVia": r.shared_via,
    });
    wire::put_opt(&mut out, "status", status.map(|s| json!(s.as_str())));
    Ok(out)
}

/// `GetAnalyzedResource`.
pub fn get_analyzed_resource(call: &Call, state: &mut State) -> AwsResult<Value> {
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    Ok(json!({ "resource": analyzed_resource(analyzer, call.text("resourceArn").unwrap_or_default())? }))
}

/// `ListAnalyzedResources`, of `resourceType` if given.
pub fn list_analyzed_resources(call: &Call, state: &mut State) -> AwsResult<Value> {
    let size = wire::max_results(call.body("maxResults"), None)?;
    let arn = analyzer_arn(call, state)?;
    let analyzer = find(call, state, &arn)?;
    let kind = call.text("resourceType");
    let resources: Vec<Value> = analyzer
        .resources
        .values()
        .filter(|r| kind.is_none_or(|k| r.resource_type == k))
        .map(|r| json!({"resourceArn": r.arn, "resourceOwnerAccount": r.owner, "resourceType": r.resource_type}))
        .collect();
    let (page, next) = wire::page(resources, call.text("nextToken"), size)?;
    let mut reply = json!({ "analyzedResources": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}
