"""AWS Organizations through boto3, beyond test_organizations.py: OUs
(nesting, renaming, deleting, the depth limit), accounts (listing with
pages, moving, removing), policies (updating, describing, listing by target
and by policy, deleting, policy types, malformed documents, tag policies),
tags, AWSOrganizationsNotInUseException, and enforcement: an SCP or an RCP
on sts:AssumeRole, and aws:ResourceOrgID in policies.

Every test builds its own organization in a private emulator
(`fresh_emulator`), so none sees another's OUs, accounts or policies.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, doc, error_of

MEMBER = "444455556666"
MEMBER_KEY = "AKIAMEMBERROOTKEY002"
MEMBER_SECRET = "memberRootSecretKey000000000000000000002"
ADMIN = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
DENY_ASSUME_ROLE = doc({"Sid": "NoAssumeRole", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})
SCP_DENIAL = "with an explicit deny in a service control policy"
RCP_DENIAL = "with an explicit deny in a resource control policy"


class Org:
    """The default account's organization (all features), holding MEMBER
    (invited, root keys MEMBER_KEY) in the OU Sandbox; OTHER_ACCOUNT stays
    outside."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.orgs = emulator.client("organizations")
        self.member_orgs = emulator.client("organizations", MEMBER_KEY, MEMBER_SECRET)
        self.outsider_orgs = emulator.client("organizations", OTHER_KEY, OTHER_SECRET)
        self.id = self.orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        self.root = self.orgs.list_roots()["Roots"][0]["Id"]
        handshake = self.orgs.invite_account_to_organization(
            Target={"Type": "ACCOUNT", "Id": MEMBER})["Handshake"]["Id"]
        self.member_orgs.accept_handshake(HandshakeId=handshake)
        self.sandbox = self.ou("Sandbox")
        self.orgs.move_account(AccountId=MEMBER, SourceParentId=self.root, DestinationParentId=self.sandbox)

    def ou(self, name, parent=None):
        return self.orgs.create_organizational_unit(
            ParentId=parent or self.root, Name=name)["OrganizationalUnit"]["Id"]

    def policy(self, kind, name, content):
        return self.orgs.create_policy(Name=name, Description=name, Type=kind,
                                       Content=content)["Policy"]["PolicySummary"]["Id"]

    def client(self, service, account="management", key=None, secret=None, token=None):
        if key is None:
            key, secret = {"management": (None, None), "member": (MEMBER_KEY, MEMBER_SECRET),
                           "outsider": (OTHER_KEY, OTHER_SECRET)}[account]
        if key is None:
            return self.emulator.client(service)
        return self.emulator.client(service, key, secret, token)

    def admin_user(self, account, name):
        """A user with administrator permissions in `account`: (arn, key, secret)."""
        iam = self.client("iam", account)
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        iam.put_user_policy(UserName=name, PolicyName="admin", PolicyDocument=ADMIN)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return arn, key["AccessKeyId"], key["SecretAccessKey"]


@pytest.fixture
def org(fresh_emulator):
    return Org(fresh_emulator("--root-key", f"{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET}"))


def failure(call, **kwargs):
    """(Code, HTTP status, Message, parsed response) of a call that must fail."""
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return (*error_of(excinfo), excinfo.value.response)


def code_of(call, **kwargs):
    code, status, _, _ = failure(call, **kwargs)
    return code, status


def all_pages(call, key, **kwargs):
    """Every item of a List operation read page by page; the page sizes."""
    items, sizes, token = [], [], None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        items += page[key]
        sizes.append(len(page[key]))
        token = page.get("NextToken")
        if not token:
            return items, sizes


# ------------------------------------------------------------------ OUs

