"""STS federation with boto3, offline: the GitHub Actions OIDC recipe from
AWS's and GitHub's docs (an OIDC provider for token.actions.githubusercontent.com
with audience sts.amazonaws.com, a role whose trust policy has StringLike on
token.actions.githubusercontent.com:sub), tokens from the emulator's own
issuer (POST /_emulator/oidc/token) and from a registered key set, every
rejection, SAML (the emulator's responses and an xmlsec1-signed one),
GetFederationToken's intersection, session tags, and the emulator's key and
sessions across a restart with --state-dir."""

import base64
import json
import pathlib
import urllib.error
import urllib.request

import boto3
import botocore
import pytest
from botocore.config import Config
from conftest import Emulator, allow, doc, error_of

GITHUB = "https://token.actions.githubusercontent.com"
ACCOUNT = "123456789012"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SAML_DATA = pathlib.Path(__file__).resolve().parents[2] / "emulator" / "tests" / "data" / "saml"


def unsigned_sts(emu):
    """An STS client without credentials, as a CI job holding only a token has."""
    return boto3.client("sts", endpoint_url=emu.endpoint, region_name="us-east-1",
                        config=Config(signature_version=botocore.UNSIGNED))


def token(emu, claims, issuer=GITHUB, expires_in=600):
    return emu.admin("POST", "/_emulator/oidc/token",
                 {"issuer": issuer, "claims": claims, "expires_in": expires_in})["token"]


def github_claims(repo):
    return {"sub": f"repo:{repo}:ref:refs/heads/main", "aud": "sts.amazonaws.com", "repository": repo}


