//! Streams and their shards: CreateStream, DeleteStream, DescribeStream,
//! DescribeStreamSummary, ListStreams, ListShards. Streams are ACTIVE as
//! soon as they are created and gone as soon as they are deleted.

use super::tokens::{self, PageToken};
use super::{constraint, epoch_seconds, invalid_argument, mode_details, request_tag_context};
use super::{Call, StreamRef};
use crate::error::{AwsError, AwsResult, Json};
use crate::state::kinesis::{Shard, Stream, StreamMode, DEFAULT_MAX_RECORD_KIB, ON_DEMAND_SHARDS};
use crate::state::State;
use iam_evaluator::RequestContext;
use serde_json::{json, Value};
use time::OffsetDateTime;

/// Shards one account may have in one region (the AWS default quota in
/// the largest regions; AWS's own is per account and region too).
pub const SHARD_LIMIT: usize = 500;

/// The most tags a stream may have.
pub const MAX_TAGS: usize = 50;

pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = call.named_stream(call.input.required_str("StreamName")?)?;
    let (mode, shard_count) = capacity(call)?;
    let max_record_kib = call
        .input
        .int("MaxRecordSizeInKiB", 1024, 10240)?
        .map_or(DEFAULT_MAX_RECORD_KIB, |n| {
            u32::try_from(n).unwrap_or(DEFAULT_MAX_RECORD_KIB)
        });
    let tags = call.input.string_map("Tags")?.unwrap_or_default();
    check_tags(&tags, 0)?;
    let context = request_tag_context(&tags);
    call.authorize(state, &stream, context.clone())?;
    // "If you pass the Tags parameter, in addition to having the
    // kinesis:CreateStream permission, you must also have the
    // kinesis:AddTagsToStream permission for the stream that will be created."
    if !tags.is_empty() {
        call.authorize_also(state, &stream, context)?;
    }
    if stream.get(state).is_some() {
        return Err(AwsError::new(
            Json::ResourceInUseException,
            format!(
                "Stream {} under account {} already exists.",
                stream.name, stream.account
            ),
        ));
    }
    check_shard_limit(state, &stream, shard_count)?;
    let mut new = Stream::new(stream.arn(), &stream.name, mode, shard_count, call.now());
    new.max_record_kib = max_record_kib;
    new.tags = tags.into_iter().collect();
    state.kinesis.insert(&stream.account, &stream.region, new);
    Ok(Value::Null)
}

/// The mode and shard count asked for: `ShardCount` alone means a
/// provisioned stream; without it the stream is on-demand (four shards).
fn capacity(call: &Call) -> AwsResult<(StreamMode, u32)> {
    let mode = call
        .input
        .get("StreamModeDetails")
        .map(|details| {
            let text = details
                .get("StreamMode")
                .and_then(Value::as_str)
                .ok_or_else(|| AwsError::missing_parameter("StreamModeDetails.StreamMode"))?;
            StreamMode::parse(text).ok_or_else(|| {
                constraint(
                    text,
                    "StreamModeDetails.StreamMode",
                    "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
                )
            })
        })
        .transpose()?;
    let count = call
        .input
        .int("ShardCount", 1, i64::from(i32::MAX))?
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    match (mode, count) {
        (Some(StreamMode::OnDemand) | None, None) | (Some(StreamMode::OnDemand), Some(_)) => {
            Ok((StreamMode::OnDemand, ON_DEMAND_SHARDS))
        }
        (Some(StreamMode::Provisioned) | None, Some(n)) => Ok((StreamMode::Provisioned, n)),
        (Some(StreamMode::Provisioned), None) => Err(invalid_argument(
            "ShardCount is required when the stream mode is PROVISIONED.",
        )),
    }
}

fn check_shard_limit(state: &State, stream: &StreamRef, adding: u32) -> AwsResult<()> {
    let current = state.kinesis.shard_count(&stream.account, &stream.region);
    let requested = current.saturating_add(usize::try_from(adding).unwrap_or(usize::MAX));
    if requested > SHARD_LIMIT {
        return Err(AwsError::new(
            Json::LimitExceededException,
            format!(
                "This request would exceed the shard limit for the account {} in {}. \
                 Current limit of shards is {SHARD_LIMIT} (Requested {requested}).",
                stream.account, stream.region
            ),
        ));
    }
    Ok(())
}

