"""``python -m iam_emulator …``: runs the bundled binary with these
arguments, as the ``iam-emulator`` command (``serve``, ``explain``,
``validate``, ``who-can``, …)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import List, Optional

from ._binary import BinaryNotFound, find_binary


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        binary = str(find_binary())
    except BinaryNotFound as missing:
        print(f"python -m iam_emulator: {missing}", file=sys.stderr)
        return 2
    if os.name == "posix" and argv is None:
        # The binary takes this process's place: signals (Ctrl-C, SIGTERM)
        # and the exit status are its own.
        os.execv(binary, [binary, *args])
    return subprocess.call([binary, *args])


if __name__ == "__main__":
    sys.exit(main())
