//! One keep-alive HTTP/1.1 connection per worker (as wrk does): hyper's
//! low-level client, no pool, no TLS.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::header::HeaderMap;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpStream;

/// How long one request may take before it counts as an error.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A reply: status and the body's length (and the body, when kept).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub len: usize,
    pub body: Bytes,
}

/// A connection to the endpoint.
pub struct Conn {
    host: String,
    sender: http1::SendRequest<Full<Bytes>>,
    /// Times the server had closed the connection and a new one was opened
    /// (moto's server closes after every reply).
    pub reconnects: u64,
}

impl Conn {
    /// Connects (TCP_NODELAY) and runs the connection on this runtime.
    pub async fn open(host: &str) -> Result<Conn, String> {
        let stream = tokio::time::timeout(REQUEST_TIMEOUT, TcpStream::connect(host))
            .await
            .map_err(|_| format!("connect {host}: timed out"))?
            .map_err(|e| format!("connect {host}: {e}"))?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake {host}: {e}"))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Conn {
            host: host.to_string(),
            sender,
            reconnects: 0,
        })
    }

    /// Waits until the connection can take a request; one the server
    /// closed is replaced by a new one.
    async fn ready(&mut self) -> Result<(), String> {
        if self.sender.ready().await.is_ok() {
            return Ok(());
        }
        let fresh = Conn::open(&self.host).await?;
        self.sender = fresh.sender;
        self.reconnects += 1;
        self.sender.ready().await.map_err(|e| format!("connection: {e}"))
    }

    /// Sends one request and reads the whole reply. The body is kept when
    /// `expect` is `None` or the status is not `expect` (an error to show).
    pub async fn send(
        &mut self,
        method: &Method,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &Bytes,
        expect: Option<u16>,
    ) -> Result<Reply, String> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path_and_query)
            .body(Full::new(body.clone()))
            .map_err(|e| format!("request: {e}"))?;
        *req.headers_mut() = headers.clone();
        let work = async {
            self.ready().await?;
            let response = self
                .sender
                .send_request(req)
                .await
                .map_err(|e| format!("send: {e}"))?;
            let status = response.status().as_u16();
            let keep_body = expect.is_none_or(|e| e != status);
            let mut body = response.into_body();
            let mut len = 0;
            let mut kept = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| format!("reply body: {e}"))?;
                if let Ok(data) = frame.into_data() {
                    len += data.len();
                    if keep_body {
                        kept.extend_from_slice(&data);
                    }
                }
            }
            Ok(Reply {
                status,
                len,
                body: Bytes::from(kept),
            })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, work)
            .await
            .map_err(|_| format!("no reply within {}s", REQUEST_TIMEOUT.as_secs()))?
    }
}
