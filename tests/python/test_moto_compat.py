"""moto server-mode compatibility (CONTRACT.md, admin endpoints): reset and
reset-auth, each on a private emulator since they change shared state."""
import json
import urllib.request

import botocore.exceptions
import pytest

from conftest import ACCOUNT, ROOT_KEY, error_of

UNKNOWN_KEY = "AKIAUNKNOWNKEY000001"


def post(emulator, path, body=b""):
    req = urllib.request.Request(emulator.endpoint + path, data=body, method="POST")
    with urllib.request.urlopen(req) as r:
        return r.status, json.load(r)


def reset_auth(emulator, count):
    status, body = post(emulator, "/moto-api/reset-auth", str(count).encode())
    assert status == 200 and body["status"] == "ok"
    return body["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]


def stranger(emulator, service):
    """A client whose key no account knows."""
    return emulator.client(service, UNKNOWN_KEY, "any-secret-at-all")


def rejected(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**params)
    assert error_of(e)[:2] == ("InvalidClientTokenId", 403)


def test_reset_auth_inf_then_zero(fresh_emulator):
    emu = fresh_emulator()
    rejected(stranger(emu, "sts").get_caller_identity)

    # inf: never enforce; any key acts as root of the default account.
    assert reset_auth(emu, "inf") == "0"
    me = stranger(emu, "sts").get_caller_identity()
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and me["Account"] == ACCOUNT
    stranger(emu, "iam").create_user(UserName="made-without-auth")
    emu.client("iam", ROOT_KEY, "not-the-secret").get_user(UserName="made-without-auth")

    # 0: enforce from the very next request.
    assert reset_auth(emu, 0) == "inf"
    rejected(stranger(emu, "iam").list_users)
    bad_secret = emu.client("iam", ROOT_KEY, "not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bad_secret.list_users()
    assert error_of(e)[:2] == ("SignatureDoesNotMatch", 403)
    users = emu.client("iam").list_users()["Users"]
    assert "made-without-auth" in [u["UserName"] for u in users]


def test_reset_auth_counts_requests(fresh_emulator):
    emu = fresh_emulator()
    assert reset_auth(emu, 2) == "0"
    sts = stranger(emu, "sts")
    sts.get_caller_identity()
    sts.get_caller_identity()
    rejected(sts.get_caller_identity)
    rejected(sts.get_caller_identity)
    assert reset_auth(emu, 1) == "2"
    sts.get_caller_identity()
    rejected(sts.get_caller_identity)


def test_reset_auth_on_an_auth_off_server(fresh_emulator):
    emu = fresh_emulator("--auth", "off")
    assert stranger(emu, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert reset_auth(emu, 0) == "inf"
    rejected(stranger(emu, "sts").get_caller_identity)
    assert emu.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_moto_reset_empties_state_and_keeps_root_keys(fresh_emulator):
    from conftest import OTHER_KEY, OTHER_SECRET
    emu = fresh_emulator()
    iam = emu.client("iam")
    iam.create_user(UserName="gone-after-reset")
    key = iam.create_access_key(UserName="gone-after-reset")["AccessKey"]
    assert post(emu, "/moto-api/reset") == (200, {"status": "ok"})
    assert iam.list_users()["Users"] == []
    assert emu.client("iam", OTHER_KEY, OTHER_SECRET).list_users()["Users"] == []
    rejected(emu.client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity)
    iam.create_user(UserName="gone-after-reset")


def test_reset_auth_rejects_a_non_number(fresh_emulator):
    emu = fresh_emulator()
    with pytest.raises(urllib.error.HTTPError) as e:
        post(emu, "/moto-api/reset-auth", b"lots")
    assert e.value.code == 400
    rejected(stranger(emu, "sts").get_caller_identity)
