//! Buckets: CreateBucket, HeadBucket, ListBuckets, DeleteBucket,
//! GetBucketLocation, ownership controls, tagging, versioning (the
//! bucket's state; its object versions are [`super::versions`]). ACLs are
//! `acl.rs`'s.

use super::operations::Also;
use super::{canonical_id, empty, find_bucket, malformed_xml, no_such_bucket, xml_reply, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::{self, Xml};
use crate::state::s3::Bucket;
use iam_evaluator::RequestContext;

/// S3's bucket naming rules ("Bucket naming rules", general purpose buckets).
pub fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && edge_ok(bytes.first())
        && edge_ok(bytes.last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
            .iter()
            .any(|s| name.ends_with(s))
}

pub fn create_bucket(r: &S3Request) -> AwsResult<HttpResponse> {
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    // The evaluator decides first, so an anonymous caller's denial is
    // logged as one; only in soft mode does a caller without an account
    // get this far, and a bucket needs an owner.
    r.authorize_op(&state, None, RequestContext::new())?;
    let account = r
        .account()
        .ok_or_else(|| AwsError::access_denied("Access Denied"))?
        .to_string();
    let lock = r
        .header("x-amz-bucket-object-lock-enabled")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if lock {
        r.authorize_also(&state, Also::ObjectLockEnabled, None, None, RequestContext::new())?;
    }
    if !valid_bucket_name(&name) {
        return Err(
            AwsError::new(S3::InvalidBucketName, "The specified bucket is not valid.").with_resource(&name),
        );
    }
    let region = location_constraint(r)?;
    let ownership = super::acl::requested_ownership(r)?;
    if let Some(existing) = state.buckets.get(&name) {
        if existing.owner != account {
            return Err(AwsError::new(S3::BucketAlreadyExists,
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            )
            .with_resource(&name));
        }
        // S3: "in the North Virginia Region (us-east-1) … if you re-create an
        // existing bucket that you already own, you'll get a 200 OK".
        if existing.region != "us-east-1" || region != "us-east-1" {
            return Err(AwsError::new(
                S3::BucketAlreadyOwnedByYou,
                "Your previous request to create the named bucket succeeded and you already own it.",
            )
            .with_resource(&name));
        }
    } else {
        let mut bucket = Bucket::new(&name, &account, &region, r.ctx.shared.now());
        if lock {
            // Object Lock needs versioning, which it turns on.
            bucket.object_lock_enabled = true;
            bucket.versioning = Some("Enabled".to_string());
            let mut config = crate::protocol::xml::Element {
                name: "ObjectLockConfiguration".into(),
                ..Default::default()
            };
            config.children.push(crate::protocol::xml::Element {
                name: "ObjectLockEnabled".into(),
                text: "Enabled".into(),
                children: Vec::new(),
            });
            bucket.configs.insert("object-lock".into(), config);
        }
        state.s3_defaults.apply(&mut bucket);
        if ownership.is_some() {
            bucket.ownership = ownership;
        }
        bucket.acl = super::acl::for_new_bucket(r, &state, &bucket)?;
        state.buckets.insert(name.clone(), bucket);
    }
    Ok(empty(200).with_header("location", &format!("/{name}")))
}

/// The bucket's region: `LocationConstraint`, which must agree with the
/// region the request was signed for.
fn location_constraint(r: &S3Request) -> AwsResult<String> {
    let signed_region = r.region().to_string();
    let body = &r.ctx.req.body;
    if body.iter().all(u8::is_ascii_whitespace) {
        if signed_region != "us-east-1" {
            return Err(AwsError::new(S3::IllegalLocationConstraintException,
                "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
            ));
        }
        return Ok(signed_region);
    }
    let doc = xml::parse(body).ok_or_else(malformed_xml)?;
    let constraint = doc.text_of("LocationConstraint").unwrap_or_default().to_string();
    if constraint.is_empty() {
        return Ok("us-east-1".to_string());
    }
    if constraint == "us-east-1" {
        return Err(AwsError::new(
            S3::InvalidLocationConstraint,
            "The specified location-constraint is not valid",
        ));
    }
    if constraint != signed_region && signed_region != "us-east-1" {
        return Err(AwsError::new(S3::IllegalLocationConstraintException,
            format!("The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to."),
        ));
    }
    Ok(constraint)
}

pub fn head_bucket(r: &S3Request) -> AwsResult<HttpResponse> {
    let name = r.bucket_name()?;
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    Ok(empty(200).with_header("x-amz-bucket-region", &bucket.region))
}

pub fn list_buckets(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    // The S3 User Guide grants ListAllMyBuckets on `arn:aws:s3:::*`.
    r.authorize_op(&state, None, RequestContext::new())?;
    let account = r
        .account()
        .ok_or_else(|| AwsError::access_denied("Access Denied"))?
        .to_string();
    let prefix = r.param("prefix").unwrap_or_default();
    let max = match r.param("max-buckets") {
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10000).contains(n))
            .ok_or_else(|| {
                AwsError::new(
                    S3::InvalidArgument,
                    "Argument max-buckets must be an integer between 1 and 10000.",
                )
            })?,
        None => usize::MAX,
    };
    let after = r.param("continuation-token").unwrap_or_default();
    let mine: Vec<&Bucket> = state
        .buckets
        .values()
        .filter(|b| b.owner == account && b.name.starts_with(prefix) && b.name.as_str() > after)
        .collect();
    let page: Vec<&Bucket> = mine.iter().take(max).copied().collect();
    let next = (mine.len() > page.len())
        .then(|| page.last().map(|b| b.name.clone()))
        .flatten();
    Ok(xml_reply("ListAllMyBucketsResult", |x| {
        x.with("Owner", |x| {
            x.elem("ID", &canonical_id(&account));
        });
        x.with("Buckets", |x| {
            for b in &page {
                x.with("Bucket", |x| {
                    x.elem("Name", &b.name);
                    x.elem("CreationDate", &s3_date(b.created));
                    x.elem("BucketRegion", &b.region);
                });
            }
        });
        x.opt("ContinuationToken", next.as_deref());
        if r.has("prefix") {
            x.elem("Prefix", prefix);
        }
    }))
}

