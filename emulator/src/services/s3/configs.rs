//! Bucket configurations: CORS, lifecycle, default encryption, website,
//! logging, notification, replication, request payment, transfer
//! acceleration, Object Lock, ABAC, metadata tables, and the analytics,
//! inventory, metrics and Intelligent-Tiering configurations kept by id.
//!
//! Each is kept as the document that was put (`Bucket::configs`, by
//! sub-resource; `analytics/ID` for those by id), after the checks S3
//! makes on it, and read back by its Get; a Delete removes it. Whether a
//! Get of an absent configuration is an error or S3's default is the
//! [`Kind`]'s `missing`. Persisted with the bucket's record.
//!
//! What acts on a configuration lives beside it: CORS in [`super::cors`],
//! lifecycle expiration in [`super::lifecycle`], default encryption and
//! Object Lock retention in [`super::protection`].

use super::operations::S3Operation as Op;
use super::{empty, find_bucket, malformed_xml, no_such_bucket, xml_reply, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::{self, Element, Xml};
use crate::state::s3::Bucket;
use crate::state::State;
use iam_evaluator::RequestContext;

/// What a Get answers when nothing was put.
enum Missing {
    Error(S3, &'static str),
    /// S3's default document: the root with these leaf children.
    Default(&'static [(&'static str, &'static str)]),
}

/// One kind of configuration.
struct Kind {
    /// The key in `Bucket::configs` (the sub-resource).
    key: &'static str,
    /// The document's root element.
    root: &'static str,
    missing: Missing,
    validate: fn(&S3Request, &State, &Bucket, &Element) -> AwsResult<()>,
}

#[allow(clippy::unnecessary_wraps)] // the validators' shape
fn no_checks(_: &S3Request, _: &State, _: &Bucket, _: &Element) -> AwsResult<()> {
    Ok(())
}

const NO_SUCH_CONFIGURATION: Missing = Missing::Error(
    S3::NoSuchConfiguration,
    "The specified configuration does not exist.",
);

const CORS: Kind = Kind {
    key: "cors",
    root: "CORSConfiguration",
    missing: Missing::Error(
        S3::NoSuchCORSConfiguration,
        "The CORS configuration does not exist",
    ),
    validate: super::cors::validate,
};
const LIFECYCLE: Kind = Kind {
    key: "lifecycle",
    root: "LifecycleConfiguration",
    missing: Missing::Error(
        S3::NoSuchLifecycleConfiguration,
        "The lifecycle configuration does not exist",
    ),
    validate: super::lifecycle::validate,
};
const ENCRYPTION: Kind = Kind {
    key: "encryption",
    root: "ServerSideEncryptionConfiguration",
    // Answered by `get_encryption`: SSE-S3 when nothing was put.
    missing: Missing::Default(&[]),
    validate: validate_encryption,
};
const WEBSITE: Kind = Kind {
    key: "website",
    root: "WebsiteConfiguration",
    missing: Missing::Error(
        S3::NoSuchWebsiteConfiguration,
        "The specified bucket does not have a website configuration",
    ),
    validate: validate_website,
};
const LOGGING: Kind = Kind {
    key: "logging",
    root: "BucketLoggingStatus",
    missing: Missing::Default(&[]),
    validate: validate_logging,
};
const NOTIFICATION: Kind = Kind {
    key: "notification",
    root: "NotificationConfiguration",
    missing: Missing::Default(&[]),
    validate: no_checks,
};
const REPLICATION: Kind = Kind {
    key: "replication",
    root: "ReplicationConfiguration",
    missing: Missing::Error(
        S3::ReplicationConfigurationNotFoundError,
        "The replication configuration was not found",
    ),
    validate: validate_replication,
};
const REQUEST_PAYMENT: Kind = Kind {
    key: "requestPayment",
    root: "RequestPaymentConfiguration",
    missing: Missing::Default(&[("Payer", "BucketOwner")]),
    validate: validate_request_payment,
};
const ACCELERATE: Kind = Kind {
    key: "accelerate",
    root: "AccelerateConfiguration",
    missing: Missing::Default(&[]),
    validate: validate_accelerate,
};
const OBJECT_LOCK: Kind = Kind {
    key: "object-lock",
    root: "ObjectLockConfiguration",
    missing: Missing::Error(
        S3::ObjectLockConfigurationNotFoundError,
        "Object Lock configuration does not exist for this bucket",
    ),
    validate: validate_object_lock,
};
const ABAC: Kind = Kind {
    key: "abac",
    root: "AbacStatus",
    missing: Missing::Default(&[("Status", "Disabled")]),
    validate: validate_abac,
};
const METADATA_TABLE: Kind = Kind {
    key: "metadataTable",
    root: "MetadataTableConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: no_checks,
};
const METADATA: Kind = Kind {
    key: "metadataConfiguration",
    root: "MetadataConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: no_checks,
};
const METADATA_INVENTORY: Kind = Kind {
    key: "metadataConfiguration/inventory",
    root: "InventoryTableConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: needs_metadata_configuration,
};
const METADATA_JOURNAL: Kind = Kind {
    key: "metadataConfiguration/journal",
    root: "JournalTableConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: needs_metadata_configuration,
};
const ANALYTICS: Kind = Kind {
    key: "analytics",
    root: "AnalyticsConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: validate_by_id,
};
const INVENTORY: Kind = Kind {
    key: "inventory",
    root: "InventoryConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: validate_by_id,
};
const METRICS: Kind = Kind {
    key: "metrics",
    root: "MetricsConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: validate_by_id,
};
const INTELLIGENT_TIERING: Kind = Kind {
    key: "intelligent-tiering",
    root: "IntelligentTieringConfiguration",
    missing: NO_SUCH_CONFIGURATION,
    validate: validate_by_id,
};

/// What a request does with its configuration.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Put,
    Delete,
    /// The configurations kept by id, a page at a time.
    List(&'static str),
}

#[allow(clippy::too_many_lines)] // one arm per operation
fn kind_of(op: Op) -> Option<(&'static Kind, Verb)> {
    use Verb::{Delete, Get, List, Put};
    Some(match op {
        Op::GetBucketCors => (&CORS, Get),
        Op::PutBucketCors => (&CORS, Put),
        Op::DeleteBucketCors => (&CORS, Delete),
        Op::GetBucketLifecycleConfiguration => (&LIFECYCLE, Get),
        Op::PutBucketLifecycleConfiguration => (&LIFECYCLE, Put),
        Op::DeleteBucketLifecycle => (&LIFECYCLE, Delete),
        Op::GetBucketEncryption => (&ENCRYPTION, Get),
        Op::PutBucketEncryption => (&ENCRYPTION, Put),
        Op::DeleteBucketEncryption => (&ENCRYPTION, Delete),
        Op::GetBucketWebsite => (&WEBSITE, Get),
        Op::PutBucketWebsite => (&WEBSITE, Put),
        Op::DeleteBucketWebsite => (&WEBSITE, Delete),
        Op::GetBucketLogging => (&LOGGING, Get),
        Op::PutBucketLogging => (&LOGGING, Put),
        Op::GetBucketNotificationConfiguration => (&NOTIFICATION, Get),
        Op::PutBucketNotificationConfiguration => (&NOTIFICATION, Put),
        Op::GetBucketReplication => (&REPLICATION, Get),
        Op::PutBucketReplication => (&REPLICATION, Put),
        Op::DeleteBucketReplication => (&REPLICATION, Delete),
        Op::GetBucketRequestPayment => (&REQUEST_PAYMENT, Get),
        Op::PutBucketRequestPayment => (&REQUEST_PAYMENT, Put),
        Op::GetBucketAccelerateConfiguration => (&ACCELERATE, Get),
        Op::PutBucketAccelerateConfiguration => (&ACCELERATE, Put),
        Op::GetObjectLockConfiguration => (&OBJECT_LOCK, Get),
        Op::PutObjectLockConfiguration => (&OBJECT_LOCK, Put),
        Op::GetBucketAbac => (&ABAC, Get),
        Op::PutBucketAbac => (&ABAC, Put),
        Op::CreateBucketMetadataTableConfiguration => (&METADATA_TABLE, Put),
        Op::GetBucketMetadataTableConfiguration => (&METADATA_TABLE, Get),
        Op::DeleteBucketMetadataTableConfiguration => (&METADATA_TABLE, Delete),
        Op::CreateBucketMetadataConfiguration => (&METADATA, Put),
        Op::GetBucketMetadataConfiguration => (&METADATA, Get),
        Op::DeleteBucketMetadataConfiguration => (&METADATA, Delete),
        Op::UpdateBucketMetadataInventoryTableConfiguration => (&METADATA_INVENTORY, Put),
        Op::UpdateBucketMetadataJournalTableConfiguration => (&METADATA_JOURNAL, Put),
        Op::GetBucketAnalyticsConfiguration => (&ANALYTICS, Get),
        Op::PutBucketAnalyticsConfiguration => (&ANALYTICS, Put),
        Op::DeleteBucketAnalyticsConfiguration => (&ANALYTICS, Delete),
        Op::ListBucketAnalyticsConfigurations => (&ANALYTICS, List("ListBucketAnalyticsConfigurationResult")),
        Op::GetBucketInventoryConfiguration => (&INVENTORY, Get),
        Op::PutBucketInventoryConfiguration => (&INVENTORY, Put),
        Op::DeleteBucketInventoryConfiguration => (&INVENTORY, Delete),
        Op::ListBucketInventoryConfigurations => (&INVENTORY, List("ListInventoryConfigurationsResult")),
        Op::GetBucketMetricsConfiguration => (&METRICS, Get),
        Op::PutBucketMetricsConfiguration => (&METRICS, Put),
        Op::DeleteBucketMetricsConfiguration => (&METRICS, Delete),
        Op::ListBucketMetricsConfigurations => (&METRICS, List("ListMetricsConfigurationsResult")),
        Op::GetBucketIntelligentTieringConfiguration => (&INTELLIGENT_TIERING, Get),
        Op::PutBucketIntelligentTieringConfiguration => (&INTELLIGENT_TIERING, Put),
        Op::DeleteBucketIntelligentTieringConfiguration => (&INTELLIGENT_TIERING, Delete),
        Op::ListBucketIntelligentTieringConfigurations => (
            &INTELLIGENT_TIERING,
            List("ListBucketIntelligentTieringConfigurationsOutput"),
        ),
        _ => return None,
    })
}

/// Serves `op` when it is a configuration operation.
pub fn dispatch(r: &S3Request, op: Op) -> Option<AwsResult<HttpResponse>> {
    let (kind, verb) = kind_of(op)?;
    Some(match verb {
        Verb::Get => get(r, kind),
        Verb::Put => put(r, kind),
        Verb::Delete => delete(r, kind),
        Verb::List(root) => list(r, kind, root),
    })
}

/// The most configurations of one kind kept by id (S3's quota).
const MAX_BY_ID: usize = 1000;
/// The most a List returns at once (S3 pages by 100).
const LIST_PAGE: usize = 100;

/// The `id` query parameter of a by-id kind, checked.
fn config_id<'r>(r: &'r S3Request) -> AwsResult<Option<&'r str>> {
    match r.param("id") {
        None => Ok(None),
        Some(id) if id.is_empty() || id.len() > 64 => Err(AwsError::new(
            S3::InvalidArgument,
            "The configuration ID must be between 1 and 64 characters",
        )),
        Some(id) => Ok(Some(id)),
    }
}

/// The key the configuration is stored under (`analytics/ID` by id).
fn storage_key(r: &S3Request, kind: &Kind) -> AwsResult<String> {
    Ok(match config_id(r)? {
        Some(id) => format!("{}/{id}", kind.key),
        None => kind.key.to_string(),
    })
}

fn missing_error(kind: &Kind, bucket: &str) -> AwsError {
    match kind.missing {
        Missing::Error(code, message) => AwsError::new(code, message).with_resource(bucket),
        Missing::Default(_) => AwsError::new(
            S3::NoSuchConfiguration,
            "The specified configuration does not exist.",
        ),
    }
}

fn get(r: &S3Request, kind: &Kind) -> AwsResult<HttpResponse> {
    let key = storage_key(r, kind)?;
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    let stored = bucket.configs.get(&key);
    if kind.key == ENCRYPTION.key {
        return encryption_reply(bucket);
    }
    if kind.key == METADATA_TABLE.key || kind.key == METADATA.key {
        let stored = stored.ok_or_else(|| missing_error(kind, &bucket.name))?;
        return Ok(metadata_reply(kind, bucket, stored));
    }
    match (stored, &kind.missing) {
        (Some(doc), _) => Ok(xml_reply(kind.root, |x| doc.write_children(x))),
        (None, Missing::Default(children)) => Ok(xml_reply(kind.root, |x| {
            for (name, text) in *children {
                x.elem(name, text);
            }
        })),
        (None, Missing::Error(..)) => Err(missing_error(kind, &bucket.name)),
    }
}

/// Reads the request's document with `kind`'s root.
fn document(r: &S3Request, kind: &Kind) -> AwsResult<Element> {
    let body = super::object::request_body(r)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AwsError::new(
            S3::MissingRequestBodyError,
            "Request Body is empty",
        ));
    }
    let doc = xml::parse(&body).ok_or_else(malformed_xml)?;
    if doc.name != kind.root {
        return Err(malformed_xml());
    }
    Ok(doc)
}

