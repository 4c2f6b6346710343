//! S3's errors: the error document, the reply, and the errors many
//! handlers share.

use super::empty;
use crate::error::{AwsError, Common, S3};
use crate::http::HttpResponse;
use crate::protocol::xml::Xml;

/// An I/O failure while storing or reading a body.
pub fn internal(e: &std::io::Error) -> AwsError {
    AwsError::new(
        Common::InternalError,
        format!("We encountered an internal error. Please try again. ({e})"),
    )
}

pub fn no_such_bucket(name: &str) -> AwsError {
    AwsError::new(S3::NoSuchBucket, "The specified bucket does not exist").with_resource(name)
}

pub fn malformed_xml() -> AwsError {
    AwsError::new(
        S3::MalformedXML,
        "The XML you provided was not well-formed or did not validate against our published schema",
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
    let mut response = HttpResponse::new(
        err.status,
        "application/xml",
        error_xml(&err, resource, request_id),
    )
    .with_header("x-amz-request-id", request_id);
    for (name, value) in &err.headers {
        response = response.with_header(name, value);
    }
    response
}
