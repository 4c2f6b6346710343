//! Least-privilege policy generation and who-can / can, over the wire:
//! a CI flow runs in soft mode as a user with no policy, the emulator's
//! `GET /_emulator/policy` gives its policy, and a fresh user holding only
//! that policy replays the flow in strict mode — allowed throughout, and
//! denied anything else.

use iam_harness::{AuthMode, Client, Credentials, Emulator, Reply};
use serde_json::Value;

const BUCKET: &str = "ci-artifacts";

/// What the code under test does: every call a policy must allow.
fn flow(client: &Client) -> Vec<(&'static str, Reply)> {
    vec![
        (
            "GetCallerIdentity",
            client.query("sts", &[("Action", "GetCallerIdentity")]),
        ),
        ("CreateBucket", client.create_bucket(BUCKET)),
        ("PutObject 1", client.put_object(BUCKET, "run-123/x.txt", b"one")),
        ("PutObject 2", client.put_object(BUCKET, "run-456/y.txt", b"two")),
        ("GetObject", client.get_object(BUCKET, "run-123/x.txt")),
        (
            "ListObjectsV2",
            client.s3("GET", &format!("/{BUCKET}"), &[("list-type", "2")], &[], b""),
        ),
        ("ListBuckets", client.s3("GET", "/", &[], &[], b"")),
        (
            "CreateUser",
            client.query("iam", &[("Action", "CreateUser"), ("UserName", "made-by-ci")]),
        ),
    ]
}

