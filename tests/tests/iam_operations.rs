//! IAM's operation table over the wire: every operation botocore lists is
//! served, a name IAM lacks is unknown, and each row's questions (resource, condition keys, renames) are the ones a
//! user's policy is asked.

use iam_harness::{Client, Emulator, Reply};

fn iam(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("iam", params)
}

/// The call succeeded (its reply is not needed).
#[track_caller]
fn succeeds(reply: Reply) {
    let _ = reply.expect_ok();
}

fn policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

#[test]
fn an_unknown_action_is_invalid() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let reply = iam(&root, &[("Action", "CreateUnicorn")]).expect_error(400, "InvalidAction");
    assert!(reply.error_message().unwrap().contains("CreateUnicorn"));
}

/// Every operation botocore lists (its model, vendored as
/// emulator/data/botocore/iam.json) is served: called with no parameters it
/// answers a result or its own AWS error, never `NotImplemented`,
/// `InvalidAction` or a server error; and `NOT_SERVED` is empty.
#[test]
fn every_botocore_operation_is_served() {
    let model: serde_json::Value =
        serde_json::from_str(include_str!("../../emulator/data/botocore/iam.json")).unwrap();
    let names: Vec<&str> = model["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        176,
        "botocore's IAM model changed: regenerate and review"
    );
    assert!(iam_emulator::services::iam::operations::NOT_SERVED.is_empty());
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    for name in names {
        let reply = iam(&root, &[("Action", name)]);
        let code = reply.error_code().unwrap_or_default();
        assert!(
            ![
                "NotImplemented",
                "InvalidAction",
                "InternalFailure",
                "ServiceFailure"
            ]
            .contains(&code.as_str()),
            "{name}: {code} {:?}",
            reply.error_message()
        );
        assert!(reply.status < 500, "{name}: {}", reply.status);
    }
}

/// UpdateUser: "To change a user name, the requester must have appropriate
/// permissions on both the source object and the target object" (IAM API
/// Reference, UpdateUser).
#[test]
fn renaming_a_user_needs_the_action_on_both_names() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    succeeds(root.create_user("bob"));
    let admin = root.create_user_with_keys("admin");
    let only_bob = policy(
        r#"{"Effect":"Allow","Action":"iam:UpdateUser","Resource":"arn:aws:iam::123456789012:user/bob"}"#,
    );
    succeeds(root.put_user_policy("admin", "p", &only_bob));
    let admin = emu.client(&admin);
    let reply = iam(
        &admin,
        &[
            ("Action", "UpdateUser"),
            ("UserName", "bob"),
            ("NewUserName", "robert"),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert!(
        reply
            .error_message()
            .unwrap()
            .contains("arn:aws:iam::123456789012:user/robert"),
        "{:?}",
        reply.error_message()
    );
    let both = policy(
        r#"{"Effect":"Allow","Action":"iam:UpdateUser","Resource":["arn:aws:iam::123456789012:user/bob","arn:aws:iam::123456789012:user/robert"]}"#,
    );
    succeeds(root.put_user_policy("admin", "p", &both));
    succeeds(iam(
        &admin,
        &[
            ("Action", "UpdateUser"),
            ("UserName", "bob"),
            ("NewUserName", "robert"),
        ],
    ));
    succeeds(iam(&root, &[("Action", "GetUser"), ("UserName", "robert")]));
}

/// `iam:PermissionsBoundary` is the boundary a call sets, or the one the
/// user has when the call sets none: the usual guard "do not remove the
/// boundary" denies DeleteUserPermissionsBoundary of that boundary only.
#[test]
fn the_boundary_key_is_the_entitys_current_boundary() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let fence = root.create_policy(
        "fence",
        &policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#),
    );
    let other = root.create_policy(
        "other",
        &policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#),
    );
    succeeds(root.create_user("carol"));
    succeeds(root.create_user("dave"));
    for (user, boundary) in [("carol", &fence), ("dave", &other)] {
        succeeds(iam(
            &root,
            &[
                ("Action", "PutUserPermissionsBoundary"),
                ("UserName", user),
                ("PermissionsBoundary", boundary),
            ],
        ));
    }
    let admin = root.create_user_with_keys("admin");
    let guard = policy(&format!(
        r#"{{"Effect":"Allow","Action":"iam:*","Resource":"*"}},{{"Effect":"Deny","Action":"iam:DeleteUserPermissionsBoundary","Resource":"*","Condition":{{"StringEquals":{{"iam:PermissionsBoundary":"{fence}"}}}}}}"#
    ));
    succeeds(root.put_user_policy("admin", "p", &guard));
    let admin = emu.client(&admin);
    let denied = iam(
        &admin,
        &[("Action", "DeleteUserPermissionsBoundary"), ("UserName", "carol")],
    )
    .expect_error(403, "AccessDenied");
    assert!(denied.error_message().unwrap().contains("explicit deny"));
    succeeds(iam(
        &admin,
        &[("Action", "DeleteUserPermissionsBoundary"), ("UserName", "dave")],
    ));
}
