//! Tags of users, roles, customer-managed policies, identity providers,
//! instance profiles, virtual MFA devices and server certificates: Tag*,
//! Untag*, List*Tags. One implementation serves them all; the request's
//! tags are the `aws:RequestTag/*` and `aws:TagKeys` condition keys of the
//! call (the door sets them from the operation's row).

use super::{page_tail, paginate, read_tags, Call};
use crate::error::{AwsError, AwsResult};
use crate::protocol::xml::Xml;
use crate::state::iam::{key, Tags};
use crate::state::State;

/// AWS's quota of tags on one IAM resource.
const MAX_TAGS: usize = 50;

/// The taggable IAM resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    User,
    Role,
    Policy,
    OidcProvider,
    SamlProvider,
    InstanceProfile,
    Mfa,
    ServerCertificate,
}

impl Target {
    fn param(self) -> &'static str {
        match self {
            Target::User => "UserName",
            Target::Role => "RoleName",
            Target::Policy => "PolicyArn",
            Target::OidcProvider => "OpenIDConnectProviderArn",
            Target::SamlProvider => "SAMLProviderArn",
            Target::InstanceProfile => "InstanceProfileName",
            Target::Mfa => "SerialNumber",
            Target::ServerCertificate => "ServerCertificateName",
        }
    }

    fn tags_mut<'s>(self, state: &'s mut State, call: &Call, id: &str) -> AwsResult<&'s mut Tags> {
        match self {
            Target::User => Ok(&mut super::users::find_mut(state, call, id)?.tags),
            Target::Role => Ok(&mut super::roles::find_mut(state, call, id)?.tags),
            Target::Policy => state
                .account_mut(&call.account)
                .policies
                .get_mut(id)
                .map(|p| &mut p.tags)
                .ok_or_else(|| AwsError::no_such_entity(format!("Policy {id} was not found."))),
            Target::OidcProvider => Ok(&mut super::providers::oidc_mut(state, call, id)?.tags),
            Target::SamlProvider => Ok(&mut super::providers::saml_mut(state, call, id)?.tags),
            Target::InstanceProfile => Ok(&mut super::instance_profiles::find_mut(state, call, id)?.tags),
            Target::Mfa => state
                .account_mut(&call.account)
                .credentials
                .mfa_devices
                .get_mut(id)
                .map(|d| &mut d.tags)
                .ok_or_else(|| {
                    AwsError::no_such_entity(format!("MFA device with serial number {id} cannot be found."))
                }),
            Target::ServerCertificate => state
                .account_mut(&call.account)
                .credentials
                .server_certificates
                .get_mut(&key(id))
                .map(|c| &mut c.tags)
                .ok_or_else(|| {
                    AwsError::no_such_entity(format!(
                        "The Server Certificate with name {id} cannot be found."
                    ))
                }),
        }
    }
}

pub fn tag(target: Target, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let id = call.params.required(target.param())?.to_string();
    let tags = read_tags(call.params)?;
    if tags.is_empty() {
        return Err(AwsError::missing_parameter("Tags"));
    }
    let existing = target.tags_mut(state, call, &id)?;
    let mut merged = existing.clone();
    for (k, v) in tags {
        match merged.iter_mut().find(|(old, _)| key(old) == key(&k)) {
            Some(slot) => *slot = (k, v),
            None => merged.push((k, v)),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(AwsError::limit_exceeded(
            "The number of tags has reached the maximum limit.",
        ));
    }
    *existing = merged;
    Ok(Xml::default())
}

pub fn untag(target: Target, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let id = call.params.required(target.param())?.to_string();
    let keys = call.params.list("TagKeys");
    if keys.is_empty() {
        return Err(AwsError::missing_parameter("TagKeys"));
    }
    let existing = target.tags_mut(state, call, &id)?;
    existing.retain(|(k, _)| !keys.iter().any(|gone| key(gone) == key(k)));
    Ok(Xml::default())
}

pub fn list(target: Target, state: &mut State, call: &Call) -> AwsResult<Xml> {
    let id = call.params.required(target.param())?.to_string();
    let tags = match target {
        Target::Policy if crate::managed::find(&id).is_some() => Vec::new(),
        _ => target.tags_mut(state, call, &id)?.clone(),
    };
    let page = paginate(call.params, tags)?;
    let mut x = Xml::default();
    x.with("Tags", |x| {
        for (k, v) in &page.items {
            x.with("member", |x| {
                x.elem("Key", k);
                x.elem("Value", v);
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn tag_user(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::User, state, call)
}
pub fn untag_user(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::User, state, call)
}
pub fn list_user_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::User, state, call)
}
pub fn tag_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::Role, state, call)
}
pub fn untag_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::Role, state, call)
}
pub fn list_role_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::Role, state, call)
}
pub fn tag_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::Policy, state, call)
}
pub fn untag_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::Policy, state, call)
}
pub fn list_policy_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::Policy, state, call)
}
pub fn tag_oidc_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::OidcProvider, state, call)
}
pub fn untag_oidc_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::OidcProvider, state, call)
}
pub fn list_oidc_provider_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::OidcProvider, state, call)
}
pub fn tag_saml_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::SamlProvider, state, call)
}
pub fn untag_saml_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::SamlProvider, state, call)
}
pub fn list_saml_provider_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::SamlProvider, state, call)
}
pub fn tag_instance_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::InstanceProfile, state, call)
}
pub fn untag_instance_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::InstanceProfile, state, call)
}
pub fn list_instance_profile_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::InstanceProfile, state, call)
}
pub fn tag_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::Mfa, state, call)
}
pub fn untag_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::Mfa, state, call)
}
pub fn list_mfa_device_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::Mfa, state, call)
}
pub fn tag_server_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    tag(Target::ServerCertificate, state, call)
}
pub fn untag_server_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    untag(Target::ServerCertificate, state, call)
}
pub fn list_server_certificate_tags(state: &mut State, call: &Call) -> AwsResult<Xml> {
    list(Target::ServerCertificate, state, call)
}
