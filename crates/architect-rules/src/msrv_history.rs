//! MSRV history and pressure, from the registry index's `rust_version` and `pubtime` alone.
//!
//! Each dependency is followed on its *line*: the releases semver-compatible with the locked
//! version, which is what `cargo update` chooses among. On a day, the line needs what its
//! highest release published by then declares. A *raise* is a day that figure went up. The
//! workspace's effective MSRV on a day is the highest of its lines'; a raise that lifts it is
//! a *step*: the day a `cargo update` would have forced the toolchain up. Everything here is
//! a pure function of the index entries and an `as_of` day, so a forecast can be replayed as
//! of any earlier day from the same cache (the backtest in `docs/msrv-forecast.md`).

use std::collections::BTreeMap;

use architect_model::{IndexFacts, RustMinor};
use guppy::Version;
use jiff::civil::Date;
use jiff::{Span, ToSpan};

use crate::semver_util::{compatible, releases};

/// How far back the rates are measured: two years, four overlapping one-year windows plus
/// the latest.
pub const HISTORY_DAYS: i64 = 730;
const YEAR_DAYS: i64 = 365;
const QUARTER_DAYS: i64 = 91;
/// One-year windows the rates are measured over, a quarter apart: the latest three years.
const WINDOWS: i64 = 9;
/// How far a passing day is forecast: beyond it, "not within three years".
pub const HORIZON_YEARS: i64 = 3;

/// One dependency's compatible line, as the index had it on `as_of`.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub locked: Version,
    /// Non-yanked releases of the line published by `as_of`, by day then version.
    releases: Vec<(Date, Version, Option<RustMinor>)>,
    pub raises: Vec<Raise>,
    /// Every day the line's figure changed: raised, lowered, or declared for the first time.
    changes: Vec<Date>,
}

/// A day a line's MSRV went up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raise {
    pub day: Date,
    pub from: RustMinor,
    pub to: RustMinor,
    /// The newest stable release that day: `stable - to` is how far the line trails.
    pub stable: RustMinor,
}

impl Raise {
    pub fn lag(&self) -> u32 {
        self.to.releases_to(self.stable)
    }
}

impl Line {
    /// The line of `name` locked at `locked`, from the index entries published by `as_of`.
    /// `None` when the index has no dated entry for it.
    pub fn new(name: &str, locked: &Version, index: &IndexFacts, as_of: Date) -> Option<Line> {
        let all = index.crates.get(name)?;
        let mut out: Vec<(Date, Version, Option<RustMinor>)> =
            releases(all, !locked.pre.is_empty())
                .into_iter()
                .filter(|(v, _)| compatible(locked, v))
                .filter_map(|(v, iv)| {
                    let day = iv.published.filter(|d| *d <= as_of)?;
                    let rust = iv.rust_version.as_deref().and_then(RustMinor::parse);
                    Some((day, v, rust))
                })
                .collect();
        if out.is_empty() {
            return None;
        }
        out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let mut line = Line {
            name: name.to_string(),
            locked: locked.clone(),
            releases: out,
            raises: Vec::new(),
            changes: Vec::new(),
        };
        line.raises = line.find_raises();
        line.changes = line.find_changes();
        Some(line)
    }

    /// The MSRV `cargo update` would give this line on `day`: what its highest release
    /// published by then declares (the last declared figure when it declares none).
    pub fn msrv_on(&self, day: Date) -> Option<RustMinor> {
        let mut highest: Option<&Version> = None;
        let mut msrv = None;
        for (_, v, rust) in self.releases.iter().take_while(|r| r.0 <= day) {
            if highest.is_none_or(|h| v > h) {
                highest = Some(v);
                msrv = rust.or(msrv);
            }
        }
        msrv
    }

    /// What one release of the line declares.
    pub fn needs(&self, version: &Version) -> Option<RustMinor> {
        self.releases.iter().find(|r| &r.1 == version)?.2
    }

    /// The highest release of the line: what `cargo update` takes.
    pub fn newest(&self) -> Option<&Version> {
        self.releases.iter().map(|r| &r.1).max()
    }

    /// The highest release that declares a `rust-version` of `max` or older.
    pub fn newest_fitting(&self, max: RustMinor) -> Option<&Version> {
        self.releases
            .iter()
            .filter(|r| r.2.is_some_and(|n| n <= max))
            .map(|r| &r.1)
            .max()
    }

    /// The first day the line existed.
    pub fn started(&self) -> Date {
        self.releases[0].0
    }

