"""IAM Access Analyzer through boto3: custom policy checks, external access
findings computed from the emulator's state (they appear, resolve, respect
Block Public Access, and are archived by rules), unused access on the
emulator's clock, access previews, and policy generation equal to
/_emulator/policy's."""
import json
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, OTHER_ACCOUNT, doc, error_of


@pytest.fixture
def aa(emulator):
    return emulator.client("accessanalyzer")


@pytest.fixture
def s3(emulator):
    return emulator.client("s3")


@pytest.fixture
def analyzer(aa, name):
    arn = aa.create_analyzer(analyzerName=name.replace("-", "_"), type="ACCOUNT")["arn"]
    yield arn
    aa.delete_analyzer(analyzerName=arn.rsplit("/", 1)[1])


def findings_for(aa, analyzer_arn, resource):
    found = aa.list_findings(analyzerArn=analyzer_arn, filter={"resource": {"eq": [resource]}})["findings"]
    return sorted(found, key=lambda f: f["createdAt"])


# ------------------------------------------------------------ custom checks

def test_custom_policy_checks_answer_as_aws_words_them(aa):
    read = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    everything = doc({"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    passed = aa.check_no_new_access(existingPolicyDocument=everything, newPolicyDocument=read,
                                    policyType="IDENTITY_POLICY")
    assert passed["result"] == "PASS" and "reasons" not in passed
    failed = aa.check_no_new_access(existingPolicyDocument=read, newPolicyDocument=everything,
                                    policyType="IDENTITY_POLICY")
    assert failed["result"] == "FAIL"
    assert failed["message"] == "The modified permissions grant new access compared to your existing policy."
    assert failed["reasons"] == [{"description": "New access in the statement with sid: All.",
                                  "statementIndex": 0, "statementId": "All"}]

    granted = aa.check_access_not_granted(policyDocument=everything, policyType="IDENTITY_POLICY",
                                          access=[{"actions": ["s3:DeleteBucket"]}])
    assert granted["result"] == "FAIL"
    assert aa.check_access_not_granted(policyDocument=read, policyType="IDENTITY_POLICY",
                                       access=[{"actions": ["s3:DeleteBucket"]}])["result"] == "PASS"

    public = doc({"Sid": "Bob", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"]})
    answer = aa.check_no_public_access(policyDocument=public, resourceType="AWS::S3::Bucket")
    assert answer["result"] == "FAIL"
    assert answer["reasons"][0]["description"] == "Public access granted in the following statement with sid: Bob."


def test_custom_checks_refuse_bad_input(aa):
    with pytest.raises(ClientError) as e:
        aa.check_no_public_access(policyDocument=doc(), resourceType="AWS::Nope::Thing")
    code, status, message = error_of(e)
    assert (code, status) == ("ValidationException", 400)
    assert "enum value set" in message
    with pytest.raises(ClientError) as e:
        aa.check_no_new_access(existingPolicyDocument="{not json", newPolicyDocument=doc(),
                               policyType="IDENTITY_POLICY")
    assert error_of(e)[0] == "InvalidParameterException"


# ------------------------------------------------------------ external access

def test_a_bucket_shared_with_another_account_has_one_finding_that_resolves(aa, s3, analyzer, name):
    s3.create_bucket(Bucket=name)
    bucket = f"arn:aws:s3:::{name}"
    share = {"Sid": "Share", "Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT},
             "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [bucket, bucket + "/*"]}
    s3.put_bucket_policy(Bucket=name, Policy=doc(share))
    [finding] = findings_for(aa, analyzer, bucket)
    assert finding["status"] == "ACTIVE"
    assert finding["principal"] == {"AWS": OTHER_ACCOUNT}
    assert finding["action"] == ["s3:GetObject", "s3:ListBucket"]
    assert finding["isPublic"] is False
    assert finding["resourceType"] == "AWS::S3::Bucket"
    assert finding["resourceOwnerAccount"] == ACCOUNT
    assert finding["sources"] == [{"type": "POLICY"}]
    assert aa.get_finding(analyzerArn=analyzer, id=finding["id"])["finding"]["id"] == finding["id"]
    resource = aa.get_analyzed_resource(analyzerArn=analyzer, resourceArn=bucket)["resource"]
    assert resource["isPublic"] is False and resource["status"] == "ACTIVE"

    # The same account's own access is not external: only the share goes.
    mine = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:*", "Resource": bucket + "/*"}
    s3.put_bucket_policy(Bucket=name, Policy=doc(mine))
    [resolved] = findings_for(aa, analyzer, bucket)
    assert resolved["id"] == finding["id"]
    assert resolved["status"] == "RESOLVED"
    v2 = aa.get_finding_v2(analyzerArn=analyzer, id=finding["id"])
    assert v2["findingType"] == "ExternalAccess" and v2["status"] == "RESOLVED"
    assert v2["findingDetails"][0]["externalAccessDetails"]["principal"] == {"AWS": OTHER_ACCOUNT}


def test_a_public_bucket_is_not_public_while_block_public_access_is_on(aa, s3, analyzer, name):
    s3.create_bucket(Bucket=name)
    bucket = f"arn:aws:s3:::{name}"
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False,
        "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    s3.put_bucket_policy(Bucket=name, Policy=doc(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": bucket + "/*"}))
    [public] = findings_for(aa, analyzer, bucket)
    assert public["isPublic"] is True and public["principal"] == {"AWS": "*"}
    assert public["status"] == "ACTIVE"

    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    [after] = findings_for(aa, analyzer, bucket)
    assert after["status"] == "RESOLVED"
    assert aa.get_analyzed_resource(analyzerArn=analyzer, resourceArn=bucket)["resource"]["isPublic"] is False


def test_a_role_trusting_another_account_is_found(aa, iam, analyzer, name):
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
         "Action": "sts:AssumeRole"}))["Role"]["Arn"]
    [finding] = findings_for(aa, analyzer, role)
    assert finding["resourceType"] == "AWS::IAM::Role"
    assert finding["principal"] == {"AWS": OTHER_ACCOUNT}
    assert finding["action"] == ["sts:AssumeRole"]
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    assert [f["status"] for f in findings_for(aa, analyzer, role)] == ["RESOLVED"]


def test_a_stream_shared_with_another_account_is_found_until_its_policy_goes(emulator, aa, analyzer, name):
    kinesis = emulator.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    stream = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"
    assert findings_for(aa, analyzer, stream) == []
    kinesis.put_resource_policy(ResourceARN=stream, Policy=doc(
        {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT},
         "Action": ["kinesis:DescribeStream", "kinesis:GetRecords"], "Resource": stream}))
    [finding] = findings_for(aa, analyzer, stream)
    assert finding["status"] == "ACTIVE"
    assert finding["resourceType"] == "AWS::Kinesis::Stream"
    assert finding["principal"] == {"AWS": OTHER_ACCOUNT}
    assert finding["action"] == ["kinesis:DescribeStream", "kinesis:GetRecords"]
    assert finding["isPublic"] is False
    kinesis.delete_resource_policy(ResourceARN=stream)
    assert [f["status"] for f in findings_for(aa, analyzer, stream)] == ["RESOLVED"]


def test_archive_rules_archive_new_and_applied_findings(aa, s3, analyzer, name):
    analyzer_name = analyzer.rsplit("/", 1)[1]
    first, second = name + "-a", name + "-b"
    for bucket in (first, second):
        s3.create_bucket(Bucket=bucket)
    share = lambda b: doc({"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT},
                           "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/*"})
    s3.put_bucket_policy(Bucket=first, Policy=share(first))
    [active] = findings_for(aa, analyzer, f"arn:aws:s3:::{first}")
    assert active["status"] == "ACTIVE"

    rule = {"principal.AWS": {"eq": [OTHER_ACCOUNT]}, "resource": {"contains": [name]}}
    aa.create_archive_rule(analyzerName=analyzer_name, ruleName="trusted", filter=rule)
    assert aa.get_archive_rule(analyzerName=analyzer_name, ruleName="trusted")["archiveRule"]["filter"] == rule
    # A new finding the rule matches is archived at once.
    s3.put_bucket_policy(Bucket=second, Policy=share(second))
    [new] = findings_for(aa, analyzer, f"arn:aws:s3:::{second}")
    assert new["status"] == "ARCHIVED"
    # The older one only when the rule is applied.
    assert findings_for(aa, analyzer, f"arn:aws:s3:::{first}")[0]["status"] == "ACTIVE"
    aa.apply_archive_rule(analyzerArn=analyzer, ruleName="trusted")
    assert findings_for(aa, analyzer, f"arn:aws:s3:::{first}")[0]["status"] == "ARCHIVED"
    archived = aa.list_findings(analyzerArn=analyzer, filter={"status": {"eq": ["ARCHIVED"]},
                                                            "resource": {"contains": [name]}})["findings"]
    assert len(archived) == 2

    aa.update_findings(analyzerArn=analyzer, status="ACTIVE", ids=[new["id"]])
    assert findings_for(aa, analyzer, f"arn:aws:s3:::{second}")[0]["status"] == "ACTIVE"
    stats = aa.get_findings_statistics(analyzerArn=analyzer)["findingsStatistics"][0]
    assert stats["externalAccessFindingsStatistics"]["totalArchivedFindings"] >= 1
    with pytest.raises(ClientError) as e:
        aa.create_archive_rule(analyzerName=analyzer_name, ruleName="trusted", filter=rule)
    assert error_of(e)[:2] == ("ConflictException", 409)


def test_access_preview_shows_what_a_proposed_policy_would_find(aa, s3, analyzer, name):
    s3.create_bucket(Bucket=name)
    bucket = f"arn:aws:s3:::{name}"
    s3.put_bucket_policy(Bucket=name, Policy=doc({"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT},
                                                  "Action": "s3:GetObject", "Resource": bucket + "/*"}))
    [existing] = findings_for(aa, analyzer, bucket)
    proposed = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": bucket + "/*"})
    preview = aa.create_access_preview(analyzerArn=analyzer, configurations={bucket: {"s3Bucket": {
        "bucketPolicy": proposed,
        "bucketPublicAccessBlock": {"ignorePublicAcls": False, "restrictPublicBuckets": False}}}})["id"]
    got = aa.get_access_preview(accessPreviewId=preview, analyzerArn=analyzer)["accessPreview"]
    assert got["status"] == "COMPLETED"
    found = aa.list_access_preview_findings(accessPreviewId=preview, analyzerArn=analyzer)["findings"]
    by_change = {f["changeType"]: f for f in found}
    assert by_change["NEW"]["isPublic"] is True and by_change["NEW"]["status"] == "ACTIVE"
    assert by_change["CHANGED"]["status"] == "RESOLVED"
    assert by_change["CHANGED"]["existingFindingId"] == existing["id"]
    # Nothing was written: the bucket's finding is as it was.
    assert findings_for(aa, analyzer, bucket)[0]["status"] == "ACTIVE"
    assert [p["id"] for p in aa.list_access_previews(analyzerArn=analyzer)["accessPreviews"]] == [preview]


# ------------------------------------------------------------ analyzers

def test_analyzers_are_listed_tagged_and_not_found_as_aws_says(aa, name):
    analyzer_name = name.replace("-", "_")
    arn = aa.create_analyzer(analyzerName=analyzer_name, type="ACCOUNT", tags={"team": "sec"})["arn"]
    assert arn == f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/{analyzer_name}"
    got = aa.get_analyzer(analyzerName=analyzer_name)["analyzer"]
    assert got["status"] == "ACTIVE" and got["type"] == "ACCOUNT" and got["tags"] == {"team": "sec"}
    assert arn in [a["arn"] for a in aa.list_analyzers(type="ACCOUNT")["analyzers"]]
    aa.tag_resource(resourceArn=arn, tags={"env": "ci"})
    aa.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert aa.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "ci"}
    with pytest.raises(ClientError) as e:
        aa.create_analyzer(analyzerName=analyzer_name, type="ACCOUNT")
    assert error_of(e)[:2] == ("ConflictException", 409)
    aa.delete_analyzer(analyzerName=analyzer_name)
    with pytest.raises(ClientError) as e:
        aa.get_analyzer(analyzerName=analyzer_name)
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        aa.create_analyzer(analyzerName="bad name", type="ACCOUNT")
    assert error_of(e)[0] == "ValidationException"


def test_each_operation_is_its_own_action_on_the_analyzer(emulator, aa, user, name):
    analyzer_name = name.replace("-", "_")
    arn = aa.create_analyzer(analyzerName=analyzer_name, type="ACCOUNT")["arn"]
    mine = emulator.client("accessanalyzer", user.key, user.secret)
    with pytest.raises(ClientError) as e:
        mine.get_analyzer(analyzerName=analyzer_name)
    code, status, message = error_of(e)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "access-analyzer:GetAnalyzer" in message and arn in message
    user.allow({"Effect": "Allow", "Action": "access-analyzer:GetAnalyzer", "Resource": arn})
    assert mine.get_analyzer(analyzerName=analyzer_name)["analyzer"]["arn"] == arn
    with pytest.raises(ClientError) as e:
        mine.list_findings(analyzerArn=arn)
    assert "access-analyzer:ListFindings" in error_of(e)[2]
    aa.delete_analyzer(analyzerName=analyzer_name)


def test_analyzers_survive_a_restart(fresh_emulator, tmp_path):
    first = fresh_emulator("--state-dir", str(tmp_path))
    aa = first.client("accessanalyzer")
    arn = aa.create_analyzer(analyzerName="kept", type="ACCOUNT")["arn"]
    aa.create_archive_rule(analyzerName="kept", ruleName="r", filter={"isPublic": {"eq": ["false"]}})
    assert first.stop() == 0
    second = fresh_emulator("--state-dir", str(tmp_path))
    aa = second.client("accessanalyzer")
    assert aa.get_analyzer(analyzerName="kept")["analyzer"]["arn"] == arn
    assert [r["ruleName"] for r in aa.list_archive_rules(analyzerName="kept")["archiveRules"]] == ["r"]


# ------------------------------------------------------------ unused access

def test_an_unused_role_shows_after_the_clock_moves_past_the_age(fresh_emulator):
    emulator = fresh_emulator()
    aa, iam = emulator.client("accessanalyzer"), emulator.client("iam")
    arn = aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS",
                             configuration={"unusedAccess": {"unusedAccessAge": 7}})["arn"]
    role = iam.create_role(RoleName="idle", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    role_arn = role["Role"]["Arn"]
    unused_roles = lambda: [f for f in aa.list_findings_v2(analyzerArn=arn)["findings"]
                            if f["findingType"] == "UnusedIAMRole" and f["resource"] == role_arn]
    assert unused_roles() == []
    emulator.advance(6 * 86400)
    assert unused_roles() == [], "six days is within the seven-day age"
    emulator.advance(2 * 86400)
    [finding] = unused_roles()
    assert finding["status"] == "ACTIVE" and finding["resourceType"] == "AWS::IAM::Role"
    details = aa.get_finding_v2(analyzerArn=arn, id=finding["id"])["findingDetails"][0]
    assert "unusedIamRoleDetails" in details
    stats = aa.get_findings_statistics(analyzerArn=arn)["findingsStatistics"][0]
    assert {"unusedAccessType": "UnusedIAMRole", "total": 1} in \
        stats["unusedAccessFindingsStatistics"]["unusedAccessTypeStatistics"]

    # Using the role makes it used again: the finding resolves.
    iam.create_user(UserName="operator")
    iam.put_user_policy(UserName="operator", PolicyName="assume", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}))
    key = iam.create_access_key(UserName="operator")["AccessKey"]
    sts = emulator.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="ci")["Credentials"]
    iam.put_role_policy(RoleName="idle", PolicyName="list", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}))
    emulator.client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]).list_buckets()
    assert unused_roles()[0]["status"] == "RESOLVED"


def test_unused_keys_and_permissions(fresh_emulator):
    emulator = fresh_emulator()
    aa, iam = emulator.client("accessanalyzer"), emulator.client("iam")
    arn = aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS",
                             configuration={"unusedAccess": {"unusedAccessAge": 30}})["arn"]
    iam.create_user(UserName="worker")
    iam.put_user_policy(UserName="worker", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}))
    used = iam.create_access_key(UserName="worker")["AccessKey"]
    idle = iam.create_access_key(UserName="worker")["AccessKey"]
    iam.create_login_profile(UserName="worker", Password="Never-signed-in-1")
    iam.create_user(UserName="newcomer")
    emulator.advance(31 * 86400)
    # A password set after the clock moved is not unused yet.
    iam.create_login_profile(UserName="newcomer", Password="Just-set-today-2")
    emulator.client("iam", used["AccessKeyId"], used["SecretAccessKey"]).get_user()
    findings = aa.list_findings_v2(analyzerArn=arn)["findings"]
    keys = [aa.get_finding_v2(analyzerArn=arn, id=f["id"])["findingDetails"][0] for f in findings
            if f["findingType"] == "UnusedIAMUserAccessKey" and f["status"] == "ACTIVE"]
    assert [k["unusedIamUserAccessKeyDetails"]["accessKeyId"] for k in keys] == [idle["AccessKeyId"]]
    # A console password never used since it was set, older than the age.
    passwords = [f for f in findings if f["findingType"] == "UnusedIAMUserPassword" and f["status"] == "ACTIVE"]
    assert [f["resource"] for f in passwords] == [iam.get_user(UserName="worker")["User"]["Arn"]]
    details = aa.get_finding_v2(analyzerArn=arn, id=passwords[0]["id"])["findingDetails"][0]
    assert details == {"unusedIamUserPasswordDetails": {}}
    [permission] = [f for f in findings if f["findingType"] == "UnusedPermission" and f["status"] == "ACTIVE"]
    details = aa.get_finding_v2(analyzerArn=arn, id=permission["id"])["findingDetails"][0]
    unused = details["unusedPermissionDetails"]
    assert unused["serviceNamespace"] == "iam"
    assert [a["action"] for a in unused["actions"]] == ["ListUsers"]
    aa.generate_finding_recommendation(analyzerArn=arn, id=permission["id"])
    recommendation = aa.get_finding_recommendation(analyzerArn=arn, id=permission["id"])
    assert recommendation["status"] == "SUCCEEDED"
    step = recommendation["recommendedSteps"][0]["unusedPermissionsRecommendedStep"]
    assert step["recommendedAction"] == "CREATE_POLICY"
    assert json.loads(step["recommendedPolicy"])["Statement"][0]["Action"] == ["iam:GetUser"]


# ------------------------------------------------------------ policy generation

def test_a_generated_policy_equals_the_emulators(emulator, aa, user, s3, name):
    user.allow({"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "sts:GetCallerIdentity"], "Resource": "*"})
    emulator.client("s3", user.key, user.secret).list_buckets()
    user.sts.get_caller_identity()
    job = aa.start_policy_generation(policyGenerationDetails={"principalArn": user.arn})["jobId"]
    got = aa.get_generated_policy(jobId=job)
    assert got["jobDetails"]["status"] == "SUCCEEDED"
    [generated] = got["generatedPolicyResult"]["generatedPolicies"]
    mine = emulator.admin("GET", "/_emulator/policy?principal=" + urllib.parse.quote(user.arn, safe=""))
    assert json.loads(generated["policy"]) == mine["policy"]
    assert user.arn in [j["principalArn"] for j in aa.list_policy_generations(principalArn=user.arn)["policyGenerations"]]

    # CloudTrail's window is honoured: a window after the requests sees none.
    later = aa.start_policy_generation(
        policyGenerationDetails={"principalArn": user.arn},
        cloudTrailDetails={"trails": [{"cloudTrailArn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/t",
                                       "allRegions": True}],
                           "accessRole": f"arn:aws:iam::{ACCOUNT}:role/trail-reader",
                           "startTime": "2999-01-01T00:00:00Z"})["jobId"]
    result = aa.get_generated_policy(jobId=later)["generatedPolicyResult"]
    assert result["generatedPolicies"] == []
    assert result["properties"]["cloudTrailProperties"]["trailProperties"][0]["allRegions"] is True
    with pytest.raises(ClientError) as e:
        aa.start_policy_generation(policyGenerationDetails={"principalArn": "arn:aws:s3:::nope"})
    assert error_of(e)[0] == "ValidationException"

