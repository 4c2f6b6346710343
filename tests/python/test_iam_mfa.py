"""Virtual MFA devices with real TOTP codes (pyotp computes them from the
seed the emulator hands out), and STS sessions that carry MFA into the
request context, so the standard "deny unless MFA" policy behaves as in AWS.

Codes are computed at the emulator's clock (GET /_emulator/clock), so a
test may advance it to get fresh codes instead of sleeping 30 seconds.
"""
import base64
import struct
import zlib

import pyotp
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Principal, allow, doc, error_of


def new_device(iam, name, **kwargs):
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, **kwargs)["VirtualMFADevice"]
    # boto3 decodes the blob: the seed is Base32 text, the QR code PNG bytes.
    return device, pyotp.TOTP(device["Base32StringSeed"].decode())


def enable(emulator, iam, user, device, totp):
    """Enables with the codes of the step before now and of now, as a person
    reads two consecutive codes off the device."""
    now = emulator.now()
    iam.enable_mfa_device(UserName=user, SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp.at(now - 30), AuthenticationCode2=totp.at(now))


def png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks = 8, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind}"
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def test_the_device_has_a_real_seed_and_a_qr_png(iam, name):
    device, totp = new_device(iam, name, Path="/team/", Tags=[{"Key": "k", "Value": "v"}])
    assert device["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/team/{name}"
    seed = device["Base32StringSeed"].decode()
    assert len(seed) == 64 and base64.b32decode(seed), "40 random bytes, Base32"
    chunks = png_chunks(device["QRCodePNG"])
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert width == height and width >= 100
    pixels = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    assert len(pixels) == height * (1 + (width + 7) // 8), "one-bit rows, each with a filter byte"
    assert device["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])


def test_enable_needs_two_consecutive_valid_codes(emulator, iam, name):
    iam.create_user(UserName=name)
    device, totp = new_device(iam, name)
    serial = device["SerialNumber"]
    now = emulator.now()
    for first, second in [("000000", "111111"), (totp.at(now), totp.at(now - 30)),
                          (totp.at(now - 60), totp.at(now))]:
        with pytest.raises(ClientError) as e:
            iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                                  AuthenticationCode1=first, AuthenticationCode2=second)
        assert error_of(e) == ("InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
    unassigned = [d["SerialNumber"] for d in iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]]
    assert serial in unassigned
    enable(emulator, iam, name, device, totp)
    listed = iam.list_mfa_devices(UserName=name)["MFADevices"]
    assert [d["SerialNumber"] for d in listed] == [serial] and listed[0]["UserName"] == name
    assigned = {d["SerialNumber"]: d for d in iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]}
    assert assigned[serial]["User"]["UserName"] == name and "EnableDate" in assigned[serial]
    unassigned = [d["SerialNumber"] for d in iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]]
    assert serial not in unassigned
    assert iam.get_mfa_device(SerialNumber=serial, UserName=name)["SerialNumber"] == serial
    assert iam.get_account_summary()["SummaryMap"]["MFADevicesInUse"] >= 1

    with pytest.raises(ClientError) as e:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_of(e)[:2] == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as e:
        iam.delete_user(UserName=name)
    assert error_of(e)[0] == "DeleteConflict"
    iam.deactivate_mfa_device(UserName=name, SerialNumber=serial)
    assert iam.list_mfa_devices(UserName=name)["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    with pytest.raises(ClientError) as e:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_of(e)[:2] == ("NoSuchEntity", 404)
    iam.delete_user(UserName=name)


def test_resync_follows_a_drifted_device(emulator, iam, name):
    iam.create_user(UserName=name)
    device, totp = new_device(iam, name)
    enable(emulator, iam, name, device, totp)
    now = emulator.now()
    # The device's clock runs twenty minutes ahead.
    ahead = now + 1200
    iam.resync_mfa_device(UserName=name, SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp.at(ahead - 30), AuthenticationCode2=totp.at(ahead))
    with pytest.raises(ClientError) as e:
        iam.resync_mfa_device(UserName=name, SerialNumber=device["SerialNumber"],
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
    assert error_of(e)[0] == "InvalidAuthenticationCode"


def test_mfa_device_tags(iam, name):
    device, _ = new_device(iam, name)
    serial = device["SerialNumber"]
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "team", "Value": "a"}, {"Key": "x", "Value": "1"}])
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["x"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "team", "Value": "a"}]
    with pytest.raises(ClientError) as e:
        iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
    assert error_of(e)[:2] == ("EntityAlreadyExists", 409)


