//! S3 over the wire, through the harness: multipart uploads, UploadPartCopy,
//! CopyObject, DeleteObjects, object tagging and aws-chunked uploads,
//! asserting what a user sees — status, error Code and Message, headers,
//! XML fields.

use iam_emulator::auth::chunked::{self, ChunkSigning, ChunkedMode};
use iam_emulator::auth::sigv4::Credential;
use iam_emulator::checksum::{ChecksumAlgorithm, Digests, MultiHasher};
use iam_harness::{Client, Emulator, Payload, Reply, Request};

const MIB: usize = 1024 * 1024;

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

/// `len` bytes that depend only on `seed` (a 64-bit LCG, high bytes).
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state.to_be_bytes()[0]
        })
        .collect()
}

fn digests(bytes: &[u8]) -> Digests {
    let mut hasher = MultiHasher::new(None);
    hasher.update(bytes);
    hasher.finish()
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .concat()
}

/// The quoted ETag S3 gives a single-part object: its hex MD5.
fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", hex(&digests(bytes).md5))
}

/// The ETag of a multipart object: the MD5 of the parts' MD5 digests, `-N`.
fn multipart_etag(parts: &[&[u8]]) -> String {
    let mut concatenated = Vec::new();
    for part in parts {
        concatenated.extend_from_slice(&digests(part).md5);
    }
    format!("\"{}-{}\"", hex(&digests(&concatenated).md5), parts.len())
}

fn create_upload(client: &Client, bucket: &str, key: &str, headers: &[(&str, &str)]) -> String {
    let reply = client
        .s3(
            "POST",
            &format!("/{bucket}/{key}"),
            &[("uploads", "")],
            headers,
            b"",
        )
        .expect_ok();
    assert_eq!(reply.text("Bucket").as_deref(), Some(bucket), "{}", reply.body);
    assert_eq!(reply.text("Key").as_deref(), Some(key), "{}", reply.body);
    reply
        .text("UploadId")
        .unwrap_or_else(|| panic!("no UploadId: {}", reply.body))
}

fn upload_part(client: &Client, bucket: &str, key: &str, id: &str, number: u32, body: &[u8]) -> Reply {
    client.s3(
        "PUT",
        &format!("/{bucket}/{key}"),
        &[("partNumber", &number.to_string()), ("uploadId", id)],
        &[],
        body,
    )
}

/// Uploads a part and returns its ETag (checked to be the part's MD5).
fn put_part(client: &Client, bucket: &str, key: &str, id: &str, number: u32, body: &[u8]) -> String {
    let reply = upload_part(client, bucket, key, id, number, body).expect_ok();
    let etag = reply.header("etag").unwrap_or_default().to_string();
    assert_eq!(etag, etag_of(body), "part {number}");
    etag
}

fn completion_document(parts: &[(u32, &str)]) -> String {
    let parts = parts
        .iter()
        .map(|(n, etag)| format!("<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>"))
        .collect::<Vec<_>>()
        .concat();
    format!(
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{parts}</CompleteMultipartUpload>"
    )
}

fn complete(client: &Client, bucket: &str, key: &str, id: &str, parts: &[(u32, &str)]) -> Reply {
    client.s3(
        "POST",
        &format!("/{bucket}/{key}"),
        &[("uploadId", id)],
        &[],
        completion_document(parts).as_bytes(),
    )
}

fn list_parts(client: &Client, bucket: &str, key: &str, id: &str, extra: &[(&str, &str)]) -> Reply {
    let mut query = vec![("uploadId", id)];
    query.extend_from_slice(extra);
    client.s3("GET", &format!("/{bucket}/{key}"), &query, &[], b"")
}

const NO_SUCH_UPLOAD: &str =
    "The specified upload does not exist. The upload ID may be invalid, or the upload may \
                              have been aborted or completed.";
const INVALID_PART: &str =
    "One or more of the specified parts could not be found.  The part may not have been \
                            uploaded, or the specified entity tag may not match the part's entity tag.";
const PRECONDITION_FAILED: &str = "At least one of the pre-conditions you specified did not hold";

// ---- multipart uploads ----

