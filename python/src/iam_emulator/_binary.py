"""Where the ``iam-emulator`` binary is.

The wheel puts the release binary in the environment's scripts folder
(``bin/`` of a virtual environment), so it is on ``PATH`` there.
``IAM_EMULATOR_BIN`` names another one (a binary built by hand with
``cargo build --release -p iam-emulator``).
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

_NAME = "iam-emulator.exe" if sys.platform == "win32" else "iam-emulator"


class BinaryNotFound(FileNotFoundError):
    """No ``iam-emulator`` binary: the package was not installed with it."""


def find_binary() -> Path:
    """The binary to run: ``$IAM_EMULATOR_BIN``, else the one installed
    beside this interpreter, else the first on ``PATH``."""
    named = os.environ.get("IAM_EMULATOR_BIN")
    if named:
        path = Path(named)
        if not path.is_file():
            raise BinaryNotFound(f"IAM_EMULATOR_BIN={named}: no such file")
        return path
    for scheme_dir in _script_dirs():
        candidate = scheme_dir / _NAME
        if candidate.is_file():
            return candidate
    on_path = shutil.which(_NAME)
    if on_path:
        return Path(on_path)
    raise BinaryNotFound(
        "no iam-emulator binary: install the package (pip install iam-emulator, or pip install "
        "python/ from a checkout, which builds it with cargo), or set IAM_EMULATOR_BIN"
    )


def _script_dirs() -> list[Path]:
    """The scripts folders of this interpreter's environment (and of a user install)."""
    dirs = [Path(sysconfig.get_path("scripts"))]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        dirs.append(Path(sysconfig.get_path("scripts", user_scheme)))
    dirs.append(Path(sys.executable).parent)
    return dirs
