#!/usr/bin/env python3
"""Draw a reproducible sample of findings from JSON reviews, for labelling by hand.

    scripts/sample-findings.py --rules RULE[,RULE...] [--per-rule N] [--seed S] NAME=REVIEW.json ...

NAME is how the workspace is cited (e.g. `ruff@fca5c7cf2cd2`); REVIEW.json is the output of
`cargo-architect --format json` on it. Prints a TSV on stdout: one row per drawn finding with
an empty `label` column (true / false / noise) and `why` column to fill in by hand. The draw is
seeded, and sorted before drawing, so the same reviews give the same sample. Keep the filled
file under docs/labels/ with the command that drew it; `--score FILE.tsv` prints precision per
rule from a labelled file.
"""
import argparse
import csv
import json
import random
import sys
from collections import defaultdict


def rows(named_reviews, rules):
    out = []
    for name, path in named_reviews:
        with open(path) as f:
            doc = json.load(f)
        for f in doc["findings"]:
            if f["rule"] not in rules:
                continue
            loc = f["locations"][0] if f["locations"] else None
            where = f"{loc['path']}:{loc['line']}" if loc else ""
            out.append((name, f["rule"], f["level"], f["message"], where))
    return sorted(out)


def draw(all_rows, per_rule, seed):
    by_rule = defaultdict(list)
    for r in all_rows:
        by_rule[r[1]].append(r)
    rng = random.Random(seed)
    picked = []
    for rule in sorted(by_rule):
        found = by_rule[rule]
        picked.extend(found if len(found) <= per_rule else rng.sample(found, per_rule))
    return sorted(picked)


def score(path):
    counts = defaultdict(lambda: defaultdict(int))
    with open(path) as f:
        for row in csv.DictReader((l for l in f if not l.startswith("#")), delimiter="\t"):
            counts[row["rule"]][row["label"]] += 1
    for rule in sorted(counts):
        c = counts[rule]
        n = sum(c.values())
        print(f"{rule}\t{n} labelled\ttrue {c['true']}\tfalse {c['false']}\tnoise {c['noise']}"
              f"\tprecision {c['true'] / n:.0%}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rules", help="comma-separated rule ids")
    p.add_argument("--per-rule", type=int, default=20)
    p.add_argument("--seed", type=int, default=9)
    p.add_argument("--score", metavar="LABELLED.tsv")
    p.add_argument("reviews", nargs="*", metavar="NAME=REVIEW.json")
    a = p.parse_args()
    if a.score:
        score(a.score)
        return
    named = [r.split("=", 1) for r in a.reviews]
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(["workspace", "rule", "level", "message", "location", "label", "why"])
    for r in draw(rows(named, set(a.rules.split(","))), a.per_rule, a.seed):
        w.writerow([*r, "", ""])


if __name__ == "__main__":
    main()