fn put(r: &S3Request, kind: &Kind) -> AwsResult<HttpResponse> {
    let key = storage_key(r, kind)?;
    let doc = document(r, kind)?;
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    (kind.validate)(r, &state, bucket, &doc)?;
    let prefix = format!("{}/", kind.key);
    if key.starts_with(&prefix)
        && !bucket.configs.contains_key(&key)
        && bucket
            .configs
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .count()
            >= MAX_BY_ID
    {
        return Err(AwsError::new(
            S3::TooManyConfigurations,
            "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.",
        ));
    }
    let bucket = state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?;
    if kind.key == OBJECT_LOCK.key {
        // Object Lock can be turned on for an existing versioned bucket.
        bucket.object_lock_enabled = true;
    }
    bucket.configs.insert(key, doc);
    Ok(empty(200))
}

fn delete(r: &S3Request, kind: &Kind) -> AwsResult<HttpResponse> {
    let key = storage_key(r, kind)?;
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    if key.contains('/') && !bucket.configs.contains_key(&key) {
        return Err(missing_error(kind, &name));
    }
    let bucket = state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?;
    bucket.configs.remove(&key);
    if kind.key == METADATA.key {
        bucket.configs.remove(METADATA_INVENTORY.key);
        bucket.configs.remove(METADATA_JOURNAL.key);
    }
    Ok(empty(204))
}

