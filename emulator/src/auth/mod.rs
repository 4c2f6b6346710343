//! Who is calling: verify the request's signature and resolve its access
//! key to a caller. Every endpoint goes through [`authenticate`]; nothing
//! else checks signatures.
//!
//! Credentials: root keys of each account (`--root-key`), IAM users' access
//! keys (inactive ones are refused), and STS temporary keys (`ASIA…`) that
//! must come with their session token and expire.

pub mod chunked;
pub mod sigv2;
pub mod sigv4;

use crate::clock::Clock;
use crate::error::{AwsError, Common};
use crate::http::HttpRequest;
use crate::state::{KeyOwner, State};
use iam_evaluator::Principal;
use sigv4::{CanonicalInput, Credential};
use std::io::Read as _;
use std::sync::{Mutex, MutexGuard};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// How strictly requests are checked (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Signatures verified, policies enforced.
    Strict,
    /// Verified and evaluated; a would-be denial is logged, not enforced.
    Soft,
    /// Any access key is accepted and acts as root of the default account.
    Off,
}

/// Largest clock difference AWS tolerates for a signed request.
const MAX_SKEW: Duration = Duration::minutes(15);

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The caller's account (for anonymous callers, none).
    pub account: Option<String>,
    pub owner: Option<KeyOwner>,
    pub access_key: Option<String>,
    /// Service and region from the credential scope, when signed.
    pub scope: Option<Credential>,
    /// For `STREAMING-AWS4-HMAC-SHA256-PAYLOAD…` bodies: how to verify the
    /// chunk signatures that follow the request's own.
    pub chunk_signing: Option<chunked::ChunkSigning>,
}

impl Caller {
    pub fn anonymous() -> Self {
        Caller {
            principal: Principal::anonymous(),
            account: None,
            owner: None,
            access_key: None,
            scope: None,
            chunk_signing: None,
        }
    }
}

/// The signature a request carries, if any.
pub fn signature_of(req: &HttpRequest) -> Result<Option<sigv4::Signature>, AwsError> {
    if let Some(value) = req.header("authorization") {
        if !value.starts_with(sigv4::ALGORITHM) {
            return Err(AwsError::new(Common::IncompleteSignature, format!(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={value}"
            )));
        }
        let (credential, signed_headers, signature) = sigv4::parse_authorization(value)?;
        let amz_date = req.header("x-amz-date").map(str::to_string).ok_or_else(|| {
            AwsError::new(
                Common::IncompleteSignature,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            )
        })?;
        return Ok(Some(sigv4::Signature {
            credential,
            signed_headers,
            signature,
            amz_date,
            expires: None,
            session_token: req.header("x-amz-security-token").map(str::to_string),
            presigned: false,
        }));
    }
    let query = req.query_pairs();
    let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let Some(algorithm) = get("X-Amz-Algorithm") else {
        return Ok(None);
    };
    if algorithm != sigv4::ALGORITHM {
        return Err(AwsError::new(
            Common::IncompleteSignature,
            format!("Unsupported AWS 'algorithm': '{algorithm}'"),
        ));
    }
    let missing = |name: &str| {
        AwsError::new(
            Common::IncompleteSignature,
            format!("Query-string authentication requires the {name} parameter."),
        )
    };
    let credential = Credential::parse(&get("X-Amz-Credential").ok_or_else(|| missing("X-Amz-Credential"))?)?;
    let expires = get("X-Amz-Expires")
        .map(|e| {
            e.parse::<u64>().map_err(|_| {
                AwsError::new(
                    Common::AuthorizationQueryParametersError,
                    "X-Amz-Expires should be a number",
                )
            })
        })
        .transpose()?;
    Ok(Some(sigv4::Signature {
        credential,
        signed_headers: get("X-Amz-SignedHeaders")
            .ok_or_else(|| missing("X-Amz-SignedHeaders"))?
            .split(';')
            .map(str::to_ascii_lowercase)
            .collect(),
        signature: get("X-Amz-Signature").ok_or_else(|| missing("X-Amz-Signature"))?,
        amz_date: get("X-Amz-Date").ok_or_else(|| missing("X-Amz-Date"))?,
        expires,
        session_token: get("X-Amz-Security-Token"),
        presigned: true,
    }))
}

