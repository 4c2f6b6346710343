//! Fixtures applied through the emulator's API: what they create works,
//! and a broken one names the failing entity and the emulator's error.

use iam_harness::fixtures::{Bucket, Group, ManagedPolicy, Role, User};
use iam_harness::{Emulator, FixtureError, Fixtures};

const DOCUMENT: &str = r#"{
  "policies": [
    {"name": "read-reports", "path": "/team/", "description": "reports, read only",
     "document": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}}
  ],
  "groups": [
    {"name": "analysts", "managed_policies": ["read-reports"],
     "policies": {"list": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports"}]}}}
  ],
  "users": [
    {"name": "alice", "groups": ["analysts"], "tags": {"team": "data", "cost-center": "42"},
     "policies": {"self": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:ListUserTags\",\"Resource\":\"arn:aws:iam::*:user/${aws:username}\"}]}"}},
    {"name": "bob", "path": "/contractors/", "access_key": false}
  ],
  "roles": [
    {"name": "auditor", "max_session_duration": 7200, "tags": {"kind": "audit"},
     "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
       "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "sts:AssumeRole"}]},
     "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}
  ],
  "buckets": [
    {"name": "reports", "objects": {"2024/q1.csv": "a,b\n1,2\n", "2024/q2.csv": "a,b\n3,4\n"}},
    {"name": "public-site", "public_access_block": false,
     "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-site/*"}]},
     "objects": {"index.html": "<h1>hi</h1>"}}
  ]
}"#;

