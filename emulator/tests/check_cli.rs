//! `iam-emulator check …` as a CI gate runs it: exit 0 on PASS, 1 on FAIL
//! (with the reasons), 2 on bad input; `--json` prints the API's reply.

use std::path::PathBuf;
use std::process::{Command, Output};

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iam-emulator-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn file(name: &str, policy: &serde_json::Value) -> String {
    let path = dir().join(name);
    std::fs::write(&path, policy.to_string()).unwrap();
    path.display().to_string()
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iam-emulator"))
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_new_access_passes_a_narrowing_and_fails_a_widening() {
    let read = file(
        "read.json",
        &serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}]}),
    );
    let one = file(
        "one.json",
        &serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/reports/*"}]}),
    );
    let all = file(
        "all.json",
        &serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Everything", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    );
    let out = check(&["no-new-access", &read, &one]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("PASS: "));
    let out = check(&["no-new-access", &read, &all]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("New access in the statement with sid: Everything."),
        "{}",
        stdout(&out)
    );
    let out = check(&["no-new-access", &read, &all, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["result"], "FAIL");
    assert_eq!(json["reasons"][0]["statementId"], "Everything");
}

#[test]
fn access_not_granted_by_action_and_resource() {
    let policy = file(
        "grants.json",
        &serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}),
    );
    let out = check(&["access-not-granted", &policy, "--action", "iam:CreateUser"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = check(&["access-not-granted", &policy, "--action", "s3:DeleteBucket"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let out = check(&[
        "access-not-granted",
        &policy,
        "--resource",
        "arn:aws:s3:::secrets/*",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = check(&["access-not-granted", &policy]);
    assert_eq!(out.status.code(), Some(2), "nothing to check is bad input");
}

#[test]
fn no_public_access_per_resource_type() {
    let public = file(
        "public.json",
        &serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}),
    );
    let pinned = file(
        "pinned.json",
        &serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
             "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}),
    );
    let out = check(&["no-public-access", &public, "--resource-type", "AWS::S3::Bucket"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("Public access granted in the following statement with sid: Anyone."));
    let out = check(&["no-public-access", &pinned, "--resource-type", "AWS::S3::Bucket"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = check(&["no-public-access", &public, "--resource-type", "AWS::Nope::Thing"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreadable_or_unparseable_input_is_exit_2() {
    let bad = dir().join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    let bad = bad.display().to_string();
    let out = check(&["no-new-access", &bad, &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a policy"));
    let out = check(&["no-new-access", "/no/such/file.json", &bad]);
    assert_eq!(out.status.code(), Some(2));
}
