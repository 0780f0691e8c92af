//! The per-unit data of a `cargo build --timings` report (`target/cargo-timings/*.html`).
//!
//! Two schemas: before Rust 1.94 a unit has `rmeta_time` and `unlocked_units`; from 1.94 on,
//! `sections` (frontend, codegen) and `unblocked_units`. Edges are never taken from the
//! `unlocked`/`unblocked` lists: they come from the unit graph.

use serde::Deserialize;

/// One measured unit.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredUnit {
    pub name: String,
    pub version: String,
    /// `""` for a library, `" build-script"`, `" build-script (run)"`, `" bin \"x\""`...
    pub target: String,
    /// `todo` (compile) or `run-custom-build`.
    pub mode: String,
    pub features: Vec<String>,
    pub start: f64,
    pub duration: f64,
    /// Seconds after the start at which the unit's metadata was ready, when reported.
    pub rmeta: Option<f64>,
}

#[derive(Deserialize)]
struct Raw {
    name: String,
    version: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    features: Vec<String>,
    start: f64,
    duration: f64,
    #[serde(default)]
    rmeta_time: Option<f64>,
    #[serde(default)]
    sections: Option<Vec<(String, Section)>>,
}

#[derive(Deserialize)]
struct Section {
    #[allow(dead_code)]
    start: f64,
    end: f64,
}

/// Parse the `UNIT_DATA` array of a timings report.
pub fn parse_timings(html: &str) -> Result<Vec<MeasuredUnit>, String> {
    let key = "const UNIT_DATA = ";
    let start = html
        .find(key)
        .ok_or("no `const UNIT_DATA` in this file: is it a `cargo build --timings` report?")?
        + key.len();
    // The array ends at the first `];` at the start of a line.
    let end = html[start..]
        .find("\n];")
        .map(|i| start + i + 2)
        .ok_or("the UNIT_DATA array is not closed")?;
    let raw: Vec<Raw> = serde_json::from_str(&html[start..end])
        .map_err(|e| format!("UNIT_DATA is not the JSON cargo writes: {e}"))?;
    for r in &raw {
        check_times(r)?;
    }
    Ok(raw
        .into_iter()
        .map(|r| {
            let rmeta = r.rmeta_time.or_else(|| {
                r.sections.as_ref().and_then(|s| {
                    s.iter()
                        .find(|(name, _)| name == "frontend")
                        .map(|(_, sec)| sec.end)
                })
            });
            let mut features = r.features;
            features.sort();
            MeasuredUnit {
                name: r.name,
                version: r.version,
                target: r.target,
                mode: r.mode,
                features,
                start: r.start,
                duration: r.duration,
                rmeta,
            }
        })
        .collect())
}

/// The longest a build may plausibly last, in seconds (a week): a report that says more was
/// not written by cargo.
const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// Times cargo can write: finite, not negative, within a week; metadata before the end.
fn check_times(r: &Raw) -> Result<(), String> {
    let plausible = |x: f64| x.is_finite() && (0.0..=MAX_SECONDS).contains(&x);
    let unit = format!("`{} {}{}`", r.name, r.version, r.target);
    if !plausible(r.start) || !plausible(r.duration) {
        return Err(format!(
            "unit {unit} starts at {} s and lasts {} s: cargo writes times from 0 to a week",
            r.start, r.duration
        ));
    }
    let sections_end = r.sections.iter().flatten().map(|(_, s)| s.end);
    for t in r.rmeta_time.into_iter().chain(sections_end) {
        if !plausible(t) || t > r.duration + 1e-3 {
            return Err(format!(
                "unit {unit} reports a time of {t} s inside a build step of {} s",
                r.duration
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemas() {
        let new = "<script>\nconst UNIT_DATA = [\n{\"i\": 1, \"name\": \"a\", \"version\": \"1.0.0\", \"mode\": \"todo\", \"target\": \"\", \"features\": [\"std\", \"alloc\"], \"start\": 0.5, \"duration\": 2.0, \"unblocked_units\": [], \"unblocked_rmeta_units\": [2], \"sections\": [[\"frontend\", {\"start\": 0.0, \"end\": 1.5}], [\"codegen\", {\"start\": 1.5, \"end\": 2.0}]]}\n];\nconst X = 1;";
        let u = parse_timings(new).unwrap();
        assert_eq!(u[0].rmeta, Some(1.5));
        assert_eq!(u[0].features, ["alloc", "std"]);
        let old = "const UNIT_DATA = [\n{\"i\": 0, \"name\": \"b\", \"version\": \"0.1.0\", \"mode\": \"todo\", \"target\": \" build-script\", \"features\": [], \"start\": 0.0, \"duration\": 0.3, \"rmeta_time\": null, \"unlocked_units\": [], \"unlocked_rmeta_units\": []}\n];";
        let u = parse_timings(old).unwrap();
        assert_eq!((u[0].target.as_str(), u[0].rmeta), (" build-script", None));
        assert!(parse_timings("<html></html>").is_err());
    }

    #[test]
    fn impossible_times_are_refused() {
        let unit = |start: &str, duration: &str| {
            format!(
                "const UNIT_DATA = [\n{{\"name\": \"a\", \"version\": \"1.0.0\", \"start\": {start}, \"duration\": {duration}, \"rmeta_time\": null}}\n];"
            )
        };
        for (start, duration) in [
            ("0.0", "-1.5"),
            ("-2.0", "1.0"),
            ("0.0", "1e308"),
            ("1e308", "1.0"),
        ] {
            let e = parse_timings(&unit(start, duration)).unwrap_err();
            assert!(e.contains("unit `a 1.0.0`"), "{e}");
        }
        assert!(parse_timings(&unit("0.5", "2.0")).is_ok());
        let late_rmeta = "const UNIT_DATA = [\n{\"name\": \"a\", \"version\": \"1.0.0\", \"start\": 0.0, \"duration\": 1.0, \"rmeta_time\": 5.0}\n];";
        assert!(parse_timings(late_rmeta).is_err());
    }
}
