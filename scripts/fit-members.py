#!/usr/bin/env python3
"""Fit the cost model's terms for workspace members on the training builds, and choose their
features by leaving one workspace out.

    scripts/fit-members.py [--release] NAME=CHECKOUT [NAME=CHECKOUT ...] [--held-out NAME=CHECKOUT ...]

Each NAME is a training build in docs/timings/training-NAME-<commit>/ (its `dev-j2.html.gz`,
with --release its `release-j2.html.gz`, and `Cargo.lock`); CHECKOUT is a clone of that workspace at that commit with that lockfile and
its dependencies fetched. The measured times are divided by the day's calibration factor
(DAY below, from docs/timings/README.md) so that they are the reference machine's, and the
tool runs uncalibrated (an empty cache directory).

`member` is fitted: a member library's (or proc-macro's) time over the estimate of a
dependency of its size, `ln ratio` on [1, share of its impl blocks that are generic, ln(1 +
crates it compiles against)], by least squares weighted by the measured time (the large
members decide the critical path), then shifted so that the predictions sum to the
measurements. It is fitted with every subset of the features (the intercept always in); the
subset with the smallest median error, over the training workspaces, of the members' summed
time predicted by a fit on the other workspaces is printed as `CostModel::DEV`'s (with
--release, `CostModel::RELEASE`'s). The builds given with --held-out are only predicted,
never fitted on, and shown apart.

With --link-only the link steps below are fitted on top of the members' term in the code
rather than the one just chosen (as `CostModel::RELEASE` is, whose members' term stays a
factor of 1: docs/build-time.md). With --release, `lto_link_s_per_mloc` is fitted the same way
on the binaries of the workspaces whose release profile sets `lto`.

`link_s_per_mloc` is fitted next, on the training builds' member binaries: a binary is
estimated as a member crate of its own module tree's size, plus this many seconds per
million lines of the libraries its code names and everything below them; least squares
through the origin of the measured time less the estimate of its own code.
"""

import gzip
import itertools
import json
import math
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT / "target" / "release" / "cargo-architect"
# Calibration factor of the machine the day each build was measured (docs/timings/README.md).
DAY = {
    "self": 0.764, "ripgrep": 0.764, "cargo": 0.764,
    "sqlx": 0.683, "bat": 0.683, "just": 0.683, "hickory-dns": 0.683, "nextest": 0.683,
    "tokio": 0.725, "tracing": 0.725, "axum": 0.725, "pingora": 0.725, "helix": 0.725,
    "clap": 0.725, "async-graphql": 0.725, "coreutils": 0.764,
    # Library families and an application measured in the session whose calibration was 0.637.
    **{k: 0.637 for k in ("memchr", "indexmap", "itertools", "chrono", "futures-rs", "crossbeam",
                          "rayon", "toml", "rust-url", "time", "zola")},
}
# The training builds (docs/timings/training-NAME-<commit>/); every other build is held out.
TRAINING = ("self", "ripgrep", "cargo", "sqlx", "bat", "just", "hickory-dns", "nextest",
            "memchr", "indexmap", "itertools", "chrono", "futures-rs", "crossbeam", "rayon",
            "toml", "rust-url", "time", "zola")
# The release builds: the training ones measured on a 0.683 day, the held-out ones on 0.764.
DAY_RELEASE = dict({k: 0.683 for k in ("self", "ripgrep", "cargo", "sqlx", "bat", "just",
                                       "hickory-dns", "nextest")},
                   tokio=0.764, tracing=0.764, axum=0.764, clap=0.764, helix=0.764)
MEMBER_FEATURES = ["generic impl share", "ln crates used"]
CURRENT = []  # the coefficients of the tool that ran, read from `--fit`
LINK = []  # its link_s_per_mloc


PROFILE = "release" if "--release" in sys.argv else "dev"


def report_of(name):
    prefix = "training-" if name in TRAINING else ""
    dirs = sorted(p for p in (ROOT / "docs" / "timings").iterdir()
                  if p.name.startswith(f"{prefix}{name}-") and p.name.count("-") ==
                  f"{prefix}{name}-".count("-"))
    if not dirs:
        sys.exit(f"no docs/timings/{prefix}{name}-<commit>/ directory")
    return dirs[0] / f"{PROFILE}-j2.html.gz"


def tool(checkout, cache, *args):
    env = dict(os.environ, CARGO_ARCHITECT_CACHE=cache, HELIX_DISABLE_AUTO_GRAMMAR_BUILD="1")
    out = subprocess.run([str(TOOL), "build-time", "--manifest-path",
                          str(pathlib.Path(checkout) / "Cargo.toml"), "--offline", "-q",
                          "-j", "2", *(["--release"] if PROFILE == "release" else []), *args],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"{checkout}: {out.stderr.strip()}")
    return out.stdout


