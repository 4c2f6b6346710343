//! S3 (REST XML, 2006-03-01), split per operation family as Garage does:
//! [`bucket`] (create, list, delete, location, versioning, tagging,
//! ownership, ACL), [`policy`] (bucket policy, Block Public Access, policy
//! status), [`object`] (put, get, head, delete), [`list`] (ListObjects v1
//! and v2), [`body`] (receiving and storing bodies), [`multipart`]
//! (multipart uploads), [`copy`] (CopyObject), [`delete`] (DeleteObjects),
//! [`tagging`] (object tags and ACL). Every operation is mapped to its S3
//! action and resource ARN as the Service Authorization Reference does and
//! decided by the evaluator with the bucket policy.

pub mod body;
pub mod bucket;
pub mod copy;
pub mod delete;
pub mod list;
pub mod multipart;
pub mod object;
pub mod policy;
pub mod tagging;

use super::Ctx;
use crate::auth::Caller;
use crate::authorize::{self, Question};
use crate::error::{AwsError, AwsResult, Common, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::Xml;
use crate::state::s3::Bucket;
use crate::state::State;
use iam_evaluator::{PrincipalKind, RequestContext};

pub const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// An S3 request: bucket and key (path or virtual-host style) and query.
pub struct S3Request<'a> {
    pub ctx: &'a Ctx<'a>,
    pub caller: &'a Caller,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: Vec<(String, String)>,
}

impl S3Request<'_> {
    /// A query parameter (present with or without a value).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.param(name).is_some()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.ctx.req.header(name)
    }

    pub fn method(&self) -> &str {
        &self.ctx.req.method
    }

    pub fn bucket_name(&self) -> AwsResult<&str> {
        self.bucket
            .as_deref()
            .ok_or_else(|| AwsError::new(S3::InvalidRequest, "A bucket name is required."))
    }

    pub fn key_name(&self) -> AwsResult<&str> {
        self.key
            .as_deref()
            .ok_or_else(|| AwsError::new(S3::InvalidRequest, "An object key is required."))
    }

    /// The caller's account; anonymous callers have none.
    pub fn account(&self) -> Option<&str> {
        self.caller.account.as_deref()
    }

    /// The ARN of the named object of this request's bucket.
    pub fn object_arn(&self) -> AwsResult<String> {
        Ok(format!(
            "arn:aws:s3:::{}/{}",
            self.bucket_name()?,
            self.key_name()?
        ))
    }

    /// Decides `action` on `resource` with the bucket's policy and the S3
    /// request context, and enforces it.
    pub fn authorize(
        &self,
        state: &State,
        action: &str,
        resource: &str,
        bucket: Option<&Bucket>,
        extra: RequestContext,
    ) -> AwsResult<()> {
        let mut context = extra;
        self.add_s3_context(&mut context, bucket);
        let mut question = Question {
            extra_context: context,
            resource_account: bucket.map(|b| b.owner.as_str()),
            ..Question::new(action, resource)
        };
        if let Some(bucket) = bucket {
            question.resource_policies = policy::effective_bucket_policy(bucket, self.caller);
        }
        // S3 words denials in full only for callers of the owner's account.
        let insider = bucket.is_none_or(|b| self.caller.account.as_deref() == Some(b.owner.as_str()));
        let wording = if anonymous(self.caller) || !insider {
            authorize::Wording::S3Plain
        } else if bucket.is_none() && resource == "arn:aws:s3:::*" {
            authorize::Wording::S3WithoutResource
        } else if insider {
            authorize::Wording::S3Detailed
        } else {
            authorize::Wording::S3Plain
        };
        authorize::authorize_with_message(self.ctx, state, self.caller, question, wording)
    }

    /// The S3 condition keys every request carries.
    fn add_s3_context(&self, context: &mut RequestContext, bucket: Option<&Bucket>) {
        let req = self.ctx.req;
        let presigned = req
            .raw_query
            .as_deref()
            .is_some_and(|q| q.contains("X-Amz-Signature=") || q.contains("Signature="));
        if self.caller.access_key.is_some() {
            context.set_default(
                "s3:authType",
                if presigned {
                    "REST-QUERY-STRING"
                } else {
                    "REST-HEADER"
                },
            );
            let v2 = req.header("authorization").is_some_and(|a| a.starts_with("AWS "))
                || req
                    .raw_query
                    .as_deref()
                    .is_some_and(|q| q.contains("AWSAccessKeyId="));
            context.set_default("s3:signatureversion", if v2 { "AWS" } else { "AWS4-HMAC-SHA256" });
        }
        if let Some(age) = signature_age_ms(req, &self.ctx.shared.clock) {
            context.set_default("s3:signatureAge", age.to_string());
        }
        if let Some(sha) = req.header("x-amz-content-sha256") {
            context.set_default("s3:x-amz-content-sha256", sha);
        }
        if let Some(bucket) = bucket {
            context.set_default("aws:ResourceAccount", bucket.owner.clone());
        }
        for (header, key) in [
            ("x-amz-acl", "s3:x-amz-acl"),
            ("x-amz-server-side-encryption", "s3:x-amz-server-side-encryption"),
            ("x-amz-storage-class", "s3:x-amz-storage-class"),
            ("x-amz-copy-source", "s3:x-amz-copy-source"),
            ("x-amz-metadata-directive", "s3:x-amz-metadata-directive"),
        ] {
            if let Some(v) = req.header(header) {
                context.set_default(key, v);
            }
        }
    }
}