@pytest.fixture(scope="module")
def emu():
    emu = Emulator()
    iam = emu.client("iam")
    # The recipe: provider, then a role trusting it for one repository.
    iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"],
                                       ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
    trust = doc({"Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN},
                 "Action": "sts:AssumeRoleWithWebIdentity",
                 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                               "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}})
    emu.role_arn = iam.create_role(RoleName="gha-deploy", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="gha-deploy", PolicyName="p", PolicyDocument=doc(allow("s3:ListAllMyBuckets")))
    yield emu
    assert emu.stop() == 0


def assume(emu, web_token, role=None, **more):
    return unsigned_sts(emu).assume_role_with_web_identity(
        RoleArn=role or emu.role_arn, RoleSessionName="gha", WebIdentityToken=web_token, **more)


def test_the_right_repository_assumes_the_role(emu):
    reply = assume(emu, token(emu, github_claims("acme/app")))
    assert reply["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/gha-deploy/gha"
    assert reply["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert reply["Audience"] == "sts.amazonaws.com"
    creds = reply["Credentials"]
    session = emu.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    me = session.get_caller_identity()
    assert me["Arn"] == reply["AssumedRoleUser"]["Arn"]
    assert me["UserId"] == reply["AssumedRoleUser"]["AssumedRoleId"]
    s3 = emu.client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    s3.list_buckets()


def test_another_repositorys_token_is_denied_with_awss_message(emu):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        assume(emu, token(emu, github_claims("evil/app")))
    assert error_of(excinfo) == ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")


@pytest.mark.parametrize("case,code", [
    ("expired", "ExpiredTokenException"),
    ("not-yet-valid", "InvalidIdentityToken"),
    ("wrong-audience", "InvalidIdentityToken"),
    ("unknown-issuer", "InvalidIdentityToken"),
    ("tampered", "InvalidIdentityToken"),
    ("not-a-jwt", "InvalidIdentityToken"),
])
def test_every_bad_token_is_rejected(emu, case, code):
    claims = github_claims("acme/app")
    if case == "expired":
        claims["exp"] = 1_000_000_000
    if case == "not-yet-valid":
        claims["nbf"] = 4_000_000_000
    if case == "wrong-audience":
        claims["aud"] = "someone-else"
    issuer = "https://idp.nowhere.test" if case == "unknown-issuer" else GITHUB
    web_token = token(emu, claims, issuer=issuer)
    if case == "tampered":
        head, _, signature = web_token.split(".")
        forged = base64.urlsafe_b64encode(json.dumps(github_claims("acme/app") | {"sub": "repo:acme/app:admin"}).encode())
        web_token = f"{head}.{forged.decode().rstrip('=')}.{signature}"
    if case == "not-a-jwt":
        web_token = "not-a-jwt"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        assume(emu, web_token)
    assert error_of(excinfo)[0] == code
    if case == "wrong-audience":
        assert error_of(excinfo)[2] == "Incorrect token audience"


def test_a_token_signed_by_a_registered_key_set_verifies(emu, tmp_path):
    # A team's own IdP: its key set is registered for its issuer; the
    # emulator's published key set stands in for it here.
    jwks = emu.admin("GET", "/_emulator/oidc/jwks")
    assert [(k["kty"], k["alg"]) for k in jwks["keys"]] == [("RSA", "RS256"), ("EC", "ES384")]
    assert jwks["keys"][1]["crv"] == "P-384"
    registered = emu.admin("PUT", "/_emulator/oidc/jwks?issuer=" + GITHUB, json.dumps(jwks).encode())
    assert registered == {"issuer": GITHUB, "keys": 2}
    with pytest.raises(urllib.error.HTTPError) as bad:
        emu.admin("PUT", "/_emulator/oidc/jwks?issuer=" + GITHUB, b'{"keys": []}')
    assert bad.value.code == 400


def saml_setup(emu, name):
    iam = emu.client("iam")
    metadata = (SAML_DATA / "idp-metadata.xml").read_text()
    provider = iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata)["SAMLProviderArn"]
    trust = doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML",
                 "Condition": {"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}}})
    role = iam.create_role(RoleName=name + "-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    return provider, role


def saml_response(emu, provider, role, **more):
    body = {"provider_arn": provider, "role_arn": role, "subject": "carol", **more}
    return emu.admin("POST", "/_emulator/saml/assertion", body)["saml_response"]


def test_saml_happy_path_and_rejections(emu):
    provider, role = saml_setup(emu, "ExampleIdP")
    sts = unsigned_sts(emu)
    reply = sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider,
                                      SAMLAssertion=saml_response(emu, provider, role))
    assert reply["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/ExampleIdP-role/carol"
    assert reply["Issuer"] == "https://idp.example.test/saml"
    assert reply["Audience"] == "https://signin.aws.amazon.com/saml"
    # Signed by the provider's own key with xmlsec1 (role and provider
    # names are the fixture's: it names saml-admins with ExampleIdP).
    signed = (SAML_DATA / "signed-response.xml").read_text()
    iam = emu.client("iam")
    trust = doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML"})
    admins = iam.create_role(RoleName="saml-admins", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    encoded = base64.b64encode(signed.encode()).decode()
    assert sts.assume_role_with_saml(RoleArn=admins, PrincipalArn=provider, SAMLAssertion=encoded)["Subject"] \
        == "carol@example.test"

    def refused(assertion, role_arn=role):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider, SAMLAssertion=assertion)
        return error_of(excinfo)[0]
    tampered = base64.b64encode(signed.replace("carol@", "mallory@").encode()).decode()
    assert refused(tampered, admins) == "InvalidIdentityToken"
    assert refused(saml_response(emu, provider, role, expires_in=-10)) == "ExpiredTokenException"
    assert refused(saml_response(emu, provider, role), admins) == "IDPRejectedClaim"
    assert refused(base64.b64encode(b"<x/>").decode()) == "InvalidIdentityToken"


def test_federation_token_is_the_intersection_and_cannot_call_iam(emu, name):
    iam = emu.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(
        allow(["sts:GetFederationToken", "s3:ListAllMyBuckets", "s3:CreateBucket", "iam:ListUsers"])))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    proxy = emu.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    reply = proxy.get_federation_token(Name="bob", Policy=doc(allow(["s3:ListAllMyBuckets", "iam:ListUsers"])))
    assert reply["FederatedUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/bob"
    creds = reply["Credentials"]
    as_bob = lambda service: emu.client(service, creds["AccessKeyId"], creds["SecretAccessKey"],  # noqa: E731
                                        creds["SessionToken"])
    as_bob("s3").list_buckets()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        as_bob("s3").create_bucket(Bucket=name)
    assert error_of(excinfo)[0] == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        as_bob("iam").list_users()
    assert error_of(excinfo)[0] == "AccessDenied"
    assert as_bob("sts").get_caller_identity()["Arn"].endswith(":federated-user/bob")


def test_session_tags_need_tag_session_and_transitive_tags_are_inherited(emu, name):
    iam = emu.client("iam")
    root_trust = lambda actions: doc({"Effect": "Allow",  # noqa: E731
                                      "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": actions})
    plain = iam.create_role(RoleName=name + "-plain", AssumeRolePolicyDocument=root_trust("sts:AssumeRole"))
    tagging = iam.create_role(RoleName=name + "-tags",
                              AssumeRolePolicyDocument=root_trust(["sts:AssumeRole", "sts:TagSession"]))
    iam.put_role_policy(RoleName=name + "-tags", PolicyName="p", PolicyDocument=doc(allow("sts:*")))
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(allow("sts:*")))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    sts = emu.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    tags = [{"Key": "team", "Value": "blue"}]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        sts.assume_role(RoleArn=plain["Role"]["Arn"], RoleSessionName="s1", Tags=tags)
    assert "sts:TagSession" in error_of(excinfo)[2]
    first = sts.assume_role(RoleArn=tagging["Role"]["Arn"], RoleSessionName="s1", Tags=tags,
                            TransitiveTagKeys=["team"])["Credentials"]
    chained = emu.client("sts", first["AccessKeyId"], first["SecretAccessKey"], first["SessionToken"])
    chained.assume_role(RoleArn=tagging["Role"]["Arn"], RoleSessionName="s2")


def test_the_emulators_key_and_sessions_survive_a_restart(tmp_path):
    first = Emulator("--state-dir", str(tmp_path))
    try:
        iam = first.client("iam")
        iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"],
                                            ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
        trust = doc({"Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN},
                     "Action": "sts:AssumeRoleWithWebIdentity"})
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        jwks = first.admin("GET", "/_emulator/oidc/jwks")
        web_token = token(first, github_claims("acme/app"))
        creds = assume(first, web_token, role=role)["Credentials"]
    finally:
        first.proc.kill()
        first.proc.wait()
    second = Emulator("--state-dir", str(tmp_path))
    try:
        assert second.admin("GET", "/_emulator/oidc/jwks") == jwks
        # A token minted before the restart still verifies.
        assert assume(second, web_token, role=role)["AssumedRoleUser"]["Arn"].endswith("/r/gha")
        session = second.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        assert session.get_caller_identity()["Arn"].endswith("/r/gha")
    finally:
        assert second.stop() == 0
