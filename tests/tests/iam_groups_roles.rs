//! IAM over the wire, through the harness: groups and their members, roles,
//! permissions boundaries, tags, account-wide views and the policy
//! simulator — what a user sees (status, error code, message, XML fields),
//! and what a non-root user may do with them.

use iam_harness::{url_decode, Client, Credentials, Emulator, Reply};

const ACCOUNT: &str = "123456789012";
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

/// An identity policy with one statement.
fn policy(effect: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn iam(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("iam", params)
}

fn ok(client: &Client, params: &[(&str, &str)]) -> Reply {
    iam(client, params).expect_ok()
}

#[track_caller]
fn error(client: &Client, params: &[(&str, &str)], status: u16, code: &str, message: &str) {
    let reply = iam(client, params).expect_error(status, code);
    let got = reply.error_message().unwrap_or_default();
    assert!(got.contains(message), "message {got:?} lacks {message:?}");
}

/// The texts of `field` inside each `member` of the list element `list`.
fn members(reply: &Reply, field: &str) -> Vec<String> {
    reply.texts(field)
}

fn setup() -> (Emulator, Client) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    (emu, root)
}

fn user_with_keys(emu: &Emulator, root: &Client, name: &str) -> (Client, Credentials) {
    let credentials = root.create_user_with_keys(name);
    (emu.client(&credentials), credentials)
}

// ---- groups ----

#[test]
fn groups_lifecycle_members_and_pagination() {
    let (_emu, root) = setup();
    let created = ok(
        &root,
        &[
            ("Action", "CreateGroup"),
            ("GroupName", "devs"),
            ("Path", "/eng/"),
        ],
    );
    assert_eq!(
        created.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:group/eng/devs")
    );
    let id = created.text("GroupId").unwrap();
    assert!(id.starts_with("AGPA") && id.len() == 21, "{id}");
    error(
        &root,
        &[("Action", "CreateGroup"), ("GroupName", "DEVS")],
        409,
        "EntityAlreadyExists",
        "Group with name DEVS already exists.",
    );
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "ops")]);
    for name in ["alice", "bob", "carol"] {
        root.create_user(name);
        ok(
            &root,
            &[
                ("Action", "AddUserToGroup"),
                ("GroupName", "devs"),
                ("UserName", name),
            ],
        );
    }
    // Adding a member again changes nothing.
    ok(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "devs"),
            ("UserName", "alice"),
        ],
    );

    let group = ok(&root, &[("Action", "GetGroup"), ("GroupName", "devs")]);
    assert_eq!(members(&group, "UserName"), ["alice", "bob", "carol"]);
    assert_eq!(group.text("IsTruncated").as_deref(), Some("false"));
    let first = ok(
        &root,
        &[("Action", "GetGroup"), ("GroupName", "devs"), ("MaxItems", "2")],
    );
    assert_eq!(members(&first, "UserName"), ["alice", "bob"]);
    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    let marker = first.text("Marker").unwrap();
    let second = ok(
        &root,
        &[
            ("Action", "GetGroup"),
            ("GroupName", "devs"),
            ("MaxItems", "2"),
            ("Marker", &marker),
        ],
    );
    assert_eq!(members(&second, "UserName"), ["carol"]);

    let all = ok(&root, &[("Action", "ListGroups")]);
    assert_eq!(members(&all, "GroupName"), ["devs", "ops"]);
    let eng = ok(&root, &[("Action", "ListGroups"), ("PathPrefix", "/eng/")]);
    assert_eq!(members(&eng, "GroupName"), ["devs"]);

    ok(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "ops"),
            ("UserName", "alice"),
        ],
    );
    let of_alice = ok(&root, &[("Action", "ListGroupsForUser"), ("UserName", "alice")]);
    assert_eq!(members(&of_alice, "GroupName"), ["devs", "ops"]);

    error(
        &root,
        &[("Action", "GetGroup"), ("GroupName", "nope")],
        404,
        "NoSuchEntity",
        "The group with name nope cannot be found.",
    );
    error(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "devs"),
            ("UserName", "nobody"),
        ],
        404,
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    );
    error(
        &root,
        &[("Action", "DeleteGroup"), ("GroupName", "ops")],
        409,
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
    );
    error(
        &root,
        &[("Action", "DeleteUser"), ("UserName", "alice")],
        409,
        "DeleteConflict",
        "must remove users from group first",
    );

    // A rename carries the members along.
    ok(
        &root,
        &[
            ("Action", "UpdateGroup"),
            ("GroupName", "devs"),
            ("NewGroupName", "developers"),
            ("NewPath", "/"),
        ],
    );
    let renamed = ok(&root, &[("Action", "GetGroup"), ("GroupName", "developers")]);
    assert_eq!(
        renamed.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:group/developers")
    );
    assert_eq!(members(&renamed, "UserName"), ["alice", "bob", "carol"]);
    let of_bob = ok(&root, &[("Action", "ListGroupsForUser"), ("UserName", "bob")]);
    assert_eq!(members(&of_bob, "GroupName"), ["developers"]);
    error(
        &root,
        &[
            ("Action", "UpdateGroup"),
            ("GroupName", "developers"),
            ("NewGroupName", "ops"),
        ],
        409,
        "EntityAlreadyExists",
        "Group with name ops already exists.",
    );

    ok(
        &root,
        &[
            ("Action", "RemoveUserFromGroup"),
            ("GroupName", "ops"),
            ("UserName", "alice"),
        ],
    );
    ok(&root, &[("Action", "DeleteGroup"), ("GroupName", "ops")]);
    let of_alice = ok(&root, &[("Action", "ListGroupsForUser"), ("UserName", "alice")]);
    assert_eq!(members(&of_alice, "GroupName"), ["developers"]);
}