def test_nested_ous_are_renamed_and_deleted_only_when_empty(org):
    orgs = org.orgs
    eng = org.ou("Engineering")
    team = org.ou("Team", parent=eng)
    described = orgs.describe_organizational_unit(OrganizationalUnitId=team)["OrganizationalUnit"]
    assert described["Name"] == "Team"
    assert described["Arn"] == f"arn:aws:organizations::{ACCOUNT}:ou/{org.id}/{team}"
    assert orgs.list_parents(ChildId=team)["Parents"] == [{"Id": eng, "Type": "ORGANIZATIONAL_UNIT"}]
    assert [u["Id"] for u in orgs.list_organizational_units_for_parent(ParentId=eng)["OrganizationalUnits"]] \
        == [team]

    renamed = orgs.update_organizational_unit(OrganizationalUnitId=team, Name="Platform")["OrganizationalUnit"]
    assert (renamed["Id"], renamed["Name"], renamed["Arn"]) == (team, "Platform", described["Arn"])
    assert orgs.describe_organizational_unit(OrganizationalUnitId=team)["OrganizationalUnit"]["Name"] == "Platform"
    # A sibling's name is taken.
    org.ou("Data", parent=eng)
    assert code_of(orgs.update_organizational_unit, OrganizationalUnitId=team, Name="Data") == \
        ("DuplicateOrganizationalUnitException", 400)

    # An OU holding an OU, or an account, is not empty.
    code, status, message, _ = failure(orgs.delete_organizational_unit, OrganizationalUnitId=eng)
    assert (code, status) == ("OrganizationalUnitNotEmptyException", 400)
    assert "not empty" in message
    assert code_of(orgs.delete_organizational_unit, OrganizationalUnitId=org.sandbox) == \
        ("OrganizationalUnitNotEmptyException", 400)

    orgs.delete_organizational_unit(OrganizationalUnitId=team)
    assert code_of(orgs.describe_organizational_unit, OrganizationalUnitId=team) == \
        ("OrganizationalUnitNotFoundException", 400)
    data = orgs.list_organizational_units_for_parent(ParentId=eng)["OrganizationalUnits"][0]["Id"]
    orgs.delete_organizational_unit(OrganizationalUnitId=data)
    orgs.delete_organizational_unit(OrganizationalUnitId=eng)
    names = [u["Name"] for u in orgs.list_organizational_units_for_parent(ParentId=org.root)["OrganizationalUnits"]]
    assert names == ["Sandbox"]


def test_ous_nest_five_levels_deep_and_no_deeper(org):
    """CreateOrganizationalUnit: "For service control policies, the limit is
    five" levels; beyond it, ConstraintViolationException with the reason
    OU_DEPTH_LIMIT_EXCEEDED."""
    parent = org.root
    for level in range(1, 6):
        parent = org.ou(f"Level{level}", parent=parent)
    code, status, message, response = failure(org.orgs.create_organizational_unit, ParentId=parent, Name="Level6")
    assert (code, status) == ("ConstraintViolationException", 400)
    assert response["Reason"] == "OU_DEPTH_LIMIT_EXCEEDED"
    assert "too many levels deep" in message
    assert org.orgs.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"] == []


# ------------------------------------------------------------------ accounts

def test_accounts_are_listed_page_by_page_and_moved_between_parents(org):
    orgs = org.orgs
    created = []
    for n in range(3):
        status = orgs.create_account(Email=f"dev{n}@example.com", AccountName=f"Dev{n}")["CreateAccountStatus"]
        created.append(status["AccountId"])
    everyone = {ACCOUNT, MEMBER, *created}

    accounts, sizes = all_pages(orgs.list_accounts, "Accounts", MaxResults=2)
    assert sorted(a["Id"] for a in accounts) == sorted(everyone)
    assert sizes == [2, 2, 1]
    first = orgs.list_accounts(MaxResults=2)
    assert len(first["Accounts"]) == 2 and first["NextToken"]
    by_id = {a["Id"]: a for a in accounts}
    assert by_id[created[0]]["Name"] == "Dev0" and by_id[created[0]]["Email"] == "dev0@example.com"
    assert by_id[created[0]]["JoinedMethod"] == "CREATED" and by_id[MEMBER]["JoinedMethod"] == "INVITED"
    assert by_id[created[0]]["Arn"] == f"arn:aws:organizations::{ACCOUNT}:account/{org.id}/{created[0]}"

    in_root, sizes = all_pages(orgs.list_accounts_for_parent, "Accounts", ParentId=org.root, MaxResults=1)
    assert sorted(a["Id"] for a in in_root) == sorted({ACCOUNT, *created})
    assert sizes == [1, 1, 1, 1]
    assert [a["Id"] for a in orgs.list_accounts_for_parent(ParentId=org.sandbox)["Accounts"]] == [MEMBER]

    orgs.move_account(AccountId=created[0], SourceParentId=org.root, DestinationParentId=org.sandbox)
    assert sorted(a["Id"] for a in orgs.list_accounts_for_parent(ParentId=org.sandbox)["Accounts"]) == \
        sorted([MEMBER, created[0]])
    assert orgs.list_parents(ChildId=created[0])["Parents"] == [{"Id": org.sandbox, "Type": "ORGANIZATIONAL_UNIT"}]
    assert code_of(orgs.move_account, AccountId=created[0], SourceParentId=org.sandbox,
                   DestinationParentId=org.sandbox) == ("DuplicateAccountException", 400)
    assert code_of(orgs.move_account, AccountId=created[1], SourceParentId=org.root,
                   DestinationParentId=f"ou-{org.root[2:]}-zzzzzzzz") == ("DestinationParentNotFoundException", 400)
    assert code_of(orgs.list_accounts, MaxResults=2, NextToken="not-a-token") == ("InvalidInputException", 400)


