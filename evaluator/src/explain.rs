//! A decision in words and as JSON: what was decided, AWS's message, and
//! for every policy and statement why it did or did not apply. When a
//! statement almost applied, hints say why in plain words: the action
//! never acts on the kind of resource the statement names (the service
//! catalog's resource types), an `Action` entry names no AWS action, or a
//! policy variable had no value. The rules behind the hints are
//! [`crate::validate::action`]'s, the ones validation uses.

use crate::catalog::Catalog;
use crate::condition::ConditionFailure;
use crate::decision::{Decision, Outcome, PolicyTrace, PolicyType, StatementTrace};
use crate::policy::{Effect, Statement};
use crate::principal::PrincipalMatch;
use crate::statement::Mismatch;
use crate::validate::action::{self, Lookup};
use serde_json::{json, Value};
use std::fmt::Write as _;

impl Decision {
    /// One sentence in plain words: why this outcome.
    pub fn summary(&self) -> String {
        let action = &self.action;
        if let Some(rule) = self.rule {
            let verb = if self.is_allowed() { "Allowed" } else { "Denied" };
            return format!("{verb}: {}.", rule.reason());
        }
        match (self.outcome, self.decided_by) {
            (Outcome::Allowed, None) => {
                "Allowed: the caller is the root user of the account that owns the resource.".into()
            }
            (Outcome::Allowed, Some(PolicyType::ResourceBased)) => format!(
                "Allowed: a resource-based policy grants {action} to this caller{}.",
                if self.deciding_kinds().contains(&PolicyType::IdentityBased) { " and an identity-based policy allows it" } else { "" }
            ),
            (Outcome::Allowed, Some(PolicyType::Acl)) => format!(
                "Allowed by the {}{}.",
                self.acl_grants(),
                if self.deciding_kinds().contains(&PolicyType::IdentityBased) { ", and an identity-based policy allows it" } else { "" }
            ),
            (Outcome::Allowed, Some(t)) => format!(
                "Allowed: an Allow statement in {} {} matches, and nothing denies or limits it.",
                article(t),
                t.aws_name()
            ),
            (Outcome::ExplicitDeny, Some(t)) => format!(
                "Denied: a Deny statement in {} {} matches this request. An explicit deny always wins over any Allow.",
                article(t),
                t.aws_name()
            ),
            (Outcome::ImplicitDeny, Some(t)) => format!(
                "Denied: no statement in any {} allows {action} on this resource. Without an Allow, \
                 every request is denied by default{}.",
                t.aws_name(),
                implicit_hint(t)
            ),
            (_, None) => "Denied.".into(),
        }
    }

    /// The ACL grants that decided: `object ACL (AllUsers READ)`.
    fn acl_grants(&self) -> String {
        self.deciding
            .iter()
            .filter(|s| s.policy_type == PolicyType::Acl)
            .map(|s| format!("{} ({})", s.policy_name, s.sid.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" and the ")
    }

    fn deciding_kinds(&self) -> Vec<PolicyType> {
        self.deciding.iter().map(|s| s.policy_type).collect()
    }

    /// The full explanation as text: outcome, AWS's message, and the trace.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Decision: {}", self.outcome.as_str());
        let _ = writeln!(
            out,
            "Request:  {} {} on {}",
            self.principal, self.action, self.resource
        );
        let _ = writeln!(out, "{}", self.summary());
        if let Some(rule) = self.rule {
            let _ = writeln!(out, "AWS rule: {} ({})", rule.name(), rule.source());
        }
        if let Some(message) = self.denial_message(false) {
            let _ = writeln!(out, "AWS says: {message}");
        }
        for d in &self.deciding {
            let _ = writeln!(
                out,
                "Deciding statement: {} {:?}, statement {}{}",
                d.policy_type.aws_name(),
                d.policy_name,
                d.index + 1,
                d.sid
                    .as_ref()
                    .map(|s| format!(" (Sid {s:?})"))
                    .unwrap_or_default()
            );
        }
        if self.trace.is_empty() {
            let _ = writeln!(out, "No policies were evaluated.");
        }
        for policy in &self.trace {
            let _ = writeln!(out, "\n{}", policy_heading(policy));
            if policy.statements.is_empty() {
                let _ = writeln!(out, "  (no statements)");
            }
            for s in &policy.statements {
                let _ = writeln!(out, "  {}", statement_line(policy, s));
                for hint in self.hints(policy, s) {
                    let _ = writeln!(out, "    hint: {hint}");
                }
            }
        }
        out
    }

