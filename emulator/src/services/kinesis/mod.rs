//! Kinesis Data Streams (JSON 1.1, 2013-12-02): `POST /` with
//! `X-Amz-Target: Kinesis_20131202.<Operation>` and a JSON body; replies
//! in `application/x-amz-json-1.1`, errors as `{"__type", "message"}` with
//! HTTP 400 (Kinesis answers even denials with 400 `AccessDeniedException`).
//!
//! Split per operation family: [`streams`] (create, delete, describe,
//! list streams and shards), [`records`] (put and get records, shard
//! iterators), [`tags`] (stream tags); [`tokens`] holds the opaque shard
//! iterators and NextTokens. Every operation is authorized as the Service
//! Authorization Reference maps it: `kinesis:<Operation>` on
//! `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME` (`ListStreams` on `*`),
//! with `aws:ResourceTag/*` of the stream and `aws:RequestTag/*` /
//! `aws:TagKeys` where the reference lists them.
//!
//! CBOR (`application/x-amz-cbor-1.1`, the Java SDKs' default for Kinesis)
//! is refused with a message saying how to turn it off.

pub mod records;
pub mod streams;
pub mod tags;
pub mod tokens;

use super::{require_signed, Ctx};
use crate::auth::Caller;
use crate::authorize::{authorize, Question};
use crate::error::{lower_first, AwsError, AwsResult};
use crate::http::{HttpRequest, HttpResponse};
use crate::state::kinesis::Stream;
use crate::state::State;
use iam_evaluator::RequestContext;
use serde_json::{json, Map, Value};
use std::io::Read;
use time::OffsetDateTime;

/// `X-Amz-Target` is this prefix and the operation name.
pub const TARGET_PREFIX: &str = "Kinesis_20131202.";

pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

const CBOR_CONTENT_TYPE: &str = "application/x-amz-cbor-1.1";

/// The largest request body read (PutRecords: 10 MiB of data, base64).
const MAX_REQUEST_BYTES: u64 = 16 * 1024 * 1024;

/// Every Kinesis operation, to tell "not implemented yet" from "unknown".
const OPERATIONS: &[&str] = &[
    "AddTagsToStream",
    "CreateStream",
    "DecreaseStreamRetentionPeriod",
    "DeleteResourcePolicy",
    "DeleteStream",
    "DeregisterStreamConsumer",
    "DescribeAccountSettings",
    "DescribeLimits",
    "DescribeStream",
    "DescribeStreamConsumer",
    "DescribeStreamSummary",
    "DisableEnhancedMonitoring",
    "EnableEnhancedMonitoring",
    "GetRecords",
    "GetResourcePolicy",
    "GetShardIterator",
    "IncreaseStreamRetentionPeriod",
    "ListShards",
    "ListStreamConsumers",
    "ListStreams",
    "ListTagsForResource",
    "ListTagsForStream",
    "MergeShards",
    "PutRecord",
    "PutRecords",
    "PutResourcePolicy",
    "RegisterStreamConsumer",
    "RemoveTagsFromStream",
    "SplitShard",
    "StartStreamEncryption",
    "StopStreamEncryption",
    "SubscribeToShard",
    "TagResource",
    "UntagResource",
    "UpdateAccountSettings",
    "UpdateMaxRecordSize",
    "UpdateShardCount",
    "UpdateStreamMode",
    "UpdateStreamWarmThroughput",
];

pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    if is_cbor(ctx.req) {
        return cbor_error_response(&cbor_refused(), ctx.request_id);
    }
    match call(ctx, caller) {
        Ok(Value::Null) => HttpResponse::new(200, JSON_CONTENT_TYPE, Vec::new()),
        Ok(value) => HttpResponse::new(200, JSON_CONTENT_TYPE, value.to_string()),
        Err(err) => return error_response(&err, ctx.request_id),
    }
    .with_header("x-amzn-requestid", ctx.request_id)
}

