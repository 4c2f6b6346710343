//! S3 bucket configurations and Object Lock over the wire: each
//! sub-resource is its own operation (never CreateBucket, ListObjects,
//! DeleteBucket or PutObject), authorized as its own action; round trips
//! of each configuration; CORS preflights and headers; default encryption
//! and the "deny unencrypted uploads" policy; Object Lock enforcement;
//! lifecycle expiration on the emulator's clock; GetObjectAttributes;
//! configurations surviving a restart with `--state-dir`.

// `expect_ok` and `expect_error` assert the reply themselves; most calls
// need nothing more from it.
#![allow(unused_must_use)]

use iam_harness::fixtures::{Fixtures, User};
use iam_harness::{Client, Emulator, Reply};

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

fn sub(client: &Client, method: &str, path: &str, sub: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    client.s3(method, path, &[(sub, "")], headers, body.as_bytes())
}

const CORS: &str = "<CORSConfiguration><CORSRule><AllowedOrigin>http://app.example</AllowedOrigin>\
<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader>\
<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>";

/// A user allowed everything in S3 except `denied`.
fn user_denied(emu: &Emulator, denied: &str) -> Client {
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}},{{"Effect":"Deny","Action":"{denied}","Resource":"*"}}]}}"#
    );
    let applied = emu
        .apply_fixtures(
            &Fixtures::new().user(
                User::new("alice")
                    .inline_policy("s3", policy.as_str())
                    .access_key(true),
            ),
        )
        .expect("fixtures apply");
    emu.client(&applied.credentials("alice"))
}

/// Denying a configuration's own action stops exactly that operation;
/// the operations a fall-through used to reach stay allowed.
#[test]
fn each_sub_resource_is_authorized_as_its_own_action() {
    for (method, sub_resource, body, action) in [
        ("PUT", "cors", CORS, "s3:PutBucketCORS"),
        ("DELETE", "cors", "", "s3:PutBucketCORS"),
        ("GET", "cors", "", "s3:GetBucketCORS"),
        (
            "PUT",
            "lifecycle",
            "<LifecycleConfiguration/>",
            "s3:PutLifecycleConfiguration",
        ),
        ("GET", "encryption", "", "s3:GetEncryptionConfiguration"),
        ("DELETE", "website", "", "s3:DeleteBucketWebsite"),
        ("GET", "logging", "", "s3:GetBucketLogging"),
        ("GET", "object-lock", "", "s3:GetBucketObjectLockConfiguration"),
        (
            "PUT",
            "requestPayment",
            "<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>",
            "s3:PutBucketRequestPayment",
        ),
    ] {
        let emu = Emulator::start();
        let alice = user_denied(&emu, action);
        alice.create_bucket("configs").expect_ok();
        let denied = sub(&alice, method, "/configs", sub_resource, &[], body);
        assert_eq!(
            denied.status, 403,
            "{method} ?{sub_resource} with {action} denied: {}",
            denied.body
        );
        assert!(
            denied.body.contains(action),
            "{method} ?{sub_resource}: {}",
            denied.body
        );
        // CreateBucket, PutObject and ListObjects are still allowed.
        alice.create_bucket("another").expect_ok();
        alice.put_object("configs", "k", b"v").expect_ok();
        alice.s3("GET", "/configs", &[], &[], b"").expect_ok();
    }
}

/// Every bucket sub-resource row of the operation table that reads or
/// removes (a configuration, a tag set, a policy, …), asked with its own
/// action denied: 403 naming the action. So no such handler forgets its
/// door. (The writes are asked with valid bodies above: they check the
/// body first.)
#[test]
fn every_bucket_sub_resource_is_denied_by_its_own_action() {
    use iam_emulator::services::s3::operations::{Arn, Method, Target, When, ROWS};
    let rows = ROWS.iter().filter(|row| {
        row.target == Target::Bucket
            && row.arn == Arn::Bucket
            && !row.query.is_empty()
            && row.when == When::Always
            && row.actions.len() == 1
            && matches!(row.method, Method::Get | Method::Delete)
    });
    let mut asked = 0;
    let mut wrong = Vec::new();
    for row in rows {
        let action = row.actions[0];
        let emu = Emulator::start();
        let alice = user_denied(&emu, action);
        alice.create_bucket("configs").expect_ok();
        let query: Vec<(&str, &str)> = row
            .query
            .iter()
            .map(|key| match *key {
                "list-type" => (*key, "2"),
                "id" => (*key, "rule-1"),
                _ => (*key, ""),
            })
            .collect();
        let reply = alice.s3(row.method.as_str(), "/configs", &query, &[], b"");
        if reply.status != 403 || !reply.body.contains(action) {
            wrong.push(format!(
                "{:?} with {action} denied: {} {}",
                row.op, reply.status, reply.body
            ));
        }
        asked += 1;
    }
    eprintln!("{asked} sub-resource rows asked");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The table's bucket configurations, tags, policy, ACL, versioning, …
    assert!(asked >= 30, "only {asked} rows asked");
}

