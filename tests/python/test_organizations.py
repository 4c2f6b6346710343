"""AWS Organizations enforced on every request, through boto3: SCPs bound a
member account's users and root (never the management account's, never a
service-linked role), RCPs keep outsiders from member accounts' resources
whatever their resource policies say, aws:PrincipalOrgID works in a bucket
policy, /_emulator/decide and who-can agree with the real request, the
organization survives a restart, and ORGANIZATION analyzers of Access
Analyzer take the organization as their zone of trust.

Organizations User Guide: "SCPs don't affect users or roles in the
management account. They affect only the member accounts in your
organization." "RCPs don't affect resources in the management account.
They only affect resources in the member accounts within your organization."
"""
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, doc, error_of

MEMBER = "444455556666"
MEMBER_KEY = "AKIAMEMBERROOTKEY001"
MEMBER_SECRET = "memberRootSecretKey000000000000000000000"
ADMIN = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
DENY_CREATE_BUCKET = doc({"Sid": "NoNewBuckets", "Effect": "Deny", "Action": "s3:CreateBucket", "Resource": "*"})
SCP_DENIAL = "with an explicit deny in a service control policy"


class World:
    """A management account (the default one) whose organization holds the
    member account (root keys MEMBER_KEY) in the OU Sandbox; the second
    account of conftest stays outside."""

    def __init__(self, emulator, build=True):
        self.emulator = emulator
        self.orgs = emulator.client("organizations")
        self.member_orgs = emulator.client("organizations", MEMBER_KEY, MEMBER_SECRET)
        if build:
            self.build()
        else:
            self.id = self.orgs.describe_organization()["Organization"]["Id"]
            self.root = self.orgs.list_roots()["Roots"][0]["Id"]
            self.sandbox = self.orgs.list_organizational_units_for_parent(
                ParentId=self.root)["OrganizationalUnits"][0]["Id"]

    def build(self):
        self.id = self.orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        root = self.orgs.list_roots()["Roots"][0]
        self.root = root["Id"]
        assert {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
        handshake = self.orgs.invite_account_to_organization(
            Target={"Type": "ACCOUNT", "Id": MEMBER})["Handshake"]["Id"]
        self.member_orgs.accept_handshake(HandshakeId=handshake)
        self.sandbox = self.orgs.create_organizational_unit(
            ParentId=self.root, Name="Sandbox")["OrganizationalUnit"]["Id"]
        self.orgs.move_account(AccountId=MEMBER, SourceParentId=self.root, DestinationParentId=self.sandbox)

    def attach(self, kind, name, content, target):
        policy = self.orgs.create_policy(Name=name, Description=name, Type=kind, Content=content)
        policy_id = policy["Policy"]["PolicySummary"]["Id"]
        self.orgs.attach_policy(PolicyId=policy_id, TargetId=target)
        return policy_id

    def client(self, service, account="management", key=None, secret=None, token=None):
        if key is None:
            key, secret = {
                "management": (None, None),
                "member": (MEMBER_KEY, MEMBER_SECRET),
                "outsider": (OTHER_KEY, OTHER_SECRET),
            }[account]
        if key is None:
            return self.emulator.client(service)
        return self.emulator.client(service, key, secret, token)

    def admin_user(self, account, name):
        """A user with administrator permissions in `account`; its (key, secret)."""
        iam = self.client("iam", account)
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="admin", PolicyDocument=ADMIN)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.fixture
def world(fresh_emulator):
    emulator = fresh_emulator("--root-key", f"{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET}")
    return World(emulator)


def denied(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def test_an_scp_on_an_ou_binds_member_users_and_root_not_the_management_account(world):
    world.attach("SERVICE_CONTROL_POLICY", "DenyCreateBucket", DENY_CREATE_BUCKET, world.sandbox)
    developer = world.admin_user("member", "developer")
    operator = world.admin_user("management", "operator")

    code, status, message = denied(world.client("s3", "member").create_bucket, Bucket="member-root-bucket")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f'User: arn:aws:iam::{MEMBER}:root is not authorized to perform: s3:CreateBucket '
                       f'on resource: "arn:aws:s3:::member-root-bucket" {SCP_DENIAL}')
    # The decision log names which policy on which target denied.
    logged = world.emulator.admin("GET", "/_emulator/decisions?limit=1")["decisions"][0]
    assert logged["decidedBy"] == "serviceControl"
    assert logged["deciding"][0]["policyName"].startswith("DenyCreateBucket (p-")
    assert logged["deciding"][0]["policyName"].endswith(f"on OU {world.sandbox} (Sandbox)")

    s3_dev = world.client("s3", key=developer[0], secret=developer[1])
    code, status, message = denied(s3_dev.create_bucket, Bucket="member-user-bucket")
    assert status == 403 and message.endswith(SCP_DENIAL)
    assert message.startswith(f"User: arn:aws:iam::{MEMBER}:user/developer is not authorized")
    # What the SCP does not deny, FullAWSAccess still allows.
    world.client("iam", key=developer[0], secret=developer[1]).list_users()

    world.client("s3").create_bucket(Bucket="management-root-bucket")
    world.client("s3", key=operator[0], secret=operator[1]).create_bucket(Bucket="management-user-bucket")


