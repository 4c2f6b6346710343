"""IAM credentials beside access keys, through boto3 as an application
uses them: console passwords against the password policy and
ChangePassword as the user, the account alias, server and signing
certificates (a real self-signed certificate made here), SSH public keys,
service-specific credentials, the credential report (decoded, every
column checked), instance profiles, and OIDC / SAML identity providers.

Account-wide settings (password policy, alias, report) are changed on a
private emulator, so the shared one stays as other tests expect it.
"""
import base64
import csv
import datetime
import hashlib
import io
import os
import shutil
import subprocess
import tempfile

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, OTHER_KEY, OTHER_SECRET, Principal, allow, error_of

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # the openssl CLI makes them instead
    x509 = None

# The columns of the IAM User Guide's "Getting credential reports for your
# AWS account", in its order.
REPORT_COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
]


def refused(call, code, status, **params):
    with pytest.raises(ClientError) as e:
        call(**params)
    got_code, got_status, message = error_of(e)
    assert (got_code, got_status) == (code, status), message
    return message


# ---- certificates and keys made for the test ----

def self_signed(common_name):
    """(certificate PEM, private key PEM, notAfter) of a new self-signed RSA certificate."""
    not_after = datetime.datetime(2035, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    if x509 is not None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
                .not_valid_after(not_after).sign(key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem, not_after
    if shutil.which("openssl") is None:
        pytest.skip("neither the cryptography package nor the openssl CLI is installed")
    with tempfile.TemporaryDirectory() as d:
        cert_path, key_path = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key_path,
                        "-out", cert_path, "-subj", f"/CN={common_name}", "-days", "3650"],
                       check=True, capture_output=True)
        end = subprocess.run(["openssl", "x509", "-in", cert_path, "-noout", "-enddate"],
                             check=True, capture_output=True, text=True).stdout.strip().split("=", 1)[1]
        not_after = datetime.datetime.strptime(end, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.timezone.utc)
        with open(cert_path) as c, open(key_path) as k:
            return c.read(), k.read(), not_after


def ssh_public_key():
    """A new `ssh-rsa AAAA…` public key (2048 bits)."""
    if x509 is not None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode()
    if shutil.which("ssh-keygen") is None:
        pytest.skip("neither the cryptography package nor ssh-keygen is installed")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "id")
        subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", path], check=True)
        with open(path + ".pub") as f:
            return " ".join(f.read().split()[:2])


def md5_fingerprint(openssh):
    """What `ssh-keygen -l -E md5` prints, without its `MD5:` prefix."""
    digest = hashlib.md5(base64.b64decode(openssh.split()[1])).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


# ---- console passwords, the password policy, the alias ----

def test_login_profiles_follow_the_password_policy_and_users_change_their_own(fresh_emulator):
    emu = fresh_emulator()
    iam = emu.client("iam")
    alice = Principal(emu, iam, "alice")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_account_password_policy()
    # AWS's default policy: at least 8 characters of three kinds.
    refused(iam.create_login_profile, "PasswordPolicyViolation", 400, UserName="alice", Password="lowercase1")
    profile = iam.create_login_profile(UserName="alice", Password="Start-Password-1",
                                       PasswordResetRequired=True)["LoginProfile"]
    assert profile["UserName"] == "alice" and profile["PasswordResetRequired"] is True
    refused(iam.create_login_profile, "EntityAlreadyExists", 409, UserName="alice", Password="Start-Password-2")
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                       PasswordReusePrevention=2, MaxPasswordAge=30)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["ExpirePasswords"] is True
    assert policy["MaxPasswordAge"] == 30 and policy["AllowUsersToChangePassword"] is False

    # Not allowed to change its own password yet: ChangePassword is an action.
    message = refused(alice.iam.change_password, "AccessDenied", 403,
                      OldPassword="Start-Password-1", NewPassword="Second-Password-22")
    assert f"iam:ChangePassword on resource: {alice.arn}" in message
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                       PasswordReusePrevention=2, AllowUsersToChangePassword=True)
    assert alice.iam.get_account_password_policy()["PasswordPolicy"]["AllowUsersToChangePassword"] is True
    refused(alice.iam.change_password, "AccessDenied", 403,
            OldPassword="not-my-password", NewPassword="Second-Password-22")
    refused(alice.iam.change_password, "PasswordPolicyViolation", 400,
            OldPassword="Start-Password-1", NewPassword="too-short-1!")
    alice.iam.change_password(OldPassword="Start-Password-1", NewPassword="Second-Password-22")
    # The reset a user was asked for is done by changing the password.
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is False
    refused(alice.iam.change_password, "PasswordPolicyViolation", 400,
            OldPassword="Second-Password-22", NewPassword="Start-Password-1")
    # Root has no password of its own to change through the API.
    refused(iam.change_password, "InvalidUserType", 400,
            OldPassword="Second-Password-22", NewPassword="Third-Password-333")

    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_user(UserName="alice")
    iam.delete_login_profile(UserName="alice")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="alice")
    iam.delete_account_password_policy()
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_account_password_policy()


