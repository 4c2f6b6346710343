//! The HTTP server: hyper 1 on tokio, HTTP/1.1 and HTTP/2 on one port,
//! bodies read up to a cap, graceful shutdown that finishes in-flight
//! requests. Every request goes to [`App::handle`]. The caps on heads,
//! bodies, connections and slow clients are [`crate::limits`]'.

use crate::app::App;
use crate::error::Common;
use crate::http::{HttpRequest, HttpResponse};
use crate::limits::{self, BodyCap, Limits};
use crate::scratch::TempFile;
use bytes::Bytes;
use futures_util::TryStreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::io::ReaderStream;

/// Bodies up to this size are read into memory; larger ones (uploads) are
/// spooled to a file as they arrive.
const IN_MEMORY_BODY: u64 = 1024 * 1024;
/// Largest body accepted at all: S3's 5 GiB single PUT plus room for
/// aws-chunked framing (chunk headers and signatures).
const MAX_BODY: u64 = limits::MAX_SINGLE_UPLOAD + 64 * 1024 * 1024;

type ReplyBody = BoxBody<Bytes, std::io::Error>;

/// Reply files up to this size are read into memory and sent in one piece.
const SMALL_FILE_REPLY: u64 = 1024 * 1024;

/// The largest piece a streamed file reply is read in.
const STREAM_PIECE: u64 = 1024 * 1024;

/// Reads the body: into memory when small, else into a spool file. A
/// client that pauses longer than `idle` between two pieces is answered
/// `RequestTimeout`, so a stalled upload cannot hold its connection forever.
async fn read_body(
    app: &App,
    mut body: Incoming,
    declared: Option<u64>,
    cap: BodyCap,
    idle: Duration,
) -> Result<(Bytes, Option<Arc<TempFile>>), HttpResponse> {
    let mut memory = Vec::new();
    let mut spool: Option<(tokio::fs::File, TempFile)> = None;
    if declared.is_some_and(|n| n > IN_MEMORY_BODY) {
        spool = Some(open_spool(app).await.map_err(|_| internal())?);
    }
    let mut total: u64 = 0;
    loop {
        let Ok(next) = tokio::time::timeout(idle, body.frame()).await else {
            return Err(limits::body_timeout(cap));
        };
        let Some(frame) = next else { break };
        // A broken body (the client reset, or sent bad chunked framing) is
        // the client's fault: a 400, not a 500.
        let Ok(frame) = frame else {
            return Err(limits::refuse(
                cap.service,
                &crate::error::AwsError::new(
                    Common::IncompleteBody,
                    "You did not provide the number of bytes specified by the Content-Length HTTP header",
                ),
            ));
        };
        let Ok(data) = frame.into_data() else { continue };
        total += data.len() as u64;
        if total > cap.max {
            return Err(limits::over_cap(cap, total));
        }
        if spool.is_none() && total > IN_MEMORY_BODY {
            let (mut file, temp) = open_spool(app).await.map_err(|_| internal())?;
            file.write_all(&memory).await.map_err(|_| internal())?;
            memory = Vec::new();
            spool = Some((file, temp));
        }
        match &mut spool {
            Some((file, _)) => file.write_all(&data).await.map_err(|_| internal())?,
            None => memory.extend_from_slice(&data),
        }
    }
    match spool {
        Some((mut file, mut temp)) => {
            file.flush().await.map_err(|_| internal())?;
            temp.len = total;
            Ok((Bytes::new(), Some(Arc::new(temp))))
        }
        None => Ok((Bytes::from(memory), None)),
    }
}

/// Largest refused body still read (and dropped) before the refusal is
/// sent: a client that writes its whole body before reading the reply
/// (most do, without `Expect: 100-continue`) would otherwise meet a reset
/// connection instead of the error. Bigger ones are not worth the wait.
const DISCARD_LIMIT: u64 = 16 * 1024 * 1024;

async fn discard_body(mut body: Incoming, declared: Option<u64>, idle: Duration) {
    // Only a body of known, modest length: one without a length (chunked)
    // may never end, and one over the limit is not worth the wait.
    if declared.is_none_or(|n| n > DISCARD_LIMIT) {
        return;
    }
    let mut seen: u64 = 0;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(idle, body.frame()).await {
        seen += frame.data_ref().map_or(0, |d| d.len() as u64);
        if seen > DISCARD_LIMIT {
            return;
        }
    }
}

