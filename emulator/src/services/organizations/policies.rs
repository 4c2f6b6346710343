//! Organization policies: CreatePolicy, UpdatePolicy, DeletePolicy,
//! DescribePolicy, ListPolicies; AttachPolicy, DetachPolicy,
//! ListPoliciesForTarget, ListTargetsForPolicy; EnablePolicyType and
//! DisablePolicyType (`FullAWSAccess` / `RCPFullAWSAccess` attached
//! everywhere when their type is enabled, every policy of a type detached
//! when it is disabled); DescribeEffectivePolicy for the management
//! policy types; and the validation-error listings, which are empty as no
//! effective policy here is ever invalid.
//!
//! SCP and RCP documents are checked as the policy language: an SCP by
//! Access Analyzer's SCP checks (no principal, wildcards only at the end of
//! an action, …), an RCP by its own rules ("Principal" is always `"*"`, no
//! `NotPrincipal`, actions only of the services RCPs support); a
//! document that fails is a `MalformedPolicyDocumentException`. The
//! management policy types must be JSON objects.

use super::input::{IdShape, Input};
use super::view;
use super::wire::{self, constraint, invalid_input};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::ids;
use crate::state::organizations::{
    aws_managed, parse_authorization, FeatureSet, OrgPolicy, Organization, PolicyType, TargetKind,
    RCP_FULL_AWS_ACCESS, RCP_SERVICES,
};
use crate::state::State;
use iam_evaluator::validate::{validate_policy, FindingType, PolicyKind, SCP_QUOTA};
use serde_json::{json, Map, Value};

/// "Maximum number of policies of a type attached to a root, OU or
/// account": 5 SCPs or RCPs; 10 of the management policy types.
fn max_attached(kind: PolicyType) -> usize {
    if kind.is_authorization() {
        5
    } else {
        10
    }
}

/// The largest document of the management policy types (tag, backup and
/// chat applications policies: 10,000 characters).
const MANAGEMENT_POLICY_QUOTA: usize = 10_000;

pub fn not_found(_id: &str) -> AwsError {
    wire::documented(
        Json::PolicyNotFoundException,
        "We can't find a policy with the PolicyId that you specified.",
    )
}

fn target_not_found() -> AwsError {
    wire::documented(
        Json::TargetNotFoundException,
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    )
}

fn type_not_enabled() -> AwsError {
    wire::documented(
        Json::PolicyTypeNotEnabledException,
        "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    )
}

fn type_not_available() -> AwsError {
    wire::documented(
        Json::PolicyTypeNotAvailableForOrganizationException,
        "You can't use the specified policy type with the feature set currently enabled for this organization. For example, you can enable SCPs only after you enable all features in the organization.",
    )
}

/// The policy type in input member `name`.
pub fn input_type(input: &Input, name: &str) -> AwsResult<PolicyType> {
    PolicyType::parse(input.required_str(name)?).ok_or_else(|| invalid_input("INVALID_ENUM_POLICY_TYPE"))
}

/// Checks a document of `kind` as Organizations does when it is written.
fn check_content(kind: PolicyType, content: &str) -> AwsResult<()> {
    let quota = if kind.is_authorization() {
        SCP_QUOTA
    } else {
        MANAGEMENT_POLICY_QUOTA
    };
    if iam_evaluator::validate::policy_size(content) > quota {
        return Err(constraint("POLICY_CONTENT_LIMIT_EXCEEDED"));
    }
    let problem = match kind {
        PolicyType::ServiceControl => scp_problem(content),
        PolicyType::ResourceControl => rcp_problem(content),
        _ => match serde_json::from_str::<Value>(content) {
            Ok(Value::Object(_)) => None,
            Ok(_) => Some("The policy document must be a JSON object.".to_string()),
            Err(e) => Some(format!("The policy document is not valid JSON: {e}")),
        },
    };
    match problem {
        None => Ok(()),
        Some(why) => Err(AwsError::new(
            Json::MalformedPolicyDocumentException,
            format!("The provided policy document doesn't meet the requirements of the specified policy type. {why}"),
        )),
    }
}

/// What is wrong with an SCP: Access Analyzer's first error for it, or
/// that the evaluator cannot read it.
fn scp_problem(content: &str) -> Option<String> {
    if let Some(error) = validate_policy(content, PolicyKind::ServiceControl, None)
        .into_iter()
        .find(|f| f.finding_type == FindingType::Error)
    {
        return Some(format!("{}: {}", error.issue_code, error.details));
    }
    iam_evaluator::Policy::parse(content)
        .err()
        .map(|e| format!("The policy cannot be read: {e}"))
}

/// What is wrong with an RCP: as an SCP's JSON and grammar, and RCPs'
/// own rules (Organizations User Guide, "RCP syntax": the `Principal`
/// element "must always be "*""; `NotPrincipal` is not supported; only
/// the actions of the services RCPs support).
fn rcp_problem(content: &str) -> Option<String> {
    let policy = match iam_evaluator::Policy::parse(content) {
        Ok(p) => p,
        Err(e) => return Some(format!("The policy cannot be read: {e}")),
    };
    let document: Value = serde_json::from_str(content).ok()?;
    let statements = match &document["Statement"] {
        Value::Array(list) => list.clone(),
        single => vec![single.clone()],
    };
    for (index, statement) in statements.iter().enumerate() {
        if statement.get("NotPrincipal").is_some() {
            return Some(format!("Statement {index}: RCPs do not support NotPrincipal."));
        }
        let star = json!("*");
        let principal_is_star = match statement.get("Principal") {
            Some(Value::Object(m)) => m.len() == 1 && m.get("AWS") == Some(&star),
            Some(p) => *p == star,
            None => false,
        };
        if !principal_is_star {
            return Some(format!(
                "Statement {index}: the Principal of an RCP must be \"*\"."
            ));
        }
        let actions = statement.get("Action").or_else(|| statement.get("NotAction"));
        let actions: Vec<&str> = match actions {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for action in actions {
            let service = action.split_once(':').map_or(action, |(s, _)| s);
            if action != "*" && !RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service)) {
                return Some(format!(
                    "Statement {index}: {action} is not an action of a service RCPs support ({}).",
                    RCP_SERVICES.join(", ")
                ));
            }
        }
    }
    let _ = policy;
    None
}

