//! IAM over the wire, through the harness: users, access keys, inline and
//! managed policies, attachments, and what a non-root user may and may not
//! do with them — asserting what a user sees (status, error code, message,
//! XML fields).

use iam_harness::{url_decode, Client, Emulator, Reply};

const ACCOUNT: &str = "123456789012";

/// An identity policy with one statement.
fn policy(effect: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn iam(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("iam", params)
}

#[test]
fn users_create_get_update_delete() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());

    let created = iam(
        &root,
        &[("Action", "CreateUser"), ("UserName", "alice"), ("Path", "/eng/")],
    )
    .expect_ok();
    assert_eq!(created.text("UserName").as_deref(), Some("alice"));
    assert_eq!(created.text("Path").as_deref(), Some("/eng/"));
    assert_eq!(
        created.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/eng/alice")
    );
    let user_id = created.text("UserId").unwrap();
    assert!(user_id.starts_with("AIDA") && user_id.len() == 21, "{user_id}");
    assert!(created.text("CreateDate").is_some());

    let again = iam(&root, &[("Action", "CreateUser"), ("UserName", "alice")])
        .expect_error(409, "EntityAlreadyExists");
    assert_eq!(
        again.error_message().as_deref(),
        Some("User with name alice already exists.")
    );
    // Names are unique without regard to case.
    let _ = iam(&root, &[("Action", "CreateUser"), ("UserName", "ALICE")])
        .expect_error(409, "EntityAlreadyExists");

    let got = iam(&root, &[("Action", "GetUser"), ("UserName", "alice")]).expect_ok();
    assert_eq!(got.text("UserId"), Some(user_id.clone()));
    assert_eq!(
        got.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/eng/alice")
    );

    let missing =
        iam(&root, &[("Action", "GetUser"), ("UserName", "nobody")]).expect_error(404, "NoSuchEntity");
    assert_eq!(
        missing.error_message().as_deref(),
        Some("The user with name nobody cannot be found.")
    );

    let _ = iam(
        &root,
        &[
            ("Action", "UpdateUser"),
            ("UserName", "alice"),
            ("NewUserName", "alice2"),
            ("NewPath", "/ops/"),
        ],
    )
    .expect_ok();
    let renamed = iam(&root, &[("Action", "GetUser"), ("UserName", "alice2")]).expect_ok();
    assert_eq!(
        renamed.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/ops/alice2")
    );
    assert_eq!(renamed.text("UserId"), Some(user_id), "the id survives a rename");
    let _ = iam(&root, &[("Action", "GetUser"), ("UserName", "alice")]).expect_error(404, "NoSuchEntity");

    let _ = iam(&root, &[("Action", "DeleteUser"), ("UserName", "alice2")]).expect_ok();
    let _ = iam(&root, &[("Action", "GetUser"), ("UserName", "alice2")]).expect_error(404, "NoSuchEntity");
    let _ = iam(&root, &[("Action", "DeleteUser"), ("UserName", "alice2")]).expect_error(404, "NoSuchEntity");
}

#[test]
fn bad_user_names_and_paths_are_validation_errors() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bad = iam(&root, &[("Action", "CreateUser"), ("UserName", "no spaces")])
        .expect_error(400, "ValidationError");
    assert!(bad.error_message().unwrap().contains("userName"), "{}", bad.body);
    let _ = iam(
        &root,
        &[("Action", "CreateUser"), ("UserName", "p"), ("Path", "nopath")],
    )
    .expect_error(400, "ValidationError");
    let _ = iam(&root, &[("Action", "CreateUser")]).expect_error(400, "ValidationError");
}

