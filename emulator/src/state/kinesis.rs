//! Kinesis Data Streams state: streams per account and region, their
//! shards and the records in them (kept in memory), and their tags.
//!
//! As AWS documents it: a stream's shards split the 128-bit hash key space
//! `0..2^128-1` evenly; a record goes to the shard whose range holds the
//! MD5 of its partition key read as a big-endian integer ("An MD5 hash
//! function is used to map partition keys to 128-bit integer values"), or
//! its explicit hash key. Sequence numbers increase over time: each stream
//! counts its records, and a sequence number shows that count and the
//! shard as 56 decimal digits, as long as AWS's.

use super::iam::Document;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// On-demand streams start with four shards, as AWS creates them.
pub const ON_DEMAND_SHARDS: u32 = 4;

/// How long records stay readable by default, in hours.
pub const DEFAULT_RETENTION_HOURS: u32 = 24;

/// The largest record (data and partition key) by default, in KiB.
pub const DEFAULT_MAX_RECORD_KIB: u32 = 1024;

/// A stream's capacity mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamMode {
    Provisioned,
    OnDemand,
}

impl StreamMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamMode::Provisioned => "PROVISIONED",
            StreamMode::OnDemand => "ON_DEMAND",
        }
    }

    pub fn parse(text: &str) -> Option<StreamMode> {
        match text {
            "PROVISIONED" => Some(StreamMode::Provisioned),
            "ON_DEMAND" => Some(StreamMode::OnDemand),
            _ => None,
        }
    }
}

/// A record's sequence number: the stream's record count when it arrived
/// and its shard's index. Within a stream, later records have larger
/// counts; shown as `49`, the count in 48 digits and the shard in 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SequenceNumber {
    pub count: u64,
    pub shard: u32,
}

impl SequenceNumber {
    /// Reads a sequence number this emulator gave out.
    pub fn parse(text: &str) -> Option<SequenceNumber> {
        let digits = text.strip_prefix("49")?;
        if digits.len() != 54 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(SequenceNumber {
            count: digits[..48].parse().ok()?,
            shard: digits[48..].parse().ok()?,
        })
    }
}

impl std::fmt::Display for SequenceNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "49{:048}{:06}", self.count, self.shard)
    }
}

/// One data record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub sequence: SequenceNumber,
    pub partition_key: String,
    pub data: Vec<u8>,
    /// `ApproximateArrivalTimestamp` (millisecond precision).
    pub arrival: OffsetDateTime,
}

impl Record {
    /// The size that counts against record and reply limits.
    pub fn size(&self) -> usize {
        self.data.len() + self.partition_key.len()
    }
}

/// A shard: its hash key range and its records, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shard {
    /// `shardId-000000000000`.
    pub id: String,
    pub starting_hash_key: u128,
    pub ending_hash_key: u128,
    pub starting_sequence: SequenceNumber,
    pub records: Vec<Record>,
}

impl Shard {
    /// The records whose count is `from` or later, oldest first.
    pub fn records_from(&self, from: u64) -> &[Record] {
        let start = self.records.partition_point(|r| r.sequence.count < from);
        &self.records[start..]
    }

    /// The count of the first record that arrived at or after `at`, if any.
    pub fn first_count_at(&self, at: OffsetDateTime) -> Option<u64> {
        self.records
            .iter()
            .find(|r| r.arrival >= at)
            .map(|r| r.sequence.count)
    }
}

/// A data stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stream {
    pub name: String,
    pub arn: String,
    pub mode: StreamMode,
    pub created: OffsetDateTime,
    pub retention_hours: u32,
    pub max_record_kib: u32,
    pub shards: Vec<Shard>,
    pub tags: BTreeMap<String, String>,
    /// The resource policy (PutResourcePolicy); streams stored before
    /// there were policies have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Document>,
    /// The count the next record gets (counts start at 1; 0 is "before
    /// every record", the shards' starting sequence numbers).
    pub next_count: u64,
}