fn list(r: &S3Request, kind: &Kind, root: &str) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    let prefix = format!("{}/", kind.key);
    let token = r.param("continuation-token");
    let after = token.map(|t| format!("{prefix}{t}"));
    let mut entries = bucket
        .configs
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| after.as_ref().is_none_or(|a| k.as_str() > a.as_str()));
    let page: Vec<(&String, &Element)> = entries.by_ref().take(LIST_PAGE).collect();
    let truncated = entries.next().is_some();
    Ok(xml_reply(root, |x| {
        for (_, doc) in &page {
            doc.write(x);
        }
        x.elem("IsTruncated", if truncated { "true" } else { "false" });
        x.opt("ContinuationToken", token);
        if truncated {
            if let Some((k, _)) = page.last() {
                x.elem("NextContinuationToken", &k[prefix.len()..]);
            }
        }
    }))
}

/// GetBucketEncryption: what was put, else SSE-S3, as every bucket has
/// (but those of `--s3-defaults legacy`, as S3 before 2023).
fn encryption_reply(bucket: &Bucket) -> AwsResult<HttpResponse> {
    let (algorithm, key, bucket_key) = super::protection::bucket_default(bucket).ok_or_else(|| {
        AwsError::new(
            S3::ServerSideEncryptionConfigurationNotFoundError,
            "The server side encryption configuration was not found",
        )
        .with_resource(&bucket.name)
    })?;
    Ok(xml_reply(ENCRYPTION.root, |x| {
        x.with("Rule", |x| {
            x.with("ApplyServerSideEncryptionByDefault", |x| {
                x.elem("SSEAlgorithm", &algorithm);
                x.opt("KMSMasterKeyID", key.as_deref());
            });
            x.elem("BucketKeyEnabled", if bucket_key { "true" } else { "false" });
        });
    }))
}