#[test]
fn delete_user_conflicts_until_its_keys_and_policies_are_gone() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let key = root.create_user_with_keys("dave");
    root.put_user_policy("dave", "p", &policy("Allow", "iam:GetUser", "*"));
    let arn = root.create_policy("managed", &policy("Allow", "iam:ListUsers", "*"));
    root.attach_user_policy("dave", &arn);

    let delete = [("Action", "DeleteUser"), ("UserName", "dave")];
    let conflict = iam(&root, &delete).expect_error(409, "DeleteConflict");
    assert_eq!(
        conflict.error_message().as_deref(),
        Some("Cannot delete entity, must delete access keys first.")
    );
    let _ = iam(
        &root,
        &[
            ("Action", "DeleteAccessKey"),
            ("UserName", "dave"),
            ("AccessKeyId", &key.access_key_id),
        ],
    )
    .expect_ok();
    let conflict = iam(&root, &delete).expect_error(409, "DeleteConflict");
    assert_eq!(
        conflict.error_message().as_deref(),
        Some("Cannot delete entity, must delete policies first.")
    );
    let _ = iam(
        &root,
        &[
            ("Action", "DeleteUserPolicy"),
            ("UserName", "dave"),
            ("PolicyName", "p"),
        ],
    )
    .expect_ok();
    let conflict = iam(&root, &delete).expect_error(409, "DeleteConflict");
    assert_eq!(
        conflict.error_message().as_deref(),
        Some("Cannot delete entity, must detach all policies first.")
    );
    let _ = iam(
        &root,
        &[
            ("Action", "DetachUserPolicy"),
            ("UserName", "dave"),
            ("PolicyArn", &arn),
        ],
    )
    .expect_ok();
    let _ = iam(&root, &delete).expect_ok();
}

#[test]
fn get_user_without_a_name_is_the_caller() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let me = iam(&root, &[("Action", "GetUser")]).expect_ok();
    assert_eq!(me.text("Arn").as_deref(), Some("arn:aws:iam::123456789012:root"));
    assert_eq!(me.text("UserId").as_deref(), Some(ACCOUNT));

    let erin = root.create_user_with_keys("erin");
    root.put_user_policy(
        "erin",
        "self",
        &policy("Allow", "iam:GetUser", "arn:aws:iam::123456789012:user/erin"),
    );
    let me = iam(&emu.client(&erin), &[("Action", "GetUser")]).expect_ok();
    assert_eq!(me.text("UserName").as_deref(), Some("erin"));
    assert_eq!(
        me.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/erin")
    );
}

#[test]
fn list_users_by_path_prefix_and_in_pages() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    for (name, path) in [
        ("u1", "/"),
        ("u2", "/eng/"),
        ("u3", "/eng/web/"),
        ("u4", "/ops/"),
        ("u5", "/"),
    ] {
        let _ = iam(
            &root,
            &[("Action", "CreateUser"), ("UserName", name), ("Path", path)],
        )
        .expect_ok();
    }
    let all = iam(&root, &[("Action", "ListUsers")]).expect_ok();
    assert_eq!(all.texts("UserName"), ["u1", "u2", "u3", "u4", "u5"]);
    assert_eq!(all.text("IsTruncated").as_deref(), Some("false"));
    assert_eq!(all.text("Marker"), None);

    let eng = iam(&root, &[("Action", "ListUsers"), ("PathPrefix", "/eng/")]).expect_ok();
    assert_eq!(eng.texts("UserName"), ["u2", "u3"]);

    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("Action", "ListUsers"), ("MaxItems", "2")];
        if let Some(m) = marker.as_deref() {
            params.push(("Marker", m));
        }
        let page = iam(&root, &params).expect_ok();
        pages += 1;
        let names = page.texts("UserName");
        assert!(names.len() <= 2, "{}", page.body);
        seen.extend(names);
        if page.text("IsTruncated").as_deref() == Some("true") {
            marker = Some(page.text("Marker").expect("a truncated page carries a Marker"));
        } else {
            assert_eq!(page.text("Marker"), None);
            break;
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["u1", "u2", "u3", "u4", "u5"]);

    let _ = iam(&root, &[("Action", "ListUsers"), ("MaxItems", "0")]).expect_error(400, "ValidationError");
}

