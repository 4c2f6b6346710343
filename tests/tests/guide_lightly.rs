//! Lightly's guide "S3 IAM User Access" (`../shared/guides/lightly-s3.rst`),
//! replayed literally: a user for Lightly, the guide's policy copied
//! character for character (with the guide's own `datalake` bucket and
//! `projects/farm-animals/` folder kept, as the substitution it asks for),
//! the tags of step 5, a name, the policy attached, an access key; then
//! what Lightly does with the key: list the folder, read images, write
//! under the folder, hand out presigned GET and PUT URLs — and what stays
//! denied outside the folder.
//!
//! The guide's policy lists the `s3:ListBucket` action on the object
//! pattern `arn:aws:s3:::datalake/projects/farm-animals/*` as well as on
//! the bucket. ListBucket's resource is the bucket, so that entry matches
//! no request, and the bucket entry, with no `s3:prefix` condition, lets
//! the key list every key of the bucket: AWS allows that listing, and this
//! file asserts it (object names outside the folder are visible; their
//! contents are not).

use iam_harness::{url_decode, Client, Credentials, Emulator, Reply};
use std::time::Duration;

const ACCOUNT: &str = "123456789012";
/// Step 2: "Choose a unique name of your choice".
const USER: &str = "lightly-datalake-access";
/// Step 5: "give a name to your new policy".
const POLICY_NAME: &str = "lightly-farm-animals";
const BUCKET: &str = "datalake";
const FOLDER: &str = "projects/farm-animals/";

