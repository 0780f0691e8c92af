//! `build/feature-unification`: third-party packages rebuilt when moving between commands.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{BuildCommand, Facts, Finding, Level, Section};

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/feature-unification",
    section: Section::Build,
    default_level: Level::Allow,
    summary: "dependencies built with different features by `cargo build -p` of each member and `--workspace` (what cargo-hakari fixes)",
    docs: Docs {
        what: "Simulates, with guppy's feature graph (the one cargo-hakari uses), `cargo build \
               -p MEMBER` for each workspace member and `cargo build --workspace`, and reports \
               third-party packages whose feature set differs between those commands, with \
               the estimated time of rebuilding them and what depends on them, and a summary of \
               the work that switching rebuilds. When that work is a large share of a clean \
               build it is `build/feature-rebuild-waste`; a workspace-hack that `cargo hakari \
               generate` would change is `build/stale-workspace-hack`. \
               Opt-in (default `allow`; `level = \"info\"` turns it on): the per-dependency detail behind `build/feature-rebuild-waste`: labelled on eight real workspaces, 2 of 20 worth reading one by one.",
        why: "Cargo unifies features per command, so building one member after another (or \
              after the whole workspace) gives `serde` or `tokio` a different feature set: \
              cargo recompiles them and everything above them, again and again, in every \
              developer's edit loop and CI job. cargo-hakari's workspace-hack pins one feature \
              set for all commands, so each dependency is built once.",
        fix: "Run `cargo hakari init` and `cargo hakari generate` (and `cargo hakari verify` in \
              CI), or align the features the members ask for.",
        references: &[
            ("cargo-hakari", "https://docs.rs/cargo-hakari"),
            (
                "Cargo book: feature unification",
                "https://doc.rust-lang.org/cargo/reference/features.html#feature-unification",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// The state of cargo-hakari's workspace-hack.
#[derive(Debug, PartialEq)]
pub(crate) enum Hack<'a> {
    /// Neither a hakari configuration nor a workspace-hack package.
    Absent,
    /// What `cargo hakari generate` would write is what is there.
    UpToDate { package: String },
    /// `cargo hakari generate` would remove and add these lines (comments and blank lines
    /// aside).
    Stale {
        package: String,
        removed: Vec<&'a str>,
        added: Vec<&'a str>,
    },
    /// Present (or configured), but whether it is up to date could not be computed.
    Unknown {
        package: Option<String>,
        why: &'a str,
    },
}

impl Hack<'_> {
    /// A sentence for a summary.
    pub(crate) fn describe(&self) -> String {
        match self {
            Hack::Absent => "no workspace-hack".into(),
            Hack::UpToDate { package } => format!("workspace-hack `{package}` is up to date"),
            Hack::Stale {
                package,
                removed,
                added,
            } => format!(
                "workspace-hack `{package}` is out of date: `cargo hakari generate` would remove {} and add {}",
                crate::rule::count(removed.len(), "line", "lines"),
                crate::rule::count(added.len(), "line", "lines")
            ),
            Hack::Unknown {
                package: Some(p),
                why,
            } => format!("workspace-hack `{p}`, not checked: {why}"),
            Hack::Unknown { package: None, why } => {
                format!("cargo-hakari is configured, but {why}")
            }
        }
    }
}

/// Compare the workspace-hack's generated section with what hakari computes now.
pub(crate) fn hack(facts: &Facts) -> Hack<'_> {
    let Some(h) = &facts.hakari else {
        return Hack::Absent;
    };
    let package = h
        .package
        .as_ref()
        .and_then(|id| facts.graph.metadata(id).ok())
        .map(|p| p.name().to_string());
    match (&h.section, package) {
        (Err(why), package) => Hack::Unknown { package, why },
        (Ok(section), Some(package)) => {
            let (removed, added) = changed_lines(&section.on_disk, &section.expected);
            if removed.is_empty() && added.is_empty() {
                Hack::UpToDate { package }
            } else {
                Hack::Stale {
                    package,
                    removed,
                    added,
                }
            }
        }
        (Ok(_), None) => Hack::Unknown {
            package: None,
            why: "its package is not in the workspace",
        },
    }
}

/// Lines of `old` missing from `new`, and lines of `new` missing from `old` (as multisets,
/// each trimmed; blank lines and `#` comments do not count).
fn changed_lines<'a>(old: &'a str, new: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let lines = |s: &'a str| -> BTreeMap<&'a str, usize> {
        let mut m = BTreeMap::new();
        for l in s.lines().map(str::trim) {
            if !l.is_empty() && !l.starts_with('#') {
                *m.entry(l).or_default() += 1;
            }
        }
        m
    };
    let (a, b) = (lines(old), lines(new));
    let minus = |x: &BTreeMap<&'a str, usize>, y: &BTreeMap<&'a str, usize>| -> Vec<&'a str> {
        x.iter()
            .flat_map(|(l, n)| std::iter::repeat_n(*l, n.saturating_sub(*y.get(l).unwrap_or(&0))))
            .collect()
    };
    (minus(&a, &b), minus(&b, &a))
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let state = hack(cx.facts);
    let (mut out, waste) = differences(cx);
    if let Some(w) = waste {
        out.push(summary(cx, &state, &w));
    }
    out
}

