"""S3 ACLs with boto3: canned ACLs and grants round-trip; Object Ownership
decides whether they grant (S3 User Guide, "Controlling ownership of
objects and disabling ACLs"); Block Public Access refuses and ignores
public ones; grants let other accounts and anonymous callers in as the
access-decision documentation says; Access Analyzer reports a public
bucket ACL (issue 24)."""
import boto3
import botocore
import botocore.config
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, Emulator, Principal, doc, error_of

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture(scope="module")
def legacy(request):
    """An emulator with S3's pre-2023 defaults: ObjectWriter, BPA off."""
    emu = Emulator("--s3-defaults", "legacy")
    yield emu
    assert emu.stop() == 0


def anonymous(emu):
    """An unsigned boto3 S3 client (an anonymous caller)."""
    return boto3.client("s3", endpoint_url=emu.endpoint, region_name="us-east-1",
                        config=botocore.config.Config(signature_version=botocore.UNSIGNED))


def grants(acl):
    out = []
    for g in acl["Grants"]:
        grantee = g["Grantee"]
        out.append((grantee.get("URI") or grantee.get("ID"), g["Permission"]))
    return out


def test_canned_acls_round_trip_with_owner_ids_matching_list_buckets(legacy, name):
    s3 = legacy.client("s3")
    s3.create_bucket(Bucket=name, ACL="public-read")
    owner = s3.list_buckets()["Owner"]["ID"]
    acl = s3.get_bucket_acl(Bucket=name)
    assert acl["Owner"]["ID"] == owner
    assert grants(acl) == [(owner, "FULL_CONTROL"), (ALL_USERS, "READ")]
    for canned, extra in [("private", []), ("authenticated-read", [(AUTHENTICATED, "READ")]),
                          ("public-read-write", [(ALL_USERS, "READ"), (ALL_USERS, "WRITE")])]:
        s3.put_bucket_acl(Bucket=name, ACL=canned)
        assert grants(s3.get_bucket_acl(Bucket=name)) == [(owner, "FULL_CONTROL")] + extra, canned
    s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
    assert grants(s3.get_object_acl(Bucket=name, Key="k")) == [(owner, "FULL_CONTROL"), (ALL_USERS, "READ")]
    s3.put_object_acl(Bucket=name, Key="k", AccessControlPolicy={
        "Owner": {"ID": owner},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "FULL_CONTROL"},
                   {"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ_ACP"}]})
    assert grants(s3.get_object_acl(Bucket=name, Key="k")) == [(owner, "FULL_CONTROL"), (AUTHENTICATED, "READ_ACP")]
    s3.put_object_acl(Bucket=name, Key="k", GrantRead=f'uri="{ALL_USERS}"', GrantFullControl=f'id="{owner}"')
    assert (ALL_USERS, "READ") in grants(s3.get_object_acl(Bucket=name, Key="k"))


def test_bad_grants_are_refused(legacy, name):
    s3 = legacy.client("s3")
    s3.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket=name, GrantRead='emailAddress="nobody@example.com"')
    assert error_of(e)[:2] == ("UnresolvableGrantByEmailAddress", 400)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket=name, AccessControlPolicy={"Owner": {"ID": "x"}, "Grants": [
            {"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": "a@b.c"}, "Permission": "READ"}]})
    assert error_of(e)[:2] == ("UnresolvableGrantByEmailAddress", 400)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket=name, ACL="private", GrantRead=f'uri="{ALL_USERS}"')
    assert error_of(e)[:2] == ("InvalidRequest", 400)


def test_grants_let_other_accounts_and_anyone_in_under_object_writer(legacy, name):
    s3 = legacy.client("s3")
    other = legacy.client("s3", OTHER_KEY, OTHER_SECRET)
    them = other.list_buckets()["Owner"]["ID"]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="open", Body=b"o", ACL="public-read")
    s3.put_object(Bucket=name, Key="signed", Body=b"s", ACL="authenticated-read")
    s3.put_object(Bucket=name, Key="theirs", Body=b"t", GrantRead=f'id="{them}"')
    s3.put_object(Bucket=name, Key="closed", Body=b"c")
    nobody = anonymous(legacy)
    assert nobody.get_object(Bucket=name, Key="open")["Body"].read() == b"o"
    for key in ("signed", "theirs", "closed"):
        with pytest.raises(ClientError) as e:
            nobody.get_object(Bucket=name, Key=key)
        assert error_of(e)[:2] == ("AccessDenied", 403), key
    assert other.get_object(Bucket=name, Key="signed")["Body"].read() == b"s"
    assert other.get_object(Bucket=name, Key="theirs")["Body"].read() == b"t"
    with pytest.raises(ClientError) as e:
        other.get_object(Bucket=name, Key="closed")
    assert error_of(e)[:2] == ("AccessDenied", 403)
    # A plain HTTP GET (a browser) reads the public object too.
    assert requests.get(f"{legacy.endpoint}/{name}/open", timeout=10).content == b"o"


