//! S3 authorization over the wire: bucket policies (same- and
//! cross-account), explicit denies, the owner's root and its own bucket
//! policy, Block Public Access (BlockPublicPolicy, RestrictPublicBuckets),
//! policy status, malformed policies, `s3:prefix` conditions, and how a
//! denial reads (AWS's message, the decision trace).

use iam_harness::{Client, Credentials, Emulator, Reply};

const ACCOUNT: &str = "123456789012";
const OTHER_ACCOUNT: &str = "111111111111";
const OTHER_KEY: &str = "AKIAOTHERACCOUNT0001";
const OTHER_SECRET: &str = "other-secret";

fn two_accounts() -> Emulator {
    Emulator::builder()
        .root_key(OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET)
        .start()
}

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

fn other_root(emu: &Emulator) -> Client {
    emu.client(&Credentials::new(OTHER_KEY, OTHER_SECRET))
}

/// A policy document with these statements (JSON objects as text).
fn policy(statements: &[String]) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

/// A statement of a bucket policy.
fn grant(effect: &str, principal: &str, action: &str, resource: &str) -> String {
    format!(r#"{{"Effect":"{effect}","Principal":{principal},"Action":"{action}","Resource":"{resource}"}}"#)
}

/// A statement of an identity policy.
fn allow(action: &str, resource: &str) -> String {
    format!(r#"{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}"#)
}

/// `{"AWS":"arn"}`.
fn aws(arn: &str) -> String {
    format!(r#"{{"AWS":"{arn}"}}"#)
}

/// The public policy: anyone may read objects of `bucket`.
fn public_read(bucket: &str) -> String {
    policy(&[grant(
        "Allow",
        r#""*""#,
        "s3:GetObject",
        &format!("arn:aws:s3:::{bucket}/*"),
    )])
}

#[track_caller]
fn assert_denied(reply: &Reply, message: &str) {
    assert_eq!(
        (
            reply.status,
            reply.error_code().as_deref(),
            reply.error_message().as_deref()
        ),
        (403, Some("AccessDenied"), Some(message)),
        "{}",
        reply.body
    );
}

#[track_caller]
fn assert_forbidden(reply: &Reply) {
    assert_eq!(
        (reply.status, reply.error_code().as_deref()),
        (403, Some("AccessDenied")),
        "{}",
        reply.body
    );
}

/// The decision log words a denial as IAM does (resource unquoted); the
/// S3 reply quotes the resource. Otherwise they are the same sentence.
#[track_caller]
fn assert_same_denial(logged: &serde_json::Value, replied: &str) {
    let logged = logged
        .as_str()
        .unwrap_or_else(|| panic!("no message in the log: {logged}"));
    assert_eq!(logged.replace('"', ""), replied.replace('"', ""));
}

/// A bucket of the default account with one object, `doc.txt`.
fn bucket_with_object(root: &Client, bucket: &str) {
    let _ = root.create_bucket(bucket);
    let _ = root.put_object(bucket, "doc.txt", b"contents");
}

fn put_policy(client: &Client, bucket: &str, document: &str) -> Reply {
    client.s3(
        "PUT",
        &format!("/{bucket}"),
        &[("policy", "")],
        &[],
        document.as_bytes(),
    )
}

fn put_public_access_block(client: &Client, bucket: &str, block_policy: bool, restrict: bool) -> Reply {
    let body = format!(
        "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>\
         <BlockPublicPolicy>{block_policy}</BlockPublicPolicy>\
         <RestrictPublicBuckets>{restrict}</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
    );
    client
        .s3(
            "PUT",
            &format!("/{bucket}"),
            &[("publicAccessBlock", "")],
            &[],
            body.as_bytes(),
        )
        .expect_ok()
}

#[test]
fn a_same_account_user_named_in_the_bucket_policy_needs_no_identity_policy() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "team");
    let ann = emu.client(&root.create_user_with_keys("ann"));

    let before = ann.s3("GET", "/team/doc.txt", &[], &[], b"");
    assert_denied(
        &before,
        "User: arn:aws:iam::123456789012:user/ann is not authorized to perform: s3:GetObject on resource: \
         \"arn:aws:s3:::team/doc.txt\" because no identity-based policy allows the s3:GetObject action",
    );

    let _ = root.put_bucket_policy(
        "team",
        &policy(&[grant(
            "Allow",
            &aws(&format!("arn:aws:iam::{ACCOUNT}:user/ann")),
            "s3:GetObject",
            "arn:aws:s3:::team/*",
        )]),
    );
    assert_eq!(ann.get_object("team", "doc.txt").body, "contents");
    // Only what the bucket policy grants: writing is still denied.
    assert_forbidden(&ann.s3("PUT", "/team/new.txt", &[], &[], b"x"));
    assert_forbidden(&ann.s3("GET", "/team", &[("list-type", "2")], &[], b""));
}

#[test]
fn cross_account_access_needs_the_bucket_policy_and_an_identity_policy() {
    let emu = two_accounts();
    let root = root(&emu);
    let other = other_root(&emu);
    bucket_with_object(&root, "shared");
    let bob = emu.client(&other.create_user_with_keys("bob"));
    let bob_arn = format!("arn:aws:iam::{OTHER_ACCOUNT}:user/bob");
    let read = allow("s3:GetObject", "arn:aws:s3:::shared/*");

    // Identity policy only: the bucket's account has not agreed.
    other.put_user_policy("bob", "read-shared", &policy(std::slice::from_ref(&read)));
    assert_forbidden(&bob.s3("GET", "/shared/doc.txt", &[], &[], b""));

    // Both sides: allowed.
    let _ = root.put_bucket_policy(
        "shared",
        &policy(&[grant(
            "Allow",
            &aws(&bob_arn),
            "s3:GetObject",
            "arn:aws:s3:::shared/*",
        )]),
    );
    assert_eq!(bob.get_object("shared", "doc.txt").body, "contents");

    // Bucket policy only: bob's own account has not allowed it.
    other.put_user_policy(
        "bob",
        "read-shared",
        &policy(&[allow("s3:GetObject", "arn:aws:s3:::elsewhere/*")]),
    );
    assert_forbidden(&bob.s3("GET", "/shared/doc.txt", &[], &[], b""));

    // The other account's root is not named by the policy: denied.
    assert_forbidden(&other.s3("GET", "/shared/doc.txt", &[], &[], b""));
    // Naming the account (its root ARN) lets the account decide.
    let _ = root.put_bucket_policy(
        "shared",
        &policy(&[grant(
            "Allow",
            &aws(&format!("arn:aws:iam::{OTHER_ACCOUNT}:root")),
            "s3:GetObject",
            "arn:aws:s3:::shared/*",
        )]),
    );
    assert_eq!(other.get_object("shared", "doc.txt").body, "contents");
    other.put_user_policy("bob", "read-shared", &policy(&[read]));
    assert_eq!(bob.get_object("shared", "doc.txt").body, "contents");
}

#[test]
fn cross_account_and_anonymous_denials_say_only_access_denied() {
    let emu = two_accounts();
    let root = root(&emu);
    bucket_with_object(&root, "private");
    let other = other_root(&emu);
    assert_denied(
        &other.s3("GET", "/private/doc.txt", &[], &[], b""),
        "Access Denied",
    );
    assert_denied(
        &emu.anonymous_s3("GET", "/private/doc.txt", &[], &[], b""),
        "Access Denied",
    );
}

#[test]
fn an_explicit_deny_in_the_bucket_policy_binds_even_the_owners_root() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "vault");
    let _ = root.put_object("vault", "secret/plans.txt", b"plans");
    let _ = root.put_bucket_policy(
        "vault",
        &policy(&[grant(
            "Deny",
            r#""*""#,
            "s3:GetObject",
            "arn:aws:s3:::vault/secret/*",
        )]),
    );
    let denied = root.s3("GET", "/vault/secret/plans.txt", &[], &[], b"");
    assert_denied(
        &denied,
        "User: arn:aws:iam::123456789012:root is not authorized to perform: s3:GetObject on resource: \
         \"arn:aws:s3:::vault/secret/plans.txt\" with an explicit deny in a resource-based policy",
    );
    // What the deny does not cover is untouched.
    assert_eq!(root.get_object("vault", "doc.txt").body, "contents");
    let _ = root.put_object("vault", "secret/more.txt", b"writing is not denied");

    let decision = &emu.decisions(10).as_array().unwrap().clone()[..]
        .iter()
        .find(|d| d["resource"] == "arn:aws:s3:::vault/secret/plans.txt")
        .cloned()
        .expect("the denial is in the decision log");
    assert_eq!(decision["action"], "s3:GetObject");
    assert_eq!(decision["principal"], "arn:aws:iam::123456789012:root");
    assert_eq!(decision["enforced"], true);
    assert_same_denial(&decision["message"], &denied.error_message().unwrap());
}

