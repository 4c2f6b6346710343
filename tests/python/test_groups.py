"""Groups: a group's inline and attached policies grant its members access,
and leaving the group takes it away."""
import botocore.exceptions
import pytest

from conftest import ACCOUNT, allow, doc, error_of


def denied(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**params)
    code, status, message = error_of(e)
    assert (code, status) == ("AccessDenied", 403), message
    return message


def test_group_policies_grant_members_access(iam, user, name):
    group = iam.create_group(GroupName=name, Path="/team/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/team/{name}"
    assert group["GroupId"].startswith("AGPA")

    message = denied(user.iam.list_groups)
    assert message == (f"User: {user.arn} is not authorized to perform: iam:ListGroups on resource: "
                       f"arn:aws:iam::{ACCOUNT}:group/ because no identity-based policy allows the iam:ListGroups action")

    iam.add_user_to_group(GroupName=name, UserName=user.name)
    got = iam.get_group(GroupName=name)
    assert [u["UserName"] for u in got["Users"]] == [user.name]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user.name)["Groups"]] == [name]

    # A group inline policy applies to the member.
    iam.put_group_policy(GroupName=name, PolicyName="list-groups", PolicyDocument=doc(allow("iam:ListGroups")))
    assert name in [g["GroupName"] for g in user.iam.list_groups()["Groups"]]

    # A managed policy attached to the group applies too.
    denied(user.iam.list_roles)
    arn = iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("iam:ListRoles")))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName=name, PolicyArn=arn)
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]] == [arn]
    user.iam.list_roles()

    # Leaving the group revokes both.
    iam.remove_user_from_group(GroupName=name, UserName=user.name)
    assert iam.get_group(GroupName=name)["Users"] == []
    denied(user.iam.list_groups)
    denied(user.iam.list_roles)


def test_group_deny_overrides_user_allow(iam, user, name):
    user.allow(allow("iam:ListRoles"))
    user.iam.list_roles()
    iam.create_group(GroupName=name)
    iam.put_group_policy(GroupName=name, PolicyName="deny", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*"}))
    iam.add_user_to_group(GroupName=name, UserName=user.name)
    message = denied(user.iam.list_roles)
    assert message.endswith("with an explicit deny in an identity-based policy")


def test_delete_group_with_members_is_conflict(iam, user, name):
    iam.create_group(GroupName=name)
    iam.add_user_to_group(GroupName=name, UserName=user.name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_group(GroupName=name)
    assert error_of(e) == ("DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")
    # DeleteUser is refused too while the user is in a group.
    iam.delete_access_key(UserName=user.name, AccessKeyId=user.key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_user(UserName=user.name)
    assert error_of(e)[:2] == ("DeleteConflict", 409)
    iam.remove_user_from_group(GroupName=name, UserName=user.name)
    iam.delete_group(GroupName=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.get_group(GroupName=name)
    assert error_of(e) == ("NoSuchEntity", 404, f"The group with name {name} cannot be found.")
    iam.delete_user(UserName=user.name)


def test_delete_group_with_inline_policy_is_conflict(iam, name):
    iam.create_group(GroupName=name)
    iam.put_group_policy(GroupName=name, PolicyName="p", PolicyDocument=doc(allow("iam:ListRoles")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_group(GroupName=name)
    assert error_of(e) == ("DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
    iam.delete_group_policy(GroupName=name, PolicyName="p")
    iam.delete_group(GroupName=name)