#[test]
fn sub_resources_never_reach_delete_bucket_or_put_object() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.create_bucket("keep").expect_ok();
    for sub_resource in ["cors", "lifecycle", "website", "replication", "encryption"] {
        let reply = sub(&root, "DELETE", "/keep", sub_resource, &[], "");
        assert_eq!(reply.status, 204, "DELETE ?{sub_resource}: {}", reply.body);
        root.s3("HEAD", "/keep", &[], &[], b"").expect_ok();
    }
    // A sub-resource S3 does not have on DELETE is NotImplemented.
    sub(&root, "DELETE", "/keep", "location", &[], "").expect_error(501, "NotImplemented");
    root.put_object("keep", "doc", b"original").expect_ok();
    let retention = "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>";
    sub(&root, "PUT", "/keep/doc", "retention", &[], retention).expect_error(400, "InvalidRequest");
    sub(
        &root,
        "PUT",
        "/keep/doc",
        "legal-hold",
        &[],
        "<LegalHold><Status>ON</Status></LegalHold>",
    )
    .expect_error(400, "InvalidRequest");
    assert_eq!(root.get_object("keep", "doc").expect_ok().bytes, b"original");
    // GET ?cors is not a listing.
    let got = sub(&root, "GET", "/keep", "cors", &[], "").expect_error(404, "NoSuchCORSConfiguration");
    assert!(!got.body.contains("ListBucketResult"));
}

#[test]
fn configurations_round_trip_with_aws_errors() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.create_bucket("round-trip").expect_ok();
    sub(&root, "PUT", "/round-trip", "cors", &[], CORS).expect_ok();
    let cors = sub(&root, "GET", "/round-trip", "cors", &[], "").expect_ok();
    assert_eq!(cors.texts("AllowedMethod"), ["GET", "PUT"]);
    assert_eq!(cors.text("MaxAgeSeconds").as_deref(), Some("600"));
    let bad = CORS.replace(
        "<AllowedMethod>PUT</AllowedMethod>",
        "<AllowedMethod>PATCH</AllowedMethod>",
    );
    sub(&root, "PUT", "/round-trip", "cors", &[], &bad).expect_error(400, "InvalidRequest");
    sub(&root, "PUT", "/round-trip", "cors", &[], "<CORSConfiguration>").expect_error(400, "MalformedXML");

    let lifecycle = "<LifecycleConfiguration><Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>\
<Expiration><Days>30</Days></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>";
    sub(&root, "GET", "/round-trip", "lifecycle", &[], "").expect_error(404, "NoSuchLifecycleConfiguration");
    sub(&root, "PUT", "/round-trip", "lifecycle", &[], lifecycle).expect_ok();
    let got = sub(&root, "GET", "/round-trip", "lifecycle", &[], "").expect_ok();
    assert_eq!(got.text("Days").as_deref(), Some("30"));
    assert_eq!(got.text("DaysAfterInitiation").as_deref(), Some("7"));
    let zero = lifecycle.replace("<Days>30</Days>", "<Days>0</Days>");
    sub(&root, "PUT", "/round-trip", "lifecycle", &[], &zero).expect_error(400, "InvalidArgument");

    // Every bucket encrypts with SSE-S3 until told otherwise.
    let enc = sub(&root, "GET", "/round-trip", "encryption", &[], "").expect_ok();
    assert_eq!(enc.text("SSEAlgorithm").as_deref(), Some("AES256"));
    let kms = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>\