/// ListDirectoryBuckets: the emulator has no directory buckets (S3
/// Express One Zone), so the caller's list is empty.
pub fn list_directory_buckets(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    r.authorize_op(&state, None, RequestContext::new())?;
    Ok(xml_reply("ListAllMyDirectoryBucketsResult", |x| {
        x.with("Buckets", |_| {});
    }))
}

/// S3's timestamps: ISO 8601 with milliseconds.
pub fn s3_date(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.format(&format).unwrap_or_default()
}

/// RFC 1123 dates for `Last-Modified`.
pub fn http_date(at: time::OffsetDateTime) -> String {
    // Every GetObject and HeadObject writes one: spelled out by hand
    // (the format description interpreter costs several times more), as
    // `http_date_formatted` writes it.
    const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Ok(year) = u16::try_from(at.year()) else {
        return http_date_formatted(at);
    };
    if year > 9999 {
        return http_date_formatted(at);
    }
    let digits = |out: &mut String, n: u16, width: u32| {
        for place in (0..width).rev() {
            out.push(char::from(
                b'0' + u8::try_from(n / 10u16.pow(place) % 10).unwrap_or(0),
            ));
        }
    };
    let mut out = String::with_capacity(29);
    out.push_str(WEEKDAYS[usize::from(at.weekday().number_days_from_monday())]);
    out.push_str(", ");
    digits(&mut out, u16::from(at.day()), 2);
    out.push(' ');
    out.push_str(MONTHS[usize::from(u8::from(at.month()) - 1)]);
    out.push(' ');
    digits(&mut out, year, 4);
    out.push(' ');
    digits(&mut out, u16::from(at.hour()), 2);
    out.push(':');
    digits(&mut out, u16::from(at.minute()), 2);
    out.push(':');
    digits(&mut out, u16::from(at.second()), 2);
    out.push_str(" GMT");
    out
}

/// [`http_date`] through `time`'s formatter (any year).
fn http_date_formatted(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.format(&format).unwrap_or_default()
}

