//! The S3 operation table: every request shape S3 answers, one row each,
//! in the style of Garage's `Endpoint`.
//!
//! A row is (method, what the path names, the sub-resource query keys, a
//! distinguishing header) → one [`S3Operation`] → its IAM action(s) and
//! resource ARN shape, as the Service Authorization Reference gives them.
//! [`resolve`] picks the row of a request; [`super::handle`] sends it to the
//! operation's handler ([`dispatch`]), and every handler asks for its
//! permission through one door, [`S3Request::authorize_op`], which reads
//! the action from the row: no handler names an action.
//!
//! How a row matches: the method and target must be equal; the request's
//! *sub-resource keys* (the query keys in [`MARKERS`], whatever their
//! values) must be exactly the row's `query`; the row's [`When`] must hold.
//! Rows with a [`When`] come before their plain sibling of the same shape;
//! the first match wins. A request that matches no row is answered
//! `NotImplemented` (or `MethodNotAllowed` for a method S3 does not have
//! there), never by another operation: `DELETE /bucket?cors` cannot reach
//! DeleteBucket, and `PUT /bucket/key?retention` cannot reach PutObject.
//!
//! Matching is a bit mask of the request's sub-resource keys (no
//! allocation) compared against each row's precomputed mask.
//!
//! **Adding an operation** is one row in [`ROWS`] (with the botocore
//! names it serves, so the completeness test finds it), one variant in
//! [`S3Operation`], and one arm in [`dispatch`]; a new sub-resource key
//! goes in [`MARKERS`]. Operations recognised but not served yet answer
//! [`unserved`] from `dispatch` with the reason. A handler that needs a
//! second permission (tags on an upload, the copy source, a governance
//! bypass) asks for it by [`Also`], which the row maps to its action.

use super::request::S3Request;
use super::{
    acl, attributes, bucket, configs, copy, cors, delete, list, list_versions, lock, multipart, object,
    policy, post, tagging,
};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use std::sync::LazyLock;

/// What the request path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `/`: no bucket.
    Service,
    /// `/bucket`.
    Bucket,
    /// `/bucket/key`.
    Object,
}

/// The HTTP methods S3 has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Put,
    Post,
    Delete,
    Options,
}

impl Method {
    pub fn parse(method: &str) -> Option<Method> {
        Some(match method {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
        }
    }
}

/// A further condition of a row on the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// The request carries this header (`x-amz-copy-source`).
    Header(&'static str),
    /// Signed for the `s3express` service (directory buckets' control
    /// plane: ListDirectoryBuckets has ListBuckets' shape).
    Express,
}

/// The resource an action is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arn {
    /// `arn:aws:s3:::*` (ListAllMyBuckets has no resource type).
    All,
    /// `arn:aws:s3:::bucket`.
    Bucket,
    /// `arn:aws:s3:::bucket/key`.
    Object,
    /// `arn:aws:s3express:region:account:bucket/bucket` (directory buckets).
    ExpressBucket,
    /// `arn:aws:s3-object-lambda:region:account:accesspoint/name`.
    ObjectLambda,
    /// Nothing is asked: a CORS preflight is answered from the bucket's
    /// CORS configuration, unsigned, as S3 does.
    Unauthorized,
}

/// A second permission a handler may need, mapped by the row to its
/// action (always on the same object, or on the copy source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Also {
    /// Tags given with an upload (`x-amz-tagging`).
    Tagging,
    /// The object a copy reads (`x-amz-copy-source`).
    CopySource,
    /// A version a copy reads (`x-amz-copy-source` with `?versionId=`).
    CopySourceVersion,
    /// `x-amz-bypass-governance-retention: true`.
    BypassGovernance,
    /// Object Lock settings given with an upload (`x-amz-object-lock-mode`
    /// and `-retain-until-date`).
    Retention,
    /// `x-amz-object-lock-legal-hold` given with an upload.
    LegalHold,
    /// `x-amz-bucket-object-lock-enabled: true` on CreateBucket.
    ObjectLockEnabled,
    /// Asked *instead of* the row's actions when the request names a
    /// version (`versionId`, or a DeleteObjects key's `VersionId`):
    /// `s3:GetObjectVersion` for GetObject, `s3:DeleteObjectVersion` for
    /// DeleteObject, … as the Service Authorization Reference lists them.
    Version,
}

/// One row of the table.
#[derive(Debug)]
pub struct Row {
    pub op: S3Operation,
    /// Further botocore operations with this wire shape (a deprecated
    /// operation shares its successor's row; the row's own is `op`).
    pub aliases: &'static [&'static str],
    pub method: Method,
    pub target: Target,
    /// Sub-resource query keys, all present and no others of [`MARKERS`].
    pub query: &'static [&'static str],
    pub when: When,
    /// The IAM actions asked, in order, all on `arn`.
    pub actions: &'static [&'static str],
    pub arn: Arn,
    /// Permissions asked only when the request needs them.
    pub also: &'static [(Also, &'static str)],
}

impl Row {
    /// The actions asked for `need` (none when the row has none).
    pub fn also(&self, need: Also) -> impl Iterator<Item = &'static str> + '_ {
        self.also.iter().filter(move |(n, _)| *n == need).map(|(_, a)| *a)
    }
}

/// The row of an operation (every operation has one).
pub fn row_of(op: S3Operation) -> &'static Row {
    ROWS.iter()
        .find(|row| row.op == op)
        .expect("every operation has a row (tested)")
}

/// The query keys that name a sub-resource (or, like `uploadId` and
/// `list-type`, choose the operation). Other query keys are parameters.
pub const MARKERS: &[&str] = &[
    "abac",
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "delete",
    "encryption",
    "id",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "list-type",
    "location",
    "logging",
    "metadataConfiguration",
    "metadataInventoryTable",
    "metadataJournalTable",
    "metadataTable",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "renameObject",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "select-type",
    "session",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versioning",
    "versions",
    "website",
];