#[test]
fn access_keys_create_list_limit_deactivate_delete() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("frank");
    let first = root.create_access_key("frank");
    assert!(first.access_key_id.starts_with("AKIA") && first.access_key_id.len() == 20);
    assert_eq!(first.secret_access_key.len(), 40);
    assert_eq!(first.session_token, None);
    let second = root.create_access_key("frank");

    let third = iam(&root, &[("Action", "CreateAccessKey"), ("UserName", "frank")])
        .expect_error(409, "LimitExceeded");
    assert_eq!(
        third.error_message().as_deref(),
        Some("Cannot exceed quota for AccessKeysPerUser: 2")
    );

    let listed = iam(&root, &[("Action", "ListAccessKeys"), ("UserName", "frank")]).expect_ok();
    let mut ids = listed.texts("AccessKeyId");
    ids.sort();
    let mut expected = vec![first.access_key_id.clone(), second.access_key_id.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(listed.texts("Status"), ["Active", "Active"]);
    assert!(
        !listed.body.contains("SecretAccessKey"),
        "secrets are never listed"
    );

    // Keys authenticate (GetCallerIdentity needs no permission).
    let sts = |creds| emu.client(creds).query("sts", &[("Action", "GetCallerIdentity")]);
    assert_eq!(
        sts(&first).expect_ok().text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:user/frank")
    );

    let _ = iam(
        &root,
        &[
            ("Action", "UpdateAccessKey"),
            ("UserName", "frank"),
            ("AccessKeyId", &first.access_key_id),
            ("Status", "Inactive"),
        ],
    )
    .expect_ok();
    let listed = iam(&root, &[("Action", "ListAccessKeys"), ("UserName", "frank")]).expect_ok();
    assert!(listed.texts("Status").contains(&"Inactive".to_string()));
    let refused = sts(&first).expect_error(403, "InvalidClientTokenId");
    assert_eq!(
        refused.error_message().as_deref(),
        Some("The security token included in the request is invalid.")
    );
    let _ = sts(&second).expect_ok();

    let _ = iam(
        &root,
        &[
            ("Action", "UpdateAccessKey"),
            ("UserName", "frank"),
            ("AccessKeyId", &first.access_key_id),
            ("Status", "Active"),
        ],
    )
    .expect_ok();
    let _ = sts(&first).expect_ok();

    let _ = iam(
        &root,
        &[
            ("Action", "DeleteAccessKey"),
            ("UserName", "frank"),
            ("AccessKeyId", &first.access_key_id),
        ],
    )
    .expect_ok();
    let listed = iam(&root, &[("Action", "ListAccessKeys"), ("UserName", "frank")]).expect_ok();
    assert_eq!(
        listed.texts("AccessKeyId"),
        std::slice::from_ref(&second.access_key_id)
    );
    let _ = sts(&first).expect_error(403, "InvalidClientTokenId");

    let gone = iam(
        &root,
        &[
            ("Action", "DeleteAccessKey"),
            ("UserName", "frank"),
            ("AccessKeyId", &first.access_key_id),
        ],
    )
    .expect_error(404, "NoSuchEntity");
    assert_eq!(
        gone.error_message(),
        Some(format!(
            "The Access Key with id {} cannot be found.",
            first.access_key_id
        ))
    );
}

#[test]
fn access_key_last_used() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let key = root.create_user_with_keys("gina");
    let last_used = |root: &Client| {
        iam(
            root,
            &[
                ("Action", "GetAccessKeyLastUsed"),
                ("AccessKeyId", &key.access_key_id),
            ],
        )
        .expect_ok()
    };
    let never = last_used(&root);
    assert_eq!(never.text("UserName").as_deref(), Some("gina"));
    assert_eq!(never.text("ServiceName").as_deref(), Some("N/A"));
    assert_eq!(never.text("Region").as_deref(), Some("N/A"));
    assert_eq!(never.text("LastUsedDate"), None);

    let _ = emu
        .client(&key)
        .with_region("eu-west-1")
        .query("sts", &[("Action", "GetCallerIdentity")])
        .expect_ok();
    let used = last_used(&root);
    assert_eq!(used.text("ServiceName").as_deref(), Some("sts"));
    assert_eq!(used.text("Region").as_deref(), Some("eu-west-1"));
    assert!(used.text("LastUsedDate").is_some(), "{}", used.body);
}