/// Tags as AWS constrains them: keys of 1 to 128 characters, values of at
/// most 256, and at most 50 on a stream (`existing` already there).
pub fn check_tags(tags: &[(String, String)], existing: usize) -> AwsResult<()> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(constraint(
                key,
                "Tags",
                "Member must have length between 1 and 128",
            ));
        }
        if value.chars().count() > 256 {
            return Err(constraint(
                value,
                "Tags",
                "Member must have length less than or equal to 256",
            ));
        }
    }
    if existing + tags.len() > MAX_TAGS {
        return Err(invalid_argument(format!(
            "A stream cannot have more than {MAX_TAGS} tags."
        )));
    }
    Ok(())
}

pub fn delete(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    call.authorize(state, &stream, RequestContext::new())?;
    state
        .kinesis
        .remove(&stream.account, &stream.region, &stream.name)
        .ok_or_else(|| stream.not_found())?;
    Ok(Value::Null)
}

pub fn describe(call: &Call, state: &State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    let limit = call.input.page_size("Limit", 10000, 100)?;
    let start = call.input.str("ExclusiveStartShardId")?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find(state)?;
    let after: Vec<&Shard> = found
        .shards
        .iter()
        .filter(|s| start.is_none_or(|start| s.id.as_str() > start))
        .collect();
    let page: Vec<Value> = after.iter().take(limit).map(|s| shard_json(s)).collect();
    Ok(json!({"StreamDescription": {
        "StreamName": found.name,
        "StreamARN": found.arn,
        "StreamStatus": "ACTIVE",
        "StreamModeDetails": mode_details(found),
        "Shards": page,
        "HasMoreShards": after.len() > limit,
        "RetentionPeriodHours": found.retention_hours,
        "StreamCreationTimestamp": epoch_seconds(found.created),
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "EncryptionType": "NONE",
    }}))
}

pub fn describe_summary(call: &Call, state: &State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find(state)?;
    Ok(json!({"StreamDescriptionSummary": {
        "StreamName": found.name,
        "StreamARN": found.arn,
        "StreamStatus": "ACTIVE",
        "StreamModeDetails": mode_details(found),
        "RetentionPeriodHours": found.retention_hours,
        "StreamCreationTimestamp": epoch_seconds(found.created),
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "EncryptionType": "NONE",
        "OpenShardCount": found.shards.len(),
        "ConsumerCount": 0,
        "MaxRecordSizeInKiB": found.max_record_kib,
    }}))
}

/// A shard as DescribeStream and ListShards show it (shards never close).
fn shard_json(shard: &Shard) -> Value {
    json!({
        "ShardId": shard.id,
        "HashKeyRange": {
            "StartingHashKey": shard.starting_hash_key.to_string(),
            "EndingHashKey": shard.ending_hash_key.to_string(),
        },
        "SequenceNumberRange": {"StartingSequenceNumber": shard.starting_sequence.to_string()},
    })
}

pub fn list_streams(call: &Call, state: &State) -> AwsResult<Value> {
    let limit = call.input.page_size("Limit", 10000, 100)?;
    let scope = format!("{}/{}", call.account(), call.region);
    let start = match call.input.str("NextToken")? {
        Some(token) => Some(page_token(call, token, &scope)?),
        None => call.input.str("ExclusiveStartStreamName")?.map(str::to_string),
    };
    call.authorize_any(state)?;
    let streams: Vec<&Stream> = state
        .kinesis
        .streams(call.account(), &call.region)
        .into_iter()
        .flat_map(|s| s.values())
        .filter(|s| start.as_deref().is_none_or(|start| s.name.as_str() > start))
        .collect();
    let page = &streams[..limit.min(streams.len())];
    let more = streams.len() > limit;
    let mut reply = json!({
        "StreamNames": page.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "HasMoreStreams": more,
        "StreamSummaries": page.iter().map(|s| json!({
            "StreamName": s.name,
            "StreamARN": s.arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": mode_details(s),
            "StreamCreationTimestamp": epoch_seconds(s.created),
        })).collect::<Vec<_>>(),
    });
    if let (true, Some(last)) = (more, page.last()) {
        reply["NextToken"] = json!(new_page_token(scope, &last.name, call.now()));
    }
    Ok(reply)
}