def test_under_bucket_owner_enforced_acls_are_refused_and_grant_nothing(emulator, name):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
    assert error_of(e) == ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket=name, ACL="public-read")
    assert error_of(e)[:2] == ("AccessControlListNotSupported", 400)
    s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name + "-acl", ACL="public-read")
    assert error_of(e)[:2] == ("InvalidBucketAclWithObjectOwnership", 400)
    # Another account cannot be let in by a grant while ACLs are disabled.
    other = emulator.client("s3", OTHER_KEY, OTHER_SECRET)
    them = other.list_buckets()["Owner"]["ID"]
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket=name, Key="k", GrantRead=f'id="{them}"')
    assert error_of(e)[:2] == ("AccessControlListNotSupported", 400)
    with pytest.raises(ClientError) as e:
        other.get_object(Bucket=name, Key="k")
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_public_acls_under_block_public_access(legacy, name):
    s3 = legacy.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="open", Body=b"o", ACL="public-read")
    block = dict(BlockPublicAcls=True, IgnorePublicAcls=False, BlockPublicPolicy=False, RestrictPublicBuckets=False)
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
    for attempt in (lambda: s3.put_bucket_acl(Bucket=name, ACL="public-read"),
                    lambda: s3.put_object_acl(Bucket=name, Key="open", ACL="public-read-write"),
                    lambda: s3.put_object(Bucket=name, Key="new", Body=b"n", ACL="authenticated-read")):
        with pytest.raises(ClientError) as e:
            attempt()
        assert error_of(e)[:2] == ("AccessDenied", 403)
    nobody = anonymous(legacy)
    assert nobody.get_object(Bucket=name, Key="open")["Body"].read() == b"o"
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict(block, IgnorePublicAcls=True))
    with pytest.raises(ClientError) as e:
        nobody.get_object(Bucket=name, Key="open")
    assert error_of(e)[:2] == ("AccessDenied", 403)


def test_bucket_owner_full_control_policy_and_object_writer_ownership(legacy, name):
    s3 = legacy.client("s3")
    other = legacy.client("s3", OTHER_KEY, OTHER_SECRET)
    me = s3.list_buckets()["Owner"]["ID"]
    them = other.list_buckets()["Owner"]["ID"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{name}/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{name}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}))
    with pytest.raises(ClientError) as e:
        other.put_object(Bucket=name, Key="k", Body=b"x")
    assert error_of(e)[:2] == ("AccessDenied", 403)
    other.put_object(Bucket=name, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    acl = s3.get_object_acl(Bucket=name, Key="k")
    assert acl["Owner"]["ID"] == them, "under ObjectWriter the writer owns the object"
    assert (me, "FULL_CONTROL") in grants(acl)
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"x"


def test_access_analyzer_finds_a_public_bucket_acl(legacy, name):
    s3, aa = legacy.client("s3"), legacy.client("accessanalyzer")
    arn = aa.create_analyzer(analyzerName=name.replace("-", "_"), type="ACCOUNT")["arn"]
    s3.create_bucket(Bucket=name, ACL="public-read")
    bucket = f"arn:aws:s3:::{name}"
    found = lambda: aa.list_findings(analyzerArn=arn, filter={"resource": {"eq": [bucket]}})["findings"]
    [public] = found()
    assert public["isPublic"] is True and public["status"] == "ACTIVE"
    assert public["principal"] == {"AWS": "*"}
    assert "s3:ListBucket" in public["action"]
    assert "BUCKET_ACL" in str(public.get("sources"))
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict(
        BlockPublicAcls=False, IgnorePublicAcls=True, BlockPublicPolicy=False, RestrictPublicBuckets=False))
    assert [f["status"] for f in found()] == ["RESOLVED"]
    s3.delete_public_access_block(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="private")
    assert all(f["status"] == "RESOLVED" for f in found())


def test_acls_survive_a_restart(fresh_emulator, tmp_path, name):
    first = fresh_emulator("--s3-defaults", "legacy", "--state-dir", str(tmp_path))
    s3 = first.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
    assert first.stop() == 0
    second = fresh_emulator("--s3-defaults", "legacy", "--state-dir", str(tmp_path))
    acl = second.client("s3").get_object_acl(Bucket=name, Key="k")
    assert (ALL_USERS, "READ") in grants(acl)
    assert anonymous(second).get_object(Bucket=name, Key="k")["Body"].read() == b"x"