pub fn delete_bucket(r: &S3Request) -> AwsResult<HttpResponse> {
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    // Incomplete multipart uploads do not keep a bucket alive; objects do.
    if !bucket.objects.is_empty() {
        return Err(
            AwsError::new(S3::BucketNotEmpty, "The bucket you tried to delete is not empty")
                .with_resource(&name),
        );
    }
    state.buckets.remove(&name);
    Ok(empty(204))
}

pub fn get_location(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    let region = if bucket.region == "us-east-1" {
        String::new()
    } else {
        bucket.region.clone()
    };
    let mut xml = Xml::new();
    xml.open_ns("LocationConstraint", super::NAMESPACE);
    let mut out = xml.finish();
    out.push_str(&quick_xml::escape::escape(region.as_str()));
    out.push_str("</LocationConstraint>");
    Ok(HttpResponse::new(200, "application/xml", out))
}

/// Runs `f` on the named bucket after authorizing the operation on it.
pub fn with_bucket<T>(r: &S3Request, f: impl FnOnce(&mut Bucket) -> AwsResult<T>) -> AwsResult<T> {
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    let bucket = state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?;
    f(bucket)
}

pub fn get_ownership(r: &S3Request) -> AwsResult<HttpResponse> {
    let ownership = with_bucket(r, |b| Ok(b.ownership.clone()))?;
    let ownership = ownership.ok_or_else(|| {
        AwsError::new(
            S3::OwnershipControlsNotFoundError,
            "The bucket ownership controls were not found",
        )
    })?;
    Ok(xml_reply("OwnershipControls", |x| {
        x.with("Rule", |x| {
            x.elem("ObjectOwnership", &ownership);
        });
    }))
}

pub fn put_ownership(r: &S3Request) -> AwsResult<HttpResponse> {
    let doc = xml::parse(&r.ctx.req.body).ok_or_else(malformed_xml)?;
    let value = doc
        .child("Rule")
        .and_then(|rule| rule.text_of("ObjectOwnership"))
        .ok_or_else(malformed_xml)?
        .to_string();
    if !["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"].contains(&value.as_str()) {
        return Err(malformed_xml());
    }
    with_bucket(r, |b| {
        b.ownership = Some(value);
        Ok(())
    })?;
    Ok(empty(200))
}

pub fn delete_ownership(r: &S3Request) -> AwsResult<HttpResponse> {
    with_bucket(r, |b| {
        b.ownership = None;
        Ok(())
    })?;
    Ok(empty(204))
}

/// Reads `<Tagging><TagSet><Tag><Key>…` (at most 50 tags, unique keys).
pub fn read_tag_set(body: &[u8]) -> AwsResult<Vec<(String, String)>> {
    let doc = xml::parse(body).ok_or_else(malformed_xml)?;
    let set = doc.child("TagSet").ok_or_else(malformed_xml)?;
    let mut tags: Vec<(String, String)> = Vec::new();
    for tag in set.all("Tag") {
        let key = tag.text_of("Key").ok_or_else(malformed_xml)?.to_string();
        let value = tag.text_of("Value").unwrap_or_default().to_string();
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(AwsError::new(
                S3::InvalidTag,
                "The TagKey you have provided is invalid",
            ));
        }
        if tags.iter().any(|(k, _)| *k == key) {
            return Err(AwsError::new(
                S3::InvalidTag,
                "Cannot provide multiple Tags with the same key",
            ));
        }
        tags.push((key, value));
    }
    if tags.len() > 50 {
        return Err(AwsError::new(
            S3::BadRequest,
            "Object tags cannot be greater than 50",
        ));
    }
    Ok(tags)
}

pub fn tag_set_reply(tags: &[(String, String)]) -> HttpResponse {
    xml_reply("Tagging", |x| {
        x.with("TagSet", |x| {
            for (k, v) in tags {
                x.with("Tag", |x| {
                    x.elem("Key", k);
                    x.elem("Value", v);
                });
            }
        });
    })
}

pub fn get_tagging(r: &S3Request) -> AwsResult<HttpResponse> {
    let tags = with_bucket(r, |b| Ok(b.tags.clone()))?;
    if tags.is_empty() {
        return Err(
            AwsError::new(S3::NoSuchTagSet, "The TagSet does not exist").with_resource(r.bucket_name()?)
        );
    }
    Ok(tag_set_reply(&tags))
}

