"""Every operation of botocore's S3 model, driven once with boto3 the way a
user's client sends it: none may answer NotImplemented by accident, none may
be answered by another operation (a listing for a configuration, a deleted
bucket or an overwritten object for a sub-resource). Operations
intentionally not served are listed below with the reason; operations of a
botocore newer than the table's (emulator/data/botocore/s3.json) must be
answered NotImplemented, naming their sub-resource. (That each is
authorized as its own action is the Rust table test's and
tests/tests/s3_configs.rs's.)

Round trips of the configurations, each put then got back, follow.
"""
import datetime
import json
import pathlib
import uuid

import boto3
import botocore.config
import botocore.exceptions
import botocore.session
import pytest

from conftest import ROOT_KEY, ROOT_SECRET

MODEL = botocore.session.get_session().get_service_model("s3")

# The botocore the operation table was built from.
TABLE_MODEL = json.loads((pathlib.Path(__file__).resolve().parents[2] / "emulator" / "data" / "botocore" / "s3.json").read_text())
KNOWN = {o["name"] for o in TABLE_MODEL["operations"]}

# Recognised by the operation table, answered NotImplemented on purpose.
UNSERVED = {
    "CreateSession": "directory buckets (S3 Express One Zone) are not emulated",
    "RenameObject": "directory buckets only",
    "WriteGetObjectResponse": "S3 Object Lambda is not emulated",
    "SelectObjectContent": "S3 Select is closed to new AWS customers; not emulated",
    "GetObjectTorrent": "BitTorrent is no longer served by AWS",
    "RestoreObject": "archive storage classes are not emulated",
    "UpdateObjectEncryption": "changing an object's encryption in place is not emulated",
}

# Root elements of replies that would mean another operation answered.
FOREIGN_ROOTS = {
    "ListBucketResult": {"ListObjects", "ListObjectsV2"},
    "ListAllMyBucketsResult": {"ListBuckets"},
    "ListVersionsResult": {"ListObjectVersions"},
}


def dummy(shape, name="", depth=0):
    """A value for a required member of `shape` (enums take their first value)."""
    kind = shape.type_name
    if kind == "structure":
        return {m: dummy(shape.members[m], m, depth + 1) for m in shape.required_members}
    if kind == "list":
        return [dummy(shape.member, name, depth + 1)]
    if kind == "string":
        return shape.enum[0] if shape.enum else "x"
    if kind in ("integer", "long"):
        return 1
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
    if kind == "blob":
        return b"x"
    return "x"


def params_for(op, bucket, key, lock_bucket, upload_id):
    shape = MODEL.operation_model(op).input_shape
    params = dummy(shape) if shape is not None else {}
    if "Bucket" in params:
        params["Bucket"] = bucket
    if "Key" in params:
        params["Key"] = key
    if "UploadId" in params:
        params["UploadId"] = upload_id
    if "Id" in params:
        params["Id"] = "cfg1"
    special = {
        "CopyObject": {"CopySource": f"{bucket}/{key}", "Key": "copy"},
        "PutObject": {"Key": "put-target", "Body": b"new"},
        "UpdateObjectEncryption": {"ObjectEncryption": {"SSEKMS": {
            "KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}}},
        "UploadPartCopy": {"CopySource": f"{bucket}/{key}"},
        "PutObjectRetention": {"Bucket": lock_bucket, "Retention": {"Mode": "GOVERNANCE",
                               "RetainUntilDate": datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)}},
        "GetObjectRetention": {"Bucket": lock_bucket},
        "PutObjectLegalHold": {"Bucket": lock_bucket, "LegalHold": {"Status": "OFF"}},
        "GetObjectLegalHold": {"Bucket": lock_bucket},
        "PutObjectLockConfiguration": {"Bucket": lock_bucket,
                                       "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}},
        "GetObjectLockConfiguration": {"Bucket": lock_bucket},
        "GetObjectAttributes": {"ObjectAttributes": ["ETag", "ObjectSize"]},
        "CreateBucket": {"Bucket": "created-" + uuid.uuid4().hex[:8]},
        "DeleteBucket": {"Bucket": "doomed-" + bucket[-8:]},
        "DeleteObject": {"Key": "doomed"},
        "DeleteObjects": {"Delete": {"Objects": [{"Key": "doomed-too"}]}},
        "PutBucketCors": {"CORSConfiguration": {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}},
        "PutBucketAnalyticsConfiguration": {"AnalyticsConfiguration": {"Id": "cfg1", "StorageClassAnalysis": {}}},
        "PutBucketMetricsConfiguration": {"MetricsConfiguration": {"Id": "cfg1"}},
        "PutBucketPolicy": {"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
             "Resource": f"arn:aws:s3:::{bucket}", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]})},
    }
    params.update(special.get(op, {}))
    return params


@pytest.fixture(scope="module")
def setup(emulator):
    # WriteGetObjectResponse would put its route in the host name.
    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name="us-east-1",
                      aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET,
                      config=botocore.config.Config(inject_host_prefix=False))
    bucket = "ops-" + uuid.uuid4().hex[:10]
    lock_bucket = bucket + "-lock"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket="doomed-" + bucket[-8:])
    s3.create_bucket(Bucket=lock_bucket, ObjectLockEnabledForBucket=True)
    for k in ["k", "doomed", "doomed-too"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"original")
    s3.put_object(Bucket=lock_bucket, Key="k", Body=b"locked")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    return s3, bucket, lock_bucket, upload_id