impl Stream {
    /// A new, active stream with `shard_count` shards splitting the hash
    /// key space evenly.
    pub fn new(arn: String, name: &str, mode: StreamMode, shard_count: u32, now: OffsetDateTime) -> Self {
        let shards = (0..shard_count)
            .map(|i| {
                let (start, end) = hash_range(i, shard_count);
                Shard {
                    id: shard_id(i),
                    starting_hash_key: start,
                    ending_hash_key: end,
                    starting_sequence: SequenceNumber { count: 0, shard: i },
                    records: Vec::new(),
                }
            })
            .collect();
        Stream {
            name: name.to_string(),
            arn,
            mode,
            created: now,
            retention_hours: DEFAULT_RETENTION_HOURS,
            max_record_kib: DEFAULT_MAX_RECORD_KIB,
            shards,
            tags: BTreeMap::new(),
            policy: None,
            next_count: 1,
        }
    }

    /// The index of the shard whose hash key range holds `hash`.
    pub fn shard_for(&self, hash: u128) -> usize {
        self.shards
            .iter()
            .position(|s| (s.starting_hash_key..=s.ending_hash_key).contains(&hash))
            .unwrap_or(0)
    }

    /// The index of the shard with this id.
    pub fn shard_index(&self, id: &str) -> Option<usize> {
        self.shards.iter().position(|s| s.id == id)
    }

    /// Appends a record to a shard; returns its sequence number.
    pub fn append(
        &mut self,
        shard: usize,
        partition_key: &str,
        data: Vec<u8>,
        now: OffsetDateTime,
    ) -> SequenceNumber {
        let sequence = SequenceNumber {
            count: self.next_count,
            shard: u32::try_from(shard).unwrap_or(u32::MAX),
        };
        self.next_count += 1;
        self.shards[shard].records.push(Record {
            sequence,
            partition_key: partition_key.to_string(),
            data,
            arrival: now,
        });
        sequence
    }
}

/// The hash key a partition key maps to: its MD5 as a big-endian integer.
pub fn hash_key(partition_key: &str) -> u128 {
    u128::from_be_bytes(Md5::digest(partition_key.as_bytes()).into())
}

/// `shardId-` and the index in 12 digits.
pub fn shard_id(index: u32) -> String {
    format!("shardId-{index:012}")
}

/// Shard `i` of `n` covers `floor(i * 2^128 / n) ..= floor((i + 1) * 2^128 / n) - 1`.
pub fn hash_range(i: u32, n: u32) -> (u128, u128) {
    let start = split_point(i, n);
    let end = if i + 1 == n {
        u128::MAX
    } else {
        split_point(i + 1, n) - 1
    };
    (start, end)
}

/// `floor(i * 2^128 / n)` for `i < n`, without overflowing: with
/// `2^128 = q * n + r`, it is `i * q + floor(i * r / n)`.
fn split_point(i: u32, n: u32) -> u128 {
    if i == 0 {
        return 0;
    }
    let n = u128::from(n);
    let i = u128::from(i);
    // 2^128 = (u128::MAX / n) * n + (u128::MAX % n) + 1.
    let mut q = u128::MAX / n;
    let mut r = u128::MAX % n + 1;
    if r == n {
        q += 1;
        r = 0;
    }
    i * q + i * r / n
}

/// Streams of one account in one region, by name.
pub type Streams = BTreeMap<String, Stream>;

/// Which stream: account, region, name.
pub type StreamKey = (String, String, String);

/// Every account's streams, per region.
#[derive(Debug, Default)]
pub struct Kinesis {
    regions: BTreeMap<(String, String), Streams>,
    /// Streams written since persistence last asked (see `state::tracked`).
    touched: std::collections::BTreeSet<StreamKey>,
}

impl Kinesis {
    /// Forgets every stream.
    pub fn clear(&mut self) {
        for ((account, region), streams) in &self.regions {
            for name in streams.keys() {
                self.touched
                    .insert((account.clone(), region.clone(), name.clone()));
            }
        }
        self.regions.clear();
    }

    /// The streams of `account` in `region`, by name.
    pub fn streams(&self, account: &str, region: &str) -> Option<&Streams> {
        self.regions.get(&(account.to_string(), region.to_string()))
    }

    pub fn stream(&self, account: &str, region: &str, name: &str) -> Option<&Stream> {
        self.streams(account, region)?.get(name)
    }

    /// A stream, for writing (it counts as written).
    pub fn stream_mut(&mut self, account: &str, region: &str, name: &str) -> Option<&mut Stream> {
        let stream = self
            .regions
            .get_mut(&(account.to_string(), region.to_string()))?
            .get_mut(name)?;
        self.touched
            .insert((account.to_string(), region.to_string(), name.to_string()));
        Some(stream)
    }

