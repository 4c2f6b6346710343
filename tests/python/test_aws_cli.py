"""The aws CLI against the emulator: the dnastack guide's flow shape
(create-user, put-user-policy, create-access-key) and CLI error output."""
import json


def test_cli_user_flow(emulator, name):
    code, user, _ = emulator.cli("iam", "create-user", "--user-name", name)
    assert code == 0 and user["User"]["UserName"] == name
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]})
    emulator.cli("iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document", policy)
    _, key, _ = emulator.cli("iam", "create-access-key", "--user-name", name)
    creds = key["AccessKey"]
    _, me, _ = emulator.cli("sts", "get-caller-identity", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    assert me["Arn"].endswith(f":user/{name}")


def test_cli_reports_aws_errors(emulator, name):
    bad = json.dumps({"Version": "2024-10-24", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    emulator.cli("iam", "create-user", "--user-name", name)
    code, _, err = emulator.cli("iam", "put-user-policy", "--user-name", name, "--policy-name", "p",
                                "--policy-document", bad, check=False)
    assert code != 0
    assert "MalformedPolicyDocument" in err and "Syntax errors in policy." in err
    code, _, err = emulator.cli("iam", "get-user", "--user-name", name + "-missing", check=False)
    assert code != 0 and "NoSuchEntity" in err
