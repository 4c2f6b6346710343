//! The versions of a bucket's keys: each key's objects and delete markers,
//! ordered by their position (`seq`, higher is newer), and the writes
//! persistence must store — one record per version (see [`crate::store`]).
//!
//! A bucket that never had versioning keeps one version per key: the
//! `null` version at position 0, stored as `object/BUCKET/KEY` (the record
//! state folders had before versions existed, so they still load). Every
//! other version is stored as `version/BUCKET/KEY/SEQ`. With versioning
//! enabled a write adds a version with a new id at the key's next
//! position; suspended, it replaces the `null` version wherever it was and
//! becomes the newest ("Using versioning in S3 buckets").
//!
//! As with [`super::tracked::Tracked`], every way to change a version is a
//! method here that notes `(key, seq)` as written, so the compiler finds
//! every write persistence must see.

use super::s3::Object;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::btree_map;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use time::OffsetDateTime;

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioning {
    /// Never enabled: each key has only its `null` version.
    Unversioned,
    Enabled,
    Suspended,
}

impl Versioning {
    /// The state a bucket's `Status` names (`None`: never enabled).
    pub fn of(status: Option<&str>) -> Versioning {
        match status {
            Some("Enabled") => Versioning::Enabled,
            Some("Suspended") => Versioning::Suspended,
            _ => Versioning::Unversioned,
        }
    }
}

/// A delete marker: a key's newest version saying the key is deleted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeleteMarker {
    pub key: String,
    /// `None` is the `null` version (written while versioning is suspended).
    pub version_id: Option<String>,
    pub last_modified: OffsetDateTime,
    /// The account that deleted the key ("the account that created the
    /// delete marker", as ListObjectVersions shows it); `None`: the bucket
    /// owner (and lifecycle's markers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// One version of a key.
#[derive(Debug, Clone)]
pub enum Version {
    /// Boxed: a key's versions are a compact list, and most are objects.
    Object(Box<Object>),
    DeleteMarker(DeleteMarker),
}

impl Version {
    pub fn key(&self) -> &str {
        match self {
            Version::Object(o) => &o.key,
            Version::DeleteMarker(m) => &m.key,
        }
    }

    /// The version id; `None` for the `null` version.
    pub fn id(&self) -> Option<&str> {
        match self {
            Version::Object(o) => o.version_id.as_deref(),
            Version::DeleteMarker(m) => m.version_id.as_deref(),
        }
    }

    /// The id as S3 shows it (`null` for the null version).
    pub fn shown_id(&self) -> &str {
        self.id().unwrap_or("null")
    }

    fn set_id(&mut self, id: Option<String>) {
        match self {
            Version::Object(o) => o.version_id = id,
            Version::DeleteMarker(m) => m.version_id = id,
        }
    }

    pub fn last_modified(&self) -> OffsetDateTime {
        match self {
            Version::Object(o) => o.last_modified,
            Version::DeleteMarker(m) => m.last_modified,
        }
    }

    /// The object, unless this is a delete marker.
    pub fn object(&self) -> Option<&Object> {
        match self {
            Version::Object(o) => Some(o),
            Version::DeleteMarker(_) => None,
        }
    }

    pub fn object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Version::Object(o) => Some(o),
            Version::DeleteMarker(_) => None,
        }
    }

    pub fn is_delete_marker(&self) -> bool {
        matches!(self, Version::DeleteMarker(_))
    }

    /// Reads a stored record: an object, or a delete marker, which the
    /// emulator writes starting `{"delete_marker":true` (so loading a
    /// large state parses each record once, straight into its type).
    pub fn from_record(json: &[u8]) -> Result<Version, String> {
        if json.starts_with(MARKER_RECORD) {
            return serde_json::from_slice(json)
                .map(Version::DeleteMarker)
                .map_err(|e| e.to_string());
        }
        serde_json::from_slice(json)
            .map(|o| Version::Object(Box::new(o)))
            .map_err(|e| e.to_string())
    }
}

