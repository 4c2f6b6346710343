//! Does one statement apply to a request? Action, resource, principal and
//! conditions are checked in that order; the first element that does not
//! match is recorded as the [`Mismatch`], which is what the trace explains.

use crate::condition::{self, ConditionFailure};
use crate::decision::Request;
use crate::policy::{Effect, Listed, PrincipalSet, Statement};
use crate::principal::{Principal, PrincipalKind, PrincipalMatch};
use crate::variables::{self, Unresolved};
use crate::{arn, wildcard};
use serde::Serialize;

/// Why a statement does not apply to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "element")]
pub enum Mismatch {
    /// No `Action` pattern matches the action.
    Action,
    /// A `NotAction` pattern matches the action, so it is excluded.
    NotAction,
    /// No `Resource` pattern matches. Patterns with policy variables are
    /// listed as they read after substitution; variables that had no value
    /// are listed too.
    Resource {
        substituted: Vec<String>,
        unresolved_variables: Vec<String>,
    },
    /// A `NotResource` pattern matches the resource, so it is excluded.
    NotResource,
    /// The `Principal` element does not name the caller.
    Principal,
    /// The `NotPrincipal` element names the caller, so it is excluded.
    NotPrincipal,
    /// A resource-based policy statement without `Principal`/`NotPrincipal`.
    NoPrincipal,
    /// One or more conditions do not hold.
    Condition { failures: Vec<ConditionFailure> },
}

/// Whether the statement applies: `Ok` carries how the principal was named
/// (for resource-based policies), `Err` why the statement does not apply.
pub type StatementResult = Result<Option<PrincipalMatch>, Mismatch>;

/// Whether and how a statement's `Principal` / `NotPrincipal` is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principals {
    /// Identity-based, boundary, session, SCP and RCP statements: no
    /// principal element, the policy's holder is the caller.
    Unnamed,
    /// Resource-based statements must name the caller. `caller_has_boundary`:
    /// the caller is an IAM user or role session with a permissions boundary
    /// (AWS: a `Deny` with `NotPrincipal` then always applies).
    Named { caller_has_boundary: bool },
}

/// Checks `statement` against `request`. `principals` is true for
/// resource-based policies, whose statements must name the caller (as
/// [`check_with`] with a caller without a permissions boundary).
pub fn check(
    statement: &Statement,
    request: &Request,
    substitute: bool,
    principals: bool,
) -> StatementResult {
    let principals = if principals {
        Principals::Named {
            caller_has_boundary: false,
        }
    } else {
        Principals::Unnamed
    };
    check_with(statement, request, substitute, principals)
}

/// Checks `statement` against `request`, its principal element as
/// `principals` says.
pub fn check_with(
    statement: &Statement,
    request: &Request,
    substitute: bool,
    principals: Principals,
) -> StatementResult {
    let action_hit = action_listed(statement, &request.action);
    if action_hit == statement.action.negated {
        return Err(if action_hit {
            Mismatch::NotAction
        } else {
            Mismatch::Action
        });
    }
    if let Some(resource) = &statement.resource {
        check_resource(resource, request, substitute)?;
    }
    let principal_match = match principals {
        Principals::Unnamed => None,
        Principals::Named { caller_has_boundary } => Some(check_principal(
            statement.principal.as_ref(),
            statement.effect,
            &request.principal,
            caller_has_boundary,
        )?),
    };
    let failures: Vec<ConditionFailure> = statement
        .conditions
        .iter()
        .filter_map(|c| condition::check(c, &request.context, substitute).err())
        .collect();
    if failures.is_empty() {
        Ok(principal_match)
    } else {
        Err(Mismatch::Condition { failures })
    }
}

/// Does one of the statement's `Action`/`NotAction` patterns match
/// `action`? (Actions match ignoring case.)
fn action_listed(statement: &Statement, action: &str) -> bool {
    statement
        .action
        .items
        .iter()
        .any(|pattern| wildcard::matches(pattern, action, true))
}

/// Is `action` in the statement's action set: listed by `Action`, or not
/// excluded by `NotAction`? The one rule [`check_with`] applies first.
pub fn covers_action(statement: &Statement, action: &str) -> bool {
    action_listed(statement, action) != statement.action.negated
}

