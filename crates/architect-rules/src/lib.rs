//! The rules of a review and the engine that runs them.
//!
//! Rules are pure functions from [`Facts`] to [`Finding`]s: no I/O, no printing. The engine
//! applies the configuration (levels, allow-lists, ignores), reports waivers that matched
//! nothing, and orders the findings deterministically.

pub mod build_time;
pub mod buildsim;
pub mod diff;
pub mod graph;
pub mod impact;
pub mod modgraph;
pub mod msrv_history;
pub mod msrv_pressure;
pub mod public_api;
pub mod rule;
pub mod rules;
pub mod semver_util;
mod summary;
#[cfg(test)]
mod testing;

use architect_model::{Facts, Finding, Level, Location, Review, RuleSchema};
use guppy::{Version, VersionReq};

pub use rule::{Ctx, Docs, Rule};
pub use rules::REGISTRY;
pub use summary::summarize;

/// How to run a review.
#[derive(Debug, Clone, Default)]
pub struct ReviewOptions {
    /// `--deny warn`: every `warn` finding becomes `deny`.
    pub deny_warnings: bool,
    /// Today, `YYYY-MM-DD`, for waivers with an `until` date. Waivers never expire when empty.
    pub today: String,
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().copied().find(|r| r.id == id)
}

/// What the configuration parser checks tables against.
pub fn schemas() -> Vec<RuleSchema> {
    REGISTRY.iter().map(|r| r.schema()).collect()
}

/// Whether an `allow` entry accepts `package` at `version`.
pub(crate) fn accepts(entry: &architect_model::AllowEntry, package: &str, version: &str) -> bool {
    entry.package == package && version_matches(&entry.version, version)
}

pub(crate) fn version_matches(req: &Option<String>, version: &str) -> bool {
    let Some(req) = req else { return true };
    match (VersionReq::parse(req), Version::parse(version)) {
        (Ok(r), Ok(v)) => r.matches(&v),
        _ => req == version,
    }
}

/// Run every enabled rule over the facts and assemble the review.
pub fn review(facts: &Facts, options: &ReviewOptions) -> Review {
    review_with(facts, options, &buildsim::Shared::default())
}

