"""S3 object versioning with boto3, as an application uses it: versions and
delete markers, undeleting, the null version of a suspended bucket, copies
from a version, multipart uploads as versions, DeleteObjects with version
ids, ListObjectVersions through boto3's paginator over more than 1000
versions, the version actions in IAM policies, and MFA delete with a real
TOTP code (pyotp).

The behaviours are the S3 User Guide's ("Using versioning in S3 buckets",
"Working with delete markers") and the API Reference's (GetObject,
DeleteObject, DeleteObjects, ListObjectVersions, PutBucketVersioning).
"""

import botocore.exceptions
import pyotp
import pytest

from conftest import Principal, allow, error_of


def versioned_bucket(s3, name):
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def test_versions_delete_markers_and_undelete(emulator, name):
    s3 = emulator.client("s3")
    versioned_bucket(s3, name)
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    v1 = s3.put_object(Bucket=name, Key="doc", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=name, Key="doc", Body=b"two")["VersionId"]
    assert v1 != v2
    got = s3.get_object(Bucket=name, Key="doc")
    assert got["Body"].read() == b"two" and got["VersionId"] == v2
    assert s3.get_object(Bucket=name, Key="doc", VersionId=v1)["Body"].read() == b"one"
    assert s3.head_object(Bucket=name, Key="doc", VersionId=v1)["ContentLength"] == 3

    deleted = s3.delete_object(Bucket=name, Key="doc")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="doc")
    assert error_of(e)[:2] == ("NoSuchKey", 404)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    # "If the specified version in the request is a delete marker, the
    # response returns a 405 Method Not Allowed error" (GetObject).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="doc", VersionId=marker)
    assert error_of(e)[:2] == ("MethodNotAllowed", 405)
    assert s3.list_objects_v2(Bucket=name).get("Contents") is None

    listed = s3.list_object_versions(Bucket=name)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(v2, False), (v1, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]

    # Removing the delete marker brings the object back.
    undone = s3.delete_object(Bucket=name, Key="doc", VersionId=marker)
    assert undone["DeleteMarker"] is True and undone["VersionId"] == marker
    assert s3.get_object(Bucket=name, Key="doc")["Body"].read() == b"two"
    s3.delete_object(Bucket=name, Key="doc", VersionId=v2)
    assert s3.get_object(Bucket=name, Key="doc")["Body"].read() == b"one"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="doc", VersionId=v2)
    assert error_of(e)[:2] == ("NoSuchVersion", 404)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="doc", VersionId="not-an-id")
    assert error_of(e) == ("InvalidArgument", 400, "Invalid version id specified")


def test_suspended_bucket_writes_the_null_version(emulator, name):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=name)
    assert "VersionId" not in s3.put_object(Bucket=name, Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=name, Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Suspended"
    s3.put_object(Bucket=name, Key="k", Body=b"suspended")
    versions = s3.list_object_versions(Bucket=name)["Versions"]
    # The suspended write replaced the null version (the one from before).
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (v1, False)]
    assert s3.get_object(Bucket=name, Key="k", VersionId="null")["Body"].read() == b"suspended"


def test_copy_from_a_version_and_multipart_versions(emulator, name):
    s3 = emulator.client("s3")
    versioned_bucket(s3, name)
    v1 = s3.put_object(Bucket=name, Key="src", Body=b"original")["VersionId"]
    s3.put_object(Bucket=name, Key="src", Body=b"changed")
    copied = s3.copy_object(Bucket=name, Key="dst", CopySource={"Bucket": name, "Key": "src", "VersionId": v1})
    assert copied["CopySourceVersionId"] == v1 and copied["VersionId"]
    assert s3.get_object(Bucket=name, Key="dst")["Body"].read() == b"original"
    upload = s3.create_multipart_upload(Bucket=name, Key="src")["UploadId"]
    part = s3.upload_part(Bucket=name, Key="src", UploadId=upload, PartNumber=1, Body=b"multipart")
    done = s3.complete_multipart_upload(Bucket=name, Key="src", UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["VersionId"]
    versions = s3.list_object_versions(Bucket=name, Prefix="src")["Versions"]
    assert [v["VersionId"] for v in versions][0] == done["VersionId"] and len(versions) == 3


def test_delete_objects_with_version_ids(emulator, name):
    s3 = emulator.client("s3")
    versioned_bucket(s3, name)
    a1 = s3.put_object(Bucket=name, Key="a", Body=b"a")["VersionId"]
    s3.put_object(Bucket=name, Key="b", Body=b"b")
    result = s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "a", "VersionId": a1}, {"Key": "b"}]})
    deleted = {d["Key"]: d for d in result["Deleted"]}
    assert deleted["a"]["VersionId"] == a1 and "DeleteMarker" not in deleted["a"]
    assert deleted["b"]["DeleteMarker"] is True and deleted["b"]["DeleteMarkerVersionId"]
    listed = s3.list_object_versions(Bucket=name)
    assert [v["Key"] for v in listed["Versions"]] == ["b"]
    assert [m["Key"] for m in listed["DeleteMarkers"]] == ["b"]


