#!/usr/bin/env bash
# `cargo architect diff` next to one review of the head side and a bare `cargo metadata`, in
# one hyperfine run. Needs hyperfine; run from the repository root after `cargo build --release`:
#
#   RUNS=5 scripts/bench-diff.sh CHECKOUT BASE HEAD
#
# CHECKOUT is a git checkout whose working tree is at HEAD (the review reads it); the diff
# writes both revisions from the repository's objects, as on a pull request. Dependencies of
# both revisions must be in the registry cache (run the diff once without --offline). Prints
# markdown for docs/benchmarks.md.
set -euo pipefail
root=$(pwd)
checkout=$(cd "$1" && pwd)
base=$2
head=$3
manifest="$checkout/Cargo.toml"
bin="$root/target/release/cargo-architect"
db="$root/../shared/advisory-db"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
meta="cargo metadata --format-version 1 --all-features --offline --manifest-path $manifest"
review="$bin --offline --format json --advisory-db $db --manifest-path $manifest -o $work/review.json"
diff="$bin diff $base $head --offline --format json --advisory-db $db --manifest-path $manifest -o $work/diff.json"
$diff || true
echo "$(basename "$checkout") $base -> $head: $(python3 -c 'import json; d=json.load(open("diff.json")); print(d["head"]["facts"]["packages"], "packages on the head side;", d["verdict"])')"
echo
hyperfine --style basic --warmup 1 --runs "${RUNS:-5}" -i --export-markdown "$work/table.md" \
  -n "cargo metadata (head)" "$meta" \
  -n "review (head)" "$review" \
  -n "diff $base $head" "$diff" > /dev/null
cat "$work/table.md"
