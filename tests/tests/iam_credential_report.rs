//! The credential report over the wire: ReportNotPresent before one is
//! generated, the CSV (Base64 in the reply) with every column of AWS's
//! documented format and its values (`N/A`, `not_supported`,
//! `no_information`, ISO 8601 dates), the four hours a report is kept, and
//! its authorization.

use base64::Engine as _;
use iam_emulator_tests::iam::{allow, denied, iam, ok, refused};
use iam_harness::{Client, Emulator};
use std::collections::BTreeMap;

/// The columns in the IAM User Guide's order ("Getting credential reports
/// for your AWS account", "Understanding the report format").
const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

const CERT: &str = include_str!("../../emulator/tests/data/cert.pem");

/// The report's rows by user, each a map from column to value.
fn report(client: &Client) -> (Vec<String>, BTreeMap<String, BTreeMap<String, String>>) {
    let reply = ok(client, &[("Action", "GetCredentialReport")]);
    assert_eq!(reply.text("ReportFormat").as_deref(), Some("text/csv"));
    assert!(reply.text("GeneratedTime").is_some());
    let content = reply.text("Content").expect("Content");
    let csv = base64::engine::general_purpose::STANDARD
        .decode(content)
        .expect("Content is Base64");
    let csv = String::from_utf8(csv).expect("UTF-8");
    let mut lines = csv.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|line| {
            let row: BTreeMap<String, String> = header
                .iter()
                .cloned()
                .zip(line.split(',').map(String::from))
                .collect();
            assert_eq!(row.len(), header.len(), "{line}");
            (row["user"].clone(), row)
        })
        .collect();
    (header, rows)
}

/// `2015-06-17T19:11:50+00:00`, as AWS writes the report's dates.
fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    value.len() == 25
        && value.ends_with("+00:00")
        && b[4] == b'-'
        && b[10] == b'T'
        && value[..4].parse::<u32>().is_ok()
}

fn check(row: &BTreeMap<String, String>, expected: &[(&str, &str)]) {
    for (column, value) in expected {
        assert_eq!(row[*column], *value, "{column} of {}", row["user"]);
    }
}

