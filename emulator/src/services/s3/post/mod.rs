//! Browser POST uploads (S3 API Reference, "POST Object" and
//! "Browser-Based Uploads Using POST"): `POST /bucket` with a
//! `multipart/form-data` body ([`form`]) whose fields name the key
//! (`${filename}` replaced by the file's name), the object's headers and
//! ACL, and — for a signed upload — a policy document ([`policy`]) with
//! its signature: SigV4 (`x-amz-algorithm`, `x-amz-credential`,
//! `x-amz-date`, `x-amz-signature`) or SigV2 (`AWSAccessKeyId`,
//! `signature`), both computed over the base64 policy. The upload is then
//! authorized as `s3:PutObject` for the signer (anonymous without a
//! policy) through the door, like a PutObject, and answered as
//! `success_action_redirect` or `success_action_status` ask.

pub mod form;
pub mod policy;

use super::body::{self, Stored};
use super::object::{check_key, Pairs};
use super::{acl, empty, find_bucket, internal, no_such_bucket, versions, xml_reply, S3Request};
use crate::auth::{sigv2, sigv4, AuthMode, Caller};
use crate::error::{AwsError, AwsResult, Common, S3};
use crate::http::HttpResponse;
use crate::state::s3::Object;
use crate::state::versions::Version;
use iam_evaluator::RequestContext;
use std::io::{self, Read};

/// The largest object a POST may upload (S3's single-upload limit, 5 GiB).
const MAX_UPLOAD: u64 = 5 * 1024 * 1024 * 1024;

/// Object headers a form may set, as PutObject stores them.
const STORED_FIELDS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

fn malformed_post() -> AwsError {
    AwsError::new(
        S3::MalformedPOSTRequest,
        "The body of your POST request is not well-formed multipart/form-data.",
    )
}

fn missing_field(name: &str) -> AwsError {
    AwsError::new(
        S3::InvalidArgument,
        format!("Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields."),
    )
    .with_detail("ArgumentName", name)
}

fn form_error(error: form::FormError) -> AwsError {
    match error {
        form::FormError::Malformed => malformed_post(),
        form::FormError::FieldsTooLarge => AwsError::new(
            S3::MaxPostPreDataLengthExceededError,
            "Your POST request fields preceeding the upload file was too large.",
        ),
        form::FormError::NoFile => AwsError::new(
            S3::IncorrectNumberOfFilesInPostRequest,
            "POST requires exactly one file upload per request.",
        ),
        form::FormError::Io(e) => internal(&io::Error::other(e)),
    }
}

/// The file part, its truncation reported as a malformed form.
struct FilePart<R>(form::FileReader<R>);

impl<R: Read> Read for FilePart<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.0.read(out).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                io::Error::new(io::ErrorKind::InvalidData, malformed_post())
            } else {
                e
            }
        })
    }
}

/// A form's signature over its policy.
enum Claim {
    V4 {
        credential: sigv4::Credential,
        signature: String,
    },
    V2 {
        access_key: String,
        signature: String,
    },
}

impl Claim {
    /// The signature fields of a form with a policy: SigV4's when it has
    /// `x-amz-algorithm` or `x-amz-credential`, else SigV2's.
    fn of(form: &form::Form) -> AwsResult<Claim> {
        let field = |name: &str| form.field(name).ok_or_else(|| missing_field(name));
        if form.field("x-amz-algorithm").is_none() && form.field("x-amz-credential").is_none() {
            return Ok(Claim::V2 {
                access_key: field("AWSAccessKeyId")?.to_string(),
                signature: field("signature")?.to_string(),
            });
        }
        if field("x-amz-algorithm")? != "AWS4-HMAC-SHA256" {
            return Err(AwsError::new(
                S3::InvalidArgument,
                "Invalid Policy: Only AWS4-HMAC-SHA256 is supported as x-amz-algorithm.",
            ));
        }
        let credential = sigv4::Credential::parse(field("x-amz-credential")?)?;
        field("x-amz-date")?;
        Ok(Claim::V4 {
            credential,
            signature: field("x-amz-signature")?.to_string(),
        })
    }

    fn access_key(&self) -> &str {
        match self {
            Claim::V4 { credential, .. } => &credential.access_key,
            Claim::V2 { access_key, .. } => access_key,
        }
    }

    /// Whether the signature is the policy's, signed with `secret`.
    fn verifies(&self, secret: &str, policy: &str) -> bool {
        match self {
            Claim::V4 {
                credential,
                signature,
            } => sigv4::derived_key(secret, credential).matches(policy, signature),
            Claim::V2 { signature, .. } => {
                let ours = sigv2::sign(secret, policy);
                ours.len() == signature.len()
                    && ours
                        .bytes()
                        .zip(signature.bytes())
                        .fold(0u8, |d, (a, b)| d | (a ^ b))
                        == 0
            }
        }
    }
}

