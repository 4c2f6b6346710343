//! S3 object versioning over the wire, as the S3 User Guide ("Using
//! versioning in S3 buckets", "Working with delete markers") and the API
//! Reference describe it: versions and delete markers, the `null` version
//! of a suspended bucket, copies from a version, multipart uploads as
//! versions, per-version tags and Object Lock, ListObjectVersions and its
//! markers, lifecycle per version on the emulator's clock, the version
//! actions in authorization (with `s3:versionid`), and versions surviving
//! a restart and `kill -9`.

// `expect_ok` and `expect_error` assert the reply themselves; most calls
// need nothing more from it.
#![allow(unused_must_use)]

use iam_emulator::checksum::MultiHasher;
use iam_harness::fixtures::{Fixtures, User};
use iam_harness::{Client, Emulator, Reply};
use std::path::{Path, PathBuf};

const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

fn versioning(client: &Client, bucket: &str, status: &str) -> Reply {
    client.s3(
        "PUT",
        &format!("/{bucket}"),
        &[("versioning", "")],
        &[],
        format!("<VersioningConfiguration xmlns=\"{NAMESPACE}\"><Status>{status}</Status></VersioningConfiguration>")
            .as_bytes(),
    )
}

/// A bucket with versioning enabled.
fn versioned(client: &Client, bucket: &str) {
    client.create_bucket(bucket).expect_ok();
    versioning(client, bucket, "Enabled").expect_ok();
}

/// Puts `body` and returns the new version's id.
fn put(client: &Client, bucket: &str, key: &str, body: &[u8]) -> String {
    let reply = client.put_object(bucket, key, body).expect_ok();
    reply
        .header("x-amz-version-id")
        .unwrap_or_else(|| panic!("PutObject {key} names no version: {:?}", reply.headers))
        .to_string()
}

/// GetObject of the current version, whatever the reply.
fn get(client: &Client, bucket: &str, key: &str) -> Reply {
    client.s3("GET", &format!("/{bucket}/{key}"), &[], &[], b"")
}

fn get_version(client: &Client, bucket: &str, key: &str, version: &str) -> Reply {
    client.s3(
        "GET",
        &format!("/{bucket}/{key}"),
        &[("versionId", version)],
        &[],
        b"",
    )
}

fn delete_version(client: &Client, bucket: &str, key: &str, version: &str) -> Reply {
    client.s3(
        "DELETE",
        &format!("/{bucket}/{key}"),
        &[("versionId", version)],
        &[],
        b"",
    )
}

/// One entry of a ListObjectVersions page, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listed {
    key: String,
    version: String,
    latest: bool,
    marker: bool,
}

fn inner(block: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = block.find(&open).map(|at| at + open.len()).unwrap_or_default();
    let end = block[start..]
        .find(&format!("</{name}>"))
        .map_or(start, |n| start + n);
    block[start..end].to_string()
}

/// The `Version` and `DeleteMarker` entries of a listing, interleaved as sent.
fn entries(reply: &Reply) -> Vec<Listed> {
    let mut out = Vec::new();
    let mut rest = reply.body.as_str();
    loop {
        let version = rest.find("<Version>");
        let marker = rest.find("<DeleteMarker>");
        let (at, name) = match (version, marker) {
            (Some(v), Some(m)) if m < v => (m, "DeleteMarker"),
            (Some(v), _) => (v, "Version"),
            (None, Some(m)) => (m, "DeleteMarker"),
            (None, None) => return out,
        };
        let close = format!("</{name}>");
        let end = rest[at..].find(&close).expect("closed") + at;
        let block = &rest[at..end];
        out.push(Listed {
            key: inner(block, "Key"),
            version: inner(block, "VersionId"),
            latest: inner(block, "IsLatest") == "true",
            marker: name == "DeleteMarker",
        });
        rest = &rest[end..];
    }
}

fn list_versions(client: &Client, bucket: &str, query: &[(&str, &str)]) -> Reply {
    let mut params = vec![("versions", "")];
    params.extend_from_slice(query);
    client
        .s3("GET", &format!("/{bucket}"), &params, &[], b"")
        .expect_ok()
}

fn md5_base64(bytes: &[u8]) -> String {
    let mut hasher = MultiHasher::new(None);
    hasher.update(bytes);
    hasher.finish().md5_base64()
}

