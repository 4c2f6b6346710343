//! IAM's authorization door: for the operation's row in
//! [`super::operations`], builds the resource ARN, the request's condition
//! keys and the further questions the row names, and asks the evaluator
//! each one before the handler runs. Handlers never authorize.

use super::operations::{Key, Kind, On};
use super::{tag_context, Call};
use crate::error::{AwsError, AwsResult};
use crate::state::iam::{key, Account};
use crate::state::State;
use iam_evaluator::{NamedPolicy, PrincipalKind, RequestContext};

/// Asks every question `call`'s row names; `Ok` when the call may go on.
pub fn authorize(state: &State, call: &Call) -> AwsResult<()> {
    let row = call.operation;
    let resource = resource_arn(state, call, row.on)?;
    let context = keys_of(state, call, row.keys, row.on);
    if row.renames {
        if let Some(target) = renamed_arn(state, call, row.on) {
            if target != resource {
                call.authorize_with(state, row.action, &target, context.clone(), Vec::new())?;
            }
        }
    }
    let policies = resource_policies(state, call, row.on);
    call.authorize_with(state, row.action, &resource, context, policies)?;
    for also in row.also {
        let arn = resource_arn(state, call, also.on)?;
        let context = keys_of(state, call, also.keys, also.on);
        call.authorize_with(state, also.action, &arn, context, Vec::new())?;
    }
    Ok(())
}

/// The resource-based policies of the resource `on` names: a delegation
/// request's default permissions for its owner
/// ([`super::delegation::default_permissions`]).
fn resource_policies(state: &State, call: &Call, on: On) -> Vec<NamedPolicy> {
    match on {
        On::DelegationRequest(_) | On::DelegationRequestArn(_) => super::delegation::target(state, call, on)
            .map(|(request, arn)| super::delegation::default_permissions(request, &arn))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The ARN of the entity of `kind` called `name` in `account`, if it exists.
pub fn existing_arn<'a>(account: &'a Account, kind: Kind, name: &str) -> Option<&'a str> {
    let k = key(name);
    match kind {
        Kind::User => account.users.get(&k).map(|e| e.arn.as_str()),
        Kind::Group => account.groups.get(&k).map(|e| e.arn.as_str()),
        Kind::Role => account.roles.get(&k).map(|e| e.arn.as_str()),
        Kind::InstanceProfile => account.instance_profiles.get(&k).map(|e| e.arn.as_str()),
        Kind::ServerCertificate => account
            .credentials
            .server_certificates
            .get(&k)
            .map(|e| e.arn.as_str()),
        _ => None,
    }
}

/// The resource `on` names for this call.
pub fn resource_arn(state: &State, call: &Call, on: On) -> AwsResult<String> {
    Ok(match on {
        On::Any => "*".to_string(),
        On::Listing(kind) => call.arn(kind.resource_type(), "/", ""),
        On::Named(kind, member) => named_arn(state, call, kind, call.params.required(member)?),
        On::New(kind, member) => {
            let name = call.params.required(member)?;
            call.arn(kind.resource_type(), call.params.get("Path").unwrap_or("/"), name)
        }
        On::ArnIn(_, member) => call.params.required(member)?.to_string(),
        On::UserOrCaller => match target_user(call)? {
            Some(name) => named_arn(state, call, Kind::User, &name),
            None => call.caller.principal.arn.clone(),
        },
        On::KeyOwner => {
            let id = call.params.required("AccessKeyId")?;
            state
                .find_user_key(id)
                .filter(|(account, _, _)| account.id == call.account)
                .map(|(_, user, _)| user.arn.clone())
                .ok_or_else(|| {
                    AwsError::access_denied(format!("The Access Key with id {id} cannot be found."))
                })?
        }
        On::NewOidcProvider => {
            let url = super::providers::oidc_url(call.params.required("Url")?)?;
            crate::state::providers::oidc_arn(&call.account, &url)
        }
        On::NewServiceLinkedRole => super::service_linked_roles::planned_arn(call)?,
        On::DeletionTaskRole => super::service_linked_roles::task_role_arn(call)?,
        On::AccessReport => call.arn("access-report", "/", call.params.required("EntityPath")?),
        On::DelegationRequest(member) | On::DelegationRequestArn(member) => {
            match super::delegation::target(state, call, on) {
                Some((_, arn)) => arn,
                None if matches!(on, On::DelegationRequestArn(_)) => {
                    call.params.required(member)?.to_string()
                }
                None => call.arn("delegation-request", "/", call.params.required(member)?),
            }
        }
        On::NewDelegationRequest => call.arn("delegation-request", "/", "*"),
    })
}

/// The entity's ARN when it exists, else the one it would have at `/`.
fn named_arn(state: &State, call: &Call, kind: Kind, name: &str) -> String {
    state
        .account(&call.account)
        .and_then(|a| existing_arn(a, kind, name))
        .map_or_else(|| call.arn(kind.resource_type(), "/", name), str::to_string)
}

