#!/usr/bin/env python3
"""Draw reproducible samples of findings from JSON reviews, and score labelled samples.

Draw (prints a TSV to label by hand):

    docs/precision/sample.py draw [--rules RULE,...] [--per-rule N] [--seed S] \
        [--labels OLD.tsv ...] NAME=REVIEW.json ...

NAME is how the workspace is cited (`ruff@fca5c7cf2c`); REVIEW.json is the output of
`cargo-architect --format json` on it (docs/precision/review-all.sh makes them). For each rule,
up to N findings are drawn over all workspaces together, seeded and from a sorted list, so the
same reviews give the same sample. Each row has empty `label` (true / false / noise / scope)
and `why` columns; `--labels` carries over the label of a row already labelled in an earlier
file (same workspace, rule, message and location), so a redraw after a change only asks for
the findings that changed.

Labels: `true` - right, and an experienced architect would sign it; `false` - wrong;
`noise` - right but not worth reading; `scope` - in code the review no longer reads as shipped
(kept for the record, not counted).

Top risks (prints every review's ranked top risks, to label line by line):

    docs/precision/sample.py top [--labels OLD.tsv ...] NAME=REVIEW.json ...
    docs/precision/sample.py score-top LABELLED.tsv ...

Each row is one top risk in rank order, with its score and the count of the rule's other
findings. `label` is as for findings (true / false / noise); `order` says whether its rank is
one an architect would defend: `ok`, `high` (should rank lower) or `low` (should rank
higher). `score-top` prints, per workspace, how many were true and how many ranks were ok.

Score (prints the table of docs/precision.md):

    docs/precision/sample.py score LABELLED.tsv ... --reviews NAME=REVIEW.json ...

For each rule and level: the findings per workspace (from the reviews), how many were
labelled, and precision = true / (true + false + noise).
"""
import argparse
import csv
import json
import random
import sys
from collections import defaultdict

COLUMNS = ["workspace", "rule", "level", "message", "location", "label", "why"]


def load(named_reviews):
    """(workspace, rule, level, message, location) of every finding, sorted."""
    out = []
    for name, path in named_reviews:
        with open(path) as f:
            doc = json.load(f)
        for f in doc["findings"]:
            loc = f["locations"][0] if f["locations"] else None
            where = f"{loc['path']}:{loc['line']}" if loc else ""
            out.append((name, f["rule"], f["level"], f["message"], where))
    return sorted(out)


def read_labels(paths):
    """Labelled rows. A file without a header row is read in the COLUMNS order; a `path:line`
    column is the location."""
    rows = []
    for path in paths:
        with open(path) as f:
            lines = [l for l in f if not l.startswith("#") and l.strip()]
        has_header = bool(lines) and lines[0].startswith("workspace\t")
        reader = csv.DictReader(lines, fieldnames=None if has_header else COLUMNS, delimiter="\t")
        for row in reader:
            if "path:line" in row:
                row["location"] = row.pop("path:line")
            rows.append(row)
    return rows


def key(row):
    # A workspace is cited as NAME@COMMIT; labels made with the bare NAME carry over too.
    return (row["workspace"].split("@")[0], row["rule"], row["message"], row["location"])


def draw(args):
    named = [r.split("=", 1) for r in args.reviews]
    wanted = set(args.rules.split(",")) if args.rules else None
    by_rule = defaultdict(list)
    for r in load(named):
        if wanted is None or r[1] in wanted:
            by_rule[r[1]].append(r)
    known = {key(r): r for r in read_labels(args.labels)}
    rng = random.Random(args.seed)
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(COLUMNS)
    for rule in sorted(by_rule):
        found = by_rule[rule]
        picked = found if len(found) <= args.per_rule else rng.sample(found, args.per_rule)
        for r in sorted(picked):
            old = known.get((r[0].split("@")[0], r[1], r[3], r[4]), {})
            w.writerow([*r, old.get("label", ""), old.get("why", "")])