fn delete_objects(client: &Client, bucket: &str, objects: &[(&str, Option<&str>)]) -> Reply {
    let items: String = objects
        .iter()
        .map(|(key, version)| match version {
            Some(v) => format!("<Object><Key>{key}</Key><VersionId>{v}</VersionId></Object>"),
            None => format!("<Object><Key>{key}</Key></Object>"),
        })
        .collect();
    let document = format!("<Delete xmlns=\"{NAMESPACE}\">{items}</Delete>");
    client.s3(
        "POST",
        &format!("/{bucket}"),
        &[("delete", "")],
        &[("content-md5", &md5_base64(document.as_bytes()))],
        document.as_bytes(),
    )
}

/// A user allowed everything in S3 and denied `denied` (a statement's JSON
/// `Action`, with an optional `Condition`).
fn user_with(emu: &Emulator, name: &str, deny: &str) -> Client {
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}},{deny}]}}"#
    );
    let applied = emu
        .apply_fixtures(
            &Fixtures::new().user(
                User::new(name)
                    .inline_policy("s3", policy.as_str())
                    .access_key(true),
            ),
        )
        .expect("fixtures apply");
    emu.client(&applied.credentials(name))
}

#[test]
fn versions_are_kept_read_by_id_and_undeleted_by_removing_the_marker() {
    let emu = Emulator::start();
    let root = root(&emu);
    versioned(&root, "docs");
    let status = root
        .s3("GET", "/docs", &[("versioning", "")], &[], b"")
        .expect_ok();
    assert_eq!(status.text("Status").as_deref(), Some("Enabled"));

    let v1 = put(&root, "docs", "report.txt", b"first draft");
    let v2 = put(&root, "docs", "report.txt", b"second draft");
    assert_ne!(v1, v2);
    assert_eq!(v1.len(), 32, "{v1}");
    let current = root.get_object("docs", "report.txt").expect_ok();
    assert_eq!(current.bytes, b"second draft");
    assert_eq!(current.header("x-amz-version-id"), Some(v2.as_str()));
    let old = get_version(&root, "docs", "report.txt", &v1).expect_ok();
    assert_eq!(old.bytes, b"first draft");
    assert_eq!(old.header("x-amz-version-id"), Some(v1.as_str()));
    let head = root
        .s3("HEAD", "/docs/report.txt", &[("versionId", &v1)], &[], b"")
        .expect_ok();
    assert_eq!(head.header("content-length"), Some("11"));

    // A DELETE without a version id places a delete marker on top.
    let deleted = root.s3("DELETE", "/docs/report.txt", &[], &[], b"").expect_ok();
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.header("x-amz-delete-marker"), Some("true"));
    let marker = deleted
        .header("x-amz-version-id")
        .expect("the marker's id")
        .to_string();
    // "If the current version of the object is a delete marker, Amazon S3
    // behaves as if the object was deleted and includes
    // x-amz-delete-marker: true in the response." (GetObject)
    let gone = get(&root, "docs", "report.txt").expect_error(404, "NoSuchKey");
    assert_eq!(gone.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(gone.header("x-amz-version-id"), Some(marker.as_str()));
    let gone = root.s3("HEAD", "/docs/report.txt", &[], &[], b"");
    assert_eq!(gone.status, 404);
    assert_eq!(gone.header("x-amz-delete-marker"), Some("true"));
    // "If the specified version in the request is a delete marker, the
    // response returns a 405 Method Not Allowed error and the
    // Last-Modified: timestamp response header."
    let named = get_version(&root, "docs", "report.txt", &marker).expect_error(405, "MethodNotAllowed");
    assert_eq!(named.header("x-amz-delete-marker"), Some("true"));
    assert!(named.header("last-modified").is_some());
    // Older versions are still readable; the key is not listed.
    assert_eq!(
        get_version(&root, "docs", "report.txt", &v1).expect_ok().bytes,
        b"first draft"
    );
    let listed = root
        .s3("GET", "/docs", &[("list-type", "2")], &[], b"")
        .expect_ok();
    assert!(listed.texts("Key").is_empty(), "{}", listed.body);
    assert_eq!(
        entries(&list_versions(&root, "docs", &[])),
        [
            Listed {
                key: "report.txt".into(),
                version: marker.clone(),
                latest: true,
                marker: true
            },
            Listed {
                key: "report.txt".into(),
                version: v2.clone(),
                latest: false,
                marker: false
            },
            Listed {
                key: "report.txt".into(),
                version: v1.clone(),
                latest: false,
                marker: false
            },
        ]
    );

    // Deleting the marker by its id undeletes the object.
    let undeleted = delete_version(&root, "docs", "report.txt", &marker).expect_ok();
    assert_eq!(undeleted.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(undeleted.header("x-amz-version-id"), Some(marker.as_str()));
    assert_eq!(
        root.get_object("docs", "report.txt").expect_ok().bytes,
        b"second draft"
    );
    // Deleting a version removes it for good; the previous one is current.
    delete_version(&root, "docs", "report.txt", &v2).expect_ok();
    assert_eq!(
        root.get_object("docs", "report.txt").expect_ok().bytes,
        b"first draft"
    );
    get_version(&root, "docs", "report.txt", &v2).expect_error(404, "NoSuchVersion");
    // Deleting a version that is not there succeeds, as in S3.
    let again = delete_version(&root, "docs", "report.txt", &v2).expect_ok();
    assert_eq!(again.header("x-amz-version-id"), Some(v2.as_str()));

    // Ids S3 could not have issued are 400; empty ones too.
    let bad = get_version(&root, "docs", "report.txt", "not-a-version");
    bad.assert_error(400, "InvalidArgument", "Invalid version id specified");
    assert_eq!(bad.text("ArgumentName").as_deref(), Some("versionId"));
    get_version(&root, "docs", "report.txt", "").assert_error(
        400,
        "InvalidArgument",
        "Version id cannot be the empty string",
    );
    delete_version(&root, "docs", "report.txt", "bogus").expect_error(400, "InvalidArgument");
    // A bucket with versions left cannot be deleted.
    delete_version(&root, "docs", "report.txt", &v1).expect_ok();
    root.s3("PUT", "/docs/other", &[], &[], b"x").expect_ok();
    root.s3("DELETE", "/docs/other", &[], &[], b"").expect_ok();
    root.s3("DELETE", "/docs", &[], &[], b"")
        .expect_error(409, "BucketNotEmpty");
}

#[test]
fn a_suspended_bucket_writes_the_null_version() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.create_bucket("pause").expect_ok();
    // Before versioning, objects carry no version id.
    let plain = root.put_object("pause", "k", b"before").expect_ok();
    assert_eq!(plain.header("x-amz-version-id"), None);
    assert_eq!(
        get_version(&root, "pause", "k", "null").expect_ok().bytes,
        b"before"
    );
    versioning(&root, "pause", "Enabled").expect_ok();
    let v1 = put(&root, "pause", "k", b"enabled");
    // The object from before is the null version, kept below.
    assert_eq!(
        get_version(&root, "pause", "k", "null").expect_ok().bytes,
        b"before"
    );
    versioning(&root, "pause", "Suspended").expect_ok();
    let status = root
        .s3("GET", "/pause", &[("versioning", "")], &[], b"")
        .expect_ok();
    assert_eq!(status.text("Status").as_deref(), Some("Suspended"));
    assert_eq!(put(&root, "pause", "k", b"suspended one"), "null");
    assert_eq!(put(&root, "pause", "k", b"suspended two"), "null");
    // Each suspended write replaced the null version and became current.
    assert_eq!(
        entries(&list_versions(&root, "pause", &[]))
            .iter()
            .map(|e| (e.version.clone(), e.latest))
            .collect::<Vec<_>>(),
        [("null".to_string(), true), (v1.clone(), false)]
    );
    let got = root.get_object("pause", "k").expect_ok();
    assert_eq!(got.bytes, b"suspended two");
    assert_eq!(got.header("x-amz-version-id"), Some("null"));
    // A DELETE writes a null delete marker in place of the null version.
    let deleted = root.s3("DELETE", "/pause/k", &[], &[], b"").expect_ok();
    assert_eq!(deleted.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(deleted.header("x-amz-version-id"), Some("null"));
    let listed = entries(&list_versions(&root, "pause", &[]));
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].marker && listed[0].version == "null" && listed[0].latest);
    assert_eq!(
        get_version(&root, "pause", "k", &v1).expect_ok().bytes,
        b"enabled"
    );
    // Once enabled, a bucket never goes back to unversioned.
    let off = root.s3(
        "PUT",
        "/pause",
        &[("versioning", "")],
        &[],
        b"<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>",
    );
    off.expect_error(400, "MalformedXML");
}

