"""Time from ``Emulator()`` to the first answer: start the bundled binary,
wait for its ready line, answer one boto3 call (STS GetCallerIdentity).
Prints the median, min and max of N runs (default 30) in milliseconds.

    python bench/python/startup.py [N]      # in a venv with the package and boto3
"""

import statistics
import sys
import time

from iam_emulator import Emulator


def once() -> tuple:
    started = time.perf_counter()
    emu = Emulator().start()
    ready = time.perf_counter()
    try:
        emu.client("sts").get_caller_identity()
        answered = time.perf_counter()
    finally:
        emu.stop()
    return (ready - started) * 1000, (answered - started) * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    once()  # warm the page cache and boto3's imports
    ready, answered = zip(*(once() for _ in range(runs)))
    for name, values in (("Emulator() to ready", ready), ("Emulator() to first boto3 answer", answered)):
        print(f"{name}: median {statistics.median(values):.1f} ms "
              f"(min {min(values):.1f}, max {max(values):.1f}, {runs} runs)")


if __name__ == "__main__":
    main()