#[test]
fn inline_user_policies_put_get_list_delete() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("hank");
    // Spaces, newlines, quotes and a non-ASCII character all survive the round trip.
    let document = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"Ünïcode\", \"Effect\": \"Allow\",\n    \"Action\": [\"s3:GetObject\", \"iam:Get*\"], \"Resource\": \"arn:aws:s3:::b/k+1&x=2\"}]\n}";
    root.put_user_policy("hank", "zeta", document);
    root.put_user_policy("hank", "alpha", &policy("Allow", "iam:ListUsers", "*"));

    let got = iam(
        &root,
        &[
            ("Action", "GetUserPolicy"),
            ("UserName", "hank"),
            ("PolicyName", "zeta"),
        ],
    )
    .expect_ok();
    assert_eq!(got.text("UserName").as_deref(), Some("hank"));
    assert_eq!(got.text("PolicyName").as_deref(), Some("zeta"));
    let encoded = got.text("PolicyDocument").unwrap();
    assert!(
        !encoded.contains('{'),
        "IAM returns documents URL-encoded: {encoded}"
    );
    assert_eq!(url_decode(&encoded), document);

    let listed = iam(&root, &[("Action", "ListUserPolicies"), ("UserName", "hank")]).expect_ok();
    assert_eq!(listed.texts("member"), ["alpha", "zeta"]);
    assert_eq!(listed.text("IsTruncated").as_deref(), Some("false"));

    // Putting under an existing name replaces the document.
    let replacement = policy("Deny", "*", "*");
    root.put_user_policy("hank", "zeta", &replacement);
    let got = iam(
        &root,
        &[
            ("Action", "GetUserPolicy"),
            ("UserName", "hank"),
            ("PolicyName", "zeta"),
        ],
    )
    .expect_ok();
    assert_eq!(url_decode(&got.text("PolicyDocument").unwrap()), replacement);

    let _ = iam(
        &root,
        &[
            ("Action", "DeleteUserPolicy"),
            ("UserName", "hank"),
            ("PolicyName", "zeta"),
        ],
    )
    .expect_ok();
    let gone = iam(
        &root,
        &[
            ("Action", "GetUserPolicy"),
            ("UserName", "hank"),
            ("PolicyName", "zeta"),
        ],
    )
    .expect_error(404, "NoSuchEntity");
    assert_eq!(
        gone.error_message().as_deref(),
        Some("The user policy with name zeta cannot be found.")
    );
    let listed = iam(&root, &[("Action", "ListUserPolicies"), ("UserName", "hank")]).expect_ok();
    assert_eq!(listed.texts("member"), ["alpha"]);

    let no_user = iam(
        &root,
        &[
            ("Action", "PutUserPolicy"),
            ("UserName", "ghost"),
            ("PolicyName", "p"),
            ("PolicyDocument", &replacement),
        ],
    )
    .expect_error(404, "NoSuchEntity");
    assert_eq!(
        no_user.error_message().as_deref(),
        Some("The user with name ghost cannot be found.")
    );
}

#[test]
fn inline_policy_documents_are_checked_on_write() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("ivy");
    let put = |name: &str, document: &str| {
        iam(
            &root,
            &[
                ("Action", "PutUserPolicy"),
                ("UserName", "ivy"),
                ("PolicyName", name),
                ("PolicyDocument", document),
            ],
        )
    };

    let bad_version = put(
        "v",
        r#"{"Version":"2024-10-24","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    )
    .expect_error(400, "MalformedPolicyDocument");
    assert_eq!(
        bad_version.error_message().as_deref(),
        Some("Syntax errors in policy.")
    );
    let _ = put("j", "{not json").expect_error(400, "MalformedPolicyDocument");

    // The user quota (2048 characters, white space excluded) covers all of
    // the user's inline policies together.
    let sized = |resource_len: usize| {
        let resource = format!("arn:aws:s3:::{}", "a".repeat(resource_len));
        policy("Allow", "s3:GetObject", &resource)
    };
    let base = sized(0).chars().filter(|c| !c.is_whitespace()).count();
    let exactly = sized(2048 - base);
    assert_eq!(exactly.len(), 2048);
    // Indentation does not count.
    let indented = exactly.replace(',', ",\n    ");
    let _ = put("full", &indented).expect_ok();
    let over = put("more", &policy("Allow", "s3:*", "*")).expect_error(409, "LimitExceeded");
    assert_eq!(
        over.error_message().as_deref(),
        Some("Maximum policy size of 2048 bytes exceeded for user ivy")
    );
    // Replacing the one policy with a document one character too big fails too.
    let _ = put("full", &sized(2049 - base)).expect_error(409, "LimitExceeded");
}

