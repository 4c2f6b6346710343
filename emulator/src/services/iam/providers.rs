//! Identity providers: OpenID Connect (Create/Get/Delete/List,
//! UpdateOpenIDConnectProviderThumbprint, Add/RemoveClientIDToOpenIDConnectProvider)
//! and SAML (Create/Get/Update/Delete/List). Their ARNs are the `Federated`
//! principals of trust policies; STS reads them through
//! [`crate::state::providers`].

use super::{read_tags, tags_xml, Call};
use crate::credentials::saml_metadata;
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::providers::{oidc_arn, saml_arn, OidcProvider, SamlPrivateKey, SamlProvider};
use crate::state::State;

/// IAM's quotas: providers of each kind per account, client ids and
/// thumbprints per OIDC provider, private keys per SAML provider.
const MAX_OIDC_PROVIDERS: usize = 100;
const MAX_SAML_PROVIDERS: usize = 100;
const MAX_CLIENT_IDS: usize = 100;
const MAX_THUMBPRINTS: usize = 5;
const MAX_PRIVATE_KEYS: usize = 2;

// ---- OpenID Connect ----

fn no_such_oidc(arn: &str) -> AwsError {
    AwsError::no_such_entity(format!("OpenIDConnect Provider not found for arn {arn}"))
}

/// The caller's OIDC provider with this ARN.
pub fn oidc_mut<'s>(state: &'s mut State, call: &Call, arn: &str) -> AwsResult<&'s mut OidcProvider> {
    state
        .account_mut(&call.account)
        .providers
        .oidc
        .get_mut(arn)
        .ok_or_else(|| no_such_oidc(arn))
}

fn oidc<'s>(state: &'s State, call: &Call, arn: &str) -> AwsResult<&'s OidcProvider> {
    state
        .account(&call.account)
        .and_then(|a| a.oidc_provider(arn))
        .ok_or_else(|| no_such_oidc(arn))
}

/// The provider URL as IAM keeps it (without `https://`), or IAM's refusal:
/// "The URL must begin with https:// … path components are allowed but
/// query parameters are not … The URL should not contain a port number."
/// A trailing `/` is part of the URL (`https://host` and `https://host/`
/// are two providers).
pub fn oidc_url(raw: &str) -> AwsResult<String> {
    let invalid = || AwsError::invalid_input("Invalid Open ID Connect Provider URL.");
    let Some((scheme, rest)) = raw.split_once("://") else {
        return Err(AwsError::validation("Invalid Open ID Connect Provider URL"));
    };
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(AwsError::invalid_input(
            "Invalid Open ID Connect Provider URL. The URL must begin with https://.",
        ));
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(AwsError::validation("Invalid Open ID Connect Provider URL"));
    }
    let host_ok = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !host_ok || rest.contains(['?', '#']) {
        return Err(invalid());
    }
    Ok(rest.to_string())
}

/// Thumbprints as IAM keeps them: lower-case, 40 characters, at most five.
fn thumbprints(list: Vec<String>) -> AwsResult<Vec<String>> {
    if list.len() > MAX_THUMBPRINTS {
        return Err(AwsError::invalid_input(
            "Thumbprint list must contain fewer than 5 entries.",
        ));
    }
    list.into_iter()
        .map(|t| {
            if t.chars().count() == 40 {
                Ok(t.to_ascii_lowercase())
            } else {
                Err(AwsError::invalid_input(
                    "Thumbprint must be exactly 40 characters.",
                ))
            }
        })
        .collect()
}

fn client_ids_quota(count: usize) -> AwsResult<()> {
    if count > MAX_CLIENT_IDS {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}"
        )));
    }
    Ok(())
}

pub fn create_oidc_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let raw = call.params.required("Url")?;
    let url = oidc_url(raw)?;
    let mut client_ids: Vec<String> = Vec::new();
    for id in call.params.list("ClientIDList") {
        if !client_ids.contains(&id) {
            client_ids.push(id);
        }
    }
    client_ids_quota(client_ids.len())?;
    let thumbprints = thumbprints(call.params.list("ThumbprintList"))?;
    let tags = read_tags(call.params)?;
    let arn = oidc_arn(&call.account, &url);
    let account = state.account_mut(&call.account);
    if account.providers.oidc.contains_key(&arn) {
        return Err(AwsError::already_exists(format!(
            "Provider with url {raw} already exists."
        )));
    }
    if account.providers.oidc.len() >= MAX_OIDC_PROVIDERS {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_OIDC_PROVIDERS}"
        )));
    }
    let mut x = Xml::default();
    x.elem("OpenIDConnectProviderArn", &arn);
    tags_xml(&mut x, &tags);
    let provider = OidcProvider {
        arn: arn.clone(),
        url,
        client_ids,
        thumbprints,
        created: call.ctx.shared.now(),
        tags,
    };
    account.providers.oidc.insert(arn, provider);
    Ok(x)
}

