//! IAM temporary delegation: a partner asks for temporary access to a
//! customer's account (CreateDelegationRequest); the customer associates
//! the request with an identity of its account, may forward it for
//! approval (UpdateDelegationRequest), accepts or rejects it, and sends the
//! exchange token (SendDelegationToken); both read it
//! (Get/ListDelegationRequests, GetHumanReadableSummary).
//!
//! Lifecycle (IAM User Guide, "Understanding the Request Lifecycle"):
//! UNASSIGNED → ASSIGNED (associate) → PENDING_APPROVAL (update) →
//! ACCEPTED → FINALIZED (token sent); ASSIGNED, PENDING_APPROVAL and
//! ACCEPTED may be REJECTED ("Once a request is rejected, it cannot be
//! accepted or updated later. Rejected requests expire after 7 days"); a
//! request not finalized by its expiry is EXPIRED.
//!
//! Permissions: the request's ARN names its owner account once known
//! (before, the caller's). "Once the delegation request is fully owned, the
//! owner of the request gets a default permission to get that delegation
//! request" (and to update it): the door asks the evaluator with a
//! resource-based policy granting the owner that, and, for a request the
//! partner marked `OnlySendByOwner`, denying SendDelegationToken to anyone
//! else ([`default_permissions`]). So a caller of another account than the
//! owner's is refused by the evaluator's cross-account rule.
//!
//! Policy templates: AWS registers a partner's templates at onboarding; the
//! emulator takes the customer managed policy `PolicyTemplateArn` names in
//! the partner's account as its template, and substitutes the request's
//! parameters for its `@{name}` placeholders.

use super::operations::On;
use super::Call;
use crate::authorize::Resource;
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::delegation::{DelegationRequest, DelegationState, PolicyParameter};
use crate::state::State;
use iam_evaluator::policy::Effect;
use iam_evaluator::validate::{policy_size, WriteTarget};
use iam_evaluator::{NamedPolicy, Policy};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// "The final rendered policy has a maximum size limit of 2048 characters"
/// (IAM User Guide, "Policy templates").
const MAX_RENDERED_POLICY: usize = 2048;
/// How long a request waits in each open state before it expires, and how
/// long a rejected one is kept ("Rejected requests expire after 7 days").
const OPEN_FOR: Duration = Duration::days(7);

// ---- finding a request ----

fn no_such_request(id: &str) -> AwsError {
    AwsError::no_such_entity(format!("The delegation request with id {id} cannot be found."))
}

/// The request with id `id`, in whichever partner account holds it.
fn find<'s>(state: &'s State, id: &str) -> Option<&'s DelegationRequest> {
    state
        .accounts
        .values()
        .find_map(|account| account.delegation_requests.get(id))
}

fn find_mut<'s>(state: &'s mut State, id: &str) -> AwsResult<&'s mut DelegationRequest> {
    let holder = state
        .accounts
        .values()
        .find(|account| account.delegation_requests.contains_key(id))
        .map(|account| account.id.clone())
        .ok_or_else(|| no_such_request(id))?;
    state
        .account_mut(&holder)
        .delegation_requests
        .get_mut(id)
        .ok_or_else(|| no_such_request(id))
}

/// The id in `arn:aws:iam::ACCT:delegation-request/ID`.
fn id_of_arn(arn: &str) -> Option<&str> {
    let parsed = iam_evaluator::arn::Arn::parse(arn).filter(|a| a.service == "iam")?;
    parsed.resource.strip_prefix("delegation-request/")
}

/// The request the row's resource names, and its ARN (the door's question).
pub fn target<'s>(state: &'s State, call: &Call, on: On) -> Option<(&'s DelegationRequest, String)> {
    let id = match on {
        On::DelegationRequest(member) => call.params.get(member)?,
        On::DelegationRequestArn(member) => id_of_arn(call.params.get(member)?)?,
        _ => return None,
    };
    let request = find(state, id)?;
    Some((request, arn(request, &call.account)))
}

