#!/usr/bin/env python3
"""Where a build-time estimate differs from a measured build, unit by unit.

    scripts/unit-errors.py ESTIMATE.json REPLAY.json MANIFEST [--top N]

ESTIMATE.json is `cargo architect build-time --format json` without a report, REPLAY.json the
same with `--timings <report>` (its unit times are the measured ones), MANIFEST the workspace's
Cargo.toml (its members are told apart with `cargo metadata --no-deps`). Prints the sums of
measured and estimated unit time by kind of unit (members' libraries and binaries, dependencies'
libraries, proc-macros, build-script runs that compile native code, other build-script steps)
and the units the estimate misses most, in seconds.
"""

import json
import subprocess
import sys
from collections import defaultdict


def units(path):
    r = json.load(open(path))
    return {(u["unit"], u["features"]): u for u in r["unit_times"]}, r


def members(manifest):
    out = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1", "--manifest-path", manifest],
        capture_output=True, text=True, check=True,
    ).stdout
    return {p["name"] for p in json.loads(out)["packages"]}


def kind(name, member_names):
    pkg = name.split(" ")[0]
    if "(build script run)" in name:
        return "build-script run"
    if "(build script)" in name:
        return "build-script compile"
    if pkg in member_names or name.endswith("(bin)") or " bin " in name:
        return "member lib/bin"
    return "dependency lib/proc-macro"


def main():
    est_path, rep_path, manifest = sys.argv[1:4]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 15
    est, est_r = units(est_path)
    rep, rep_r = units(rep_path)
    names = members(manifest)
    sums = defaultdict(lambda: [0.0, 0.0, 0])
    rows = []
    for key, m in rep.items():
        e = est.get(key)
        if e is None:
            continue
        k = kind(key[0], names)
        sums[k][0] += m["duration_s"]
        sums[k][1] += e["duration_s"]
        sums[k][2] += 1
        rows.append((m["duration_s"] - e["duration_s"], key[0], m["duration_s"], e["duration_s"], k))
    print(f"total: measured {rep_r['measured_total_s']} s, estimated {est_r['predicted_total_s']} s")
    print(f"{'kind':28} {'units':>5} {'measured':>9} {'estimated':>9} {'ratio':>6}")
    for k, (m, e, n) in sorted(sums.items()):
        print(f"{k:28} {n:5} {m:9.1f} {e:9.1f} {m / e if e else float('nan'):6.2f}")
    print(f"\nlargest misses (measured - estimated):")
    for d, name, m, e, k in sorted(rows, key=lambda r: -abs(r[0]))[:top]:
        print(f"{d:+8.1f}  {m:7.2f} {e:7.2f}  {name}  [{k}]")


if __name__ == "__main__":
    main()