fn policy_of(emu: &Emulator, principal: &str, extra: &str) -> Value {
    let reply = emu.get(&format!("/_emulator/policy?principal={principal}{extra}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

/// A user in a fresh strict emulator holding only `policy`.
fn user_with(emu: &Emulator, name: &str, policy: &Value) -> Credentials {
    let root = emu.client(&emu.root_credentials());
    let creds = root.create_user_with_keys(name);
    let _ = root.put_user_policy(name, "generated", &policy.to_string());
    creds
}

#[test]
fn a_policy_generated_in_soft_mode_allows_the_flow_in_strict_mode() {
    let soft = Emulator::builder().auth(AuthMode::Soft).start();
    let ci = soft.client(&soft.root_credentials()).create_user_with_keys("ci");
    for (what, reply) in flow(&soft.client(&ci)) {
        assert!(reply.is_ok(), "soft mode lets {what} through: {}", reply.body);
    }
    let answer = policy_of(&soft, "arn:aws:iam::123456789012:user/ci", "");
    // GetCallerIdentity needs no permission (no policy has to grant it), so 7.
    assert_eq!(answer["observed"], 7, "{answer}");
    assert_eq!(answer["denied"], 7, "ci has no policy: {answer}");
    let findings = answer["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["findingType"] != "ERROR"),
        "{findings:?}"
    );
    let policy = &answer["policy"];
    assert_eq!(policy["Version"], "2012-10-17");
    let text = policy.to_string();
    for needle in [
        r#""Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::ci-artifacts/run-123/x.txt"]"#,
        r#""Action":["s3:PutObject"],"Effect":"Allow","Resource":["arn:aws:s3:::ci-artifacts/run-123/x.txt","arn:aws:s3:::ci-artifacts/run-456/y.txt"]"#,
        r#""Action":["s3:CreateBucket","s3:ListBucket"],"Effect":"Allow","Resource":["arn:aws:s3:::ci-artifacts"]"#,
        r#""Action":["s3:ListAllMyBuckets"],"Effect":"Allow","Resource":["*"]"#,
        r#""Action":["iam:CreateUser"],"Effect":"Allow","Resource":["arn:aws:iam::123456789012:user/made-by-ci"]"#,
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }

    let strict = Emulator::start();
    let replayer = user_with(&strict, "ci-replay", policy);
    let client = strict.client(&replayer);
    for (what, reply) in flow(&client) {
        assert!(reply.is_ok(), "strict mode allows {what}: {}", reply.body);
    }
    // Nothing broader: another key, another action, another bucket.
    for (method, path) in [
        ("GET", "/ci-artifacts/run-456/other.txt"),
        ("DELETE", "/ci-artifacts/run-123/x.txt"),
        ("PUT", "/another-bucket"),
    ] {
        let reply = client.s3(method, path, &[], &[], b"");
        let _ = reply.expect_error(403, "AccessDenied");
    }
}

#[test]
fn generalise_prefix_folds_run_ids_and_says_why() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket(BUCKET).expect_ok();
    for key in ["run-123/x", "run-456/y"] {
        let _ = root.put_object(BUCKET, key, b"z").expect_ok();
    }
    let answer = policy_of(&emu, "arn:aws:iam::123456789012:root", "&generalise=prefix");
    let text = answer["policy"].to_string();
    assert!(text.contains(r#""arn:aws:s3:::ci-artifacts/run-*/*""#), "{text}");
    let why = answer["explanations"][0]["text"].as_str().unwrap();
    assert!(
        why.contains("run-123/x") && why.contains("--generalise prefix"),
        "{why}"
    );

    let missing = emu.get("/_emulator/policy?principal=arn:aws:iam::123456789012:user/nobody");
    assert_eq!(missing.status, 404, "{}", missing.body);
    let bad = emu.get("/_emulator/policy?principal=x&since=yesterday");
    assert_eq!((bad.status, bad.json()["field"].as_str()), (400, Some("since")));
    let later =
        emu.get("/_emulator/policy?principal=arn:aws:iam::123456789012:root&since=2999-01-01T00:00:00Z");
    assert_eq!(later.status, 404, "{}", later.body);
}

#[test]
fn who_can_and_can_name_the_granting_statements() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket(BUCKET).expect_ok();
    let _ = root.put_object(BUCKET, "report.csv", b"a,b").expect_ok();
    let _ = root.create_user("reader");
    let _ = root.create_user("nobody");
    let read = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::ci-artifacts/*"}]}"#;
    let _ = root.put_user_policy("reader", "read", read);

    let reply =
        emu.get("/_emulator/who-can?action=s3:GetObject&resource=arn:aws:s3:::ci-artifacts/report.csv");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer = reply.json();
    let allowed: Vec<&str> = answer["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["principal"].as_str().unwrap())
        .collect();
    assert_eq!(
        allowed,
        [
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:user/reader"
        ],
        "{answer}"
    );
    let grant = &answer["allowed"][1]["grantedBy"][0];
    assert_eq!(
        (grant["sid"].as_str(), grant["index"].as_u64()),
        (Some("Read"), Some(0)),
        "{grant}"
    );

    let reply = emu.get("/_emulator/can?principal=arn:aws:iam::123456789012:user/reader");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let can = reply.json();
    let resources = can["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2, "{can}");
    assert_eq!(resources[0]["resource"], "arn:aws:s3:::ci-artifacts/report.csv");
    assert_eq!(resources[0]["actions"][0]["action"], "s3:GetObject");
    // STS: "No permissions are required to perform this operation" (GetCallerIdentity;
    // GetSessionToken likewise): every principal can, by AWS's rule, not by a statement.
    assert_eq!(resources[1]["resource"], "*");
    let by_rule: Vec<(&str, &str)> = resources[1]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), a["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        by_rule,
        [
            ("sts:GetCallerIdentity", "needsNoPermission"),
            ("sts:GetSessionToken", "needsNoPermission")
        ],
        "{can}"
    );

    let unknown = emu.get("/_emulator/can?principal=arn:aws:iam::123456789012:user/ghost");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let missing = emu.get("/_emulator/who-can?action=s3:GetObject");
    assert_eq!(missing.status, 400, "{}", missing.body);
}

#[test]
fn observations_survive_reset_and_can_be_cleared() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.query("iam", &[("Action", "ListUsers")]).expect_ok();
    emu.reset();
    let seen = emu.get("/_emulator/observations?limit=5").json();
    assert_eq!(seen["total"], 1, "{seen}");
    assert_eq!(seen["observations"][0]["action"], "iam:ListUsers");
    let cleared = emu.send(&iam_harness::Request {
        method: "DELETE".into(),
        url: format!("{}/_emulator/observations", emu.endpoint()),
        headers: Vec::new(),
        body: Vec::new(),
    });
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(emu.get("/_emulator/observations").json()["total"], 0);
}

/// who-can lists the service principals and identity providers a trust
/// policy names, and can answers for them: every kind of principal can be
/// asked about.
#[test]
fn who_can_and_can_ask_about_services_and_federated_callers() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let trust = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
        {"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;
    let role = root.create_role("fn", trust);

    let who = emu.get(&format!(
        "/_emulator/who-can?action=sts:AssumeRole&resource={role}"
    ));
    assert_eq!(who.status, 200, "{}", who.body);
    let answer = who.json();
    let kinds: Vec<(&str, &str)> = answer["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["principal"].as_str().unwrap(), a["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("lambda.amazonaws.com", "service")), "{answer}");
    assert!(
        !kinds.iter().any(|(p, _)| *p == "accounts.google.com"),
        "{answer}"
    );

    let can = emu.get("/_emulator/can?principal=lambda.amazonaws.com");
    assert_eq!(can.status, 200, "{}", can.body);
    let can = can.json();
    assert_eq!(can["kind"], "service");
    let on_role = can["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == role.as_str())
        .unwrap_or_else(|| panic!("{can}"));
    let actions: Vec<&str> = on_role["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"sts:AssumeRole"), "{can}");

    let google = emu.get("/_emulator/can?principal=accounts.google.com").json();
    assert_eq!(google["kind"], "federated", "{google}");
}
