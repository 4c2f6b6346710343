//! Caps on what one request or client may cost the server, checked on the
//! request head before any body is read, each refused with an error in
//! the shape of the service the request is for (S3 XML, Query XML, JSON)
//! instead of a dropped connection or a 500.
//!
//! The figures and where they come from:
//! - header section over 8 KiB: S3 answers 400 `RequestHeaderSectionTooLarge`
//!   (S3's documented limit on a request's headers); the emulator answers
//!   every service so.
//! - a single PUT (object or part) over 5 GiB: S3's 400 `EntityTooLarge`
//!   with `ProposedSize` and `MaxSizeAllowed`, decided on `Content-Length`
//!   or `x-amz-decoded-content-length` before the body is read.
//! - request target (path and query) over 16 KiB: AWS documents no figure;
//!   414 as HTTP servers answer it, in the service's error shape.
//! - IAM, STS, Access Analyzer and admin bodies over 1 MiB: AWS documents
//!   no figure for Query bodies; the largest valid IAM request (a
//!   131,072-character policy, percent-encoded) stays well below it, and
//!   these services read their body in memory. 413 `RequestEntityTooLarge`.
//! - connections, header read / keep-alive idle and slow-body timeouts:
//!   [`Limits`], enforced by [`crate::server`].

use crate::error::{AwsError, Common};
use crate::http::{HttpRequest, HttpResponse};
use crate::services::Service;
use std::time::Duration;

/// Largest header section (names, values, `": "` and CRLF of each line).
pub const MAX_HEADER_SECTION: usize = 8 * 1024;
/// Largest request target (path plus query string) answered in AWS's shape.
pub const MAX_REQUEST_TARGET: usize = 16 * 1024;
/// Largest body of a single PUT (S3's 5 GiB).
pub const MAX_SINGLE_UPLOAD: u64 = 5 * 1024 * 1024 * 1024;
/// Largest body of the services that read their body in memory.
pub const MAX_API_BODY: u64 = 1024 * 1024;
/// hyper's read buffer: a head bigger than this is refused by hyper itself
/// (431, no body); anything smaller reaches the shaped checks here.
pub const MAX_HEAD_BUFFER: usize = 64 * 1024;

/// Per-server settings of the connection-level caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// How long a client has to send a request head, and how long an idle
    /// keep-alive connection stays open waiting for the next one.
    pub header_read_timeout: Duration,
    /// Longest pause between two pieces of a request body.
    pub body_idle_timeout: Duration,
    /// How long shutdown waits for in-flight requests.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// What a request head allows its body to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyCap {
    /// The most bytes the body (as sent, framing included) may have.
    pub max: u64,
    /// Who answers when it is exceeded.
    pub service: Option<Service>,
    /// The service [`crate::services::route`] names for the request, when the
    /// head alone decides it (a signed request): passed on to
    /// [`crate::app::App::handle_routed`], which need not parse the
    /// signature again for it.
    pub route: Option<Service>,
}