fn arn(request: &DelegationRequest, caller_account: &str) -> String {
    format!(
        "arn:aws:iam::{}:delegation-request/{}",
        request.arn_account(caller_account),
        request.id
    )
}

/// The request's default permissions, as a resource-based policy on `arn`:
/// its owner may read and update it; with `OnlySendByOwner`, no one else
/// may send its token.
pub fn default_permissions(request: &DelegationRequest, arn: &str) -> NamedPolicy {
    let mut statements = Vec::new();
    if let Some(owner) = &request.owner_id {
        statements.push(serde_json::json!({
            "Sid": "OwnerDefaultPermissions",
            "Effect": "Allow",
            "Principal": {"AWS": owner},
            "Action": ["iam:GetDelegationRequest", "iam:UpdateDelegationRequest", "iam:GetHumanReadableSummary"],
            "Resource": arn,
        }));
    }
    if request.only_send_by_owner {
        // The owner as `aws:PrincipalArn` names it (a role session by its role).
        let owner_principal = request
            .owner_id
            .as_deref()
            .and_then(|owner| iam_evaluator::Principal::from_arn(owner).ok())
            .and_then(|owner| {
                let mut context = iam_evaluator::RequestContext::new();
                context.add_principal_keys(&owner);
                match context.get("aws:PrincipalArn") {
                    Some(iam_evaluator::ContextValue::Single(arn)) => Some(arn.clone()),
                    _ => None,
                }
            });
        let deny = match owner_principal {
            Some(owner) => serde_json::json!({
                "Sid": "OnlySendByOwner",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "iam:SendDelegationToken",
                "Resource": arn,
                "Condition": {"StringNotEquals": {"aws:PrincipalArn": owner}},
            }),
            None => serde_json::json!({
                "Sid": "OnlySendByOwner",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "iam:SendDelegationToken",
                "Resource": arn,
            }),
        };
        statements.push(deny);
    }
    let text = serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let policy = Policy::parse(&text).unwrap_or(Policy {
        version: None,
        id: None,
        statements: Vec::new(),
    });
    NamedPolicy {
        name: format!("default permissions of delegation request {}", request.id).into(),
        policy: Arc::new(policy),
    }
}

// ---- CreateDelegationRequest ----

/// `Permissions.Parameters.member.N`.
fn parameters(call: &Call) -> Vec<PolicyParameter> {
    let mut out = Vec::new();
    for n in 1.. {
        let prefix = format!("Permissions.Parameters.member.{n}");
        let name = call.params.get(&format!("{prefix}.Name"));
        let kind = call.params.get(&format!("{prefix}.Type"));
        let values = call.params.list(&format!("{prefix}.Values"));
        if name.is_none() && kind.is_none() && values.is_empty() {
            break;
        }
        out.push(PolicyParameter {
            name: name.unwrap_or_default().to_string(),
            kind: kind.unwrap_or("string").to_string(),
            values,
        });
    }
    out
}

/// The template with each `@{name}` replaced: a `string` parameter by its
/// value; a `stringList` one, standing alone as a JSON string
/// (`"@{names}"`), by the JSON array of its values.
fn render(template: &str, parameters: &[PolicyParameter]) -> AwsResult<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("@{") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + len];
        let parameter = parameters.iter().find(|p| p.name == name).ok_or_else(|| {
            AwsError::invalid_input(format!("The policy template parameter {name} has no value."))
        })?;
        let whole_string = out_ends_with_quote(&rest[..start]) && rest[start + len + 1..].starts_with('"');
        if parameter.kind == "stringList" {
            if !whole_string {
                return Err(AwsError::invalid_input(format!(
                    "The stringList parameter {name} must stand for a whole JSON string in the template."
                )));
            }
            out.push_str(&rest[..start - 1]);
            out.push_str(&serde_json::Value::from(parameter.values.clone()).to_string());
            rest = &rest[start + len + 2..];
            continue;
        }
        let [value] = parameter.values.as_slice() else {
            return Err(AwsError::invalid_input(format!(
                "The string parameter {name} takes exactly one value."
            )));
        };
        out.push_str(&rest[..start]);
        // The value goes inside a JSON string: escaped as one.
        let quoted = serde_json::Value::from(value.as_str()).to_string();
        out.push_str(&quoted[1..quoted.len() - 1]);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn out_ends_with_quote(before: &str) -> bool {
    before.ends_with('"')
}

