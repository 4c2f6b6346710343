//! ClickHouse's guide "How to create an AWS IAM user and S3 bucket"
//! (`../shared/guides/clickhouse-s3.md`), replayed literally: the user
//! `docs-s3-user` and its access key, the bucket `ch-docs-s3-bucket` with
//! Block Public Access left on, the folder `folder/`, and the guide's
//! bucket policy copied character for character (only the example account
//! `782985192762` replaced by the reader's, as its table says the
//! Principal is "the accounts or user that will be allowed"); then what
//! ClickHouse does with the key against the folder's URL (virtual-hosted
//! style): list, write (single and multipart), read, copy, batch-delete.
//!
//! The guide relies on the bucket policy alone. AWS's answers, asserted:
//! the user has no access before the policy and full access after it
//! (same account: a bucket policy naming the user is enough); a public
//! policy is refused while Block Public Access is on; a principal that
//! does not exist makes the policy `MalformedPolicy`; and with the user in
//! another account the bucket policy alone is not enough — the user's own
//! account must allow it too.

use iam_harness::{Client, Credentials, Emulator, Reply};

const ACCOUNT: &str = "123456789012";
const OTHER_ACCOUNT: &str = "111111111111";
const OTHER_KEY: &str = "AKIAOTHERACCOUNT0001";
const OTHER_SECRET: &str = "other-secret";
const USER: &str = "docs-s3-user";
const BUCKET: &str = "ch-docs-s3-bucket";
/// Step 8 of "Create an S3 bucket": the folder for the ClickHouse disk.
const FOLDER: &str = "folder/";

/// Step 12's bucket policy, character for character.
const GUIDE_POLICY: &str = r#"{
    "Version": "2012-10-17",
    "Id": "Policy123456",
    "Statement": [
        {
            "Sid": "abc123",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::782985192762:user/docs-s3-user"
            },
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::ch-docs-s3-bucket",
                "arn:aws:s3:::ch-docs-s3-bucket/*"
            ]
        }
    ]
}"#;

/// The guide's account id in its example ARN.
const GUIDE_ACCOUNT: &str = "782985192762";

/// The guide's policy with the reader's account in the principal.
fn guide_policy(account: &str) -> String {
    GUIDE_POLICY.replace(GUIDE_ACCOUNT, account)
}

fn user_arn(account: &str) -> String {
    format!("arn:aws:iam::{account}:user/{USER}")
}

fn two_accounts() -> Emulator {
    Emulator::builder()
        .root_key(OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET)
        .start()
}

/// "Create an S3 bucket", steps 1–9, as root: default options (Block
/// Public Access on), then "Create folder" (a zero-byte `folder/` object).
fn create_bucket_and_folder(root: &Client) {
    let _ = root.create_bucket(BUCKET);
    let _ = root.put_object(BUCKET, FOLDER, b"");
}

fn put_policy(client: &Client, document: &str) -> Reply {
    client.s3(
        "PUT",
        &format!("/{BUCKET}"),
        &[("policy", "")],
        &[],
        document.as_bytes(),
    )
}

/// A request to the folder's URL, `https://ch-docs-s3-bucket.s3….amazonaws.com/folder/…`:
/// virtual-hosted style, as ClickHouse sends it.
fn at(client: &Client, method: &str, key: &str) -> iam_harness::S3Call {
    client.s3_call(method, &format!("/{BUCKET}/{key}")).virtual_host()
}

fn list_folder(client: &Client) -> Reply {
    at(client, "GET", "")
        .queries(&[("list-type", "2"), ("prefix", FOLDER)])
        .send()
}

/// A same-account user's denial, in S3's words.
#[track_caller]
fn assert_denied(reply: &Reply, action: &str, resource: &str) {
    let message = format!(
        "User: {} is not authorized to perform: {action} on resource: \"{resource}\" because no \
         identity-based policy allows the {action} action",
        user_arn(ACCOUNT)
    );
    assert_error(reply, 403, "AccessDenied", &message);
}

/// CRC-32 (IEEE), for the `x-amz-checksum-crc32` DeleteObjects requires
/// (the SDKs send it; S3 refuses a DeleteObjects without a checksum).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// DeleteObjects (`POST /?delete`) of `keys`, as ClickHouse removes parts.
fn delete_objects(client: &Client, keys: &[&str]) -> Reply {
    let mut body = String::from("<Delete><Quiet>false</Quiet>");
    for key in keys {
        body.push_str("<Object><Key>");
        body.push_str(key);
        body.push_str("</Key></Object>");
    }
    body.push_str("</Delete>");
    let checksum = base64(&crc32(body.as_bytes()).to_be_bytes());
    at(client, "POST", "")
        .query("delete", "")
        .header("x-amz-checksum-crc32", &checksum)
        .body(body.into_bytes())
        .send()
}