    /// Adds a stream (replacing one of the same name).
    pub fn insert(&mut self, account: &str, region: &str, stream: Stream) {
        self.touched
            .insert((account.to_string(), region.to_string(), stream.name.clone()));
        self.regions
            .entry((account.to_string(), region.to_string()))
            .or_default()
            .insert(stream.name.clone(), stream);
    }

    pub fn remove(&mut self, account: &str, region: &str, name: &str) -> Option<Stream> {
        let removed = self
            .regions
            .get_mut(&(account.to_string(), region.to_string()))?
            .remove(name)?;
        self.touched
            .insert((account.to_string(), region.to_string(), name.to_string()));
        Some(removed)
    }

    /// How many shards the streams of `account` in `region` have.
    pub fn shard_count(&self, account: &str, region: &str) -> usize {
        self.streams(account, region)
            .map_or(0, |s| s.values().map(|s| s.shards.len()).sum())
    }

    pub fn is_touched(&self) -> bool {
        !self.touched.is_empty()
    }

    /// Counts a stream as written again (its write did not reach the disk).
    pub fn touch(&mut self, key: StreamKey) {
        self.touched.insert(key);
    }

    /// The streams written since the last call, and forgets them.
    pub fn take_touched(&mut self) -> std::collections::BTreeSet<StreamKey> {
        std::mem::take(&mut self.touched)
    }

    /// Every stream with its key (for export and checks).
    pub fn all(&self) -> impl Iterator<Item = (StreamKey, &Stream)> {
        self.regions.iter().flat_map(|((account, region), streams)| {
            streams
                .iter()
                .map(move |(name, s)| ((account.clone(), region.clone(), name.clone()), s))
        })
    }

    /// The stream under `key`, if it exists.
    pub fn get(&self, key: &StreamKey) -> Option<&Stream> {
        self.stream(&key.0, &key.1, &key.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ranges_split_the_key_space_as_aws_does() {
        assert_eq!(hash_range(0, 1), (0, u128::MAX));
        let half = 1u128 << 127;
        assert_eq!(hash_range(0, 2), (0, half - 1));
        assert_eq!(hash_range(1, 2), (half, u128::MAX));
        // AWS's three-shard stream.
        assert_eq!(
            hash_range(0, 3).1.to_string(),
            "113427455640312821154458202477256070484"
        );
        assert_eq!(
            hash_range(2, 3).0.to_string(),
            "226854911280625642308916404954512140970"
        );
        for n in [1, 3, 4, 7, 500] {
            let mut next = 0u128;
            for i in 0..n {
                let (start, end) = hash_range(i, n);
                assert_eq!(start, next, "shard {i} of {n}");
                assert!(end >= start);
                next = end.wrapping_add(1);
            }
            assert_eq!(next, 0, "the last of {n} ends at 2^128-1");
        }
    }

    #[test]
    fn partition_keys_hash_with_md5() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(hash_key(""), 0xd41d_8cd9_8f00_b204_e980_0998_ecf8_427e);
    }

    #[test]
    fn sequence_numbers_round_trip_and_order() {
        let a = SequenceNumber { count: 7, shard: 3 };
        let text = a.to_string();
        assert_eq!(text.len(), 56);
        assert_eq!(SequenceNumber::parse(&text), Some(a));
        let b = SequenceNumber { count: 8, shard: 0 };
        assert!(a < b && a.to_string() < b.to_string());
        assert_eq!(SequenceNumber::parse("12"), None);
        assert_eq!(SequenceNumber::parse(&format!("48{}", &text[2..])), None);
    }

    #[test]
    fn records_route_and_read_back_in_order() {
        let now = OffsetDateTime::now_utc();
        let mut stream = Stream::new("arn".into(), "s", StreamMode::Provisioned, 4, now);
        let shard = stream.shard_for(hash_key("key"));
        let first = stream.append(shard, "key", b"a".to_vec(), now);
        let second = stream.append(shard, "key", b"b".to_vec(), now);
        assert!(first < second);
        let records = stream.shards[shard].records_from(second.count);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].data, b"b");
        assert_eq!(stream.shards[shard].records_from(0).len(), 2);
    }
}
