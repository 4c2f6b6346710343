//! The Upsolver guide "AWS Kinesis Permissions"
//! (`../shared/guides/upsolver-kinesis.md`), replayed literally: the policy
//! "UpsolverKinesisPolicy" copied character for character (only REGION,
//! ACCOUNT-ID and STREAM-NAME replaced, as its steps 6–8 say), step 9's
//! "Validate Policy", the user "UpsolverUser" with programmatic access and
//! the policy attached directly, an access key; then what Upsolver does with
//! the key to read a stream: ListStreams, DescribeStream (for the shards),
//! GetShardIterator and GetRecords.
//!
//! The guide's mistake, `"kinesis: Get*"` (a space after the colon), is kept:
//! IAM accepts it at write time as AWS does, ValidatePolicy flags it, and at
//! request time it matches no action, so the key may list and describe the
//! stream but not read it. The corrected document (`"kinesis:Get*"`, as a
//! new default policy version) lets the same key read what a producer put,
//! intact and in order per shard.

use iam_harness::{url_decode, Client, Credentials, Emulator};
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const POLICY_NAME: &str = "UpsolverKinesisPolicy";
const USER: &str = "UpsolverUser";
/// The reader's stream, and one of the same account the guide grants nothing on.
const STREAM: &str = "clickstream";
const UNRELATED: &str = "billing-events";

/// The guide's step 5.2 policy document, character for character: the
/// code block's six-space fence indentation removed (as a reader copying it
/// from the rendered page gets it), its own two-space indentation and the
/// two trailing spaces after the DescribeStream resource kept.
const GUIDE_POLICY: &str = r#"  {
      "Version": "2012-10-17",
      "Statement": [
          {
              "Effect": "Allow",
              "Action": [
                  "kinesis: Get*"
              ],
              "Resource": [
                  "arn:aws:kinesis:REGION:ACCOUNT-ID:stream/STREAM-NAME"
              ]
          },
          {
              "Effect": "Allow",
              "Action": [
                  "kinesis:DescribeStream"
              ],
              "Resource": [
                  "arn:aws:kinesis:REGION:ACCOUNT-ID:stream/STREAM-NAME"  
              ]
          },
          {
              "Effect": "Allow",
              "Action": [
                  "kinesis:ListStreams"
              ],
              "Resource": [
                  "*"
              ]
          }
      ]
  }"#;

/// Steps 6–8: the three placeholders replaced, nothing else touched.
fn guide_policy() -> String {
    GUIDE_POLICY
        .replace("REGION", REGION)
        .replace("ACCOUNT-ID", ACCOUNT)
        .replace("STREAM-NAME", STREAM)
}

/// The guide's document with only the space after `kinesis:` removed.
fn corrected_policy() -> String {
    let corrected = guide_policy().replace("\"kinesis: Get*\"", "\"kinesis:Get*\"");
    assert_ne!(corrected, guide_policy());
    corrected
}

fn user_arn() -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{USER}")
}

fn stream_arn(name: &str) -> String {
    format!("arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}")
}

/// Panics unless `operation` is denied with Kinesis's `AccessDeniedException`
/// (HTTP 400) and AWS's message for `action` on `resource`.
#[track_caller]
fn assert_denied(client: &Client, operation: &str, body: &Value, action: &str, resource: &str) {
    let reply = client.kinesis(operation, body);
    let value = reply.json();
    let expected = format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} because no \
         identity-based policy allows the {action} action",
        user_arn()
    );
    assert_eq!(
        (
            reply.status,
            reply.header("x-amzn-errortype"),
            value["__type"].as_str(),
            value["message"].as_str()
        ),
        (
            400,
            Some("AccessDeniedException"),
            Some("AccessDeniedException"),
            Some(expected.as_str())
        ),
        "{operation}: {}",
        reply.body
    );
}

