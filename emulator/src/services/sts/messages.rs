//! Encoded authorization messages. AWS returns one with some denials
//! (EC2 and a few other services; never IAM, STS or S3, the services
//! here), and `DecodeAuthorizationMessage` turns it back into the
//! decision's JSON for a caller allowed `sts:DecodeAuthorizationMessage`.
//! The emulator encodes the denial of any logged request on demand
//! (`POST /_emulator/authorization-message`), signed with its key, so
//! tools that decode messages can be tested; anything else is
//! `InvalidAuthorizationMessageException`.

use super::Call;
use crate::error::{AwsError, AwsResult, Query};
use crate::federation::keys::SigningKey;
use crate::protocol::xml::Xml;
use crate::state::State;
use base64::Engine as _;
use serde_json::{json, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// What every message the emulator encodes starts with.
const PREFIX: &str = "iam-emulator:";

/// The decoded message of a decision, in the shape AWS documents:
/// `allowed`, `explicitDeny`, `matchedStatements`, `failures`, `context`.
pub fn message_of(decision: &iam_evaluator::Decision) -> Value {
    let statements: Vec<Value> = decision
        .deciding
        .iter()
        .map(|s| {
            json!({"statementId": s.sid.clone().unwrap_or_default(), "effect": match decision.outcome {
                iam_evaluator::Outcome::Allowed => "ALLOW",
                _ => "DENY",
            }})
        })
        .collect();
    json!({
        "allowed": decision.is_allowed(),
        "explicitDeny": decision.outcome == iam_evaluator::Outcome::ExplicitDeny,
        "matchedStatements": {"items": statements},
        "failures": {"items": []},
        "context": {
            "principal": {"arn": decision.principal},
            "action": decision.action,
            "resource": decision.resource,
            "conditions": {"items": []},
        },
    })
}

/// `message` encoded and signed with `key`.
pub fn encode(key: &SigningKey, message: &Value) -> String {
    let body = B64.encode(message.to_string());
    let signature = B64.encode(key.sign(body.as_bytes()));
    format!("{PREFIX}{body}.{signature}")
}

fn invalid() -> AwsError {
    AwsError::new(
        Query::InvalidAuthorizationMessageException,
        "The encoded authorization message is not valid.",
    )
}

/// DecodeAuthorizationMessage.
pub fn decode_authorization_message(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let encoded = call.params.required("EncodedMessage")?;
    let key = state.federation.signing_key().ok_or_else(invalid)?;
    let (body, signature) = encoded
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('.'))
        .ok_or_else(invalid)?;
    let signature = B64.decode(signature).map_err(|_| invalid())?;
    if !key.public().verifies(body.as_bytes(), &signature) {
        return Err(invalid());
    }
    let json = B64
        .decode(body)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    let mut x = Xml::default();
    x.elem("DecodedMessage", &json);
    Ok(x)
}
