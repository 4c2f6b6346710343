//! Opaque tokens Kinesis hands out: shard iterators (GetShardIterator,
//! GetRecords) and NextTokens (ListShards, ListStreams). Each is the
//! base64 of its fields and the time it was issued, so the server keeps no
//! state for them; both kinds expire five minutes after they are issued
//! ("A shard iterator expires 5 minutes after it is returned to the
//! requester"; ListShards: "Tokens expire after 300 seconds").

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use time::OffsetDateTime;

/// How long a token is good for, in milliseconds.
pub const LIFETIME_MS: i64 = 300_000;

/// Milliseconds since 1970 of `at`.
pub fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Whether a token issued at `issued_ms` has expired at `now`.
pub fn expired(issued_ms: i64, now: OffsetDateTime) -> bool {
    millis(now).saturating_sub(issued_ms) > LIFETIME_MS
}

/// Base64 of the fields, one per line (no field holds a newline).
fn encode(fields: &[&str]) -> String {
    BASE64.encode(fields.join("\n"))
}

/// The `count` fields of a token of `kind`, if `text` is one.
fn decode(text: &str, kind: &str, count: usize) -> Option<Vec<String>> {
    let bytes = BASE64.decode(text.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let fields: Vec<String> = text.split('\n').map(str::to_string).collect();
    (fields.len() == count && fields[0] == kind).then_some(fields)
}

/// Where a GetRecords call starts reading: a shard of a stream, from the
/// record whose count (see [`crate::state::kinesis::SequenceNumber`]) is
/// `from` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardIterator {
    pub stream_arn: String,
    pub shard_id: String,
    pub from: u64,
    /// When it was issued, in milliseconds since 1970.
    pub issued_ms: i64,
}

impl ShardIterator {
    pub fn encode(&self) -> String {
        encode(&[
            "shard-iterator-1",
            &self.stream_arn,
            &self.shard_id,
            &self.from.to_string(),
            &self.issued_ms.to_string(),
        ])
    }

    pub fn decode(text: &str) -> Option<ShardIterator> {
        let fields = decode(text, "shard-iterator-1", 5)?;
        Some(ShardIterator {
            stream_arn: fields[1].clone(),
            shard_id: fields[2].clone(),
            from: fields[3].parse().ok()?,
            issued_ms: fields[4].parse().ok()?,
        })
    }
}

/// Where the next page of a listing starts: after `after`, within `scope`
/// (a stream's ARN for shards, `ACCOUNT/REGION` for streams).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageToken {
    pub scope: String,
    pub after: String,
    pub issued_ms: i64,
}

impl PageToken {
    pub fn encode(&self) -> String {
        encode(&["page-1", &self.scope, &self.after, &self.issued_ms.to_string()])
    }

    pub fn decode(text: &str) -> Option<PageToken> {
        let fields = decode(text, "page-1", 4)?;
        Some(PageToken {
            scope: fields[1].clone(),
            after: fields[2].clone(),
            issued_ms: fields[3].parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let it = ShardIterator {
            stream_arn: "arn:aws:kinesis:us-east-1:123456789012:stream/s".into(),
            shard_id: "shardId-000000000001".into(),
            from: 42,
            issued_ms: 1_700_000_000_000,
        };
        assert_eq!(ShardIterator::decode(&it.encode()), Some(it.clone()));
        assert!(
            it.encode().len() <= 512,
            "ShardIterator is at most 512 characters"
        );
        assert_eq!(PageToken::decode(&it.encode()), None);
        let page = PageToken {
            scope: "123456789012/us-east-1".into(),
            after: "s".into(),
            issued_ms: 1,
        };
        assert_eq!(PageToken::decode(&page.encode()), Some(page));
        assert_eq!(ShardIterator::decode("not a token"), None);
    }

    #[test]
    fn tokens_expire_after_five_minutes() {
        let now = OffsetDateTime::now_utc();
        assert!(!expired(millis(now) - LIFETIME_MS, now));
        assert!(expired(millis(now) - LIFETIME_MS - 1, now));
    }
}
