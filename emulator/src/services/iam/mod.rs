//! IAM (Query protocol, 2010-05-08). One module per entity family:
//! [`users`], [`keys`], [`groups`], [`roles`], [`inline`] policies,
//! [`managed`] policies and attachments, [`boundaries`], [`tags`],
//! account-wide views ([`account`]) and the policy simulator ([`simulate`]);
//! identity [`providers`] (OIDC, SAML), [`instance_profiles`];
//! the credentials beside access keys: virtual MFA devices ([`mfa`]),
//! console passwords and the password policy ([`passwords`]), the account
//! alias ([`aliases`]), server and signing [`certificates`], [`ssh_keys`]
//! and [`service_credentials`]; the credential report ([`reports`]).
//! [`service_linked_roles`]; the context keys policies read
//! ([`context_keys`]); which services policies grant and when they were
//! last used ([`access_reports`], and for an organization
//! [`org_reports`]); an organization's centralized root access
//! ([`org_features`]); the account's outbound web identity federation and
//! STS token version ([`account_settings`]); temporary [`delegation`]
//! requests.
//! [`operations`] is the table of operations (action, resource, condition
//! keys, handler); [`door`] authorizes each call as its row says before
//! the handler reads or changes anything.

pub mod access_reports;
pub mod account;
pub mod account_settings;
pub mod aliases;
pub mod boundaries;
pub mod certificates;
pub mod context_keys;
pub mod delegation;
pub mod door;
pub mod groups;
pub mod inline;
pub mod instance_profiles;
pub mod keys;
pub mod managed;
pub mod mfa;
pub mod operations;
pub mod org_features;
pub mod org_reports;
pub mod passwords;
pub mod providers;
pub mod reports;
pub mod roles;
pub mod service_credentials;
pub mod service_linked_roles;
pub mod simulate;
pub mod ssh_keys;
pub mod tags;
pub mod users;

use super::{require_signed, Ctx, IAM_NAMESPACE};
use crate::auth::Caller;
use crate::authorize::{authorize, Resource};
use crate::error::{AwsError, AwsResult, Query};
use crate::http::HttpResponse;
use crate::protocol::model::Model;
use crate::protocol::query::{self, Params};
use crate::protocol::xml::Xml;
use crate::state::State;
use iam_evaluator::validate::WriteTarget;
use iam_evaluator::RequestContext;

/// One IAM call being served.
pub struct Call<'a> {
    pub ctx: &'a Ctx<'a>,
    pub caller: &'a Caller,
    /// The operation's row in [`operations::OPERATIONS`].
    pub operation: &'static operations::Operation,
    pub params: &'a Params,
    /// The caller's account: IAM acts on the caller's own account.
    pub account: String,
}

impl Call<'_> {
    /// Decides `action` on `resource` with the request's context keys and
    /// enforces it: the one question [`door`] asks, for each row.
    fn authorize_with(
        &self,
        state: &State,
        action: &str,
        resource: &str,
        context: RequestContext,
        resource_policies: Vec<iam_evaluator::NamedPolicy>,
    ) -> AwsResult<()> {
        // AWS managed policies are authorized as the caller's own: the
        // evaluator's `Request::owning_account` says so.
        let mut question = Resource::Iam(resource_tags(state, resource))
            .question(action, resource, self.caller)
            .with_request_keys(context);
        // A delegation request's owner's default permissions.
        question.resource_policies.extend(resource_policies);
        authorize(self.ctx, state, self.caller, question)
    }

    pub fn arn(&self, kind: &str, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{kind}{path}{name}", self.account)
    }
}

/// An operation's handler: it reads the request, acts on the state and
/// writes the reply's result. The door has authorized the call already.
pub type Handler = fn(&mut State, &Call) -> AwsResult<Xml>;

pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    let params = Params::parse(ctx.req.raw_query.as_deref(), &ctx.req.body);
    let action = params.action().unwrap_or_default().to_string();
    let result = require_signed(caller)
        .and_then(|()| refuse_session_token_credentials(ctx, caller))
        .and_then(|()| {
            let operation = operations::find(&action).ok_or_else(|| unserved(&action))?;
            // AWS checks the request against the model before it authorizes.
            Model::iam().validate(&action, &params)?;
            let call = Call {
                ctx,
                caller,
                operation,
                params: &params,
                account: caller.account.clone().unwrap_or_default(),
            };
            let mut state = ctx.shared.state();
            // The account exists from its first call on; asking for it
            // mutably when it does would count it as written, and every
            // read would rewrite the account's record on disk.
            if state.account(&call.account).is_none() {
                state.account_mut(&call.account);
            }
            door::authorize(&state, &call)?;
            (operation.handler)(&mut state, &call)
        });
    match result {
        Ok(xml) => {
            let body = query::response(&action, IAM_NAMESPACE, ctx.request_id, |x| *x = xml);
            let body = with_empty_result(&action, body);
            HttpResponse::xml(200, body).with_header("x-amzn-requestid", ctx.request_id)
        }
        Err(err) => super::error_response(crate::services::Service::Iam, &err, ctx.request_id),
    }
}