#[test]
fn managed_policies_create_get_list_by_scope() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let document = policy("Allow", "iam:ListUsers", "*");
    let created = iam(
        &root,
        &[
            ("Action", "CreatePolicy"),
            ("PolicyName", "lister"),
            ("PolicyDocument", &document),
            ("Description", "lists users"),
        ],
    )
    .expect_ok();
    let arn = "arn:aws:iam::123456789012:policy/lister";
    assert_eq!(created.text("Arn").as_deref(), Some(arn));
    assert_eq!(created.text("PolicyName").as_deref(), Some("lister"));
    assert_eq!(created.text("DefaultVersionId").as_deref(), Some("v1"));
    assert_eq!(created.text("AttachmentCount").as_deref(), Some("0"));
    assert_eq!(created.text("IsAttachable").as_deref(), Some("true"));
    assert!(created.text("PolicyId").unwrap().starts_with("ANPA"));

    let duplicate = iam(
        &root,
        &[
            ("Action", "CreatePolicy"),
            ("PolicyName", "lister"),
            ("PolicyDocument", &document),
        ],
    )
    .expect_error(409, "EntityAlreadyExists");
    assert_eq!(
        duplicate.error_message().as_deref(),
        Some("A policy called lister already exists. Duplicate names are not allowed.")
    );
    let _ = iam(
        &root,
        &[
            ("Action", "CreatePolicy"),
            ("PolicyName", "bad"),
            ("PolicyDocument", r#"{"Version":"2024-10-24","Statement":[]}"#),
        ],
    )
    .expect_error(400, "MalformedPolicyDocument");

    let got = iam(&root, &[("Action", "GetPolicy"), ("PolicyArn", arn)]).expect_ok();
    assert_eq!(got.text("Description").as_deref(), Some("lists users"));
    let version = iam(
        &root,
        &[
            ("Action", "GetPolicyVersion"),
            ("PolicyArn", arn),
            ("VersionId", "v1"),
        ],
    )
    .expect_ok();
    assert_eq!(url_decode(&version.text("Document").unwrap()), document);
    assert_eq!(version.text("IsDefaultVersion").as_deref(), Some("true"));

    let local = iam(&root, &[("Action", "ListPolicies"), ("Scope", "Local")]).expect_ok();
    assert_eq!(local.texts("Arn"), [arn]);

    let aws = iam(
        &root,
        &[("Action", "ListPolicies"), ("Scope", "AWS"), ("MaxItems", "5")],
    )
    .expect_ok();
    let aws_arns = aws.texts("Arn");
    assert_eq!(aws_arns.len(), 5, "{}", aws.body);
    assert!(aws_arns.iter().all(|a| a.starts_with("arn:aws:iam::aws:policy/")));
    assert_eq!(aws.text("IsTruncated").as_deref(), Some("true"));

    let attached = iam(&root, &[("Action", "ListPolicies"), ("OnlyAttached", "true")]).expect_ok();
    assert!(attached.texts("Arn").is_empty(), "{}", attached.body);
    root.create_user("jo");
    root.attach_user_policy("jo", arn);
    root.attach_user_policy("jo", "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    let attached = iam(&root, &[("Action", "ListPolicies"), ("OnlyAttached", "true")]).expect_ok();
    let mut arns = attached.texts("Arn");
    arns.sort();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::123456789012:policy/lister",
            "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
        ]
    );
    let local_attached = iam(
        &root,
        &[
            ("Action", "ListPolicies"),
            ("OnlyAttached", "true"),
            ("Scope", "Local"),
        ],
    )
    .expect_ok();
    assert_eq!(local_attached.texts("Arn"), [arn]);
    assert_eq!(local_attached.text("AttachmentCount").as_deref(), Some("1"));

    let missing = iam(
        &root,
        &[
            ("Action", "GetPolicy"),
            ("PolicyArn", "arn:aws:iam::123456789012:policy/none"),
        ],
    )
    .expect_error(404, "NoSuchEntity");
    assert_eq!(
        missing.error_message().as_deref(),
        Some("Policy arn:aws:iam::123456789012:policy/none was not found.")
    );
}

