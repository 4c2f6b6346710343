//! Insight from what the emulator saw and holds: least-privilege policy
//! generation from observed requests, and "who can do what" queries. It
//! sits above the [`App`], which records what it reads without knowing it.
//!
//! - [`crate::observations`] (below the App): every authorized request
//!   (any auth mode) becomes an [`Observation`], kept in the bounded
//!   [`ObservationLog`].
//! - [`generate`] (in [`crate::observations`], which Access Analyzer's
//!   policy generation shares): observations of one principal → an
//!   identity policy granting exactly what was observed, with
//!   explanations; [`generalise`]: how resources are written (exactly, or
//!   folded into prefix patterns on request).
//! - [`who_can`] and [`can`]: every principal allowed an action on a
//!   resource, and everything one principal may do on the resources that
//!   exist; [`subjects`] (the principals) and [`targets`] (the resources)
//!   prepare each question as request authorization does, and the
//!   evaluator decides it — no policy rule is implemented twice.
//! - [`answers`]: the JSON answers of the admin endpoints
//!   `GET /_emulator/policy`, `/_emulator/who-can`, `/_emulator/can` and
//!   `/_emulator/observations` (no auth, loopback use), which the
//!   `policy generate`, `who-can` and `can` commands
//!   ([`crate::commands::insight`]) print.
//!
//! Observations outlive `POST /_emulator/reset`, so that a suite resetting
//! between tests still yields its whole policy; `DELETE
//! /_emulator/observations` forgets them.

pub mod answers;
pub mod can;
pub mod subjects;
pub mod targets;
pub mod who_can;

pub use crate::observations::{generalise, generate, Observation, ObservationLog, Verdict};
pub use generalise::Generalise;
pub use generate::{generate, Generated, Options};

use crate::app::App;
use crate::http::{HttpRequest, HttpResponse};

/// Serves the insight admin endpoints; `None` for any other request.
pub fn handle(app: &App, req: &HttpRequest) -> Option<HttpResponse> {
    let answer = match (req.method.as_str(), req.raw_path.as_str()) {
        ("GET", "/_emulator/policy") => {
            let query = req.query_pairs();
            app.observed.with(|seen| answers::policy(seen, &query))
        }
        ("GET", "/_emulator/who-can") => answers::who_can(&app.state(), &req.query_pairs()),
        ("GET", "/_emulator/can") => answers::can(&app.state(), &req.query_pairs()),
        ("GET", "/_emulator/observations") => {
            let query = req.query_pairs();
            app.observed.with(|seen| answers::observations(seen, &query))
        }
        ("DELETE", "/_emulator/observations") => {
            app.observed.clear();
            answers::Answer {
                status: 200,
                body: r#"{"status":"ok"}"#.into(),
            }
        }
        _ => return None,
    };
    Some(HttpResponse::new(answer.status, "application/json", answer.body))
}
