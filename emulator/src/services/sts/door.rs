//! STS's authorization door: for the operation's row in
//! [`super::operations`], builds the resource, the request's condition
//! keys and the further questions the request raises (`sts:TagSession`
//! when session tags are passed, `sts:SetSourceIdentity` when a source
//! identity is set), and asks the evaluator each one before the handler
//! runs. Handlers never authorize.

use super::operations::{Key, On, Who};
use super::{session, Call};
use crate::authorize::{authorize_with_message, Question, Resource, Wording};
use crate::error::{AwsError, AwsResult};
use crate::state::State;
use iam_evaluator::{ContextValue, RequestContext};

/// Asks every question `call`'s row names; `Ok` when the call may go on.
pub fn authorize(state: &State, call: &Call) -> AwsResult<()> {
    let row = call.operation;
    // Only long-term credentials may call GetSessionToken and
    // GetFederationToken: the evaluator's LongTermCredentialsOnly rule.
    let context = keys_of(state, call, row.keys);
    let target = target(state, call, row.on)?;
    ask(state, call, row.action, &target, context.clone())?;
    if let Some(tag_action) = tag_action(row.keys) {
        if !session::passed_tags(call).is_empty() {
            ask(state, call, tag_action, &target, context.clone())?;
        }
    }
    if row.keys.contains(&Key::SourceIdentity) && session::requested_source_identity(state, call).is_some() {
        ask(state, call, "sts:SetSourceIdentity", &target, context)?;
    }
    Ok(())
}

/// The action passing tags asks too: `sts:TagSession` for session tags
/// (IAM User Guide, "Permissions required to add session tags"),
/// `sts:TagGetWebIdentityToken` for a web identity token's (the Service
/// Authorization Reference's tagging action of GetWebIdentityToken).
fn tag_action(keys: &[Key]) -> Option<&'static str> {
    if keys.contains(&Key::SessionTags) {
        Some("sts:TagSession")
    } else if keys.contains(&Key::TokenTags) {
        Some("sts:TagGetWebIdentityToken")
    } else {
        None
    }
}

/// What an action is asked about: the resource's ARN, its account, and
/// what it brings to the question (a role: its trust policy), found once
/// for every question the call asks.
pub struct Target<'s> {
    pub resource: String,
    pub account: Option<String>,
    pub kind: Resource<'s>,
}

fn target<'s>(state: &'s State, call: &Call, on: On) -> AwsResult<Target<'s>> {
    let caller_account = call.caller.account.clone().unwrap_or_default();
    Ok(match on {
        On::Any => Target {
            resource: "*".into(),
            account: None,
            kind: Resource::Plain,
        },
        On::Role => {
            let arn = call.params.required("RoleArn")?;
            let account = role_account(arn)?;
            Target {
                resource: arn.to_string(),
                account: Some(account),
                kind: Resource::Role(super::assume::find_role(state, arn)),
            }
        }
        On::FederatedUser => Target {
            resource: format!(
                "arn:aws:sts::{caller_account}:federated-user/{}",
                call.params.required("Name")?
            ),
            account: None,
            kind: Resource::Plain,
        },
        On::TargetRoot => {
            // Decided in the calling account (the evaluator's
            // Request::owning_account for sts:AssumeRoot): no resource
            // policy of the member account is asked.
            let account = super::root::target_account(call.params.required("TargetPrincipal")?)?;
            Target {
                resource: format!("arn:aws:iam::{account}:root"),
                account: None,
                kind: Resource::Plain,
            }
        }
    })
}

/// The account of a role ARN (`ValidationError` for anything else).
pub fn role_account(arn: &str) -> AwsResult<String> {
    iam_evaluator::arn::Arn::parse(arn)
        .filter(|a| a.service == "iam" && a.resource.starts_with("role/"))
        .map(|a| a.account.to_string())
        .filter(|a| iam_evaluator::arn::is_account_id(a))
        .ok_or_else(|| AwsError::validation(format!("{arn} is invalid")))
}

fn ask(state: &State, call: &Call, action: &str, target: &Target, context: RequestContext) -> AwsResult<()> {
    let question = Question {
        resource_account: target.account.as_deref(),
        ..target.kind.question(action, &target.resource, &call.caller)
    }
    .with_request_keys(context);
    // A federated caller is told only that it may not: "Not authorized
    // to perform sts:AssumeRoleWithWebIdentity".
    let wording = if call.operation.who == Who::Signed {
        Wording::Iam
    } else {
        Wording::NotAuthorized
    };
    authorize_with_message(call.ctx, state, &call.caller, question, wording)
}

/// `aws:RequestTag/KEY` for each tag, `aws:TagKeys` for their keys.
fn request_tags(context: &mut RequestContext, tags: &[(String, String)]) {
    for (k, v) in tags {
        context.set(&format!("aws:RequestTag/{k}"), v.clone());
    }
    if !tags.is_empty() {
        context.set_multi("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()));
    }
}

/// The condition keys the row says the request carries.
fn keys_of(state: &State, call: &Call, keys: &[Key]) -> RequestContext {
    let mut context = RequestContext::new();
    for key in keys {
        match key {
            Key::TokenTags => request_tags(&mut context, &session::passed_tags(call)),
            Key::TokenRequest => {
                context.set_multi("sts:IdentityTokenAudience", call.params.list("Audience"));
                if let Some(algorithm) = call.params.get("SigningAlgorithm") {
                    context.set("sts:SigningAlgorithm", algorithm);
                }
                let duration = call.params.get("DurationSeconds").map_or_else(
                    || super::outbound::DEFAULT_TOKEN_DURATION.to_string(),
                    str::to_string,
                );
                context.set("sts:DurationSeconds", duration);
            }
            Key::SessionTags => {
                request_tags(&mut context, &session::passed_tags(call));
                let transitive = session::passed_transitive_keys(call);
                if !transitive.is_empty() {
                    context.set_multi("sts:TransitiveTagKeys", transitive);
                }
            }
            Key::ExternalId => {
                if let Some(id) = call.params.get("ExternalId") {
                    context.set("sts:ExternalId", id);
                }
            }
            Key::SourceIdentity => {
                if let Some(source) = session::requested_source_identity(state, call) {
                    context.set("sts:SourceIdentity", source);
                }
            }
            Key::RoleSessionName => {
                if let Some(name) = session::session_name(call) {
                    context.set("sts:RoleSessionName", name);
                }
            }
            Key::TaskPolicyArn => {
                if let Some(arn) = call.params.get("TaskPolicyArn.arn") {
                    context.set("sts:TaskPolicyArn", arn);
                }
            }
            Key::Federation => {
                if let Some(federated) = &call.federated {
                    for (k, v) in federated.keys.iter() {
                        match v {
                            ContextValue::Single(one) => context.set(k, one.clone()),
                            ContextValue::Multi(many) => context.set_multi(k, many.iter().cloned()),
                        };
                    }
                }
            }
            Key::Mfa => {
                if call.mfa.is_some() {
                    // The code was checked now: MFA is present, zero seconds old.
                    context.set("aws:MultiFactorAuthPresent", "true");
                    context.set("aws:MultiFactorAuthAge", "0");
                }
            }
        }
    }
    context
}
