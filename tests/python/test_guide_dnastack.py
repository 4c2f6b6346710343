"""DNAstack's guide "AWS S3 Permissions" for Publisher
(`../shared/guides/dnastack-publisher-s3.md`), replayed literally: its three
`aws` commands run by bash, as the reader pastes them, through the real aws
CLI against the release binary.

The guide's mistakes get AWS's answers:
- `"Version": "2024-10-24"` is no policy language version: PutUserPolicy
  fails with `MalformedPolicyDocument` ("Syntax errors in policy."), nothing
  is stored, and the access key the next command creates can read nothing.
- The document is single-quoted, so the shell never expands `${BUCKET}`
  (even with BUCKET set): with the Version fixed, IAM stores the literal
  `${BUCKET}`, a policy variable no request resolves, so reads stay denied.
- With both fixed (the bucket name spliced in by the shell), Publisher's
  reads are allowed and every write is denied.
"""
import json
import os
import subprocess
import urllib.request

import pytest

from conftest import ACCOUNT, ROOT_KEY, ROOT_SECRET

BUCKET = "publisher-genomics"
USER = "publisher-connectors"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/{USER}"

# The guide's three commands, character for character.
GUIDE_CREATE_USER = """aws iam create-user --user-name publisher-connectors"""

GUIDE_PUT_USER_POLICY = """aws iam put-user-policy --user-name publisher-connectors --policy-name S3AccessPolicy --policy-document '{
    "Version": "2024-10-24",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:ListBucket",
                "s3:GetObject"
            ],
            "Resource": [
                "arn:aws:s3:::${BUCKET}",
                "arn:aws:s3:::${BUCKET}/*"
            ]
        }
    ]
}'"""

GUIDE_CREATE_ACCESS_KEY = """aws iam create-access-key --user-name publisher-connectors"""

# The two corrections, each the smallest edit of the guide's text.
VERSION_FIXED = GUIDE_PUT_USER_POLICY.replace('"Version": "2024-10-24"', '"Version": "2012-10-17"')
# Close the single quotes around the variable so the shell expands it.
CORRECTED = VERSION_FIXED.replace('${BUCKET}', "'\"${BUCKET}\"'")

DATA = {
    "cohort-1/sample-001.vcf.gz": b"##fileformat=VCFv4.2\n",
    "cohort-1/sample-002.vcf.gz": b"##fileformat=VCFv4.2\n#2\n",
    "cohort-1/manifest.json": b'{"samples":2}',
}


def shell_env(endpoint, key=ROOT_KEY, secret=ROOT_SECRET):
    """The reader's shell: the aws CLI pointed at the emulator, `BUCKET` set."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_OUTPUT="json",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", BUCKET=BUCKET)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return env


def sh(command, env, stdin=None):
    """Runs `command` with bash, as pasted into a terminal."""
    return subprocess.run(["bash", "-c", command], env=env, input=stdin, capture_output=True, timeout=60)


def ok(command, env, stdin=None):
    out = sh(command, env, stdin)
    assert out.returncode == 0, f"{command}\n{out.stderr.decode()}"
    return out.stdout.decode()


def denied(command, env, action, resource=None, stdin=None):
    """Runs `command`, which must fail with AWS's same-account S3 denial."""
    out = sh(command, env, stdin)
    err = out.stderr.decode()
    assert out.returncode != 0, f"{command} should be denied:\n{out.stdout.decode()}"
    on = f' on resource: "{resource}"' if resource else ""
    message = (f"User: {USER_ARN} is not authorized to perform: {action}{on} "
               f"because no identity-based policy allows the {action} action")
    assert "An error occurred (AccessDenied) when calling the " in err and message in err, err
    return err


@pytest.fixture
def reader(fresh_emulator):
    """A private emulator (the guide's fixed user name would clash in the
    shared one) with the reader's bucket of data."""
    emu = fresh_emulator()
    env = shell_env(emu.endpoint)
    ok(f"aws s3 mb s3://{BUCKET}", env)
    ok("aws s3 mb s3://other-lab-data", env)
    ok("echo secret | aws s3 cp - s3://other-lab-data/private.txt", env)
    for key, body in DATA.items():
        ok(f"aws s3 cp - s3://{BUCKET}/{key}", env, stdin=body)
    return emu, env


def create_user_and_key(env, put_policy_command):
    """The guide's three commands in order; returns (put-user-policy's
    result, the shell env of the new key)."""
    created = ok(GUIDE_CREATE_USER, env)
    assert f'"Arn": "{USER_ARN}"' in created
    policy = sh(put_policy_command, env)
    key = json.loads(ok(GUIDE_CREATE_ACCESS_KEY, env))["AccessKey"]
    assert key["UserName"] == USER and key["Status"] == "Active"
    return policy, shell_env(env["AWS_ENDPOINT_URL"], key["AccessKeyId"], key["SecretAccessKey"])