/// The customer or AWS managed policy named by `PolicyId`.
fn find_id<'i>(call: &'i Call, org: &Organization) -> AwsResult<&'i str> {
    let id = call.input.id("PolicyId", IdShape::Policy)?;
    if org.policy_kind(id).is_none() {
        return Err(not_found(id));
    }
    Ok(id)
}

/// The customer managed policy named by `PolicyId` (AWS managed ones
/// cannot be changed).
fn find_own<'o>(call: &Call, org: &'o Organization) -> AwsResult<&'o OrgPolicy> {
    let id = find_id(call, org)?;
    if aws_managed(id).is_some() {
        return Err(invalid_input("IMMUTABLE_POLICY"));
    }
    Ok(&org.policies[id])
}

fn check_unique_name(
    org: &Organization,
    kind: PolicyType,
    name: &str,
    except: Option<&str>,
) -> AwsResult<()> {
    let taken = org
        .policies
        .values()
        .any(|p| p.kind == kind && p.name == name && Some(p.id.as_str()) != except)
        || aws_managed_names(kind).contains(&name);
    if taken {
        return Err(wire::documented(
            Json::DuplicatePolicyException,
            "A policy with the same name already exists.",
        ));
    }
    Ok(())
}

fn aws_managed_names(kind: PolicyType) -> Vec<&'static str> {
    kind.default_policy().map(|p| p.name).into_iter().collect()
}

pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let kind = input_type(&call.input, "Type")?;
    let name = call.input.required_text("Name", 1, 128)?.to_string();
    let description = call.input.required_text("Description", 0, 512)?.to_string();
    let content = call.input.required_text("Content", 1, usize::MAX)?.to_string();
    let tags = call.input.tags("Tags")?;
    if org.feature_set != FeatureSet::All {
        return Err(type_not_available());
    }
    check_content(kind, &content)?;
    check_unique_name(org, kind, &name, None)?;
    let policy = OrgPolicy {
        id: format!("p-{}", ids::lower_alnum(8)),
        name,
        description,
        kind,
        parsed: parse_authorization(kind, &content),
        content,
        tags,
    };
    let org_id = org.id.clone();
    let out = state.organizations.edit(&org_id, |org| {
        let id = policy.id.clone();
        org.policies.insert(id.clone(), policy);
        json!({"Policy": view::policy(org, &id)})
    });
    Ok(out.unwrap_or(Value::Null))
}