/// The permissions boundaries the policy requires of the roles it lets the
/// partner create (`iam:PermissionsBoundary` conditions of statements
/// allowing `iam:CreateRole`).
fn boundary_arns(policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &policy.statements {
        if s.effect != Effect::Allow || !iam_evaluator::statement::covers_action(s, "iam:CreateRole") {
            continue;
        }
        for c in &s.conditions {
            if c.key.eq_ignore_ascii_case("iam:PermissionsBoundary") {
                for v in &c.values {
                    if !out.contains(v) {
                        out.push(v.clone());
                    }
                }
            }
        }
    }
    out
}

pub fn create_delegation_request(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let template_arn = call
        .params
        .get("Permissions.PolicyTemplateArn")
        .ok_or_else(|| AwsError::invalid_input("Permissions must name a PolicyTemplateArn."))?
        .to_string();
    let channel = call.params.required("NotificationChannel")?.to_string();
    if !channel.starts_with("arn:aws:sns:") {
        return Err(AwsError::invalid_input(format!(
            "NotificationChannel {channel} is not an SNS topic ARN."
        )));
    }
    let workflow_id = call.params.required("RequestorWorkflowId")?.to_string();
    let duration = call.params.int("SessionDuration", 300, 43200)?.unwrap_or(3600);
    let parameters = parameters(call);
    let template = crate::authorize::managed_document(state, &call.account, &template_arn)
        .filter(|_| !template_arn.starts_with("arn:aws:iam::aws:"))
        .ok_or_else(|| {
            AwsError::invalid_input(format!(
                "The policy template {template_arn} is not registered for this account."
            ))
        })?;
    let rendered = render(&template.text, &parameters)?;
    if policy_size(&rendered) > MAX_RENDERED_POLICY {
        return Err(AwsError::limit_exceeded(format!(
            "The rendered permission policy exceeds the maximum size of {MAX_RENDERED_POLICY} characters."
        )));
    }
    let parsed = iam_evaluator::validate::check_write(&rendered, WriteTarget::InlinePolicy).map_err(|e| {
        AwsError::invalid_input(format!(
            "The rendered permission policy is invalid: {}",
            e.iam_message()
        ))
    })?;
    let account = state.account_mut(&call.account);
    if account
        .delegation_requests
        .values()
        .any(|r| r.workflow_id == workflow_id)
    {
        return Err(AwsError::already_exists(format!(
            "A delegation request with RequestorWorkflowId {workflow_id} already exists."
        )));
    }
    let now = call.ctx.shared.now();
    let id = ids::request_id();
    let request = DelegationRequest {
        id: id.clone(),
        requestor_account: call.account.clone(),
        requestor_name: account.credentials.alias.clone(),
        owner_account: call.params.get("OwnerAccountId").map(str::to_string),
        owner_id: None,
        approver_id: None,
        description: call.params.required("Description")?.to_string(),
        request_message: call.params.get("RequestMessage").map(str::to_string),
        template_arn,
        parameters,
        permission_policy: rendered,
        boundary_arns: boundary_arns(&parsed),
        workflow_id,
        redirect_url: call.params.get("RedirectUrl").map(str::to_string),
        notification_channel: channel,
        session_duration: duration,
        only_send_by_owner: call.params.bool("OnlySendByOwner").unwrap_or(false),
        state: DelegationState::Unassigned,
        notes: None,
        rejection_reason: None,
        created: now,
        updated: now,
        expires: now + OPEN_FOR,
    };
    account.delegation_requests.insert(id.clone(), request);
    let mut x = Xml::default();
    x.elem(
        "ConsoleDeepLink",
        &format!("https://console.aws.amazon.com/iam/home#/temporary-delegation/requests/{id}"),
    );
    x.elem("DelegationRequestId", &id);
    Ok(x)
}

