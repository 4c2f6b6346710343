//! S3 ACLs as a user of S3 sees them: canned ACLs, grant headers and
//! `AccessControlPolicy` documents round-trip through GetBucketAcl /
//! GetObjectAcl; Object Ownership decides whether they grant anything
//! (S3 User Guide, "Controlling ownership of objects and disabling ACLs");
//! Block Public Access refuses or ignores public ones ("Blocking public
//! access to your Amazon S3 storage"); and a grant allows requests like a
//! resource-based policy, never against an explicit deny ("How Amazon S3
//! authorizes a request").

use iam_harness::{Client, Emulator, Reply, S3Defaults};

const OTHER: &str = "222233334444";
const OTHER_KEY: &str = "AKIAOTHERACCOUNT0002";
const OTHER_SECRET: &str = "other-account-secret";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

fn start(defaults: S3Defaults) -> (Emulator, Client, Client) {
    let emu = Emulator::builder()
        .s3_defaults(defaults)
        .root_key(OTHER, OTHER_KEY, OTHER_SECRET)
        .start();
    let owner = emu.client(&emu.root_credentials());
    let other = emu.client(&emu.root_credentials_of(OTHER).unwrap());
    (emu, owner, other)
}

fn put(client: &Client, path: &str, query: &[(&str, &str)], headers: &[(&str, &str)], body: &[u8]) -> Reply {
    client.s3("PUT", path, query, headers, body)
}

fn get_acl(client: &Client, path: &str) -> Reply {
    client.s3("GET", path, &[("acl", "")], &[], b"").expect_ok()
}

/// The grants of an ACL reply as (grantee ID or URI, permission).
fn grants(reply: &Reply) -> Vec<(String, String)> {
    let inner = |text: &str, name: &str| -> String {
        let open = format!("<{name}>");
        text.split_once(&open)
            .and_then(|(_, rest)| rest.split_once(&format!("</{name}>")))
            .map(|(value, _)| value.to_string())
            .unwrap_or_default()
    };
    reply
        .body
        .split("<Grant>")
        .skip(1)
        .map(|grant| {
            let who = match inner(grant, "URI") {
                uri if uri.is_empty() => inner(grant, "ID"),
                uri => uri,
            };
            (who, inner(grant, "Permission"))
        })
        .collect()
}

/// The canonical id S3 shows for the caller's account (ListBuckets' Owner).
fn canonical_id(client: &Client) -> String {
    client
        .s3("GET", "/", &[], &[], b"")
        .expect_ok()
        .text("ID")
        .expect("ListBuckets names its owner")
}

#[test]
fn canned_acls_round_trip_with_the_owners_canonical_id() {
    let (_emu, owner, _) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("acl-trip");
    let me = canonical_id(&owner);
    assert_eq!(me.len(), 64);
    assert_eq!(
        grants(&get_acl(&owner, "/acl-trip")),
        [(me.clone(), "FULL_CONTROL".into())]
    );
    let acl = get_acl(&owner, "/acl-trip");
    assert_eq!(
        acl.text("ID").as_deref(),
        Some(me.as_str()),
        "Owner/ID matches ListBuckets"
    );

    let _ = put(
        &owner,
        "/acl-trip",
        &[("acl", "")],
        &[("x-amz-acl", "public-read-write")],
        b"",
    )
    .expect_ok();
    assert_eq!(
        grants(&get_acl(&owner, "/acl-trip")),
        [
            (me.clone(), "FULL_CONTROL".into()),
            (ALL_USERS.into(), "READ".into()),
            (ALL_USERS.into(), "WRITE".into())
        ]
    );
    let _ = put(
        &owner,
        "/acl-trip",
        &[("acl", "")],
        &[("x-amz-acl", "log-delivery-write")],
        b"",
    )
    .expect_ok();
    let logs = grants(&get_acl(&owner, "/acl-trip"));
    assert!(logs.contains(&(
        "http://acs.amazonaws.com/groups/s3/LogDelivery".into(),
        "READ_ACP".into()
    )));

    let _ = put(
        &owner,
        "/acl-trip/k",
        &[],
        &[("x-amz-acl", "authenticated-read")],
        b"x",
    )
    .expect_ok();
    assert_eq!(
        grants(&get_acl(&owner, "/acl-trip/k")),
        [
            (me.clone(), "FULL_CONTROL".into()),
            (AUTHENTICATED.into(), "READ".into())
        ]
    );
    let _ = put(
        &owner,
        "/acl-trip/k",
        &[("acl", "")],
        &[("x-amz-acl", "private")],
        b"",
    )
    .expect_ok();
    assert_eq!(
        grants(&get_acl(&owner, "/acl-trip/k")),
        [(me, "FULL_CONTROL".into())]
    );
}

