//! `POST /_emulator/decide`: would these credentials be allowed this action
//! on this resource, now? Decided by the evaluator over the emulator's
//! current state, as a request signed with them would be: the caller's
//! identity policies (its groups' included), permissions boundary, session
//! policies and tags, and the resource's own policy (bucket policy with
//! Block Public Access, a role's trust policy for `sts:AssumeRole`).
//!
//! ```json
//! {"accessKeyId": "AKIA…",            // or "principal": "arn:aws:iam::…:user/alice"
//!  "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
//!  "context": {"aws:SourceIp": "10.0.0.1"},   // or ["KEY=VALUE", …]
//!  "format": "json"}                  // or "text"
//! ```
//!
//! The reply is exactly what `explain --json` prints (`format: "text"`:
//! what `explain` prints). The question is assembled by
//! [`crate::authorize::prepare`], as a request's is, from the insight
//! subjects and targets that `who-can` and `can` use
//! ([`crate::insight::subjects`], [`crate::insight::targets`]) — SCPs,
//! RCPs and the organization's keys included; the keys of the request
//! itself are those a request from this machine would carry: `aws:CurrentTime` /
//! `aws:EpochTime` on the emulator's clock, `aws:SecureTransport` false,
//! `aws:SourceIp` 127.0.0.1, `aws:RequestedRegion` us-east-1 — each
//! overridden by `context`.
//!
//! An access key is resolved as authentication resolves it: an unknown or
//! inactive one is 403 `InvalidClientTokenId`, an expired session's 403
//! `ExpiredToken` (`{"error", "code", "field"}`): such a request is refused
//! before any policy is read. A principal ARN is asked about as `who-can`
//! asks (a role as a session of it); an unknown one is 404.

use super::{bad_request, parse_body, BodyError};
use crate::app::App;
use crate::authorize::RequestFacts;
use crate::http::{HttpRequest, HttpResponse};
use crate::insight::subjects::{self, Subject};
use crate::insight::targets::Target;
use crate::state::State;
use serde_json::{json, Value};

/// The fields the body may have.
const FIELDS: [&str; 6] = [
    "accessKeyId",
    "principal",
    "action",
    "resource",
    "context",
    "format",
];

/// Serves `POST /_emulator/decide`.
pub fn decide(app: &App, req: &HttpRequest) -> HttpResponse {
    let body = match parse_body(req) {
        Ok(body) => body,
        Err(e) => return bad_request(e.field, &e.message),
    };
    let question = match Asked::read(&body) {
        Ok(question) => question,
        Err(e) => return bad_request(e.field, &e.message),
    };
    let state = app.state();
    let decision = match over_state(
        &state,
        app.now(),
        &question.who,
        &question.action,
        &question.resource,
        question.context,
    ) {
        Ok(decision) => decision,
        Err(refused) => {
            let mut body = json!({"error": refused.message, "field": refused.field});
            if let Some(code) = refused.code {
                body["code"] = json!(code);
            }
            return HttpResponse::json(refused.status, &body);
        }
    };
    if question.text {
        HttpResponse::new(200, "text/plain; charset=utf-8", decision.explain())
    } else {
        HttpResponse::json(200, &decision.to_json())
    }
}

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Who {
    /// An access key of the emulator (a user's, a root's, a session's).
    Key(String),
    /// A principal ARN, asked about as `who-can` asks.
    Principal(String),
}

/// Why no decision was made: the HTTP status, the error code (for a key
/// authentication refuses), the message, the field at fault.
#[derive(Debug, Clone)]
pub struct Refused {
    pub status: u16,
    pub code: Option<String>,
    pub message: String,
    pub field: &'static str,
}

/// The decision for `who` doing `action` on `resource` over `state` at
/// `now`, as a request from this machine signed by `who` would get it:
/// what `POST /_emulator/decide` answers and `explain --state-dir` prints.
pub fn over_state(
    state: &State,
    now: time::OffsetDateTime,
    who: &Who,
    action: &str,
    resource: &str,
    context: iam_evaluator::RequestContext,
) -> Result<iam_evaluator::Decision, Refused> {
    let subject = match who {
        Who::Key(key) => match crate::auth::caller_of_key(state, key, now) {
            Ok(caller) => Subject::of_caller(state, caller, now),
            Err(err) => {
                return Err(Refused {
                    status: 403,
                    code: Some(err.code),
                    message: err.message,
                    field: "accessKeyId",
                })
            }
        },
        Who::Principal(arn) => subjects::find(state, arn).map_err(|message| Refused {
            status: 404,
            code: None,
            message,
            field: "principal",
        })?,
    };
    let facts = RequestFacts {
        now,
        source_ip: Some(std::net::Ipv4Addr::LOCALHOST.into()),
        user_agent: None,
        region: Some("us-east-1"),
    };
    let target = Target::resolve(state, resource);
    Ok(subject.decide_with(state, action, &target, context, Some(&facts)))
}

/// The question, read from the body.
struct Asked {
    who: Who,
    action: String,
    resource: String,
    context: iam_evaluator::RequestContext,
    text: bool,
}

impl Asked {
    fn read(body: &Value) -> Result<Self, BodyError> {
        if let Some(unknown) = body
            .as_object()
            .and_then(|map| map.keys().find(|k| !FIELDS.contains(&k.as_str())))
        {
            return Err(error(
                "body",
                format!("unknown field {unknown:?}; known: {}", FIELDS.join(", ")),
            ));
        }
        let who = match (string(body, "accessKeyId")?, string(body, "principal")?) {
            (Some(key), None) => Who::Key(key),
            (None, Some(arn)) => Who::Principal(arn),
            (Some(_), Some(_)) => {
                return Err(error(
                    "principal",
                    "give accessKeyId or principal, not both".into(),
                ))
            }
            (None, None) => {
                return Err(error(
                    "accessKeyId",
                    "accessKeyId (an access key of the emulator) or principal (an ARN) is required".into(),
                ))
            }
        };
        let required = |field: &'static str| {
            string(body, field)?.ok_or_else(|| error(field, format!("{field} is required")))
        };
        let pairs = super::evaluate::context(body)?;
        let context = crate::explain::parse_context(&pairs).map_err(|message| error("context", message))?;
        let text = match string(body, "format")?.as_deref() {
            None | Some("json") => false,
            Some("text") => true,
            Some(other) => return Err(error("format", format!("format {other:?}: json or text"))),
        };
        Ok(Asked {
            who,
            action: required("action")?,
            resource: required("resource")?,
            context,
            text,
        })
    }
}

/// A string field; absent, null and blank count as not given.
fn string(body: &Value, field: &'static str) -> Result<Option<String>, BodyError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(error(field, format!("{field} must be a string"))),
    }
}

fn error(field: &'static str, message: String) -> BodyError {
    BodyError { field, message }
}