pub fn update(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let policy = find_own(call, org)?;
    let name = call.input.text("Name", 1, 128)?.map(str::to_string);
    let description = call.input.text("Description", 0, 512)?.map(str::to_string);
    let content = call.input.text("Content", 1, usize::MAX)?.map(str::to_string);
    if let Some(name) = &name {
        check_unique_name(org, policy.kind, name, Some(&policy.id))?;
    }
    if let Some(content) = &content {
        check_content(policy.kind, content)?;
    }
    let (org_id, id) = (org.id.clone(), policy.id.clone());
    let out = state.organizations.edit(&org_id, |org| {
        if let Some(policy) = org.policies.get_mut(&id) {
            if let Some(name) = name {
                policy.name = name;
            }
            if let Some(description) = description {
                policy.description = description;
            }
            if let Some(content) = content {
                policy.parsed = parse_authorization(policy.kind, &content);
                policy.content = content;
            }
        }
        json!({"Policy": view::policy(org, &id)})
    });
    Ok(out.unwrap_or(Value::Null))
}

pub fn delete(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let policy = find_own(call, org)?;
    if !org.targets_of(&policy.id).is_empty() {
        return Err(wire::documented(
            Json::PolicyInUseException,
            "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
        ));
    }
    let (org_id, id) = (org.id.clone(), policy.id.clone());
    state.organizations.edit(&org_id, |org| org.policies.remove(&id));
    Ok(Value::Null)
}

pub fn describe(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = find_id(call, org)?;
    Ok(json!({"Policy": view::policy(org, id)}))
}

/// The ids of every policy of `kind`: the AWS managed one first.
fn policies_of(org: &Organization, kind: PolicyType) -> Vec<String> {
    kind.default_policy()
        .map(|p| p.id.to_string())
        .into_iter()
        .chain(
            org.policies
                .values()
                .filter(|p| p.kind == kind)
                .map(|p| p.id.clone()),
        )
        .collect()
}

pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let kind = input_type(&call.input, "Filter")?;
    let summaries: Vec<Value> = policies_of(org, kind)
        .iter()
        .filter_map(|id| view::policy_summary(org, id))
        .collect();
    let (items, next) = call.input.page()?.of(summaries);
    Ok(view::page("Policies", items, next))
}

/// The root, OU or account named by `TargetId`.
fn target<'i>(call: &'i Call, org: &Organization) -> AwsResult<&'i str> {
    let id = call.input.id("TargetId", IdShape::Target)?;
    if org.target_kind(id).is_none() {
        return Err(target_not_found());
    }
    Ok(id)
}

pub fn attach(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = find_id(call, org)?.to_string();
    let target = target(call, org)?.to_string();
    let kind = org.policy_kind(&id).ok_or_else(|| not_found(&id))?;
    if !org.enabled(kind) {
        return Err(type_not_enabled());
    }
    let attached = org.attached(&target, kind);
    if attached.contains(&id.as_str()) {
        return Err(wire::documented(
            Json::DuplicatePolicyAttachmentException,
            "The selected policy is already attached to the specified target.",
        ));
    }
    if attached.len() >= max_attached(kind) {
        return Err(constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"));
    }
    let org_id = org.id.clone();
    state.organizations.edit(&org_id, |org| {
        org.attachments.entry(target).or_default().insert(id);
    });
    Ok(Value::Null)
}

pub fn detach(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = find_id(call, org)?.to_string();
    let target = target(call, org)?.to_string();
    let kind = org.policy_kind(&id).ok_or_else(|| not_found(&id))?;
    if !org.enabled(kind) {
        return Err(type_not_enabled());
    }
    if id == RCP_FULL_AWS_ACCESS {
        return Err(invalid_input("NON_DETACHABLE_POLICY"));
    }
    let attached = org.attached(&target, kind);
    if !attached.contains(&id.as_str()) {
        return Err(wire::documented(
            Json::PolicyNotAttachedException,
            "The policy isn't attached to the specified target in the specified root.",
        ));
    }
    // "Every root, OU, and account must have at least one SCP attached."
    if kind == PolicyType::ServiceControl && attached.len() == 1 {
        return Err(constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"));
    }
    let org_id = org.id.clone();
    state.organizations.edit(&org_id, |org| {
        if let Some(set) = org.attachments.get_mut(&target) {
            set.remove(&id);
        }
    });
    Ok(Value::Null)
}

pub fn list_for_target(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let target = target(call, org)?;
    let kind = input_type(&call.input, "Filter")?;
    let summaries: Vec<Value> = org
        .attached(target, kind)
        .into_iter()
        .filter_map(|id| view::policy_summary(org, id))
        .collect();
    let (items, next) = call.input.page()?.of(summaries);
    Ok(view::page("Policies", items, next))
}

pub fn list_targets(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = find_id(call, org)?;
    let targets: Vec<Value> = org
        .targets_of(id)
        .into_iter()
        .filter_map(|target| {
            let kind = org.target_kind(target)?;
            Some(json!({
                "TargetId": target,
                "Arn": org.target_arn(target)?,
                "Name": org.target_name(target)?,
                "Type": kind.as_str(),
            }))
        })
        .collect();
    let (items, next) = call.input.page()?.of(targets);
    Ok(view::page("Targets", items, next))
}

/// The root named by `RootId`.
fn root_of<'o>(call: &Call, org: &'o Organization) -> AwsResult<&'o Organization> {
    let id = call.input.id("RootId", IdShape::Root)?;
    if id != org.root.id {
        return Err(wire::documented(
            Json::RootNotFoundException,
            "We can't find a root with the RootId that you specified.",
        ));
    }
    Ok(org)
}