/// The rebuild work that switching between commands costs.
pub(crate) struct Waste {
    /// Seconds of units rebuilt, each counted once.
    pub seconds: f64,
    /// Of those, the seconds that would remain with cargo's
    /// `resolver.feature-unification = "workspace"`: every `cargo build` then shares the
    /// workspace's feature set and every `cargo test` the workspace's with dev-dependencies,
    /// so only the packages whose two differ are still built twice.
    pub seconds_unified: f64,
    /// The member whose `cargo build -p` would then compile the most packages with features it
    /// does not ask for, and how many.
    pub unified_extra: Option<(String, usize)>,
    /// Seconds of all units of a clean build.
    pub work: f64,
    /// The packages whose changes cost most, most first.
    pub top: Vec<String>,
    /// How many packages change features.
    pub changing: usize,
}

impl Waste {
    pub(crate) fn share(&self) -> f64 {
        self.seconds / self.work
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "{} features between `cargo build` and `cargo test` of members (`-p`) and of the workspace: switching rebuilds about {:.1} s of work ({:.0}% of the {:.1} s of a clean build's units), most through {}",
            crate::rule::count(self.changing, "dependency changes", "dependencies change"),
            self.seconds,
            self.share() * 100.0,
            self.work,
            self.top.join(", ")
        )
    }
}

/// The summary of the differences, with what the workspace-hack says about them.
fn summary(cx: &Ctx<'_>, state: &Hack<'_>, w: &Waste) -> Finding {
    let help = match state {
        Hack::Stale { package, .. } => format!(
            "the workspace-hack `{package}` is out of date: run `cargo hakari generate`"
        ),
        Hack::UpToDate { package } => format!(
            "the workspace-hack `{package}` is up to date with its configuration, which leaves these out (its excludes or platforms)"
        ),
        unknown @ Hack::Unknown { .. } => unknown.describe(),
        Hack::Absent => {
            "no workspace-hack: `cargo hakari init` and `cargo hakari generate` would build each once".into()
        }
    };
    cx.finding(w.describe(), help)
        .at(cx.facts.workspace_table.clone())
}

/// The finding of a workspace-hack that `cargo hakari generate` would change.
pub(crate) fn stale(cx: &Ctx<'_>, state: &Hack<'_>, removed: &[&str], added: &[&str]) -> Finding {
    let facts = cx.facts;
    let begin = facts
        .hakari
        .as_ref()
        .and_then(|h| h.section.as_ref().ok())
        .map(|s| s.begin.clone());
    let mut f = cx
        .finding(
            state.describe(),
            "run `cargo hakari generate` and commit the result; `cargo hakari generate --diff` in CI keeps it so",
        )
        .at(begin);
    const SHOWN: usize = 8;
    for l in removed.iter().take(SHOWN) {
        f = f.note(format!("- {l}"));
    }
    for l in added.iter().take(SHOWN) {
        f = f.note(format!("+ {l}"));
    }
    let hidden = removed.len().saturating_sub(SHOWN) + added.len().saturating_sub(SHOWN);
    if hidden > 0 {
        f = f.note(format!("{hidden} more changed lines"));
    }
    f
}

