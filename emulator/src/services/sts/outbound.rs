//! Tokens for other parties: GetWebIdentityToken (a JWT naming the
//! caller, signed RS256 or ES384 by the emulator's keys, which
//! `GET /_emulator/oidc/jwks` publishes, for an account whose outbound
//! web identity federation IAM has enabled) and GetDelegatedAccessToken
//! (credentials for a trade-in token).

use super::session::invalid_value;
use super::Call;
use crate::error::{AwsError, AwsResult, Query};
use crate::federation::jwt;
use crate::protocol::xml::Xml;
use crate::state::federation::Federation;
use crate::state::State;
use serde_json::{json, Map, Value};
use time::Duration;

/// How long a web identity token lasts when `DurationSeconds` is not
/// given: "If not specified, the default duration is 300 seconds (5
/// minutes)" (STS API Reference).
pub const DEFAULT_TOKEN_DURATION: i64 = 300;

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
    let algorithm = signing_algorithm(call)?;
    let duration = super::session::requested_duration(call)?.unwrap_or(DEFAULT_TOKEN_DURATION);
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
    let token = sign(&mut state.federation, &algorithm, &claims)
        .map_err(|e| AwsError::new(crate::error::Common::InternalFailure, e))?;
    let mut x = Xml::default();
    x.elem("WebIdentityToken", &token);
    x.elem("Expiration", &crate::ids::iso8601(expires));
    Ok(x)
}

/// `claims` signed with the emulator's key for `algorithm` (made now if
/// it is the first use).
fn sign(
    federation: &mut Federation,
    algorithm: &Algorithm,
    claims: &Map<String, Value>,
) -> Result<String, String> {
    Ok(match algorithm {
        Algorithm::Rs256 => jwt::sign(federation.signing_key_or_make()?, claims),
        Algorithm::Es384 => jwt::sign_es384(federation.ec_key_or_make()?, claims),
    })
}

/// The algorithms GetWebIdentityToken signs with: "Valid values are RS256
/// (RSA with SHA-256) and ES384 (ECDSA using P-384 curve with SHA-384)"
/// (STS API Reference).
enum Algorithm {
    Rs256,
    Es384,
}

fn signing_algorithm(call: &Call) -> AwsResult<Algorithm> {
    match call.params.required("SigningAlgorithm")? {
        "RS256" => Ok(Algorithm::Rs256),
        "ES384" => Ok(Algorithm::Es384),
        other => Err(AwsError::validation(format!(
            "1 validation error detected: Value '{other}' at 'signingAlgorithm' failed to satisfy constraint: \
             Member must satisfy enum value set: [RS256, ES384]"
        ))),
    }
}

/// GetDelegatedAccessToken: a trade-in token is what IAM's
/// SendDelegationToken sends to the partner's notification channel (an SNS
/// topic), which the emulator does not deliver; no caller can hold one, so
/// every token is refused.
pub fn get_delegated_access_token(_state: &mut State, call: &Call) -> AwsResult<Xml> {
    call.params.required("TradeInToken")?;
    Err(invalid_value(
        "The trade-in token is not one this emulator issued (it delivers no delegation tokens to notification channels).",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::jwt::Token;

    /// Each algorithm signs with its own key, and the token verifies with
    /// the keys `GET /_emulator/oidc/jwks` publishes.
    #[test]
    fn rs256_and_es384_tokens_verify_with_the_published_keys() {
        let mut federation = Federation::default();
        let claims = json!({"iss": "https://issuer.example", "sub": "arn:aws:iam::123456789012:user/a"});
        let claims = claims.as_object().unwrap();
        for (algorithm, name) in [(Algorithm::Es384, "ES384"), (Algorithm::Rs256, "RS256")] {
            let token = Token::parse(&sign(&mut federation, &algorithm, claims).unwrap()).unwrap();
            assert_eq!(token.header["alg"], name);
            assert_eq!(token.claims, *claims);
            assert_eq!(token.verify(&federation.own_keys()), Ok(()), "{name}");
        }
        assert_eq!(federation.own_keys().len(), 2);
    }
}
