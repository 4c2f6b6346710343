//! The teaching console (`/_emulator/ui`) and its JSON endpoints:
//! `POST /_emulator/evaluate` (the same JSON as `iam-emulator explain
//! --json`), `POST /_emulator/validate`, `GET /_emulator/entities`.

use iam_harness::{Emulator, Fixtures};
use serde_json::{json, Value};
use std::process::Command;

const HOME: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Home", "Effect": "Allow", "Action": "s3:GetObject",
   "Resource": "arn:aws:s3:::b/home/${aws:username}/*",
   "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
  {"Sid": "Typo", "Effect": "Allow", "Action": "s3:ListObject", "Resource": "arn:aws:s3:::b"}]}"#;

const BOUNDARY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#;

const BUCKET_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;

const SCP: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}"#;

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let emu = Emulator::start();
    let page = emu.get("/_emulator/ui").expect_ok();
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
    for landmark in [
        "<main",
        "<nav",
        "<header",
        "role=\"tablist\"",
        "aria-live=\"polite\"",
        "lang=\"en\"",
    ] {
        assert!(page.body.contains(landmark), "the page lacks {landmark}");
    }
    assert!(
        !page.body.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let js = emu.get("/_emulator/ui/app.js").expect_ok();
    assert!(js.header("content-type").unwrap().starts_with("text/javascript"));
    assert!(js.body.contains("/_emulator/decisions") && js.body.contains("/_emulator/evaluate"));
    let css = emu.get("/_emulator/ui/style.css").expect_ok();
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(emu.get("/_emulator/ui/").status, 200);
    assert_eq!(emu.get("/_emulator/ui/nothing.js").status, 404);
    assert!(iam_emulator::console::assets_size() < 300 * 1024);
    // The page's requests are admin ones: not authorized, not logged.
    assert!(emu.decisions(10).as_array().unwrap().is_empty());
}

/// The sample's policies as files and as the endpoint's JSON body.
struct Sample {
    dir: std::path::PathBuf,
}