#[test]
fn a_three_part_upload_lists_its_parts_page_by_page_and_completes_byte_identical() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("multi");
    let id = create_upload(
        &root,
        "multi",
        "big/object.bin",
        &[
            ("content-type", "application/x-test"),
            ("x-amz-meta-origin", "rust"),
        ],
    );
    assert!(id.len() >= 32, "upload id {id}");
    let parts = [data(5 * MIB, 1), data(5 * MIB, 2), data(1024, 3)];
    let etags: Vec<String> = parts
        .iter()
        .zip(1u32..)
        .map(|(body, n)| put_part(&root, "multi", "big/object.bin", &id, n, body))
        .collect();

    // The first page: parts 1 and 2, truncated, resume after 2.
    let page = list_parts(&root, "multi", "big/object.bin", &id, &[("max-parts", "2")]).expect_ok();
    assert!(page.body.contains("<ListPartsResult"), "{}", page.body);
    assert_eq!(page.text("Bucket").as_deref(), Some("multi"));
    assert_eq!(page.text("Key").as_deref(), Some("big/object.bin"));
    assert_eq!(page.text("UploadId").as_deref(), Some(id.as_str()));
    assert_eq!(page.text("MaxParts").as_deref(), Some("2"));
    assert_eq!(page.text("IsTruncated").as_deref(), Some("true"));
    assert_eq!(page.text("NextPartNumberMarker").as_deref(), Some("2"));
    assert_eq!(page.texts("PartNumber"), ["1", "2"]);
    assert_eq!(page.texts("ETag"), etags[..2]);
    assert_eq!(page.texts("Size"), ["5242880", "5242880"]);
    assert_eq!(page.text("StorageClass").as_deref(), Some("STANDARD"));
    // The second page: part 3 only, the end.
    let page = list_parts(
        &root,
        "multi",
        "big/object.bin",
        &id,
        &[("max-parts", "2"), ("part-number-marker", "2")],
    )
    .expect_ok();
    assert_eq!(page.text("PartNumberMarker").as_deref(), Some("2"));
    assert_eq!(page.text("IsTruncated").as_deref(), Some("false"));
    assert_eq!(page.texts("PartNumber"), ["3"]);
    assert_eq!(page.texts("ETag"), etags[2..]);
    assert_eq!(page.texts("Size"), ["1024"]);
    // Without max-parts, all three.
    let all = list_parts(&root, "multi", "big/object.bin", &id, &[]).expect_ok();
    assert_eq!(all.texts("PartNumber"), ["1", "2", "3"]);
    assert_eq!(all.text("IsTruncated").as_deref(), Some("false"));

    let listed: Vec<(u32, &str)> = (1u32..).zip(etags.iter().map(String::as_str)).collect();
    let done = complete(&root, "multi", "big/object.bin", &id, &listed).expect_ok();
    let expected_etag = multipart_etag(&[&parts[0], &parts[1], &parts[2]]);
    assert!(expected_etag.ends_with("-3\""), "{expected_etag}");
    assert!(
        done.body.contains("<CompleteMultipartUploadResult"),
        "{}",
        done.body
    );
    assert_eq!(done.text("Bucket").as_deref(), Some("multi"));
    assert_eq!(done.text("Key").as_deref(), Some("big/object.bin"));
    assert_eq!(done.text("ETag").as_deref(), Some(expected_etag.as_str()));
    let location = done.text("Location").unwrap_or_default();
    assert!(location.starts_with("http://"), "{location}");
    assert!(location.ends_with("/multi/big%2Fobject.bin"), "{location}");

    let got = root.get_object("multi", "big/object.bin");
    assert_eq!(got.bytes.len(), 10 * MIB + 1024);
    assert!(got.bytes == parts.concat(), "the object differs from its parts");
    assert_eq!(got.header("etag"), Some(expected_etag.as_str()));
    assert_eq!(got.header("content-length"), Some("10486784"));
    assert_eq!(got.header("content-type"), Some("application/x-test"));
    assert_eq!(got.header("x-amz-meta-origin"), Some("rust"));

    // The upload is gone once completed.
    let again = complete(&root, "multi", "big/object.bin", &id, &listed);
    assert_error(&again, 404, "NoSuchUpload", NO_SUCH_UPLOAD);
    let uploads = root.s3("GET", "/multi", &[("uploads", "")], &[], b"").expect_ok();
    assert!(uploads.texts("Upload").is_empty(), "{}", uploads.body);
}

#[test]
fn a_part_of_a_multipart_object_is_read_by_its_number() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("multi");
    let parts = [data(5 * MIB, 4), data(10, 5)];
    let id = create_upload(&root, "multi", "two", &[]);
    let e1 = put_part(&root, "multi", "two", &id, 1, &parts[0]);
    let e2 = put_part(&root, "multi", "two", &id, 2, &parts[1]);
    let _ = complete(&root, "multi", "two", &id, &[(1, &e1), (2, &e2)]).expect_ok();
    let part2 = root.s3("GET", "/multi/two", &[("partNumber", "2")], &[], b"");
    assert_eq!(part2.status, 206, "{} bytes", part2.bytes.len());
    assert!(part2.bytes == parts[1], "part 2 differs");
    assert_eq!(part2.header("x-amz-mp-parts-count"), Some("2"));
    assert_eq!(
        part2.header("content-range"),
        Some("bytes 5242880-5242889/5242890")
    );
}

