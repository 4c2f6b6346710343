"""S3 through boto3 against the release binary: buckets, objects with
metadata, botocore's default checksums, paginated listings, presigned URLs
used with urllib, multipart upload_file, bucket policies and Block Public
Access — asserting what an application sees."""
import base64
import hashlib
import json
import os
import urllib.error
import urllib.request
import zlib

import boto3
import botocore
import botocore.config
import botocore.exceptions
import pytest

from conftest import ACCOUNT, OTHER_KEY, OTHER_SECRET, ROOT_KEY, ROOT_SECRET, error_of


@pytest.fixture
def s3(emulator):
    return emulator.client("s3")


@pytest.fixture
def bucket(s3, name):
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def anonymous(emulator):
    """An S3 client that sends unsigned requests (an anonymous caller)."""
    return boto3.client("s3", endpoint_url=emulator.endpoint, region_name="us-east-1",
                        config=botocore.config.Config(signature_version=botocore.UNSIGNED))


def fails(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**params)
    return error_of(e)


def public_read(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})


def test_buckets_create_list_head_delete(emulator, s3, name):
    names = [f"{name}-a", f"{name}-b"]
    for n in names:
        assert s3.create_bucket(Bucket=n)["Location"] == f"/{n}"
    listed = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert set(names) <= set(listed)
    assert s3.head_bucket(Bucket=names[0])["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"

    other = emulator.client("s3", OTHER_KEY, OTHER_SECRET)
    assert not set(names) & {b["Name"] for b in other.list_buckets()["Buckets"]}
    code, status, _ = fails(other.create_bucket, Bucket=names[0])
    assert (code, status) == ("BucketAlreadyExists", 409)

    s3.put_object(Bucket=names[1], Key="k", Body=b"x")
    code, status, message = fails(s3.delete_bucket, Bucket=names[1])
    assert (code, status, message) == ("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
    s3.delete_object(Bucket=names[1], Key="k")
    for n in names:
        s3.delete_bucket(Bucket=n)
    code, status, _ = fails(s3.head_bucket, Bucket=names[0])
    assert (code, status) == ("404", 404)
    code, status, _ = fails(s3.create_bucket, Bucket="Not_Valid")
    assert (code, status) == ("InvalidBucketName", 400)


def test_bucket_in_another_region(emulator, name):
    s3 = emulator.client("s3", region="eu-west-1")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    code, status, _ = fails(s3.create_bucket, Bucket=name,
                            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert (code, status) == ("BucketAlreadyOwnedByYou", 409)


def test_objects_with_metadata_ranges_and_conditions(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="dir/report 1.txt", Body=b"hello world", ContentType="text/plain",
                        Metadata={"Author": "ann", "project": "apollo"}, CacheControl="max-age=60")
    etag = '"' + hashlib.md5(b"hello world").hexdigest() + '"'
    assert put["ETag"] == etag

    got = s3.get_object(Bucket=bucket, Key="dir/report 1.txt")
    assert got["Body"].read() == b"hello world"
    assert got["ContentType"] == "text/plain"
    assert got["ContentLength"] == 11
    assert got["Metadata"] == {"author": "ann", "project": "apollo"}
    assert got["CacheControl"] == "max-age=60"
    assert got["ETag"] == etag

    head = s3.head_object(Bucket=bucket, Key="dir/report 1.txt")
    assert (head["ContentLength"], head["Metadata"]["author"]) == (11, "ann")

    part = s3.get_object(Bucket=bucket, Key="dir/report 1.txt", Range="bytes=6-")
    assert part["Body"].read() == b"world"
    assert part["ContentRange"] == "bytes 6-10/11"
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    code, status, _ = fails(s3.get_object, Bucket=bucket, Key="dir/report 1.txt", Range="bytes=50-")
    assert (code, status) == ("InvalidRange", 416)
    code, status, _ = fails(s3.get_object, Bucket=bucket, Key="dir/report 1.txt", IfMatch='"nope"')
    assert (code, status) == ("PreconditionFailed", 412)
    code, status, _ = fails(s3.get_object, Bucket=bucket, Key="dir/report 1.txt", IfNoneMatch=etag)
    assert (code, status) == ("304", 304)

    s3.put_object(Bucket=bucket, Key="ünïcode/ファイル.txt", Body=b"utf8")
    assert s3.get_object(Bucket=bucket, Key="ünïcode/ファイル.txt")["Body"].read() == b"utf8"

    s3.delete_object(Bucket=bucket, Key="dir/report 1.txt")
    code, status, message = fails(s3.get_object, Bucket=bucket, Key="dir/report 1.txt")
    assert (code, status, message) == ("NoSuchKey", 404, "The specified key does not exist.")


def test_default_checksums_are_verified_stored_and_returned(emulator, s3, bucket):
    body = b"checksummed body " * 100
    # botocore's default (request_checksum_calculation=when_supported): CRC32.
    put = s3.put_object(Bucket=bucket, Key="crc", Body=body)
    crc32 = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    assert put["ChecksumCRC32"] == crc32
    # The default response_checksum_validation asks for it back and checks it.
    got = s3.get_object(Bucket=bucket, Key="crc", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got["ChecksumCRC32"] == crc32

    sha256 = base64.b64encode(hashlib.sha256(body).digest()).decode()
    put = s3.put_object(Bucket=bucket, Key="sha", Body=body, ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == sha256
    head = s3.head_object(Bucket=bucket, Key="sha", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256

    # A wrong checksum is refused (botocore retries BadDigest, as S3 may
    # have received a corrupted body: ask for one attempt).
    once = boto3.client("s3", endpoint_url=emulator.endpoint, region_name="us-east-1",
                        aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET,
                        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
    code, status, _ = fails(once.put_object, Bucket=bucket, Key="bad", Body=body,
                            ChecksumSHA256=base64.b64encode(hashlib.sha256(b"other").digest()).decode())
    assert (code, status) == ("BadDigest", 400)

    # Clients that send checksums only when required still work.
    legacy = boto3.client("s3", endpoint_url=emulator.endpoint, region_name="us-east-1",
                          aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET,
                          config=botocore.config.Config(request_checksum_calculation="when_required",
                                                        response_checksum_validation="when_required"))
    legacy.put_object(Bucket=bucket, Key="plain", Body=b"no checksum")
    assert legacy.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"no checksum"


def test_list_objects_v2_paginator(s3, bucket):
    keys = [f"logs/2024/{i:02d}.log" for i in range(23)] + ["logs/readme", "top.txt"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="logs/", PaginationConfig={"PageSize": 10}))
    assert [p["KeyCount"] for p in pages] == [10, 10, 4]
    listed = [o["Key"] for p in pages for o in p["Contents"]]
    assert listed == sorted(k for k in keys if k.startswith("logs/"))
    assert all(o["Size"] == len(o["Key"]) for p in pages for o in p["Contents"])

    grouped = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["logs/"]
    assert [o["Key"] for o in grouped["Contents"]] == ["top.txt"]

    after = s3.list_objects_v2(Bucket=bucket, Prefix="logs/2024/", StartAfter="logs/2024/20.log")
    assert [o["Key"] for o in after["Contents"]] == ["logs/2024/21.log", "logs/2024/22.log"]

    v1 = list(s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 7}))
    assert [o["Key"] for p in v1 for o in p["Contents"]] == sorted(keys)


@pytest.mark.parametrize("signature_version", [None, "s3v4"], ids=["sdk-default", "sigv4"])
def test_presigned_get_and_put_with_urllib(emulator, bucket, signature_version):
    # In us-east-1 boto3 presigns S3 with SigV2 unless told otherwise.
    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name="us-east-1",
                      aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET,
                      config=botocore.config.Config(signature_version=signature_version))
    put_url = s3.generate_presigned_url("put_object", ExpiresIn=300,
                                        Params={"Bucket": bucket, "Key": "shared file.txt", "ContentType": "text/plain"})
    assert ("X-Amz-Signature=" in put_url) == (signature_version == "s3v4"), put_url
    request = urllib.request.Request(put_url, data=b"uploaded via URL", method="PUT",
                                     headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request) as reply:
        assert reply.status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared file.txt"},
                                        ExpiresIn=300)
    with urllib.request.urlopen(get_url) as reply:
        assert reply.read() == b"uploaded via URL"
        assert reply.headers["Content-Type"] == "text/plain"
    # Tampering with the URL breaks the signature.
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(get_url.replace("shared%20file", "other%20file"))
    assert e.value.code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in e.value.read()


def test_upload_file_of_20_mib_is_multipart(s3, bucket, tmp_path):
    data = os.urandom(20 * 1024 * 1024)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    s3.upload_file(str(source), bucket, "big.bin")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith("-3"), head["ETag"]  # 8 MiB parts
    target = tmp_path / "back.bin"
    s3.download_file(bucket, "big.bin", str(target))
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_block_public_access_and_a_public_bucket_policy(s3, bucket, anonymous):
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>hi</h1>", ContentType="text/html")
    config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert config == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                      "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    code, status, _ = fails(anonymous.get_object, Bucket=bucket, Key="index.html")
    assert (code, status) == ("AccessDenied", 403)
    code, status, message = fails(s3.put_bucket_policy, Bucket=bucket, Policy=public_read(bucket))
    assert (code, status) == ("AccessDenied", 403)
    assert f'on resource: "arn:aws:s3:::{bucket}"' in message and "BlockPublicPolicy" in message

    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(public_read(bucket))
    got = anonymous.get_object(Bucket=bucket, Key="index.html")
    assert got["Body"].read() == b"<h1>hi</h1>"
    code, status, _ = fails(anonymous.put_object, Bucket=bucket, Key="defaced.html", Body=b"x")
    assert (code, status) == ("AccessDenied", 403)

    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True})
    code, status, _ = fails(anonymous.get_object, Bucket=bucket, Key="index.html")
    assert (code, status) == ("AccessDenied", 403)
    s3.delete_bucket_policy(Bucket=bucket)
    code, status, _ = fails(s3.get_bucket_policy_status, Bucket=bucket)
    assert (code, status) == ("NoSuchBucketPolicy", 404)


