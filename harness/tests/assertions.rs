//! `assert_allowed` / `assert_denied`: decided by the emulator's policy
//! simulator, and explained by it when they fail.

use iam_harness::{Applied, Emulator, Fixtures};
use std::panic::{catch_unwind, AssertUnwindSafe};

const FIXTURES: &str = r#"{
  "policies": [
    {"name": "boundary-s3-only", "document": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
    {"name": "list-users", "document": {"Version": "2012-10-17", "Statement": [
      {"Sid": "ListThem", "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}}
  ],
  "groups": [{"name": "admins", "managed_policies": ["list-users"]}],
  "users": [
    {"name": "alice", "policies": {"home": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Home", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
       "Resource": "arn:aws:s3:::bkt/home/${aws:username}/*"},
      {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bkt/home/alice/secret*"}]}}},
    {"name": "bounded", "permissions_boundary": "boundary-s3-only", "groups": ["admins"]},
    {"name": "guest"},
    {"name": "lister", "groups": ["admins"]},
    {"name": "reader"}
  ],
  "roles": [{"name": "deployer",
    "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "sts:AssumeRole"}]},
    "policies": {"deploy": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bkt/releases/*"}]}}}],
  "buckets": [{"name": "bkt", "objects": {"home/alice/notes.txt": "n"},
    "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "ReaderMayRead", "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::123456789012:user/reader"},
      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/public/*"}]}}]
}"#;

/// The resource IAM authorizes ListUsers on.
const USERS: &str = "arn:aws:iam::123456789012:user/";

fn setup() -> (Emulator, Applied) {
    let emu = Emulator::start();
    let fx = emu
        .apply_fixtures(&Fixtures::from_json(FIXTURES).unwrap())
        .unwrap();
    (emu, fx)
}

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the assertion should fail");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_default()
}

#[test]
fn allowed_and_denied_as_the_policies_say() {
    let (emu, fx) = setup();
    let alice = fx.credentials("alice");
    let sim = emu.assert_allowed(&alice, "s3:GetObject", "arn:aws:s3:::bkt/home/alice/notes.txt");
    assert_eq!(sim.decision, "allowed");
    assert_eq!(sim.principal, "arn:aws:iam::123456789012:user/alice");
    assert_eq!(sim.matched.len(), 1);
    assert_eq!(sim.matched[0].source_policy_id, "home");
    assert!(
        sim.matched[0]
            .text
            .as_deref()
            .unwrap()
            .contains(r#""Sid":"Home""#),
        "{sim}"
    );
    emu.assert_denied(&alice, "s3:GetObject", "arn:aws:s3:::bkt/home/bob/notes.txt");
    let denied = emu.assert_denied(&alice, "s3:GetObject", "arn:aws:s3:::bkt/home/alice/secret.txt");
    assert_eq!(denied.decision, "explicitDeny");
    emu.assert_denied(&alice, "iam:ListUsers", "*");
}

#[test]
fn a_failed_assert_allowed_shows_the_emulators_explanation() {
    let (emu, fx) = setup();
    let alice = fx.credentials("alice");
    let message = panic_message(|| {
        emu.assert_allowed(&alice, "s3:GetObject", "arn:aws:s3:::bkt/home/bob/notes.txt");
    });
    assert!(
        message.starts_with(
            "expected arn:aws:iam::123456789012:user/alice to be allowed s3:GetObject on arn:aws:s3:::bkt/home/bob/notes.txt, but the emulator decided implicitDeny"
        ),
        "{message}"
    );
    assert!(message.contains("EvalDecision: implicitDeny"), "{message}");
    assert!(message.contains("Matched statements: none"), "{message}");
    assert!(
        message.contains(
            r#"Message: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bkt/home/bob/notes.txt" because no identity-based policy allows the s3:GetObject action"#
        ),
        "{message}"
    );

    // An explicit deny names the statement that denies.
    let message = panic_message(|| {
        emu.assert_allowed(&alice, "s3:PutObject", "arn:aws:s3:::bkt/home/alice/secret.txt");
    });
    assert!(message.contains("EvalDecision: explicitDeny"), "{message}");
    assert!(
        message.contains("with an explicit deny in an identity-based policy"),
        "{message}"
    );
    assert!(message.contains(r#"- user policy "home" at "#), "{message}");
    assert!(message.contains(r#""Sid":"NoSecrets""#), "{message}");
}

#[test]
fn a_failed_assert_denied_names_the_statements_that_allow() {
    let (emu, fx) = setup();
    let reader = fx.credentials("reader");
    let message = panic_message(|| {
        emu.assert_denied(&reader, "s3:GetObject", "arn:aws:s3:::bkt/public/page.html");
    });
    assert!(
        message.starts_with(
            "expected arn:aws:iam::123456789012:user/reader to be denied s3:GetObject on arn:aws:s3:::bkt/public/page.html, but the emulator decided allowed"
        ),
        "{message}"
    );
    assert!(
        message.contains("Resource Policy policy \"ResourcePolicy\""),
        "{message}"
    );
    assert!(message.contains(r#""Sid":"ReaderMayRead""#), "{message}");
    assert!(message.contains("Bucket policy simulated: "), "{message}");
}

#[test]
fn bucket_policies_take_part_for_users() {
    let (emu, fx) = setup();
    let reader = fx.credentials("reader");
    let sim = emu.assert_allowed(&reader, "s3:GetObject", "arn:aws:s3:::bkt/public/page.html");
    assert!(sim.resource_policy.is_some());
    emu.assert_denied(&reader, "s3:GetObject", "arn:aws:s3:::bkt/home/alice/notes.txt");
    // The simulator agrees with the real request.
    let as_reader = emu.client(&reader);
    let _ = as_reader
        .s3("GET", "/bkt/home/alice/notes.txt", &[], &[], b"")
        .expect_error(403, "AccessDenied");
}

#[test]
fn permissions_boundaries_and_managed_policies_in_groups() {
    let (emu, fx) = setup();
    let bounded = fx.credentials("bounded");
    // The group's managed policy allows iam:ListUsers; the boundary does not.
    // (ListUsers is authorized on the account's user path, as in AWS.)
    let sim = emu.assert_denied(&bounded, "iam:ListUsers", USERS);
    assert_eq!(sim.allowed_by_boundary, Some(false));
    assert_eq!(
        sim.message().unwrap(),
        "User: arn:aws:iam::123456789012:user/bounded is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no permissions boundary allows the iam:ListUsers action"
    );
    // Boundaries and identity policies apply to S3 as to IAM.
    emu.assert_denied(&bounded, "s3:GetObject", "arn:aws:s3:::bkt/k");
    let real = emu
        .client(&bounded)
        .query("iam", &[("Action", "ListUsers")])
        .expect_error(403, "AccessDenied");
    assert_eq!(real.error_message(), sim.message());
    let message = panic_message(|| {
        emu.assert_allowed(&bounded, "iam:ListUsers", USERS);
    });
    assert!(
        message.contains("Permissions boundary: does not allow"),
        "{message}"
    );
    assert!(message.contains("Matched statements: none"), "{message}");

    // Without a boundary the group's managed policy allows; its statement is shown.
    let lister = fx.credentials("lister");
    let sim = emu.assert_allowed(&lister, "iam:ListUsers", USERS);
    assert_eq!(sim.allowed_by_boundary, None);
    let shown = sim.to_string();
    assert!(
        shown.contains(r#"- user-managed policy "list-users" at "#) && shown.contains(r#""Sid":"ListThem""#),
        "{shown}"
    );
}

#[test]
fn the_message_is_the_one_a_real_request_gets() {
    let (emu, fx) = setup();
    let guest = fx.credentials("guest");
    let sim = emu.assert_denied(&guest, "iam:ListUsers", USERS);
    let real = emu
        .client(&guest)
        .query("iam", &[("Action", "ListUsers")])
        .expect_error(403, "AccessDenied");
    assert_eq!(real.error_message(), sim.message());
    assert_eq!(emu.decisions(1)[0]["message"].as_str(), sim.message().as_deref());
}

#[test]
fn assumed_role_sessions_are_simulated_as_their_role() {
    let (emu, fx) = setup();
    let alice = fx.credentials("alice");
    let session = emu.client(&alice).assume_role(&fx.role_arn("deployer"), "ci");
    let sim = emu.assert_allowed(&session, "s3:PutObject", "arn:aws:s3:::bkt/releases/v1.tgz");
    assert_eq!(sim.caller, "arn:aws:sts::123456789012:assumed-role/deployer/ci");
    assert_eq!(sim.principal, "arn:aws:iam::123456789012:role/deployer");
    assert!(!sim.notes.is_empty());
    assert!(
        sim.matched[0].text.as_deref().unwrap().contains("releases"),
        "{sim}"
    );
    let sim = emu.assert_denied(&session, "s3:GetObject", "arn:aws:s3:::bkt/releases/v1.tgz");
    assert!(
        sim.message().unwrap().starts_with(
            "User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: s3:GetObject"
        ),
        "{sim}"
    );
}

#[test]
fn root_cannot_be_simulated() {
    let emu = Emulator::start();
    let message = panic_message(|| {
        emu.assert_allowed(&emu.root_credentials(), "s3:GetObject", "arn:aws:s3:::bkt/k");
    });
    assert!(message.contains("root user"), "{message}");
}
