#!/usr/bin/env bash
# The whole review of a large real workspace, next to a bare `cargo metadata` and to
# `cargo deny check advisories bans sources` on the same checkout, database and index cache.
# Needs hyperfine and cargo-deny (`cargo install --locked cargo-deny`); run from the repository
# root after `cargo build --release`:
#
#   RUNS=5 scripts/bench-large.sh CHECKOUT
#
# CHECKOUT is a workspace of docs/precision/workspaces.tsv at its commit (deno: 947 packages
# built, about 570k lines of Rust). Its dependencies must be in the registry cache already
# (one `cargo metadata` there fetches them); everything here runs offline. Prints markdown for
# docs/benchmarks.md.
set -euo pipefail
root=$(pwd)
checkout=$(cd "$1" && pwd)
manifest="$checkout/Cargo.toml"
bin="$root/target/release/cargo-architect"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cargo-deny reads its database from db-path/<name derived from the URL>, as a git checkout.
db="$work/db/advisory-db-3157b0e258782691"
mkdir -p "$work/db" && cp -r "$root/../shared/advisory-db" "$db" && chmod -R u+w "$db"
git -C "$db" init -q && git -C "$db" add -A && git -C "$db" -c user.name=bench -c user.email=bench@localhost commit -qm snapshot
cat > "$work/deny.toml" <<TOML
[advisories]
db-path = "$work/db"
version = 2
[bans]
multiple-versions = "warn"
[sources]
unknown-git = "warn"
TOML

# Every command runs from an empty directory, as the review runs cargo.
cd "$work"
meta="cargo metadata --format-version 1 --all-features --offline --manifest-path $manifest"
deny="cargo deny --offline --manifest-path $manifest --config $work/deny.toml check advisories bans sources"
ours="$bin --offline --format json --advisory-db $db --manifest-path $manifest"
echo "$(basename "$checkout") at $(git -C "$checkout" rev-parse --short=10 HEAD): $($ours | python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["facts"]; print(f["packages"], "packages,", f.get("lines_of_rust_workspace", "?"), "lines of Rust in the workspace,", len(d["findings"]), "findings")')"
echo
hyperfine --warmup 1 --runs "${RUNS:-5}" -i --export-markdown "$work/h.md" \
  -n "cargo metadata --all-features" "$meta > /dev/null" \
  -n "cargo deny check advisories bans sources" "$deny 2> /dev/null" \
  -n "cargo architect (whole review, json)" "$ours > /dev/null" >&2
cat "$work/h.md"