/// The metadata table Gets: the destination put, as its result, ACTIVE.
fn metadata_reply(kind: &Kind, bucket: &Bucket, stored: &Element) -> HttpResponse {
    let table_arn = |table_bucket: &str, name: &str| format!("{table_bucket}/table/{name}");
    if kind.key == METADATA_TABLE.key {
        let destination = stored.child("S3TablesDestination");
        let table_bucket = destination
            .and_then(|d| d.trimmed("TableBucketArn"))
            .unwrap_or_default();
        let name = destination
            .and_then(|d| d.trimmed("TableName"))
            .unwrap_or_default();
        return xml_reply("GetBucketMetadataTableConfigurationResult", |x| {
            x.with("MetadataTableConfigurationResult", |x| {
                x.with("S3TablesDestinationResult", |x| {
                    x.elem("TableBucketArn", table_bucket);
                    x.elem("TableName", name);
                    x.elem("TableArn", &table_arn(table_bucket, name));
                    x.elem("TableNamespace", "aws_s3_metadata");
                });
            });
            x.elem("Status", "ACTIVE");
        });
    }
    xml_reply("GetBucketMetadataConfigurationResult", |x| {
        x.with("MetadataConfigurationResult", |x| {
            x.with("DestinationResult", |x| {
                x.elem("TableBucketType", "aws");
                x.elem(
                    "TableBucketArn",
                    &format!(
                        "arn:aws:s3tables:{}:{}:bucket/aws-s3",
                        bucket.region, bucket.owner
                    ),
                );
                x.elem("TableNamespace", &format!("b_{}", bucket.name));
            });
            for (child, key) in [
                ("JournalTableConfiguration", METADATA_JOURNAL.key),
                ("InventoryTableConfiguration", METADATA_INVENTORY.key),
            ] {
                let doc = bucket.configs.get(key).or_else(|| stored.child(child));
                if let Some(doc) = doc {
                    x.with(&format!("{child}Result"), |x| {
                        doc.write_children(x);
                        x.elem("TableStatus", "ACTIVE");
                    });
                }
            }
        });
    })
}

