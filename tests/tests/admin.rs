//! Admin endpoints (`/_emulator/*`, moto's `/moto-api/*`) and the auth
//! modes, as CONTRACT.md describes them.

use iam_emulator::auth::AuthMode;
use iam_harness::{Credentials, Emulator};
use serde_json::json;

const CALLER_IDENTITY: &[(&str, &str)] = &[("Action", "GetCallerIdentity")];

fn bogus() -> Credentials {
    Credentials::new("AKIANOTAREALKEY00000", "not-a-real-secret")
}

#[test]
fn health_says_ok_and_names_the_mode() {
    let emu = Emulator::start();
    let health = emu.health();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["auth"], "strict");
    let services = health["services"].as_array().unwrap();
    assert!(
        services.contains(&json!("iam")) && services.contains(&json!("sts")),
        "{health}"
    );
    let reply = emu.get("/_emulator/health");
    assert_eq!(reply.header("content-type"), Some("application/json"));

    let soft = Emulator::builder().auth(AuthMode::Soft).start();
    assert_eq!(soft.health()["auth"], "soft");

    let unknown = emu.get("/_emulator/nothing-here");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

#[test]
fn one_requests_decisions_by_its_request_id() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let key = root.create_user_with_keys("dora");
    let denied = emu.client(&key).query("iam", &[("Action", "ListUsers")]);
    assert_eq!(denied.status, 403, "{}", denied.body);
    let id = denied.text("RequestId").expect("a RequestId");
    let _ = root.query("iam", &[("Action", "ListUsers")]).expect_ok();

    let found = emu
        .get(&format!("/_emulator/decisions?requestId={id}"))
        .expect_ok()
        .json();
    let decisions = found["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 1, "{found}");
    assert_eq!(decisions[0]["requestId"], id.as_str());
    assert_eq!(decisions[0]["decision"], "implicitDeny");
    assert_eq!(decisions[0]["principal"], "arn:aws:iam::123456789012:user/dora");

    let text = emu.get(&format!("/_emulator/decisions?requestId={id}&format=text"));
    assert_eq!(text.status, 200, "{}", text.body);
    assert!(text.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        text.body.contains("iam:ListUsers") && text.body.contains("dora"),
        "{}",
        text.body
    );

    let missing = emu.get("/_emulator/decisions?requestId=no-such-request");
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(missing.json()["field"], "requestId");
}

#[test]
fn localstack_health_lists_every_service_running() {
    // LocalStack's shape: {"services": {"s3": "running", …}, "edition", "version"}.
    let emu = Emulator::start();
    let reply = emu.get("/_localstack/health");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let health = reply.json();
    let services = health["services"].as_object().unwrap();
    for name in ["iam", "sts", "s3", "kinesis", "accessanalyzer"] {
        assert_eq!(services.get(name), Some(&json!("running")), "{health}");
    }
    assert!(services.values().all(|state| state == "running"), "{health}");
    assert!(health["version"].is_string(), "{health}");
    let other = emu.get("/_localstack/nothing");
    assert_eq!(other.status, 404, "{}", other.body);
}

#[test]
fn reset_empties_the_state_and_keeps_root_keys() {
    for path in ["/_emulator/reset", "/moto-api/reset"] {
        let emu = Emulator::builder()
            .root_key("111111111111", "AKIASECONDACCOUNT000", "second-secret")
            .start();
        let root = emu.client(&emu.root_credentials());
        let key = root.create_user_with_keys("alice");
        let session = emu.client(&key).get_session_token();
        let _ = root.create_policy(
            "p",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
        );
        let _ = emu.assert_call_denied(&key, "iam:ListUsers", &[]);
        assert!(!emu.decisions(10).as_array().unwrap().is_empty());

        let reply = emu.post(path, "");
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.json()["status"], "ok");
        assert!(emu.decisions(10).as_array().unwrap().is_empty());

        // Root keys of every account still work.
        let _ = root.query("sts", CALLER_IDENTITY).expect_ok();
        let second = emu.root_credentials_of("111111111111").unwrap();
        let _ = emu.client(&second).query("sts", CALLER_IDENTITY).expect_ok();
        // Everything else is gone: users, their keys, sessions, policies.
        let _ = root
            .query("iam", &[("Action", "GetUser"), ("UserName", "alice")])
            .expect_error(404, "NoSuchEntity");
        let _ = emu
            .client(&key)
            .query("sts", CALLER_IDENTITY)
            .expect_error(403, "InvalidClientTokenId");
        let _ = emu
            .client(&session)
            .query("sts", CALLER_IDENTITY)
            .expect_error(403, "InvalidClientTokenId");
        let local = root
            .query("iam", &[("Action", "ListPolicies"), ("Scope", "Local")])
            .expect_ok();
        assert!(local.texts("Arn").is_empty(), "{}", local.body);
        // The same name can be used again.
        root.create_user("alice");
    }
}

#[test]
fn decisions_are_newest_first_and_limited() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("a");
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "a")])
        .expect_ok();
    let _ = root.query("iam", &[("Action", "ListUsers")]).expect_ok();
    let decisions = emu.decisions(2);
    let actions: Vec<&str> = decisions
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["iam:ListUsers", "iam:GetUser"]);
    let newest = &decisions[0];
    assert_eq!(newest["decision"], "allowed");
    assert_eq!(newest["principal"], "arn:aws:iam::123456789012:root");
    assert_eq!(newest["resource"], "arn:aws:iam::123456789012:user/");
    assert!(newest["trace"].is_array(), "{newest}");
    assert_eq!(emu.decisions(50).as_array().unwrap().len(), 3);
}

