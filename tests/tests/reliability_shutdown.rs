//! Graceful shutdown of the binary: SIGTERM while an upload is half sent.
//! The server stops accepting at once, lets the upload finish and answer
//! 200 with the right ETag, then exits 0 — within the drain bound.
//!
//! Runs the release binary (`IAM_EMULATOR_BIN`, or `target/release`);
//! skipped with a notice when there is none, failed under CI (`.ci/run` builds it first).

use iam_harness::{binary_or_skip, Emulator, Payload};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const SIZE: usize = 8 * 1024 * 1024;
const PIECE: usize = 256 * 1024;

#[test]
fn sigterm_lets_an_upload_in_flight_finish_then_exits_0() {
    if !binary_or_skip("sigterm_lets_an_upload_in_flight_finish_then_exits_0") {
        return;
    }
    let emu = Emulator::spawn_binary();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("drain").expect_ok();
    let body: Vec<u8> = (0..SIZE).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect();
    // Signed with UNSIGNED-PAYLOAD so the body can stream in slowly.
    let request = root
        .s3_call("PUT", "/drain/slow.bin")
        .payload(Payload::Unsigned)
        .body(body.clone())
        .sign();
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    let path = request.url.trim_start_matches(&emu.endpoint()).to_string();
    let mut head = format!("PUT {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {SIZE}\r\n");
    for (name, value) in &request.headers {
        if !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case("content-length") {
            let _ = write!(head, "{name}: {value}\r\n");
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let (first, rest) = body.split_at(SIZE / 4);
    stream.write_all(first).unwrap();
    // Let the server read the head and start the request: a connection it
    // has not read from yet is idle to hyper, and closed at shutdown.
    std::thread::sleep(Duration::from_millis(300));

    // SIGTERM with a quarter of the body sent; `stop` waits for the exit.
    let pid = emu.server_pid().expect("a child process");
    let stopper = std::thread::spawn(move || {
        let started = Instant::now();
        let status = emu.stop();
        (status, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(&addr).is_err(),
        "a stopping server must not accept new connections"
    );
    assert!(
        std::path::Path::new(&format!("/proc/{pid}")).exists() || !cfg!(target_os = "linux"),
        "the server exited with an upload in flight"
    );
    for piece in rest.chunks(PIECE) {
        stream.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let mut hasher = iam_emulator::checksum::MultiHasher::new(None);
    hasher.update(&body);
    let etag = hasher.finish().etag();
    assert!(
        reply.to_ascii_lowercase().contains(&format!("etag: {etag}")),
        "{reply}"
    );

    let (status, took) = stopper.join().unwrap();
    let status = status.expect("an exit status");
    assert!(status.success(), "exit status {status:?}");
    assert!(took < Duration::from_secs(12), "shutdown took {took:?}");
    iam_emulator_tests::reliability::write_figures(
        "reliability_shutdown",
        &serde_json::json!({"uploadBytes": SIZE, "exitCode": status.code(), "shutdownMillis": took.as_millis()}),
    );
}