macro_rules! operations {
    ($($op:ident),* $(,)?) => {
        /// Every operation the table knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum S3Operation { $($op,)* }

        impl S3Operation {
            /// The operation's name (botocore's, or S3's own for those
            /// botocore does not model).
            pub fn name(self) -> &'static str {
                match self { $(S3Operation::$op => stringify!($op),)* }
            }
        }
    };
}

operations!(
    AbortMultipartUpload,
    CompleteMultipartUpload,
    CopyObject,
    CreateBucket,
    CreateBucketMetadataConfiguration,
    CreateBucketMetadataTableConfiguration,
    CreateMultipartUpload,
    CreateSession,
    DeleteBucket,
    DeleteBucketAnalyticsConfiguration,
    DeleteBucketCors,
    DeleteBucketEncryption,
    DeleteBucketIntelligentTieringConfiguration,
    DeleteBucketInventoryConfiguration,
    DeleteBucketLifecycle,
    DeleteBucketMetadataConfiguration,
    DeleteBucketMetadataTableConfiguration,
    DeleteBucketMetricsConfiguration,
    DeleteBucketOwnershipControls,
    DeleteBucketPolicy,
    DeleteBucketReplication,
    DeleteBucketTagging,
    DeleteBucketWebsite,
    DeleteObject,
    DeleteObjectTagging,
    DeleteObjects,
    DeletePublicAccessBlock,
    GetBucketAbac,
    GetBucketAccelerateConfiguration,
    GetBucketAcl,
    GetBucketAnalyticsConfiguration,
    GetBucketCors,
    GetBucketEncryption,
    GetBucketIntelligentTieringConfiguration,
    GetBucketInventoryConfiguration,
    GetBucketLifecycleConfiguration,
    GetBucketLocation,
    GetBucketLogging,
    GetBucketMetadataConfiguration,
    GetBucketMetadataTableConfiguration,
    GetBucketMetricsConfiguration,
    GetBucketNotificationConfiguration,
    GetBucketOwnershipControls,
    GetBucketPolicy,
    GetBucketPolicyStatus,
    GetBucketReplication,
    GetBucketRequestPayment,
    GetBucketTagging,
    GetBucketVersioning,
    GetBucketWebsite,
    GetObject,
    GetObjectAcl,
    GetObjectAttributes,
    GetObjectLegalHold,
    GetObjectLockConfiguration,
    GetObjectRetention,
    GetObjectTagging,
    GetObjectTorrent,
    GetPublicAccessBlock,
    HeadBucket,
    HeadObject,
    ListBucketAnalyticsConfigurations,
    ListBucketIntelligentTieringConfigurations,
    ListBucketInventoryConfigurations,
    ListBucketMetricsConfigurations,
    ListBuckets,
    ListDirectoryBuckets,
    ListMultipartUploads,
    ListObjectVersions,
    ListObjects,
    ListObjectsV2,
    ListParts,
    PostObject,
    PreflightCors,
    PutBucketAbac,
    PutBucketAccelerateConfiguration,
    PutBucketAcl,
    PutBucketAnalyticsConfiguration,
    PutBucketCors,
    PutBucketEncryption,
    PutBucketIntelligentTieringConfiguration,
    PutBucketInventoryConfiguration,
    PutBucketLifecycleConfiguration,
    PutBucketLogging,
    PutBucketMetricsConfiguration,
    PutBucketNotificationConfiguration,
    PutBucketOwnershipControls,
    PutBucketPolicy,
    PutBucketReplication,
    PutBucketRequestPayment,
    PutBucketTagging,
    PutBucketVersioning,
    PutBucketWebsite,
    PutObject,
    PutObjectAcl,
    PutObjectLegalHold,
    PutObjectLockConfiguration,
    PutObjectRetention,
    PutObjectTagging,
    PutPublicAccessBlock,
    RenameObject,
    RestoreObject,
    SelectObjectContent,
    UpdateBucketMetadataInventoryTableConfiguration,
    UpdateBucketMetadataJournalTableConfiguration,
    UpdateObjectEncryption,
    UploadPart,
    UploadPartCopy,
    WriteGetObjectResponse,
);

/// The operations S3 has that botocore does not model: browser form
/// uploads and CORS preflights.
pub const NOT_IN_BOTOCORE: &[S3Operation] = &[S3Operation::PostObject, S3Operation::PreflightCors];

/// One row: `op [aliases], METHOD Target [query keys], [actions], Arn`,
/// then optionally `when …` and `also [(Need, action), …]`.
macro_rules! row {
    ($op:ident [$($alias:literal),*], $m:ident $t:ident [$($q:literal),*], [$($a:literal),*], $arn:ident
     $(, when $w:expr)? $(, also [$(($need:ident, $aa:literal)),*])?) => {
        Row {
            op: S3Operation::$op,
            aliases: &[$($alias),*],
            method: Method::$m,
            target: Target::$t,
            query: &[$($q),*],
            when: row!(@when $($w)?),
            actions: &[$($a),*],
            arn: Arn::$arn,
            also: &[$($((Also::$need, $aa)),*)?],
        }
    };
    (@when) => { When::Always };
    (@when $w:expr) => { $w };
}