#[test]
fn group_policies_apply_to_members_and_block_deletion() {
    let (emu, root) = setup();
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "readers")]);
    let (alice, _) = user_with_keys(&emu, &root, "alice");
    let read_roles = policy("Allow", "iam:ListRoles", "*");
    ok(
        &root,
        &[
            ("Action", "PutGroupPolicy"),
            ("GroupName", "readers"),
            ("PolicyName", "roles"),
            ("PolicyDocument", &read_roles),
        ],
    );
    let got = ok(
        &root,
        &[
            ("Action", "GetGroupPolicy"),
            ("GroupName", "readers"),
            ("PolicyName", "roles"),
        ],
    );
    assert_eq!(got.text("GroupName").as_deref(), Some("readers"));
    assert_eq!(url_decode(&got.text("PolicyDocument").unwrap()), read_roles);
    let names = ok(
        &root,
        &[("Action", "ListGroupPolicies"), ("GroupName", "readers")],
    );
    assert_eq!(members(&names, "member"), ["roles"]);
    error(
        &root,
        &[
            ("Action", "PutGroupPolicy"),
            ("GroupName", "readers"),
            ("PolicyName", "bad"),
            ("PolicyDocument", r#"{"Version":"2012-10-17""#),
        ],
        400,
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
    );

    // Not a member yet: denied; a member: allowed; removed: denied again.
    let _ = iam(&alice, &[("Action", "ListRoles")]).expect_error(403, "AccessDenied");
    ok(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "readers"),
            ("UserName", "alice"),
        ],
    );
    ok(&alice, &[("Action", "ListRoles")]);

    ok(
        &root,
        &[
            ("Action", "AttachGroupPolicy"),
            ("GroupName", "readers"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    );
    let attached = ok(
        &root,
        &[("Action", "ListAttachedGroupPolicies"), ("GroupName", "readers")],
    );
    assert_eq!(members(&attached, "PolicyName"), ["IAMReadOnlyAccess"]);
    ok(&alice, &[("Action", "ListGroups")]);

    ok(
        &root,
        &[
            ("Action", "RemoveUserFromGroup"),
            ("GroupName", "readers"),
            ("UserName", "alice"),
        ],
    );
    let _ = iam(&alice, &[("Action", "ListRoles")]).expect_error(403, "AccessDenied");

    error(
        &root,
        &[("Action", "DeleteGroup"), ("GroupName", "readers")],
        409,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    ok(
        &root,
        &[
            ("Action", "DeleteGroupPolicy"),
            ("GroupName", "readers"),
            ("PolicyName", "roles"),
        ],
    );
    error(
        &root,
        &[("Action", "DeleteGroup"), ("GroupName", "readers")],
        409,
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    );
    ok(
        &root,
        &[
            ("Action", "DetachGroupPolicy"),
            ("GroupName", "readers"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    );
    ok(&root, &[("Action", "DeleteGroup"), ("GroupName", "readers")]);
}

// ---- roles ----

#[test]
fn roles_create_get_update_delete() {
    let (_emu, root) = setup();
    let created = ok(
        &root,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "app"),
            ("Path", "/svc/"),
            ("AssumeRolePolicyDocument", TRUST_ACCOUNT),
            ("Description", "the app"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "a"),
        ],
    );
    assert_eq!(
        created.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:role/svc/app")
    );
    let id = created.text("RoleId").unwrap();
    assert!(id.starts_with("AROA") && id.len() == 21, "{id}");
    assert_eq!(
        url_decode(&created.text("AssumeRolePolicyDocument").unwrap()),
        TRUST_ACCOUNT
    );

    let got = ok(&root, &[("Action", "GetRole"), ("RoleName", "app")]);
    assert_eq!(got.text("MaxSessionDuration").as_deref(), Some("3600"));
    assert_eq!(got.text("Description").as_deref(), Some("the app"));
    assert_eq!(got.text("Key").as_deref(), Some("team"));
    assert!(got.body.contains("<RoleLastUsed>"), "{}", got.body);
    assert_eq!(got.text("RoleId"), Some(id));

    error(
        &root,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "APP"),
            ("AssumeRolePolicyDocument", TRUST_ACCOUNT),
        ],
        409,
        "EntityAlreadyExists",
        "Role with name APP already exists.",
    );
    error(
        &root,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "r2"),
            (
                "AssumeRolePolicyDocument",
                r#"{"Version":"2000-01-01","Statement":[]}"#,
            ),
        ],
        400,
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
    );
    error(
        &root,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "r2"),
            (
                "AssumeRolePolicyDocument",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ghost"},"Action":"sts:AssumeRole"}]}"#,
            ),
        ],
        400,
        "MalformedPolicyDocument",
        "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:user/ghost\"",
    );
    error(
        &root,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "r2"),
            ("AssumeRolePolicyDocument", TRUST_ACCOUNT),
            ("MaxSessionDuration", "100"),
        ],
        400,
        "ValidationError",
        "Member must have value greater than or equal to 3600",
    );

    ok(
        &root,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "r2"),
            ("AssumeRolePolicyDocument", TRUST_ACCOUNT),
            ("MaxSessionDuration", "7200"),
        ],
    );
    let listed = ok(&root, &[("Action", "ListRoles")]);
    assert_eq!(members(&listed, "RoleName"), ["app", "r2"]);
    let svc = ok(&root, &[("Action", "ListRoles"), ("PathPrefix", "/svc/")]);
    assert_eq!(members(&svc, "RoleName"), ["app"]);

    let updated = ok(
        &root,
        &[
            ("Action", "UpdateRole"),
            ("RoleName", "r2"),
            ("Description", "second"),
            ("MaxSessionDuration", "43200"),
        ],
    );
    assert!(updated.body.contains("<UpdateRoleResult>"), "{}", updated.body);
    let got = ok(&root, &[("Action", "GetRole"), ("RoleName", "r2")]);
    assert_eq!(got.text("Description").as_deref(), Some("second"));
    assert_eq!(got.text("MaxSessionDuration").as_deref(), Some("43200"));

    let ec2_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    ok(
        &root,
        &[
            ("Action", "UpdateAssumeRolePolicy"),
            ("RoleName", "r2"),
            ("PolicyDocument", ec2_trust),
        ],
    );
    let got = ok(&root, &[("Action", "GetRole"), ("RoleName", "r2")]);
    assert_eq!(
        url_decode(&got.text("AssumeRolePolicyDocument").unwrap()),
        ec2_trust
    );

    ok(&root, &[("Action", "DeleteRole"), ("RoleName", "r2")]);
    error(
        &root,
        &[("Action", "GetRole"), ("RoleName", "r2")],
        404,
        "NoSuchEntity",
        "The role with name r2 cannot be found.",
    );
}

