//! Ways to be let in that AWS refuses, and object keys that look like
//! paths. (Tampered signatures and bodies, unknown and inactive keys,
//! expired presigned Query URLs and sessions are in `auth_sigv4.rs`; this
//! file adds what that one does not cover.)
//!
//! - a presigned URL used once, then reused after it expired;
//! - a deleted access key; another account's keys on this account's
//!   resources; an S3 call with an expired session token;
//! - a credential scope whose service or region was changed after signing,
//!   and a correctly signed request for a service that is not the one
//!   whose action it names;
//! - object keys with `../`, an absolute path, `%2F`, backslashes and NUL:
//!   stored as keys (they round-trip), never as paths: no file with their
//!   name appears anywhere, and bodies stay under the emulator's folder.

use iam_harness::{Credentials, Emulator};
use std::time::Duration;

const OTHER_ACCOUNT: &str = "111111111111";
const CALLER_IDENTITY: &[(&str, &str)] = &[("Action", "GetCallerIdentity")];

#[test]
fn a_presigned_url_works_until_it_expires_and_not_after() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("sec").expect_ok();
    let _ = root.put_object("sec", "doc.txt", b"secret").expect_ok();
    let s3_url = root
        .s3_call("GET", "/sec/doc.txt")
        .presign(Duration::from_secs(1));
    let sts_url = root.presign("sts", CALLER_IDENTITY, Duration::from_secs(1));
    assert_eq!(root.send_url("GET", &s3_url, &[], b"").expect_ok().body, "secret");
    let _ = root.get_url(&sts_url).expect_ok();
    std::thread::sleep(Duration::from_millis(2100));
    let again = root.send_url("GET", &s3_url, &[], b"");
    again.assert_error(403, "AccessDenied", "Request has expired");
    let again = root.get_url(&sts_url);
    assert_eq!(again.status, 403, "{}", again.body);
    assert!(again.error_code().is_some(), "{}", again.body);
}

#[test]
fn a_deleted_access_key_is_refused_everywhere() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let key = root.create_user_with_keys("dana");
    root.put_user_policy(
        "dana",
        "all",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    let dana = emu.client(&key);
    let _ = dana.query("sts", CALLER_IDENTITY).expect_ok();
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "DeleteAccessKey"),
                ("UserName", "dana"),
                ("AccessKeyId", &key.access_key_id),
            ],
        )
        .expect_ok();
    let _ = dana
        .query("sts", CALLER_IDENTITY)
        .expect_error(403, "InvalidClientTokenId");
    let _ = dana
        .query("iam", &[("Action", "CreateUser"), ("UserName", "sneaky")])
        .expect_error(403, "InvalidClientTokenId");
    let _ = dana
        .s3("GET", "/", &[], &[], b"")
        .expect_error(403, "InvalidAccessKeyId");
    // And deleting the user takes the key's sessions' source away too.
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "sneaky")])
        .expect_error(404, "NoSuchEntity");
}

