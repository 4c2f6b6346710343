//! Object versions as requests see them: the `versionId` a request names
//! (checked as S3 checks it), the version a read reaches through
//! lifecycle's view of the key ([`super::lifecycle`]), the errors and
//! headers S3 answers about versions, and the writes that add or remove
//! versions, each of which first settles the key's lifecycle so a version
//! a client saw keeps its id.
//!
//! From the API Reference (GetObject, DeleteObject) and the User Guide
//! ("Working with delete markers"): a GET or HEAD of a key whose current
//! version is a delete marker is 404 `NoSuchKey` with
//! `x-amz-delete-marker: true`; naming a delete marker's version id is
//! 405 `MethodNotAllowed` with the same header and its `Last-Modified`; a
//! version id S3 could not have issued is 400 `InvalidArgument` ("Invalid
//! version id specified"), one it could have but does not hold is 404
//! `NoSuchVersion`. A DELETE without a version id writes a delete marker
//! in a versioned bucket (the `null` one while suspended); with one, it
//! removes that version for good, and deleting a version that does not
//! exist succeeds.

use super::lifecycle;
use super::object::missing_key;
use super::S3Request;
use crate::error::{AwsError, AwsResult, S3};
use crate::state::s3::{Bucket, Object};
use crate::state::versions::{DeleteMarker, Slot, Version, VersionRef, Versioning};
use crate::state::State;
use time::OffsetDateTime;

fn invalid_version(message: &str, value: &str) -> AwsError {
    AwsError::new(S3::InvalidArgument, message)
        .with_detail("ArgumentName", "versionId")
        .with_detail("ArgumentValue", value)
}

/// A version id as a request gives it: `null`, or one the emulator issued.
pub fn parse(text: &str) -> AwsResult<VersionRef> {
    if text.is_empty() {
        return Err(invalid_version("Version id cannot be the empty string", text));
    }
    VersionRef::parse(text).ok_or_else(|| invalid_version("Invalid version id specified", text))
}

/// The request's `versionId`, if it names one.
pub fn requested(r: &S3Request) -> AwsResult<Option<VersionRef>> {
    r.param("versionId").map(parse).transpose()
}

/// The text of a version reference (`null` or the id).
pub fn shown(wanted: &VersionRef) -> &str {
    match wanted {
        VersionRef::Null => "null",
        VersionRef::Id { id, .. } => id,
    }
}

pub fn no_such_version(key: &str, wanted: &VersionRef) -> AwsError {
    AwsError::new(S3::NoSuchVersion, "The specified version does not exist.")
        .with_detail("Key", key)
        .with_detail("VersionId", shown(wanted))
}

/// What a read of a key finds: the named version, else the current one.
#[derive(Debug)]
pub enum Reached<'b> {
    Object {
        seq: u64,
        object: &'b Object,
    },
    DeleteMarker {
        version_id: Option<String>,
        last_modified: OffsetDateTime,
    },
    Missing,
}

impl<'b> Reached<'b> {
    /// The object reached, if it is one.
    pub fn object(&self) -> Option<&'b Object> {
        match self {
            Reached::Object { object, .. } => Some(object),
            _ => None,
        }
    }
}

/// The version of `key` that `wanted` names (the current one without),
/// as lifecycle has the key at `now`.
pub fn reach<'b>(
    bucket: &'b Bucket,
    key: &str,
    wanted: Option<&VersionRef>,
    now: OffsetDateTime,
) -> Reached<'b> {
    let Some(expiry) = lifecycle::Expiry::of(bucket, now) else {
        // Without lifecycle the stored versions are the view: no list of
        // the key's versions is built (a key may have many).
        let found = match wanted {
            Some(wanted) => bucket.objects.find(key, wanted),
            None => bucket.objects.latest(key),
        };
        return reached(bucket, key, found);
    };
    let view = expiry.view(bucket.objects.versions(key));
    let found = match wanted {
        Some(wanted) => view.find(wanted),
        None => view.latest(),
    };
    reached(bucket, key, found)
}

