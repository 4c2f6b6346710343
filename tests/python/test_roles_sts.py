"""Roles and STS through boto3: trust policies, AssumeRole sessions and what
they may do, session policies, cross-account assumption, GetSessionToken."""
import datetime
import json

import botocore.exceptions
import pytest

from conftest import ACCOUNT, OTHER_ACCOUNT, allow, doc, error_of


def trust(principal):
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def session_clients(emulator, credentials):
    c = credentials
    return (emulator.client("iam", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]),
            emulator.client("sts", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))


def denial(excinfo):
    code, status, message = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403), message
    return message


def test_assume_role_session(emulator, iam, user, name):
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
                           Description="for tests")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/{name}"
    assert role["RoleId"].startswith("AROA")
    got = iam.get_role(RoleName=name)["Role"]
    assert got["MaxSessionDuration"] == 3600
    assert got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    iam.attach_role_policy(RoleName=name, PolicyArn=iam.create_policy(
        PolicyName=name, PolicyDocument=doc(allow("iam:ListRoles")))["Policy"]["Arn"])

    # The trust policy names the account, so the user's own policy must allow sts:AssumeRole too.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="first")
    assert denial(e).startswith(f"User: {user.arn} is not authorized to perform: sts:AssumeRole "
                                f"on resource: {role['Arn']}")
    user.allow(allow("sts:AssumeRole", role["Arn"]))
    out = user.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="my-session")
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    assert out["AssumedRoleUser"] == {"AssumedRoleId": f"{role['RoleId']}:my-session",
                                      "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/my-session"}
    expires_in = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=55) < expires_in <= datetime.timedelta(hours=1, minutes=1)

    session_iam, session_sts = session_clients(emulator, creds)
    me = session_sts.get_caller_identity()
    assert me == {"UserId": f"{role['RoleId']}:my-session", "Account": ACCOUNT,
                  "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/my-session",
                  "ResponseMetadata": me["ResponseMetadata"]}
    # The role's policy applies to the session, the user's does not.
    assert name in [r["RoleName"] for r in session_iam.list_roles()["Roles"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        session_iam.list_users()
    assert denial(e) == (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{name}/my-session is not authorized to "
                         f"perform: iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ because no "
                         f"identity-based policy allows the iam:ListUsers action")


def test_trust_policy_that_does_not_name_the_caller(iam, user, name):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    user.allow(allow("sts:AssumeRole"))
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sts.assume_role(RoleArn=role_arn, RoleSessionName="nope")
    assert denial(e).startswith(f"User: {user.arn} is not authorized to perform: sts:AssumeRole "
                                f"on resource: {role_arn}")


def test_trust_policy_naming_the_user_needs_no_identity_policy(iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": user.arn}))["Role"]["Arn"]
    out = user.sts.assume_role(RoleArn=role_arn, RoleSessionName="direct")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/direct"


def test_updated_trust_policy_takes_effect(iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": user.arn}))["Role"]["Arn"]
    user.sts.assume_role(RoleArn=role_arn, RoleSessionName="before")
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sts.assume_role(RoleArn=role_arn, RoleSessionName="after")
    denial(e)


def test_root_cannot_assume_a_role(sts, iam, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(
        {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))["Role"]["Arn"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="root-session")
    assert error_of(e) == ("AccessDenied", 403, "Roles may not be assumed by root accounts.")


def test_duration_above_max_session_duration(iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": user.arn}),
                               MaxSessionDuration=7200)["Role"]["Arn"]
    out = user.sts.assume_role(RoleArn=role_arn, RoleSessionName="two-hours", DurationSeconds=7200)
    expires_in = out["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=115) < expires_in <= datetime.timedelta(hours=2, minutes=1)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sts.assume_role(RoleArn=role_arn, RoleSessionName="too-long", DurationSeconds=7201)
    assert error_of(e) == ("ValidationError", 400,
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")


def test_session_policy_narrows_the_session(emulator, iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": user.arn}))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="both", PolicyDocument=doc(allow(["iam:ListRoles", "iam:ListUsers"])))
    out = user.sts.assume_role(RoleArn=role_arn, RoleSessionName="narrow",
                               Policy=json.dumps({"Version": "2012-10-17", "Statement": [allow("iam:ListRoles")]}))
    session_iam, _ = session_clients(emulator, out["Credentials"])
    session_iam.list_roles()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        session_iam.list_users()
    assert denial(e) == (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{name}/narrow is not authorized to perform: "
                         f"iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ because no session policy "
                         f"allows the iam:ListUsers action")
    # A session policy cannot grant more than the role has.
    out = user.sts.assume_role(RoleArn=role_arn, RoleSessionName="wide",
                               Policy=doc(allow("iam:*")))
    session_iam, _ = session_clients(emulator, out["Credentials"])
    session_iam.list_users()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        session_iam.list_groups()
    assert denial(e).endswith("because no identity-based policy allows the iam:ListGroups action")


def test_cross_account_assume_role(emulator, other_iam, iam, user, name):
    role = other_iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    role_arn = role["Role"]["Arn"]
    assert role_arn == f"arn:aws:iam::{OTHER_ACCOUNT}:role/{name}"
    other_iam.put_role_policy(RoleName=name, PolicyName="list", PolicyDocument=doc(allow("iam:ListRoles")))

    # Without an identity policy in the caller's account, the trust policy alone is not enough.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sts.assume_role(RoleArn=role_arn, RoleSessionName="x-account")
    assert denial(e).startswith(f"User: {user.arn} is not authorized to perform: sts:AssumeRole "
                                f"on resource: {role_arn}")

    user.allow(allow("sts:AssumeRole", role_arn))
    out = user.sts.assume_role(RoleArn=role_arn, RoleSessionName="x-account")
    session_iam, session_sts = session_clients(emulator, out["Credentials"])
    me = session_sts.get_caller_identity()
    assert me["Account"] == OTHER_ACCOUNT
    assert me["Arn"] == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/{name}/x-account"
    # The session acts in the role's account.
    roles = [r["Arn"] for r in session_iam.list_roles()["Roles"]]
    assert role_arn in roles
    assert all(f":{OTHER_ACCOUNT}:" in arn for arn in roles)


def test_cross_account_trust_of_another_account_denies(emulator, other_iam, user, name):
    role_arn = other_iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(
        {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}))["Role"]["Arn"]
    user.allow(allow("sts:AssumeRole", role_arn))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sts.assume_role(RoleArn=role_arn, RoleSessionName="x-account")
    denial(e)


def test_other_account_root_cannot_assume_a_role(emulator, iam, name):
    from conftest import OTHER_KEY, OTHER_SECRET
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(
        {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}))["Role"]["Arn"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        emulator.client("sts", OTHER_KEY, OTHER_SECRET).assume_role(RoleArn=role_arn, RoleSessionName="root")
    assert error_of(e) == ("AccessDenied", 403, "Roles may not be assumed by root accounts.")


def test_assume_missing_role(iam, user, name):
    user.allow(allow("sts:AssumeRole"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}-missing", RoleSessionName="none")
    denial(e)


def test_get_session_token(emulator, iam, user, name):
    out = user.sts.get_session_token()
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    expires_in = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=11, minutes=55) < expires_in <= datetime.timedelta(hours=12, minutes=1)
    short = user.sts.get_session_token(DurationSeconds=900)["Credentials"]
    expires_in = short["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=14) < expires_in <= datetime.timedelta(minutes=16)

    _, session_sts = session_clients(emulator, creds)
    me = session_sts.get_caller_identity()
    assert me["Arn"] == user.arn and me["Account"] == ACCOUNT
    # The session token is part of the credentials: without it the key is unknown.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        emulator.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"]).get_caller_identity()
    assert error_of(e)[:2] == ("InvalidClientTokenId", 403)
    # Session credentials may call AssumeRole, with the user's permissions.
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": user.arn}))["Role"]["Arn"]
    assumed = session_sts.assume_role(RoleArn=role_arn, RoleSessionName="from-session")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/from-session"
    # ...but not GetSessionToken again.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        session_sts.get_session_token()
    assert error_of(e) == ("AccessDenied", 403, "Cannot call GetSessionToken with session credentials")


def test_assumed_role_session_cannot_get_session_token(emulator, iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": user.arn}))["Role"]["Arn"]
    _, session_sts = session_clients(emulator, user.sts.assume_role(
        RoleArn=role_arn, RoleSessionName="s1")["Credentials"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        session_sts.get_session_token()
    assert error_of(e) == ("AccessDenied", 403, "Cannot call GetSessionToken with session credentials")


def test_delete_role_with_policies_is_conflict(iam, name):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(allow("iam:ListRoles")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_role(RoleName=name)
    assert error_of(e) == ("DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    iam.delete_role(RoleName=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.get_role(RoleName=name)
    assert error_of(e) == ("NoSuchEntity", 404, f"The role with name {name} cannot be found.")


def test_session_token_without_mfa_cannot_call_iam(emulator, user):
    # AWS: "You cannot call any IAM API operations unless MFA authentication
    # information is included in the request" (GetSessionToken API reference);
    # the IAM endpoint answers 403 InvalidClientTokenId.
    user.allow(allow("iam:ListUsers"))
    user.iam.list_users()
    session_iam, _ = session_clients(emulator, user.sts.get_session_token()["Credentials"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        session_iam.list_users()
    code, status, message = error_of(e)
    assert (code, status) == ("InvalidClientTokenId", 403)
    assert message.startswith("The security token included in the request is invalid")


def chain(emulator, iam, user, name):
    """A user session of role A, which may assume role B (both allow 12 h sessions)."""
    trust_user = trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    first = iam.create_role(RoleName=f"{name}-a", AssumeRolePolicyDocument=trust_user,
                            MaxSessionDuration=43200)["Role"]["Arn"]
    second = iam.create_role(RoleName=f"{name}-b", AssumeRolePolicyDocument=trust_user,
                             MaxSessionDuration=43200)["Role"]["Arn"]
    iam.put_role_policy(RoleName=f"{name}-a", PolicyName="chain", PolicyDocument=doc(allow("sts:AssumeRole", second)))
    user.allow(allow("sts:AssumeRole", first))
    _, session_sts = session_clients(emulator, user.sts.assume_role(
        RoleArn=first, RoleSessionName="hop-1", DurationSeconds=7200)["Credentials"])
    return session_sts, second


def test_role_chaining_within_one_hour(emulator, iam, user, name):
    session_sts, second = chain(emulator, iam, user, name)
    out = session_sts.assume_role(RoleArn=second, RoleSessionName="hop-2", DurationSeconds=3600)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}-b/hop-2"


def test_role_chaining_is_limited_to_one_hour(emulator, iam, user, name):
    session_sts, second = chain(emulator, iam, user, name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        session_sts.assume_role(RoleArn=second, RoleSessionName="hop-2", DurationSeconds=7200)
    assert error_of(e) == ("ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session "
                                                   "limit for roles assumed by role chaining.")


def test_session_policy_reports_packed_policy_size(iam, user, name):
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": user.arn}))["Role"]["Arn"]
    out = user.sts.assume_role(RoleArn=role_arn, RoleSessionName="packed", Policy=doc(allow("iam:ListRoles")))
    assert isinstance(out.get("PackedPolicySize"), int) and 0 < out["PackedPolicySize"] <= 100
