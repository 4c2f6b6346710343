"""pytest fixtures: start the release `iam-emulator` binary on a free port,
and hand out boto3 clients and an aws CLI runner pointed at it.

The binary is `target/release/iam-emulator` (built by `.ci/run`), or the
path in $IAM_EMULATOR_BIN.
"""
import json
import os
import pathlib
import subprocess
import time
import urllib.request
import uuid

import boto3
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
ROOT_KEY = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
OTHER_ACCOUNT = "111122223333"
OTHER_KEY = "AKIAOTHERACCOUNTKEY1"
OTHER_SECRET = "otherSecretKeyForTheSecondAccount0000000"


class Emulator:
    def __init__(self, *extra_args):
        binary = os.environ.get("IAM_EMULATOR_BIN", str(ROOT / "target" / "release" / "iam-emulator"))
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0",
             "--root-key", f"{OTHER_ACCOUNT}:{OTHER_KEY}:{OTHER_SECRET}", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        assert line.startswith("iam-emulator listening on http://"), line
        self.endpoint = line.split(" on ", 1)[1]

    def admin(self, method, path, body=None):
        """An admin endpoint's JSON answer (`/_emulator/*`); `body` is sent
        as JSON, or as it is when it is bytes already."""
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as reply:
            return json.loads(reply.read())

    def now(self):
        """The emulator's clock in Unix seconds: the wall clock plus what
        `/_emulator/clock` advanced it by."""
        return int(time.time()) + self.admin("GET", "/_emulator/clock")["offset_seconds"]

    def advance(self, seconds):
        """Moves the emulator's clock forward."""
        self.admin("POST", "/_emulator/clock", {"advance_seconds": seconds})

    def client(self, service, key=ROOT_KEY, secret=ROOT_SECRET, token=None, region="us-east-1"):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)

    def cli(self, *args, key=ROOT_KEY, secret=ROOT_SECRET, token=None, check=True):
        """Runs the aws CLI against the emulator; returns (exit code, parsed JSON or text, stderr)."""
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
                   AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=self.endpoint,
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        env.pop("AWS_PROFILE", None)
        if token:
            env["AWS_SESSION_TOKEN"] = token
        else:
            env.pop("AWS_SESSION_TOKEN", None)
        out = subprocess.run(["aws", *args, "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
        if check and out.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({out.returncode}): {out.stderr}")
        try:
            body = json.loads(out.stdout) if out.stdout.strip() else None
        except json.JSONDecodeError:
            body = out.stdout
        return out.returncode, body, out.stderr

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return code


def error_of(excinfo):
    """(Code, HTTP status, Message) of a botocore ClientError, as an application sees it."""
    err = excinfo.value.response["Error"]
    return err["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], err["Message"]


def doc(*statements):
    """A policy document (JSON text) with these statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


class Principal:
    """An IAM user with an access key, and boto3 clients signed with that key."""

    def __init__(self, emulator, root_iam, user_name, path="/"):
        self.name = user_name
        self.iam_admin = root_iam
        self.arn = root_iam.create_user(UserName=user_name, Path=path)["User"]["Arn"]
        key = root_iam.create_access_key(UserName=user_name)["AccessKey"]
        self.key, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        self.iam = emulator.client("iam", self.key, self.secret)
        self.sts = emulator.client("sts", self.key, self.secret)

    def allow(self, *statements, policy_name="inline"):
        """Puts an inline policy on the user; returns self."""
        self.iam_admin.put_user_policy(UserName=self.name, PolicyName=policy_name, PolicyDocument=doc(*statements))
        return self


@pytest.fixture(scope="session")
def emulator():
    emu = Emulator()
    yield emu
    assert emu.stop() == 0, "SIGTERM must stop the emulator with exit code 0"


@pytest.fixture
def name():
    """A unique entity name per test, so tests can share one emulator."""
    return "t-" + uuid.uuid4().hex[:10]


@pytest.fixture
def iam(emulator):
    return emulator.client("iam")


@pytest.fixture
def sts(emulator):
    return emulator.client("sts")


@pytest.fixture
def fresh_emulator():
    """A private emulator instance, for tests that reset state or change auth
    (the session `emulator` is shared by every other test)."""
    started = []

    def start(*extra_args):
        emu = Emulator(*extra_args)
        started.append(emu)
        return emu
    yield start
    for emu in started:
        assert emu.stop() == 0


@pytest.fixture
def other_iam(emulator):
    """IAM client of the second account's root (OTHER_ACCOUNT)."""
    return emulator.client("iam", OTHER_KEY, OTHER_SECRET)


@pytest.fixture
def user(emulator, iam, name):
    """A fresh IAM user (named after the test's `name`) with an access key."""
    return Principal(emulator, iam, name)
