//! `POST /_emulator/decide`: the decision for an access key (or a
//! principal ARN) over the emulator's current state — the same decision a
//! request signed with that key gets, and the JSON `explain --json` prints.

use iam_harness::{Client, Credentials, Emulator};
use serde_json::{json, Value};

const BUCKET: &str = "decide-data";

fn decide(emu: &Emulator, body: &Value) -> (u16, Value) {
    let reply = emu.post("/_emulator/decide", &body.to_string());
    let json = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    (reply.status, json)
}

fn decision_for(emu: &Emulator, key: &Credentials, action: &str, resource: &str) -> Value {
    let (status, answer) = decide(
        emu,
        &json!({"accessKeyId": key.access_key_id, "action": action, "resource": resource}),
    );
    assert_eq!(status, 200, "{answer}");
    answer
}

/// alice: reads the bucket through her group, writes `alice/*` by her own
/// policy, and a group Deny on `secret/*`.
fn setup(emu: &Emulator) -> (Client, Credentials) {
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket(BUCKET).expect_ok();
    let alice = root.create_user_with_keys("alice");
    let _ = root
        .query("iam", &[("Action", "CreateGroup"), ("GroupName", "readers")])
        .expect_ok();
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "AddUserToGroup"),
                ("GroupName", "readers"),
                ("UserName", "alice"),
            ],
        )
        .expect_ok();
    let group_policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::decide-data", "arn:aws:s3:::decide-data/*"]},
        {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::decide-data/secret/*"}]});
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "PutGroupPolicy"),
                ("GroupName", "readers"),
                ("PolicyName", "read"),
                ("PolicyDocument", &group_policy.to_string()),
            ],
        )
        .expect_ok();
    let own = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::decide-data/alice/*"}]});
    let _ = root.put_user_policy("alice", "own", &own.to_string()).expect_ok();
    let _ = root.put_object(BUCKET, "alice/a.txt", b"a").expect_ok();
    let _ = root.put_object(BUCKET, "secret/s.txt", b"s").expect_ok();
    let _ = root.put_object(BUCKET, "shared/x.txt", b"x").expect_ok();
    (root, alice)
}

#[test]
fn the_answer_is_what_a_real_request_with_the_key_gets() {
    let emu = Emulator::start();
    let (_, alice) = setup(&emu);
    let client = emu.client(&alice);
    // (action, the HTTP method that asks it, key, the decision)
    let cases = [
        ("s3:GetObject", "GET", "shared/x.txt", "allowed"),
        ("s3:GetObject", "GET", "secret/s.txt", "explicitDeny"),
        ("s3:PutObject", "PUT", "alice/b.txt", "allowed"),
        ("s3:PutObject", "PUT", "shared/y.txt", "implicitDeny"),
    ];
    for (action, method, key, expected) in cases {
        let resource = format!("arn:aws:s3:::{BUCKET}/{key}");
        let answer = decision_for(&emu, &alice, action, &resource);
        assert_eq!(answer["decision"], expected, "{action} {key}: {answer}");
        assert_eq!(answer["principal"], "arn:aws:iam::123456789012:user/alice");
        assert_eq!(answer["action"], action);
        assert_eq!(answer["resource"], resource.as_str());
        let body: &[u8] = if method == "PUT" { b"b" } else { b"" };
        let status = client
            .s3(method, &format!("/{BUCKET}/{key}"), &[], &[], body)
            .status;
        assert_eq!(
            status == 200,
            expected == "allowed",
            "{action} {key}: HTTP {status}"
        );
        // The request's own decision, as logged, is the same.
        let logged = &emu.decisions(1)[0];
        assert_eq!(logged["decision"], answer["decision"], "{logged}");
        assert_eq!(logged["decidedBy"], answer["decidedBy"], "{logged}");
        assert_eq!(logged["deciding"], answer["deciding"], "{logged}");
    }
    let denied = decision_for(
        &emu,
        &alice,
        "s3:DeleteObject",
        &format!("arn:aws:s3:::{BUCKET}/secret/s.txt"),
    );
    assert!(
        denied["message"]
            .as_str()
            .unwrap()
            .contains("with an explicit deny in an identity-based policy"),
        "{denied}"
    );
    assert!(denied["trace"].to_string().contains("NoSecrets"), "{denied}");
}

#[test]
fn a_principal_arn_is_asked_about_like_its_key() {
    let emu = Emulator::start();
    let (_, alice) = setup(&emu);
    for (action, key) in [
        ("s3:GetObject", "shared/x.txt"),
        ("s3:GetObject", "secret/s.txt"),
        ("s3:PutObject", "x"),
    ] {
        let resource = format!("arn:aws:s3:::{BUCKET}/{key}");
        let by_key = decision_for(&emu, &alice, action, &resource);
        let (status, by_arn) = decide(
            &emu,
            &json!({"principal": "arn:aws:iam::123456789012:user/alice", "action": action, "resource": resource}),
        );
        assert_eq!(status, 200, "{by_arn}");
        assert_eq!(by_arn["decision"], by_key["decision"], "{action} {key}");
        assert_eq!(by_arn["trace"], by_key["trace"], "{action} {key}");
    }
}

#[test]
fn a_bucket_policy_and_session_policies_are_part_of_the_decision() {
    let emu = Emulator::start();
    let (root, alice) = setup(&emu);
    // The bucket policy grants alice DeleteObject on shared/*.
    let bucket_policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "s3:DeleteObject",
        "Resource": "arn:aws:s3:::decide-data/shared/*"}]});
    let resource = format!("arn:aws:s3:::{BUCKET}/shared/x.txt");
    assert_eq!(
        decision_for(&emu, &alice, "s3:DeleteObject", &resource)["decision"],
        "implicitDeny"
    );
    let _ = root
        .put_bucket_policy(BUCKET, &bucket_policy.to_string())
        .expect_ok();
    assert_eq!(
        decision_for(&emu, &alice, "s3:DeleteObject", &resource)["decision"],
        "allowed"
    );

    // A role session whose session policy allows less than the role.
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    let role_arn = root.create_role("worker", trust);
    let role_policy =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "PutRolePolicy"),
                ("RoleName", "worker"),
                ("PolicyName", "all"),
                ("PolicyDocument", role_policy),
            ],
        )
        .expect_ok();
    let session_policy =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let assume = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let _ = root.put_user_policy("alice", "assume", assume).expect_ok();
    let session = emu
        .client(&alice)
        .query(
            "sts",
            &[
                ("Action", "AssumeRole"),
                ("RoleArn", &role_arn),
                ("RoleSessionName", "narrow"),
                ("Policy", session_policy),
            ],
        )
        .expect_ok()
        .credentials()
        .unwrap();
    let get = decision_for(&emu, &session, "s3:GetObject", &resource);
    assert_eq!(get["decision"], "allowed", "{get}");
    assert_eq!(
        get["principal"],
        "arn:aws:sts::123456789012:assumed-role/worker/narrow"
    );
    let put = decision_for(&emu, &session, "s3:PutObject", &resource);
    assert_eq!(put["decision"], "implicitDeny", "{put}");
    assert_eq!(
        emu.client(&session)
            .s3("PUT", "/decide-data/shared/x.txt", &[], &[], b"z")
            .status,
        403,
        "the real request agrees"
    );
}

#[test]
fn context_keys_and_the_clock_reach_the_conditions() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_user_with_keys("bob");
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"NumericLessThan": {"aws:EpochTime": epoch + 3600}}}]});
    let _ = root.put_user_policy("bob", "p", &policy.to_string()).expect_ok();
    let ask = |action: &str, context: Value| {
        let (status, answer) = decide(
            &emu,
            &json!({"accessKeyId": bob.access_key_id, "action": action, "resource": "*", "context": context}),
        );
        assert_eq!(status, 200, "{answer}");
        answer["decision"].as_str().unwrap().to_string()
    };
    // From this machine (127.0.0.1) by default, as a real request is.
    assert_eq!(ask("iam:ListUsers", Value::Null), "implicitDeny");
    assert_eq!(
        ask("iam:ListUsers", json!({"aws:SourceIp": "10.1.2.3"})),
        "allowed"
    );
    assert_eq!(ask("iam:ListUsers", json!(["aws:SourceIp=10.9.9.9"])), "allowed");
    assert_eq!(ask("iam:GetUser", Value::Null), "allowed");
    let _ = emu.advance_clock(7200);
    assert_eq!(
        ask("iam:GetUser", Value::Null),
        "implicitDeny",
        "aws:EpochTime is on the emulator's clock"
    );
}

#[test]
fn refused_credentials_and_bad_bodies_say_why() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let carol = root.create_user_with_keys("carol");
    let session = emu.client(&carol).get_session_token();

    let (status, answer) = decide(
        &emu,
        &json!({"accessKeyId": "AKIANOTAKEY000000000", "action": "s3:GetObject", "resource": "*"}),
    );
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("InvalidClientTokenId")),
        "{answer}"
    );
    assert_eq!(
        decision_for(&emu, &session, "s3:GetObject", "*")["decision"],
        "implicitDeny"
    );
    let _ = emu.advance_clock(13 * 3600);
    let (status, answer) = decide(
        &emu,
        &json!({"accessKeyId": session.access_key_id, "action": "s3:GetObject", "resource": "*"}),
    );
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("ExpiredToken")),
        "{answer}"
    );

    let (status, answer) = decide(
        &emu,
        &json!({"principal": "arn:aws:iam::123456789012:user/nobody", "action": "s3:GetObject", "resource": "*"}),
    );
    assert_eq!(
        (status, answer["field"].as_str()),
        (404, Some("principal")),
        "{answer}"
    );

    for (body, field) in [
        (json!({"action": "s3:GetObject", "resource": "*"}), "accessKeyId"),
        (
            json!({"accessKeyId": carol.access_key_id, "principal": "anonymous", "action": "a:b", "resource": "*"}),
            "principal",
        ),
        (
            json!({"accessKeyId": carol.access_key_id, "resource": "*"}),
            "action",
        ),
        (
            json!({"accessKeyId": carol.access_key_id, "action": "s3:GetObject"}),
            "resource",
        ),
        (
            json!({"accessKeyId": carol.access_key_id, "action": "a:b", "resource": "*", "context": 3}),
            "context",
        ),
        (
            json!({"accessKeyId": carol.access_key_id, "action": "a:b", "resource": "*", "format": "xml"}),
            "format",
        ),
        (
            json!({"accessKeyId": carol.access_key_id, "action": "a:b", "resource": "*", "resouce": "x"}),
            "body",
        ),
    ] {
        let (status, answer) = decide(&emu, &body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["field"], field, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
    }
    let reply = emu.post("/_emulator/decide", "not json");
    assert_eq!(reply.status, 400, "{}", reply.body);
}

#[test]
fn the_text_format_is_explains_words() {
    let emu = Emulator::start();
    let (_, alice) = setup(&emu);
    let reply = emu.post(
        "/_emulator/decide",
        &json!({"accessKeyId": alice.access_key_id, "action": "s3:GetObject",
                "resource": format!("arn:aws:s3:::{BUCKET}/secret/s.txt"), "format": "text"})
        .to_string(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.header("content-type").unwrap().starts_with("text/plain"));
    assert!(reply.body.contains("NoSecrets"), "{}", reply.body);
    assert!(reply.body.to_lowercase().contains("explicit"), "{}", reply.body);
}
