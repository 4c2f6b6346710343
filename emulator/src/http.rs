//! The request and reply as the services see them: method, raw path and
//! query (signatures need them as sent), headers, and a buffered body.

use bytes::Bytes;
use std::net::SocketAddr;

/// An incoming request, body already read.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub raw_path: String,
    pub raw_query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub peer: Option<SocketAddr>,
}

impl HttpRequest {
    /// The first header with this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers.clone()
    }

    /// Decoded query pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.raw_query
            .as_deref()
            .map(|q| crate::auth::sigv4::form_pairs(q).collect())
            .unwrap_or_default()
    }

    /// The path, percent-decoded.
    pub fn path(&self) -> String {
        percent_encoding::percent_decode_str(&self.raw_path)
            .decode_utf8_lossy()
            .into_owned()
    }
}

/// A reply: status, headers, body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl HttpResponse {
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn xml(status: u16, body: String) -> Self {
        Self::new(status, "text/xml", body)
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::new(status, "application/json", value.to_string())
    }

    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}
