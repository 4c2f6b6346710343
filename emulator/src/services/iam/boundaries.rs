//! Permissions boundaries: Put/DeleteUserPermissionsBoundary and
//! Put/DeleteRolePermissionsBoundary. The boundary's ARN is the
//! `iam:PermissionsBoundary` condition key of the call.

use super::roles;
use super::users;
use super::Call;
use crate::error::AwsResult;
use crate::protocol::xml::Xml;
use crate::state::State;

/// Writes `<PermissionsBoundary>` as IAM returns it on users and roles.
pub fn boundary_xml(x: &mut Xml, arn: &str) {
    x.with("PermissionsBoundary", |x| {
        x.elem("PermissionsBoundaryType", "PermissionsBoundaryPolicy");
        x.elem("PermissionsBoundaryArn", arn);
    });
}

pub fn put_user_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let boundary = call.params.required("PermissionsBoundary")?.to_string();
    users::find(state, call, &name)?;
    super::managed::require_policy(state, call, &boundary)?;
    users::find_mut(state, call, &name)?.boundary = Some(boundary);
    Ok(Xml::default())
}

pub fn delete_user_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    users::find_mut(state, call, &name)?.boundary = None;
    Ok(Xml::default())
}

pub fn put_role_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let boundary = call.params.required("PermissionsBoundary")?.to_string();
    roles::find(state, call, &name)?;
    super::managed::require_policy(state, call, &boundary)?;
    roles::find_mut(state, call, &name)?.boundary = Some(boundary);
    Ok(Xml::default())
}

pub fn delete_role_permissions_boundary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    roles::find_mut(state, call, &name)?.boundary = None;
    Ok(Xml::default())
}
