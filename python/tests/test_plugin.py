"""The pytest plugin in throwaway test projects (pytester, each run in a
subprocess as a user's would be): the fixtures, the scope option, the
marker, the policies folder, loading with -p, and pytest-xdist."""

import json
import os

import pytest

from conftest import wait_gone

pytest_plugins = ["pytester"]


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=120)


def test_the_fixtures(pytester):
    pytester.makepyfile(
        """
        import os
        import boto3

        SEEN = []

        def test_a_running_emulator(iam_emulator):
            assert iam_emulator.health()["status"] == "ok"
            iam_emulator.create_user("only-in-this-test")
            SEEN.append(iam_emulator.endpoint_url)

        def test_reset_between_tests_on_one_server(iam_emulator):
            users = iam_emulator.client("iam").list_users()["Users"]
            assert users == []
            assert SEEN == [iam_emulator.endpoint_url]

        def test_aws_credentials_point_the_environment_at_it(aws_credentials, iam_emulator):
            assert os.environ["AWS_ENDPOINT_URL"] == iam_emulator.endpoint_url
            assert os.environ["AWS_ACCESS_KEY_ID"] == aws_credentials.access_key_id == "AKIAIOSFODNN7EXAMPLE"
            assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
            assert "AWS_SESSION_TOKEN" not in os.environ
            # A client built by the code under test, with no arguments.
            assert boto3.client("sts").get_caller_identity()["Arn"].endswith(":root")

        def test_the_environment_is_undone_after():
            assert "AWS_ENDPOINT_URL" not in os.environ
            assert os.environ.get("AWS_ACCESS_KEY_ID") == "outer"

        def test_boto3_session(boto3_session):
            s3 = boto3_session.client("s3")
            s3.create_bucket(Bucket="from-the-session")
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["from-the-session"]
        """
    )
    os.environ["AWS_ACCESS_KEY_ID"] = "outer"
    try:
        result = run(pytester)
    finally:
        del os.environ["AWS_ACCESS_KEY_ID"]
    result.assert_outcomes(passed=5)


def test_function_scope_gives_each_test_its_own_server(pytester):
    pytester.makepyfile(
        """
        import pytest
        ENDPOINTS = set()

        @pytest.mark.parametrize("n", range(3))
        def test_own(iam_emulator, n):
            iam_emulator.create_user("same-name-each-time")
            ENDPOINTS.add(iam_emulator.endpoint_url)
            assert len(ENDPOINTS) == n + 1
        """
    )
    run(pytester, "--iam-emulator-scope=function").assert_outcomes(passed=3)
    # Without it, one server: the second test's CreateUser of the same name
    # would still pass (reset), but the endpoints repeat.
    run(pytester).assert_outcomes(passed=1, failed=2)


def test_the_marker_starts_an_emulator_with_its_settings(pytester):
    pytester.makepyfile(
        """
        import pytest

        def test_default(iam_emulator):
            assert iam_emulator.health()["auth"] == "strict"

        @pytest.mark.iam_emulator(auth="soft")
        def test_soft(iam_emulator):
            assert iam_emulator.health()["auth"] == "soft"
            # Soft mode serves what strict would deny.
            alice = iam_emulator.create_user("alice")
            iam_emulator.client("iam", alice).list_users()

        @pytest.mark.iam_emulator(s3_defaults="legacy")
        def test_legacy_is_passed(iam_emulator):
            # S3 before April 2023: a new bucket has no default encryption.
            s3 = iam_emulator.client("s3")
            s3.create_bucket(Bucket="old-style")
            try:
                s3.get_bucket_encryption(Bucket="old-style")
            except s3.exceptions.ClientError as e:
                code = e.response["Error"]["Code"]
                assert code == "ServerSideEncryptionConfigurationNotFoundError", code
            else:
                raise AssertionError("a legacy bucket reported default encryption")

        def test_current_is_the_default(iam_emulator):
            s3 = iam_emulator.client("s3")
            s3.create_bucket(Bucket="new-style")
            rules = s3.get_bucket_encryption(Bucket="new-style")["ServerSideEncryptionConfiguration"]["Rules"]
            assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

        @pytest.mark.iam_emulator(color="blue")
        def test_unknown_setting(iam_emulator):
            pass
        """
    )
    result = run(pytester, "-rA")
    result.stdout.fnmatch_lines(["PASSED *::test_default", "PASSED *::test_soft"])
    result.stdout.fnmatch_lines(["*unknown setting(s) ?'color'?; known: auth, s3_defaults*"])
    # s3_defaults="legacy" reaches the binary as --s3-defaults legacy, and
    # the next test without the marker is back on the current defaults.
    result.stdout.fnmatch_lines(["PASSED *::test_legacy_is_passed", "PASSED *::test_current_is_the_default"])