def test_the_guides_commands_as_written_fail_on_the_version(reader):
    emu, env = reader
    policy, publisher = create_user_and_key(env, GUIDE_PUT_USER_POLICY)
    assert policy.returncode != 0
    assert ("An error occurred (MalformedPolicyDocument) when calling the PutUserPolicy operation: "
            "Syntax errors in policy.") in policy.stderr.decode()
    # Nothing was stored; the user and its key exist, with no permission.
    _, listed, _ = emu.cli("iam", "list-user-policies", "--user-name", USER)
    assert listed["PolicyNames"] == []
    _, me, _ = emu.cli("sts", "get-caller-identity", key=publisher["AWS_ACCESS_KEY_ID"],
                       secret=publisher["AWS_SECRET_ACCESS_KEY"])
    assert me["Arn"] == USER_ARN
    denied(f"aws s3 ls s3://{BUCKET}/", publisher, "s3:ListBucket", f"arn:aws:s3:::{BUCKET}")
    denied(f"aws s3api get-object --bucket {BUCKET} --key cohort-1/manifest.json /dev/null", publisher,
           "s3:GetObject", f"arn:aws:s3:::{BUCKET}/cohort-1/manifest.json")


def test_with_the_version_fixed_bucket_stays_a_literal_variable(reader):
    emu, env = reader
    assert "'{" in VERSION_FIXED and "${BUCKET}" in VERSION_FIXED
    policy, publisher = create_user_and_key(env, VERSION_FIXED)
    assert policy.returncode == 0, policy.stderr.decode()
    # The single quotes kept `${BUCKET}` from the shell, BUCKET set or not.
    _, stored, _ = emu.cli("iam", "get-user-policy", "--user-name", USER, "--policy-name", "S3AccessPolicy")
    assert stored["PolicyDocument"]["Statement"][0]["Resource"] == ["arn:aws:s3:::${BUCKET}",
                                                                    "arn:aws:s3:::${BUCKET}/*"]
    # Under 2012-10-17, `${BUCKET}` is a policy variable; no request has a
    # `BUCKET` key, so the statement matches nothing.
    denied(f"aws s3 ls s3://{BUCKET}/", publisher, "s3:ListBucket", f"arn:aws:s3:::{BUCKET}")
    denied(f"aws s3api get-object --bucket {BUCKET} --key cohort-1/manifest.json /dev/null", publisher,
           "s3:GetObject", f"arn:aws:s3:::{BUCKET}/cohort-1/manifest.json")


def test_corrected_policy_publisher_reads_and_cannot_write(reader, tmp_path):
    emu, env = reader
    policy, publisher = create_user_and_key(env, CORRECTED)
    assert policy.returncode == 0, policy.stderr.decode()
    _, stored, _ = emu.cli("iam", "get-user-policy", "--user-name", USER, "--policy-name", "S3AccessPolicy")
    assert stored["PolicyDocument"]["Version"] == "2012-10-17"
    assert stored["PolicyDocument"]["Statement"][0]["Resource"] == [f"arn:aws:s3:::{BUCKET}",
                                                                    f"arn:aws:s3:::{BUCKET}/*"]

    # What Publisher does with the key: browse, inspect, read, download.
    top = ok(f"aws s3 ls s3://{BUCKET}/", publisher)
    assert "PRE cohort-1/" in top
    listing = ok(f"aws s3 ls --recursive s3://{BUCKET}/cohort-1/", publisher)
    for key in DATA:
        assert key in listing
    head = ok(f"aws s3api head-object --bucket {BUCKET} --key cohort-1/sample-001.vcf.gz", publisher)
    assert '"ContentLength": 21' in head
    assert ok(f"aws s3 cp s3://{BUCKET}/cohort-1/manifest.json -", publisher) == '{"samples":2}'
    ok(f"aws s3 cp --recursive s3://{BUCKET}/cohort-1/ {tmp_path}/cohort-1/", publisher)
    for key, body in DATA.items():
        assert (tmp_path / key).read_bytes() == body
    url = ok(f"aws s3 presign s3://{BUCKET}/cohort-1/sample-002.vcf.gz --expires-in 600", publisher).strip()
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200 and response.read() == DATA["cohort-1/sample-002.vcf.gz"]

    # Writes are denied, with AWS's words.
    denied(f"aws s3 cp - s3://{BUCKET}/cohort-1/injected.vcf.gz", publisher, "s3:PutObject",
           f"arn:aws:s3:::{BUCKET}/cohort-1/injected.vcf.gz", stdin=b"x")
    denied(f"aws s3api put-object --bucket {BUCKET} --key cohort-1/manifest.json", publisher,
           "s3:PutObject", f"arn:aws:s3:::{BUCKET}/cohort-1/manifest.json")
    denied(f"aws s3 rm s3://{BUCKET}/cohort-1/manifest.json", publisher, "s3:DeleteObject",
           f"arn:aws:s3:::{BUCKET}/cohort-1/manifest.json")
    denied(f"aws s3 cp s3://{BUCKET}/cohort-1/manifest.json s3://{BUCKET}/cohort-1/copy.json", publisher,
           "s3:PutObject", f"arn:aws:s3:::{BUCKET}/cohort-1/copy.json")
    # And reads outside the bucket, or of the account's bucket list.
    denied("aws s3 ls s3://other-lab-data/", publisher, "s3:ListBucket", "arn:aws:s3:::other-lab-data")
    denied("aws s3api get-object --bucket other-lab-data --key private.txt /dev/null", publisher, "s3:GetObject",
           "arn:aws:s3:::other-lab-data/private.txt")
    denied("aws s3 ls", publisher, "s3:ListAllMyBuckets")
    assert ok(f"aws s3 cp s3://{BUCKET}/cohort-1/manifest.json -", env) == '{"samples":2}'
