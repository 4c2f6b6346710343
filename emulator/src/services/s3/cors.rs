//! CORS: the bucket's rules checked on PutBucketCors, and enforced: an
//! `OPTIONS` preflight is answered from them (200 with the
//! `Access-Control-Allow-*` headers of the first matching rule, 403
//! `CORSResponse` otherwise), and a request carrying `Origin` gets the
//! matching rule's headers on its reply. A request without `Origin` pays
//! nothing for this.
//!
//! Matching as the S3 User Guide ("How does Amazon S3 evaluate the CORS
//! configuration on a bucket?") says: "The request's Origin header must
//! match AllowedOrigin elements", the method (or, for a preflight,
//! `Access-Control-Request-Method`) one of the AllowedMethods, and "every
//! header listed in the request's Access-Control-Request-Headers header
//! on a preflight request must match an AllowedHeader element". An origin
//! or header may carry one `*` wildcard.

use super::{find_bucket, malformed_xml, S3Request};
use crate::error::{AwsError, AwsResult, S3};
use crate::http::{HttpRequest, HttpResponse};
use crate::protocol::xml::Element;
use crate::state::s3::Bucket;
use crate::state::State;

const METHODS: &[&str] = &["GET", "PUT", "HEAD", "POST", "DELETE"];

/// PutBucketCors: 1 to 100 rules, each with origins and known methods.
pub fn validate(_: &S3Request, _: &State, _: &Bucket, doc: &Element) -> AwsResult<()> {
    let rules: Vec<&Element> = doc.all("CORSRule").collect();
    if rules.is_empty() {
        return Err(malformed_xml());
    }
    if rules.len() > 100 {
        return Err(AwsError::new(
            S3::InvalidRequest,
            "The number of CORS rules should not exceed allowed limit of 100 rules.",
        ));
    }
    for rule in rules {
        if rule.child("AllowedOrigin").is_none() || rule.child("AllowedMethod").is_none() {
            return Err(malformed_xml());
        }
        for method in rule.all("AllowedMethod") {
            let method = method.text.trim();
            if !METHODS.contains(&method) {
                return Err(AwsError::new(
                    S3::InvalidRequest,
                    format!("Found unsupported HTTP method in CORS config. Unsupported method is {method}"),
                ));
            }
        }
        for origin in rule.all("AllowedOrigin").chain(rule.all("AllowedHeader")) {
            if origin.text.matches('*').count() > 1 {
                return Err(AwsError::new(
                    S3::InvalidRequest,
                    format!(
                        "{} can not have more than one wildcard: {}",
                        origin.name,
                        origin.text.trim()
                    ),
                ));
            }
        }
        if let Some(age) = rule.trimmed("MaxAgeSeconds") {
            if age.parse::<u32>().is_err() {
                return Err(malformed_xml());
            }
        }
    }
    Ok(())
}

/// `pattern` with at most one `*` against `text`.
fn wildcard(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.len() >= head.len() + tail.len() && text.starts_with(head) && text.ends_with(tail)
        }
    }
}

/// The first rule allowing `origin`, `method` and `headers`.
fn matching<'c>(config: &'c Element, origin: &str, method: &str, headers: &[&str]) -> Option<&'c Element> {
    config.all("CORSRule").find(|rule| {
        rule.all("AllowedOrigin").any(|o| wildcard(o.text.trim(), origin))
            && rule.all("AllowedMethod").any(|m| m.text.trim() == method)
            && headers.iter().all(|h| {
                rule.all("AllowedHeader")
                    .any(|a| wildcard(&a.text.trim().to_ascii_lowercase(), &h.to_ascii_lowercase()))
            })
    })
}

/// The `Access-Control-*` headers of a matched rule.
fn allow_headers(rule: &Element, origin: &str, requested_headers: Option<&str>) -> Vec<(String, String)> {
    let any_origin = rule.all("AllowedOrigin").any(|o| o.text.trim() == "*");
    let mut out = vec![
        (
            "access-control-allow-origin".to_string(),
            if any_origin {
                "*".to_string()
            } else {
                origin.to_string()
            },
        ),
        (
            "access-control-allow-methods".to_string(),
            rule.all("AllowedMethod")
                .map(|m| m.text.trim())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "vary".to_string(),
            "Origin, Access-Control-Request-Headers, Access-Control-Request-Method".to_string(),
        ),
    ];
    if !any_origin {
        out.push(("access-control-allow-credentials".to_string(), "true".to_string()));
    }
    if let Some(headers) = requested_headers.filter(|h| !h.trim().is_empty()) {
        out.push((
            "access-control-allow-headers".to_string(),
            headers.to_ascii_lowercase(),
        ));
    }
    let expose: Vec<&str> = rule.all("ExposeHeader").map(|e| e.text.trim()).collect();
    if !expose.is_empty() {
        out.push(("access-control-expose-headers".to_string(), expose.join(", ")));
    }
    if let Some(age) = rule.trimmed("MaxAgeSeconds") {
        out.push(("access-control-max-age".to_string(), age.to_string()));
    }
    out
}

fn cors_response(message: &str) -> AwsError {
    AwsError::new(S3::CORSResponse, message)
}

/// The `OPTIONS` preflight, unsigned and not authorized, as S3 answers it.
pub fn preflight(r: &S3Request) -> AwsResult<HttpResponse> {
    let origin = r.header("origin");
    let method = r.header("access-control-request-method");
    let (Some(origin), Some(method)) = (origin, method) else {
        return Err(AwsError::new(
            S3::BadRequest,
            "Insufficient information. Origin request header needed.",
        ));
    };
    let requested = r.header("access-control-request-headers");
    let headers: Vec<&str> = requested
        .map(|h| h.split(',').map(str::trim).filter(|h| !h.is_empty()).collect())
        .unwrap_or_default();
    let state = r.ctx.shared.state();
    let bucket = find_bucket(&state, r.bucket_name()?)?;
    let config = bucket
        .configs
        .get("cors")
        .ok_or_else(|| cors_response("CORS is not enabled for this bucket."))?;
    let rule = matching(config, origin, method, &headers).ok_or_else(|| {
        cors_response("This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
    })?;
    let mut response = super::empty(200);
    for (name, value) in allow_headers(rule, origin, requested) {
        response = response.with_header(&name, &value);
    }
    Ok(response)
}

/// A reply to a request with `Origin` gets the matching rule's headers.
pub fn decorate(req: &HttpRequest, state: &State, bucket: &str, mut response: HttpResponse) -> HttpResponse {
    let Some(origin) = req.header("origin") else {
        return response;
    };
    let Some(config) = state.buckets.get(bucket).and_then(|b| b.configs.get("cors")) else {
        return response;
    };
    if let Some(rule) = matching(config, origin, &req.method, &[]) {
        for (name, value) in allow_headers(rule, origin, None) {
            response = response.with_header(&name, &value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "http://a.example"));
        assert!(wildcard("http://*.example.com", "http://www.example.com"));
        assert!(!wildcard("http://*.example.com", "https://www.example.com"));
        assert!(wildcard("http://a.example", "http://a.example"));
        assert!(!wildcard("http://a.example", "http://b.example"));
        assert!(!wildcard("ab*ba", "aba"));
    }
}