def test_policies_are_written_per_principal(pytester, tmp_path):
    pytester.makepyfile(
        """
        import pytest

        ALLOW = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}

        def test_ci_uploads(iam_emulator):
            ci = iam_emulator.create_user("ci", policy=ALLOW)
            iam_emulator.create_bucket("artifacts")
            iam_emulator.client("s3", ci).put_object(Bucket="artifacts", Key="build/1.tgz", Body=b"x")

        @pytest.mark.iam_emulator(auth="soft")
        def test_ci_reads_on_its_own_emulator(iam_emulator):
            ci = iam_emulator.create_user("ci")
            iam_emulator.create_bucket("artifacts")
            s3 = iam_emulator.client("s3", ci)
            s3.put_object(Bucket="artifacts", Key="build/2.tgz", Body=b"y")
            s3.get_object(Bucket="artifacts", Key="build/2.tgz")
        """
    )
    out = tmp_path / "policies"
    result = run(pytester, f"--iam-emulator-policies={out}")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"iam-emulator: least-privilege policies of * principal(s) in {out}"])
    ci = json.loads((out / "123456789012-user-ci.json").read_text())
    granted = {(a, r) for s in ci["Statement"] for a in s["Action"] for r in s["Resource"]}
    # From both emulators, merged.
    assert ("s3:PutObject", "arn:aws:s3:::artifacts/build/1.tgz") in granted, ci
    assert ("s3:GetObject", "arn:aws:s3:::artifacts/build/2.tgz") in granted, ci
    assert (out / "123456789012-root.json").exists()


def test_loaded_with_dash_p_when_autoload_is_off(pytester, monkeypatch):
    pytester.makepyfile("def test_it(iam_emulator):\n    assert iam_emulator.running\n")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    run(pytester, "-p", "iam_emulator.pytest_plugin").assert_outcomes(passed=1)
    # Without -p (and without the entry point) the fixture does not exist.
    run(pytester).assert_outcomes(errors=1)


def test_a_failing_test_leaves_no_server(pytester, tmp_path):
    pids = tmp_path / "pids"
    pytester.makepyfile(
        f"""
        import pytest

        def test_fails(iam_emulator):
            open({str(pids)!r}, "a").write(f"{{iam_emulator.pid}}\\n")
            assert False, "on purpose"

        @pytest.mark.iam_emulator(auth="soft")
        def test_fails_on_its_own(iam_emulator):
            open({str(pids)!r}, "a").write(f"{{iam_emulator.pid}}\\n")
            raise RuntimeError("on purpose")
        """
    )
    run(pytester).assert_outcomes(failed=2)
    started = [int(line) for line in pids.read_text().split()]
    assert len(started) == 2
    for pid in started:
        assert wait_gone(pid), f"server {pid} outlived the test run"


def test_each_xdist_worker_has_its_own_server(pytester, tmp_path):
    pytest.importorskip("xdist")
    seen = tmp_path / "seen"
    pytester.makepyfile(
        f"""
        import os, pytest

        @pytest.mark.parametrize("n", range(8))
        def test_many(iam_emulator, n):
            iam_emulator.create_user(f"user-{{n}}")
            line = f"{{os.environ['PYTEST_XDIST_WORKER']}} {{iam_emulator.endpoint_url}}\\n"
            open({str(seen)!r}, "a").write(line)
        """
    )
    run(pytester, "-n", "2").assert_outcomes(passed=8)
    pairs = {tuple(line.split()) for line in seen.read_text().splitlines()}
    workers = {w for w, _ in pairs}
    endpoints = {e for _, e in pairs}
    assert len(workers) == 2, pairs
    assert len(endpoints) == 2, f"each worker its own port: {pairs}"
