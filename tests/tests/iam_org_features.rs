//! IAM's organization-wide operations over the wire: centralized root
//! access (Enable/Disable Organizations RootCredentialsManagement and
//! RootSessions, ListOrganizationsFeatures) with AWS's errors for each
//! missing requirement, and Organizations access reports from the requests
//! member accounts made; both kept across a restart.

use iam_harness::{Client, Credentials, Emulator, Reply};
use serde_json::{json, Value};

const MANAGEMENT: &str = "123456789012";
const MEMBER: &str = "210987654321";

fn iam(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("iam", params)
}

fn ok(client: &Client, params: &[(&str, &str)]) -> Reply {
    iam(client, params).expect_ok()
}

#[track_caller]
fn refused(client: &Client, action: &str, code: &str) {
    let _ = iam(client, &[("Action", action)]).expect_error(400, code);
}

fn orgs(client: &Client, operation: &str, body: &Value) -> Value {
    client
        .json(
            "organizations",
            &format!("AWSOrganizationsV20161128.{operation}"),
            body,
        )
        .expect_ok()
        .json()
}

fn start(dir: Option<&std::path::Path>) -> Emulator {
    let mut builder = Emulator::builder().root_key(
        MEMBER,
        "AKIAMEMBERROOT000001",
        "member-secret-key-0000000000000000000000",
    );
    if let Some(dir) = dir {
        builder = builder.state_dir(dir);
    }
    builder.start()
}

fn member_root(emu: &Emulator) -> Credentials {
    emu.root_credentials_of(MEMBER)
        .expect("the member account has root keys")
}

/// An organization with all features managed by MANAGEMENT, MEMBER in it;
/// returns its id and its root's id.
fn organization(root: &Client, member: &Client) -> (String, String) {
    let created = orgs(root, "CreateOrganization", &json!({"FeatureSet": "ALL"}));
    let org_id = created["Organization"]["Id"].as_str().unwrap().to_string();
    let invited = orgs(
        root,
        "InviteAccountToOrganization",
        &json!({"Target": {"Id": MEMBER, "Type": "ACCOUNT"}}),
    );
    let handshake = invited["Handshake"]["Id"].as_str().unwrap();
    orgs(member, "AcceptHandshake", &json!({"HandshakeId": handshake}));
    let roots = orgs(root, "ListRoots", &json!({}));
    let root_id = roots["Roots"][0]["Id"].as_str().unwrap().to_string();
    (org_id, root_id)
}

fn enable_iam_access(root: &Client) {
    orgs(
        root,
        "EnableAWSServiceAccess",
        &json!({"ServicePrincipal": "iam.amazonaws.com"}),
    );
}