#[test]
fn the_owners_root_can_always_manage_the_bucket_policy() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "locked");
    let admin = root.create_user_with_keys("admin");
    root.put_user_policy("admin", "all", &policy(&[allow("s3:*", "*")]));
    let admin = emu.client(&admin);
    let lockout = policy(&[grant("Deny", r#""*""#, "s3:*", "arn:aws:s3:::locked")]);
    let _ = root.put_bucket_policy("locked", &lockout);

    // Everyone else, even an s3:* administrator, is locked out.
    let refused = admin.s3("GET", "/locked", &[("policy", "")], &[], b"");
    assert_denied(
        &refused,
        "User: arn:aws:iam::123456789012:user/admin is not authorized to perform: s3:GetBucketPolicy on \
         resource: \"arn:aws:s3:::locked\" with an explicit deny in a resource-based policy",
    );
    assert_forbidden(&put_policy(&admin, "locked", &lockout));
    assert_forbidden(&admin.s3("DELETE", "/locked", &[("policy", "")], &[], b""));
    // The deny covers the bucket's other operations for the root too.
    assert_forbidden(&root.s3("GET", "/locked", &[("list-type", "2")], &[], b""));

    // The root of the owning account gets, puts and deletes the policy.
    let got = root.s3("GET", "/locked", &[("policy", "")], &[], b"").expect_ok();
    // The evaluator decides so, and the log agrees with the reply.
    let logged = emu.decisions(1)[0].clone();
    assert_eq!(
        (
            logged["action"].as_str(),
            logged["decision"].as_str(),
            logged["rule"]["name"].as_str()
        ),
        (
            Some("s3:GetBucketPolicy"),
            Some("allowed"),
            Some("bucketOwnerRoot")
        ),
        "{logged}"
    );
    let got: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(got, serde_json::from_str::<serde_json::Value>(&lockout).unwrap());
    assert_eq!(put_policy(&root, "locked", &lockout).status, 204);
    let deleted = root.s3("DELETE", "/locked", &[("policy", "")], &[], b"");
    assert_eq!(deleted.status, 204);
    let _ = admin
        .s3("GET", "/locked", &[("list-type", "2")], &[], b"")
        .expect_ok();
    let none = root.s3("GET", "/locked", &[("policy", "")], &[], b"");
    assert_error(
        &none,
        404,
        "NoSuchBucketPolicy",
        "The bucket policy does not exist",
    );
}

#[test]
fn new_buckets_block_public_access() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "fresh");
    let pab = root
        .s3("GET", "/fresh", &[("publicAccessBlock", "")], &[], b"")
        .expect_ok();
    for setting in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(pab.text(setting).as_deref(), Some("true"), "{setting}");
    }
    let anonymous = emu.anonymous_s3("GET", "/fresh/doc.txt", &[], &[], b"");
    assert_forbidden(&anonymous);

    let refused = put_policy(&root, "fresh", &public_read("fresh"));
    assert_forbidden(&refused);
    let message = refused.error_message().unwrap();
    assert!(
        message.contains("s3:PutBucketPolicy on resource: \"arn:aws:s3:::fresh\"")
            && message.contains("BlockPublicPolicy"),
        "{message}"
    );
    let none = root.s3("GET", "/fresh", &[("policy", "")], &[], b"");
    assert_eq!(none.error_code().as_deref(), Some("NoSuchBucketPolicy"));
    // A policy naming an account is not public and is accepted.
    let _ = root.put_bucket_policy(
        "fresh",
        &policy(&[grant(
            "Allow",
            &aws(ACCOUNT),
            "s3:GetObject",
            "arn:aws:s3:::fresh/*",
        )]),
    );
}

