"""``Emulator``: the bundled ``iam-emulator`` binary as a child process on
a free loopback port, and what a test asks of it.

Start and stop::

    with Emulator() as emu:
        s3 = emu.client("s3")                       # boto3, when installed
        alice = emu.create_user("alice", policy={...})
        emu.assert_denied(alice, "s3:DeleteObject", "arn:aws:s3:::b/k")

The process is started with ``--exit-with-stdin``: it holds the read end
of a pipe whose write end only this Python process has, so when this
process ends — normally, by an exception, Ctrl-C or ``kill -9`` — the
server shuts down too, and no orphan is left.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Sequence, Type, Union

from . import _aws
from ._aws import Credentials, EmulatorError
from ._binary import find_binary

#: The default account and its root key (as ``serve`` has them).
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ROOT = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

#: The line ``serve`` prints when it accepts connections.
READY_PREFIX = "iam-emulator listening on "

AUTH_MODES = ("strict", "soft", "off")
S3_DEFAULTS = ("current", "legacy")

#: Who a decision is asked for: credentials, an access key id, or a principal ARN.
Caller = Union[Credentials, str]
#: A policy: a dict, or its JSON text.
PolicyDocument = Union[Mapping[str, Any], str]


class EmulatorStartError(RuntimeError):
    """The binary did not print its ready line; the message has its stderr."""


class Emulator:
    """One ``iam-emulator serve`` process.

    :param state_dir: keep the state in this folder (``--state-dir``), so a
        later emulator on it loads it; ``None``: memory only.
    :param auth: ``strict`` (verify and enforce), ``soft`` (verify, log
        denials, serve anyway) or ``off`` (any key is the default root).
    :param s3_defaults: ``current`` (today's AWS defaults for new buckets)
        or ``legacy`` (passed as ``serve --s3-defaults legacy``).
    :param root_keys: more root keys, each ``"ACCOUNT:AKID:SECRET"`` or an
        ``(account, access_key_id, secret)`` triple; one for
        ``123456789012`` replaces the default root key.
    :param binary: the binary to run (default: :func:`find_binary`).
    :param extra_args: more ``serve`` flags.
    :param ready_timeout: seconds to wait for the ready line.
    """

    region = "us-east-1"

    def __init__(
        self,
        state_dir: Optional[Union[str, os.PathLike]] = None,
        auth: str = "strict",
        s3_defaults: str = "current",
        root_keys: Optional[Sequence[Union[str, Sequence[str]]]] = None,
        *,
        binary: Optional[Union[str, os.PathLike]] = None,
        extra_args: Sequence[str] = (),
        ready_timeout: float = 30.0,
    ) -> None:
        if auth not in AUTH_MODES:
            raise ValueError(f"auth={auth!r}: one of {', '.join(AUTH_MODES)}")
        if s3_defaults not in S3_DEFAULTS:
            raise ValueError(f"s3_defaults={s3_defaults!r}: one of {', '.join(S3_DEFAULTS)}")
        self.state_dir = None if state_dir is None else Path(state_dir)
        self.auth = auth
        self.s3_defaults = s3_defaults
        self.root_keys = [_root_key_text(k) for k in root_keys or ()]
        self._binary = None if binary is None else Path(binary)
        self._extra_args = list(extra_args)
        self._ready_timeout = ready_timeout
        self._process: Optional[subprocess.Popen] = None
        self._stderr: List[str] = []
        self._endpoint: Optional[str] = None

    # ---- the process ----

    @property
    def args(self) -> List[str]:
        """The ``serve`` arguments this emulator runs with (after the binary)."""
        args = ["serve", "--listen", "127.0.0.1:0", "--exit-with-stdin", "--auth", self.auth]
        if self.s3_defaults != "current":
            args += ["--s3-defaults", self.s3_defaults]
        if self.state_dir is not None:
            args += ["--state-dir", str(self.state_dir)]
        for key in self.root_keys:
            args += ["--root-key", key]
        return args + self._extra_args

    def start(self) -> "Emulator":
        """Starts the binary and waits until it answers; returns ``self``."""
        if self._process is not None:
            return self
        binary = self._binary or find_binary()
        env = {k: v for k, v in os.environ.items() if not k.startswith("IAM_EMULATOR_")}
        process = subprocess.Popen(
            [str(binary), *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            # Its own process group: a Ctrl-C meant for the test run reaches
            # this process, whose clean-up then stops the server in order.
            start_new_session=True,
        )
        self._process = process
        self._stderr = []
        threading.Thread(target=_collect, args=(process.stderr, self._stderr), daemon=True).start()
        lines: "queue.Queue[Optional[str]]" = queue.Queue()
        threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
        try:
            self._endpoint = self._wait_ready(lines)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, lines: "queue.Queue[Optional[str]]") -> str:
        """The endpoint of the ready line, once ``Ready.`` follows it."""
        deadline = time.monotonic() + self._ready_timeout
        endpoint = None
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                raise self._start_error(f"printed no ready line in {self._ready_timeout:g} s") from None
            if line is None:
                time.sleep(0.05)  # the last words on stderr
                status = self._process.wait(5) if self._process else None
                raise self._start_error(f"exited with status {status} before it was ready")
            line = line.strip()
            if endpoint is None and line.startswith(READY_PREFIX):
                endpoint = line[len(READY_PREFIX):].rstrip("/")
            elif endpoint is not None and line == "Ready.":
                return endpoint

    def _start_error(self, what: str) -> EmulatorStartError:
        return EmulatorStartError(
            f"iam-emulator {' '.join(self.args)} {what}; stderr:\n{''.join(self._stderr).strip()}")

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; the exit status."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        return process.returncode

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, kind: Optional[Type[BaseException]], error: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.stop()

    def __del__(self) -> None:
        process = getattr(self, "_process", None)
        if process is not None and process.poll() is None:
            process.kill()

    @property
    def pid(self) -> Optional[int]:
        """The server's process id while it runs."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stderr(self) -> str:
        """What the server wrote to stderr so far (soft-mode denials, warnings)."""
        return "".join(self._stderr)

    # ---- where it is ----

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._endpoint is None or self._process is None:
            raise RuntimeError("the emulator is not running: use `with Emulator() as emu:` or emu.start()")
        return self._endpoint

    @property
    def root(self) -> Credentials:
        """The root key of the default account ``123456789012``."""
        return self.root_of(DEFAULT_ACCOUNT) or DEFAULT_ROOT

    def root_of(self, account: str) -> Optional[Credentials]:
        """The root key of ``account``, if one was given."""
        for key in self.root_keys:
            owner, access_key, secret = key.split(":", 2)
            if owner == account:
                return Credentials(access_key, secret)
        return DEFAULT_ROOT if account == DEFAULT_ACCOUNT else None

    def env(self, credentials: Optional[Credentials] = None) -> Dict[str, str]:
        """The ``AWS_*`` variables a subprocess (the aws CLI, Terraform, an
        SDK) needs to use this emulator as ``credentials`` (default: root)::

            subprocess.run(["aws", "sts", "get-caller-identity"], env={**os.environ, **emu.env()})

        ``AWS_SESSION_TOKEN`` is set to the session's token, or to an empty
        string for long-term keys (so a stale token of the caller's
        environment is not sent with them).
        """
        creds = credentials or self.root
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": creds.access_key_id,
            "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
            "AWS_SESSION_TOKEN": creds.session_token or "",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
        }

    # ---- boto3 (optional) ----

    def session(self, credentials: Optional[Credentials] = None) -> Any:
        """A ``boto3.Session`` with ``credentials`` (default: root) and the
        region; its clients still need ``endpoint_url`` (or use :meth:`client`,
        or the ``AWS_ENDPOINT_URL`` that :meth:`env` and the
        ``aws_credentials`` fixture set)."""
        boto3 = _boto3()
        creds = credentials or self.root
        return boto3.Session(
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
            region_name=self.region,
        )

    def client(self, service: str, credentials: Optional[Credentials] = None, **kwargs: Any) -> Any:
        """A boto3 client of ``service`` pointed at this emulator (S3 path-style)."""
        if service == "s3" and "config" not in kwargs:
            from botocore.config import Config

            kwargs["config"] = Config(s3={"addressing_style": "path"})
        return self.session(credentials).client(service, endpoint_url=self.endpoint_url, **kwargs)

    # ---- admin ----

    def health(self) -> Dict[str, Any]:
        """``GET /_emulator/health``."""
        return self._admin("GET", "/_emulator/health")

    def reset(self) -> None:
        """Empties the state (root keys kept) and puts the clock back."""
        self._admin("POST", "/_emulator/reset")

    def advance_clock(self, seconds: int) -> Dict[str, Any]:
        """Moves the emulator's clock ``seconds`` forward: sessions and
        presigned URLs expire, ``aws:CurrentTime`` moves; the clock as
        ``{"offset_seconds", "now", "wall"}``."""
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise TypeError(f"seconds must be an int, not {type(seconds).__name__}")
        return self._admin("POST", "/_emulator/clock", {"advance_seconds": seconds})

    def decisions(self, limit: int = 50) -> List[Dict[str, Any]]:
        """The newest ``limit`` authorization decisions, newest first: each
        with ``decision``, ``principal``, ``action``, ``resource``,
        ``message``, ``requestId`` and the full ``trace``."""
        return self._admin("GET", "/_emulator/decisions", query={"limit": limit})["decisions"]

    def explain(self, request_id: str) -> str:
        """Why request ``request_id`` (boto3's ``ResponseMetadata.RequestId``)
        was allowed or denied, in the words ``iam-emulator explain`` prints."""
        reply = _aws.admin(self.endpoint_url, "GET", "/_emulator/decisions",
                           query={"requestId": request_id, "format": "text"})
        if reply.status != 200:
            raise _aws._admin_error(reply)
        return reply.text()

    def policy_for(self, principal_arn: str) -> Dict[str, Any]:
        """The least-privilege identity policy for what ``principal_arn`` was
        observed doing (``GET /_emulator/policy``), as a policy document."""
        return self._admin("GET", "/_emulator/policy", query={"principal": principal_arn})["policy"]

    def who_can(self, action: str, resource: str) -> List[Dict[str, Any]]:
        """Every principal allowed ``action`` on ``resource``: each with
        ``principal``, ``kind`` and the ``grantedBy`` statements."""
        return self._admin("GET", "/_emulator/who-can", query={"action": action, "resource": resource})["allowed"]

    def _admin(self, method: str, path: str, payload: Any = None, query: Optional[Mapping[str, Any]] = None) -> Any:
        return _aws.admin_json(self.endpoint_url, method, path, payload, query)

    # ---- entities ----

    def signer(self, credentials: Optional[Credentials] = None) -> _aws.Signer:
        """A SigV4 signer for raw calls as ``credentials`` (default: root)."""
        return _aws.Signer(self.endpoint_url, credentials or self.root, self.region)

    def create_user(self, name: str, policy: Optional[PolicyDocument] = None) -> Credentials:
        """Creates IAM user ``name`` (as root) with ``policy`` as its inline
        policy ``policy`` (when given) and an access key; the key."""
        iam = self.signer()
        iam.query("iam", "CreateUser", {"UserName": name})
        if policy is not None:
            iam.query("iam", "PutUserPolicy",
                      {"UserName": name, "PolicyName": "policy", "PolicyDocument": _policy_text(policy)})
        return _aws.credentials_of(iam.query("iam", "CreateAccessKey", {"UserName": name}))

    def assume_role(self, role_arn: str, credentials: Credentials, session_name: str = "test",
                    policy: Optional[PolicyDocument] = None, duration_seconds: Optional[int] = None) -> Credentials:
        """``sts:AssumeRole`` as ``credentials``; the session's credentials."""
        params = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if policy is not None:
            params["Policy"] = _policy_text(policy)
        if duration_seconds is not None:
            params["DurationSeconds"] = str(duration_seconds)
        return _aws.credentials_of(self.signer(credentials).query("sts", "AssumeRole", params))

    def create_bucket(self, bucket: str, credentials: Optional[Credentials] = None) -> None:
        """Creates ``bucket`` (as root by default)."""
        self.signer(credentials).s3("PUT", f"/{bucket}")

    def put_bucket_policy(self, bucket: str, policy: PolicyDocument) -> None:
        """Sets ``bucket``'s policy (as root)."""
        self.signer().s3("PUT", f"/{bucket}", [("policy", "")], _policy_text(policy).encode())

    # ---- assertions ----

    def decide(self, credentials: Caller, action: str, resource: str,
               context: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """The evaluator's decision for ``credentials`` (or an access key id,
        or a principal ARN) doing ``action`` on ``resource`` over the current
        state (``POST /_emulator/decide``): what ``explain --json`` prints."""
        return self._admin("POST", "/_emulator/decide", _decide_body(credentials, action, resource, context))

    def assert_allowed(self, credentials: Caller, action: str, resource: str,
                       context: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Fails with the decision trace unless the request would be allowed."""
        decision, refused = self._decision(credentials, action, resource, context)
        if refused is not None:
            raise AssertionError(
                f"expected {_who(credentials)} to be allowed {action} on {resource}, but its credentials "
                f"are refused: {refused.code}: {refused.message}")
        if decision["decision"] != "allowed":
            raise AssertionError(
                f"expected {decision['principal']} to be allowed {action} on {resource}, but the emulator "
                f"decided {decision['decision']}\n"
                + self._trace(credentials, action, resource, context))
        return decision

    def assert_denied(self, credentials: Caller, action: str, resource: str,
                      context: Optional[Mapping[str, Any]] = None, reason: Optional[str] = None) -> Dict[str, Any]:
        """Fails with the decision trace unless the request would be denied;
        with ``reason``, also unless the denial says it (a substring of the
        message or the summary, e.g. ``"explicit deny in an identity-based
        policy"``). Credentials a request could not use at all (expired,
        unknown) count as denied, their error as the reason."""
        decision, refused = self._decision(credentials, action, resource, context)
        if refused is not None:
            said = f"{refused.code}: {refused.message}"
            if reason is not None and reason not in said:
                raise AssertionError(
                    f"expected {_who(credentials)} to be denied {action} on {resource} because {reason!r}, "
                    f"but its credentials are refused: {said}")
            return {"decision": "refused", "code": refused.code, "message": refused.message}
        if decision["decision"] == "allowed":
            raise AssertionError(
                f"expected {decision['principal']} to be denied {action} on {resource}, but the emulator "
                f"allowed it\n" + self._trace(credentials, action, resource, context))
        said = " ".join(str(decision.get(k) or "") for k in ("message", "summary"))
        if reason is not None and reason not in said:
            raise AssertionError(
                f"expected {decision['principal']} to be denied {action} on {resource} because {reason!r}, "
                f"but the denial says: {decision.get('message')}\n"
                + self._trace(credentials, action, resource, context))
        return decision

    def _decision(self, credentials: Caller, action: str, resource: str,
                  context: Optional[Mapping[str, Any]]) -> "tuple[Dict[str, Any], Optional[EmulatorError]]":
        try:
            return self.decide(credentials, action, resource, context), None
        except EmulatorError as error:
            if error.status == 403 and error.code in ("InvalidClientTokenId", "ExpiredToken"):
                return {}, error
            raise

    def _trace(self, credentials: Caller, action: str, resource: str,
               context: Optional[Mapping[str, Any]]) -> str:
        body = dict(_decide_body(credentials, action, resource, context), format="text")
        return _aws.admin(self.endpoint_url, "POST", "/_emulator/decide", body).text()

    def __repr__(self) -> str:
        where = self._endpoint if self.running else "stopped"
        return f"<Emulator {where} auth={self.auth}>"


def _decide_body(credentials: Caller, action: str, resource: str,
                 context: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    body: Dict[str, Any] = {"action": action, "resource": resource}
    if isinstance(credentials, Credentials):
        body["accessKeyId"] = credentials.access_key_id
    elif credentials.startswith("arn:") or credentials == "anonymous":
        body["principal"] = credentials
    else:
        body["accessKeyId"] = credentials
    if context:
        body["context"] = dict(context)
    return body


def _who(credentials: Caller) -> str:
    return credentials.access_key_id if isinstance(credentials, Credentials) else credentials


def _policy_text(policy: PolicyDocument) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


def _root_key_text(key: Union[str, Sequence[str]]) -> str:
    if isinstance(key, str):
        parts = key.split(":", 2)
    else:
        parts = [str(p) for p in key]
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"root key {key!r}: expected 'ACCOUNT:ACCESS_KEY_ID:SECRET' or a triple")
    return ":".join(parts)


def _boto3() -> Any:
    try:
        import boto3
    except ImportError as missing:  # pragma: no cover - depends on the environment
        raise ImportError("Emulator.session() and .client() need boto3: pip install boto3") from missing
    return boto3


def _collect(pipe: Any, into: List[str]) -> None:
    for chunk in iter(lambda: pipe.readline(), b""):
        into.append(chunk.decode("utf-8", "replace"))


def _read_lines(pipe: Any, into: "queue.Queue[Optional[str]]") -> None:
    """Hands on stdout's lines, then ``None`` at its end (and keeps
    draining it, so the server never blocks on a full pipe)."""
    for line in iter(lambda: pipe.readline(), b""):
        into.put(line.decode("utf-8", "replace"))
    into.put(None)
