"""The aws CLI against the emulator: pagination tokens, assume-role, decoded
policy documents, and how a denial reaches the shell."""
import json

from conftest import ACCOUNT, allow, doc


def test_cli_list_users_pagination_token_round_trip(emulator, iam, name):
    path = f"/{name}/"
    created = {f"{name}-{i}" for i in range(3)}
    for user_name in created:
        iam.create_user(UserName=user_name, Path=path)
    seen, token, rounds = [], None, 0
    while True:
        args = ["iam", "list-users", "--path-prefix", path, "--max-items", "1"]
        if token:
            args += ["--starting-token", token]
        _, page, _ = emulator.cli(*args)
        rounds += 1
        assert len(page["Users"]) == 1
        seen += [u["UserName"] for u in page["Users"]]
        token = page.get("NextToken")
        if not token:
            break
        assert rounds < 10
    assert rounds == 3
    assert sorted(seen) == sorted(created)
    # Without --max-items the CLI follows every page itself.
    _, everything, _ = emulator.cli("iam", "list-users", "--path-prefix", path, "--page-size", "1")
    assert sorted(u["UserName"] for u in everything["Users"]) == sorted(created)
    assert "NextToken" not in everything


def test_cli_assume_role(emulator, iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="list", PolicyDocument=doc(allow("iam:ListRoles")))
    user.allow(allow("sts:AssumeRole", role_arn))
    _, out, _ = emulator.cli("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "cli-session",
                             key=user.key, secret=user.secret)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/cli-session"
    creds = out["Credentials"]
    assert set(creds) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    session = dict(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    _, me, _ = emulator.cli("sts", "get-caller-identity", **session)
    assert me["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/cli-session"
    _, roles, _ = emulator.cli("iam", "list-roles", **session)
    assert role_arn in [r["Arn"] for r in roles["Roles"]]


def test_cli_get_policy_version_prints_the_decoded_document(emulator, name):
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/home/${aws:username}/*"],
         "Condition": {"StringLike": {"s3:prefix": ["home/&?=+ %/*"]}}}]}
    _, created, _ = emulator.cli("iam", "create-policy", "--policy-name", name,
                                 "--policy-document", json.dumps(document))
    arn = created["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    _, got, _ = emulator.cli("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    version = got["PolicyVersion"]
    assert version["VersionId"] == "v1" and version["IsDefaultVersion"] is True
    assert version["Document"] == document
    # Same for an AWS managed policy's default version.
    managed = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    _, policy, _ = emulator.cli("iam", "get-policy", "--policy-arn", managed)
    _, got, _ = emulator.cli("iam", "get-policy-version", "--policy-arn", managed,
                             "--version-id", policy["Policy"]["DefaultVersionId"])
    assert isinstance(got["PolicyVersion"]["Document"], dict)
    assert got["PolicyVersion"]["Document"]["Version"] == "2012-10-17"


def test_cli_access_denied_exit_code_and_message(emulator, user):
    code, out, err = emulator.cli("iam", "list-users", key=user.key, secret=user.secret, check=False)
    assert code in (254, 255)  # a service error: 255 in aws CLI v1, 254 in v2
    assert out is None
    assert err.strip() == (
        f"An error occurred (AccessDenied) when calling the ListUsers operation: User: {user.arn} is not "
        f"authorized to perform: iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ because no "
        f"identity-based policy allows the iam:ListUsers action")


def test_cli_assume_role_denied(emulator, iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
    user.allow(allow("sts:AssumeRole"))
    code, _, err = emulator.cli("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "nope",
                                key=user.key, secret=user.secret, check=False)
    assert code in (254, 255)  # a service error: 255 in aws CLI v1, 254 in v2
    assert err.strip().startswith(
        f"An error occurred (AccessDenied) when calling the AssumeRole operation: User: {user.arn} is not "
        f"authorized to perform: sts:AssumeRole on resource: {role_arn}")