/// The table. Actions and resource types as the Service Authorization
/// Reference lists them (`evaluator/data/service-catalog.tsv`); a Delete
/// of a configuration is authorized as its Put where AWS has no action of
/// its own (DeleteBucketCors → `s3:PutBucketCORS`).
pub static ROWS: &[Row] = &[
    // The service.
    row!(ListDirectoryBuckets [], Get Service [], ["s3express:ListAllMyDirectoryBuckets"], All, when When::Express),
    row!(ListBuckets [], Get Service [], ["s3:ListAllMyBuckets"], All),
    // Buckets.
    // "If ObjectLockEnabledForBucket is set to true … the
    // s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning
    // permissions are required" (CreateBucket, API Reference).
    row!(CreateBucket [], Put Bucket [], ["s3:CreateBucket"], Bucket,
        also [(ObjectLockEnabled, "s3:PutBucketObjectLockConfiguration"), (ObjectLockEnabled, "s3:PutBucketVersioning")]),
    row!(HeadBucket [], Head Bucket [], ["s3:ListBucket"], Bucket),
    row!(DeleteBucket [], Delete Bucket [], ["s3:DeleteBucket"], Bucket),
    row!(ListObjects [], Get Bucket [], ["s3:ListBucket"], Bucket),
    row!(ListObjectsV2 [], Get Bucket ["list-type"], ["s3:ListBucket"], Bucket),
    row!(ListObjectVersions [], Get Bucket ["versions"], ["s3:ListBucketVersions"], Bucket),
    row!(ListMultipartUploads [], Get Bucket ["uploads"], ["s3:ListBucketMultipartUploads"], Bucket),
    row!(DeleteObjects [], Post Bucket ["delete"], ["s3:DeleteObject"], Object,
        also [(Version, "s3:DeleteObjectVersion"), (BypassGovernance, "s3:BypassGovernanceRetention")]),
    row!(WriteGetObjectResponse [], Post Bucket [], ["s3-object-lambda:WriteGetObjectResponse"], ObjectLambda,
        when When::Header("x-amz-request-route")),
    row!(PostObject [], Post Bucket [], ["s3:PutObject"], Object,
        also [(Tagging, "s3:PutObjectTagging")]),
    row!(PreflightCors [], Options Bucket [], [], Unauthorized),
    row!(GetBucketLocation [], Get Bucket ["location"], ["s3:GetBucketLocation"], Bucket),
    row!(GetBucketPolicy [], Get Bucket ["policy"], ["s3:GetBucketPolicy"], Bucket),
    row!(PutBucketPolicy [], Put Bucket ["policy"], ["s3:PutBucketPolicy"], Bucket),
    row!(DeleteBucketPolicy [], Delete Bucket ["policy"], ["s3:DeleteBucketPolicy"], Bucket),
    row!(GetBucketPolicyStatus [], Get Bucket ["policyStatus"], ["s3:GetBucketPolicyStatus"], Bucket),
    row!(GetPublicAccessBlock [], Get Bucket ["publicAccessBlock"], ["s3:GetBucketPublicAccessBlock"], Bucket),
    row!(PutPublicAccessBlock [], Put Bucket ["publicAccessBlock"], ["s3:PutBucketPublicAccessBlock"], Bucket),
    row!(DeletePublicAccessBlock [], Delete Bucket ["publicAccessBlock"], ["s3:PutBucketPublicAccessBlock"], Bucket),
    row!(GetBucketOwnershipControls [], Get Bucket ["ownershipControls"], ["s3:GetBucketOwnershipControls"], Bucket),
    row!(PutBucketOwnershipControls [], Put Bucket ["ownershipControls"], ["s3:PutBucketOwnershipControls"], Bucket),
    row!(DeleteBucketOwnershipControls [], Delete Bucket ["ownershipControls"], ["s3:PutBucketOwnershipControls"], Bucket),
    row!(GetBucketAcl [], Get Bucket ["acl"], ["s3:GetBucketAcl"], Bucket),
    row!(PutBucketAcl [], Put Bucket ["acl"], ["s3:PutBucketAcl"], Bucket),
    row!(GetBucketTagging [], Get Bucket ["tagging"], ["s3:GetBucketTagging"], Bucket),
    row!(PutBucketTagging [], Put Bucket ["tagging"], ["s3:PutBucketTagging"], Bucket),
    row!(DeleteBucketTagging [], Delete Bucket ["tagging"], ["s3:PutBucketTagging"], Bucket),
    row!(GetBucketVersioning [], Get Bucket ["versioning"], ["s3:GetBucketVersioning"], Bucket),
    row!(PutBucketVersioning [], Put Bucket ["versioning"], ["s3:PutBucketVersioning"], Bucket),
    row!(GetBucketCors [], Get Bucket ["cors"], ["s3:GetBucketCORS"], Bucket),
    row!(PutBucketCors [], Put Bucket ["cors"], ["s3:PutBucketCORS"], Bucket),
    row!(DeleteBucketCors [], Delete Bucket ["cors"], ["s3:PutBucketCORS"], Bucket),
    row!(GetBucketEncryption [], Get Bucket ["encryption"], ["s3:GetEncryptionConfiguration"], Bucket),
    row!(PutBucketEncryption [], Put Bucket ["encryption"], ["s3:PutEncryptionConfiguration"], Bucket),
    row!(DeleteBucketEncryption [], Delete Bucket ["encryption"], ["s3:PutEncryptionConfiguration"], Bucket),
    row!(GetBucketLifecycleConfiguration ["GetBucketLifecycle"], Get Bucket ["lifecycle"], ["s3:GetLifecycleConfiguration"], Bucket),
    row!(PutBucketLifecycleConfiguration ["PutBucketLifecycle"], Put Bucket ["lifecycle"], ["s3:PutLifecycleConfiguration"], Bucket),
    row!(DeleteBucketLifecycle [], Delete Bucket ["lifecycle"], ["s3:PutLifecycleConfiguration"], Bucket),
    row!(GetBucketWebsite [], Get Bucket ["website"], ["s3:GetBucketWebsite"], Bucket),
    row!(PutBucketWebsite [], Put Bucket ["website"], ["s3:PutBucketWebsite"], Bucket),
    row!(DeleteBucketWebsite [], Delete Bucket ["website"], ["s3:DeleteBucketWebsite"], Bucket),
    row!(GetBucketLogging [], Get Bucket ["logging"], ["s3:GetBucketLogging"], Bucket),
    row!(PutBucketLogging [], Put Bucket ["logging"], ["s3:PutBucketLogging"], Bucket),
    row!(GetBucketNotificationConfiguration ["GetBucketNotification"], Get Bucket ["notification"], ["s3:GetBucketNotification"], Bucket),
    row!(PutBucketNotificationConfiguration ["PutBucketNotification"], Put Bucket ["notification"], ["s3:PutBucketNotification"], Bucket),
    row!(GetBucketReplication [], Get Bucket ["replication"], ["s3:GetReplicationConfiguration"], Bucket),
    row!(PutBucketReplication [], Put Bucket ["replication"], ["s3:PutReplicationConfiguration"], Bucket),
    row!(DeleteBucketReplication [], Delete Bucket ["replication"], ["s3:PutReplicationConfiguration"], Bucket),
    row!(GetBucketRequestPayment [], Get Bucket ["requestPayment"], ["s3:GetBucketRequestPayment"], Bucket),
    row!(PutBucketRequestPayment [], Put Bucket ["requestPayment"], ["s3:PutBucketRequestPayment"], Bucket),
    row!(GetBucketAccelerateConfiguration [], Get Bucket ["accelerate"], ["s3:GetAccelerateConfiguration"], Bucket),
    row!(PutBucketAccelerateConfiguration [], Put Bucket ["accelerate"], ["s3:PutAccelerateConfiguration"], Bucket),
    row!(GetObjectLockConfiguration [], Get Bucket ["object-lock"], ["s3:GetBucketObjectLockConfiguration"], Bucket),
    row!(PutObjectLockConfiguration [], Put Bucket ["object-lock"], ["s3:PutBucketObjectLockConfiguration"], Bucket),
    row!(GetBucketAnalyticsConfiguration [], Get Bucket ["analytics", "id"], ["s3:GetAnalyticsConfiguration"], Bucket),
    row!(PutBucketAnalyticsConfiguration [], Put Bucket ["analytics", "id"], ["s3:PutAnalyticsConfiguration"], Bucket),
    row!(DeleteBucketAnalyticsConfiguration [], Delete Bucket ["analytics", "id"], ["s3:PutAnalyticsConfiguration"], Bucket),
    row!(ListBucketAnalyticsConfigurations [], Get Bucket ["analytics"], ["s3:GetAnalyticsConfiguration"], Bucket),
    row!(GetBucketInventoryConfiguration [], Get Bucket ["inventory", "id"], ["s3:GetInventoryConfiguration"], Bucket),
    row!(PutBucketInventoryConfiguration [], Put Bucket ["inventory", "id"], ["s3:PutInventoryConfiguration"], Bucket),
    row!(DeleteBucketInventoryConfiguration [], Delete Bucket ["inventory", "id"], ["s3:PutInventoryConfiguration"], Bucket),
    row!(ListBucketInventoryConfigurations [], Get Bucket ["inventory"], ["s3:GetInventoryConfiguration"], Bucket),
    row!(GetBucketMetricsConfiguration [], Get Bucket ["metrics", "id"], ["s3:GetMetricsConfiguration"], Bucket),
    row!(PutBucketMetricsConfiguration [], Put Bucket ["metrics", "id"], ["s3:PutMetricsConfiguration"], Bucket),
    row!(DeleteBucketMetricsConfiguration [], Delete Bucket ["metrics", "id"], ["s3:PutMetricsConfiguration"], Bucket),
    row!(ListBucketMetricsConfigurations [], Get Bucket ["metrics"], ["s3:GetMetricsConfiguration"], Bucket),
    row!(GetBucketIntelligentTieringConfiguration [], Get Bucket ["intelligent-tiering", "id"], ["s3:GetIntelligentTieringConfiguration"], Bucket),
    row!(PutBucketIntelligentTieringConfiguration [], Put Bucket ["intelligent-tiering", "id"], ["s3:PutIntelligentTieringConfiguration"], Bucket),
    row!(DeleteBucketIntelligentTieringConfiguration [], Delete Bucket ["intelligent-tiering", "id"], ["s3:PutIntelligentTieringConfiguration"], Bucket),
    row!(ListBucketIntelligentTieringConfigurations [], Get Bucket ["intelligent-tiering"], ["s3:GetIntelligentTieringConfiguration"], Bucket),
    row!(GetBucketAbac [], Get Bucket ["abac"], ["s3:GetBucketAbac"], Bucket),
    row!(PutBucketAbac [], Put Bucket ["abac"], ["s3:PutBucketAbac"], Bucket),
    row!(CreateBucketMetadataTableConfiguration [], Post Bucket ["metadataTable"], ["s3:CreateBucketMetadataTableConfiguration"], Bucket),
    row!(GetBucketMetadataTableConfiguration [], Get Bucket ["metadataTable"], ["s3:GetBucketMetadataTableConfiguration"], Bucket),
    row!(DeleteBucketMetadataTableConfiguration [], Delete Bucket ["metadataTable"], ["s3:DeleteBucketMetadataTableConfiguration"], Bucket),
    row!(CreateBucketMetadataConfiguration [], Post Bucket ["metadataConfiguration"], ["s3:CreateBucketMetadataTableConfiguration"], Bucket),
    row!(GetBucketMetadataConfiguration [], Get Bucket ["metadataConfiguration"], ["s3:GetBucketMetadataTableConfiguration"], Bucket),
    row!(DeleteBucketMetadataConfiguration [], Delete Bucket ["metadataConfiguration"], ["s3:DeleteBucketMetadataTableConfiguration"], Bucket),
    row!(UpdateBucketMetadataInventoryTableConfiguration [], Put Bucket ["metadataInventoryTable"], ["s3:UpdateBucketMetadataInventoryTableConfiguration"], Bucket),
    row!(UpdateBucketMetadataJournalTableConfiguration [], Put Bucket ["metadataJournalTable"], ["s3:UpdateBucketMetadataJournalTableConfiguration"], Bucket),
    row!(CreateSession [], Get Bucket ["session"], ["s3express:CreateSession"], ExpressBucket),
    // Objects.
    row!(CreateMultipartUpload [], Post Object ["uploads"], ["s3:PutObject"], Object,
        also [(Tagging, "s3:PutObjectTagging"), (Retention, "s3:PutObjectRetention"), (LegalHold, "s3:PutObjectLegalHold")]),
    row!(CompleteMultipartUpload [], Post Object ["uploadId"], ["s3:PutObject"], Object),
    row!(UploadPartCopy [], Put Object ["uploadId"], ["s3:PutObject"], Object,
        when When::Header("x-amz-copy-source"),
        also [(CopySource, "s3:GetObject"), (CopySourceVersion, "s3:GetObjectVersion")]),
    row!(UploadPart [], Put Object ["uploadId"], ["s3:PutObject"], Object),
    row!(ListParts [], Get Object ["uploadId"], ["s3:ListMultipartUploadParts"], Object),
    row!(AbortMultipartUpload [], Delete Object ["uploadId"], ["s3:AbortMultipartUpload"], Object),
    row!(GetObjectTagging [], Get Object ["tagging"], ["s3:GetObjectTagging"], Object,
        also [(Version, "s3:GetObjectVersionTagging")]),
    row!(PutObjectTagging [], Put Object ["tagging"], ["s3:PutObjectTagging"], Object,
        also [(Version, "s3:PutObjectVersionTagging")]),
    row!(DeleteObjectTagging [], Delete Object ["tagging"], ["s3:DeleteObjectTagging"], Object,
        also [(Version, "s3:DeleteObjectVersionTagging")]),
    row!(GetObjectAcl [], Get Object ["acl"], ["s3:GetObjectAcl"], Object,
        also [(Version, "s3:GetObjectVersionAcl")]),
    row!(PutObjectAcl [], Put Object ["acl"], ["s3:PutObjectAcl"], Object,
        also [(Version, "s3:PutObjectVersionAcl")]),
    row!(GetObjectAttributes [], Get Object ["attributes"], ["s3:GetObject", "s3:GetObjectAttributes"], Object,
        also [(Version, "s3:GetObjectVersion"), (Version, "s3:GetObjectVersionAttributes")]),
    row!(GetObjectLegalHold [], Get Object ["legal-hold"], ["s3:GetObjectLegalHold"], Object),
    row!(PutObjectLegalHold [], Put Object ["legal-hold"], ["s3:PutObjectLegalHold"], Object),
    row!(GetObjectRetention [], Get Object ["retention"], ["s3:GetObjectRetention"], Object),
    row!(PutObjectRetention [], Put Object ["retention"], ["s3:PutObjectRetention"], Object,
        also [(BypassGovernance, "s3:BypassGovernanceRetention")]),
    row!(GetObjectTorrent [], Get Object ["torrent"], ["s3:GetObjectTorrent"], Object,
        also [(Version, "s3:GetObjectVersionTorrent")]),
    row!(RestoreObject [], Post Object ["restore"], ["s3:RestoreObject"], Object),
    row!(SelectObjectContent [], Post Object ["select", "select-type"], ["s3:GetObject"], Object),
    row!(RenameObject [], Put Object ["renameObject"], ["s3express:CreateSession"], ExpressBucket),
    row!(UpdateObjectEncryption [], Put Object ["encryption"], ["s3:UpdateObjectEncryption"], Object),
    row!(CopyObject [], Put Object [], ["s3:PutObject"], Object,
        when When::Header("x-amz-copy-source"),
        also [(CopySource, "s3:GetObject"), (CopySourceVersion, "s3:GetObjectVersion"), (Tagging, "s3:PutObjectTagging"),
              (Retention, "s3:PutObjectRetention"), (LegalHold, "s3:PutObjectLegalHold")]),
    row!(PutObject [], Put Object [], ["s3:PutObject"], Object,
        also [(Tagging, "s3:PutObjectTagging"), (Retention, "s3:PutObjectRetention"), (LegalHold, "s3:PutObjectLegalHold")]),
    row!(GetObject [], Get Object [], ["s3:GetObject"], Object, also [(Version, "s3:GetObjectVersion")]),
    row!(HeadObject [], Head Object [], ["s3:GetObject"], Object, also [(Version, "s3:GetObjectVersion")]),
    row!(DeleteObject [], Delete Object [], ["s3:DeleteObject"], Object,
        also [(Version, "s3:DeleteObjectVersion"), (BypassGovernance, "s3:BypassGovernanceRetention")]),
    row!(PreflightCors [], Options Object [], [], Unauthorized),
];

