"""SimulatePrincipalPolicy and SimulateCustomPolicy as boto3 returns them."""
import botocore.exceptions
import pytest

from conftest import ACCOUNT, allow, doc, error_of


def decisions(results):
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results["EvaluationResults"]}


def test_simulate_principal_policy_of_a_user(iam, user, name):
    user.allow(allow("s3:GetObject", "arn:aws:s3:::bucket/*"),
               {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"},
               {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    out = iam.simulate_principal_policy(
        PolicySourceArn=user.arn, ActionNames=["s3:GetObject", "s3:DeleteObject", "iam:ListUsers"],
        ResourceArns=["arn:aws:s3:::bucket/key"])
    assert out["IsTruncated"] is False
    assert decisions(out) == {("s3:GetObject", "arn:aws:s3:::bucket/key"): "allowed",
                              ("s3:DeleteObject", "arn:aws:s3:::bucket/key"): "explicitDeny",
                              ("iam:ListUsers", "arn:aws:s3:::bucket/key"): "implicitDeny"}
    by_action = {r["EvalActionName"]: r for r in out["EvaluationResults"]}
    assert by_action["iam:ListUsers"]["MatchedStatements"] == []
    assert len(by_action["s3:GetObject"]["MatchedStatements"]) == 2
    assert len(by_action["s3:DeleteObject"]["MatchedStatements"]) >= 1
    # The user's inline policy is named by its policy name.
    assert {m["SourcePolicyId"] for r in out["EvaluationResults"] for m in r["MatchedStatements"]} == {"inline"}


def test_simulate_principal_policy_includes_group_policies(iam, user, name):
    iam.create_group(GroupName=name)
    iam.put_group_policy(GroupName=name, PolicyName="g", PolicyDocument=doc(allow("iam:ListRoles")))
    iam.add_user_to_group(GroupName=name, UserName=user.name)
    out = iam.simulate_principal_policy(PolicySourceArn=user.arn, ActionNames=["iam:ListRoles", "iam:ListUsers"])
    assert decisions(out) == {("iam:ListRoles", "*"): "allowed", ("iam:ListUsers", "*"): "implicitDeny"}


def test_simulate_principal_policy_with_extra_policy_input(iam, user):
    user.allow(allow("s3:*"))
    out = iam.simulate_principal_policy(
        PolicySourceArn=user.arn, ActionNames=["s3:GetObject", "s3:PutObject"],
        PolicyInputList=[doc({"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"})])
    assert decisions(out) == {("s3:GetObject", "*"): "allowed", ("s3:PutObject", "*"): "explicitDeny"}


def test_simulate_principal_policy_of_missing_user(iam, name):
    arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
    assert error_of(e)[:2] == ("NoSuchEntity", 404)


CONDITIONAL = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                   "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                                 "StringEquals": {"s3:prefix": ["home/", "shared/"]}}})


def context(ip, prefix):
    return [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": [ip], "ContextKeyType": "ip"},
            {"ContextKeyName": "s3:prefix", "ContextKeyValues": [prefix], "ContextKeyType": "string"}]


@pytest.mark.parametrize("ip,prefix,expected", [
    ("10.1.2.3", "home/", "allowed"),
    ("10.255.0.1", "shared/", "allowed"),
    ("192.168.1.1", "home/", "implicitDeny"),
    ("10.1.2.3", "private/", "implicitDeny"),
])
def test_simulate_custom_policy_with_condition(iam, ip, prefix, expected):
    out = iam.simulate_custom_policy(PolicyInputList=[CONDITIONAL], ActionNames=["s3:GetObject"],
                                     ContextEntries=context(ip, prefix))
    [result] = out["EvaluationResults"]
    assert result["EvalActionName"] == "s3:GetObject" and result["EvalResourceName"] == "*"
    assert result["EvalDecision"] == expected
    assert result["MissingContextValues"] == []
    assert len(result["MatchedStatements"]) == (1 if expected == "allowed" else 0)


def test_simulate_custom_policy_reports_missing_context(iam):
    out = iam.simulate_custom_policy(PolicyInputList=[CONDITIONAL], ActionNames=["s3:GetObject"])
    [result] = out["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert sorted(result["MissingContextValues"]) == ["aws:SourceIp", "s3:prefix"]


def test_simulate_custom_policy_rejects_bad_json(iam):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.simulate_custom_policy(PolicyInputList=["{not json"], ActionNames=["s3:GetObject"])
    assert error_of(e)[:2] == ("MalformedPolicyDocument", 400)
