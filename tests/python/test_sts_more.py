"""More of STS with boto3, offline: DecodeAuthorizationMessage of a logged
denial (POST /_emulator/authorization-message), AssumeRoot from an
organization's management account with a root task policy,
GetWebIdentityToken's JWT checked against the key set the emulator publishes,
a team's own RSA key trusted only once its JWKS is registered, web identity
session tags as aws:PrincipalTag, MaxSessionDuration, and AssumeRoleWithSAML
with a provider that does not exist.

Each test states the AWS documentation it relies on."""

import base64
import datetime
import json
import pathlib

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, Emulator, allow, doc, error_of

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    HAVE_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - the venv has it; without it only the signature checks skip
    HAVE_CRYPTOGRAPHY = False

needs_cryptography = pytest.mark.skipif(not HAVE_CRYPTOGRAPHY, reason="the cryptography package is not installed")

MEMBER = "444455556666"
MEMBER_KEY = "AKIAMEMBERROOTKEY002"
MEMBER_SECRET = "memberRootSecretKeyForStsMore000000000000"
ROOT_TASK = "arn:aws:iam::aws:policy/root-task/"
SAML_DATA = pathlib.Path(__file__).resolve().parents[2] / "emulator" / "tests" / "data" / "saml"


# ---------------------------------------------------------------- helpers

def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_parts(token):
    """(header, claims, signing input, signature) of a compact JWS."""
    head, body, signature = token.split(".")
    return (json.loads(b64url_decode(head)), json.loads(b64url_decode(body)),
            f"{head}.{body}".encode(), b64url_decode(signature))


def int_of(b64):
    return int.from_bytes(b64url_decode(b64), "big")


def verify_with_jwks(token, jwks):
    """True when `token` verifies with the key of `jwks` its header's kid names."""
    header, _, signing_input, signature = jwt_parts(token)
    [jwk] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert jwk["alg"] == header["alg"]
    try:
        if header["alg"] == "RS256":
            public = rsa.RSAPublicNumbers(int_of(jwk["e"]), int_of(jwk["n"])).public_key()
            public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif header["alg"] == "ES384":
            public = ec.EllipticCurvePublicNumbers(int_of(jwk["x"]), int_of(jwk["y"]), ec.SECP384R1()).public_key()
            # A JWS ES384 signature is R || S, 48 bytes each (RFC 7518, 3.4).
            der = encode_dss_signature(int.from_bytes(signature[:48], "big"), int.from_bytes(signature[48:], "big"))
            public.verify(der, signing_input, ec.ECDSA(hashes.SHA384()))
        else:
            raise AssertionError(f"unexpected alg {header['alg']}")
    except InvalidSignature:
        return False
    return True


def unsigned_sts(emu):
    """An STS client without credentials, as the holder of a token has."""
    return boto3.client("sts", endpoint_url=emu.endpoint, region_name="us-east-1",
                        config=Config(signature_version=botocore.UNSIGNED))


