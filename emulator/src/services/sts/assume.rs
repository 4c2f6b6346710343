//! Role sessions: AssumeRole (a signed caller), AssumeRoleWithWebIdentity
//! (an OIDC provider's user) and AssumeRoleWithSAML (a SAML provider's
//! user). The door has evaluated the role's trust policy; each makes the
//! session `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` with its
//! duration, session policies, tags and source identity, as AWS does.

use super::session::{self, credentials_xml, new_session};
use super::Call;
use crate::error::{AwsError, AwsResult};
use crate::protocol::xml::Xml;
use crate::state::iam::Role;
use crate::state::{Session, State};
use iam_evaluator::PrincipalKind;
use time::Duration;

/// The role a role ARN names, if it exists (its path is part of its ARN;
/// the ARN without the path names it too).
pub fn find_role<'s>(state: &'s State, arn: &str) -> Option<&'s Role> {
    let account = super::door::role_account(arn).ok()?;
    let name = arn.rsplit('/').next()?;
    let role = state
        .account(&account)?
        .roles
        .get(&crate::state::iam::key(name))?;
    let plain = format!("arn:aws:iam::{account}:role/{}", role.name);
    (role.arn == arn || plain == arn).then_some(role)
}

/// How long the session lasts: `requested` (or the default), within the
/// role's `MaxSessionDuration` and the one-hour limit of role chaining.
fn duration(call: &Call, role: &Role, requested: Option<i64>) -> AwsResult<i64> {
    let duration = requested.unwrap_or(3600);
    // "Role chaining limits your … session to a maximum of one hour."
    let chained = matches!(call.caller.principal.kind, PrincipalKind::AssumedRole { .. });
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
    Ok(duration)
}

/// A session of `role` named `session_name`, with what the request passes.
fn role_session(
    state: &State,
    call: &Call,
    role: &Role,
    session_name: &str,
    duration: i64,
) -> AwsResult<Session> {
    let account = super::door::role_account(&role.arn)?;
    let principal_arn = format!("arn:aws:sts::{account}:assumed-role/{}/{session_name}", role.name);
    let mut session = new_session(
        &account,
        principal_arn,
        call.ctx.shared.now(),
        Duration::seconds(duration),
    );
    session.role_name = Some(role.name.clone());
    session.session_policies = session::session_policies(state, &account, call.params)?;
    let (tags, transitive) = session::session_tags(state, call)?;
    session.tags = tags;
    session.transitive_tag_keys = transitive;
    session.source_identity = session::source_identity(state, call);
    session.federated_provider = call.federated.as_ref().map(|f| f.provider.clone());
    Ok(session)
}

/// The role the call names; a role that does not exist cannot be assumed
/// (soft mode lets the denial through, but not this).
fn role_of(state: &State, call: &Call) -> AwsResult<Role> {
    let arn = call.params.required("RoleArn")?;
    find_role(state, arn).cloned().ok_or_else(|| {
        AwsError::access_denied(format!(
            "User: {} is not authorized to perform: {} on resource: {arn}",
            call.caller.principal.arn, call.operation.action
        ))
    })
}

/// The reply's `AssumedRoleUser`, `PackedPolicySize` and `SourceIdentity`
/// around the credentials; stores the session.
fn reply(state: &mut State, role: &Role, session: Session, more: impl FnOnce(&mut Xml)) -> AwsResult<Xml> {
    let packed = session::packed_policy_size(&session)?;
    let session_name = session
        .principal_arn
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut x = Xml::default();
    credentials_xml(&mut x, &session);
    more(&mut x);
    x.with("AssumedRoleUser", |x| {
        x.elem("AssumedRoleId", &format!("{}:{session_name}", role.id));
        x.elem("Arn", &session.principal_arn);
    });
    if let Some(size) = packed {
        x.elem("PackedPolicySize", &size.to_string());
    }
    x.opt("SourceIdentity", session.source_identity.as_deref());
    state.sessions.insert(session.access_key.clone(), session);
    Ok(x)
}

/// AssumeRole.
pub fn assume_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let role = role_of(state, call)?;
    let name = call.params.required("RoleSessionName")?;
    let duration = duration(call, &role, session::requested_duration(call)?)?;
    let mut session = role_session(state, call, &role, name, duration)?;
    session.mfa_authenticated = call
        .mfa
        .or_else(|| session::caller_session_mfa(state, &call.caller));
    reply(state, &role, session, |_| {})
}

/// AssumeRoleWithWebIdentity: the reply names the token's subject,
/// issuer (`Provider`) and audience.
pub fn assume_role_with_web_identity(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let federated = federated_of(call)?;
    let role = role_of(state, call)?;
    let name = call.params.required("RoleSessionName")?;
    let duration = duration(call, &role, session::requested_duration(call)?)?;
    let session = role_session(state, call, &role, name, duration)?;
    reply(state, &role, session, |x| {
        x.elem("SubjectFromWebIdentityToken", &federated.subject);
        x.elem("Audience", &federated.audience);
        x.elem("Provider", &federated.issuer);
    })
}

/// AssumeRoleWithSAML: the session name is the assertion's
/// `RoleSessionName` attribute. "Your role session lasts for the duration
/// that you specify, or until the time specified in the SAML authentication
/// response's SessionNotOnOrAfter value, whichever is shorter" (STS API
/// Reference); the `SessionDuration` attribute is for console sessions.
pub fn assume_role_with_saml(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let federated = federated_of(call)?;
    let role = role_of(state, call)?;
    let name = federated.session_name.clone().unwrap_or_default();
    let duration = duration(call, &role, session::requested_duration(call)?)?;
    let mut session = role_session(state, call, &role, &name, duration)?;
    if let Some(end) = federated.session_ends {
        session.expires = session.expires.min(end);
    }
    reply(state, &role, session, |x| {
        x.elem("Subject", &federated.subject);
        x.opt("SubjectType", federated.subject_type.as_deref());
        x.elem("Issuer", &federated.issuer);
        x.elem("Audience", &federated.audience);
        x.opt("NameQualifier", federated.name_qualifier.as_deref());
    })
}

/// What the door's verification found (always there for these rows).
fn federated_of(call: &Call) -> AwsResult<super::federation::Federated> {
    call.federated.clone().ok_or_else(|| {
        AwsError::new(
            crate::error::Common::InternalFailure,
            "the identity provider's token was not verified",
        )
    })
}
