//! The emulator as a test identity provider, offline (admin endpoints, no
//! auth, for loopback use):
//!
//! - `POST /_emulator/oidc/token` `{"issuer", "claims", "expires_in",
//!   "algorithm"}` → `{"token"}`: an OIDC ID token signed by the
//!   emulator's RSA key (RS256, the default) or P-384 key (ES384);
//! - `GET /_emulator/oidc/jwks`: that key and the emulator's P-384 key
//!   (GetWebIdentityToken's ES384 tokens) as a JSON Web Key Set;
//! - `PUT /_emulator/oidc/jwks?issuer=URL` with a JWKS body: tokens of
//!   `URL` signed by those keys verify too (a team's own test IdP);
//! - `POST /_emulator/saml/assertion` `{"provider_arn", "role_arn",
//!   "subject", "attributes", "expires_in", "session_expires_in"}` →
//!   `{"saml_response"}`: a
//!   base64 SAML response signed by the emulator's key, which every SAML
//!   provider accepts;
//! - `POST /_emulator/authorization-message` `{"requestId"}` →
//!   `{"encodedMessage"}`: the denial of a logged request, encoded as
//!   `DecodeAuthorizationMessage` decodes it.
//!
//! The key is made on the first call that needs it, outside the state's
//! lock, and kept with `--state-dir`.

use crate::app::App;
use crate::federation::keys::SigningKey;
use crate::federation::{jwt, saml};
use crate::http::{HttpRequest, HttpResponse};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use time::Duration;

fn bad(message: &str, field: &str) -> HttpResponse {
    HttpResponse::json(400, &json!({"error": message, "field": field}))
}

/// The emulator's key, made now if it is the first use.
fn signing_key(app: &App) -> Result<SigningKey, String> {
    if let Some(key) = app.state().federation.signing_key() {
        return Ok(key.clone());
    }
    let made = SigningKey::generate()?;
    let mut state = app.state();
    if state.federation.signing_key().is_none() {
        state.federation.set_signing_key(made)?;
    }
    state
        .federation
        .signing_key()
        .cloned()
        .ok_or_else(|| "no signing key".into())
}

fn body_json(req: &HttpRequest) -> Result<Map<String, Value>, HttpResponse> {
    match serde_json::from_slice(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad("the body must be a JSON object", "body")),
    }
}

/// How far `expires_in` may reach, either way: ten years. Negative
/// values make tokens that expired already (for tests of expiry); beyond
/// this a date would leave the range tokens and assertions can carry.
const MAX_EXPIRES_IN: i64 = 10 * 366 * 24 * 3600;

/// `expires_in`: whole seconds, default 3600, at most ten years either way.
fn expires_in(body: &Map<String, Value>) -> Result<i64, HttpResponse> {
    seconds(body, "expires_in").map(|s| s.unwrap_or(3600))
}

/// A field of whole seconds, at most ten years either way, if given.
fn seconds(body: &Map<String, Value>, field: &str) -> Result<Option<i64>, HttpResponse> {
    let Some(value) = body.get(field) else {
        return Ok(None);
    };
    value
        .as_i64()
        .filter(|s| s.abs() <= MAX_EXPIRES_IN)
        .map(Some)
        .ok_or_else(|| {
            bad(
                &format!("{field} must be a whole number of seconds between -{MAX_EXPIRES_IN} and {MAX_EXPIRES_IN}"),
                field,
            )
        })
}

fn internal(message: &str) -> HttpResponse {
    HttpResponse::json(500, &json!({"error": message}))
}

