#!/bin/sh
# Reviews every workspace of docs/precision/workspaces.tsv with a cargo-architect binary, one
# JSON review per workspace, and prints the NAME@COMMIT=FILE arguments sample.py takes.
#
#   docs/precision/review-all.sh BINARY CHECKOUTS OUT ADVISORY_DB
#
# CHECKOUTS holds one checkout per workspace, named as in workspaces.tsv, at its commit. The
# index cache must hold the workspaces' dependencies (a first `cargo metadata` in each fetches
# them); the review itself runs with the network the registry needs, and never builds.
set -eu
bin=$1 checkouts=$2 out=$3 db=$4
list=$(dirname "$0")/workspaces.tsv
mkdir -p "$out"
grep -v '^#' "$list" | tail -n +2 | while IFS="$(printf '\t')" read -r name repo commit; do
    have=$(git -C "$checkouts/$name" rev-parse HEAD)
    if [ "$have" != "$commit" ]; then
        echo "$name: checkout is at $have, workspaces.tsv says $commit" >&2
        exit 2
    fi
    "$bin" --manifest-path "$checkouts/$name/Cargo.toml" --format json \
        --advisory-db "$db" -o "$out/$name.json" 2>"$out/$name.err" || [ $? -eq 1 ]
    printf '%s@%.10s=%s ' "$name" "$commit" "$out/$name.json"
done
echo
