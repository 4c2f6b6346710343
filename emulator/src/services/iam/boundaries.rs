//! Permissions boundaries: Put/DeleteUserPermissionsBoundary and
//! Put/DeleteRolePermissionsBoundary. The boundary's ARN is the
//! `iam:PermissionsBoundary` condition key of the call.

use super::roles::{self, role_arn};
use super::users::{self, user_arn};
use super::Call;
use crate::error::AwsResult;
use crate::protocol::xml::Xml;
use crate::state::State;
use iam_evaluator::RequestContext;

/// Writes `<PermissionsBoundary>` as IAM returns it on users and roles.
pub fn boundary_xml(x: &mut Xml, arn: &str) {
    x.with("PermissionsBoundary", |x| {
        x.elem("PermissionsBoundaryType", "PermissionsBoundaryPolicy");
        x.elem("PermissionsBoundaryArn", arn);
    });
}

/// `iam:PermissionsBoundary` for a call that sets or removes `arn`.
fn boundary_context(arn: Option<&str>) -> RequestContext {
    let mut context = RequestContext::new();
    if let Some(arn) = arn {
        context.set("iam:PermissionsBoundary", arn);
    }
    context
}

pub fn put_user_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let boundary = call.params.required("PermissionsBoundary")?.to_string();
    call.authorize_with(
        state,
        "iam:PutUserPermissionsBoundary",
        &user_arn(state, call, &name),
        boundary_context(Some(&boundary)),
    )?;
    users::find(state, call, &name)?;
    super::managed::require_policy(state, call, &boundary)?;
    users::find_mut(state, call, &name)?.boundary = Some(boundary);
    Ok(Xml::default())
}

pub fn delete_user_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let current = users::find(state, call, &name)
        .ok()
        .and_then(|u| u.boundary.clone());
    call.authorize_with(
        state,
        "iam:DeleteUserPermissionsBoundary",
        &user_arn(state, call, &name),
        boundary_context(current.as_deref()),
    )?;
    users::find_mut(state, call, &name)?.boundary = None;
    Ok(Xml::default())
}

pub fn put_role_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let boundary = call.params.required("PermissionsBoundary")?.to_string();
    call.authorize_with(
        state,
        "iam:PutRolePermissionsBoundary",
        &role_arn(state, call, &name),
        boundary_context(Some(&boundary)),
    )?;
    roles::find(state, call, &name)?;
    super::managed::require_policy(state, call, &boundary)?;
    roles::find_mut(state, call, &name)?.boundary = Some(boundary);
    Ok(Xml::default())
}

pub fn delete_role_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let current = roles::find(state, call, &name)
        .ok()
        .and_then(|r| r.boundary.clone());
    call.authorize_with(
        state,
        "iam:DeleteRolePermissionsBoundary",
        &role_arn(state, call, &name),
        boundary_context(current.as_deref()),
    )?;
    roles::find_mut(state, call, &name)?.boundary = None;
    Ok(Xml::default())
}