/// What ClickHouse does with an S3 disk or a backup under `folder/`:
/// write, list, read, copy, multipart, batch delete. Panics on any refusal.
fn clickhouse_works(ch: &Client) {
    let part = "folder/data/default/events/all_1_1_0/data.bin";
    let _ = at(ch, "PUT", part).body(&b"column data"[..]).send().expect_ok();
    let head = at(ch, "HEAD", part).send();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("11"));
    let range = at(ch, "GET", part).header("range", "bytes=7-10").send();
    assert_eq!((range.status, range.body.as_str()), (206, "data"));
    let listed = list_folder(ch).expect_ok();
    assert_eq!(listed.texts("Key"), [FOLDER, part]);

    // A large part: multipart upload.
    let big = "folder/data/default/events/all_2_2_0/data.bin";
    let upload_id = at(ch, "POST", big)
        .query("uploads", "")
        .send()
        .expect_ok()
        .text("UploadId")
        .expect("an UploadId");
    let etag = at(ch, "PUT", big)
        .queries(&[("partNumber", "1"), ("uploadId", &upload_id)])
        .body(&b"big part"[..])
        .send()
        .expect_ok()
        .header("etag")
        .expect("an ETag")
        .to_string();
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let _ = at(ch, "POST", big)
        .query("uploadId", &upload_id)
        .body(complete.into_bytes())
        .send()
        .expect_ok();
    assert_eq!(at(ch, "GET", big).send().expect_ok().body, "big part");

    // Merges and backups copy server-side.
    let merged = "folder/data/default/events/all_1_2_1/data.bin";
    let copied = at(ch, "PUT", merged)
        .header("x-amz-copy-source", &format!("/{BUCKET}/{part}"))
        .send();
    assert_eq!(copied.status, 200, "{}", copied.body);

    // Old parts go in one DeleteObjects.
    let deleted = delete_objects(ch, &[part, big]).expect_ok();
    let mut gone = deleted.texts("Key");
    gone.sort();
    assert_eq!(gone, [part, big]);
    assert!(!deleted.body.contains("<Error>"), "{}", deleted.body);
    assert_eq!(at(ch, "DELETE", merged).send().status, 204);
    assert_eq!(list_folder(ch).expect_ok().texts("Key"), [FOLDER]);
}

#[test]
fn the_bucket_keeps_block_public_access_and_has_the_folder() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    create_bucket_and_folder(&root);
    let pab = root
        .s3(
            "GET",
            &format!("/{BUCKET}"),
            &[("publicAccessBlock", "")],
            &[],
            b"",
        )
        .expect_ok();
    for setting in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(pab.text(setting).as_deref(), Some("true"), "{setting}");
    }
    let folders = root
        .s3(
            "GET",
            &format!("/{BUCKET}"),
            &[("list-type", "2"), ("delimiter", "/")],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(folders.texts("Prefix")[1..], [FOLDER]);
    // Nobody outside gets in.
    let anonymous = emu.anonymous_s3("GET", &format!("/{BUCKET}/{FOLDER}"), &[], &[], b"");
    assert_error(&anonymous, 403, "AccessDenied", "Access Denied");
}

#[test]
fn the_bucket_policy_alone_lets_the_same_account_user_in() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    // "Create an AWS IAM user": no permissions attached (steps 4–5 skip
    // them), then an access key for an application outside AWS.
    let _ = root.create_user(USER);
    let ch = emu.client(&root.create_access_key(USER));
    create_bucket_and_folder(&root);

    // Before the bucket policy: the user has no permission at all.
    let bucket_arn = format!("arn:aws:s3:::{BUCKET}");
    assert_denied(&list_folder(&ch), "s3:ListBucket", &bucket_arn);
    assert_denied(
        &at(&ch, "PUT", "folder/probe").body(&b"x"[..]).send(),
        "s3:PutObject",
        &format!("{bucket_arn}/folder/probe"),
    );
    assert_denied(
        &at(&ch, "GET", FOLDER).send(),
        "s3:GetObject",
        &format!("{bucket_arn}/{FOLDER}"),
    );

    // Step 12–13: the guide's policy, the reader's account in the principal.
    let document = guide_policy(ACCOUNT);
    assert!(document.contains("\"AWS\": \"arn:aws:iam::123456789012:user/docs-s3-user\""));
    assert_eq!(put_policy(&root, &document).status, 204);
    let stored = root
        .s3("GET", &format!("/{BUCKET}"), &[("policy", "")], &[], b"")
        .expect_ok();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored.body).unwrap(),
        serde_json::from_str::<serde_json::Value>(&document).unwrap()
    );
    let status = root
        .s3("GET", &format!("/{BUCKET}"), &[("policyStatus", "")], &[], b"")
        .expect_ok();
    assert_eq!(status.text("IsPublic").as_deref(), Some("false"));

    // After: same account, so the bucket policy alone allows it.
    clickhouse_works(&ch);
    // `s3:*` on the bucket: bucket-level calls too (more than ClickHouse needs).
    let location = at(&ch, "GET", "").query("location", "").send();
    assert_eq!(location.status, 200, "{}", location.body);
    let policy = at(&ch, "GET", "").query("policy", "").send();
    assert_eq!(policy.status, 200, "{}", policy.body);

    // Only this bucket: another one of the account stays closed.
    let _ = root.create_bucket("ch-other-bucket");
    assert_denied(
        &ch.s3("GET", "/ch-other-bucket", &[("list-type", "2")], &[], b""),
        "s3:ListBucket",
        "arn:aws:s3:::ch-other-bucket",
    );
    // And nothing outside S3.
    let _ = ch
        .query("iam", &[("Action", "ListUsers")])
        .expect_error(403, "AccessDenied");
}

