"""assert_allowed / assert_denied: decided by the emulator over its state;
a failure's message is the decision trace."""

import pytest

from iam_emulator import Emulator

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/secret/*"},
    {"Sid": "FromTheOffice", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
]}
OPEN = "arn:aws:s3:::reports/q1.csv"
SECRET = "arn:aws:s3:::reports/secret/plan.txt"


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emu:
        emu.create_bucket("reports")
        emu.alice = emu.create_user("alice", policy=POLICY)
        yield emu


def test_allowed_passes_and_returns_the_decision(emu):
    decision = emu.assert_allowed(emu.alice, "s3:GetObject", OPEN)
    assert decision["decision"] == "allowed"
    assert decision["principal"] == "arn:aws:iam::123456789012:user/alice"


def test_an_unexpected_denial_fails_with_the_trace(emu):
    with pytest.raises(AssertionError) as failure:
        emu.assert_allowed(emu.alice, "s3:GetObject", SECRET)
    message = str(failure.value)
    assert message.startswith(
        f"expected arn:aws:iam::123456789012:user/alice to be allowed s3:GetObject on {SECRET}, "
        "but the emulator decided explicitDeny")
    # The trace, statement by statement, with AWS's words.
    assert "with an explicit deny in an identity-based policy" in message
    assert "NoSecrets" in message and "ReadReports" in message


def test_denied_with_its_reason(emu):
    decision = emu.assert_denied(emu.alice, "s3:GetObject", SECRET,
                                 reason="explicit deny in an identity-based policy")
    assert decision["decision"] == "explicitDeny"
    emu.assert_denied(emu.alice, "s3:DeleteObject", OPEN, reason="no identity-based policy allows")


def test_a_denial_for_another_reason_fails_and_says_the_real_one(emu):
    with pytest.raises(AssertionError) as failure:
        emu.assert_denied(emu.alice, "s3:DeleteObject", OPEN, reason="explicit deny")
    message = str(failure.value)
    assert "because 'explicit deny', but the denial says:" in message
    assert "because no identity-based policy allows the s3:DeleteObject action" in message


def test_an_unexpected_allow_fails_with_the_trace(emu):
    with pytest.raises(AssertionError) as failure:
        emu.assert_denied(emu.alice, "s3:GetObject", OPEN)
    message = str(failure.value)
    assert "to be denied s3:GetObject on arn:aws:s3:::reports/q1.csv, but the emulator allowed it" in message
    assert "ReadReports" in message


def test_context_keys_reach_the_conditions(emu):
    # From this machine (127.0.0.1) by default, as a real request is.
    emu.assert_denied(emu.alice, "s3:PutObject", OPEN)
    emu.assert_allowed(emu.alice, "s3:PutObject", OPEN, context={"aws:SourceIp": "10.1.2.3"})


def test_an_access_key_id_or_a_principal_arn_will_do(emu):
    emu.assert_allowed(emu.alice.access_key_id, "s3:GetObject", OPEN)
    emu.assert_denied("arn:aws:iam::123456789012:user/alice", "s3:GetObject", SECRET)
    with pytest.raises(AssertionError, match="InvalidClientTokenId"):
        emu.assert_allowed("AKIANOTAKEY000000000", "s3:GetObject", OPEN)


def test_the_assertions_agree_with_real_requests(emu):
    s3 = emu.client("s3", emu.alice)
    emu.client("s3").put_object(Bucket="reports", Key="q1.csv", Body=b"a,b")
    emu.client("s3").put_object(Bucket="reports", Key="secret/plan.txt", Body=b"x")
    assert s3.get_object(Bucket="reports", Key="q1.csv")["Body"].read() == b"a,b"
    emu.assert_allowed(emu.alice, "s3:GetObject", OPEN)
    with pytest.raises(Exception) as denied:
        s3.get_object(Bucket="reports", Key="secret/plan.txt")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    emu.assert_denied(emu.alice, "s3:GetObject", SECRET)
