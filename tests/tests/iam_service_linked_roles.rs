//! Service-linked roles over the wire: CreateServiceLinkedRole names the
//! role as the service does, trusts the service and carries its managed
//! policy; the role is protected until DeleteServiceLinkedRole removes it;
//! the deletion task is kept (GetServiceLinkedRoleDeletionStatus), even
//! across a restart; each call is its own IAM action on the role's ARN.

use iam_harness::{url_decode, Client, Emulator, Reply};

const ACCOUNT: &str = "123456789012";

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

fn create(client: &Client, service: &str, suffix: Option<&str>) -> Reply {
    let mut params = vec![("Action", "CreateServiceLinkedRole"), ("AWSServiceName", service)];
    if let Some(suffix) = suffix {
        params.push(("CustomSuffix", suffix));
    }
    iam(client, &params)
}

fn setup() -> (Emulator, Client) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    (emu, root)
}

// IAM User Guide, "Using service-linked roles" / EC2 Auto Scaling's guide:
// the role is AWSServiceRoleForAutoScaling under /aws-service-role/autoscaling.amazonaws.com/,
// with the AutoScalingServiceRolePolicy managed policy.
#[test]
fn a_service_linked_role_is_named_trusted_and_granted_as_the_service_says() {
    let (_emu, root) = setup();
    let created = create(&root, "autoscaling.amazonaws.com", None).expect_ok();
    let arn = format!(
        "arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    );
    assert_eq!(created.text("Arn").as_deref(), Some(arn.as_str()));
    assert_eq!(
        created.text("Path").as_deref(),
        Some("/aws-service-role/autoscaling.amazonaws.com/")
    );
    assert!(created.text("RoleId").unwrap().starts_with("AROA"));
    let trust: serde_json::Value =
        serde_json::from_str(&url_decode(&created.text("AssumeRolePolicyDocument").unwrap())).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"][0],
        "autoscaling.amazonaws.com"
    );
    assert_eq!(trust["Statement"][0]["Action"][0], "sts:AssumeRole");
    let attached = ok(
        &root,
        &[
            ("Action", "ListAttachedRolePolicies"),
            ("RoleName", "AWSServiceRoleForAutoScaling"),
        ],
    );
    assert_eq!(
        attached.texts("PolicyArn"),
        ["arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"]
    );
    let got = ok(
        &root,
        &[
            ("Action", "GetRole"),
            ("RoleName", "AWSServiceRoleForAutoScaling"),
        ],
    );
    assert_eq!(got.text("Arn").as_deref(), Some(arn.as_str()));
    // "Service role name … has been taken in this account, please try a
    // different suffix." (what IAM answers, as Terraform users report it).
    error(
        &root,
        &[("Action", "CreateServiceLinkedRole"), ("AWSServiceName", "autoscaling.amazonaws.com")],
        400,
        "InvalidInput",
        "Service role name AWSServiceRoleForAutoScaling has been taken in this account, please try a different suffix.",
    );
    // Auto Scaling takes a suffix; ECS does not.
    let suffixed = create(&root, "autoscaling.amazonaws.com", Some("eks-a")).expect_ok();
    assert_eq!(
        suffixed.text("RoleName").as_deref(),
        Some("AWSServiceRoleForAutoScaling_eks-a")
    );
    error(
        &root,
        &[
            ("Action", "CreateServiceLinkedRole"),
            ("AWSServiceName", "ecs.amazonaws.com"),
            ("CustomSuffix", "x"),
        ],
        400,
        "InvalidInput",
        "Custom suffix is not allowed for ecs.amazonaws.com",
    );
    let described = iam(
        &root,
        &[
            ("Action", "CreateServiceLinkedRole"),
            ("AWSServiceName", "ecs.amazonaws.com"),
            ("Description", "for my cluster"),
        ],
    )
    .expect_ok();
    assert_eq!(
        described.text("RoleName").as_deref(),
        Some("AWSServiceRoleForECS")
    );
    assert_eq!(described.text("Description").as_deref(), Some("for my cluster"));
}

#[test]
fn other_services_get_the_generic_name_and_unknown_ones_are_refused() {
    let (_emu, root) = setup();
    let lambda = create(&root, "lambda.amazonaws.com", None).expect_ok();
    assert_eq!(
        lambda.text("RoleName").as_deref(),
        Some("AWSServiceRoleForLambda")
    );
    let attached = ok(
        &root,
        &[
            ("Action", "ListAttachedRolePolicies"),
            ("RoleName", "AWSServiceRoleForLambda"),
        ],
    );
    assert!(attached.texts("PolicyArn").is_empty());
    for bad in ["nonsense.amazonaws.com", "lambda.example.com", "lambda"] {
        let reply = create(&root, bad, None).expect_error(400, "InvalidInput");
        assert!(reply.error_message().unwrap().contains(bad));
    }
    // The model's pattern is checked first.
    let _ = create(&root, "bad service", None).expect_error(400, "ValidationError");
}