def test_an_alias_is_one_per_account_and_unique(fresh_emulator):
    emu = fresh_emulator()
    iam, other = emu.client("iam"), emu.client("iam", OTHER_KEY, OTHER_SECRET)
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="example-corp")
    assert iam.list_account_aliases()["AccountAliases"] == ["example-corp"]
    refused(other.create_account_alias, "EntityAlreadyExists", 409, AccountAlias="example-corp")
    refused(iam.create_account_alias, "ValidationError", 400, AccountAlias="No_Capitals")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_account_alias(AccountAlias="not-mine")
    iam.delete_account_alias(AccountAlias="example-corp")
    other.create_account_alias(AccountAlias="example-corp")
    assert other.list_account_aliases()["AccountAliases"] == ["example-corp"]


# ---- certificates, SSH keys, service-specific credentials ----

def test_server_certificates_take_a_real_certificate(iam, name):
    body, key, not_after = self_signed(f"{name}.example.com")
    _, other_key, _ = self_signed("other.example.com")
    meta = iam.upload_server_certificate(ServerCertificateName=name, Path="/cloudfront/", CertificateBody=body,
                                         PrivateKey=key, Tags=[{"Key": "env", "Value": "test"}])
    meta = meta["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/{name}"
    assert meta["ServerCertificateId"].startswith("ASCA")
    assert meta["Expiration"] == not_after
    refused(iam.upload_server_certificate, "MalformedCertificate", 400, ServerCertificateName=name + "-bad",
            CertificateBody="-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----", PrivateKey=key)
    refused(iam.upload_server_certificate, "KeyPairMismatch", 400, ServerCertificateName=name + "-mix",
            CertificateBody=body, PrivateKey=other_key)
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["CertificateBody"].strip() == body.strip()
    assert "PrivateKey" not in got
    names = [c["ServerCertificateName"] for c in
             iam.list_server_certificates(PathPrefix="/cloudfront/")["ServerCertificateMetadataList"]]
    assert name in names
    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=name + "-new")
    iam.delete_server_certificate(ServerCertificateName=name + "-new")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_server_certificate(ServerCertificateName=name + "-new")


