#!/usr/bin/env python3
"""Compare a review's build set with cargo's own: `cargo tree --workspace --target all -e
normal,build,dev` (cargo's feature resolver) against the review's JSON facts (package count,
build scripts, proc-macros; the review's duplicated crates, the shipped build's, must be
among cargo tree's), with `--target all` on both sides.

    scripts/compare-tree.py BINARY CHECKOUT [ADVISORY_DB]

Runs cargo from an empty directory with the trusted toolchain (`cargo +stable`), `--locked`
when the checkout has a lockfile, so that nothing in the checkout is rewritten. Packages that cargo tree
lists only as build-dependencies of packages without a build script are not compiled by cargo
and not expected (`never_compiled`). Packages are told apart by name, version and source (a member and the registry copy of the same version
are two packages, as cargo builds them). Prints the differences; exits 1 when there are any.
"""
import json
import os
import subprocess
import sys
import tempfile


def run(cmd, cwd):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:3])} failed: {out.stderr[-2000:]}")
    return out.stdout


def never_compiled(meta, built, key):
    """Packages `cargo tree -e build` lists that cargo never compiles: reached only as
    build-dependencies of packages without a build script (pest_meta's `build = false`), or
    only from such packages. cargo compiles build-dependencies for a build script; with none,
    they are an edge of the graph and no unit of the build."""
    by_id = {p["id"]: p for p in meta["packages"]}
    k = lambda p: key(p["name"], p["version"], p["source"] is None)
    has_script = {p["id"] for p in meta["packages"]
                  if any("custom-build" in t["kind"] for t in p["targets"])}
    dependents = {}
    for node in meta["resolve"]["nodes"]:
        for dep in node["deps"]:
            kinds = {d["kind"] for d in dep["dep_kinds"]}
            dependents.setdefault(dep["pkg"], []).append((node["id"], kinds))
    members = set(meta["workspace_members"])
    gone = set()
    changed = True
    while changed:
        changed = False
        for pid, edges in dependents.items():
            if pid in gone or k(by_id[pid]) not in built:
                continue
            live = [(src, kinds) for src, kinds in edges
                    if src not in gone and k(by_id[src]) in built
                    and not (kinds == {"build"} and src not in has_script)]
            if not live and pid not in members:
                gone.add(pid)
                changed = True
    return {k(by_id[pid]) for pid in gone}


def main():
    binary, checkout = sys.argv[1], os.path.abspath(sys.argv[2])
    db = sys.argv[3] if len(sys.argv) > 3 else None
    manifest = os.path.join(checkout, "Cargo.toml")
    locked = ["--locked"] if os.path.exists(os.path.join(checkout, "Cargo.lock")) else []
    with tempfile.TemporaryDirectory() as empty:
        tree = run(["cargo", "+stable", "tree", *locked, "--workspace", "--target", "all",
                    "-e", "normal,build,dev", "--prefix", "none", "--format", "{p}",
                    "--manifest-path", manifest], empty)
        meta = json.loads(run(["cargo", "+stable", "metadata", *locked, "--format-version", "1",
                               "--all-features", "--manifest-path", manifest], empty))
        review_cmd = [binary, "--manifest-path", manifest, "--target", "all", "--format", "json",
                      *locked]
        if db:
            review_cmd += ["--advisory-db", db]
        review = json.loads(run(review_cmd, empty))

    def key(name, version, local):
        return (name, version, "path" if local else "registry")

    built = set()
    for line in tree.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            # `name vX (/abs/path)` for a path package; `(proc-macro)`, `(*)` or nothing else.
            local = any(part.startswith("(/") for part in parts[2:])
            built.add(key(parts[0], parts[1].lstrip("v"), local))
    by_key = {key(p["name"], p["version"], p["source"] is None): p for p in meta["packages"]}
    built -= never_compiled(meta, built, key)
    packages = {k: by_key[k] for k in built if k in by_key}
    missing_meta = sorted(built - set(by_key))

    def kind(k):
        return {key(p["name"], p["version"], p["source"] is None)
                for p in packages.values()
                if any(k in t["kind"] for t in p["targets"])}

    names = {}
    for (name, _, _) in packages:
        names[name] = names.get(name, 0) + 1
    dups = {n for n, c in names.items() if c > 1}
    facts = review["facts"]

    def refs(field):
        return {(p["name"], p["version"]) for p in facts[field]}

    report = []
    if facts["packages"] != len(packages):
        report.append(f"packages: review {facts['packages']}, cargo tree {len(packages)}")
    for field, k in (("build_scripts", "custom-build"), ("proc_macros", "proc-macro")):
        ours, theirs = refs(field), {(n, v) for (n, v, _) in kind(k)}
        if ours != theirs:
            report.append(f"{field}: only in the review {sorted(ours - theirs)}; "
                          f"only in cargo tree {sorted(theirs - ours)}")
    # The review's duplicates are the shipped build's (no dev-dependency, no tooling member):
    # a subset of cargo tree's, never a crate cargo builds once.
    ours = {d["name"] for d in facts["duplicate_crates"]}
    if not ours <= dups:
        report.append(f"duplicated crates cargo tree builds once: {sorted(ours - dups)}")
    if missing_meta:
        report.append(f"in cargo tree, not in cargo metadata: {missing_meta[:10]}")
    name = os.path.basename(checkout)
    if report:
        print(f"{name}: differs from cargo tree")
        for r in report:
            print(f"  {r}")
        sys.exit(1)
    print(f"{name}: {len(packages)} packages, {len(kind('custom-build'))} build scripts, "
          f"{len(kind('proc-macro'))} proc-macros: as cargo tree; {len(ours)} of its "
          f"{len(dups)} duplicated crates are in the shipped build")


main()