#[test]
fn grant_headers_and_acl_documents_name_accounts_by_canonical_id() {
    let (_emu, owner, other) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("grants");
    let me = canonical_id(&owner);
    let them = canonical_id(&other);
    let _ = owner.put_object("grants", "k", b"x");
    let _ = put(
        &owner,
        "/grants/k",
        &[("acl", "")],
        &[
            ("x-amz-grant-full-control", &format!("id=\"{me}\"")),
            ("x-amz-grant-read", &format!("id=\"{them}\", uri=\"{ALL_USERS}\"")),
        ],
        b"",
    )
    .expect_ok();
    let got = grants(&get_acl(&owner, "/grants/k"));
    assert!(got.contains(&(them.clone(), "READ".into())), "{got:?}");
    assert!(got.contains(&(ALL_USERS.into(), "READ".into())), "{got:?}");

    let document = format!(
        "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>{me}</ID></Owner>\
         <AccessControlList>\
         <Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>{me}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>\
         <Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>{them}</ID></Grantee><Permission>WRITE_ACP</Permission></Grant>\
         </AccessControlList></AccessControlPolicy>"
    );
    let _ = put(&owner, "/grants", &[("acl", "")], &[], document.as_bytes()).expect_ok();
    assert_eq!(
        grants(&get_acl(&owner, "/grants")),
        [(me, "FULL_CONTROL".into()), (them, "WRITE_ACP".into())]
    );
}

#[test]
fn bad_acls_are_refused_as_s3_refuses_them() {
    let (_emu, owner, _) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("bad-acls");
    let acl = &[("acl", "")];
    let _ =
        put(&owner, "/bad-acls", acl, &[("x-amz-acl", "public")], b"").expect_error(400, "InvalidArgument");
    let _ = put(
        &owner,
        "/bad-acls",
        acl,
        &[
            ("x-amz-acl", "private"),
            ("x-amz-grant-read", &format!("uri=\"{ALL_USERS}\"")),
        ],
        b"",
    )
    .expect_error(400, "InvalidRequest");
    let _ = put(
        &owner,
        "/bad-acls",
        acl,
        &[("x-amz-grant-read", "emailAddress=\"who@example.com\"")],
        b"",
    )
    .expect_error(400, "UnresolvableGrantByEmailAddress");
    let _ = put(
        &owner,
        "/bad-acls",
        acl,
        &[("x-amz-grant-read", &format!("id=\"{}\"", "0".repeat(64)))],
        b"",
    )
    .expect_error(400, "InvalidArgument");
    let _ = put(
        &owner,
        "/bad-acls",
        acl,
        &[("x-amz-grant-read", "uri=\"http://example.com/group\"")],
        b"",
    )
    .expect_error(400, "InvalidArgument");
    let bad_permission = format!(
        "<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>{ALL_USERS}</URI></Grantee>\
         <Permission>EVERYTHING</Permission></Grant></AccessControlList></AccessControlPolicy>"
    );
    let _ =
        put(&owner, "/bad-acls", acl, &[], bad_permission.as_bytes()).expect_error(400, "MalformedACLError");
    let _ = put(&owner, "/bad-acls", acl, &[], b"").expect_error(400, "MissingSecurityHeader");
    // Nothing was stored by any of them.
    assert_eq!(grants(&get_acl(&owner, "/bad-acls")).len(), 1);
}

