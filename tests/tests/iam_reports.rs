//! What policies say and what was done with them, over the wire: the
//! context keys documents read (GetContextKeysFor{Custom,Principal}Policy),
//! the policies granting each service (ListPoliciesGrantingServiceAccess),
//! and service last accessed reports built from the requests the emulator
//! served (GenerateServiceLastAccessedDetails and its two readers), kept
//! across a restart.

use iam_harness::{Client, Emulator, Reply};

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

fn policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn setup() -> (Emulator, Client) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    (emu, root)
}

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

// ---- context keys ----

#[test]
fn custom_policies_list_the_keys_their_conditions_and_variables_read() {
    let (_emu, root) = setup();
    let first = policy(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*",
            "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
    );
    let second = policy(
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"IpAddress":{"AWS:SOURCEIP":"1.2.3.4"}}}"#,
    );
    let reply = ok(
        &root,
        &[
            ("Action", "GetContextKeysForCustomPolicy"),
            ("PolicyInputList.member.1", &first),
            ("PolicyInputList.member.2", &second),
        ],
    );
    assert_eq!(
        reply.texts("member"),
        ["aws:username", "aws:SourceIp", "aws:MultiFactorAuthPresent"]
    );
    error(
        &root,
        &[
            ("Action", "GetContextKeysForCustomPolicy"),
            ("PolicyInputList.member.1", "{not json"),
        ],
        400,
        "InvalidInput",
        "policy",
    );
}