#[test]
fn managed_policy_versions_default_and_deletion() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let arn = root.create_policy("versioned", &policy("Allow", "iam:GetUser", "*"));
    let version_doc = |n: usize| policy("Allow", &format!("iam:GetUser{n}"), "*");

    for n in 2..=5 {
        let reply = iam(
            &root,
            &[
                ("Action", "CreatePolicyVersion"),
                ("PolicyArn", &arn),
                ("PolicyDocument", &version_doc(n)),
            ],
        )
        .expect_ok();
        assert_eq!(reply.text("VersionId"), Some(format!("v{n}")));
        assert_eq!(reply.text("IsDefaultVersion").as_deref(), Some("false"));
    }
    let sixth = iam(
        &root,
        &[
            ("Action", "CreatePolicyVersion"),
            ("PolicyArn", &arn),
            ("PolicyDocument", &version_doc(6)),
        ],
    )
    .expect_error(409, "LimitExceeded");
    assert!(
        sixth
            .error_message()
            .unwrap()
            .starts_with("A managed policy can have up to 5 versions."),
        "{}",
        sixth.body
    );

    let versions = iam(&root, &[("Action", "ListPolicyVersions"), ("PolicyArn", &arn)]).expect_ok();
    let mut ids = versions.texts("VersionId");
    ids.sort();
    assert_eq!(ids, ["v1", "v2", "v3", "v4", "v5"]);

    let _ = iam(
        &root,
        &[
            ("Action", "SetDefaultPolicyVersion"),
            ("PolicyArn", &arn),
            ("VersionId", "v3"),
        ],
    )
    .expect_ok();
    let got = iam(&root, &[("Action", "GetPolicy"), ("PolicyArn", &arn)]).expect_ok();
    assert_eq!(got.text("DefaultVersionId").as_deref(), Some("v3"));
    let v3 = iam(
        &root,
        &[
            ("Action", "GetPolicyVersion"),
            ("PolicyArn", &arn),
            ("VersionId", "v3"),
        ],
    )
    .expect_ok();
    assert_eq!(v3.text("IsDefaultVersion").as_deref(), Some("true"));
    assert_eq!(url_decode(&v3.text("Document").unwrap()), version_doc(3));

    let _ = iam(
        &root,
        &[
            ("Action", "SetDefaultPolicyVersion"),
            ("PolicyArn", &arn),
            ("VersionId", "v9"),
        ],
    )
    .expect_error(404, "NoSuchEntity");

    let default = iam(
        &root,
        &[
            ("Action", "DeletePolicyVersion"),
            ("PolicyArn", &arn),
            ("VersionId", "v3"),
        ],
    )
    .expect_error(409, "DeleteConflict");
    assert_eq!(
        default.error_message().as_deref(),
        Some("Cannot delete the default version of a policy.")
    );

    // While attached, a policy cannot be deleted.
    root.create_user("kim");
    root.attach_user_policy("kim", &arn);
    let attached =
        iam(&root, &[("Action", "DeletePolicy"), ("PolicyArn", &arn)]).expect_error(409, "DeleteConflict");
    assert_eq!(
        attached.error_message().as_deref(),
        Some("Cannot delete a policy attached to entities.")
    );
    let _ = iam(
        &root,
        &[
            ("Action", "DetachUserPolicy"),
            ("UserName", "kim"),
            ("PolicyArn", &arn),
        ],
    )
    .expect_ok();

    // With non-default versions left, neither.
    let _ =
        iam(&root, &[("Action", "DeletePolicy"), ("PolicyArn", &arn)]).expect_error(409, "DeleteConflict");
    for v in ["v1", "v2", "v4", "v5"] {
        let _ = iam(
            &root,
            &[
                ("Action", "DeletePolicyVersion"),
                ("PolicyArn", &arn),
                ("VersionId", v),
            ],
        )
        .expect_ok();
    }
    // Version ids are never reused.
    let next = iam(
        &root,
        &[
            ("Action", "CreatePolicyVersion"),
            ("PolicyArn", &arn),
            ("PolicyDocument", &version_doc(6)),
        ],
    )
    .expect_ok();
    assert_eq!(next.text("VersionId").as_deref(), Some("v6"));
    let _ = iam(
        &root,
        &[
            ("Action", "DeletePolicyVersion"),
            ("PolicyArn", &arn),
            ("VersionId", "v6"),
        ],
    )
    .expect_ok();

    let _ = iam(&root, &[("Action", "DeletePolicy"), ("PolicyArn", &arn)]).expect_ok();
    let _ = iam(&root, &[("Action", "GetPolicy"), ("PolicyArn", &arn)]).expect_error(404, "NoSuchEntity");
}