/// How a delete marker's record starts.
const MARKER_RECORD: &[u8] = br#"{"delete_marker":true"#;

/// An object is stored as itself (the record older folders have); a
/// delete marker with `"delete_marker": true` first, then its fields.
impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Marker<'m> {
            delete_marker: bool,
            #[serde(flatten)]
            marker: &'m DeleteMarker,
        }
        match self {
            Version::Object(o) => o.serialize(serializer),
            Version::DeleteMarker(marker) => Marker {
                delete_marker: true,
                marker,
            }
            .serialize(serializer),
        }
    }
}

/// A version and its position among its key's versions.
#[derive(Debug, Clone)]
pub struct Slot {
    pub seq: u64,
    pub version: Version,
}

/// Which version a request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRef {
    /// `versionId=null`.
    Null,
    /// An id, with the position it holds.
    Id { seq: u64, id: String },
}

impl VersionRef {
    /// `null` or an id the emulator could have issued; `None` otherwise.
    pub fn parse(text: &str) -> Option<VersionRef> {
        if text == "null" {
            return Some(VersionRef::Null);
        }
        let seq = crate::ids::object_version_seq(text)?;
        Some(VersionRef::Id {
            seq,
            id: text.to_string(),
        })
    }

    /// Whether `version` is the one named.
    pub fn names(&self, slot: &Slot) -> bool {
        match self {
            VersionRef::Null => slot.version.id().is_none(),
            VersionRef::Id { seq, id } => slot.seq == *seq && slot.version.id() == Some(id.as_str()),
        }
    }
}

/// Keys with their versions, in key order ([`Objects::range`]).
pub struct Keys<'a>(btree_map::Range<'a, String, Vec<Slot>>);

impl<'a> Iterator for Keys<'a> {
    type Item = (&'a String, &'a [Slot]);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v.as_slice()))
    }
}

/// The versions of every key of a bucket, oldest first per key (a new
/// version is pushed at the end), never an empty list.
#[derive(Debug, Clone, Default)]
pub struct Objects {
    keys: BTreeMap<String, Vec<Slot>>,
    touched: BTreeSet<(String, u64)>,
}

impl Objects {
    /// The key's versions, oldest first (empty when there are none).
    pub fn versions(&self, key: &str) -> &[Slot] {
        self.keys.get(key).map_or(&[], Vec::as_slice)
    }

    /// The key's newest version.
    pub fn latest(&self, key: &str) -> Option<&Slot> {
        self.keys.get(key)?.last()
    }

    /// The key's current object: its newest version unless that is a delete marker.
    pub fn current(&self, key: &str) -> Option<&Object> {
        self.latest(key)?.version.object()
    }

    /// The version at `seq`.
    pub fn slot(&self, key: &str, seq: u64) -> Option<&Slot> {
        let slots = self.keys.get(key)?;
        slots
            .binary_search_by_key(&seq, |s| s.seq)
            .ok()
            .map(|at| &slots[at])
    }

    /// The version `wanted` names.
    pub fn find(&self, key: &str, wanted: &VersionRef) -> Option<&Slot> {
        match wanted {
            VersionRef::Id { seq, .. } => self.slot(key, *seq).filter(|s| wanted.names(s)),
            VersionRef::Null => self.versions(key).iter().find(|s| wanted.names(s)),
        }
    }

