//! Who the caller is: GetCallerIdentity, and GetAccessKeyInfo (which
//! account an access key belongs to).

use super::Call;
use crate::error::AwsResult;
use crate::protocol::xml::Xml;
use crate::state::{iam::key, State};
use iam_evaluator::PrincipalKind;

/// The caller's `UserId`: the user's id, `ROLEID:SESSION`,
/// `ACCOUNT:NAME` for a federated user, or the account id for root.
pub fn user_id(state: &State, call: &Call) -> String {
    let caller = &call.caller;
    let account = caller.account.as_deref().unwrap_or_default();
    let iam = state.account(account);
    match &caller.principal.kind {
        PrincipalKind::User => caller
            .principal
            .user_name()
            .and_then(|n| iam?.users.get(&key(n)))
            .map_or_else(|| account.to_string(), |u| u.id.clone()),
        PrincipalKind::AssumedRole {
            role_name,
            session_name,
        } => iam
            .and_then(|a| a.roles.get(&key(role_name)))
            .map_or_else(|| session_name.clone(), |r| format!("{}:{session_name}", r.id)),
        PrincipalKind::FederatedUser => {
            let name = caller.principal.arn.rsplit('/').next().unwrap_or_default();
            format!("{account}:{name}")
        }
        _ => account.to_string(),
    }
}

/// GetCallerIdentity (the evaluator allows it whatever the policies say).
pub fn get_caller_identity(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let mut x = Xml::default();
    x.elem("UserId", &user_id(state, call));
    x.elem("Account", call.caller.account.as_deref().unwrap_or_default());
    x.elem("Arn", &call.caller.principal.arn);
    Ok(x)
}

/// GetAccessKeyInfo: the account of a root, user or session key.
pub fn get_access_key_info(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let key_id = call.params.required("AccessKeyId")?;
    let account = state
        .root_keys
        .iter()
        .find(|k| k.access_key == key_id)
        .map(|k| k.account.clone())
        .or_else(|| state.find_user_key(key_id).map(|(a, _, _)| a.id.clone()))
        .or_else(|| state.sessions.get(key_id).map(|s| s.account.clone()))
        .or_else(|| call.caller.account.clone())
        .unwrap_or_default();
    let mut x = Xml::default();
    x.elem("Account", &account);
    Ok(x)
}