#[test]
fn completion_checks_part_sizes_order_and_etags() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("multi");
    let small = [data(1024, 10), data(1024, 11)];

    // Two 1 KiB parts: the first is below 5 MiB.
    let id = create_upload(&root, "multi", "small", &[]);
    let e1 = put_part(&root, "multi", "small", &id, 1, &small[0]);
    let e2 = put_part(&root, "multi", "small", &id, 2, &small[1]);
    let reply = complete(&root, "multi", "small", &id, &[(1, &e1), (2, &e2)]);
    assert_error(
        &reply,
        400,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size",
    );

    // Parts listed out of order.
    let reply = complete(&root, "multi", "small", &id, &[(2, &e2), (1, &e1)]);
    assert_error(
        &reply,
        400,
        "InvalidPartOrder",
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
    );

    // A wrong ETag, and a part never uploaded.
    let wrong = etag_of(b"something else");
    let reply = complete(&root, "multi", "small", &id, &[(1, &wrong)]);
    assert_error(&reply, 400, "InvalidPart", INVALID_PART);
    let reply = complete(&root, "multi", "small", &id, &[(1, &e1), (7, &e2)]);
    assert_error(&reply, 400, "InvalidPart", INVALID_PART);

    // A failed completion leaves the upload in place: one small part completes.
    let done = complete(&root, "multi", "small", &id, &[(1, &e1)]).expect_ok();
    assert_eq!(
        done.text("ETag"),
        Some(multipart_etag(&[&small[0]])),
        "{}",
        done.body
    );
    assert!(root.get_object("multi", "small").bytes == small[0]);
}

#[test]
fn an_aborted_upload_is_no_such_upload() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("multi");
    let id = create_upload(&root, "multi", "gone", &[]);
    let etag = put_part(&root, "multi", "gone", &id, 1, b"part one");
    let aborted = root
        .s3("DELETE", "/multi/gone", &[("uploadId", &id)], &[], b"")
        .expect_ok();
    assert_eq!(aborted.status, 204);

    assert_error(
        &list_parts(&root, "multi", "gone", &id, &[]),
        404,
        "NoSuchUpload",
        NO_SUCH_UPLOAD,
    );
    assert_error(
        &upload_part(&root, "multi", "gone", &id, 2, b"late"),
        404,
        "NoSuchUpload",
        NO_SUCH_UPLOAD,
    );
    assert_error(
        &complete(&root, "multi", "gone", &id, &[(1, &etag)]),
        404,
        "NoSuchUpload",
        NO_SUCH_UPLOAD,
    );
    assert_error(
        &root.s3("DELETE", "/multi/gone", &[("uploadId", &id)], &[], b""),
        404,
        "NoSuchUpload",
        NO_SUCH_UPLOAD,
    );
    // An upload id is bound to its key.
    let other = create_upload(&root, "multi", "kept", &[]);
    assert_error(
        &list_parts(&root, "multi", "not-kept", &other, &[]),
        404,
        "NoSuchUpload",
        NO_SUCH_UPLOAD,
    );
}

