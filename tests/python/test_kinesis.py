"""Kinesis Data Streams with boto3 (and a little aws CLI): the read path
across shards, every iterator type, pagination (paginators and raw tokens),
shard routing by the MD5 of the partition key, AWS's errors, and denials
(HTTP 400 AccessDeniedException with AWS's message), including the
upsolver-kinesis guide's policy, corrected and as printed."""
import hashlib
import json
import time

import botocore.exceptions
import pytest

from conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, allow, doc, error_of


@pytest.fixture
def kinesis(emulator):
    return emulator.client("kinesis")


def arn(stream, region="us-east-1"):
    return f"arn:aws:kinesis:{region}:{ACCOUNT}:stream/{stream}"


def create(kinesis, stream, shards):
    kinesis.create_stream(StreamName=stream, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 3})


def fails(call, code, **params):
    """Calls; asserts a ClientError with this code and HTTP 400; returns the message."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**params)
    got, status, message = error_of(e)
    assert (got, status) == (code, 400), message
    return message


def read_shard(kinesis, stream, shard_id, limit=100, **start):
    """Every record of a shard from `start` (default TRIM_HORIZON) to the tip."""
    start = start or {"ShardIteratorType": "TRIM_HORIZON"}
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, **start)["ShardIterator"]
    records = []
    while True:
        page = kinesis.get_records(ShardIterator=iterator, Limit=limit)
        records += page["Records"]
        iterator = page["NextShardIterator"]
        if not page["Records"]:
            assert page["MillisBehindLatest"] == 0
            return records


def shard_ids(kinesis, stream):
    return [s["ShardId"] for s in kinesis.list_shards(StreamName=stream)["Shards"]]


def test_read_path_across_shards(kinesis, name):
    create(kinesis, name, 3)
    summary = kinesis.describe_stream_summary(StreamARN=arn(name))["StreamDescriptionSummary"]
    assert (summary["StreamStatus"], summary["OpenShardCount"], summary["StreamARN"]) == ("ACTIVE", 3, arn(name))

    sent = {f"key-{i}": f"payload {i}".encode() for i in range(12)}
    put = kinesis.put_records(StreamName=name, Records=[{"Data": d, "PartitionKey": k} for k, d in sent.items()])
    assert put["FailedRecordCount"] == 0 and len(put["Records"]) == 12
    one = kinesis.put_record(StreamARN=arn(name), Data=b"\x00\xffbinary", PartitionKey="key-0")
    assert one["ShardId"] == put["Records"][0]["ShardId"]
    assert len(one["SequenceNumber"]) == 56

    received = {}
    for shard in shard_ids(kinesis, name):
        records = read_shard(kinesis, name, shard, limit=2)
        numbers = [int(r["SequenceNumber"]) for r in records]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        for r in records:
            received.setdefault(r["PartitionKey"], []).append(r["Data"])
            assert r["ApproximateArrivalTimestamp"].year >= 2024
    assert received == {**{k: [d] for k, d in sent.items()}, "key-0": [sent["key-0"], b"\x00\xffbinary"]}


def test_iterator_types(kinesis, name):
    create(kinesis, name, 1)
    shard = "shardId-000000000000"
    first = kinesis.put_record(StreamName=name, Data=b"1", PartitionKey="k")
    latest = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    time.sleep(1.1)  # boto3 sends AT_TIMESTAMP in whole seconds
    second = kinesis.put_record(StreamName=name, Data=b"2", PartitionKey="k")

    def data(**start):
        return [r["Data"] for r in read_shard(kinesis, name, shard, **start)]

    assert data() == [b"1", b"2"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=latest)["Records"]] == [b"2"]
    assert data(ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=first["SequenceNumber"]) == [b"1", b"2"]
    assert data(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=first["SequenceNumber"]) == [b"2"]
    assert data(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=second["SequenceNumber"]) == []
    arrived = read_shard(kinesis, name, shard)[1]["ApproximateArrivalTimestamp"]
    assert data(ShardIteratorType="AT_TIMESTAMP", Timestamp=arrived) == [b"2"]


def test_same_partition_key_lands_on_one_shard(kinesis, name):
    create(kinesis, name, 4)
    shards = kinesis.list_shards(StreamName=name)["Shards"]

    def expected_shard(key):
        # AWS: "An MD5 hash function is used to map partition keys to 128-bit integer values".
        value = int.from_bytes(hashlib.md5(key.encode()).digest(), "big")
        return next(s["ShardId"] for s in shards
                    if int(s["HashKeyRange"]["StartingHashKey"]) <= value <= int(s["HashKeyRange"]["EndingHashKey"]))

    keys = [f"device-{i}" for i in range(8)]
    landed = {}
    for round_ in range(3):
        result = kinesis.put_records(StreamName=name, Records=[{"Data": f"{k}/{round_}".encode(), "PartitionKey": k}
                                                              for k in keys])
        for key, entry in zip(keys, result["Records"]):
            landed.setdefault(key, set()).add(entry["ShardId"])
    for key in keys:
        assert landed[key] == {expected_shard(key)}, key
    for shard in shards:
        for r in read_shard(kinesis, name, shard["ShardId"]):
            assert expected_shard(r["PartitionKey"]) == shard["ShardId"]
    # ExplicitHashKey overrides the partition key.
    top = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="device-0",
                             ExplicitHashKey=str(2 ** 128 - 1))
    assert top["ShardId"] == "shardId-000000000003"


def test_pagination(emulator, name):
    # A region of its own, so other tests' streams do not show up.
    kinesis = emulator.client("kinesis", region="ap-southeast-2")
    streams = [f"{name}-{i}" for i in range(5)]
    for stream in streams:
        create(kinesis, stream, 1)
    pages = list(kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [n for p in pages for n in p["StreamNames"]] == streams
    assert [s["StreamARN"] for p in pages for s in p["StreamSummaries"]] == [arn(s, "ap-southeast-2") for s in streams]
    page = kinesis.list_streams(Limit=2, ExclusiveStartStreamName=streams[1])
    assert page["StreamNames"] == streams[2:4] and page["HasMoreStreams"] is True

    kinesis.create_stream(StreamName=name, ShardCount=5)
    pages = list(kinesis.get_paginator("describe_stream").paginate(StreamName=name, PaginationConfig={"PageSize": 2}))
    assert [len(p["StreamDescription"]["Shards"]) for p in pages] == [2, 2, 1]
    assert [s["ShardId"] for p in pages for s in p["StreamDescription"]["Shards"]] == \
        [f"shardId-{i:012}" for i in range(5)]

    # ListShards: the NextToken alone names the stream.
    page = kinesis.list_shards(StreamName=name, MaxResults=2)
    ids = [s["ShardId"] for s in page["Shards"]]
    while "NextToken" in page:
        page = kinesis.list_shards(NextToken=page["NextToken"], MaxResults=2)
        ids += [s["ShardId"] for s in page["Shards"]]
    assert ids == [f"shardId-{i:012}" for i in range(5)]
    # boto3's own list_shards paginator repeats StreamName with the token,
    # which AWS refuses (botocore issue #2009); so does the emulator.
    paginator = kinesis.get_paginator("list_shards")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        list(paginator.paginate(StreamName=name, PaginationConfig={"PageSize": 2}))
    assert error_of(e)[2] == "NextToken and StreamName cannot be provided together."


def test_errors(kinesis, name):
    message = fails(kinesis.describe_stream, "ResourceNotFoundException", StreamName=name)
    assert message == f"Stream {name} under account {ACCOUNT} not found."
    create(kinesis, name, 1)
    message = fails(kinesis.create_stream, "ResourceInUseException", StreamName=name, ShardCount=1)
    assert message == f"Stream {name} under account {ACCOUNT} already exists."
    fails(kinesis.get_shard_iterator, "ResourceNotFoundException", StreamName=name, ShardId="shardId-000000000007",
          ShardIteratorType="LATEST")
    fails(kinesis.get_records, "InvalidArgumentException", ShardIterator="bm90LWFuLWl0ZXJhdG9y")
    fails(kinesis.put_records, "ValidationException", StreamName=name,
          Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 3})


def test_put_records_over_one_mib(kinesis, name):
    create(kinesis, name, 1)
    result = kinesis.put_records(StreamName=name, Records=[{"Data": b"x" * 500_000, "PartitionKey": str(i)}
                                                          for i in range(3)])
    assert result["FailedRecordCount"] == 0


def user_kinesis(emulator, user):
    return emulator.client("kinesis", user.key, user.secret)


def test_denials_carry_awss_message(emulator, kinesis, user, name):
    create(kinesis, name, 1)
    theirs = user_kinesis(emulator, user)
    message = fails(theirs.list_streams, "AccessDeniedException")
    assert message == (f"User: {user.arn} is not authorized to perform: kinesis:ListStreams "
                       "because no identity-based policy allows the kinesis:ListStreams action")
    message = fails(theirs.put_record, "AccessDeniedException", StreamName=name, Data=b"x", PartitionKey="k")
    assert message == (f"User: {user.arn} is not authorized to perform: kinesis:PutRecord on resource: "
                       f"{arn(name)} because no identity-based policy allows the kinesis:PutRecord action")
    user.allow(allow("kinesis:PutRecord", arn(name)))
    theirs.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    fails(theirs.put_records, "AccessDeniedException", StreamName=name, Records=[{"Data": b"x", "PartitionKey": "k"}])


def upsolver_policy(get_action, stream):
    """The upsolver-kinesis guide's policy, with its first action as given."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [get_action], "Resource": [arn(stream)]},
        {"Effect": "Allow", "Action": ["kinesis:DescribeStream"], "Resource": [arn(stream)]},
        {"Effect": "Allow", "Action": ["kinesis:ListStreams"], "Resource": ["*"]},
    ]})


