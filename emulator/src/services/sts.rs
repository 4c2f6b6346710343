//! STS (Query protocol, 2011-06-15): GetCallerIdentity, AssumeRole,
//! GetSessionToken, GetAccessKeyInfo.

use super::{require_signed, Ctx, STS_NAMESPACE};
use crate::auth::Caller;
use crate::authorize::{authorize, Question};
use crate::error::{AwsError, AwsResult, Query};
use crate::http::HttpResponse;
use crate::ids;
use crate::protocol::query::{self, Params};
use crate::protocol::xml::Xml;
use crate::state::{iam::key, KeyOwner, Session, State};
use iam_evaluator::{NamedPolicy, PrincipalKind, RequestContext};
use time::{Duration, OffsetDateTime};

/// The STS actions served (used to route unsigned Query requests).
pub const ACTIONS: &[&str] = &[
    "GetCallerIdentity",
    "AssumeRole",
    "GetSessionToken",
    "GetAccessKeyInfo",
];

pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    let params = Params::parse(ctx.req.raw_query.as_deref(), &ctx.req.body);
    let action = params.action().unwrap_or_default().to_string();
    let result = require_signed(caller).and_then(|()| {
        let mut state = ctx.shared.state();
        match action.as_str() {
            "GetCallerIdentity" => get_caller_identity(ctx, &state, caller),
            "AssumeRole" => assume_role(ctx, &mut state, caller, &params),
            "GetSessionToken" => get_session_token(ctx, &mut state, caller, &params),
            "GetAccessKeyInfo" => get_access_key_info(ctx, &state, caller, &params),
            "" => Err(AwsError::new(Query::MissingAction, "Missing Action")),
            other => Err(AwsError::new(
                Query::InvalidAction,
                format!("Could not find operation {other} for version 2011-06-15"),
            )),
        }
    });
    match result {
        Ok(xml) => {
            let body = query::response(&action, STS_NAMESPACE, ctx.request_id, |x| *x = xml);
            HttpResponse::xml(200, body).with_header("x-amzn-requestid", ctx.request_id)
        }
        Err(err) => super::error_response(super::Service::Sts, &err, ctx.request_id),
    }
}

/// The caller's `UserId`: the user's id, `ROLEID:SESSION`, or the account id for root.
fn user_id(state: &State, caller: &Caller) -> String {
    let account = caller.account.as_deref().unwrap_or_default();
    let iam = state.account(account);
    match &caller.principal.kind {
        PrincipalKind::User => caller
            .principal
            .user_name()
            .and_then(|n| iam?.users.get(&key(n)))
            .map_or_else(|| account.to_string(), |u| u.id.clone()),
        PrincipalKind::AssumedRole {
            role_name,
            session_name,
        } => iam
            .and_then(|a| a.roles.get(&key(role_name)))
            .map_or_else(|| session_name.clone(), |r| format!("{}:{session_name}", r.id)),
        _ => account.to_string(),
    }
}

/// GetCallerIdentity. Authorized like every call; the evaluator allows it
/// whatever the policies say (`iam_evaluator::Rule::NeedsNoPermission`), so
/// the decision log and `explain` say why.
fn get_caller_identity(ctx: &Ctx, state: &State, caller: &Caller) -> AwsResult<Xml> {
    authorize(ctx, state, caller, Question::new("sts:GetCallerIdentity", "*"))?;
    let mut x = Xml::default();
    x.elem("UserId", &user_id(state, caller));
    x.elem("Account", caller.account.as_deref().unwrap_or_default());
    x.elem("Arn", &caller.principal.arn);
    Ok(x)
}

fn credentials_xml(x: &mut Xml, session: &Session) {
    x.with("Credentials", |x| {
        x.elem("AccessKeyId", &session.access_key);
        x.elem("SecretAccessKey", &session.secret);
        x.elem("SessionToken", &session.token);
        x.elem("Expiration", &ids::iso8601(session.expires));
    });
}

