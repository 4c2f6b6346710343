//! Records: PutRecord, PutRecords (routed by the MD5 of the partition key
//! or an explicit hash key), GetShardIterator (TRIM_HORIZON, LATEST,
//! AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP) and GetRecords.

use super::tokens::{self, ShardIterator};
use super::{constraint, epoch_seconds, invalid_argument, serialization};
use super::{Call, Input, StreamRef};
use crate::error::{AwsError, AwsResult, Json};
use crate::state::kinesis::{hash_key, Record, SequenceNumber, Stream};
use crate::state::State;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use iam_evaluator::RequestContext;
use serde_json::{json, Value};
use time::OffsetDateTime;

/// Records one PutRecords call may carry.
pub const MAX_PUT_RECORDS: usize = 500;

/// Bytes (data and partition keys) one PutRecords call may carry.
pub const MAX_PUT_RECORDS_BYTES: usize = 10 * 1024 * 1024;

/// Bytes of data one GetRecords reply may carry.
pub const MAX_GET_RECORDS_BYTES: usize = 10 * 1024 * 1024;

/// One record to put, read and checked.
struct Entry {
    partition_key: String,
    data: Vec<u8>,
    explicit_hash_key: Option<u128>,
}

impl Entry {
    fn read(input: &Input) -> AwsResult<Entry> {
        let data = BASE64
            .decode(input.required_str("Data")?)
            .map_err(|_| serialization("Data must be base64."))?;
        let partition_key = input.required_str("PartitionKey")?.to_string();
        let length = partition_key.chars().count();
        if !(1..=256).contains(&length) {
            return Err(constraint(
                &partition_key,
                "PartitionKey",
                "Member must have length between 1 and 256",
            ));
        }
        let explicit_hash_key = input.str("ExplicitHashKey")?.map(parse_hash_key).transpose()?;
        Ok(Entry {
            partition_key,
            data,
            explicit_hash_key,
        })
    }

    fn size(&self) -> usize {
        self.data.len() + self.partition_key.len()
    }

    fn hash(&self) -> u128 {
        self.explicit_hash_key
            .unwrap_or_else(|| hash_key(&self.partition_key))
    }

    /// The stream's record size limit (data and partition key).
    fn check_size(&self, stream: &Stream) -> AwsResult<()> {
        let max = stream.max_record_kib as usize * 1024;
        if self.data.len() > max {
            return Err(constraint(
                &format!("<{} bytes>", self.data.len()),
                "Data",
                &format!("Member must have length less than or equal to {max}"),
            ));
        }
        if self.size() > max {
            return Err(invalid_argument(format!(
                "The record's data and partition key are {} bytes, more than the {max} bytes a record of stream {} may have.",
                self.size(),
                stream.name
            )));
        }
        Ok(())
    }
}

/// A decimal hash key in `0..=2^128-1`.
fn parse_hash_key(text: &str) -> AwsResult<u128> {
    text.parse::<u128>()
        .ok()
        .filter(|_| text == "0" || !text.starts_with('0'))
        .ok_or_else(|| {
            invalid_argument(format!(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {text}"
            ))
        })
}

/// Appends an entry to its shard; the reply's `ShardId` and `SequenceNumber`.
fn put(stream: &mut Stream, entry: Entry, at: OffsetDateTime) -> Value {
    let shard = stream.shard_for(entry.hash());
    let sequence = stream.append(shard, &entry.partition_key, entry.data, at);
    json!({"ShardId": stream.shards[shard].id, "SequenceNumber": sequence.to_string()})
}

pub fn put_record(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    let entry = Entry::read(&call.input)?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find_mut(state)?;
    entry.check_size(found)?;
    let mut reply = put(found, entry, call.now());
    reply["EncryptionType"] = json!("NONE");
    Ok(reply)
}

pub fn put_records(call: &Call, state: &mut State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    let entries = read_entries(&call.input)?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find_mut(state)?;
    for entry in &entries {
        entry.check_size(found)?;
    }
    let at = call.now();
    let results: Vec<Value> = entries.into_iter().map(|e| put(found, e, at)).collect();
    Ok(json!({"FailedRecordCount": 0, "Records": results, "EncryptionType": "NONE"}))
}