#[test]
fn without_block_public_access_a_public_policy_opens_the_bucket() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "website");
    let deleted = root.delete_public_access_block("website");
    assert_eq!(deleted.status, 204);
    let gone = root.s3("GET", "/website", &[("publicAccessBlock", "")], &[], b"");
    assert_error(
        &gone,
        404,
        "NoSuchPublicAccessBlockConfiguration",
        "The public access block configuration was not found",
    );

    assert_eq!(put_policy(&root, "website", &public_read("website")).status, 204);
    let status = root
        .s3("GET", "/website", &[("policyStatus", "")], &[], b"")
        .expect_ok();
    assert_eq!(status.text("IsPublic").as_deref(), Some("true"));

    let page = emu.anonymous_s3("GET", "/website/doc.txt", &[], &[], b"");
    assert_eq!((page.status, page.body.as_str()), (200, "contents"));
    let head = emu.anonymous_s3("HEAD", "/website/doc.txt", &[], &[], b"");
    assert_eq!(head.status, 200);
    // Only reading objects is public.
    assert_forbidden(&emu.anonymous_s3("PUT", "/website/x", &[], &[], b"x"));
    assert_forbidden(&emu.anonymous_s3("GET", "/website", &[("list-type", "2")], &[], b""));
    assert_forbidden(&emu.anonymous_s3("DELETE", "/website/doc.txt", &[], &[], b""));
    // Without s3:ListBucket, a missing key is 403 for the public too.
    assert_forbidden(&emu.anonymous_s3("GET", "/website/missing", &[], &[], b""));
    // Virtual-host style, unsigned, as a browser would fetch it.
    let vhost = emu
        .anonymous_s3_call("GET", "/website/doc.txt")
        .virtual_host()
        .send();
    assert_eq!((vhost.status, vhost.body.as_str()), (200, "contents"));
}

