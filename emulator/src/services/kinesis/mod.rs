//! Kinesis Data Streams (JSON 1.1, 2013-12-02): `POST /` with
//! `X-Amz-Target: Kinesis_20131202.<Operation>` and a JSON body; replies
//! in `application/x-amz-json-1.1`, errors as `{"__type", "message"}` with
//! HTTP 400 (Kinesis answers even denials with 400 `AccessDeniedException`).
//!
//! Split per operation family: [`streams`] (create, delete, describe,
//! list streams and shards), [`records`] (put and get records, shard
//! iterators), [`tags`] (stream tags), [`policies`] (stream resource
//! policies); [`tokens`] holds the opaque shard
//! iterators and NextTokens, [`input`] reads the JSON body, [`wire`]
//! shapes errors. [`operations`] is the operation table: each served
//! operation's IAM action as the Service Authorization Reference maps it
//! (`kinesis:<Operation>` on `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`,
//! `ListStreams` on `*`) and its handler. A handler finds its stream and
//! asks through [`Call::authorize`], the one door, which reads the action
//! from the call's row (with `aws:ResourceTag/*` of the stream and the
//! request's `aws:RequestTag/*` / `aws:TagKeys`); no handler names its
//! action.
//!
//! CBOR (`application/x-amz-cbor-1.1`, the Java SDKs' default for Kinesis)
//! is refused with a message saying how to turn it off.

pub mod input;
pub mod operations;
pub mod policies;
pub mod records;
pub mod streams;
pub mod tags;
pub mod tokens;
pub mod wire;

pub use input::{epoch_seconds, now, Input};
pub use wire::{constraint, error_response, invalid_argument, serialization, validation, JSON_CONTENT_TYPE};

use super::{require_signed, Ctx};
use crate::auth::Caller;
use crate::authorize::{authorize, Question, Resource};
use crate::error::{AwsError, AwsResult, Json};
use crate::http::{HttpRequest, HttpResponse};
use crate::state::kinesis::Stream;
use crate::state::State;
use iam_evaluator::RequestContext;
use operations::{Handler, Operation};
use serde_json::{json, Value};
use std::io::Read;

/// `X-Amz-Target` is this prefix and the operation name.
pub const TARGET_PREFIX: &str = "Kinesis_20131202.";

/// The largest request body read (PutRecords: 10 MiB of data, base64).
const MAX_REQUEST_BYTES: u64 = 16 * 1024 * 1024;

pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    if wire::is_cbor(ctx.req) {
        return wire::cbor_error_response(&wire::cbor_refused(), ctx.request_id);
    }
    let value = match call(ctx, caller) {
        Ok(value) => value,
        Err(err) => return error_response(&err, ctx.request_id),
    };
    // Operations without output (CreateStream, …) answer with an empty body.
    let body = if value.is_null() {
        Vec::new()
    } else {
        value.to_string().into_bytes()
    };
    HttpResponse::new(200, JSON_CONTENT_TYPE, body).with_header("x-amzn-requestid", ctx.request_id)
}

/// Reads the call and runs its operation's handler.
fn call(ctx: &Ctx, caller: &Caller) -> AwsResult<Value> {
    require_signed(caller)?;
    let name = operation(ctx.req)?;
    let Some(operation) = operations::find(name) else {
        return Err(if operations::NOT_SERVED.contains(&name) {
            AwsError::new(
                Json::NotImplemented,
                format!("Kinesis {name} is not implemented by iam-emulator yet."),
            )
        } else {
            AwsError::new(
                Json::UnknownOperationException,
                format!("Unknown operation {TARGET_PREFIX}{name}"),
            )
        });
    };
    let call = Call {
        ctx,
        caller,
        operation,
        input: Input::parse(&read_body(ctx.req)?)?,
        region: region_of(caller),
    };
    let mut state = ctx.shared.state();
    match operation.handler {
        Handler::Read(handler) => handler(&call, &state),
        Handler::Write(handler) => handler(&call, &mut state),
    }
}

/// The operation named by `X-Amz-Target`.
fn operation(req: &HttpRequest) -> AwsResult<&str> {
    let target = req.header("x-amz-target").unwrap_or_default();
    target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        AwsError::new(
            Json::UnknownOperationException,
            format!("X-Amz-Target {target:?} does not name a {TARGET_PREFIX}* operation"),
        )
    })
}

