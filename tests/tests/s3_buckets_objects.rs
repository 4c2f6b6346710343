//! S3 over the wire, through the harness (REST XML signed by `aws-sigv4`
//! as the SDKs sign for S3): buckets, objects and listings, asserting what
//! a user sees — status, error Code and Message, headers, XML fields.

use iam_harness::{Client, Emulator, Payload, Reply};
use std::time::{Duration, SystemTime};

const OTHER_ACCOUNT: &str = "111111111111";
const OTHER_KEY: &str = "AKIAOTHERACCOUNT0001";
const OTHER_SECRET: &str = "other-secret";

/// MD5 and SHA-256 of `hello world`, as S3 wants them in headers.
const HELLO_MD5_BASE64: &str = "XrY7u+Ae7tCTyyK7j1rNww==";
const HELLO_ETAG: &str = "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"";
/// SHA-256 of the empty string: a hash that does not match a non-empty body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

fn list_v2(client: &Client, bucket: &str, params: &[(&str, &str)]) -> Reply {
    let mut query = vec![("list-type", "2")];
    query.extend_from_slice(params);
    client
        .s3("GET", &format!("/{bucket}"), &query, &[], b"")
        .expect_ok()
}

// ---- buckets ----

#[test]
fn bucket_names_follow_s3_naming_rules() {
    let emu = Emulator::start();
    let root = root(&emu);
    for bad in [
        "ab",
        "My-Bucket",
        "-starts-with-dash",
        "ends-with-dash-",
        "two..dots",
        "192.168.5.4",
        "under_score",
        "xn--punycode",
        "bucket-s3alias",
        &"a".repeat(64),
    ] {
        let reply = root.s3("PUT", &format!("/{bad}"), &[], &[], b"");
        assert_error(
            &reply,
            400,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        );
        assert_eq!(reply.text("BucketName").as_deref(), Some(bad), "{}", reply.body);
    }
    for good in ["abc", "my-bucket.logs.2024", "a1b2c3", &"a".repeat(63)] {
        let created = root.create_bucket(good);
        assert_eq!(created.header("location"), Some(format!("/{good}").as_str()));
    }
}

#[test]
fn bucket_names_are_global_across_accounts() {
    let emu = Emulator::builder()
        .root_key(OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET)
        .start();
    let root = root(&emu);
    let other = emu.client(&emu.root_credentials_of(OTHER_ACCOUNT).unwrap());
    let _ = root.create_bucket("shared-name");
    let taken = other.s3("PUT", "/shared-name", &[], &[], b"");
    assert_error(
        &taken,
        409,
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all users of the \
         system. Please select a different name and try again.",
    );
    assert_eq!(taken.text("BucketName").as_deref(), Some("shared-name"));
    // In us-east-1, creating a bucket you already own again answers 200.
    let _ = root.create_bucket("shared-name");
}

#[test]
fn recreating_your_own_bucket_outside_us_east_1_is_bucket_already_owned_by_you() {
    let emu = Emulator::start();
    let ireland = root(&emu).with_region("eu-west-1");
    let _ = ireland.create_bucket("dublin-data");
    let again = ireland.s3(
        "PUT",
        "/dublin-data",
        &[],
        &[],
        b"<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
    );
    assert_error(
        &again,
        409,
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
    );
    let location = ireland
        .s3("GET", "/dublin-data", &[("location", "")], &[], b"")
        .expect_ok();
    assert_eq!(location.text("LocationConstraint").as_deref(), Some("eu-west-1"));
    let head = ireland.s3("HEAD", "/dublin-data", &[], &[], b"").expect_ok();
    assert_eq!(head.header("x-amz-bucket-region"), Some("eu-west-1"));
    // A bucket of us-east-1 has an empty LocationConstraint.
    let _ = root(&emu).create_bucket("virginia-data");
    let location = root(&emu)
        .s3("GET", "/virginia-data", &[("location", "")], &[], b"")
        .expect_ok();
    assert_eq!(location.text("LocationConstraint").as_deref(), Some(""));
}