fn members_xml(x: &mut Xml, name: &str, items: &[String]) {
    x.with(name, |x| {
        for item in items {
            x.elem("member", item);
        }
    });
}

pub fn get_oidc_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("OpenIDConnectProviderArn")?;
    let provider = oidc(state, call, arn)?;
    let mut x = Xml::default();
    x.elem("Url", &provider.url);
    members_xml(&mut x, "ClientIDList", &provider.client_ids);
    members_xml(&mut x, "ThumbprintList", &provider.thumbprints);
    x.elem("CreateDate", &ids::iso8601(provider.created));
    tags_xml(&mut x, &provider.tags);
    Ok(x)
}

/// "This operation is idempotent; it does not fail or return an error if
/// you call the operation for a provider that does not exist."
pub fn delete_oidc_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("OpenIDConnectProviderArn")?;
    state.account_mut(&call.account).providers.oidc.remove(arn);
    Ok(Xml::default())
}

pub fn list_oidc_providers(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let mut x = Xml::default();
    x.with("OpenIDConnectProviderList", |x| {
        for arn in state
            .account(&call.account)
            .into_iter()
            .flat_map(|a| a.providers.oidc.keys())
        {
            x.with("member", |x| {
                x.elem("Arn", arn);
            });
        }
    });
    Ok(x)
}

pub fn update_oidc_thumbprint(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("OpenIDConnectProviderArn")?.to_string();
    let list = thumbprints(call.params.list("ThumbprintList"))?;
    oidc_mut(state, call, &arn)?.thumbprints = list;
    Ok(Xml::default())
}

/// Idempotent: adding a client id the provider has changes nothing.
pub fn add_client_id(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("OpenIDConnectProviderArn")?.to_string();
    let id = call.params.required("ClientID")?.to_string();
    let provider = oidc_mut(state, call, &arn)?;
    if !provider.client_ids.contains(&id) {
        client_ids_quota(provider.client_ids.len() + 1)?;
        provider.client_ids.push(id);
    }
    Ok(Xml::default())
}

/// Idempotent: removing a client id the provider lacks changes nothing.
pub fn remove_client_id(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("OpenIDConnectProviderArn")?.to_string();
    let id = call.params.required("ClientID")?;
    oidc_mut(state, call, &arn)?.client_ids.retain(|c| c != id);
    Ok(Xml::default())
}

// ---- SAML ----

fn no_such_saml(arn: &str) -> AwsError {
    AwsError::no_such_entity(format!("Manifest not found for arn {arn}"))
}

/// The caller's SAML provider with this ARN.
pub fn saml_mut<'s>(state: &'s mut State, call: &Call, arn: &str) -> AwsResult<&'s mut SamlProvider> {
    state
        .account_mut(&call.account)
        .providers
        .saml
        .get_mut(arn)
        .ok_or_else(|| no_such_saml(arn))
}

fn read_metadata(document: &str) -> AwsResult<saml_metadata::Metadata> {
    saml_metadata::parse(document).map_err(AwsError::invalid_input)
}

/// A private key for assertion decryption: a PEM private key.
fn private_key(call: &Call) -> AwsResult<Option<SamlPrivateKey>> {
    let Some(pem) = call.params.get("AddPrivateKey") else {
        return Ok(None);
    };
    let is_key = x509_parser::pem::Pem::iter_from_buffer(pem.trim().as_bytes())
        .next()
        .and_then(Result::ok)
        .is_some_and(|block| block.label.ends_with("PRIVATE KEY"));
    if !is_key {
        return Err(AwsError::invalid_input(
            "The private key is not a valid PEM encoded private key.",
        ));
    }
    Ok(Some(SamlPrivateKey {
        key_id: format!("{}{}", ids::unique_id(""), ids::unique_id("")),
        added: call.ctx.shared.now(),
        pem: pem.to_string(),
    }))
}