pub fn list_shards(call: &Call, state: &State) -> AwsResult<Value> {
    let limit = call.input.page_size("MaxResults", 10000, 1000)?;
    let (stream, after) = match call.input.str("NextToken")? {
        Some(token) => shards_token(call, token)?,
        None => (call.stream_ref()?, shard_filter_start(call)?),
    };
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find(state)?;
    let shards: Vec<&Shard> = found
        .shards
        .iter()
        .filter(|s| after.as_deref().is_none_or(|after| s.id.as_str() > after))
        .collect();
    let page = &shards[..limit.min(shards.len())];
    let mut reply = json!({"Shards": page.iter().map(|s| shard_json(s)).collect::<Vec<_>>()});
    if let (true, Some(last)) = (shards.len() > limit, page.last()) {
        reply["NextToken"] = json!(new_page_token(found.arn.clone(), &last.id, call.now()));
    }
    Ok(reply)
}

/// ListShards with a NextToken: the token names the stream, so nothing
/// else that names or filters it may come along (AWS: "NextToken and
/// StreamName cannot be provided together.").
fn shards_token(call: &Call, token: &str) -> AwsResult<(StreamRef, Option<String>)> {
    for other in [
        "StreamName",
        "StreamARN",
        "ExclusiveStartShardId",
        "ShardFilter",
        "StreamCreationTimestamp",
    ] {
        if call.input.has(other) {
            return Err(invalid_argument(format!(
                "NextToken and {other} cannot be provided together."
            )));
        }
    }
    let page = decode_page_token(token, call.now())?;
    let stream = StreamRef::parse_arn(&page.scope).ok_or_else(|| invalid_token(token))?;
    Ok((stream, Some(page.after)))
}

/// Where ListShards starts without a NextToken: after
/// `ExclusiveStartShardId`, or after the `AFTER_SHARD_ID` filter's shard.
/// Every other filter selects every shard (shards here never close).
fn shard_filter_start(call: &Call) -> AwsResult<Option<String>> {
    let exclusive = call.input.str("ExclusiveStartShardId")?.map(str::to_string);
    let Some(filter) = call.input.get("ShardFilter") else {
        return Ok(exclusive);
    };
    let kind = filter
        .get("Type")
        .and_then(Value::as_str)
        .ok_or_else(|| AwsError::missing_parameter("ShardFilter.Type"))?;
    match kind {
        "AFTER_SHARD_ID" => filter
            .get("ShardId")
            .and_then(Value::as_str)
            .map(|id| Some(id.to_string()))
            .ok_or_else(|| invalid_argument("ShardFilter of type AFTER_SHARD_ID needs a ShardId.")),
        "AT_TRIM_HORIZON" | "FROM_TRIM_HORIZON" | "AT_LATEST" => Ok(exclusive),
        "AT_TIMESTAMP" | "FROM_TIMESTAMP" if filter.get("Timestamp").is_some() => Ok(exclusive),
        "AT_TIMESTAMP" | "FROM_TIMESTAMP" => Err(invalid_argument(format!(
            "ShardFilter of type {kind} needs a Timestamp."
        ))),
        other => Err(constraint(
            other,
            "ShardFilter.Type",
            "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]",
        )),
    }
}

fn new_page_token(scope: String, after: &str, now: OffsetDateTime) -> String {
    PageToken {
        scope,
        after: after.to_string(),
        issued_ms: tokens::millis(now),
    }
    .encode()
}

fn invalid_token(token: &str) -> AwsError {
    invalid_argument(format!("Invalid NextToken: {token}"))
}

fn decode_page_token(token: &str, now: OffsetDateTime) -> AwsResult<PageToken> {
    let page = PageToken::decode(token).ok_or_else(|| invalid_token(token))?;
    if tokens::expired(page.issued_ms, now) {
        return Err(AwsError::new(
            Json::ExpiredNextTokenException,
            "The NextToken has expired: tokens are good for 300 seconds.",
        ));
    }
    Ok(page)
}

/// The stream name a ListStreams NextToken resumes after; the token must
/// come from a listing of the same account and region.
fn page_token(call: &Call, token: &str, scope: &str) -> AwsResult<String> {
    let page = decode_page_token(token, call.now())?;
    if page.scope != scope {
        return Err(invalid_argument(format!(
            "The NextToken was issued for another account or region: {token}"
        )));
    }
    Ok(page.after)
}