#[test]
fn a_principals_keys_are_those_of_its_own_and_its_groups_policies() {
    let (emu, root) = setup();
    let _ = root.create_user("alice").expect_ok();
    let _ = root.put_user_policy(
        "alice",
        "own",
        &policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/"}}}"#),
    )
    .expect_ok();
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "devs")]);
    ok(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "devs"),
            ("UserName", "alice"),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "PutGroupPolicy"),
            ("GroupName", "devs"),
            ("PolicyName", "team"),
            (
                "PolicyDocument",
                &policy(
                    r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"dev"}}}"#,
                ),
            ),
        ],
    );
    let extra = policy(
        r#"{"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}"#,
    );
    let alice = user_arn("alice");
    let reply = ok(
        &root,
        &[
            ("Action", "GetContextKeysForPrincipalPolicy"),
            ("PolicySourceArn", &alice),
            ("PolicyInputList.member.1", &extra),
        ],
    );
    let mut keys = reply.texts("member");
    keys.sort();
    assert_eq!(keys, ["aws:CurrentTime", "aws:PrincipalTag/team", "s3:prefix"]);
    // A group's are its own only.
    let group = ok(
        &root,
        &[
            ("Action", "GetContextKeysForPrincipalPolicy"),
            ("PolicySourceArn", &format!("arn:aws:iam::{ACCOUNT}:group/devs")),
        ],
    );
    assert_eq!(group.texts("member"), ["aws:PrincipalTag/team"]);
    error(
        &root,
        &[
            ("Action", "GetContextKeysForPrincipalPolicy"),
            ("PolicySourceArn", &user_arn("nobody")),
        ],
        404,
        "NoSuchEntity",
        "nobody",
    );
    // Authorized as iam:GetContextKeysForPrincipalPolicy on the entity.
    let dev = emu.client(&root.create_user_with_keys("dev"));
    let denied = iam(
        &dev,
        &[
            ("Action", "GetContextKeysForPrincipalPolicy"),
            ("PolicySourceArn", &alice),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert_eq!(
        denied.error_message().unwrap(),
        format!("User: {} is not authorized to perform: iam:GetContextKeysForPrincipalPolicy on resource: {alice} because no identity-based policy allows the iam:GetContextKeysForPrincipalPolicy action", user_arn("dev"))
    );
    let _ = root.put_user_policy(
        "dev",
        "keys",
        &policy(&format!(
            r#"{{"Effect":"Allow","Action":["iam:GetContextKeysForPrincipalPolicy","iam:GetContextKeysForCustomPolicy"],"Resource":"{alice}"}}"#
        )),
    )
    .expect_ok();
    ok(
        &dev,
        &[
            ("Action", "GetContextKeysForPrincipalPolicy"),
            ("PolicySourceArn", &alice),
        ],
    );
    // GetContextKeysForCustomPolicy acts on no resource ("*"), which AWS's
    // message does not name.
    let denied = iam(
        &dev,
        &[
            ("Action", "GetContextKeysForCustomPolicy"),
            ("PolicyInputList.member.1", &extra),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert!(denied
        .error_message()
        .unwrap()
        .ends_with("is not authorized to perform: iam:GetContextKeysForCustomPolicy because no identity-based policy allows the iam:GetContextKeysForCustomPolicy action"));
}

// ---- ListPoliciesGrantingServiceAccess ----

#[test]
fn policies_granting_each_service_as_the_evaluator_matches_actions() {
    let (emu, root) = setup();
    let _ = root.create_user("alice").expect_ok();
    let _ = root
        .put_user_policy(
            "alice",
            "objects",
            &policy(r#"{"Effect":"Allow","Action":"S3:Get*","Resource":"*"}"#),
        )
        .expect_ok();
    let not_iam = root.create_policy(
        "everything-but-iam",
        &policy(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#),
    );
    let _ = root.attach_user_policy("alice", &not_iam).expect_ok();
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "devs")]);
    ok(
        &root,
        &[
            ("Action", "AddUserToGroup"),
            ("GroupName", "devs"),
            ("UserName", "alice"),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "PutGroupPolicy"),
            ("GroupName", "devs"),
            ("PolicyName", "iam-read"),
            (
                "PolicyDocument",
                &policy(r#"{"Effect":"Allow","Action":"iam:List*","Resource":"*"}"#),
            ),
        ],
    );
    // The same managed policy through the group is listed once.
    ok(
        &root,
        &[
            ("Action", "AttachGroupPolicy"),
            ("GroupName", "devs"),
            ("PolicyArn", &not_iam),
        ],
    );
    let alice = user_arn("alice");
    let reply = ok(
        &root,
        &[
            ("Action", "ListPoliciesGrantingServiceAccess"),
            ("Arn", &alice),
            ("ServiceNamespaces.member.1", "s3"),
            ("ServiceNamespaces.member.2", "iam"),
            ("ServiceNamespaces.member.3", "no-such-service"),
        ],
    );
    assert_eq!(reply.texts("ServiceNamespace"), ["s3", "iam", "no-such-service"]);
    let entries: Vec<String> = reply.texts("Policies");
    assert!(
        entries[0].contains("objects") && entries[0].contains("everything-but-iam"),
        "{entries:?}"
    );
    assert!(
        entries[1].contains("iam-read") && !entries[1].contains("everything-but-iam"),
        "{entries:?}"
    );
    assert!(entries[2].is_empty(), "{entries:?}");
    assert_eq!(
        reply.texts("PolicyType"),
        ["INLINE", "MANAGED", "INLINE"],
        "{}",
        reply.body
    );
    assert_eq!(reply.texts("EntityType"), ["USER", "GROUP"]);
    assert_eq!(reply.texts("EntityName"), ["alice", "devs"]);
    assert_eq!(reply.texts("PolicyArn"), std::slice::from_ref(&not_iam));
    assert_eq!(reply.text("IsTruncated").as_deref(), Some("false"));
    // Past 100 namespaces, the reply is paged.
    let many: Vec<(String, String)> = (1..=105)
        .map(|n| (format!("ServiceNamespaces.member.{n}"), "s3".to_string()))
        .collect();
    let mut params: Vec<(&str, &str)> =
        vec![("Action", "ListPoliciesGrantingServiceAccess"), ("Arn", &alice)];
    params.extend(many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let first = ok(&root, &params);
    assert_eq!(first.texts("ServiceNamespace").len(), 100);
    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    let marker = first.text("Marker").unwrap();
    params.push(("Marker", &marker));
    assert_eq!(ok(&root, &params).texts("ServiceNamespace").len(), 5);
    error(
        &root,
        &[
            ("Action", "ListPoliciesGrantingServiceAccess"),
            ("Arn", &user_arn("ghost")),
            ("ServiceNamespaces.member.1", "s3"),
        ],
        404,
        "NoSuchEntity",
        "ghost",
    );
    let dev = emu.client(&root.create_user_with_keys("dev"));
    let denied = iam(
        &dev,
        &[
            ("Action", "ListPoliciesGrantingServiceAccess"),
            ("Arn", &alice),
            ("ServiceNamespaces.member.1", "s3"),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert!(denied.error_message().unwrap().contains(&format!(
        "iam:ListPoliciesGrantingServiceAccess on resource: {alice}"
    )));
}

// ---- service last accessed ----

/// alice may list IAM users and Kinesis streams; she lists both, and tries
/// to create a user (denied: an attempt still counts).
fn alice_works(emu: &Emulator, root: &Client) -> Client {
    let alice = emu.client(&root.create_user_with_keys("alice"));
    let _ = root
        .put_user_policy(
            "alice",
            "work",
            &policy(r#"{"Effect":"Allow","Action":["iam:List*","kinesis:ListStreams"],"Resource":"*"}"#),
        )
        .expect_ok();
    ok(&alice, &[("Action", "ListUsers")]);
    let _ = alice.kinesis("ListStreams", &serde_json::json!({}));
    let _ = iam(&alice, &[("Action", "CreateUser"), ("UserName", "x")]).expect_error(403, "AccessDenied");
    alice
}

fn generate(client: &Client, arn: &str, granularity: &str) -> String {
    let job = ok(
        client,
        &[
            ("Action", "GenerateServiceLastAccessedDetails"),
            ("Arn", arn),
            ("Granularity", granularity),
        ],
    )
    .text("JobId")
    .unwrap();
    assert_eq!(job.len(), 36, "{job}");
    job
}

#[test]
fn a_users_report_lists_the_services_its_policies_grant_with_their_last_use() {
    let (emu, root) = setup();
    alice_works(&emu, &root);
    let alice = user_arn("alice");
    let job = generate(&root, &alice, "SERVICE_LEVEL");
    let report = ok(
        &root,
        &[("Action", "GetServiceLastAccessedDetails"), ("JobId", &job)],
    );
    assert_eq!(report.text("JobStatus").as_deref(), Some("COMPLETED"));
    assert_eq!(report.text("JobType").as_deref(), Some("SERVICE_LEVEL"));
    assert!(report.text("JobCreationDate").is_some() && report.text("JobCompletionDate").is_some());
    // Only the services alice's policies grant: no S3, nothing else.
    assert_eq!(report.texts("ServiceNamespace"), ["iam", "kinesis"]);
    assert_eq!(
        report.texts("LastAuthenticatedEntity"),
        [alice.clone(), alice.clone()]
    );
    assert_eq!(
        report.texts("LastAuthenticatedRegion"),
        ["us-east-1", "us-east-1"]
    );
    assert_eq!(report.texts("TotalAuthenticatedEntities"), ["1", "1"]);
    assert!(report.text("TrackedActionsLastAccessed").is_none());
    // Paged with MaxItems.
    let page = ok(
        &root,
        &[
            ("Action", "GetServiceLastAccessedDetails"),
            ("JobId", &job),
            ("MaxItems", "1"),
        ],
    );
    assert_eq!(page.texts("ServiceNamespace"), ["iam"]);
    assert_eq!(page.text("IsTruncated").as_deref(), Some("true"));
    let marker = page.text("Marker").unwrap();
    let rest = ok(
        &root,
        &[
            ("Action", "GetServiceLastAccessedDetails"),
            ("JobId", &job),
            ("Marker", &marker),
        ],
    );
    assert_eq!(rest.texts("ServiceNamespace"), ["kinesis"]);
    // ACTION_LEVEL: IAM is a tracked service; the actions alice's policies
    // allow and she used are listed (not CreateUser, which they deny).
    let job = generate(&root, &alice, "ACTION_LEVEL");
    let report = ok(
        &root,
        &[("Action", "GetServiceLastAccessedDetails"), ("JobId", &job)],
    );
    assert_eq!(report.text("JobType").as_deref(), Some("ACTION_LEVEL"));
    assert_eq!(report.texts("ActionName"), ["ListUsers"]);
    assert_eq!(report.texts("LastAccessedEntity"), std::slice::from_ref(&alice));
    error(
        &root,
        &[
            ("Action", "GetServiceLastAccessedDetails"),
            ("JobId", "00000000-0000-4000-a000-000000000000"),
        ],
        404,
        "NoSuchEntity",
        "00000000-0000-4000-a000-000000000000",
    );
    error(
        &root,
        &[
            ("Action", "GenerateServiceLastAccessedDetails"),
            ("Arn", &user_arn("ghost")),
        ],
        404,
        "NoSuchEntity",
        "ghost",
    );
}

#[test]
fn group_and_policy_reports_name_the_entities_that_could_use_them() {
    let (emu, root) = setup();
    let shared = root.create_policy(
        "list-everything",
        &policy(r#"{"Effect":"Allow","Action":["iam:List*","kinesis:List*"],"Resource":"*"}"#),
    );
    ok(&root, &[("Action", "CreateGroup"), ("GroupName", "devs")]);
    ok(
        &root,
        &[
            ("Action", "AttachGroupPolicy"),
            ("GroupName", "devs"),
            ("PolicyArn", &shared),
        ],
    );
    let alice = emu.client(&root.create_user_with_keys("alice"));
    let _ = root.create_user("bob").expect_ok();
    for user in ["alice", "bob"] {
        ok(
            &root,
            &[
                ("Action", "AddUserToGroup"),
                ("GroupName", "devs"),
                ("UserName", user),
            ],
        );
    }
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let role_arn = root.create_role("lister", &trust);
    ok(
        &root,
        &[
            ("Action", "AttachRolePolicy"),
            ("RoleName", "lister"),
            ("PolicyArn", &shared),
        ],
    );
    let admin = emu.client(&root.create_user_with_keys("admin"));
    let _ = root
        .put_user_policy(
            "admin",
            "assume",
            &policy(&format!(
                r#"{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{role_arn}"}}"#
            )),
        )
        .expect_ok();
    ok(&alice, &[("Action", "ListGroups")]);
    let session = emu.client(&admin.assume_role(&role_arn, "s1"));
    let _ = session.kinesis("ListStreams", &serde_json::json!({}));

    let job = generate(
        &root,
        &format!("arn:aws:iam::{ACCOUNT}:group/devs"),
        "SERVICE_LEVEL",
    );
    let entities = ok(
        &root,
        &[
            ("Action", "GetServiceLastAccessedDetailsWithEntities"),
            ("JobId", &job),
            ("ServiceNamespace", "iam"),
        ],
    );
    assert_eq!(entities.text("JobStatus").as_deref(), Some("COMPLETED"));
    // The group's users, the one who used IAM first.
    assert_eq!(entities.texts("Name"), ["alice", "bob"]);
    assert_eq!(entities.texts("Type"), ["USER", "USER"]);
    assert_eq!(entities.texts("LastAuthenticated").len(), 1);

    // A managed policy's report: its users (through the group) and the role,
    // whose session's use counts as the role's.
    let job = generate(&root, &shared, "SERVICE_LEVEL");
    let report = ok(
        &root,
        &[("Action", "GetServiceLastAccessedDetails"), ("JobId", &job)],
    );
    assert_eq!(report.texts("ServiceNamespace"), ["iam", "kinesis"]);
    assert_eq!(
        report.texts("LastAuthenticatedEntity"),
        [user_arn("alice"), role_arn.clone()]
    );
    let kinesis = ok(
        &root,
        &[
            ("Action", "GetServiceLastAccessedDetailsWithEntities"),
            ("JobId", &job),
            ("ServiceNamespace", "kinesis"),
        ],
    );
    assert_eq!(kinesis.texts("Name"), ["lister", "alice", "bob"]);
    assert_eq!(kinesis.texts("Type")[0], "ROLE");
}

#[test]
fn reports_are_authorized_as_their_own_actions_and_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("iam-reports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let alice = user_arn("alice");
    let job = {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = emu.client(&emu.root_credentials());
        alice_works(&emu, &root);
        let auditor = emu.client(&root.create_user_with_keys("auditor"));
        let denied = iam(
            &auditor,
            &[("Action", "GenerateServiceLastAccessedDetails"), ("Arn", &alice)],
        )
        .expect_error(403, "AccessDenied");
        assert_eq!(
            denied.error_message().unwrap(),
            format!("User: {} is not authorized to perform: iam:GenerateServiceLastAccessedDetails on resource: {alice} because no identity-based policy allows the iam:GenerateServiceLastAccessedDetails action", user_arn("auditor"))
        );
        let _ = root
            .put_user_policy(
                "auditor",
                "audit",
                &policy(
                    r#"{"Effect":"Allow","Action":"iam:GenerateServiceLastAccessedDetails","Resource":"*"}"#,
                ),
            )
            .expect_ok();
        let job = generate(&auditor, &alice, "SERVICE_LEVEL");
        // Reading needs iam:GetServiceLastAccessedDetails, on no resource.
        let denied = iam(
            &auditor,
            &[("Action", "GetServiceLastAccessedDetails"), ("JobId", &job)],
        )
        .expect_error(403, "AccessDenied");
        assert!(denied
            .error_message()
            .unwrap()
            .ends_with("is not authorized to perform: iam:GetServiceLastAccessedDetails because no identity-based policy allows the iam:GetServiceLastAccessedDetails action"));
        job
    };
    let emu = Emulator::builder().state_dir(&dir).start();
    let root = emu.client(&emu.root_credentials());
    let report = ok(
        &root,
        &[("Action", "GetServiceLastAccessedDetails"), ("JobId", &job)],
    );
    assert_eq!(report.texts("ServiceNamespace"), ["iam", "kinesis"]);
    assert_eq!(report.texts("LastAuthenticatedEntity"), [alice.clone(), alice]);
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}
