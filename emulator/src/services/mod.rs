//! The services (IAM, STS, S3, Kinesis, Access Analyzer, Organizations). [`routing`] names
//! the service a request is for; each one reads its protocol, turns the call
//! into (principal, action, resource, context), asks [`crate::authorize`],
//! and acts on the state. None re-implements a policy rule.

pub mod access_analyzer;
pub mod iam;
pub mod kinesis;
pub mod organizations;
pub mod routing;
pub mod s3;
pub mod sts;

pub use crate::shared::Ctx;
pub use routing::{route, service_named, Service};

use crate::auth::Caller;
use crate::error::{AwsError, Common};
use crate::http::HttpResponse;
use crate::protocol::query;

pub const IAM_NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
pub const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Sends the request to its service.
pub fn dispatch(service: Service, ctx: &Ctx, caller: &Caller) -> HttpResponse {
    match service {
        Service::Iam => iam::handle(ctx, caller),
        Service::Sts => sts::handle(ctx, caller),
        Service::S3 => s3::handle(ctx, caller),
        Service::Kinesis => kinesis::handle(ctx, caller),
        Service::AccessAnalyzer => access_analyzer::handle(ctx, caller),
        Service::Organizations => organizations::handle(ctx, caller),
    }
}

/// An error in the shape of the service's protocol.
pub fn error_response(service: Service, err: &AwsError, request_id: &str) -> HttpResponse {
    if service == Service::S3 {
        return s3::error_response(err, "", request_id);
    }
    if service == Service::AccessAnalyzer {
        return access_analyzer::error_response(err, request_id);
    }
    if service == Service::Kinesis {
        return kinesis::error_response(err, request_id);
    }
    if service == Service::Organizations {
        return organizations::error_response(err, request_id);
    }
    let namespace = match service {
        Service::Sts => STS_NAMESPACE,
        _ => IAM_NAMESPACE,
    };
    HttpResponse::xml(err.status, query::error(err, namespace, request_id))
        .with_header("x-amzn-requestid", request_id)
}

/// Query-protocol services need a signed caller.
pub fn require_signed(caller: &Caller) -> Result<(), AwsError> {
    if caller.access_key.is_none() {
        return Err(AwsError::new(
            Common::MissingAuthenticationToken,
            "Request is missing Authentication Token",
        ));
    }
    Ok(())
}