/// [`review`], with what the rules share given (the simulated build of `build-time`).
pub fn review_with(facts: &Facts, options: &ReviewOptions, shared: &buildsim::Shared) -> Review {
    let config = &facts.config;
    let mut findings = Vec::new();
    let mut stale: Vec<(String, Option<Location>)> = Vec::new();

    // A rule is off when configured `allow`, or when it is an opt-in inventory (default level
    // `allow`) that the configuration does not turn on.
    let enabled: Vec<&Rule> = REGISTRY
        .iter()
        .copied()
        .filter(|rule| {
            let level = config.rule(rule.id).and_then(|c| c.level);
            level.unwrap_or(rule.default_level) != Level::Allow
        })
        .collect();
    let enabled_ids: Vec<&str> = enabled.iter().map(|r| r.id).collect();
    // Rules are pure functions of the facts: run in parallel, collected in registry order, so
    // the review is the same whatever the thread count.
    let ran: Vec<(Vec<Finding>, std::collections::BTreeSet<usize>)> = {
        use rayon::prelude::*;
        enabled
            .par_iter()
            .map(|rule| {
                let cx = Ctx::new(facts, rule, config.rule(rule.id), shared);
                let produced = (rule.check)(&cx);
                (produced, cx.allow_hits())
            })
            .collect()
    };
    for (rule, (mut produced, applied_by_rule)) in enabled.into_iter().zip(ran) {
        let rc = config.rule(rule.id);
        let level = rc.and_then(|c| c.level);
        if let Some(rc) = rc {
            for (k, entry) in rc.allow.iter().enumerate() {
                let before = produced.len();
                produced.retain(|f| {
                    !f.packages
                        .first()
                        .is_some_and(|p| accepts(entry, &p.name, &p.version))
                });
                if produced.len() == before && !applied_by_rule.contains(&k) {
                    stale.push((
                        format!(
                            "`allow` entry for `{}` in `{}` matches no finding",
                            entry.package, rule.id
                        ),
                        entry.location.clone(),
                    ));
                }
            }
        }
        if let Some(level) = level {
            for f in &mut produced {
                f.level = level;
            }
        }
        findings.extend(produced);
    }

    for ignore in &config.ignores {
        let matches = |f: &Finding| {
            ignore.rule.as_ref().is_none_or(|r| f.rule == r)
                && ignore
                    .advisory
                    .as_ref()
                    .is_none_or(|a| f.advisory.as_ref() == Some(a))
                && ignore
                    .package
                    .as_ref()
                    .is_none_or(|p| f.packages.iter().any(|fp| &fp.name == p))
        };
        let expired = ignore
            .until
            .as_ref()
            .filter(|until| !options.today.is_empty() && until.as_str() < options.today.as_str());
        let what = [
            ignore.rule.as_deref(),
            ignore.advisory.as_deref(),
            ignore.package.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(" ");
        if let Some(until) = expired {
            // The waiver lapsed: the findings come back, saying so.
            for f in findings.iter_mut().filter(|f| matches(f)) {
                f.notes.push(format!(
                    "an ignore of this expired on {until} (reason given: {})",
                    ignore.reason
                ));
            }
            continue;
        }
        let before = findings.len();
        findings.retain(|f| !matches(f));
        if findings.len() == before {
            stale.push((
                format!("ignore of {what} matches no finding"),
                ignore.location.clone(),
            ));
        }
    }

    let waiver_rule = &rules::config::unused_waiver::RULE;
    let waiver_level = config.rule(waiver_rule.id).and_then(|c| c.level);
    if waiver_level != Some(Level::Allow) {
        let cx = Ctx::new(facts, waiver_rule, None, shared);
        for (message, location) in stale {
            let mut f = cx.finding(
                message,
                "delete the waiver, or correct the package or rule it names",
            );
            if let Some(level) = waiver_level {
                f.level = level;
            }
            f.locations.extend(location);
            findings.push(f);
        }
    }

    if options.deny_warnings {
        for f in &mut findings {
            if f.level == Level::Warn {
                f.level = Level::Deny;
            }
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();

    impact::assess(facts, &mut findings);
    let top_risks = impact::top_risks(&findings);
    let verdicts = impact::verdicts(facts, &findings, &enabled_ids);
    Review {
        summary: summary::summarize_with(facts, shared),
        findings,
        notes: facts.notes.clone(),
        top_risks,
        verdicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn rule_ids_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for r in REGISTRY {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            let (section, name) = r.id.split_once('/').expect("id is section/name");
            assert_eq!(
                section,
                r.section.id(),
                "{} is filed under the wrong section",
                r.id
            );
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                r.id
            );
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for r in REGISTRY {
            for (field, text) in [
                ("summary", r.summary),
                ("what", r.docs.what),
                ("why", r.docs.why),
                ("fix", r.docs.fix),
            ] {
                assert!(
                    text.len() >= 20,
                    "{}: docs.{field} is missing or too short",
                    r.id
                );
            }
            for o in r.options {
                assert!(!o.doc.is_empty(), "{}: option {} has no doc", r.id, o.name);
                assert!(
                    o.default.parse::<f64>().is_ok(),
                    "{}: option {} default does not parse",
                    r.id,
                    o.name
                );
            }
            if r.section != architect_model::Section::Config {
                assert!(
                    !r.docs.references.is_empty(),
                    "{}: no references behind the rule",
                    r.id
                );
            }
        }
    }

    /// Rules whose split into one level per id is another change's: they still set levels
    /// per finding.
    #[test]
    fn every_finding_is_at_its_rules_default_level() {
        use crate::testing::{
            clean, fixture, hakari_ws, kitchen_sink, registry_ws, run, source_rules,
        };
        let fixtures = [
            ("kitchen-sink", kitchen_sink()),
            ("registry-ws", registry_ws()),
            ("source-rules", source_rules()),
            ("clean", clean()),
            ("hakari-ws", hakari_ws()),
            ("rules/scope", fixture("scope")),
            ("rules/telemetry", fixture("telemetry")),
            ("rules/telemetry-dep", fixture("telemetry-dep")),
            ("rules/telemetry-bridged", fixture("telemetry-bridged")),
        ];
        let mut levels = BTreeSet::new();
        for (name, facts) in fixtures {
            for rule in REGISTRY {
                for f in run(rule, facts) {
                    assert_eq!(f.rule, rule.id, "{name}: {} reports as {}", rule.id, f.rule);
                    assert_eq!(
                        f.level, rule.default_level,
                        "{name}: a finding of {} is not at the rule's level: {}",
                        rule.id, f.message
                    );
                    levels.insert(f.level);
                }
            }
        }
        // The fixtures exercise every level, so the check above can fail.
        assert!(levels.len() >= 3, "{levels:?}");
    }

    #[test]
    fn version_requirements_match_like_cargo() {
        assert!(version_matches(&None, "1.2.3"));
        assert!(version_matches(&Some("0.17".into()), "0.17.14"));
        assert!(!version_matches(&Some("0.17".into()), "0.16.0"));
        assert!(version_matches(&Some("=1.0.0".into()), "1.0.0"));
    }
}