#[test]
fn copies_read_a_version_and_multipart_uploads_add_one() {
    let emu = Emulator::start();
    let root = root(&emu);
    versioned(&root, "hist");
    let v1 = put(&root, "hist", "a", b"one");
    put(&root, "hist", "a", b"two");
    // Copying a named version onto its own key restores it as a new version.
    let copy = root
        .s3(
            "PUT",
            "/hist/a",
            &[],
            &[("x-amz-copy-source", &format!("/hist/a?versionId={v1}"))],
            b"",
        )
        .expect_ok();
    assert_eq!(copy.header("x-amz-copy-source-version-id"), Some(v1.as_str()));
    let restored = copy
        .header("x-amz-version-id")
        .expect("the copy's version")
        .to_string();
    let current = root.get_object("hist", "a").expect_ok();
    assert_eq!(
        (current.bytes.as_slice(), current.header("x-amz-version-id")),
        (&b"one"[..], Some(restored.as_str()))
    );
    // A copy to another key from a version.
    root.s3(
        "PUT",
        "/hist/b",
        &[],
        &[("x-amz-copy-source", &format!("hist/a?versionId={v1}"))],
        b"",
    )
    .expect_ok();
    assert_eq!(root.get_object("hist", "b").expect_ok().bytes, b"one");
    // The source named by version must exist; a delete marker cannot be copied.
    let marker = root.s3("DELETE", "/hist/b", &[], &[], b"").expect_ok();
    let marker = marker.header("x-amz-version-id").unwrap().to_string();
    root.s3(
        "PUT",
        "/hist/c",
        &[],
        &[("x-amz-copy-source", &format!("hist/b?versionId={marker}"))],
        b"",
    )
    .expect_error(400, "InvalidRequest");
    root.s3("PUT", "/hist/c", &[], &[("x-amz-copy-source", "hist/b")], b"")
        .expect_error(404, "NoSuchKey");

    // CompleteMultipartUpload creates a version.
    let upload = root
        .s3("POST", "/hist/a", &[("uploads", "")], &[], b"")
        .expect_ok();
    let id = upload.text("UploadId").unwrap();
    let part = root
        .s3(
            "PUT",
            "/hist/a",
            &[("partNumber", "1"), ("uploadId", &id)],
            &[],
            b"multipart body",
        )
        .expect_ok();
    let etag = part.header("etag").unwrap().to_string();
    let done = root
        .s3(
            "POST",
            "/hist/a",
            &[("uploadId", &id)],
            &[],
            format!("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>")
                .as_bytes(),
        )
        .expect_ok();
    let v4 = done
        .header("x-amz-version-id")
        .expect("the upload's version")
        .to_string();
    let listed = entries(&list_versions(&root, "hist", &[("prefix", "a")]));
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert_eq!(
        (listed[0].version.as_str(), listed[0].latest),
        (v4.as_str(), true)
    );
    assert_eq!(get_version(&root, "hist", "a", &v1).expect_ok().bytes, b"one");
}

