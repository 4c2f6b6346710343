#!/usr/bin/env python3
"""Markdown tables from bench/compare.sh's results.jsonl (standard library only)."""
import json
import sys

# The targets: iam-emulator's throughput as a multiple of moto's.
TARGET_RATIO = {
    "sts-caller-identity": 100,
    "iam-getuser": 100,
    "s3-get-1k": 100,
    "s3-put-1k": 30,
}
ORDER = ["iam-emulator", "fakecloud", "moto", "moto-auth"]


def main(path):
    records = [json.loads(line) for line in open(path) if line.strip()]
    runs = [r for r in records if "kind" not in r]
    targets = [t for t in ORDER if any(r["target"] == t for r in runs)]
    targets += sorted({r["target"] for r in runs} - set(targets))
    by = {(r["target"], r["workload"]): r for r in runs}
    workloads = []
    for r in runs:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
    peers = [t for t in targets if t != "iam-emulator"]

    if runs:
        conc = runs[0]["concurrency"]
        print(f"Throughput (requests/s, higher is better), p50 / p99 latency in ms, {conc} connections\n")
        head = ["workload"] + targets + [f"× {p}" for p in peers] + ["target"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for w in workloads:
            row = [w]
            for t in targets:
                r = by.get((t, w))
                if r is None:
                    row.append("—")
                    continue
                cell = f"**{r['rps']:,.0f}** ({r['p50_ms']:.2f} / {r['p99_ms']:.2f})"
                if r["errors"]:
                    cell += f" ⚠ {r['errors']} errors"
                row.append(cell)
            emu = by.get(("iam-emulator", w))
            for p in peers:
                r = by.get((p, w))
                if emu and r and r["rps"] > 0 and not r["errors"]:
                    row.append(f"{emu['rps'] / r['rps']:,.1f}×")
                else:
                    row.append("—")
            goal = TARGET_RATIO.get(w)
            row.append(f"≥ {goal}× moto" if goal else "")
            print("| " + " | ".join(row) + " |")
        print()
        print("CPU during each run (% of one core; the machine has 2): client / server\n")
        head = ["workload"] + targets
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for w in workloads:
            row = [w]
            for t in targets:
                r = by.get((t, w))
                if r is None:
                    row.append("—")
                else:
                    server = r.get("server_cpu_pct")
                    server = "?" if server is None else f"{server:.0f}"
                    row.append(f"{r['client_cpu_pct']:.0f} / {server}")
            print("| " + " | ".join(row) + " |")
        print()

    wrk = [r for r in records if r.get("kind") == "wrk"]
    if wrk:
        print("Cross-check: wrk (1 thread) replaying a presigned GET vs iam-loadgen (header-signed)\n")
        print("| target | workload | wrk req/s (p50 / p99) | iam-loadgen req/s |")
        print("|---|---|---|---|")
        for r in wrk:
            mine = by.get((r["target"], r["workload"]))
            mine = f"{mine['rps']:,.0f}" if mine else "—"
            bad = f" ⚠ {r['non2xx']} non-2xx" if r.get("non2xx") else ""
            print(f"| {r['target']} | {r['workload']} | {r['rps']:,.0f} ({r['p50']} / {r['p99']}){bad} | {mine} |")
        print()

    starts = [r for r in records if r.get("kind") == "startup"]
    feet = {r["target"]: r for r in records if r.get("kind") == "footprint"}
    if starts or feet:
        print("Start-up (spawn → first successful signed request) and memory\n")
        print("| target | start-up median (min–max) ms | RSS after 1st request | idle RSS | RSS with 10 000 users + 10 000 objects |")
        print("|---|---|---|---|---|")
        names = [t for t in ORDER if any(r["target"] == t for r in starts) or t in feet]
        for t in names:
            s = next((r for r in starts if r["target"] == t), None)
            f = feet.get(t)
            mib = lambda k: f"{k / 1024:.1f} MiB" if k else "—"
            start = f"{s['median_ms']:.1f} ({s['min_ms']:.1f}–{s['max_ms']:.1f}), {s['runs']} runs" if s else "—"
            first = mib(s.get("rss_first_request_kib")) if s else "—"
            print(f"| {t} | {start} | {first} | {mib(f['idle_rss_kib']) if f else '—'} | {mib(f['loaded_rss_kib']) if f else '—'} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench/results.jsonl")