#[test]
fn anonymous_requests_may_not_override_response_headers() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "website");
    let _ = root.delete_public_access_block("website");
    let _ = root.put_bucket_policy("website", &public_read("website"));
    let reply = emu.anonymous_s3(
        "GET",
        "/website/doc.txt",
        &[("response-content-type", "text/html")],
        &[],
        b"",
    );
    assert_error(
        &reply,
        400,
        "InvalidRequest",
        "Request specific response headers cannot be used for anonymous GET requests.",
    );
}

#[test]
fn restrict_public_buckets_keeps_outsiders_out_of_a_public_bucket() {
    let emu = two_accounts();
    let root = root(&emu);
    let other = other_root(&emu);
    bucket_with_object(&root, "restricted");
    let insider = root.create_user_with_keys("insider");
    root.put_user_policy(
        "insider",
        "read",
        &policy(&[allow("s3:GetObject", "arn:aws:s3:::restricted/*")]),
    );
    let insider = emu.client(&insider);

    let _ = put_public_access_block(&root, "restricted", false, true);
    assert_eq!(
        put_policy(&root, "restricted", &public_read("restricted")).status,
        204
    );
    let status = root
        .s3("GET", "/restricted", &[("policyStatus", "")], &[], b"")
        .expect_ok();
    assert_eq!(status.text("IsPublic").as_deref(), Some("true"));

    assert_forbidden(&emu.anonymous_s3("GET", "/restricted/doc.txt", &[], &[], b""));
    assert_forbidden(&other.s3("GET", "/restricted/doc.txt", &[], &[], b""));
    assert_eq!(insider.get_object("restricted", "doc.txt").body, "contents");

    // Lifting the restriction lets the public policy work.
    let _ = put_public_access_block(&root, "restricted", false, false);
    let anonymous = emu.anonymous_s3("GET", "/restricted/doc.txt", &[], &[], b"");
    assert_eq!(anonymous.status, 200, "{}", anonymous.body);
    assert_eq!(other.get_object("restricted", "doc.txt").body, "contents");
}

