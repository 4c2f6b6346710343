//! Admin endpoints (no auth; loopback use), as CONTRACT.md lists them:
//! `/_emulator/health`, `/_emulator/reset`, `/_emulator/decisions`,
//! `/_emulator/clock` (the emulator's clock, [`crate::clock`]), the test
//! identity provider's `/_emulator/oidc/*`, `/_emulator/saml/assertion`
//! and `/_emulator/authorization-message` ([`crate::identity_provider`]), and
//! moto's `/moto-api/reset` and `/moto-api/reset-auth`, LocalStack's
//! `/_localstack/health`; the teaching
//! console's page and JSON endpoints ([`crate::console`]); and the insight
//! endpoints ([`crate::insight`]). Above the [`App`], which never calls it:
//! [`crate::entry`] asks here first.

use crate::app::{App, NO_AUTH_INFINITE};
use crate::http::{HttpRequest, HttpResponse};
use serde_json::json;

/// Serves an admin request, or `None` when the path is not an admin one.
pub fn handle(app: &App, req: &HttpRequest) -> Option<HttpResponse> {
    let path = req.raw_path.as_str();
    if !path.starts_with("/_emulator/")
        && !path.starts_with("/moto-api/")
        && !path.starts_with("/_localstack/")
    {
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
            match app.reset_clock() {
                Ok(()) => HttpResponse::json(200, &json!({"status": "ok"})),
                Err(message) => error(500, &message),
            }
        }
        ("GET", "/_emulator/clock") => clock_json(app),
        ("POST", "/_emulator/clock") => advance_clock(app, req),
        ("GET", "/_emulator/decisions") => decisions(app, req),
        ("POST", "/moto-api/reset-auth") => reset_auth(app, req),
        ("GET" | "HEAD", "/_localstack/health") => localstack_health(),
        ("GET", p) if crate::console::is_page_path(p) => crate::console::page(p),
        ("POST", "/_emulator/evaluate") => crate::console::evaluate(req),
        ("POST", "/_emulator/validate") => crate::console::validate(req),
        ("POST", "/_emulator/decide") => crate::console::decide(app, req),
        ("GET", "/_emulator/entities") => crate::console::entities(app),
        ("POST", "/_emulator/oidc/token") => crate::identity_provider::token(app, req),
        ("GET", "/_emulator/oidc/jwks") => crate::identity_provider::jwks(app),
        ("PUT", "/_emulator/oidc/jwks") => crate::identity_provider::register_jwks(app, req),
        ("POST", "/_emulator/saml/assertion") => crate::identity_provider::saml_assertion(app, req),
        ("POST", "/_emulator/authorization-message") => {
            crate::identity_provider::authorization_message(app, req)
        }
        _ => HttpResponse::json(404, &json!({"error": "no such admin endpoint", "path": path})),
    })
}

/// `GET /_emulator/decisions[?limit=N]`: the newest decisions; with
/// `requestId=ID`, that request's (404 when none is kept), and with
/// `format=text` as the words `explain` prints.
fn decisions(app: &App, req: &HttpRequest) -> HttpResponse {
    let query = req.query_pairs();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let Some(request_id) = param("requestId") else {
        let limit = param("limit").and_then(|v| v.parse::<usize>().ok()).unwrap_or(50);
        return HttpResponse::json(200, &json!({"decisions": app.decisions.recent(limit)}));
    };
    let text = param("format") == Some("text");
    let found = app.decisions.of_request(request_id, |json, decision| {
        if text {
            json!(decision.explain())
        } else {
            json.clone()
        }
    });
    if found.is_empty() {
        return HttpResponse::json(
            404,
            &json!({"error": format!("no decision of request {request_id} is kept (the newest 1000 are)"), "field": "requestId"}),
        );
    }
    if text {
        let words: Vec<&str> = found.iter().filter_map(serde_json::Value::as_str).collect();
        return HttpResponse::new(200, "text/plain; charset=utf-8", words.join("\n"));
    }
    HttpResponse::json(200, &json!({"decisions": found}))
}

/// `GET /_localstack/health` as LocalStack answers it, so tools and
/// testcontainers modules that wait for a LocalStack container wait for
/// this one unchanged: every service served is `running`.
fn localstack_health() -> HttpResponse {
    let services: serde_json::Map<String, serde_json::Value> = crate::services::Service::ALL
        .iter()
        .map(|s| (s.botocore_name().to_string(), json!("running")))
        .collect();
    HttpResponse::json(
        200,
        &json!({"services": services, "edition": "community", "version": env!("CARGO_PKG_VERSION")}),
    )
}

/// The clock as `/_emulator/clock` shows it.
fn clock_json(app: &App) -> HttpResponse {
    let clock = &app.clock;
    HttpResponse::json(
        200,
        &json!({
            "offset_seconds": clock.offset_seconds(),
            "now": crate::ids::iso8601(clock.now()),
            "wall": crate::ids::iso8601(clock.wall().replace_nanosecond(0).unwrap_or_else(|_| clock.wall())),
        }),
    )
}

/// `POST /_emulator/clock {"advance_seconds": N}`: N a whole number, 0 or more.
fn advance_clock(app: &App, req: &HttpRequest) -> HttpResponse {
    let body: serde_json::Value = match serde_json::from_slice(&req.body) {
        Ok(body) => body,
        Err(e) => {
            return error(
                400,
                &format!("the body must be JSON like {{\"advance_seconds\": 3600}}: {e}"),
            )
        }
    };
    let Some(seconds) = body.get("advance_seconds") else {
        return error(
            400,
            "advance_seconds is missing: send {\"advance_seconds\": 3600}",
        );
    };
    let Some(seconds) = seconds.as_i64() else {
        let why = if seconds.as_u64().is_some() {
            "is too large"
        } else {
            "must be a whole number of seconds"
        };
        return error(400, &format!("advance_seconds {why}, not {seconds}"));
    };
    if let Err(why) = app.clock.advance(seconds) {
        return error(400, &why.to_string());
    }
    match app.save_clock() {
        Ok(()) => clock_json(app),
        Err(message) => error(500, &message),
    }
}

/// An admin endpoint's error.
fn error(status: u16, message: &str) -> HttpResponse {
    HttpResponse::json(status, &json!({"status": "error", "message": message}))
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
