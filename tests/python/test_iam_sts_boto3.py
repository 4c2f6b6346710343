"""IAM and STS through boto3, as an application would use them: errors
are checked as botocore parses them (error Code, HTTP status, message)."""
import json

import botocore.exceptions
import pytest

from conftest import ACCOUNT


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], err["Message"]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_caller_identity_of_root(sts):
    me = sts.get_caller_identity()
    assert me["Account"] == ACCOUNT
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_user_lifecycle_and_errors(iam, name):
    user = iam.create_user(UserName=name, Path="/team/")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/team/{name}"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_user(UserName=name)
    assert error_of(e)[:2] == ("EntityAlreadyExists", 409)
    assert iam.get_user(UserName=name)["User"]["Path"] == "/team/"
    assert name in [u["UserName"] for u in iam.list_users(PathPrefix="/team/")["Users"]]
    iam.delete_user(UserName=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.get_user(UserName=name)
    code, status, message = error_of(e)
    assert (code, status) == ("NoSuchEntity", 404)
    assert message == f"The user with name {name} cannot be found."


def test_invalid_version_is_malformed(iam, name):
    iam.create_user(UserName=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2024-10-24", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    assert error_of(e) == ("MalformedPolicyDocument", 400, "Syntax errors in policy.")


def test_user_keys_are_enforced(emulator, iam, name):
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40
    user_iam = emulator.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user_iam.list_users()
    code, status, message = error_of(e)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/{name} is not authorized to perform: iam:ListUsers "
                       f"on resource: arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows "
                       f"the iam:ListUsers action")
    iam.put_user_policy(UserName=name, PolicyName="list", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
    assert name in [u["UserName"] for u in user_iam.list_users()["Users"]]
    sts = emulator.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/{name}"
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_caller_identity()
    assert error_of(e)[:2] == ("InvalidClientTokenId", 403)


def test_wrong_secret_is_signature_mismatch(emulator):
    bad = emulator.client("iam", secret="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bad.list_users()
    assert error_of(e)[:2] == ("SignatureDoesNotMatch", 403)


def test_unknown_key_is_invalid_client_token(emulator):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        emulator.client("sts", key="AKIANOTAREALKEY00000").get_caller_identity()
    assert error_of(e)[:2] == ("InvalidClientTokenId", 403)


def test_managed_policy_versions(iam, name):
    arn = iam.create_policy(PolicyName=name, PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))["Policy"]["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}), SetAsDefault=True)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    assert error_of(e)[:2] == ("LimitExceeded", 409)
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["IsDefaultVersion"] for v in versions].count(True) == 1
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v5")["PolicyVersion"]
    assert got["Document"]["Statement"][0]["Action"] == "s3:ListBucket"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    assert error_of(e)[:2] == ("DeleteConflict", 409)


def test_decisions_endpoint_explains_denials(emulator, iam, name):
    import urllib.request
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    with pytest.raises(botocore.exceptions.ClientError):
        emulator.client("iam", key["AccessKeyId"], key["SecretAccessKey"]).get_user(UserName=name)
    with urllib.request.urlopen(emulator.endpoint + "/_emulator/decisions?limit=5") as r:
        decisions = json.load(r)["decisions"]
    latest = decisions[0]
    assert latest["decision"] == "implicitDeny"
    assert latest["action"] == "iam:GetUser"
    assert latest["principal"] == f"arn:aws:iam::{ACCOUNT}:user/{name}"