/// The credential scope's service of the request's signature: the one
/// [`signature_of`] names when it gives `Ok(Some(_))`, without building
/// the signature (routing asks for it on every request).
pub fn signed_service(req: &HttpRequest) -> Option<std::borrow::Cow<'_, str>> {
    if let Some(value) = req.header("authorization") {
        if !value.starts_with(sigv4::ALGORITHM) {
            return None;
        }
        let (credential, _, _) = sigv4::parse_authorization_ref(value).ok()?;
        req.header("x-amz-date")?;
        return Some(std::borrow::Cow::Borrowed(credential.service));
    }
    match signature_of(req) {
        Ok(Some(sig)) => Some(std::borrow::Cow::Owned(sig.credential.service)),
        _ => None,
    }
}

/// Error for an unknown or refused access key (IAM/STS wording).
pub fn invalid_key() -> AwsError {
    AwsError::new(
        Common::InvalidClientTokenId,
        "The security token included in the request is invalid.",
    )
}

fn parse_amz_date(text: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// What an access key resolves to.
struct KeyInfo {
    secret: String,
    principal: Principal,
    account: String,
    owner: KeyOwner,
}

/// The state behind its lock (a poisoned lock's state is still whole:
/// every change is made before the guard drops).
fn locked(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Finds the secret and owner of an access key, refusing inactive and
/// expired keys, and long-term keys sent with a session token (a stale
/// `AWS_SESSION_TOKEN`), as AWS refuses them.
fn lookup(
    state: &State,
    key: &str,
    session_token: Option<&str>,
    now: OffsetDateTime,
) -> Result<KeyInfo, AwsError> {
    let root = state.root_keys.iter().find(|k| k.access_key == key);
    let user_key = if root.is_some() {
        None
    } else {
        find_user_key(state, key)
    };
    let long_term = root.is_some() || user_key.is_some();
    if long_term && session_token.is_some() {
        return Err(invalid_key());
    }
    if let Some(root) = root {
        let principal =
            Principal::from_arn(&format!("arn:aws:iam::{}:root", root.account)).map_err(|_| invalid_key())?;
        let owner = KeyOwner::Root {
            account: root.account.clone(),
        };
        return Ok(KeyInfo {
            secret: root.secret.clone(),
            principal,
            account: root.account.clone(),
            owner,
        });
    }
    if let Some((account, user, k)) = user_key {
        if !k.active {
            return Err(invalid_key());
        }
        let principal = Principal::from_arn(&user.arn).map_err(|_| invalid_key())?;
        let owner = KeyOwner::User {
            account: account.id.clone(),
            user: user.name.clone(),
        };
        return Ok(KeyInfo {
            secret: k.secret.clone(),
            principal,
            account: account.id.clone(),
            owner,
        });
    }
    if let Some(session) = state.sessions.get(key) {
        if session_token != Some(session.token.as_str()) {
            return Err(invalid_key());
        }
        if session.expires <= now {
            return Err(AwsError::new(
                Common::ExpiredToken,
                "The security token included in the request is expired",
            ));
        }
        let principal = Principal::from_arn(&session.principal_arn).map_err(|_| invalid_key())?;
        return Ok(KeyInfo {
            secret: session.secret.clone(),
            principal,
            account: session.account.clone(),
            owner: KeyOwner::Session,
        });
    }
    Err(invalid_key())
}

/// Where recently used user access keys were found (key id, account id,
/// user's map key), per thread: a hint only, checked against the state on
/// every use, so that a key does not cost a walk over every user of every
/// account (thousands after a test suite has created them).
const KEY_HOMES: usize = 64;

thread_local! {
    static KEY_HOME: std::cell::RefCell<Vec<(String, String, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// [`State::find_user_key`], starting where the key was last found.
fn find_user_key<'s>(
    state: &'s State,
    key: &str,
) -> Option<(
    &'s crate::state::iam::Account,
    &'s crate::state::iam::User,
    &'s crate::state::iam::AccessKey,
)> {
    let hinted = KEY_HOME.with(|homes| {
        let homes = homes.borrow();
        let (_, account, user) = homes.iter().find(|(id, _, _)| id == key)?;
        let account = state.account(account)?;
        let user = account.users.get(user)?;
        let found = user.access_keys.iter().find(|k| k.id == key)?;
        Some((account, user, found))
    });
    if hinted.is_some() {
        return hinted;
    }
    let found = state.find_user_key(key)?;
    KEY_HOME.with(|homes| {
        let mut homes = homes.borrow_mut();
        homes.retain(|(id, _, _)| id != key);
        if homes.len() == KEY_HOMES {
            homes.pop();
        }
        homes.insert(
            0,
            (
                key.to_string(),
                found.0.id.clone(),
                crate::state::iam::key(&found.1.name),
            ),
        );
    });
    Some(found)
}

/// The caller an access key stands for now, as a request signed with it
/// (and, for a session's key, its session token) is authenticated: an
/// unknown or inactive key is `InvalidClientTokenId`, an expired
/// session's `ExpiredToken`. For `POST /_emulator/decide`.
pub fn caller_of_key(state: &State, access_key: &str, now: OffsetDateTime) -> Result<Caller, AwsError> {
    let token = state.sessions.get(access_key).map(|s| s.token.as_str());
    let info = lookup(state, access_key, token, now)?;
    Ok(caller(info, access_key, None))
}

/// The caller an access key (with `session_token` for a session's key)
/// stands for, and the key's secret: for signatures made over something
/// other than the request, such as a browser POST form's policy. Refused
/// as [`caller_of_key`] refuses.
pub fn signer_of_key(
    state: &State,
    access_key: &str,
    session_token: Option<&str>,
    now: OffsetDateTime,
) -> Result<(Caller, String), AwsError> {
    let info = lookup(state, access_key, session_token, now)?;
    let secret = info.secret.clone();
    Ok((caller(info, access_key, None), secret))
}

fn caller(info: KeyInfo, access_key: &str, scope: Option<Credential>) -> Caller {
    Caller {
        principal: info.principal,
        account: Some(info.account),
        owner: Some(info.owner),
        access_key: Some(access_key.to_string()),
        scope,
        chunk_signing: None,
    }
}

/// The default account's root, for `--auth off`.
fn default_root(
    default_account: &str,
    access_key: &str,
    scope: Option<Credential>,
) -> Result<Caller, AwsError> {
    let principal =
        Principal::from_arn(&format!("arn:aws:iam::{default_account}:root")).map_err(|_| invalid_key())?;
    let info = KeyInfo {
        secret: String::new(),
        principal,
        account: default_account.to_string(),
        owner: KeyOwner::Root {
            account: default_account.to_string(),
        },
    };
    Ok(caller(info, access_key, scope))
}

/// SigV2 (S3 only): `Authorization: AWS …` or a presigned query.
fn authenticate_sigv2(
    state: &Mutex<State>,
    req: &HttpRequest,
    mode: AuthMode,
    default_account: &str,
    sig: &sigv2::SigV2,
    clock: &Clock,
) -> Result<Caller, AwsError> {
    if mode == AuthMode::Off {
        return default_root(default_account, &sig.access_key, None);
    }
    let info = lookup(
        &locked(state),
        &sig.access_key,
        sig.session_token.as_deref(),
        clock.now(),
    )?;
    sig.check_time(clock)?;
    let bucket_in_host = crate::protocol::bucket_host::virtual_host_bucket(req.header("host"));
    sigv2::verify_parts(
        &info.secret,
        &sigv2::RequestParts::from(req),
        sig,
        bucket_in_host.as_deref(),
    )?;
    Ok(caller(info, &sig.access_key, None))
}

/// Verifies the request's signature and returns its caller; unsigned
/// requests are anonymous. In `Off` mode any key acts as the default root.
/// Session expiry is checked on the emulator's clock, the signing date as
/// [`crate::clock`] explains. The state is locked only to look the key
/// up: hashing and signing, most of the work, hold no lock, so requests on
/// the other threads are not kept waiting for them.
pub fn authenticate(
    state: &Mutex<State>,
    req: &HttpRequest,
    mode: AuthMode,
    default_account: &str,
    clock: &Clock,
) -> Result<Caller, AwsError> {
    let Some(sig) = signature_of(req)? else {
        return match sigv2::parse(req)? {
            Some(v2) => authenticate_sigv2(state, req, mode, default_account, &v2, clock),
            None => Ok(Caller::anonymous()),
        };
    };
    if mode == AuthMode::Off {
        return default_root(
            default_account,
            &sig.credential.access_key,
            Some(sig.credential.clone()),
        );
    }
    let info = lookup(
        &locked(state),
        &sig.credential.access_key,
        sig.session_token.as_deref(),
        clock.now(),
    )?;
    check_time(&sig, clock)?;
    // Presigned S3 URLs carry `UNSIGNED-PAYLOAD`; every other service hashes
    // the payload, as for a signed header (an empty body for a GET).
    let computed_hash;
    let payload_hash = if sig.presigned && sig.credential.service == "s3" {
        "UNSIGNED-PAYLOAD"
    } else if let Some(declared) = req.header("x-amz-content-sha256") {
        declared
    } else {
        computed_hash = body_sha256_hex(req)?;
        computed_hash.as_str()
    };
    let canonical = sigv4::canonical_request(&CanonicalInput {
        method: &req.method,
        raw_path: &req.raw_path,
        raw_query: req.raw_query.as_deref(),
        headers: &req.headers,
        signed_headers: &sig.signed_headers,
        payload_hash,
        double_encode_path: sig.credential.service != "s3",
        presigned: sig.presigned,
    });
    let string_to_sign = sigv4::string_to_sign(&sig.amz_date, &sig.credential, &canonical);
    let key = sigv4::derived_key(&info.secret, &sig.credential);
    if !key.matches(&string_to_sign, &sig.signature) {
        return Err(AwsError::new(Common::SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    // A declared payload hash must be the body's (spooled bodies are
    // checked while they are stored).
    if let Some(declared) = req.header("x-amz-content-sha256") {
        if req.spooled.is_none() {
            use sha2::Digest as _;
            let actual: [u8; 32] = sha2::Sha256::digest(&req.body).into();
            crate::checksum::verify_content_sha256(declared, &actual)?;
        }
    }
    // aws-chunked bodies signed chunk by chunk continue from this signature.
    let streaming = req
        .header("x-amz-content-sha256")
        .and_then(chunked::ChunkedMode::from_content_sha256);
    let mut caller = caller(info, &sig.credential.access_key, None);
    if streaming.is_some_and(chunked::ChunkedMode::is_signed) && !sig.presigned {
        caller.chunk_signing = Some(chunked::ChunkSigning {
            key: key.key,
            scope: sig.credential.scope(),
            amz_date: sig.amz_date,
            seed_signature: sig.signature,
        });
    }
    caller.scope = Some(sig.credential);
    Ok(caller)
}

/// Hex SHA-256 of the whole body, in memory or spooled to a file.
fn body_sha256_hex(req: &HttpRequest) -> Result<String, AwsError> {
    use sha2::Digest as _;
    if req.spooled.is_none() {
        return Ok(sigv4::sha256_hex(&req.body));
    }
    let mut reader = req
        .body_reader()
        .map_err(|e| AwsError::new(Common::InternalFailure, e.to_string()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| AwsError::new(Common::InternalFailure, e.to_string()))?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// The signing date against the client's clock (skew: the wall clock) and,
/// for a presigned URL, its expiry on the emulator's clock.
fn check_time(sig: &sigv4::Signature, clock: &Clock) -> Result<(), AwsError> {
    let signed_at = parse_amz_date(&sig.amz_date).ok_or_else(|| {
        AwsError::new(
            Common::IncompleteSignature,
            format!("Date must be in ISO-8601 'basic format'. Got '{}'.", sig.amz_date),
        )
    })?;
    let wall = clock.wall();
    if let Some(expires) = sig.expires {
        let lifetime = Duration::seconds(i64::try_from(expires).unwrap_or(i64::MAX / 2));
        let expiry = clock.at_client_time(signed_at).saturating_add(lifetime);
        if expiry < clock.now_precise() {
            return Err(AwsError::access_denied("Request has expired"));
        }
        if signed_at - wall > MAX_SKEW {
            return Err(skewed());
        }
        return Ok(());
    }
    if (signed_at - wall).abs() > MAX_SKEW {
        return Err(skewed());
    }
    Ok(())
}

fn skewed() -> AwsError {
    AwsError::new(
        Common::RequestTimeTooSkewed,
        "The difference between the request time and the current time is too large.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)], query: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            raw_path: "/".into(),
            raw_query: query.map(str::to_string),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
                .collect(),
            body: bytes::Bytes::new(),
            spooled: None,
            peer: None,
        }
    }

    /// Routing's borrowed look at the signature names the service exactly
    /// when the full parse succeeds.
    #[test]
    fn signed_service_agrees_with_signature_of() {
        let good = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab";
        let date = ("x-amz-date", "20240101T000000Z");
        let cases = [
            request(&[("authorization", good), date], None),
            request(&[("authorization", good)], None),
            request(&[("authorization", "AWS AKID:sig"), date], None),
            request(&[("authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request"), date], None),
            request(&[("authorization", "AWS4-HMAC-SHA256 Credential=AKID/2024/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab"), date], None),
            request(&[], None),
            request(&[], Some("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab&X-Amz-Expires=60")),
            request(&[], Some("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request")),
            request(&[], Some("list-type=2")),
        ];
        for req in &cases {
            let full = match signature_of(req) {
                Ok(Some(sig)) => Some(sig.credential.service),
                _ => None,
            };
            assert_eq!(
                signed_service(req).map(std::borrow::Cow::into_owned),
                full,
                "{req:?}"
            );
        }
        assert_eq!(signed_service(&cases[0]).as_deref(), Some("sts"));
        assert_eq!(signed_service(&cases[6]).as_deref(), Some("s3"));
    }
}
