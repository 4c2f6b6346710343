//! S3 state: buckets (names are global across accounts), their policies,
//! Block Public Access, tags, and the versions of their objects (see
//! [`super::versions`]), whose bodies live in files.

use super::iam::{Document, Tags};
use super::s3_acl::AccessControlList;
use super::versions::{Objects, Version, Versioning};
use crate::protocol::xml::Element;
use crate::scratch::{OnDrop, TempFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// The four Block Public Access settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// New buckets have every setting on (S3's default since April 2023).
    pub const ALL_ON: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

/// The settings new buckets get (`serve --s3-defaults`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum S3Defaults {
    /// S3's defaults since April 2023: Block Public Access on, Object
    /// Ownership `BucketOwnerEnforced` (ACLs disabled), SSE-S3 encryption.
    #[default]
    Current,
    /// S3's defaults before April 2023, which older test suites (ceph
    /// s3-tests, many applications' fixtures) assume: Block Public Access
    /// off, Object Ownership `ObjectWriter` (ACLs enabled, the writer owns
    /// what it uploads), no default encryption.
    Legacy,
}

impl S3Defaults {
    /// Gives a bucket just created these defaults.
    pub fn apply(self, bucket: &mut Bucket) {
        match self {
            S3Defaults::Current => {}
            S3Defaults::Legacy => {
                bucket.public_access_block = None;
                bucket.ownership = Some("ObjectWriter".to_string());
                bucket.unencrypted_by_default = true;
            }
        }
    }
}

/// An object's body: in memory (a small body of an emulator without
/// `--state-dir`), or a file removed when no object or reply uses it.
/// Bodies of a state folder are always files (made durable before the
/// metadata naming them is written).
#[derive(Debug, Clone)]
pub enum Body {
    Memory(bytes::Bytes),
    File(Arc<TempFile>),
}

impl Body {
    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(bytes) => bytes.len() as u64,
            Body::File(file) => file.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file, when the body is one.
    pub fn file(&self) -> Option<&TempFile> {
        match self {
            Body::Memory(_) => None,
            Body::File(file) => Some(file),
        }
    }

    /// The whole body, from its start.
    pub fn reader(&self) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        self.range_reader(0, self.len())
    }

    /// `len` bytes from `offset` (fewer when the body is shorter).
    pub fn range_reader(&self, offset: u64, len: u64) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        use std::io::{Read, Seek};
        match self {
            Body::Memory(bytes) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
                let end = usize::try_from(offset.saturating_add(len))
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                Ok(Box::new(std::io::Cursor::new(bytes.slice(start..end))))
            }
            Body::File(file) => {
                let mut input = std::fs::File::open(&file.path)?;
                input.seek(std::io::SeekFrom::Start(offset))?;
                Ok(Box::new(input.take(len)))
            }
        }
    }
}

impl From<Arc<TempFile>> for Body {
    fn from(file: Arc<TempFile>) -> Self {
        Body::File(file)
    }
}

/// One version of an object: what an upload stored. Everything here is
/// per version (a new version starts with its own tags, lock, …).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Object {
    pub key: String,
    /// `None` is the `null` version (an unversioned or suspended bucket's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(with = "body_file")]
    pub body: Body,
    pub size: u64,
    /// The quoted ETag (`"md5hex"`, or `"md5hex-N"` after multipart).
    pub etag: String,
    pub last_modified: OffsetDateTime,
    pub content_type: String,
    /// `Cache-Control`, `Content-Disposition`, `Content-Encoding`,
    /// `Content-Language`, `Expires`, as stored at upload.
    pub headers: Vec<(String, String)>,
    /// `x-amz-meta-*` (names lower-cased, without the prefix).
    pub metadata: Vec<(String, String)>,
    pub tags: Tags,
    /// A checksum stored at upload: algorithm header name and base64 value.
    pub checksum: Option<(String, String)>,
    pub storage_class: String,
    /// For an object completed from parts: each part's size, in order
    /// (GetObject and HeadObject with `partNumber`); empty otherwise.
    pub part_sizes: Vec<u64>,
    /// Server-side encryption and Object Lock settings.
    #[serde(default)]
    pub protection: Protection,
    /// The account that owns the object; `None`: the bucket owner (ACLs
    /// disabled, or written by the bucket owner). See `services/s3/acl.rs`.
    #[serde(default)]
    pub owner: Option<String>,
    /// The object's ACL; `None`: its owner has FULL_CONTROL.
    #[serde(default)]
    pub acl: Option<AccessControlList>,
}