#[test]
fn list_buckets_shows_only_the_callers_account() {
    let emu = Emulator::builder()
        .root_key(OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET)
        .start();
    let root = root(&emu);
    let other = emu.client(&emu.root_credentials_of(OTHER_ACCOUNT).unwrap());
    let _ = root.create_bucket("mine-b");
    let _ = root.create_bucket("mine-a");
    let _ = other.create_bucket("theirs");
    let listed = root.s3("GET", "/", &[], &[], b"").expect_ok();
    assert!(listed.body.contains("<ListAllMyBucketsResult"), "{}", listed.body);
    assert_eq!(listed.texts("Name"), ["mine-a", "mine-b"]);
    assert_eq!(listed.texts("CreationDate").len(), 2);
    assert_eq!(
        listed.text("ID").map(|id| id.len()),
        Some(64),
        "owner canonical id"
    );
    let theirs = other.s3("GET", "/", &[], &[], b"").expect_ok();
    assert_eq!(theirs.texts("Name"), ["theirs"]);
}

#[test]
fn delete_bucket_refuses_a_bucket_with_objects() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("full");
    let _ = root.put_object("full", "k", b"data");
    let refused = root.s3("DELETE", "/full", &[], &[], b"");
    assert_error(
        &refused,
        409,
        "BucketNotEmpty",
        "The bucket you tried to delete is not empty",
    );
    assert_eq!(refused.text("BucketName").as_deref(), Some("full"));
    let deleted = root.s3("DELETE", "/full/k", &[], &[], b"");
    assert_eq!(deleted.status, 204);
    let gone = root.s3("DELETE", "/full", &[], &[], b"");
    assert_eq!(gone.status, 204, "{}", gone.body);
    let missing = root.s3("DELETE", "/full", &[], &[], b"");
    assert_error(
        &missing,
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
    );
}

#[test]
fn head_bucket_of_a_missing_bucket_is_404_without_a_body() {
    let emu = Emulator::start();
    let root = root(&emu);
    let missing = root.s3("HEAD", "/no-such-bucket-here", &[], &[], b"");
    assert_eq!(missing.status, 404);
    assert!(missing.bytes.is_empty(), "HEAD replies have no body");
    let _ = root.create_bucket("here");
    let found = root.s3("HEAD", "/here", &[], &[], b"").expect_ok();
    assert_eq!(found.header("x-amz-bucket-region"), Some("us-east-1"));
    let listing = root.s3("GET", "/no-such-bucket-here", &[("list-type", "2")], &[], b"");
    assert_error(
        &listing,
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
    );
    assert_eq!(listing.text("BucketName").as_deref(), Some("no-such-bucket-here"));
}

// ---- objects ----