def test_bucket_policy_grants_a_user_and_denies_the_root(emulator, s3, bucket, user):
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"contents")
    as_user = emulator.client("s3", user.key, user.secret)
    code, status, message = fails(as_user.get_object, Bucket=bucket, Key="doc.txt")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {user.arn} is not authorized to perform: s3:GetObject on resource: "
                       f'"arn:aws:s3:::{bucket}/doc.txt" because no identity-based policy allows the '
                       "s3:GetObject action")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user.arn}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert as_user.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"contents"
    code, status, message = fails(s3.delete_object, Bucket=bucket, Key="doc.txt")
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("with an explicit deny in a resource-based policy"), message
    assert f"arn:aws:iam::{ACCOUNT}:root" in message
    # The owner's root still manages the policy that denies it.
    s3.delete_bucket_policy(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="doc.txt")


def test_malformed_bucket_policies(s3, bucket):
    code, status, message = fails(s3.put_bucket_policy, Bucket=bucket, Policy='{"Version": "2012-10-17",')
    assert (code, status, message) == (
        "MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'")
    nobody = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/no-such-user-x"},
         "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    code, status, message = fails(s3.put_bucket_policy, Bucket=bucket, Policy=nobody)
    assert (code, status, message) == ("MalformedPolicy", 400, "Invalid principal in policy")
    elsewhere = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::some-other-bucket/*"}]})
    code, status, message = fails(s3.put_bucket_policy, Bucket=bucket, Policy=elsewhere)
    assert (code, status, message) == ("MalformedPolicy", 400, "Policy has invalid resource")


def test_response_content_type_override(s3, bucket):
    s3.put_object(Bucket=bucket, Key="page", Body=b"<p>hi</p>", ContentType="text/html")
    got = s3.get_object(Bucket=bucket, Key="page", ResponseContentType="text/plain",
                        ResponseContentDisposition="attachment")
    assert got["ContentDisposition"] == "attachment"
    assert got["ContentType"] == "text/plain"
