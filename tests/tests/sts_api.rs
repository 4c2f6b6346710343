//! STS over the wire, through the harness: GetCallerIdentity for every
//! kind of caller, GetSessionToken, and AssumeRole within an account and
//! across accounts.

use iam_harness::{Client, Credentials, Emulator, Reply};

const OTHER_ACCOUNT: &str = "111111111111";
const OTHER_KEY: &str = "AKIAOTHERACCOUNTROOT";
const OTHER_SECRET: &str = "other/account/root/secret/key/0000000000";

fn sts(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("sts", params)
}

fn identity(client: &Client) -> Reply {
    sts(client, &[("Action", "GetCallerIdentity")]).expect_ok()
}

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

/// A trust policy letting `principal` (an ARN) call sts:AssumeRole.
fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn assume(client: &Client, role_arn: &str, session: &str) -> Reply {
    sts(
        client,
        &[
            ("Action", "AssumeRole"),
            ("RoleArn", role_arn),
            ("RoleSessionName", session),
        ],
    )
}

#[test]
fn get_caller_identity_of_root_user_and_session() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let me = identity(&root);
    assert_eq!(me.text("Account").as_deref(), Some("123456789012"));
    assert_eq!(me.text("Arn").as_deref(), Some("arn:aws:iam::123456789012:root"));
    assert_eq!(me.text("UserId").as_deref(), Some("123456789012"));
    assert!(me
        .body
        .contains("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
    assert!(me.text("RequestId").is_some());

    // A user with no policy at all may still ask who it is.
    let created = root.create_user("alice");
    let alice = root.create_access_key("alice");
    let me = identity(&emu.client(&alice));
    assert_eq!(me.text("Account").as_deref(), Some("123456789012"));
    assert_eq!(
        me.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/alice")
    );
    assert_eq!(me.text("UserId"), created.text("UserId"));

    // GetSessionToken needs no permission; its session is the user.
    let session = emu.client(&alice).get_session_token();
    assert!(session.access_key_id.starts_with("ASIA"), "{session:?}");
    assert!(session.session_token.as_deref().is_some_and(|t| !t.is_empty()));
    let me = identity(&emu.client(&session));
    assert_eq!(
        me.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/alice")
    );
    assert_eq!(me.text("UserId"), created.text("UserId"));

    // An unsigned request gets no answer.
    let unsigned = emu.unsigned_query("sts", &[("Action", "GetCallerIdentity")]);
    assert_eq!(unsigned.status, 403);
    assert_eq!(
        unsigned.error_code().as_deref(),
        Some("MissingAuthenticationToken")
    );
}

#[test]
fn get_session_token_duration_and_refusals() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_user_with_keys("bob");
    let bob_client = emu.client(&bob);

    let reply = sts(
        &bob_client,
        &[("Action", "GetSessionToken"), ("DurationSeconds", "900")],
    )
    .expect_ok();
    let expiration = reply.text("Expiration").expect("an Expiration");
    assert!(
        expiration.ends_with('Z') && expiration.len() == 20,
        "{expiration}"
    );
    let session = reply.credentials().unwrap();

    let short = sts(
        &bob_client,
        &[("Action", "GetSessionToken"), ("DurationSeconds", "899")],
    )
    .expect_error(400, "ValidationError");
    assert!(
        short.error_message().unwrap().contains("durationSeconds"),
        "{}",
        short.body
    );

    // Session credentials cannot get another session token.
    let _ = sts(&emu.client(&session), &[("Action", "GetSessionToken")]).expect_error(403, "AccessDenied");

    // Root may call GetSessionToken.
    let root_session = root.get_session_token();
    assert_eq!(
        identity(&emu.client(&root_session)).text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:root")
    );

    // IAM refuses GetSessionToken credentials without MFA ("You cannot call
    // any IAM API operations unless MFA authentication information is
    // included"), even when the user may call the action.
    root.put_user_policy("bob", "list", &allow("iam:ListUsers", "*"));
    let _ = emu
        .client(&session)
        .query("iam", &[("Action", "ListUsers")])
        .expect_error(403, "InvalidClientTokenId");
}

#[test]
fn unknown_sts_actions_and_missing_parameters() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bad = sts(&root, &[("Action", "GetFederationTokenX")]).expect_error(400, "InvalidAction");
    assert_eq!(
        bad.error_message().as_deref(),
        Some("Could not find operation GetFederationTokenX for version 2011-06-15")
    );
    let user = root.create_user_with_keys("u");
    let _ = sts(
        &emu.client(&user),
        &[("Action", "AssumeRole"), ("RoleSessionName", "s")],
    )
    .expect_error(400, "ValidationError");
}

