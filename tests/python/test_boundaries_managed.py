"""Permissions boundaries and AWS managed policies, seen from the user whose
calls they allow or deny."""
import botocore.exceptions
import pytest

from conftest import ACCOUNT, allow, doc, error_of


def test_permissions_boundary_caps_the_user(iam, user, name):
    user.allow(allow(["iam:ListUsers", "iam:ListRoles"]))
    user.iam.list_users()
    boundary = iam.create_policy(PolicyName=name, PolicyDocument=doc(allow(["iam:ListRoles", "iam:ListGroups"])))
    boundary_arn = boundary["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=user.name, PermissionsBoundary=boundary_arn)
    assert iam.get_user(UserName=user.name)["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": boundary_arn}
    assert iam.get_policy(PolicyArn=boundary_arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1

    user.iam.list_roles()  # allowed by both
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.iam.list_users()  # allowed by the user's policy only
    assert error_of(e) == ("AccessDenied", 403,
                           f"User: {user.arn} is not authorized to perform: iam:ListUsers on resource: "
                           f"arn:aws:iam::{ACCOUNT}:user/ because no permissions boundary allows the "
                           f"iam:ListUsers action")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.iam.list_groups()  # allowed by the boundary only: a boundary grants nothing
    assert error_of(e)[2].endswith("because no identity-based policy allows the iam:ListGroups action")

    iam.delete_user_permissions_boundary(UserName=user.name)
    assert "PermissionsBoundary" not in iam.get_user(UserName=user.name)["User"]
    user.iam.list_users()


def test_aws_managed_policy_can_be_read(iam):
    arn = "arn:aws:iam::aws:policy/service-role/AWSQuicksightAthenaAccess"
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["Arn"] == arn
    assert policy["PolicyName"] == "AWSQuicksightAthenaAccess"
    assert policy["Path"] == "/service-role/"
    assert policy["IsAttachable"] is True
    assert policy["PolicyId"].startswith("ANPA")
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    actions = [a for s in version["Document"]["Statement"] for a in
               ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert "athena:StartQueryExecution" in actions


def test_missing_aws_managed_policy(iam):
    arn = "arn:aws:iam::aws:policy/NoSuchPolicyAtAll"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.get_policy(PolicyArn=arn)
    assert error_of(e) == ("NoSuchEntity", 404, f"Policy {arn} was not found.")


def test_attach_missing_policy(iam, user):
    arn = f"arn:aws:iam::{ACCOUNT}:policy/{user.name}-missing"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.attach_user_policy(UserName=user.name, PolicyArn=arn)
    assert error_of(e) == ("NoSuchEntity", 404, f"Policy {arn} does not exist or is not attachable.")


def test_read_only_access_gives_read_access(iam, user, name):
    with pytest.raises(botocore.exceptions.ClientError):
        user.iam.list_users()
    iam.attach_user_policy(UserName=user.name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert user.name in [u["UserName"] for u in user.iam.list_users()["Users"]]
    assert user.iam.get_user(UserName=user.name)["User"]["Arn"] == user.arn
    attached = user.iam.list_attached_user_policies(UserName=user.name)["AttachedPolicies"]
    assert attached == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.iam.create_user(UserName=name + "-x")
    assert error_of(e) == ("AccessDenied", 403,
                           f"User: {user.arn} is not authorized to perform: iam:CreateUser on resource: "
                           f"arn:aws:iam::{ACCOUNT}:user/{name}-x because no identity-based policy allows "
                           f"the iam:CreateUser action")
    iam.detach_user_policy(UserName=user.name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    with pytest.raises(botocore.exceptions.ClientError):
        user.iam.list_users()