def test_each_object_version_has_its_own_acl_asked_as_the_version_actions(legacy, name):
    # "By default, GET returns ACL information about the current version of
    # an object. To return ACL information about a different version, use
    # the versionId subresource" (GetObjectAcl); with a versionId the action
    # asked is s3:GetObjectVersionAcl / s3:PutObjectVersionAcl (Service
    # Authorization Reference).
    s3 = legacy.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    owner = s3.list_buckets()["Owner"]["ID"]
    v1 = s3.put_object(Bucket=name, Key="k", Body=b"one", ACL="public-read")["VersionId"]
    v2 = s3.put_object(Bucket=name, Key="k", Body=b"two")["VersionId"]
    assert grants(s3.get_object_acl(Bucket=name, Key="k", VersionId=v1)) == [(owner, "FULL_CONTROL"), (ALL_USERS, "READ")]
    assert grants(s3.get_object_acl(Bucket=name, Key="k")) == [(owner, "FULL_CONTROL")]
    assert s3.get_object_acl(Bucket=name, Key="k", VersionId=v1)["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"] == v1
    nobody = anonymous(legacy)
    assert nobody.get_object(Bucket=name, Key="k", VersionId=v1)["Body"].read() == b"one"
    with pytest.raises(ClientError) as e:
        nobody.get_object(Bucket=name, Key="k")
    assert error_of(e)[:2] == ("AccessDenied", 403)

    # Changing one version's ACL leaves the other's alone.
    s3.put_object_acl(Bucket=name, Key="k", VersionId=v1, ACL="private")
    s3.put_object_acl(Bucket=name, Key="k", VersionId=v2, ACL="public-read")
    assert grants(s3.get_object_acl(Bucket=name, Key="k", VersionId=v1)) == [(owner, "FULL_CONTROL")]
    assert nobody.get_object(Bucket=name, Key="k")["Body"].read() == b"two"
    with pytest.raises(ClientError) as e:
        nobody.get_object(Bucket=name, Key="k", VersionId=v1)
    assert error_of(e)[:2] == ("AccessDenied", 403)
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket=name, Key="k", VersionId="not-a-version")
    assert error_of(e)[0] in ("NoSuchVersion", "InvalidArgument")

    iam = legacy.client("iam")
    user = Principal(legacy, iam, name).allow(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["s3:GetObjectVersionAcl", "s3:PutObjectVersionAcl"], "Resource": "*"})
    theirs = legacy.client("s3", user.key, user.secret)
    assert grants(theirs.get_object_acl(Bucket=name, Key="k"))[0] == (owner, "FULL_CONTROL")
    for call, params in [(theirs.get_object_acl, {}), (theirs.put_object_acl, {"ACL": "private"})]:
        with pytest.raises(ClientError) as e:
            call(Bucket=name, Key="k", VersionId=v1, **params)
        code, status, message = error_of(e)
        assert (code, status) == ("AccessDenied", 403)
        assert "s3:GetObjectVersionAcl" in message or "s3:PutObjectVersionAcl" in message, message


def test_list_object_versions_names_each_versions_owner(legacy, name):
    # ListObjectVersions: every Version and DeleteMarker has an Owner (the
    # account that wrote it; under ObjectWriter another account's upload is
    # that account's).
    s3 = legacy.client("s3")
    other = legacy.client("s3", OTHER_KEY, OTHER_SECRET)
    them = other.list_buckets()["Owner"]["ID"]
    me = s3.list_buckets()["Owner"]["ID"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=name, Policy=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
        "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": f"arn:aws:s3:::{name}/*"}))
    mine = s3.put_object(Bucket=name, Key="k", Body=b"mine")["VersionId"]
    theirs = other.put_object(Bucket=name, Key="k", Body=b"theirs")["VersionId"]
    marker = other.delete_object(Bucket=name, Key="k")["VersionId"]
    listed = s3.list_object_versions(Bucket=name)
    owners = {v["VersionId"]: v["Owner"]["ID"] for v in listed["Versions"]}
    assert owners == {mine: me, theirs: them}
    assert [(m["VersionId"], m["Owner"]["ID"]) for m in listed["DeleteMarkers"]] == [(marker, them)]


def test_the_legacy_defaults_can_come_from_the_environment(monkeypatch, name):
    # `IAM_EMULATOR_S3_DEFAULTS=legacy` does what `--s3-defaults legacy` does
    # (for harnesses that start the binary and pass only the environment).
    monkeypatch.setenv("IAM_EMULATOR_S3_DEFAULTS", "legacy")
    emu = Emulator()
    try:
        s3 = emu.client("s3")
        s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
        assert anonymous(emu).get_object(Bucket=name, Key="k")["Body"].read() == b"x"
        with pytest.raises(ClientError) as e:
            s3.get_public_access_block(Bucket=name)
        assert error_of(e)[0] == "NoSuchPublicAccessBlockConfiguration"
    finally:
        assert emu.stop() == 0
    monkeypatch.setenv("IAM_EMULATOR_S3_DEFAULTS", "current")
    emu = Emulator()
    try:
        s3 = emu.client("s3")
        s3.create_bucket(Bucket=name)
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
        assert error_of(e)[0] == "AccessControlListNotSupported"
    finally:
        assert emu.stop() == 0
