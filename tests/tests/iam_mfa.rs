//! Virtual MFA devices over the wire, with codes computed from the seed
//! the emulator hands out ([`iam_emulator_tests::totp`]: RFC 6238 written
//! out, independent of the emulator's own TOTP code): enabling
//! needs two valid codes, STS sessions created with a code carry
//! `aws:MultiFactorAuthPresent`, a code is accepted once, each operation
//! is its own action, the account summary counts devices, and an enabled
//! device keeps working after a restart.

use base64::Engine as _;
use iam_emulator_tests::iam::{allow, denied, iam, ok, refused, StateDir};
use iam_emulator_tests::totp::{code_at, emulator_now, new_device};
use iam_harness::{Client, Credentials, Emulator, Reply};

fn enable(client: &Client, user: &str, serial: &str, first: &str, second: &str) -> Reply {
    iam(
        client,
        &[
            ("Action", "EnableMFADevice"),
            ("UserName", user),
            ("SerialNumber", serial),
            ("AuthenticationCode1", first),
            ("AuthenticationCode2", second),
        ],
    )
}

/// GetSessionToken with a code of the device.
fn mfa_session(client: &Client, serial: &str, code: &str) -> Reply {
    client.query(
        "sts",
        &[
            ("Action", "GetSessionToken"),
            ("SerialNumber", serial),
            ("TokenCode", code),
        ],
    )
}

const DENY_WITHOUT_MFA: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"},
  {"Effect":"Deny","Action":"iam:ListUsers","Resource":"*",
   "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;

#[test]
fn an_enabled_device_gives_sessions_mfa() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let alice_keys = root.create_user_with_keys("alice");
    let alice = emu.client(&alice_keys);
    root.put_user_policy("alice", "mfa-only", DENY_WITHOUT_MFA);
    let (serial, seed) = new_device(&root, "alice-phone");
    assert_eq!(serial, "arn:aws:iam::123456789012:mfa/alice-phone");
    let now = emulator_now(&emu);
    refused(
        &root,
        &[
            ("Action", "EnableMFADevice"),
            ("UserName", "alice"),
            ("SerialNumber", &serial),
            ("AuthenticationCode1", "123456"),
            ("AuthenticationCode2", "654321"),
        ],
        403,
        "InvalidAuthenticationCode",
        "Authentication code for device is not valid.",
    );
    // Two consecutive codes, as a person reads them off the device.
    let _ = enable(
        &root,
        "alice",
        &serial,
        &code_at(&seed, now - 30),
        &code_at(&seed, now),
    )
    .expect_ok();
    let _ = enable(
        &root,
        "alice",
        &serial,
        &code_at(&seed, now - 30),
        &code_at(&seed, now),
    )
    .expect_error(409, "EntityAlreadyExists");
    let devices = ok(&root, &[("Action", "ListMFADevices"), ("UserName", "alice")]);
    assert_eq!(devices.texts("SerialNumber"), [serial.as_str()]);
    let assigned = ok(
        &root,
        &[
            ("Action", "ListVirtualMFADevices"),
            ("AssignmentStatus", "Assigned"),
        ],
    );
    assert_eq!(assigned.texts("UserName"), ["alice"]);
    let unassigned = ok(
        &root,
        &[
            ("Action", "ListVirtualMFADevices"),
            ("AssignmentStatus", "Unassigned"),
        ],
    );
    assert!(unassigned.texts("SerialNumber").is_empty());

    // Long-term keys carry no MFA: BoolIfExists denies.
    let _ = iam(&alice, &[("Action", "ListUsers")]).expect_error(403, "AccessDenied");
    // A session created with the device's code carries it.
    emu.advance_clock(30);
    let code = code_at(&seed, emulator_now(&emu));
    let session = mfa_session(&alice, &serial, &code).expect_ok();
    let creds = session.credentials().expect("session credentials");
    let _ = emu
        .client(&creds)
        .query("iam", &[("Action", "ListUsers")])
        .expect_ok();
    // The code of that step was used: it is not accepted again.
    let again = mfa_session(&alice, &serial, &code).expect_error(403, "AccessDenied");
    assert!(again
        .error_message()
        .unwrap_or_default()
        .contains("MultiFactorAuthentication failed"));
    // A serial number that is not alice's device is refused as STS words it.
    let _ = alice
        .query(
            "sts",
            &[
                ("Action", "GetSessionToken"),
                ("SerialNumber", "arn:aws:iam::123456789012:mfa/none"),
                ("TokenCode", "123456"),
            ],
        )
        .expect_error(403, "AccessDenied");

    let summary = ok(&root, &[("Action", "GetAccountSummary")]);
    let entry = |key: &str| {
        let at = summary.body.find(&format!("<key>{key}</key>")).expect(key);
        let rest = &summary.body[at..];
        rest[rest.find("<value>").unwrap_or(0) + 7..rest.find("</value>").unwrap_or(0)].to_string()
    };
    assert_eq!(entry("MFADevices"), "1");
    assert_eq!(entry("MFADevicesInUse"), "1");
    // Root MFA cannot be enabled through the API, so it is never on here.
    assert_eq!(entry("AccountMFAEnabled"), "0");

    // The credential report says so too.
    ok(&root, &[("Action", "GenerateCredentialReport")]);
    let report = ok(&root, &[("Action", "GetCredentialReport")]);
    let csv = base64::engine::general_purpose::STANDARD
        .decode(report.text("Content").unwrap_or_default())
        .unwrap_or_default();
    let csv = String::from_utf8(csv).unwrap_or_default();
    let alice_row: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("alice,"))
        .unwrap_or_default()
        .split(',')
        .collect();
    assert_eq!(alice_row.get(7), Some(&"true"), "mfa_active: {csv}");

    // In use: deactivate before deleting.
    refused(
        &root,
        &[("Action", "DeleteVirtualMFADevice"), ("SerialNumber", &serial)],
        409,
        "DeleteConflict",
        "MFA VirtualDevice in use. Must deactivate first.",
    );
    refused(
        &root,
        &[("Action", "DeleteUser"), ("UserName", "alice")],
        409,
        "DeleteConflict",
        "must delete",
    );
    ok(
        &root,
        &[
            ("Action", "DeactivateMFADevice"),
            ("UserName", "alice"),
            ("SerialNumber", &serial),
        ],
    );
    ok(
        &root,
        &[("Action", "DeleteVirtualMFADevice"), ("SerialNumber", &serial)],
    );
    refused(
        &root,
        &[("Action", "DeleteVirtualMFADevice"), ("SerialNumber", &serial)],
        404,
        "NoSuchEntity",
        "doesn't exist",
    );
}