#[test]
fn list_multipart_uploads_filters_by_prefix_and_pages() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("multi");
    let a = create_upload(&root, "multi", "logs/a.gz", &[]);
    let b = create_upload(&root, "multi", "logs/b.gz", &[]);
    let _other = create_upload(&root, "multi", "data/c.csv", &[]);

    let listed = root
        .s3("GET", "/multi", &[("uploads", ""), ("prefix", "logs/")], &[], b"")
        .expect_ok();
    assert!(
        listed.body.contains("<ListMultipartUploadsResult"),
        "{}",
        listed.body
    );
    assert_eq!(listed.text("Bucket").as_deref(), Some("multi"));
    assert_eq!(listed.text("Prefix").as_deref(), Some("logs/"));
    assert_eq!(listed.text("IsTruncated").as_deref(), Some("false"));
    assert_eq!(listed.texts("Key"), ["logs/a.gz", "logs/b.gz"]);
    assert_eq!(listed.texts("UploadId"), [a.clone(), b.clone()]);
    assert_eq!(listed.texts("StorageClass"), ["STANDARD", "STANDARD"]);
    assert_eq!(listed.texts("Initiated").len(), 2);

    let page = root
        .s3(
            "GET",
            "/multi",
            &[("uploads", ""), ("prefix", "logs/"), ("max-uploads", "1")],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(page.text("IsTruncated").as_deref(), Some("true"));
    assert_eq!(page.text("MaxUploads").as_deref(), Some("1"));
    assert_eq!(page.texts("Key"), ["logs/a.gz"]);
    assert_eq!(page.text("NextKeyMarker").as_deref(), Some("logs/a.gz"));
    assert_eq!(page.text("NextUploadIdMarker").as_deref(), Some(a.as_str()));
    let rest = root
        .s3(
            "GET",
            "/multi",
            &[
                ("uploads", ""),
                ("prefix", "logs/"),
                ("key-marker", "logs/a.gz"),
                ("upload-id-marker", &a),
            ],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(rest.texts("Key"), ["logs/b.gz"]);
    assert_eq!(rest.text("IsTruncated").as_deref(), Some("false"));
}

#[test]
fn upload_part_copy_copies_a_byte_range() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("src");
    let _ = root.create_bucket("dst");
    let source = data(5 * MIB + 100, 20);
    let _ = root.put_object("src", "whole.bin", &source);

    let id = create_upload(&root, "dst", "assembled.bin", &[]);
    let copy_part = |number: &str, range: &str| {
        root.s3(
            "PUT",
            "/dst/assembled.bin",
            &[("partNumber", number), ("uploadId", &id)],
            &[
                ("x-amz-copy-source", "/src/whole.bin"),
                ("x-amz-copy-source-range", range),
            ],
            b"",
        )
    };
    let first = copy_part("1", "bytes=0-5242879").expect_ok();
    assert!(first.body.contains("<CopyPartResult"), "{}", first.body);
    let e1 = first.text("ETag").unwrap_or_default();
    assert_eq!(e1, etag_of(&source[..5 * MIB]));
    assert!(first.text("LastModified").is_some(), "{}", first.body);
    let second = copy_part("2", "bytes=5242880-5242979").expect_ok();
    let e2 = second.text("ETag").unwrap_or_default();
    assert_eq!(e2, etag_of(&source[5 * MIB..]));

    // A range past the end of the source.
    let past = copy_part("3", "bytes=5242880-5242980");
    assert_error(
        &past,
        400,
        "InvalidArgument",
        "Range specified is not valid for source object of size: 5242980",
    );

    let parts = list_parts(&root, "dst", "assembled.bin", &id, &[]).expect_ok();
    assert_eq!(parts.texts("Size"), ["5242880", "100"]);
    let done = complete(&root, "dst", "assembled.bin", &id, &[(1, &e1), (2, &e2)]).expect_ok();
    assert_eq!(
        done.text("ETag"),
        Some(multipart_etag(&[&source[..5 * MIB], &source[5 * MIB..]]))
    );
    assert!(root.get_object("dst", "assembled.bin").bytes == source);
}

// ---- CopyObject ----

#[test]
fn copy_object_copies_or_replaces_metadata() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("docs");
    let _ = root
        .s3(
            "PUT",
            "/docs/original.txt",
            &[],
            &[("content-type", "text/plain"), ("x-amz-meta-color", "red")],
            b"the original",
        )
        .expect_ok();

    // COPY (the default): the source's metadata comes along, new ones are ignored.
    let copied = root
        .s3(
            "PUT",
            "/docs/copy.txt",
            &[],
            &[
                ("x-amz-copy-source", "/docs/original.txt"),
                ("x-amz-meta-color", "ignored"),
            ],
            b"",
        )
        .expect_ok();
    assert!(copied.body.contains("<CopyObjectResult"), "{}", copied.body);
    assert_eq!(copied.text("ETag"), Some(etag_of(b"the original")));
    assert!(copied.text("LastModified").is_some(), "{}", copied.body);
    let got = root.get_object("docs", "copy.txt");
    assert_eq!(got.body, "the original");
    assert_eq!(got.header("content-type"), Some("text/plain"));
    assert_eq!(got.header("x-amz-meta-color"), Some("red"));

    // REPLACE: only the request's metadata.
    let _ = root
        .s3(
            "PUT",
            "/docs/replaced.txt",
            &[],
            &[
                ("x-amz-copy-source", "docs/original.txt"),
                ("x-amz-metadata-directive", "REPLACE"),
                ("content-type", "text/markdown"),
                ("x-amz-meta-shape", "round"),
            ],
            b"",
        )
        .expect_ok();
    let got = root.get_object("docs", "replaced.txt");
    assert_eq!(got.body, "the original");
    assert_eq!(got.header("content-type"), Some("text/markdown"));
    assert_eq!(got.header("x-amz-meta-shape"), Some("round"));
    assert_eq!(got.header("x-amz-meta-color"), None);
}