def test_upsolver_guide_policy(emulator, iam, kinesis, user, name):
    create(kinesis, name, 2)
    kinesis.put_record(StreamName=name, Data=b"event", PartitionKey="p")
    theirs = user_kinesis(emulator, user)

    # As printed: "kinesis: Get*" (with a space) is accepted by IAM but grants nothing.
    literal = iam.create_policy(PolicyName=f"{name}-literal", PolicyDocument=upsolver_policy("kinesis: Get*", name))
    iam.attach_user_policy(UserName=user.name, PolicyArn=literal["Policy"]["Arn"])
    assert name in theirs.list_streams()["StreamNames"]
    shards = [s["ShardId"] for s in theirs.describe_stream(StreamName=name)["StreamDescription"]["Shards"]]
    message = fails(theirs.get_shard_iterator, "AccessDeniedException", StreamName=name, ShardId=shards[0],
                    ShardIteratorType="TRIM_HORIZON")
    assert message == (f"User: {user.arn} is not authorized to perform: kinesis:GetShardIterator on resource: "
                       f"{arn(name)} because no identity-based policy allows the kinesis:GetShardIterator action")
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shards[0],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    fails(theirs.get_records, "AccessDeniedException", ShardIterator=iterator)

    # Corrected ("kinesis:Get*"): the whole read path.
    iam.detach_user_policy(UserName=user.name, PolicyArn=literal["Policy"]["Arn"])
    fixed = iam.create_policy(PolicyName=f"{name}-fixed", PolicyDocument=upsolver_policy("kinesis:Get*", name))
    iam.attach_user_policy(UserName=user.name, PolicyArn=fixed["Policy"]["Arn"])
    data = [r["Data"] for shard in shards for r in read_shard(theirs, name, shard)]
    assert data == [b"event"]
    fails(theirs.put_record, "AccessDeniedException", StreamName=name, Data=b"x", PartitionKey="p")


