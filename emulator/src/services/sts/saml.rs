//! AssumeRoleWithSAML's assertion: a base64 SAML response from the SAML
//! provider `PrincipalArn` (an IAM SAML provider of the role's account),
//! signed by a key of its metadata's certificates or by the emulator's
//! key (the emulator issues responses for tests,
//! `POST /_emulator/saml/assertion`), not expired, addressed to AWS
//! sign-in, and naming the role and provider pair in its
//! `https://aws.amazon.com/SAML/Attributes/Role` attribute. The trust
//! policy sees the `saml:*` keys AWS documents.

use super::federation::Federated;
use crate::error::{AwsError, AwsResult, Query};
use crate::federation::keys::RsaPublic;
use crate::federation::saml::{self as formats, Assertion, ResponseError};
use crate::protocol::query::Params;
use crate::shared::Ctx;
use crate::state::providers::SamlProvider;
use crate::state::State;
use base64::Engine as _;
use iam_evaluator::RequestContext;
use sha1::Digest as _;

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::new(Query::InvalidIdentityToken, message)
}

/// Audiences AWS sign-in answers to: its URL, and its entity id.
const AUDIENCES: &[&str] = &[formats::AWS_SIGNIN, "urn:amazon:webservices"];

/// Verifies `SAMLAssertion` for `RoleArn` and `PrincipalArn`.
pub fn verify(ctx: &Ctx, state: &State, params: &Params) -> AwsResult<Federated> {
    let role_arn = params.required("RoleArn")?;
    super::door::role_account(role_arn)?;
    let provider_arn = params.required("PrincipalArn")?;
    let provider = provider_of(state, provider_arn)?;
    let text = params.required("SAMLAssertion")?;
    let compact: String = text.split_whitespace().collect();
    let xml = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            invalid("Invalid SAML response: the SAMLAssertion is not base64 of an XML document")
        })?;
    let assertion = formats::read_response(&xml, &trusted_keys(state, &provider)).map_err(|e| match e {
        ResponseError::Malformed(why) => invalid(format!("Invalid SAML response: {why}")),
        ResponseError::Unsigned | ResponseError::Signature(_) => invalid("Response signature invalid"),
    })?;
    check(ctx, &provider, &assertion, role_arn, provider_arn)?;
    federated(&provider, provider_arn, &assertion)
}

fn provider_of(state: &State, arn: &str) -> AwsResult<SamlProvider> {
    let account = iam_evaluator::arn::Arn::parse(arn)
        .filter(|a| a.service == "iam" && a.resource.starts_with("saml-provider/"))
        .map(|a| a.account.to_string())
        .ok_or_else(|| AwsError::validation(format!("{arn} is invalid")))?;
    state
        .account(&account)
        .and_then(|a| a.saml_provider(arn))
        .cloned()
        .ok_or_else(|| invalid(format!("Specified provider doesn't exist ({arn})")))
}

/// The keys of the provider's signing certificates, and the emulator's.
fn trusted_keys(state: &State, provider: &SamlProvider) -> Vec<RsaPublic> {
    let mut keys: Vec<RsaPublic> = provider
        .signing_certificates
        .iter()
        .filter_map(|der| {
            let pem = format!("-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----\n");
            match crate::credentials::certificate::parse_certificate(&pem)
                .ok()?
                .public_key
            {
                crate::credentials::certificate::KeyMaterial::Rsa { modulus, exponent } => {
                    Some(RsaPublic { modulus, exponent })
                }
                _ => None,
            }
        })
        .collect();
    if let Some(key) = state.federation.signing_key() {
        keys.push(key.public());
    }
    keys
}

/// Issuer, times, recipient and audience, and the role and provider pair.
fn check(
    ctx: &Ctx,
    provider: &SamlProvider,
    assertion: &Assertion,
    role_arn: &str,
    provider_arn: &str,
) -> AwsResult<()> {
    if let Some(entity) = &provider.entity_id {
        if &assertion.issuer != entity {
            return Err(invalid(format!(
                "Issuer {} does not match the provider's entity id {entity}",
                assertion.issuer
            )));
        }
    }
    let now = ctx.shared.now();
    let expires = assertion
        .not_on_or_after
        .ok_or_else(|| invalid("Invalid SAML response: the assertion has no NotOnOrAfter"))?;
    if now >= expires {
        return Err(AwsError::new(
            Query::ExpiredTokenException,
            format!(
                "Token expired: current date/time {} must be before the expiration date/time {}",
                crate::ids::iso8601(now),
                crate::ids::iso8601(expires)
            ),
        ));
    }
    if assertion.not_before.is_some_and(|t| now < t) {
        return Err(invalid("The SAML assertion is not yet valid (NotBefore)"));
    }
    let to_signin = |url: &str| {
        url == formats::AWS_SIGNIN
            || url
                .strip_prefix("https://")
                .and_then(|r| r.strip_suffix(".signin.aws.amazon.com/saml"))
                .is_some_and(|region| !region.contains('/'))
    };
    if !assertion.recipients.iter().any(|r| to_signin(r)) {
        return Err(invalid(format!(
            "The SAML assertion's Recipient is not {}",
            formats::AWS_SIGNIN
        )));
    }
    if !assertion.audiences.is_empty()
        && !assertion
            .audiences
            .iter()
            .any(|a| AUDIENCES.contains(&a.as_str()) || to_signin(a))
    {
        return Err(invalid(format!(
            "The SAML assertion's audience is not {}",
            formats::AWS_SIGNIN
        )));
    }
    let pair_named = assertion.values(formats::ROLE_ATTRIBUTE).iter().any(|value| {
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        parts.len() == 2 && parts.contains(&role_arn) && parts.contains(&provider_arn)
    });
    if !pair_named {
        return Err(AwsError::new(
            Query::IDPRejectedClaim,
            format!(
                "The SAML assertion does not name the role {role_arn} with the provider {provider_arn} in its {} attribute",
                formats::ROLE_ATTRIBUTE
            ),
        ));
    }
    Ok(())
}