#[test]
fn role_policies_work_in_sessions_and_block_deletion() {
    let (emu, root) = setup();
    let role_arn = root.create_role("app", TRUST_ACCOUNT);
    let (_, alice) = user_with_keys(&emu, &root, "alice");
    root.put_user_policy("alice", "assume", &policy("Allow", "sts:AssumeRole", "*"));
    ok(
        &root,
        &[
            ("Action", "PutRolePolicy"),
            ("RoleName", "app"),
            ("PolicyName", "read"),
            ("PolicyDocument", &policy("Allow", "iam:GetRole", "*")),
        ],
    );
    let names = ok(&root, &[("Action", "ListRolePolicies"), ("RoleName", "app")]);
    assert_eq!(members(&names, "member"), ["read"]);
    let got = ok(
        &root,
        &[
            ("Action", "GetRolePolicy"),
            ("RoleName", "app"),
            ("PolicyName", "read"),
        ],
    );
    assert_eq!(got.text("RoleName").as_deref(), Some("app"));

    let session = emu.client(&emu.client(&alice).assume_role(&role_arn, "s1"));
    ok(&session, &[("Action", "GetRole"), ("RoleName", "app")]);
    let _ = iam(&session, &[("Action", "ListRoles")]).expect_error(403, "AccessDenied");

    ok(
        &root,
        &[
            ("Action", "AttachRolePolicy"),
            ("RoleName", "app"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    );
    let attached = ok(
        &root,
        &[("Action", "ListAttachedRolePolicies"), ("RoleName", "app")],
    );
    assert_eq!(members(&attached, "PolicyName"), ["IAMReadOnlyAccess"]);
    ok(&session, &[("Action", "ListRoles")]);

    error(
        &root,
        &[("Action", "DeleteRole"), ("RoleName", "app")],
        409,
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    );
    ok(
        &root,
        &[
            ("Action", "DeleteRolePolicy"),
            ("RoleName", "app"),
            ("PolicyName", "read"),
        ],
    );
    error(
        &root,
        &[("Action", "DeleteRole"), ("RoleName", "app")],
        409,
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    );
    ok(
        &root,
        &[
            ("Action", "DetachRolePolicy"),
            ("RoleName", "app"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    );
    ok(&root, &[("Action", "DeleteRole"), ("RoleName", "app")]);
}

// ---- permissions boundaries ----

#[test]
fn permissions_boundaries_limit_users_and_roles() {
    let (emu, root) = setup();
    let boundary = root.create_policy("bound", &policy("Allow", "iam:Get*", "*"));
    let (alice, _) = user_with_keys(&emu, &root, "alice");
    root.put_user_policy("alice", "all", ALLOW_ALL);
    ok(&alice, &[("Action", "ListUsers")]);

    ok(
        &root,
        &[
            ("Action", "PutUserPermissionsBoundary"),
            ("UserName", "alice"),
            ("PermissionsBoundary", &boundary),
        ],
    );
    let user = ok(&root, &[("Action", "GetUser"), ("UserName", "alice")]);
    assert_eq!(
        user.text("PermissionsBoundaryType").as_deref(),
        Some("PermissionsBoundaryPolicy")
    );
    assert_eq!(user.text("PermissionsBoundaryArn"), Some(boundary.clone()));
    let _ = iam(&alice, &[("Action", "ListUsers")]).expect_error(403, "AccessDenied");
    ok(&alice, &[("Action", "GetUser"), ("UserName", "alice")]);

    let missing = format!("arn:aws:iam::{ACCOUNT}:policy/none");
    error(
        &root,
        &[
            ("Action", "PutUserPermissionsBoundary"),
            ("UserName", "alice"),
            ("PermissionsBoundary", &missing),
        ],
        404,
        "NoSuchEntity",
        &format!("Policy {missing} does not exist or is not attachable."),
    );

    root.create_role("app", TRUST_ACCOUNT);
    ok(
        &root,
        &[
            ("Action", "PutRolePermissionsBoundary"),
            ("RoleName", "app"),
            ("PermissionsBoundary", &boundary),
        ],
    );
    let role = ok(&root, &[("Action", "GetRole"), ("RoleName", "app")]);
    assert_eq!(role.text("PermissionsBoundaryArn"), Some(boundary.clone()));
    let used = ok(&root, &[("Action", "GetPolicy"), ("PolicyArn", &boundary)]);
    assert_eq!(used.text("PermissionsBoundaryUsageCount").as_deref(), Some("2"));

    ok(
        &root,
        &[("Action", "DeleteRolePermissionsBoundary"), ("RoleName", "app")],
    );
    let role = ok(&root, &[("Action", "GetRole"), ("RoleName", "app")]);
    assert_eq!(role.text("PermissionsBoundaryArn"), None);
    ok(
        &root,
        &[("Action", "DeleteUserPermissionsBoundary"), ("UserName", "alice")],
    );
    ok(&alice, &[("Action", "ListUsers")]);
}

#[test]
fn boundary_calls_carry_iam_permissions_boundary() {
    let (emu, root) = setup();
    let boundary = root.create_policy("bound", &policy("Allow", "s3:*", "*"));
    root.create_user("bob");
    let (admin, _) = user_with_keys(&emu, &root, "admin");
    let only_this_boundary = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PutUserPermissionsBoundary","Resource":"*","Condition":{{"ArnEquals":{{"iam:PermissionsBoundary":"{boundary}"}}}}}}]}}"#
    );
    root.put_user_policy("admin", "delegate", &only_this_boundary);
    ok(
        &admin,
        &[
            ("Action", "PutUserPermissionsBoundary"),
            ("UserName", "bob"),
            ("PermissionsBoundary", &boundary),
        ],
    );
    let _ = iam(
        &admin,
        &[
            ("Action", "PutUserPermissionsBoundary"),
            ("UserName", "bob"),
            (
                "PermissionsBoundary",
                "arn:aws:iam::aws:policy/AdministratorAccess",
            ),
        ],
    )
    .expect_error(403, "AccessDenied");
}

// ---- tags ----

#[test]
fn tags_on_users_roles_and_policies() {
    let (_emu, root) = setup();
    root.create_user("alice");
    ok(
        &root,
        &[
            ("Action", "TagUser"),
            ("UserName", "alice"),
            ("Tags.member.1.Key", "env"),
            ("Tags.member.1.Value", "dev"),
            ("Tags.member.2.Key", "team"),
            ("Tags.member.2.Value", "a"),
        ],
    );
    // Keys ignore case: ENV replaces env.
    ok(
        &root,
        &[
            ("Action", "TagUser"),
            ("UserName", "alice"),
            ("Tags.member.1.Key", "ENV"),
            ("Tags.member.1.Value", "prod"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListUserTags"), ("UserName", "alice")]);
    assert_eq!(members(&tags, "Key"), ["ENV", "team"]);
    assert_eq!(members(&tags, "Value"), ["prod", "a"]);
    ok(
        &root,
        &[
            ("Action", "UntagUser"),
            ("UserName", "alice"),
            ("TagKeys.member.1", "env"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListUserTags"), ("UserName", "alice")]);
    assert_eq!(members(&tags, "Key"), ["team"]);
    error(
        &root,
        &[
            ("Action", "TagUser"),
            ("UserName", "alice"),
            ("Tags.member.1.Key", "a"),
            ("Tags.member.1.Value", "1"),
            ("Tags.member.2.Key", "A"),
            ("Tags.member.2.Value", "2"),
        ],
        400,
        "InvalidInput",
        "Duplicate tag keys found.",
    );

    // At most 50 tags on one user.
    let pairs: Vec<(String, String)> = (1..=50)
        .flat_map(|n| {
            [
                (format!("Tags.member.{n}.Key"), format!("k{n}")),
                (format!("Tags.member.{n}.Value"), "v".to_string()),
            ]
        })
        .collect();
    let mut params: Vec<(&str, &str)> = vec![("Action", "TagUser"), ("UserName", "alice")];
    params.extend(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    error(&root, &params, 409, "LimitExceeded", "maximum limit");
    let tags = ok(
        &root,
        &[
            ("Action", "ListUserTags"),
            ("UserName", "alice"),
            ("MaxItems", "1"),
        ],
    );
    assert_eq!(tags.text("IsTruncated").as_deref(), Some("false"));

    root.create_role("app", TRUST_ACCOUNT);
    ok(
        &root,
        &[
            ("Action", "TagRole"),
            ("RoleName", "app"),
            ("Tags.member.1.Key", "x"),
            ("Tags.member.1.Value", "y"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListRoleTags"), ("RoleName", "app")]);
    assert_eq!(members(&tags, "Key"), ["x"]);
    ok(
        &root,
        &[
            ("Action", "UntagRole"),
            ("RoleName", "app"),
            ("TagKeys.member.1", "x"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListRoleTags"), ("RoleName", "app")]);
    assert!(tags.body.contains("<Tags></Tags>"), "{}", tags.body);

    let arn = root.create_policy("p", ALLOW_ALL);
    ok(
        &root,
        &[
            ("Action", "TagPolicy"),
            ("PolicyArn", &arn),
            ("Tags.member.1.Key", "owner"),
            ("Tags.member.1.Value", "me"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListPolicyTags"), ("PolicyArn", &arn)]);
    assert_eq!(members(&tags, "Value"), ["me"]);
    ok(
        &root,
        &[
            ("Action", "UntagPolicy"),
            ("PolicyArn", &arn),
            ("TagKeys.member.1", "owner"),
        ],
    );
    error(
        &root,
        &[
            ("Action", "TagRole"),
            ("RoleName", "ghost"),
            ("Tags.member.1.Key", "a"),
            ("Tags.member.1.Value", "b"),
        ],
        404,
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    );
}

#[test]
fn tag_calls_carry_request_tags_and_tag_keys() {
    let (emu, root) = setup();
    root.create_role("app", TRUST_ACCOUNT);
    let (tagger, _) = user_with_keys(&emu, &root, "tagger");
    root.put_user_policy(
        "tagger",
        "team-only",
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:TagRole","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"a"}}},
            {"Effect":"Allow","Action":"iam:UntagRole","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}"#,
    );
    let tag = |value: &str| {
        iam(
            &tagger,
            &[
                ("Action", "TagRole"),
                ("RoleName", "app"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", value),
            ],
        )
    };
    let _ = tag("a").expect_ok();
    let _ = tag("b").expect_error(403, "AccessDenied");
    let untag = |key: &str| {
        iam(
            &tagger,
            &[
                ("Action", "UntagRole"),
                ("RoleName", "app"),
                ("TagKeys.member.1", key),
            ],
        )
    };
    let _ = untag("owner").expect_error(403, "AccessDenied");
    let _ = untag("team").expect_ok();
}

// ---- account-wide views ----

#[test]
fn list_entities_for_policy_by_kind_and_usage() {
    let (_emu, root) = setup();
    let arn = root.create_policy("p", &policy("Allow", "iam:Get*", "*"));
    root.create_user("alice");
    root.create_user("bob");
    root.create_role("app", TRUST_ACCOUNT);
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "devs")]);
    root.attach_user_policy("alice", &arn);
    ok(
        &root,
        &[
            ("Action", "AttachRolePolicy"),
            ("RoleName", "app"),
            ("PolicyArn", &arn),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "AttachGroupPolicy"),
            ("GroupName", "devs"),
            ("PolicyArn", &arn),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "PutUserPermissionsBoundary"),
            ("UserName", "bob"),
            ("PermissionsBoundary", &arn),
        ],
    );

    let all = ok(&root, &[("Action", "ListEntitiesForPolicy"), ("PolicyArn", &arn)]);
    assert_eq!(members(&all, "UserName"), ["alice", "bob"]);
    assert_eq!(members(&all, "RoleName"), ["app"]);
    assert_eq!(members(&all, "GroupName"), ["devs"]);
    let roles = ok(
        &root,
        &[
            ("Action", "ListEntitiesForPolicy"),
            ("PolicyArn", &arn),
            ("EntityFilter", "Role"),
        ],
    );
    assert_eq!(members(&roles, "RoleName"), ["app"]);
    assert!(members(&roles, "UserName").is_empty());
    let bounded = ok(
        &root,
        &[
            ("Action", "ListEntitiesForPolicy"),
            ("PolicyArn", &arn),
            ("PolicyUsageFilter", "PermissionsBoundary"),
        ],
    );
    assert_eq!(members(&bounded, "UserName"), ["bob"]);
    let missing = format!("arn:aws:iam::{ACCOUNT}:policy/none");
    error(
        &root,
        &[("Action", "ListEntitiesForPolicy"), ("PolicyArn", &missing)],
        404,
        "NoSuchEntity",
        &format!("Policy {missing} was not found."),
    );
    // AWS managed policies are listed too (and readable by the account).
    ok(
        &root,
        &[
            ("Action", "AttachUserPolicy"),
            ("UserName", "bob"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    );
    let aws = ok(
        &root,
        &[
            ("Action", "ListEntitiesForPolicy"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    );
    assert_eq!(members(&aws, "UserName"), ["bob"]);
}

#[test]
fn account_authorization_details_and_summary() {
    let (_emu, root) = setup();
    let arn = root.create_policy("p", ALLOW_ALL);
    root.create_user("alice");
    root.put_user_policy("alice", "inline", ALLOW_ALL);
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "devs")]);
    ok(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "devs"),
            ("UserName", "alice"),
        ],
    );
    root.create_role("app", TRUST_ACCOUNT);
    ok(
        &root,
        &[
            ("Action", "AttachRolePolicy"),
            ("RoleName", "app"),
            ("PolicyArn", &arn),
        ],
    );

    let details = ok(&root, &[("Action", "GetAccountAuthorizationDetails")]);
    assert_eq!(details.text("UserName").as_deref(), Some("alice"));
    assert_eq!(details.text("GroupList").as_deref(), Some("devs"));
    assert_eq!(url_decode(&details.text("PolicyDocument").unwrap()), ALLOW_ALL);
    assert_eq!(details.text("RoleName").as_deref(), Some("app"));
    assert_eq!(
        url_decode(&details.text("AssumeRolePolicyDocument").unwrap()),
        TRUST_ACCOUNT
    );
    assert_eq!(details.text("IsDefaultVersion").as_deref(), Some("true"));
    assert_eq!(details.text("AttachmentCount").as_deref(), Some("1"));

    let roles_only = ok(
        &root,
        &[
            ("Action", "GetAccountAuthorizationDetails"),
            ("Filter.member.1", "Role"),
        ],
    );
    assert_eq!(roles_only.text("UserName"), None);
    assert_eq!(roles_only.text("RoleName").as_deref(), Some("app"));
    let page = ok(
        &root,
        &[("Action", "GetAccountAuthorizationDetails"), ("MaxItems", "1")],
    );
    assert_eq!(page.text("IsTruncated").as_deref(), Some("true"));
    error(
        &root,
        &[
            ("Action", "GetAccountAuthorizationDetails"),
            ("Filter.member.1", "Bogus"),
        ],
        400,
        "ValidationError",
        "Member must satisfy enum value set",
    );

    let summary = ok(&root, &[("Action", "GetAccountSummary")]);
    let keys = summary.texts("key");
    let values = summary.texts("value");
    let get = |name: &str| {
        let i = keys
            .iter()
            .position(|k| k == name)
            .unwrap_or_else(|| panic!("no {name} in {}", summary.body));
        values[i].clone()
    };
    assert_eq!(get("Users"), "1");
    assert_eq!(get("Groups"), "1");
    assert_eq!(get("Roles"), "1");
    assert_eq!(get("Policies"), "1");
    assert_eq!(get("AccessKeysPerUserQuota"), "2");
    assert_eq!(get("UsersQuota"), "5000");
}

// ---- the policy simulator ----

#[test]
fn simulate_principal_policy_uses_the_entity_and_its_groups() {
    let (_emu, root) = setup();
    root.create_user("dave");
    root.put_user_policy(
        "dave",
        "s3read",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"NoSecret","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret/*"},{"Sid":"Tagged","Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"a"}}}]}"#,
    );
    let dave = format!("arn:aws:iam::{ACCOUNT}:user/dave");
    let reply = ok(
        &root,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &dave),
            ("ActionNames.member.1", "s3:GetObject"),
            ("ResourceArns.member.1", "arn:aws:s3:::b/x"),
            ("ResourceArns.member.2", "arn:aws:s3:::b/secret/y"),
            ("ResourceArns.member.3", "arn:aws:s3:::c/z"),
        ],
    );
    assert_eq!(
        reply.texts("EvalDecision"),
        ["allowed", "explicitDeny", "implicitDeny"]
    );
    assert_eq!(reply.text("SourcePolicyId").as_deref(), Some("s3read"));
    assert_eq!(reply.text("SourcePolicyType").as_deref(), Some("user"));
    // `{"Version":"2012-10-17","Statement":[{…`: the statement's `{` is on
    // line 1, column 38.
    assert_eq!(reply.texts("Line")[0], "1");
    assert_eq!(reply.texts("Column")[0], "38");

    let missing = ok(
        &root,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &dave),
            ("ActionNames.member.1", "s3:PutObject"),
        ],
    );
    assert_eq!(missing.text("EvalDecision").as_deref(), Some("implicitDeny"));
    assert_eq!(
        missing.text("MissingContextValues").as_deref(),
        Some("aws:RequestTag/team")
    );
    let with_context = ok(
        &root,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &dave),
            ("ActionNames.member.1", "s3:PutObject"),
            ("ContextEntries.member.1.ContextKeyName", "aws:RequestTag/team"),
            ("ContextEntries.member.1.ContextKeyValues.member.1", "a"),
            ("ContextEntries.member.1.ContextKeyType", "string"),
        ],
    );
    assert_eq!(with_context.text("EvalDecision").as_deref(), Some("allowed"));

    // A group's policies count for its members, and can be simulated alone.
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "ec2")]);
    ok(
        &root,
        &[
            ("Action", "PutGroupPolicy"),
            ("GroupName", "ec2"),
            ("PolicyName", "run"),
            ("PolicyDocument", &policy("Allow", "ec2:RunInstances", "*")),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "ec2"),
            ("UserName", "dave"),
        ],
    );
    for source in [dave.clone(), format!("arn:aws:iam::{ACCOUNT}:group/ec2")] {
        let reply = ok(
            &root,
            &[
                ("Action", "SimulatePrincipalPolicy"),
                ("PolicySourceArn", &source),
                ("ActionNames.member.1", "ec2:RunInstances"),
            ],
        );
        assert_eq!(reply.text("EvalDecision").as_deref(), Some("allowed"), "{source}");
        assert_eq!(reply.text("SourcePolicyType").as_deref(), Some("group"));
    }

    // A boundary limits the simulated user.
    let boundary = root.create_policy("bound", &policy("Allow", "s3:*", "*"));
    ok(
        &root,
        &[
            ("Action", "PutUserPermissionsBoundary"),
            ("UserName", "dave"),
            ("PermissionsBoundary", &boundary),
        ],
    );
    let bounded = ok(
        &root,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &dave),
            ("ActionNames.member.1", "ec2:RunInstances"),
        ],
    );
    assert_eq!(bounded.text("EvalDecision").as_deref(), Some("implicitDeny"));
    assert_eq!(
        bounded.text("AllowedByPermissionsBoundary").as_deref(),
        Some("false")
    );

    // Roles, with extra policies given in the call.
    let role = root.create_role("app", TRUST_ACCOUNT);
    let reply = ok(
        &root,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &role),
            ("ActionNames.member.1", "sqs:SendMessage"),
            ("PolicyInputList.member.1", ALLOW_ALL),
        ],
    );
    assert_eq!(reply.text("EvalDecision").as_deref(), Some("allowed"));
    assert_eq!(reply.text("SourcePolicyId").as_deref(), Some("PolicyInputList.1"));

    error(
        &root,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &format!("arn:aws:iam::{ACCOUNT}:user/ghost")),
            ("ActionNames.member.1", "s3:GetObject"),
        ],
        404,
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
    );
    error(
        &root,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &dave),
            ("ActionNames.member.1", "s3:GetObject"),
            ("ResourceArns.member.1", "bucket"),
        ],
        400,
        "InvalidInput",
        "ResourceNames are not in a valid ARN format: bucket.",
    );
}

