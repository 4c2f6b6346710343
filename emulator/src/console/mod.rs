//! The teaching console: a web page at `/_emulator/ui` that shows why each
//! request was allowed or denied, the entities in the emulator, and a
//! policy playground. Plain HTML, CSS and JavaScript embedded in the
//! binary (no framework, nothing fetched from elsewhere: it works offline).
//!
//! Its JSON endpoints (admin endpoints: no auth, loopback use):
//! - `POST /_emulator/evaluate`: decide one request from policies given as
//!   text; the reply is exactly what `iam-emulator explain --json` prints
//!   for the same input (both go through [`crate::explain::decide_input`]).
//! - `POST /_emulator/validate`: Access Analyzer's findings for one policy
//!   (`policyDocument`, `policyType`, `validatePolicyResourceType`, as
//!   `ValidatePolicy` takes them).
//! - `POST /_emulator/decide`: decide one request for an access key (or a
//!   principal ARN) over the emulator's current state ([`decide`]); the
//!   same JSON as `evaluate`.
//! - `GET /_emulator/entities`: accounts, users, groups, roles, policies
//!   (pretty-printed, with their findings), access key ids, sessions and
//!   buckets. Never a secret access key or a session token.
//!
//! The page polls `GET /_emulator/decisions` for the live request log.

pub mod decide;
mod entities;
mod evaluate;
mod pretty;

use crate::app::App;
use crate::http::{HttpRequest, HttpResponse};
use serde_json::json;

pub use decide::decide;
pub use entities::entities_json;
pub use evaluate::input_from_json;
pub use pretty::{policy_view, pretty_json};

/// The page's files: path, content type, text.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/_emulator/ui",
        "text/html; charset=utf-8",
        include_str!("../../assets/console/index.html"),
    ),
    (
        "/_emulator/ui/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/console/app.js"),
    ),
    (
        "/_emulator/ui/style.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/console/style.css"),
    ),
];

/// Everything the page may load comes from the emulator itself.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Is this one of the console's page paths (`/_emulator/ui`, `/_emulator/ui/…`)?
pub fn is_page_path(path: &str) -> bool {
    path == "/_emulator/ui" || path.starts_with("/_emulator/ui/")
}

/// `GET /_emulator/ui` and its assets; 404 for another path under it.
pub fn page(path: &str) -> HttpResponse {
    let path = if path == "/_emulator/ui/" || path == "/_emulator/ui/index.html" {
        "/_emulator/ui"
    } else {
        path
    };
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, content_type, text)) => HttpResponse::new(200, content_type, *text)
            .with_header("cache-control", "no-cache")
            .with_header("x-content-type-options", "nosniff")
            .with_header("content-security-policy", CSP)
            .with_header("referrer-policy", "no-referrer"),
        None => HttpResponse::json(404, &json!({"error": "no such console file", "path": path})),
    }
}

/// The total size of the embedded page, in bytes.
pub fn assets_size() -> usize {
    ASSETS.iter().map(|(_, _, text)| text.len()).sum()
}

/// `POST /_emulator/evaluate`: the decision as `explain --json` prints it,
/// or 400 `{"error", "field"}` for bad input.
pub fn evaluate(req: &HttpRequest) -> HttpResponse {
    let input = match parse_body(req).and_then(|body| input_from_json(&body)) {
        Ok(input) => input,
        Err(e) => return bad_request(e.field, &e.message),
    };
    match crate::explain::decide_input(&input) {
        Ok(decision) => HttpResponse::json(200, &decision.to_json()),
        Err(e) => bad_request(e.field, &e.message),
    }
}

/// `POST /_emulator/validate`: `{"findings": […]}` as `ValidatePolicy`
/// returns them, for the policy text in `policyDocument`.
pub fn validate(req: &HttpRequest) -> HttpResponse {
    use iam_evaluator::validate::{validate_policy, Finding, PolicyKind, ResourcePolicyType};
    let body = match parse_body(req) {
        Ok(body) => body,
        Err(e) => return bad_request(e.field, &e.message),
    };
    let Some(text) = body.get("policyDocument").and_then(|v| v.as_str()) else {
        return bad_request(
            "policyDocument",
            "policyDocument (the policy as text) is required",
        );
    };
    let kind = match body.get("policyType").and_then(|v| v.as_str()) {
        None => PolicyKind::Identity,
        Some(t) => match PolicyKind::parse(t) {
            Some(kind) => kind,
            None => {
                return bad_request(
                    "policyType",
                    &format!(
                    "unknown policyType {t:?} (IDENTITY_POLICY, RESOURCE_POLICY or SERVICE_CONTROL_POLICY)"
                ),
                )
            }
        },
    };
    let resource_type = match body.get("validatePolicyResourceType").and_then(|v| v.as_str()) {
        None => None,
        Some(t) => match ResourcePolicyType::parse(t) {
            Some(r) => Some(r),
            None => {
                return bad_request(
                    "validatePolicyResourceType",
                    &format!("unknown validatePolicyResourceType {t:?}"),
                )
            }
        },
    };
    let findings: Vec<_> = validate_policy(text, kind, resource_type)
        .iter()
        .map(Finding::to_json)
        .collect();
    HttpResponse::json(200, &json!({ "findings": findings }))
}

/// `GET /_emulator/entities`.
pub fn entities(app: &App) -> HttpResponse {
    HttpResponse::json(200, &entities_json(app))
}

/// Bad input: which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    pub field: &'static str,
    pub message: String,
}

fn parse_body(req: &HttpRequest) -> Result<serde_json::Value, BodyError> {
    let body: serde_json::Value = serde_json::from_slice(&req.body).map_err(|e| BodyError {
        field: "body",
        message: format!("the body must be a JSON object: {e}"),
    })?;
    if body.is_object() {
        Ok(body)
    } else {
        Err(BodyError {
            field: "body",
            message: "the body must be a JSON object".into(),
        })
    }
}

fn bad_request(field: &str, message: &str) -> HttpResponse {
    HttpResponse::json(400, &json!({"error": message, "field": field}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_small_and_names_only_its_own_files() {
        assert!(assets_size() < 300 * 1024, "{} bytes", assets_size());
        let html = ASSETS[0].2;
        for needle in ["http://", "https://", "//cdn"] {
            for (path, _, text) in ASSETS {
                let outside = text
                    .match_indices(needle)
                    .filter(|(i, _)| !text[*i..].starts_with("http://www.w3.org/2000/svg"))
                    .count();
                assert_eq!(outside, 0, "{path} refers to {needle}");
            }
        }
        assert!(html.contains("/_emulator/ui/app.js") && html.contains("/_emulator/ui/style.css"));
    }

    #[test]
    fn page_paths() {
        assert_eq!(page("/_emulator/ui").status, 200);
        assert_eq!(page("/_emulator/ui/").status, 200);
        assert_eq!(page("/_emulator/ui/app.js").status, 200);
        assert_eq!(page("/_emulator/ui/nothing").status, 404);
        assert!(is_page_path("/_emulator/ui/style.css") && !is_page_path("/_emulator/uix"));
    }
}