impl Sample {
    fn new() -> Sample {
        let dir = std::env::temp_dir().join(format!("iam-console-sample-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in [
            ("home.json", HOME),
            ("boundary.json", BOUNDARY),
            ("bucket.json", BUCKET_POLICY),
            ("scp.json", SCP),
        ] {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Sample { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for Sample {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn explain_cli(args: &[String]) -> Value {
    let binary = iam_harness::find_binary().unwrap_or_else(|| {
        panic!("no iam-emulator binary: set IAM_EMULATOR_BIN or run `cargo build --release -p iam-emulator`")
    });
    let out = Command::new(binary)
        .arg("explain")
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "explain failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("explain --json prints JSON")
}

#[test]
fn evaluate_answers_what_explain_json_prints() {
    let emu = Emulator::start();
    let sample = Sample::new();
    let cases: Vec<(Vec<&str>, Value, &str)> = vec![
        // Implicit deny: a failed condition, an unresolved resource, a hint.
        (
            vec![
                "--action",
                "s3:GetObject",
                "--resource",
                "arn:aws:s3:::b/home/bob/notes.txt",
                "--context",
                "aws:SourceIp=192.168.0.7",
                "--context",
                "aws:TagKeys=a",
                "--context",
                "aws:TagKeys=b",
            ],
            json!({"action": "s3:GetObject", "resource": "arn:aws:s3:::b/home/bob/notes.txt",
                   "context": {"aws:SourceIp": "192.168.0.7", "aws:TagKeys": ["a", "b"]}}),
            "implicitDeny",
        ),
        // Allowed, cross-account through a bucket policy, with a boundary and an SCP.
        (
            vec![
                "--principal",
                "arn:aws:iam::111111111111:user/alice",
                "--action",
                "s3:GetObject",
                "--resource",
                "arn:aws:s3:::b/home/alice/x",
                "--resource-account",
                "123456789012",
                "--context",
                "aws:SourceIp=10.1.2.3",
            ],
            json!({"principal": "arn:aws:iam::111111111111:user/alice", "action": "s3:GetObject",
                   "resource": "arn:aws:s3:::b/home/alice/x", "resourceAccount": "123456789012",
                   "context": ["aws:SourceIp=10.1.2.3"]}),
            "allowed",
        ),
        // Explicit deny in the SCP.
        (
            vec!["--action", "s3:DeleteBucket", "--resource", "arn:aws:s3:::b"],
            json!({"action": "s3:DeleteBucket", "resource": "arn:aws:s3:::b"}),
            "explicitDeny",
        ),
    ];
    for (flags, mut body, decision) in cases {
        let mut args: Vec<String> = flags.iter().map(|s| (*s).to_string()).collect();
        for (flag, file) in [
            ("--policy", "home.json"),
            ("--boundary", "boundary.json"),
            ("--resource-policy", "bucket.json"),
            ("--scp", "scp.json"),
        ] {
            args.push(flag.into());
            args.push(sample.path(file));
        }
        body["policies"] = json!([{"name": "home.json", "document": HOME}]);
        body["boundary"] = json!({"name": "boundary.json", "document": BOUNDARY});
        body["resourcePolicy"] = json!({"name": "bucket.json", "document": BUCKET_POLICY});
        // A policy may also come as JSON rather than text.
        body["scps"] = json!([{"name": "scp.json", "document": serde_json::from_str::<Value>(SCP).unwrap()}]);
        let cli = explain_cli(&args);
        let reply = emu.post("/_emulator/evaluate", &body.to_string()).expect_ok();
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(
            reply.json(),
            cli,
            "the endpoint and `explain --json` differ for {args:?}"
        );
        assert_eq!(cli["decision"], decision, "{cli}");
    }
    // Trust policies: the same, with role_trust.
    std::fs::write(
        sample.dir.join("trust.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}]}"#,
    )
    .unwrap();
    let trust = std::fs::read_to_string(sample.dir.join("trust.json")).unwrap();
    let cli = explain_cli(&[
        "--trust-policy".into(),
        sample.path("trust.json"),
        "--action".into(),
        "sts:AssumeRole".into(),
        "--resource".into(),
        "arn:aws:iam::123456789012:role/r".into(),
    ]);
    let body = json!({"trustPolicy": {"name": "trust.json", "document": trust},
                      "action": "sts:AssumeRole", "resource": "arn:aws:iam::123456789012:role/r"});
    let reply = emu.post("/_emulator/evaluate", &body.to_string()).expect_ok();
    assert_eq!(reply.json(), cli);
    assert_eq!(cli["decidedBy"], "roleTrust");
    // Evaluating is not a request to the emulator: nothing is logged.
    assert!(emu.decisions(10).as_array().unwrap().is_empty());
}

#[test]
fn evaluate_names_the_field_of_bad_input() {
    let emu = Emulator::start();
    for (body, field, words) in [
        ("not json", "body", "JSON"),
        (r#"{"resource": "*"}"#, "action", "action is required"),
        (
            r#"{"action": "s3:GetObject"}"#,
            "resource",
            "resource is required",
        ),
        (
            r#"{"action": "a:b", "resource": "*", "principal": "bob"}"#,
            "principal",
            "--principal",
        ),
        (
            r#"{"action": "a:b", "resource": "*", "context": ["novalue"]}"#,
            "context",
            "KEY=VALUE",
        ),
        (
            r#"{"action": "a:b", "resource": "*", "policies": ["{\"Version\": \"2012-10-17\", \"Statement\": ["]}"#,
            "policy",
            "identity policy",
        ),
        (
            r#"{"action": "a:b", "resource": "*", "resourcePolicy": "{}", "trustPolicy": "{}"}"#,
            "trust-policy",
            "either",
        ),
        (
            r#"{"action": "a:b", "resource": "*", "polices": []}"#,
            "body",
            "unknown field",
        ),
    ] {
        let reply = emu.post("/_emulator/evaluate", body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        let value = reply.json();
        assert_eq!(value["field"], field, "{body}: {value}");
        assert!(
            value["error"].as_str().unwrap().contains(words),
            "{body}: {value}"
        );
    }
    // A blank policy counts as not given, as an empty playground field.
    let reply = emu
        .post(
            "/_emulator/evaluate",
            r#"{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "policies": ["  "], "boundary": ""}"#,
        )
        .expect_ok();
    assert_eq!(reply.json()["decision"], "implicitDeny");
    assert_eq!(reply.json()["trace"], json!([]));
}

#[test]
fn validate_returns_access_analyzer_findings_for_one_policy() {
    let emu = Emulator::start();
    let body = json!({"policyDocument": HOME, "policyType": "IDENTITY_POLICY"});
    let value = emu
        .post("/_emulator/validate", &body.to_string())
        .expect_ok()
        .json();
    let findings = value["findings"].as_array().unwrap();
    let invalid = findings
        .iter()
        .find(|f| f["issueCode"] == "INVALID_ACTION")
        .unwrap_or_else(|| panic!("{value}"));
    assert_eq!(invalid["findingType"], "ERROR");
    assert_eq!(invalid["locations"][0]["span"]["start"]["line"], 5);

    let trust = json!({"policyDocument": "{\"Statement\": []}", "policyType": "RESOURCE_POLICY",
                       "validatePolicyResourceType": "AWS::IAM::AssumeRolePolicyDocument"});
    let value = emu
        .post("/_emulator/validate", &trust.to_string())
        .expect_ok()
        .json();
    assert!(!value["findings"].as_array().unwrap().is_empty(), "{value}");
    for (bad, field) in [
        (json!({"policyType": "IDENTITY_POLICY"}), "policyDocument"),
        (
            json!({"policyDocument": "{}", "policyType": "NOPE"}),
            "policyType",
        ),
        (
            json!({"policyDocument": "{}", "validatePolicyResourceType": "AWS::Nope"}),
            "validatePolicyResourceType",
        ),
    ] {
        let reply = emu.post("/_emulator/validate", &bad.to_string());
        assert_eq!(reply.status, 400);
        assert_eq!(reply.json()["field"], field);
    }
}

#[test]
fn entities_show_the_state_with_findings_and_without_secrets() {
    let emu = Emulator::start();
    let fx = emu
        .apply_fixtures(
            &Fixtures::from_json(
                r#"{
  "policies": [{"name": "read-reports", "document": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}}],
  "groups":   [{"name": "analysts", "managed_policies": ["read-reports"],
                "policies": {"typo": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:ListObject\", \"Resource\": \"*\"}]}"}}],
  "users":    [{"name": "alice", "groups": ["analysts"], "tags": {"team": "data"},
                "permissions_boundary": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}],
  "roles":    [{"name": "auditor", "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "sts:AssumeRole"}]},
                "managed_policies": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]}],
  "buckets":  [{"name": "reports", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]},
                "objects": {"a.csv": "1"}},
               {"name": "open", "public_access_block": false}]
}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let alice = fx.credentials("alice");
    let session = emu.client(&alice).get_session_token();

    let reply = emu.get("/_emulator/entities").expect_ok();
    for secret in [
        alice.secret_access_key.as_str(),
        session.secret_access_key.as_str(),
        session.session_token.as_deref().unwrap(),
        iam_emulator::state::DEFAULT_SECRET_KEY,
    ] {
        assert!(!reply.body.contains(secret), "the entities view shows a secret");
    }
    let value = reply.json();
    let account = &value["accounts"][0];
    assert_eq!(account["id"], "123456789012");
    assert_eq!(account["rootAccessKeys"], json!(["AKIAIOSFODNN7EXAMPLE"]));

    let user = &account["users"][0];
    assert_eq!(user["name"], "alice");
    assert_eq!(user["groups"], json!(["analysts"]));
    assert_eq!(user["tags"], json!({"team": "data"}));
    assert_eq!(user["accessKeys"][0]["accessKeyId"], alice.access_key_id.as_str());
    assert_eq!(user["accessKeys"][0]["status"], "Active");
    assert!(user["accessKeys"][0]["lastUsed"].is_object(), "{user}");
    assert_eq!(
        user["permissionsBoundary"]["arn"],
        "arn:aws:iam::aws:policy/AmazonS3FullAccess"
    );

    let group = &account["groups"][0];
    assert_eq!(group["members"], json!(["alice"]));
    let typo = &group["inlinePolicies"][0];
    assert_eq!(typo["name"], "typo");
    // Pretty-printed in the document's own order, findings located in that text.
    let document = typo["document"].as_str().unwrap();
    assert!(
        document.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["),
        "{document}"
    );
    let finding = &typo["findings"][0];
    assert_eq!(finding["issueCode"], "INVALID_ACTION");
    let span = &finding["locations"][0]["span"];
    let chars: Vec<char> = document.chars().collect();
    let at = |p: &Value| usize::try_from(p["offset"].as_u64().unwrap()).unwrap();
    let marked: String = chars[at(&span["start"])..at(&span["end"])].iter().collect();
    assert_eq!(marked, "\"s3:ListObject\"");
    let managed_arn = group["attachedPolicies"][0]["arn"].as_str().unwrap();
    assert!(managed_arn.ends_with(":policy/read-reports"));
    assert!(value["managedPolicies"][managed_arn]["document"]
        .as_str()
        .unwrap()
        .contains("arn:aws:s3:::reports/*"));
    assert!(
        value["managedPolicies"]["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]["document"].is_string()
    );
    assert!(value["managedPolicies"]["arn:aws:iam::aws:policy/AmazonS3FullAccess"].is_object());

    let role = &account["roles"][0];
    assert_eq!(role["name"], "auditor");
    assert!(role["trustPolicy"]["document"]
        .as_str()
        .unwrap()
        .contains("sts:AssumeRole"));
    assert_eq!(role["trustPolicy"]["policyType"], "RESOURCE_POLICY");
    assert_eq!(account["policies"][0]["name"], "read-reports");
    assert_eq!(account["policies"][0]["attachments"], 1);

    let buckets = value["buckets"].as_array().unwrap();
    let open = buckets.iter().find(|b| b["name"] == "open").unwrap();
    assert_eq!(open["publicAccessBlock"], Value::Null);
    assert_eq!(open["effectivePublicAccessBlock"]["RestrictPublicBuckets"], false);
    let reports = buckets.iter().find(|b| b["name"] == "reports").unwrap();
    assert_eq!(reports["objects"], 1);
    assert_eq!(reports["publicAccessBlock"]["BlockPublicPolicy"], true);
    assert!(reports["policy"]["document"]
        .as_str()
        .unwrap()
        .contains("user/alice"));
    assert_eq!(reports["policy"]["policyType"], "RESOURCE_POLICY");
    assert_eq!(reports["publicPolicyStatements"], json!([]));

    let sessions = value["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["accessKeyId"], session.access_key_id.as_str());
}

#[test]
fn entities_show_credentials_by_id_never_their_secrets() {
    use iam_emulator_tests::iam::ok;
    use iam_emulator_tests::totp::{base32_encode, code_at, emulator_now, new_device};
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("alice");
    let password = "Console-Password-1";
    ok(
        &root,
        &[
            ("Action", "CreateLoginProfile"),
            ("UserName", "alice"),
            ("Password", password),
            ("PasswordResetRequired", "true"),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "UpdateAccountPasswordPolicy"),
            ("MinimumPasswordLength", "12"),
            ("RequireSymbols", "true"),
            ("AllowUsersToChangePassword", "true"),
        ],
    );
    ok(
        &root,
        &[("Action", "CreateAccountAlias"), ("AccountAlias", "example-corp")],
    );
    let (serial, seed) = new_device(&root, "alice-phone");
    let _ = new_device(&root, "spare");
    let now = emulator_now(&emu);
    ok(
        &root,
        &[
            ("Action", "EnableMFADevice"),
            ("UserName", "alice"),
            ("SerialNumber", &serial),
            ("AuthenticationCode1", &code_at(&seed, now - 30)),
            ("AuthenticationCode2", &code_at(&seed, now)),
        ],
    );
    let ssh = ok(
        &root,
        &[
            ("Action", "UploadSSHPublicKey"),
            ("UserName", "alice"),
            (
                "SSHPublicKeyBody",
                include_str!("../../emulator/tests/data/ssh_rsa.pub"),
            ),
        ],
    );
    let signing = ok(
        &root,
        &[
            ("Action", "UploadSigningCertificate"),
            ("UserName", "alice"),
            (
                "CertificateBody",
                include_str!("../../emulator/tests/data/cert.pem"),
            ),
        ],
    );
    let credential = ok(
        &root,
        &[
            ("Action", "CreateServiceSpecificCredential"),
            ("UserName", "alice"),
            ("ServiceName", "codecommit.amazonaws.com"),
        ],
    );
    let private_key = include_str!("../../emulator/tests/data/key.pem");
    ok(
        &root,
        &[
            ("Action", "UploadServerCertificate"),
            ("ServerCertificateName", "web"),
            (
                "CertificateBody",
                include_str!("../../emulator/tests/data/cert.pem"),
            ),
            ("PrivateKey", private_key),
        ],
    );

    let reply = emu.get("/_emulator/entities").expect_ok();
    // The seed as Base32, as CreateVirtualMFADevice showed it once.
    let b32 = base32_encode(&seed);
    let service_password = credential.text("ServicePassword").unwrap();
    let key_body = private_key.lines().nth(1).unwrap();
    for secret in [password, b32.as_str(), service_password.as_str(), key_body] {
        assert!(
            !reply.body.contains(secret),
            "the entities view shows a secret: {secret}"
        );
    }
    let value = reply.json();
    let account = &value["accounts"][0];
    assert_eq!(account["alias"], "example-corp");
    assert_eq!(account["passwordPolicy"]["minimumLength"], 12);
    assert_eq!(account["passwordPolicy"]["allowUsersToChangePassword"], true);
    let devices = account["mfaDevices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    let phone = devices
        .iter()
        .find(|d| d["serialNumber"] == serial.as_str())
        .unwrap();
    assert_eq!(phone["user"], "alice");
    assert!(phone["enabled"].is_string());
    let spare = devices.iter().find(|d| d["name"] == "spare").unwrap();
    assert_eq!(spare["user"], Value::Null);
    assert_eq!(account["serverCertificates"][0]["name"], "web");
    assert!(account["serverCertificates"][0]["expiration"]
        .as_str()
        .unwrap()
        .starts_with("2036-"));

    let c = &account["users"][0]["credentials"];
    assert_eq!(c["loginProfile"]["passwordResetRequired"], true);
    assert_eq!(c["mfaDevices"], json!([serial]));
    assert_eq!(
        c["sshPublicKeys"][0]["id"],
        ssh.text("SSHPublicKeyId").unwrap().as_str()
    );
    assert_eq!(
        c["sshPublicKeys"][0]["fingerprint"],
        "cb:58:24:ea:8c:af:80:6b:d3:71:ad:42:69:a4:b0:9f"
    );
    assert_eq!(
        c["signingCertificates"][0]["id"],
        signing.text("CertificateId").unwrap().as_str()
    );
    assert_eq!(c["serviceCredentials"][0]["userName"], "alice-at-123456789012");
    assert_eq!(c["serviceCredentials"][0]["status"], "Active");
}

#[test]
fn a_denied_request_is_in_the_log_the_console_polls() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("private").expect_ok();
    let reply = emu.anonymous_s3("GET", "/private/secret.txt", &[], &[], b"");
    assert_eq!(reply.status, 403, "{}", reply.body);
    let log = emu.decisions(5);
    let denied = &log[0];
    assert_eq!(denied["decision"], "implicitDeny");
    assert_eq!(denied["principal"], "anonymous");
    assert_eq!(denied["action"], "s3:GetObject");
    assert!(denied["summary"].as_str().unwrap().starts_with("Denied"));
    assert!(denied["requestId"].is_string() && denied["time"].is_string());
}