#[test]
fn simulate_custom_policy_with_context_and_resource_policy() {
    let (_emu, root) = setup();
    let dated = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}]}"#;
    let at = |time: &str| {
        ok(
            &root,
            &[
                ("Action", "SimulateCustomPolicy"),
                ("PolicyInputList.member.1", dated),
                ("ActionNames.member.1", "dynamodb:CreateBackup"),
                ("ContextEntries.member.1.ContextKeyName", "aws:CurrentTime"),
                ("ContextEntries.member.1.ContextKeyValues.member.1", time),
                ("ContextEntries.member.1.ContextKeyType", "date"),
            ],
        )
    };
    let allowed = at("2019-04-25T11:00:00Z");
    assert_eq!(allowed.text("EvalDecision").as_deref(), Some("allowed"));
    assert_eq!(allowed.text("EvalResourceName").as_deref(), Some("*"));
    assert_eq!(
        allowed.text("SourcePolicyId").as_deref(),
        Some("PolicyInputList.1")
    );
    assert_eq!(allowed.text("SourcePolicyType").as_deref(), Some("IAM Policy"));
    // Start: the statement's `{`; end: just after its `}` (before `]}`).
    assert_eq!(
        allowed.texts("Column"),
        ["38".to_string(), (dated.len() - 1).to_string()]
    );
    let denied = at("2017-04-25T11:00:00Z");
    assert_eq!(denied.text("EvalDecision").as_deref(), Some("implicitDeny"));

    let deny_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    let caller = format!("arn:aws:iam::{ACCOUNT}:user/someone");
    let reply = ok(
        &root,
        &[
            ("Action", "SimulateCustomPolicy"),
            ("PolicyInputList.member.1", ALLOW_ALL),
            ("ActionNames.member.1", "s3:GetObject"),
            ("ResourceArns.member.1", "arn:aws:s3:::b/k"),
            ("ResourcePolicy", deny_all),
            ("CallerArn", &caller),
        ],
    );
    assert_eq!(reply.text("EvalDecision").as_deref(), Some("explicitDeny"));
    assert_eq!(
        reply.text("EvalResourceDecision").as_deref(),
        Some("explicitDeny")
    );
    assert_eq!(reply.text("SourcePolicyType").as_deref(), Some("Resource Policy"));
    error(
        &root,
        &[
            ("Action", "SimulateCustomPolicy"),
            ("PolicyInputList.member.1", ALLOW_ALL),
            ("ActionNames.member.1", "s3:GetObject"),
            ("ResourcePolicy", deny_all),
        ],
        400,
        "InvalidInput",
        "CallerArn",
    );

    // Cross-account: the identity policy allows, no resource policy does.
    let cross = ok(
        &root,
        &[
            ("Action", "SimulateCustomPolicy"),
            ("PolicyInputList.member.1", ALLOW_ALL),
            ("ActionNames.member.1", "s3:GetObject"),
            ("ResourceArns.member.1", "arn:aws:s3:::b/k"),
            ("ResourceOwner", "arn:aws:iam::999999999999:root"),
        ],
    );
    assert_eq!(cross.text("EvalDecision").as_deref(), Some("implicitDeny"));
    assert_eq!(cross.text("key").as_deref(), Some("IAM Policy"));
    assert_eq!(cross.text("value").as_deref(), Some("allowed"));

    let paged = ok(
        &root,
        &[
            ("Action", "SimulateCustomPolicy"),
            ("PolicyInputList.member.1", ALLOW_ALL),
            ("ActionNames.member.1", "a:b"),
            ("ActionNames.member.2", "c:d"),
            ("ActionNames.member.3", "e:f"),
            ("MaxItems", "2"),
        ],
    );
    assert_eq!(paged.texts("EvalActionName"), ["a:b", "c:d"]);
    assert_eq!(paged.text("IsTruncated").as_deref(), Some("true"));
}