/// `Records`: 1 to 500 entries, at most 10 MiB in all.
fn read_entries(input: &Input) -> AwsResult<Vec<Entry>> {
    let list = input
        .objects("Records")?
        .ok_or_else(|| AwsError::missing_parameter("Records"))?;
    if list.is_empty() || list.len() > MAX_PUT_RECORDS {
        let rule = if list.is_empty() {
            "Member must have length greater than or equal to 1".to_string()
        } else {
            format!("Member must have length less than or equal to {MAX_PUT_RECORDS}")
        };
        return Err(constraint(&format!("<{} records>", list.len()), "Records", &rule));
    }
    let entries = list.iter().map(Entry::read).collect::<AwsResult<Vec<_>>>()?;
    let total: usize = entries.iter().map(Entry::size).sum();
    if total > MAX_PUT_RECORDS_BYTES {
        return Err(invalid_argument(format!(
            "The records are {total} bytes, more than the {MAX_PUT_RECORDS_BYTES} bytes one PutRecords call may carry."
        )));
    }
    Ok(entries)
}

/// Where a shard iterator starts.
enum Start {
    TrimHorizon,
    Latest,
    At(String),
    After(String),
    AtTimestamp(OffsetDateTime),
}

impl Start {
    fn read(input: &Input) -> AwsResult<Start> {
        let kind = input.required_str("ShardIteratorType")?;
        let sequence = || {
            let text = input.str("StartingSequenceNumber")?.ok_or_else(|| {
                invalid_argument(format!(
                    "StartingSequenceNumber is required for ShardIteratorType {kind}."
                ))
            })?;
            if !text.bytes().all(|b| b.is_ascii_digit()) || text.is_empty() {
                return Err(constraint(
                    text,
                    "StartingSequenceNumber",
                    "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
                ));
            }
            Ok(text.to_string())
        };
        match kind {
            "TRIM_HORIZON" => Ok(Start::TrimHorizon),
            "LATEST" => Ok(Start::Latest),
            "AT_SEQUENCE_NUMBER" => Ok(Start::At(sequence()?)),
            "AFTER_SEQUENCE_NUMBER" => Ok(Start::After(sequence()?)),
            "AT_TIMESTAMP" => input
                .timestamp("Timestamp")?
                .map(Start::AtTimestamp)
                .ok_or_else(|| invalid_argument("Timestamp is required for ShardIteratorType AT_TIMESTAMP.")),
            other => Err(constraint(
                other,
                "ShardIteratorType",
                "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]",
            )),
        }
    }

    /// The first record count the iterator reads in shard `shard`.
    fn position(&self, stream: &Stream, shard: usize) -> AwsResult<u64> {
        match self {
            Start::TrimHorizon => Ok(0),
            Start::Latest => Ok(stream.next_count),
            Start::At(text) => Ok(sequence_in(stream, shard, text)?.count),
            Start::After(text) => Ok(sequence_in(stream, shard, text)?.count + 1),
            Start::AtTimestamp(at) => Ok(stream.shards[shard]
                .first_count_at(*at)
                .unwrap_or(stream.next_count)),
        }
    }
}

/// A sequence number given for `shard`: it must be one this stream gave
/// out, and of that shard.
fn sequence_in(stream: &Stream, shard: usize, text: &str) -> AwsResult<SequenceNumber> {
    let id = &stream.shards[shard].id;
    let sequence = SequenceNumber::parse(text)
        .filter(|s| s.count < stream.next_count && (s.shard as usize) < stream.shards.len())
        .ok_or_else(|| {
            invalid_argument(format!(
                "StartingSequenceNumber {text} used in GetShardIterator on shard {id} in stream {} under account {} is invalid because it did not come from this stream.",
                stream.name,
                account_of(stream)
            ))
        })?;
    if sequence.shard as usize != shard {
        return Err(invalid_argument(format!(
            "Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a shard with {id}",
            stream.shards[sequence.shard as usize].id
        )));
    }
    Ok(sequence)
}

fn account_of(stream: &Stream) -> String {
    StreamRef::parse_arn(&stream.arn)
        .map(|s| s.account)
        .unwrap_or_default()
}

/// AWS: "Shard ID in stream NAME under account ACCOUNT does not exist".
fn shard_not_found(stream: &Stream, shard_id: &str) -> AwsError {
    AwsError::new(
        Json::ResourceNotFoundException,
        format!(
            "Shard {shard_id} in stream {} under account {} does not exist",
            stream.name,
            account_of(stream)
        ),
    )
}

pub fn get_shard_iterator(call: &Call, state: &State) -> AwsResult<Value> {
    let stream = call.stream_ref()?;
    let shard_id = call.input.required_str("ShardId")?;
    let start = Start::read(&call.input)?;
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find(state)?;
    let shard = found
        .shard_index(shard_id)
        .ok_or_else(|| shard_not_found(found, shard_id))?;
    let iterator = ShardIterator {
        stream_arn: found.arn.clone(),
        shard_id: shard_id.to_string(),
        from: start.position(found, shard)?,
        issued_ms: tokens::millis(call.now()),
    };
    Ok(json!({"ShardIterator": iterator.encode()}))
}