fn check_resource(
    resource: &Listed<Vec<String>>,
    request: &Request,
    substitute: bool,
) -> Result<(), Mismatch> {
    let mut unresolved_variables = Vec::new();
    let hit = resource.items.iter().any(|pattern| {
        if substitute && variables::has_variables(pattern) {
            match variables::substitute_resource_pattern(pattern, &request.context) {
                Ok(pieces) => arn::matches_pieces(&pieces, &request.resource),
                Err(Unresolved { variable }) => {
                    unresolved_variables.push(variable);
                    false
                }
            }
        } else {
            arn::matches(pattern, &request.resource)
        }
    });
    match (hit, resource.negated) {
        (true, false) | (false, true) => Ok(()),
        (false, false) => {
            let substituted = if substitute {
                resource
                    .items
                    .iter()
                    .filter(|p| variables::has_variables(p))
                    .filter_map(|p| variables::substitute_string(p, &request.context).ok())
                    .collect()
            } else {
                Vec::new()
            };
            Err(Mismatch::Resource {
                substituted,
                unresolved_variables,
            })
        }
        (true, true) => Err(Mismatch::NotResource),
    }
}

fn check_principal(
    element: Option<&Listed<PrincipalSet>>,
    effect: Effect,
    caller: &Principal,
    caller_has_boundary: bool,
) -> Result<PrincipalMatch, Mismatch> {
    let element = element.ok_or(Mismatch::NoPrincipal)?;
    if !element.negated {
        return element.items.matches(caller).ok_or(Mismatch::Principal);
    }
    let excluded = match effect {
        Effect::Allow => excluded_from_allow(&element.items, caller),
        Effect::Deny => !caller_has_boundary && excluded_from_deny(&element.items, caller),
    };
    if excluded {
        Err(Mismatch::NotPrincipal)
    } else {
        Ok(PrincipalMatch::Everyone)
    }
}

/// IAM User Guide, "AWS JSON policy elements: NotPrincipal": "NotPrincipal
/// must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not
/// supported"; an older edition: "Doing so allows all principals *except*
/// the one named in the NotPrincipal element." Such a statement grants
/// nothing to a caller it names in any way: its own ARN, its role, its
/// account, or `*`. (The Deny rule below, which excludes a caller only when
/// every identity it acts as is listed, would here grant the named caller.)
fn excluded_from_allow(set: &PrincipalSet, caller: &Principal) -> bool {
    set.matches(caller).is_some()
}

/// Same page: "When you use `NotPrincipal` with `Deny`, you must also
/// specify the account ARN of the not-denied principal … include both the
/// ARN for a role and the ARN for the account containing that role." A
/// caller is excluded from the deny only when every identity it acts as —
/// its own ARN, its role, its account — is listed.
///
/// And: "The `NotPrincipal` element with a `Deny` effect will always deny
/// any IAM principal that has a permissions boundary policy attached,
/// regardless of the values specified in the `NotPrincipal` element"; the
/// caller of [`check_principal`] decides that before asking this.
fn excluded_from_deny(set: &PrincipalSet, caller: &Principal) -> bool {
    if set.everyone || set.aws.iter().any(|e| e == "*") {
        return true;
    }
    let Some(own) = set.matches(caller) else {
        return false;
    };
    let account_listed = || {
        caller.account.as_deref().is_some_and(|account| {
            set.aws
                .iter()
                .any(|e| e == account || *e == format!("arn:aws:iam::{account}:root"))
        })
    };
    match &caller.kind {
        PrincipalKind::Root
        | PrincipalKind::Anonymous
        | PrincipalKind::Service
        | PrincipalKind::Federated => true,
        PrincipalKind::User | PrincipalKind::FederatedUser => {
            own == PrincipalMatch::Direct && account_listed()
        }
        PrincipalKind::AssumedRole { .. } => {
            let role_listed = set.aws.iter().any(|e| {
                let single = PrincipalSet {
                    aws: vec![e.clone()],
                    ..PrincipalSet::default()
                };
                single.matches(caller) == Some(PrincipalMatch::Role)
            });
            own == PrincipalMatch::Direct && role_listed && account_listed()
        }
    }
}
