//! The request and reply as the services see them: method, raw path and
//! query (signatures need them as sent), headers, and a body that is
//! either in memory (small) or spooled to a file (large uploads), so that
//! memory use does not grow with object size. Replies may stream a file.

use crate::scratch::TempFile;
use bytes::Bytes;
use std::io::{Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::sync::Arc;

/// An incoming request, body already read.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub raw_path: String,
    pub raw_query: Option<String>,
    pub headers: Vec<(String, String)>,
    /// The body when it was small enough to keep in memory.
    pub body: Bytes,
    /// The body when it was spooled to a file instead (`body` is empty then).
    pub spooled: Option<Arc<TempFile>>,
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
            .map(|q| form_pairs(q).collect())
            .unwrap_or_default()
    }

    /// The body, wherever it is.
    pub fn body_reader(&self) -> std::io::Result<Box<dyn Read + Send>> {
        match &self.spooled {
            Some(file) => Ok(Box::new(std::io::BufReader::with_capacity(
                64 * 1024,
                std::fs::File::open(&file.path)?,
            ))),
            None => Ok(Box::new(std::io::Cursor::new(self.body.clone()))),
        }
    }

    /// The body's length in bytes.
    pub fn body_len(&self) -> u64 {
        self.spooled.as_ref().map_or(self.body.len() as u64, |f| f.len)
    }

    /// The path, percent-decoded.
    pub fn path(&self) -> String {
        percent_encoding::percent_decode_str(&self.raw_path)
            .decode_utf8_lossy()
            .into_owned()
    }
}

/// A reply body streamed from an open file: `len` bytes from `offset`.
#[derive(Debug)]
pub struct FileBody {
    pub file: std::fs::File,
    pub offset: u64,
    pub len: u64,
}

impl FileBody {
    /// Opens `path` and positions it at `offset`.
    pub fn open(path: &std::path::Path, offset: u64, len: u64) -> std::io::Result<Self> {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(FileBody { file, offset, len })
    }
}

/// A reply: status, headers, body (bytes, or a file to stream).
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub file: Option<FileBody>,
}

impl HttpResponse {
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            file: None,
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

/// Query pairs decoded with `%XX` (a `+` stays a `+`, as SigV4 clients send `%20`).
pub fn form_pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    raw.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}