    /// The decision as JSON (`"decision": "allowed"|"explicitDeny"|"implicitDeny"`).
    pub fn to_json(&self) -> Value {
        json!({
            "decision": self.outcome.as_str(),
            "decidedBy": self.decided_by,
            "summary": self.summary(),
            "message": self.denial_message(false),
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "deciding": self.deciding,
            "rule": self.rule.map(|rule| {
                let mut out = serde_json::to_value(rule).unwrap_or(Value::Null);
                if let Value::Object(fields) = &mut out {
                    fields.insert("reason".into(), rule.reason().into());
                    fields.insert("source".into(), rule.source().into());
                }
                out
            }),
            "trace": self.trace.iter().map(|p| self.policy_json(p)).collect::<Vec<_>>(),
        })
    }

    /// Plain words for a statement that almost applied; empty otherwise.
    pub fn hints(&self, policy: &PolicyTrace, s: &StatementTrace) -> Vec<String> {
        let statement = &policy.policy.statements[s.index];
        match &s.result {
            Err(Mismatch::Action) => unknown_action_hints(statement),
            Err(Mismatch::Resource {
                unresolved_variables, ..
            }) => {
                let mut hints: Vec<String> = self.resource_type_hint(statement).into_iter().collect();
                if !unresolved_variables.is_empty() {
                    hints.push(format!(
                        "the policy variable{} {} had no value in this request, so the Resource entries that use {} match nothing",
                        if unresolved_variables.len() > 1 { "s" } else { "" },
                        unresolved_variables.join(", "),
                        if unresolved_variables.len() > 1 { "them" } else { "it" }
                    ));
                }
                hints
            }
            Ok(_) if self.boundary_overrides_not_principal(policy, statement) => vec![
                "a Deny with NotPrincipal always applies to a caller that has a permissions boundary, whatever \
                 NotPrincipal lists (IAM User Guide, \"AWS JSON policy elements: NotPrincipal\"); use \
                 ArnNotEquals on aws:PrincipalArn instead"
                    .into(),
            ],
            _ => Vec::new(),
        }
    }

    /// A resource policy's `Deny` + `NotPrincipal` applied to a caller whose
    /// permissions boundary was evaluated.
    fn boundary_overrides_not_principal(&self, policy: &PolicyTrace, statement: &Statement) -> bool {
        matches!(
            policy.policy_type,
            PolicyType::ResourceBased | PolicyType::RoleTrust
        ) && statement.effect == Effect::Deny
            && statement.principal.as_ref().is_some_and(|p| p.negated)
            && self
                .trace
                .iter()
                .any(|t| t.policy_type == PolicyType::PermissionsBoundary)
    }

    /// The action never acts on the kind of resource the statement names
    /// (`s3:ListBucket` with only `arn:aws:s3:::b/*`).
    fn resource_type_hint(&self, statement: &Statement) -> Option<String> {
        let (service, known) = Catalog::get().action(&self.action)?;
        let resource = statement.resource.as_ref().filter(|r| !r.negated)?;
        let patterns: Vec<&str> = resource.items.iter().map(String::as_str).collect();
        if action::applies_to_any(service, known, &patterns) {
            return None;
        }
        let name = action::full_name(service, known);
        let request_types: Vec<&str> = service
            .resource_types_for(known, &self.resource)
            .iter()
            .map(|t| t.name)
            .collect();
        let this = if request_types.is_empty() {
            String::new()
        } else {
            format!(" (this request's resource is a {})", request_types.join(" or "))
        };
        Some(format!(
            "{name} acts on {}{this}; none of this statement's Resource entries can name one, so this statement never allows {name}",
            action::resource_types_words(service, known)
        ))
    }

    fn policy_json(&self, policy: &PolicyTrace) -> Value {
        let mut value = policy_json(policy);
        if let Some(list) = value["statements"].as_array_mut() {
            for (entry, s) in list.iter_mut().zip(&policy.statements) {
                entry["hints"] = json!(self.hints(policy, s));
            }
        }
        value
    }
}

/// `Action` entries that name no AWS action (`s3:ListObject`, `kinesis: Get*`).
fn unknown_action_hints(statement: &Statement) -> Vec<String> {
    if statement.action.negated {
        return Vec::new();
    }
    statement
        .action
        .items
        .iter()
        .filter_map(|item| match action::lookup(item) {
            Lookup::UnknownAction { service, name } => Some(format!(
                "Action entry {item:?} names no AWS action, so it never matches: {}",
                action::unknown_action_details(service, item, &name)
            )),
            Lookup::UnknownService { service, suggestion } => Some(format!(
                "Action entry {item:?} names no AWS action, so it never matches: {}",
                action::unknown_service_details(&service, suggestion)
            )),
            _ => None,
        })
        .collect()
}

fn article(t: PolicyType) -> &'static str {
    t.article()
}