pub fn get_records(call: &Call, state: &State) -> AwsResult<Value> {
    let text = call.input.required_str("ShardIterator")?;
    if text.is_empty() || text.len() > 512 {
        return Err(constraint(
            text,
            "ShardIterator",
            "Member must have length between 1 and 512",
        ));
    }
    let limit = call.input.page_size("Limit", 10000, 10000)?;
    let iterator = ShardIterator::decode(text).ok_or_else(|| invalid_argument("Invalid ShardIterator."))?;
    let stream = StreamRef::parse_arn(&iterator.stream_arn)
        .ok_or_else(|| invalid_argument("Invalid ShardIterator."))?;
    if let Some(arn) = call.input.str("StreamARN")? {
        if arn != iterator.stream_arn {
            return Err(invalid_argument(format!(
                "The shard iterator is for stream {}, not {arn}.",
                iterator.stream_arn
            )));
        }
    }
    call.authorize(state, &stream, RequestContext::new())?;
    let found = stream.find(state)?;
    let shard = found
        .shard_index(&iterator.shard_id)
        .map(|i| &found.shards[i])
        .ok_or_else(|| shard_not_found(found, &iterator.shard_id))?;
    let at = call.now();
    if tokens::expired(iterator.issued_ms, at) {
        return Err(expired_iterator(iterator.issued_ms, at));
    }
    let available = shard.records_from(iterator.from);
    let batch = take_batch(available, limit);
    let next_from = batch.last().map_or(iterator.from, |r| r.sequence.count + 1);
    let behind = match batch.last() {
        Some(last) if batch.len() < available.len() => tokens::millis(at) - tokens::millis(last.arrival),
        _ => 0,
    };
    let next = ShardIterator {
        from: next_from,
        issued_ms: tokens::millis(at),
        ..iterator
    };
    Ok(json!({
        "Records": batch.iter().map(record_json).collect::<Vec<_>>(),
        "NextShardIterator": next.encode(),
        "MillisBehindLatest": behind.max(0),
    }))
}

/// The first records, at most `limit` of them and (after the first) at
/// most 10 MiB.
fn take_batch(records: &[Record], limit: usize) -> &[Record] {
    let mut bytes = 0;
    let mut count = 0;
    for record in records.iter().take(limit) {
        bytes += record.size();
        if count > 0 && bytes > MAX_GET_RECORDS_BYTES {
            break;
        }
        count += 1;
    }
    &records[..count]
}

fn record_json(record: &Record) -> Value {
    json!({
        "SequenceNumber": record.sequence.to_string(),
        "ApproximateArrivalTimestamp": epoch_seconds(record.arrival),
        "Data": BASE64.encode(&record.data),
        "PartitionKey": record.partition_key,
    })
}

/// AWS's wording, with times as Java prints them.
fn expired_iterator(issued_ms: i64, now: OffsetDateTime) -> AwsError {
    let issued = OffsetDateTime::from_unix_timestamp_nanos(i128::from(issued_ms) * 1_000_000).unwrap_or(now);
    AwsError::new(Json::ExpiredIteratorException,
        format!(
            "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of {} milliseconds.",
            java_date(issued),
            java_date(now),
            tokens::LIFETIME_MS
        ),
    )
}

/// `Fri Mar 15 07:58:30 UTC 2024`.
fn java_date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    );
    at.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_hash_keys_are_decimal_128_bit() {
        assert_eq!(parse_hash_key("0").unwrap(), 0);
        assert_eq!(
            parse_hash_key("340282366920938463463374607431768211455").unwrap(),
            u128::MAX
        );
        for bad in ["340282366920938463463374607431768211456", "-1", "01", "x", ""] {
            assert!(parse_hash_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expired_iterators_say_when_as_aws_does() {
        let now = OffsetDateTime::from_unix_timestamp(1_710_490_958).unwrap();
        let err = expired_iterator(1_710_489_510_000, now);
        assert_eq!(err.code, "ExpiredIteratorException");
        assert_eq!(
            err.message,
            "Iterator expired. The iterator was created at time Fri Mar 15 07:58:30 UTC 2024 while right now it is \
             Fri Mar 15 08:22:38 UTC 2024 which is further in the future than the tolerated delay of 300000 milliseconds."
        );
    }

    #[test]
    fn batches_stop_at_the_limit() {
        let at = OffsetDateTime::now_utc();
        let records: Vec<Record> = (1..=5)
            .map(|n| Record {
                sequence: SequenceNumber { count: n, shard: 0 },
                partition_key: "k".into(),
                data: vec![0; 10],
                arrival: at,
            })
            .collect();
        assert_eq!(take_batch(&records, 3).len(), 3);
        assert_eq!(take_batch(&records, 10).len(), 5);
        assert_eq!(take_batch(&[], 10).len(), 0);
    }
}