// IAM User Guide, "Centrally manage root access for member accounts": an organization with
// all features, trusted access for IAM, and the management account (or IAM's delegated
// administrator) are required.
#[test]
fn root_access_features_need_an_organization_trusted_access_and_its_management_account() {
    let emu = start(None);
    let root = emu.client(&emu.root_credentials());
    let member = emu.client(&member_root(&emu));
    refused(
        &root,
        "ListOrganizationsFeatures",
        "OrganizationNotFoundException",
    );
    // Consolidated billing only: not all features.
    orgs(
        &root,
        "CreateOrganization",
        &json!({"FeatureSet": "CONSOLIDATED_BILLING"}),
    );
    refused(
        &root,
        "EnableOrganizationsRootSessions",
        "OrganizationNotInAllFeaturesModeException",
    );
    orgs(&root, "DeleteOrganization", &json!({}));
    let (org_id, _) = organization(&root, &member);
    refused(
        &root,
        "ListOrganizationsFeatures",
        "ServiceAccessNotEnabledException",
    );
    refused(
        &member,
        "ListOrganizationsFeatures",
        "AccountNotManagementOrDelegatedAdministratorException",
    );
    enable_iam_access(&root);
    let enabled = ok(
        &root,
        &[("Action", "EnableOrganizationsRootCredentialsManagement")],
    );
    assert_eq!(enabled.text("OrganizationId").as_deref(), Some(org_id.as_str()));
    assert_eq!(enabled.texts("member"), ["RootCredentialsManagement"]);
    let both = ok(&root, &[("Action", "EnableOrganizationsRootSessions")]);
    assert_eq!(
        both.texts("member"),
        ["RootCredentialsManagement", "RootSessions"]
    );
    let listed = ok(&root, &[("Action", "ListOrganizationsFeatures")]);
    assert_eq!(
        listed.texts("member"),
        ["RootCredentialsManagement", "RootSessions"]
    );
    // IAM's delegated administrator may list and disable, not enable.
    orgs(
        &root,
        "RegisterDelegatedAdministrator",
        &json!({"AccountId": MEMBER, "ServicePrincipal": "iam.amazonaws.com"}),
    );
    let disabled = ok(&member, &[("Action", "DisableOrganizationsRootSessions")]);
    assert_eq!(disabled.texts("member"), ["RootCredentialsManagement"]);
    assert_eq!(
        ok(&member, &[("Action", "ListOrganizationsFeatures")]).texts("member"),
        ["RootCredentialsManagement"]
    );
    refused(
        &member,
        "EnableOrganizationsRootSessions",
        "CallerIsNotManagementAccountException",
    );
    let none = ok(
        &root,
        &[("Action", "DisableOrganizationsRootCredentialsManagement")],
    );
    assert!(none.texts("member").is_empty());
    assert_eq!(none.text("OrganizationId").as_deref(), Some(org_id.as_str()));
    // Each is its own IAM action, on no resource.
    let admin = emu.client(&root.create_user_with_keys("admin"));
    let denied = iam(&admin, &[("Action", "ListOrganizationsFeatures")]).expect_error(403, "AccessDenied");
    assert_eq!(
        denied.error_message().unwrap(),
        format!("User: arn:aws:iam::{MANAGEMENT}:user/admin is not authorized to perform: iam:ListOrganizationsFeatures because no identity-based policy allows the iam:ListOrganizationsFeatures action")
    );
    let _ = root
        .put_user_policy(
            "admin",
            "features",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*OrganizationsRootSessions","Resource":"*"}]}"#,
        )
        .expect_ok();
    ok(&admin, &[("Action", "EnableOrganizationsRootSessions")]);
    let _ = iam(&admin, &[("Action", "ListOrganizationsFeatures")]).expect_error(403, "AccessDenied");
}