/// `s3:signatureAge`: milliseconds since the SigV4 signature's `X-Amz-Date`,
/// on the emulator's clock (an advance ages a presigned URL, see [`crate::clock`]).
fn signature_age_ms(req: &crate::http::HttpRequest, clock: &crate::clock::Clock) -> Option<i128> {
    let from_query = req
        .query_pairs()
        .into_iter()
        .find(|(k, _)| k == "X-Amz-Date")
        .map(|(_, v)| v);
    let date = from_query.or_else(|| req.header("x-amz-date").map(str::to_string))?;
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let signed = time::PrimitiveDateTime::parse(&date, &format).ok()?.assume_utc();
    Some(
        (clock.now_precise() - clock.at_client_time(signed))
            .whole_milliseconds()
            .max(0),
    )
}

/// An I/O failure while storing or reading a body.
pub fn internal(e: &std::io::Error) -> AwsError {
    AwsError::new(
        Common::InternalError,
        format!("We encountered an internal error. Please try again. ({e})"),
    )
}

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

pub fn no_such_bucket(name: &str) -> AwsError {
    AwsError::new(S3::NoSuchBucket, "The specified bucket does not exist").with_resource(name)
}

/// The canonical user id S3 shows for an account (64 hex characters).
pub fn canonical_id(account: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(
        format!("iam-emulator canonical user {account}").as_bytes(),
    ))
}

/// Serves an S3 request.
pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    let (bucket, key) = crate::protocol::bucket_host::bucket_and_key(ctx.req.header("host"), &ctx.req.path());
    let query = ctx.req.query_pairs();
    let request = S3Request {
        ctx,
        caller,
        bucket,
        key,
        query,
    };
    let resource = match (&request.bucket, &request.key) {
        (Some(b), Some(k)) => format!("/{b}/{k}"),
        (Some(b), None) => format!("/{b}"),
        _ => String::new(),
    };
    match route(&request) {
        Ok(response) => response.with_header("x-amz-request-id", ctx.request_id),
        Err(err) => error_response(&err, &resource, ctx.request_id),
    }
}

fn route(r: &S3Request) -> AwsResult<HttpResponse> {
    let method = r.method().to_string();
    match (r.bucket.is_some(), r.key.is_some(), method.as_str()) {
        (false, _, "GET") => bucket::list_buckets(r),
        (false, _, _) => Err(AwsError::new(
            S3::MethodNotAllowed,
            "The specified method is not allowed against this resource.",
        )),
        (true, false, _) => route_bucket(r, &method),
        (true, true, _) => route_object(r, &method),
    }
}

