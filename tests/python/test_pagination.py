"""boto3 paginators over IAM lists (Marker / MaxItems / IsTruncated): every
page is followed, nothing is lost or duplicated, and a NextToken resumes
where the last page stopped."""
import pytest

from conftest import ACCOUNT, allow, doc


def pages_of(iam, operation, key, page_size, **params):
    """(number of pages, every item) of a full paginated listing."""
    pages = list(iam.get_paginator(operation).paginate(PaginationConfig={"PageSize": page_size}, **params))
    return len(pages), [item for page in pages for item in page[key]]


def test_list_users_pages(iam, name):
    path = f"/{name}/"
    created = {f"{name}-{i}" for i in range(7)}
    for user_name in created:
        iam.create_user(UserName=user_name, Path=path)
    count, users = pages_of(iam, "list_users", "Users", 2, PathPrefix=path)
    names = [u["UserName"] for u in users]
    assert count == 4
    assert sorted(names) == sorted(created)
    # MaxItems stops early with a NextToken; StartingToken resumes exactly there.
    paginator = iam.get_paginator("list_users")
    first = paginator.paginate(PathPrefix=path, PaginationConfig={"MaxItems": 3, "PageSize": 2}).build_full_result()
    assert len(first["Users"]) == 3 and "NextToken" in first
    rest = paginator.paginate(PathPrefix=path, PaginationConfig={"StartingToken": first["NextToken"],
                                                                 "PageSize": 2}).build_full_result()
    assert "NextToken" not in rest
    resumed = [u["UserName"] for u in first["Users"] + rest["Users"]]
    assert sorted(resumed) == sorted(created) and len(resumed) == 7


def test_list_users_raw_marker(iam, name):
    path = f"/{name}/"
    for i in range(3):
        iam.create_user(UserName=f"{name}-{i}", Path=path)
    page = iam.list_users(PathPrefix=path, MaxItems=2)
    assert page["IsTruncated"] is True and page["Marker"]
    last = iam.list_users(PathPrefix=path, MaxItems=2, Marker=page["Marker"])
    assert last["IsTruncated"] is False and "Marker" not in last
    assert len(page["Users"]) + len(last["Users"]) == 3


def test_list_local_policies_pages(iam, name):
    path = f"/{name}/"
    created = set()
    for i in range(5):
        arn = iam.create_policy(PolicyName=f"{name}-{i}", Path=path,
                                PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
        created.add(arn)
    count, policies = pages_of(iam, "list_policies", "Policies", 2, Scope="Local", PathPrefix=path)
    arns = [p["Arn"] for p in policies]
    assert count == 3
    assert sorted(arns) == sorted(created)
    assert all(a.startswith(f"arn:aws:iam::{ACCOUNT}:policy{path}") for a in arns)


def test_list_aws_managed_policies_pages(iam, name):
    iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("s3:GetObject")))
    _, big_pages = pages_of(iam, "list_policies", "Policies", 1000, Scope="AWS")
    count, small_pages = pages_of(iam, "list_policies", "Policies", 300, Scope="AWS")
    arns = [p["Arn"] for p in small_pages]
    assert len(arns) > 1000 and count == -(-len(arns) // 300)
    assert len(set(arns)) == len(arns), "a policy listed twice"
    assert set(arns) == {p["Arn"] for p in big_pages}
    assert all(a.startswith("arn:aws:iam::aws:policy/") for a in arns)
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in arns
    assert "arn:aws:iam::aws:policy/service-role/AWSQuicksightAthenaAccess" in arns
    assert name not in {p["PolicyName"] for p in small_pages}


def test_list_attached_user_policies_pages(iam, user, name):
    attached = set()
    for i in range(5):
        arn = iam.create_policy(PolicyName=f"{name}-{i}", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=user.name, PolicyArn=arn)
        attached.add(arn)
    iam.attach_user_policy(UserName=user.name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    attached.add("arn:aws:iam::aws:policy/ReadOnlyAccess")
    count, policies = pages_of(iam, "list_attached_user_policies", "AttachedPolicies", 2, UserName=user.name)
    arns = [p["PolicyArn"] for p in policies]
    assert count == 3
    assert sorted(arns) == sorted(attached)


def test_get_group_members_pages(iam, name):
    iam.create_group(GroupName=name)
    members = {f"{name}-{i}" for i in range(5)}
    for user_name in members:
        iam.create_user(UserName=user_name)
        iam.add_user_to_group(GroupName=name, UserName=user_name)
    pages = list(iam.get_paginator("get_group").paginate(GroupName=name, PaginationConfig={"PageSize": 2}))
    assert [len(p["Users"]) for p in pages] == [2, 2, 1]
    assert all(p["Group"]["GroupName"] == name for p in pages)
    assert sorted(u["UserName"] for p in pages for u in p["Users"]) == sorted(members)


def test_list_user_policies_pages(iam, user):
    names = {f"p{i}" for i in range(5)}
    for policy_name in names:
        iam.put_user_policy(UserName=user.name, PolicyName=policy_name, PolicyDocument=doc(allow("s3:GetObject")))
    count, listed = pages_of(iam, "list_user_policies", "PolicyNames", 2, UserName=user.name)
    assert count == 3 and sorted(listed) == sorted(names)


TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


@pytest.mark.parametrize("page_size", [1, 3])
def test_list_roles_pages(iam, name, page_size):
    path = f"/{name}/"
    created = {f"{name}-{i}" for i in range(4)}
    for role_name in created:
        iam.create_role(RoleName=role_name, Path=path, AssumeRolePolicyDocument=TRUST)
    count, roles = pages_of(iam, "list_roles", "Roles", page_size, PathPrefix=path)
    names = [r["RoleName"] for r in roles]
    assert count == -(-4 // page_size)
    assert sorted(names) == sorted(created)
    assert all(r["Arn"] == f"arn:aws:iam::{ACCOUNT}:role{path}{r['RoleName']}" for r in roles)
