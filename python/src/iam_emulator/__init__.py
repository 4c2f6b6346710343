"""iam-emulator for Python: the offline AWS IAM emulator's binary, started
and stopped for you, with assertions that say why a request is allowed or
denied, and a pytest plugin (fixtures ``iam_emulator``,
``aws_credentials``, ``boto3_session``).

::

    from iam_emulator import Emulator

    with Emulator() as emu:
        alice = emu.create_user("alice", policy={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
        emu.assert_allowed(alice, "s3:GetObject", "arn:aws:s3:::reports/q1.csv")
        emu.assert_denied(alice, "s3:PutObject", "arn:aws:s3:::reports/q1.csv",
                          reason="no identity-based policy allows")

Only the standard library is needed; boto3 is used by ``Emulator.session``
and ``Emulator.client`` when it is installed.
"""

from __future__ import annotations

from ._aws import Credentials, EmulatorError
from ._binary import BinaryNotFound, find_binary
from .emulator import DEFAULT_ACCOUNT, DEFAULT_ROOT, Emulator, EmulatorStartError

try:
    from importlib.metadata import PackageNotFoundError, version as _version

    __version__ = _version("iam-emulator")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "BinaryNotFound",
    "Credentials",
    "DEFAULT_ACCOUNT",
    "DEFAULT_ROOT",
    "Emulator",
    "EmulatorError",
    "EmulatorStartError",
    "find_binary",
]
