//! AssumeRoleWithWebIdentity's token: an OpenID Connect ID token (a JWT)
//! whose issuer is an IAM OIDC provider of the role's account, or an
//! identity provider AWS knows by name (Google, Cognito, Facebook, Login
//! with Amazon). Its signature (RS256, RS384, RS512 or ES384) is checked
//! with the emulator's keys
//! (the emulator issues tokens for tests, `POST /_emulator/oidc/token`)
//! and the key sets registered for its issuer
//! (`PUT /_emulator/oidc/jwks?issuer=URL`); then `exp`, `nbf` and `aud`
//! (one of the provider's client ids). The trust policy sees the
//! provider-prefixed claim keys (`token.actions.githubusercontent.com:sub`).

use super::federation::Federated;
use crate::error::{AwsError, AwsResult, Query};
use crate::federation::jwt::{Jwk, Token, TokenError, VERIFIED_ALGORITHMS};
use crate::protocol::query::Params;
use crate::shared::Ctx;
use crate::state::State;
use iam_evaluator::RequestContext;
use serde_json::Value;

/// Identity providers AWS knows by name: no IAM OIDC provider is needed.
const AWS_NAMED: &[&str] = &[
    "accounts.google.com",
    "cognito-identity.amazonaws.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// The claims AWS makes condition keys of, for every OIDC provider
/// (IAM User Guide, "Available keys for AWS OIDC federation").
const CLAIM_KEYS: &[&str] = &["aud", "sub", "amr", "azp", "email", "oaud"];

/// GitHub Actions' issuer: its custom claims (`repository`,
/// `job_workflow_ref`, `environment`, …) are keys too.
const GITHUB_ACTIONS: &str = "token.actions.githubusercontent.com";

/// The claim carrying session tags (`principal_tags`, `transitive_tag_keys`).
const TAGS_CLAIM: &str = "https://aws.amazon.com/tags";
/// The claim carrying the source identity.
const SOURCE_IDENTITY_CLAIM: &str = "https://aws.amazon.com/source_identity";

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::new(Query::InvalidIdentityToken, message)
}

/// Verifies `WebIdentityToken` for the role `RoleArn`.
pub fn verify(ctx: &Ctx, state: &State, params: &Params) -> AwsResult<Federated> {
    let role_account = super::door::role_account(params.required("RoleArn")?)?;
    let token = Token::parse(params.required("WebIdentityToken")?).map_err(|_| {
        invalid(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        )
    })?;
    let issuer = token
        .claim("iss")
        .ok_or_else(|| invalid("The ID Token provided has no issuer (iss)"))?
        .to_string();
    // GetWebIdentityToken's tokens "cannot be used for OpenID Connect
    // (OIDC) federation into AWS (via the AssumeRoleWithWebIdentity API)"
    // (IAM User Guide, "Getting started with outbound identity federation"),
    // though the emulator signs them with the same key as its test issuer.
    if is_outbound_issuer(state, &issuer) {
        return Err(invalid(
            "A token from GetWebIdentityToken cannot be used with AssumeRoleWithWebIdentity",
        ));
    }
    let iam_provider = state
        .account(&role_account)
        .and_then(|a| a.oidc_provider_for_issuer(&issuer))
        .cloned();
    let host = issuer
        .strip_prefix("https://")
        .unwrap_or(&issuer)
        .trim_end_matches('/');
    let (provider, prefix) = match &iam_provider {
        Some(p) => (p.arn.clone(), p.url.clone()),
        None if AWS_NAMED.contains(&host) => (host.to_string(), host.to_string()),
        None => {
            return Err(invalid(format!(
                "No OpenIDConnect provider found in your account for {issuer}"
            )))
        }
    };
    check_signature(state, &token, &issuer)?;
    check_times(ctx, &token)?;
    let audience = match &iam_provider {
        Some(p) => token
            .audiences()
            .into_iter()
            .find(|a| p.accepts_audience(a))
            .ok_or_else(|| invalid("Incorrect token audience"))?
            .to_string(),
        None => token
            .audiences()
            .first()
            .map(|a| (*a).to_string())
            .unwrap_or_default(),
    };
    let (tags, transitive_tag_keys) = tags_of(&token)?;
    Ok(Federated {
        keys: claim_keys(&token, &prefix, &audience),
        provider,
        issuer: iam_provider.map_or_else(|| host.to_string(), |p| p.arn),
        subject: token.claim("sub").unwrap_or_default().to_string(),
        audience,
        session_name: None,
        session_ends: None,
        tags,
        transitive_tag_keys,
        source_identity: token.claim(SOURCE_IDENTITY_CLAIM).map(str::to_string),
        name_qualifier: None,
        subject_type: None,
    })
}

