//! GetRole's `RoleLastUsed`: empty until a session of the role makes a
//! request, then the date and the region of its latest request, in GetRole
//! and GetAccountAuthorizationDetails; kept across a restart. (A user's
//! `PasswordLastUsed` stays absent: the emulator has no console sign-in,
//! so every password is one AWS would call never used.)

use iam_emulator_tests::iam::{allow, ok, StateDir};
use iam_harness::Emulator;

const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

/// GetRole's `<RoleLastUsed>` element, as text.
fn last_used(reply: &iam_harness::Reply) -> String {
    let body = &reply.body;
    let start = body
        .find("<RoleLastUsed")
        .expect("GetRole always has RoleLastUsed");
    let end = body[start..].find("</RoleLastUsed>").map_or(start, |e| start + e);
    body[start..end].to_string()
}

#[test]
fn a_role_is_used_when_its_session_makes_a_request() {
    let dir = StateDir::new("role-last-used");
    {
        let emu = dir.start();
        let root = emu.client(&emu.root_credentials());
        let alice = emu.client(&root.create_user_with_keys("alice"));
        root.put_user_policy("alice", "assume", &allow(&["sts:AssumeRole"]));
        let arn = root.create_role("deployer", TRUST_ACCOUNT);
        let before = ok(&root, &[("Action", "GetRole"), ("RoleName", "deployer")]);
        assert!(before.text("LastUsedDate").is_none(), "{}", last_used(&before));
        // Assuming the role is the caller's request, not the role's.
        let session = alice.assume_role(&arn, "ci");
        let assumed = ok(&root, &[("Action", "GetRole"), ("RoleName", "deployer")]);
        assert!(assumed.text("LastUsedDate").is_none(), "{}", last_used(&assumed));
        let _ = emu
            .client(&session)
            .with_region("eu-central-1")
            .query("sts", &[("Action", "GetCallerIdentity")])
            .expect_ok();
        let used = ok(&root, &[("Action", "GetRole"), ("RoleName", "deployer")]);
        let date = used.text("LastUsedDate").expect("LastUsedDate");
        assert!(date.ends_with('Z') && date.len() == 20, "{date}");
        assert_eq!(used.text("Region").as_deref(), Some("eu-central-1"));
        let details = ok(
            &root,
            &[
                ("Action", "GetAccountAuthorizationDetails"),
                ("Filter.member.1", "Role"),
            ],
        );
        assert_eq!(details.texts("Region"), ["eu-central-1"]);
        // ListRoles carries no last use (as the API reference says).
        let listed = ok(&root, &[("Action", "ListRoles")]);
        assert!(listed.text("LastUsedDate").is_none());
    }
    let emu = dir.start();
    let root = emu.client(&emu.root_credentials());
    let kept = ok(&root, &[("Action", "GetRole"), ("RoleName", "deployer")]);
    assert_eq!(kept.text("Region").as_deref(), Some("eu-central-1"));
}

#[test]
fn a_user_that_never_signed_in_has_no_password_last_used() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("alice");
    ok(
        &root,
        &[
            ("Action", "CreateLoginProfile"),
            ("UserName", "alice"),
            ("Password", "Never-Used-Password-1"),
        ],
    );
    let user = ok(&root, &[("Action", "GetUser"), ("UserName", "alice")]);
    assert!(user.text("UserName").is_some());
    assert!(user.text("PasswordLastUsed").is_none(), "{}", user.body);
}