#[test]
fn a_public_read_object_is_readable_by_anyone_under_object_writer() {
    let (emu, owner, _) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("open");
    let _ = put(
        &owner,
        "/open/public",
        &[],
        &[("x-amz-acl", "public-read")],
        b"hello",
    )
    .expect_ok();
    let _ = owner.put_object("open", "private", b"secret");
    let read = emu.anonymous_s3("GET", "/open/public", &[], &[], b"").expect_ok();
    assert_eq!(read.bytes, b"hello");
    let decision = &emu.decisions(1)[0];
    assert_eq!(decision["decision"], "allowed");
    assert_eq!(decision["summary"], "Allowed by the object ACL (AllUsers READ).");
    assert_eq!(decision["decidedBy"], "acl");
    let _ = emu
        .anonymous_s3("GET", "/open/private", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    // READ on the object is not READ_ACP, nor a listing of the bucket.
    let _ = emu
        .anonymous_s3("GET", "/open/public", &[("acl", "")], &[], b"")
        .expect_error(403, "AccessDenied");
    let _ = emu
        .anonymous_s3("GET", "/open", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    // A public-read bucket lists for anyone.
    let _ = put(
        &owner,
        "/open",
        &[("acl", "")],
        &[("x-amz-acl", "public-read")],
        b"",
    )
    .expect_ok();
    let listed = emu.anonymous_s3("GET", "/open", &[], &[], b"").expect_ok();
    assert_eq!(listed.texts("Key"), ["private", "public"]);
}

#[test]
fn another_account_reads_through_a_grant_to_it_or_to_authenticated_users() {
    let (emu, owner, other) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("shared-acl");
    let _ = owner.put_object("shared-acl", "k", b"data");
    let _ = other
        .s3("GET", "/shared-acl/k", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    let them = canonical_id(&other);
    let _ = put(
        &owner,
        "/shared-acl/k",
        &[("acl", "")],
        &[("x-amz-grant-read", &format!("id=\"{them}\""))],
        b"",
    )
    .expect_ok();
    assert_eq!(other.get_object("shared-acl", "k").bytes, b"data");
    // The grant is to the account: its IAM users still need their own
    // identity-based permission for cross-account access.
    let user = other.create_user_with_keys("reader");
    let reader = emu.client(&user);
    let _ = reader
        .s3("GET", "/shared-acl/k", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    let _ = other.put_user_policy(
        "reader",
        "s3",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    assert_eq!(reader.get_object("shared-acl", "k").bytes, b"data");

    let _ = owner.put_object("shared-acl", "signed-only", b"s");
    let _ = put(
        &owner,
        "/shared-acl/signed-only",
        &[("acl", "")],
        &[("x-amz-acl", "authenticated-read")],
        b"",
    )
    .expect_ok();
    assert_eq!(other.get_object("shared-acl", "signed-only").bytes, b"s");
    let _ = emu
        .anonymous_s3("GET", "/shared-acl/signed-only", &[], &[], b"")
        .expect_error(403, "AccessDenied");
}

#[test]
fn bucket_owner_enforced_refuses_acls_and_acls_never_grant() {
    let (emu, owner, _) = start(S3Defaults::Current);
    let _ = owner.create_bucket("enforced");
    let _ = put(
        &owner,
        "/enforced",
        &[("acl", "")],
        &[("x-amz-acl", "public-read")],
        b"",
    )
    .expect_error(400, "AccessControlListNotSupported");
    let _ = put(&owner, "/enforced/k", &[], &[("x-amz-acl", "public-read")], b"x")
        .expect_error(400, "AccessControlListNotSupported");
    // The owner-full-control ACLs are taken.
    let _ = put(
        &owner,
        "/enforced/k",
        &[],
        &[("x-amz-acl", "bucket-owner-full-control")],
        b"x",
    )
    .expect_ok();
    let _ = put(
        &owner,
        "/enforced",
        &[("acl", "")],
        &[("x-amz-acl", "private")],
        b"",
    )
    .expect_ok();
    let _ = owner
        .s3("PUT", "/enforced-new", &[], &[("x-amz-acl", "public-read")], b"")
        .expect_error(400, "InvalidBucketAclWithObjectOwnership");

    // A public-read object written while ACLs were on grants nothing once
    // ownership is BucketOwnerEnforced again.
    let _ = owner.delete_public_access_block("enforced");
    let writer = "<OwnershipControls xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>";
    let _ = put(
        &owner,
        "/enforced",
        &[("ownershipControls", "")],
        &[],
        writer.as_bytes(),
    )
    .expect_ok();
    let _ = put(
        &owner,
        "/enforced/open",
        &[],
        &[("x-amz-acl", "public-read")],
        b"o",
    )
    .expect_ok();
    let _ = emu
        .anonymous_s3("GET", "/enforced/open", &[], &[], b"")
        .expect_ok();
    let enforced = writer.replace("ObjectWriter", "BucketOwnerEnforced");
    let _ = put(
        &owner,
        "/enforced",
        &[("ownershipControls", "")],
        &[],
        enforced.as_bytes(),
    )
    .expect_ok();
    let _ = emu
        .anonymous_s3("GET", "/enforced/open", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    // Reading ACLs still works: the owner has full control.
    assert_eq!(grants(&get_acl(&owner, "/enforced/open")).len(), 1);
}

#[test]
fn block_public_acls_refuses_and_ignore_public_acls_ignores() {
    let (emu, owner, _) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("bpa");
    let _ = put(&owner, "/bpa/open", &[], &[("x-amz-acl", "public-read")], b"o").expect_ok();
    let block = |acls: bool, ignore: bool| {
        format!(
            "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <BlockPublicAcls>{acls}</BlockPublicAcls><IgnorePublicAcls>{ignore}</IgnorePublicAcls>\
             <BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets>\
             </PublicAccessBlockConfiguration>"
        )
    };
    let _ = put(
        &owner,
        "/bpa",
        &[("publicAccessBlock", "")],
        &[],
        block(true, false).as_bytes(),
    )
    .expect_ok();
    let _ = put(
        &owner,
        "/bpa",
        &[("acl", "")],
        &[("x-amz-acl", "public-read")],
        b"",
    )
    .expect_error(403, "AccessDenied");
    let _ = put(
        &owner,
        "/bpa/new",
        &[],
        &[("x-amz-acl", "public-read-write")],
        b"n",
    )
    .expect_error(403, "AccessDenied");
    let _ = put(
        &owner,
        "/bpa/open",
        &[("acl", "")],
        &[("x-amz-acl", "authenticated-read")],
        b"",
    )
    .expect_error(403, "AccessDenied");
    // An ACL set before still grants: BlockPublicAcls only refuses new ones.
    let _ = emu.anonymous_s3("GET", "/bpa/open", &[], &[], b"").expect_ok();

    let _ = put(
        &owner,
        "/bpa",
        &[("publicAccessBlock", "")],
        &[],
        block(false, true).as_bytes(),
    )
    .expect_ok();
    let _ = emu
        .anonymous_s3("GET", "/bpa/open", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    // The ACL is still there to read.
    assert!(grants(&get_acl(&owner, "/bpa/open")).contains(&(ALL_USERS.into(), "READ".into())));
    let _ = put(
        &owner,
        "/bpa",
        &[("publicAccessBlock", "")],
        &[],
        block(false, false).as_bytes(),
    )
    .expect_ok();
    let _ = emu.anonymous_s3("GET", "/bpa/open", &[], &[], b"").expect_ok();
}

#[test]
fn the_object_writer_owns_what_it_uploads() {
    let (_emu, owner, other) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("drop-box");
    let me = canonical_id(&owner);
    let them = canonical_id(&other);
    // The bucket ACL lets the other account write.
    let _ = put(
        &owner,
        "/drop-box",
        &[("acl", "")],
        &[
            ("x-amz-grant-write", &format!("id=\"{them}\"")),
            ("x-amz-grant-full-control", &format!("id=\"{me}\"")),
        ],
        b"",
    )
    .expect_ok();
    let _ = other.put_object("drop-box", "theirs", b"t");
    let acl = get_acl(&other, "/drop-box/theirs");
    assert_eq!(
        acl.text("ID").as_deref(),
        Some(them.as_str()),
        "the writer owns it"
    );
    // The bucket owner cannot read an object another account owns...
    let _ = owner
        .s3("GET", "/drop-box/theirs", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    // ...unless the writer hands it full control.
    let _ = put(
        &other,
        "/drop-box/handed",
        &[],
        &[("x-amz-acl", "bucket-owner-full-control")],
        b"h",
    )
    .expect_ok();
    assert_eq!(owner.get_object("drop-box", "handed").bytes, b"h");
    assert_eq!(
        get_acl(&owner, "/drop-box/handed").text("ID").as_deref(),
        Some(them.as_str())
    );

    // BucketOwnerPreferred: with bucket-owner-full-control the bucket owner owns it.
    let preferred = "<OwnershipControls xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule></OwnershipControls>";
    let _ = put(
        &owner,
        "/drop-box",
        &[("ownershipControls", "")],
        &[],
        preferred.as_bytes(),
    )
    .expect_ok();
    let _ = put(
        &other,
        "/drop-box/preferred",
        &[],
        &[("x-amz-acl", "bucket-owner-full-control")],
        b"p",
    )
    .expect_ok();
    assert_eq!(
        get_acl(&owner, "/drop-box/preferred").text("ID").as_deref(),
        Some(me.as_str())
    );
    let _ = other.put_object("drop-box", "kept", b"k");
    assert_eq!(
        get_acl(&other, "/drop-box/kept").text("ID").as_deref(),
        Some(them.as_str())
    );
}

#[test]
fn a_bucket_policy_can_require_bucket_owner_full_control() {
    let (_emu, owner, other) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("require-bofc");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Sid":"Write","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{OTHER}:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::require-bofc/*"}},
        {{"Sid":"RequireFullControl","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::require-bofc/*",
          "Condition":{{"StringNotEquals":{{"s3:x-amz-acl":"bucket-owner-full-control"}}}}}}]}}"#
    );
    let _ = owner.put_bucket_policy("require-bofc", &policy);
    let _ = other
        .s3("PUT", "/require-bofc/k", &[], &[], b"x")
        .expect_error(403, "AccessDenied");
    let _ = put(
        &other,
        "/require-bofc/k",
        &[],
        &[("x-amz-acl", "bucket-owner-full-control")],
        b"x",
    )
    .expect_ok();
    assert_eq!(owner.get_object("require-bofc", "k").bytes, b"x");
    // The grant headers are condition keys too.
    let grant_policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObjectAcl","Resource":"arn:aws:s3:::require-bofc/*","Condition":{"StringLike":{"s3:x-amz-grant-read":"*AllUsers*"}}}]}"#;
    let _ = owner.put_bucket_policy("require-bofc", grant_policy);
    let _ = put(
        &owner,
        "/require-bofc/k",
        &[("acl", "")],
        &[("x-amz-grant-read", &format!("uri=\"{ALL_USERS}\""))],
        b"",
    )
    .expect_error(403, "AccessDenied");
}

#[test]
fn an_explicit_deny_wins_over_a_public_read_acl() {
    let (emu, owner, _) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("denied");
    let _ = put(&owner, "/denied/k", &[], &[("x-amz-acl", "public-read")], b"x").expect_ok();
    let _ = emu.anonymous_s3("GET", "/denied/k", &[], &[], b"").expect_ok();
    let _ = owner.put_bucket_policy(
        "denied",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::denied/*"}]}"#,
    );
    let _ = emu
        .anonymous_s3("GET", "/denied/k", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    assert_eq!(emu.decisions(1)[0]["decision"], "explicitDeny");
}

#[test]
fn acl_headers_apply_to_copies_and_multipart_uploads() {
    let (emu, owner, _) = start(S3Defaults::Legacy);
    let _ = owner.create_bucket("written");
    let _ = owner.put_object("written", "source", b"copied");
    let _ = put(
        &owner,
        "/written/copy",
        &[],
        &[
            ("x-amz-copy-source", "/written/source"),
            ("x-amz-acl", "public-read"),
        ],
        b"",
    )
    .expect_ok();
    assert_eq!(
        emu.anonymous_s3("GET", "/written/copy", &[], &[], b"")
            .expect_ok()
            .bytes,
        b"copied"
    );
    let started = owner
        .s3(
            "POST",
            "/written/big",
            &[("uploads", "")],
            &[("x-amz-acl", "public-read")],
            b"",
        )
        .expect_ok();
    let id = started.text("UploadId").unwrap();
    let part = put(
        &owner,
        "/written/big",
        &[("partNumber", "1"), ("uploadId", &id)],
        &[],
        b"part",
    )
    .expect_ok();
    let etag = part.header("etag").unwrap().to_string();
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let _ = owner
        .s3(
            "POST",
            "/written/big",
            &[("uploadId", &id)],
            &[],
            complete.as_bytes(),
        )
        .expect_ok();
    assert_eq!(
        emu.anonymous_s3("GET", "/written/big", &[], &[], b"")
            .expect_ok()
            .bytes,
        b"part"
    );
    // CreateBucket takes ACL headers and x-amz-object-ownership too.
    let _ = owner
        .s3(
            "PUT",
            "/made-public",
            &[],
            &[
                ("x-amz-acl", "public-read"),
                ("x-amz-object-ownership", "BucketOwnerPreferred"),
            ],
            b"",
        )
        .expect_ok();
    assert!(grants(&get_acl(&owner, "/made-public")).contains(&(ALL_USERS.into(), "READ".into())));
    let ownership = owner
        .s3("GET", "/made-public", &[("ownershipControls", "")], &[], b"")
        .expect_ok();
    assert_eq!(
        ownership.text("ObjectOwnership").as_deref(),
        Some("BucketOwnerPreferred")
    );
}

#[test]
fn acls_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("s3-acls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let them;
    {
        let emu = Emulator::builder()
            .s3_defaults(S3Defaults::Legacy)
            .root_key(OTHER, OTHER_KEY, OTHER_SECRET)
            .state_dir(&dir)
            .start();
        let owner = emu.client(&emu.root_credentials());
        let other = emu.client(&emu.root_credentials_of(OTHER).unwrap());
        them = canonical_id(&other);
        let _ = owner.create_bucket("kept-acls");
        let _ = put(
            &owner,
            "/kept-acls",
            &[("acl", "")],
            &[("x-amz-grant-write", &format!("id=\"{them}\""))],
            b"",
        )
        .expect_ok();
        let _ = put(
            &other,
            "/kept-acls/theirs",
            &[],
            &[("x-amz-acl", "public-read")],
            b"t",
        )
        .expect_ok();
    }
    let emu = Emulator::builder()
        .s3_defaults(S3Defaults::Legacy)
        .root_key(OTHER, OTHER_KEY, OTHER_SECRET)
        .state_dir(&dir)
        .start();
    let owner = emu.client(&emu.root_credentials());
    assert!(grants(&get_acl(&owner, "/kept-acls")).contains(&(them.clone(), "WRITE".into())));
    assert_eq!(
        emu.anonymous_s3("GET", "/kept-acls/theirs", &[], &[], b"")
            .expect_ok()
            .bytes,
        b"t"
    );
    let other = emu.client(&emu.root_credentials_of(OTHER).unwrap());
    assert_eq!(
        get_acl(&other, "/kept-acls/theirs").text("ID").as_deref(),
        Some(them.as_str())
    );
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}