def test_paginated_list_object_versions_over_a_thousand_versions(emulator, name):
    s3 = emulator.client("s3")
    versioned_bucket(s3, name)
    expected = []
    for k in range(40):
        key = f"key-{k:03d}"
        ids = [s3.put_object(Bucket=name, Key=key, Body=b"%d" % i)["VersionId"] for i in range(26)]
        expected.extend((key, v) for v in reversed(ids))
        if k % 10 == 0:
            marker = s3.delete_object(Bucket=name, Key=key)["VersionId"]
            expected.insert(len(expected) - 26, (key, marker))
    assert len(expected) > 1000
    position = {entry: at for at, entry in enumerate(expected)}
    paginator = s3.get_paginator("list_object_versions")
    for page_size in (1000, 333):
        seen, pages = [], 0
        for page in paginator.paginate(Bucket=name, PaginationConfig={"PageSize": page_size}):
            pages += 1
            entries = [(v["Key"], v["VersionId"], v["LastModified"], False) for v in page.get("Versions", [])]
            entries += [(m["Key"], m["VersionId"], m["LastModified"], True) for m in page.get("DeleteMarkers", [])]
            assert len(entries) <= page_size
            # Versions and markers come interleaved: restore the order by the
            # position each has in the expected listing.
            entries.sort(key=lambda e: position[(e[0], e[1])])
            seen.extend((e[0], e[1]) for e in entries)
        assert seen == expected
        assert pages == -(-len(expected) // page_size)


def test_version_actions_in_policies(emulator, iam, name):
    root_s3 = emulator.client("s3")
    versioned_bucket(root_s3, name)
    v1 = root_s3.put_object(Bucket=name, Key="k", Body=b"1")["VersionId"]
    root_s3.put_object(Bucket=name, Key="k", Body=b"2")
    user = Principal(emulator, iam, name).allow(
        allow("s3:*"), {"Effect": "Deny", "Action": ["s3:GetObjectVersion", "s3:DeleteObjectVersion"],
                        "Resource": "*"})
    s3 = emulator.client("s3", user.key, user.secret)
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"2"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="k", VersionId=v1)
    assert error_of(e)[:2] == ("AccessDenied", 403)
    assert "s3:GetObjectVersion" in error_of(e)[2]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_object(Bucket=name, Key="k", VersionId=v1)
    assert error_of(e)[:2] == ("AccessDenied", 403)
    assert s3.delete_object(Bucket=name, Key="k")["DeleteMarker"] is True


# ---- MFA delete ----------------------------------------------------------

def test_mfa_delete_needs_a_current_code(fresh_emulator, name):
    emulator = fresh_emulator()
    iam = emulator.client("iam")
    user = Principal(emulator, iam, name).allow(allow("s3:*"))
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    serial, totp = device["SerialNumber"], pyotp.TOTP(device["Base32StringSeed"].decode())
    now = emulator.now()
    iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                          AuthenticationCode1=totp.at(now - 30), AuthenticationCode2=totp.at(now))
    s3 = emulator.client("s3", user.key, user.secret)
    versioned_bucket(s3, name)

    def code():
        emulator.advance(30)  # each code is accepted once
        return f"{serial} {totp.at(emulator.now())}"

    config = {"Status": "Enabled", "MFADelete": "Enabled"}
    # Setting MFADelete needs x-amz-mfa.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=config)
    assert error_of(e)[:2] == ("AccessDenied", 403)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=config, MFA=code())
    got = s3.get_bucket_versioning(Bucket=name)
    assert (got["Status"], got["MFADelete"]) == ("Enabled", "Enabled")
    v1 = s3.put_object(Bucket=name, Key="k", Body=b"1")["VersionId"]
    # A plain delete (a delete marker) needs no code; deleting a version does.
    assert s3.delete_object(Bucket=name, Key="k")["DeleteMarker"] is True
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_object(Bucket=name, Key="k", VersionId=v1)
    assert error_of(e)[:2] == ("AccessDenied", 403)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_object(Bucket=name, Key="k", VersionId=v1, MFA=f"{serial} 000000")
    assert error_of(e)[:2] == ("AccessDenied", 403)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "k", "VersionId": v1}]})
    assert error_of(e)[:2] == ("AccessDenied", 403)
    s3.delete_object(Bucket=name, Key="k", VersionId=v1, MFA=code())
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="k", VersionId=v1)
    assert error_of(e)[:2] == ("NoSuchVersion", 404)
    # Changing the versioning state of an MFA delete bucket needs a code too.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    assert error_of(e)[:2] == ("AccessDenied", 403)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended", "MFADelete": "Disabled"},
                             MFA=code())
    assert s3.get_bucket_versioning(Bucket=name)["MFADelete"] == "Disabled"
