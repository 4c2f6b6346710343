//! The shapes Organizations replies with (botocore's `Organization`,
//! `Root`, `OrganizationalUnit`, `Account`, `PolicySummary`, `Handshake`,
//! …), written from the state; timestamps as epoch seconds.

use crate::state::organizations::{
    aws_managed, Handshake, Member, Organization, PolicyType, TargetKind, Unit,
};
use serde_json::{json, Value};
use time::OffsetDateTime;

/// A timestamp as the JSON protocol sends it: epoch seconds.
#[allow(clippy::cast_precision_loss)] // milliseconds since 1970 fit an f64 exactly
pub fn timestamp(at: OffsetDateTime) -> Value {
    let millis = at.unix_timestamp_nanos() / 1_000_000;
    json!(millis as f64 / 1000.0)
}

/// The email AWS would show for an account Organizations did not create:
/// the emulator knows no address for it, so it makes one up.
pub fn email_of(account: &str) -> String {
    format!("{account}@example.com")
}

/// `Organization`.
pub fn organization(org: &Organization) -> Value {
    let management = org.accounts.get(&org.management);
    // "Do not use. This field is deprecated": AWS lists SCPs here only.
    let available: Vec<Value> = org
        .root
        .policy_types
        .iter()
        .filter(|t| **t == PolicyType::ServiceControl)
        .map(|t| json!({"Type": t.as_str(), "Status": "ENABLED"}))
        .collect();
    json!({
        "Id": org.id,
        "Arn": org.arn(),
        "FeatureSet": org.feature_set.as_str(),
        "MasterAccountArn": org.account_arn(&org.management),
        "MasterAccountId": org.management,
        "MasterAccountEmail": management.map_or_else(|| email_of(&org.management), |m| m.email.clone()),
        "AvailablePolicyTypes": available,
    })
}

/// `Root`.
pub fn root(org: &Organization) -> Value {
    let types: Vec<Value> = org
        .root
        .policy_types
        .iter()
        .map(|t| json!({"Type": t.as_str(), "Status": "ENABLED"}))
        .collect();
    json!({
        "Id": org.root.id,
        "Arn": org.root_arn(),
        "Name": org.root.name,
        "PolicyTypes": types,
    })
}

/// `OrganizationalUnit`.
pub fn unit(org: &Organization, unit: &Unit) -> Value {
    json!({
        "Id": unit.id,
        "Arn": org.unit_arn(&unit.id),
        "Name": unit.name,
        "Path": format!("{}{}/", org.path(&unit.parent), unit.id),
    })
}

/// `Account`.
pub fn account(org: &Organization, member: &Member) -> Value {
    let (status, state) = if member.closed {
        ("SUSPENDED", "CLOSED")
    } else {
        ("ACTIVE", "ACTIVE")
    };
    json!({
        "Id": member.id,
        "Arn": org.account_arn(&member.id),
        "Email": member.email,
        "Name": member.name,
        "Status": status,
        "State": state,
        "Paths": [format!("{}{}/", org.path(&member.id), member.id)],
        "JoinedMethod": member.joined_method.as_str(),
        "JoinedTimestamp": timestamp(member.joined),
    })
}

/// `PolicySummary` of a customer or AWS managed policy.
pub fn policy_summary(org: &Organization, id: &str) -> Option<Value> {
    if let Some(managed) = aws_managed(id) {
        return Some(json!({
            "Id": managed.id,
            "Arn": managed.arn(),
            "Name": managed.name,
            "Description": managed.description,
            "Type": managed.kind.as_str(),
            "AwsManaged": true,
        }));
    }
    let policy = org.policies.get(id)?;
    Some(json!({
        "Id": policy.id,
        "Arn": org.policy_arn(policy.kind, &policy.id),
        "Name": policy.name,
        "Description": policy.description,
        "Type": policy.kind.as_str(),
        "AwsManaged": false,
    }))
}

/// `Policy`: the summary and the content.
pub fn policy(org: &Organization, id: &str) -> Option<Value> {
    let content = aws_managed(id)
        .map(|m| m.content.to_string())
        .or_else(|| org.policies.get(id).map(|p| p.content.clone()))?;
    Some(json!({"PolicySummary": policy_summary(org, id)?, "Content": content}))
}

/// `Handshake` of an invitation to join `org`.
pub fn handshake(org: &Organization, handshake: &Handshake) -> Value {
    let management_email = org
        .accounts
        .get(&org.management)
        .map_or_else(|| email_of(&org.management), |m| m.email.clone());
    let management_name = org
        .accounts
        .get(&org.management)
        .map_or_else(String::new, |m| m.name.clone());
    let mut organization_resources = vec![
        json!({"Type": "MASTER_EMAIL", "Value": management_email}),
        json!({"Type": "MASTER_NAME", "Value": management_name}),
        json!({"Type": "ORGANIZATION_FEATURE_SET", "Value": if org.feature_set == crate::state::organizations::FeatureSet::All { "FULL" } else { "CONSOLIDATED_BILLING" }}),
    ];
    organization_resources.retain(|r| r["Value"] != "");
    let mut resources = vec![
        json!({"Type": "ORGANIZATION", "Value": org.id, "Resources": organization_resources}),
        json!({"Type": handshake.target_type, "Value": handshake.target}),
    ];
    if let Some(notes) = &handshake.notes {
        resources.push(json!({"Type": "NOTES", "Value": notes}));
    }
    json!({
        "Id": handshake.id,
        "Arn": org.handshake_arn(&handshake.id),
        "Parties": [
            {"Id": org.id, "Type": "ORGANIZATION"},
            {"Id": handshake.target, "Type": handshake.target_type},
        ],
        "State": handshake.state.as_str(),
        "RequestedTimestamp": timestamp(handshake.requested),
        "ExpirationTimestamp": timestamp(handshake.expires),
        "Action": "INVITE",
        "Resources": resources,
    })
}

/// The tags of a root, OU or account.
pub fn target_tags<'o>(org: &'o Organization, id: &str) -> &'o [(String, String)] {
    match org.target_kind(id) {
        Some(TargetKind::Root) => &org.root.tags,
        Some(TargetKind::Unit) => org.units.get(id).map_or(&[], |u| &u.tags),
        Some(TargetKind::Account) => org.accounts.get(id).map_or(&[], |a| &a.tags),
        None => &[],
    }
}

/// Tags as Organizations lists them: `[{"Key", "Value"}]`.
pub fn tags(tags: &[(String, String)]) -> Value {
    tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect()
}

/// A list reply: the items under `key`, and `NextToken` when more follow.
pub fn page(key: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(key.to_string(), Value::Array(items));
    let mut out = Value::Object(out);
    if let Some(next) = next {
        out["NextToken"] = json!(next);
    }
    out
}
