"""Access Analyzer ValidatePolicy through boto3 (accessanalyzer client): the
guides' four mistakes, locations, pagination, authorization; and the
`iam-emulator validate` command line."""
import json
import os
import subprocess

import botocore.exceptions
import pytest

from conftest import ROOT, allow, doc, error_of

LIST_OBJECT = doc({"Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListObject", "s3:GetObject"],
                   "Resource": ["arn:aws:s3:::INPUT_BUCKET_NAME", "arn:aws:s3:::INPUT_BUCKET_NAME/*"]})
KINESIS_SPACE = doc({"Effect": "Allow", "Action": ["kinesis: Get*"],
                     "Resource": ["arn:aws:kinesis:us-east-1:123456789012:stream/s"]})
BAD_VERSION = json.dumps({"Version": "2024-10-24", "Statement": [
    {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
     "Resource": ["arn:aws:s3:::${BUCKET}", "arn:aws:s3:::${BUCKET}/*"]}]})
LIST_ON_OBJECTS = doc(allow("s3:ListBucket", "arn:aws:s3:::b/*"))


@pytest.fixture
def analyzer(emulator):
    return emulator.client("accessanalyzer")


def by_code(findings, code):
    matching = [f for f in findings if f["issueCode"] == code]
    assert matching, f"no {code} in {findings}"
    return matching[0]


def test_the_guides_mistakes(analyzer):
    found = analyzer.validate_policy(policyDocument=LIST_OBJECT, policyType="IDENTITY_POLICY")["findings"]
    f = by_code(found, "INVALID_ACTION")
    assert f["findingType"] == "ERROR"
    assert f["findingDetails"].startswith("The action s3:ListObject does not exist. Did you mean s3:ListBucket?")
    assert f["locations"][0]["path"] == [{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 1}]
    span = f["locations"][0]["span"]
    assert LIST_OBJECT[span["start"]["offset"]:span["end"]["offset"]] == '"s3:ListObject"'
    assert f["learnMoreLink"].endswith("#access-analyzer-reference-policy-checks-error-invalid-action")

    found = analyzer.validate_policy(policyDocument=KINESIS_SPACE, policyType="IDENTITY_POLICY")["findings"]
    assert by_code(found, "INVALID_ACTION")["findingDetails"].startswith(
        "The action kinesis: Get* does not exist. Did you mean kinesis:Get*?")

    found = analyzer.validate_policy(policyDocument=BAD_VERSION, policyType="IDENTITY_POLICY")["findings"]
    assert by_code(found, "INVALID_VERSION")["findingDetails"] == (
        "The version 2024-10-24 is not valid. Use one of the following versions: 2012-10-17, 2008-10-17")

    found = analyzer.validate_policy(policyDocument=LIST_ON_OBJECTS, policyType="IDENTITY_POLICY")["findings"]
    assert by_code(found, "EMULATOR_RESOURCE_TYPE_MISMATCH")["findingType"] == "WARNING"


def test_resource_policies_and_paging(analyzer):
    bucket_policy = doc({"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "kms:Decrypt",
                         "Resource": "arn:aws:s3:::b/*"})
    found = analyzer.validate_policy(policyDocument=bucket_policy, policyType="RESOURCE_POLICY",
                                     validatePolicyResourceType="AWS::S3::Bucket")["findings"]
    assert by_code(found, "UNSUPPORTED_ACTION_IN_POLICY")["findingDetails"] == (
        "The action kms:Decrypt is not supported for the resource-based policy attached to the resource type "
        "AWS::S3::Bucket.")
    three = json.dumps({"Statement": [{"Effect": "Allow", "Action": ["s3:ListObject", "s4:GetObject"],
                                       "Resource": "*"}]})
    pages = analyzer.get_paginator("validate_policy").paginate(
        policyDocument=three, policyType="IDENTITY_POLICY", PaginationConfig={"PageSize": 1})
    codes = [f["issueCode"] for page in pages for f in page["findings"]]
    assert codes == ["MISSING_VERSION", "INVALID_ACTION", "INVALID_SERVICE_IN_ACTION"]


def test_validate_policy_needs_permission(emulator, user):
    mine = emulator.client("accessanalyzer", user.key, user.secret)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        mine.validate_policy(policyDocument=LIST_OBJECT, policyType="IDENTITY_POLICY")
    code, status, message = error_of(e)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "access-analyzer:ValidatePolicy" in message
    user.allow(allow("access-analyzer:ValidatePolicy"))
    assert mine.validate_policy(policyDocument=LIST_OBJECT, policyType="IDENTITY_POLICY")["findings"]


def test_iam_write_time_messages(iam, name):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="guide", PolicyDocument=LIST_OBJECT)
    iam.put_user_policy(UserName=name, PolicyName="kinesis", PolicyDocument=KINESIS_SPACE)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_policy(UserName=name, PolicyName="x",
                            PolicyDocument=doc({"Effect": "Allow", "Action": "s3:GetObject"}))
    assert error_of(e) == ("MalformedPolicyDocument", 400, "Policy statement must contain resources.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(
            {"Statement": [allow("s3:GetObject")]}))
    assert error_of(e) == ("MalformedPolicyDocument", 400, "Policy document must be version 2012-10-17 or greater.")


def run_validate(*args, stdin=None):
    binary = os.environ.get("IAM_EMULATOR_BIN", str(ROOT / "target" / "release" / "iam-emulator"))
    return subprocess.run([binary, "validate", *args], capture_output=True, text=True, input=stdin, timeout=60)


def test_validate_command(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(json.loads(KINESIS_SPACE), indent=2))
    out = run_validate(str(bad))
    assert out.returncode == 1
    assert f"{bad}:7:9: ERROR INVALID_ACTION: The action kinesis: Get* does not exist." in out.stdout
    good = tmp_path / "good.json"
    good.write_text(doc(allow("s3:GetObject", "arn:aws:s3:::b/*")))
    out = run_validate(str(good))
    assert (out.returncode, out.stdout) == (0, "0 finding(s), 0 error(s)\n")
    out = run_validate("--json", "-", stdin=BAD_VERSION)
    assert out.returncode == 1
    assert json.loads(out.stdout)["findings"][0]["issueCode"] == "INVALID_VERSION"
    assert run_validate(str(tmp_path / "missing.json")).returncode == 2