/// The request body, in memory or spooled.
fn read_body(req: &HttpRequest) -> AwsResult<Vec<u8>> {
    if req.body_len() > MAX_REQUEST_BYTES {
        return Err(AwsError::new(
            Json::RequestEntityTooLargeException,
            format!("The request body is larger than {MAX_REQUEST_BYTES} bytes."),
        ));
    }
    let mut body = Vec::new();
    req.body_reader()
        .and_then(|r| r.take(MAX_REQUEST_BYTES).read_to_end(&mut body))
        .map_err(|e| AwsError::new(Json::InternalFailure, format!("Reading the request failed: {e}")))?;
    Ok(body)
}

/// The region of the credential scope (`us-east-1` when it is empty).
fn region_of(caller: &Caller) -> String {
    caller
        .scope
        .as_ref()
        .map(|s| s.region.as_str())
        .filter(|r| !r.is_empty())
        .unwrap_or("us-east-1")
        .to_string()
}

// ---- the call and the stream it names ----

/// One Kinesis call: who asks, in which region, with what input.
pub struct Call<'a> {
    pub ctx: &'a Ctx<'a>,
    pub caller: &'a Caller,
    /// The operation's row of the table.
    pub operation: &'static Operation,
    pub input: Input,
    /// The region of the credential scope.
    pub region: String,
}

impl Call<'_> {
    /// The emulator clock's now, in Kinesis's milliseconds.
    pub fn now(&self) -> time::OffsetDateTime {
        now(&self.ctx.shared.clock)
    }

    /// The caller's account.
    pub fn account(&self) -> &str {
        self.caller.account.as_deref().unwrap_or_default()
    }

    /// A stream of the caller's account in the call's region, by name.
    pub fn named_stream(&self, name: &str) -> AwsResult<StreamRef> {
        check_stream_name(name)?;
        Ok(StreamRef {
            account: self.account().to_string(),
            region: self.region.clone(),
            name: name.to_string(),
        })
    }

    /// The stream named by `StreamName` and/or `StreamARN` (both must agree).
    pub fn stream_ref(&self) -> AwsResult<StreamRef> {
        let by_arn = self
            .input
            .str("StreamARN")?
            .map(|arn| {
                StreamRef::parse_arn(arn).ok_or_else(|| {
                    constraint(
                        arn,
                        "StreamARN",
                        "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
                    )
                })
            })
            .transpose()?;
        let by_name = self
            .input
            .str("StreamName")?
            .map(|n| self.named_stream(n))
            .transpose()?;
        match (by_arn, by_name) {
            (Some(arn), Some(name)) if arn.name != name.name => Err(invalid_argument(format!(
                "StreamARN {} and StreamName {} name different streams.",
                arn.arn(),
                name.name
            ))),
            (Some(stream), _) | (None, Some(stream)) => Ok(stream),
            (None, None) => Err(invalid_argument(
                "Either StreamName or StreamARN must be provided.",
            )),
        }
    }

    /// **The door**: decides the operation's action, as its row names it,
    /// on the stream (with its tags, when it exists) and enforces it;
    /// `extra` holds request keys (`aws:RequestTag/*`, …).
    pub fn authorize(&self, state: &State, stream: &StreamRef, extra: RequestContext) -> AwsResult<()> {
        self.ask(state, self.operation.action, stream, extra)
    }

    /// The door for the row's further action, asked when the request
    /// carries what needs it (CreateStream with `Tags`).
    pub fn authorize_also(&self, state: &State, stream: &StreamRef, extra: RequestContext) -> AwsResult<()> {
        let action = self.operation.also.ok_or_else(|| {
            AwsError::new(
                Json::InternalFailure,
                format!("{} has no further action in the table", self.operation.name),
            )
        })?;
        self.ask(state, action, stream, extra)
    }

    /// The door for an operation on no stream (`ListStreams`: `*`).
    pub fn authorize_any(&self, state: &State) -> AwsResult<()> {
        let question = Question {
            resource_account: Some(self.account()),
            ..Question::new(self.operation.action, "*")
        };
        authorize(self.ctx, state, self.caller, question)
    }

    fn ask(&self, state: &State, action: &str, stream: &StreamRef, extra: RequestContext) -> AwsResult<()> {
        let resource = stream.get(state).map_or(Resource::Plain, Resource::Stream);
        let arn = stream.arn();
        let question = Question {
            resource_account: Some(&stream.account),
            ..resource.question(action, &arn, self.caller)
        }
        .with_request_keys(extra);
        authorize(self.ctx, state, self.caller, question)
    }
}