def rows_of(name, checkout, tmp):
    html = pathlib.Path(tmp) / f"{name}.html"
    html.write_bytes(gzip.decompress(report_of(name).read_bytes()))
    cache = tempfile.mkdtemp(dir=tmp)
    est = json.loads(tool(checkout, cache, "--format", "json"))
    rep = json.loads(tool(checkout, cache, "--format", "json", "--timings", str(html)))
    fit = dict(line.split(" = ") for line in
               tool(checkout, cache, "--timings", str(html), "--fit").splitlines() if " = " in line)
    member_b = [float(fit[f"member[{k}]"]) for k in range(3)]
    CURRENT[:] = member_b
    lto = PROFILE == "release" and release_lto(checkout)
    LINK[:] = [float(fit.get("link_s_per_mloc", 0.0)), float(fit.get("lto_link_s_per_mloc", 0.0))]
    link_now = LINK[1] if lto and LINK[1] > 0 else LINK[0]
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--no-deps", "--offline", "--format-version", "1",
         "--manifest-path", str(pathlib.Path(checkout) / "Cargo.toml")],
        capture_output=True, text=True, check=True).stdout)
    members = {f"{p['name']} {p['version']}" for p in meta["packages"]}
    measured = {(u["unit"], u["features"]): u["duration_s"] for u in rep["unit_times"]}
    libs, bins = [], []
    for u in est["unit_times"]:
        label, size = u["unit"], u.get("size")
        pkg = label.split(" (")[0]
        m = measured.get((label, u["features"]))
        if pkg not in members or size is None or m is None or m <= 0:
            continue
        m /= (DAY_RELEASE if PROFILE == "release" else DAY)[name]
        crates = math.log1p(size.get("crates_used", 0))
        share = size["generic_impls"] / size["impls"] if size["impls"] else 0.0
        current = math.exp(member_b[0] + member_b[1] * share + member_b[2] * crates)
        linked = size.get("linked_lines", 0) / 1e6
        if label in (pkg, f"{pkg} (proc-macro)"):  # the library or proc-macro
            base = u["duration_s"] / current
            if base > 0:
                libs.append(dict(ws=name, unit=label, meas=m, base=base, x=[share, crates]))
        elif label.startswith(f"{pkg} (bin "):
            base = (u["duration_s"] - link_now * linked) / current
            bins.append(dict(ws=name, unit=label, meas=m, base=base, x=[share, crates],
                             linked=linked, lto=lto))
    return libs, bins


def release_lto(checkout):
    """Whether the workspace's `[profile.release]` sets `lto` on (true, "fat", "thin")."""
    doc = tomllib.loads((pathlib.Path(checkout) / "Cargo.toml").read_text())
    lto = doc.get("profile", {}).get("release", {}).get("lto", False)
    return lto is True or lto in ("fat", "thin")


def solve(rows, cols):
    """Weighted least squares of ln(meas / base) on the intercept and the columns `cols`."""
    n = len(cols) + 1
    a = [[0.0] * (n + 1) for _ in range(n)]
    for r in rows:
        x = [1.0] + [r["x"][c] for c in cols]
        y = math.log(r["meas"] / r["base"])
        w = r["meas"]
        for i in range(n):
            for j in range(n):
                a[i][j] += w * x[i] * x[j]
            a[i][n] += w * x[i] * y
    for i in range(n):  # a light ridge keeps a column that does not vary solvable
        a[i][i] += 1e-6
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[piv] = a[piv], a[col]
        for r in range(n):
            if r != col and a[col][col]:
                f = a[r][col] / a[col][col]
                a[r] = [v - f * p for v, p in zip(a[r], a[col])]
    b = [a[i][n] / a[i][i] for i in range(n)]
    # Unbiased sums: shift the intercept so that the predictions sum to the measurements.
    # (The mean exponentiated residual weighted by the measurements, used before, is not
    # that: it raised every member's estimate by about 15% on the training builds.)
    pred = sum(r["base"] * math.exp(predict_ln(b, cols, r)) for r in rows)
    b[0] += math.log(sum(r["meas"] for r in rows) / pred)
    return b


def predict_ln(b, cols, r):
    return b[0] + sum(bi * r["x"][c] for bi, c in zip(b[1:], cols))


def ratio(rows, b, cols):
    """Predicted over measured, summed over `rows`."""
    pred = sum(r["base"] * math.exp(predict_ln(b, cols, r)) for r in rows)
    return pred / sum(r["meas"] for r in rows)


def full(b, cols, width):
    """Coefficients over every feature, zeros where a feature is left out."""
    out = [b[0]] + [0.0] * width
    for bi, c in zip(b[1:], cols):
        out[1 + c] = bi
    return out