#[test]
fn copying_an_object_onto_itself_must_change_something() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("docs");
    let _ = root
        .s3("PUT", "/docs/self.txt", &[], &[("x-amz-meta-v", "1")], b"me")
        .expect_ok();
    let same = root.s3(
        "PUT",
        "/docs/self.txt",
        &[],
        &[("x-amz-copy-source", "/docs/self.txt")],
        b"",
    );
    assert_error(
        &same,
        400,
        "InvalidRequest",
        "This copy request is illegal because it is trying to copy an object to itself without changing the \
         object's metadata, storage class, website redirect location or encryption attributes.",
    );
    let _ = root
        .s3(
            "PUT",
            "/docs/self.txt",
            &[],
            &[
                ("x-amz-copy-source", "/docs/self.txt"),
                ("x-amz-metadata-directive", "REPLACE"),
                ("x-amz-meta-v", "2"),
            ],
            b"",
        )
        .expect_ok();
    let got = root.get_object("docs", "self.txt");
    assert_eq!((got.body.as_str(), got.header("x-amz-meta-v")), ("me", Some("2")));
}

#[test]
fn copy_source_keys_are_url_encoded() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("docs");
    let _ = root.put_object("docs", "dir/my file ü+.txt", b"unicode");
    let _ = root
        .s3(
            "PUT",
            "/docs/copies/ünï côpy.txt",
            &[],
            &[("x-amz-copy-source", "/docs/dir/my%20file%20%C3%BC%2B.txt")],
            b"",
        )
        .expect_ok();
    assert_eq!(root.get_object("docs", "copies/ünï côpy.txt").body, "unicode");
    // Not encoded, the key is another (missing) one.
    let missing = root.s3(
        "PUT",
        "/docs/other.txt",
        &[],
        &[("x-amz-copy-source", "/docs/dir/my%20file%20%C3%BC+.txt")],
        b"",
    );
    assert_error(&missing, 404, "NoSuchKey", "The specified key does not exist.");
}

#[test]
fn copy_source_if_match_that_fails_is_precondition_failed() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("docs");
    let _ = root.put_object("docs", "v.txt", b"version one");
    let copy = |if_match: &str| {
        root.s3(
            "PUT",
            "/docs/v-copy.txt",
            &[],
            &[
                ("x-amz-copy-source", "/docs/v.txt"),
                ("x-amz-copy-source-if-match", if_match),
            ],
            b"",
        )
    };
    let failed = copy("\"0123456789abcdef0123456789abcdef\"");
    assert_error(&failed, 412, "PreconditionFailed", PRECONDITION_FAILED);
    assert_error(
        &root.s3("GET", "/docs/v-copy.txt", &[], &[], b""),
        404,
        "NoSuchKey",
        "The specified key does not exist.",
    );
    let _ = copy(&etag_of(b"version one")).expect_ok();
    // If-None-Match with the current ETag fails too, with 412 (never 304).
    let none_match = root.s3(
        "PUT",
        "/docs/v-copy.txt",
        &[],
        &[
            ("x-amz-copy-source", "/docs/v.txt"),
            ("x-amz-copy-source-if-none-match", &etag_of(b"version one")),
        ],
        b"",
    );
    assert_error(&none_match, 412, "PreconditionFailed", PRECONDITION_FAILED);
}

