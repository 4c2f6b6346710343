//! S3 ACLs: reading them from requests (canned `x-amz-acl`, `x-amz-grant-*`
//! headers, an `AccessControlPolicy` body), Object Ownership and Block
//! Public Access on writing them, GetBucketAcl / PutBucketAcl /
//! GetObjectAcl / PutObjectAcl (of an object version: each has its own
//! ACL and owner).
//!
//! S3 User Guide, "Controlling ownership of objects and disabling ACLs":
//! under `BucketOwnerEnforced` "ACLs are disabled and no longer affect
//! permissions … Requests to set ACLs or update ACLs fail and return the
//! AccessControlListNotSupported error code. Requests to read ACLs are still
//! supported", except the bucket-owner-full-control ACL (or its
//! equivalent), which is accepted; under `ObjectWriter` "the AWS account
//! that uploads an object owns the object"; under `BucketOwnerPreferred`
//! "the bucket owner owns … new objects that other accounts write to the
//! bucket with the bucket-owner-full-control canned ACL".
//!
//! "Blocking public access": `BlockPublicAcls` makes "PUT Bucket acl and PUT
//! Object acl calls fail if the specified access control list (ACL) is
//! public" and "PUT Object calls fail if the request includes a public
//! ACL"; `IgnorePublicAcls` "causes Amazon S3 to ignore all public ACLs on
//! a bucket and any objects that it contains".
//!
//! Which grants take part in a decision is `crate::authorize::acl`'s (one
//! place for every door); what a grant allows is the evaluator's
//! (`iam_evaluator::acl`).

use super::{
    canonical_id, empty, find_bucket, malformed_xml, no_such_bucket, versions, xml_reply, S3Request,
};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml;
use crate::state::s3::{Bucket, Object};
use crate::state::s3_acl::{AccessControlList, Group, StoredGrant, StoredGrantee};
use crate::state::versions::Version;
use crate::state::State;
use iam_evaluator::AclPermission;

/// The grant headers and the permission each gives.
pub const GRANT_HEADERS: [(&str, AclPermission); 5] = [
    ("x-amz-grant-read", AclPermission::Read),
    ("x-amz-grant-write", AclPermission::Write),
    ("x-amz-grant-read-acp", AclPermission::ReadAcp),
    ("x-amz-grant-write-acp", AclPermission::WriteAcp),
    ("x-amz-grant-full-control", AclPermission::FullControl),
];

/// The canned ACL that hands an object to the bucket owner.
pub const BUCKET_OWNER_FULL_CONTROL: &str = "bucket-owner-full-control";

/// The EC2 grantee of `aws-exec-read` ("Amazon EC2 gets READ access to GET
/// an Amazon Machine Image (AMI) bundle"): an id of no emulated account.
const EC2_CANONICAL_ID: &str = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c";

fn not_supported() -> AwsError {
    AwsError::new(
        S3::AccessControlListNotSupported,
        "The bucket does not allow ACLs",
    )
}

fn invalid_argument(message: &str) -> AwsError {
    AwsError::new(S3::InvalidArgument, message)
}