def test_cli_kinesis(emulator, name):
    emulator.cli("kinesis", "create-stream", "--stream-name", name, "--shard-count", "2")
    _, listed, _ = emulator.cli("kinesis", "list-streams")
    assert name in listed["StreamNames"]
    _, summary, _ = emulator.cli("kinesis", "describe-stream-summary", "--stream-name", name)
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 2
    code, _, err = emulator.cli("kinesis", "describe-stream", "--stream-name", f"{name}-absent", check=False)
    assert code != 0 and "ResourceNotFoundException" in err


# ------------------------------------------------------------ resource policies

def share_with_other_account(stream_arn, *actions):
    return doc({"Sid": "Share", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                "Action": list(actions), "Resource": stream_arn})


def test_a_resource_policy_lets_another_account_in_by_stream_arn(emulator, kinesis, name):
    create(kinesis, name, 1)
    stream = arn(name)
    other = emulator.client("kinesis", OTHER_KEY, OTHER_SECRET)
    # Another account's root has every permission of its own, but none on
    # this stream until the stream's policy grants it: cross-account access
    # needs both sides.
    message = fails(other.put_record, "AccessDeniedException", StreamARN=stream, Data=b"x", PartitionKey="k")
    assert "because no resource-based policy allows the kinesis:PutRecord action" in message

    assert kinesis.get_resource_policy(ResourceARN=stream)["Policy"] == "{}"
    policy = share_with_other_account(stream, "kinesis:PutRecord", "kinesis:DescribeStreamSummary")
    kinesis.put_resource_policy(ResourceARN=stream, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=stream)["Policy"] == policy

    put = other.put_record(StreamARN=stream, Data=b"from the other account", PartitionKey="k")
    assert put["ShardId"] == "shardId-000000000000"
    assert other.describe_stream_summary(StreamARN=stream)["StreamDescriptionSummary"]["StreamARN"] == stream
    # Only what the policy names: reading stays the owner's.
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    fails(other.get_shard_iterator, "AccessDeniedException", StreamARN=stream, ShardId=shard,
          ShardIteratorType="TRIM_HORIZON")
    assert [r["Data"] for r in read_shard(kinesis, name, shard)] == [b"from the other account"]

    kinesis.delete_resource_policy(ResourceARN=stream)
    fails(other.put_record, "AccessDeniedException", StreamARN=stream, Data=b"x", PartitionKey="k")
    message = fails(kinesis.delete_resource_policy, "ResourceNotFoundException", ResourceARN=stream)
    assert stream in message


