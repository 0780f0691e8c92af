//! The MSRV pressure on a reviewed workspace: its shipped registry dependencies' MSRV history
//! (`msrv_history`), and when that history says the effective MSRV passes what the workspace
//! promises (`rust-version`) and pins (`rust-toolchain.toml`). Shared by `msrv/pressure`,
//! `msrv/policy` and the JSON facts.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{Facts, Location, MsrvDriver, MsrvFigures, MsrvTarget, RustMinor};
use jiff::civil::Date;

use crate::graph::is_registry;
use crate::msrv_history::{History, Line, Passing, Practice};

/// What the workspace promises or pins, and when the effective MSRV of what it covers passes
/// it: a promise covers what its members' own builds compile (`cargo build -p MEMBER`), the
/// pin every shipped build.
#[derive(Debug, Clone)]
pub struct Target {
    /// `rust-version` of these members, or the toolchain pin when empty.
    pub members: Vec<String>,
    /// Those whose own builds are already past it as locked, and after `cargo update`.
    pub over_locked: Vec<String>,
    pub over_updated: Vec<String>,
    pub release: RustMinor,
    pub location: Option<Location>,
    pub passing: Passing,
    /// The highest `rust-version` of the locked versions it covers, and after `cargo update`.
    pub locked: Option<RustMinor>,
    pub now: Option<RustMinor>,
}