def test_remove_account_from_organization_but_never_the_management_account(org):
    orgs = org.orgs
    code, status, message, _ = failure(orgs.remove_account_from_organization, AccountId=ACCOUNT)
    assert (code, status) == ("MasterCannotLeaveOrganizationException", 400)
    assert message.startswith("You can't remove a management account from an organization.")

    orgs.remove_account_from_organization(AccountId=MEMBER)
    assert MEMBER not in [a["Id"] for a in orgs.list_accounts()["Accounts"]]
    assert orgs.list_accounts_for_parent(ParentId=org.sandbox)["Accounts"] == []
    assert code_of(orgs.describe_account, AccountId=MEMBER) == ("AccountNotFoundException", 400)
    assert code_of(orgs.remove_account_from_organization, AccountId=MEMBER) == ("AccountNotFoundException", 400)
    # The removed account is in no organization any more.
    assert code_of(org.member_orgs.describe_organization) == ("AWSOrganizationsNotInUseException", 400)
    # The now empty OU can go.
    orgs.delete_organizational_unit(OrganizationalUnitId=org.sandbox)


# ------------------------------------------------------------------ policies

def test_update_describe_list_and_delete_a_policy(org):
    orgs = org.orgs
    policy = org.policy(SCP, "DenyAssume", DENY_ASSUME_ROLE)
    arn = f"arn:aws:organizations::{ACCOUNT}:policy/{org.id}/service_control_policy/{policy}"
    described = orgs.describe_policy(PolicyId=policy)["Policy"]
    assert described["PolicySummary"] == {"Id": policy, "Arn": arn, "Name": "DenyAssume",
                                          "Description": "DenyAssume", "Type": SCP, "AwsManaged": False}
    assert described["Content"] == DENY_ASSUME_ROLE

    deny_s3 = doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    updated = orgs.update_policy(PolicyId=policy, Name="NoBucketDeletes", Description="keep buckets",
                                 Content=deny_s3)["Policy"]
    assert (updated["PolicySummary"]["Name"], updated["PolicySummary"]["Description"]) == \
        ("NoBucketDeletes", "keep buckets")
    assert updated["Content"] == deny_s3
    described = orgs.describe_policy(PolicyId=policy)["Policy"]
    assert (described["PolicySummary"]["Name"], described["Content"]) == ("NoBucketDeletes", deny_s3)
    # Only the name, the rest unchanged.
    orgs.update_policy(PolicyId=policy, Name="Renamed")
    described = orgs.describe_policy(PolicyId=policy)["Policy"]
    assert (described["PolicySummary"]["Name"], described["PolicySummary"]["Description"], described["Content"]) \
        == ("Renamed", "keep buckets", deny_s3)

    orgs.attach_policy(PolicyId=policy, TargetId=org.sandbox)
    orgs.attach_policy(PolicyId=policy, TargetId=MEMBER)
    on_sandbox = orgs.list_policies_for_target(TargetId=org.sandbox, Filter=SCP)["Policies"]
    assert sorted(p["Id"] for p in on_sandbox) == sorted(["p-FullAWSAccess", policy])
    assert [p for p in on_sandbox if p["Id"] == policy][0]["Name"] == "Renamed"
    targets = {t["TargetId"]: t for t in orgs.list_targets_for_policy(PolicyId=policy)["Targets"]}
    member_name = orgs.describe_account(AccountId=MEMBER)["Account"]["Name"]
    assert targets == {
        MEMBER: {"TargetId": MEMBER, "Arn": f"arn:aws:organizations::{ACCOUNT}:account/{org.id}/{MEMBER}",
                 "Name": member_name, "Type": "ACCOUNT"},
        org.sandbox: {"TargetId": org.sandbox, "Arn": f"arn:aws:organizations::{ACCOUNT}:ou/{org.id}/{org.sandbox}",
                      "Name": "Sandbox", "Type": "ORGANIZATIONAL_UNIT"},
    }
    assert code_of(orgs.attach_policy, PolicyId=policy, TargetId=org.sandbox) == \
        ("DuplicatePolicyAttachmentException", 400)

    code, status, message, _ = failure(orgs.delete_policy, PolicyId=policy)
    assert (code, status) == ("PolicyInUseException", 400)
    orgs.detach_policy(PolicyId=policy, TargetId=org.sandbox)
    assert code_of(orgs.delete_policy, PolicyId=policy) == ("PolicyInUseException", 400)
    orgs.detach_policy(PolicyId=policy, TargetId=MEMBER)
    assert orgs.list_targets_for_policy(PolicyId=policy)["Targets"] == []
    assert code_of(orgs.detach_policy, PolicyId=policy, TargetId=MEMBER) == ("PolicyNotAttachedException", 400)
    orgs.delete_policy(PolicyId=policy)
    assert code_of(orgs.describe_policy, PolicyId=policy) == ("PolicyNotFoundException", 400)
    # AWS managed policies cannot be changed.
    _, _, _, response = failure(orgs.update_policy, PolicyId="p-FullAWSAccess", Name="Mine")
    assert (response["Error"]["Code"], response["Reason"]) == ("InvalidInputException", "IMMUTABLE_POLICY")
    assert policy not in [p["Id"] for p in orgs.list_policies(Filter=SCP)["Policies"]]


