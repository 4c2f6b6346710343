"""The pytest plugin (entry point ``pytest11``, so installing the package
turns it on): fixtures, a marker and least-privilege policies per principal.

Fixtures:

- ``iam_emulator``: a running :class:`~iam_emulator.Emulator`. One server
  serves the whole session (each pytest-xdist worker has its own, on its
  own port) and is ``reset()`` before each test that uses it;
  ``--iam-emulator-scope=function`` starts one per test instead.
- ``aws_credentials``: ``AWS_ENDPOINT_URL``, the root keys and the region
  in the test's environment (undone after it), so code that builds its own
  clients talks to the emulator; the root :class:`~iam_emulator.Credentials`.
- ``boto3_session``: a ``boto3.Session`` as root, with ``aws_credentials``
  in effect (its clients reach the emulator through ``AWS_ENDPOINT_URL``).

Marker ``@pytest.mark.iam_emulator(auth="soft", s3_defaults="legacy")``:
the test gets an emulator of its own with those settings.

``--iam-emulator-policies=DIR``: at the end of the session, the
least-privilege identity policy of every principal the emulators saw
(``GET /_emulator/policy``) is written to ``DIR/<principal>.json``;
policies of the same principal from several emulators (per-test ones,
xdist workers) are merged.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from ._aws import Credentials, EmulatorError
from .emulator import AUTH_MODES, S3_DEFAULTS, Emulator

_DEFAULTS = {"auth": "strict", "s3_defaults": "current"}
_COLLECTOR = pytest.StashKey["_PolicyCollector"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iam-emulator")
    group.addoption(
        "--iam-emulator-scope",
        choices=("session", "function"),
        default=None,
        help="one emulator for the session, reset before each test (default), or one per test",
    )
    group.addoption(
        "--iam-emulator-policies",
        metavar="DIR",
        default=None,
        help="write the least-privilege policy of each principal seen to DIR/<principal>.json",
    )
    parser.addini("iam_emulator_scope", "session (default) or function", default="session")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "iam_emulator(auth='strict', s3_defaults='current'): run the test on an emulator of its own "
        "with these settings",
    )
    directory = config.getoption("iam_emulator_policies")
    config.stash[_COLLECTOR] = _PolicyCollector(Path(directory) if directory else None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    collector = session.config.stash.get(_COLLECTOR, None)
    if collector is not None:
        collector.write()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    collector = config.stash.get(_COLLECTOR, None)
    if collector is not None and collector.written:
        terminalreporter.write_line(
            f"iam-emulator: least-privilege policies of {len(collector.written)} principal(s) "
            f"in {collector.directory}")


def _scope(config: pytest.Config) -> str:
    scope = config.getoption("iam_emulator_scope") or config.getini("iam_emulator_scope") or "session"
    if scope not in ("session", "function"):
        raise pytest.UsageError(f"iam_emulator_scope = {scope!r}: session or function")
    return scope


def _marker_settings(node: pytest.Item) -> Dict[str, str]:
    marker = node.get_closest_marker("iam_emulator")
    settings = dict(_DEFAULTS)
    if marker is None:
        return settings
    if marker.args:
        raise pytest.UsageError("@pytest.mark.iam_emulator takes keywords only: auth=..., s3_defaults=...")
    unknown = set(marker.kwargs) - set(_DEFAULTS)
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.iam_emulator: unknown setting(s) {sorted(unknown)}; "
                                "known: auth, s3_defaults")
    settings.update(marker.kwargs)
    if settings["auth"] not in AUTH_MODES:
        raise pytest.UsageError(f"@pytest.mark.iam_emulator(auth={settings['auth']!r}): one of {AUTH_MODES}")
    if settings["s3_defaults"] not in S3_DEFAULTS:
        raise pytest.UsageError(
            f"@pytest.mark.iam_emulator(s3_defaults={settings['s3_defaults']!r}): one of {S3_DEFAULTS}")
    return settings


@pytest.fixture(scope="session")
def _iam_emulator_session(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """The session's shared emulator (started on first use)."""
    with _running(Emulator(), request.config) as emu:
        yield emu


