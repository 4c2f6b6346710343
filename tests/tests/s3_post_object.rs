//! Browser POST uploads (S3 API Reference, "POST Object", "Creating a POST
//! policy"): a `multipart/form-data` form, its policy signed with SigV4 or
//! SigV2, every condition kind, each refusal, the success answers, and the
//! upload authorized as `s3:PutObject` for the signer.

use base64::Engine;
use iam_emulator::auth::{sigv2, sigv4};
use iam_harness::{Credentials, Emulator, Reply, Request, S3Defaults};
use std::time::{SystemTime, UNIX_EPOCH};

const BOUNDARY: &str = "----emulatorFormBoundary7MA4YWxkTrZu0gW";

/// `YYYY-MM-DDTHH:MM:SSZ` and `YYYYMMDD` of a Unix time.
fn iso(unix: i64) -> (String, String, String) {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    (
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z"),
        format!("{year:04}{month:02}{day:02}"),
        format!("{year:04}{month:02}{day:02}T{h:02}{m:02}{s:02}Z"),
    )
}

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// A form body: the fields in order, then the file.
fn form(fields: &[(&str, &str)], file_name: &str, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    out.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(content);
    out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn post(emu: &Emulator, bucket: &str, body: Vec<u8>) -> Reply {
    emu.send(&Request {
        method: "POST".into(),
        url: format!("{}/{bucket}", emu.endpoint()),
        headers: vec![(
            "Content-Type".into(),
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )],
        body,
    })
}

/// POSTs a form over a plain socket and returns the reply's head, as sent.
fn raw_post(emu: &Emulator, bucket: &str, body: &[u8]) -> String {
    use std::io::{Read, Write};
    let address = emu.endpoint().trim_start_matches("http://").to_string();
    let mut socket = std::net::TcpStream::connect(&address).unwrap();
    let head = format!(
        "POST /{bucket} HTTP/1.1\r\nHost: {address}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).unwrap();
    socket.write_all(body).unwrap();
    let mut reply = String::new();
    let _ = socket.read_to_string(&mut reply);
    reply.split("\r\n\r\n").next().unwrap_or_default().to_string()
}

/// The SigV4 fields of a form signing `conditions` (the signature fields
/// themselves are added to the conditions, as SDKs add them).
fn signed_v4(
    credentials: &Credentials,
    expires_at: i64,
    conditions: &[serde_json::Value],
) -> Vec<(String, String)> {
    let (_, date, amz_date) = iso(now());
    let credential = format!("{}/{date}/us-east-1/s3/aws4_request", credentials.access_key_id);
    let mut all = conditions.to_vec();
    all.push(serde_json::json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}));
    all.push(serde_json::json!({"x-amz-credential": credential}));
    all.push(serde_json::json!({"x-amz-date": amz_date}));
    let policy = serde_json::json!({"expiration": iso(expires_at).0, "conditions": all});
    let encoded = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let scope = sigv4::Credential::parse(&credential).unwrap();
    let key = sigv4::signing_key(&credentials.secret_access_key, &scope);
    vec![
        ("x-amz-algorithm".into(), "AWS4-HMAC-SHA256".into()),
        ("x-amz-credential".into(), credential),
        ("x-amz-date".into(), amz_date),
        ("policy".into(), encoded.clone()),
        ("x-amz-signature".into(), sigv4::sign(&key, &encoded)),
    ]
}

/// The fields, then the signature fields.
fn with(fields: &[(&str, &str)], signed: &[(String, String)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .chain(signed.iter().cloned())
        .collect()
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn setup() -> (Emulator, iam_harness::Client, Credentials) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("uploads");
    let credentials = emu.root_credentials();
    (emu, root, credentials)
}

#[test]
fn a_signed_form_with_every_condition_kind_uploads_the_file() {
    let (emu, root, credentials) = setup();
    let conditions = [
        serde_json::json!({"bucket": "uploads"}),
        serde_json::json!(["starts-with", "$key", "user/"]),
        serde_json::json!(["eq", "$Content-Type", "text/plain"]),
        serde_json::json!(["starts-with", "$x-amz-meta-owner", ""]),
        serde_json::json!(["content-length-range", 1, 1024]),
        serde_json::json!({"success_action_status": "201"}),
    ];
    let signed = signed_v4(&credentials, now() + 3600, &conditions);
    let fields = with(
        &[
            ("key", "user/${filename}"),
            ("Content-Type", "text/plain"),
            ("x-amz-meta-owner", "alice"),
            ("success_action_status", "201"),
            ("x-ignore-note", "not in the policy"),
        ],
        &signed,
    );
    let reply = post(
        &emu,
        "uploads",
        form(&as_refs(&fields), "notes.txt", b"hello post"),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.text("Key").as_deref(), Some("user/notes.txt"));
    assert_eq!(reply.text("Bucket").as_deref(), Some("uploads"));
    assert_eq!(reply.text("ETag").as_deref(), reply.header("etag"));
    let object = root.get_object("uploads", "user/notes.txt");
    assert_eq!(object.bytes, b"hello post");
    assert_eq!(object.header("content-type"), Some("text/plain"));
    assert_eq!(object.header("x-amz-meta-owner"), Some("alice"));
    let decision = &emu
        .decisions(5)
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["action"] == "s3:PutObject")
        .cloned()
        .expect("the upload was authorized");
    assert_eq!(decision["resource"], "arn:aws:s3:::uploads/user/notes.txt");
    assert_eq!(
        decision["principal"],
        format!("arn:aws:iam::{}:root", emu.account_id())
    );
}

