//! Console sign-in objects over the wire: login profiles checked against
//! the password policy (AWS's default one while the account sets none),
//! ChangePassword as the user with the old password, the account password
//! policy and the account alias; each authorized as its own action, and
//! kept across a restart.

use iam_emulator_tests::iam::{allow, denied, iam, ok, refused, StateDir};
use iam_harness::Emulator;

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";

fn login(user: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Action", "CreateLoginProfile".to_string()),
        ("UserName", user.to_string()),
        ("Password", password.to_string()),
    ]
}

fn params<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn change(old: &str, new: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Action", "ChangePassword".to_string()),
        ("OldPassword", old.to_string()),
        ("NewPassword", new.to_string()),
    ]
}

#[test]
fn a_login_profile_follows_the_password_policy() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("alice");
    // No policy set: GetAccountPasswordPolicy says so, and AWS's default
    // applies ("minimum of three of the following mix of character types").
    refused(
        &root,
        &[("Action", "GetAccountPasswordPolicy")],
        404,
        "NoSuchEntity",
        "The Password Policy with domain name 123456789012 cannot be found.",
    );
    refused(
        &root,
        &params(&login("alice", "alllowercase1")),
        400,
        "PasswordPolicyViolation",
        "Password does not conform to the account password policy.",
    );
    let created = ok(
        &root,
        &[
            ("Action", "CreateLoginProfile"),
            ("UserName", "alice"),
            ("Password", "Correct-Horse-1"),
            ("PasswordResetRequired", "true"),
        ],
    );
    assert_eq!(created.text("UserName").as_deref(), Some("alice"));
    assert_eq!(created.text("PasswordResetRequired").as_deref(), Some("true"));
    assert!(
        !created.body.contains("Correct-Horse-1"),
        "the password is never returned"
    );
    refused(
        &root,
        &params(&login("alice", "Correct-Horse-2")),
        409,
        "EntityAlreadyExists",
        "Login Profile for user alice already exists.",
    );
    refused(
        &root,
        &params(&login("nobody", "Correct-Horse-2")),
        404,
        "NoSuchEntity",
        "nobody",
    );
    let got = ok(&root, &[("Action", "GetLoginProfile"), ("UserName", "alice")]);
    assert_eq!(got.text("PasswordResetRequired").as_deref(), Some("true"));
    assert!(got.text("CreateDate").is_some());

    // A stricter policy: read back as set, enforced on the next password.
    ok(
        &root,
        &[
            ("Action", "UpdateAccountPasswordPolicy"),
            ("MinimumPasswordLength", "14"),
            ("RequireSymbols", "true"),
            ("RequireNumbers", "true"),
            ("MaxPasswordAge", "90"),
            ("PasswordReusePrevention", "3"),
        ],
    );
    let policy = ok(&root, &[("Action", "GetAccountPasswordPolicy")]);
    assert_eq!(policy.text("MinimumPasswordLength").as_deref(), Some("14"));
    assert_eq!(policy.text("RequireSymbols").as_deref(), Some("true"));
    assert_eq!(
        policy.text("RequireUppercaseCharacters").as_deref(),
        Some("false")
    );
    assert_eq!(policy.text("ExpirePasswords").as_deref(), Some("true"));
    assert_eq!(policy.text("MaxPasswordAge").as_deref(), Some("90"));
    assert_eq!(policy.text("PasswordReusePrevention").as_deref(), Some("3"));
    assert_eq!(
        policy.text("AllowUsersToChangePassword").as_deref(),
        Some("false")
    );
    refused(
        &root,
        &[
            ("Action", "UpdateLoginProfile"),
            ("UserName", "alice"),
            ("Password", "Short-1!"),
        ],
        400,
        "PasswordPolicyViolation",
        "does not conform",
    );
    refused(
        &root,
        &[
            ("Action", "UpdateAccountPasswordPolicy"),
            ("MinimumPasswordLength", "5"),
        ],
        400,
        "ValidationError",
        "minimumPasswordLength",
    );
    ok(
        &root,
        &[
            ("Action", "UpdateLoginProfile"),
            ("UserName", "alice"),
            ("Password", "A-much-longer-one-1!"),
            ("PasswordResetRequired", "false"),
        ],
    );
    let got = ok(&root, &[("Action", "GetLoginProfile"), ("UserName", "alice")]);
    assert_eq!(got.text("PasswordResetRequired").as_deref(), Some("false"));

    // A user holding a password cannot be deleted before it.
    refused(
        &root,
        &[("Action", "DeleteUser"), ("UserName", "alice")],
        409,
        "DeleteConflict",
        "must delete login profile first",
    );
    ok(&root, &[("Action", "DeleteLoginProfile"), ("UserName", "alice")]);
    refused(
        &root,
        &[("Action", "GetLoginProfile"), ("UserName", "alice")],
        404,
        "NoSuchEntity",
        "Login Profile for User alice cannot be found.",
    );
    refused(
        &root,
        &[("Action", "DeleteLoginProfile"), ("UserName", "alice")],
        404,
        "NoSuchEntity",
        "Login Profile for User alice cannot be found.",
    );
    ok(&root, &[("Action", "DeleteAccountPasswordPolicy")]);
    // The guide's DeleteAccountPasswordPolicy example: "If a password
    // policy does not currently exist, the following error message
    // appears: The account policy with name PasswordPolicy cannot be found."
    refused(
        &root,
        &[("Action", "DeleteAccountPasswordPolicy")],
        404,
        "NoSuchEntity",
        "The account policy with name PasswordPolicy cannot be found.",
    );
}

