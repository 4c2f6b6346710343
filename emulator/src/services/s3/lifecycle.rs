//! Lifecycle configurations: checked on Put as S3 checks them, and their
//! expiration applied lazily on the emulator's clock ([`crate::clock`]):
//! an object past its rule's `Expiration` is gone for every read and
//! listing from then on, without any scan of the bucket. S3 "rounds the
//! resulting time to the next day's midnight UTC" after adding the days to
//! the object's creation time; a `Date` expires matching objects from that
//! midnight. Objects under Object Lock retention or legal hold are kept, as
//! lifecycle "doesn't remove locked versions". Transitions and the
//! noncurrent-version and multipart rules are stored and returned, not acted on.

use super::configs::one_of;
use super::{malformed_xml, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::protocol::xml::Element;
use crate::state::s3::{Bucket, Object};
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

/// One rule's expiration, read once per request.
struct Expiring<'c> {
    filter: Option<&'c Element>,
    prefix: Option<&'c str>,
    days: Option<i64>,
    date: Option<OffsetDateTime>,
}

/// The bucket's expiration rules at `now`; `None` for a bucket without
/// lifecycle (most: then nothing is read per object).
pub struct Expiry<'c> {
    now: OffsetDateTime,
    rules: Vec<Expiring<'c>>,
}

impl<'c> Expiry<'c> {
    pub fn of(bucket: &'c Bucket, now: OffsetDateTime) -> Option<Expiry<'c>> {
        let config = bucket.configs.get("lifecycle")?;
        let rules: Vec<Expiring> = config
            .all("Rule")
            .filter(|r| r.trimmed("Status") == Some("Enabled"))
            .filter_map(|rule| {
                let expiration = rule.child("Expiration")?;
                Some(Expiring {
                    filter: rule.child("Filter"),
                    prefix: rule.trimmed("Prefix"),
                    days: expiration.trimmed("Days").and_then(|d| d.parse().ok()),
                    date: expiration.trimmed("Date").and_then(|d| midnight(d).ok()),
                })
            })
            .collect();
        (!rules.is_empty()).then_some(Expiry { now, rules })
    }

    /// Whether `object` has expired.
    pub fn expired(&self, object: &Object) -> bool {
        let p = &object.protection;
        if p.legal_hold || p.retain_until.is_some_and(|u| u > self.now) {
            return false;
        }
        self.rules.iter().any(|rule| {
            let applies = rule.prefix.is_none_or(|prefix| object.key.starts_with(prefix))
                && rule.filter.is_none_or(|f| filter_matches(f, object));
            let due = match (rule.days, rule.date) {
                (Some(days), _) => {
                    let day = (object.last_modified + time::Duration::days(days)).date();
                    let at = day.next_day().unwrap_or(day).midnight().assume_utc();
                    self.now >= at
                }
                (None, Some(date)) => self.now >= date,
                (None, None) => false,
            };
            applies && due
        })
    }
}

/// A rule's `Filter` (prefix, tag, sizes, or their `And`) against an object.
fn filter_matches(filter: &Element, object: &Object) -> bool {
    let conditions = filter.child("And").unwrap_or(filter);
    let prefix_ok = conditions
        .trimmed("Prefix")
        .is_none_or(|p| object.key.starts_with(p));
    let tags_ok = conditions.all("Tag").all(|tag| {
        let key = tag.trimmed("Key").unwrap_or_default();
        let value = tag.trimmed("Value").unwrap_or_default();
        object.tags.iter().any(|(k, v)| k == key && v == value)
    });
    let size = |name: &str| conditions.trimmed(name).and_then(|v| v.parse::<u64>().ok());
    let greater_ok = size("ObjectSizeGreaterThan").is_none_or(|n| object.size > n);
    let less_ok = size("ObjectSizeLessThan").is_none_or(|n| object.size < n);
    prefix_ok && tags_ok && greater_ok && less_ok
}

/// The object under `key` unless a lifecycle rule has expired it.
pub fn live<'b>(bucket: &'b Bucket, key: &str, now: OffsetDateTime) -> Option<&'b Object> {
    let object = bucket.objects.get(key)?;
    match Expiry::of(bucket, now) {
        Some(expiry) if expiry.expired(object) => None,
        _ => Some(object),
    }
}
