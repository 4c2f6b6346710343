//! The emulator's clock (`/_emulator/clock`): advancing it makes time pass
//! for everything time-based — STS sessions expire, presigned URLs expire,
//! `aws:CurrentTime` moves — while requests signed by the client's real
//! clock keep working; bad advances are refused; reset and `--state-dir`.

use iam_harness::Emulator;
use serde_json::json;
use std::time::Duration;

const CALLER_IDENTITY: &[(&str, &str)] = &[("Action", "GetCallerIdentity")];

#[test]
fn an_sts_session_expires_when_the_clock_passes_its_expiration() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let key = root.create_user_with_keys("alice");
    let session = emu.client(&key).get_session_token();
    let client = emu.client(&session);
    let _ = client.query("sts", CALLER_IDENTITY).expect_ok();

    // GetSessionToken's default is 12 hours: an hour later it still works.
    let _ = emu.advance_clock(3600);
    let _ = client.query("sts", CALLER_IDENTITY).expect_ok();
    let _ = emu.advance_clock(11 * 3600 + 1);
    client.query("sts", CALLER_IDENTITY).assert_error(
        403,
        "ExpiredToken",
        "The security token included in the request is expired",
    );
    // The user's own key, signed by the same real clock, still works: the
    // skew check reads the wall clock, not the advanced one.
    let _ = emu.client(&key).query("sts", CALLER_IDENTITY).expect_ok();
    // A session issued after the advance lasts its own 12 hours from then.
    let fresh = emu.client(&key).get_session_token();
    let _ = emu.client(&fresh).query("sts", CALLER_IDENTITY).expect_ok();
}

#[test]
fn a_presigned_url_expires_when_the_clock_passes_its_lifetime() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("clocked").expect_ok();
    let _ = root.put_object("clocked", "doc.txt", b"hello").expect_ok();
    let url = root
        .s3_call("GET", "/clocked/doc.txt")
        .presign(Duration::from_mins(5));
    let sts_url = root.presign("sts", CALLER_IDENTITY, Duration::from_mins(5));
    assert_eq!(root.send_url("GET", &url, &[], b"").expect_ok().body, "hello");

    let _ = emu.advance_clock(299);
    let _ = root.send_url("GET", &url, &[], b"").expect_ok();
    // Whole seconds: a second and a bit more past the 300.
    let _ = emu.advance_clock(3);
    root.send_url("GET", &url, &[], b"")
        .assert_error(403, "AccessDenied", "Request has expired");
    let again = root.get_url(&sts_url);
    assert_eq!(again.status, 403, "{}", again.body);

    // A URL signed (by the real clock) after the advance is fresh. The
    // advance just made may share its second with this signature, which
    // then counts as signed before it: wait for the next second.
    std::thread::sleep(Duration::from_millis(1100));
    let later = root
        .s3_call("GET", "/clocked/doc.txt")
        .presign(Duration::from_mins(5));
    assert_eq!(root.send_url("GET", &later, &[], b"").expect_ok().body, "hello");
}

#[test]
fn aws_current_time_follows_the_clock() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let key = root.create_user_with_keys("carol");
    let before = emu.clock()["now"].as_str().unwrap().to_string();
    // Allowed for the next day, by aws:EpochTime.
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"NumericLessThan": {"aws:EpochTime": epoch + 24 * 3600}}}]});
    let _ = root
        .put_user_policy("carol", "until-tomorrow", &policy.to_string())
        .expect_ok();
    let _ = emu.assert_call_allowed(&key, "iam:ListUsers", &[]);
    let clock = emu.advance_clock(3 * 24 * 3600);
    assert_eq!(clock["offset_seconds"], 3 * 24 * 3600);
    assert!(clock["now"].as_str().unwrap() > before.as_str(), "{clock}");
    let _ = emu.assert_call_denied(&key, "iam:ListUsers", &[]);
}

#[test]
fn dates_written_after_an_advance_are_on_the_advanced_clock() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let advanced = emu.advance_clock(400 * 24 * 3600);
    let (now, wall) = (
        advanced["now"].as_str().unwrap(),
        advanced["wall"].as_str().unwrap(),
    );
    assert!(
        now[..4].parse::<u32>().unwrap() > wall[..4].parse::<u32>().unwrap(),
        "{advanced}"
    );
    let created = root
        .query("iam", &[("Action", "CreateUser"), ("UserName", "later")])
        .expect_ok();
    let date = created.text("CreateDate").unwrap();
    // ISO-8601 timestamps of one shape sort as the times do.
    assert!(date.as_str() >= now, "created {date}, clock {advanced}");
}

#[test]
fn the_clock_endpoint_shows_and_refuses() {
    let emu = Emulator::start();
    let clock = emu.clock();
    assert_eq!(clock["offset_seconds"], 0);
    assert_eq!(clock["now"], clock["wall"]);
    for body in [
        r#"{"advance_seconds": -1}"#,
        r#"{"advance_seconds": "60"}"#,
        r#"{"advance_seconds": 1.5}"#,
        r#"{"advance_seconds": 99999999999999}"#,
        r#"{"seconds": 60}"#,
        "not json",
        "",
    ] {
        let reply = emu.post("/_emulator/clock", body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(reply.header("content-type"), Some("application/json"), "{body}");
        let json = reply.json();
        assert_eq!(json["status"], "error", "{body}");
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
    assert_eq!(
        emu.clock()["offset_seconds"],
        0,
        "a refused advance changes nothing"
    );
    assert_eq!(emu.advance_clock(0)["offset_seconds"], 0);
    assert_eq!(emu.advance_clock(90)["offset_seconds"], 90);
    assert_eq!(emu.advance_clock(10)["offset_seconds"], 100);
    emu.reset();
    assert_eq!(
        emu.clock()["offset_seconds"],
        0,
        "reset goes back to the wall clock"
    );
}

#[test]
fn the_clock_survives_a_restart_with_state_dir() {
    let dir = std::env::temp_dir().join(format!("iam-emulator-test-clock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let session = {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = emu.client(&emu.root_credentials());
        let key = root.create_user_with_keys("dave");
        let _ = emu.advance_clock(11 * 3600);
        // Expires 12 hours after the advanced now.
        emu.client(&key).get_session_token()
    };
    {
        let emu = Emulator::builder().state_dir(&dir).start();
        assert_eq!(emu.clock()["offset_seconds"], 11 * 3600);
        let client = emu.client(&session);
        let _ = client.query("sts", CALLER_IDENTITY).expect_ok();
        let _ = emu.advance_clock(12 * 3600 + 1);
        let _ = client
            .query("sts", CALLER_IDENTITY)
            .expect_error(403, "ExpiredToken");
        emu.reset();
    }
    let emu = Emulator::builder().state_dir(&dir).start();
    assert_eq!(emu.clock()["offset_seconds"], 0, "the reset was kept");
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}