/// The error for an action with no row: botocore's operations not served
/// yet say so; anything else is not an IAM operation.
fn unserved(action: &str) -> AwsError {
    if action.is_empty() {
        AwsError::new(Query::MissingAction, "Missing Action")
    } else if operations::NOT_SERVED.contains(&action) {
        AwsError::new(
            Query::NotImplemented,
            format!("IAM {action} is not implemented by iam-emulator yet."),
        )
    } else {
        AwsError::new(
            Query::InvalidAction,
            format!("Could not find operation {action} for version 2010-05-08"),
        )
    }
}

/// UpdateRole is the one IAM action whose reply holds an empty result
/// element (`<UpdateRoleResult/>`, which SDKs look for); the Query writer
/// leaves empty results out, so it is put back here.
fn with_empty_result(action: &str, body: String) -> String {
    const EMPTY_RESULT: &[&str] = &["UpdateRole"];
    let result = format!("<{action}Result>");
    if !EMPTY_RESULT.contains(&action) || body.contains(&result) {
        return body;
    }
    body.replacen(
        "<ResponseMetadata>",
        &format!("{result}</{action}Result><ResponseMetadata>"),
        1,
    )
}

/// IAM refuses credentials from GetSessionToken unless the session was
/// created with MFA ("You cannot call any IAM API operations unless MFA
/// authentication information is included in the request", IAM User
/// Guide, "Permissions for GetSessionToken"). AWS answers as for a bad
/// key, before any policy is read: it is a rule about which credentials
/// IAM accepts, like an expired token, not a decision of the policies, so
/// it stays at IAM's entrance rather than in the evaluator.
fn refuse_session_token_credentials(ctx: &Ctx, caller: &Caller) -> AwsResult<()> {
    let Some(key) = &caller.access_key else {
        return Ok(());
    };
    let state = ctx.shared.state();
    match state.sessions.get(key) {
        // Federated users' sessions are refused by the evaluator's
        // FederatedUserApiLimits, with the decision logged. An AssumeRoot
        // session (a root session with its task policy; GetSessionToken
        // takes no policy) is made for IAM's privileged tasks.
        Some(session)
            if session.role_name.is_none()
                && session.mfa_authenticated.is_none()
                && session.session_policies.is_empty()
                && !session.principal_arn.contains(":federated-user/") =>
        {
            Err(crate::auth::invalid_key())
        }
        _ => Ok(()),
    }
}

// ---- validation shared by the handlers ----

/// IAM entity names: 1–`max` characters of `[\w+=,.@-]`.
pub fn check_name(field: &str, value: &str, max: usize) -> AwsResult<()> {
    let ok = !value.is_empty()
        && value.chars().count() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AwsError::validation(format!(
            "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
            crate::error::lower_first(field)
        )))
    }
}

/// Paths: `/` or `/…/`, at most 512 characters of printable ASCII.
pub fn check_path(value: &str) -> AwsResult<()> {
    let ok = value.len() <= 512
        && value.starts_with('/')
        && value.ends_with('/')
        && value.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AwsError::validation(
            "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
        ))
    }
}

/// Checks a policy document as IAM does on every write
/// ([`iam_evaluator::validate::check_write`]: IAM's checks, order and
/// `MalformedPolicyDocument` messages) and keeps it with its parsed form.
pub fn parse_document(text: &str, target: WriteTarget) -> AwsResult<crate::state::iam::Document> {
    let parsed = iam_evaluator::validate::check_write(text, target)
        .map_err(|e| AwsError::malformed_policy(e.iam_message()))?;
    Ok(crate::state::iam::Document {
        text: text.into(),
        parsed: std::sync::Arc::new(parsed),
    })
}

/// Reads a policy given to the simulator: it is not stored, so only its
/// syntax is checked.
pub fn simulation_document(text: &str) -> AwsResult<crate::state::iam::Document> {
    let parsed = iam_evaluator::Policy::parse(text)
        .map_err(|_| AwsError::malformed_policy("Syntax errors in policy."))?;
    Ok(crate::state::iam::Document {
        text: text.into(),
        parsed: std::sync::Arc::new(parsed),
    })
}