/// Who the form is signed by: the key's caller once the signature over
/// the policy is verified (every key acts unverified under `--auth off`),
/// or the request's own caller (anonymous) without a policy.
fn signer(r: &S3Request, form: &form::Form) -> AwsResult<Caller> {
    let Some(encoded) = form.field("policy") else {
        if form.field("AWSAccessKeyId").is_some() || form.field("x-amz-credential").is_some() {
            return Err(missing_field("policy"));
        }
        return Ok(r.caller.clone());
    };
    let claim = Claim::of(form)?;
    let state = r.ctx.shared.state();
    let token = form.field("x-amz-security-token");
    let found = crate::auth::signer_of_key(&state, claim.access_key(), token, r.ctx.shared.now());
    if r.ctx.mode == AuthMode::Off {
        return Ok(found.map_or_else(|_| Caller::anonymous(), |(caller, _)| caller));
    }
    let (caller, secret) = found?;
    if !claim.verifies(&secret, encoded) {
        return Err(AwsError::new(
            Common::SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        ));
    }
    Ok(caller)
}

/// A form field read as the header of the same name (ACL headers, whose
/// canned ACL field is `acl`).
fn header_field(form: &form::Form, name: &str) -> Option<String> {
    let name = if name == "x-amz-acl" { "acl" } else { name };
    form.field(name).map(str::to_string)
}

/// The object's content type, stored headers and metadata from the form.
fn object_headers(form: &form::Form) -> (String, Pairs, Pairs) {
    let content_type = form
        .field("content-type")
        .unwrap_or("binary/octet-stream")
        .to_string();
    let headers = STORED_FIELDS
        .iter()
        .filter_map(|name| form.field(name).map(|v| ((*name).to_string(), v.to_string())))
        .collect();
    let metadata = form
        .fields
        .iter()
        .filter_map(|(n, v)| {
            let n = n.to_ascii_lowercase();
            n.strip_prefix("x-amz-meta-").map(|m| (m.to_string(), v.clone()))
        })
        .collect();
    (content_type, headers, metadata)
}

/// The request context of the upload: S3 reports browser POSTs as
/// `s3:authType` `POST`, and the ACL fields as their headers' keys.
fn upload_context(form: &form::Form, caller: &Caller) -> RequestContext {
    let mut context = RequestContext::new();
    if caller.access_key.is_some() {
        context.set("s3:authType", "POST");
        let v4 = form.field("x-amz-algorithm").is_some();
        context.set("s3:signatureversion", if v4 { "AWS4-HMAC-SHA256" } else { "AWS" });
    }
    if let Some(canned) = form.field("acl") {
        context.set("s3:x-amz-acl", canned);
    }
    for (header, _) in acl::GRANT_HEADERS {
        if let Some(v) = form.field(header) {
            context.set(&format!("s3:{header}"), v);
        }
    }
    context
}

