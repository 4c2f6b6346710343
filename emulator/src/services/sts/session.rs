//! Making STS sessions: their credentials and how a reply shows them,
//! session names, durations, session policies (`Policy`, `PolicyArns`)
//! and their packed size, session tags (passed, from an identity
//! provider, or inherited as transitive tags from the calling session),
//! the source identity, and MFA codes.

use super::Call;
use crate::auth::Caller;
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::query::Params;
use crate::protocol::xml::Xml;
use crate::shared::Ctx;
use crate::state::{iam::Document, KeyOwner, Session, State};
use time::{Duration, OffsetDateTime};

/// Session tags: key and value pairs, in order.
pub type Tags = Vec<(String, String)>;

/// A new session's credentials and identity; the rest is the caller's to fill.
pub fn new_session(
    account: &str,
    principal_arn: String,
    issued: OffsetDateTime,
    lifetime: Duration,
) -> Session {
    Session {
        access_key: ids::access_key_id("ASIA"),
        secret: ids::secret_access_key(),
        token: ids::session_token(),
        expires: issued + lifetime,
        issued: Some(issued),
        account: account.to_string(),
        principal_arn,
        role_name: None,
        user_name: None,
        session_policies: Vec::new(),
        tags: Vec::new(),
        source_identity: None,
        mfa_authenticated: None,
        transitive_tag_keys: Vec::new(),
        federated_provider: None,
    }
}

/// `DurationSeconds`, parsed. Its range is the operation's shape in
/// botocore's model, which [`crate::protocol::model::Model::validate`]
/// checked before the handler ran; what else bounds it (the role's
/// `MaxSessionDuration`, role chaining, the root user) is the handler's.
pub fn requested_duration(call: &Call) -> AwsResult<Option<i64>> {
    call.params.int("DurationSeconds", i64::MIN, i64::MAX)
}

/// `<Credentials>` of a reply.
pub fn credentials_xml(x: &mut Xml, session: &Session) {
    x.with("Credentials", |x| {
        x.elem("AccessKeyId", &session.access_key);
        x.elem("SecretAccessKey", &session.secret);
        x.elem("SessionToken", &session.token);
        x.elem("Expiration", &ids::iso8601(session.expires));
    });
}

/// The session whose key signed the request, if any.
pub fn caller_session<'s>(state: &'s State, caller: &Caller) -> Option<&'s Session> {
    if caller.owner != Some(KeyOwner::Session) {
        return None;
    }
    state.sessions.get(caller.access_key.as_ref()?)
}

/// The session name: `RoleSessionName`, or the SAML assertion's attribute.
pub fn session_name(call: &Call) -> Option<String> {
    call.params
        .get("RoleSessionName")
        .map(str::to_string)
        .or_else(|| call.federated.as_ref().and_then(|f| f.session_name.clone()))
}

/// The session tags the request passes: `Tags`, or the identity provider's.
pub fn passed_tags(call: &Call) -> Vec<(String, String)> {
    match &call.federated {
        Some(federated) => federated.tags.clone(),
        None => call.params.pairs("Tags", "Key", "Value"),
    }
}

/// The transitive tag keys the request passes.
pub fn passed_transitive_keys(call: &Call) -> Vec<String> {
    match &call.federated {
        Some(federated) => federated.transitive_tag_keys.clone(),
        None => call.params.list("TransitiveTagKeys"),
    }
}

/// The source identity the request asks for (`sts:SourceIdentity`):
/// passed, from the identity provider, else the calling session's. A
/// session's own may not be changed: the evaluator's
/// `SourceIdentityUnchangeable` rule denies asking for another.
pub fn requested_source_identity(state: &State, call: &Call) -> Option<String> {
    call.params
        .get("SourceIdentity")
        .map(str::to_string)
        .or_else(|| call.federated.as_ref().and_then(|f| f.source_identity.clone()))
        .or_else(|| inherited_source_identity(state, call))
}

/// The source identity of the new session: the calling session's, which
/// "persists across chained role sessions", else the one asked for.
pub fn source_identity(state: &State, call: &Call) -> Option<String> {
    inherited_source_identity(state, call).or_else(|| requested_source_identity(state, call))
}

fn inherited_source_identity(state: &State, call: &Call) -> Option<String> {
    caller_session(state, &call.caller).and_then(|s| s.source_identity.clone())
}

