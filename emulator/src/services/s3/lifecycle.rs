//! Lifecycle configurations: checked on Put as S3 checks them, and their
//! expiration actions applied lazily on the emulator's clock
//! ([`crate::clock`]), per version, without any scan of the bucket: every
//! read sees a key's versions as the rules have them at that moment
//! ([`Expiry::view`]), and a write to a key first makes that view what is
//! stored ([`super::versions::settle`]), so what a client saw stays true.
//!
//! As "Expiring objects" (S3 User Guide) describes: `Expiration` acts on
//! the current version — removed in an unversioned bucket; in a
//! versioning-enabled bucket a delete marker is placed on top (the version
//! becomes noncurrent); suspended, a `null` delete marker replaces the
//! `null` version. `NoncurrentVersionExpiration` permanently removes a
//! version `NoncurrentDays` after it became noncurrent (when its successor
//! was written), keeping the `NewerNoncurrentVersions` newest. An expired
//! object delete marker (a marker that is a key's only version) is removed
//! by `ExpiredObjectDeleteMarker` or by a rule that expires current
//! versions ("Managing delete markers"). S3 "rounds the resulting time to
//! the next day's midnight UTC" after adding the days; a `Date` acts from
//! that midnight. Versions under Object Lock retention or legal hold are
//! kept, as lifecycle "doesn't remove locked versions". Transitions and the
//! multipart rule are stored and returned, not acted on.

use super::configs::one_of;
use super::{malformed_xml, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::protocol::xml::Element;
use crate::state::s3::{Bucket, Object};
use crate::state::versions::{DeleteMarker, Slot, Version, VersionRef, Versioning};
use crate::state::State;
use time::OffsetDateTime;

const ACTIONS: &[&str] = &[
    "Expiration",
    "Transition",
    "NoncurrentVersionExpiration",
    "NoncurrentVersionTransition",
    "AbortIncompleteMultipartUpload",
];

fn invalid_argument(message: &str) -> AwsError {
    AwsError::new(S3::InvalidArgument, message)
}

fn positive(element: &Element, name: &str, message: &str) -> AwsResult<Option<u32>> {
    match element.trimmed(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| invalid_argument(message)),
    }
}

fn midnight(text: &str) -> AwsResult<OffsetDateTime> {
    let date = super::protection::parse_date(text)
        .or_else(|| super::protection::parse_date(&format!("{}T00:00:00Z", text.trim())))
        .ok_or_else(|| invalid_argument("Invalid date format"))?;
    if date.time() != time::Time::MIDNIGHT {
        return Err(invalid_argument("'Date' must be at midnight GMT"));
    }
    Ok(date)
}

/// PutBucketLifecycleConfiguration: 1 to 1000 rules with unique ids, a
/// status, and at least one action, each well formed.
pub fn validate(_: &S3Request, _: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    let rules: Vec<&Element> = doc.all("Rule").collect();
    if rules.is_empty() || rules.len() > 1000 {
        return Err(malformed_xml());
    }
    let mut ids = std::collections::BTreeSet::new();
    for rule in rules {
        one_of(rule, "Status", &["Enabled", "Disabled"])?;
        if let Some(id) = rule.trimmed("ID") {
            if id.chars().count() > 255 {
                return Err(invalid_argument(
                    "ID length should not exceed allowed limit of 255",
                ));
            }
            if !ids.insert(id.to_string()) {
                return Err(invalid_argument(
                    "Rule ID must be unique. Found same ID for more than one rule",
                ));
            }
        }
        if rule.child("Filter").is_some() && rule.child("Prefix").is_some() {
            return Err(malformed_xml());
        }
        if !ACTIONS.iter().any(|a| rule.child(a).is_some()) {
            return Err(AwsError::new(
                S3::InvalidRequest,
                "At least one action needs to be specified in a rule",
            ));
        }
        if let Some(expiration) = rule.child("Expiration") {
            let days = positive(
                expiration,
                "Days",
                "'Days' for Expiration action must be a positive integer",
            )?;
            let date = expiration.trimmed("Date").map(midnight).transpose()?;
            let marker = expiration.trimmed("ExpiredObjectDeleteMarker");
            if usize::from(days.is_some()) + usize::from(date.is_some()) + usize::from(marker.is_some()) != 1
            {
                return Err(malformed_xml());
            }
        }
        for transition in rule.all("Transition") {
            positive(
                transition,
                "Days",
                "'Days' in Transition action must be a positive integer",
            )
            .or_else(|e| {
                if transition.trimmed("Days") == Some("0") {
                    Ok(Some(0))
                } else {
                    Err(e)
                }
            })?;
            if transition.trimmed("StorageClass").is_none() {
                return Err(malformed_xml());
            }
        }
        if let Some(noncurrent) = rule.child("NoncurrentVersionExpiration") {
            positive(
                noncurrent,
                "NoncurrentDays",
                "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
            )?;
        }
        if let Some(abort) = rule.child("AbortIncompleteMultipartUpload") {
            positive(
                abort,
                "DaysAfterInitiation",
                "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
            )?
            .ok_or_else(malformed_xml)?;
        }
    }
    Ok(())
}