#[test]
fn put_get_head_delete_with_metadata_and_content_type() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("docs");
    let put = root
        .s3(
            "PUT",
            "/docs/report.txt",
            &[],
            &[
                ("content-type", "text/plain; charset=utf-8"),
                ("x-amz-meta-author", "Ann"),
                ("x-amz-meta-Project", "apollo"),
                ("cache-control", "max-age=60"),
                ("content-disposition", "inline"),
            ],
            b"hello world",
        )
        .expect_ok();
    assert_eq!(put.header("etag"), Some(HELLO_ETAG));

    let got = root.get_object("docs", "report.txt");
    assert_eq!(got.bytes, b"hello world");
    assert_eq!(got.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(got.header("content-length"), Some("11"));
    assert_eq!(got.header("etag"), Some(HELLO_ETAG));
    assert_eq!(got.header("x-amz-meta-author"), Some("Ann"));
    // Metadata names come back lower-cased, as S3 stores them.
    assert_eq!(got.header("x-amz-meta-project"), Some("apollo"));
    assert_eq!(got.header("cache-control"), Some("max-age=60"));
    assert_eq!(got.header("content-disposition"), Some("inline"));
    assert_eq!(got.header("accept-ranges"), Some("bytes"));
    let modified = got.header("last-modified").unwrap();
    assert!(modified.ends_with(" GMT"), "{modified}");

    let head = root.s3("HEAD", "/docs/report.txt", &[], &[], b"").expect_ok();
    assert!(head.bytes.is_empty());
    assert_eq!(head.header("content-length"), Some("11"));
    assert_eq!(head.header("etag"), Some(HELLO_ETAG));
    assert_eq!(head.header("x-amz-meta-author"), Some("Ann"));

    // Without a Content-Type, S3 stores binary/octet-stream.
    let _ = root.put_object("docs", "raw", b"\x00\x01\xff");
    let raw = root.get_object("docs", "raw");
    assert_eq!(raw.bytes, b"\x00\x01\xff");
    assert_eq!(raw.header("content-type"), Some("binary/octet-stream"));

    let deleted = root.s3("DELETE", "/docs/report.txt", &[], &[], b"");
    assert_eq!(deleted.status, 204);
    // Deleting a key that does not exist is not an error.
    assert_eq!(root.s3("DELETE", "/docs/report.txt", &[], &[], b"").status, 204);
    let gone = root.s3("GET", "/docs/report.txt", &[], &[], b"");
    assert_error(&gone, 404, "NoSuchKey", "The specified key does not exist.");
    let head_gone = root.s3("HEAD", "/docs/report.txt", &[], &[], b"");
    assert_eq!(head_gone.status, 404);
    assert!(head_gone.bytes.is_empty());
}

#[test]
fn ranges_206_and_416() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("ranges");
    let _ = root.put_object("ranges", "k", b"hello world");
    let get = |range: &str| root.s3("GET", "/ranges/k", &[], &[("range", range)], b"");

    let first = get("bytes=0-4");
    assert_eq!(first.status, 206);
    assert_eq!(first.bytes, b"hello");
    assert_eq!(first.header("content-range"), Some("bytes 0-4/11"));
    assert_eq!(first.header("content-length"), Some("5"));
    assert_eq!(first.header("etag"), Some(HELLO_ETAG));

    let suffix = get("bytes=-5");
    assert_eq!((suffix.status, suffix.bytes.as_slice()), (206, &b"world"[..]));
    assert_eq!(suffix.header("content-range"), Some("bytes 6-10/11"));

    let open = get("bytes=6-");
    assert_eq!((open.status, open.bytes.as_slice()), (206, &b"world"[..]));

    // An end past the object is clipped to its last byte.
    let clipped = get("bytes=6-100");
    assert_eq!(clipped.header("content-range"), Some("bytes 6-10/11"));

    let past = get("bytes=11-");
    assert_error(
        &past,
        416,
        "InvalidRange",
        "The requested range is not satisfiable",
    );
    // A malformed Range is ignored: the whole object, 200.
    let ignored = get("bytes=abc");
    assert_eq!(
        (ignored.status, ignored.bytes.as_slice()),
        (200, &b"hello world"[..])
    );
}

#[test]
fn invalid_range_names_the_range_and_the_object_size() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("ranges");
    let _ = root.put_object("ranges", "k", b"hello world");
    let past = root.s3("GET", "/ranges/k", &[], &[("range", "bytes=11-")], b"");
    assert_eq!(past.error_code().as_deref(), Some("InvalidRange"));
    assert_eq!(past.text("RangeRequested").as_deref(), Some("bytes=11-"));
    assert_eq!(past.text("ActualObjectSize").as_deref(), Some("11"));
}

