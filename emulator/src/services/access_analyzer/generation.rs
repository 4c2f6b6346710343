//! Policy generation (`StartPolicyGeneration`, `GetGeneratedPolicy`,
//! `ListPolicyGenerations`, `CancelPolicyGeneration`), answered by the
//! least-privilege generator of `GET /_emulator/policy`
//! ([`crate::observations::generate`]): the requests the emulator observed play
//! the part of CloudTrail's events. `cloudTrailDetails` is accepted and its
//! `startTime`/`endTime` bound the observations used; without it, every
//! observation of the principal counts. A role's ARN stands for every
//! session of the role.
//!
//! The observations are at hand, so a job has finished when it is started:
//! `SUCCEEDED`, with no policy when nothing of the principal was observed.

use super::wire::{self, not_found, read_timestamp, timestamp, validation};
use super::Call;
use crate::error::AwsResult;
use crate::observations::generate::{self, Options};
use crate::state::access_analyzer::PolicyGeneration;
use crate::state::State;
use serde_json::{json, Value};

/// `PrincipalArn`: `arn:…:iam::ACCOUNT:(role|user)/NAME`.
fn check_principal(arn: &str) -> AwsResult<()> {
    let parsed = iam_evaluator::arn::Arn::parse(arn).filter(|a| {
        a.service == "iam"
            && (a.resource.starts_with("role/") || a.resource.starts_with("user/"))
            && a.resource.len() > 5
    });
    if parsed.is_none() {
        return Err(validation(format!(
            "1 validation error detected: Value '{arn}' at 'policyGenerationDetails.principalArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[^:]*:iam::[^:]*:(role|user)/.{{1,576}}"
        )));
    }
    Ok(())
}

/// `StartPolicyGeneration`.
pub fn start(call: &Call, state: &mut State) -> AwsResult<Value> {
    let principal = call
        .body("policyGenerationDetails")
        .and_then(|d| d.get("principalArn"))
        .and_then(Value::as_str)
        .ok_or_else(|| validation("policyGenerationDetails.principalArn is required"))?
        .to_string();
    check_principal(&principal)?;
    let trail = call.body("cloudTrailDetails").cloned();
    let window = match &trail {
        None => (None, None),
        Some(details) => {
            for member in ["trails", "accessRole", "startTime"] {
                if details.get(member).is_none_or(Value::is_null) {
                    return Err(validation(format!("cloudTrailDetails.{member} is required")));
                }
            }
            let start = read_timestamp(&details["startTime"], "cloudTrailDetails.startTime")?;
            let end = details
                .get("endTime")
                .filter(|v| !v.is_null())
                .map(|v| read_timestamp(v, "cloudTrailDetails.endTime"))
                .transpose()?;
            if end.is_some_and(|end| end < start) {
                return Err(validation("cloudTrailDetails.endTime is before its startTime."));
            }
            (Some(start), end)
        }
    };
    let options = Options {
        principal: principal.clone(),
        since: window.0,
        until: window.1,
        ..Options::default()
    };
    let observations = call.ctx.shared.observations();
    let policy = generate::generate(&observations, &options)
        .ok()
        .map(|g| g.policy.to_text());
    let now = call.now();
    let job_id = crate::ids::request_id();
    state.access_analyzer.generations.insert(
        job_id.clone(),
        PolicyGeneration {
            job_id: job_id.clone(),
            account: call.account.clone(),
            principal_arn: principal,
            status: "SUCCEEDED".into(),
            started: now,
            completed: Some(now),
            cloud_trail: trail,
            window,
            policy,
        },
    );
    Ok(json!({ "jobId": job_id }))
}

fn job<'s>(call: &Call, state: &'s State) -> AwsResult<&'s PolicyGeneration> {
    let id = call.uri("jobId");
    state
        .access_analyzer
        .generations
        .get(id)
        .filter(|j| j.account == call.account)
        .ok_or_else(|| not_found(format!("Policy generation job {id} not found.")))
}

fn job_details(job: &PolicyGeneration) -> Value {
    let mut out = json!({
        "jobId": job.job_id,
        "status": job.status,
        "startedOn": timestamp(job.started),
    });
    wire::put_opt(&mut out, "completedOn", job.completed.map(timestamp));
    out
}

/// `GetGeneratedPolicy`.
pub fn get(call: &Call, state: &State) -> AwsResult<Value> {
    let job = job(call, state)?;
    let mut properties = json!({
        "principalArn": job.principal_arn,
        "isComplete": true,
    });
    if let Some(trail) = &job.cloud_trail {
        let trails: Vec<Value> = trail
            .get("trails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| {
                let mut p = json!({ "cloudTrailArn": t.get("cloudTrailArn").cloned().unwrap_or_default() });
                wire::put_opt(&mut p, "regions", t.get("regions").cloned());
                wire::put_opt(&mut p, "allRegions", t.get("allRegions").cloned());
                p
            })
            .collect();
        let (start, end) = job.window;
        properties["cloudTrailProperties"] = json!({
            "trailProperties": trails,
            "startTime": start.map(timestamp),
            "endTime": timestamp(end.unwrap_or(job.started)),
        });
    }
    let policies: Vec<Value> = job.policy.iter().map(|p| json!({ "policy": p })).collect();
    Ok(json!({
        "jobDetails": job_details(job),
        "generatedPolicyResult": {
            "properties": properties,
            "generatedPolicies": policies,
        },
    }))
}

/// `ListPolicyGenerations`, of `principalArn` if given, newest last.
pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    let size = wire::max_results(None, call.query("maxResults"))?;
    let mut jobs: Vec<&PolicyGeneration> = state
        .access_analyzer
        .generations
        .values()
        .filter(|j| j.account == call.account)
        .filter(|j| call.query("principalArn").is_none_or(|p| j.principal_arn == p))
        .collect();
    jobs.sort_by_key(|j| j.started);
    let all: Vec<Value> = jobs
        .into_iter()
        .map(|j| {
            let mut v = job_details(j);
            v["principalArn"] = json!(j.principal_arn);
            v
        })
        .collect();
    let (page, next) = wire::page(all, call.query("nextToken"), size)?;
    let mut reply = json!({ "policyGenerations": page });
    wire::put_opt(&mut reply, "nextToken", next.map(Value::String));
    Ok(reply)
}

/// `CancelPolicyGeneration`: a job in progress is canceled; a finished one
/// stays as it is (jobs here finish when started).
pub fn cancel(call: &Call, state: &mut State) -> AwsResult<Value> {
    if job(call, state)?.status == "IN_PROGRESS" {
        if let Some(job) = state.access_analyzer.generations.get_mut(call.uri("jobId")) {
            job.status = "CANCELED".into();
            job.completed = Some(call.now());
        }
    }
    Ok(json!({}))
}
