//! The HTTP server: hyper 1 on tokio, HTTP/1.1 and HTTP/2 on one port,
//! bodies read up to a cap, graceful shutdown that finishes in-flight
//! requests. Every request goes to [`App::handle`].

use crate::app::App;
use crate::http::{HttpRequest, HttpResponse, TempFile};
use bytes::Bytes;
use futures_util::TryStreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
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
const MAX_BODY: u64 = 5 * 1024 * 1024 * 1024 + 64 * 1024 * 1024;
/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

type ReplyBody = BoxBody<Bytes, std::io::Error>;

fn too_large() -> HttpResponse {
    HttpResponse::xml(
        400,
        crate::services::s3::error_xml(
            &crate::error::AwsError::new(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
            ),
            "",
            &crate::ids::request_id(),
        ),
    )
}

/// Reads the body: into memory when small, else into a spool file.
async fn read_body(
    app: &App,
    mut body: Incoming,
    declared: Option<u64>,
) -> Result<(Bytes, Option<Arc<TempFile>>), HttpResponse> {
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let mut memory = Vec::new();
    let mut spool: Option<(tokio::fs::File, TempFile)> = None;
    if declared.is_some_and(|n| n > IN_MEMORY_BODY) {
        spool = Some(open_spool(app).await.map_err(|_| internal())?);
    }
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return Err(internal()) };
        let Ok(data) = frame.into_data() else { continue };
        total += data.len() as u64;
        if total > MAX_BODY {
            return Err(too_large());
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

/// A new spool file; it is removed if reading fails (the `TempFile` drops).
async fn open_spool(app: &App) -> std::io::Result<(tokio::fs::File, TempFile)> {
    let path = app.scratch.spool_path();
    let file = tokio::fs::File::create(&path).await?;
    Ok((file, TempFile { path, len: 0 }))
}

fn internal() -> HttpResponse {
    HttpResponse::xml(
        500,
        crate::protocol::query::error(
            &crate::error::AwsError::new(
                500,
                "InternalFailure",
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
) -> Result<HttpRequest, HttpResponse> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (body, spooled) = read_body(app, body, declared).await?;
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    Ok(HttpRequest {
        method: parts.method.as_str().to_string(),
        raw_path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().map(str::to_string),
        headers,
        body,
        spooled,
        peer: Some(peer),
    })
}

fn to_hyper(response: HttpResponse) -> hyper::Response<ReplyBody> {
    let body: ReplyBody = match response.file {
        Some(file) => {
            let reader = tokio::fs::File::from_std(file.file).take(file.len);
            let stream = ReaderStream::with_capacity(reader, 64 * 1024).map_ok(Frame::data);
            BodyExt::boxed(StreamBody::new(stream))
        }
        None => BodyExt::boxed(Full::new(response.body).map_err(|never| match never {})),
    };
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name, value);
    }
    builder.body(body).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(BodyExt::boxed(
            Full::new(Bytes::from_static(b"invalid response")).map_err(|never| match never {}),
        ));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

async fn serve_one(
    app: Arc<App>,
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
) -> Result<hyper::Response<ReplyBody>, Infallible> {
    let response = match to_request(&app, req, peer).await {
        Ok(request) => {
            if may_take_long(&request) {
                // Large bodies and server-side copies do file I/O for a while:
                // off the I/O threads.
                let app = app.clone();
                match tokio::task::spawn_blocking(move || app.handle(&request)).await {
                    Ok(response) => response,
                    Err(_) => internal(),
                }
            } else {
                // Everything else is a few microseconds of work in memory:
                // a hop to the blocking pool would cost more than the work.
                // A bug must still answer 500, not drop the connection.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.handle(&request)))
                    .unwrap_or_else(|_| internal())
            }
        }
        Err(response) => response,
    };
    Ok(to_hyper(response))
}

/// Serves connections from `listener` until `shutdown` resolves, then
/// stops accepting and waits (bounded) for in-flight requests.
pub async fn serve(app: Arc<App>, listener: TcpListener, shutdown: impl Future<Output = ()>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                // Small replies must not wait for Nagle's algorithm and the
                // client's delayed ACK (a 40 ms stall per request otherwise).
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = service_fn(move |req| serve_one(app.clone(), req, peer));
                let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