#[test]
fn root_cannot_assume_a_role() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let refused = assume(&root, "arn:aws:iam::123456789012:role/any", "s1").expect_error(403, "AccessDenied");
    assert_eq!(
        refused.error_message().as_deref(),
        Some("Roles may not be assumed by root accounts.")
    );
}

#[test]
fn assume_role_in_the_same_account() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let role_arn = root.create_role("deployer", &trust("arn:aws:iam::123456789012:root"));
    assert_eq!(role_arn, "arn:aws:iam::123456789012:role/deployer");
    let alice = root.create_user_with_keys("alice");
    let alice_client = emu.client(&alice);

    // The trust policy names the account: the user needs an identity policy too.
    let denied = assume(&alice_client, &role_arn, "s1").expect_error(403, "AccessDenied");
    assert!(
        denied.error_message().unwrap().starts_with(
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/deployer"
        ),
        "{}",
        denied.body
    );
    root.put_user_policy("alice", "assume", &allow("sts:AssumeRole", &role_arn));
    let reply = assume(&alice_client, &role_arn, "s1").expect_ok();
    let assumed_id = reply.text("AssumedRoleId").unwrap();
    assert!(
        assumed_id.starts_with("AROA") && assumed_id.ends_with(":s1"),
        "{assumed_id}"
    );
    assert_eq!(
        reply.text("Arn").as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/deployer/s1")
    );
    let session = reply.credentials().unwrap();
    assert!(session.access_key_id.starts_with("ASIA"));

    let me = identity(&emu.client(&session));
    assert_eq!(me.text("Account").as_deref(), Some("123456789012"));
    assert_eq!(
        me.text("Arn").as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/deployer/s1")
    );
    assert_eq!(me.text("UserId"), Some(assumed_id));

    // A session name outside [\w+=,.@-]{2,64} is refused.
    let _ = assume(&alice_client, &role_arn, "bad name").expect_error(400, "ValidationError");
    // A role that does not exist cannot be assumed.
    let _ =
        assume(&alice_client, "arn:aws:iam::123456789012:role/none", "s1").expect_error(403, "AccessDenied");
}

#[test]
fn a_trust_policy_naming_the_user_needs_no_identity_policy_in_the_same_account() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let alice = root.create_user_with_keys("alice");
    let bob = root.create_user_with_keys("bob");
    let role_arn = root.create_role("for-alice", &trust("arn:aws:iam::123456789012:user/alice"));
    let _ = assume(&emu.client(&alice), &role_arn, "direct").expect_ok();
    // Bob is not named, and has no identity policy.
    let _ = assume(&emu.client(&bob), &role_arn, "direct").expect_error(403, "AccessDenied");
}

#[test]
fn a_role_session_acts_with_the_roles_policies() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    // The trust policy may name only principals that exist.
    let alice = root.create_user_with_keys("alice");
    let role_arn = root.create_role("reader", &trust("arn:aws:iam::123456789012:user/alice"));
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "PutRolePolicy"),
                ("RoleName", "reader"),
                ("PolicyName", "list"),
                ("PolicyDocument", &allow("iam:ListUsers", "*")),
            ],
        )
        .expect_ok();
    let session = emu.client(&alice).assume_role(&role_arn, "s1");
    let _ = emu
        .assert_call_allowed(&session, "iam:ListUsers", &[])
        .expect_ok();
    let denied = emu.assert_call_denied(&session, "iam:CreateUser", &[("UserName", "x")]);
    assert_eq!(
        denied.error_message().as_deref(),
        Some(
            "User: arn:aws:sts::123456789012:assumed-role/reader/s1 is not authorized to perform: \
             iam:CreateUser on resource: arn:aws:iam::123456789012:user/x because no identity-based \
             policy allows the iam:CreateUser action"
        )
    );
}

fn two_accounts() -> (Emulator, Credentials) {
    let emu = Emulator::builder()
        .root_key(OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET)
        .start();
    let other_root = emu.root_credentials_of(OTHER_ACCOUNT).unwrap();
    assert_eq!(other_root, Credentials::new(OTHER_KEY, OTHER_SECRET));
    (emu, other_root)
}