fn malformed_acl() -> AwsError {
    AwsError::new(
        S3::MalformedACLError,
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

/// A grant to an account by its canonical id.
fn to_account(account: &str, permission: AclPermission) -> StoredGrant {
    StoredGrant {
        grantee: StoredGrantee::CanonicalUser {
            id: canonical_id(account),
            account: Some(account.to_string()),
        },
        permission,
    }
}

fn to_group(group: Group, permission: AclPermission) -> StoredGrant {
    StoredGrant {
        grantee: StoredGrantee::Group(group),
        permission,
    }
}

/// The grants of a canned ACL for a resource owned by `owner` in a bucket
/// owned by `bucket_owner` (S3 User Guide, "Canned ACL").
pub fn canned(name: &str, owner: &str, bucket_owner: &str) -> AwsResult<AccessControlList> {
    use AclPermission::{FullControl, Read, ReadAcp, Write};
    let mut grants = vec![to_account(owner, FullControl)];
    match name {
        "private" => {}
        "public-read" => grants.push(to_group(Group::AllUsers, Read)),
        "public-read-write" => {
            grants.push(to_group(Group::AllUsers, Read));
            grants.push(to_group(Group::AllUsers, Write));
        }
        "authenticated-read" => grants.push(to_group(Group::AuthenticatedUsers, Read)),
        "aws-exec-read" => grants.push(StoredGrant {
            grantee: StoredGrantee::CanonicalUser {
                id: EC2_CANONICAL_ID.into(),
                account: None,
            },
            permission: Read,
        }),
        // "Both of these canned ACLs … are ignored if you specify them
        // when you create a bucket" (the bucket owner is the owner then).
        "bucket-owner-read" if owner != bucket_owner => grants.push(to_account(bucket_owner, Read)),
        BUCKET_OWNER_FULL_CONTROL if owner != bucket_owner => {
            grants.push(to_account(bucket_owner, FullControl));
        }
        "bucket-owner-read" | BUCKET_OWNER_FULL_CONTROL => {}
        "log-delivery-write" => {
            grants.push(to_group(Group::LogDelivery, Write));
            grants.push(to_group(Group::LogDelivery, ReadAcp));
        }
        _ => return Err(invalid_argument("")),
    }
    Ok(AccessControlList { grants })
}

/// The account whose canonical user id is `id`, among the emulator's.
fn account_of(state: &State, id: &str) -> Option<String> {
    let id = id.to_ascii_lowercase();
    state
        .accounts
        .keys()
        .find(|account| canonical_id(account) == id)
        .cloned()
}

/// A grantee named by canonical id, group URI or e-mail address.
fn grantee(state: &State, kind: &str, value: &str) -> AwsResult<StoredGrantee> {
    match kind.to_ascii_lowercase().as_str() {
        "id" => {
            let account = account_of(state, value).ok_or_else(|| invalid_argument("Invalid id"))?;
            Ok(StoredGrantee::CanonicalUser {
                id: canonical_id(&account),
                account: Some(account),
            })
        }
        "uri" => Group::from_uri(value)
            .map(StoredGrantee::Group)
            .ok_or_else(|| invalid_argument("Invalid group uri")),
        "emailaddress" => Err(AwsError::new(
            S3::UnresolvableGrantByEmailAddress,
            "The e-mail address you provided does not match any account on record.",
        )),
        _ => Err(invalid_argument("Argument format not recognized")),
    }
}

/// Reads one `x-amz-grant-*` header: `id="…", uri="…", emailAddress="…"`.
fn grant_header(state: &State, value: &str, permission: AclPermission) -> AwsResult<Vec<StoredGrant>> {
    let mut grants = Vec::new();
    for item in split_outside_quotes(value) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (kind, value) = item
            .split_once('=')
            .ok_or_else(|| invalid_argument("Argument format not recognized"))?;
        let value = value.trim().trim_matches('"');
        grants.push(StoredGrant {
            grantee: grantee(state, kind.trim(), value)?,
            permission,
        });
    }
    Ok(grants)
}

/// Splits at commas that are not inside double quotes.
fn split_outside_quotes(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Where a request's ACL headers come from: the request's headers, or a
/// browser POST's form fields.
pub type Fields<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The ACL a request's headers ask for (`None`: none asked), for a resource
/// owned by `owner` in a bucket owned by `bucket_owner`. A canned ACL and
/// grant headers together are refused, as S3 does.
pub fn from_headers(
    state: &State,
    fields: Fields,
    owner: &str,
    bucket_owner: &str,
) -> AwsResult<Option<AccessControlList>> {
    let canned_name = fields("x-amz-acl");
    let mut grants = Vec::new();
    let mut any_grant = false;
    for (header, permission) in GRANT_HEADERS {
        if let Some(value) = fields(header) {
            any_grant = true;
            grants.extend(grant_header(state, &value, permission)?);
        }
    }
    match (canned_name, any_grant) {
        (Some(_), true) => Err(AwsError::new(
            S3::InvalidRequest,
            "Specifying both Canned ACLs and Header Grants is not allowed",
        )),
        (Some(name), false) => canned(name.trim(), owner, bucket_owner).map(Some),
        (None, true) => Ok(Some(AccessControlList { grants })),
        (None, false) => Ok(None),
    }
}

/// Reads an `AccessControlPolicy` document. A grantee's kind is told by
/// what it carries (`ID`, `URI` or `EmailAddress`, as its `xsi:type`
/// CanonicalUser, Group or AmazonCustomerByEmail says).
pub fn from_xml(state: &State, body: &[u8]) -> AwsResult<AccessControlList> {
    let doc = xml::parse(body).ok_or_else(malformed_xml)?;
    if doc.name != "AccessControlPolicy" {
        return Err(malformed_acl());
    }
    let list = doc.child("AccessControlList").ok_or_else(malformed_acl)?;
    let mut grants = Vec::new();
    for grant in list.all("Grant") {
        let who = grant.child("Grantee").ok_or_else(malformed_acl)?;
        let permission = grant
            .trimmed("Permission")
            .and_then(AclPermission::parse)
            .ok_or_else(malformed_acl)?;
        let (kind, value) = ["ID", "URI", "EmailAddress"]
            .into_iter()
            .find_map(|kind| who.trimmed(kind).map(|v| (kind, v)))
            .ok_or_else(malformed_acl)?;
        grants.push(StoredGrant {
            grantee: grantee(state, kind, value)?,
            permission,
        });
    }
    Ok(AccessControlList { grants })
}

/// The ACL a PutBucketAcl / PutObjectAcl request asks for: headers or a
/// body, never both.
fn requested_for_put(
    r: &S3Request,
    state: &State,
    owner: &str,
    bucket_owner: &str,
) -> AwsResult<AccessControlList> {
    let fields = |name: &str| r.header(name).map(str::to_string);
    let from_headers = from_headers(state, &fields, owner, bucket_owner)?;
    let body = super::object::request_body(r)?;
    let has_body = !body.iter().all(u8::is_ascii_whitespace);
    match (from_headers, has_body) {
        (Some(_), true) => Err(AwsError::new(
            S3::UnexpectedContent,
            "This request does not support content",
        )),
        (Some(acl), false) => Ok(acl),
        (None, true) => from_xml(state, &body),
        (None, false) => Err(AwsError::new(
            S3::MissingSecurityHeader,
            "Your request was missing a required header",
        )
        .with_detail("MissingHeaderName", "x-amz-acl")),
    }
}

/// Under `BucketOwnerEnforced`, only the owner-full-control ACL is taken:
/// every grant is FULL_CONTROL to the bucket owner.
fn only_owner_full_control(acl: &AccessControlList, bucket_owner: &str) -> bool {
    acl.grants.iter().all(|g| {
        g.permission == AclPermission::FullControl
            && matches!(&g.grantee, StoredGrantee::CanonicalUser { account: Some(a), .. } if a == bucket_owner)
    })
}

/// Block Public Access on writing `acl` to `bucket`: `BlockPublicAcls`
/// refuses a public one with 403 AccessDenied.
fn check_public(bucket: &Bucket, acl: &AccessControlList) -> AwsResult<()> {
    if acl.is_public() && bucket.effective_public_access_block().block_public_acls {
        return Err(AwsError::access_denied("Access Denied"));
    }
    Ok(())
}

/// What an upload (PutObject, CopyObject, CreateMultipartUpload, a browser
/// POST) stores as the new object's owner and ACL.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// `None`: the bucket owner.
    pub owner: Option<String>,
    pub acl: Option<AccessControlList>,
}

/// The owner and ACL of an object `writer` uploads with the ACL `fields`
/// ask for, under the bucket's Object Ownership and Block Public Access.
/// An anonymous writer's object belongs to the bucket owner.
pub fn for_upload(
    state: &State,
    bucket: &Bucket,
    writer: Option<&str>,
    fields: Fields,
) -> AwsResult<Written> {
    let canned_name = fields("x-amz-acl");
    let hands_over = canned_name.as_deref().map(str::trim) == Some(BUCKET_OWNER_FULL_CONTROL);
    let writer = writer.unwrap_or(&bucket.owner);
    let owner = match bucket.ownership.as_deref() {
        Some("BucketOwnerEnforced" | "BucketOwnerPreferred") if hands_over => bucket.owner.as_str(),
        Some("BucketOwnerEnforced") => bucket.owner.as_str(),
        _ => writer,
    };
    let acl = from_headers(state, fields, owner, &bucket.owner)?;
    if !bucket.acls_enabled() {
        // "bucket-owner-full-control … or an equivalent form of this ACL"
        // is the only ACL a PUT may carry.
        let private = canned_name.as_deref().map(str::trim) == Some("private");
        if acl
            .as_ref()
            .is_some_and(|a| !private && !only_owner_full_control(a, &bucket.owner))
        {
            return Err(not_supported());
        }
        return Ok(Written::default());
    }
    if let Some(acl) = &acl {
        check_public(bucket, acl)?;
    }
    Ok(Written {
        owner: (owner != bucket.owner).then(|| owner.to_string()),
        acl,
    })
}

/// [`for_upload`] with the request's own headers.
pub fn for_upload_request(r: &S3Request, state: &State, bucket: &Bucket) -> AwsResult<Written> {
    let fields = |name: &str| r.header(name).map(str::to_string);
    for_upload(state, bucket, r.account(), &fields)
}

/// CreateBucket's ACL headers: under the new bucket's `BucketOwnerEnforced`
/// anything but a private ACL is `InvalidBucketAclWithObjectOwnership`.
pub fn for_new_bucket(r: &S3Request, state: &State, bucket: &Bucket) -> AwsResult<Option<AccessControlList>> {
    let fields = |name: &str| r.header(name).map(str::to_string);
    let Some(acl) = from_headers(state, &fields, &bucket.owner, &bucket.owner)? else {
        return Ok(None);
    };
    if !bucket.acls_enabled() {
        if only_owner_full_control(&acl, &bucket.owner) {
            return Ok(None);
        }
        return Err(AwsError::new(
            S3::InvalidBucketAclWithObjectOwnership,
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        ));
    }
    check_public(bucket, &acl)?;
    Ok(Some(acl))
}

/// The `x-amz-object-ownership` of a CreateBucket, checked.
pub fn requested_ownership(r: &S3Request) -> AwsResult<Option<String>> {
    let Some(value) = r.header("x-amz-object-ownership") else {
        return Ok(None);
    };
    let value = value.trim();
    if !["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"].contains(&value) {
        return Err(invalid_argument("Invalid x-amz-object-ownership header"));
    }
    Ok(Some(value.to_string()))
}

// ---- the ACL operations ----

/// `AccessControlPolicy` of a resource owned by `owner`: the stored grants,
/// or the default (the owner has FULL_CONTROL).
pub fn acl_reply(owner: &str, acl: Option<&AccessControlList>) -> HttpResponse {
    let default;
    let acl = if let Some(acl) = acl {
        acl
    } else {
        default = AccessControlList {
            grants: vec![to_account(owner, AclPermission::FullControl)],
        };
        &default
    };
    xml_reply("AccessControlPolicy", |x| {
        x.with("Owner", |x| {
            x.elem("ID", &canonical_id(owner));
        });
        x.with("AccessControlList", |x| {
            for grant in &acl.grants {
                x.out_raw("<Grant>");
                match &grant.grantee {
                    StoredGrantee::CanonicalUser { id, .. } => {
                        x.out_raw("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">");
                        x.elem("ID", id);
                    }
                    StoredGrantee::Group(group) => {
                        x.out_raw("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">");
                        x.elem("URI", group.uri());
                    }
                }
                x.out_raw("</Grantee>");
                x.elem("Permission", grant.permission.as_str());
                x.out_raw("</Grant>");
            }
        });
    })
}

pub fn get_bucket_acl(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    r.authorize_op(&state, Some(bucket), iam_evaluator::RequestContext::new())?;
    let shown = bucket.acls_enabled().then_some(bucket.acl.as_ref()).flatten();
    Ok(acl_reply(&bucket.owner, shown))
}

pub fn put_bucket_acl(r: &S3Request) -> AwsResult<HttpResponse> {
    let name = r.bucket_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    r.authorize_op(&state, Some(bucket), iam_evaluator::RequestContext::new())?;
    let acl = requested_for_put(r, &state, &bucket.owner, &bucket.owner)?;
    let stored = acl_to_store(bucket, acl)?;
    state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?
        .acl = stored;
    Ok(empty(200))
}

/// The object version an ACL request names (the one `versionId` names,
/// else the current one: each version has its own ACL), once the door let
/// the request through (asked as `s3:GetObjectVersionAcl` /
/// `s3:PutObjectVersionAcl` with a `versionId`); a missing key, version or
/// a delete marker answer as GetObject's do.
fn authorized_version<'b>(
    r: &S3Request,
    state: &State,
    bucket: &'b Bucket,
    key: &str,
) -> AwsResult<(u64, &'b Object)> {
    let wanted = versions::requested(r)?;
    let reached = versions::reach(bucket, key, wanted.as_ref(), r.ctx.shared.now());
    r.authorize_op(
        state,
        Some(bucket),
        super::object::existing_tag_context(reached.object()),
    )?;
    versions::readable(r, state, bucket, key, wanted.as_ref(), reached)
}

/// A reply about `object`, with its `x-amz-version-id` when it has one.
fn about_version(reply: HttpResponse, bucket: &Bucket, object: &Object) -> HttpResponse {
    match versions::id_header(bucket, object.version_id.as_deref()) {
        Some((name, value)) => reply.with_header(name, &value),
        None => reply,
    }
}

pub fn get_object_acl(r: &S3Request) -> AwsResult<HttpResponse> {
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    let (_, object) = authorized_version(r, &state, bucket, r.key_name()?)?;
    let shown = bucket.acls_enabled().then_some(object.acl.as_ref()).flatten();
    let reply = acl_reply(bucket.object_owner(object), shown);
    Ok(about_version(reply, bucket, object))
}

pub fn put_object_acl(r: &S3Request) -> AwsResult<HttpResponse> {
    let name = r.bucket_name()?.to_string();
    let key = r.key_name()?.to_string();
    let mut state = r.ctx.shared.state();
    let bucket = find_bucket(&state, &name)?;
    let (seq, object) = authorized_version(r, &state, bucket, &key)?;
    let owner = bucket.object_owner(object).to_string();
    let acl = requested_for_put(r, &state, &owner, &bucket.owner)?;
    let stored = acl_to_store(bucket, acl)?;
    let reply = about_version(empty(200), bucket, object);
    let bucket = state
        .buckets
        .get_mut(&name)
        .ok_or_else(|| no_such_bucket(&name))?;
    let object = bucket
        .objects
        .version_mut(&key, seq)
        .and_then(Version::object_mut)
        .ok_or_else(|| AwsError::new(S3::NoSuchKey, "The specified key does not exist."))?;
    object.acl = stored;
    Ok(reply)
}

/// What a Put*Acl stores: the ACL, where the bucket's ACLs are enabled (and
/// Block Public Access allows it); nothing where they are disabled and the
/// ACL only gives the owner full control, the one ACL S3 still takes then;
/// `AccessControlListNotSupported` otherwise.
fn acl_to_store(bucket: &Bucket, acl: AccessControlList) -> AwsResult<Option<AccessControlList>> {
    if bucket.acls_enabled() {
        check_public(bucket, &acl)?;
        Ok(Some(acl))
    } else if only_owner_full_control(&acl, &bucket.owner) {
        Ok(None)
    } else {
        Err(not_supported())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_headers_split_outside_quotes() {
        assert_eq!(
            split_outside_quotes(r#"id="a,b", uri="u""#),
            vec![r#"id="a,b""#, r#" uri="u""#]
        );
    }

    #[test]
    fn canned_acls_give_what_the_user_guide_lists() {
        let acl = canned("public-read-write", "111111111111", "111111111111").unwrap();
        assert_eq!(acl.grants.len(), 3);
        assert!(acl.is_public());
        let handed = canned(BUCKET_OWNER_FULL_CONTROL, "222222222222", "111111111111").unwrap();
        assert_eq!(handed.grants.len(), 2);
        assert!(only_owner_full_control(
            &canned(BUCKET_OWNER_FULL_CONTROL, "111111111111", "111111111111").unwrap(),
            "111111111111"
        ));
        let logs = canned("log-delivery-write", "111111111111", "111111111111").unwrap();
        assert!(!logs.is_public());
        assert_eq!(canned("public", "1", "1").unwrap_err().code, "InvalidArgument");
    }

    #[test]
    fn xml_grantees_are_told_by_what_they_carry() {
        let state = State::default();
        let body = br#"<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList>
            <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
            </AccessControlList></AccessControlPolicy>"#;
        let acl = from_xml(&state, body).unwrap();
        assert_eq!(acl.grants, vec![to_group(Group::AllUsers, AclPermission::Read)]);
        let bad_permission = br"<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>";
        assert_eq!(
            from_xml(&state, bad_permission).unwrap_err().code,
            "MalformedACLError"
        );
        let email = br"<AccessControlPolicy><AccessControlList><Grant><Grantee><EmailAddress>a@b.c</EmailAddress></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>";
        assert_eq!(
            from_xml(&state, email).unwrap_err().code,
            "UnresolvableGrantByEmailAddress"
        );
        let unknown_id = br"<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>abc</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>";
        assert_eq!(from_xml(&state, unknown_id).unwrap_err().code, "InvalidArgument");
    }
}