impl Target {
    pub fn label(&self) -> String {
        match self.members.as_slice() {
            [] => format!("the {} pin", self.release),
            [one] => format!("`{one}`'s promised {}", self.release),
            many => format!("the {} that {} members promise", self.release, many.len()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pressure {
    pub history: History,
    /// The effective MSRV of the locked versions (what builds today without `cargo update`).
    pub locked: Option<RustMinor>,
    pub targets: Vec<Target>,
    /// Shipped registry crates with no index entry.
    pub unknown: Vec<String>,
    /// Those whose line has no release to follow: every one yanked, or none dated.
    pub unusable: Vec<String>,
    /// Those whose cache entry cargo last wrote more than 30 days before `as_of`: releases
    /// since then are not seen.
    pub stale: Vec<String>,
}

/// The pressure on the shipped build, as of the cache's freshness: the later of the newest
/// publication day in its entries and the last day cargo wrote one of them (a workspace whose
/// dependencies published nothing lately is still seen up to then). The forecast never looks
/// past what the cache knows. `None` without a shipped registry crate with a dated entry.
pub fn pressure(facts: &Facts) -> Option<Pressure> {
    let mut locked_set = Covered::new();
    for p in facts
        .scope
        .shipped
        .iter()
        .filter_map(|id| facts.graph.metadata(id).ok())
        .filter(|p| !p.in_workspace() && is_registry(p))
    {
        locked_set.insert((p.name().to_string(), p.version().clone()));
    }
    let published = locked_set
        .iter()
        .filter_map(|(name, _)| facts.index.crates.get(name))
        .flatten()
        .filter_map(|v| v.published)
        .max()?;
    let fetched = locked_set
        .iter()
        .filter_map(|(name, _)| facts.index.fetched.get(name))
        .max()
        .copied();
    pressure_as_of(
        facts,
        &locked_set,
        fetched.map_or(published, |f| f.max(published)),
    )
}

/// The same, from the set of locked crates every shipped build compiles and a day.
fn pressure_as_of(facts: &Facts, locked_set: &Covered, as_of: Date) -> Option<Pressure> {
    let mut lines = Vec::new();
    let (mut unknown, mut unusable) = (Vec::new(), Vec::new());
    for (name, version) in locked_set {
        match Line::new(name, version, &facts.index, as_of) {
            Some(line) => lines.push(line),
            None if facts.index.crates.contains_key(name) => unusable.push(name.clone()),
            None => unknown.push(name.clone()),
        }
    }
    if lines.is_empty() {
        return None;
    }
    unknown.dedup();
    unusable.dedup();
    let targets = targets(facts)
        .into_iter()
        .filter_map(|promise| target(facts, promise, &lines, locked_set, as_of))
        .collect();
    let locked = lines
        .iter()
        .filter_map(|l| needs(facts, &l.name, &l.locked))
        .max();
    let history = History::new(lines, as_of);
    Some(Pressure {
        history,
        locked,
        targets,
        stale: stale(facts, locked_set, as_of),
        unknown,
        unusable,
    })
}

/// A promise or the pin, with when the lines it covers pass it; `None` when it covers none.
fn target(
    facts: &Facts,
    promise: Promise,
    lines: &[Line],
    locked_set: &Covered,
    as_of: Date,
) -> Option<Target> {
    let Promise {
        members,
        builds,
        release,
        location,
        covered,
    } = promise;
    let covered: Covered = match covered {
        Some(set) => set.intersection(locked_set).cloned().collect(),
        None => locked_set.clone(),
    };
    let lines: Vec<Line> = lines
        .iter()
        .filter(|l| covered.contains(&(l.name.clone(), l.locked.clone())))
        .cloned()
        .collect();
    if lines.is_empty() {
        return None;
    }
    let locked = covered.iter().filter_map(|(n, v)| needs(facts, n, v)).max();
    let history = History::new(lines, as_of);
    // The members whose own builds are past the promise, as locked and after an update.
    let past = |need: &dyn Fn(&Line) -> Option<RustMinor>| -> Vec<String> {
        builds
            .iter()
            .filter(|(_, build)| {
                history.lines.iter().any(|l| {
                    build.contains(&(l.name.clone(), l.locked.clone()))
                        && need(l).is_some_and(|n| n > release)
                })
            })
            .map(|(m, _)| m.clone())
            .collect()
    };
    Some(Target {
        passing: history.passes(release),
        now: history.effective_on(as_of),
        over_locked: past(&|l: &Line| l.needs(&l.locked)),
        over_updated: past(&|l: &Line| l.msrv_on(as_of)),
        members,
        release,
        location,
        locked,
    })
}

/// Crates whose cache entry cargo last wrote more than 30 days before `as_of`, by name.
fn stale(facts: &Facts, locked_set: &Covered, as_of: Date) -> Vec<String> {
    let month_before = as_of
        .checked_sub(jiff::ToSpan::days(30))
        .unwrap_or(Date::MIN);
    let mut out: Vec<String> = locked_set
        .iter()
        .map(|(name, _)| name)
        .filter(|name| {
            facts
                .index
                .fetched
                .get(*name)
                .is_some_and(|d| *d < month_before)
        })
        .cloned()
        .collect();
    out.dedup();
    out
}

/// What a locked version declares in the index.
fn needs(facts: &Facts, name: &str, version: &guppy::Version) -> Option<RustMinor> {
    facts
        .index
        .version(name, &version.to_string())
        .and_then(|v| v.rust_version.as_deref())
        .and_then(RustMinor::parse)
}

/// The registry packages (name, version) some members' own builds compile.
type Covered = BTreeSet<(String, guppy::Version)>;

/// A member and the registry packages its own build compiles.
type MemberBuild = (String, Covered);

/// A promise (or the pin, with no members and `covered: None`: every shipped build).
struct Promise {
    members: Vec<String>,
    /// What each member's own build compiles (empty for the pin).
    builds: Vec<MemberBuild>,
    release: RustMinor,
    location: Option<Location>,
    covered: Option<Covered>,
}

/// Shipped members that declare a `rust-version`: each with the release it promises and the
/// manifest line that says so.
pub(crate) fn promises(
    facts: &Facts,
) -> impl Iterator<
    Item = (
        guppy::graph::PackageMetadata<'_>,
        RustMinor,
        Option<Location>,
    ),
> {
    facts
        .graph
        .workspace()
        .iter()
        .filter(|m| facts.scope.is_shipped_member(m.id()))
        .filter_map(|m| {
            let v = m.rust_version()?;
            let release = RustMinor(u32::try_from(v.minor).unwrap_or(u32::MAX));
            let location = facts
                .manifests
                .get(m.id())
                .and_then(|mf| mf.rust_version.clone());
            Some((m, release, location))
        })
}

/// Each distinct `rust-version` shipped members promise (lowest first, with its members, the
/// first one's line and what their builds compile), then the toolchain pin when it names a
/// release (covering every shipped build: `None`).
fn targets(facts: &Facts) -> Vec<Promise> {
    let mut by_release: BTreeMap<RustMinor, (Vec<MemberBuild>, Option<Location>)> = BTreeMap::new();
    for (m, release, location) in promises(facts) {
        let covered: Covered = crate::rules::msrv::broken_promise::member_build(facts, m.id())
            .iter()
            .filter_map(|id| facts.graph.metadata(id).ok())
            .filter(|p| !p.in_workspace() && is_registry(p))
            .map(|p| (p.name().to_string(), p.version().clone()))
            .collect();
        // A member whose build compiles no registry crate feels no pressure.
        if covered.is_empty() {
            continue;
        }
        let entry = by_release.entry(release).or_default();
        entry.0.push((m.name().to_string(), covered));
        entry.1 = entry.1.take().or(location);
    }
    let mut out: Vec<_> = by_release
        .into_iter()
        .map(|(release, (mut builds, location))| {
            builds.sort();
            Promise {
                members: builds.iter().map(|(m, _)| m.clone()).collect(),
                covered: Some(builds.iter().flat_map(|(_, c)| c.iter().cloned()).collect()),
                builds,
                release,
                location,
            }
        })
        .collect();
    if let Some((pin, channel)) = facts.toolchain.pinned_channel()
        && let Some(release) = RustMinor::parse(channel)
    {
        out.push(Promise {
            members: Vec::new(),
            builds: Vec::new(),
            release,
            location: Some(pin.location.clone()),
            covered: None,
        });
    }
    out
}

impl Pressure {
    /// The effective MSRV with `cargo update` today.
    pub fn now(&self) -> Option<RustMinor> {
        self.history.effective_on(self.history.as_of)
    }

    /// How many lines follow each kind of policy: (trail stable, hold, declare nothing).
    pub fn mix(&self) -> (usize, usize, usize) {
        let as_of = self.history.as_of;
        let mut mix = (0, 0, 0);
        for l in &self.history.lines {
            match l.practice(as_of) {
                Practice::Trails { .. } => mix.0 += 1,
                Practice::Holds { .. } => mix.1 += 1,
                Practice::Undeclared => mix.2 += 1,
            }
        }
        mix
    }

    /// The figures `--format json` writes under `facts.msrv`.
    pub fn figures(&self) -> MsrvFigures {
        let h = &self.history;
        let (trailing, holding, undeclared) = self.mix();
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        MsrvFigures {
            as_of: h.as_of.to_string(),
            stable: RustMinor::stable_on(h.as_of).to_string(),
            effective_locked: self.locked.map(|r| r.to_string()),
            effective_updated: self.now().map(|r| r.to_string()),
            steps_per_quarter: h.steps_per_quarter(8),
            yearly_rates: h.yearly_rates(),
            yearly_steps: h.yearly_steps(),
            in_a_year: {
                let (low, high) = h.in_a_year();
                [low.to_string(), high.to_string()]
            },
            targets: self
                .targets
                .iter()
                .map(|t| {
                    let (already, earliest, latest) = match t.passing {
                        Passing::Already(_) => (true, None, None),
                        Passing::Between { earliest, latest } => {
                            (false, day(earliest), day(latest))
                        }
                    };
                    MsrvTarget {
                        members: t.members.clone(),
                        release: t.release.to_string(),
                        already,
                        earliest,
                        latest,
                    }
                })
                .collect(),
            drivers: h
                .drivers()
                .into_iter()
                .take(DRIVERS)
                .map(|(l, lifted)| MsrvDriver {
                    name: l.name.clone(),
                    locked: l.locked.to_string(),
                    lifted,
                    practice: l.practice(h.as_of).to_string(),
                })
                .collect(),
            lines: h.lines.len(),
            trailing,
            holding,
            undeclared,
            unknown: self.unknown.clone(),
            unusable: self.unusable.clone(),
            stale: self.stale.clone(),
        }
    }
}

/// Drivers a finding names and the JSON lists.
pub const DRIVERS: usize = 5;
