//! S3 over the wire, through the harness: a bucket's configuration —
//! location, ownership controls, ACLs, tags, versioning — ListBuckets
//! paging and `Expect: 100-continue`, asserting what a user sees.

use iam_harness::{Client, Emulator, Reply};

const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

fn get_sub(client: &Client, bucket: &str, sub: &str) -> Reply {
    client.s3("GET", &format!("/{bucket}"), &[(sub, "")], &[], b"")
}

fn put_sub(client: &Client, bucket: &str, sub: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    client.s3(
        "PUT",
        &format!("/{bucket}"),
        &[(sub, "")],
        headers,
        body.as_bytes(),
    )
}

fn delete_sub(client: &Client, bucket: &str, sub: &str) -> Reply {
    client.s3("DELETE", &format!("/{bucket}"), &[(sub, "")], &[], b"")
}

#[test]
fn get_bucket_location_is_empty_for_us_east_1_and_named_elsewhere() {
    let emu = Emulator::start();
    let virginia = root(&emu);
    let ireland = root(&emu).with_region("eu-west-1");
    let _ = virginia.create_bucket("in-virginia");
    let _ = ireland.create_bucket("in-ireland");

    let here = get_sub(&virginia, "in-virginia", "location").expect_ok();
    assert!(
        here.body
            .contains(&format!("<LocationConstraint xmlns=\"{NAMESPACE}\"")),
        "{}",
        here.body
    );
    assert_eq!(here.text("LocationConstraint").as_deref(), Some(""));
    assert_eq!(here.header("content-type"), Some("application/xml"));

    let there = get_sub(&ireland, "in-ireland", "location").expect_ok();
    assert_eq!(there.text("LocationConstraint").as_deref(), Some("eu-west-1"));
    // The answer does not depend on the region the request is signed for.
    let from_virginia = get_sub(&virginia, "in-ireland", "location").expect_ok();
    assert_eq!(
        from_virginia.text("LocationConstraint").as_deref(),
        Some("eu-west-1")
    );
    assert_error(
        &get_sub(&virginia, "no-such-bucket", "location"),
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
    );
}

const OWNERSHIP_NOT_FOUND: &str = "The bucket ownership controls were not found";

fn ownership_document(value: &str) -> String {
    format!(
        "<OwnershipControls xmlns=\"{NAMESPACE}\"><Rule><ObjectOwnership>{value}</ObjectOwnership></Rule></OwnershipControls>"
    )
}

#[test]
fn ownership_controls_default_to_bucket_owner_enforced_and_can_be_changed_and_removed() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("owned");

    let default = get_sub(&root, "owned", "ownershipControls").expect_ok();
    assert!(default.body.contains("<OwnershipControls"), "{}", default.body);
    assert_eq!(
        default.text("ObjectOwnership").as_deref(),
        Some("BucketOwnerEnforced")
    );

    let _ = put_sub(
        &root,
        "owned",
        "ownershipControls",
        &[],
        &ownership_document("ObjectWriter"),
    )
    .expect_ok();
    assert_eq!(
        get_sub(&root, "owned", "ownershipControls")
            .expect_ok()
            .text("ObjectOwnership")
            .as_deref(),
        Some("ObjectWriter")
    );
    assert_error(
        &put_sub(
            &root,
            "owned",
            "ownershipControls",
            &[],
            &ownership_document("Everyone"),
        ),
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    );

    let deleted = delete_sub(&root, "owned", "ownershipControls").expect_ok();
    assert_eq!(deleted.status, 204);
    assert_error(
        &get_sub(&root, "owned", "ownershipControls"),
        404,
        "OwnershipControlsNotFoundError",
        OWNERSHIP_NOT_FOUND,
    );
}

#[test]
fn bucket_owner_enforced_buckets_refuse_acls_other_than_private() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("no-acls");
    for acl in ["public-read", "public-read-write", "authenticated-read"] {
        assert_error(
            &put_sub(&root, "no-acls", "acl", &[("x-amz-acl", acl)], ""),
            400,
            "AccessControlListNotSupported",
            "The bucket does not allow ACLs",
        );
    }
    let _ = put_sub(&root, "no-acls", "acl", &[("x-amz-acl", "private")], "").expect_ok();
    let _ = put_sub(
        &root,
        "no-acls",
        "acl",
        &[("x-amz-acl", "bucket-owner-full-control")],
        "",
    )
    .expect_ok();
}

#[test]
fn get_bucket_acl_shows_the_owner_with_full_control() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("acl-shape");
    let acl = get_sub(&root, "acl-shape", "acl").expect_ok();
    assert!(
        acl.body
            .contains(&format!("<AccessControlPolicy xmlns=\"{NAMESPACE}\"")),
        "{}",
        acl.body
    );
    let ids = acl.texts("ID");
    assert_eq!(ids.len(), 2, "owner and grantee: {}", acl.body);
    assert_eq!(ids[0], ids[1], "the owner is the only grantee");
    assert_eq!(ids[0].len(), 64, "a canonical user id");
    assert!(ids[0].bytes().all(|b| b.is_ascii_hexdigit()), "{}", ids[0]);
    assert_eq!(acl.texts("Grant").len(), 1, "{}", acl.body);
    assert_eq!(acl.texts("Permission"), ["FULL_CONTROL"]);
    assert!(acl.body.contains("xsi:type=\"CanonicalUser\""), "{}", acl.body);
    // The owner's canonical id is the one ListBuckets shows.
    let listed = root.s3("GET", "/", &[], &[], b"").expect_ok();
    assert_eq!(listed.text("ID"), Some(ids[0].clone()));
}

