//! ListObjectVersions (`GET /bucket?versions`, `s3:ListBucketVersions`):
//! every version and delete marker, in key order and newest first within
//! a key, interleaved as S3 returns them, with `IsLatest`; prefix,
//! delimiter and common prefixes, `max-keys` (at most 1000), the
//! `key-marker` / `version-id-marker` pair to resume from (the reply's
//! `NextKeyMarker` / `NextVersionIdMarker`), and `encoding-type=url`.
//! Versions are listed as lifecycle has them at the moment
//! ([`super::lifecycle`]).
//!
//! A `version-id-marker` without a `key-marker`, an empty one, or one S3
//! could not have issued is 400 `InvalidArgument` (the words of S3's
//! ListObjectVersions). A version id holds its position among its key's
//! versions, so a listing resumes correctly even if the marker's version
//! was deleted between pages.

use super::bucket::s3_date;
use super::lifecycle::{Expiry, KeyView};
use super::list::{authorize_list, max_keys};
use super::{canonical_id, xml_reply, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::Xml;
use crate::state::s3::Bucket;
use crate::state::versions::{Slot, Version, VersionRef};
use std::ops::Bound;

fn invalid_marker(message: &str, value: &str) -> AwsError {
    AwsError::new(S3::InvalidArgument, message)
        .with_detail("ArgumentName", "version-id-marker")
        .with_detail("ArgumentValue", value)
}

/// Where the listing resumes: after `key` (all of it), or within it after
/// the version `version` names.
struct Resume<'r> {
    key: &'r str,
    version: Option<VersionRef>,
}

fn resume_point<'r>(r: &'r S3Request<'_>) -> AwsResult<Option<Resume<'r>>> {
    let key = r.param("key-marker").filter(|k| !k.is_empty());
    let version = r.param("version-id-marker");
    match (key, version) {
        (None, None) => Ok(None),
        (None, Some(v)) => Err(invalid_marker(
            "A version-id marker cannot be specified without a key marker.",
            v,
        )),
        (Some(key), None) => Ok(Some(Resume { key, version: None })),
        (Some(_), Some("")) => Err(invalid_marker("A version-id marker cannot be empty.", "")),
        (Some(key), Some(v)) => {
            let version =
                VersionRef::parse(v).ok_or_else(|| invalid_marker("Invalid version id specified", v))?;
            Ok(Some(Resume {
                key,
                version: Some(version),
            }))
        }
    }
}

/// One entry of the listing.
enum Entry {
    Version { slot: Slot, latest: bool },
    Prefix(String),
}

/// A page of the listing.
struct Page {
    entries: Vec<Entry>,
    truncated: bool,
}

impl Page {
    /// The markers of the entry a next page starts after.
    fn next_markers(&self) -> Option<(String, Option<String>)> {
        Some(match self.entries.last()? {
            Entry::Version { slot, .. } => (
                slot.version.key().to_string(),
                Some(slot.version.shown_id().to_string()),
            ),
            Entry::Prefix(prefix) => (prefix.clone(), None),
        })
    }
}

/// What to list.
struct Query<'q> {
    prefix: &'q str,
    delimiter: Option<&'q str>,
    max: usize,
}