/// The SAML attributes AWS makes `saml:*` keys of: by OID or by name.
/// IAM User Guide, "Available keys for SAML-based AWS STS federation".
const ATTRIBUTE_KEYS: &[(&str, &str, &str)] = &[
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
        "eduPersonAffiliation",
        "saml:edupersonaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.11",
        "eduPersonAssurance",
        "saml:edupersonassurance",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
        "eduPersonEntitlement",
        "saml:edupersonentitlement",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.2",
        "eduPersonNickname",
        "saml:edupersonnickname",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.3",
        "eduPersonOrgDN",
        "saml:edupersonorgdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.4",
        "eduPersonOrgUnitDN",
        "saml:edupersonorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
        "eduPersonPrimaryAffiliation",
        "saml:edupersonprimaryaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
        "eduPersonPrimaryOrgUnitDN",
        "saml:edupersonprimaryorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
        "eduPersonPrincipalName",
        "saml:edupersonprincipalname",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "eduPersonScopedAffiliation",
        "saml:edupersonscopedaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.10",
        "eduPersonTargetedID",
        "saml:edupersontargetedid",
    ),
    ("urn:oid:2.5.4.3", "cn", "saml:cn"),
    ("urn:oid:2.5.4.42", "givenName", "saml:givenName"),
    ("urn:oid:2.5.4.4", "sn", "saml:surname"),
    ("urn:oid:0.9.2342.19200300.100.1.3", "mail", "saml:mail"),
    ("urn:oid:0.9.2342.19200300.100.1.1", "uid", "saml:uid"),
    (
        "urn:oid:2.16.840.1.113730.3.1.241",
        "displayName",
        "saml:displayName",
    ),
    ("urn:oid:2.5.4.10", "o", "saml:organization"),
    ("urn:oid:2.5.4.11", "ou", "saml:organizationalunit"),
];

/// The subject type as `saml:sub_type` gives it: `persistent`,
/// `transient`, or the whole `Format` URI.
fn subject_type(format: Option<&str>) -> String {
    match format {
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent") | None => "persistent".into(),
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:transient") => "transient".into(),
        Some(other) => other.to_string(),
    }
}

fn federated(provider: &SamlProvider, provider_arn: &str, assertion: &Assertion) -> AwsResult<Federated> {
    let session_name = assertion
        .values(formats::SESSION_NAME_ATTRIBUTE)
        .first()
        .cloned()
        .ok_or_else(|| {
            invalid(format!(
                "The SAML assertion has no {} attribute",
                formats::SESSION_NAME_ATTRIBUTE
            ))
        })?;
    let valid_name = (2..=64).contains(&session_name.len())
        && session_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if !valid_name {
        return Err(invalid(format!(
            "The SAML assertion's RoleSessionName {session_name:?} must be 2 to 64 characters of [\\w+=,.@-]"
        )));
    }
    let account = iam_evaluator::arn::Arn::parse(provider_arn)
        .map(|a| a.account.to_string())
        .unwrap_or_default();
    // "saml:doc … the account ID and friendly name of the SAML provider";
    // "saml:namequalifier … BASE64(SHA1(saml:iss + account ID + /friendly name))".
    let doc = format!("{account}/{}", provider.name);
    let qualifier = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(
        format!("{}{doc}", assertion.issuer).as_bytes(),
    ));
    let sub_type = subject_type(assertion.subject_format.as_deref());
    let audience = assertion
        .recipients
        .first()
        .cloned()
        .unwrap_or_else(|| formats::AWS_SIGNIN.to_string());
    let mut keys = RequestContext::new();
    keys.set("saml:aud", audience.clone());
    keys.set("saml:iss", assertion.issuer.clone());
    keys.set("saml:sub", assertion.subject.clone());
    keys.set("saml:sub_type", sub_type.clone());
    keys.set("saml:doc", doc);
    keys.set("saml:namequalifier", qualifier.clone());
    for (oid, name, key) in ATTRIBUTE_KEYS {
        let values: Vec<String> = assertion
            .attributes
            .iter()
            .filter(|(n, _)| n == oid || n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.iter().cloned())
            .collect();
        if !values.is_empty() {
            keys.set_multi(key, values);
        }
    }
    let tags = assertion
        .attributes
        .iter()
        .filter_map(|(name, values)| {
            let key = name.strip_prefix(formats::PRINCIPAL_TAG_PREFIX)?;
            Some((key.to_string(), values.first().cloned().unwrap_or_default()))
        })
        .collect();
    Ok(Federated {
        provider: provider_arn.to_string(),
        keys,
        issuer: assertion.issuer.clone(),
        subject: assertion.subject.clone(),
        audience,
        session_name: Some(session_name),
        session_ends: assertion.session_not_on_or_after,
        tags,
        transitive_tag_keys: assertion.values(formats::TRANSITIVE_TAGS_ATTRIBUTE).to_vec(),
        source_identity: assertion
            .values(formats::SOURCE_IDENTITY_ATTRIBUTE)
            .first()
            .cloned(),
        name_qualifier: Some(qualifier),
        subject_type: Some(sub_type),
    })
}