#[test]
fn another_accounts_keys_act_in_their_own_account_only() {
    let emu = Emulator::builder()
        .root_key(OTHER_ACCOUNT, "AKIAOTHERACCOUNT0001", "other-secret")
        .start();
    let root = emu.client(&emu.root_credentials());
    let other = emu.client(&Credentials::new("AKIAOTHERACCOUNT0001", "other-secret"));
    root.create_user("alice");
    let _ = root.create_bucket("ours").expect_ok();
    let _ = root.put_object("ours", "k", b"ours").expect_ok();

    // IAM is per account: the other account sees and changes only its own.
    let _ = other
        .query("iam", &[("Action", "GetUser"), ("UserName", "alice")])
        .expect_error(404, "NoSuchEntity");
    let _ = other
        .query("iam", &[("Action", "DeleteUser"), ("UserName", "alice")])
        .expect_error(404, "NoSuchEntity");
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "alice")])
        .expect_ok();
    // Naming our user by ARN does not cross the boundary either.
    let attach = other.query(
        "iam",
        &[
            ("Action", "AttachUserPolicy"),
            ("UserName", "alice"),
            ("PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ],
    );
    assert!(attach.status >= 400, "{}", attach.body);
    let attached = root.query(
        "iam",
        &[("Action", "ListAttachedUserPolicies"), ("UserName", "alice")],
    );
    assert!(attached.texts("PolicyArn").is_empty(), "{}", attached.body);

    // S3 without a bucket policy naming them: refused, and nothing moves.
    let _ = other
        .s3("GET", "/ours/k", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    let _ = other
        .s3("PUT", "/ours/k", &[], &[], b"theirs")
        .expect_error(403, "AccessDenied");
    let _ = other.s3("DELETE", "/ours/k", &[], &[], b"").status;
    let _ = other.s3("PUT", "/ours", &[("policy", "")], &[], br#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::ours/*"}]}"#);
    assert_eq!(root.get_object("ours", "k").expect_ok().body, "ours");
    let _ = root
        .s3("GET", "/ours", &[("policy", "")], &[], b"")
        .expect_error(404, "NoSuchBucketPolicy");
}

#[test]
fn an_s3_call_with_an_expired_session_token_is_refused() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let key = root.create_user_with_keys("erin");
    root.put_user_policy(
        "erin",
        "s3",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let _ = root.create_bucket("tokens").expect_ok();
    let session = emu.client(&key).get_session_token();
    let client = emu.client(&session);
    let _ = client.put_object("tokens", "a", b"1").expect_ok();
    emu.expire_session(&session.access_key_id);
    let _ = client
        .s3("PUT", "/tokens/b", &[], &[], b"2")
        .expect_error(400, "ExpiredToken");
    let _ = root
        .s3("GET", "/tokens/b", &[], &[], b"")
        .expect_error(404, "NoSuchKey");
}

#[test]
fn a_credential_scope_changed_after_signing_does_not_match() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let request = root.sign_query("iam", &[("Action", "CreateUser"), ("UserName", "scoped")]);
    let auth = request.header("authorization").unwrap().to_string();
    for (from, to) in [
        ("/us-east-1/iam/", "/us-east-1/sts/"),
        ("/us-east-1/iam/", "/eu-west-1/iam/"),
        ("/us-east-1/iam/", "/us-east-1/s3/"),
    ] {
        let mut altered = request.clone();
        altered.set_header("authorization", auth.replace(from, to));
        let reply = emu.send(&altered);
        assert!(
            matches!(reply.status, 400 | 403),
            "scope {to}: {} {}",
            reply.status,
            reply.body
        );
        assert!(reply.error_code().is_some(), "{}", reply.body);
    }
    // A presigned S3 URL with its region changed.
    let _ = root.create_bucket("scoped").expect_ok();
    let url = root.s3_call("GET", "/scoped").presign(Duration::from_mins(5));
    let reply = root.send_url(
        "GET",
        &url.replace("%2Fus-east-1%2F", "%2Feu-west-1%2F"),
        &[],
        b"",
    );
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(
        reply.error_code().as_deref(),
        Some("SignatureDoesNotMatch"),
        "{}",
        reply.body
    );

    // Correctly signed, but for STS or S3: an IAM action is not run.
    for service in ["sts", "s3", "kinesis"] {
        let reply = root.query(service, &[("Action", "CreateUser"), ("UserName", "scoped")]);
        assert!(reply.status >= 400, "signed for {service}: {}", reply.body);
    }
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "scoped")])
        .expect_error(404, "NoSuchEntity");
}

/// Keys that would be paths if the emulator used keys as file names.
fn hostile_keys(nonce: &str) -> Vec<String> {
    vec![
        format!("../../../../../../../../tmp/{nonce}-up"),
        format!("../{nonce}-parent"),
        format!("/tmp/{nonce}-absolute"),
        format!("a/../../{nonce}-dotdot"),
        format!("..%2F..%2F{nonce}-encoded"),
        format!("..\\..\\{nonce}-backslash"),
        format!("nul\u{0}{nonce}-nul"),
        "../../../../../../../../etc/passwd".to_string(),
        ".".to_string(),
        "..".to_string(),
    ]
}

