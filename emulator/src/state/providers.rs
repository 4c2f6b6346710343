//! An account's identity providers: OpenID Connect providers (keyed by
//! ARN, found too by the issuer URL their tokens carry) and SAML providers
//! (keyed by ARN, with the signing certificates of their metadata). They
//! are the `Federated` principals of role trust policies; STS reads them
//! here to check web identity tokens and SAML assertions.

use super::iam::{Account, Tags};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// An account's OIDC and SAML providers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Providers {
    /// By ARN.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub oidc: BTreeMap<String, OidcProvider>,
    /// By ARN.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub saml: BTreeMap<String, SamlProvider>,
}

/// An OpenID Connect provider (CreateOpenIDConnectProvider).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcProvider {
    /// `arn:aws:iam::ACCT:oidc-provider/HOST/PATH`.
    pub arn: String,
    /// The URL without `https://`, as IAM returns it (`token.actions.githubusercontent.com`).
    pub url: String,
    /// Client ids (audiences), in the order added.
    pub client_ids: Vec<String>,
    /// Lower-case, 40 characters each; at most five.
    pub thumbprints: Vec<String>,
    pub created: OffsetDateTime,
    pub tags: Tags,
}

impl OidcProvider {
    /// The issuer (`iss`) its tokens carry: `https://` and the URL.
    pub fn issuer(&self) -> String {
        format!("https://{}", self.url)
    }

    /// Whether `audience` is one of its client ids.
    pub fn accepts_audience(&self, audience: &str) -> bool {
        self.client_ids.iter().any(|c| c == audience)
    }
}

/// A SAML 2.0 identity provider (CreateSAMLProvider).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlProvider {
    /// `arn:aws:iam::ACCT:saml-provider/NAME`.
    pub arn: String,
    pub name: String,
    /// `SAMLProviderUUID`.
    pub uuid: String,
    /// The metadata document as uploaded.
    pub metadata: String,
    /// The metadata's `entityID`: the `Issuer` of its assertions.
    pub entity_id: Option<String>,
    /// Base64 DER of the X.509 certificates its metadata names for
    /// signing (a `KeyDescriptor` with `use="signing"` or no `use`).
    pub signing_certificates: Vec<String>,
    pub created: OffsetDateTime,
    /// The metadata's `validUntil`.
    pub valid_until: Option<OffsetDateTime>,
    /// `Required` or `Allowed`, when set.
    pub assertion_encryption_mode: Option<String>,
    /// Private keys to decrypt assertions with (at most two).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private_keys: Vec<SamlPrivateKey>,
    pub tags: Tags,
}

/// A private key added to a SAML provider (`AddPrivateKey`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlPrivateKey {
    pub key_id: String,
    pub added: OffsetDateTime,
    pub pem: String,
}

/// The ARN of the OIDC provider with `url` (without its scheme) in `account`.
pub fn oidc_arn(account: &str, url: &str) -> String {
    format!("arn:aws:iam::{account}:oidc-provider/{url}")
}

/// The ARN of the SAML provider called `name` in `account`.
pub fn saml_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:saml-provider/{name}")
}

/// The read API STS uses.
impl Account {
    /// The OIDC provider with this ARN.
    pub fn oidc_provider(&self, arn: &str) -> Option<&OidcProvider> {
        self.providers.oidc.get(arn)
    }

    /// The OIDC provider whose tokens carry `issuer` as `iss`
    /// (`https://HOST/PATH`): the one created with that URL.
    pub fn oidc_provider_for_issuer(&self, issuer: &str) -> Option<&OidcProvider> {
        let url = issuer.strip_prefix("https://")?;
        self.providers.oidc.get(&oidc_arn(&self.id, url))
    }

    /// The SAML provider with this ARN.
    pub fn saml_provider(&self, arn: &str) -> Option<&SamlProvider> {
        self.providers.saml.get(arn)
    }

    /// How many identity providers (OIDC and SAML) the account has
    /// (GetAccountSummary's `Providers`).
    pub fn provider_count(&self) -> usize {
        self.providers.oidc.len() + self.providers.saml.len()
    }
}