fn implicit_hint(t: PolicyType) -> &'static str {
    match t {
        PolicyType::IdentityBased => {
            " (a resource-based policy could also grant it, but none names this caller)"
        }
        PolicyType::RoleTrust => " (a role's trust policy must itself allow the caller to assume it)",
        PolicyType::ResourceBased => {
            " (for a caller from another account, or an anonymous one, the resource's own policy must allow it)"
        }
        PolicyType::PermissionsBoundary => {
            " (a permissions boundary caps what identity policies grant: the action must be allowed by both)"
        }
        PolicyType::Session => " (session policies cap what the role's policies grant for this session)",
        PolicyType::Acl => " (an ACL grants only what its grants' permissions map to)",
        PolicyType::ServiceControl | PolicyType::ResourceControl => {
            " (every level of the organisation, from the root down to the account, must allow it)"
        }
    }
}

fn policy_heading(policy: &PolicyTrace) -> String {
    let level = policy
        .level
        .map(|l| format!(" (level {})", l + 1))
        .unwrap_or_default();
    format!(
        "{} {:?}{level}:",
        capitalised(policy.policy_type.aws_name()),
        policy.name
    )
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn statement_label(policy: &PolicyTrace, s: &StatementTrace) -> String {
    let statement = &policy.policy.statements[s.index];
    let sid = statement
        .sid
        .as_ref()
        .map(|sid| format!(" {sid:?}"))
        .unwrap_or_default();
    format!("statement {}{sid} ({})", s.index + 1, statement.effect.as_str())
}

fn statement_line(policy: &PolicyTrace, s: &StatementTrace) -> String {
    let label = statement_label(policy, s);
    match &s.result {
        Ok(how) => format!("{label}: MATCHES{}", how.map(principal_words).unwrap_or_default()),
        Err(m) => format!("{label}: does not apply: {}", mismatch_words(policy, s, m)),
    }
}

fn principal_words(how: PrincipalMatch) -> &'static str {
    match how {
        PrincipalMatch::Everyone => " (Principal \"*\": everyone)",
        PrincipalMatch::Direct => " (Principal names this caller)",
        PrincipalMatch::Role => " (Principal names the caller's role)",
        PrincipalMatch::Account => {
            " (Principal names the caller's account, which delegates to its identity policies)"
        }
    }
}

fn mismatch_words(policy: &PolicyTrace, s: &StatementTrace, mismatch: &Mismatch) -> String {
    let statement = &policy.policy.statements[s.index];
    let list = |items: &[String]| format!("{items:?}");
    match mismatch {
        Mismatch::Action => format!("the action is not in Action {}", list(&statement.action.items)),
        Mismatch::NotAction => format!(
            "the action is excluded by NotAction {}",
            list(&statement.action.items)
        ),
        Mismatch::Resource {
            substituted,
            unresolved_variables,
        } => {
            let items = statement
                .resource
                .as_ref()
                .map(|r| list(&r.items))
                .unwrap_or_default();
            let mut text = format!("the resource is not in Resource {items}");
            if !substituted.is_empty() {
                let _ = write!(text, " (with this request's values: {})", list(substituted));
            }
            if !unresolved_variables.is_empty() {
                let _ = write!(
                    text,
                    " (no value in the request for {})",
                    unresolved_variables.join(", ")
                );
            }
            text
        }
        Mismatch::NotResource => {
            let items = statement
                .resource
                .as_ref()
                .map(|r| list(&r.items))
                .unwrap_or_default();
            format!("the resource is excluded by NotResource {items}")
        }
        Mismatch::Principal => "the Principal element does not name this caller".into(),
        Mismatch::NotPrincipal => "the caller is excluded by NotPrincipal".into(),
        Mismatch::NoPrincipal => "a resource-based policy statement needs a Principal".into(),
        Mismatch::Condition { failures } => failures
            .iter()
            .map(condition_words)
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn condition_words(f: &ConditionFailure) -> String {
    let request = match &f.request_values {
        None => "the request has no such key".to_string(),
        Some(values) if values.len() == 1 => format!("the request has {:?}", values[0]),
        Some(values) => format!("the request has {values:?}"),
    };
    let mut text = format!(
        "condition {} {{{:?}: {:?}}} is false: {request}",
        f.operator, f.key, f.policy_values
    );
    if !f.unresolved_variables.is_empty() {
        let _ = write!(text, " (no value for {})", f.unresolved_variables.join(", "));
    }
    text
}

fn policy_json(policy: &PolicyTrace) -> Value {
    let statements: Vec<Value> = policy
        .statements
        .iter()
        .map(|s| {
            let statement = &policy.policy.statements[s.index];
            let (matched, principal_match, mismatch, explanation) = match &s.result {
                Ok(how) => (true, *how, None, "matches".to_string()),
                Err(m) => (false, None, Some(m), mismatch_words(policy, s, m)),
            };
            json!({
                "index": s.index,
                "sid": statement.sid,
                "effect": statement.effect,
                "matched": matched,
                "principalMatch": principal_match,
                "mismatch": mismatch,
                "explanation": explanation,
                "statement": statement.to_json(),
            })
        })
        .collect();
    json!({
        "policyType": policy.policy_type,
        "name": &*policy.name,
        "level": policy.level,
        "statements": statements,
    })
}
