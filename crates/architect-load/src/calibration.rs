//! Calibrating the cost model to this machine.
//!
//! The cost model is fitted on builds measured on one machine; the same build takes 0.77 to 1.3
//! times as long on another of the same kind (docs/build-time.md: the fitting corpus rebuilt a
//! session later took 0.767 times the time). So the tool compiles a small reference crate of
//! its own (generated here, never the reviewed repository's code) with the trusted rustc, in
//! a temporary directory, and scales every estimate by how long that takes against
//! [`REFERENCE_AT_FIT_S`]. It is done when asked (`--calibrate`) and cached per rustc release
//! and host in the user's cache directory; later reviews use the cached figure and say so.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use architect_model::Calibration;

use crate::toolchain::{Toolchain, neutral_dir};

/// How long the reference takes to compile on the machine the cost model was fitted on: 1.98 s
/// measured on 2026-12-06 on the machine that built the fitting corpus in 0.767 times the time
/// of the fitting report (`fixtures/timings/real-deps-debug-j2.html`), so 1.98 / 0.767.
pub const REFERENCE_AT_FIT_S: f64 = 2.58;

/// Compiles of the reference; the median counts.
const RUNS: usize = 3;

/// The environment variable naming the cache directory (default: `$XDG_CACHE_HOME` or
/// `~/.cache`, then `cargo-architect`).
pub const CACHE_VAR: &str = "CARGO_ARCHITECT_CACHE";

/// Whether and how the cost model is calibrated to this machine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Not at all: the figures are for the machine the model was fitted on (the library's
    /// default, so that a review does not depend on a cache of the user's).
    #[default]
    Off,
    /// With the cached calibration of this toolchain, when there is one (the command's default).
    Cached,
    /// Measured now, and cached (`--calibrate`).
    Measure,
}

/// The calibration for `toolchain` in `mode`; `Err` says why there is none (a note for the
/// review).
pub(crate) fn load(toolchain: &Toolchain, mode: Mode) -> Result<Option<Calibration>, String> {
    let key = format!(
        "{} {}",
        toolchain.release.as_deref().unwrap_or("unknown"),
        toolchain.host.as_deref().unwrap_or("unknown")
    );
    let file = cache_file();
    match mode {
        Mode::Off => return Ok(None),
        Mode::Cached => return Ok(file.and_then(|f| cached(&f, &key))),
        Mode::Measure => {}
    }
    // To the millisecond, as cached: a later review reads the same factor back.
    let reference_s = (measure(toolchain)? * 1000.0).round() / 1000.0;
    let calibration = Calibration {
        factor: reference_s / REFERENCE_AT_FIT_S,
        reference_s,
        toolchain: key.clone(),
        cached: false,
    };
    if let Some(f) = file {
        store(&f, &key, reference_s).map_err(|e| {
            format!(
                "the calibration could not be cached in `{}`: {e}",
                f.display()
            )
        })?;
    }
    Ok(Some(calibration))
}

fn cache_file() -> Option<PathBuf> {
    let dir = std::env::var_os(CACHE_VAR).map(PathBuf::from).or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|d| d.join("cargo-architect"))
    })?;
    Some(dir.join("calibration.json"))
}

/// The cached reference time for `key`, if any (a file that cannot be read or parsed is none).
fn cached(file: &std::path::Path, key: &str) -> Option<Calibration> {
    let text = crate::read::read_text(file, 64 * 1024).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    let reference_s = doc
        .get(key)?
        .as_f64()
        .filter(|s| *s > 0.0 && s.is_finite())?;
    Some(Calibration {
        factor: reference_s / REFERENCE_AT_FIT_S,
        reference_s,
        toolchain: key.to_string(),
        cached: true,
    })
}

fn store(file: &std::path::Path, key: &str, reference_s: f64) -> std::io::Result<()> {
    let mut doc = crate::read::read_text(file, 64 * 1024)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    doc[key] = serde_json::json!(reference_s);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(file, format!("{doc:#}\n"))
}

