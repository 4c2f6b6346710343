//! The Upsolver guide "AWS S3 Permissions" (`../shared/guides/upsolver-s3.md`),
//! replayed literally: the policy "UpsolverS3policy" copied character for
//! character (only OUTPUT_BUCKET_NAME, INPUT_BUCKET_NAME and ACCOUNT_ID
//! replaced, as its steps 6–8 say), the user "UpsolverUser" with that policy
//! and the AWS managed `service-role/AWSQuicksightAthenaAccess` attached, an
//! access key; then what Upsolver does with the key: list buckets, read the
//! input bucket, write and delete in the output bucket (single and multipart
//! uploads), check its own permissions with the policy simulator — and what
//! the key may not do.
//!
//! The guide's mistake, `s3:ListObject` (no such S3 action), is kept: IAM
//! accepts it at write time as AWS does, and at request time it matches no
//! request, so listing works only through `s3:ListBucket` next to it.

use iam_harness::{url_decode, Client, Credentials, Emulator, Reply};

const ACCOUNT: &str = "123456789012";
const POLICY_NAME: &str = "UpsolverS3policy";
const USER: &str = "UpsolverUser";
/// The reader's buckets: Upsolver's output, and the data to ingest.
const OUTPUT: &str = "acme-upsolver-output";
const INPUT: &str = "acme-raw-events";
/// A bucket of the same account the guide grants nothing on.
const UNRELATED: &str = "acme-finance";
const ATHENA_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSQuicksightAthenaAccess";

/// The guide's step 5.2 policy document, character for character (the
/// Markdown list's six-space indentation of the code block removed, as a
/// reader copying it from the page gets it).
const GUIDE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets"
      ],
      "Resource": [
        "arn:aws:s3:::*"
      ]
    },
    {
        "Effect": "Allow",
        "Action": [
          "s3:*"
        ],
        "Resource": [
          "arn:aws:s3:::OUTPUT_BUCKET_NAME",
          "arn:aws:s3:::OUTPUT_BUCKET_NAME/*"
        ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:ListBucket",
        "s3:ListObject",
        "s3:GetObject"
      ],
      "Resource": [
        "arn:aws:s3:::INPUT_BUCKET_NAME",
        "arn:aws:s3:::INPUT_BUCKET_NAME/*"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "iam:SimulatePrincipalPolicy"
      ],
      "Resource": [
        "arn:aws:iam::ACCOUNT_ID:user/${aws:username}"
      ]
    }
  ]
}"#;

/// Steps 6–8: the three placeholders replaced, nothing else touched.
fn guide_policy() -> String {
    GUIDE_POLICY
        .replace("OUTPUT_BUCKET_NAME", OUTPUT)
        .replace("INPUT_BUCKET_NAME", INPUT)
        .replace("ACCOUNT_ID", ACCOUNT)
}

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

/// The buckets exist before the guide starts: the reader's input data and
/// output bucket, and one the guide has nothing to do with.
fn readers_buckets(root: &Client) {
    let _ = root.create_bucket(INPUT);
    let _ = root.put_object(INPUT, "events/2024/06/01/part-0000.json", b"{\"event\":1}\n");
    let _ = root.put_object(INPUT, "events/2024/06/02/part-0000.json", b"{\"event\":2}\n");
    let _ = root.create_bucket(OUTPUT);
    let _ = root.create_bucket(UNRELATED);
    let _ = root.put_object(UNRELATED, "salaries.csv", b"name,salary\n");
}

/// Steps 1–9 of both parts of the guide, as root of the account; returns
/// the new user's key (the guide's "Download .csv").
fn follow_the_guide(root: &Client) -> (String, Credentials) {
    // Step 1: "Create Your Own Policy" named UpsolverS3policy.
    let arn = root.create_policy(POLICY_NAME, &guide_policy());
    assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT}:policy/{POLICY_NAME}"));
    // Step 2: the user, programmatic access, both policies attached directly.
    let _ = root.create_user(USER);
    let _ = root.attach_user_policy(USER, &arn);
    let _ = root.attach_user_policy(USER, ATHENA_POLICY);
    (arn, root.create_access_key(USER))
}

fn s3_get(client: &Client, path: &str, query: &[(&str, &str)]) -> Reply {
    client.s3("GET", path, query, &[], b"")
}