fn strings(value: &Value, field: &str) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// What the producer writes: (partition key, base64 data). The payloads
/// include bytes that are not text (NUL, 0xFF) and one of 1026 bytes.
fn producer_records() -> Vec<(String, String)> {
    let mut records: Vec<(String, String)> = [
        ("user-1", "eyJldmVudCI6ImNsaWNrIiwibiI6MX0="),
        ("user-2", "eyJldmVudCI6InZpZXciLCJuIjoyfQ=="),
        ("user-3", "AP8A/wABAgM="),
        ("user-1", "eyJldmVudCI6ImNsaWNrIiwibiI6NH0="),
        ("user-4", "////"),
        ("user-2", "AA=="),
        ("user-5", "eyJldmVudCI6ImJ1eSIsIm4iOjd9"),
        ("user-3", "eyJldmVudCI6InZpZXciLCJuIjo4fQ=="),
    ]
    .iter()
    .map(|(k, d)| ((*k).to_string(), (*d).to_string()))
    .collect();
    // 1026 bytes, 0xFB 0xEF 0xBE repeated ("++++" in base64).
    records.push(("user-6".to_string(), "+".repeat(1368)));
    records
}

/// The reader's streams exist before the guide starts (two shards for the
/// one Upsolver reads).
fn readers_streams(root: &Client) {
    root.kinesis_ok("CreateStream", &json!({"StreamName": STREAM, "ShardCount": 2}));
    root.kinesis_ok("CreateStream", &json!({"StreamName": UNRELATED, "ShardCount": 1}));
}

/// The producer (root) writes the records, one PutRecords batch and then
/// single PutRecords; returns (shard, sequence number, partition key, data)
/// in the order of the writes.
fn produce(root: &Client) -> Vec<(String, String, String, String)> {
    let records = producer_records();
    let (batch, singles) = records.split_at(4);
    let entries: Vec<Value> = batch
        .iter()
        .map(|(key, data)| json!({"PartitionKey": key, "Data": data}))
        .collect();
    let put = root.kinesis_ok("PutRecords", &json!({"StreamName": STREAM, "Records": entries}));
    assert_eq!(put["FailedRecordCount"], 0, "{put}");
    let mut written = Vec::new();
    for ((key, data), result) in batch.iter().zip(put["Records"].as_array().unwrap()) {
        written.push((
            result["ShardId"].as_str().unwrap().to_string(),
            result["SequenceNumber"].as_str().unwrap().to_string(),
            key.clone(),
            data.clone(),
        ));
    }
    for (key, data) in singles {
        let result = root.kinesis_ok(
            "PutRecord",
            &json!({"StreamName": STREAM, "PartitionKey": key, "Data": data}),
        );
        written.push((
            result["ShardId"].as_str().unwrap().to_string(),
            result["SequenceNumber"].as_str().unwrap().to_string(),
            key.clone(),
            data.clone(),
        ));
    }
    written
}

/// Steps 1–9 of "Create Kinesis Access Policy" and steps 1–8 of "Create New
/// User", as root of the account; returns the policy's ARN and the user's
/// key (the guide's "Download .csv").
fn follow_the_guide(root: &Client) -> (String, Credentials) {
    // Step 1.5: "Create Your Own Policy" named UpsolverKinesisPolicy.
    let arn = root.create_policy(POLICY_NAME, &guide_policy());
    assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT}:policy/{POLICY_NAME}"));
    // Step 2: the user, programmatic access, the policy attached directly.
    let _ = root.create_user(USER);
    let _ = root.attach_user_policy(USER, &arn);
    (arn, root.create_access_key(USER))
}

fn validate(client: &Client, document: &str) -> Vec<Value> {
    let reply = client
        .rest_json(
            "access-analyzer",
            "POST",
            "/policy/validation",
            &json!({"policyDocument": document, "policyType": "IDENTITY_POLICY"}),
        )
        .expect_ok();
    reply.json()["findings"].as_array().cloned().unwrap_or_default()
}

/// Every record from `iterator` on, following NextShardIterator in pages of `limit`.
fn read_all(client: &Client, iterator: &str, limit: u32) -> Vec<Value> {
    let mut records = Vec::new();
    let mut next = iterator.to_string();
    loop {
        let page = client.kinesis_ok("GetRecords", &json!({"ShardIterator": next, "Limit": limit}));
        let batch = page["Records"].as_array().expect("Records").clone();
        next = page["NextShardIterator"]
            .as_str()
            .expect("NextShardIterator")
            .to_string();
        if batch.is_empty() {
            return records;
        }
        records.extend(batch);
    }
}