#[test]
fn attach_detach_and_list_attached_user_policies() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("lee");
    let arn = root.create_policy("mine", &policy("Allow", "iam:GetUser", "*"));
    let aws = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    root.attach_user_policy("lee", &arn);
    root.attach_user_policy("lee", aws);

    let listed = iam(
        &root,
        &[("Action", "ListAttachedUserPolicies"), ("UserName", "lee")],
    )
    .expect_ok();
    let mut pairs: Vec<(String, String)> = listed
        .texts("PolicyName")
        .into_iter()
        .zip(listed.texts("PolicyArn"))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("IAMReadOnlyAccess".to_string(), aws.to_string()),
            ("mine".to_string(), arn.clone())
        ]
    );
    let got = iam(&root, &[("Action", "GetPolicy"), ("PolicyArn", &arn)]).expect_ok();
    assert_eq!(got.text("AttachmentCount").as_deref(), Some("1"));

    let nonexistent = "arn:aws:iam::123456789012:policy/nope";
    let missing = iam(
        &root,
        &[
            ("Action", "AttachUserPolicy"),
            ("UserName", "lee"),
            ("PolicyArn", nonexistent),
        ],
    )
    .expect_error(404, "NoSuchEntity");
    assert_eq!(
        missing.error_message(),
        Some(format!(
            "Policy {nonexistent} does not exist or is not attachable."
        ))
    );
    let _ = iam(
        &root,
        &[
            ("Action", "AttachUserPolicy"),
            ("UserName", "nobody"),
            ("PolicyArn", &arn),
        ],
    )
    .expect_error(404, "NoSuchEntity");

    let _ = iam(
        &root,
        &[
            ("Action", "DetachUserPolicy"),
            ("UserName", "lee"),
            ("PolicyArn", &arn),
        ],
    )
    .expect_ok();
    let listed = iam(
        &root,
        &[("Action", "ListAttachedUserPolicies"), ("UserName", "lee")],
    )
    .expect_ok();
    assert_eq!(listed.texts("PolicyArn"), [aws]);
    let _ = iam(
        &root,
        &[
            ("Action", "DetachUserPolicy"),
            ("UserName", "lee"),
            ("PolicyArn", &arn),
        ],
    )
    .expect_error(404, "NoSuchEntity");
}

#[test]
fn a_user_without_policies_is_denied_with_awss_message_and_the_decision_is_logged() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_user_with_keys("bob");

    let denied = emu.assert_call_denied(&bob, "iam:ListUsers", &[]);
    assert_eq!(
        denied.error_message().as_deref(),
        Some(
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers \
             on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the \
             iam:ListUsers action"
        )
    );
    let request_id = denied.text("RequestId").unwrap();

    let decisions = emu.decisions(5);
    let newest = &decisions[0];
    assert_eq!(newest["action"], "iam:ListUsers");
    assert_eq!(newest["principal"], "arn:aws:iam::123456789012:user/bob");
    assert_eq!(newest["decision"], "implicitDeny");
    assert_eq!(newest["enforced"], true);
    assert_eq!(newest["requestId"], request_id.as_str());
    assert_eq!(newest["message"], denied.error_message().unwrap().as_str());
    assert_eq!(emu.decisions(1).as_array().unwrap().len(), 1);
}

