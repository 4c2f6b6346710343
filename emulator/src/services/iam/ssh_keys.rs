//! SSH public keys of users, for CodeCommit: UploadSSHPublicKey (parsed:
//! `InvalidPublicKey`, `UnrecognizedPublicKeyEncoding`,
//! `DuplicateSSHPublicKey`), GetSSHPublicKey (in the `Encoding` asked,
//! SSH or PEM), ListSSHPublicKeys, UpdateSSHPublicKey, DeleteSSHPublicKey.

use super::certificates::{read_status, status_text, user_or_caller};
use super::users::{find, find_mut};
use super::{page_tail, paginate, Call};
use crate::credentials::ssh_key::{self, Problem};
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::credentials::SshPublicKey;
use crate::state::State;

/// AWS's quota: "SSH public keys assigned to an IAM user: 5".
pub const MAX_KEYS_PER_USER: usize = 5;

fn no_such_key(id: &str) -> AwsError {
    AwsError::no_such_entity(format!("The Public Key with id {id} cannot be found."))
}

fn key_xml(x: &mut Xml, user: &str, key: &SshPublicKey, body: Option<&str>) {
    x.elem("UserName", user);
    x.elem("SSHPublicKeyId", &key.id);
    if let Some(body) = body {
        x.elem("Fingerprint", &key.fingerprint);
        x.elem("SSHPublicKeyBody", body);
    }
    x.elem("Status", status_text(key.active));
    x.elem("UploadDate", &ids::iso8601(key.uploaded));
}

pub fn upload_ssh_public_key(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let body = call.params.required("SSHPublicKeyBody")?;
    if body.chars().count() > 16_384 {
        return Err(AwsError::validation(
            "1 validation error detected: Value at 'sSHPublicKeyBody' failed to satisfy constraint: Member must have length less than or equal to 16384",
        ));
    }
    let parsed = ssh_key::parse(body).map_err(|p| match p {
        Problem::Unrecognized => AwsError::new(
            Query::UnrecognizedPublicKeyEncoding,
            "The public key encoding format is unsupported or unrecognized.",
        ),
        Problem::Invalid(why) => AwsError::new(
            Query::InvalidPublicKey,
            format!("The public key is invalid: {why}."),
        ),
    })?;
    let now = call.ctx.shared.now();
    let user = find_mut(state, call, &name)?;
    let keys = &mut user.credentials.ssh_keys;
    if keys.iter().any(|k| k.fingerprint == parsed.fingerprint) {
        return Err(AwsError::new(
            Query::DuplicateSSHPublicKey,
            "The public key is already associated with this user.",
        ));
    }
    if keys.len() >= MAX_KEYS_PER_USER {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for SSHPublicKeysPerUser: {MAX_KEYS_PER_USER}"
        )));
    }
    let key = SshPublicKey {
        id: ids::access_key_id("APKA"),
        body: body.trim().to_string(),
        openssh: parsed.openssh,
        pem: parsed.pem,
        fingerprint: parsed.fingerprint,
        active: true,
        uploaded: now,
    };
    let mut x = Xml::default();
    x.with("SSHPublicKey", |x| key_xml(x, &user.name, &key, Some(&key.body)));
    keys.push(key);
    Ok(x)
}

pub fn get_ssh_public_key(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?;
    let id = call.params.required("SSHPublicKeyId")?;
    let encoding = call.params.required("Encoding")?;
    if encoding != "SSH" && encoding != "PEM" {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value '{encoding}' at 'encoding' failed to satisfy constraint: Member must satisfy enum value set: [SSH, PEM]"
        )));
    }
    let user = find(state, call, name)?;
    let key = user
        .credentials
        .ssh_keys
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(|| no_such_key(id))?;
    let body = if encoding == "PEM" { &key.pem } else { &key.openssh };
    let mut x = Xml::default();
    x.with("SSHPublicKey", |x| key_xml(x, &user.name, key, Some(body)));
    Ok(x)
}

pub fn list_ssh_public_keys(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let user = find(state, call, &name)?;
    let page = paginate(call.params, user.credentials.ssh_keys.iter().collect())?;
    let mut x = Xml::default();
    x.with("SSHPublicKeys", |x| {
        for key in &page.items {
            x.with("member", |x| key_xml(x, &user.name, key, None));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn update_ssh_public_key(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let id = call.params.required("SSHPublicKeyId")?.to_string();
    let active = read_status(call)?;
    let user = find_mut(state, call, &name)?;
    let key = user
        .credentials
        .ssh_keys
        .iter_mut()
        .find(|k| k.id == id)
        .ok_or_else(|| no_such_key(&id))?;
    key.active = active;
    Ok(Xml::default())
}

pub fn delete_ssh_public_key(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let id = call.params.required("SSHPublicKeyId")?.to_string();
    let user = find_mut(state, call, &name)?;
    let keys = &mut user.credentials.ssh_keys;
    let before = keys.len();
    keys.retain(|k| k.id != id);
    if keys.len() == before {
        return Err(no_such_key(&id));
    }
    Ok(Xml::default())
}
