//! Ranking: what each finding costs, the top risks, and a verdict per review area.
//!
//! The model (`docs/ranking.md`): a finding's score is its level's weight (deny 100, warn 10,
//! info 1) times a reach factor, `1 + log2(reach)`, where reach is the number of workspace
//! members whose build it touches, times the factor of its measured consequence where a rule
//! measures one (seconds of build time, a broken `rust-version` promise). Levels stay apart:
//! a `warn` outranks an `info` unless it touches one member and the `info` hundreds, which no
//! workspace reviewed has.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use architect_model::{Facts, Finding, Level, PackageRef, Section, Verdict, VerdictState};
use guppy::PackageId;

/// The ranking model, as `cargo architect explain ranking` prints it.
pub const MODEL: &str = "\
How findings are ranked

Every finding gets an impact score from facts the review already has:

  score = level weight x (1 + log2(reach)) x consequence

  level weight   deny 100, warn 10, info 1: a deny outranks any warn, a warn any info,
                 unless the lower one reaches far more members.
  reach          the workspace members whose build the finding touches: the members it
                 names and those that depend on them, or the members whose build reaches
                 the packages it names; every shipping member for a finding about the whole
                 workspace (the resolver, a missing advisory check). Tooling members
                 (fuzz, xtask, examples, benchmarks) do not count.
  consequence    where a rule measures it: seconds of build time (1 + seconds / 120, at
                 most 2: feature rebuilds, a crate on the critical path); a broken
                 `rust-version` promise (3: users on the promised toolchain cannot build);
                 a vulnerability's CVSS base score (1 + score / 5: 3 for a 10.0);
                 direct dependencies a major version behind (1 + count / 10, at most 3).
                 Otherwise 1.

Top risks are, for each rule of a review area with a finding at warn or deny, its
highest-scored finding, highest first, at most ten; the rest of a rule's findings are
counted beside it. Each area's verdict is at risk when it has a warn or deny finding (with
the highest-scored one), not assessed when its rules are off or what they read is missing,
and sound otherwise. JSON keeps every finding with its `impact` (score, reach,
consequence), the `top_risks` as indices, and the `verdicts`.
";

/// At most this many top risks.
pub const TOP_RISKS: usize = 10;

/// The areas a review gives a verdict on, in order.
pub const AREAS: [Section; 9] = [
    Section::Build,
    Section::SupplyChain,
    Section::Msrv,
    Section::Evolution,
    Section::Async,
    Section::Observability,
    Section::Errors,
    Section::Interop,
    Section::Safety,
];

fn level_weight(level: Level) -> f64 {
    match level {
        Level::Deny => 100.0,
        Level::Warn => 10.0,
        Level::Info => 1.0,
        Level::Allow => 0.0,
    }
}

/// Set each finding's reach and score.
pub fn assess(facts: &Facts, findings: &mut [Finding]) {
    let reach = Reach::of(facts);
    for f in findings.iter_mut() {
        f.impact.reach = reach.of_finding(facts, &f.packages);
        let consequence = f.impact.consequence.as_ref().map_or(1.0, |c| c.factor());
        let score = level_weight(f.level) * (1.0 + (f.impact.reach as f64).log2()) * consequence;
        // Two decimals: the score is compared and printed, never summed.
        f.impact.score = (score * 100.0).round() / 100.0;
    }
}

/// Which shipped members reach each package over the full build's edges (a member reaches
/// itself).
struct Reach {
    by_package: HashMap<PackageId, BTreeSet<usize>>,
    members: usize,
}

impl Reach {
    fn of(facts: &Facts) -> Reach {
        let members: Vec<PackageId> = facts
            .graph
            .workspace()
            .iter()
            .filter(|m| facts.scope.is_shipped_member(m.id()))
            .map(|m| m.id().clone())
            .collect();
        let mut by_package: HashMap<PackageId, BTreeSet<usize>> = HashMap::new();
        for (i, m) in members.iter().enumerate() {
            let mut queue = VecDeque::from([m.clone()]);
            let mut seen = BTreeSet::from([m.clone()]);
            while let Some(p) = queue.pop_front() {
                by_package.entry(p.clone()).or_default().insert(i);
                for next in facts.scope.edges.get(&p).into_iter().flat_map(|d| d.keys()) {
                    if seen.insert(next.clone()) {
                        queue.push_back(next.clone());
                    }
                }
            }
        }
        Reach {
            by_package,
            members: members.len().max(1),
        }
    }

