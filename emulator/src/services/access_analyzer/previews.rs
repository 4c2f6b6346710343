//! Access previews (`CreateAccessPreview`, `GetAccessPreview`,
//! `ListAccessPreviews`, `ListAccessPreviewFindings`): the findings a
//! proposed access control configuration would produce, computed as the
//! scan computes real ones ([`scan::policy_access`], [`scan::bucket_access`])
//! and compared with the analyzer's current findings for the resource:
//! `NEW` access, `UNCHANGED` access (with the existing finding's id and
//! status), and existing access the proposal removes (`CHANGED`, status
//! `RESOLVED`).
//!
//! API reference, "S3BucketConfiguration": "If the configuration is for an
//! existing Amazon S3 bucket and you do not specify the Amazon S3 bucket
//! policy, the access preview uses the existing policy attached to the
//! bucket" (an empty string proposes deleting it); the same holds for a
//! role's trust policy. Resource types whose access is a policy (SQS, SNS,
//! KMS, Secrets Manager, ECR, EFS, S3 Express, DynamoDB) are previewed from
//! the policy given; snapshots' attribute-based sharing is not (the preview
//! is `FAILED`, `INVALID_CONFIGURATION`).

use super::analyzers::{find, find_mut};
use super::archive_rules::read_filter;
use super::scan::{self, Found};
use super::wire::{self, timestamp, validation};
use super::{filter, Call};
use crate::error::AwsResult;
use crate::state::access_analyzer::{AccessPreview, Analyzer, FindingStatus, PreviewFinding};
use crate::state::iam::Document;
use crate::state::s3::{Bucket, PublicAccessBlock};
use crate::state::State;
use iam_evaluator::Policy;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Configuration members whose access is one resource policy: the member,
/// the policy's field, and the finding's resource type.
const POLICY_CONFIGURATIONS: &[(&str, &str, &str)] = &[
    ("sqsQueue", "queuePolicy", "AWS::SQS::Queue"),
    ("snsTopic", "topicPolicy", "AWS::SNS::Topic"),
    (
        "secretsManagerSecret",
        "secretPolicy",
        "AWS::SecretsManager::Secret",
    ),
    ("ecrRepository", "repositoryPolicy", "AWS::ECR::Repository"),
    ("efsFileSystem", "fileSystemPolicy", "AWS::EFS::FileSystem"),
    (
        "s3ExpressDirectoryBucket",
        "bucketPolicy",
        "AWS::S3Express::DirectoryBucket",
    ),
    ("dynamodbTable", "tablePolicy", "AWS::DynamoDB::Table"),
    ("dynamodbStream", "streamPolicy", "AWS::DynamoDB::Stream"),
];

/// Why a proposal cannot be previewed: the preview's `FAILED` reason.
struct Invalid;

/// `CreateAccessPreview`.
pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let configurations = call
        .body("configurations")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| validation("configurations must be a map"))?;
    if configurations.len() != 1 {
        return Err(validation("configurations must hold exactly one resource."));
    }
    let arn = call.text("analyzerArn").unwrap_or_default().to_string();
    let analyzer = find(call, state, &arn)?;
    if !analyzer.external_access() {
        return Err(validation(
            "Access previews are created with an external access analyzer (type ACCOUNT or ORGANIZATION).",
        ));
    }
    scan::reconcile(call, state, &arn);
    let analyzer = find(call, state, &arn)?;
    let (resource, configuration) = configurations.iter().next().expect("exactly one");
    let now = call.now();
    let outcome = proposed(state, analyzer, resource, configuration)
        .map(|found| compare(analyzer, resource, found, now));
    let id = crate::ids::request_id();
    let (status, status_reason, findings) = match outcome {
        Ok(findings) => ("COMPLETED", None, findings),
        Err(Invalid) => ("FAILED", Some("INVALID_CONFIGURATION".to_string()), Vec::new()),
    };
    let preview = AccessPreview {
        id: id.clone(),
        configurations: Value::Object(configurations.clone()),
        created: now,
        status: status.into(),
        status_reason,
        findings,
    };
    find_mut(call, state, &arn)?.previews.insert(id.clone(), preview);
    Ok(json!({ "id": id }))
}