DENY_UNLESS_MFA = {
    "Effect": "Deny", "NotAction": ["iam:*", "sts:GetSessionToken"], "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def test_deny_unless_mfa_with_get_session_token(emulator, iam, name):
    """The AWS-documented policy: long-term keys (key absent, BoolIfExists
    matches) and sessions without MFA are denied; a session with MFA is not."""
    user = Principal(emulator, iam, name).allow(allow("s3:ListAllMyBuckets"), DENY_UNLESS_MFA)
    device, totp = new_device(iam, name)
    enable(emulator, iam, name, device, totp)
    serial = device["SerialNumber"]

    long_term = emulator.client("s3", user.key, user.secret)
    with pytest.raises(ClientError) as e:
        long_term.list_buckets()
    assert error_of(e)[0] == "AccessDenied"

    plain = user.sts.get_session_token()["Credentials"]
    no_mfa = emulator.client("s3", plain["AccessKeyId"], plain["SecretAccessKey"], plain["SessionToken"])
    with pytest.raises(ClientError) as e:
        no_mfa.list_buckets()
    assert error_of(e)[0] == "AccessDenied"

    # A wrong code, a device of someone else: AccessDenied, as AWS words it.
    with pytest.raises(ClientError) as e:
        user.sts.get_session_token(SerialNumber=serial, TokenCode="000000")
    assert error_of(e)[0] == "AccessDenied" and "invalid MFA one time pass code" in error_of(e)[2]
    with pytest.raises(ClientError) as e:
        user.sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/nobody", TokenCode="123456")
    assert "unable to validate MFA code" in error_of(e)[2]

    emulator.advance(30)  # a fresh step: the enabling codes are used up
    code = totp.at(emulator.now())
    creds = user.sts.get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    with_mfa = emulator.client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    with_mfa.list_buckets()

    # A code is accepted once.
    with pytest.raises(ClientError) as e:
        user.sts.get_session_token(SerialNumber=serial, TokenCode=code)
    assert error_of(e)[0] == "AccessDenied"

    # IAM refuses GetSessionToken credentials unless MFA was used.
    plain_iam = emulator.client("iam", plain["AccessKeyId"], plain["SecretAccessKey"], plain["SessionToken"])
    with pytest.raises(ClientError) as e:
        plain_iam.get_user()
    assert error_of(e)[0] == "InvalidClientTokenId"
    mfa_iam = emulator.client("iam", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    user.allow(allow("s3:ListAllMyBuckets"), allow("iam:GetUser"), DENY_UNLESS_MFA)
    assert mfa_iam.get_user()["User"]["UserName"] == name


def test_mfa_age_counts_from_the_session_on_the_emulators_clock(fresh_emulator, name):
    emulator = fresh_emulator()  # its own clock: an hour's advance would age others' sessions
    iam = emulator.client("iam")
    user = Principal(emulator, iam, name).allow(
        allow("s3:ListAllMyBuckets"),
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
         "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}})
    device, totp = new_device(iam, name)
    enable(emulator, iam, name, device, totp)
    emulator.advance(30)
    creds = user.sts.get_session_token(SerialNumber=device["SerialNumber"],
                                       TokenCode=totp.at(emulator.now()))["Credentials"]
    s3 = emulator.client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    s3.list_buckets()
    emulator.advance(3601)
    with pytest.raises(ClientError) as e:
        s3.list_buckets()
    assert error_of(e)[0] == "AccessDenied"


def test_assume_role_with_mfa_in_the_trust_policy(emulator, iam, name):
    user = Principal(emulator, iam, name).allow(allow("sts:AssumeRole"))
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                 "Action": "sts:AssumeRole",
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(
        allow("s3:ListAllMyBuckets"),
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}))
    device, totp = new_device(iam, name)
    enable(emulator, iam, name, device, totp)

    with pytest.raises(ClientError) as e:
        user.sts.assume_role(RoleArn=role_arn, RoleSessionName="sess")
    assert error_of(e)[0] == "AccessDenied"
    emulator.advance(30)
    creds = user.sts.assume_role(RoleArn=role_arn, RoleSessionName="sess", SerialNumber=device["SerialNumber"],
                                 TokenCode=totp.at(emulator.now()))["Credentials"]
    emulator.client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]).list_buckets()


def test_devices_survive_a_restart(fresh_emulator, tmp_path):
    emu = fresh_emulator("--state-dir", str(tmp_path))
    iam = emu.client("iam")
    iam.create_user(UserName="alice")
    device, totp = new_device(iam, "alice")
    enable(emu, iam, "alice", device, totp)
    assert emu.stop() == 0
    emu = fresh_emulator("--state-dir", str(tmp_path))
    iam = emu.client("iam")
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="alice")["MFADevices"]] == [device["SerialNumber"]]
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    sts = emu.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    emu.advance(30)
    sts.get_session_token(SerialNumber=device["SerialNumber"], TokenCode=totp.at(emu.now()))