#[test]
fn a_device_is_one_path_and_name() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let (first, _) = new_device(&root, "phone");
    let second = ok(
        &root,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", "phone"),
            ("Path", "/team/"),
        ],
    );
    assert_eq!(first, "arn:aws:iam::123456789012:mfa/phone");
    assert_eq!(
        second.text("SerialNumber").as_deref(),
        Some("arn:aws:iam::123456789012:mfa/team/phone")
    );
    refused(
        &root,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", "PHONE"),
        ],
        409,
        "EntityAlreadyExists",
        "MFADevice entity at the same path and name already exists.",
    );
    let listed = ok(&root, &[("Action", "ListVirtualMFADevices")]);
    assert_eq!(listed.texts("SerialNumber").len(), 2);
}

#[test]
fn resync_accepts_a_drifted_device() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("alice");
    let (serial, seed) = new_device(&root, "drifty");
    let now = emulator_now(&emu);
    let _ = enable(
        &root,
        "alice",
        &serial,
        &code_at(&seed, now - 30),
        &code_at(&seed, now),
    )
    .expect_ok();
    // The device's clock runs twenty minutes ahead: out of a sign-in's reach,
    // within ResyncMFADevice's.
    let ahead = now + 1200;
    let resync = |first: &str, second: &str| {
        iam(
            &root,
            &[
                ("Action", "ResyncMFADevice"),
                ("UserName", "alice"),
                ("SerialNumber", &serial),
                ("AuthenticationCode1", first),
                ("AuthenticationCode2", second),
            ],
        )
    };
    let _ = resync("000000", "111111").expect_error(403, "InvalidAuthenticationCode");
    let _ = resync(&code_at(&seed, ahead), &code_at(&seed, ahead + 30)).expect_ok();
}

#[test]
fn each_mfa_operation_is_its_own_action() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let alice = emu.client(&root.create_user_with_keys("alice"));
    root.create_user("bob");
    denied(
        &alice,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", "x"),
        ],
        "iam:CreateVirtualMFADevice",
        "arn:aws:iam::123456789012:mfa/x",
    );
    let (serial, seed) = new_device(&root, "bobs");
    let now = emulator_now(&emu);
    let (first, second) = (code_at(&seed, now - 30), code_at(&seed, now));
    denied(
        &alice,
        &[
            ("Action", "EnableMFADevice"),
            ("UserName", "bob"),
            ("SerialNumber", &serial),
            ("AuthenticationCode1", &first),
            ("AuthenticationCode2", &second),
        ],
        "iam:EnableMFADevice",
        "arn:aws:iam::123456789012:user/bob",
    );
    denied(
        &alice,
        &[("Action", "ListVirtualMFADevices")],
        "iam:ListVirtualMFADevices",
        "arn:aws:iam::123456789012:mfa/",
    );
    root.put_user_policy("alice", "mfa-admin", &allow(&["iam:EnableMFADevice"]));
    let _ = enable(&alice, "bob", &serial, &first, &second).expect_ok();
}

#[test]
fn an_enabled_device_survives_a_restart() {
    let dir = StateDir::new("mfa");
    let (keys, serial, seed): (Credentials, String, Vec<u8>) = {
        let emu = dir.start();
        let root = emu.client(&emu.root_credentials());
        let keys = root.create_user_with_keys("alice");
        root.put_user_policy("alice", "mfa-only", DENY_WITHOUT_MFA);
        let (serial, seed) = new_device(&root, "kept");
        let now = emulator_now(&emu);
        let _ = enable(
            &root,
            "alice",
            &serial,
            &code_at(&seed, now - 30),
            &code_at(&seed, now),
        )
        .expect_ok();
        (keys, serial, seed)
    };
    let emu = dir.start();
    let root = emu.client(&emu.root_credentials());
    assert_eq!(
        ok(&root, &[("Action", "ListMFADevices"), ("UserName", "alice")]).texts("SerialNumber"),
        [serial.as_str()]
    );
    emu.advance_clock(60);
    let alice = emu.client(&keys);
    let session = mfa_session(&alice, &serial, &code_at(&seed, emulator_now(&emu))).expect_ok();
    let creds = session.credentials().expect("session credentials");
    let _ = emu
        .client(&creds)
        .query("iam", &[("Action", "ListUsers")])
        .expect_ok();
}