/// Reads the call and runs its operation.
fn call(ctx: &Ctx, caller: &Caller) -> AwsResult<Value> {
    require_signed(caller)?;
    let operation = operation(ctx.req)?;
    let call = Call {
        ctx,
        caller,
        input: Input::parse(&read_body(ctx.req)?)?,
        region: region_of(caller),
    };
    let mut state = ctx.app.state();
    match operation {
        "CreateStream" => streams::create(&call, &mut state),
        "DeleteStream" => streams::delete(&call, &mut state),
        "DescribeStream" => streams::describe(&call, &state),
        "DescribeStreamSummary" => streams::describe_summary(&call, &state),
        "ListStreams" => streams::list_streams(&call, &state),
        "ListShards" => streams::list_shards(&call, &state),
        "PutRecord" => records::put_record(&call, &mut state),
        "PutRecords" => records::put_records(&call, &mut state),
        "GetShardIterator" => records::get_shard_iterator(&call, &state),
        "GetRecords" => records::get_records(&call, &state),
        "AddTagsToStream" => tags::add(&call, &mut state),
        "RemoveTagsFromStream" => tags::remove(&call, &mut state),
        "ListTagsForStream" => tags::list(&call, &state),
        other if OPERATIONS.contains(&other) => Err(AwsError::new(
            501,
            "NotImplemented",
            format!("Kinesis {other} is not implemented by iam-emulator yet."),
        )),
        other => Err(AwsError::new(
            400,
            "UnknownOperationException",
            format!("Unknown operation {TARGET_PREFIX}{other}"),
        )),
    }
}

/// The operation named by `X-Amz-Target`.
fn operation(req: &HttpRequest) -> AwsResult<&str> {
    let target = req.header("x-amz-target").unwrap_or_default();
    target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        AwsError::new(
            400,
            "UnknownOperationException",
            format!("X-Amz-Target {target:?} does not name a {TARGET_PREFIX}* operation"),
        )
    })
}

/// The request body, in memory or spooled.
fn read_body(req: &HttpRequest) -> AwsResult<Vec<u8>> {
    if req.body_len() > MAX_REQUEST_BYTES {
        return Err(AwsError::new(
            413,
            "RequestEntityTooLargeException",
            format!("The request body is larger than {MAX_REQUEST_BYTES} bytes."),
        ));
    }
    let mut body = Vec::new();
    req.body_reader()
        .and_then(|r| r.take(MAX_REQUEST_BYTES).read_to_end(&mut body))
        .map_err(|e| AwsError::new(500, "InternalFailure", format!("Reading the request failed: {e}")))?;
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

fn is_cbor(req: &HttpRequest) -> bool {
    req.header("content-type")
        .is_some_and(|c| c.trim().to_ascii_lowercase().starts_with(CBOR_CONTENT_TYPE))
}

fn cbor_refused() -> AwsError {
    AwsError::new(
        415,
        "UnsupportedMediaTypeException",
        "iam-emulator speaks Kinesis in JSON (application/x-amz-json-1.1), not CBOR. \
         Turn CBOR off in your SDK: set the environment variable AWS_CBOR_DISABLE=1, \
         or the Java system property -Daws.cborEnabled=false.",
    )
}

/// An error as Kinesis words it: errors shared with other services (from
/// authentication and authorization) get their JSON-protocol names.
fn wire_error(err: &AwsError) -> AwsError {
    let (status, code) = match err.code.as_str() {
        "AccessDenied" => (400, "AccessDeniedException"),
        "InvalidClientTokenId" | "InvalidAccessKeyId" => (400, "UnrecognizedClientException"),
        "SignatureDoesNotMatch" | "RequestTimeTooSkewed" => (400, "InvalidSignatureException"),
        "IncompleteSignature" | "AuthorizationQueryParametersError" => (400, "IncompleteSignatureException"),
        "ExpiredToken" => (400, "ExpiredTokenException"),
        "MissingAuthenticationToken" => (400, "MissingAuthenticationTokenException"),
        "ValidationError" => (400, "ValidationException"),
        "InternalError" => (500, "InternalFailure"),
        _ => (err.status, err.code.as_str()),
    };
    AwsError::new(status, code, err.message.clone())
}

/// A Kinesis error reply: `{"__type": CODE, "message": …}`.
pub fn error_response(err: &AwsError, request_id: &str) -> HttpResponse {
    let err = wire_error(err);
    let body = json!({"__type": err.code, "message": err.message});
    HttpResponse::new(err.status, JSON_CONTENT_TYPE, body.to_string())
        .with_header("x-amzn-requestid", request_id)
        .with_header("x-amzn-errortype", &err.code)
}

/// The same error in CBOR, so that a CBOR client can read its message.
fn cbor_error_response(err: &AwsError, request_id: &str) -> HttpResponse {
    let mut body = vec![0xa2]; // a map of two pairs
    for text in ["__type", &err.code, "message", &err.message] {
        cbor_text(&mut body, text);
    }
    HttpResponse::new(err.status, CBOR_CONTENT_TYPE, body)
        .with_header("x-amzn-requestid", request_id)
        .with_header("x-amzn-errortype", &err.code)
}

/// A CBOR text string (major type 3) with its length.
fn cbor_text(out: &mut Vec<u8>, text: &str) {
    let len = text.len();
    match (u8::try_from(len), u16::try_from(len)) {
        (Ok(n), _) if n < 24 => out.push(0x60 | n),
        (Ok(n), _) => out.extend([0x78, n]),
        (_, Ok(n)) => {
            out.push(0x79);
            out.extend(n.to_be_bytes());
        }
        _ => {
            out.push(0x7a);
            out.extend(u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
        }
    }
    out.extend(text.as_bytes());
}

// ---- errors Kinesis words its own way ----

pub fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "ValidationException", message)
}