@contextlib.contextmanager
def _running(emu: Emulator, config: pytest.Config) -> Iterator[Emulator]:
    emu.start()
    try:
        yield emu
    finally:
        try:
            config.stash[_COLLECTOR].collect(emu)
        finally:
            emu.stop()


@pytest.fixture
def iam_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A running emulator: the session's, reset before the test, or one of
    the test's own (``--iam-emulator-scope=function``, or a marker)."""
    settings = _marker_settings(request.node)
    if _scope(request.config) == "function" or settings != _DEFAULTS:
        with _running(Emulator(**settings), request.config) as emu:
            yield emu
        return
    emu: Emulator = request.getfixturevalue("_iam_emulator_session")
    emu.reset()
    yield emu


@pytest.fixture
def aws_credentials(iam_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Credentials:
    """The emulator's endpoint, root keys and region in the environment
    (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
    ``AWS_REGION``, ``AWS_DEFAULT_REGION``; ``AWS_SESSION_TOKEN`` and
    ``AWS_PROFILE`` removed) for this test; the root credentials."""
    for name, value in iam_emulator.env().items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return iam_emulator.root


@pytest.fixture
def boto3_session(iam_emulator: Emulator, aws_credentials: Credentials) -> Any:
    """A ``boto3.Session`` as root; its clients reach the emulator."""
    return iam_emulator.session(aws_credentials)


class _PolicyCollector:
    """The least-privilege policies of the principals the emulators saw."""

    def __init__(self, directory: Optional[Path]) -> None:
        self.directory = directory
        self.policies: Dict[str, Dict[str, Any]] = {}
        self.written: List[Path] = []

    def collect(self, emu: Emulator) -> None:
        if self.directory is None or not emu.running:
            return
        try:
            seen = emu._admin("GET", "/_emulator/observations", query={"limit": 100000})["observations"]
        except EmulatorError:
            return
        for principal in sorted({o["principal"] for o in seen}):
            try:
                policy = emu.policy_for(principal)
            except EmulatorError:
                continue
            self.policies[principal] = _merge(self.policies.get(principal), policy)

    def write(self) -> None:
        if self.directory is None or not self.policies:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        with _locked(self.directory / ".iam-emulator.lock"):
            for principal, policy in sorted(self.policies.items()):
                path = self.directory / f"{_file_name(principal)}.json"
                if path.exists():
                    # Another xdist worker (or an earlier emulator) wrote it.
                    try:
                        policy = _merge(json.loads(path.read_text()), policy)
                    except ValueError:
                        pass
                temporary = path.with_suffix(".json.tmp")
                temporary.write_text(json.dumps(policy, indent=2) + "\n")
                os.replace(temporary, path)
                self.written.append(path)


def _merge(first: Optional[Dict[str, Any]], second: Dict[str, Any]) -> Dict[str, Any]:
    """One policy with the statements of both (each once; clashing Sids renamed)."""
    if first is None:
        return second
    merged = {**first, "Statement": list(first.get("Statement", []))}
    known = {json.dumps(s, sort_keys=True) for s in merged["Statement"]}
    sids = {s.get("Sid") for s in merged["Statement"]}
    for statement in second.get("Statement", []):
        text = json.dumps(statement, sort_keys=True)
        if text in known:
            continue
        statement = dict(statement)
        sid = statement.get("Sid")
        if sid in sids and sid is not None:
            n = 2
            while f"{sid}{n}" in sids:
                n += 1
            statement["Sid"] = f"{sid}{n}"
        merged["Statement"].append(statement)
        known.add(text)
        sids.add(statement.get("Sid"))
    return merged


def _file_name(principal: str) -> str:
    """``arn:aws:iam::123456789012:user/ci/deploy`` → ``123456789012-user-ci-deploy``."""
    parts = principal.split(":", 5)
    readable = f"{parts[4]}-{parts[5]}" if len(parts) == 6 and parts[4] else principal
    return re.sub(r"[^A-Za-z0-9._-]+", "-", readable).strip("-") or "principal"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (xdist workers write one folder)."""
    with open(path, "a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
