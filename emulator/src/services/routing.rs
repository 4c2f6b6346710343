//! Which service a request is for, before it is authenticated: the
//! credential scope's service when signed, else protocol markers.

use crate::http::HttpRequest;

/// The service a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Iam,
    Sts,
    S3,
    Kinesis,
    AccessAnalyzer,
    Organizations,
}

impl Service {
    /// Every service the emulator serves.
    pub const ALL: [Service; 6] = [
        Service::Iam,
        Service::Sts,
        Service::S3,
        Service::Kinesis,
        Service::AccessAnalyzer,
        Service::Organizations,
    ];

    /// botocore's name of the service (`accessanalyzer`, not the signing
    /// name `access-analyzer`): what LocalStack's health lists.
    pub fn botocore_name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::Sts => "sts",
            Service::S3 => "s3",
            Service::Kinesis => "kinesis",
            Service::AccessAnalyzer => "accessanalyzer",
            Service::Organizations => "organizations",
        }
    }
}

/// Which service a request is for: the credential scope's service when
/// signed; otherwise by protocol markers (Query `Action`, JSON target),
/// and S3 for everything else (unsigned S3 requests are anonymous).
pub fn route(req: &HttpRequest) -> Service {
    if let Some(service) = crate::auth::signed_service(req) {
        return service_named(&service);
    }
    route_unsigned(req)
}

/// [`route`] of a request without a signature.
pub(crate) fn route_unsigned(req: &HttpRequest) -> Service {
    if req
        .header("x-amz-target")
        .is_some_and(|t| t.starts_with("Kinesis_"))
    {
        return Service::Kinesis;
    }
    if req
        .header("x-amz-target")
        .is_some_and(|t| t.starts_with(super::organizations::TARGET_PREFIX))
    {
        return Service::Organizations;
    }
    let form = req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let params =
        crate::protocol::query::Params::parse(req.raw_query.as_deref(), if form { &req.body } else { &[] });
    match params.action() {
        Some(action) if super::sts::is_operation(action) => Service::Sts,
        Some(_) if form || req.raw_path == "/" => Service::Iam,
        _ => Service::S3,
    }
}

/// The service a credential scope names (S3 for any it does not know).
pub fn service_named(scope_service: &str) -> Service {
    match scope_service {
        "iam" => Service::Iam,
        "sts" => Service::Sts,
        "kinesis" => Service::Kinesis,
        "access-analyzer" => Service::AccessAnalyzer,
        "organizations" => Service::Organizations,
        _ => Service::S3,
    }
}
