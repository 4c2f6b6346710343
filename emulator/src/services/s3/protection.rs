//! How an object is protected: server-side encryption (SSE-S3, SSE-KMS,
//! DSSE-KMS, SSE-C) and Object Lock retention and legal hold, read from an
//! upload's headers with the bucket's defaults applied, and the headers
//! S3 answers with.
//!
//! Every bucket encrypts with SSE-S3 (`AES256`) unless its default
//! encryption says otherwise ("Amazon S3 now applies server-side
//! encryption with Amazon S3 managed keys (SSE-S3) as the base level of
//! encryption for every bucket", January 2023). SSE-C keys are checked
//! against their MD5 and never kept; only the MD5 is, so a GET must bring
//! the same key.

use super::bucket::s3_date;
use super::S3Request;
use crate::error::{AwsError, AwsResult, S3};
use crate::state::s3::{Bucket, Protection};
use iam_evaluator::RequestContext;
use time::OffsetDateTime;

const SSE_ALGORITHMS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];

fn invalid_argument(message: &str) -> AwsError {
    AwsError::new(S3::InvalidArgument, message)
}

/// The AWS managed key S3 uses for `aws:kms` without a key id (`aws/s3`),
/// a stable key ARN per account and region.
pub fn aws_managed_key(region: &str, account: &str) -> String {
    use sha2::Digest;
    let h = hex::encode(sha2::Sha256::digest(
        format!("aws/s3 {account} {region}").as_bytes(),
    ));
    format!(
        "arn:aws:kms:{region}:{account}:key/{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The bucket's default encryption: algorithm, KMS key, bucket key; none
/// for a bucket of `--s3-defaults legacy` without an encryption configuration.
pub fn bucket_default(bucket: &Bucket) -> Option<(String, Option<String>, bool)> {
    let config = bucket.configs.get("encryption");
    if config.is_none() && bucket.unencrypted_by_default {
        return None;
    }
    let rule = config.and_then(|c| c.child("Rule"));
    let by_default = rule.and_then(|r| r.child("ApplyServerSideEncryptionByDefault"));
    let algorithm = by_default
        .and_then(|d| d.trimmed("SSEAlgorithm"))
        .unwrap_or("AES256")
        .to_string();
    let key = by_default
        .and_then(|d| d.trimmed("KMSMasterKeyID"))
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    let bucket_key = rule.and_then(|r| r.trimmed("BucketKeyEnabled")) == Some("true");
    Some((algorithm, key, bucket_key))
}

/// The SSE-C key MD5 of the request (`x-amz-server-side-encryption-customer-*`
/// or, for a copy source, `x-amz-copy-source-server-side-encryption-customer-*`),
/// checked as S3 checks it; `None` when the request names no customer key.
pub fn customer_key(r: &S3Request, prefix: &str) -> AwsResult<Option<String>> {
    use base64::Engine;
    use md5::Digest;
    let header = |suffix: &str| r.header(&format!("{prefix}server-side-encryption-customer-{suffix}"));
    let (algorithm, key, md5) = (header("algorithm"), header("key"), header("key-md5"));
    if algorithm.is_none() && key.is_none() && md5.is_none() {
        return Ok(None);
    }
    if algorithm != Some("AES256") {
        return Err(AwsError::new(
            S3::InvalidEncryptionAlgorithmError,
            "The encryption request you specified is not valid. The valid value is AES256.",
        ));
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let key = key
        .and_then(|k| engine.decode(k.trim()).ok())
        .filter(|k| k.len() == 32)
        .ok_or_else(|| invalid_argument("The secret key was invalid for the specified algorithm."))?;
    let actual = engine.encode(md5::Md5::digest(&key));
    if md5.map(str::trim) != Some(actual.as_str()) {
        return Err(invalid_argument(
            "The calculated MD5 hash of the key did not match the hash that was provided.",
        ));
    }
    Ok(Some(actual))
}

/// The encryption of an upload: its headers, validated, else the bucket's
/// default.
fn encryption(r: &S3Request, bucket: &Bucket, into: &mut Protection) -> AwsResult<()> {
    let requested = r.header("x-amz-server-side-encryption").map(str::trim);
    let key_id = r
        .header("x-amz-server-side-encryption-aws-kms-key-id")
        .map(str::trim);
    if let Some(md5) = customer_key(r, "x-amz-")? {
        if requested.is_some() {
            return Err(invalid_argument(
                "Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
            ));
        }
        into.sse = None;
        into.customer_key_md5 = Some(md5);
        return Ok(());
    }
    if let Some(algorithm) = requested {
        if !SSE_ALGORITHMS.contains(&algorithm) {
            return Err(invalid_argument(
                "The encryption method specified is not supported",
            ));
        }
    }
    if key_id.is_some() && !requested.is_some_and(|a| a.starts_with("aws:kms")) {
        return Err(invalid_argument(
            "x-amz-server-side-encryption-aws-kms-key-id is only valid with aws:kms or aws:kms:dsse server-side encryption",
        ));
    }
    let default = bucket_default(bucket);
    let Some(algorithm) = requested
        .map(str::to_string)
        .or_else(|| default.as_ref().map(|d| d.0.clone()))
    else {
        // Unencrypted by default, and the upload asks for nothing.
        into.sse = None;
        return Ok(());
    };
    let (default_key, default_bucket_key) =
        default.map_or((None, false), |(_, key, bucket_key)| (key, bucket_key));
    if algorithm.starts_with("aws:kms") {
        let key = key_id
            .map(str::to_string)
            .or(if requested.is_none() { default_key } else { None })
            .unwrap_or_else(|| aws_managed_key(&bucket.region, &bucket.owner));
        into.kms_key_id = Some(key);
        into.bucket_key_enabled = match r.header("x-amz-server-side-encryption-bucket-key-enabled") {
            Some(v) => v.trim().eq_ignore_ascii_case("true"),
            None => default_bucket_key,
        };
    }
    into.sse = Some(algorithm);
    Ok(())
}

/// ISO 8601 as S3 takes it (`2030-01-01T00:00:00Z`, fractions allowed).
pub fn parse_date(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()
}

/// The bucket's default retention, as (mode, until) from `now`.
fn default_retention(bucket: &Bucket, now: OffsetDateTime) -> Option<(String, OffsetDateTime)> {
    let retention = bucket
        .configs
        .get("object-lock")?
        .child("Rule")?
        .child("DefaultRetention")?;
    let mode = retention.trimmed("Mode")?.to_string();
    let days: i64 = match (retention.trimmed("Days"), retention.trimmed("Years")) {
        (Some(d), _) => d.parse().ok()?,
        (None, Some(y)) => y.parse::<i64>().ok()? * 365,
        (None, None) => return None,
    };
    Some((mode, now + time::Duration::days(days)))
}

/// Object Lock settings of an upload: its headers (on a bucket with
/// Object Lock), else the bucket's default retention.
fn lock(r: &S3Request, bucket: &Bucket, now: OffsetDateTime, into: &mut Protection) -> AwsResult<()> {
    let mode = r.header("x-amz-object-lock-mode").map(str::trim);
    let until = r.header("x-amz-object-lock-retain-until-date").map(str::trim);
    let hold = r.header("x-amz-object-lock-legal-hold").map(str::trim);
    if (mode.is_some() || until.is_some() || hold.is_some()) && !bucket.object_lock_enabled {
        return Err(AwsError::new(
            S3::InvalidRequest,
            "Bucket is missing Object Lock Configuration",
        ));
    }
    match (mode, until) {
        (None, None) => {
            if let Some((mode, until)) = default_retention(bucket, now) {
                into.lock_mode = Some(mode);
                into.retain_until = Some(until);
            }
        }
        (Some(mode), Some(until)) => {
            if !matches!(mode, "GOVERNANCE" | "COMPLIANCE") {
                return Err(invalid_argument("Unknown wormMode directive."));
            }
            let until = parse_date(until).ok_or_else(|| {
                invalid_argument("The retain until date must be provided in ISO 8601 format")
            })?;
            if until <= now {
                return Err(invalid_argument("The retain until date must be in the future!"));
            }
            into.lock_mode = Some(mode.to_string());
            into.retain_until = Some(until);
        }
        _ => {
            return Err(invalid_argument(
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
            ))
        }
    }
    into.legal_hold = match hold {
        None | Some("OFF") => false,
        Some("ON") => true,
        Some(_) => return Err(invalid_argument("Legal Hold must be either of 'ON' or 'OFF'")),
    };
    Ok(())
}

/// The protection of a new object written by `r` into `bucket`.
pub fn for_upload(r: &S3Request, bucket: &Bucket, now: OffsetDateTime) -> AwsResult<Protection> {
    let mut protection = Protection::default();
    encryption(r, bucket, &mut protection)?;
    lock(r, bucket, now, &mut protection)?;
    Ok(protection)
}

/// Whether the upload asks for Object Lock settings of its own (which
/// need `s3:PutObjectRetention` / `s3:PutObjectLegalHold`).
pub fn asks_retention(r: &S3Request) -> bool {
    r.header("x-amz-object-lock-mode").is_some() || r.header("x-amz-object-lock-retain-until-date").is_some()
}

pub fn asks_legal_hold(r: &S3Request) -> bool {
    r.header("x-amz-object-lock-legal-hold").is_some()
}

/// The Object Lock condition keys of a retention being set.
pub fn add_lock_context(
    context: &mut RequestContext,
    mode: Option<&str>,
    until: Option<OffsetDateTime>,
    now: OffsetDateTime,
) {
    if let Some(mode) = mode {
        context.set("s3:object-lock-mode", mode);
    }
    if let Some(until) = until {
        context.set("s3:object-lock-retain-until-date", s3_date(until));
        let days = (until - now).whole_days().max(0);
        context.set("s3:object-lock-remaining-retention-days", days.to_string());
    }
}

/// The encryption headers of a reply about an object.
pub fn encryption_headers(p: &Protection) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(sse) = &p.sse {
        out.push(("x-amz-server-side-encryption", sse.clone()));
    }
    if let Some(key) = &p.kms_key_id {
        out.push(("x-amz-server-side-encryption-aws-kms-key-id", key.clone()));
        if p.bucket_key_enabled {
            out.push(("x-amz-server-side-encryption-bucket-key-enabled", "true".into()));
        }
    }
    if let Some(md5) = &p.customer_key_md5 {
        out.push(("x-amz-server-side-encryption-customer-algorithm", "AES256".into()));
        out.push(("x-amz-server-side-encryption-customer-key-md5", md5.clone()));
    }
    out
}

/// The Object Lock headers of GetObject and HeadObject.
pub fn lock_headers(p: &Protection) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let (Some(mode), Some(until)) = (&p.lock_mode, p.retain_until) {
        out.push(("x-amz-object-lock-mode", mode.clone()));
        out.push(("x-amz-object-lock-retain-until-date", s3_date(until)));
    }
    if p.legal_hold {
        out.push(("x-amz-object-lock-legal-hold", "ON".into()));
    }
    out
}

/// A read of an SSE-C object must bring the key it was written with.
pub fn check_read(r: &S3Request, p: &Protection, prefix: &str) -> AwsResult<()> {
    let Some(stored) = &p.customer_key_md5 else {
        return Ok(());
    };
    match customer_key(r, prefix)? {
        None => Err(AwsError::new(
            S3::InvalidRequest,
            "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.",
        )),
        Some(md5) if md5 != *stored => Err(AwsError::access_denied(
            "The provided encryption key does not match the key the object was stored with.",
        )),
        Some(_) => Ok(()),
    }
}