def test_attaching_a_policy_of_a_disabled_type_fails(org):
    orgs = org.orgs
    policy = org.policy(SCP, "DenyAssume", DENY_ASSUME_ROLE)
    orgs.attach_policy(PolicyId=policy, TargetId=org.sandbox)
    # Disabling SCPs detaches every SCP.
    root = orgs.disable_policy_type(RootId=org.root, PolicyType=SCP)["Root"]
    assert {"Type": SCP, "Status": "ENABLED"} not in root["PolicyTypes"]
    code, status, message, _ = failure(orgs.attach_policy, PolicyId=policy, TargetId=org.sandbox)
    assert (code, status) == ("PolicyTypeNotEnabledException", 400)
    assert message.startswith("The specified policy type isn't currently enabled in this root.")
    assert code_of(orgs.disable_policy_type, RootId=org.root, PolicyType=SCP) == \
        ("PolicyTypeNotEnabledException", 400)
    orgs.enable_policy_type(RootId=org.root, PolicyType=SCP)
    # Re-enabled, only FullAWSAccess is attached again, everywhere.
    for target in (org.root, org.sandbox, MEMBER):
        assert [p["Id"] for p in orgs.list_policies_for_target(TargetId=target, Filter=SCP)["Policies"]] \
            == ["p-FullAWSAccess"]
    orgs.attach_policy(PolicyId=policy, TargetId=org.sandbox)
    assert code_of(orgs.enable_policy_type, RootId=org.root, PolicyType=SCP) == \
        ("PolicyTypeAlreadyEnabledException", 400)


