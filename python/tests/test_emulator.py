"""The Emulator context manager: the installed binary, start, ready, stop,
no orphan process whatever ends the Python side, and its methods."""

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

import iam_emulator
from iam_emulator import Credentials, Emulator, EmulatorError, EmulatorStartError

from conftest import ALLOW_ALL, pid_alive, wait_gone


def test_the_package_and_its_binary_are_the_installed_ones(monkeypatch):
    monkeypatch.delenv("IAM_EMULATOR_BIN", raising=False)
    # Imported from the environment's site-packages, not the source tree.
    assert Path(iam_emulator.__file__).is_relative_to(Path(sysconfig.get_path("purelib")))
    binary = iam_emulator.find_binary()
    assert binary.parent == Path(sysconfig.get_path("scripts"))
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.split()[-1] == iam_emulator.__version__
    # On PATH in the environment, as a console command.
    assert shutil.which("iam-emulator", path=sysconfig.get_path("scripts")) == str(binary)


def test_start_ready_and_stop():
    with Emulator() as emu:
        assert emu.running
        assert emu.endpoint_url.startswith("http://127.0.0.1:")
        assert emu.health()["status"] == "ok"
        pid = emu.pid
        assert pid_alive(pid)
    assert not emu.running
    assert wait_gone(pid), "the server is still running after the with block"
    with pytest.raises(RuntimeError, match="not running"):
        emu.endpoint_url


def test_an_exception_in_the_block_stops_the_server():
    with pytest.raises(ZeroDivisionError):
        with Emulator() as emu:
            pid = emu.pid
            1 / 0
    assert wait_gone(pid)


def _child_holding_an_emulator(tmp_path):
    """A Python process that starts an emulator, prints its pid, then waits."""
    script = tmp_path / "child.py"
    # A shell that starts a job in the background without job control (CI
    # under nohup, `cmd &` in a script) starts it with SIGINT ignored, and
    # Python then installs no KeyboardInterrupt handler: the child puts
    # Python's default back, as an interactive terminal would give it.
    script.write_text(textwrap.dedent("""
        import signal, sys, time
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from iam_emulator import Emulator
        with Emulator() as emu:
            print(emu.pid, flush=True)
            time.sleep(120)
    """))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    server = int(child.stdout.readline())
    assert pid_alive(server)
    return child, server


def test_ctrl_c_leaves_no_orphan(tmp_path):
    child, server = _child_holding_an_emulator(tmp_path)
    child.send_signal(signal.SIGINT)
    assert child.wait(10) != 0  # KeyboardInterrupt
    assert wait_gone(server), "Ctrl-C left the server running"


def test_killing_the_python_process_leaves_no_orphan(tmp_path):
    # No clean-up runs on SIGKILL: the server sees its stdin close and stops.
    child, server = _child_holding_an_emulator(tmp_path)
    child.kill()
    child.wait(10)
    assert wait_gone(server), "kill -9 of the parent left the server running"


def test_a_server_that_cannot_start_says_why():
    with pytest.raises(EmulatorStartError, match="max-connections"):
        Emulator(extra_args=["--max-connections", "0"]).start()


def test_settings_become_serve_flags():
    emu = Emulator(auth="soft", s3_defaults="legacy", state_dir="/tmp/x",
                   root_keys=["111111111111:AKIAOTHERACCOUNT0001:other-secret"])
    args = emu.args
    assert args[0] == "serve" and "--exit-with-stdin" in args
    assert args[args.index("--auth") + 1] == "soft"
    assert args[args.index("--s3-defaults") + 1] == "legacy"
    assert args[args.index("--state-dir") + 1] == "/tmp/x"
    assert args[args.index("--root-key") + 1] == "111111111111:AKIAOTHERACCOUNT0001:other-secret"
    assert "--s3-defaults" not in Emulator().args
    for bad in (dict(auth="sometimes"), dict(s3_defaults="new"), dict(root_keys=["12:short"])):
        with pytest.raises(ValueError):
            Emulator(**bad)


def test_auth_mode_and_root_keys():
    other = ("111111111111", "AKIAOTHERACCOUNT0001", "other-secret")
    with Emulator(auth="soft", root_keys=[other]) as emu:
        assert emu.health()["auth"] == "soft"
        assert emu.root.access_key_id == "AKIAIOSFODNN7EXAMPLE"
        assert emu.root_of("111111111111") == Credentials("AKIAOTHERACCOUNT0001", "other-secret")
        arn = emu.client("sts", emu.root_of("111111111111")).get_caller_identity()["Arn"]
        assert arn == "arn:aws:iam::111111111111:root"