/// How an object is encrypted at rest and whether Object Lock holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    /// `AES256`, `aws:kms` or `aws:kms:dsse` (none for objects stored
    /// before encryption was reported).
    pub sse: Option<String>,
    pub kms_key_id: Option<String>,
    pub bucket_key_enabled: bool,
    /// SSE-C: the customer key's base64 MD5 (the key is never kept).
    pub customer_key_md5: Option<String>,
    /// Object Lock retention: `GOVERNANCE` or `COMPLIANCE`, and until when.
    pub lock_mode: Option<String>,
    pub retain_until: Option<OffsetDateTime>,
    pub legal_hold: bool,
}

/// A part of a multipart upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    pub number: u32,
    #[serde(with = "body_file")]
    pub body: Body,
    pub size: u64,
    pub etag: String,
    pub md5: [u8; 16],
    pub last_modified: OffsetDateTime,
    pub checksum: Option<(String, String)>,
}

/// A multipart upload in progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    pub id: String,
    pub key: String,
    pub initiated: OffsetDateTime,
    pub initiator_arn: String,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub metadata: Vec<(String, String)>,
    pub tags: Tags,
    /// `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`, when asked for.
    pub checksum_algorithm: Option<String>,
    /// `COMPOSITE` or `FULL_OBJECT`, with a checksum algorithm.
    pub checksum_type: Option<String>,
    pub storage_class: String,
    pub parts: BTreeMap<u32, Part>,
    /// Encryption and Object Lock given at CreateMultipartUpload.
    #[serde(default)]
    pub protection: Protection,
    /// The owner and ACL the completed object gets (from the ACL headers
    /// of CreateMultipartUpload).
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub acl: Option<AccessControlList>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    /// The owning account.
    pub owner: String,
    pub region: String,
    pub created: OffsetDateTime,
    pub policy: Option<Document>,
    /// `None` until PutPublicAccessBlock or DeletePublicAccessBlock; new
    /// buckets have every setting on.
    pub public_access_block: Option<PublicAccessBlock>,
    pub ownership: Option<String>,
    pub tags: Tags,
    /// `None` (never enabled), `Enabled` or `Suspended`.
    pub versioning: Option<String>,
    /// `Enabled` or `Disabled` once a PutBucketVersioning named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_delete: Option<String>,
    /// Stored one record per version, apart from the bucket's own record.
    #[serde(skip)]
    pub objects: Objects,
    pub uploads: BTreeMap<String, Upload>,
    /// Bucket configurations as they were put, by sub-resource (`cors`,
    /// `lifecycle`, …; `analytics/ID` for those kept by id). See
    /// `services/s3/configs.rs`.
    #[serde(default)]
    pub configs: BTreeMap<String, Element>,
    /// Created with `x-amz-bucket-object-lock-enabled: true`.
    #[serde(default)]
    pub object_lock_enabled: bool,
    /// Created under `--s3-defaults legacy`: without an encryption
    /// configuration, objects are stored unencrypted (S3 before 2023).
    #[serde(default)]
    pub unencrypted_by_default: bool,
    /// The bucket's ACL; `None`: the owner has FULL_CONTROL.
    #[serde(default)]
    pub acl: Option<AccessControlList>,
}

