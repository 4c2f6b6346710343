//! Admin endpoints (no auth; loopback use), as CONTRACT.md lists them:
//! `/_emulator/health`, `/_emulator/reset`, `/_emulator/decisions`, and
//! moto's `/moto-api/reset` and `/moto-api/reset-auth`; the teaching
//! console's page and JSON endpoints ([`crate::console`]); and the insight
//! endpoints ([`crate::insight`]). Above the [`App`], which never calls it:
//! [`crate::entry`] asks here first.

use crate::app::{App, NO_AUTH_INFINITE};
use crate::http::{HttpRequest, HttpResponse};
use serde_json::json;

/// Serves an admin request, or `None` when the path is not an admin one.
pub fn handle(app: &App, req: &HttpRequest) -> Option<HttpResponse> {
    let path = req.raw_path.as_str();
    if !path.starts_with("/_emulator/") && !path.starts_with("/moto-api/") {
        return None;
    }
    if let Some(response) = crate::insight::handle(app, req) {
        return Some(response);
    }
    Some(match (req.method.as_str(), path) {
        ("GET", "/_emulator/health") => HttpResponse::json(
            200,
            &json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "auth": format!("{:?}", app.config.auth).to_lowercase(),
                    "services": ["iam", "sts"]}),
        ),
        ("POST", "/_emulator/reset" | "/moto-api/reset") => {
            app.state().reset();
            app.decisions.clear();
            HttpResponse::json(200, &json!({"status": "ok"}))
        }
        ("GET", "/_emulator/decisions") => {
            let limit = req
                .query_pairs()
                .into_iter()
                .find(|(k, _)| k == "limit")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(50);
            HttpResponse::json(200, &json!({"decisions": app.decisions.recent(limit)}))
        }
        ("POST", "/moto-api/reset-auth") => reset_auth(app, req),
        ("GET", p) if crate::console::is_page_path(p) => crate::console::page(p),
        ("POST", "/_emulator/evaluate") => crate::console::evaluate(req),
        ("POST", "/_emulator/validate") => crate::console::validate(req),
        ("GET", "/_emulator/entities") => crate::console::entities(app),
        _ => HttpResponse::json(404, &json!({"error": "no such admin endpoint", "path": path})),
    })
}

/// moto's `INITIAL_NO_AUTH_ACTION_COUNT`: the body is a number or `inf`.
fn reset_auth(app: &App, req: &HttpRequest) -> HttpResponse {
    let text = String::from_utf8_lossy(&req.body)
        .trim()
        .trim_matches('"')
        .to_string();
    let count = if text.eq_ignore_ascii_case("inf") {
        NO_AUTH_INFINITE
    } else {
        match text.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                return HttpResponse::json(
                    400,
                    &json!({"status": "error", "message": "body must be a number or inf"}),
                )
            }
        }
    };
    let previous = app.set_no_auth(count);
    let previous = match previous {
        Some(NO_AUTH_INFINITE) => "inf".to_string(),
        None if app.config.auth == crate::auth::AuthMode::Off => "inf".to_string(),
        None => "0".to_string(),
        Some(n) => n.to_string(),
    };
    HttpResponse::json(
        200,
        &json!({"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": previous}),
    )
}