/// The query parameters of S3's operations that are not sub-resources
/// (botocore's `querystring` members, and `x-id`, which botocore adds):
/// an empty one (`?prefix=`) is a parameter. Any other key without a
/// value (`?annotation`, from an operation newer than this table) is a
/// sub-resource the table does not know, answered `NotImplemented`
/// instead of by the plain operation of its path (DeleteObject for
/// `DELETE /bucket/key?annotation`). Sorted, for `binary_search`.
pub const PARAMETERS: &[&str] = &[
    "bucket-region",
    "continuation-token",
    "delimiter",
    "encoding-type",
    "fetch-owner",
    "key-marker",
    "marker",
    "max-buckets",
    "max-directory-buckets",
    "max-keys",
    "max-parts",
    "max-uploads",
    "part-number-marker",
    "partNumber",
    "prefix",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "start-after",
    "upload-id-marker",
    "version-id-marker",
    "versionId",
    "x-id",
];

/// A key without a value that is neither a sub-resource of the table nor
/// a parameter, and is named as S3 names sub-resources (letters and
/// dashes, not a signature's `X-Amz-*`): a sub-resource of an operation
/// the table lacks.
fn unknown_sub_resource(key: &str, value: &str) -> bool {
    value.is_empty()
        && !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
        && !key.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"))
        && marker_bit(key) == 0
        && PARAMETERS.binary_search(&key).is_err()
}