/// Whether the bucket's requester pays for requests.
pub fn requester_pays(bucket: &Bucket) -> bool {
    !bucket.configs.is_empty()
        && bucket
            .configs
            .get(REQUEST_PAYMENT.key)
            .and_then(|c| c.trimmed("Payer"))
            == Some("Requester")
}

// ---- checks ------------------------------------------------------------

fn invalid_argument(message: impl Into<String>) -> AwsError {
    AwsError::new(S3::InvalidArgument, message)
}

fn invalid_request(message: impl Into<String>) -> AwsError {
    AwsError::new(S3::InvalidRequest, message)
}

/// A required leaf with one of `allowed`, else MalformedXML.
pub fn one_of<'e>(doc: &'e Element, name: &str, allowed: &[&str]) -> AwsResult<&'e str> {
    doc.trimmed(name)
        .filter(|v| allowed.contains(v))
        .ok_or_else(malformed_xml)
}

fn validate_encryption(_: &S3Request, _: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    let rules: Vec<&Element> = doc.all("Rule").collect();
    if rules.len() != 1 {
        return Err(malformed_xml());
    }
    let by_default = rules[0]
        .child("ApplyServerSideEncryptionByDefault")
        .ok_or_else(malformed_xml)?;
    let algorithm = one_of(by_default, "SSEAlgorithm", &["AES256", "aws:kms", "aws:kms:dsse"])?;
    if by_default.child("KMSMasterKeyID").is_some() && algorithm == "AES256" {
        return Err(invalid_argument(
            "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
        ));
    }
    if let Some(v) = rules[0].trimmed("BucketKeyEnabled") {
        if v != "true" && v != "false" {
            return Err(malformed_xml());
        }
    }
    Ok(())
}

fn validate_website(_: &S3Request, _: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    let redirect = doc.child("RedirectAllRequestsTo");
    if let Some(redirect) = redirect {
        if redirect.trimmed("HostName").is_none_or(str::is_empty) {
            return Err(malformed_xml());
        }
        if doc.child("IndexDocument").is_some() || doc.child("RoutingRules").is_some() {
            return Err(invalid_argument(
                "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
            ));
        }
        return Ok(());
    }
    let suffix = doc.child("IndexDocument").and_then(|i| i.trimmed("Suffix"));
    match suffix {
        None | Some("") => Err(invalid_argument(
            "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
        )),
        Some(s) if s.contains('/') => Err(invalid_argument("The IndexDocument Suffix is not well formed")),
        Some(_) => Ok(()),
    }
}