#[track_caller]
fn assert_s3_denied(reply: &Reply, action: &str, resource: &str) {
    let message = format!(
        "User: {} is not authorized to perform: {action} on resource: \"{resource}\" because no \
         identity-based policy allows the {action} action",
        user_arn(USER)
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

#[track_caller]
fn assert_iam_denied(reply: &Reply, action: &str, resource: &str) {
    let message = format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} because no \
         identity-based policy allows the {action} action",
        user_arn(USER)
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

/// SimulatePrincipalPolicy of `source` for `actions` on `resources`.
fn simulate(client: &Client, source: &str, actions: &[&str], resources: &[&str]) -> Reply {
    let mut params = vec![
        ("Action".to_string(), "SimulatePrincipalPolicy".to_string()),
        ("PolicySourceArn".to_string(), source.to_string()),
    ];
    for (i, action) in actions.iter().enumerate() {
        params.push((format!("ActionNames.member.{}", i + 1), (*action).to_string()));
    }
    for (i, resource) in resources.iter().enumerate() {
        params.push((format!("ResourceArns.member.{}", i + 1), (*resource).to_string()));
    }
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    client.query("iam", &params)
}

#[test]
fn the_guide_creates_the_policy_as_written_and_iam_accepts_s3_list_object() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (arn, _) = follow_the_guide(&root);

    // IAM stored the document as given, unknown action and all.
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
    let stored = url_decode(&version.text("Document").expect("a Document"));
    assert_eq!(stored, guide_policy());
    assert!(stored.contains("\"s3:ListObject\""));
    assert!(stored.contains("arn:aws:iam::123456789012:user/${aws:username}"));

    let attached = root
        .query(
            "iam",
            &[("Action", "ListAttachedUserPolicies"), ("UserName", USER)],
        )
        .expect_ok();
    let mut pairs: Vec<(String, String)> = attached
        .texts("PolicyName")
        .into_iter()
        .zip(attached.texts("PolicyArn"))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("AWSQuicksightAthenaAccess".to_string(), ATHENA_POLICY.to_string()),
            (POLICY_NAME.to_string(), arn)
        ]
    );
}

#[test]
fn the_athena_policy_lives_under_service_role() {
    // The console search of step 7 finds "AWSQuicksightAthenaAccess"; its
    // ARN has the path `/service-role/`. The ARN without it names nothing.
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_user(USER);
    let reply = root
        .query(
            "iam",
            &[
                ("Action", "AttachUserPolicy"),
                ("UserName", USER),
                ("PolicyArn", "arn:aws:iam::aws:policy/AWSQuicksightAthenaAccess"),
            ],
        )
        .expect_error(404, "NoSuchEntity");
    assert_eq!(
        reply.error_message().as_deref(),
        Some("Policy arn:aws:iam::aws:policy/AWSQuicksightAthenaAccess does not exist or is not attachable.")
    );
    let policy = root
        .query("iam", &[("Action", "GetPolicy"), ("PolicyArn", ATHENA_POLICY)])
        .expect_ok();
    assert_eq!(policy.text("Path").as_deref(), Some("/service-role/"));
}

#[test]
fn upsolver_lists_the_accounts_buckets() {
    // The guide's first statement, `s3:ListAllMyBuckets` on `arn:aws:s3:::*`,
    // is the S3 User Guide's own (walkthrough "Controlling access to a
    // bucket with user policies", step 4.1): ListBuckets is allowed, and
    // lists every bucket of the account, granted or not.
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (_, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);
    let buckets = s3_get(&upsolver, "/", &[]).expect_ok();
    let mut names = buckets.texts("Name");
    names.sort();
    let mut expected = [UNRELATED, OUTPUT, INPUT];
    expected.sort_unstable();
    assert_eq!(names, expected);
}