#[test]
fn copy_needs_get_object_on_the_source_and_put_object_on_the_destination() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("src");
    let _ = root.create_bucket("dst");
    let _ = root.put_object("src", "secret.txt", b"classified");
    let copier = emu.client(&root.create_user_with_keys("copier"));
    root.put_user_policy(
        "copier",
        "write-dst",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::dst/*"}]}"#,
    );
    let copy = |to: &str| copier.s3("PUT", to, &[], &[("x-amz-copy-source", "/src/secret.txt")], b"");
    assert_error(
        &copy("/dst/secret.txt"),
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/copier is not authorized to perform: s3:GetObject on resource: \
         \"arn:aws:s3:::src/secret.txt\" because no identity-based policy allows the s3:GetObject action",
    );
    root.put_user_policy(
        "copier",
        "read-src",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::src/*"}]}"#,
    );
    let _ = copy("/dst/secret.txt").expect_ok();
    assert_eq!(root.get_object("dst", "secret.txt").body, "classified");
    // Reading the source does not let it write outside dst.
    assert_error(
        &copy("/src/again.txt"),
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/copier is not authorized to perform: s3:PutObject on resource: \
         \"arn:aws:s3:::src/again.txt\" because no identity-based policy allows the s3:PutObject action",
    );
}

// ---- DeleteObjects ----

fn delete_document(keys: &[&str], quiet: bool) -> String {
    let objects = keys
        .iter()
        .map(|k| format!("<Object><Key>{k}</Key></Object>"))
        .collect::<Vec<_>>()
        .concat();
    let quiet = if quiet { "<Quiet>true</Quiet>" } else { "" };
    format!("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{quiet}{objects}</Delete>")
}

fn delete_objects(client: &Client, bucket: &str, document: &str) -> Reply {
    let md5 = digests(document.as_bytes()).md5_base64();
    client.s3(
        "POST",
        &format!("/{bucket}"),
        &[("delete", "")],
        &[("content-md5", &md5)],
        document.as_bytes(),
    )
}

fn keys_of(client: &Client, bucket: &str) -> Vec<String> {
    client
        .s3("GET", &format!("/{bucket}"), &[("list-type", "2")], &[], b"")
        .expect_ok()
        .texts("Key")
}

#[test]
fn delete_objects_reports_each_key_and_keeps_the_denied_ones() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("bin");
    for key in ["a.txt", "b.txt", "c.txt", "keep/x.txt"] {
        let _ = root.put_object("bin", key, key.as_bytes());
    }
    let cleaner = emu.client(&root.create_user_with_keys("cleaner"));
    root.put_user_policy(
        "cleaner",
        "clean-but-keep",
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bin/*"},
            {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bin/keep/*"}]}"#,
    );

    // Verbose: every key is reported; a missing key counts as deleted.
    let reply = delete_objects(
        &cleaner,
        "bin",
        &delete_document(&["a.txt", "keep/x.txt", "never-there"], false),
    )
    .expect_ok();
    assert!(reply.body.contains("<DeleteResult"), "{}", reply.body);
    assert_eq!(reply.texts("Deleted"), ["a.txt", "never-there"], "{}", reply.body);
    assert_eq!(
        reply.texts("Error"),
        ["keep/x.txtAccessDeniedAccess Denied"],
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains(
            "<Error><Key>keep/x.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        ),
        "{}",
        reply.body
    );
    assert_eq!(keys_of(&root, "bin"), ["b.txt", "c.txt", "keep/x.txt"]);

    // Quiet: only the errors.
    let reply = delete_objects(&cleaner, "bin", &delete_document(&["b.txt", "keep/x.txt"], true)).expect_ok();
    assert!(reply.texts("Deleted").is_empty(), "{}", reply.body);
    assert_eq!(reply.texts("Key"), ["keep/x.txt"], "{}", reply.body);
    let reply = delete_objects(&root, "bin", &delete_document(&["c.txt"], true)).expect_ok();
    assert!(!reply.body.contains("<Deleted>"), "{}", reply.body);
    assert!(!reply.body.contains("<Error>"), "{}", reply.body);
    assert_eq!(keys_of(&root, "bin"), ["keep/x.txt"]);
}

#[test]
fn delete_objects_needs_an_integrity_header_and_at_most_1000_keys() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("bin");
    let _ = root.put_object("bin", "k", b"v");
    let document = delete_document(&["k"], false);

    let unchecked = root.s3("POST", "/bin", &[("delete", "")], &[], document.as_bytes());
    assert_error(
        &unchecked,
        400,
        "InvalidRequest",
        "Missing required header for this request: Content-MD5 OR x-amz-checksum-*",
    );
    let wrong_md5 = root.s3(
        "POST",
        "/bin",
        &[("delete", "")],
        &[("content-md5", &digests(b"other").md5_base64())],
        document.as_bytes(),
    );
    assert_eq!(
        (wrong_md5.status, wrong_md5.error_code().as_deref()),
        (400, Some("BadDigest")),
        "{}",
        wrong_md5.body
    );
    assert_eq!(keys_of(&root, "bin"), ["k"]);

    let keys: Vec<String> = (0..1001).map(|i| format!("key-{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_error(
        &delete_objects(&root, "bin", &delete_document(&keys, true)),
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    );
    // 1000 are fine; a CRC32 checksum header proves integrity as well.
    let crc = ChecksumAlgorithm::Crc32.checksum(delete_document(&keys[..1000], true).as_bytes());
    let reply = root
        .s3(
            "POST",
            "/bin",
            &[("delete", "")],
            &[("x-amz-checksum-crc32", &crc)],
            delete_document(&keys[..1000], true).as_bytes(),
        )
        .expect_ok();
    assert!(!reply.body.contains("<Error>"), "{}", reply.body);
    let _ = delete_objects(&root, "bin", &document).expect_ok();
    assert!(keys_of(&root, "bin").is_empty());
}

// ---- object tagging ----

fn tagging_document(tags: &[(&str, &str)]) -> String {
    let tags = tags
        .iter()
        .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
        .collect::<Vec<_>>()
        .concat();
    format!("<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>{tags}</TagSet></Tagging>")
}

fn put_tags(client: &Client, path: &str, tags: &[(&str, &str)]) -> Reply {
    client.s3(
        "PUT",
        path,
        &[("tagging", "")],
        &[],
        tagging_document(tags).as_bytes(),
    )
}

#[test]
fn object_tags_are_put_got_and_deleted() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("tags");
    let _ = root.put_object("tags", "t.txt", b"tagged");

    let _ = put_tags(&root, "/tags/t.txt", &[("team", "blue"), ("cost centre", "42")]).expect_ok();
    let got = root
        .s3("GET", "/tags/t.txt", &[("tagging", "")], &[], b"")
        .expect_ok();
    assert!(got.body.contains("<Tagging"), "{}", got.body);
    assert_eq!(got.texts("Key"), ["team", "cost centre"]);
    assert_eq!(got.texts("Value"), ["blue", "42"]);
    assert_eq!(
        root.get_object("tags", "t.txt").header("x-amz-tagging-count"),
        Some("2")
    );

    let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("k{i}"), format!("v{i}"))).collect();
    let eleven: Vec<(&str, &str)> = eleven.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_error(
        &put_tags(&root, "/tags/t.txt", &eleven),
        400,
        "BadRequest",
        "Object tags cannot be greater than 10",
    );

    let deleted = root
        .s3("DELETE", "/tags/t.txt", &[("tagging", "")], &[], b"")
        .expect_ok();
    assert_eq!(deleted.status, 204);
    let got = root
        .s3("GET", "/tags/t.txt", &[("tagging", "")], &[], b"")
        .expect_ok();
    assert!(got.texts("Tag").is_empty(), "{}", got.body);
    assert!(got.body.contains("TagSet"), "{}", got.body);
    assert_eq!(
        root.get_object("tags", "t.txt").header("x-amz-tagging-count"),
        None
    );
}

#[test]
fn the_x_amz_tagging_header_tags_a_new_object() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("tags");
    let _ = root
        .s3(
            "PUT",
            "/tags/h.txt",
            &[],
            &[("x-amz-tagging", "team=blue&project=moon%20base")],
            b"header-tagged",
        )
        .expect_ok();
    let got = root
        .s3("GET", "/tags/h.txt", &[("tagging", "")], &[], b"")
        .expect_ok();
    assert_eq!(got.texts("Key"), ["team", "project"]);
    assert_eq!(got.texts("Value"), ["blue", "moon base"]);
    let object = root.get_object("tags", "h.txt");
    assert_eq!(object.header("x-amz-tagging-count"), Some("2"));
    assert_eq!(object.body, "header-tagged");
}

#[test]
fn an_existing_object_tag_condition_limits_get_object_to_tagged_objects() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("shared");
    let _ = root
        .s3(
            "PUT",
            "/shared/blue.txt",
            &[],
            &[("x-amz-tagging", "team=blue")],
            b"for blue",
        )
        .expect_ok();
    let _ = root
        .s3(
            "PUT",
            "/shared/red.txt",
            &[],
            &[("x-amz-tagging", "team=red")],
            b"for red",
        )
        .expect_ok();
    let _ = root.put_object("shared", "untagged.txt", b"for nobody");
    let reader = emu.client(&root.create_user_with_keys("reader"));
    root.put_user_policy(
        "reader",
        "team-blue",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::shared/*",
            "Condition":{"StringEquals":{"s3:ExistingObjectTag/team":"blue"}}}]}"#,
    );
    assert_eq!(reader.get_object("shared", "blue.txt").body, "for blue");
    for key in ["red.txt", "untagged.txt"] {
        assert_error(
            &reader.s3("GET", &format!("/shared/{key}"), &[], &[], b""),
            403,
            "AccessDenied",
            &format!(
                "User: arn:aws:iam::123456789012:user/reader is not authorized to perform: s3:GetObject on \
                 resource: \"arn:aws:s3:::shared/{key}\" because no identity-based policy allows the s3:GetObject \
                 action"
            ),
        );
    }
    // Tagging the object opens it.
    let _ = put_tags(&root, "/shared/untagged.txt", &[("team", "blue")]).expect_ok();
    assert_eq!(reader.get_object("shared", "untagged.txt").body, "for nobody");
}

// ---- aws-chunked uploads ----

/// The value of `name=` in an `Authorization` header.
fn auth_field<'a>(authorization: &'a str, name: &str) -> &'a str {
    authorization
        .split([' ', ','])
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name} in {authorization}"))
}

/// A PutObject with a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body: the
/// headers signed by `aws-sigv4` (the seed signature), the chunks signed
/// from it by the emulator's encoder, 64 KiB each.
fn streaming_put(client: &Client, path: &str, payload: &[u8]) -> Request {
    let mut req = client
        .s3_call("PUT", path)
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", &payload.len().to_string())
        .payload(Payload::Claimed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD".into()))
        .sign();
    let authorization = req.header("authorization").unwrap_or_default().to_string();
    let credential = Credential::parse(auth_field(&authorization, "Credential")).expect("a credential scope");
    let amz_date = req.header("x-amz-date").unwrap_or_default().to_string();
    let signing = ChunkSigning::derive(
        &client.credentials().secret_access_key,
        &credential,
        &amz_date,
        auth_field(&authorization, "Signature"),
    );
    req.body = chunked::encode(payload, 64 * 1024, ChunkedMode::Signed, Some(&signing), &[]);
    req
}

#[test]
fn a_signed_aws_chunked_upload_is_verified_chunk_by_chunk() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("stream");
    let payload = data(150_000, 30);

    let req = streaming_put(&root, "/stream/good.bin", &payload);
    assert_eq!(
        req.header("x-amz-content-sha256"),
        Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    );
    let put = root.send(&req).expect_ok();
    assert_eq!(put.header("etag"), Some(etag_of(&payload).as_str()));
    let got = root.get_object("stream", "good.bin");
    assert!(got.bytes == payload, "the stored object differs");
    assert_eq!(
        got.header("content-encoding"),
        None,
        "aws-chunked is framing only"
    );

    // One byte changed inside the second chunk: its signature no longer matches.
    let mut tampered = streaming_put(&root, "/stream/tampered.bin", &payload);
    let at = tampered.body.len() / 2;
    tampered.body[at] ^= 0x01;
    assert_error(
        &root.send(&tampered),
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and \
         signing method.",
    );
    assert_error(
        &root.s3("GET", "/stream/tampered.bin", &[], &[], b""),
        404,
        "NoSuchKey",
        "The specified key does not exist.",
    );
}

/// A PutObject with a `STREAMING-UNSIGNED-PAYLOAD-TRAILER` body whose
/// `x-amz-checksum-crc32` trailer is `crc32`.
fn unsigned_trailer_put(client: &Client, path: &str, payload: &[u8], crc32: &str) -> Reply {
    let trailers = [("x-amz-checksum-crc32".to_string(), crc32.to_string())];
    let body = chunked::encode(payload, 64 * 1024, ChunkedMode::UnsignedTrailer, None, &trailers);
    client
        .s3_call("PUT", path)
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", &payload.len().to_string())
        .header("x-amz-trailer", "x-amz-checksum-crc32")
        .header("x-amz-sdk-checksum-algorithm", "CRC32")
        .payload(Payload::Claimed("STREAMING-UNSIGNED-PAYLOAD-TRAILER".into()))
        .body(body)
        .send()
}

#[test]
fn an_unsigned_trailer_upload_checks_its_crc32_trailer() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("stream");
    let payload = data(100_000, 40);
    let crc = ChecksumAlgorithm::Crc32.checksum(&payload);

    let put = unsigned_trailer_put(&root, "/stream/crc.bin", &payload, &crc).expect_ok();
    assert_eq!(put.header("etag"), Some(etag_of(&payload).as_str()));
    assert_eq!(put.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    assert!(root.get_object("stream", "crc.bin").bytes == payload);
    let head = root
        .s3(
            "HEAD",
            "/stream/crc.bin",
            &[],
            &[("x-amz-checksum-mode", "ENABLED")],
            b"",
        )
        .expect_ok();
    assert_eq!(head.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    assert_eq!(head.header("x-amz-checksum-type"), Some("FULL_OBJECT"));

    let wrong = ChecksumAlgorithm::Crc32.checksum(b"not the payload");
    assert_error(
        &unsigned_trailer_put(&root, "/stream/bad.bin", &payload, &wrong),
        400,
        "BadDigest",
        "The CRC32 you specified did not match the calculated checksum.",
    );
    assert_error(
        &root.s3("GET", "/stream/bad.bin", &[], &[], b""),
        404,
        "NoSuchKey",
        "The specified key does not exist.",
    );
}

/// The reply is the error `code` with `status` and exactly `message`.
#[track_caller]
fn assert_error(reply: &Reply, status: u16, code: &str, message: &str) {
    reply.assert_error(status, code, message);
}