// ---- reading ----

fn request_xml(x: &mut Xml, r: &DelegationRequest, now: OffsetDateTime) {
    x.elem("DelegationRequestId", &r.id);
    x.opt("OwnerAccountId", r.owner_account.as_deref());
    x.elem("Description", &r.description);
    x.opt("RequestMessage", r.request_message.as_deref());
    x.with("Permissions", |x| {
        x.elem("PolicyTemplateArn", &r.template_arn);
        if !r.parameters.is_empty() {
            x.with("Parameters", |x| {
                for p in &r.parameters {
                    x.with("member", |x| {
                        x.elem("Name", &p.name);
                        x.with("Values", |x| {
                            for v in &p.values {
                                x.elem("member", v);
                            }
                        });
                        x.elem("Type", &p.kind);
                    });
                }
            });
        }
    });
    x.elem("PermissionPolicy", &r.permission_policy);
    if !r.boundary_arns.is_empty() {
        x.with("RolePermissionRestrictionArns", |x| {
            for arn in &r.boundary_arns {
                x.elem("member", arn);
            }
        });
    }
    x.opt("OwnerId", r.owner_id.as_deref());
    x.opt("ApproverId", r.approver_id.as_deref());
    x.elem("State", r.state_at(now).as_str());
    x.elem("ExpirationTime", &ids::iso8601(r.expires));
    x.elem("RequestorId", &r.requestor_account);
    x.opt("RequestorName", r.requestor_name.as_deref());
    x.elem("CreateDate", &ids::iso8601(r.created));
    x.elem("SessionDuration", &r.session_duration.to_string());
    x.opt("RedirectUrl", r.redirect_url.as_deref());
    x.opt("Notes", r.notes.as_deref());
    x.opt("RejectionReason", r.rejection_reason.as_deref());
    x.elem(
        "OnlySendByOwner",
        if r.only_send_by_owner { "true" } else { "false" },
    );
    x.elem("UpdatedTime", &ids::iso8601(r.updated));
}

fn required_request<'s>(state: &'s State, call: &Call) -> AwsResult<&'s DelegationRequest> {
    let id = call.params.required("DelegationRequestId")?;
    find(state, id).ok_or_else(|| no_such_request(id))
}

pub fn get_delegation_request(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let request = required_request(state, call)?;
    let mut x = Xml::default();
    x.with("DelegationRequest", |x| {
        request_xml(x, request, call.ctx.shared.now());
    });
    if call.params.bool("DelegationPermissionCheck") == Some(true) {
        x.elem("PermissionCheckStatus", "COMPLETE");
        x.elem("PermissionCheckResult", permission_check(state, call, request));
    }
    Ok(x)
}

/// Whether the caller holds the permissions the request asks for: each
/// action and resource an `Allow` statement names, asked of the evaluator
/// with the caller's own policies. A pattern, a `NotAction`/`NotResource`
/// or a condition leaves the answer `UNSURE` unless something is denied.
fn permission_check(state: &State, call: &Call, request: &DelegationRequest) -> &'static str {
    let Ok(policy) = Policy::parse(&request.permission_policy) else {
        return "UNSURE";
    };
    let (mut denied, mut unsure) = (false, false);
    for s in policy.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let resources: Vec<&str> = match &s.resource {
            Some(r) if !r.negated => r.items.iter().map(String::as_str).collect(),
            _ => {
                unsure = true;
                continue;
            }
        };
        unsure |= s.action.negated || !s.conditions.is_empty();
        for action in s.action.items.iter().filter(|_| !s.action.negated) {
            for resource in &resources {
                let pattern = |t: &str| t.contains(['*', '?']) && t != "*";
                if action.contains(['*', '?']) || pattern(resource) {
                    unsure = true;
                    continue;
                }
                let question = Resource::Iam(super::resource_tags(state, resource)).question(
                    action,
                    resource,
                    call.caller,
                );
                let decision = crate::authorize::decide(call.ctx, state, call.caller, question);
                denied |= !decision.is_allowed();
            }
        }
    }
    if denied {
        "DENIED"
    } else if unsure {
        "UNSURE"
    } else {
        "ALLOWED"
    }
}