/// A new spool file; it is removed if reading fails (the `TempFile` drops).
async fn open_spool(app: &App) -> std::io::Result<(tokio::fs::File, TempFile)> {
    let path = app.scratch.spool_path();
    let file = tokio::fs::File::create(&path).await?;
    Ok((file, TempFile::new(path, 0)))
}

fn internal() -> HttpResponse {
    HttpResponse::xml(
        500,
        crate::protocol::query::error(
            &crate::error::AwsError::new(
                Common::InternalFailure,
                "The request processing has failed because of an unknown error.",
            ),
            crate::services::IAM_NAMESPACE,
            &crate::ids::request_id(),
        ),
    )
}

/// Requests whose handling does file I/O proportional to object size: a
/// spooled upload, a server-side copy, or completing a multipart upload.
fn may_take_long(req: &HttpRequest) -> bool {
    req.spooled.is_some()
        || req.header("x-amz-copy-source").is_some()
        || (req.method == "POST" && req.raw_query.as_deref().is_some_and(|q| q.contains("uploadId=")))
}

async fn to_request(
    app: &App,
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
    body_idle: Duration,
) -> Result<(HttpRequest, Option<crate::services::Service>), HttpResponse> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                // Visible ASCII (nearly every header) is already text.
                v.to_str().map_or_else(
                    |_| String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    str::to_string,
                ),
            )
        })
        .collect();
    let mut request = HttpRequest {
        method: parts.method.as_str().to_string(),
        raw_path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().map(str::to_string),
        headers,
        body: Bytes::new(),
        spooled: None,
        peer: Some(peer),
    };
    // The head is judged before any of the body is read: a 6 GiB PUT is
    // refused at once, not after spooling it.
    let cap = match limits::check_head(&request, declared, MAX_BODY) {
        Ok(cap) => cap,
        Err(refusal) => {
            discard_body(body, declared, body_idle).await;
            return Err(refusal);
        }
    };
    let (body, spooled) = read_body(app, body, declared, cap, body_idle).await?;
    request.body = body;
    request.spooled = spooled;
    Ok((request, cap.route))
}

fn to_hyper(response: HttpResponse) -> hyper::Response<ReplyBody> {
    let body: ReplyBody = match response.file {
        // A small file is read at once: streaming it through tokio's file
        // reader would cost a hop to the blocking pool for each read.
        Some(mut file) if file.len <= SMALL_FILE_REPLY => {
            let mut data = Vec::with_capacity(usize::try_from(file.len).unwrap_or_default());
            match std::io::Read::read_to_end(&mut std::io::Read::take(&mut file.file, file.len), &mut data) {
                Ok(_) => BodyExt::boxed(Full::new(Bytes::from(data)).map_err(|never| match never {})),
                Err(e) => BodyExt::boxed(StreamBody::new(futures_util::stream::iter([Err(e)]))),
            }
        }
        Some(file) => {
            // Reads of up to 1 MiB: each read is a hop to tokio's blocking
            // pool, so 64 KiB pieces made a 1 MiB reply sixteen hops.
            let piece = usize::try_from(file.len.min(STREAM_PIECE)).unwrap_or(64 * 1024);
            let reader = tokio::fs::File::from_std(file.file).take(file.len);
            let stream = ReaderStream::with_capacity(reader, piece).map_ok(Frame::data);
            BodyExt::boxed(StreamBody::new(stream))
        }
        None => BodyExt::boxed(Full::new(response.body).map_err(|never| match never {})),
    };
    let mut reply = hyper::Response::new(body);
    let Ok(status) = hyper::StatusCode::from_u16(response.status) else {
        return invalid_response();
    };
    *reply.status_mut() = status;
    let headers = reply.headers_mut();
    headers.reserve(response.headers.len());
    for (name, value) in response.headers {
        // The value's text becomes the header's bytes without a copy.
        let (Ok(name), Ok(value)) = (
            reply_header_name(&name),
            hyper::header::HeaderValue::from_maybe_shared(Bytes::from(value)),
        ) else {
            return invalid_response();
        };
        if headers.try_append(name, value).is_err() {
            return invalid_response();
        }
    }
    reply
}