#[test]
fn the_report_has_aws_columns_and_values() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    refused(
        &root,
        &[("Action", "GetCredentialReport")],
        410,
        "ReportNotPresent",
        "To generate a credential report, use GenerateCredentialReport.",
    );
    // alice: a password under a policy that rotates it, one key used on
    // IAM, a signing certificate. bob: one key used on S3 only. carol: nothing.
    ok(
        &root,
        &[
            ("Action", "UpdateAccountPasswordPolicy"),
            ("MaxPasswordAge", "90"),
        ],
    );
    let alice_keys = root.create_user_with_keys("alice");
    ok(
        &root,
        &[
            ("Action", "CreateLoginProfile"),
            ("UserName", "alice"),
            ("Password", "Report-Password-1"),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "UploadSigningCertificate"),
            ("UserName", "alice"),
            ("CertificateBody", CERT),
        ],
    );
    root.put_user_policy("alice", "read", &allow(&["iam:GetUser"]));
    let _ = emu
        .client(&alice_keys)
        .with_region("eu-west-1")
        .query("iam", &[("Action", "GetUser")])
        .expect_ok();
    let bob_keys = root.create_user_with_keys("bob");
    root.put_user_policy("bob", "s3", &allow(&["s3:ListAllMyBuckets"]));
    let _ = emu.client(&bob_keys).s3("GET", "/", &[], &[], b"").expect_ok();
    root.create_user("carol");

    let started = ok(&root, &[("Action", "GenerateCredentialReport")]);
    assert_eq!(started.text("State").as_deref(), Some("STARTED"));
    let again = ok(&root, &[("Action", "GenerateCredentialReport")]);
    assert_eq!(again.text("State").as_deref(), Some("COMPLETE"));

    let (header, rows) = report(&root);
    assert_eq!(header, COLUMNS);
    assert_eq!(
        rows.keys().map(String::as_str).collect::<Vec<_>>(),
        ["<root_account>", "alice", "bob", "carol"]
    );
    // "The value for the AWS account root user is always not_supported".
    let root_row = &rows["<root_account>"];
    check(
        root_row,
        &[
            ("arn", "arn:aws:iam::123456789012:root"),
            ("password_enabled", "not_supported"),
            ("password_last_changed", "not_supported"),
            ("password_next_rotation", "not_supported"),
            ("mfa_active", "false"),
            ("access_key_1_active", "true"),
        ],
    );
    let alice = &rows["alice"];
    check(
        alice,
        &[
            ("arn", "arn:aws:iam::123456789012:user/alice"),
            ("password_enabled", "true"),
            // "no_information … The user's password has never been used".
            ("password_last_used", "no_information"),
            ("mfa_active", "false"),
            ("access_key_1_active", "true"),
            ("access_key_1_last_used_region", "eu-west-1"),
            ("access_key_1_last_used_service", "iam"),
            ("access_key_2_active", "false"),
            ("access_key_2_last_rotated", "N/A"),
            ("access_key_2_last_used_date", "N/A"),
            ("access_key_2_last_used_region", "N/A"),
            ("access_key_2_last_used_service", "N/A"),
            ("cert_1_active", "true"),
            ("cert_2_active", "false"),
            ("cert_2_last_rotated", "N/A"),
        ],
    );
    for column in [
        "user_creation_time",
        "password_last_changed",
        "password_next_rotation",
        "access_key_1_last_rotated",
        "access_key_1_last_used_date",
        "cert_1_last_rotated",
    ] {
        assert!(is_date(&alice[column]), "{column}: {}", alice[column]);
    }
    // The next rotation is MaxPasswordAge days after the password was set.
    let changed = &alice["password_last_changed"];
    let next = &alice["password_next_rotation"];
    assert!(next > changed && next[..4] >= changed[..4], "{changed} → {next}");
    // "N/A … The last used service is not region-specific, such as Amazon S3".
    check(
        &rows["bob"],
        &[
            ("password_enabled", "false"),
            ("password_last_used", "N/A"),
            ("password_last_changed", "N/A"),
            ("password_next_rotation", "N/A"),
            ("access_key_1_active", "true"),
            ("access_key_1_last_used_service", "s3"),
            ("access_key_1_last_used_region", "N/A"),
        ],
    );
    assert!(is_date(&rows["bob"]["access_key_1_last_used_date"]));
    check(
        &rows["carol"],
        &[
            ("password_enabled", "false"),
            ("password_last_used", "N/A"),
            ("access_key_1_active", "false"),
            ("access_key_1_last_rotated", "N/A"),
            ("access_key_1_last_used_date", "N/A"),
            ("access_key_1_last_used_region", "N/A"),
            ("access_key_1_last_used_service", "N/A"),
            ("cert_1_active", "false"),
            ("cert_1_last_rotated", "N/A"),
        ],
    );
}

#[test]
fn a_report_is_a_snapshot_kept_four_hours() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("before");
    ok(&root, &[("Action", "GenerateCredentialReport")]);
    root.create_user("after");
    // Within four hours, generating again returns the report as it was.
    let complete = ok(&root, &[("Action", "GenerateCredentialReport")]);
    assert_eq!(complete.text("State").as_deref(), Some("COMPLETE"));
    let (_, rows) = report(&root);
    assert!(rows.contains_key("before") && !rows.contains_key("after"));
    emu.advance_clock(4 * 3600 + 1);
    refused(
        &root,
        &[("Action", "GetCredentialReport")],
        410,
        "ReportExpired",
        "has expired",
    );
    let started = ok(&root, &[("Action", "GenerateCredentialReport")]);
    assert_eq!(started.text("State").as_deref(), Some("STARTED"));
    let (_, rows) = report(&root);
    assert!(rows.contains_key("after"));
}

#[test]
fn generating_and_reading_the_report_are_separate_actions() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let alice = emu.client(&root.create_user_with_keys("alice"));
    denied(
        &alice,
        &[("Action", "GenerateCredentialReport")],
        "iam:GenerateCredentialReport",
        "*",
    );
    root.put_user_policy("alice", "generate", &allow(&["iam:GenerateCredentialReport"]));
    ok(&alice, &[("Action", "GenerateCredentialReport")]);
    denied(
        &alice,
        &[("Action", "GetCredentialReport")],
        "iam:GetCredentialReport",
        "*",
    );
    let _ = iam(&root, &[("Action", "GetCredentialReport")]).expect_ok();
}
