//! Backtest of the MSRV pressure forecast (`docs/msrv-forecast.md`): the forecast made as of
//! `CUTOFF` from a lockfile of that time, with only the index entries published by then,
//! against what the same index says happened in the year after.
//!
//! `cargo run -p architect-rules --example msrv_backtest -- LABEL Cargo.lock CUTOFF [PROMISE]`
//! (`scripts/msrv-backtest.sh` extracts the lockfile and the promise from a repository's
//! history). Prints one Markdown table row.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use architect_model::RustMinor;
use architect_rules::msrv_history::{History, Line, Passing};
use guppy::Version;
use jiff::ToSpan;
use jiff::civil::Date;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [label, lockfile, cutoff, rest @ ..] = args.as_slice() else {
        return Err("usage: msrv_backtest LABEL Cargo.lock CUTOFF [PROMISE]".into());
    };
    let cutoff: Date = cutoff.parse().map_err(|e| format!("{cutoff}: {e}"))?;
    let promise = rest.first().and_then(|p| RustMinor::parse(p));
    let locked = registry_packages(Path::new(lockfile))?;
    let names: BTreeSet<String> = locked.iter().map(|(n, _)| n.clone()).collect();
    let cargo = std::process::Command::new("cargo")
        .arg("-V")
        .output()
        .map_err(|e| e.to_string())?;
    let cargo_version = String::from_utf8_lossy(&cargo.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let index = architect_load::index::read(
        &names,
        &BTreeMap::new(),
        Path::new("."),
        None,
        Some(&cargo_version),
    )?;
    let year_later = cutoff.checked_add(365.days()).map_err(|e| e.to_string())?;
    let history = |as_of: Date| {
        let lines = locked
            .iter()
            .filter_map(|(n, v)| Line::new(n, v, &index, as_of))
            .collect();
        History::new(lines, as_of)
    };
    let (then, after) = (history(cutoff), history(year_later));
    println!(
        "{}",
        row(
            label,
            &then,
            &after,
            promise,
            locked.len(),
            index.unknown.len()
        )
    );
    Ok(())
}

/// crates.io packages of a lockfile, with their versions.
fn registry_packages(path: &Path) -> Result<Vec<(String, Version)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for p in doc["package"].as_array_of_tables().into_iter().flatten() {
        let source = p.get("source").and_then(|s| s.as_str()).unwrap_or_default();
        if !source.contains("crates.io-index") {
            continue;
        }
        let (Some(name), Some(version)) = (
            p.get("name").and_then(|s| s.as_str()),
            p.get("version")
                .and_then(|s| s.as_str())
                .and_then(|v| Version::parse(v).ok()),
        ) else {
            continue;
        };
        out.push((name.to_string(), version));
    }
    Ok(out)
}

fn row(
    label: &str,
    then: &History,
    after: &History,
    promise: Option<RustMinor>,
    packages: usize,
    unknown: usize,
) -> String {
    let cutoff = then.as_of;
    let e0 = then.effective_on(cutoff).unwrap_or(RustMinor(0));
    let rates = then.yearly_rates();
    let (slow, fast) = (
        rates.iter().copied().min().unwrap_or(0),
        rates.iter().copied().max().unwrap_or(0),
    );
    let (low, high) = then.in_a_year();
    let e1 = after.effective_on(after.as_of).unwrap_or(RustMinor(0));
    let steps_then = then.yearly_steps();
    // Days with a step, as the forecast counts them (lines raising together lift it once).
    let mut days: Vec<Date> = after
        .steps
        .iter()
        .map(|s| s.day)
        .filter(|d| *d > cutoff)
        .collect();
    days.dedup();
    let steps_after = days.len();
    let (smin, smax) = (
        steps_then.iter().min().copied().unwrap_or(0),
        steps_then.iter().max().copied().unwrap_or(0),
    );
    let passing = promise.map_or("-".to_string(), |p| passing(then, after, p));
    let hit = |ok: bool| if ok { "yes" } else { "**no**" };
    format!(
        "| {label} | {cutoff} | {packages} ({unknown} unknown) | {e0} | {slow}-{fast} | {low}-{high} | {e1} | {} | {smin}-{smax} | {steps_after} | {} | {passing} |",
        hit(low <= e1 && e1 <= high),
        hit(smin <= steps_after && steps_after <= smax),
    )
}

/// The forecast of the day the promise is passed, and the day it was.
fn passing(then: &History, after: &History, promise: RustMinor) -> String {
    let predicted = match then.passes(promise) {
        Passing::Already(need) => format!("already ({need})"),
        Passing::Between { earliest, latest } => format!(
            "{} to {}",
            earliest.map_or("never".into(), |d| d.to_string()),
            latest.map_or("never".into(), |d| d.to_string())
        ),
    };
    let actual = after
        .steps
        .iter()
        .find(|s| s.day > then.as_of && s.to > promise)
        .map_or_else(
            || match then.passes(promise) {
                Passing::Already(_) => "already".to_string(),
                _ => "not within the year".to_string(),
            },
            |s| format!("{} ({} by `{}`)", s.day, s.to, s.by),
        );
    format!("{promise}: {predicted}; actual {actual}")
}
