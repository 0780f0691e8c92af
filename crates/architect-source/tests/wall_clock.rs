//! A plain wall-clock guard on the two files of the security sweep, with a very generous bound
//! (about 2 s each in a debug build on a 2-core machine; they took minutes before the scans
//! were linear). In a test binary of its own, so the read-count tests do not run beside it.
//!
//! Ignored by default: a timed test fails on a loaded machine whatever the code does, and the
//! machine-independent guard is `tests/linear.rs` (it counts token reads). Run it by hand on
//! an idle machine: `cargo test -p architect-source --test wall_clock -- --ignored`.

use std::time::{Duration, Instant};

use architect_source::{Wanted, analyze};

/// The two files of the security sweep: minutes each before the scans were made linear.
#[test]
#[ignore = "wall-clock: run on an idle machine with --ignored (tests/linear.rs is the CI guard)"]
fn the_sweeps_files_analyze_in_seconds_even_in_debug() {
    let levels = 80_000;
    let spawns = format!(
        "fn f() {{ {}x{} }}\n",
        "tokio::spawn(".repeat(levels),
        ")".repeat(levels)
    );
    let mut uses = String::new();
    for i in 0..100_000 {
        uses.push_str(&format!("use a::b as X{i};\n"));
    }
    for i in 0..100_000 {
        uses.push_str(&format!("pub fn f{i}() -> X{i} {{}}\n"));
    }
    for (name, text) in [("nested spawns", &spawns), ("100,000 uses", &uses)] {
        let start = Instant::now();
        let facts = analyze(text, Wanted::BuildScript);
        let took = start.elapsed();
        assert!(
            took < Duration::from_secs(10),
            "{name}: {took:?} for {} bytes",
            text.len()
        );
        if name == "nested spawns" {
            assert_eq!(facts.spawns.len(), levels);
        } else {
            assert_eq!(facts.metrics.fns, 100_000);
        }
    }
}