pub fn enable_type(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = root_of(call, call.org(state)?)?;
    let kind = input_type(&call.input, "PolicyType")?;
    if org.feature_set != FeatureSet::All {
        return Err(type_not_available());
    }
    if org.enabled(kind) {
        return Err(wire::documented(
            Json::PolicyTypeAlreadyEnabledException,
            "The specified policy type is already enabled in the specified root.",
        ));
    }
    let org_id = org.id.clone();
    let out = state.organizations.edit(&org_id, |org| {
        org.root.policy_types.insert(kind);
        if let Some(default) = kind.default_policy() {
            for target in org.all_targets() {
                org.attachments
                    .entry(target)
                    .or_default()
                    .insert(default.id.to_string());
            }
        }
        json!({"Root": view::root(org)})
    });
    Ok(out.unwrap_or(Value::Null))
}

pub fn disable_type(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = root_of(call, call.org(state)?)?;
    let kind = input_type(&call.input, "PolicyType")?;
    if !org.enabled(kind) {
        return Err(type_not_enabled());
    }
    let org_id = org.id.clone();
    let out = state.organizations.edit(&org_id, |org| {
        org.root.policy_types.remove(&kind);
        let of_kind: Vec<String> = policies_of(org, kind);
        for set in org.attachments.values_mut() {
            set.retain(|p| !of_kind.contains(p));
        }
        json!({"Root": view::root(org)})
    });
    Ok(out.unwrap_or(Value::Null))
}

/// The management policy types DescribeEffectivePolicy answers for
/// (botocore's `EffectivePolicyType`: not SCPs or RCPs).
fn effective_type(call: &Call) -> AwsResult<PolicyType> {
    let kind = input_type(&call.input, "PolicyType")?;
    if kind.is_authorization() {
        return Err(invalid_input("INVALID_ENUM_POLICY_TYPE"));
    }
    Ok(kind)
}

pub fn describe_effective(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let kind = effective_type(call)?;
    let target = call
        .input
        .optional_id("TargetId", IdShape::Target)?
        .unwrap_or(call.account());
    match org.target_kind(target) {
        Some(TargetKind::Account) => {}
        Some(_) => return Err(invalid_input("TARGET_NOT_SUPPORTED")),
        None => return Err(target_not_found()),
    }
    let account = call.account();
    if target != account && org.management != account && !org.is_any_delegated_admin(account) {
        return Err(wire::not_management());
    }
    let not_found = || {
        wire::documented(
            Json::EffectivePolicyNotFoundException,
            "If you ran this action on the management account, this policy type is not enabled. If you ran the action on a member account, the account doesn't have an effective policy of this type.",
        )
    };
    if !org.enabled(kind) {
        return Err(not_found());
    }
    let documents: Vec<Value> = org
        .levels(target)
        .iter()
        .flat_map(|level| org.attached(level, kind))
        .filter_map(|id| org.policies.get(id))
        .filter_map(|p| serde_json::from_str(&p.content).ok())
        .collect();
    if documents.is_empty() {
        return Err(not_found());
    }
    let mut effective = Value::Object(Map::new());
    for document in documents {
        inherit(&mut effective, document);
    }
    strip_operators(&mut effective);
    Ok(json!({"EffectivePolicy": {
        "PolicyContent": effective.to_string(),
        "LastUpdatedTimestamp": view::timestamp(call.now()),
        "TargetId": target,
        "PolicyType": kind.as_str(),
    }}))
}