// ---- a non-root caller ----

#[test]
fn non_root_callers_need_permission() {
    let (emu, root) = setup();
    root.create_user("alice");
    let (limited, _) = user_with_keys(&emu, &root, "limited");
    let denied =
        iam(&limited, &[("Action", "CreateGroup"), ("GroupName", "x")]).expect_error(403, "AccessDenied");
    assert_eq!(
        denied.error_message().as_deref(),
        Some(
            "User: arn:aws:iam::123456789012:user/limited is not authorized to perform: iam:CreateGroup \
             on resource: arn:aws:iam::123456789012:group/x because no identity-based policy allows the \
             iam:CreateGroup action"
        )
    );
    let alice = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let denied = iam(
        &limited,
        &[
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", &alice),
            ("ActionNames.member.1", "s3:GetObject"),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert!(
        denied
            .error_message()
            .unwrap()
            .contains(&format!("iam:SimulatePrincipalPolicy on resource: {alice}")),
        "{}",
        denied.body
    );
    for action in ["GetAccountSummary", "GetAccountAuthorizationDetails", "ListRoles"] {
        let _ = iam(&limited, &[("Action", action)]).expect_error(403, "AccessDenied");
    }
    let _ = iam(
        &limited,
        &[
            ("Action", "SimulateCustomPolicy"),
            ("PolicyInputList.member.1", ALLOW_ALL),
            ("ActionNames.member.1", "s3:GetObject"),
        ],
    )
    .expect_error(403, "AccessDenied");

    root.put_user_policy(
        "limited",
        "sim",
        &policy("Allow", "iam:SimulateCustomPolicy", "*"),
    );
    let reply = ok(
        &limited,
        &[
            ("Action", "SimulateCustomPolicy"),
            ("PolicyInputList.member.1", ALLOW_ALL),
            ("ActionNames.member.1", "s3:GetObject"),
        ],
    );
    assert_eq!(reply.text("EvalDecision").as_deref(), Some("allowed"));
}

/// `aws:ResourceTag/*` carries the tags of the user a call acts on, so
/// tag-based access control (ABAC) on IAM users works.
#[test]
fn resource_tags_of_users_reach_conditions() {
    let emu = iam_harness::Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "CreateUser"),
                ("UserName", "tagged"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "red"),
            ],
        )
        .expect_ok();
    let _ = root
        .query("iam", &[("Action", "CreateUser"), ("UserName", "untagged")])
        .expect_ok();
    let admin = root.create_user_with_keys("red-admin");
    root.put_user_policy(
        "red-admin",
        "red-only",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*",
            "Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}]}"#,
    );
    let client = emu.client(&admin);
    let _ = client
        .query("iam", &[("Action", "GetUser"), ("UserName", "tagged")])
        .expect_ok();
    let _ = client
        .query("iam", &[("Action", "GetUser"), ("UserName", "untagged")])
        .expect_error(403, "AccessDenied");
    // A user under a path is found by its ARN's last segment too; a user of
    // another name whose ARN differs only in the path is not taken for it.
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "CreateUser"),
                ("UserName", "Pathed"),
                ("Path", "/teams/red/"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "red"),
            ],
        )
        .expect_ok();
    let _ = client
        .query("iam", &[("Action", "GetUser"), ("UserName", "pathed")])
        .expect_ok();
}