<KMSMasterKeyID>arn:aws:kms:us-east-1:123456789012:key/k1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>";
    sub(&root, "PUT", "/round-trip", "encryption", &[], kms).expect_ok();
    let put = root.put_object("round-trip", "secret", b"x").expect_ok();
    assert_eq!(put.header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert_eq!(
        put.header("x-amz-server-side-encryption-aws-kms-key-id"),
        Some("arn:aws:kms:us-east-1:123456789012:key/k1")
    );
    assert_eq!(
        put.header("x-amz-server-side-encryption-bucket-key-enabled"),
        Some("true")
    );
    sub(&root, "DELETE", "/round-trip", "encryption", &[], "").expect_ok();
    assert_eq!(
        sub(&root, "GET", "/round-trip", "encryption", &[], "")
            .expect_ok()
            .text("SSEAlgorithm")
            .as_deref(),
        Some("AES256")
    );

    sub(&root, "GET", "/round-trip", "website", &[], "").expect_error(404, "NoSuchWebsiteConfiguration");
    let website = "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>";
    sub(&root, "PUT", "/round-trip", "website", &[], website).expect_ok();
    assert_eq!(
        sub(&root, "GET", "/round-trip", "website", &[], "")
            .expect_ok()
            .text("Suffix")
            .as_deref(),
        Some("index.html")
    );
    sub(
        &root,
        "PUT",
        "/round-trip",
        "website",
        &[],
        "<WebsiteConfiguration/>",
    )
    .expect_error(400, "InvalidArgument");

    assert_eq!(
        sub(&root, "GET", "/round-trip", "requestPayment", &[], "")
            .expect_ok()
            .text("Payer")
            .as_deref(),
        Some("BucketOwner")
    );
    let replication = "<ReplicationConfiguration><Role>arn:aws:iam::123456789012:role/r</Role><Rule><Status>Enabled</Status>\
<Destination><Bucket>arn:aws:s3:::dest</Bucket></Destination></Rule></ReplicationConfiguration>";
    sub(&root, "PUT", "/round-trip", "replication", &[], replication).expect_error(400, "InvalidRequest");
    sub(&root, "GET", "/round-trip", "replication", &[], "")
        .expect_error(404, "ReplicationConfigurationNotFoundError");
    let logging = "<BucketLoggingStatus><LoggingEnabled><TargetBucket>nowhere</TargetBucket><TargetPrefix>l/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>";
    sub(&root, "PUT", "/round-trip", "logging", &[], logging)
        .expect_error(400, "InvalidTargetBucketForLogging");

    // Configurations by id, listed a page of 100 at a time.
    for i in 0..102 {
        let body = format!("<MetricsConfiguration><Id>m{i:03}</Id></MetricsConfiguration>");
        root.s3(
            "PUT",
            "/round-trip",
            &[("metrics", ""), ("id", &format!("m{i:03}"))],
            &[],
            body.as_bytes(),
        )
        .expect_ok();
    }
    let page = root
        .s3("GET", "/round-trip", &[("metrics", "")], &[], b"")
        .expect_ok();
    assert_eq!(page.texts("Id").len(), 100);
    assert_eq!(page.text("IsTruncated").as_deref(), Some("true"));
    let token = page.text("NextContinuationToken").expect("a next token");
    let rest = root
        .s3(
            "GET",
            "/round-trip",
            &[("metrics", ""), ("continuation-token", &token)],
            &[],
            b"",
        )
        .expect_ok();
    assert_eq!(rest.texts("Id"), ["m100", "m101"]);
    root.s3("GET", "/round-trip", &[("metrics", ""), ("id", "nope")], &[], b"")
        .expect_error(404, "NoSuchConfiguration");
    let mismatch = "<MetricsConfiguration><Id>other</Id></MetricsConfiguration>";
    root.s3(
        "PUT",
        "/round-trip",
        &[("metrics", ""), ("id", "m1")],
        &[],
        mismatch.as_bytes(),
    )
    .expect_error(400, "InvalidArgument");
}