/// The tags of the new session and which are transitive: the calling
/// session's transitive tags are inherited (IAM User Guide, "Chaining
/// roles with session tags": "transitive session tags persist … for the
/// role chain"), then the passed tags; a passed key that an inherited
/// transitive tag has already is refused.
pub fn session_tags(state: &State, call: &Call) -> AwsResult<(Tags, Vec<String>)> {
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut transitive: Vec<String> = Vec::new();
    if let Some(parent) = caller_session(state, &call.caller) {
        for (k, v) in &parent.tags {
            if parent
                .transitive_tag_keys
                .iter()
                .any(|t| t.eq_ignore_ascii_case(k))
            {
                tags.push((k.clone(), v.clone()));
                transitive.push(k.clone());
            }
        }
    }
    let passed = passed_tags(call);
    for (k, v) in &passed {
        if tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(k)) {
            return Err(invalid_value(format!(
                "One or more session tags are invalid: the key {k} is already set by a transitive tag of the calling session"
            )));
        }
        if passed.iter().filter(|(t, _)| t.eq_ignore_ascii_case(k)).count() > 1 {
            return Err(invalid_value(format!("Duplicate tag keys found: {k}")));
        }
        tags.push((k.clone(), v.clone()));
    }
    for key in passed_transitive_keys(call) {
        if !passed.iter().any(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            return Err(invalid_value(format!(
                "The specified transitive tag key must be included in the requested tags: {key}"
            )));
        }
        if !transitive.iter().any(|t| t.eq_ignore_ascii_case(&key)) {
            transitive.push(key);
        }
    }
    Ok((tags, transitive))
}

/// The session policies `Policy` and `PolicyArns` of the request, each
/// checked (a syntax error is `MalformedPolicyDocument`, an unknown ARN
/// `InvalidParameterValue`).
pub fn session_policies(state: &State, account: &str, params: &Params) -> AwsResult<Vec<(String, Document)>> {
    let mut out = Vec::new();
    if let Some(policy) = params.get("Policy") {
        let parsed = iam_evaluator::Policy::parse(policy)
            .map_err(|e| AwsError::malformed_policy(format!("Syntax errors in policy. ({e})")))?;
        let document = Document {
            text: policy.into(),
            parsed: std::sync::Arc::new(parsed),
        };
        out.push(("session policy (inline)".to_string(), document));
    }
    for arn in params.pairs_list("PolicyArns", "arn") {
        let doc = crate::authorize::managed_document(state, account, &arn)
            .ok_or_else(|| invalid_value(format!("Policy {arn} does not exist or is not attachable.")))?;
        out.push((format!("session policy {arn}"), doc));
    }
    Ok(out)
}

/// `PackedPolicySize`: how much of the packed-policy quota the session
/// policies and tags use, in percent. AWS does not document its packing;
/// this counts their characters without white space against 2048 (the
/// inline session policy quota), which is at least monotone in their size.
/// Over 100: `PackedPolicyTooLarge`.
pub fn packed_policy_size(session: &Session) -> AwsResult<Option<usize>> {
    if session.session_policies.is_empty() && session.tags.is_empty() {
        return Ok(None);
    }
    let policies: usize = session
        .session_policies
        .iter()
        .map(|(_, doc)| doc.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    let tags: usize = session.tags.iter().map(|(k, v)| k.len() + v.len()).sum();
    let size = ((policies + tags) * 100).div_ceil(2048).max(1);
    if size > 100 {
        return Err(AwsError::new(
            Query::PackedPolicyTooLarge,
            format!("Packed policy consumes {size}% of allotted space, please use smaller policy."),
        ));
    }
    Ok(Some(size))
}

/// `SerialNumber` + `TokenCode` (GetSessionToken, AssumeRole): checked
/// against the calling user's MFA device ([`crate::services::iam::mfa::verify_token_code`]).
/// `Some(now)` when a valid code was given, `None` when neither was.
pub fn verify_mfa(
    ctx: &Ctx,
    state: &mut State,
    caller: &Caller,
    params: &Params,
) -> AwsResult<Option<OffsetDateTime>> {
    use crate::services::iam::mfa::{verify_token_code, INVALID_CODE, UNKNOWN_DEVICE};
    let (serial, code) = match (params.get("SerialNumber"), params.get("TokenCode")) {
        (None, None) => return Ok(None),
        (Some(serial), Some(code)) => (serial, code),
        (Some(_), None) => return Err(AwsError::access_denied(INVALID_CODE)),
        (None, Some(_)) => return Err(AwsError::access_denied(UNKNOWN_DEVICE)),
    };
    let (Some(account), Some(user)) = (caller.account.as_deref(), caller.principal.user_name()) else {
        return Err(AwsError::access_denied(UNKNOWN_DEVICE));
    };
    let now = ctx.shared.now();
    verify_token_code(state, account, user, serial, code, now)?;
    Ok(Some(now))
}

/// When the caller's own session was authenticated with MFA: a role
/// assumed with such a session keeps it.
pub fn caller_session_mfa(state: &State, caller: &Caller) -> Option<OffsetDateTime> {
    caller_session(state, caller)?.mfa_authenticated
}

/// STS's answer to a parameter value it refuses.
pub fn invalid_value(message: impl Into<String>) -> AwsError {
    AwsError::new(Query::InvalidParameterValue, message)
}