@pytest.mark.parametrize("content", [
    "{not json",
    doc({"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}),
    doc({"Effect": "Deny", "Resource": "*"}),
], ids=["not-json", "bad-effect", "no-action"])
def test_a_malformed_scp_is_refused(org, content):
    code, status, _, _ = failure(org.orgs.create_policy, Name="Bad", Description="bad", Type=SCP, Content=content)
    assert (code, status) == ("MalformedPolicyDocumentException", 400)
    assert "Bad" not in [p["Name"] for p in org.orgs.list_policies(Filter=SCP)["Policies"]]
    good = org.policy(SCP, "Good", DENY_ASSUME_ROLE)
    assert code_of(org.orgs.update_policy, PolicyId=good, Content=content) == \
        ("MalformedPolicyDocumentException", 400)
    assert org.orgs.describe_policy(PolicyId=good)["Policy"]["Content"] == DENY_ASSUME_ROLE


def test_a_tag_policy_once_its_type_is_enabled(org):
    orgs = org.orgs
    root = orgs.enable_policy_type(RootId=org.root, PolicyType="TAG_POLICY")["Root"]
    assert {"Type": "TAG_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
    content = '{"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}}}}'
    policy = org.policy("TAG_POLICY", "CostCenter", content)
    summary = orgs.describe_policy(PolicyId=policy)["Policy"]["PolicySummary"]
    assert summary["Type"] == "TAG_POLICY"
    assert summary["Arn"] == f"arn:aws:organizations::{ACCOUNT}:policy/{org.id}/tag_policy/{policy}"
    orgs.attach_policy(PolicyId=policy, TargetId=org.sandbox)
    assert [p["Id"] for p in orgs.list_policies_for_target(TargetId=org.sandbox, Filter="TAG_POLICY")["Policies"]] \
        == [policy]
    assert [p["Id"] for p in orgs.list_policies(Filter="TAG_POLICY")["Policies"]] == [policy]
    assert code_of(orgs.create_policy, Name="NotAnObject", Description="", Type="TAG_POLICY",
                   Content='["tags"]') == ("MalformedPolicyDocumentException", 400)


# ------------------------------------------------------------------ tags

def test_tags_on_an_account_an_ou_and_a_policy(org):
    orgs = org.orgs
    policy = org.policy(SCP, "Tagged", DENY_ASSUME_ROLE)
    for resource in (MEMBER, org.sandbox, policy):
        assert orgs.list_tags_for_resource(ResourceId=resource)["Tags"] == []
        orgs.tag_resource(ResourceId=resource, Tags=[{"Key": "team", "Value": "blue"},
                                                     {"Key": "env", "Value": "dev"}])
        orgs.tag_resource(ResourceId=resource, Tags=[{"Key": "env", "Value": "prod"}])
        tags = orgs.list_tags_for_resource(ResourceId=resource)["Tags"]
        assert sorted(tags, key=lambda t: t["Key"]) == [{"Key": "env", "Value": "prod"},
                                                         {"Key": "team", "Value": "blue"}], resource
        orgs.untag_resource(ResourceId=resource, TagKeys=["team"])
        assert orgs.list_tags_for_resource(ResourceId=resource)["Tags"] == [{"Key": "env", "Value": "prod"}]
    # Tags given at creation.
    ou = orgs.create_organizational_unit(ParentId=org.root, Name="Tagged",
                                         Tags=[{"Key": "owner", "Value": "ops"}])["OrganizationalUnit"]["Id"]
    assert orgs.list_tags_for_resource(ResourceId=ou)["Tags"] == [{"Key": "owner", "Value": "ops"}]
    code, status, _, response = failure(orgs.tag_resource, ResourceId=ou, Tags=[{"Key": "aws:x", "Value": "y"}])
    assert (code, status, response["Reason"]) == ("InvalidInputException", 400, "INVALID_SYSTEM_TAGS_PARAMETER")
    assert code_of(orgs.list_tags_for_resource, ResourceId="999988887777") == ("TargetNotFoundException", 400)


# ------------------------------------------------------------------ not in use

def test_an_account_in_no_organization_gets_not_in_use(fresh_emulator):
    emulator = fresh_emulator()
    orgs = emulator.client("organizations")
    for call, kwargs in ((orgs.describe_organization, {}), (orgs.list_accounts, {}), (orgs.list_roots, {}),
                         (orgs.list_policies, {"Filter": SCP})):
        code, status, message, _ = failure(call, **kwargs)
        assert (code, status) == ("AWSOrganizationsNotInUseException", 400), call
        assert "member of an organization" in message
    # Another account's organization does not make this one a member.
    emulator.client("organizations", OTHER_KEY, OTHER_SECRET).create_organization(FeatureSet="ALL")
    assert code_of(orgs.describe_organization) == ("AWSOrganizationsNotInUseException", 400)
    assert code_of(orgs.create_organizational_unit, ParentId="r-abcd", Name="x") == \
        ("AWSOrganizationsNotInUseException", 400)


# ------------------------------------------------------------------ enforcement

def trust(principal):
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


def test_an_scp_denying_assume_role_stops_a_member_user_until_detached(org):
    user_arn, key, secret = org.admin_user("member", "developer")
    role_arn = org.client("iam", "member").create_role(
        RoleName="deployer", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{MEMBER}:root"))["Role"]["Arn"]
    sts = org.client("sts", key=key, secret=secret)
    sts.assume_role(RoleArn=role_arn, RoleSessionName="before")

    policy = org.policy(SCP, "NoAssumeRole", DENY_ASSUME_ROLE)
    org.orgs.attach_policy(PolicyId=policy, TargetId=MEMBER)
    code, status, message, _ = failure(sts.assume_role, RoleArn=role_arn, RoleSessionName="during")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {user_arn} is not authorized to perform: sts:AssumeRole "
                       f"on resource: {role_arn} {SCP_DENIAL}")
    # The management account is never bound by SCPs.
    mgmt_role = org.client("iam").create_role(
        RoleName="mgmt", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))["Role"]["Arn"]
    _, op_key, op_secret = org.admin_user("management", "operator")
    org.client("sts", key=op_key, secret=op_secret).assume_role(RoleArn=mgmt_role, RoleSessionName="mgmt")

    org.orgs.detach_policy(PolicyId=policy, TargetId=MEMBER)
    assert sts.assume_role(RoleArn=role_arn, RoleSessionName="after")["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{MEMBER}:assumed-role/deployer/after"


def test_an_rcp_keeps_outsiders_from_assuming_a_member_role_until_detached(org):
    org.orgs.enable_policy_type(RootId=org.root, PolicyType=RCP)
    role_arn = org.client("iam", "member").create_role(
        RoleName="shared", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{OTHER_ACCOUNT}:root"))["Role"]["Arn"]
    user_arn, key, secret = org.admin_user("outsider", "partner")
    sts = org.client("sts", key=key, secret=secret)
    sts.assume_role(RoleArn=role_arn, RoleSessionName="before")

    rcp = doc({"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
               "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org.id},
                             "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
    policy = org.policy(RCP, "OrgOnlyAssume", rcp)
    org.orgs.attach_policy(PolicyId=policy, TargetId=MEMBER)
    code, status, message, _ = failure(sts.assume_role, RoleArn=role_arn, RoleSessionName="during")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {user_arn} is not authorized to perform: sts:AssumeRole "
                       f"on resource: {role_arn} {RCP_DENIAL}")
    # A principal of the organization still may (a management account's user).
    org.client("iam", "member").update_assume_role_policy(RoleName="shared", PolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{OTHER_ACCOUNT}:root",
                                                  f"arn:aws:iam::{ACCOUNT}:root"]},
         "Action": "sts:AssumeRole"}))
    _, op_key, op_secret = org.admin_user("management", "operator")
    org.client("sts", key=op_key, secret=op_secret).assume_role(RoleArn=role_arn, RoleSessionName="insider")

    org.orgs.detach_policy(PolicyId=policy, TargetId=MEMBER)
    assert sts.assume_role(RoleArn=role_arn, RoleSessionName="after")["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{MEMBER}:assumed-role/shared/after"


def test_resource_org_id_in_a_bucket_policy_admits_the_same_organization_only(org):
    s3 = org.client("s3")
    s3.create_bucket(Bucket="org-shared")
    s3.put_object(Bucket="org-shared", Key="report.csv", Body=b"a,b")
    # A variable, not a fixed organization id: S3 counts the policy as public.
    s3.delete_public_access_block(Bucket="org-shared")
    s3.put_bucket_policy(Bucket="org-shared", Policy=doc({
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::org-shared/*",
        "Condition": {"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}}))
    _, key, secret = org.admin_user("member", "reader")
    member_s3 = org.client("s3", key=key, secret=secret)
    assert member_s3.get_object(Bucket="org-shared", Key="report.csv")["Body"].read() == b"a,b"
    _, key, secret = org.admin_user("outsider", "stranger")
    code, status, _, _ = failure(org.client("s3", key=key, secret=secret).get_object,
                                 Bucket="org-shared", Key="report.csv")
    assert (code, status) == ("AccessDenied", 403)


def test_resource_org_id_in_an_identity_policy_keeps_a_user_to_the_organizations_buckets(org):
    """The data-perimeter pattern: a member user may read only buckets
    whose owner is in its own organization, whatever their policies share."""
    for account, bucket in (("management", "inside-bucket"), ("outsider", "outside-bucket")):
        s3 = org.client("s3", account)
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=bucket.encode())
        s3.put_bucket_policy(Bucket=bucket, Policy=doc({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"},
            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
    iam = org.client("iam", "member")
    iam.create_user(UserName="perimeter")
    iam.put_user_policy(UserName="perimeter", PolicyName="in-org", PolicyDocument=doc({
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceOrgID": org.id}}}))
    key = iam.create_access_key(UserName="perimeter")["AccessKey"]
    s3 = org.client("s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert s3.get_object(Bucket="inside-bucket", Key="k")["Body"].read() == b"inside-bucket"
    # Cross-account, S3 gives no detail.
    assert failure(s3.get_object, Bucket="outside-bucket", Key="k")[:3] == ("AccessDenied", 403, "Access Denied")