/// The trimmed text of `name` in `element`, if both are there.
fn read<'e>(element: Option<&'e Element>, name: &str) -> Option<&'e str> {
    element.and_then(|e| e.trimmed(name))
}

/// One rule's actions on versions, read once per request.
struct Rule<'c> {
    filter: Option<&'c Element>,
    prefix: Option<&'c str>,
    /// `Expiration`: `Days` or `Date`.
    days: Option<i64>,
    date: Option<OffsetDateTime>,
    /// `Expiration` with `ExpiredObjectDeleteMarker` true.
    expired_object_delete_marker: bool,
    /// `NoncurrentVersionExpiration`.
    noncurrent_days: Option<i64>,
    newer_noncurrent: usize,
}

/// What a rule's filter reads of a version (a delete marker has no tags
/// and no size).
struct Subject<'v> {
    key: &'v str,
    tags: &'v [(String, String)],
    size: Option<u64>,
}

impl<'v> Subject<'v> {
    fn object(object: &'v Object) -> Self {
        Subject {
            key: &object.key,
            tags: &object.tags,
            size: Some(object.size),
        }
    }

    fn version(version: &'v Version) -> Self {
        match version {
            Version::Object(object) => Subject::object(object),
            Version::DeleteMarker(marker) => Subject {
                key: &marker.key,
                tags: &[],
                size: None,
            },
        }
    }
}

impl Rule<'_> {
    fn applies(&self, subject: &Subject) -> bool {
        self.prefix.is_none_or(|prefix| subject.key.starts_with(prefix))
            && self.filter.is_none_or(|f| filter_matches(f, subject))
    }

    fn expires_current(&self) -> bool {
        self.days.is_some() || self.date.is_some()
    }

    /// When the rule's `Expiration` expires a version written at `written`.
    fn due(&self, written: OffsetDateTime) -> Option<OffsetDateTime> {
        match (self.days, self.date) {
            (Some(days), _) => Some(after_days(written, days)),
            (None, Some(date)) => Some(date),
            (None, None) => None,
        }
    }
}

/// `days` after `from`, rounded up to the next midnight UTC (as S3 rounds).
fn after_days(from: OffsetDateTime, days: i64) -> OffsetDateTime {
    let day = (from + time::Duration::days(days)).date();
    day.next_day().unwrap_or(day).midnight().assume_utc()
}

/// The bucket's lifecycle rules that act on versions, at `now`; `None`
/// for a bucket without any (most: then nothing is read per version).
pub struct Expiry<'c> {
    now: OffsetDateTime,
    versioning: Versioning,
    rules: Vec<Rule<'c>>,
}

/// A key's versions as lifecycle has them at a moment: the stored ones it
/// has not removed, newest first, under the delete marker an `Expiration`
/// placed on top, if any.
#[derive(Debug)]
pub struct KeyView<'a> {
    pub placed: Option<Slot>,
    pub stored: Vec<&'a Slot>,
}