/// PostObject.
pub fn post_object(r: &S3Request) -> AwsResult<HttpResponse> {
    let bucket_name = r.bucket_name()?.to_string();
    find_bucket(&r.ctx.shared.state(), &bucket_name)?;
    let boundary = r
        .header("content-type")
        .and_then(form::boundary)
        .ok_or_else(malformed_post)?;
    let reader = r.ctx.req.body_reader().map_err(|e| internal(&e))?;
    let (form, file) = form::read(reader, &boundary).map_err(form_error)?;
    let key_field = form.field("key").ok_or_else(|| missing_field("key"))?;
    let caller = signer(r, &form)?;
    let range = match form.field("policy") {
        Some(encoded) => {
            let policy = policy::parse(encoded)?;
            policy::check(&policy, &form.fields, &bucket_name, r.ctx.shared.now())?
        }
        None => None,
    };
    let key = key_field.replace("${filename}", form.file_name.as_deref().unwrap_or_default());
    if key.is_empty() {
        return Err(AwsError::new(
            S3::InvalidArgument,
            "User key must have a length greater than 0.",
        ));
    }
    check_key(&key)?;
    let upload = S3Request {
        ctx: r.ctx,
        caller: &caller,
        bucket: r.bucket.clone(),
        key: Some(key.clone()),
        query: r.query.clone(),
        row: r.row,
        s3_keys: super::request::s3_keys(r.ctx.req, &caller, &r.ctx.shared.clock),
    };
    let tags = form
        .field("tagging")
        .map(|xml| super::tagging::read_object_tags(xml.as_bytes()))
        .transpose()?
        .unwrap_or_default();
    let (written, protection) = {
        let state = r.ctx.shared.state();
        let bucket = find_bucket(&state, &bucket_name)?;
        let mut context = upload_context(&form, &caller);
        super::tagging::add_request_tags(&mut context, &tags);
        upload.authorize_op(&state, Some(bucket), context)?;
        super::object::authorize_upload_extras(&upload, &state, bucket, !tags.is_empty())?;
        let fields = |name: &str| header_field(&form, name);
        let written = acl::for_upload(&state, bucket, caller.account.as_deref(), &fields)?;
        (
            written,
            super::protection::for_upload(r, bucket, r.ctx.shared.now())?,
        )
    };
    // The file is stored without holding the state lock.
    let stored = body::ingest_reader(r, FilePart(file))?;
    check_size(&stored, range)?;
    let (content_type, headers, metadata) = object_headers(&form);
    let etag = stored.etag();
    let object = Object {
        key: key.clone(),
        version_id: None,
        body: stored.body.clone(),
        size: stored.size,
        etag: etag.clone(),
        last_modified: r.ctx.shared.now(),
        content_type,
        headers,
        metadata,
        tags,
        checksum: None,
        storage_class: form
            .field("x-amz-storage-class")
            .unwrap_or("STANDARD")
            .to_string(),
        part_sizes: Vec::new(),
        protection,
        owner: written.owner,
        acl: written.acl,
    };
    let now = r.ctx.shared.now();
    let mut state = r.ctx.shared.state();
    let bucket = state
        .buckets
        .get_mut(&bucket_name)
        .ok_or_else(|| no_such_bucket(&bucket_name))?;
    let written = versions::store(bucket, Version::Object(Box::new(object)), now);
    // The replaced bodies' files go once the lock is released.
    drop(state);
    let reply = reply(r, &form, &bucket_name, &key, &etag);
    Ok(match &written.version_id {
        Some(id) => reply.with_header("x-amz-version-id", id),
        None => reply,
    })
}

/// `content-length-range`, and S3's own limit on one upload.
fn check_size(stored: &Stored, range: Option<(u64, u64)>) -> AwsResult<()> {
    let (min, max) = range.unwrap_or((0, MAX_UPLOAD));
    if stored.size > max.min(MAX_UPLOAD) {
        return Err(AwsError::new(
            Common::EntityTooLarge,
            "Your proposed upload exceeds the maximum allowed size",
        )
        .with_detail("ProposedSize", stored.size.to_string())
        .with_detail("MaxSizeAllowed", max.to_string()));
    }
    if stored.size < min {
        return Err(AwsError::new(
            S3::EntityTooSmall,
            "Your proposed upload is smaller than the minimum allowed size",
        )
        .with_detail("ProposedSize", stored.size.to_string())
        .with_detail("MinSizeAllowed", min.to_string()));
    }
    Ok(())
}

/// The answer to a stored upload: 303 to `success_action_redirect` (or
/// the older `redirect`) with `bucket`, `key` and `etag` added to its
/// query; else `success_action_status` 200 (empty), 201 (a `PostResponse`
/// document) or 204, the default.
fn reply(r: &S3Request, form: &form::Form, bucket: &str, key: &str, etag: &str) -> HttpResponse {
    let redirect = form
        .field("success_action_redirect")
        .or_else(|| form.field("redirect"))
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"));
    if let Some(url) = redirect {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("bucket", bucket)
            .append_pair("key", key)
            .append_pair("etag", etag)
            .finish();
        let separator = if url.contains('?') { '&' } else { '?' };
        return empty(303)
            .with_header("location", &format!("{url}{separator}{query}"))
            .with_header("etag", etag);
    }
    let location = format!(
        "http://{}/{bucket}/{}",
        r.header("host").unwrap_or("localhost"),
        percent_encoding::utf8_percent_encode(key, crate::protocol::percent::UNRESERVED_AND_SLASH)
    );
    match form.field("success_action_status") {
        Some("200") => empty(200)
            .with_header("etag", etag)
            .with_header("location", &location),
        Some("201") => {
            let mut created = xml_reply("PostResponse", |x| {
                x.elem("Location", &location);
                x.elem("Bucket", bucket);
                x.elem("Key", key);
                x.elem("ETag", etag);
            });
            created.status = 201;
            created
        }
        .with_header("etag", etag)
        .with_header("location", &location),
        _ => empty(204)
            .with_header("etag", etag)
            .with_header("location", &location),
    }
}