#[test]
fn tags_and_object_lock_belong_to_one_version() {
    let emu = Emulator::start();
    let root = root(&emu);
    versioned(&root, "tagged");
    let v1 = put(&root, "tagged", "k", b"1");
    let v2 = put(&root, "tagged", "k", b"2");
    let tagging = "<Tagging><TagSet><Tag><Key>stage</Key><Value>old</Value></Tag></TagSet></Tagging>";
    let tagged = root
        .s3(
            "PUT",
            "/tagged/k",
            &[("tagging", ""), ("versionId", &v1)],
            &[],
            tagging.as_bytes(),
        )
        .expect_ok();
    assert_eq!(tagged.header("x-amz-version-id"), Some(v1.as_str()));
    let of_v1 = root
        .s3(
            "GET",
            "/tagged/k",
            &[("tagging", ""), ("versionId", &v1)],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(of_v1.texts("Value"), ["old"]);
    let current = root
        .s3("GET", "/tagged/k", &[("tagging", "")], &[], b"")
        .expect_ok();
    assert!(current.texts("Value").is_empty(), "{}", current.body);
    assert_eq!(current.header("x-amz-version-id"), Some(v2.as_str()));

    // Object Lock: a locked version cannot be removed, but a delete marker
    // may be placed on top ("retention periods and legal holds apply to
    // individual object versions").
    root.s3(
        "PUT",
        "/vault",
        &[],
        &[("x-amz-bucket-object-lock-enabled", "true")],
        b"",
    )
    .expect_ok();
    let locked = root
        .s3(
            "PUT",
            "/vault/k",
            &[],
            &[
                ("x-amz-object-lock-mode", "GOVERNANCE"),
                ("x-amz-object-lock-retain-until-date", "2099-01-01T00:00:00Z"),
            ],
            b"locked",
        )
        .expect_ok();
    let locked = locked.header("x-amz-version-id").unwrap().to_string();
    let free = put(&root, "vault", "k", b"free");
    let retention = root.s3("GET", "/vault/k", &[("retention", "")], &[], b"");
    retention.expect_error(404, "NoSuchObjectLockConfiguration");
    let retention = root
        .s3(
            "GET",
            "/vault/k",
            &[("retention", ""), ("versionId", &locked)],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(retention.text("Mode").as_deref(), Some("GOVERNANCE"));
    root.s3("DELETE", "/vault/k", &[], &[], b"").expect_ok();
    delete_version(&root, "vault", "k", &locked).expect_error(403, "AccessDenied");
    delete_version(&root, "vault", "k", &free).expect_ok();
    // A legal hold on one version.
    root.s3(
        "PUT",
        "/vault/k",
        &[("legal-hold", ""), ("versionId", &locked)],
        &[],
        b"<LegalHold><Status>ON</Status></LegalHold>",
    )
    .expect_ok();
    root.s3(
        "DELETE",
        "/vault/k",
        &[("versionId", &locked)],
        &[("x-amz-bypass-governance-retention", "true")],
        b"",
    )
    .expect_error(403, "AccessDenied");
    root.s3(
        "PUT",
        "/vault/k",
        &[("legal-hold", ""), ("versionId", &locked)],
        &[],
        b"<LegalHold><Status>OFF</Status></LegalHold>",
    )
    .expect_ok();
    root.s3(
        "DELETE",
        "/vault/k",
        &[("versionId", &locked)],
        &[("x-amz-bypass-governance-retention", "true")],
        b"",
    )
    .expect_ok();
    // Versioning cannot be suspended while Object Lock is on.
    versioning(&root, "vault", "Suspended").expect_error(409, "InvalidBucketState");
}

#[test]
fn requests_naming_a_version_are_authorized_as_the_version_actions() {
    let emu = Emulator::start();
    let root = root(&emu);
    versioned(&root, "guarded");
    let v1 = put(&root, "guarded", "k", b"1");
    put(&root, "guarded", "k", b"2");

    // "If you include a versionId in your request header, you must have the
    // s3:GetObjectVersion permission to access a specific version of an
    // object. The s3:GetObject permission is not required in this
    // scenario." (GetObject, API Reference)
    let reader = user_with(
        &emu,
        "reader",
        r#"{"Effect":"Deny","Action":"s3:GetObjectVersion","Resource":"*"}"#,
    );
    reader.get_object("guarded", "k").expect_ok();
    let denied = get_version(&reader, "guarded", "k", &v1).expect_error(403, "AccessDenied");
    assert!(denied.body.contains("s3:GetObjectVersion"), "{}", denied.body);
    // A HEAD reply has no body: the status says it.
    let head = reader.s3("HEAD", "/guarded/k", &[("versionId", &v1)], &[], b"");
    assert_eq!(head.status, 403);
    // Copying a named version needs s3:GetObjectVersion on the source.
    reader
        .s3(
            "PUT",
            "/guarded/copy",
            &[],
            &[("x-amz-copy-source", &format!("guarded/k?versionId={v1}"))],
            b"",
        )
        .expect_error(403, "AccessDenied");
    reader
        .s3(
            "PUT",
            "/guarded/copy",
            &[],
            &[("x-amz-copy-source", "guarded/k")],
            b"",
        )
        .expect_ok();

    // s3:versionid in the context: only one version may be read.
    let pinned = user_with(
        &emu,
        "pinned",
        &format!(
            r#"{{"Effect":"Deny","Action":"s3:GetObjectVersion","Resource":"*","Condition":{{"StringNotEquals":{{"s3:versionid":"{v1}"}}}}}}"#
        ),
    );
    get_version(&pinned, "guarded", "k", &v1).expect_ok();
    let v3 = put(&root, "guarded", "k", b"3");
    get_version(&pinned, "guarded", "k", &v3).expect_error(403, "AccessDenied");

    let deleter = user_with(
        &emu,
        "deleter",
        r#"{"Effect":"Deny","Action":"s3:DeleteObjectVersion","Resource":"*"}"#,
    );
    delete_version(&deleter, "guarded", "k", &v1).expect_error(403, "AccessDenied");
    // A plain DELETE is s3:DeleteObject: it writes a delete marker.
    let marker = deleter.s3("DELETE", "/guarded/k", &[], &[], b"").expect_ok();
    assert_eq!(marker.header("x-amz-delete-marker"), Some("true"));
    let batch = delete_objects(&deleter, "guarded", &[("k", Some(&v1)), ("other", None)]).expect_ok();
    assert_eq!(batch.texts("Code"), ["AccessDenied"], "{}", batch.body);
    assert_eq!(get_version(&root, "guarded", "k", &v1).expect_ok().bytes, b"1");

    let tagger = user_with(
        &emu,
        "tagger",
        r#"{"Effect":"Deny","Action":"s3:GetObjectVersionTagging","Resource":"*"}"#,
    );
    tagger
        .s3("GET", "/guarded/other", &[("tagging", "")], &[], b"")
        .expect_error(404, "NoSuchKey");
    tagger
        .s3(
            "GET",
            "/guarded/k",
            &[("tagging", ""), ("versionId", &v1)],
            &[],
            b"",
        )
        .expect_error(403, "AccessDenied");

    // "If you pass a version ID in your request, you need both the
    // s3:GetObjectVersion and s3:GetObjectVersionAttributes permissions."
    let attributes = user_with(
        &emu,
        "attributes",
        r#"{"Effect":"Deny","Action":"s3:GetObjectVersionAttributes","Resource":"*"}"#,
    );
    let wanted = [("x-amz-object-attributes", "ETag,ObjectSize")];
    // (k's current version is a delete marker by now; the copy is not.)
    attributes
        .s3("GET", "/guarded/copy", &[("attributes", "")], &wanted, b"")
        .expect_ok();
    let denied = attributes
        .s3(
            "GET",
            "/guarded/k",
            &[("attributes", ""), ("versionId", &v1)],
            &wanted,
            b"",
        )
        .expect_error(403, "AccessDenied");
    assert!(
        denied.body.contains("s3:GetObjectVersionAttributes"),
        "{}",
        denied.body
    );

    let lister = user_with(
        &emu,
        "lister",
        r#"{"Effect":"Deny","Action":"s3:ListBucketVersions","Resource":"*"}"#,
    );
    lister
        .s3("GET", "/guarded", &[("versions", "")], &[], b"")
        .expect_error(403, "AccessDenied");
    lister
        .s3("GET", "/guarded", &[("list-type", "2")], &[], b"")
        .expect_ok();
}

#[test]
fn delete_objects_deletes_versions_and_writes_markers() {
    let emu = Emulator::start();
    let root = root(&emu);
    versioned(&root, "batch");
    let a1 = put(&root, "batch", "a", b"a1");
    put(&root, "batch", "b", b"b1");
    let reply = delete_objects(
        &root,
        "batch",
        &[("a", Some(&a1)), ("b", None), ("c", Some("junk"))],
    )
    .expect_ok();
    let body = &reply.body;
    // The version of a: deleted for good; b: a delete marker written.
    assert!(
        body.contains(&format!(
            "<Deleted><Key>a</Key><VersionId>{a1}</VersionId></Deleted>"
        )),
        "{body}"
    );
    let marker = reply.text("DeleteMarkerVersionId").expect("b's marker");
    assert!(
        body.contains("<Key>b</Key><DeleteMarker>true</DeleteMarker>"),
        "{body}"
    );
    // A version id S3 could not have issued is NoSuchVersion for that key.
    assert!(body.contains("<Code>NoSuchVersion</Code>"), "{body}");
    get(&root, "batch", "a").expect_error(404, "NoSuchKey");
    get(&root, "batch", "b").expect_error(404, "NoSuchKey");
    // Deleting the marker by version id reports it as a marker.
    let undo = delete_objects(&root, "batch", &[("b", Some(&marker))]).expect_ok();
    assert_eq!(undo.text("DeleteMarker").as_deref(), Some("true"));
    assert_eq!(undo.text("DeleteMarkerVersionId"), Some(marker));
    assert_eq!(root.get_object("batch", "b").expect_ok().bytes, b"b1");
}

#[test]
fn list_object_versions_pages_with_key_and_version_markers() {
    let emu = Emulator::start();
    let root = root(&emu);
    versioned(&root, "pages");
    let mut expected = Vec::new();
    for key in ["dir/x", "dir/y", "k1", "k2", "k3"] {
        let mut ids: Vec<String> = (0..3)
            .map(|i| put(&root, "pages", key, format!("{key}{i}").as_bytes()))
            .collect();
        ids.reverse();
        expected.extend(ids.into_iter().map(|id| (key.to_string(), id)));
    }
    // Every entry exactly once, in key order and newest first, over pages of 4.
    let mut seen = Vec::new();
    let (mut key_marker, mut version_marker) = (String::new(), String::new());
    loop {
        let mut query = vec![("max-keys", "4")];
        if !key_marker.is_empty() {
            query.push(("key-marker", key_marker.as_str()));
            query.push(("version-id-marker", version_marker.as_str()));
        }
        let page = list_versions(&root, "pages", &query);
        let listed = entries(&page);
        assert!(listed.len() <= 4);
        seen.extend(listed.iter().map(|e| (e.key.clone(), e.version.clone())));
        if page.text("IsTruncated").as_deref() != Some("true") {
            break;
        }
        key_marker = page.text("NextKeyMarker").expect("NextKeyMarker");
        version_marker = page.text("NextVersionIdMarker").expect("NextVersionIdMarker");
    }
    assert_eq!(seen, expected);
    // A key marker alone resumes after all of that key's versions.
    let after = entries(&list_versions(&root, "pages", &[("key-marker", "k2")]));
    assert_eq!(
        after.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        ["k3", "k3", "k3"]
    );
    // Prefix and delimiter: common prefixes once.
    let grouped = list_versions(&root, "pages", &[("delimiter", "/")]);
    assert_eq!(grouped.texts("Prefix"), ["", "dir/"], "{}", grouped.body);
    assert_eq!(entries(&grouped).len(), 9);
    // Marker errors, in S3's words.
    root.s3(
        "GET",
        "/pages",
        &[("versions", ""), ("version-id-marker", &expected[0].1)],
        &[],
        b"",
    )
    .assert_error(
        400,
        "InvalidArgument",
        "A version-id marker cannot be specified without a key marker.",
    );
    root.s3(
        "GET",
        "/pages",
        &[
            ("versions", ""),
            ("key-marker", "k1"),
            ("version-id-marker", "nope"),
        ],
        &[],
        b"",
    )
    .assert_error(400, "InvalidArgument", "Invalid version id specified");
    root.s3("GET", "/pages", &[("versions", ""), ("max-keys", "x")], &[], b"")
        .expect_error(400, "InvalidArgument");
    // encoding-type=url encodes keys.
    put(&root, "pages", "a b", b"space");
    let encoded = list_versions(&root, "pages", &[("encoding-type", "url"), ("prefix", "a")]);
    assert_eq!(entries(&encoded)[0].key, "a%20b");
}

#[test]
fn lifecycle_acts_on_noncurrent_versions_and_delete_markers() {
    let emu = Emulator::start();
    let root = root(&emu);
    versioned(&root, "aging");
    let rules = "<LifecycleConfiguration>\
        <Rule><ID>old</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>\
        <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>\
        <Rule><ID>markers</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>\
        <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>\
        <Rule><ID>keep</ID><Filter><Prefix>keep/</Prefix></Filter><Status>Enabled</Status>\
        <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>\
        <NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>\
        <Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>\
        <Expiration><Days>1</Days></Expiration></Rule>\
        </LifecycleConfiguration>";
    root.s3("PUT", "/aging", &[("lifecycle", "")], &[], rules.as_bytes())
        .expect_ok();
    let old = put(&root, "aging", "logs/a", b"old");
    let new = put(&root, "aging", "logs/a", b"new");
    put(&root, "aging", "logs/b", b"b");
    root.s3("DELETE", "/aging/logs/b", &[], &[], b"").expect_ok();
    let tmp = put(&root, "aging", "tmp/t", b"t");
    let kept: Vec<String> = (0..4).map(|i| put(&root, "aging", "keep/x", &[i])).collect();
    emu.advance_clock(3 * 86_400);
    // NewerNoncurrentVersions: the newest noncurrent version is kept.
    let listed = entries(&list_versions(&root, "aging", &[("prefix", "keep/")]));
    assert_eq!(
        listed.iter().map(|e| e.version.clone()).collect::<Vec<_>>(),
        [kept[3].clone(), kept[2].clone()]
    );
    // NoncurrentDays: the old version of logs/a is gone for good.
    get_version(&root, "aging", "logs/a", &old).expect_error(404, "NoSuchVersion");
    assert_eq!(root.get_object("aging", "logs/a").expect_ok().bytes, b"new");
    let listed = entries(&list_versions(&root, "aging", &[("prefix", "logs/")]));
    // logs/b: its only object version went noncurrent and expired, then
    // the lone delete marker expired too.
    assert_eq!(
        listed,
        [Listed {
            key: "logs/a".into(),
            version: new,
            latest: true,
            marker: false
        }]
    );
    // Expiration of a current version in a versioned bucket places a
    // delete marker on top; the version stays, noncurrent.
    get(&root, "aging", "tmp/t").expect_error(404, "NoSuchKey");
    let tmp_listed = entries(&list_versions(&root, "aging", &[("prefix", "tmp/")]));
    assert_eq!(tmp_listed.len(), 2, "{tmp_listed:?}");
    assert!(tmp_listed[0].marker && tmp_listed[0].latest);
    assert_eq!(get_version(&root, "aging", "tmp/t", &tmp).expect_ok().bytes, b"t");
    // The marker keeps its id once a write stores it, and can be removed.
    let marker = tmp_listed[0].version.clone();
    let rewritten = put(&root, "aging", "tmp/t", b"again");
    let after = entries(&list_versions(&root, "aging", &[("prefix", "tmp/")]));
    assert_eq!(
        after.iter().map(|e| e.version.clone()).collect::<Vec<_>>(),
        [rewritten, marker.clone(), tmp.clone()]
    );
    delete_version(&root, "aging", "tmp/t", &marker).expect_ok();
}

// ---- persistence ----

/// A fresh folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        TempDir(std::env::temp_dir().join(format!(
            "iam-emulator-versions-{name}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        )))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start(dir: &Path) -> Emulator {
    Emulator::builder().state_dir(dir).start()
}

#[test]
fn versions_markers_and_the_null_version_survive_a_restart() {
    let dir = TempDir::new("restart");
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let (before, v1) = {
        let emu = start(&dir.0);
        let root = root(&emu);
        root.create_bucket("kept").expect_ok();
        root.put_object("kept", "k", b"null version").expect_ok();
        versioning(&root, "kept", "Enabled").expect_ok();
        let v1 = put(&root, "kept", "k", &big);
        put(&root, "kept", "k", b"three");
        root.s3("DELETE", "/kept/k", &[], &[], b"").expect_ok();
        put(&root, "kept", "gone", b"x");
        let gone = put(&root, "kept", "gone", b"y");
        delete_version(&root, "kept", "gone", &gone).expect_ok();
        (entries(&list_versions(&root, "kept", &[])), v1)
    };
    assert_eq!(before.len(), 5, "{before:?}");
    let emu = start(&dir.0);
    let root = root(&emu);
    assert_eq!(entries(&list_versions(&root, "kept", &[])), before);
    assert_eq!(get_version(&root, "kept", "k", &v1).expect_ok().bytes, big);
    assert_eq!(
        get_version(&root, "kept", "k", "null").expect_ok().bytes,
        b"null version"
    );
    assert_eq!(root.get_object("kept", "gone").expect_ok().bytes, b"x");
    get(&root, "kept", "k").expect_error(404, "NoSuchKey");
    let status = root
        .s3("GET", "/kept", &[("versioning", "")], &[], b"")
        .expect_ok();
    assert_eq!(status.text("Status").as_deref(), Some("Enabled"));
    // Every body file still in use is kept; none is left over.
    let files = std::fs::read_dir(dir.0.join("objects")).unwrap().count();
    assert_eq!(files, 4, "one body file per object version");
}

/// Acknowledged versions survive SIGKILL of the release binary.
#[test]
fn acknowledged_versions_survive_kill_9() {
    let dir = TempDir::new("kill");
    let args = ["--state-dir", dir.0.to_str().expect("utf-8 temp dir")];
    let written: Vec<(String, Vec<u8>)> = {
        let emu = Emulator::spawn_binary_with(&args);
        let root = root(&emu);
        versioned(&root, "crash");
        let written = (0..20)
            .map(|i| {
                let body = format!("version {i}").into_bytes();
                (put(&root, "crash", "k", &body), body)
            })
            .collect();
        root.s3("DELETE", "/crash/k", &[], &[], b"").expect_ok();
        let _ = emu.kill();
        written
    };
    let emu = Emulator::spawn_binary_with(&args);
    let root = root(&emu);
    for (id, body) in &written {
        assert_eq!(&get_version(&root, "crash", "k", id).expect_ok().bytes, body);
    }
    let listed = entries(&list_versions(&root, "crash", &[]));
    assert_eq!(listed.len(), 21);
    assert!(listed[0].marker && listed[0].latest);
}
