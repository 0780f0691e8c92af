#!/usr/bin/env python3
"""Draw the sample of a `cargo architect diff --format json` output to label by hand.

Every introduced, resolved and changed finding, every setting, the effective MSRV when it
moved, and up to ten package changes drawn with a fixed seed (the same JSON gives the same
sample). Prints TSV rows: workspace, range, kind, item, and two empty columns for the label
(true / false / noise) and why. Usage:

    cargo-architect diff --manifest-path WS/Cargo.toml BASE HEAD --format json -o d.json
    scripts/diff-sample.py NAME d.json >> docs/precision/labels/diff-NAME.tsv
"""
import json
import random
import sys


def rows(name, d):
    rng = f"{d['base']['label']} -> {d['head']['label']}"
    for kind in ("introduced", "resolved"):
        for f in d[kind]:
            yield name, rng, kind, f"{f['level']} {f['rule']}: {f['message']}"
    for c in d["changed"]:
        b, h = c["base"], c["head"]
        yield name, rng, "changed", f"{h['rule']}: {b['level']} {b['message']} => {h['level']} {h['message']}"
    for s in d["settings"]:
        yield name, rng, "setting", f"{s['what']}: {s.get('from')} => {s.get('to')}"
    b, h = d["base"]["msrv"], d["head"]["msrv"]
    if (b or {}).get("version") != (h or {}).get("version"):
        yield name, rng, "msrv", f"{b} => {h}"
    packages = sorted(d["packages"], key=lambda p: (p["name"], p.get("from") or "", p.get("to") or ""))
    for p in random.Random(14).sample(packages, min(10, len(packages))):
        yield name, rng, "package", (f"{p['name']} {p['change']} {p.get('from')} => {p.get('to')} "
                                     f"({p['source_kind']}; by {', '.join(p['pulled_in_by'])})")


def main():
    name, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        d = json.load(f)
    for row in rows(name, d):
        print("\t".join(row + ("", "")).replace("\n", " "))


if __name__ == "__main__":
    main()
