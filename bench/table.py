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
ORDER = ["iam-emulator", "iam-emulator-base", "fakecloud", "moto", "moto-auth"]


def main(path):
    records = [json.loads(line) for line in open(path) if line.strip()]
    runs = [r for r in records if "kind" not in r]
    targets = [t for t in ORDER if any(r["target"] == t for r in runs)]
    targets += sorted({r["target"] for r in runs} - set(targets))
    rounds = {}
    for r in runs:
        rounds.setdefault((r["target"], r["workload"]), []).append(r)
    # With ROUNDS > 1, each cell is the median round (by throughput).
    by = {key: median_round(rs) for key, rs in rounds.items()}
    most = max((len(rs) for rs in rounds.values()), default=1)
    workloads = []
    for r in runs:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
    peers = [t for t in targets if t != "iam-emulator"]

    if runs:
        conc = runs[0]["concurrency"]
        across = f", the median of {most} rounds (lowest–highest)" if most > 1 else ""
        print(f"Throughput (requests/s, higher is better), p50 / p99 latency in ms, {conc} connections{across}\n")
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
                spread = [x["rps"] for x in rounds[(t, w)]]
                if len(spread) > 1:
                    cell += f" [{min(spread):,.0f}–{max(spread):,.0f}]"
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
        def cpu_cell(r):
            server = r.get("server_cpu_pct")
            server = "?" if server is None else f"{server:.0f}"
            return f"{r['client_cpu_pct']:.0f} / {server}"

        def cpu_per_request(r):
            server = r.get("server_cpu_pct")
            return f"{server / 100 / r['rps'] * 1e6:,.1f}" if server and r["rps"] else "—"

        per_target_table("CPU during each run (% of one core; the machine has 2): client / server",
                         workloads, targets, by, cpu_cell)
        per_target_table("Server CPU per request (µs of CPU time, lower is better): what the server "
                         "spends, whatever the client's share of the machine",
                         workloads, targets, by, cpu_per_request)

    wrk_rounds = {}
    for r in records:
        if r.get("kind") == "wrk":
            wrk_rounds.setdefault((r["target"], r["workload"]), []).append(r)
    if wrk_rounds:
        print("Cross-check: wrk replaying a presigned GET vs iam-loadgen (header-signed); medians of the rounds\n")
        print("| target | workload | wrk req/s (p50 / p99) | iam-loadgen req/s | wrk × fakecloud |")
        print("|---|---|---|---|---|")
        for (t, w), rs in wrk_rounds.items():
            r = median_round(rs)
            mine = by.get((t, w))
            mine = f"{mine['rps']:,.0f}" if mine else "—"
            bad = f" ⚠ {r['non2xx']} non-2xx" if r.get("non2xx") else ""
            spread = f" [{min(x['rps'] for x in rs):,.0f}–{max(x['rps'] for x in rs):,.0f}]" if len(rs) > 1 else ""
            peer = wrk_rounds.get(("fakecloud", w))
            ratio = "—"
            if t == "iam-emulator" and peer:
                p = median_round(peer)
                if p["rps"] > 0 and not p.get("non2xx"):
                    ratio = f"{r['rps'] / p['rps']:,.2f}×"
            print(f"| {t} | {w} | {r['rps']:,.0f} ({r['p50']} / {r['p99']}){spread}{bad} | {mine} | {ratio} |")
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


def per_target_table(title, workloads, targets, by, cell):
    """A table with a row per workload and a column per target; `cell` renders one run."""
    print(title + "\n")
    head = ["workload"] + targets
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for w in workloads:
        row = [w] + [cell(by[(t, w)]) if (t, w) in by else "—" for t in targets]
        print("| " + " | ".join(row) + " |")
    print()


def median_round(records):
    """The round with the median throughput (the lower middle of an even count)."""
    ordered = sorted(records, key=lambda r: r["rps"])
    return ordered[(len(ordered) - 1) // 2]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench/results.jsonl")
