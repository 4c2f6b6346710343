//! `iam-emulator explain` as a user runs it: files in, words or JSON out,
//! exit code 0 allowed / 1 denied / 2 bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("iam-explain-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn explain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iam-emulator"))
        .arg("explain")
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const HOME: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Home", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"}]}"#;

#[test]
fn allowed_exits_zero_denied_exits_one() {
    let dir = Dir::new("codes");
    let p = dir.file("home.json", HOME);
    let ok = explain(&[
        "--policy",
        &p,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/home/alice/x",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).starts_with("Decision: allowed"));
    let denied = explain(&[
        "--policy",
        &p,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/home/bob/x",
    ]);
    assert_eq!(denied.status.code(), Some(1));
    let text = stdout(&denied);
    assert!(
        text.contains("because no identity-based policy allows the s3:GetObject action"),
        "{text}"
    );
    assert!(
        text.contains("statement 1 \"Home\" (Allow): does not apply"),
        "{text}"
    );
}

#[test]
fn json_output_carries_the_decision() {
    let dir = Dir::new("json");
    let p = dir.file("home.json", HOME);
    let out = explain(&[
        "--policy",
        &p,
        "--action",
        "s3:getobject",
        "--resource",
        "arn:aws:s3:::b/home/alice/x",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["decision"], "allowed");
    assert_eq!(json["deciding"][0]["sid"], "Home");
}

#[test]
fn repeated_context_key_is_multivalued() {
    let dir = Dir::new("multi");
    let p = dir.file(
        "tags.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*",
            "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}]}"#,
    );
    let base = ["--policy", &p, "--action", "ec2:CreateTags", "--resource", "*"];
    let both = explain(
        &[
            &base[..],
            &["--context", "aws:TagKeys=env", "--context", "aws:TagKeys=team"],
        ]
        .concat(),
    );
    assert_eq!(both.status.code(), Some(0), "{}", stdout(&both));
    let extra = explain(
        &[
            &base[..],
            &["--context", "aws:TagKeys=env", "--context", "aws:TagKeys=owner"],
        ]
        .concat(),
    );
    assert_eq!(extra.status.code(), Some(1));
    assert!(
        stdout(&extra).contains("[\"env\", \"owner\"]"),
        "{}",
        stdout(&extra)
    );
}

#[test]
fn session_principal_scp_and_resource_policy() {
    let dir = Dir::new("session");
    let bucket = dir.file(
        "bucket.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Reader"},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let scp = dir.file(
        "scp.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
    );
    let session = "arn:aws:sts::123456789012:assumed-role/Reader/build-42";
    let args = [
        "--resource-policy",
        &bucket,
        "--principal",
        session,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ];
    assert_eq!(explain(&args).status.code(), Some(0));
    let denied = explain(&[&args[..], &["--scp", &scp]].concat());
    assert_eq!(denied.status.code(), Some(1));
    assert!(stdout(&denied).contains("with an explicit deny in a service control policy"));
}

#[test]
fn bad_input_exits_two_with_a_clear_message() {
    let dir = Dir::new("bad");
    let broken = dir.file(
        "broken.json",
        "{\"Version\": \"2012-10-17\",\n  \"Statement\": [\n",
    );
    let out = explain(&["--policy", &broken, "--action", "s3:GetObject", "--resource", "*"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json: invalid JSON at line"), "{err}");

    let version = dir.file("v.json", r#"{"Version":"2024-10-24","Statement":[]}"#);
    let out = explain(&[
        "--policy",
        &version,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2024-10-24"));

    let out = explain(&[
        "--principal",
        "bob",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = explain(&[
        "--context",
        "novalue",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = explain(&[
        "--policy",
        "/nonexistent/p.json",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// `--principal` takes every kind of principal a request comes from.
fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn a_role_arn_is_decided_as_a_session_of_the_role_under_its_boundary() {
    let dir = Dir::new("role");
    let all = dir.file(
        "all.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    let boundary = dir.file(
        "boundary.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/team/deployer"}}}]}"#,
    );
    let args = |action: &'static str, resource: &'static str| {
        vec![
            "--principal".to_string(),
            "arn:aws:iam::123456789012:role/team/deployer".into(),
            "--policy".into(),
            all.clone(),
            "--boundary".into(),
            boundary.clone(),
            "--action".into(),
            action.into(),
            "--resource".into(),
            resource.into(),
            "--json".into(),
        ]
    };
    let run = |a: Vec<String>| explain(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let denied = run(args("iam:CreateUser", "arn:aws:iam::123456789012:user/mallory"));
    assert_eq!(denied.status.code(), Some(1), "{}", stdout(&denied));
    let d = json(&denied);
    assert_eq!(
        d["principal"],
        "arn:aws:sts::123456789012:assumed-role/deployer/session"
    );
    assert_eq!(d["decidedBy"], "permissionsBoundary");
    // aws:PrincipalArn is the role's ARN, path included.
    let allowed = run(args(
        "iam:GetRole",
        "arn:aws:iam::123456789012:role/team/deployer",
    ));
    assert_eq!(allowed.status.code(), Some(0), "{}", stdout(&allowed));
}

#[test]
fn federated_service_anonymous_and_federated_user_principals() {
    let dir = Dir::new("kinds");
    let trust = dir.file(
        "trust.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
            "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
            "Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:*"}}}]}"#,
    );
    let oidc = |sub: &str| {
        explain(&[
            "--principal",
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            "--trust-policy",
            &trust,
            "--action",
            "sts:AssumeRoleWithWebIdentity",
            "--resource",
            "arn:aws:iam::123456789012:role/ci",
            "--context",
            &format!("token.actions.githubusercontent.com:sub={sub}"),
        ])
    };
    assert_eq!(oidc("repo:octo/app:ref:refs/heads/main").status.code(), Some(0));
    assert_eq!(oidc("repo:evil/app:ref:refs/heads/main").status.code(), Some(1));

    let queue_policy = dir.file(
        "queue.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},
            "Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:q",
            "Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"},
                         "StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#,
    );
    let service = |source: &str| {
        explain(&[
            "--principal",
            "sns.amazonaws.com",
            "--resource-policy",
            &queue_policy,
            "--action",
            "sqs:SendMessage",
            "--resource",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "--context",
            &format!("aws:SourceArn={source}"),
            "--context",
            "aws:SourceAccount=123456789012",
        ])
    };
    assert_eq!(
        service("arn:aws:sns:us-east-1:123456789012:topic").status.code(),
        Some(0)
    );
    assert_eq!(
        service("arn:aws:sns:us-east-1:123456789012:other").status.code(),
        Some(1)
    );

    let public = dir.file(
        "public.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}"#,
    );
    let anonymous = explain(&[
        "--principal",
        "*",
        "--resource-policy",
        &public,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::site/index.html",
        "--resource-account",
        "123456789012",
    ]);
    assert_eq!(anonymous.status.code(), Some(0), "{}", stdout(&anonymous));

    let home = dir.file(
        "fed.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let fed = explain(&[
        "--principal",
        "arn:aws:sts::123456789012:federated-user/bob",
        "--policy",
        &home,
        "--session-policy",
        &home,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
        "--json",
    ]);
    assert_eq!(fed.status.code(), Some(0), "{}", stdout(&fed));
    assert_eq!(
        json(&fed)["principal"],
        "arn:aws:sts::123456789012:federated-user/bob"
    );
}

// STS API Reference, GetCallerIdentity: "If an administrator attaches a policy to your identity
// that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this
// operation."
#[test]
fn rules_beside_the_policies_are_named() {
    let dir = Dir::new("rules");
    let deny = dir.file(
        "deny.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
    );
    let who = explain(&[
        "--policy",
        &deny,
        "--action",
        "sts:GetCallerIdentity",
        "--resource",
        "*",
    ]);
    assert_eq!(who.status.code(), Some(0));
    let text = stdout(&who);
    assert!(
        text.contains("needs no permission") && text.contains("AWS rule: needsNoPermission"),
        "{text}"
    );

    let all = dir.file(
        "all.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    let managed = explain(&[
        "--policy",
        &all,
        "--action",
        "iam:DeletePolicy",
        "--resource",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "--resource-account",
        "123456789012",
        "--json",
    ]);
    assert_eq!(managed.status.code(), Some(1));
    let d = json(&managed);
    assert_eq!(d["rule"]["name"], "awsOwnedResource");
    assert_eq!(d["rule"]["owner"], "managedPolicy");
    assert!(
        d["summary"].as_str().unwrap().contains("AWS-owned resource"),
        "{d}"
    );
}
