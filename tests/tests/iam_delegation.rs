//! IAM temporary delegation over the wire: a partner account creates a
//! request from its policy template; an identity of the customer account
//! associates, updates, accepts it and sends its token; a rejected request
//! stays rejected. Each call is its own IAM action on the request's ARN,
//! the owner holds the default permissions AWS gives it, and
//! `OnlySendByOwner` keeps others from sending the token. The summary reads
//! the permission policy in words; everything survives a restart.

use iam_harness::{Client, Emulator, Reply};

const CUSTOMER: &str = "123456789012";
const PARTNER: &str = "210987654321";
const CHANNEL: &str = "arn:aws:sns:us-east-1:210987654321:delegation";

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

fn start(dir: Option<&std::path::Path>) -> Emulator {
    let mut builder = Emulator::builder().root_key(
        PARTNER,
        "AKIAPARTNERROOT00001",
        "partner-secret-key-000000000000000000000",
    );
    if let Some(dir) = dir {
        builder = builder.state_dir(dir);
    }
    builder.start()
}

/// The partner's template: objects of one bucket, and roles it may create
/// only with its boundary. Returns the template's ARN.
fn template(partner: &Client) -> String {
    partner.create_policy(
        "deploy-template",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[
              {{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::@{{bucket}}/*"}},
              {{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",
               "Condition":{{"StringEquals":{{"iam:PermissionsBoundary":"arn:aws:iam::{CUSTOMER}:policy/partner-boundary"}}}}}}]}}"#
        ),
    )
}

fn create_request(partner: &Client, template: &str, workflow: &str, owner: Option<&str>) -> Reply {
    let mut params = vec![
        ("Action", "CreateDelegationRequest"),
        ("Description", "Deploy the partner's data pipeline"),
        ("Permissions.PolicyTemplateArn", template),
        ("Permissions.Parameters.member.1.Name", "bucket"),
        ("Permissions.Parameters.member.1.Type", "string"),
        ("Permissions.Parameters.member.1.Values.member.1", "customer-data"),
        ("RequestorWorkflowId", workflow),
        ("NotificationChannel", CHANNEL),
        ("SessionDuration", "3600"),
        ("OnlySendByOwner", "true"),
    ];
    if let Some(owner) = owner {
        params.push(("OwnerAccountId", owner));
    }
    iam(partner, &params)
}

fn with_id<'a>(action: &'a str, id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("Action", action), ("DelegationRequestId", id)]
}

fn request_arn(account: &str, id: &str) -> String {
    format!("arn:aws:iam::{account}:delegation-request/{id}")
}

struct World {
    emu: Emulator,
    partner: Client,
    root: Client,
    alice: Client,
    bob: Client,
    template: String,
}

fn world(dir: Option<&std::path::Path>) -> World {
    let emu = start(dir);
    let root = emu.client(&emu.root_credentials());
    let partner = emu.client(&emu.root_credentials_of(PARTNER).unwrap());
    let alice = emu.client(&root.create_user_with_keys("alice"));
    let bob = emu.client(&root.create_user_with_keys("bob"));
    let _ = root
        .put_user_policy(
            "alice",
            "delegation",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:AssociateDelegationRequest","iam:AcceptDelegationRequest","iam:SendDelegationToken","iam:ListDelegationRequests"],"Resource":"*"}]}"#,
        )
        .expect_ok();
    let template = template(&partner);
    World {
        emu,
        partner,
        root,
        alice,
        bob,
        template,
    }
}

// IAM User Guide, "Understanding the Request Lifecycle": Unassigned → Assigned → Pending
// Approval → Accepted → Finalized; API reference, GetDelegationRequest: "Once the
// delegation request is fully owned, the owner of the request gets a default permission to
// get that delegation request."
#[test]
fn a_request_goes_from_the_partner_to_its_owner_and_is_finalized() {
    let w = world(None);
    let created = create_request(&w.partner, &w.template, "wf-0001", Some(CUSTOMER)).expect_ok();
    let id = created.text("DelegationRequestId").unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert!(created.text("ConsoleDeepLink").unwrap().ends_with(&id));
    let arn = request_arn(CUSTOMER, &id);
    // Meant for the customer: the partner cannot read it any more.
    let denied = iam(&w.partner, &with_id("GetDelegationRequest", &id)).expect_error(403, "AccessDenied");
    assert!(denied
        .error_message()
        .unwrap()
        .contains(&format!("iam:GetDelegationRequest on resource: {arn}")));
    // Nor can an identity of the customer without the permission, before it is owned.
    let _ = iam(&w.alice, &with_id("GetDelegationRequest", &id)).expect_error(403, "AccessDenied");
    ok(&w.alice, &with_id("AssociateDelegationRequest", &id));
    // Owned: alice reads it by default, bob (same account, no policy) does not.
    let got = ok(&w.alice, &with_id("GetDelegationRequest", &id));
    assert_eq!(got.text("State").as_deref(), Some("ASSIGNED"));
    let alice_arn = format!("arn:aws:iam::{CUSTOMER}:user/alice");
    assert_eq!(got.text("OwnerId"), Some(alice_arn.clone()));
    assert_eq!(got.text("OwnerAccountId").as_deref(), Some(CUSTOMER));
    assert_eq!(got.text("RequestorId").as_deref(), Some(PARTNER));
    assert_eq!(got.text("SessionDuration").as_deref(), Some("3600"));
    assert_eq!(got.text("OnlySendByOwner").as_deref(), Some("true"));
    let permission: serde_json::Value = serde_json::from_str(&got.text("PermissionPolicy").unwrap()).unwrap();
    assert_eq!(
        permission["Statement"][0]["Resource"],
        "arn:aws:s3:::customer-data/*"
    );
    assert_eq!(
        got.texts("RolePermissionRestrictionArns"),
        [format!("arn:aws:iam::{CUSTOMER}:policy/partner-boundary")]
    );
    let _ = iam(&w.bob, &with_id("GetDelegationRequest", &id)).expect_error(403, "AccessDenied");
    // alice holds none of the permissions asked for.
    let mut check = with_id("GetDelegationRequest", &id);
    check.push(("DelegationPermissionCheck", "true"));
    let checked = ok(&w.alice, &check);
    assert_eq!(checked.text("PermissionCheckStatus").as_deref(), Some("COMPLETE"));
    assert_eq!(checked.text("PermissionCheckResult").as_deref(), Some("DENIED"));
    // Listed for its owner's account only.
    let listed = ok(&w.alice, &[("Action", "ListDelegationRequests")]);
    assert_eq!(listed.texts("DelegationRequestId"), std::slice::from_ref(&id));
    assert_eq!(listed.text("isTruncated").as_deref(), Some("false"));
    let bob_arn = format!("arn:aws:iam::{CUSTOMER}:user/bob");
    let filtered = ok(
        &w.alice,
        &[("Action", "ListDelegationRequests"), ("OwnerId", &bob_arn)],
    );
    assert!(filtered.texts("DelegationRequestId").is_empty());
    // The owner updates it (default permission): pending approval.
    let mut update = with_id("UpdateDelegationRequest", &id);
    update.push(("Notes", "Forwarded to the admin"));
    ok(&w.alice, &update);
    let got = ok(&w.root, &with_id("GetDelegationRequest", &id));
    assert_eq!(got.text("State").as_deref(), Some("PENDING_APPROVAL"));
    assert_eq!(got.text("Notes").as_deref(), Some("Forwarded to the admin"));
    ok(&w.root, &with_id("AcceptDelegationRequest", &id));
    let got = ok(&w.alice, &with_id("GetDelegationRequest", &id));
    assert_eq!(got.text("State").as_deref(), Some("ACCEPTED"));
    assert_eq!(
        got.text("ApproverId"),
        Some(format!("arn:aws:iam::{CUSTOMER}:root"))
    );
    // OnlySendByOwner: even the account's root may not send the token.
    let refused = iam(&w.root, &with_id("SendDelegationToken", &id)).expect_error(403, "AccessDenied");
    assert!(
        refused.error_message().unwrap().contains("explicit deny"),
        "{:?}",
        refused.error_message()
    );
    ok(&w.alice, &with_id("SendDelegationToken", &id));
    assert_eq!(
        ok(&w.alice, &with_id("GetDelegationRequest", &id))
            .text("State")
            .as_deref(),
        Some("FINALIZED")
    );
    // Finalized "cannot be rolled back".
    error(
        &w.root,
        &with_id("RejectDelegationRequest", &id),
        400,
        "InvalidInput",
        "FINALIZED",
    );
    drop(w.emu);
}

// RejectDelegationRequest: "Once a request is rejected, it cannot be accepted or updated later."
#[test]
fn a_rejected_request_stays_rejected() {
    let w = world(None);
    // Meant for no account yet: any account may read and associate it.
    let id = create_request(&w.partner, &w.template, "wf-0002", None)
        .expect_ok()
        .text("DelegationRequestId")
        .unwrap();
    let got = ok(&w.partner, &with_id("GetDelegationRequest", &id));
    assert_eq!(got.text("State").as_deref(), Some("UNASSIGNED"));
    assert!(got.text("OwnerAccountId").is_none());
    ok(&w.root, &with_id("AssociateDelegationRequest", &id));
    error(
        &w.alice,
        &with_id("AssociateDelegationRequest", &id),
        400,
        "InvalidInput",
        "ASSIGNED",
    );
    let mut reject = with_id("RejectDelegationRequest", &id);
    reject.push(("Notes", "Not this quarter"));
    ok(&w.root, &reject);
    let got = ok(&w.root, &with_id("GetDelegationRequest", &id));
    assert_eq!(got.text("State").as_deref(), Some("REJECTED"));
    assert_eq!(got.text("RejectionReason").as_deref(), Some("Not this quarter"));
    error(
        &w.root,
        &with_id("AcceptDelegationRequest", &id),
        400,
        "InvalidInput",
        "REJECTED",
    );
    error(
        &w.root,
        &with_id("UpdateDelegationRequest", &id),
        400,
        "InvalidInput",
        "REJECTED",
    );
    error(
        &w.root,
        &with_id("GetDelegationRequest", "0000000000000000-missing"),
        404,
        "NoSuchEntity",
        "0000000000000000-missing",
    );
}

#[test]
fn requests_are_checked_when_created() {
    let w = world(None);
    let _ = create_request(&w.partner, &w.template, "wf-dup", None).expect_ok();
    let dup =
        create_request(&w.partner, &w.template, "wf-dup", None).expect_error(409, "EntityAlreadyExists");
    assert!(dup.error_message().unwrap().contains("wf-dup"));
    let missing = format!("arn:aws:iam::{PARTNER}:policy/nothing");
    let _ = create_request(&w.partner, &missing, "wf-missing", None).expect_error(400, "InvalidInput");
    // A template parameter without a value.
    let _ = iam(
        &w.partner,
        &[
            ("Action", "CreateDelegationRequest"),
            ("Description", "d"),
            ("Permissions.PolicyTemplateArn", &w.template),
            ("RequestorWorkflowId", "wf-no-value"),
            ("NotificationChannel", CHANNEL),
            ("SessionDuration", "3600"),
        ],
    )
    .expect_error(400, "InvalidInput");
    // Only SNS topics are notification channels; the model bounds the duration.
    let _ = iam(
        &w.partner,
        &[
            ("Action", "CreateDelegationRequest"),
            ("Description", "d"),
            ("Permissions.PolicyTemplateArn", &w.template),
            ("RequestorWorkflowId", "wf-zzz"),
            ("NotificationChannel", "my-queue"),
            ("SessionDuration", "3600"),
        ],
    )
    .expect_error(400, "InvalidInput");
    let _ = iam(
        &w.partner,
        &[
            ("Action", "CreateDelegationRequest"),
            ("Description", "d"),
            ("Permissions.PolicyTemplateArn", &w.template),
            ("RequestorWorkflowId", "wf-zzz"),
            ("NotificationChannel", CHANNEL),
            ("SessionDuration", "60"),
        ],
    )
    .expect_error(400, "ValidationError");
    // iam:CreateDelegationRequest, with its condition keys.
    let partner_dev = w.emu.client(&w.partner.create_user_with_keys("dev"));
    let denied =
        create_request(&partner_dev, &w.template, "wf-developer", None).expect_error(403, "AccessDenied");
    assert!(denied.error_message().unwrap().contains(&format!(
        "iam:CreateDelegationRequest on resource: arn:aws:iam::{PARTNER}:delegation-request/*"
    )));
    let _ = w
        .partner
        .put_user_policy(
            "dev",
            "short-only",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateDelegationRequest","Resource":"*","Condition":{"NumericLessThanEquals":{"iam:DelegationDuration":"1800"}}}]}"#,
        )
        .expect_ok();
    let _ = create_request(&partner_dev, &w.template, "wf-developer", None).expect_error(403, "AccessDenied");
    let _ = iam(
        &partner_dev,
        &[
            ("Action", "CreateDelegationRequest"),
            ("Description", "short"),
            ("Permissions.PolicyTemplateArn", &w.template),
            ("Permissions.Parameters.member.1.Name", "bucket"),
            ("Permissions.Parameters.member.1.Type", "string"),
            ("Permissions.Parameters.member.1.Values.member.1", "b"),
            ("RequestorWorkflowId", "wf-developer"),
            ("NotificationChannel", CHANNEL),
            ("SessionDuration", "1800"),
        ],
    )
    .expect_ok();
}

#[test]
fn the_summary_reads_the_permissions_in_words() {
    let w = world(None);
    let id = create_request(&w.partner, &w.template, "wf-0003", Some(CUSTOMER))
        .expect_ok()
        .text("DelegationRequestId")
        .unwrap();
    ok(&w.alice, &with_id("AssociateDelegationRequest", &id));
    let arn = request_arn(CUSTOMER, &id);
    let summary = ok(
        &w.alice,
        &[("Action", "GetHumanReadableSummary"), ("EntityArn", &arn)],
    );
    assert_eq!(summary.text("SummaryState").as_deref(), Some("AVAILABLE"));
    assert_eq!(summary.text("Locale").as_deref(), Some("en"));
    let text = summary.text("SummaryContent").unwrap();
    assert!(text.starts_with(&format!(
        "Delegation request {id} from account {PARTNER} asks for temporary access to account {CUSTOMER} for 1 hour. Deploy the partner's data pipeline"
    )), "{text}");
    assert!(text.contains("Statement 1 allows s3:GetObject (Amazon S3; Read) and s3:PutObject (Amazon S3; Write) on arn:aws:s3:::customer-data/*."), "{text}");
    assert!(
        text.contains(&format!(
            "only when iam:PermissionsBoundary is arn:aws:iam::{CUSTOMER}:policy/partner-boundary"
        )),
        "{text}"
    );
    // The same request always reads the same.
    let again = ok(
        &w.alice,
        &[("Action", "GetHumanReadableSummary"), ("EntityArn", &arn)],
    );
    assert_eq!(again.text("SummaryContent"), Some(text));
    let french = ok(
        &w.alice,
        &[
            ("Action", "GetHumanReadableSummary"),
            ("EntityArn", &arn),
            ("Locale", "fr"),
        ],
    );
    assert_eq!(french.text("SummaryState").as_deref(), Some("NOT_SUPPORTED"));
    assert!(french.text("SummaryContent").is_none());
    error(
        &w.root,
        &[
            ("Action", "GetHumanReadableSummary"),
            ("EntityArn", &format!("arn:aws:iam::{CUSTOMER}:role/admin")),
        ],
        400,
        "InvalidInput",
        "delegation-request",
    );
    error(
        &w.root,
        &[
            ("Action", "GetHumanReadableSummary"),
            ("EntityArn", &request_arn(CUSTOMER, "0000000000000000-missing")),
        ],
        404,
        "NoSuchEntity",
        "missing",
    );
    let _ = iam(
        &w.bob,
        &[("Action", "GetHumanReadableSummary"), ("EntityArn", &arn)],
    )
    .expect_error(403, "AccessDenied");
}

#[test]
fn requests_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("iam-delegation-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let id = {
        let w = world(Some(&dir));
        let id = create_request(&w.partner, &w.template, "wf-kept", Some(CUSTOMER))
            .expect_ok()
            .text("DelegationRequestId")
            .unwrap();
        ok(&w.alice, &with_id("AssociateDelegationRequest", &id));
        ok(&w.alice, &with_id("AcceptDelegationRequest", &id));
        id
    };
    let emu = start(Some(&dir));
    let root = emu.client(&emu.root_credentials());
    let got = ok(&root, &with_id("GetDelegationRequest", &id));
    assert_eq!(got.text("State").as_deref(), Some("ACCEPTED"));
    assert_eq!(
        got.text("OwnerId"),
        Some(format!("arn:aws:iam::{CUSTOMER}:user/alice"))
    );
    let partner = emu.client(&emu.root_credentials_of(PARTNER).unwrap());
    let _ = create_request(
        &partner,
        &format!("arn:aws:iam::{PARTNER}:policy/deploy-template"),
        "wf-kept",
        None,
    )
    .expect_error(409, "EntityAlreadyExists");
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}