/// `POST /_emulator/oidc/token`. `iss`, `iat` and `exp` are set from
/// `issuer`, the emulator's clock and `expires_in` unless `claims` has
/// them; `algorithm` is `RS256` (the default) or `ES384`.
pub fn token(app: &App, req: &HttpRequest) -> HttpResponse {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(issuer) = body.get("issuer").and_then(Value::as_str) else {
        return bad("issuer (the token's iss, an https URL) is required", "issuer");
    };
    let mut claims = match body.get("claims") {
        None => Map::new(),
        Some(Value::Object(c)) => c.clone(),
        Some(_) => return bad("claims must be a JSON object", "claims"),
    };
    let lifetime = match expires_in(&body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = app.clock.now().unix_timestamp();
    claims.entry("iss").or_insert_with(|| json!(issuer));
    claims.entry("iat").or_insert_with(|| json!(now));
    claims.entry("exp").or_insert_with(|| json!(now + lifetime));
    let token = match body.get("algorithm").and_then(Value::as_str) {
        None | Some("RS256") => signing_key(app).map(|key| jwt::sign(&key, &claims)),
        Some("ES384") => app
            .state()
            .federation
            .ec_key_or_make()
            .map(|key| jwt::sign_es384(key, &claims)),
        Some(_) => return bad("algorithm is RS256 or ES384", "algorithm"),
    };
    match token {
        Ok(token) => HttpResponse::json(200, &json!({"token": token})),
        Err(e) => internal(&e),
    }
}

/// `GET /_emulator/oidc/jwks`.
pub fn jwks(app: &App) -> HttpResponse {
    let keys = signing_key(app).and_then(|rsa| {
        let ec = app.state().federation.ec_key_or_make().cloned()?;
        Ok(jwt::jwks_of(&rsa, &ec))
    });
    match keys {
        Ok(set) => HttpResponse::json(200, &set),
        Err(e) => internal(&e),
    }
}

/// `PUT /_emulator/oidc/jwks?issuer=URL`.
pub fn register_jwks(app: &App, req: &HttpRequest) -> HttpResponse {
    let query = req.query_pairs();
    let Some(issuer) = query.iter().find(|(k, _)| k == "issuer").map(|(_, v)| v.clone()) else {
        return bad(
            "the issuer query parameter (the tokens' iss) is required",
            "issuer",
        );
    };
    let keys = match jwt::parse_jwks(&req.body) {
        Ok(keys) => keys,
        Err(e) => return bad(&format!("not a JWKS with an RSA or P-384 key: {e}"), "body"),
    };
    let document = String::from_utf8_lossy(&req.body).into_owned();
    app.state()
        .federation
        .jwks
        .insert(issuer.clone(), crate::state::federation::StoredJwks { document });
    HttpResponse::json(200, &json!({"issuer": issuer, "keys": keys.len()}))
}

/// An attribute's values: a string or a list of strings.
fn values(name: &str, value: &Value) -> Result<Vec<String>, HttpResponse> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad(&format!("attribute {name}: values must be strings"), "attributes")),
        _ => Err(bad(
            &format!("attribute {name}: a string or a list of strings"),
            "attributes",
        )),
    }
}

/// `POST /_emulator/saml/assertion`. The Role attribute names
/// `role_arn,provider_arn`; RoleSessionName is `subject` unless the
/// attributes set it; the issuer is the provider's entity id (or
/// `issuer`); `session_expires_in` sets the `AuthnStatement`'s
/// `SessionNotOnOrAfter` (none when not given).
pub fn saml_assertion(app: &App, req: &HttpRequest) -> HttpResponse {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_string);
    let (Some(provider_arn), Some(role_arn), Some(subject)) =
        (text("provider_arn"), text("role_arn"), text("subject"))
    else {
        return bad("provider_arn, role_arn and subject are required", "body");
    };
    let lifetime = match expires_in(&body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let session_lifetime = match seconds(&body, "session_expires_in") {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut attributes = vec![(
        saml::ROLE_ATTRIBUTE.to_string(),
        vec![format!("{role_arn},{provider_arn}")],
    )];
    match body.get("attributes") {
        None => {}
        Some(Value::Object(given)) => {
            for (name, value) in given {
                match values(name, value) {
                    Ok(v) => attributes.push((name.clone(), v)),
                    Err(r) => return r,
                }
            }
        }
        Some(_) => return bad("attributes must be a JSON object", "attributes"),
    }
    if !attributes.iter().any(|(n, _)| n == saml::SESSION_NAME_ATTRIBUTE) {
        attributes.push((saml::SESSION_NAME_ATTRIBUTE.to_string(), vec![subject.clone()]));
    }
    let entity = app
        .state()
        .accounts
        .values()
        .find_map(|a| a.saml_provider(&provider_arn).and_then(|p| p.entity_id.clone()));
    let issuer = text("issuer").or(entity).unwrap_or_else(|| provider_arn.clone());
    let key = match signing_key(app) {
        Ok(k) => k,
        Err(e) => return internal(&e),
    };
    let now = app.clock.now();
    let xml = saml::build_response(
        &saml::Issue {
            issuer: &issuer,
            subject: &subject,
            subject_format: body.get("subject_format").and_then(Value::as_str),
            attributes: &attributes,
            issued: now,
            expires: now + Duration::seconds(lifetime),
            session_ends: session_lifetime.map(|s| now + Duration::seconds(s)),
        },
        &key,
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(xml);
    HttpResponse::json(200, &json!({"saml_response": encoded}))
}

/// `POST /_emulator/authorization-message {"requestId"}`: its denial.
pub fn authorization_message(app: &App, req: &HttpRequest) -> HttpResponse {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(request_id) = body.get("requestId").and_then(Value::as_str) else {
        return bad("requestId is required", "requestId");
    };
    let messages = app.decisions.of_request(request_id, |_, decision| {
        (!decision.is_allowed()).then(|| crate::services::sts::messages::message_of(decision))
    });
    let Some(message) = messages.into_iter().flatten().next() else {
        return HttpResponse::json(
            404,
            &json!({"error": format!("no denial of request {request_id} is kept"), "field": "requestId"}),
        );
    };
    match signing_key(app) {
        Ok(key) => HttpResponse::json(
            200,
            &json!({"encodedMessage": crate::services::sts::messages::encode(&key, &message)}),
        ),
        Err(e) => internal(&e),
    }
}