fn tag_document(tags: &[(&str, &str)]) -> String {
    let tags = tags
        .iter()
        .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
        .collect::<Vec<_>>()
        .concat();
    format!("<Tagging xmlns=\"{NAMESPACE}\"><TagSet>{tags}</TagSet></Tagging>")
}

#[test]
fn bucket_tags_are_put_got_and_deleted() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("tagged");

    let none = get_sub(&root, "tagged", "tagging");
    assert_error(&none, 404, "NoSuchTagSet", "The TagSet does not exist");
    assert_eq!(none.text("BucketName").as_deref(), Some("tagged"));

    let put = put_sub(
        &root,
        "tagged",
        "tagging",
        &[],
        &tag_document(&[("project", "apollo"), ("cost-centre", "42")]),
    )
    .expect_ok();
    assert_eq!(put.status, 204);
    let got = get_sub(&root, "tagged", "tagging").expect_ok();
    assert!(got.body.contains("<Tagging"), "{}", got.body);
    assert_eq!(got.texts("Key"), ["project", "cost-centre"]);
    assert_eq!(got.texts("Value"), ["apollo", "42"]);

    // A new set replaces the old one.
    let _ = put_sub(&root, "tagged", "tagging", &[], &tag_document(&[("only", "one")])).expect_ok();
    assert_eq!(
        get_sub(&root, "tagged", "tagging").expect_ok().texts("Key"),
        ["only"]
    );
    assert_error(
        &put_sub(
            &root,
            "tagged",
            "tagging",
            &[],
            &tag_document(&[("dup", "1"), ("dup", "2")]),
        ),
        400,
        "InvalidTag",
        "Cannot provide multiple Tags with the same key",
    );

    let deleted = delete_sub(&root, "tagged", "tagging").expect_ok();
    assert_eq!(deleted.status, 204);
    assert_error(
        &get_sub(&root, "tagged", "tagging"),
        404,
        "NoSuchTagSet",
        "The TagSet does not exist",
    );
}

#[test]
fn versioning_is_unset_until_suspended() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("versions");

    let never = get_sub(&root, "versions", "versioning").expect_ok();
    assert!(
        never
            .body
            .contains(&format!("<VersioningConfiguration xmlns=\"{NAMESPACE}\"")),
        "{}",
        never.body
    );
    assert_eq!(never.text("Status"), None, "{}", never.body);
    assert_eq!(never.text("MfaDelete"), None, "{}", never.body);

    let _ = put_sub(
        &root,
        "versions",
        "versioning",
        &[],
        &format!("<VersioningConfiguration xmlns=\"{NAMESPACE}\"><Status>Suspended</Status></VersioningConfiguration>"),
    )
    .expect_ok();
    let suspended = get_sub(&root, "versions", "versioning").expect_ok();
    assert_eq!(suspended.text("Status").as_deref(), Some("Suspended"));

    assert_error(
        &put_sub(
            &root,
            "versions",
            "versioning",
            &[],
            "<VersioningConfiguration><Status>Paused</Status></VersioningConfiguration>",
        ),
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    );
}

#[test]
fn list_buckets_pages_with_max_buckets_and_a_continuation_token() {
    let emu = Emulator::start();
    let root = root(&emu);
    for name in ["page-e", "page-c", "page-a", "page-d", "page-b"] {
        let _ = root.create_bucket(name);
    }
    let mut names: Vec<String> = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = vec![("max-buckets", "2")];
        if let Some(token) = &token {
            query.push(("continuation-token", token.as_str()));
        }
        let page = root.s3("GET", "/", &query, &[], b"").expect_ok();
        pages += 1;
        let on_page = page.texts("Name");
        assert!(
            !on_page.is_empty() && on_page.len() <= 2,
            "page {pages}: {}",
            page.body
        );
        assert_eq!(page.texts("BucketRegion").len(), on_page.len());
        names.extend(on_page);
        token = page.text("ContinuationToken");
        if token.is_none() {
            break;
        }
        assert!(pages < 5, "no end to the listing: {}", page.body);
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["page-a", "page-b", "page-c", "page-d", "page-e"]);

    // With a prefix, and without max-buckets: one page, no token.
    let some = root.s3("GET", "/", &[("prefix", "page-d")], &[], b"").expect_ok();
    assert_eq!(some.texts("Name"), ["page-d"]);
    assert_eq!(some.text("Prefix").as_deref(), Some("page-d"));
    assert_eq!(some.text("ContinuationToken"), None);
    let all = root.s3("GET", "/", &[], &[], b"").expect_ok();
    assert_eq!(all.texts("Name").len(), 5);
    assert_eq!(all.text("ContinuationToken"), None);

    let zero = root.s3("GET", "/", &[("max-buckets", "0")], &[], b"");
    assert_eq!(
        (zero.status, zero.error_code().as_deref()),
        (400, Some("InvalidArgument")),
        "{}",
        zero.body
    );
}

#[test]
fn a_put_with_expect_100_continue_succeeds() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("continue");
    let body = vec![b'x'; 256 * 1024];
    let put = root
        .s3(
            "PUT",
            "/continue/large.bin",
            &[],
            &[("expect", "100-continue")],
            &body,
        )
        .expect_ok();
    assert_eq!(put.status, 200);
    let got = root.get_object("continue", "large.bin");
    assert_eq!(got.bytes.len(), body.len());
    assert!(got.bytes == body);
}

/// The reply is the error `code` with `status` and exactly `message`.
#[track_caller]
fn assert_error(reply: &Reply, status: u16, code: &str, message: &str) {
    reply.assert_error(status, code, message);
}