fn trim_horizon(client: &Client, shard: &str) -> Value {
    client.kinesis_ok(
        "GetShardIterator",
        &json!({"StreamName": STREAM, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
    )
}

#[test]
fn iam_accepts_the_guides_policy_with_its_space() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let (arn, _) = follow_the_guide(&root);

    // IAM stored the document as given: the space, the indentation and the
    // trailing spaces.
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
    assert!(stored.contains("\"kinesis: Get*\""));
    assert!(stored.contains(&format!("\"{}\"  \n", stream_arn(STREAM))));
    assert_eq!(version.text("IsDefaultVersion").as_deref(), Some("true"));

    let attached = root
        .query(
            "iam",
            &[("Action", "ListAttachedUserPolicies"), ("UserName", USER)],
        )
        .expect_ok();
    assert_eq!(attached.texts("PolicyName"), [POLICY_NAME]);
    assert_eq!(attached.texts("PolicyArn"), [arn]);
}

#[test]
fn step_9_validate_policy_flags_the_space_in_kinesis_get() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let document = guide_policy();

    let findings = validate(&root, &document);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding["findingType"], "ERROR");
    assert_eq!(finding["issueCode"], "INVALID_ACTION");
    // Access Analyzer's sentence, then the emulator's own suggestion.
    assert!(
        finding["findingDetails"]
            .as_str()
            .unwrap()
            .starts_with("The action kinesis: Get* does not exist. Did you mean kinesis:Get*?"),
        "{finding}"
    );
    assert!(finding["learnMoreLink"]
        .as_str()
        .is_some_and(|link| link.starts_with("https://docs.aws.amazon.com/")));
    // Where: Statement[0].Action[0], the string `"kinesis: Get*"` on line 7.
    let location = &finding["locations"][0];
    assert_eq!(
        location["path"],
        json!([{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 0}])
    );
    let span = &location["span"];
    let offset = |at: &str| usize::try_from(span[at]["offset"].as_u64().unwrap()).unwrap();
    assert_eq!(&document[offset("start")..offset("end")], "\"kinesis: Get*\"");
    assert_eq!(span["start"]["line"], 7);
    assert_eq!(
        span["start"]["column"],
        document.lines().nth(6).unwrap().find('"').unwrap()
    );

    // The corrected document has no finding at all.
    assert_eq!(validate(&root, &corrected_policy()), Vec::<Value>::new());
}