#[test]
fn each_failed_condition_is_refused_with_its_reason() {
    let (emu, root, credentials) = setup();
    let conditions = [
        serde_json::json!({"bucket": "uploads"}),
        serde_json::json!(["starts-with", "$key", "user/"]),
        serde_json::json!(["content-length-range", 2, 5]),
    ];
    let signed = signed_v4(&credentials, now() + 3600, &conditions);
    let send = |fields: &[(&str, &str)], content: &[u8]| {
        let fields = with(fields, &signed);
        post(&emu, "uploads", form(&as_refs(&fields), "f", content))
    };
    let _ = send(&[("key", "user/ok")], b"abc").expect_ok();

    let wrong_prefix = send(&[("key", "other/k")], b"abc");
    wrong_prefix.assert_error(
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"user/\"]",
    );
    let extra = send(&[("key", "user/k"), ("x-amz-meta-extra", "v")], b"abc");
    extra.assert_error(
        403,
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-extra",
    );
    send(&[("key", "user/big")], b"too large").assert_error(
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size",
    );
    send(&[("key", "user/small")], b"a").assert_error(
        400,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size",
    );
    // Another bucket is not the policy's bucket.
    let _ = root.create_bucket("elsewhere");
    let fields = with(&[("key", "user/k")], &signed);
    post(&emu, "elsewhere", form(&as_refs(&fields), "f", b"abc")).assert_error(
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"uploads\"]",
    );
    // The policy expires on the emulator's clock.
    let _ = emu.advance_clock(7200);
    send(&[("key", "user/late")], b"abc").assert_error(
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    );
    for refused in ["user/big", "user/small", "other/k", "user/late"] {
        let _ = root
            .s3("GET", &format!("/uploads/{refused}"), &[], &[], b"")
            .expect_error(404, "NoSuchKey");
    }
}

#[test]
fn broken_forms_signatures_and_policies_are_refused() {
    let (emu, _root, credentials) = setup();
    let signed = signed_v4(
        &credentials,
        now() + 3600,
        &[serde_json::json!(["starts-with", "$key", ""])],
    );
    let mut forged = signed.clone();
    forged[4].1 = "0".repeat(64);
    let fields = with(&[("key", "k")], &forged);
    let _ =
        post(&emu, "uploads", form(&as_refs(&fields), "f", b"x")).expect_error(403, "SignatureDoesNotMatch");

    let stranger = Credentials::new("AKIANOSUCHKEY0000000", "secret");
    let fields = with(&[("key", "k")], &signed_v4(&stranger, now() + 3600, &[]));
    let _ = post(&emu, "uploads", form(&as_refs(&fields), "f", b"x")).expect_error(403, "InvalidAccessKeyId");

    let mut bad_policy = signed.clone();
    bad_policy[3].1 = base64::engine::general_purpose::STANDARD.encode("{not json");
    let scope = sigv4::Credential::parse(&bad_policy[1].1).unwrap();
    bad_policy[4].1 = sigv4::sign(
        &sigv4::signing_key(&credentials.secret_access_key, &scope),
        &bad_policy[3].1,
    );
    let fields = with(&[("key", "k")], &bad_policy);
    post(&emu, "uploads", form(&as_refs(&fields), "f", b"x")).assert_error(
        400,
        "InvalidPolicyDocument",
        "Invalid Policy: Invalid JSON.",
    );

    let fields = with(&[], &signed);
    let _ = post(&emu, "uploads", form(&as_refs(&fields), "f", b"x")).expect_error(400, "InvalidArgument");
    let no_file = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--{BOUNDARY}--\r\n"
    );
    let _ =
        post(&emu, "uploads", no_file.into_bytes()).expect_error(400, "IncorrectNumberOfFilesInPostRequest");
    let truncated = form(&[("key", "k")], "f", b"cut")[..80].to_vec();
    let _ = post(&emu, "uploads", truncated).expect_error(400, "MalformedPOSTRequest");
    let plain = emu.send(&Request {
        method: "POST".into(),
        url: format!("{}/uploads", emu.endpoint()),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: b"key=k".to_vec(),
    });
    let _ = plain.expect_error(400, "MalformedPOSTRequest");
    let _ = post(&emu, "no-such-bucket", form(&[("key", "k")], "f", b"x")).expect_error(404, "NoSuchBucket");
}