/// The external access the proposed configuration would give.
fn proposed(
    state: &State,
    analyzer: &Analyzer,
    resource: &str,
    configuration: &Value,
) -> Result<Vec<Found>, Invalid> {
    let zone = scan::zone_of_trust(state, analyzer);
    let config = configuration.as_object().ok_or(Invalid)?;
    let (kind, detail) = config.iter().next().ok_or(Invalid)?;
    let owner = iam_evaluator::arn::Arn::parse(resource)
        .map(|a| a.account.to_string())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| analyzer.account.clone());
    match kind.as_str() {
        "s3Bucket" => proposed_bucket(state, analyzer, resource, detail, &zone),
        "iamRole" => {
            let text = match detail.get("trustPolicy").and_then(Value::as_str) {
                Some(text) => text.to_string(),
                None => existing_trust(state, resource).ok_or(Invalid)?,
            };
            let policy = Policy::parse(&text).map_err(|_| Invalid)?;
            Ok(scan::policy_access(
                &policy,
                resource,
                "AWS::IAM::Role",
                &owner,
                &zone,
                &[],
            ))
        }
        "kmsKey" => {
            let policies = detail.get("keyPolicies").and_then(Value::as_object);
            let mut found = Vec::new();
            for text in policies.into_iter().flatten().filter_map(|(_, v)| v.as_str()) {
                let policy = Policy::parse(text).map_err(|_| Invalid)?;
                found.extend(scan::policy_access(
                    &policy,
                    resource,
                    "AWS::KMS::Key",
                    &owner,
                    &zone,
                    &[],
                ));
            }
            Ok(found)
        }
        other => {
            let (_, field, resource_type) = POLICY_CONFIGURATIONS
                .iter()
                .find(|(member, _, _)| *member == other)
                .ok_or(Invalid)?;
            match detail
                .get(*field)
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
            {
                None => Ok(Vec::new()),
                Some(text) => {
                    let policy = Policy::parse(text).map_err(|_| Invalid)?;
                    Ok(scan::policy_access(
                        &policy,
                        resource,
                        resource_type,
                        &owner,
                        &zone,
                        &[],
                    ))
                }
            }
        }
    }
}

fn existing_trust(state: &State, role_arn: &str) -> Option<String> {
    let arn = iam_evaluator::arn::Arn::parse(role_arn)?;
    let name = arn.resource.strip_prefix("role/")?.rsplit('/').next()?;
    let role = state
        .account(arn.account)?
        .roles
        .get(&crate::state::iam::key(name))?;
    Some(role.trust.text.to_string())
}

/// The bucket as proposed: the existing bucket (or a new one of the
/// analyzer's account, Block Public Access off) with the proposed policy
/// and Block Public Access settings.
fn proposed_bucket(
    state: &State,
    analyzer: &Analyzer,
    resource: &str,
    detail: &Value,
    zone: &BTreeSet<String>,
) -> Result<Vec<Found>, Invalid> {
    let name = resource
        .strip_prefix("arn:aws:s3:::")
        .filter(|n| !n.contains('/'))
        .ok_or(Invalid)?;
    let mut bucket = if let Some(existing) = state.buckets.get(name) {
        // Only what access depends on: the policy and the settings.
        let mut copy = Bucket::new(name, &existing.owner, &existing.region, existing.created);
        copy.policy.clone_from(&existing.policy);
        copy.public_access_block = existing.public_access_block;
        copy
    } else {
        let mut fresh = Bucket::new(name, &analyzer.account, &analyzer.region, analyzer.created);
        fresh.public_access_block = None;
        fresh
    };
    match detail.get("bucketPolicy").and_then(Value::as_str) {
        Some("") => bucket.policy = None,
        Some(text) => {
            let parsed = Policy::parse(text).map_err(|_| Invalid)?;
            bucket.policy = Some(Document {
                text: text.into(),
                parsed: Arc::new(parsed),
            });
        }
        None => {}
    }
    if let Some(block) = detail.get("bucketPublicAccessBlock") {
        let flag = |name: &str| block.get(name).and_then(Value::as_bool).unwrap_or(false);
        let current = bucket.effective_public_access_block();
        bucket.public_access_block = Some(PublicAccessBlock {
            ignore_public_acls: flag("ignorePublicAcls"),
            restrict_public_buckets: flag("restrictPublicBuckets"),
            ..current
        });
    }
    Ok(scan::bucket_access(&bucket, zone))
}