/// The versions of the view newer-to-older, skipping those up to the
/// resume point when the listing resumes inside this key.
fn versions_after<'v>(
    view: &'v KeyView,
    resume: Option<&VersionRef>,
) -> impl Iterator<Item = (usize, &'v Slot)> + 'v {
    let after = resume.map(|marker| match marker {
        VersionRef::Id { seq, .. } => Some(*seq),
        VersionRef::Null => view.find(marker).map(|s| s.seq),
    });
    view.iter().enumerate().filter(move |(_, slot)| match after {
        None => true,
        // A `null` marker no longer there: the key is done.
        Some(None) => false,
        Some(Some(seq)) => slot.seq < seq,
    })
}

fn list(bucket: &Bucket, query: &Query, resume: Option<&Resume>, expiry: Option<&Expiry>) -> Page {
    let mut page = Page {
        entries: Vec::new(),
        truncated: false,
    };
    let start = match resume {
        None => Bound::Unbounded,
        Some(Resume { key, version: None }) => Bound::Excluded(*key),
        Some(Resume {
            key,
            version: Some(_),
        }) => Bound::Included(*key),
    };
    for (key, slots) in bucket.objects.range((start, Bound::Unbounded)) {
        if !key.starts_with(query.prefix) {
            if key.as_str() > query.prefix {
                break;
            }
            continue;
        }
        // Resuming after a common prefix skips every key under it.
        if let (Some(Resume { key: after, .. }), Some(d)) = (resume, query.delimiter) {
            if after.ends_with(d) && key.starts_with(after) {
                continue;
            }
        }
        let view = match expiry {
            Some(expiry) => expiry.view(slots),
            None => KeyView::unchanged(slots),
        };
        if view.latest().is_none() {
            continue;
        }
        let common = query.delimiter.and_then(|d| {
            key[query.prefix.len()..]
                .find(d)
                .map(|at| key[..query.prefix.len() + at + d.len()].to_string())
        });
        if let Some(common) = common {
            if matches!(page.entries.last(), Some(Entry::Prefix(p)) if *p == common) {
                continue;
            }
            if page.entries.len() == query.max {
                page.truncated = true;
                break;
            }
            page.entries.push(Entry::Prefix(common));
            continue;
        }
        let within = resume
            .filter(|r| r.key == key.as_str())
            .and_then(|r| r.version.as_ref());
        for (index, slot) in versions_after(&view, within) {
            if page.entries.len() == query.max {
                page.truncated = true;
                return page;
            }
            page.entries.push(Entry::Version {
                slot: slot.clone(),
                latest: index == 0,
            });
        }
    }
    page
}

fn owner(x: &mut Xml, account: &str) {
    x.with("Owner", |x| {
        x.elem("ID", &canonical_id(account));
    });
}

fn entry_xml(x: &mut Xml, entry: &Entry, bucket: &Bucket, enc: &impl Fn(&str) -> String) {
    let (slot, latest) = match entry {
        Entry::Prefix(_) => return,
        Entry::Version { slot, latest } => (slot, *latest),
    };
    let version = &slot.version;
    let account = bucket.version_owner(version);
    let common = |x: &mut Xml| {
        x.elem("Key", &enc(version.key()));
        x.elem("VersionId", version.shown_id());
        x.elem("IsLatest", if latest { "true" } else { "false" });
        x.elem("LastModified", &s3_date(version.last_modified()));
    };
    match version {
        Version::Object(object) => {
            x.with("Version", |x| {
                common(x);
                x.elem("ETag", &object.etag);
                x.elem("Size", &object.size.to_string());
                owner(x, account);
                x.elem("StorageClass", &object.storage_class);
            });
        }
        Version::DeleteMarker(_) => {
            x.with("DeleteMarker", |x| {
                common(x);
                owner(x, account);
            });
        }
    }
}

pub fn list_object_versions(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = authorize_list(r, &state)?;
    let enc = super::key_encoder(r)?;
    let resume = resume_point(r)?;
    let query = Query {
        prefix: r.param("prefix").unwrap_or_default(),
        delimiter: r.param("delimiter").filter(|d| !d.is_empty()),
        max: max_keys(r)?,
    };
    let expiry = Expiry::of(bucket, r.ctx.shared.now());
    let page = list(bucket, &query, resume.as_ref(), expiry.as_ref());
    Ok(xml_reply("ListVersionsResult", |x| {
        x.elem("Name", &bucket.name);
        x.elem("Prefix", &enc(query.prefix));
        x.elem("KeyMarker", &enc(r.param("key-marker").unwrap_or_default()));
        x.elem(
            "VersionIdMarker",
            r.param("version-id-marker").unwrap_or_default(),
        );
        if page.truncated {
            if let Some((key, version)) = page.next_markers() {
                x.elem("NextKeyMarker", &enc(&key));
                x.opt("NextVersionIdMarker", version.as_deref());
            }
        }
        x.elem("MaxKeys", &query.max.to_string());
        if let Some(d) = query.delimiter {
            x.elem("Delimiter", &enc(d));
        }
        x.elem("IsTruncated", if page.truncated { "true" } else { "false" });
        if r.param("encoding-type").is_some() {
            x.elem("EncodingType", "url");
        }
        for entry in &page.entries {
            entry_xml(x, entry, bucket, &enc);
        }
        for entry in &page.entries {
            if let Entry::Prefix(p) = entry {
                x.with("CommonPrefixes", |x| {
                    x.elem("Prefix", &enc(p));
                });
            }
        }
    }))
}