def choose(term, rows, held, names, current):
    print(f"\n{term}: {len(rows)} training units in {len({r['ws'] for r in rows})} workspaces")
    now = [abs(math.log(ratio([r for r in rows if r["ws"] == ws], current, [0, 1])))
           for ws in sorted({r["ws"] for r in rows})]
    print(f"  {'the current coefficients ' + str(current):40} median error {math.expm1(statistics.median(now)):6.1%}")
    best = None
    for k in range(len(names) + 1):
        for cols in itertools.combinations(range(len(names)), k):
            errs = []
            for ws in sorted({r["ws"] for r in rows}):
                rest = [r for r in rows if r["ws"] != ws]
                errs.append(abs(math.log(ratio([r for r in rows if r["ws"] == ws],
                                               solve(rest, cols), cols))))
            med = statistics.median(errs)
            label = " + ".join(names[c] for c in cols) or "intercept only"
            print(f"  {label:40} leave-one-workspace-out median error {math.expm1(med):6.1%}")
            if best is None or med < best[0]:
                best = (med, cols)
    cols = best[1]
    b = solve(rows, cols)
    print(f"  chosen: {[round(v, 4) for v in full(b, cols, len(names))]}")
    return full(b, cols, len(names))
    for ws in sorted({r["ws"] for r in rows} | {r["ws"] for r in held}):
        mine = [r for r in rows + held if r["ws"] == ws]
        tag = "held out" if ws in {r["ws"] for r in held} else "training"
        print(f"    {ws:14} {tag:9} {len(mine):3} units: predicted/measured {ratio(mine, b, cols):.2f}")


def fit_link(bins, member):
    """Seconds per million linked lines: least squares, through the origin, of a binary's
    measured time less the estimate of its own code."""
    own = [r["base"] * math.exp(predict_ln(member, [0, 1], r)) for r in bins]
    num = sum(r["linked"] * (r["meas"] - o) for r, o in zip(bins, own))
    den = sum(r["linked"] ** 2 for r in bins)
    return max(num / den, 0.0) if den else 0.0


def link_report(bins, held, member, name="link_s_per_mloc", current=None):
    print(f"\n{name}: {len(bins)} training binaries in {len({r['ws'] for r in bins})} workspaces")
    errs = {"without": [], "with": []}
    for ws in sorted({r["ws"] for r in bins}):
        rest = [r for r in bins if r["ws"] != ws]
        c = fit_link(rest, member)
        for r in (r for r in bins if r["ws"] == ws):
            own = r["base"] * math.exp(predict_ln(member, [0, 1], r))
            errs["without"].append(abs(own - r["meas"]) / r["meas"])
            errs["with"].append(abs(own + c * r["linked"] - r["meas"]) / r["meas"])
    for k, v in errs.items():
        print(f"  {k + ' the link term':24} leave-one-workspace-out median error {statistics.median(v):6.1%}")
    c = fit_link(bins, member)
    print(f"  current {current if current is not None else LINK[0]:.4f}, chosen: {name} = {c:.4f}")
    for ws in sorted({r["ws"] for r in bins} | {r["ws"] for r in held}):
        mine = [r for r in bins + held if r["ws"] == ws]
        tag = "held out" if ws in {r["ws"] for r in held} else "training"
        pred = sum(r["base"] * math.exp(predict_ln(member, [0, 1], r)) + c * r["linked"]
                   for r in mine)
        print(f"    {ws:14} {tag:9} {len(mine):3} binaries: predicted/measured "
              f"{pred / sum(r['meas'] for r in mine):.2f}")


def main():
    args = [a for a in sys.argv[1:] if a not in ("--release", "--link-only")]
    split = args.index("--held-out") if "--held-out" in args else len(args)
    train = [a.split("=", 1) for a in args[:split]]
    held = [a.split("=", 1) for a in args[split + 1:]]
    if not train:
        sys.exit(__doc__)
    tmp = tempfile.mkdtemp()
    try:
        train_rows = [rows_of(name, checkout, tmp) for name, checkout in train]
        held_rows = [rows_of(name, checkout, tmp) for name, checkout in held]
        libs = [r for lb in train_rows for r in lb[0]]
        held_libs = [r for lb in held_rows for r in lb[0]]
        member = choose("member", libs, held_libs, MEMBER_FEATURES, list(CURRENT))
        if "--link-only" in sys.argv:
            # The link steps on top of the members' term in the code, not the one just chosen
            # (`--release`: the release term stays a factor of 1, below).
            member = list(CURRENT)
        bins = [r for lb in train_rows for r in lb[1]]
        held_bins = [r for lb in held_rows for r in lb[1]]
        link_report([r for r in bins if not r["lto"]], [r for r in held_bins if not r["lto"]],
                    member)
        if PROFILE == "release":
            link_report([r for r in bins if r["lto"]], [r for r in held_bins if r["lto"]],
                        member, "lto_link_s_per_mloc", LINK[1])
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
