#!/usr/bin/env python3
"""Whole reviews by two builds of cargo-architect, interleaved, next to `cargo metadata` alone.

    scripts/bench-compare.py BEFORE_BIN AFTER_BIN MANIFEST [RUNS] [-- EXTRA ARGS]

Runs `cargo metadata`, BEFORE and AFTER one after the other, RUNS times (default 12), so that
the drift of a noisy machine hits all three alike, and prints medians, minimums, the median of
the per-round AFTER/BEFORE ratios, and each review over `cargo metadata`. Reviews run with
`--offline --format json` plus EXTRA ARGS; their exit code (1 on deny findings) is ignored.
"""
import statistics
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    before, after, manifest = args[:3]
    runs = int(args[3]) if len(args) > 3 else 12
    review = ["--offline", "--format", "json", "--manifest-path", manifest, *extra]
    cmds = {
        "cargo metadata": ["cargo", "metadata", "--format-version", "1", "--all-features",
                           "--offline", "--manifest-path", manifest],
        "before": [before, *review],
        "after": [after, *review],
    }
    times = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    meta = statistics.median(times["cargo metadata"])
    print("| command | median [s] | min [s] | over cargo metadata |")
    print("|---|---|---|---|")
    for name, t in times.items():
        m = statistics.median(t)
        print(f"| {name} | {m:.3f} | {min(t):.3f} | {m / meta:.2f} |")
    ratio = statistics.median(a / b for a, b in zip(times["after"], times["before"]))
    print(f"\nmedian of the per-round after/before ratios: {ratio:.3f} ({runs} rounds)")


if __name__ == "__main__":
    main()