/// Applies a child policy to what its parents give ("Management policy
/// inheritance": `@@assign` replaces, `@@append` adds to, `@@remove`
/// takes away; a value without an operator is assigned).
fn inherit(parent: &mut Value, child: Value) {
    let Value::Object(child) = child else {
        *parent = child;
        return;
    };
    if !parent.is_object() {
        *parent = Value::Object(Map::new());
    }
    let Value::Object(into) = parent else {
        return;
    };
    for (key, value) in child {
        match key.as_str() {
            "@@assign" => {
                into.clear();
                into.insert(key, value);
            }
            "@@append" => match (into.get_mut("@@assign"), value) {
                (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
                (_, value) => {
                    into.insert("@@assign".into(), value);
                }
            },
            "@@remove" => {
                into.remove("@@assign");
            }
            _ => inherit(into.entry(key).or_insert(Value::Null), value),
        }
    }
}

/// The effective policy shows values, not the operators that made them.
fn strip_operators(value: &mut Value) {
    let Value::Object(map) = value else {
        return;
    };
    map.retain(|k, _| k != "@@operators_allowed_for_child_policies");
    if let Some(assigned) = map.remove("@@assign") {
        if map.is_empty() {
            *value = assigned;
            return;
        }
        map.insert("@@assign".into(), assigned);
    }
    for child in map.values_mut() {
        strip_operators(child);
    }
}

pub fn list_accounts_with_invalid_effective_policy(call: &Call, state: &State) -> AwsResult<Value> {
    call.org(state)?;
    let kind = effective_type(call)?;
    let (items, next) = call.input.page()?.of(Vec::<Value>::new());
    let mut out = view::page("Accounts", items, next);
    out["PolicyType"] = json!(kind.as_str());
    Ok(out)
}

pub fn list_effective_policy_validation_errors(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let kind = effective_type(call)?;
    let account = call.input.id("AccountId", IdShape::Account)?;
    if !org.accounts.contains_key(account) {
        return Err(super::accounts::account_not_found());
    }
    let (items, next) = call.input.page()?.of(Vec::<Value>::new());
    let mut out = view::page("EffectivePolicyValidationErrors", items, next);
    out["AccountId"] = json!(account);
    out["PolicyType"] = json!(kind.as_str());
    out["Path"] = json!(format!("{}{account}/", org.path(account)));
    out["EvaluationTimestamp"] = view::timestamp(call.now());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scps_are_checked_as_scps() {
        assert!(check_content(
            PolicyType::ServiceControl,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:CreateBucket","Resource":"*"}]}"#
        )
        .is_ok());
        let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        let err = check_content(PolicyType::ServiceControl, with_principal).unwrap_err();
        assert_eq!(err.code, "MalformedPolicyDocumentException");
        assert!(check_content(PolicyType::ServiceControl, "{not json").is_err());
    }

    #[test]
    fn rcps_name_everyone_and_only_their_services() {
        let good = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abcdefghij"}}}]}"#;
        assert!(check_content(PolicyType::ResourceControl, good).is_ok());
        let kinesis = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kinesis:GetRecords","Resource":"*"}]}"#;
        assert!(check_content(PolicyType::ResourceControl, kinesis).is_err());
        let named = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:*","Resource":"*"}]}"#;
        assert!(check_content(PolicyType::ResourceControl, named).is_err());
    }

    #[test]
    fn children_inherit_and_override() {
        let mut effective = Value::Object(Map::new());
        inherit(
            &mut effective,
            json!({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["A"]}}}}),
        );
        inherit(
            &mut effective,
            json!({"tags": {"costcenter": {"tag_value": {"@@append": ["B"]}}}}),
        );
        strip_operators(&mut effective);
        assert_eq!(
            effective,
            json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["A", "B"]}}})
        );
    }
}
