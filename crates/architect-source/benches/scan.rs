//! Throughput of the source pass per file kind, on one core, next to a plain copy of the
//! same bytes and a bare lex.
//!
//! The corpus is every `.rs` file under `ARCHITECT_BENCH_DIR` (for the figures in
//! docs/benchmarks.md: the registry sources of `../shared/corpus/real-deps` after
//! `cargo fetch`); without it, this repository's own `crates/`.
//!
//! ```sh
//! ARCHITECT_BENCH_DIR=~/.cargo/registry/src cargo bench -p architect-source --bench scan
//! ```
//!
//! `adversarial` runs every scan (`Wanted::BuildScript`) over generated hostile files (see
//! `tests/common/shapes.rs`) of about 1 MiB and 8 MiB: with linear scans the two sizes show
//! about the same bytes per second.
//!
//! ```sh
//! cargo bench -p architect-source --bench scan -- adversarial
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use architect_source::{Wanted, analyze, lex};
use divan::counter::BytesCount;

#[path = "../tests/common/shapes.rs"]
mod shapes;

fn main() {
    divan::main();
}

fn collect(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            out.push(text);
        }
    }
}

fn corpus() -> &'static (Vec<String>, usize) {
    static C: OnceLock<(Vec<String>, usize)> = OnceLock::new();
    C.get_or_init(|| {
        let dir = std::env::var_os("ARCHITECT_BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
        let mut files = Vec::new();
        collect(&dir, &mut files);
        let bytes = files.iter().map(String::len).sum();
        eprintln!(
            "corpus: {} files, {:.1} MB from {}",
            files.len(),
            bytes as f64 / 1e6,
            dir.display()
        );
        (files, bytes)
    })
}

#[divan::bench(sample_count = 5)]
fn plain_copy(b: divan::Bencher) {
    let (files, bytes) = corpus();
    b.counter(BytesCount::new(*bytes)).bench(|| {
        files
            .iter()
            .map(|f| divan::black_box(f.clone()).len())
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 5)]
fn lex_only(b: divan::Bencher) {
    let (files, bytes) = corpus();
    b.counter(BytesCount::new(*bytes))
        .bench(|| files.iter().map(|f| lex(f).0.len()).sum::<usize>());
}

#[divan::bench(sample_count = 5)]
fn analyze_dependency_file(b: divan::Bencher) {
    let (files, bytes) = corpus();
    b.counter(BytesCount::new(*bytes)).bench(|| {
        files
            .iter()
            .map(|f| analyze(f, Wanted::ModsAndUnsafe).unsafes.len())
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 5)]
fn analyze_workspace_file(b: divan::Bencher) {
    let (files, bytes) = corpus();
    b.counter(BytesCount::new(*bytes)).bench(|| {
        files
            .iter()
            .map(|f| analyze(f, Wanted::All).code_lines)
            .sum::<usize>()
    });
}

/// One hostile shape at 1 MiB and at 8 MiB (the largest file the loader scans).
#[divan::bench(args = shapes::NAMES, consts = [1, 8], sample_count = 3, sample_size = 1)]
fn adversarial<const MIB: usize>(b: divan::Bencher, shape: &str) {
    let text = shapes::by_name(shape)(MIB << 20);
    b.counter(BytesCount::of_str(&text))
        .bench(|| analyze(divan::black_box(&text), Wanted::BuildScript).code_lines);
}
