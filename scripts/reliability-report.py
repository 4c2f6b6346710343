#!/usr/bin/env python3
"""Prints the figures the reliability tests wrote to target/reliability/*.json
as the Markdown table docs/reliability.md shows (standard library only).

Regenerate: cargo nextest run --workspace (or cargo test) with the release
binary built, then `python3 scripts/reliability-report.py [TARGET_DIR]`.
"""
import json
import pathlib
import sys


def main(target):
    folder = pathlib.Path(target) / "reliability"
    files = sorted(folder.glob("*.json"))
    if not files:
        sys.exit(f"no figures in {folder}: run the tests first")
    print("| test | figures |")
    print("| --- | --- |")
    for path in files:
        figures = json.loads(path.read_text())
        shown = ", ".join(
            f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}"
            for k, v in figures.items()
            if not isinstance(v, list)
        )
        print(f"| `{path.stem}` | {shown} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target")