#[test]
fn upsolver_reads_the_input_bucket() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (_, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);

    // Who am I (no permission needed).
    assert_eq!(upsolver.caller_arn(), user_arn(USER));

    // The data source: list by prefix (with and without a delimiter, v2
    // and v1), head and read the objects.
    let listed = s3_get(
        &upsolver,
        &format!("/{INPUT}"),
        &[("list-type", "2"), ("prefix", "events/2024/06/")],
    )
    .expect_ok();
    assert_eq!(
        listed.texts("Key"),
        [
            "events/2024/06/01/part-0000.json",
            "events/2024/06/02/part-0000.json"
        ]
    );
    let folders = s3_get(
        &upsolver,
        &format!("/{INPUT}"),
        &[
            ("list-type", "2"),
            ("prefix", "events/2024/06/"),
            ("delimiter", "/"),
        ],
    )
    .expect_ok();
    assert_eq!(
        folders.texts("Prefix")[1..],
        ["events/2024/06/01/", "events/2024/06/02/"]
    );
    let v1 = s3_get(&upsolver, &format!("/{INPUT}"), &[("prefix", "events/")]).expect_ok();
    assert_eq!(v1.texts("Key").len(), 2);
    let head = upsolver.s3(
        "HEAD",
        &format!("/{INPUT}/events/2024/06/01/part-0000.json"),
        &[],
        &[],
        b"",
    );
    assert_eq!(head.status, 200);
    let object = upsolver.get_object(INPUT, "events/2024/06/01/part-0000.json");
    assert_eq!(object.body, "{\"event\":1}\n");
    let range = upsolver.s3(
        "GET",
        &format!("/{INPUT}/events/2024/06/02/part-0000.json"),
        &[],
        &[("range", "bytes=0-8")],
        b"",
    );
    assert_eq!((range.status, range.body.as_str()), (206, "{\"event\":"));
    // With s3:ListBucket, a missing key is 404, not 403.
    let _ = s3_get(&upsolver, &format!("/{INPUT}/events/missing.json"), &[]).expect_error(404, "NoSuchKey");
}

#[test]
fn upsolver_writes_and_deletes_in_the_output_bucket() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (_, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);
    let out = |key: &str| format!("/{OUTPUT}/{key}");

    let _ = upsolver.put_object(OUTPUT, "upsolver/tables/events/000.parquet", b"PAR1 data PAR1");
    assert_eq!(
        upsolver
            .get_object(OUTPUT, "upsolver/tables/events/000.parquet")
            .body,
        "PAR1 data PAR1"
    );
    let _ = upsolver
        .s3(
            "PUT",
            &out("upsolver/tables/events/000.parquet"),
            &[("tagging", "")],
            &[],
            TAGS,
        )
        .expect_ok();

    // A large file: a multipart upload (one part is enough to complete).
    let created = upsolver
        .s3(
            "POST",
            &out("upsolver/tables/events/001.parquet"),
            &[("uploads", "")],
            &[],
            b"",
        )
        .expect_ok();
    let upload_id = created.text("UploadId").expect("an UploadId");
    let part = upsolver
        .s3(
            "PUT",
            &out("upsolver/tables/events/001.parquet"),
            &[("partNumber", "1"), ("uploadId", &upload_id)],
            &[],
            b"one part",
        )
        .expect_ok();
    let etag = part.header("etag").expect("an ETag").to_string();
    let uploads = s3_get(&upsolver, &format!("/{OUTPUT}"), &[("uploads", "")]).expect_ok();
    assert_eq!(uploads.texts("UploadId"), std::slice::from_ref(&upload_id));
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let _ = upsolver
        .s3(
            "POST",
            &out("upsolver/tables/events/001.parquet"),
            &[("uploadId", &upload_id)],
            &[],
            complete.as_bytes(),
        )
        .expect_ok();
    assert_eq!(
        upsolver
            .get_object(OUTPUT, "upsolver/tables/events/001.parquet")
            .body,
        "one part"
    );
    // An abandoned upload is aborted.
    let abandoned = upsolver
        .s3(
            "POST",
            &out("upsolver/tmp/abandoned"),
            &[("uploads", "")],
            &[],
            b"",
        )
        .expect_ok()
        .text("UploadId")
        .unwrap();
    let aborted = upsolver.s3(
        "DELETE",
        &out("upsolver/tmp/abandoned"),
        &[("uploadId", &abandoned)],
        &[],
        b"",
    );
    assert_eq!(aborted.status, 204, "{}", aborted.body);

    // Compaction: copy, then delete the originals.
    let copied = upsolver.s3(
        "PUT",
        &out("upsolver/tables/events/compacted.parquet"),
        &[],
        &[("x-amz-copy-source", &out("upsolver/tables/events/000.parquet"))],
        b"",
    );
    assert_eq!(copied.status, 200, "{}", copied.body);
    for key in [
        "upsolver/tables/events/000.parquet",
        "upsolver/tables/events/001.parquet",
    ] {
        assert_eq!(upsolver.s3("DELETE", &out(key), &[], &[], b"").status, 204);
    }
    let listed = s3_get(&upsolver, &format!("/{OUTPUT}"), &[("list-type", "2")]).expect_ok();
    assert_eq!(listed.texts("Key"), ["upsolver/tables/events/compacted.parquet"]);
    // s3:* on the bucket ARN covers the bucket's own operations too.
    let location = s3_get(&upsolver, &format!("/{OUTPUT}"), &[("location", "")]);
    assert_eq!(location.status, 200, "{}", location.body);
}