fn new_session(account: &str, principal_arn: String, expires: OffsetDateTime) -> Session {
    Session {
        access_key: ids::access_key_id("ASIA"),
        secret: ids::secret_access_key(),
        token: ids::session_token(),
        expires,
        account: account.to_string(),
        principal_arn,
        role_name: None,
        user_name: None,
        session_policies: Vec::new(),
        tags: Vec::new(),
        source_identity: None,
        mfa_authenticated: None,
    }
}

fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

fn assume_role(ctx: &Ctx, state: &mut State, caller: &Caller, params: &Params) -> AwsResult<Xml> {
    let role_arn = params.required("RoleArn")?.to_string();
    let session_name = params.required("RoleSessionName")?.to_string();
    if !valid_session_name(&session_name) {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value '{session_name}' at 'roleSessionName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )));
    }
    let duration = params.int("DurationSeconds", 900, 43200)?;
    let role_account = iam_evaluator::arn::Arn::parse(&role_arn)
        .map(|a| a.account.to_string())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| AwsError::validation(format!("{role_arn} is invalid")))?;
    let role = state
        .account(&role_account)
        .and_then(|a| {
            a.roles.values().find(|r| {
                r.arn == role_arn || format!("arn:aws:iam::{}:role/{}", role_account, r.name) == role_arn
            })
        })
        .cloned();
    let tags = params.pairs("Tags", "Key", "Value");
    let mut extra = RequestContext::new();
    for (k, v) in &tags {
        extra.set(&format!("aws:RequestTag/{k}"), v.clone());
    }
    if !tags.is_empty() {
        extra.set_multi("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()));
    }
    if let Some(external_id) = params.get("ExternalId") {
        extra.set("sts:ExternalId", external_id);
    }
    if let Some(source) = params.get("SourceIdentity") {
        extra.set("sts:SourceIdentity", source);
    }
    extra.set("sts:RoleSessionName", session_name.clone());
    let mfa = verify_mfa(ctx, state, caller, params)?;
    if mfa.is_some() {
        // The code was checked now: the trust policy sees MFA, zero seconds old.
        extra.set("aws:MultiFactorAuthPresent", "true");
        extra.set("aws:MultiFactorAuthAge", "0");
    }
    let question = Question {
        action: "sts:AssumeRole",
        resource: &role_arn,
        resource_account: Some(&role_account),
        resource_policies: role
            .iter()
            .map(|r| NamedPolicy {
                name: "trust policy".into(),
                policy: r.trust.parsed.clone(),
            })
            .collect(),
        extra_context: extra,
        role_trust: true,
        acls: Vec::new(),
    };
    authorize(ctx, state, caller, question)?;
    let Some(role) = role else {
        // Soft mode lets a would-be denial through, but a role that does not
        // exist cannot be assumed.
        return Err(AwsError::access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.principal.arn
        )));
    };
    let duration = duration.unwrap_or(3600);
    // "Role chaining limits your … session to a maximum of one hour."
    let chained = matches!(caller.principal.kind, PrincipalKind::AssumedRole { .. });
    if chained && duration > 3600 {
        return Err(AwsError::validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if duration > role.max_session_duration {
        return Err(AwsError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let principal_arn = format!(
        "arn:aws:sts::{role_account}:assumed-role/{}/{session_name}",
        role.name
    );
    let mut session = new_session(
        &role_account,
        principal_arn.clone(),
        ctx.shared.now() + Duration::seconds(duration),
    );
    session.role_name = Some(role.name.clone());
    session.mfa_authenticated = mfa.or_else(|| caller_session_mfa(state, caller));
    session.tags = tags;
    session.source_identity = params.get("SourceIdentity").map(str::to_string);
    if let Some(policy) = params.get("Policy") {
        let parsed = iam_evaluator::Policy::parse(policy)
            .map_err(|e| AwsError::malformed_policy(format!("Syntax errors in policy. ({e})")))?;
        let document = crate::state::iam::Document {
            text: policy.into(),
            parsed: std::sync::Arc::new(parsed),
        };
        session
            .session_policies
            .push(("session policy (inline)".into(), document));
    }
    for arn in params.pairs_list("PolicyArns", "arn") {
        let doc =
            crate::authorize::managed_document(state, &caller.account.clone().unwrap_or_default(), &arn)
                .ok_or_else(|| {
                    AwsError::invalid_input(format!("Policy {arn} does not exist or is not attachable."))
                })?;
        session
            .session_policies
            .push((format!("session policy {arn}"), doc));
    }
    let mut x = Xml::default();
    credentials_xml(&mut x, &session);
    x.with("AssumedRoleUser", |x| {
        x.elem("AssumedRoleId", &format!("{}:{session_name}", role.id));
        x.elem("Arn", &principal_arn);
    });
    if let Some(size) = packed_policy_size(&session) {
        x.elem("PackedPolicySize", &size.to_string());
    }
    x.opt("SourceIdentity", session.source_identity.as_deref());
    state.sessions.insert(session.access_key.clone(), session);
    Ok(x)
}

/// `PackedPolicySize`: how much of the packed-policy quota the session
/// policies and tags use, in percent. AWS does not document its packing;
/// this counts their characters without white space against 2048 (the
/// inline session policy quota), which is at least monotone in their size.
fn packed_policy_size(session: &Session) -> Option<usize> {
    if session.session_policies.is_empty() && session.tags.is_empty() {
        return None;
    }
    let policies: usize = session
        .session_policies
        .iter()
        .map(|(_, doc)| doc.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    let tags: usize = session.tags.iter().map(|(k, v)| k.len() + v.len()).sum();
    Some(((policies + tags) * 100).div_ceil(2048).max(1))
}

fn get_session_token(ctx: &Ctx, state: &mut State, caller: &Caller, params: &Params) -> AwsResult<Xml> {
    let duration = params.int("DurationSeconds", 900, 129_600)?.unwrap_or(43200);
    let account = caller.account.clone().unwrap_or_default();
    // Which credentials may call it at all is checked first, as AWS does
    // (no policy is asked); whether it is allowed is the evaluator's
    // (it needs no permission).
    if caller.owner == Some(KeyOwner::Session) {
        return Err(AwsError::access_denied(
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    authorize(ctx, state, caller, Question::new("sts:GetSessionToken", "*"))?;
    let mut session = new_session(
        &account,
        caller.principal.arn.clone(),
        ctx.shared.now() + Duration::seconds(duration),
    );
    session.user_name = caller.principal.user_name().map(str::to_string);
    session.mfa_authenticated = verify_mfa(ctx, state, caller, params)?;
    let mut x = Xml::default();
    credentials_xml(&mut x, &session);
    state.sessions.insert(session.access_key.clone(), session);
    Ok(x)
}

/// `SerialNumber` + `TokenCode` (GetSessionToken, AssumeRole): checked
/// against the calling user's MFA device ([`super::iam::mfa::verify_token_code`]).
/// `Some(now)` when a valid code was given, `None` when neither was.
fn verify_mfa(
    ctx: &Ctx,
    state: &mut State,
    caller: &Caller,
    params: &Params,
) -> AwsResult<Option<OffsetDateTime>> {
    use super::iam::mfa::{verify_token_code, INVALID_CODE, UNKNOWN_DEVICE};
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
fn caller_session_mfa(state: &State, caller: &Caller) -> Option<OffsetDateTime> {
    let key = caller.access_key.as_ref()?;
    state.sessions.get(key)?.mfa_authenticated
}

/// GetAccessKeyInfo: unlike GetCallerIdentity, a policy must allow
/// `sts:GetAccessKeyInfo` (the Service Authorization Reference lists it as
/// a Read action on `*`).
fn get_access_key_info(ctx: &Ctx, state: &State, caller: &Caller, params: &Params) -> AwsResult<Xml> {
    let key_id = params.required("AccessKeyId")?;
    authorize(ctx, state, caller, Question::new("sts:GetAccessKeyInfo", "*"))?;
    let account = state
        .root_keys
        .iter()
        .find(|k| k.access_key == key_id)
        .map(|k| k.account.clone())
        .or_else(|| state.find_user_key(key_id).map(|(a, _, _)| a.id.clone()))
        .or_else(|| state.sessions.get(key_id).map(|s| s.account.clone()))
        .or_else(|| caller.account.clone())
        .unwrap_or_default();
    let mut x = Xml::default();
    x.elem("Account", &account);
    Ok(x)
}
