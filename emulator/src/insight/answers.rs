//! The JSON answers of `GET /_emulator/policy`, `/_emulator/who-can`,
//! `/_emulator/can` and `/_emulator/observations`, computed from a state
//! and observations and the query's parameters. The admin endpoints serve
//! them; the CLI renders them, whether it fetched them from a running
//! emulator or (with saved state) computed them itself.

use super::generalise::Generalise;
use super::generate::{self, Generated, Options};
use super::{can, subjects, who_can};
use crate::observations::Observation;
use crate::state::State;
use iam_evaluator::validate::{validate_policy, PolicyKind};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A status and a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    fn ok<T: Serialize>(value: &T) -> Self {
        Answer {
            status: 200,
            body: serde_json::to_string(value).unwrap_or_default(),
        }
    }

    fn error(status: u16, message: &str, field: Option<&str>) -> Self {
        let mut body = json!({ "error": message });
        if let Some(field) = field {
            body["field"] = json!(field);
        }
        Answer {
            status,
            body: body.to_string(),
        }
    }
}

/// The query parameter `name`, if given and not empty.
fn param<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn required<'q>(query: &'q [(String, String)], name: &str) -> Result<&'q str, Answer> {
    param(query, name).ok_or_else(|| Answer::error(400, &format!("{name} is required"), Some(name)))
}

/// `GET /_emulator/policy`'s answer: the generated policy and, beside it,
/// what `ValidatePolicy` says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyAnswer {
    #[serde(flatten)]
    pub generated: Generated,
    /// `ValidatePolicy`'s findings for the policy (as it returns them).
    pub findings: Vec<serde_json::Value>,
}

/// Reads `principal`, `since` (RFC 3339) and `generalise` (`prefix`).
pub fn policy_options(query: &[(String, String)]) -> Result<Options, Answer> {
    let principal = required(query, "principal")?.to_string();
    let since = param(query, "since")
        .map(|text| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(|e| {
                Answer::error(
                    400,
                    &format!("since {text:?} is not an RFC 3339 time such as 2024-05-01T12:00:00Z: {e}"),
                    Some("since"),
                )
            })
        })
        .transpose()?;
    let generalise = Generalise::parse(param(query, "generalise").unwrap_or_default())
        .map_err(|e| Answer::error(400, &e, Some("generalise")))?;
    Ok(Options {
        principal,
        since,
        until: None,
        generalise,
    })
}

/// The policy for the query's principal.
pub fn policy(observations: &[Observation], query: &[(String, String)]) -> Answer {
    let options = match policy_options(query) {
        Ok(options) => options,
        Err(answer) => return answer,
    };
    match generate::generate(observations, &options) {
        Ok(generated) => {
            let findings = validate_policy(&generated.policy.to_text(), PolicyKind::Identity, None)
                .iter()
                .map(iam_evaluator::validate::Finding::to_json)
                .collect();
            Answer::ok(&PolicyAnswer { generated, findings })
        }
        Err(nothing) => {
            let body = json!({"error": nothing.to_string(), "observed": 0});
            Answer {
                status: 404,
                body: body.to_string(),
            }
        }
    }
}

/// Who may do the query's `action` on its `resource`.
pub fn who_can(state: &State, query: &[(String, String)]) -> Answer {
    let (action, resource) = match (required(query, "action"), required(query, "resource")) {
        (Ok(a), Ok(r)) => (a, r),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    Answer::ok(&who_can::who_can(state, action, resource))
}

/// What the query's `principal` may do (on resources starting with `resource`, if given).
pub fn can(state: &State, query: &[(String, String)]) -> Answer {
    let principal = match required(query, "principal") {
        Ok(p) => p,
        Err(e) => return e,
    };
    match subjects::find(state, principal) {
        Ok(subject) => Answer::ok(&can::can(state, &subject, param(query, "resource"))),
        Err(message) => Answer::error(404, &message, Some("principal")),
    }
}

/// The newest observations (`limit`, default 100), of one `principal` if given.
pub fn observations(observations: &[Observation], query: &[(String, String)]) -> Answer {
    let limit = param(query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100);
    let principal = param(query, "principal");
    let selected: Vec<&Observation> = observations
        .iter()
        .rev()
        .filter(|o| principal.is_none_or(|p| o.principal == p))
        .take(limit)
        .collect();
    Answer::ok(&json!({"total": observations.len(), "observations": selected}))
}