/// `1 validation error detected: Value 'V' at 'field' failed to satisfy constraint: RULE`.
pub fn constraint(value: &str, field: &str, rule: &str) -> AwsError {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: {rule}",
        lower_first(field)
    ))
}

pub fn invalid_argument(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidArgumentException", message)
}

pub fn serialization(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "SerializationException", message)
}

// ---- the request body ----

/// The call's JSON input; `null` members count as absent.
pub struct Input(Map<String, Value>);

impl Input {
    pub fn parse(body: &[u8]) -> AwsResult<Input> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input(Map::new()));
        }
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(Input(map)),
            Ok(_) => Err(serialization("The request body must be a JSON object.")),
            Err(e) => Err(serialization(format!("The request body is not valid JSON: {e}"))),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn str(&self, name: &str) -> AwsResult<Option<&str>> {
        self.get(name).map(|v| as_str(v, name)).transpose()
    }

    pub fn required_str(&self, name: &str) -> AwsResult<&str> {
        self.str(name)?.ok_or_else(|| AwsError::missing_parameter(name))
    }

    /// An integer member, checked against `min..=max` as AWS checks it.
    pub fn int(&self, name: &str, min: i64, max: i64) -> AwsResult<Option<i64>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let n = value
            .as_i64()
            .ok_or_else(|| serialization(format!("{name} must be an integer")))?;
        if n < min {
            return Err(constraint(
                &n.to_string(),
                name,
                &format!("Member must have value greater than or equal to {min}"),
            ));
        }
        if n > max {
            return Err(constraint(
                &n.to_string(),
                name,
                &format!("Member must have value less than or equal to {max}"),
            ));
        }
        Ok(Some(n))
    }

    /// A page size: `min..=max` is valid, more than `cap` reads as `cap`.
    pub fn page_size(&self, name: &str, max: i64, cap: usize) -> AwsResult<usize> {
        Ok(self
            .int(name, 1, max)?
            .map_or(cap, |n| usize::try_from(n).unwrap_or(cap).min(cap)))
    }

    /// A timestamp: epoch seconds (as the SDKs send it) or ISO 8601.
    pub fn timestamp(&self, name: &str) -> AwsResult<Option<OffsetDateTime>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let bad = || serialization(format!("{name} must be a timestamp"));
        let parsed =
            match value {
                Value::Number(n) => n.as_f64().and_then(from_epoch_seconds),
                Value::String(s) => s.parse::<f64>().ok().and_then(from_epoch_seconds).or_else(|| {
                    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
                }),
                _ => None,
            };
        parsed.map(Some).ok_or_else(bad)
    }

    /// A JSON object of strings (a `TagMap`), in key order.
    pub fn string_map(&self, name: &str) -> AwsResult<Option<Vec<(String, String)>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let map = value
            .as_object()
            .ok_or_else(|| serialization(format!("{name} must be an object")))?;
        let mut pairs = map
            .iter()
            .map(|(k, v)| Ok((k.clone(), as_str(v, name)?.to_string())))
            .collect::<AwsResult<Vec<_>>>()?;
        pairs.sort();
        Ok(Some(pairs))
    }

    /// A JSON array of objects, each as an input of its own.
    pub fn objects(&self, name: &str) -> AwsResult<Option<Vec<Input>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let list = value
            .as_array()
            .ok_or_else(|| serialization(format!("{name} must be an array")))?;
        list.iter()
            .map(|v| match v {
                Value::Object(map) => Ok(Input(map.clone())),
                _ => Err(serialization(format!("Each of {name} must be an object"))),
            })
            .collect::<AwsResult<Vec<_>>>()
            .map(Some)
    }

    /// A JSON array of strings.
    pub fn string_list(&self, name: &str) -> AwsResult<Option<Vec<String>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let list = value
            .as_array()
            .ok_or_else(|| serialization(format!("{name} must be an array")))?;
        list.iter()
            .map(|v| as_str(v, name).map(str::to_string))
            .collect::<AwsResult<Vec<_>>>()
            .map(Some)
    }
}