pub fn create_saml_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("Name")?.to_string();
    let document = call.params.required("SAMLMetadataDocument")?.to_string();
    let metadata = read_metadata(&document)?;
    let tags = read_tags(call.params)?;
    let key = private_key(call)?;
    let arn = saml_arn(&call.account, &name);
    let now = call.ctx.shared.now();
    let account = state.account_mut(&call.account);
    if account.providers.saml.contains_key(&arn) {
        return Err(AwsError::already_exists(format!(
            "SAMLProvider {name} already exists."
        )));
    }
    if account.providers.saml.len() >= MAX_SAML_PROVIDERS {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for SamlProvidersPerAccount: {MAX_SAML_PROVIDERS}"
        )));
    }
    let mut x = Xml::default();
    x.elem("SAMLProviderArn", &arn);
    tags_xml(&mut x, &tags);
    let provider = SamlProvider {
        arn: arn.clone(),
        name,
        uuid: format!("{}{}", ids::unique_id(""), ids::unique_id("")),
        metadata: document,
        entity_id: metadata.entity_id,
        signing_certificates: metadata.signing_certificates,
        created: now,
        valid_until: metadata.valid_until,
        assertion_encryption_mode: call.params.get("AssertionEncryptionMode").map(str::to_string),
        private_keys: key.into_iter().collect(),
        tags,
    };
    account.providers.saml.insert(arn, provider);
    Ok(x)
}

pub fn get_saml_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("SAMLProviderArn")?;
    let provider = state
        .account(&call.account)
        .and_then(|a| a.saml_provider(arn))
        .ok_or_else(|| no_such_saml(arn))?;
    let mut x = Xml::default();
    x.elem("SAMLProviderUUID", &provider.uuid);
    x.elem("SAMLMetadataDocument", &provider.metadata);
    x.elem("CreateDate", &ids::iso8601(provider.created));
    if let Some(until) = provider.valid_until {
        x.elem("ValidUntil", &ids::iso8601(until));
    }
    tags_xml(&mut x, &provider.tags);
    x.opt(
        "AssertionEncryptionMode",
        provider.assertion_encryption_mode.as_deref(),
    );
    if !provider.private_keys.is_empty() {
        x.with("PrivateKeyList", |x| {
            for key in &provider.private_keys {
                x.with("member", |x| {
                    x.elem("KeyId", &key.key_id);
                    x.elem("Timestamp", &ids::iso8601(key.added));
                });
            }
        });
    }
    Ok(x)
}

pub fn update_saml_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("SAMLProviderArn")?.to_string();
    let document = call.params.get("SAMLMetadataDocument").map(str::to_string);
    let metadata = document.as_deref().map(read_metadata).transpose()?;
    let key = private_key(call)?;
    let remove = call.params.get("RemovePrivateKey").map(str::to_string);
    let mode = call.params.get("AssertionEncryptionMode").map(str::to_string);
    let provider = saml_mut(state, call, &arn)?;
    if let Some(id) = &remove {
        if !provider.private_keys.iter().any(|k| &k.key_id == id) {
            return Err(AwsError::invalid_input(format!(
                "The private key {id} is not associated with the SAML provider."
            )));
        }
    }
    let kept = provider.private_keys.len() - usize::from(remove.is_some());
    if key.is_some() && kept >= MAX_PRIVATE_KEYS {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for PrivateKeysPerSamlProvider: {MAX_PRIVATE_KEYS}"
        )));
    }
    if let (Some(document), Some(metadata)) = (document, metadata) {
        provider.metadata = document;
        provider.entity_id = metadata.entity_id;
        provider.signing_certificates = metadata.signing_certificates;
        provider.valid_until = metadata.valid_until;
    }
    if let Some(id) = remove {
        provider.private_keys.retain(|k| k.key_id != id);
    }
    provider.private_keys.extend(key);
    if mode.is_some() {
        provider.assertion_encryption_mode = mode;
    }
    let mut x = Xml::default();
    x.elem("SAMLProviderArn", &arn);
    Ok(x)
}

pub fn delete_saml_provider(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("SAMLProviderArn")?;
    state
        .account_mut(&call.account)
        .providers
        .saml
        .remove(arn)
        .ok_or_else(|| no_such_saml(arn))?;
    Ok(Xml::default())
}

pub fn list_saml_providers(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let mut x = Xml::default();
    x.with("SAMLProviderList", |x| {
        for provider in state
            .account(&call.account)
            .into_iter()
            .flat_map(|a| a.providers.saml.values())
        {
            x.with("member", |x| {
                x.elem("Arn", &provider.arn);
                if let Some(until) = provider.valid_until {
                    x.elem("ValidUntil", &ids::iso8601(until));
                }
                x.elem("CreateDate", &ids::iso8601(provider.created));
            });
        }
    });
    Ok(x)
}
