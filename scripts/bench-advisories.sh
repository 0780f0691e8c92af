#!/usr/bin/env bash
# The advisory and yanked checks on the shared corpus, next to `cargo deny check advisories`
# on the same database and lockfile. Needs hyperfine, GNU time and cargo-deny
# (`cargo install --locked cargo-deny`); run from the repository root after
# `cargo build --release`. Prints markdown for docs/benchmarks.md.
set -euo pipefail
root=$(pwd)
shared="$root/../shared"
bin="$root/target/release/cargo-architect"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$shared/corpus/real-deps" "$work/real-deps" && chmod -R u+w "$work/real-deps"
manifest="$work/real-deps/Cargo.toml"

# cargo-deny reads its database from db-path/<name derived from the URL>, as a git checkout.
db="$work/db/advisory-db-3157b0e258782691"
mkdir -p "$work/db" && cp -r "$shared/advisory-db" "$db" && chmod -R u+w "$db"
git -C "$db" init -q && git -C "$db" add -A && git -C "$db" -c user.name=bench -c user.email=bench@localhost commit -qm snapshot
cat > "$work/deny.toml" <<TOML
[advisories]
db-path = "$work/db"
version = 2
yanked = "deny"
unmaintained = "all"
TOML
cargo metadata --format-version 1 --all-features --locked --manifest-path "$manifest" > "$work/meta.json"

ours="$bin --offline --locked --target all --format json --advisory-db $db --manifest-path $manifest"
ours_meta="$bin --metadata-path $work/meta.json --target all --format json --advisory-db $db"
deny="cargo deny --offline --manifest-path $manifest --config $work/deny.toml check advisories"
deny_meta="cargo deny --metadata-path $work/meta.json --manifest-path $manifest --config $work/deny.toml check advisories"

echo "Advisory ids, cargo-deny:    $($deny 2>&1 | grep -oE 'RUSTSEC-[0-9]{4}-[0-9]{4}' | sort -u | tr '\n' ' ')"
echo "Advisory ids, cargo-architect: $($ours | grep -oE '"advisory": "RUSTSEC-[0-9]{4}-[0-9]{4}"' | grep -oE 'RUSTSEC-[0-9-]+' | sort -u | tr '\n' ' ')"
echo

hyperfine --warmup 2 --runs "${RUNS:-10}" -i --export-markdown "$work/h.md" \
  -n "cargo deny check advisories" "$deny" \
  -n "cargo architect (whole review, with advisories and index)" "$ours > /dev/null" \
  -n "cargo deny check advisories --metadata-path" "$deny_meta" \
  -n "cargo architect --metadata-path" "$ours_meta > /dev/null" >&2
cat "$work/h.md"
echo
peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
echo "| command (saved metadata, no cargo child) | peak RSS (MiB) |"
echo "|---|---|"
echo "| cargo deny check advisories --metadata-path | $(( $(peak $deny_meta) / 1024 )) |"
echo "| cargo architect --metadata-path | $(( $(peak $ours_meta) / 1024 )) |"