/// Each row's [`MARKERS`] bit mask, in [`ROWS`] order.
static MASKS: LazyLock<Vec<u64>> = LazyLock::new(|| {
    ROWS.iter()
        .map(|row| row.query.iter().fold(0, |mask, key| mask | marker_bit(key)))
        .collect()
});

/// The bit of a sub-resource key (0 for a key that is not one).
fn marker_bit(key: &str) -> u64 {
    MARKERS.binary_search(&key).map_or(0, |i| 1u64 << i)
}

/// What [`resolve`] reads of a request.
pub struct Shape<'a> {
    pub method: &'a str,
    pub target: Target,
    /// The query keys (with or without values).
    pub query: &'a [(String, String)],
    pub header: &'a dyn Fn(&str) -> bool,
    /// Signed for `s3express`.
    pub express: bool,
}

/// The row of a request, or the error S3 gives a shape it does not have.
pub fn resolve(shape: &Shape) -> AwsResult<&'static Row> {
    let Some(method) = Method::parse(shape.method) else {
        return Err(method_not_allowed());
    };
    let mut mask = 0u64;
    for (key, value) in shape.query {
        // `list-type=2` is ListObjectsV2; any other value is ListObjects.
        if key == "list-type" && value != "2" {
            continue;
        }
        if unknown_sub_resource(key, value) {
            return Err(not_implemented(method.as_str(), shape.query));
        }
        mask |= marker_bit(key);
    }
    let masks = &*MASKS;
    let mut shape_known = false;
    for (row, row_mask) in ROWS.iter().zip(masks) {
        if row.target != shape.target || *row_mask != mask {
            continue;
        }
        shape_known = true;
        if row.method != method {
            continue;
        }
        let holds = match row.when {
            When::Always => true,
            When::Header(name) => (shape.header)(name),
            When::Express => shape.express,
        };
        if holds {
            return Ok(row);
        }
    }
    if shape.target == Target::Service || (shape_known && mask == 0) {
        return Err(method_not_allowed());
    }
    Err(not_implemented(method.as_str(), shape.query))
}