/// The requests owned within the caller's account (a request without an
/// owner is not listed, "even if it is assigned to a specific account"),
/// `OwnerId` narrowing them to one owner.
pub fn list_delegation_requests(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let owner = call.params.get("OwnerId");
    let mut requests: Vec<&DelegationRequest> = state
        .accounts
        .values()
        .flat_map(|a| a.delegation_requests.values())
        .filter(|r| r.owner_account.as_deref() == Some(call.account.as_str()))
        .filter(|r| r.owner_id.is_some() && owner.is_none_or(|o| r.owner_id.as_deref() == Some(o)))
        .collect();
    requests.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    let page = super::paginate(call.params, requests)?;
    let now = call.ctx.shared.now();
    let mut x = Xml::default();
    x.with("DelegationRequests", |x| {
        for r in &page.items {
            x.with("member", |x| request_xml(x, r, now));
        }
    });
    // This reply spells the flag `isTruncated` (botocore's model).
    x.opt("Marker", page.next_marker.as_deref());
    x.elem(
        "isTruncated",
        if page.next_marker.is_some() {
            "true"
        } else {
            "false"
        },
    );
    Ok(x)
}

// ---- the lifecycle ----

/// Moves the request `DelegationRequestId` on, if its state (at `now`) is
/// one of `from`.
fn transition(
    state: &mut State,
    call: &Call,
    from: &[DelegationState],
    change: impl FnOnce(&mut DelegationRequest, &Call, OffsetDateTime),
) -> AwsResult<Xml> {
    let id = call.params.required("DelegationRequestId")?.to_string();
    let now = call.ctx.shared.now();
    let request = find_mut(state, &id)?;
    let current = request.state_at(now);
    if !from.contains(&current) {
        return Err(AwsError::invalid_input(format!(
            "The delegation request {id} is {}: {} is not possible in that state.",
            current.as_str(),
            call.operation.name
        )));
    }
    change(request, call, now);
    request.updated = now;
    Ok(Xml::default())
}

use DelegationState::{Accepted, Assigned, PendingApproval, Unassigned};

pub fn associate_delegation_request(state: &mut State, call: &Call) -> AwsResult<Xml> {
    transition(state, call, &[Unassigned], |r, call, _| {
        r.owner_account = Some(call.account.clone());
        r.owner_id = Some(call.caller.principal.arn.clone());
        r.state = Assigned;
    })
}

pub fn update_delegation_request(state: &mut State, call: &Call) -> AwsResult<Xml> {
    transition(state, call, &[Assigned, PendingApproval], |r, call, _| {
        if let Some(notes) = call.params.get("Notes") {
            r.notes = Some(notes.to_string());
        }
        r.state = PendingApproval;
    })
}

pub fn accept_delegation_request(state: &mut State, call: &Call) -> AwsResult<Xml> {
    transition(state, call, &[Assigned, PendingApproval], |r, call, _| {
        r.approver_id = Some(call.caller.principal.arn.clone());
        r.state = Accepted;
    })
}

pub fn reject_delegation_request(state: &mut State, call: &Call) -> AwsResult<Xml> {
    transition(
        state,
        call,
        &[Assigned, PendingApproval, Accepted],
        |r, call, now| {
            r.rejection_reason = call.params.get("Notes").map(str::to_string);
            r.state = DelegationState::Rejected;
            r.expires = now + OPEN_FOR;
        },
    )
}