    /// The members a finding touches: all of them for one about the whole workspace.
    fn of_finding(&self, facts: &Facts, packages: &[PackageRef]) -> usize {
        if packages.is_empty() {
            return self.members;
        }
        let mut touched: BTreeSet<usize> = BTreeSet::new();
        for p in packages {
            let ids = facts
                .graph
                .packages()
                .filter(|m| m.name() == p.name && m.version().to_string() == p.version);
            for id in ids {
                touched.extend(self.by_package.get(id.id()).into_iter().flatten());
            }
        }
        touched.len().max(1)
    }
}

/// The top risks: for each rule of a review area with a finding at `warn` or above, its
/// highest-scored finding, highest first (ties in review order), at most [`TOP_RISKS`]. Source
/// coverage and the review's own configuration (a stale waiver) are not risks of the
/// workspace's architecture.
pub fn top_risks(findings: &[Finding]) -> Vec<usize> {
    let mut best: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.level < Level::Warn || !AREAS.contains(&f.section) {
            continue;
        }
        let entry = best.entry(f.rule).or_insert(i);
        if findings[*entry].impact.score < f.impact.score {
            *entry = i;
        }
    }
    let mut top: Vec<usize> = best.into_values().collect();
    top.sort_by(|a, b| {
        findings[*b]
            .impact
            .score
            .total_cmp(&findings[*a].impact.score)
            .then(a.cmp(b))
    });
    top.truncate(TOP_RISKS);
    top
}

/// One verdict per area: at risk when it has a `warn` or `deny` finding (with the count and
/// the highest-scored one), not assessed when none of its rules ran or what they read is
/// missing, sound otherwise (with how many informational findings it has).
pub fn verdicts(facts: &Facts, findings: &[Finding], enabled: &[&str]) -> Vec<Verdict> {
    AREAS
        .iter()
        .map(|&section| {
            let own: Vec<&Finding> = findings.iter().filter(|f| f.section == section).collect();
            let serious: Vec<&&Finding> = own.iter().filter(|f| f.level >= Level::Warn).collect();
            let top = highest(serious.iter().map(|f| **f));
            let (state, basis) = if let Some(top) = top {
                let deny = serious.iter().filter(|f| f.level == Level::Deny).count();
                let counts = match (deny, serious.len() - deny) {
                    (0, w) => format!("{w} warn"),
                    (d, 0) => format!("{d} deny"),
                    (d, w) => format!("{d} deny, {w} warn"),
                };
                (
                    VerdictState::AtRisk,
                    format!("{counts}; first: {}", top.message),
                )
            } else if let Some(why) = not_assessed(facts, section, enabled) {
                (VerdictState::NotAssessed, why)
            } else {
                // The fact the verdict rests on: what ran, or the weightiest thing noted.
                let prefix = format!("{}/", section.id());
                let rules = enabled.iter().filter(|id| id.starts_with(&prefix)).count();
                let noted = highest(own.iter().copied());
                let basis = match (own.len(), noted) {
                    (_, None) => format!(
                        "no finding from its {}",
                        crate::rule::count(rules, "rule", "rules")
                    ),
                    (1, Some(f)) => format!("no warn or deny finding; noted: {}", f.message),
                    (n, Some(f)) => {
                        format!("no warn or deny finding; {n} noted, first: {}", f.message)
                    }
                };
                (VerdictState::Sound, basis)
            };
            Verdict {
                section,
                state,
                basis,
            }
        })
        .collect()
}

/// The finding with the highest score, the first in review order on a tie (as the top risks).
fn highest<'f>(findings: impl Iterator<Item = &'f Finding>) -> Option<&'f Finding> {
    findings.fold(None, |best, f| match best {
        Some(b) if b.impact.score >= f.impact.score => Some(b),
        _ => Some(f),
    })
}

