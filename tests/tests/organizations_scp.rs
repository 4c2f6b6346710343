//! AWS Organizations enforced on every request: SCPs along a member
//! account's path bound its principals (root included), never the
//! management account's nor a service-linked role; RCPs bound access to
//! member accounts' resources; `aws:PrincipalOrgID` and friends come from
//! the organization; `/_emulator/decide`, `who-can` and `explain
//! --state-dir` read the same organization as a real request; it all
//! survives a restart.
//!
//! Organizations User Guide: "SCPs don't affect users or roles in the
//! management account. They affect only the member accounts in your
//! organization." — "RCPs don't affect resources in the management account.
//! They only affect resources in the member accounts within your
//! organization."

use iam_harness::{Client, Credentials, Emulator, Reply};
use serde_json::{json, Value};

const MANAGEMENT: &str = "123456789012";
const MEMBER: &str = "222222222222";
const OUTSIDER: &str = "333333333333";
const MEMBER_KEY: (&str, &str) = ("AKIAMEMBERROOT000001", "member-root-secret");
const OUTSIDER_KEY: (&str, &str) = ("AKIAOUTSIDERROOT0001", "outsider-root-secret");

const DENY_CREATE_BUCKET: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoNewBuckets","Effect":"Deny","Action":"s3:CreateBucket","Resource":"*"}]}"#;
const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn start() -> Emulator {
    Emulator::builder()
        .root_key(MEMBER, MEMBER_KEY.0, MEMBER_KEY.1)
        .root_key(OUTSIDER, OUTSIDER_KEY.0, OUTSIDER_KEY.1)
        .start()
}

fn member_root(emu: &Emulator) -> Client {
    emu.client(&Credentials::new(MEMBER_KEY.0, MEMBER_KEY.1))
}

fn outsider_root(emu: &Emulator) -> Client {
    emu.client(&Credentials::new(OUTSIDER_KEY.0, OUTSIDER_KEY.1))
}

fn orgs(client: &Client, operation: &str, body: &Value) -> Reply {
    client.json(
        "organizations",
        &format!("AWSOrganizationsV20161128.{operation}"),
        body,
    )
}

#[track_caller]
fn orgs_ok(client: &Client, operation: &str, body: &Value) -> Value {
    let reply = orgs(client, operation, body);
    assert_eq!(reply.status, 200, "{operation}: {}", reply.body);
    if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    }
}

/// The organization as a test sees it.
struct Org {
    id: String,
    root: String,
    /// The OU the member account was moved into.
    sandbox: String,
}