/// `[a-zA-Z0-9_.-]+`, 1 to 128 characters.
pub fn check_stream_name(name: &str) -> AwsResult<()> {
    if name.is_empty() || name.len() > 128 {
        return Err(constraint(
            name,
            "StreamName",
            "Member must have length between 1 and 128",
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    {
        return Err(constraint(
            name,
            "StreamName",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ));
    }
    Ok(())
}

/// A stream by account, region and name (it may not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRef {
    pub account: String,
    pub region: String,
    pub name: String,
}

impl StreamRef {
    /// `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:kinesis:{}:{}:stream/{}",
            self.region, self.account, self.name
        )
    }

    /// Reads a stream ARN; `None` when it is not one.
    pub fn parse_arn(arn: &str) -> Option<StreamRef> {
        let parts = iam_evaluator::arn::Arn::parse(arn).filter(|a| a.service == "kinesis")?;
        let name = parts.resource.strip_prefix("stream/")?;
        let valid = parts.partition.starts_with("aws")
            && !parts.region.is_empty()
            && iam_evaluator::arn::is_account_id(parts.account)
            && check_stream_name(name).is_ok();
        valid.then(|| StreamRef {
            account: parts.account.to_string(),
            region: parts.region.to_string(),
            name: name.to_string(),
        })
    }

    pub fn get<'s>(&self, state: &'s State) -> Option<&'s Stream> {
        state.kinesis.stream(&self.account, &self.region, &self.name)
    }

    /// The stream, or `ResourceNotFoundException`.
    pub fn find<'s>(&self, state: &'s State) -> AwsResult<&'s Stream> {
        self.get(state).ok_or_else(|| self.not_found())
    }

    pub fn find_mut<'s>(&self, state: &'s mut State) -> AwsResult<&'s mut Stream> {
        let missing = self.not_found();
        state
            .kinesis
            .stream_mut(&self.account, &self.region, &self.name)
            .ok_or(missing)
    }

    /// AWS: "Stream NAME under account ACCOUNT not found."
    pub fn not_found(&self) -> AwsError {
        AwsError::new(
            Json::ResourceNotFoundException,
            format!("Stream {} under account {} not found.", self.name, self.account),
        )
    }
}

/// `StreamModeDetails` as Kinesis writes it.
pub fn mode_details(stream: &Stream) -> Value {
    json!({"StreamMode": stream.mode.as_str()})
}

/// Request keys of a tagging call: `aws:RequestTag/KEY` and `aws:TagKeys`.
pub fn request_tag_context(tags: &[(String, String)]) -> RequestContext {
    let mut context = RequestContext::new();
    for (key, value) in tags {
        context.set(&format!("aws:RequestTag/{key}"), value.clone());
    }
    if !tags.is_empty() {
        context.set_multi("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()));
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_arns_parse() {
        let stream =
            StreamRef::parse_arn("arn:aws:kinesis:eu-west-1:123456789012:stream/my.stream-1").unwrap();
        assert_eq!(stream.region, "eu-west-1");
        assert_eq!(stream.account, "123456789012");
        assert_eq!(stream.name, "my.stream-1");
        assert_eq!(
            stream.arn(),
            "arn:aws:kinesis:eu-west-1:123456789012:stream/my.stream-1"
        );
        for bad in [
            "arn:aws:kinesis:eu-west-1:1234:stream/s",
            "arn:aws:s3:eu-west-1:123456789012:stream/s",
            "arn:aws:kinesis:eu-west-1:123456789012:stream/",
            "arn:aws:kinesis:eu-west-1:123456789012:stream/a/consumer/c:1",
            "stream/s",
        ] {
            assert_eq!(StreamRef::parse_arn(bad), None, "{bad}");
        }
    }
}
