#!/usr/bin/env bash
# Backtest of the MSRV pressure forecast (docs/msrv-forecast.md) on a repository's history.
#
#   scripts/msrv-backtest.sh REPO CUTOFF [CUTOFF...]
#
# For each CUTOFF (YYYY-MM-DD): the last commit before it that touched Cargo.lock gives the
# lockfile and the root manifest's `rust-version`; the forecast is made as of CUTOFF from the
# index entries published by then (this machine's registry index cache, read offline) and
# compared with what the same cache says happened in the following year. Also prints the
# `rust-version` the repository declared at each commit that changed it after CUTOFF: the
# raises that really happened. Needs git and a registry index cache holding the lockfile's
# crates (`cargo fetch` of the old lockfile on a trusted machine fills it).
set -euo pipefail
repo=$1; shift
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build -q --release -p architect-rules --example msrv_backtest --manifest-path "$here/Cargo.toml"
bin="$here/target/release/examples/msrv_backtest"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
name=$(basename "$repo")
rust_version() { # the first `rust-version = "..."` of the root manifest at a revision
    git -C "$repo" show "$1:Cargo.toml" 2>/dev/null | sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' | head -1
}
for cutoff in "$@"; do
    rev=$(git -C "$repo" log -1 --before="$cutoff" --format=%H -- Cargo.lock)
    [ -n "$rev" ] || { echo "$name: no Cargo.lock before $cutoff" >&2; continue; }
    git -C "$repo" show "$rev:Cargo.lock" > "$work/Cargo.lock"
    promise=$(rust_version "$rev")
    "$bin" "$name@${rev:0:9}" "$work/Cargo.lock" "$cutoff" $promise
    # The repository's own raises after the cutoff.
    git -C "$repo" log --reverse --after="$cutoff" --format='%H %cs' -G '^rust-version' -- Cargo.toml |
        while read -r r day; do echo "    $name declares rust-version $(rust_version "$r") from $day" >&2; done
done
