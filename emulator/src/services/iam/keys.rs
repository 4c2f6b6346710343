//! Access keys: CreateAccessKey (at most two per user), ListAccessKeys,
//! UpdateAccessKey (Active/Inactive), DeleteAccessKey, GetAccessKeyLastUsed.
//! Without `UserName` these act on the calling user.

use super::users::{find, find_mut};
use super::{page_tail, paginate, Call};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::iam::AccessKey;
use crate::state::State;

/// AWS's quota of access keys per user.
const MAX_KEYS_PER_USER: usize = 2;

/// The user a key call is about: `UserName`, else the calling user (the
/// emulator keeps no access keys for an account's root).
fn target_user(call: &Call) -> AwsResult<String> {
    super::door::target_user(call)?
        .ok_or_else(|| AwsError::validation("Must specify userName when calling with non-User credentials"))
}

pub fn create_access_key(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = target_user(call)?;
    let user = find_mut(state, call, &name)?;
    if user.access_keys.len() >= MAX_KEYS_PER_USER {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}"
        )));
    }
    let key = AccessKey {
        id: ids::access_key_id("AKIA"),
        secret: ids::secret_access_key(),
        active: true,
        created: call.ctx.shared.now(),
        last_used: None,
    };
    let mut x = Xml::default();
    x.with("AccessKey", |x| {
        x.elem("UserName", &user.name);
        x.elem("AccessKeyId", &key.id);
        x.elem("Status", "Active");
        x.elem("SecretAccessKey", &key.secret);
        x.elem("CreateDate", &ids::iso8601(key.created));
    });
    user.access_keys.push(key);
    Ok(x)
}

pub fn list_access_keys(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = target_user(call)?;
    let user = find(state, call, &name)?;
    let page = paginate(call.params, user.access_keys.clone())?;
    let mut x = Xml::default();
    x.with("AccessKeyMetadata", |x| {
        for key in &page.items {
            x.with("member", |x| {
                x.elem("UserName", &user.name);
                x.elem("AccessKeyId", &key.id);
                x.elem("Status", if key.active { "Active" } else { "Inactive" });
                x.elem("CreateDate", &ids::iso8601(key.created));
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    x.elem("UserName", &user.name);
    Ok(x)
}

fn no_such_key(id: &str) -> AwsError {
    AwsError::no_such_entity(format!("The Access Key with id {id} cannot be found."))
}

pub fn update_access_key(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = target_user(call)?;
    let id = call.params.required("AccessKeyId")?.to_string();
    let active = match call.params.required("Status")? {
        "Active" => true,
        "Inactive" => false,
        other => {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
            )))
        }
    };
    let user = find_mut(state, call, &name)?;
    let key = user
        .access_keys
        .iter_mut()
        .find(|k| k.id == id)
        .ok_or_else(|| no_such_key(&id))?;
    key.active = active;
    Ok(Xml::default())
}

pub fn delete_access_key(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = target_user(call)?;
    let id = call.params.required("AccessKeyId")?.to_string();
    let user = find_mut(state, call, &name)?;
    let before = user.access_keys.len();
    user.access_keys.retain(|k| k.id != id);
    if user.access_keys.len() == before {
        return Err(no_such_key(&id));
    }
    Ok(Xml::default())
}

pub fn get_access_key_last_used(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let id = call.params.required("AccessKeyId")?.to_string();
    let (user_name, last_used) = state
        .find_user_key(&id)
        .filter(|(account, _, _)| account.id == call.account)
        .map(|(_, user, key)| (user.name.clone(), key.last_used.clone()))
        .ok_or_else(|| AwsError::access_denied(format!("The Access Key with id {id} cannot be found.")))?;
    let mut x = Xml::default();
    x.elem("UserName", &user_name);
    x.with("AccessKeyLastUsed", |x| {
        if let Some((at, service, region)) = &last_used {
            x.elem("LastUsedDate", &ids::iso8601(*at));
            x.elem("ServiceName", service);
            x.elem("Region", region);
        } else {
            x.elem("ServiceName", "N/A");
            x.elem("Region", "N/A");
        }
    });
    Ok(x)
}