/// Step 4's policy, character for character (the reStructuredText
/// code-block's eight-space indentation removed, as the rendered page
/// shows it). `datalake` and `projects/farm-animals/` are the names the
/// guide asks the reader to substitute; this replay uses them as they are.
const GUIDE_POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "VisualEditor0",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": [
                "arn:aws:s3:::datalake",
                "arn:aws:s3:::datalake/projects/farm-animals/*"
            ]
        },
        {
            "Sid": "VisualEditor1",
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::datalake/projects/farm-animals/*"
            ]
        }
    ]
}"#;

fn user_arn() -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{USER}")
}

/// The reader's data lake: the shared folder and other teams' data.
fn readers_bucket(root: &Client) {
    let _ = root.create_bucket(BUCKET);
    for (key, body) in [
        ("projects/farm-animals/", &b""[..]),
        ("projects/farm-animals/cows/cow-001.jpg", b"jpeg cow 1"),
        ("projects/farm-animals/cows/cow-002.jpg", b"jpeg cow 2"),
        ("projects/farm-animals/pigs/pig-001.jpg", b"jpeg pig 1"),
        ("projects/farm-animals-v2/sheep-001.jpg", b"jpeg sheep"),
        ("projects/self-driving/frame-0001.png", b"png frame"),
        ("hr/salaries.csv", b"name,salary\n"),
    ] {
        let _ = root.put_object(BUCKET, key, body);
    }
}

/// Steps 1–7 as root: the user, the policy with its tags and name,
/// attached, and the access key written down.
fn follow_the_guide(root: &Client) -> (String, Credentials) {
    let _ = root.create_user(USER);
    let created = root
        .query(
            "iam",
            &[
                ("Action", "CreatePolicy"),
                ("PolicyName", POLICY_NAME),
                ("PolicyDocument", GUIDE_POLICY),
                ("Tags.member.1.Key", "external"),
                ("Tags.member.1.Value", ""),
                ("Tags.member.2.Key", "lightly"),
                ("Tags.member.2.Value", ""),
            ],
        )
        .expect_ok();
    let arn = created.text("Arn").expect("an Arn");
    let _ = root.attach_user_policy(USER, &arn);
    (arn, root.create_access_key(USER))
}

fn setup() -> (Emulator, Client, Credentials) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_bucket(&root);
    let (_, key) = follow_the_guide(&root);
    let lightly = emu.client(&key);
    (emu, lightly, key)
}

fn object(key: &str) -> String {
    format!("/{BUCKET}/{key}")
}

fn object_arn(key: &str) -> String {
    format!("arn:aws:s3:::{BUCKET}/{key}")
}

fn list(client: &Client, params: &[(&str, &str)]) -> Reply {
    let mut query = vec![("list-type", "2")];
    query.extend_from_slice(params);
    client.s3("GET", &format!("/{BUCKET}"), &query, &[], b"")
}

#[track_caller]
fn assert_denied(reply: &Reply, action: &str, resource: &str) {
    let message = format!(
        "User: {} is not authorized to perform: {action} on resource: \"{resource}\" because no \
         identity-based policy allows the {action} action",
        user_arn()
    );
    assert_eq!(
        (
            reply.status,
            reply.error_code().as_deref(),
            reply.error_message().as_deref()
        ),
        (403, Some("AccessDenied"), Some(message.as_str())),
        "{}",
        reply.body
    );
}

#[test]
fn the_policy_is_stored_as_written_with_its_tags_and_attached() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_bucket(&root);
    let (arn, _) = follow_the_guide(&root);
    assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT}:policy/{POLICY_NAME}"));

    let version = root
        .query(
            "iam",
            &[
                ("Action", "GetPolicyVersion"),
                ("PolicyArn", &arn),
                ("VersionId", "v1"),
            ],
        )
        .expect_ok();
    assert_eq!(
        url_decode(&version.text("Document").expect("a Document")),
        GUIDE_POLICY
    );
    let tags = root
        .query("iam", &[("Action", "ListPolicyTags"), ("PolicyArn", &arn)])
        .expect_ok();
    assert_eq!(tags.texts("Key"), ["external", "lightly"]);
    assert_eq!(tags.texts("Value"), ["", ""]);
    let attached = root
        .query(
            "iam",
            &[("Action", "ListAttachedUserPolicies"), ("UserName", USER)],
        )
        .expect_ok();
    assert_eq!(attached.texts("PolicyArn"), [arn]);
}

#[test]
fn lightly_lists_and_reads_the_shared_folder() {
    let (_emu, lightly, _) = setup();

    let listed = list(&lightly, &[("prefix", FOLDER)]).expect_ok();
    assert_eq!(
        listed.texts("Key"),
        [
            "projects/farm-animals/",
            "projects/farm-animals/cows/cow-001.jpg",
            "projects/farm-animals/cows/cow-002.jpg",
            "projects/farm-animals/pigs/pig-001.jpg"
        ]
    );
    let folders = list(&lightly, &[("prefix", FOLDER), ("delimiter", "/")]).expect_ok();
    assert_eq!(
        folders.texts("Prefix")[1..],
        ["projects/farm-animals/cows/", "projects/farm-animals/pigs/"]
    );
    // Paging through the folder, as for large datasets.
    let page = list(&lightly, &[("prefix", FOLDER), ("max-keys", "2")]).expect_ok();
    assert_eq!(page.text("IsTruncated").as_deref(), Some("true"));
    let token = page.text("NextContinuationToken").expect("a continuation token");
    let rest = list(&lightly, &[("prefix", FOLDER), ("continuation-token", &token)]).expect_ok();
    assert_eq!(rest.texts("Key").len(), 2);

    let head = lightly.s3(
        "HEAD",
        &object("projects/farm-animals/cows/cow-001.jpg"),
        &[],
        &[],
        b"",
    );
    assert_eq!(head.status, 200);
    assert_eq!(
        lightly
            .get_object(BUCKET, "projects/farm-animals/cows/cow-001.jpg")
            .body,
        "jpeg cow 1"
    );
    // s3:ListBucket on the bucket: a missing image is 404, not 403.
    let _ = lightly
        .s3(
            "GET",
            &object("projects/farm-animals/cows/gone.jpg"),
            &[],
            &[],
            b"",
        )
        .expect_error(404, "NoSuchKey");
}

#[test]
fn lightly_writes_under_the_folder() {
    let (_emu, lightly, _) = setup();
    let meta = "projects/farm-animals/.lightly/metadata/cows/cow-001.json";
    let _ = lightly.put_object(BUCKET, meta, b"{\"type\":\"image\"}");
    assert_eq!(lightly.get_object(BUCKET, meta).body, "{\"type\":\"image\"}");
    let tagged = lightly.s3(
        "PUT",
        &object(meta),
        &[("tagging", "")],
        &[],
        b"<Tagging><TagSet><Tag><Key>source</Key><Value>lightly</Value></Tag></TagSet></Tagging>",
    );
    assert_eq!(tagged.status, 200, "{}", tagged.body);

    // A larger file (a video, an export) as a multipart upload.
    let video = "projects/farm-animals/videos/barn.mp4";
    let upload_id = lightly
        .s3("POST", &object(video), &[("uploads", "")], &[], b"")
        .expect_ok()
        .text("UploadId")
        .expect("an UploadId");
    let part = lightly
        .s3(
            "PUT",
            &object(video),
            &[("partNumber", "1"), ("uploadId", &upload_id)],
            &[],
            b"mp4 frames",
        )
        .expect_ok();
    let etag = part.header("etag").expect("an ETag").to_string();
    let parts = lightly
        .s3("GET", &object(video), &[("uploadId", &upload_id)], &[], b"")
        .expect_ok();
    assert_eq!(parts.texts("PartNumber"), ["1"]);
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let _ = lightly
        .s3(
            "POST",
            &object(video),
            &[("uploadId", &upload_id)],
            &[],
            complete.as_bytes(),
        )
        .expect_ok();
    assert_eq!(lightly.get_object(BUCKET, video).body, "mp4 frames");

    // Copy within the folder, then delete.
    let copy = "projects/farm-animals/cows/cow-001-copy.jpg";
    let copied = lightly.s3(
        "PUT",
        &object(copy),
        &[],
        &[(
            "x-amz-copy-source",
            &object("projects/farm-animals/cows/cow-001.jpg"),
        )],
        b"",
    );
    assert_eq!(copied.status, 200, "{}", copied.body);
    for key in [copy, meta, video] {
        assert_eq!(
            lightly.s3("DELETE", &object(key), &[], &[], b"").status,
            204,
            "{key}"
        );
    }
}

#[test]
fn presigned_urls_work_inside_the_folder_only() {
    let (emu, lightly, _) = setup();
    let hour = Duration::from_hours(1);
    let anyone = emu.client(&Credentials::new("", ""));

    // The Lightly app shows images through presigned GET URLs.
    let url = lightly
        .s3_call("GET", &object("projects/farm-animals/pigs/pig-001.jpg"))
        .presign(hour);
    let got = anyone.send_url("GET", &url, &[], b"");
    assert_eq!((got.status, got.body.as_str()), (200, "jpeg pig 1"));

    // … and writes through presigned PUT URLs.
    let key = "projects/farm-animals/.lightly/predictions/pig-001.json";
    let url = lightly.s3_call("PUT", &object(key)).presign(hour);
    let put = anyone.send_url("PUT", &url, &[], b"{\"pig\":0.98}");
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(lightly.get_object(BUCKET, key).body, "{\"pig\":0.98}");

    // A URL is only as good as the key that signed it.
    let outside = lightly.s3_call("GET", &object("hr/salaries.csv")).presign(hour);
    assert_denied(
        &anyone.send_url("GET", &outside, &[], b""),
        "s3:GetObject",
        &object_arn("hr/salaries.csv"),
    );
    let outside = lightly
        .s3_call("PUT", &object("projects/self-driving/injected.png"))
        .presign(hour);
    assert_denied(
        &anyone.send_url("PUT", &outside, &[], b"x"),
        "s3:PutObject",
        &object_arn("projects/self-driving/injected.png"),
    );
}

#[test]
fn the_listing_is_not_limited_to_the_folder() {
    // VisualEditor0 grants s3:ListBucket on the bucket with no s3:prefix
    // condition; its second ARN (an object pattern) matches no ListBucket
    // request. AWS allows listing any prefix, so key names outside the
    // folder are visible to Lightly's key.
    let (_emu, lightly, _) = setup();
    let everything = list(&lightly, &[]).expect_ok();
    assert!(
        everything.texts("Key").contains(&"hr/salaries.csv".to_string()),
        "{}",
        everything.body
    );
    let hr = list(&lightly, &[("prefix", "hr/")]).expect_ok();
    assert_eq!(hr.texts("Key"), ["hr/salaries.csv"]);
    let v1 = lightly
        .s3("GET", &format!("/{BUCKET}"), &[("prefix", "projects/")], &[], b"")
        .expect_ok();
    assert_eq!(v1.texts("Key").len(), 6);
    // Names, not contents.
    assert_denied(
        &lightly.s3("GET", &object("hr/salaries.csv"), &[], &[], b""),
        "s3:GetObject",
        &object_arn("hr/salaries.csv"),
    );
}

#[test]
fn outside_the_folder_everything_else_is_denied() {
    let (_emu, lightly, _) = setup();

    for key in [
        "hr/salaries.csv",
        "projects/self-driving/frame-0001.png",
        // `projects/farm-animals/*` needs the slash: a sibling folder is outside.
        "projects/farm-animals-v2/sheep-001.jpg",
    ] {
        assert_denied(
            &lightly.s3("GET", &object(key), &[], &[], b""),
            "s3:GetObject",
            &object_arn(key),
        );
        assert_denied(
            &lightly.s3("PUT", &object(key), &[], &[], b"overwritten"),
            "s3:PutObject",
            &object_arn(key),
        );
        assert_denied(
            &lightly.s3("DELETE", &object(key), &[], &[], b""),
            "s3:DeleteObject",
            &object_arn(key),
        );
    }
    // Copying out of the folder needs s3:PutObject on the destination.
    assert_denied(
        &lightly.s3(
            "PUT",
            &object("exports/cow.jpg"),
            &[],
            &[(
                "x-amz-copy-source",
                &object("projects/farm-animals/cows/cow-001.jpg"),
            )],
            b"",
        ),
        "s3:PutObject",
        &object_arn("exports/cow.jpg"),
    );
    // … and copying in needs s3:GetObject on the source.
    let copied_in = lightly.s3(
        "PUT",
        &object("projects/farm-animals/salaries.csv"),
        &[],
        &[("x-amz-copy-source", &object("hr/salaries.csv"))],
        b"",
    );
    assert_denied(&copied_in, "s3:GetObject", &object_arn("hr/salaries.csv"));

    // `s3:*` on the object pattern covers no bucket-level action.
    let bucket_arn = format!("arn:aws:s3:::{BUCKET}");
    let bucket = format!("/{BUCKET}");
    assert_denied(
        &lightly.s3("GET", &bucket, &[("location", "")], &[], b""),
        "s3:GetBucketLocation",
        &bucket_arn,
    );
    assert_denied(
        &lightly.s3("GET", &bucket, &[("uploads", "")], &[], b""),
        "s3:ListBucketMultipartUploads",
        &bucket_arn,
    );
    assert_denied(
        &lightly.s3("GET", &bucket, &[("policy", "")], &[], b""),
        "s3:GetBucketPolicy",
        &bucket_arn,
    );
    assert_denied(
        &lightly.s3("DELETE", &bucket, &[], &[], b""),
        "s3:DeleteBucket",
        &bucket_arn,
    );
    // No s3:ListAllMyBuckets: ListBuckets has no resource in the message.
    let buckets = lightly.s3("GET", "/", &[], &[], b"");
    assert_eq!(
        (buckets.status, buckets.error_message()),
        (
            403,
            Some(format!(
                "User: {} is not authorized to perform: s3:ListAllMyBuckets because no \
                 identity-based policy allows the s3:ListAllMyBuckets action",
                user_arn()
            ))
        ),
        "{}",
        buckets.body
    );
    // Nor anything in IAM.
    let _ = lightly
        .query("iam", &[("Action", "ListUsers")])
        .expect_error(403, "AccessDenied");
}