/// The user a call on "the named user or the caller" is about: `UserName`,
/// else the calling user; `None` for the account's root, which acts on
/// itself. Other callers must name a user.
pub fn target_user(call: &Call) -> AwsResult<Option<String>> {
    if let Some(name) = call.params.get("UserName") {
        return Ok(Some(name.to_string()));
    }
    match call.caller.principal.kind {
        PrincipalKind::User => Ok(call.caller.principal.user_name().map(str::to_string)),
        PrincipalKind::Root => Ok(None),
        _ => Err(AwsError::validation(
            "Must specify userName when calling with non-User credentials",
        )),
    }
}

/// The ARN a renaming call gives the entity (`NewUserName`, `NewGroupName`,
/// `NewPath`); `None` when the entity does not exist.
fn renamed_arn(state: &State, call: &Call, on: On) -> Option<String> {
    let On::Named(kind, member) = on else {
        return None;
    };
    let account = state.account(&call.account)?;
    let name = call.params.get(member)?;
    let (current_name, current_path) = match kind {
        Kind::User => account.users.get(&key(name)).map(|u| (&u.name, &u.path))?,
        Kind::Group => account.groups.get(&key(name)).map(|g| (&g.name, &g.path))?,
        Kind::ServerCertificate => account
            .credentials
            .server_certificates
            .get(&key(name))
            .map(|c| (&c.name, &c.path))?,
        _ => return None,
    };
    let new_name = match kind {
        Kind::User => call.params.get("NewUserName"),
        Kind::ServerCertificate => call.params.get("NewServerCertificateName"),
        _ => call.params.get("NewGroupName"),
    };
    let path = call.params.get("NewPath").unwrap_or(current_path);
    Some(call.arn(kind.resource_type(), path, new_name.unwrap_or(current_name)))
}

/// The condition keys a row (or a further question) says the request
/// carries, for the resource `on`.
fn keys_of(state: &State, call: &Call, keys: &[Key], on: On) -> RequestContext {
    let mut context = if keys.contains(&Key::RequestTags) {
        tag_context(&call.params.pairs("Tags", "Key", "Value"))
    } else {
        RequestContext::new()
    };
    for k in keys {
        match k {
            Key::RequestTags => {}
            Key::TagKeys => {
                let keys = call.params.list("TagKeys");
                if !keys.is_empty() {
                    context.set_multi("aws:TagKeys", keys);
                }
            }
            Key::Boundary => {
                let boundary = call
                    .params
                    .get("PermissionsBoundary")
                    .map(str::to_string)
                    .or_else(|| current_boundary(state, call, on));
                if let Some(arn) = boundary {
                    context.set("iam:PermissionsBoundary", arn);
                }
            }
            Key::PolicyArn => {
                if let Some(arn) = call.params.get("PolicyArn") {
                    context.set("iam:PolicyARN", arn);
                }
            }
            Key::AwsServiceName => {
                if let Some(name) = call.params.get("AWSServiceName") {
                    context.set("iam:AWSServiceName", name);
                }
            }
            Key::PassedToEc2Instances => {
                context.set("iam:PassedToService", "ec2.amazonaws.com");
                context.set(
                    "iam:AssociatedResourceArn",
                    format!("arn:aws:ec2:*:{}:instance/*", call.account),
                );
            }
            Key::CredentialService => {
                let service = call
                    .params
                    .get("ServiceName")
                    .map(str::to_string)
                    .or_else(|| super::service_credentials::service_of(state, call));
                if let Some(service) = service {
                    context.set("iam:ServiceSpecificCredentialServiceName", service);
                }
            }
            Key::CredentialAgeDays => {
                if let Some(days) = call.params.get("CredentialAgeDays") {
                    context.set("iam:ServiceSpecificCredentialAgeDays", days);
                }
            }
            Key::DelegationRequestOwner => {
                let owner = match on {
                    On::DelegationRequest(_) | On::DelegationRequestArn(_) => {
                        super::delegation::target(state, call, on).and_then(|(r, _)| r.owner_id.clone())
                    }
                    _ => call.params.get("OwnerId").map(str::to_string),
                };
                if let Some(owner) = owner {
                    context.set("iam:DelegationRequestOwner", owner);
                }
            }
            Key::DelegationDuration => {
                if let Some(seconds) = call.params.get("SessionDuration") {
                    context.set("iam:DelegationDuration", seconds);
                }
            }
            Key::NotificationChannel => {
                if let Some(channel) = call.params.get("NotificationChannel") {
                    context.set("iam:NotificationChannel", channel);
                }
            }
            Key::TemplateArn => {
                if let Some(arn) = call.params.get("Permissions.PolicyTemplateArn") {
                    context.set("iam:TemplateArn", arn);
                }
            }
            Key::OrganizationsPolicyId => {
                if let Some(id) = call.params.get("OrganizationsPolicyId") {
                    context.set("iam:OrganizationsPolicyId", id);
                }
            }
        }
    }
    context
}

/// The permissions boundary the user or role the call acts on has now.
fn current_boundary(state: &State, call: &Call, on: On) -> Option<String> {
    let On::Named(kind, member) = on else {
        return None;
    };
    let account = state.account(&call.account)?;
    let name = key(call.params.get(member)?);
    match kind {
        Kind::User => account.users.get(&name)?.boundary.clone(),
        Kind::Role => account.roles.get(&name)?.boundary.clone(),
        _ => None,
    }
}