/// The median time of [`RUNS`] compiles of the reference with the trusted rustc.
fn measure(toolchain: &Toolchain) -> Result<f64, String> {
    let dir = neutral_dir().map_err(|e| e.to_string())?;
    let src = dir.path().join("reference.rs");
    std::fs::write(&src, reference_source()).map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let out = Command::new(&toolchain.rustc)
            .current_dir(dir.path())
            .args(["--crate-type", "lib", "--edition", "2021", "--crate-name"])
            .arg("architect_calibration")
            .args(["-C", "debuginfo=2", "-C", "opt-level=0", "--out-dir"])
            .arg(dir.path().join("out"))
            .arg(&src)
            .env_remove("RUSTFLAGS")
            .env_remove("RUSTC_WRAPPER")
            .output()
            .map_err(|e| format!("could not run {}: {e}", toolchain.rustc.display()))?;
        if !out.status.success() {
            return Err(format!(
                "the calibration reference did not compile: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
            ));
        }
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(times[RUNS / 2])
}

/// The reference crate: 60 groups of a derived struct, generic methods, a trait with a blanket
/// impl over closures, and a function that instantiates them, about 1,900 lines: what the
/// cost model's libraries are made of.
fn reference_source() -> String {
    let mut s = String::from("//! cargo-architect's calibration reference.\n");
    for i in 0..60 {
        s.push_str(&GROUP.replace("{i}", &i.to_string()));
    }
    s
}

const GROUP: &str = r#"
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item{i} { pub id: u64, pub name: String, pub tags: Vec<String>, pub score: f64 }

impl Item{i} {
    pub fn new(id: u64, name: &str) -> Self { Item{i} { id, name: name.to_string(), tags: Vec::new(), score: 0.0 } }
    pub fn tagged<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self { self.tags.extend(tags.into_iter().map(Into::into)); self }
    pub fn rank(items: &[Self]) -> Vec<(u64, f64)> {
        let mut v: Vec<(u64, f64)> = items.iter().filter(|x| !x.tags.is_empty()).map(|x| (x.id, x.score * x.tags.len() as f64)).collect();
        v.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        v
    }
}

pub trait Visit{i} { fn visit(&mut self, item: &Item{i}) -> Option<u64>; }

impl<F: FnMut(&Item{i}) -> Option<u64>> Visit{i} for F { fn visit(&mut self, item: &Item{i}) -> Option<u64> { self(item) } }

pub fn walk{i}<V: Visit{i}>(items: &[Item{i}], mut v: V) -> std::collections::BTreeMap<u64, usize> {
    let mut out = std::collections::BTreeMap::new();
    for (k, item) in items.iter().enumerate() {
        if let Some(id) = v.visit(item) { *out.entry(id).or_insert(0) += k; }
    }
    out
}

pub fn use{i}() -> usize {
    let items: Vec<Item{i}> = (0..10).map(|n| Item{i}::new(n, "x").tagged(["a", "b"])).collect();
    let ranked = Item{i}::rank(&items);
    let walked = walk{i}(&items, |x: &Item{i}| (x.id % 2 == 0).then_some(x.id));
    format!("{:?}{:?}", ranked, walked).len()
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_is_the_one_measured() {
        let s = reference_source();
        assert_eq!(
            s.lines().count(),
            1921,
            "REFERENCE_AT_FIT_S was measured on this source"
        );
        assert!(s.contains("pub fn use59()"));
    }

    #[test]
    fn a_cached_figure_is_read_back_for_its_toolchain_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("calibration.json");
        store(&file, "1.95.0 x86_64-unknown-linux-gnu", 1.29).unwrap();
        store(&file, "1.90.0 x86_64-unknown-linux-gnu", 2.0).unwrap();
        let c = cached(&file, "1.95.0 x86_64-unknown-linux-gnu").unwrap();
        assert!((c.factor - 1.29 / REFERENCE_AT_FIT_S).abs() < 1e-9);
        assert!(c.cached);
        assert!(cached(&file, "1.96.0 x86_64-unknown-linux-gnu").is_none());
        std::fs::write(&file, "not json").unwrap();
        assert!(cached(&file, "1.95.0 x86_64-unknown-linux-gnu").is_none());
    }
}