/// A policy document as IAM returns it: URL-encoded (RFC 3986).
pub fn encode_document(text: &str) -> String {
    crate::protocol::percent::uri_encode(text)
}

/// One page of a listing: `Marker` / `MaxItems` in, `IsTruncated` / `Marker` out.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_marker: Option<String>,
}

/// Pages `items` as IAM does (default 100 items, at most 1000).
pub fn paginate<T>(params: &Params, items: Vec<T>) -> AwsResult<Page<T>> {
    let max = usize::try_from(params.int("MaxItems", 1, 1000)?.unwrap_or(100)).unwrap_or(100);
    let start = match params.get("Marker") {
        Some(marker) => marker
            .strip_prefix("m")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| AwsError::validation("Invalid Marker."))?,
        None => 0,
    };
    let end = (start + max).min(items.len());
    let next_marker = (end < items.len()).then(|| format!("m{end}"));
    let items = items.into_iter().skip(start).take(end - start).collect();
    Ok(Page { items, next_marker })
}

/// Writes `<IsTruncated>` and `<Marker>`.
pub fn page_tail(x: &mut Xml, next_marker: Option<&str>) {
    x.elem(
        "IsTruncated",
        if next_marker.is_some() { "true" } else { "false" },
    );
    x.opt("Marker", next_marker);
}

/// Writes `<Tags><member><Key>…</Key><Value>…</Value></member>…</Tags>`.
pub fn tags_xml(x: &mut Xml, tags: &[(String, String)]) {
    if tags.is_empty() {
        return;
    }
    x.with("Tags", |x| {
        for (k, v) in tags {
            x.with("member", |x| {
                x.elem("Key", k);
                x.elem("Value", v);
            });
        }
    });
}

/// The request's `Tags.member.N` (their lengths, patterns and number are
/// the model's, checked before the handler): a key may appear once, case
/// aside ("Tag keys are case insensitive").
pub fn read_tags(params: &Params) -> AwsResult<Vec<(String, String)>> {
    let tags = params.pairs("Tags", "Key", "Value");
    let mut seen: Vec<String> = Vec::with_capacity(tags.len());
    for (k, _) in &tags {
        let k = crate::state::iam::key(k);
        if seen.contains(&k) {
            return Err(AwsError::invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        seen.push(k);
    }
    Ok(tags)
}

/// `aws:RequestTag/*` and `aws:TagKeys` for calls that carry tags.
pub fn tag_context(tags: &[(String, String)]) -> RequestContext {
    let mut ctx = RequestContext::new();
    for (k, v) in tags {
        ctx.set(&format!("aws:RequestTag/{k}"), v.clone());
    }
    if !tags.is_empty() {
        ctx.set_multi("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()));
    }
    ctx
}

/// Tags of the IAM resource `resource` names (a user, role, customer
/// managed policy, MFA device, provider, instance profile or server
/// certificate), in the account its ARN names; none for anything else.
pub fn resource_tags<'s>(state: &'s State, resource: &str) -> &'s [(String, String)] {
    let Some(account) = resource.split(':').nth(4).and_then(|a| state.account(a)) else {
        return &[];
    };
    if let Some(policy) = account.policies.get(resource) {
        return &policy.tags;
    }
    if let Some(device) = account.credentials.mfa_devices.get(resource) {
        return &device.tags;
    }
    // The entity is found by the name that ends its ARN (names are
    // unique per account), then the whole ARN is compared: a scan of
    // every user made each call on a user cost O(users).
    let name = resource.rsplit('/').next().unwrap_or_default();
    let tags = match resource.split(':').nth(5) {
        Some(r) if r.starts_with("user/") => account
            .users
            .get(&crate::state::iam::key(name))
            .filter(|u| u.arn == resource)
            .map(|u| &u.tags),
        Some(r) if r.starts_with("role/") => account
            .roles
            .get(&crate::state::iam::key(name))
            .filter(|r| r.arn == resource)
            .map(|r| &r.tags),
        Some(r) if r.starts_with("oidc-provider/") => account.oidc_provider(resource).map(|p| &p.tags),
        Some(r) if r.starts_with("saml-provider/") => account.saml_provider(resource).map(|p| &p.tags),
        Some(r) if r.starts_with("instance-profile/") => account
            .instance_profiles
            .get(&crate::state::iam::key(name))
            .filter(|p| p.arn == resource)
            .map(|p| &p.tags),
        Some(r) if r.starts_with("server-certificate/") => account
            .credentials
            .server_certificates
            .get(&crate::state::iam::key(name))
            .filter(|c| c.arn == resource)
            .map(|c| &c.tags),
        _ => None,
    };
    tags.map_or(&[], Vec::as_slice)
}