fn as_str<'v>(value: &'v Value, name: &str) -> AwsResult<&'v str> {
    value
        .as_str()
        .ok_or_else(|| serialization(format!("{name} must be a string")))
}

#[allow(clippy::cast_possible_truncation)] // milliseconds since 1970 fit an i64
fn from_epoch_seconds(seconds: f64) -> Option<OffsetDateTime> {
    if !seconds.is_finite() {
        return None;
    }
    let millis = (seconds * 1000.0).round() as i64;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}

/// A timestamp as Kinesis sends it: epoch seconds with milliseconds.
#[allow(clippy::cast_precision_loss)] // milliseconds since 1970 fit an f64 exactly
pub fn epoch_seconds(at: OffsetDateTime) -> Value {
    let millis = at.unix_timestamp_nanos() / 1_000_000;
    json!(millis as f64 / 1000.0)
}

/// Now, with the millisecond precision of Kinesis timestamps.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}

// ---- the call and the stream it names ----

/// One Kinesis call: who asks, in which region, with what input.
pub struct Call<'a> {
    pub ctx: &'a Ctx<'a>,
    pub caller: &'a Caller,
    pub input: Input,
    /// The region of the credential scope.
    pub region: String,
}

impl Call<'_> {
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

    /// Decides `action` on the stream (with its tags, when it exists) and
    /// enforces it; `extra` holds request keys (`aws:RequestTag/*`, …).
    pub fn authorize(
        &self,
        state: &State,
        action: &str,
        stream: &StreamRef,
        mut extra: RequestContext,
    ) -> AwsResult<()> {
        if let Some(existing) = stream.get(state) {
            for (key, value) in &existing.tags {
                extra.set_default(&format!("aws:ResourceTag/{key}"), value.clone());
            }
        }
        let arn = stream.arn();
        let question = Question {
            extra_context: extra,
            resource_account: Some(&stream.account),
            ..Question::new(action, &arn)
        };
        authorize(self.ctx, state, self.caller, question)
    }

    /// Decides an action without a resource (`ListStreams`: `*`).
    pub fn authorize_any(&self, state: &State, action: &str) -> AwsResult<()> {
        let question = Question {
            resource_account: Some(self.account()),
            ..Question::new(action, "*")
        };
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
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("kinesis"), Some(region), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let name = resource.strip_prefix("stream/")?;
        let valid = partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && check_stream_name(name).is_ok();
        valid.then(|| StreamRef {
            account: account.to_string(),
            region: region.to_string(),
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
            400,
            "ResourceNotFoundException",
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

    #[test]
    fn cbor_text_lengths() {
        let mut out = Vec::new();
        cbor_text(&mut out, "abc");
        assert_eq!(out, [0x63, b'a', b'b', b'c']);
        let long = "x".repeat(300);
        out.clear();
        cbor_text(&mut out, &long);
        assert_eq!(&out[..3], &[0x79, 0x01, 0x2c]);
        assert_eq!(out.len(), 303);
    }

    #[test]
    fn shared_errors_get_kinesis_names() {
        let denied = wire_error(&AwsError::access_denied("no"));
        assert_eq!(
            (denied.status, denied.code.as_str()),
            (400, "AccessDeniedException")
        );
        let missing = wire_error(&AwsError::missing_parameter("ShardId"));
        assert_eq!(missing.code, "ValidationException");
        assert!(missing.message.contains("'shardId'"));
    }
}
