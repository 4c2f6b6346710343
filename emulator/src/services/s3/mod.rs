//! S3 (REST XML, 2006-03-01).
//!
//! A request is read ([`request`]), matched to one row of the operation
//! table ([`operations`]: method, bucket/key shape, sub-resource keys,
//! distinguishing headers → operation → IAM action and resource), and sent
//! to its handler, split per operation family as Garage does: [`bucket`]
//! (create, list, delete, location, versioning, tagging, ownership, ACL),
//! [`policy`] (bucket policy, Block Public Access, policy status),
//! [`object`] (put, get, head, delete), [`versions`] (the version a
//! request names or reaches, new versions and delete markers),
//! [`mfa_delete`], [`list`] (ListObjects v1 and v2), [`list_versions`]
//! (ListObjectVersions),
//! [`body`] (receiving and storing bodies, checksums, write conditions),
//! [`multipart`] (multipart uploads), [`copy`] (CopyObject), [`delete`]
//! (DeleteObjects), [`tagging`] (object tags), [`acl`] (bucket and object
//! ACLs, Object Ownership and public ACLs, and the grants a decision takes),
//! [`post`] (browser POST uploads: the form, its policy and signature). Errors and their
//! document are in [`errors`]. Every handler asks for its permission
//! through the door [`S3Request::authorize_op`], which reads the action
//! from the table; the evaluator decides with the bucket policy.

pub mod acl;
pub mod attributes;
pub mod body;
pub mod bucket;
pub mod configs;
pub mod copy;
pub mod cors;
pub mod delete;
pub mod errors;
pub mod lifecycle;
pub mod list;
pub mod list_versions;
pub mod lock;
pub mod mfa_delete;
pub mod multipart;
pub mod object;
pub mod operations;
pub mod policy;
pub mod post;
pub mod protection;
pub mod request;
pub mod tagging;
pub mod versions;

pub use errors::{error_response, error_xml, internal, malformed_xml, no_such_bucket};
pub use operations::S3Operation;
pub use request::S3Request;

use super::Ctx;
use crate::auth::Caller;
use crate::error::{AwsError, AwsResult, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::Xml;
use crate::state::s3::Bucket;
use crate::state::State;
use iam_evaluator::PrincipalKind;
use operations::{Shape, Target};

pub const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// `encoding-type=url` for listings: keys and prefixes percent-encoded as
/// the s3-tests suite (checked against AWS) expects — a space as `%20`,
/// `+` as `%2B`, `/` kept — or as they are.
pub fn key_encoder(r: &S3Request) -> AwsResult<impl Fn(&str) -> String> {
    let url = match r.param("encoding-type") {
        None => false,
        Some("url") => true,
        Some(_) => {
            return Err(AwsError::new(
                S3::InvalidArgument,
                "Invalid Encoding Method specified in Request",
            ))
        }
    };
    Ok(move |text: &str| {
        if url {
            percent_encoding::utf8_percent_encode(text, &URL_KEY).to_string()
        } else {
            text.to_string()
        }
    })
}

/// What listings leave unencoded under `encoding-type=url`.
const URL_KEY: percent_encoding::AsciiSet = percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// The bucket or `NoSuchBucket`.
pub fn find_bucket<'s>(state: &'s State, name: &str) -> AwsResult<&'s Bucket> {
    state.buckets.get(name).ok_or_else(|| no_such_bucket(name))
}

/// The canonical user id S3 shows for an account (64 hex characters).
pub fn canonical_id(account: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(
        format!("iam-emulator canonical user {account}").as_bytes(),
    ))
}

/// Serves an S3 request: finds its row of the [`operations`] table and
/// sends it to the operation's handler.
pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    let (bucket, key) = crate::protocol::bucket_host::bucket_and_key(ctx.req.header("host"), &ctx.req.path());
    let query = ctx.req.query_pairs();
    let resource = match (&bucket, &key) {
        (Some(b), Some(k)) => format!("/{b}/{k}"),
        (Some(b), None) => format!("/{b}"),
        _ => String::new(),
    };
    let target = match (&bucket, &key) {
        (None, _) => Target::Service,
        (Some(_), None) => Target::Bucket,
        (Some(_), Some(_)) => Target::Object,
    };
    let header = |name: &str| ctx.req.header(name).is_some();
    let shape = Shape {
        method: &ctx.req.method,
        target,
        query: &query,
        header: &header,
        express: caller.scope.as_ref().is_some_and(|s| s.service == "s3express"),
    };
    let row = match operations::resolve(&shape) {
        Ok(row) => row,
        Err(err) => return error_response(&err, &resource, ctx.request_id),
    };
    let request = S3Request {
        ctx,
        caller,
        bucket,
        key,
        query,
        row,
        s3_keys: request::s3_keys(ctx.req, caller, &ctx.shared.clock),
    };
    let response = match operations::dispatch(&request) {
        Ok(response) => response.with_header("x-amz-request-id", ctx.request_id),
        Err(err) => error_response(&err, &resource, ctx.request_id),
    };
    let response = if ctx.req.header("x-amz-request-payer").is_some() && response.status < 300 {
        let charged = request.bucket.as_ref().is_some_and(|b| {
            ctx.shared
                .state()
                .buckets
                .get(b)
                .is_some_and(configs::requester_pays)
        });
        if charged {
            response.with_header("x-amz-request-charged", "requester")
        } else {
            response
        }
    } else {
        response
    };
    // Only a request with `Origin` pays for the bucket's CORS rules.
    match (&request.bucket, ctx.req.header("origin")) {
        (Some(bucket), Some(_)) if row.op != S3Operation::PreflightCors => {
            cors::decorate(ctx.req, &ctx.shared.state(), bucket, response)
        }
        _ => response,
    }
}

/// Whether the caller is the bucket owner's root (for owner-only answers).
pub fn is_owner(caller: &Caller, bucket: &Bucket) -> bool {
    caller.account.as_deref() == Some(bucket.owner.as_str())
}

/// An empty 200/204 reply.
pub fn empty(status: u16) -> HttpResponse {
    HttpResponse::new(status, "application/xml", bytes::Bytes::new())
}

/// An XML reply with the S3 namespace on its root element.
pub fn xml_reply(root: &str, body: impl FnOnce(&mut Xml)) -> HttpResponse {
    let mut xml = Xml::new();
    xml.open_ns(root, NAMESPACE);
    body(&mut xml);
    xml.close(root);
    HttpResponse::new(200, "application/xml", xml.finish())
}

/// Is the caller anonymous?
pub fn anonymous(caller: &Caller) -> bool {
    caller.principal.kind == PrincipalKind::Anonymous
}