def test_env_drives_the_aws_cli():
    aws = shutil.which("aws")
    if aws is None:
        if os.environ.get("CI"):
            pytest.fail("the aws CLI is not installed (pip install awscli)")
        pytest.skip("the aws CLI is not installed")
    with Emulator() as emu:
        alice = emu.create_user("alice")
        for creds, arn in ((None, "arn:aws:iam::123456789012:root"),
                           (alice, "arn:aws:iam::123456789012:user/alice")):
            env = {**os.environ, **emu.env(creds)}
            out = subprocess.run([aws, "sts", "get-caller-identity", "--output", "json"], env=env,
                                 capture_output=True, text=True, timeout=60)
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout)["Arn"] == arn
        env = emu.env()
        assert env["AWS_ENDPOINT_URL"] == emu.endpoint_url
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"


def test_state_dir_keeps_the_state(tmp_path):
    with Emulator(state_dir=tmp_path / "state") as emu:
        emu.create_user("kept")
    with Emulator(state_dir=tmp_path / "state") as emu:
        user = emu.client("iam").get_user(UserName="kept")["User"]
        assert user["Arn"] == "arn:aws:iam::123456789012:user/kept"


def test_users_roles_buckets_and_the_clock():
    with Emulator() as emu:
        alice = emu.create_user("alice", policy=json.dumps(ALLOW_ALL))
        assert alice.access_key_id.startswith("AKIA") and alice.session_token is None
        iam = emu.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}}]}
        role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        session = emu.assume_role(role, alice, session_name="job")
        assert session.access_key_id.startswith("ASIA") and session.session_token
        arn = emu.client("sts", session).get_caller_identity()["Arn"]
        assert arn == "arn:aws:sts::123456789012:assumed-role/reader/job"

        emu.create_bucket("reports")
        emu.put_bucket_policy("reports", {"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]})
        stored = json.loads(emu.client("s3").get_bucket_policy(Bucket="reports")["Policy"])
        assert stored["Statement"][0]["Effect"] == "Deny"
        with pytest.raises(EmulatorError) as missing:
            emu.put_bucket_policy("no-such-bucket", ALLOW_ALL)
        assert missing.value.code == "NoSuchBucket"

        # The role's session lasts an hour: an hour and a second later it is expired.
        clock = emu.advance_clock(3601)
        assert clock["offset_seconds"] == 3601
        emu.assert_denied(session, "s3:ListAllMyBuckets", "*", reason="ExpiredToken")
        with pytest.raises(EmulatorError) as refused:
            emu.advance_clock(-5)
        assert refused.value.status == 400
        emu.reset()
        assert emu.advance_clock(0)["offset_seconds"] == 0


def test_decisions_explain_who_can_and_policy_for():
    with Emulator() as emu:
        bob = emu.create_user("bob", policy={"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]})
        emu.create_bucket("data")
        s3 = emu.client("s3", bob)
        with pytest.raises(Exception) as denied:
            s3.put_object(Bucket="data", Key="k", Body=b"1")
        request_id = denied.value.response["ResponseMetadata"]["RequestId"]
        newest = emu.decisions(limit=1)[0]
        assert newest["requestId"] == request_id and newest["decision"] == "implicitDeny"
        words = emu.explain(request_id)
        assert "s3:PutObject" in words and "implicitDeny" in words
        with pytest.raises(EmulatorError):
            emu.explain("no-such-request")
        allowed = {entry["principal"] for entry in emu.who_can("s3:GetObject", "arn:aws:s3:::data/k")}
        assert "arn:aws:iam::123456789012:user/bob" in allowed
        policy = emu.policy_for("arn:aws:iam::123456789012:user/bob")
        actions = [a for s in policy["Statement"] for a in s["Action"]]
        assert actions == ["s3:PutObject"]


def test_python_dash_m_runs_the_binary():
    out = subprocess.run([sys.executable, "-m", "iam_emulator", "--version"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("iam-emulator ")
    served = subprocess.Popen([sys.executable, "-m", "iam_emulator", "serve", "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert served.stdout.readline().startswith("iam-emulator listening on http://127.0.0.1:")
        assert served.stdout.readline() == "Ready.\n"
    finally:
        served.send_signal(signal.SIGTERM)
        assert served.wait(10) == 0