#[test]
fn conditional_gets() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("cond");
    let _ = root.put_object("cond", "k", b"hello world");
    let get = |headers: &[(&str, &str)]| root.s3("GET", "/cond/k", &[], headers, b"");

    let not_modified = get(&[("if-none-match", HELLO_ETAG)]);
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.bytes.is_empty());
    assert_eq!(not_modified.header("etag"), Some(HELLO_ETAG));

    let changed = get(&[("if-none-match", "\"0123\"")]);
    assert_eq!(
        (changed.status, changed.bytes.as_slice()),
        (200, &b"hello world"[..])
    );

    let matched = get(&[("if-match", HELLO_ETAG)]);
    assert_eq!(matched.status, 200);

    let failed = get(&[("if-match", "\"0123\"")]);
    assert_error(
        &failed,
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );

    let future = get(&[("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")]);
    assert_eq!(future.status, 304);
    let past = get(&[("if-unmodified-since", "Thu, 01 Jan 2004 00:00:00 GMT")]);
    assert_eq!(past.status, 412);
    // HEAD answers the same conditions with bare statuses.
    let head = root.s3("HEAD", "/cond/k", &[], &[("if-match", "\"0123\"")], b"");
    assert_eq!(head.status, 412);
    assert!(head.bytes.is_empty());
}

#[test]
fn precondition_failed_names_the_condition() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("cond");
    let _ = root.put_object("cond", "k", b"hello world");
    let failed = root.s3("GET", "/cond/k", &[], &[("if-match", "\"0123\"")], b"");
    assert_eq!(failed.error_code().as_deref(), Some("PreconditionFailed"));
    assert_eq!(failed.text("Condition").as_deref(), Some("If-Match"));
}

#[test]
fn conditional_writes() {
    // S3 conditional writes: If-None-Match `*` refuses to overwrite an
    // existing key; If-Match writes only over the ETag named.
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("cond");
    let _ = root.put_object("cond", "k", b"hello world");
    let create_only = root.s3("PUT", "/cond/k", &[], &[("if-none-match", "*")], b"second");
    assert_error(
        &create_only,
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    );
    let stale = root.s3("PUT", "/cond/k", &[], &[("if-match", "\"0123\"")], b"third");
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(root.get_object("cond", "k").body, "hello world");
    let fresh = root.s3("PUT", "/cond/new", &[], &[("if-none-match", "*")], b"new");
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    let current = root.s3("PUT", "/cond/k", &[], &[("if-match", HELLO_ETAG)], b"fourth");
    assert_eq!(current.status, 200, "{}", current.body);
}

#[test]
fn error_documents_are_application_xml() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("types");
    let missing = root.s3("GET", "/types/absent", &[], &[], b"");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header_values("content-type"), ["application/xml"]);
}

#[test]
fn response_header_overrides() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("over");
    let _ = root.s3(
        "PUT",
        "/over/page",
        &[],
        &[("content-type", "text/html"), ("cache-control", "max-age=60")],
        b"<p>hi</p>",
    );
    let got = root
        .s3(
            "GET",
            "/over/page",
            &[
                (
                    "response-content-disposition",
                    "attachment; filename=\"page.txt\"",
                ),
                ("response-cache-control", "no-cache"),
                ("response-content-language", "en"),
            ],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(
        got.header_values("content-disposition"),
        ["attachment; filename=\"page.txt\""]
    );
    assert_eq!(got.header_values("cache-control"), ["no-cache"]);
    assert_eq!(got.header_values("content-language"), ["en"]);
    // The stored object is unchanged.
    let plain = root.get_object("over", "page");
    assert_eq!(plain.header_values("content-type"), ["text/html"]);
    assert_eq!(plain.header_values("cache-control"), ["max-age=60"]);
}

#[test]
fn response_content_type_replaces_the_stored_content_type() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("over");
    let _ = root.s3(
        "PUT",
        "/over/page",
        &[],
        &[("content-type", "text/html")],
        b"<p>hi</p>",
    );
    let got = root
        .s3(
            "GET",
            "/over/page",
            &[("response-content-type", "text/plain")],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(got.header_values("content-type"), ["text/plain"]);
}