impl<'a> KeyView<'a> {
    /// The versions as stored (no lifecycle).
    pub fn unchanged(slots: &'a [Slot]) -> KeyView<'a> {
        KeyView {
            placed: None,
            stored: slots.iter().rev().collect(),
        }
    }

    /// Newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.placed.iter().chain(self.stored.iter().copied())
    }

    pub fn latest(&self) -> Option<&Slot> {
        self.iter().next()
    }

    pub fn find(&self, wanted: &VersionRef) -> Option<&Slot> {
        self.iter().find(|s| wanted.names(s))
    }
}

fn locked(object: &Object, now: OffsetDateTime) -> bool {
    let p = &object.protection;
    p.legal_hold || p.retain_until.is_some_and(|u| u > now)
}

impl<'c> Expiry<'c> {
    pub fn of(bucket: &'c Bucket, now: OffsetDateTime) -> Option<Expiry<'c>> {
        let config = bucket.configs.get("lifecycle")?;
        let rules: Vec<Rule> = config
            .all("Rule")
            .filter(|r| r.trimmed("Status") == Some("Enabled"))
            .filter_map(|rule| {
                let expiration = rule.child("Expiration");
                let noncurrent = rule.child("NoncurrentVersionExpiration");
                let parsed = Rule {
                    filter: rule.child("Filter"),
                    prefix: rule.trimmed("Prefix"),
                    days: read(expiration, "Days").and_then(|d| d.parse().ok()),
                    date: read(expiration, "Date").and_then(|d| midnight(d).ok()),
                    expired_object_delete_marker: read(expiration, "ExpiredObjectDeleteMarker")
                        .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                    noncurrent_days: read(noncurrent, "NoncurrentDays").and_then(|d| d.parse().ok()),
                    newer_noncurrent: read(noncurrent, "NewerNoncurrentVersions")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0),
                };
                let acts = parsed.expires_current()
                    || parsed.expired_object_delete_marker
                    || parsed.noncurrent_days.is_some();
                acts.then_some(parsed)
            })
            .collect();
        (!rules.is_empty()).then_some(Expiry {
            now,
            versioning: bucket.versioning_mode(),
            rules,
        })
    }

    /// When an `Expiration` rule expired `object` as a current version
    /// (the earliest such moment), unless it has not yet or it is locked.
    fn current_due(&self, object: &Object) -> Option<OffsetDateTime> {
        if locked(object, self.now) {
            return None;
        }
        let subject = Subject::object(object);
        self.rules
            .iter()
            .filter(|rule| rule.expires_current() && rule.applies(&subject))
            .filter_map(|rule| rule.due(object.last_modified))
            .filter(|due| *due <= self.now)
            .min()
    }

    /// Whether `object`, as the current version, has expired (it is gone,
    /// or under a delete marker, for every read and listing).
    pub fn expired(&self, object: &Object) -> bool {
        self.current_due(object).is_some()
    }

    /// Whether a noncurrent `version` that became noncurrent at `since`,
    /// with `newer` noncurrent versions above it, is removed.
    fn noncurrent_expired(&self, version: &Version, since: OffsetDateTime, newer: usize) -> bool {
        if version.object().is_some_and(|o| locked(o, self.now)) {
            return false;
        }
        let subject = Subject::version(version);
        self.rules.iter().any(|rule| {
            rule.noncurrent_days.is_some_and(|days| {
                newer >= rule.newer_noncurrent
                    && rule.applies(&subject)
                    && self.now >= after_days(since, days)
            })
        })
    }

    /// Whether a delete marker that is its key's only version is removed.
    fn lone_marker_expired(&self, marker: &Version) -> bool {
        let subject = Subject::version(marker);
        self.rules.iter().any(|rule| {
            rule.applies(&subject)
                && (rule.expired_object_delete_marker
                    || rule
                        .due(marker.last_modified())
                        .is_some_and(|due| due <= self.now))
        })
    }