#[test]
fn a_user_changes_its_own_password_with_the_old_one() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let alice = emu.client(&root.create_user_with_keys("alice"));
    root.create_user("bob");
    ok(&root, &params(&login("alice", "First-Password-1")));
    ok(&root, &params(&login("bob", "Bobs-Password-1")));
    ok(
        &root,
        &[
            ("Action", "UpdateAccountPasswordPolicy"),
            ("MinimumPasswordLength", "12"),
            ("PasswordReusePrevention", "2"),
        ],
    );
    // Without the account's "Allow users to change their own password"
    // and without a policy, ChangePassword is denied as its own action.
    denied(
        &alice,
        &params(&change("First-Password-1", "Second-Password-2")),
        "iam:ChangePassword",
        ALICE,
    );
    // "If this check box is selected, all users can change their own
    // passwords" (IAM User Guide, "Permitting IAM users to change their
    // own passwords"): the setting grants ChangePassword on the user
    // itself and GetAccountPasswordPolicy, nothing more.
    ok(
        &root,
        &[
            ("Action", "UpdateAccountPasswordPolicy"),
            ("MinimumPasswordLength", "12"),
            ("PasswordReusePrevention", "2"),
            ("AllowUsersToChangePassword", "true"),
        ],
    );
    let policy = ok(&alice, &[("Action", "GetAccountPasswordPolicy")]);
    assert_eq!(policy.text("AllowUsersToChangePassword").as_deref(), Some("true"));
    denied(
        &alice,
        &[
            ("Action", "UpdateLoginProfile"),
            ("UserName", "bob"),
            ("Password", "Taken-Over-123"),
        ],
        "iam:UpdateLoginProfile",
        "arn:aws:iam::123456789012:user/bob",
    );
    let _ = iam(&alice, &params(&change("Wrong-Password-1", "Second-Password-2")))
        .expect_error(403, "AccessDenied");
    refused(
        &alice,
        &params(&change("First-Password-1", "short")),
        400,
        "PasswordPolicyViolation",
        "does not conform",
    );
    ok(&alice, &params(&change("First-Password-1", "Second-Password-2")));
    // The old password no longer works; the last two may not come back.
    let _ = iam(&alice, &params(&change("First-Password-1", "Third-Password-3")))
        .expect_error(403, "AccessDenied");
    refused(
        &alice,
        &params(&change("Second-Password-2", "First-Password-1")),
        400,
        "PasswordPolicyViolation",
        "does not conform",
    );
    ok(&alice, &params(&change("Second-Password-2", "Third-Password-3")));
    // Only an IAM user has a password of its own to change.
    refused(
        &root,
        &params(&change("Third-Password-3", "Fourth-Password-4")),
        400,
        "InvalidUserType",
        "Only IAM users can change their own password.",
    );
    // Turning the setting off takes the grant away again.
    ok(
        &root,
        &[
            ("Action", "UpdateAccountPasswordPolicy"),
            ("AllowUsersToChangePassword", "false"),
        ],
    );
    denied(
        &alice,
        &params(&change("Third-Password-3", "Fourth-Password-4")),
        "iam:ChangePassword",
        ALICE,
    );
}