#[test]
fn a_second_account_has_its_own_root_and_users() {
    let (emu, other_root) = two_accounts();
    let other = emu.client(&other_root);
    let me = identity(&other);
    assert_eq!(me.text("Account").as_deref(), Some(OTHER_ACCOUNT));
    assert_eq!(me.text("Arn").as_deref(), Some("arn:aws:iam::111111111111:root"));
    // The default account keeps its default root keys.
    assert_eq!(
        identity(&emu.client(&emu.root_credentials()))
            .text("Account")
            .as_deref(),
        Some("123456789012")
    );
    let created = other.create_user("zoe");
    assert_eq!(
        created.text("Arn").as_deref(),
        Some("arn:aws:iam::111111111111:user/zoe")
    );
    // Each account sees only its own users.
    let root = emu.client(&emu.root_credentials());
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "zoe")])
        .expect_error(404, "NoSuchEntity");
}

#[test]
fn assume_role_across_accounts_needs_both_trust_and_identity_policy() {
    let (emu, other_root) = two_accounts();
    let other = emu.client(&other_root);
    let role_arn = other.create_role("auditor", &trust("arn:aws:iam::123456789012:root"));
    assert_eq!(role_arn, "arn:aws:iam::111111111111:role/auditor");
    let root = emu.client(&emu.root_credentials());
    let alice = root.create_user_with_keys("alice");
    let alice_client = emu.client(&alice);

    // Trusted, but no identity policy in the caller's account: denied.
    let _ = assume(&alice_client, &role_arn, "audit").expect_error(403, "AccessDenied");
    root.put_user_policy("alice", "assume", &allow("sts:AssumeRole", &role_arn));
    let reply = assume(&alice_client, &role_arn, "audit").expect_ok();
    assert_eq!(
        reply.text("Arn").as_deref(),
        Some("arn:aws:sts::111111111111:assumed-role/auditor/audit")
    );
    let session = reply.credentials().unwrap();
    let me = identity(&emu.client(&session));
    assert_eq!(me.text("Account").as_deref(), Some(OTHER_ACCOUNT));
    assert_eq!(
        me.text("Arn").as_deref(),
        Some("arn:aws:sts::111111111111:assumed-role/auditor/audit")
    );

    // Identity policy alone is not enough when the trust policy names another account.
    let stranger = other.create_role("stranger", &trust("arn:aws:iam::222222222222:root"));
    root.put_user_policy("alice", "assume-any", &allow("sts:AssumeRole", "*"));
    let _ = assume(&alice_client, &stranger, "audit").expect_error(403, "AccessDenied");
}

/// The decisions one request logged, by its request id.
fn decisions_of(emu: &Emulator, reply: &Reply) -> Vec<serde_json::Value> {
    let id = reply.text("RequestId").expect("a RequestId");
    let found = emu
        .get(&format!("/_emulator/decisions?requestId={id}"))
        .expect_ok()
        .json();
    found["decisions"].as_array().cloned().unwrap_or_default()
}

// STS API Reference, GetCallerIdentity: "If an administrator attaches a policy to your identity
// that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this
// operation." The request is authorized like every other: the decision log says allowed, and why.
#[test]
fn get_caller_identity_under_an_explicit_deny_is_allowed_and_logged_so() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_user("denied");
    let key = root.create_access_key("denied");
    let deny_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    let _ = root.put_user_policy("denied", "nothing", deny_all).expect_ok();
    let client = emu.client(&key);
    let me = identity(&client);
    assert_eq!(
        me.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/denied")
    );
    let logged = decisions_of(&emu, &me);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["decision"], "allowed");
    assert_eq!(logged[0]["rule"]["name"], "needsNoPermission", "{:?}", logged[0]);
    // GetSessionToken likewise ("You cannot use policies to control authentication operations").
    let token = sts(&client, &[("Action", "GetSessionToken")]).expect_ok();
    assert_eq!(decisions_of(&emu, &token)[0]["rule"]["name"], "needsNoPermission");
}

// GetAccessKeyInfo is an action a policy must allow (Service Authorization Reference: Read, on *).
#[test]
fn get_access_key_info_needs_sts_get_access_key_info() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_user("auditor");
    let key = root.create_access_key("auditor");
    let client = emu.client(&key);
    let ask = [
        ("Action", "GetAccessKeyInfo"),
        ("AccessKeyId", key.access_key_id.as_str()),
    ];
    let denied = sts(&client, &ask).expect_error(403, "AccessDenied");
    assert!(
        denied
            .error_message()
            .unwrap()
            .contains("is not authorized to perform: sts:GetAccessKeyInfo"),
        "{}",
        denied.body
    );
    let _ = root
        .put_user_policy("auditor", "info", &allow("sts:GetAccessKeyInfo", "*"))
        .expect_ok();
    let info = sts(&client, &ask).expect_ok();
    assert_eq!(info.text("Account").as_deref(), Some("123456789012"));
}