#[test]
fn a_public_policy_is_refused_while_block_public_access_is_on() {
    // "Leave `Block all Public Access` enabled": a policy that grants the
    // world (`"Principal": "*"` or `{"AWS": "*"}` instead of the user) is
    // refused by BlockPublicPolicy, even for the account's root.
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    create_bucket_and_folder(&root);
    let message = format!(
        "User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: s3:PutBucketPolicy on \
         resource: \"arn:aws:s3:::{BUCKET}\" because public policies are blocked by the \
         BlockPublicPolicy block public access setting."
    );
    for principal in [r#""*""#, r#"{"AWS": "*"}"#] {
        let public = GUIDE_POLICY.replace(
            r#"{
                "AWS": "arn:aws:iam::782985192762:user/docs-s3-user"
            }"#,
            principal,
        );
        assert!(
            public.contains(&format!("\"Principal\": {principal}")),
            "{public}"
        );
        assert_error(&put_policy(&root, &public), 403, "AccessDenied", &message);
    }
    let none = root.s3("GET", &format!("/{BUCKET}"), &[("policy", "")], &[], b"");
    assert_error(
        &none,
        404,
        "NoSuchBucketPolicy",
        "The bucket policy does not exist",
    );
}

#[test]
fn a_principal_that_does_not_exist_is_a_malformed_policy() {
    // The reader named the user differently ("Enter a user-name") and kept
    // the example's `docs-s3-user`: that user does not exist in the account.
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_user("clickhouse-backups");
    create_bucket_and_folder(&root);
    assert_error(
        &put_policy(&root, &guide_policy(ACCOUNT)),
        400,
        "MalformedPolicy",
        "Invalid principal in policy",
    );
    let none = root.s3("GET", &format!("/{BUCKET}"), &[("policy", "")], &[], b"");
    assert_eq!(none.error_code().as_deref(), Some("NoSuchBucketPolicy"));
    // Once the user exists, the same document is accepted.
    let _ = root.create_user(USER);
    assert_eq!(put_policy(&root, &guide_policy(ACCOUNT)).status, 204);
}

#[test]
fn cross_account_the_bucket_policy_alone_is_not_enough() {
    // The same flow with `docs-s3-user` in a second account (the ClickHouse
    // servers' account), the bucket in the first.
    let emu = two_accounts();
    let root = emu.client(&emu.root_credentials());
    let other = emu.client(&Credentials::new(OTHER_KEY, OTHER_SECRET));
    let _ = other.create_user(USER);
    let ch = emu.client(&other.create_access_key(USER));
    create_bucket_and_folder(&root);

    // Before: denied, in S3's cross-account words.
    assert_error(&list_folder(&ch), 403, "AccessDenied", "Access Denied");

    // The guide's policy naming the user of the other account: accepted
    // (one named principal is not public), but not enough on its own.
    let document = guide_policy(OTHER_ACCOUNT);
    assert_eq!(put_policy(&root, &document).status, 204);
    for reply in [
        list_folder(&ch),
        at(&ch, "GET", FOLDER).send(),
        at(&ch, "PUT", "folder/probe").body(&b"x"[..]).send(),
    ] {
        assert_error(&reply, 403, "AccessDenied", "Access Denied");
    }

    // The user's own account allows it too: now allowed.
    let identity = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::{BUCKET}","arn:aws:s3:::{BUCKET}/*"]}}]}}"#
    );
    let _ = other.put_user_policy(USER, "clickhouse-s3", &identity);
    clickhouse_works(&ch);
    // What the other account's user writes, the bucket's owner reads
    // (Object Ownership "bucket owner enforced", the default).
    let _ = at(&ch, "PUT", "folder/backup/.backup")
        .body(&b"backup"[..])
        .send()
        .expect_ok();
    assert_eq!(root.get_object(BUCKET, "folder/backup/.backup").body, "backup");

    // The identity policy alone, without the bucket policy: denied again.
    assert_eq!(
        root.s3("DELETE", &format!("/{BUCKET}"), &[("policy", "")], &[], b"")
            .status,
        204
    );
    assert_error(&list_folder(&ch), 403, "AccessDenied", "Access Denied");
    assert_error(
        &at(&ch, "GET", "folder/backup/.backup").send(),
        403,
        "AccessDenied",
        "Access Denied",
    );
}

#[test]
fn checksum_helpers_match_known_values() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(base64(&0xCBF4_3926u32.to_be_bytes()), "y/Q5Jg==");
    assert_eq!(base64(b"hello"), "aGVsbG8=");
    assert_eq!(base64(b"hel"), "aGVs");
}

/// The reply is the error `code` with `status` and exactly `message`.
#[track_caller]
fn assert_error(reply: &Reply, status: u16, code: &str, message: &str) {
    reply.assert_error(status, code, message);
}