    /// Keys with their versions, in key order, within `range`.
    pub fn range(&self, range: (Bound<&str>, Bound<&str>)) -> Keys<'_> {
        Keys(self.keys.range::<str, _>(range))
    }

    /// Every key with its versions, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &[Slot])> {
        self.keys.iter().map(|(k, v)| (k, v.as_slice()))
    }

    /// No version of any key (a bucket S3 lets you delete).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// How many keys have a version.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Keys whose newest version is an object.
    pub fn current_keys(&self) -> impl Iterator<Item = &String> {
        self.keys
            .iter()
            .filter(|(_, slots)| slots.last().is_some_and(|s| !s.version.is_delete_marker()))
            .map(|(k, _)| k)
    }

    /// The position a new version of `key` takes (positions start at 1;
    /// 0 is an unversioned bucket's only version).
    pub fn next_seq(&self, key: &str) -> u64 {
        self.latest(key).map_or(1, |s| s.seq + 1)
    }

    // ---- writes (each notes what it changed) ----

    /// Stores `version` as `key`'s newest as `versioning` has it written,
    /// giving it its id; returns the versions it replaces (none while
    /// versioning is enabled) for their bodies to go after the lock.
    pub fn write(&mut self, versioning: Versioning, mut version: Version) -> Vec<Version> {
        let key = version.key().to_string();
        match versioning {
            Versioning::Unversioned => {
                let replaced = self.remove_key(&key);
                version.set_id(None);
                self.insert(&key, Slot { seq: 0, version });
                replaced
            }
            Versioning::Enabled => {
                let seq = self.next_seq(&key);
                version.set_id(Some(crate::ids::object_version_id(seq)));
                self.insert(&key, Slot { seq, version });
                Vec::new()
            }
            Versioning::Suspended => {
                let seq = self.next_seq(&key);
                let replaced = self.remove_null(&key);
                version.set_id(None);
                self.insert(&key, Slot { seq, version });
                replaced.into_iter().collect()
            }
        }
    }

    /// Puts `slot` in its place among `key`'s versions (replacing one at
    /// the same position).
    pub fn insert(&mut self, key: &str, slot: Slot) -> Option<Version> {
        self.touched.insert((key.to_string(), slot.seq));
        let slots = self.keys.entry(key.to_string()).or_default();
        // New versions are the newest: usually a push.
        if slots.last().is_none_or(|last| last.seq < slot.seq) {
            slots.push(slot);
            return None;
        }
        match slots.binary_search_by_key(&slot.seq, |s| s.seq) {
            Ok(at) => Some(std::mem::replace(&mut slots[at], slot).version),
            Err(at) => {
                slots.insert(at, slot);
                None
            }
        }
    }

    /// Removes the version at `seq`.
    pub fn remove(&mut self, key: &str, seq: u64) -> Option<Version> {
        let slots = self.keys.get_mut(key)?;
        let at = slots.binary_search_by_key(&seq, |s| s.seq).ok()?;
        let removed = slots.remove(at);
        if slots.is_empty() {
            self.keys.remove(key);
        }
        self.touched.insert((key.to_string(), seq));
        Some(removed.version)
    }

    /// Removes the key's `null` version, if it has one.
    pub fn remove_null(&mut self, key: &str) -> Option<Version> {
        let seq = self.find(key, &VersionRef::Null)?.seq;
        self.remove(key, seq)
    }

    /// Removes every version of `key`.
    pub fn remove_key(&mut self, key: &str) -> Vec<Version> {
        let Some(slots) = self.keys.remove(key) else {
            return Vec::new();
        };
        slots
            .into_iter()
            .map(|slot| {
                self.touched.insert((key.to_string(), slot.seq));
                slot.version
            })
            .collect()
    }

    /// The version at `seq`, for changing.
    pub fn version_mut(&mut self, key: &str, seq: u64) -> Option<&mut Version> {
        let slots = self.keys.get_mut(key)?;
        let at = slots.binary_search_by_key(&seq, |s| s.seq).ok()?;
        self.touched.insert((key.to_string(), seq));
        Some(&mut slots[at].version)
    }

    /// Counts `(key, seq)` as written again (its write did not reach the disk).
    pub fn touch(&mut self, key: String, seq: u64) {
        self.touched.insert((key, seq));
    }

    /// The versions written since the last call, and forgets them.
    pub fn take_touched(&mut self) -> BTreeSet<(String, u64)> {
        std::mem::take(&mut self.touched)
    }

    /// Whether anything was written since the last [`Objects::take_touched`].
    pub fn is_touched(&self) -> bool {
        !self.touched.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::s3::{Body, Protection};

    fn object(key: &str) -> Version {
        Version::Object(Box::new(Object {
            key: key.into(),
            version_id: None,
            body: Body::Memory(bytes::Bytes::new()),
            size: 0,
            etag: String::new(),
            last_modified: crate::ids::now(),
            content_type: String::new(),
            headers: Vec::new(),
            metadata: Vec::new(),
            tags: Vec::new(),
            checksum: None,
            storage_class: "STANDARD".into(),
            part_sizes: Vec::new(),
            protection: Protection::default(),
            owner: None,
            acl: None,
        }))
    }

    fn marker(key: &str) -> Version {
        Version::DeleteMarker(DeleteMarker {
            key: key.into(),
            version_id: None,
            last_modified: crate::ids::now(),
            owner: None,
        })
    }

    fn ids(objects: &Objects, key: &str) -> Vec<(u64, String)> {
        objects
            .versions(key)
            .iter()
            .map(|s| (s.seq, s.version.shown_id().to_string()))
            .collect()
    }

    #[test]
    fn writes_follow_the_versioning_state() {
        let mut objects = Objects::default();
        assert!(objects.write(Versioning::Unversioned, object("k")).is_empty());
        assert_eq!(objects.write(Versioning::Unversioned, object("k")).len(), 1);
        assert_eq!(ids(&objects, "k"), [(0, "null".to_string())]);
        assert_eq!(
            objects.take_touched().into_iter().collect::<Vec<_>>(),
            [("k".to_string(), 0)]
        );
        // Enabled keeps the null version and adds new ones after it.
        objects.write(Versioning::Enabled, object("k"));
        objects.write(Versioning::Enabled, marker("k"));
        let listed = ids(&objects, "k");
        assert_eq!(listed.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(objects.latest("k").unwrap().version.is_delete_marker());
        assert_eq!(objects.current("k").map(|o| o.key.as_str()), None);
        let second = listed[1].1.clone();
        let wanted = VersionRef::parse(&second).unwrap();
        assert_eq!(objects.find("k", &wanted).unwrap().seq, 1);
        // Suspended replaces the null version wherever it was.
        let replaced = objects.write(Versioning::Suspended, object("k"));
        assert_eq!(replaced.len(), 1);
        let listed = ids(&objects, "k");
        assert_eq!(listed.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(listed[2].1, "null");
        assert_eq!(
            objects
                .take_touched()
                .into_iter()
                .map(|(_, s)| s)
                .collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        objects.remove("k", 1);
        objects.remove("k", 2);
        objects.remove("k", 3);
        assert!(objects.is_empty());
        assert_eq!(objects.next_seq("k"), 1);
    }

    #[test]
    fn records_round_trip_and_older_records_load() {
        let mut objects = Objects::default();
        objects.write(Versioning::Enabled, marker("gone"));
        let stored = &objects.latest("gone").unwrap().version;
        let json = serde_json::to_vec(stored).unwrap();
        let back = Version::from_record(&json).unwrap();
        assert!(back.is_delete_marker());
        assert_eq!(back.id(), stored.id());
        let older = br#"{"key":"k","body":{"file":"abc","len":1},"size":1,"etag":"\"x\"",
            "last_modified":[2026,1,0,0,0,0,0,0,0],"content_type":"","headers":[],"metadata":[],"tags":[],
            "checksum":null,"storage_class":"STANDARD","part_sizes":[]}"#;
        let loaded = Version::from_record(older).unwrap();
        assert_eq!(loaded.id(), None);
        assert_eq!(loaded.object().map(|o| o.size), Some(1));
    }
}
