//! Sessions of the caller itself: GetSessionToken (the user or root, with
//! MFA when a code came) and GetFederationToken (a federated user,
//! `arn:aws:sts::ACCOUNT:federated-user/NAME`, whose permissions are the
//! calling user's identity policies intersected with the session policies
//! passed; the evaluator's `FederatedUserApiLimits` keeps it from IAM and
//! from STS beyond GetCallerIdentity).

use super::session::{self, credentials_xml, new_session};
use super::Call;
use crate::error::AwsResult;
use crate::protocol::xml::Xml;
use crate::state::State;
use iam_evaluator::PrincipalKind;
use time::Duration;

/// How long a session of the caller itself lasts: `DurationSeconds`, 12
/// hours by default, and for the root user at most one hour ("Sessions for
/// AWS account owners are restricted to a maximum of 3,600 seconds (one
/// hour). If the duration is longer than one hour, the session for AWS
/// account owners defaults to one hour", STS API Reference,
/// GetSessionToken; GetFederationToken says the same of root credentials).
fn duration(call: &Call) -> AwsResult<i64> {
    let requested = session::requested_duration(call)?.unwrap_or(43200);
    Ok(if call.caller.principal.kind == PrincipalKind::Root {
        requested.min(3600)
    } else {
        requested
    })
}

/// GetSessionToken.
pub fn get_session_token(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let duration = duration(call)?;
    let account = call.caller.account.clone().unwrap_or_default();
    let mut session = new_session(
        &account,
        call.caller.principal.arn.clone(),
        call.ctx.shared.now(),
        Duration::seconds(duration),
    );
    session.user_name = call.caller.principal.user_name().map(str::to_string);
    session.mfa_authenticated = call.mfa;
    let mut x = Xml::default();
    credentials_xml(&mut x, &session);
    state.sessions.insert(session.access_key.clone(), session);
    Ok(x)
}

/// GetFederationToken.
pub fn get_federation_token(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("Name")?;
    let duration = duration(call)?;
    let account = call.caller.account.clone().unwrap_or_default();
    let arn = format!("arn:aws:sts::{account}:federated-user/{name}");
    let mut session = new_session(
        &account,
        arn.clone(),
        call.ctx.shared.now(),
        Duration::seconds(duration),
    );
    session.user_name = call.caller.principal.user_name().map(str::to_string);
    session.session_policies = session::session_policies(state, &account, call.params)?;
    let (tags, _) = session::session_tags(state, call)?;
    session.tags = tags;
    let packed = session::packed_policy_size(&session)?;
    let mut x = Xml::default();
    credentials_xml(&mut x, &session);
    x.with("FederatedUser", |x| {
        x.elem("FederatedUserId", &format!("{account}:{name}"));
        x.elem("Arn", &arn);
    });
    if let Some(size) = packed {
        x.elem("PackedPolicySize", &size.to_string());
    }
    state.sessions.insert(session.access_key.clone(), session);
    Ok(x)
}