pub fn method_not_allowed() -> AwsError {
    AwsError::new(
        S3::MethodNotAllowed,
        "The specified method is not allowed against this resource.",
    )
}

/// No row: S3's answer to a header or query it does not implement.
pub fn not_implemented(method: &str, query: &[(String, String)]) -> AwsError {
    let keys: Vec<&str> = query
        .iter()
        .filter(|(k, v)| marker_bit(k) != 0 || unknown_sub_resource(k, v))
        .map(|(k, _)| k.as_str())
        .collect();
    AwsError::new(
        S3::NotImplemented,
        format!(
            "A header or query you provided implies functionality that is not implemented ({method} ?{}).",
            keys.join("&")
        ),
    )
}

/// An operation the table recognises that the emulator does not serve.
pub fn unserved(op: S3Operation, why: &str) -> AwsError {
    AwsError::new(
        S3::NotImplemented,
        format!("{} is not implemented by iam-emulator: {why}", op.name()),
    )
}

/// Sends a resolved request to its operation's handler.
#[allow(clippy::too_many_lines)] // one arm per operation
pub fn dispatch(r: &S3Request) -> AwsResult<HttpResponse> {
    use S3Operation as Op;
    match r.op() {
        Op::ListBuckets => bucket::list_buckets(r),
        Op::CreateBucket => bucket::create_bucket(r),
        Op::HeadBucket => bucket::head_bucket(r),
        Op::DeleteBucket => bucket::delete_bucket(r),
        Op::ListObjects => list::list_objects_v1(r),
        Op::ListObjectsV2 => list::list_objects_v2(r),
        Op::ListObjectVersions => list_versions::list_object_versions(r),
        Op::ListMultipartUploads => multipart::list::list_multipart_uploads(r),
        Op::DeleteObjects => delete::delete_objects(r),
        Op::GetBucketLocation => bucket::get_location(r),
        Op::GetBucketPolicy => policy::get_policy(r),
        Op::PutBucketPolicy => policy::put_policy(r),
        Op::DeleteBucketPolicy => policy::delete_policy(r),
        Op::GetBucketPolicyStatus => policy::get_policy_status(r),
        Op::GetPublicAccessBlock => policy::get_public_access_block(r),
        Op::PutPublicAccessBlock => policy::put_public_access_block(r),
        Op::DeletePublicAccessBlock => policy::delete_public_access_block(r),
        Op::GetBucketOwnershipControls => bucket::get_ownership(r),
        Op::PutBucketOwnershipControls => bucket::put_ownership(r),
        Op::DeleteBucketOwnershipControls => bucket::delete_ownership(r),
        Op::GetBucketAcl => acl::get_bucket_acl(r),
        Op::PutBucketAcl => acl::put_bucket_acl(r),
        Op::GetBucketTagging => bucket::get_tagging(r),
        Op::PutBucketTagging => bucket::put_tagging(r),
        Op::DeleteBucketTagging => bucket::delete_tagging(r),
        Op::GetBucketVersioning => bucket::get_versioning(r),
        Op::PutBucketVersioning => bucket::put_versioning(r),
        Op::CreateMultipartUpload => multipart::upload::create_multipart_upload(r),
        Op::CompleteMultipartUpload => multipart::complete::complete_multipart_upload(r),
        Op::UploadPartCopy => multipart::upload::upload_part_copy(r),
        Op::UploadPart => multipart::upload::upload_part(r),
        Op::ListParts => multipart::list::list_parts(r),
        Op::AbortMultipartUpload => multipart::upload::abort_multipart_upload(r),
        Op::GetObjectTagging => tagging::get_object_tagging(r),
        Op::PutObjectTagging => tagging::put_object_tagging(r),
        Op::DeleteObjectTagging => tagging::delete_object_tagging(r),
        Op::GetObjectAcl => acl::get_object_acl(r),
        Op::PutObjectAcl => acl::put_object_acl(r),
        Op::CopyObject => copy::copy_object(r),
        Op::PutObject => object::put_object(r),
        Op::GetObject => object::get_object(r, true),
        Op::HeadObject => object::get_object(r, false),
        Op::DeleteObject => object::delete_object(r),
        Op::PostObject => post::post_object(r),
        Op::PreflightCors => cors::preflight(r),
        Op::GetObjectAttributes => attributes::get_object_attributes(r),
        Op::ListDirectoryBuckets => bucket::list_directory_buckets(r),
        Op::CreateSession | Op::RenameObject => Err(unserved(
            r.op(),
            "directory buckets (S3 Express One Zone) are not emulated",
        )),
        Op::WriteGetObjectResponse => Err(unserved(r.op(), "S3 Object Lambda is not emulated")),
        Op::SelectObjectContent => Err(unserved(
            r.op(),
            "S3 Select is not emulated (AWS closed it to new customers in 2024)",
        )),
        Op::GetObjectTorrent => Err(unserved(
            r.op(),
            "BitTorrent is not emulated (AWS no longer serves it)",
        )),
        op => configs::dispatch(r, op)
            .or_else(|| lock::dispatch(r, op))
            .unwrap_or_else(|| Err(unserved(op, "not emulated yet"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iam_evaluator::Catalog;

    /// botocore's S3 model, vendored (`scripts/gen-botocore-operations.py`).
    fn botocore() -> serde_json::Value {
        serde_json::from_str(include_str!("../../../data/botocore/s3.json")).expect("vendored model is JSON")
    }

    /// [`PARAMETERS`] are the model's query members that are not
    /// sub-resources, and `x-id`.
    #[test]
    fn parameters_are_the_models_query_members() {
        let model = botocore();
        let mut found: Vec<String> = model["operations"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["input"].as_array().unwrap())
            .filter(|m| m["location"] == "querystring")
            .map(|m| m["locationName"].as_str().unwrap().to_string())
            .filter(|name| marker_bit(name) == 0)
            .chain(["x-id".to_string()])
            .collect();
        found.sort();
        found.dedup();
        assert_eq!(found, PARAMETERS);
    }

    /// The botocore operations signed for `s3express` (the model's
    /// per-operation signing name; not in the vendored summary).
    const EXPRESS: &[&str] = &["ListDirectoryBuckets"];

    /// A request as boto3 sends `operation`: its method, path shape, the
    /// query keys of its URI and of its required query members, and its
    /// required headers.
    fn request_of(operation: &serde_json::Value) -> (String, Target, Vec<(String, String)>, Vec<String>) {
        let method = operation["method"].as_str().unwrap().to_string();
        let uri = operation["uri"].as_str().unwrap();
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let target = match path {
            "/" => Target::Service,
            p if p.ends_with("{Key+}") => Target::Object,
            _ => Target::Bucket,
        };
        let mut pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        let mut headers = Vec::new();
        for member in operation["input"].as_array().unwrap() {
            if member["required"].as_bool() != Some(true) {
                continue;
            }
            let name = member["locationName"].as_str().unwrap_or_default().to_string();
            match member["location"].as_str() {
                Some("querystring") => pairs.push((name, "1".into())),
                Some("header") => headers.push(name.to_ascii_lowercase()),
                _ => {}
            }
        }
        (method, target, pairs, headers)
    }

    fn resolve_request(
        method: &str,
        target: Target,
        query: &[(String, String)],
        headers: &[String],
        express: bool,
    ) -> AwsResult<&'static Row> {
        let header = |name: &str| headers.iter().any(|h| h == name);
        resolve(&Shape {
            method,
            target,
            query,
            header: &header,
            express,
        })
    }

    #[test]
    fn markers_are_sorted_and_fit_the_mask() {
        assert!(
            MARKERS.windows(2).all(|w| w[0] < w[1]),
            "MARKERS must be sorted for binary_search"
        );
        assert!(MARKERS.len() <= 64);
        for row in ROWS {
            for key in row.query {
                assert_ne!(marker_bit(key), 0, "{:?}: {key} is not in MARKERS", row.op);
            }
        }
    }

    /// Every operation of botocore's S3 model has exactly one row, and a
    /// request shaped as boto3 sends it resolves to that row.
    #[test]
    fn every_botocore_operation_resolves_to_its_own_row() {
        let model = botocore();
        let operations = model["operations"].as_array().unwrap();
        let mut missing = Vec::new();
        for operation in operations {
            let name = operation["name"].as_str().unwrap();
            let rows: Vec<&Row> = ROWS
                .iter()
                .filter(|r| r.op.name() == name || r.aliases.contains(&name))
                .collect();
            if rows.is_empty() {
                missing.push(name.to_string());
                continue;
            }
            let (method, target, query, headers) = request_of(operation);
            let row = resolve_request(&method, target, &query, &headers, EXPRESS.contains(&name))
                .unwrap_or_else(|e| panic!("{name}: {method} {target:?} {query:?} → {}", e.code));
            assert!(
                row.op.name() == name || row.aliases.contains(&name),
                "{name} ({method} {query:?} {headers:?}) resolved to {:?}",
                row.op
            );
        }
        assert!(
            missing.is_empty(),
            "botocore operations without a row: {missing:?}"
        );
        let names: Vec<&str> = operations.iter().map(|o| o["name"].as_str().unwrap()).collect();
        for row in ROWS {
            if !NOT_IN_BOTOCORE.contains(&row.op) {
                assert!(
                    names.contains(&row.op.name()),
                    "{:?} is not a botocore operation",
                    row.op
                );
            }
        }
    }

    /// Each row's actions exist in the catalog with the resource type the
    /// Service Authorization Reference gives for the row's ARN shape.
    #[test]
    fn every_action_is_in_the_catalog_with_its_resource_type() {
        let catalog = Catalog::get();
        let check = |op: S3Operation, action: &str, arn: Arn| {
            let (_, entry) = catalog
                .action(action)
                .unwrap_or_else(|| panic!("{op:?}: {action} is not in the service catalog"));
            let types: Vec<&str> = entry.resource_types.iter().map(|t| t.name).collect();
            let expected = match arn {
                Arn::All => {
                    assert!(types.is_empty(), "{op:?}: {action} has resource types {types:?}");
                    return;
                }
                Arn::Bucket | Arn::ExpressBucket => "bucket",
                Arn::Object => "object",
                Arn::ObjectLambda => "objectlambdaaccesspoint",
                Arn::Unauthorized => panic!("{op:?}: an unauthorized row names {action}"),
            };
            assert!(
                types.contains(&expected),
                "{op:?}: {action} applies to {types:?}, not {expected}"
            );
        };
        for row in ROWS {
            for action in row.actions {
                check(row.op, action, row.arn);
            }
            for (need, action) in row.also {
                let arn = match need {
                    Also::ObjectLockEnabled => Arn::Bucket,
                    _ => Arn::Object,
                };
                check(row.op, action, arn);
            }
        }
    }

    /// The mappings the issue names, from the Service Authorization Reference.
    #[test]
    fn actions_as_the_service_authorization_reference_names_them() {
        for (op, actions) in [
            (S3Operation::PutBucketCors, &["s3:PutBucketCORS"][..]),
            (S3Operation::DeleteBucketCors, &["s3:PutBucketCORS"]),
            (
                S3Operation::PutBucketLifecycleConfiguration,
                &["s3:PutLifecycleConfiguration"],
            ),
            (
                S3Operation::GetBucketEncryption,
                &["s3:GetEncryptionConfiguration"],
            ),
            (S3Operation::PutObjectRetention, &["s3:PutObjectRetention"]),
            (
                S3Operation::GetObjectAttributes,
                &["s3:GetObject", "s3:GetObjectAttributes"],
            ),
            (S3Operation::HeadObject, &["s3:GetObject"]),
            (
                S3Operation::DeletePublicAccessBlock,
                &["s3:PutBucketPublicAccessBlock"],
            ),
        ] {
            assert_eq!(row_of(op).actions, actions, "{op:?}");
        }
        assert_eq!(
            row_of(S3Operation::PutObjectRetention)
                .also(Also::BypassGovernance)
                .collect::<Vec<_>>(),
            ["s3:BypassGovernanceRetention"]
        );
    }

    /// A request naming a version is asked the version actions the
    /// Service Authorization Reference lists (each with `s3:versionid`).
    #[test]
    fn version_actions_as_the_reference_names_them() {
        let version = |op| row_of(op).also(Also::Version).collect::<Vec<_>>();
        assert_eq!(version(S3Operation::GetObject), ["s3:GetObjectVersion"]);
        assert_eq!(version(S3Operation::HeadObject), ["s3:GetObjectVersion"]);
        assert_eq!(version(S3Operation::DeleteObject), ["s3:DeleteObjectVersion"]);
        assert_eq!(version(S3Operation::DeleteObjects), ["s3:DeleteObjectVersion"]);
        assert_eq!(
            version(S3Operation::GetObjectTagging),
            ["s3:GetObjectVersionTagging"]
        );
        assert_eq!(
            version(S3Operation::PutObjectTagging),
            ["s3:PutObjectVersionTagging"]
        );
        assert_eq!(
            version(S3Operation::DeleteObjectTagging),
            ["s3:DeleteObjectVersionTagging"]
        );
        assert_eq!(version(S3Operation::GetObjectAcl), ["s3:GetObjectVersionAcl"]);
        assert_eq!(version(S3Operation::PutObjectAcl), ["s3:PutObjectVersionAcl"]);
        assert_eq!(
            version(S3Operation::GetObjectAttributes),
            ["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"]
        );
        assert_eq!(
            row_of(S3Operation::CopyObject)
                .also(Also::CopySourceVersion)
                .collect::<Vec<_>>(),
            ["s3:GetObjectVersion"]
        );
        let catalog = Catalog::get();
        for row in ROWS {
            for action in row.also(Also::Version) {
                let (_, entry) = catalog.action(action).expect("in the catalog");
                assert!(
                    entry.condition_keys.contains("s3:versionid"),
                    "{action} takes no s3:versionid"
                );
            }
        }
    }

    /// No sub-resource falls through to a plain bucket or object operation.
    #[test]
    fn sub_resources_never_fall_through() {
        let plain = [
            S3Operation::CreateBucket,
            S3Operation::DeleteBucket,
            S3Operation::ListObjects,
            S3Operation::HeadBucket,
            S3Operation::PutObject,
            S3Operation::GetObject,
            S3Operation::DeleteObject,
            S3Operation::HeadObject,
        ];
        for target in [Target::Bucket, Target::Object] {
            for key in MARKERS {
                for method in ["GET", "PUT", "POST", "DELETE", "HEAD"] {
                    let value = if *key == "list-type" { "2" } else { "" };
                    let query = vec![((*key).to_string(), value.to_string())];
                    if let Ok(row) = resolve_request(method, target, &query, &[], false) {
                        assert!(
                            !plain.contains(&row.op),
                            "{method} {target:?} ?{key} → {:?}",
                            row.op
                        );
                        assert!(row.query.contains(key), "{method} ?{key} → {:?}", row.op);
                    }
                }
            }
        }
        // A sub-resource of an operation newer than the table
        // (DeleteObjectAnnotation in botocore 1.44) is not DeleteObject.
        for method in ["GET", "PUT", "DELETE", "HEAD"] {
            let newer = vec![("annotation".to_string(), String::new())];
            let err = resolve_request(method, Target::Object, &newer, &[], false).unwrap_err();
            assert_eq!(err.code, "NotImplemented", "{method} ?annotation");
            assert!(err.message.contains("?annotation"), "{}", err.message);
        }
        // A damaged signature parameter is not a sub-resource.
        let damaged = vec![("X-Amz-Credential/20261207/us-east-1".to_string(), String::new())];
        assert_eq!(
            resolve_request("GET", Target::Object, &damaged, &[], false)
                .unwrap()
                .op,
            S3Operation::GetObject
        );
        // Empty parameters are parameters (ListObjects with `prefix=`).
        let empty = vec![
            ("prefix".to_string(), String::new()),
            ("delimiter".to_string(), String::new()),
        ];
        assert_eq!(
            resolve_request("GET", Target::Bucket, &empty, &[], false)
                .unwrap()
                .op,
            S3Operation::ListObjects
        );
        let unknown = vec![("location".to_string(), String::new())];
        let err = resolve_request("DELETE", Target::Bucket, &unknown, &[], false).unwrap_err();
        assert_eq!(err.code, "NotImplemented");
        let err = resolve_request("PATCH", Target::Object, &[], &[], false).unwrap_err();
        assert_eq!(err.code, "MethodNotAllowed");
        // Parameters that are not sub-resources leave the operation alone.
        let params = vec![
            ("versionId".to_string(), "null".to_string()),
            ("x-id".to_string(), "GetObject".to_string()),
        ];
        assert_eq!(
            resolve_request("GET", Target::Object, &params, &[], false)
                .unwrap()
                .op,
            S3Operation::GetObject
        );
        let v1 = vec![("list-type".to_string(), "1".to_string())];
        assert_eq!(
            resolve_request("GET", Target::Bucket, &v1, &[], false)
                .unwrap()
                .op,
            S3Operation::ListObjects
        );
    }
}
