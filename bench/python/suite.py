"""A 100-test pytest suite run twice with the same boto3 calls: once
against moto's ``mock_aws`` (each test decorated, moto's usual habit),
once against iam-emulator through the plugin's ``boto3_session`` fixture
(one server, reset before each test). Prints each suite's wall time, the
median of R runs (default 3).

Each test: CreateBucket, PutObject, GetObject, ListObjectsV2, CreateUser,
PutUserPolicy, CreateAccessKey, then GetObject as that user.

    python bench/python/suite.py [R]      # in a venv with iam-emulator, moto, boto3, pytest
"""

import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BODY = textwrap.dedent('''
    import json
    import pytest

    POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})

    def calls(session, endpoint_url, n):
        s3 = session.client("s3", endpoint_url=endpoint_url)
        iam = session.client("iam", endpoint_url=endpoint_url)
        bucket = f"bucket-{n}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"x" * 1024)
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x" * 1024
        assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
        iam.create_user(UserName=f"user-{n}")
        iam.put_user_policy(UserName=f"user-{n}", PolicyName="read", PolicyDocument=POLICY)
        key = iam.create_access_key(UserName=f"user-{n}")["AccessKey"]
        import boto3
        as_user = boto3.Session(aws_access_key_id=key["AccessKeyId"],
                                aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1")
        body = as_user.client("s3", endpoint_url=endpoint_url).get_object(Bucket=bucket, Key="k")["Body"].read()
        assert body == b"x" * 1024
''')

MOTO = BODY + textwrap.dedent('''
    import boto3
    from moto import mock_aws

    @pytest.fixture(autouse=True)
    def fake_keys(monkeypatch):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    @pytest.mark.parametrize("n", range(100))
    @mock_aws
    def test_calls(n):
        calls(boto3.Session(region_name="us-east-1"), None, n)
''')

EMULATOR = BODY + textwrap.dedent('''
    @pytest.mark.parametrize("n", range(100))
    def test_calls(boto3_session, iam_emulator, n):
        calls(boto3_session, iam_emulator.endpoint_url, n)
''')


def wall(folder: Path, source: str, *args: str) -> float:
    test = folder / "test_suite.py"
    test.write_text(source)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(test)],
                         capture_output=True, text=True, cwd=folder)
    elapsed = time.perf_counter() - started
    if out.returncode != 0 or "100 passed" not in out.stdout:
        raise SystemExit(f"suite failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return elapsed


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {"moto mock_aws": [], "iam-emulator (plugin)": []}
        for _ in range(rounds):
            # moto's suite runs without the plugin, so it does not pay for it.
            results["moto mock_aws"].append(wall(folder, MOTO, "-p", "no:iam_emulator"))
            results["iam-emulator (plugin)"].append(wall(folder, EMULATOR))
    for name, values in results.items():
        print(f"{name}: median {statistics.median(values):.2f} s "
              f"(min {min(values):.2f}, max {max(values):.2f}, {rounds} runs of 100 tests)")


if __name__ == "__main__":
    main()
