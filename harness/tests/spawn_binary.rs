//! `Emulator::spawn_binary`: the release binary as a child process, with
//! the same API as the in-process emulator. Skipped (with a notice) when
//! there is no binary, failed instead under CI: build it with `cargo build --release -p
//! iam-emulator` or point `IAM_EMULATOR_BIN` at one (`.ci/run` does both).

use iam_harness::{binary_or_skip, Emulator, Fixtures};
use std::time::{Duration, Instant};

#[test]
fn the_binary_answers_the_same_api() {
    if !binary_or_skip("the_binary_answers_the_same_api") {
        return;
    }
    let emu = Emulator::spawn_binary();
    assert!(!emu.is_in_process());
    assert!(
        emu.endpoint().starts_with("http://127.0.0.1:"),
        "{}",
        emu.endpoint()
    );
    assert_eq!(emu.health()["status"], "ok");
    assert_eq!(emu.account_id(), "123456789012");
    let root = emu.client(&emu.root_credentials());
    assert_eq!(root.caller_arn(), "arn:aws:iam::123456789012:root");

    let fx = emu
        .apply_fixtures(
            &Fixtures::from_json(
                r#"{"users": [{"name": "alice", "policies": {"read": {"Version": "2012-10-17", "Statement": [
                       {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}}}],
                    "buckets": [{"name": "data", "objects": {"k": "v"}}]}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let alice = fx.credentials("alice");
    assert_eq!(emu.client(&alice).get_object("data", "k").body, "v");
    emu.assert_allowed(&alice, "s3:GetObject", "arn:aws:s3:::data/k");
    let sim = emu.assert_denied(&alice, "s3:PutObject", "arn:aws:s3:::data/k");
    let real = emu
        .client(&alice)
        .s3("PUT", "/data/k", &[], &[], b"x")
        .expect_error(403, "AccessDenied");
    assert_eq!(real.error_message(), sim.message());
    assert_eq!(emu.decisions(1)[0]["action"], "s3:PutObject");

    // SIGTERM: a clean shutdown, exit 0.
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    let status = emu.stop().expect("a process exit status");
    assert!(status.success(), "{status:?}");
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "{addr} still accepts"
    );
}

#[test]
fn flags_are_passed_and_root_keys_known() {
    if !binary_or_skip("flags_are_passed_and_root_keys_known") {
        return;
    }
    let emu = Emulator::spawn_binary_with(&[
        "--auth",
        "soft",
        "--root-key",
        "111111111111:AKIAOTHERACCOUNT0001:other-secret",
    ]);
    assert_eq!(emu.health()["auth"], "soft");
    let other = emu
        .root_credentials_of("111111111111")
        .expect("the flag's root key");
    assert_eq!(emu.client(&other).caller_arn(), "arn:aws:iam::111111111111:root");
    // Soft mode: a would-be denial goes through and is logged to stderr.
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_user_with_keys("bob");
    let _ = emu
        .client(&bob)
        .query("iam", &[("Action", "ListUsers")])
        .expect_ok();
    std::thread::sleep(Duration::from_millis(100));
    let stderr = emu.server_stderr().expect("a process's stderr");
    assert!(stderr.contains("iam:ListUsers"), "{stderr}");
}

#[test]
fn dropping_stops_the_process() {
    if !binary_or_skip("dropping_stops_the_process") {
        return;
    }
    let emu = Emulator::spawn_binary();
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    let started = Instant::now();
    drop(emu);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopping took {:?}",
        started.elapsed()
    );
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "{addr} still accepts"
    );
}

#[test]
fn a_binary_that_refuses_its_flags_is_reported() {
    if !binary_or_skip("a_binary_that_refuses_its_flags_is_reported") {
        return;
    }
    let failure = std::panic::catch_unwind(|| Emulator::spawn_binary_with(&["--auth", "sideways"]))
        .expect_err("an unknown auth mode is refused");
    let message = failure.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("did not print its ready line"), "{message}");
    // The panic carries the binary's own complaint from stderr.
    assert!(message.contains("sideways"), "{message}");
}