fn route_bucket(r: &S3Request, method: &str) -> AwsResult<HttpResponse> {
    let sub = |name: &str| r.has(name);
    match method {
        "GET" if sub("location") => bucket::get_location(r),
        "GET" if sub("policy") => policy::get_policy(r),
        "PUT" if sub("policy") => policy::put_policy(r),
        "DELETE" if sub("policy") => policy::delete_policy(r),
        "GET" if sub("policyStatus") => policy::get_policy_status(r),
        "GET" if sub("publicAccessBlock") => policy::get_public_access_block(r),
        "PUT" if sub("publicAccessBlock") => policy::put_public_access_block(r),
        "DELETE" if sub("publicAccessBlock") => policy::delete_public_access_block(r),
        "GET" if sub("ownershipControls") => bucket::get_ownership(r),
        "PUT" if sub("ownershipControls") => bucket::put_ownership(r),
        "DELETE" if sub("ownershipControls") => bucket::delete_ownership(r),
        "GET" if sub("acl") => bucket::get_acl(r),
        "PUT" if sub("acl") => bucket::put_acl(r),
        "GET" if sub("tagging") => bucket::get_tagging(r),
        "PUT" if sub("tagging") => bucket::put_tagging(r),
        "DELETE" if sub("tagging") => bucket::delete_tagging(r),
        "GET" if sub("versioning") => bucket::get_versioning(r),
        "PUT" if sub("versioning") => bucket::put_versioning(r),
        "GET" if sub("uploads") => multipart::list_multipart_uploads(r),
        "POST" if sub("delete") => delete::delete_objects(r),
        "GET" if r.param("list-type") == Some("2") => list::list_objects_v2(r),
        "GET" if sub("versions") => list::list_object_versions(r),
        "GET" => list::list_objects_v1(r),
        "HEAD" => bucket::head_bucket(r),
        "PUT" => bucket::create_bucket(r),
        "DELETE" => bucket::delete_bucket(r),
        _ => Err(not_implemented(r)),
    }
}

fn route_object(r: &S3Request, method: &str) -> AwsResult<HttpResponse> {
    let sub = |name: &str| r.has(name);
    let copy = r.header("x-amz-copy-source").is_some();
    match method {
        "POST" if sub("uploads") => multipart::create_multipart_upload(r),
        "POST" if sub("uploadId") => multipart::complete_multipart_upload(r),
        "PUT" if sub("uploadId") && copy => multipart::upload_part_copy(r),
        "PUT" if sub("uploadId") => multipart::upload_part(r),
        "GET" if sub("uploadId") => multipart::list_parts(r),
        "DELETE" if sub("uploadId") => multipart::abort_multipart_upload(r),
        "GET" if sub("tagging") => tagging::get_object_tagging(r),
        "PUT" if sub("tagging") => tagging::put_object_tagging(r),
        "DELETE" if sub("tagging") => tagging::delete_object_tagging(r),
        "GET" if sub("acl") => tagging::get_object_acl(r),
        // Not served yet; a plain PUT would overwrite the object.
        "PUT" if sub("acl") => Err(not_implemented(r)),
        "PUT" if copy => copy::copy_object(r),
        "PUT" => object::put_object(r),
        "GET" => object::get_object(r, true),
        "HEAD" => object::get_object(r, false),
        "DELETE" => object::delete_object(r),
        _ => Err(not_implemented(r)),
    }
}

fn not_implemented(r: &S3Request) -> AwsError {
    let sub: Vec<&str> = r.query.iter().map(|(k, _)| k.as_str()).collect();
    AwsError::new(
        S3::NotImplemented,
        format!(
            "A header or query you provided implies functionality that is not implemented ({} {:?}).",
            r.method(),
            sub
        ),
    )
}

/// S3's error document.
pub fn error_xml(err: &AwsError, resource: &str, request_id: &str) -> String {
    let mut xml = Xml::new();
    xml.with("Error", |x| {
        x.elem("Code", &err.code);
        x.elem("Message", &err.message);
        if let Some(bucket) = &err.resource {
            x.elem("BucketName", bucket);
        }
        for (name, value) in &err.details {
            x.elem(name, value);
        }
        if !resource.is_empty() {
            x.elem("Resource", resource);
        }
        x.elem("RequestId", request_id);
        x.elem("HostId", &host_id(request_id));
    });
    xml.finish()
}

fn host_id(request_id: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(request_id.as_bytes()))
}

/// An error reply. Signature errors keep S3's own codes and wording.
pub fn error_response(err: &AwsError, resource: &str, request_id: &str) -> HttpResponse {
    let err = crate::error::codes::renamed(err, crate::error::codes::S3_RENAMES);
    if err.status == 304 {
        // Not Modified carries no body.
        return empty(304).with_header("x-amz-request-id", request_id);
    }
    HttpResponse::new(
        err.status,
        "application/xml",
        error_xml(&err, resource, request_id),
    )
    .with_header("x-amz-request-id", request_id)
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