#[test]
fn a_json_document_creates_working_users_roles_and_buckets() -> Result<(), FixtureError> {
    let emu = Emulator::start();
    let fx = emu.apply_fixtures(&Fixtures::from_json(DOCUMENT)?)?;
    let alice = fx.credentials("alice");
    let as_alice = emu.client(&alice);

    // The group's managed policy and inline policy reach alice.
    let got = as_alice.get_object("reports", "2024/q1.csv");
    assert_eq!(got.bytes, b"a,b\n1,2\n");
    let listed = as_alice.s3("GET", "/reports", &[("list-type", "2")], &[], b"");
    assert_eq!(listed.texts("Key"), ["2024/q1.csv", "2024/q2.csv"]);
    let _ = as_alice
        .s3("PUT", "/reports/x", &[], &[], b"no")
        .expect_error(403, "AccessDenied");

    // Her own inline policy, her tags.
    let tags = as_alice
        .query("iam", &[("Action", "ListUserTags"), ("UserName", "alice")])
        .expect_ok();
    assert_eq!(tags.texts("Key"), ["cost-center", "team"]);
    assert_eq!(tags.texts("Value"), ["42", "data"]);

    // ARNs as created (paths included); bob has no key.
    assert_eq!(fx.user_arn("alice"), "arn:aws:iam::123456789012:user/alice");
    assert_eq!(
        fx.user_arn("bob"),
        "arn:aws:iam::123456789012:user/contractors/bob"
    );
    assert!(fx.try_credentials("bob").is_none());
    assert_eq!(
        fx.policy_arn("read-reports"),
        "arn:aws:iam::123456789012:policy/team/read-reports"
    );

    // The role trusts alice and carries an AWS managed policy.
    let session = as_alice.assume_role(&fx.role_arn("auditor"), "audit");
    let _ = emu
        .client(&session)
        .query("iam", &[("Action", "ListUsers")])
        .expect_ok();
    let role = emu
        .client(&emu.root_credentials())
        .query("iam", &[("Action", "GetRole"), ("RoleName", "auditor")])
        .expect_ok();
    assert_eq!(role.text("MaxSessionDuration").as_deref(), Some("7200"));

    // Block Public Access off and a public bucket policy: anonymous reads work.
    let page = emu.anonymous_s3("GET", "/public-site/index.html", &[], &[], b"");
    assert_eq!((page.status, page.body.as_str()), (200, "<h1>hi</h1>"));
    // The other bucket keeps its default settings.
    let _ = emu
        .anonymous_s3("GET", "/reports/2024/q1.csv", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    Ok(())
}

#[test]
fn builders_make_the_same_fixtures() -> Result<(), FixtureError> {
    let emu = Emulator::start();
    let read = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#;
    let fx = emu.apply_fixtures(
        &Fixtures::new()
            .policy(ManagedPolicy::new("read-data", read))
            .group(Group::new("readers").attach("read-data"))
            .user(User::new("carol").group("readers").tag("team", "x"))
            .role(
                Role::new(
                    "worker",
                    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
                )
                .inline_policy("read", read),
            )
            .bucket(Bucket::new("data").object("k", "v")),
    )?;
    let got = emu.client(&fx.credentials("carol")).get_object("data", "k");
    assert_eq!(got.body, "v");
    assert_eq!(fx.role_arn("worker"), "arn:aws:iam::123456789012:role/worker");
    Ok(())
}

#[test]
fn a_broken_fixture_names_the_entity_and_the_emulators_error() {
    let emu = Emulator::start();
    let fixtures = Fixtures::from_json(
        r#"{"users": [
              {"name": "fine"},
              {"name": "bob", "policies": {"broken": {"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
                 "zz-bad": {"Version": "2001-01-01", "Statement": []}}}]}"#,
    )
    .unwrap();
    let err = emu.apply_fixtures(&fixtures).unwrap_err();
    assert_eq!(err.entity, r#"user "bob""#);
    assert_eq!(err.operation, "PutUserPolicy zz-bad");
    assert_eq!((err.status, err.code.as_str()), (400, "MalformedPolicyDocument"));
    assert!(!err.message.is_empty());
    let text = err.to_string();
    assert!(
        text.starts_with(r#"fixture user "bob": PutUserPolicy zz-bad failed: MalformedPolicyDocument: "#),
        "{text}"
    );
    // What came before the failure stays created.
    let _ = emu
        .client(&emu.root_credentials())
        .query("iam", &[("Action", "GetUser"), ("UserName", "fine")])
        .expect_ok();
}

#[test]
fn unknown_references_and_bad_documents_are_reported() {
    let emu = Emulator::start();
    let err = emu
        .apply_fixtures(&Fixtures::new().user(User::new("dave").attach("no-such-policy")))
        .unwrap_err();
    assert_eq!(err.entity, r#"user "dave""#);
    assert_eq!(
        err.operation,
        "AttachUserPolicy arn:aws:iam::123456789012:policy/no-such-policy"
    );
    assert_eq!(err.code, "NoSuchEntity");

    let err = emu
        .apply_fixtures(&Fixtures::new().user(User::new("erin").group("ghosts")))
        .unwrap_err();
    assert_eq!(
        (err.entity.as_str(), err.code.as_str()),
        (r#"user "erin""#, "NoSuchEntity")
    );

    let err = emu
        .apply_fixtures(&Fixtures::new().bucket(Bucket::new("bad-policy").policy("{not json")))
        .unwrap_err();
    assert_eq!(
        (err.entity.as_str(), err.operation.as_str(), err.code.as_str()),
        (r#"bucket "bad-policy""#, "PutBucketPolicy", "MalformedPolicy")
    );

    let err = Fixtures::from_json(r#"{"users": [{"name": "x"}], "buckets": [{"nmae": "b"}]}"#).unwrap_err();
    assert_eq!(
        (err.entity.as_str(), err.code.as_str()),
        ("fixture document", "InvalidFixture")
    );
}

#[test]
fn fixtures_in_another_account() -> Result<(), FixtureError> {
    let emu = Emulator::builder()
        .root_key("111111111111", "AKIAOTHERACCOUNT0001", "other-secret")
        .start();
    let other_root = emu.root_credentials_of("111111111111").unwrap();
    let fx = emu.apply_fixtures_as(&other_root, &Fixtures::new().user(User::new("zed")))?;
    assert_eq!(fx.user_arn("zed"), "arn:aws:iam::111111111111:user/zed");
    let caller = emu.client(&fx.credentials("zed")).caller_arn();
    assert_eq!(caller, "arn:aws:iam::111111111111:user/zed");
    Ok(())
}