#[test]
fn inline_policies_allow_and_explicitly_deny() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_user_with_keys("bob");
    root.create_user("alice");
    root.put_user_policy("bob", "list", &policy("Allow", "iam:List*", "*"));

    let listed = emu.assert_call_allowed(&bob, "iam:ListUsers", &[]);
    assert_eq!(listed.status, 200);
    assert_eq!(listed.texts("UserName"), ["alice", "bob"]);
    assert_eq!(emu.decisions(1)[0]["decision"], "allowed");
    // Action names match without regard to case.
    root.put_user_policy(
        "bob",
        "get",
        &policy("Allow", "IAM:getuser", "arn:aws:iam::123456789012:user/alice"),
    );
    let _ = emu
        .assert_call_allowed(&bob, "iam:GetUser", &[("UserName", "alice")])
        .expect_ok();
    let other = emu.assert_call_denied(&bob, "iam:GetUser", &[("UserName", "bob")]);
    assert!(
        other
            .error_message()
            .unwrap()
            .contains("on resource: arn:aws:iam::123456789012:user/bob because"),
        "{}",
        other.body
    );

    root.put_user_policy("bob", "deny", &policy("Deny", "iam:ListUsers", "*"));
    let denied = emu.assert_call_denied(&bob, "iam:ListUsers", &[]);
    assert_eq!(
        denied.error_message().as_deref(),
        Some(
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers \
             on resource: arn:aws:iam::123456789012:user/ with an explicit deny in an identity-based policy"
        )
    );
    assert_eq!(emu.decisions(1)[0]["decision"], "explicitDeny");
    // Other List actions are still allowed.
    let _ = emu
        .assert_call_allowed(&bob, "iam:ListUserPolicies", &[("UserName", "bob")])
        .expect_ok();
}

#[test]
fn managed_policies_grant_through_their_default_version() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bob = root.create_user_with_keys("bob");
    let arn = root.create_policy("lister", &policy("Allow", "iam:ListUsers", "*"));
    let _ = emu.assert_call_denied(&bob, "iam:ListUsers", &[]);

    root.attach_user_policy("bob", &arn);
    let _ = emu.assert_call_allowed(&bob, "iam:ListUsers", &[]).expect_ok();

    // A new default version that no longer allows it takes effect at once.
    let _ = iam(
        &root,
        &[
            ("Action", "CreatePolicyVersion"),
            ("PolicyArn", &arn),
            ("PolicyDocument", &policy("Allow", "iam:GetUser", "*")),
            ("SetAsDefault", "true"),
        ],
    )
    .expect_ok();
    let _ = emu.assert_call_denied(&bob, "iam:ListUsers", &[]);
    let _ = emu
        .assert_call_allowed(&bob, "iam:GetUser", &[("UserName", "bob")])
        .expect_ok();

    // An AWS managed policy works the same way.
    root.attach_user_policy("bob", "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    let _ = emu.assert_call_allowed(&bob, "iam:ListUsers", &[]).expect_ok();
    let _ = emu.assert_call_denied(&bob, "iam:CreateUser", &[("UserName", "eve")]);

    let _ = iam(
        &root,
        &[
            ("Action", "DetachUserPolicy"),
            ("UserName", "bob"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    )
    .expect_ok();
    let _ = emu.assert_call_denied(&bob, "iam:ListUsers", &[]);
}

// IAM User Guide, "AWS managed policies": "You cannot change the permissions defined in AWS
// managed policies." Nobody, not even the root user, deletes, versions or tags one; reading and
// attaching it are up to the policies.
#[test]
fn aws_managed_policies_cannot_be_changed() {
    let emu = iam_harness::Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    for params in [
        vec![("Action", "DeletePolicy"), ("PolicyArn", arn)],
        vec![
            ("Action", "CreatePolicyVersion"),
            ("PolicyArn", arn),
            ("PolicyDocument", document),
        ],
        vec![
            ("Action", "SetDefaultPolicyVersion"),
            ("PolicyArn", arn),
            ("VersionId", "v1"),
        ],
        vec![
            ("Action", "TagPolicy"),
            ("PolicyArn", arn),
            ("Tags.member.1.Key", "k"),
            ("Tags.member.1.Value", "v"),
        ],
    ] {
        let reply = root.query("iam", &params).expect_error(403, "AccessDenied");
        let message = reply.error_message().unwrap_or_default();
        assert!(
            message.contains(&format!("on resource: {arn}")) && message.contains("only AWS may change"),
            "{message}"
        );
        let logged = emu.decisions(1)[0].clone();
        assert_eq!(logged["rule"]["owner"], "managedPolicy", "{logged}");
    }
    let got = root
        .query("iam", &[("Action", "GetPolicy"), ("PolicyArn", arn)])
        .expect_ok();
    assert_eq!(got.text("Arn").as_deref(), Some(arn));
}