#[test]
fn with_the_guides_policy_upsolver_lists_and_describes_but_cannot_read() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_streams(&root);
    let written = produce(&root);
    let (_, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);
    assert_eq!(upsolver.caller_arn(), user_arn());

    // ListStreams (on "*") lists every stream of the account.
    let listed = upsolver.kinesis_ok("ListStreams", &json!({}));
    assert_eq!(listed["StreamNames"], json!([UNRELATED, STREAM]));
    // DescribeStream gives the shards.
    let description =
        upsolver.kinesis_ok("DescribeStream", &json!({"StreamName": STREAM}))["StreamDescription"].clone();
    assert_eq!(description["StreamARN"], stream_arn(STREAM));
    assert_eq!(description["StreamStatus"], "ACTIVE");
    let shards = strings(&description["Shards"], "ShardId");
    assert_eq!(shards, ["shardId-000000000000", "shardId-000000000001"]);

    // `kinesis: Get*` matches no action: reading is denied, naming the
    // action and the stream.
    let arn = stream_arn(STREAM);
    for shard in &shards {
        assert_denied(
            &upsolver,
            "GetShardIterator",
            &json!({"StreamName": STREAM, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
            "kinesis:GetShardIterator",
            &arn,
        );
    }
    // Even with an iterator the producer got, GetRecords is denied.
    let iterator = trim_horizon(&root, &written[0].0)["ShardIterator"].clone();
    assert_denied(
        &upsolver,
        "GetRecords",
        &json!({"ShardIterator": iterator, "Limit": 100}),
        "kinesis:GetRecords",
        &arn,
    );

    // What the guide never granted: the newer shard-listing calls, writing,
    // and any other stream.
    assert_denied(
        &upsolver,
        "ListShards",
        &json!({"StreamName": STREAM}),
        "kinesis:ListShards",
        &arn,
    );
    assert_denied(
        &upsolver,
        "DescribeStreamSummary",
        &json!({"StreamName": STREAM}),
        "kinesis:DescribeStreamSummary",
        &arn,
    );
    assert_denied(
        &upsolver,
        "PutRecord",
        &json!({"StreamName": STREAM, "PartitionKey": "k", "Data": "AA=="}),
        "kinesis:PutRecord",
        &arn,
    );
    assert_denied(
        &upsolver,
        "DescribeStream",
        &json!({"StreamName": UNRELATED}),
        "kinesis:DescribeStream",
        &stream_arn(UNRELATED),
    );
}

#[test]
fn the_corrected_policy_reads_what_the_producer_put_in_order_per_shard() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    readers_streams(&root);
    let written = produce(&root);
    let (arn, key) = follow_the_guide(&root);
    let upsolver = emu.client(&key);

    // The fix: a new default version of the same policy, `kinesis:Get*`.
    let created = root
        .query(
            "iam",
            &[
                ("Action", "CreatePolicyVersion"),
                ("PolicyArn", &arn),
                ("PolicyDocument", &corrected_policy()),
                ("SetAsDefault", "true"),
            ],
        )
        .expect_ok();
    assert_eq!(created.text("VersionId").as_deref(), Some("v2"));
    assert_eq!(created.text("IsDefaultVersion").as_deref(), Some("true"));
    let policy = root
        .query("iam", &[("Action", "GetPolicy"), ("PolicyArn", &arn)])
        .expect_ok();
    assert_eq!(policy.text("DefaultVersionId").as_deref(), Some("v2"));

    // The same key, as Upsolver reads: list, describe, then every shard from
    // TRIM_HORIZON, in pages, following NextShardIterator.
    let listed = upsolver.kinesis_ok("ListStreams", &json!({}));
    assert_eq!(listed["StreamNames"], json!([UNRELATED, STREAM]));
    let description =
        upsolver.kinesis_ok("DescribeStream", &json!({"StreamName": STREAM}))["StreamDescription"].clone();
    let shards = strings(&description["Shards"], "ShardId");
    assert_eq!(shards.len(), 2);
    let mut total = 0;
    for shard in &shards {
        let iterator = trim_horizon(&upsolver, shard)["ShardIterator"]
            .as_str()
            .expect("a ShardIterator")
            .to_string();
        let records = read_all(&upsolver, &iterator, 2);
        let read: Vec<(String, String, String)> = records
            .iter()
            .map(|r| {
                (
                    r["SequenceNumber"].as_str().unwrap().to_string(),
                    r["PartitionKey"].as_str().unwrap().to_string(),
                    r["Data"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // Exactly what was written to this shard, byte for byte, in the
        // order of the writes.
        let expected: Vec<(String, String, String)> = written
            .iter()
            .filter(|(s, ..)| s == shard)
            .map(|(_, seq, key, data)| (seq.clone(), key.clone(), data.clone()))
            .collect();
        assert!(!expected.is_empty(), "no record went to {shard}: {written:?}");
        assert_eq!(read, expected, "{shard}");
        total += read.len();
    }
    assert_eq!(total, producer_records().len());

    // A consumer resuming from its checkpoint (AFTER_SEQUENCE_NUMBER) reads
    // the rest of the shard.
    let shard = &written[0].0;
    let on_shard: Vec<&(String, String, String, String)> =
        written.iter().filter(|(s, ..)| s == shard).collect();
    let resumed = upsolver.kinesis_ok(
        "GetShardIterator",
        &json!({"StreamName": STREAM, "ShardId": shard, "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "StartingSequenceNumber": on_shard[0].1}),
    )["ShardIterator"]
        .as_str()
        .unwrap()
        .to_string();
    let rest = read_all(&upsolver, &resumed, 100);
    assert_eq!(
        strings(&Value::Array(rest), "Data"),
        on_shard[1..]
            .iter()
            .map(|(.., data)| data.clone())
            .collect::<Vec<_>>()
    );

    // Still nothing more: no shard listing by ListShards or summary, no
    // writes, no other stream.
    for (operation, action) in [
        ("ListShards", "kinesis:ListShards"),
        ("DescribeStreamSummary", "kinesis:DescribeStreamSummary"),
    ] {
        assert_denied(
            &upsolver,
            operation,
            &json!({"StreamName": STREAM}),
            action,
            &stream_arn(STREAM),
        );
    }
    assert_denied(
        &upsolver,
        "PutRecord",
        &json!({"StreamName": STREAM, "PartitionKey": "k", "Data": "AA=="}),
        "kinesis:PutRecord",
        &stream_arn(STREAM),
    );
    assert_denied(
        &upsolver,
        "GetShardIterator",
        &json!({"StreamName": UNRELATED, "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"}),
        "kinesis:GetShardIterator",
        &stream_arn(UNRELATED),
    );
}