#[test]
fn moto_reset_auth_serves_n_requests_unauthenticated_then_enforces() {
    let emu = Emulator::start();
    let reply = emu.post("/moto-api/reset-auth", "2");
    assert_eq!(reply.status, 200, "{}", reply.body);
    // A strict server with no count set enforced from the first request.
    assert_eq!(
        reply.json(),
        json!({"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    );

    // The next two requests are served as under --auth off: any key is root.
    let anyone = emu.client(&bogus());
    let me = anyone.query("sts", CALLER_IDENTITY).expect_ok();
    assert_eq!(me.text("Arn").as_deref(), Some("arn:aws:iam::123456789012:root"));
    // Admin requests do not count.
    let _ = emu.health();
    let created = anyone
        .query("iam", &[("Action", "CreateUser"), ("UserName", "bob")])
        .expect_ok();
    assert_eq!(
        created.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/bob")
    );
    // The third is verified and enforced.
    let _ = anyone
        .query("sts", CALLER_IDENTITY)
        .expect_error(403, "InvalidClientTokenId");
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_access_key("bob");
    let _ = emu.assert_call_denied(&bob, "iam:ListUsers", &[]);

    // `inf`: never enforce.
    let reply = emu.post("/moto-api/reset-auth", "inf");
    assert_eq!(reply.status, 200, "{}", reply.body);
    // The previous value is the N that was set, not what is left of it.
    assert_eq!(
        reply.json(),
        json!({"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "2"})
    );
    for _ in 0..3 {
        let _ = anyone.query("sts", CALLER_IDENTITY).expect_ok();
    }
    let _ = emu.assert_call_allowed(&bob, "iam:ListUsers", &[]).expect_ok();
    let reply = emu.post("/moto-api/reset-auth", "0");
    assert_eq!(
        reply.json(),
        json!({"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "inf"})
    );
    // 0: enforce from now on.
    let _ = anyone
        .query("sts", CALLER_IDENTITY)
        .expect_error(403, "InvalidClientTokenId");

    let bad = emu.post("/moto-api/reset-auth", "lots");
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[test]
fn moto_reset_auth_on_a_server_without_auth_reports_inf() {
    let emu = Emulator::builder().auth(AuthMode::Off).start();
    let _ = emu.client(&bogus()).query("sts", CALLER_IDENTITY).expect_ok();
    let reply = emu.post("/moto-api/reset-auth", "1");
    assert_eq!(
        reply.json(),
        json!({"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "inf"})
    );
    let _ = emu.client(&bogus()).query("sts", CALLER_IDENTITY).expect_ok();
    // After the one request, even an --auth off server enforces, as moto does.
    let _ = emu
        .client(&bogus())
        .query("sts", CALLER_IDENTITY)
        .expect_error(403, "InvalidClientTokenId");
}

#[test]
fn auth_off_accepts_any_key_as_the_default_root() {
    let emu = Emulator::builder().auth(AuthMode::Off).start();
    assert_eq!(emu.health()["auth"], "off");
    let anyone = emu.client(&bogus());
    let me = anyone.query("sts", CALLER_IDENTITY).expect_ok();
    assert_eq!(me.text("Arn").as_deref(), Some("arn:aws:iam::123456789012:root"));
    let _ = anyone
        .query("iam", &[("Action", "CreateUser"), ("UserName", "x")])
        .expect_ok();
    // Still no answer without any signature.
    let unsigned = emu.unsigned_query("iam", &[("Action", "ListUsers")]);
    assert_eq!(
        unsigned.error_code().as_deref(),
        Some("MissingAuthenticationToken")
    );
}

#[test]
fn soft_mode_lets_a_denied_call_through_and_records_it() {
    let emu = Emulator::builder().auth(AuthMode::Soft).start();
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_user_with_keys("bob");

    let listed = emu
        .client(&bob)
        .query("iam", &[("Action", "ListUsers")])
        .expect_ok();
    assert_eq!(listed.texts("UserName"), ["bob"]);
    let decision = &emu.decisions(1)[0];
    assert_eq!(decision["action"], "iam:ListUsers");
    assert_eq!(decision["decision"], "implicitDeny");
    assert_eq!(decision["enforced"], false);
    assert_eq!(
        decision["message"],
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers on \
         resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the \
         iam:ListUsers action"
    );
    assert_eq!(
        decision["requestId"].as_str(),
        listed.text("RequestId").as_deref()
    );

    // Soft mode still verifies signatures and keys.
    let _ = emu
        .client(&bogus())
        .query("sts", CALLER_IDENTITY)
        .expect_error(403, "InvalidClientTokenId");
    let wrong = Credentials::new(&bob.access_key_id, "wrong-secret");
    let _ = emu
        .client(&wrong)
        .query("sts", CALLER_IDENTITY)
        .expect_error(403, "SignatureDoesNotMatch");
}

#[test]
fn env_vars_point_a_child_process_at_the_emulator() {
    let emu = Emulator::start();
    let env = emu.env_vars();
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("AWS_ENDPOINT_URL"), Some(emu.endpoint().as_str()));
    assert_eq!(get("AWS_ACCESS_KEY_ID"), Some("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(
        get("AWS_SECRET_ACCESS_KEY"),
        Some("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    );
    assert_eq!(get("AWS_REGION"), Some("us-east-1"));
}
