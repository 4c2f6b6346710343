//! Delegated administrators (RegisterDelegatedAdministrator,
//! DeregisterDelegatedAdministrator, ListDelegatedAdministrators,
//! ListDelegatedServicesForAccount), trusted service access
//! (EnableAWSServiceAccess, DisableAWSServiceAccess,
//! ListAWSServiceAccessForOrganization) and the organization's resource
//! policy (PutResourcePolicy, DescribeResourcePolicy,
//! DeleteResourcePolicy), which delegates Organizations operations to
//! member accounts: the door asks IAM about a delegated member's call with
//! this policy as the resource-based policy.

use super::accounts::account_not_found;
use super::input::IdShape;
use super::view;
use super::wire::{self, constraint, invalid_input};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::state::organizations::{Delegation, FeatureSet, Organization, ResourcePolicy};
use crate::state::State;
use serde_json::{json, Value};
use std::sync::Arc;

/// The id of an organization's resource policy: fixed per organization,
/// so its ARN is known before the policy is first put.
pub fn resource_policy_id(org: &Organization) -> String {
    let suffix: String = org.id.trim_start_matches("o-").chars().take(8).collect();
    format!("rp-{suffix}")
}

/// `ServicePrincipal`: `[\w+=,.@-]`, 1 to 128 characters, a service's
/// principal (`….amazonaws.com`).
fn service_principal<'i>(call: &'i Call) -> AwsResult<&'i str> {
    let principal = call.input.required_text("ServicePrincipal", 1, 128)?;
    if !principal
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
    {
        return Err(invalid_input("INVALID_PATTERN"));
    }
    if !principal.ends_with(".amazonaws.com") {
        return Err(invalid_input("UNRECOGNIZED_SERVICE_PRINCIPAL"));
    }
    Ok(principal)
}

fn not_registered() -> AwsError {
    wire::documented(
        Json::AccountNotRegisteredException,
        "The specified account is not a delegated administrator for this Amazon Web Services service.",
    )
}

