//! `who-can ACTION RESOURCE`: every principal in the state that would be
//! allowed, each with the statements that grant it — the roots, users
//! (their groups' policies included) and roles of every account, the
//! anonymous caller, and accounts outside the state that the resource's
//! policy names. Each one is decided as request authorization would
//! decide it ([`super::subjects::Subject::decide`]).

use super::subjects::{self, Subject, SubjectKind};
use super::targets::Target;
use crate::state::State;
use iam_evaluator::{Decision, PolicyType, Principal, StatementRef};
use serde::Serialize;
use std::collections::BTreeSet;

/// A statement that grants, and whether a condition limits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    #[serde(flatten)]
    pub statement: StatementRef,
    /// The statement has a `Condition`: it granted without the
    /// request-only keys, but a real request must meet it too.
    pub conditional: bool,
}

/// One principal that is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Allowed {
    pub principal: String,
    pub kind: SubjectKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The policy type whose statements granted (none: the owner's root).
    pub decided_by: Option<PolicyType>,
    pub granted_by: Vec<Grant>,
    /// In words, for people.
    pub reason: String,
}

/// The answer to `who-can`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCan {
    pub action: String,
    pub resource: String,
    /// How many principals were asked about.
    pub evaluated: usize,
    pub allowed: Vec<Allowed>,
}

/// Who may do `action` on `resource`.
pub fn who_can(state: &State, action: &str, resource: &str) -> WhoCan {
    let target = Target::resolve(state, resource);
    let mut candidates = subjects::all(state);
    candidates.extend(outside_accounts(state, action, &target));
    let allowed = candidates
        .iter()
        .filter_map(|subject| {
            let decision = subject.decide(state, action, &target);
            decision.is_allowed().then(|| allowed(subject, &decision))
        })
        .collect();
    WhoCan {
        action: action.to_string(),
        resource: resource.to_string(),
        evaluated: candidates.len(),
        allowed,
    }
}

/// The subject and what allowed it.
pub fn allowed(subject: &Subject, decision: &Decision) -> Allowed {
    let granted_by = grants(decision);
    let reason = match decision.rule {
        Some(rule) => rule.reason(),
        None => reason(&granted_by),
    };
    Allowed {
        principal: subject.arn.clone(),
        kind: subject.kind,
        groups: subject.groups.clone(),
        decided_by: decision.decided_by,
        granted_by,
        reason,
    }
}

/// The deciding statements of an allowed decision, with whether each has a condition.
pub fn grants(decision: &Decision) -> Vec<Grant> {
    decision
        .deciding
        .iter()
        .map(|statement| Grant {
            conditional: has_condition(decision, statement),
            statement: statement.clone(),
        })
        .collect()
}

fn has_condition(decision: &Decision, statement: &StatementRef) -> bool {
    decision
        .trace
        .iter()
        .find(|t| {
            t.policy_type == statement.policy_type
                && *t.name == *statement.policy_name
                && t.level == statement.level
        })
        .and_then(|t| t.policy.statements.get(statement.index))
        .is_some_and(|s| !s.conditions.is_empty())
}

/// "statement 1 \"Sid\" of identity-based policy \"name\"", joined.
fn reason(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "the account's root user (full access to its own account's resources)".into();
    }
    let words: Vec<String> = grants
        .iter()
        .map(|g| {
            let s = &g.statement;
            let sid = s.sid.as_ref().map(|sid| format!(" {sid:?}")).unwrap_or_default();
            let condition = if g.conditional { " (with a condition)" } else { "" };
            format!(
                "statement {}{sid} of {} {:?}{condition}",
                s.index + 1,
                s.policy_type.aws_name(),
                s.policy_name
            )
        })
        .collect();
    words.join("; ")
}

/// Principals outside the state that the resource's policy names:
/// accounts (as an account id or `:root` ARN, their root standing for the
/// account), service principals and identity providers. The policy is read
/// as it applies to an outsider (Block Public Access may strip its grants).
fn outside_accounts(state: &State, action: &str, target: &Target) -> Vec<Subject> {
    let outsider = crate::auth::Caller::anonymous();
    let question = target.question(action, &outsider);
    let mut accounts = BTreeSet::new();
    let mut others = BTreeSet::new();
    for named in &question.resource_policies {
        for statement in &named.policy.statements {
            let Some(principals) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let named = principals.items.aws.iter();
            accounts.extend(
                named
                    .filter_map(|p| iam_evaluator::arn::account_principal(p))
                    .map(str::to_string),
            );
            others.extend(principals.items.service.iter().map(|s| (true, s.clone())));
            others.extend(principals.items.federated.iter().map(|f| (false, f.clone())));
        }
    }
    accounts
        .into_iter()
        .filter(|a| state.account(a).is_none())
        .map(|a| Subject::root(state, &a, SubjectKind::Account))
        .chain(others.into_iter().map(|(service, name)| {
            let principal = if service {
                Principal::service(&name)
            } else {
                Principal::federated(&name)
            };
            Subject::outsider(state, principal)
        }))
        .collect()
}