    /// Whether any release of the line declares a `rust-version`.
    pub fn declares(&self) -> bool {
        self.releases.iter().any(|r| r.2.is_some())
    }

    fn find_raises(&self) -> Vec<Raise> {
        let mut out = Vec::new();
        let mut highest: Option<&Version> = None;
        let mut msrv: Option<RustMinor> = None;
        for (day, v, rust) in &self.releases {
            if highest.is_some_and(|h| v <= h) {
                continue;
            }
            highest = Some(v);
            match (msrv, *rust) {
                (Some(from), Some(to)) if to > from => out.push(Raise {
                    day: *day,
                    from,
                    to,
                    stable: RustMinor::stable_on(*day),
                }),
                _ => {}
            }
            msrv = rust.or(msrv);
        }
        out
    }

    /// The days the line's figure (what [`Line::msrv_on`] gives at the end of the day)
    /// differs from the day before, in one pass.
    fn find_changes(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut highest: Option<&Version> = None;
        let mut msrv: Option<RustMinor> = None;
        let mut before: Option<Option<RustMinor>> = None;
        for (i, (day, v, rust)) in self.releases.iter().enumerate() {
            if highest.is_none_or(|h| v > h) {
                highest = Some(v);
                msrv = rust.or(msrv);
            }
            if self.releases.get(i + 1).is_some_and(|next| next.0 == *day) {
                continue;
            }
            if before.is_some_and(|b| b != msrv) {
                out.push(*day);
            }
            before = Some(msrv);
        }
        out
    }

    /// Whether the line follows stable: it raised in the past year, to stable minus the lag
    /// of its latest raise; with its raises a year over two years.
    pub fn follows(&self, as_of: Date) -> Option<(u32, f64)> {
        match self.practice(as_of) {
            Practice::Trails {
                recent_lag: Some(lag),
                raises,
                ..
            } => Some((lag, raises as f64 * YEAR_DAYS as f64 / HISTORY_DAYS as f64)),
            _ => None,
        }
    }

    /// What the line's raises say of its maintainers' policy, as of `as_of`.
    pub fn practice(&self, as_of: Date) -> Practice {
        if !self.declares() {
            return Practice::Undeclared;
        }
        let since = as_of.checked_sub(HISTORY_DAYS.days()).unwrap_or(Date::MIN);
        let recent: Vec<&Raise> = self.raises.iter().filter(|r| r.day > since).collect();
        if recent.is_empty() {
            let msrv = self.msrv_on(as_of).unwrap_or(RustMinor(0));
            return Practice::Holds {
                msrv,
                behind: msrv.releases_to(RustMinor::stable_on(as_of)),
            };
        }
        // The median; of an even count, the mean of the middle two, rounded down.
        let median = |mut lags: Vec<u32>| {
            lags.sort_unstable();
            let n = lags.len();
            match n {
                0 => None,
                _ if n % 2 == 1 => Some(lags[n / 2]),
                _ => Some((lags[n / 2 - 1] + lags[n / 2]) / 2),
            }
        };
        let year_ago = as_of.checked_sub(YEAR_DAYS.days()).unwrap_or(Date::MIN);
        Practice::Trails {
            median_lag: median(recent.iter().map(|r| r.lag()).collect()).unwrap_or(0),
            // Where it lands now: its latest raise of the past year.
            recent_lag: recent
                .iter()
                .rev()
                .find(|r| r.day > year_ago)
                .map(|r| r.lag()),
            raises: recent.len(),
        }
    }
}

/// A dependency's MSRV policy as its history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Practice {
    /// No release of the line declares a `rust-version`.
    Undeclared,
    /// No raise in the past two years; the MSRV it holds, and how far behind stable that is.
    Holds { msrv: RustMinor, behind: u32 },
    /// Raised in the past two years to stable minus `median_lag` releases (the median).
    Trails {
        median_lag: u32,
        /// The lag of its latest raise, when that was in the past year: where it lands now.
        recent_lag: Option<u32>,
        raises: usize,
    },
}

impl std::fmt::Display for Practice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Practice::Undeclared => write!(f, "declares no rust-version"),
            Practice::Holds { msrv, behind } => {
                write!(f, "held {msrv} for two years (now stable minus {behind})")
            }
            Practice::Trails {
                median_lag,
                recent_lag,
                raises,
                ..
            } => {
                write!(
                    f,
                    "raised {} in two years, to {}",
                    times(*raises),
                    behind_stable(*median_lag)
                )?;
                match recent_lag {
                    Some(r) if r != median_lag => write!(f, "; lately {}", behind_stable(*r)),
                    _ => Ok(()),
                }
            }
        }
    }
}