/// Checks a request head (`head.body` is still empty): the header section,
/// the request target and the declared body size. `Ok` carries the cap the
/// body must stay under while it streams in.
pub fn check_head(head: &HttpRequest, declared: Option<u64>, max_body: u64) -> Result<BodyCap, HttpResponse> {
    let (service, route) = service_of(head);
    let header_bytes: usize = head.headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum();
    if header_bytes > MAX_HEADER_SECTION {
        return Err(refuse(
            service,
            &AwsError::new(
                Common::RequestHeaderSectionTooLarge,
                "Your request header section exceeds the maximum allowed size.",
            )
            .with_detail("MaxSizeAllowed", MAX_HEADER_SECTION.to_string()),
        ));
    }
    let target = head.raw_path.len() + head.raw_query.as_ref().map_or(0, |q| q.len() + 1);
    if target > MAX_REQUEST_TARGET {
        return Err(refuse(
            service,
            &AwsError::new(
                Common::RequestURITooLong,
                format!("The request URI is longer than {MAX_REQUEST_TARGET} bytes."),
            ),
        ));
    }
    let max = match service {
        Some(Service::S3 | Service::Kinesis) => max_body,
        _ => MAX_API_BODY,
    };
    if service == Some(Service::S3) && head.method == "PUT" {
        // The object's size: aws-chunked bodies declare it apart from the framing.
        let proposed = head
            .header("x-amz-decoded-content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .or(declared);
        if let Some(size) = proposed.filter(|&n| n > MAX_SINGLE_UPLOAD) {
            return Err(entity_too_large(service, size));
        }
    }
    if let Some(size) = declared.filter(|&n| n > max) {
        return Err(body_too_large(service, size, max));
    }
    Ok(BodyCap { max, service, route })
}

/// The refusal for a body found (while streaming) to exceed `cap`.
pub fn over_cap(cap: BodyCap, seen: u64) -> HttpResponse {
    body_too_large(cap.service, seen, cap.max)
}

/// S3's answer to an upload over 5 GiB, or the others' to a body too big.
fn body_too_large(service: Option<Service>, size: u64, max: u64) -> HttpResponse {
    if service == Some(Service::S3) {
        return entity_too_large(service, size.max(max + 1));
    }
    refuse(
        service,
        &AwsError::new(
            Common::RequestEntityTooLarge,
            format!("The request body is larger than {max} bytes."),
        ),
    )
}

fn entity_too_large(service: Option<Service>, size: u64) -> HttpResponse {
    refuse(
        service,
        &AwsError::new(
            Common::EntityTooLarge,
            "Your proposed upload exceeds the maximum allowed size",
        )
        .with_detail("ProposedSize", size.to_string())
        .with_detail("MaxSizeAllowed", MAX_SINGLE_UPLOAD.to_string()),
    )
}

/// S3's answer when a client stops sending its body.
pub fn body_timeout(cap: BodyCap) -> HttpResponse {
    refuse(
        cap.service,
        &AwsError::new(Common::RequestTimeout,
            "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.",
        ),
    )
}

/// `err` in the shape of `service` (`None`: an admin endpoint, JSON).
pub fn refuse(service: Option<Service>, err: &AwsError) -> HttpResponse {
    let request_id = crate::ids::request_id();
    match service {
        Some(service) => crate::services::error_response(service, err, &request_id),
        None => HttpResponse::json(
            err.status,
            &serde_json::json!({"error": err.message, "code": err.code}),
        ),
    }
}

/// The service a request head is for: admin endpoints (`None`), then as
/// [`crate::services::route`] decides, except that an unsigned form POST (its
/// `Action` is in the body, not read yet) is a Query call. Second: the
/// service `route` names, when the signature decides it.
fn service_of(head: &HttpRequest) -> (Option<Service>, Option<Service>) {
    let path = head.raw_path.as_str();
    if path.starts_with("/_emulator/") || path.starts_with("/moto-api/") {
        return (None, None);
    }
    if let Some(service) = crate::auth::signed_service(head) {
        let service = crate::services::service_named(&service);
        return (Some(service), Some(service));
    }
    let form = head
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if form && head.method == "POST" && path == "/" {
        return (Some(Service::Iam), None);
    }
    (Some(crate::services::routing::route_unsigned(head)), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(method: &str, path: &str, headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            raw_path: path.into(),
            raw_query: None,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
                .collect(),
            body: bytes::Bytes::new(),
            spooled: None,
            peer: None,
        }
    }

    fn body_text(response: &HttpResponse) -> String {
        String::from_utf8_lossy(&response.body).into_owned()
    }

    #[test]
    fn a_header_section_over_8_kib_is_refused_as_s3_refuses_it() {
        let big = "x".repeat(MAX_HEADER_SECTION);
        let refused =
            check_head(&head("GET", "/b/k", &[("x-amz-meta-a", &big)]), None, u64::MAX).unwrap_err();
        assert_eq!(refused.status, 400);
        assert!(body_text(&refused).contains("<Code>RequestHeaderSectionTooLarge</Code>"));
        let fine = "x".repeat(MAX_HEADER_SECTION - 100);
        assert!(check_head(&head("GET", "/b/k", &[("x-amz-meta-a", &fine)]), None, u64::MAX).is_ok());
    }

    #[test]
    fn a_put_over_5_gib_is_entity_too_large_before_its_body_is_read() {
        let over = MAX_SINGLE_UPLOAD + 1;
        let refused = check_head(&head("PUT", "/b/k", &[]), Some(over), u64::MAX).unwrap_err();
        let text = body_text(&refused);
        assert_eq!(refused.status, 400);
        assert!(text.contains("<Code>EntityTooLarge</Code>"), "{text}");
        assert!(
            text.contains(&format!("<ProposedSize>{over}</ProposedSize>")),
            "{text}"
        );
        assert!(
            text.contains("<MaxSizeAllowed>5368709120</MaxSizeAllowed>"),
            "{text}"
        );
        // aws-chunked: the decoded length is the object's size.
        let chunked = head(
            "PUT",
            "/b/k",
            &[("x-amz-decoded-content-length", &over.to_string())],
        );
        assert!(check_head(&chunked, Some(1000), u64::MAX).is_err());
        assert!(check_head(&head("PUT", "/b/k", &[]), Some(MAX_SINGLE_UPLOAD), u64::MAX).is_ok());
    }

    #[test]
    fn query_bodies_over_1_mib_are_refused_in_the_query_shape() {
        let form = [("content-type", "application/x-www-form-urlencoded")];
        let refused = check_head(&head("POST", "/", &form), Some(MAX_API_BODY + 1), u64::MAX).unwrap_err();
        assert_eq!(refused.status, 413);
        let text = body_text(&refused);
        assert!(
            text.contains("<ErrorResponse") && text.contains("RequestEntityTooLarge"),
            "{text}"
        );
        let cap = check_head(&head("POST", "/", &form), Some(10), u64::MAX).unwrap();
        assert_eq!(
            cap,
            BodyCap {
                max: MAX_API_BODY,
                service: Some(Service::Iam),
                route: None,
            }
        );
    }

    #[test]
    fn a_long_request_target_is_414() {
        let path = format!("/b/{}", "k".repeat(MAX_REQUEST_TARGET));
        let refused = check_head(&head("GET", &path, &[]), None, u64::MAX).unwrap_err();
        assert_eq!(refused.status, 414);
    }
}
