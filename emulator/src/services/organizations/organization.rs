//! The organization itself: CreateOrganization (the caller's account
//! becomes the management account; with all features, SCPs are enabled
//! in the root and `FullAWSAccess` attached, as botocore documents it:
//! "the new organization is created with all features enabled and service
//! control policies automatically enabled in the root"),
//! DescribeOrganization, DeleteOrganization, ListRoots,
//! LeaveOrganization and EnableAllFeatures.

use super::view;
use super::wire::{self, constraint, with_reason};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::ids;
use crate::state::organizations::{FeatureSet, Joined, Member, Organization, PolicyType, Root};
use crate::state::State;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The name of an account Organizations did not create: the emulator
/// knows none, so it goes by its id.
pub fn default_name(account: &str) -> String {
    account.to_string()
}

pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let feature_set = match call.input.str("FeatureSet")? {
        None | Some("ALL") => FeatureSet::All,
        Some("CONSOLIDATED_BILLING") => FeatureSet::ConsolidatedBilling,
        Some(_) => return Err(wire::invalid_input("INVALID_ENUM")),
    };
    let account = call.account().to_string();
    if state.organizations.org_of(&account).is_some() {
        return Err(AwsError::new(
            Json::AlreadyInOrganizationException,
            "The AWS account is already a member of an organization.",
        ));
    }
    let now = call.now();
    let root_id = format!("r-{}", ids::lower_alnum(4));
    let mut org = Organization {
        id: format!("o-{}", ids::lower_alnum(10)),
        management: account.clone(),
        feature_set,
        created: now,
        root: Root {
            id: root_id.clone(),
            name: "Root".to_string(),
            policy_types: if feature_set == FeatureSet::All {
                [PolicyType::ServiceControl].into()
            } else {
                std::collections::BTreeSet::default()
            },
            tags: Vec::new(),
        },
        units: BTreeMap::new(),
        accounts: BTreeMap::new(),
        policies: BTreeMap::new(),
        attachments: BTreeMap::new(),
        create_requests: Vec::new(),
        handshakes: BTreeMap::new(),
        delegations: Vec::new(),
        service_access: BTreeMap::new(),
        resource_policy: None,
        iam_features: std::collections::BTreeSet::new(),
    };
    org.accounts.insert(
        account.clone(),
        Member {
            id: account.clone(),
            name: default_name(&account),
            email: view::email_of(&account),
            parent: root_id.clone(),
            joined_method: Joined::Invited,
            joined: now,
            closed: false,
            tags: Vec::new(),
        },
    );
    org.attach_defaults(&root_id);
    org.attach_defaults(&account);
    let out = json!({"Organization": view::organization(&org)});
    state.organizations.insert(org);
    Ok(out)
}

pub fn describe(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    Ok(json!({"Organization": view::organization(org)}))
}

pub fn delete(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    if org.accounts.len() > 1 {
        return Err(wire::documented(
            Json::OrganizationNotEmptyException,
            "The organization isn't empty. To delete an organization, you must first remove all accounts except the management account.",
        ));
    }
    let id = org.id.clone();
    state.organizations.remove(&id);
    Ok(Value::Null)
}

pub fn list_roots(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let (items, next) = call.input.page()?.of(vec![view::root(org)]);
    Ok(view::page("Roots", items, next))
}

pub fn leave(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let account = call.account().to_string();
    if org.management == account {
        return Err(wire::documented(
            Json::MasterCannotLeaveOrganizationException,
            "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
        ));
    }
    if org.is_any_delegated_admin(&account) {
        return Err(constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"));
    }
    let id = org.id.clone();
    state.organizations.edit(&id, |org| {
        org.accounts.remove(&account);
        org.forget_target(&account);
    });
    Ok(Value::Null)
}

/// An organization with consolidated billing only moves to all features
/// at once here (AWS asks every member to agree first, by handshake); one
/// with all features already answers as AWS does.
pub fn enable_all_features(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    if org.feature_set == FeatureSet::All {
        return Err(with_reason(
            Json::HandshakeConstraintViolationException,
            "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
        ));
    }
    let id = org.id.clone();
    let now = call.now();
    let handshake_id = format!("h-{}", ids::lower_alnum(10));
    let out = state
        .organizations
        .edit(&id, |org| {
            org.feature_set = FeatureSet::All;
            json!({"Handshake": {
                "Id": handshake_id,
                "Arn": format!("arn:aws:organizations::{}:handshake/{}/enable_all_features/{handshake_id}", org.management, org.id),
                "Parties": [{"Id": org.id, "Type": "ORGANIZATION"}],
                "State": "ACCEPTED",
                "RequestedTimestamp": view::timestamp(now),
                "ExpirationTimestamp": view::timestamp(now + time::Duration::days(90)),
                "Action": "ENABLE_ALL_FEATURES",
                "Resources": [{"Type": "ORGANIZATION", "Value": org.id}],
            }})
        })
        .unwrap_or(Value::Null);
    Ok(out)
}