const TAGS: &[u8] =
    b"<Tagging><TagSet><Tag><Key>writer</Key><Value>upsolver</Value></Tag></TagSet></Tagging>";

#[test]
fn upsolver_simulates_its_own_policy_but_no_one_elses() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (_, key) = follow_the_guide(&root);
    let _ = root.create_user("someone-else");
    let upsolver = emu.client(&key);

    // `${aws:username}` is the caller's own name: its ARN is allowed, and
    // the simulation answers as the requests themselves do.
    let own = user_arn(USER);
    let decision = |action: &str, resource: &str| {
        simulate(&upsolver, &own, &[action], &[resource])
            .expect_ok()
            .text("EvalDecision")
            .unwrap_or_default()
    };
    let input_object = format!("arn:aws:s3:::{INPUT}/events/x.json");
    let output_object = format!("arn:aws:s3:::{OUTPUT}/upsolver/x.parquet");
    assert_eq!(decision("s3:GetObject", &input_object), "allowed");
    assert_eq!(decision("s3:PutObject", &input_object), "implicitDeny");
    assert_eq!(decision("s3:DeleteObject", &input_object), "implicitDeny");
    assert_eq!(
        decision("s3:ListBucket", &format!("arn:aws:s3:::{INPUT}")),
        "allowed"
    );
    assert_eq!(decision("s3:PutObject", &output_object), "allowed");
    assert_eq!(decision("s3:DeleteObject", &output_object), "allowed");
    assert_eq!(
        decision("s3:GetObject", &format!("arn:aws:s3:::{UNRELATED}/salaries.csv")),
        "implicitDeny"
    );

    // Another user's ARN does not match `user/${aws:username}`.
    let other = user_arn("someone-else");
    let denied = simulate(&upsolver, &other, &["s3:GetObject"], &[]);
    assert_iam_denied(&denied, "iam:SimulatePrincipalPolicy", &other);
    // Nor is the custom-policy simulator granted.
    let custom = upsolver.query(
        "iam",
        &[
            ("Action", "SimulateCustomPolicy"),
            ("PolicyInputList.member.1", &guide_policy()),
            ("ActionNames.member.1", "s3:GetObject"),
        ],
    );
    assert_eq!(
        (custom.status, custom.error_code().as_deref()),
        (403, Some("AccessDenied")),
        "{}",
        custom.body
    );
}

