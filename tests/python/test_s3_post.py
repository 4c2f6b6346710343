"""Browser POST uploads with boto3's generate_presigned_post, sent unchanged
with `requests` as a web page's form would be: every condition kind, each
refusal as S3 words it, the success answers, expiry on the emulator's clock,
temporary credentials, and the upload authorized as s3:PutObject for the
signer."""
import json
import urllib.request
import xml.etree.ElementTree as ET

import boto3
import botocore.config
import pytest
import requests

from conftest import allow

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def error(reply):
    root = ET.fromstring(reply.content)
    return root.findtext("Code"), reply.status_code, root.findtext("Message")


def upload(post, content, filename="file.txt", **extra):
    fields = dict(post["fields"], **extra)
    return requests.post(post["url"], data=fields, files={"file": (filename, content)},
                         allow_redirects=False, timeout=30)


def signing_client(emulator, version, key=None, secret=None, token=None):
    """An S3 client whose presigned POSTs use SigV4 (`s3v4`) or SigV2 (`s3`)."""
    from conftest import ROOT_KEY, ROOT_SECRET
    return boto3.client("s3", endpoint_url=emulator.endpoint, region_name="us-east-1",
                        aws_access_key_id=key or ROOT_KEY, aws_secret_access_key=secret or ROOT_SECRET,
                        aws_session_token=token,
                        config=botocore.config.Config(signature_version=version))


@pytest.fixture
def bucket(emulator, name):
    emulator.client("s3").create_bucket(Bucket=name)
    return name


@pytest.mark.parametrize("version", ["s3v4", "s3"])
def test_presigned_post_with_every_condition_kind(emulator, bucket, version):
    s3 = signing_client(emulator, version)
    post = s3.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-owner": "alice", "success_action_status": "201"},
        Conditions=[["starts-with", "$Content-Type", "text/"], ["eq", "$x-amz-meta-owner", "alice"],
                    {"success_action_status": "201"}, ["content-length-range", 1, 100]],
        ExpiresIn=600)
    reply = upload(post, b"hello from a form", filename="notes.txt")
    assert reply.status_code == 201, reply.text
    root = ET.fromstring(reply.content)
    assert root.tag == NS + "PostResponse"
    assert root.findtext(NS + "Key") == "uploads/notes.txt"
    assert root.findtext(NS + "Bucket") == bucket
    signature_field = "x-amz-signature" if version == "s3v4" else "signature"
    assert signature_field in post["fields"]
    got = emulator.client("s3").get_object(Bucket=bucket, Key="uploads/notes.txt")
    assert got["Body"].read() == b"hello from a form"
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"owner": "alice"}
    assert got["ETag"] == root.findtext(NS + "ETag")


def test_each_failure_as_s3_words_it(emulator, bucket):
    s3 = signing_client(emulator, "s3v4")
    post = s3.generate_presigned_post(bucket, "k", Fields={"Content-Type": "image/png"},
                                      Conditions=[{"Content-Type": "image/png"}, ["content-length-range", 2, 8]],
                                      ExpiresIn=600)
    assert upload(post, b"fits").status_code == 204
    assert error(upload(post, b"much too large")) == (
        "EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size")
    assert error(upload(post, b"x")) == (
        "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size")
    assert error(upload(post, b"fits", **{"Content-Type": "text/html"})) == (
        "AccessDenied", 403,
        'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"]')
    assert error(upload(post, b"fits", **{"x-amz-meta-sneaky": "1"})) == (
        "AccessDenied", 403, "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky")
    assert error(upload(post, b"fits", **{"x-amz-signature": "0" * 64}))[:2] == ("SignatureDoesNotMatch", 403)
    assert error(upload(post, b"fits", policy="bm90IGpzb24="))[:2] == ("SignatureDoesNotMatch", 403)
    v2 = emulator.client("s3").generate_presigned_post(bucket, "k2")
    assert error(upload(v2, b"fits", signature="AAAA" + v2["fields"]["signature"][4:]))[:2] == (
        "SignatureDoesNotMatch", 403)


def test_expiry_is_read_on_the_emulators_clock(fresh_emulator):
    # A private emulator: moving the clock would age every other test's signatures.
    emulator = fresh_emulator()
    emulator.client("s3").create_bucket(Bucket="expiring")
    post = signing_client(emulator, "s3v4").generate_presigned_post("expiring", "k", ExpiresIn=600)
    assert upload(post, b"fits").status_code == 204
    req = urllib.request.Request(emulator.endpoint + "/_emulator/clock", method="POST",
                                 data=json.dumps({"advance_seconds": 3600}).encode(),
                                 headers={"content-type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
    assert error(upload(post, b"fits")) == ("AccessDenied", 403, "Invalid according to Policy: Policy expired.")


def test_redirect_and_status_answers(emulator, bucket):
    s3 = signing_client(emulator, "s3v4")
    post = s3.generate_presigned_post(bucket, "r", Fields={"success_action_redirect": "http://app.example/ok"},
                                      Conditions=[{"success_action_redirect": "http://app.example/ok"}])
    reply = upload(post, b"r")
    assert reply.status_code == 303
    assert reply.headers["Location"].startswith(f"http://app.example/ok?bucket={bucket}&key=r&etag=")
    post = s3.generate_presigned_post(bucket, "s", Fields={"success_action_status": "200"},
                                      Conditions=[{"success_action_status": "200"}])
    reply = upload(post, b"s")
    assert reply.status_code == 200 and reply.content == b""


def test_temporary_credentials_and_the_signers_permissions(emulator, bucket, user):
    signer = signing_client(emulator, "s3v4", user.key, user.secret)
    post = signer.generate_presigned_post(bucket, "by-user")
    assert error(upload(post, b"u"))[:2] == ("AccessDenied", 403)
    user.allow(allow("s3:PutObject", f"arn:aws:s3:::{bucket}/*"))
    assert upload(post, b"u").status_code == 204
    creds = user.sts.get_session_token()["Credentials"]
    session = signing_client(emulator, "s3v4", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    post = session.generate_presigned_post(bucket, "by-session")
    assert "x-amz-security-token" in post["fields"]
    assert upload(post, b"t").status_code == 204
    v2_session = signing_client(emulator, "s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    post = v2_session.generate_presigned_post(bucket, "by-session")
    assert upload(post, b"t").status_code == 204
    assert emulator.client("s3").get_object(Bucket=bucket, Key="by-session")["Body"].read() == b"t"


def test_unsigned_forms_are_anonymous(emulator, bucket):
    reply = requests.post(f"{emulator.endpoint}/{bucket}", data={"key": "anon"},
                          files={"file": ("f", b"x")}, timeout=30)
    assert error(reply)[:2] == ("AccessDenied", 403)
    reply = requests.post(f"{emulator.endpoint}/{bucket}", data={"nokey": "1"},
                          files={"file": ("f", b"x")}, timeout=30)
    assert error(reply)[:2] == ("InvalidArgument", 400)