#[test]
fn sigv2_forms_and_redirects() {
    let (emu, root, credentials) = setup();
    let policy = serde_json::json!({
        "expiration": iso(now() + 600).0,
        "conditions": [
            {"bucket": "uploads"},
            {"key": "v2/doc.txt"},
            ["starts-with", "$success_action_redirect", "http://app.example/"],
        ]
    });
    let encoded = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let signature = sigv2::sign(&credentials.secret_access_key, &encoded);
    let fields = [
        ("key", "v2/doc.txt"),
        ("AWSAccessKeyId", credentials.access_key_id.as_str()),
        ("policy", encoded.as_str()),
        ("signature", signature.as_str()),
        ("success_action_redirect", "http://app.example/done?x=1"),
    ];
    // Sent by hand: an HTTP client would follow the redirect.
    let head = raw_post(&emu, "uploads", &form(&fields, "doc.txt", b"v2 body"));
    assert!(head.starts_with("HTTP/1.1 303"), "{head}");
    let location = head
        .lines()
        .find_map(|l| {
            l.split_once(": ")
                .filter(|(n, _)| n.eq_ignore_ascii_case("location"))
                .map(|(_, v)| v)
        })
        .expect("a Location header");
    assert!(
        location.starts_with("http://app.example/done?x=1&bucket=uploads&key=v2%2Fdoc.txt&etag="),
        "{location}"
    );
    assert_eq!(root.get_object("uploads", "v2/doc.txt").bytes, b"v2 body");
}

#[test]
fn the_upload_is_authorized_for_the_signer_or_anyone_unsigned() {
    let (emu, root, _) = setup();
    // An IAM user without s3:PutObject signs a valid form: denied.
    let user = root.create_user_with_keys("uploader");
    let fields = with(
        &[("key", "k")],
        &signed_v4(
            &user,
            now() + 3600,
            &[serde_json::json!(["starts-with", "$key", ""])],
        ),
    );
    let _ = post(&emu, "uploads", form(&as_refs(&fields), "f", b"x")).expect_error(403, "AccessDenied");
    let _ = root.put_user_policy(
        "uploader",
        "put",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::uploads/*"}]}"#,
    );
    let reply = post(&emu, "uploads", form(&as_refs(&fields), "f", b"x"));
    assert_eq!(reply.status, 204, "{}", reply.body);
    // Unsigned: anonymous, allowed only where a policy or ACL lets anyone write.
    let _ = post(&emu, "uploads", form(&[("key", "anon")], "f", b"x")).expect_error(403, "AccessDenied");
    let legacy = Emulator::builder().s3_defaults(S3Defaults::Legacy).start();
    let owner = legacy.client(&legacy.root_credentials());
    let _ = owner.create_bucket("dropbox");
    let _ = owner
        .s3(
            "PUT",
            "/dropbox",
            &[("acl", "")],
            &[("x-amz-acl", "public-read-write")],
            b"",
        )
        .expect_ok();
    let reply = post(
        &legacy,
        "dropbox",
        form(&[("key", "anon"), ("acl", "public-read")], "f", b"anyone"),
    );
    assert_eq!(reply.status, 204, "{}", reply.body);
    let read = legacy
        .anonymous_s3("GET", "/dropbox/anon", &[], &[], b"")
        .expect_ok();
    assert_eq!(read.bytes, b"anyone");
}

#[test]
fn a_large_file_streams_to_the_store_and_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("s3-post-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let content: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = emu.client(&emu.root_credentials());
        let _ = root.create_bucket("big-posts");
        let credentials = emu.root_credentials();
        let fields = with(
            &[("key", "large.bin")],
            &signed_v4(
                &credentials,
                now() + 3600,
                &[serde_json::json!({"key": "large.bin"})],
            ),
        );
        let reply = post(&emu, "big-posts", form(&as_refs(&fields), "large.bin", &content));
        assert_eq!(reply.status, 204, "{}", reply.body);
    }
    let emu = Emulator::builder().state_dir(&dir).start();
    let root = emu.client(&emu.root_credentials());
    assert_eq!(root.get_object("big-posts", "large.bin").bytes, content);
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}
