//! The server's caps over the wire: an oversized header section, request
//! target or Query body, a PUT over 5 GiB (refused from its head alone,
//! before a byte of body is sent), a client that stalls in its head or
//! body, and more connections than `--max-connections`: each answered in
//! AWS's shape or held back, never a crash or a hung server.

use iam_emulator::app::{App, Config};
use iam_emulator::auth::AuthMode;
use iam_emulator::limits::Limits;
use iam_emulator::state::{RootKey, DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY};
use iam_harness::{Emulator, Request};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A server with `limits` on its own thread; stopped when the guard drops.
struct Server {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn server(limits: Limits) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Arc::new(App::new(Config {
        auth: AuthMode::Off,
        root_keys: vec![RootKey {
            account: DEFAULT_ACCOUNT.into(),
            access_key: DEFAULT_ACCESS_KEY.into(),
            secret: DEFAULT_SECRET_KEY.into(),
        }],
        default_account: DEFAULT_ACCOUNT.into(),
        s3_defaults: iam_emulator::state::s3::S3Defaults::Current,
    }));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let shutdown = async {
                let _ = rx.await;
            };
            iam_emulator::server::serve_with(app, listener, shutdown, limits).await;
        });
    });
    Server {
        addr,
        stop: Some(tx),
        thread: Some(thread),
    }
}

/// Sends raw bytes and reads what comes back until the server closes or
/// `wait` passes; returns the text and whether the server closed.
fn exchange(stream: &mut TcpStream, bytes: &[u8], wait: Duration) -> (String, bool) {
    stream.write_all(bytes).unwrap();
    read_reply(stream, wait)
}

fn read_reply(stream: &mut TcpStream, wait: Duration) -> (String, bool) {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let closed = loop {
        match stream.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                // One whole reply (head and a Content-Length body) is enough.
                if complete(&out) {
                    break false;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

fn complete(reply: &[u8]) -> bool {
    let text = String::from_utf8_lossy(reply);
    let Some(end) = text.find("\r\n\r\n") else {
        return false;
    };
    let length = text[..end]
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    reply.len() >= end + 4 + length
}

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn a_header_section_over_8_kib_is_request_header_section_too_large() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("limits");
    let reply = root
        .s3_call("GET", "/limits/k")
        .header("x-padding", &"p".repeat(9 * 1024))
        .send();
    reply.assert_error(
        400,
        "RequestHeaderSectionTooLarge",
        "Your request header section exceeds the maximum allowed size.",
    );
    // Just under the cap is served as usual (here: no such key).
    let fine = root
        .s3_call("GET", "/limits/k")
        .header("x-padding", &"p".repeat(6 * 1024))
        .send();
    assert_eq!(fine.error_code().as_deref(), Some("NoSuchKey"), "{}", fine.body);
}

#[test]
fn a_put_over_5_gib_is_refused_from_its_head_before_the_body_is_sent() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("huge");
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    let size: u64 = 5 * 1024 * 1024 * 1024 + 1;
    let head = format!(
        "PUT /huge/big.bin HTTP/1.1\r\nHost: {addr}\r\nx-amz-date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: {size}\r\n\r\n"
    );
    let started = Instant::now();
    let (reply, _) = exchange(&mut stream, head.as_bytes(), Duration::from_secs(10));
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains("<Code>EntityTooLarge</Code>"), "{reply}");
    assert!(
        reply.contains(&format!("<ProposedSize>{size}</ProposedSize>")),
        "{reply}"
    );
    assert!(
        reply.contains("<MaxSizeAllowed>5368709120</MaxSizeAllowed>"),
        "{reply}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered only after {:?}",
        started.elapsed()
    );
    // The same for an aws-chunked upload declaring its decoded size.
    let mut stream = TcpStream::connect(&addr).unwrap();
    let head = format!(
        "PUT /huge/big.bin HTTP/1.1\r\nHost: {addr}\r\nx-amz-date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nContent-Encoding: aws-chunked\r\nx-amz-decoded-content-length: {size}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let (reply, _) = exchange(&mut stream, head.as_bytes(), Duration::from_secs(10));
    assert!(reply.contains("<Code>EntityTooLarge</Code>"), "{reply}");
}

#[test]
fn a_query_body_over_1_mib_and_a_huge_url_are_refused_in_the_query_shape() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let big = "x".repeat(1024 * 1024 + 1);
    let reply = root.query(
        "iam",
        &[("Action", "CreateUser"), ("UserName", "u"), ("Path", &big)],
    );
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(reply.error_code().as_deref(), Some("RequestEntityTooLarge"));
    assert!(reply.body.contains("<ErrorResponse"), "{}", reply.body);
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "u")])
        .expect_error(404, "NoSuchEntity");

    let long = format!(
        "{}/?Action=ListUsers&Pad={}",
        emu.endpoint(),
        "y".repeat(20 * 1024)
    );
    let reply = emu.send(&Request {
        method: "GET".into(),
        url: long,
        headers: Vec::new(),
        body: Vec::new(),
    });
    assert_eq!(reply.status, 414, "{}", reply.body);
    assert!(
        iam_emulator_tests::reliability::aws_shaped(&reply),
        "{}",
        reply.body
    );
}

#[test]
fn a_client_stalling_in_its_head_or_body_is_cut_off() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(500),
        body_idle_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let server = server(limits);
    // Half a head, then nothing: the connection is closed.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    let started = Instant::now();
    let (_, closed) = exchange(
        &mut stream,
        b"GET / HTTP/1.1\r\nHost: x\r\n",
        Duration::from_secs(5),
    );
    assert!(closed, "a stalled head should close the connection");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );

    // A body that stops half way: S3's RequestTimeout.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    let _ = exchange(
        &mut stream,
        b"PUT /b HTTP/1.1\r\nHost: x\r\n\r\n",
        Duration::from_secs(5),
    );
    let mut stream = TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "PUT /b/k HTTP/1.1\r\nHost: x\r\nx-amz-date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: 100\r\n\r\nonly part"
    );
    let (reply, _) = exchange(&mut stream, head.as_bytes(), Duration::from_secs(5));
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains("<Code>RequestTimeout</Code>"), "{reply}");

    // An idle keep-alive connection is closed after the same wait.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    let (reply, _) = exchange(
        &mut stream,
        b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let (_, closed) = read_reply(&mut stream, Duration::from_secs(5));
    assert!(closed, "an idle keep-alive connection should be closed");
}

#[test]
fn connections_over_the_cap_wait_instead_of_failing() {
    let server = server(Limits {
        max_connections: 2,
        ..Limits::default()
    });
    let health = b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut first = TcpStream::connect(server.addr).unwrap();
    let mut second = TcpStream::connect(server.addr).unwrap();
    assert!(exchange(&mut first, health, Duration::from_secs(5))
        .0
        .starts_with("HTTP/1.1 200"));
    assert!(exchange(&mut second, health, Duration::from_secs(5))
        .0
        .starts_with("HTTP/1.1 200"));
    // The third waits in the backlog: no answer while both are open …
    let mut third = TcpStream::connect(server.addr).unwrap();
    let (waiting, closed) = exchange(&mut third, health, Duration::from_millis(500));
    assert!(waiting.is_empty() && !closed, "served past the cap: {waiting:?}");
    // … and is served as soon as one closes.
    drop(first);
    let (reply, _) = read_reply(&mut third, Duration::from_secs(5));
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply:?}");
}