#[test]
fn login_profiles_and_the_policy_are_authorized_as_their_own_actions() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let alice = emu.client(&root.create_user_with_keys("alice"));
    root.create_user("bob");
    denied(
        &alice,
        &params(&login("bob", "Bobs-Password-1")),
        "iam:CreateLoginProfile",
        "arn:aws:iam::123456789012:user/bob",
    );
    denied(
        &alice,
        &[("Action", "UpdateAccountPasswordPolicy")],
        "iam:UpdateAccountPasswordPolicy",
        "*",
    );
    denied(
        &alice,
        &[("Action", "CreateAccountAlias"), ("AccountAlias", "alices-alias")],
        "iam:CreateAccountAlias",
        "*",
    );
    root.put_user_policy(
        "alice",
        "sign-in-admin",
        &allow(&[
            "iam:CreateLoginProfile",
            "iam:GetLoginProfile",
            "iam:UpdateAccountPasswordPolicy",
            "iam:CreateAccountAlias",
            "iam:ListAccountAliases",
        ]),
    );
    ok(&alice, &params(&login("bob", "Bobs-Password-1")));
    ok(&alice, &[("Action", "GetLoginProfile"), ("UserName", "bob")]);
    // Without a UserName the call is about the caller itself.
    refused(
        &alice,
        &[("Action", "GetLoginProfile")],
        404,
        "NoSuchEntity",
        "Login Profile for User alice cannot be found.",
    );
    denied(
        &alice,
        &[("Action", "DeleteLoginProfile"), ("UserName", "bob")],
        "iam:DeleteLoginProfile",
        "arn:aws:iam::123456789012:user/bob",
    );
    ok(&alice, &[("Action", "UpdateAccountPasswordPolicy")]);
    ok(
        &alice,
        &[("Action", "CreateAccountAlias"), ("AccountAlias", "alices-alias")],
    );
}

#[test]
fn an_alias_is_one_per_account_and_unique_across_accounts() {
    let emu = Emulator::builder()
        .root_key("210987654321", "AKIAOTHERACCOUNT0001", "other-secret")
        .start();
    let root = emu.client(&emu.root_credentials());
    let other = emu.client(&emu.root_credentials_of("210987654321").expect("second account"));
    let aliases = |c| ok(c, &[("Action", "ListAccountAliases")]).texts("member");
    assert!(aliases(&root).is_empty());
    refused(
        &root,
        &[("Action", "CreateAccountAlias"), ("AccountAlias", "Bad_Alias")],
        400,
        "ValidationError",
        "accountAlias",
    );
    ok(
        &root,
        &[("Action", "CreateAccountAlias"), ("AccountAlias", "example-corp")],
    );
    assert_eq!(aliases(&root), ["example-corp"]);
    // An alias names one account across AWS.
    refused(
        &other,
        &[("Action", "CreateAccountAlias"), ("AccountAlias", "example-corp")],
        409,
        "EntityAlreadyExists",
        "The account alias example-corp already exists.",
    );
    assert!(aliases(&other).is_empty());
    refused(
        &root,
        &[("Action", "DeleteAccountAlias"), ("AccountAlias", "other-name")],
        404,
        "NoSuchEntity",
        "The account alias other-name cannot be found.",
    );
    ok(
        &root,
        &[("Action", "DeleteAccountAlias"), ("AccountAlias", "example-corp")],
    );
    assert!(aliases(&root).is_empty());
    // Once released, the name is free for another account.
    ok(
        &other,
        &[("Action", "CreateAccountAlias"), ("AccountAlias", "example-corp")],
    );
    assert_eq!(aliases(&other), ["example-corp"]);
}

#[test]
fn passwords_the_policy_and_the_alias_survive_a_restart() {
    let dir = StateDir::new("sign-in");
    let keys = {
        let emu = dir.start();
        let root = emu.client(&emu.root_credentials());
        root.create_user("alice");
        ok(&root, &params(&login("alice", "Kept-Password-1")));
        ok(
            &root,
            &[
                ("Action", "UpdateAccountPasswordPolicy"),
                ("MinimumPasswordLength", "10"),
                ("AllowUsersToChangePassword", "true"),
            ],
        );
        ok(
            &root,
            &[("Action", "CreateAccountAlias"), ("AccountAlias", "kept-alias")],
        );
        root.create_access_key("alice")
    };
    let emu = dir.start();
    let root = emu.client(&emu.root_credentials());
    let alice = emu.client(&keys);
    ok(&root, &[("Action", "GetLoginProfile"), ("UserName", "alice")]);
    let policy = ok(&root, &[("Action", "GetAccountPasswordPolicy")]);
    assert_eq!(policy.text("MinimumPasswordLength").as_deref(), Some("10"));
    assert_eq!(
        ok(&root, &[("Action", "ListAccountAliases")]).texts("member"),
        ["kept-alias"]
    );
    // The kept password is the one checked.
    ok(&alice, &params(&change("Kept-Password-1", "Changed-Password-2")));
}