/// Every file under `dir` whose name contains `needle`.
fn files_named(dir: &std::path::Path, needle: &str, found: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().contains(needle) {
            found.push(path.clone());
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            files_named(&path, needle, found);
        }
    }
}

/// Sends a signed request over a plain socket, so the path goes out
/// exactly as signed (an HTTP client library would resolve `..` in it).
fn send_raw(endpoint: &str, req: &iam_harness::Request) -> (u16, Vec<u8>) {
    use std::fmt::Write as _;
    use std::io::{Read, Write};
    let addr = endpoint.trim_start_matches("http://");
    let target = req.url.trim_start_matches(endpoint);
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        req.method,
        req.body.len()
    );
    for (name, value) in &req.headers {
        if !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case("content-length") {
            let _ = write!(head, "{name}: {value}\r\n");
        }
    }
    head.push_str("\r\n");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&req.body).unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(reply.len(), |p| p + 4);
    let status = String::from_utf8_lossy(&reply[..split.min(12)])
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, reply[split..].to_vec())
}

#[test]
fn object_keys_that_look_like_paths_are_only_keys() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("paths").expect_ok();
    let nonce = format!(
        "iam-sec-{}-{}",
        std::process::id(),
        emu.endpoint().rsplit(':').next().unwrap()
    );
    let passwd_before = std::fs::read("/etc/passwd").ok();
    let mut stored = Vec::new();
    for key in hostile_keys(&nonce) {
        let body = format!("body of {key:?}");
        let put = root
            .s3_call("PUT", &format!("/paths/{key}"))
            .body(body.clone())
            .sign();
        let (status, reply) = send_raw(&emu.endpoint(), &put);
        if status == 200 {
            let get = root.s3_call("GET", &format!("/paths/{key}")).sign();
            let (status, got) = send_raw(&emu.endpoint(), &get);
            assert_eq!(status, 200, "{key:?}: {}", String::from_utf8_lossy(&got));
            assert_eq!(got, body.as_bytes(), "{key:?} did not round-trip");
            stored.push(key);
        } else {
            // Refused is fine too, as long as it is a client error.
            assert!(
                (400..500).contains(&status),
                "{key:?}: {status} {}",
                String::from_utf8_lossy(&reply)
            );
        }
    }
    assert!(stored.len() >= 8, "these are valid S3 keys: {stored:?}");
    let listed = root
        .s3("GET", "/paths", &[("list-type", "2")], &[], b"")
        .expect_ok();
    assert_eq!(listed.texts("Key").len(), stored.len(), "{}", listed.body);

    // No file anywhere took a key's name: not under the system's temporary
    // folder (where the emulator's own folder lives), not in the working
    // directory, not at the absolute paths.
    let mut found = Vec::new();
    files_named(&std::env::temp_dir(), &nonce, &mut found);
    files_named(&std::env::current_dir().unwrap(), &nonce, &mut found);
    files_named(std::path::Path::new("/tmp"), &nonce, &mut found);
    assert!(found.is_empty(), "files named after keys: {found:?}");
    assert_eq!(
        std::fs::read("/etc/passwd").ok(),
        passwd_before,
        "/etc/passwd changed"
    );

    // Bodies live in the emulator's own folder, under names it chose.
    let scratch = emu.app().scratch.dir.clone();
    let mut bodies = Vec::new();
    files_named(&scratch, "", &mut bodies);
    assert!(
        bodies.iter().all(|p| p.starts_with(&scratch)),
        "{bodies:?} outside {scratch:?}"
    );
    for key in &stored {
        let delete = root.s3_call("DELETE", &format!("/paths/{key}")).sign();
        assert_eq!(send_raw(&emu.endpoint(), &delete).0, 204, "DELETE {key:?}");
    }
    let listed = root
        .s3("GET", "/paths", &[("list-type", "2")], &[], b"")
        .expect_ok();
    assert!(listed.texts("Key").is_empty(), "{}", listed.body);
}