pub fn put_tagging(r: &S3Request) -> AwsResult<HttpResponse> {
    let tags = read_tag_set(&r.ctx.req.body)?;
    with_bucket(r, |b| {
        b.tags = tags;
        Ok(())
    })?;
    Ok(empty(204))
}

pub fn delete_tagging(r: &S3Request) -> AwsResult<HttpResponse> {
    with_bucket(r, |b| {
        b.tags.clear();
        Ok(())
    })?;
    Ok(empty(204))
}

pub fn get_versioning(r: &S3Request) -> AwsResult<HttpResponse> {
    let (status, mfa_delete) = with_bucket(r, |b| Ok((b.versioning.clone(), b.mfa_delete.clone())))?;
    Ok(xml_reply("VersioningConfiguration", |x| {
        x.opt("Status", status.as_deref());
        x.opt("MfaDelete", mfa_delete.as_deref());
    }))
}

/// PutBucketVersioning: `Enabled` or `Suspended` (a bucket once versioned
/// never returns to unversioned; one with Object Lock stays enabled), and
/// `MfaDelete`, which needs `x-amz-mfa` as does any change to a bucket
/// with MFA delete enabled ([`super::mfa_delete`]).
pub fn put_versioning(r: &S3Request) -> AwsResult<HttpResponse> {
    let doc = xml::parse(&r.ctx.req.body).ok_or_else(malformed_xml)?;
    if doc.name != "VersioningConfiguration" {
        return Err(malformed_xml());
    }
    let status = doc.trimmed("Status").map(str::to_string);
    if !matches!(status.as_deref(), Some("Enabled" | "Suspended")) {
        return Err(malformed_xml());
    }
    let mfa_delete = doc.trimmed("MfaDelete").map(str::to_string);
    if mfa_delete
        .as_deref()
        .is_some_and(|m| !matches!(m, "Enabled" | "Disabled"))
    {
        return Err(malformed_xml());
    }
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    r.authorize_op(&state, Some(bucket), RequestContext::new())?;
    if bucket.object_lock_enabled && status.as_deref() == Some("Suspended") {
        return Err(AwsError::new(
            S3::InvalidBucketState,
            "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
        ));
    }
    if mfa_delete.is_some() || bucket.mfa_delete_enabled() {
        super::mfa_delete::check(r, &mut state)?;
    }
    let bucket = state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?;
    bucket.versioning = status;
    if mfa_delete.is_some() {
        bucket.mfa_delete = mfa_delete;
    }
    Ok(empty(200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_spelled_as_the_formatter_spells_them() {
        let mut at = time::macros::datetime!(1999-12-31 23:59:58 UTC);
        for _ in 0..2000 {
            assert_eq!(http_date(at), http_date_formatted(at));
            at += time::Duration::seconds(86_400 * 7 + 3_671);
        }
        let offset = time::macros::datetime!(2024-02-29 01:02:03 +05:30);
        assert_eq!(http_date(offset), "Thu, 29 Feb 2024 01:02:03 GMT");
        assert_eq!(http_date(offset), http_date_formatted(offset));
        let early = time::macros::datetime!(0007-03-04 05:06:07 UTC);
        assert_eq!(http_date(early), http_date_formatted(early));
    }

    #[test]
    fn bucket_name_rules() {
        for ok in ["abc", "my-bucket.logs", "a1b2c3", "docexamplebucket1"] {
            assert!(valid_bucket_name(ok), "{ok}");
        }
        for bad in [
            "ab",
            "My-Bucket",
            "-abc",
            "abc-",
            "a..b",
            "192.168.5.4",
            "xn--abc",
            "abc-s3alias",
            "a_b",
            &"a".repeat(64),
        ] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
    }

    #[test]
    fn dates() {
        let at = time::macros::datetime!(2024-01-02 03:04:05.678 UTC);
        assert_eq!(s3_date(at), "2024-01-02T03:04:05.678Z");
        assert_eq!(http_date(at), "Tue, 02 Jan 2024 03:04:05 GMT");
    }
}
