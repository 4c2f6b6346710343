//! Tokens for other parties: GetWebIdentityToken (a JWT naming the
//! caller, signed by the emulator's key, for an account whose outbound
//! web identity federation IAM has enabled) and GetDelegatedAccessToken
//! (credentials for a trade-in token).

use super::session::invalid_value;
use super::Call;
use crate::error::{AwsError, AwsResult, Query};
use crate::protocol::xml::Xml;
use crate::state::State;
use serde_json::{json, Map, Value};
use time::Duration;

/// GetWebIdentityToken.
pub fn get_web_identity_token(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let account = call.caller.account.clone().unwrap_or_default();
    let issuer = state
        .account(&account)
        .and_then(|a| a.outbound_federation_issuer())
        .map(str::to_string)
        .ok_or_else(|| {
            AwsError::new(
                Query::OutboundWebIdentityFederationDisabledException,
                "The outbound web identity federation feature is not enabled for this account.",
            )
        })?;
    let algorithm = call.params.required("SigningAlgorithm")?;
    if algorithm != "RS256" {
        return Err(invalid_value(format!(
            "SigningAlgorithm {algorithm} is not supported by iam-emulator: use RS256"
        )));
    }
    let duration = super::session::requested_duration(call)?.unwrap_or(300);
    let now = call.ctx.shared.now();
    let expires = now + Duration::seconds(duration);
    if let Some(session) = super::session::caller_session(state, &call.caller) {
        if expires > session.expires {
            return Err(AwsError::new(
                Query::SessionDurationEscalationException,
                "The requested token duration would extend the session beyond its original expiration time.",
            ));
        }
    }
    let audiences = call.params.list("Audience");
    let tags: Map<String, Value> = call
        .params
        .pairs("Tags", "Key", "Value")
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(issuer));
    claims.insert("sub".into(), json!(call.caller.principal.arn));
    claims.insert(
        "aud".into(),
        if audiences.len() == 1 {
            json!(audiences[0])
        } else {
            json!(audiences)
        },
    );
    claims.insert("iat".into(), json!(now.unix_timestamp()));
    claims.insert("nbf".into(), json!(now.unix_timestamp()));
    claims.insert("exp".into(), json!(expires.unix_timestamp()));
    claims.insert("jti".into(), json!(crate::ids::lower_alnum(32)));
    claims.insert(
        "https://sts.amazonaws.com/".into(),
        json!({"aws_account": account, "source_region": "us-east-1", "request_tags": tags}),
    );
    let key = state
        .federation
        .signing_key_or_make()
        .map_err(|e| AwsError::new(crate::error::Common::InternalFailure, e))?;
    let token = crate::federation::jwt::sign(key, &claims);
    let mut x = Xml::default();
    x.elem("WebIdentityToken", &token);
    x.elem("Expiration", &crate::ids::iso8601(expires));
    Ok(x)
}

/// GetDelegatedAccessToken: a trade-in token is what an accepted IAM
/// delegation request hands out; the emulator has issued none, so every
/// token is refused.
pub fn get_delegated_access_token(_state: &mut State, call: &Call) -> AwsResult<Xml> {
    call.params.required("TradeInToken")?;
    Err(invalid_value(
        "The trade-in token is not one this emulator issued (IAM delegation requests are not served).",
    ))
}