// IAM API Reference, UnmodifiableEntity: only the service (here, the
// service-linked role calls) can change or delete the role.
#[test]
fn the_role_is_deleted_only_as_a_service_linked_role() {
    let (_emu, root) = setup();
    let _ = create(&root, "elasticloadbalancing.amazonaws.com", None).expect_ok();
    let name = "AWSServiceRoleForElasticLoadBalancing";
    error(
        &root,
        &[("Action", "DeleteRole"), ("RoleName", name)],
        400,
        "UnmodifiableEntity",
        &format!("Cannot perform the operation on the protected role '{name}'"),
    );
    error(
        &root,
        &[
            ("Action", "DetachRolePolicy"),
            ("RoleName", name),
            (
                "PolicyArn",
                "arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy",
            ),
        ],
        400,
        "UnmodifiableEntity",
        "protected role",
    );
    let deleted = ok(
        &root,
        &[("Action", "DeleteServiceLinkedRole"), ("RoleName", name)],
    );
    let task = deleted.text("DeletionTaskId").unwrap();
    let prefix = format!("task/aws-service-role/elasticloadbalancing.amazonaws.com/{name}/");
    assert!(task.starts_with(&prefix), "{task}");
    assert_eq!(task.len(), prefix.len() + 36, "{task}");
    error(
        &root,
        &[("Action", "GetRole"), ("RoleName", name)],
        404,
        "NoSuchEntity",
        name,
    );
    let status = ok(
        &root,
        &[
            ("Action", "GetServiceLinkedRoleDeletionStatus"),
            ("DeletionTaskId", &task),
        ],
    );
    assert_eq!(status.text("Status").as_deref(), Some("SUCCEEDED"));
    // The role is gone: deleting it again is NoSuchEntity.
    error(
        &root,
        &[("Action", "DeleteServiceLinkedRole"), ("RoleName", name)],
        404,
        "NoSuchEntity",
        name,
    );
    let unknown = format!("{prefix}00000000-0000-4000-a000-000000000000");
    error(
        &root,
        &[
            ("Action", "GetServiceLinkedRoleDeletionStatus"),
            ("DeletionTaskId", &unknown),
        ],
        404,
        "NoSuchEntity",
        &unknown,
    );
    error(
        &root,
        &[
            ("Action", "GetServiceLinkedRoleDeletionStatus"),
            ("DeletionTaskId", "task/oops"),
        ],
        400,
        "InvalidInput",
        "task/oops",
    );
    // An ordinary role is not deleted this way.
    root.create_role(
        "plain",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    );
    error(
        &root,
        &[("Action", "DeleteServiceLinkedRole"), ("RoleName", "plain")],
        400,
        "InvalidInput",
        "plain is not a service-linked role",
    );
}

// IAM User Guide, "Service-linked role permissions": "iam:CreateServiceLinkedRole" with
// the iam:AWSServiceName condition key lets an entity create the role for one service.
#[test]
fn each_call_is_its_own_action_on_the_roles_arn() {
    let (emu, root) = setup();
    let dev = root.create_user_with_keys("dev");
    let dev = emu.client(&dev);
    let ecs_role =
        format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS");
    let denied = create(&dev, "ecs.amazonaws.com", None).expect_error(403, "AccessDenied");
    assert_eq!(
        denied.error_message().unwrap(),
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:CreateServiceLinkedRole on resource: {ecs_role} because no identity-based policy allows the iam:CreateServiceLinkedRole action"
        )
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/*",
         "Condition":{"StringEquals":{"iam:AWSServiceName":"ecs.amazonaws.com"}}},
        {"Effect":"Allow","Action":"iam:DeleteServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/ecs.amazonaws.com/*"}]}"#;
    let _ = root.put_user_policy("dev", "slr", policy).expect_ok();
    let _ = create(&dev, "ecs.amazonaws.com", None).expect_ok();
    let _ = create(&dev, "rds.amazonaws.com", None).expect_error(403, "AccessDenied");
    let task = ok(
        &dev,
        &[
            ("Action", "DeleteServiceLinkedRole"),
            ("RoleName", "AWSServiceRoleForECS"),
        ],
    )
    .text("DeletionTaskId")
    .unwrap();
    let denied = iam(
        &dev,
        &[
            ("Action", "GetServiceLinkedRoleDeletionStatus"),
            ("DeletionTaskId", &task),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert!(denied.error_message().unwrap().contains(&format!(
        "iam:GetServiceLinkedRoleDeletionStatus on resource: {ecs_role}"
    )));
}

#[test]
fn roles_and_deletion_tasks_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("iam-slr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let task = {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = emu.client(&emu.root_credentials());
        let _ = create(&root, "spot.amazonaws.com", None).expect_ok();
        let _ = create(&root, "rds.amazonaws.com", None).expect_ok();
        ok(
            &root,
            &[
                ("Action", "DeleteServiceLinkedRole"),
                ("RoleName", "AWSServiceRoleForRDS"),
            ],
        )
        .text("DeletionTaskId")
        .unwrap()
    };
    let emu = Emulator::builder().state_dir(&dir).start();
    let root = emu.client(&emu.root_credentials());
    let got = ok(
        &root,
        &[("Action", "GetRole"), ("RoleName", "AWSServiceRoleForEC2Spot")],
    );
    assert_eq!(
        got.text("Path").as_deref(),
        Some("/aws-service-role/spot.amazonaws.com/")
    );
    let status = ok(
        &root,
        &[
            ("Action", "GetServiceLinkedRoleDeletionStatus"),
            ("DeletionTaskId", &task),
        ],
    );
    assert_eq!(status.text("Status").as_deref(), Some("SUCCEEDED"));
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}
