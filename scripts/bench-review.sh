#!/usr/bin/env bash
# Time and peak memory of a review of the shared corpus, next to `cargo metadata` alone on the
# same input (the floor: a review runs it once). Needs hyperfine and GNU time; run from the
# repository root after `cargo build --release`. Prints markdown for docs/benchmarks.md.
set -euo pipefail
root=$(pwd)
corpus="$root/../shared/corpus/real-deps"
bin="$root/target/release/cargo-architect"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/real-deps" && chmod -R u+w "$work/real-deps"
manifest="$work/real-deps/Cargo.toml"
# Warm the registry cache so that neither side downloads.
cargo metadata --format-version 1 --all-features --locked --manifest-path "$manifest" > "$work/meta.json"

hyperfine --warmup 2 --runs "${RUNS:-10}" --export-markdown "$work/h.md" \
  -n "cargo metadata --all-features" "cargo metadata --format-version 1 --all-features --locked --offline --manifest-path $manifest > /dev/null" \
  -n "cargo architect --target all --format json" "$bin --locked --offline --target all --format json --manifest-path $manifest > /dev/null" \
  -n "cargo architect (human, host)" "$bin --locked --offline --manifest-path $manifest > /dev/null" \
  -n "cargo architect --metadata-path (no cargo child)" "$bin --metadata-path $work/meta.json --target all --format json > /dev/null" >&2
cat "$work/h.md"
echo
peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
echo "| command | peak RSS (MiB) |"
echo "|---|---|"
m=$(peak cargo metadata --format-version 1 --all-features --locked --offline --manifest-path "$manifest")
echo "| cargo metadata --all-features | $((m / 1024)) |"
a=$(peak "$bin" --locked --offline --target all --format json --manifest-path "$manifest")
echo "| cargo architect --target all --format json (GNU time: the larger of it and its cargo metadata child) | $((a / 1024)) |"
r=$(peak "$bin" --metadata-path "$work/meta.json" --target all --format json)
echo "| cargo architect --metadata-path (its own process: graph, simulation, rules, render) | $((r / 1024)) |"
