//! Kinesis Data Streams over the wire (JSON 1.1, signed by aws-sigv4):
//! streams and their shards in pages, the read path across shards with
//! every iterator type, expired iterators, AWS's errors, denials with
//! AWS's message, and the upsolver-kinesis guide's policy — corrected, it
//! allows the read path; as printed (`"kinesis: Get*"`, with a space) it
//! does not.

use iam_harness::{AuthMode, Client, Emulator};
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

/// Calls and panics unless it fails with this status and `__type`; the message.
#[track_caller]
fn fails(client: &Client, operation: &str, body: &Value, status: u16, code: &str) -> String {
    let reply = client.kinesis(operation, body);
    let value = reply.json();
    assert_eq!(
        (reply.status, value["__type"].as_str()),
        (status, Some(code)),
        "{operation}: {}",
        reply.body
    );
    assert_eq!(reply.header("x-amzn-errortype"), Some(code));
    value["message"].as_str().unwrap_or_default().to_string()
}

fn create(client: &Client, name: &str, shards: u32) {
    client.kinesis_ok("CreateStream", &json!({"StreamName": name, "ShardCount": shards}));
}

fn stream_arn(name: &str) -> String {
    format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}")
}

fn strings(value: &Value, field: &str) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Data as the wire carries it: base64 (eight digits are valid base64).
fn data(n: usize) -> String {
    format!("{n:08}")
}

fn iterator(client: &Client, stream: &str, shard: &str, start: &Value) -> String {
    let mut body = json!({"StreamName": stream, "ShardId": shard});
    for (k, v) in start.as_object().expect("an object") {
        body[k] = v.clone();
    }
    client.kinesis_ok("GetShardIterator", &body)["ShardIterator"]
        .as_str()
        .expect("ShardIterator")
        .to_string()
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
            assert_eq!(page["MillisBehindLatest"], 0);
            return records;
        }
        records.extend(batch);
    }
}