#[test]
fn cors_preflights_and_simple_requests() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.create_bucket("site").expect_ok();
    root.put_object("site", "a.txt", b"hi").expect_ok();
    let preflight = |origin: &str, method: &str| {
        emu.anonymous_s3(
            "OPTIONS",
            "/site/a.txt",
            &[],
            &[
                ("origin", origin),
                ("access-control-request-method", method),
                ("access-control-request-headers", "x-custom"),
            ],
            b"",
        )
    };
    preflight("http://app.example", "GET").expect_error(403, "CORSResponse");
    sub(&root, "PUT", "/site", "cors", &[], CORS).expect_ok();
    let ok = preflight("http://app.example", "PUT").expect_ok();
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://app.example")
    );
    assert_eq!(ok.header("access-control-allow-methods"), Some("GET, PUT"));
    assert_eq!(ok.header("access-control-allow-headers"), Some("x-custom"));
    assert_eq!(ok.header("access-control-max-age"), Some("600"));
    preflight("http://evil.example", "GET").expect_error(403, "CORSResponse");
    preflight("http://app.example", "DELETE").expect_error(403, "CORSResponse");
    let got = root
        .s3(
            "GET",
            "/site/a.txt",
            &[],
            &[("origin", "http://app.example")],
            b"",
        )
        .expect_ok();
    assert_eq!(
        got.header("access-control-allow-origin"),
        Some("http://app.example")
    );
    assert_eq!(got.header("access-control-expose-headers"), Some("ETag"));
    let plain = root.get_object("site", "a.txt").expect_ok();
    assert_eq!(plain.header("access-control-allow-origin"), None);
}

#[test]
fn uploads_report_encryption_and_the_deny_unencrypted_policy_works() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.create_bucket("enc").expect_ok();
    let put = root.put_object("enc", "a", b"x").expect_ok();
    assert_eq!(put.header("x-amz-server-side-encryption"), Some("AES256"));
    assert_eq!(
        root.get_object("enc", "a")
            .expect_ok()
            .header("x-amz-server-side-encryption"),
        Some("AES256")
    );
    root.s3(
        "PUT",
        "/enc/b",
        &[],
        &[("x-amz-server-side-encryption", "DES")],
        b"x",
    )
    .expect_error(400, "InvalidArgument");
    let alice = user_denied(&emu, "s3:NoSuchThing");
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::enc/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}"#;
    root.put_bucket_policy("enc", policy).expect_ok();
    alice
        .s3("PUT", "/enc/plain", &[], &[], b"x")
        .expect_error(403, "AccessDenied");
    alice
        .s3(
            "PUT",
            "/enc/sealed",
            &[],
            &[("x-amz-server-side-encryption", "AES256")],
            b"x",
        )
        .expect_ok();
    // SSE-C (in a bucket without that policy: SSE-C sends no
    // x-amz-server-side-encryption): the key's MD5 is checked, and a read
    // must bring the key.
    root.create_bucket("customer-keys").expect_ok();
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes
    let md5 = "hRasmdxgYDKV3nvbahU1MA==";
    let ssec = [
        ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
        ("x-amz-server-side-encryption-customer-key", key),
        (
            "x-amz-server-side-encryption-customer-key-md5",
            "AAAAAAAAAAAAAAAAAAAAAA==",
        ),
    ];
    root.s3("PUT", "/customer-keys/c", &[], &ssec, b"x")
        .expect_error(400, "InvalidArgument");
    let mut good = ssec;
    good[2].1 = md5;
    let stored = root.s3("PUT", "/customer-keys/c", &[], &good, b"x");
    assert_eq!(stored.status, 200, "{}", stored.body);
    root.s3("GET", "/customer-keys/c", &[], &[], b"")
        .expect_error(400, "InvalidRequest");
    assert_eq!(
        root.s3("GET", "/customer-keys/c", &[], &good, b"")
            .expect_ok()
            .bytes,
        b"x"
    );
}