// ---- AWS-owned roles ----

/// Moves role `name` under `path` in the state, as IAM would hold an IAM
/// Identity Center role (CreateRole cannot put one there, and no IAM call
/// creates one).
fn move_under(emu: &Emulator, name: &str, path: &str) -> String {
    let mut state = emu.app().state();
    let role = state
        .account_mut("123456789012")
        .roles
        .get_mut(&iam_emulator::state::iam::key(name))
        .expect("the role exists");
    role.path = path.to_string();
    role.arn = format!("arn:aws:iam::123456789012:role{path}{name}");
    role.arn.clone()
}

// IAM API Reference, UnmodifiableEntity: "service-linked roles are protected AWS resources. Only
// the service that depends on the service-linked role can modify or delete the role on your
// behalf." IAM User Guide, "Update a service-linked role": "You can edit the description of any
// role." Even the root user gets UnmodifiableEntity, and the decision log says why.
#[test]
fn service_linked_and_reserved_roles_are_unmodifiable() {
    let (emu, root) = setup();
    let admin_policy =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    for name in ["AWSServiceRoleForAutoScaling", "AWSReservedSSO_Admin_0123"] {
        let arn = if name.starts_with("AWSServiceRoleFor") {
            ok(
                &root,
                &[
                    ("Action", "CreateServiceLinkedRole"),
                    ("AWSServiceName", "autoscaling.amazonaws.com"),
                ],
            )
            .text("Arn")
            .unwrap()
        } else {
            let _ = ok(
                &root,
                &[
                    ("Action", "CreateRole"),
                    ("RoleName", name),
                    ("AssumeRolePolicyDocument", TRUST_ACCOUNT),
                ],
            );
            move_under(&emu, name, "/aws-reserved/sso.amazonaws.com/")
        };
        let protected = format!("Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS");
        for params in [
            vec![("Action", "DeleteRole"), ("RoleName", name)],
            vec![
                ("Action", "PutRolePolicy"),
                ("RoleName", name),
                ("PolicyName", "p"),
                ("PolicyDocument", admin_policy),
            ],
            vec![
                ("Action", "AttachRolePolicy"),
                ("RoleName", name),
                ("PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
            ],
            vec![
                ("Action", "UpdateAssumeRolePolicy"),
                ("RoleName", name),
                ("PolicyDocument", TRUST_ACCOUNT),
            ],
        ] {
            error(&root, &params, 400, "UnmodifiableEntity", &protected);
        }
        let logged = emu.decisions(1)[0].clone();
        assert_eq!(logged["rule"]["name"], "awsOwnedResource", "{logged}");
        assert_eq!(logged["resource"], arn.as_str());
        // Reading is up to the policies.
        let got = ok(&root, &[("Action", "GetRole"), ("RoleName", name)]);
        assert_eq!(got.text("Arn").as_deref(), Some(arn.as_str()));
    }
    // A service-linked role's description may be edited.
    let _ = ok(
        &root,
        &[
            ("Action", "UpdateRoleDescription"),
            ("RoleName", "AWSServiceRoleForAutoScaling"),
            ("Description", "edited"),
        ],
    );
}