def test_without_full_aws_access_members_have_only_what_an_scp_allows(world):
    developer = world.admin_user("member", "developer")
    only_s3 = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    world.attach("SERVICE_CONTROL_POLICY", "OnlyS3", only_s3, world.sandbox)
    world.orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=world.sandbox)

    iam_dev = world.client("iam", key=developer[0], secret=developer[1])
    code, status, message = denied(iam_dev.list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("because no service control policy allows the iam:ListUsers action")
    world.client("s3", key=developer[0], secret=developer[1]).create_bucket(Bucket="s3-still-allowed")
    world.client("iam").list_users()


def test_create_account_is_reached_through_its_access_role_and_bound_by_scps(world):
    status = world.orgs.create_account(Email="dev@example.com", AccountName="Dev")["CreateAccountStatus"]
    status = world.orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    account = status["AccountId"]
    assert world.orgs.describe_account(AccountId=account)["Account"]["Name"] == "Dev"

    operator = world.admin_user("management", "operator")
    sts = world.client("sts", key=operator[0], secret=operator[1])
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="admin")["Credentials"]
    session = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    identity = world.client("sts", key=session[0], secret=session[1], token=session[2]).get_caller_identity()
    assert identity["Account"] == account
    s3 = world.client("s3", key=session[0], secret=session[1], token=session[2])
    s3.create_bucket(Bucket=f"first-{account}")

    world.attach("SERVICE_CONTROL_POLICY", "DenyCreateBucket", DENY_CREATE_BUCKET, world.sandbox)
    world.orgs.move_account(AccountId=account, SourceParentId=world.root, DestinationParentId=world.sandbox)
    code, status, message = denied(s3.create_bucket, Bucket=f"second-{account}")
    assert status == 403
    assert message.startswith(
        f"User: arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/admin is not authorized")
    assert message.endswith(SCP_DENIAL)


def shared_bucket(s3, bucket, reader_account):
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data.txt", Body=b"shared")
    s3.put_bucket_policy(Bucket=bucket, Policy=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{reader_account}:root"},
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))