/// `the newest stable`, `stable minus 4 (~6 months)`.
pub fn behind_stable(lag: u32) -> String {
    match lag {
        0 => "the newest stable".into(),
        lag => {
            let m = months(lag);
            let unit = if m == 1 { "month" } else { "months" };
            format!("stable minus {lag} (~{m} {unit})")
        }
    }
}

/// `once`, `twice`, `3 times`.
pub fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// Six-week releases as whole months, rounded.
pub fn months(releases: u32) -> u32 {
    (releases * architect_model::CYCLE_DAYS as u32 + 15) / 30
}

/// A raise that lifted the workspace's effective MSRV: a forced toolchain upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub day: Date,
    pub from: RustMinor,
    pub to: RustMinor,
    pub by: String,
    /// The locked version of the line that raised: two lines may share a name (syn 2, 3).
    pub locked: Version,
}

/// The effective MSRV's history over a set of lines, up to `as_of`.
#[derive(Debug, Clone)]
pub struct History {
    pub as_of: Date,
    pub lines: Vec<Line>,
    /// Every step, oldest first (over all of the lines' dated history).
    pub steps: Vec<Step>,
    /// Days a raise reached the effective MSRV (lifted it or landed on it), oldest first.
    pub reached: Vec<Date>,
}

impl History {
    pub fn new(mut lines: Vec<Line>, as_of: Date) -> History {
        lines.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.locked.cmp(&b.locked)));
        let (steps, reached) = walk(&lines);
        History {
            as_of,
            lines,
            steps,
            reached,
        }
    }

    /// The effective MSRV `cargo update` gives on `day`.
    pub fn effective_on(&self, day: Date) -> Option<RustMinor> {
        self.lines.iter().filter_map(|l| l.msrv_on(day)).max()
    }

    /// Releases the effective MSRV was lifted by, by raises, in `(from, to]` (lines raising
    /// on one day lift it once).
    pub fn raised_between(&self, from: Date, to: Date) -> u32 {
        let mut by_day: BTreeMap<Date, u32> = BTreeMap::new();
        for s in self.steps.iter().filter(|s| s.day > from && s.day <= to) {
            let lift = by_day.entry(s.day).or_default();
            *lift = (*lift).max(s.from.releases_to(s.to));
        }
        by_day.values().sum()
    }

    /// Days with a step in each of the `n` quarters before `as_of`, the latest first.
    pub fn steps_per_quarter(&self, n: i64) -> Vec<usize> {
        let mut days: Vec<Date> = self.steps.iter().map(|s| s.day).collect();
        days.dedup();
        (0..n)
            .map(|q| {
                let end = self.ago(q * QUARTER_DAYS);
                let start = self.ago((q + 1) * QUARTER_DAYS);
                days.iter().filter(|d| **d > start && **d <= end).count()
            })
            .collect()
    }

    /// The one-year windows, a quarter apart, that the history covers (up to [`WINDOWS`],
    /// the latest first; always the latest): a window before the oldest line began would
    /// count a quiet year that was only missing data.
    fn windows(&self) -> std::ops::Range<i64> {
        let oldest = self
            .lines
            .iter()
            .map(Line::started)
            .min()
            .unwrap_or(self.as_of);
        let covered = (1..WINDOWS)
            .take_while(|q| self.ago(q * QUARTER_DAYS + YEAR_DAYS) >= oldest)
            .count();
        0..1 + covered as i64
    }

    /// Releases a year the effective MSRV rose by, over the one-year windows ending every
    /// quarter of the past two years (three years of history): the spread the forecast's
    /// range comes from.
    pub fn yearly_rates(&self) -> Vec<u32> {
        self.windows()
            .map(|q| {
                let end = self.ago(q * QUARTER_DAYS);
                self.raised_between(self.ago(q * QUARTER_DAYS + YEAR_DAYS), end)
            })
            .collect()
    }

    /// Days with a step, over the same nine one-year windows as [`History::yearly_rates`].
    pub fn yearly_steps(&self) -> Vec<usize> {
        let mut days: Vec<Date> = self.steps.iter().map(|s| s.day).collect();
        days.dedup();
        self.yearly_counts(&days)
    }

    /// Days a raise reached the effective MSRV, over the same windows: how often a line at
    /// the top moves, the chance the next step comes.
    pub fn yearly_reached(&self) -> Vec<usize> {
        self.yearly_counts(&self.reached)
    }

    fn yearly_counts(&self, days: &[Date]) -> Vec<usize> {
        self.windows()
            .map(|q| {
                let end = self.ago(q * QUARTER_DAYS);
                let start = self.ago(q * QUARTER_DAYS + YEAR_DAYS);
                days.iter().filter(|d| **d > start && **d <= end).count()
            })
            .collect()
    }

    /// When the effective MSRV passes `target` (needs `target + 1` or more), as an 80% range.
    ///
    /// It rises in steps that come at random, a few a year. When one step of the size the
    /// history has seen is enough, the target falls at the next step, and the wait for it is
    /// exponential. The range runs from its 10% point (`ln(10/9)/f` years) at the most raises
    /// reaching the top a year of the nine windows (`yearly_reached`: lines at the top move
    /// often), to its 90% point (`ln(10)/f`) at the fewest steps (a raise landing on the top
    /// need not pass it). When it takes several steps, the range runs from the fastest to
    /// the slowest yearly rate. Lines that follow stable ([`Line::follows`]) bring both ends
    /// in: they pass the target at their next raise once stable is far enough ahead. A bound
    /// is `None` when its rate is zero or it is more than three years out; no day is before
    /// release `target + 1` exists.
    pub fn passes(&self, target: RustMinor) -> Passing {
        let now = self.effective_on(self.as_of).unwrap_or(RustMinor(0));
        if now > target {
            return Passing::Already(now);
        }
        let need = now.releases_to(target) + 1;
        let largest = self
            .steps
            .iter()
            .filter(|s| s.day > self.ago(HISTORY_DAYS))
            .map(|s| s.from.releases_to(s.to))
            .max()
            .unwrap_or(0);
        let floor = RustMinor(target.0 + 1).released();
        let after = |years: Option<f64>| -> Option<Date> {
            let days = (years? * YEAR_DAYS as f64).round() as i64;
            Some(self.as_of.checked_add(days.days()).ok()?.max(floor))
        };
        let positive = |n: f64| (n > 0.0).then_some(n);
        let min = |v: &[usize]| v.iter().copied().min().unwrap_or(0) as f64;
        let max = |v: &[usize]| v.iter().copied().max().unwrap_or(0) as f64;
        let rates: Vec<usize> = self.yearly_rates().iter().map(|&r| r as usize).collect();
        let (earliest, latest) = if need <= largest {
            (
                positive(max(&self.yearly_reached())).map(|f| (10.0f64 / 9.0).ln() / f),
                positive(min(&self.yearly_steps())).map(|f| 10.0f64.ln() / f),
            )
        } else {
            (
                positive(max(&rates)).map(|r| f64::from(need) / r),
                positive(min(&rates)).map(|r| f64::from(need) / r),
            )
        };
        let (by_followers_first, by_followers_surely) = self.followers_pass(target);
        let earlier = |a: Option<Date>, b: Option<Date>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let horizon = self
            .as_of
            .checked_add(Span::new().years(HORIZON_YEARS))
            .unwrap_or(Date::MAX);
        let within = |d: Option<Date>| d.filter(|d| *d <= horizon);
        Passing::Between {
            earliest: within(earlier(after(earliest), by_followers_first)),
            latest: within(earlier(after(latest), by_followers_surely)),
        }
    }

    /// When the lines that follow stable pass `target`: each can once stable is `lag`
    /// releases past it, at its next raise. The first day is the earliest follower's 10%
    /// point; the sure day is the last of them able to, plus the 90% point of the wait for
    /// any of them (their raises a year added up).
    fn followers_pass(&self, target: RustMinor) -> (Option<Date>, Option<Date>) {
        let followers: Vec<(Date, f64)> = self
            .lines
            .iter()
            .filter_map(|l| {
                let (lag, per_year) = l.follows(self.as_of)?;
                let able = RustMinor(target.0 + 1 + lag).released().max(self.as_of);
                Some((able, per_year))
            })
            .collect();
        let wait = |p: f64, f: f64| (p.ln() / f * YEAR_DAYS as f64).round() as i64;
        let first = followers
            .iter()
            .filter_map(|(able, f)| able.checked_add(wait(10.0 / 9.0, *f).days()).ok())
            .min();
        let all: f64 = followers.iter().map(|(_, f)| f).sum();
        let last_able = followers.iter().map(|(able, _)| *able).max();
        let surely = last_able
            .filter(|_| all > 0.0)
            .and_then(|d| d.checked_add(wait(10.0, all).days()).ok());
        (first, surely)
    }

    /// The range of the effective MSRV a year after `as_of`: from the slowest yearly rate, to
    /// the higher of the fastest rate and where the closest follower of stable lands if it
    /// raises again (stable in a year minus its recent lag); never past stable.
    pub fn in_a_year(&self) -> (RustMinor, RustMinor) {
        let (low, high, _) = self.in_a_year_with_top();
        (low, high)
    }

    /// The same, with the followers of stable that set the top, when they do.
    pub fn in_a_year_with_top(&self) -> (RustMinor, RustMinor, Vec<(&Line, u32)>) {
        let now = self.effective_on(self.as_of).unwrap_or(RustMinor(0));
        let rates = self.yearly_rates();
        let (slow, fast) = (
            rates.iter().copied().min().unwrap_or(0),
            rates.iter().copied().max().unwrap_or(0),
        );
        let then = RustMinor::stable_on(
            self.as_of
                .checked_add(YEAR_DAYS.days())
                .unwrap_or(Date::MAX),
        );
        let followers: Vec<(&Line, u32)> = self
            .lines
            .iter()
            .filter_map(|l| l.follows(self.as_of).map(|(lag, _)| (l, lag)))
            .collect();
        let closest = followers.iter().map(|(_, lag)| *lag).min();
        let lands = closest.map_or(now, |lag| RustMinor(then.0.saturating_sub(lag)));
        let low = RustMinor(now.0 + slow).min(then);
        let by_rate = RustMinor(now.0 + fast).max(low);
        let high = by_rate.max(lands).min(then);
        let top = match closest {
            Some(lag) if lands > by_rate => {
                followers.into_iter().filter(|(_, l)| *l == lag).collect()
            }
            _ => Vec::new(),
        };
        (low, high, top)
    }

    fn ago(&self, days: i64) -> Date {
        self.as_of
            .checked_sub(Span::new().days(days))
            .unwrap_or(Date::MIN)
    }

    /// The lines whose raises lifted the effective MSRV over the past two years, with the
    /// releases they lifted it by, most first; then the line that sets it now.
    pub fn drivers(&self) -> Vec<(&Line, u32)> {
        let since = self.ago(HISTORY_DAYS);
        let mut by: BTreeMap<(&str, &Version), u32> = BTreeMap::new();
        for s in self.steps.iter().filter(|s| s.day > since) {
            *by.entry((s.by.as_str(), &s.locked)).or_default() += s.from.releases_to(s.to);
        }
        let now = self.effective_on(self.as_of);
        let mut out: Vec<(&Line, u32)> = self
            .lines
            .iter()
            .filter_map(|l| {
                let lifted = by.get(&(l.name.as_str(), &l.locked)).copied().unwrap_or(0);
                let sets = now.is_some() && l.msrv_on(self.as_of) == now;
                (lifted > 0 || sets).then_some((l, lifted))
            })
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
        out
    }
}

