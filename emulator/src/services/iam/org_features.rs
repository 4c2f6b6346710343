//! Centralized root access for an organization's member accounts:
//! Enable/DisableOrganizationsRootCredentialsManagement,
//! Enable/DisableOrganizationsRootSessions and ListOrganizationsFeatures.
//!
//! IAM User Guide, "Centrally manage root access for member accounts":
//! the account must be in an organization with all features, IAM's
//! trusted access must be enabled in Organizations, and the caller is its
//! management account (or, to disable and list, IAM's delegated
//! administrator). The features enabled are kept on the organization.

use super::Call;
use crate::error::{AwsError, AwsResult, Query};
use crate::protocol::xml::Xml;
use crate::state::organizations::{FeatureSet, Organization};
use crate::state::State;

/// IAM's service principal, as Organizations' trusted access and
/// delegated administrators name it.
const IAM_SERVICE: &str = "iam.amazonaws.com";

const ROOT_CREDENTIALS: &str = "RootCredentialsManagement";
const ROOT_SESSIONS: &str = "RootSessions";

/// What a call may do: change the features (the management account only)
/// or read them and turn them off (IAM's delegated administrator too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Management,
    ManagementOrDelegatedAdmin,
}

/// The caller's organization, once every requirement holds.
fn organization<'s>(state: &'s State, call: &Call, need: Need) -> AwsResult<&'s Organization> {
    let orgs = &state.organizations;
    let org = orgs.org_of(&call.account).ok_or_else(|| {
        AwsError::new(
            Query::OrganizationNotFoundException,
            "The request was rejected because no organization is associated with your account.",
        )
    })?;
    if org.feature_set != FeatureSet::All {
        return Err(AwsError::new(
            Query::OrganizationNotInAllFeaturesModeException,
            "The request was rejected because your organization does not have All features enabled.",
        ));
    }
    let management = org.management == call.account;
    let delegated = orgs.is_delegated_admin(&call.account, IAM_SERVICE);
    if !management && !delegated {
        return Err(AwsError::new(
            Query::AccountNotManagementOrDelegatedAdministratorException,
            "The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.",
        ));
    }
    if !management && need == Need::Management {
        return Err(AwsError::new(
            Query::CallerIsNotManagementAccountException,
            "The request was rejected because the account making the request is not the management account for the organization.",
        ));
    }
    if !org.service_access.contains_key(IAM_SERVICE) {
        return Err(AwsError::new(
            Query::ServiceAccessNotEnabledException,
            "The request was rejected because trusted access is not enabled for IAM in Organizations.",
        ));
    }
    Ok(org)
}

/// `<OrganizationId>` and `<EnabledFeatures>`.
fn features_xml(org: &Organization) -> Xml {
    let mut x = Xml::default();
    x.elem("OrganizationId", &org.id);
    x.with("EnabledFeatures", |x| {
        for feature in &org.iam_features {
            x.elem("member", feature);
        }
    });
    x
}

/// Turns `feature` on or off and answers with the features enabled.
fn set(state: &mut State, call: &Call, feature: &str, on: bool, need: Need) -> AwsResult<Xml> {
    let id = organization(state, call, need)?.id.clone();
    state.organizations.edit(&id, |org| {
        if on {
            org.iam_features.insert(feature.to_string());
        } else {
            org.iam_features.remove(feature);
        }
    });
    let org = state
        .organizations
        .get(&id)
        .ok_or_else(|| AwsError::new(Query::ServiceFailure, "The organization disappeared."))?;
    Ok(features_xml(org))
}

pub fn enable_root_credentials_management(state: &mut State, call: &Call) -> AwsResult<Xml> {
    set(state, call, ROOT_CREDENTIALS, true, Need::Management)
}

pub fn disable_root_credentials_management(state: &mut State, call: &Call) -> AwsResult<Xml> {
    set(
        state,
        call,
        ROOT_CREDENTIALS,
        false,
        Need::ManagementOrDelegatedAdmin,
    )
}

pub fn enable_root_sessions(state: &mut State, call: &Call) -> AwsResult<Xml> {
    set(state, call, ROOT_SESSIONS, true, Need::Management)
}

pub fn disable_root_sessions(state: &mut State, call: &Call) -> AwsResult<Xml> {
    set(
        state,
        call,
        ROOT_SESSIONS,
        false,
        Need::ManagementOrDelegatedAdmin,
    )
}

pub fn list_organizations_features(state: &mut State, call: &Call) -> AwsResult<Xml> {
    Ok(features_xml(organization(
        state,
        call,
        Need::ManagementOrDelegatedAdmin,
    )?))
}
