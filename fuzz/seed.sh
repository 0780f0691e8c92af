#!/bin/sh
# Seeds fuzz/corpus/<target>/ with the repository's own files, so fuzzing starts from real
# manifests, configuration, timings reports and Rust sources. Safe to run again: seeds are
# overwritten, and what the fuzzer added to a corpus stays. POSIX sh; runs from any directory.
#
#   toml_readers  every *.toml, Cargo.toml, rust-toolchain*, .cargo/config* under fixtures/
#   timings       every *.html under fixtures/timings/; and, from each, the body of its
#                 UNIT_DATA array and its first unit alone: the text the target wraps in
#                 `const UNIT_DATA = [ ... ];` to reach the JSON and the time checks directly
#   scanner       every *.rs under fixtures/ and crates/
#
# Only regular files are taken: fixtures/hostile may hold symlinks, FIFOs and the like.
set -eu

fuzz_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$fuzz_dir")
corpus=$fuzz_dir/corpus
cd "$root"

# The corpus name of a file: its path from the repository root, `/` turned into `__`.
corpus_name() {
    printf '%s' "${1#./}" | sed 's|/|__|g'
}

# seed TARGET FIND-ARGS...: copies each regular file `find FIND-ARGS` prints to corpus/TARGET/.
seed() {
    target=$1
    shift
    mkdir -p "$corpus/$target"
    find "$@" -type f ! -path '*/target/*' | while IFS= read -r f; do
        cp "$f" "$corpus/$target/$(corpus_name "$f")"
    done
}

count() {
    echo "corpus/$1: $(ls "$corpus/$1" | wc -l | tr -d ' ') files"
}

seed toml_readers fixtures \( -name '*.toml' -o -name 'Cargo.toml' -o -name 'rust-toolchain*' \
    -o -path '*/.cargo/config' -o -path '*/.cargo/config.*' \)
count toml_readers

seed timings fixtures/timings -name '*.html'
find fixtures/timings -type f -name '*.html' | while IFS= read -r f; do
    name=$corpus/timings/$(corpus_name "$f")
    # The lines between `const UNIT_DATA = [` and the first line that starts with `];`.
    awk '/^\];/ && on { exit } on { print } /^const UNIT_DATA = \[$/ { on = 1 }' "$f" \
        > "$name.unit_data"
    # Its first unit: up to the closing brace at the array's indentation.
    awk '/^  },?$/ { print "  }"; exit } { print }' "$name.unit_data" > "$name.first_unit"
done
count timings

seed scanner fixtures crates -name '*.rs'
count scanner
