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
    root.create_bucket("today").expect_ok();
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
}

#[test]
fn legacy_defaults_leave_public_access_unblocked_and_the_writer_owning() {
    let emu = Emulator::builder().s3_defaults(S3Defaults::Legacy).start();
    let root = root(&emu);
    root.create_bucket("before-2023").expect_ok();
    let block = sub(&root, "before-2023", "publicAccessBlock");
    assert_eq!(block.status, 404, "{}", block.body);
    assert_eq!(
        block.text("Code").as_deref(),
        Some("NoSuchPublicAccessBlockConfiguration")
    );
    let ownership = sub(&root, "before-2023", "ownershipControls").expect_ok();
    assert_eq!(ownership.text("ObjectOwnership").as_deref(), Some("ObjectWriter"));
    // The mode is configuration, not state: buckets made after a reset
    // still get the legacy defaults.
    emu.reset();
    root.create_bucket("after-reset").expect_ok();
    let ownership = sub(&root, "after-reset", "ownershipControls").expect_ok();
    assert_eq!(ownership.text("ObjectOwnership").as_deref(), Some("ObjectWriter"));
}