/// The member's root uses IAM (and not Kinesis); the management account
/// asks which services an SCP allows the member, and what was used.
#[test]
fn an_organizations_access_report_shows_what_member_accounts_used() {
    let emu = start(None);
    let root = emu.client(&emu.root_credentials());
    let member = emu.client(&member_root(&emu));
    let (org_id, root_id) = organization(&root, &member);
    let scp = orgs(
        &root,
        "CreatePolicy",
        &json!({
            "Name": "iam-and-kinesis",
            "Description": "two services",
            "Type": "SERVICE_CONTROL_POLICY",
            "Content": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","kinesis:*"],"Resource":"*"}]}"#,
        }),
    );
    let scp_id = scp["Policy"]["PolicySummary"]["Id"].as_str().unwrap().to_string();
    orgs(
        &root,
        "AttachPolicy",
        &json!({"PolicyId": scp_id, "TargetId": MEMBER}),
    );
    ok(&member, &[("Action", "ListUsers")]);
    let path = format!("{org_id}/{root_id}/{MEMBER}");
    let job = ok(
        &root,
        &[
            ("Action", "GenerateOrganizationsAccessReport"),
            ("EntityPath", &path),
            ("OrganizationsPolicyId", &scp_id),
        ],
    )
    .text("JobId")
    .unwrap();
    let report = ok(
        &root,
        &[("Action", "GetOrganizationsAccessReport"), ("JobId", &job)],
    );
    assert_eq!(report.text("JobStatus").as_deref(), Some("COMPLETED"));
    assert_eq!(report.text("NumberOfServicesAccessible").as_deref(), Some("2"));
    assert_eq!(report.text("NumberOfServicesNotAccessed").as_deref(), Some("1"));
    assert_eq!(report.texts("ServiceNamespace"), ["iam", "kinesis"]);
    assert_eq!(report.texts("EntityPath"), std::slice::from_ref(&path));
    assert_eq!(report.texts("TotalAuthenticatedEntities"), ["1"]);
    assert_eq!(report.texts("Region"), ["us-east-1"]);
    let sorted = ok(
        &root,
        &[
            ("Action", "GetOrganizationsAccessReport"),
            ("JobId", &job),
            ("SortKey", "SERVICE_NAMESPACE_DESCENDING"),
            ("MaxItems", "1"),
        ],
    );
    assert_eq!(sorted.texts("ServiceNamespace"), ["kinesis"]);
    assert_eq!(sorted.text("IsTruncated").as_deref(), Some("true"));
    // Without a policy id: the services every SCP level allows. With
    // FullAWSAccess taken off the account, only the two remain.
    orgs(
        &root,
        "DetachPolicy",
        &json!({"PolicyId": "p-FullAWSAccess", "TargetId": MEMBER}),
    );
    let job = ok(
        &root,
        &[
            ("Action", "GenerateOrganizationsAccessReport"),
            ("EntityPath", &path),
        ],
    )
    .text("JobId")
    .unwrap();
    let report = ok(
        &root,
        &[("Action", "GetOrganizationsAccessReport"), ("JobId", &job)],
    );
    assert_eq!(report.texts("ServiceNamespace"), ["iam", "kinesis"]);
    // The root's report counts the member's use too.
    let whole = format!("{org_id}/{root_id}/");
    let job = ok(
        &root,
        &[
            ("Action", "GenerateOrganizationsAccessReport"),
            ("EntityPath", &whole),
            ("OrganizationsPolicyId", &scp_id),
        ],
    )
    .text("JobId")
    .unwrap();
    let report = ok(
        &root,
        &[("Action", "GetOrganizationsAccessReport"), ("JobId", &job)],
    );
    assert_eq!(report.texts("EntityPath"), std::slice::from_ref(&path));
    // Errors: a path outside the organization, a member account asking, an unknown job.
    let bad = iam(
        &root,
        &[
            ("Action", "GenerateOrganizationsAccessReport"),
            ("EntityPath", &format!("{org_id}/{root_id}/ou-zzzz-00000000")),
        ],
    )
    .expect_error(400, "InvalidInput");
    assert!(bad.error_message().unwrap().contains("Invalid entity path"));
    let not_management = iam(
        &member,
        &[
            ("Action", "GenerateOrganizationsAccessReport"),
            ("EntityPath", &path),
        ],
    )
    .expect_error(400, "InvalidInput");
    assert!(not_management
        .error_message()
        .unwrap()
        .contains("management account"));
    let _ = iam(
        &root,
        &[
            ("Action", "GetOrganizationsAccessReport"),
            ("JobId", "00000000-0000-4000-a000-000000000000"),
        ],
    )
    .expect_error(404, "NoSuchEntity");
    // iam:GenerateOrganizationsAccessReport on the access-report resource.
    let admin = emu.client(&root.create_user_with_keys("admin"));
    let denied = iam(
        &admin,
        &[
            ("Action", "GenerateOrganizationsAccessReport"),
            ("EntityPath", &path),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert!(denied.error_message().unwrap().contains(&format!(
        "iam:GenerateOrganizationsAccessReport on resource: arn:aws:iam::{MANAGEMENT}:access-report/{path}"
    )));
}

#[test]
fn features_and_reports_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("iam-org-features-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let job = {
        let emu = start(Some(&dir));
        let root = emu.client(&emu.root_credentials());
        let member = emu.client(&member_root(&emu));
        let (org_id, root_id) = organization(&root, &member);
        enable_iam_access(&root);
        ok(&root, &[("Action", "EnableOrganizationsRootSessions")]);
        ok(&member, &[("Action", "ListRoles")]);
        ok(
            &root,
            &[
                ("Action", "GenerateOrganizationsAccessReport"),
                ("EntityPath", &format!("{org_id}/{root_id}/{MEMBER}")),
            ],
        )
        .text("JobId")
        .unwrap()
    };
    let emu = start(Some(&dir));
    let root = emu.client(&emu.root_credentials());
    assert_eq!(
        ok(&root, &[("Action", "ListOrganizationsFeatures")]).texts("member"),
        ["RootSessions"]
    );
    // FullAWSAccess allows every service: the one used comes first by time.
    let report = ok(
        &root,
        &[
            ("Action", "GetOrganizationsAccessReport"),
            ("JobId", &job),
            ("SortKey", "LAST_AUTHENTICATED_TIME_DESCENDING"),
        ],
    );
    assert!(
        report
            .text("NumberOfServicesAccessible")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 100
    );
    // The member used IAM last, Organizations (AcceptHandshake) before.
    assert_eq!(report.texts("ServiceNamespace")[..2], ["iam", "organizations"]);
    assert_eq!(report.texts("TotalAuthenticatedEntities"), ["1", "1"]);
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}