def operation_names():
    order = sorted(MODEL.operation_names)
    # Destructive ones last.
    last = ["AbortMultipartUpload", "DeleteObject", "DeleteObjects", "DeleteBucket"]
    return [o for o in order if o not in last] + last


@pytest.mark.parametrize("op", operation_names())
def test_every_operation_is_its_own(emulator, setup, op):
    s3, bucket, lock_bucket, upload_id = setup
    seen = {}

    def capture(response_dict=None, **_):
        body = (response_dict or {}).get("body")
        seen["body"] = body if isinstance(body, bytes) else b""

    s3.meta.events.register("before-parse.s3.*", capture)
    method = getattr(s3, botocore.xform_name(op))
    params = params_for(op, bucket, "k", lock_bucket, upload_id)
    error = None
    try:
        result = method(**params)
        if "Body" in result and hasattr(result["Body"], "read"):
            result["Body"].read()
    except botocore.exceptions.ClientError as e:
        error = e.response["Error"]
    except botocore.exceptions.ParamValidationError as e:
        pytest.fail(f"{op}: test parameters are not valid for botocore: {e}")
    finally:
        s3.meta.events.unregister("before-parse.s3.*", capture)
    if op in UNSERVED:
        assert error is not None and error["Code"] == "NotImplemented", (op, error)
        assert op in error["Message"], error
        return
    if op not in KNOWN:
        # Newer than the table: "not implemented", never another operation
        # (DeleteObjectAnnotation must not delete the object).
        assert error is not None and error["Code"] == "NotImplemented", (op, error)
        sub_resource = MODEL.operation_model(op).http["requestUri"].split("?", 1)[1].split("&")[0]
        assert f"?{sub_resource}" in error["Message"], error
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"original", op
        return
    assert error is None or error["Code"] != "NotImplemented", (op, error)
    body = seen.get("body") or b""
    for root, owners in FOREIGN_ROOTS.items():
        if f"<{root}".encode() in body[:300]:
            assert op in owners, f"{op} answered with {root}: {body[:200]!r}"
    # Sub-resources never reach DeleteBucket or PutObject.
    s3.head_bucket(Bucket=bucket)
    if op not in ("DeleteObject", "DeleteObjects"):
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"original", op


# ---- round trips ---------------------------------------------------------

def test_configuration_round_trips(emulator, name):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=name)
    cors = {"CORSRules": [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["http://app.example"],
                           "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]}
    s3.put_bucket_cors(Bucket=name, CORSConfiguration=cors)
    assert s3.get_bucket_cors(Bucket=name)["CORSRules"] == cors["CORSRules"]
    lifecycle = {"Rules": [{"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                            "Expiration": {"Days": 30},
                            "Transitions": [{"Days": 10, "StorageClass": "GLACIER"}],
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 5},
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]}
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=lifecycle)
    got = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert got == lifecycle["Rules"]
    assert s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    website = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}
    s3.put_bucket_website(Bucket=name, WebsiteConfiguration=website)
    got = s3.get_bucket_website(Bucket=name)
    assert got["IndexDocument"] == website["IndexDocument"] and got["ErrorDocument"] == website["ErrorDocument"]
    s3.put_bucket_request_payment(Bucket=name, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=name)["Payer"] == "Requester"
    s3.put_bucket_accelerate_configuration(Bucket=name, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=name)["Status"] == "Enabled"
    notification = {"QueueConfigurations": [{"Id": "q", "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q",
                                             "Events": ["s3:ObjectCreated:*"]}]}
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=notification)
    got = s3.get_bucket_notification_configuration(Bucket=name)
    assert got["QueueConfigurations"][0]["QueueArn"].endswith(":q")
    s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": name,
                                                                               "TargetPrefix": "logs/"}})
    assert s3.get_bucket_logging(Bucket=name)["LoggingEnabled"]["TargetPrefix"] == "logs/"
    for i in range(3):
        s3.put_bucket_inventory_configuration(Bucket=name, Id=f"inv{i}", InventoryConfiguration={
            "Id": f"inv{i}", "IsEnabled": True, "IncludedObjectVersions": "Current",
            "Destination": {"S3BucketDestination": {"Bucket": f"arn:aws:s3:::{name}", "Format": "CSV"}},
            "Schedule": {"Frequency": "Daily"}})
    listed = s3.list_bucket_inventory_configurations(Bucket=name)
    assert [c["Id"] for c in listed["InventoryConfigurationList"]] == ["inv0", "inv1", "inv2"]
    s3.delete_bucket_cors(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_cors(Bucket=name)
    assert e.value.response["Error"]["Code"] == "NoSuchCORSConfiguration"
    s3.head_bucket(Bucket=name)


def test_object_lock_and_attributes(emulator, name):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    put = s3.put_object(Bucket=name, Key="a", Body=b"abc")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.get_object_retention(Bucket=name, Key="a")["Retention"]["Mode"] == "GOVERNANCE"
    # Retention protects the version; a plain delete only places a marker.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_object(Bucket=name, Key="a", VersionId=put["VersionId"])
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    assert s3.delete_object(Bucket=name, Key="a")["DeleteMarker"] is True
    s3.delete_object(Bucket=name, Key="a", VersionId=put["VersionId"], BypassGovernanceRetention=True)
    s3.put_object(Bucket=name, Key="b", Body=b"hello")
    attrs = s3.get_object_attributes(Bucket=name, Key="b", ObjectAttributes=["ETag", "ObjectSize", "StorageClass"])
    assert attrs["ObjectSize"] == 5 and attrs["StorageClass"] == "STANDARD" and attrs["ETag"]
