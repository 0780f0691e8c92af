//! cargo's build, modelled the way cargo schedules it.
//!
//! - [`units`]: the unit graph of `cargo build` from guppy's build simulation: one unit per
//!   library (per platform and feature set), per binary of a workspace member, and two per build
//!   script (compile for the host, then run), with cargo's edges: a library waits for the
//!   metadata (rmeta) of the libraries it uses (pipelining); binaries, proc-macros and
//!   build-script compiles wait for full codegen of everything below them; a package's library
//!   waits for its build script's run; `links` adds run-to-run edges.
//! - [`timings`]: the per-unit data of `cargo build --timings` reports, both schemas.
//! - [`simulate`]: cargo's job queue: at most `jobs` units at once, each holding its slot until
//!   it finishes, the ready unit with the most transitive dependents first.

pub mod analysis;
pub mod debug;
pub mod simulate;
pub mod timings;
pub mod units;

pub use analysis::{
    BuildSystem, BuildTime, Cost, CostModel, Figures, HELD_OUT_RATIO, HELD_OUT_RATIO_RELEASE, Part,
    Replay, Size, WhatIf, analyze, apply, compare_replay, makespan, match_measured,
    predicted_range, split_unit, split_unit_layered,
};
pub use debug::{DebugLevel, Lto};
pub use simulate::{Schedule, Scheduled, critical_chain, simulate, simulate_ordered};
pub use timings::{MeasuredUnit, parse_timings};
pub use units::{Dep, Unit, UnitGraph, UnitKind};