fn reached<'b>(bucket: &'b Bucket, key: &str, found: Option<&Slot>) -> Reached<'b> {
    let Some(slot) = found else {
        return Reached::Missing;
    };
    match &slot.version {
        // Objects are always stored (lifecycle places only markers).
        Version::Object(_) => match bucket
            .objects
            .slot(key, slot.seq)
            .and_then(|s| s.version.object())
        {
            Some(object) => Reached::Object {
                seq: slot.seq,
                object,
            },
            None => Reached::Missing,
        },
        Version::DeleteMarker(marker) => Reached::DeleteMarker {
            version_id: marker.version_id.clone(),
            last_modified: marker.last_modified,
        },
    }
}

/// The object a read of the request's key reaches, or the error S3 gives:
/// `NoSuchVersion` for a named version that is not there, 405 for a named
/// delete marker, `NoSuchKey` (403 for a caller who may not list the
/// bucket) for a key without a current object.
pub fn readable<'b>(
    r: &S3Request,
    state: &State,
    bucket: &'b Bucket,
    key: &str,
    wanted: Option<&VersionRef>,
    reached: Reached<'b>,
) -> AwsResult<(u64, &'b Object)> {
    match (reached, wanted) {
        (Reached::Object { seq, object }, _) => Ok((seq, object)),
        (Reached::Missing, Some(wanted)) => Err(no_such_version(key, wanted)),
        (Reached::Missing, None) => Err(missing_key(r, state, bucket, key)),
        (
            Reached::DeleteMarker {
                version_id,
                last_modified,
            },
            named,
        ) => Err(marker_error(
            r,
            state,
            bucket,
            key,
            named.is_some(),
            version_id.as_deref(),
            last_modified,
        )),
    }
}

/// A read that reached a delete marker: 405 when the request named it,
/// else the key is missing (404 with the marker's headers).
fn marker_error(
    r: &S3Request,
    state: &State,
    bucket: &Bucket,
    key: &str,
    named: bool,
    version_id: Option<&str>,
    last_modified: OffsetDateTime,
) -> AwsError {
    let err = if named {
        AwsError::new(
            S3::MethodNotAllowed,
            "The specified method is not allowed against this resource.",
        )
        .with_detail("Method", r.method())
        .with_detail("ResourceType", "DeleteMarker")
    } else {
        match missing_key(r, state, bucket, key) {
            // A caller who may not list the bucket learns nothing more.
            denied if denied.status != 404 => return denied,
            missing => missing,
        }
    };
    err.with_header("x-amz-delete-marker", "true")
        .with_header("x-amz-version-id", version_id.unwrap_or("null"))
        .with_header("last-modified", super::bucket::http_date(last_modified))
}