#[test]
fn restrict_public_buckets_blocks_all_cross_account_access_to_a_public_bucket() {
    // S3 User Guide: RestrictPublicBuckets "blocks all cross-account access
    // to the access point or bucket (except by AWS service principals)".
    let emu = two_accounts();
    let root = root(&emu);
    let other = other_root(&emu);
    bucket_with_object(&root, "restricted");
    let _ = put_public_access_block(&root, "restricted", false, true);
    let document = policy(&[
        grant("Allow", r#""*""#, "s3:GetObject", "arn:aws:s3:::restricted/*"),
        grant(
            "Allow",
            &aws(&format!("arn:aws:iam::{OTHER_ACCOUNT}:root")),
            "s3:GetObject",
            "arn:aws:s3:::restricted/*",
        ),
    ]);
    assert_eq!(put_policy(&root, "restricted", &document).status, 204);
    assert_forbidden(&other.s3("GET", "/restricted/doc.txt", &[], &[], b""));
}

#[test]
fn policy_status_tells_public_from_non_public() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "status");
    let status = |client: &Client| client.s3("GET", "/status", &[("policyStatus", "")], &[], b"");
    assert_error(
        &status(&root),
        404,
        "NoSuchBucketPolicy",
        "The bucket policy does not exist",
    );
    let _ = root.delete_public_access_block("status");
    let is_public = |document: &str| {
        assert_eq!(put_policy(&root, "status", document).status, 204, "{document}");
        let reply = status(&root).expect_ok();
        assert!(reply.body.contains("<PolicyStatus"), "{}", reply.body);
        reply.text("IsPublic")
    };
    assert_eq!(is_public(&public_read("status")).as_deref(), Some("true"));
    assert_eq!(
        is_public(&policy(&[grant(
            "Allow",
            &aws(&format!("arn:aws:iam::{ACCOUNT}:root")),
            "s3:GetObject",
            "arn:aws:s3:::status/*",
        )]))
        .as_deref(),
        Some("false")
    );
    // Principal "*" limited to a fixed source account is not public.
    let pinned = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::status/*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#;
    assert_eq!(is_public(pinned).as_deref(), Some("false"));
    // A Deny with Principal "*" grants nothing.
    assert_eq!(
        is_public(&policy(&[grant(
            "Deny",
            r#""*""#,
            "s3:DeleteObject",
            "arn:aws:s3:::status/*",
        )]))
        .as_deref(),
        Some("false")
    );
}

#[test]
fn malformed_bucket_policies_are_refused_with_s3s_messages() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "strict");
    let refused = |document: &str, message: &str| {
        let reply = put_policy(&root, "strict", document);
        assert_error(&reply, 400, "MalformedPolicy", message);
    };
    refused(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow""#,
        "Policies must be valid JSON and the first byte must be '{'",
    );
    refused("[]", "Policies must be valid JSON and the first byte must be '{'");
    refused(
        &policy(&[grant(
            "Allow",
            &aws(&format!("arn:aws:iam::{ACCOUNT}:user/nobody")),
            "s3:GetObject",
            "arn:aws:s3:::strict/*",
        )]),
        "Invalid principal in policy",
    );
    refused(
        &policy(&[grant(
            "Allow",
            &aws(ACCOUNT),
            "s3:GetObject",
            "arn:aws:s3:::some-other-bucket/*",
        )]),
        "Policy has invalid resource",
    );
    // Nothing was stored.
    let none = root.s3("GET", "/strict", &[("policy", "")], &[], b"");
    assert_eq!(none.error_code().as_deref(), Some("NoSuchBucketPolicy"));
    // Once the user exists, the same principal is accepted.
    root.create_user("somebody");
    let _ = root.put_bucket_policy(
        "strict",
        &policy(&[grant(
            "Allow",
            &aws(&format!("arn:aws:iam::{ACCOUNT}:user/somebody")),
            "s3:GetObject",
            "arn:aws:s3:::strict/*",
        )]),
    );
}

#[test]
fn an_s3_prefix_condition_limits_what_a_user_may_list() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("homes");
    for key in ["home/ann/a.txt", "home/ann/b.txt", "home/bob/c.txt"] {
        let _ = root.put_object("homes", key, b"x");
    }
    root.create_user("ann");
    root.put_user_policy(
        "ann",
        "own-home",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::homes","Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*","home/${aws:username}/"]}}}]}"#,
    );
    let ann = emu.client(&root.create_access_key("ann"));
    let list = |prefix: Option<&str>| {
        let mut query = vec![("list-type", "2")];
        if let Some(p) = prefix {
            query.push(("prefix", p));
        }
        ann.s3("GET", "/homes", &query, &[], b"")
    };

    let own = list(Some("home/ann/")).expect_ok();
    assert_eq!(own.texts("Key"), ["home/ann/a.txt", "home/ann/b.txt"]);
    let _ = list(Some("home/ann/b")).expect_ok();

    let denial = "User: arn:aws:iam::123456789012:user/ann is not authorized to perform: s3:ListBucket on \
                  resource: \"arn:aws:s3:::homes\" because no identity-based policy allows the s3:ListBucket action";
    assert_denied(&list(Some("home/bob/")), denial);
    assert_denied(&list(Some("home/")), denial);
    assert_denied(&list(None), denial);
    // ListObjects v1 is the same action with the same condition key.
    let v1 = ann.s3("GET", "/homes", &[("prefix", "home/bob/")], &[], b"");
    assert_denied(&v1, denial);

    let decision = emu.decisions(1)[0].clone();
    assert_eq!(decision["action"], "s3:ListBucket");
    assert_eq!(decision["resource"], "arn:aws:s3:::homes");
    assert_same_denial(&decision["message"], denial);
    let trace = decision["trace"].to_string();
    assert!(
        trace.contains("s3:prefix"),
        "the trace names the condition key: {trace}"
    );
}

#[test]
fn denials_read_as_aws_words_them_and_are_in_the_decision_log() {
    let emu = Emulator::start();
    let root = root(&emu);
    bucket_with_object(&root, "logged");
    let carl = root.create_user_with_keys("carl");
    root.put_user_policy(
        "carl",
        "no-deletes",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::logged/*"}]}"#,
    );
    let carl = emu.client(&carl);
    let _ = carl.get_object("logged", "doc.txt");
    let denied = carl.s3("DELETE", "/logged/doc.txt", &[], &[], b"");
    let message = "User: arn:aws:iam::123456789012:user/carl is not authorized to perform: s3:DeleteObject on \
                   resource: \"arn:aws:s3:::logged/doc.txt\" with an explicit deny in an identity-based policy";
    assert_denied(&denied, message);
    assert!(denied.header("x-amz-request-id").is_some());
    assert_eq!(
        carl.get_object("logged", "doc.txt").body,
        "contents",
        "not deleted"
    );

    let log = emu.decisions(5);
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["action"] == "s3:DeleteObject")
        .expect("the denial is logged");
    assert_eq!(entry["resource"], "arn:aws:s3:::logged/doc.txt");
    assert_eq!(entry["principal"], "arn:aws:iam::123456789012:user/carl");
    assert_same_denial(&entry["message"], message);
    assert_eq!(entry["enforced"], true);
    assert!(
        entry["decision"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("deny"),
        "{entry}"
    );
    assert_eq!(
        entry["requestId"].as_str(),
        denied.header("x-amz-request-id"),
        "the log entry is the request's"
    );

    // ListAllMyBuckets has no resource: no "on resource" part.
    let dora = emu.client(&root.create_user_with_keys("dora"));
    let listing = dora.s3("GET", "/", &[], &[], b"");
    assert_denied(
        &listing,
        "User: arn:aws:iam::123456789012:user/dora is not authorized to perform: s3:ListAllMyBuckets \
         because no identity-based policy allows the s3:ListAllMyBuckets action",
    );
}

/// The reply is the error `code` with `status` and exactly `message`.
#[track_caller]
fn assert_error(reply: &Reply, status: u16, code: &str, message: &str) {
    reply.assert_error(status, code, message);
}

/// An anonymous ListBuckets or CreateBucket is denied by the evaluator
/// (no policy can grant an anonymous caller either), so the decision log
/// says what the reply says.
#[test]
fn anonymous_list_and_create_bucket_are_denied_and_logged_as_denied() {
    let emu = Emulator::start();
    for (method, path, action) in [
        ("GET", "/", "s3:ListAllMyBuckets"),
        ("PUT", "/anonymous-bucket", "s3:CreateBucket"),
    ] {
        let _ = emu
            .anonymous_s3(method, path, &[], &[], b"")
            .expect_error(403, "AccessDenied");
        let logged = &emu.decisions(1)[0];
        assert_eq!(logged["action"], action, "{logged:#}");
        assert_eq!(logged["decision"], "implicitDeny", "{logged:#}");
    }
    let listed = root(&emu).s3("GET", "/", &[], &[], b"").expect_ok();
    assert!(!listed.body.contains("anonymous-bucket"), "{}", listed.body);
}