def test_an_rcp_denies_outsiders_a_member_bucket_its_policy_shares(world):
    world.orgs.enable_policy_type(RootId=world.root, PolicyType="RESOURCE_CONTROL_POLICY")
    shared_bucket(world.client("s3", "member"), "member-data", OTHER_ACCOUNT)
    shared_bucket(world.client("s3"), "management-data", OTHER_ACCOUNT)
    outsider = world.client("s3", "outsider")
    assert outsider.get_object(Bucket="member-data", Key="data.txt")["Body"].read() == b"shared"

    # AWS's data-perimeter example: only principals of the organization.
    rcp = doc({"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
               "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": world.id},
                             "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
    world.attach("RESOURCE_CONTROL_POLICY", "OrgOnly", rcp, world.root)
    code, status, _ = denied(outsider.get_object, Bucket="member-data", Key="data.txt")
    assert (code, status) == ("AccessDenied", 403)
    logged = world.emulator.admin("GET", "/_emulator/decisions?limit=1")["decisions"][0]
    assert (logged["decision"], logged["decidedBy"]) == ("explicitDeny", "resourceControl")
    assert logged["deciding"][0]["policyName"].endswith(f"on root {world.root} (Root)")
    answer = world.emulator.admin("POST", "/_emulator/decide", {
        "accessKeyId": OTHER_KEY, "action": "s3:GetObject", "resource": "arn:aws:s3:::member-data/data.txt"})
    assert answer["message"].endswith("with an explicit deny in a resource control policy")
    # Inside the organization, and the management account's own bucket.
    world.client("s3", "member").get_object(Bucket="member-data", Key="data.txt")
    assert outsider.get_object(Bucket="management-data", Key="data.txt")["Body"].read() == b"shared"


def test_principal_org_id_in_a_bucket_policy(world):
    s3 = world.client("s3")
    s3.create_bucket(Bucket="org-reports")
    s3.put_object(Bucket="org-reports", Key="q1.csv", Body=b"1,2")
    s3.put_bucket_policy(Bucket="org-reports", Policy=doc({
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::org-reports/*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": world.id}}}))
    developer = world.admin_user("member", "developer")
    member_s3 = world.client("s3", key=developer[0], secret=developer[1])
    assert member_s3.get_object(Bucket="org-reports", Key="q1.csv")["Body"].read() == b"1,2"
    stranger = world.admin_user("outsider", "stranger")
    code, status, _ = denied(world.client("s3", key=stranger[0], secret=stranger[1]).get_object,
                             Bucket="org-reports", Key="q1.csv")
    assert (code, status) == ("AccessDenied", 403)


def test_decide_and_who_can_agree_with_the_real_request(world):
    world.attach("SERVICE_CONTROL_POLICY", "DenyCreateBucket", DENY_CREATE_BUCKET, world.sandbox)
    developer = world.admin_user("member", "developer")
    resource = "arn:aws:s3:::never-made"
    answer = world.emulator.admin("POST", "/_emulator/decide",
                        {"accessKeyId": developer[0], "action": "s3:CreateBucket", "resource": resource})
    _, status, message = denied(world.client("s3", key=developer[0], secret=developer[1]).create_bucket,
                                Bucket="never-made")
    assert status == 403
    assert (answer["decision"], answer["decidedBy"]) == ("explicitDeny", "serviceControl")
    assert answer["message"].endswith(SCP_DENIAL) and message.endswith(SCP_DENIAL)

    query = urllib.parse.urlencode({"action": "s3:CreateBucket", "resource": resource})
    allowed = [a["principal"] for a in world.emulator.admin("GET", f"/_emulator/who-can?{query}")["allowed"]]
    assert f"arn:aws:iam::{ACCOUNT}:root" in allowed
    assert not [p for p in allowed if MEMBER in p], allowed


def test_a_service_linked_role_is_not_bound_by_scps(world):
    """Organizations User Guide, "Tasks and entities not restricted by SCPs":
    "Any action performed by service-linked roles". Asked through the
    console's playground (the explain input) with the deny-all SCP given."""
    deny_all = doc({"Effect": "Deny", "Action": "*", "Resource": "*"})
    linked = f"arn:aws:iam::{MEMBER}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    plain = f"arn:aws:iam::{MEMBER}:role/plain"
    for principal, expected in ((plain, "explicitDeny"), (linked, "allowed")):
        answer = world.emulator.admin("POST", "/_emulator/evaluate", {
            "principal": principal, "action": "s3:ListAllMyBuckets", "resource": "*",
            "policies": [ADMIN], "scps": [deny_all]})
        assert answer["decision"] == expected, answer


def test_the_organization_and_its_scps_survive_a_restart(fresh_emulator, tmp_path):
    args = ("--root-key", f"{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET}", "--state-dir", str(tmp_path))
    first = fresh_emulator(*args)
    world = World(first)
    world.attach("SERVICE_CONTROL_POLICY", "DenyCreateBucket", DENY_CREATE_BUCKET, world.sandbox)
    assert first.stop() == 0
    again = World(fresh_emulator(*args), build=False)
    assert again.id == world.id
    _, status, message = denied(again.client("s3", "member").create_bucket, Bucket="after-restart")
    assert status == 403 and message.endswith(SCP_DENIAL)
    again.client("s3").create_bucket(Bucket="management-after-restart")


# ------------------------------------------------ Access Analyzer's organization zone

def test_organization_analyzers_need_the_management_account_or_a_delegated_admin(world):
    aa = world.client("accessanalyzer")
    code, status, message = denied(aa.create_analyzer, analyzerName="org", type="ORGANIZATION")
    assert (code, status, message) == ("ValidationException", 400, "Service not enabled for AWS Organizations")
    world.orgs.enable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")
    member_aa = world.client("accessanalyzer", "member")
    code, status, message = denied(member_aa.create_analyzer, analyzerName="org", type="ORGANIZATION")
    assert (code, status, message) == ("AccessDeniedException", 403,
                                       f"Account {MEMBER} is not a delegated administrator")
    world.orgs.register_delegated_administrator(AccountId=MEMBER,
                                                ServicePrincipal="access-analyzer.amazonaws.com")
    member_aa.create_analyzer(analyzerName="org", type="ORGANIZATION")
    # An ACCOUNT analyzer needs neither.
    world.client("accessanalyzer", "outsider").create_analyzer(analyzerName="own", type="ACCOUNT")


def test_an_organization_analyzer_reports_only_access_from_outside_the_organization(world):
    world.orgs.enable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")
    member_s3 = world.client("s3", "member")
    shared_bucket(member_s3, "shared-in-org", ACCOUNT)
    shared_bucket(member_s3, "shared-outside", OTHER_ACCOUNT)
    org_analyzer = world.client("accessanalyzer").create_analyzer(
        analyzerName="org", type="ORGANIZATION")["arn"]
    member_analyzer = world.client("accessanalyzer", "member").create_analyzer(
        analyzerName="own", type="ACCOUNT")["arn"]

    def principals(aa, analyzer, bucket):
        found = aa.list_findings(analyzerArn=analyzer,
                                 filter={"resource": {"eq": [f"arn:aws:s3:::{bucket}"]}})["findings"]
        return [f["principal"] for f in found if f["status"] == "ACTIVE"]

    aa = world.client("accessanalyzer")
    assert principals(aa, org_analyzer, "shared-in-org") == []
    assert principals(aa, org_analyzer, "shared-outside") == [{"AWS": OTHER_ACCOUNT}]
    member_aa = world.client("accessanalyzer", "member")
    assert principals(member_aa, member_analyzer, "shared-in-org") == [{"AWS": ACCOUNT}]
