//! The HTTP server: hyper 1 on tokio, HTTP/1.1 and HTTP/2 on one port,
//! bodies read up to a cap, graceful shutdown that finishes in-flight
//! requests. Every request goes to [`App::handle`].

use crate::app::App;
use crate::http::{HttpRequest, HttpResponse};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Largest request body read (IAM and STS requests are small).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

async fn to_request(req: hyper::Request<Incoming>, peer: SocketAddr) -> Result<HttpRequest, HttpResponse> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(HttpResponse::xml(
                413,
                crate::protocol::query::error(
                    &crate::error::AwsError::new(413, "RequestEntityTooLarge", "Request body too large."),
                    crate::services::IAM_NAMESPACE,
                    &crate::ids::request_id(),
                ),
            ))
        }
    };
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
        peer: Some(peer),
    })
}

fn to_hyper(response: HttpResponse) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name, value);
    }
    builder.body(Full::new(response.body)).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::from_static(b"invalid response")));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

async fn serve_one(
    app: Arc<App>,
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let response = match to_request(req, peer).await {
        Ok(request) => {
            let app = app.clone();
            // The handlers are synchronous and short; run them off the I/O threads.
            match tokio::task::spawn_blocking(move || app.handle(&request)).await {
                Ok(response) => response,
                Err(_) => HttpResponse::xml(
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
                ),
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