impl Bucket {
    pub fn new(name: &str, owner: &str, region: &str, now: OffsetDateTime) -> Self {
        Bucket {
            name: name.to_string(),
            owner: owner.to_string(),
            region: region.to_string(),
            created: now,
            policy: None,
            public_access_block: Some(PublicAccessBlock::ALL_ON),
            ownership: Some("BucketOwnerEnforced".to_string()),
            tags: Vec::new(),
            versioning: None,
            mfa_delete: None,
            objects: Objects::default(),
            uploads: BTreeMap::new(),
            configs: BTreeMap::new(),
            object_lock_enabled: false,
            unencrypted_by_default: false,
            acl: None,
        }
    }

    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.name)
    }

    /// Whether Object Ownership lets ACLs take part (anything but
    /// `BucketOwnerEnforced`; a bucket whose ownership controls were
    /// deleted behaves as `ObjectWriter`).
    pub fn acls_enabled(&self) -> bool {
        self.ownership.as_deref() != Some("BucketOwnerEnforced")
    }

    /// The account that owns an object version: under `BucketOwnerEnforced`
    /// "the bucket owner automatically owns and has full control over every
    /// object in the bucket".
    pub fn object_owner<'b>(&'b self, object: &'b Object) -> &'b str {
        match &object.owner {
            Some(owner) if self.acls_enabled() => owner,
            _ => &self.owner,
        }
    }

    /// The account that owns a version: an object's [`Bucket::object_owner`],
    /// a delete marker's deleter (the bucket owner under `BucketOwnerEnforced`).
    pub fn version_owner<'b>(&'b self, version: &'b Version) -> &'b str {
        match version {
            Version::Object(object) => self.object_owner(object),
            Version::DeleteMarker(marker) => match &marker.owner {
                Some(owner) if self.acls_enabled() => owner,
                _ => &self.owner,
            },
        }
    }

    /// The owner to record for a version `writer` writes: `None` (the
    /// bucket owner) unless ACLs are enabled and the writer is another
    /// account.
    pub fn written_by(&self, writer: Option<&str>) -> Option<String> {
        writer
            .filter(|w| *w != self.owner && self.acls_enabled())
            .map(str::to_string)
    }

    /// The bucket's versioning state.
    pub fn versioning_mode(&self) -> Versioning {
        Versioning::of(self.versioning.as_deref())
    }

    /// Whether deleting a version needs an MFA code (`x-amz-mfa`).
    pub fn mfa_delete_enabled(&self) -> bool {
        self.mfa_delete.as_deref() == Some("Enabled")
    }

    /// The settings in force (none configured means none on).
    pub fn effective_public_access_block(&self) -> PublicAccessBlock {
        self.public_access_block.unwrap_or(PublicAccessBlock {
            block_public_acls: false,
            ignore_public_acls: false,
            block_public_policy: false,
            restrict_public_buckets: false,
        })
    }
}

/// A body is stored as its file's name in the state folder's `objects/`;
/// persistence turns the name back into the file when loading.
mod body_file {
    use super::{Body, OnDrop, TempFile};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    #[derive(Serialize, Deserialize)]
    struct Stored {
        file: String,
        len: u64,
    }

    pub fn serialize<S: Serializer>(body: &Body, serializer: S) -> Result<S::Ok, S::Error> {
        // Only an emulator without a state folder keeps bodies in memory,
        // and it stores nothing.
        let Body::File(file) = body else {
            return Err(serde::ser::Error::custom(
                "an in-memory object body cannot be stored",
            ));
        };
        let name = file
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        Stored {
            file: name,
            len: file.len,
        }
        .serialize(serializer)
    }

    /// A name only (never a path, so a damaged record cannot point outside
    /// `objects/`), not yet tied to a file: nothing is removed if it drops.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Body, D::Error> {
        let stored = Stored::deserialize(deserializer)?;
        let plain = !stored.file.is_empty()
            && stored
                .file
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain {
            return Err(serde::de::Error::custom(format!(
                "object body file name {:?} is not one the emulator writes",
                stored.file
            )));
        }
        Ok(Body::File(Arc::new(TempFile {
            path: stored.file.into(),
            len: stored.len,
            on_drop: OnDrop::Keep,
        })))
    }
}
