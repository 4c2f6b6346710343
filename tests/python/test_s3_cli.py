"""S3 through the aws CLI against the release binary: `aws s3 cp` up and
down, `ls`, `sync`, `rb --force`, and `aws s3api put-bucket-policy` with
Block Public Access."""
import json
import os
import time

import pytest


@pytest.fixture
def s3_admin(emulator):
    """boto3 S3 client of the default account's root, to check what the CLI did."""
    return emulator.client("s3")


def test_cli_cp_up_and_down_and_ls(emulator, s3_admin, name, tmp_path):
    source = tmp_path / "notes 1.txt"
    source.write_bytes(b"line one\nline two\n")
    emulator.cli("s3", "mb", f"s3://{name}")
    _, out, _ = emulator.cli("s3", "cp", str(source), f"s3://{name}/dir/notes 1.txt")
    assert "upload: " in out and f"s3://{name}/dir/notes 1.txt" in out

    _, buckets, _ = emulator.cli("s3", "ls")
    assert name in buckets
    _, top, _ = emulator.cli("s3", "ls", f"s3://{name}/")
    assert "PRE dir/" in top
    _, listing, _ = emulator.cli("s3", "ls", f"s3://{name}/dir/")
    assert "notes 1.txt" in listing and " 18 " in listing

    target = tmp_path / "down.txt"
    emulator.cli("s3", "cp", f"s3://{name}/dir/notes 1.txt", str(target))
    assert target.read_bytes() == b"line one\nline two\n"
    head = s3_admin.head_object(Bucket=name, Key="dir/notes 1.txt")
    assert head["ContentType"] == "text/plain"
    code, _, err = emulator.cli("s3", "cp", f"s3://{name}/dir/missing.txt", str(target), check=False)
    assert code != 0 and "404" in err


def test_cli_sync_then_rb_force(emulator, s3_admin, name, tmp_path):
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "css" / "main.css").write_text("body{}")
    (site / "about us.html").write_text("<h1>about</h1>")
    # S3 keeps LastModified to the second, and sync re-uploads a file newer
    # than its object: date the files a minute back, as files usually are.
    past = time.time() - 60
    for path in site.rglob("*"):
        os.utime(path, (past, past))
    emulator.cli("s3", "mb", f"s3://{name}")
    _, out, _ = emulator.cli("s3", "sync", str(site), f"s3://{name}/www/")
    assert out.count("upload: ") == 3
    keys = sorted(o["Key"] for o in s3_admin.list_objects_v2(Bucket=name)["Contents"])
    assert keys == ["www/about us.html", "www/css/main.css", "www/index.html"]
    # A second sync has nothing to do.
    _, again, _ = emulator.cli("s3", "sync", str(site), f"s3://{name}/www/")
    assert "upload: " not in (again or "")
    # And back down.
    copy = tmp_path / "copy"
    emulator.cli("s3", "sync", f"s3://{name}/www/", str(copy))
    assert (copy / "css" / "main.css").read_text() == "body{}"

    code, _, err = emulator.cli("s3", "rb", f"s3://{name}", check=False)
    assert code != 0 and "BucketNotEmpty" in err
    _, out, _ = emulator.cli("s3", "rb", f"s3://{name}", "--force")
    assert f"remove_bucket: {name}" in out
    assert name not in {b["Name"] for b in s3_admin.list_buckets()["Buckets"]}


def test_cli_put_bucket_policy_and_block_public_access(emulator, name):
    public = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}]})
    emulator.cli("s3api", "create-bucket", "--bucket", name)
    code, _, err = emulator.cli("s3api", "put-bucket-policy", "--bucket", name, "--policy", public, check=False)
    assert code != 0
    assert "AccessDenied" in err and "BlockPublicPolicy" in err
    emulator.cli("s3api", "delete-public-access-block", "--bucket", name)
    emulator.cli("s3api", "put-bucket-policy", "--bucket", name, "--policy", public)
    _, status, _ = emulator.cli("s3api", "get-bucket-policy-status", "--bucket", name)
    assert status == {"PolicyStatus": {"IsPublic": True}}
    code, _, err = emulator.cli("s3api", "put-bucket-policy", "--bucket", name, "--policy", "not json", check=False)
    assert code != 0 and "MalformedPolicy" in err