/// Third-party packages whose features differ between commands, one finding each, and the
/// rebuild work they cost together.
pub(crate) fn differences(cx: &Ctx<'_>) -> (Vec<Finding>, Option<Waste>) {
    let facts = cx.facts;
    if facts.feature_builds.len() < 2 {
        return (Vec::new(), None);
    }
    // Package -> the distinct feature sets, each with the commands that build it so.
    let mut sets: BTreeMap<&guppy::PackageId, BTreeMap<&Vec<String>, Vec<String>>> =
        BTreeMap::new();
    for (command, features) in &facts.feature_builds {
        for (id, f) in features {
            sets.entry(id)
                .or_default()
                .entry(f)
                .or_default()
                .push(command.to_string());
        }
    }
    let Some(sim) = cx.sim() else {
        return (Vec::new(), None);
    };
    // Units of the whole build and their dependents, for the rebuild estimate.
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); facts.units.units.len()];
    for (i, u) in facts.units.units.iter().enumerate() {
        for d in &u.deps {
            dependents[d.unit].push(i);
        }
    }
    // The units a package's change of features rebuilds: its own and everything above them.
    let affected = |id: &guppy::PackageId| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<usize> = (0..facts.units.units.len())
            .filter(|&i| facts.units.units[i].package == *id)
            .collect();
        while let Some(u) = stack.pop() {
            if seen.insert(u) {
                stack.extend(dependents[u].iter().copied());
            }
        }
        seen
    };
    let seconds =
        |units: &BTreeSet<usize>| -> f64 { units.iter().map(|&u| sim.costs[u].duration).sum() };
    let mut out = Vec::new();
    // Each unit counted once, however many changing dependencies lie below it.
    let mut all_affected = BTreeSet::new();
    let mut top: Vec<(f64, String)> = Vec::new();
    for (id, variants) in &sets {
        if variants.len() < 2 {
            continue;
        }
        let Ok(p) = facts.graph.metadata(id) else {
            continue;
        };
        let units = affected(id);
        let cost = seconds(&units);
        all_affected.extend(units);
        top.push((cost, p.name().to_string()));
        let (locations, path) = dependency_evidence(facts, id);
        let mut f = cx
            .finding(
                format!(
                    "`{}` is built with {} feature sets across commands: each switch rebuilds it and what depends on it (about {:.1} s)",
                    pkg_ref(&p),
                    variants.len(),
                    cost
                ),
                "a workspace-hack (`cargo hakari generate`) builds it once with one feature set",
            )
            .package(pkg_ref(&p))
            .via(path)
            .at(locations.into_iter().next());
        for (features, commands) in variants {
            f = f.note(format!(
                "[{}] in `cargo {}`",
                features.join(", "),
                commands.join("`, `cargo ")
            ));
        }
        out.push(f);
    }
    if out.is_empty() {
        return (out, None);
    }
    let work: f64 = sim
        .costs
        .iter()
        .map(|c| c.duration)
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let (seconds_unified, unified_extra) = {
        let of = |c: &BuildCommand| {
            facts
                .feature_builds
                .iter()
                .find(|(command, _)| command == c)
                .map(|(_, f)| f)
        };
        let (build, test) = (
            of(&BuildCommand::Workspace),
            of(&BuildCommand::TestWorkspace),
        );
        let mut stay = BTreeSet::new();
        if let (Some(build), Some(test)) = (build, test) {
            for (id, f) in build {
                if test.get(id).is_some_and(|t| t != f) {
                    stay.extend(affected(id));
                }
            }
        }
        let extra = build.and_then(|ws| {
            facts
                .feature_builds
                .iter()
                .filter_map(|(command, features)| match command {
                    BuildCommand::Package(name) => {
                        let n = features
                            .iter()
                            .filter(|(id, f)| ws.get(*id).is_some_and(|w| w != *f))
                            .count();
                        (n > 0).then(|| (name.clone(), n))
                    }
                    _ => None,
                })
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        });
        // `+ 0.0`: the sum of nothing is -0.0, which prints as "-0.0".
        (seconds(&stay) + 0.0, extra)
    };
    let waste = Waste {
        seconds_unified,
        unified_extra,
        seconds: seconds(&all_affected),
        work,
        top: top.iter().take(5).map(|(_, n)| format!("`{n}`")).collect(),
        changing: out.len(),
    };
    (out, Some(waste))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn tokio_features_differ_between_members() {
        let f = run(&RULE, kitchen_sink());
        let tokio = f
            .iter()
            .find(|f| f.packages.first().is_some_and(|p| p.name == "tokio"))
            .unwrap();
        assert!(tokio.message.contains("2 feature sets"));
        assert!(
            tokio
                .notes
                .iter()
                .any(|n| n.starts_with("[] in `cargo build -p ws-core`")),
            "{:?}",
            tokio.notes
        );
        assert!(
            tokio
                .notes
                .iter()
                .any(|n| n.starts_with("[rt] in `cargo build -p app`")),
            "{:?}",
            tokio.notes
        );
        let summary = f.last().unwrap();
        assert!(
            summary.message.starts_with("1 dependency changes features"),
            "{}",
            summary.message
        );
        assert!(
            run(&RULE, clean()).is_empty(),
            "no third-party packages at all"
        );
    }

    #[test]
    fn an_up_to_date_workspace_hack_leaves_nothing_to_report() {
        let facts = crate::testing::hakari_ws();
        assert_eq!(
            hack(facts),
            Hack::UpToDate {
                package: "workspace-hack".into()
            }
        );
        assert!(run(&RULE, facts).is_empty(), "{:?}", run(&RULE, facts));
    }

    #[test]
    fn changed_lines_ignore_comments_order_and_blank_lines() {
        let old = "[dependencies]\na = 1\n\nb = 2\n";
        let new = "# comment\n[dependencies]\nb = 2\na = 1\n";
        assert_eq!(changed_lines(old, new), (vec![], vec![]));
        let new = "[dependencies]\na = 1\nb = 3\nc = 1\n";
        assert_eq!(
            changed_lines(old, new),
            (vec!["b = 2"], vec!["b = 3", "c = 1"])
        );
    }
}