#[test]
fn object_lock_protects_objects_from_deletion() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.s3(
        "PUT",
        "/vault",
        &[],
        &[("x-amz-bucket-object-lock-enabled", "true")],
        b"",
    )
    .expect_ok();
    assert_eq!(
        sub(&root, "GET", "/vault", "versioning", &[], "")
            .expect_ok()
            .text("Status")
            .as_deref(),
        Some("Enabled")
    );
    assert_eq!(
        sub(&root, "GET", "/vault", "object-lock", &[], "")
            .expect_ok()
            .text("ObjectLockEnabled")
            .as_deref(),
        Some("Enabled")
    );
    let until = "2099-01-01T00:00:00Z";
    let governed = [
        ("x-amz-object-lock-mode", "GOVERNANCE"),
        ("x-amz-object-lock-retain-until-date", until),
    ];
    // Retention and legal holds protect versions: deleting one names its
    // version id; a plain DELETE only places a delete marker on top
    // ("Object Lock works only in versioned buckets, and retention periods
    // and legal holds apply to individual object versions", User Guide).
    let version = |reply: Reply| {
        reply
            .header("x-amz-version-id")
            .expect("a version id")
            .to_string()
    };
    let g = version(root.s3("PUT", "/vault/g", &[], &governed, b"g").expect_ok());
    let head = root.s3("HEAD", "/vault/g", &[], &[], b"").expect_ok();
    assert_eq!(head.header("x-amz-object-lock-mode"), Some("GOVERNANCE"));
    assert_eq!(
        sub(&root, "GET", "/vault/g", "retention", &[], "")
            .expect_ok()
            .text("Mode")
            .as_deref(),
        Some("GOVERNANCE")
    );
    root.s3("DELETE", "/vault/g", &[("versionId", &g)], &[], b"")
        .expect_error(403, "AccessDenied");
    let marker = root.s3("DELETE", "/vault/g", &[], &[], b"").expect_ok();
    assert_eq!(marker.header("x-amz-delete-marker"), Some("true"));
    // A user without s3:BypassGovernanceRetention cannot bypass.
    let alice = user_denied(&emu, "s3:BypassGovernanceRetention");
    alice
        .s3(
            "DELETE",
            "/vault/g",
            &[("versionId", &g)],
            &[("x-amz-bypass-governance-retention", "true")],
            b"",
        )
        .expect_error(403, "AccessDenied");
    root.s3(
        "DELETE",
        "/vault/g",
        &[("versionId", &g)],
        &[("x-amz-bypass-governance-retention", "true")],
        b"",
    )
    .expect_ok();

    let compliance = [
        ("x-amz-object-lock-mode", "COMPLIANCE"),
        ("x-amz-object-lock-retain-until-date", until),
    ];
    let c = version(root.s3("PUT", "/vault/c", &[], &compliance, b"c").expect_ok());
    root.s3(
        "DELETE",
        "/vault/c",
        &[("versionId", &c)],
        &[("x-amz-bypass-governance-retention", "true")],
        b"",
    )
    .expect_error(403, "AccessDenied");
    let shorter = "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2098-01-01T00:00:00Z</RetainUntilDate></Retention>";
    sub(&root, "PUT", "/vault/c", "retention", &[], shorter).expect_error(403, "AccessDenied");
    assert_eq!(root.get_object("vault", "c").expect_ok().bytes, b"c");

    let h = version(root.put_object("vault", "h", b"h").expect_ok());
    sub(&root, "GET", "/vault/h", "retention", &[], "").expect_error(404, "NoSuchObjectLockConfiguration");
    sub(
        &root,
        "PUT",
        "/vault/h",
        "legal-hold",
        &[],
        "<LegalHold><Status>ON</Status></LegalHold>",
    )
    .expect_ok();
    assert_eq!(
        sub(&root, "GET", "/vault/h", "legal-hold", &[], "")
            .expect_ok()
            .text("Status")
            .as_deref(),
        Some("ON")
    );
    root.s3("DELETE", "/vault/h", &[("versionId", &h)], &[], b"")
        .expect_error(403, "AccessDenied");
    sub(
        &root,
        "PUT",
        "/vault/h",
        "legal-hold",
        &[],
        "<LegalHold><Status>OFF</Status></LegalHold>",
    )
    .expect_ok();
    root.s3("DELETE", "/vault/h", &[("versionId", &h)], &[], b"")
        .expect_ok();

    // Lock headers need a bucket with Object Lock.
    root.create_bucket("plain").expect_ok();
    root.s3("PUT", "/plain/x", &[], &governed, b"x")
        .expect_error(400, "InvalidRequest");
}

#[test]
fn lifecycle_expiration_follows_the_emulator_clock() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.create_bucket("aging").expect_ok();
    root.put_object("aging", "logs/old", b"x").expect_ok();
    root.put_object("aging", "keep/me", b"y").expect_ok();
    let rule = "<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>\
<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";
    sub(&root, "PUT", "/aging", "lifecycle", &[], rule).expect_ok();
    root.get_object("aging", "logs/old").expect_ok();
    emu.advance_clock(3 * 86_400);
    root.s3("GET", "/aging/logs/old", &[], &[], b"")
        .expect_error(404, "NoSuchKey");
    let listed = root
        .s3("GET", "/aging", &[("list-type", "2")], &[], b"")
        .expect_ok();
    assert_eq!(listed.texts("Key"), ["keep/me"]);
}