fn allow(action: &str, resource: &str) -> String {
    format!(r#"{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}"#)
}

fn policy(statements: &[String]) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

#[test]
fn streams_are_created_described_and_listed_in_pages() {
    let emu = Emulator::start();
    let root = root(&emu);
    create(&root, "orders", 5);
    root.kinesis_ok(
        "CreateStream",
        &json!({"StreamName": "clicks", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}),
    );
    create(&root, "audit", 1);
    let message = fails(
        &root,
        "CreateStream",
        &json!({"StreamName": "orders", "ShardCount": 1}),
        400,
        "ResourceInUseException",
    );
    assert_eq!(
        message,
        "Stream orders under account 123456789012 already exists."
    );

    // DescribeStream: ACTIVE at once, shards in pages.
    let first = root.kinesis_ok("DescribeStream", &json!({"StreamName": "orders", "Limit": 2}))
        ["StreamDescription"]
        .clone();
    assert_eq!(first["StreamStatus"], "ACTIVE");
    assert_eq!(first["StreamARN"], stream_arn("orders"));
    assert_eq!(first["StreamModeDetails"]["StreamMode"], "PROVISIONED");
    assert_eq!(first["HasMoreShards"], true);
    let mut shards = first["Shards"].as_array().unwrap().clone();
    assert_eq!(shards.len(), 2);
    loop {
        let last = shards.last().unwrap()["ShardId"].clone();
        let page = root.kinesis_ok(
            "DescribeStream",
            &json!({"StreamARN": stream_arn("orders"), "Limit": 2, "ExclusiveStartShardId": last}),
        )["StreamDescription"]
            .clone();
        shards.extend(page["Shards"].as_array().unwrap().iter().cloned());
        if page["HasMoreShards"] == false {
            break;
        }
    }
    assert_eq!(
        strings(&Value::Array(shards.clone()), "ShardId"),
        (0..5).map(|i| format!("shardId-{i:012}")).collect::<Vec<_>>()
    );
    // The hash key space 0..2^128-1, split evenly and without gaps.
    assert_eq!(shards[0]["HashKeyRange"]["StartingHashKey"], "0");
    assert_eq!(
        shards[4]["HashKeyRange"]["EndingHashKey"],
        "340282366920938463463374607431768211455"
    );
    for pair in shards.windows(2) {
        let end: u128 = pair[0]["HashKeyRange"]["EndingHashKey"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let start: u128 = pair[1]["HashKeyRange"]["StartingHashKey"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(end + 1, start);
    }

    // On-demand streams have four shards.
    let summary = root.kinesis_ok("DescribeStreamSummary", &json!({"StreamName": "clicks"}))
        ["StreamDescriptionSummary"]
        .clone();
    assert_eq!(summary["OpenShardCount"], 4);
    assert_eq!(summary["StreamModeDetails"]["StreamMode"], "ON_DEMAND");

    // ListStreams: names in order, in pages by NextToken or by name.
    let page = root.kinesis_ok("ListStreams", &json!({"Limit": 2}));
    assert_eq!(page["StreamNames"], json!(["audit", "clicks"]));
    assert_eq!(page["HasMoreStreams"], true);
    assert_eq!(
        strings(&page["StreamSummaries"], "StreamARN")[0],
        stream_arn("audit")
    );
    let rest = root.kinesis_ok(
        "ListStreams",
        &json!({"Limit": 2, "NextToken": page["NextToken"]}),
    );
    assert_eq!(rest["StreamNames"], json!(["orders"]));
    assert_eq!(rest["HasMoreStreams"], false);
    assert!(rest.get("NextToken").is_none());
    let after = root.kinesis_ok("ListStreams", &json!({"ExclusiveStartStreamName": "audit"}));
    assert_eq!(after["StreamNames"], json!(["clicks", "orders"]));

    // ListShards: MaxResults and NextToken; the token alone names the stream.
    let page = root.kinesis_ok("ListShards", &json!({"StreamName": "orders", "MaxResults": 3}));
    assert_eq!(page["Shards"].as_array().unwrap().len(), 3);
    let token = page["NextToken"].clone();
    let message = fails(
        &root,
        "ListShards",
        &json!({"StreamName": "orders", "NextToken": token}),
        400,
        "InvalidArgumentException",
    );
    assert_eq!(message, "NextToken and StreamName cannot be provided together.");
    let rest = root.kinesis_ok("ListShards", &json!({"NextToken": token}));
    assert_eq!(
        strings(&rest["Shards"], "ShardId"),
        ["shardId-000000000003", "shardId-000000000004"]
    );
    assert!(rest.get("NextToken").is_none());

    // Streams live per region.
    let west = root.clone().with_region("us-west-2");
    assert_eq!(
        west.kinesis_ok("ListStreams", &json!({}))["StreamNames"],
        json!([])
    );
    fails(
        &west,
        "DescribeStream",
        &json!({"StreamName": "orders"}),
        400,
        "ResourceNotFoundException",
    );

    // DeleteStream: gone at once; reset forgets every stream.
    root.kinesis_ok("DeleteStream", &json!({"StreamARN": stream_arn("audit")}));
    let message = fails(
        &root,
        "DescribeStream",
        &json!({"StreamName": "audit"}),
        400,
        "ResourceNotFoundException",
    );
    assert_eq!(message, "Stream audit under account 123456789012 not found.");
    emu.reset();
    assert_eq!(
        root.kinesis_ok("ListStreams", &json!({}))["StreamNames"],
        json!([])
    );
}

#[test]
fn records_are_routed_by_partition_key_and_read_back_across_shards() {
    let emu = Emulator::start();
    let root = root(&emu);
    create(&root, "events", 4);
    let entries: Vec<Value> = (0..40)
        .map(|i| json!({"Data": data(i), "PartitionKey": format!("user-{}", i % 10)}))
        .collect();
    let put = root.kinesis_ok("PutRecords", &json!({"StreamName": "events", "Records": entries}));
    assert_eq!(put["FailedRecordCount"], 0);
    let results = put["Records"].as_array().unwrap();
    assert_eq!(results.len(), 40);
    // The same partition key always lands on the same shard.
    for i in 10..40 {
        assert_eq!(results[i]["ShardId"], results[i % 10]["ShardId"], "record {i}");
    }
    let used: std::collections::BTreeSet<&str> =
        results.iter().map(|r| r["ShardId"].as_str().unwrap()).collect();
    assert!(
        used.len() > 1,
        "ten keys over four shards use more than one: {used:?}"
    );
    let single = root.kinesis_ok(
        "PutRecord",
        &json!({"StreamName": "events", "Data": data(40), "PartitionKey": "user-3"}),
    );
    assert_eq!(single["ShardId"], results[3]["ShardId"]);

    // Sequence numbers: 56 digits, increasing in the order of the writes.
    let mut sequences = strings(&put["Records"], "SequenceNumber");
    sequences.push(single["SequenceNumber"].as_str().unwrap().to_string());
    for pair in sequences.windows(2) {
        assert_eq!(pair[0].len(), 56);
        assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
    }

    // Every shard read from TRIM_HORIZON in pages of 3: all 41 records, each
    // shard in sequence order, each record where PutRecords said it went.
    let mut seen = Vec::new();
    for shard in 0..4 {
        let shard_id = format!("shardId-{shard:012}");
        let it = iterator(
            &root,
            "events",
            &shard_id,
            &json!({"ShardIteratorType": "TRIM_HORIZON"}),
        );
        let records = read_all(&root, &it, 3);
        let numbers = strings(&Value::Array(records.clone()), "SequenceNumber");
        assert!(numbers.windows(2).all(|p| p[0] < p[1]));
        for record in &records {
            let at = sequences
                .iter()
                .position(|s| s == record["SequenceNumber"].as_str().unwrap())
                .expect("a sequence number PutRecords returned");
            let expected = if at == 40 { &single } else { &results[at] };
            assert_eq!(expected["ShardId"], shard_id.as_str());
            assert_eq!(record["Data"], data(at).as_str());
            let key = if at == 40 { 3 } else { at % 10 };
            assert_eq!(record["PartitionKey"], format!("user-{key}").as_str());
            assert!(record["ApproximateArrivalTimestamp"].as_f64().unwrap() > 1.6e9);
            seen.push(at);
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..41).collect::<Vec<_>>());

    // A reader behind the tip learns how far behind it is.
    let shard = results[0]["ShardId"].as_str().unwrap().to_string();
    let it = iterator(
        &root,
        "events",
        &shard,
        &json!({"ShardIteratorType": "TRIM_HORIZON"}),
    );
    let page = root.kinesis_ok("GetRecords", &json!({"ShardIterator": it, "Limit": 1}));
    assert_eq!(page["Records"].as_array().unwrap().len(), 1);
    assert!(page["MillisBehindLatest"].as_i64().unwrap() >= 0);
}

#[test]
fn iterator_types_start_where_aws_starts_them() {
    let emu = Emulator::start();
    let root = root(&emu);
    create(&root, "s", 2);
    // ExplicitHashKey 0 is shard 0's; the top key is shard 1's.
    let put = |n: usize, hash: &str| {
        root.kinesis_ok(
            "PutRecord",
            &json!({"StreamName": "s", "Data": data(n), "PartitionKey": "k", "ExplicitHashKey": hash}),
        )
    };
    let first = put(0, "0");
    assert_eq!(first["ShardId"], "shardId-000000000000");
    let second = put(1, "0");
    let elsewhere = put(2, "340282366920938463463374607431768211455");
    assert_eq!(elsewhere["ShardId"], "shardId-000000000001");
    let shard = "shardId-000000000000";

    let latest = iterator(&root, "s", shard, &json!({"ShardIteratorType": "LATEST"}));
    let trim = iterator(&root, "s", shard, &json!({"ShardIteratorType": "TRIM_HORIZON"}));
    let at = iterator(
        &root,
        "s",
        shard,
        &json!({"ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": second["SequenceNumber"]}),
    );
    let after = iterator(
        &root,
        "s",
        shard,
        &json!({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": first["SequenceNumber"]}),
    );
    let third = put(3, "0");
    let since = |it: &str| strings(&Value::Array(read_all(&root, it, 100)), "Data");
    assert_eq!(since(&trim), [data(0), data(1), data(3)]);
    assert_eq!(since(&latest), [data(3)]);
    assert_eq!(since(&at), [data(1), data(3)]);
    assert_eq!(since(&after), [data(1), data(3)]);
    let from_now = iterator(
        &root,
        "s",
        shard,
        &json!({"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": 4_102_444_800_u64}),
    );
    assert_eq!(since(&from_now), Vec::<String>::new());
    let from_start = iterator(
        &root,
        "s",
        shard,
        &json!({"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": 1_000_000_000.5}),
    );
    assert_eq!(since(&from_start).len(), 3);
    assert_eq!(third["ShardId"], shard);

    // A sequence number of another shard, or a made-up one, is refused.
    let message = fails(
        &root,
        "GetShardIterator",
        &json!({"StreamName": "s", "ShardId": shard, "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                "StartingSequenceNumber": elsewhere["SequenceNumber"]}),
        400,
        "InvalidArgumentException",
    );
    assert!(message.contains("It encodes shardId-000000000001"), "{message}");
    fails(
        &root,
        "GetShardIterator",
        &json!({"StreamName": "s", "ShardId": shard, "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                "StartingSequenceNumber": "12345"}),
        400,
        "InvalidArgumentException",
    );
    fails(
        &root,
        "GetShardIterator",
        &json!({"StreamName": "s", "ShardId": shard, "ShardIteratorType": "SOMEWHERE"}),
        400,
        "ValidationException",
    );
    let message = fails(
        &root,
        "GetShardIterator",
        &json!({"StreamName": "s", "ShardId": "shardId-000000000009", "ShardIteratorType": "LATEST"}),
        400,
        "ResourceNotFoundException",
    );
    assert_eq!(
        message,
        "Shard shardId-000000000009 in stream s under account 123456789012 does not exist"
    );
}

#[test]
fn iterators_expire_after_five_minutes() {
    use iam_emulator::services::kinesis::tokens::ShardIterator;
    let emu = Emulator::start();
    let root = root(&emu);
    create(&root, "s", 1);
    let fresh = iterator(
        &root,
        "s",
        "shardId-000000000000",
        &json!({"ShardIteratorType": "TRIM_HORIZON"}),
    );
    let mut stale = ShardIterator::decode(&fresh).expect("the emulator's own iterator");
    stale.issued_ms = now_ms() - 301_000;
    let message = fails(
        &root,
        "GetRecords",
        &json!({"ShardIterator": stale.encode()}),
        400,
        "ExpiredIteratorException",
    );
    assert!(
        message.starts_with("Iterator expired. The iterator was created at time "),
        "{message}"
    );
    assert!(
        message.ends_with("which is further in the future than the tolerated delay of 300000 milliseconds.")
    );
    // Four minutes old is still good, and its next iterator is fresh.
    stale.issued_ms = now_ms() - 240_000;
    let page = root.kinesis_ok("GetRecords", &json!({"ShardIterator": stale.encode()}));
    let next = ShardIterator::decode(page["NextShardIterator"].as_str().unwrap()).unwrap();
    assert!(next.issued_ms > stale.issued_ms);
    fails(
        &root,
        "GetRecords",
        &json!({"ShardIterator": "bm90IGFuIGl0ZXJhdG9y"}),
        400,
        "InvalidArgumentException",
    );
}

/// Milliseconds since 1970, now.
fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_millis()).expect("fits")
}

#[test]
fn errors_are_kinesis_json_errors() {
    let emu = Emulator::start();
    let root = root(&emu);
    let message = fails(
        &root,
        "DescribeStream",
        &json!({"StreamName": "nope"}),
        400,
        "ResourceNotFoundException",
    );
    assert_eq!(message, "Stream nope under account 123456789012 not found.");
    fails(
        &root,
        "PutRecord",
        &json!({"StreamName": "nope", "Data": data(1), "PartitionKey": "k"}),
        400,
        "ResourceNotFoundException",
    );
    let message = fails(
        &root,
        "CreateStream",
        &json!({"StreamName": "arn:aws:kinesis:us-east-1:123456789012:stream/x", "ShardCount": 1}),
        400,
        "ValidationException",
    );
    assert!(message.contains("at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"), "{message}");
    fails(
        &root,
        "DescribeStream",
        &json!({}),
        400,
        "InvalidArgumentException",
    );
    fails(
        &root,
        "ListStreams",
        &json!({"Limit": 0}),
        400,
        "ValidationException",
    );
    fails(&root, "Frobnicate", &json!({}), 400, "UnknownOperationException");
    fails(&root, "SplitShard", &json!({}), 501, "NotImplemented");

    fails(
        &root,
        "PutRecord",
        &json!({"StreamName": "nope", "Data": "not base64!", "PartitionKey": "k"}),
        400,
        "SerializationException",
    );

    // Unsigned calls get no answer.
    let reply = emu.send(&iam_harness::Request {
        method: "POST".into(),
        url: format!("{}/", emu.endpoint()),
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            ("x-amz-target".into(), "Kinesis_20131202.ListStreams".into()),
        ],
        body: b"{}".to_vec(),
    });
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["__type"], "MissingAuthenticationTokenException");
}

/// `n` zero bytes in base64.
fn zeros(n: usize) -> String {
    let mut text = "A".repeat(n / 3 * 4);
    text.push_str(["", "AA==", "AAA="][n % 3]);
    text
}

#[test]
fn records_and_calls_have_aws_size_limits() {
    // Bodies over 1 MiB are spooled to a file; this test sends them under
    // --auth off (the signature check is the same for every body size).
    let emu = Emulator::builder().auth(AuthMode::Off).start();
    let root = root(&emu);
    create(&root, "s", 1);
    let put = |bytes: usize, key: &str| {
        root.kinesis(
            "PutRecord",
            &json!({"StreamName": "s", "Data": zeros(bytes), "PartitionKey": key}),
        )
    };
    // A record is at most 1 MiB, data and partition key together.
    assert_eq!(put(1024 * 1024 - 1, "k").status, 200);
    let over = put(1024 * 1024 + 1, "k");
    assert_eq!(over.json()["__type"], "ValidationException", "{}", over.body);
    let over = put(1024 * 1024, "k");
    assert_eq!(over.json()["__type"], "InvalidArgumentException", "{}", over.body);
    // PutRecords carries 1 to 500 records.
    let records = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"Data": data(i), "PartitionKey": "k"}))
            .collect()
    };
    root.kinesis_ok("PutRecords", &json!({"StreamName": "s", "Records": records(500)}));
    for n in [0, 501] {
        fails(
            &root,
            "PutRecords",
            &json!({"StreamName": "s", "Records": records(n)}),
            400,
            "ValidationException",
        );
    }
    let it = iterator(
        &root,
        "s",
        "shardId-000000000000",
        &json!({"ShardIteratorType": "TRIM_HORIZON"}),
    );
    let page = root.kinesis_ok("GetRecords", &json!({"ShardIterator": it, "Limit": 2}));
    assert_eq!(page["Records"][0]["Data"], zeros(1024 * 1024 - 1).as_str());
    assert_eq!(page["Records"][1]["Data"], data(0).as_str());
}

#[test]
fn cbor_is_refused_in_cbor_saying_how_to_turn_it_off() {
    // Signatures are not checked under --auth off, so the signed JSON call
    // can be turned into a CBOR one (the Java SDKs' default for Kinesis).
    let emu = Emulator::builder().auth(AuthMode::Off).start();
    let mut req = root(&emu).sign_query("kinesis", &[]);
    req.set_header("content-type", "application/x-amz-cbor-1.1");
    req.set_header("x-amz-target", "Kinesis_20131202.ListStreams");
    req.body = vec![0xa0]; // {}
    let reply = root(&emu).send(&req);
    assert_eq!(reply.status, 415);
    assert_eq!(reply.header("content-type"), Some("application/x-amz-cbor-1.1"));
    assert_eq!(
        reply.header("x-amzn-errortype"),
        Some("UnsupportedMediaTypeException")
    );
    assert_eq!(reply.bytes[0], 0xa2, "a CBOR map of __type and message");
    assert!(reply.body.contains("AWS_CBOR_DISABLE=1"), "{}", reply.body);
    assert!(reply.body.contains("aws.cborEnabled=false"));
    // The same call in JSON goes through.
    assert_eq!(
        root(&emu).kinesis_ok("ListStreams", &json!({}))["StreamNames"],
        json!([])
    );
}

#[test]
fn users_without_permission_are_denied_with_awss_message() {
    let emu = Emulator::start();
    let root = root(&emu);
    create(&root, "s", 1);
    let bob = emu.client(&root.create_user_with_keys("bob"));
    let message = fails(&bob, "ListStreams", &json!({}), 400, "AccessDeniedException");
    assert_eq!(
        message,
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: kinesis:ListStreams \
         because no identity-based policy allows the kinesis:ListStreams action"
    );
    let message = fails(
        &bob,
        "DescribeStream",
        &json!({"StreamName": "s"}),
        400,
        "AccessDeniedException",
    );
    assert_eq!(
        message,
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: kinesis:DescribeStream \
         on resource: arn:aws:kinesis:us-east-1:123456789012:stream/s because no identity-based policy \
         allows the kinesis:DescribeStream action"
    );
    // Authorization comes first: a stream that does not exist is not revealed.
    fails(
        &bob,
        "DescribeStream",
        &json!({"StreamName": "absent"}),
        400,
        "AccessDeniedException",
    );
    let decision = &emu.decisions(1)[0];
    assert_eq!(decision["action"], "kinesis:DescribeStream");
    assert_eq!(decision["resource"], stream_arn("absent"));

    // An explicit deny wins over an allow, and says so.
    root.put_user_policy(
        "bob",
        "mixed",
        &policy(&[
            allow("kinesis:*", "*"),
            r#"{"Effect":"Deny","Action":"kinesis:PutRecord","Resource":"*"}"#.to_string(),
        ]),
    );
    let message = fails(
        &bob,
        "PutRecord",
        &json!({"StreamName": "s", "Data": data(1), "PartitionKey": "k"}),
        400,
        "AccessDeniedException",
    );
    assert!(
        message.ends_with("with an explicit deny in an identity-based policy"),
        "{message}"
    );
    bob.kinesis_ok("DescribeStreamSummary", &json!({"StreamName": "s"}));

    // CreateStream with Tags also needs kinesis:AddTagsToStream.
    root.put_user_policy("bob", "mixed", &policy(&[allow("kinesis:CreateStream", "*")]));
    bob.kinesis_ok("CreateStream", &json!({"StreamName": "plain", "ShardCount": 1}));
    let message = fails(
        &bob,
        "CreateStream",
        &json!({"StreamName": "tagged", "ShardCount": 1, "Tags": {"team": "data"}}),
        400,
        "AccessDeniedException",
    );
    assert!(message.contains("kinesis:AddTagsToStream"), "{message}");
}

#[test]
fn other_accounts_streams_need_a_resource_policy() {
    let emu = Emulator::builder()
        .root_key("111111111111", "AKIAOTHERACCOUNT0001", "other-secret")
        .start();
    create(&root(&emu), "shared", 1);
    let other = emu.client(&iam_harness::Credentials::new(
        "AKIAOTHERACCOUNT0001",
        "other-secret",
    ));
    // By name, a stream is the caller's own: the other account has none.
    fails(
        &other,
        "DescribeStream",
        &json!({"StreamName": "shared"}),
        400,
        "ResourceNotFoundException",
    );
    // By ARN it is this account's, and nothing grants the other one access.
    let message = fails(
        &other,
        "DescribeStream",
        &json!({"StreamARN": stream_arn("shared")}),
        400,
        "AccessDeniedException",
    );
    assert!(
        message.starts_with(&format!(
            "User: arn:aws:iam::111111111111:root is not authorized to perform: kinesis:DescribeStream on resource: {}",
            stream_arn("shared")
        )),
        "{message}"
    );
    let it = iterator(
        &root(&emu),
        "shared",
        "shardId-000000000000",
        &json!({"ShardIteratorType": "TRIM_HORIZON"}),
    );
    fails(
        &other,
        "GetRecords",
        &json!({"ShardIterator": it}),
        400,
        "AccessDeniedException",
    );
}

#[test]
fn stream_tags_are_listed_and_condition_access() {
    let emu = Emulator::start();
    let root = root(&emu);
    root.kinesis_ok(
        "CreateStream",
        &json!({"StreamName": "tagged", "ShardCount": 1, "Tags": {"team": "data"}}),
    );
    create(&root, "other", 1);
    root.kinesis_ok(
        "AddTagsToStream",
        &json!({"StreamName": "tagged", "Tags": {"env": "test", "owner": "ann"}}),
    );
    root.kinesis_ok(
        "RemoveTagsFromStream",
        &json!({"StreamARN": stream_arn("tagged"), "TagKeys": ["owner"]}),
    );
    let page = root.kinesis_ok("ListTagsForStream", &json!({"StreamName": "tagged", "Limit": 1}));
    assert_eq!(page["Tags"], json!([{"Key": "env", "Value": "test"}]));
    assert_eq!(page["HasMoreTags"], true);
    let rest = root.kinesis_ok(
        "ListTagsForStream",
        &json!({"StreamName": "tagged", "ExclusiveStartTagKey": "env"}),
    );
    assert_eq!(rest["Tags"], json!([{"Key": "team", "Value": "data"}]));
    assert_eq!(rest["HasMoreTags"], false);

    // aws:ResourceTag/team decides which streams carol may describe.
    let carol = emu.client(&root.create_user_with_keys("carol"));
    root.put_user_policy(
        "carol",
        "by-tag",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:DescribeStream",
            "Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"data"}}}]}"#,
    );
    carol.kinesis_ok("DescribeStream", &json!({"StreamName": "tagged"}));
    fails(
        &carol,
        "DescribeStream",
        &json!({"StreamName": "other"}),
        400,
        "AccessDeniedException",
    );
}

/// The upsolver-kinesis guide's policy for STREAM, with its first action as given.
fn upsolver_policy(get_action: &str, stream: &str) -> String {
    let arn = stream_arn(stream);
    policy(&[
        format!(r#"{{"Effect":"Allow","Action":["{get_action}"],"Resource":["{arn}"]}}"#),
        format!(r#"{{"Effect":"Allow","Action":["kinesis:DescribeStream"],"Resource":["{arn}"]}}"#),
        r#"{"Effect":"Allow","Action":["kinesis:ListStreams"],"Resource":["*"]}"#.to_string(),
    ])
}

#[test]
fn upsolver_guide_policy_allows_the_read_path_only_when_corrected() {
    let emu = Emulator::start();
    let root = root(&emu);
    create(&root, "upsolver-input", 2);
    create(&root, "elsewhere", 1);
    root.kinesis_ok(
        "PutRecord",
        &json!({"StreamName": "upsolver-input", "Data": data(7), "PartitionKey": "p"}),
    );

    // Corrected (`kinesis:Get*`): list, describe, iterate and read.
    let reader = emu.client(&root.create_user_with_keys("upsolver"));
    let arn = root.create_policy(
        "UpsolverKinesisPolicy",
        &upsolver_policy("kinesis:Get*", "upsolver-input"),
    );
    root.attach_user_policy("upsolver", &arn);
    let names = reader.kinesis_ok("ListStreams", &json!({}))["StreamNames"].clone();
    assert_eq!(names, json!(["elsewhere", "upsolver-input"]));
    let shards = reader.kinesis_ok("DescribeStream", &json!({"StreamName": "upsolver-input"}))
        ["StreamDescription"]["Shards"]
        .clone();
    let mut read = Vec::new();
    for shard in strings(&shards, "ShardId") {
        let it = iterator(
            &reader,
            "upsolver-input",
            &shard,
            &json!({"ShardIteratorType": "TRIM_HORIZON"}),
        );
        read.extend(strings(&Value::Array(read_all(&reader, &it, 10)), "Data"));
    }
    assert_eq!(read, [data(7)]);
    // …and nothing more: no writes, no other stream.
    fails(
        &reader,
        "PutRecord",
        &json!({"StreamName": "upsolver-input", "Data": data(8), "PartitionKey": "p"}),
        400,
        "AccessDeniedException",
    );
    fails(
        &reader,
        "DescribeStream",
        &json!({"StreamName": "elsewhere"}),
        400,
        "AccessDeniedException",
    );

    // As printed (`"kinesis: Get*"`, with a space): IAM accepts it, but it
    // grants nothing, so the guide's reader cannot read.
    let literal = emu.client(&root.create_user_with_keys("upsolver-literal"));
    let arn = root.create_policy(
        "UpsolverLiteral",
        &upsolver_policy("kinesis: Get*", "upsolver-input"),
    );
    root.attach_user_policy("upsolver-literal", &arn);
    literal.kinesis_ok("ListStreams", &json!({}));
    literal.kinesis_ok("DescribeStream", &json!({"StreamName": "upsolver-input"}));
    let message = fails(
        &literal,
        "GetShardIterator",
        &json!({"StreamName": "upsolver-input", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"}),
        400,
        "AccessDeniedException",
    );
    assert_eq!(
        message,
        "User: arn:aws:iam::123456789012:user/upsolver-literal is not authorized to perform: \
         kinesis:GetShardIterator on resource: arn:aws:kinesis:us-east-1:123456789012:stream/upsolver-input \
         because no identity-based policy allows the kinesis:GetShardIterator action"
    );
    let it = iterator(
        &root,
        "upsolver-input",
        "shardId-000000000000",
        &json!({"ShardIteratorType": "TRIM_HORIZON"}),
    );
    let message = fails(
        &literal,
        "GetRecords",
        &json!({"ShardIterator": it}),
        400,
        "AccessDeniedException",
    );
    assert!(
        message.contains(
            "kinesis:GetRecords on resource: arn:aws:kinesis:us-east-1:123456789012:stream/upsolver-input"
        ),
        "{message}"
    );
}
