#!/usr/bin/env bash
# The source pass on real code no one here wrote: the dependency sources of the shared corpus
# (after `cargo fetch`), next to a plain read of the same tree. Needs hyperfine, GNU time and
# python3; run from the repository root after `cargo build --release`.
#
# 1. --deps over the corpus: the module trees of every dependency's library and build script.
# 2. A synthetic workspace of about three-quarters of a million lines: one member whose
#    `#[path]` modules are dependency crates, so that every rule runs on them as workspace code.
set -euo pipefail
root=$(pwd)
bin="$root/target/release/cargo-architect"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/../shared/corpus/real-deps" "$work/real-deps" && chmod -R u+w "$work/real-deps"
cargo fetch --locked --manifest-path "$work/real-deps/Cargo.toml" -q
cargo metadata --format-version 1 --all-features --locked --manifest-path "$work/real-deps/Cargo.toml" > "$work/meta.json"

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
meta = json.load(open(f"{work}/meta.json"))
deps = sorted((p for p in meta["packages"] if p["source"]), key=lambda p: p["name"])
os.makedirs(f"{work}/tree")
with open(f"{work}/files.txt", "w") as out:
    for p in deps:
        d = os.path.dirname(p["manifest_path"])
        for r, _, fs in os.walk(d):
            for f in fs:
                if f.endswith(".rs"):
                    out.write(os.path.join(r, f) + "\n")
# The synthetic workspace: library roots of dependencies as #[path] modules, enough for about
# 750k lines of code; and the same workspace with an empty lib.rs, for the fixed cost.
ws = f"{work}/synthetic"
os.makedirs(f"{ws}/src")
open(f"{ws}/Cargo.toml", "w").write('[package]\nname = "synthetic"\nversion = "0.1.0"\nedition = "2021"\n\n[workspace]\n')
size, mods = 0, []
for i, p in enumerate(deps):
    lib = next((t for t in p["targets"] if "lib" in t["kind"] or "rlib" in t["kind"] or "proc-macro" in t["kind"]), None)
    if lib is None:
        continue
    src = os.path.dirname(lib["src_path"])
    size += sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(src) for f in fs if f.endswith(".rs"))
    mods.append(f'#[path = "{lib["src_path"]}"]\npub mod m{i};\n')
    if size > 75_000_000:
        break
open(f"{ws}/src/lib.rs", "w").write("".join(mods))
empty = f"{work}/synthetic-empty"
os.makedirs(f"{empty}/src")
open(f"{empty}/Cargo.toml", "w").write(open(f"{ws}/Cargo.toml").read())
open(f"{empty}/src/lib.rs", "w").write("")
PY
bytes_all=$(xargs -d '\n' cat < "$work/files.txt" | wc -c)
echo "dependency sources: $(wc -l < "$work/files.txt") .rs files, $((bytes_all / 1000000)) MB"
(cd "$work/synthetic" && cargo generate-lockfile --offline -q)
(cd "$work/synthetic-empty" && cargo generate-lockfile --offline -q)

review() { "$bin" --metadata-path "$work/meta.json" --target all --format json "$@"; }
facts() { python3 -c "import json,sys; s=json.load(sys.stdin)['facts']['source']; print(s['files'], s['bytes'], sum(m['lines'] for m in s['lines_of_code']))"; }
read -r f0 b0 _ < <(review | facts)
read -r f1 b1 _ < <(review --deps | facts)
read -r fs bs ls < <("$bin" --offline --manifest-path "$work/synthetic/Cargo.toml" --format json | facts)
echo "module-tree files read with --deps: $((f1 - f0)), $(((b1 - b0) / 1000000)) MB"
echo "synthetic workspace: $fs files, $((bs / 1000000)) MB, $ls lines of code"
echo

hyperfine --warmup 2 --runs "${RUNS:-10}" --export-markdown "$work/h.md" -N \
  -n "plain read of every dependency .rs file (cat)" "xargs -d '\n' -a $work/files.txt cat" \
  -n "review without --deps" "$bin --metadata-path $work/meta.json --target all --format json" \
  -n "review with --deps" "$bin --metadata-path $work/meta.json --target all --format json --deps" \
  -n "review of the synthetic workspace" "$bin --offline --manifest-path $work/synthetic/Cargo.toml --format json" \
  -n "review of the same workspace, empty lib.rs" "$bin --offline --manifest-path $work/synthetic-empty/Cargo.toml --format json" >&2
cat "$work/h.md"
echo
peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
echo "| command | peak RSS (MiB) |"
echo "|---|---|"
echo "| review without --deps | $(( $(peak "$bin" --metadata-path "$work/meta.json" --target all --format json) / 1024 )) |"
echo "| review with --deps | $(( $(peak "$bin" --metadata-path "$work/meta.json" --target all --format json --deps) / 1024 )) |"
echo "| review of the synthetic workspace | $(( $(peak "$bin" --offline --manifest-path "$work/synthetic/Cargo.toml" --format json) / 1024 )) |"
echo
echo "bytes: deps_pass=$((b1 - b0)) all_dep_files=$bytes_all synthetic=$bs"