#[test]
fn missing_key_is_404_only_for_callers_who_may_list_the_bucket() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("private");
    let _ = root.put_object("private", "present", b"x");
    let reader = root.create_user_with_keys("reader");
    root.put_user_policy(
        "reader",
        "get",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::private/*"}]}"#,
    );
    let reader = emu.client(&reader);
    let _ = reader.get_object("private", "present");
    let hidden = reader.s3("GET", "/private/absent", &[], &[], b"");
    assert_eq!(
        (hidden.status, hidden.error_code().as_deref()),
        (403, Some("AccessDenied")),
        "{}",
        hidden.body
    );

    root.put_user_policy(
        "reader",
        "list",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::private"}]}"#,
    );
    let missing = reader.s3("GET", "/private/absent", &[], &[], b"");
    assert_error(&missing, 404, "NoSuchKey", "The specified key does not exist.");
}

#[test]
fn no_such_key_names_the_key() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("keyed");
    let missing = root.s3("GET", "/keyed/dir/absent", &[], &[], b"");
    assert_eq!(missing.error_code().as_deref(), Some("NoSuchKey"));
    assert_eq!(missing.text("Key").as_deref(), Some("dir/absent"));
}

#[test]
fn keys_with_utf8_spaces_and_folders() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("keys");
    let keys = [
        "folder/",
        "folder/naïve café.txt",
        "日本語/ファイル",
        "a b+c=d&e",
        "percent%20literal",
        "tilde~and'quote",
    ];
    for (i, key) in keys.iter().enumerate() {
        let _ = root.put_object("keys", key, format!("body {i}").as_bytes());
    }
    for (i, key) in keys.iter().enumerate() {
        let got = root.get_object("keys", key);
        assert_eq!(got.body, format!("body {i}"), "{key}");
    }
    let listed = list_v2(&root, "keys", &[]);
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    assert_eq!(listed.texts("Key"), sorted);
    // `folder/` is an object of its own (a zero-byte "folder" marker is common).
    let _ = root.put_object("keys", "empty/", b"");
    let marker = root.s3("HEAD", "/keys/empty/", &[], &[], b"").expect_ok();
    assert_eq!(marker.header("content-length"), Some("0"));
}

#[test]
fn payload_hash_and_content_md5_are_verified() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("digests");

    let mismatch = root
        .s3_call("PUT", "/digests/k")
        .body("hello world")
        .payload(Payload::Claimed(EMPTY_SHA256.into()))
        .send();
    assert_error(
        &mismatch,
        400,
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );

    let unsigned = root
        .s3_call("PUT", "/digests/unsigned")
        .body("hello world")
        .payload(Payload::Unsigned)
        .send();
    assert_eq!(unsigned.status, 200, "{}", unsigned.body);

    let good_md5 = root.s3(
        "PUT",
        "/digests/k",
        &[],
        &[("content-md5", HELLO_MD5_BASE64)],
        b"hello world",
    );
    assert_eq!(good_md5.header("etag"), Some(HELLO_ETAG), "{}", good_md5.body);

    let wrong_md5 = root.s3(
        "PUT",
        "/digests/k",
        &[],
        &[("content-md5", HELLO_MD5_BASE64)],
        b"hello world!",
    );
    assert_error(
        &wrong_md5,
        400,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    );

    for malformed in ["not base64!", "aGVsbG8="] {
        let reply = root.s3(
            "PUT",
            "/digests/k",
            &[],
            &[("content-md5", malformed)],
            b"hello world",
        );
        assert_error(
            &reply,
            400,
            "InvalidDigest",
            "The Content-MD5 you specified was invalid.",
        );
    }
    // Nothing refused was stored over the good upload.
    assert_eq!(root.get_object("digests", "k").bytes, b"hello world");
}

#[test]
fn payload_hash_mismatch_names_both_hashes() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("digests");
    let mismatch = root
        .s3_call("PUT", "/digests/k")
        .body("hello world")
        .payload(Payload::Claimed(EMPTY_SHA256.into()))
        .send();
    assert_eq!(
        mismatch.text("ClientComputedContentSHA256").as_deref(),
        Some(EMPTY_SHA256)
    );
    assert_eq!(
        mismatch.text("S3ComputedContentSHA256").as_deref(),
        Some("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
    );
}

#[test]
fn payload_hash_is_verified_on_bucket_subresources_too() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("digests");
    let tagging = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>";
    let mismatch = root
        .s3_call("PUT", "/digests")
        .query("tagging", "")
        .body(tagging)
        .payload(Payload::Claimed(EMPTY_SHA256.into()))
        .send();
    assert_eq!(
        (mismatch.status, mismatch.error_code().as_deref()),
        (400, Some("XAmzContentSHA256Mismatch")),
        "{}",
        mismatch.body
    );
}

// ---- listings ----

/// A bucket with a small tree of keys.
fn tree(root: &Client) {
    let _ = root.create_bucket("tree");
    for key in [
        "a.txt",
        "docs/2023/q1.pdf",
        "docs/2023/q2.pdf",
        "docs/2024/q1.pdf",
        "docs/readme.md",
        "img/cat.png",
        "img/dog.png",
        "z.txt",
    ] {
        let _ = root.put_object("tree", key, key.as_bytes());
    }
}

#[test]
fn list_objects_v2_prefix_delimiter_and_common_prefixes() {
    let emu = Emulator::start();
    let root = root(&emu);
    tree(&root);

    let top = list_v2(&root, "tree", &[("delimiter", "/")]);
    assert_eq!(top.texts("Key"), ["a.txt", "z.txt"]);
    assert_eq!(top.texts("Prefix")[1..], ["docs/", "img/"], "{}", top.body);
    assert_eq!(top.text("KeyCount").as_deref(), Some("4"));
    assert_eq!(top.text("Delimiter").as_deref(), Some("/"));
    assert_eq!(top.text("IsTruncated").as_deref(), Some("false"));
    assert_eq!(top.text("Name").as_deref(), Some("tree"));
    assert_eq!(top.text("MaxKeys").as_deref(), Some("1000"));

    let docs = list_v2(&root, "tree", &[("prefix", "docs/"), ("delimiter", "/")]);
    assert_eq!(docs.texts("Key"), ["docs/readme.md"]);
    assert_eq!(
        docs.texts("Prefix"),
        ["docs/", "docs/2023/", "docs/2024/"],
        "the request's Prefix, then each CommonPrefixes/Prefix"
    );

    let all = list_v2(&root, "tree", &[("prefix", "docs/2023/")]);
    assert_eq!(all.texts("Key"), ["docs/2023/q1.pdf", "docs/2023/q2.pdf"]);
    assert_eq!(all.texts("Size"), ["16", "16"]);
    assert_eq!(all.texts("StorageClass"), ["STANDARD", "STANDARD"]);
    assert!(all
        .texts("ETag")
        .iter()
        .all(|e| e.starts_with('"') && e.len() == 34));
    assert!(
        all.text("Owner").is_none(),
        "ListObjectsV2 omits Owner unless fetch-owner=true"
    );
    let owners = list_v2(&root, "tree", &[("prefix", "a"), ("fetch-owner", "true")]);
    assert_eq!(owners.text("ID").map(|id| id.len()), Some(64));

    let none = list_v2(&root, "tree", &[("prefix", "nothing/")]);
    assert_eq!(none.text("KeyCount").as_deref(), Some("0"));
    assert!(none.texts("Key").is_empty());
}

#[test]
fn list_objects_v2_pages_with_continuation_tokens_and_start_after() {
    let emu = Emulator::start();
    let root = root(&emu);
    tree(&root);

    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("max-keys", "3")];
        if let Some(t) = &token {
            params.push(("continuation-token", t.as_str()));
        }
        let page = list_v2(&root, "tree", &params);
        pages += 1;
        assert_eq!(page.text("MaxKeys").as_deref(), Some("3"));
        assert_eq!(page.text("ContinuationToken"), token, "the token is echoed");
        keys.extend(page.texts("Key"));
        if page.text("IsTruncated").as_deref() == Some("true") {
            token = page.text("NextContinuationToken");
            assert!(token.is_some(), "{}", page.body);
        } else {
            assert_eq!(page.text("NextContinuationToken"), None);
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(keys.len(), 8);
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");

    let after = list_v2(&root, "tree", &[("start-after", "img/cat.png")]);
    assert_eq!(after.texts("Key"), ["img/dog.png", "z.txt"]);
    assert_eq!(after.text("StartAfter").as_deref(), Some("img/cat.png"));

    // Paging over common prefixes: each prefix appears once.
    let first = list_v2(&root, "tree", &[("delimiter", "/"), ("max-keys", "2")]);
    assert_eq!(first.texts("Key"), ["a.txt"]);
    assert_eq!(first.texts("Prefix"), ["", "docs/"]);
    let token = first.text("NextContinuationToken").unwrap();
    let second = list_v2(
        &root,
        "tree",
        &[
            ("delimiter", "/"),
            ("max-keys", "2"),
            ("continuation-token", &token),
        ],
    );
    assert_eq!(second.texts("Prefix"), ["", "img/"]);
    assert_eq!(second.texts("Key"), ["z.txt"]);
    assert_eq!(second.text("IsTruncated").as_deref(), Some("false"));

    let bad = root.s3(
        "GET",
        "/tree",
        &[("list-type", "2"), ("continuation-token", "!!not-a-token!!")],
        &[],
        b"",
    );
    assert_error(
        &bad,
        400,
        "InvalidArgument",
        "The continuation token provided is incorrect",
    );
    let negative = root.s3(
        "GET",
        "/tree",
        &[("list-type", "2"), ("max-keys", "-1")],
        &[],
        b"",
    );
    assert_eq!(negative.error_code().as_deref(), Some("InvalidArgument"));
}

#[test]
fn list_objects_v2_url_encoding() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("enc");
    let _ = root.put_object("enc", "dir one/ü+x.txt", b"1");
    let listed = list_v2(
        &root,
        "enc",
        &[
            ("encoding-type", "url"),
            ("prefix", "dir one/"),
            ("delimiter", "/"),
        ],
    );
    assert_eq!(listed.text("EncodingType").as_deref(), Some("url"));
    assert_eq!(listed.texts("Key"), ["dir%20one/%C3%BC%2Bx.txt"]);
    assert_eq!(listed.text("Prefix").as_deref(), Some("dir%20one/"));
    let plain = list_v2(&root, "enc", &[]);
    assert_eq!(plain.texts("Key"), ["dir one/ü+x.txt"]);
    let bad = root.s3(
        "GET",
        "/enc",
        &[("list-type", "2"), ("encoding-type", "base64")],
        &[],
        b"",
    );
    assert_error(
        &bad,
        400,
        "InvalidArgument",
        "Invalid Encoding Method specified in Request",
    );
}

#[test]
fn list_objects_v1_markers() {
    let emu = Emulator::start();
    let root = root(&emu);
    tree(&root);
    let list = |params: &[(&str, &str)]| root.s3("GET", "/tree", params, &[], b"").expect_ok();

    let first = list(&[("max-keys", "3")]);
    assert_eq!(
        first.texts("Key"),
        ["a.txt", "docs/2023/q1.pdf", "docs/2023/q2.pdf"]
    );
    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    assert_eq!(first.text("Marker").as_deref(), Some(""));
    // Without a delimiter S3 gives no NextMarker: the next marker is the last key.
    assert_eq!(first.text("NextMarker"), None);
    assert_eq!(first.texts("ID").len(), 3, "v1 lists each object's Owner");

    let second = list(&[("max-keys", "3"), ("marker", "docs/2023/q2.pdf")]);
    assert_eq!(
        second.texts("Key"),
        ["docs/2024/q1.pdf", "docs/readme.md", "img/cat.png"]
    );
    assert_eq!(second.text("Marker").as_deref(), Some("docs/2023/q2.pdf"));

    let grouped = list(&[("delimiter", "/"), ("max-keys", "2")]);
    assert_eq!(grouped.texts("Key"), ["a.txt"]);
    assert_eq!(grouped.text("NextMarker").as_deref(), Some("docs/"));
    let rest = list(&[("delimiter", "/"), ("marker", "docs/")]);
    assert_eq!(rest.texts("Key"), ["z.txt"]);
    assert_eq!(rest.texts("Prefix"), ["", "img/"]);
    assert_eq!(rest.text("IsTruncated").as_deref(), Some("false"));
}

// ---- addressing ----

#[test]
fn virtual_host_style_addresses_the_same_buckets() {
    let emu = Emulator::start();
    let root = root(&emu);
    let created = root.s3_call("PUT", "/vhost-bucket").virtual_host().send();
    assert_eq!(created.status, 200, "{}", created.body);
    let put = root
        .s3_call("PUT", "/vhost-bucket/dir/a key.txt")
        .body("virtual")
        .virtual_host()
        .send();
    assert_eq!(put.status, 200, "{}", put.body);
    // Path style sees what virtual-host style wrote, and the other way round.
    assert_eq!(root.get_object("vhost-bucket", "dir/a key.txt").body, "virtual");
    let got = root
        .s3_call("GET", "/vhost-bucket/dir/a key.txt")
        .virtual_host()
        .send()
        .expect_ok();
    assert_eq!(got.body, "virtual");
    let listed = root
        .s3_call("GET", "/vhost-bucket")
        .query("list-type", "2")
        .virtual_host()
        .send()
        .expect_ok();
    assert_eq!(listed.text("Name").as_deref(), Some("vhost-bucket"));
    assert_eq!(listed.texts("Key"), ["dir/a key.txt"]);
    // `BUCKET.s3.localhost` works too.
    let port = emu.endpoint().rsplit(':').next().unwrap().to_string();
    let s3_host = root
        .s3_call("GET", "/dir/a key.txt")
        .host(&format!("vhost-bucket.s3.localhost:{port}"))
        .send()
        .expect_ok();
    assert_eq!(s3_host.body, "virtual");
}

// ---- presigned URLs ----

#[test]
fn presigned_get_and_put() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("presign");
    let put_url = root
        .s3_call("PUT", "/presign/up load.txt")
        .presign(Duration::from_mins(5));
    assert!(put_url.contains("X-Amz-Signature="), "{put_url}");
    let put = root.send_url("PUT", &put_url, &[], b"via presigned PUT");
    assert_eq!(put.status, 200, "{}", put.body);

    let get_url = root
        .s3_call("GET", "/presign/up load.txt")
        .query("response-content-disposition", "attachment")
        .presign(Duration::from_mins(5));
    let got = root.send_url("GET", &get_url, &[], b"");
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body, "via presigned PUT");
    assert_eq!(got.header("content-disposition"), Some("attachment"));

    let expired_url = root
        .s3_call("GET", "/presign/up load.txt")
        .at(SystemTime::now() - Duration::from_hours(1))
        .presign(Duration::from_mins(1));
    let expired = root.send_url("GET", &expired_url, &[], b"");
    assert_error(&expired, 403, "AccessDenied", "Request has expired");

    // A presigned URL is bound to its method.
    let wrong_method = root.send_url("DELETE", &get_url, &[], b"");
    assert_eq!(
        (wrong_method.status, wrong_method.error_code().as_deref()),
        (403, Some("SignatureDoesNotMatch")),
        "{}",
        wrong_method.body
    );
}

/// The reply is the error `code` with `status` and exactly `message`.
#[track_caller]
fn assert_error(reply: &Reply, status: u16, code: &str, message: &str) {
    reply.assert_error(status, code, message);
}