/// Whether `issuer` is some account's outbound web identity issuer (the
/// `iss` of its GetWebIdentityToken tokens), enabled now or not.
fn is_outbound_issuer(state: &State, issuer: &str) -> bool {
    let issuer = issuer.trim_end_matches('/');
    state.accounts.values().any(|account| {
        account
            .settings
            .outbound_federation
            .as_ref()
            .is_some_and(|f| f.issuer.trim_end_matches('/') == issuer)
    })
}

/// The emulator's key and the keys registered for `issuer`.
fn check_signature(state: &State, token: &Token, issuer: &str) -> AwsResult<()> {
    let mut keys: Vec<Jwk> = state.federation.registered_keys(issuer);
    keys.extend(state.federation.own_keys());
    token.verify(&keys).map_err(|e| match e {
        TokenError::Algorithm(alg) => invalid(format!(
            "The ID Token is signed with {alg}; iam-emulator verifies {}",
            VERIFIED_ALGORITHMS.join(", ")
        )),
        _ => invalid(format!(
            "The signature of the ID Token could not be verified with the keys of {issuer}"
        )),
    })
}

/// `exp` (required, in the future) and `nbf` (when present, past), on the
/// emulator's clock.
fn check_times(ctx: &Ctx, token: &Token) -> AwsResult<()> {
    let now = ctx.shared.now().unix_timestamp();
    let exp = token
        .time("exp")
        .ok_or_else(|| invalid("The ID Token provided has no expiration time (exp)"))?;
    if now >= exp {
        return Err(AwsError::new(
            Query::ExpiredTokenException,
            format!("Token expired: current date/time {now} must be before the expiration date/time {exp}"),
        ));
    }
    if let Some(nbf) = token.time("nbf") {
        if now < nbf {
            return Err(invalid(format!(
                "Token is not yet valid: current date/time {now} is before the not-before date/time {nbf}"
            )));
        }
    }
    Ok(())
}

/// `PREFIX:claim` keys for the claims AWS exposes (`aud` is the audience
/// that matched a client id; Google's `aud` is `azp` when present, its
/// `oaud` the token's `aud`).
fn claim_keys(token: &Token, prefix: &str, audience: &str) -> RequestContext {
    let mut keys = RequestContext::new();
    let google = prefix == "accounts.google.com";
    for (claim, value) in &token.claims {
        let exposed = CLAIM_KEYS.contains(&claim.as_str()) || prefix == GITHUB_ACTIONS;
        if !exposed || claim == "aud" {
            continue;
        }
        let key = format!("{prefix}:{claim}");
        match value {
            Value::String(s) => {
                keys.set(&key, s.clone());
            }
            Value::Array(items) => {
                keys.set_multi(&key, items.iter().filter_map(Value::as_str).map(str::to_string));
            }
            Value::Bool(b) => {
                keys.set(&key, b.to_string());
            }
            Value::Number(n) => {
                keys.set(&key, n.to_string());
            }
            _ => {}
        }
    }
    match (google, token.claim("azp")) {
        (true, Some(azp)) => {
            keys.set(&format!("{prefix}:aud"), azp);
            keys.set(&format!("{prefix}:oaud"), audience);
        }
        _ => {
            keys.set(&format!("{prefix}:aud"), audience);
        }
    }
    keys
}

/// Session tags from the `https://aws.amazon.com/tags` claim:
/// `{"principal_tags": {"KEY": ["VALUE"]}, "transitive_tag_keys": ["KEY"]}`.
fn tags_of(token: &Token) -> AwsResult<(super::session::Tags, Vec<String>)> {
    let Some(claim) = token.claims.get(TAGS_CLAIM) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let bad = || invalid(format!("The {TAGS_CLAIM} claim is not valid"));
    let mut tags = Vec::new();
    if let Some(principal_tags) = claim.get("principal_tags") {
        for (key, value) in principal_tags.as_object().ok_or_else(bad)? {
            let value = match value {
                Value::Array(values) if values.len() == 1 => values[0].as_str().ok_or_else(bad)?,
                Value::String(s) => s.as_str(),
                _ => return Err(bad()),
            };
            tags.push((key.clone(), value.to_string()));
        }
    }
    let transitive = match claim.get("transitive_tag_keys") {
        None => Vec::new(),
        Some(keys) => keys
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|k| k.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<AwsResult<_>>()?,
    };
    Ok((tags, transitive))
}