/// A reply's `x-amz-version-id` header, when it has one.
pub type VersionHeader = Option<(&'static str, String)>;

/// `x-amz-version-id` of a reply about a version of `bucket`: every reply
/// of a bucket that has (had) versioning, and any about a version with an id.
pub fn id_header(bucket: &Bucket, version_id: Option<&str>) -> VersionHeader {
    if bucket.versioning.is_none() && version_id.is_none() {
        return None;
    }
    Some(("x-amz-version-id", version_id.unwrap_or("null").to_string()))
}

/// Makes `key`'s stored versions what lifecycle's view of them is at
/// `now` (the marker it placed stored, the versions it expired removed);
/// returns what is removed, to be dropped after the lock.
pub fn settle(bucket: &mut Bucket, key: &str, now: OffsetDateTime) -> Vec<Version> {
    let (kept, placed, stored) = {
        let Some(expiry) = lifecycle::Expiry::of(bucket, now) else {
            return Vec::new();
        };
        let slots = bucket.objects.versions(key);
        let view = expiry.view(slots);
        let kept: std::collections::BTreeSet<u64> = view.stored.iter().map(|s| s.seq).collect();
        let stored: Vec<u64> = slots.iter().map(|s| s.seq).collect();
        (kept, view.placed, stored)
    };
    let mut removed: Vec<Version> = stored
        .into_iter()
        .filter(|seq| !kept.contains(seq))
        .filter_map(|seq| bucket.objects.remove(key, seq))
        .collect();
    if let Some(placed) = placed {
        removed.extend(bucket.objects.insert(key, placed));
    }
    removed
}

/// A new version written: the id its reply names (`null` while suspended,
/// none without versioning) and the versions it replaced.
pub struct Written {
    pub version_id: Option<String>,
    pub replaced: Vec<Version>,
}

/// Stores `version` as its key's newest, as the bucket's versioning has it.
pub fn store(bucket: &mut Bucket, version: Version, now: OffsetDateTime) -> Written {
    let key = version.key().to_string();
    let mut replaced = settle(bucket, &key, now);
    let versioning = bucket.versioning_mode();
    replaced.extend(bucket.objects.write(versioning, version));
    let version_id = match versioning {
        Versioning::Unversioned => None,
        _ => bucket
            .objects
            .latest(&key)
            .map(|s| s.version.shown_id().to_string()),
    };
    Written { version_id, replaced }
}

/// What a delete did.
#[derive(Debug, Default)]
pub struct Deleted {
    /// The id of the version removed or of the delete marker written, as
    /// the reply names it.
    pub version_id: Option<String>,
    /// A delete marker was written or removed.
    pub delete_marker: bool,
    /// What goes (its bodies after the lock).
    pub removed: Vec<Version>,
}

/// The object a delete would remove for good (what Object Lock guards):
/// the named version, the `null` version of a suspended bucket, the only
/// version of an unversioned one; none when a delete marker is written on top.
pub fn removed_by_delete<'b>(
    bucket: &'b Bucket,
    key: &str,
    wanted: Option<&VersionRef>,
    now: OffsetDateTime,
) -> Option<&'b Object> {
    match (wanted, bucket.versioning_mode()) {
        (Some(wanted), _) => reach(bucket, key, Some(wanted), now).object(),
        (None, Versioning::Enabled) => None,
        (None, Versioning::Suspended) => reach(bucket, key, Some(&VersionRef::Null), now).object(),
        (None, Versioning::Unversioned) => reach(bucket, key, None, now).object(),
    }
}

/// Deletes `key` as a DELETE of `deleter` (an account; none when
/// anonymous) does: the named version for good, or (without one) the object
/// of an unversioned bucket, or a delete marker on top, owned by the deleter.
pub fn delete(
    bucket: &mut Bucket,
    key: &str,
    wanted: Option<&VersionRef>,
    now: OffsetDateTime,
    deleter: Option<&str>,
) -> Deleted {
    let mut removed = settle(bucket, key, now);
    let mut deleted = match wanted {
        Some(wanted) => {
            let found = bucket.objects.find(key, wanted).map(|s| s.seq);
            let gone = found.and_then(|seq| bucket.objects.remove(key, seq));
            let delete_marker = gone.as_ref().is_some_and(Version::is_delete_marker);
            removed.extend(gone);
            Deleted {
                version_id: Some(shown(wanted).to_string()),
                delete_marker,
                removed: Vec::new(),
            }
        }
        None => match bucket.versioning_mode() {
            Versioning::Unversioned => {
                removed.extend(bucket.objects.remove_key(key));
                Deleted::default()
            }
            versioning => {
                let marker = Version::DeleteMarker(DeleteMarker {
                    key: key.to_string(),
                    version_id: None,
                    last_modified: now,
                    owner: bucket.written_by(deleter),
                });
                removed.extend(bucket.objects.write(versioning, marker));
                Deleted {
                    version_id: bucket
                        .objects
                        .latest(key)
                        .map(|s| s.version.shown_id().to_string()),
                    delete_marker: true,
                    removed: Vec::new(),
                }
            }
        },
    };
    deleted.removed = removed;
    deleted
}