def test_signing_certificates_and_ssh_keys_of_a_user(iam, user):
    body, _, _ = self_signed("signing.example.com")
    cert = iam.upload_signing_certificate(UserName=user.name, CertificateBody=body)["Certificate"]
    assert cert["Status"] == "Active" and cert["UserName"] == user.name
    refused(iam.upload_signing_certificate, "DuplicateCertificate", 409, UserName=user.name, CertificateBody=body)
    refused(iam.upload_signing_certificate, "MalformedCertificate", 400, UserName=user.name,
            CertificateBody="hello")
    iam.update_signing_certificate(UserName=user.name, CertificateId=cert["CertificateId"], Status="Inactive")
    listed = iam.list_signing_certificates(UserName=user.name)["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed] == [(cert["CertificateId"], "Inactive")]

    public = ssh_public_key()
    key = iam.upload_ssh_public_key(UserName=user.name, SSHPublicKeyBody=public)["SSHPublicKey"]
    assert key["SSHPublicKeyId"].startswith("APKA")
    assert key["Fingerprint"] == md5_fingerprint(public)
    refused(iam.upload_ssh_public_key, "DuplicateSSHPublicKey", 400, UserName=user.name, SSHPublicKeyBody=public)
    refused(iam.upload_ssh_public_key, "InvalidPublicKey", 400, UserName=user.name,
            SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQC7")
    pem = iam.get_ssh_public_key(UserName=user.name, SSHPublicKeyId=key["SSHPublicKeyId"],
                                 Encoding="PEM")["SSHPublicKey"]["SSHPublicKeyBody"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    ssh = iam.get_ssh_public_key(UserName=user.name, SSHPublicKeyId=key["SSHPublicKeyId"],
                                 Encoding="SSH")["SSHPublicKey"]["SSHPublicKeyBody"]
    assert ssh.split()[:2] == public.split()[:2]
    # Each is an action of its own on the user.
    message = refused(user.iam.list_ssh_public_keys, "AccessDenied", 403, UserName=user.name)
    assert f"iam:ListSSHPublicKeys on resource: {user.arn}" in message
    user.allow(allow("iam:ListSSHPublicKeys", user.arn))
    assert len(user.iam.list_ssh_public_keys(UserName=user.name)["SSHPublicKeys"]) == 1
    iam.delete_ssh_public_key(UserName=user.name, SSHPublicKeyId=key["SSHPublicKeyId"])
    iam.delete_signing_certificate(UserName=user.name, CertificateId=cert["CertificateId"])


def test_service_specific_credentials(iam, user):
    made = iam.create_service_specific_credential(UserName=user.name, ServiceName="codecommit.amazonaws.com")
    made = made["ServiceSpecificCredential"]
    assert made["ServiceUserName"] == f"{user.name}-at-{ACCOUNT}"
    assert len(made["ServicePassword"]) == 44 and made["Status"] == "Active"
    listed = iam.list_service_specific_credentials(UserName=user.name)["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [made["ServiceSpecificCredentialId"]]
    assert "ServicePassword" not in listed[0]
    reset = iam.reset_service_specific_credential(
        UserName=user.name, ServiceSpecificCredentialId=made["ServiceSpecificCredentialId"])
    assert reset["ServiceSpecificCredential"]["ServicePassword"] != made["ServicePassword"]
    refused(iam.create_service_specific_credential, "NotSupportedService", 404, UserName=user.name,
            ServiceName="ec2.amazonaws.com")
    iam.update_service_specific_credential(UserName=user.name, Status="Inactive",
                                           ServiceSpecificCredentialId=made["ServiceSpecificCredentialId"])
    iam.delete_service_specific_credential(UserName=user.name,
                                           ServiceSpecificCredentialId=made["ServiceSpecificCredentialId"])
    assert iam.list_service_specific_credentials(UserName=user.name)["ServiceSpecificCredentials"] == []


# ---- the credential report ----

def test_the_credential_report_has_aws_columns(fresh_emulator):
    emu = fresh_emulator()
    iam = emu.client("iam")
    with pytest.raises(iam.exceptions.CredentialReportNotPresentException):
        iam.get_credential_report()
    alice = Principal(emu, iam, "alice")
    alice.allow(allow("iam:GetUser"))
    alice.iam.get_user()
    iam.create_login_profile(UserName="alice", Password="Report-Password-1")
    iam.create_user(UserName="bob")
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    # boto3 decodes the Base64 blob: Content is the CSV's bytes.
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert list(rows[0].keys()) == REPORT_COLUMNS
    by_user = {r["user"]: r for r in rows}
    assert set(by_user) == {"<root_account>", "alice", "bob"}
    root = by_user["<root_account>"]
    assert root["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["password_enabled"] == "not_supported"
    a = by_user["alice"]
    assert a["password_enabled"] == "true"
    assert a["password_last_used"] == "no_information"
    assert a["access_key_1_active"] == "true"
    assert a["access_key_1_last_used_service"] == "iam"
    assert a["access_key_1_last_used_region"] == "us-east-1"
    assert datetime.datetime.fromisoformat(a["access_key_1_last_used_date"]).tzinfo is not None
    assert datetime.datetime.fromisoformat(a["user_creation_time"]).tzinfo is not None
    b = by_user["bob"]
    assert (b["password_enabled"], b["password_last_used"], b["access_key_1_active"],
            b["access_key_1_last_rotated"], b["cert_1_last_rotated"]) == ("false", "N/A", "false", "N/A", "N/A")


# ---- instance profiles, OIDC and SAML providers ----

EC2_TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
             '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')


def test_instance_profiles(iam, name):
    profile = iam.create_instance_profile(InstanceProfileName=name, Path="/app/",
                                          Tags=[{"Key": "tier", "Value": "web"}])["InstanceProfile"]
    assert profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/{name}"
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_role(RoleName=name + "-2", AssumeRolePolicyDocument=EC2_TRUST)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name + "-2")
    got = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == [name]
    for_role = iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == [name]
    assert name in [p["InstanceProfileName"] for p in iam.list_instance_profiles(PathPrefix="/app/")["InstanceProfiles"]]
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_role(RoleName=name)
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=name)
    iam.delete_instance_profile(InstanceProfileName=name)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_instance_profile(InstanceProfileName=name)


def test_oidc_providers(iam, name):
    url = f"https://{name}.example.com/oidc"
    arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=["sts.amazonaws.com"],
                                              ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{name}.example.com/oidc"
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_open_id_connect_provider(Url=url, ThumbprintList=["a" * 40])
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="my-app")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == f"{name}.example.com/oidc"
    assert sorted(got["ClientIDList"]) == ["my-app", "sts.amazonaws.com"]
    assert got["ThumbprintList"] == ["b" * 40]
    assert arn in [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def saml_metadata(entity, certificate_pem):
    der_b64 = "".join(line for line in certificate_pem.splitlines() if not line.startswith("-----"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{der_b64}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def test_saml_providers(iam, name):
    cert, _, _ = self_signed("idp.example.com")
    metadata = saml_metadata("https://idp.example.com/saml", cert)
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata)["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/{name}"
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.create_saml_provider(Name=name + "-bad", SAMLMetadataDocument="<not-metadata/>" + " " * 1000)
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == metadata
    assert arn in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_saml_provider(SAMLProviderArn=arn)
