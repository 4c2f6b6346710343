//! The account's settings: outbound web identity federation
//! (Enable/DisableOutboundWebIdentityFederation,
//! GetOutboundWebIdentityFederationInfo) and the version of the tokens
//! STS's global endpoint issues (SetSecurityTokenServicePreferences, read
//! back by GetAccountSummary's `GlobalEndpointTokenVersion`). STS reads
//! the federation flag through
//! [`crate::state::account_settings::AccountSettings::outbound_federation_issuer`].

use super::Call;
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::account_settings::{OutboundFederation, TokenVersion};
use crate::state::State;

/// A new issuer URL: `https://UUID.tokens.sts.global.api.aws`, the host
/// that serves the account's `/.well-known/openid-configuration` and
/// `/.well-known/jwks.json`.
fn new_issuer() -> String {
    format!("https://{}.tokens.sts.global.api.aws", ids::request_id())
}

pub fn enable_outbound_web_identity_federation(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let settings = &mut state.account_mut(&call.account).settings;
    let federation = settings
        .outbound_federation
        .get_or_insert_with(|| OutboundFederation {
            issuer: new_issuer(),
            enabled: false,
        });
    if federation.enabled {
        return Err(AwsError::new(
            Query::FeatureEnabled,
            "Outbound identity federation is already enabled for this account. You cannot enable the feature multiple times.",
        ));
    }
    federation.enabled = true;
    let mut x = Xml::default();
    x.elem("IssuerIdentifier", &federation.issuer);
    Ok(x)
}

fn already_disabled() -> AwsError {
    AwsError::new(
        Query::FeatureDisabled,
        "Outbound identity federation is disabled for this account.",
    )
}

pub fn disable_outbound_web_identity_federation(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let enabled = state
        .account(&call.account)
        .and_then(|a| a.settings.outbound_federation_issuer())
        .is_some();
    if !enabled {
        return Err(already_disabled());
    }
    if let Some(f) = &mut state.account_mut(&call.account).settings.outbound_federation {
        // The issuer stays: enabling the feature again gives the same one.
        f.enabled = false;
    }
    Ok(Xml::default())
}

/// The issuer and whether the feature is on; `FeatureDisabled` when it was
/// never enabled (there is no issuer yet).
pub fn get_outbound_web_identity_federation_info(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let federation = state
        .account(&call.account)
        .and_then(|a| a.settings.outbound_federation.as_ref())
        .ok_or_else(already_disabled)?;
    let mut x = Xml::default();
    x.elem("IssuerIdentifier", &federation.issuer);
    x.elem(
        "JwtVendingEnabled",
        if federation.enabled { "true" } else { "false" },
    );
    Ok(x)
}

pub fn set_security_token_service_preferences(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let text = call.params.required("GlobalEndpointTokenVersion")?;
    // The model's enum is checked before the call gets here.
    let version = TokenVersion::parse(text).ok_or_else(|| {
        AwsError::validation(format!(
            "1 validation error detected: Value '{text}' at 'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy enum value set: [v1Token, v2Token]"
        ))
    })?;
    state
        .account_mut(&call.account)
        .settings
        .global_endpoint_token_version = Some(version);
    Ok(Xml::default())
}
