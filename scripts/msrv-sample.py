#!/usr/bin/env python3
"""Draws the claims of the MSRV governance findings for hand labelling.

    python3 scripts/msrv-sample.py NAME=review.json [NAME=review.json ...] > rows.tsv

Each `msrv/pressure`, `msrv/policy`, `msrv/toolchain-vulnerability` and
`msrv/promised-toolchain-vulnerability` finding of each review (`--format json`) gives one
row for its message and one per note: every claim a reader acts on. The label and why columns
are left empty for the labeller (true: the index cache, the manifests or the advisory say so;
false: they do not; noise: true but not worth reading). Rows are in review order, so a re-run
on the same reviews draws the same rows.
"""
import json
import sys

RULES = (
    "msrv/pressure",
    "msrv/policy",
    "msrv/toolchain-vulnerability",
    "msrv/promised-toolchain-vulnerability",
)

print("workspace\trule\tclaim\tlabel\twhy")
for arg in sys.argv[1:]:
    name, path = arg.split("=", 1)
    with open(path) as f:
        doc = json.load(f)
    for finding in doc["findings"]:
        if finding["rule"] not in RULES:
            continue
        for claim in [finding["message"], *finding["notes"]]:
            print(f"{name}\t{finding['rule']}\t{claim}\t\t")
