//! The one entry point every request goes through: an admin endpoint
//! ([`crate::admin`]) when the path is one, else the service side of the
//! [`App`] ([`App::serve`]); either way, what the request changed is
//! committed before the reply goes. It sits above both, so that the App
//! never imports the admin endpoints that read it.

use crate::app::App;
use crate::http::{HttpRequest, HttpResponse};
use crate::services::{self, Service};

impl App {
    /// Serves one request; its changes are committed before the reply goes.
    pub fn handle(&self, req: &HttpRequest) -> HttpResponse {
        self.handle_routed(req, None)
    }

    /// As [`App::handle`], given the service [`services::route`] names for
    /// `req` when the caller already found it (the server's head checks
    /// do: [`crate::limits::BodyCap::route`]), so it is not worked out again.
    pub fn handle_routed(&self, req: &HttpRequest, routed: Option<Service>) -> HttpResponse {
        match crate::admin::handle(self, req) {
            Some(response) => self.committed(response, || routed.unwrap_or_else(|| services::route(req))),
            None => self.serve(req, routed),
        }
    }
}