/// The 500 sent for a reply hyper cannot encode (a bad status, header name or value).
fn invalid_response() -> hyper::Response<ReplyBody> {
    let mut fallback = hyper::Response::new(BodyExt::boxed(
        Full::new(Bytes::from_static(b"invalid response")).map_err(|never| match never {}),
    ));
    *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    fallback
}

/// A reply header's name: the names the services send on every reply are
/// constants (no parsing, no allocation); any other is parsed as before.
fn reply_header_name(name: &str) -> Result<hyper::header::HeaderName, hyper::header::InvalidHeaderName> {
    use hyper::header::{self, HeaderName};
    Ok(match name {
        "content-type" => header::CONTENT_TYPE,
        "content-length" => header::CONTENT_LENGTH,
        "etag" => header::ETAG,
        "last-modified" => header::LAST_MODIFIED,
        "accept-ranges" => header::ACCEPT_RANGES,
        "location" => header::LOCATION,
        "x-amz-request-id" => HeaderName::from_static("x-amz-request-id"),
        "x-amzn-requestid" => HeaderName::from_static("x-amzn-requestid"),
        "x-amzn-errortype" => HeaderName::from_static("x-amzn-errortype"),
        "x-amz-checksum-type" => HeaderName::from_static("x-amz-checksum-type"),
        "x-amz-bucket-region" => HeaderName::from_static("x-amz-bucket-region"),
        _ => return HeaderName::from_bytes(name.as_bytes()),
    })
}

async fn serve_one(
    app: Arc<App>,
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
    body_idle: Duration,
) -> Result<hyper::Response<ReplyBody>, Infallible> {
    let response = match to_request(&app, req, peer, body_idle).await {
        Ok((request, routed)) => {
            if may_take_long(&request) {
                // Large bodies and server-side copies do file I/O for a while:
                // off the I/O threads.
                let app = app.clone();
                match tokio::task::spawn_blocking(move || app.handle_routed(&request, routed)).await {
                    Ok(response) => response,
                    Err(_) => internal(),
                }
            } else {
                // Everything else is a few microseconds of work in memory:
                // a hop to the blocking pool would cost more than the work.
                // A bug must still answer 500, not drop the connection.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    app.handle_routed(&request, routed)
                }))
                .unwrap_or_else(|_| internal())
            }
        }
        Err(response) => response,
    };
    Ok(to_hyper(response))
}

/// Serves connections from `listener` until `shutdown` resolves, then
/// stops accepting and waits (bounded) for in-flight requests; with the
/// default [`Limits`].
pub async fn serve(app: Arc<App>, listener: TcpListener, shutdown: impl Future<Output = ()>) {
    serve_with(app, listener, shutdown, Limits::default()).await;
}

/// [`serve`] with caps of the caller's choosing.
pub async fn serve_with(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    limits: Limits,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // hyper's header read timeout also runs while a keep-alive connection
    // waits for its next request, so it bounds idle connections too.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits::MAX_HEAD_BUFFER);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits::MAX_HEAD_BUFFER).unwrap_or(u32::MAX));
    // Back-pressure: past `max_connections` the loop stops accepting and
    // new clients wait in the kernel's listen backlog, instead of the
    // server running out of file descriptors or memory.
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let body_idle = limits.body_idle_timeout;
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                // Out of file descriptors (EMFILE) and the like: wait a
                // moment rather than spin on accept.
                let Ok((stream, peer)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                // Small replies must not wait for Nagle's algorithm and the
                // client's delayed ACK (a 40 ms stall per request otherwise).
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = service_fn(move |req| serve_one(app.clone(), req, peer, body_idle));
                let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                    drop(permit);
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.drain_timeout, graceful.shutdown()).await;
}

/// SIGINT and SIGTERM, caught from the moment this is made. `serve` makes
/// it before it prints the ready line: a handler tokio installs only when
/// its future is first polled would leave a window in which a signal sent
/// as soon as the line is read takes its default action and kills the
/// process instead of shutting it down (a loaded CI machine hit it).
pub struct ShutdownSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignals {
    /// Installs the handlers now (inside the runtime).
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            ShutdownSignals {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        ShutdownSignals {}
    }

    /// Resolves on the first SIGINT or SIGTERM.
    pub async fn received(self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.interrupt) => {},
                () = next(self.terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
