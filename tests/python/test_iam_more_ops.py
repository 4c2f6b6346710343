"""The last IAM families driven with boto3, as an application calls them:
service-linked roles, context keys, policies granting service access and
service last accessed reports, an organization's root access features and
access report, outbound web identity federation and the STS token version,
and temporary delegation requests.
"""
import json
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, Principal, allow, doc, error_of


def test_service_linked_roles(fresh_emulator):
    emu = fresh_emulator()
    iam = emu.client("iam")
    role = iam.create_service_linked_role(AWSServiceName="elasticloadbalancing.amazonaws.com",
                                          Description="for my load balancers")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForElasticLoadBalancing"
    assert role["Path"] == "/aws-service-role/elasticloadbalancing.amazonaws.com/"
    assert role["Arn"] == (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
                           "AWSServiceRoleForElasticLoadBalancing")
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(urllib.parse.unquote(trust)) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"]["Service"] == ["elasticloadbalancing.amazonaws.com"]
    attached = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSElasticLoadBalancingServiceRolePolicy"]
    with pytest.raises(ClientError) as taken:
        iam.create_service_linked_role(AWSServiceName="elasticloadbalancing.amazonaws.com")
    assert error_of(taken)[:2] == ("InvalidInput", 400)
    assert "has been taken in this account" in error_of(taken)[2]
    with pytest.raises(ClientError) as suffix:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", CustomSuffix="x")
    assert error_of(suffix) == ("InvalidInput", 400, "Custom suffix is not allowed for ecs.amazonaws.com")
    with pytest.raises(ClientError) as protected:
        iam.delete_role(RoleName=role["RoleName"])
    assert error_of(protected)[0] == "UnmodifiableEntity"
    task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/elasticloadbalancing.amazonaws.com/"
                           "AWSServiceRoleForElasticLoadBalancing/")
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as gone:
        iam.get_role(RoleName=role["RoleName"])
    assert error_of(gone)[0] == "NoSuchEntity"


def test_context_keys_and_policies_granting_service_access(emulator, iam, user):
    user.allow({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=user.arn)["ContextKeyNames"]
    assert sorted(keys) == ["aws:SourceIp", "aws:username"]
    custom = iam.get_context_keys_for_custom_policy(PolicyInputList=[doc(
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})])
    assert custom["ContextKeyNames"] == ["aws:MultiFactorAuthPresent"]
    granting = iam.list_policies_granting_service_access(Arn=user.arn, ServiceNamespaces=["s3", "iam"])
    entries = {e["ServiceNamespace"]: e["Policies"] for e in granting["PoliciesGrantingServiceAccess"]}
    assert entries["s3"] == [{"PolicyName": "inline", "PolicyType": "INLINE",
                              "EntityType": "USER", "EntityName": user.name}]
    assert entries["iam"] == []
    assert granting["IsTruncated"] is False


def test_service_last_accessed_details(emulator, iam, user):
    user.allow(allow(["iam:GetUser", "kinesis:ListStreams"]))
    user.iam.get_user()
    emulator.client("kinesis", user.key, user.secret).list_streams()
    job = iam.generate_service_last_accessed_details(Arn=user.arn, Granularity="ACTION_LEVEL")["JobId"]
    report = iam.get_service_last_accessed_details(JobId=job)
    assert report["JobStatus"] == "COMPLETED" and report["JobType"] == "ACTION_LEVEL"
    services = {s["ServiceNamespace"]: s for s in report["ServicesLastAccessed"]}
    assert set(services) == {"iam", "kinesis"}
    assert services["kinesis"]["LastAuthenticatedEntity"] == user.arn
    assert services["kinesis"]["LastAuthenticatedRegion"] == "us-east-1"
    assert [a["ActionName"] for a in services["iam"]["TrackedActionsLastAccessed"]] == ["GetUser"]
    entities = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="kinesis")
    assert [e["EntityInfo"]["Arn"] for e in entities["EntityDetailsList"]] == [user.arn]
    with pytest.raises(ClientError) as unknown:
        iam.get_service_last_accessed_details(JobId="00000000-0000-4000-a000-000000000000")
    assert error_of(unknown)[:2] == ("NoSuchEntity", 404)


