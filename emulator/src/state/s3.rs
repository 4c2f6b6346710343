//! S3 state: buckets (names are global across accounts), their policies,
//! Block Public Access, tags, and objects whose bodies live in files.

use super::iam::{Document, Tags};
use crate::http::TempFile;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// The four Block Public Access settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// An object's body: a file, removed when no object or reply uses it.
pub type Body = Arc<TempFile>;

#[derive(Debug, Clone)]
pub struct Object {
    pub key: String,
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
}

/// A part of a multipart upload.
#[derive(Debug, Clone)]
pub struct Part {
    pub number: u32,
    pub body: Body,
    pub size: u64,
    pub etag: String,
    pub md5: [u8; 16],
    pub last_modified: OffsetDateTime,
    pub checksum: Option<(String, String)>,
}

/// A multipart upload in progress.
#[derive(Debug, Clone)]
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
}

#[derive(Debug, Clone)]
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
    pub objects: BTreeMap<String, Object>,
    pub uploads: BTreeMap<String, Upload>,
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
            objects: BTreeMap::new(),
            uploads: BTreeMap::new(),
        }
    }

    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.name)
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