/// Why an area without a serious finding could not be judged, if it could not.
fn not_assessed(facts: &Facts, section: Section, enabled: &[&str]) -> Option<String> {
    let prefix = format!("{}/", section.id());
    if !enabled.iter().any(|id| id.starts_with(&prefix)) {
        return Some("its rules are off or opt-in (`level = \"info\"` turns them on)".into());
    }
    let reads_code = matches!(
        section,
        Section::Async | Section::Errors | Section::Interop | Section::Safety
    );
    if reads_code && facts.sources.files == 0 {
        return Some("no Rust source was read".into());
    }
    if section == Section::SupplyChain && facts.advisories.is_none() {
        let why = facts
            .notes
            .iter()
            .find(|n| n.starts_with("advisories were not checked"))
            .cloned()
            .unwrap_or_else(|| "advisories were not checked".into());
        return Some(why);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReviewOptions;
    use crate::testing::{clean, registry_ws};
    use architect_model::Consequence;

    fn review(facts: &Facts) -> architect_model::Review {
        crate::review(facts, &ReviewOptions::default())
    }

    #[test]
    fn top_risks_are_one_per_rule_ranked_by_score_deny_first() {
        let r = review(registry_ws());
        let top: Vec<&Finding> = r.top_risks.iter().map(|&i| &r.findings[i]).collect();
        assert!(!top.is_empty() && top.len() <= TOP_RISKS);
        // registry-ws has a vulnerability and a yanked version at deny: they lead.
        assert_eq!(top[0].level, Level::Deny);
        assert!(
            top.windows(2)
                .all(|w| w[0].impact.score >= w[1].impact.score)
        );
        let rules: BTreeSet<&str> = top.iter().map(|f| f.rule).collect();
        assert_eq!(rules.len(), top.len(), "one entry per rule");
        assert!(
            top.iter()
                .all(|f| f.level >= Level::Warn && AREAS.contains(&f.section))
        );
        // Each rule's entry is its highest-scored finding.
        for f in &top {
            let best = r
                .findings
                .iter()
                .filter(|g| g.rule == f.rule)
                .map(|g| g.impact.score)
                .fold(0.0, f64::max);
            assert_eq!(f.impact.score, best);
        }
    }

    #[test]
    fn the_score_weighs_level_reach_and_consequence() {
        let facts = registry_ws();
        let r = review(facts);
        let members = facts.graph.workspace().iter().count();
        for f in &r.findings {
            assert!(f.impact.reach >= 1 && f.impact.reach <= members, "{f:?}");
            let expected = level_weight(f.level)
                * (1.0 + (f.impact.reach as f64).log2())
                * f.impact.consequence.as_ref().map_or(1.0, |c| c.factor());
            assert!((f.impact.score - expected).abs() < 0.01, "{f:?}");
        }
        // A broken promise triples a finding; thirty seconds of build double it, at most four.
        assert_eq!(Consequence::BrokenPromise.factor(), 3.0);
        assert_eq!(Consequence::BuildSeconds { seconds: 60.0 }.factor(), 1.5);
        assert_eq!(Consequence::BuildSeconds { seconds: 900.0 }.factor(), 2.0);
        assert_eq!(Consequence::Severity { cvss: 10.0 }.factor(), 3.0);
        assert_eq!(Consequence::Severity { cvss: 5.0 }.factor(), 2.0);
        assert_eq!(Consequence::MajorsBehind { count: 5 }.factor(), 1.5);
        assert_eq!(Consequence::MajorsBehind { count: 228 }.factor(), 3.0);
        // `app` declares 1.70 while msrvlib needs 1.80: the broken promise carries its factor.
        let broken = r
            .findings
            .iter()
            .find(|f| f.rule == "msrv/broken-promise")
            .expect("registry-ws breaks its promise");
        assert_eq!(broken.impact.consequence, Some(Consequence::BrokenPromise));
    }

    #[test]
    fn every_area_has_one_verdict() {
        let r = review(registry_ws());
        let areas: Vec<Section> = r.verdicts.iter().map(|v| v.section).collect();
        assert_eq!(areas, AREAS);
        let supply = &r.verdicts[1];
        assert_eq!(supply.state, VerdictState::AtRisk);
        assert!(supply.basis.contains("deny"), "{}", supply.basis);
        // Observability's rules are opt-in: not assessed, and said why.
        let obs = r
            .verdicts
            .iter()
            .find(|v| v.section == Section::Observability)
            .unwrap();
        assert_eq!(obs.state, VerdictState::NotAssessed);
        // The clean fixture has nothing at warn or deny anywhere.
        let clean = review(clean());
        assert!(
            clean
                .verdicts
                .iter()
                .all(|v| v.state != VerdictState::AtRisk),
            "{:?}",
            clean.verdicts
        );
        // A sound verdict says what it rests on: the rules that ran, or what they noted.
        for v in clean
            .verdicts
            .iter()
            .filter(|v| v.state == VerdictState::Sound)
        {
            assert!(
                v.basis.starts_with("no finding from its ") || v.basis.contains("noted"),
                "{v:?}"
            );
        }
    }
}