fn validate_logging(_: &S3Request, state: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    let Some(enabled) = doc.child("LoggingEnabled") else {
        // An empty BucketLoggingStatus turns logging off.
        return Ok(());
    };
    let target = enabled.trimmed("TargetBucket").ok_or_else(malformed_xml)?;
    if enabled.text_of("TargetPrefix").is_none() {
        return Err(malformed_xml());
    }
    if !state.buckets.contains_key(target) {
        return Err(AwsError::new(
            S3::InvalidTargetBucketForLogging,
            "The target bucket for logging does not exist",
        )
        .with_detail("TargetBucket", target));
    }
    Ok(())
}

fn validate_replication(_: &S3Request, _: &State, bucket: &Bucket, doc: &Element) -> AwsResult<()> {
    if bucket.versioning.as_deref() != Some("Enabled") {
        return Err(invalid_request(
            "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
        ));
    }
    if doc.trimmed("Role").is_none_or(str::is_empty) || doc.child("Rule").is_none() {
        return Err(malformed_xml());
    }
    for rule in doc.all("Rule") {
        one_of(rule, "Status", &["Enabled", "Disabled"])?;
        if rule
            .child("Destination")
            .and_then(|d| d.trimmed("Bucket"))
            .is_none()
        {
            return Err(malformed_xml());
        }
    }
    Ok(())
}

fn validate_request_payment(_: &S3Request, _: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    one_of(doc, "Payer", &["BucketOwner", "Requester"]).map(|_| ())
}

fn validate_accelerate(_: &S3Request, _: &State, bucket: &Bucket, doc: &Element) -> AwsResult<()> {
    one_of(doc, "Status", &["Enabled", "Suspended"])?;
    if bucket.name.contains('.') {
        return Err(invalid_request(
            "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names",
        ));
    }
    Ok(())
}

fn validate_abac(_: &S3Request, _: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    one_of(doc, "Status", &["Enabled", "Disabled"]).map(|_| ())
}

fn validate_object_lock(_: &S3Request, _: &State, bucket: &Bucket, doc: &Element) -> AwsResult<()> {
    if !bucket.object_lock_enabled && bucket.versioning.as_deref() != Some("Enabled") {
        return Err(AwsError::new(
            S3::InvalidBucketState,
            "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
        ));
    }
    one_of(doc, "ObjectLockEnabled", &["Enabled"])?;
    let Some(rule) = doc.child("Rule") else {
        return Ok(());
    };
    let retention = rule.child("DefaultRetention").ok_or_else(malformed_xml)?;
    one_of(retention, "Mode", &["GOVERNANCE", "COMPLIANCE"])?;
    let ((Some(period), None) | (None, Some(period))) =
        (retention.trimmed("Days"), retention.trimmed("Years"))
    else {
        return Err(malformed_xml());
    };
    if period.parse::<u32>().ok().is_none_or(|n| n == 0) {
        return Err(invalid_argument(
            "Default retention period must be a positive integer value.",
        ));
    }
    Ok(())
}

fn validate_by_id(r: &S3Request, _: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    let id = config_id(r)?.ok_or_else(malformed_xml)?;
    match doc.trimmed("Id") {
        Some(inner) if inner == id => Ok(()),
        Some(_) => Err(invalid_argument(
            "The Id in the configuration must match the id query parameter",
        )),
        None => Err(malformed_xml()),
    }
}

fn needs_metadata_configuration(_: &S3Request, _: &State, bucket: &Bucket, _: &Element) -> AwsResult<()> {
    if bucket.configs.contains_key(METADATA.key) {
        Ok(())
    } else {
        Err(missing_error(&METADATA, &bucket.name))
    }
}

/// A configuration's leaf as XML text (for tests and diagnostics).
pub fn to_xml(doc: &Element) -> String {
    let mut x = Xml::new();
    doc.write(&mut x);
    x.finish()
}
