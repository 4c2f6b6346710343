//! What AWS Organizations brings to every question: the SCPs that bound
//! the caller, the RCPs that bound the resource, and the organization's
//! condition keys — read from the memberships the organizations state
//! works out when it changes ([`crate::state::organizations::Membership`]),
//! never per request.
//!
//! As the Organizations User Guide states it:
//! - SCPs bound the principals of the member accounts, their root user
//!   included; "SCPs don't affect users or roles in the management
//!   account" (the management account's membership has no SCP levels).
//!   That SCPs bind neither service-linked roles nor service principals is
//!   the evaluator's rule.
//! - RCPs: they "apply to resources of the following AWS services" (the
//!   list is [`crate::state::organizations::RCP_SERVICES`]); "RCPs don't
//!   affect resources in the management account". The levels are those of
//!   the account that owns the resource.
//! - Keys (IAM User Guide, global condition keys): `aws:PrincipalOrgID` and
//!   `aws:PrincipalOrgPaths` are in the request context when the caller's
//!   account is a member of an organization; `aws:ResourceOrgID` and
//!   `aws:ResourceOrgPaths` "only if the account that owns the resource is
//!   a member of an organization"; the paths are multi-valued keys
//!   (policies test them with `ForAnyValue:StringLike`).

use crate::state::organizations::{rcps_apply_to, Membership};
use crate::state::State;
use iam_evaluator::{PolicySet, RequestContext};

/// The caller's organization, if any.
pub fn caller_membership<'s>(state: &'s State, account: Option<&str>) -> Option<&'s Membership> {
    state.organizations.membership(account?)
}

/// The SCP levels bounding a caller of `membership`'s account.
pub fn add_caller_scps(membership: &Membership, policies: &mut PolicySet) {
    policies.scps.clone_from(&membership.scps);
}

/// A caller's `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths`.
pub fn add_caller_keys(membership: &Membership, context: &mut RequestContext) {
    context.set_default("aws:PrincipalOrgID", membership.org_id.clone());
    if context.get("aws:PrincipalOrgPaths").is_none() {
        context.set_multi("aws:PrincipalOrgPaths", [membership.path.clone()]);
    }
}

/// The RCP levels bounding `action` on a resource of `owner`, and its
/// `aws:ResourceOrgID` / `aws:ResourceOrgPaths`.
pub fn add_resource_side(
    state: &State,
    owner: &str,
    action: &str,
    policies: &mut PolicySet,
    context: &mut RequestContext,
) {
    let Some(membership) = state.organizations.membership(owner) else {
        return;
    };
    if rcps_apply_to(action) {
        policies.rcps.clone_from(&membership.rcps);
    }
    context.set_default("aws:ResourceOrgID", membership.org_id.clone());
    if context.get("aws:ResourceOrgPaths").is_none() {
        context.set_multi("aws:ResourceOrgPaths", [membership.path.clone()]);
    }
}