def score(args):
    named = [r.split("=", 1) for r in args.reviews]
    workspaces = [n for n, _ in named]
    counts = defaultdict(lambda: defaultdict(int))
    for ws, rule, level, _, _ in load(named):
        counts[(rule, level)][ws] += 1
    labels = defaultdict(lambda: defaultdict(int))
    for row in read_labels(args.labelled):
        labels[(row["rule"], row["level"])][row["label"]] += 1
    print("| rule | level | " + " | ".join(workspaces) + " | sampled | true | false | noise | precision |")
    print("|---|---|" + "---|" * len(workspaces) + "---|---|---|---|---|")
    for rule, level in sorted(set(counts) | set(labels)):
        per_ws = [str(counts[(rule, level)].get(ws, 0)) for ws in workspaces]
        c = labels[(rule, level)]
        judged = c["true"] + c["false"] + c["noise"]
        precision = f"{c['true'] / judged:.0%}" if judged else "-"
        sampled = judged + c["scope"]
        print(f"| `{rule}` | {level} | " + " | ".join(per_ws)
              + f" | {sampled} | {c['true']} | {c['false']} | {c['noise']} | {precision} |")


TOP_COLUMNS = ["workspace", "rank", "rule", "level", "score", "others", "message", "location",
               "label", "order", "why"]


def top(args):
    known = {}
    for path in args.labels:
        with open(path) as f:
            lines = [l for l in f if not l.startswith("#") and l.strip()]
        for row in csv.DictReader(lines, delimiter="\t"):
            known[(row["workspace"].split("@")[0], row["rule"], row["message"])] = row
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(TOP_COLUMNS)
    for name, path in (r.split("=", 1) for r in args.reviews):
        with open(path) as f:
            doc = json.load(f)
        for rank, index in enumerate(doc["top_risks"], 1):
            f = doc["findings"][index]
            loc = f["locations"][0] if f["locations"] else None
            where = f"{loc['path']}:{loc['line']}" if loc else ""
            others = sum(1 for g in doc["findings"] if g["rule"] == f["rule"]) - 1
            old = known.get((name.split("@")[0], f["rule"], f["message"]), {})
            w.writerow([name, rank, f["rule"], f["level"], f"{f['impact']['score']:.1f}", others,
                        f["message"], where, old.get("label", ""), old.get("order", ""),
                        old.get("why", "")])


def score_top(args):
    per = defaultdict(lambda: defaultdict(int))
    for path in args.labelled:
        with open(path) as f:
            lines = [l for l in f if not l.startswith("#") and l.strip()]
        for row in csv.DictReader(lines, delimiter="\t"):
            c = per[row["workspace"]]
            c["risks"] += 1
            c[row["label"]] += 1
            c["order " + row["order"]] += 1
    print("| workspace | top risks | true | false | noise | rank ok | should be lower | should be higher |")
    print("|---|---|---|---|---|---|---|---|")
    total = defaultdict(int)
    for ws in sorted(per):
        c = per[ws]
        for k, v in c.items():
            total[k] += v
        print(f"| {ws} | {c['risks']} | {c['true']} | {c['false']} | {c['noise']} | "
              f"{c['order ok']} | {c['order high']} | {c['order low']} |")
    judged = total["true"] + total["false"] + total["noise"]
    print(f"| **all** | {total['risks']} | {total['true']} | {total['false']} | {total['noise']} | "
          f"{total['order ok']} | {total['order high']} | {total['order low']} |")
    if judged:
        print(f"\nprecision {total['true'] / judged:.0%}, ranks defended "
              f"{total['order ok'] / total['risks']:.0%}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--rules", help="comma-separated rule ids (default: every rule)")
    d.add_argument("--per-rule", type=int, default=20)
    d.add_argument("--seed", type=int, default=10)
    d.add_argument("--labels", action="append", default=[], metavar="OLD.tsv")
    d.add_argument("reviews", nargs="+", metavar="NAME=REVIEW.json")
    s = sub.add_parser("score")
    s.add_argument("labelled", nargs="+", metavar="LABELLED.tsv")
    s.add_argument("--reviews", nargs="+", required=True, metavar="NAME=REVIEW.json")
    t = sub.add_parser("top")
    t.add_argument("--labels", action="append", default=[], metavar="OLD.tsv")
    t.add_argument("reviews", nargs="+", metavar="NAME=REVIEW.json")
    st = sub.add_parser("score-top")
    st.add_argument("labelled", nargs="+", metavar="LABELLED.tsv")
    a = p.parse_args()
    {"draw": draw, "score": score, "top": top, "score-top": score_top}[a.command](a)


if __name__ == "__main__":
    main()