/// Releases the exchange token: the delegated session's time starts now.
pub fn send_delegation_token(state: &mut State, call: &Call) -> AwsResult<Xml> {
    transition(state, call, &[Accepted], |r, _, now| {
        r.state = DelegationState::Finalized;
        r.expires = now + Duration::seconds(r.session_duration);
    })
}

// ---- GetHumanReadableSummary ----

/// Locales the summary is written in.
fn is_english(locale: &str) -> bool {
    let lower = locale.to_ascii_lowercase();
    lower == "en" || lower.starts_with("en-") || lower.starts_with("en_")
}

pub fn get_human_readable_summary(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("EntityArn")?;
    let id = id_of_arn(arn).ok_or_else(|| {
        AwsError::invalid_input(format!(
            "{arn} cannot be summarized: the only supported entity type is delegation-request."
        ))
    })?;
    let request = find(state, id).ok_or_else(|| no_such_request(id))?;
    let locale = call.params.get("Locale").unwrap_or("en");
    let mut x = Xml::default();
    if is_english(locale) {
        x.elem("SummaryContent", &summary(request));
        x.elem("Locale", locale);
        x.elem("SummaryState", "AVAILABLE");
    } else {
        x.elem("Locale", locale);
        x.elem("SummaryState", "NOT_SUPPORTED");
    }
    Ok(x)
}

/// The request in words: who asks, for how long, why, and what its
/// permission policy allows ([`iam_evaluator::summary`]).
fn summary(r: &DelegationRequest) -> String {
    let requestor = match &r.requestor_name {
        Some(name) => format!("account {} ({name})", r.requestor_account),
        None => format!("account {}", r.requestor_account),
    };
    let target = match &r.owner_account {
        Some(account) => format!("account {account}"),
        None => "an account not chosen yet".to_string(),
    };
    let mut out = format!(
        "Delegation request {} from {requestor} asks for temporary access to {target} for {}. {}",
        r.id,
        duration_words(r.session_duration),
        r.description.trim()
    );
    if let Ok(policy) = Policy::parse(&r.permission_policy) {
        out.push('\n');
        out.push_str(&iam_evaluator::summary::summarize(&policy));
    }
    if !r.boundary_arns.is_empty() {
        out.push_str("\nRoles it creates must have the permissions boundary ");
        out.push_str(&r.boundary_arns.join(" or "));
        out.push('.');
    }
    out
}

/// `3600` → `1 hour`, `5400` → `1 hour 30 minutes`.
fn duration_words(seconds: i64) -> String {
    let (hours, minutes) = (seconds / 3600, seconds % 3600 / 60);
    let unit = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (hours, minutes) {
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, kind: &str, values: &[&str]) -> PolicyParameter {
        PolicyParameter {
            name: name.into(),
            kind: kind.into(),
            values: values.iter().map(|v| (*v).to_string()).collect(),
        }
    }

    #[test]
    fn templates_take_string_and_list_parameters() {
        let template = r#"{"Resource":"arn:aws:s3:::@{bucket}/*","Action":"@{actions}"}"#;
        let rendered = render(
            template,
            &[
                param("bucket", "string", &["data\"x"]),
                param("actions", "stringList", &["s3:GetObject", "s3:PutObject"]),
            ],
        )
        .unwrap();
        assert_eq!(
            rendered,
            r#"{"Resource":"arn:aws:s3:::data\"x/*","Action":["s3:GetObject","s3:PutObject"]}"#
        );
        assert!(render(template, &[]).is_err());
        assert!(render(r#"{"a":"x@{l}"}"#, &[param("l", "stringList", &["a"])]).is_err());
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration_words(3600), "1 hour");
        assert_eq!(duration_words(5400), "1 hour 30 minutes");
        assert_eq!(duration_words(300), "5 minutes");
        assert_eq!(duration_words(43200), "12 hours");
    }
}