/// A retention period ends on the emulator's clock: a COMPLIANCE version
/// cannot be deleted (not even by the root user) until its retain-until
/// date has passed, and then it can ("In compliance mode, a protected
/// object version can't be overwritten or deleted by any user, including
/// the root user … until the retention period expires", S3 User Guide).
#[test]
fn a_retention_period_ends_when_the_emulator_clock_passes_it() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.s3(
        "PUT",
        "/timed",
        &[],
        &[("x-amz-bucket-object-lock-enabled", "true")],
        b"",
    )
    .expect_ok();
    let until = iam_emulator::ids::iso8601(iam_emulator::ids::now() + std::time::Duration::from_hours(24));
    let put = root
        .s3(
            "PUT",
            "/timed/k",
            &[],
            &[
                ("x-amz-object-lock-mode", "COMPLIANCE"),
                ("x-amz-object-lock-retain-until-date", &until),
            ],
            b"kept",
        )
        .expect_ok();
    let version = put.header("x-amz-version-id").unwrap().to_string();
    root.s3("DELETE", "/timed/k", &[("versionId", &version)], &[], b"")
        .expect_error(403, "AccessDenied");
    emu.advance_clock(2 * 86_400);
    root.s3("DELETE", "/timed/k", &[("versionId", &version)], &[], b"")
        .expect_ok();
    root.s3("GET", "/timed/k", &[("versionId", &version)], &[], b"")
        .expect_error(404, "NoSuchVersion");
}

#[test]
fn get_object_attributes_answers_what_was_asked() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.create_bucket("attrs").expect_ok();
    let put = root.put_object("attrs", "o", b"hello").expect_ok();
    let etag = put.header("etag").unwrap().trim_matches('"').to_string();
    let got = root
        .s3(
            "GET",
            "/attrs/o",
            &[("attributes", "")],
            &[("x-amz-object-attributes", "ETag,ObjectSize,StorageClass")],
            b"",
        )
        .expect_ok();
    assert_eq!(got.text("ETag"), Some(etag));
    assert_eq!(got.text("ObjectSize").as_deref(), Some("5"));
    assert_eq!(got.text("StorageClass").as_deref(), Some("STANDARD"));
    assert!(got.bytes != b"hello");
    root.s3(
        "GET",
        "/attrs/o",
        &[("attributes", "")],
        &[("x-amz-object-attributes", "Bogus")],
        b"",
    )
    .expect_error(400, "InvalidArgument");
    // s3:GetObjectAttributes is asked besides s3:GetObject.
    let alice = user_denied(&emu, "s3:GetObjectAttributes");
    alice
        .s3(
            "GET",
            "/attrs/o",
            &[("attributes", "")],
            &[("x-amz-object-attributes", "ETag")],
            b"",
        )
        .expect_error(403, "AccessDenied");
    alice.get_object("attrs", "o").expect_ok();
}

#[test]
fn configurations_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("s3-configs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let held = {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = root(&emu);
        root.s3(
            "PUT",
            "/kept",
            &[],
            &[("x-amz-bucket-object-lock-enabled", "true")],
            b"",
        )
        .expect_ok();
        sub(&root, "PUT", "/kept", "cors", &[], CORS).expect_ok();
        let hold = [("x-amz-object-lock-legal-hold", "ON")];
        let held = root.s3("PUT", "/kept/held", &[], &hold, b"x").expect_ok();
        let held = held.header("x-amz-version-id").expect("a version id").to_string();
        emu.stop();
        held
    };
    let emu = Emulator::builder().state_dir(&dir).start();
    let root = root(&emu);
    assert_eq!(
        sub(&root, "GET", "/kept", "cors", &[], "")
            .expect_ok()
            .texts("AllowedMethod"),
        ["GET", "PUT"]
    );
    root.s3("DELETE", "/kept/held", &[("versionId", &held)], &[], b"")
        .expect_error(403, "AccessDenied");
    emu.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