/// The preview findings: what is proposed, against what is found now.
fn compare(
    analyzer: &Analyzer,
    resource: &str,
    found: Vec<Found>,
    now: time::OffsetDateTime,
) -> Vec<PreviewFinding> {
    let current: Vec<_> = analyzer
        .findings
        .values()
        .filter(|f| f.resource == resource && f.status != FindingStatus::Resolved)
        .collect();
    let mut matched = BTreeSet::new();
    let mut out = Vec::new();
    for f in found {
        let identity = f.access.identity();
        let existing = current.iter().find(|c| c.access.identity() == identity);
        let (status, change, existing) = if let Some(c) = existing {
            matched.insert(c.id.clone());
            (c.status, "UNCHANGED", Some((c.id.clone(), c.status)))
        } else {
            let attributes =
                filter::attributes("", &f.resource, &f.resource_type, &f.owner, "ACTIVE", &f.access);
            let archived = analyzer
                .archive_rules
                .values()
                .any(|rule| filter::matches(&rule.filter, &attributes));
            let status = if archived {
                FindingStatus::Archived
            } else {
                FindingStatus::Active
            };
            (status, "NEW", None)
        };
        out.push(PreviewFinding {
            id: crate::ids::request_id(),
            resource: f.resource,
            resource_type: f.resource_type,
            resource_owner_account: f.owner,
            access: f.access,
            status,
            change_type: change.into(),
            existing,
            created: now,
        });
    }
    for c in current.into_iter().filter(|c| !matched.contains(&c.id)) {
        out.push(PreviewFinding {
            id: crate::ids::request_id(),
            resource: c.resource.clone(),
            resource_type: c.resource_type.clone(),
            resource_owner_account: c.resource_owner_account.clone(),
            access: c.access.clone(),
            status: FindingStatus::Resolved,
            change_type: "CHANGED".into(),
            existing: Some((c.id.clone(), c.status)),
            created: now,
        });
    }
    out
}

fn preview<'a>(analyzer: &'a Analyzer, id: &str) -> AwsResult<&'a AccessPreview> {
    analyzer
        .previews
        .get(id)
        .ok_or_else(|| wire::not_found(format!("Access preview {id} not found.")))
}

fn preview_summary(analyzer: &Analyzer, p: &AccessPreview, with_configurations: bool) -> Value {
    let mut out = json!({
        "id": p.id,
        "analyzerArn": analyzer.arn,
        "createdAt": timestamp(p.created),
        "status": p.status,
    });
    if let Some(code) = &p.status_reason {
        out["statusReason"] = json!({ "code": code });
    }
    if with_configurations {
        out["configurations"] = p.configurations.clone();
    }
    out
}

/// `GetAccessPreview`.
pub fn get(call: &Call, state: &State) -> AwsResult<Value> {
    let analyzer = find(call, state, call.text("analyzerArn").unwrap_or_default())?;
    let p = preview(analyzer, call.uri("accessPreviewId"))?;
    Ok(json!({ "accessPreview": preview_summary(analyzer, p, true) }))
}

/// `ListAccessPreviews`.
pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    let size = wire::max_results(None, call.query("maxResults"))?;
    let analyzer = find(call, state, call.text("analyzerArn").unwrap_or_default())?;
    let mut previews: Vec<&AccessPreview> = analyzer.previews.values().collect();
    previews.sort_by_key(|p| p.created);
    let all: Vec<Value> = previews
        .into_iter()
        .map(|p| preview_summary(analyzer, p, false))
        .collect();
    let (page, next) = wire::page(all, call.query("nextToken"), size)?;
    let mut reply = json!({ "accessPreviews": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

/// `ListAccessPreviewFindings`, with a filter over the preview findings.
pub fn list_findings(call: &Call, state: &State) -> AwsResult<Value> {
    let size = wire::max_results(call.body("maxResults"), None)?;
    let wanted = match call.body("filter") {
        Some(value) => read_filter(Some(value))?,
        None => std::collections::BTreeMap::default(),
    };
    let analyzer = find(call, state, call.text("analyzerArn").unwrap_or_default())?;
    let p = preview(analyzer, call.uri("accessPreviewId"))?;
    let findings: Vec<Value> = p
        .findings
        .iter()
        .filter(|f| {
            let attributes = filter::attributes(
                &f.id,
                &f.resource,
                &f.resource_type,
                &f.resource_owner_account,
                f.status.as_str(),
                &f.access,
            );
            filter::matches(&wanted, &attributes)
        })
        .map(preview_finding)
        .collect();
    let (page, next) = wire::page(findings, call.text("nextToken"), size)?;
    let mut reply = json!({ "findings": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

fn preview_finding(f: &PreviewFinding) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(f.id));
    out.insert("resource".into(), json!(f.resource));
    out.insert("resourceType".into(), json!(f.resource_type));
    out.insert("resourceOwnerAccount".into(), json!(f.resource_owner_account));
    out.insert("createdAt".into(), timestamp(f.created));
    out.insert("changeType".into(), json!(f.change_type));
    out.insert("status".into(), json!(f.status.as_str()));
    if let Some((id, status)) = &f.existing {
        out.insert("existingFindingId".into(), json!(id));
        out.insert("existingFindingStatus".into(), json!(status.as_str()));
    }
    if let Some(details) = super::findings::details(&f.access).get("externalAccessDetails") {
        for key in ["principal", "action", "condition", "isPublic", "sources"] {
            if let Some(v) = details.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
    }
    Value::Object(out)
}
