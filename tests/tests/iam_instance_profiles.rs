//! Instance profiles over the wire: the lifecycle Terraform's
//! `aws_iam_instance_profile` drives, one role per profile, the conflicts
//! that keep a role or profile from being deleted, the PassRole question
//! AddRoleToInstanceProfile asks, and GetAccountAuthorizationDetails.

use iam_harness::{Client, Emulator, Reply};

const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

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

fn setup() -> (Emulator, Client) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    (emu, root)
}

fn add(root: &Client, profile: &str, role: &str) -> Reply {
    iam(
        root,
        &[
            ("Action", "AddRoleToInstanceProfile"),
            ("InstanceProfileName", profile),
            ("RoleName", role),
        ],
    )
}

#[test]
fn an_instance_profile_with_its_role() {
    let (_emu, root) = setup();
    let created = ok(
        &root,
        &[
            ("Action", "CreateInstanceProfile"),
            ("InstanceProfileName", "web"),
            ("Path", "/app/"),
            ("Tags.member.1.Key", "tier"),
            ("Tags.member.1.Value", "front"),
        ],
    );
    assert_eq!(
        created.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:instance-profile/app/web")
    );
    let id = created.text("InstanceProfileId").unwrap();
    assert!(id.starts_with("AIPA") && id.len() == 21, "{id}");
    error(
        &root,
        &[
            ("Action", "CreateInstanceProfile"),
            ("InstanceProfileName", "WEB"),
        ],
        409,
        "EntityAlreadyExists",
        "Instance Profile WEB already exists.",
    );
    root.create_role("web-role", EC2_TRUST);
    root.create_role("other", EC2_TRUST);
    let _ = add(&root, "web", "web-role").expect_ok();
    let refused = add(&root, "web", "other").expect_error(409, "LimitExceeded");
    assert_eq!(
        refused.error_message().as_deref(),
        Some("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    );
    let _ = add(&root, "web", "missing").expect_error(404, "NoSuchEntity");
    let got = ok(
        &root,
        &[("Action", "GetInstanceProfile"), ("InstanceProfileName", "web")],
    );
    assert_eq!(got.texts("RoleName"), ["web-role"]);
    assert_eq!(got.texts("Key"), ["tier"]);
    let for_role = ok(
        &root,
        &[
            ("Action", "ListInstanceProfilesForRole"),
            ("RoleName", "web-role"),
        ],
    );
    assert_eq!(for_role.texts("InstanceProfileName"), ["web"]);
    let none = ok(
        &root,
        &[("Action", "ListInstanceProfilesForRole"), ("RoleName", "other")],
    );
    assert!(none.texts("InstanceProfileName").is_empty());
    // The role and the profile hold each other.
    error(
        &root,
        &[("Action", "DeleteRole"), ("RoleName", "web-role")],
        409,
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    );
    error(
        &root,
        &[
            ("Action", "DeleteInstanceProfile"),
            ("InstanceProfileName", "web"),
        ],
        409,
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    );
    let details = ok(
        &root,
        &[
            ("Action", "GetAccountAuthorizationDetails"),
            ("Filter.member.1", "Role"),
        ],
    );
    assert_eq!(details.texts("InstanceProfileName"), ["web"]);
    ok(
        &root,
        &[
            ("Action", "RemoveRoleFromInstanceProfile"),
            ("InstanceProfileName", "web"),
            ("RoleName", "web-role"),
        ],
    );
    error(
        &root,
        &[
            ("Action", "RemoveRoleFromInstanceProfile"),
            ("InstanceProfileName", "web"),
            ("RoleName", "web-role"),
        ],
        404,
        "NoSuchEntity",
        "web-role",
    );
    ok(&root, &[("Action", "DeleteRole"), ("RoleName", "web-role")]);
    ok(
        &root,
        &[
            ("Action", "DeleteInstanceProfile"),
            ("InstanceProfileName", "web"),
        ],
    );
    error(
        &root,
        &[("Action", "GetInstanceProfile"), ("InstanceProfileName", "web")],
        404,
        "NoSuchEntity",
        "Instance Profile web cannot be found.",
    );
}

#[test]
fn listing_instance_profiles_by_path_and_page() {
    let (_emu, root) = setup();
    for (name, path) in [("a", "/x/"), ("b", "/x/"), ("c", "/y/")] {
        ok(
            &root,
            &[
                ("Action", "CreateInstanceProfile"),
                ("InstanceProfileName", name),
                ("Path", path),
            ],
        );
    }
    let first = ok(
        &root,
        &[
            ("Action", "ListInstanceProfiles"),
            ("PathPrefix", "/x/"),
            ("MaxItems", "1"),
        ],
    );
    assert_eq!(first.texts("InstanceProfileName"), ["a"]);
    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    let marker = first.text("Marker").unwrap();
    let second = ok(
        &root,
        &[
            ("Action", "ListInstanceProfiles"),
            ("PathPrefix", "/x/"),
            ("Marker", &marker),
        ],
    );
    assert_eq!(second.texts("InstanceProfileName"), ["b"]);
    assert_eq!(second.text("IsTruncated").as_deref(), Some("false"));
    let summary = ok(&root, &[("Action", "GetAccountSummary")]);
    let keys = summary.texts("key");
    let at = keys.iter().position(|k| k == "InstanceProfiles").unwrap();
    assert_eq!(summary.texts("value")[at], "3");
}

/// "The caller of this operation must be granted the PassRole permission
/// on the IAM role by a permissions policy." (AddRoleToInstanceProfile)
#[test]
fn adding_a_role_needs_pass_role_on_it() {
    let (emu, root) = setup();
    ok(
        &root,
        &[
            ("Action", "CreateInstanceProfile"),
            ("InstanceProfileName", "web"),
        ],
    );
    root.create_role("web-role", EC2_TRUST);
    let credentials = root.create_user_with_keys("ops");
    let without_pass = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AddRoleToInstanceProfile","Resource":"arn:aws:iam::123456789012:instance-profile/web"}]}"#;
    let _ = root.put_user_policy("ops", "p", without_pass).expect_ok();
    let ops = emu.client(&credentials);
    let denied = add(&ops, "web", "web-role").expect_error(403, "AccessDenied");
    let message = denied.error_message().unwrap();
    assert!(
        message.contains("iam:PassRole on resource: arn:aws:iam::123456789012:role/web-role"),
        "{message}"
    );
    // PassRole as AWS's own example scopes it to EC2.
    let with_pass = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:AddRoleToInstanceProfile","Resource":"arn:aws:iam::123456789012:instance-profile/web"},
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/web-role",
         "Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"},
                      "ArnLike":{"iam:AssociatedResourceArn":"arn:aws:ec2:*:123456789012:instance/*"}}}]}"#;
    let _ = root.put_user_policy("ops", "p", with_pass).expect_ok();
    let _ = add(&ops, "web", "web-role").expect_ok();
}

#[test]
fn instance_profile_tags() {
    let (_emu, root) = setup();
    ok(
        &root,
        &[
            ("Action", "CreateInstanceProfile"),
            ("InstanceProfileName", "web"),
        ],
    );
    let name = ("InstanceProfileName", "web");
    ok(
        &root,
        &[
            ("Action", "TagInstanceProfile"),
            name,
            ("Tags.member.1.Key", "a"),
            ("Tags.member.1.Value", "1"),
            ("Tags.member.2.Key", "b"),
            ("Tags.member.2.Value", "2"),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "UntagInstanceProfile"),
            name,
            ("TagKeys.member.1", "A"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListInstanceProfileTags"), name]);
    assert_eq!(tags.texts("Key"), ["b"]);
    error(
        &root,
        &[
            ("Action", "ListInstanceProfileTags"),
            ("InstanceProfileName", "nope"),
        ],
        404,
        "NoSuchEntity",
        "Instance Profile nope cannot be found.",
    );
}