/// When the effective MSRV passes a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passing {
    /// It is past it already (with `cargo update` today): the MSRV it would need.
    Already(RustMinor),
    /// Between two days, at the fastest and the slowest rate of the history; `None` when the
    /// rate is zero (no raise in that year).
    Between {
        earliest: Option<Date>,
        latest: Option<Date>,
    },
}

/// Every raise that lifted the highest MSRV of the lines, in day order, and the days a raise
/// reached it (lifted it or landed on it: a line at the top, whose next raise lifts it). Each
/// day, every change of a line's figure is applied first (raises, but also a first
/// declaration or a lowering, which move the top without being a raise), then new lines: a
/// line's first release is not a raise (taking a new major is a manifest change, not `cargo
/// update`), and a workspace adopts a line later than its first publication (icu4x publishes
/// new crates and raises old ones the same day). Lines raising the same day each lift it from
/// the day's top before.
fn walk(lines: &[Line]) -> (Vec<Step>, Vec<Date>) {
    let mut days: BTreeMap<Date, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        days.entry(l.started()).or_default().1.push(i);
        for day in &l.changes {
            days.entry(*day).or_default().0.push(i);
        }
    }
    let mut current: Vec<Option<RustMinor>> = vec![None; lines.len()];
    let (mut steps, mut reached) = (Vec::new(), Vec::new());
    for (day, (changed, started)) in days {
        let before = current.iter().flatten().max().copied();
        let mut reach = false;
        for i in changed {
            current[i] = lines[i].msrv_on(day);
            let (Some(from), Some(r)) = (before, lines[i].raises.iter().find(|r| r.day == day))
            else {
                continue;
            };
            reach |= r.to >= from;
            if r.to > from {
                steps.push(Step {
                    day,
                    from,
                    to: r.to,
                    by: lines[i].name.clone(),
                    locked: lines[i].locked.clone(),
                });
            }
        }
        if reach {
            reached.push(day);
        }
        for i in started {
            current[i] = lines[i].msrv_on(day);
        }
    }
    (steps, reached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use architect_model::IndexVersion;
    use jiff::civil::date;

    fn entry(version: &str, rust: Option<&str>, day: Date) -> IndexVersion {
        IndexVersion {
            version: version.into(),
            yanked: false,
            rust_version: rust.map(str::to_string),
            published: Some(day),
        }
    }

    fn index(crates: &[(&str, Vec<IndexVersion>)]) -> IndexFacts {
        IndexFacts {
            crates: crates
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect(),
            ..Default::default()
        }
    }

    /// The history of the named lines (name, locked version) as of `as_of`.
    fn history(idx: &IndexFacts, locked: &[(&str, &str)], as_of: Date) -> History {
        let lines = locked
            .iter()
            .map(|(n, v)| Line::new(n, &Version::parse(v).unwrap(), idx, as_of).unwrap())
            .collect();
        History::new(lines, as_of)
    }

    /// Steps as (day, from, to, line).
    fn steps_of(h: &History) -> Vec<(Date, u32, u32, &str)> {
        h.steps
            .iter()
            .map(|s| (s.day, s.from.0, s.to.0, s.by.as_str()))
            .collect()
    }

    #[test]
    fn a_line_raises_only_when_its_highest_release_needs_more() {
        let idx = index(&[(
            "a",
            vec![
                entry("1.0.0", Some("1.60"), date(2024, 1, 10)),
                entry("1.1.0", Some("1.70"), date(2024, 6, 1)),
                // A backport on an older minor: not what `cargo update` picks.
                entry("1.0.1", Some("1.56"), date(2024, 7, 1)),
                entry("1.2.0", None, date(2024, 9, 1)),
                entry("1.3.0", Some("1.75"), date(2025, 3, 1)),
                entry("2.0.0", Some("1.85"), date(2025, 4, 1)),
            ],
        )]);
        let v = Version::new(1, 0, 0);
        let line = Line::new("a", &v, &idx, date(2025, 6, 1)).unwrap();
        let raised: Vec<(Date, u32, u32)> = line
            .raises
            .iter()
            .map(|r| (r.day, r.from.0, r.to.0))
            .collect();
        assert_eq!(
            raised,
            [(date(2024, 6, 1), 60, 70), (date(2025, 3, 1), 70, 75)]
        );
        assert_eq!(line.msrv_on(date(2024, 10, 1)), Some(RustMinor(70)));
        // 2024-06-01: stable was 1.78, so 8 behind; 2025-03-01: 1.85, 10 behind.
        assert_eq!(line.raises[0].lag(), 8);
        assert_eq!(line.raises[1].lag(), 10);
        // Seen from before the second raise, only the first is known.
        let earlier = Line::new("a", &v, &idx, date(2025, 1, 1)).unwrap();
        assert_eq!(earlier.raises.len(), 1);
    }

    #[test]
    fn steps_rates_and_the_range_of_the_passing_day() {
        // Two lines; `b` leads from 2024-08 on. As of 2025-07-01 the steps are a 1.70 raise
        // (2024-06-01, `a`), b's 1.74 (2024-08-01) and b's 1.80 (2025-05-01); a's 1.72 on
        // 2024-12-01 lifts nothing (b is at 1.74).
        let idx = index(&[
            (
                "a",
                vec![
                    entry("1.0.0", Some("1.60"), date(2023, 1, 10)),
                    entry("1.1.0", Some("1.70"), date(2024, 6, 1)),
                    entry("1.2.0", Some("1.72"), date(2024, 12, 1)),
                ],
            ),
            (
                "b",
                vec![
                    entry("0.3.0", Some("1.65"), date(2023, 5, 1)),
                    entry("0.3.1", Some("1.74"), date(2024, 8, 1)),
                    entry("0.3.2", Some("1.80"), date(2025, 5, 1)),
                ],
            ),
        ]);
        let as_of = date(2025, 7, 1);
        let h = history(&idx, &[("a", "1.0.0"), ("b", "0.3.0")], as_of);
        assert_eq!(
            steps_of(&h),
            [
                (date(2024, 6, 1), 65, 70, "a"),
                (date(2024, 8, 1), 70, 74, "b"),
                (date(2025, 5, 1), 74, 80, "b"),
            ]
        );
        assert_eq!(h.effective_on(as_of), Some(RustMinor(80)));
        // Quarters back from 2025-07-01: the third step in the first, none in the next two,
        // the second in the fourth (2024-07-02 .. 2024-10-01).
        assert_eq!(h.steps_per_quarter(4), [1, 0, 0, 1]);
        // One-year windows ending 0, 91, 182, 273 and 364 days ago:
        // (2024-07-01, 2025-07-01]: 4 + 6 = 10; (2024-04-01, 2025-04-01]: 5 + 4 = 9;
        // (2023-12-31, 2024-12-31]: 9; (2023-10-01, 2024-10-01]: 9; (2023-07-02, 2024-07-02]: 5.
        // Six windows: the seventh would start before `a`'s first release (2023-01-10).
        assert_eq!(h.yearly_rates(), [10, 9, 9, 9, 5, 0]);
        assert_eq!(h.yearly_steps(), [2, 2, 2, 2, 1, 0]);
        // Passing 1.84 needs 5 releases, and the largest step was 6: the next step will do.
        // Raises reached the top 1 to 2 times a year: the 10% point at 2 is 19 days
        // (ln(10/9)/2 years -> 2025-07-20). Steps came 1 to 2 a year: the 90% point at 1 is
        // 840 days, but the followers bring it in: `b` (stable minus 6) can pass 1.84 once
        // 1.91 is out (2025-10-30), `a` (minus 11, its one raise in the past year) once 1.96
        // is (2026-05-28); together they raise twice a year, so 90% of the time one has by
        // ln(10)/2 years (420 days) after the later: 2027-07-22.
        assert_eq!(
            h.passes(RustMinor(84)),
            Passing::Between {
                earliest: Some(date(2025, 7, 20)),
                latest: Some(date(2027, 7, 22)),
            }
        );
        // 1.87 needs 8: several steps, at 10 releases a year at the fastest (292 days:
        // 2026-04-19); the slowest window had none, so the rate gives no late end. `b`
        // follows stable at minus 6 and raised in the past year: once 1.94 is out
        // (2026-03-05) its next raise lands on 1.88, 38 days on at its one raise a year
        // (ln(10/9) years): 2026-04-12, the earlier. `a` (minus 11) can once 1.99 is out
        // (2026-10-01); together they raise twice a year, so 90% of the time one has by
        // 420 days after that: 2027-11-25.
        assert_eq!(
            h.passes(RustMinor(87)),
            Passing::Between {
                earliest: Some(date(2026, 4, 12)),
                latest: Some(date(2027, 11, 25)),
            }
        );
        assert_eq!(h.passes(RustMinor(75)), Passing::Already(RustMinor(80)));
        let drivers: Vec<(&str, u32)> = h
            .drivers()
            .iter()
            .map(|(l, n)| (l.name.as_str(), *n))
            .collect();
        assert_eq!(drivers, [("b", 10), ("a", 5)]);
        assert_eq!(
            h.lines[1].practice(as_of).to_string(),
            // Lags: 2024-08-01 stable 1.80 -> 6; 2025-05-01 stable 1.86 -> 6.
            "raised twice in two years, to stable minus 6 (~8 months)"
        );
    }

    #[test]
    fn a_line_that_never_raises_holds_and_a_rate_of_zero_is_open_ended() {
        let idx = index(&[(
            "c",
            vec![
                entry("1.0.0", Some("1.56"), date(2021, 11, 1)),
                entry("1.0.9", Some("1.56"), date(2025, 1, 1)),
            ],
        )]);
        let as_of = date(2025, 7, 1);
        let line = Line::new("c", &Version::new(1, 0, 3), &idx, as_of).unwrap();
        assert_eq!(
            line.practice(as_of),
            Practice::Holds {
                msrv: RustMinor(56),
                behind: 32
            }
        );
        let h = History::new(vec![line], as_of);
        assert_eq!(
            h.passes(RustMinor(70)),
            Passing::Between {
                earliest: None,
                latest: None
            }
        );
    }

    #[test]
    fn a_raise_on_a_new_lines_first_day_still_steps_and_landing_on_the_top_is_counted() {
        // icu4x-like: on 2024-11-23 `z` raises 1.67 -> 1.71 and a new crate `p` starts at
        // 1.71. The raise is a step (a workspace adopts `p` later). On 2025-02-01 `q` raises
        // to 1.71, the top: not a step, but a line at the top moved.
        let idx = index(&[
            (
                "z",
                vec![
                    entry("0.1.0", Some("1.67"), date(2023, 1, 1)),
                    entry("0.1.5", Some("1.71"), date(2024, 11, 23)),
                ],
            ),
            ("p", vec![entry("0.1.0", Some("1.71"), date(2024, 11, 23))]),
            (
                "q",
                vec![
                    entry("1.0.0", Some("1.60"), date(2023, 1, 1)),
                    entry("1.1.0", Some("1.71"), date(2025, 2, 1)),
                ],
            ),
        ]);
        let as_of = date(2025, 6, 1);
        let h = history(
            &idx,
            &[("p", "0.1.0"), ("q", "1.0.0"), ("z", "0.1.0")],
            as_of,
        );
        let steps: Vec<(Date, u32, &str)> = steps_of(&h)
            .into_iter()
            .map(|(day, _, to, by)| (day, to, by))
            .collect();
        assert_eq!(steps, [(date(2024, 11, 23), 71, "z")]);
        assert_eq!(h.reached, [date(2024, 11, 23), date(2025, 2, 1)]);
        assert_eq!(h.yearly_reached()[0], 2);
    }

    #[test]
    fn a_prerelease_lock_follows_its_prerelease_line() {
        let idx = index(&[(
            "g",
            vec![
                entry("0.14.0-pre.1", Some("1.81"), date(2025, 1, 1)),
                entry("0.14.0-pre.2", Some("1.85"), date(2025, 5, 1)),
            ],
        )]);
        let locked = Version::parse("0.14.0-pre.1").unwrap();
        let line = Line::new("g", &locked, &idx, date(2025, 6, 1)).expect("pre-releases count");
        assert_eq!(line.msrv_on(date(2025, 6, 1)), Some(RustMinor(85)));
    }

    #[test]
    fn a_first_declaration_moves_the_top_and_same_day_raisers_each_lift_it() {
        // `d` starts declaring 1.84 on 2025-01-09 (not a raise); `s` then raises 1.80 -> 1.85
        // and lifts the top by 1, not from 1.80. On 2025-02-26 `p` and `t` both raise to
        // 1.88: each lifted it by 3, the rate counts the day once.
        let idx = index(&[
            (
                "d",
                vec![
                    entry("1.8.0", None, date(2024, 1, 1)),
                    entry("1.9.0", Some("1.84"), date(2025, 1, 9)),
                ],
            ),
            (
                "s",
                vec![
                    entry("0.8.0", Some("1.80"), date(2024, 1, 1)),
                    entry("0.8.1", Some("1.85"), date(2025, 2, 1)),
                ],
            ),
            (
                "p",
                vec![
                    entry("0.1.0", Some("1.81"), date(2024, 1, 1)),
                    entry("0.1.1", Some("1.88"), date(2025, 2, 26)),
                ],
            ),
            (
                "t",
                vec![
                    entry("0.2.0", Some("1.81"), date(2024, 1, 1)),
                    entry("0.2.1", Some("1.88"), date(2025, 2, 26)),
                ],
            ),
        ]);
        let as_of = date(2025, 6, 1);
        let h = history(
            &idx,
            &[
                ("d", "1.8.0"),
                ("p", "0.1.0"),
                ("s", "0.8.0"),
                ("t", "0.2.0"),
            ],
            as_of,
        );
        assert_eq!(
            steps_of(&h),
            [
                (date(2025, 2, 1), 84, 85, "s"),
                (date(2025, 2, 26), 85, 88, "p"),
                (date(2025, 2, 26), 85, 88, "t"),
            ]
        );
        assert_eq!(h.raised_between(date(2024, 6, 1), as_of), 4);
        // Quarters back from 2025-06-01: none after 2025-03-02, two days before.
        assert_eq!(h.steps_per_quarter(2), [0, 2]);
        let lifted: Vec<(&str, u32)> = h
            .drivers()
            .iter()
            .map(|(l, n)| (l.name.as_str(), *n))
            .collect();
        assert_eq!(lifted, [("p", 3), ("t", 3), ("s", 1)]);
    }
}
