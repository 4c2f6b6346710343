//! `serve --s3-defaults current|legacy`: what a new bucket gets. Current
//! is S3 since April 2023 (Block Public Access on, ACLs disabled); legacy
//! is S3 before it, which older suites (ceph s3-tests) assume.

use iam_harness::{Client, Emulator, S3Defaults};

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

fn sub(client: &Client, bucket: &str, name: &str) -> iam_harness::Reply {
    client.s3("GET", &format!("/{bucket}"), &[(name, "")], &[], b"")
}

#[test]
fn current_defaults_block_public_access_and_enforce_bucket_ownership() {
    let emu = Emulator::start();
    let root = root(&emu);
    let _ = root.create_bucket("today").expect_ok();
    let block = sub(&root, "today", "publicAccessBlock").expect_ok();
    for setting in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block.text(setting).as_deref(), Some("true"), "{setting}");
    }
    let ownership = sub(&root, "today", "ownershipControls").expect_ok();
    assert_eq!(
        ownership.text("ObjectOwnership").as_deref(),
        Some("BucketOwnerEnforced")
    );
    let encryption = sub(&root, "today", "encryption").expect_ok();
    assert_eq!(encryption.text("SSEAlgorithm").as_deref(), Some("AES256"));
    let put = root.put_object("today", "k", b"x").expect_ok();
    assert_eq!(put.header("x-amz-server-side-encryption"), Some("AES256"));
}

#[test]
fn legacy_defaults_leave_public_access_unblocked_and_the_writer_owning() {
    let emu = Emulator::builder().s3_defaults(S3Defaults::Legacy).start();
    let root = root(&emu);
    let _ = root.create_bucket("before-2023").expect_ok();
    let block = sub(&root, "before-2023", "publicAccessBlock");
    assert_eq!(block.status, 404, "{}", block.body);
    assert_eq!(
        block.text("Code").as_deref(),
        Some("NoSuchPublicAccessBlockConfiguration")
    );
    let ownership = sub(&root, "before-2023", "ownershipControls").expect_ok();
    assert_eq!(ownership.text("ObjectOwnership").as_deref(), Some("ObjectWriter"));
    // No default encryption: GetBucketEncryption finds none, objects are
    // stored unencrypted unless the upload or a configuration asks.
    let encryption = sub(&root, "before-2023", "encryption");
    assert_eq!(encryption.status, 404, "{}", encryption.body);
    assert_eq!(
        encryption.text("Code").as_deref(),
        Some("ServerSideEncryptionConfigurationNotFoundError")
    );
    let plain = root.put_object("before-2023", "plain", b"x").expect_ok();
    assert_eq!(plain.header("x-amz-server-side-encryption"), None);
    let asked = root
        .s3(
            "PUT",
            "/before-2023/asked",
            &[],
            &[("x-amz-server-side-encryption", "AES256")],
            b"x",
        )
        .expect_ok();
    assert_eq!(asked.header("x-amz-server-side-encryption"), Some("AES256"));
    let config = "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>\
        <ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>\
        </Rule></ServerSideEncryptionConfiguration>";
    let _ = root
        .s3(
            "PUT",
            "/before-2023",
            &[("encryption", "")],
            &[],
            config.as_bytes(),
        )
        .expect_ok();
    let configured = root.put_object("before-2023", "configured", b"x").expect_ok();
    assert_eq!(configured.header("x-amz-server-side-encryption"), Some("AES256"));
    // The mode is configuration, not state: buckets made after a reset
    // still get the legacy defaults.
    emu.reset();
    let _ = root.create_bucket("after-reset").expect_ok();
    let ownership = sub(&root, "after-reset", "ownershipControls").expect_ok();
    assert_eq!(ownership.text("ObjectOwnership").as_deref(), Some("ObjectWriter"));
}