#[test]
fn what_the_policy_does_not_grant_is_denied() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (_, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);

    // The input bucket is read-only.
    let object = "events/2024/06/01/part-0000.json";
    assert_s3_denied(
        &upsolver.s3("PUT", &format!("/{INPUT}/{object}"), &[], &[], b"overwritten"),
        "s3:PutObject",
        &format!("arn:aws:s3:::{INPUT}/{object}"),
    );
    assert_s3_denied(
        &upsolver.s3("DELETE", &format!("/{INPUT}/{object}"), &[], &[], b""),
        "s3:DeleteObject",
        &format!("arn:aws:s3:::{INPUT}/{object}"),
    );
    assert_s3_denied(
        &s3_get(&upsolver, &format!("/{INPUT}"), &[("location", "")]),
        "s3:GetBucketLocation",
        &format!("arn:aws:s3:::{INPUT}"),
    );
    assert_eq!(upsolver.get_object(INPUT, object).body, "{\"event\":1}\n");

    // A bucket the guide does not name: listed by ListBuckets, nothing more.
    assert_s3_denied(
        &s3_get(&upsolver, &format!("/{UNRELATED}"), &[("list-type", "2")]),
        "s3:ListBucket",
        &format!("arn:aws:s3:::{UNRELATED}"),
    );
    assert_s3_denied(
        &s3_get(&upsolver, &format!("/{UNRELATED}/salaries.csv"), &[]),
        "s3:GetObject",
        &format!("arn:aws:s3:::{UNRELATED}/salaries.csv"),
    );
    assert_s3_denied(
        &upsolver.s3("PUT", &format!("/{UNRELATED}/x"), &[], &[], b"x"),
        "s3:PutObject",
        &format!("arn:aws:s3:::{UNRELATED}/x"),
    );
    // Creating buckets: only Athena's query-result buckets (the managed
    // policy's `arn:aws:s3:::aws-athena-query-results-*`).
    assert_s3_denied(
        &upsolver.s3("PUT", "/upsolver-scratch", &[], &[], b""),
        "s3:CreateBucket",
        "arn:aws:s3:::upsolver-scratch",
    );
    let athena = format!("aws-athena-query-results-{ACCOUNT}-us-east-1");
    let _ = upsolver.create_bucket(&athena);
    let _ = upsolver.put_object(&athena, "Unsaved/2024/06/01/query.csv", b"a,b\n");
    assert_s3_denied(
        &upsolver.s3(
            "DELETE",
            &format!("/{athena}/Unsaved/2024/06/01/query.csv"),
            &[],
            &[],
            b"",
        ),
        "s3:DeleteObject",
        &format!("arn:aws:s3:::{athena}/Unsaved/2024/06/01/query.csv"),
    );

    // IAM beyond simulating itself.
    assert_iam_denied(
        &upsolver.query("iam", &[("Action", "ListUsers")]),
        "iam:ListUsers",
        &format!("arn:aws:iam::{ACCOUNT}:user/"),
    );
    assert_iam_denied(
        &upsolver.query("iam", &[("Action", "GetUser")]),
        "iam:GetUser",
        &user_arn(USER),
    );
    let _ = upsolver
        .query("iam", &[("Action", "CreateAccessKey"), ("UserName", USER)])
        .expect_error(403, "AccessDenied");
}

#[test]
fn s3_list_object_grants_nothing_at_request_time() {
    // IAM accepted `s3:ListObject`, but no S3 request is authorized as
    // that action: listing the input works through `s3:ListBucket`. The
    // same statement without `s3:ListBucket` (a new default version of the
    // guide's policy) lists nothing, while `s3:GetObject` still reads.
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (arn, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);
    let _ = s3_get(&upsolver, &format!("/{INPUT}"), &[("list-type", "2")]).expect_ok();

    let trimmed = guide_policy().replace("        \"s3:ListBucket\",\n", "");
    assert!(trimmed.contains("\"s3:ListObject\"") && !trimmed.contains("\"s3:ListBucket\""));
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "CreatePolicyVersion"),
                ("PolicyArn", &arn),
                ("PolicyDocument", &trimmed),
                ("SetAsDefault", "true"),
            ],
        )
        .expect_ok();
    assert_s3_denied(
        &s3_get(&upsolver, &format!("/{INPUT}"), &[("list-type", "2")]),
        "s3:ListBucket",
        &format!("arn:aws:s3:::{INPUT}"),
    );
    assert_s3_denied(
        &s3_get(&upsolver, &format!("/{INPUT}"), &[("prefix", "events/")]),
        "s3:ListBucket",
        &format!("arn:aws:s3:::{INPUT}"),
    );
    // Without s3:ListBucket a missing key is 403, not 404.
    let _ =
        s3_get(&upsolver, &format!("/{INPUT}/events/missing.json"), &[]).expect_error(403, "AccessDenied");
    assert_eq!(
        upsolver
            .get_object(INPUT, "events/2024/06/01/part-0000.json")
            .body,
        "{\"event\":1}\n"
    );
    let sim = simulate(
        &upsolver,
        &user_arn(USER),
        &["s3:ListBucket"],
        &[&format!("arn:aws:s3:::{INPUT}")],
    )
    .expect_ok();
    assert_eq!(sim.texts("EvalDecision"), ["implicitDeny"]);
}

#[test]
fn listing_object_versions_needs_s3_list_bucket_versions() {
    // The input statement grants s3:ListBucket, not s3:ListBucketVersions;
    // the output bucket's s3:* grants both.
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_buckets(&root);
    let (_, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);
    assert_s3_denied(
        &s3_get(&upsolver, &format!("/{INPUT}"), &[("versions", "")]),
        "s3:ListBucketVersions",
        &format!("arn:aws:s3:::{INPUT}"),
    );
    let versions = s3_get(&upsolver, &format!("/{OUTPUT}"), &[("versions", "")]).expect_ok();
    assert!(versions.body.contains("<ListVersionsResult"), "{}", versions.body);
}