def test_organizations_root_access_features_and_access_report(fresh_emulator):
    emu = fresh_emulator()
    iam = emu.client("iam")
    orgs = emu.client("organizations")
    with pytest.raises(ClientError) as no_org:
        iam.list_organizations_features()
    assert error_of(no_org)[0] == "OrganizationNotFoundException"
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    member_orgs = emu.client("organizations", OTHER_KEY, OTHER_SECRET)
    handshake = orgs.invite_account_to_organization(Target={"Id": OTHER_ACCOUNT, "Type": "ACCOUNT"})["Handshake"]
    member_orgs.accept_handshake(HandshakeId=handshake["Id"])
    with pytest.raises(ClientError) as no_access:
        iam.enable_organizations_root_sessions()
    assert error_of(no_access)[0] == "ServiceAccessNotEnabledException"
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    enabled = iam.enable_organizations_root_credentials_management()
    assert enabled["OrganizationId"] == org["Id"]
    assert enabled["EnabledFeatures"] == ["RootCredentialsManagement"]
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootCredentialsManagement"]
    member_iam = emu.client("iam", OTHER_KEY, OTHER_SECRET)
    with pytest.raises(ClientError) as member:
        member_iam.list_organizations_features()
    assert error_of(member)[0] == "AccountNotManagementOrDelegatedAdministratorException"
    member_iam.list_users()
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    path = f"{org['Id']}/{root_id}/{OTHER_ACCOUNT}"
    job = iam.generate_organizations_access_report(EntityPath=path)["JobId"]
    report = iam.get_organizations_access_report(JobId=job, SortKey="LAST_AUTHENTICATED_TIME_DESCENDING")
    assert report["JobStatus"] == "COMPLETED"
    assert report["NumberOfServicesAccessible"] > report["NumberOfServicesNotAccessed"]
    used = [d for d in report["AccessDetails"] if "LastAuthenticatedTime" in d]
    assert {d["ServiceNamespace"] for d in used} == {"iam", "organizations"}
    assert all(d["EntityPath"] == path for d in used)


def test_outbound_federation_and_sts_preferences(fresh_emulator):
    emu = fresh_emulator()
    iam = emu.client("iam")
    with pytest.raises(ClientError) as disabled:
        iam.get_outbound_web_identity_federation_info()
    assert error_of(disabled)[:2] == ("FeatureDisabled", 404)
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    assert issuer.startswith("https://") and issuer.endswith(".tokens.sts.global.api.aws")
    with pytest.raises(ClientError) as again:
        iam.enable_outbound_web_identity_federation()
    assert error_of(again)[:2] == ("FeatureEnabled", 409)
    info = iam.get_outbound_web_identity_federation_info()
    assert info["IssuerIdentifier"] == issuer and info["JwtVendingEnabled"] is True
    iam.disable_outbound_web_identity_federation()
    assert iam.get_outbound_web_identity_federation_info()["JwtVendingEnabled"] is False
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2


def test_delegation_requests(fresh_emulator):
    emu = fresh_emulator()
    customer = emu.client("iam")
    partner = emu.client("iam", OTHER_KEY, OTHER_SECRET)
    template = partner.create_policy(PolicyName="template", PolicyDocument=doc(
        allow("s3:GetObject", "arn:aws:s3:::@{bucket}/*")))["Policy"]["Arn"]
    created = partner.create_delegation_request(
        OwnerAccountId=ACCOUNT, Description="Set up the pipeline",
        Permissions={"PolicyTemplateArn": template,
                     "Parameters": [{"Name": "bucket", "Values": ["data"], "Type": "string"}]},
        RequestorWorkflowId="workflow-1", NotificationChannel=f"arn:aws:sns:us-east-1:{OTHER_ACCOUNT}:topic",
        SessionDuration=7200)
    request_id = created["DelegationRequestId"]
    assert created["ConsoleDeepLink"].endswith(request_id)
    customer.associate_delegation_request(DelegationRequestId=request_id)
    request = customer.get_delegation_request(DelegationRequestId=request_id)["DelegationRequest"]
    assert request["State"] == "ASSIGNED"
    assert request["OwnerId"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert json.loads(request["PermissionPolicy"])["Statement"][0]["Resource"] == "arn:aws:s3:::data/*"
    listed = customer.list_delegation_requests()
    assert [r["DelegationRequestId"] for r in listed["DelegationRequests"]] == [request_id]
    customer.update_delegation_request(DelegationRequestId=request_id, Notes="please approve")
    customer.accept_delegation_request(DelegationRequestId=request_id)
    customer.send_delegation_token(DelegationRequestId=request_id)
    assert customer.get_delegation_request(DelegationRequestId=request_id)["DelegationRequest"]["State"] == "FINALIZED"
    with pytest.raises(ClientError) as rejected:
        customer.reject_delegation_request(DelegationRequestId=request_id)
    assert error_of(rejected)[0] == "InvalidInput"
    summary = customer.get_human_readable_summary(
        EntityArn=f"arn:aws:iam::{ACCOUNT}:delegation-request/{request_id}")
    assert summary["SummaryState"] == "AVAILABLE"
    assert "for 2 hours" in summary["SummaryContent"]
    assert "s3:GetObject (Amazon S3; Read) on arn:aws:s3:::data/*" in summary["SummaryContent"]