def refused(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def user_with_keys(emu, name, *statements, account_iam=None):
    """A user (in the account of `account_iam`, default the main one) with
    these inline statements; its (key, secret)."""
    iam = account_iam or emu.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def session_client(emu, service, creds):
    return emu.client(service, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def oidc_role(emu, name, issuer, client_id, actions=("sts:AssumeRoleWithWebIdentity",), **role_args):
    """An IAM OIDC provider for `issuer` and a role trusting it; the role's ARN."""
    iam = emu.client("iam")
    provider = iam.create_open_id_connect_provider(
        Url=issuer, ClientIDList=[client_id], ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    trust = doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": list(actions)})
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **role_args)["Role"]["Arn"]


def minted(emu, issuer, claims, expires_in=600):
    """A token of `issuer` signed by the emulator's key (POST /_emulator/oidc/token)."""
    return emu.admin("POST", "/_emulator/oidc/token",
                 {"issuer": issuer, "claims": claims, "expires_in": expires_in})["token"]


@pytest.fixture(scope="module")
def emu():
    emu = Emulator()
    yield emu
    assert emu.stop() == 0


# ------------------------------------------------ DecodeAuthorizationMessage

def test_decode_authorization_message_tells_an_allowed_caller_what_was_denied(emu, name):
    """STS API Reference, DecodeAuthorizationMessage: "To decode an
    authorization status message, a user must be granted permissions through
    an IAM policy to request the DecodeAuthorizationMessage
    (sts:DecodeAuthorizationMessage) action." "The decoded message includes
    ... Whether the request was denied due to an explicit deny or due to the
    absence of an explicit allow ... The principal who made the request. The
    requested action. The requested resource." """
    bucket = name + "-bucket"
    worker_key = user_with_keys(emu, name + "-worker", {
        "Effect": "Deny", "Action": "s3:CreateBucket", "Resource": f"arn:aws:s3:::{bucket}"})
    worker_arn = f"arn:aws:iam::{ACCOUNT}:user/{name}-worker"

    # An implicit denial (no policy allows iam:ListUsers) and an explicit one.
    with pytest.raises(ClientError) as implicit:
        emu.client("iam", *worker_key).list_users()
    with pytest.raises(ClientError) as explicit:
        emu.client("s3", *worker_key).create_bucket(Bucket=bucket)
    assert error_of(implicit)[:2] == ("AccessDenied", 403)
    assert error_of(explicit)[:2] == ("AccessDenied", 403)

    def encoded(excinfo):
        request_id = excinfo.value.response["ResponseMetadata"]["RequestId"]
        return emu.admin("POST", "/_emulator/authorization-message", {"requestId": request_id})["encodedMessage"]

    reader_key = user_with_keys(emu, name + "-reader", allow("sts:DecodeAuthorizationMessage"))
    reader = emu.client("sts", *reader_key)

    message = json.loads(reader.decode_authorization_message(EncodedMessage=encoded(implicit))["DecodedMessage"])
    assert message["allowed"] is False
    assert message["explicitDeny"] is False
    assert message["context"]["principal"]["arn"] == worker_arn
    assert message["context"]["action"] == "iam:ListUsers"
    # The resource is the one the AccessDenied message named.
    assert f"on resource: {message['context']['resource']} " in error_of(implicit)[2]

    message = json.loads(reader.decode_authorization_message(EncodedMessage=encoded(explicit))["DecodedMessage"])
    assert (message["allowed"], message["explicitDeny"]) == (False, True)
    assert message["context"]["action"] == "s3:CreateBucket"
    assert message["context"]["resource"] == f"arn:aws:s3:::{bucket}"

    # The worker itself may not decode it: it has no sts:DecodeAuthorizationMessage.
    code, status, text = refused(emu.client("sts", *worker_key).decode_authorization_message,
                                 EncodedMessage=encoded(implicit))
    assert (code, status) == ("AccessDenied", 403)
    assert text.startswith(f"User: {worker_arn} is not authorized to perform: sts:DecodeAuthorizationMessage")

    # A message that was altered is not one AWS encoded: the operation's one
    # documented error, InvalidAuthorizationMessageException.
    text = encoded(implicit)
    prefix, body, signature = text[:text.index(":") + 1], *text[text.index(":") + 1:].split(".")
    altered = b64url(json.dumps(dict(json.loads(b64url_decode(body)), allowed=True)).encode())
    code, status, _ = refused(reader.decode_authorization_message, EncodedMessage=f"{prefix}{altered}.{signature}")
    assert (code, status) == ("InvalidAuthorizationMessageException", 400)


# ------------------------------------------------------------------ AssumeRoot

class Org:
    """The main account (management) with MEMBER in its organization, IAM's
    trusted access and root sessions enabled ("Before you can launch a
    privileged session, you must have centralized root access in your
    organization", STS API Reference, AssumeRoot), and an operator user of
    the management account allowed sts:AssumeRoot."""

    def __init__(self, emulator):
        self.emu = emulator
        self.orgs = emulator.client("organizations")
        self.orgs.create_organization(FeatureSet="ALL")
        handshake = self.orgs.invite_account_to_organization(
            Target={"Type": "ACCOUNT", "Id": MEMBER})["Handshake"]["Id"]
        emulator.client("organizations", MEMBER_KEY, MEMBER_SECRET).accept_handshake(HandshakeId=handshake)
        self.orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
        features = emulator.client("iam").enable_organizations_root_sessions()["EnabledFeatures"]
        assert features == ["RootSessions"]
        self.operator = emulator.client("sts", *user_with_keys(emulator, "operator", allow("sts:AssumeRoot")))


@pytest.fixture
def org(fresh_emulator):
    return Org(fresh_emulator("--root-key", f"{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET}"))


def test_assume_root_credentials_act_only_within_the_task_policy(org):
    # The member's root locks its bucket with a policy denying everyone.
    member_s3 = org.emu.client("s3", MEMBER_KEY, MEMBER_SECRET)
    member_s3.create_bucket(Bucket="locked-bucket")
    member_s3.put_bucket_policy(Bucket="locked-bucket", Policy=doc(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::locked-bucket"}))

    # IAM User Guide, "Perform a privileged task on an AWS Organizations
    # member account": S3UnlockBucketPolicy removes a misconfigured bucket
    # policy that denies all principals.
    reply = org.operator.assume_root(TargetPrincipal=MEMBER, DurationSeconds=900,
                                     TaskPolicyArn={"arn": ROOT_TASK + "S3UnlockBucketPolicy"})
    creds = reply["Credentials"]
    lifetime = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert lifetime <= datetime.timedelta(seconds=900 + 60)
    identity = session_client(org.emu, "sts", creds).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (MEMBER, f"arn:aws:iam::{MEMBER}:root")

    root_s3 = session_client(org.emu, "s3", creds)
    assert "locked-bucket" in [b["Name"] for b in root_s3.list_buckets()["Buckets"]]
    root_s3.delete_bucket_policy(Bucket="locked-bucket")
    # What the task policy does not allow, the session may not do.
    assert refused(root_s3.create_bucket, Bucket="another-bucket")[:2] == ("AccessDenied", 403)
    assert refused(session_client(org.emu, "iam", creds).list_users)[:2] == ("AccessDenied", 403)


def test_assume_root_refuses_a_policy_that_is_not_a_root_task_policy(org):
    # STS API Reference, AssumeRoot, TaskPolicyArn: "You must use one of
    # following Amazon Web Services managed policies to scope root session
    # actions" (IAMAuditRootUserCredentials, IAMCreateRootUserPassword,
    # IAMDeleteRootUserCredentials, S3UnlockBucketPolicy,
    # SQSUnlockQueuePolicy). AWS names no dedicated error for it; the common
    # error for input that fails the service's constraints is ValidationError
    # (400), which is what root.rs returns.
    for arn in (ROOT_TASK + "DeleteEverything", "arn:aws:iam::aws:policy/AdministratorAccess"):
        code, status, _ = refused(org.operator.assume_root, TargetPrincipal=MEMBER, TaskPolicyArn={"arn": arn})
        assert (code, status) == ("ValidationError", 400)
    # The valid one is then accepted.
    org.operator.assume_root(TargetPrincipal=MEMBER, TaskPolicyArn={"arn": ROOT_TASK + "IAMAuditRootUserCredentials"})


def test_assume_root_is_refused_for_a_target_outside_the_organization(org):
    # "Returns a set of short term credentials you can use to perform
    # privileged tasks on a member account in your organization" (STS API
    # Reference, AssumeRoot): not an outside account, nor the management
    # account itself.
    task = {"arn": ROOT_TASK + "S3UnlockBucketPolicy"}
    for target in (OTHER_ACCOUNT, f"arn:aws:iam::{OTHER_ACCOUNT}:root", ACCOUNT):
        code, status, _ = refused(org.operator.assume_root, TargetPrincipal=target, TaskPolicyArn=task)
        assert (code, status) == ("AccessDenied", 403), target


def test_assume_root_is_refused_for_callers_outside_the_management_account(org):
    # "You must use credentials from an Organizations management account or a
    # delegated administrator account for IAM to call AssumeRoot. You cannot
    # use root user credentials to make this call." (STS API Reference)
    task = {"arn": ROOT_TASK + "S3UnlockBucketPolicy"}
    member_iam = org.emu.client("iam", MEMBER_KEY, MEMBER_SECRET)
    member_user = org.emu.client("sts", *user_with_keys(org.emu, "member-admin", allow("sts:AssumeRoot"),
                                                        account_iam=member_iam))
    outsider_iam = org.emu.client("iam", OTHER_KEY, OTHER_SECRET)
    outsider_user = org.emu.client("sts", *user_with_keys(org.emu, "outsider", allow("sts:AssumeRoot"),
                                                          account_iam=outsider_iam))
    management_root = org.emu.client("sts")
    for caller in (member_user, outsider_user, management_root):
        code, status, _ = refused(caller.assume_root, TargetPrincipal=MEMBER, TaskPolicyArn=task)
        assert (code, status) == ("AccessDenied", 403)


def test_assume_root_needs_root_sessions_and_at_most_900_seconds(org):
    task = {"arn": ROOT_TASK + "S3UnlockBucketPolicy"}
    # DurationSeconds: "The value can range from 0 seconds up to the maximum
    # session duration of 900 seconds (15 minutes). If you specify a value
    # higher than this setting, the operation fails." (STS API Reference)
    code, status, message = refused(org.operator.assume_root, TargetPrincipal=MEMBER, TaskPolicyArn=task,
                                    DurationSeconds=901)
    assert (code, status) == ("ValidationError", 400)
    assert "less than or equal to 900" in message
    # DisableOrganizationsRootSessions: "When you disable this feature, the
    # management account and the delegated administrator for IAM can no
    # longer perform privileged tasks on member accounts in your
    # organization." (IAM API Reference)
    assert org.emu.client("iam").disable_organizations_root_sessions()["EnabledFeatures"] == []
    code, status, _ = refused(org.operator.assume_root, TargetPrincipal=MEMBER, TaskPolicyArn=task)
    assert status in (400, 403), code


# ------------------------------------------------------- GetWebIdentityToken

def test_get_web_identity_token_is_a_jwt_for_the_caller_signed_by_the_published_keys(fresh_emulator):
    emu = fresh_emulator()
    caller = emu.client("sts", *user_with_keys(emu, "workload", allow("sts:GetWebIdentityToken")))
    # "You must enable outbound identity federation before you can request
    # tokens." (IAM User Guide, "Getting started with outbound identity
    # federation")
    code, status, _ = refused(caller.get_web_identity_token, Audience=["https://api.example.com"],
                              SigningAlgorithm="RS256")
    assert (code, status) == ("OutboundWebIdentityFederationDisabledException", 403)
    issuer = emu.client("iam").enable_outbound_web_identity_federation()["IssuerIdentifier"]

    reply = caller.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="RS256",
                                          DurationSeconds=600)
    header, claims, _, _ = jwt_parts(reply["WebIdentityToken"])
    assert (header["alg"], header["typ"]) == ("RS256", "JWT")
    # IAM User Guide, "Understanding token claims": "The JWT includes
    # standard OpenID Connect (OIDC) claims such as subject ("sub"), audience
    # ("aud"), issuer ("iss")"; the AWS identity-specific claims "are nested
    # under the "https://sts.amazonaws.com/" namespace".
    assert claims["iss"] == issuer
    assert claims["aud"] == "https://api.example.com"
    assert claims["sub"] == f"arn:aws:iam::{ACCOUNT}:user/workload"
    assert claims["exp"] - claims["iat"] == 600
    assert claims["https://sts.amazonaws.com/"]["aws_account"] == ACCOUNT
    lifetime = reply["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(seconds=500) < lifetime <= datetime.timedelta(seconds=660)

    # Several audiences make aud a list; ES384 is the other algorithm.
    es = caller.get_web_identity_token(Audience=["https://a.example", "https://b.example"], SigningAlgorithm="ES384")
    es_header, es_claims, _, _ = jwt_parts(es["WebIdentityToken"])
    assert es_header["alg"] == "ES384"
    assert es_claims["aud"] == ["https://a.example", "https://b.example"]
    assert es_claims["exp"] - es_claims["iat"] == 300  # "the default duration is 300 seconds (5 minutes)"

    # Both verify with the key set GET /_emulator/oidc/jwks publishes (the
    # signature part only where the cryptography package is installed).
    if HAVE_CRYPTOGRAPHY:
        jwks = emu.admin("GET", "/_emulator/oidc/jwks")
        assert verify_with_jwks(reply["WebIdentityToken"], jwks)
        assert verify_with_jwks(es["WebIdentityToken"], jwks)
        # The check is real: an altered payload does not verify.
        head, _, signature = reply["WebIdentityToken"].split(".")
        forged = b64url(json.dumps(dict(claims, sub=f"arn:aws:iam::{ACCOUNT}:user/admin")).encode())
        assert not verify_with_jwks(f"{head}.{forged}.{signature}", jwks)


def test_outbound_tokens_cannot_be_used_for_assume_role_with_web_identity(fresh_emulator):
    # "The JSON Web Tokens (JWTs) generated by the GetWebIdentityToken API
    # cannot be used for OpenID Connect (OIDC) federation into AWS (via the
    # AssumeRoleWithWebIdentity API)." (IAM User Guide, "Getting started with
    # outbound identity federation")
    emu = fresh_emulator()
    issuer = emu.client("iam").enable_outbound_web_identity_federation()["IssuerIdentifier"]
    caller = emu.client("sts", *user_with_keys(emu, "workload", allow("sts:GetWebIdentityToken")))
    token = caller.get_web_identity_token(Audience=["sts.amazonaws.com"], SigningAlgorithm="RS256")
    role = oidc_role(emu, "loopback", issuer, "sts.amazonaws.com")
    with pytest.raises(ClientError):
        unsigned_sts(emu).assume_role_with_web_identity(RoleArn=role, RoleSessionName="loop",
                                                        WebIdentityToken=token["WebIdentityToken"])


# ------------------------------------------ a foreign key, and its key set

@needs_cryptography
def test_a_foreign_keys_tokens_verify_only_once_its_jwks_is_registered(emu, name):
    issuer = f"https://{name}.idp.example.test"
    role = oidc_role(emu, name, issuer, "team-app")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "team-key-1",
           "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
           "e": b64url(numbers.e.to_bytes(3, "big"))}

    def signed(token_issuer):
        now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
        header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "team-key-1"}).encode())
        claims = b64url(json.dumps({"iss": token_issuer, "sub": "alice", "aud": "team-app",
                                    "iat": now, "exp": now + 600}).encode())
        signature = key.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{claims}.{b64url(signature)}"

    def assume(token, role_arn=role):
        return unsigned_sts(emu).assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName="alice", WebIdentityToken=token)

    # STS API Reference, InvalidIdentityToken: "The web identity token that
    # was passed could not be validated by Amazon Web Services."
    code, status, _ = refused(assume, token=signed(issuer))
    assert (code, status) == ("InvalidIdentityToken", 400)

    registered = emu.admin("PUT", "/_emulator/oidc/jwks?issuer=" + issuer, json.dumps({"keys": [jwk]}).encode())
    assert registered == {"issuer": issuer, "keys": 1}
    reply = assume(signed(issuer))
    assert reply["SubjectFromWebIdentityToken"] == "alice"
    assert reply["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/alice"

    # The key set counts for its issuer only.
    other_issuer = f"https://{name}.other-idp.example.test"
    other_role = oidc_role(emu, name + "-other", other_issuer, "team-app")
    assert refused(assume, token=signed(other_issuer), role_arn=other_role)[:2] == ("InvalidIdentityToken", 400)


# ---------------------------------- web identity session tags and durations

def test_web_identity_session_tags_are_principal_tags(emu, name):
    # IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity":
    # the IdP passes them in the "https://aws.amazon.com/tags" claim
    # (principal_tags, transitive_tag_keys); "When you use the session
    # credentials to make a subsequent request, the request context includes
    # the aws:PrincipalTag context key."
    issuer = f"https://{name}.tags.example.test"
    role = oidc_role(emu, name, issuer, "tags-app", actions=("sts:AssumeRoleWithWebIdentity", "sts:TagSession"))
    emu.client("iam").put_role_policy(RoleName=name, PolicyName="blue-only", PolicyDocument=doc({
        "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}))

    def session(team, role_arn=role):
        claims = {"sub": f"{team}-dev", "aud": "tags-app",
                  "https://aws.amazon.com/tags": {"principal_tags": {"team": [team]}}}
        creds = unsigned_sts(emu).assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName=f"{team}-dev", WebIdentityToken=minted(emu, issuer, claims))
        return session_client(emu, "s3", creds["Credentials"])

    session("blue").list_buckets()
    code, status, message = refused(session("red").list_buckets)
    assert (code, status) == ("AccessDenied", 403)
    assert f"assumed-role/{name}/red-dev is not authorized to perform: s3:ListAllMyBuckets" in message

    # "When you use session tags, the trust policies for all roles connected
    # to the identity provider (IdP) passing tags must have the
    # sts:TagSession permission." (same page)
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{name}.tags.example.test"
    untagging = emu.client("iam").create_role(RoleName=name + "-no-tags", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity"}))["Role"]["Arn"]
    code, status, message = refused(session, team="blue", role_arn=untagging)
    assert (code, status) == ("AccessDenied", 403)


def test_duration_above_the_roles_max_session_duration_is_refused(emu, name):
    # STS API Reference, AssumeRoleWithWebIdentity, DurationSeconds: "The
    # value can range from 900 seconds (15 minutes) up to the maximum session
    # duration setting for the role. ... If you specify a value higher than
    # this setting, the operation fails." (IAM User Guide, troubleshooting:
    # "Requested DurationSeconds exceeds MaxSessionDuration set for this role.")
    issuer = f"https://{name}.duration.example.test"
    role = oidc_role(emu, name, issuer, "duration-app", MaxSessionDuration=7200)

    def assume(seconds):
        token = minted(emu, issuer, {"sub": "worker", "aud": "duration-app"})
        return unsigned_sts(emu).assume_role_with_web_identity(
            RoleArn=role, RoleSessionName="worker", WebIdentityToken=token, DurationSeconds=seconds)

    code, status, message = refused(assume, seconds=7201)
    assert (code, status) == ("ValidationError", 400)
    assert message == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    expires = assume(7200)["Credentials"]["Expiration"]
    lifetime = expires - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(seconds=7100) < lifetime <= datetime.timedelta(seconds=7260)


# ------------------------------------------------------------------------ SAML

def test_assume_role_with_saml_names_a_provider_that_does_not_exist(emu, name):
    # IAM User Guide, "Troubleshoot SAML federation with IAM": "Error:
    # Specified provider doesn't exist." STS API Reference,
    # AssumeRoleWithSAML, InvalidIdentityToken: "The web identity token that
    # was passed could not be validated by Amazon Web Services."
    iam = emu.client("iam")
    metadata = (SAML_DATA / "idp-metadata.xml").read_text()
    provider = iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata)["SAMLProviderArn"]
    trust = doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML"})
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    assertion = emu.admin("POST", "/_emulator/saml/assertion",
                      {"provider_arn": provider, "role_arn": role, "subject": "carol"})["saml_response"]
    sts = unsigned_sts(emu)
    assert sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=assertion)["Subject"] == "carol"

    # A provider name misspelt, and the provider once it is deleted.
    misspelt = provider + "-typo"
    iam.delete_saml_provider(SAMLProviderArn=provider)
    for principal in (misspelt, provider):
        code, status, message = refused(sts.assume_role_with_saml, RoleArn=role, PrincipalArn=principal,
                                        SAMLAssertion=assertion)
        assert (code, status) == ("InvalidIdentityToken", 400)
        assert message.startswith("Specified provider doesn't exist")