def test_only_the_owners_account_manages_the_policy_whatever_it_grants(emulator, kinesis, name):
    # PutResourcePolicy: "the calling identity must have the PutResourcePolicy
    # permissions … and belong to the owner's account in order to use this
    # operation" (Kinesis API Reference).
    create(kinesis, name, 1)
    stream = arn(name)
    kinesis.put_resource_policy(ResourceARN=stream, Policy=share_with_other_account(
        stream, "kinesis:GetResourcePolicy", "kinesis:PutResourcePolicy", "kinesis:DeleteResourcePolicy"))
    other = emulator.client("kinesis", OTHER_KEY, OTHER_SECRET)
    fails(other.get_resource_policy, "AccessDeniedException", ResourceARN=stream)
    fails(other.delete_resource_policy, "AccessDeniedException", ResourceARN=stream)
    fails(other.put_resource_policy, "AccessDeniedException", ResourceARN=stream, Policy=doc(
        {"Effect": "Allow", "Principal": "*", "Action": "kinesis:*", "Resource": stream}))
    assert "kinesis:GetResourcePolicy" in kinesis.get_resource_policy(ResourceARN=stream)["Policy"]


def test_policy_operations_are_authorized_and_checked(emulator, iam, kinesis, name):
    create(kinesis, name, 1)
    stream = arn(name)
    fails(kinesis.put_resource_policy, "InvalidArgumentException", ResourceARN=stream, Policy="not json")
    fails(kinesis.put_resource_policy, "InvalidArgumentException", ResourceARN=stream,
          Policy=doc(allow("kinesis:PutRecord", stream)))  # no Principal
    fails(kinesis.get_resource_policy, "ResourceNotFoundException", ResourceARN=arn(name + "-missing"))
    # Consumers are not served: their ARN is answered as such, never as the stream's.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kinesis.get_resource_policy(ResourceARN=f"{stream}/consumer/c:1700000000")
    assert error_of(e)[:2] == ("NotImplemented", 501)

    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(allow("kinesis:GetResourcePolicy", stream)))
    user = emulator.client("kinesis", key["AccessKeyId"], key["SecretAccessKey"])
    assert user.get_resource_policy(ResourceARN=stream)["Policy"] == "{}"
    message = fails(user.put_resource_policy, "AccessDeniedException", ResourceARN=stream,
                    Policy=share_with_other_account(stream, "kinesis:PutRecord"))
    assert "kinesis:PutResourcePolicy" in message


def test_a_resource_policy_survives_a_restart(fresh_emulator, tmp_path):
    first = fresh_emulator("--state-dir", str(tmp_path))
    stream = arn("kept")
    create(first.client("kinesis"), "kept", 1)
    policy = share_with_other_account(stream, "kinesis:PutRecord")
    first.client("kinesis").put_resource_policy(ResourceARN=stream, Policy=policy)
    assert first.stop() == 0
    second = fresh_emulator("--state-dir", str(tmp_path))
    assert second.client("kinesis").get_resource_policy(ResourceARN=stream)["Policy"] == policy
    other = second.client("kinesis", OTHER_KEY, OTHER_SECRET)
    assert other.put_record(StreamARN=stream, Data=b"x", PartitionKey="k")["ShardId"]