pub fn register(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let account = call.input.id("AccountId", IdShape::Account)?.to_string();
    let service = service_principal(call)?.to_string();
    if !org.accounts.contains_key(&account) {
        return Err(account_not_found());
    }
    if account == org.management {
        return Err(constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"));
    }
    if !org.service_access.contains_key(&service) {
        return Err(constraint("SERVICE_ACCESS_NOT_ENABLED"));
    }
    if org
        .delegations
        .iter()
        .any(|d| d.account == account && d.service == service)
    {
        return Err(wire::documented(
            Json::AccountAlreadyRegisteredException,
            "The specified account is already a delegated administrator for this Amazon Web Services service.",
        ));
    }
    let (org_id, since) = (org.id.clone(), call.now());
    state.organizations.edit(&org_id, |org| {
        org.delegations.push(Delegation {
            account,
            service,
            since,
        });
    });
    Ok(Value::Null)
}

pub fn deregister(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let account = call.input.id("AccountId", IdShape::Account)?.to_string();
    let service = service_principal(call)?.to_string();
    if !org.accounts.contains_key(&account) {
        return Err(account_not_found());
    }
    if !org
        .delegations
        .iter()
        .any(|d| d.account == account && d.service == service)
    {
        return Err(not_registered());
    }
    let org_id = org.id.clone();
    state.organizations.edit(&org_id, |org| {
        org.delegations
            .retain(|d| !(d.account == account && d.service == service));
    });
    Ok(Value::Null)
}

pub fn list_administrators(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let service = call
        .input
        .has("ServicePrincipal")
        .then(|| service_principal(call))
        .transpose()?;
    let mut accounts: Vec<(&str, time::OffsetDateTime)> = Vec::new();
    for d in org
        .delegations
        .iter()
        .filter(|d| service.is_none_or(|s| s == d.service))
    {
        match accounts.iter_mut().find(|(a, _)| *a == d.account) {
            Some((_, since)) => *since = (*since).min(d.since),
            None => accounts.push((&d.account, d.since)),
        }
    }
    let admins: Vec<Value> = accounts
        .into_iter()
        .filter_map(|(account, since)| {
            let mut shown = view::account(org, org.accounts.get(account)?);
            let map = shown.as_object_mut()?;
            map.remove("Paths");
            map.insert("DelegationEnabledDate".into(), view::timestamp(since));
            Some(shown)
        })
        .collect();
    let (items, next) = call.input.page()?.of(admins);
    Ok(view::page("DelegatedAdministrators", items, next))
}

pub fn list_services_for_account(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let account = call.input.id("AccountId", IdShape::Account)?;
    if !org.accounts.contains_key(account) {
        return Err(account_not_found());
    }
    let services: Vec<Value> = org
        .delegations
        .iter()
        .filter(|d| d.account == account)
        .map(|d| json!({"ServicePrincipal": d.service, "DelegationEnabledDate": view::timestamp(d.since)}))
        .collect();
    if services.is_empty() {
        return Err(not_registered());
    }
    let (items, next) = call.input.page()?.of(services);
    Ok(view::page("DelegatedServices", items, next))
}

pub fn enable_service_access(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let service = service_principal(call)?.to_string();
    if org.feature_set != FeatureSet::All {
        return Err(constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"));
    }
    let (org_id, now) = (org.id.clone(), call.now());
    if !org.service_access.contains_key(&service) {
        state.organizations.edit(&org_id, |org| {
            org.service_access.insert(service, now);
        });
    }
    Ok(Value::Null)
}

pub fn disable_service_access(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let service = service_principal(call)?.to_string();
    let org_id = org.id.clone();
    if org.service_access.contains_key(&service) {
        state.organizations.edit(&org_id, |org| {
            org.service_access.remove(&service);
        });
    }
    Ok(Value::Null)
}

pub fn list_service_access(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let enabled: Vec<Value> = org
        .service_access
        .iter()
        .map(|(service, since)| json!({"ServicePrincipal": service, "DateEnabled": view::timestamp(*since)}))
        .collect();
    let (items, next) = call.input.page()?.of(enabled);
    Ok(view::page("EnabledServicePrincipals", items, next))
}

fn resource_policy_view(org: &Organization, policy: &ResourcePolicy) -> Value {
    json!({"ResourcePolicy": {
        "ResourcePolicySummary": {"Id": policy.id, "Arn": org.resource_policy_arn(&policy.id)},
        "Content": policy.content,
    }})
}

fn resource_policy_not_found() -> AwsError {
    wire::documented(
        Json::ResourcePolicyNotFoundException,
        "We can't find a resource policy request with the parameter that you specified.",
    )
}

/// A resource policy: a policy document whose actions are Organizations'
/// ("Delegated administrator for AWS Organizations": the policy grants
/// member accounts `organizations:` actions).
fn read_resource_policy(content: &str) -> AwsResult<iam_evaluator::Policy> {
    let policy =
        iam_evaluator::Policy::parse(content).map_err(|_| invalid_input("INVALID_RESOURCE_POLICY_JSON"))?;
    let document: Value =
        serde_json::from_str(content).map_err(|_| invalid_input("INVALID_RESOURCE_POLICY_JSON"))?;
    let statements = match &document["Statement"] {
        Value::Array(list) => list.clone(),
        single => vec![single.clone()],
    };
    for statement in &statements {
        if statement.get("Principal").is_none() {
            return Err(invalid_input("INVALID_PRINCIPAL"));
        }
        let actions: Vec<&str> = match statement.get("Action") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if actions
            .iter()
            .any(|a| !a.to_ascii_lowercase().starts_with("organizations:"))
        {
            return Err(invalid_input("UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"));
        }
    }
    Ok(policy)
}

pub fn put_resource_policy(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let content = call.input.required_text("Content", 1, 40_000)?.to_string();
    let tags = call.input.tags("Tags")?;
    let parsed = read_resource_policy(&content)?;
    let policy = ResourcePolicy {
        id: resource_policy_id(org),
        content,
        tags: org
            .resource_policy
            .as_ref()
            .map_or(tags, |existing| existing.tags.clone()),
        parsed: Some(Arc::new(parsed)),
    };
    let org_id = org.id.clone();
    let out = state.organizations.edit(&org_id, |org| {
        let out = resource_policy_view(org, &policy);
        org.resource_policy = Some(policy);
        out
    });
    Ok(out.unwrap_or(Value::Null))
}

pub fn describe_resource_policy(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let policy = org
        .resource_policy
        .as_ref()
        .ok_or_else(resource_policy_not_found)?;
    Ok(resource_policy_view(org, policy))
}

pub fn delete_resource_policy(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    if org.resource_policy.is_none() {
        return Err(resource_policy_not_found());
    }
    let org_id = org.id.clone();
    state
        .organizations
        .edit(&org_id, |org| org.resource_policy = None);
    Ok(Value::Null)
}