/// The management account (the default one) makes an organization with
/// SCPs enabled, invites the member account (which accepts with its root
/// keys) and moves it into the OU `Sandbox`.
fn organization(emu: &Emulator) -> Org {
    let management = emu.client(&emu.root_credentials());
    let created = orgs_ok(&management, "CreateOrganization", &json!({"FeatureSet": "ALL"}));
    let id = created["Organization"]["Id"].as_str().unwrap().to_string();
    let roots = orgs_ok(&management, "ListRoots", &json!({}));
    let root = roots["Roots"][0]["Id"].as_str().unwrap().to_string();
    // An organization with all features has SCPs enabled from the start.
    assert_eq!(
        roots["Roots"][0]["PolicyTypes"],
        json!([{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}])
    );
    let invite = orgs_ok(
        &management,
        "InviteAccountToOrganization",
        &json!({"Target": {"Type": "ACCOUNT", "Id": MEMBER}}),
    );
    let handshake = invite["Handshake"]["Id"].as_str().unwrap();
    orgs_ok(
        &member_root(emu),
        "AcceptHandshake",
        &json!({"HandshakeId": handshake}),
    );
    let sandbox = orgs_ok(
        &management,
        "CreateOrganizationalUnit",
        &json!({"ParentId": root, "Name": "Sandbox"}),
    )["OrganizationalUnit"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    orgs_ok(
        &management,
        "MoveAccount",
        &json!({"AccountId": MEMBER, "SourceParentId": root, "DestinationParentId": sandbox}),
    );
    Org { id, root, sandbox }
}

/// Creates an organization policy and attaches it to `target`; its id.
fn attach_policy(emu: &Emulator, kind: &str, name: &str, content: &str, target: &str) -> String {
    let management = emu.client(&emu.root_credentials());
    let policy = orgs_ok(
        &management,
        "CreatePolicy",
        &json!({"Name": name, "Description": name, "Type": kind, "Content": content}),
    );
    let id = policy["Policy"]["PolicySummary"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    orgs_ok(
        &management,
        "AttachPolicy",
        &json!({"PolicyId": id, "TargetId": target}),
    );
    id
}

/// A user `name` with administrator permissions in the account of `root`.
fn admin_user(root: &Client, name: &str) -> Credentials {
    let keys = root.create_user_with_keys(name);
    let _ = root.put_user_policy(name, "admin", ADMIN).expect_ok();
    keys
}

/// CreateBucket, whatever the answer (the harness's convenience insists on success).
fn try_create_bucket(client: &Client, bucket: &str) -> Reply {
    client.s3("PUT", &format!("/{bucket}"), &[], &[], b"")
}

/// GetObject, whatever the answer.
fn try_get_object(client: &Client, bucket: &str, key: &str) -> Reply {
    client.s3("GET", &format!("/{bucket}/{key}"), &[], &[], b"")
}

fn decide(emu: &Emulator, body: &Value) -> Value {
    let reply = emu.post("/_emulator/decide", &body.to_string());
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

/// The newest decision the emulator logged.
fn last_decision(emu: &Emulator) -> Value {
    let reply = emu.get("/_emulator/decisions?limit=1");
    reply.json()["decisions"][0].clone()
}

#[track_caller]
fn assert_scp_denied(reply: &Reply, principal: &str, action: &str) {
    assert_eq!(reply.status, 403, "{}", reply.body);
    let message = reply.error_message().unwrap_or_default();
    assert!(
        message.starts_with(&format!(
            "User: {principal} is not authorized to perform: {action}"
        )),
        "{message}"
    );
    assert!(
        message.ends_with("with an explicit deny in a service control policy"),
        "{message}"
    );
}

#[test]
fn an_scp_on_an_ou_denies_member_principals_and_root_but_not_the_management_account() {
    let emu = start();
    let org = organization(&emu);
    attach_policy(
        &emu,
        "SERVICE_CONTROL_POLICY",
        "DenyCreateBucket",
        DENY_CREATE_BUCKET,
        &org.sandbox,
    );
    let member = member_root(&emu);
    let developer = admin_user(&member, "developer");
    let management = emu.client(&emu.root_credentials());
    let operator = admin_user(&management, "operator");

    let reply = try_create_bucket(&member, "member-root-bucket");
    assert_scp_denied(&reply, &format!("arn:aws:iam::{MEMBER}:root"), "s3:CreateBucket");
    // The trace names which policy on which target denied.
    let logged = last_decision(&emu);
    assert_eq!(logged["decidedBy"], "serviceControl", "{logged:#}");
    let deny = &logged["deciding"][0];
    assert_eq!(deny["policyType"], "serviceControl");
    let name = deny["policyName"].as_str().unwrap();
    assert!(name.starts_with("DenyCreateBucket (p-"), "{name}");
    assert!(
        name.ends_with(&format!("on OU {} (Sandbox)", org.sandbox)),
        "{name}"
    );
    assert_eq!(deny["sid"], "NoNewBuckets");

    let reply = try_create_bucket(&emu.client(&developer), "member-user-bucket");
    assert_scp_denied(
        &reply,
        &format!("arn:aws:iam::{MEMBER}:user/developer"),
        "s3:CreateBucket",
    );
    // The policy simulator includes the SCPs of the simulated user's
    // account: "OrganizationsDecisionDetail … Only applies if the simulated
    // user's account is part of an organization" (IAM API Reference).
    let simulated = member
        .query(
            "iam",
            &[
                ("Action", "SimulatePrincipalPolicy"),
                (
                    "PolicySourceArn",
                    &format!("arn:aws:iam::{MEMBER}:user/developer"),
                ),
                ("ActionNames.member.1", "s3:CreateBucket"),
            ],
        )
        .expect_ok();
    assert_eq!(simulated.text("EvalDecision").as_deref(), Some("explicitDeny"));
    assert_eq!(simulated.text("AllowedByOrganizations").as_deref(), Some("false"));
    let simulated = management
        .query(
            "iam",
            &[
                ("Action", "SimulatePrincipalPolicy"),
                (
                    "PolicySourceArn",
                    &format!("arn:aws:iam::{MANAGEMENT}:user/operator"),
                ),
                ("ActionNames.member.1", "s3:CreateBucket"),
            ],
        )
        .expect_ok();
    assert_eq!(simulated.text("EvalDecision").as_deref(), Some("allowed"));
    assert_eq!(simulated.text("AllowedByOrganizations").as_deref(), Some("true"));
    // What the SCP leaves alone (FullAWSAccess on every level) still works.
    let _ = emu
        .client(&developer)
        .query("iam", &[("Action", "ListUsers")])
        .expect_ok();

    let _ = management.create_bucket("management-root-bucket").expect_ok();
    let _ = emu
        .client(&operator)
        .create_bucket("management-user-bucket")
        .expect_ok();
}

#[test]
fn decide_and_who_can_agree_with_the_real_request() {
    let emu = start();
    let org = organization(&emu);
    attach_policy(
        &emu,
        "SERVICE_CONTROL_POLICY",
        "DenyCreateBucket",
        DENY_CREATE_BUCKET,
        &org.sandbox,
    );
    let developer = admin_user(&member_root(&emu), "developer");
    let operator = admin_user(&emu.client(&emu.root_credentials()), "operator");
    let resource = "arn:aws:s3:::brand-new-bucket";

    let answer = decide(
        &emu,
        &json!({"accessKeyId": developer.access_key_id, "action": "s3:CreateBucket", "resource": resource}),
    );
    let real = try_create_bucket(&emu.client(&developer), "brand-new-bucket");
    assert_eq!(real.status, 403);
    assert_eq!(answer["decision"], "explicitDeny", "{answer:#}");
    assert_eq!(answer["decidedBy"], "serviceControl");
    // The reply quotes the resource as S3 does; the reason is the same.
    let reason = "with an explicit deny in a service control policy";
    assert!(
        answer["message"].as_str().unwrap().ends_with(reason),
        "{answer:#}"
    );
    assert!(real.error_message().unwrap().ends_with(reason), "{}", real.body);

    let answer = decide(
        &emu,
        &json!({"accessKeyId": operator.access_key_id, "action": "s3:CreateBucket", "resource": resource}),
    );
    assert_eq!(answer["decision"], "allowed", "{answer:#}");

    let reply = emu.get(&format!(
        "/_emulator/who-can?action=s3:CreateBucket&resource={resource}"
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let allowed: Vec<String> = reply.json()["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["principal"].as_str().unwrap().to_string())
        .collect();
    assert!(
        allowed.contains(&format!("arn:aws:iam::{MANAGEMENT}:root")),
        "{allowed:?}"
    );
    assert!(
        allowed.contains(&format!("arn:aws:iam::{MANAGEMENT}:user/operator")),
        "{allowed:?}"
    );
    assert!(!allowed.iter().any(|p| p.contains(MEMBER)), "{allowed:?}");
}

#[test]
fn full_aws_access_detached_leaves_members_only_what_an_allow_list_allows() {
    let emu = start();
    let org = organization(&emu);
    let developer = admin_user(&member_root(&emu), "developer");
    let only_s3 =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    attach_policy(&emu, "SERVICE_CONTROL_POLICY", "OnlyS3", only_s3, &org.sandbox);
    let management = emu.client(&emu.root_credentials());
    orgs_ok(
        &management,
        "DetachPolicy",
        &json!({"PolicyId": "p-FullAWSAccess", "TargetId": org.sandbox}),
    );
    let reply = emu.client(&developer).query("iam", &[("Action", "ListUsers")]);
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(
        reply.error_message().as_deref(),
        Some(
            format!(
                "User: arn:aws:iam::{MEMBER}:user/developer is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{MEMBER}:user/ because no service control policy allows the iam:ListUsers action"
            )
            .as_str()
        )
    );
    let _ = emu.client(&developer).create_bucket("still-allowed").expect_ok();
    // The management account is never bound.
    let _ = management.query("iam", &[("Action", "ListUsers")]).expect_ok();
}

#[test]
fn create_account_makes_a_member_reached_through_organization_account_access_role() {
    let emu = start();
    let org = organization(&emu);
    let management = emu.client(&emu.root_credentials());
    let status = orgs_ok(
        &management,
        "CreateAccount",
        &json!({"Email": "new@example.com", "AccountName": "New"}),
    );
    let request = status["CreateAccountStatus"]["Id"].as_str().unwrap();
    let status = orgs_ok(
        &management,
        "DescribeCreateAccountStatus",
        &json!({"CreateAccountRequestId": request}),
    );
    assert_eq!(status["CreateAccountStatus"]["State"], "SUCCEEDED");
    let account = status["CreateAccountStatus"]["AccountId"]
        .as_str()
        .unwrap()
        .to_string();

    // Roles may not be assumed by root users: a management user does it.
    let operator = admin_user(&management, "operator");
    let role = format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole");
    let session = emu.client(&operator).assume_role(&role, "admin");
    let inside = emu.client(&session);
    assert_eq!(
        inside.caller_arn(),
        format!("arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/admin")
    );
    let _ = inside.create_bucket(&format!("bucket-of-{account}")).expect_ok();
    // Another account's principals are not trusted by the role.
    let stranger = admin_user(&outsider_root(&emu), "stranger");
    let reply = emu.client(&stranger).query(
        "sts",
        &[
            ("Action", "AssumeRole"),
            ("RoleArn", &role),
            ("RoleSessionName", "stranger-session"),
        ],
    );
    assert_eq!(reply.status, 403, "{}", reply.body);

    // Moved into the OU the SCP is on, the session is bound by it.
    attach_policy(
        &emu,
        "SERVICE_CONTROL_POLICY",
        "DenyCreateBucket",
        DENY_CREATE_BUCKET,
        &org.sandbox,
    );
    orgs_ok(
        &management,
        "MoveAccount",
        &json!({"AccountId": account, "SourceParentId": org.root, "DestinationParentId": org.sandbox}),
    );
    let reply = try_create_bucket(&inside, &format!("second-of-{account}"));
    assert_scp_denied(
        &reply,
        &format!("arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/admin"),
        "s3:CreateBucket",
    );
}

/// An RCP on the member account: nobody outside the organization reaches
/// its resources (AWS's data-perimeter example, "Enforce identity
/// perimeter").
const RCP_ORG_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"ORG"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}"#;

fn share_with_outsider(owner: &Client, bucket: &str) {
    let _ = owner.create_bucket(bucket).expect_ok();
    let _ = owner.put_object(bucket, "data.txt", b"shared").expect_ok();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{OUTSIDER}:root")},
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")}]});
    let _ = owner.put_bucket_policy(bucket, &policy.to_string()).expect_ok();
}

#[test]
fn an_rcp_keeps_outsiders_from_a_member_bucket_even_when_its_policy_allows_them() {
    let emu = start();
    let org = organization(&emu);
    let management = emu.client(&emu.root_credentials());
    orgs_ok(
        &management,
        "EnablePolicyType",
        &json!({"RootId": org.root, "PolicyType": "RESOURCE_CONTROL_POLICY"}),
    );
    let member = member_root(&emu);
    share_with_outsider(&member, "member-shared");
    share_with_outsider(&management, "management-shared");
    let stranger = admin_user(&outsider_root(&emu), "stranger");
    let outsider = emu.client(&stranger);
    let _ = outsider.get_object("member-shared", "data.txt").expect_ok();

    // On the root: it binds every member account, not the management account.
    attach_policy(
        &emu,
        "RESOURCE_CONTROL_POLICY",
        "OrgOnly",
        &RCP_ORG_ONLY.replace("ORG", &org.id),
        &org.root,
    );
    let reply = try_get_object(&outsider, "member-shared", "data.txt");
    assert_eq!(reply.status, 403, "{}", reply.body);
    let logged = last_decision(&emu);
    assert_eq!(logged["decision"], "explicitDeny", "{logged:#}");
    assert_eq!(logged["decidedBy"], "resourceControl");
    assert!(
        logged["deciding"][0]["policyName"]
            .as_str()
            .unwrap()
            .ends_with(&format!("on root {} (Root)", org.root)),
        "{logged:#}"
    );
    let answer = decide(
        &emu,
        &json!({"accessKeyId": stranger.access_key_id, "action": "s3:GetObject", "resource": "arn:aws:s3:::member-shared/data.txt"}),
    );
    assert_eq!(
        answer["message"],
        format!(
            "User: arn:aws:iam::{OUTSIDER}:user/stranger is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::member-shared/data.txt with an explicit deny in a resource control policy"
        )
    );
    // Inside the organization, and the management account's own bucket.
    let _ = member.get_object("member-shared", "data.txt").expect_ok();
    let _ = outsider.get_object("management-shared", "data.txt").expect_ok();
}

#[test]
fn principal_org_id_in_a_bucket_policy_lets_the_organization_in() {
    let emu = start();
    let org = organization(&emu);
    let management = emu.client(&emu.root_credentials());
    let _ = management.create_bucket("org-wide").expect_ok();
    let _ = management
        .put_object("org-wide", "report.csv", b"1,2")
        .expect_ok();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::org-wide/*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": org.id}}}]});
    let _ = management
        .put_bucket_policy("org-wide", &policy.to_string())
        .expect_ok();
    let developer = admin_user(&member_root(&emu), "developer");
    let reply = emu
        .client(&developer)
        .get_object("org-wide", "report.csv")
        .expect_ok();
    assert_eq!(reply.body, "1,2");
    let stranger = admin_user(&outsider_root(&emu), "stranger");
    let reply = try_get_object(&emu.client(&stranger), "org-wide", "report.csv");
    assert_eq!(reply.status, 403, "{}", reply.body);
    // aws:PrincipalOrgPaths names the member's place (with a fixed value, so
    // that Block Public Access does not count the policy public).
    let paths = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::org-wide/*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": format!("{}/{}/{}/", org.id, org.root, org.sandbox)}}}]});
    let _ = management
        .put_bucket_policy("org-wide", &paths.to_string())
        .expect_ok();
    let _ = emu
        .client(&developer)
        .get_object("org-wide", "report.csv")
        .expect_ok();
}

/// Copies role `from` of `account` in the saved state at `dir` as a
/// service-linked role (under `/aws-service-role/`), as only AWS can make
/// one; its ARN. (CreateRole refuses that path, as AWS does.)
fn save_service_linked_copy(dir: &std::path::Path, account: &str, from: &str) -> String {
    use iam_emulator::commands::transfer;
    let mut state = iam_emulator::state::State::new(Vec::new());
    let exported = {
        let _store = iam_emulator::store::Store::open(dir, &mut state).unwrap();
        transfer::export(&state)
    };
    let mut value = serde_json::to_value(&exported).unwrap();
    let roles = &mut value["accounts"][account]["roles"];
    let mut role = roles[iam_emulator::state::iam::key(from)].clone();
    let name = "AWSServiceRoleForAutoScaling";
    let path = "/aws-service-role/autoscaling.amazonaws.com/";
    let arn = format!("arn:aws:iam::{account}:role{path}{name}");
    role["name"] = json!(name);
    role["path"] = json!(path);
    role["arn"] = json!(arn);
    roles[iam_emulator::state::iam::key(name)] = role;
    let file = dir.with_extension("export.json");
    std::fs::write(&file, value.to_string()).unwrap();
    let code = transfer::run_import(&transfer::ImportArgs {
        state_dir: dir.to_path_buf(),
        file: file.display().to_string(),
    });
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let _ = std::fs::remove_file(&file);
    arn
}

#[test]
fn service_linked_roles_are_not_bound_by_scps() {
    let dir = std::env::temp_dir().join(format!("org-scp-linked-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let builder = || {
        Emulator::builder()
            .root_key(MEMBER, MEMBER_KEY.0, MEMBER_KEY.1)
            .root_key(OUTSIDER, OUTSIDER_KEY.0, OUTSIDER_KEY.1)
            .state_dir(&dir)
    };
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{MEMBER}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let plain = {
        let emu = builder().start();
        let org = organization(&emu);
        let deny_all =
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        let member = member_root(&emu);
        let plain = member.create_role("plain", &trust);
        let _ = member
            .query(
                "iam",
                &[
                    ("Action", "PutRolePolicy"),
                    ("RoleName", "plain"),
                    ("PolicyName", "admin"),
                    ("PolicyDocument", ADMIN),
                ],
            )
            .expect_ok();
        attach_policy(&emu, "SERVICE_CONTROL_POLICY", "DenyAll", deny_all, &org.sandbox);
        plain
    };
    let linked = save_service_linked_copy(&dir, MEMBER, "plain");
    let emu = builder().start();
    let action = "s3:ListAllMyBuckets";
    let answer = decide(
        &emu,
        &json!({"principal": plain, "action": action, "resource": "*"}),
    );
    assert_eq!(answer["decision"], "explicitDeny", "{answer:#}");
    assert_eq!(answer["decidedBy"], "serviceControl", "{answer:#}");
    let answer = decide(
        &emu,
        &json!({"principal": linked, "action": action, "resource": "*"}),
    );
    assert_eq!(answer["decision"], "allowed", "{answer:#}");
    assert!(
        answer["trace"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["policyType"] != "serviceControl"),
        "no SCP is evaluated for a service-linked role: {answer:#}"
    );
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_scp_is_still_enforced_after_a_restart_and_explain_reads_the_saved_organization() {
    let dir = std::env::temp_dir().join(format!("org-scp-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let builder = || {
        Emulator::builder()
            .root_key(MEMBER, MEMBER_KEY.0, MEMBER_KEY.1)
            .root_key(OUTSIDER, OUTSIDER_KEY.0, OUTSIDER_KEY.1)
            .state_dir(&dir)
    };
    {
        let emu = builder().start();
        let org = organization(&emu);
        attach_policy(
            &emu,
            "SERVICE_CONTROL_POLICY",
            "DenyCreateBucket",
            DENY_CREATE_BUCKET,
            &org.sandbox,
        );
        assert_eq!(
            try_create_bucket(&member_root(&emu), "before-restart").status,
            403
        );
    }
    {
        let emu = builder().start();
        let reply = try_create_bucket(&member_root(&emu), "after-restart");
        assert_scp_denied(&reply, &format!("arn:aws:iam::{MEMBER}:root"), "s3:CreateBucket");
        let _ = emu
            .client(&emu.root_credentials())
            .create_bucket("management-after-restart")
            .expect_ok();
    }
    // `explain --state-dir` decides over the saved state as a request would.
    let args = iam_emulator::commands::explain::ExplainArgs {
        policies: Vec::new(),
        action: "s3:CreateBucket".into(),
        resource: "arn:aws:s3:::explained".into(),
        resource_policy: None,
        trust_policy: None,
        boundary: None,
        session_policies: Vec::new(),
        scps: Vec::new(),
        rcps: Vec::new(),
        principal: format!("arn:aws:iam::{MEMBER}:root"),
        resource_account: None,
        context: Vec::new(),
        json: true,
        state_dir: Some(dir.clone()),
        access_key_id: None,
    };
    let decision = iam_emulator::commands::explain::decide(&args).unwrap();
    assert_eq!(
        decision.decided_by,
        Some(iam_evaluator::PolicyType::ServiceControl)
    );
    assert!(!decision.is_allowed());
    let management = iam_emulator::commands::explain::ExplainArgs {
        principal: format!("arn:aws:iam::{MANAGEMENT}:root"),
        ..args
    };
    assert!(iam_emulator::commands::explain::decide(&management)
        .unwrap()
        .is_allowed());
    let _ = std::fs::remove_dir_all(&dir);
}

fn analyzers(client: &Client, name: &str, kind: &str) -> Reply {
    client.rest_json(
        "access-analyzer",
        "PUT",
        "/analyzer",
        &json!({"analyzerName": name, "type": kind}),
    )
}

/// The ACTIVE findings' principals of `analyzer` on `bucket`.
fn bucket_findings(client: &Client, analyzer: &str, bucket: &str) -> Vec<Value> {
    let reply = client
        .rest_json(
            "access-analyzer",
            "POST",
            "/finding",
            &json!({"analyzerArn": analyzer, "filter": {"resource": {"eq": [format!("arn:aws:s3:::{bucket}")]}}}),
        )
        .expect_ok();
    reply.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "ACTIVE")
        .map(|f| f["principal"].clone())
        .collect()
}

#[test]
fn an_organization_analyzer_trusts_the_organization_and_needs_its_management_account() {
    let emu = start();
    let _org = organization(&emu);
    let management = emu.client(&emu.root_credentials());
    let reply = analyzers(&management, "org", "ORGANIZATION");
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.header("x-amzn-ErrorType"), Some("ValidationException"));
    assert_eq!(
        reply.json()["message"],
        "Service not enabled for AWS Organizations"
    );
    orgs_ok(
        &management,
        "EnableAWSServiceAccess",
        &json!({"ServicePrincipal": "access-analyzer.amazonaws.com"}),
    );
    let member = member_root(&emu);
    let reply = analyzers(&member, "org", "ORGANIZATION");
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(
        reply.json()["message"],
        format!("Account {MEMBER} is not a delegated administrator")
    );

    share_with_outsider(&member, "to-outsider");
    let _ = member.create_bucket("to-management").expect_ok();
    let to_management = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{MANAGEMENT}:root")},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::to-management/*"}]});
    let _ = member
        .put_bucket_policy("to-management", &to_management.to_string())
        .expect_ok();
    let org_analyzer = analyzers(&management, "org", "ORGANIZATION").expect_ok().json()["arn"]
        .as_str()
        .unwrap()
        .to_string();
    let own_analyzer = analyzers(&member, "own", "ACCOUNT").expect_ok().json()["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        bucket_findings(&management, &org_analyzer, "to-outsider"),
        [json!({"AWS": OUTSIDER})]
    );
    assert!(bucket_findings(&management, &org_analyzer, "to-management").is_empty());
    assert_eq!(
        bucket_findings(&member, &own_analyzer, "to-management"),
        [json!({"AWS": MANAGEMENT})]
    );
}