    /// `slots` (a key's versions, oldest first) as the rules have them now.
    pub fn view<'a>(&self, slots: &'a [Slot]) -> KeyView<'a> {
        let mut view = KeyView::unchanged(slots);
        self.expire_current(&mut view);
        self.expire_noncurrent(&mut view);
        let lone_marker =
            view.placed.is_none() && view.stored.len() == 1 && view.stored[0].version.is_delete_marker();
        if lone_marker && self.lone_marker_expired(&view.stored[0].version) {
            view.stored.clear();
        }
        view
    }

    /// `Expiration` of the current version, as the bucket's versioning has it.
    fn expire_current(&self, view: &mut KeyView) {
        let Some(top) = view.stored.first().copied() else {
            return;
        };
        let Some(due) = top.version.object().and_then(|o| self.current_due(o)) else {
            return;
        };
        let key = top.version.key().to_string();
        match self.versioning {
            Versioning::Unversioned => {
                view.stored.remove(0);
            }
            Versioning::Enabled => {
                let seq = top.seq + 1;
                view.placed = Some(placed_marker(key, seq, Some(placed_id(top, seq, due)), due));
            }
            Versioning::Suspended => {
                view.stored.retain(|s| s.version.id().is_some());
                view.placed = Some(placed_marker(key, top.seq + 1, None, due));
            }
        }
    }

    /// `NoncurrentVersionExpiration`: each version below the current one
    /// became noncurrent when the version above it was written.
    fn expire_noncurrent(&self, view: &mut KeyView) {
        if !self.rules.iter().any(|r| r.noncurrent_days.is_some()) {
            return;
        }
        let mut successor = view.placed.as_ref().map(|p| p.version.last_modified());
        let mut newer = 0;
        let mut kept = Vec::with_capacity(view.stored.len());
        for slot in view.stored.drain(..) {
            let written = slot.version.last_modified();
            match successor {
                None => kept.push(slot),
                Some(since) => {
                    if !self.noncurrent_expired(&slot.version, since, newer) {
                        kept.push(slot);
                    }
                    newer += 1;
                }
            }
            successor = Some(written);
        }
        view.stored = kept;
    }
}

fn placed_marker(key: String, seq: u64, version_id: Option<String>, due: OffsetDateTime) -> Slot {
    Slot {
        seq,
        version: Version::DeleteMarker(DeleteMarker {
            key,
            version_id,
            last_modified: due,
            owner: None,
        }),
    }
}

/// The id of a marker lifecycle placed: the same on every read until a
/// write stores it, so a client may name it.
fn placed_id(top: &Slot, seq: u64, due: OffsetDateTime) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(
        format!(
            "lifecycle marker {} {} {}",
            top.version.key(),
            top.version.shown_id(),
            due.unix_timestamp()
        )
        .as_bytes(),
    );
    let mut tail = [0u8; 16];
    tail.copy_from_slice(&digest[..16]);
    crate::ids::object_version_id_with(seq, tail)
}

/// A rule's `Filter` (prefix, tag, sizes, or their `And`) against a version.
fn filter_matches(filter: &Element, subject: &Subject) -> bool {
    let conditions = filter.child("And").unwrap_or(filter);
    let prefix_ok = conditions
        .trimmed("Prefix")
        .is_none_or(|p| subject.key.starts_with(p));
    let tags_ok = conditions.all("Tag").all(|tag| {
        let key = tag.trimmed("Key").unwrap_or_default();
        let value = tag.trimmed("Value").unwrap_or_default();
        subject.tags.iter().any(|(k, v)| k == key && v == value)
    });
    let size = |name: &str| conditions.trimmed(name).and_then(|v| v.parse::<u64>().ok());
    let object_size = subject.size;
    let greater_ok = size("ObjectSizeGreaterThan").is_none_or(|n| object_size.is_some_and(|s| s > n));
    let less_ok = size("ObjectSizeLessThan").is_none_or(|n| object_size.is_some_and(|s| s < n));
    prefix_ok && tags_ok && greater_ok && less_ok
}

/// The current object under `key` unless it is a delete marker or a
/// lifecycle rule has expired it.
pub fn live<'b>(bucket: &'b Bucket, key: &str, now: OffsetDateTime) -> Option<&'b Object> {
    let object = bucket.objects.current(key)?;
    match Expiry::of(bucket, now) {
        Some(expiry) if expiry.expired(object) => None,
        _ => Some(object),
    }
}
